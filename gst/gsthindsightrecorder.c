/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "gsthindsightrecorder-private.h"

#include "hs-recorder-private.h"

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
 * Sound: the request pad `audio` (at most one, requested while the element
 * is in NULL or READY, as gst-launch-1.0's `rec.audio` does) puts a stream
 * of sound into the same files, as HsRecorder:audio-source does with a tee:
 * raw audio is encoded with `audio-encoder`; compressed audio goes in as it
 * came where the container holds it (WebM: Opus, Vorbis; Matroska: those,
 * AAC, FLAC, mu-law, A-law; MP4: AAC, Opus). The
 * window is decided on the video; a file holds the sound from its first
 * frame to the end of its last one. In messages and errors the sound is
 * called "NAME.audio" (the element's name). The sound's end of stream ends
 * only the sound; an audio pad that is not linked ends with the video.
 *
 * |[
 * gst-launch-1.0 -e videotestsrc is-live=true num-buffers=300 ! queue ! \
 *     rec.video \
 *   audiotestsrc is-live=true wave=ticks num-buffers=430 ! queue ! rec.audio \
 *   hindsightrecorder name=rec pre=2 post=2 trigger-times="<3.0>"
 * ]| writes [1 s, 5 s) of both, the sound in Opus.
 *
 * Triggers, on the pipeline's running time: the action signals `trigger`
 * (now), `trigger-at` (a running time) and `stop`; the custom event
 * `hindsight-trigger`, downstream on the video pad (from an analysis
 * element upstream) or upstream (gst_element_send_event() on the
 * pipeline), with an optional `running-time` (guint64) field; element
 * messages named by #GstHindsightRecorder:trigger-on-message;
 * #GstHindsightRecorder:trigger-times.
 *
 * Reports: element messages `hindsight-recording-started` (`location`,
 * `source`, `index`, `requested-start`, `date`) and
 * `hindsight-recording-finished` (those and `start-time`, `end-time`,
 * `duration`, `shortfall`, `n-frames`, `n-dropped`, `bytes`,
 * `n-audio-frames` (0 without sound), `audio-codec` (the caps name of the
 * file's sound, such as "audio/x-opus", or NULL) and `error` (NULL or a
 * message)); the signals `recording-started` and `recording-finished`
 * carrying the HsRecording itself; and a warning message for each recording
 * that failed (or lost its sound): a recording's failure is never an error
 * of the pipeline.
 *
 * The element's EOS (and so the pipeline's) waits until every file is
 * closed: `gst-launch-1.0 -e` and Ctrl+C leave complete files.
 *
 * Decisions, reports and signals run on a thread the element owns while it
 * is PAUSED or PLAYING (no main loop of the application is needed); do not
 * change the pipeline's state from the signal handlers.
 */

GST_DEBUG_CATEGORY (gst_hindsight_recorder_debug);
#define GST_CAT_DEFAULT gst_hindsight_recorder_debug

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

/* Every setting has its spec here; audio-source's is not installed. */
#define PROP_AUDIO_SOURCE (PROP_FIRST_SETTING + HS_SETTING_AUDIO_SOURCE)

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
 * default `auto`) can bring into system memory, or compressed. */
static GstStaticPadTemplate video_template = GST_STATIC_PAD_TEMPLATE ("video",
    GST_PAD_SINK, GST_PAD_ALWAYS,
    GST_STATIC_CAPS ("video/x-raw(ANY); video/x-h264; video/x-h265; "
        "video/x-vp8; video/x-vp9; video/x-av1"));

/* The sound the sound's ring branch takes: raw (encoded when a file is
 * written) or compressed (kept where the container holds it). */
static GstStaticPadTemplate audio_template = GST_STATIC_PAD_TEMPLATE ("audio",
    GST_PAD_SINK, GST_PAD_REQUEST,
    GST_STATIC_CAPS ("audio/x-raw; audio/x-opus; audio/x-vorbis; "
        "audio/mpeg; audio/x-flac; audio/x-mulaw; audio/x-alaw"));

/* ------------------------------------------------------------------------ */
/* What the recorder reports (on the context's thread)                      */

void
gst_hindsight_recorder_notify_busy (GstHindsightRecorder *self)
{
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_BUSY]);
}

void
gst_hindsight_recorder_release_eos (GstHindsightRecorder *self)
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

