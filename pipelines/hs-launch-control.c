/* hindsight-launch: what makes recordings happen and what stops the run:
 * --trigger-at, --trigger-on-message, stdin commands, signals and
 * --stop-after.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "hs-launch.h"

#include <errno.h>
#include <fcntl.h>
#include <gio/gunixinputstream.h>
#include <glib-unix.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

/**
 * hs_launch_match_recorders:
 * @app: the tool
 * @pattern: (nullable): a tee name or pattern; %NULL for every recorder
 *
 * Returns: (transfer container): the recorders whose source matches
 */
GPtrArray *
hs_launch_match_recorders (HsLaunch *app, const char *pattern)
{
  GPtrArray *matches = g_ptr_array_new ();

  for (guint i = 0; i < app->recorders->len; i++) {
    HsRecorder *r = app->recorders->pdata[i];

    if (pattern == NULL ||
        hs_tee_name_matches (pattern, hs_recorder_get_source (r)))
      g_ptr_array_add (matches, r);
  }
  return matches;
}

char *
hs_launch_describe_sources (HsLaunch *app)
{
  g_autoptr(GString) text = g_string_new (NULL);

  for (guint i = 0; i < app->recorders->len; i++) {
    if (i > 0)
      g_string_append (text, ", ");
    g_string_append (text, hs_recorder_get_source (app->recorders->pdata[i]));
  }
  if (text->len == 0)
    g_string_append (text, "none");
  return g_string_free (g_steal_pointer (&text), FALSE);
}

/* ------------------------------------------------------------------------ */
/* Option parsing                                                           */

static gboolean
parse_time (const char *text, GstClockTime *time)
{
  g_autofree char *stripped = g_strstrip (g_strdup (text));
  char *end = NULL;
  double value;

  if (stripped[0] == '\0')
    return FALSE;
  value = g_ascii_strtod (stripped, &end);
  if (end == stripped || *end != '\0' || !isfinite (value) || value < 0 ||
      value > 1e9)
    return FALSE;
  *time = (GstClockTime) (value * GST_SECOND + 0.5);
  return TRUE;
}

static void
trigger_free (gpointer data)
{
  HsLaunchTrigger *t = data;

  g_free (t->source);
  g_free (t);
}

static void
message_trigger_free (gpointer data)
{
  HsLaunchMessageTrigger *t = data;

  g_free (t->name);
  g_free (t->source);
  g_free (t);
}

/* --trigger-at [SOURCE@]T[,...]: an item without SOURCE@ takes the source
 * of the item before it, so "cam1@3,4" triggers cam1 twice. */
gboolean
hs_launch_parse_triggers (HsLaunch *app, GError **error)
{
  app->triggers = g_ptr_array_new_with_free_func (trigger_free);
  app->message_triggers =
      g_ptr_array_new_with_free_func (message_trigger_free);

  for (guint i = 0; app->trigger_at && app->trigger_at[i] != NULL; i++) {
    g_auto(GStrv) items = g_strsplit (app->trigger_at[i], ",", -1);
    const char *source = NULL;

    for (guint j = 0; items[j] != NULL; j++) {
      char *at = strrchr (items[j], '@');
      const char *time_text = items[j];
      HsLaunchTrigger *t;
      GstClockTime time;

      if (at != NULL) {
        *at = '\0';
        source = g_strstrip (items[j]);
        time_text = at + 1;
        if (source[0] == '\0') {
          g_autofree char *quoted = hs_launch_quote (app->trigger_at[i]);

          g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
              "--trigger-at: '%s' names no source before '@'", quoted);
          return FALSE;
        }
      }
      if (!parse_time (time_text, &time)) {
        g_autofree char *quoted = hs_launch_quote (time_text);

        g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
            "--trigger-at: '%s' is not a running time in seconds "
            "(expected [SOURCE@]T[,...], for example 3,4,9 or cam0@2.5)",
            quoted);
        return FALSE;
      }
      t = g_new0 (HsLaunchTrigger, 1);
      t->source = g_strdup (source);
      t->time = time;
      g_ptr_array_add (app->triggers, t);
    }
  }

  for (guint i = 0; app->trigger_on_message &&
      app->trigger_on_message[i] != NULL; i++) {
    const char *spec = app->trigger_on_message[i];
    const char *eq = strchr (spec, '=');
    HsLaunchMessageTrigger *t = g_new0 (HsLaunchMessageTrigger, 1);

    t->name = eq ? g_strndup (spec, eq - spec) : g_strdup (spec);
    t->source = eq && eq[1] != '\0' ? g_strdup (eq + 1) : NULL;
    g_ptr_array_add (app->message_triggers, t);
    if (t->name[0] == '\0') {
      g_autofree char *quoted = hs_launch_quote (spec);

      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
          "--trigger-on-message: '%s' names no message (expected "
          "NAME[=SOURCE], for example level=cam0)", quoted);
      return FALSE;
    }
  }
  return TRUE;
}

