/* Recording semantics, checked on the files written: every case decodes the
 * file and compares frame counts and timestamps with the window asked for.
 * Time is driven by non-live sources and trigger_at, never by sleeps.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "hs-test-util.h"

#include <gst/app/app.h>

#define MS (GST_MSECOND)
#define FRAME(k) ((GstClockTime) gst_util_uint64_scale ((k), GST_SECOND, 30))

/* 30 fps, non-live, as fast as the machine goes. */
#define TESTSRC \
  "videotestsrc ! video/x-raw,width=160,height=120,framerate=30/1 ! " \
  "tee name=t t. ! fakesink"

typedef HsTestRecorderFixture Fixture;

static void
start (Fixture *fx, const char *description, double pre, double post)
{
  fx->pipeline = hs_test_pipeline_new (description);
  fx->recorder = hs_test_make_recorder (fx, "t", pre, post, "%{index}.webm");
}

static HsRecording *
finished (Fixture *fx, guint i)
{
  g_assert_cmpuint (fx->f.finished->len, >, i);
  return fx->f.finished->pdata[i];
}

static void
assert_recording (HsRecording *r, guint64 n_frames, GstClockTime first,
                  GstClockTime last)
{
  g_assert_no_error ((GError *) hs_recording_get_error (r));
  g_assert_cmpuint (hs_recording_get_n_frames (r), ==, n_frames);
  g_assert_cmpuint (hs_recording_get_start_time (r), ==, first);
  g_assert_cmpuint (hs_recording_get_end_time (r), ==, last);
  /* What the recorder says must be what a player sees. */
  hs_test_assert_file (hs_recording_get_location (r), n_frames, first, last);
}

static void
test_single_window (Fixture *fx, gconstpointer data)
{
  HsRecording *r;

  start (fx, TESTSRC, 2, 2);
  hs_recorder_trigger_at (fx->recorder, 3 * GST_SECOND);
  g_assert_true (hs_recorder_get_busy (fx->recorder));
  hs_test_play (fx->pipeline);
  hs_test_fixture_wait_idle (&fx->f, fx->recorder);

  g_assert_cmpuint (fx->f.started->len, ==, 1);
  g_assert_cmpuint (fx->f.finished->len, ==, 1);
  r = finished (fx, 0);
  /* [1 s, 5 s): frames 30 .. 149 */
  assert_recording (r, 120, FRAME (30), FRAME (149));
  g_assert_cmpint (hs_recording_get_requested_start (r), ==, GST_SECOND);
  g_assert_cmpuint (hs_recording_get_shortfall (r), ==, 0);
  g_assert_cmpuint (hs_recording_get_duration (r), ==, 4 * GST_SECOND);
  g_assert_cmpstr (hs_recording_get_source (r), ==, "t");
  g_assert_cmpuint (hs_recording_get_index (r), ==, 1);
  g_assert_nonnull (hs_recording_get_date (r));
  g_assert_true (hs_recording_is_finished (r));
  g_assert_cmpuint (hs_recording_get_bytes (r), >, 0);
  g_assert_true (g_str_has_suffix (hs_recording_get_location (r), "/1.webm"));
}

static void
test_retrigger (Fixture *fx, gconstpointer data)
{
  start (fx, TESTSRC, 2, 2);
  hs_recorder_trigger_at (fx->recorder, 3 * GST_SECOND);
  hs_recorder_trigger_at (fx->recorder, 4 * GST_SECOND);
  hs_recorder_trigger_at (fx->recorder, 9 * GST_SECOND);
  hs_test_play (fx->pipeline);
  hs_test_fixture_wait_idle (&fx->f, fx->recorder);

  g_assert_cmpuint (fx->f.finished->len, ==, 2);
  /* 3 and 4 make one file [1 s, 6 s); 9 starts at max(7, 6): [7 s, 11 s) */
  assert_recording (finished (fx, 0), 150, FRAME (30), FRAME (179));
  assert_recording (finished (fx, 1), 120, FRAME (210), FRAME (329));
}

