/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "hs-test-plugin.h"

#include <gst/video/video.h>

typedef struct {
  GstBin parent_instance;
  GstElement *encoder;
  guint bitrate;
  guint iframeinterval;
} HsTestNvEncoder;

typedef struct {
  GstBinClass parent_class;
  const HsTestNvEncoderInfo *info;
} HsTestNvEncoderClass;

static GType hs_test_nv_encoder_get_type (void);
G_DEFINE_ABSTRACT_TYPE (HsTestNvEncoder, hs_test_nv_encoder, GST_TYPE_BIN)

#define HS_TEST_NV_ENCODER(obj) ((HsTestNvEncoder *) (obj))
#define HS_TEST_NV_ENCODER_GET_CLASS(obj) \
  (G_TYPE_INSTANCE_GET_CLASS ((obj), hs_test_nv_encoder_get_type (), \
      HsTestNvEncoderClass))

enum
{
  PROP_0,
  PROP_BITRATE,
  PROP_IFRAMEINTERVAL,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
apply (HsTestNvEncoder *self)
{
  if (self->encoder == NULL)
    return;
  g_object_set (self->encoder,
      "target-bitrate", (int) MIN (self->bitrate, G_MAXINT),
      "keyframe-max-dist", (int) MIN (self->iframeinterval, G_MAXINT),
      NULL);
}

static void
hs_test_nv_encoder_set_property (GObject *object, guint prop_id,
                                 const GValue *value, GParamSpec *pspec)
{
  HsTestNvEncoder *self = HS_TEST_NV_ENCODER (object);

  switch (prop_id) {
    case PROP_BITRATE:
      self->bitrate = g_value_get_uint (value);
      break;
    case PROP_IFRAMEINTERVAL:
      self->iframeinterval = g_value_get_uint (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
      return;
  }
  apply (self);
}

static void
hs_test_nv_encoder_get_property (GObject *object, guint prop_id,
                                 GValue *value, GParamSpec *pspec)
{
  HsTestNvEncoder *self = HS_TEST_NV_ENCODER (object);

  switch (prop_id) {
    case PROP_BITRATE:
      g_value_set_uint (value, self->bitrate);
      break;
    case PROP_IFRAMEINTERVAL:
      g_value_set_uint (value, self->iframeinterval);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
      break;
  }
}

/* Built here, not in init: only now is the class the registered subclass
 * that knows which encoder to wrap. */
static void
hs_test_nv_encoder_constructed (GObject *object)
{
  HsTestNvEncoder *self = HS_TEST_NV_ENCODER (object);
  GstElementClass *klass = GST_ELEMENT_GET_CLASS (object);
  const HsTestNvEncoderInfo *info = HS_TEST_NV_ENCODER_GET_CLASS (self)->info;
  GstElement *download = gst_element_factory_make ("hstestnvmmdownload", NULL);
  g_autoptr(GstPad) sink = NULL;
  g_autoptr(GstPad) src = NULL;
  gboolean linked;

  G_OBJECT_CLASS (hs_test_nv_encoder_parent_class)->constructed (object);

  self->encoder = gst_element_factory_make (info->encoder, NULL);
  g_assert (download != NULL && self->encoder != NULL);
  g_object_set (self->encoder, "deadline", (gint64) 1, "cpu-used", 8,
      "lag-in-frames", 0, "end-usage", 1 /* cbr */, NULL);
  apply (self);
  gst_bin_add_many (GST_BIN (self), download, self->encoder, NULL);
  linked = gst_element_link (download, self->encoder);
  g_assert (linked);

  sink = gst_element_get_static_pad (download, "sink");
  src = gst_element_get_static_pad (self->encoder, "src");
  gst_element_add_pad (GST_ELEMENT (self), gst_ghost_pad_new_from_template
      ("sink", sink, gst_element_class_get_pad_template (klass, "sink")));
  gst_element_add_pad (GST_ELEMENT (self), gst_ghost_pad_new_from_template
      ("src", src, gst_element_class_get_pad_template (klass, "src")));
}

static void
hs_test_nv_encoder_class_init (HsTestNvEncoderClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->set_property = hs_test_nv_encoder_set_property;
  object_class->get_property = hs_test_nv_encoder_get_property;
  object_class->constructed = hs_test_nv_encoder_constructed;

  /* Names, types and defaults of L4T's encoders. */
  properties[PROP_BITRATE] =
      g_param_spec_uint ("bitrate", "Bitrate", "Target bitrate in bit/s",
      0, G_MAXUINT, 4000000, G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS);
  properties[PROP_IFRAMEINTERVAL] =
      g_param_spec_uint ("iframeinterval", "I-frame interval",
      "Frames between keyframes", 0, G_MAXUINT, 30,
      G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
hs_test_nv_encoder_init (HsTestNvEncoder *self)
{
  self->bitrate = 4000000;
  self->iframeinterval = 30;
}

static void
hs_test_nv_encoder_subclass_init (gpointer g_class, gpointer class_data)
{
  HsTestNvEncoderClass *klass = g_class;
  GstElementClass *element_class = GST_ELEMENT_CLASS (g_class);
  const HsTestNvEncoderInfo *info = class_data;
  g_autoptr(GstCaps) sink = gst_caps_from_string
      ("video/x-raw(memory:NVMM), format = (string) { I420, NV12 }, "
      "width = (int) [ 1, 32768 ], height = (int) [ 1, 32768 ], "
      "framerate = (fraction) [ 0, max ]");
  g_autoptr(GstCaps) src = gst_caps_from_string (info->caps);

  klass->info = info;
  gst_element_class_add_pad_template (element_class,
      gst_pad_template_new ("sink", GST_PAD_SINK, GST_PAD_ALWAYS, sink));
  gst_element_class_add_pad_template (element_class,
      gst_pad_template_new ("src", GST_PAD_SRC, GST_PAD_ALWAYS, src));
  gst_element_class_set_static_metadata (element_class, info->description,
      "Codec/Encoder/Video", info->description, "hindsight tests");
}

gboolean
hs_test_nv_encoder_register (GstPlugin *plugin, const char *name,
                             gconstpointer data)
{
  GTypeInfo type_info = {
    .class_size = sizeof (HsTestNvEncoderClass),
    .class_init = hs_test_nv_encoder_subclass_init,
    .class_data = data,
    .instance_size = sizeof (HsTestNvEncoder),
  };
  g_autofree char *type_name = g_strconcat ("HsTestStandIn-", name, NULL);
  GType type = g_type_from_name (type_name);

  if (type == 0)
    type = g_type_register_static (hs_test_nv_encoder_get_type (), type_name,
        &type_info, 0);
  return gst_element_register (plugin, name, GST_RANK_NONE, type);
}
