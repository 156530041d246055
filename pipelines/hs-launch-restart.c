/* hindsight-launch: --restart-after. When the pipeline fails (a camera that
 * reboots, a network that goes away) or ends without being asked to, every
 * open file has been finished with the error; the pipeline is built again
 * after S seconds (doubling, up to a minute, while it keeps failing), its
 * recorders attached again, and a recording the failure cut short goes on in
 * a new file.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "hs-launch.h"

/* A run that played this long was a success: the delay starts over. */
#define STEADY_S 30
#define MAX_DELAY_S 60

typedef struct {
  char *source;
  double post;
} SourcePost;

static struct {
  guint attempt;                /* failures in a row */
  gint64 run_started;           /* monotonic µs */
  int ending;                    /* atomic: EOS or error on the bus */
  GArray *posts;                /* SourcePost of this run's recorders */
  GHashTable *ended;            /* sources whose file the end cut short */
  GHashTable *cut;              /* source → deadline (monotonic µs) */
} restart;

static void
clear_post (gpointer data)
{
  g_free (((SourcePost *) data)->source);
}

static double
post_of (const char *source)
{
  for (guint i = 0; restart.posts && i < restart.posts->len; i++) {
    SourcePost *p = &g_array_index (restart.posts, SourcePost, i);

    if (g_str_equal (p->source, source))
      return p->post;
  }
  return 0;
}

/**
 * hs_launch_restart_begin_run:
 * @app: the tool, with this run's recorders made, not yet playing
 *
 * Notes what a restart needs to know about this run, and continues the
 * recordings that the last failure cut short (if it came less than `post`
 * seconds ago) from the first frame of the new pipeline.
 */
/* Streaming or bus thread: the pipeline is ending. */
static void
on_sync_end (GstBus *bus, GstMessage *message, gpointer user_data)
{
  HsLaunch *app = user_data;

  if (GST_MESSAGE_TYPE (message) == GST_MESSAGE_EOS &&
      GST_MESSAGE_SRC (message) != GST_OBJECT (app->pipeline))
    return;
  g_atomic_int_set (&restart.ending, TRUE);
}

/**
 * hs_launch_restart_note_finished:
 * @app: the tool
 * @recording: a recording that has just finished
 *
 * A file closed once the pipeline began to end (EOS or error) was cut short
 * by it.
 */
void
hs_launch_restart_note_finished (HsLaunch *app, HsRecording *recording)
{
  if (app->restart_after <= 0 || !g_atomic_int_get (&restart.ending) ||
      hs_recording_get_source (recording) == NULL)
    return;
  if (restart.ended == NULL)
    restart.ended = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
        NULL);
  g_hash_table_add (restart.ended,
      g_strdup (hs_recording_get_source (recording)));
}

void
hs_launch_restart_begin_run (HsLaunch *app)
{
  gint64 now = g_get_monotonic_time ();

  restart.run_started = now;
  g_atomic_int_set (&restart.ending, FALSE);
  if (app->restart_after > 0) {
    g_autoptr(GstBus) bus = gst_element_get_bus (app->pipeline);

    g_signal_connect (bus, "sync-message::eos", G_CALLBACK (on_sync_end), app);
    g_signal_connect (bus, "sync-message::error", G_CALLBACK (on_sync_end),
        app);
  }
  if (restart.posts == NULL) {
    restart.posts = g_array_new (FALSE, TRUE, sizeof (SourcePost));
    g_array_set_clear_func (restart.posts, clear_post);
  }
  g_array_set_size (restart.posts, 0);
  for (guint i = 0; i < app->recorders->len; i++) {
    HsRecorder *r = app->recorders->pdata[i];
    SourcePost p = { g_strdup (hs_recorder_get_source (r)),
      hs_recorder_get_post (r) };

    g_array_append_val (restart.posts, p);
    if (restart.cut != NULL) {
      gpointer deadline = g_hash_table_lookup (restart.cut, p.source);

      if (deadline != NULL && now < *(gint64 *) deadline)
        hs_launch_trigger (app, r, 0,
            "restart: continuing the recording the failure cut short");
    }
  }
  g_clear_pointer (&restart.cut, g_hash_table_unref);
}

