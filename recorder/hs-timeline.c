/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include "hs-timeline-private.h"

/* A source that sends nothing for this long (or for post seconds, if
 * longer) while a window waits for its end has stalled. */
#define MIN_STALL_TIMEOUT (GST_SECOND / 2)
/* While the timeline holds a window or a trigger, the recorder polls it
 * every few tens of milliseconds. Two polls further apart than this mean
 * that the process was stopped (Ctrl+Z, SIGSTOP, a debugger) or its
 * context held up: that time is not the source's, and a stall is counted
 * again from the later poll. */
#define RESUME_GAP_US (G_USEC_PER_SEC / 4)

struct _HsTimeline
{
  HsTimelineSettings settings;
  HsTimelineState state;
  GArray *pending;              /* GstClockTime, sorted */

  /* the open window (state != IDLE) */
  GstClockTime start;
  gint64 requested_start;
  GstClockTime end;             /* excluded */
  gint64 opened_us;             /* monotonic time it opened, for stalls */
  guint n_files;                /* files it opened */
  gint64 last_poll_us;          /* while holding a window or a trigger */
  gint64 resumed_us;            /* the poll after a gap */
  GstClockTime file_first;      /* first frame of the open file */

  /* where the next window may start at the earliest (so that files tile
   * and never share a frame); NONE: anywhere */
  GstClockTime boundary;
};

GstClockTime
hs_timeline_seconds (double seconds)
{
  if (seconds * GST_SECOND >= (double) G_MAXINT64)
    return G_MAXINT64;
  return (GstClockTime) (seconds * GST_SECOND + 0.5);
}

/* @time + @delta, stopping at the largest running time instead of wrapping
 * around to the stream's first frames. */
static GstClockTime
time_after (GstClockTime time, GstClockTime delta)
{
  return time > G_MAXINT64 - MIN (delta, G_MAXINT64) ? G_MAXINT64 :
      time + delta;
}

HsTimeline *
hs_timeline_new (const HsTimelineSettings *settings)
{
  HsTimeline *self = g_new0 (HsTimeline, 1);

  self->settings = *settings;
  self->state = HS_TIMELINE_IDLE;
  self->pending = g_array_new (FALSE, FALSE, sizeof (GstClockTime));
  self->boundary = GST_CLOCK_TIME_NONE;
  return self;
}

void
hs_timeline_free (HsTimeline *self)
{
  if (self == NULL)
    return;
  g_array_unref (self->pending);
  g_free (self);
}

void
hs_timeline_set_settings (HsTimeline *self,
                          const HsTimelineSettings *settings)
{
  self->settings = *settings;
}

HsTimelineState
hs_timeline_get_state (HsTimeline *self)
{
  return self->state;
}

GstClockTime
hs_timeline_get_start (HsTimeline *self)
{
  return self->start;
}

gboolean
hs_timeline_has_pending (HsTimeline *self)
{
  return self->pending->len > 0;
}

gboolean
hs_timeline_get_hold (HsTimeline *self, GstClockTime *from)
{
  GstClockTime first;

  if (self->state != HS_TIMELINE_IDLE) {
    *from = 0;
    return TRUE;
  }
  if (self->pending->len == 0)
    return FALSE;
  first = g_array_index (self->pending, GstClockTime, 0);
  *from = first > self->settings.pre ? first - self->settings.pre : 0;
  if (self->boundary != GST_CLOCK_TIME_NONE)
    *from = MAX (*from, self->boundary);
  return TRUE;
}

void
hs_timeline_get_wake (HsTimeline *self, GstClockTime lead,
                      HsTimelineWake *wake)
{
  const HsTimelineSettings *s = &self->settings;
  GstClockTime end;

  wake->any = wake->keyframe = GST_CLOCK_TIME_NONE;
  if (self->state == HS_TIMELINE_IDLE)
    return;
  end = self->end;
  if (self->state == HS_TIMELINE_WRITING && s->max_duration > 0) {
    GstClockTime rollover = time_after (self->file_first, s->max_duration);

    if (s->keyframe_starts)
      wake->keyframe = rollover;
    else
      end = MIN (end, rollover);
  }
  wake->any = end > lead ? end - lead : 0;
}

const char *
hs_timeline_state_to_string (HsTimelineState state)
{
  switch (state) {
    case HS_TIMELINE_IDLE:
      return "idle";
    case HS_TIMELINE_SEEKING:
      return "seeking";
    case HS_TIMELINE_OPENING:
      return "opening";
    case HS_TIMELINE_WRITING:
      return "writing";
  }
  return "?";
}

