/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include "hs-pump-private.h"

#include <glib/gstdio.h>

#include "hs-audio-feed-private.h"
#include "hs-container-private.h"
#include "hs-error.h"
#include "hs-file-job-private.h"
#include "hs-recording-private.h"
#include "hs-ring-buffer-private.h"
#include "hs-variant-private.h"

GST_DEBUG_CATEGORY_STATIC (hs_pump_debug);
#define GST_CAT_DEFAULT hs_pump_debug

/* While a window is open or a trigger waits, the pump runs this often: it
 * takes the frames of a live source that arrived since in one batch (a
 * wake-up per frame and camera costs more than the recording), and sees
 * stalls and triggers the clock reaches without frames. The frame that ends
 * a file, and for a file that is encoded those of its last tick, wake it
 * at once (hs_timeline_get_wake()). */
#define TICK_MS 100
#define CLOSE_TIMEOUT (5 * GST_SECOND)

struct _HsPump
{
  char *source;
  GstElement *pipeline;
  HsRingBuffer *ring;
  HsRingBranch *branch;         /* set once; read from any thread */
  HsAudioFeed *audio;           /* NULL: files without sound */
  GMainContext *context;
  HsPumpCallbacks callbacks;
  gpointer user_data;

  HsPumpSettings settings;
  char *encoder;                /* settings.encoder points here */
  char *audio_encoder;          /* settings.audio_encoder points here */
  HsRecorderMode mode;          /* as the branch decided */

  HsTimeline *timeline;
  guint64 cursor;               /* seq of the next frame to offer */
  guint64 next_seq;             /* seq after the last frame written */
  HsFileJob *current;           /* the open file */
  GList *closing;               /* HsFileJob, in the order they were closed */
  GList *pending_waiters;       /* GTask of triggers not started yet */
  GList *window_waiters;        /* GTask waiting for the window's first file */
  guint index;                  /* files started */
  gint64 sound_wait_us;         /* since when a first file waits for its
                                 * sound to start, 0 if none does */
  GSource *wakeup;
  GSource *tick;
  gboolean busy;
  gboolean running;             /* inside hs_pump_run() */
};

static gboolean
on_ready (GSource *source, GSourceFunc callback, gpointer user_data)
{
  g_source_set_ready_time (source, -1);
  return callback (user_data);
}

/* The wakeup (made ready by the branch) and the tick (made ready by the
 * pump itself) are both sources that run when their ready time comes. */
static GSourceFuncs ready_funcs = {
  .dispatch = on_ready,
};

/* The next multiple of the tick: every pump of a context ticks at the same
 * moments, in one iteration of its loop, instead of each at its own. */
static gint64
next_tick_us (void)
{
  gint64 period = TICK_MS * 1000;

  return (g_get_monotonic_time () / period + 1) * period;
}

static gboolean
run_from_source (gpointer user_data)
{
  hs_pump_run (user_data);
  return G_SOURCE_CONTINUE;
}

HsPump *
hs_pump_new (const char *source, GstElement *pipeline, HsRingBuffer *ring,
             GMainContext *context, const HsPumpCallbacks *callbacks,
             gpointer user_data)
{
  static gsize debug_once;
  HsPump *self = g_new0 (HsPump, 1);

  if (g_once_init_enter (&debug_once)) {
    GST_DEBUG_CATEGORY_INIT (hs_pump_debug, "hindsight-pump", 0,
        "hindsight recorders' windows and files");
    g_once_init_leave (&debug_once, 1);
  }
  self->source = g_strdup (source);
  self->pipeline = gst_object_ref (pipeline);
  self->ring = g_object_ref (ring);
  self->context = g_main_context_ref (context);
  self->callbacks = *callbacks;
  self->user_data = user_data;
  self->mode = HS_RECORDER_MODE_AUTO;
  self->timeline = hs_timeline_new (&(HsTimelineSettings) { 0 });

  self->wakeup = g_source_new (&ready_funcs, sizeof (GSource));
  g_source_set_callback (self->wakeup, run_from_source, self, NULL);
  g_source_set_ready_time (self->wakeup, -1);
  g_source_attach (self->wakeup, self->context);
  self->tick = g_source_new (&ready_funcs, sizeof (GSource));
  g_source_set_callback (self->tick, run_from_source, self, NULL);
  g_source_set_ready_time (self->tick, -1);
  g_source_attach (self->tick, self->context);
  return self;
}

