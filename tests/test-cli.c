/* hindsight-launch, driven as a user or a script would drive it: the real
 * binary in a subprocess, its JSON events read from stdout, and every file
 * it says it wrote decoded and compared with what it said.
 *
 * Non-live sources and --trigger-at wherever the timing matters; where a
 * live source is needed (stdin, signals) the checks are on what the files
 * hold, not on when things happened. Every wait has a deadline that fails
 * the test instead of hanging.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "hs-test-util.h"
#include "hs-template.h"

#include <json-glib/json-glib.h>
#include <glib/gstdio.h>
#include <signal.h>
#include <string.h>

#define FRAME (GST_SECOND / 30)

enum {
  EXIT_OK = 0,
  EXIT_RUNTIME = 1,
  EXIT_USAGE = 2,
  EXIT_DESCRIPTION = 3,
  EXIT_FORCED = 4,
};

typedef struct {
  GSubprocess *process;
  GDataInputStream *out;
  GOutputStream *in;
  char *dir;
  char *stderr_path;
  GString *stdout_text;
  GPtrArray *events;            /* JsonNode, in the order printed */
  guint consumed;               /* events already returned by wait_event */
  gboolean eof;
} Cli;

static const char *
launch_path (void)
{
  const char *env = g_getenv ("HS_LAUNCH");

  return env != NULL && env[0] != '\0' ? env : HS_LAUNCH_PATH;
}

static char *
data_path (const char *name)
{
  return g_build_filename (TEST_DATA_DIR, name, NULL);
}

static Cli *
cli_new (void)
{
  g_autoptr(GError) error = NULL;
  Cli *cli = g_new0 (Cli, 1);

  cli->dir = g_dir_make_tmp ("hindsight-cli-XXXXXX", &error);
  g_assert_no_error (error);
  cli->stderr_path = g_build_filename (cli->dir, "stderr.txt", NULL);
  cli->stdout_text = g_string_new (NULL);
  cli->events = g_ptr_array_new_with_free_func ((GDestroyNotify) json_node_unref);
  return cli;
}

static char *
cli_path (Cli *cli, const char *name)
{
  return g_build_filename (cli->dir, name, NULL);
}

static char *
cli_stderr (Cli *cli)
{
  char *text = NULL;

  if (!g_file_get_contents (cli->stderr_path, &text, NULL, NULL))
    text = g_strdup ("");
  return text;
}

static void G_GNUC_NORETURN G_GNUC_PRINTF (2, 3)
cli_fail (Cli *cli, const char *format, ...)
{
  g_autofree char *message = NULL;
  g_autofree char *err = NULL;
  va_list args;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);
  if (cli->process != NULL)
    g_subprocess_force_exit (cli->process);
  err = cli_stderr (cli);
  g_error ("%s\n--- stdout ---\n%s--- stderr ---\n%s", message,
      cli->stdout_text->str, err);
}

/* Starts hindsight-launch in the test's folder with @args (NULL-terminated). */
static void
cli_start (Cli *cli, const char *const *args)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (
      G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDIN_PIPE);
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();

  g_ptr_array_add (argv, (gpointer) launch_path ());
  for (guint i = 0; args[i] != NULL; i++)
    g_ptr_array_add (argv, (gpointer) args[i]);
  g_ptr_array_add (argv, NULL);

  g_subprocess_launcher_set_cwd (launcher, cli->dir);
  g_subprocess_launcher_set_stderr_file_path (launcher, cli->stderr_path);
  cli->process = g_subprocess_launcher_spawnv (launcher,
      (const char *const *) argv->pdata, &error);
  g_assert_no_error (error);
  cli->out = g_data_input_stream_new (
      g_subprocess_get_stdout_pipe (cli->process));
  cli->in = g_object_ref (g_subprocess_get_stdin_pipe (cli->process));
}

static void
cli_write (Cli *cli, const char *text)
{
  g_autoptr(GError) error = NULL;

  g_output_stream_write_all (cli->in, text, strlen (text), NULL, NULL,
      &error);
  g_assert_no_error (error);
  g_output_stream_flush (cli->in, NULL, &error);
  g_assert_no_error (error);
}

static void
cli_close_stdin (Cli *cli)
{
  g_output_stream_close (cli->in, NULL, NULL);
}

