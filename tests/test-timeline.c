/* The window rules of a recorder, driven without a pipeline: tables of
 * frames and triggers go in, the files the timeline would write come out.
 * The harness plays the part of the recorder's pump: it offers the frames
 * that have arrived, finds the keyframe a window starts at, and carries out
 * each action.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <gst/gst.h>

#include "hs-timeline-private.h"

#define MS GST_MSECOND
#define MAX_FRAMES 400

typedef enum {
  THEN_NOTHING,                 /* the source just stops sending */
  THEN_EOS,
  THEN_STALL,                   /* time passes with no frame */
  THEN_SUSPEND,                 /* the process stops for 30 s, then EOS */
  THEN_SUSPEND_STALL,           /* the process stops, then no frame comes */
  THEN_STOP,
  THEN_ERROR,                   /* an error upstream, its frames drained */
  THEN_REFUSED,                 /* caps the ring cannot take, data under them */
} Then;

typedef struct {
  guint after;                  /* frames arrived before the trigger */
  gint time_ms;                 /* < 0: the end of the list */
} Trigger;

typedef struct {
  const char *name;
  guint pre_ms, post_ms, max_ms;
  gboolean keyframes;           /* files start and roll over on keyframes */
  guint n_frames;               /* at 30 fps unless times_ms is given */
  guint gop;                    /* a keyframe every gop frames; 0: all */
  const guint *times_ms;
  guint caps_at;                /* first frame of new caps; 0: none */
  guint lose_file_at;           /* the file fails after this frame; 0: no */
  Trigger triggers[8];
  Then then;
  /* Files as FIRST-LAST frame, "@MS" when the file was asked to start
   * elsewhere than its first frame, then why it closed; "empty" for a
   * window with no file. */
  const char *expected;
  /* Running times (ms) the source was asked for keyframes at. */
  const char *keyframes_asked;
  /* A live source whose frames reach the timeline in batches: the pump
   * runs every batch frames (its tick), on a trigger, and when an arriving
   * frame meets the timeline's wake rule; each file then ends in
   * "/K", the newest frame that had arrived when it closed. 0: the pump
   * runs on every frame. */
  guint batch;
  guint wakes;                  /* frames that met the wake rule */
  guint lead_ms;                /* hs_timeline_get_wake()'s lead */
} TimelineCase;

typedef struct {
  const TimelineCase *c;
  HsTimeline *timeline;
  GstClockTime times[MAX_FRAMES];
  guint arrived;
  guint64 cursor;
  gint64 now_us;
  gint64 last_arrival_us;
  gboolean eos, failed, refused;
  gboolean file_open;
  guint first, last;
  gint64 requested;
  GString *files;
  GString *asked;
  HsTimelineWake wake;          /* as of the pump's last run */
  gboolean woken;
  guint n_wakes;
} Sim;

static gboolean
is_keyframe (Sim *sim, guint i)
{
  return sim->c->gop == 0 || i % sim->c->gop == 0;
}

/* What the ring would answer: the keyframe at or before @time among the
 * frames from the cursor on, else the first one after it. */
static gboolean
find_keyframe (Sim *sim, GstClockTime time, guint *found)
{
  gboolean any = FALSE;

  for (guint i = sim->cursor; i < sim->arrived; i++) {
    if (!is_keyframe (sim, i))
      continue;
    if (!any || sim->times[i] <= time)
      *found = i;
    any = TRUE;
    if (sim->times[i] >= time)
      break;
  }
  return any;
}

static gboolean
offer (Sim *sim, guint *index)
{
  guint keyframe;

  switch (hs_timeline_get_state (sim->timeline)) {
    case HS_TIMELINE_IDLE:
      return FALSE;
    case HS_TIMELINE_SEEKING:
      if (!find_keyframe (sim, hs_timeline_get_start (sim->timeline),
              &keyframe))
        return FALSE;
      sim->cursor = keyframe;
      break;
    case HS_TIMELINE_OPENING:
    case HS_TIMELINE_WRITING:
      break;
  }
  if (sim->cursor >= sim->arrived)
    return FALSE;
  *index = sim->cursor;
  return TRUE;
}

