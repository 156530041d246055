/* Load: trigger storms and soak runs across four sources.
 *
 * - /load/storm/trigger-at: 1000 triggers per second for 10 s on each of
 *   four non-live sources, set with trigger_at: one file per source covering
 *   [first - pre, last + post), exactly.
 * - /load/storm/live: the same rate from another thread with
 *   hs_recorder_trigger() on four live sources, for 2 s.
 * - /load/storm/after-the-end: triggers on a detached recorder, after the
 *   source's EOS and after the pipeline stopped are harmless.
 * - /load/soak/short and /load/soak/long: four live sources, a trigger every
 *   3 s, for 60 s (default run) or 10 minutes (the 'slow' suite): resident
 *   memory flat after warm-up (the slope is logged), no file descriptor
 *   leak, every file decodes, none lost.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "hs-test-util.h"

#include <unistd.h>
#include <glib/gstdio.h>

#define MS (GST_MSECOND)
#define FRAME(k) ((GstClockTime) gst_util_uint64_scale ((k), GST_SECOND, 30))
#define FRAME_BYTES (160 * 120 * 3 / 2)
#define N_SOURCES 4

#if defined(__SANITIZE_ADDRESS__)
#define UNDER_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define UNDER_ASAN 1
#endif
#endif

typedef struct {
  HsTestFixture f;
  GstElement *pipeline;
  HsRecorder *recorders[N_SOURCES];
} Fixture;

static void
setup (Fixture *fx, gconstpointer data)
{
  hs_test_fixture_setup (&fx->f, data);
}

static void
teardown (Fixture *fx, gconstpointer data)
{
  if (fx->pipeline != NULL)
    hs_test_stop (fx->pipeline);
  for (guint i = 0; i < N_SOURCES; i++)
    g_clear_object (&fx->recorders[i]);
  gst_clear_object (&fx->pipeline);
  hs_test_fixture_teardown (&fx->f, data);
}

/* Four sources "cam0" .. "cam3", each with a recorder. */
static void
start_sources (Fixture *fx, const char *source, double pre, double post)
{
  g_autoptr(GString) description = g_string_new (NULL);

  for (guint i = 0; i < N_SOURCES; i++)
    g_string_append_printf (description, "%s ! video/x-raw,width=160,"
        "height=120,framerate=30/1 ! tee name=cam%u cam%u. ! fakesink ",
        source, i, i);
  fx->pipeline = hs_test_pipeline_new (description->str);
  for (guint i = 0; i < N_SOURCES; i++) {
    g_autoptr(GError) error = NULL;
    g_autofree char *tee = g_strdup_printf ("cam%u", i);
    g_autofree char *location = hs_test_fixture_path (&fx->f,
        "%{source}-%{index}.webm");

    fx->recorders[i] = g_initable_new (HS_TYPE_RECORDER, NULL, &error,
        "pipeline", fx->pipeline, "source", tee, "pre", pre, "post", post,
        "location", location, NULL);
    g_assert_no_error (error);
    hs_test_fixture_watch (&fx->f, fx->recorders[i]);
  }
}

static gboolean
all_idle (gpointer data)
{
  Fixture *fx = data;

  for (guint i = 0; i < N_SOURCES; i++)
    if (fx->recorders[i] != NULL && hs_recorder_get_busy (fx->recorders[i]))
      return FALSE;
  return TRUE;
}

static GPtrArray *
finished_of (Fixture *fx, guint source)
{
  g_autofree char *name = g_strdup_printf ("cam%u", source);
  GPtrArray *list = g_ptr_array_new ();

  for (guint k = 0; k < fx->f.finished->len; k++) {
    HsRecording *r = fx->f.finished->pdata[k];

    if (g_strcmp0 (hs_recording_get_source (r), name) == 0)
      g_ptr_array_add (list, r);
  }
  return list;
}

/* Decodes @r and checks that the file holds what the recorder says, frame
 * after frame at 30 fps, except where frames were dropped (and counted).
 * Returns whether it is a valid file. */