static void
cli_signal (Cli *cli, int signum)
{
  g_subprocess_send_signal (cli->process, signum);
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
on_deadline (gpointer user_data)
{
  *(gboolean *) user_data = TRUE;
  return G_SOURCE_REMOVE;
}

/* Iterates the default context until *@done or @deadline (monotonic µs). */
static gboolean
iterate_until (gboolean *done, gint64 deadline)
{
  gboolean expired = FALSE;
  gint64 left = deadline - g_get_monotonic_time ();
  GSource *timeout = g_timeout_source_new (left > 0 ? left / 1000 : 0);

  g_source_set_callback (timeout, on_deadline, &expired, NULL);
  g_source_attach (timeout, NULL);
  while (!*done && !expired)
    g_main_context_iteration (NULL, TRUE);
  g_source_destroy (timeout);
  g_source_unref (timeout);
  return *done;
}

static void
wait_seconds (double seconds)
{
  gboolean never = FALSE;

  iterate_until (&never, g_get_monotonic_time () +
      (gint64) (seconds * G_USEC_PER_SEC));
}

static gint64
deadline_in (double seconds)
{
  return g_get_monotonic_time () + (gint64) (seconds * G_USEC_PER_SEC);
}

/* Reads one line of stdout; FALSE at the end. JSON objects become events. */
static gboolean
cli_read_line (Cli *cli, gint64 deadline)
{
  LineRead read = { 0 };
  g_autoptr(JsonNode) node = NULL;

  if (cli->eof)
    return FALSE;
  g_data_input_stream_read_line_async (cli->out, G_PRIORITY_DEFAULT, NULL,
      on_line, &read);
  if (!iterate_until (&read.done, deadline))
    cli_fail (cli, "timed out waiting for output of hindsight-launch");
  if (read.error != NULL)
    cli_fail (cli, "reading stdout: %s", read.error->message);
  if (read.line == NULL) {
    cli->eof = TRUE;
    return FALSE;
  }
  g_string_append_printf (cli->stdout_text, "%s\n", read.line);
  if (read.line[0] == '{') {
    g_autoptr(GError) error = NULL;

    node = json_from_string (read.line, &error);
    if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
      cli_fail (cli, "not a JSON object: %s (%s)", read.line,
          error ? error->message : "");
    g_ptr_array_add (cli->events, g_steal_pointer (&node));
  }
  g_free (read.line);
  return TRUE;
}

static const char *
event_name (JsonObject *event)
{
  return json_object_get_string_member (event, "event");
}

/* The next event called @name (earlier ones of other names are kept). */
static JsonObject *
cli_wait_event (Cli *cli, const char *name, double timeout_s)
{
  gint64 deadline = deadline_in (timeout_s);

  for (;;) {
    for (guint i = cli->consumed; i < cli->events->len; i++) {
      JsonObject *event = json_node_get_object (cli->events->pdata[i]);

      if (g_str_equal (event_name (event), name)) {
        cli->consumed = i + 1;
        return event;
      }
    }
    if (!cli_read_line (cli, deadline))
      cli_fail (cli, "hindsight-launch ended without a '%s' event", name);
  }
}

static void
on_waited (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_subprocess_wait_finish (G_SUBPROCESS (source), result, NULL);
  *(gboolean *) user_data = TRUE;
}

/* Reads stdout to the end and returns the exit status. */
static int
cli_wait_exit (Cli *cli, double timeout_s)
{
  gint64 deadline = deadline_in (timeout_s);
  gboolean exited = FALSE;

  while (cli_read_line (cli, deadline))
    ;
  g_subprocess_wait_async (cli->process, NULL, on_waited, &exited);
  if (!iterate_until (&exited, deadline))
    cli_fail (cli, "hindsight-launch closed stdout but did not exit");
  if (!g_subprocess_get_if_exited (cli->process))
    cli_fail (cli, "hindsight-launch did not exit normally (signal %d)",
        g_subprocess_get_term_sig (cli->process));
  return g_subprocess_get_exit_status (cli->process);
}

static GPtrArray *
cli_events (Cli *cli, const char *name)
{
  GPtrArray *found = g_ptr_array_new ();

  for (guint i = 0; i < cli->events->len; i++) {
    JsonObject *event = json_node_get_object (cli->events->pdata[i]);

    if (g_str_equal (event_name (event), name))
      g_ptr_array_add (found, event);
  }
  return found;
}

static void
remove_tree (const char *path)
{
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  const char *name;

  if (dir == NULL) {
    g_unlink (path);
    return;
  }
  while ((name = g_dir_read_name (dir)) != NULL) {
    g_autofree char *child = g_build_filename (path, name, NULL);

    if (g_file_test (child, G_FILE_TEST_IS_DIR) &&
        !g_file_test (child, G_FILE_TEST_IS_SYMLINK))
      remove_tree (child);
    else
      g_unlink (child);
  }
  g_rmdir (path);
}

static void
cli_free (Cli *cli)
{
  if (cli->process != NULL) {
    /* Nothing happens to a process that has exited already. */
    g_subprocess_force_exit (cli->process);
    g_subprocess_wait (cli->process, NULL, NULL);
  }
  g_clear_object (&cli->in);
  g_clear_object (&cli->out);
  g_clear_object (&cli->process);
  g_ptr_array_unref (cli->events);
  g_string_free (cli->stdout_text, TRUE);
  remove_tree (cli->dir);
  g_free (cli->stderr_path);
  g_free (cli->dir);
  g_free (cli);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Cli, cli_free)

static void
cli_assert_exit (Cli *cli, int status, int expected)
{
  if (status != expected)
    cli_fail (cli, "hindsight-launch exited with %d, expected %d", status,
        expected);
}

/* Runs to the end with @args; returns the exit status. */
static int
cli_run (Cli *cli, const char *const *args, double timeout_s)
{
  cli_start (cli, args);
  cli_close_stdin (cli);
  return cli_wait_exit (cli, timeout_s);
}

/* ------------------------------------------------------------------------ */
/* Checks on files                                                          */

static GstClockTime
json_time (JsonObject *event, const char *member)
{
  double seconds = json_object_get_double_member (event, member);

  return (GstClockTime) (seconds * GST_SECOND + 0.5);
}

static void
assert_close (const char *what, GstClockTime got, GstClockTime want,
              GstClockTime tolerance)
{
  GstClockTime diff = got > want ? got - want : want - got;

  if (diff > tolerance)
    g_error ("%s: %" GST_TIME_FORMAT ", expected %" GST_TIME_FORMAT
        " (within %" GST_TIME_FORMAT ")", what, GST_TIME_ARGS (got),
        GST_TIME_ARGS (want), GST_TIME_ARGS (tolerance));
}

/* Decodes the file a "finished" event names and checks that it holds what
 * the event says: frame count, first and last timestamps, no gap. */
static void
assert_finished_matches_file (JsonObject *finished, HsTestFileInfo *info)
{
  g_autoptr(GError) error = NULL;
  const char *location = json_object_get_string_member (finished, "location");
  gint64 n_frames = json_object_get_int_member (finished, "n_frames");
  gint64 n_dropped = json_object_get_int_member (finished, "n_dropped");
  gint64 missing = 0;

  g_assert_true (json_object_get_null_member (finished, "error"));
  g_assert_nonnull (location);
  if (!hs_test_probe_file (location, info, &error))
    g_error ("%s", error->message);
  g_assert_cmpstr (info->codec, ==, "video/x-vp8");
  g_assert_true (info->starts_with_keyframe);
  g_assert_cmpint (info->n_frames, ==, n_frames);
  assert_close ("first frame", info->first_pts,
      json_time (finished, "start_time"), FRAME / 2);
  assert_close ("last frame", info->last_pts,
      json_time (finished, "end_time"), FRAME / 2);

  /* Decodable to the last frame, one frame after the other; a frame is
   * only missing if the recorder reported it dropped (a live source on a
   * machine too busy to keep up). Such a source may also stamp a frame a
   * little off the 30 fps grid: a gap is a step of a frame and a half or
   * more. */
  for (guint i = 1; i < info->pts->len; i++) {
    GstClockTime a = g_array_index (info->pts, GstClockTime, i - 1);
    GstClockTime b = g_array_index (info->pts, GstClockTime, i);

    g_assert_cmpuint (b, >, a);
    if (b - a >= FRAME * 3 / 2)
      missing += (b - a + FRAME / 2) / FRAME - 1;
  }
  g_assert_cmpint (missing, <=, n_dropped);
}

/* ------------------------------------------------------------------------ */
/* Tests                                                                    */

static void
test_help (void)
{
  g_autoptr(Cli) cli = cli_new ();
  g_autoptr(Cli) version = cli_new ();
  const char *const args[] = { "--help", NULL };
  const char *const version_args[] = { "--version", NULL };

  cli_assert_exit (cli, cli_run (cli, args, 20), EXIT_OK);
  g_assert_nonnull (strstr (cli->stdout_text->str, "Usage:"));
  g_assert_nonnull (strstr (cli->stdout_text->str, "Recording Options:"));
  g_assert_nonnull (strstr (cli->stdout_text->str, "--trigger-at"));
  g_assert_nonnull (strstr (cli->stdout_text->str, "Examples:"));
  /* GStreamer's own options stay behind --help-gst. */
  g_assert_null (strstr (cli->stdout_text->str, "--gst-debug-level"));

  cli_assert_exit (version, cli_run (version, version_args, 20), EXIT_OK);
  g_assert_true (g_str_has_prefix (version->stdout_text->str,
          "hindsight-launch "));
}

typedef struct {
  const char *name;
  const char *args[16];
  int exit_code;
  const char *stderr_has[3];
} ErrorCase;

#define NONLIVE "videotestsrc num-buffers=30 ! tee name=cam0 ! fakesink"

static const ErrorCase error_cases[] = {
  { "usage/unknown-option", { "--bogus", NONLIVE, NULL }, EXIT_USAGE,
    { "Unknown option --bogus", "Try 'hindsight-launch --help'" } },
  { "usage/bad-key", { "--1x=2", NONLIVE, NULL }, EXIT_USAGE,
    { "cannot name a placeholder", "Try" } },
  { "usage/mode", { "--mode", "fast", NONLIVE, NULL }, EXIT_USAGE,
    { "'fast'", "raw, encoded", "Try" } },
  /* No description: the demo's banner must not come before the refusal. */
  { "usage/demo-mode", { "--mode", "fast", NULL }, EXIT_USAGE,
    { "'fast'", "raw, encoded", "Try" } },
  { "usage/encoder", { "--encoder", "h264", NONLIVE, NULL }, EXIT_USAGE,
    { "h264", "vp8", "Try" } },
  { "usage/converter", { "--converter", "magic", NONLIVE, NULL },
    EXIT_USAGE, { "magic", "cpu", "Try" } },
  { "usage/output", { "-o", "x/%{nope}.webm", NONLIVE, NULL }, EXIT_USAGE,
    { "%{nope}", "Try" } },
  { "usage/negative", { "--pre", "-1", NONLIVE, NULL }, EXIT_USAGE,
    { "--pre: '-1' is not a number of seconds", "Try" } },
  { "usage/trigger-at", { "--trigger-at", "3,x", NONLIVE, NULL },
    EXIT_USAGE, { "'x' is not a running time", "Try" } },
  { "usage/trigger-source", { "--trigger-at", "cam9@3", NONLIVE, NULL },
    EXIT_USAGE, { "no recorded source matches 'cam9'", "recording: cam0" } },
  { "usage/file-and-description", { "--file", "testsrc", NONLIVE, NULL },
    EXIT_USAGE, { "either --file or a description" } },
  { "usage/unknown-tee", { "--record", "cam7", NONLIVE, NULL }, EXIT_USAGE,
    { "'cam7'", "cam0", "Try" } },
  { "usage/unknown-tee-pattern", { "-r", "tee_%u",
      "videotestsrc num-buffers=1 ! tee name=left ! fakesink "
      "videotestsrc num-buffers=1 ! tee name=right ! fakesink", NULL },
    EXIT_USAGE, { "no tee matches 'tee_%u'", "tees: left, right" } },
  { "description/missing-value", { "--file", TEST_DATA_DIR "/cli-nonlive.gstp",
      NULL }, EXIT_DESCRIPTION,
    { "cli-nonlive.gstp:3:22: {pattern} has no value",
      "--pattern=VALUE" } },
  { "description/syntax", { "videotestsrc", "pattern={oops", "!", "fakesink",
      NULL }, EXIT_DESCRIPTION,
    { "<command line>:1:22: '{' has no closing '}'" } },
  { "description/no-such-element", { "videotestsrc ! nosuchelement ! fakesink",
      NULL }, EXIT_DESCRIPTION, { "nosuchelement" } },
  { "description/no-such-file", { "--file", "no-such-pipeline", NULL },
    EXIT_DESCRIPTION, { "no-such-pipeline", "testsrc" } },
};

static void
test_error (gconstpointer data)
{
  const ErrorCase *c = data;
  g_autoptr(Cli) cli = cli_new ();
  g_autofree char *err = NULL;

  cli_assert_exit (cli, cli_run (cli, c->args, 30), c->exit_code);
  err = cli_stderr (cli);
  for (guint i = 0; i < G_N_ELEMENTS (c->stderr_has) && c->stderr_has[i];
      i++)
    if (strstr (err, c->stderr_has[i]) == NULL)
      g_error ("stderr lacks '%s':\n%s", c->stderr_has[i], err);
  /* A wrong command line prints its error and nothing else. */
  if (c->exit_code == EXIT_USAGE)
    g_assert_null (strstr (err, "No pipeline given"));
}

/* A runtime error (a device that is not there) is exit 1 and a JSON error
 * event; without v4l2src it is a description error instead. */
static void
test_runtime_error (void)
{
  g_autoptr(Cli) cli = cli_new ();
  g_autoptr(GstElementFactory) v4l2 = gst_element_factory_find ("v4l2src");
  const char *const args[] = { "--file", "v4l2",
    "--device=/dev/hindsight-no-such-camera", "--json", NULL };
  g_autoptr(GPtrArray) errors = NULL;
  int expected = v4l2 ? EXIT_RUNTIME : EXIT_DESCRIPTION;

  cli_assert_exit (cli, cli_run (cli, args, 30), expected);
  errors = cli_events (cli, "error");
  g_assert_cmpuint (errors->len, ==, 1);
  g_assert_cmpint (json_object_get_int_member (errors->pdata[0], "exit_code"),
      ==, expected);
}

/* The seed run on a non-live source: --file with {pattern} filled,
 * two --trigger-at, --stop-after, --json compared with the files. */
static void
test_file_template_triggers (void)
{
  g_autoptr(Cli) cli = cli_new ();
  g_autofree char *file = data_path ("cli-nonlive.gstp");
  g_autofree char *output = cli_path (cli, "out/%{index}.webm");
  const char *const args[] = { "--file", file, "--pattern=ball",
    "--not-used=1", "--record", "cam0", "--pre", "1", "--post", "1",
    "--trigger-at", "2,2.5", "--trigger-at", "7", "--stop-after", "9",
    "--force-timeout", "60", "-o", output, "--json", NULL };
  g_autoptr(GPtrArray) finished = NULL;
  g_auto(HsTestFileInfo) first = { 0 };
  g_auto(HsTestFileInfo) second = { 0 };
  g_autofree char *err = NULL;
  JsonObject *stopped;

  cli_assert_exit (cli, cli_run (cli, args, 60), EXIT_OK);
  err = cli_stderr (cli);
  g_assert_nonnull (strstr (err, "warning: --not-used is not used"));

  finished = cli_events (cli, "finished");
  g_assert_cmpuint (finished->len, ==, 2);
  assert_finished_matches_file (finished->pdata[0], &first);
  assert_finished_matches_file (finished->pdata[1], &second);
  /* [1 s, 3.5 s) and [6 s, 8 s), exact on a non-live source. */
  hs_test_assert_file (json_object_get_string_member (finished->pdata[0],
          "location"), 75, 1 * GST_SECOND, 7 * GST_SECOND / 2 - FRAME);
  hs_test_assert_file (json_object_get_string_member (finished->pdata[1],
          "location"), 60, 6 * GST_SECOND, 8 * GST_SECOND - FRAME);

  stopped = cli_wait_event (cli, "stopped", 1);
  g_assert_cmpstr (json_object_get_string_member (stopped, "reason"), ==,
      "stop-after");
  g_assert_cmpint (json_object_get_int_member (stopped, "exit_code"), ==, 0);
  g_assert_cmpint (json_object_get_int_member (stopped, "recordings"), ==, 2);
}

/* A description on stdin (--file -), ended by its own EOS. */
static void
test_stdin_description (void)
{
  g_autoptr(Cli) cli = cli_new ();
  g_autofree char *output = cli_path (cli, "stdin.webm");
  const char *const args[] = { "--file", "-", "--trigger-at", "1",
    "--pre", "0.5", "--post", "0.5", "--force-timeout", "60", "-o", output,
    "--json", NULL };
  g_autoptr(GPtrArray) finished = NULL;
  g_auto(HsTestFileInfo) info = { 0 };
  JsonObject *stopped;

  cli_start (cli, args);
  cli_write (cli, "# a description on stdin\n"
      "videotestsrc num-buffers=90\n"
      "  ! video/x-raw,width=160,height=120,framerate=30/1\n"
      "  ! tee name=cam0 ! fakesink\n");
  cli_close_stdin (cli);
  cli_assert_exit (cli, cli_wait_exit (cli, 60), EXIT_OK);

  finished = cli_events (cli, "finished");
  g_assert_cmpuint (finished->len, ==, 1);
  assert_finished_matches_file (finished->pdata[0], &info);
  hs_test_assert_file (output, 30, GST_SECOND / 2, 3 * GST_SECOND / 2 -
      FRAME);
  stopped = cli_wait_event (cli, "stopped", 1);
  g_assert_cmpstr (json_object_get_string_member (stopped, "reason"), ==,
      "eos");
}

/* gst-launch style: the description in arguments, one of them with blanks
 * (as a shell passes "video/x-raw, width=160"). */
static void
test_positional (void)
{
  g_autoptr(Cli) cli = cli_new ();
  g_autofree char *output = cli_path (cli, "positional.webm");
  const char *const args[] = { "videotestsrc", "num-buffers=60", "!",
    "video/x-raw, width=160, height=120, framerate=30/1", "!", "tee",
    "name=cam0", "!", "fakesink", "--trigger-at", "1", "--pre", "0.5",
    "--post", "0.5", "--force-timeout", "60", "-o", output, NULL };

  cli_assert_exit (cli, cli_run (cli, args, 60), EXIT_OK);
  hs_test_assert_file (output, 30, GST_SECOND / 2, 3 * GST_SECOND / 2 -
      FRAME);
  /* Without --json, a table of what was written on stdout. */
  g_assert_nonnull (strstr (cli->stdout_text->str, "FRAMES"));
  g_assert_nonnull (strstr (cli->stdout_text->str, "positional.webm"));
}

/* The acceptance run: the bundled live testsrc, pythiags' schedule. */
static void
test_seed_live (void)
{
  g_autoptr(Cli) cli = cli_new ();
  g_autofree char *output = cli_path (cli, "OUT/%{index}.webm");
  const char *const args[] = { "--file", "testsrc", "--record", "cam0",
    "--pre", "2", "--post", "2", "--trigger-at", "3,4,9", "--stop-after", "12",
    "--force-timeout", "60", "-o", output, "--json", NULL };
  g_autoptr(GPtrArray) finished = NULL;
  g_auto(HsTestFileInfo) first = { 0 };
  g_auto(HsTestFileInfo) second = { 0 };

  cli_assert_exit (cli, cli_run (cli, args, 60), EXIT_OK);
  finished = cli_events (cli, "finished");
  g_assert_cmpuint (finished->len, ==, 2);
  assert_finished_matches_file (finished->pdata[0], &first);
  assert_finished_matches_file (finished->pdata[1], &second);

  /* [1 s, 6 s] and [7 s, 11 s] within two frames, counts within one. */
  assert_close ("file 1 start", first.first_pts, 1 * GST_SECOND, 2 * FRAME);
  assert_close ("file 1 end", first.last_pts + FRAME, 6 * GST_SECOND,
      2 * FRAME);
  g_assert_cmpint (ABS ((int) first.n_frames - 150), <=, 1);
  assert_close ("file 2 start", second.first_pts, 7 * GST_SECOND, 2 * FRAME);
  assert_close ("file 2 end", second.last_pts + FRAME, 11 * GST_SECOND,
      2 * FRAME);
  g_assert_cmpint (ABS ((int) second.n_frames - 120), <=, 1);
  g_assert_cmpint (first.width, ==, 640);
  g_assert_cmpint (first.height, ==, 480);
}

static char **
live_args (Cli *cli, const char *first, ...)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_autofree char *file = data_path ("cli-live.gstp");
  g_autofree char *output = cli_path (cli, "%{index}.webm");
  const char *arg;
  va_list args;

  g_strv_builder_add_many (builder, "--file", file, "--record", "cam0",
      "--pre", "0.5", "--post", "0.5", "--force-timeout", "60", "-o", output,
      "--json", NULL);
  va_start (args, first);
  for (arg = first; arg != NULL; arg = va_arg (args, const char *))
    g_strv_builder_add (builder, arg);
  va_end (args);
  return g_strv_builder_end (builder);
}

