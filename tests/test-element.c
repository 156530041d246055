/* The hindsightrecorder element, in pipelines made by gst_parse_launch():
 * every way to trigger it, what it reports (its messages against the
 * decoded files), EOS, two elements in one pipeline, and the element inside
 * bins that other tools build. Time is driven by non-live sources and
 * running times given in advance, except where "now" is the point.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "hs-test-util.h"

#include <glib/gstdio.h>

#define FRAME(k) ((GstClockTime) gst_util_uint64_scale ((k), GST_SECOND, 30))

/* 30 fps, non-live, as fast as the machine goes. The recorder's branch is
 * written after "t. ! queue ! ". */
#define TESTSRC(n) \
  "videotestsrc name=src num-buffers=" #n " ! " \
  "video/x-raw,width=160,height=120,framerate=30/1 ! " \
  "tee name=t t. ! queue ! fakesink t. ! queue ! "

/* Whether the recorder of an element has taken the triggers given so far:
 * it became busy (notified on the element's own thread). */
typedef struct {
  GMutex lock;
  GCond cond;
  gboolean busy;
} BusyWait;

typedef struct {
  HsTestFixture f;
  BusyWait busy;                /* watch_busy() */
  GstElement *pipeline;
  GPtrArray *messages;          /* GstMessage, as the bus gave them */
  gint64 deadline;              /* the watchdog, monotonic µs */
} Fixture;

static void
fixture_setup (Fixture *fx, gconstpointer data)
{
  hs_test_fixture_setup (&fx->f, data);
  fx->messages = g_ptr_array_new_with_free_func (
      (GDestroyNotify) gst_message_unref);
  fx->deadline = g_get_monotonic_time () + fx->f.timeout_s * G_USEC_PER_SEC;
  g_mutex_init (&fx->busy.lock);
  g_cond_init (&fx->busy.cond);
}

static void
fixture_teardown (Fixture *fx, gconstpointer data)
{
  if (fx->pipeline != NULL)
    gst_element_set_state (fx->pipeline, GST_STATE_NULL);
  gst_clear_object (&fx->pipeline);
  g_clear_pointer (&fx->messages, g_ptr_array_unref);
  g_cond_clear (&fx->busy.cond);
  g_mutex_clear (&fx->busy.lock);
  hs_test_fixture_teardown (&fx->f, data);
}

#define add_test(path, func) \
  g_test_add ((path), Fixture, NULL, fixture_setup, (func), fixture_teardown)

/* The pipeline of @description, where each "@" stands for the test's
 * folder. */
static GstElement *
launch (Fixture *fx, const char *description)
{
  g_auto(GStrv) parts = g_strsplit (description, "@", -1);
  g_autofree char *full = g_strjoinv (fx->f.tmpdir, parts);

  fx->pipeline = hs_test_pipeline_new (full);
  return fx->pipeline;
}

static GstElement *
element (Fixture *fx, const char *name)
{
  GstElement *e = gst_bin_get_by_name (GST_BIN (fx->pipeline), name);

  g_assert_nonnull (e);
  gst_object_unref (e);         /* the pipeline holds it */
  return e;
}

static void
set_state (Fixture *fx, GstState state)
{
  g_assert_cmpint (gst_element_set_state (fx->pipeline, state), !=,
      GST_STATE_CHANGE_FAILURE);
  g_assert_cmpint (gst_element_get_state (fx->pipeline, NULL, NULL,
          GST_CLOCK_TIME_NONE), !=, GST_STATE_CHANGE_FAILURE);
}

static void G_GNUC_NORETURN
fail_on_error (GstMessage *message)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *debug = NULL;

  gst_message_parse_error (message, &error, &debug);
  g_error ("error from %s: %s (%s)", GST_MESSAGE_SRC_NAME (message),
      error->message, debug ? debug : "");
}

/* Collects the bus's messages until one of @type comes (returned, owned by
 * the fixture); an error fails the test, and so does the watchdog. */
static GstMessage *
wait_message (Fixture *fx, GstMessageType type)
{
  g_autoptr(GstBus) bus = gst_element_get_bus (fx->pipeline);

  for (;;) {
    gint64 left = fx->deadline - g_get_monotonic_time ();
    GstMessage *message;

    if (left <= 0)
      g_error ("watchdog: no %s within %u s", gst_message_type_get_name (type),
          fx->f.timeout_s);
    message = gst_bus_timed_pop (bus, left * GST_USECOND);
    if (message == NULL)
      continue;
    g_ptr_array_add (fx->messages, message);
    if (GST_MESSAGE_TYPE (message) == GST_MESSAGE_ERROR &&
        !(type & GST_MESSAGE_ERROR))
      fail_on_error (message);
    if (GST_MESSAGE_TYPE (message) & type)
      return message;
  }
}

