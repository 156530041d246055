/* codec-recorder: the same seconds recorded in several codecs, one
 * recorder per codec on one tee.
 *
 *   codec-recorder [OUTDIR [ENCODER...]]
 *
 * ENCODER is a variant of the recorder's "encoder" property: vp8, vp9, av1,
 * nvidia (Jetson hardware), or a description of your own such as
 * "vp9enc deadline=1 cpu-used=4 target-bitrate=800000" (it must end in an
 * encoder whose output WebM takes: VP8, VP9 or AV1). The default is
 * "vp9 av1". Each recorder writes [1 s, 5 s) of a 640x480 test pattern to
 * OUTDIR/t1-LABEL-1.webm, at 1 Mbit/s with a keyframe every second.
 * Exits 0 only if every file closed cleanly.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <string.h>

#include <hindsight.h>

static const char *description =
    "videotestsrc pattern=ball ! video/x-raw,width=640,height=480,"
    "framerate=30/1 ! tee name=t1 t1. ! fakesink";

static int failures;
static guint busy_count;

static void
on_finished (HsRecorder *recorder, HsRecording *recording, gpointer user_data)
{
  const char *encoder = user_data;
  const GError *error = hs_recording_get_error (recording);

  if (error != NULL) {
    g_printerr ("%s: %s\n", encoder, error->message);
    failures++;
    return;
  }
  g_print ("%s: %s, %" G_GUINT64_FORMAT " frames, %" G_GUINT64_FORMAT
      " bytes\n", encoder, hs_recording_get_location (recording),
      hs_recording_get_n_frames (recording), hs_recording_get_bytes (recording));
}

static void
on_busy (HsRecorder *recorder, GParamSpec *pspec, HsPipeline *runner)
{
  if (hs_recorder_get_busy (recorder))
    return;
  if (--busy_count == 0)
    hs_pipeline_stop (runner);
}

/* A file-name label: the variant's name, or the description's first word. */
static char *
label_for (const char *encoder)
{
  g_autofree char *word = g_strndup (encoder, strcspn (encoder, " !"));

  return g_strdelimit (g_steal_pointer (&word), "/\\:", '_');
}

int
main (int argc, char **argv)
{
  static const char *const default_encoders[] = { "vp9", "av1", NULL };
  g_autoptr(GError) error = NULL;
  g_autoptr(HsPipeline) runner = NULL;
  g_autoptr(GPtrArray) recorders = g_ptr_array_new_with_free_func
      (g_object_unref);
  const char *const *encoders = default_encoders;
  const char *outdir = argc > 1 ? argv[1] : "recordings";

  gst_init (&argc, &argv);
  if (argc > 2)
    encoders = (const char *const *) argv + 2;

  runner = hs_pipeline_new (description, &error);
  if (runner == NULL) {
    g_printerr ("%s\n", error->message);
    return 1;
  }

  for (guint i = 0; encoders[i] != NULL; i++) {
    g_autofree char *label = label_for (encoders[i]);
    g_autofree char *name = g_strdup_printf ("%%{source}-%s-%%{index}.webm",
        label);
    g_autofree char *location = g_build_filename (outdir, name, NULL);
    HsRecorder *recorder = g_initable_new (HS_TYPE_RECORDER, NULL, &error,
        "pipeline", hs_pipeline_get_pipeline (runner),
        "source", "t1",
        "encoder", encoders[i],
        "bitrate", 1000000u,
        "keyframe-interval", 1.0,
        "pre", 2.0,
        "post", 2.0,
        "location", location,
        NULL);

    if (recorder == NULL) {
      /* A missing encoder names its package; a bad description says where
       * it stops making sense. */
      g_printerr ("%s\n", error->message);
      return 1;
    }
    g_signal_connect (recorder, "recording-finished",
        G_CALLBACK (on_finished), (gpointer) encoders[i]);
    g_signal_connect (recorder, "notify::busy", G_CALLBACK (on_busy), runner);
    g_ptr_array_add (recorders, recorder);
  }

  busy_count = recorders->len;
  for (guint i = 0; i < recorders->len; i++)
    hs_recorder_trigger_at (recorders->pdata[i], 3 * GST_SECOND);

  if (!hs_pipeline_run (runner, &error)) {
    g_printerr ("%s\n", error->message);
    return 1;
  }
  return failures == 0 ? 0 : 1;
}
