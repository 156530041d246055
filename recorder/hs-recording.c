/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include "hs-recording-private.h"

/**
 * HsRecording:
 *
 * One file written by an [class@Hindsight.Recorder]: where it is, which
 * stretch of the source's running time it holds, and how it ended.
 *
 * The same object is passed to [signal@Hindsight.Recorder::recording-started]
 * (location, source, index, requested start and date are known then) and to
 * [signal@Hindsight.Recorder::recording-finished], after which it never
 * changes. Times are running times of the source pipeline, in nanoseconds.
 *
 * ```c
 * static void
 * on_finished (HsRecorder *rec, HsRecording *r, gpointer data)
 * {
 *   if (hs_recording_get_error (r) != NULL)
 *     g_printerr ("%s failed: %s\n", hs_recording_get_location (r),
 *                 hs_recording_get_error (r)->message);
 *   else
 *     g_print ("%s: %" G_GUINT64_FORMAT " frames from %" GST_TIME_FORMAT "\n",
 *              hs_recording_get_location (r), hs_recording_get_n_frames (r),
 *              GST_TIME_ARGS (hs_recording_get_start_time (r)));
 * }
 * ```
 *
 * Since: 0.1
 */

struct _HsRecording
{
  GObject parent_instance;

  char *location;
  char *source;
  guint index;
  gint64 requested_start;
  GstClockTime start_time;
  GstClockTime end_time;
  GstClockTime last_duration;
  guint64 n_frames;
  guint64 n_dropped;
  guint64 n_audio_frames;
  char *audio_codec;
  guint64 bytes;
  GDateTime *date;
  GError *error;
  gboolean finished;
};

G_DEFINE_FINAL_TYPE (HsRecording, hs_recording, G_TYPE_OBJECT)

