/* single-recorder: one recorder on one tee, the pythiags minimal example.
 *
 *   single-recorder [OUTDIR]
 *
 * Triggers at running time 3 s and 4 s (one file, [1 s, 6 s)) and at 9 s
 * (a second file, [7 s, 11 s)), waits until the recorder is idle, prints
 * each file and exits 0 only if every file closed cleanly.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <hindsight.h>

static const char *description =
    "videotestsrc ! video/x-raw,framerate=30/1 ! tee name=t1 "
    "t1. ! fakesink";

static int failures;

static void
on_finished (HsRecorder *recorder, HsRecording *recording, gpointer user_data)
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
  g_autofree char *location = NULL;
  const char *outdir = argc > 1 ? argv[1] : "recordings";

  gst_init (&argc, &argv);

  runner = hs_pipeline_new (description, &error);
  if (runner == NULL) {
    g_printerr ("%s\n", error->message);
    return 1;
  }

  location = g_build_filename (outdir, "%{source}-%{index}.webm", NULL);
  recorder = g_initable_new (HS_TYPE_RECORDER, NULL, &error,
      "pipeline", hs_pipeline_get_pipeline (runner),
      "source", "t1",
      "pre", 2.0,
      "post", 2.0,
      "location", location,
      NULL);
  if (recorder == NULL) {
    g_printerr ("%s\n", error->message);
    return 1;
  }
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