/* ------------------------------------------------------------------------ */
/* Triggering                                                               */

typedef struct {
  HsLaunch *app;
  HsRecorder *recorder;
  GstClockTime time;
  char *cause;
} TriggerReport;

static gboolean
on_trigger_report (gpointer data)
{
  TriggerReport *r = data;

  hs_launch_report_trigger (r->app, r->recorder, r->time, r->cause);
  g_object_unref (r->recorder);
  g_free (r->cause);
  g_free (r);
  return G_SOURCE_REMOVE;
}

/* Safe from any thread; the report is made on the main context. A trigger
 * "now" is resolved here, as the recorder would, so that it can be
 * reported with its time. */
static void
trigger (HsLaunch *app, HsRecorder *recorder, GstClockTime time,
         const char *cause)
{
  TriggerReport *r = g_new0 (TriggerReport, 1);

  if (!GST_CLOCK_TIME_IS_VALID (time))
    time = hs_recorder_get_running_time (recorder);
  /* No frame yet: the stream's start, as the recorder would take it. */
  if (!GST_CLOCK_TIME_IS_VALID (time))
    time = 0;
  hs_recorder_trigger_at (recorder, time);

  r->app = app;
  r->recorder = g_object_ref (recorder);
  r->time = time;
  r->cause = g_strdup (cause);
  g_idle_add (on_trigger_report, r);
}

void
hs_launch_trigger (HsLaunch *app, HsRecorder *recorder, GstClockTime time,
                   const char *cause)
{
  trigger (app, recorder, time, cause);
}

static void
trigger_matching (HsLaunch *app, const char *pattern, GstClockTime time,
                  const char *cause)
{
  g_autoptr(GPtrArray) matches = hs_launch_match_recorders (app, pattern);

  for (guint i = 0; i < matches->len; i++)
    trigger (app, matches->pdata[i], time, cause);
}

static gboolean
check_source (HsLaunch *app, const char *option, const char *pattern,
              GError **error)
{
  g_autoptr(GPtrArray) matches = NULL;
  g_autofree char *sources = NULL;
  g_autofree char *shown = NULL;
  g_autofree char *quoted = NULL;

  if (pattern == NULL && app->recorders->len > 0)
    return TRUE;
  matches = hs_launch_match_recorders (app, pattern);
  if (matches->len > 0)
    return TRUE;
  sources = hs_launch_describe_sources (app);
  shown = hs_launch_printable (sources, -1, 0);
  if (pattern == NULL) {
    g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
        "%s: nothing to trigger: no tee is recorded", option);
  } else {
    quoted = hs_launch_quote (pattern);
    g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
        "%s: no recorded source matches '%s' (recording: %s)", option,
        quoted, shown);
  }
  return FALSE;
}