static const char *
reason_name (HsTimelineEnd reason)
{
  switch (reason) {
    case HS_TIMELINE_END_REACHED:
      return "reached";
    case HS_TIMELINE_END_EOS:
      return "eos";
    case HS_TIMELINE_END_SOURCE_ERROR:
      return "error";
    case HS_TIMELINE_END_STALLED:
      return "stalled";
    case HS_TIMELINE_END_NOT_NEGOTIATED:
      return "refused";
    case HS_TIMELINE_END_STOPPED:
      return "stopped";
  }
  return "?";
}

static void
close_file (Sim *sim, const char *why)
{
  gint64 first_ms = (gint64) (sim->times[sim->first] / MS);

  if (sim->files->len > 0)
    g_string_append_c (sim->files, ' ');
  g_string_append_printf (sim->files, "%u-%u", sim->first, sim->last);
  if (sim->requested / (gint64) MS != first_ms)
    g_string_append_printf (sim->files, "@%" G_GINT64_FORMAT,
        sim->requested / (gint64) MS);
  g_string_append_printf (sim->files, ":%s", why);
  if (sim->c->batch != 0)
    g_string_append_printf (sim->files, "/%u", sim->arrived - 1);
  sim->file_open = FALSE;
}

static void
step (Sim *sim, const HsTimelineInput *input, HsTimelineAction *action)
{
  hs_timeline_step (sim->timeline, input, action);
  if (action->keyframe_at != GST_CLOCK_TIME_NONE)
    g_string_append_printf (sim->asked, "%s%" G_GUINT64_FORMAT,
        sim->asked->len ? " " : "", action->keyframe_at / MS);
}

static void
write_frame (Sim *sim, const HsTimelineAction *action, guint i)
{
  if (action->file == HS_TIMELINE_FILE_NEW_CAPS)
    close_file (sim, "caps");
  else if (action->file == HS_TIMELINE_FILE_ROLLOVER)
    close_file (sim, "rollover");
  if (action->file != HS_TIMELINE_FILE_KEEP) {
    g_assert_false (sim->file_open);
    sim->file_open = TRUE;
    sim->first = i;
    sim->requested = action->requested_start;
  }
  g_assert_true (sim->file_open);
  sim->last = i;

  if (i == sim->c->lose_file_at && sim->c->lose_file_at != 0) {
    HsTimelineInput lost = {
      .type = HS_TIMELINE_FILE_LOST, .time = sim->times[i] + 1,
    };
    HsTimelineAction none;

    close_file (sim, "lost");
    step (sim, &lost, &none);
    g_assert_cmpint (none.type, ==, HS_TIMELINE_WAIT);
  }
}

static void
finish (Sim *sim, const HsTimelineAction *action)
{
  if (sim->file_open) {
    close_file (sim, reason_name (action->reason));
    return;
  }
  if (!action->empty)
    return;
  if (sim->files->len > 0)
    g_string_append_c (sim->files, ' ');
  g_string_append_printf (sim->files, "empty:%s",
      reason_name (action->reason));
}

