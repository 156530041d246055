/* hindsight-launch: events for people (stderr) and scripts (--json, stdout).
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "hs-launch.h"

#include <json-glib/json-glib.h>
#include <stdio.h>
#include <unistd.h>

static double
seconds (GstClockTime t)
{
  return GST_CLOCK_TIME_IS_VALID (t) ? (double) t / GST_SECOND : 0.0;
}

void
hs_launch_log (HsLaunch *app, const char *format, ...)
{
  g_autofree char *message = NULL;
  va_list args;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);
  g_printerr ("%s\n", message);
}

/* One JSON object per line; stdout is flushed at once so that a script
 * reading a pipe sees each event as it happens. */
static void
emit_json (JsonBuilder *builder)
{
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autoptr(JsonNode) root = json_builder_get_root (builder);
  g_autofree char *text = NULL;

  json_generator_set_root (generator, root);
  text = json_generator_to_data (generator, NULL);
  fputs (text, stdout);
  fputc ('\n', stdout);
  fflush (stdout);
}

static JsonBuilder *
begin_event (const char *name)
{
  JsonBuilder *builder = json_builder_new ();

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "event");
  json_builder_add_string_value (builder, name);
  return builder;
}

/* Printed with --json, published with --mqtt (to the topic of the
 * event's source, if it has one). */
static void
end_event (HsLaunch *app, JsonBuilder *builder)
{
  g_autoptr(JsonNode) root = NULL;

  json_builder_end_object (builder);
  if (app->json)
    emit_json (builder);
  if (app->mqtt != NULL) {
    JsonObject *object;

    root = json_builder_get_root (builder);
    object = json_node_get_object (root);
    hs_launch_mqtt_publish (app, json_object_has_member (object, "source") ?
        json_object_get_string_member_with_default (object, "source", NULL) :
        NULL, root);
  }
}

/* Whether events are made at all. */
gboolean
hs_launch_wants_events (HsLaunch *app)
{
  return app->json || app->mqtt != NULL;
}

JsonBuilder *
hs_launch_event_begin (const char *name)
{
  return begin_event (name);
}

void
hs_launch_event_end (HsLaunch *app, JsonBuilder *builder)
{
  end_event (app, builder);
}

static void
add_string (JsonBuilder *b, const char *name, const char *value)
{
  json_builder_set_member_name (b, name);
  if (value != NULL)
    json_builder_add_string_value (b, value);
  else
    json_builder_add_null_value (b);
}

static void
add_double (JsonBuilder *b, const char *name, double value)
{
  json_builder_set_member_name (b, name);
  json_builder_add_double_value (b, value);
}

static void
add_int (JsonBuilder *b, const char *name, gint64 value)
{
  json_builder_set_member_name (b, name);
  json_builder_add_int_value (b, value);
}

static void
add_strv (JsonBuilder *b, const char *name, const char *const *values)
{
  json_builder_set_member_name (b, name);
  json_builder_begin_array (b);
  for (guint i = 0; values != NULL && values[i] != NULL; i++)
    json_builder_add_string_value (b, values[i]);
  json_builder_end_array (b);
}

static void
add_error (JsonBuilder *b, const char *name, const GError *error)
{
  json_builder_set_member_name (b, name);
  if (error == NULL) {
    json_builder_add_null_value (b);
    return;
  }
  json_builder_begin_object (b);
  add_string (b, "domain", g_quark_to_string (error->domain));
  add_int (b, "code", error->code);
  add_string (b, "message", error->message);
  json_builder_end_object (b);
}

static GStrv
recorder_sources (HsLaunch *app)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();

  for (guint i = 0; i < app->recorders->len; i++)
    g_strv_builder_add (builder,
        hs_recorder_get_source (app->recorders->pdata[i]));
  return g_strv_builder_end (builder);
}

void
hs_launch_report_playing (HsLaunch *app)
{
  g_auto(GStrv) sources = recorder_sources (app);

  if (hs_launch_wants_events (app)) {
    g_autoptr(JsonBuilder) b = begin_event ("playing");

    add_strv (b, "sources", (const char *const *) sources);
    add_strv (b, "tees", (const char *const *) app->tees);
    add_int (b, "pid", getpid ());
    end_event (app, b);
  }
  if (sources[0] == NULL) {
    hs_launch_log (app, "Playing; no tee to record (name one 'tee name=cam0' "
        "in the description). Ctrl+C stops.");
  } else {
    g_autofree char *joined = g_strjoinv (", ", sources);
    HsRecorder *first = app->recorders->pdata[0];

    hs_launch_log (app, "Playing; recording %s (pre %g s, post %g s) to %s.%s"
        " Ctrl+C stops.", joined, hs_recorder_get_pre (first),
        hs_recorder_get_post (first), hs_recorder_get_location (first),
        app->commands != NULL ?
        " Commands on stdin: record, stop, status, quit." : "");
  }
}

