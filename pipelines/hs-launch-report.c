/* hindsight-launch: events for people (stderr) and scripts (--json, stdout).
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "hs-launch.h"

#include <errno.h>
#include <json-glib/json-glib.h>
#include <string.h>
#include <unistd.h>

static double
seconds (GstClockTime t)
{
  return GST_CLOCK_TIME_IS_VALID (t) ? (double) t / GST_SECOND : 0.0;
}

/* ------------------------------------------------------------------------ */
/* Output                                                                   */

/* stdout and stderr are each written by a thread of their own, so that a
 * reader that stops reading (a pager, a terminal held with Ctrl+S, a full
 * pipe) never blocks the main context, which runs the recordings and
 * handles signals. A stream that cannot be written (EPIPE, ENOSPC, EBADF,
 * EIO) or is not read while OUTPUT_MAX_QUEUED bytes wait is given up:
 * nothing more goes there, the run goes on, and the exit status says so. */
#define OUTPUT_MAX_QUEUED (1024 * 1024)

typedef struct {
  const char *name;
  int fd;
  GMutex lock;
  GCond cond;                   /* a line queued, a line written */
  GQueue lines;                 /* char *: guarded by lock */
  gsize queued;                 /* bytes in lines: guarded by lock */
  gboolean writing;             /* a line is being written: lock */
  int failure;                  /* errno of the failed write, 0: lock */
  gboolean unread;              /* given up: not read: lock */
  guint64 n_lost;               /* lines not written: lock */
  gboolean reported;            /* said on stderr: lock */
} Stream;

static Stream streams[2] = {
  { .name = "stdout", .fd = STDOUT_FILENO },
  { .name = "stderr", .fd = STDERR_FILENO },
};

#define OUT (&streams[0])
#define ERR (&streams[1])

static gboolean
stream_given_up (Stream *s)
{
  return s->failure != 0 || s->unread;
}

/* Under the stream's lock: drops what waits. */
static void
stream_give_up (Stream *s, int failure)
{
  if (stream_given_up (s))
    return;
  if (failure != 0)
    s->failure = failure;
  else
    s->unread = TRUE;
  s->n_lost += g_queue_get_length (&s->lines);
  g_queue_clear_full (&s->lines, g_free);
  s->queued = 0;
}

static void stream_enqueue (Stream *s, const char *text);

/* Main thread: one line on stderr about a stream given up on stdout (a
 * stream given up on stderr has nowhere to say so: the exit status does). */
static void
stream_report (Stream *s)
{
  g_autofree char *line = NULL;

  g_mutex_lock (&s->lock);
  if (stream_given_up (s) && !s->reported && s == OUT) {
    s->reported = TRUE;
    if (s->failure != 0)
      line = g_strdup_printf ("%s: cannot write to %s (%s): nothing more is "
          "printed there; recording is not affected\n", g_get_prgname (),
          s->name, g_strerror (s->failure));
    else
      line = g_strdup_printf ("%s: %s is not being read (%" G_GUINT64_FORMAT
          " line(s) waiting): nothing more is printed there; recording is not "
          "affected\n", g_get_prgname (), s->name, s->n_lost);
  }
  g_mutex_unlock (&s->lock);
  if (line != NULL)
    stream_enqueue (ERR, line);
}

static gboolean
on_stream_given_up (gpointer data)
{
  stream_report (data);
  return G_SOURCE_REMOVE;
}

static int
write_all (int fd, const char *text, gsize length)
{
  while (length > 0) {
    gssize n = write (fd, text, length);

    if (n < 0 && errno == EINTR)
      continue;
    if (n < 0)
      return errno;
    if (n == 0)
      return EIO;
    text += n;
    length -= n;
  }
  return 0;
}