/* Carries out actions until the timeline waits, as the pump does. */
static void
pump (Sim *sim)
{
  for (guint n = 0; n < 10 * MAX_FRAMES; n++) {
    HsTimelineInput input = { .type = HS_TIMELINE_POLL };
    HsTimelineAction action;
    guint i = 0;
    gboolean offered = offer (sim, &i);

    if (offered) {
      input.type = HS_TIMELINE_FRAME;
      input.frame.time = sim->times[i];
      input.frame.keyframe = is_keyframe (sim, i);
      input.frame.new_caps = sim->file_open && sim->c->caps_at != 0 &&
          sim->first < sim->c->caps_at && i >= sim->c->caps_at;
    } else {
      input.source = (HsTimelineSource) {
        .now_us = sim->now_us,
        .last_arrival_us = sim->last_arrival_us,
        .reached = sim->arrived ? sim->times[sim->arrived - 1] :
            GST_CLOCK_TIME_NONE,
        .eos = sim->eos,
        .failed = sim->failed,
        .drained = sim->failed,
        .refused = sim->refused,
      };
    }
    step (sim, &input, &action);
    switch (action.type) {
      case HS_TIMELINE_WAIT:
        hs_timeline_get_wake (sim->timeline, sim->c->lead_ms * MS,
            &sim->wake);
        return;
      case HS_TIMELINE_START:
      case HS_TIMELINE_EXTEND:
        break;
      case HS_TIMELINE_SKIP:
        g_assert_true (offered);
        sim->cursor = i + 1;
        break;
      case HS_TIMELINE_WRITE:
        g_assert_true (offered);
        write_frame (sim, &action, i);
        sim->cursor = i + 1;
        break;
      case HS_TIMELINE_CLOSE:
        g_assert_true (offered);
        close_file (sim, "caps");
        break;
      case HS_TIMELINE_FINISH:
        finish (sim, &action);
        break;
    }
  }
  g_assert_not_reached ();
}

/* Time passes without frames; the recorder polls as its tick does. */
static void
pass_time (Sim *sim, gint64 us)
{
  for (gint64 end = sim->now_us + us; sim->now_us < end;) {
    sim->now_us += 50 * G_USEC_PER_SEC / 1000;
    pump (sim);
  }
}

/* What the ring branch of a live source checks as frame @i arrives. */
static gboolean
wakes (Sim *sim, guint i)
{
  GstClockTime t = sim->times[i];

  return (sim->wake.any != GST_CLOCK_TIME_NONE && t >= sim->wake.any) ||
      (sim->wake.keyframe != GST_CLOCK_TIME_NONE && is_keyframe (sim, i) &&
      t >= sim->wake.keyframe);
}

static void
trigger (Sim *sim, const Trigger *t)
{
  HsTimelineInput input = {
    .type = HS_TIMELINE_TRIGGER,
    .time = t->time_ms < 0 ? G_MAXINT64 : (GstClockTime) t->time_ms * MS,
  };
  HsTimelineAction action;

  step (sim, &input, &action);
  g_assert_cmpint (action.type, ==, HS_TIMELINE_WAIT);
}

