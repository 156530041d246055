/* HsMultiRecorder: which tees a pattern or a list picks, errors that name
 * the source, settings that reach every recorder, recordings on several
 * tees (decoded), and the combined busy flag.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "hs-test-util.h"

#define FRAME(k) ((GstClockTime) gst_util_uint64_scale ((k), GST_SECOND, 30))

/* Tees with names a pattern must tell apart. Never played. */
#define MANY_TEES \
  "videotestsrc ! tee name=tee_0 ! fakesink " \
  "videotestsrc ! tee name=tee_12 ! fakesink " \
  "videotestsrc ! tee name=tee_x ! fakesink " \
  "videotestsrc ! tee name=tee_ ! fakesink " \
  "videotestsrc ! tee name=cam0 ! fakesink " \
  "videotestsrc ! tee name=cam1 ! fakesink " \
  "videotestsrc ! tee name=xtee_3 ! fakesink " \
  "videotestsrc ! identity name=tee_7 ! fakesink"

/* Two non-live sources of 3 s each, as fast as the machine goes. */
#define SOURCE(tee, pattern) \
  "videotestsrc num-buffers=90 pattern=" pattern " ! " \
  "video/x-raw,width=160,height=120,framerate=30/1 ! tee name=" tee " " \
  tee ". ! fakesink sync=false "
#define TWO_SOURCES SOURCE ("tee_0", "smpte") SOURCE ("tee_1", "ball")

/* The same, live and endless. */
#define LIVE_SOURCE(tee) \
  "videotestsrc is-live=true ! " \
  "video/x-raw,width=160,height=120,framerate=30/1 ! tee name=" tee " " \
  tee ". ! fakesink "
#define TWO_LIVE_SOURCES LIVE_SOURCE ("tee_0") LIVE_SOURCE ("tee_1")

typedef struct {
  HsTestFixture f;
  GstElement *pipeline;
  HsMultiRecorder *multi;
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
  g_clear_object (&fx->multi);
  gst_clear_object (&fx->pipeline);
  hs_test_fixture_teardown (&fx->f, data);
}

static int
compare_names (gconstpointer a, gconstpointer b)
{
  return g_strcmp0 (*(char *const *) a, *(char *const *) b);
}

static char *
sorted_sources (HsMultiRecorder *multi)
{
  g_auto(GStrv) sources = hs_multi_recorder_dup_sources (multi);
  g_autoptr(GPtrArray) list = g_ptr_array_new ();

  for (guint i = 0; sources[i] != NULL; i++)
    g_ptr_array_add (list, sources[i]);
  g_ptr_array_sort (list, compare_names);
  g_ptr_array_add (list, NULL);
  return g_strjoinv (",", (GStrv) list->pdata);
}

/* ------------------------------------------------------------------------ */
/* Which tees                                                               */

typedef struct {
  const char *name;
  const char *pattern;
  const char *expected;         /* sorted, comma-separated; NULL: an error */
} PatternCase;

static const PatternCase pattern_cases[] = {
  /* digits, at least one, nothing else: not tee_, tee_x, xtee_3, cam0 */
  { "numbered", "tee_%u", "tee_0,tee_12" },
  { "numbered-prefix", "xtee_%u", "xtee_3" },
  { "glob-star", "cam*", "cam0,cam1" },
  { "glob-question-mark", "tee_?", "tee_0,tee_x" },
  { "glob-anywhere", "*tee_*", "tee_,tee_0,tee_12,tee_x,xtee_3" },
  { "exact", "cam1", "cam1" },
  { "exact-odd-name", "tee_", "tee_" },
  /* an identity called tee_7 is no tee */
  { "not-a-tee", "tee_7", NULL },
  { "no-match", "nope*", NULL },
  { "numbered-no-match", "tee_%u_hd", NULL },
};