static gpointer
stream_thread (gpointer data)
{
  Stream *s = data;

  g_mutex_lock (&s->lock);
  for (;;) {
    char *line;
    int failure;

    while (g_queue_is_empty (&s->lines))
      g_cond_wait (&s->cond, &s->lock);
    line = g_queue_pop_head (&s->lines);
    s->queued -= strlen (line);
    s->writing = TRUE;
    g_mutex_unlock (&s->lock);

    failure = write_all (s->fd, line, strlen (line));
    g_free (line);

    g_mutex_lock (&s->lock);
    s->writing = FALSE;
    if (failure != 0 && !stream_given_up (s)) {
      s->n_lost++;
      stream_give_up (s, failure);
      g_idle_add (on_stream_given_up, s);
    }
    g_cond_broadcast (&s->cond);
  }
  return NULL;
}

static void
stream_enqueue (Stream *s, const char *text)
{
  gsize length = strlen (text);
  gboolean given_up = FALSE;

  if (length == 0)
    return;
  g_mutex_lock (&s->lock);
  if (stream_given_up (s)) {
    s->n_lost++;
  } else if (s->queued + length > OUTPUT_MAX_QUEUED) {
    s->n_lost++;
    stream_give_up (s, 0);
    given_up = TRUE;
  } else {
    g_queue_push_tail (&s->lines, g_strdup (text));
    s->queued += length;
    g_cond_broadcast (&s->cond);
  }
  g_mutex_unlock (&s->lock);
  if (given_up)
    g_idle_add (on_stream_given_up, s);
}

/* Text for people goes out in the terminal's character set, as g_print()
 * would write it; JSON is always UTF-8. */
static void
stream_print (Stream *s, const char *text)
{
  const char *charset;

  if (!g_get_console_charset (&charset)) {
    g_autofree char *converted = g_convert_with_fallback (text, -1, charset,
        "UTF-8", "?", NULL, NULL, NULL);

    if (converted != NULL) {
      stream_enqueue (s, converted);
      return;
    }
  }
  stream_enqueue (s, text);
}

static void
print_stdout (const char *text)
{
  stream_print (OUT, text);
}

static void
print_stderr (const char *text)
{
  stream_print (ERR, text);
}

/* GLib's warnings (a pipeline's warning messages) take the same way, so
 * that no thread blocks on stderr either; fatal ones are written at once,
 * before the process aborts. */
static GLogWriterOutput
log_writer (GLogLevelFlags level, const GLogField *fields, gsize n_fields,
            gpointer user_data)
{
  const char *domain = NULL;
  g_autofree char *text = NULL;
  g_autofree char *line = NULL;

  if ((level & (G_LOG_FLAG_FATAL | G_LOG_LEVEL_ERROR |
              G_LOG_LEVEL_CRITICAL)) != 0 ||
      g_log_writer_is_journald (STDERR_FILENO))
    return g_log_writer_default (level, fields, n_fields, user_data);
  for (gsize i = 0; i < n_fields; i++)
    if (g_str_equal (fields[i].key, "GLIB_DOMAIN"))
      domain = fields[i].value;
  if (g_log_writer_default_would_drop (level, domain))
    return G_LOG_WRITER_HANDLED;
  text = g_log_writer_format_fields (level, fields, n_fields, FALSE);
  line = g_strconcat (text, "\n", NULL);
  stream_enqueue (ERR, line);
  return G_LOG_WRITER_HANDLED;
}

/**
 * hs_launch_output_init:
 *
 * From here on g_print(), g_printerr(), GLib's log and the JSON events are
 * written by the stream threads. Call once, first thing.
 */
void
hs_launch_output_init (void)
{
  for (guint i = 0; i < G_N_ELEMENTS (streams); i++)
    g_thread_unref (g_thread_new (streams[i].name, stream_thread,
            &streams[i]));
  g_set_print_handler (print_stdout);
  g_set_printerr_handler (print_stderr);
  g_log_set_writer_func (log_writer, NULL, NULL);
}

/* Waits until @s has written everything or @deadline (monotonic µs);
 * what is still waiting then is lost and the stream given up. */
static void
stream_drain (Stream *s, gint64 deadline)
{
  g_mutex_lock (&s->lock);
  while (!stream_given_up (s) && (!g_queue_is_empty (&s->lines) ||
          s->writing))
    if (!g_cond_wait_until (&s->cond, &s->lock, deadline))
      break;
  if (!stream_given_up (s) && (!g_queue_is_empty (&s->lines) || s->writing)) {
    if (s->writing)
      s->n_lost++;
    stream_give_up (s, 0);
  }
  g_mutex_unlock (&s->lock);
}