static void
test_trigger_in_post_window (Fixture *fx, gconstpointer data)
{
  start (fx, TESTSRC, 2, 2);
  /* The first window ends at 5 s; a trigger 50 ms before that end, in its
   * last frames, extends the same file to 6.95 s. */
  hs_recorder_trigger_at (fx->recorder, 3 * GST_SECOND);
  hs_recorder_trigger_at (fx->recorder, 4950 * MS);
  hs_test_play (fx->pipeline);
  hs_test_fixture_wait_idle (&fx->f, fx->recorder);

  g_assert_cmpuint (fx->f.finished->len, ==, 1);
  /* frames 30 .. 208 (208/30 = 6.933 s < 6.95 s <= 209/30) */
  assert_recording (finished (fx, 0), 179, FRAME (30), FRAME (208));
}

static void
test_rollover (Fixture *fx, gconstpointer data)
{
  HsRecording *a, *b, *c;

  start (fx, TESTSRC, 2, 2);
  g_object_set (fx->recorder, "max-duration", 1.5, NULL);
  hs_recorder_trigger_at (fx->recorder, 3 * GST_SECOND);
  hs_recorder_trigger_at (fx->recorder, 4 * GST_SECOND);
  hs_test_play (fx->pipeline);
  hs_test_fixture_wait_idle (&fx->f, fx->recorder);

  /* [1 s, 6 s) in files of at most 1.5 s: 45 + 45 + 45 + 15 frames, each
   * file starting with the frame right after the previous file's last. */
  g_assert_cmpuint (fx->f.finished->len, ==, 4);
  a = finished (fx, 0);
  b = finished (fx, 1);
  c = finished (fx, 2);
  assert_recording (a, 45, FRAME (30), FRAME (74));
  assert_recording (b, 45, FRAME (75), FRAME (119));
  assert_recording (c, 45, FRAME (120), FRAME (164));
  assert_recording (finished (fx, 3), 15, FRAME (165), FRAME (179));
  /* A continuation asks for exactly its first frame: no shortfall. */
  g_assert_cmpuint (hs_recording_get_shortfall (b), ==, 0);
  g_assert_cmpuint (hs_recording_get_index (c), ==, 3);
}

static void
test_tiling (Fixture *fx, gconstpointer data)
{
  HsRecording *second;

  start (fx, TESTSRC, 2, 2);
  /* [1 s, 5 s), then a trigger at 6 s whose window [4 s, 8 s) would
   * overlap: it starts at 5 s, where the first file ended. */
  hs_recorder_trigger_at (fx->recorder, 3 * GST_SECOND);
  hs_recorder_trigger_at (fx->recorder, 6 * GST_SECOND);
  hs_test_play (fx->pipeline);
  hs_test_fixture_wait_idle (&fx->f, fx->recorder);

  g_assert_cmpuint (fx->f.finished->len, ==, 2);
  assert_recording (finished (fx, 0), 120, FRAME (30), FRAME (149));
  second = finished (fx, 1);
  assert_recording (second, 90, FRAME (150), FRAME (239));
  g_assert_cmpint (hs_recording_get_requested_start (second), ==,
      5 * GST_SECOND);
  g_assert_cmpuint (hs_recording_get_shortfall (second), ==, 0);
}

static void
test_shortfall (Fixture *fx, gconstpointer data)
{
  HsRecording *r;

  start (fx, TESTSRC, 2, 2);
  /* 2 s before 1 s is before the pipeline started. */
  hs_recorder_trigger_at (fx->recorder, GST_SECOND);
  hs_test_play (fx->pipeline);
  hs_test_fixture_wait_idle (&fx->f, fx->recorder);

  g_assert_cmpuint (fx->f.finished->len, ==, 1);
  r = finished (fx, 0);
  assert_recording (r, 90, 0, FRAME (89));
  g_assert_cmpint (hs_recording_get_requested_start (r), ==, -GST_SECOND);
  g_assert_cmpuint (hs_recording_get_shortfall (r), ==, GST_SECOND);
}

static void
test_rebase (Fixture *fx, gconstpointer data)
{
  HsRecording *r;

  start (fx, TESTSRC, 1, 1);
  g_object_set (fx->recorder, "rebase-timestamps", TRUE, NULL);
  hs_recorder_trigger_at (fx->recorder, 3 * GST_SECOND);
  hs_test_play (fx->pipeline);
  hs_test_fixture_wait_idle (&fx->f, fx->recorder);

  r = finished (fx, 0);
  g_assert_cmpuint (hs_recording_get_start_time (r), ==, FRAME (60));
  hs_test_assert_file (hs_recording_get_location (r), 60, 0, FRAME (59));
}

