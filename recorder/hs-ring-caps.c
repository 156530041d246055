/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include "hs-ring-caps-private.h"

static gboolean
has_meta_feature (GstCapsFeatures *features)
{
  if (features == NULL || gst_caps_features_is_any (features))
    return FALSE;
  for (guint i = 0; i < gst_caps_features_get_size (features); i++)
    if (g_str_has_prefix (gst_caps_features_get_nth (features, i), "meta:"))
      return TRUE;
  return FALSE;
}

static GstCaps *
without_meta_features (GstCaps *caps)
{
  GstCaps *result = gst_caps_new_empty ();

  for (guint i = 0; i < gst_caps_get_size (caps); i++) {
    GstCapsFeatures *features = gst_caps_get_features (caps, i);

    if (!has_meta_feature (features))
      gst_caps_append_structure_full (result,
          gst_structure_copy (gst_caps_get_structure (caps, i)),
          features ? gst_caps_features_copy (features) : NULL);
  }
  if (gst_caps_is_empty (result)) {
    /* Only meta variants offered: refusing them would fail negotiation. */
    gst_caps_unref (result);
    return gst_caps_ref (caps);
  }
  return result;
}

/* @caps with, ahead of each raw structure whose free format list includes
 * I420 or NV12, a copy narrowed to that format. Nothing is removed. */
static GstCaps *
with_ring_formats_first (GstCaps *caps)
{
  static const char *const preferred[] = { "I420", "NV12" };
  GstCaps *result = gst_caps_new_empty ();

  for (guint i = 0; i < gst_caps_get_size (caps); i++) {
    GstStructure *s = gst_caps_get_structure (caps, i);
    GstCapsFeatures *features = gst_caps_get_features (caps, i);
    const GValue *formats = gst_structure_get_value (s, "format");

    /* A fixed format has nothing to steer. */
    for (guint j = 0; j < G_N_ELEMENTS (preferred) && formats != NULL &&
        !gst_value_is_fixed (formats) &&
        gst_structure_has_name (s, "video/x-raw"); j++) {
      GValue one = G_VALUE_INIT;
      GstStructure *narrowed;

      g_value_init (&one, G_TYPE_STRING);
      g_value_set_static_string (&one, preferred[j]);
      if (!gst_value_can_intersect (formats, &one)) {
        g_value_unset (&one);
        continue;
      }
      narrowed = gst_structure_copy (s);
      gst_structure_take_value (narrowed, "format", &one);
      result = gst_caps_merge_structure_full (result, narrowed,
          features ? gst_caps_features_copy (features) : NULL);
    }
    result = gst_caps_merge_structure_full (result, gst_structure_copy (s),
        features ? gst_caps_features_copy (features) : NULL);
  }
  return result;
}

GstCaps *
hs_ring_caps_answer (GstCaps *filter, GstCaps *current)
{
  g_autoptr(GstCaps) plain = NULL;
  GstCaps *result;

  if (filter == NULL)
    return gst_caps_new_any ();
  plain = without_meta_features (filter);
  if (current != NULL && gst_caps_can_intersect (current, plain)) {
    result = gst_caps_intersect_full (current, plain, GST_CAPS_INTERSECT_FIRST);
    return gst_caps_merge (result, g_steal_pointer (&plain));
  }
  return with_ring_formats_first (plain);
}

static const struct {
  const char *name;
  const char *parser;           /* NULL: none needed */
  const char *output;
  const char *ready;            /* the stream-format every muxer takes as it
                                 * is (codec data in the caps): no parser */
  const char *alignment;        /* what a muxer needs; NULL: anything */
  const char *formats[4];       /* stream-format; NULL: anything */
} compressed[] = {
  { "video/x-h264", "h264parse", "video/x-h264,stream-format=avc,alignment=au",
    "avc", "au", { "avc", "avc3", "byte-stream" } },
  { "video/x-h265", "h265parse", "video/x-h265,stream-format=hvc1,alignment=au",
    "hvc1", "au", { "hvc1", "hev1", "byte-stream" } },
  { "video/x-vp8", NULL, NULL, NULL, NULL, { NULL } },
  { "video/x-vp9", NULL, NULL, NULL, NULL, { NULL } },
  { "video/x-av1", "av1parse", NULL, NULL, "tu", { "obu-stream" } },
};

static gint
compressed_entry (GstCaps *caps)
{
  const GstStructure *s;

  if (caps == NULL || gst_caps_is_empty (caps) || gst_caps_is_any (caps))
    return -1;
  s = gst_caps_get_structure (caps, 0);
  for (guint i = 0; i < G_N_ELEMENTS (compressed); i++)
    if (gst_structure_has_name (s, compressed[i].name))
      return i;
  return -1;
}