/**
 * hs_launch_output_settle:
 * @timeout_s: at most this long
 *
 * Waits until what was printed so far has been written, or a stream has
 * failed, so that hs_launch_output_failed() knows of every failure so far.
 * A reader that is slow is not given up for it.
 */
void
hs_launch_output_settle (double timeout_s)
{
  gint64 deadline = g_get_monotonic_time () +
      (gint64) (timeout_s * G_USEC_PER_SEC);

  for (guint i = 0; i < G_N_ELEMENTS (streams); i++) {
    Stream *s = &streams[i];

    g_mutex_lock (&s->lock);
    while (!stream_given_up (s) && (!g_queue_is_empty (&s->lines) ||
            s->writing))
      if (!g_cond_wait_until (&s->cond, &s->lock, deadline))
        break;
    g_mutex_unlock (&s->lock);
  }
}

/**
 * hs_launch_output_finish:
 * @timeout_s: how long a reader that does not read is waited for
 *
 * Writes out what waits, stdout first, then a line on stderr about a
 * stdout that was given up, then stderr.
 *
 * Returns: %TRUE if stdout and stderr took everything
 */
gboolean
hs_launch_output_finish (double timeout_s)
{
  gint64 deadline = g_get_monotonic_time () +
      (gint64) (timeout_s * G_USEC_PER_SEC);

  stream_drain (OUT, deadline);
  stream_report (OUT);
  /* The line about stdout gets a moment even when stdout used the time. */
  stream_drain (ERR, MAX (deadline, g_get_monotonic_time () +
          G_USEC_PER_SEC / 2));
  return !hs_launch_output_failed ();
}

/**
 * hs_launch_output_failed:
 *
 * Returns: %TRUE if stdout or stderr was given up
 */
gboolean
hs_launch_output_failed (void)
{
  gboolean failed = FALSE;

  for (guint i = 0; i < G_N_ELEMENTS (streams); i++) {
    g_mutex_lock (&streams[i].lock);
    failed |= stream_given_up (&streams[i]);
    g_mutex_unlock (&streams[i].lock);
  }
  return failed;
}

/**
 * hs_launch_printable:
 * @text: (nullable): a name or a piece of input
 * @length: bytes of @text, or -1 up to its NUL
 * @max_chars: characters to keep, 0 for all; more are cut with "…"
 *
 * @text as one line of a terminal: control characters (newline, escape,
 * C1 controls, the bidirectional overrides) and bytes that are not UTF-8
 * are written as \n, \t, \r, \xHH or \uHHHH.
 *
 * Returns: (transfer full): the printable text
 */
char *
hs_launch_printable (const char *text, gssize length, guint max_chars)
{
  g_autoptr(GString) out = g_string_new (NULL);
  const char *p = text;
  const char *end;
  guint n = 0;

  if (text == NULL)
    return g_strdup ("(none)");
  end = length < 0 ? text + strlen (text) : text + length;
  while (p < end) {
    gunichar c = g_utf8_get_char_validated (p, end - p);

    if (max_chars > 0 && n == max_chars) {
      g_string_append (out, "…");
      break;
    }
    n++;
    if (c == (gunichar) -1 || c == (gunichar) -2) {
      g_string_append_printf (out, "\\x%02x", (guchar) *p);
      p++;
      continue;
    }
    if (c == '\n')
      g_string_append (out, "\\n");
    else if (c == '\r')
      g_string_append (out, "\\r");
    else if (c == '\t')
      g_string_append (out, "\\t");
    else if (c < 0x20 || c == 0x7f)
      g_string_append_printf (out, "\\x%02x", c);
    else if ((c >= 0x80 && c <= 0x9f) || c == 0x200e || c == 0x200f ||
        (c >= 0x202a && c <= 0x202e) || (c >= 0x2066 && c <= 0x2069))
      g_string_append_printf (out, "\\u%04x", c);
    else
      g_string_append_len (out, p, g_utf8_next_char (p) - p);
    p = g_utf8_next_char (p);
  }
  return g_string_free (g_steal_pointer (&out), FALSE);
}