static void
play_to_eos (Fixture *fx)
{
  set_state (fx, GST_STATE_PLAYING);
  wait_message (fx, GST_MESSAGE_EOS);
}

static gboolean
is_report (GstMessage *message, const char *name, const char *source)
{
  const GstStructure *s = gst_message_get_structure (message);

  return GST_MESSAGE_TYPE (message) == GST_MESSAGE_ELEMENT &&
      gst_structure_has_name (s, name) &&
      (source == NULL || g_str_equal (GST_MESSAGE_SRC_NAME (message), source));
}

/* The element messages called @name from the element @source (NULL: any),
 * in the order they came. */
static GPtrArray *
reports (Fixture *fx, const char *name, const char *source)
{
  GPtrArray *found = g_ptr_array_new ();

  for (guint i = 0; i < fx->messages->len; i++)
    if (is_report (fx->messages->pdata[i], name, source))
      g_ptr_array_add (found,
          (gpointer) gst_message_get_structure (fx->messages->pdata[i]));
  return found;
}

static guint
count_reports (Fixture *fx, const char *name, const char *source)
{
  g_autoptr(GPtrArray) found = reports (fx, name, source);

  return found->len;
}

/* Collects messages until @source has posted @n reports called @name. */
static void
wait_reports (Fixture *fx, const char *name, const char *source, guint n)
{
  while (count_reports (fx, name, source) < n)
    wait_message (fx, GST_MESSAGE_ELEMENT);
}

static guint
index_of (Fixture *fx, GstMessage *message)
{
  guint i;

  g_assert_true (g_ptr_array_find (fx->messages, message, &i));
  return i;
}

static void
assert_close (const char *what, GstClockTime got, GstClockTime want,
              GstClockTime tolerance)
{
  GstClockTimeDiff diff = GST_CLOCK_DIFF (want, got);

  if (ABS (diff) > (GstClockTimeDiff) tolerance)
    g_error ("%s is %" GST_TIME_FORMAT ", expected %" GST_TIME_FORMAT, what,
        GST_TIME_ARGS (got), GST_TIME_ARGS (want));
}

/* A live source's frames lie on the 30 fps grid shifted by when its first
 * frame came (a frame or more on a loaded or sanitized build): the window
 * [@start, ...) begins with the first frame at or after @start. */
static void
assert_starts_at (const HsTestFileInfo *info, GstClockTime start)
{
  if (info->first_pts < start || info->first_pts >= start + GST_SECOND / 30)
    g_error ("first frame at %" GST_TIME_FORMAT ", expected within a frame "
        "from %" GST_TIME_FORMAT, GST_TIME_ARGS (info->first_pts),
        GST_TIME_ARGS (start));
}

/* Every frame of a live 30 fps source from the first to the last. */
static void
assert_contiguous (const HsTestFileInfo *info)
{
  for (guint i = 1; i < info->pts->len; i++)
    assert_close ("frame step", g_array_index (info->pts, GstClockTime, i) -
        g_array_index (info->pts, GstClockTime, i - 1), GST_SECOND / 30,
        GST_SECOND / 60);
}

/* What a finished message says is what a player sees in the file. */
static void
assert_report_matches_file (const GstStructure *s)
{
  const char *location = gst_structure_get_string (s, "location");
  g_auto(HsTestFileInfo) info = { 0 };
  g_autoptr(GError) error = NULL;
  GStatBuf st;
  guint64 n_frames = hs_test_field_u64 (s, "n-frames");
  GstClockTime start = hs_test_field_u64 (s, "start-time");
  GstClockTime end = hs_test_field_u64 (s, "end-time");
  GstClockTime last_duration;

  g_assert_cmpstr (gst_structure_get_string (s, "error"), ==, NULL);
  g_assert_nonnull (location);
  if (!hs_test_probe_file (location, &info, &error))
    g_error ("%s", error->message);
  g_assert_cmpuint (info.n_frames, ==, n_frames);
  /* WebM keeps milliseconds. */
  assert_close ("start-time", start, info.first_pts, GST_MSECOND);
  assert_close ("end-time", end, info.last_pts, GST_MSECOND);
  last_duration = hs_test_field_u64 (s, "duration") - (end - start);
  assert_close ("the last frame's duration", last_duration, GST_SECOND / 30,
      GST_MSECOND);
  g_assert_cmpint (g_stat (location, &st), ==, 0);
  g_assert_cmpuint (hs_test_field_u64 (s, "bytes"), ==, (guint64) st.st_size);
}

/* A finished message of a file holding frames @first .. @last of 30 fps,
 * decoded, with nothing dropped. */