static void
on_sync_element (GstBus *bus, GstMessage *message, gpointer user_data)
{
  HsLaunch *app = user_data;
  const GstStructure *s = gst_message_get_structure (message);

  if (s == NULL)
    return;
  for (guint i = 0; i < app->message_triggers->len; i++) {
    HsLaunchMessageTrigger *t = app->message_triggers->pdata[i];
    GstClockTime time = GST_CLOCK_TIME_NONE;
    g_autofree char *cause = NULL;

    if (!gst_structure_has_name (s, t->name))
      continue;
    /* Analysers (level, motion detectors) say when what they report
     * happened; that is more exact than the time the message arrives. */
    if (gst_structure_has_field_typed (s, "running-time", G_TYPE_UINT64))
      gst_structure_get_clock_time (s, "running-time", &time);
    cause = g_strdup_printf ("message '%s' from %s", t->name,
        GST_MESSAGE_SRC_NAME (message));
    trigger_matching (app, t->source, time, cause);
  }
}

/* ------------------------------------------------------------------------ */
/* Stopping                                                                 */

void
hs_launch_request_stop (HsLaunch *app, HsLaunchStop reason)
{
  if (app->stop == HS_LAUNCH_STOP_NONE)
    app->stop = reason;
  /* None while --restart-after waits to build the next one. */
  if (app->runner != NULL)
    hs_pipeline_stop (app->runner);
}

static gboolean
on_stop_after (gpointer user_data)
{
  HsLaunch *app = user_data;

  if (app->stop == HS_LAUNCH_STOP_NONE)
    hs_launch_log (app, "Stopping at running time %g s (--stop-after)",
        app->stop_after);
  hs_launch_request_stop (app, HS_LAUNCH_STOP_AFTER);
  return G_SOURCE_REMOVE;
}

static void
fire_stop_after (HsLaunch *app)
{
  if (g_atomic_int_compare_and_exchange (&app->stop_after_fired, 0, 1))
    g_idle_add (on_stop_after, app);
}

static gboolean
on_stop_clock (GstClock *clock, GstClockTime time, GstClockID id,
               gpointer user_data)
{
  fire_stop_after (user_data);
  return TRUE;
}

typedef struct {
  HsLaunch *app;
  GstClockTime stop_at;
  int done;                     /* atomic */
} StopProbe;

/* A non-live source runs ahead of the clock, so its running time is the
 * time of its data: the run stops once every recorded tee has carried a
 * frame at or past --stop-after (or ended). */
static GstPadProbeReturn
on_tee_data (GstPad *pad, GstPadProbeInfo *info, gpointer user_data)
{
  StopProbe *probe = user_data;
  gboolean reached = FALSE;

  if (info->type & GST_PAD_PROBE_TYPE_BUFFER) {
    GstBuffer *buffer = GST_PAD_PROBE_INFO_BUFFER (info);
    g_autoptr(GstEvent) event =
        gst_pad_get_sticky_event (pad, GST_EVENT_SEGMENT, 0);
    const GstSegment *segment = NULL;

    if (event != NULL && GST_BUFFER_PTS_IS_VALID (buffer)) {
      gst_event_parse_segment (event, &segment);
      if (segment->format == GST_FORMAT_TIME) {
        GstClockTime t = gst_segment_to_running_time (segment,
            GST_FORMAT_TIME, GST_BUFFER_PTS (buffer));

        reached = GST_CLOCK_TIME_IS_VALID (t) && t >= probe->stop_at;
      }
    }
  } else if (info->type & GST_PAD_PROBE_TYPE_EVENT_DOWNSTREAM) {
    reached = GST_EVENT_TYPE (GST_PAD_PROBE_INFO_EVENT (info)) == GST_EVENT_EOS;
  }

  if (!reached)
    return GST_PAD_PROBE_OK;
  if (g_atomic_int_compare_and_exchange (&probe->done, 0, 1) &&
      g_atomic_int_dec_and_test (&probe->app->stop_after_pending))
    fire_stop_after (probe->app);
  return GST_PAD_PROBE_REMOVE;
}

static void
add_stop_probes (HsLaunch *app)
{
  GstClockTime stop_at = (GstClockTime) (app->stop_after * GST_SECOND + 0.5);

  g_atomic_int_set (&app->stop_after_pending, app->recorders->len);
  for (guint i = 0; i < app->recorders->len; i++) {
    const char *source = hs_recorder_get_source (app->recorders->pdata[i]);
    g_autoptr(GstElement) tee =
        gst_bin_get_by_name (GST_BIN (app->pipeline), source);
    g_autoptr(GstPad) pad = gst_element_get_static_pad (tee, "sink");
    StopProbe *probe = g_new0 (StopProbe, 1);

    probe->app = app;
    probe->stop_at = stop_at;
    gst_pad_add_probe (pad, GST_PAD_PROBE_TYPE_BUFFER |
        GST_PAD_PROBE_TYPE_EVENT_DOWNSTREAM, on_tee_data, probe, g_free);
  }
}

