/* HsRingBuffer: eviction by running time and by bytes, holds, the consumer
 * cursor, segments, references instead of copies, and concurrent pushes.
 * Every case compares the ring with a small model of what it must hold.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <gst/gst.h>

#include "hs-ring-buffer-private.h"

#define MS (GST_MSECOND)
#define FRAME(k) ((GstClockTime) gst_util_uint64_scale ((k), GST_SECOND, 30))

/* ------------------------------------------------------------------------ */
/* Samples                                                                  */

static GstSegment *
time_segment (void)
{
  GstSegment *segment = gst_segment_new ();

  gst_segment_init (segment, GST_FORMAT_TIME);
  return segment;
}

/* A sample of @size bytes at @pts; @offset tags it so that a reader can
 * tell frames apart. */
static GstSample *
make_sample_full (GstClockTime pts, gsize size, guint64 offset,
                  const GstSegment *segment, GstCaps *caps)
{
  GstBuffer *buffer = gst_buffer_new_allocate (NULL, size, NULL);
  GstSample *sample;

  GST_BUFFER_PTS (buffer) = pts;
  GST_BUFFER_DURATION (buffer) = 10 * MS;
  GST_BUFFER_OFFSET (buffer) = offset;
  sample = gst_sample_new (buffer, caps, segment, NULL);
  gst_buffer_unref (buffer);
  return sample;
}

static GstSample *
make_sample (GstClockTime pts, gsize size)
{
  g_autoptr(GstSegment) segment = time_segment ();

  return make_sample_full (pts, size, 0, segment, NULL);
}

static void
push (HsRingBuffer *ring, GstClockTime pts, gsize size)
{
  g_autoptr(GstSample) sample = make_sample (pts, size);

  hs_ring_buffer_push (ring, sample);
}

static GstClockTime
sample_pts (GstSample *sample)
{
  return GST_BUFFER_PTS (gst_sample_get_buffer (sample));
}

static gint
refcount (gpointer mini_object)
{
  return GST_MINI_OBJECT_REFCOUNT_VALUE (mini_object);
}

/* ------------------------------------------------------------------------ */
/* The model: what the ring must hold after each push                       */

typedef struct {
  GstClockTime time;
  gsize size;
  guint64 seq;
} ModelFrame;

typedef struct {
  GArray *frames;               /* ModelFrame, oldest first */
  GstClockTime window;
  guint64 max_bytes;
  guint64 hold_seq;
  GstClockTime hold_time;
  guint64 next_seq;
  guint64 n_trimmed;
} Model;

static void
model_init (Model *m, GstClockTime window, guint64 max_bytes)
{
  m->frames = g_array_new (FALSE, FALSE, sizeof (ModelFrame));
  m->window = window;
  m->max_bytes = max_bytes;
  m->hold_seq = G_MAXUINT64;
  m->hold_time = 0;
  m->next_seq = 0;
  m->n_trimmed = 0;
}

static void
model_clear (Model *m)
{
  g_clear_pointer (&m->frames, g_array_unref);
}

static guint64
model_bytes (Model *m)
{
  guint64 n = 0;

  for (guint i = 0; i < m->frames->len; i++)
    n += g_array_index (m->frames, ModelFrame, i).size;
  return n;
}

/* The contract: drop the oldest frame while it is more than the window older
 * than the newest or the frames exceed max-bytes, but never the last frame
 * and never a held one. */
static void
model_evict (Model *m)
{
  while (m->frames->len > 1) {
    ModelFrame *oldest = &g_array_index (m->frames, ModelFrame, 0);
    GstClockTime newest =
        g_array_index (m->frames, ModelFrame, m->frames->len - 1).time;
    gboolean too_old = m->window != GST_CLOCK_TIME_NONE &&
        oldest->time + m->window < newest;
    gboolean too_big = m->max_bytes > 0 && model_bytes (m) > m->max_bytes;

    if (!too_old && !too_big)
      break;
    if (oldest->seq >= m->hold_seq && oldest->time >= m->hold_time)
      break;
    if (!too_old)
      m->n_trimmed++;
    g_array_remove_index (m->frames, 0);
  }
}

static void
model_push (Model *m, GstClockTime time, gsize size)
{
  ModelFrame f = { time, size, m->next_seq++ };

  g_array_append_val (m->frames, f);
  model_evict (m);
}

static void
assert_ring_is_model (HsRingBuffer *ring, Model *m)
{
  g_autoptr(GPtrArray) samples =
      hs_ring_buffer_get_samples (ring, 0, GST_CLOCK_TIME_NONE);

  g_assert_cmpuint (hs_ring_buffer_get_n_samples (ring), ==, m->frames->len);
  g_assert_cmpuint (hs_ring_buffer_get_n_bytes (ring), ==, model_bytes (m));
  g_assert_cmpuint (hs_ring_buffer_get_next_seq (ring), ==, m->next_seq);
  g_assert_cmpuint (hs_ring_buffer_get_n_trimmed (ring), ==, m->n_trimmed);
  g_assert_cmpuint (samples->len, ==, m->frames->len);
  for (guint i = 0; i < samples->len; i++)
    g_assert_cmpuint (sample_pts (samples->pdata[i]), ==,
        g_array_index (m->frames, ModelFrame, i).time);
  if (m->frames->len > 0) {
    g_assert_cmpuint (hs_ring_buffer_get_oldest (ring), ==,
        g_array_index (m->frames, ModelFrame, 0).time);
    g_assert_cmpuint (hs_ring_buffer_get_newest (ring), ==,
        g_array_index (m->frames, ModelFrame, m->frames->len - 1).time);
  } else {
    g_assert_cmpuint (hs_ring_buffer_get_oldest (ring), ==,
        GST_CLOCK_TIME_NONE);
    g_assert_cmpuint (hs_ring_buffer_get_newest (ring), ==,
        GST_CLOCK_TIME_NONE);
  }
}

/* ------------------------------------------------------------------------ */
/* Eviction by running time                                                 */

typedef struct {
  const char *name;
  const char *caps;             /* what the caps claim, never used to count */
  GstClockTime window;
  guint n_frames;
  GstClockTime (*time) (guint k);
  guint n_held_at_end;          /* what a reader would see at the end */
} TimeCase;

static GstClockTime
regular_30fps (guint k)
{
  return FRAME (k);
}

/* 10 frames per second while the caps say 30/1: the ring must not count
 * frames from the nominal framerate. */
static GstClockTime
slower_than_caps (guint k)
{
  return k * 100 * MS;
}

