/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include "hs-recorder.h"
#include "hs-recorder-private.h"

#include "hs-container-private.h"
#include "hs-error.h"
#include "hs-location-private.h"
#include "hs-pipeline-private.h"
#include "hs-pump-private.h"
#include "hs-ring-branch-private.h"
#include "hs-settings-private.h"
#include "hs-tee.h"
#include "hs-timeline-private.h"
#include "hs-variant-private.h"

/**
 * HsRecorder:
 *
 * Records what a tee of a running pipeline carried before and after an
 * event.
 *
 * The recorder adds a branch to the tee (`queue ! videoconvert ! appsink`)
 * that keeps the last [property@Hindsight.Recorder:pre] seconds of frames in
 * an [class@Hindsight.RingBuffer]. A trigger at running time T writes a WebM
 * file with the frames from `T - pre` to `T + post`; each further trigger
 * before that end moves the end to `T' + post`. Files never overlap and
 * never leave a gap when windows touch.
 *
 * ```c
 * g_autoptr(GError) error = NULL;
 * g_autoptr(HsRecorder) rec = hs_recorder_new (pipeline, "cam0", &error);
 *
 * g_object_set (rec, "pre", 2.0, "post", 2.0,
 *               "location", "clips/%{source}-%{index}.webm", NULL);
 * g_signal_connect (rec, "recording-finished", G_CALLBACK (on_finished), NULL);
 * hs_recorder_trigger_at (rec, 3 * GST_SECOND);   // writes [1 s, 5 s)
 * ```
 *
 * Every decision and every signal happens on the [struct@GLib.MainContext]
 * that was the thread-default one when the recorder was made; that context
 * must be running for files to be written. The methods may be called from
 * any thread.
 *
 * Since: 0.1
 */

GST_DEBUG_CATEGORY_STATIC (hs_recorder_debug);
#define GST_CAT_DEFAULT hs_recorder_debug

/* The ring spans pre plus this much, so that a trigger "now" still finds
 * T - pre although the newest frame is a little older than the clock. */
#define RING_MARGIN (GST_SECOND / 2)

struct _HsRecorder
{
  GObject parent_instance;

  /* Set when made, then only read. */
  GstElement *pipeline;
  char *source;
  GMainContext *context;
  HsRingBuffer *ring;           /* thread-safe */
  HsRingBuffer *audio_ring;     /* the sound's, with audio-source */

  /* Settings. The construct-only ones (converter, mode) shape the branch;
   * the others take effect at the next decision that reads them. */
  HsSettings settings;
  HsLocationFunc location_func;
  gpointer location_data;
  GDestroyNotify location_destroy;

  /* Main context only. */
  HsPump *pump;
  HsRingBranch *branch;         /* NULL until attached */
  HsRingBranch *audio_branch;   /* NULL without audio-source */
  gboolean hosted;              /* the branch is in an element, not on a tee
                                 * (hs_recorder_new_hosted()) */
  gboolean detached;

  gboolean busy_notified;       /* the busy value last notified */
  gint queued;                  /* atomic: triggers not yet given to the pump */
};

static void hs_recorder_initable_iface_init (GInitableIface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (HsRecorder, hs_recorder, G_TYPE_OBJECT,
    G_IMPLEMENT_INTERFACE (G_TYPE_INITABLE, hs_recorder_initable_iface_init)
    GST_DEBUG_CATEGORY_INIT (hs_recorder_debug, "hindsight", 0,
        "hindsight recorder"))

G_DEFINE_ENUM_TYPE (HsRecorderMode, hs_recorder_mode,
    G_DEFINE_ENUM_VALUE (HS_RECORDER_MODE_RAW, "raw"),
    G_DEFINE_ENUM_VALUE (HS_RECORDER_MODE_ENCODED, "encoded"),
    G_DEFINE_ENUM_VALUE (HS_RECORDER_MODE_PASSTHROUGH, "passthrough"),
    G_DEFINE_ENUM_VALUE (HS_RECORDER_MODE_AUTO, "auto"))

G_DEFINE_ENUM_TYPE (HsContainer, hs_container,
    G_DEFINE_ENUM_VALUE (HS_CONTAINER_AUTO, "auto"),
    G_DEFINE_ENUM_VALUE (HS_CONTAINER_WEBM, "webm"),
    G_DEFINE_ENUM_VALUE (HS_CONTAINER_MATROSKA, "matroska"),
    G_DEFINE_ENUM_VALUE (HS_CONTAINER_MP4, "mp4"))

G_DEFINE_ENUM_TYPE (HsCopyFrames, hs_copy_frames,
    G_DEFINE_ENUM_VALUE (HS_COPY_FRAMES_AUTO, "auto"),
    G_DEFINE_ENUM_VALUE (HS_COPY_FRAMES_ALWAYS, "always"),
    G_DEFINE_ENUM_VALUE (HS_COPY_FRAMES_NEVER, "never"))

enum
{
  PROP_0,
  PROP_PIPELINE,
  PROP_SOURCE,
  PROP_BUSY,
  PROP_FIRST_SETTING,
  N_PROPS = PROP_FIRST_SETTING + HS_N_SETTINGS
};

static GParamSpec *properties[N_PROPS];

enum
{
  SIGNAL_RECORDING_STARTED,
  SIGNAL_RECORDING_FINISHED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

/* ------------------------------------------------------------------------ */
/* What the pump reports                                                    */

static void
on_started (HsRecording *recording, gpointer user_data)
{
  g_signal_emit (user_data, signals[SIGNAL_RECORDING_STARTED], 0, recording);
}

static void
on_finished (HsRecording *recording, gpointer user_data)
{
  g_signal_emit (user_data, signals[SIGNAL_RECORDING_FINISHED], 0, recording);
}

/* Notified on the recorder's context whenever hs_recorder_get_busy()
 * changes there. */
static void
notify_busy (HsRecorder *self)
{
  gboolean busy = hs_recorder_get_busy (self);

  if (busy == self->busy_notified)
    return;
  self->busy_notified = busy;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_BUSY]);
}