enum
{
  PROP_0,
  PROP_LOCATION,
  PROP_SOURCE,
  PROP_INDEX,
  PROP_START_TIME,
  PROP_END_TIME,
  PROP_DURATION,
  PROP_REQUESTED_START,
  PROP_SHORTFALL,
  PROP_N_FRAMES,
  PROP_N_DROPPED,
  PROP_N_AUDIO_FRAMES,
  PROP_AUDIO_CODEC,
  PROP_BYTES,
  PROP_DATE,
  PROP_ERROR,
  PROP_FINISHED,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
hs_recording_finalize (GObject *object)
{
  HsRecording *self = HS_RECORDING (object);

  g_free (self->location);
  g_free (self->source);
  g_free (self->audio_codec);
  g_clear_pointer (&self->date, g_date_time_unref);
  g_clear_error (&self->error);

  G_OBJECT_CLASS (hs_recording_parent_class)->finalize (object);
}

static void
hs_recording_get_property (GObject    *object,
                           guint       prop_id,
                           GValue     *value,
                           GParamSpec *pspec)
{
  HsRecording *self = HS_RECORDING (object);

  switch (prop_id) {
    case PROP_LOCATION:
      g_value_set_string (value, self->location);
      break;
    case PROP_SOURCE:
      g_value_set_string (value, self->source);
      break;
    case PROP_INDEX:
      g_value_set_uint (value, self->index);
      break;
    case PROP_START_TIME:
      g_value_set_uint64 (value, self->start_time);
      break;
    case PROP_END_TIME:
      g_value_set_uint64 (value, self->end_time);
      break;
    case PROP_DURATION:
      g_value_set_uint64 (value, hs_recording_get_duration (self));
      break;
    case PROP_REQUESTED_START:
      g_value_set_int64 (value, self->requested_start);
      break;
    case PROP_SHORTFALL:
      g_value_set_uint64 (value, hs_recording_get_shortfall (self));
      break;
    case PROP_N_FRAMES:
      g_value_set_uint64 (value, self->n_frames);
      break;
    case PROP_N_DROPPED:
      g_value_set_uint64 (value, self->n_dropped);
      break;
    case PROP_N_AUDIO_FRAMES:
      g_value_set_uint64 (value, self->n_audio_frames);
      break;
    case PROP_AUDIO_CODEC:
      g_value_set_string (value, self->audio_codec);
      break;
    case PROP_BYTES:
      g_value_set_uint64 (value, self->bytes);
      break;
    case PROP_DATE:
      g_value_set_boxed (value, self->date);
      break;
    case PROP_ERROR:
      g_value_set_boxed (value, self->error);
      break;
    case PROP_FINISHED:
      g_value_set_boolean (value, self->finished);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
  }
}

static void
hs_recording_class_init (HsRecordingClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  const GParamFlags flags = G_PARAM_READABLE | G_PARAM_STATIC_STRINGS;

  object_class->finalize = hs_recording_finalize;
  object_class->get_property = hs_recording_get_property;

  /**
   * HsRecording:location:
   *
   * Path of the file, or %NULL when no file could be created.
   *
   * Since: 0.1
   */
  properties[PROP_LOCATION] =
      g_param_spec_string ("location", NULL, NULL, NULL, flags);
  /**
   * HsRecording:source:
   *
   * Name of the tee the frames came from.
   *
   * Since: 0.1
   */
  properties[PROP_SOURCE] =
      g_param_spec_string ("source", NULL, NULL, NULL, flags);
  /**
   * HsRecording:index:
   *
   * 1-based number of this file among the recorder's files.
   *
   * Since: 0.1
   */
  properties[PROP_INDEX] =
      g_param_spec_uint ("index", NULL, NULL, 0, G_MAXUINT, 0, flags);
  /**
   * HsRecording:start-time:
   *
   * Running time of the first frame written, in nanoseconds;
   * %GST_CLOCK_TIME_NONE before the first frame.
   *
   * Since: 0.1
   */
  properties[PROP_START_TIME] =
      g_param_spec_uint64 ("start-time", NULL, NULL,
      0, G_MAXUINT64, GST_CLOCK_TIME_NONE, flags);
  /**
   * HsRecording:end-time:
   *
   * Running time of the last frame written, in nanoseconds.
   *
   * Since: 0.1
   */
  properties[PROP_END_TIME] =
      g_param_spec_uint64 ("end-time", NULL, NULL,
      0, G_MAXUINT64, GST_CLOCK_TIME_NONE, flags);
  /**
   * HsRecording:duration:
   *
   * Time from the first frame to the end of the last, in nanoseconds: what a
   * player shows as the length of the file.
   *
   * Since: 0.1
   */
  properties[PROP_DURATION] =
      g_param_spec_uint64 ("duration", NULL, NULL, 0, G_MAXUINT64, 0, flags);
  /**
   * HsRecording:requested-start:
   *
   * Running time the window asked to start at, in nanoseconds: the trigger
   * time minus #HsRecorder:pre (negative when that is before the pipeline
   * started), or the end of the previous file when windows tile.
   *
   * Since: 0.1
   */
  properties[PROP_REQUESTED_START] =
      g_param_spec_int64 ("requested-start", NULL, NULL,
      G_MININT64, G_MAXINT64, 0, flags);
  /**
   * HsRecording:shortfall:
   *
   * How much later than requested the file starts, in nanoseconds: the
   * frames the ring no longer (or not yet) held. 0 for a complete window.
   *
   * Since: 0.1
   */
  properties[PROP_SHORTFALL] =
      g_param_spec_uint64 ("shortfall", NULL, NULL, 0, G_MAXUINT64, 0, flags);
  /**
   * HsRecording:n-frames:
   *
   * Frames written.
   *
   * Since: 0.1
   */
  properties[PROP_N_FRAMES] =
      g_param_spec_uint64 ("n-frames", NULL, NULL, 0, G_MAXUINT64, 0, flags);
  /**
   * HsRecording:n-dropped:
   *
   * Frames the ring branch's leaky queue had to drop between this file's
   * first and last frame (live sources only; never silently missing), also
   * those dropped before the file was opened, while they were in the ring.
   *
   * Since: 0.1
   */
  properties[PROP_N_DROPPED] =
      g_param_spec_uint64 ("n-dropped", NULL, NULL, 0, G_MAXUINT64, 0, flags);
  /**
   * HsRecording:n-audio-frames:
   *
   * Audio buffers written (for raw audio, before they were encoded); 0 for
   * a file without sound.
   *
   * Since: 0.2
   */
  properties[PROP_N_AUDIO_FRAMES] =
      g_param_spec_uint64 ("n-audio-frames", NULL, NULL, 0, G_MAXUINT64, 0,
      flags);
  /**
   * HsRecording:audio-codec:
   *
   * The caps name of the file's sound ("audio/x-opus"), or %NULL for a file
   * without sound.
   *
   * Since: 0.2
   */
  properties[PROP_AUDIO_CODEC] =
      g_param_spec_string ("audio-codec", NULL, NULL, NULL, flags);
  /**
   * HsRecording:bytes:
   *
   * Size of the file once closed.
   *
   * Since: 0.1
   */
  properties[PROP_BYTES] =
      g_param_spec_uint64 ("bytes", NULL, NULL, 0, G_MAXUINT64, 0, flags);
  /**
   * HsRecording:date:
   *
   * Wall-clock time of the first frame, also written as the file's date.
   *
   * Since: 0.1
   */
  properties[PROP_DATE] =
      g_param_spec_boxed ("date", NULL, NULL, G_TYPE_DATE_TIME, flags);
  /**
   * HsRecording:error:
   *
   * Why the recording failed or ended early, or %NULL. A file with an error
   * is still closed properly and holds the frames counted in
   * #HsRecording:n-frames.
   *
   * Since: 0.1
   */
  properties[PROP_ERROR] =
      g_param_spec_boxed ("error", NULL, NULL, G_TYPE_ERROR, flags);
  /**
   * HsRecording:finished:
   *
   * Whether the file is closed; the recording never changes after that.
   *
   * Since: 0.1
   */
  properties[PROP_FINISHED] =
      g_param_spec_boolean ("finished", NULL, NULL, FALSE, flags);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
hs_recording_init (HsRecording *self)
{
  self->start_time = GST_CLOCK_TIME_NONE;
  self->end_time = GST_CLOCK_TIME_NONE;
  self->last_duration = GST_CLOCK_TIME_NONE;
}

HsRecording *
hs_recording_new (const char *source, guint index, gint64 requested_start)
{
  HsRecording *self = g_object_new (HS_TYPE_RECORDING, NULL);

  self->source = g_strdup (source);
  self->index = index;
  self->requested_start = requested_start;
  return self;
}

void
hs_recording_set_location (HsRecording *self, const char *location)
{
  g_return_if_fail (!self->finished);
  g_free (self->location);
  self->location = g_strdup (location);
}

void
hs_recording_set_date (HsRecording *self, GDateTime *date)
{
  g_return_if_fail (!self->finished);
  g_clear_pointer (&self->date, g_date_time_unref);
  self->date = date ? g_date_time_ref (date) : NULL;
}

void
hs_recording_add_frame (HsRecording *self, GstClockTime time,
                        GstClockTime duration)
{
  g_return_if_fail (!self->finished);
  if (self->n_frames == 0)
    self->start_time = time;
  /* In decode order a frame may come before one it precedes (B-frames):
   * the end is the latest. */
  if (self->n_frames == 0 || time >= self->end_time) {
    self->end_time = time;
    self->last_duration = duration;
  }
  self->n_frames++;
}

void
hs_recording_add_audio (HsRecording *self, const char *codec)
{
  g_return_if_fail (!self->finished);
  if (self->audio_codec == NULL)
    self->audio_codec = g_strdup (codec);
  self->n_audio_frames++;
}

void
hs_recording_add_dropped (HsRecording *self, guint64 n_dropped)
{
  g_return_if_fail (!self->finished);
  self->n_dropped += n_dropped;
}

void
hs_recording_set_error (HsRecording *self, const GError *error)
{
  g_return_if_fail (!self->finished);
  if (error == NULL || error == self->error)
    return;
  g_clear_error (&self->error);
  self->error = g_error_copy (error);
}

void
hs_recording_finish (HsRecording *self, guint64 bytes, const GError *error)
{
  g_return_if_fail (!self->finished);
  self->bytes = bytes;
  hs_recording_set_error (self, error);
  self->finished = TRUE;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_FINISHED]);
}