/* Commands on stdin: status, an unknown one, record, stop, quit. */
static void
test_stdin_commands (void)
{
  g_autoptr(Cli) cli = cli_new ();
  g_auto(GStrv) args = live_args (cli, "--stop-after", "30", NULL);
  g_auto(HsTestFileInfo) info = { 0 };
  g_autofree char *err = NULL;
  JsonObject *status, *trigger, *finished, *stopped;
  JsonArray *recorders;

  cli_start (cli, (const char *const *) args);
  cli_wait_event (cli, "playing", 20);
  /* Let the ring fill its pre window. */
  wait_seconds (0.8);

  cli_write (cli, "status\n");
  status = cli_wait_event (cli, "status", 10);
  recorders = json_object_get_array_member (status, "recorders");
  g_assert_cmpuint (json_array_get_length (recorders), ==, 1);
  g_assert_cmpstr (json_object_get_string_member (
          json_array_get_object_element (recorders, 0), "source"), ==, "cam0");

  cli_write (cli, "bogus command\n\nrecord nope\nrecord cam0\n");
  trigger = cli_wait_event (cli, "trigger", 10);
  g_assert_cmpstr (json_object_get_string_member (trigger, "source"), ==,
      "cam0");
  g_assert_cmpstr (json_object_get_string_member (trigger, "cause"), ==,
      "stdin");
  finished = cli_wait_event (cli, "finished", 20);
  assert_finished_matches_file (finished, &info);
  /* About pre + post seconds around the trigger. */
  g_assert_cmpint (info.n_frames, >=, 25);
  g_assert_cmpint (info.n_frames, <=, 32);
  assert_close ("window end", json_time (finished, "end_time") + FRAME,
      json_time (trigger, "time") + GST_SECOND / 2, 2 * FRAME);

  /* stop while idle is harmless; quit stops gracefully. */
  cli_write (cli, "stop cam0\nquit\n");
  stopped = cli_wait_event (cli, "stopped", 20);
  g_assert_cmpstr (json_object_get_string_member (stopped, "reason"), ==,
      "quit");
  cli_assert_exit (cli, cli_wait_exit (cli, 20), EXIT_OK);

  err = cli_stderr (cli);
  g_assert_nonnull (strstr (err, "unknown command 'bogus'"));
  g_assert_nonnull (strstr (err, "no recorded source matches 'nope'"));
}

