/* Encoded mode: the ring holds encoded frames and recordings remux them.
 * Windows follow raw mode's semantics, except that a file starts at the
 * keyframe at or before the window's start: never later than asked, at most
 * one keyframe interval earlier. Every file is decoded to check it.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "hs-test-util.h"

#define FRAME(k) ((GstClockTime) gst_util_uint64_scale ((k), GST_SECOND, 30))

#define TESTSRC \
  "videotestsrc ! video/x-raw,width=160,height=120,framerate=30/1 ! " \
  "tee name=t t. ! fakesink"

typedef HsTestRecorderFixture Fixture;

static void
setup (Fixture *fx, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *location = NULL;

  hs_test_fixture_setup (&fx->f, data);
  location = hs_test_fixture_path (&fx->f, "%{index}.webm");
  fx->pipeline = hs_test_pipeline_new (TESTSRC);
  fx->recorder = g_initable_new (HS_TYPE_RECORDER, NULL, &error,
      "pipeline", fx->pipeline, "source", "t", "pre", 2.0, "post", 2.0,
      "mode", HS_RECORDER_MODE_ENCODED, "keyframe-interval", 1.0,
      "location", location, NULL);
  g_assert_no_error (error);
  hs_test_fixture_watch (&fx->f, fx->recorder);
}

static void
run (Fixture *fx)
{
  hs_test_play (fx->pipeline);
  hs_test_fixture_wait_idle (&fx->f, fx->recorder);
}

static HsRecording *
finished (Fixture *fx, guint i)
{
  g_assert_cmpuint (fx->f.finished->len, >, i);
  return fx->f.finished->pdata[i];
}

/* Decodes the file of @r: it starts with a keyframe at or up to one second
 * before @requested, ends with the frame before @end, every frame decodes,
 * and the recording's figures match the file. Returns the first frame's
 * index. */
static guint
assert_encoded (HsRecording *r, GstClockTime requested, guint last)
{
  g_auto(HsTestFileInfo) info = { 0 };
  g_autoptr(GError) error = NULL;
  guint first;

  g_assert_no_error ((GError *) hs_recording_get_error (r));
  g_assert_true (hs_test_probe_file (hs_recording_get_location (r), &info,
          &error));
  g_assert_no_error (error);
  g_assert_cmpstr (info.codec, ==, "video/x-vp8");
  g_assert_true (info.starts_with_keyframe);

  /* never later than asked, at most one keyframe interval earlier */
  g_assert_cmpuint (info.first_pts, <=, requested);
  g_assert_cmpuint (info.first_pts + GST_SECOND, >=, requested);
  first = (guint) gst_util_uint64_scale_round (info.first_pts, 30, GST_SECOND);

  g_assert_cmpuint (info.n_frames, ==, last - first + 1);
  g_assert_cmpuint (info.n_frames, ==, hs_recording_get_n_frames (r));
  g_assert_cmpuint (hs_recording_get_start_time (r), ==, FRAME (first));
  g_assert_cmpuint (hs_recording_get_end_time (r), ==, FRAME (last));
  hs_test_assert_file (hs_recording_get_location (r), last - first + 1,
      FRAME (first), FRAME (last));
  return first;
}

static void
test_window (Fixture *fx, gconstpointer data)
{
  HsRecording *r;

  /* window [1.5 s, 5.5 s): starts at a keyframe in [0.5 s, 1.5 s] */
  hs_recorder_trigger_at (fx->recorder, 3500 * GST_MSECOND);
  run (fx);

  g_assert_cmpuint (fx->f.finished->len, ==, 1);
  r = finished (fx, 0);
  assert_encoded (r, 1500 * GST_MSECOND, 164);
  g_assert_cmpint (hs_recording_get_requested_start (r), ==,
      1500 * GST_MSECOND);
  g_assert_cmpuint (hs_recording_get_shortfall (r), ==, 0);
}

static void
test_retrigger (Fixture *fx, gconstpointer data)
{
  hs_recorder_trigger_at (fx->recorder, 3 * GST_SECOND);
  hs_recorder_trigger_at (fx->recorder, 4 * GST_SECOND);
  hs_recorder_trigger_at (fx->recorder, 9 * GST_SECOND);
  run (fx);

  g_assert_cmpuint (fx->f.finished->len, ==, 2);
  assert_encoded (finished (fx, 0), GST_SECOND, 179);
  /* 7 s is after the first file's end (6 s): starts at or before 7 s but
   * never inside the first file. */
  g_assert_cmpuint (assert_encoded (finished (fx, 1), 7 * GST_SECOND, 329),
      >=, 180);
}