static void
on_recording_started (HsRecorder *recorder, HsRecording *recording,
                      gpointer user_data)
{
  GstHindsightRecorder *self = user_data;

  gst_hindsight_recorder_post_report (self, recording, FALSE);
  g_signal_emit (self, signals[SIGNAL_RECORDING_STARTED], 0, recording);
}

static void
on_recording_finished (HsRecorder *recorder, HsRecording *recording,
                       gpointer user_data)
{
  GstHindsightRecorder *self = user_data;

  gst_hindsight_recorder_post_report (self, recording, TRUE);
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
  gst_hindsight_recorder_notify_busy (self);
  if (!busy)
    gst_hindsight_recorder_release_eos (self);
}

/* ------------------------------------------------------------------------ */
/* Actions and events                                                       */

/* The action signals' handlers, in the thread that emits them. */
static void
on_trigger_action (GstHindsightRecorder *self, gpointer unused)
{
  gst_hindsight_recorder_trigger (self, GST_CLOCK_TIME_NONE, FALSE);
}

static void
on_trigger_at_action (GstHindsightRecorder *self, guint64 running_time,
                      gpointer unused)
{
  if (!GST_CLOCK_TIME_IS_VALID (running_time)) {
    GST_WARNING_OBJECT (self, "trigger-at: not a running time");
    return;
  }
  gst_hindsight_recorder_trigger (self, running_time, FALSE);
}

static void
on_stop_action (GstHindsightRecorder *self, gpointer unused)
{
  gst_hindsight_recorder_stop (self);
}

static gboolean
gst_hindsight_recorder_send_event (GstElement *element, GstEvent *event)
{
  GstHindsightRecorder *self = GST_HINDSIGHT_RECORDER (element);

  if (gst_hindsight_recorder_take_trigger_event (self, event))
    return TRUE;
  return GST_ELEMENT_CLASS (gst_hindsight_recorder_parent_class)->send_event (
      element, event);
}

/* ------------------------------------------------------------------------ */
/* EOS                                                                      */

/* Ends the sound's branch from outside: its EOS goes where the stream's
 * would have. */
static void
end_sound (GstElement *audio_branch)
{
  g_autoptr(GstPad) sink = gst_element_get_static_pad (audio_branch, "sink");

  gst_pad_send_event (sink, gst_event_new_eos ());
}

/* The EOS of the video's branch is held until every file is closed; the
 * sound's goes on at once: GstBin passes the element's EOS on once both
 * branches have sent theirs. */
static void
gst_hindsight_recorder_handle_message (GstBin *bin, GstMessage *message)
{
  GstHindsightRecorder *self = GST_HINDSIGHT_RECORDER (bin);
  g_autoptr(GstElement) unfed = NULL;
  gboolean held = FALSE;

  if (GST_MESSAGE_TYPE (message) != GST_MESSAGE_EOS) {
    GST_BIN_CLASS (gst_hindsight_recorder_parent_class)->handle_message (bin,
        message);
    return;
  }

  g_mutex_lock (&self->lock);
  if (self->context != NULL &&
      GST_MESSAGE_SRC (message) == GST_OBJECT (self->branch)) {
    gst_message_replace (&self->held_eos, message);
    gst_hindsight_recorder_request_eos_locked (self);
    held = TRUE;
    /* An audio pad that nothing feeds would never end. */
    if (self->audio_pad != NULL && self->audio_branch != NULL &&
        !gst_pad_is_linked (self->audio_pad))
      unfed = gst_object_ref (self->audio_branch);
  }
  g_mutex_unlock (&self->lock);
  if (unfed != NULL) {
    GST_INFO_OBJECT (self, "the audio pad is not linked: the sound ends");
    end_sound (unfed);
  }
  if (held) {
    GST_INFO_OBJECT (self, "EOS waits for the recorder's files");
    gst_message_unref (message);
    return;
  }
  GST_BIN_CLASS (gst_hindsight_recorder_parent_class)->handle_message (bin,
      message);
}

/* ------------------------------------------------------------------------ */
/* The audio pad                                                            */

