/* The GIO-style asynchronous API: hs_recorder_record_async() completes with
 * the file its trigger went into, whether it started that file or extended
 * it; cancelling stops the waiting, not the recording; results come back on
 * the caller's main context. hs_pipeline_stop_async() completes once the
 * pipeline has stopped. Every file is decoded and checked.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "hs-test-util.h"

#define FRAME(k) ((GstClockTime) gst_util_uint64_scale ((k), GST_SECOND, 30))

/* 30 fps at the clock's pace (the fakesink syncs), not live: "now" is the
 * newest frame, and a trigger made when a file opens lands well inside its
 * window. */
#define TESTSRC \
  "videotestsrc ! video/x-raw,width=160,height=120,framerate=30/1 ! " \
  "tee name=t t. ! fakesink sync=true"

typedef struct {
  HsTestFixture f;
  GstElement *pipeline;
  HsRecorder *recorder;
  GCancellable *cancellable;

  /* what the async callbacks saw */
  guint n_results;
  HsRecording *results[4];
  GError *errors[4];
  GThread *callback_threads[4];
  guint finished_at_callback[4];      /* files finished when it ran */
} Fixture;

static void
setup (Fixture *fx, gconstpointer data)
{
  hs_test_fixture_setup (&fx->f, data);
  fx->cancellable = g_cancellable_new ();
}

static void
teardown (Fixture *fx, gconstpointer data)
{
  if (fx->pipeline != NULL)
    hs_test_stop (fx->pipeline);
  g_clear_object (&fx->recorder);
  gst_clear_object (&fx->pipeline);
  g_clear_object (&fx->cancellable);
  for (guint i = 0; i < fx->n_results; i++) {
    g_clear_object (&fx->results[i]);
    g_clear_error (&fx->errors[i]);
  }
  hs_test_fixture_teardown (&fx->f, data);
}

static void
start (Fixture *fx, double pre, double post)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *location = hs_test_fixture_path (&fx->f, "%{index}.webm");

  fx->pipeline = hs_test_pipeline_new (TESTSRC);
  fx->recorder = g_initable_new (HS_TYPE_RECORDER, NULL, &error,
      "pipeline", fx->pipeline, "source", "t", "pre", pre, "post", post,
      "location", location, NULL);
  g_assert_no_error (error);
  hs_test_fixture_watch (&fx->f, fx->recorder);
}

static void
on_recorded (GObject *source, GAsyncResult *result, gpointer user_data)
{
  Fixture *fx = user_data;
  guint i = fx->n_results++;

  g_assert_cmpuint (i, <, G_N_ELEMENTS (fx->results));
  g_assert_true (HS_IS_RECORDER (source));
  g_assert_true (g_async_result_is_tagged (result, hs_recorder_record_async));
  fx->results[i] = hs_recorder_record_finish (HS_RECORDER (source), result,
      &fx->errors[i]);
  g_assert_true ((fx->results[i] == NULL) != (fx->errors[i] == NULL));
  fx->callback_threads[i] = g_thread_self ();
  fx->finished_at_callback[i] = fx->f.finished->len;
}

static gboolean
has_results (gpointer data)
{
  Fixture *fx = ((gpointer *) data)[0];

  return fx->n_results >= GPOINTER_TO_UINT (((gpointer *) data)[1]);
}

static void
wait_results (Fixture *fx, guint n)
{
  gpointer args[2] = { fx, GUINT_TO_POINTER (n) };

  hs_test_fixture_run_until (&fx->f, has_results, args);
}

static void
assert_file_of (HsRecording *r)
{
  g_assert_no_error ((GError *) hs_recording_get_error (r));
  g_assert_true (hs_recording_is_finished (r));
  hs_test_assert_file (hs_recording_get_location (r),
      hs_recording_get_n_frames (r), hs_recording_get_start_time (r),
      hs_recording_get_end_time (r));
}

