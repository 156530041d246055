/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include "hs-ring-buffer-private.h"

/**
 * HsRingBuffer:
 *
 * A thread-safe queue of [struct@Gst.Sample] references that always holds the
 * most recent frames of a source.
 *
 * Frames are ordered by arrival and placed on the timeline by the running
 * time of their PTS. The ring keeps frames whose running time is within
 * #HsRingBuffer:window of the newest one and whose total size stays under
 * #HsRingBuffer:max-bytes; it evicts the oldest first. It holds references,
 * never copies, and nothing it does per frame depends on how many frames it
 * holds.
 *
 * With #HsRingBuffer:whole-gops set (encoded frames), the ring only evicts
 * whole groups of pictures: it always keeps the keyframe at or before the
 * window's start, so that what it holds can be decoded from its first frame.
 *
 * An [class@Hindsight.Recorder] owns one ring per source; the ring is public
 * so that applications can look at what is buffered.
 *
 * ```c
 * g_autoptr(HsRingBuffer) ring = hs_ring_buffer_new (5 * GST_SECOND, 0);
 * hs_ring_buffer_push (ring, sample);      // from any thread
 * g_print ("%u frames buffered\n", hs_ring_buffer_get_n_samples (ring));
 * ```
 *
 * Since: 0.1
 */

GST_DEBUG_CATEGORY_STATIC (hs_ring_buffer_debug);
#define GST_CAT_DEFAULT hs_ring_buffer_debug

struct _HsRingBuffer
{
  GObject parent_instance;

  GMutex lock;
  HsRingEntry *entries;         /* circular array */
  guint capacity;
  guint head;                   /* index of the oldest entry */
  guint len;
  guint64 next_seq;
  guint64 n_bytes;
  guint64 n_trimmed;
  gboolean warned_trim;

  GstClockTime window;
  guint64 max_bytes;
  gboolean whole_gops;

  /* seqs of the keyframes held, oldest first (whole-gops mode) */
  GArray *keyframes;
  guint kf_head;

  guint64 hold_seq;
  GstClockTime hold_time;
};

G_DEFINE_FINAL_TYPE_WITH_CODE (HsRingBuffer, hs_ring_buffer, G_TYPE_OBJECT,
    GST_DEBUG_CATEGORY_INIT (hs_ring_buffer_debug, "hindsight-ring", 0,
        "hindsight ring buffer"))

