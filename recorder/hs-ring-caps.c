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
