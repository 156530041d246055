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
#define _GNU_SOURCE             /* posix_openpt() */
#include "hs-test-util.h"
#include "hs-template.h"

#include <errno.h>
#include <fcntl.h>
#include <gio/gunixinputstream.h>
#include <gio/gunixoutputstream.h>
#include <json-glib/json-glib.h>
#include <glib/gstdio.h>
#include <glib-unix.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#define FRAME (GST_SECOND / 30)

enum {
  EXIT_OK = 0,
  EXIT_RUNTIME = 1,
  EXIT_USAGE = 2,
  EXIT_DESCRIPTION = 3,
  EXIT_FORCED = 4,
  EXIT_OUTPUT = 5,
};

/* How the process's standard streams are set up, beyond the default
 * (stdin and stdout pipes to the test, stderr to a file). */
typedef enum {
  CLI_STDIO_DEFAULT = 0,
  CLI_STDIN_CLOSED = 1 << 0,
  CLI_STDOUT_CLOSED = 1 << 1,
  CLI_STDOUT_FULL = 1 << 2,     /* /dev/full */
  CLI_STDERR_FULL = 1 << 3,
  CLI_STDERR_CLOSED = 1 << 4,
  CLI_SIGHUP_IGNORED = 1 << 5,  /* as under nohup */
  CLI_OWN_GROUP = 1 << 6,       /* a process group of its own, as a job */
  CLI_TERMINAL = 1 << 7,        /* stdin, stdout and stderr on a terminal */
} CliStdio;

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
  CliStdio stdio;
  int pass_fd;                  /* given to the process as fd 3, or -1 */
  const char *stdin_path;       /* stdin from this file instead of a pipe */
  gboolean no_gst_log;          /* GStreamer's own log off, as by default */
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
  cli->pass_fd = -1;
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
  g_autofree char *text = NULL;

  if (!g_file_get_contents (cli->stderr_path, &text, NULL, NULL))
    return g_strdup ("");
  return g_steal_pointer (&text);
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

/* Runs in the child between fork and exec: only async-signal-safe calls. */
static void
child_setup (gpointer user_data)
{
  CliStdio stdio = GPOINTER_TO_UINT (user_data);

  if (stdio & CLI_STDIN_CLOSED)
    close (STDIN_FILENO);
  if (stdio & CLI_STDOUT_CLOSED)
    close (STDOUT_FILENO);
  if (stdio & CLI_STDERR_CLOSED)
    close (STDERR_FILENO);
  if (stdio & CLI_SIGHUP_IGNORED) {
    struct sigaction ignore = { 0 };

    ignore.sa_handler = SIG_IGN;
    sigaction (SIGHUP, &ignore, NULL);
  }
  if (stdio & CLI_OWN_GROUP)
    setpgid (0, 0);
  if (stdio & CLI_TERMINAL) {
    /* The terminal on stdin becomes the controlling terminal of a new
     * session: closing its other end hangs it up. */
    setsid ();
    ioctl (STDIN_FILENO, TIOCSCTTY, 0);
  }
}

/* A terminal (a pseudo-terminal pair): returns the controlling side, and
 * the terminal's side in @terminal. */
static int
open_terminal (int *terminal)
{
  int master = posix_openpt (O_RDWR | O_NOCTTY | O_CLOEXEC);

  g_assert_cmpint (master, >=, 0);
  g_assert_cmpint (grantpt (master), ==, 0);
  g_assert_cmpint (unlockpt (master), ==, 0);
  *terminal = open (ptsname (master), O_RDWR | O_NOCTTY | O_CLOEXEC);
  g_assert_cmpint (*terminal, >=, 0);
  return master;
}

/* Starts @argv0 (the tool if NULL) with @args in the test's folder, its
 * standard streams as @stdio says. */
static void
cli_start_program (Cli *cli, const char *argv0, const char *const *args,
                   CliStdio stdio)
{
  g_autoptr(GError) error = NULL;
  GSubprocessFlags flags = G_SUBPROCESS_FLAGS_NONE;
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  int master = -1;

  if (!(stdio & CLI_TERMINAL)) {
    if (cli->stdin_path == NULL)
      flags |= G_SUBPROCESS_FLAGS_STDIN_PIPE;
    if (!(stdio & CLI_STDOUT_FULL))
      flags |= G_SUBPROCESS_FLAGS_STDOUT_PIPE;
  }
  launcher = g_subprocess_launcher_new (flags);
  g_ptr_array_add (argv, (gpointer) (argv0 ? argv0 : launch_path ()));
  for (guint i = 0; args[i] != NULL; i++)
    g_ptr_array_add (argv, (gpointer) args[i]);
  g_ptr_array_add (argv, NULL);

  g_subprocess_launcher_set_cwd (launcher, cli->dir);
  if (cli->no_gst_log)
    g_subprocess_launcher_setenv (launcher, "GST_DEBUG", "0", TRUE);
  if (stdio & CLI_TERMINAL) {
    int terminal;

    master = open_terminal (&terminal);
    g_subprocess_launcher_take_stdin_fd (launcher, dup (terminal));
    g_subprocess_launcher_take_stdout_fd (launcher, dup (terminal));
    g_subprocess_launcher_take_stderr_fd (launcher, terminal);
  } else {
    if (cli->stdin_path != NULL)
      g_subprocess_launcher_set_stdin_file_path (launcher, cli->stdin_path);
    if (stdio & CLI_STDOUT_FULL)
      g_subprocess_launcher_set_stdout_file_path (launcher, "/dev/full");
    g_subprocess_launcher_set_stderr_file_path (launcher,
        (stdio & CLI_STDERR_FULL) ? "/dev/full" : cli->stderr_path);
  }
  if (cli->pass_fd >= 0) {
    g_subprocess_launcher_take_fd (launcher, cli->pass_fd, 3);
    cli->pass_fd = -1;
  }
  g_subprocess_launcher_set_child_setup (launcher, child_setup,
      GUINT_TO_POINTER (stdio), NULL);
  cli->stdio = stdio;
  cli->process = g_subprocess_launcher_spawnv (launcher,
      (const char *const *) argv->pdata, &error);
  g_assert_no_error (error);

  if (stdio & CLI_TERMINAL) {
    g_autoptr(GInputStream) from_terminal =
        g_unix_input_stream_new (master, TRUE);

    cli->out = g_data_input_stream_new (from_terminal);
    cli->in = g_unix_output_stream_new (dup (master), TRUE);
    return;
  }
  if (flags & G_SUBPROCESS_FLAGS_STDOUT_PIPE)
    cli->out = g_data_input_stream_new (
        g_subprocess_get_stdout_pipe (cli->process));
  if (flags & G_SUBPROCESS_FLAGS_STDIN_PIPE)
    cli->in = g_object_ref (g_subprocess_get_stdin_pipe (cli->process));
}