static void
destroy_source (GSource **source)
{
  if (*source != NULL) {
    g_source_destroy (*source);
    g_clear_pointer (source, g_source_unref);
  }
}

void
hs_pump_free (HsPump *self)
{
  destroy_source (&self->wakeup);
  destroy_source (&self->tick);
  g_clear_pointer (&self->branch, hs_ring_branch_unref);
  g_clear_pointer (&self->audio, hs_audio_feed_free);
  g_clear_pointer (&self->timeline, hs_timeline_free);
  g_object_unref (self->ring);
  gst_object_unref (self->pipeline);
  g_main_context_unref (self->context);
  g_free (self->encoder);
  g_free (self->audio_encoder);
  g_free (self->source);
  g_free (self);
}

GSource *
hs_pump_get_wakeup (HsPump *self)
{
  return self->wakeup;
}

void
hs_pump_set_branch (HsPump *self, HsRingBranch *branch)
{
  g_return_if_fail (self->branch == NULL);
  self->branch = hs_ring_branch_ref (branch);
}

/* Files of encoded and passthrough rings start (and roll over) on
 * keyframes; only the ring's own encoder makes one where asked. */
static gboolean
remuxes (HsPump *self)
{
  return self->mode == HS_RECORDER_MODE_ENCODED ||
      self->mode == HS_RECORDER_MODE_PASSTHROUGH;
}

static void
update_timeline (HsPump *self)
{
  HsTimelineSettings timeline = {
    .pre = self->settings.pre,
    .post = self->settings.post,
    .max_duration = self->settings.max_duration,
    .keyframe_starts = remuxes (self),
    .request_keyframes = self->mode == HS_RECORDER_MODE_ENCODED,
  };

  hs_timeline_set_settings (self->timeline, &timeline);
}

void
hs_pump_set_audio (HsPump *self, HsAudioFeed *audio)
{
  g_return_if_fail (self->audio == NULL);
  self->audio = audio;
}

void
hs_pump_set_settings (HsPump *self, const HsPumpSettings *settings)
{
  g_autofree char *old = g_steal_pointer (&self->encoder);

  self->settings = *settings;
  self->encoder = g_strdup (settings->encoder);
  self->settings.encoder = self->encoder;
  g_free (self->audio_encoder);
  self->audio_encoder = g_strdup (settings->audio_encoder);
  self->settings.audio_encoder = self->audio_encoder;
  if (self->audio != NULL)
    hs_audio_feed_set_encoder (self->audio, self->audio_encoder);
  update_timeline (self);
}

/* ------------------------------------------------------------------------ */
/* Time                                                                     */

static GstClockTime
clock_running_time (HsPump *self)
{
  g_autoptr(GstClock) clock = gst_element_get_clock (self->pipeline);
  GstClockTime now, base;

  if (clock == NULL || GST_STATE (self->pipeline) != GST_STATE_PLAYING)
    return GST_CLOCK_TIME_NONE;
  now = gst_clock_get_time (clock);
  base = gst_element_get_base_time (self->pipeline);
  return now > base ? now - base : 0;
}

static gboolean
is_live (HsPump *self)
{
  return self->branch != NULL && hs_ring_branch_is_live (self->branch);
}

GstClockTime
hs_pump_get_running_time (HsPump *self)
{
  GstClockTime t = is_live (self) ? clock_running_time (self) :
      GST_CLOCK_TIME_NONE;

  return t != GST_CLOCK_TIME_NONE ? t : hs_ring_buffer_get_newest (self->ring);
}

/* How far the source has got: the newest frame, or the clock for a live
 * source whose frames stopped coming. */
