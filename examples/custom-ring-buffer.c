/* custom-ring-buffer: the pythiags GPU example, where the ring branch needs
 * nvvideoconvert because decodebin picks NVIDIA's hardware decoder, whose
 * frames live in GPU (NVMM) memory.
 *
 *   custom-ring-buffer [FILE [OUTDIR]]      (FILE "" for the generated sample)
 *
 * pythiags subclassed its ring buffer to put `nvvideoconvert !
 * video/x-raw,format=I420` in front of the appsink; here that is the
 * recorder's "converter" property: "nvidia". On a machine without NVIDIA's
 * elements the recorder says which element is missing, and the example
 * falls back to "auto", which picks the converter from the tee's caps
 * (videoconvert for ordinary frames, nvvideoconvert for NVMM ones).
 *
 * Without FILE, a 12 s sample clip (OUTDIR/sample.webm) is first written
 * with GStreamer itself, so the example runs anywhere; on a DeepStream
 * machine, pass /opt/nvidia/deepstream/deepstream/samples/streams/
 * sample_720p.mp4 as pythiags did.
 *
 * As in pythiags: a 2 s window, triggers at running time 3 s and 4 s (one
 * file, [1 s, 6 s)) and at 9 s (a second file, [7 s, 11 s)). Exits 0 only
 * if every file closed cleanly.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <hindsight.h>

static int failures;

/* Writes 12 s of a moving test pattern as VP8/WebM. */
static gboolean
write_sample (const char *path, GError **error)
{
  g_autofree char *description = NULL;
  g_autoptr(GstElement) pipeline = NULL;
  g_autoptr(GstBus) bus = NULL;
  g_autoptr(GstMessage) message = NULL;
  g_autoptr(GstElementFactory) overlay = gst_element_factory_find ("timeoverlay");

  description = g_strdup_printf ("videotestsrc num-buffers=360 pattern=ball "
      "! video/x-raw,width=640,height=360,framerate=30/1 %s "
      "! vp8enc deadline=1 cpu-used=8 ! webmmux ! filesink location=\"%s\"",
      overlay ? "! timeoverlay font-desc=\"Sans 24\"" : "", path);
  pipeline = gst_parse_launch (description, error);
  if (pipeline == NULL)
    return FALSE;
  gst_object_ref_sink (pipeline);

  gst_element_set_state (pipeline, GST_STATE_PLAYING);
  bus = gst_element_get_bus (pipeline);
  message = gst_bus_timed_pop_filtered (bus, GST_CLOCK_TIME_NONE,
      GST_MESSAGE_EOS | GST_MESSAGE_ERROR);
  gst_element_set_state (pipeline, GST_STATE_NULL);
  if (GST_MESSAGE_TYPE (message) == GST_MESSAGE_ERROR) {
    gst_message_parse_error (message, error, NULL);
    return FALSE;
  }
  return TRUE;
}

static HsRecorder *
make_recorder (GstElement *pipeline, const char *converter,
               const char *location, GError **error)
{
  return g_initable_new (HS_TYPE_RECORDER, NULL, error,
      "pipeline", pipeline,
      "source", "t1",
      "converter", converter,
      "pre", 2.0,
      "post", 2.0,
      "location", location,
      NULL);
}

static void
on_finished (HsRecorder *recorder, HsRecording *recording, gpointer user_data)
{
  const GError *error = hs_recording_get_error (recording);

  if (error != NULL) {
    g_printerr ("%s: %s\n", hs_recording_get_location (recording),
        error->message);
    failures++;
    return;
  }
  g_print ("%s: start %.3f s, duration %.3f s, %" G_GUINT64_FORMAT " frames\n",
      hs_recording_get_location (recording),
      (double) hs_recording_get_start_time (recording) / GST_SECOND,
      (double) hs_recording_get_duration (recording) / GST_SECOND,
      hs_recording_get_n_frames (recording));
}

static void
on_busy (HsRecorder *recorder, GParamSpec *pspec, HsPipeline *runner)
{
  if (!hs_recorder_get_busy (recorder))
    hs_pipeline_stop (runner);
}

int
main (int argc, char **argv)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(HsPipeline) runner = NULL;
  g_autoptr(HsRecorder) recorder = NULL;
  g_autofree char *sample = NULL;
  g_autofree char *description = NULL;
  g_autofree char *location = NULL;
  g_autofree char *converter = NULL;
  const char *outdir = argc > 2 ? argv[2] : "recordings";

  gst_init (&argc, &argv);

  if (argc > 1 && argv[1][0] != '\0') {
    sample = g_strdup (argv[1]);
  } else {
    if (g_mkdir_with_parents (outdir, 0755) != 0) {
      g_printerr ("Cannot create %s\n", outdir);
      return 1;
    }
    sample = g_build_filename (outdir, "sample.webm", NULL);
    g_print ("Writing a sample clip to %s\n", sample);
    if (!write_sample (sample, &error)) {
      g_printerr ("Cannot write the sample: %s\n", error->message);
      return 1;
    }
  }

  /* pythiags' pipeline, with fakesink for its nveglglessink. */
  description = g_strdup_printf ("filesrc location=\"%s\" ! decodebin "
      "! tee name=t1 t1. ! queue ! fakesink", sample);
  runner = hs_pipeline_new (description, &error);
  if (runner == NULL) {
    g_printerr ("%s\n", error->message);
    return 1;
  }

  location = g_build_filename (outdir, "%{source}-%{index}.webm", NULL);
  recorder = make_recorder (hs_pipeline_get_pipeline (runner), "nvidia",
      location, &error);
  if (recorder == NULL &&
      g_error_matches (error, HS_ERROR, HS_ERROR_MISSING_ELEMENT)) {
    g_print ("%s\nFalling back to converter \"auto\".\n", error->message);
    g_clear_error (&error);
    recorder = make_recorder (hs_pipeline_get_pipeline (runner), "auto",
        location, &error);
  }
  if (recorder == NULL) {
    g_printerr ("%s\n", error->message);
    return 1;
  }
  g_object_get (recorder, "converter", &converter, NULL);
  g_print ("Ring branch converter: %s\n", converter);

  g_signal_connect (recorder, "recording-finished", G_CALLBACK (on_finished),
      NULL);
  g_signal_connect (recorder, "notify::busy", G_CALLBACK (on_busy), runner);

  hs_recorder_trigger_at (recorder, 3 * GST_SECOND);   /* starts at 3 - 2 = 1 */
  hs_recorder_trigger_at (recorder, 4 * GST_SECOND);   /* one second longer */
  hs_recorder_trigger_at (recorder, 9 * GST_SECOND);   /* a second file */

  if (!hs_pipeline_run (runner, &error)) {
    g_printerr ("%s\n", error->message);
    return 1;
  }
  return failures == 0 ? 0 : 1;
}
