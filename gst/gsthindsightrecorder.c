/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "gsthindsightrecorder.h"

#include <hindsight.h>

#include "hs-recorder-private.h"
#include "hs-settings-private.h"

/**
 * SECTION:element-hindsightrecorder
 *
 * A sink that keeps the last seconds of the video it is given and, on a
 * trigger, writes a file that starts `pre` seconds before it: the recorder
 * of the hindsight library (the same ring, windows and files as
 * HsRecorder), placed on a tee branch like any sink.
 *
 * |[
 * gst-launch-1.0 -e videotestsrc is-live=true num-buffers=300 ! tee name=t \
 *   t. ! queue ! autovideosink \
 *   t. ! queue ! hindsightrecorder pre=2 post=2 trigger-times="<3.0>"
 * ]| writes the frames of [1 s, 5 s) to recordings/.
 *
 * Triggers, on the pipeline's running time: the action signals `trigger`
 * (now), `trigger-at` (a running time) and `stop`; the custom event
 * `hindsight-trigger`, downstream (from an analysis element upstream) or
 * upstream (gst_element_send_event() on the pipeline), with an optional
 * `running-time` (guint64) field; element messages named by
 * #GstHindsightRecorder:trigger-on-message;
 * #GstHindsightRecorder:trigger-times.
 *
 * Reports: element messages `hindsight-recording-started` and
 * `hindsight-recording-finished` carrying the HsRecording's fields, the
 * signals `recording-started` and `recording-finished` carrying the
 * HsRecording itself, and a warning message for each recording that
 * failed: a recording's failure is never an error of the pipeline.
 *
 * The element's EOS (and so the pipeline's) waits until every file is
 * closed: `gst-launch-1.0 -e` and Ctrl+C leave complete files.
 *
 * Decisions, reports and signals run on a thread the element owns while it
 * is PAUSED or PLAYING (no main loop of the application is needed); do not
 * change the pipeline's state from the signal handlers.
 */

GST_DEBUG_CATEGORY_STATIC (gst_hindsight_recorder_debug);
#define GST_CAT_DEFAULT gst_hindsight_recorder_debug

#define TRIGGER_NAME "hindsight-trigger"
/* How long an event in the stream waits for the recorder to take its
 * trigger (it normally takes well under a millisecond). */
#define IN_STREAM_WAIT_US (G_USEC_PER_SEC)

struct _GstHindsightRecorder
{
  GstBin parent_instance;

  GstPad *video_pad;            /* always; a ghost of the branch's sink pad */

  GMutex lock;
  /* Under lock: the properties. */
  GValue settings[HS_N_SETTINGS];
  GValue trigger_times;         /* GST_TYPE_ARRAY of seconds */
  char *trigger_message;
  /* Under lock: the running session, from READY→PAUSED to PAUSED→READY.
   * It changes only there, and only once the context's thread has
   * stopped, so that thread may use it after reading it under the lock. */
  HsRecorder *recorder;
  GMainContext *context;
  gboolean recorder_busy;       /* as last notified by the recorder */
  guint pending;                /* triggers given to the context, not run */
  guint64 n_sent;               /* requests given to the context */
  guint64 n_ran;                /* of those, the last that has run */
  GCond ran;                    /* n_ran moved, or the context went */
  GArray *queued;               /* GstClockTime (NONE: now): triggers made
                                 * while stopped, for the next start */
  GstMessage *held_eos;

  /* Set and cleared by state changes. */
  GThread *thread;
  gint quit;                    /* atomic: the context's thread ends */
  GstBus *bus;                  /* the top-level pipeline's */
  gulong message_handler;
  GstElement *branch;           /* the recorder's ring branch, our child */

  /* The video pad's streaming thread. */
  GstSegment segment;
  GstClockTime last_running_time; /* of the newest buffer */
};

G_DEFINE_FINAL_TYPE_WITH_CODE (GstHindsightRecorder, gst_hindsight_recorder,
    GST_TYPE_BIN,
    GST_DEBUG_CATEGORY_INIT (gst_hindsight_recorder_debug,
        "hindsight-element", 0, "hindsightrecorder element"))

GST_ELEMENT_REGISTER_DEFINE (hindsightrecorder, "hindsightrecorder",
    GST_RANK_NONE, GST_TYPE_HINDSIGHT_RECORDER)

enum
{
  PROP_0,
  PROP_BUSY,
  PROP_TRIGGER_TIMES,
  PROP_TRIGGER_ON_MESSAGE,
  PROP_FIRST_SETTING,
  N_PROPS = PROP_FIRST_SETTING + HS_N_SETTINGS
};

static GParamSpec *properties[N_PROPS];

/* Settings HsRecorder takes only when it is made: here they take effect at
 * the next start. */
static gboolean at_start_only[HS_N_SETTINGS];