static GstClockTime
reached_time (HsPump *self, gboolean live)
{
  GstClockTime newest = hs_ring_buffer_get_newest (self->ring);
  GstClockTime clock = live ? clock_running_time (self) : GST_CLOCK_TIME_NONE;

  if (newest == GST_CLOCK_TIME_NONE)
    return clock;
  if (clock == GST_CLOCK_TIME_NONE)
    return newest;
  return MAX (newest, clock);
}

/* Wall-clock time of a frame: the pipeline clock tells how long ago its
 * running time was. A non-live source runs ahead of the clock; its frames
 * are stamped with the time they were written. */
static GDateTime *
frame_date (HsPump *self, GstClockTime time)
{
  GstClockTime now = clock_running_time (self);
  g_autoptr(GDateTime) wall = g_date_time_new_now_local ();

  if (is_live (self) && now != GST_CLOCK_TIME_NONE && time <= now)
    return g_date_time_add (wall, -(GTimeSpan) ((now - time) / GST_USECOND));
  return g_steal_pointer (&wall);
}

/* ------------------------------------------------------------------------ */
/* Files                                                                    */

static void
report (HsPump *self, HsRecording *recording, guint64 bytes,
        const GError *error, GList *waiters)
{
  hs_recording_finish (recording, bytes, error);
  GST_INFO ("finished %s: %" G_GUINT64_FORMAT " frames from %" GST_TIME_FORMAT
      "%s%s", hs_recording_get_location (recording),
      hs_recording_get_n_frames (recording),
      GST_TIME_ARGS (hs_recording_get_start_time (recording)),
      error ? ", error: " : "", error ? error->message : "");
  self->callbacks.finished (recording, self->user_data);
  hs_waiters_complete (waiters, recording);
}

/* Files are reported in the order they were closed by the pump, even when a
 * short file's encoder drains before a long one's. */
static void
report_closed_jobs (HsPump *self)
{
  while (self->closing != NULL &&
      hs_file_job_is_closed (self->closing->data)) {
    HsFileJob *job = self->closing->data;
    g_autoptr(HsRecording) recording =
        g_object_ref (hs_file_job_get_recording (job));
    g_autoptr(GError) error = NULL;
    GList *waiters = g_steal_pointer (hs_file_job_get_waiters (job));
    guint64 bytes = hs_file_job_get_bytes (job);

    if (hs_file_job_get_error (job) != NULL)
      error = g_error_copy (hs_file_job_get_error (job));
    self->closing = g_list_delete_link (self->closing, self->closing);
    hs_file_job_free (job);
    report (self, recording, bytes, error, waiters);
  }
}

static void
on_job_done (HsFileJob *job, gpointer user_data)
{
  HsPump *self = user_data;

  if (self->current == job) {
    /* The record pipeline failed while the window was still open: the
     * window ends here; later frames wait for a new trigger, which may
     * start right after the last frame this file was given (not at the
     * window's planned end, which may lie far ahead). */
    HsRecording *r = hs_file_job_get_recording (job);
    HsTimelineInput lost = {
      .type = HS_TIMELINE_FILE_LOST,
      .time = hs_recording_get_n_frames (r) == 0 ? GST_CLOCK_TIME_NONE :
          MAX (hs_recording_get_end_time (r) + 1,
          hs_recording_get_start_time (r) + hs_recording_get_duration (r)),
    };
    HsTimelineAction ignored;

    self->current = NULL;
    self->closing = g_list_append (self->closing, job);
    hs_timeline_step (self->timeline, &lost, &ignored);
  }
  report_closed_jobs (self);
  hs_pump_run (self);
}

static void
no_sound (HsPump *self, HsRecording *recording, const GError *error)
{
  GST_WARNING ("%s: a file without sound: %s", self->source, error->message);
  hs_recording_set_error (recording, error);
}

/* The caps of the sound of a file starting at @from, or NULL for a file
 * without: the recording says why. */