/* Gaps of 1 ms to 400 ms from a fixed seed. */
static GstClockTime
variable (guint k)
{
  static GstClockTime times[400];
  static gsize done;

  if (g_once_init_enter (&done)) {
    GRand *rand = g_rand_new_with_seed (20240305);
    GstClockTime t = 0;

    for (guint i = 0; i < G_N_ELEMENTS (times); i++) {
      times[i] = t;
      t += g_rand_int_range (rand, 1, 401) * MS;
    }
    g_rand_free (rand);
    g_once_init_leave (&done, 1);
  }
  g_assert_cmpuint (k, <, G_N_ELEMENTS (times));
  return times[k];
}

/* framerate=0/1: frames come when something changes. */
static GstClockTime
sparse (guint k)
{
  static const guint ms[] = { 0, 900, 1000, 1050, 3000, 3010, 3020, 3999,
    4000, 4001, 9000, 9500, 9999, 10000, 10001, 20000 };

  return ms[k] * MS;
}

/* Several frames with the same running time, then a jump. */
static GstClockTime
bursts (guint k)
{
  return (k / 5) * 400 * MS;
}

static const TimeCase time_cases[] = {
  /* [t - 1 s, t]: the frame exactly one window old stays. */
  { "regular-30fps", "video/x-raw,framerate=30/1", GST_SECOND, 300,
    regular_30fps, 31 },
  { "slower-than-caps", "video/x-raw,framerate=30/1", GST_SECOND, 100,
    slower_than_caps, 11 },
  { "variable", "video/x-raw,framerate=30/1", 2 * GST_SECOND, 400, variable,
    0 },
  /* 20 s: only 20 s itself; 10.001 s is 9.999 s older than it */
  { "zero-framerate", "video/x-raw,framerate=0/1", GST_SECOND, 16, sparse, 1 },
  { "bursts", "video/x-raw,framerate=0/1", 400 * MS, 100, bursts, 10 },
  { "no-window", "video/x-raw,framerate=0/1", GST_CLOCK_TIME_NONE, 100,
    slower_than_caps, 100 },
};

static void
test_evict_by_time (gconstpointer data)
{
  const TimeCase *tc = data;
  g_autoptr(HsRingBuffer) ring = hs_ring_buffer_new (tc->window, 0);
  g_autoptr(GstSegment) segment = time_segment ();
  g_autoptr(GstCaps) caps = gst_caps_from_string (tc->caps);
  Model m;

  model_init (&m, tc->window, 0);
  for (guint k = 0; k < tc->n_frames; k++) {
    g_autoptr(GstSample) sample =
        make_sample_full (tc->time (k), 100, k, segment, caps);

    hs_ring_buffer_push (ring, sample);
    model_push (&m, tc->time (k), 100);
    assert_ring_is_model (ring, &m);
    /* Never older than the window, whatever the spacing. */
    if (tc->window != GST_CLOCK_TIME_NONE)
      g_assert_cmpuint (hs_ring_buffer_get_oldest (ring) + tc->window, >=,
          tc->time (k));
  }
  if (tc->n_held_at_end > 0)
    g_assert_cmpuint (hs_ring_buffer_get_n_samples (ring), ==,
        tc->n_held_at_end);
  model_clear (&m);
}

static void
count_notify (GObject *object, GParamSpec *pspec, gpointer user_data)
{
  guint *n = user_data;

  (*n)++;
}

static void
test_evict_set_window (void)
{
  g_autoptr(HsRingBuffer) ring = hs_ring_buffer_new (GST_SECOND, 0);
  guint notified = 0;
  GstClockTime window = 0;

  g_signal_connect (ring, "notify::window", G_CALLBACK (count_notify),
      &notified);
  for (guint k = 0; k < 10; k++)
    push (ring, k * 100 * MS, 10);
  g_assert_cmpuint (hs_ring_buffer_get_n_samples (ring), ==, 10);

  /* A shorter window applies with the next frame, not before. */
  hs_ring_buffer_set_window (ring, 250 * MS);
  hs_ring_buffer_set_window (ring, 250 * MS);
  g_assert_cmpuint (notified, ==, 1);
  g_object_get (ring, "window", &window, NULL);
  g_assert_cmpuint (window, ==, 250 * MS);
  g_assert_cmpuint (hs_ring_buffer_get_n_samples (ring), ==, 10);
  push (ring, 1000 * MS, 10);
  /* [0.75 s, 1 s]: 0.8, 0.9, 1.0 */
  g_assert_cmpuint (hs_ring_buffer_get_n_samples (ring), ==, 3);
  g_assert_cmpuint (hs_ring_buffer_get_oldest (ring), ==, 800 * MS);
}

/* ------------------------------------------------------------------------ */
/* Eviction by bytes                                                        */

static void
test_max_bytes_trims (void)
{
  g_autoptr(HsRingBuffer) ring = hs_ring_buffer_new (10 * GST_SECOND, 10000);
  Model m;

  /* 1000-byte frames at 30 fps: the 10 s window would hold 300 frames,
   * max-bytes lets 10 stay, and the time the ring spans shrinks to 9
   * frame intervals. */
  model_init (&m, 10 * GST_SECOND, 10000);
  for (guint k = 0; k < 40; k++) {
    push (ring, FRAME (k), 1000);
    model_push (&m, FRAME (k), 1000);
    assert_ring_is_model (ring, &m);
    g_assert_cmpuint (hs_ring_buffer_get_n_bytes (ring), <=, 10000);
  }
  g_assert_cmpuint (hs_ring_buffer_get_n_samples (ring), ==, 10);
  g_assert_cmpuint (hs_ring_buffer_get_n_bytes (ring), ==, 10000);
  g_assert_cmpuint (hs_ring_buffer_get_oldest (ring), ==, FRAME (30));
  g_assert_cmpuint (hs_ring_buffer_get_n_trimmed (ring), ==, 30);
  model_clear (&m);
}

static void
test_max_bytes_variable_sizes (void)
{
  g_autoptr(HsRingBuffer) ring = hs_ring_buffer_new (GST_SECOND, 50000);
  GRand *rand = g_rand_new_with_seed (7);
  Model m;

  /* Either bound may bite; the model says which. */
  model_init (&m, GST_SECOND, 50000);
  for (guint k = 0; k < 600; k++) {
    /* small frames first (the window bites), then bigger ones with a
     * keyframe every second (max-bytes bites) */
    gsize size = k < 300 ? (gsize) g_rand_int_range (rand, 100, 1500) :
        k % 30 == 0 ? 20000 : (gsize) g_rand_int_range (rand, 100, 3000);

    push (ring, FRAME (k), size);
    model_push (&m, FRAME (k), size);
    assert_ring_is_model (ring, &m);
    g_assert_cmpuint (hs_ring_buffer_get_n_bytes (ring), <=, 50000);
  }
  /* Both bounds did some of the work. */
  g_assert_cmpuint (m.n_trimmed, >, 0);
  g_assert_cmpuint (m.n_trimmed, <, 600 - m.frames->len);
  g_rand_free (rand);
  model_clear (&m);
}

