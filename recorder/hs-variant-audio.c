/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include "hs-variant-private.h"

#include "hs-error.h"
#include "hs-packages-private.h"

/* The audio encoders of the files: raw audio from an audio tee is encoded
 * when a file is written, after audioconvert and audioresample (so that a
 * change of format or rate mid-stream is taken in). */
static const struct {
  const char *name;
  const char *codec;            /* caps name of the output */
  const char *factories[4];     /* alternatives, the first installed wins */
} audio_encoders[] = {
  { "opus", "audio/x-opus", { "opusenc" } },
  { "vorbis", "audio/x-vorbis", { "vorbisenc" } },
  { "aac", "audio/mpeg", { "fdkaacenc", "avenc_aac", "voaacenc" } },
};

static gint
find (const char *encoder)
{
  for (guint i = 0; i < G_N_ELEMENTS (audio_encoders); i++)
    if (g_strcmp0 (audio_encoders[i].name, encoder) == 0)
      return i;
  return -1;
}

const char *
hs_variant_audio_encoder_codec (const char *encoder)
{
  gint i = find (encoder);

  return i < 0 ? NULL : audio_encoders[i].codec;
}

gboolean
hs_variant_check_audio_encoder (const char *encoder, GError **error)
{
  gint i = find (encoder);

  if (i < 0) {
    g_set_error (error, HS_ERROR, HS_ERROR_INVALID_ARGUMENT,
        "Unknown audio encoder '%s' (known: opus, vorbis, aac)", encoder);
    return FALSE;
  }
  if (hs_variant_first_existing (audio_encoders[i].factories) != NULL)
    return TRUE;
  hs_packages_check_element (audio_encoders[i].factories[0], error);
  g_prefix_error (error, "Audio encoder '%s': ", encoder);
  return FALSE;
}

GstElement *
hs_variant_make_audio_encoder (const char *encoder, GError **error)
{
  GstElement *elements[4] = { NULL };
  const char *factory;
  gint i = find (encoder);

  if (!hs_variant_check_audio_encoder (encoder, error))
    return NULL;
  factory = hs_variant_first_existing (audio_encoders[i].factories);
  elements[0] = hs_packages_make_element ("audioconvert", NULL, error);
  elements[1] = elements[0] ? hs_packages_make_element ("audioresample", NULL,
      error) : NULL;
  elements[2] = elements[1] ? hs_packages_make_element (factory, NULL, error) :
      NULL;
  if (elements[2] == NULL) {
    for (guint k = 0; k < 2; k++)
      if (elements[k] != NULL)
        gst_object_unref (gst_object_ref_sink (elements[k]));
    return NULL;
  }
  return hs_variant_chain_bin ("hs-audio-encoder", elements, error);
}