static void
test_pattern (Fixture *fx, gconstpointer data)
{
  const PatternCase *pc = data;
  g_autoptr(GError) error = NULL;
  g_autofree char *got = NULL;

  fx->pipeline = hs_test_pipeline_new (MANY_TEES);
  fx->multi = hs_multi_recorder_new (fx->pipeline, pc->pattern, &error);
  if (pc->expected == NULL) {
    g_assert_null (fx->multi);
    g_assert_error (error, HS_ERROR, HS_ERROR_NO_SUCH_TEE);
    /* Says what was asked and what exists. */
    g_assert_nonnull (strstr (error->message, pc->pattern));
    g_assert_nonnull (strstr (error->message, "tee_0"));
    g_assert_nonnull (strstr (error->message, "cam1"));
    g_assert_nonnull (strstr (error->message, "xtee_3"));
    return;
  }
  g_assert_no_error (error);
  got = sorted_sources (fx->multi);
  g_assert_cmpstr (got, ==, pc->expected);
  for (guint i = 0; pc->expected[i] != '\0';) {
    const char *comma = strchr (pc->expected + i, ',');
    gsize len = comma ? (gsize) (comma - pc->expected - i) :
        strlen (pc->expected + i);
    g_autofree char *name = g_strndup (pc->expected + i, len);
    HsRecorder *recorder = hs_multi_recorder_get_recorder (fx->multi, name);

    g_assert_nonnull (recorder);
    g_assert_cmpstr (hs_recorder_get_source (recorder), ==, name);
    i += len + (comma ? 1 : 0);
  }
  g_assert_null (hs_multi_recorder_get_recorder (fx->multi, "nope"));
}

typedef struct {
  const char *name;
  const char *sources[4];
  const char *expected;         /* NULL: an error */
  const char *message;          /* part of the error */
} ListCase;

static const ListCase list_cases[] = {
  { "two", { "cam1", "tee_x", NULL }, "cam1,tee_x", NULL },
  { "one", { "tee_12", NULL }, "tee_12", NULL },
  /* a list is names, not patterns */
  { "no-globbing", { "cam*", NULL }, NULL, "'cam*'" },
  { "missing", { "cam1", "cam9", NULL }, NULL, "'cam9'" },
  { "not-a-tee", { "tee_7", NULL }, NULL, "'tee_7'" },
  { "empty", { NULL }, NULL, "" },
};

static void
test_list (Fixture *fx, gconstpointer data)
{
  const ListCase *lc = data;
  g_autoptr(GError) error = NULL;
  g_autofree char *got = NULL;
  g_auto(GStrv) property = NULL;

  fx->pipeline = hs_test_pipeline_new (MANY_TEES);
  fx->multi = hs_multi_recorder_new_for_sources (fx->pipeline,
      (const char *const *) lc->sources, &error);
  if (lc->expected == NULL) {
    g_assert_null (fx->multi);
    g_assert_error (error, HS_ERROR, HS_ERROR_NO_SUCH_TEE);
    g_assert_nonnull (strstr (error->message, lc->message));
    /* the tees that do exist */
    g_assert_nonnull (strstr (error->message, "cam0"));
    return;
  }
  g_assert_no_error (error);
  got = sorted_sources (fx->multi);
  g_assert_cmpstr (got, ==, lc->expected);
  g_object_get (fx->multi, "sources", &property, NULL);
  g_assert_cmpuint (g_strv_length (property), ==,
      g_strv_length ((GStrv) lc->sources));
}

static void
test_unknown_source (Fixture *fx, gconstpointer data)
{
  g_autoptr(GError) error = NULL;

  fx->pipeline = hs_test_pipeline_new (MANY_TEES);
  fx->multi = hs_multi_recorder_new (fx->pipeline, "tee_%u", &error);
  g_assert_no_error (error);

  /* Not a tee at all */
  g_assert_false (hs_multi_recorder_trigger (fx->multi, "cam9", &error));
  g_assert_error (error, HS_ERROR, HS_ERROR_NO_SUCH_TEE);
  g_assert_nonnull (strstr (error->message, "'cam9'"));
  /* the sources that are recorded */
  g_assert_nonnull (strstr (error->message, "tee_0"));
  g_assert_nonnull (strstr (error->message, "tee_12"));
  g_clear_error (&error);

  /* A tee of the pipeline that this multi-recorder does not record */
  g_assert_false (hs_multi_recorder_trigger_at (fx->multi, "cam0", GST_SECOND,
          &error));
  g_assert_error (error, HS_ERROR, HS_ERROR_NO_SUCH_TEE);
  g_assert_nonnull (strstr (error->message, "'cam0'"));
  g_clear_error (&error);

  /* Nothing was triggered by the failed calls. */
  g_assert_false (hs_multi_recorder_get_busy (fx->multi));
  g_assert_false (hs_recorder_get_busy (
          hs_multi_recorder_get_recorder (fx->multi, "tee_0")));
}