static GstPad *
gst_hindsight_recorder_request_new_pad (GstElement     *element,
                                        GstPadTemplate *templ,
                                        const gchar    *name,
                                        const GstCaps  *caps)
{
  GstHindsightRecorder *self = GST_HINDSIGHT_RECORDER (element);
  GstPad *pad = NULL;
  gboolean had_one, started;

  g_mutex_lock (&self->lock);
  had_one = self->audio_pad != NULL;
  started = self->started;
  /* The recorder makes the sound's branch when it is made, at the start. */
  if (!had_one && !started)
    pad = self->audio_pad = gst_ghost_pad_new_no_target_from_template (
        "audio", templ);
  g_mutex_unlock (&self->lock);

  if (had_one)
    GST_ELEMENT_WARNING (self, CORE, PAD,
        ("%s has an audio pad already; it records one sound",
            GST_OBJECT_NAME (self)), (NULL));
  else if (started)
    GST_ELEMENT_WARNING (self, CORE, PAD,
        ("%s takes an audio pad in the NULL or READY state only, not while "
            "it runs", GST_OBJECT_NAME (self)), (NULL));
  if (pad == NULL)
    return NULL;
  gst_element_add_pad (element, pad);
  GST_DEBUG_OBJECT (self, "audio pad added");
  return pad;
}

/* While it runs, the sound ends there. */
static void
gst_hindsight_recorder_release_pad (GstElement *element, GstPad *pad)
{
  GstHindsightRecorder *self = GST_HINDSIGHT_RECORDER (element);
  g_autoptr(GstElement) branch = NULL;

  g_mutex_lock (&self->lock);
  if (pad != self->audio_pad) {
    g_mutex_unlock (&self->lock);
    return;
  }
  self->audio_pad = NULL;
  if (self->audio_branch != NULL)
    branch = gst_object_ref (self->audio_branch);
  g_mutex_unlock (&self->lock);

  gst_ghost_pad_set_target (GST_GHOST_PAD (pad), NULL);
  if (branch != NULL)
    end_sound (branch);
  gst_pad_set_active (pad, FALSE);
  gst_element_remove_pad (element, pad);
  GST_DEBUG_OBJECT (self, "audio pad released");
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

/* A recorder named after the element, with the sound of the audio pad if
 * @with_sound. */
static HsRecorder *
make_recorder (GstHindsightRecorder *self, gboolean with_sound,
               GError **error)
{
  const char *names[HS_N_SETTINGS];
  GValue values[HS_N_SETTINGS] = { G_VALUE_INIT };
  g_autofree char *sound = NULL;
  HsRecorder *recorder;

  g_mutex_lock (&self->lock);
  for (guint i = 0; i < HS_N_SETTINGS; i++) {
    names[i] = properties[PROP_FIRST_SETTING + i]->name;
    g_value_init (&values[i], G_VALUE_TYPE (&self->settings[i]));
    g_value_copy (&self->settings[i], &values[i]);
  }
  g_mutex_unlock (&self->lock);
  /* Hosted, audio-source only names the sound (in messages and errors). */
  if (with_sound) {
    sound = g_strdup_printf ("%s.audio", GST_OBJECT_NAME (self));
    g_value_set_string (&values[HS_SETTING_AUDIO_SOURCE], sound);
  }

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

/* A branch of the recorder into the element, behind @ghost. Returns it
 * (a reference). */
static GstElement *
place_branch (GstHindsightRecorder *self, GstElement *branch, GstPad *ghost)
{
  g_autoptr(GstPad) sink = gst_element_get_static_pad (branch, "sink");

  gst_bin_add (GST_BIN (self), branch);
  gst_ghost_pad_set_target (GST_GHOST_PAD (ghost), sink);
  return gst_object_ref (branch);
}

/* Streaming has stopped: the branch goes (and the reference that
 * place_branch() returned). @ghost may be NULL (the audio pad was
 * released). */
static void
remove_branch (GstHindsightRecorder *self, GstElement *branch, GstPad *ghost)
{
  if (ghost != NULL)
    gst_ghost_pad_set_target (GST_GHOST_PAD (ghost), NULL);
  gst_element_set_locked_state (branch, TRUE);
  gst_element_set_state (branch, GST_STATE_NULL);
  gst_bin_remove (GST_BIN (self), branch);
  gst_object_unref (branch);
}

/* Makes the recorder (with the settings and the audio pad of now) and its
 * thread, and places its branches. */
static gboolean
start (GstHindsightRecorder *self)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GstPad) audio_pad = NULL;
  GMainContext *context = g_main_context_new ();
  HsRecorder *recorder;
  GstElement *branch, *audio_branch = NULL;

  g_mutex_lock (&self->lock);
  self->started = TRUE;
  if (self->audio_pad != NULL)
    audio_pad = gst_object_ref (self->audio_pad);
  g_mutex_unlock (&self->lock);

  /* The recorder decides and reports on the context it is made on; until
   * the thread takes that context over, calls made here run at once. */
  g_main_context_push_thread_default (context);
  recorder = make_recorder (self, audio_pad != NULL, &error);
  if (recorder != NULL)
    gst_hindsight_recorder_give_early_triggers (self, recorder);
  g_main_context_pop_thread_default (context);
  if (recorder == NULL) {
    GST_ELEMENT_ERROR (self, RESOURCE, SETTINGS, ("%s", error->message),
        ("the recorder cannot start"));
    g_main_context_unref (context);
    g_mutex_lock (&self->lock);
    self->started = FALSE;
    g_mutex_unlock (&self->lock);
    return FALSE;
  }

  branch = place_branch (self, hs_recorder_get_branch_bin (recorder),
      self->video_pad);
  if (audio_pad != NULL)
    audio_branch = place_branch (self,
        hs_recorder_get_audio_branch_bin (recorder), audio_pad);

  self->bus = top_level_bus (self);
  if (self->bus != NULL) {
    hs_recorder_watch_bus (recorder, self->bus);
    gst_bus_enable_sync_message_emission (self->bus);
    self->message_handler = g_signal_connect (self->bus,
        "sync-message::element",
        G_CALLBACK (gst_hindsight_recorder_on_element_message), self);
  }

  gst_segment_init (&self->segment, GST_FORMAT_UNDEFINED);
  self->last_running_time = GST_CLOCK_TIME_NONE;
  g_atomic_int_set (&self->quit, 0);

  g_mutex_lock (&self->lock);
  self->recorder = recorder;
  self->context = context;
  self->branch = branch;
  self->audio_branch = audio_branch;
  self->thread = g_thread_new ("hindsight", run_context, self);
  g_mutex_unlock (&self->lock);
  GST_INFO_OBJECT (self, "started%s", audio_pad ? " with sound" : "");
  return TRUE;
}