/**
 * hs_launch_quote:
 * @text: (nullable): input to quote in a message
 *
 * Returns: (transfer full): at most #HS_LAUNCH_QUOTE_CHARS characters of
 *   @text, printable
 */
char *
hs_launch_quote (const char *text)
{
  return hs_launch_printable (text, -1, HS_LAUNCH_QUOTE_CHARS);
}

/**
 * hs_launch_quote_path:
 * @path: a path given as input
 *
 * Returns: (transfer full): @path, printable; a very long one is cut at
 *   its start, since its end names the file
 */
char *
hs_launch_quote_path (const char *path)
{
  gsize length = strlen (path);
  const char *tail;
  g_autofree char *shown = NULL;

  if (length <= HS_LAUNCH_QUOTE_PATH_BYTES)
    return hs_launch_printable (path, -1, 0);
  tail = path + length - HS_LAUNCH_QUOTE_PATH_BYTES / 2;
  while (tail < path + length && ((guchar) *tail & 0xc0) == 0x80)
    tail++;
  shown = hs_launch_printable (tail, -1, 0);
  return g_strconcat ("…", shown, NULL);
}

/* ------------------------------------------------------------------------ */
/* Events                                                                   */

/* Main thread only, as every event. */
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

/* One JSON object per line, handed to the stdout thread at once so that a
 * script reading a pipe sees each event as it happens. */
static void
emit_json (JsonBuilder *builder)
{
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autoptr(JsonNode) root = json_builder_get_root (builder);
  g_autofree char *text = NULL;
  g_autofree char *line = NULL;

  json_generator_set_root (generator, root);
  text = json_generator_to_data (generator, NULL);
  line = g_strconcat (text, "\n", NULL);
  stream_enqueue (OUT, line);
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

/* The recorders' sources; with @sound, "cam0+mic0" for one that records
 * an audio tee too. */
static GStrv
recorder_sources (HsLaunch *app, gboolean sound)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();

  for (guint i = 0; i < app->recorders->len; i++) {
    HsRecorder *recorder = app->recorders->pdata[i];
    g_autofree char *audio = NULL;
    g_autofree char *name = NULL;

    if (sound)
      g_object_get (recorder, "audio-source", &audio, NULL);
    name = g_strdup_printf ("%s%s%s", hs_recorder_get_source (recorder),
        audio ? "+" : "", audio ? audio : "");
    g_strv_builder_add (builder, name);
  }
  return g_strv_builder_end (builder);
}

void
hs_launch_report_playing (HsLaunch *app)
{
  g_auto(GStrv) sources = recorder_sources (app, FALSE);
  g_auto(GStrv) shown_sources = recorder_sources (app, TRUE);

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
    g_autofree char *joined = g_strjoinv (", ", shown_sources);
    g_autofree char *shown = hs_launch_printable (joined, -1, 0);
    HsRecorder *first = app->recorders->pdata[0];
    g_autofree char *location = hs_launch_printable (
        hs_recorder_get_location (first), -1, 0);

    hs_launch_log (app, "Playing; recording %s (pre %g s, post %g s) to %s.%s"
        " Ctrl+C stops.", shown, hs_recorder_get_pre (first),
        hs_recorder_get_post (first), location, app->commands != NULL ?
        " Commands on stdin: record, stop, status, quit." : "");
  }
}

void
hs_launch_report_trigger (HsLaunch     *app,
                          HsRecorder   *recorder,
                          GstClockTime  time,
                          const char   *cause)
{
  g_autofree char *source = hs_launch_printable (
      hs_recorder_get_source (recorder), -1, 0);

  if (hs_launch_wants_events (app)) {
    g_autoptr(JsonBuilder) b = begin_event ("trigger");

    add_string (b, "source", hs_recorder_get_source (recorder));
    add_double (b, "time", seconds (time));
    add_string (b, "cause", cause);
    end_event (app, b);
  }
  hs_launch_log (app, "%s: trigger at %.3f s (%s)", source, seconds (time),
      cause);
}

