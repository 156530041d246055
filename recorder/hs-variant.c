/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include "hs-variant-private.h"

#include <string.h>
#include <gst/video/video.h>

#include "hs-auto-converter-private.h"
#include "hs-error.h"
#include "hs-packages-private.h"

/* Which variant was built, and why: GST_DEBUG=hindsight-variant:5 */
GST_DEBUG_CATEGORY_STATIC (hs_variant_debug);
#define GST_CAT_DEFAULT hs_variant_debug

static void
ensure_debug (void)
{
  static gsize once;

  if (g_once_init_enter (&once)) {
    GST_DEBUG_CATEGORY_INIT (hs_variant_debug, "hindsight-variant", 0,
        "hindsight converter and encoder variants");
    g_once_init_leave (&once, 1);
  }
}

/* ------------------------------------------------------------------------ */
/* Settings                                                                 */

/* Bits per pixel at the source's frame rate. VP8 at 0.08 gives 640x480@30
 * ~740 kbit/s, 1280x720@30 ~2.2 Mbit/s, 1920x1080@30 ~5 Mbit/s. VP9 and AV1
 * compress better, so they get less for about the same picture. */
#define VP8_BITS_PER_PIXEL 0.08
#define VP9_BITS_PER_PIXEL 0.06
#define AV1_BITS_PER_PIXEL 0.05

static double
frame_rate (GstCaps *caps, GstVideoInfo *info)
{
  if (caps != NULL && gst_video_info_from_caps (info, caps) &&
      info->fps_n > 0 && info->fps_d > 0)
    return (double) info->fps_n / info->fps_d;
  return 30.0;
}

/* Bits per second for @settings, scaled with the resolution when not set. */
static guint
bitrate_for (GstCaps *caps, const HsEncoderSettings *settings,
             double bits_per_pixel)
{
  GstVideoInfo info;
  double fps, bits;

  if (settings->bitrate > 0)
    return settings->bitrate;
  if (caps == NULL || !gst_video_info_from_caps (&info, caps))
    return 1000000;
  fps = frame_rate (caps, &info);
  bits = info.width * (double) info.height * fps * bits_per_pixel;
  return (guint) CLAMP (bits, 100000, 50000000);
}

/* Frames between keyframes; 2 s when not set. */
static int
keyframe_distance (GstCaps *caps, const HsEncoderSettings *settings)
{
  GstVideoInfo info;
  double seconds = settings->keyframe_interval > 0 ?
      settings->keyframe_interval : 2.0;

  return MAX (1, (int) (frame_rate (caps, &info) * seconds + 0.5));
}

/* One thread per 1280x720 of picture, at most one per core and four: with
 * more threads than the picture needs, libvpx's workers spin-wait on each
 * other, and a box recording many sources at once drowns in the spinning. */
static int
threads_for (GstCaps *caps, const HsEncoderSettings *settings)
{
  GstVideoInfo info;
  int threads = 1;

  if (settings->threads > 0)
    return (int) settings->threads;
  if (caps != NULL && gst_video_info_from_caps (&info, caps))
    threads = 1 + (int) ((double) info.width * info.height / (1280 * 720 + 1));
  return CLAMP (threads, 1, (int) MIN (4, g_get_num_processors ()));
}

static gboolean
has_property (GstElement *element, const char *name)
{
  return g_object_class_find_property (G_OBJECT_GET_CLASS (element),
      name) != NULL;
}

/* ------------------------------------------------------------------------ */
/* Chains                                                                   */

static gboolean
factory_exists (const char *name)
{
  g_autoptr(GstElementFactory) factory = gst_element_factory_find (name);

  return factory != NULL;
}

/* The first of @factories (NULL-terminated) that is installed, or NULL. */
const char *
hs_variant_first_existing (const char *const *factories)
{
  for (guint i = 0; factories[i] != NULL; i++)
    if (factory_exists (factories[i]))
      return factories[i];
  return NULL;
}

static GstElement *
make_capsfilter (const char *caps_string)
{
  GstElement *filter = gst_element_factory_make ("capsfilter", NULL);
  g_autoptr(GstCaps) caps = gst_caps_from_string (caps_string);

  /* capsfilter is in coreelements: it exists wherever GStreamer does. */
  g_assert (filter != NULL && caps != NULL);
  g_object_set (filter, "caps", caps, NULL);
  return filter;
}

static void
drop_floating (GstElement *element)
{
  if (element != NULL)
    gst_object_unref (gst_object_ref_sink (element));
}

static void
drop_elements (GstElement **elements)
{
  for (guint i = 0; elements[i] != NULL; i++)
    drop_floating (elements[i]);
}