static void
test_case (gconstpointer data)
{
  const TimelineCase *c = data;
  HsTimelineSettings settings = {
    .pre = c->pre_ms * MS,
    .post = c->post_ms * MS,
    .max_duration = c->max_ms * MS,
    .keyframe_starts = c->keyframes,
    .request_keyframes = c->keyframes,
  };
  Sim sim = { .c = c };

  g_assert_cmpuint (c->n_frames, <=, MAX_FRAMES);
  sim.timeline = hs_timeline_new (&settings);
  sim.files = g_string_new (NULL);
  sim.asked = g_string_new (NULL);
  for (guint i = 0; i < c->n_frames; i++)
    sim.times[i] = c->times_ms ? c->times_ms[i] * MS :
        gst_util_uint64_scale (i, GST_SECOND, 30);

  hs_timeline_get_wake (sim.timeline, c->lead_ms * MS, &sim.wake);
  for (guint k = 0; k <= c->n_frames; k++) {
    gboolean triggered = FALSE;

    for (guint t = 0; t < G_N_ELEMENTS (c->triggers); t++)
      if (c->triggers[t].time_ms != 0 && c->triggers[t].after == k) {
        trigger (&sim, &c->triggers[t]);
        triggered = TRUE;
      }
    if (c->batch == 0 || triggered || sim.woken || k % c->batch == 0 ||
        k == c->n_frames)
      pump (&sim);
    sim.woken = FALSE;
    if (k < c->n_frames) {
      /* A live source: each frame comes at its own time. */
      sim.arrived = k + 1;
      sim.now_us = sim.last_arrival_us = 1 + sim.times[k] / GST_USECOND;
      if (wakes (&sim, k)) {
        sim.woken = TRUE;
        sim.n_wakes++;
      }
    }
  }

  switch (c->then) {
    case THEN_NOTHING:
      break;
    case THEN_EOS:
      sim.eos = TRUE;
      break;
    case THEN_STALL:
      pass_time (&sim, 30 * G_USEC_PER_SEC);
      break;
    case THEN_SUSPEND:
    case THEN_SUSPEND_STALL:
      /* Nobody polls a stopped process: one poll, 30 s after the last. */
      sim.now_us += 30 * G_USEC_PER_SEC;
      pump (&sim);
      g_assert_cmpstr (sim.files->str, ==, "");
      if (c->then == THEN_SUSPEND)
        sim.eos = TRUE;
      else
        pass_time (&sim, 30 * G_USEC_PER_SEC);
      break;
    case THEN_STOP:{
      HsTimelineInput stop = { .type = HS_TIMELINE_STOP };
      HsTimelineAction action;

      step (&sim, &stop, &action);
      if (action.type == HS_TIMELINE_FINISH)
        finish (&sim, &action);
      g_assert_false (hs_timeline_has_pending (sim.timeline));
      break;
    }
    case THEN_ERROR:
      sim.failed = TRUE;
      break;
    case THEN_REFUSED:
      sim.refused = TRUE;
      break;
  }
  pump (&sim);

  g_assert_cmpstr (sim.files->str, ==, c->expected);
  if (c->keyframes_asked != NULL)
    g_assert_cmpstr (sim.asked->str, ==, c->keyframes_asked);
  if (c->batch != 0)
    g_assert_cmpuint (sim.n_wakes, ==, c->wakes);
  if (c->then != THEN_NOTHING)
    g_assert_cmpint (hs_timeline_get_state (sim.timeline), ==,
        HS_TIMELINE_IDLE);

  g_string_free (sim.files, TRUE);
  g_string_free (sim.asked, TRUE);
  hs_timeline_free (sim.timeline);
}

/* Frames at 30 fps: frame i is at i * 33.3 ms; frame 30 at 1 s, 150 at
 * 5 s. A trigger "after" k frames is given once frames 0..k-1 arrived. */
static const guint vfr_ms[] = {
  0, 10, 20, 500, 510, 1000, 1400, 1500, 1510, 2000,
  2600, 3000, 3300, 3600, 4000, 4100, 4999, 5000, 5500, 6000,
};

