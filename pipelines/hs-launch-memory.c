/* hindsight-launch: the rings share one memory budget (--memory-budget,
 * default half of the physical memory), so that a box with a few 4K cameras
 * does not die of memory.
 *
 * Each ring gets a bound (HsRecorder:max-ring-bytes) and the bounds add up
 * to the budget at most. What a ring needs is known once its caps arrive:
 * (pre + 0.5 s) × frame rate × frame size for raw frames, an estimate from
 * the bitrate in encoded mode. The budget is shared like water: a ring that
 * needs less than an equal share gets what it needs (plus a margin), the
 * others share the rest equally; a ring whose need is not known yet is
 * counted as needing everything. --max-ring-bytes bounds one source further.
 * A ring whose bound is below its need holds less than `pre`: a warning
 * says so when its caps arrive, and its recordings report the shortfall.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "hs-launch.h"

#include <gst/video/video.h>
#include <unistd.h>

/* The ring holds pre plus this much. */
#define RING_MARGIN_S 0.5
/* Headroom over the computed need of a ring. */
#define HEADROOM 1.25
/* No ring is bounded below this. */
#define MIN_RING_BYTES (1024 * 1024)

typedef struct {
  HsRecorder *recorder;
  guint64 own_bound;            /* --max-ring-bytes, 0: none */
  guint64 need;                 /* 0: not known yet */
  guint64 bound;                /* what it was given */
  char *format;                 /* "3840x2160 I420 at 30 fps" */
  GstPad *pad;
  gulong probe;
  gboolean warned;
} Ring;

struct _HsLaunchMemory {
  HsLaunch *app;
  guint64 budget;
  GPtrArray *rings;             /* Ring */
};

/* This run's, for the calls from streaming threads (one app per process). */
static HsLaunchMemory *current;

static void
ring_free (gpointer data)
{
  Ring *ring = data;

  if (ring->pad != NULL) {
    gst_pad_remove_probe (ring->pad, ring->probe);
    gst_object_unref (ring->pad);
  }
  g_object_unref (ring->recorder);
  g_free (ring->format);
  g_free (ring);
}

static guint64
physical_memory (void)
{
  long pages = sysconf (_SC_PHYS_PAGES);
  long page_size = sysconf (_SC_PAGE_SIZE);

  if (pages <= 0 || page_size <= 0)
    return 0;
  return (guint64) pages * (guint64) page_size;
}

static char *
format_size (guint64 bytes)
{
  return g_format_size_full (bytes, G_FORMAT_SIZE_IEC_UNITS);
}

/* Shares the budget among the rings and gives each its bound. */
static void
share (HsLaunchMemory *memory)
{
  guint n = memory->rings->len;
  g_autofree guint64 *demand = g_new0 (guint64, n);
  g_autofree gboolean *settled = g_new0 (gboolean, n);
  guint64 left = memory->budget;
  guint n_left = n;

  for (guint i = 0; i < n; i++) {
    Ring *ring = memory->rings->pdata[i];

    demand[i] = ring->need ? (guint64) (ring->need * HEADROOM) : G_MAXUINT64;
    if (ring->own_bound > 0)
      demand[i] = MIN (demand[i], ring->own_bound);
  }
  /* Those that need less than an equal share take what they need; again
   * with what is left, until every ring needs at least an equal share. */
  for (gboolean changed = TRUE; changed && n_left > 0;) {
    guint64 equal = left / n_left;

    changed = FALSE;
    for (guint i = 0; i < n; i++) {
      Ring *ring = memory->rings->pdata[i];

      if (settled[i] || demand[i] > equal)
        continue;
      ring->bound = demand[i];
      settled[i] = TRUE;
      left -= demand[i];
      n_left--;
      changed = TRUE;
    }
  }
  for (guint i = 0; i < n; i++) {
    Ring *ring = memory->rings->pdata[i];

    if (!settled[i])
      ring->bound = left / n_left;
    ring->bound = MAX (ring->bound, MIN_RING_BYTES);
    g_object_set (ring->recorder, "max-ring-bytes", ring->bound, NULL);
  }
}