static void
on_busy_changed (gpointer user_data)
{
  notify_busy (user_data);
}

/* The container by the setting, the location's extension or the codecs;
 * the path from the application's function or the template. */
static char *
choose_location (HsRecording *recording, const char *codec,
                 const char *audio_codec, HsContainer *container,
                 gpointer user_data, GError **error)
{
  HsRecorder *self = user_data;
  const char *template_ = hs_recorder_get_location (self);
  g_autofree char *path = NULL;

  if (self->location_func != NULL)
    path = self->location_func (self, recording, self->location_data);
  *container = hs_container_choose (self->settings.container,
      path ? path : template_, codec, audio_codec, error);
  if (*container == HS_CONTAINER_AUTO)
    return NULL;
  if (path == NULL)
    path = hs_location_expand (template_, self->source,
        hs_recording_get_index (recording), hs_location_next_n (),
        hs_container_extension (*container), hs_recording_get_date (recording),
        error);
  if (path == NULL)
    return NULL;
  return hs_location_reserve (path, error);
}

static const HsPumpCallbacks pump_callbacks = {
  .started = on_started,
  .finished = on_finished,
  .busy_changed = on_busy_changed,
  .location = choose_location,
};

/* The pump follows the settings: called after every change. */
static void
update_pump (HsRecorder *self)
{
  const HsSettings *s = &self->settings;
  HsPumpSettings settings = {
    .pre = hs_timeline_seconds (s->pre),
    .post = hs_timeline_seconds (s->post),
    .max_duration = hs_timeline_seconds (s->max_duration),
    .encoder = s->encoder,
    .encoding = s->encoding,
    .rebase_timestamps = s->rebase_timestamps,
    .audio_encoder = s->audio_encoder,
  };

  hs_pump_set_settings (self->pump, &settings);
}

/* ------------------------------------------------------------------------ */
/* Attaching to the tee                                                     */

/* The ring branch that feeds the ring, made from the settings. */
static gboolean
make_branch (HsRecorder *self, GError **error)
{
  HsRingBranchConfig config = {
    .source = self->source,
    .converter = self->settings.converter,
    .mode = self->settings.mode,
    .encoder = self->settings.encoder,
    .settings = self->settings.encoding,
    .copy_frames = self->settings.copy_frames,
    .ring = self->ring,
    .wakeup = hs_pump_get_wakeup (self->pump),
  };

  self->branch = hs_ring_branch_new (&config, error);
  if (self->branch == NULL)
    return FALSE;
  hs_pump_set_branch (self->pump, self->branch);
  return TRUE;
}

/* The sound's ring branch, made from the settings, feeding the files
 * through the pump. */
static gboolean
make_audio_branch (HsRecorder *self, GError **error)
{
  HsRingBranchConfig config = {
    .source = self->settings.audio_source,
    .mode = HS_RECORDER_MODE_AUTO,
    .audio = TRUE,
    .copy_frames = self->settings.copy_frames,
    .ring = self->audio_ring,
    .wakeup = hs_pump_get_wakeup (self->pump),
  };
  HsAudioFeed *feed;

  self->audio_branch = hs_ring_branch_new (&config, error);
  if (self->audio_branch == NULL)
    return FALSE;
  feed = hs_audio_feed_new (self->settings.audio_source, self->audio_ring);
  hs_audio_feed_set_branch (feed, self->audio_branch);
  hs_audio_feed_set_encoder (feed, self->settings.audio_encoder);
  hs_pump_set_audio (self->pump, feed);
  return TRUE;
}

