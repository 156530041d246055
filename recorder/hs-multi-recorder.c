/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include "hs-multi-recorder.h"

#include "hs-error.h"
#include "hs-settings-private.h"
#include "hs-tee-private.h"

/**
 * HsMultiRecorder:
 *
 * One [class@Hindsight.Recorder] per tee, for pipelines with many sources.
 *
 * The tees are chosen by a pattern (`tee_%u` matches `tee_0`, `tee_12`;
 * shell globs such as `cam*` work too) or by a list of names. The
 * multi-recorder has every setting of [class@Hindsight.Recorder] (`pre`,
 * `post`, `location`, `encoder`, `mode`, ...) as a property of the same
 * name, which applies to every recorder; the default location puts the
 * source name in every file name. The recording signals of all recorders
 * are re-emitted here. An #HsRecorder:audio-source with `%u` or `*` pairs
 * each video tee with its own audio tee (`cam%u` with `mic%u`: cam0 with
 * mic0, cam1 with mic1; see [func@Hindsight.tee_pair]).
 *
 * ```c
 * g_autoptr(HsMultiRecorder) multi = hs_multi_recorder_new (pipeline, "tee_%u", &error);
 * g_object_set (multi, "pre", 2.0, "post", 2.0, NULL);
 * hs_multi_recorder_trigger (multi, "tee_1", &error);
 * ```
 *
 * Since: 0.1
 */

struct _HsMultiRecorder
{
  GObject parent_instance;

  GstElement *pipeline;
  char *pattern;
  GStrv sources;
  GPtrArray *recorders;
  gboolean busy;

  /* every recorder's settings, as the properties of the same names */
  GValue settings[HS_N_SETTINGS];
};

static void hs_multi_recorder_initable_iface_init (GInitableIface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (HsMultiRecorder, hs_multi_recorder,
    G_TYPE_OBJECT,
    G_IMPLEMENT_INTERFACE (G_TYPE_INITABLE,
        hs_multi_recorder_initable_iface_init))

enum
{
  PROP_0,
  PROP_PIPELINE,
  PROP_PATTERN,
  PROP_SOURCES,
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

static void
update_busy (HsMultiRecorder *self)
{
  gboolean busy = FALSE;

  for (guint i = 0; i < self->recorders->len; i++)
    busy |= hs_recorder_get_busy (self->recorders->pdata[i]);
  if (busy == self->busy)
    return;
  self->busy = busy;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_BUSY]);
}

static void
on_recorder_busy (HsRecorder *recorder, GParamSpec *pspec, gpointer user_data)
{
  update_busy (user_data);
}

static void
on_recording_started (HsRecorder *recorder, HsRecording *recording,
                      gpointer user_data)
{
  g_signal_emit (user_data, signals[SIGNAL_RECORDING_STARTED], 0, recording);
}

static void
on_recording_finished (HsRecorder *recorder, HsRecording *recording,
                       gpointer user_data)
{
  g_signal_emit (user_data, signals[SIGNAL_RECORDING_FINISHED], 0, recording);
}