static char *
describe_chain (GstElement **elements)
{
  GString *s = g_string_new (NULL);

  for (guint i = 0; elements[i] != NULL; i++) {
    GstElementFactory *factory = gst_element_get_factory (elements[i]);

    if (i > 0)
      g_string_append (s, " ! ");
    if (factory != NULL &&
        g_str_equal (GST_OBJECT_NAME (factory), "capsfilter")) {
      g_autoptr(GstCaps) caps = NULL;
      g_autofree char *text = NULL;

      g_object_get (elements[i], "caps", &caps, NULL);
      text = gst_caps_to_string (caps);
      g_string_append (s, text);
    } else {
      g_string_append (s, factory ? GST_OBJECT_NAME (factory) : "?");
    }
  }
  return g_string_free (s, FALSE);
}

GstElement *
hs_variant_chain_bin (const char *name, GstElement **elements, GError **error)
{
  GstElement *bin;
  guint n = 0;
  g_autoptr(GstPad) sink = NULL;
  g_autoptr(GstPad) src = NULL;

  while (elements[n] != NULL)
    n++;
  g_assert (n > 0);

  {
    g_autofree char *chain = describe_chain (elements);
    GST_DEBUG ("%s: %s", name, chain);
  }

  bin = gst_bin_new (name);
  for (guint i = 0; i < n; i++)
    gst_bin_add (GST_BIN (bin), elements[i]);
  for (guint i = 1; i < n; i++) {
    if (!gst_element_link (elements[i - 1], elements[i])) {
      g_set_error (error, HS_ERROR, HS_ERROR_NOT_NEGOTIATED,
          "Cannot link %s to %s in %s",
          GST_OBJECT_NAME (gst_element_get_factory (elements[i - 1])),
          GST_OBJECT_NAME (gst_element_get_factory (elements[i])), name);
      drop_floating (bin);
      return NULL;
    }
  }
  sink = gst_element_get_static_pad (elements[0], "sink");
  src = gst_element_get_static_pad (elements[n - 1], "src");
  if (sink == NULL || src == NULL) {
    g_set_error (error, HS_ERROR, HS_ERROR_NOT_NEGOTIATED,
        "%s has no 'sink' pad or %s no 'src' pad, as %s needs",
        GST_OBJECT_NAME (gst_element_get_factory (elements[0])),
        GST_OBJECT_NAME (gst_element_get_factory (elements[n - 1])), name);
    drop_floating (bin);
    return NULL;
  }
  gst_element_add_pad (bin, gst_ghost_pad_new ("sink", sink));
  gst_element_add_pad (bin, gst_ghost_pad_new ("src", src));
  return bin;
}

/* ------------------------------------------------------------------------ */
/* Descriptions given by the user                                           */

/* Whether @segment (between links) is caps, not an element: caps start with
 * a media type, which has a '/' that no element name has. */
static gboolean
is_caps_segment (const char *start, const char *end)
{
  while (start < end && g_ascii_isspace (*start))
    start++;
  for (const char *p = start; p < end; p++) {
    if (*p == '/')
      return p > start;
    if (*p == ',' || *p == '(' || *p == '=' || g_ascii_isspace (*p))
      return FALSE;
  }
  return FALSE;
}

static void
append_capsfilter (GString *out, const char *start, const char *end)
{
  g_autofree char *caps = g_strndup (start, end - start);

  g_strstrip (caps);
  g_string_append (out, " capsfilter caps=\"");
  for (const char *p = caps; *p != '\0'; p++) {
    if (*p == '"' || *p == '\\')
      g_string_append_c (out, '\\');
    g_string_append_c (out, *p);
  }
  g_string_append (out, "\" ");
}

/* gst-launch syntax takes caps only between two elements ("a ! caps ! b"),
 * but a ring or record bin naturally starts or ends with caps
 * ("nvvideoconvert ! video/x-raw,format=I420", as in pythiags' ring bin):
 * caps at either end become a capsfilter. */
