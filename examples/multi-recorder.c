/* multi-recorder: one recorder per tee, the pythiags multi-recorder example.
 *
 *   multi-recorder [OUTDIR]
 *
 * Two sources, tee_0 and tee_1. Triggers tee_0 at 3 s ([1 s, 5 s)) and
 * tee_1 at 4 s and 5 s ([2 s, 7 s)); each file name carries its source.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <hindsight.h>

static const char *description =
    "videotestsrc ! video/x-raw,framerate=30/1 ! tee name=tee_0 "
    "tee_0. ! fakesink "
    "videotestsrc pattern=ball ! video/x-raw,framerate=30/1 ! tee name=tee_1 "
    "tee_1. ! fakesink";

static int failures;

static void
on_finished (HsMultiRecorder *multi, HsRecording *recording,
             gpointer user_data)
{
  const GError *error = hs_recording_get_error (recording);

  if (error != NULL) {
    g_printerr ("%s: %s\n", hs_recording_get_source (recording),
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
on_busy (HsMultiRecorder *multi, GParamSpec *pspec, HsPipeline *runner)
{
  if (!hs_multi_recorder_get_busy (multi))
    hs_pipeline_stop (runner);
}

int
main (int argc, char **argv)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(HsPipeline) runner = NULL;
  g_autoptr(HsMultiRecorder) multi = NULL;
  g_autofree char *location = NULL;
  const char *outdir = argc > 1 ? argv[1] : "recordings";

  gst_init (&argc, &argv);

  runner = hs_pipeline_new (description, &error);
  if (runner == NULL) {
    g_printerr ("%s\n", error->message);
    return 1;
  }
  multi = hs_multi_recorder_new (hs_pipeline_get_pipeline (runner), "tee_%u",
      &error);
  if (multi == NULL) {
    g_printerr ("%s\n", error->message);
    return 1;
  }
  location = g_build_filename (outdir, "%{index}_%{source}.webm", NULL);
  g_object_set (multi, "pre", 2.0, "post", 2.0, "location", location, NULL);
  g_signal_connect (multi, "recording-finished", G_CALLBACK (on_finished),
      NULL);
  g_signal_connect (multi, "notify::busy", G_CALLBACK (on_busy), runner);

  hs_multi_recorder_trigger_at (multi, "tee_0", 3 * GST_SECOND, NULL);
  hs_multi_recorder_trigger_at (multi, "tee_1", 4 * GST_SECOND, NULL);
  hs_multi_recorder_trigger_at (multi, "tee_1", 5 * GST_SECOND, NULL);

  if (!hs_pipeline_run (runner, &error)) {
    g_printerr ("%s\n", error->message);
    return 1;
  }
  return failures == 0 ? 0 : 1;
}