static gboolean
add_recorder (HsMultiRecorder *self, const char *source, GError **error)
{
  const char *names[HS_N_SETTINGS + 2] = { "pipeline", "source" };
  GValue values[HS_N_SETTINGS + 2] = { G_VALUE_INIT, G_VALUE_INIT };
  HsRecorder *recorder;
  const char *audio = g_value_get_string (
      &self->settings[HS_SETTING_AUDIO_SOURCE]);
  g_autofree char *paired = NULL;
  GValue paired_value = G_VALUE_INIT;

  g_value_init (&values[0], GST_TYPE_ELEMENT);
  g_value_set_object (&values[0], self->pipeline);
  g_value_init (&values[1], G_TYPE_STRING);
  g_value_set_string (&values[1], source);

  for (guint i = 0; i < HS_N_SETTINGS; i++) {
    names[i + 2] = properties[PROP_FIRST_SETTING + i]->name;
    values[i + 2] = self->settings[i];
  }
  /* Each video tee with its own audio tee: cam%u with mic%u. */
  if (audio != NULL) {
    paired = hs_tee_pair (self->pattern, source, audio);
    if (paired == NULL) {
      g_set_error (error, HS_ERROR, HS_ERROR_NO_SUCH_TEE,
          "No audio tee for '%s': '%s' takes a part of its name that it does "
          "not have", source, audio);
      g_value_unset (&values[0]);
      g_value_unset (&values[1]);
      return FALSE;
    }
    g_value_init (&paired_value, G_TYPE_STRING);
    g_value_set_string (&paired_value, paired);
    values[2 + HS_SETTING_AUDIO_SOURCE] = paired_value;
  }
  recorder = HS_RECORDER (g_object_new_with_properties (HS_TYPE_RECORDER,
          G_N_ELEMENTS (names), names, values));
  g_value_unset (&values[0]);
  g_value_unset (&values[1]);
  if (audio != NULL)
    g_value_unset (&paired_value);
  if (!g_initable_init (G_INITABLE (recorder), NULL, error)) {
    g_object_unref (recorder);
    return FALSE;
  }
  g_signal_connect_object (recorder, "notify::busy",
      G_CALLBACK (on_recorder_busy), self, 0);
  g_signal_connect_object (recorder, "recording-started",
      G_CALLBACK (on_recording_started), self, 0);
  g_signal_connect_object (recorder, "recording-finished",
      G_CALLBACK (on_recording_finished), self, 0);
  g_ptr_array_add (self->recorders, recorder);
  return TRUE;
}

static gboolean
hs_multi_recorder_initable_init (GInitable     *initable,
                                 GCancellable  *cancellable,
                                 GError       **error)
{
  HsMultiRecorder *self = HS_MULTI_RECORDER (initable);
  const char *const pattern[] = { self->pattern, NULL };
  g_auto(GStrv) chosen = NULL;
  g_autofree char *tees = NULL;

  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (self->pipeline == NULL) {
    g_set_error (error, HS_ERROR, HS_ERROR_INVALID_ARGUMENT,
        "The multi-recorder needs a pipeline (property 'pipeline')");
    return FALSE;
  }
  if (self->sources == NULL && self->pattern == NULL) {
    g_set_error (error, HS_ERROR, HS_ERROR_INVALID_ARGUMENT,
        "The multi-recorder needs a pattern or a list of sources");
    return FALSE;
  }

  /* A list is names, taken as they are; a pattern must match. */
  chosen = self->sources != NULL ? g_strdupv (self->sources) :
      hs_tee_choose (self->pipeline, pattern, error);
  if (chosen == NULL)
    return FALSE;
  for (guint i = 0; chosen[i] != NULL; i++)
    if (!add_recorder (self, chosen[i], error))
      return FALSE;
  if (self->recorders->len > 0)
    return TRUE;
  tees = hs_tee_describe (self->pipeline);
  g_set_error (error, HS_ERROR, HS_ERROR_NO_SUCH_TEE,
      "No tee to record in pipeline '%s' (%s)",
      GST_OBJECT_NAME (self->pipeline), tees);
  return FALSE;
}

static void
hs_multi_recorder_initable_iface_init (GInitableIface *iface)
{
  iface->init = hs_multi_recorder_initable_init;
}

static void
hs_multi_recorder_dispose (GObject *object)
{
  HsMultiRecorder *self = HS_MULTI_RECORDER (object);

  g_ptr_array_set_size (self->recorders, 0);
  gst_clear_object (&self->pipeline);

  G_OBJECT_CLASS (hs_multi_recorder_parent_class)->dispose (object);
}

static void
hs_multi_recorder_finalize (GObject *object)
{
  HsMultiRecorder *self = HS_MULTI_RECORDER (object);

  g_ptr_array_unref (self->recorders);
  g_free (self->pattern);
  g_strfreev (self->sources);
  for (guint i = 0; i < HS_N_SETTINGS; i++)
    g_value_unset (&self->settings[i]);

  G_OBJECT_CLASS (hs_multi_recorder_parent_class)->finalize (object);
}