void
hs_launch_report_started (HsLaunch *app, HsRecording *recording)
{
  g_autofree char *date = NULL;
  GDateTime *dt = hs_recording_get_date (recording);
  g_autofree char *source = hs_launch_printable (
      hs_recording_get_source (recording), -1, 0);
  g_autofree char *location = hs_launch_printable (
      hs_recording_get_location (recording), -1, 0);

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
  hs_launch_log (app, "%s: recording %s", source, location);
}

void
hs_launch_report_finished (HsLaunch *app, HsRecording *recording)
{
  const GError *error = hs_recording_get_error (recording);
  g_autofree char *date = NULL;
  GDateTime *dt = hs_recording_get_date (recording);
  g_autofree char *source = hs_launch_printable (
      hs_recording_get_source (recording), -1, 0);
  g_autofree char *location = hs_recording_get_location (recording) ?
      hs_launch_printable (hs_recording_get_location (recording), -1, 0) :
      g_strdup ("(no file)");

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
    add_string (b, "audio_codec", hs_recording_get_audio_codec (recording));
    add_int (b, "n_audio_frames",
        (gint64) hs_recording_get_n_audio_frames (recording));
    add_int (b, "bytes", (gint64) hs_recording_get_bytes (recording));
    add_string (b, "date", date);
    add_error (b, "error", error);
    end_event (app, b);
  }

  if (error != NULL) {
    hs_launch_log (app, "%s: recording %s failed: %s", source, location,
        error->message);
  } else {
    guint64 n_frames = hs_recording_get_n_frames (recording);
    GstClockTime duration = hs_recording_get_duration (recording);
    /* A live source's first frame may come a little after the window's
     * start; only a gap of a frame or more is worth a word. */
    gboolean late = n_frames > 0 &&
        hs_recording_get_shortfall (recording) >= duration / n_frames;

    const char *audio_codec = hs_recording_get_audio_codec (recording);
    g_autofree char *sound = audio_codec == NULL ? g_strdup ("") :
        g_strdup_printf (", %" G_GUINT64_FORMAT " audio frames (%s)",
        hs_recording_get_n_audio_frames (recording), audio_codec);

    hs_launch_log (app, "%s: wrote %s: %.3f s to %.3f s, %" G_GUINT64_FORMAT
        " frames%s%s", source, location,
        seconds (hs_recording_get_start_time (recording)),
        seconds (hs_recording_get_start_time (recording) + duration),
        n_frames, sound, late ? " (starts late: the ring did not yet hold "
        "the whole pre window)" : "");
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
    g_autofree char *source = hs_launch_printable (hs_recorder_get_source (r),
        -1, 0);

    hs_launch_log (app, "  %s: %s", source,
        hs_recorder_get_busy (r) ? "recording" : "idle");
  }
}

/* Messages of the library and of GStreamer may quote input whole (an
 * element name, a template): past this many bytes they are cut. */
#define MAX_MESSAGE 2000

static char *
cut_message (const char *message)
{
  const char *end;

  if (strlen (message) <= MAX_MESSAGE)
    return g_strdup (message);
  end = g_utf8_find_prev_char (message, message + MAX_MESSAGE + 1);
  return g_strdup_printf ("%.*s…", (int) (end - message), message);
}

