/* hindsight-launch: gst-launch with a rewind button.
 *
 * Builds a pipeline from a description (command line or file, with {KEY}
 * templating), attaches a recorder to the tees it names, fires triggers from
 * the command line, stdin, signals and bus messages, and stops gracefully:
 * every open file is finished before the process exits.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "hs-launch.h"
#include "hs-template.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <locale.h>
#include <math.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static HsLaunch the_app;

#define DEMO_FILE "testsrc"
#define DEMO_SOURCE "cam0"
#define DEMO_PRE 2.0
#define DEMO_POST 2.0
#define DEMO_TRIGGERS "3,4,9"
#define DEMO_STOP_AFTER 12.0

/* The description is shown (after a parse error) up to this many
 * characters. */
#define MAX_DESCRIPTION_SHOWN 400
/* Seconds the output still waiting at exit is given to be read. */
#define OUTPUT_TIMEOUT 3.0

static const char summary[] =
    "Runs a GStreamer pipeline like gst-launch-1.0 and keeps the last seconds "
    "of every\nrecorded tee in memory. When an event fires (--trigger-at, a "
    "'record' line on\nstdin, SIGUSR1, a bus message) it writes a WebM file "
    "from PRE seconds before\nthe event to POST seconds after the last one.\n"
    "\n"
    "The description is a gst-launch description, on the command line or in "
    "a file\n(--file): there '#' starts a comment and lines are joined. "
    "{KEY} in it is\nfilled by --KEY=VALUE, {KEY=DEFAULT} has a default, "
    "'{{' and '}}' are literal\nbraces, and '-' and '_' in keys are the same."
    "\n\n"
    "Without a description it runs the bundled 'testsrc' pipeline and records "
    "cam0\n(pre 2 s, post 2 s, triggers at 3, 4 and 9 s, stop at 12 s), so "
    "the first run\nwrites two clips under recordings/.";

static const char description[] =
    "Times are seconds of the pipeline's running time (0 when it starts "
    "playing).\n"
    "Without --record every tee of the pipeline is recorded. Files go to\n"
    HS_RECORDER_DEFAULT_LOCATION " unless --output says otherwise.\n"
    "A recording option before any --record applies to every source; after "
    "a\n--record, to the sources that --record names only:\n"
    "  -r cam0 --pre 10 -r cam1 --pre 2 --post 20\n"
    "--config FILE gives the same options from a file: a [defaults] group "
    "and\n[source NAME] groups, keys named as the long options (pre=10). "
    "The command\nline wins over the file.\n"
    "\n"
    "Commands on stdin, one per line:\n"
    "  record [SOURCE...]   trigger now (every recorder without SOURCE)\n"
    "  stop [SOURCE]        close the open file now, forget pending triggers\n"
    "  status               say what each recorder is doing\n"
    "  quit                 stop gracefully\n"
    "\n"
    "Signals: SIGUSR1 triggers every recorder. SIGINT (Ctrl+C), SIGTERM and "
    "SIGHUP\n(the terminal closed) stop gracefully: end of stream, every "
    "open file finished,\nexit. A second SIGINT or SIGTERM forces the stop; "
    "SIGHUP never does, and stays\nignored under nohup. Ctrl+Z pauses the "
    "pipeline until the process continues.\nA closed pipe or a full disk on "
    "stdout or stderr stops the printing there, not\nthe recording.\n"
    "\n"
    "Bundled descriptions, by name: testsrc, multi-testsrc, v4l2, rtsp, file,"
    "\ndeepstream, jetson. --file NAME is read as a path (a file, a pipe, "
    "/dev/fd/N;\nat most 1 MiB), else looked up in $HINDSIGHT_PIPELINES_DIR, "
    "the source tree and\n"
    HS_PIPELINES_INSTALL_DIR ".\n"
    "\n"
    "Exit status: 0 ran and every file closed cleanly, 1 runtime error or "
    "failed\nrecording, 2 usage error, 3 bad description or template, 4 "
    "forced stop,\n5 every file closed cleanly but stdout or stderr could "
    "not be written to the end.\n"
    "\n"
    "Examples:\n"
    "  # The demo: two clips of a test pattern under recordings/\n"
    "  hindsight-launch\n"
    "\n"
    "  # [1 s, 6 s] and [7 s, 11 s] of the bundled test source\n"
    "  hindsight-launch --file testsrc --record cam0 --pre 2 --post 2 \\\n"
    "      --trigger-at 3,4,9 --stop-after 12 -o 'clips/%{index}.webm'\n"
    "\n"
    "  # A description file with a placeholder, as with pygst-launch\n"
    "  hindsight-launch --file pipeline.gstp --pattern=snow --record t1\n"
    "\n"
    "  # gst-launch style; type 'record' and Enter to save the last and next "
    "5 s\n"
    "  hindsight-launch videotestsrc is-live=true ! tee name=cam0 ! fakesink\n"
    "\n"
    "  # Picture and sound together: tee cam0 with tee mic0\n"
    "  hindsight-launch --file testsrc-audio --record cam0+mic0 "
    "--trigger-at 3\n"
    "\n"
    "  # Four sources, events as JSON lines for a script\n"
    "  hindsight-launch --file multi-testsrc --record 'tee_%u' --json \\\n"
    "      -o 'clips/%{source}/%Y%m%d-%H%M%S.webm'\n"
    "\n"
    "  # A camera that records when the motion detector says so\n"
    "  hindsight-launch --file v4l2 --device=/dev/video2 --record cam0 \\\n"
    "      --trigger-on-message motion=cam0 \\\n"
    "      --filter='videoconvert ! motioncells display=false'\n"
    "\n"
    "GStreamer's own options: --help-gst.";