static GstCaps *
sound_for (HsPump *self, GstClockTime from, HsRecording *recording)
{
  g_autoptr(GError) error = NULL;
  GstCaps *caps;

  if (self->audio == NULL)
    return NULL;
  caps = hs_audio_feed_caps_for (self->audio, from, &error);
  if (caps == NULL)
    no_sound (self, recording, error);
  return caps;
}

/* Whether @container holds the sound of @caps; if not, the recording says
 * why. */
static gboolean
sound_fits (HsPump *self, GstCaps *caps, HsContainer container,
            HsRecording *recording)
{
  g_autoptr(GError) error = NULL;

  if (hs_container_check_audio (container, hs_audio_feed_file_codec (
              self->audio, caps), &error))
    return TRUE;
  g_prefix_error (&error, "No sound: ");
  no_sound (self, recording, error);
  return FALSE;
}

static gboolean
open_file (HsPump *self, const HsRingEntry *e, gint64 requested_start)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(HsRecording) recording = NULL;
  g_autoptr(GDateTime) date = frame_date (self, e->time);
  g_autofree char *location = NULL;
  GstCaps *caps = gst_sample_get_caps (e->sample);
  g_autoptr(GstCaps) audio_caps = NULL;
  HsWriterOptions options = {
    .remux = remuxes (self),
    .encoder = self->settings.encoder,
    .settings = self->settings.encoding,
    .date = date,
  };
  HsFileJob *job = NULL;

  recording = hs_recording_new (self->source, ++self->index, requested_start);
  hs_recording_set_date (recording, date);
  audio_caps = sound_for (self, e->time, recording);
  location = self->callbacks.location (recording, options.remux ?
      gst_structure_get_name (gst_caps_get_structure (caps, 0)) :
      hs_variant_encoder_codec (options.encoder), audio_caps ?
      hs_audio_feed_file_codec (self->audio, audio_caps) : NULL,
      &options.container, self->user_data, &error);
  if (location != NULL && audio_caps != NULL &&
      !sound_fits (self, audio_caps, options.container, recording))
    gst_clear_caps (&audio_caps);
  options.audio_caps = audio_caps;
  options.audio_encoder = self->audio_encoder;
  if (location != NULL) {
    hs_recording_set_location (recording, location);
    job = hs_file_job_new (recording, location, caps, &options, self->context,
        on_job_done, self, &error);
  }
  if (job == NULL) {
    GST_WARNING ("cannot record: %s", error->message);
    if (location != NULL)
      g_unlink (location);
    report (self, recording, 0, error, g_steal_pointer (&self->window_waiters));
    return FALSE;
  }

  *hs_file_job_get_waiters (job) = g_steal_pointer (&self->window_waiters);
  self->current = job;
  GST_INFO ("recording %s from %" GST_TIME_FORMAT, location,
      GST_TIME_ARGS (e->time));
  self->callbacks.started (recording, self->user_data);
  return TRUE;
}

static void
close_file (HsPump *self, const GError *error)
{
  HsFileJob *job = g_steal_pointer (&self->current);

  if (job == NULL)
    return;
  self->closing = g_list_append (self->closing, job);
  hs_file_job_finish (job, error);
}

/* ------------------------------------------------------------------------ */
/* Carrying out the timeline's actions                                      */

/* What a window that ended for @reason reports. */
static GError *
end_error (HsPump *self, HsTimelineEnd reason,
           const HsRingBranchStatus *status)
{
  switch (reason) {
    case HS_TIMELINE_END_SOURCE_ERROR:
      return g_error_new (HS_ERROR, HS_ERROR_SOURCE,
          "The source failed before the window's end: %s",
          status->source_error);
    case HS_TIMELINE_END_STALLED:
      return g_error_new (HS_ERROR, HS_ERROR_SOURCE,
          "Source '%s' stalled: no frame for %.1f s before the window's end",
          self->source, MAX (self->settings.post, GST_SECOND / 2) /
          (double) GST_SECOND);
    case HS_TIMELINE_END_NOT_NEGOTIATED:
      return g_error_new (HS_ERROR, HS_ERROR_NOT_NEGOTIATED,
          "Tee '%s' carries %s", self->source, status->refusal);
    case HS_TIMELINE_END_EOS:
      /* A source that warned before it ended did not end of its own: a
       * camera that closed the connection, say. */
      if (status->source_warning != NULL)
        return g_error_new (HS_ERROR, HS_ERROR_SOURCE,
            "The source ended before the window's end: %s",
            status->source_warning);
      break;
    case HS_TIMELINE_END_REACHED:
    case HS_TIMELINE_END_STOPPED:
      break;
  }
  return NULL;
}