static void
assert_window (const GstStructure *s, guint first, guint last)
{
  const char *location = gst_structure_get_string (s, "location");

  hs_test_assert_file (location, last - first + 1, FRAME (first),
      FRAME (last));
  assert_report_matches_file (s);
  g_assert_cmpuint (hs_test_field_u64 (s, "n-dropped"), ==, 0);
}

static const GstStructure *
only_report (Fixture *fx, const char *name, const char *source)
{
  g_autoptr(GPtrArray) found = reports (fx, name, source);

  g_assert_cmpuint (found->len, ==, 1);
  return found->pdata[0];
}

static void
on_busy (GObject *rec, GParamSpec *pspec, gpointer user_data)
{
  BusyWait *w = user_data;
  gboolean busy;

  g_object_get (rec, "busy", &busy, NULL);
  g_mutex_lock (&w->lock);
  w->busy = w->busy || busy;
  g_cond_signal (&w->cond);
  g_mutex_unlock (&w->lock);
}

/* Watches the busy property of @rec (until teardown). */
static void
watch_busy (Fixture *fx, GstElement *rec)
{
  g_signal_connect (rec, "notify::busy", G_CALLBACK (on_busy), &fx->busy);
}

/* Waits until the watched element's recorder has taken the triggers given
 * so far. */
static void
wait_taken (Fixture *fx)
{
  BusyWait *w = &fx->busy;

  g_mutex_lock (&w->lock);
  while (!w->busy)
    if (!g_cond_wait_until (&w->cond, &w->lock, fx->deadline))
      g_error ("watchdog: the recorder never took the trigger");
  g_mutex_unlock (&w->lock);
}

/* ------------------------------------------------------------------------ */

static void
test_trigger_times (Fixture *fx, gconstpointer data)
{
  g_autoptr(GPtrArray) started = NULL;
  g_autoptr(GPtrArray) finished = NULL;
  GstMessage *eos;

  launch (fx, TESTSRC (360) "hindsightrecorder name=rec pre=1 post=1 "
      "trigger-times=<3.0,9> location=@/%{source}-%{index}.webm");
  play_to_eos (fx);
  eos = fx->messages->pdata[fx->messages->len - 1];

  started = reports (fx, "hindsight-recording-started", "rec");
  finished = reports (fx, "hindsight-recording-finished", "rec");
  g_assert_cmpuint (started->len, ==, 2);
  g_assert_cmpuint (finished->len, ==, 2);
  /* [2 s, 4 s) and [8 s, 10 s) */
  assert_window (finished->pdata[0], 60, 119);
  assert_window (finished->pdata[1], 240, 299);
  g_assert_cmpstr (gst_structure_get_string (finished->pdata[0], "source"),
      ==, "rec");
  g_assert_true (g_str_has_suffix (gst_structure_get_string (
              finished->pdata[0], "location"), "/rec-1.webm"));
  g_assert_cmpstr (gst_structure_get_string (started->pdata[1], "location"),
      ==, gst_structure_get_string (finished->pdata[1], "location"));
  g_assert_true (gst_structure_has_field_typed (started->pdata[0], "date",
          GST_TYPE_DATE_TIME));
  g_assert_cmpuint (GST_MESSAGE_TYPE (eos), ==, GST_MESSAGE_EOS);
}

/* A camera's H.264 through the element: recorded as it is, from the
 * keyframe at or before the window's start. */
static void
test_passthrough (Fixture *fx, gconstpointer data)
{
  g_autoptr(GPtrArray) finished = NULL;
  g_auto(HsTestFileInfo) info = { 0 };
  g_autoptr(GError) error = NULL;
  const char *location;

  launch (fx, "videotestsrc num-buffers=150 ! video/x-raw,format=I420,"
      "width=160,height=120,framerate=30/1 ! x264enc key-int-max=30 "
      "tune=zerolatency speed-preset=ultrafast ! h264parse ! "
      "hindsightrecorder name=rec pre=1 post=1 trigger-times=<2.51> "
      "location=@/%{index}.%{ext}");
  play_to_eos (fx);

  finished = reports (fx, "hindsight-recording-finished", "rec");
  g_assert_cmpuint (finished->len, ==, 1);
  location = gst_structure_get_string (finished->pdata[0], "location");
  g_assert_true (g_str_has_suffix (location, "/1.mkv"));
  if (!hs_test_probe_file (location, &info, &error))
    g_error ("%s", error->message);
  /* [1.51 s, 3.51 s) from the keyframe at 1 s */
  g_assert_cmpstr (info.codec, ==, "video/x-h264");
  g_assert_true (info.starts_with_keyframe);
  g_assert_cmpuint (info.n_frames, ==, 76);
  assert_close ("first frame", info.first_pts, GST_SECOND, GST_SECOND / 60);
  assert_report_matches_file (finished->pdata[0]);
}

