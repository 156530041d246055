/* Sound in the clips: a video tee and an audio tee recorded into one file,
 * judged by decoding both streams. The sound is audiotestsrc's ticks, one
 * every 100 ms of running time, so that its offset from the video can be
 * measured in the file.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <gst/app/app.h>
#include <math.h>
#include <string.h>

#include "hs-test-util.h"

#define FRAME(n) gst_util_uint64_scale ((n), GST_SECOND, 30)
#define MS GST_MSECOND
#define SIZE "video/x-raw,format=I420,width=160,height=120,framerate=30/1"
#define AUDIO_FRAME HS_TEST_AUDIO_FRAME
#define TICKS HS_TEST_TICKS
#define MONO HS_TEST_MONO

static const char *
video_encoder (const char *codec)
{
  if (g_str_equal (codec, "h264"))
    return "x264enc key-int-max=30 tune=zerolatency speed-preset=ultrafast "
        "! h264parse";
  if (g_str_equal (codec, "raw"))
    return "identity";
  g_assert_not_reached ();
}

/* Watches the ticks that element @name of @fx's pipeline makes: what
 * assert_sound() measures the files' ticks against. */
static void
watch_source_ticks (HsTestRecorderFixture *fx, const char *name)
{
  g_autoptr(GstElement) element = gst_bin_get_by_name (GST_BIN (fx->pipeline),
      name);

  hs_test_watch_source_ticks (element);
  g_object_set_data_full (G_OBJECT (fx->pipeline), "source-ticks",
      g_strdup (name), g_free);
}

/* 200 frames of video on tee cam0 (@video: raw or h264) and 7 s of ticks on
 * tee mic0, through @audio_chain ("identity" for raw sound), both non-live
 * (not yet playing). */
static void
make_sources (HsTestRecorderFixture *fx, const char *video,
              const char *audio_chain)
{
  g_autofree char *description = g_strdup_printf ("videotestsrc "
      "num-buffers=200 ! " SIZE " ! %s ! tee name=cam0 cam0. ! queue ! "
      "fakesink " TICKS " name=ticks num-buffers=350 ! " MONO " ! %s ! "
      "tee name=mic0 mic0. ! queue ! fakesink", video_encoder (video),
      audio_chain);

  fx->pipeline = hs_test_pipeline_new (description);
  watch_source_ticks (fx, "ticks");
}

/* A recorder of cam0 with the sound of mic0; pre = post = 2. */
static HsRecorder *
make_recorder (HsTestRecorderFixture *fx, const char *name,
               const char *first_property, ...)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *location = hs_test_fixture_path (&fx->f, name);
  HsRecorder *recorder = g_initable_new (HS_TYPE_RECORDER, NULL, &error,
      "pipeline", fx->pipeline, "source", "cam0", "audio-source", "mic0",
      "pre", 2.0, "post", 2.0, "location", location, NULL);
  va_list args;

  g_assert_no_error (error);
  va_start (args, first_property);
  g_object_set_valist (G_OBJECT (recorder), first_property, args);
  va_end (args);
  hs_test_fixture_watch (&fx->f, recorder);
  return recorder;
}

/* Decodes the file of @r, whose video must be source frames @first ..
 * @last. */
static void
probe_clip (HsRecording *r, HsTestClip *clip, guint first, guint last)
{
  hs_test_probe_clip (hs_recording_get_location (r), clip, first, last);
}

/* The sound of @clip covers its video (see hs_test_assert_sound()), and
 * the recording says what the file holds. */
static void
assert_sound (HsTestRecorderFixture *fx, HsRecording *r,
              const HsTestClip *clip, const char *codec, gboolean cut)
{
  g_autoptr(GstElement) source = gst_bin_get_by_name (GST_BIN (fx->pipeline),
      g_object_get_data (G_OBJECT (fx->pipeline), "source-ticks"));
  g_autoptr(HsTestTicks) ticks = hs_test_source_ticks (source);

  hs_test_assert_sound (clip, ticks, codec, cut);
  g_assert_cmpstr (hs_recording_get_audio_codec (r), ==, codec);
  g_assert_cmpuint (hs_recording_get_n_audio_frames (r), >, 0);
}

