/* hs-bench-passthrough: what recording N cameras' own H.264 costs.
 *
 *   hs-bench-passthrough [--sources=1,8,32,64] [--seconds=60] [--gops=1,4]
 *                        [--out=DIR]
 *
 * A pre-encoded 1280x720 30 fps H.264 clip (made once with x264enc, a
 * keyframe every GOP seconds) is replayed as N live cameras: appsrc elements
 * that get the clip's access units restamped at real time by one thread, so
 * the cameras cost no encoder. Each camera is a tee with a fakesink branch.
 * For each N, three runs of the same length, each in a child process:
 *   none     the cameras alone
 *   floor    plus one `queue ! matroskamux ! filesink` per camera, writing
 *            all the time: the cost of remuxing everything
 *   hindsight  plus an HsMultiRecorder (passthrough, pre 10 s, post 5 s) with
 *            a trigger per camera every 7 s (staggered across cameras)
 * and prints Markdown tables: CPU seconds, peak RSS, ring bytes, frames
 * dropped, close latency, and the ratios the targets are stated in.
 * Never part of the tests.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <hindsight.h>

#include <gst/app/app.h>
#include <glib/gstdio.h>
#include <stdlib.h>
#include <sys/resource.h>

#define PRE 10.0
#define POST 5.0
#define TRIGGER_EVERY (7 * GST_SECOND)
#define FPS 30
#define FRAME_DURATION (GST_SECOND / FPS)
#define CLIP_SECONDS 20

/* ------------------------------------------------------------------------ */
/* The clip                                                                 */

static char *
clip_path (const char *dir, guint gop)
{
  g_autofree char *name = g_strdup_printf ("clip-720p30-2mbps-gop%us.mkv",
      gop);

  return g_build_filename (dir, name, NULL);
}

static gboolean
run_to_eos (const char *description, GError **error)
{
  g_autoptr(GstElement) pipeline = gst_parse_launch (description, error);
  g_autoptr(GstBus) bus = NULL;
  g_autoptr(GstMessage) message = NULL;

  if (pipeline == NULL)
    return FALSE;
  gst_object_ref_sink (pipeline);
  bus = gst_element_get_bus (pipeline);
  gst_element_set_state (pipeline, GST_STATE_PLAYING);
  message = gst_bus_timed_pop_filtered (bus, GST_CLOCK_TIME_NONE,
      GST_MESSAGE_EOS | GST_MESSAGE_ERROR);
  gst_element_set_state (pipeline, GST_STATE_NULL);
  if (GST_MESSAGE_TYPE (message) == GST_MESSAGE_ERROR) {
    gst_message_parse_error (message, error, NULL);
    return FALSE;
  }
  return TRUE;
}

/* Made once per out folder: 20 s at about 2 Mbit/s, as a 720p camera (the
 * picture is noise, so that the encoder spends the whole bitrate). */
static gboolean
ensure_clip (const char *path, guint gop, GError **error)
{
  g_autofree char *description = NULL;

  if (g_file_test (path, G_FILE_TEST_EXISTS))
    return TRUE;
  g_printerr ("making %s\n", path);
  description = g_strdup_printf ("videotestsrc num-buffers=%u pattern=snow "
      "! video/x-raw,format=I420,width=1280,height=720,framerate=%u/1 ! "
      "x264enc bitrate=2000 key-int-max=%u tune=zerolatency "
      "speed-preset=veryfast ! h264parse ! matroskamux ! filesink "
      "location=\"%s\"", CLIP_SECONDS * FPS, FPS, gop * FPS, path);
  return run_to_eos (description, error);
}

typedef struct {
  GstCaps *caps;
  GPtrArray *buffers;           /* GstBuffer, in decode order */
} Clip;