static void
test_action_signals (Fixture *fx, gconstpointer data)
{
  GstElement *rec;
  gboolean busy;

  launch (fx, TESTSRC (300) "hindsightrecorder name=rec pre=1 post=1 "
      "location=@/%{index}.webm");
  rec = element (fx, "rec");
  /* Before the start: the triggers wait for it. 3.5 s extends the window
   * that 3 s opens. */
  g_signal_emit_by_name (rec, "trigger-at", (guint64) 3 * GST_SECOND);
  g_signal_emit_by_name (rec, "trigger-at", (guint64) 7 * GST_SECOND / 2);
  g_object_get (rec, "busy", &busy, NULL);
  g_assert_true (busy);
  play_to_eos (fx);

  /* [2 s, 4.5 s) */
  assert_window (only_report (fx, "hindsight-recording-finished", "rec"),
      60, 134);
  g_object_get (rec, "busy", &busy, NULL);
  g_assert_false (busy);
}

static void
test_stop_forgets (Fixture *fx, gconstpointer data)
{
  GstElement *rec;

  launch (fx, TESTSRC (150) "hindsightrecorder name=rec pre=1 post=1 "
      "location=@/%{index}.webm");
  rec = element (fx, "rec");
  g_signal_emit_by_name (rec, "trigger-at", (guint64) 3 * GST_SECOND);
  g_signal_emit_by_name (rec, "stop");
  play_to_eos (fx);
  g_assert_cmpuint (count_reports (fx, "hindsight-recording-started", NULL),
      ==, 0);
}

static void
test_action_trigger_now (Fixture *fx, gconstpointer data)
{
  g_autoptr(GPtrArray) finished = NULL;
  GstElement *rec;
  const GstStructure *s;
  gint64 requested;
  g_auto(HsTestFileInfo) info = { 0 };
  g_autoptr(GError) error = NULL;
  GstClockTime position;
  gboolean busy;

  launch (fx, "videotestsrc is-live=true ! "
      "video/x-raw,width=160,height=120,framerate=30/1 ! "
      "tee name=t t. ! queue ! fakesink sync=true t. ! queue ! "
      "hindsightrecorder name=rec pre=1 post=1 location=@/%{index}.webm");
  rec = element (fx, "rec");
  set_state (fx, GST_STATE_PLAYING);
  /* "Now" is any time after the ring holds a second: read the clock until
   * then. */
  do {
    g_assert_true (g_get_monotonic_time () < fx->deadline);
    g_usleep (20 * 1000);
    g_assert_true (gst_element_query_position (fx->pipeline, GST_FORMAT_TIME,
            (gint64 *) &position));
  } while (position < 2 * GST_SECOND);

  g_signal_emit_by_name (rec, "trigger");
  g_object_get (rec, "busy", &busy, NULL);
  g_assert_true (busy);         /* from the call on */
  wait_reports (fx, "hindsight-recording-finished", "rec", 1);
  gst_element_send_event (fx->pipeline, gst_event_new_eos ());
  wait_message (fx, GST_MESSAGE_EOS);

  finished = reports (fx, "hindsight-recording-finished", "rec");
  g_assert_cmpuint (finished->len, ==, 1);
  s = finished->pdata[0];
  assert_report_matches_file (s);
  /* The window is [T - 1 s, T + 1 s) for the T the trigger took: the file
   * starts within a frame of it and spans two seconds of frames. */
  g_assert_true (gst_structure_get_int64 (s, "requested-start", &requested));
  g_assert_cmpint (requested, >=, GST_SECOND);
  if (!hs_test_probe_file (gst_structure_get_string (s, "location"), &info,
          &error))
    g_error ("%s", error->message);
  assert_starts_at (&info, requested);
  g_assert_cmpuint (info.n_frames, ==, 60);
  assert_contiguous (&info);
}

static void
test_upstream_event (Fixture *fx, gconstpointer data)
{
  GstEvent *event;

  launch (fx, TESTSRC (150) "hindsightrecorder name=rec pre=1 post=1 "
      "location=@/%{index}.webm");
  watch_busy (fx, element (fx, "rec"));
  set_state (fx, GST_STATE_PAUSED);
  /* As an application sends it: to the pipeline, which gives it to each
   * of its sinks (and answers FALSE, as fakesink does not take it). */
  event = gst_event_new_custom (GST_EVENT_CUSTOM_UPSTREAM,
      gst_structure_new ("hindsight-trigger",
          "running-time", G_TYPE_UINT64, (guint64) 3 * GST_SECOND, NULL));
  gst_element_send_event (fx->pipeline, event);
  wait_taken (fx);
  /* The element itself takes it: 7.5 s extends that window. */
  event = gst_event_new_custom (GST_EVENT_CUSTOM_UPSTREAM,
      gst_structure_new ("hindsight-trigger",
          "running-time", G_TYPE_UINT64, (guint64) 7 * GST_SECOND / 2, NULL));
  g_assert_true (gst_element_send_event (element (fx, "rec"), event));
  play_to_eos (fx);

  /* [2 s, 4.5 s) */
  assert_window (only_report (fx, "hindsight-recording-finished", "rec"),
      60, 134);
}