/* Streaming has stopped: the open window ends, every file is closed (here,
 * waiting for its encoder) and reported, the branches go. */
static void
stop_recorder (GstHindsightRecorder *self)
{
  HsRecorder *recorder;
  GMainContext *context;
  GstMessage *eos;
  g_autoptr(GstPad) audio_pad = NULL;
  GstElement *branch, *audio_branch;

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
  branch = g_steal_pointer (&self->branch);
  audio_branch = g_steal_pointer (&self->audio_branch);
  if (self->audio_pad != NULL)
    audio_pad = gst_object_ref (self->audio_pad);
  g_mutex_unlock (&self->lock);
  gst_clear_message (&eos);

  remove_branch (self, branch, self->video_pad);
  if (audio_branch != NULL)
    remove_branch (self, audio_branch, audio_pad);
  /* Without its sink children the bin forgot it is a sink. */
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
  self->started = FALSE;
  g_mutex_unlock (&self->lock);
  gst_hindsight_recorder_notify_busy (self);
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
      gst_hindsight_recorder_set_trigger_times (self, value);
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
      gst_hindsight_recorder_request_set_locked (self, pspec->name, setting);
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
  element_class->request_new_pad = gst_hindsight_recorder_request_new_pad;
  element_class->release_pad = gst_hindsight_recorder_release_pad;
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

  /* The audio pad, not a tee's name, says where the sound comes from: the
   * spec of audio-source stays here (the settings' loops use it) but is
   * not a property of the element. */
  g_param_spec_ref_sink (properties[PROP_AUDIO_SOURCE]);
  for (guint i = PROP_0 + 1; i < N_PROPS; i++)
    if (i != PROP_AUDIO_SOURCE)
      g_object_class_install_property (object_class, i, properties[i]);

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
  gst_element_class_add_static_pad_template (element_class, &audio_template);
  gst_element_class_set_static_metadata (element_class,
      "Hindsight recorder", "Sink/Video/Audio/File",
      "Keeps the last seconds of video (and sound) and, on a trigger, writes "
      "a file that starts before it", "hindsight");
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
      gst_hindsight_recorder_on_video_data, self, NULL);
  gst_element_add_pad (GST_ELEMENT (self), self->video_pad);

  /* A sink, before it holds one: the pipeline waits for its EOS. */
  GST_OBJECT_FLAG_SET (self, GST_ELEMENT_FLAG_SINK);
}