static gboolean
check_file (HsRecording *r)
{
  g_auto(HsTestFileInfo) info = { 0 };
  g_autoptr(GError) error = NULL;
  guint gaps = 0;

  if (hs_recording_get_error (r) != NULL) {
    g_test_message ("%s: %s", hs_recording_get_location (r),
        hs_recording_get_error (r)->message);
    return FALSE;
  }
  if (!hs_test_probe_file (hs_recording_get_location (r), &info, &error)) {
    g_test_message ("%s", error->message);
    return FALSE;
  }
  g_assert_true (info.starts_with_keyframe);
  g_assert_cmpuint (info.n_frames, ==, hs_recording_get_n_frames (r));
  g_assert_cmpint (ABS (GST_CLOCK_DIFF (hs_recording_get_start_time (r),
              info.first_pts)), <=, MS);
  for (guint i = 1; i < info.n_frames; i++) {
    GstClockTime step = g_array_index (info.pts, GstClockTime, i) -
        g_array_index (info.pts, GstClockTime, i - 1);

    if (step > FRAME (1) + 2 * MS)
      gaps += (guint) ((step + FRAME (1) / 2) / FRAME (1)) - 1;
  }
  /* A missing frame is one the leaky queue dropped and counted. */
  g_assert_cmpuint (gaps, <=, hs_recording_get_n_dropped (r));
  return TRUE;
}

/* ------------------------------------------------------------------------ */
/* Storms                                                                   */

typedef struct {
  Fixture *fx;
  guint64 max_ring_bytes;
} RingWatch;

static gboolean
on_ring_sample (gpointer data)
{
  RingWatch *w = data;

  for (guint i = 0; i < N_SOURCES; i++) {
    guint64 n = hs_ring_buffer_get_n_bytes (
        hs_recorder_get_ring_buffer (w->fx->recorders[i]));

    w->max_ring_bytes = MAX (w->max_ring_bytes, n);
  }
  return G_SOURCE_CONTINUE;
}

static GSource *
watch_rings (Fixture *fx, RingWatch *w)
{
  GSource *source = g_timeout_source_new (10);

  w->fx = fx;
  g_source_set_callback (source, on_ring_sample, w, NULL);
  g_source_attach (source, fx->f.context);
  return source;
}

static void
stop_watch (GSource *source)
{
  g_source_destroy (source);
  g_source_unref (source);
}

static void
test_storm_trigger_at (Fixture *fx, gconstpointer data)
{
  RingWatch w = { 0 };
  GSource *watch;

  /* 14 s of 30 fps per source, as fast as the machine goes. */
  start_sources (fx, "videotestsrc num-buffers=420 pattern=ball", 1, 1);
  /* 1000 triggers per second from 2 s to 12 s on every source */
  for (guint k = 0; k < 10000; k++)
    for (guint i = 0; i < N_SOURCES; i++)
      hs_recorder_trigger_at (fx->recorders[i], 2 * GST_SECOND + k * MS);
  watch = watch_rings (fx, &w);
  hs_test_play (fx->pipeline);
  fx->f.timeout_s = 120;
  hs_test_fixture_run_until (&fx->f, all_idle, fx);
  stop_watch (watch);

  /* One file per source: [1 s, 12.999 s + 1 s) */
  g_assert_cmpuint (fx->f.finished->len, ==, N_SOURCES);
  for (guint i = 0; i < N_SOURCES; i++) {
    g_autoptr(GPtrArray) files = finished_of (fx, i);
    HsRecording *r;

    g_assert_cmpuint (files->len, ==, 1);
    r = files->pdata[0];
    g_assert_no_error ((GError *) hs_recording_get_error (r));
    g_assert_cmpint (hs_recording_get_requested_start (r), ==, GST_SECOND);
    hs_test_assert_file (hs_recording_get_location (r), 360, FRAME (30),
        FRAME (389));
  }
  /* The ring never held more than the frames of the window itself. */
  g_test_message ("storm: largest ring %" G_GUINT64_FORMAT " bytes (%"
      G_GUINT64_FORMAT " frames)", w.max_ring_bytes,
      w.max_ring_bytes / FRAME_BYTES);
  g_assert_cmpuint (w.max_ring_bytes, <=, (guint64) (360 + 45) * FRAME_BYTES);
}

