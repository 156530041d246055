/* The hindsightrecorder element's triggers and stops, from wherever they
 * come (action signals, trigger-times, events in the stream or sent to the
 * element, element messages on the bus), turned into requests that run in
 * order on the element's thread, where its recorder lives.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#include "gsthindsightrecorder-private.h"

#define GST_CAT_DEFAULT gst_hindsight_recorder_debug

#define TRIGGER_NAME "hindsight-trigger"
/* How long an event in the stream waits for the recorder to take its
 * trigger (it normally takes well under a millisecond). */
#define IN_STREAM_WAIT_US (G_USEC_PER_SEC)

typedef enum {
  REQUEST_TRIGGER,
  REQUEST_STOP,
  REQUEST_EOS,
  REQUEST_SET,
} RequestType;

typedef struct {
  GstHindsightRecorder *self;
  RequestType type;
  GstClockTime time;            /* TRIGGER: NONE for now */
  const char *name;             /* SET: the setting (a static string) */
  GValue value;                 /* SET: its new value */
  guint64 seq;                  /* requests run in the order sent */
} Request;

static void
request_free (gpointer data)
{
  Request *r = data;

  gst_object_unref (r->self);
  if (G_IS_VALUE (&r->value))
    g_value_unset (&r->value);
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

static gboolean
run_request (gpointer data)
{
  Request *r = data;
  GstHindsightRecorder *self = r->self;
  g_autoptr(HsRecorder) recorder = get_recorder (self);

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
          gst_hindsight_recorder_release_eos (self);
        break;
      case REQUEST_SET:
        g_object_set_property (G_OBJECT (recorder), r->name, &r->value);
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

static Request *
request_new (GstHindsightRecorder *self, RequestType type, GstClockTime time)
{
  Request *r = g_new0 (Request, 1);

  r->self = gst_object_ref (self);
  r->type = type;
  r->time = time;
  return r;
}

/* With the lock held. Returns its number (see
 * GstHindsightRecorder.n_ran). */
static guint64
send_locked (GstHindsightRecorder *self, Request *r)
{
  GSource *source = g_idle_source_new ();
  guint64 seq = r->seq = ++self->n_sent;

  if (r->type == REQUEST_TRIGGER)
    self->pending++;
  g_source_set_priority (source, G_PRIORITY_DEFAULT);
  g_source_set_callback (source, run_request, r, request_free);
  g_source_attach (source, self->context);
  g_source_unref (source);
  return seq;
}

static guint64
send_request_locked (GstHindsightRecorder *self, RequestType type,
                     GstClockTime time)
{
  return send_locked (self, request_new (self, type, time));
}

void
gst_hindsight_recorder_request_eos_locked (GstHindsightRecorder *self)
{
  send_request_locked (self, REQUEST_EOS, GST_CLOCK_TIME_NONE);
}

void
gst_hindsight_recorder_request_set_locked (GstHindsightRecorder *self,
                                           const char           *name,
                                           const GValue         *value)
{
  Request *r = request_new (self, REQUEST_SET, GST_CLOCK_TIME_NONE);

  r->name = name;
  g_value_init (&r->value, G_VALUE_TYPE (value));
  g_value_copy (value, &r->value);
  send_locked (self, r);
}

/* With @in_stream (the streaming thread of the video pad), returns once
 * the recorder has the trigger: before the frames after it reach the ring,
 * so that the ring still holds the window's start even for a source that
 * runs faster than real time. */
void
gst_hindsight_recorder_trigger (GstHindsightRecorder *self, GstClockTime time,
                                gboolean in_stream)
{
  gboolean was_idle = FALSE;
  guint64 seq;

  GST_DEBUG_OBJECT (self, "trigger at %" GST_TIME_FORMAT, GST_TIME_ARGS (time));
  g_mutex_lock (&self->lock);
  if (self->context != NULL) {
    gint64 deadline = g_get_monotonic_time () + IN_STREAM_WAIT_US;

    seq = send_request_locked (self, REQUEST_TRIGGER, time);
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
    gst_hindsight_recorder_notify_busy (self);
}

void
gst_hindsight_recorder_stop (GstHindsightRecorder *self)
{
  gboolean was_busy = FALSE;

  GST_DEBUG_OBJECT (self, "stop");
  g_mutex_lock (&self->lock);
  if (self->context != NULL) {
    send_request_locked (self, REQUEST_STOP, GST_CLOCK_TIME_NONE);
  } else {
    was_busy = self->queued->len > 0;
    g_array_set_size (self->queued, 0);
  }
  g_mutex_unlock (&self->lock);
  if (was_busy)
    gst_hindsight_recorder_notify_busy (self);
}

/* ------------------------------------------------------------------------ */
/* trigger-times                                                            */

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

/* Given at once, before any frame: each window's start is still to come,
 * however fast the source. */
void
gst_hindsight_recorder_give_early_triggers (GstHindsightRecorder *self,
                                            HsRecorder           *recorder)
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

void
gst_hindsight_recorder_set_trigger_times (GstHindsightRecorder *self,
                                          const GValue         *value)
{
  g_autoptr(GArray) times = g_array_new (FALSE, FALSE, sizeof (GstClockTime));

  g_mutex_lock (&self->lock);
  g_value_copy (value, &self->trigger_times);
  /* Running: the new times take effect now; stopped: at the start. */
  if (self->context != NULL) {
    append_trigger_times_locked (self, times);
    for (guint i = 0; i < times->len; i++)
      send_request_locked (self, REQUEST_TRIGGER,
          g_array_index (times, GstClockTime, i));
  }
  g_mutex_unlock (&self->lock);
}

/* ------------------------------------------------------------------------ */
/* Triggers from the stream and the bus                                     */

/* The "running-time" field of a trigger event or message, if any. */
static GstClockTime
structure_time (const GstStructure *s)
{
  GstClockTime time = GST_CLOCK_TIME_NONE;

  if (gst_structure_has_field_typed (s, "running-time", G_TYPE_UINT64))
    gst_structure_get_clock_time (s, "running-time", &time);
  return time;
}

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

/* The running time of the newest frame, from a buffer or a list. */
static void
note_frame (GstHindsightRecorder *self, GstPadProbeInfo *info)
{
  GstClockTime time = GST_CLOCK_TIME_NONE;

  if (info->type & GST_PAD_PROBE_TYPE_BUFFER) {
    time = buffer_running_time (self, GST_PAD_PROBE_INFO_BUFFER (info));
  } else {
    GstBufferList *list = GST_PAD_PROBE_INFO_BUFFER_LIST (info);
    guint n = gst_buffer_list_length (list);

    if (n > 0)
      time = buffer_running_time (self, gst_buffer_list_get (list, n - 1));
  }
  if (time != GST_CLOCK_TIME_NONE)
    self->last_running_time = time;
}

GstPadProbeReturn
gst_hindsight_recorder_on_video_data (GstPad *pad, GstPadProbeInfo *info,
                                      gpointer user_data)
{
  GstHindsightRecorder *self = user_data;
  GstEvent *event;
  GstClockTime time;

  if (info->type & (GST_PAD_PROBE_TYPE_BUFFER |
          GST_PAD_PROBE_TYPE_BUFFER_LIST)) {
    note_frame (self, info);
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
  gst_hindsight_recorder_trigger (self, time, GST_EVENT_IS_SERIALIZED (event));
  return GST_PAD_PROBE_DROP;
}

gboolean
gst_hindsight_recorder_take_trigger_event (GstHindsightRecorder *self,
                                           GstEvent             *event)
{
  if (!is_trigger_event (event))
    return FALSE;
  gst_hindsight_recorder_trigger (self,
      structure_time (gst_event_get_structure (event)), FALSE);
  gst_event_unref (event);
  return TRUE;
}

/* In the thread that posts the message. */
void
gst_hindsight_recorder_on_element_message (GstBus     *bus,
                                           GstMessage *message,
                                           gpointer    user_data)
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
  gst_hindsight_recorder_trigger (self, structure_time (s), FALSE);
}