/* Running time of a live pipeline is the clock's: base time + S. */
static void
arm_stop_clock (HsLaunch *app)
{
  g_autoptr(GstClock) clock = gst_element_get_clock (app->pipeline);
  GstClockTime at;

  if (clock == NULL) {
    fire_stop_after (app);
    return;
  }
  at = gst_element_get_base_time (app->pipeline) +
      (GstClockTime) (app->stop_after * GST_SECOND + 0.5);
  app->stop_clock_id = gst_clock_new_single_shot_id (clock, at);
  gst_clock_id_wait_async (app->stop_clock_id, on_stop_clock, app, NULL);
}

static gboolean
on_playing (gpointer user_data)
{
  HsLaunch *app = user_data;

  app->playing = TRUE;
  hs_launch_report_playing (app);

  if (app->has_stop_after) {
    g_autoptr(GstQuery) query = gst_query_new_latency ();
    gboolean live = FALSE;

    if (gst_element_query (app->pipeline, query))
      gst_query_parse_latency (query, &live, NULL, NULL);
    if (live || app->recorders->len == 0)
      arm_stop_clock (app);
  }
  return G_SOURCE_REMOVE;
}

static void
on_sync_state_changed (GstBus *bus, GstMessage *message, gpointer user_data)
{
  HsLaunch *app = user_data;
  GstState new_state;

  if (GST_MESSAGE_SRC (message) != GST_OBJECT (app->pipeline))
    return;
  gst_message_parse_state_changed (message, NULL, &new_state, NULL);
  if (new_state == GST_STATE_PLAYING &&
      g_atomic_int_compare_and_exchange (&app->seen_playing, FALSE, TRUE))
    g_idle_add (on_playing, app);
}

/* ------------------------------------------------------------------------ */
/* Stdin commands                                                           */

static void read_next_command (HsLaunch *app);

static void
run_command (HsLaunch *app, const char *line, gsize length)
{
  g_auto(GStrv) words = NULL;
  g_autoptr(GPtrArray) args = g_ptr_array_new ();
  const char *command;

  if (!g_utf8_validate (line, length, NULL)) {
    hs_launch_log (app, "stdin: ignoring a line that is not UTF-8 text");
    return;
  }
  words = g_strsplit_set (line, " \t\r", -1);
  for (guint i = 0; words[i] != NULL; i++)
    if (words[i][0] != '\0')
      g_ptr_array_add (args, words[i]);
  if (args->len == 0)
    return;
  command = args->pdata[0];

  if (g_str_equal (command, "record")) {
    if (args->len == 1)
      trigger_matching (app, NULL, GST_CLOCK_TIME_NONE, "stdin");
    for (guint i = 1; i < args->len; i++) {
      g_autoptr(GError) error = NULL;

      if (check_source (app, "record", args->pdata[i], &error))
        trigger_matching (app, args->pdata[i], GST_CLOCK_TIME_NONE, "stdin");
      else
        hs_launch_log (app, "%s", error->message);
    }
  } else if (g_str_equal (command, "stop")) {
    g_autoptr(GError) error = NULL;
    const char *pattern = args->len > 1 ? args->pdata[1] : NULL;

    if (args->len > 2) {
      hs_launch_log (app, "stop: takes at most one SOURCE");
    } else if (!check_source (app, "stop", pattern, &error)) {
      hs_launch_log (app, "%s", error->message);
    } else {
      g_autoptr(GPtrArray) matches = hs_launch_match_recorders (app, pattern);

      for (guint i = 0; i < matches->len; i++) {
        g_autofree char *source = hs_launch_printable (
            hs_recorder_get_source (matches->pdata[i]), -1, 0);

        hs_launch_log (app, "%s: stopping the recording", source);
        hs_recorder_stop (matches->pdata[i]);
      }
    }
  } else if (g_str_equal (command, "status")) {
    hs_launch_report_status (app);
  } else if (g_str_equal (command, "quit")) {
    hs_launch_log (app, "Stopping (quit)");
    hs_launch_request_stop (app, HS_LAUNCH_STOP_QUIT);
  } else {
    g_autofree char *quoted = hs_launch_quote (command);

    hs_launch_log (app, "unknown command '%s' (commands: record [SOURCE...], "
        "stop [SOURCE], status, quit)", quoted);
  }
}