/* An analyser upstream of the tee: after frame 91 it says "the frame
 * before" (no time: the frame it follows, 3 s); at frame 200 it announces
 * an event at 8 s. */
static void
on_handoff (GstElement *identity, GstBuffer *buffer, gpointer user_data)
{
  g_autoptr(GstPad) src = gst_element_get_static_pad (identity, "src");
  GstStructure *s = NULL;

  if (GST_BUFFER_PTS (buffer) == FRAME (91))
    s = gst_structure_new_empty ("hindsight-trigger");
  else if (GST_BUFFER_PTS (buffer) == FRAME (200))
    s = gst_structure_new ("hindsight-trigger",
        "running-time", G_TYPE_UINT64, (guint64) 8 * GST_SECOND, NULL);
  if (s != NULL)
    g_assert_true (gst_pad_push_event (src,
            gst_event_new_custom (GST_EVENT_CUSTOM_DOWNSTREAM, s)));
}

static void
test_downstream_event (Fixture *fx, gconstpointer data)
{
  g_autoptr(GPtrArray) finished = NULL;

  launch (fx, "videotestsrc num-buffers=330 ! "
      "video/x-raw,width=160,height=120,framerate=30/1 ! "
      "identity name=analyser signal-handoffs=true ! "
      "tee name=t t. ! queue ! fakesink t. ! queue ! "
      "hindsightrecorder name=rec pre=1 post=1 location=@/%{index}.webm");
  g_signal_connect (element (fx, "analyser"), "handoff",
      G_CALLBACK (on_handoff), NULL);
  play_to_eos (fx);

  finished = reports (fx, "hindsight-recording-finished", "rec");
  g_assert_cmpuint (finished->len, ==, 2);
  /* [2 s, 4 s) and [7 s, 9 s), exact although the source runs ahead */
  assert_window (finished->pdata[0], 60, 119);
  assert_window (finished->pdata[1], 210, 269);
}

static void
test_element_message (Fixture *fx, gconstpointer data)
{
  GstElement *src;

  launch (fx, TESTSRC (150) "hindsightrecorder name=rec pre=1 post=1 "
      "trigger-on-message=motion location=@/%{index}.webm");
  watch_busy (fx, element (fx, "rec"));
  set_state (fx, GST_STATE_PAUSED);
  src = element (fx, "src");
  /* Another name triggers nothing; "motion" at 3 s does. */
  gst_element_post_message (src, gst_message_new_element (GST_OBJECT (src),
          gst_structure_new ("lighting", "running-time", G_TYPE_UINT64,
              (guint64) GST_SECOND, NULL)));
  gst_element_post_message (src, gst_message_new_element (GST_OBJECT (src),
          gst_structure_new ("motion", "running-time", G_TYPE_UINT64,
              (guint64) 3 * GST_SECOND, NULL)));
  wait_taken (fx);
  play_to_eos (fx);

  assert_window (only_report (fx, "hindsight-recording-finished", "rec"),
      60, 119);
}

/* EOS inside a window: the file ends with the last frame and is complete,
 * and the pipeline's EOS comes after it is reported. */
static void
test_eos_mid_window (Fixture *fx, gconstpointer data)
{
  g_autoptr(GPtrArray) finished = NULL;
  GstMessage *eos;
  guint i;

  launch (fx, TESTSRC (100) "hindsightrecorder name=rec pre=1 post=5 "
      "trigger-times=<3.0> location=@/%{index}.webm");
  play_to_eos (fx);
  eos = fx->messages->pdata[fx->messages->len - 1];

  finished = reports (fx, "hindsight-recording-finished", "rec");
  g_assert_cmpuint (finished->len, ==, 1);
  /* [2 s, 8 s) asked, the stream ends after frame 99 */
  assert_window (finished->pdata[0], 60, 99);
  for (i = 0; i < fx->messages->len; i++)
    if (is_report (fx->messages->pdata[i], "hindsight-recording-finished",
            "rec"))
      break;
  g_assert_cmpuint (i, <, index_of (fx, eos));
}

/* The application ends a live stream (as gst-launch-1.0 -e does on Ctrl+C)
 * while a long window is open. */
