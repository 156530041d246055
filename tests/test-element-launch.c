/* The hindsightrecorder element as a user meets it: gst-launch-1.0 and
 * gst-inspect-1.0 run as programs, with GST_PLUGIN_PATH pointing at the
 * build (the test environment's). The README's lines are run as printed;
 * the files they write are decoded and compared with the messages that
 * gst-launch-1.0 -m printed.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "hs-test-util.h"

#include <signal.h>

#define FRAME(k) ((GstClockTime) gst_util_uint64_scale ((k), GST_SECOND, 30))

typedef struct {
  HsTestFixture f;
  GSubprocess *process;
  GDataInputStream *out;
  GString *output;              /* everything it printed */
  gboolean eof;
  gint64 deadline;              /* the watchdog, monotonic µs */
} Fixture;

static void
fixture_setup (Fixture *fx, gconstpointer data)
{
  hs_test_fixture_setup (&fx->f, data);
  fx->output = g_string_new (NULL);
  fx->deadline = g_get_monotonic_time () + fx->f.timeout_s * G_USEC_PER_SEC;
}

static void
fixture_teardown (Fixture *fx, gconstpointer data)
{
  if (fx->process != NULL) {
    g_subprocess_force_exit (fx->process);
    g_subprocess_wait (fx->process, NULL, NULL);
  }
  g_clear_object (&fx->out);
  g_clear_object (&fx->process);
  g_string_free (fx->output, TRUE);
  hs_test_fixture_teardown (&fx->f, data);
}

#define add_test(path, func) \
  g_test_add ((path), Fixture, NULL, fixture_setup, (func), fixture_teardown)

static gboolean
tool_missing (const char *path, const char *name)
{
  g_autofree char *why = NULL;

  if (path[0] != '\0')
    return FALSE;
  why = g_strdup_printf ("%s is not installed (gstreamer1.0-tools)", name);
  g_test_skip (why);
  return TRUE;
}

static void G_GNUC_NORETURN G_GNUC_PRINTF (2, 3)
fail (Fixture *fx, const char *format, ...)
{
  g_autofree char *message = NULL;
  va_list args;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);
  g_error ("%s\n--- output ---\n%s", message, fx->output->str);
}

/* Starts @tool with @args (NULL-terminated) in the test's folder, its
 * stdout and stderr read as one. */
static void
spawn (Fixture *fx, const char *tool, const char *const *args)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (
      G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_MERGE);
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();

  g_ptr_array_add (argv, (gpointer) tool);
  for (guint i = 0; args[i] != NULL; i++)
    g_ptr_array_add (argv, (gpointer) args[i]);
  g_ptr_array_add (argv, NULL);

  g_subprocess_launcher_set_cwd (launcher, fx->f.tmpdir);
  if (SANITIZER_PRELOAD[0] != '\0') {
    /* The tools are not instrumented; the plugin they load is. Leaks are
     * checked in test-element, in a process that is instrumented as a
     * whole. */
    g_subprocess_launcher_setenv (launcher, "LD_PRELOAD", SANITIZER_PRELOAD,
        TRUE);
    g_subprocess_launcher_setenv (launcher, "ASAN_OPTIONS",
        "detect_leaks=0:abort_on_error=1", TRUE);
  }
  fx->process = g_subprocess_launcher_spawnv (launcher,
      (const char *const *) argv->pdata, &error);
  g_assert_no_error (error);
  fx->out = g_data_input_stream_new (
      g_subprocess_get_stdout_pipe (fx->process));
}

typedef struct {
  gboolean done;
  char *line;
  GError *error;
} LineRead;

static void
on_line (GObject *source, GAsyncResult *result, gpointer user_data)
{
  LineRead *read = user_data;

  read->line = g_data_input_stream_read_line_finish_utf8 (
      G_DATA_INPUT_STREAM (source), result, NULL, &read->error);
  read->done = TRUE;
}

static gboolean
is_done (gpointer data)
{
  return *(gboolean *) data;
}

/* The next line it prints, or NULL at the end. */
static char *
read_line (Fixture *fx)
{
  LineRead read = { 0 };

  if (fx->eof)
    return NULL;
  g_data_input_stream_read_line_async (fx->out, G_PRIORITY_DEFAULT, NULL,
      on_line, &read);
  hs_test_fixture_run_until (&fx->f, is_done, &read.done);
  if (read.error != NULL)
    fail (fx, "reading the output: %s", read.error->message);
  if (read.line == NULL)
    fx->eof = TRUE;
  else
    g_string_append_printf (fx->output, "%s\n", read.line);
  return read.line;
}