typedef struct {
  Fixture *fx;
  gint64 duration_us;
  guint n_calls;
  GstClockTime first[N_SOURCES];
  GstClockTime last[N_SOURCES];
  gint done;
} Storm;

static gpointer
storm_thread (gpointer data)
{
  Storm *s = data;
  gint64 begin = g_get_monotonic_time ();
  gint64 until = begin + s->duration_us;

  while (g_get_monotonic_time () < until) {
    /* The next millisecond tick: 1000 rounds per second, not fewer. */
    gint64 wait = begin + (gint64) s->n_calls * 1000 -
        g_get_monotonic_time ();

    for (guint i = 0; i < N_SOURCES; i++) {
      /* A trigger "now" is at this time or later (when the recorder's
       * context gets to it). */
      s->last[i] = hs_recorder_get_running_time (s->fx->recorders[i]);
      if (s->n_calls == 0)
        s->first[i] = s->last[i];
      hs_recorder_trigger (s->fx->recorders[i]);
    }
    s->n_calls++;
    if (wait > 0)
      g_usleep (wait);
  }
  g_atomic_int_set (&s->done, 1);
  return NULL;
}

static gboolean
storm_over (gpointer data)
{
  Storm *s = data;

  return g_atomic_int_get (&s->done) && all_idle (s->fx);
}

static gboolean
running_past (gpointer data)
{
  Fixture *fx = data;
  GstClockTime now = hs_recorder_get_running_time (fx->recorders[N_SOURCES -
          1]);

  return GST_CLOCK_TIME_IS_VALID (now) && now >= GST_SECOND;
}

static void
test_storm_live (Fixture *fx, gconstpointer data)
{
  Storm s = { fx, 2 * G_USEC_PER_SEC };
  RingWatch w = { 0 };
  GSource *watch;
  GThread *thread;

  start_sources (fx, "videotestsrc is-live=true pattern=ball", 0.5, 0.5);
  hs_test_play (fx->pipeline);
  hs_test_fixture_run_until (&fx->f, running_past, fx);

  watch = watch_rings (fx, &w);
  thread = g_thread_new ("storm", storm_thread, &s);
  hs_test_fixture_run_until (&fx->f, storm_over, &s);
  g_thread_join (thread);
  stop_watch (watch);

  g_test_message ("live storm: %u triggers per source in 2 s; largest ring %"
      G_GUINT64_FORMAT " bytes", s.n_calls, w.max_ring_bytes);
  g_assert_cmpuint (s.n_calls, >, 100);
  /* Each source's recording runs from the first trigger - pre to the last
   * + post: one file, or (when the machine is too busy to apply a trigger
   * within post seconds) files that tile with no frame lost or repeated. */
  for (guint i = 0; i < N_SOURCES; i++) {
    g_autoptr(GPtrArray) files = finished_of (fx, i);
    GstClockTime start, end;

    g_assert_cmpuint (files->len, >=, 1);
    if (files->len > 1)
      g_test_message ("cam%u: %u files", i, files->len);
    for (guint k = 0; k < files->len; k++) {
      g_assert_true (check_file (files->pdata[k]));
      if (k > 0)
        g_assert_cmpint (ABS (GST_CLOCK_DIFF (hs_recording_get_end_time (
                        files->pdata[k - 1]) + FRAME (1),
                    hs_recording_get_start_time (files->pdata[k]))), <=,
            2 * MS);
    }
    start = hs_recording_get_start_time (files->pdata[0]);
    end = hs_recording_get_end_time (files->pdata[files->len - 1]);
    g_assert_cmpuint (start + 500 * MS, >=, s.first[i]);
    g_assert_cmpuint (start, <=, s.first[i] + GST_SECOND);
    g_assert_cmpuint (end + FRAME (1), >=, s.last[i] + 500 * MS);
  }
  /* A ring holds pre + 0.5 s of frames, plus what waits to be written. */
  g_assert_cmpuint (w.max_ring_bytes, <=, 3 * 30 * FRAME_BYTES);
}