/* A line that ends, or the end of a line too long to keep. */
static void
end_command_line (HsLaunch *app)
{
  if (!app->command_too_long)
    run_command (app, app->command_line->str, app->command_line->len);
  app->command_too_long = FALSE;
  g_string_truncate (app->command_line, 0);
}

/* Bytes of stdin: whole lines are commands. A line never takes more than
 * HS_LAUNCH_MAX_LINE bytes of memory, however long it is; a longer one is
 * refused with one message and skipped to its end. */
static void
take_command_bytes (HsLaunch *app, const char *data, gsize length)
{
  while (length > 0) {
    const char *newline = memchr (data, '\n', length);
    gsize part = newline ? (gsize) (newline - data) : length;

    if (!app->command_too_long) {
      if (app->command_line->len + part > HS_LAUNCH_MAX_LINE) {
        gsize room = HS_LAUNCH_MAX_LINE - app->command_line->len;
        g_autofree char *quoted = NULL;

        g_string_append_len (app->command_line, data, MIN (room,
                HS_LAUNCH_QUOTE_CHARS * 4));
        quoted = hs_launch_printable (app->command_line->str,
            app->command_line->len, HS_LAUNCH_QUOTE_CHARS);
        hs_launch_log (app, "stdin: ignoring a line longer than %d bytes "
            "('%s')", HS_LAUNCH_MAX_LINE, quoted);
        app->command_too_long = TRUE;
        g_string_truncate (app->command_line, 0);
      } else {
        g_string_append_len (app->command_line, data, part);
      }
    }
    if (newline == NULL)
      return;
    end_command_line (app);
    data = newline + 1;
    length -= part + 1;
  }
}

static gboolean
on_foreground_check (gpointer user_data)
{
  HsLaunch *app = user_data;
  pid_t foreground = tcgetpgrp (STDIN_FILENO);

  if (foreground != -1 && foreground != getpgrp ())
    return G_SOURCE_CONTINUE;
  app->foreground_id = 0;
  if (foreground == -1) {
    hs_launch_log (app, "stdin: the terminal is gone; no longer reading "
        "commands");
    return G_SOURCE_REMOVE;
  }
  read_next_command (app);
  return G_SOURCE_REMOVE;
}

/* A job in the background of a terminal cannot read it (EIO: SIGTTIN is
 * ignored, so that reading never stops the recording); it reads again
 * once brought back to the foreground. */
static gboolean
wait_for_foreground (HsLaunch *app, const GError *error)
{
  if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_FAILED) ||
      !isatty (STDIN_FILENO) || tcgetpgrp (STDIN_FILENO) == -1 ||
      tcgetpgrp (STDIN_FILENO) == getpgrp ())
    return FALSE;
  app->foreground_id = g_timeout_add_seconds (1, on_foreground_check, app);
  return TRUE;
}

/* Main thread only; large reads keep a flood of input cheap. */
static char command_chunk[64 * 1024];

static void
on_command_data (GObject *source, GAsyncResult *result, gpointer user_data)
{
  HsLaunch *app = user_data;
  g_autoptr(GError) error = NULL;
  gssize n = g_input_stream_read_finish (G_INPUT_STREAM (source), result,
      &error);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  if (error != NULL) {
    if (!wait_for_foreground (app, error))
      hs_launch_log (app, "stdin: %s; no longer reading commands",
          error->message);
    return;
  }
  if (n == 0) {
    /* End of input: a last line without a newline counts; keep running. */
    if (app->command_line->len > 0 || app->command_too_long)
      end_command_line (app);
    return;
  }
  take_command_bytes (app, command_chunk, n);
  read_next_command (app);
}