static void
on_waited (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_subprocess_wait_finish (G_SUBPROCESS (source), result, NULL);
  *(gboolean *) user_data = TRUE;
}

/* Reads to the end and returns the exit status. */
static int
wait_exit (Fixture *fx)
{
  gboolean exited = FALSE;
  char *line;

  while ((line = read_line (fx)) != NULL)
    g_free (line);
  g_subprocess_wait_async (fx->process, NULL, on_waited, &exited);
  hs_test_fixture_run_until (&fx->f, is_done, &exited);
  if (!g_subprocess_get_if_exited (fx->process))
    fail (fx, "it did not exit normally (signal %d)",
        g_subprocess_get_term_sig (fx->process));
  return g_subprocess_get_exit_status (fx->process);
}

/* The structures of the element messages called @name that gst-launch-1.0
 * -m printed, in order. */
static GPtrArray *
printed_reports (Fixture *fx, const char *name)
{
  GPtrArray *found = g_ptr_array_new_with_free_func (
      (GDestroyNotify) gst_structure_free);
  g_auto(GStrv) lines = g_strsplit (fx->output->str, "\n", -1);
  g_autofree char *marker = g_strdup_printf ("(element): %s,", name);

  for (guint i = 0; lines[i] != NULL; i++) {
    const char *at = strstr (lines[i], marker);
    GstStructure *s;

    if (at == NULL)
      continue;
    s = gst_structure_from_string (at + strlen ("(element): "), NULL);
    if (s == NULL)
      fail (fx, "cannot read the message: %s", lines[i]);
    g_ptr_array_add (found, s);
  }
  return found;
}

/* The file a printed finished message names, decoded; the message's
 * frames and times are what a player sees. */
static void
probe_printed (Fixture *fx, const GstStructure *s, HsTestFileInfo *info)
{
  const char *location = gst_structure_get_string (s, "location");
  g_autofree char *path = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_nonnull (location);
  g_assert_cmpstr (gst_structure_get_string (s, "error"), ==, NULL);
  path = g_path_is_absolute (location) ? g_strdup (location) :
      g_build_filename (fx->f.tmpdir, location, NULL);
  if (!hs_test_probe_file (path, info, &error))
    fail (fx, "%s", error->message);
  g_assert_cmpstr (info->codec, ==, "video/x-vp8");
  g_assert_true (info->starts_with_keyframe);
  g_assert_cmpuint (hs_test_field_u64 (s, "n-frames"), ==, info->n_frames);
  /* WebM keeps milliseconds. */
  g_assert_cmpuint (ABS (GST_CLOCK_DIFF (hs_test_field_u64 (s, "start-time"),
              info->first_pts)), <=, GST_MSECOND);
  g_assert_cmpuint (ABS (GST_CLOCK_DIFF (hs_test_field_u64 (s, "end-time"),
              info->last_pts)), <=, GST_MSECOND);
}

/* A live 30 fps source's frames lie on a grid shifted by when its first
 * frame came (a frame or more on a loaded or sanitized build). A window
 * [@start, @end) holds exactly the frames in it: @n_frames of them, the
 * first within a frame after @start, the last within a frame before @end,
 * none missing. */
static void
assert_printed_window (Fixture *fx, const GstStructure *s, GstClockTime start,
                       GstClockTime end, guint n_frames)
{
  g_auto(HsTestFileInfo) info = { 0 };

  probe_printed (fx, s, &info);
  /* (within WebM's millisecond of either bound) */
  if (info.n_frames != n_frames || info.first_pts + GST_MSECOND < start ||
      info.first_pts >= start + FRAME (1) + GST_MSECOND ||
      info.last_pts >= end + GST_MSECOND ||
      info.last_pts + GST_MSECOND < end - FRAME (1))
    fail (fx, "%s: %u frames from %" GST_TIME_FORMAT " to %" GST_TIME_FORMAT
        ", expected the %u frames of [%" GST_TIME_FORMAT ", %" GST_TIME_FORMAT
        ")", gst_structure_get_string (s, "location"), info.n_frames,
        GST_TIME_ARGS (info.first_pts), GST_TIME_ARGS (info.last_pts),
        n_frames, GST_TIME_ARGS (start), GST_TIME_ARGS (end));
  for (guint i = 1; i < info.pts->len; i++)
    g_assert_cmpuint (g_array_index (info.pts, GstClockTime, i) -
        g_array_index (info.pts, GstClockTime, i - 1), <, FRAME (3) / 2);
}

/* Runs gst-launch-1.0 -m with @line's words (as a shell would give them)
 * and checks that it ended well. */