static void
test_tiling (Fixture *fx, gconstpointer data)
{
  guint first;

  /* [1 s, 5 s), then a window that would start at 4 s starts at 5 s */
  hs_recorder_trigger_at (fx->recorder, 3 * GST_SECOND);
  hs_recorder_trigger_at (fx->recorder, 6 * GST_SECOND);
  run (fx);

  g_assert_cmpuint (fx->f.finished->len, ==, 2);
  assert_encoded (finished (fx, 0), GST_SECOND, 149);
  first = assert_encoded (finished (fx, 1), 5 * GST_SECOND, 239);
  /* no frame twice; a keyframe was asked for at 5 s, so no gap either */
  g_assert_cmpuint (first, >=, 150);
}

static void
test_rollover (Fixture *fx, gconstpointer data)
{
  guint expected_first = 0, total = 0;

  g_object_set (fx->recorder, "max-duration", 1.5, NULL);
  hs_recorder_trigger_at (fx->recorder, 3 * GST_SECOND);
  hs_recorder_trigger_at (fx->recorder, 4 * GST_SECOND);
  run (fx);

  /* [1 s, 6 s) cut at keyframes: each file starts with a keyframe right
   * after the previous file's last frame; together they hold every frame. */
  g_assert_cmpuint (fx->f.finished->len, >=, 3);
  for (guint i = 0; i < fx->f.finished->len; i++) {
    HsRecording *r = finished (fx, i);
    GstClockTime start = hs_recording_get_start_time (r);
    guint first = (guint) gst_util_uint64_scale_round (start, 30, GST_SECOND);
    guint last = (guint) gst_util_uint64_scale_round (
        hs_recording_get_end_time (r), 30, GST_SECOND);

    if (i > 0)
      g_assert_cmpuint (first, ==, expected_first);
    g_assert_cmpuint (assert_encoded (r, start, last), ==, first);
    /* a file may run past the cap only up to the next keyframe */
    if (i + 1 < fx->f.finished->len)
      g_assert_cmpuint (hs_recording_get_duration (r), <=,
          1500 * GST_MSECOND + GST_SECOND);
    expected_first = last + 1;
    total += last - first + 1;
  }
  g_assert_cmpuint (expected_first, ==, 180);
  g_assert_cmpuint (total, ==, 180 - (guint) gst_util_uint64_scale_round (
          hs_recording_get_start_time (finished (fx, 0)), 30, GST_SECOND));
}

static void
test_ring_holds_whole_gops (Fixture *fx, gconstpointer data)
{
  HsRingBuffer *ring = hs_recorder_get_ring_buffer (fx->recorder);
  g_autoptr(GPtrArray) samples = NULL;
  GstBuffer *first;

  hs_recorder_trigger_at (fx->recorder, 5 * GST_SECOND);
  run (fx);

  /* Whatever the ring holds starts with a keyframe. */
  samples = hs_ring_buffer_get_samples (ring, 0, GST_CLOCK_TIME_NONE);
  g_assert_cmpuint (samples->len, >, 0);
  first = gst_sample_get_buffer (samples->pdata[0]);
  g_assert_false (GST_BUFFER_FLAG_IS_SET (first, GST_BUFFER_FLAG_DELTA_UNIT));
  g_assert_true (gst_structure_has_name (gst_caps_get_structure (
              gst_sample_get_caps (samples->pdata[0]), 0), "video/x-vp8"));
}

static void
add (const char *path, void (*func) (Fixture *, gconstpointer))
{
  g_test_add (path, Fixture, NULL, setup, func,
      hs_test_recorder_fixture_teardown);
}

int
main (int argc, char **argv)
{
  gst_init (&argc, &argv);
  g_test_init (&argc, &argv, NULL);

  add ("/encoded/window/single", test_window);
  add ("/encoded/window/retrigger", test_retrigger);
  add ("/encoded/window/tiling", test_tiling);
  add ("/encoded/window/rollover", test_rollover);
  add ("/encoded/ring/whole-gops", test_ring_holds_whole_gops);

  return g_test_run ();
}