/* ------------------------------------------------------------------------ */
/* Options                                                                  */

static gboolean
parse_seconds (const char  *option_name,
               const char  *value,
               gpointer     user_data,
               GError     **error)
{
  HsLaunch *app = user_data;
  const char *name = option_name + 2;
  char *end = NULL;
  double seconds = g_ascii_strtod (value, &end);
  double *target;
  gboolean *given;

  if (g_str_equal (name, "stop-after")) {
    target = &app->stop_after;
    given = &app->has_stop_after;
  } else {
    target = &app->force_timeout;
    given = &app->has_force_timeout;
  }

  if (end == value || *end != '\0' || !isfinite (seconds) || seconds < 0) {
    g_autofree char *quoted = hs_launch_quote (value);

    g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
        "%s: '%s' is not a number of seconds (0 or more)", option_name,
        quoted);
    return FALSE;
  }
  *target = seconds;
  *given = TRUE;
  return TRUE;
}

static GOptionGroup *
trigger_group (HsLaunch *app)
{
  const GOptionEntry entries[] = {
    { "trigger-at", 0, 0, G_OPTION_ARG_STRING_ARRAY, &app->trigger_at,
      "Trigger at running times T (repeatable)", "[SOURCE@]T[,...]" },
    { "trigger-on-message", 0, 0, G_OPTION_ARG_STRING_ARRAY,
      &app->trigger_on_message,
      "Trigger on element messages named NAME",
      "NAME[=SOURCE]" },
    { NULL }
  };
  GOptionGroup *group = g_option_group_new ("triggers", "Trigger Options:",
      "Show trigger options", app, NULL);

  g_option_group_add_entries (group, entries);
  return group;
}

static GOptionGroup *
run_group (HsLaunch *app)
{
  const GOptionEntry entries[] = {
    { "stop-after", 0, 0, G_OPTION_ARG_CALLBACK, parse_seconds,
      "Stop gracefully at running time S", "S" },
    { "force-timeout", 0, 0, G_OPTION_ARG_CALLBACK, parse_seconds,
      "Seconds a graceful stop may take (default 8)",
      "S" },
    { NULL }
  };
  GOptionGroup *group = g_option_group_new ("run", "Run Options:",
      "Show options for running and stopping", app, NULL);

  g_option_group_add_entries (group, entries);
  return group;
}