/* A source whose frames come at irregular times, with framerate 0/1. */
#define APPSRC \
  "appsrc name=src format=time is-live=false max-bytes=0 " \
  "caps=video/x-raw,format=I420,width=64,height=48,framerate=0/1 ! " \
  "tee name=t t. ! fakesink"

static GstClockTime
irregular_time (guint k)
{
  /* 25 fps, then 10 fps, then 50 fps */
  if (k < 50)
    return k * 40 * MS;
  if (k < 70)
    return 2000 * MS + (k - 50) * 100 * MS;
  return 4000 * MS + (k - 70) * 20 * MS;
}

static void
push_frames (GstElement *pipeline, guint n, GstClockTime (*time) (guint),
             gboolean eos)
{
  g_autoptr(GstElement) src = gst_bin_get_by_name (GST_BIN (pipeline), "src");

  for (guint k = 0; k < n; k++) {
    GstBuffer *buffer = gst_buffer_new_allocate (NULL, 64 * 48 * 3 / 2, NULL);

    gst_buffer_memset (buffer, 0, (k * 7) & 0xff, 64 * 48 * 3 / 2);
    GST_BUFFER_PTS (buffer) = time (k);
    GST_BUFFER_DURATION (buffer) = time (k + 1) - time (k);
    g_assert_cmpint (gst_app_src_push_buffer (GST_APP_SRC (src), buffer), ==,
        GST_FLOW_OK);
  }
  if (eos)
    gst_app_src_end_of_stream (GST_APP_SRC (src));
}

static void
test_variable_framerate (Fixture *fx, gconstpointer data)
{
  guint first = G_MAXUINT, last = 0, n = 0;

  start (fx, APPSRC, 1, 1);
  /* window [2.5 s, 4.5 s) */
  hs_recorder_trigger_at (fx->recorder, 3500 * MS);
  push_frames (fx->pipeline, 200, irregular_time, TRUE);
  hs_test_play (fx->pipeline);
  hs_test_fixture_wait_idle (&fx->f, fx->recorder);

  for (guint k = 0; k < 200; k++) {
    if (irregular_time (k) >= 2500 * MS && irregular_time (k) < 4500 * MS) {
      first = MIN (first, k);
      last = k;
      n++;
    }
  }
  g_assert_cmpuint (fx->f.finished->len, ==, 1);
  /* 10 fps frames from 2.5 s to 4 s, then 50 fps frames to 4.5 s */
  g_assert_cmpuint (n, ==, 15 + 25);
  assert_recording (finished (fx, 0), n, irregular_time (first),
      irregular_time (last));
}

static void
test_source_eos (Fixture *fx, gconstpointer data)
{
  HsRecording *r;

  /* 120 frames: the source ends at 4 s, inside the window [1 s, 5 s). */
  start (fx, "videotestsrc num-buffers=120 ! "
      "video/x-raw,width=160,height=120,framerate=30/1 ! tee name=t "
      "t. ! fakesink", 2, 2);
  hs_recorder_trigger_at (fx->recorder, 3 * GST_SECOND);
  hs_test_play (fx->pipeline);
  hs_test_fixture_wait_idle (&fx->f, fx->recorder);

  g_assert_cmpuint (fx->f.finished->len, ==, 1);
  r = finished (fx, 0);
  assert_recording (r, 90, FRAME (30), FRAME (119));
}

static GstClockTime
regular_time (guint k)
{
  return FRAME (k);
}

static void
test_stall (Fixture *fx, gconstpointer data)
{
  HsRecording *r;
  const GError *error;
  gint64 began;

  start (fx, APPSRC, 1, 0.5);
  /* Window [1.5 s, 3 s); the source pushes up to 2 s, then nothing. */
  hs_recorder_trigger_at (fx->recorder, 2500 * MS);
  push_frames (fx->pipeline, 60, regular_time, FALSE);
  hs_test_play (fx->pipeline);
  began = g_get_monotonic_time ();
  hs_test_fixture_wait_idle (&fx->f, fx->recorder);

  /* Closed after about post seconds without a frame, not never. */
  g_assert_cmpint (g_get_monotonic_time () - began, <, 5 * G_USEC_PER_SEC);
  g_assert_cmpuint (fx->f.finished->len, ==, 1);
  r = finished (fx, 0);
  error = hs_recording_get_error (r);
  g_assert_error ((GError *) error, HS_ERROR, HS_ERROR_SOURCE);
  g_assert_nonnull (strstr (error->message, "stalled"));
  /* The file is complete up to the last frame that came: 1.5 s .. 1.967 s */
  hs_test_assert_file (hs_recording_get_location (r), 15, FRAME (45),
      FRAME (59));
}

