/* Compressed tees recorded as they are: H.264, H.265 and VP9 into
 * Matroska, MP4 and WebM, judged by decoding the files; no encoder or
 * decoder in any recording.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <gio/gio.h>
#include <glib/gstdio.h>
#include <gst/video/video.h>
#include <signal.h>
#include <string.h>

#include "hs-test-util.h"

#define FRAME(n) gst_util_uint64_scale ((n), GST_SECOND, 30)
#define MS GST_MSECOND
#define SIZE "video/x-raw,format=I420,width=160,height=120,framerate=30/1"

static const char *
encoder (const char *codec)
{
  if (g_str_equal (codec, "h264"))
    return "x264enc key-int-max=30 tune=zerolatency speed-preset=ultrafast "
        "! h264parse";
  if (g_str_equal (codec, "h264-bframes"))
    return "x264enc key-int-max=30 bframes=2 speed-preset=ultrafast "
        "! h264parse";
  if (g_str_equal (codec, "h264-long-gop"))
    return "x264enc key-int-max=120 tune=zerolatency speed-preset=ultrafast "
        "! h264parse";
  if (g_str_equal (codec, "h265"))
    return "x265enc key-int-max=30 tune=zerolatency speed-preset=ultrafast "
        "! h265parse";
  if (g_str_equal (codec, "vp9"))
    return "vp9enc keyframe-max-dist=30 deadline=1 cpu-used=8 "
        "lag-in-frames=0";
  g_assert_not_reached ();
}

/* A non-live source of @n frames, encoded, on tee cam0 (not yet playing). */
static void
make_source (HsTestRecorderFixture *fx, const char *codec, guint n)
{
  g_autofree char *description = g_strdup_printf ("videotestsrc "
      "num-buffers=%u ! " SIZE " ! %s ! tee name=cam0 cam0. ! queue ! "
      "fakesink", n, encoder (codec));

  fx->pipeline = hs_test_pipeline_new (description);
}

/* Decodes the file of @r: it plays on its own from a keyframe, holds
 * @n_frames frames from @first to @last (within half a frame) of @codec,
 * and none twice. MP4 files start at 0 (mp4mux writes no offset). */
static void
assert_recording (HsRecording *r, const char *codec, guint n_frames,
                  GstClockTime first, GstClockTime last)
{
  g_auto(HsTestFileInfo) info = { 0 };
  g_autoptr(GError) error = NULL;
  const char *path = hs_recording_get_location (r);

  g_assert_no_error ((GError *) hs_recording_get_error (r));
  if (!hs_test_probe_file (path, &info, &error))
    g_error ("%s", error->message);
  if (g_str_has_suffix (path, ".mp4")) {
    last -= first;
    first = 0;
  }
  g_assert_cmpstr (info.codec, ==, codec);
  g_assert_true (info.starts_with_keyframe);
  if (info.n_frames != n_frames)
    g_error ("%s: %u frames decoded, expected %u", path, info.n_frames,
        n_frames);
  g_assert_cmpint (ABS (GST_CLOCK_DIFF (info.first_pts, first)), <=,
      FRAME (1) / 2);
  g_assert_cmpint (ABS (GST_CLOCK_DIFF (info.last_pts, last)), <=,
      FRAME (1) / 2);
  for (guint i = 1; i < info.pts->len; i++)
    g_assert_cmpuint (g_array_index (info.pts, GstClockTime, i), >,
        g_array_index (info.pts, GstClockTime, i - 1));
  /* The recorder reports what the file holds. */
  g_assert_cmpuint (hs_recording_get_n_frames (r), ==, n_frames);
}

/* ------------------------------------------------------------------------ */
/* One window per codec and container                                      */

typedef struct {
  const char *codec;
  const char *location;
  const char *expected_ext;
  const char *caps;             /* what the file holds */
} CodecCase;

static const CodecCase codec_cases[] = {
  { "h264", "%{index}.%{ext}", ".mkv", "video/x-h264" },
  { "h264", "%{index}.mp4", ".mp4", "video/x-h264" },
  { "h265", "%{index}.%{ext}", ".mkv", "video/x-h265" },
  { "h265", "%{index}.mp4", ".mp4", "video/x-h265" },
  { "vp9", "%{index}.%{ext}", ".webm", "video/x-vp9" },
  { "vp9", "%{index}.mkv", ".mkv", "video/x-vp9" },
};