static gboolean
load_clip (const char *path, Clip *clip, GError **error)
{
  g_autofree char *description = g_strdup_printf ("filesrc location=\"%s\" ! "
      "matroskademux ! h264parse ! video/x-h264,stream-format=avc,"
      "alignment=au ! appsink name=sink sync=false", path);
  g_autoptr(GstElement) pipeline = gst_parse_launch (description, error);
  g_autoptr(GstElement) sink = NULL;

  if (pipeline == NULL)
    return FALSE;
  gst_object_ref_sink (pipeline);
  sink = gst_bin_get_by_name (GST_BIN (pipeline), "sink");
  clip->buffers = g_ptr_array_new_with_free_func (
      (GDestroyNotify) gst_buffer_unref);
  gst_element_set_state (pipeline, GST_STATE_PLAYING);
  for (;;) {
    g_autoptr(GstSample) sample = gst_app_sink_pull_sample (
        GST_APP_SINK (sink));

    if (sample == NULL)
      break;
    if (clip->caps == NULL)
      clip->caps = gst_caps_ref (gst_sample_get_caps (sample));
    g_ptr_array_add (clip->buffers,
        gst_buffer_ref (gst_sample_get_buffer (sample)));
  }
  gst_element_set_state (pipeline, GST_STATE_NULL);
  if (clip->caps == NULL) {
    g_set_error (error, GST_STREAM_ERROR, GST_STREAM_ERROR_DECODE,
        "%s: no frame", path);
    return FALSE;
  }
  return TRUE;
}

/* ------------------------------------------------------------------------ */
/* A child: one run                                                         */

typedef struct {
  const char *config;
  guint n;
  guint seconds;
  const char *out;
  Clip clip;
  GstElement *pipeline;
  GstElement **sources;
  HsMultiRecorder *multi;
  GMainLoop *loop;
  gint stop;                    /* atomic */
  gint stopping;                /* atomic: set once the stop began */

  /* main context */
  guint n_files;
  guint64 n_dropped;
  guint64 n_frames;
  GstClockTime max_latency;
  GstClockTime total_shortfall;
  guint64 max_ring_bytes;
} Child;

static GstClockTime
running_time (GstElement *pipeline)
{
  g_autoptr(GstClock) clock = gst_element_get_clock (pipeline);

  if (clock == NULL)
    return GST_CLOCK_TIME_NONE;
  return gst_clock_get_time (clock) - gst_element_get_base_time (pipeline);
}

static void
on_finished (HsMultiRecorder *multi, HsRecording *r, gpointer user_data)
{
  Child *c = user_data;
  GstClockTime end = hs_recording_get_start_time (r) +
      hs_recording_get_duration (r);
  GstClockTime now = running_time (c->pipeline);

  c->n_files++;
  c->n_dropped += hs_recording_get_n_dropped (r);
  c->n_frames += hs_recording_get_n_frames (r);
  c->total_shortfall += hs_recording_get_shortfall (r);
  if (hs_recording_get_error (r) != NULL)
    g_printerr ("%s: %s\n", hs_recording_get_location (r),
        hs_recording_get_error (r)->message);
  /* How long after the end of its last frame a file was closed (the frame
   * after it, which ends the window, comes one frame later); files the
   * final stop closed do not count. */
  if (!g_atomic_int_get (&c->stopping) && GST_CLOCK_TIME_IS_VALID (now) &&
      now > end)
    c->max_latency = MAX (c->max_latency, now - end);
}

/* The cameras: frame k of the clip (looping) at running time k / 30 s, to
 * every source; triggers when their time comes. */
static gpointer
push_frames (gpointer data)
{
  Child *c = data;
  g_autoptr(GstClock) clock = gst_element_get_clock (c->pipeline);
  GstClockTime base = gst_element_get_base_time (c->pipeline);
  guint n_clip = c->clip.buffers->len;
  g_autofree GstClockTime *next = g_new (GstClockTime, c->n);

  /* A trigger per camera every 7 s from 10 s on, the cameras spread over
   * those 7 s; each given when its time comes. */
  for (guint i = 0; i < c->n; i++)
    next[i] = 10 * GST_SECOND + i * (TRIGGER_EVERY / c->n);

  for (guint64 k = 0; !g_atomic_int_get (&c->stop); k++) {
    GstClockTime pts = k * FRAME_DURATION;
    GstBuffer *frame = c->clip.buffers->pdata[k % n_clip];
    GstClockID id = gst_clock_new_single_shot_id (clock, base + pts);

    gst_clock_id_wait (id, NULL);
    gst_clock_id_unref (id);
    for (guint i = 0; i < c->n; i++) {
      /* Memory of its own, as a camera's frame has. */
      GstBuffer *copy = gst_buffer_copy_deep (frame);

      GST_BUFFER_PTS (copy) = GST_BUFFER_DTS (copy) = pts;
      GST_BUFFER_DURATION (copy) = FRAME_DURATION;
      gst_app_src_push_buffer (GST_APP_SRC (c->sources[i]), copy);
    }
    for (guint i = 0; c->multi != NULL && i < c->n; i++) {
      if (pts >= next[i]) {
        g_autofree char *name = g_strdup_printf ("cam_%u", i);

        hs_multi_recorder_trigger_at (c->multi, name, next[i], NULL);
        next[i] += TRIGGER_EVERY;
      }
    }
  }
  for (guint i = 0; i < c->n; i++)
    gst_app_src_end_of_stream (GST_APP_SRC (c->sources[i]));
  return NULL;
}

