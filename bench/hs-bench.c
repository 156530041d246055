/* hindsight's benchmark suite.
 *
 *   hs-bench [--quick] [--scenario=A,B,C] [--sources=1,2,4,8] [--out=DIR]
 *
 * Every measured run is a child process of its own (this program again,
 * with --child), so that wait4() gives its CPU time (user + sys) and peak
 * RSS alone. The parent then decodes every file the child wrote and checks
 * it against the frames that went through the tee, which the child logged.
 *
 * A  the reference: one 1280x720 30 fps live test source, pre = post = 5 s,
 *    triggers at 6, 8 and 20 s, stop at 30 s; raw and encoded mode against
 *    the same pipeline without recorder and against a plain encode of the
 *    same frames (hs-bench-floor).
 * B  scale: 1, 2, 4, 8 sources of 640x480 30 fps, encoded mode, pre = 10 s,
 *    a trigger per source every 7 s.
 * C  idle: 8 sources buffering, no trigger, raw and encoded mode.
 *
 * Tables go to stdout (Markdown); scaling.dat (scenario B) to the output
 * folder, for bench/plot.gp.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <glib/gstdio.h>
#include <hindsight.h>

#define TICK_MS 10
#define STOP_TIMEOUT_US (30 * G_USEC_PER_SEC)
#define MATCH_TOLERANCE (GST_MSECOND + GST_MSECOND / 2)  /* WebM keeps ms */
#define MIB (1024.0 * 1024.0)

/* The targets each scenario is measured against. */
#define TARGET_IDLE_CPU 1.05
#define TARGET_RAW_RSS_SLACK_MB 10.0
#define TARGET_RECORD_CPU 1.15
#define TARGET_ENCODED_RSS 0.05
#define TARGET_ENCODED_RECORD_CPU 0.1
#define TARGET_CLOSE_MS 300.0
#define TARGET_LINEAR_R2 0.99

/* What one child runs. */
typedef struct {
  guint n;                      /* sources */
  int width;
  int height;
  char *format;                 /* NULL: whatever the pipeline negotiates */
  char *mode;                   /* none, raw, encoded */
  double pre;
  double post;
  double duration;              /* EOS at this running time */
  char *triggers;               /* seconds, "6,8,20", for every source */
  double every;                 /* or one trigger every so many seconds */
  int threads;                  /* encoder threads, 0: the recorder's default */
  char *out;                    /* folder for the files and the report */
} Spec;

static GstClockTime
seconds (double s)
{
  return (GstClockTime) (s * GST_SECOND + 0.5);
}

static double
ms (gint64 ns)
{
  return ns / 1e6;
}

static GArray *
spec_triggers (const Spec *spec)
{
  GArray *times = g_array_new (FALSE, FALSE, sizeof (GstClockTime));

  if (spec->triggers != NULL && spec->triggers[0] != '\0') {
    g_auto(GStrv) parts = g_strsplit (spec->triggers, ",", -1);

    for (guint i = 0; parts[i] != NULL; i++) {
      GstClockTime t = seconds (g_ascii_strtod (parts[i], NULL));

      g_array_append_val (times, t);
    }
  } else if (spec->every > 0) {
    for (guint k = 1; k * spec->every < spec->duration; k++) {
      GstClockTime t = seconds (k * spec->every);

      g_array_append_val (times, t);
    }
  }
  return times;
}

static char *
tee_name (const Spec *spec, guint i)
{
  /* The reference pipeline of scenario A names its one tee "t". */
  return spec->n == 1 ? g_strdup ("t") : g_strdup_printf ("t%u", i);
}

static char *
describe_pipeline (const Spec *spec)
{
  GString *d = g_string_new (NULL);

  for (guint i = 0; i < spec->n; i++) {
    g_autofree char *tee = tee_name (spec, i);

    g_string_append_printf (d, "%svideotestsrc is-live=true pattern=smpte ! "
        "video/x-raw,width=%d,height=%d,framerate=30/1%s%s ! timeoverlay ! "
        "tee name=%s %s. ! fakesink sync=true", i > 0 ? "  " : "",
        spec->width, spec->height, spec->format ? ",format=" : "",
        spec->format ? spec->format : "", tee, tee);
  }
  return g_string_free (d, FALSE);
}

/* Where a child's CPU goes, by thread. GStreamer names a streaming thread
 * after its pad ("videotestsrc0:src"), and threads inherit the name of the
 * thread that made them (libvpx's workers), so the name tells the role:
 * the user's pipeline, the ring branch (converter, ring encoder, appsink),
 * the record pipelines (appsrc "src" of hs-writer.c: encoder, muxer, file)
 * and the main context (triggers, pumping, signals). */
typedef enum {
  ROLE_SOURCE,
  ROLE_RING,
  ROLE_RECORD,
  ROLE_MAIN,
  ROLE_OTHER,
  N_ROLES
} Role;

static const char *const role_names[N_ROLES] = {
  "source", "ring", "record", "main", "other"
};

static Role
role_of (const char *comm)
{
  if (g_str_has_prefix (comm, "videotestsrc"))
    return ROLE_SOURCE;
  if (g_str_has_prefix (comm, "queue"))
    return ROLE_RING;
  if (g_str_equal (comm, "src:src"))
    return ROLE_RECORD;
  if (g_str_equal (comm, "hs-bench"))
    return ROLE_MAIN;
  return ROLE_OTHER;
}

typedef struct {
  GHashTable *last;             /* tid -> ticks seen last time */
  guint64 ticks[N_ROLES];
} ThreadCpu;

/* Adds what each thread used since the last look to the role its name
 * has now. What a thread used after the last look before it ended is lost
 * here; the wait4() total still has it ("other" takes the difference). */
static void
thread_cpu_sample (ThreadCpu *tc)
{
  GDir *dir = g_dir_open ("/proc/self/task", 0, NULL);
  const char *name;

  if (dir == NULL)
    return;
  while ((name = g_dir_read_name (dir)) != NULL) {
    g_autofree char *path = g_strdup_printf ("/proc/self/task/%s/stat", name);
    g_autofree char *stat = NULL;
    char *open_paren, *close_paren, *comm;
    guint64 utime = 0, stime = 0, ticks, last;
    gpointer key = GUINT_TO_POINTER (g_ascii_strtoull (name, NULL, 10));

    if (!g_file_get_contents (path, &stat, NULL, NULL))
      continue;
    open_paren = strchr (stat, '(');
    close_paren = strrchr (stat, ')');
    if (open_paren == NULL || close_paren == NULL)
      continue;
    comm = g_strndup (open_paren + 1, close_paren - open_paren - 1);
    /* fields after the name: state ppid pgrp session tty tpgid flags minflt
     * cminflt majflt cmajflt utime stime */
    sscanf (close_paren + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %"
        G_GUINT64_FORMAT " %" G_GUINT64_FORMAT, &utime, &stime);
    ticks = utime + stime;
    last = GPOINTER_TO_SIZE (g_hash_table_lookup (tc->last, key));
    if (ticks > last)
      tc->ticks[role_of (comm)] += ticks - last;
    g_hash_table_insert (tc->last, key, GSIZE_TO_POINTER (ticks));
    g_free (comm);
  }
  g_dir_close (dir);
}

/* ------------------------------------------------------------------------ */
/* The child: runs the pipeline, triggers, logs what happened               */

typedef struct _Child Child;

typedef struct {
  Child *child;
  guint index;
  char *tee;
  GMutex lock;
  GArray *pts;                  /* running time of every frame at the tee */
  GstSegment segment;
  HsRecorder *recorder;
  guint next_trigger;
  guint64 ring_peak_bytes;
  guint ring_peak_samples;
} Source;

struct _Child {
  const Spec *spec;
  GMainLoop *loop;
  GstElement *pipeline;
  Source *sources;
  GArray *triggers;
  GstClockTime stop;
  gboolean eos_sent;
  gboolean eos_seen;
  gint64 eos_sent_us;
  GKeyFile *report;
  guint n_files;
  char *error;
  ThreadCpu thread_cpu;
  guint n_ticks;
  GPtrArray *queues;            /* the ring branches' queues */
  guint64 queue_peak_bytes;     /* peak of their summed levels */
};

static GstClockTime
child_running_time (Child *c)
{
  g_autoptr(GstClock) clock = NULL;
  GstClockTime now, base;

  if (GST_STATE (c->pipeline) != GST_STATE_PLAYING)
    return GST_CLOCK_TIME_NONE;
  clock = gst_element_get_clock (c->pipeline);
  if (clock == NULL)
    return GST_CLOCK_TIME_NONE;
  now = gst_clock_get_time (clock);
  base = gst_element_get_base_time (c->pipeline);
  return now > base ? now - base : 0;
}

/* Streaming thread of the source. */
static GstPadProbeReturn
on_tee_data (GstPad *pad, GstPadProbeInfo *info, gpointer user_data)
{
  Source *s = user_data;

  if (info->type & GST_PAD_PROBE_TYPE_EVENT_DOWNSTREAM) {
    GstEvent *event = GST_PAD_PROBE_INFO_EVENT (info);

    if (GST_EVENT_TYPE (event) == GST_EVENT_SEGMENT) {
      g_mutex_lock (&s->lock);
      gst_event_copy_segment (event, &s->segment);
      g_mutex_unlock (&s->lock);
    }
  } else if (info->type & GST_PAD_PROBE_TYPE_BUFFER) {
    GstBuffer *buffer = GST_PAD_PROBE_INFO_BUFFER (info);
    guint64 t;

    g_mutex_lock (&s->lock);
    t = gst_segment_to_running_time (&s->segment, GST_FORMAT_TIME,
        GST_BUFFER_PTS (buffer));
    if (t != GST_CLOCK_TIME_NONE)
      g_array_append_val (s->pts, t);
    g_mutex_unlock (&s->lock);
  }
  return GST_PAD_PROBE_OK;
}