static char *
edge_caps_to_capsfilters (const char *description)
{
  const char *first_link = NULL;
  const char *last_link = NULL;
  const char *end = description + strlen (description);
  gboolean lead, trail;
  GString *out;
  char quote = 0;
  int depth = 0;

  for (const char *p = description; *p != '\0'; p++) {
    if (quote != 0) {
      if (*p == '\\' && p[1] != '\0')
        p++;
      else if (*p == quote)
        quote = 0;
    } else if (*p == '"' || *p == '\'') {
      quote = *p;
    } else if (*p == '(') {
      depth++;
    } else if (*p == ')') {
      depth--;
    } else if (*p == '!' && depth == 0) {
      if (first_link == NULL)
        first_link = p;
      last_link = p;
    }
  }
  if (first_link == NULL)
    return g_strdup (description);

  lead = is_caps_segment (description, first_link);
  trail = is_caps_segment (last_link + 1, end);
  if (!lead && !trail)
    return g_strdup (description);

  out = g_string_new (NULL);
  if (lead)
    append_capsfilter (out, description, first_link);
  g_string_append_len (out, lead ? first_link : description,
      (trail ? last_link + 1 : end) - (lead ? first_link : description));
  if (trail)
    append_capsfilter (out, last_link + 1, end);
  return g_string_free (out, FALSE);
}

static GstElement *
parse_bin (const char *description, GstParseContext *ctx, GError **error)
{
  g_autofree char *normal = edge_caps_to_capsfilters (description);

  return gst_parse_bin_from_description_full (normal, FALSE, ctx,
      GST_PARSE_FLAG_FATAL_ERRORS, error);
}

/* Whether @description up to @end builds; a prefix that ends in a link
 * ("a !") counts when an element could follow it. */
static gboolean
prefix_builds (const char *description, gsize end)
{
  g_autofree char *prefix = g_strndup (description, end);
  g_autofree char *candidate = NULL;
  g_autoptr(GError) error = NULL;
  GstElement *bin;

  g_strchomp (prefix);
  if (prefix[0] == '\0')
    return TRUE;
  candidate = g_str_has_suffix (prefix, "!") ?
      g_strconcat (prefix, " identity", NULL) : g_strdup (prefix);
  bin = parse_bin (candidate, NULL, &error);
  drop_floating (bin);
  return bin != NULL && error == NULL;
}

/* GStreamer's parser says what went wrong ("syntax error", "no property
 * ...") but not where. The longest prefix, cut at a token boundary, that
 * still builds tells where: the problem starts at the next token. Only
 * runs for descriptions that failed, which are short. Returns a byte
 * offset into @description. */
static gsize
locate_parse_error (const char *description)
{
  gsize len = strlen (description);
  gsize good = 0;
  char quote = 0;

  for (gsize i = 0; i <= len; i++) {
    char c = description[i];
    gboolean boundary;

    if (quote != 0) {
      if (c == quote && description[i - 1] != '\\')
        quote = 0;
      continue;
    }
    if (c == '"' || c == '\'') {
      quote = c;
      continue;
    }
    /* After a '!', or at a space that ends a word. */
    boundary = (i > 0 && description[i - 1] == '!') ||
        ((c == '\0' || g_ascii_isspace (c)) && i > 0 &&
         !g_ascii_isspace (description[i - 1]));
    if (boundary && i < len && prefix_builds (description, i))
      good = i;
  }
  while (good < len && g_ascii_isspace (description[good]))
    good++;
  return good;
}

static void
set_parse_error (const char *what, const char *description,
                 GstParseContext *ctx, const GError *parse_error,
                 GError **error)
{
  g_auto(GStrv) missing = gst_parse_context_get_missing_elements (ctx);
  const char *reason = parse_error ? parse_error->message : "nothing to build";

  /* The context also lists elements whose properties failed: only trust it
   * for a missing element. */
  if (g_error_matches (parse_error, GST_PARSE_ERROR,
          GST_PARSE_ERROR_NO_SUCH_ELEMENT) && missing != NULL &&
      missing[0] != NULL) {
    const char *where = strstr (description, missing[0]);
    const char *package = hs_packages_for_element (missing[0]);
    g_autofree char *hint = package ?
        g_strdup_printf ("install %s", package) :
        g_strdup_printf ("check the name with gst-inspect-1.0 %s", missing[0]);

    g_set_error (error, HS_ERROR, HS_ERROR_MISSING_ELEMENT,
        "%s description '%s' names GStreamer element '%s' (at character "
        "%" G_GSIZE_FORMAT "), which is missing: %s", what, description,
        missing[0], where ? (gsize) (where - description) + 1 : 1, hint);
  } else {
    gsize at = locate_parse_error (description);
    g_autofree char *near = g_utf8_make_valid (description + at,
        MIN (strlen (description + at), 24));

    g_set_error (error, HS_ERROR, HS_ERROR_INVALID_ARGUMENT,
        "%s description '%s' does not build at character %" G_GSIZE_FORMAT
        " ('%s'): %s", what, description, at + 1, near, reason);
  }
}

