/* The encoder settings each variant applies: bitrate scaled with the
 * resolution unless set, keyframe distance from seconds, threads, realtime
 * modes. Checked on the elements built, without running them.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <gst/gst.h>

#include "hs-variant-private.h"

/* 640x480 at 30 fps: 9.216 Mpixel/s */
#define VGA "video/x-raw,format=I420,width=640,height=480,framerate=30/1"

static GstElement *
build (const char *encoder, const char *caps_string,
       const HsEncoderSettings *settings)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GstCaps) caps = gst_caps_from_string (caps_string);
  GstElement *element = hs_variant_make_encoder (encoder, caps, settings,
      &error);

  g_assert_no_error (error);
  g_assert_nonnull (element);
  return gst_object_ref_sink (element);
}

/* The element made by @factory in @element (itself or a child). */
static GstElement *
find (GstElement *element, const char *factory)
{
  GstElementFactory *f = gst_element_get_factory (element);

  if (f != NULL && g_str_equal (GST_OBJECT_NAME (f), factory))
    return gst_object_ref (element);
  if (GST_IS_BIN (element)) {
    g_autoptr(GstIterator) it = gst_bin_iterate_recurse (GST_BIN (element));
    GValue item = G_VALUE_INIT;
    GstElement *found = NULL;

    while (found == NULL && gst_iterator_next (it, &item) == GST_ITERATOR_OK) {
      GstElement *child = g_value_get_object (&item);

      f = gst_element_get_factory (child);
      if (f != NULL && g_str_equal (GST_OBJECT_NAME (f), factory))
        found = gst_object_ref (child);
      g_value_reset (&item);
    }
    g_value_unset (&item);
    return found;
  }
  return NULL;
}

static void
test_vp8_scaled (void)
{
  HsEncoderSettings settings = { 0 };
  g_autoptr(GstElement) enc = build ("vp8", VGA, &settings);
  int bitrate, distance;
  gint64 deadline;

  g_object_get (enc, "target-bitrate", &bitrate, "keyframe-max-dist",
      &distance, "deadline", &deadline, NULL);
  /* 0.08 bit per pixel: 737280, which vp8enc keeps in kbit/s */
  g_assert_cmpint (bitrate / 1000, ==, 737);
  g_assert_cmpint (distance, ==, 60);           /* 2 s */
  g_assert_cmpint (deadline, ==, 1);            /* realtime */
}

static void
test_vp8_settings (void)
{
  HsEncoderSettings settings = {
    .bitrate = 500000, .keyframe_interval = 0.5, .threads = 3
  };
  g_autoptr(GstElement) enc = build ("vp8", VGA, &settings);
  int bitrate, distance, threads;

  g_object_get (enc, "target-bitrate", &bitrate, "keyframe-max-dist",
      &distance, "threads", &threads, NULL);
  g_assert_cmpint (bitrate, ==, 500000);
  g_assert_cmpint (distance, ==, 15);
  g_assert_cmpint (threads, ==, 3);
}

/* By default one thread per 1280x720 of picture, at most one per core and
 * four: more make libvpx's workers spin-wait. */
static void
test_vp8_default_threads (void)
{
  HsEncoderSettings settings = { 0 };
  int expected_big = (int) MIN (3, MIN (4, g_get_num_processors ()));
  g_autoptr(GstElement) small = build ("vp8", VGA, &settings);
  g_autoptr(GstElement) big = build ("vp8",
      "video/x-raw,format=I420,width=1920,height=1080,framerate=30/1",
      &settings);
  int threads;

  g_object_get (small, "threads", &threads, NULL);
  g_assert_cmpint (threads, ==, 1);
  g_object_get (big, "threads", &threads, NULL);
  g_assert_cmpint (threads, ==, expected_big);
}

static void
test_vp9 (void)
{
  HsEncoderSettings settings = { .keyframe_interval = 1 };
  g_autoptr(GstElement) enc = build ("vp9", VGA, &settings);
  g_autoptr(GstElement) vp9 = find (enc, "vp9enc");
  int bitrate, distance, lag;
  gboolean row_mt;
  gint64 deadline;

  g_assert_nonnull (vp9);
  g_object_get (vp9, "target-bitrate", &bitrate, "keyframe-max-dist",
      &distance, "row-mt", &row_mt, "deadline", &deadline,
      "lag-in-frames", &lag, NULL);
  /* 0.06 bit per pixel: 552960, which vp9enc keeps in kbit/s */
  g_assert_cmpint (bitrate / 1000, ==, 552);
  g_assert_cmpint (distance, ==, 30);
  g_assert_true (row_mt);
  g_assert_cmpint (deadline, ==, 1);
  g_assert_cmpint (lag, ==, 0);
}