static void
finish_window (HsPump *self, const HsTimelineAction *action,
               const HsRingBranchStatus *status)
{
  g_autoptr(GError) error = end_error (self, action->reason, status);
  g_autoptr(HsRecording) recording = NULL;

  if (action->trigger != GST_CLOCK_TIME_NONE)
    self->window_waiters = g_list_concat (self->window_waiters,
        hs_waiters_take_until (&self->pending_waiters, action->trigger));
  if (self->current != NULL) {
    close_file (self, error);
    return;
  }
  if (!action->empty)
    return;
  /* Nothing was written: report the empty window rather than hide it. */
  recording = hs_recording_new (self->source, 0, action->requested_start);
  if (error == NULL)
    error = g_error_new (HS_ERROR, HS_ERROR_NO_FRAMES,
        "No frame of source '%s' arrived between %" GST_TIME_FORMAT " and %"
        GST_TIME_FORMAT, self->source, GST_TIME_ARGS (action->start),
        GST_TIME_ARGS (action->end));
  report (self, recording, 0, error, g_steal_pointer (&self->window_waiters));
}

static void
write_frame (HsPump *self, const HsTimelineAction *action,
             const HsRingEntry *e)
{
  if (action->file != HS_TIMELINE_FILE_KEEP) {
    if (action->file != HS_TIMELINE_FILE_OPEN) {
      GST_INFO ("%s: continuing in a new file", action->file ==
          HS_TIMELINE_FILE_NEW_CAPS ? "caps changed" : "max-duration reached");
      close_file (self, NULL);
    }
    if (!open_file (self, e, action->requested_start)) {
      /* The failure is reported; the rest of the window is given up. A
       * new trigger may start from this frame on, not only after the
       * window's planned end. */
      HsTimelineInput lost = { .type = HS_TIMELINE_FILE_LOST, .time = e->time };
      HsTimelineAction ignored;

      hs_timeline_step (self->timeline, &lost, &ignored);
      return;
    }
  }
  /* Frames the ring let go of before they were read (it holds a window's
   * frames from its trigger on, so only a ring too small for a backlog
   * being read) are missing from the file: reported, never silent. */
  if (action->file == HS_TIMELINE_FILE_KEEP && e->seq > self->next_seq) {
    GST_WARNING ("%s: %" G_GUINT64_FORMAT " frames left the ring before "
        "they were written", self->source, e->seq - self->next_seq);
    hs_recording_add_dropped (hs_file_job_get_recording (self->current),
        e->seq - self->next_seq);
  }
  self->next_seq = e->seq + 1;
  hs_file_job_write (self->current, e, self->settings.rebase_timestamps,
      remuxes (self));
}

