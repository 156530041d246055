/* The ring branch on the source's streaming thread: which frames wake the
 * main side. A live source's frames are taken in batches on the pump's
 * tick, except a frame that ends a file (at or past the time the main side
 * gave, or a keyframe at or past the other); a source that is not live
 * wakes it on every frame. Frames go into an appsrc one at a time, and each
 * is checked once the branch has taken it into the ring (and so decided
 * whether it wakes anyone).
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <gst/app/app.h>

#include "hs-ring-branch-private.h"

#define FRAME(k) ((GstClockTime) gst_util_uint64_scale ((k), GST_SECOND, 30))
#define NONE GST_CLOCK_TIME_NONE
#define WATCHDOG_US (20 * G_USEC_PER_SEC)

typedef struct {
  HsRingBuffer *ring;
  GSource *wakeup;              /* never attached: the test reads it */
  HsRingBranch *branch;
  GstElement *pipeline;
  GstElement *src;
  guint64 pushed;
} Fixture;

static GSourceFuncs wakeup_funcs = { NULL };

static void
setup (Fixture *fx, gconstpointer data)
{
  gboolean live = GPOINTER_TO_INT (data);
  g_autoptr(GstCaps) caps = gst_caps_from_string ("video/x-vp8,width=160,"
      "height=120,framerate=30/1");
  g_autoptr(GError) error = NULL;
  HsRingBranchConfig config = {
    .source = "t",
    .converter = "auto",
    .mode = HS_RECORDER_MODE_PASSTHROUGH,
    .copy_frames = HS_COPY_FRAMES_NEVER,
  };

  fx->ring = hs_ring_buffer_new (10 * GST_SECOND, 0);
  fx->wakeup = g_source_new (&wakeup_funcs, sizeof (GSource));
  g_source_set_ready_time (fx->wakeup, -1);
  config.ring = fx->ring;
  config.wakeup = fx->wakeup;
  fx->branch = hs_ring_branch_new (&config, &error);
  g_assert_no_error (error);

  fx->pipeline = gst_object_ref_sink (gst_pipeline_new (NULL));
  fx->src = gst_element_factory_make ("appsrc", NULL);
  g_assert_nonnull (fx->src);
  g_object_set (fx->src, "is-live", live, "format", GST_FORMAT_TIME,
      "caps", caps, NULL);
  gst_bin_add_many (GST_BIN (fx->pipeline), fx->src,
      hs_ring_branch_get_bin (fx->branch), NULL);
  g_assert_true (gst_element_link_pads (fx->src, "src",
          hs_ring_branch_get_bin (fx->branch), "sink"));
  g_assert_cmpint (gst_element_set_state (fx->pipeline, GST_STATE_PLAYING),
      !=, GST_STATE_CHANGE_FAILURE);
}

static void
teardown (Fixture *fx, gconstpointer data)
{
  gst_element_set_state (fx->pipeline, GST_STATE_NULL);
  gst_clear_object (&fx->pipeline);
  g_clear_pointer (&fx->branch, hs_ring_branch_unref);
  g_clear_pointer (&fx->wakeup, g_source_unref);
  g_clear_object (&fx->ring);
}

/* Pushes a frame at @pts and waits until the branch has taken it. */
static void
push_frame (Fixture *fx, GstClockTime pts, gboolean keyframe)
{
  GstBuffer *buffer = gst_buffer_new_allocate (NULL, 64, NULL);
  gint64 deadline = g_get_monotonic_time () + WATCHDOG_US;

  GST_BUFFER_PTS (buffer) = pts;
  GST_BUFFER_DURATION (buffer) = FRAME (1);
  if (!keyframe)
    GST_BUFFER_FLAG_SET (buffer, GST_BUFFER_FLAG_DELTA_UNIT);
  g_assert_cmpint (gst_app_src_push_buffer (GST_APP_SRC (fx->src), buffer),
      ==, GST_FLOW_OK);
  fx->pushed++;

  for (;;) {
    g_auto(HsRingBranchStatus) status = { 0 };

    hs_ring_branch_get_status (fx->branch, &status);
    if (status.n_arrived >= fx->pushed)
      return;
    if (g_get_monotonic_time () > deadline)
      g_error ("frame %" G_GUINT64_FORMAT " never reached the ring",
          fx->pushed);
    g_usleep (1000);
  }
}