static void
test_av1 (void)
{
  HsEncoderSettings settings = { .threads = 2 };
  g_autoptr(GstElement) enc = build ("av1", VGA, &settings);
  g_autoptr(GstElement) av1 = find (enc, "av1enc");
  g_autoptr(GstElement) parse = find (enc, "av1parse");
  guint bitrate, threads, max_q;
  int distance, usage, end_usage;

  g_assert_nonnull (av1);
  g_assert_nonnull (parse);
  g_object_get (av1, "target-bitrate", &bitrate, "keyframe-max-dist",
      &distance, "usage-profile", &usage, "end-usage", &end_usage,
      "threads", &threads, "max-quantizer", &max_q, NULL);
  g_assert_cmpuint (bitrate, ==, 460);          /* kbit/s, 0.05 bpp */
  g_assert_cmpint (distance, ==, 60);
  g_assert_cmpint (usage, ==, 1);               /* realtime */
  g_assert_cmpint (end_usage, ==, 1);           /* cbr */
  g_assert_cmpuint (threads, ==, 2);
  g_assert_cmpuint (max_q, >, 0);
}

/* With the stand-ins of the test environment. */
static void
test_nvidia (void)
{
  HsEncoderSettings settings = { .bitrate = 2000000, .keyframe_interval = 4 };
  g_autoptr(GstElementFactory) stand_in =
      gst_element_factory_find ("nvv4l2vp8enc");
  g_autoptr(GstElement) enc = NULL;
  g_autoptr(GstElement) nv = NULL;
  guint bitrate, interval;

  if (stand_in == NULL) {
    g_test_skip ("no nvv4l2vp8enc (stand-in) here");
    return;
  }
  enc = build ("nvidia", VGA, &settings);
  nv = find (enc, "nvv4l2vp8enc");
  g_assert_nonnull (nv);
  g_object_get (nv, "bitrate", &bitrate, "iframeinterval", &interval, NULL);
  g_assert_cmpuint (bitrate, ==, 2000000);
  g_assert_cmpuint (interval, ==, 120);
}

static void
test_no_caps (void)
{
  HsEncoderSettings settings = { 0 };

  /* Checked before the caps are known. */
  g_assert_true (hs_variant_check_encoder ("vp8", NULL));
  g_assert_true (hs_variant_check_encoder ("vp9", NULL));
  g_assert_true (hs_variant_check_encoder ("av1", NULL));
  g_assert_true (hs_variant_check_encoder (NULL, NULL));
  gst_object_unref (build ("vp8", "video/x-raw", &settings));
}

static void
test_converters (void)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (hs_variant_check_converter ("auto", &error));
  g_assert_true (hs_variant_check_converter (NULL, &error));
  g_assert_true (hs_variant_check_converter ("cpu", &error));
  g_assert_true (hs_variant_check_converter ("videoconvert ! videoflip "
          "method=rotate-180", &error));
  g_assert_no_error (error);
  g_assert_false (hs_variant_check_converter ("videoconvert videoconvert",
          &error));
  g_assert_nonnull (error);
}

int
main (int argc, char **argv)
{
  gst_init (&argc, &argv);
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/variant-settings/vp8/scaled", test_vp8_scaled);
  g_test_add_func ("/variant-settings/vp8/set", test_vp8_settings);
  g_test_add_func ("/variant-settings/vp8/default-threads",
      test_vp8_default_threads);
  g_test_add_func ("/variant-settings/vp9", test_vp9);
  g_test_add_func ("/variant-settings/av1", test_av1);
  g_test_add_func ("/variant-settings/nvidia", test_nvidia);
  g_test_add_func ("/variant-settings/no-caps", test_no_caps);
  g_test_add_func ("/variant-settings/converters", test_converters);

  return g_test_run ();
}