static const TimelineCase cases[] = {
  /* One trigger at 3 s, pre = post = 2: frames 30..149, [1 s, 5 s). */
  { "single", 2000, 2000, 0, FALSE, 200, 0, NULL, 0, 0,
    { { 91, 3000 } }, THEN_EOS, "30-149:reached" },
  /* The trigger may come before its time: it waits for the frames. */
  { "trigger-ahead", 2000, 2000, 0, FALSE, 200, 0, NULL, 0, 0,
    { { 0, 3000 } }, THEN_EOS, "30-149:reached" },
  /* ... or long after, while the ring still holds T - pre. */
  { "trigger-late", 2000, 2000, 0, FALSE, 200, 0, NULL, 0, 0,
    { { 160, 3000 } }, THEN_EOS, "30-149:reached" },
  /* A second trigger before the end moves the end to T' + post. */
  { "retrigger", 2000, 2000, 0, FALSE, 300, 0, NULL, 0, 0,
    { { 91, 3000 }, { 121, 4000 } }, THEN_EOS, "30-179:reached" },
  /* A trigger in the post window (after T, before the end) extends. */
  { "trigger-in-post", 2000, 2000, 0, FALSE, 300, 0, NULL, 0, 0,
    { { 91, 3000 }, { 140, 4900 } }, THEN_EOS, "30-206:reached" },
  /* At the end exactly (given while the window is still open): a new
   * window, which tiles with the first. */
  { "trigger-at-end", 2000, 2000, 0, FALSE, 300, 0, NULL, 0, 0,
    { { 91, 3000 }, { 140, 5000 } }, THEN_EOS,
    "30-149:reached 150-209:reached" },
  /* Overlapping windows tile: the second starts where the first ended. */
  { "tiling", 2000, 2000, 0, FALSE, 300, 0, NULL, 0, 0,
    { { 91, 3000 }, { 200, 6000 } }, THEN_EOS,
    "30-149:reached 150-239:reached" },
  /* Apart: two files with a gap. */
  { "two-windows", 2000, 2000, 0, FALSE, 400, 0, NULL, 0, 0,
    { { 91, 3000 }, { 300, 9000 } }, THEN_EOS,
    "30-149:reached 210-329:reached" },
  /* Before the ring holds T - pre: from the first frame, asked for -1 s. */
  { "shortfall", 2000, 2000, 0, FALSE, 200, 0, NULL, 0, 0,
    { { 0, 1000 } }, THEN_EOS, "0-89@-1000:reached" },
  /* max-duration: the next file starts with the very next frame. */
  { "rollover", 2000, 8000, 1500, FALSE, 400, 0, NULL, 0, 0,
    { { 91, 3000 } }, THEN_EOS,
    "30-74:rollover 75-119:rollover 120-164:rollover 165-209:rollover "
    "210-254:rollover 255-299:rollover 300-329:reached" },
  /* New caps continue the window in a new file. */
  { "caps-change", 2000, 2000, 0, FALSE, 200, 0, NULL, 100, 0,
    { { 91, 3000 } }, THEN_EOS, "30-99:caps 100-149:reached" },
  /* Variable frame rate: whatever frames fall into [1 s, 5 s). */
  { "variable-rate", 2000, 2000, 0, FALSE, 20, 0, vfr_ms, 0, 0,
    { { 11, 3000 } }, THEN_EOS, "5-16:reached" },
  /* The source ends inside the window: the file ends with its last frame. */
  { "eos", 2000, 2000, 0, FALSE, 120, 0, NULL, 0, 0,
    { { 91, 3000 } }, THEN_EOS, "30-119:eos" },
  /* A trigger the source never reaches still gets what the ring holds. */
  { "eos-before-trigger", 2000, 2000, 0, FALSE, 60, 0, NULL, 0, 0,
    { { 0, 3000 } }, THEN_EOS, "30-59:eos" },
  /* ... or nothing, reported as an empty window. */
  { "eos-empty", 1000, 1000, 0, FALSE, 30, 0, NULL, 0, 0,
    { { 0, 5000 } }, THEN_EOS, "empty:eos" },
  { "stall", 2000, 2000, 0, FALSE, 120, 0, NULL, 0, 0,
    { { 91, 3000 } }, THEN_STALL, "30-119:stalled" },
  /* A process stopped longer than post (Ctrl+Z, SIGSTOP) is no stall when
   * it continues; a source that then sends nothing still is. */
  { "suspend", 2000, 2000, 0, FALSE, 120, 0, NULL, 0, 0,
    { { 91, 3000 } }, THEN_SUSPEND, "30-119:eos" },
  { "suspend-then-stall", 2000, 2000, 0, FALSE, 120, 0, NULL, 0, 0,
    { { 91, 3000 } }, THEN_SUSPEND_STALL, "30-119:stalled" },
  { "source-error", 2000, 2000, 0, FALSE, 120, 0, NULL, 0, 0,
    { { 91, 3000 } }, THEN_ERROR, "30-119:error" },
  /* A stop ends the window and forgets the triggers still to come. */
  { "stop", 2000, 2000, 0, FALSE, 120, 0, NULL, 0, 0,
    { { 91, 3000 }, { 100, 9000 } }, THEN_STOP, "30-119:stopped" },
  /* Nothing the branch can take: the window fails at once. */
  { "refused", 2000, 2000, 0, FALSE, 0, 0, NULL, 0, 0,
    { { 0, 3000 } }, THEN_REFUSED, "empty:refused" },
  /* A file that fails ends its window; the next trigger may start right
   * after its last frame. */
  { "file-lost", 2000, 2000, 0, FALSE, 300, 0, NULL, 0, 60,
    { { 91, 3000 }, { 121, 4000 } }, THEN_EOS,
    "30-60:lost 61-179@2000:reached" },
  /* Keyframe starts: from the keyframe at or before T - pre (GOP 1 s), the
   * encoder asked for one at each end. */
  { "keyframe-start", 1500, 2000, 0, TRUE, 200, 30, NULL, 0, 0,
    { { 91, 3000 } }, THEN_EOS, "30-149@1500:reached", "5000" },
  { "keyframe-retrigger", 1500, 2000, 0, TRUE, 300, 30, NULL, 0, 0,
    { { 91, 3000 }, { 121, 4000 } }, THEN_EOS, "30-179@1500:reached",
    "5000 6000" },
  /* Tiling with keyframes: the next file starts on the first keyframe at
   * or after the previous end; no frame twice. */
  { "keyframe-tiling", 2000, 2000, 0, TRUE, 300, 30, NULL, 0, 0,
    { { 91, 3000 }, { 200, 6000 } }, THEN_EOS,
    "30-149:reached 150-239:reached", "5000 8000" },
  /* A GOP longer than pre: still starts on a keyframe, earlier. */
  { "keyframe-long-gop", 1000, 1000, 0, TRUE, 250, 120, NULL, 0, 0,
    { { 166, 5500 } }, THEN_EOS, "120-194@4500:reached", "6500" },
  /* New caps on a keyframe: the next file starts with it. */
  { "keyframe-caps-change", 2000, 2000, 0, TRUE, 200, 30, NULL, 90, 0,
    { { 91, 3000 } }, THEN_EOS, "30-89:caps 90-149:reached", "5000" },
  /* ... not on a keyframe: at the next one, asked for the change's time. */
  { "keyframe-caps-change-mid-gop", 2000, 2000, 0, TRUE, 200, 30, NULL, 100,
    0, { { 91, 3000 } }, THEN_EOS, "30-99:caps 120-149@3333:reached",
    "5000" },
  /* ... and the window ends before that keyframe: no empty window. */
  { "keyframe-caps-change-at-end", 2000, 1000, 0, TRUE, 200, 30, NULL, 100,
    0, { { 91, 3000 } }, THEN_EOS, "30-99:caps", "4000" },
  /* Rollover only on keyframes: files are at least max-duration long. */
  { "keyframe-rollover", 2000, 6000, 1500, TRUE, 400, 30, NULL, 0, 0,
    { { 91, 3000 } }, THEN_EOS,
    "30-89:rollover 90-149:rollover 150-209:rollover 210-269:reached",
    "9000 2500 4500 6500 8500" },
  /* A live source's frames come in batches of 7 (the pump's tick), yet
   * each file closes as the frame that ends it arrives, not with the batch
   * after ("/K": frames 0..K had arrived). Frames of no window wake
   * nothing. */
  { "batch/end", 2000, 2000, 0, FALSE, 200, 0, NULL, 0, 0,
    { { 91, 3000 } }, THEN_EOS, "30-149:reached/150", NULL, 7, 1 },
  { "batch/trigger-ahead", 2000, 2000, 0, FALSE, 200, 0, NULL, 0, 0,
    { { 0, 3000 } }, THEN_EOS, "30-149:reached/150", NULL, 7, 1 },
  /* The end a trigger moves is the end that wakes. */
  { "batch/retrigger", 2000, 2000, 0, FALSE, 300, 0, NULL, 0, 0,
    { { 91, 3000 }, { 121, 4000 } }, THEN_EOS, "30-179:reached/180", NULL,
    7, 1 },
  { "batch/two-windows", 2000, 2000, 0, FALSE, 400, 0, NULL, 0, 0,
    { { 91, 3000 }, { 300, 9000 } }, THEN_EOS,
    "30-149:reached/150 210-329:reached/330", NULL, 7, 2 },
  /* max-duration: the frame that starts the next file ends the last (the
   * first file's end was in the batch the trigger took). */
  { "batch/rollover", 2000, 8000, 1500, FALSE, 400, 0, NULL, 0, 0,
    { { 91, 3000 } }, THEN_EOS,
    "30-74:rollover/90 75-119:rollover/120 120-164:rollover/165 "
    "165-209:rollover/210 210-254:rollover/255 255-299:rollover/300 "
    "300-329:reached/330", NULL, 7, 6 },
  /* ... on keyframes: only the keyframe that starts the next file wakes,
   * not the frames between max-duration and it. */
  { "batch/keyframe-rollover", 2000, 6000, 1500, TRUE, 400, 30, NULL, 0, 0,
    { { 91, 3000 } }, THEN_EOS,
    "30-89:rollover/90 90-149:rollover/150 150-209:rollover/210 "
    "210-269:reached/270", NULL, 7, 3 },
  /* With a lead of 100 ms the last frames before the end come one by one
   * (frames 147, 148, 149 at 4.9 s and after), then the one that ends it. */
  { "batch/lead", 2000, 2000, 0, FALSE, 200, 0, NULL, 0, 0,
    { { 91, 3000 } }, THEN_EOS, "30-149:reached/150", NULL, 7, 4, 100 },
  { "batch/lead-rollover", 2000, 2000, 1500, FALSE, 200, 0, NULL, 0, 0,
    { { 91, 3000 } }, THEN_EOS,
    "30-74:rollover/90 75-119:rollover/120 120-149:reached/150", NULL, 7,
    8, 100 },
};