/* SIGUSR1 triggers every recorder. */
static void
test_sigusr1 (void)
{
  g_autoptr(Cli) cli = cli_new ();
  g_auto(GStrv) args = live_args (cli, "--stop-after", "30", NULL);
  g_auto(HsTestFileInfo) info = { 0 };
  JsonObject *trigger, *finished;

  cli_start (cli, (const char *const *) args);
  cli_wait_event (cli, "playing", 20);
  wait_seconds (0.8);
  cli_signal (cli, SIGUSR1);
  trigger = cli_wait_event (cli, "trigger", 10);
  g_assert_cmpstr (json_object_get_string_member (trigger, "cause"), ==,
      "SIGUSR1");
  finished = cli_wait_event (cli, "finished", 20);
  assert_finished_matches_file (finished, &info);
  g_assert_cmpint (info.n_frames, >=, 25);
  g_assert_cmpint (info.n_frames, <=, 32);

  cli_write (cli, "quit\n");
  cli_assert_exit (cli, cli_wait_exit (cli, 20), EXIT_OK);
}

/* Ctrl+C in the middle of a recording: the file is finished properly,
 * decodable to its last frame, and the exit status is 0. */
static void
test_sigint_mid_recording (void)
{
  g_autoptr(Cli) cli = cli_new ();
  g_auto(GStrv) args = live_args (cli, "--trigger-at", "1", "--post", "60",
      "--stop-after", "60", NULL);
  g_auto(HsTestFileInfo) info = { 0 };
  JsonObject *finished, *stopped;

  cli_start (cli, (const char *const *) args);
  cli_wait_event (cli, "started", 20);
  wait_seconds (1.0);
  cli_signal (cli, SIGINT);

  finished = cli_wait_event (cli, "finished", 20);
  assert_finished_matches_file (finished, &info);
  /* From 0.5 s to the interrupt, at least a second later. */
  assert_close ("start", info.first_pts, GST_SECOND / 2, FRAME);
  g_assert_cmpint (info.n_frames, >=, 30);
  stopped = cli_wait_event (cli, "stopped", 20);
  g_assert_cmpstr (json_object_get_string_member (stopped, "reason"), ==,
      "signal");
  g_assert_cmpint (json_object_get_int_member (stopped, "open"), ==, 0);
  cli_assert_exit (cli, cli_wait_exit (cli, 20), EXIT_OK);
}

