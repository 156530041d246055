/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include "hs-multi-recorder.h"

#include "hs-error.h"
#include "hs-recorder-private.h"

/**
 * HsMultiRecorder:
 *
 * One [class@Hindsight.Recorder] per tee, for pipelines with many sources.
 *
 * The tees are chosen by a pattern (`tee_%u` matches `tee_0`, `tee_12`;
 * shell globs such as `cam*` work too) or by a list of names. Settings made
 * on the multi-recorder apply to every recorder; the default location puts
 * the source name in every file name. The recording signals of all
 * recorders are re-emitted here.
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

  double pre;
  double post;
  double max_duration;
  char *location;
  char *encoder;
  char *converter;
  HsRecorderMode mode;
  gboolean rebase_timestamps;
  guint64 max_ring_bytes;
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
  PROP_MODE,
  PROP_CONVERTER,
  PROP_PRE,
  PROP_POST,
  PROP_MAX_DURATION,
  PROP_LOCATION,
  PROP_ENCODER,
  PROP_REBASE_TIMESTAMPS,
  PROP_MAX_RING_BYTES,
  PROP_BUSY,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

enum
{
  SIGNAL_RECORDING_STARTED,
  SIGNAL_RECORDING_FINISHED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

/* "tee_%u": the literal parts around %u, which stands for one or more
 * decimal digits. Anything else is a shell glob (or an exact name). */
static gboolean
pattern_matches (const char *pattern, const char *name)
{
  const char *u = strstr (pattern, "%u");

  if (u != NULL) {
    gsize prefix = u - pattern;
    const char *suffix = u + 2;
    gsize name_len = strlen (name), suffix_len = strlen (suffix);
    const char *digits;
    gsize n_digits;

    if (name_len < prefix + suffix_len + 1 ||
        strncmp (name, pattern, prefix) != 0 ||
        strcmp (name + name_len - suffix_len, suffix) != 0)
      return FALSE;
    digits = name + prefix;
    n_digits = name_len - prefix - suffix_len;
    for (gsize i = 0; i < n_digits; i++)
      if (!g_ascii_isdigit (digits[i]))
        return FALSE;
    return TRUE;
  }
  return g_pattern_match_simple (pattern, name);
}

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

static void
apply_settings (HsMultiRecorder *self, HsRecorder *recorder)
{
  g_object_set (recorder,
      "pre", self->pre,
      "post", self->post,
      "max-duration", self->max_duration,
      "location", self->location,
      "encoder", self->encoder,
      "rebase-timestamps", self->rebase_timestamps,
      "max-ring-bytes", self->max_ring_bytes,
      NULL);
}

static gboolean
add_recorder (HsMultiRecorder *self, const char *source, GError **error)
{
  HsRecorder *recorder = g_initable_new (HS_TYPE_RECORDER, NULL, error,
      "pipeline", self->pipeline, "source", source,
      "location", self->location, "encoder", self->encoder,
      "mode", self->mode, "converter", self->converter, NULL);

  if (recorder == NULL)
    return FALSE;
  apply_settings (self, recorder);
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

  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (self->pipeline == NULL) {
    g_set_error (error, HS_ERROR, HS_ERROR_INVALID_ARGUMENT,
        "The multi-recorder needs a pipeline (property 'pipeline')");
    return FALSE;
  }

  if (self->sources != NULL) {
    for (guint i = 0; self->sources[i] != NULL; i++)
      if (!add_recorder (self, self->sources[i], error))
        return FALSE;
  } else if (self->pattern != NULL) {
    g_auto(GStrv) tees = hs_recorder_list_tees (self->pipeline);

    for (guint i = 0; tees[i] != NULL; i++)
      if (pattern_matches (self->pattern, tees[i]) &&
          !add_recorder (self, tees[i], error))
        return FALSE;
  }

  if (self->recorders->len == 0) {
    g_autofree char *tees = hs_recorder_describe_tees (self->pipeline);

    g_set_error (error, HS_ERROR, HS_ERROR_NO_SUCH_TEE,
        "No tee matches '%s' in pipeline '%s' (%s)",
        self->pattern ? self->pattern : "", GST_OBJECT_NAME (self->pipeline),
        tees);
    return FALSE;
  }
  return TRUE;
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
  g_free (self->location);
  g_free (self->encoder);
  g_free (self->converter);

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
    case PROP_MODE:
      g_value_set_enum (value, self->mode);
      break;
    case PROP_CONVERTER:
      g_value_set_string (value, self->converter);
      break;
    case PROP_PRE:
      g_value_set_double (value, self->pre);
      break;
    case PROP_POST:
      g_value_set_double (value, self->post);
      break;
    case PROP_MAX_DURATION:
      g_value_set_double (value, self->max_duration);
      break;
    case PROP_LOCATION:
      g_value_set_string (value, self->location);
      break;
    case PROP_ENCODER:
      g_value_set_string (value, self->encoder);
      break;
    case PROP_REBASE_TIMESTAMPS:
      g_value_set_boolean (value, self->rebase_timestamps);
      break;
    case PROP_MAX_RING_BYTES:
      g_value_set_uint64 (value, self->max_ring_bytes);
      break;
    case PROP_BUSY:
      g_value_set_boolean (value, hs_multi_recorder_get_busy (self));
      break;
    default:
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
    case PROP_MODE:
      self->mode = g_value_get_enum (value);
      return;
    case PROP_CONVERTER:
      g_free (self->converter);
      self->converter = g_value_dup_string (value);
      if (self->converter == NULL)
        self->converter = g_strdup ("auto");
      return;
    case PROP_PRE:
      self->pre = g_value_get_double (value);
      break;
    case PROP_POST:
      self->post = g_value_get_double (value);
      break;
    case PROP_MAX_DURATION:
      self->max_duration = g_value_get_double (value);
      break;
    case PROP_LOCATION:
      g_free (self->location);
      self->location = g_value_dup_string (value);
      if (self->location == NULL)
        self->location = g_strdup (HS_RECORDER_DEFAULT_LOCATION);
      break;
    case PROP_ENCODER:
      g_free (self->encoder);
      self->encoder = g_value_dup_string (value);
      break;
    case PROP_REBASE_TIMESTAMPS:
      self->rebase_timestamps = g_value_get_boolean (value);
      break;
    case PROP_MAX_RING_BYTES:
      self->max_ring_bytes = g_value_get_uint64 (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
      return;
  }
  /* Every recorder follows the multi-recorder's settings. */
  for (guint i = 0; i < self->recorders->len; i++)
    g_object_set_property (self->recorders->pdata[i], pspec->name, value);
  g_object_notify_by_pspec (object, pspec);
}