static void
test_hold (void)
{
  HsTimelineSettings settings = { .pre = 2 * GST_SECOND, .post = GST_SECOND };
  g_autoptr(HsTimeline) timeline = hs_timeline_new (&settings);
  HsTimelineInput input = { .type = HS_TIMELINE_TRIGGER, .time = 5 * GST_SECOND };
  HsTimelineAction action;
  GstClockTime from = GST_CLOCK_TIME_NONE;

  /* Nothing asked: nothing held. */
  g_assert_false (hs_timeline_get_hold (timeline, &from));
  /* A trigger waits: its window's start is held. */
  hs_timeline_step (timeline, &input, &action);
  g_assert_true (hs_timeline_get_hold (timeline, &from));
  g_assert_cmpuint (from, ==, 3 * GST_SECOND);
  /* An open window: everything after what it wrote. */
  input = (HsTimelineInput) { .type = HS_TIMELINE_POLL,
    .source = { .reached = 6 * GST_SECOND, .now_us = 1 } };
  hs_timeline_step (timeline, &input, &action);
  g_assert_cmpint (action.type, ==, HS_TIMELINE_START);
  g_assert_true (hs_timeline_get_hold (timeline, &from));
  g_assert_cmpuint (from, ==, 0);
}

static void
test_saturation (void)
{
  HsTimelineSettings settings = {
    .pre = hs_timeline_seconds (1e300), .post = hs_timeline_seconds (1e300),
  };
  g_autoptr(HsTimeline) timeline = hs_timeline_new (&settings);
  HsTimelineInput input = { .type = HS_TIMELINE_TRIGGER, .time = GST_SECOND };
  HsTimelineAction action;

  /* "Never" stays in range: the window runs from the stream's start to the
   * largest running time, not around to the start again. */
  g_assert_cmpuint (settings.pre, ==, G_MAXINT64);
  hs_timeline_step (timeline, &input, &action);
  input = (HsTimelineInput) { .type = HS_TIMELINE_POLL,
    .source = { .eos = TRUE, .now_us = 1 } };
  hs_timeline_step (timeline, &input, &action);
  g_assert_cmpint (action.type, ==, HS_TIMELINE_START);
  g_assert_cmpuint (action.start, ==, 0);
  g_assert_cmpuint (action.end, ==, G_MAXINT64);
  g_assert_cmpint (action.requested_start, <, 0);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++) {
    g_autofree char *path = g_strdup_printf ("/timeline/%s", cases[i].name);

    g_test_add_data_func (path, &cases[i], test_case);
  }
  g_test_add_func ("/timeline/hold", test_hold);
  g_test_add_func ("/timeline/saturation", test_saturation);
  return g_test_run ();
}