/* A trigger that starts a file completes with that file once it is closed. */
static void
test_record_new_file (Fixture *fx, gconstpointer data)
{
  HsRecording *r;

  start (fx, 2, 2);
  /* Before the first frame "now" is 0: the window is [0 s, 2 s). */
  hs_recorder_record_async (fx->recorder, NULL, on_recorded, fx);
  g_assert_true (hs_recorder_get_busy (fx->recorder));
  hs_test_play (fx->pipeline);
  wait_results (fx, 1);

  g_assert_no_error (fx->errors[0]);
  r = fx->results[0];
  g_assert_cmpuint (fx->f.finished->len, ==, 1);
  g_assert_true (r == fx->f.finished->pdata[0]);
  /* The callback comes after recording-finished: the file is complete. */
  g_assert_cmpuint (fx->finished_at_callback[0], ==, 1);
  g_assert_true (fx->callback_threads[0] == g_thread_self ());
  g_assert_cmpuint (hs_recording_get_n_frames (r), ==, 60);
  g_assert_cmpuint (hs_recording_get_start_time (r), ==, 0);
  hs_test_assert_file (hs_recording_get_location (r), 60, 0, FRAME (59));

  hs_test_fixture_wait_idle (&fx->f, fx->recorder);
  g_assert_cmpuint (fx->n_results, ==, 1);
}

static void
record_on_start (HsRecorder *recorder, HsRecording *recording,
                 gpointer user_data)
{
  Fixture *fx = user_data;

  g_signal_handlers_disconnect_by_func (recorder, record_on_start, fx);
  hs_recorder_record_async (recorder, NULL, on_recorded, fx);
}

/* A trigger made while a file is open extends it, and completes with it. It
 * is made from a recording-started handler, on the recorder's own context,
 * which is where applications react to recordings. */
static void
test_record_extends (Fixture *fx, gconstpointer data)
{
  HsRecording *r;
  GstClockTime end;

  start (fx, 2, 2);
  hs_recorder_trigger_at (fx->recorder, 3 * GST_SECOND);
  g_signal_connect (fx->recorder, "recording-started",
      G_CALLBACK (record_on_start), fx);
  hs_test_play (fx->pipeline);
  wait_results (fx, 1);
  hs_test_fixture_wait_idle (&fx->f, fx->recorder);

  g_assert_no_error (fx->errors[0]);
  r = fx->results[0];
  g_assert_cmpuint (fx->f.started->len, ==, 1);
  g_assert_cmpuint (fx->f.finished->len, ==, 1);
  g_assert_true (r == fx->f.started->pdata[0]);
  g_assert_true (r == fx->f.finished->pdata[0]);
  /* The file opened at 1 s for a window ending at 5 s; "now" was 3 s or
   * later, so the file ends at 5 s or later, frame after frame. */
  g_assert_cmpuint (hs_recording_get_start_time (r), ==, FRAME (30));
  end = hs_recording_get_end_time (r);
  g_assert_cmpuint (end, >=, FRAME (149));
  g_assert_cmpuint (hs_recording_get_n_frames (r), ==,
      gst_util_uint64_scale_round (end, 30, GST_SECOND) - 30 + 1);
  assert_file_of (r);
}

static gboolean
record_when_started (gpointer user_data)
{
  Fixture *fx = user_data;
  HsRingBuffer *ring = hs_recorder_get_ring_buffer (fx->recorder);

  /* At 4 s or later: the window [1 s, 5 s) grows to [1 s, 6 s) or more. */
  if (fx->f.started->len == 0 ||
      hs_ring_buffer_get_newest (ring) < 4 * GST_SECOND)
    return G_SOURCE_CONTINUE;
  hs_recorder_record_async (fx->recorder, NULL, on_recorded, fx);
  return G_SOURCE_REMOVE;
}

/* The same, the trigger made later, from a source of its own. */
static void
test_record_extends_later (Fixture *fx, gconstpointer data)
{
  g_autoptr(GSource) poll = g_timeout_source_new (10);
  HsRecording *r;

  start (fx, 2, 2);
  hs_recorder_trigger_at (fx->recorder, 3 * GST_SECOND);
  g_source_set_callback (poll, record_when_started, fx, NULL);
  g_source_attach (poll, fx->f.context);
  hs_test_play (fx->pipeline);
  wait_results (fx, 1);
  hs_test_fixture_wait_idle (&fx->f, fx->recorder);
  g_source_destroy (poll);

  g_assert_no_error (fx->errors[0]);
  r = fx->results[0];
  g_assert_cmpuint (fx->f.finished->len, ==, 1);
  g_assert_true (r == fx->f.finished->pdata[0]);
  g_assert_cmpuint (hs_recording_get_start_time (r), ==, FRAME (30));
  g_assert_cmpuint (hs_recording_get_end_time (r), >=, FRAME (179));
  assert_file_of (r);
}