static GstClockTime
keyframe_request (HsTimeline *self, GstClockTime time)
{
  return self->settings.request_keyframes ? time : GST_CLOCK_TIME_NONE;
}

static void
add_trigger (HsTimeline *self, GstClockTime time)
{
  guint i;

  for (i = 0; i < self->pending->len; i++)
    if (g_array_index (self->pending, GstClockTime, i) > time)
      break;
  g_array_insert_val (self->pending, i, time);
}

/* No frame for post seconds (at least MIN_STALL_TIMEOUT): counted from the
 * newest frame, and while a window is open, from no earlier than its
 * opening, nor than the process's return from a stop. */
static gboolean
stalled (HsTimeline *self, const HsTimelineSource *source)
{
  GstClockTime timeout = MAX (self->settings.post, MIN_STALL_TIMEOUT);
  gint64 since = MAX (source->last_arrival_us, self->resumed_us);

  if (self->state != HS_TIMELINE_IDLE)
    since = MAX (since, self->opened_us);
  return source->now_us > since &&
      (GstClockTime) (source->now_us - since) * GST_USECOND >= timeout;
}

static void
note_poll (HsTimeline *self, const HsTimelineSource *source)
{
  gboolean holding = self->state != HS_TIMELINE_IDLE ||
      self->pending->len > 0;

  if (holding && self->last_poll_us != 0 &&
      source->now_us - self->last_poll_us > RESUME_GAP_US)
    self->resumed_us = source->now_us;
  self->last_poll_us = holding ? source->now_us : 0;
}

static void
finish (HsTimeline *self, HsTimelineEnd reason, HsTimelineAction *action)
{
  action->type = HS_TIMELINE_FINISH;
  action->reason = reason;
  action->start = self->start;
  action->end = self->end;
  action->requested_start = self->requested_start;
  action->empty = self->n_files == 0;
  if (reason == HS_TIMELINE_END_REACHED)
    self->boundary = self->end;
  self->state = HS_TIMELINE_IDLE;
}

/* Idle: the first pending trigger opens a window once the source has got
 * to its time, or never will. */
static void
open_window (HsTimeline *self, const HsTimelineSource *source,
             HsTimelineAction *action)
{
  GstClockTime trigger;
  gint64 wanted;

  if (self->pending->len == 0)
    return;
  trigger = g_array_index (self->pending, GstClockTime, 0);
  if (!source->eos && !source->failed && !source->refused &&
      (source->reached == GST_CLOCK_TIME_NONE || trigger > source->reached) &&
      !(source->last_arrival_us != 0 && stalled (self, source)))
    return;
  g_array_remove_index (self->pending, 0);

  wanted = (gint64) MIN (trigger, G_MAXINT64) - (gint64) self->settings.pre;
  self->requested_start = self->boundary == GST_CLOCK_TIME_NONE ? wanted :
      MAX (wanted, (gint64) self->boundary);
  self->start = self->requested_start > 0 ? self->requested_start : 0;
  self->end = time_after (trigger, self->settings.post);
  self->opened_us = source->now_us;
  self->n_files = 0;
  action->trigger = trigger;

  if (source->refused) {
    /* Nothing the ring holds or will get can go into this window. */
    finish (self, HS_TIMELINE_END_NOT_NEGOTIATED, action);
    return;
  }
  self->state = self->settings.keyframe_starts ? HS_TIMELINE_SEEKING :
      HS_TIMELINE_OPENING;
  action->type = HS_TIMELINE_START;
  action->start = self->start;
  action->end = self->end;
  action->requested_start = self->requested_start;
  action->keyframe_at = keyframe_request (self, self->end);
}

/* A trigger before the open window's end moves the end. */
static gboolean
extend_window (HsTimeline *self, HsTimelineAction *action)
{
  GstClockTime trigger;

  if (self->pending->len == 0)
    return FALSE;
  trigger = g_array_index (self->pending, GstClockTime, 0);
  if (trigger >= self->end)
    return FALSE;
  g_array_remove_index (self->pending, 0);
  self->end = MAX (self->end, time_after (trigger, self->settings.post));
  action->type = HS_TIMELINE_EXTEND;
  action->trigger = trigger;
  action->end = self->end;
  action->keyframe_at = keyframe_request (self, self->end);
  return TRUE;
}

/* The window has no frame to take now: it ends if the source cannot send
 * one any more. */