static void
test_max_bytes_huge_frame (void)
{
  g_autoptr(HsRingBuffer) ring = hs_ring_buffer_new (GST_SECOND, 1000);

  /* A frame larger than the bound is still held: the newest frame always
   * is, or the ring could never record anything. */
  push (ring, 0, 400);
  push (ring, 40 * MS, 400);
  push (ring, 80 * MS, 5000);
  g_assert_cmpuint (hs_ring_buffer_get_n_samples (ring), ==, 1);
  g_assert_cmpuint (hs_ring_buffer_get_n_bytes (ring), ==, 5000);
  g_assert_cmpuint (hs_ring_buffer_get_oldest (ring), ==, 80 * MS);
  push (ring, 120 * MS, 400);
  g_assert_cmpuint (hs_ring_buffer_get_n_samples (ring), ==, 1);
  g_assert_cmpuint (hs_ring_buffer_get_oldest (ring), ==, 120 * MS);
}

static void
test_max_bytes_lowered (void)
{
  g_autoptr(HsRingBuffer) ring = hs_ring_buffer_new (GST_CLOCK_TIME_NONE, 0);
  guint notified = 0;
  guint64 max_bytes = 0, n_bytes = 0;
  guint n_samples = 0;

  g_signal_connect (ring, "notify::max-bytes", G_CALLBACK (count_notify),
      &notified);
  for (guint k = 0; k < 20; k++)
    push (ring, FRAME (k), 100);
  g_assert_cmpuint (hs_ring_buffer_get_n_bytes (ring), ==, 2000);

  /* Lowering the bound trims at once, not with the next frame. */
  g_object_set (ring, "max-bytes", (guint64) 550, NULL);
  g_assert_cmpuint (notified, ==, 1);
  g_object_get (ring, "max-bytes", &max_bytes, "n-bytes", &n_bytes,
      "n-samples", &n_samples, NULL);
  g_assert_cmpuint (max_bytes, ==, 550);
  g_assert_cmpuint (n_bytes, ==, 500);
  g_assert_cmpuint (n_samples, ==, 5);
  g_assert_cmpuint (hs_ring_buffer_get_oldest (ring), ==, FRAME (15));
  g_assert_cmpuint (hs_ring_buffer_get_n_trimmed (ring), ==, 15);

  /* 0 lifts the bound. */
  hs_ring_buffer_set_max_bytes (ring, 0);
  for (guint k = 20; k < 40; k++)
    push (ring, FRAME (k), 100);
  g_assert_cmpuint (hs_ring_buffer_get_n_samples (ring), ==, 25);
}

/* ------------------------------------------------------------------------ */
/* Holds                                                                    */

static void
test_hold_window (void)
{
  g_autoptr(HsRingBuffer) ring = hs_ring_buffer_new (GST_SECOND, 0);

  /* A recording that needs seq 5 on: nothing from there is evicted, however
   * old it gets. */
  for (guint k = 0; k < 5; k++)
    push (ring, k * 100 * MS, 10);
  hs_ring_buffer_set_hold (ring, 5, 0);
  for (guint k = 5; k < 40; k++)
    push (ring, k * 100 * MS, 10);
  g_assert_cmpuint (hs_ring_buffer_get_oldest (ring), ==, 500 * MS);
  g_assert_cmpuint (hs_ring_buffer_get_n_samples (ring), ==, 35);

  /* Released: the window applies again at once, [2.9 s, 3.9 s]. */
  hs_ring_buffer_set_hold (ring, G_MAXUINT64, 0);
  g_assert_cmpuint (hs_ring_buffer_get_n_samples (ring), ==, 11);
  g_assert_cmpuint (hs_ring_buffer_get_oldest (ring), ==, 2900 * MS);
}

static void
test_hold_time (void)
{
  g_autoptr(HsRingBuffer) ring = hs_ring_buffer_new (GST_SECOND, 0);

  /* A pending trigger whose window starts at 1.5 s: frames before it go as
   * usual, frames from 1.5 s on stay. */
  hs_ring_buffer_set_hold (ring, 0, 1500 * MS);
  for (guint k = 0; k < 40; k++)
    push (ring, k * 100 * MS, 10);
  g_assert_cmpuint (hs_ring_buffer_get_oldest (ring), ==, 1500 * MS);
  g_assert_cmpuint (hs_ring_buffer_get_n_samples (ring), ==, 25);

  /* GST_CLOCK_TIME_NONE as time means no time condition. */
  hs_ring_buffer_set_hold (ring, 30, GST_CLOCK_TIME_NONE);
  g_assert_cmpuint (hs_ring_buffer_get_oldest (ring), ==, 2900 * MS);
  g_assert_cmpuint (hs_ring_buffer_get_n_samples (ring), ==, 11);
}

static void
push_encoded (HsRingBuffer *ring, GstClockTime pts, gboolean keyframe)
{
  g_autoptr(GstSample) sample = make_sample (pts, 10);

  if (!keyframe)
    GST_BUFFER_FLAG_SET (gst_sample_get_buffer (sample),
        GST_BUFFER_FLAG_DELTA_UNIT);
  hs_ring_buffer_push (ring, sample);
}

static void
test_hold_keyframe (void)
{
  g_autoptr(HsRingBuffer) ring = hs_ring_buffer_new (GST_SECOND, 0);

  /* Whole GOPs of 1 s (keyframes at 0, 1, 2 s ...). A pending window that
   * starts at 1.95 s starts from the keyframe at 1 s, although no frame of
   * that GOP is as late as 1.95 s: it stays, the one before goes. */
  g_object_set (ring, "whole-gops", TRUE, NULL);
  hs_ring_buffer_set_hold (ring, 0, 1950 * MS);
  for (guint k = 0; k < 60; k++)
    push_encoded (ring, k * 100 * MS, k % 10 == 0);
  g_assert_cmpuint (hs_ring_buffer_get_oldest (ring), ==, GST_SECOND);

  /* Released: the window (1 s, and the keyframe at or before it) again. */
  hs_ring_buffer_set_hold (ring, G_MAXUINT64, 0);
  g_assert_cmpuint (hs_ring_buffer_get_oldest (ring), ==, 4 * GST_SECOND);
}

static void
test_hold_bytes (void)
{
  g_autoptr(HsRingBuffer) ring = hs_ring_buffer_new (GST_CLOCK_TIME_NONE,
      500);

  hs_ring_buffer_set_hold (ring, 3, 0);
  for (guint k = 0; k < 20; k++)
    push (ring, FRAME (k), 100);
  /* seq 0..2 went, 3..19 stay although they are three times the bound. */
  g_assert_cmpuint (hs_ring_buffer_get_n_samples (ring), ==, 17);
  g_assert_cmpuint (hs_ring_buffer_get_n_bytes (ring), ==, 1700);
  g_assert_cmpuint (hs_ring_buffer_get_oldest (ring), ==, FRAME (3));

  /* Moving the hold forward frees what is behind it. */
  hs_ring_buffer_set_hold (ring, 12, 0);
  g_assert_cmpuint (hs_ring_buffer_get_oldest (ring), ==, FRAME (12));
  hs_ring_buffer_set_hold (ring, G_MAXUINT64, 0);
  g_assert_cmpuint (hs_ring_buffer_get_n_samples (ring), ==, 5);
  g_assert_cmpuint (hs_ring_buffer_get_n_bytes (ring), ==, 500);
}