enum
{
  SIGNAL_TRIGGER,
  SIGNAL_TRIGGER_AT,
  SIGNAL_STOP,
  SIGNAL_RECORDING_STARTED,
  SIGNAL_RECORDING_FINISHED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

/* The video the ring branch takes: raw, in any memory its converter (by
 * default `auto`) can bring into system memory. A later `audio` request pad
 * would take its template next to this one. */
static GstStaticPadTemplate video_template = GST_STATIC_PAD_TEMPLATE ("video",
    GST_PAD_SINK, GST_PAD_ALWAYS,
    GST_STATIC_CAPS ("video/x-raw(ANY); video/x-h264; video/x-h265; "
        "video/x-vp8; video/x-vp9; video/x-av1"));

/* ------------------------------------------------------------------------ */
/* Requests: triggers and stops, run on the context's thread                */

typedef enum {
  REQUEST_TRIGGER,
  REQUEST_STOP,
  REQUEST_EOS,                  /* pass the held EOS on once idle */
  REQUEST_SET,                  /* a setting changed */
} RequestType;

typedef struct {
  GstHindsightRecorder *self;
  RequestType type;
  GstClockTime time;            /* TRIGGER: NONE for now */
  GParamSpec *pspec;            /* SET */
  guint64 seq;                  /* requests run in the order sent */
} Request;

static void
request_free (gpointer data)
{
  Request *r = data;

  gst_object_unref (r->self);
  g_free (r);
}

/* The recorder, for the context's thread (see
 * GstHindsightRecorder.recorder). */
static HsRecorder *
get_recorder (GstHindsightRecorder *self)
{
  HsRecorder *recorder;

  g_mutex_lock (&self->lock);
  recorder = self->recorder ? g_object_ref (self->recorder) : NULL;
  g_mutex_unlock (&self->lock);
  return recorder;
}

static void
release_eos (GstHindsightRecorder *self)
{
  GstMessage *eos;

  g_mutex_lock (&self->lock);
  eos = g_steal_pointer (&self->held_eos);
  g_mutex_unlock (&self->lock);
  if (eos == NULL)
    return;
  GST_INFO_OBJECT (self, "every file is closed: passing EOS on");
  GST_BIN_CLASS (gst_hindsight_recorder_parent_class)->handle_message (
      GST_BIN (self), eos);
}

static gboolean
run_request (gpointer data)
{
  Request *r = data;
  GstHindsightRecorder *self = r->self;
  g_autoptr(HsRecorder) recorder = get_recorder (self);
  GValue value = G_VALUE_INIT;

  if (recorder != NULL) {
    switch (r->type) {
      case REQUEST_TRIGGER:
        if (r->time == GST_CLOCK_TIME_NONE)
          hs_recorder_trigger (recorder);
        else
          hs_recorder_trigger_at (recorder, r->time);
        break;
      case REQUEST_STOP:
        hs_recorder_stop (recorder);
        break;
      case REQUEST_EOS:
        if (!hs_recorder_get_busy (recorder))
          release_eos (self);
        break;
      case REQUEST_SET:
        g_value_init (&value, r->pspec->value_type);
        g_mutex_lock (&self->lock);
        g_value_copy (&self->settings[r->pspec->param_id - PROP_FIRST_SETTING],
            &value);
        g_mutex_unlock (&self->lock);
        g_object_set_property (G_OBJECT (recorder), r->pspec->name, &value);
        g_value_unset (&value);
        break;
    }
  }
  g_mutex_lock (&self->lock);
  if (r->type == REQUEST_TRIGGER)
    self->pending--;
  self->n_ran = MAX (self->n_ran, r->seq);
  g_cond_broadcast (&self->ran);
  g_mutex_unlock (&self->lock);
  return G_SOURCE_REMOVE;
}

/* With the lock held. Never runs the request here and now, so that no
 * callback of the recorder can come back into the lock. Returns its number
 * (see GstHindsightRecorder.n_ran). */
static guint64
send_request_locked (GstHindsightRecorder *self, RequestType type,
                     GstClockTime time, GParamSpec *pspec)
{
  Request *r = g_new0 (Request, 1);
  GSource *source = g_idle_source_new ();

  r->self = gst_object_ref (self);
  r->type = type;
  r->time = time;
  r->pspec = pspec;
  r->seq = ++self->n_sent;
  g_source_set_priority (source, G_PRIORITY_DEFAULT);
  g_source_set_callback (source, run_request, r, request_free);
  g_source_attach (source, self->context);
  g_source_unref (source);
  if (type == REQUEST_TRIGGER)
    self->pending++;
  return r->seq;
}

static void
notify_busy (GstHindsightRecorder *self)
{
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_BUSY]);
}

/* A trigger at @time (NONE: now), from any thread. Until the element
 * starts, triggers wait for it. With @in_stream (the streaming thread of
 * the video pad), returns once the recorder has the trigger: before the
 * frames after it reach the ring, so that the ring still holds the window's
 * start even for a source that runs faster than real time. */