/* The sound: a ring branch of its own on the audio tee. */
static gboolean
attach_audio (HsRecorder *self, GstBus *bus, GError **error)
{
  g_autoptr(GstElement) tee = hs_tee_find (self->pipeline,
      self->settings.audio_source, error);

  if (tee == NULL) {
    g_prefix_error (error, "Audio source: ");
    return FALSE;
  }
  if (!make_audio_branch (self, error) ||
      !hs_ring_branch_attach (self->audio_branch, tee, error))
    return FALSE;
  hs_ring_branch_watch_bus (self->audio_branch, bus);
  GST_INFO_OBJECT (self, "sound from tee %s", self->settings.audio_source);
  return TRUE;
}

static gboolean
attach (HsRecorder *self, GError **error)
{
  g_autoptr(GstElement) tee = NULL;
  g_autoptr(GstBus) bus = NULL;

  if (!GST_IS_BIN (self->pipeline)) {
    g_set_error (error, HS_ERROR, HS_ERROR_INVALID_ARGUMENT,
        "The recorder needs a pipeline (a GstBin)");
    return FALSE;
  }
  bus = gst_element_get_bus (self->pipeline);
  if (bus == NULL) {
    /* A bin of its own, in no pipeline: no bus to hear errors on. */
    g_set_error (error, HS_ERROR, HS_ERROR_INVALID_ARGUMENT,
        "The recorder needs a pipeline; '%s' is a bin that is in none",
        GST_OBJECT_NAME (self->pipeline));
    return FALSE;
  }
  if (self->source == NULL) {
    g_set_error (error, HS_ERROR, HS_ERROR_INVALID_ARGUMENT,
        "The recorder needs the name of a tee (property 'source')");
    return FALSE;
  }
  tee = hs_tee_find (self->pipeline, self->source, error);
  if (tee == NULL)
    return FALSE;

  if (!make_branch (self, error))
    return FALSE;
  if (!hs_ring_branch_attach (self->branch, tee, error))
    return FALSE;
  hs_ring_branch_watch_bus (self->branch, bus);
  if (self->settings.audio_source != NULL &&
      !attach_audio (self, bus, error))
    return FALSE;
  hs_pipeline_register_recorder (self->pipeline, self);
  GST_INFO_OBJECT (self, "attached to tee %s", self->source);
  return TRUE;
}

/* Settings that contradict each other, found before anything is built. */
static gboolean
check_settings (HsRecorder *self, GError **error)
{
  const HsSettings *s = &self->settings;
  HsContainer named = hs_container_from_location (s->location);
  const char *codec = hs_variant_encoder_codec (s->encoder);
  g_autoptr(GEnumClass) containers = g_type_class_ref (HS_TYPE_CONTAINER);

  if (s->location != NULL && !hs_location_validate (s->location, error))
    return FALSE;
  if (!hs_variant_check_encoder (s->encoder, error))
    return FALSE;
  if (s->audio_source != NULL &&
      !hs_variant_check_audio_encoder (s->audio_encoder, error))
    return FALSE;
  if (s->container != HS_CONTAINER_AUTO && named != HS_CONTAINER_AUTO &&
      named != s->container) {
    g_set_error (error, HS_ERROR, HS_ERROR_INVALID_ARGUMENT,
        "Location '%s' ends in .%s, but the container is %s", s->location,
        hs_container_extension (named),
        g_enum_get_value (containers, s->container)->value_nick);
    return FALSE;
  }
  if (s->mode == HS_RECORDER_MODE_PASSTHROUGH &&
      g_strcmp0 (s->converter, "auto") != 0) {
    g_set_error (error, HS_ERROR, HS_ERROR_INVALID_ARGUMENT,
        "Converter '%s' is for raw video; mode passthrough records the tee's "
        "compressed video as it is", s->converter);
    return FALSE;
  }
  /* The files of raw and encoded modes hold the encoder's codec. */
  if ((s->mode == HS_RECORDER_MODE_RAW || s->mode == HS_RECORDER_MODE_ENCODED)
      && codec != NULL && hs_container_choose (s->container, s->location,
          codec, NULL, error) == HS_CONTAINER_AUTO)
    return FALSE;
  return TRUE;
}

/* ------------------------------------------------------------------------ */
/* GObject                                                                  */

static gboolean
hs_recorder_initable_init (GInitable     *initable,
                           GCancellable  *cancellable,
                           GError       **error)
{
  HsRecorder *self = HS_RECORDER (initable);

  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (self->pipeline == NULL) {
    g_set_error (error, HS_ERROR, HS_ERROR_INVALID_ARGUMENT,
        "The recorder needs a pipeline (property 'pipeline')");
    return FALSE;
  }
  if (!check_settings (self, error))
    return FALSE;
  self->pump = hs_pump_new (self->source, self->pipeline, self->ring,
      self->context, &pump_callbacks, self);
  update_pump (self);
  /* Hosted branches go wherever their host puts them. */
  if (self->hosted)
    return make_branch (self, error) && (self->settings.audio_source == NULL
        || make_audio_branch (self, error));
  return attach (self, error);
}

static void
hs_recorder_initable_iface_init (GInitableIface *iface)
{
  iface->init = hs_recorder_initable_init;
}