static void
collect_free_pads (GstBin *bin, GPtrArray *sinks, GPtrArray *srcs)
{
  GST_OBJECT_LOCK (bin);
  /* GstBin keeps its children newest first: walk back to list them in the
   * order of the description. */
  for (GList *l = g_list_last (GST_BIN_CHILDREN (bin)); l != NULL;
      l = l->prev) {
    GstElement *child = l->data;

    GST_OBJECT_LOCK (child);
    for (GList *p = GST_ELEMENT_PADS (child); p != NULL; p = p->next) {
      GstPad *pad = p->data;

      if (GST_PAD_PEER (pad) != NULL)
        continue;
      g_ptr_array_add (GST_PAD_IS_SINK (pad) ? sinks : srcs,
          gst_object_ref (pad));
    }
    GST_OBJECT_UNLOCK (child);
  }
  GST_OBJECT_UNLOCK (bin);
}

static char *
describe_pads (GPtrArray *pads, const char *kind)
{
  GString *s = g_string_new (NULL);

  g_string_append_printf (s, "%u %s pad%s", pads->len, kind,
      pads->len == 1 ? "" : "s");
  for (guint i = 0; i < pads->len; i++) {
    GstPad *pad = pads->pdata[i];

    g_string_append_printf (s, "%s%s:%s", i == 0 ? " (" : ", ",
        GST_DEBUG_PAD_NAME (pad));
  }
  if (pads->len > 0)
    g_string_append_c (s, ')');
  return g_string_free (s, FALSE);
}

/* Builds a user's bin description with exactly one free sink pad and one
 * free src pad, ghosted as "sink" and "src". @what names it in errors
 * ("Converter", "Encoder"). Returns a floating bin. */
static GstElement *
parse_description (const char *what, const char *description,
                   GError **error)
{
  g_autoptr(GstParseContext) ctx = gst_parse_context_new ();
  g_autoptr(GError) parse_error = NULL;
  g_autoptr(GPtrArray) sinks = g_ptr_array_new_with_free_func (gst_object_unref);
  g_autoptr(GPtrArray) srcs = g_ptr_array_new_with_free_func (gst_object_unref);
  GstElement *bin;

  bin = parse_bin (description, ctx, &parse_error);
  if (bin == NULL || parse_error != NULL) {
    drop_floating (bin);
    set_parse_error (what, description, ctx, parse_error, error);
    return NULL;
  }

  collect_free_pads (GST_BIN (bin), sinks, srcs);
  if (sinks->len != 1 || srcs->len != 1) {
    g_autofree char *sink_list = describe_pads (sinks, "sink");
    g_autofree char *src_list = describe_pads (srcs, "src");

    g_set_error (error, HS_ERROR, HS_ERROR_INVALID_ARGUMENT,
        "%s description '%s' must have exactly one free sink pad and one "
        "free src pad; it has %s and %s", what,
        description, sink_list, src_list);
    drop_floating (bin);
    return NULL;
  }

  gst_element_add_pad (bin, gst_ghost_pad_new ("sink", sinks->pdata[0]));
  gst_element_add_pad (bin, gst_ghost_pad_new ("src", srcs->pdata[0]));
  return bin;
}

/* A single word that is no element is a misspelt variant name, not a
 * description. */
static gboolean
is_plain_word (const char *s)
{
  for (; *s != '\0'; s++)
    if (!g_ascii_isalnum (*s) && *s != '-' && *s != '_')
      return FALSE;
  return TRUE;
}

static gboolean
pad_can_do (GstPad *pad, const char *caps_string, GstCaps **caps_out)
{
  g_autoptr(GstCaps) caps = gst_pad_query_caps (pad, NULL);
  g_autoptr(GstCaps) wanted = gst_caps_from_string (caps_string);
  gboolean ok = gst_caps_can_intersect (caps, wanted);

  if (caps_out != NULL)
    *caps_out = g_steal_pointer (&caps);
  return ok;
}

/* "video/x-raw, video/x-raw(memory:NVMM)": the media types of @caps, for
 * messages. */
