/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "hs-test-util.h"

#include "hs-packages-private.h"

#include <gst/app/app.h>
#include <glib/gstdio.h>
#include <execinfo.h>
#include <signal.h>
#include <unistd.h>

#define HALF_FRAME (GST_SECOND / 60)

#ifndef __SANITIZE_ADDRESS__
/* A test program that crashes prints its stack on stderr, which meson
 * shows, before it dies of the signal (the sanitizer prints its own). */
static void
on_crash (int signal_number)
{
  static const char header[] = "\nThe test program crashed here:\n";
  void *frames[64];
  int n = backtrace (frames, G_N_ELEMENTS (frames));
  ssize_t ignored = write (STDERR_FILENO, header, sizeof header - 1);

  (void) ignored;
  backtrace_symbols_fd (frames, n, STDERR_FILENO);
  signal (signal_number, SIG_DFL);
  raise (signal_number);
}

__attribute__((constructor))
static void
catch_crashes (void)
{
  void *frame;

  /* backtrace() loads what it needs on its first call: not in a handler. */
  backtrace (&frame, 1);
  signal (SIGSEGV, on_crash);
  signal (SIGBUS, on_crash);
  signal (SIGILL, on_crash);
  signal (SIGFPE, on_crash);
}
#endif

static GstPadProbeReturn
on_demuxed (GstPad *pad, GstPadProbeInfo *pinfo, gpointer user_data)
{
  HsTestFileInfo *info = user_data;
  GstBuffer *buffer = GST_PAD_PROBE_INFO_BUFFER (pinfo);
  g_autoptr(GstCaps) caps = gst_pad_get_current_caps (pad);

  /* Runs once: the probe removes itself after the first buffer. */
  if (caps != NULL)
    info->codec =
        g_strdup (gst_structure_get_name (gst_caps_get_structure (caps, 0)));
  info->starts_with_keyframe =
      !GST_BUFFER_FLAG_IS_SET (buffer, GST_BUFFER_FLAG_DELTA_UNIT);
  return GST_PAD_PROBE_REMOVE;
}

static void
on_demux_pad (GstElement *demux, GstPad *pad, gpointer user_data)
{
  GstElement *decodebin = user_data;
  g_autoptr(GstPad) sinkpad = gst_element_get_static_pad (decodebin, "sink");
  HsTestFileInfo *info = g_object_get_data (G_OBJECT (demux), "info");
  g_autofree char *name = gst_pad_get_name (pad);

  /* The video stream; a file's sound is hs_test_probe_audio()'s. */
  if (!g_str_has_prefix (name, "video") || gst_pad_is_linked (sinkpad))
    return;
  gst_pad_add_probe (pad, GST_PAD_PROBE_TYPE_BUFFER, on_demuxed, info, NULL);
  gst_pad_link (pad, sinkpad);
}

static void
on_decoded_pad (GstElement *decodebin, GstPad *pad, gpointer user_data)
{
  GstElement *sink = user_data;
  g_autoptr(GstPad) sinkpad = gst_element_get_static_pad (sink, "sink");

  if (!gst_pad_is_linked (sinkpad))
    gst_pad_link (pad, sinkpad);
}