static void
warn (HsLaunchMemory *memory, Ring *ring)
{
  HsLaunch *app = memory->app;
  g_autofree char *source = hs_launch_printable (
      hs_recorder_get_source (ring->recorder), -1, 0);
  double pre = hs_recorder_get_pre (ring->recorder);
  /* The ring keeps the newest frames: this many seconds of them. */
  double held = (pre + RING_MARGIN_S) * ring->bound / ring->need;
  g_autofree char *need = format_size (ring->need);
  g_autofree char *bound = format_size (ring->bound);
  g_autofree char *budget = format_size (memory->budget);
  gboolean own = ring->own_bound > 0 && ring->bound == ring->own_bound;

  held = MAX (held, 0);
  hs_launch_log (app, "%s: warning: --pre %g of %s needs %s of memory, but "
      "this ring may hold %s (%s): recordings reach back about %.1f s, and "
      "say how much is missing", source, pre, ring->format, need, bound,
      own ? "--max-ring-bytes" : "its share of --memory-budget", held);
  if (!own)
    hs_launch_log (app, "%s: the budget is %s for %u ring(s); raise "
        "--memory-budget, lower --pre or the resolution, or use --mode "
        "encoded", source, budget, memory->rings->len);
  if (hs_launch_wants_events (app)) {
    g_autoptr(JsonBuilder) b = hs_launch_event_begin ("memory");

    json_builder_set_member_name (b, "source");
    json_builder_add_string_value (b, source);
    json_builder_set_member_name (b, "need");
    json_builder_add_int_value (b, (gint64) ring->need);
    json_builder_set_member_name (b, "bound");
    json_builder_add_int_value (b, (gint64) ring->bound);
    json_builder_set_member_name (b, "budget");
    json_builder_add_int_value (b, (gint64) memory->budget);
    json_builder_set_member_name (b, "pre");
    json_builder_add_double_value (b, pre);
    json_builder_set_member_name (b, "held");
    json_builder_add_double_value (b, held);
    hs_launch_event_end (app, b);
  }
}

/* What @ring needs for the caps @caps of its tee; 0 if unknown. */
static guint64
need_for (Ring *ring, GstCaps *caps)
{
  GstStructure *s = gst_caps_get_structure (caps, 0);
  HsRecorderMode mode = HS_RECORDER_MODE_RAW;
  int width = 0, height = 0, fps_n = 0, fps_d = 1;
  double fps, seconds, frame;
  guint bitrate = 0;
  double keyframe = 0;
  GstVideoInfo info;
  const char *format = NULL;

  g_object_get (ring->recorder, "mode", &mode, "bitrate", &bitrate,
      "keyframe-interval", &keyframe, NULL);
  if (!gst_structure_get_int (s, "width", &width) ||
      !gst_structure_get_int (s, "height", &height) || width <= 0 ||
      height <= 0)
    return 0;
  gst_structure_get_fraction (s, "framerate", &fps_n, &fps_d);
  fps = fps_n > 0 && fps_d > 0 ? (double) fps_n / fps_d : 30;
  seconds = hs_recorder_get_pre (ring->recorder) + RING_MARGIN_S;

  if (gst_structure_has_name (s, "video/x-raw") &&
      gst_video_info_from_caps (&info, caps)) {
    frame = GST_VIDEO_INFO_SIZE (&info);
    format = gst_video_format_to_string (GST_VIDEO_INFO_FORMAT (&info));
  } else {
    /* Converted to I420 on the ring side. */
    frame = width * height * 3 / 2.0;
    format = "I420";
  }
  g_free (ring->format);
  ring->format = g_strdup_printf ("%dx%d %s at %g fps", width, height,
      format, fps);

  /* auto records raw video raw, compressed video as it is (passthrough:
   * its bitrate is the camera's, not known here). */
  if (mode == HS_RECORDER_MODE_RAW || (mode == HS_RECORDER_MODE_AUTO &&
          gst_structure_has_name (s, "video/x-raw")))
    return (guint64) (seconds * fps * frame);
  if (mode == HS_RECORDER_MODE_ENCODED) {
    /* As the encoder scales it (0.08 bit per pixel), twice for keyframes
     * and rate control; the ring reaches back to a keyframe. */
    double bits = bitrate > 0 ? bitrate : 0.08 * width * height * fps;

    seconds += keyframe > 0 ? keyframe : 1;
    return (guint64) (2 * seconds * bits / 8);
  }
  return 0;
}