static GOptionContext *
make_context (HsLaunch *app, gboolean with_gst)
{
  const GOptionEntry main_entries[] = {
    { "file", 'f', 0, G_OPTION_ARG_FILENAME, &app->file,
      "Description file ('-': stdin) or bundled name", "FILE" },
    { "json", 0, 0, G_OPTION_ARG_NONE, &app->json,
      "One JSON object per line on stdout per event", NULL },
    { "version", 0, 0, G_OPTION_ARG_NONE, &app->version,
      "Print the version and exit", NULL },
    { NULL }
  };
  GOptionContext *context = g_option_context_new (
      "(--file FILE | DESCRIPTION...) [--KEY=VALUE...]");
  GOptionGroup *main_group = g_option_group_new (NULL, NULL, NULL, app, NULL);

  g_option_group_add_entries (main_group, main_entries);
  g_option_context_set_main_group (context, main_group);
  g_option_context_add_group (context,
      hs_launch_settings_recording_group (app));
  g_option_context_add_group (context, trigger_group (app));
  g_option_context_add_group (context, run_group (app));
  g_option_context_add_group (context, hs_launch_settings_service_group (app));
  if (with_gst)
    g_option_context_add_group (context, gst_init_get_option_group ());
  g_option_context_set_summary (context, summary);
  g_option_context_set_description (context, description);
  /* --KEY=VALUE and the description are left for us. */
  g_option_context_set_ignore_unknown_options (context, TRUE);
  return context;
}

/* --help shows every option of the tool; GStreamer's own are behind
 * --help-gst (and --help-all), as in gst-launch-1.0. */
static gboolean
wants_help (int argc, char **argv)
{
  for (int i = 1; i < argc; i++) {
    if (g_str_equal (argv[i], "--"))
      return FALSE;
    if (g_str_equal (argv[i], "-h") || g_str_equal (argv[i], "--help") ||
        g_str_equal (argv[i], "-?"))
      return TRUE;
  }
  return FALSE;
}

static void
usage_error (HsLaunch *app, const char *format, ...) G_GNUC_PRINTF (2, 3);

static void
usage_error (HsLaunch *app, const char *format, ...)
{
  g_autoptr(GError) error = NULL;
  va_list args;

  va_start (args, format);
  error = g_error_new_valist (G_OPTION_ERROR, G_OPTION_ERROR_FAILED, format,
      args);
  va_end (args);
  hs_launch_report_error (app, error, HS_LAUNCH_EXIT_USAGE);
}

/* ------------------------------------------------------------------------ */
/* The description                                                          */

/* Like gst_parse_launchv(): each argument is one word, so blanks in it
 * (outside double quotes) are escaped for the parser. A description given
 * as a single argument ("videotestsrc ! tee name=cam0 ! fakesink") is taken
 * as it is, as from a file. */
static char *
join_arguments (char **args, guint n)
{
  g_autoptr(GString) joined = g_string_new (NULL);

  if (n == 1)
    return g_strdup (args[0]);
  for (guint i = 0; i < n; i++) {
    gboolean in_quotes = FALSE;

    if (i > 0)
      g_string_append_c (joined, ' ');
    for (const char *c = args[i]; *c != '\0'; c++) {
      if (*c == '"' && (c == args[i] || c[-1] != '\\'))
        in_quotes = !in_quotes;
      if ((*c == ' ' || *c == '\t') && !in_quotes)
        g_string_append_c (joined, '\\');
      g_string_append_c (joined, *c);
    }
  }
  return g_string_free (g_steal_pointer (&joined), FALSE);
}

static GStrv
search_dirs (void)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  const char *env = g_getenv ("HINDSIGHT_PIPELINES_DIR");

  if (env != NULL && env[0] != '\0') {
    g_auto(GStrv) dirs = g_strsplit (env, G_SEARCHPATH_SEPARATOR_S, -1);

    for (guint i = 0; dirs[i] != NULL; i++)
      if (dirs[i][0] != '\0')
        g_strv_builder_add (builder, dirs[i]);
  }
  /* An uninstalled build finds the descriptions next to its sources. */
  g_strv_builder_add (builder, HS_PIPELINES_SOURCE_DIR);
  g_strv_builder_add (builder, HS_PIPELINES_INSTALL_DIR);
  return g_strv_builder_end (builder);
}

static int
compare_names (gconstpointer a, gconstpointer b)
{
  return g_strcmp0 (*(const char *const *) a, *(const char *const *) b);
}