static char *
caps_names (GstCaps *caps)
{
  GString *s = g_string_new (NULL);
  g_autoptr(GHashTable) seen = g_hash_table_new_full (g_str_hash,
      g_str_equal, g_free, NULL);

  if (gst_caps_is_any (caps))
    return g_string_free (s, FALSE);
  if (gst_caps_is_empty (caps)) {
    g_string_append (s, "nothing");
    return g_string_free (s, FALSE);
  }
  for (guint i = 0; i < gst_caps_get_size (caps); i++) {
    GstCapsFeatures *features = gst_caps_get_features (caps, i);
    g_autofree char *name = NULL;

    if (features != NULL && !gst_caps_features_is_any (features) &&
        !gst_caps_features_is_equal (features,
            GST_CAPS_FEATURES_MEMORY_SYSTEM_MEMORY)) {
      g_autofree char *f = gst_caps_features_to_string (features);
      name = g_strdup_printf ("%s(%s)",
          gst_structure_get_name (gst_caps_get_structure (caps, i)), f);
    } else {
      name = g_strdup (gst_structure_get_name (gst_caps_get_structure (caps,
                  i)));
    }
    if (g_hash_table_add (seen, g_strdup (name)))
      g_string_append_printf (s, "%s%s", s->len ? ", " : "", name);
  }
  return g_string_free (s, FALSE);
}

/* ------------------------------------------------------------------------ */
/* Converters                                                               */

static GstElement *
build_cpu (GError **error)
{
  return hs_packages_make_element ("videoconvert", NULL, error);
}

/* DeepStream's nvvideoconvert (or, on a Jetson without DeepStream, L4T's
 * nvvidconv) copies NVMM surfaces into system memory and converts to I420 on
 * the way, so the CPU never converts. */
static GstElement *
build_nvidia (GError **error)
{
  static const char *const factories[] = {
    "nvvideoconvert", "nvvidconv", NULL
  };
  const char *factory = hs_variant_first_existing (factories);
  GstElement *elements[3] = { NULL };

  if (factory == NULL) {
    g_set_error (error, HS_ERROR, HS_ERROR_MISSING_ELEMENT,
        "GStreamer element 'nvvideoconvert' (or on Jetson 'nvvidconv') is "
        "missing: install %s, or %s",
        hs_packages_for_element ("nvvideoconvert"),
        hs_packages_for_element ("nvvidconv"));
    return NULL;
  }
  elements[0] = hs_packages_make_element (factory, NULL, error);
  if (elements[0] == NULL)
    return NULL;
  elements[1] = make_capsfilter ("video/x-raw,format=I420");
  return hs_variant_chain_bin ("hs-convert-nvidia", elements, error);
}

/* GStreamer's own CUDA elements (nvcodec): convert to I420 on the GPU, then
 * download only the I420 planes. */
static GstElement *
build_cuda (GError **error)
{
  GstElement *elements[5] = { NULL };

  if (!hs_packages_check_element ("cudadownload", error))
    return NULL;
  elements[0] = hs_packages_make_element ("cudaconvert", NULL, error);
  if (elements[0] == NULL)
    return NULL;
  elements[1] = make_capsfilter ("video/x-raw(memory:CUDAMemory),format=I420");
  elements[2] = hs_packages_make_element ("cudadownload", NULL, error);
  if (elements[2] == NULL) {
    drop_elements (elements);
    return NULL;
  }
  elements[3] = make_capsfilter ("video/x-raw");
  return hs_variant_chain_bin ("hs-convert-cuda", elements, error);
}

static const HsConverterVariant converters[] = {
  { "cpu", GST_CAPS_FEATURE_MEMORY_SYSTEM_MEMORY, "video/x-raw",
    { { "videoconvert" } }, build_cpu },
  { "nvidia", "memory:NVMM", "video/x-raw(memory:NVMM)",
    { { "nvvideoconvert", "nvvidconv" } }, build_nvidia },
  { "cuda", "memory:CUDAMemory", "video/x-raw(memory:CUDAMemory)",
    { { "cudadownload" }, { "cudaconvert" } }, build_cuda },
};

const HsConverterVariant *
hs_variant_get_converters (guint *n_converters)
{
  *n_converters = G_N_ELEMENTS (converters);
  return converters;
}

const HsConverterVariant *
hs_variant_find_converter (const char *name)
{
  for (guint i = 0; i < G_N_ELEMENTS (converters); i++)
    if (g_str_equal (converters[i].name, name))
      return &converters[i];
  return NULL;
}

const char *
hs_variant_converter_missing (const HsConverterVariant *variant)
{
  for (guint i = 0; i < G_N_ELEMENTS (variant->needs) &&
      variant->needs[i][0] != NULL; i++)
    if (hs_variant_first_existing (variant->needs[i]) == NULL)
      return variant->needs[i][0];
  return NULL;
}

/* -- converter entry points ------------------------------------------- */