static void
hs_recorder_dispose (GObject *object)
{
  HsRecorder *self = HS_RECORDER (object);

  if (self->branch != NULL && !self->detached)
    hs_recorder_detach (self);
  if (self->pump != NULL)
    hs_pump_close_all_sync (self->pump);
  g_clear_pointer (&self->pump, hs_pump_free);
  g_clear_pointer (&self->branch, hs_ring_branch_unref);
  g_clear_pointer (&self->audio_branch, hs_ring_branch_unref);
  gst_clear_object (&self->pipeline);

  G_OBJECT_CLASS (hs_recorder_parent_class)->dispose (object);
}

static void
hs_recorder_finalize (GObject *object)
{
  HsRecorder *self = HS_RECORDER (object);

  if (self->location_destroy != NULL)
    self->location_destroy (self->location_data);
  g_clear_object (&self->ring);
  g_clear_object (&self->audio_ring);
  g_free (self->source);
  hs_settings_clear (&self->settings);
  g_main_context_unref (self->context);

  G_OBJECT_CLASS (hs_recorder_parent_class)->finalize (object);
}

static void
hs_recorder_get_property (GObject    *object,
                          guint       prop_id,
                          GValue     *value,
                          GParamSpec *pspec)
{
  HsRecorder *self = HS_RECORDER (object);

  switch (prop_id) {
    case PROP_PIPELINE:
      g_value_set_object (value, self->pipeline);
      break;
    case PROP_SOURCE:
      g_value_set_string (value, self->source);
      break;
    case PROP_BUSY:
      g_value_set_boolean (value, hs_recorder_get_busy (self));
      break;
    default:
      if (prop_id >= PROP_FIRST_SETTING && prop_id < N_PROPS)
        hs_settings_get (&self->settings, prop_id - PROP_FIRST_SETTING,
            value);
      else
        G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
  }
}

/* A setting has a new value: whatever follows it follows. */
static void
setting_changed (HsRecorder *self, HsSetting setting)
{
  GParamSpec *pspec = properties[PROP_FIRST_SETTING + setting];

  switch (setting) {
    case HS_SETTING_PRE:
      hs_ring_buffer_set_window (self->ring,
          hs_timeline_seconds (self->settings.pre) + RING_MARGIN);
      hs_ring_buffer_set_window (self->audio_ring,
          hs_timeline_seconds (self->settings.pre) + RING_MARGIN);
      break;
    case HS_SETTING_MAX_RING_BYTES:
      hs_ring_buffer_set_max_bytes (self->ring, self->settings.max_ring_bytes);
      break;
    case HS_SETTING_COPY_FRAMES:
      if (self->branch != NULL)
        hs_ring_branch_set_copy_frames (self->branch,
            self->settings.copy_frames);
      break;
    default:
      break;
  }
  if (self->pump != NULL)
    update_pump (self);
  if (!(pspec->flags & G_PARAM_CONSTRUCT_ONLY))
    g_object_notify_by_pspec (G_OBJECT (self), pspec);
}

static void
hs_recorder_set_property (GObject      *object,
                          guint         prop_id,
                          const GValue *value,
                          GParamSpec   *pspec)
{
  HsRecorder *self = HS_RECORDER (object);

  switch (prop_id) {
    case PROP_PIPELINE:
      self->pipeline = g_value_dup_object (value);
      break;
    case PROP_SOURCE:
      self->source = g_value_dup_string (value);
      break;
    default:
      if (prop_id < PROP_FIRST_SETTING || prop_id >= N_PROPS)
        G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
      else if (hs_settings_set (&self->settings, prop_id - PROP_FIRST_SETTING,
              value))
        setting_changed (self, prop_id - PROP_FIRST_SETTING);
  }
}