static void
trigger (GstHindsightRecorder *self, GstClockTime time, gboolean in_stream)
{
  gboolean was_idle = FALSE;
  guint64 seq;

  GST_DEBUG_OBJECT (self, "trigger at %" GST_TIME_FORMAT, GST_TIME_ARGS (time));
  g_mutex_lock (&self->lock);
  if (self->context != NULL) {
    gint64 deadline = g_get_monotonic_time () + IN_STREAM_WAIT_US;

    seq = send_request_locked (self, REQUEST_TRIGGER, time, NULL);
    while (in_stream && self->n_ran < seq && self->context != NULL)
      if (!g_cond_wait_until (&self->ran, &self->lock, deadline)) {
        GST_WARNING_OBJECT (self, "the recorder did not take the trigger "
            "within %d ms: the window may start late",
            IN_STREAM_WAIT_US / 1000);
        break;
      }
  } else {
    was_idle = self->queued->len == 0;
    g_array_append_val (self->queued, time);
  }
  g_mutex_unlock (&self->lock);
  if (was_idle)
    notify_busy (self);
}

static void
stop (GstHindsightRecorder *self)
{
  gboolean was_busy = FALSE;

  GST_DEBUG_OBJECT (self, "stop");
  g_mutex_lock (&self->lock);
  if (self->context != NULL) {
    send_request_locked (self, REQUEST_STOP, GST_CLOCK_TIME_NONE, NULL);
  } else {
    was_busy = self->queued->len > 0;
    g_array_set_size (self->queued, 0);
  }
  g_mutex_unlock (&self->lock);
  if (was_busy)
    notify_busy (self);
}

static GstClockTime
seconds_to_time (double seconds)
{
  return (GstClockTime) (seconds * GST_SECOND + 0.5);
}

/* With the lock held: the times of trigger-times, appended to @times. */
static void
append_trigger_times_locked (GstHindsightRecorder *self, GArray *times)
{
  for (guint i = 0; i < gst_value_array_get_size (&self->trigger_times); i++) {
    const GValue *v = gst_value_array_get_value (&self->trigger_times, i);
    GstClockTime time = seconds_to_time (g_value_get_double (v));

    g_array_append_val (times, time);
  }
}

/* The "running-time" field of a trigger event or message, if any. */
static GstClockTime
structure_time (const GstStructure *s)
{
  GstClockTime time = GST_CLOCK_TIME_NONE;

  if (gst_structure_has_field_typed (s, "running-time", G_TYPE_UINT64))
    gst_structure_get_clock_time (s, "running-time", &time);
  return time;
}

/* The action signals' handlers, in the thread that emits them. */
static void
on_trigger_action (GstHindsightRecorder *self, gpointer unused)
{
  trigger (self, GST_CLOCK_TIME_NONE, FALSE);
}

static void
on_trigger_at_action (GstHindsightRecorder *self, guint64 running_time,
                      gpointer unused)
{
  if (!GST_CLOCK_TIME_IS_VALID (running_time)) {
    GST_WARNING_OBJECT (self, "trigger-at: not a running time");
    return;
  }
  trigger (self, running_time, FALSE);
}

static void
on_stop_action (GstHindsightRecorder *self, gpointer unused)
{
  stop (self);
}

/* ------------------------------------------------------------------------ */
/* What the recorder reports (on the context's thread)                      */

static GstStructure *
describe (HsRecording *recording, const char *name, gboolean finished)
{
  GDateTime *date = hs_recording_get_date (recording);
  GstStructure *s = gst_structure_new (name,
      "location", G_TYPE_STRING, hs_recording_get_location (recording),
      "source", G_TYPE_STRING, hs_recording_get_source (recording),
      "index", G_TYPE_UINT, hs_recording_get_index (recording),
      "requested-start", G_TYPE_INT64,
      hs_recording_get_requested_start (recording),
      NULL);

  if (date != NULL) {
    g_autoptr(GstDateTime) d =
        gst_date_time_new_from_g_date_time (g_date_time_ref (date));

    gst_structure_set (s, "date", GST_TYPE_DATE_TIME, d, NULL);
  }
  if (finished) {
    const GError *error = hs_recording_get_error (recording);

    gst_structure_set (s,
        "start-time", G_TYPE_UINT64, hs_recording_get_start_time (recording),
        "end-time", G_TYPE_UINT64, hs_recording_get_end_time (recording),
        "duration", G_TYPE_UINT64, hs_recording_get_duration (recording),
        "shortfall", G_TYPE_UINT64, hs_recording_get_shortfall (recording),
        "n-frames", G_TYPE_UINT64, hs_recording_get_n_frames (recording),
        "n-dropped", G_TYPE_UINT64, hs_recording_get_n_dropped (recording),
        "bytes", G_TYPE_UINT64, hs_recording_get_bytes (recording),
        "error", G_TYPE_STRING, error ? error->message : NULL,
        NULL);
  }
  return s;
}

