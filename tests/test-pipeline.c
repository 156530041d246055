/* HsPipeline: building from a description, running in the foreground and
 * in the background, bus errors as GError, graceful stop that waits for
 * every file (decoded afterwards), forced stop, stop_async.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "hs-test-util.h"

#define MS (GST_MSECOND)
#define FRAME(k) ((GstClockTime) gst_util_uint64_scale ((k), GST_SECOND, 30))

#define CAPS "video/x-raw,width=160,height=120,framerate=30/1"

/* Live, endless: only a stop ends it. */
#define LIVE "videotestsrc is-live=true ! " CAPS " ! tee name=t t. ! fakesink"

typedef struct {
  HsTestFixture f;
  HsPipeline *runner;
  HsRecorder *recorder;
  /* frames seen on the tee's sink pad, and when to stop */
  gint n_frames;
  gint stop_at;
  gint drop_eos;
  gint64 stop_requested_us;
  /* stop_async */
  gboolean stop_done;
  gboolean stop_result;
  GError *stop_error;
  /* notify::running */
  GArray *running;
} Fixture;

static void
setup (Fixture *fx, gconstpointer data)
{
  hs_test_fixture_setup (&fx->f, data);
  fx->running = g_array_new (FALSE, FALSE, sizeof (gboolean));
}

static void
teardown (Fixture *fx, gconstpointer data)
{
  g_clear_object (&fx->recorder);
  g_clear_object (&fx->runner);
  g_clear_error (&fx->stop_error);
  g_array_unref (fx->running);
  hs_test_fixture_teardown (&fx->f, data);
}

static GstElement *
pipeline_of (Fixture *fx)
{
  return hs_pipeline_get_pipeline (fx->runner);
}

static void
on_running (HsPipeline *runner, GParamSpec *pspec, Fixture *fx)
{
  gboolean running = hs_pipeline_get_running (runner);

  g_array_append_val (fx->running, running);
}

static void
make_runner (Fixture *fx, const char *description)
{
  g_autoptr(GError) error = NULL;

  fx->runner = hs_pipeline_new (description, &error);
  g_assert_no_error (error);
  g_assert_nonnull (fx->runner);
  g_signal_connect (fx->runner, "notify::running", G_CALLBACK (on_running),
      fx);
}

static void
make_recorder (Fixture *fx, double pre, double post)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *location = hs_test_fixture_path (&fx->f, "%{index}.webm");

  fx->recorder = g_initable_new (HS_TYPE_RECORDER, NULL, &error,
      "pipeline", pipeline_of (fx), "source", "t", "pre", pre, "post", post,
      "location", location, NULL);
  g_assert_no_error (error);
  hs_test_fixture_watch (&fx->f, fx->recorder);
}

/* Counts the frames that reach the tee; at stop_at, asks for a stop from
 * the streaming thread, as a signal handler or another thread would. Drops
 * EOS when told to, so that a stop can never finish. */
static GstPadProbeReturn
on_tee_data (GstPad *pad, GstPadProbeInfo *info, gpointer user_data)
{
  Fixture *fx = user_data;

  if (info->type & GST_PAD_PROBE_TYPE_EVENT_DOWNSTREAM) {
    GstEvent *event = GST_PAD_PROBE_INFO_EVENT (info);

    if (GST_EVENT_TYPE (event) == GST_EVENT_EOS &&
        g_atomic_int_get (&fx->drop_eos))
      return GST_PAD_PROBE_DROP;
    return GST_PAD_PROBE_OK;
  }
  if (g_atomic_int_add (&fx->n_frames, 1) + 1 == g_atomic_int_get (&fx->stop_at)) {
    fx->stop_requested_us = g_get_monotonic_time ();
    hs_pipeline_stop (fx->runner);
  }
  return GST_PAD_PROBE_OK;
}

static void
watch_tee (Fixture *fx, gint stop_at)
{
  g_autoptr(GstElement) tee = gst_bin_get_by_name (GST_BIN (pipeline_of (fx)),
      "t");
  g_autoptr(GstPad) pad = gst_element_get_static_pad (tee, "sink");

  fx->stop_at = stop_at;
  gst_pad_add_probe (pad, GST_PAD_PROBE_TYPE_BUFFER |
      GST_PAD_PROBE_TYPE_EVENT_DOWNSTREAM, on_tee_data, fx, NULL);
}