static void
hs_multi_recorder_class_init (HsMultiRecorderClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  const GParamFlags rw = G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS |
      G_PARAM_EXPLICIT_NOTIFY;
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
   * HsMultiRecorder:mode:
   *
   * What every ring holds (see #HsRecorder:mode).
   *
   * Since: 0.1
   */
  properties[PROP_MODE] = g_param_spec_enum ("mode", NULL, NULL,
      HS_TYPE_RECORDER_MODE, HS_RECORDER_MODE_RAW, construct);
  /**
   * HsMultiRecorder:converter:
   *
   * The ring-side converter of every recorder (see #HsRecorder:converter).
   *
   * Since: 0.1
   */
  properties[PROP_CONVERTER] = g_param_spec_string ("converter", NULL, NULL,
      "auto", construct);
  /**
   * HsMultiRecorder:pre:
   *
   * Seconds recorded before the first trigger.
   *
   * Since: 0.1
   */
  properties[PROP_PRE] = g_param_spec_double ("pre", NULL, NULL,
      0, 3600, 5, rw);
  /**
   * HsMultiRecorder:post:
   *
   * Seconds recorded after the last trigger.
   *
   * Since: 0.1
   */
  properties[PROP_POST] = g_param_spec_double ("post", NULL, NULL,
      0, 3600, 5, rw);
  /**
   * HsMultiRecorder:max-duration:
   *
   * Longest file in seconds, 0 for none.
   *
   * Since: 0.1
   */
  properties[PROP_MAX_DURATION] = g_param_spec_double ("max-duration", NULL,
      NULL, 0, G_MAXDOUBLE, 0, rw);
  /**
   * HsMultiRecorder:location:
   *
   * Location template of every recorder; keep `%{source}` in it so that
   * sources do not share names.
   *
   * Since: 0.1
   */
  properties[PROP_LOCATION] = g_param_spec_string ("location", NULL, NULL,
      HS_RECORDER_DEFAULT_LOCATION, rw);
  /**
   * HsMultiRecorder:encoder:
   *
   * Codec of the files.
   *
   * Since: 0.1
   */
  properties[PROP_ENCODER] = g_param_spec_string ("encoder", NULL, NULL,
      "vp8", rw);
  /**
   * HsMultiRecorder:rebase-timestamps:
   *
   * Whether each file starts at 0.
   *
   * Since: 0.1
   */
  properties[PROP_REBASE_TIMESTAMPS] = g_param_spec_boolean (
      "rebase-timestamps", NULL, NULL, FALSE, rw);
  /**
   * HsMultiRecorder:max-ring-bytes:
   *
   * Bytes each ring may hold, 0 for no bound.
   *
   * Since: 0.1
   */
  properties[PROP_MAX_RING_BYTES] = g_param_spec_uint64 ("max-ring-bytes",
      NULL, NULL, 0, G_MAXUINT64, 0, rw);
  /**
   * HsMultiRecorder:busy:
   *
   * Whether any of the recorders is busy.
   *
   * Since: 0.1
   */
  properties[PROP_BUSY] = g_param_spec_boolean ("busy", NULL, NULL, FALSE,
      G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

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
  self->pre = 5;
  self->post = 5;
  self->location = g_strdup (HS_RECORDER_DEFAULT_LOCATION);
  self->encoder = g_strdup ("vp8");
  self->converter = g_strdup ("auto");
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