static GstElement *
make_converter_description (const char *description, GError **error)
{
  GstElement *bin;
  g_autoptr(GstPad) src = NULL;
  g_autoptr(GstCaps) caps = NULL;

  if (is_plain_word (description) && !factory_exists (description)) {
    if (hs_packages_for_element (description) != NULL) {
      hs_packages_check_element (description, error);
      g_prefix_error (error, "Converter '%s': ", description);
    } else {
      g_set_error (error, HS_ERROR, HS_ERROR_INVALID_ARGUMENT,
          "Unknown converter '%s': neither a variant (auto, cpu, nvidia, "
          "cuda) nor an installed GStreamer element; a bin description such "
          "as 'nvvideoconvert ! video/x-raw,format=I420' works too",
          description);
    }
    return NULL;
  }

  bin = parse_description ("Converter", description, error);
  if (bin == NULL)
    return NULL;
  src = gst_element_get_static_pad (bin, "src");
  if (!pad_can_do (src, "video/x-raw", &caps)) {
    g_autofree char *names = caps_names (caps);

    g_set_error (error, HS_ERROR, HS_ERROR_NOT_NEGOTIATED,
        "Converter description '%s' outputs %s, not system-memory raw video "
        "(end it with a download element such as nvvideoconvert ! "
        "video/x-raw, or cudadownload)", description, names);
    drop_floating (bin);
    return NULL;
  }
  GST_INFO ("converter from the description '%s'", description);
  return bin;
}

GstElement *
hs_variant_make_converter (const char *converter, GError **error)
{
  const HsConverterVariant *variant;
  GstElement *element;

  g_return_val_if_fail (error == NULL || *error == NULL, NULL);
  ensure_debug ();

  if (converter == NULL || g_str_equal (converter, "auto"))
    return hs_auto_converter_new ();

  variant = hs_variant_find_converter (converter);
  if (variant == NULL)
    return make_converter_description (converter, error);

  element = variant->build (error);
  if (element == NULL) {
    g_prefix_error (error, "Converter '%s': ", converter);
    return NULL;
  }
  GST_INFO ("converter %s", variant->name);
  return element;
}

/* ------------------------------------------------------------------------ */
/* Encoders                                                                 */

typedef struct {
  const char *name;
  GstElement *(*build) (GstCaps *caps, const HsEncoderSettings *settings,
                        GError **error);
} EncoderVariant;

/* libvpx realtime: one pass, no look-ahead, constant bitrate. */
static void
configure_vpx (GstElement *enc, GstCaps *caps,
               const HsEncoderSettings *settings, double bits_per_pixel)
{
  g_object_set (enc,
      "deadline", (gint64) 1,
      "threads", threads_for (caps, settings),
      "lag-in-frames", 0,
      "end-usage", 1 /* cbr */,
      "target-bitrate", (int) MIN (bitrate_for (caps, settings,
              bits_per_pixel), G_MAXINT),
      "keyframe-max-dist", keyframe_distance (caps, settings),
      NULL);
}

static GstElement *
build_vp8 (GstCaps *caps, const HsEncoderSettings *settings, GError **error)
{
  GstElement *enc = hs_packages_make_element ("vp8enc", NULL, error);

  if (enc == NULL)
    return NULL;
  configure_vpx (enc, caps, settings, VP8_BITS_PER_PIXEL);
  g_object_set (enc, "cpu-used", 8, NULL);
  return enc;
}

static GstElement *
build_vp9 (GstCaps *caps, const HsEncoderSettings *settings, GError **error)
{
  GstElement *enc = hs_packages_make_element ("vp9enc", NULL, error);

  if (enc == NULL)
    return NULL;
  configure_vpx (enc, caps, settings, VP9_BITS_PER_PIXEL);
  /* Speed 8 is libvpx's fastest realtime VP9 setting; row-mt spreads each
   * tile's rows over the threads. */
  g_object_set (enc, "cpu-used", 8, "row-mt", TRUE, NULL);
  return enc;
}

/* av1enc's own defaults (quantizer range 0..0, good-quality usage) are
 * lossless and slow, and libaom asserts in CBR with them: the range must be
 * set. av1parse turns its output into the obu-stream WebM takes. */
static GstElement *
build_av1 (GstCaps *caps, const HsEncoderSettings *settings, GError **error)
{
  GstElement *elements[3] = { NULL };

  elements[0] = hs_packages_make_element ("av1enc", NULL, error);
  if (elements[0] == NULL)
    return NULL;
  elements[1] = hs_packages_make_element ("av1parse", NULL, error);
  if (elements[1] == NULL) {
    drop_elements (elements);
    return NULL;
  }
  gst_util_set_object_arg (G_OBJECT (elements[0]), "usage-profile",
      "realtime");
  gst_util_set_object_arg (G_OBJECT (elements[0]), "end-usage", "cbr");
  g_object_set (elements[0],
      "cpu-used", 9,
      "threads", (guint) threads_for (caps, settings),
      "row-mt", TRUE,
      "lag-in-frames", 0u,
      "min-quantizer", 10u,
      "max-quantizer", 56u,
      "target-bitrate", MAX (1u, bitrate_for (caps, settings,
              AV1_BITS_PER_PIXEL) / 1000),
      "keyframe-max-dist", keyframe_distance (caps, settings),
      NULL);
  return hs_variant_chain_bin ("hs-encode-av1", elements, error);
}