gboolean
hs_test_probe_file (const char *path, HsTestFileInfo *info, GError **error)
{
  g_autoptr(GstElement) pipeline = NULL;
  g_autoptr(GstBus) bus = NULL;
  g_autoptr(GstMessage) message = NULL;
  GstElement *src, *demux, *decodebin, *sink;

  memset (info, 0, sizeof *info);
  info->pts = g_array_new (FALSE, FALSE, sizeof (GstClockTime));
  info->first_pts = GST_CLOCK_TIME_NONE;
  info->last_pts = GST_CLOCK_TIME_NONE;

  if (!g_file_test (path, G_FILE_TEST_IS_REGULAR)) {
    g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_NOENT, "%s: no such file",
        path);
    return FALSE;
  }

  pipeline = gst_object_ref_sink (gst_pipeline_new (NULL));
  src = gst_element_factory_make ("filesrc", NULL);
  /* WebM and Matroska, or MP4 */
  demux = gst_element_factory_make (g_str_has_suffix (path, ".mp4") ?
      "qtdemux" : "matroskademux", NULL);
  decodebin = gst_element_factory_make ("decodebin", NULL);
  sink = gst_element_factory_make ("appsink", NULL);
  g_assert_nonnull (sink);
  g_object_set (src, "location", path, NULL);
  g_object_set (sink, "sync", FALSE, "max-buffers", 0, "emit-signals", FALSE,
      NULL);
  gst_bin_add_many (GST_BIN (pipeline), src, demux, decodebin, sink, NULL);
  gst_element_link (src, demux);
  g_object_set_data (G_OBJECT (demux), "info", info);
  g_signal_connect (demux, "pad-added", G_CALLBACK (on_demux_pad), decodebin);
  g_signal_connect (decodebin, "pad-added", G_CALLBACK (on_decoded_pad), sink);

  if (gst_element_set_state (pipeline, GST_STATE_PLAYING) ==
      GST_STATE_CHANGE_FAILURE) {
    g_set_error (error, GST_CORE_ERROR, GST_CORE_ERROR_STATE_CHANGE,
        "%s: cannot start the decoder", path);
    return FALSE;
  }

  for (;;) {
    g_autoptr(GstSample) sample =
        gst_app_sink_try_pull_sample (GST_APP_SINK (sink), 10 * GST_SECOND);
    GstBuffer *buffer;
    GstClockTime pts;

    if (sample == NULL)
      break;
    buffer = gst_sample_get_buffer (sample);
    pts = GST_BUFFER_PTS (buffer);
    g_array_append_val (info->pts, pts);
    if (info->n_frames == 0) {
      GstCaps *caps = gst_sample_get_caps (sample);
      GstStructure *s = gst_caps_get_structure (caps, 0);

      info->first_pts = pts;
      gst_structure_get_int (s, "width", &info->width);
      gst_structure_get_int (s, "height", &info->height);
    }
    info->last_pts = pts;
    info->n_frames++;
  }

  bus = gst_element_get_bus (pipeline);
  message = gst_bus_pop_filtered (bus, GST_MESSAGE_ERROR);
  gst_element_set_state (pipeline, GST_STATE_NULL);
  if (message != NULL) {
    g_autoptr(GError) gst_error = NULL;

    gst_message_parse_error (message, &gst_error, NULL);
    g_set_error (error, gst_error->domain, gst_error->code, "%s: %s", path,
        gst_error->message);
    return FALSE;
  }
  if (!gst_app_sink_is_eos (GST_APP_SINK (sink))) {
    g_set_error (error, GST_STREAM_ERROR, GST_STREAM_ERROR_DECODE,
        "%s: decoding did not reach the end of the file", path);
    return FALSE;
  }
  return TRUE;
}

void
hs_test_file_info_clear (HsTestFileInfo *info)
{
  g_clear_pointer (&info->pts, g_array_unref);
  g_clear_pointer (&info->codec, g_free);
}

static void
assert_close (const char *path, const char *what, GstClockTime got,
              GstClockTime want)
{
  GstClockTimeDiff diff = GST_CLOCK_DIFF (want, got);

  if (ABS (diff) > HALF_FRAME)
    g_error ("%s: %s is %" GST_TIME_FORMAT ", expected %" GST_TIME_FORMAT,
        path, what, GST_TIME_ARGS (got), GST_TIME_ARGS (want));
}

void
hs_test_assert_file (const char *path, guint n_frames, GstClockTime first,
                     GstClockTime last)
{
  g_auto(HsTestFileInfo) info = { 0 };
  g_autoptr(GError) error = NULL;

  if (!hs_test_probe_file (path, &info, &error))
    g_error ("%s", error->message);
  g_assert_cmpstr (info.codec, ==, "video/x-vp8");
  g_assert_true (info.starts_with_keyframe);
  if (info.n_frames != n_frames)
    g_error ("%s: %u frames decoded, expected %u", path, info.n_frames,
        n_frames);
  assert_close (path, "first timestamp", info.first_pts, first);
  assert_close (path, "last timestamp", info.last_pts, last);
}

/* ------------------------------------------------------------------------ */

static gboolean
on_watchdog (gpointer user_data)
{
  HsTestFixture *fixture = user_data;

  g_error ("watchdog: the test did not finish within %u s", fixture->timeout_s);
  return G_SOURCE_REMOVE;
}

void
hs_test_fixture_setup (HsTestFixture *fixture, gconstpointer data)
{
  g_autoptr(GError) error = NULL;

  fixture->context = g_main_context_new ();
  g_main_context_push_thread_default (fixture->context);
  fixture->tmpdir = g_dir_make_tmp ("hindsight-test-XXXXXX", &error);
  g_assert_no_error (error);
  fixture->started = g_ptr_array_new_with_free_func (g_object_unref);
  fixture->finished = g_ptr_array_new_with_free_func (g_object_unref);
  fixture->timeout_s = 60;
}