static void
read_next_command (HsLaunch *app)
{
  g_input_stream_read_async (app->commands, command_chunk,
      sizeof command_chunk, G_PRIORITY_DEFAULT, app->cancellable,
      on_command_data, app);
}

static void
start_commands (HsLaunch *app)
{
  if (app->stdin_taken)
    return;
  app->commands = g_unix_input_stream_new (STDIN_FILENO, FALSE);
  app->command_line = g_string_new (NULL);
  read_next_command (app);
}

/* ------------------------------------------------------------------------ */
/* Signals                                                                  */

static G_GNUC_NORETURN void
force_exit (HsLaunch *app, const char *signal_name)
{
  GHashTableIter iter;
  gpointer key;

  app->stop = HS_LAUNCH_STOP_FORCED;
  hs_launch_log (app, "Forced stop (%s)", signal_name);
  g_hash_table_iter_init (&iter, app->open);
  while (g_hash_table_iter_next (&iter, &key, NULL)) {
    g_autofree char *location = hs_launch_printable (
        hs_recording_get_location (key), -1, 0);

    hs_launch_log (app, "%s: may be incomplete", location);
  }
  hs_launch_print_table (app);
  hs_launch_report_stopped (app, HS_LAUNCH_EXIT_FORCED);
  hs_launch_output_finish (1.0);
  _exit (HS_LAUNCH_EXIT_FORCED);
}

/* The first stop signal stops gracefully. A second SIGINT or SIGTERM (or
 * one while a stop is under way) forces; SIGHUP never does: a terminal
 * that goes away sends it more than once (the kernel to the foreground
 * job, then the shell to every job). */
static gboolean
stop_signal (HsLaunch *app, const char *signal_name, gboolean forces)
{
  if (app->n_stop_signals > 0 || app->stop != HS_LAUNCH_STOP_NONE) {
    if (forces)
      force_exit (app, signal_name);
    return G_SOURCE_CONTINUE;
  }
  app->n_stop_signals++;
  hs_launch_log (app, "Stopping (%s): finishing %u open file(s)%s",
      signal_name, g_hash_table_size (app->open),
      forces ? " (Ctrl+C again to force)" : "");
  hs_launch_request_stop (app, HS_LAUNCH_STOP_SIGNAL);
  return G_SOURCE_CONTINUE;
}

static gboolean
on_sigint (gpointer user_data)
{
  return stop_signal (user_data, "SIGINT", TRUE);
}

static gboolean
on_sigterm (gpointer user_data)
{
  return stop_signal (user_data, "SIGTERM", TRUE);
}

static gboolean
on_sighup (gpointer user_data)
{
  return stop_signal (user_data, "SIGHUP", FALSE);
}

static gboolean
on_record_signal (gpointer user_data)
{
  HsLaunch *app = user_data;

  if (app->recorders != NULL)
    trigger_matching (app, NULL, GST_CLOCK_TIME_NONE, "SIGUSR1");
  return G_SOURCE_CONTINUE;
}

static gboolean signal_ignored (int signum);

/* Ctrl+Z. A live pipeline left running while the process is stopped
 * would come back with the clock far ahead of its frames: the source
 * catches up in a burst that the ring branch's leaky queue has to drop,
 * and --stop-after comes early. So the pipeline is paused first (its
 * running time stands still), the process stops, and the pipeline plays
 * again when it continues. SIGTSTP cannot be watched through GLib: its
 * handler only writes a byte to a pipe that the main context reads. */
static int suspend_pipe[2] = { -1, -1 };

static void
on_sigtstp (int signum)
{
  int saved = errno;
  char byte = 0;
  ssize_t n = write (suspend_pipe[1], &byte, 1);

  (void) n;                     /* full: a byte is waiting already */
  errno = saved;
}