/* ------------------------------------------------------------------------ */
/* Raw sound, encoded when the file is written                              */

typedef struct {
  const char *location;
  const char *encoder;          /* video, NULL for the default VP8 */
  const char *audio_encoder;
  const char *audio_codec;      /* what the file holds */
} RawCase;

static const RawCase raw_cases[] = {
  { "%{index}.webm", NULL, "opus", "audio/x-opus" },
  { "%{index}.webm", NULL, "vorbis", "audio/x-vorbis" },
  { "%{index}.mkv", NULL, "opus", "audio/x-opus" },
  { "%{index}.mp4", "vp9", "aac", "audio/mpeg" },
};

/* A trigger at 3.01 s with pre = post = 2: frames 31..150, sound from the
 * first frame (1.033 s) to the end of the last (5.033 s). */
static void
test_raw (HsTestRecorderFixture *fx, gconstpointer data)
{
  const RawCase *c = data;
  g_auto(HsTestClip) clip = { 0 };
  HsRecording *r;

  make_sources (fx, "raw", "identity");
  fx->recorder = make_recorder (fx, c->location, "audio-encoder",
      c->audio_encoder, NULL);
  if (c->encoder != NULL)
    g_object_set (fx->recorder, "encoder", c->encoder, NULL);
  hs_recorder_trigger_at (fx->recorder, 3010 * MS);
  hs_test_play_until_finished (fx, 1);

  r = hs_test_fixture_finished (&fx->f, 0);
  g_assert_no_error ((GError *) hs_recording_get_error (r));
  probe_clip (r, &clip, 31, 150);
  assert_sound (fx, r, &clip, c->audio_codec, TRUE);
  /* Raw buffers of 960 samples are counted before encoding: 1.02 to
   * 5.02 s, the first and last cut. */
  g_assert_cmpuint (hs_recording_get_n_audio_frames (r), ==, 201);
}

/* Two windows of the same recorder each get their own stretch of sound. */
static void
test_two_windows (HsTestRecorderFixture *fx, gconstpointer data)
{
  g_auto(HsTestClip) first = { 0 };
  g_auto(HsTestClip) second = { 0 };

  make_sources (fx, "raw", "identity");
  fx->recorder = make_recorder (fx, "%{index}.webm", NULL);
  g_object_set (fx->recorder, "pre", 0.5, "post", 0.5, NULL);
  hs_recorder_trigger_at (fx->recorder, 1010 * MS);
  hs_recorder_trigger_at (fx->recorder, 4010 * MS);
  hs_test_play_until_finished (fx, 2);

  /* [0.51, 1.51): frames 16..45; [3.51, 4.51): frames 106..135 */
  probe_clip (hs_test_fixture_finished (&fx->f, 0), &first, 16, 45);
  assert_sound (fx, hs_test_fixture_finished (&fx->f, 0), &first,
      "audio/x-opus", TRUE);
  probe_clip (hs_test_fixture_finished (&fx->f, 1), &second, 106, 135);
  assert_sound (fx, hs_test_fixture_finished (&fx->f, 1), &second,
      "audio/x-opus", TRUE);
}

/* Live sources, as cameras and microphones are: two windows, each with its
 * sound in place. The frames a live source makes depend on when it started,
 * so the file's video is checked against the window, not frame numbers. */