static gboolean
trigger_then_record (gpointer user_data)
{
  Fixture *fx = user_data;
  HsRingBuffer *ring = hs_recorder_get_ring_buffer (fx->recorder);
  GstClockTime now = hs_recorder_get_running_time (fx->recorder);

  /* Frames reach the ring 1.5 s after their time. From 2 s on they flow:
   * the triggers at 2.0 s and 2.5 s wait for them. */
  if (fx->f.started->len == 0 && !hs_recorder_get_busy (fx->recorder)) {
    if (!GST_CLOCK_TIME_IS_VALID (now) || now < 2 * GST_SECOND)
      return G_SOURCE_CONTINUE;
    hs_recorder_trigger_at (fx->recorder, 2 * GST_SECOND);
    hs_recorder_trigger_at (fx->recorder, 2500 * GST_MSECOND);
    return G_SOURCE_CONTINUE;
  }
  if (now < 2900 * GST_MSECOND)
    return G_SOURCE_CONTINUE;
  /* The first window [1.8 s, 2.3 s) is still being written, the trigger
   * at 2.5 s waits behind it, and this one (2.9 s or later) behind both. */
  g_assert_cmpuint (hs_ring_buffer_get_newest (ring), <, 2300 * GST_MSECOND);
  hs_recorder_record_async (fx->recorder, NULL, on_recorded, fx);
  return G_SOURCE_REMOVE;
}

/* A waiter belongs to its own trigger's window, not to the window of an
 * earlier trigger that waits behind an open one (a live source whose frames
 * come late, such as RTSP behind its jitter buffer). */
static void
test_record_after_pending (Fixture *fx, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GSource) poll = g_timeout_source_new (10);
  g_autofree char *location = hs_test_fixture_path (&fx->f, "%{index}.webm");
  HsRecording *r;

  fx->pipeline = hs_test_pipeline_new ("videotestsrc is-live=true ! "
      "video/x-raw,width=160,height=120,framerate=30/1 ! queue "
      "max-size-buffers=0 max-size-bytes=0 max-size-time=0 "
      "min-threshold-time=1500000000 ! tee name=t t. ! fakesink");
  fx->recorder = g_initable_new (HS_TYPE_RECORDER, NULL, &error,
      "pipeline", fx->pipeline, "source", "t", "pre", 0.2, "post", 0.3,
      "location", location, NULL);
  g_assert_no_error (error);
  hs_test_fixture_watch (&fx->f, fx->recorder);

  g_source_set_callback (poll, trigger_then_record, fx, NULL);
  g_source_attach (poll, fx->f.context);
  hs_test_play (fx->pipeline);
  wait_results (fx, 1);
  hs_test_fixture_wait_idle (&fx->f, fx->recorder);
  g_source_destroy (poll);

  g_assert_no_error (fx->errors[0]);
  r = fx->results[0];
  g_assert_cmpuint (fx->f.finished->len, ==, 3);
  for (guint i = 0; i < 2; i++)
    assert_file_of (fx->f.finished->pdata[i]);
  /* Its own file, tiled after the one of the trigger at 2.5 s. */
  g_assert_true (r == fx->f.finished->pdata[2]);
  g_assert_cmpint (hs_recording_get_requested_start (r), ==,
      2800 * GST_MSECOND);
  assert_file_of (r);
}

/* Two waiters on one window, one of them cancelled: the other still gets the
 * file, and the file is whole. */