static gboolean
sample_rings (gpointer data)
{
  Child *c = data;
  guint64 bytes = 0;
  g_auto(GStrv) sources = NULL;

  if (c->multi == NULL)
    return G_SOURCE_CONTINUE;
  sources = hs_multi_recorder_dup_sources (c->multi);
  for (guint i = 0; sources[i] != NULL; i++)
    bytes += hs_ring_buffer_get_n_bytes (hs_recorder_get_ring_buffer (
            hs_multi_recorder_get_recorder (c->multi, sources[i])));
  c->max_ring_bytes = MAX (c->max_ring_bytes, bytes);
  return G_SOURCE_CONTINUE;
}

static gboolean
on_time_up (gpointer data)
{
  Child *c = data;

  g_atomic_int_set (&c->stopping, 1);
  g_atomic_int_set (&c->stop, 1);
  return G_SOURCE_REMOVE;
}

static double
cpu_seconds (void)
{
  struct rusage usage;

  getrusage (RUSAGE_SELF, &usage);
  return usage.ru_utime.tv_sec + usage.ru_utime.tv_usec / 1e6 +
      usage.ru_stime.tv_sec + usage.ru_stime.tv_usec / 1e6;
}

/* Peak RSS of this process since its exec, in MB. */
static double
peak_rss_mb (void)
{
  g_autofree char *status = NULL;
  const char *line;

  if (g_file_get_contents ("/proc/self/status", &status, NULL, NULL) &&
      (line = strstr (status, "VmHWM:")) != NULL)
    return g_ascii_strtod (line + 6, NULL) / 1024.0;
  return 0;
}

static GstElement *
build_pipeline (Child *c)
{
  g_autoptr(GString) d = g_string_new (NULL);
  g_autoptr(GError) error = NULL;
  GstElement *pipeline;

  for (guint i = 0; i < c->n; i++) {
    g_string_append_printf (d, "appsrc name=src_%u is-live=true format=time "
        "max-bytes=0 block=false ! tee name=cam_%u cam_%u. ! queue ! fakesink "
        "sync=false async=false ", i, i, i);
    if (g_str_equal (c->config, "floor"))
      g_string_append_printf (d, "cam_%u. ! queue ! matroskamux ! filesink "
          "location=\"%s/floor-%u.mkv\" sync=false async=false ", i, c->out,
          i);
  }
  pipeline = gst_parse_launch (d->str, &error);
  g_assert_no_error (error);
  c->sources = g_new0 (GstElement *, c->n);
  for (guint i = 0; i < c->n; i++) {
    g_autofree char *name = g_strdup_printf ("src_%u", i);

    c->sources[i] = gst_bin_get_by_name (GST_BIN (pipeline), name);
    gst_app_src_set_caps (GST_APP_SRC (c->sources[i]), c->clip.caps);
  }
  return pipeline;
}

static int
run_child (Child *c, const char *clip)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(HsPipeline) runner = NULL;
  GThread *pusher;
  double cpu_start, cpu;

  if (!load_clip (clip, &c->clip, &error)) {
    g_printerr ("%s\n", error->message);
    return 1;
  }
  c->pipeline = build_pipeline (c);
  runner = hs_pipeline_new_for_pipeline (c->pipeline);
  if (g_str_equal (c->config, "hindsight")) {
    g_autofree char *location = g_build_filename (c->out,
        "%{source}-%{index}.%{ext}", NULL);

    c->multi = hs_multi_recorder_new (c->pipeline, "cam_%u", &error);
    g_assert_no_error (error);
    g_object_set (c->multi, "pre", PRE, "post", POST, "location", location,
        NULL);
    g_signal_connect (c->multi, "recording-finished",
        G_CALLBACK (on_finished), c);
  }

  cpu_start = cpu_seconds ();
  g_timeout_add_seconds (1, sample_rings, c);
  g_timeout_add_seconds (c->seconds, on_time_up, c);
  if (!hs_pipeline_start (runner, &error)) {
    g_printerr ("%s\n", error->message);
    return 1;
  }
  pusher = g_thread_new ("cameras", push_frames, c);
  g_thread_join (pusher);
  hs_pipeline_wait (runner, &error);
  cpu = cpu_seconds () - cpu_start;

  g_print ("result config=%s n=%u cpu=%.2f rss=%.1f ring=%.1f files=%u "
      "frames=%" G_GUINT64_FORMAT " dropped=%" G_GUINT64_FORMAT
      " latency=%.3f shortfall=%.3f\n", c->config, c->n, cpu, peak_rss_mb (),
      c->max_ring_bytes / 1048576.0, c->n_files, c->n_frames, c->n_dropped,
      (double) c->max_latency / GST_SECOND,
      (double) c->total_shortfall / GST_SECOND);
  return 0;
}