/* The recorder's main context: this thread. */
static void
on_finished (HsRecorder *recorder, HsRecording *r, gpointer user_data)
{
  Source *s = user_data;
  Child *c = s->child;
  GstClockTime now = child_running_time (c);
  g_autofree char *group = g_strdup_printf ("file%u", c->n_files++);
  const GError *error = hs_recording_get_error (r);
  const char *location = hs_recording_get_location (r);

  g_key_file_set_integer (c->report, group, "source", s->index);
  g_key_file_set_string (c->report, group, "location",
      location ? location : "");
  g_key_file_set_uint64 (c->report, group, "start",
      hs_recording_get_start_time (r));
  g_key_file_set_uint64 (c->report, group, "end",
      hs_recording_get_end_time (r));
  g_key_file_set_int64 (c->report, group, "requested",
      hs_recording_get_requested_start (r));
  g_key_file_set_uint64 (c->report, group, "n-frames",
      hs_recording_get_n_frames (r));
  g_key_file_set_uint64 (c->report, group, "n-dropped",
      hs_recording_get_n_dropped (r));
  g_key_file_set_uint64 (c->report, group, "bytes",
      hs_recording_get_bytes (r));
  g_key_file_set_uint64 (c->report, group, "finished-at", now);
  if (error != NULL)
    g_key_file_set_string (c->report, group, "error", error->message);
}

static gboolean
all_idle (Child *c)
{
  for (guint i = 0; i < c->spec->n; i++)
    if (c->sources[i].recorder != NULL &&
        hs_recorder_get_busy (c->sources[i].recorder))
      return FALSE;
  return TRUE;
}

static gboolean
on_tick (gpointer user_data)
{
  Child *c = user_data;
  GstClockTime now = child_running_time (c);

  if (++c->n_ticks % 10 == 0)
    thread_cpu_sample (&c->thread_cpu);
  if (c->queues != NULL) {
    guint64 sum = 0;

    for (guint i = 0; i < c->queues->len; i++) {
      guint level = 0;

      g_object_get (c->queues->pdata[i], "current-level-bytes", &level, NULL);
      sum += level;
    }
    c->queue_peak_bytes = MAX (c->queue_peak_bytes, sum);
  }
  if (!c->eos_sent && now == GST_CLOCK_TIME_NONE)
    return G_SOURCE_CONTINUE;

  for (guint i = 0; i < c->spec->n; i++) {
    Source *s = &c->sources[i];
    HsRingBuffer *ring;

    if (s->recorder == NULL)
      continue;
    ring = hs_recorder_get_ring_buffer (s->recorder);
    s->ring_peak_bytes = MAX (s->ring_peak_bytes,
        hs_ring_buffer_get_n_bytes (ring));
    s->ring_peak_samples = MAX (s->ring_peak_samples,
        hs_ring_buffer_get_n_samples (ring));
    /* An event at T is known when the clock passes T, as a detector's
     * would be. */
    while (!c->eos_sent && s->next_trigger < c->triggers->len &&
        g_array_index (c->triggers, GstClockTime, s->next_trigger) <= now) {
      hs_recorder_trigger_at (s->recorder,
          g_array_index (c->triggers, GstClockTime, s->next_trigger));
      s->next_trigger++;
    }
  }

  if (!c->eos_sent) {
    if (now >= c->stop) {
      c->eos_sent = TRUE;
      c->eos_sent_us = g_get_monotonic_time ();
      gst_element_send_event (c->pipeline, gst_event_new_eos ());
    }
  } else if (c->eos_seen && all_idle (c)) {
    g_main_loop_quit (c->loop);
  } else if (g_get_monotonic_time () - c->eos_sent_us > STOP_TIMEOUT_US) {
    c->error = g_strdup ("the pipeline did not stop within 30 s of its EOS");
    g_main_loop_quit (c->loop);
  }
  return G_SOURCE_CONTINUE;
}

static gboolean
on_bus (GstBus *bus, GstMessage *message, gpointer user_data)
{
  Child *c = user_data;

  if (GST_MESSAGE_TYPE (message) == GST_MESSAGE_EOS) {
    c->eos_seen = TRUE;
  } else if (GST_MESSAGE_TYPE (message) == GST_MESSAGE_ERROR) {
    g_autoptr(GError) error = NULL;

    gst_message_parse_error (message, &error, NULL);
    if (c->error == NULL)
      c->error = g_strdup_printf ("%s: %s",
          GST_OBJECT_NAME (GST_MESSAGE_SRC (message)), error->message);
    g_main_loop_quit (c->loop);
  }
  return G_SOURCE_CONTINUE;
}

static char *
join_times (GArray *times)
{
  GString *s = g_string_sized_new (times->len * 12);

  for (guint i = 0; i < times->len; i++)
    g_string_append_printf (s, "%s%" G_GUINT64_FORMAT, i ? "," : "",
        g_array_index (times, guint64, i));
  return g_string_free (s, FALSE);
}

/* Peak RSS of this process since its exec: VmHWM belongs to the address
 * space, unlike ru_maxrss, which Linux carries over from the parent across
 * fork and exec. */
static void
print_vmhwm (void)
{
  g_autofree char *status = NULL;
  const char *line;

  if (g_file_get_contents ("/proc/self/status", &status, NULL, NULL) &&
      (line = strstr (status, "VmHWM:")) != NULL)
    g_print ("hs-bench-vmhwm-kb: %" G_GUINT64_FORMAT "\n",
        g_ascii_strtoull (line + 6, NULL, 10));
}

static int
child_main (const Spec *spec)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *description = describe_pipeline (spec);
  g_autofree char *report_path = g_build_filename (spec->out, "report.ini",
      NULL);
  g_autoptr(GstBus) bus = NULL;
  HsRecorderMode mode = HS_RECORDER_MODE_RAW;
  gboolean record = !g_str_equal (spec->mode, "none");
  Child c = { 0 };
  guint tick_id, bus_id;

  if (g_str_equal (spec->mode, "encoded"))
    mode = HS_RECORDER_MODE_ENCODED;
  c.spec = spec;
  c.loop = g_main_loop_new (NULL, FALSE);
  c.triggers = spec_triggers (spec);
  c.stop = seconds (spec->duration);
  c.report = g_key_file_new ();
  c.thread_cpu.last = g_hash_table_new (NULL, NULL);
  c.pipeline = gst_parse_launch (description, &error);
  if (c.pipeline == NULL) {
    g_printerr ("hs-bench: %s\n", error->message);
    return 1;
  }
  gst_object_ref_sink (c.pipeline);

  c.sources = g_new0 (Source, spec->n);
  for (guint i = 0; i < spec->n; i++) {
    Source *s = &c.sources[i];
    g_autoptr(GstElement) tee = NULL;
    g_autoptr(GstPad) pad = NULL;

    s->child = &c;
    s->index = i;
    s->tee = tee_name (spec, i);
    g_mutex_init (&s->lock);
    s->pts = g_array_sized_new (FALSE, FALSE, sizeof (guint64),
        (guint) (spec->duration * 31) + 64);
    gst_segment_init (&s->segment, GST_FORMAT_TIME);
    tee = gst_bin_get_by_name (GST_BIN (c.pipeline), s->tee);
    pad = gst_element_get_static_pad (tee, "sink");
    gst_pad_add_probe (pad, GST_PAD_PROBE_TYPE_BUFFER |
        GST_PAD_PROBE_TYPE_EVENT_DOWNSTREAM, on_tee_data, s, NULL);

    if (record) {
      g_autofree char *location = g_build_filename (spec->out,
          "%{source}-%{index}.webm", NULL);

      s->recorder = g_initable_new (HS_TYPE_RECORDER, NULL, &error,
          "pipeline", c.pipeline, "source", s->tee,
          "pre", spec->pre, "post", spec->post, "mode", mode,
          "location", location, NULL);
      if (s->recorder == NULL) {
        g_printerr ("hs-bench: %s\n", error->message);
        return 1;
      }
      if (spec->threads > 0)
        g_object_set (s->recorder, "threads", (guint) spec->threads, NULL);
      g_signal_connect (s->recorder, "recording-finished",
          G_CALLBACK (on_finished), s);
    }
  }

  /* The bench pipelines have no queue of their own: every queue is the
   * head of a ring branch, which holds up to a second of the tee's frames
   * when the branch falls behind. */
  {
    GstIterator *it = gst_bin_iterate_recurse (GST_BIN (c.pipeline));
    GValue item = G_VALUE_INIT;

    c.queues = g_ptr_array_new_with_free_func (gst_object_unref);
    while (gst_iterator_next (it, &item) == GST_ITERATOR_OK) {
      GstElement *element = g_value_get_object (&item);
      GstElementFactory *factory = gst_element_get_factory (element);

      if (factory != NULL && g_str_equal (GST_OBJECT_NAME (factory), "queue"))
        g_ptr_array_add (c.queues, gst_object_ref (element));
      g_value_reset (&item);
    }
    g_value_unset (&item);
    gst_iterator_free (it);
  }

  bus = gst_element_get_bus (c.pipeline);
  bus_id = gst_bus_add_watch (bus, on_bus, &c);
  tick_id = g_timeout_add (TICK_MS, on_tick, &c);
  if (gst_element_set_state (c.pipeline, GST_STATE_PLAYING) ==
      GST_STATE_CHANGE_FAILURE) {
    g_printerr ("hs-bench: the pipeline does not start\n");
    return 1;
  }
  g_main_loop_run (c.loop);
  g_source_remove (tick_id);
  g_source_remove (bus_id);
  thread_cpu_sample (&c.thread_cpu);
  gst_element_set_state (c.pipeline, GST_STATE_NULL);
  for (guint r = 0; r < N_ROLES; r++) {
    g_autofree char *key = g_strdup_printf ("cpu-%s", role_names[r]);

    g_key_file_set_double (c.report, "run", key,
        (double) c.thread_cpu.ticks[r] / sysconf (_SC_CLK_TCK));
  }

  for (guint i = 0; i < spec->n; i++) {
    Source *s = &c.sources[i];
    g_autofree char *group = g_strdup_printf ("source%u", i);
    g_autofree char *times = NULL;

    g_clear_object (&s->recorder);
    g_mutex_lock (&s->lock);
    times = join_times (s->pts);
    g_mutex_unlock (&s->lock);
    g_key_file_set_string (c.report, group, "tee", s->tee);
    g_key_file_set_string (c.report, group, "pts", times);
    g_key_file_set_uint64 (c.report, group, "ring-peak-bytes",
        s->ring_peak_bytes);
    g_key_file_set_uint64 (c.report, group, "ring-peak-samples",
        s->ring_peak_samples);
  }
  g_clear_pointer (&c.queues, g_ptr_array_unref);
  g_key_file_set_integer (c.report, "run", "files", c.n_files);
  g_key_file_set_uint64 (c.report, "run", "queue-peak-bytes",
      c.queue_peak_bytes);
  if (c.error != NULL)
    g_key_file_set_string (c.report, "run", "error", c.error);
  if (!g_key_file_save_to_file (c.report, report_path, &error)) {
    g_printerr ("hs-bench: %s\n", error->message);
    return 1;
  }
  if (c.error != NULL)
    g_printerr ("hs-bench: %s\n", c.error);
  print_vmhwm ();
  return c.error != NULL ? 1 : 0;
}