/**
 * hs_recording_get_location:
 * @self: a recording
 *
 * Returns: (nullable): the path of the file
 *
 * Since: 0.1
 */
const char *
hs_recording_get_location (HsRecording *self)
{
  g_return_val_if_fail (HS_IS_RECORDING (self), NULL);
  return self->location;
}

/**
 * hs_recording_get_source:
 * @self: a recording
 *
 * Returns: the name of the tee the frames came from
 *
 * Since: 0.1
 */
const char *
hs_recording_get_source (HsRecording *self)
{
  g_return_val_if_fail (HS_IS_RECORDING (self), NULL);
  return self->source;
}

/**
 * hs_recording_get_index:
 * @self: a recording
 *
 * Returns: the 1-based number of this file among its recorder's files
 *
 * Since: 0.1
 */
guint
hs_recording_get_index (HsRecording *self)
{
  g_return_val_if_fail (HS_IS_RECORDING (self), 0);
  return self->index;
}

/**
 * hs_recording_get_start_time:
 * @self: a recording
 *
 * Returns: the running time of the first frame written
 *
 * Since: 0.1
 */
GstClockTime
hs_recording_get_start_time (HsRecording *self)
{
  g_return_val_if_fail (HS_IS_RECORDING (self), GST_CLOCK_TIME_NONE);
  return self->start_time;
}