static void
test_hold_clear (void)
{
  g_autoptr(HsRingBuffer) ring = hs_ring_buffer_new (GST_CLOCK_TIME_NONE, 0);

  for (guint k = 0; k < 10; k++)
    push (ring, FRAME (k), 10);
  hs_ring_buffer_set_hold (ring, 6, 0);
  hs_ring_buffer_clear (ring);
  g_assert_cmpuint (hs_ring_buffer_get_n_samples (ring), ==, 4);
  g_assert_cmpuint (hs_ring_buffer_get_oldest (ring), ==, FRAME (6));

  hs_ring_buffer_set_hold (ring, G_MAXUINT64, 0);
  hs_ring_buffer_clear (ring);
  g_assert_cmpuint (hs_ring_buffer_get_n_samples (ring), ==, 0);
  g_assert_cmpuint (hs_ring_buffer_get_n_bytes (ring), ==, 0);
  g_assert_cmpuint (hs_ring_buffer_get_oldest (ring), ==, GST_CLOCK_TIME_NONE);
  /* Numbering goes on after a clear: a cursor never sees a seq twice. */
  g_assert_cmpuint (hs_ring_buffer_get_next_seq (ring), ==, 10);
}

/* Random operations against the model: pushes of random sizes and spacing,
 * holds set, moved and released, bounds changed. */
static void
test_hold_model (void)
{
  GRand *rand = g_rand_new_with_seed (42);
  g_autoptr(HsRingBuffer) ring = hs_ring_buffer_new (GST_SECOND, 20000);
  GstClockTime t = 0;
  Model m;

  model_init (&m, GST_SECOND, 20000);
  for (guint step = 0; step < 3000; step++) {
    guint op = g_rand_int_range (rand, 0, 100);

    if (op < 85) {
      gsize size = g_rand_int_range (rand, 1, 4000);

      t += g_rand_int_range (rand, 0, 120) * MS;
      push (ring, t, size);
      model_push (&m, t, size);
    } else if (op < 93) {
      guint64 seq = m.next_seq - MIN (m.next_seq,
          (guint64) g_rand_int_range (rand, 0, 40));
      GstClockTime time = g_rand_boolean (rand) ? 0 :
          t - MIN (t, (GstClockTime) g_rand_int_range (rand, 0, 2000) * MS);

      hs_ring_buffer_set_hold (ring, seq, time);
      m.hold_seq = seq;
      m.hold_time = time;
      model_evict (&m);
    } else if (op < 97) {
      hs_ring_buffer_set_hold (ring, G_MAXUINT64, 0);
      m.hold_seq = G_MAXUINT64;
      m.hold_time = 0;
      model_evict (&m);
    } else {
      guint64 max_bytes = g_rand_int_range (rand, 0, 40000);

      hs_ring_buffer_set_max_bytes (ring, max_bytes);
      m.max_bytes = max_bytes;
      model_evict (&m);
    }
    assert_ring_is_model (ring, &m);
  }
  g_rand_free (rand);
  model_clear (&m);
}

/* ------------------------------------------------------------------------ */
/* The consumer cursor                                                      */

static void
test_next_in_order (void)
{
  g_autoptr(HsRingBuffer) ring = hs_ring_buffer_new (GST_CLOCK_TIME_NONE, 0);
  g_autoptr(GPtrArray) pushed =
      g_ptr_array_new_with_free_func ((GDestroyNotify) gst_sample_unref);
  guint64 cursor = 0;
  HsRingEntry e = { 0 };

  /* Empty: nothing, and the cursor stays. */
  g_assert_false (hs_ring_buffer_next (ring, &cursor, GST_CLOCK_TIME_NONE,
          &e));
  g_assert_cmpuint (cursor, ==, 0);
  g_assert_null (e.sample);

  for (guint k = 0; k < 5; k++) {
    g_ptr_array_add (pushed, make_sample (k * 100 * MS, 10 + k));
    hs_ring_buffer_push (ring, pushed->pdata[k]);
  }
  for (guint k = 0; k < 5; k++) {
    g_auto(HsRingEntry) entry = { 0 };

    g_assert_true (hs_ring_buffer_next (ring, &cursor, GST_CLOCK_TIME_NONE,
            &entry));
    g_assert_true (entry.sample == pushed->pdata[k]);
    g_assert_cmpuint (entry.seq, ==, k);
    g_assert_cmpuint (entry.time, ==, k * 100 * MS);
    g_assert_cmpuint (entry.duration, ==, 10 * MS);
    g_assert_cmpuint (entry.size, ==, 10 + k);
    g_assert_cmpuint (cursor, ==, k + 1);
  }
  /* Caught up: FALSE, the cursor waits for the next frame. */
  g_assert_false (hs_ring_buffer_next (ring, &cursor, GST_CLOCK_TIME_NONE,
          &e));
  g_assert_cmpuint (cursor, ==, hs_ring_buffer_get_next_seq (ring));

  push (ring, 500 * MS, 10);
  {
    g_auto(HsRingEntry) entry = { 0 };

    g_assert_true (hs_ring_buffer_next (ring, &cursor, GST_CLOCK_TIME_NONE,
            &entry));
    g_assert_cmpuint (entry.seq, ==, 5);
    g_assert_cmpuint (entry.time, ==, 500 * MS);
  }
}

static void
test_next_min_time (void)
{
  g_autoptr(HsRingBuffer) ring = hs_ring_buffer_new (GST_CLOCK_TIME_NONE, 0);
  guint64 cursor = 0;

  for (guint k = 0; k < 10; k++)
    push (ring, k * 100 * MS, 10);

  /* Frames before min_time are skipped; the frame at it is taken. */
  {
    g_auto(HsRingEntry) entry = { 0 };

    g_assert_true (hs_ring_buffer_next (ring, &cursor, 450 * MS, &entry));
    g_assert_cmpuint (entry.time, ==, 500 * MS);
    g_assert_cmpuint (entry.seq, ==, 5);
    g_assert_cmpuint (cursor, ==, 6);
  }
  {
    g_auto(HsRingEntry) entry = { 0 };

    g_assert_true (hs_ring_buffer_next (ring, &cursor, 600 * MS, &entry));
    g_assert_cmpuint (entry.time, ==, 600 * MS);
  }

  /* Nothing that late yet: FALSE, and the cursor passes what was looked at
   * so that those frames are not examined again. */
  {
    g_auto(HsRingEntry) entry = { 0 };

    g_assert_false (hs_ring_buffer_next (ring, &cursor, 2 * GST_SECOND,
            &entry));
    g_assert_cmpuint (cursor, ==, 10);
    push (ring, 1500 * MS, 10);
    push (ring, 2 * GST_SECOND, 10);
    g_assert_true (hs_ring_buffer_next (ring, &cursor, 2 * GST_SECOND,
            &entry));
    g_assert_cmpuint (entry.seq, ==, 11);
    g_assert_cmpuint (entry.time, ==, 2 * GST_SECOND);
  }
}