static gpointer
trigger_thread (gpointer data)
{
  for (guint k = 0; k < 1000; k++)
    hs_recorder_trigger (data);
  return NULL;
}

static void
storm_one (Fixture *fx, HsRecorder *recorder)
{
  GThread *thread = g_thread_new ("triggers", trigger_thread, recorder);

  for (guint k = 0; k < 1000; k++) {
    hs_recorder_trigger (recorder);
    hs_recorder_trigger_at (recorder, k * 10 * MS);
  }
  g_thread_join (thread);
  hs_test_fixture_wait_idle (&fx->f, recorder);
}

/* Every recording after the end either is a file that decodes to what the
 * recorder wrote, or says why there is none. */
static void
assert_harmless (Fixture *fx, guint from)
{
  for (guint k = from; k < fx->f.finished->len; k++) {
    HsRecording *r = fx->f.finished->pdata[k];
    const GError *error = hs_recording_get_error (r);

    if (hs_recording_get_location (r) != NULL) {
      g_auto(HsTestFileInfo) info = { 0 };
      g_autoptr(GError) decode_error = NULL;

      g_assert_true (hs_test_probe_file (hs_recording_get_location (r), &info,
              &decode_error));
      g_assert_cmpuint (info.n_frames, ==, hs_recording_get_n_frames (r));
    } else {
      g_assert_nonnull (error);
      g_assert_true (g_error_matches (error, HS_ERROR, HS_ERROR_NO_FRAMES) ||
          g_error_matches (error, HS_ERROR, HS_ERROR_SOURCE));
    }
  }
}

static void
test_storm_after_the_end (Fixture *fx, gconstpointer data)
{
  guint before;

  start_sources (fx, "videotestsrc num-buffers=60 pattern=ball", 1, 1);
  hs_recorder_trigger_at (fx->recorders[0], GST_SECOND);
  hs_test_play (fx->pipeline);
  hs_test_fixture_run_until (&fx->f, all_idle, fx);
  g_assert_cmpuint (fx->f.finished->len, ==, 1);
  g_assert_true (check_file (fx->f.finished->pdata[0]));

  /* Detached: ignored, nothing recorded, never busy for long. */
  hs_recorder_detach (fx->recorders[1]);
  storm_one (fx, fx->recorders[1]);
  g_assert_cmpuint (fx->f.finished->len, ==, 1);

  /* The source has ended: each trigger gets an answer, no crash. */
  before = fx->f.finished->len;
  storm_one (fx, fx->recorders[2]);
  assert_harmless (fx, before);
  g_test_message ("after EOS: %u triggers gave %u reports, %u files",
      3000, fx->f.finished->len - before, fx->f.started->len - 1);

  /* The pipeline is gone (stopped, recorders still there). */
  hs_test_stop (fx->pipeline);
  before = fx->f.finished->len;
  storm_one (fx, fx->recorders[3]);
  assert_harmless (fx, before);
  storm_one (fx, fx->recorders[0]);
  assert_harmless (fx, before);
}

/* ------------------------------------------------------------------------ */
/* Soak                                                                     */

typedef struct {
  Fixture *fx;
  guint seconds;
  guint elapsed;                /* seconds since the start */
  guint n_triggers;
  guint warmup;                 /* seconds */
  GArray *rss;                  /* double KB, one sample every 2 s */
  GArray *rss_at;               /* double minutes */
  guint fds_after_warmup;
  guint fds_last;
  guint n_idle;                 /* triggers that found every file closed */
  guint64 max_ring_bytes;
  gboolean done;
} Soak;