static void
run_launch (Fixture *fx, const char *line)
{
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) words = NULL;
  g_autoptr(GStrvBuilder) args = g_strv_builder_new ();
  g_auto(GStrv) argv = NULL;
  int status;

  g_assert_true (g_shell_parse_argv (line, NULL, &words, &error));
  g_assert_cmpstr (words[0], ==, "gst-launch-1.0");
  g_strv_builder_add (args, "-m");
  g_strv_builder_addv (args, (const char **) words + 1);
  argv = g_strv_builder_end (args);
  spawn (fx, GST_LAUNCH_PATH, (const char *const *) argv);
  status = wait_exit (fx);
  if (status != 0)
    fail (fx, "gst-launch-1.0 exited with %d", status);
  if (strstr (fx->output->str, "ERROR") != NULL ||
      strstr (fx->output->str, "WARNING") != NULL)
    fail (fx, "gst-launch-1.0 reported a problem");
}

/* ------------------------------------------------------------------------ */
/* The README's lines, as printed there.                                    */

static void
test_readme_trigger_times (Fixture *fx, gconstpointer data)
{
  g_autoptr(GPtrArray) finished = NULL;

  if (tool_missing (GST_LAUNCH_PATH, "gst-launch-1.0"))
    return;
  run_launch (fx, "gst-launch-1.0 -e videotestsrc is-live=true "
      "num-buffers=300 ! tee name=t t. ! queue ! fakesink t. ! queue ! "
      "hindsightrecorder pre=2 post=2 trigger-times=\"<3.0>\" "
      "location=clips/%{index}.webm");
  finished = printed_reports (fx, "hindsight-recording-finished");
  g_assert_cmpuint (finished->len, ==, 1);
  assert_printed_window (fx, finished->pdata[0], GST_SECOND, 5 * GST_SECOND,
      120);
  g_assert_cmpstr (gst_structure_get_string (finished->pdata[0], "location"),
      ==, "clips/1.webm");
}

static void
test_readme_two_windows (Fixture *fx, gconstpointer data)
{
  g_autoptr(GPtrArray) finished = NULL;

  if (tool_missing (GST_LAUNCH_PATH, "gst-launch-1.0"))
    return;
  run_launch (fx, "gst-launch-1.0 -e videotestsrc is-live=true "
      "num-buffers=360 ! tee name=t t. ! queue ! fakesink t. ! queue ! "
      "hindsightrecorder name=cam0 pre=2 post=2 "
      "trigger-times=\"<3.0,4.0,9.0>\" location=clips/%{source}-%{index}.webm");
  finished = printed_reports (fx, "hindsight-recording-finished");
  g_assert_cmpuint (finished->len, ==, 2);
  /* 4 s extends the window of 3 s */
  assert_printed_window (fx, finished->pdata[0], GST_SECOND, 6 * GST_SECOND,
      150);
  assert_printed_window (fx, finished->pdata[1], 7 * GST_SECOND,
      11 * GST_SECOND, 120);
  g_assert_cmpstr (gst_structure_get_string (finished->pdata[1], "location"),
      ==, "clips/cam0-2.webm");
}

static void
test_readme_from_file (Fixture *fx, gconstpointer data)
{
  g_autoptr(GPtrArray) finished = NULL;

  if (tool_missing (GST_LAUNCH_PATH, "gst-launch-1.0"))
    return;
  /* The source: the README's first line, [1 s, 5 s). */
  run_launch (fx, "gst-launch-1.0 -e videotestsrc is-live=true "
      "num-buffers=300 ! tee name=t t. ! queue ! fakesink t. ! queue ! "
      "hindsightrecorder pre=2 post=2 trigger-times=\"<3.0>\" "
      "location=clips/%{index}.webm");
  g_string_truncate (fx->output, 0);
  g_clear_object (&fx->out);
  g_clear_object (&fx->process);
  fx->eof = FALSE;

  run_launch (fx, "gst-launch-1.0 -e filesrc location=clips/1.webm ! "
      "matroskademux ! vp8dec ! hindsightrecorder pre=1 post=1 max-duration=1 "
      "trigger-times=\"<2.5>\" location=clips/part-%{index}.webm");
  finished = printed_reports (fx, "hindsight-recording-finished");
  /* [1.5 s, 3.5 s) of a file whose frames keep their times (1 s on), in
   * files of at most a second: the second starts with the frame after the
   * first's last. */
  g_assert_cmpuint (finished->len, ==, 2);
  assert_printed_window (fx, finished->pdata[0], 3 * GST_SECOND / 2,
      hs_test_field_u64 (finished->pdata[0], "start-time") + GST_SECOND, 30);
  assert_printed_window (fx, finished->pdata[1], 5 * GST_SECOND / 2,
      7 * GST_SECOND / 2, 30);
  g_assert_cmpuint (hs_test_field_u64 (finished->pdata[1], "start-time") -
      hs_test_field_u64 (finished->pdata[0], "end-time"), <, FRAME (3) / 2);
}