static void
test_next_after_eviction (void)
{
  g_autoptr(HsRingBuffer) ring = hs_ring_buffer_new (300 * MS, 0);
  guint64 cursor = 2;
  g_auto(HsRingEntry) entry = { 0 };

  /* The reader's next frame (seq 2) was evicted: it resumes with the oldest
   * frame still held, not with garbage and not at the end. */
  for (guint k = 0; k < 10; k++)
    push (ring, k * 100 * MS, 10);
  g_assert_cmpuint (hs_ring_buffer_get_oldest (ring), ==, 600 * MS);
  g_assert_true (hs_ring_buffer_next (ring, &cursor, GST_CLOCK_TIME_NONE,
          &entry));
  g_assert_cmpuint (entry.seq, ==, 6);
  g_assert_cmpuint (entry.time, ==, 600 * MS);
  g_assert_cmpuint (cursor, ==, 7);

  /* A cursor inside the ring is exact. */
  hs_ring_entry_clear (&entry);
  cursor = 8;
  g_assert_true (hs_ring_buffer_next (ring, &cursor, GST_CLOCK_TIME_NONE,
          &entry));
  g_assert_cmpuint (entry.seq, ==, 8);
}

/* ------------------------------------------------------------------------ */
/* Running time from the segment                                            */

typedef struct {
  const char *name;
  GstClockTime start;
  GstClockTime stop;
  GstClockTime base;
  GstClockTime offset;
  double rate;
  GstClockTime pts;
  GstClockTime running_time;
} SegmentCase;

static const SegmentCase segment_cases[] = {
  { "plain", 0, GST_CLOCK_TIME_NONE, 0, 0, 1.0, 2500 * MS, 2500 * MS },
  { "start", 10 * GST_SECOND, GST_CLOCK_TIME_NONE, 0, 0, 1.0,
    10500 * MS, 500 * MS },
  { "base", 0, GST_CLOCK_TIME_NONE, 3 * GST_SECOND, 0, 1.0, 500 * MS,
    3500 * MS },
  { "start-and-base", 10 * GST_SECOND, GST_CLOCK_TIME_NONE, 2 * GST_SECOND,
    0, 1.0, 10500 * MS, 2500 * MS },
  { "offset", 10 * GST_SECOND, GST_CLOCK_TIME_NONE, 0, GST_SECOND, 1.0,
    12 * GST_SECOND, GST_SECOND },
  { "rate-2", 0, GST_CLOCK_TIME_NONE, 0, 0, 2.0, 4 * GST_SECOND,
    2 * GST_SECOND },
  { "reverse", 0, 10 * GST_SECOND, 0, 0, -1.0, 7 * GST_SECOND,
    3 * GST_SECOND },
};

static void
init_segment (GstSegment *segment, const SegmentCase *sc)
{
  gst_segment_init (segment, GST_FORMAT_TIME);
  segment->start = sc->start;
  segment->stop = sc->stop;
  segment->time = sc->start;
  segment->position = sc->start;
  segment->base = sc->base;
  segment->offset = sc->offset;
  segment->rate = sc->rate;
}

static void
test_segment_running_time (gconstpointer data)
{
  const SegmentCase *sc = data;
  g_autoptr(HsRingBuffer) ring = hs_ring_buffer_new (GST_SECOND, 0);
  GstSegment segment;
  g_autoptr(GstSample) sample = NULL;
  g_autoptr(GPtrArray) hit = NULL;
  g_autoptr(GPtrArray) miss = NULL;
  g_auto(HsRingEntry) entry = { 0 };
  guint64 cursor = 0;

  init_segment (&segment, sc);
  sample = make_sample_full (sc->pts, 10, 0, &segment, NULL);
  hs_ring_buffer_push (ring, sample);

  g_assert_cmpuint (hs_ring_buffer_get_n_samples (ring), ==, 1);
  g_assert_cmpuint (hs_ring_buffer_get_oldest (ring), ==, sc->running_time);
  g_assert_true (hs_ring_buffer_next (ring, &cursor, GST_CLOCK_TIME_NONE,
          &entry));
  g_assert_cmpuint (entry.time, ==, sc->running_time);
  /* Ranges are in running time too. */
  hit = hs_ring_buffer_get_samples (ring, sc->running_time,
      sc->running_time + 1);
  g_assert_cmpuint (hit->len, ==, 1);
  if (sc->running_time != sc->pts) {
    miss = hs_ring_buffer_get_samples (ring, sc->pts, sc->pts + 1);
    g_assert_cmpuint (miss->len, ==, 0);
  }
}

static void
test_segment_evicts_by_running_time (void)
{
  g_autoptr(HsRingBuffer) ring = hs_ring_buffer_new (GST_SECOND, 0);
  GstSegment first, second;

  /* A source that starts a new segment (a seek, a new file) restarts its
   * PTS at 0 while running time goes on: PTS says the new frames are older,
   * running time says they are newer, and running time wins. */
  gst_segment_init (&first, GST_FORMAT_TIME);
  gst_segment_init (&second, GST_FORMAT_TIME);
  second.base = 5 * GST_SECOND;
  for (guint k = 0; k < 10; k++) {
    g_autoptr(GstSample) s = make_sample_full (k * 500 * MS, 10, k, &first,
        NULL);

    hs_ring_buffer_push (ring, s);
  }
  g_assert_cmpuint (hs_ring_buffer_get_n_samples (ring), ==, 3);
  for (guint k = 0; k < 2; k++) {
    g_autoptr(GstSample) s = make_sample_full (k * 500 * MS, 10, 10 + k,
        &second, NULL);

    hs_ring_buffer_push (ring, s);
  }
  /* 4.5 s (PTS 4.5 s) and 5.0 s, 5.5 s (PTS 0, 0.5 s) */
  g_assert_cmpuint (hs_ring_buffer_get_n_samples (ring), ==, 3);
  g_assert_cmpuint (hs_ring_buffer_get_oldest (ring), ==, 4500 * MS);
  g_assert_cmpuint (hs_ring_buffer_get_newest (ring), ==, 5500 * MS);
}

