/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include "hs-auto-converter-private.h"

#include "hs-packages-private.h"
#include "hs-variant-private.h"

GST_DEBUG_CATEGORY_STATIC (hs_auto_converter_debug);
#define GST_CAT_DEFAULT hs_auto_converter_debug

struct _HsAutoConverter
{
  GstBin parent_instance;

  GstPad *sinkpad;
  GstPad *srcpad;
  GstCaps *accepted;            /* immutable after construction */

  /* streaming thread only */
  const HsConverterVariant *variant;
  GstElement *child;
};

G_DEFINE_FINAL_TYPE_WITH_CODE (HsAutoConverter, hs_auto_converter,
    GST_TYPE_BIN,
    GST_DEBUG_CATEGORY_INIT (hs_auto_converter_debug, "hindsight-variant", 0,
        "hindsight converter and encoder variants"))

static const HsConverterVariant *
variant_for_caps (GstCaps *caps)
{
  GstCapsFeatures *features = gst_caps_get_features (caps, 0);
  const HsConverterVariant *variant = hs_variant_find_converter ("cpu");
  guint n;
  const HsConverterVariant *converters = hs_variant_get_converters (&n);
  const char *missing;

  for (guint i = 0; i < n; i++)
    if (features != NULL && gst_caps_features_contains (features,
            converters[i].feature) && !g_str_equal (converters[i].name, "cpu"))
      variant = &converters[i];
  missing = hs_variant_converter_missing (variant);
  if (missing != NULL) {
    GST_WARNING ("the tee carries %" GST_PTR_FORMAT " but %s is missing "
        "(install %s): falling back to cpu", caps, missing,
        hs_packages_for_element (missing));
    variant = hs_variant_find_converter ("cpu");
  }
  return variant;
}

static gboolean
use_variant (HsAutoConverter *self, const HsConverterVariant *variant)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GstPad) sink = NULL;
  g_autoptr(GstPad) src = NULL;
  GstElement *child;

  child = variant->build (&error);
  if (child == NULL && !g_str_equal (variant->name, "cpu")) {
    GST_WARNING_OBJECT (self, "cannot build converter %s (%s): falling back "
        "to cpu", variant->name, error->message);
    g_clear_error (&error);
    variant = hs_variant_find_converter ("cpu");
    child = variant->build (&error);
  }
  if (child == NULL) {
    GST_ERROR_OBJECT (self, "cannot build a converter: %s", error->message);
    return FALSE;
  }

  if (self->child != NULL) {
    GST_INFO_OBJECT (self, "memory type changed: replacing %s",
        self->variant->name);
    gst_ghost_pad_set_target (GST_GHOST_PAD (self->sinkpad), NULL);
    gst_ghost_pad_set_target (GST_GHOST_PAD (self->srcpad), NULL);
    gst_element_set_locked_state (self->child, TRUE);
    gst_element_set_state (self->child, GST_STATE_NULL);
    gst_bin_remove (GST_BIN (self), self->child);
    self->child = NULL;
  }

  gst_bin_add (GST_BIN (self), child);
  sink = gst_element_get_static_pad (child, "sink");
  src = gst_element_get_static_pad (child, "src");
  gst_ghost_pad_set_target (GST_GHOST_PAD (self->sinkpad), sink);
  gst_ghost_pad_set_target (GST_GHOST_PAD (self->srcpad), src);
  gst_element_sync_state_with_parent (child);
  self->child = child;
  self->variant = variant;
  GST_INFO_OBJECT (self, "using converter %s (%s)", variant->name,
      GST_OBJECT_NAME (child));
  return TRUE;
}