static void
poll_window (HsTimeline *self, const HsTimelineSource *source,
             HsTimelineAction *action)
{
  gboolean stall = stalled (self, source);

  if (source->eos && !source->failed)
    finish (self, HS_TIMELINE_END_EOS, action);
  else if (source->failed && (source->eos || source->drained || stall))
    finish (self, HS_TIMELINE_END_SOURCE_ERROR, action);
  else if (stall)
    finish (self, HS_TIMELINE_END_STALLED, action);
}

static void
write_into_new_file (HsTimeline *self, const HsTimelineFrame *frame,
                     HsTimelineFile file, HsTimelineAction *action)
{
  action->type = HS_TIMELINE_WRITE;
  action->file = file;
  /* A file that continues the window asked for exactly this frame. */
  action->requested_start = file == HS_TIMELINE_FILE_OPEN ?
      self->requested_start : (gint64) frame->time;
  if (self->settings.max_duration > 0)
    action->keyframe_at = keyframe_request (self,
        time_after (frame->time, self->settings.max_duration));
  self->file_first = frame->time;
  self->n_files++;
  self->state = HS_TIMELINE_WRITING;
}

static void
take_frame (HsTimeline *self, const HsTimelineFrame *frame,
            HsTimelineAction *action)
{
  const HsTimelineSettings *s = &self->settings;

  /* Files that start on keyframes take the window's from the keyframe at
   * or before its start; others begin exactly at the start. */
  if (!s->keyframe_starts && frame->time < self->start) {
    action->type = HS_TIMELINE_SKIP;
    return;
  }
  if (frame->time >= self->end) {
    finish (self, HS_TIMELINE_END_REACHED, action);
    return;
  }
  switch (self->state) {
    case HS_TIMELINE_SEEKING:
    case HS_TIMELINE_OPENING:
      write_into_new_file (self, frame, HS_TIMELINE_FILE_OPEN, action);
      return;
    case HS_TIMELINE_WRITING:
      if (frame->new_caps && s->keyframe_starts && !frame->keyframe) {
        /* A file of the new caps starts at their first keyframe; asked to
         * start here, it reports the gap. */
        action->type = HS_TIMELINE_CLOSE;
        self->start = frame->time;
        self->requested_start = (gint64) frame->time;
        self->state = HS_TIMELINE_SEEKING;
      } else if (frame->new_caps)
        write_into_new_file (self, frame, HS_TIMELINE_FILE_NEW_CAPS, action);
      else if (s->max_duration > 0 &&
          frame->time >= time_after (self->file_first, s->max_duration) &&
          (!s->keyframe_starts || frame->keyframe))
        write_into_new_file (self, frame, HS_TIMELINE_FILE_ROLLOVER, action);
      else {
        action->type = HS_TIMELINE_WRITE;
        action->file = HS_TIMELINE_FILE_KEEP;
      }
      return;
    case HS_TIMELINE_IDLE:
      /* No window takes frames. */
      return;
  }
}

void
hs_timeline_step (HsTimeline *self, const HsTimelineInput *input,
                  HsTimelineAction *action)
{
  *action = (HsTimelineAction) {
    .type = HS_TIMELINE_WAIT,
    .trigger = GST_CLOCK_TIME_NONE,
    .start = GST_CLOCK_TIME_NONE,
    .end = GST_CLOCK_TIME_NONE,
    .keyframe_at = GST_CLOCK_TIME_NONE,
  };

  switch (input->type) {
    case HS_TIMELINE_TRIGGER:
      add_trigger (self, input->time);
      break;
    case HS_TIMELINE_STOP:
      g_array_set_size (self->pending, 0);
      if (self->state != HS_TIMELINE_IDLE)
        finish (self, HS_TIMELINE_END_STOPPED, action);
      break;
    case HS_TIMELINE_FILE_LOST:
      if (self->state != HS_TIMELINE_IDLE) {
        self->boundary = input->time != GST_CLOCK_TIME_NONE ? input->time :
            self->start;
        self->state = HS_TIMELINE_IDLE;
      }
      break;
    case HS_TIMELINE_POLL:
      note_poll (self, &input->source);
      if (self->state == HS_TIMELINE_IDLE)
        open_window (self, &input->source, action);
      else if (!extend_window (self, action))
        poll_window (self, &input->source, action);
      break;
    case HS_TIMELINE_FRAME:
      if (self->state != HS_TIMELINE_IDLE && !extend_window (self, action))
        take_frame (self, &input->frame, action);
      break;
  }
}