static void
hs_recorder_class_init (HsRecorderClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = hs_recorder_dispose;
  object_class->finalize = hs_recorder_finalize;
  object_class->get_property = hs_recorder_get_property;
  object_class->set_property = hs_recorder_set_property;

  /**
   * HsRecorder:pipeline:
   *
   * The pipeline that holds the tee. The recorder keeps a reference.
   *
   * Since: 0.1
   */
  properties[PROP_PIPELINE] =
      g_param_spec_object ("pipeline", NULL, NULL, GST_TYPE_ELEMENT,
      G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);

  /**
   * HsRecorder:source:
   *
   * Name of the tee to record.
   *
   * Since: 0.1
   */
  properties[PROP_SOURCE] =
      g_param_spec_string ("source", NULL, NULL, NULL,
      G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);

  /**
   * HsRecorder:busy:
   *
   * TRUE from a trigger until its file is closed, including triggers set
   * for a running time still to come. Notified on the recorder's context.
   *
   * Since: 0.1
   */
  properties[PROP_BUSY] =
      g_param_spec_boolean ("busy", NULL, NULL, FALSE,
      G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  /* pre, post, location, encoder, ...: documented in hs-settings.c */
  hs_settings_make_pspecs (&properties[PROP_FIRST_SETTING]);

  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * HsRecorder::recording-started:
   * @recorder: the recorder
   * @recording: the file just opened
   *
   * A file was opened, on its first frame. Emitted on the recorder's main
   * context.
   *
   * Since: 0.1
   */
  signals[SIGNAL_RECORDING_STARTED] =
      g_signal_new ("recording-started", G_TYPE_FROM_CLASS (klass),
      G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL, G_TYPE_NONE, 1,
      HS_TYPE_RECORDING);

  /**
   * HsRecorder::recording-finished:
   * @recorder: the recorder
   * @recording: the file, now closed; or a window that produced no file,
   *   with its error
   *
   * A file was closed, or a recording failed. Emitted on the recorder's
   * main context; @recording never changes after this.
   *
   * Since: 0.1
   */
  signals[SIGNAL_RECORDING_FINISHED] =
      g_signal_new ("recording-finished", G_TYPE_FROM_CLASS (klass),
      G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL, G_TYPE_NONE, 1,
      HS_TYPE_RECORDING);
}


static void
hs_recorder_init (HsRecorder *self)
{
  self->context = g_main_context_ref_thread_default ();
  hs_settings_init (&self->settings);
  self->ring = hs_ring_buffer_new (hs_timeline_seconds (self->settings.pre) +
      RING_MARGIN, 0);
  self->audio_ring = hs_ring_buffer_new (hs_timeline_seconds (
          self->settings.pre) + RING_MARGIN, 0);
}

/* ------------------------------------------------------------------------ */
/* Public API                                                               */

/**
 * hs_recorder_new:
 * @pipeline: (transfer none): the pipeline that holds the tee
 * @tee_name: name of the tee to record
 * @error: return location for a #GError
 *
 * Attaches a recorder to a tee of @pipeline, which may already be playing.
 * Signals and decisions will run on the current thread-default main context.
 *
 * Returns: (transfer full) (nullable): the recorder, or %NULL with
 *   %HS_ERROR_NO_SUCH_TEE (listing the tees that exist)
 *
 * Since: 0.1
 */
HsRecorder *
hs_recorder_new (GstElement *pipeline, const char *tee_name, GError **error)
{
  g_return_val_if_fail (GST_IS_ELEMENT (pipeline), NULL);
  g_return_val_if_fail (tee_name != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  return g_initable_new (HS_TYPE_RECORDER, NULL, error,
      "pipeline", pipeline, "source", tee_name, NULL);
}

typedef struct {
  HsRecorder *self;
  GstClockTime time;
  GTask *task;
} Trigger;

/* A trigger or stop from a recording-started/-finished handler runs on this
 * context at once, in the middle of the pump's work: it waits until the
 * pump is done. */
static gboolean
defer_while_pumping (HsRecorder *self, GSourceFunc func, gpointer data)
{
  GSource *source;

  if (self->pump == NULL || !hs_pump_is_running (self->pump))
    return FALSE;
  source = g_idle_source_new ();
  g_source_set_priority (source, G_PRIORITY_DEFAULT);
  g_source_set_callback (source, func, data, NULL);
  g_source_attach (source, self->context);
  g_source_unref (source);
  return TRUE;
}

/* Cancelling a record_async() ends the wait, not the recording. */
static gboolean
on_record_cancelled (GCancellable *cancellable, gpointer user_data)
{
  GTask *task = user_data;
  HsRecorder *self = g_task_get_source_object (task);

  hs_pump_forget_waiter (self->pump, task);
  return G_SOURCE_REMOVE;
}

static void
watch_cancellation (HsRecorder *self, GTask *task)
{
  GCancellable *cancellable = g_task_get_cancellable (task);
  GSource *cancel;

  if (cancellable == NULL)
    return;
  cancel = g_cancellable_source_new (cancellable);
  g_source_set_callback (cancel, G_SOURCE_FUNC (on_record_cancelled),
      g_object_ref (task), g_object_unref);
  g_source_attach (cancel, self->context);
  g_task_set_task_data (task, cancel, (GDestroyNotify) g_source_unref);
}

static gboolean
apply_trigger (gpointer user_data)
{
  Trigger *t = user_data;
  HsRecorder *self = t->self;

  if (defer_while_pumping (self, apply_trigger, t))
    return G_SOURCE_REMOVE;

  if (self->detached || self->branch == NULL) {
    GST_INFO_OBJECT (self, "ignoring a trigger on a detached recorder");
    if (t->task != NULL)
      g_task_return_new_error (t->task, HS_ERROR, HS_ERROR_INVALID_ARGUMENT,
          "The recorder of '%s' is detached", self->source);
  } else {
    if (t->task != NULL)
      watch_cancellation (self, t->task);
    hs_pump_trigger (self->pump, t->time, t->task);
  }
  g_clear_object (&t->task);
  g_atomic_int_dec_and_test (&self->queued);
  notify_busy (self);
  g_object_unref (self);
  g_free (t);
  return G_SOURCE_REMOVE;
}

static void
queue_trigger (HsRecorder *self, GstClockTime time, GTask *task)
{
  Trigger *t = g_new0 (Trigger, 1);

  t->self = g_object_ref (self);
  t->time = time;
  t->task = task;
  /* Busy from the call on, also for a caller on another thread. */
  g_atomic_int_inc (&self->queued);
  g_main_context_invoke (self->context, apply_trigger, t);
}

/**
 * hs_recorder_trigger:
 * @self: a recorder
 *
 * Triggers now: at the current running time of the pipeline's clock for a
 * live source, at the newest frame's running time otherwise. Safe to call
 * from any thread.
 *
 * Since: 0.1
 */
void
hs_recorder_trigger (HsRecorder *self)
{
  g_return_if_fail (HS_IS_RECORDER (self));
  queue_trigger (self, GST_CLOCK_TIME_NONE, NULL);
}

/**
 * hs_recorder_trigger_at:
 * @self: a recorder
 * @running_time: the event's running time in the source pipeline, in
 *   nanoseconds
 *
 * Triggers at a given running time: the window is
 * [@running_time - pre, @running_time + post), exact to the frame. The time
 * may lie in the past (as long as the ring still holds it) or in the
 * future; the recorder is #HsRecorder:busy from now on. Safe to call from
 * any thread.
 *
 * Since: 0.1
 */
void
hs_recorder_trigger_at (HsRecorder *self, GstClockTime running_time)
{
  g_return_if_fail (HS_IS_RECORDER (self));
  g_return_if_fail (GST_CLOCK_TIME_IS_VALID (running_time));
  queue_trigger (self, running_time, NULL);
}

/**
 * hs_recorder_record_async:
 * @self: a recorder
 * @cancellable: (nullable): a #GCancellable
 * @callback: (scope async) (nullable): called when the file is closed
 * @user_data: data for @callback
 *
 * Triggers now, like [method@Hindsight.Recorder.trigger], and completes when
 * the file this trigger went into is closed: the file it started, or the
 * open file it extended. Finish with
 * [method@Hindsight.Recorder.record_finish].
 *
 * Cancelling stops the waiting, not the recording: @callback gets
 * %G_IO_ERROR_CANCELLED at once, and the trigger (even with a cancellable
 * cancelled beforehand) still records. @callback runs on the main context
 * that was thread-default when this was called, which need not be the
 * recorder's. Safe to call from any thread.
 *
 * Since: 0.1
 */
void
hs_recorder_record_async (HsRecorder          *self,
                          GCancellable        *cancellable,
                          GAsyncReadyCallback  callback,
                          gpointer             user_data)
{
  GTask *task;

  g_return_if_fail (HS_IS_RECORDER (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, hs_recorder_record_async);
  g_task_set_check_cancellable (task, TRUE);
  queue_trigger (self, GST_CLOCK_TIME_NONE, task);
}

/**
 * hs_recorder_record_finish:
 * @self: a recorder
 * @result: the #GAsyncResult given to the callback
 * @error: return location for a #GError
 *
 * Finishes [method@Hindsight.Recorder.record_async].
 *
 * Returns: (transfer full): the closed recording, or %NULL with the
 *   recording's error (or %G_IO_ERROR_CANCELLED)
 *
 * Since: 0.1
 */
HsRecording *
hs_recorder_record_finish (HsRecorder    *self,
                           GAsyncResult  *result,
                           GError       **error)
{
  g_return_val_if_fail (HS_IS_RECORDER (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) ==
      hs_recorder_record_async, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

static gboolean
apply_stop (gpointer user_data)
{
  HsRecorder *self = user_data;

  if (defer_while_pumping (self, apply_stop, self))
    return G_SOURCE_REMOVE;
  if (self->pump != NULL)
    hs_pump_stop (self->pump);
  g_object_unref (self);
  return G_SOURCE_REMOVE;
}

/**
 * hs_recorder_stop:
 * @self: a recorder
 *
 * Ends the open recording now (its file is closed properly) and forgets
 * triggers still to come. Safe to call from any thread.
 *
 * Since: 0.1
 */
void
hs_recorder_stop (HsRecorder *self)
{
  g_return_if_fail (HS_IS_RECORDER (self));
  g_main_context_invoke (self->context, apply_stop, g_object_ref (self));
}

/**
 * hs_recorder_detach:
 * @self: a recorder
 *
 * Stops recording and removes the ring branch from the tee, safely while
 * the pipeline plays. Files being closed still finish and are reported.
 * Triggers after this are ignored. Call it from the recorder's main context.
 *
 * Since: 0.1
 */
void
hs_recorder_detach (HsRecorder *self)
{
  g_return_if_fail (HS_IS_RECORDER (self));

  if (self->detached || self->branch == NULL)
    return;

  apply_stop (g_object_ref (self));
  self->detached = TRUE;
  hs_ring_branch_detach (self->branch, self->context);
  if (self->audio_branch != NULL)
    hs_ring_branch_detach (self->audio_branch, self->context);
  hs_pipeline_unregister_recorder (self->pipeline, self);
  GST_INFO_OBJECT (self, "detached from tee %s", self->source);
}

/**
 * hs_recorder_set_location_func:
 * @self: a recorder
 * @func: (nullable) (scope notified): chooses file names, or %NULL for the
 *   template
 * @user_data: data for @func
 * @destroy: frees @user_data
 *
 * Lets the application name each file, like pythiags' filename_generator.
 *
 * Since: 0.1
 */
void
hs_recorder_set_location_func (HsRecorder     *self,
                               HsLocationFunc  func,
                               gpointer        user_data,
                               GDestroyNotify  destroy)
{
  g_return_if_fail (HS_IS_RECORDER (self));

  if (self->location_destroy != NULL)
    self->location_destroy (self->location_data);
  self->location_func = func;
  self->location_data = user_data;
  self->location_destroy = destroy;
}

/**
 * hs_recorder_get_pipeline:
 * @self: a recorder
 *
 * Returns: (transfer none): the pipeline
 *
 * Since: 0.1
 */
GstElement *
hs_recorder_get_pipeline (HsRecorder *self)
{
  g_return_val_if_fail (HS_IS_RECORDER (self), NULL);
  return self->pipeline;
}

/**
 * hs_recorder_get_source:
 * @self: a recorder
 *
 * Returns: the name of the recorded tee
 *
 * Since: 0.1
 */
const char *
hs_recorder_get_source (HsRecorder *self)
{
  g_return_val_if_fail (HS_IS_RECORDER (self), NULL);
  return self->source;
}

/**
 * hs_recorder_get_pre:
 * @self: a recorder
 *
 * Returns: seconds recorded before the first trigger
 *
 * Since: 0.1
 */
double
hs_recorder_get_pre (HsRecorder *self)
{
  g_return_val_if_fail (HS_IS_RECORDER (self), 0);
  return self->settings.pre;
}

/**
 * hs_recorder_set_pre:
 * @self: a recorder
 * @pre: seconds to record before the first trigger, >= 0
 *
 * Sets #HsRecorder:pre and resizes the ring.
 *
 * Since: 0.1
 */
void
hs_recorder_set_pre (HsRecorder *self, double pre)
{
  g_return_if_fail (HS_IS_RECORDER (self));
  g_return_if_fail (pre >= 0);

  if (self->settings.pre == pre)
    return;
  self->settings.pre = pre;
  setting_changed (self, HS_SETTING_PRE);
}

/**
 * hs_recorder_get_post:
 * @self: a recorder
 *
 * Returns: seconds recorded after the last trigger
 *
 * Since: 0.1
 */
double
hs_recorder_get_post (HsRecorder *self)
{
  g_return_val_if_fail (HS_IS_RECORDER (self), 0);
  return self->settings.post;
}

/**
 * hs_recorder_set_post:
 * @self: a recorder
 * @post: seconds to record after the last trigger, >= 0
 *
 * Sets #HsRecorder:post.
 *
 * Since: 0.1
 */
void
hs_recorder_set_post (HsRecorder *self, double post)
{
  g_return_if_fail (HS_IS_RECORDER (self));
  g_return_if_fail (post >= 0);

  if (self->settings.post == post)
    return;
  self->settings.post = post;
  setting_changed (self, HS_SETTING_POST);
}

/**
 * hs_recorder_get_max_duration:
 * @self: a recorder
 *
 * Returns: the longest file in seconds, 0 for no limit
 *
 * Since: 0.1
 */
double
hs_recorder_get_max_duration (HsRecorder *self)
{
  g_return_val_if_fail (HS_IS_RECORDER (self), 0);
  return self->settings.max_duration;
}

/**
 * hs_recorder_set_max_duration:
 * @self: a recorder
 * @max_duration: the longest file in seconds, 0 for no limit
 *
 * Sets #HsRecorder:max-duration.
 *
 * Since: 0.1
 */
void
hs_recorder_set_max_duration (HsRecorder *self, double max_duration)
{
  g_return_if_fail (HS_IS_RECORDER (self));
  g_return_if_fail (max_duration >= 0);

  if (self->settings.max_duration == max_duration)
    return;
  self->settings.max_duration = max_duration;
  setting_changed (self, HS_SETTING_MAX_DURATION);
}

/**
 * hs_recorder_get_location:
 * @self: a recorder
 *
 * Returns: the location template
 *
 * Since: 0.1
 */
const char *
hs_recorder_get_location (HsRecorder *self)
{
  g_return_val_if_fail (HS_IS_RECORDER (self), NULL);
  return self->settings.location ? self->settings.location :
      HS_RECORDER_DEFAULT_LOCATION;
}

/**
 * hs_recorder_set_location:
 * @self: a recorder
 * @location: (nullable): a location template, %NULL for the default
 *
 * Sets #HsRecorder:location. A template that does not expand makes the next
 * recording fail with %HS_ERROR_INVALID_ARGUMENT; check it first with
 * g_initable_new() or by setting it before the first trigger.
 *
 * Since: 0.1
 */
void
hs_recorder_set_location (HsRecorder *self, const char *location)
{
  g_return_if_fail (HS_IS_RECORDER (self));

  if (g_strcmp0 (self->settings.location, location) == 0)
    return;
  g_free (self->settings.location);
  self->settings.location = g_strdup (location);
  setting_changed (self, HS_SETTING_LOCATION);
}

/**
 * hs_recorder_get_busy:
 * @self: a recorder
 *
 * Returns: whether a trigger is waiting or a file is open
 *
 * Since: 0.1
 */
gboolean
hs_recorder_get_busy (HsRecorder *self)
{
  g_return_val_if_fail (HS_IS_RECORDER (self), FALSE);
  return (self->pump != NULL && hs_pump_is_busy (self->pump)) ||
      g_atomic_int_get (&self->queued) > 0;
}

/**
 * hs_recorder_get_running_time:
 * @self: a recorder
 *
 * The running time a trigger "now" would use: the clock's for a live
 * source, the newest frame's otherwise.
 *
 * Returns: the running time, or %GST_CLOCK_TIME_NONE while it is not known
 *   (before the first frame)
 *
 * Since: 0.1
 */
GstClockTime
hs_recorder_get_running_time (HsRecorder *self)
{
  g_return_val_if_fail (HS_IS_RECORDER (self), GST_CLOCK_TIME_NONE);

  if (self->pump == NULL)
    return GST_CLOCK_TIME_NONE;
  return hs_pump_get_running_time (self->pump);
}

/**
 * hs_recorder_get_ring_buffer:
 * @self: a recorder
 *
 * Returns: (transfer none): the ring that holds the source's recent frames
 *
 * Since: 0.1
 */
HsRingBuffer *
hs_recorder_get_ring_buffer (HsRecorder *self)
{
  g_return_val_if_fail (HS_IS_RECORDER (self), NULL);
  return self->ring;
}

/* ------------------------------------------------------------------------ */
/* Hosted in an element (hs-recorder-private.h)                             */

HsRecorder *
hs_recorder_new_hosted (GstElement    *host,
                        const char    *source,
                        guint          n_settings,
                        const char    *names[],
                        const GValue   values[],
                        GError       **error)
{
  g_autofree const char **all_names = g_new0 (const char *, n_settings + 2);
  g_autofree GValue *all_values = g_new0 (GValue, n_settings + 2);
  g_autoptr(HsRecorder) self = NULL;

  g_return_val_if_fail (GST_IS_ELEMENT (host), NULL);
  g_return_val_if_fail (source != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  all_names[0] = "pipeline";
  g_value_init (&all_values[0], GST_TYPE_ELEMENT);
  g_value_set_object (&all_values[0], host);
  all_names[1] = "source";
  g_value_init (&all_values[1], G_TYPE_STRING);
  g_value_set_string (&all_values[1], source);
  for (guint i = 0; i < n_settings; i++) {
    all_names[i + 2] = names[i];
    all_values[i + 2] = values[i];
  }
  self = HS_RECORDER (g_object_new_with_properties (HS_TYPE_RECORDER,
          n_settings + 2, all_names, all_values));
  g_value_unset (&all_values[0]);
  g_value_unset (&all_values[1]);

  self->hosted = TRUE;
  if (!g_initable_init (G_INITABLE (self), NULL, error))
    return NULL;
  GST_INFO_OBJECT (self, "ring branch hosted by %s", GST_OBJECT_NAME (host));
  return g_steal_pointer (&self);
}

GstElement *
hs_recorder_get_branch_bin (HsRecorder *self)
{
  g_return_val_if_fail (HS_IS_RECORDER (self), NULL);
  g_return_val_if_fail (self->hosted, NULL);
  return hs_ring_branch_get_bin (self->branch);
}

GstElement *
hs_recorder_get_audio_branch_bin (HsRecorder *self)
{
  g_return_val_if_fail (HS_IS_RECORDER (self), NULL);
  g_return_val_if_fail (self->hosted, NULL);
  return self->audio_branch != NULL ?
      hs_ring_branch_get_bin (self->audio_branch) : NULL;
}

void
hs_recorder_watch_bus (HsRecorder *self, GstBus *bus)
{
  g_return_if_fail (HS_IS_RECORDER (self));
  g_return_if_fail (self->hosted);
  g_return_if_fail (GST_IS_BUS (bus));
  hs_ring_branch_watch_bus (self->branch, bus);
  if (self->audio_branch != NULL)
    hs_ring_branch_watch_bus (self->audio_branch, bus);
}