static void
test_two_recorders_one_tee (Fixture *fx, gconstpointer data)
{
  g_autoptr(HsRecorder) other = NULL;
  HsRecording *a = NULL, *b = NULL;

  start (fx, TESTSRC, 2, 2);
  other = hs_test_make_recorder (fx, "t", 1, 1, "other-%{index}.webm");
  hs_recorder_trigger_at (fx->recorder, 3 * GST_SECOND);
  hs_recorder_trigger_at (other, 3 * GST_SECOND);
  hs_test_play (fx->pipeline);
  hs_test_fixture_wait_idle (&fx->f, fx->recorder);
  hs_test_fixture_wait_idle (&fx->f, other);

  g_assert_cmpuint (fx->f.finished->len, ==, 2);
  for (guint i = 0; i < 2; i++) {
    HsRecording *r = finished (fx, i);

    if (strstr (hs_recording_get_location (r), "other-"))
      b = r;
    else
      a = r;
  }
  g_assert_nonnull (a);
  g_assert_nonnull (b);
  assert_recording (a, 120, FRAME (30), FRAME (149));
  assert_recording (b, 60, FRAME (60), FRAME (119));
}

static gboolean
position_past (gpointer data)
{
  gpointer *args = data;
  gint64 position = 0;

  gst_element_query_position (args[0], GST_FORMAT_TIME, &position);
  return position >= GPOINTER_TO_INT (args[1]) * GST_MSECOND;
}

static guint
count_src_pads (GstElement *element)
{
  guint n;

  GST_OBJECT_LOCK (element);
  n = element->numsrcpads;
  GST_OBJECT_UNLOCK (element);
  return n;
}

static void
test_detach_while_playing (Fixture *fx, gconstpointer data)
{
  g_autoptr(GstElement) tee = NULL;
  g_autoptr(GstBus) bus = NULL;
  g_autoptr(GstMessage) error = NULL;
  gpointer args[2];

  /* Runs at the clock's pace, so the branch goes away mid-stream. */
  fx->pipeline = hs_test_pipeline_new ("videotestsrc is-live=true ! "
      "video/x-raw,width=160,height=120,framerate=30/1 ! tee name=t "
      "t. ! fakesink sync=true");
  tee = gst_bin_get_by_name (GST_BIN (fx->pipeline), "t");
  hs_test_play (fx->pipeline);
  args[0] = fx->pipeline;
  args[1] = GINT_TO_POINTER (200);
  hs_test_fixture_run_until (&fx->f, position_past, args);

  /* Attached while playing, then detached while playing. */
  fx->recorder = hs_test_make_recorder (fx, "t", 1, 1, "%{index}.webm");
  g_assert_cmpuint (count_src_pads (tee), ==, 2);
  args[1] = GINT_TO_POINTER (500);
  hs_test_fixture_run_until (&fx->f, position_past, args);
  g_assert_cmpuint (hs_ring_buffer_get_n_samples (
          hs_recorder_get_ring_buffer (fx->recorder)), >, 0);

  hs_recorder_detach (fx->recorder);
  args[1] = GINT_TO_POINTER (800);
  hs_test_fixture_run_until (&fx->f, position_past, args);
  g_assert_cmpuint (count_src_pads (tee), ==, 1);

  /* A trigger on a detached recorder is harmless. */
  hs_recorder_trigger (fx->recorder);
  g_assert_false (hs_recorder_get_busy (fx->recorder));

  bus = gst_element_get_bus (fx->pipeline);
  error = gst_bus_pop_filtered (bus, GST_MESSAGE_ERROR);
  g_assert_null (error);
  g_assert_cmpuint (fx->f.finished->len, ==, 0);
}