static char *
bundled_names (const char *const *dirs)
{
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);

  for (guint i = 0; dirs[i] != NULL; i++) {
    g_autoptr(GDir) dir = g_dir_open (dirs[i], 0, NULL);
    const char *entry;

    while (dir != NULL && (entry = g_dir_read_name (dir)) != NULL) {
      g_autofree char *name = NULL;
      gboolean seen = FALSE;

      if (!g_str_has_suffix (entry, ".gstp"))
        continue;
      name = g_strndup (entry, strlen (entry) - strlen (".gstp"));
      for (guint j = 0; j < names->len && !seen; j++)
        seen = g_str_equal (names->pdata[j], name);
      if (!seen)
        g_ptr_array_add (names, g_steal_pointer (&name));
    }
  }
  g_ptr_array_sort (names, compare_names);
  g_ptr_array_add (names, NULL);
  return names->len > 1 ? g_strjoinv (", ", (char **) names->pdata) :
      g_strdup ("none found");
}

/* A path that exists is read as it is (a file, a FIFO, /dev/fd/N), unless
 * it is a folder whose name is also a bundled name; otherwise a bundled
 * name is looked up. */
static char *
find_description (const char *name, GError **error)
{
  g_auto(GStrv) dirs = NULL;
  g_autofree char *names = NULL;
  g_autofree char *quoted = NULL;
  GStatBuf st;
  gboolean exists = g_stat (name, &st) == 0;

  if (exists && !S_ISDIR (st.st_mode))
    return g_strdup (name);

  dirs = search_dirs ();
  if (strchr (name, G_DIR_SEPARATOR) == NULL) {
    for (guint i = 0; dirs[i] != NULL; i++) {
      g_autofree char *with_suffix = g_strconcat (name, ".gstp", NULL);
      g_autofree char *path = g_build_filename (dirs[i], with_suffix, NULL);
      g_autofree char *exact = g_build_filename (dirs[i], name, NULL);

      if (g_file_test (path, G_FILE_TEST_IS_REGULAR))
        return g_steal_pointer (&path);
      if (g_file_test (exact, G_FILE_TEST_IS_REGULAR))
        return g_steal_pointer (&exact);
    }
  }
  /* A folder: read_text() says so. */
  if (exists)
    return g_strdup (name);
  names = bundled_names ((const char *const *) dirs);
  quoted = hs_launch_quote_path (name);
  g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_NOENT,
      "No description file '%s': not a file, and not a bundled name "
      "(bundled: %s)", quoted, names);
  return NULL;
}

static const char *
describe_file_type (mode_t mode)
{
  if (S_ISFIFO (mode))
    return "a pipe";
  if (S_ISCHR (mode))
    return "a character device";
  if (S_ISBLK (mode))
    return "a block device";
  if (S_ISSOCK (mode))
    return "a socket";
  return "a file";
}

/* Reads text from @fd (@what names it in messages, @noun says what the
 * text is to be: "description", "configuration"): any stream that is not a
 * folder, up to HS_LAUNCH_MAX_DESCRIPTION bytes of text. Never reads more
 * than one byte past the limit (/dev/zero). */
static char *
read_text (int fd, const char *what, const char *noun, GError **error)
{
  g_autoptr(GString) text = g_string_new (NULL);
  struct stat st = { 0 };
  char chunk[16384];
  const char *nul;

  if (fstat (fd, &st) == 0) {
    if (S_ISDIR (st.st_mode)) {
      g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_ISDIR,
          "%s is a directory, not a %s file", what, noun);
      return NULL;
    }
    if (S_ISREG (st.st_mode) && st.st_size > HS_LAUNCH_MAX_DESCRIPTION) {
      g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_FAILED,
          "%s is larger than %d MiB: not a %s", what,
          HS_LAUNCH_MAX_DESCRIPTION / (1024 * 1024), noun);
      return NULL;
    }
  }

  for (;;) {
    gsize want = MIN (sizeof chunk,
        (gsize) HS_LAUNCH_MAX_DESCRIPTION + 1 - text->len);
    gssize n = read (fd, chunk, want);

    if (n < 0 && errno == EINTR)
      continue;
    if (n < 0) {
      int saved = errno;

      g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (saved),
          "Cannot read %s: %s", what, g_strerror (saved));
      return NULL;
    }
    if (n == 0)
      break;
    g_string_append_len (text, chunk, n);
    if (text->len > HS_LAUNCH_MAX_DESCRIPTION) {
      g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_FAILED,
          "%s (%s) is larger than %d MiB: not a %s", what,
          describe_file_type (st.st_mode),
          HS_LAUNCH_MAX_DESCRIPTION / (1024 * 1024), noun);
      return NULL;
    }
  }
  nul = memchr (text->str, '\0', text->len);
  if (nul != NULL) {
    g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_INVAL,
        "%s holds a NUL byte (byte %" G_GSIZE_FORMAT "): not a text "
        "%s", what, (gsize) (nul - text->str), noun);
    return NULL;
  }
  return g_string_free (g_steal_pointer (&text), FALSE);
}