static void
stop_process (void)
{
  struct sigaction dfl = { 0 };
  struct sigaction old;

  dfl.sa_handler = SIG_DFL;
  sigemptyset (&dfl.sa_mask);
  sigaction (SIGTSTP, &dfl, &old);
  raise (SIGTSTP);
  /* Here once continued (SIGCONT: fg, bg, kill -CONT). */
  sigaction (SIGTSTP, &old, NULL);
}

static gboolean
on_suspend (int fd, GIOCondition condition, gpointer user_data)
{
  HsLaunch *app = user_data;
  gboolean pause = app->pipeline != NULL && app->playing &&
      app->stop == HS_LAUNCH_STOP_NONE;
  char bytes[16];

  while (read (fd, bytes, sizeof bytes) > 0)
    ;
  if (pause) {
    hs_launch_log (app, "Suspended (SIGTSTP): the pipeline is paused until "
        "the process continues");
    if (app->stop_clock_id != NULL)
      gst_clock_id_unschedule (app->stop_clock_id);
    gst_element_set_state (app->pipeline, GST_STATE_PAUSED);
  }
  stop_process ();
  if (pause) {
    gst_element_set_state (app->pipeline, GST_STATE_PLAYING);
    /* Playing again moved the base time: --stop-after is a running time. */
    if (app->stop_clock_id != NULL) {
      g_clear_pointer (&app->stop_clock_id, gst_clock_id_unref);
      arm_stop_clock (app);
    }
    hs_launch_log (app, "Continued: the pipeline plays again");
  }
  return G_SOURCE_CONTINUE;
}

static void
watch_suspend (HsLaunch *app)
{
  struct sigaction action = { 0 };
  g_autoptr(GError) error = NULL;

  if (signal_ignored (SIGTSTP) ||
      !g_unix_open_pipe (suspend_pipe, FD_CLOEXEC, &error) ||
      !g_unix_set_fd_nonblocking (suspend_pipe[0], TRUE, &error) ||
      !g_unix_set_fd_nonblocking (suspend_pipe[1], TRUE, &error))
    return;
  app->suspend_id = g_unix_fd_add (suspend_pipe[0], G_IO_IN, on_suspend, app);
  action.sa_handler = on_sigtstp;
  action.sa_flags = SA_RESTART;
  sigemptyset (&action.sa_mask);
  sigaction (SIGTSTP, &action, NULL);
}

static void
ignore_signal (int signum)
{
  struct sigaction action = { 0 };

  action.sa_handler = SIG_IGN;
  sigemptyset (&action.sa_mask);
  sigaction (signum, &action, NULL);
}

static gboolean
signal_ignored (int signum)
{
  struct sigaction action = { 0 };

  return sigaction (signum, NULL, &action) == 0 &&
      action.sa_handler == SIG_IGN;
}

/**
 * hs_launch_protect_process:
 *
 * First thing in main(), before anything opens a file: a closed stdin,
 * stdout or stderr is held open on /dev/null (read-only, so that writing
 * fails and is reported as for any other stream that cannot be written),
 * or the next file opened (a recording) would take its number and receive
 * the events. SIGPIPE is ignored: a reader that goes away is a write
 * error, not the end of the recordings. SIGTTIN and SIGTTOU are ignored:
 * a job in the background of a terminal neither stops when it prints
 * (stty tostop) nor when it reads its commands.
 */
void
hs_launch_protect_process (void)
{
  for (int fd = STDIN_FILENO; fd <= STDERR_FILENO; fd++) {
    int held;

    if (fcntl (fd, F_GETFD) != -1 || errno != EBADF)
      continue;
    held = open ("/dev/null", O_RDONLY);
    if (held != -1 && held != fd) {
      dup2 (held, fd);
      close (held);
    }
  }
  ignore_signal (SIGPIPE);
  ignore_signal (SIGTTIN);
  ignore_signal (SIGTTOU);
}

/* First thing, so that a SIGUSR1 that comes early is held until the main
 * loop runs instead of killing the process. */
void
hs_launch_install_signals (HsLaunch *app)
{
  app->signal_ids[0] = g_unix_signal_add (SIGUSR1, on_record_signal, app);
}