/* ------------------------------------------------------------------------ */
/* The parent: every run, then the tables                                   */

typedef struct {
  double cpu, rss, ring, latency, shortfall;
  guint files;
  guint64 frames, dropped;
} Result;

static gboolean
parse_result (const char *output, Result *r)
{
  const char *line = strstr (output, "result ");
  g_auto(GStrv) fields = NULL;

  if (line == NULL)
    return FALSE;
  fields = g_strsplit_set (line, " \n", -1);
  for (guint i = 0; fields[i] != NULL; i++) {
    const char *eq = strchr (fields[i], '=');
    double value;

    if (eq == NULL)
      continue;
    value = g_ascii_strtod (eq + 1, NULL);
    if (g_str_has_prefix (fields[i], "cpu="))
      r->cpu = value;
    else if (g_str_has_prefix (fields[i], "rss="))
      r->rss = value;
    else if (g_str_has_prefix (fields[i], "ring="))
      r->ring = value;
    else if (g_str_has_prefix (fields[i], "files="))
      r->files = (guint) value;
    else if (g_str_has_prefix (fields[i], "frames="))
      r->frames = (guint64) value;
    else if (g_str_has_prefix (fields[i], "dropped="))
      r->dropped = (guint64) value;
    else if (g_str_has_prefix (fields[i], "latency="))
      r->latency = value;
    else if (g_str_has_prefix (fields[i], "shortfall="))
      r->shortfall = value;
  }
  return TRUE;
}

static void
remove_files (const char *dir, const char *prefix)
{
  g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);
  const char *name;

  while (d != NULL && (name = g_dir_read_name (d)) != NULL) {
    g_autofree char *path = g_build_filename (dir, name, NULL);

    if (g_str_has_prefix (name, prefix))
      g_unlink (path);
  }
}

static gboolean
run (const char *self_exe, const char *config, guint n, guint gop,
     guint seconds, const char *out, Result *r)
{
  g_autofree char *clip = clip_path (out, gop);
  g_autofree char *n_arg = g_strdup_printf ("--n=%u", n);
  g_autofree char *s_arg = g_strdup_printf ("--seconds=%u", seconds);
  g_autofree char *c_arg = g_strdup_printf ("--child=%s", config);
  g_autofree char *clip_arg = g_strdup_printf ("--clip=%s", clip);
  g_autofree char *out_arg = g_strdup_printf ("--out=%s", out);
  const char *argv[] = { self_exe, c_arg, n_arg, s_arg, clip_arg, out_arg,
    NULL };
  g_autofree char *output = NULL;
  g_autoptr(GError) error = NULL;
  int status;

  g_printerr ("run: %s, %u camera(s), GOP %u s, %u s\n", config, n, gop,
      seconds);
  if (!g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_DEFAULT, NULL, NULL,
          &output, NULL, &status, &error) ||
      !g_spawn_check_wait_status (status, &error)) {
    g_printerr ("%s: %s\n", config, error->message);
    return FALSE;
  }
  /* Only the numbers are kept: 64 cameras write 1 GB a minute. */
  remove_files (out, "floor-");
  remove_files (out, "cam_");
  return parse_result (output, r);
}

static double
load_average (void)
{
  g_autofree char *text = NULL;

  if (!g_file_get_contents ("/proc/loadavg", &text, NULL, NULL))
    return -1;
  return g_ascii_strtod (text, NULL);
}