static void
test_no_such_tee (Fixture *fx, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(HsRecorder) recorder = NULL;

  fx->pipeline = hs_test_pipeline_new ("videotestsrc ! tee name=cam0 ! "
      "fakesink videotestsrc ! tee name=cam1 ! fakesink");
  recorder = hs_recorder_new (fx->pipeline, "cam2", &error);
  g_assert_null (recorder);
  g_assert_error (error, HS_ERROR, HS_ERROR_NO_SUCH_TEE);
  g_assert_nonnull (strstr (error->message, "'cam2'"));
  g_assert_nonnull (strstr (error->message, "cam0, cam1"));
  g_clear_error (&error);

  /* An element that exists but is no tee is refused the same way. */
  recorder = hs_recorder_new (fx->pipeline, "fakesink0", &error);
  g_assert_null (recorder);
  g_assert_error (error, HS_ERROR, HS_ERROR_NO_SUCH_TEE);
}

static void
test_unwritable_location (Fixture *fx, gconstpointer data)
{
  g_autofree char *blocker = hs_test_fixture_path (&fx->f, "not-a-folder");
  g_autofree char *bad = g_build_filename (blocker, "%{index}.webm", NULL);
  g_autofree char *good = hs_test_fixture_path (&fx->f, "good-%{index}.webm");
  g_autoptr(GstBus) bus = NULL;
  g_autoptr(GstMessage) message = NULL;
  HsRecording *failed;

  /* A regular file where a folder should be: no one can write there, root
   * included. */
  g_assert_true (g_file_set_contents (blocker, "x", 1, NULL));
  start (fx, TESTSRC, 1, 1);
  g_object_set (fx->recorder, "location", bad, NULL);
  hs_recorder_trigger_at (fx->recorder, 2 * GST_SECOND);
  hs_test_play (fx->pipeline);
  hs_test_fixture_wait_idle (&fx->f, fx->recorder);

  g_assert_cmpuint (fx->f.finished->len, ==, 1);
  failed = finished (fx, 0);
  g_assert_error ((GError *) hs_recording_get_error (failed), HS_ERROR,
      HS_ERROR_CANNOT_WRITE);
  g_assert_nonnull (strstr (hs_recording_get_error (failed)->message,
          "not-a-folder"));
  g_assert_cmpuint (fx->f.started->len, ==, 0);

  /* The source kept running, and the next trigger records fine. */
  bus = gst_element_get_bus (fx->pipeline);
  message = gst_bus_pop_filtered (bus, GST_MESSAGE_ERROR);
  g_assert_null (message);
  g_object_set (fx->recorder, "location", good, NULL);
  hs_recorder_trigger_at (fx->recorder, 6 * GST_SECOND);
  hs_test_fixture_wait_idle (&fx->f, fx->recorder);
  g_assert_cmpuint (fx->f.finished->len, ==, 2);
  assert_recording (finished (fx, 1), 60, FRAME (150), FRAME (209));
}

static void
test_never_overwrite (Fixture *fx, gconstpointer data)
{
  g_autofree char *existing = hs_test_fixture_path (&fx->f, "clip.webm");
  g_autofree char *second = hs_test_fixture_path (&fx->f, "clip-1.webm");
  g_autofree char *third = hs_test_fixture_path (&fx->f, "clip-2.webm");
  g_autofree char *contents = NULL;

  g_assert_true (g_file_set_contents (existing, "keep", 4, NULL));
  fx->pipeline = hs_test_pipeline_new (TESTSRC);
  fx->recorder = hs_test_make_recorder (fx, "t", 1, 1, "sub/../clip.webm");
  hs_recorder_trigger_at (fx->recorder, 2 * GST_SECOND);
  hs_recorder_trigger_at (fx->recorder, 5 * GST_SECOND);
  hs_test_play (fx->pipeline);
  hs_test_fixture_wait_idle (&fx->f, fx->recorder);

  g_assert_cmpuint (fx->f.finished->len, ==, 2);
  g_assert_true (g_file_get_contents (existing, &contents, NULL, NULL));
  g_assert_cmpstr (contents, ==, "keep");
  hs_test_assert_file (second, 60, FRAME (30), FRAME (89));
  hs_test_assert_file (third, 60, FRAME (120), FRAME (179));
}

static char *
name_by_callback (HsRecorder *recorder, HsRecording *recording,
                  gpointer user_data)
{
  HsTestFixture *f = user_data;
  g_autofree char *name = g_strdup_printf ("cb-%s-%u.webm",
      hs_recording_get_source (recording), hs_recording_get_index (recording));

  return hs_test_fixture_path (f, name);
}