/* ------------------------------------------------------------------------ */
/* Settings                                                                 */

static void
count_notify (GObject *object, GParamSpec *pspec, gpointer user_data)
{
  guint *n = user_data;

  (*n)++;
}

static void
assert_recorder_settings (HsRecorder *recorder, double pre, double post,
                          double max_duration, const char *location,
                          gboolean rebase, guint64 max_ring_bytes)
{
  double got_pre, got_post, got_max;
  g_autofree char *got_location = NULL;
  gboolean got_rebase;
  guint64 got_bytes;

  g_object_get (recorder, "pre", &got_pre, "post", &got_post,
      "max-duration", &got_max, "location", &got_location,
      "rebase-timestamps", &got_rebase, "max-ring-bytes", &got_bytes, NULL);
  g_assert_cmpfloat (got_pre, ==, pre);
  g_assert_cmpfloat (got_post, ==, post);
  g_assert_cmpfloat (got_max, ==, max_duration);
  g_assert_cmpstr (got_location, ==, location);
  g_assert_cmpint (got_rebase, ==, rebase);
  g_assert_cmpuint (got_bytes, ==, max_ring_bytes);
}

static void
test_settings (Fixture *fx, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *location = hs_test_fixture_path (&fx->f,
      "%{source}/%{index}.webm");
  g_autofree char *default_location = NULL;
  g_auto(GStrv) sources = NULL;
  guint notified = 0;

  fx->pipeline = hs_test_pipeline_new (MANY_TEES);
  /* Set while constructing ... */
  fx->multi = g_initable_new (HS_TYPE_MULTI_RECORDER, NULL, &error,
      "pipeline", fx->pipeline, "pattern", "cam*", "pre", 1.5, NULL);
  g_assert_no_error (error);
  g_object_get (fx->multi, "location", &default_location, NULL);
  /* Sources never share a file name by default. */
  g_assert_cmpstr (default_location, ==, HS_RECORDER_DEFAULT_LOCATION);
  g_assert_nonnull (strstr (default_location, "%{source}"));

  sources = hs_multi_recorder_dup_sources (fx->multi);
  for (guint i = 0; sources[i] != NULL; i++)
    assert_recorder_settings (hs_multi_recorder_get_recorder (fx->multi,
            sources[i]), 1.5, 5, 0, HS_RECORDER_DEFAULT_LOCATION, FALSE, 0);

  /* ... and afterwards. */
  g_signal_connect (fx->multi, "notify::post", G_CALLBACK (count_notify),
      &notified);
  g_object_set (fx->multi, "post", 0.75, "max-duration", 10.0,
      "location", location, "rebase-timestamps", TRUE,
      "max-ring-bytes", (guint64) 1 << 30, NULL);
  g_assert_cmpuint (notified, ==, 1);
  for (guint i = 0; sources[i] != NULL; i++)
    assert_recorder_settings (hs_multi_recorder_get_recorder (fx->multi,
            sources[i]), 1.5, 0.75, 10, location, TRUE, (guint64) 1 << 30);

  /* NULL location is the default again. */
  g_object_set (fx->multi, "location", NULL, NULL);
  for (guint i = 0; sources[i] != NULL; i++)
    assert_recorder_settings (hs_multi_recorder_get_recorder (fx->multi,
            sources[i]), 1.5, 0.75, 10, HS_RECORDER_DEFAULT_LOCATION, TRUE,
        (guint64) 1 << 30);
}