void
hs_test_remove_tree (const char *path)
{
  GDir *dir = g_dir_open (path, 0, NULL);
  const char *name;

  if (dir == NULL) {
    g_unlink (path);
    return;
  }
  while ((name = g_dir_read_name (dir)) != NULL) {
    g_autofree char *child = g_build_filename (path, name, NULL);

    if (g_file_test (child, G_FILE_TEST_IS_DIR) &&
        !g_file_test (child, G_FILE_TEST_IS_SYMLINK))
      hs_test_remove_tree (child);
    else
      g_unlink (child);
  }
  g_dir_close (dir);
  g_rmdir (path);
}

void
hs_test_fixture_teardown (HsTestFixture *fixture, gconstpointer data)
{
  /* Let pending sources run their course before the context goes. */
  while (g_main_context_iteration (fixture->context, FALSE))
    ;
  g_main_context_pop_thread_default (fixture->context);
  g_clear_pointer (&fixture->context, g_main_context_unref);
  g_clear_pointer (&fixture->started, g_ptr_array_unref);
  g_clear_pointer (&fixture->finished, g_ptr_array_unref);
  if (g_getenv ("HS_TEST_KEEP") == NULL)
    hs_test_remove_tree (fixture->tmpdir);
  else
    g_printerr ("kept %s\n", fixture->tmpdir);
  g_clear_pointer (&fixture->tmpdir, g_free);
}

HsRecording *
hs_test_fixture_finished (HsTestFixture *fixture, guint i)
{
  g_assert_cmpuint (fixture->finished->len, >, i);
  return fixture->finished->pdata[i];
}

typedef struct {
  HsTestFixture *fixture;
  guint n;
} FinishedCount;

static gboolean
n_finished (gpointer data)
{
  FinishedCount *count = data;

  return count->fixture->finished->len >= count->n;
}

void
hs_test_play_until_finished (HsTestRecorderFixture *fx, guint n)
{
  FinishedCount count = { &fx->f, n };

  hs_test_play (fx->pipeline);
  hs_test_fixture_run_until (&fx->f, n_finished, &count);
}

void
hs_test_recorder_fixture_setup (HsTestRecorderFixture *fx, gconstpointer data)
{
  hs_test_fixture_setup (&fx->f, data);
}

void
hs_test_recorder_fixture_teardown (HsTestRecorderFixture *fx,
                                   gconstpointer data)
{
  if (fx->pipeline != NULL)
    hs_test_stop (fx->pipeline);
  g_clear_object (&fx->recorder);
  gst_clear_object (&fx->pipeline);
  hs_test_fixture_teardown (&fx->f, data);
}

HsRecorder *
hs_test_make_recorder (HsTestRecorderFixture *fx, const char *tee, double pre,
                       double post, const char *name)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *location = hs_test_fixture_path (&fx->f, name);
  HsRecorder *recorder = g_initable_new (HS_TYPE_RECORDER, NULL, &error,
      "pipeline", fx->pipeline, "source", tee, "pre", pre, "post", post,
      "location", location, NULL);

  g_assert_no_error (error);
  hs_test_fixture_watch (&fx->f, recorder);
  return recorder;
}

static void
on_started (gpointer recorder, HsRecording *recording, gpointer user_data)
{
  HsTestFixture *fixture = user_data;

  g_ptr_array_add (fixture->started, g_object_ref (recording));
}

static void
on_finished (gpointer recorder, HsRecording *recording, gpointer user_data)
{
  HsTestFixture *fixture = user_data;

  g_ptr_array_add (fixture->finished, g_object_ref (recording));
}

void
hs_test_fixture_watch (HsTestFixture *fixture, gpointer recorder)
{
  g_signal_connect (recorder, "recording-started", G_CALLBACK (on_started),
      fixture);
  g_signal_connect (recorder, "recording-finished", G_CALLBACK (on_finished),
      fixture);
}

static gboolean
keep_polling (gpointer user_data)
{
  return G_SOURCE_CONTINUE;
}

void
hs_test_fixture_run_until (HsTestFixture *fixture,
                           gboolean (*done) (gpointer data), gpointer data)
{
  GSource *watchdog = g_timeout_source_new_seconds (fixture->timeout_s);
  /* Conditions such as a pipeline's position change without any event on
   * this context: look again every 10 ms. */
  GSource *poll = g_timeout_source_new (10);

  g_source_set_callback (watchdog, on_watchdog, fixture, NULL);
  g_source_attach (watchdog, fixture->context);
  g_source_set_callback (poll, keep_polling, NULL, NULL);
  g_source_attach (poll, fixture->context);
  while (!done (data))
    g_main_context_iteration (fixture->context, TRUE);
  g_source_destroy (poll);
  g_source_unref (poll);
  g_source_destroy (watchdog);
  g_source_unref (watchdog);
}