static GstPadProbeReturn
on_auto_sink (GstPad *pad, GstPadProbeInfo *info, gpointer user_data)
{
  HsAutoConverter *self = user_data;

  if (info->type & GST_PAD_PROBE_TYPE_QUERY_DOWNSTREAM) {
    GstQuery *query = GST_PAD_PROBE_INFO_QUERY (info);

    if (GST_QUERY_TYPE (query) == GST_QUERY_CAPS) {
      GstCaps *filter;
      g_autoptr(GstCaps) result = NULL;

      gst_query_parse_caps (query, &filter);
      result = filter ? gst_caps_intersect_full (filter, self->accepted,
          GST_CAPS_INTERSECT_FIRST) : gst_caps_ref (self->accepted);
      gst_query_set_caps_result (query, result);
      return GST_PAD_PROBE_HANDLED;
    }
    if (GST_QUERY_TYPE (query) == GST_QUERY_ACCEPT_CAPS) {
      GstCaps *caps;

      gst_query_parse_accept_caps (query, &caps);
      gst_query_set_accept_caps_result (query,
          gst_caps_is_subset (caps, self->accepted));
      return GST_PAD_PROBE_HANDLED;
    }
    return GST_PAD_PROBE_OK;
  }

  if (info->type & GST_PAD_PROBE_TYPE_EVENT_DOWNSTREAM) {
    GstEvent *event = GST_PAD_PROBE_INFO_EVENT (info);
    GstCaps *caps;
    const HsConverterVariant *variant;

    /* A stream that ends before any caps (caps the ring branch refused)
     * still has to reach the sink, or the pipeline never posts EOS. */
    if (GST_EVENT_TYPE (event) == GST_EVENT_EOS && self->child == NULL)
      use_variant (self, hs_variant_find_converter ("cpu"));
    if (GST_EVENT_TYPE (event) != GST_EVENT_CAPS)
      return GST_PAD_PROBE_OK;
    gst_event_parse_caps (event, &caps);
    variant = variant_for_caps (caps);
    GST_DEBUG_OBJECT (self, "caps %" GST_PTR_FORMAT ": converter %s", caps,
        variant->name);
    if (variant != self->variant && !use_variant (self, variant))
      return GST_PAD_PROBE_DROP;
  }
  return GST_PAD_PROBE_OK;
}

static void
hs_auto_converter_finalize (GObject *object)
{
  HsAutoConverter *self = HS_AUTO_CONVERTER (object);

  gst_clear_caps (&self->accepted);
  G_OBJECT_CLASS (hs_auto_converter_parent_class)->finalize (object);
}

static void
hs_auto_converter_class_init (HsAutoConverterClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = hs_auto_converter_finalize;
}

static void
hs_auto_converter_init (HsAutoConverter *self)
{
  self->sinkpad = gst_ghost_pad_new_no_target ("sink", GST_PAD_SINK);
  self->srcpad = gst_ghost_pad_new_no_target ("src", GST_PAD_SRC);
  gst_pad_add_probe (self->sinkpad, GST_PAD_PROBE_TYPE_EVENT_DOWNSTREAM |
      GST_PAD_PROBE_TYPE_QUERY_DOWNSTREAM, on_auto_sink, self, NULL);
  gst_element_add_pad (GST_ELEMENT (self), self->sinkpad);
  gst_element_add_pad (GST_ELEMENT (self), self->srcpad);
  self->accepted = gst_caps_new_empty ();
}

GstElement *
hs_auto_converter_new (void)
{
  HsAutoConverter *self = g_object_new (HS_TYPE_AUTO_CONVERTER,
      "name", "hs-convert-auto", NULL);
  guint n;
  const HsConverterVariant *converters = hs_variant_get_converters (&n);

  for (guint i = 0; i < n; i++) {
    const char *missing = hs_variant_converter_missing (&converters[i]);

    if (missing == NULL) {
      self->accepted = gst_caps_merge (self->accepted,
          gst_caps_from_string (converters[i].memory));
    } else {
      GST_INFO ("auto converter: %s is missing (install %s): %s frames "
          "will not be recorded, %s", missing, hs_packages_for_element (missing),
          converters[i].memory, g_str_equal (converters[i].name, "cpu") ?
          "nor any other" : "the cpu converter takes the rest");
    }
  }
  GST_DEBUG ("auto converter takes %" GST_PTR_FORMAT, self->accepted);
  return GST_ELEMENT (self);
}