/* ------------------------------------------------------------------------ */
/* Recording on two tees                                                    */

static HsRecording *
finished_for (Fixture *fx, const char *source)
{
  HsRecording *found = NULL;

  for (guint i = 0; i < fx->f.finished->len; i++) {
    HsRecording *r = fx->f.finished->pdata[i];

    if (g_str_equal (hs_recording_get_source (r), source)) {
      g_assert_null (found);
      found = r;
    }
  }
  g_assert_nonnull (found);
  return found;
}

static void
assert_recording (HsRecording *r, guint64 n_frames, GstClockTime first,
                  GstClockTime last)
{
  g_assert_no_error ((GError *) hs_recording_get_error (r));
  g_assert_cmpuint (hs_recording_get_n_frames (r), ==, n_frames);
  g_assert_cmpuint (hs_recording_get_start_time (r), ==, first);
  g_assert_cmpuint (hs_recording_get_end_time (r), ==, last);
  hs_test_assert_file (hs_recording_get_location (r), n_frames, first, last);
}

typedef struct {
  Fixture *fx;
  GArray *values;               /* gboolean, every notified busy value */
  guint finished_while_busy;
} BusyLog;

static void
on_multi_busy (HsMultiRecorder *multi, GParamSpec *pspec, BusyLog *log)
{
  gboolean busy = hs_multi_recorder_get_busy (multi);
  gboolean any = FALSE;
  gboolean property;
  g_auto(GStrv) sources = hs_multi_recorder_dup_sources (multi);

  for (guint i = 0; sources[i] != NULL; i++)
    any |= hs_recorder_get_busy (hs_multi_recorder_get_recorder (multi,
            sources[i]));
  /* busy is the OR of the recorders', at every change */
  g_assert_cmpint (busy, ==, any);
  g_object_get (multi, "busy", &property, NULL);
  g_assert_cmpint (property, ==, busy);
  g_array_append_val (log->values, busy);
  if (!busy)
    g_assert_cmpuint (log->fx->f.finished->len, ==, 2);
}

static void
on_multi_finished (HsMultiRecorder *multi, HsRecording *recording,
                   BusyLog *log)
{
  if (hs_multi_recorder_get_busy (multi))
    log->finished_while_busy++;
}

static void
test_two_tees (Fixture *fx, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *location = hs_test_fixture_path (&fx->f,
      "%{source}/%{index}.webm");
  g_autofree char *file0 = hs_test_fixture_path (&fx->f, "tee_0/1.webm");
  g_autofree char *file1 = hs_test_fixture_path (&fx->f, "tee_1/1.webm");
  BusyLog log = { fx, g_array_new (FALSE, FALSE, sizeof (gboolean)), 0 };
  HsRecording *r0, *r1;

  fx->pipeline = hs_test_pipeline_new (TWO_SOURCES);
  fx->multi = hs_multi_recorder_new (fx->pipeline, "tee_%u", &error);
  g_assert_no_error (error);
  g_object_set (fx->multi, "pre", 0.5, "post", 0.5, "location", location,
      NULL);
  hs_test_fixture_watch (&fx->f, fx->multi);
  g_signal_connect (fx->multi, "notify::busy", G_CALLBACK (on_multi_busy),
      &log);
  g_signal_connect (fx->multi, "recording-finished",
      G_CALLBACK (on_multi_finished), &log);
  g_assert_false (hs_multi_recorder_get_busy (fx->multi));

  /* tee_0: [0.5 s, 1.5 s); tee_1: 1.5 s and 1.8 s make one file
   * [1 s, 2.3 s) */
  g_assert_true (hs_multi_recorder_trigger_at (fx->multi, "tee_0",
          GST_SECOND, &error));
  g_assert_true (hs_multi_recorder_get_busy (fx->multi));
  g_assert_true (hs_multi_recorder_trigger_at (fx->multi, "tee_1",
          1500 * GST_MSECOND, &error));
  g_assert_true (hs_multi_recorder_trigger_at (fx->multi, "tee_1",
          1800 * GST_MSECOND, &error));
  g_assert_no_error (error);
  hs_test_play (fx->pipeline);
  hs_test_fixture_wait_idle (&fx->f, fx->multi);

  /* Re-emitted signals, one file per source, in a folder of its own. */
  g_assert_cmpuint (fx->f.started->len, ==, 2);
  g_assert_cmpuint (fx->f.finished->len, ==, 2);
  r0 = finished_for (fx, "tee_0");
  r1 = finished_for (fx, "tee_1");
  g_assert_cmpstr (hs_recording_get_location (r0), ==, file0);
  g_assert_cmpstr (hs_recording_get_location (r1), ==, file1);
  assert_recording (r0, 30, FRAME (15), FRAME (44));
  /* 68/30 s < 2.3 s = 69/30 s */
  assert_recording (r1, 39, FRAME (30), FRAME (68));

  /* Busy from the first trigger until the last file closed, with no gap
   * when the first file closed. */
  g_assert_cmpuint (log.values->len, ==, 2);
  g_assert_true (g_array_index (log.values, gboolean, 0));
  g_assert_false (g_array_index (log.values, gboolean, 1));
  g_assert_cmpuint (log.finished_while_busy, ==, 2);
  g_array_unref (log.values);
}