static void
test_eos_event_live (Fixture *fx, gconstpointer data)
{
  g_auto(HsTestFileInfo) info = { 0 };
  g_autoptr(GError) error = NULL;
  const GstStructure *s;

  launch (fx, "videotestsrc is-live=true ! "
      "video/x-raw,width=160,height=120,framerate=30/1 ! "
      "tee name=t t. ! queue ! fakesink sync=true t. ! queue ! "
      "hindsightrecorder name=rec pre=1 post=60 trigger-times=<1.5> "
      "location=@/%{index}.webm");
  set_state (fx, GST_STATE_PLAYING);
  wait_reports (fx, "hindsight-recording-started", "rec", 1);
  gst_element_send_event (fx->pipeline, gst_event_new_eos ());
  wait_message (fx, GST_MESSAGE_EOS);

  s = only_report (fx, "hindsight-recording-finished", "rec");
  assert_report_matches_file (s);
  if (!hs_test_probe_file (gst_structure_get_string (s, "location"), &info,
          &error))
    g_error ("%s", error->message);
  /* From 0.5 s on, every frame up to the end of the stream. */
  assert_starts_at (&info, GST_SECOND / 2);
  g_assert_cmpuint (info.last_pts, >=, 3 * GST_SECOND / 2);
  assert_contiguous (&info);
}

static void
test_stop_signal (Fixture *fx, gconstpointer data)
{
  const GstStructure *s;

  launch (fx, "videotestsrc is-live=true num-buffers=150 ! "
      "video/x-raw,width=160,height=120,framerate=30/1 ! "
      "tee name=t t. ! queue ! fakesink sync=true t. ! queue ! "
      "hindsightrecorder name=rec pre=1 post=60 trigger-times=<1.0> "
      "location=@/%{index}.webm");
  set_state (fx, GST_STATE_PLAYING);
  wait_reports (fx, "hindsight-recording-started", "rec", 1);
  g_signal_emit_by_name (element (fx, "rec"), "stop");
  wait_reports (fx, "hindsight-recording-finished", "rec", 1);
  wait_message (fx, GST_MESSAGE_EOS);

  /* Closed at the stop, well before the stream's end at 5 s. */
  s = only_report (fx, "hindsight-recording-finished", "rec");
  assert_report_matches_file (s);
  /* The window [0 s, 61 s) starts with the live source's first frame,
   * which comes a little after 0. */
  g_assert_cmpuint (hs_test_field_u64 (s, "start-time"), <, GST_SECOND / 5);
  g_assert_cmpuint (hs_test_field_u64 (s, "end-time"), <, 4 * GST_SECOND);
}

static void
test_two_elements (Fixture *fx, gconstpointer data)
{
  launch (fx, "videotestsrc num-buffers=240 ! "
      "video/x-raw,width=160,height=120,framerate=30/1 ! tee name=t "
      "t. ! queue ! hindsightrecorder name=a pre=1 post=1 trigger-times=<3.0> "
      "location=@/a-%{index}.webm "
      "t. ! queue ! hindsightrecorder name=b pre=1 post=2 trigger-times=<2.0> "
      "location=@/b-%{index}.webm");
  play_to_eos (fx);

  /* a: [2 s, 4 s); b: [1 s, 4 s) */
  assert_window (only_report (fx, "hindsight-recording-finished", "a"),
      60, 119);
  assert_window (only_report (fx, "hindsight-recording-finished", "b"),
      30, 119);
  g_assert_cmpstr (gst_structure_get_string (only_report (fx,
              "hindsight-recording-finished", "b"), "source"), ==, "b");
}

/* A source file for the bins below: 150 frames, 0 .. 4.967 s. */
static char *
make_source_file (Fixture *fx)
{
  g_autofree char *path = hs_test_fixture_path (&fx->f, "source.webm");
  g_autofree char *description = g_strdup_printf (
      "videotestsrc num-buffers=150 ! "
      "video/x-raw,width=160,height=120,framerate=30/1 ! vp8enc ! webmmux ! "
      "filesink location=%s", path);
  g_autoptr(GstElement) pipeline = hs_test_pipeline_new (description);
  g_autoptr(GstBus) bus = gst_element_get_bus (pipeline);
  g_autoptr(GstMessage) done = NULL;

  hs_test_play (pipeline);
  done = gst_bus_timed_pop_filtered (bus, 30 * GST_SECOND,
      GST_MESSAGE_EOS | GST_MESSAGE_ERROR);
  g_assert_nonnull (done);
  g_assert_cmpint (GST_MESSAGE_TYPE (done), ==, GST_MESSAGE_EOS);
  hs_test_stop (pipeline);
  return gst_filename_to_uri (path, NULL);
}

static void
test_uridecodebin (Fixture *fx, gconstpointer data)
{
  g_autofree char *uri = make_source_file (fx);
  g_autofree char *description = g_strdup_printf ("uridecodebin uri=%s ! "
      "hindsightrecorder name=rec pre=1 post=1 trigger-times=<2.0> "
      "location=@/%%{index}.webm", uri);

  launch (fx, description);
  play_to_eos (fx);
  /* [1 s, 3 s) */
  assert_window (only_report (fx, "hindsight-recording-finished", "rec"),
      30, 89);
}