/* Returns whether the frame @e (if any) was used up. */
static gboolean
carry_out (HsPump *self, const HsTimelineAction *action, const HsRingEntry *e,
           const HsRingBranchStatus *status)
{
  gboolean used = FALSE;
  GList **waiters;

  switch (action->type) {
    case HS_TIMELINE_START:
      GST_DEBUG ("trigger at %" GST_TIME_FORMAT ": window %" GST_TIME_FORMAT
          " - %" GST_TIME_FORMAT, GST_TIME_ARGS (action->trigger),
          GST_TIME_ARGS (action->start), GST_TIME_ARGS (action->end));
      self->window_waiters = g_list_concat (self->window_waiters,
          hs_waiters_take_until (&self->pending_waiters, action->trigger));
      break;
    case HS_TIMELINE_EXTEND:
      GST_DEBUG ("trigger at %" GST_TIME_FORMAT " extends the window to %"
          GST_TIME_FORMAT, GST_TIME_ARGS (action->trigger),
          GST_TIME_ARGS (action->end));
      waiters = self->current != NULL ?
          hs_file_job_get_waiters (self->current) : &self->window_waiters;
      *waiters = g_list_concat (*waiters,
          hs_waiters_take_until (&self->pending_waiters, action->trigger));
      break;
    case HS_TIMELINE_SKIP:
      used = TRUE;
      break;
    case HS_TIMELINE_WRITE:
      write_frame (self, action, e);
      used = TRUE;
      break;
    case HS_TIMELINE_CLOSE:
      GST_INFO ("caps changed: continuing at the next keyframe");
      close_file (self, NULL);
      break;
    case HS_TIMELINE_FINISH:
      finish_window (self, action, status);
      break;
    case HS_TIMELINE_WAIT:
      break;
  }
  if (action->keyframe_at != GST_CLOCK_TIME_NONE && self->branch != NULL)
    hs_ring_branch_request_keyframe (self->branch, action->keyframe_at);
  return used;
}

/* The next frame the open window may take: in order from the cursor, or,
 * while it looks for the keyframe it starts at, that keyframe. */
static gboolean
next_frame (HsPump *self, HsRingEntry *e)
{
  guint64 seq;

  switch (hs_timeline_get_state (self->timeline)) {
    case HS_TIMELINE_IDLE:
      return FALSE;
    case HS_TIMELINE_SEEKING:
      seq = hs_ring_buffer_find_keyframe (self->ring, self->cursor,
          hs_timeline_get_start (self->timeline));
      if (seq == G_MAXUINT64)
        return FALSE;
      self->cursor = seq;
      break;
    case HS_TIMELINE_OPENING:
    case HS_TIMELINE_WRITING:
      break;
  }
  return hs_ring_buffer_next (self->ring, &self->cursor, GST_CLOCK_TIME_NONE,
      e);
}

/* The files that want sound, oldest first: those closed that wait for
 * their audio, then the open one. Transfer container. */
static GList *
files_filling (HsPump *self)
{
  GList *jobs = NULL;

  for (GList *l = self->closing; l != NULL; l = l->next)
    if (hs_file_job_wants_audio (l->data))
      jobs = g_list_append (jobs, l->data);
  if (self->current != NULL && hs_file_job_wants_audio (self->current))
    jobs = g_list_append (jobs, self->current);
  return jobs;
}

/* The sound the open and closed files are owed, and every frame handed out
 * since the last time to its record pipeline. */
static void
fill_files (HsPump *self)
{
  g_autoptr(GList) jobs = self->audio ? files_filling (self) : NULL;

  if (jobs != NULL)
    hs_audio_feed_run (self->audio, jobs,
        self->settings.rebase_timestamps);
  for (GList *l = self->closing; l != NULL; l = l->next)
    if (!hs_file_job_is_closed (l->data))
      hs_file_job_flush (l->data);
  if (self->current != NULL)
    hs_file_job_flush (self->current);
}

/* How far back a window waiting or open may want sound: from its start,
 * or from the oldest frame of the video ring (a file that starts on a
 * keyframe may start before the window); before any video came, from
 * `pre` before the start (a keyframe that far back, at most). */
static GstClockTime
sound_from (HsPump *self, GstClockTime pending_from)
{
  GstClockTime oldest = hs_ring_buffer_get_oldest (self->ring);
  GstClockTime from = hs_timeline_get_state (self->timeline) !=
      HS_TIMELINE_IDLE ? hs_timeline_get_start (self->timeline) : pending_from;

  if (oldest != GST_CLOCK_TIME_NONE)
    return MIN (from, oldest);
  return from - MIN (from, self->settings.pre);
}