static gboolean
position_past (gpointer data)
{
  gpointer *args = data;
  gint64 position = 0;

  gst_element_query_position (args[0], GST_FORMAT_TIME, &position);
  return position >= GPOINTER_TO_INT (args[1]) * GST_MSECOND;
}

static gboolean
n_started (gpointer data)
{
  gpointer *args = data;
  Fixture *fx = args[0];

  return fx->f.started->len >= GPOINTER_TO_UINT (args[1]);
}

static guint
count_src_pads (GstElement *pipeline, const char *name)
{
  g_autoptr(GstElement) element = gst_bin_get_by_name (GST_BIN (pipeline),
      name);
  guint n;

  GST_OBJECT_LOCK (element);
  n = element->numsrcpads;
  GST_OBJECT_UNLOCK (element);
  return n;
}

static void
test_trigger_all_and_stop (Fixture *fx, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *location = hs_test_fixture_path (&fx->f,
      "%{index}-%{source}.webm");
  gpointer position_args[2];
  gpointer started_args[2] = { fx, GUINT_TO_POINTER (2) };

  fx->pipeline = hs_test_pipeline_new (TWO_LIVE_SOURCES);
  fx->multi = hs_multi_recorder_new (fx->pipeline, "tee_%u", &error);
  g_assert_no_error (error);
  g_object_set (fx->multi, "pre", 0.2, "post", 30.0, "location", location,
      NULL);
  hs_test_fixture_watch (&fx->f, fx->multi);
  hs_test_play (fx->pipeline);
  position_args[0] = fx->pipeline;
  position_args[1] = GINT_TO_POINTER (300);
  hs_test_fixture_run_until (&fx->f, position_past, position_args);

  /* Now, on every source; then stop them all long before post is up. */
  hs_multi_recorder_trigger_all (fx->multi);
  g_assert_true (hs_multi_recorder_get_busy (fx->multi));
  hs_test_fixture_run_until (&fx->f, n_started, started_args);
  position_args[1] = GINT_TO_POINTER (800);
  hs_test_fixture_run_until (&fx->f, position_past, position_args);
  hs_multi_recorder_stop (fx->multi);
  hs_test_fixture_wait_idle (&fx->f, fx->multi);

  g_assert_cmpuint (fx->f.finished->len, ==, 2);
  for (guint i = 0; i < 2; i++) {
    HsRecording *r = fx->f.finished->pdata[i];

    g_assert_no_error ((GError *) hs_recording_get_error (r));
    g_assert_nonnull (strstr (hs_recording_get_location (r),
            hs_recording_get_source (r)));
    /* at least the 0.2 s before the trigger and what came until 0.8 s */
    g_assert_cmpuint (hs_recording_get_n_frames (r), >=, 10);
    hs_test_assert_file (hs_recording_get_location (r),
        hs_recording_get_n_frames (r), hs_recording_get_start_time (r),
        hs_recording_get_end_time (r));
  }
  g_assert_cmpstr (hs_recording_get_source (fx->f.finished->pdata[0]), !=,
      hs_recording_get_source (fx->f.finished->pdata[1]));

  /* Detach gives the tees back while the pipeline plays. */
  g_assert_cmpuint (count_src_pads (fx->pipeline, "tee_0"), ==, 2);
  hs_multi_recorder_detach (fx->multi);
  position_args[1] = GINT_TO_POINTER (1100);
  hs_test_fixture_run_until (&fx->f, position_past, position_args);
  g_assert_cmpuint (count_src_pads (fx->pipeline, "tee_0"), ==, 1);
  g_assert_cmpuint (count_src_pads (fx->pipeline, "tee_1"), ==, 1);
}