static void
test_live (HsTestRecorderFixture *fx, gconstpointer data)
{
  fx->pipeline = hs_test_pipeline_new ("videotestsrc is-live=true ! " SIZE
      " ! tee name=cam0 cam0. ! queue ! fakesink " TICKS " name=ticks "
      "is-live=true ! " MONO " ! tee name=mic0 mic0. ! queue ! fakesink");
  watch_source_ticks (fx, "ticks");
  fx->recorder = make_recorder (fx, "%{index}.webm", NULL);
  g_object_set (fx->recorder, "pre", 0.5, "post", 0.5, NULL);
  hs_recorder_trigger_at (fx->recorder, 1000 * MS);
  hs_recorder_trigger_at (fx->recorder, 2600 * MS);
  hs_test_play_until_finished (fx, 2);

  for (guint i = 0; i < 2; i++) {
    HsRecording *r = hs_test_fixture_finished (&fx->f, i);
    g_auto(HsTestClip) clip = { 0 };
    g_autoptr(GError) error = NULL;
    GstClockTime start = i == 0 ? 500 * MS : 2100 * MS;

    g_assert_no_error ((GError *) hs_recording_get_error (r));
    clip.path = g_strdup (hs_recording_get_location (r));
    if (!hs_test_probe_file (clip.path, &clip.video, &error) ||
        !hs_test_probe_audio (clip.path, &clip.audio, &error))
      g_error ("%s", error->message);
    /* Live audio buffers are stamped by the clock, with jitter the encoder
     * smooths out: ticks may move a few milliseconds. */
    clip.tick_tolerance = 10 * MS;
    /* [start, start + 1 s): 30 frames, the first within a frame of it */
    g_assert_cmpuint (clip.video.n_frames, >=, 29);
    g_assert_cmpuint (clip.video.n_frames, <=, 30);
    g_assert_cmpuint (clip.video.first_pts, >=, start);
    g_assert_cmpuint (clip.video.first_pts, <, start + FRAME (1));
    assert_sound (fx, r, &clip, "audio/x-opus", TRUE);
  }
}

/* ------------------------------------------------------------------------ */
/* Compressed sound, kept as it came                                        */

typedef struct {
  const char *name;
  const char *video;            /* raw or h264 */
  const char *audio_chain;
  const char *location;
  const char *audio_codec;
} PassCase;

static const PassCase pass_cases[] = {
  { "mulaw-mkv", "h264", "mulawenc", "%{index}.mkv", "audio/x-mulaw" },
  { "alaw-mkv", "h264", "alawenc", "%{index}.mkv", "audio/x-alaw" },
  { "aac-mp4", "h264", "audioconvert ! avenc_aac ! aacparse", "%{index}.mp4",
    "audio/mpeg" },
  { "opus-webm", "raw", "opusenc ! opusparse", "%{index}.webm",
    "audio/x-opus" },
};

static void
test_passthrough (HsTestRecorderFixture *fx, gconstpointer data)
{
  const PassCase *c = data;
  g_auto(HsTestClip) clip = { 0 };
  HsRecording *r;

  make_sources (fx, c->video, c->audio_chain);
  fx->recorder = make_recorder (fx, c->location, NULL);
  /* The H.264 windows start at the keyframe before 1.01 s: frame 30. */
  hs_recorder_trigger_at (fx->recorder, 3010 * MS);
  hs_test_play_until_finished (fx, 1);

  r = hs_test_fixture_finished (&fx->f, 0);
  g_assert_no_error ((GError *) hs_recording_get_error (r));
  probe_clip (r, &clip, g_str_equal (c->video, "h264") ? 30 : 31, 150);
  assert_sound (fx, r, &clip, c->audio_codec, FALSE);
}

/* Records the window of a trigger at 3.01 s with pre = post = 2 (frames
 * 31..150) into WebM: the recording, its file decoded into @clip. */
static HsRecording *
record_webm_window (HsTestRecorderFixture *fx, HsTestClip *clip)
{
  HsRecording *r;

  fx->recorder = make_recorder (fx, "%{index}.webm", NULL);
  hs_recorder_trigger_at (fx->recorder, 3010 * MS);
  hs_test_play_until_finished (fx, 1);
  r = hs_test_fixture_finished (&fx->f, 0);
  probe_clip (r, clip, 31, 150);
  return r;
}

/* ------------------------------------------------------------------------ */
/* Sound that changes, stops or fails                                       */

/* The tee's sound goes from 48 to 32 kHz at 3 s (resampled): the file's
 * sound goes on without a hole, its ticks in place. */