static guint
count_fds (void)
{
  g_autoptr(GDir) dir = g_dir_open ("/proc/self/fd", 0, NULL);
  guint n = 0;

  g_assert_nonnull (dir);
  while (g_dir_read_name (dir) != NULL)
    n++;
  return n;
}

static double
resident_kb (void)
{
  g_autofree char *statm = NULL;
  unsigned long size = 0, resident = 0;

  g_assert_true (g_file_get_contents ("/proc/self/statm", &statm, NULL,
          NULL));
  g_assert_cmpint (sscanf (statm, "%lu %lu", &size, &resident), ==, 2);
  return (double) resident * sysconf (_SC_PAGESIZE) / 1024.0;
}

/* Least-squares slope of y over x. */
static double
slope (GArray *x, GArray *y, guint from)
{
  double sx = 0, sy = 0, sxx = 0, sxy = 0;
  guint n = 0;

  for (guint i = from; i < x->len; i++, n++) {
    double a = g_array_index (x, double, i), b = g_array_index (y, double, i);

    sx += a;
    sy += b;
    sxx += a * a;
    sxy += a * b;
  }
  if (n < 2 || n * sxx - sx * sx == 0)
    return 0;
  return (n * sxy - sx * sy) / (n * sxx - sx * sx);
}

static gboolean
on_soak_second (gpointer data)
{
  Soak *s = data;

  s->elapsed++;
  if (s->elapsed % 2 == 0) {
    double kb = resident_kb (), minutes = s->elapsed / 60.0;

    g_array_append_val (s->rss, kb);
    g_array_append_val (s->rss_at, minutes);
    for (guint i = 0; i < N_SOURCES; i++)
      s->max_ring_bytes = MAX (s->max_ring_bytes, hs_ring_buffer_get_n_bytes (
              hs_recorder_get_ring_buffer (s->fx->recorders[i])));
  }
  if (s->elapsed % 3 == 0 && s->elapsed + 3 <= s->seconds) {
    /* Between windows, when every file of the last trigger is closed:
     * a moment to count descriptors. */
    if (all_idle (s->fx) && s->elapsed >= s->warmup) {
      if (s->fds_after_warmup == 0)
        s->fds_after_warmup = count_fds ();
      s->fds_last = count_fds ();
      s->n_idle++;
    }
    for (guint i = 0; i < N_SOURCES; i++)
      hs_recorder_trigger (s->fx->recorders[i]);
    s->n_triggers++;
  }
  if (s->elapsed >= s->seconds) {
    s->done = TRUE;
    return G_SOURCE_REMOVE;
  }
  return G_SOURCE_CONTINUE;
}

static gboolean
soak_over (gpointer data)
{
  Soak *s = data;

  return s->done && all_idle (s->fx);
}