enum
{
  PROP_0,
  PROP_WINDOW,
  PROP_MAX_BYTES,
  PROP_WHOLE_GOPS,
  PROP_N_SAMPLES,
  PROP_N_BYTES,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

void
hs_ring_entry_clear (HsRingEntry *entry)
{
  g_clear_pointer (&entry->sample, gst_sample_unref);
}

static HsRingEntry *
entry_at (HsRingBuffer *self, guint i)
{
  return &self->entries[(self->head + i) % self->capacity];
}

static void
grow (HsRingBuffer *self)
{
  guint new_capacity = MAX (64, self->capacity * 2);
  HsRingEntry *entries = g_new0 (HsRingEntry, new_capacity);

  for (guint i = 0; i < self->len; i++)
    entries[i] = *entry_at (self, i);

  g_free (self->entries);
  self->entries = entries;
  self->capacity = new_capacity;
  self->head = 0;
}

static gboolean
is_held (HsRingBuffer *self, const HsRingEntry *e)
{
  return e->seq >= self->hold_seq && e->time >= self->hold_time;
}

static void
drop_oldest (HsRingBuffer *self)
{
  HsRingEntry *e = entry_at (self, 0);

  self->n_bytes -= e->size;
  hs_ring_entry_clear (e);
  self->head = (self->head + 1) % self->capacity;
  self->len--;
}

static void
note_trim (HsRingBuffer *self, GstClockTime span, guint n)
{
  self->n_trimmed += n;
  if (!self->warned_trim) {
    self->warned_trim = TRUE;
    GST_WARNING_OBJECT (self, "max-bytes (%" G_GUINT64_FORMAT ") holds less "
        "than the window: the ring now spans %" GST_TIME_FORMAT,
        self->max_bytes, GST_TIME_ARGS (span));
  }
}

static guint
n_keyframes (HsRingBuffer *self)
{
  return self->keyframes->len - self->kf_head;
}

static guint64
keyframe_seq (HsRingBuffer *self, guint i)
{
  return g_array_index (self->keyframes, guint64, self->kf_head + i);
}

static void
drop_keyframe (HsRingBuffer *self)
{
  self->kf_head++;
  if (self->kf_head > 64 && self->kf_head * 2 > self->keyframes->len) {
    g_array_remove_range (self->keyframes, 0, self->kf_head);
    self->kf_head = 0;
  }
}

/* Drops everything before the entry with @seq, unless some of it is held.
 * Returns whether it did. */
static gboolean
drop_before (HsRingBuffer *self, guint64 seq)
{
  guint64 first = entry_at (self, 0)->seq;

  for (guint64 s = first; s < seq; s++)
    if (is_held (self, entry_at (self, s - first)))
      return FALSE;
  while (self->len > 0 && entry_at (self, 0)->seq < seq)
    drop_oldest (self);
  return TRUE;
}

/* A window held to start at hold_time starts from the keyframe at or before
 * that time: the GOP before @next_keyframe stays while @next_keyframe is
 * later than that (and not yet written). */
static gboolean
gop_held (HsRingBuffer *self, const HsRingEntry *next_keyframe)
{
  return self->hold_seq != G_MAXUINT64 &&
      next_keyframe->seq > self->hold_seq &&
      next_keyframe->time > self->hold_time;
}

/* Whole-gops eviction: a GOP goes only when the next one starts at or before
 * the window's start (or the bytes demand it and another GOP remains). */
static void
evict_gops (HsRingBuffer *self, GstClockTime newest)
{
  /* Frames before the first keyframe cannot be decoded: drop them. */
  if (self->len > 0 && n_keyframes (self) > 0 &&
      entry_at (self, 0)->seq < keyframe_seq (self, 0))
    drop_before (self, keyframe_seq (self, 0));

  while (n_keyframes (self) >= 2) {
    guint64 next = keyframe_seq (self, 1);
    HsRingEntry *next_entry = entry_at (self, next - entry_at (self, 0)->seq);
    gboolean too_old = self->window != GST_CLOCK_TIME_NONE &&
        next_entry->time + self->window <= newest;
    gboolean too_big = self->max_bytes > 0 && self->n_bytes > self->max_bytes;
    guint before = self->len;

    if (!too_old && !too_big)
      break;
    if (gop_held (self, next_entry) || !drop_before (self, next))
      break;
    if (!too_old)
      note_trim (self, newest - next_entry->time, before - self->len);
    drop_keyframe (self);
  }
}

/* Called with the lock held. */
static void
evict (HsRingBuffer *self)
{
  GstClockTime newest;

  if (self->len == 0)
    return;

  newest = entry_at (self, self->len - 1)->time;
  if (self->whole_gops) {
    evict_gops (self, newest);
    return;
  }

  while (self->len > 1) {
    HsRingEntry *oldest = entry_at (self, 0);
    gboolean too_old = self->window != GST_CLOCK_TIME_NONE &&
        oldest->time + self->window < newest;
    gboolean too_big = self->max_bytes > 0 && self->n_bytes > self->max_bytes;

    if (!too_old && !too_big)
      break;
    if (is_held (self, oldest))
      break;
    if (!too_old)
      note_trim (self, newest - oldest->time, 1);
    drop_oldest (self);
  }
}

static void
hs_ring_buffer_finalize (GObject *object)
{
  HsRingBuffer *self = HS_RING_BUFFER (object);

  while (self->len > 0)
    drop_oldest (self);
  g_free (self->entries);
  g_array_unref (self->keyframes);
  g_mutex_clear (&self->lock);

  G_OBJECT_CLASS (hs_ring_buffer_parent_class)->finalize (object);
}

static void
hs_ring_buffer_get_property (GObject    *object,
                             guint       prop_id,
                             GValue     *value,
                             GParamSpec *pspec)
{
  HsRingBuffer *self = HS_RING_BUFFER (object);

  switch (prop_id) {
    case PROP_WINDOW:
      g_value_set_uint64 (value, hs_ring_buffer_get_window (self));
      break;
    case PROP_MAX_BYTES:
      g_value_set_uint64 (value, hs_ring_buffer_get_max_bytes (self));
      break;
    case PROP_WHOLE_GOPS:
      g_value_set_boolean (value, self->whole_gops);
      break;
    case PROP_N_SAMPLES:
      g_value_set_uint (value, hs_ring_buffer_get_n_samples (self));
      break;
    case PROP_N_BYTES:
      g_value_set_uint64 (value, hs_ring_buffer_get_n_bytes (self));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
  }
}

static void
hs_ring_buffer_set_property (GObject      *object,
                             guint         prop_id,
                             const GValue *value,
                             GParamSpec   *pspec)
{
  HsRingBuffer *self = HS_RING_BUFFER (object);

  switch (prop_id) {
    case PROP_WINDOW:
      hs_ring_buffer_set_window (self, g_value_get_uint64 (value));
      break;
    case PROP_MAX_BYTES:
      hs_ring_buffer_set_max_bytes (self, g_value_get_uint64 (value));
      break;
    case PROP_WHOLE_GOPS:
      g_mutex_lock (&self->lock);
      self->whole_gops = g_value_get_boolean (value);
      g_mutex_unlock (&self->lock);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
  }
}

static void
hs_ring_buffer_class_init (HsRingBufferClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = hs_ring_buffer_finalize;
  object_class->get_property = hs_ring_buffer_get_property;
  object_class->set_property = hs_ring_buffer_set_property;

  /**
   * HsRingBuffer:window:
   *
   * How much running time the ring spans, in nanoseconds, measured back from
   * the newest frame. %GST_CLOCK_TIME_NONE keeps frames regardless of age.
   *
   * Since: 0.1
   */
  properties[PROP_WINDOW] =
      g_param_spec_uint64 ("window", NULL, NULL,
      0, G_MAXUINT64, 5 * GST_SECOND,
      G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  /**
   * HsRingBuffer:max-bytes:
   *
   * Upper bound on the bytes of the frames held, 0 for none. When it bites,
   * the ring spans less than #HsRingBuffer:window (logged once).
   *
   * Since: 0.1
   */
  properties[PROP_MAX_BYTES] =
      g_param_spec_uint64 ("max-bytes", NULL, NULL,
      0, G_MAXUINT64, 0,
      G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  /**
   * HsRingBuffer:whole-gops:
   *
   * Whether the ring holds encoded frames and evicts whole groups of
   * pictures only, always keeping the keyframe at or before the window's
   * start. Frames without %GST_BUFFER_FLAG_DELTA_UNIT are keyframes.
   *
   * Since: 0.1
   */
  properties[PROP_WHOLE_GOPS] =
      g_param_spec_boolean ("whole-gops", NULL, NULL, FALSE,
      G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS);

  /**
   * HsRingBuffer:n-samples:
   *
   * Frames held now. Not notified: it changes with every frame.
   *
   * Since: 0.1
   */
  properties[PROP_N_SAMPLES] =
      g_param_spec_uint ("n-samples", NULL, NULL,
      0, G_MAXUINT, 0, G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);

  /**
   * HsRingBuffer:n-bytes:
   *
   * Bytes of the frames held now. Not notified.
   *
   * Since: 0.1
   */
  properties[PROP_N_BYTES] =
      g_param_spec_uint64 ("n-bytes", NULL, NULL,
      0, G_MAXUINT64, 0, G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
hs_ring_buffer_init (HsRingBuffer *self)
{
  g_mutex_init (&self->lock);
  self->window = 5 * GST_SECOND;
  self->hold_seq = G_MAXUINT64;
  self->hold_time = 0;
  self->keyframes = g_array_new (FALSE, FALSE, sizeof (guint64));
}

/**
 * hs_ring_buffer_new:
 * @window: running time to keep, in nanoseconds
 * @max_bytes: bytes to keep at most, 0 for no bound
 *
 * Returns: (transfer full): a new, empty ring
 *
 * Since: 0.1
 */
HsRingBuffer *
hs_ring_buffer_new (GstClockTime window, guint64 max_bytes)
{
  return g_object_new (HS_TYPE_RING_BUFFER,
      "window", window, "max-bytes", max_bytes, NULL);
}

/**
 * hs_ring_buffer_push:
 * @self: a ring
 * @sample: (transfer none): a sample whose buffer has a PTS
 *
 * Appends a reference to @sample and evicts what is now too old or too much.
 * Safe to call from any thread, typically an appsink's streaming thread.
 * A sample without buffer, segment or PTS cannot be placed on the timeline
 * and is ignored (and logged).
 *
 * Since: 0.1
 */
void
hs_ring_buffer_push (HsRingBuffer *self, GstSample *sample)
{
  g_return_if_fail (HS_IS_RING_BUFFER (self));
  g_return_if_fail (GST_IS_SAMPLE (sample));

  hs_ring_buffer_push_counted (self, sample, 0);
}

GstClockTime
hs_ring_buffer_push_counted (HsRingBuffer *self, GstSample *sample,
                             guint64 dropped_before)
{
  GstBuffer *buffer;
  const GstSegment *segment;
  GstClockTime time;
  HsRingEntry *e;

  g_return_val_if_fail (HS_IS_RING_BUFFER (self), GST_CLOCK_TIME_NONE);
  g_return_val_if_fail (GST_IS_SAMPLE (sample), GST_CLOCK_TIME_NONE);

  buffer = gst_sample_get_buffer (sample);
  segment = gst_sample_get_segment (sample);
  if (buffer == NULL || segment == NULL || segment->format != GST_FORMAT_TIME
      || !GST_BUFFER_PTS_IS_VALID (buffer)) {
    GST_WARNING_OBJECT (self, "ignoring a sample without PTS or time segment");
    return GST_CLOCK_TIME_NONE;
  }

  time = gst_segment_to_running_time (segment, GST_FORMAT_TIME,
      GST_BUFFER_PTS (buffer));
  if (time == GST_CLOCK_TIME_NONE) {
    GST_LOG_OBJECT (self, "ignoring a sample outside its segment");
    return GST_CLOCK_TIME_NONE;
  }

  g_mutex_lock (&self->lock);
  if (self->len == self->capacity)
    grow (self);

  e = entry_at (self, self->len);
  e->sample = gst_sample_ref (sample);
  e->time = time;
  e->duration = GST_BUFFER_DURATION (buffer);
  e->seq = self->next_seq++;
  e->size = gst_buffer_get_size (buffer);
  e->dropped_before = dropped_before;
  e->keyframe = !GST_BUFFER_FLAG_IS_SET (buffer, GST_BUFFER_FLAG_DELTA_UNIT);
  self->len++;
  self->n_bytes += e->size;
  if (self->whole_gops && e->keyframe)
    g_array_append_val (self->keyframes, e->seq);

  evict (self);
  g_mutex_unlock (&self->lock);
  return time;
}

/**
 * hs_ring_buffer_clear:
 * @self: a ring
 *
 * Drops every frame not held for a recording.
 *
 * Since: 0.1
 */
void
hs_ring_buffer_clear (HsRingBuffer *self)
{
  g_return_if_fail (HS_IS_RING_BUFFER (self));

  g_mutex_lock (&self->lock);
  while (self->len > 0 && !is_held (self, entry_at (self, 0)))
    drop_oldest (self);
  while (n_keyframes (self) > 0 &&
      (self->len == 0 || keyframe_seq (self, 0) < entry_at (self, 0)->seq))
    drop_keyframe (self);
  g_mutex_unlock (&self->lock);
}

/**
 * hs_ring_buffer_get_window:
 * @self: a ring
 *
 * Returns: the running time the ring spans, in nanoseconds
 *
 * Since: 0.1
 */
GstClockTime
hs_ring_buffer_get_window (HsRingBuffer *self)
{
  GstClockTime window;

  g_return_val_if_fail (HS_IS_RING_BUFFER (self), 0);

  g_mutex_lock (&self->lock);
  window = self->window;
  g_mutex_unlock (&self->lock);
  return window;
}

/**
 * hs_ring_buffer_set_window:
 * @self: a ring
 * @window: running time to keep, in nanoseconds
 *
 * Sets #HsRingBuffer:window. A shorter window takes effect with the next frame.
 *
 * Since: 0.1
 */
void
hs_ring_buffer_set_window (HsRingBuffer *self, GstClockTime window)
{
  gboolean changed;

  g_return_if_fail (HS_IS_RING_BUFFER (self));

  g_mutex_lock (&self->lock);
  changed = self->window != window;
  self->window = window;
  g_mutex_unlock (&self->lock);

  if (changed)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_WINDOW]);
}

/**
 * hs_ring_buffer_get_max_bytes:
 * @self: a ring
 *
 * Returns: the byte bound, 0 for none
 *
 * Since: 0.1
 */
guint64
hs_ring_buffer_get_max_bytes (HsRingBuffer *self)
{
  guint64 max_bytes;

  g_return_val_if_fail (HS_IS_RING_BUFFER (self), 0);

  g_mutex_lock (&self->lock);
  max_bytes = self->max_bytes;
  g_mutex_unlock (&self->lock);
  return max_bytes;
}

/**
 * hs_ring_buffer_set_max_bytes:
 * @self: a ring
 * @max_bytes: bytes to keep at most, 0 for no bound
 *
 * Sets #HsRingBuffer:max-bytes.
 *
 * Since: 0.1
 */
void
hs_ring_buffer_set_max_bytes (HsRingBuffer *self, guint64 max_bytes)
{
  gboolean changed;

  g_return_if_fail (HS_IS_RING_BUFFER (self));

  g_mutex_lock (&self->lock);
  changed = self->max_bytes != max_bytes;
  self->max_bytes = max_bytes;
  self->warned_trim = FALSE;
  evict (self);
  g_mutex_unlock (&self->lock);

  if (changed)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_MAX_BYTES]);
}

/**
 * hs_ring_buffer_get_n_samples:
 * @self: a ring
 *
 * Returns: the number of frames held
 *
 * Since: 0.1
 */
guint
hs_ring_buffer_get_n_samples (HsRingBuffer *self)
{
  guint len;

  g_return_val_if_fail (HS_IS_RING_BUFFER (self), 0);

  g_mutex_lock (&self->lock);
  len = self->len;
  g_mutex_unlock (&self->lock);
  return len;
}

/**
 * hs_ring_buffer_get_n_bytes:
 * @self: a ring
 *
 * Returns: the bytes of the frames held
 *
 * Since: 0.1
 */
guint64
hs_ring_buffer_get_n_bytes (HsRingBuffer *self)
{
  guint64 n_bytes;

  g_return_val_if_fail (HS_IS_RING_BUFFER (self), 0);

  g_mutex_lock (&self->lock);
  n_bytes = self->n_bytes;
  g_mutex_unlock (&self->lock);
  return n_bytes;
}

static GstClockTime
time_at (HsRingBuffer *self, gboolean newest)
{
  GstClockTime time = GST_CLOCK_TIME_NONE;

  g_mutex_lock (&self->lock);
  if (self->len > 0)
    time = entry_at (self, newest ? self->len - 1 : 0)->time;
  g_mutex_unlock (&self->lock);
  return time;
}

/**
 * hs_ring_buffer_get_oldest:
 * @self: a ring
 *
 * Returns: the running time of the oldest frame held, or
 *   %GST_CLOCK_TIME_NONE when empty
 *
 * Since: 0.1
 */
GstClockTime
hs_ring_buffer_get_oldest (HsRingBuffer *self)
{
  g_return_val_if_fail (HS_IS_RING_BUFFER (self), GST_CLOCK_TIME_NONE);
  return time_at (self, FALSE);
}

/**
 * hs_ring_buffer_get_newest:
 * @self: a ring
 *
 * Returns: the running time of the newest frame held, or
 *   %GST_CLOCK_TIME_NONE when empty
 *
 * Since: 0.1
 */
GstClockTime
hs_ring_buffer_get_newest (HsRingBuffer *self)
{
  g_return_val_if_fail (HS_IS_RING_BUFFER (self), GST_CLOCK_TIME_NONE);
  return time_at (self, TRUE);
}

/**
 * hs_ring_buffer_get_samples:
 * @self: a ring
 * @start: first running time, included
 * @end: last running time, excluded; %GST_CLOCK_TIME_NONE for no end
 *
 * Returns the frames held whose running time lies in [@start, @end), oldest
 * first. The ring keeps its own references.
 *
 * Returns: (transfer full) (element-type Gst.Sample): the samples
 *
 * Since: 0.1
 */
GPtrArray *
hs_ring_buffer_get_samples (HsRingBuffer *self,
                            GstClockTime  start,
                            GstClockTime  end)
{
  GPtrArray *samples;

  g_return_val_if_fail (HS_IS_RING_BUFFER (self), NULL);

  samples = g_ptr_array_new_with_free_func ((GDestroyNotify) gst_sample_unref);
  g_mutex_lock (&self->lock);
  for (guint i = 0; i < self->len; i++) {
    HsRingEntry *e = entry_at (self, i);

    if (e->time >= start && (end == GST_CLOCK_TIME_NONE || e->time < end))
      g_ptr_array_add (samples, gst_sample_ref (e->sample));
  }
  g_mutex_unlock (&self->lock);
  return samples;
}

void
hs_ring_buffer_set_hold (HsRingBuffer *self, guint64 seq, GstClockTime time)
{
  g_mutex_lock (&self->lock);
  self->hold_seq = seq;
  self->hold_time = time == GST_CLOCK_TIME_NONE ? 0 : time;
  evict (self);
  g_mutex_unlock (&self->lock);
}

gboolean
hs_ring_buffer_next (HsRingBuffer *self,
                     guint64      *cursor,
                     GstClockTime  min_time,
                     HsRingEntry  *out)
{
  gboolean found = FALSE;

  g_mutex_lock (&self->lock);
  if (self->len > 0) {
    guint64 first_seq = entry_at (self, 0)->seq;
    guint64 i = *cursor > first_seq ? *cursor - first_seq : 0;

    for (; i < self->len; i++) {
      HsRingEntry *e = entry_at (self, i);

      if (min_time != GST_CLOCK_TIME_NONE && e->time < min_time)
        continue;
      *out = *e;
      out->sample = gst_sample_ref (e->sample);
      *cursor = e->seq + 1;
      found = TRUE;
      break;
    }
    if (!found && self->len > 0)
      *cursor = MAX (*cursor, entry_at (self, self->len - 1)->seq + 1);
  }
  g_mutex_unlock (&self->lock);
  return found;
}

guint64
hs_ring_buffer_get_next_seq (HsRingBuffer *self)
{
  guint64 seq;

  g_mutex_lock (&self->lock);
  seq = self->next_seq;
  g_mutex_unlock (&self->lock);
  return seq;
}

guint64
hs_ring_buffer_get_n_trimmed (HsRingBuffer *self)
{
  guint64 n;

  g_mutex_lock (&self->lock);
  n = self->n_trimmed;
  g_mutex_unlock (&self->lock);
  return n;
}

guint64
hs_ring_buffer_find_keyframe (HsRingBuffer *self, guint64 cursor,
                              GstClockTime time)
{
  guint64 found = G_MAXUINT64;

  g_mutex_lock (&self->lock);
  for (guint i = 0; i < n_keyframes (self); i++) {
    guint64 seq = keyframe_seq (self, i);
    HsRingEntry *e;

    if (seq < cursor || self->len == 0 || seq < entry_at (self, 0)->seq)
      continue;
    e = entry_at (self, seq - entry_at (self, 0)->seq);
    if (found == G_MAXUINT64 || e->time <= time)
      found = seq;
    if (e->time >= time)
      break;
  }
  g_mutex_unlock (&self->lock);
  return found;
}

GstCaps *
hs_ring_buffer_dup_newest_caps (HsRingBuffer *self)
{
  GstCaps *caps = NULL;

  g_mutex_lock (&self->lock);
  if (self->len > 0)
    caps = gst_sample_get_caps (entry_at (self, self->len - 1)->sample);
  if (caps != NULL)
    gst_caps_ref (caps);
  g_mutex_unlock (&self->lock);
  return caps;
}
