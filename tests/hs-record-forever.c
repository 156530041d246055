/* Test helper: records a live 30 fps source into LOCATION with a window
 * that does not end, and says how far it got, for a test that kills it
 * with SIGKILL mid-recording. Prints "started PATH" once the file is open,
 * then every 100 ms "frames N last T": the frames handed to the file's
 * encoder so far and the running time (ns) of the newest one. Gives up by
 * itself after a minute, so that it never outlives a failed test.
 *
 * Usage: hs-record-forever LOCATION
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <hindsight.h>

#include <stdio.h>

typedef struct {
  GMainLoop *loop;
  HsRecording *recording;
} State;

static void
on_started (HsRecorder *recorder, HsRecording *recording, gpointer user_data)
{
  State *state = user_data;

  if (state->recording == NULL) {
    state->recording = g_object_ref (recording);
    printf ("started %s\n", hs_recording_get_location (recording));
  }
}

static gboolean
on_report (gpointer user_data)
{
  State *state = user_data;

  if (state->recording != NULL)
    printf ("frames %" G_GUINT64_FORMAT " last %" G_GUINT64_FORMAT "\n",
        hs_recording_get_n_frames (state->recording),
        (guint64) hs_recording_get_end_time (state->recording));
  return G_SOURCE_CONTINUE;
}

static gboolean
on_give_up (gpointer user_data)
{
  State *state = user_data;

  g_main_loop_quit (state->loop);
  return G_SOURCE_REMOVE;
}

int
main (int argc, char **argv)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GstElement) pipeline = NULL;
  g_autoptr(HsRecorder) recorder = NULL;
  State state = { 0 };

  gst_init (&argc, &argv);
  if (argc != 2) {
    fprintf (stderr, "Usage: %s LOCATION\n", argv[0]);
    return 2;
  }
  setvbuf (stdout, NULL, _IOLBF, 0);

  pipeline = gst_parse_launch ("videotestsrc is-live=true pattern=ball ! "
      "video/x-raw,width=160,height=120,framerate=30/1 ! tee name=t "
      "t. ! fakesink", &error);
  if (pipeline == NULL) {
    fprintf (stderr, "%s\n", error->message);
    return 1;
  }
  gst_object_ref_sink (pipeline);
  recorder = g_initable_new (HS_TYPE_RECORDER, NULL, &error,
      "pipeline", pipeline, "source", "t", "pre", 0.5, "post", 3600.0,
      "location", argv[1], NULL);
  if (recorder == NULL) {
    fprintf (stderr, "%s\n", error->message);
    return 1;
  }
  g_signal_connect (recorder, "recording-started", G_CALLBACK (on_started),
      &state);

  state.loop = g_main_loop_new (NULL, FALSE);
  gst_element_set_state (pipeline, GST_STATE_PLAYING);
  hs_recorder_trigger (recorder);
  g_timeout_add (100, on_report, &state);
  g_timeout_add_seconds (60, on_give_up, &state);
  g_main_loop_run (state.loop);

  hs_recorder_stop (recorder);
  gst_element_set_state (pipeline, GST_STATE_NULL);
  g_clear_object (&state.recording);
  g_main_loop_unref (state.loop);
  return 0;
}