static GstPadProbeReturn
change_rate (GstPad *pad, GstPadProbeInfo *info, gpointer user_data)
{
  GstElement *filter = user_data;
  GstBuffer *buffer = GST_PAD_PROBE_INFO_BUFFER (info);

  if (GST_BUFFER_PTS (buffer) < 3 * GST_SECOND)
    return GST_PAD_PROBE_OK;
  gst_util_set_object_arg (G_OBJECT (filter), "caps",
      "audio/x-raw,format=S16LE,rate=32000,channels=1");
  g_object_set_data (G_OBJECT (filter), "changed", GINT_TO_POINTER (TRUE));
  return GST_PAD_PROBE_REMOVE;
}

static void
test_caps_change (HsTestRecorderFixture *fx, gconstpointer data)
{
  g_auto(HsTestClip) clip = { 0 };
  g_autoptr(GstElement) filter = NULL;
  g_autoptr(GstPad) pad = NULL;
  HsRecording *r;

  make_sources (fx, "raw", "audioresample ! capsfilter name=rate");
  filter = gst_bin_get_by_name (GST_BIN (fx->pipeline), "rate");
  pad = gst_element_get_static_pad (filter, "src");
  gst_pad_add_probe (pad, GST_PAD_PROBE_TYPE_BUFFER, change_rate, filter,
      NULL);
  r = record_webm_window (fx, &clip);
  g_assert_true (g_object_get_data (G_OBJECT (filter), "changed"));
  g_assert_no_error ((GError *) hs_recording_get_error (r));
  assert_sound (fx, r, &clip, "audio/x-opus", TRUE);
}

/* A test-driven audio source: 48 kHz mono ticks pushed by the test. */
static GstBuffer *
tick_buffer (guint index)
{
  GstBuffer *buffer = gst_buffer_new_allocate (NULL, 960 * 2, NULL);
  GstMapInfo map;

  gst_buffer_map (buffer, &map, GST_MAP_WRITE);
  for (guint i = 0; i < 960; i++) {
    guint at = (index * 960 + i) % 4800;    /* samples into its 100 ms */
    gint16 v = at < 480 ? (gint16) (16000 * sin (2 * G_PI * 1000 * at /
            48000.0)) : 0;

    GST_WRITE_UINT16_LE (map.data + 2 * i, (guint16) v);
  }
  gst_buffer_unmap (buffer, &map);
  GST_BUFFER_PTS (buffer) = index * AUDIO_FRAME;
  GST_BUFFER_DURATION (buffer) = AUDIO_FRAME;
  return buffer;
}

/* Pushes the 20 ms buffers from @from_ms to @to_ms (not EOS: the source
 * then goes quiet, like a microphone whose stream stalled). */
static void
push_ticks (GstElement *appsrc, guint from_ms, guint to_ms)
{
  for (guint i = from_ms / 20; i < to_ms / 20; i++)
    g_assert_cmpint (gst_app_src_push_buffer (GST_APP_SRC (appsrc),
            tick_buffer (i)), ==, GST_FLOW_OK);
}

static GstElement *
make_pushed_sources (HsTestRecorderFixture *fx)
{
  fx->pipeline = hs_test_pipeline_new ("videotestsrc num-buffers=200 ! "
      SIZE " ! tee name=cam0 cam0. ! queue ! fakesink appsrc name=audio "
      "format=time max-bytes=0 caps=" MONO " ! tee name=mic0 mic0. ! queue "
      "! fakesink async=false");
  watch_source_ticks (fx, "audio");
  return gst_bin_get_by_name (GST_BIN (fx->pipeline), "audio");
}

/* The microphone goes quiet at 3 s: the file keeps all of its video and
 * the sound it got, and says the sound ends early. */