/* A trigger at 3.01 s with pre = post = 2: [1.01 s, 5.01 s), keyframes
 * every second, so frames 30..150. (Window edges lie between frames: an
 * encoder may stamp a frame a nanosecond early.) */
static void
test_window (HsTestRecorderFixture *fx, gconstpointer data)
{
  const CodecCase *c = data;
  HsRecording *r;

  make_source (fx, c->codec, 200);
  fx->recorder = hs_test_make_recorder (fx, "cam0", 2, 2, c->location);
  hs_recorder_trigger_at (fx->recorder, 3010 * MS);
  hs_test_play_until_finished (fx, 1);

  r = hs_test_fixture_finished (&fx->f, 0);
  g_assert_true (g_str_has_suffix (hs_recording_get_location (r),
          c->expected_ext));
  assert_recording (r, c->caps, 121, FRAME (30), FRAME (150));
  g_assert_cmpint (hs_recording_get_requested_start (r), ==, 1010 * MS);
}

/* ------------------------------------------------------------------------ */
/* Window rules on keyframes                                               */

/* T - pre falls inside a GOP: the file starts at the keyframe before, never
 * later than asked. */
static void
test_keyframe_before (HsTestRecorderFixture *fx, gconstpointer data)
{
  HsRecording *r;

  make_source (fx, "h264", 200);
  fx->recorder = hs_test_make_recorder (fx, "cam0", 2, 2, "k.mkv");
  hs_recorder_trigger_at (fx->recorder, 3510 * MS);
  hs_test_play_until_finished (fx, 1);

  /* [1.51 s, 5.51 s) from the keyframe at 1 s */
  r = hs_test_fixture_finished (&fx->f, 0);
  assert_recording (r, "video/x-h264", 136, FRAME (30), FRAME (165));
  g_assert_cmpint (hs_recording_get_requested_start (r), ==, 1510 * MS);
  g_assert_cmpuint (hs_recording_get_start_time (r), <=, 1510 * MS);
}

/* A GOP of 4 s, longer than pre: still a file that starts on a keyframe,
 * without asking the encoder for one. */
static void
test_long_gop (HsTestRecorderFixture *fx, gconstpointer data)
{
  make_source (fx, "h264-long-gop", 250);
  fx->recorder = hs_test_make_recorder (fx, "cam0", 1, 1, "g.mkv");
  hs_recorder_trigger_at (fx->recorder, 6010 * MS);
  hs_test_play_until_finished (fx, 1);

  /* [5.01 s, 7.01 s) from the keyframe at 4 s */
  assert_recording (hs_test_fixture_finished (&fx->f, 0), "video/x-h264", 91,
      FRAME (120), FRAME (210));
}

/* Windows that overlap tile: the second file starts at the first keyframe
 * at or after the first one's end; no frame twice. */
static void
test_tiling (HsTestRecorderFixture *fx, gconstpointer data)
{
  HsRecording *second;

  make_source (fx, "h264", 300);
  fx->recorder = hs_test_make_recorder (fx, "cam0", 2, 2, "%{index}.mkv");
  hs_recorder_trigger_at (fx->recorder, 2990 * MS);
  hs_recorder_trigger_at (fx->recorder, 6010 * MS);
  hs_test_play_until_finished (fx, 2);

  /* [0.99 s, 4.99 s) from the keyframe at 0; then from 4.99 s, where the
   * keyframe at 5 s is the first after the end */
  assert_recording (hs_test_fixture_finished (&fx->f, 0), "video/x-h264", 150,
      FRAME (0), FRAME (149));
  second = hs_test_fixture_finished (&fx->f, 1);
  assert_recording (second, "video/x-h264", 91, FRAME (150), FRAME (240));
  g_assert_cmpint (hs_recording_get_requested_start (second), ==, 4990 * MS);
}

/* The same with keyframes every 1.5 s: the gap to the next keyframe is left
 * out and reported. */