HsRingCapsKind
hs_ring_caps_kind (GstCaps *caps, const char **fix)
{
  gint i = compressed_entry (caps);
  const GstStructure *s;
  const char *alignment, *format;
  gboolean known = FALSE;

  if (i < 0)
    return HS_RING_CAPS_RAW;
  s = gst_caps_get_structure (caps, 0);
  alignment = gst_structure_get_string (s, "alignment");
  format = gst_structure_get_string (s, "stream-format");
  for (guint f = 0; f < G_N_ELEMENTS (compressed[i].formats); f++)
    known |= g_strcmp0 (compressed[i].formats[f], format) == 0;
  if ((compressed[i].alignment == NULL ||
          g_strcmp0 (alignment, compressed[i].alignment) == 0) &&
      (compressed[i].formats[0] == NULL || known))
    return HS_RING_CAPS_COMPRESSED;
  if (fix != NULL)
    *fix = compressed[i].parser;
  return HS_RING_CAPS_UNPARSED;
}

const char *
hs_ring_caps_parser (GstCaps *caps, const char **output)
{
  gint i = compressed_entry (caps);
  const GstStructure *s;

  if (i < 0 || compressed[i].output == NULL)
    return NULL;
  s = gst_caps_get_structure (caps, 0);
  if (g_strcmp0 (gst_structure_get_string (s, "stream-format"),
          compressed[i].ready) == 0 && gst_structure_has_field (s,
          "codec_data"))
    return NULL;
  *output = compressed[i].output;
  return compressed[i].parser;
}

char *
hs_ring_caps_describe (GstCaps *caps)
{
  const char *name = gst_structure_get_name (gst_caps_get_structure (caps, 0));
  GstCapsFeatures *features = gst_caps_get_features (caps, 0);
  g_autofree char *described = features ?
      gst_caps_features_to_string (features) : NULL;

  if (described == NULL || g_str_equal (described, "memory:SystemMemory"))
    return g_strdup (name);
  return g_strdup_printf ("%s(%s)", name, described);
}

const char *
hs_ring_caps_memory_hint (GstCaps *caps)
{
  GstCapsFeatures *features = gst_caps_get_features (caps, 0);

  if (features == NULL)
    return "";
  if (gst_caps_features_contains (features, "memory:NVMM"))
    return " (NVMM memory needs nvvideoconvert from the NVIDIA DeepStream "
        "SDK, or nvvidconv from Jetson's nvidia-l4t-gstreamer)";
  if (gst_caps_features_contains (features, "memory:CUDAMemory"))
    return " (CUDA memory needs cudadownload and cudaconvert from "
        "gstreamer1.0-plugins-bad's nvcodec plugin and an NVIDIA driver)";
  return "";
}

/* Compressed audio a container can take as it is, once parsed. */
static const struct {
  const char *name;
  const char *field;            /* what says it is parsed; NULL: nothing */
  const char *fix;
} audio_kinds[] = {
  { "audio/x-opus", NULL, NULL },
  { "audio/x-vorbis", NULL, NULL },
  { "audio/x-flac", NULL, NULL },
  { "audio/x-mulaw", "rate", NULL },
  { "audio/x-alaw", "rate", NULL },
  { "audio/mpeg", "stream-format", "aacparse" },
};

char *
hs_ring_caps_check_audio (GstCaps *caps, const char **parser,
                          const char **output)
{
  g_autofree char *described = hs_ring_caps_describe (caps);
  const GstStructure *s = gst_caps_get_structure (caps, 0);
  int mpegversion = 0;

  *parser = *output = NULL;
  if (gst_structure_has_name (s, "audio/x-raw"))
    return NULL;
  for (guint i = 0; i < G_N_ELEMENTS (audio_kinds); i++) {
    if (!gst_structure_has_name (s, audio_kinds[i].name))
      continue;
    if (gst_structure_has_name (s, "audio/mpeg")) {
      /* AAC; MP3 (mpegversion 1) is parsed when it says so */
      gst_structure_get_int (s, "mpegversion", &mpegversion);
      if (mpegversion == 1 && gst_structure_has_field (s, "parsed"))
        return NULL;
      if (mpegversion == 4 && g_strcmp0 (gst_structure_get_string (s,
                  "stream-format"), "adts") == 0) {
        *parser = "aacparse";
        *output = "audio/mpeg,mpegversion=4,stream-format=raw";
        return NULL;
      }
      if (mpegversion == 4 && gst_structure_has_field (s, "codec_data"))
        return NULL;
      return g_strdup_printf ("%s that is not parsed: put %s before the "
          "tee", described, mpegversion == 1 ? "mpegaudioparse" : "aacparse");
    }
    if (audio_kinds[i].field != NULL &&
        !gst_structure_has_field (s, audio_kinds[i].field))
      return g_strdup_printf ("%s without its %s", described,
          audio_kinds[i].field);
    return NULL;
  }
  return g_strdup_printf ("%s, not audio a file can hold (raw audio, Opus, "
      "Vorbis, FLAC, AAC, MP3, mu-law or A-law)", described);
}