static void
test_location_func (Fixture *fx, gconstpointer data)
{
  g_autofree char *expected = hs_test_fixture_path (&fx->f, "cb-t-1.webm");

  start (fx, TESTSRC, 1, 1);
  hs_recorder_set_location_func (fx->recorder, name_by_callback, &fx->f, NULL);
  hs_recorder_trigger_at (fx->recorder, 2 * GST_SECOND);
  hs_test_play (fx->pipeline);
  hs_test_fixture_wait_idle (&fx->f, fx->recorder);

  g_assert_cmpstr (hs_recording_get_location (finished (fx, 0)), ==, expected);
  hs_test_assert_file (expected, 60, FRAME (30), FRAME (89));
}

static void
test_not_video (Fixture *fx, gconstpointer data)
{
  HsRecording *r;
  g_autoptr(GstBus) bus = NULL;
  g_autoptr(GstMessage) message = NULL;

  start (fx, "audiotestsrc num-buffers=200 ! tee name=t t. ! fakesink", 1, 1);
  hs_recorder_trigger_at (fx->recorder, GST_SECOND);
  hs_test_play (fx->pipeline);
  hs_test_fixture_wait_idle (&fx->f, fx->recorder);

  g_assert_cmpuint (fx->f.finished->len, ==, 1);
  r = finished (fx, 0);
  g_assert_error ((GError *) hs_recording_get_error (r), HS_ERROR,
      HS_ERROR_NOT_NEGOTIATED);
  g_assert_nonnull (strstr (hs_recording_get_error (r)->message, "audio/x-raw"));
  g_assert_null (hs_recording_get_location (r));
  /* The user's pipeline did not get an error from the recorder's branch. */
  bus = gst_element_get_bus (fx->pipeline);
  message = gst_bus_pop_filtered (bus, GST_MESSAGE_ERROR);
  g_assert_null (message);
}

/* An overlay in front of the tee must be drawn into the frames, not handed
 * on as metadata the ring (and the user's other branches) would lose. */
static void
test_overlay_drawn (Fixture *fx, gconstpointer data)
{
  g_autoptr(GstElement) tee = NULL;
  g_autoptr(GstPad) pad = NULL;
  g_autoptr(GstCaps) caps = NULL;
  GstCapsFeatures *features;

  if (!hs_test_require_elements ("timeoverlay", NULL))
    return;
  start (fx, "videotestsrc ! video/x-raw,width=160,height=120,framerate=30/1 "
      "! timeoverlay ! tee name=t t. ! fakesink", 0.5, 0.5);
  hs_recorder_trigger_at (fx->recorder, GST_SECOND);
  hs_test_play (fx->pipeline);
  hs_test_fixture_wait_idle (&fx->f, fx->recorder);

  assert_recording (finished (fx, 0), 30, FRAME (15), FRAME (44));
  tee = gst_bin_get_by_name (GST_BIN (fx->pipeline), "t");
  pad = gst_element_get_static_pad (tee, "sink");
  caps = gst_pad_get_current_caps (pad);
  features = gst_caps_get_features (caps, 0);
  g_assert_false (features != NULL && gst_caps_features_contains (features,
          "meta:GstVideoOverlayComposition"));
}

static char *
tee_format (Fixture *fx)
{
  g_autoptr(GstElement) tee = gst_bin_get_by_name (GST_BIN (fx->pipeline), "t");
  g_autoptr(GstPad) pad = gst_element_get_static_pad (tee, "sink");
  g_autoptr(GstCaps) caps = gst_pad_get_current_caps (pad);

  g_assert_nonnull (caps);
  return g_strdup (gst_structure_get_string (gst_caps_get_structure (caps, 0),
          "format"));
}

/* A source free to choose its format is steered to one the ring converts
 * cheaply (videotestsrc alone would pick 16-bit RGBA), and a format another
 * branch asks for is never overruled. */
static void
test_format_choice (Fixture *fx, gconstpointer data)
{
  const char *branch = data;
  g_autofree char *description = g_strdup_printf ("videotestsrc ! "
      "video/x-raw,width=160,height=120,framerate=30/1 ! tee name=t t. ! %s",
      branch);
  g_autofree char *format = NULL;

  start (fx, description, 0.5, 0.5);
  hs_recorder_trigger_at (fx->recorder, GST_SECOND);
  hs_test_play (fx->pipeline);
  hs_test_fixture_wait_idle (&fx->f, fx->recorder);

  assert_recording (finished (fx, 0), 30, FRAME (15), FRAME (44));
  format = tee_format (fx);
  if (strstr (branch, "format=") != NULL)
    g_assert_nonnull (strstr (branch, format));
  else
    g_assert_cmpstr (format, ==, "I420");
}