static void
test_stall (HsTestRecorderFixture *fx, gconstpointer data)
{
  g_autoptr(GstElement) audio = make_pushed_sources (fx);
  g_auto(HsTestClip) clip = { 0 };
  const GError *error;
  HsRecording *r;

  push_ticks (audio, 0, 3000);
  r = record_webm_window (fx, &clip);
  error = hs_recording_get_error (r);
  g_assert_error ((GError *) error, HS_ERROR, HS_ERROR_SOURCE);
  g_assert_nonnull (strstr (error->message, "'mic0' stalled"));
  g_assert_cmpstr (clip.audio.codec, ==, "audio/x-opus");
  g_assert_cmpint (ABS (GST_CLOCK_DIFF (clip.audio.first_pts, FRAME (31))),
      <=, MS);
  g_assert_cmpint (ABS (GST_CLOCK_DIFF (clip.audio.end, 3000 * MS)), <=,
      MS);
  /* 1.02 (cut) to 2.98 s */
  g_assert_cmpuint (hs_recording_get_n_audio_frames (r), ==, 99);
}

/* The audio source fails at 3 s: the same, with its error. */
static void
test_source_error (HsTestRecorderFixture *fx, gconstpointer data)
{
  g_auto(HsTestClip) clip = { 0 };
  const GError *error;
  HsRecording *r;

  make_sources (fx, "raw", "identity error-after=150");
  r = record_webm_window (fx, &clip);
  error = hs_recording_get_error (r);
  g_assert_error ((GError *) error, HS_ERROR, HS_ERROR_SOURCE);
  g_assert_nonnull (strstr (error->message, "sound ends early"));
  g_assert_cmpstr (clip.audio.codec, ==, "audio/x-opus");
  /* error-after=150: buffers 0..148 went through, up to 2.98 s */
  g_assert_cmpint (ABS (GST_CLOCK_DIFF (clip.audio.end, 2980 * MS)), <=,
      MS);
}

/* An audio source that has sent nothing when the file opens: the file is
 * written without sound, and says so. */
static void
test_no_sound_yet (HsTestRecorderFixture *fx, gconstpointer data)
{
  g_autoptr(GstElement) audio = make_pushed_sources (fx);
  g_auto(HsTestClip) clip = { 0 };
  const GError *error;
  HsRecording *r;

  r = record_webm_window (fx, &clip);
  error = hs_recording_get_error (r);
  g_assert_error ((GError *) error, HS_ERROR, HS_ERROR_NO_FRAMES);
  g_assert_nonnull (strstr (error->message, "'mic0' has sent nothing"));
  g_assert_null (clip.audio.codec);
  g_assert_null (hs_recording_get_audio_codec (r));
  g_assert_cmpuint (hs_recording_get_n_audio_frames (r), ==, 0);
}

/* µ-law cannot go into WebM: the video is written alone and the error
 * names a container that takes it. */
static void
test_container_refuses (HsTestRecorderFixture *fx, gconstpointer data)
{
  g_auto(HsTestClip) clip = { 0 };
  const GError *error;
  HsRecording *r;

  make_sources (fx, "raw", "mulawenc");
  r = record_webm_window (fx, &clip);
  error = hs_recording_get_error (r);
  g_assert_nonnull (error);
  g_test_message ("%s", error->message);
  g_assert_cmpstr (error->message, ==, "No sound: mu-law audio cannot go "
      "into webm (containers that can hold it: matroska)");
  g_assert_null (clip.audio.codec);
}

/* The same with container auto: the file is Matroska, which holds VP8
 * and the camera's mu-law, and the sound is in it. */
static void
test_container_auto (HsTestRecorderFixture *fx, gconstpointer data)
{
  g_auto(HsTestClip) clip = { 0 };
  HsRecording *r;

  make_sources (fx, "raw", "mulawenc");
  fx->recorder = make_recorder (fx, "%{index}.%{ext}", NULL);
  hs_recorder_trigger_at (fx->recorder, 3010 * MS);
  hs_test_play_until_finished (fx, 1);
  r = hs_test_fixture_finished (&fx->f, 0);
  g_assert_no_error ((GError *) hs_recording_get_error (r));
  g_assert_true (g_str_has_suffix (hs_recording_get_location (r), "1.mkv"));
  probe_clip (r, &clip, 31, 150);
  assert_sound (fx, r, &clip, "audio/x-mulaw", FALSE);
}