/* The ring keeps what the timeline may still take, from the cursor on:
 * set before a window's frames are read (the streaming thread evicts while
 * they are), and after each run. Returns whether anything is held. */
static gboolean
hold_ring (HsPump *self, GstClockTime *from)
{
  gboolean hold = hs_timeline_get_hold (self->timeline, from);

  hs_ring_buffer_set_hold (self->ring, hold ? self->cursor : G_MAXUINT64,
      *from);
  return hold;
}

static void
update_interest (HsPump *self)
{
  GstClockTime from = 0;
  gboolean hold = hold_ring (self, &from);
  g_autoptr(GList) filling = self->audio ? files_filling (self) : NULL;
  HsTimelineWake wake;
  gboolean busy;

  /* A file that is encoded gets the frames of its last tick one by one,
   * so that its encoder is done with them when the end comes and the file
   * closes at once. */
  hs_timeline_get_wake (self->timeline, remuxes (self) ? 0 :
      TICK_MS * GST_MSECOND, &wake);
  if (self->branch != NULL) {
    hs_ring_branch_set_interested (self->branch, hold);
    hs_ring_branch_set_wake_at (self->branch, wake.any, wake.keyframe);
  }
  if (self->audio != NULL)
    hs_audio_feed_hold (self->audio, filling != NULL, hold ?
        sound_from (self, from) : GST_CLOCK_TIME_NONE);
  g_source_set_ready_time (self->tick, hold || filling != NULL ?
      next_tick_us () : -1);

  busy = hs_timeline_get_state (self->timeline) != HS_TIMELINE_IDLE ||
      hs_timeline_has_pending (self->timeline) || self->closing != NULL;
  if (busy != self->busy) {
    self->busy = busy;
    GST_DEBUG ("%s busy: %d", self->source, busy);
    self->callbacks.busy_changed (self->user_data);
  }
}

static void
read_source (HsPump *self, const HsRingBranchStatus *status,
             HsTimelineSource *source)
{
  *source = (HsTimelineSource) {
    .now_us = g_get_monotonic_time (),
    .last_arrival_us = status->last_arrival_us,
    .reached = reached_time (self, status->live),
    .eos = status->eos,
    .failed = status->source_error != NULL,
    .drained = status->drained,
    .refused = status->refusal != NULL,
  };
}

/* A window's first file knows its sound before it opens: while the audio
 * source has sent nothing yet (its first buffers may come a little after
 * the video's, or late from a non-live source), the frame waits for it, a
 * second at most. */
static gboolean
waits_for_sound (HsPump *self, const HsRingEntry *e)
{
  HsTimelineState state = hs_timeline_get_state (self->timeline);
  gint64 now = g_get_monotonic_time ();

  if (self->audio == NULL)
    return FALSE;
  /* Only a frame that opens the window's first file (one before the start
   * of a window that does not start on a keyframe is skipped). */
  if (state != HS_TIMELINE_SEEKING && (state != HS_TIMELINE_OPENING ||
          e->time < hs_timeline_get_start (self->timeline)))
    return FALSE;
  if (self->sound_wait_us == 0)
    self->sound_wait_us = now;
  if (!hs_audio_feed_is_ready (self->audio, now - self->sound_wait_us))
    return TRUE;
  self->sound_wait_us = 0;
  return FALSE;
}