static void
test_tiling_gap (HsTestRecorderFixture *fx, gconstpointer data)
{
  HsRecording *second;

  fx->pipeline = hs_test_pipeline_new ("videotestsrc num-buffers=300 ! " SIZE
      " ! x264enc key-int-max=45 tune=zerolatency speed-preset=ultrafast ! "
      "h264parse ! tee name=cam0 cam0. ! queue ! fakesink");
  fx->recorder = hs_test_make_recorder (fx, "cam0", 2, 2, "%{index}.mkv");
  hs_recorder_trigger_at (fx->recorder, 3010 * MS);
  hs_recorder_trigger_at (fx->recorder, 6010 * MS);
  hs_test_play_until_finished (fx, 2);

  /* [1.01 s, 5.01 s) from the keyframe at 0 s; the next window would start
   * at 5.01 s, but its first keyframe after that is at 6 s */
  assert_recording (hs_test_fixture_finished (&fx->f, 0), "video/x-h264", 151,
      FRAME (0), FRAME (150));
  second = hs_test_fixture_finished (&fx->f, 1);
  assert_recording (second, "video/x-h264", 61, FRAME (180), FRAME (240));
  g_assert_cmpint (hs_recording_get_requested_start (second), ==, 5010 * MS);
  g_assert_cmpuint (hs_recording_get_shortfall (second), >=, 980 * MS);
  g_assert_cmpuint (hs_recording_get_shortfall (second), <=, 990 * MS);
}

/* max-duration rolls over on keyframes: every file starts on one, the
 * frames add up, none twice. */
static void
test_rollover (HsTestRecorderFixture *fx, gconstpointer data)
{
  make_source (fx, "h264", 300);
  fx->recorder = hs_test_make_recorder (fx, "cam0", 2, 5, "%{index}.mkv");
  hs_recorder_set_max_duration (fx->recorder, 1.5);
  hs_recorder_trigger_at (fx->recorder, 3010 * MS);
  hs_test_play_until_finished (fx, 4);

  /* [1 s, 8 s): the first keyframe 1.5 s or more into a file is two GOPs
   * on */
  assert_recording (hs_test_fixture_finished (&fx->f, 0), "video/x-h264", 60,
      FRAME (30), FRAME (89));
  assert_recording (hs_test_fixture_finished (&fx->f, 1), "video/x-h264", 60,
      FRAME (90), FRAME (149));
  assert_recording (hs_test_fixture_finished (&fx->f, 2), "video/x-h264", 60,
      FRAME (150), FRAME (209));
  assert_recording (hs_test_fixture_finished (&fx->f, 3), "video/x-h264", 31,
      FRAME (210), FRAME (240));
}

/* B-frames: decode order is not presentation order; the file still starts
 * on its keyframe, decodes, and ends before the window's end. */
static void
test_bframes (HsTestRecorderFixture *fx, gconstpointer data)
{
  g_auto(HsTestFileInfo) info = { 0 };
  g_autoptr(GError) error = NULL;
  HsRecording *r;

  make_source (fx, "h264-bframes", 200);
  fx->recorder = hs_test_make_recorder (fx, "cam0", 2, 2, "b.mkv");
  hs_recorder_trigger_at (fx->recorder, 3010 * MS);
  hs_test_play_until_finished (fx, 1);

  r = hs_test_fixture_finished (&fx->f, 0);
  g_assert_no_error ((GError *) hs_recording_get_error (r));
  if (!hs_test_probe_file (hs_recording_get_location (r), &info, &error))
    g_error ("%s", error->message);
  g_assert_true (info.starts_with_keyframe);
  g_assert_cmpint (ABS (GST_CLOCK_DIFF (info.first_pts, FRAME (30))), <=,
      FRAME (1) / 2);
  /* B-frames decoded after the first frame past the end stay out: at most
   * the two of one group. */
  g_assert_cmpuint (info.last_pts, <, 5010 * MS);
  g_assert_cmpuint (info.last_pts + FRAME (3), >=, 5010 * MS);
  g_assert_cmpuint (info.n_frames, ==, (info.last_pts - info.first_pts +
          FRAME (1) / 2) / FRAME (1) + 1);
}

/* New caps mid-stream (a new resolution, new codec data) start a new file
 * that plays on its own. New caps set while frame 99 passes the capsfilter
 * apply from frame 100 on. */
static GstPadProbeReturn
change_size_at_100 (GstPad *pad, GstPadProbeInfo *info, gpointer user_data)
{
  GstElement *filter = user_data;
  guint n = GPOINTER_TO_UINT (g_object_get_data (G_OBJECT (filter), "n"));

  if (n == 99) {
    g_autoptr(GstCaps) caps = gst_caps_from_string (
        "video/x-raw,format=I420,width=320,height=240,framerate=30/1");

    g_object_set (filter, "caps", caps, NULL);
  }
  g_object_set_data (G_OBJECT (filter), "n", GUINT_TO_POINTER (n + 1));
  return GST_PAD_PROBE_OK;
}