/**
 * hs_launch_read_text_file:
 * @path: a file, a pipe, /dev/fd/N: anything but a folder
 * @noun: what the text is to be, for messages ("description")
 * @error: return location for a #GError
 *
 * Reads the text of @path, at most #HS_LAUNCH_MAX_DESCRIPTION bytes and no
 * NUL byte. Each call reads @path again: a pipe gives its text once.
 *
 * Returns: (transfer full) (nullable): the text
 */
char *
hs_launch_read_text_file (const char *path, const char *noun, GError **error)
{
  g_autofree char *quoted = hs_launch_quote_path (path);
  g_autofree char *what = g_strdup_printf ("'%s'", quoted);
  char *text;
  int fd;

  do
    fd = open (path, O_RDONLY | O_CLOEXEC);
  while (fd == -1 && errno == EINTR);
  if (fd == -1) {
    int saved = errno;

    g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (saved),
        "Cannot open the %s file %s: %s", noun, what, g_strerror (saved));
    return NULL;
  }
  text = read_text (fd, what, noun, error);
  close (fd);
  return text;
}

/* Reads and templates the description; NULL with the error reported. */
static char *
load_description (HsLaunch *app, HsTemplate *values, char **args, guint n_args,
                  HsLaunchExit *code)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;
  g_autofree char *origin = NULL;
  g_autofree char *expanded = NULL;
  HsTemplateFlags flags = HS_TEMPLATE_FLAGS_NONE;

  if (app->file != NULL && g_str_equal (app->file, "-")) {
    app->stdin_taken = TRUE;
    origin = g_strdup ("<stdin>");
    text = read_text (STDIN_FILENO, "stdin", "description", &error);
  } else if (app->file != NULL) {
    g_autofree char *path = find_description (app->file, &error);

    if (path != NULL)
      text = hs_launch_read_text_file (path, "description", &error);
    if (text != NULL)
      origin = g_steal_pointer (&path);
  } else {
    origin = g_strdup ("<command line>");
    text = join_arguments (args, n_args);
    flags = HS_TEMPLATE_NO_COMMENTS;
  }

  if (text != NULL)
    expanded = hs_template_expand (values, text, origin, flags, &error);
  if (expanded != NULL && expanded[0] == '\0')
    error = g_error_new (G_FILE_ERROR, G_FILE_ERROR_INVAL,
        "%s: the description is empty", origin);
  if (error != NULL) {
    *code = HS_LAUNCH_EXIT_DESCRIPTION;
    hs_launch_report_error (app, error, *code);
    return NULL;
  }
  return g_steal_pointer (&expanded);
}

/* ------------------------------------------------------------------------ */
/* Recorders                                                                */

static HsLaunchExit
make_recorders (HsLaunch *app)
{
  g_autoptr(GError) error = NULL;

  if (hs_launch_settings_make_recorders (app, &error))
    return HS_LAUNCH_EXIT_OK;

  /* A tee that is not there or a value the recorder refuses came from the
   * command line; anything else is the machine's (a missing plugin). */
  if (g_error_matches (error, HS_ERROR, HS_ERROR_NO_SUCH_TEE) ||
      g_error_matches (error, HS_ERROR, HS_ERROR_INVALID_ARGUMENT) ||
      error->domain == G_OPTION_ERROR) {
    hs_launch_report_error (app, error, HS_LAUNCH_EXIT_USAGE);
    return HS_LAUNCH_EXIT_USAGE;
  }
  hs_launch_report_error (app, error, HS_LAUNCH_EXIT_RUNTIME);
  return HS_LAUNCH_EXIT_RUNTIME;
}

/* ------------------------------------------------------------------------ */

/* Whatever is left after the options: --KEY=VALUE for the template, and the
 * words of a description. */