static void
hs_multi_recorder_get_property (GObject    *object,
                                guint       prop_id,
                                GValue     *value,
                                GParamSpec *pspec)
{
  HsMultiRecorder *self = HS_MULTI_RECORDER (object);

  switch (prop_id) {
    case PROP_PIPELINE:
      g_value_set_object (value, self->pipeline);
      break;
    case PROP_PATTERN:
      g_value_set_string (value, self->pattern);
      break;
    case PROP_SOURCES:
      g_value_take_boxed (value, hs_multi_recorder_dup_sources (self));
      break;
    case PROP_BUSY:
      g_value_set_boolean (value, hs_multi_recorder_get_busy (self));
      break;
    default:
      if (prop_id >= PROP_FIRST_SETTING && prop_id < N_PROPS)
        g_value_copy (&self->settings[prop_id - PROP_FIRST_SETTING], value);
      else
        G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
  }
}

static void
hs_multi_recorder_set_property (GObject      *object,
                                guint         prop_id,
                                const GValue *value,
                                GParamSpec   *pspec)
{
  HsMultiRecorder *self = HS_MULTI_RECORDER (object);
  GValue *setting;

  switch (prop_id) {
    case PROP_PIPELINE:
      self->pipeline = g_value_dup_object (value);
      return;
    case PROP_PATTERN:
      self->pattern = g_value_dup_string (value);
      return;
    case PROP_SOURCES:
      self->sources = g_value_dup_boxed (value);
      return;
    default:
      break;
  }
  if (prop_id < PROP_FIRST_SETTING || prop_id >= N_PROPS) {
    G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    return;
  }
  setting = &self->settings[prop_id - PROP_FIRST_SETTING];
  if (g_param_values_cmp (pspec, setting, value) == 0)
    return;
  g_value_copy (value, setting);
  /* Every recorder follows the multi-recorder's settings; construct-only
   * ones are only ever set before there is any. */
  for (guint i = 0; i < self->recorders->len; i++)
    g_object_set_property (self->recorders->pdata[i], pspec->name, value);
  g_object_notify_by_pspec (object, pspec);
}