/* ------------------------------------------------------------------------ */
/* Decoding what was written                                                */

typedef struct {
  GArray *pts;                  /* decoded frames, GstClockTime */
  gboolean keyframe_start;
  gboolean first_seen;
} Decoded;

static GstPadProbeReturn
on_decoded (GstPad *pad, GstPadProbeInfo *info, gpointer user_data)
{
  Decoded *d = user_data;
  GstClockTime pts = GST_BUFFER_PTS (GST_PAD_PROBE_INFO_BUFFER (info));

  g_array_append_val (d->pts, pts);
  return GST_PAD_PROBE_OK;
}

static GstPadProbeReturn
on_demuxed (GstPad *pad, GstPadProbeInfo *info, gpointer user_data)
{
  Decoded *d = user_data;
  GstBuffer *buffer = GST_PAD_PROBE_INFO_BUFFER (info);

  if (!d->first_seen) {
    d->first_seen = TRUE;
    d->keyframe_start = !GST_BUFFER_FLAG_IS_SET (buffer,
        GST_BUFFER_FLAG_DELTA_UNIT);
  }
  return GST_PAD_PROBE_OK;
}

static gboolean
decode_file (const char *path, Decoded *d, GError **error)
{
  g_autoptr(GstElement) pipeline = NULL;
  g_autoptr(GstElement) src = NULL;
  g_autoptr(GstElement) dec = NULL;
  g_autoptr(GstElement) sink = NULL;
  g_autoptr(GstPad) dec_pad = NULL;
  g_autoptr(GstPad) sink_pad = NULL;
  g_autoptr(GstBus) bus = NULL;
  g_autoptr(GstMessage) message = NULL;

  d->pts = g_array_new (FALSE, FALSE, sizeof (GstClockTime));
  d->first_seen = FALSE;
  pipeline = gst_parse_launch ("filesrc name=src ! matroskademux ! "
      "decodebin name=dec ! fakesink name=sink sync=false", error);
  if (pipeline == NULL)
    return FALSE;
  gst_object_ref_sink (pipeline);
  src = gst_bin_get_by_name (GST_BIN (pipeline), "src");
  dec = gst_bin_get_by_name (GST_BIN (pipeline), "dec");
  sink = gst_bin_get_by_name (GST_BIN (pipeline), "sink");
  g_object_set (src, "location", path, NULL);
  dec_pad = gst_element_get_static_pad (dec, "sink");
  sink_pad = gst_element_get_static_pad (sink, "sink");
  gst_pad_add_probe (dec_pad, GST_PAD_PROBE_TYPE_BUFFER, on_demuxed, d, NULL);
  gst_pad_add_probe (sink_pad, GST_PAD_PROBE_TYPE_BUFFER, on_decoded, d,
      NULL);

  gst_element_set_state (pipeline, GST_STATE_PLAYING);
  bus = gst_element_get_bus (pipeline);
  message = gst_bus_timed_pop_filtered (bus, 120 * GST_SECOND,
      GST_MESSAGE_EOS | GST_MESSAGE_ERROR);
  gst_element_set_state (pipeline, GST_STATE_NULL);
  if (message == NULL) {
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT,
        "%s: decoding did not finish", path);
    return FALSE;
  }
  if (GST_MESSAGE_TYPE (message) == GST_MESSAGE_ERROR) {
    g_autoptr(GError) gst_error = NULL;

    gst_message_parse_error (message, &gst_error, NULL);
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "%s: %s", path,
        gst_error->message);
    return FALSE;
  }
  return TRUE;
}

/* ------------------------------------------------------------------------ */
/* The parent: runs children, analyses their files                          */

typedef struct {
  GstClockTime start;
  GstClockTime end;
} Window;

typedef struct {
  guint source;
  Window w;
  gboolean end_reached;         /* the end passed before the stop */
  char *location;
  char *error;
  guint expected;               /* tee frames in the window */
  guint decoded;
  guint early;                  /* decoded, before the window (encoded mode) */
  guint lost;                   /* frames of the window missing in the file */
  guint extra;                  /* decoded, neither in the window nor early */
  double early_ms;
  double start_err_ms;
  double end_err_ms;
  double close_ms;
  guint64 dropped;
  gboolean keyframe_start;
} FileStat;

typedef struct {
  char *name;
  Spec spec;
  char *floor_kind;             /* a run of hs-bench-floor */
  guint64 floor_frames;

  gboolean ok;
  double cpu_s;
  double wall_s;
  double rss_mb;
  double other_cores;           /* load of other processes meanwhile */
  double role_cpu_s[N_ROLES];   /* by thread; "other" takes the rest */
  char *error;

  GPtrArray *files;             /* FileStat */
  guint64 ring_peak_bytes;      /* summed over the sources */
  guint64 ring_peak_samples;
  guint64 queue_peak_bytes;     /* ring branch queues, summed */
  guint64 tee_frames;
  guint n_windows;
  guint expected;
  guint decoded;
  guint early;
  guint lost;
  guint extra;
  guint64 dropped;
  guint unreported;             /* lost beyond what n-dropped owns up to */
  double max_start_err_ms;      /* |error|, early frames aside */
  double max_end_err_ms;
  double max_early_ms;
  double max_close_ms;
  guint n_errors;
} Run;

static char *self_exe;
static char *floor_exe;
static gboolean keep_files;

static void
file_stat_free (gpointer data)
{
  FileStat *f = data;

  g_free (f->location);
  g_free (f->error);
  g_free (f);
}

static Run *
run_new (const char *name, const Spec *spec)
{
  Run *run = g_new0 (Run, 1);

  run->name = g_strdup (name);
  run->spec = *spec;
  run->files = g_ptr_array_new_with_free_func (file_stat_free);
  run->max_close_ms = NAN;
  return run;
}

/* Busy and total jiffies of the whole machine. */
static void
read_cpu_jiffies (guint64 *busy, guint64 *total)
{
  g_autofree char *stat = NULL;
  guint64 v[10] = { 0 };

  *busy = *total = 0;
  if (!g_file_get_contents ("/proc/stat", &stat, NULL, NULL))
    return;
  if (sscanf (stat, "cpu %" G_GUINT64_FORMAT " %" G_GUINT64_FORMAT " %"
          G_GUINT64_FORMAT " %" G_GUINT64_FORMAT " %" G_GUINT64_FORMAT " %"
          G_GUINT64_FORMAT " %" G_GUINT64_FORMAT " %" G_GUINT64_FORMAT,
          &v[0], &v[1], &v[2], &v[3], &v[4], &v[5], &v[6], &v[7]) < 8)
    return;
  /* user nice system idle iowait irq softirq steal */
  *busy = v[0] + v[1] + v[2] + v[5] + v[6] + v[7];
  *total = *busy + v[3] + v[4];
}

static gboolean
spawn_measured (Run *run, GPtrArray *args, const char *log)
{
  struct rusage ru;
  guint64 busy0, busy1, total0, total1;
  gint64 t0;
  int status = 0;
  pid_t pid;
  double busy_s;

  g_ptr_array_add (args, NULL);
  read_cpu_jiffies (&busy0, &total0);
  t0 = g_get_monotonic_time ();
  pid = fork ();
  if (pid == 0) {
    int fd = open (log, O_WRONLY | O_CREAT | O_TRUNC, 0644);

    if (fd >= 0) {
      dup2 (fd, 1);
      dup2 (fd, 2);
    }
    execv (args->pdata[0], (char **) args->pdata);
    _exit (127);
  }
  if (pid < 0) {
    run->error = g_strdup_printf ("fork: %s", g_strerror (errno));
    return FALSE;
  }
  while (wait4 (pid, &status, 0, &ru) < 0) {
    if (errno != EINTR) {
      run->error = g_strdup_printf ("wait4: %s", g_strerror (errno));
      return FALSE;
    }
  }
  run->wall_s = (g_get_monotonic_time () - t0) / 1e6;
  read_cpu_jiffies (&busy1, &total1);
  run->cpu_s = ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 +
      ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6;
  run->rss_mb = NAN;
  {
    g_autofree char *text = NULL;
    const char *line;

    if (g_file_get_contents (log, &text, NULL, NULL) &&
        (line = strstr (text, "hs-bench-vmhwm-kb:")) != NULL)
      run->rss_mb = g_ascii_strtoull (line + 18, NULL, 10) / 1024.0;
  }
  busy_s = (double) (busy1 - busy0) / sysconf (_SC_CLK_TCK);
  run->other_cores = MAX (0.0, busy_s - run->cpu_s) / run->wall_s;
  run->ok = WIFEXITED (status) && WEXITSTATUS (status) == 0;
  if (!run->ok) {
    g_autofree char *text = NULL;

    g_file_get_contents (log, &text, NULL, NULL);
    run->error = g_strdup_printf ("exit status %d: %s", status,
        text ? g_strstrip (text) : "");
  }
  return run->ok;
}

static GArray *
parse_times (const char *text)
{
  g_auto(GStrv) parts = g_strsplit (text ? text : "", ",", -1);
  GArray *times = g_array_new (FALSE, FALSE, sizeof (guint64));

  for (guint i = 0; parts[i] != NULL; i++) {
    guint64 t;

    if (parts[i][0] == '\0')
      continue;
    t = g_ascii_strtoull (parts[i], NULL, 10);
    g_array_append_val (times, t);
  }
  return times;
}

/* The windows the recorder must write, from the triggers alone: the
 * semantics of DESIGN.md ("Recording semantics"). */