/* Jetson: the V4L2 hardware encoders take NVMM frames, so the system-memory
 * frames of the record pipeline are moved into NVMM first (nvvidconv from
 * L4T, or DeepStream's nvvideoconvert). VP8 first: the same codec as the
 * default software encoder. */
static GstElement *
build_nvidia_encoder (GstCaps *caps, const HsEncoderSettings *settings,
                      GError **error)
{
  static const char *const encoder_names[] = {
    "nvv4l2vp8enc", "nvv4l2vp9enc", NULL
  };
  static const char *const uploads[] = { "nvvidconv", "nvvideoconvert", NULL };
  const char *encoder = hs_variant_first_existing (encoder_names);
  const char *upload = hs_variant_first_existing (uploads);
  GstElement *elements[4] = { NULL };
  GstElement *enc;

  if (encoder == NULL) {
    g_set_error (error, HS_ERROR, HS_ERROR_MISSING_ELEMENT,
        "Encoder 'nvidia' needs GStreamer element 'nvv4l2vp8enc' or "
        "'nvv4l2vp9enc', which are missing: install %s",
        hs_packages_for_element ("nvv4l2vp8enc"));
    return NULL;
  }
  if (upload == NULL) {
    g_set_error (error, HS_ERROR, HS_ERROR_MISSING_ELEMENT,
        "Encoder 'nvidia' needs GStreamer element 'nvvidconv' (or "
        "'nvvideoconvert') to move frames into NVMM memory, which is "
        "missing: install %s", hs_packages_for_element ("nvvidconv"));
    return NULL;
  }

  elements[0] = hs_packages_make_element (upload, NULL, error);
  if (elements[0] == NULL)
    return NULL;
  elements[1] = make_capsfilter ("video/x-raw(memory:NVMM),format=I420");
  elements[2] = enc = hs_packages_make_element (encoder, NULL, error);
  if (enc == NULL) {
    drop_elements (elements);
    return NULL;
  }
  /* Property names of L4T's encoders; checked, as they vary by release. */
  if (has_property (enc, "bitrate"))
    g_object_set (enc, "bitrate", bitrate_for (caps, settings,
            VP8_BITS_PER_PIXEL), NULL);
  if (has_property (enc, "iframeinterval"))
    g_object_set (enc, "iframeinterval",
        (guint) keyframe_distance (caps, settings), NULL);
  return hs_variant_chain_bin ("hs-encode-nvidia", elements, error);
}

static const EncoderVariant encoders[] = {
  { "vp8", build_vp8 },
  { "vp9", build_vp9 },
  { "av1", build_av1 },
  { "nvidia", build_nvidia_encoder },
};

static GstCaps *
webm_video_caps (GError **error)
{
  g_autoptr(GstElement) mux = hs_packages_make_element ("webmmux", NULL, error);
  GstPadTemplate *templ;

  if (mux == NULL)
    return NULL;
  gst_object_ref_sink (mux);
  templ = gst_element_get_pad_template (mux, "video_%u");
  g_assert (templ != NULL);
  return gst_pad_template_get_caps (templ);
}