int
main (int argc, char **argv)
{
  g_autofree char *sources = g_strdup ("1,8,32,64");
  g_autofree char *gops = g_strdup ("1,4");
  g_autofree char *child = NULL;
  g_autofree char *clip = NULL;
  g_autofree char *out = NULL;
  int n = 1, seconds = 60;
  GOptionEntry entries[] = {
    { "sources", 0, 0, G_OPTION_ARG_STRING, &sources, "Numbers of cameras",
      "N,..." },
    { "gops", 0, 0, G_OPTION_ARG_STRING, &gops, "GOP lengths in seconds; "
      "the second and later only at the largest N", "G,..." },
    { "seconds", 0, 0, G_OPTION_ARG_INT, &seconds, "Length of each run",
      "S" },
    { "out", 0, 0, G_OPTION_ARG_FILENAME, &out, "Folder for clips and files",
      "DIR" },
    { "child", 0, G_OPTION_FLAG_HIDDEN, G_OPTION_ARG_STRING, &child, NULL,
      NULL },
    { "n", 0, G_OPTION_FLAG_HIDDEN, G_OPTION_ARG_INT, &n, NULL, NULL },
    { "clip", 0, G_OPTION_FLAG_HIDDEN, G_OPTION_ARG_FILENAME, &clip, NULL,
      NULL },
    { NULL }
  };
  g_autoptr(GOptionContext) context = g_option_context_new (NULL);
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) ns = NULL;
  g_auto(GStrv) gop_list = NULL;
  const char *configs[] = { "none", "floor", "hindsight" };

  g_option_context_add_main_entries (context, entries, NULL);
  g_option_context_add_group (context, gst_init_get_option_group ());
  if (!g_option_context_parse (context, &argc, &argv, &error)) {
    g_printerr ("%s\n", error->message);
    return 2;
  }
  if (out == NULL)
    out = g_build_filename (g_get_tmp_dir (), "hs-bench-passthrough", NULL);
  g_mkdir_with_parents (out, 0755);

  if (child != NULL) {
    Child c = { .config = child, .n = n, .seconds = seconds, .out = out };

    return run_child (&c, clip);
  }

  ns = g_strsplit (sources, ",", -1);
  gop_list = g_strsplit (gops, ",", -1);
  for (guint g = 0; gop_list[g] != NULL; g++) {
    g_autofree char *path = clip_path (out, atoi (gop_list[g]));

    if (!ensure_clip (path, atoi (gop_list[g]), &error)) {
      g_printerr ("%s\n", error->message);
      return 1;
    }
  }

  g_print ("Cameras: pre-encoded 1280x720 30 fps H.264 at about 2 Mbit/s, "
      "replayed live. pre %.0f s, post %.0f s, a trigger per camera every "
      "%.0f s. %d s per run. Load average at the start: %.2f.\n\n", PRE,
      POST, (double) TRIGGER_EVERY / GST_SECOND, seconds, load_average ());
  g_print ("| cameras | GOP s | CPU s none | CPU s floor | CPU s hindsight | "
      "added CPU hindsight / floor | RSS MB none | RSS MB hindsight | "
      "ring MB peak | RSS added - ring, MB per camera | files | frames "
      "dropped | gaps at tiling s | max close latency s |\n");
  g_print ("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- "
      "| --- | --- | --- |\n");
  for (guint g = 0; gop_list[g] != NULL; g++) {
    for (guint i = 0; ns[i] != NULL; i++) {
      guint cameras = atoi (ns[i]);
      Result r[3] = { { 0 } };
      gboolean ok = TRUE;

      /* Longer GOPs only at the largest N. */
      if (g > 0 && ns[i + 1] != NULL)
        continue;
      for (guint k = 0; k < G_N_ELEMENTS (configs); k++)
        ok &= run (argv[0], configs[k], cameras, atoi (gop_list[g]),
            seconds, out, &r[k]);
      if (!ok)
        return 1;
      g_print ("| %u | %s | %.2f | %.2f | %.2f | %.2fx | %.1f | %.1f | %.1f | "
          "%.2f | %u | %" G_GUINT64_FORMAT " | %.2f | %.3f |\n", cameras,
          gop_list[g], r[0].cpu, r[1].cpu, r[2].cpu,
          (r[2].cpu - r[0].cpu) / MAX (r[1].cpu - r[0].cpu, 0.01), r[0].rss,
          r[2].rss, r[2].ring, (r[2].rss - r[0].rss - r[2].ring) / cameras,
          r[2].files, r[2].dropped, r[2].shortfall, r[2].latency);
    }
  }
  return 0;
}