/* The element inside playbin's video sink (playsink takes a bin whose pad
 * is called "sink"): deep in bins that playbin builds, its triggers and
 * reports on the pipeline's bus all the same. videoconvert makes playbin
 * decode (the element itself would take the file's VP8 as it is). */
static void
test_playbin (Fixture *fx, gconstpointer data)
{
  g_autofree char *uri = make_source_file (fx);
  g_autofree char *description = g_strdup_printf ("playbin uri=%s "
      "video-sink=\"queue ! videoconvert ! hindsightrecorder name=rec pre=1 "
      "post=1 "
      "trigger-on-message=motion location=@/%%{index}.webm\"", uri);
  g_autoptr(GPtrArray) finished = NULL;
  g_autoptr(GstElement) sink = NULL;
  g_autoptr(GstElement) rec = NULL;
  g_autoptr(GstObject) parent = NULL;

  launch (fx, description);
  g_object_get (fx->pipeline, "video-sink", &sink, NULL);
  g_assert_nonnull (sink);
  rec = gst_bin_get_by_name (GST_BIN (sink), "rec");
  g_assert_nonnull (rec);
  watch_busy (fx, rec);
  set_state (fx, GST_STATE_PAUSED);
  /* On the pipeline's bus, which the element found from deep inside. */
  gst_element_post_message (fx->pipeline, gst_message_new_element (
          GST_OBJECT (fx->pipeline), gst_structure_new ("motion",
              "running-time", G_TYPE_UINT64, (guint64) 2 * GST_SECOND, NULL)));
  wait_taken (fx);
  play_to_eos (fx);

  /* playsink put the sink's bin in a bin of its own. */
  parent = gst_object_get_parent (GST_OBJECT (sink));
  g_assert_nonnull (parent);
  g_assert_true (parent != GST_OBJECT (fx->pipeline));

  finished = reports (fx, "hindsight-recording-finished", "rec");
  g_assert_cmpuint (finished->len, ==, 1);
  assert_window (finished->pdata[0], 30, 89);
}

/* A recording that cannot be written is a warning; the pipeline goes on to
 * its EOS. */
static void
test_unwritable (Fixture *fx, gconstpointer data)
{
  g_autofree char *blocker = hs_test_fixture_path (&fx->f, "file");
  g_autoptr(GError) error = NULL;
  const GstStructure *s;
  GstMessage *warning = NULL;

  /* A folder inside a regular file cannot be made, not even by root. */
  g_assert_true (g_file_set_contents (blocker, "", 0, NULL));
  launch (fx, TESTSRC (150) "hindsightrecorder name=rec pre=1 post=1 "
      "trigger-times=<3.0> location=@/file/%{index}.webm");
  play_to_eos (fx);

  s = only_report (fx, "hindsight-recording-finished", "rec");
  g_assert_nonnull (gst_structure_get_string (s, "error"));
  g_assert_cmpuint (hs_test_field_u64 (s, "n-frames"), ==, 0);
  for (guint i = 0; i < fx->messages->len; i++) {
    GstMessage *m = fx->messages->pdata[i];

    g_assert_cmpint (GST_MESSAGE_TYPE (m), !=, GST_MESSAGE_ERROR);
    if (GST_MESSAGE_TYPE (m) == GST_MESSAGE_WARNING)
      warning = m;
  }
  g_assert_nonnull (warning);
  g_assert_cmpstr (GST_MESSAGE_SRC_NAME (warning), ==, "rec");
  gst_message_parse_warning (warning, &error, NULL);
  g_assert_cmpstr (error->message, ==, gst_structure_get_string (s, "error"));
}

/* Settings the element cannot start with fail the start, naming why. */
static void
test_bad_setting (Fixture *fx, gconstpointer data)
{
  GstMessage *message;
  g_autoptr(GError) error = NULL;

  launch (fx, TESTSRC (30) "hindsightrecorder name=rec "
      "encoder=no-such-encoder location=@/%{index}.webm");
  g_assert_cmpint (gst_element_set_state (fx->pipeline, GST_STATE_PAUSED), ==,
      GST_STATE_CHANGE_FAILURE);
  message = wait_message (fx, GST_MESSAGE_ERROR);
  gst_message_parse_error (message, &error, NULL);
  g_assert_cmpstr (GST_MESSAGE_SRC_NAME (message), ==, "rec");
  g_assert_nonnull (strstr (error->message, "no-such-encoder"));
}

/* A setting changed while the element runs reaches its recorder: post is
 * read at the trigger. */