static HsLaunchExit
split_arguments (HsLaunch *app, int argc, char **argv, HsTemplate *values,
                 GPtrArray *words)
{
  gboolean only_words = FALSE;

  for (int i = 1; i < argc; i++) {
    const char *arg = argv[i];

    if (only_words || arg[0] != '-' || arg[1] == '\0') {
      g_ptr_array_add (words, argv[i]);
    } else if (g_str_equal (arg, "--")) {
      only_words = TRUE;
    } else if (g_str_has_prefix (arg, "--") && strchr (arg, '=') != NULL) {
      const char *eq = strchr (arg, '=');
      g_autofree char *key = g_strndup (arg + 2, eq - (arg + 2));

      if (!hs_template_key_is_valid (key)) {
        g_autofree char *quoted_arg = hs_launch_quote (arg);
        g_autofree char *quoted_key = hs_launch_quote (key);

        usage_error (app, "'%s': '%s' cannot name a placeholder (a letter or "
            "'_', then letters, digits, '-' and '_')", quoted_arg,
            quoted_key);
        return HS_LAUNCH_EXIT_USAGE;
      }
      hs_template_set (values, key, eq + 1);
    } else {
      g_autofree char *quoted = hs_launch_quote (arg);

      usage_error (app, "Unknown option %s (placeholder values are given as "
          "--KEY=VALUE)", quoted);
      return HS_LAUNCH_EXIT_USAGE;
    }
  }
  return HS_LAUNCH_EXIT_OK;
}

static void
apply_demo_defaults (HsLaunch *app)
{
  static char *demo_triggers[] = { (char *) DEMO_TRIGGERS, NULL };

  app->demo = TRUE;
  app->file = g_strdup (DEMO_FILE);
  hs_launch_settings_default (app, "record", DEMO_SOURCE);
  hs_launch_settings_default (app, "pre", G_STRINGIFY (DEMO_PRE));
  hs_launch_settings_default (app, "post", G_STRINGIFY (DEMO_POST));
  if (app->trigger_at == NULL && app->trigger_on_message == NULL)
    app->trigger_at = g_strdupv (demo_triggers);
  if (!app->has_stop_after) {
    app->stop_after = DEMO_STOP_AFTER;
    app->has_stop_after = TRUE;
  }
}

/* Said once the options are known to be good: a refused option is the only
 * thing a wrong command line prints. */
static void
announce_demo (HsLaunch *app)
{
  hs_launch_log (app, "No pipeline given: running the bundled '%s' pipeline "
      "and recording %s (triggers at %s s, stop at %g s). See --help.",
      DEMO_FILE, app->records[0], app->trigger_at ? app->trigger_at[0] :
      "message", app->stop_after);
}

/* Builds the pipeline and its recorders; HS_LAUNCH_EXIT_OK with both made
 * and armed, or the code of the error, reported. */
static HsLaunchExit
build (HsLaunch *app, const char *desc)
{
  g_autoptr(GError) error = NULL;
  HsLaunchExit code;

  app->runner = hs_pipeline_new (desc, &error);
  if (app->runner == NULL) {
    g_autofree char *shown = hs_launch_printable (desc, -1,
        MAX_DESCRIPTION_SHOWN);

    hs_launch_report_error (app, error, HS_LAUNCH_EXIT_DESCRIPTION);
    g_printerr ("The description was: %s\n", shown);
    return HS_LAUNCH_EXIT_DESCRIPTION;
  }
  app->n_runs++;
  app->seen_playing = FALSE;
  app->pipeline = gst_object_ref (hs_pipeline_get_pipeline (app->runner));
  g_clear_pointer (&app->tees, g_strfreev);
  app->tees = hs_tee_list (app->pipeline);
  if (app->has_force_timeout)
    hs_pipeline_set_force_timeout (app->runner, app->force_timeout);

  code = make_recorders (app);
  if (code != HS_LAUNCH_EXIT_OK)
    return code;
  if (!hs_launch_arm (app, &error)) {
    hs_launch_report_error (app, error, HS_LAUNCH_EXIT_USAGE);
    return HS_LAUNCH_EXIT_USAGE;
  }
  hs_launch_memory_watch (app);
  hs_launch_mqtt_watch (app);
  hs_launch_restart_begin_run (app);
  return HS_LAUNCH_EXIT_OK;
}

/* Done with this run's pipeline: files still open (only after a forced
 * stop) are closed and reported. */