/* A pipeline whose end of stream never reaches its sink (a closed valve)
 * cannot stop gracefully. */
#define STUCK \
  "videotestsrc is-live=true ! video/x-raw,width=160,height=120,framerate=30/1" \
  " ! tee name=cam0 ! queue ! valve drop=true ! fakesink"

/* A second Ctrl+C forces the stop at once: exit status 4. */
static void
test_sigint_twice (void)
{
  g_autoptr(Cli) cli = cli_new ();
  g_autofree char *output = cli_path (cli, "stuck.webm");
  const char *const args[] = { STUCK, "--trigger-at", "0.5", "--pre", "0.2",
    "--post", "60", "--force-timeout", "60", "-o", output, "--json", NULL };
  gint64 interrupted;
  JsonObject *stopped;

  cli_start (cli, args);
  cli_wait_event (cli, "started", 20);
  cli_signal (cli, SIGINT);
  /* The recorder finishes its file; the pipeline itself cannot stop. */
  cli_wait_event (cli, "finished", 20);
  wait_seconds (0.5);
  /* Still running: the identifier goes once the process has exited. */
  g_assert_nonnull (g_subprocess_get_identifier (cli->process));

  interrupted = g_get_monotonic_time ();
  cli_signal (cli, SIGINT);
  stopped = cli_wait_event (cli, "stopped", 10);
  g_assert_cmpstr (json_object_get_string_member (stopped, "reason"), ==,
      "forced");
  cli_assert_exit (cli, cli_wait_exit (cli, 10), EXIT_FORCED);
  g_assert_cmpint (g_get_monotonic_time () - interrupted, <,
      5 * G_USEC_PER_SEC);
}