static GArray *
model_windows (GArray *triggers, double pre, double post)
{
  GArray *windows = g_array_new (FALSE, FALSE, sizeof (Window));
  GstClockTime boundary = GST_CLOCK_TIME_NONE;
  gboolean open = FALSE;
  Window w = { 0 };

  for (guint i = 0; i < triggers->len; i++) {
    GstClockTime t = g_array_index (triggers, GstClockTime, i);
    gint64 start;

    if (open && t < w.end) {
      w.end = MAX (w.end, t + seconds (post));
      continue;
    }
    if (open) {
      g_array_append_val (windows, w);
      boundary = w.end;
    }
    start = (gint64) t - (gint64) seconds (pre);
    if (boundary != GST_CLOCK_TIME_NONE)
      start = MAX (start, (gint64) boundary);
    w.start = start > 0 ? (GstClockTime) start : 0;
    w.end = t + seconds (post);
    open = TRUE;
  }
  if (open)
    g_array_append_val (windows, w);
  return windows;
}

/* Index of the element of sorted @times nearest to @t. */
static guint
nearest (GArray *times, guint64 t)
{
  guint lo = 0, hi = times->len;

  while (lo < hi) {
    guint mid = (lo + hi) / 2;

    if (g_array_index (times, guint64, mid) < t)
      lo = mid + 1;
    else
      hi = mid;
  }
  if (lo == times->len)
    return lo - 1;
  if (lo > 0 && t - g_array_index (times, guint64, lo - 1) <
      g_array_index (times, guint64, lo) - t)
    return lo - 1;
  return lo;
}

static gboolean
contains (GArray *times, guint64 t)
{
  guint64 near;

  if (times->len == 0)
    return FALSE;
  near = g_array_index (times, guint64, nearest (times, t));
  return (near > t ? near - t : t - near) <= MATCH_TOLERANCE;
}

static void
analyse_file (Run *run, FileStat *f, GArray *tee)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GArray) expected = g_array_new (FALSE, FALSE, sizeof (guint64));
  Decoded d = { 0 };
  guint64 first, last;

  for (guint i = 0; i < tee->len; i++) {
    guint64 t = g_array_index (tee, guint64, i);

    if (t >= f->w.start && t < f->w.end)
      g_array_append_val (expected, t);
  }
  f->expected = expected->len;
  f->end_reached = tee->len > 0 &&
      g_array_index (tee, guint64, tee->len - 1) >= f->w.end;
  if (f->location == NULL) {
    f->lost = f->expected;
    return;
  }
  if (!decode_file (f->location, &d, &error)) {
    g_free (f->error);
    f->error = g_strdup (error->message);
    f->lost = f->expected;
    g_clear_pointer (&d.pts, g_array_unref);
    return;
  }
  f->decoded = d.pts->len;
  f->keyframe_start = d.keyframe_start;
  for (guint i = 0; i < expected->len; i++)
    if (!contains (d.pts, g_array_index (expected, guint64, i)))
      f->lost++;
  for (guint i = 0; i < d.pts->len; i++) {
    guint64 t = g_array_index (d.pts, guint64, i);

    if (contains (expected, t))
      continue;
    if (t < f->w.start)
      f->early++;
    else
      f->extra++;
  }
  if (d.pts->len > 0 && expected->len > 0) {
    first = g_array_index (d.pts, guint64, 0);
    last = g_array_index (d.pts, guint64, d.pts->len - 1);
    if (f->early > 0)
      f->early_ms = ms ((gint64) g_array_index (expected, guint64, 0) -
          (gint64) first);
    else
      f->start_err_ms = ms ((gint64) first -
          (gint64) g_array_index (expected, guint64, 0));
    f->end_err_ms = ms ((gint64) last -
        (gint64) g_array_index (expected, guint64, expected->len - 1));
  }
  g_array_unref (d.pts);
  if (!keep_files)
    g_unlink (f->location);
}

static void
analyse_run (Run *run)
{
  g_autofree char *path = g_build_filename (run->spec.out, "report.ini",
      NULL);
  g_autoptr(GKeyFile) report = g_key_file_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GArray) triggers = spec_triggers (&run->spec);
  g_autoptr(GArray) windows = model_windows (triggers, run->spec.pre,
      run->spec.post);
  guint n_files;

  if (!g_key_file_load_from_file (report, path, G_KEY_FILE_NONE, &error)) {
    run->ok = FALSE;
    if (run->error == NULL)
      run->error = g_strdup (error->message);
    return;
  }
  n_files = g_key_file_get_integer (report, "run", "files", NULL);
  run->queue_peak_bytes = g_key_file_get_uint64 (report, "run",
      "queue-peak-bytes", NULL);
  {
    double known = 0;

    for (guint r = 0; r < ROLE_OTHER; r++) {
      g_autofree char *key = g_strdup_printf ("cpu-%s", role_names[r]);

      run->role_cpu_s[r] = g_key_file_get_double (report, "run", key, NULL);
      known += run->role_cpu_s[r];
    }
    run->role_cpu_s[ROLE_OTHER] = MAX (0.0, run->cpu_s - known);
  }

  for (guint s = 0; s < run->spec.n; s++) {
    g_autofree char *group = g_strdup_printf ("source%u", s);
    g_autofree char *text = g_key_file_get_string (report, group, "pts",
        NULL);
    g_autoptr(GArray) tee = parse_times (text);
    guint w = 0;

    run->tee_frames += tee->len;
    run->ring_peak_bytes += g_key_file_get_uint64 (report, group,
        "ring-peak-bytes", NULL);
    run->ring_peak_samples += g_key_file_get_uint64 (report, group,
        "ring-peak-samples", NULL);
    if (g_str_equal (run->spec.mode, "none"))
      continue;

    /* Files are reported in the order their windows came. */
    for (guint i = 0; i < n_files; i++) {
      g_autofree char *fg = g_strdup_printf ("file%u", i);
      g_autofree char *location = NULL;
      FileStat *f;

      if (g_key_file_get_integer (report, fg, "source", NULL) != (int) s)
        continue;
      f = g_new0 (FileStat, 1);
      f->source = s;
      location = g_key_file_get_string (report, fg, "location", NULL);
      f->location = location && location[0] ? g_strdup (location) : NULL;
      f->error = g_key_file_get_string (report, fg, "error", NULL);
      f->dropped = g_key_file_get_uint64 (report, fg, "n-dropped", NULL);
      if (w < windows->len) {
        f->w = g_array_index (windows, Window, w);
        w++;
      } else {
        /* More files than windows: everything in it counts as extra. */
        f->w.start = f->w.end = G_MAXUINT64 / 2;
        g_free (f->error);
        f->error = g_strdup ("a file the windows do not account for");
      }
      analyse_file (run, f, tee);
      if (f->end_reached)
        f->close_ms = ms ((gint64) g_key_file_get_uint64 (report, fg,
                "finished-at", NULL) - (gint64) f->w.end);
      else
        f->close_ms = NAN;
      g_ptr_array_add (run->files, f);
    }
    for (; w < windows->len; w++) {
      FileStat *f = g_new0 (FileStat, 1);

      f->source = s;
      f->w = g_array_index (windows, Window, w);
      f->error = g_strdup ("no file for this window");
      analyse_file (run, f, tee);
      f->close_ms = NAN;
      g_ptr_array_add (run->files, f);
    }
    run->n_windows += windows->len;
  }

  for (guint i = 0; i < run->files->len; i++) {
    FileStat *f = run->files->pdata[i];

    run->expected += f->expected;
    run->decoded += f->decoded;
    run->early += f->early;
    run->lost += f->lost;
    run->extra += f->extra;
    run->dropped += f->dropped;
    if (f->lost > f->dropped)
      run->unreported += f->lost - f->dropped;
    run->n_errors += f->error != NULL;
    run->max_start_err_ms = MAX (run->max_start_err_ms,
        fabs (f->start_err_ms));
    run->max_end_err_ms = MAX (run->max_end_err_ms, fabs (f->end_err_ms));
    run->max_early_ms = MAX (run->max_early_ms, f->early_ms);
    if (!isnan (f->close_ms))
      run->max_close_ms = isnan (run->max_close_ms) ? f->close_ms :
          MAX (run->max_close_ms, f->close_ms);
  }
}

static void
add_arg (GPtrArray *args, const char *format, ...) G_GNUC_PRINTF (2, 3);

static void
add_arg (GPtrArray *args, const char *format, ...)
{
  va_list ap;

  va_start (ap, format);
  g_ptr_array_add (args, g_strdup_vprintf (format, ap));
  va_end (ap);
}

static void
progress (const char *format, ...) G_GNUC_PRINTF (1, 2);

static void
progress (const char *format, ...)
{
  g_autofree char *text = NULL;
  va_list ap;

  va_start (ap, format);
  text = g_strdup_vprintf (format, ap);
  va_end (ap);
  g_printerr ("%s\n", text);
}

static char *out_dir;
static guint run_counter;

static char *
run_folder (const char *name)
{
  g_autofree char *slug = g_strdup (name);
  char *folder;

  for (char *p = slug; *p; p++)
    if (!g_ascii_isalnum (*p))
      *p = '-';
  folder = g_strdup_printf ("%s/%02u-%s", out_dir, ++run_counter, slug);
  g_mkdir_with_parents (folder, 0755);
  return folder;
}

static Run *
run_child (const char *name, const Spec *spec)
{
  Run *run = run_new (name, spec);
  g_autoptr(GPtrArray) args = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *log = NULL;

  run->spec.out = run_folder (name);
  log = g_build_filename (run->spec.out, "log.txt", NULL);
  progress ("  %-28s %u x %dx%d %s, %.0f s ...", name, spec->n, spec->width,
      spec->height, spec->mode, spec->duration);
  g_ptr_array_add (args, g_strdup (self_exe));
  g_ptr_array_add (args, g_strdup ("--child"));
  add_arg (args, "--n=%u", spec->n);
  add_arg (args, "--width=%d", spec->width);
  add_arg (args, "--height=%d", spec->height);
  if (spec->format != NULL)
    add_arg (args, "--format=%s", spec->format);
  add_arg (args, "--mode=%s", spec->mode);
  add_arg (args, "--pre=%g", spec->pre);
  add_arg (args, "--post=%g", spec->post);
  add_arg (args, "--duration=%g", spec->duration);
  if (spec->triggers != NULL)
    add_arg (args, "--triggers=%s", spec->triggers);
  if (spec->every > 0)
    add_arg (args, "--every=%g", spec->every);
  if (spec->threads > 0)
    add_arg (args, "--threads=%d", spec->threads);
  add_arg (args, "--out=%s", run->spec.out);
  spawn_measured (run, args, log);
  analyse_run (run);
  if (!run->ok)
    progress ("    FAILED: %s", run->error);
  return run;
}