static void
tear_down (HsLaunch *app)
{
  hs_launch_disarm_pipeline (app);
  /* Ctrl+Z has nothing to pause until the next pipeline plays. */
  app->playing = FALSE;
  hs_launch_memory_clear (app);
  g_ptr_array_set_size (app->recorders, 0);
  g_ptr_array_set_size (app->multi_recorders, 0);
  g_clear_object (&app->runner);
  gst_clear_object (&app->pipeline);
}

/* The options and the words after them. HS_LAUNCH_EXIT_OK with *@done
 * set: --help or --version was answered. */
static HsLaunchExit
parse_command_line (HsLaunch *app, int argc, char **argv, HsTemplate *values,
                    GPtrArray *words, gboolean *done)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GOptionContext) context = NULL;
  HsLaunchExit code;

  *done = TRUE;
  if (wants_help (argc, argv)) {
    g_autoptr(GOptionContext) help = make_context (app, FALSE);
    g_autofree char *text = g_option_context_get_help (help, FALSE, NULL);

    g_print ("%s", text);
    return HS_LAUNCH_EXIT_OK;
  }

  context = make_context (app, TRUE);
  if (!g_option_context_parse (context, &argc, &argv, &error)) {
    hs_launch_report_error (app, error, HS_LAUNCH_EXIT_USAGE);
    return HS_LAUNCH_EXIT_USAGE;
  }
  if (app->version) {
    g_autofree char *gst = gst_version_string ();

    g_print ("hindsight-launch %s\n%s\n", PACKAGE_VERSION, gst);
    return HS_LAUNCH_EXIT_OK;
  }

  code = split_arguments (app, argc, argv, values, words);
  if (code != HS_LAUNCH_EXIT_OK)
    return code;
  if (app->file != NULL && words->len > 0) {
    g_autofree char *quoted = hs_launch_quote (words->pdata[0]);

    usage_error (app, "Give either --file or a description, not both "
        "(found '%s' after the options)", quoted);
    return HS_LAUNCH_EXIT_USAGE;
  }
  if (app->file == NULL && words->len == 0)
    apply_demo_defaults (app);

  if (!hs_launch_parse_triggers (app, &error) ||
      !hs_launch_settings_check (app, &error)) {
    hs_launch_report_error (app, error, HS_LAUNCH_EXIT_USAGE);
    return HS_LAUNCH_EXIT_USAGE;
  }
  if (app->demo)
    announce_demo (app);
  *done = FALSE;
  return HS_LAUNCH_EXIT_OK;
}

/* The exit status once the last pipeline has ended (@error: why, if it
 * failed), reported: the table, then the "stopped" event. When several
 * codes apply, 4 wins over 1, which wins over 5. */
static HsLaunchExit
conclude (HsLaunch *app, gboolean ok, const GError *error)
{
  HsLaunchExit code;
  guint failed = 0;

  for (guint i = 0; i < app->recordings->len; i++)
    if (hs_recording_get_error (app->recordings->pdata[i]) != NULL)
      failed++;
  if (!ok) {
    if (g_error_matches (error, HS_PIPELINE_ERROR,
            HS_PIPELINE_ERROR_FORCED)) {
      app->stop = HS_LAUNCH_STOP_FORCED;
      code = HS_LAUNCH_EXIT_FORCED;
    } else {
      if (app->stop == HS_LAUNCH_STOP_NONE)
        app->stop = HS_LAUNCH_STOP_ERROR;
      code = HS_LAUNCH_EXIT_RUNTIME;
    }
    hs_launch_report_error (app, error, code);
  } else {
    if (app->stop == HS_LAUNCH_STOP_NONE)
      app->stop = HS_LAUNCH_STOP_EOS;
    code = failed > 0 ? HS_LAUNCH_EXIT_RUNTIME : HS_LAUNCH_EXIT_OK;
  }
  hs_launch_retention_finish (app);
  /* The table first: with --json it goes to stderr, and "stopped" is the
   * last event, with the exit status as far as it is known. */
  hs_launch_print_table (app);
  hs_launch_output_settle (1.0);
  if (code == HS_LAUNCH_EXIT_OK && hs_launch_output_failed ())
    code = HS_LAUNCH_EXIT_OUTPUT;
  hs_launch_report_stopped (app, code);
  /* "stopped" is published too, before "offline". */
  hs_launch_mqtt_finish (app);
  return code;
}