void
hs_launch_report_error (HsLaunch *app, const GError *error, HsLaunchExit code)
{
  g_autofree char *message = cut_message (error->message);

  if (hs_launch_wants_events (app)) {
    g_autoptr(JsonBuilder) b = begin_event ("error");

    add_string (b, "domain", g_quark_to_string (error->domain));
    add_int (b, "code", error->code);
    add_string (b, "message", message);
    add_int (b, "exit_code", code);
    end_event (app, b);
  }
  g_printerr ("%s: %s\n", g_get_prgname (), message);
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

/* A location as a cell of the table: one line, whatever the template
 * made of it. */
static char *
table_name (HsRecording *r)
{
  const char *location = hs_recording_get_location (r);

  return location ? hs_launch_printable (location, -1, 0) : g_strdup ("-");
}

static int
compare_indices (gconstpointer a, gconstpointer b)
{
  HsRecording *ra = *(HsRecording **) a;
  HsRecording *rb = *(HsRecording **) b;

  return (int) hs_recording_get_index (ra) - (int) hs_recording_get_index (rb);
}

void
hs_launch_print_table (HsLaunch *app)
{
  int width = 4;
  guint failed = count_failed (app);
  gboolean sound = FALSE;
  /* Files still open: only after a forced stop. */
  g_autoptr(GPtrArray) open = g_ptr_array_new ();
  GHashTableIter iter;
  gpointer key;

  g_hash_table_iter_init (&iter, app->open);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    g_ptr_array_add (open, key);
  g_ptr_array_sort (open, compare_indices);
  if (app->recordings->len == 0 && open->len == 0) {
    if (app->recorders != NULL && app->recorders->len > 0)
      table_line (app, "Nothing was recorded.");
    return;
  }
  for (guint i = 0; i < app->recordings->len; i++) {
    g_autofree char *name = table_name (app->recordings->pdata[i]);

    width = MAX (width, (int) g_utf8_strlen (name, -1));
  }
  for (guint i = 0; i < open->len; i++) {
    g_autofree char *name = table_name (open->pdata[i]);

    width = MAX (width, (int) g_utf8_strlen (name, -1));
  }

  /* Sound: its frames in a column of their own, where a file has any. */
  for (guint i = 0; i < app->recordings->len; i++)
    sound |= hs_recording_get_audio_codec (app->recordings->pdata[i]) != NULL;

  table_line (app, "%s", "");
  table_line (app, "%-*s  %9s  %9s  %6s%s", width, "FILE", "START",
      "DURATION", "FRAMES", sound ? "   AUDIO" : "");
  for (guint i = 0; i < app->recordings->len; i++) {
    HsRecording *r = app->recordings->pdata[i];
    g_autofree char *name = table_name (r);
    int pad = width - (int) g_utf8_strlen (name, -1);
    const GError *error = hs_recording_get_error (r);
    g_autofree char *audio = !sound ? g_strdup ("") :
        hs_recording_get_audio_codec (r) == NULL ? g_strdup ("       -") :
        g_strdup_printf ("  %6" G_GUINT64_FORMAT,
        hs_recording_get_n_audio_frames (r));

    if (hs_recording_get_n_frames (r) == 0) {
      table_line (app, "%s%*s  %9s  %9s  %6s%s%s", name, pad, "", "-", "-",
          "0", audio, error ? "  (failed)" : "");
      continue;
    }
    table_line (app, "%s%*s  %7.3f s  %7.3f s  %6" G_GUINT64_FORMAT "%s%s",
        name, pad, "",
        seconds (hs_recording_get_start_time (r)),
        seconds (hs_recording_get_duration (r)),
        hs_recording_get_n_frames (r), audio, error ? "  (failed)" : "");
  }
  for (guint i = 0; i < open->len; i++) {
    g_autofree char *name = table_name (open->pdata[i]);
    int pad = width - (int) g_utf8_strlen (name, -1);

    table_line (app, "%s%*s  %9s  %9s  %6s%s  (incomplete)", name, pad, "",
        "-", "-", "?", sound ? "       ?" : "");
  }
  if (failed > 0) {
    table_line (app, "%s", "");
    for (guint i = 0; i < app->recordings->len; i++) {
      HsRecording *r = app->recordings->pdata[i];
      const GError *error = hs_recording_get_error (r);
      g_autofree char *name = NULL;
      g_autofree char *message = NULL;

      if (error == NULL)
        continue;
      name = hs_recording_get_location (r) ? table_name (r) :
          hs_launch_printable (hs_recording_get_source (r), -1, 0);
      message = hs_launch_printable (error->message, -1, 0);
      table_line (app, "%s: %s", name, message);
    }
  }
}