static Run *
run_floor (const char *name, const char *kind, guint64 frames, int width,
           int height)
{
  Spec spec = { .n = 1, .width = width, .height = height, .mode = "floor" };
  Run *run = run_new (name, &spec);
  g_autoptr(GPtrArray) args = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *log = NULL;
  g_autofree char *file = NULL;

  run->spec.out = run_folder (name);
  run->floor_kind = g_strdup (kind);
  run->floor_frames = frames;
  log = g_build_filename (run->spec.out, "log.txt", NULL);
  file = g_build_filename (run->spec.out, "floor.webm", NULL);
  progress ("  %-28s %" G_GUINT64_FORMAT " frames ...", name, frames);
  g_ptr_array_add (args, g_strdup (floor_exe));
  g_ptr_array_add (args, g_strdup (kind));
  add_arg (args, "%" G_GUINT64_FORMAT, frames);
  add_arg (args, "%d", width);
  add_arg (args, "%d", height);
  g_ptr_array_add (args, g_strdup (file));
  if (spawn_measured (run, args, log)) {
    Decoded d = { 0 };
    g_autoptr(GError) error = NULL;

    /* The floor must have encoded every frame, or it is no floor. */
    if (!g_str_equal (kind, "generate")) {
      if (decode_file (file, &d, &error))
        run->decoded = d.pts->len;
      else
        run->error = g_strdup (error->message);
      g_clear_pointer (&d.pts, g_array_unref);
      if (!keep_files)
        g_unlink (file);
    } else {
      run->decoded = frames;
    }
  } else {
    progress ("    FAILED: %s", run->error);
  }
  return run;
}

/* ------------------------------------------------------------------------ */
/* Tables                                                                   */

typedef struct {
  GPtrArray *rows;              /* GPtrArray of char *, first is the header */
} Table;

static Table *
table_new (const char *first, ...) G_GNUC_NULL_TERMINATED;

static Table *
table_new (const char *first, ...)
{
  Table *t = g_new0 (Table, 1);
  GPtrArray *header = g_ptr_array_new_with_free_func (g_free);
  va_list ap;

  t->rows = g_ptr_array_new_with_free_func ((GDestroyNotify) g_ptr_array_unref);
  va_start (ap, first);
  for (const char *h = first; h != NULL; h = va_arg (ap, const char *))
    g_ptr_array_add (header, g_strdup (h));
  va_end (ap);
  g_ptr_array_add (t->rows, header);
  return t;
}

/* Takes the cells (newly allocated strings), NULL-terminated. */
static void
table_row (Table *t, char *first, ...) G_GNUC_NULL_TERMINATED;

static void
table_row (Table *t, char *first, ...)
{
  GPtrArray *row = g_ptr_array_new_with_free_func (g_free);
  va_list ap;

  va_start (ap, first);
  for (char *c = first; c != NULL; c = va_arg (ap, char *))
    g_ptr_array_add (row, c);
  va_end (ap);
  g_ptr_array_add (t->rows, row);
}

static void
table_print (Table *t)
{
  GPtrArray *header = t->rows->pdata[0];
  g_autofree guint *width = g_new0 (guint, header->len);

  for (guint r = 0; r < t->rows->len; r++) {
    GPtrArray *row = t->rows->pdata[r];

    for (guint c = 0; c < row->len && c < header->len; c++)
      width[c] = MAX (width[c], g_utf8_strlen (row->pdata[c], -1));
  }
  for (guint r = 0; r < t->rows->len; r++) {
    GPtrArray *row = t->rows->pdata[r];
    GString *line = g_string_new ("|");

    for (guint c = 0; c < header->len; c++) {
      const char *cell = c < row->len ? row->pdata[c] : "";
      guint pad = width[c] - g_utf8_strlen (cell, -1);

      g_string_append_printf (line, " %s%*s |", cell, pad, "");
    }
    g_print ("%s\n", line->str);
    if (r == 0) {
      g_string_assign (line, "|");
      for (guint c = 0; c < header->len; c++) {
        g_string_append_c (line, ' ');
        for (guint i = 0; i < width[c]; i++)
          g_string_append_c (line, '-');
        g_string_append (line, " |");
      }
      g_print ("%s\n", line->str);
    }
    g_string_free (line, TRUE);
  }
  g_print ("\n");
  g_ptr_array_unref (t->rows);
  g_free (t);
}

static char *
num (double value, int digits)
{
  if (isnan (value))
    return g_strdup ("-");
  return g_strdup_printf ("%.*f", digits, value);
}

static char *
str (const char *text)
{
  return g_strdup (text);
}

static char *
ratio (double value)
{
  if (isnan (value) || isinf (value))
    return g_strdup ("-");
  return g_strdup_printf (fabs (value) < 0.1 ? "%.3fx" : "%.2fx", value);
}

/* ------------------------------------------------------------------------ */
/* Scenarios                                                                */

typedef struct {
  GPtrArray *rows;              /* char *[4]: target, measured, limit, met */
  guint met;
  guint missed;
} Targets;

static Targets targets;

static void
target (const char *what, char *measured, const char *limit, gboolean met,
        gboolean known)
{
  char **row = g_new0 (char *, 5);

  row[0] = g_strdup (what);
  row[1] = measured;
  row[2] = g_strdup (limit);
  row[3] = g_strdup (!known ? "not measured" : met ? "met" : "MISSED");
  g_ptr_array_add (targets.rows, row);
  if (known && met)
    targets.met++;
  else if (known)
    targets.missed++;
}

static void
print_runs (const char *title, Run **runs, guint n)
{
  Table *t = table_new ("run", "mode", "pre s", "CPU s", "% of a core",
      "source", "ring", "record", "main", "peak RSS MB", "ring peak MB",
      "ring frames", "queue peak MB", "other load", NULL);

  g_print ("%s\n\n", title);
  for (guint i = 0; i < n; i++) {
    Run *r = runs[i];

    if (r == NULL)
      continue;
    table_row (t, str (r->name),
        str (r->floor_kind ? r->floor_kind : r->spec.mode),
        r->floor_kind ? str ("-") : num (r->spec.pre, 0),
        r->ok ? num (r->cpu_s, 2) : str ("FAILED"),
        num (100 * r->cpu_s / r->wall_s, 1),
        r->floor_kind ? str ("-") : num (r->role_cpu_s[ROLE_SOURCE], 2),
        r->floor_kind ? str ("-") : num (r->role_cpu_s[ROLE_RING], 2),
        r->floor_kind ? str ("-") : num (r->role_cpu_s[ROLE_RECORD], 2),
        r->floor_kind ? str ("-") : num (r->role_cpu_s[ROLE_MAIN], 2),
        num (r->rss_mb, 1),
        r->ring_peak_samples ? num (r->ring_peak_bytes / MIB, 1) : str ("-"),
        r->ring_peak_samples ? g_strdup_printf ("%" G_GUINT64_FORMAT,
            r->ring_peak_samples) : str ("-"),
        r->floor_kind || g_str_equal (r->spec.mode, "none") ? str ("-") :
        num (r->queue_peak_bytes / MIB, 1),
        num (r->other_cores, 2), NULL);
  }
  table_print (t);
}

static void
print_files (Run **runs, guint n)
{
  Table *t = table_new ("run", "file", "window s", "expected", "written",
      "early", "lost", "extra", "starts early ms", "start err ms",
      "end err ms", "closed after end ms", "n-dropped", "keyframe first",
      NULL);

  for (guint i = 0; i < n; i++) {
    Run *r = runs[i];

    for (guint j = 0; r != NULL && j < r->files->len; j++) {
      FileStat *f = r->files->pdata[j];

      table_row (t, str (r->name), g_strdup_printf ("%u", j + 1),
          g_strdup_printf ("[%.3f, %.3f)", f->w.start / 1e9, f->w.end / 1e9),
          g_strdup_printf ("%u", f->expected),
          g_strdup_printf ("%u", f->decoded),
          g_strdup_printf ("%u", f->early),
          g_strdup_printf ("%u", f->lost),
          g_strdup_printf ("%u", f->extra),
          num (f->early_ms, 1),
          num (f->start_err_ms, 1),
          num (f->end_err_ms, 1),
          num (f->close_ms, 0),
          g_strdup_printf ("%" G_GUINT64_FORMAT, f->dropped),
          str (f->decoded == 0 ? "-" : f->keyframe_start ? "yes" : "NO"),
          NULL);
      if (f->error != NULL)
        g_print ("note: %s file %u: %s\n", r->name, j + 1, f->error);
    }
  }
  table_print (t);
}

static double
added (Run *run, Run *base, gboolean cpu)
{
  if (run == NULL || base == NULL || !run->ok || !base->ok)
    return NAN;
  return cpu ? run->cpu_s - base->cpu_s : run->rss_mb - base->rss_mb;
}