/* A recorder attached to a playing pipeline leaves the format alone: a
 * switch would go through every branch of the tee, mid-stream. */
static void
test_format_kept (Fixture *fx, gconstpointer data)
{
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;
  gpointer args[2];

  fx->pipeline = hs_test_pipeline_new ("videotestsrc ! "
      "video/x-raw,width=160,height=120,framerate=30/1 ! tee name=t "
      "t. ! fakesink sync=true");
  hs_test_play (fx->pipeline);
  args[0] = fx->pipeline;
  args[1] = GINT_TO_POINTER (200);
  hs_test_fixture_run_until (&fx->f, position_past, args);
  before = tee_format (fx);

  fx->recorder = hs_test_make_recorder (fx, "t", 0.5, 0.5, "%{index}.webm");
  hs_recorder_trigger_at (fx->recorder, 2 * GST_SECOND);
  hs_test_fixture_wait_idle (&fx->f, fx->recorder);

  assert_recording (finished (fx, 0), 30, FRAME (45), FRAME (74));
  after = tee_format (fx);
  g_assert_cmpstr (after, ==, before);
}

static void
test_stop (Fixture *fx, gconstpointer data)
{
  HsRecording *r;

  start (fx, "videotestsrc is-live=true ! "
      "video/x-raw,width=160,height=120,framerate=30/1 ! tee name=t "
      "t. ! fakesink sync=true", 0.2, 30);
  hs_test_play (fx->pipeline);
  hs_recorder_trigger (fx->recorder);
  g_assert_true (hs_recorder_get_busy (fx->recorder));
  {
    gpointer args[2] = { fx->pipeline, GINT_TO_POINTER (600) };
    hs_test_fixture_run_until (&fx->f, position_past, args);
  }
  hs_recorder_stop (fx->recorder);
  hs_test_fixture_wait_idle (&fx->f, fx->recorder);

  g_assert_cmpuint (fx->f.finished->len, ==, 1);
  r = finished (fx, 0);
  g_assert_no_error ((GError *) hs_recording_get_error (r));
  g_assert_cmpuint (hs_recording_get_n_frames (r), >, 3);
  hs_test_assert_file (hs_recording_get_location (r),
      hs_recording_get_n_frames (r), hs_recording_get_start_time (r),
      hs_recording_get_end_time (r));
}

static void
add (const char *path, void (*func) (Fixture *, gconstpointer))
{
  hs_test_add_recorder_test (path, NULL, func);
}

int
main (int argc, char **argv)
{
  gst_init (&argc, &argv);
  g_test_init (&argc, &argv, NULL);

  add ("/recorder/window/single", test_single_window);
  add ("/recorder/window/retrigger", test_retrigger);
  add ("/recorder/window/trigger-in-post-window", test_trigger_in_post_window);
  add ("/recorder/window/rollover", test_rollover);
  add ("/recorder/window/tiling", test_tiling);
  add ("/recorder/window/shortfall", test_shortfall);
  add ("/recorder/window/rebase", test_rebase);
  add ("/recorder/window/variable-framerate", test_variable_framerate);
  add ("/recorder/source/eos", test_source_eos);
  add ("/recorder/source/stall", test_stall);
  add ("/recorder/source/not-video", test_not_video);
  add ("/recorder/source/overlay-drawn", test_overlay_drawn);
  hs_test_add_recorder_test ("/recorder/source/format/free", "fakesink",
      test_format_choice);
  add ("/recorder/source/format/kept-when-attached", test_format_kept);
  hs_test_add_recorder_test ("/recorder/source/format/asked",
      "video/x-raw,format=RGBA ! fakesink", test_format_choice);
  add ("/recorder/two-on-one-tee", test_two_recorders_one_tee);
  add ("/recorder/detach-while-playing", test_detach_while_playing);
  add ("/recorder/stop", test_stop);
  add ("/recorder/error/no-such-tee", test_no_such_tee);
  add ("/recorder/error/unwritable-location", test_unwritable_location);
  add ("/recorder/location/never-overwrite", test_never_overwrite);
  add ("/recorder/location/callback", test_location_func);

  return g_test_run ();
}
