/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "hs-test-plugin.h"

#include <gst/video/video.h>

#define FORMATS "{ I420, YV12, NV12, NV21, RGBA, BGRA, RGBx, BGRx, YUY2, " \
  "UYVY, GRAY8 }"

typedef struct {
  GstVideoFilter parent_instance;
  GstVideoConverter *convert;
} HsTestMemory;

typedef struct {
  GstVideoFilterClass parent_class;
  const HsTestMemoryInfo *info;
} HsTestMemoryClass;

static GType hs_test_memory_get_type (void);
G_DEFINE_ABSTRACT_TYPE (HsTestMemory, hs_test_memory, GST_TYPE_VIDEO_FILTER)

#define HS_TEST_MEMORY(obj) ((HsTestMemory *) (obj))
#define HS_TEST_MEMORY_GET_CLASS(obj) \
  (G_TYPE_INSTANCE_GET_CLASS ((obj), hs_test_memory_get_type (), \
      HsTestMemoryClass))

static gboolean
has_feature (GstCapsFeatures *features, const char *const *list)
{
  if (features == NULL || gst_caps_features_is_any (features))
    return TRUE;
  for (guint i = 0; list[i] != NULL; i++)
    if (gst_caps_features_contains (features, list[i]))
      return TRUE;
  return FALSE;
}

static void
append_with_feature (GstCaps *caps, const GstStructure *s,
                     const char *feature, gboolean converts)
{
  GstStructure *copy = gst_structure_copy (s);

  if (converts)
    gst_structure_remove_fields (copy, "format", "colorimetry", "chroma-site",
        NULL);
  gst_caps_append_structure_full (caps, copy,
      gst_caps_features_new (feature, NULL));
}

/* Each input structure in one of the memory types of this side becomes one
 * structure per memory type of the other side, the same type first. */
static GstCaps *
hs_test_memory_transform_caps (GstBaseTransform *trans,
                               GstPadDirection direction, GstCaps *caps,
                               GstCaps *filter)
{
  const HsTestMemoryInfo *info = HS_TEST_MEMORY_GET_CLASS (trans)->info;
  const char *const *from = direction == GST_PAD_SINK ?
      info->sink_features : info->src_features;
  const char *const *to = direction == GST_PAD_SINK ?
      info->src_features : info->sink_features;
  GstCaps *result = gst_caps_new_empty ();

  for (guint i = 0; i < gst_caps_get_size (caps); i++) {
    const GstStructure *s = gst_caps_get_structure (caps, i);
    GstCapsFeatures *features = gst_caps_get_features (caps, i);

    if (!has_feature (features, from))
      continue;
    for (guint j = 0; to[j] != NULL; j++)
      if (features != NULL && gst_caps_features_contains (features, to[j]))
        append_with_feature (result, s, to[j], info->converts);
    for (guint j = 0; to[j] != NULL; j++)
      if (features == NULL || !gst_caps_features_contains (features, to[j]))
        append_with_feature (result, s, to[j], info->converts);
  }
  result = gst_caps_simplify (result);

  if (filter != NULL) {
    GstCaps *filtered = gst_caps_intersect_full (filter, result,
        GST_CAPS_INTERSECT_FIRST);

    gst_caps_unref (result);
    result = filtered;
  }
  GST_DEBUG_OBJECT (trans, "%s %" GST_PTR_FORMAT " -> %" GST_PTR_FORMAT,
      direction == GST_PAD_SINK ? "sink" : "src", caps, result);
  return result;
}

static gboolean
hs_test_memory_set_info (GstVideoFilter *filter, GstCaps *incaps,
                         GstVideoInfo *in_info, GstCaps *outcaps,
                         GstVideoInfo *out_info)
{
  HsTestMemory *self = HS_TEST_MEMORY (filter);
  const HsTestMemoryInfo *info = HS_TEST_MEMORY_GET_CLASS (filter)->info;

  g_clear_pointer (&self->convert, gst_video_converter_free);
  if (GST_VIDEO_INFO_FORMAT (in_info) == GST_VIDEO_INFO_FORMAT (out_info))
    return TRUE;
  if (!info->converts)
    return FALSE;
  self->convert = gst_video_converter_new (in_info, out_info, NULL);
  return self->convert != NULL;
}

static GstFlowReturn
hs_test_memory_transform_frame (GstVideoFilter *filter, GstVideoFrame *in,
                                GstVideoFrame *out)
{
  HsTestMemory *self = HS_TEST_MEMORY (filter);

  if (self->convert != NULL)
    gst_video_converter_frame (self->convert, in, out);
  else if (!gst_video_frame_copy (out, in))
    return GST_FLOW_ERROR;
  return GST_FLOW_OK;
}

static void
hs_test_memory_finalize (GObject *object)
{
  HsTestMemory *self = HS_TEST_MEMORY (object);

  g_clear_pointer (&self->convert, gst_video_converter_free);
  G_OBJECT_CLASS (hs_test_memory_parent_class)->finalize (object);
}

static void
hs_test_memory_class_init (HsTestMemoryClass *klass)
{
  GstBaseTransformClass *trans_class = GST_BASE_TRANSFORM_CLASS (klass);
  GstVideoFilterClass *filter_class = GST_VIDEO_FILTER_CLASS (klass);

  G_OBJECT_CLASS (klass)->finalize = hs_test_memory_finalize;
  trans_class->transform_caps = hs_test_memory_transform_caps;
  trans_class->passthrough_on_same_caps = TRUE;
  filter_class->set_info = hs_test_memory_set_info;
  filter_class->transform_frame = hs_test_memory_transform_frame;
}

static void
hs_test_memory_init (HsTestMemory *self)
{
}

static GstCaps *
template_caps (const char *const *features)
{
  GstCaps *caps = gst_caps_new_empty ();

  for (guint i = 0; features[i] != NULL; i++) {
    GstCaps *one = gst_caps_from_string (GST_VIDEO_CAPS_MAKE (FORMATS));

    gst_caps_set_features (one, 0, gst_caps_features_new (features[i], NULL));
    gst_caps_append (caps, one);
  }
  return caps;
}

static void
hs_test_memory_subclass_init (gpointer g_class, gpointer class_data)
{
  HsTestMemoryClass *klass = g_class;
  GstElementClass *element_class = GST_ELEMENT_CLASS (g_class);
  const HsTestMemoryInfo *info = class_data;
  g_autoptr(GstCaps) sink = template_caps (info->sink_features);
  g_autoptr(GstCaps) src = template_caps (info->src_features);

  klass->info = info;
  gst_element_class_add_pad_template (element_class,
      gst_pad_template_new ("sink", GST_PAD_SINK, GST_PAD_ALWAYS, sink));
  gst_element_class_add_pad_template (element_class,
      gst_pad_template_new ("src", GST_PAD_SRC, GST_PAD_ALWAYS, src));
  gst_element_class_set_static_metadata (element_class, info->description,
      "Filter/Converter/Video", info->description, "hindsight tests");
}

gboolean
hs_test_memory_register (GstPlugin *plugin, const char *name,
                         gconstpointer data)
{
  GTypeInfo type_info = {
    .class_size = sizeof (HsTestMemoryClass),
    .class_init = hs_test_memory_subclass_init,
    .class_data = data,
    .instance_size = sizeof (HsTestMemory),
  };
  g_autofree char *type_name = g_strconcat ("HsTestStandIn-", name, NULL);
  GType type = g_type_from_name (type_name);

  if (type == 0)
    type = g_type_register_static (hs_test_memory_get_type (), type_name,
        &type_info, 0);
  return gst_element_register (plugin, name, GST_RANK_NONE, type);
}