static GstElement *
make_encoder_description (const char *description, GError **error)
{
  g_autoptr(GstCaps) webm = NULL;
  g_autoptr(GstCaps) caps = NULL;
  g_autoptr(GstPad) pad = NULL;
  GstElement *bin;

  if (is_plain_word (description) && !factory_exists (description)) {
    if (hs_packages_for_element (description) != NULL) {
      hs_packages_check_element (description, error);
      g_prefix_error (error, "Encoder '%s': ", description);
    } else {
      g_set_error (error, HS_ERROR, HS_ERROR_INVALID_ARGUMENT,
          "Unknown encoder '%s': neither a variant (vp8, vp9, av1, nvidia) "
          "nor an installed GStreamer element; a description such as "
          "'vp9enc deadline=1 cpu-used=8' works too",
          description);
    }
    return NULL;
  }

  webm = webm_video_caps (error);
  if (webm == NULL)
    return NULL;
  bin = parse_description ("Encoder", description, error);
  if (bin == NULL)
    return NULL;

  pad = gst_element_get_static_pad (bin, "sink");
  if (!pad_can_do (pad, "video/x-raw", &caps)) {
    g_autofree char *names = caps_names (caps);

    g_set_error (error, HS_ERROR, HS_ERROR_NOT_NEGOTIATED,
        "Encoder description '%s' takes %s, not system-memory raw video "
        "(start it with an upload element such as nvvidconv ! "
        "video/x-raw(memory:NVMM))", description, names);
    drop_floating (bin);
    return NULL;
  }
  gst_clear_caps (&caps);
  gst_clear_object (&pad);

  pad = gst_element_get_static_pad (bin, "src");
  caps = gst_pad_query_caps (pad, NULL);
  if (!gst_caps_can_intersect (caps, webm)) {
    g_autofree char *names = caps_names (caps);
    g_autofree char *takes = caps_names (webm);

    g_set_error (error, HS_ERROR, HS_ERROR_NOT_NEGOTIATED,
        "Encoder description '%s' produces %s, which WebM cannot hold "
        "(it takes %s)", description, names, takes);
    drop_floating (bin);
    return NULL;
  }

  /* An AV1 encoder's output needs av1parse before webmmux (obu-stream). */
  if (gst_caps_get_size (caps) > 0 &&
      gst_structure_has_name (gst_caps_get_structure (caps, 0),
          "video/x-av1") && factory_exists ("av1parse")) {
    g_autoptr(GstPad) target = gst_ghost_pad_get_target (GST_GHOST_PAD (pad));
    GstElement *last = gst_pad_get_parent_element (target);
    GstElementFactory *factory = gst_element_get_factory (last);

    if (factory == NULL ||
        !g_str_equal (GST_OBJECT_NAME (factory), "av1parse")) {
      GstElement *parse = gst_element_factory_make ("av1parse", NULL);
      g_autoptr(GstPad) parse_src = gst_element_get_static_pad (parse, "src");

      gst_bin_add (GST_BIN (bin), parse);
      gst_ghost_pad_set_target (GST_GHOST_PAD (pad), NULL);
      gst_element_link (last, parse);
      gst_ghost_pad_set_target (GST_GHOST_PAD (pad), parse_src);
      GST_DEBUG ("added av1parse after '%s'", description);
    }
    gst_object_unref (last);
  }

  GST_INFO ("encoder from the description '%s'", description);
  return bin;
}

GstElement *
hs_variant_make_encoder (const char *encoder, GstCaps *caps,
                         const HsEncoderSettings *settings, GError **error)
{
  GstElement *enc;

  g_return_val_if_fail (settings != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);
  ensure_debug ();

  if (encoder == NULL)
    encoder = "vp8";
  for (guint i = 0; i < G_N_ELEMENTS (encoders); i++) {
    if (!g_str_equal (encoders[i].name, encoder))
      continue;
    enc = encoders[i].build (caps, settings, error);
    if (enc == NULL) {
      if (!g_str_equal (encoder, "nvidia"))
        g_prefix_error (error, "Encoder '%s': ", encoder);
      return NULL;
    }
    GST_INFO ("encoder %s for %" GST_PTR_FORMAT, encoder, caps);
    return enc;
  }
  return make_encoder_description (encoder, error);
}

/* ------------------------------------------------------------------------ */
/* Checks                                                                   */

gboolean
hs_variant_check_converter (const char *converter, GError **error)
{
  GstElement *element = hs_variant_make_converter (converter, error);

  if (element == NULL)
    return FALSE;
  drop_floating (element);
  return TRUE;
}

const char *
hs_variant_encoder_codec (const char *encoder)
{
  static const char *const nvidia[] = { "nvv4l2vp8enc", "nvv4l2vp9enc", NULL };

  if (encoder == NULL || g_str_equal (encoder, "vp8"))
    return "video/x-vp8";
  if (g_str_equal (encoder, "vp9"))
    return "video/x-vp9";
  if (g_str_equal (encoder, "av1"))
    return "video/x-av1";
  if (g_str_equal (encoder, "nvidia"))
    return g_strcmp0 (hs_variant_first_existing (nvidia), "nvv4l2vp9enc") == 0 ?
        "video/x-vp9" : "video/x-vp8";
  return NULL;
}

gboolean
hs_variant_check_encoder (const char *encoder, GError **error)
{
  HsEncoderSettings settings = { 0 };
  GstElement *element =
      hs_variant_make_encoder (encoder, NULL, &settings, error);

  if (element == NULL)
    return FALSE;
  drop_floating (element);
  return TRUE;
}