static void
test_soak (Fixture *fx, gconstpointer data)
{
  Soak s = { fx, GPOINTER_TO_UINT (data) };
  g_autoptr(GSource) tick = NULL;
  guint n_valid = 0, first_after_warmup = 0, n_after_warmup = 0;
  double kb_per_min, growth;

  s.warmup = MAX (15, s.seconds / 5);
  s.rss = g_array_new (FALSE, FALSE, sizeof (double));
  s.rss_at = g_array_new (FALSE, FALSE, sizeof (double));
  fx->f.timeout_s = s.seconds + 60;

  start_sources (fx, "videotestsrc is-live=true pattern=ball", 1, 1);
  hs_test_play (fx->pipeline);
  tick = g_timeout_source_new_seconds (1);
  g_source_set_callback (tick, on_soak_second, &s, NULL);
  g_source_attach (tick, fx->f.context);
  hs_test_fixture_run_until (&fx->f, soak_over, &s);
  g_source_destroy (tick);

  for (guint i = 0; i < s.rss_at->len; i++)
    if (g_array_index (s.rss_at, double, i) * 60 < s.warmup)
      first_after_warmup = i + 1;
  kb_per_min = slope (s.rss_at, s.rss, first_after_warmup);
  growth = g_array_index (s.rss, double, s.rss->len - 1) -
      g_array_index (s.rss, double, first_after_warmup);
  for (guint t = 3; t + 3 <= s.seconds; t += 3)
    if (t >= s.warmup)
      n_after_warmup++;

  /* Every trigger made one file per source, and every file decodes. */
  for (guint k = 0; k < fx->f.finished->len; k++)
    if (check_file (fx->f.finished->pdata[k]))
      n_valid++;
  g_test_message ("soak %u s: %u triggers x %u sources, %u files, %u valid, "
      "%u lost; resident %.0f KB after warm-up, %.0f KB at the end (%+.0f KB), "
      "slope %.1f KB/min; descriptors %u after warm-up, %u at the end; %u of %u "
      "triggers after warm-up found every file closed; largest ring %"
      G_GUINT64_FORMAT " bytes", s.seconds, s.n_triggers, N_SOURCES,
      fx->f.finished->len, n_valid, s.n_triggers * N_SOURCES - n_valid,
      first_after_warmup < s.rss->len ?
      g_array_index (s.rss, double, first_after_warmup) : 0,
      g_array_index (s.rss, double, s.rss->len - 1), growth, kb_per_min,
      s.fds_after_warmup, s.fds_last, s.n_idle, n_after_warmup,
      s.max_ring_bytes);
  {
    g_autoptr(GString) series = g_string_new (NULL);

    for (guint i = 0; i < s.rss->len; i++)
      g_string_append_printf (series, " %.0f", g_array_index (s.rss, double,
              i));
    g_test_message ("resident KB every 2 s:%s", series->str);
  }
  g_assert_cmpuint (fx->f.finished->len, ==, s.n_triggers * N_SOURCES);
  g_assert_cmpuint (n_valid, ==, s.n_triggers * N_SOURCES);
  /* Each recording is closed long before the next trigger (the encoder
   * keeps up), and it leaves no descriptor behind. */
  g_assert_cmpuint (s.n_idle, >=, n_after_warmup * 9 / 10);
  g_assert_cmpuint (s.fds_after_warmup, >, 0);
  g_assert_cmpuint (s.fds_last, ==, s.fds_after_warmup);
  /* A ring holds pre + 0.5 s: 45 frames, and a few that wait. */
  g_assert_cmpuint (s.max_ring_bytes, <=, 60 * FRAME_BYTES);
#ifndef UNDER_ASAN
  /* ASan's quarantine holds freed memory on purpose: RSS is only
   * meaningful in a plain build. A minute shows allocator steps more than a
   * trend: there, the growth after warm-up must stay under what a leak of a
   * few frames per file would add up to; over ten minutes, the slope. */
  if (s.seconds < 300)
    g_assert_cmpfloat (growth, <, 4096);
  else
    g_assert_cmpfloat (kb_per_min, <, 100);
#endif

  g_array_unref (s.rss);
  g_array_unref (s.rss_at);
}

static void
add (const char *path, void (*func) (Fixture *, gconstpointer))
{
  g_test_add (path, Fixture, NULL, setup, func, teardown);
}

int
main (int argc, char **argv)
{
  gst_init (&argc, &argv);
  g_test_init (&argc, &argv, NULL);

  add ("/load/storm/trigger-at", test_storm_trigger_at);
  add ("/load/storm/live", test_storm_live);
  add ("/load/storm/after-the-end", test_storm_after_the_end);
  g_test_add ("/load/soak/short", Fixture, GUINT_TO_POINTER (60), setup,
      test_soak, teardown);
  g_test_add ("/load/soak/long", Fixture, GUINT_TO_POINTER (600), setup,
      test_soak, teardown);

  return g_test_run ();
}