static gboolean
on_run_watchdog (gpointer data)
{
  Fixture *fx = data;

  g_error ("watchdog: hs_pipeline_run() did not return within %u s",
      fx->f.timeout_s);
  return G_SOURCE_REMOVE;
}

/* hs_pipeline_run() iterates the fixture's context (thread-default when the
 * runner was made): a watchdog there fails the test instead of hanging. */
static gboolean
run_runner (Fixture *fx, GError **error)
{
  GSource *watchdog = g_timeout_source_new_seconds (fx->f.timeout_s);
  gboolean ok;

  g_source_set_callback (watchdog, on_run_watchdog, fx, NULL);
  g_source_attach (watchdog, fx->f.context);
  ok = hs_pipeline_run (fx->runner, error);
  g_source_destroy (watchdog);
  g_source_unref (watchdog);
  return ok;
}

static HsRecording *
only_recording (Fixture *fx)
{
  g_assert_cmpuint (fx->f.finished->len, ==, 1);
  return fx->f.finished->pdata[0];
}

/* The file holds what the recording says, every frame of it, and decodes to
 * its last frame. */
static void
assert_complete (HsRecording *r)
{
  g_auto(HsTestFileInfo) info = { 0 };
  g_autoptr(GError) error = NULL;

  g_assert_nonnull (hs_recording_get_location (r));
  hs_test_assert_file (hs_recording_get_location (r),
      hs_recording_get_n_frames (r), hs_recording_get_start_time (r),
      hs_recording_get_end_time (r));
  g_assert_true (hs_test_probe_file (hs_recording_get_location (r), &info,
          &error));
  g_assert_no_error (error);
  /* No gap, unless the live source's queue had to drop (and said so). A
   * live source on a loaded machine may stamp a frame a little off the
   * 30 fps grid: a gap is a step of a frame and a half or more. */
  if (hs_recording_get_n_dropped (r) == 0) {
    for (guint i = 1; i < info.pts->len; i++) {
      GstClockTime a = g_array_index (info.pts, GstClockTime, i - 1);
      GstClockTime b = g_array_index (info.pts, GstClockTime, i);

      g_assert_cmpuint (b, >, a);
      if (b - a >= FRAME (3) / 2)
        g_error ("gap of %" GST_TIME_FORMAT " after frame %u at %"
            GST_TIME_FORMAT, GST_TIME_ARGS (b - a), i - 1, GST_TIME_ARGS (a));
    }
  }
}

/* ------------------------------------------------------------------------ */
/* Descriptions                                                             */

typedef struct {
  const char *name;
  const char *description;
  const char *message;          /* a part of the error */
} BadCase;

static const BadCase bad_cases[] = {
  { "no-such-element", "videotestsrc ! nosuchelement ! fakesink",
    "nosuchelement" },
  { "two-missing", "nosuchsrc ! othermissing", "nosuchsrc" },
  { "no-such-property", "videotestsrc nosuchproperty=1 ! fakesink",
    "nosuchproperty" },
  { "bad-property-value", "videotestsrc num-buffers=many ! fakesink",
    "num-buffers" },
  { "syntax", "videotestsrc ! ! fakesink", "" },
  { "unknown-reference", "videotestsrc ! nosuchname.", "nosuchname" },
  { "empty", "", "" },
};

static void
test_description_bad (gconstpointer data)
{
  const BadCase *bc = data;
  g_autoptr(GError) error = NULL;
  g_autoptr(HsPipeline) runner = hs_pipeline_new (bc->description, &error);

  g_assert_null (runner);
  g_assert_error (error, HS_PIPELINE_ERROR, HS_PIPELINE_ERROR_DESCRIPTION);
  if (strstr (error->message, bc->message) == NULL)
    g_error ("'%s': the error \"%s\" does not say \"%s\"", bc->description,
        error->message, bc->message);
}

typedef struct {
  const char *name;
  const char *description;
  const char *element;          /* an element the pipeline holds */
} GoodCase;