static void
test_caps_change (HsTestRecorderFixture *fx, gconstpointer data)
{
  g_auto(HsTestFileInfo) info = { 0 };
  g_autoptr(GError) error = NULL;
  g_autoptr(GstElement) filter = NULL;
  g_autoptr(GstPad) pad = NULL;

  fx->pipeline = hs_test_pipeline_new ("videotestsrc num-buffers=200 ! "
      "videoscale ! capsfilter name=size caps=" SIZE " ! x264enc "
      "key-int-max=30 tune=zerolatency speed-preset=ultrafast ! h264parse ! "
      "tee name=cam0 cam0. ! queue ! fakesink");
  filter = gst_bin_get_by_name (GST_BIN (fx->pipeline), "size");
  pad = gst_element_get_static_pad (filter, "sink");
  gst_pad_add_probe (pad, GST_PAD_PROBE_TYPE_BUFFER, change_size_at_100,
      filter, NULL);
  fx->recorder = hs_test_make_recorder (fx, "cam0", 2, 2, "%{index}.mkv");
  hs_recorder_trigger_at (fx->recorder, 3010 * MS);
  hs_test_play_until_finished (fx, 2);

  assert_recording (hs_test_fixture_finished (&fx->f, 0), "video/x-h264", 70,
      FRAME (30), FRAME (99));
  assert_recording (hs_test_fixture_finished (&fx->f, 1), "video/x-h264", 51,
      FRAME (100), FRAME (150));
  g_assert_true (hs_test_probe_file (hs_recording_get_location (
              hs_test_fixture_finished (&fx->f, 1)), &info, &error));
  g_assert_cmpint (info.width, ==, 320);
}

/* ------------------------------------------------------------------------ */
/* What the recording pipelines are made of                                 */

static gboolean
is_codec (GstElementFactory *factory)
{
  const char *klass = gst_element_factory_get_metadata (factory,
      GST_ELEMENT_METADATA_KLASS);

  return strstr (klass, "Encoder") != NULL ||
      strstr (klass, "Decoder") != NULL;
}

static void
assert_no_codec_in (GstBin *bin)
{
  g_autoptr(GstIterator) it = gst_bin_iterate_recurse (bin);
  GValue item = G_VALUE_INIT;

  while (gst_iterator_next (it, &item) == GST_ITERATOR_OK) {
    GstElement *element = g_value_get_object (&item);
    GstElementFactory *factory = gst_element_get_factory (element);

    if (factory != NULL && is_codec (factory))
      g_error ("%s holds %s", GST_OBJECT_NAME (bin),
          GST_OBJECT_NAME (factory));
    g_value_reset (&item);
  }
  g_value_unset (&item);
}

/* Every element named in the record pipelines' graphs (written because
 * GST_DEBUG_DUMP_DOT_DIR is set), by its type. */
static void
assert_no_codec_in_graphs (const char *dir, guint *n_graphs)
{
  g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);
  const char *name;

  g_assert_nonnull (d);
  while ((name = g_dir_read_name (d)) != NULL) {
    g_autofree char *path = g_build_filename (dir, name, NULL);
    g_autofree char *text = NULL;
    g_auto(GStrv) lines = NULL;

    if (strstr (name, "hs-record-") == NULL)
      continue;
    g_assert_true (g_file_get_contents (path, &text, NULL, NULL));
    (*n_graphs)++;
    lines = g_strsplit (text, "\n", -1);
    for (guint i = 0; lines[i] != NULL; i++) {
      const char *label = strstr (lines[i], "label=\"Gst");
      g_autofree char *type = NULL;
      GType gtype;

      if (label == NULL)
        continue;
      type = g_strndup (label + 7, strcspn (label + 7, "\\\""));
      gtype = g_type_from_name (type);
      g_assert_true (gtype != 0);
      if (g_type_is_a (gtype, GST_TYPE_VIDEO_ENCODER) ||
          g_type_is_a (gtype, GST_TYPE_VIDEO_DECODER))
        g_error ("%s: a record pipeline holds %s", name, type);
    }
  }
}