/* --force-timeout: a graceful stop that cannot finish is forced by itself. */
static void
test_force_timeout (void)
{
  g_autoptr(Cli) cli = cli_new ();
  g_autofree char *output = cli_path (cli, "stuck.webm");
  const char *const args[] = { STUCK, "--trigger-at", "0.3", "--pre", "0.1",
    "--post", "0.2", "--force-timeout", "0.5", "-o", output, "--json", NULL };
  JsonObject *stopped;

  cli_start (cli, args);
  /* Its sink never gets a frame, so the pipeline never reports PLAYING;
   * the recorder works all the same. */
  cli_wait_event (cli, "finished", 20);
  cli_signal (cli, SIGTERM);
  stopped = cli_wait_event (cli, "stopped", 20);
  g_assert_cmpstr (json_object_get_string_member (stopped, "reason"), ==,
      "forced");
  cli_assert_exit (cli, cli_wait_exit (cli, 10), EXIT_FORCED);
}

/* Element messages trigger: a level meter on an audio branch records the
 * video tee it is mapped to (cam1), not the other one. */
static void
test_trigger_on_message (void)
{
  g_autoptr(Cli) cli = cli_new ();
  g_autofree char *output = cli_path (cli, "%{source}-%{index}.webm");
  const char *const args[] = {
    "videotestsrc is-live=true num-buffers=60 "
    "! video/x-raw,width=160,height=120,framerate=30/1 ! tee name=cam0 "
    "! fakesink "
    "videotestsrc is-live=true num-buffers=60 pattern=ball "
    "! video/x-raw,width=160,height=120,framerate=30/1 ! tee name=cam1 "
    "! fakesink "
    "audiotestsrc is-live=true samplesperbuffer=4410 num-buffers=5 "
    "! level interval=100000000 ! fakesink",
    "--record", "cam*", "--trigger-on-message", "level=cam1",
    "--pre", "0.5", "--post", "0.5", "--force-timeout", "60", "-o", output,
    "--json", NULL };
  g_autoptr(GPtrArray) triggers = NULL;
  g_autoptr(GPtrArray) finished = NULL;
  g_auto(HsTestFileInfo) info = { 0 };
  GstClockTime last_trigger = 0;

  cli_assert_exit (cli, cli_run (cli, args, 60), EXIT_OK);
  triggers = cli_events (cli, "trigger");
  g_assert_cmpuint (triggers->len, >=, 4);
  for (guint i = 0; i < triggers->len; i++) {
    g_assert_cmpstr (json_object_get_string_member (triggers->pdata[i],
            "source"), ==, "cam1");
    g_assert_nonnull (strstr (json_object_get_string_member (
                triggers->pdata[i], "cause"), "'level'"));
    last_trigger = MAX (last_trigger, json_time (triggers->pdata[i], "time"));
  }

  finished = cli_events (cli, "finished");
  g_assert_cmpuint (finished->len, ==, 1);
  g_assert_cmpstr (json_object_get_string_member (finished->pdata[0],
          "source"), ==, "cam1");
  assert_finished_matches_file (finished->pdata[0], &info);
  /* The messages say when they measured: from the first frame to the last
   * message's time plus post. A live source's first frame comes when it
   * has started, a frame or two after 0 on a slow (sanitized) build. */
  assert_close ("start", info.first_pts, 0, 3 * FRAME);
  assert_close ("end", info.last_pts + FRAME, last_trigger + GST_SECOND / 2,
      2 * FRAME);
}