static void
scenario_a (void)
{
  Spec base = { .n = 1, .width = 1280, .height = 720, .pre = 5, .post = 5,
    .duration = 30 };
  Spec s;
  Run *none, *raw_idle, *raw, *enc_idle, *enc, *enc_idle1, *raw10, *enc10,
      *none_i420, *idle_i420;
  Run *plain = NULL, *matched = NULL, *generate = NULL;
  g_autofree char *description = describe_pipeline (&base);
  double raw_record, enc_record, raw_record_diff, enc_record_diff,
      floor_plain, floor_matched, raw_ring_mb, enc_ring_mb, limit;
  guint64 frames;

  progress ("Scenario A");
  s = base;
  s.mode = "none";
  none = run_child ("A none", &s);
  s.mode = "raw";
  raw_idle = run_child ("A raw idle", &s);
  s.triggers = "6,8,20";
  raw = run_child ("A raw", &s);
  s = base;
  s.mode = "encoded";
  enc_idle = run_child ("A encoded idle", &s);
  s.triggers = "6,8,20";
  enc = run_child ("A encoded", &s);
  s = base;
  s.mode = "encoded";
  s.threads = 1;
  enc_idle1 = run_child ("A encoded idle, threads=1", &s);

  s = base;
  s.pre = 10;
  s.duration = 15;
  s.mode = "raw";
  raw10 = run_child ("A raw ring 10 s", &s);
  s.mode = "encoded";
  enc10 = run_child ("A encoded ring 10 s", &s);

  /* Where the idle cost goes: the same with I420 on the tee, which the
   * ring branch can take without converting. */
  s = base;
  s.format = "I420";
  s.mode = "none";
  none_i420 = run_child ("A none, I420 tee", &s);
  s.mode = "raw";
  idle_i420 = run_child ("A raw idle, I420 tee", &s);

  frames = raw->decoded;
  if (frames > 0) {
    plain = run_floor ("A floor plain", "plain", frames, 1280, 720);
    matched = run_floor ("A floor matched", "matched", frames, 1280, 720);
    generate = run_floor ("A frames only", "generate", frames, 1280, 720);
  }

  g_print ("## Scenario A: one 1280x720 30 fps live source\n\n");
  g_print ("Pipeline (runs by hand with gst-launch-1.0): `%s`. pre = post = "
      "5 s, triggers at running time 6, 8 and 20 s, EOS at 30 s. Windows: "
      "[1 s, 13 s) and [15 s, 25 s). The ring runs use pre = 10 s and stop "
      "at 15 s. The floor encodes the %" G_GUINT64_FORMAT " frames raw mode "
      "wrote, non-live: `videotestsrc num-buffers=N ! I420 ! timeoverlay ! "
      "vp8enc deadline=1 ! webmmux ! filesink` (plain: vp8enc's defaults; "
      "matched: the encoder hindsight builds for its files).\n\n",
      description, frames);
  {
    Run *list[] = { none, raw_idle, raw, enc_idle, enc, enc_idle1, raw10,
      enc10, none_i420, idle_i420, plain, matched, generate };

    print_runs ("Runs:", list, G_N_ELEMENTS (list));
  }
  {
    Run *list[] = { raw, enc };

    g_print ("Files (decoded; errors in ms against the first and last frame "
        "of the window that went through the tee; \"early\" frames precede "
        "the window, from the keyframe encoded mode starts at):\n\n");
    print_files (list, G_N_ELEMENTS (list));
  }

  /* Recording CPU, two ways: the threads of the record pipelines in the
   * triggered run itself (robust against other load), and the triggered run
   * minus its idle twin (everything, noisier). */
  raw_record = raw->role_cpu_s[ROLE_RECORD];
  enc_record = enc->role_cpu_s[ROLE_RECORD];
  raw_record_diff = added (raw, raw_idle, TRUE);
  enc_record_diff = added (enc, enc_idle, TRUE);
  floor_plain = added (plain, generate, TRUE);
  floor_matched = added (matched, generate, TRUE);
  raw_ring_mb = added (raw10, none, FALSE);
  enc_ring_mb = added (enc10, none, FALSE);
  {
    Table *t = table_new ("quantity", "value", "how", NULL);

    table_row (t, str ("idle ring CPU, raw"), ratio (raw_idle->cpu_s /
            none->cpu_s), str ("A raw idle / A none"), NULL);
    table_row (t, str ("idle ring CPU, encoded"), ratio (enc_idle->cpu_s /
            none->cpu_s), str ("A encoded idle / A none (the ring encodes "
            "all the time)"), NULL);
    table_row (t, str ("idle ring CPU, encoded, threads=1"),
        ratio (enc_idle1->cpu_s / none->cpu_s),
        str ("A encoded idle, threads=1 / A none"), NULL);
    table_row (t, str ("idle ring CPU, raw, I420 tee"),
        ratio (idle_i420->cpu_s / none_i420->cpu_s),
        str ("A raw idle, I420 tee / A none, I420 tee"), NULL);
    table_row (t, str ("ring thread CPU s, raw idle / I420 tee"),
        g_strdup_printf ("%.2f / %.2f", raw_idle->role_cpu_s[ROLE_RING],
            idle_i420->role_cpu_s[ROLE_RING]),
        str ("ring branch threads (converter, appsink, ring push)"), NULL);
    table_row (t, str ("recording CPU s, raw"), num (raw_record, 2),
        str ("record pipeline threads of A raw"), NULL);
    table_row (t, str ("recording CPU s, encoded"), num (enc_record, 3),
        str ("record pipeline threads of A encoded"), NULL);
    table_row (t, str ("recording CPU s, raw, by difference"),
        num (raw_record_diff, 2), str ("A raw - A raw idle"), NULL);
    table_row (t, str ("recording CPU s, encoded, by difference"),
        num (enc_record_diff, 2), str ("A encoded - A encoded idle"), NULL);
    table_row (t, str ("floor encode CPU s, plain"), num (floor_plain, 2),
        str ("A floor plain - A frames only"), NULL);
    table_row (t, str ("floor encode CPU s, matched"), num (floor_matched, 2),
        str ("A floor matched - A frames only"), NULL);
    table_row (t, str ("raw recording / floor, matched"),
        ratio (raw_record / floor_matched), str ("same encoder settings"),
        NULL);
    table_row (t, str ("raw recording / floor, plain"),
        ratio (raw_record / floor_plain), str ("vp8enc deadline=1 defaults"),
        NULL);
    table_row (t, str ("raw recording by difference / floor, matched"),
        ratio (raw_record_diff / floor_matched), str ("cross-check"), NULL);
    table_row (t, str ("raw total added CPU / floor, matched"),
        ratio (added (raw, none, TRUE) / floor_matched),
        str ("(A raw - A none) / matched floor: ring and recording"), NULL);
    table_row (t, str ("encoded / raw recording CPU"),
        ratio (enc_record / raw_record), str ("record threads"), NULL);
    table_row (t, str ("encoded / raw recording CPU, by difference"),
        ratio (enc_record_diff / raw_record_diff),
        str ("both over their idle run"), NULL);
    table_row (t, str ("added RSS MB, raw ring 10 s"), num (raw_ring_mb, 1),
        str ("A raw ring 10 s - A none"), NULL);
    table_row (t, str ("added RSS MB, encoded ring 10 s"),
        num (enc_ring_mb, 1), str ("A encoded ring 10 s - A none"), NULL);
    table_row (t, str ("encoded / raw added RSS, 10 s"),
        ratio (enc_ring_mb / raw_ring_mb), str ("as above"), NULL);
    table_row (t, str ("encoded / raw ring bytes, 10 s"),
        ratio ((double) enc10->ring_peak_bytes / raw10->ring_peak_bytes),
        str ("HsRingBuffer n-bytes, peak"), NULL);
    table_row (t, str ("floor frames decoded"), g_strdup_printf ("%u / %u",
            matched ? matched->decoded : 0, plain ? plain->decoded : 0),
        str ("matched / plain"), NULL);
    g_print ("Ratios (one run each, same session):\n\n");
    table_print (t);
  }

  target ("idle ring CPU <= 1.05x no recorder (A, raw mode)",
      ratio (raw_idle->cpu_s / none->cpu_s), "<= 1.05x",
      raw_idle->cpu_s / none->cpu_s <= TARGET_IDLE_CPU, raw_idle->ok);
  target ("idle ring CPU <= 1.05x no recorder (A, raw, I420 tee)",
      ratio (idle_i420->cpu_s / none_i420->cpu_s), "<= 1.05x",
      idle_i420->cpu_s / none_i420->cpu_s <= TARGET_IDLE_CPU,
      idle_i420->ok && none_i420->ok);
  limit = raw10->ring_peak_bytes / MIB + TARGET_RAW_RSS_SLACK_MB;
  target ("raw-mode RSS <= frames held x frame size + 10 MB (A, ring 10 s)",
      g_strdup_printf ("%.1f MB added for %" G_GUINT64_FORMAT " frames",
          raw_ring_mb, raw10->ring_peak_samples),
      g_strdup_printf ("<= %.1f MB", limit), raw_ring_mb <= limit,
      !isnan (raw_ring_mb));
  limit = idle_i420->ring_peak_bytes / MIB + TARGET_RAW_RSS_SLACK_MB;
  target ("raw-mode RSS <= frames held x frame size + 10 MB (A, I420 tee)",
      g_strdup_printf ("%.1f MB added for %" G_GUINT64_FORMAT " frames",
          added (idle_i420, none_i420, FALSE), idle_i420->ring_peak_samples),
      g_strdup_printf ("<= %.1f MB", limit),
      added (idle_i420, none_i420, FALSE) <= limit,
      idle_i420->ok && none_i420->ok);
  target ("recording CPU <= 1.15x the floor, same frames (A raw, matched)",
      ratio (raw_record / floor_matched), "<= 1.15x",
      raw_record / floor_matched <= TARGET_RECORD_CPU, !isnan (floor_matched));
  target ("recording CPU <= 1.15x the floor, same frames (A raw, plain)",
      ratio (raw_record / floor_plain), "<= 1.15x",
      raw_record / floor_plain <= TARGET_RECORD_CPU, !isnan (floor_plain));
  target ("no frame silently missing: lost <= n-dropped (A)",
      g_strdup_printf ("%u unreported", raw->unreported + enc->unreported),
      "0", raw->unreported + enc->unreported == 0, raw->ok && enc->ok);
  target ("0 frames lost (A raw + encoded)",
      g_strdup_printf ("%u lost, %" G_GUINT64_FORMAT " dropped",
          raw->lost + enc->lost, raw->dropped + enc->dropped), "0",
      raw->lost + enc->lost + raw->dropped + enc->dropped == 0 &&
      raw->n_errors + enc->n_errors == 0, raw->ok && enc->ok);
  target ("encoded ring RSS at 720p, 10 s <= 1/20 of raw (added RSS)",
      ratio (enc_ring_mb / raw_ring_mb), "<= 0.05x",
      enc_ring_mb / raw_ring_mb <= TARGET_ENCODED_RSS,
      !isnan (enc_ring_mb / raw_ring_mb));
  target ("encoded ring bytes at 720p, 10 s <= 1/20 of raw",
      ratio ((double) enc10->ring_peak_bytes / raw10->ring_peak_bytes),
      "<= 0.05x", (double) enc10->ring_peak_bytes / raw10->ring_peak_bytes <=
      TARGET_ENCODED_RSS, raw10->ring_peak_bytes > 0);
  target ("encoded recording CPU <= 0.1x raw-mode encode (A, threads)",
      ratio (enc_record / raw_record), "<= 0.10x",
      enc_record / raw_record <= TARGET_ENCODED_RECORD_CPU,
      raw_record > 0 && raw->ok && enc->ok);
  target ("file closed <= 0.3 s after its end (A, raw)",
      g_strdup_printf ("%.0f ms max", raw->max_close_ms), "<= 300 ms",
      raw->max_close_ms <= TARGET_CLOSE_MS, !isnan (raw->max_close_ms));
  target ("file closed <= 0.3 s after its end (A, encoded)",
      g_strdup_printf ("%.0f ms max", enc->max_close_ms), "<= 300 ms",
      enc->max_close_ms <= TARGET_CLOSE_MS, !isnan (enc->max_close_ms));
}