static void
test_no_codec (HsTestRecorderFixture *fx, gconstpointer data)
{
  const char *dir = g_getenv ("GST_DEBUG_DUMP_DOT_DIR");
  g_autoptr(GstElement) tee = NULL;
  g_autoptr(GstObject) parent = NULL;
  guint n_graphs = 0;

  make_source (fx, "h264", 200);
  fx->recorder = hs_test_make_recorder (fx, "cam0", 2, 2, "%{index}.mp4");
  hs_recorder_trigger_at (fx->recorder, 3010 * MS);
  hs_test_play_until_finished (fx, 1);
  assert_recording (hs_test_fixture_finished (&fx->f, 0), "video/x-h264", 121,
      FRAME (30), FRAME (150));

  /* The ring branch on the tee: a parser at most. */
  tee = gst_bin_get_by_name (GST_BIN (fx->pipeline), "cam0");
  parent = gst_object_get_parent (GST_OBJECT (tee));
  {
    g_autoptr(GstIterator) it = gst_bin_iterate_elements (GST_BIN (parent));
    GValue item = G_VALUE_INIT;
    guint n_branches = 0;

    while (gst_iterator_next (it, &item) == GST_ITERATOR_OK) {
      GstElement *e = g_value_get_object (&item);

      if (g_str_has_prefix (GST_OBJECT_NAME (e), "hs-ring-")) {
        assert_no_codec_in (GST_BIN (e));
        n_branches++;
      }
      g_value_reset (&item);
    }
    g_value_unset (&item);
    g_assert_cmpuint (n_branches, ==, 1);
  }
  /* The record pipeline: appsrc, muxer, filesink. */
  g_assert_nonnull (dir);
  assert_no_codec_in_graphs (dir, &n_graphs);
  g_assert_cmpuint (n_graphs, >=, 1);
}

/* ------------------------------------------------------------------------ */
/* Bad input                                                                */

static void
assert_fails (HsTestRecorderFixture *fx, int code, const char *const *says)
{
  const GError *error;

  hs_recorder_trigger_at (fx->recorder, GST_SECOND);
  hs_test_play_until_finished (fx, 1);
  error = hs_recording_get_error (hs_test_fixture_finished (&fx->f, 0));
  g_assert_nonnull (error);
  g_assert_error ((GError *) error, HS_ERROR, code);
  for (guint i = 0; says[i] != NULL; i++)
    if (strstr (error->message, says[i]) == NULL)
      g_error ("\"%s\" does not say \"%s\"", error->message, says[i]);
}

/* Waits until @fx's pipeline has played its source to the end; an error on
 * its bus fails the test. */
static void
assert_plays_to_end (HsTestRecorderFixture *fx)
{
  g_autoptr(GstBus) bus = gst_element_get_bus (fx->pipeline);
  g_autoptr(GstMessage) message = gst_bus_timed_pop_filtered (bus,
      fx->f.timeout_s * GST_SECOND, GST_MESSAGE_EOS | GST_MESSAGE_ERROR);

  if (message == NULL)
    g_error ("watchdog: no EOS within %u s", fx->f.timeout_s);
  if (GST_MESSAGE_TYPE (message) == GST_MESSAGE_ERROR) {
    g_autoptr(GError) error = NULL;

    gst_message_parse_error (message, &error, NULL);
    g_error ("error from %s: %s", GST_MESSAGE_SRC_NAME (message),
        error->message);
  }
}

/* An H.264 stream not parsed into access units: the error names the fix,
 * and the refusal leaves the user's pipeline playing to its end.
 * Waiting for that end also keeps the teardown from stopping h264parse in
 * the middle of the first access unit: GStreamer 1.22's h264parse, when it
 * splits AVC into NAL units, leaks the unit's remaining NAL buffers if its
 * source pad is deactivated meanwhile (fixed in 1.28). */
static void
test_unparsed (HsTestRecorderFixture *fx, gconstpointer data)
{
  const char *const says[] = { "'cam0'", "video/x-h264", "h264parse", NULL };

  fx->pipeline = hs_test_pipeline_new ("videotestsrc num-buffers=60 ! " SIZE
      " ! x264enc ! h264parse ! video/x-h264,alignment=nal ! tee name=cam0 "
      "cam0. ! queue ! fakesink");
  fx->recorder = hs_test_make_recorder (fx, "cam0", 1, 1, "u.mkv");
  assert_fails (fx, HS_ERROR_NOT_NEGOTIATED, says);
  assert_plays_to_end (fx);
}