/* ------------------------------------------------------------------------ */
/* Settings                                                                 */

static void
test_no_such_tee (HsTestRecorderFixture *fx, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(HsRecorder) recorder = NULL;

  make_sources (fx, "raw", "identity");
  recorder = g_initable_new (HS_TYPE_RECORDER, NULL, &error, "pipeline",
      fx->pipeline, "source", "cam0", "audio-source", "mic9", NULL);
  g_assert_null (recorder);
  g_assert_error (error, HS_ERROR, HS_ERROR_NO_SUCH_TEE);
  /* Names what was asked for and what there is. */
  g_assert_nonnull (strstr (error->message, "mic9"));
  g_assert_nonnull (strstr (error->message, "mic0"));
}

static void
test_unknown_encoder (HsTestRecorderFixture *fx, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(HsRecorder) recorder = NULL;

  make_sources (fx, "raw", "identity");
  recorder = g_initable_new (HS_TYPE_RECORDER, NULL, &error, "pipeline",
      fx->pipeline, "source", "cam0", "audio-source", "mic0",
      "audio-encoder", "mp3", NULL);
  g_assert_null (recorder);
  g_assert_error (error, HS_ERROR, HS_ERROR_INVALID_ARGUMENT);
  g_assert_nonnull (strstr (error->message, "opus, vorbis, aac"));
}

/* Sources given the wrong way round: an audio tee as the video source.
 * The window fails and its error says what the tee carries. */
static void
test_audio_as_video (HsTestRecorderFixture *fx, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  const GError *failure;

  make_sources (fx, "raw", "identity");
  fx->recorder = g_initable_new (HS_TYPE_RECORDER, NULL, &error, "pipeline",
      fx->pipeline, "source", "mic0", "audio-source", "cam0", "pre", 1.0,
      "post", 0.5, NULL);
  g_assert_no_error (error);
  hs_test_fixture_watch (&fx->f, fx->recorder);
  hs_recorder_trigger_at (fx->recorder, 1000 * MS);
  hs_test_play_until_finished (fx, 1);
  failure = hs_recording_get_error (hs_test_fixture_finished (&fx->f, 0));
  g_assert_nonnull (failure);
  g_test_message ("%s", failure->message);
  g_assert_nonnull (strstr (failure->message, "audio/x-raw, not video (a "
          "tee of sound is an audio-source)"));
}

/* ------------------------------------------------------------------------ */
/* Many sources                                                             */

/* cam%u with mic%u: each file gets its own microphone. mic1 ticks every
 * 200 ms, so a mix-up shows as half the ticks. */
static void
test_multi (HsTestRecorderFixture *fx, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(HsMultiRecorder) multi = NULL;
  g_autofree char *location = hs_test_fixture_path (&fx->f,
      "%{source}.webm");

  fx->pipeline = hs_test_pipeline_new (
      "videotestsrc num-buffers=100 ! " SIZE " ! tee name=cam0 "
      "cam0. ! queue ! fakesink "
      "videotestsrc num-buffers=100 ! " SIZE " ! tee name=cam1 "
      "cam1. ! queue ! fakesink "
      TICKS " num-buffers=200 ! " MONO " ! tee name=mic0 mic0. ! queue ! "
      "fakesink "
      TICKS " num-buffers=200 tick-interval=200000000 ! " MONO
      " ! tee name=mic1 mic1. ! queue ! fakesink");
  multi = g_initable_new (HS_TYPE_MULTI_RECORDER, NULL, &error,
      "pipeline", fx->pipeline, "pattern", "cam%u", "audio-source", "mic%u",
      "pre", 1.0, "post", 1.0, "location", location, NULL);
  g_assert_no_error (error);
  hs_test_fixture_watch (&fx->f, multi);
  g_assert_true (hs_multi_recorder_trigger_at (multi, "cam0", 2010 * MS,
          &error));
  g_assert_true (hs_multi_recorder_trigger_at (multi, "cam1", 2010 * MS,
          &error));
  hs_test_play_until_finished (fx, 2);

  for (guint i = 0; i < 2; i++) {
    HsRecording *r = hs_test_fixture_finished (&fx->f, i);
    const char *source = hs_recording_get_source (r);
    g_auto(HsTestAudioInfo) audio = { 0 };
    guint n_ticks;

    g_assert_no_error ((GError *) hs_recording_get_error (r));
    if (!hs_test_probe_audio (hs_recording_get_location (r), &audio, &error))
      g_error ("%s", error->message);
    n_ticks = audio.ticks->at->len;
    /* two seconds of sound: 20 ticks from mic0, 10 from mic1 */
    g_test_message ("%s: %u ticks", source, n_ticks);
    g_assert_cmpuint (n_ticks, ==, g_str_equal (source, "cam0") ? 20 : 10);
  }
}