static void
forget (void)
{
  g_clear_pointer (&restart.ended, g_hash_table_unref);
  g_clear_pointer (&restart.cut, g_hash_table_unref);
  g_clear_pointer (&restart.posts, g_array_unref);
}

static gboolean
on_delay (gpointer user_data)
{
  *(gboolean *) user_data = TRUE;
  return G_SOURCE_REMOVE;
}

static void
report_restarting (HsLaunch *app, const GError *error, double delay)
{
  if (error != NULL)
    hs_launch_log (app, "The pipeline failed: %s", error->message);
  else
    hs_launch_log (app, "The pipeline ended");
  hs_launch_log (app, "Building it again in %g s (--restart-after, attempt "
      "%u)", delay, restart.attempt);
  if (hs_launch_wants_events (app)) {
    g_autoptr(JsonBuilder) b = hs_launch_event_begin ("restarting");

    json_builder_set_member_name (b, "reason");
    json_builder_add_string_value (b, error ? "error" : "eos");
    json_builder_set_member_name (b, "message");
    if (error != NULL)
      json_builder_add_string_value (b, error->message);
    else
      json_builder_add_null_value (b);
    json_builder_set_member_name (b, "delay");
    json_builder_add_double_value (b, delay);
    json_builder_set_member_name (b, "attempt");
    json_builder_add_int_value (b, restart.attempt);
    hs_launch_event_end (app, b);
  }
}

/**
 * hs_launch_restart_wait:
 * @app: the tool, its pipeline torn down
 * @error: (nullable): why the run ended; %NULL for an end of stream
 *
 * Decides whether to build the pipeline again and waits the delay (on the
 * main context, so that signals, commands and MQTT are served; a stop asked
 * for meanwhile ends the wait).
 *
 * Returns: %TRUE to build the pipeline again
 */
gboolean
hs_launch_restart_wait (HsLaunch *app, const GError *error)
{
  gint64 now = g_get_monotonic_time ();
  gboolean elapsed = FALSE;
  double delay;
  guint timeout_id;

  if (app->restart_after <= 0 || app->stop != HS_LAUNCH_STOP_NONE ||
      g_error_matches (error, HS_PIPELINE_ERROR, HS_PIPELINE_ERROR_FORCED)) {
    forget ();
    return FALSE;
  }

  if (app->seen_playing &&
      now - restart.run_started >= STEADY_S * G_USEC_PER_SEC)
    restart.attempt = 0;
  delay = app->restart_after;
  for (guint i = 0; i < restart.attempt && delay < MAX_DELAY_S; i++)
    delay *= 2;
  delay = MIN (delay, MAX (app->restart_after, MAX_DELAY_S));
  restart.attempt++;

  /* The files the end cut short, to be continued if the pipeline is back
   * within `post` seconds. */
  restart.cut = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
      g_free);
  if (restart.ended != NULL) {
    GHashTableIter iter;
    gpointer source;

    g_hash_table_iter_init (&iter, restart.ended);
    while (g_hash_table_iter_next (&iter, &source, NULL)) {
      gint64 *deadline = g_new (gint64, 1);

      *deadline = now + (gint64) (post_of (source) * G_USEC_PER_SEC);
      g_hash_table_replace (restart.cut, g_strdup (source), deadline);
    }
    g_clear_pointer (&restart.ended, g_hash_table_unref);
  }

  report_restarting (app, error, delay);
  timeout_id = g_timeout_add ((guint) (delay * 1000), on_delay, &elapsed);
  while (!elapsed && app->stop == HS_LAUNCH_STOP_NONE)
    g_main_context_iteration (NULL, TRUE);
  if (!elapsed)
    g_source_remove (timeout_id);
  if (app->stop != HS_LAUNCH_STOP_NONE) {
    forget ();
    return FALSE;
  }
  return TRUE;
}