/* Once the description is read: until then nothing is recorded, and a
 * stop signal ends the process as it would any other (a FIFO that never
 * gets a writer can be interrupted). A SIGHUP ignored by whoever started
 * the process (nohup) stays ignored. */
void
hs_launch_install_stop_signals (HsLaunch *app)
{
  app->signal_ids[1] = g_unix_signal_add (SIGINT, on_sigint, app);
  app->signal_ids[2] = g_unix_signal_add (SIGTERM, on_sigterm, app);
  if (!signal_ignored (SIGHUP))
    app->signal_ids[3] = g_unix_signal_add (SIGHUP, on_sighup, app);
  watch_suspend (app);
}

/* ------------------------------------------------------------------------ */

/**
 * hs_launch_arm:
 * @app: the tool, with its pipeline and recorders made
 * @error: return location for a #GError (%G_OPTION_ERROR: a usage error)
 *
 * Schedules --trigger-at, watches the bus for --trigger-on-message and for
 * PLAYING, prepares --stop-after and starts reading commands on stdin.
 */
gboolean
hs_launch_arm (HsLaunch *app, GError **error)
{
  g_autoptr(GstBus) bus = gst_element_get_bus (app->pipeline);

  for (guint i = 0; i < app->triggers->len; i++) {
    HsLaunchTrigger *t = app->triggers->pdata[i];

    if (!check_source (app, "--trigger-at", t->source, error))
      return FALSE;
  }
  for (guint i = 0; i < app->message_triggers->len; i++) {
    HsLaunchMessageTrigger *t = app->message_triggers->pdata[i];

    if (!check_source (app, "--trigger-on-message", t->source, error))
      return FALSE;
  }

  /* Before PLAYING, so that a fast non-live source loses nothing; once:
   * a pipeline built again (--restart-after) starts a new timeline. */
  for (guint i = 0; app->n_runs == 1 && i < app->triggers->len; i++) {
    HsLaunchTrigger *t = app->triggers->pdata[i];
    g_autoptr(GPtrArray) matches = hs_launch_match_recorders (app, t->source);

    for (guint j = 0; j < matches->len; j++)
      hs_recorder_trigger_at (matches->pdata[j], t->time);
  }

  gst_bus_enable_sync_message_emission (bus);
  app->state_handler = g_signal_connect (bus, "sync-message::state-changed",
      G_CALLBACK (on_sync_state_changed), app);
  if (app->message_triggers->len > 0)
    app->element_handler = g_signal_connect (bus, "sync-message::element",
        G_CALLBACK (on_sync_element), app);

  if (app->has_stop_after)
    add_stop_probes (app);
  if (app->commands == NULL)
    start_commands (app);
  return TRUE;
}

/* What hs_launch_arm() tied to this run's pipeline. */
void
hs_launch_disarm_pipeline (HsLaunch *app)
{
  if (app->pipeline != NULL && app->state_handler != 0) {
    g_autoptr(GstBus) bus = gst_element_get_bus (app->pipeline);

    g_clear_signal_handler (&app->state_handler, bus);
    g_clear_signal_handler (&app->element_handler, bus);
    gst_bus_disable_sync_message_emission (bus);
  }
  if (app->stop_clock_id != NULL) {
    gst_clock_id_unschedule (app->stop_clock_id);
    g_clear_pointer (&app->stop_clock_id, gst_clock_id_unref);
  }
}

void
hs_launch_disarm (HsLaunch *app)
{
  hs_launch_disarm_pipeline (app);
  if (app->cancellable != NULL)
    g_cancellable_cancel (app->cancellable);
  for (guint i = 0; i < G_N_ELEMENTS (app->signal_ids); i++)
    g_clear_handle_id (&app->signal_ids[i], g_source_remove);
  g_clear_handle_id (&app->foreground_id, g_source_remove);
  if (app->suspend_id != 0) {
    /* Ctrl+Z from here on simply stops the process. */
    signal (SIGTSTP, SIG_DFL);
    g_clear_handle_id (&app->suspend_id, g_source_remove);
  }
}