/* Least-squares fit y = a + b x; returns R2. */
static double
fit_line (const double *x, const double *y, guint n, double *a, double *b)
{
  double sx = 0, sy = 0, sxx = 0, sxy = 0, ss_tot = 0, ss_res = 0, mean;

  for (guint i = 0; i < n; i++) {
    sx += x[i];
    sy += y[i];
    sxx += x[i] * x[i];
    sxy += x[i] * y[i];
  }
  if (n < 2 || n * sxx - sx * sx == 0) {
    *a = *b = NAN;
    return NAN;
  }
  *b = (n * sxy - sx * sy) / (n * sxx - sx * sx);
  *a = (sy - *b * sx) / n;
  mean = sy / n;
  for (guint i = 0; i < n; i++) {
    double e = y[i] - (*a + *b * x[i]);

    ss_res += e * e;
    ss_tot += (y[i] - mean) * (y[i] - mean);
  }
  return ss_tot > 0 ? 1 - ss_res / ss_tot : 1;
}

static Run *b_none_8;

static gboolean
keeps_up (Run *enc, Run *none)
{
  return enc->ok && none->ok && enc->lost == 0 && enc->dropped == 0 &&
      enc->n_errors == 0 && enc->extra == 0;
}

static void
print_scale_table (GPtrArray *nones, GPtrArray *encs)
{
  Table *t = table_new ("N", "CPU s none", "CPU s encoded", "% of a core",
      "added CPU s / source", "ring s / source", "record s / source",
      "RSS MB none", "RSS MB encoded", "added RSS MB / source",
      "queue peak MB", "files",
      "expected", "written", "lost", "dropped", "unreported", "extra",
      "early", "max close ms", "other load", "keeps up", NULL);

  for (guint i = 0; i < encs->len; i++) {
    Run *none = nones->pdata[i];
    Run *enc = encs->pdata[i];
    guint n = enc->spec.n;

    table_row (t, g_strdup_printf ("%u", n), num (none->cpu_s, 2),
        num (enc->cpu_s, 2), num (100 * enc->cpu_s / enc->wall_s, 0),
        num (added (enc, none, TRUE) / n, 2),
        num (enc->role_cpu_s[ROLE_RING] / n, 2),
        num (enc->role_cpu_s[ROLE_RECORD] / n, 3),
        num (none->rss_mb, 1), num (enc->rss_mb, 1),
        num (added (enc, none, FALSE) / n, 1),
        num (enc->queue_peak_bytes / MIB, 1),
        g_strdup_printf ("%u", enc->files->len),
        g_strdup_printf ("%u", enc->expected),
        g_strdup_printf ("%u", enc->decoded),
        g_strdup_printf ("%u", enc->lost),
        g_strdup_printf ("%" G_GUINT64_FORMAT, enc->dropped),
        g_strdup_printf ("%u", enc->unreported),
        g_strdup_printf ("%u", enc->extra),
        g_strdup_printf ("%u", enc->early),
        num (enc->max_close_ms, 0), num (enc->other_cores, 2),
        str (keeps_up (enc, none) ? "yes" : "NO"), NULL);
  }
  table_print (t);
  for (guint i = 0; i < encs->len; i++) {
    Run *r = encs->pdata[i];

    for (guint j = 0; j < r->files->len; j++) {
      FileStat *f = r->files->pdata[j];

      if (f->error != NULL)
        g_print ("note: %s file %u: %s\n", r->name, j + 1, f->error);
    }
  }
}

static void
scenario_b (double duration, GArray *counts)
{
  Spec base = { .width = 640, .height = 480, .pre = 10, .post = 5,
    .duration = duration, .every = 7 };
  g_autoptr(GPtrArray) nones = g_ptr_array_new ();
  g_autoptr(GPtrArray) encs = g_ptr_array_new ();
  g_autoptr(GPtrArray) encs1 = g_ptr_array_new ();
  g_autofree char *dat = g_build_filename (out_dir, "scaling.dat", NULL);
  GString *data = g_string_new ("# N  cpu_pct_none  cpu_pct_encoded  "
      "cpu_pct_encoded_threads1  rss_mb_none  rss_mb_encoded  "
      "rss_mb_encoded_threads1  lost_dropped  lost_dropped_threads1  cores\n"
      "# cpu_pct: CPU time (user + sys) / wall time of the run, in % of one "
      "core\n");
  double xs[16], cpu_ys[16], rss_ys[16], a, b, r2_cpu, r2_rss;
  guint n_fit = 0, largest = 0, largest1 = 0;
  double max_close = NAN;

  progress ("Scenario B");
  for (guint i = 0; i < counts->len; i++) {
    Spec s = base;
    g_autofree char *name_none = NULL, *name_enc = NULL, *name_enc1 = NULL;
    Run *r;

    s.n = g_array_index (counts, guint, i);
    name_none = g_strdup_printf ("B none x%u", s.n);
    name_enc = g_strdup_printf ("B encoded x%u", s.n);
    name_enc1 = g_strdup_printf ("B encoded x%u, threads=1", s.n);
    s.mode = "none";
    r = run_child (name_none, &s);
    g_ptr_array_add (nones, r);
    if (s.n == 8)
      b_none_8 = r;
    s.mode = "encoded";
    g_ptr_array_add (encs, run_child (name_enc, &s));
    s.threads = 1;
    g_ptr_array_add (encs1, run_child (name_enc1, &s));
  }

  g_print ("## Scenario B: N sources of 640x480 30 fps live, encoded mode\n\n"
      "Each source: `videotestsrc is-live=true pattern=smpte ! "
      "video/x-raw,width=640,height=480,framerate=30/1 ! timeoverlay ! tee ! "
      "fakesink sync=true`, all in one pipeline. pre = 10 s, post = 5 s, a "
      "trigger per source every 7 s, EOS at %.0f s (files tile: each window "
      "starts where the previous one ended). CPU and RSS are the whole "
      "process; \"added\" is over the same pipeline without recorders, per "
      "source. Lost: frames of the windows missing from the decoded files; "
      "dropped: HsRecording n-dropped; unreported: lost beyond n-dropped; "
      "early: frames before a window's start (duplicates when files "
      "tile).\n\n", duration);
  g_print ("Recorders as made (encoder threads: the default):\n\n");
  print_scale_table (nones, encs);
  g_print ("The same with the recorder property threads = 1 (one libvpx "
      "thread per ring encoder):\n\n");
  print_scale_table (nones, encs1);

  for (guint i = 0; i < counts->len; i++) {
    Run *none = nones->pdata[i];
    Run *enc = encs->pdata[i];
    Run *enc1 = encs1->pdata[i];
    guint n = enc->spec.n;

    if (keeps_up (enc, none) && n > largest)
      largest = n;
    if (keeps_up (enc1, none) && n > largest1)
      largest1 = n;
    if (keeps_up (enc, none) && n_fit < G_N_ELEMENTS (xs)) {
      xs[n_fit] = n;
      cpu_ys[n_fit] = added (enc, none, TRUE);
      rss_ys[n_fit] = added (enc, none, FALSE);
      n_fit++;
    }
    if (!isnan (enc->max_close_ms))
      max_close = isnan (max_close) ? enc->max_close_ms :
          MAX (max_close, enc->max_close_ms);
    g_string_append_printf (data, "%u %.1f %.1f %.1f %.1f %.1f %.1f %"
        G_GUINT64_FORMAT " %" G_GUINT64_FORMAT " %u\n", n,
        100 * none->cpu_s / none->wall_s, 100 * enc->cpu_s / enc->wall_s,
        100 * enc1->cpu_s / enc1->wall_s, none->rss_mb, enc->rss_mb,
        enc1->rss_mb, enc->lost + enc->dropped, enc1->lost + enc1->dropped,
        g_get_num_processors ());
  }
  g_file_set_contents (dat, data->str, -1, NULL);
  g_string_free (data, TRUE);

  g_print ("Largest N with no frame lost or dropped: %u as made, %u with "
      "threads = 1.\n\n", largest, largest1);
  {
    Table *e = table_new ("N", "max start err ms", "max end err ms",
        "max starts early ms", "threads=1: max start err ms",
        "max end err ms", NULL);

    for (guint i = 0; i < encs->len; i++) {
      Run *r = encs->pdata[i];
      Run *r1 = encs1->pdata[i];

      table_row (e, g_strdup_printf ("%u", r->spec.n),
          num (r->max_start_err_ms, 1), num (r->max_end_err_ms, 1),
          num (r->max_early_ms, 1), num (r1->max_start_err_ms, 1),
          num (r1->max_end_err_ms, 1), NULL);
    }
    table_print (e);
  }

  r2_cpu = fit_line (xs, cpu_ys, n_fit, &a, &b);
  g_print ("Added CPU ~ %.2f + %.2f s x N (R2 %.3f over the N that keep up)",
      a, b, r2_cpu);
  r2_rss = fit_line (xs, rss_ys, n_fit, &a, &b);
  g_print ("; added RSS ~ %.1f + %.1f MB x N (R2 %.3f).\n\n", a, b, r2_rss);

  target ("0 frames lost or dropped while the machine keeps up (B)",
      g_strdup_printf ("largest N that keeps up: %u (threads=1: %u)",
          largest, largest1), "0 lost", largest > 0, encs->len > 0);
  target ("file closed <= 0.3 s after its end (B, all N)",
      g_strdup_printf ("%.0f ms max", max_close), "<= 300 ms",
      max_close <= TARGET_CLOSE_MS, !isnan (max_close));
  target ("CPU linear in sources (B, R2 of added CPU)",
      g_strdup_printf ("R2 %.3f over %u points", r2_cpu, n_fit), ">= 0.99",
      r2_cpu >= TARGET_LINEAR_R2, n_fit >= 3);
  target ("RSS linear in sources (B, R2 of added RSS)",
      g_strdup_printf ("R2 %.3f over %u points", r2_rss, n_fit), ">= 0.99",
      r2_rss >= TARGET_LINEAR_R2, n_fit >= 3);
}