/* Ctrl+C under -e while a window is open: the file is complete and
 * gst-launch-1.0 exits 0. */
static void
test_interrupt (Fixture *fx, gconstpointer data)
{
  const char *const args[] = { "-m", "-e", "videotestsrc", "is-live=true",
    "!", "video/x-raw,width=160,height=120,framerate=30/1", "!",
    "tee", "name=t", "t.", "!", "queue", "!", "fakesink", "sync=true",
    "t.", "!", "queue", "!", "hindsightrecorder", "pre=1", "post=60",
    "trigger-times=<2.0>", "location=%{index}.webm", NULL };
  g_autoptr(GPtrArray) finished = NULL;
  g_auto(HsTestFileInfo) info = { 0 };
  int status;

  if (tool_missing (GST_LAUNCH_PATH, "gst-launch-1.0"))
    return;
  spawn (fx, GST_LAUNCH_PATH, args);
  for (;;) {
    g_autofree char *line = read_line (fx);

    if (line == NULL)
      fail (fx, "gst-launch-1.0 ended before the recording started");
    if (strstr (line, "hindsight-recording-started") != NULL)
      break;
  }
  g_subprocess_send_signal (fx->process, SIGINT);
  status = wait_exit (fx);
  if (status != 0)
    fail (fx, "gst-launch-1.0 exited with %d", status);

  finished = printed_reports (fx, "hindsight-recording-finished");
  g_assert_cmpuint (finished->len, ==, 1);
  probe_printed (fx, finished->pdata[0], &info);
  g_assert_cmpstr (gst_structure_get_string (finished->pdata[0], "location"),
      ==, "1.webm");
  /* From 1 s to where the interrupt came (after the window opened at 2 s),
   * every frame. */
  g_assert_cmpuint (info.first_pts, >=, GST_SECOND);
  g_assert_cmpuint (info.first_pts, <, GST_SECOND + FRAME (1));
  g_assert_cmpuint (info.last_pts, >=, 2 * GST_SECOND - FRAME (1));
  g_assert_cmpuint (info.n_frames, ==,
      gst_util_uint64_scale_round (info.last_pts - info.first_pts, 30,
          GST_SECOND) + 1);
}

static void
test_inspect (Fixture *fx, gconstpointer data)
{
  const char *const args[] = { "hindsightrecorder", NULL };
  g_autoptr(GstElement) rec = gst_element_factory_make ("hindsightrecorder",
      NULL);
  g_autofree GParamSpec **specs = NULL;
  guint n;
  int status;

  if (tool_missing (GST_INSPECT_PATH, "gst-inspect-1.0"))
    return;
  spawn (fx, GST_INSPECT_PATH, args);
  status = wait_exit (fx);
  if (status != 0)
    fail (fx, "gst-inspect-1.0 exited with %d", status);

  g_assert_nonnull (rec);
  specs = g_object_class_list_properties (G_OBJECT_GET_CLASS (rec), &n);
  g_assert_cmpuint (n, >=, 17);
  for (guint i = 0; i < n; i++) {
    g_autofree char *listed = g_strdup_printf ("\n  %-20s: %s\n",
        specs[i]->name, g_param_spec_get_blurb (specs[i]));

    if (strstr (fx->output->str, listed) == NULL)
      fail (fx, "gst-inspect-1.0 does not list '%s' with its description",
          specs[i]->name);
  }
  g_assert_null (strstr (fx->output->str, "(null)"));
  g_assert_nonnull (strstr (fx->output->str, "SINK template: 'video'"));
  g_assert_nonnull (strstr (fx->output->str, "\"trigger-at\""));
  g_assert_nonnull (strstr (fx->output->str, "\"recording-finished\""));
}

int
main (int argc, char **argv)
{
  gst_init (&argc, &argv);
  g_test_init (&argc, &argv, NULL);

  add_test ("/element/launch/readme/trigger-times", test_readme_trigger_times);
  add_test ("/element/launch/readme/two-windows", test_readme_two_windows);
  add_test ("/element/launch/readme/from-file", test_readme_from_file);
  add_test ("/element/launch/interrupt", test_interrupt);
  add_test ("/element/inspect", test_inspect);

  return g_test_run ();
}