static gboolean
is_idle (gpointer recorder)
{
  gboolean busy;

  g_object_get (recorder, "busy", &busy, NULL);
  return !busy;
}

void
hs_test_fixture_wait_idle (HsTestFixture *fixture, gpointer recorder)
{
  hs_test_fixture_run_until (fixture, is_idle, recorder);
}

char *
hs_test_fixture_path (HsTestFixture *fixture, const char *name)
{
  return g_build_filename (fixture->tmpdir, name, NULL);
}

/* One line naming each missing element and the package that provides it. */
static char *
missing_elements_line (const char *const *missing)
{
  GString *line = g_string_new (NULL);

  for (guint i = 0; missing[i] != NULL; i++) {
    const char *package = hs_packages_for_element (missing[i]);

    g_string_append_printf (line, "%sGStreamer element '%s' is missing: %s%s",
        i > 0 ? "; " : "", missing[i], package ? "install " : "",
        package ? package : "no Debian package is known for it");
  }
  return g_string_free (line, FALSE);
}

gboolean
hs_test_require_elements (const char *factory, ...)
{
  g_autoptr(GPtrArray) missing = g_ptr_array_new ();
  g_autofree char *line = NULL;
  va_list args;

  va_start (args, factory);
  for (const char *f = factory; f != NULL; f = va_arg (args, const char *)) {
    g_autoptr(GstElementFactory) found = gst_element_factory_find (f);

    if (found == NULL)
      g_ptr_array_add (missing, (gpointer) f);
  }
  va_end (args);
  if (missing->len == 0)
    return TRUE;

  g_ptr_array_add (missing, NULL);
  line = missing_elements_line ((const char *const *) missing->pdata);
  g_test_fail_printf ("%s", line);
  return FALSE;
}

GstElement *
hs_test_pipeline_new (const char *description)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GstParseContext) context = gst_parse_context_new ();
  g_auto(GStrv) missing = NULL;
  GstElement *pipeline = gst_parse_launch_full (description, context,
      GST_PARSE_FLAG_FATAL_ERRORS, &error);

  missing = gst_parse_context_get_missing_elements (context);
  if (missing != NULL && missing[0] != NULL)
    g_error ("%s", missing_elements_line ((const char *const *) missing));
  g_assert_no_error (error);
  return gst_object_ref_sink (pipeline);
}

void
hs_test_play (GstElement *pipeline)
{
  g_assert_cmpint (gst_element_set_state (pipeline, GST_STATE_PLAYING), !=,
      GST_STATE_CHANGE_FAILURE);
}

void
hs_test_push_frames (GstElement *appsrc, guint from, guint to, gboolean eos)
{
  for (guint k = from; k < to; k++) {
    GstBuffer *buffer = gst_buffer_new_allocate (NULL, HS_TEST_FRAME_BYTES,
        NULL);

    gst_buffer_memset (buffer, 0, (k * 7) & 0xff, HS_TEST_FRAME_BYTES);
    GST_BUFFER_PTS (buffer) = gst_util_uint64_scale (k, GST_SECOND, 30);
    GST_BUFFER_DURATION (buffer) = gst_util_uint64_scale (k + 1, GST_SECOND,
        30) - GST_BUFFER_PTS (buffer);
    g_assert_cmpint (gst_app_src_push_buffer (GST_APP_SRC (appsrc), buffer),
        ==, GST_FLOW_OK);
  }
  if (eos)
    gst_app_src_end_of_stream (GST_APP_SRC (appsrc));
}

gboolean
hs_test_ring_reached (gpointer data)
{
  gpointer *args = data;
  GstClockTime newest = hs_ring_buffer_get_newest (args[0]);

  return newest != GST_CLOCK_TIME_NONE &&
      newest >= GPOINTER_TO_UINT (args[1]) * GST_MSECOND;
}

void
hs_test_stop (GstElement *pipeline)
{
  gst_element_set_state (pipeline, GST_STATE_NULL);
}

guint64
hs_test_field_u64 (const GstStructure *s, const char *field)
{
  guint64 value = 0;

  if (!gst_structure_get_uint64 (s, field, &value))
    g_error ("%s has no guint64 field '%s'", gst_structure_get_name (s),
        field);
  return value;
}