static void
test_segment_default (void)
{
  g_autoptr(HsRingBuffer) ring = hs_ring_buffer_new (GST_SECOND, 0);
  g_autoptr(GstSample) sample = make_sample_full (1500 * MS, 10, 0, NULL,
      NULL);

  /* A sample made without a segment gets GStreamer's default TIME segment:
   * running time is the PTS. */
  hs_ring_buffer_push (ring, sample);
  g_assert_cmpuint (hs_ring_buffer_get_n_samples (ring), ==, 1);
  g_assert_cmpuint (hs_ring_buffer_get_oldest (ring), ==, 1500 * MS);
}

/* ------------------------------------------------------------------------ */
/* Samples that cannot be placed on the timeline                            */

typedef enum {
  NO_BUFFER,
  NO_PTS,
  UNDEFINED_SEGMENT,
  BYTES_SEGMENT,
  BEFORE_SEGMENT,
  AFTER_SEGMENT,
} Unplaceable;

static GstSample *
make_unplaceable (Unplaceable kind)
{
  GstSegment segment;

  gst_segment_init (&segment, GST_FORMAT_TIME);
  switch (kind) {
    case NO_BUFFER:
      return gst_sample_new (NULL, NULL, &segment, NULL);
    case NO_PTS:
      return make_sample_full (GST_CLOCK_TIME_NONE, 10, 0, &segment, NULL);
    case UNDEFINED_SEGMENT:
      gst_segment_init (&segment, GST_FORMAT_UNDEFINED);
      return make_sample_full (GST_SECOND, 10, 0, &segment, NULL);
    case BYTES_SEGMENT:
      gst_segment_init (&segment, GST_FORMAT_BYTES);
      return make_sample_full (GST_SECOND, 10, 0, &segment, NULL);
    case BEFORE_SEGMENT:
      segment.start = 2 * GST_SECOND;
      return make_sample_full (GST_SECOND, 10, 0, &segment, NULL);
    case AFTER_SEGMENT:
      segment.stop = 2 * GST_SECOND;
      return make_sample_full (3 * GST_SECOND, 10, 0, &segment, NULL);
  }
  g_assert_not_reached ();
}

static void
test_ignored (gconstpointer data)
{
  Unplaceable kind = GPOINTER_TO_INT (data);
  g_autoptr(HsRingBuffer) ring = hs_ring_buffer_new (GST_SECOND, 0);
  g_autoptr(GstSample) bad = make_unplaceable (kind);
  guint64 cursor = 0;
  g_auto(HsRingEntry) entry = { 0 };

  push (ring, 500 * MS, 10);
  hs_ring_buffer_push (ring, bad);
  /* Not held, not numbered, and the ring goes on as before. */
  g_assert_cmpint (refcount (bad), ==, 1);
  g_assert_cmpuint (hs_ring_buffer_get_n_samples (ring), ==, 1);
  g_assert_cmpuint (hs_ring_buffer_get_n_bytes (ring), ==, 10);
  g_assert_cmpuint (hs_ring_buffer_get_next_seq (ring), ==, 1);
  push (ring, 600 * MS, 10);
  g_assert_true (hs_ring_buffer_next (ring, &cursor, GST_CLOCK_TIME_NONE,
          &entry));
  hs_ring_entry_clear (&entry);
  g_assert_true (hs_ring_buffer_next (ring, &cursor, GST_CLOCK_TIME_NONE,
          &entry));
  g_assert_cmpuint (entry.seq, ==, 1);
  g_assert_cmpuint (entry.time, ==, 600 * MS);
}

/* ------------------------------------------------------------------------ */
/* get_samples ranges                                                       */

typedef struct {
  const char *name;
  GstClockTime start;
  GstClockTime end;
  guint first;                  /* index of the first frame returned */
  guint n;
} RangeCase;

static const RangeCase range_cases[] = {
  { "all", 0, GST_CLOCK_TIME_NONE, 0, 10 },
  { "start-included-end-excluded", 300 * MS, 600 * MS, 3, 3 },
  { "between-frames", 350 * MS, 650 * MS, 4, 3 },
  { "one-nanosecond", 900 * MS, 900 * MS + 1, 9, 1 },
  { "empty-range", 500 * MS, 500 * MS, 0, 0 },
  { "after-newest", GST_SECOND, GST_CLOCK_TIME_NONE, 0, 0 },
  { "open-end", 700 * MS, GST_CLOCK_TIME_NONE, 7, 3 },
  { "reversed", 800 * MS, 200 * MS, 0, 0 },
};

static void
test_get_samples (gconstpointer data)
{
  const RangeCase *rc = data;
  g_autoptr(HsRingBuffer) ring = hs_ring_buffer_new (GST_CLOCK_TIME_NONE, 0);
  g_autoptr(GPtrArray) pushed =
      g_ptr_array_new_with_free_func ((GDestroyNotify) gst_sample_unref);
  g_autoptr(GPtrArray) got = NULL;

  for (guint k = 0; k < 10; k++) {
    g_ptr_array_add (pushed, make_sample (k * 100 * MS, 10));
    hs_ring_buffer_push (ring, pushed->pdata[k]);
  }
  got = hs_ring_buffer_get_samples (ring, rc->start, rc->end);
  g_assert_cmpuint (got->len, ==, rc->n);
  for (guint i = 0; i < got->len; i++)
    g_assert_true (got->pdata[i] == pushed->pdata[rc->first + i]);
}

/* ------------------------------------------------------------------------ */
/* References, not copies                                                   */

static void
test_zero_copy (void)
{
  g_autoptr(HsRingBuffer) ring = hs_ring_buffer_new (GST_SECOND, 0);
  g_autoptr(GstSample) sample = make_sample (0, 4096);
  GstBuffer *buffer = gst_sample_get_buffer (sample);
  GstMemory *memory = gst_buffer_peek_memory (buffer, 0);
  g_autoptr(GPtrArray) got = NULL;
  guint64 cursor = 0;

  g_assert_cmpint (refcount (sample), ==, 1);
  g_assert_cmpint (refcount (buffer), ==, 1);

  /* One more reference to the very sample, nothing copied. */
  hs_ring_buffer_push (ring, sample);
  g_assert_cmpint (refcount (sample), ==, 2);
  g_assert_cmpint (refcount (buffer), ==, 1);
  g_assert_cmpint (refcount (memory), ==, 1);

  got = hs_ring_buffer_get_samples (ring, 0, GST_CLOCK_TIME_NONE);
  g_assert_cmpuint (got->len, ==, 1);
  g_assert_true (got->pdata[0] == sample);
  g_assert_true (gst_sample_get_buffer (got->pdata[0]) == buffer);
  g_assert_true (gst_buffer_peek_memory (buffer, 0) == memory);
  g_assert_cmpint (refcount (sample), ==, 3);
  g_clear_pointer (&got, g_ptr_array_unref);
  g_assert_cmpint (refcount (sample), ==, 2);

  {
    g_auto(HsRingEntry) entry = { 0 };

    g_assert_true (hs_ring_buffer_next (ring, &cursor, GST_CLOCK_TIME_NONE,
            &entry));
    g_assert_true (entry.sample == sample);
    g_assert_cmpint (refcount (sample), ==, 3);
  }
  g_assert_cmpint (refcount (sample), ==, 2);

  /* Evicted: the ring lets go of its reference. */
  push (ring, 2 * GST_SECOND, 10);
  g_assert_cmpint (refcount (sample), ==, 1);

  /* And it lets go of everything when it goes. */
  hs_ring_buffer_push (ring, sample);
  g_assert_cmpint (refcount (sample), ==, 2);
  g_clear_object (&ring);
  g_assert_cmpint (refcount (sample), ==, 1);
  g_assert_cmpint (refcount (buffer), ==, 1);
}