static void
hs_multi_recorder_class_init (HsMultiRecorderClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  const GParamFlags construct = G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY |
      G_PARAM_STATIC_STRINGS;

  object_class->dispose = hs_multi_recorder_dispose;
  object_class->finalize = hs_multi_recorder_finalize;
  object_class->get_property = hs_multi_recorder_get_property;
  object_class->set_property = hs_multi_recorder_set_property;

  /**
   * HsMultiRecorder:pipeline:
   *
   * The pipeline that holds the tees.
   *
   * Since: 0.1
   */
  properties[PROP_PIPELINE] = g_param_spec_object ("pipeline", NULL, NULL,
      GST_TYPE_ELEMENT, construct);
  /**
   * HsMultiRecorder:pattern:
   *
   * Which tees to record: `prefix%usuffix` (digits in place of `%u`), a
   * shell glob, or an exact name. Ignored when #HsMultiRecorder:sources is
   * set.
   *
   * Since: 0.1
   */
  properties[PROP_PATTERN] = g_param_spec_string ("pattern", NULL, NULL,
      NULL, construct);
  /**
   * HsMultiRecorder:sources:
   *
   * The names of the tees to record.
   *
   * Since: 0.1
   */
  properties[PROP_SOURCES] = g_param_spec_boxed ("sources", NULL, NULL,
      G_TYPE_STRV, construct);
  /**
   * HsMultiRecorder:busy:
   *
   * Whether any of the recorders is busy.
   *
   * Since: 0.1
   */
  properties[PROP_BUSY] = g_param_spec_boolean ("busy", NULL, NULL, FALSE,
      G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  /* Every setting of HsRecorder, under the same name. */
  hs_settings_make_pspecs (&properties[PROP_FIRST_SETTING]);

  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * HsMultiRecorder::recording-started:
   * @multi: the multi-recorder
   * @recording: the file just opened; its source names the tee
   *
   * [signal@Hindsight.Recorder::recording-started] of any recorder.
   *
   * Since: 0.1
   */
  signals[SIGNAL_RECORDING_STARTED] =
      g_signal_new ("recording-started", G_TYPE_FROM_CLASS (klass),
      G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL, G_TYPE_NONE, 1,
      HS_TYPE_RECORDING);

  /**
   * HsMultiRecorder::recording-finished:
   * @multi: the multi-recorder
   * @recording: the closed file, or a failed recording
   *
   * [signal@Hindsight.Recorder::recording-finished] of any recorder.
   *
   * Since: 0.1
   */
  signals[SIGNAL_RECORDING_FINISHED] =
      g_signal_new ("recording-finished", G_TYPE_FROM_CLASS (klass),
      G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL, G_TYPE_NONE, 1,
      HS_TYPE_RECORDING);
}

static void
hs_multi_recorder_init (HsMultiRecorder *self)
{
  self->recorders = g_ptr_array_new_with_free_func (g_object_unref);
  for (guint i = 0; i < HS_N_SETTINGS; i++) {
    GParamSpec *pspec = properties[PROP_FIRST_SETTING + i];

    g_value_init (&self->settings[i], pspec->value_type);
    g_param_value_set_default (pspec, &self->settings[i]);
  }
}

/**
 * hs_multi_recorder_new:
 * @pipeline: (transfer none): the pipeline that holds the tees
 * @pattern: which tees: `tee_%u`, a glob such as `cam*`, or a name
 * @error: return location for a #GError
 *
 * Returns: (transfer full) (nullable): the multi-recorder, or %NULL with
 *   %HS_ERROR_NO_SUCH_TEE when no tee matches
 *
 * Since: 0.1
 */
HsMultiRecorder *
hs_multi_recorder_new (GstElement *pipeline, const char *pattern,
                       GError **error)
{
  g_return_val_if_fail (GST_IS_ELEMENT (pipeline), NULL);
  g_return_val_if_fail (pattern != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  return g_initable_new (HS_TYPE_MULTI_RECORDER, NULL, error,
      "pipeline", pipeline, "pattern", pattern, NULL);
}

/**
 * hs_multi_recorder_new_for_sources:
 * @pipeline: (transfer none): the pipeline that holds the tees
 * @sources: (array zero-terminated=1): names of the tees
 * @error: return location for a #GError
 *
 * Returns: (transfer full) (nullable): the multi-recorder, or %NULL with
 *   %HS_ERROR_NO_SUCH_TEE naming the first tee that does not exist
 *
 * Since: 0.1
 */
HsMultiRecorder *
hs_multi_recorder_new_for_sources (GstElement *pipeline,
                                   const char * const *sources,
                                   GError **error)
{
  g_return_val_if_fail (GST_IS_ELEMENT (pipeline), NULL);
  g_return_val_if_fail (sources != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  return g_initable_new (HS_TYPE_MULTI_RECORDER, NULL, error,
      "pipeline", pipeline, "sources", sources, NULL);
}

static HsRecorder *
lookup (HsMultiRecorder *self, const char *source, GError **error)
{
  HsRecorder *recorder = hs_multi_recorder_get_recorder (self, source);

  if (recorder == NULL) {
    g_auto(GStrv) names = hs_multi_recorder_dup_sources (self);
    g_autofree char *joined = g_strjoinv (", ", names);

    g_set_error (error, HS_ERROR, HS_ERROR_NO_SUCH_TEE,
        "No recorder for '%s' (recording: %s)", source, joined);
  }
  return recorder;
}

/**
 * hs_multi_recorder_trigger:
 * @self: a multi-recorder
 * @source: name of the tee
 * @error: return location for a #GError
 *
 * Triggers the recorder of @source now.
 *
 * Returns: %FALSE with %HS_ERROR_NO_SUCH_TEE if @source is not recorded
 *
 * Since: 0.1
 */
gboolean
hs_multi_recorder_trigger (HsMultiRecorder *self, const char *source,
                           GError **error)
{
  HsRecorder *recorder;

  g_return_val_if_fail (HS_IS_MULTI_RECORDER (self), FALSE);
  g_return_val_if_fail (source != NULL, FALSE);

  recorder = lookup (self, source, error);
  if (recorder == NULL)
    return FALSE;
  hs_recorder_trigger (recorder);
  return TRUE;
}

/**
 * hs_multi_recorder_trigger_at:
 * @self: a multi-recorder
 * @source: name of the tee
 * @running_time: the event's running time, in nanoseconds
 * @error: return location for a #GError
 *
 * Triggers the recorder of @source at a running time.
 *
 * Returns: %FALSE with %HS_ERROR_NO_SUCH_TEE if @source is not recorded
 *
 * Since: 0.1
 */
gboolean
hs_multi_recorder_trigger_at (HsMultiRecorder *self, const char *source,
                              GstClockTime running_time, GError **error)
{
  HsRecorder *recorder;

  g_return_val_if_fail (HS_IS_MULTI_RECORDER (self), FALSE);
  g_return_val_if_fail (source != NULL, FALSE);

  recorder = lookup (self, source, error);
  if (recorder == NULL)
    return FALSE;
  hs_recorder_trigger_at (recorder, running_time);
  return TRUE;
}

/**
 * hs_multi_recorder_trigger_all:
 * @self: a multi-recorder
 *
 * Triggers every recorder now.
 *
 * Since: 0.1
 */
void
hs_multi_recorder_trigger_all (HsMultiRecorder *self)
{
  g_return_if_fail (HS_IS_MULTI_RECORDER (self));

  for (guint i = 0; i < self->recorders->len; i++)
    hs_recorder_trigger (self->recorders->pdata[i]);
}

/**
 * hs_multi_recorder_stop:
 * @self: a multi-recorder
 *
 * Stops every recorder's open recording.
 *
 * Since: 0.1
 */
void
hs_multi_recorder_stop (HsMultiRecorder *self)
{
  g_return_if_fail (HS_IS_MULTI_RECORDER (self));

  for (guint i = 0; i < self->recorders->len; i++)
    hs_recorder_stop (self->recorders->pdata[i]);
}

/**
 * hs_multi_recorder_detach:
 * @self: a multi-recorder
 *
 * Detaches every recorder from its tee.
 *
 * Since: 0.1
 */
void
hs_multi_recorder_detach (HsMultiRecorder *self)
{
  g_return_if_fail (HS_IS_MULTI_RECORDER (self));

  for (guint i = 0; i < self->recorders->len; i++)
    hs_recorder_detach (self->recorders->pdata[i]);
}

/**
 * hs_multi_recorder_get_recorder:
 * @self: a multi-recorder
 * @source: name of a tee
 *
 * Returns: (transfer none) (nullable): the recorder of @source
 *
 * Since: 0.1
 */
HsRecorder *
hs_multi_recorder_get_recorder (HsMultiRecorder *self, const char *source)
{
  g_return_val_if_fail (HS_IS_MULTI_RECORDER (self), NULL);
  g_return_val_if_fail (source != NULL, NULL);

  for (guint i = 0; i < self->recorders->len; i++)
    if (g_str_equal (hs_recorder_get_source (self->recorders->pdata[i]),
            source))
      return self->recorders->pdata[i];
  return NULL;
}

/**
 * hs_multi_recorder_dup_sources:
 * @self: a multi-recorder
 *
 * Returns: (transfer full): the names of the recorded tees
 *
 * Since: 0.1
 */
GStrv
hs_multi_recorder_dup_sources (HsMultiRecorder *self)
{
  GStrv names;

  g_return_val_if_fail (HS_IS_MULTI_RECORDER (self), NULL);

  names = g_new0 (char *, self->recorders->len + 1);
  for (guint i = 0; i < self->recorders->len; i++)
    names[i] = g_strdup (hs_recorder_get_source (self->recorders->pdata[i]));
  return names;
}

/**
 * hs_multi_recorder_get_busy:
 * @self: a multi-recorder
 *
 * Returns: whether any recorder is busy
 *
 * Since: 0.1
 */
gboolean
hs_multi_recorder_get_busy (HsMultiRecorder *self)
{
  g_return_val_if_fail (HS_IS_MULTI_RECORDER (self), FALSE);

  /* Asked of the recorders, which are busy from the moment of a trigger;
   * self->busy follows their notifications, on their context. */
  for (guint i = 0; i < self->recorders->len; i++)
    if (hs_recorder_get_busy (self->recorders->pdata[i]))
      return TRUE;
  return FALSE;
}