static const GoodCase good_cases[] = {
  { "pipeline", "fakesrc name=a ! fakesink", "a" },
  /* one element or a bin is put into a pipeline */
  { "one-element", "fakesrc name=a", "a" },
  { "bin", "( fakesrc name=a ! fakesink )", "a" },
};

static void
test_description_good (gconstpointer data)
{
  const GoodCase *gc = data;
  g_autoptr(GError) error = NULL;
  g_autoptr(HsPipeline) runner = hs_pipeline_new (gc->description, &error);
  g_autoptr(GstElement) element = NULL;
  GstElement *pipeline;

  g_assert_no_error (error);
  pipeline = hs_pipeline_get_pipeline (runner);
  g_assert_true (GST_IS_PIPELINE (pipeline));
  element = gst_bin_get_by_name (GST_BIN (pipeline), gc->element);
  g_assert_nonnull (element);
  g_assert_false (hs_pipeline_get_running (runner));
  g_assert_cmpfloat (hs_pipeline_get_force_timeout (runner), ==,
      HS_PIPELINE_DEFAULT_FORCE_TIMEOUT);
}

static void
test_new_for_pipeline (void)
{
  GstElement *pipeline = gst_object_ref_sink (gst_pipeline_new ("mine"));
  HsPipeline *runner = hs_pipeline_new_for_pipeline (pipeline);
  GstElement *got = NULL;

  /* The application's own pipeline, kept alive by the runner. */
  g_assert_true (hs_pipeline_get_pipeline (runner) == pipeline);
  g_object_get (runner, "pipeline", &got, NULL);
  g_assert_true (got == pipeline);
  gst_object_unref (got);
  gst_object_unref (pipeline);
  g_assert_cmpstr (GST_OBJECT_NAME (hs_pipeline_get_pipeline (runner)), ==,
      "mine");
  g_object_unref (runner);
}

/* ------------------------------------------------------------------------ */
/* Running in the foreground                                                */

static void
test_run_until_eos (Fixture *fx, gconstpointer data)
{
  g_autoptr(GError) error = NULL;

  make_runner (fx, "videotestsrc num-buffers=30 ! fakesink sync=false");
  g_assert_true (run_runner (fx, &error));
  g_assert_no_error (error);
  g_assert_false (hs_pipeline_get_running (fx->runner));
  g_assert_cmpint (GST_STATE (pipeline_of (fx)), ==, GST_STATE_NULL);
  g_assert_cmpuint (fx->running->len, ==, 2);
  g_assert_true (g_array_index (fx->running, gboolean, 0));
  g_assert_false (g_array_index (fx->running, gboolean, 1));

  /* A runner runs again. */
  g_assert_true (run_runner (fx, &error));
  g_assert_no_error (error);
}

static void
test_run_eos_waits_for_file (Fixture *fx, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  HsRecording *r;
  gboolean ok;

  /* 2 s of frames; the window [0.5 s, 3.5 s) outlasts the source, so the
   * file closes at EOS, and run() returns only after it has. */
  make_runner (fx, "videotestsrc num-buffers=60 ! " CAPS " ! tee name=t "
      "t. ! fakesink sync=false");
  make_recorder (fx, 1, 2);
  hs_recorder_trigger_at (fx->recorder, 1500 * MS);
  ok = run_runner (fx, &error);
  g_assert_no_error (error);
  g_assert_true (ok);

  r = only_recording (fx);
  g_assert_no_error ((GError *) hs_recording_get_error (r));
  g_assert_false (hs_recorder_get_busy (fx->recorder));
  g_assert_cmpuint (hs_recording_get_n_frames (r), ==, 45);
  hs_test_assert_file (hs_recording_get_location (r), 45, FRAME (15),
      FRAME (59));
}

/* Known defect, recorder/hs-recorder.c pump(): when the source's error
 * and the EOS that follows it are both seen by the time the recorder looks,
 * the EOS branch wins and the recording finishes with no error. */
typedef struct {
  const char *name;
  const char *description;
  int code;
  const char *element;          /* the element the message names */
} ErrorCase;