static HsLaunchExit
run (HsLaunch *app, int argc, char **argv)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(HsTemplate) values = hs_template_new ();
  g_autoptr(GPtrArray) words = g_ptr_array_new ();
  g_autofree char *desc = NULL;
  g_auto(GStrv) unused = NULL;
  HsLaunchExit code;
  gboolean done;
  gboolean ok;

  code = parse_command_line (app, argc, argv, values, words, &done);
  if (code != HS_LAUNCH_EXIT_OK || done)
    return code;

  /* Read once: a pipe or /dev/fd/N cannot be read again for a restart. */
  desc = load_description (app, values, (char **) words->pdata, words->len,
      &code);
  if (desc == NULL)
    return code;
  hs_launch_install_stop_signals (app);
  unused = hs_template_dup_unused (values);
  for (guint i = 0; unused[i] != NULL; i++)
    hs_launch_log (app, "warning: --%s is not used: the description has no "
        "{%s}", unused[i], unused[i]);

  if (!hs_launch_mqtt_start (app, &error)) {
    hs_launch_report_error (app, error, HS_LAUNCH_EXIT_USAGE);
    return HS_LAUNCH_EXIT_USAGE;
  }

  for (;;) {
    g_clear_error (&error);
    code = build (app, desc);
    if (code != HS_LAUNCH_EXIT_OK) {
      tear_down (app);
      return code;
    }
    /* Retention is checked once the templates of the recorders are known. */
    if (app->n_runs == 1 && !hs_launch_retention_start (app, &error)) {
      hs_launch_report_error (app, error, HS_LAUNCH_EXIT_USAGE);
      tear_down (app);
      return HS_LAUNCH_EXIT_USAGE;
    }
    ok = hs_pipeline_run (app->runner, &error);
    tear_down (app);
    if (!hs_launch_restart_wait (app, ok ? NULL : error))
      break;
  }
  return conclude (app, ok, error);
}

static void
clear_app (HsLaunch *app)
{
  g_clear_pointer (&app->recorders, g_ptr_array_unref);
  g_clear_pointer (&app->multi_recorders, g_ptr_array_unref);
  g_clear_pointer (&app->recordings, g_ptr_array_unref);
  g_clear_pointer (&app->open, g_hash_table_unref);
  g_clear_pointer (&app->triggers, g_ptr_array_unref);
  g_clear_pointer (&app->message_triggers, g_ptr_array_unref);
  g_clear_object (&app->commands);
  if (app->command_line != NULL)
    g_string_free (g_steal_pointer (&app->command_line), TRUE);
  g_clear_object (&app->runner);
  gst_clear_object (&app->pipeline);
  g_clear_pointer (&app->tees, g_strfreev);
  g_clear_pointer (&app->file, g_free);
  g_clear_pointer (&app->records, g_strfreev);
  g_clear_pointer (&app->trigger_at, g_strfreev);
  g_clear_pointer (&app->trigger_on_message, g_strfreev);
  hs_launch_retention_finish (app);
  hs_launch_mqtt_finish (app);
  hs_launch_settings_clear (app);
  /* The cancellable stays: a cancelled read may still look at it. */
}

int
main (int argc, char **argv)
{
  HsLaunch *app = &the_app;
  HsLaunchExit code;

  hs_launch_protect_process ();
  setlocale (LC_ALL, "");
  g_set_prgname ("hindsight-launch");
  hs_launch_output_init ();
  app->recorders = g_ptr_array_new_with_free_func (g_object_unref);
  app->multi_recorders = g_ptr_array_new_with_free_func (g_object_unref);
  app->recordings = g_ptr_array_new_with_free_func (g_object_unref);
  app->open = g_hash_table_new_full (NULL, NULL, g_object_unref, NULL);
  app->cancellable = g_cancellable_new ();
  hs_launch_settings_init (app);
  hs_launch_install_signals (app);

  code = run (app, argc, argv);

  hs_launch_disarm (app);
  clear_app (app);
  /* A reader that does not read is not waited for long: the files are
   * closed already. */
  if (!hs_launch_output_finish (OUTPUT_TIMEOUT) && code == HS_LAUNCH_EXIT_OK)
    code = HS_LAUNCH_EXIT_OUTPUT;
  return code;
}