void
hs_pump_run (HsPump *self)
{
  HsRingBranchStatus status = { .mode = HS_RECORDER_MODE_AUTO };
  HsTimelineSource source;

  /* A callback below may lead back here (a writer that fails at once);
   * running inside a run would write frames out of order. */
  if (self->running) {
    g_source_set_ready_time (self->wakeup, 0);
    return;
  }
  self->running = TRUE;
  if (self->branch != NULL)
    hs_ring_branch_get_status (self->branch, &status);
  if (status.mode != self->mode && status.mode != HS_RECORDER_MODE_AUTO) {
    self->mode = status.mode;
    update_timeline (self);
  }
  read_source (self, &status, &source);

  for (;;) {
    g_auto(HsRingEntry) e = { 0 };
    HsTimelineInput input = { .type = HS_TIMELINE_POLL, .source = source };
    HsTimelineAction action;

    if (next_frame (self, &e) && waits_for_sound (self, &e)) {
      self->cursor = e.seq;
      break;
    }
    if (e.sample != NULL) {
      input.type = HS_TIMELINE_FRAME;
      input.frame.time = e.time;
      input.frame.keyframe = e.keyframe;
      input.frame.new_caps = self->current != NULL &&
          !hs_file_job_takes_caps (self->current,
          gst_sample_get_caps (e.sample));
    }
    hs_timeline_step (self->timeline, &input, &action);
    if (!carry_out (self, &action, e.sample ? &e : NULL, &status) &&
        e.sample != NULL)
      self->cursor = e.seq;     /* offered again next time */
    if (action.type == HS_TIMELINE_WAIT)
      break;
  }
  fill_files (self);

  update_interest (self);
  hs_ring_branch_status_clear (&status);
  self->running = FALSE;
}

/* ------------------------------------------------------------------------ */
/* Triggers, stops, waiters                                                 */

void
hs_pump_trigger (HsPump *self, GstClockTime time, GTask *task)
{
  HsTimelineInput input = { .type = HS_TIMELINE_TRIGGER, .time = time };
  HsTimelineAction ignored;
  GstClockTime from = 0;

  /* No frame yet and no clock: the stream's start. */
  if (input.time == GST_CLOCK_TIME_NONE)
    input.time = hs_pump_get_running_time (self);
  if (input.time == GST_CLOCK_TIME_NONE)
    input.time = 0;
  hs_timeline_step (self->timeline, &input, &ignored);
  hold_ring (self, &from);
  if (task != NULL) {
    hs_waiter_set_trigger (task, input.time);
    self->pending_waiters = g_list_append (self->pending_waiters,
        g_object_ref (task));
  }
  GST_DEBUG ("%s: trigger at %" GST_TIME_FORMAT, self->source,
      GST_TIME_ARGS (input.time));
  hs_pump_run (self);
}

/* Ends the open window now; the triggers still to come are forgotten. */
static void
end_window (HsPump *self)
{
  HsTimelineInput input = { .type = HS_TIMELINE_STOP };
  HsTimelineAction action;
  HsRingBranchStatus status = { 0 };

  hs_timeline_step (self->timeline, &input, &action);
  carry_out (self, &action, NULL, &status);
}

void
hs_pump_stop (HsPump *self)
{
  g_autoptr(GError) error = NULL;

  hs_pump_run (self);
  if (self->pending_waiters != NULL) {
    error = g_error_new (HS_ERROR, HS_ERROR_NO_FRAMES,
        "The recorder of '%s' was stopped before the trigger", self->source);
    hs_waiters_fail (g_steal_pointer (&self->pending_waiters), error);
  }
  end_window (self);
  update_interest (self);
}

void
hs_pump_forget_waiter (HsPump *self, GTask *task)
{
  gboolean found = hs_waiters_remove (&self->pending_waiters, task) ||
      hs_waiters_remove (&self->window_waiters, task) ||
      (self->current != NULL &&
      hs_waiters_remove (hs_file_job_get_waiters (self->current), task));

  for (GList *l = self->closing; l != NULL && !found; l = l->next)
    found = hs_waiters_remove (hs_file_job_get_waiters (l->data), task);
  if (found) {
    g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_CANCELLED,
        "Stopped waiting for the recording of '%s'", self->source);
    g_object_unref (task);
  }
}

void
hs_pump_close_all_sync (HsPump *self)
{
  end_window (self);
  for (GList *l = self->closing; l != NULL; l = l->next)
    hs_file_job_close_sync (l->data, CLOSE_TIMEOUT);
  report_closed_jobs (self);
}

gboolean
hs_pump_is_busy (HsPump *self)
{
  return self->busy;
}

gboolean
hs_pump_is_running (HsPump *self)
{
  return self->running;
}