typedef struct {
  HsRecorder *recorder;
  GstCaps *caps;
} CapsCall;

static void
caps_call_free (gpointer data)
{
  CapsCall *call = data;

  g_object_unref (call->recorder);
  gst_caps_unref (call->caps);
  g_free (call);
}

/* Main context: the rings of this run are looked up again, so that a call
 * for a pipeline gone meanwhile changes nothing. */
static gboolean
on_caps (gpointer data)
{
  CapsCall *call = data;
  HsLaunchMemory *memory = current;

  for (guint i = 0; memory != NULL && i < memory->rings->len; i++) {
    Ring *ring = memory->rings->pdata[i];
    guint64 need;

    if (ring->recorder != call->recorder)
      continue;
    need = need_for (ring, call->caps);
    if (need == ring->need)
      break;
    ring->need = need;
    ring->warned = FALSE;
    share (memory);
    for (guint j = 0; j < memory->rings->len; j++) {
      Ring *other = memory->rings->pdata[j];

      if (other->need > 0 && other->bound < other->need && !other->warned) {
        other->warned = TRUE;
        warn (memory, other);
      }
    }
    break;
  }
  return G_SOURCE_REMOVE;
}

/* Streaming thread. */
static GstPadProbeReturn
on_tee_event (GstPad *pad, GstPadProbeInfo *info, gpointer user_data)
{
  GstEvent *event = GST_PAD_PROBE_INFO_EVENT (info);
  CapsCall *call;
  GstCaps *caps;

  if (GST_EVENT_TYPE (event) != GST_EVENT_CAPS)
    return GST_PAD_PROBE_OK;
  gst_event_parse_caps (event, &caps);
  call = g_new0 (CapsCall, 1);
  call->recorder = g_object_ref (user_data);
  call->caps = gst_caps_ref (caps);
  g_main_context_invoke_full (NULL, G_PRIORITY_DEFAULT, on_caps, call,
      caps_call_free);
  return GST_PAD_PROBE_OK;
}

/**
 * hs_launch_memory_watch:
 * @app: the tool, with this run's recorders made, not yet playing
 *
 * Bounds every ring by its share of the budget, and shares again as the
 * caps of each tee tell what it needs.
 */
void
hs_launch_memory_watch (HsLaunch *app)
{
  HsLaunchMemory *memory = g_new0 (HsLaunchMemory, 1);
  guint64 budget = hs_launch_settings_get_size (app, "memory-budget");

  memory->app = app;
  memory->budget = budget > 0 ? budget : physical_memory () / 2;
  memory->rings = g_ptr_array_new_with_free_func (ring_free);
  for (guint i = 0; i < app->recorders->len; i++) {
    HsRecorder *r = app->recorders->pdata[i];
    g_autoptr(GstElement) tee = gst_bin_get_by_name (GST_BIN (app->pipeline),
        hs_recorder_get_source (r));
    Ring *ring = g_new0 (Ring, 1);

    ring->recorder = g_object_ref (r);
    g_object_get (r, "max-ring-bytes", &ring->own_bound, NULL);
    if (tee != NULL) {
      ring->pad = gst_element_get_static_pad (tee, "sink");
      ring->probe = gst_pad_add_probe (ring->pad,
          GST_PAD_PROBE_TYPE_EVENT_DOWNSTREAM, on_tee_event,
          g_object_ref (r), g_object_unref);
    }
    g_ptr_array_add (memory->rings, ring);
  }
  if (memory->budget == 0) {
    /* Physical memory unknown and no budget given: rings as configured. */
    g_ptr_array_unref (memory->rings);
    g_free (memory);
    return;
  }
  share (memory);
  app->memory = current = memory;
}

void
hs_launch_memory_clear (HsLaunch *app)
{
  HsLaunchMemory *memory = app->memory;

  if (memory == NULL)
    return;
  g_ptr_array_unref (memory->rings);
  g_free (memory);
  app->memory = current = NULL;
}