/* No description: the bundled demo, here with a shorter schedule; it writes
 * under recordings/ and prints the table. (Its first frames can be late
 * while the overlay loads its fonts, so the window starts at 1.5 s.) */
static void
test_demo (void)
{
  g_autoptr(Cli) cli = cli_new ();
  const char *const args[] = { "--trigger-at", "2", "--pre", "0.5",
    "--post", "0.5", "--stop-after", "3", "--force-timeout", "60", NULL };
  g_autofree char *recordings = NULL;
  g_autoptr(GDir) dir = NULL;
  const char *name;
  guint n_files = 0;

  cli_assert_exit (cli, cli_run (cli, args, 60), EXIT_OK);
  g_assert_nonnull (strstr (cli->stdout_text->str, "FILE"));
  g_assert_nonnull (strstr (cli->stdout_text->str, "recordings/cam0-"));

  recordings = cli_path (cli, "recordings");
  dir = g_dir_open (recordings, 0, NULL);
  g_assert_nonnull (dir);
  while ((name = g_dir_read_name (dir)) != NULL) {
    g_autofree char *path = g_build_filename (recordings, name, NULL);
    g_auto(HsTestFileInfo) info = { 0 };
    g_autoptr(GError) error = NULL;

    g_assert_true (g_str_has_prefix (name, "cam0-"));
    g_assert_true (hs_test_probe_file (path, &info, &error));
    g_assert_no_error (error);
    /* A live source: about a second of frames, fewer only if the machine
     * was too busy to render them all. */
    g_assert_cmpint (info.n_frames, >=, 10);
    g_assert_cmpint (info.n_frames, <=, 31);
    g_assert_cmpuint (info.last_pts - info.first_pts, <=, GST_SECOND);
    n_files++;
  }
  g_assert_cmpuint (n_files, ==, 1);
}