/* A codec the container cannot hold: the error lists those that can. */
static void
test_container_refused (HsTestRecorderFixture *fx, gconstpointer data)
{
  const char *const says[] = { "H.264", "webm", "matroska, mp4", NULL };

  make_source (fx, "h264", 60);
  fx->recorder = hs_test_make_recorder (fx, "cam0", 1, 1, "c.%{ext}");
  g_object_set (fx->recorder, "container", HS_CONTAINER_WEBM, NULL);
  assert_fails (fx, HS_ERROR_NOT_NEGOTIATED, says);
}

/* Passthrough asked of raw video. */
static void
test_raw_in_passthrough (HsTestRecorderFixture *fx, gconstpointer data)
{
  const char *const says[] = { "video/x-raw", "not compressed", NULL };
  g_autoptr(GError) error = NULL;
  g_autofree char *location = hs_test_fixture_path (&fx->f, "r.mkv");

  fx->pipeline = hs_test_pipeline_new ("videotestsrc num-buffers=60 ! " SIZE
      " ! tee name=cam0 cam0. ! queue ! fakesink");
  fx->recorder = g_initable_new (HS_TYPE_RECORDER, NULL, &error,
      "pipeline", fx->pipeline, "source", "cam0", "location", location,
      "mode", HS_RECORDER_MODE_PASSTHROUGH, NULL);
  g_assert_no_error (error);
  hs_test_fixture_watch (&fx->f, fx->recorder);
  assert_fails (fx, HS_ERROR_NOT_NEGOTIATED, says);
}

/* A converter is for raw video: refused when made with passthrough, and
 * when the tee turns out to carry compressed video. */
static void
test_converter_refused (HsTestRecorderFixture *fx, gconstpointer data)
{
  const char *const says[] = { "video/x-h264", "converter", NULL };
  g_autoptr(GError) error = NULL;
  g_autoptr(HsRecorder) refused = NULL;
  g_autofree char *location = hs_test_fixture_path (&fx->f, "v.mkv");

  make_source (fx, "h264", 60);
  refused = g_initable_new (HS_TYPE_RECORDER, NULL, &error,
      "pipeline", fx->pipeline, "source", "cam0", "mode",
      HS_RECORDER_MODE_PASSTHROUGH, "converter", "cpu", NULL);
  g_assert_null (refused);
  g_assert_error (error, HS_ERROR, HS_ERROR_INVALID_ARGUMENT);
  g_assert_nonnull (strstr (error->message, "passthrough"));
  g_clear_error (&error);

  fx->recorder = g_initable_new (HS_TYPE_RECORDER, NULL, &error,
      "pipeline", fx->pipeline, "source", "cam0", "location", location,
      "converter", "cpu", NULL);
  g_assert_no_error (error);
  hs_test_fixture_watch (&fx->f, fx->recorder);
  assert_fails (fx, HS_ERROR_NOT_NEGOTIATED, says);
}

/* ------------------------------------------------------------------------ */
/* MP4 cut short                                                            */

static gboolean
stderr_says_recording (gpointer data)
{
  GString *err = data;

  return strstr (err->str, "recording") != NULL;
}

static void
on_stderr (GObject *stream, GAsyncResult *result, gpointer user_data)
{
  GString *err = user_data;
  g_autoptr(GBytes) bytes = g_input_stream_read_bytes_finish (
      G_INPUT_STREAM (stream), result, NULL);

  if (bytes == NULL || g_bytes_get_size (bytes) == 0)
    return;
  g_string_append_len (err, g_bytes_get_data (bytes, NULL),
      g_bytes_get_size (bytes));
  g_input_stream_read_bytes_async (G_INPUT_STREAM (stream), 4096,
      G_PRIORITY_DEFAULT, NULL, on_stderr, err);
}

static gboolean
after (gpointer data)
{
  return g_get_monotonic_time () >= *(gint64 *) data;
}

/* kill -9 while a live camera's window is being written: the MP4 plays up
 * to its last fragment (fragments are 1 s long). */