static void
on_recording_started (HsRecorder *recorder, HsRecording *recording,
                      gpointer user_data)
{
  GstHindsightRecorder *self = user_data;

  gst_element_post_message (GST_ELEMENT (self),
      gst_message_new_element (GST_OBJECT (self),
          describe (recording, "hindsight-recording-started", FALSE)));
  g_signal_emit (self, signals[SIGNAL_RECORDING_STARTED], 0, recording);
}

static void
on_recording_finished (HsRecorder *recorder, HsRecording *recording,
                       gpointer user_data)
{
  GstHindsightRecorder *self = user_data;
  const GError *error = hs_recording_get_error (recording);

  gst_element_post_message (GST_ELEMENT (self),
      gst_message_new_element (GST_OBJECT (self),
          describe (recording, "hindsight-recording-finished", TRUE)));
  if (error != NULL) {
    g_autofree char *debug = g_strdup_printf ("recording %s of %s",
        hs_recording_get_location (recording) ?
        hs_recording_get_location (recording) : "(no file)",
        GST_OBJECT_NAME (self));
    g_autoptr(GError) copy = g_error_copy (error);

    /* A recording failed; the pipeline goes on. */
    gst_element_post_message (GST_ELEMENT (self),
        gst_message_new_warning (GST_OBJECT (self), copy, debug));
  }
  g_signal_emit (self, signals[SIGNAL_RECORDING_FINISHED], 0, recording);
}

static void
on_recorder_busy (HsRecorder *recorder, GParamSpec *pspec,
                  gpointer user_data)
{
  GstHindsightRecorder *self = user_data;
  gboolean busy = hs_recorder_get_busy (recorder);

  g_mutex_lock (&self->lock);
  self->recorder_busy = busy;
  g_mutex_unlock (&self->lock);
  notify_busy (self);
  if (!busy)
    release_eos (self);
}

/* ------------------------------------------------------------------------ */
/* Triggers from the stream and the bus                                     */

static gboolean
is_trigger_event (GstEvent *event)
{
  const GstStructure *s;

  switch (GST_EVENT_TYPE (event)) {
    case GST_EVENT_CUSTOM_UPSTREAM:
    case GST_EVENT_CUSTOM_DOWNSTREAM:
    case GST_EVENT_CUSTOM_DOWNSTREAM_OOB:
    case GST_EVENT_CUSTOM_BOTH:
    case GST_EVENT_CUSTOM_BOTH_OOB:
      s = gst_event_get_structure (event);
      return s != NULL && gst_structure_has_name (s, TRIGGER_NAME);
    default:
      return FALSE;
  }
}

static GstClockTime
buffer_running_time (GstHindsightRecorder *self, GstBuffer *buffer)
{
  if (!GST_BUFFER_PTS_IS_VALID (buffer) ||
      self->segment.format != GST_FORMAT_TIME)
    return GST_CLOCK_TIME_NONE;
  return gst_segment_to_running_time (&self->segment, GST_FORMAT_TIME,
      GST_BUFFER_PTS (buffer));
}

static GstPadProbeReturn
on_video_data (GstPad *pad, GstPadProbeInfo *info, gpointer user_data)
{
  GstHindsightRecorder *self = user_data;
  GstEvent *event;
  GstClockTime time;

  if (info->type & GST_PAD_PROBE_TYPE_BUFFER) {
    time = buffer_running_time (self, GST_PAD_PROBE_INFO_BUFFER (info));
    if (time != GST_CLOCK_TIME_NONE)
      self->last_running_time = time;
    return GST_PAD_PROBE_OK;
  }
  if (info->type & GST_PAD_PROBE_TYPE_BUFFER_LIST) {
    GstBufferList *list = GST_PAD_PROBE_INFO_BUFFER_LIST (info);
    guint n = gst_buffer_list_length (list);

    time = n > 0 ? buffer_running_time (self, gst_buffer_list_get (list,
            n - 1)) : GST_CLOCK_TIME_NONE;
    if (time != GST_CLOCK_TIME_NONE)
      self->last_running_time = time;
    return GST_PAD_PROBE_OK;
  }

  event = GST_PAD_PROBE_INFO_EVENT (info);
  switch (GST_EVENT_TYPE (event)) {
    case GST_EVENT_SEGMENT:
      gst_event_copy_segment (event, &self->segment);
      return GST_PAD_PROBE_OK;
    case GST_EVENT_FLUSH_STOP:
    case GST_EVENT_STREAM_START:
      self->last_running_time = GST_CLOCK_TIME_NONE;
      return GST_PAD_PROBE_OK;
    default:
      break;
  }
  if (!is_trigger_event (event))
    return GST_PAD_PROBE_OK;

  /* Without a time, a serialized event stands for the frame it follows:
   * an analysis element sends it right after the frame it concerns. */
  time = structure_time (gst_event_get_structure (event));
  if (time == GST_CLOCK_TIME_NONE && GST_EVENT_IS_SERIALIZED (event))
    time = self->last_running_time;
  trigger (self, time, GST_EVENT_IS_SERIALIZED (event));
  return GST_PAD_PROBE_DROP;
}