/* Every bundled description templates with its documented keys and, where
 * its elements are installed, parses and has the tees it promises. */
static void
test_bundled (void)
{
  const struct {
    const char *name;
    const char *tees;
  } bundled[] = {
    { "testsrc", "cam0" },
    { "multi-testsrc", "tee_0 tee_1 tee_2 tee_3" },
    { "v4l2", "cam0" },
    { "rtsp", "cam0" },
    { "file", "cam0" },
    { "deepstream", "cam0" },
    { "jetson", "cam0" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (bundled); i++) {
    g_autofree char *file = g_strconcat (bundled[i].name, ".gstp", NULL);
    g_autofree char *path = g_build_filename (HS_SOURCE_PIPELINES_DIR, file,
        NULL);
    g_autofree char *text = NULL;
    g_autofree char *desc = NULL;
    g_autoptr(HsTemplate) values = hs_template_new ();
    g_autoptr(GError) error = NULL;
    g_autoptr(GstParseContext) context = gst_parse_context_new ();
    g_autoptr(GstElement) pipeline = NULL;
    g_auto(GStrv) missing = NULL;
    g_auto(GStrv) tees = g_strsplit (bundled[i].tees, " ", -1);

    g_assert_true (g_file_get_contents (path, &text, NULL, &error));
    g_assert_true (g_str_has_prefix (text, "# "));
    g_assert_nonnull (strstr (text, "Needs:"));
    g_assert_nonnull (strstr (text, "Shows:"));
    hs_template_set (values, "url", "rtsp://127.0.0.1:8554/test");
    hs_template_set (values, "location", "/nonexistent.mp4");
    desc = hs_template_expand (values, text, file, HS_TEMPLATE_FLAGS_NONE,
        &error);
    g_assert_no_error (error);

    pipeline = gst_parse_launch_full (desc, context,
        GST_PARSE_FLAG_FATAL_ERRORS, &error);
    missing = gst_parse_context_get_missing_elements (context);
    if (missing != NULL && missing[0] != NULL) {
      g_autofree char *names = g_strjoinv (", ", missing);

      g_test_message ("%s: not checked, missing %s", file, names);
      continue;
    }
    g_assert_no_error (error);
    g_assert_nonnull (pipeline);
    gst_object_ref_sink (pipeline);
    for (guint j = 0; tees[j] != NULL; j++) {
      g_autoptr(GstElement) tee = gst_bin_get_by_name (GST_BIN (pipeline),
          tees[j]);

      g_assert_nonnull (tee);
    }
  }
}

int
main (int argc, char **argv)
{
  gst_init (&argc, &argv);
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/cli/help", test_help);
  for (guint i = 0; i < G_N_ELEMENTS (error_cases); i++) {
    g_autofree char *path = g_strdup_printf ("/cli/error/%s",
        error_cases[i].name);

    g_test_add_data_func (path, &error_cases[i], test_error);
  }
  g_test_add_func ("/cli/error/runtime", test_runtime_error);
  g_test_add_func ("/cli/bundled", test_bundled);
  g_test_add_func ("/cli/file-template-triggers", test_file_template_triggers);
  g_test_add_func ("/cli/stdin-description", test_stdin_description);
  g_test_add_func ("/cli/positional", test_positional);
  g_test_add_func ("/cli/trigger-on-message", test_trigger_on_message);
  g_test_add_func ("/cli/stdin-commands", test_stdin_commands);
  g_test_add_func ("/cli/sigusr1", test_sigusr1);
  g_test_add_func ("/cli/sigint", test_sigint_mid_recording);
  g_test_add_func ("/cli/sigint-twice", test_sigint_twice);
  g_test_add_func ("/cli/force-timeout", test_force_timeout);
  g_test_add_func ("/cli/demo", test_demo);
  g_test_add_func ("/cli/seed-live", test_seed_live);
  return g_test_run ();
}