static void
test_mp4_killed (HsTestRecorderFixture *fx, gconstpointer data)
{
  g_autofree char *location = hs_test_fixture_path (&fx->f, "killed.mp4");
  g_autoptr(GSubprocess) launch = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GString) err = g_string_new (NULL);
  g_auto(HsTestFileInfo) info = { 0 };
  gint64 deadline;

  launch = g_subprocess_new (G_SUBPROCESS_FLAGS_STDERR_PIPE |
      G_SUBPROCESS_FLAGS_STDOUT_SILENCE | G_SUBPROCESS_FLAGS_STDIN_PIPE,
      &error, HS_LAUNCH_PATH, "videotestsrc is-live=true ! " SIZE " ! "
      "x264enc key-int-max=15 tune=zerolatency speed-preset=ultrafast ! "
      "h264parse ! tee name=cam0 cam0. ! queue ! fakesink", "--pre", "0",
      "--post", "30", "--trigger-at", "0.5", "-o", location, NULL);
  g_assert_no_error (error);
  g_input_stream_read_bytes_async (g_subprocess_get_stderr_pipe (launch),
      4096, G_PRIORITY_DEFAULT, NULL, on_stderr, err);
  hs_test_fixture_run_until (&fx->f, stderr_says_recording, err);
  /* Three seconds of frames, then the power goes. */
  deadline = g_get_monotonic_time () + 3 * G_USEC_PER_SEC;
  hs_test_fixture_run_until (&fx->f, after, &deadline);
  g_subprocess_send_signal (launch, SIGKILL);
  g_assert_false (g_subprocess_wait (launch, NULL, &error) &&
      g_subprocess_get_successful (launch));

  if (!hs_test_probe_file (location, &info, &error))
    g_error ("%s", error->message);
  g_assert_cmpstr (info.codec, ==, "video/x-h264");
  g_assert_true (info.starts_with_keyframe);
  /* At least the first full fragment; at most what the camera sent. */
  g_assert_cmpuint (info.n_frames, >=, 30);
  g_assert_cmpuint (info.n_frames, <=, 4 * 30);
}

int
main (int argc, char **argv)
{
  g_autofree char *dots = g_dir_make_tmp ("hindsight-dots-XXXXXX", NULL);
  int ret;

  /* The record pipelines leave their graphs here (test_no_codec). */
  g_setenv ("GST_DEBUG_DUMP_DOT_DIR", dots, TRUE);
  gst_init (&argc, &argv);
  g_test_init (&argc, &argv, NULL);

  for (guint i = 0; i < G_N_ELEMENTS (codec_cases); i++) {
    const CodecCase *c = &codec_cases[i];
    g_autofree char *path = g_strdup_printf ("/passthrough/window/%s/%s",
        c->codec, c->expected_ext + 1);

    hs_test_add_recorder_test (path, c, test_window);
  }
  hs_test_add_recorder_test ("/passthrough/keyframe-before", NULL,
      test_keyframe_before);
  hs_test_add_recorder_test ("/passthrough/long-gop", NULL, test_long_gop);
  hs_test_add_recorder_test ("/passthrough/tiling", NULL, test_tiling);
  hs_test_add_recorder_test ("/passthrough/tiling-gap", NULL,
      test_tiling_gap);
  hs_test_add_recorder_test ("/passthrough/rollover", NULL, test_rollover);
  hs_test_add_recorder_test ("/passthrough/bframes", NULL, test_bframes);
  hs_test_add_recorder_test ("/passthrough/caps-change", NULL,
      test_caps_change);
  hs_test_add_recorder_test ("/passthrough/no-codec", NULL, test_no_codec);
  hs_test_add_recorder_test ("/passthrough/error/unparsed", NULL,
      test_unparsed);
  hs_test_add_recorder_test ("/passthrough/error/container", NULL,
      test_container_refused);
  hs_test_add_recorder_test ("/passthrough/error/raw-video", NULL,
      test_raw_in_passthrough);
  hs_test_add_recorder_test ("/passthrough/error/converter", NULL,
      test_converter_refused);
  hs_test_add_recorder_test ("/passthrough/mp4-killed", NULL,
      test_mp4_killed);

  ret = g_test_run ();
  /* Graphs are for this run only. */
  {
    g_autoptr(GDir) d = g_dir_open (dots, 0, NULL);
    const char *name;

    while (d != NULL && (name = g_dir_read_name (d)) != NULL) {
      g_autofree char *path = g_build_filename (dots, name, NULL);

      g_unlink (path);
    }
    g_rmdir (dots);
  }
  return ret;
}