static gboolean
gst_hindsight_recorder_send_event (GstElement *element, GstEvent *event)
{
  GstHindsightRecorder *self = GST_HINDSIGHT_RECORDER (element);

  if (is_trigger_event (event)) {
    trigger (self, structure_time (gst_event_get_structure (event)), FALSE);
    gst_event_unref (event);
    return TRUE;
  }
  return GST_ELEMENT_CLASS (gst_hindsight_recorder_parent_class)->send_event (
      element, event);
}

/* Element messages on the pipeline's bus, in the thread that posts them. */
static void
on_element_message (GstBus *bus, GstMessage *message, gpointer user_data)
{
  GstHindsightRecorder *self = user_data;
  const GstStructure *s = gst_message_get_structure (message);
  gboolean match;

  if (s == NULL)
    return;
  g_mutex_lock (&self->lock);
  match = self->trigger_message != NULL &&
      gst_structure_has_name (s, self->trigger_message);
  g_mutex_unlock (&self->lock);
  if (!match)
    return;
  GST_DEBUG_OBJECT (self, "message %s from %s",
      gst_structure_get_name (s), GST_MESSAGE_SRC_NAME (message));
  /* An analyser says when what it reports happened: more exact than when
   * the message arrives. */
  trigger (self, structure_time (s), FALSE);
}

/* ------------------------------------------------------------------------ */
/* EOS                                                                      */

static void
gst_hindsight_recorder_handle_message (GstBin *bin, GstMessage *message)
{
  GstHindsightRecorder *self = GST_HINDSIGHT_RECORDER (bin);

  if (GST_MESSAGE_TYPE (message) == GST_MESSAGE_EOS) {
    gboolean held = FALSE;

    /* The branch has all the frames it will get; the element is at the
     * end once the recorder has closed its files too. */
    g_mutex_lock (&self->lock);
    if (self->context != NULL) {
      gst_message_replace (&self->held_eos, message);
      send_request_locked (self, REQUEST_EOS, GST_CLOCK_TIME_NONE, NULL);
      held = TRUE;
    }
    g_mutex_unlock (&self->lock);
    if (held) {
      GST_INFO_OBJECT (self, "EOS waits for the recorder's files");
      gst_message_unref (message);
      return;
    }
  }
  GST_BIN_CLASS (gst_hindsight_recorder_parent_class)->handle_message (bin,
      message);
}

/* ------------------------------------------------------------------------ */
/* Starting and stopping                                                    */

static gpointer
run_context (gpointer data)
{
  GstHindsightRecorder *self = data;

  g_main_context_push_thread_default (self->context);
  while (!g_atomic_int_get (&self->quit))
    g_main_context_iteration (self->context, TRUE);
  g_main_context_pop_thread_default (self->context);
  return NULL;
}

static GstBus *
top_level_bus (GstHindsightRecorder *self)
{
  g_autoptr(GstObject) top = gst_object_ref (GST_OBJECT (self));
  GstObject *parent;

  while ((parent = gst_object_get_parent (top)) != NULL) {
    gst_object_unref (top);
    top = parent;
  }
  return gst_element_get_bus (GST_ELEMENT (top));
}

static HsRecorder *
make_recorder (GstHindsightRecorder *self, GError **error)
{
  const char *names[HS_N_SETTINGS];
  GValue values[HS_N_SETTINGS] = { G_VALUE_INIT };
  HsRecorder *recorder;

  g_mutex_lock (&self->lock);
  for (guint i = 0; i < HS_N_SETTINGS; i++) {
    names[i] = properties[PROP_FIRST_SETTING + i]->name;
    g_value_init (&values[i], G_VALUE_TYPE (&self->settings[i]));
    g_value_copy (&self->settings[i], &values[i]);
  }
  g_mutex_unlock (&self->lock);

  recorder = hs_recorder_new_hosted (GST_ELEMENT (self),
      GST_OBJECT_NAME (self), HS_N_SETTINGS, names, values, error);
  for (guint i = 0; i < HS_N_SETTINGS; i++)
    g_value_unset (&values[i]);
  if (recorder == NULL)
    return NULL;
  g_signal_connect (recorder, "recording-started",
      G_CALLBACK (on_recording_started), self);
  g_signal_connect (recorder, "recording-finished",
      G_CALLBACK (on_recording_finished), self);
  g_signal_connect (recorder, "notify::busy", G_CALLBACK (on_recorder_busy),
      self);
  return recorder;
}

/* The triggers made before the start and those of trigger-times go to the
 * recorder at once, before any frame: each window's start is still to
 * come, however fast the source. */