/* A pattern of sound that does not fit the video's names is refused. */
static void
test_multi_unpaired (HsTestRecorderFixture *fx, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(HsMultiRecorder) multi = NULL;

  fx->pipeline = hs_test_pipeline_new (
      "videotestsrc num-buffers=10 ! " SIZE " ! tee name=cam0 "
      "cam0. ! queue ! fakesink "
      "videotestsrc num-buffers=10 ! " SIZE " ! tee name=cam1 "
      "cam1. ! queue ! fakesink "
      TICKS " num-buffers=10 ! " MONO " ! tee name=mic0 mic0. ! queue ! "
      "fakesink");
  multi = g_initable_new (HS_TYPE_MULTI_RECORDER, NULL, &error,
      "pipeline", fx->pipeline, "pattern", "cam%u", "audio-source", "mic%u",
      NULL);
  /* cam1 has no mic1 */
  g_assert_null (multi);
  g_assert_error (error, HS_ERROR, HS_ERROR_NO_SUCH_TEE);
  g_assert_nonnull (strstr (error->message, "mic1"));
}

int
main (int argc, char **argv)
{
  gst_init (&argc, &argv);
  g_test_init (&argc, &argv, NULL);

  for (guint i = 0; i < G_N_ELEMENTS (raw_cases); i++) {
    g_autofree char *path = g_strdup_printf ("/audio/raw/%s/%s",
        strrchr (raw_cases[i].location, '.') + 1, raw_cases[i].audio_encoder);

    hs_test_add_recorder_test (path, &raw_cases[i], test_raw);
  }
  hs_test_add_recorder_test ("/audio/raw/two-windows", NULL,
      test_two_windows);
  hs_test_add_recorder_test ("/audio/raw/live", NULL, test_live);
  for (guint i = 0; i < G_N_ELEMENTS (pass_cases); i++) {
    g_autofree char *path = g_strdup_printf ("/audio/passthrough/%s",
        pass_cases[i].name);

    hs_test_add_recorder_test (path, &pass_cases[i], test_passthrough);
  }
  hs_test_add_recorder_test ("/audio/caps-change", NULL, test_caps_change);
  hs_test_add_recorder_test ("/audio/stall", NULL, test_stall);
  hs_test_add_recorder_test ("/audio/source-error", NULL, test_source_error);
  hs_test_add_recorder_test ("/audio/no-sound-yet", NULL, test_no_sound_yet);
  hs_test_add_recorder_test ("/audio/container-refuses", NULL,
      test_container_refuses);
  hs_test_add_recorder_test ("/audio/container-auto", NULL,
      test_container_auto);
  hs_test_add_recorder_test ("/audio/settings/no-such-tee", NULL,
      test_no_such_tee);
  hs_test_add_recorder_test ("/audio/settings/unknown-encoder", NULL,
      test_unknown_encoder);
  hs_test_add_recorder_test ("/audio/settings/audio-as-video", NULL,
      test_audio_as_video);
  hs_test_add_recorder_test ("/audio/multi/paired", NULL, test_multi);
  hs_test_add_recorder_test ("/audio/multi/unpaired", NULL,
      test_multi_unpaired);
  return g_test_run ();
}