/* ------------------------------------------------------------------------ */
/* Programmer errors                                                        */

typedef struct {
  const char *name;
  void (*call) (void);
  const char *stderr_pattern;
} MisuseCase;

static void
new_without_pipeline (void)
{
  g_autoptr(HsMultiRecorder) multi = hs_multi_recorder_new (NULL, "tee_%u",
      NULL);
}

static void
new_without_pattern (void)
{
  g_autoptr(GstElement) pipeline = hs_test_pipeline_new (MANY_TEES);
  g_autoptr(HsMultiRecorder) multi = hs_multi_recorder_new (pipeline, NULL,
      NULL);
}

static void
trigger_null_source (void)
{
  g_autoptr(GstElement) pipeline = hs_test_pipeline_new (MANY_TEES);
  g_autoptr(HsMultiRecorder) multi = hs_multi_recorder_new (pipeline, "cam*",
      NULL);

  hs_multi_recorder_trigger (multi, NULL, NULL);
}

static void
trigger_all_null (void)
{
  hs_multi_recorder_trigger_all (NULL);
}

static const MisuseCase misuse_cases[] = {
  { "new-without-pipeline", new_without_pipeline,
    "*CRITICAL*GST_IS_ELEMENT*" },
  { "new-without-pattern", new_without_pattern, "*CRITICAL*pattern != NULL*" },
  { "trigger-null-source", trigger_null_source,
    "*CRITICAL*source != NULL*" },
  { "trigger-all-null", trigger_all_null,
    "*CRITICAL*HS_IS_MULTI_RECORDER*" },
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

static void
add (const char *path, void (*func) (Fixture *, gconstpointer))
{
  g_test_add (path, Fixture, NULL, setup, func, teardown);
}

#define ADD_FIXTURE(prefix, cases, func)                                      \
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++) {                          \
    g_autofree char *path = g_strdup_printf (prefix "/%s", cases[i].name);    \
    g_test_add (path, Fixture, &cases[i], setup, func, teardown);             \
  }

int
main (int argc, char **argv)
{
  gst_init (&argc, &argv);
  g_test_init (&argc, &argv, NULL);

  ADD_FIXTURE ("/multi-recorder/pattern", pattern_cases, test_pattern);
  ADD_FIXTURE ("/multi-recorder/list", list_cases, test_list);
  add ("/multi-recorder/error/unknown-source", test_unknown_source);
  add ("/multi-recorder/settings", test_settings);
  add ("/multi-recorder/record/two-tees", test_two_tees);
  add ("/multi-recorder/record/trigger-all-and-stop",
      test_trigger_all_and_stop);
  for (guint i = 0; i < G_N_ELEMENTS (misuse_cases); i++) {
    g_autofree char *path = g_strdup_printf ("/multi-recorder/misuse/%s",
        misuse_cases[i].name);

    g_test_add_data_func_full (path, (gpointer) &misuse_cases[i], test_misuse,
        NULL);
  }

  return g_test_run ();
}