static void
give_early_triggers (GstHindsightRecorder *self, HsRecorder *recorder)
{
  g_autoptr(GArray) times = g_array_new (FALSE, FALSE, sizeof (GstClockTime));

  g_mutex_lock (&self->lock);
  g_array_append_vals (times, self->queued->data, self->queued->len);
  g_array_set_size (self->queued, 0);
  append_trigger_times_locked (self, times);
  g_mutex_unlock (&self->lock);

  for (guint i = 0; i < times->len; i++) {
    GstClockTime time = g_array_index (times, GstClockTime, i);

    if (time == GST_CLOCK_TIME_NONE)
      hs_recorder_trigger (recorder);
    else
      hs_recorder_trigger_at (recorder, time);
  }
}

static gboolean
start (GstHindsightRecorder *self)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GstPad) sink = NULL;
  GMainContext *context = g_main_context_new ();
  HsRecorder *recorder;

  /* The recorder decides and reports on the context it is made on; until
   * the thread takes that context over, calls made here run at once. */
  g_main_context_push_thread_default (context);
  recorder = make_recorder (self, &error);
  if (recorder != NULL)
    give_early_triggers (self, recorder);
  g_main_context_pop_thread_default (context);
  if (recorder == NULL) {
    GST_ELEMENT_ERROR (self, RESOURCE, SETTINGS, ("%s", error->message),
        ("the recorder cannot start"));
    g_main_context_unref (context);
    return FALSE;
  }

  /* The ring branch inside, behind the video pad. */
  self->branch = gst_object_ref (hs_recorder_get_branch_bin (recorder));
  gst_bin_add (GST_BIN (self), self->branch);
  sink = gst_element_get_static_pad (self->branch, "sink");
  gst_ghost_pad_set_target (GST_GHOST_PAD (self->video_pad), sink);

  self->bus = top_level_bus (self);
  if (self->bus != NULL) {
    hs_recorder_watch_bus (recorder, self->bus);
    gst_bus_enable_sync_message_emission (self->bus);
    self->message_handler = g_signal_connect (self->bus,
        "sync-message::element", G_CALLBACK (on_element_message), self);
  }

  gst_segment_init (&self->segment, GST_FORMAT_UNDEFINED);
  self->last_running_time = GST_CLOCK_TIME_NONE;
  g_atomic_int_set (&self->quit, 0);

  g_mutex_lock (&self->lock);
  self->recorder = recorder;
  self->context = context;
  self->thread = g_thread_new ("hindsight", run_context, self);
  g_mutex_unlock (&self->lock);
  GST_INFO_OBJECT (self, "started");
  return TRUE;
}

/* Streaming has stopped: the open window ends, every file is closed (here,
 * waiting for its encoder) and reported, the branch goes. */
static void
stop_recorder (GstHindsightRecorder *self)
{
  HsRecorder *recorder;
  GMainContext *context;
  GstMessage *eos;

  g_mutex_lock (&self->lock);
  recorder = self->recorder;
  context = self->context;
  g_mutex_unlock (&self->lock);
  if (recorder == NULL)
    return;
  /* It would wait for itself. */
  g_return_if_fail (g_thread_self () != self->thread);

  if (self->bus != NULL) {
    g_clear_signal_handler (&self->message_handler, self->bus);
    gst_bus_disable_sync_message_emission (self->bus);
    gst_clear_object (&self->bus);
  }
  g_atomic_int_set (&self->quit, 1);
  g_main_context_wakeup (context);
  g_thread_join (g_steal_pointer (&self->thread));

  g_mutex_lock (&self->lock);
  self->recorder = NULL;
  self->context = NULL;
  g_cond_broadcast (&self->ran);
  eos = g_steal_pointer (&self->held_eos);
  g_mutex_unlock (&self->lock);
  gst_clear_message (&eos);

  gst_ghost_pad_set_target (GST_GHOST_PAD (self->video_pad), NULL);
  gst_element_set_locked_state (self->branch, TRUE);
  gst_element_set_state (self->branch, GST_STATE_NULL);
  gst_bin_remove (GST_BIN (self), self->branch);
  gst_clear_object (&self->branch);
  /* Without its only sink child the bin forgot it is a sink. */
  GST_OBJECT_FLAG_SET (self, GST_ELEMENT_FLAG_SINK);

  /* The rest of the recorder's work happens here, on its context. */
  g_main_context_push_thread_default (context);
  while (g_main_context_iteration (context, FALSE))
    ;
  hs_recorder_detach (recorder);
  g_object_unref (recorder);
  while (g_main_context_iteration (context, FALSE))
    ;
  g_main_context_pop_thread_default (context);
  g_main_context_unref (context);

  g_mutex_lock (&self->lock);
  self->recorder_busy = FALSE;
  g_mutex_unlock (&self->lock);
  notify_busy (self);
  GST_INFO_OBJECT (self, "stopped");
}