static const ErrorCase error_cases[] = {
  /* cannot even start: the file is opened going to PAUSED */
  { "missing-file", "filesrc name=reader location=/nonexistent/hindsight ! "
    "fakesink", HS_PIPELINE_ERROR_STATE, "reader" },
  /* fails on its first buffer, while running */
  { "unwritable-output", "videotestsrc num-buffers=30 ! multifilesink "
    "name=writer location=/nonexistent/hindsight/%05d", HS_PIPELINE_ERROR_STREAM,
    "writer" },
  /* fails after 20 frames */
  { "mid-stream", "videotestsrc num-buffers=100 ! identity name=breaker "
    "error-after=20 ! fakesink sync=false", HS_PIPELINE_ERROR_STREAM,
    "breaker" },
};

static void
test_run_error (Fixture *fx, gconstpointer data)
{
  const ErrorCase *ec = data;
  g_autoptr(GError) error = NULL;

  make_runner (fx, ec->description);
  g_assert_false (run_runner (fx, &error));
  g_assert_error (error, HS_PIPELINE_ERROR, ec->code);
  if (strstr (error->message, ec->element) == NULL)
    g_error ("the error \"%s\" does not name '%s'", error->message,
        ec->element);
  g_assert_false (hs_pipeline_get_running (fx->runner));
  g_assert_cmpint (GST_STATE (pipeline_of (fx)), ==, GST_STATE_NULL);
}

static void
test_run_error_closes_file (Fixture *fx, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  HsRecording *r;

  /* The source breaks at its 45th frame, inside the window [0.5 s, 6 s):
   * the recording reports it, and its file is whole up to the last frame
   * that came, before run() returns. */
  make_runner (fx, "videotestsrc num-buffers=300 ! " CAPS " ! "
      "identity name=breaker error-after=45 ! tee name=t t. ! "
      "fakesink sync=false");
  make_recorder (fx, 0.5, 5);
  hs_recorder_trigger_at (fx->recorder, GST_SECOND);
  g_assert_false (run_runner (fx, &error));
  g_assert_error (error, HS_PIPELINE_ERROR, HS_PIPELINE_ERROR_STREAM);
  g_assert_nonnull (strstr (error->message, "breaker"));

  /* identity fails on its 45th buffer: frames 0 .. 43 reached the tee, the
   * window wants 15 .. 43, including those still queued in the ring branch
   * when the error was posted. */
  r = only_recording (fx);
  g_assert_error ((GError *) hs_recording_get_error (r), HS_ERROR,
      HS_ERROR_SOURCE);
  g_assert_nonnull (strstr (hs_recording_get_error (r)->message, "breaker"));
  assert_complete (r);
  hs_test_assert_file (hs_recording_get_location (r), 29, FRAME (15),
      FRAME (43));
}

static gboolean
appsinks_eos (GstElement *pipeline)
{
  g_autoptr(GstIterator) it = gst_bin_iterate_all_by_element_factory_name (
      GST_BIN (pipeline), "appsink");
  GValue item = G_VALUE_INIT;
  gboolean all = TRUE, any = FALSE;

  while (gst_iterator_next (it, &item) == GST_ITERATOR_OK) {
    gboolean eos = FALSE;

    g_object_get (g_value_get_object (&item), "eos", &eos, NULL);
    all &= eos;
    any = TRUE;
    g_value_reset (&item);
  }
  g_value_unset (&item);
  return any && all;
}

static void
test_error_then_eos (Fixture *fx, gconstpointer data)
{
  gint64 deadline = g_get_monotonic_time () + 20 * G_TIME_SPAN_SECOND;
  HsRecording *r;

  /* A source that fails posts its error, then sends EOS (GstBaseSrc does
   * so on a fatal flow error). Let both reach the recorder before its
   * context gets to look: the recording must still say the source failed,
   * whatever the timing. */
  make_runner (fx, "videotestsrc num-buffers=300 ! " CAPS " ! "
      "identity name=breaker error-after=45 ! tee name=t t. ! "
      "fakesink sync=false");
  make_recorder (fx, 0.5, 5);
  hs_recorder_trigger_at (fx->recorder, GST_SECOND);
  hs_test_play (pipeline_of (fx));
  /* Waits without iterating the recorder's context, so a bounded poll. */
  while (!appsinks_eos (pipeline_of (fx))) {
    if (g_get_monotonic_time () > deadline)
      g_error ("watchdog: the recorder's appsink never got EOS");
    g_usleep (2000);
  }
  hs_test_fixture_wait_idle (&fx->f, fx->recorder);
  hs_test_stop (pipeline_of (fx));

  /* identity fails on its 45th buffer: frames 0 .. 43 reached the tee */
  r = only_recording (fx);
  g_assert_error ((GError *) hs_recording_get_error (r), HS_ERROR,
      HS_ERROR_SOURCE);
  g_assert_nonnull (strstr (hs_recording_get_error (r)->message, "breaker"));
  assert_complete (r);
  hs_test_assert_file (hs_recording_get_location (r), 29, FRAME (15),
      FRAME (43));
}