void
hs_launch_report_trigger (HsLaunch     *app,
                          HsRecorder   *recorder,
                          GstClockTime  time,
                          const char   *cause)
{
  if (hs_launch_wants_events (app)) {
    g_autoptr(JsonBuilder) b = begin_event ("trigger");

    add_string (b, "source", hs_recorder_get_source (recorder));
    add_double (b, "time", seconds (time));
    add_string (b, "cause", cause);
    end_event (app, b);
  }
  hs_launch_log (app, "%s: trigger at %.3f s (%s)",
      hs_recorder_get_source (recorder), seconds (time), cause);
}

void
hs_launch_report_started (HsLaunch *app, HsRecording *recording)
{
  g_autofree char *date = NULL;
  GDateTime *dt = hs_recording_get_date (recording);

  g_hash_table_add (app->open, g_object_ref (recording));
  if (dt != NULL)
    date = g_date_time_format_iso8601 (dt);
  if (hs_launch_wants_events (app)) {
    g_autoptr(JsonBuilder) b = begin_event ("started");

    add_string (b, "source", hs_recording_get_source (recording));
    add_int (b, "index", hs_recording_get_index (recording));
    add_string (b, "location", hs_recording_get_location (recording));
    add_double (b, "requested_start",
        (double) hs_recording_get_requested_start (recording) / GST_SECOND);
    add_string (b, "date", date);
    end_event (app, b);
  }
  hs_launch_log (app, "%s: recording %s", hs_recording_get_source (recording),
      hs_recording_get_location (recording));
}

void
hs_launch_report_finished (HsLaunch *app, HsRecording *recording)
{
  const GError *error = hs_recording_get_error (recording);
  g_autofree char *date = NULL;
  GDateTime *dt = hs_recording_get_date (recording);

  g_hash_table_remove (app->open, recording);
  g_ptr_array_add (app->recordings, g_object_ref (recording));
  if (dt != NULL)
    date = g_date_time_format_iso8601 (dt);

  if (hs_launch_wants_events (app)) {
    g_autoptr(JsonBuilder) b = begin_event ("finished");

    add_string (b, "source", hs_recording_get_source (recording));
    add_int (b, "index", hs_recording_get_index (recording));
    add_string (b, "location", hs_recording_get_location (recording));
    add_double (b, "start_time",
        seconds (hs_recording_get_start_time (recording)));
    add_double (b, "end_time",
        seconds (hs_recording_get_end_time (recording)));
    add_double (b, "duration",
        seconds (hs_recording_get_duration (recording)));
    add_double (b, "requested_start",
        (double) hs_recording_get_requested_start (recording) / GST_SECOND);
    add_double (b, "shortfall",
        seconds (hs_recording_get_shortfall (recording)));
    add_int (b, "n_frames", (gint64) hs_recording_get_n_frames (recording));
    add_int (b, "n_dropped", (gint64) hs_recording_get_n_dropped (recording));
    add_int (b, "bytes", (gint64) hs_recording_get_bytes (recording));
    add_string (b, "date", date);
    add_error (b, "error", error);
    end_event (app, b);
  }

  if (error != NULL) {
    hs_launch_log (app, "%s: recording %s failed: %s",
        hs_recording_get_source (recording),
        hs_recording_get_location (recording) ?
        hs_recording_get_location (recording) : "(no file)", error->message);
  } else {
    guint64 n_frames = hs_recording_get_n_frames (recording);
    GstClockTime duration = hs_recording_get_duration (recording);
    /* A live source's first frame may come a little after the window's
     * start; only a gap of a frame or more is worth a word. */
    gboolean late = n_frames > 0 &&
        hs_recording_get_shortfall (recording) >= duration / n_frames;

    hs_launch_log (app, "%s: wrote %s: %.3f s to %.3f s, %" G_GUINT64_FORMAT
        " frames%s", hs_recording_get_source (recording),
        hs_recording_get_location (recording),
        seconds (hs_recording_get_start_time (recording)),
        seconds (hs_recording_get_start_time (recording) + duration),
        n_frames, late ? " (starts late: the ring did not yet hold the "
        "whole pre window)" : "");
  }
}

void
hs_launch_report_status (HsLaunch *app)
{
  GstClockTime now = app->recorders->len > 0 ?
      hs_recorder_get_running_time (app->recorders->pdata[0]) : 0;

  if (hs_launch_wants_events (app)) {
    g_autoptr(JsonBuilder) b = begin_event ("status");

    add_double (b, "running_time", seconds (now));
    add_int (b, "recordings", app->recordings->len);
    add_int (b, "open", g_hash_table_size (app->open));
    json_builder_set_member_name (b, "recorders");
    json_builder_begin_array (b);
    for (guint i = 0; i < app->recorders->len; i++) {
      HsRecorder *r = app->recorders->pdata[i];

      json_builder_begin_object (b);
      add_string (b, "source", hs_recorder_get_source (r));
      json_builder_set_member_name (b, "busy");
      json_builder_add_boolean_value (b, hs_recorder_get_busy (r));
      add_double (b, "running_time",
          seconds (hs_recorder_get_running_time (r)));
      json_builder_end_object (b);
    }
    json_builder_end_array (b);
    end_event (app, b);
  }
  hs_launch_log (app, "running time %.3f s; %u file(s) written, %u open",
      seconds (now), app->recordings->len, g_hash_table_size (app->open));
  for (guint i = 0; i < app->recorders->len; i++) {
    HsRecorder *r = app->recorders->pdata[i];

    hs_launch_log (app, "  %s: %s", hs_recorder_get_source (r),
        hs_recorder_get_busy (r) ? "recording" : "idle");
  }
}