static GstStateChangeReturn
gst_hindsight_recorder_change_state (GstElement     *element,
                                  GstStateChange  transition)
{
  GstHindsightRecorder *self = GST_HINDSIGHT_RECORDER (element);
  GstStateChangeReturn ret;

  if (transition == GST_STATE_CHANGE_READY_TO_PAUSED && !start (self))
    return GST_STATE_CHANGE_FAILURE;

  ret = GST_ELEMENT_CLASS (gst_hindsight_recorder_parent_class)->change_state (
      element, transition);

  if (transition == GST_STATE_CHANGE_PAUSED_TO_READY ||
      (transition == GST_STATE_CHANGE_READY_TO_PAUSED &&
          ret == GST_STATE_CHANGE_FAILURE))
    stop_recorder (self);
  return ret;
}

/* ------------------------------------------------------------------------ */
/* GObject                                                                  */

static void
gst_hindsight_recorder_get_property (GObject    *object,
                                  guint       prop_id,
                                  GValue     *value,
                                  GParamSpec *pspec)
{
  GstHindsightRecorder *self = GST_HINDSIGHT_RECORDER (object);

  g_mutex_lock (&self->lock);
  switch (prop_id) {
    case PROP_BUSY:
      g_value_set_boolean (value, self->recorder_busy || self->pending > 0 ||
          self->queued->len > 0);
      break;
    case PROP_TRIGGER_TIMES:
      g_value_copy (&self->trigger_times, value);
      break;
    case PROP_TRIGGER_ON_MESSAGE:
      g_value_set_string (value, self->trigger_message);
      break;
    default:
      if (prop_id >= PROP_FIRST_SETTING && prop_id < N_PROPS)
        g_value_copy (&self->settings[prop_id - PROP_FIRST_SETTING], value);
      else
        G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
  }
  g_mutex_unlock (&self->lock);
}

static void
set_trigger_times (GstHindsightRecorder *self, const GValue *value)
{
  g_autoptr(GArray) times = g_array_new (FALSE, FALSE, sizeof (GstClockTime));

  g_mutex_lock (&self->lock);
  g_value_copy (value, &self->trigger_times);
  /* Running: the new times take effect now; stopped: at the start. */
  if (self->context != NULL) {
    append_trigger_times_locked (self, times);
    for (guint i = 0; i < times->len; i++)
      send_request_locked (self, REQUEST_TRIGGER,
          g_array_index (times, GstClockTime, i), NULL);
  }
  g_mutex_unlock (&self->lock);
}

static void
gst_hindsight_recorder_set_property (GObject      *object,
                                  guint         prop_id,
                                  const GValue *value,
                                  GParamSpec   *pspec)
{
  GstHindsightRecorder *self = GST_HINDSIGHT_RECORDER (object);
  GValue *setting;
  gboolean changed;

  switch (prop_id) {
    case PROP_TRIGGER_TIMES:
      set_trigger_times (self, value);
      return;
    case PROP_TRIGGER_ON_MESSAGE:
      g_mutex_lock (&self->lock);
      g_free (self->trigger_message);
      self->trigger_message = g_value_dup_string (value);
      g_mutex_unlock (&self->lock);
      return;
    default:
      break;
  }
  if (prop_id < PROP_FIRST_SETTING || prop_id >= N_PROPS) {
    G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    return;
  }

  g_mutex_lock (&self->lock);
  setting = &self->settings[prop_id - PROP_FIRST_SETTING];
  changed = g_param_values_cmp (pspec, setting, value) != 0;
  if (changed) {
    g_value_copy (value, setting);
    if (self->context != NULL &&
        !at_start_only[prop_id - PROP_FIRST_SETTING])
      send_request_locked (self, REQUEST_SET, GST_CLOCK_TIME_NONE, pspec);
  }
  g_mutex_unlock (&self->lock);
}

static void
gst_hindsight_recorder_finalize (GObject *object)
{
  GstHindsightRecorder *self = GST_HINDSIGHT_RECORDER (object);

  for (guint i = 0; i < HS_N_SETTINGS; i++)
    g_value_unset (&self->settings[i]);
  g_value_unset (&self->trigger_times);
  g_free (self->trigger_message);
  g_array_unref (self->queued);
  g_cond_clear (&self->ran);
  g_mutex_clear (&self->lock);

  G_OBJECT_CLASS (gst_hindsight_recorder_parent_class)->finalize (object);
}