/* Whether the main side was woken since the last call (which its dispatch
 * would clear). */
static gboolean
woken (Fixture *fx)
{
  gboolean ready = g_source_get_ready_time (fx->wakeup) == 0;

  g_source_set_ready_time (fx->wakeup, -1);
  return ready;
}

static void
test_live_batched (Fixture *fx, gconstpointer data)
{
  push_frame (fx, FRAME (0), TRUE);
  g_assert_true (hs_ring_branch_is_live (fx->branch));
  hs_ring_branch_set_interested (fx->branch, TRUE);
  /* A window is open, nothing ends a file yet: the frames wait for the
   * tick. */
  for (guint k = 1; k < 10; k++) {
    push_frame (fx, FRAME (k), TRUE);
    g_assert_false (woken (fx));
  }
}

static void
test_live_wake_at (Fixture *fx, gconstpointer data)
{
  hs_ring_branch_set_interested (fx->branch, TRUE);
  hs_ring_branch_set_wake_at (fx->branch, FRAME (5), NONE);
  for (guint k = 0; k < 5; k++) {
    push_frame (fx, FRAME (k), TRUE);
    g_assert_false (woken (fx));
  }
  /* The first frame at the end wakes, and so does the next as long as the
   * main side has not moved the end. */
  push_frame (fx, FRAME (5), TRUE);
  g_assert_true (woken (fx));
  push_frame (fx, FRAME (6), TRUE);
  g_assert_true (woken (fx));

  hs_ring_branch_set_wake_at (fx->branch, FRAME (20), NONE);
  push_frame (fx, FRAME (7), TRUE);
  g_assert_false (woken (fx));
  /* Past the end, but nobody is interested. */
  hs_ring_branch_set_interested (fx->branch, FALSE);
  push_frame (fx, FRAME (21), TRUE);
  g_assert_false (woken (fx));
  hs_ring_branch_set_interested (fx->branch, TRUE);
  push_frame (fx, FRAME (22), TRUE);
  g_assert_true (woken (fx));
}

static void
test_live_wake_at_keyframe (Fixture *fx, gconstpointer data)
{
  hs_ring_branch_set_interested (fx->branch, TRUE);
  hs_ring_branch_set_wake_at (fx->branch, NONE, FRAME (3));
  /* A keyframe before the time, delta frames after it: nothing. */
  push_frame (fx, FRAME (0), TRUE);
  g_assert_false (woken (fx));
  for (guint k = 1; k < 6; k++) {
    push_frame (fx, FRAME (k), FALSE);
    g_assert_false (woken (fx));
  }
  push_frame (fx, FRAME (6), TRUE);
  g_assert_true (woken (fx));
}

static void
test_not_live (Fixture *fx, gconstpointer data)
{
  push_frame (fx, FRAME (0), TRUE);
  g_assert_false (hs_ring_branch_is_live (fx->branch));
  g_assert_false (woken (fx));
  /* Every frame, whatever the times given. */
  hs_ring_branch_set_interested (fx->branch, TRUE);
  hs_ring_branch_set_wake_at (fx->branch, FRAME (20), NONE);
  for (guint k = 1; k < 5; k++) {
    push_frame (fx, FRAME (k), TRUE);
    g_assert_true (woken (fx));
  }
  hs_ring_branch_set_interested (fx->branch, FALSE);
  push_frame (fx, FRAME (5), TRUE);
  g_assert_false (woken (fx));
}

#define add(path, live, func) \
  g_test_add ((path), Fixture, GINT_TO_POINTER (live), setup, (func), \
      teardown)

int
main (int argc, char **argv)
{
  gst_init (&argc, &argv);
  g_test_init (&argc, &argv, NULL);

  add ("/ring-branch/live/batched", TRUE, test_live_batched);
  add ("/ring-branch/live/wake-at", TRUE, test_live_wake_at);
  add ("/ring-branch/live/wake-at-keyframe", TRUE,
      test_live_wake_at_keyframe);
  add ("/ring-branch/not-live", FALSE, test_not_live);
  return g_test_run ();
}