static void
cli_start_with (Cli *cli, const char *const *args, CliStdio stdio)
{
  cli_start_program (cli, NULL, args, stdio);
}

/* Starts hindsight-launch in the test's folder with @args (NULL-terminated). */
static void
cli_start (Cli *cli, const char *const *args)
{
  cli_start_with (cli, args, CLI_STDIO_DEFAULT);
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
  if (cli->in != NULL)
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

  if (cli->eof || cli->out == NULL)
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
  /* A terminal ends its lines with \r\n. */
  g_strchomp (read.line);
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

/* Waits for the process to exit without reading its output; returns the
 * exit status. */
static int
cli_wait_process (Cli *cli, double timeout_s)
{
  gint64 deadline = deadline_in (timeout_s);
  gboolean exited = FALSE;

  g_subprocess_wait_async (cli->process, NULL, on_waited, &exited);
  if (!iterate_until (&exited, deadline))
    cli_fail (cli, "hindsight-launch did not exit within %g s", timeout_s);
  if (!g_subprocess_get_if_exited (cli->process))
    cli_fail (cli, "hindsight-launch did not exit normally (signal %d)",
        g_subprocess_get_term_sig (cli->process));
  return g_subprocess_get_exit_status (cli->process);
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
  hs_test_remove_tree (cli->dir);
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

  g_assert_nonnull (location);
  if (!json_object_get_null_member (finished, "error"))
    g_error ("%s: the recording failed: %s", location,
        json_object_get_string_member (json_object_get_object_member (
                finished, "error"), "message"));
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
  g_assert_nonnull (strstr (cli->stdout_text->str, "SIGHUP"));
  g_assert_nonnull (strstr (cli->stdout_text->str, "5 every file closed "
          "cleanly but stdout or stderr"));
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
  { "usage/record-sound", { "--record", "cam0+", NONLIVE, NULL },
    EXIT_USAGE, { "'cam0+' is neither a tee nor VIDEO+AUDIO", "Try" } },
  { "usage/record-sound-itself", { "--record", "cam0+cam0", NONLIVE, NULL },
    EXIT_USAGE, { "'cam0' cannot be its own audio tee", "Try" } },
  { "usage/unknown-audio-tee", { "--record", "cam0+mic9", NONLIVE, NULL },
    EXIT_USAGE, { "'mic9'", "cam0", "Try" } },
  { "usage/unpaired-audio-tee", { "--record", "cam%u+mic%u",
      "videotestsrc num-buffers=1 ! tee name=cam ! fakesink", NULL },
    EXIT_USAGE, { "no tee matches 'cam%u'" } },
  { "usage/audio-encoder", { "--audio-encoder", "mp3", "--record",
      "cam0+mic0", "videotestsrc num-buffers=1 ! tee name=cam0 ! fakesink "
      "audiotestsrc num-buffers=1 ! tee name=mic0 ! fakesink", NULL },
    EXIT_USAGE, { "'mp3'", "opus, vorbis, aac", "Try" } },
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

/* Ticks every 100 ms from @first, around it: where audiotestsrc puts them
 * once its first tick is known. */
static HsTestTicks *
tick_grid (GstClockTime first)
{
  HsTestTicks *grid = hs_test_ticks_new ();

  for (GstClockTime t = first % HS_TEST_TICK_INTERVAL; t < 60 * GST_SECOND;
      t += HS_TEST_TICK_INTERVAL)
    g_array_append_val (grid->at, t);
  return grid;
}

/* The seed's schedule on the bundled testsrc-audio, picture and sound
 * together (-r cam0+mic0): two files, each with Opus sound cut to its
 * video, every tick on one 100 ms grid across both files (sound never
 * shifted against the picture from one window to the next). */
static void
test_seed_live_sound (void)
{
  g_autoptr(Cli) cli = cli_new ();
  g_autofree char *output = cli_path (cli, "OUT/%{index}.%{ext}");
  const char *const args[] = { "--file", "testsrc-audio", "--record",
    "cam0+mic0", "--pre", "2", "--post", "2", "--trigger-at", "3,4,9",
    "--stop-after", "12", "--force-timeout", "60", "-o", output, "--json",
    NULL };
  g_autoptr(GPtrArray) finished = NULL;
  g_autoptr(HsTestTicks) grid = NULL;
  g_autofree char *err = NULL;
  HsTestClip clips[2] = { { 0 } };
  const GstClockTime windows[2][2] = {
    { 1 * GST_SECOND, 6 * GST_SECOND }, { 7 * GST_SECOND, 11 * GST_SECOND },
  };

  cli_assert_exit (cli, cli_run (cli, args, 60), EXIT_OK);
  finished = cli_events (cli, "finished");
  g_assert_cmpuint (finished->len, ==, 2);
  for (guint i = 0; i < 2; i++) {
    JsonObject *event = finished->pdata[i];
    HsTestClip *clip = &clips[i];
    g_autoptr(GError) error = NULL;

    assert_finished_matches_file (event, &clip->video);
    clip->path = g_strdup (json_object_get_string_member (event, "location"));
    g_assert_true (g_str_has_suffix (clip->path, ".webm"));
    g_assert_cmpstr (json_object_get_string_member (event, "audio_codec"),
        ==, "audio/x-opus");
    g_assert_cmpint (json_object_get_int_member (event, "n_audio_frames"),
        >, 0);
    assert_close ("start", clip->video.first_pts, windows[i][0], 2 * FRAME);
    assert_close ("end", clip->video.last_pts + FRAME, windows[i][1],
        2 * FRAME);
    if (!hs_test_probe_audio (clip->path, &clip->audio, &error))
      g_error ("%s", error->message);
    g_assert_cmpuint (clip->audio.ticks->at->len, >, 0);
  }

  /* A live source's ticks jitter a little (see test-audio). */
  grid = tick_grid (g_array_index (clips[0].audio.ticks->at, GstClockTime,
          0));
  for (guint i = 0; i < 2; i++) {
    clips[i].tick_tolerance = 10 * GST_MSECOND;
    hs_test_assert_sound (&clips[i], grid, "audio/x-opus", TRUE);
    hs_test_clip_clear (&clips[i]);
  }

  /* The table counts the sound's frames. */
  err = cli_stderr (cli);
  g_assert_nonnull (strstr (err, "AUDIO"));
}

/* No --record on testsrc-audio: cam0 is recorded, mic0 (sound alone) is
 * not, and the log says how to record it. */
static void
test_sound_tee_alone (void)
{
  g_autoptr(Cli) cli = cli_new ();
  g_autofree char *output = cli_path (cli, "%{index}.%{ext}");
  const char *const args[] = { "--file", "testsrc-audio", "--stop-after",
    "1", "--force-timeout", "60", "-o", output, "--json", NULL };
  g_autoptr(GPtrArray) playing = NULL;
  g_autofree char *err = NULL;
  JsonArray *sources;

  cli_assert_exit (cli, cli_run (cli, args, 60), EXIT_OK);
  playing = cli_events (cli, "playing");
  g_assert_cmpuint (playing->len, ==, 1);
  sources = json_object_get_array_member (playing->pdata[0], "sources");
  g_assert_cmpuint (json_array_get_length (sources), ==, 1);
  g_assert_cmpstr (json_array_get_string_element (sources, 0), ==, "cam0");
  err = cli_stderr (cli);
  g_assert_nonnull (strstr (err, "mic0 carries sound, which is recorded "
          "with a picture: --record VIDEO+mic0"));
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

static guint
count_occurrences (const char *text, const char *needle)
{
  guint n = 0;

  for (const char *p = strstr (text, needle); p != NULL;
      p = strstr (p + 1, needle))
    n++;
  return n;
}

static void
assert_stderr_has (Cli *cli, const char *needle, guint times)
{
  g_autofree char *err = cli_stderr (cli);
  guint n = count_occurrences (err, needle);

  if (n != times)
    cli_fail (cli, "stderr has '%s' %u time(s), expected %u", needle, n,
        times);
}

/* Ctrl+C in the middle of a recording, or SIGHUP (the terminal closed,
 * the SSH session dropped): the file is finished properly, decodable to
 * its last frame, and the exit status is 0. */
static void
test_signal_mid_recording (gconstpointer data)
{
  int signal_number = GPOINTER_TO_INT (data);
  g_autoptr(Cli) cli = cli_new ();
  g_auto(GStrv) args = live_args (cli, "--trigger-at", "1", "--post", "60",
      "--stop-after", "60", NULL);
  g_auto(HsTestFileInfo) info = { 0 };
  g_autofree char *said = g_strdup_printf ("Stopping (%s)",
      signal_number == SIGHUP ? "SIGHUP" : "SIGINT");
  JsonObject *finished, *stopped;

  cli_start (cli, (const char *const *) args);
  cli_wait_event (cli, "started", 20);
  wait_seconds (1.0);
  cli_signal (cli, signal_number);

  finished = cli_wait_event (cli, "finished", 20);
  assert_finished_matches_file (finished, &info);
  /* From 0.5 s to the signal, at least a second later. */
  assert_close ("start", info.first_pts, GST_SECOND / 2, FRAME);
  g_assert_cmpint (info.n_frames, >=, 30);
  stopped = cli_wait_event (cli, "stopped", 20);
  g_assert_cmpstr (json_object_get_string_member (stopped, "reason"), ==,
      "signal");
  g_assert_cmpint (json_object_get_int_member (stopped, "open"), ==, 0);
  cli_assert_exit (cli, cli_wait_exit (cli, 20), EXIT_OK);
  assert_stderr_has (cli, said, 1);
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
    { "testsrc-audio", "cam0 mic0" },
    { "rtsp-audio", "cam0 mic0" },
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

/* ------------------------------------------------------------------------ */
/* What a shell can throw at the process: signals, pipes, streams          */

/* The non-live source of cli-nonlive.gstp: 120 frames (4 s), a window of
 * [0.5 s, 2.5 s) (60 frames) written to @output. */
static char **
nonlive_args (Cli *cli, const char *output, gboolean json,
              const char *first, ...)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_autofree char *file = data_path ("cli-nonlive.gstp");
  g_autofree char *path = cli_path (cli, output);
  const char *arg;
  va_list args;

  g_strv_builder_add_many (builder, "--file", file, "--pattern=ball",
      "--record", "cam0", "--pre", "1", "--post", "1", "--trigger-at", "1.5",
      "--force-timeout", "60", "-o", path, NULL);
  if (json)
    g_strv_builder_add (builder, "--json");
  va_start (args, first);
  for (arg = first; arg != NULL; arg = va_arg (args, const char *))
    g_strv_builder_add (builder, arg);
  va_end (args);
  return g_strv_builder_end (builder);
}

/* The window of nonlive_args(), exact. */
static void
assert_nonlive_window (Cli *cli, const char *output)
{
  g_autofree char *path = cli_path (cli, output);

  hs_test_assert_file (path, 60, GST_SECOND / 2, 5 * GST_SECOND / 2 - FRAME);
}

/* Polls the stderr file (what the process printed) until it holds
 * @needle: for the runs whose stdout cannot be read. */
static void
cli_wait_stderr (Cli *cli, const char *needle, double timeout_s)
{
  gint64 deadline = deadline_in (timeout_s);

  for (;;) {
    g_autofree char *err = cli_stderr (cli);

    if (strstr (err, needle) != NULL)
      return;
    if (g_get_monotonic_time () > deadline)
      cli_fail (cli, "stderr did not say '%s' within %g s", needle, timeout_s);
    wait_seconds (0.02);
  }
}

/* Reads lines until one holds @needle; returns a copy of it. */
static char *
cli_wait_line (Cli *cli, const char *needle, double timeout_s)
{
  gint64 deadline = deadline_in (timeout_s);

  for (;;) {
    const char *text = cli->stdout_text->str;
    const char *found = strstr (text, needle);

    if (found != NULL) {
      const char *start = found;
      const char *end = strchr (found, '\n');

      while (start > text && start[-1] != '\n')
        start--;
      return g_strndup (start, end ? end - start : (gssize) strlen (start));
    }
    if (!cli_read_line (cli, deadline))
      cli_fail (cli, "the output ended without '%s'", needle);
  }
}

static char
process_state (Cli *cli)
{
  const char *pid = g_subprocess_get_identifier (cli->process);
  g_autofree char *path = NULL;
  g_autofree char *stat = NULL;
  const char *paren;

  if (pid == NULL)
    return 'X';
  path = g_strdup_printf ("/proc/%s/stat", pid);
  if (!g_file_get_contents (path, &stat, NULL, NULL))
    return 'X';
  /* pid (comm) state ...: the name may hold anything, the last ')' ends it. */
  paren = strrchr (stat, ')');
  return paren != NULL && paren[1] == ' ' ? paren[2] : '?';
}

static void
cli_wait_state (Cli *cli, char state, double timeout_s)
{
  gint64 deadline = deadline_in (timeout_s);

  while (process_state (cli) != state) {
    if (g_get_monotonic_time () > deadline)
      cli_fail (cli, "the process did not reach state '%c' within %g s "
          "(it is '%c')", state, timeout_s, process_state (cli));
    wait_seconds (0.01);
  }
}

static void
on_written (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(GError) error = NULL;

  g_output_stream_write_all_finish (G_OUTPUT_STREAM (source), result, NULL,
      &error);
  g_assert_no_error (error);
  *(gboolean *) user_data = TRUE;
}

/* The largest resident size the process has had, in kB. */
static guint64
process_peak_kb (Cli *cli)
{
  g_autofree char *path = g_strdup_printf ("/proc/%s/status",
      g_subprocess_get_identifier (cli->process));
  g_autofree char *status = NULL;
  const char *line;

  g_assert_true (g_file_get_contents (path, &status, NULL, NULL));
  line = strstr (status, "VmHWM:");
  g_assert_nonnull (line);
  return g_ascii_strtoull (line + strlen ("VmHWM:"), NULL, 10);
}

/* The issue's `--json | head -1`: the reader goes away after the first
 * line. The process is not killed by SIGPIPE: the recording goes on, the
 * file is finished, one line on stderr says why nothing more was printed,
 * and the exit status is 5. */
static void
test_stdout_reader_gone (void)
{
  g_autoptr(Cli) cli = cli_new ();
  g_auto(GStrv) args = nonlive_args (cli, "pipe/%{index}.webm", TRUE,
      "--frames=-1", NULL);

  cli_start (cli, (const char *const *) args);
  cli_wait_event (cli, "playing", 20);
  g_input_stream_close (G_INPUT_STREAM (cli->out), NULL, NULL);
  g_clear_object (&cli->out);
  /* The source never ends: the file is written while stdout is gone. */
  cli_wait_stderr (cli, "cam0: wrote", 20);
  cli_write (cli, "quit\n");

  cli_assert_exit (cli, cli_wait_process (cli, 20), EXIT_OUTPUT);
  assert_nonlive_window (cli, "pipe/1.webm");
  assert_stderr_has (cli, "cannot write to stdout (Broken pipe)", 1);
  assert_stderr_has (cli, "Stopping (quit)", 1);
}

typedef struct {
  const char *name;
  CliStdio stdio;
  gboolean json;
  int exit_code;
  const char *stderr_has;       /* once; NULL: stderr is not readable */
} StreamCase;

static const StreamCase stream_cases[] = {
  { "stdout-full", CLI_STDOUT_FULL, TRUE, EXIT_OUTPUT,
    "cannot write to stdout (No space left on device)" },
  { "stdout-full-table", CLI_STDOUT_FULL, FALSE, EXIT_OUTPUT,
    "cannot write to stdout (No space left on device)" },
  { "stdout-closed", CLI_STDOUT_CLOSED, TRUE, EXIT_OUTPUT,
    "cannot write to stdout (Bad file descriptor)" },
  { "stderr-full", CLI_STDERR_FULL, TRUE, EXIT_OUTPUT, NULL },
  { "stderr-closed", CLI_STDERR_CLOSED, TRUE, EXIT_OUTPUT, NULL },
  { "stdin-closed", CLI_STDIN_CLOSED, TRUE, EXIT_OK, "cam0: wrote" },
  { "all-closed", CLI_STDIN_CLOSED | CLI_STDOUT_CLOSED | CLI_STDERR_CLOSED,
    TRUE, EXIT_OUTPUT, NULL },
};

/* A standard stream closed at start, or on a full disk: the file is
 * written all the same (a closed descriptor is never taken by a file the
 * process opens), the stream that fails is reported once. */
static void
test_stream (gconstpointer data)
{
  const StreamCase *c = data;
  g_autoptr(Cli) cli = cli_new ();
  g_auto(GStrv) args = nonlive_args (cli, "out.webm", c->json,
      "--frames=120", NULL);
  gboolean stdout_readable = !(c->stdio & (CLI_STDOUT_FULL |
          CLI_STDOUT_CLOSED));

  cli_start_with (cli, (const char *const *) args, c->stdio);
  cli_close_stdin (cli);
  cli_assert_exit (cli, cli_wait_exit (cli, 30), c->exit_code);
  assert_nonlive_window (cli, "out.webm");
  if (c->stderr_has != NULL)
    assert_stderr_has (cli, c->stderr_has, 1);
  if (stdout_readable) {
    g_autoptr(GPtrArray) finished = cli_events (cli, "finished");
    g_auto(HsTestFileInfo) info = { 0 };
    JsonObject *stopped = cli_wait_event (cli, "stopped", 1);

    g_assert_cmpuint (finished->len, ==, 1);
    assert_finished_matches_file (finished->pdata[0], &info);
    g_assert_cmpint (json_object_get_int_member (stopped, "exit_code"), ==,
        c->exit_code);
  } else {
    g_assert_cmpstr (cli->stdout_text->str, ==, "");
  }
}

/* A reader that stops reading (a pager, a terminal held with Ctrl+S):
 * the events pile up in the pipe, yet Ctrl+C still stops the run at once,
 * the file is finished, and the exit waits only a moment for the reader. */
static void
test_stdout_not_read (void)
{
  g_autoptr(Cli) cli = cli_new ();
  g_auto(GStrv) args = live_args (cli, "--trigger-at", "0.5", "--post", "60",
      "--stop-after", "60", NULL);
  g_autoptr(GString) flood = g_string_new (NULL);
  g_autofree char *err = NULL;
  g_autofree char *path = cli_path (cli, "1.webm");
  g_auto(HsTestFileInfo) info = { 0 };
  const char *wrote;
  guint64 n_frames = 0;
  double start = 0, end = 0;
  gint64 interrupted;

  cli_start (cli, (const char *const *) args);
  cli_wait_event (cli, "started", 20);
  /* 2000 status events: more than a pipe holds, not read from here on. */
  for (guint i = 0; i < 2000; i++)
    g_string_append (flood, "status\n");
  cli_write (cli, flood->str);
  cli_wait_stderr (cli, "  cam0: recording", 20);
  interrupted = g_get_monotonic_time ();
  cli_signal (cli, SIGINT);
  cli_assert_exit (cli, cli_wait_process (cli, 20), EXIT_OUTPUT);
  g_assert_cmpint (g_get_monotonic_time () - interrupted, <,
      10 * G_USEC_PER_SEC);

  assert_stderr_has (cli, "Stopping (SIGINT)", 1);
  assert_stderr_has (cli, "hindsight-launch: stdout is not being read", 1);
  /* The file holds what the tool said it wrote. */
  err = cli_stderr (cli);
  wrote = strstr (err, "cam0: wrote ");
  g_assert_nonnull (wrote);
  wrote = strstr (wrote, ".webm: ");
  g_assert_nonnull (wrote);
  g_assert_cmpint (sscanf (wrote, ".webm: %lf s to %lf s, %" G_GUINT64_FORMAT
          " frames", &start, &end, &n_frames), ==, 3);
  if (!hs_test_probe_file (path, &info, NULL))
    g_error ("%s does not decode", path);
  g_assert_cmpuint (info.n_frames, ==, n_frames);
  g_assert_cmpuint (info.n_frames, >=, 2);
  assert_close ("first frame", info.first_pts,
      (GstClockTime) (start * GST_SECOND), GST_MSECOND);
  g_assert_cmpuint (info.last_pts, <, (GstClockTime) (end * GST_SECOND));
}

/* One 50 MB line on stdin: refused with one short message, never held in
 * memory; the commands after it work. */
static void
test_stdin_long_line (void)
{
  g_autoptr(Cli) cli = cli_new ();
  g_auto(GStrv) args = live_args (cli, "--stop-after", "30", NULL);
  const gsize huge = 50 * 1000 * 1000;
  g_autofree char *line = g_malloc (huge + 1);
  g_autofree char *word = g_strnfill (4000, 'B');
  g_autofree char *unknown = g_strconcat (word, "\n", NULL);
  g_autofree char *err = NULL;
  g_auto(HsTestFileInfo) info = { 0 };
  gboolean written = FALSE;
  guint64 peak_before;
  JsonObject *trigger, *finished;

  memcpy (line, "record ", 7);
  memset (line + 7, 'A', huge - 7);
  line[huge] = '\n';

  cli_start (cli, (const char *const *) args);
  cli_wait_event (cli, "playing", 20);
  peak_before = process_peak_kb (cli);
  g_output_stream_write_all_async (cli->in, line, huge + 1,
      G_PRIORITY_DEFAULT, NULL, on_written, &written);
  if (!iterate_until (&written, deadline_in (30)))
    cli_fail (cli, "the process did not read a 50 MB line within 30 s");
  cli_write (cli, unknown);
  cli_write (cli, "status\n");
  cli_wait_event (cli, "status", 20);
  /* The line was never held whole (a sanitizer keeps what is freed for a
   * while, hence the margin). */
  g_assert_cmpuint (process_peak_kb (cli), <, peak_before + 32 * 1024);

  /* A command after the long line, once the ring holds its pre window. */
  wait_seconds (0.8);
  cli_write (cli, "record cam0\n");
  trigger = cli_wait_event (cli, "trigger", 10);
  finished = cli_wait_event (cli, "finished", 20);
  assert_finished_matches_file (finished, &info);
  g_assert_cmpint (info.n_frames, >=, 25);
  g_assert_cmpint (info.n_frames, <=, 32);
  assert_close ("window end", json_time (finished, "end_time") + FRAME,
      json_time (trigger, "time") + GST_SECOND / 2, 2 * FRAME);
  cli_write (cli, "quit\n");
  cli_assert_exit (cli, cli_wait_exit (cli, 20), EXIT_OK);

  assert_stderr_has (cli, "stdin: ignoring a line longer than 4096 bytes "
      "('record AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA…')", 1);
  assert_stderr_has (cli, "unknown command 'BBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB"
      "BBBBBBB…'", 1);
  err = cli_stderr (cli);
  g_assert_cmpuint (strlen (err), <, 4096);
}

/* Input quoted in a message is cut to a short prefix. Messages the library
 * makes (a tee, an encoder, a location template) are cut at 2000 bytes. */
static void
test_long_input (void)
{
  g_autofree char *k = g_strnfill (100000, 'K');
  g_autofree char *bad_key = g_strconcat ("--1", k, "=1", NULL);
  g_autofree char *bad_option = g_strconcat ("-", k, NULL);
  g_autofree char *placeholder = g_strdup_printf ("videotestsrc "
      "pattern={%s} ! fakesink", k);
  g_autofree char *not_placeholder = g_strdup_printf ("videotestsrc "
      "pattern={1%s} ! fakesink", k);
  g_autofree char *element = g_strdup_printf ("videotestsrc ! %s ! fakesink",
      k);
  g_autofree char *pattern = g_strconcat (k, "*", NULL);
  const struct {
    const char *args[4];
    int exit_code;
    gsize max_bytes;
  } cases[] = {
    { { "--trigger-at", k, NONLIVE, NULL }, EXIT_USAGE, 600 },
    { { "--pre", k, NONLIVE, NULL }, EXIT_USAGE, 600 },
    { { "--mode", k, NONLIVE, NULL }, EXIT_USAGE, 600 },
    { { bad_key, NONLIVE, NULL }, EXIT_USAGE, 600 },
    { { bad_option, NONLIVE, NULL }, EXIT_USAGE, 600 },
    { { "--file", k, NULL }, EXIT_DESCRIPTION, 600 },
    { { placeholder, NULL }, EXIT_DESCRIPTION, 600 },
    { { not_placeholder, NULL }, EXIT_DESCRIPTION, 600 },
    { { NONLIVE, k, NULL }, EXIT_DESCRIPTION, 2600 },
    { { element, NULL }, EXIT_DESCRIPTION, 2600 },
    { { "--record", k, NONLIVE, NULL }, EXIT_USAGE, 2100 },
    { { "--record", pattern, NONLIVE, NULL }, EXIT_USAGE, 2100 },
    { { "--encoder", k, NONLIVE, NULL }, EXIT_USAGE, 2100 },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++) {
    g_autoptr(Cli) cli = cli_new ();
    g_autofree char *err = NULL;

    /* The test environment shows GStreamer's errors, which quote what the
     * parser did not take; a user sees only the tool's messages. */
    cli->no_gst_log = TRUE;
    cli_assert_exit (cli, cli_run (cli, cases[i].args, 30),
        cases[i].exit_code);
    err = cli_stderr (cli);
    if (strlen (err) > cases[i].max_bytes)
      g_error ("case %u: %" G_GSIZE_FORMAT " bytes on stderr:\n%.600s", i,
          strlen (err), err);
    /* Cut: a prefix, or for a path its end. */
    g_assert_nonnull (strstr (err, "KKKKKKKKKK"));
    g_assert_nonnull (strstr (err, "…"));
  }
}

/* A template that puts a newline and an escape sequence into a file name:
 * the table shows them escaped, one row per file. */
static void
test_table_control_characters (void)
{
  g_autoptr(Cli) cli = cli_new ();
  g_auto(GStrv) args = nonlive_args (cli, "ctl\nnext\033[31m/%{index}.webm",
      FALSE, "--frames=120", NULL);
  g_auto(GStrv) lines = NULL;

  cli_assert_exit (cli, cli_run (cli, (const char *const *) args, 30),
      EXIT_OK);
  assert_nonlive_window (cli, "ctl\nnext\033[31m/1.webm");
  g_assert_null (strchr (cli->stdout_text->str, '\033'));
  lines = g_strsplit (cli->stdout_text->str, "\n", -1);
  /* A blank line, the header, one row, and the end of the text. */
  g_assert_cmpuint (g_strv_length (lines), ==, 4);
  g_assert_true (g_str_has_prefix (lines[1], "FILE"));
  g_assert_nonnull (strstr (lines[2], "ctl\\nnext\\x1b[31m/1.webm"));
  g_assert_nonnull (strstr (lines[2], "60"));
  assert_stderr_has (cli, "ctl\\nnext\\x1b[31m/1.webm", 2);
}

#define FIFO_DESCRIPTION \
  "videotestsrc num-buffers=60 ! video/x-raw,width=160,height=120," \
  "framerate=30/1 ! tee name=cam0 ! fakesink\n"

static void
assert_fifo_window (Cli *cli)
{
  g_autofree char *path = cli_path (cli, "fifo.webm");

  hs_test_assert_file (path, 30, GST_SECOND / 2, 3 * GST_SECOND / 2 - FRAME);
}

/* --file reads a named pipe, as it reads a file. */
static void
test_file_fifo (void)
{
  g_autoptr(Cli) cli = cli_new ();
  g_autofree char *fifo = cli_path (cli, "description");
  g_autofree char *output = cli_path (cli, "fifo.webm");
  const char *const args[] = { "--file", fifo, "--trigger-at", "1",
    "--pre", "0.5", "--post", "0.5", "--force-timeout", "60", "-o", output,
    NULL };
  gint64 deadline = deadline_in (20);
  int fd;

  g_assert_cmpint (mkfifo (fifo, 0600), ==, 0);
  cli_start (cli, args);
  cli_close_stdin (cli);
  /* Opening for writing fails (ENXIO) until the process opens it. */
  while ((fd = open (fifo, O_WRONLY | O_NONBLOCK | O_CLOEXEC)) == -1) {
    g_assert_cmpint (errno, ==, ENXIO);
    if (g_get_monotonic_time () > deadline)
      cli_fail (cli, "the process did not open the FIFO");
    wait_seconds (0.01);
  }
  g_assert_cmpint (write (fd, FIFO_DESCRIPTION, strlen (FIFO_DESCRIPTION)),
      ==, (gssize) strlen (FIFO_DESCRIPTION));
  close (fd);
  cli_assert_exit (cli, cli_wait_exit (cli, 30), EXIT_OK);
  assert_fifo_window (cli);
}

/* --file /dev/fd/3, as a shell's <(...) gives it. */
static void
test_file_dev_fd (void)
{
  g_autoptr(Cli) cli = cli_new ();
  g_autofree char *output = cli_path (cli, "fifo.webm");
  const char *const args[] = { "--file", "/dev/fd/3", "--trigger-at", "1",
    "--pre", "0.5", "--post", "0.5", "--force-timeout", "60", "-o", output,
    NULL };
  int fds[2];

  g_assert_true (g_unix_open_pipe (fds, FD_CLOEXEC, NULL));
  cli->pass_fd = fds[0];
  cli_start (cli, args);
  g_assert_cmpint (write (fds[1], FIFO_DESCRIPTION,
          strlen (FIFO_DESCRIPTION)), ==, (gssize) strlen (FIFO_DESCRIPTION));
  close (fds[1]);
  cli_close_stdin (cli);
  cli_assert_exit (cli, cli_wait_exit (cli, 30), EXIT_OK);
  assert_fifo_window (cli);
}

/* What --file refuses, and the message says what the path is. */
static void
test_file_refused (void)
{
  g_autoptr(Cli) big = cli_new ();
  g_autoptr(Cli) nul = cli_new ();
  g_autoptr(Cli) dir = cli_new ();
  g_autoptr(Cli) zero = cli_new ();
  g_autoptr(Cli) stdin_dir = cli_new ();
  g_autofree char *big_path = cli_path (big, "big.gstp");
  g_autofree char *nul_path = cli_path (nul, "nul.gstp");
  g_autofree char *big_text = g_strnfill (2 * 1024 * 1024, 'a');
  const char *const big_args[] = { "--file", big_path, NULL };
  const char *const nul_args[] = { "--file", nul_path, NULL };
  const char *const dir_args[] = { "--file", TEST_DATA_DIR, NULL };
  const char *const zero_args[] = { "--file", "/dev/zero", NULL };
  const char *const stdin_args[] = { "--file", "-", NULL };
  g_autofree char *big_err = NULL;

  g_assert_true (g_file_set_contents (big_path, big_text, -1, NULL));
  g_assert_true (g_file_set_contents (nul_path, "videotestsrc\0 ! fakesink",
          24, NULL));
  cli_assert_exit (big, cli_run (big, big_args, 30), EXIT_DESCRIPTION);
  assert_stderr_has (big, "big.gstp' is larger than 1 MiB", 1);
  big_err = cli_stderr (big);
  g_assert_cmpuint (strlen (big_err), <, 300);
  cli_assert_exit (nul, cli_run (nul, nul_args, 30), EXIT_DESCRIPTION);
  assert_stderr_has (nul, "nul.gstp' holds a NUL byte (byte 12)", 1);
  cli_assert_exit (dir, cli_run (dir, dir_args, 30), EXIT_DESCRIPTION);
  assert_stderr_has (dir, "data' is a directory", 1);
  cli_assert_exit (zero, cli_run (zero, zero_args, 30), EXIT_DESCRIPTION);
  assert_stderr_has (zero, "'/dev/zero' (a character device) is larger "
      "than 1 MiB", 1);
  stdin_dir->stdin_path = TEST_DATA_DIR;
  cli_assert_exit (stdin_dir, cli_run (stdin_dir, stdin_args, 30),
      EXIT_DESCRIPTION);
  assert_stderr_has (stdin_dir, "stdin is a directory", 1);
}

/* A terminal that goes away sends SIGHUP more than once: a repeated SIGHUP
 * never forces the stop; SIGTERM after it does. */
static void
test_sighup_repeated (void)
{
  g_autoptr(Cli) cli = cli_new ();
  g_autofree char *output = cli_path (cli, "stuck.webm");
  const char *const args[] = { STUCK, "--trigger-at", "0.5", "--pre", "0.2",
    "--post", "60", "--force-timeout", "60", "-o", output, "--json", NULL };
  g_auto(HsTestFileInfo) info = { 0 };
  JsonObject *finished, *stopped;

  cli_start (cli, args);
  cli_wait_event (cli, "started", 20);
  cli_signal (cli, SIGHUP);
  finished = cli_wait_event (cli, "finished", 20);
  assert_finished_matches_file (finished, &info);
  g_assert_cmpint (info.n_frames, >=, 6);
  cli_signal (cli, SIGHUP);
  wait_seconds (0.5);
  g_assert_nonnull (g_subprocess_get_identifier (cli->process));
  g_assert_cmpint (process_state (cli), !=, 'Z');

  cli_signal (cli, SIGTERM);
  stopped = cli_wait_event (cli, "stopped", 10);
  g_assert_cmpstr (json_object_get_string_member (stopped, "reason"), ==,
      "forced");
  cli_assert_exit (cli, cli_wait_exit (cli, 10), EXIT_FORCED);
  assert_stderr_has (cli, "Stopping (SIGHUP)", 1);
  assert_stderr_has (cli, "Forced stop (SIGTERM)", 1);
}

/* Under nohup SIGHUP is ignored when the process starts: it stays so. */
static void
test_sighup_ignored (void)
{
  g_autoptr(Cli) cli = cli_new ();
  g_auto(GStrv) args = live_args (cli, "--trigger-at", "1", "--stop-after",
      "60", NULL);
  g_auto(HsTestFileInfo) info = { 0 };
  JsonObject *finished, *stopped;

  cli_start_with (cli, (const char *const *) args, CLI_SIGHUP_IGNORED);
  cli_wait_event (cli, "started", 20);
  cli_signal (cli, SIGHUP);
  finished = cli_wait_event (cli, "finished", 20);
  assert_finished_matches_file (finished, &info);
  /* The whole window [0.5 s, 1.5 s): the SIGHUP did not cut it. */
  assert_close ("end", info.last_pts + FRAME, 3 * GST_SECOND / 2, 2 * FRAME);
  cli_write (cli, "status\n");
  cli_wait_event (cli, "status", 10);
  cli_write (cli, "quit\n");
  stopped = cli_wait_event (cli, "stopped", 20);
  g_assert_cmpstr (json_object_get_string_member (stopped, "reason"), ==,
      "quit");
  cli_assert_exit (cli, cli_wait_exit (cli, 20), EXIT_OK);
  assert_stderr_has (cli, "SIGHUP", 0);
}

/* Ctrl+Z in the middle of a recording, then fg: the pipeline was paused
 * while the process was stopped, so the file has every frame of its
 * window, none dropped, although the stop was longer than post. */
static void
test_sigtstp (void)
{
  g_autoptr(Cli) cli = cli_new ();
  g_auto(GStrv) args = live_args (cli, "--trigger-at", "1", "--post", "1",
      "--stop-after", "60", NULL);
  g_auto(HsTestFileInfo) info = { 0 };
  JsonObject *finished;

  /* A job of its own, as a shell makes it (a stop in an orphaned process
   * group would be ignored). */
  cli_start_with (cli, (const char *const *) args, CLI_OWN_GROUP);
  cli_wait_event (cli, "started", 20);
  cli_signal (cli, SIGTSTP);
  cli_wait_state (cli, 'T', 10);
  wait_seconds (1.5);
  cli_signal (cli, SIGCONT);

  finished = cli_wait_event (cli, "finished", 20);
  assert_finished_matches_file (finished, &info);
  g_assert_cmpint (json_object_get_int_member (finished, "n_dropped"), ==, 0);
  assert_close ("start", info.first_pts, GST_SECOND / 2, 2 * FRAME);
  assert_close ("end", info.last_pts + FRAME, 2 * GST_SECOND, 2 * FRAME);
  g_assert_cmpint (info.n_frames, >=, 43);
  g_assert_cmpint (info.n_frames, <=, 47);
  cli_write (cli, "quit\n");
  cli_assert_exit (cli, cli_wait_exit (cli, 20), EXIT_OK);
  assert_stderr_has (cli, "Suspended (SIGTSTP)", 1);
  assert_stderr_has (cli, "Continued", 1);
}

/* SIGSTOP cannot be caught: the live source comes back with the clock
 * ahead of it and catches up in a burst that the ring branch's leaky
 * queue partly drops. The file is finished all the same, without a stall
 * error, and holds what the tool says it holds. */
static void
test_sigstop (void)
{
  g_autoptr(Cli) cli = cli_new ();
  g_auto(GStrv) args = live_args (cli, "--trigger-at", "1", "--post", "1",
      "--stop-after", "60", NULL);
  g_auto(HsTestFileInfo) info = { 0 };
  JsonObject *finished;

  cli_start (cli, (const char *const *) args);
  cli_wait_event (cli, "started", 20);
  cli_signal (cli, SIGSTOP);
  cli_wait_state (cli, 'T', 10);
  wait_seconds (1.5);
  cli_signal (cli, SIGCONT);

  finished = cli_wait_event (cli, "finished", 20);
  assert_finished_matches_file (finished, &info);
  g_test_message ("%u frames, %" G_GINT64_FORMAT " dropped, %" GST_TIME_FORMAT
      " to %" GST_TIME_FORMAT, info.n_frames,
      json_object_get_int_member (finished, "n_dropped"),
      GST_TIME_ARGS (info.first_pts), GST_TIME_ARGS (info.last_pts));
  assert_close ("start", info.first_pts, GST_SECOND / 2, 2 * FRAME);
  cli_write (cli, "quit\n");
  cli_assert_exit (cli, cli_wait_exit (cli, 20), EXIT_OK);
}

/* A stop that cannot finish (the closed valve), and the process stopped
 * while it waits: the time spent stopped is not counted against
 * --force-timeout, so the stop is not forced the moment it continues. */
static void
test_sigstop_while_stopping (void)
{
  g_autoptr(Cli) cli = cli_new ();
  g_autofree char *output = cli_path (cli, "stuck.webm");
  const char *const args[] = { STUCK, "--trigger-at", "0.5", "--pre", "0.2",
    "--post", "60", "--force-timeout", "2", "-o", output, "--json", NULL };
  g_auto(HsTestFileInfo) info = { 0 };
  JsonObject *finished, *stopped;

  cli_start (cli, args);
  cli_wait_event (cli, "started", 20);
  cli_signal (cli, SIGINT);
  finished = cli_wait_event (cli, "finished", 20);
  assert_finished_matches_file (finished, &info);
  cli_signal (cli, SIGSTOP);
  cli_wait_state (cli, 'T', 10);
  wait_seconds (3.0);
  cli_signal (cli, SIGCONT);
  wait_seconds (0.5);
  g_assert_cmpint (process_state (cli), !=, 'Z');
  g_assert_cmpint (process_state (cli), !=, 'X');

  stopped = cli_wait_event (cli, "stopped", 10);
  g_assert_cmpstr (json_object_get_string_member (stopped, "reason"), ==,
      "forced");
  cli_assert_exit (cli, cli_wait_exit (cli, 10), EXIT_FORCED);
}

#define LARGE_LIVE \
  "videotestsrc is-live=true pattern=ball " \
  "! video/x-raw,width=640,height=480,framerate=30/1 ! tee name=cam0 " \
  "! queue ! fakesink sync=true"

/* SIGINT as the backlog of a long pre window starts to be written, then,
 * once the stop is under way, SIGHUP (the terminal closed meanwhile): the
 * stop stays graceful and the file has the whole backlog. (SIGHUP first,
 * then SIGINT, would force: a second SIGINT or SIGTERM always does.) */
static void
test_signal_during_backlog (void)
{
  g_autoptr(Cli) cli = cli_new ();
  g_autofree char *output = cli_path (cli, "backlog.webm");
  const char *const args[] = { LARGE_LIVE, "--trigger-at", "3.5",
    "--pre", "3", "--post", "60", "--force-timeout", "60", "-o", output,
    "--json", NULL };
  g_auto(HsTestFileInfo) info = { 0 };
  JsonObject *finished, *stopped;

  cli_start (cli, args);
  cli_wait_event (cli, "started", 20);
  cli_signal (cli, SIGINT);
  cli_wait_stderr (cli, "Stopping (SIGINT)", 10);
  cli_signal (cli, SIGHUP);
  finished = cli_wait_event (cli, "finished", 30);
  assert_finished_matches_file (finished, &info);
  assert_close ("start", info.first_pts, GST_SECOND / 2, 2 * FRAME);
  g_assert_cmpuint (info.last_pts, >=, 7 * GST_SECOND / 2 - 2 * FRAME);
  stopped = cli_wait_event (cli, "stopped", 20);
  g_assert_cmpstr (json_object_get_string_member (stopped, "reason"), ==,
      "signal");
  cli_assert_exit (cli, cli_wait_exit (cli, 20), EXIT_OK);
  assert_stderr_has (cli, "Stopping (SIGINT)", 1);
  assert_stderr_has (cli, "Forced", 0);
}

/* The controlling terminal goes away in the middle of a recording (the
 * window closed, the SSH connection dropped): SIGHUP stops gracefully, the
 * file is finished, and the exit status says that the output was lost. */
static void
test_terminal_gone (void)
{
  g_autoptr(Cli) cli = cli_new ();
  g_auto(GStrv) args = live_args (cli, "--trigger-at", "1", "--post", "60",
      "--stop-after", "60", NULL);
  g_autofree char *path = cli_path (cli, "1.webm");
  g_auto(HsTestFileInfo) info = { 0 };

  cli_start_with (cli, (const char *const *) args, CLI_TERMINAL);
  cli_wait_event (cli, "started", 20);
  wait_seconds (0.5);
  /* The last descriptor of the terminal's other side: a hangup. */
  g_clear_object (&cli->in);
  g_clear_object (&cli->out);
  cli_assert_exit (cli, cli_wait_process (cli, 20), EXIT_OUTPUT);

  if (!hs_test_probe_file (path, &info, NULL))
    g_error ("%s does not decode", path);
  g_assert_true (info.starts_with_keyframe);
  assert_close ("start", info.first_pts, GST_SECOND / 2, 2 * FRAME);
  g_assert_cmpuint (info.n_frames, >=, 15);
  g_assert_cmpuint (info.last_pts, >=, GST_SECOND - FRAME);
}

/* A job in the background of a terminal with `stty tostop`: printing does
 * not stop it (SIGTTOU), nor does a line typed on the terminal (SIGTTIN). */
static void
test_background_job (void)
{
  g_autoptr(Cli) cli = cli_new ();
  g_auto(GStrv) live = live_args (cli, "--trigger-at", "1", "--stop-after",
      "2.5", NULL);
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_auto(GStrv) args = NULL;
  g_autoptr(GPtrArray) finished = NULL;
  g_auto(HsTestFileInfo) info = { 0 };
  g_autofree char *exit_line = NULL;

  g_strv_builder_add_many (builder, "-c", "stty tostop; set -m; "
      "\"$0\" \"$@\" & wait $!; echo \"EXIT=$?\"", launch_path (), NULL);
  g_strv_builder_addv (builder, (const char **) live);
  args = g_strv_builder_end (builder);

  cli_start_program (cli, "/bin/sh", (const char *const *) args,
      CLI_TERMINAL);
  cli_wait_event (cli, "playing", 20);
  cli_write (cli, "status\n");
  exit_line = cli_wait_line (cli, "EXIT=", 20);
  g_assert_cmpstr (strstr (exit_line, "EXIT="), ==, "EXIT=0");
  finished = cli_events (cli, "finished");
  g_assert_cmpuint (finished->len, ==, 1);
  assert_finished_matches_file (finished->pdata[0], &info);
  assert_close ("end", info.last_pts + FRAME, 3 * GST_SECOND / 2, 2 * FRAME);
  cli_assert_exit (cli, cli_wait_process (cli, 10), 0);
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
  g_test_add_data_func ("/cli/sigint", GINT_TO_POINTER (SIGINT),
      test_signal_mid_recording);
  g_test_add_func ("/cli/sigint-twice", test_sigint_twice);
  g_test_add_func ("/cli/force-timeout", test_force_timeout);
  g_test_add_func ("/cli/demo", test_demo);
  g_test_add_func ("/cli/seed-live", test_seed_live);
  g_test_add_func ("/cli/seed-live-sound", test_seed_live_sound);
  g_test_add_func ("/cli/sound-tee-alone", test_sound_tee_alone);

  g_test_add_func ("/cli/hostile/stdout-reader-gone", test_stdout_reader_gone);
  for (guint i = 0; i < G_N_ELEMENTS (stream_cases); i++) {
    g_autofree char *path = g_strdup_printf ("/cli/hostile/%s",
        stream_cases[i].name);

    g_test_add_data_func (path, &stream_cases[i], test_stream);
  }
  g_test_add_func ("/cli/hostile/stdout-not-read", test_stdout_not_read);
  g_test_add_func ("/cli/hostile/stdin-long-line", test_stdin_long_line);
  g_test_add_func ("/cli/hostile/long-input", test_long_input);
  g_test_add_func ("/cli/hostile/table-control-characters",
      test_table_control_characters);
  g_test_add_func ("/cli/hostile/file-fifo", test_file_fifo);
  g_test_add_func ("/cli/hostile/file-dev-fd", test_file_dev_fd);
  g_test_add_func ("/cli/hostile/file-refused", test_file_refused);
  g_test_add_data_func ("/cli/hostile/sighup", GINT_TO_POINTER (SIGHUP),
      test_signal_mid_recording);
  g_test_add_func ("/cli/hostile/sighup-repeated", test_sighup_repeated);
  g_test_add_func ("/cli/hostile/sighup-ignored", test_sighup_ignored);
  g_test_add_func ("/cli/hostile/sigtstp", test_sigtstp);
  g_test_add_func ("/cli/hostile/sigstop", test_sigstop);
  g_test_add_func ("/cli/hostile/sigstop-while-stopping",
      test_sigstop_while_stopping);
  g_test_add_func ("/cli/hostile/signal-during-backlog",
      test_signal_during_backlog);
  g_test_add_func ("/cli/hostile/terminal-gone", test_terminal_gone);
  g_test_add_func ("/cli/hostile/background-job", test_background_job);
  return g_test_run ();
}