static void
scenario_c (double duration)
{
  Spec s = { .n = 8, .width = 640, .height = 480, .pre = 10, .post = 5,
    .duration = duration };
  Run *none = b_none_8, *raw, *enc;
  Table *t;

  progress ("Scenario C");
  if (none == NULL || none->spec.duration != duration) {
    s.mode = "none";
    none = run_child ("C none x8", &s);
  }
  s.mode = "raw";
  raw = run_child ("C raw idle x8", &s);
  s.mode = "encoded";
  enc = run_child ("C encoded idle x8", &s);

  g_print ("## Scenario C: 8 sources of 640x480 30 fps, buffering, no "
      "trigger\n\npre = 10 s, %.0f s.\n\n", duration);
  t = table_new ("run", "CPU s", "CPU / none", "% of a core", "source",
      "ring", "peak RSS MB", "added RSS MB", "ring MB", "ring frames",
      "queue peak MB", "other load", NULL);
  {
    Run *list[] = { none, raw, enc };

    for (guint i = 0; i < G_N_ELEMENTS (list); i++)
      table_row (t, str (list[i]->name), num (list[i]->cpu_s, 2),
          ratio (list[i]->cpu_s / none->cpu_s),
          num (100 * list[i]->cpu_s / list[i]->wall_s, 0),
          num (list[i]->role_cpu_s[ROLE_SOURCE], 2),
          num (list[i]->role_cpu_s[ROLE_RING], 2),
          num (list[i]->rss_mb, 1), num (added (list[i], none, FALSE), 1),
          num (list[i]->ring_peak_bytes / MIB, 1),
          g_strdup_printf ("%" G_GUINT64_FORMAT, list[i]->ring_peak_samples),
          num (list[i]->queue_peak_bytes / MIB, 1),
          num (list[i]->other_cores, 2), NULL);
  }
  table_print (t);

  target ("idle ring CPU <= 1.05x no recorder (C, 8 sources, raw)",
      ratio (raw->cpu_s / none->cpu_s), "<= 1.05x",
      raw->cpu_s / none->cpu_s <= TARGET_IDLE_CPU, raw->ok && none->ok);
  target ("raw-mode RSS <= frames held x frame size + 10 MB (C, 8 rings)",
      g_strdup_printf ("%.1f MB added for %" G_GUINT64_FORMAT " frames",
          added (raw, none, FALSE), raw->ring_peak_samples),
      g_strdup_printf ("<= %.1f MB", raw->ring_peak_bytes / MIB +
          TARGET_RAW_RSS_SLACK_MB),
      added (raw, none, FALSE) <= raw->ring_peak_bytes / MIB +
      TARGET_RAW_RSS_SLACK_MB, raw->ok && none->ok);
}

/* ------------------------------------------------------------------------ */

static void
print_machine (const char *when)
{
  g_autofree char *cpuinfo = NULL;
  g_autofree char *meminfo = NULL;
  g_autofree char *load = NULL;
  g_autofree char *model = NULL;
  guint64 mem_kb = 0;

  if (g_file_get_contents ("/proc/cpuinfo", &cpuinfo, NULL, NULL)) {
    char *line = strstr (cpuinfo, "model name");

    if (line != NULL) {
      char *colon = strchr (line, ':');
      char *end = strchr (line, '\n');

      if (colon != NULL && end != NULL)
        model = g_strstrip (g_strndup (colon + 1, end - colon - 1));
    }
  }
  if (g_file_get_contents ("/proc/meminfo", &meminfo, NULL, NULL))
    sscanf (meminfo, "MemTotal: %" G_GUINT64_FORMAT, &mem_kb);
  g_file_get_contents ("/proc/loadavg", &load, NULL, NULL);
  if (when == NULL)
    g_print ("Machine: %u cores (%s), %.1f GiB memory. ",
        g_get_num_processors (), model ? model : "?", mem_kb / MIB);
  g_print ("Load average %s: %s\n", when ? when : "at the start",
      load ? g_strstrip (load) : "?");
}

int
main (int argc, char **argv)
{
  gboolean child = FALSE, quick = FALSE;
  g_autofree char *scenarios = NULL;
  g_autofree char *sources = NULL;
  Spec spec = { .n = 1, .width = 1280, .height = 720, .pre = 5, .post = 5,
    .duration = 30 };
  int n = 1;
  GOptionEntry entries[] = {
    { "quick", 'q', 0, G_OPTION_ARG_NONE, &quick,
      "Short runs for development (B and C 15 s instead of 60 s)", NULL },
    { "scenario", 's', 0, G_OPTION_ARG_STRING, &scenarios,
      "Scenarios to run (default A,B,C)", "LIST" },
    { "sources", 0, 0, G_OPTION_ARG_STRING, &sources,
      "Source counts of scenario B (default 1,2,4,8)", "LIST" },
    { "out", 'o', 0, G_OPTION_ARG_FILENAME, &out_dir,
      "Folder for the files, logs and scaling.dat (default bench-out)",
      "DIR" },
    { "keep-files", 0, 0, G_OPTION_ARG_NONE, &keep_files,
      "Keep the recorded files", NULL },
    { "child", 0, G_OPTION_FLAG_HIDDEN, G_OPTION_ARG_NONE, &child, NULL,
      NULL },
    { "n", 0, G_OPTION_FLAG_HIDDEN, G_OPTION_ARG_INT, &n, NULL, NULL },
    { "width", 0, G_OPTION_FLAG_HIDDEN, G_OPTION_ARG_INT, &spec.width, NULL,
      NULL },
    { "height", 0, G_OPTION_FLAG_HIDDEN, G_OPTION_ARG_INT, &spec.height,
      NULL, NULL },
    { "format", 0, G_OPTION_FLAG_HIDDEN, G_OPTION_ARG_STRING, &spec.format,
      NULL, NULL },
    { "mode", 0, G_OPTION_FLAG_HIDDEN, G_OPTION_ARG_STRING, &spec.mode, NULL,
      NULL },
    { "pre", 0, G_OPTION_FLAG_HIDDEN, G_OPTION_ARG_DOUBLE, &spec.pre, NULL,
      NULL },
    { "post", 0, G_OPTION_FLAG_HIDDEN, G_OPTION_ARG_DOUBLE, &spec.post, NULL,
      NULL },
    { "duration", 0, G_OPTION_FLAG_HIDDEN, G_OPTION_ARG_DOUBLE,
      &spec.duration, NULL, NULL },
    { "triggers", 0, G_OPTION_FLAG_HIDDEN, G_OPTION_ARG_STRING,
      &spec.triggers, NULL, NULL },
    { "every", 0, G_OPTION_FLAG_HIDDEN, G_OPTION_ARG_DOUBLE, &spec.every,
      NULL, NULL },
    { "threads", 0, G_OPTION_FLAG_HIDDEN, G_OPTION_ARG_INT, &spec.threads,
      NULL, NULL },
    { NULL }
  };
  g_autoptr(GOptionContext) context = g_option_context_new (
      "- hindsight's benchmark suite");
  g_autoptr(GError) error = NULL;
  g_autoptr(GArray) counts = g_array_new (FALSE, FALSE, sizeof (guint));
  double long_duration;

  g_option_context_set_summary (context, "Runs scenarios A (reference), B "
      "(scale) and C (idle), each run in a child process, and prints "
      "Markdown tables with the targets each is measured against.");
  g_option_context_add_main_entries (context, entries, NULL);
  g_option_context_add_group (context, gst_init_get_option_group ());
  if (!g_option_context_parse (context, &argc, &argv, &error)) {
    g_printerr ("hs-bench: %s\nTry --help\n", error->message);
    return 2;
  }

  if (child) {
    spec.n = MAX (n, 1);
    spec.out = out_dir;
    if (spec.mode == NULL || spec.out == NULL) {
      g_printerr ("hs-bench: --child needs --mode and --out\n");
      return 2;
    }
    return child_main (&spec);
  }

  self_exe = g_file_read_link ("/proc/self/exe", &error);
  if (self_exe == NULL) {
    g_printerr ("hs-bench: %s\n", error->message);
    return 1;
  }
  {
    g_autofree char *dir = g_path_get_dirname (self_exe);

    floor_exe = g_build_filename (dir, "hs-bench-floor", NULL);
  }
  if (out_dir == NULL)
    out_dir = g_strdup ("bench-out");
  g_mkdir_with_parents (out_dir, 0755);
  if (scenarios == NULL)
    scenarios = g_strdup ("A,B,C");
  {
    g_auto(GStrv) parts = g_strsplit (sources ? sources : "1,2,4,8", ",", -1);

    for (guint i = 0; parts[i] != NULL; i++) {
      guint v = (guint) g_ascii_strtoull (parts[i], NULL, 10);

      if (v > 0)
        g_array_append_val (counts, v);
    }
  }
  long_duration = quick ? 15 : 60;
  targets.rows = g_ptr_array_new ();

  g_print ("# hindsight benchmark%s\n\n", quick ? " (--quick: not for "
      "RESULTS)" : "");
  print_machine (NULL);
  g_print ("\n");

  if (strchr (scenarios, 'A') != NULL)
    scenario_a ();
  if (strchr (scenarios, 'B') != NULL)
    scenario_b (long_duration, counts);
  if (strchr (scenarios, 'C') != NULL)
    scenario_c (long_duration);

  g_print ("## Targets\n\n");
  {
    Table *t = table_new ("target", "measured", "limit", "result", NULL);

    for (guint i = 0; i < targets.rows->len; i++) {
      char **row = targets.rows->pdata[i];

      table_row (t, row[0], row[1], row[2], row[3], NULL);
      g_free (row);
    }
    table_print (t);
  }
  g_print ("%u met, %u missed.\n", targets.met, targets.missed);
  print_machine ("at the end");
  return 0;
}