/* ------------------------------------------------------------------------ */
/* Concurrency                                                              */

#define PER_PRODUCER 3000
#define MAX_PRODUCERS 4

typedef struct {
  HsRingBuffer *ring;
  guint n_producers;
  guint64 max_bytes;
  gint go;                      /* producers start together */
  gint n_done;                  /* producers finished */
  /* reader */
  guint8 *seen;                 /* per frame tag: times the reader got it */
  guint n_read;
  gboolean bounded_ok;
  GMutex lock;
  GCond cond;
  gboolean reader_done;
} Stress;

typedef struct {
  Stress *stress;
  guint id;
} Producer;

static gpointer
produce (gpointer data)
{
  Producer *p = data;
  Stress *st = p->stress;
  g_autoptr(GstSegment) segment = time_segment ();

  while (!g_atomic_int_get (&st->go))
    g_thread_yield ();
  for (guint i = 0; i < PER_PRODUCER; i++) {
    guint64 tag = (guint64) p->id * PER_PRODUCER + i;
    /* each producer's own clock; the ring orders by arrival */
    g_autoptr(GstSample) s = make_sample_full (i * MS, 100, tag, segment,
        NULL);

    hs_ring_buffer_push (st->ring, s);
  }
  g_atomic_int_inc (&st->n_done);
  return NULL;
}

static gpointer
consume (gpointer data)
{
  Stress *st = data;
  guint total = st->n_producers * PER_PRODUCER;
  guint64 cursor = 0, last_seq = 0;
  gboolean any = FALSE;

  for (;;) {
    g_auto(HsRingEntry) e = { 0 };
    gboolean producers_done = g_atomic_int_get (&st->n_done) ==
        (gint) st->n_producers;

    if (hs_ring_buffer_next (st->ring, &cursor, GST_CLOCK_TIME_NONE, &e)) {
      guint64 tag = GST_BUFFER_OFFSET (gst_sample_get_buffer (e.sample));

      /* Seqs only grow, and without a bound nothing is skipped. */
      if (any && e.seq <= last_seq)
        st->bounded_ok = FALSE;
      if (st->max_bytes == 0 && any && e.seq != last_seq + 1)
        st->bounded_ok = FALSE;
      last_seq = e.seq;
      any = TRUE;
      st->seen[tag]++;
      st->n_read++;
      continue;
    }
    /* Look at the ring as an application would while it fills. */
    if (st->max_bytes > 0) {
      g_autoptr(GPtrArray) all =
          hs_ring_buffer_get_samples (st->ring, 0, GST_CLOCK_TIME_NONE);

      if (hs_ring_buffer_get_n_bytes (st->ring) > st->max_bytes ||
          all->len * 100 > st->max_bytes)
        st->bounded_ok = FALSE;
    }
    if (producers_done || st->n_read == total)
      break;
    g_thread_yield ();
  }

  g_mutex_lock (&st->lock);
  st->reader_done = TRUE;
  g_cond_signal (&st->cond);
  g_mutex_unlock (&st->lock);
  return NULL;
}

typedef struct {
  guint n_producers;
  guint64 max_bytes;
} StressCase;

static const StressCase stress_cases[] = {
  { 2, 0 }, { 4, 0 }, { 3, 5000 }, { 4, 100 },
};

static void
test_threads (gconstpointer data)
{
  const StressCase *sc = data;
  Stress st = { 0 };
  Producer producers[MAX_PRODUCERS];
  GThread *threads[MAX_PRODUCERS];
  GThread *reader;
  guint total = sc->n_producers * PER_PRODUCER;
  gint64 deadline = g_get_monotonic_time () + 20 * G_TIME_SPAN_SECOND;

  st.ring = hs_ring_buffer_new (GST_CLOCK_TIME_NONE, sc->max_bytes);
  st.n_producers = sc->n_producers;
  st.max_bytes = sc->max_bytes;
  st.seen = g_new0 (guint8, total);
  st.bounded_ok = TRUE;
  g_mutex_init (&st.lock);
  g_cond_init (&st.cond);

  reader = g_thread_new ("reader", consume, &st);
  for (guint j = 0; j < sc->n_producers; j++) {
    producers[j] = (Producer) { &st, j };
    threads[j] = g_thread_new ("producer", produce, &producers[j]);
  }
  g_atomic_int_set (&st.go, 1);
  for (guint j = 0; j < sc->n_producers; j++)
    g_thread_join (threads[j]);

  /* Watchdog: the reader must be done soon after the producers. */
  g_mutex_lock (&st.lock);
  while (!st.reader_done)
    if (!g_cond_wait_until (&st.cond, &st.lock, deadline))
      g_error ("watchdog: the reader did not finish");
  g_mutex_unlock (&st.lock);
  g_thread_join (reader);

  g_assert_true (st.bounded_ok);
  g_assert_cmpuint (hs_ring_buffer_get_next_seq (st.ring), ==, total);
  if (sc->max_bytes == 0) {
    /* Every frame held, and read exactly once. */
    g_assert_cmpuint (hs_ring_buffer_get_n_samples (st.ring), ==, total);
    g_assert_cmpuint (hs_ring_buffer_get_n_bytes (st.ring), ==, total * 100);
    g_assert_cmpuint (st.n_read, ==, total);
    for (guint i = 0; i < total; i++)
      g_assert_cmpuint (st.seen[i], ==, 1);
    g_assert_cmpuint (hs_ring_buffer_get_n_trimmed (st.ring), ==, 0);
  } else {
    guint kept = sc->max_bytes / 100;

    /* Exactly as many frames as the bound holds; none read twice. */
    g_assert_cmpuint (hs_ring_buffer_get_n_samples (st.ring), ==, kept);
    g_assert_cmpuint (hs_ring_buffer_get_n_bytes (st.ring), ==,
        sc->max_bytes);
    g_assert_cmpuint (hs_ring_buffer_get_n_trimmed (st.ring), ==,
        total - kept);
    for (guint i = 0; i < total; i++)
      g_assert_cmpuint (st.seen[i], <=, 1);
  }

  g_object_unref (st.ring);
  g_free (st.seen);
  g_mutex_clear (&st.lock);
  g_cond_clear (&st.cond);
}