static void
test_stop_graceful (Fixture *fx, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  HsRecording *r;

  /* A recording that would go on for 30 s; stop at the 30th frame. */
  make_runner (fx, LIVE);
  make_recorder (fx, 0.2, 30);
  watch_tee (fx, 30);
  hs_recorder_trigger_at (fx->recorder, 500 * MS);
  g_assert_true (run_runner (fx, &error));
  g_assert_no_error (error);

  /* The file was closed before run() returned, and it is whole. */
  r = only_recording (fx);
  g_assert_no_error ((GError *) hs_recording_get_error (r));
  /* A live source stamps frames with the clock: the first frame at or
   * after 0.3 s, ... */
  g_assert_cmpuint (hs_recording_get_start_time (r), >=, 300 * MS);
  g_assert_cmpuint (hs_recording_get_start_time (r), <, 300 * MS + FRAME (1));
  /* ... to (at least) every frame that reached the tee before the stop */
  g_assert_cmpuint (hs_recording_get_end_time (r), >=, FRAME (29));
  assert_complete (r);
  g_assert_false (hs_recorder_get_busy (fx->recorder));
  g_assert_cmpint (GST_STATE (pipeline_of (fx)), ==, GST_STATE_NULL);
}

static void
test_stop_idle (Fixture *fx, gconstpointer data)
{
  g_autoptr(GError) error = NULL;

  /* No recorder busy: a stop is quick, and harmless when repeated. */
  make_runner (fx, LIVE);
  make_recorder (fx, 1, 1);
  watch_tee (fx, 10);
  g_assert_true (run_runner (fx, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (fx->f.finished->len, ==, 0);
  hs_pipeline_stop (fx->runner);
  g_assert_false (hs_pipeline_get_running (fx->runner));
}

static void
test_stop_forced (Fixture *fx, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  gint64 returned_us;

  /* The EOS never reaches the tee: the recorder's file cannot close, the
   * pipeline never ends, and the stop is forced after force-timeout. */
  make_runner (fx, LIVE);
  g_object_set (fx->runner, "force-timeout", 0.5, NULL);
  make_recorder (fx, 0.2, 30);
  fx->drop_eos = TRUE;
  watch_tee (fx, 15);
  hs_recorder_trigger_at (fx->recorder, 0);
  g_assert_false (run_runner (fx, &error));
  returned_us = g_get_monotonic_time ();
  g_assert_error (error, HS_PIPELINE_ERROR, HS_PIPELINE_ERROR_FORCED);
  g_assert_nonnull (strstr (error->message, "0.5"));
  g_assert_cmpint (returned_us - fx->stop_requested_us, >=,
      500 * G_TIME_SPAN_MILLISECOND);
  g_assert_cmpint (returned_us - fx->stop_requested_us, <,
      5 * G_TIME_SPAN_SECOND);
  g_assert_false (hs_pipeline_get_running (fx->runner));
  g_assert_cmpint (GST_STATE (pipeline_of (fx)), ==, GST_STATE_NULL);
  /* The file was still open when the stop was forced. */
  g_assert_cmpuint (fx->f.finished->len, ==, 0);
}

/* ------------------------------------------------------------------------ */
/* stop_async                                                               */

static void
on_stopped (GObject *source, GAsyncResult *result, gpointer user_data)
{
  Fixture *fx = user_data;

  g_assert_true (g_main_context_is_owner (fx->f.context));
  fx->stop_result = hs_pipeline_stop_finish (HS_PIPELINE (source), result,
      &fx->stop_error);
  fx->stop_done = TRUE;
}

static gboolean
stop_done (gpointer data)
{
  Fixture *fx = data;

  return fx->stop_done;
}

static void
on_started_stop_async (HsRecorder *recorder, HsRecording *recording,
                       Fixture *fx)
{
  hs_pipeline_stop_async (fx->runner, NULL, on_stopped, fx);
}

static void
test_stop_async_not_running (Fixture *fx, gconstpointer data)
{
  make_runner (fx, LIVE);
  hs_pipeline_stop_async (fx->runner, NULL, on_stopped, fx);
  hs_test_fixture_run_until (&fx->f, stop_done, fx);
  g_assert_true (fx->stop_result);
  g_assert_no_error (fx->stop_error);
}

static void
test_stop_async_foreground (Fixture *fx, gconstpointer data)
{
  g_autoptr(GError) error = NULL;

  /* Asked from the loop, once the file has opened. */
  make_runner (fx, LIVE);
  make_recorder (fx, 0.2, 30);
  g_signal_connect (fx->recorder, "recording-started",
      G_CALLBACK (on_started_stop_async), fx);
  hs_recorder_trigger_at (fx->recorder, 300 * MS);
  g_assert_true (run_runner (fx, &error));
  g_assert_no_error (error);
  hs_test_fixture_run_until (&fx->f, stop_done, fx);
  g_assert_true (fx->stop_result);
  g_assert_no_error (fx->stop_error);
  assert_complete (only_recording (fx));
}

static void
test_stop_async_forced (Fixture *fx, gconstpointer data)
{
  g_autoptr(GError) error = NULL;

  /* The outcome reaches the callback too. */
  make_runner (fx, LIVE);
  g_object_set (fx->runner, "force-timeout", 0.2, NULL);
  make_recorder (fx, 0.2, 30);
  fx->drop_eos = TRUE;
  watch_tee (fx, 0);
  g_signal_connect (fx->recorder, "recording-started",
      G_CALLBACK (on_started_stop_async), fx);
  hs_recorder_trigger_at (fx->recorder, 300 * MS);
  g_assert_false (run_runner (fx, &error));
  g_assert_error (error, HS_PIPELINE_ERROR, HS_PIPELINE_ERROR_FORCED);
  hs_test_fixture_run_until (&fx->f, stop_done, fx);
  g_assert_false (fx->stop_result);
  g_assert_error (fx->stop_error, HS_PIPELINE_ERROR, HS_PIPELINE_ERROR_FORCED);
}

/* ------------------------------------------------------------------------ */
/* Running in the background                                                */

typedef struct {
  HsPipeline *runner;
  gboolean result;
  GError *error;
  gint done;
} Waiter;

static gpointer
wait_in_thread (gpointer data)
{
  Waiter *w = data;

  w->result = hs_pipeline_wait (w->runner, &w->error);
  g_atomic_int_set (&w->done, 1);
  return NULL;
}

static gboolean
waiter_done (gpointer data)
{
  Waiter *w = data;

  return g_atomic_int_get (&w->done);
}

static gboolean
frames_past (gpointer data)
{
  Fixture *fx = data;

  return g_atomic_int_get (&fx->n_frames) >= 30;
}

/* Recording signals come on the runner's thread: keep them under a lock. */
typedef struct {
  GMutex lock;
  guint started;
  GPtrArray *finished;
} Collector;

static void
collect_started (HsRecorder *recorder, HsRecording *recording, Collector *c)
{
  g_mutex_lock (&c->lock);
  c->started++;
  g_mutex_unlock (&c->lock);
}

static void
collect_finished (HsRecorder *recorder, HsRecording *recording, Collector *c)
{
  g_mutex_lock (&c->lock);
  g_ptr_array_add (c->finished, g_object_ref (recording));
  g_mutex_unlock (&c->lock);
}

static gboolean
collector_started (gpointer data)
{
  Collector *c = data;
  gboolean started;

  g_mutex_lock (&c->lock);
  started = c->started > 0;
  g_mutex_unlock (&c->lock);
  return started;
}

static void
background (Fixture *fx, gboolean use_stop_async)
{
  g_autoptr(GMainContext) context = g_main_context_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *location = hs_test_fixture_path (&fx->f, "%{index}.webm");
  Collector c = { .finished = g_ptr_array_new_with_free_func (g_object_unref) };
  Waiter w = { 0 };
  GThread *waiter;

  g_mutex_init (&c.lock);
  /* The runner and its recorder belong to a context of their own, which
   * the runner's thread iterates; this thread keeps the fixture's. */
  g_main_context_push_thread_default (context);
  make_runner (fx, LIVE);
  fx->recorder = g_initable_new (HS_TYPE_RECORDER, NULL, &error,
      "pipeline", pipeline_of (fx), "source", "t", "pre", 0.2, "post", 30.0,
      "location", location, NULL);
  g_assert_no_error (error);
  g_signal_connect (fx->recorder, "recording-started",
      G_CALLBACK (collect_started), &c);
  g_signal_connect (fx->recorder, "recording-finished",
      G_CALLBACK (collect_finished), &c);
  hs_recorder_trigger_at (fx->recorder, 300 * MS);
  g_main_context_pop_thread_default (context);
  watch_tee (fx, 0);

  g_assert_true (hs_pipeline_start (fx->runner, &error));
  g_assert_no_error (error);
  g_assert_true (hs_pipeline_get_running (fx->runner));
  /* Only one run at a time. */
  g_assert_false (hs_pipeline_start (fx->runner, &error));
  g_assert_error (error, HS_PIPELINE_ERROR, HS_PIPELINE_ERROR_RUNNING);
  g_clear_error (&error);
  g_assert_false (hs_pipeline_run (fx->runner, &error));
  g_assert_error (error, HS_PIPELINE_ERROR, HS_PIPELINE_ERROR_RUNNING);
  g_clear_error (&error);

  hs_test_fixture_run_until (&fx->f, frames_past, fx);
  hs_test_fixture_run_until (&fx->f, collector_started, &c);
  if (use_stop_async) {
    /* The callback comes on this thread's context. */
    hs_pipeline_stop_async (fx->runner, NULL, on_stopped, fx);
    hs_test_fixture_run_until (&fx->f, stop_done, fx);
    g_assert_true (fx->stop_result);
    g_assert_no_error (fx->stop_error);
  } else {
    hs_pipeline_stop (fx->runner);
  }

  w.runner = fx->runner;
  waiter = g_thread_new ("waiter", wait_in_thread, &w);
  hs_test_fixture_run_until (&fx->f, waiter_done, &w);
  g_thread_join (waiter);
  g_assert_no_error (w.error);
  g_assert_true (w.result);
  g_assert_false (hs_pipeline_get_running (fx->runner));
  g_assert_cmpint (GST_STATE (pipeline_of (fx)), ==, GST_STATE_NULL);

  /* The file closed before the runner's thread ended. */
  g_assert_cmpuint (c.finished->len, ==, 1);
  g_assert_no_error ((GError *) hs_recording_get_error (c.finished->pdata[0]));
  assert_complete (c.finished->pdata[0]);

  /* Nothing to wait for any more. */
  g_assert_false (hs_pipeline_wait (fx->runner, &error));
  g_assert_error (error, HS_PIPELINE_ERROR, HS_PIPELINE_ERROR_RUNNING);

  g_clear_object (&fx->recorder);
  g_ptr_array_unref (c.finished);
  g_mutex_clear (&c.lock);
}

static void
test_background_stop (Fixture *fx, gconstpointer data)
{
  background (fx, FALSE);
}

static void
test_background_stop_async (Fixture *fx, gconstpointer data)
{
  background (fx, TRUE);
}

static void
test_background_eos (Fixture *fx, gconstpointer data)
{
  g_autoptr(GMainContext) context = g_main_context_new ();
  g_autoptr(GError) error = NULL;
  Waiter w = { 0 };
  GThread *waiter;

  /* Ends on its own: wait() returns what run() would have. */
  g_main_context_push_thread_default (context);
  make_runner (fx, "videotestsrc num-buffers=100 ! identity name=breaker "
      "error-after=50 ! fakesink sync=false");
  g_main_context_pop_thread_default (context);
  g_assert_true (hs_pipeline_start (fx->runner, &error));
  w.runner = fx->runner;
  waiter = g_thread_new ("waiter", wait_in_thread, &w);
  hs_test_fixture_run_until (&fx->f, waiter_done, &w);
  g_thread_join (waiter);
  g_assert_false (w.result);
  g_assert_error (w.error, HS_PIPELINE_ERROR, HS_PIPELINE_ERROR_STREAM);
  g_assert_nonnull (strstr (w.error->message, "breaker"));
  g_clear_error (&w.error);
}

/* ------------------------------------------------------------------------ */
/* Programmer errors                                                        */

typedef struct {
  const char *name;
  void (*call) (void);
  const char *stderr_pattern;
} MisuseCase;

static void
new_null (void)
{
  g_autoptr(HsPipeline) runner = hs_pipeline_new (NULL, NULL);
}

static void
run_null (void)
{
  hs_pipeline_run (NULL, NULL);
}

static void
negative_force_timeout (void)
{
  g_autoptr(HsPipeline) runner = hs_pipeline_new ("fakesrc ! fakesink", NULL);

  hs_pipeline_set_force_timeout (runner, -1);
}

static void
wrap_null (void)
{
  g_autoptr(HsPipeline) runner = hs_pipeline_new_for_pipeline (NULL);
}

static const MisuseCase misuse_cases[] = {
  { "new-null", new_null, "*CRITICAL*description != NULL*" },
  { "run-null", run_null, "*CRITICAL*HS_IS_PIPELINE*" },
  { "negative-force-timeout", negative_force_timeout,
    "*CRITICAL*seconds >= 0*" },
  { "wrap-null", wrap_null, "*CRITICAL*GST_IS_ELEMENT*" },
};

static void
test_misuse (gconstpointer data)
{
  const MisuseCase *mc = data;

  if (g_test_subprocess ()) {
    mc->call ();
    return;
  }
  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_failed ();
  g_test_trap_assert_stderr (mc->stderr_pattern);
}

/* ------------------------------------------------------------------------ */

static void
add (const char *path, void (*func) (Fixture *, gconstpointer))
{
  g_test_add (path, Fixture, NULL, setup, func, teardown);
}

#define ADD_DATA(prefix, cases, func)                                         \
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++) {                          \
    g_autofree char *path = g_strdup_printf (prefix "/%s", cases[i].name);    \
    g_test_add_data_func_full (path, (gpointer) &cases[i], func, NULL);       \
  }

int
main (int argc, char **argv)
{
  gst_init (&argc, &argv);
  g_test_init (&argc, &argv, NULL);

  ADD_DATA ("/pipeline/description/bad", bad_cases, test_description_bad);
  ADD_DATA ("/pipeline/description/good", good_cases, test_description_good);
  g_test_add_func ("/pipeline/description/own-pipeline",
      test_new_for_pipeline);
  add ("/pipeline/run/until-eos", test_run_until_eos);
  add ("/pipeline/run/eos-waits-for-file", test_run_eos_waits_for_file);
  for (guint i = 0; i < G_N_ELEMENTS (error_cases); i++) {
    g_autofree char *path = g_strdup_printf ("/pipeline/run/error/%s",
        error_cases[i].name);

    g_test_add (path, Fixture, &error_cases[i], setup, test_run_error,
        teardown);
  }
  add ("/pipeline/run/error-closes-file", test_run_error_closes_file);
  add ("/pipeline/run/error-then-eos", test_error_then_eos);
  add ("/pipeline/stop/graceful", test_stop_graceful);
  add ("/pipeline/stop/idle", test_stop_idle);
  add ("/pipeline/stop/forced", test_stop_forced);
  add ("/pipeline/stop-async/not-running", test_stop_async_not_running);
  add ("/pipeline/stop-async/foreground", test_stop_async_foreground);
  add ("/pipeline/stop-async/forced", test_stop_async_forced);
  add ("/pipeline/background/stop", test_background_stop);
  add ("/pipeline/background/stop-async", test_background_stop_async);
  add ("/pipeline/background/error", test_background_eos);
  ADD_DATA ("/pipeline/misuse", misuse_cases, test_misuse);

  return g_test_run ();
}