void
hs_launch_report_error (HsLaunch *app, const GError *error, HsLaunchExit code)
{
  if (hs_launch_wants_events (app)) {
    g_autoptr(JsonBuilder) b = begin_event ("error");

    add_string (b, "domain", g_quark_to_string (error->domain));
    add_int (b, "code", error->code);
    add_string (b, "message", error->message);
    add_int (b, "exit_code", code);
    end_event (app, b);
  }
  g_printerr ("%s: %s\n", g_get_prgname (), error->message);
  if (code == HS_LAUNCH_EXIT_USAGE)
    g_printerr ("Try '%s --help' for more information.\n", g_get_prgname ());
}

const char *
hs_launch_stop_to_string (HsLaunchStop stop)
{
  switch (stop) {
    case HS_LAUNCH_STOP_EOS:
      return "eos";
    case HS_LAUNCH_STOP_AFTER:
      return "stop-after";
    case HS_LAUNCH_STOP_SIGNAL:
      return "signal";
    case HS_LAUNCH_STOP_QUIT:
      return "quit";
    case HS_LAUNCH_STOP_ERROR:
      return "error";
    case HS_LAUNCH_STOP_FORCED:
      return "forced";
    case HS_LAUNCH_STOP_NONE:
    default:
      return "none";
  }
}

static guint
count_failed (HsLaunch *app)
{
  guint failed = 0;

  for (guint i = 0; i < app->recordings->len; i++)
    if (hs_recording_get_error (app->recordings->pdata[i]) != NULL)
      failed++;
  return failed;
}

void
hs_launch_report_stopped (HsLaunch *app, HsLaunchExit code)
{
  if (!hs_launch_wants_events (app))
    return;
  {
    g_autoptr(JsonBuilder) b = begin_event ("stopped");

    add_string (b, "reason", hs_launch_stop_to_string (app->stop));
    add_int (b, "exit_code", code);
    add_int (b, "recordings", app->recordings->len);
    add_int (b, "failed", count_failed (app));
    add_int (b, "open", g_hash_table_size (app->open));
    end_event (app, b);
  }
}

/* The table goes to stdout, unless stdout carries JSON. */
static void G_GNUC_PRINTF (2, 3)
table_line (HsLaunch *app, const char *format, ...)
{
  g_autofree char *line = NULL;
  va_list args;

  va_start (args, format);
  line = g_strdup_vprintf (format, args);
  va_end (args);
  if (app->json)
    g_printerr ("%s\n", line);
  else
    g_print ("%s\n", line);
}

void
hs_launch_print_table (HsLaunch *app)
{
  int width = 4;
  guint failed = count_failed (app);

  if (app->recordings->len == 0) {
    if (app->recorders != NULL && app->recorders->len > 0)
      table_line (app, "Nothing was recorded.");
    return;
  }
  for (guint i = 0; i < app->recordings->len; i++) {
    const char *location =
        hs_recording_get_location (app->recordings->pdata[i]);

    width = MAX (width, (int) g_utf8_strlen (location ? location : "-", -1));
  }

  table_line (app, "%s", "");
  table_line (app, "%-*s  %9s  %9s  %6s", width, "FILE", "START", "DURATION",
      "FRAMES");
  for (guint i = 0; i < app->recordings->len; i++) {
    HsRecording *r = app->recordings->pdata[i];
    const char *location = hs_recording_get_location (r);
    int pad = width - (int) g_utf8_strlen (location ? location : "-", -1);
    const GError *error = hs_recording_get_error (r);

    if (hs_recording_get_n_frames (r) == 0) {
      table_line (app, "%s%*s  %9s  %9s  %6s%s", location ? location : "-",
          pad, "", "-", "-", "0", error ? "  (failed)" : "");
      continue;
    }
    table_line (app, "%s%*s  %7.3f s  %7.3f s  %6" G_GUINT64_FORMAT "%s",
        location, pad, "",
        seconds (hs_recording_get_start_time (r)),
        seconds (hs_recording_get_duration (r)),
        hs_recording_get_n_frames (r), error ? "  (failed)" : "");
  }
  if (failed > 0) {
    table_line (app, "%s", "");
    for (guint i = 0; i < app->recordings->len; i++) {
      HsRecording *r = app->recordings->pdata[i];
      const GError *error = hs_recording_get_error (r);

      if (error != NULL)
        table_line (app, "%s: %s", hs_recording_get_location (r) ?
            hs_recording_get_location (r) : hs_recording_get_source (r),
            error->message);
    }
  }
}