/* ------------------------------------------------------------------------ */
/* Programmer errors                                                        */

typedef struct {
  const char *name;
  void (*call) (void);
  const char *stderr_pattern;
} MisuseCase;

static void
push_to_null (void)
{
  g_autoptr(GstSample) sample = make_sample (0, 10);

  hs_ring_buffer_push (NULL, sample);
}

static void
push_null (void)
{
  g_autoptr(HsRingBuffer) ring = hs_ring_buffer_new (GST_SECOND, 0);

  hs_ring_buffer_push (ring, NULL);
}

static void
get_samples_of_null (void)
{
  g_autoptr(GPtrArray) samples = hs_ring_buffer_get_samples (NULL, 0,
      GST_CLOCK_TIME_NONE);
}

static void
set_window_of_null (void)
{
  hs_ring_buffer_set_window (NULL, GST_SECOND);
}

static void
not_a_ring (void)
{
  g_autoptr(GObject) object = g_object_new (G_TYPE_OBJECT, NULL);

  hs_ring_buffer_get_n_samples ((HsRingBuffer *) object);
}

static const MisuseCase misuse_cases[] = {
  { "push-to-null", push_to_null, "*CRITICAL*HS_IS_RING_BUFFER*" },
  { "push-null", push_null, "*CRITICAL*GST_IS_SAMPLE*" },
  { "get-samples-of-null", get_samples_of_null,
    "*CRITICAL*HS_IS_RING_BUFFER*" },
  { "set-window-of-null", set_window_of_null, "*CRITICAL*HS_IS_RING_BUFFER*" },
  { "not-a-ring", not_a_ring, "*CRITICAL*HS_IS_RING_BUFFER*" },
};

static void
test_misuse (gconstpointer data)
{
  const MisuseCase *mc = data;

  if (g_test_subprocess ()) {
    mc->call ();
    return;
  }
  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_failed ();
  g_test_trap_assert_stderr (mc->stderr_pattern);
}

/* ------------------------------------------------------------------------ */

#define ADD_CASES(prefix, cases, func)                                        \
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++) {                          \
    g_autofree char *path = g_strdup_printf (prefix "/%s", cases[i].name);    \
    g_test_add_data_func_full (path, (gpointer) &cases[i], func, NULL);                 \
  }

/* What the branch's queue dropped before a frame travels with that frame, so
 * that a recording can report the drops inside its span. */
static void
test_dropped_before (void)
{
  g_autoptr(HsRingBuffer) ring = hs_ring_buffer_new (GST_CLOCK_TIME_NONE, 0);
  guint64 cursor = 0;

  for (guint k = 0; k < 3; k++) {
    g_autoptr(GstSample) sample = make_sample (k * GST_SECOND, 16);

    hs_ring_buffer_push_counted (ring, sample, k == 2 ? 5 : 0);
  }
  for (guint k = 0; k < 3; k++) {
    g_auto(HsRingEntry) e = { 0 };

    g_assert_true (hs_ring_buffer_next (ring, &cursor, GST_CLOCK_TIME_NONE,
            &e));
    g_assert_cmpuint (e.dropped_before, ==, k == 2 ? 5 : 0);
  }
}

int
main (int argc, char **argv)
{
  static const char *const unplaceable[] = {
    [NO_BUFFER] = "no-buffer",
    [NO_PTS] = "no-pts",
    [UNDEFINED_SEGMENT] = "undefined-segment",
    [BYTES_SEGMENT] = "bytes-segment",
    [BEFORE_SEGMENT] = "before-segment",
    [AFTER_SEGMENT] = "after-segment",
  };

  gst_init (&argc, &argv);
  g_test_init (&argc, &argv, NULL);

  ADD_CASES ("/ring-buffer/evict/by-time", time_cases, test_evict_by_time);
  g_test_add_func ("/ring-buffer/evict/set-window", test_evict_set_window);
  g_test_add_func ("/ring-buffer/max-bytes/trims", test_max_bytes_trims);
  g_test_add_func ("/ring-buffer/max-bytes/variable-sizes",
      test_max_bytes_variable_sizes);
  g_test_add_func ("/ring-buffer/max-bytes/huge-frame",
      test_max_bytes_huge_frame);
  g_test_add_func ("/ring-buffer/max-bytes/lowered", test_max_bytes_lowered);
  g_test_add_func ("/ring-buffer/hold/window", test_hold_window);
  g_test_add_func ("/ring-buffer/hold/time", test_hold_time);
  g_test_add_func ("/ring-buffer/hold/bytes", test_hold_bytes);
  g_test_add_func ("/ring-buffer/hold/keyframe", test_hold_keyframe);
  g_test_add_func ("/ring-buffer/hold/clear", test_hold_clear);
  g_test_add_func ("/ring-buffer/hold/model", test_hold_model);
  g_test_add_func ("/ring-buffer/next/in-order", test_next_in_order);
  g_test_add_func ("/ring-buffer/next/min-time", test_next_min_time);
  g_test_add_func ("/ring-buffer/next/after-eviction",
      test_next_after_eviction);
  ADD_CASES ("/ring-buffer/segment/running-time", segment_cases,
      test_segment_running_time);
  g_test_add_func ("/ring-buffer/segment/default", test_segment_default);
  g_test_add_func ("/ring-buffer/segment/evicts-by-running-time",
      test_segment_evicts_by_running_time);
  for (guint i = 0; i < G_N_ELEMENTS (unplaceable); i++) {
    g_autofree char *path = g_strdup_printf ("/ring-buffer/ignored/%s",
        unplaceable[i]);

    g_test_add_data_func_full (path, GINT_TO_POINTER (i), test_ignored, NULL);
  }
  ADD_CASES ("/ring-buffer/get-samples", range_cases, test_get_samples);
  g_test_add_func ("/ring-buffer/zero-copy", test_zero_copy);
  for (guint i = 0; i < G_N_ELEMENTS (stress_cases); i++) {
    g_autofree char *path = g_strdup_printf (
        "/ring-buffer/threads/%u-producers-max-bytes-%" G_GUINT64_FORMAT,
        stress_cases[i].n_producers, stress_cases[i].max_bytes);

    g_test_add_data_func_full (path, (gpointer) &stress_cases[i], test_threads,
        NULL);
  }
  ADD_CASES ("/ring-buffer/misuse", misuse_cases, test_misuse);

  g_test_add_func ("/ring-buffer/cursor/dropped-before", test_dropped_before);

  return g_test_run ();
}