static void
gst_hindsight_recorder_class_init (GstHindsightRecorderClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GstElementClass *element_class = GST_ELEMENT_CLASS (klass);
  GstBinClass *bin_class = GST_BIN_CLASS (klass);
  /* GObject notifies every set: G_PARAM_EXPLICIT_NOTIFY would only show
   * as a number in gst-inspect-1.0. */
  const GParamFlags flags = G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS |
      GST_PARAM_MUTABLE_PLAYING;

  object_class->get_property = gst_hindsight_recorder_get_property;
  object_class->set_property = gst_hindsight_recorder_set_property;
  object_class->finalize = gst_hindsight_recorder_finalize;
  element_class->change_state = gst_hindsight_recorder_change_state;
  element_class->send_event = gst_hindsight_recorder_send_event;
  bin_class->handle_message = gst_hindsight_recorder_handle_message;

  properties[PROP_BUSY] = g_param_spec_boolean ("busy", "Busy",
      "Whether a trigger waits or a file is open", FALSE,
      G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);

  properties[PROP_TRIGGER_TIMES] = gst_param_spec_array ("trigger-times",
      "Trigger times",
      "Running times in seconds to trigger at, such as <3.0,9.0> (set while "
      "playing: triggers at once)",
      g_param_spec_double ("time", "Time", "Running time in seconds",
          0, G_MAXDOUBLE, 0, G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS),
      flags);

  properties[PROP_TRIGGER_ON_MESSAGE] = g_param_spec_string (
      "trigger-on-message", "Trigger on message",
      "Trigger on every element message of this name on the pipeline's bus "
      "(at its running-time field, if any)", NULL, flags);

  /* The recorder's settings, from their one definition. HsRecorder takes
   * converter and mode when it is made; the element makes its recorder
   * when it starts, so here they can be set until then. */
  hs_settings_make_pspecs (&properties[PROP_FIRST_SETTING]);
  for (guint i = 0; i < HS_N_SETTINGS; i++) {
    GParamSpec *pspec = properties[PROP_FIRST_SETTING + i];

    at_start_only[i] = (pspec->flags & G_PARAM_CONSTRUCT_ONLY) != 0;
    pspec->flags &= ~(G_PARAM_CONSTRUCT_ONLY | G_PARAM_EXPLICIT_NOTIFY);
    pspec->flags |= at_start_only[i] ? GST_PARAM_MUTABLE_READY :
        GST_PARAM_MUTABLE_PLAYING;
  }

  g_object_class_install_properties (object_class, N_PROPS, properties);

  signals[SIGNAL_TRIGGER] = g_signal_new_class_handler ("trigger",
      G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST | G_SIGNAL_ACTION,
      G_CALLBACK (on_trigger_action), NULL, NULL, NULL, G_TYPE_NONE, 0);
  signals[SIGNAL_TRIGGER_AT] = g_signal_new_class_handler ("trigger-at",
      G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST | G_SIGNAL_ACTION,
      G_CALLBACK (on_trigger_at_action), NULL, NULL, NULL, G_TYPE_NONE, 1,
      G_TYPE_UINT64);
  signals[SIGNAL_STOP] = g_signal_new_class_handler ("stop",
      G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST | G_SIGNAL_ACTION,
      G_CALLBACK (on_stop_action), NULL, NULL, NULL, G_TYPE_NONE, 0);
  signals[SIGNAL_RECORDING_STARTED] = g_signal_new ("recording-started",
      G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
      G_TYPE_NONE, 1, HS_TYPE_RECORDING);
  signals[SIGNAL_RECORDING_FINISHED] = g_signal_new ("recording-finished",
      G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
      G_TYPE_NONE, 1, HS_TYPE_RECORDING);

  gst_element_class_add_static_pad_template (element_class, &video_template);
  /* The request "audio" pad (recording an audio stream into the same
   * files) will be added here. */
  gst_element_class_set_static_metadata (element_class,
      "Hindsight recorder", "Sink/Video/File",
      "Keeps the last seconds of video and, on a trigger, writes a file "
      "that starts before it", "hindsight");
}

static void
gst_hindsight_recorder_init (GstHindsightRecorder *self)
{
  g_autoptr(GstPadTemplate) templ =
      gst_static_pad_template_get (&video_template);

  g_mutex_init (&self->lock);
  g_cond_init (&self->ran);
  for (guint i = 0; i < HS_N_SETTINGS; i++) {
    GParamSpec *pspec = properties[PROP_FIRST_SETTING + i];

    g_value_init (&self->settings[i], pspec->value_type);
    g_param_value_set_default (pspec, &self->settings[i]);
  }
  g_value_init (&self->trigger_times, GST_TYPE_ARRAY);
  self->queued = g_array_new (FALSE, FALSE, sizeof (GstClockTime));
  self->last_running_time = GST_CLOCK_TIME_NONE;

  self->video_pad = gst_ghost_pad_new_no_target_from_template ("video", templ);
  gst_pad_add_probe (self->video_pad, GST_PAD_PROBE_TYPE_BUFFER |
      GST_PAD_PROBE_TYPE_BUFFER_LIST | GST_PAD_PROBE_TYPE_EVENT_DOWNSTREAM,
      on_video_data, self, NULL);
  gst_element_add_pad (GST_ELEMENT (self), self->video_pad);

  /* A sink, before it holds one: the pipeline waits for its EOS. */
  GST_OBJECT_FLAG_SET (self, GST_ELEMENT_FLAG_SINK);
}