static void
test_setting_while_running (Fixture *fx, gconstpointer data)
{
  GstElement *rec;

  launch (fx, TESTSRC (210) "hindsightrecorder name=rec pre=1 post=1 "
      "location=@/%{index}.webm");
  rec = element (fx, "rec");
  watch_busy (fx, rec);
  set_state (fx, GST_STATE_PAUSED);
  g_object_set (rec, "post", 2.0, NULL);
  g_signal_emit_by_name (rec, "trigger-at", (guint64) 3 * GST_SECOND);
  wait_taken (fx);
  play_to_eos (fx);

  /* [2 s, 5 s) */
  assert_window (only_report (fx, "hindsight-recording-finished", "rec"),
      60, 149);
}

/* Stopped and started again, the element records again. */
static void
test_restart (Fixture *fx, gconstpointer data)
{
  g_autofree char *again = hs_test_fixture_path (&fx->f, "again.webm");
  g_autoptr(GPtrArray) finished = NULL;

  launch (fx, TESTSRC (150) "hindsightrecorder name=rec pre=1 post=1 "
      "trigger-times=<3.0> location=@/%{index}.webm");
  play_to_eos (fx);
  set_state (fx, GST_STATE_READY);
  g_object_set (element (fx, "rec"), "location", again, NULL);
  play_to_eos (fx);

  finished = reports (fx, "hindsight-recording-finished", "rec");
  g_assert_cmpuint (finished->len, ==, 2);
  assert_window (finished->pdata[0], 60, 119);
  assert_window (finished->pdata[1], 60, 119);
  g_assert_true (g_str_has_suffix (gst_structure_get_string (
              finished->pdata[1], "location"), "/again.webm"));
}

/* The element's properties are HsRecorder's settings: same names, types and
 * defaults, each with a description. */
static void
test_properties_mirror (Fixture *fx, gconstpointer data)
{
  g_autoptr(GstElement) rec = gst_element_factory_make ("hindsightrecorder",
      NULL);
  GObjectClass *recorder_class = g_type_class_ref (HS_TYPE_RECORDER);
  g_autofree GParamSpec **specs = NULL;
  guint n, mirrored = 0;

  g_assert_nonnull (rec);
  g_assert_true (g_str_has_prefix (GST_OBJECT_NAME (rec),
          "hindsightrecorder"));
  specs = g_object_class_list_properties (recorder_class, &n);
  for (guint i = 0; i < n; i++) {
    GParamSpec *ours;
    GValue want = G_VALUE_INIT, got = G_VALUE_INIT;

    if (g_str_equal (specs[i]->name, "pipeline") ||
        g_str_equal (specs[i]->name, "source"))
      continue;
    ours = g_object_class_find_property (G_OBJECT_GET_CLASS (rec),
        specs[i]->name);
    if (ours == NULL)
      g_error ("hindsightrecorder has no property '%s'", specs[i]->name);
    g_assert_cmpstr (g_type_name (ours->value_type), ==,
        g_type_name (specs[i]->value_type));
    g_assert_nonnull (g_param_spec_get_blurb (ours));
    g_value_init (&want, specs[i]->value_type);
    g_param_value_set_default (specs[i], &want);
    g_value_init (&got, ours->value_type);
    g_object_get_property (G_OBJECT (rec), ours->name, &got);
    g_assert_cmpint (g_param_values_cmp (ours, &want, &got), ==, 0);
    g_value_unset (&want);
    g_value_unset (&got);
    mirrored++;
  }
  g_assert_cmpuint (mirrored, >=, 14);
  g_type_class_unref (recorder_class);
}

int
main (int argc, char **argv)
{
  gst_init (&argc, &argv);
  g_test_init (&argc, &argv, NULL);

  add_test ("/element/trigger/times", test_trigger_times);
  add_test ("/element/trigger/action-signals", test_action_signals);
  add_test ("/element/trigger/stop-forgets", test_stop_forgets);
  add_test ("/element/trigger/now", test_action_trigger_now);
  add_test ("/element/trigger/upstream-event", test_upstream_event);
  add_test ("/element/trigger/downstream-event", test_downstream_event);
  add_test ("/element/trigger/element-message", test_element_message);
  add_test ("/element/eos/mid-window", test_eos_mid_window);
  add_test ("/element/eos/live", test_eos_event_live);
  add_test ("/element/stop", test_stop_signal);
  add_test ("/element/two-elements", test_two_elements);
  add_test ("/element/bin/uridecodebin", test_uridecodebin);
  add_test ("/element/bin/playbin", test_playbin);
  add_test ("/element/passthrough/h264", test_passthrough);
  add_test ("/element/errors/unwritable", test_unwritable);
  add_test ("/element/errors/bad-setting", test_bad_setting);
  add_test ("/element/settings/while-running", test_setting_while_running);
  add_test ("/element/settings/restart", test_restart);
  add_test ("/element/properties/mirror", test_properties_mirror);

  return g_test_run ();
}