static void
test_record_cancel (Fixture *fx, gconstpointer data)
{
  HsRecording *r;

  start (fx, 2, 2);
  hs_recorder_record_async (fx->recorder, fx->cancellable, on_recorded, fx);
  hs_recorder_record_async (fx->recorder, NULL, on_recorded, fx);
  g_cancellable_cancel (fx->cancellable);

  /* Cancelling completes the wait at once, before any frame flowed. */
  wait_results (fx, 1);
  g_assert_error (fx->errors[0], G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_cmpuint (fx->finished_at_callback[0], ==, 0);

  /* The recording itself goes on. */
  g_assert_true (hs_recorder_get_busy (fx->recorder));
  hs_test_play (fx->pipeline);
  wait_results (fx, 2);
  hs_test_fixture_wait_idle (&fx->f, fx->recorder);
  g_assert_no_error (fx->errors[1]);
  r = fx->results[1];
  g_assert_cmpuint (fx->f.finished->len, ==, 1);
  g_assert_true (r == fx->f.finished->pdata[0]);
  hs_test_assert_file (hs_recording_get_location (r), 60, 0, FRAME (59));
  g_assert_cmpuint (fx->n_results, ==, 2);
}

static void
cancel_on_start (HsRecorder *recorder, HsRecording *recording,
                 gpointer user_data)
{
  Fixture *fx = user_data;

  g_cancellable_cancel (fx->cancellable);
}

/* Cancelled while its file is being written. */
static void
test_record_cancel_while_writing (Fixture *fx, gconstpointer data)
{
  start (fx, 2, 2);
  g_signal_connect (fx->recorder, "recording-started",
      G_CALLBACK (cancel_on_start), fx);
  hs_recorder_record_async (fx->recorder, fx->cancellable, on_recorded, fx);
  hs_test_play (fx->pipeline);
  wait_results (fx, 1);
  g_assert_error (fx->errors[0], G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_cmpuint (fx->finished_at_callback[0], ==, 0);
  g_assert_cmpuint (fx->f.started->len, ==, 1);

  hs_test_fixture_wait_idle (&fx->f, fx->recorder);
  g_assert_cmpuint (fx->f.finished->len, ==, 1);
  hs_test_assert_file (hs_recording_get_location (fx->f.finished->pdata[0]),
      60, 0, FRAME (59));
  g_assert_cmpuint (fx->n_results, ==, 1);
}

/* A cancellable cancelled beforehand: the wait ends at once; the trigger,
 * like any trigger, still records. */
static void
test_record_cancelled_before (Fixture *fx, gconstpointer data)
{
  start (fx, 2, 2);
  g_cancellable_cancel (fx->cancellable);
  hs_recorder_record_async (fx->recorder, fx->cancellable, on_recorded, fx);
  wait_results (fx, 1);
  g_assert_error (fx->errors[0], G_IO_ERROR, G_IO_ERROR_CANCELLED);

  hs_test_play (fx->pipeline);
  hs_test_fixture_wait_idle (&fx->f, fx->recorder);
  g_assert_cmpuint (fx->f.finished->len, ==, 1);
  assert_file_of (fx->f.finished->pdata[0]);
  g_assert_cmpuint (fx->n_results, ==, 1);
}

/* A trigger that never got to record completes with an error. */
static void
test_record_stopped (Fixture *fx, gconstpointer data)
{
  start (fx, 2, 2);
  hs_recorder_record_async (fx->recorder, NULL, on_recorded, fx);
  /* The pipeline never plays: no frame reaches the trigger's time. */
  hs_recorder_stop (fx->recorder);
  wait_results (fx, 1);
  g_assert_error (fx->errors[0], HS_ERROR, HS_ERROR_NO_FRAMES);
  g_assert_false (hs_recorder_get_busy (fx->recorder));
}

static void
test_record_detached (Fixture *fx, gconstpointer data)
{
  start (fx, 2, 2);
  hs_recorder_detach (fx->recorder);
  hs_recorder_record_async (fx->recorder, NULL, on_recorded, fx);
  g_assert_false (hs_recorder_get_busy (fx->recorder));
  wait_results (fx, 1);
  g_assert_error (fx->errors[0], HS_ERROR, HS_ERROR_INVALID_ARGUMENT);
}

/* A caller on another thread, with a main context of its own, gets its
 * result on that thread: the recorder's context only decides. */
typedef struct {
  Fixture *fx;
  GMainContext *context;
  gboolean done;
  HsRecording *recording;
  GError *error;
  GThread *callback_thread;
} Caller;

static void
on_caller_recorded (GObject *source, GAsyncResult *result, gpointer user_data)
{
  Caller *c = user_data;

  c->recording = hs_recorder_record_finish (HS_RECORDER (source), result,
      &c->error);
  c->callback_thread = g_thread_self ();
  g_atomic_int_set (&c->done, TRUE);
}

static gpointer
caller_thread (gpointer user_data)
{
  Caller *c = user_data;

  g_main_context_push_thread_default (c->context);
  hs_recorder_record_async (c->fx->recorder, NULL, on_caller_recorded, c);
  /* The trigger counts from the moment of the call, not from when the
   * recorder's context gets to it. */
  g_assert_true (hs_recorder_get_busy (c->fx->recorder));
  while (!c->done)
    g_main_context_iteration (c->context, TRUE);
  g_main_context_pop_thread_default (c->context);
  return g_thread_self ();
}

static gboolean
caller_done (gpointer data)
{
  return g_atomic_int_get (&((Caller *) data)->done);
}

static void
test_record_other_thread (Fixture *fx, gconstpointer data)
{
  Caller c = { fx, g_main_context_new () };
  GThread *thread, *ran_in;

  start (fx, 2, 2);
  thread = g_thread_new ("caller", caller_thread, &c);
  hs_test_play (fx->pipeline);
  hs_test_fixture_run_until (&fx->f, caller_done, &c);
  ran_in = g_thread_join (thread);

  g_assert_no_error (c.error);
  g_assert_true (c.callback_thread == ran_in);
  g_assert_true (c.recording == fx->f.finished->pdata[0]);
  assert_file_of (c.recording);
  g_clear_object (&c.recording);
  g_main_context_unref (c.context);
}

/* ------------------------------------------------------------------------ */
/* HsPipeline                                                               */

typedef struct {
  gboolean done;
  gboolean ok;
  GError *error;
  gboolean running;
} StopResult;

static void
on_stopped (GObject *source, GAsyncResult *result, gpointer user_data)
{
  StopResult *s = user_data;

  g_assert_true (g_async_result_is_tagged (result, hs_pipeline_stop_async));
  s->ok = hs_pipeline_stop_finish (HS_PIPELINE (source), result, &s->error);
  s->running = hs_pipeline_get_running (HS_PIPELINE (source));
  s->done = TRUE;
}

static gboolean
stop_done (gpointer data)
{
  return ((StopResult *) data)->done;
}

/* A runner whose loop is a thread of its own, on a context of its own;
 * the result of stop_async comes back to the caller's context. */
static HsPipeline *
background_runner (Fixture *fx, GMainContext *context)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *location = hs_test_fixture_path (&fx->f, "%{index}.webm");
  HsPipeline *runner;

  g_main_context_push_thread_default (context);
  runner = hs_pipeline_new ("videotestsrc is-live=true ! "
      "video/x-raw,width=160,height=120,framerate=30/1 ! tee name=t "
      "t. ! fakesink sync=true", &error);
  g_assert_no_error (error);
  fx->recorder = g_initable_new (HS_TYPE_RECORDER, NULL, &error,
      "pipeline", hs_pipeline_get_pipeline (runner), "source", "t",
      "pre", 0.2, "post", 30.0, "location", location, NULL);
  g_assert_no_error (error);
  g_main_context_pop_thread_default (context);
  return runner;
}

/* Runs on the runner's thread; read once the runner has stopped. */
static void
keep_recording (HsRecorder *recorder, HsRecording *recording,
                gpointer user_data)
{
  g_ptr_array_add (user_data, g_object_ref (recording));
}

static gboolean
ring_has_frames (gpointer data)
{
  return hs_ring_buffer_get_n_samples (hs_recorder_get_ring_buffer (data)) > 5;
}

static void
test_stop_async (Fixture *fx, gconstpointer data)
{
  g_autoptr(GMainContext) context = g_main_context_new ();
  g_autoptr(HsPipeline) runner = background_runner (fx, context);
  g_autoptr(GError) error = NULL;
  StopResult s = { 0 };
  GPtrArray *recordings = g_ptr_array_new_with_free_func (g_object_unref);

  g_signal_connect (fx->recorder, "recording-finished",
      G_CALLBACK (keep_recording), recordings);
  g_assert_true (hs_pipeline_start (runner, &error));
  g_assert_no_error (error);
  hs_test_fixture_run_until (&fx->f, ring_has_frames, fx->recorder);
  /* A long window (post 30 s) is open when the stop comes: the stop waits
   * for its file to close, and the file holds what arrived. */
  hs_recorder_trigger (fx->recorder);
  hs_pipeline_stop_async (runner, NULL, on_stopped, &s);
  hs_test_fixture_run_until (&fx->f, stop_done, &s);

  g_assert_no_error (s.error);
  g_assert_true (s.ok);
  g_assert_false (s.running);
  g_assert_false (hs_recorder_get_busy (fx->recorder));
  g_assert_true (hs_pipeline_wait (runner, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (recordings->len, ==, 1);
  assert_file_of (recordings->pdata[0]);
  g_assert_cmpuint (hs_recording_get_n_frames (recordings->pdata[0]), >, 0);
  g_ptr_array_unref (recordings);

  /* Stopping a stopped runner completes at once. */
  s.done = FALSE;
  hs_pipeline_stop_async (runner, NULL, on_stopped, &s);
  hs_test_fixture_run_until (&fx->f, stop_done, &s);
  g_assert_true (s.ok);
}

/* Holds the runner's loop, so that a stop cannot make progress. */
typedef struct {
  GMutex lock;
  GCond cond;
  gboolean entered;
  gboolean open;
} Gate;

static gboolean
gate_hold (gpointer user_data)
{
  Gate *g = user_data;

  g_mutex_lock (&g->lock);
  g->entered = TRUE;
  g_cond_broadcast (&g->cond);
  while (!g->open)
    g_cond_wait (&g->cond, &g->lock);
  g_mutex_unlock (&g->lock);
  return G_SOURCE_REMOVE;
}

static void
test_stop_async_cancel (Fixture *fx, gconstpointer data)
{
  g_autoptr(GMainContext) context = g_main_context_new ();
  g_autoptr(HsPipeline) runner = background_runner (fx, context);
  g_autoptr(GError) error = NULL;
  StopResult s = { 0 };
  Gate gate = { 0 };

  g_assert_true (hs_pipeline_start (runner, &error));
  hs_test_fixture_run_until (&fx->f, ring_has_frames, fx->recorder);

  g_main_context_invoke (context, gate_hold, &gate);
  g_mutex_lock (&gate.lock);
  while (!gate.entered)
    g_cond_wait (&gate.cond, &gate.lock);
  g_mutex_unlock (&gate.lock);

  /* The runner cannot stop while its loop is held: the cancelled wait
   * ends anyway. */
  hs_pipeline_stop_async (runner, fx->cancellable, on_stopped, &s);
  g_cancellable_cancel (fx->cancellable);
  hs_test_fixture_run_until (&fx->f, stop_done, &s);
  g_assert_error (s.error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_false (s.ok);
  g_assert_true (s.running);
  g_clear_error (&s.error);

  g_mutex_lock (&gate.lock);
  gate.open = TRUE;
  g_cond_broadcast (&gate.cond);
  g_mutex_unlock (&gate.lock);

  /* The stop itself goes on. */
  g_assert_true (hs_pipeline_wait (runner, &error));
  g_assert_no_error (error);
  g_assert_false (hs_pipeline_get_running (runner));
}

static gboolean
stop_from_loop (gpointer user_data)
{
  gpointer *args = user_data;

  hs_pipeline_stop_async (args[0], NULL, on_stopped, args[1]);
  return G_SOURCE_REMOVE;
}

/* run() in the foreground, stop_async from its own loop: the callback comes
 * before run() returns, while the loop still turns. */
static void
test_stop_async_foreground (Fixture *fx, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(HsPipeline) runner = hs_pipeline_new ("videotestsrc is-live=true "
      "! video/x-raw,width=160,height=120,framerate=30/1 ! fakesink sync=true",
      &error);
  StopResult s = { 0 };
  gpointer args[2] = { runner, &s };
  g_autoptr(GSource) later = g_timeout_source_new (300);

  g_assert_no_error (error);
  g_source_set_callback (later, stop_from_loop, args, NULL);
  g_source_attach (later, fx->f.context);
  g_assert_true (hs_pipeline_run (runner, &error));
  g_assert_no_error (error);
  g_assert_true (s.done);
  g_assert_true (s.ok);
  g_assert_false (s.running);
}

static void
add (const char *path, void (*func) (Fixture *, gconstpointer))
{
  g_test_add (path, Fixture, NULL, setup, func, teardown);
}

int
main (int argc, char **argv)
{
  gst_init (&argc, &argv);
  g_test_init (&argc, &argv, NULL);

  add ("/async/record/new-file", test_record_new_file);
  add ("/async/record/extends", test_record_extends);
  add ("/async/record/extends-later", test_record_extends_later);
  add ("/async/record/after-pending", test_record_after_pending);
  add ("/async/record/cancel", test_record_cancel);
  add ("/async/record/cancel-while-writing", test_record_cancel_while_writing);
  add ("/async/record/cancelled-before", test_record_cancelled_before);
  add ("/async/record/stopped", test_record_stopped);
  add ("/async/record/detached", test_record_detached);
  add ("/async/record/other-thread", test_record_other_thread);
  add ("/async/pipeline/stop", test_stop_async);
  add ("/async/pipeline/stop-cancel", test_stop_async_cancel);
  add ("/async/pipeline/stop-foreground", test_stop_async_foreground);

  return g_test_run ();
}