/**
 * hs_recording_get_end_time:
 * @self: a recording
 *
 * Returns: the running time of the last frame written
 *
 * Since: 0.1
 */
GstClockTime
hs_recording_get_end_time (HsRecording *self)
{
  g_return_val_if_fail (HS_IS_RECORDING (self), GST_CLOCK_TIME_NONE);
  return self->end_time;
}

/**
 * hs_recording_get_duration:
 * @self: a recording
 *
 * Returns: the time from the first frame to the end of the last one
 *
 * Since: 0.1
 */
GstClockTime
hs_recording_get_duration (HsRecording *self)
{
  GstClockTime duration;

  g_return_val_if_fail (HS_IS_RECORDING (self), 0);
  if (self->n_frames == 0)
    return 0;
  duration = self->end_time - self->start_time;
  if (self->last_duration != GST_CLOCK_TIME_NONE)
    duration += self->last_duration;
  return duration;
}

/**
 * hs_recording_get_requested_start:
 * @self: a recording
 *
 * Returns: the running time the window asked to start at (may be negative)
 *
 * Since: 0.1
 */
gint64
hs_recording_get_requested_start (HsRecording *self)
{
  g_return_val_if_fail (HS_IS_RECORDING (self), 0);
  return self->requested_start;
}

/**
 * hs_recording_get_shortfall:
 * @self: a recording
 *
 * Returns: how much later than requested the first frame is, 0 if none
 *
 * Since: 0.1
 */
GstClockTime
hs_recording_get_shortfall (HsRecording *self)
{
  g_return_val_if_fail (HS_IS_RECORDING (self), 0);
  if (self->n_frames == 0 ||
      (gint64) self->start_time <= self->requested_start)
    return 0;
  return (gint64) self->start_time - self->requested_start;
}

/**
 * hs_recording_get_n_frames:
 * @self: a recording
 *
 * Returns: the frames written
 *
 * Since: 0.1
 */
guint64
hs_recording_get_n_frames (HsRecording *self)
{
  g_return_val_if_fail (HS_IS_RECORDING (self), 0);
  return self->n_frames;
}

/**
 * hs_recording_get_n_dropped:
 * @self: a recording
 *
 * Returns: the frames the ring's leaky queue dropped during this file
 *
 * Since: 0.1
 */
guint64
hs_recording_get_n_dropped (HsRecording *self)
{
  g_return_val_if_fail (HS_IS_RECORDING (self), 0);
  return self->n_dropped;
}

/**
 * hs_recording_get_n_audio_frames:
 * @self: a recording
 *
 * Returns: the audio buffers written, 0 for a file without sound
 *
 * Since: 0.2
 */
guint64
hs_recording_get_n_audio_frames (HsRecording *self)
{
  g_return_val_if_fail (HS_IS_RECORDING (self), 0);
  return self->n_audio_frames;
}

/**
 * hs_recording_get_audio_codec:
 * @self: a recording
 *
 * Returns: (nullable): the caps name of the file's sound, or %NULL
 *
 * Since: 0.2
 */
const char *
hs_recording_get_audio_codec (HsRecording *self)
{
  g_return_val_if_fail (HS_IS_RECORDING (self), NULL);
  return self->audio_codec;
}

/**
 * hs_recording_get_bytes:
 * @self: a recording
 *
 * Returns: the size of the closed file
 *
 * Since: 0.1
 */
guint64
hs_recording_get_bytes (HsRecording *self)
{
  g_return_val_if_fail (HS_IS_RECORDING (self), 0);
  return self->bytes;
}

/**
 * hs_recording_get_date:
 * @self: a recording
 *
 * Returns: (transfer none) (nullable): the wall-clock time of the first frame
 *
 * Since: 0.1
 */
GDateTime *
hs_recording_get_date (HsRecording *self)
{
  g_return_val_if_fail (HS_IS_RECORDING (self), NULL);
  return self->date;
}

/**
 * hs_recording_is_finished:
 * @self: a recording
 *
 * Returns: whether the file is closed
 *
 * Since: 0.1
 */
gboolean
hs_recording_is_finished (HsRecording *self)
{
  g_return_val_if_fail (HS_IS_RECORDING (self), FALSE);
  return self->finished;
}

/**
 * hs_recording_get_error:
 * @self: a recording
 *
 * Returns: (transfer none) (nullable): why the recording failed, or %NULL
 *
 * Since: 0.1
 */
const GError *
hs_recording_get_error (HsRecording *self)
{
  g_return_val_if_fail (HS_IS_RECORDING (self), NULL);
  return self->error;
}
