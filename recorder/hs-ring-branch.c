/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include "hs-ring-branch-private.h"

#include <gst/app/app.h>
#include <gst/video/video.h>

#include "hs-error.h"
#include "hs-error-origin-private.h"
#include "hs-packages-private.h"
#include "hs-ring-buffer-private.h"
#include "hs-ring-caps-private.h"

GST_DEBUG_CATEGORY_STATIC (hs_ring_branch_debug);
#define GST_CAT_DEFAULT hs_ring_branch_debug

/* The branch's queue absorbs a hiccup, not a second of 720p: it holds at
 * most a second and at most this many frames. */
#define QUEUE_FRAMES 8
/* How long a source error waits for the frames still in the branch's queue
 * before the main side may end a window without them. */
#define DRAIN_TIMEOUT_US G_USEC_PER_SEC

struct _HsRingBranch
{
  gatomicrefcount ref;

  /* Set when made, then only read. */
  char *source;
  HsRingBuffer *ring;
  HsRecorderMode requested;
  gboolean audio;               /* an audio tee: no converter, no encoder */
  gboolean converter_given;     /* a converter other than auto was asked */
  char *encoder;
  HsEncoderSettings settings;
  GstElement *bin;
  GstElement *queue;
  GstElement *appsink;

  /* Main context: the tee it hangs on. */
  GstElement *tee;
  GstPad *tee_pad;
  GstBus *bus;
  gulong bus_handler;           /* holds a reference to the branch */
  gboolean detached;

  /* Streaming thread of the branch (caps events and samples are
   * serialized there). */
  HsRecorderMode decided;       /* AUTO until the first caps */
  GstElement *convert;          /* raw chain: converter ! capsfilter */
  GstElement *filter;
  GstElement *ring_encoder;     /* encoded mode, made on the first caps */
  GstElement *parser;           /* passthrough of H.264/H.265 */
  GstBufferPool *last_pool;
  gboolean last_pool_bounded;
  gboolean live_known;

  /* Under lock: written by streaming threads (and the bus's sync handler),
   * read by the main side through hs_ring_branch_get_status(). */
  GMutex lock;
  GSource *wakeup;              /* the main side's; NULL once detached */
  gboolean interested;
  GstClockTime wake_at;         /* a live source's frame at or past it
                                 * wakes the main side; NONE: none */
  GstClockTime wake_at_keyframe; /* the same for a keyframe */
  HsCopyFrames copy_frames;
  gboolean live;
  gboolean eos;
  HsRecorderMode mode;          /* as decided */
  char *source_error;
  gint64 source_error_us;
  char *source_warning;
  char *refusal;                /* why the current caps are refused */
  gboolean refusing;            /* a buffer came under them */
  gint64 last_arrival_us;
  guint64 n_dropped;            /* by the leaky queue */
  guint64 n_dropped_seen;       /* n_dropped when the last frame arrived */
  guint64 n_entered;            /* buffers into the branch */
  guint64 n_arrived;            /* buffers into the ring */
};

static void
ensure_debug (void)
{
  static gsize once;

  if (g_once_init_enter (&once)) {
    GST_DEBUG_CATEGORY_INIT (hs_ring_branch_debug, "hindsight-ring-branch", 0,
        "hindsight ring branches (streaming threads)");
    g_once_init_leave (&once, 1);
  }
}

HsRingBranch *
hs_ring_branch_ref (HsRingBranch *self)
{
  g_atomic_ref_count_inc (&self->ref);
  return self;
}

void
hs_ring_branch_unref (HsRingBranch *self)
{
  if (self == NULL || !g_atomic_ref_count_dec (&self->ref))
    return;
  gst_clear_object (&self->bin);
  gst_clear_object (&self->tee_pad);
  gst_clear_object (&self->tee);
  gst_clear_object (&self->bus);
  g_clear_object (&self->ring);
  g_clear_pointer (&self->wakeup, g_source_unref);
  g_free (self->source);
  g_free (self->encoder);
  g_free (self->source_error);
  g_free (self->source_warning);
  g_free (self->refusal);
  g_mutex_clear (&self->lock);
  g_free (self);
}

static void
unref_closure (gpointer data, GClosure *closure)
{
  hs_ring_branch_unref (data);
}

/* Called with the lock held, so that a detach (which forgets @wakeup under
 * it) never races with a wake. */
static void
wake_locked (HsRingBranch *self)
{
  if (self->wakeup != NULL)
    g_source_set_ready_time (self->wakeup, 0);
}

/* ------------------------------------------------------------------------ */
/* Frames                                                                   */

static gboolean
pool_is_bounded (HsRingBranch *self, GstBufferPool *pool)
{
  if (pool != self->last_pool) {
    GstStructure *config = gst_buffer_pool_get_config (pool);
    guint max = 0;

    gst_buffer_pool_config_get_params (config, NULL, NULL, NULL, &max);
    gst_structure_free (config);
    self->last_pool = pool;
    self->last_pool_bounded = max > 0;
    GST_DEBUG ("%s: frames come from a pool of at most %u buffers",
        self->source, max);
  }
  return self->last_pool_bounded;
}

/* Holding references to frames from a bounded pool would starve it: the
 * camera or decoder would stall. Such frames are copied into system memory. */
static GstSample *
maybe_copy (HsRingBranch *self, HsCopyFrames mode, GstSample *sample)
{
  GstBuffer *buffer = gst_sample_get_buffer (sample);
  const GstStructure *info;
  GstBuffer *deep;
  GstSample *copied;

  if (buffer == NULL || mode == HS_COPY_FRAMES_NEVER)
    return sample;
  if (mode != HS_COPY_FRAMES_ALWAYS &&
      (buffer->pool == NULL || !pool_is_bounded (self, buffer->pool)))
    return sample;
  deep = gst_buffer_copy_deep (buffer);
  info = gst_sample_get_info (sample);
  copied = gst_sample_new (deep, gst_sample_get_caps (sample),
      gst_sample_get_segment (sample), info ? gst_structure_copy (info) : NULL);
  gst_buffer_unref (deep);
  gst_sample_unref (sample);
  return copied;
}

static void
learn_liveness (HsRingBranch *self, GstAppSink *sink)
{
  g_autoptr(GstQuery) query = gst_query_new_latency ();
  gboolean live = FALSE;
  GstPad *pad = GST_BASE_SINK_PAD (GST_BASE_SINK (sink));

  if (gst_pad_peer_query (pad, query))
    gst_query_parse_latency (query, &live, NULL, NULL);

  /* A live source must never wait for the ring, so its queue drops (and
   * counts) what it cannot hold. A non-live source has no deadline: a
   * blocking queue makes the recording exact instead. */
  if (live)
    gst_util_set_object_arg (G_OBJECT (self->queue), "leaky", "downstream");

  g_mutex_lock (&self->lock);
  self->live = live;
  g_mutex_unlock (&self->lock);
  self->live_known = TRUE;
  GST_INFO ("source %s is %s", self->source, live ? "live" : "not live");
}

/* A source that is not live runs as fast as it can: its recording takes
 * each frame as it comes. A live one's frames wait for the pump's tick, in
 * batches, but for one that ends a file (NONE is after every time).
 * Called with the lock held. */
static gboolean
wakes_locked (HsRingBranch *self, GstClockTime time, gboolean keyframe)
{
  if (!self->interested)
    return FALSE;
  if (!self->live)
    return TRUE;
  return time != GST_CLOCK_TIME_NONE && (time >= self->wake_at ||
      (keyframe && time >= self->wake_at_keyframe));
}

static GstFlowReturn
on_new_sample (GstAppSink *sink, gpointer user_data)
{
  HsRingBranch *self = user_data;
  GstSample *sample = gst_app_sink_pull_sample (sink);
  HsCopyFrames copy_frames;
  guint64 dropped_before;
  GstBuffer *buffer;
  GstClockTime time;
  gboolean keyframe;

  if (sample == NULL)
    return GST_FLOW_OK;
  if (!self->live_known)
    learn_liveness (self, sink);

  g_mutex_lock (&self->lock);
  dropped_before = self->n_dropped - self->n_dropped_seen;
  self->n_dropped_seen = self->n_dropped;
  copy_frames = self->copy_frames;
  g_mutex_unlock (&self->lock);

  sample = maybe_copy (self, copy_frames, sample);
  time = hs_ring_buffer_push_counted (self->ring, sample, dropped_before);
  buffer = gst_sample_get_buffer (sample);
  keyframe = buffer != NULL &&
      !GST_BUFFER_FLAG_IS_SET (buffer, GST_BUFFER_FLAG_DELTA_UNIT);
  gst_sample_unref (sample);

  g_mutex_lock (&self->lock);
  self->last_arrival_us = g_get_monotonic_time ();
  self->n_arrived++;
  self->eos = FALSE;
  if (wakes_locked (self, time, keyframe))
    wake_locked (self);
  g_mutex_unlock (&self->lock);
  return GST_FLOW_OK;
}

static void
on_eos (GstAppSink *sink, gpointer user_data)
{
  HsRingBranch *self = user_data;

  GST_DEBUG ("source %s reached EOS", self->source);
  g_mutex_lock (&self->lock);
  self->eos = TRUE;
  wake_locked (self);
  g_mutex_unlock (&self->lock);
}

static void
on_queue_overrun (GstElement *queue, gpointer user_data)
{
  HsRingBranch *self = user_data;
  guint leaky = 0;

  g_object_get (queue, "leaky", &leaky, NULL);
  if (leaky == 0)
    return;
  g_mutex_lock (&self->lock);
  self->n_dropped++;
  g_mutex_unlock (&self->lock);
}

/* ------------------------------------------------------------------------ */
/* Caps                                                                     */

/* Puts @element between @before and the appsink, running. */
static gboolean
insert_before_sink (HsRingBranch *self, GstElement *before,
                    GstElement *element)
{
  gst_element_unlink (before, self->appsink);
  gst_bin_add (GST_BIN (self->bin), element);
  if (!gst_element_link_many (before, element, self->appsink, NULL))
    return FALSE;
  gst_element_sync_state_with_parent (element);
  return TRUE;
}

/* Encoded mode: the encoder goes between the capsfilter and the appsink once
 * the first caps tell the resolution and frame rate its bitrate and keyframe
 * distance depend on. Runs before the first frame. */
static char *
insert_ring_encoder (HsRingBranch *self, GstCaps *caps)
{
  g_autoptr(GError) error = NULL;
  HsEncoderSettings settings = self->settings;
  GstElement *enc;

  if (settings.keyframe_interval <= 0)
    settings.keyframe_interval = 1.0;
  enc = hs_variant_make_encoder (self->encoder, caps, &settings, &error);
  if (enc == NULL) {
    GST_WARNING ("%s: cannot encode the ring: %s", self->source,
        error->message);
    return g_strdup (error->message);
  }
  if (!insert_before_sink (self, self->filter, enc))
    GST_ERROR ("%s: cannot link the ring encoder", self->source);
  self->ring_encoder = enc;
  GST_INFO ("ring of %s encodes with %s, a keyframe every %.2f s",
      self->source, GST_OBJECT_NAME (gst_element_get_factory (enc)),
      settings.keyframe_interval);
  return NULL;
}

/* Raw and encoded modes: whether the converter takes @caps (asked of the
 * converter itself, so that any converter variant answers for what it
 * takes); NULL if so, else why not. */
static char *
check_raw (HsRingBranch *self, GstCaps *caps)
{
  g_autoptr(GstPad) queue_src = gst_element_get_static_pad (self->queue, "src");
  g_autoptr(GstCaps) accepted = gst_pad_peer_query_caps (queue_src, NULL);
  g_autofree char *described = NULL;
  GstVideoInfo info;

  if (gst_caps_can_intersect (caps, accepted)) {
    if (gst_video_info_from_caps (&info, caps) && info.size > 0)
      g_object_set (self->queue, "max-size-bytes",
          (guint) MIN ((guint64) info.size * QUEUE_FRAMES, G_MAXUINT), NULL);
    if (self->decided == HS_RECORDER_MODE_ENCODED &&
        self->ring_encoder == NULL)
      return insert_ring_encoder (self, caps);
    return NULL;
  }
  described = hs_ring_caps_describe (caps);
  if (g_str_has_prefix (gst_structure_get_name (gst_caps_get_structure (caps,
                  0)), "audio/"))
    return g_strdup_printf ("%s, not video (a tee of sound is an "
        "audio-source)", described);
  if (hs_ring_caps_kind (caps, NULL) != HS_RING_CAPS_RAW)
    return g_strdup_printf ("%s, not raw video (mode passthrough records it "
        "as it is)", described);
  return g_strdup_printf ("%s, not raw video%s", described,
      hs_ring_caps_memory_hint (caps));
}

/* A parser (and the caps it must output) between the queue and the
 * appsink, for a stream that needs one; NULL, or why it could not be made. */
static char *
insert_parser (HsRingBranch *self, const char *parser, const char *output)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GstCaps) out = gst_caps_from_string (output);
  GstElement *bin = gst_bin_new (NULL);
  GstElement *parse = hs_packages_make_element (parser, NULL, &error);
  GstElement *filter = parse ? hs_packages_make_element ("capsfilter", NULL,
      &error) : NULL;

  if (filter == NULL) {
    g_clear_pointer (&parse, gst_object_unref);
    gst_object_unref (bin);
    return g_strdup (error->message);
  }
  g_object_set (filter, "caps", out, NULL);
  gst_bin_add_many (GST_BIN (bin), parse, filter, NULL);
  gst_element_link (parse, filter);
  gst_element_add_pad (bin, gst_ghost_pad_new ("sink",
          GST_PAD (GST_ELEMENT (parse)->sinkpads->data)));
  gst_element_add_pad (bin, gst_ghost_pad_new ("src",
          GST_PAD (GST_ELEMENT (filter)->srcpads->data)));
  if (!insert_before_sink (self, self->queue, bin))
    GST_ERROR ("%s: cannot link %s", self->source, parser);
  self->parser = bin;
  return NULL;
}

/* The first compressed caps in mode auto or passthrough: the raw chain (if
 * any) goes, a parser comes where the codec needs one. */
static char *
become_passthrough (HsRingBranch *self, GstCaps *caps)
{
  const char *parser, *output = NULL;
  g_autofree char *described = hs_ring_caps_describe (caps);

  if (self->converter_given)
    return g_strdup_printf ("%s, and a converter is only for raw video: "
        "leave it at auto to record the camera's own stream", described);
  if (self->convert != NULL) {
    GstElement *chain[] = { self->convert, self->filter };

    gst_element_unlink_many (self->queue, self->convert, self->filter,
        self->appsink, NULL);
    for (guint i = 0; i < G_N_ELEMENTS (chain); i++) {
      gst_element_set_locked_state (chain[i], TRUE);
      gst_element_set_state (chain[i], GST_STATE_NULL);
      gst_bin_remove (GST_BIN (self->bin), chain[i]);
    }
    self->convert = self->filter = NULL;
    gst_element_link (self->queue, self->appsink);
  }
  g_object_set (self->ring, "whole-gops", TRUE, NULL);
  self->decided = HS_RECORDER_MODE_PASSTHROUGH;

  parser = hs_ring_caps_parser (caps, &output);
  if (parser != NULL && self->parser == NULL) {
    g_autofree char *failed = insert_parser (self, parser, output);

    if (failed != NULL)
      return g_strdup_printf ("%s, and %s", described, failed);
  }
  GST_INFO ("tee %s carries %s: recording it as it is%s%s", self->source,
      described, parser ? " through " : "", parser ? parser : "");
  return NULL;
}

/* Passthrough: whether @caps (after the first) can go on. */
static char *
check_compressed (HsRingBranch *self, GstCaps *caps)
{
  const char *fix = NULL;
  g_autofree char *described = hs_ring_caps_describe (caps);

  switch (hs_ring_caps_kind (caps, &fix)) {
    case HS_RING_CAPS_UNPARSED:
      return g_strdup_printf ("%s that is not parsed into access units: put "
          "%s before the tee", described, fix ? fix : "a parser");
    case HS_RING_CAPS_RAW:
      return g_strdup_printf ("%s, not compressed video (mode passthrough "
          "takes H.264, H.265, VP8, VP9 and AV1)", described);
    case HS_RING_CAPS_COMPRESSED:
      break;
  }
  if (self->decided != HS_RECORDER_MODE_PASSTHROUGH)
    return become_passthrough (self, caps);
  return NULL;
}

/* An audio branch: raw audio, or compressed audio a container holds. */
static char *
check_audio (HsRingBranch *self, GstCaps *caps)
{
  const char *parser, *output;
  char *refusal = hs_ring_caps_check_audio (caps, &parser, &output);

  if (refusal == NULL && parser != NULL && self->parser == NULL)
    refusal = insert_parser (self, parser, output);
  return refusal;
}

/* Whether the branch takes @caps. Caps it cannot take are dropped here
 * instead of failing negotiation (which would post an error that stops the
 * user's pipeline); data under them is refused and reported with the next
 * recording. */
static gboolean
check_caps (HsRingBranch *self, GstCaps *caps)
{
  g_autofree char *refusal = NULL;

  if (!self->audio && self->decided == HS_RECORDER_MODE_AUTO &&
      hs_ring_caps_kind (caps, NULL) == HS_RING_CAPS_RAW)
    self->decided = HS_RECORDER_MODE_RAW;
  if (self->audio)
    refusal = check_audio (self, caps);
  else if (self->decided == HS_RECORDER_MODE_AUTO ||
      self->decided == HS_RECORDER_MODE_PASSTHROUGH)
    refusal = check_compressed (self, caps);
  else
    refusal = check_raw (self, caps);

  g_mutex_lock (&self->lock);
  g_free (self->refusal);
  self->refusal = g_strdup (refusal);
  self->refusing = FALSE;
  self->mode = self->decided;
  g_mutex_unlock (&self->lock);
  if (refusal != NULL)
    GST_WARNING ("tee %s carries %" GST_PTR_FORMAT ": not recording it (%s)",
        self->source, caps, refusal);
  return refusal == NULL;
}

/* The caps the tee that feeds @pad (the branch's sink) carries now. */
static GstCaps *
tee_current_caps (GstPad *pad)
{
  g_autoptr(GstPad) peer = gst_pad_get_peer (pad);
  g_autoptr(GstElement) tee = peer ? gst_pad_get_parent_element (peer) : NULL;
  g_autoptr(GstPad) sink = tee ?
      gst_element_get_static_pad (tee, "sink") : NULL;

  return sink ? gst_pad_get_current_caps (sink) : NULL;
}

static GstPadProbeReturn
on_branch_query (GstPad *pad, GstQuery *query)
{
  if (GST_QUERY_TYPE (query) == GST_QUERY_CAPS) {
    GstCaps *filter;
    g_autoptr(GstCaps) current = tee_current_caps (pad);
    g_autoptr(GstCaps) result = NULL;

    gst_query_parse_caps (query, &filter);
    result = hs_ring_caps_answer (filter, current);
    gst_query_set_caps_result (query, result);
    return GST_PAD_PROBE_HANDLED;
  }
  if (GST_QUERY_TYPE (query) == GST_QUERY_ACCEPT_CAPS) {
    gst_query_set_accept_caps_result (query, TRUE);
    return GST_PAD_PROBE_HANDLED;
  }
  return GST_PAD_PROBE_OK;
}

static GstPadProbeReturn
on_branch_event (HsRingBranch *self, GstEvent *event)
{
  GstCaps *caps;

  if (GST_EVENT_TYPE (event) == GST_EVENT_CAPS) {
    gst_event_parse_caps (event, &caps);
    return check_caps (self, caps) ? GST_PAD_PROBE_OK : GST_PAD_PROBE_DROP;
  }
  if (GST_EVENT_TYPE (event) == GST_EVENT_STREAM_START) {
    /* A new stream (the application restarted the pipeline after an
     * error): the old failure must not end the next recordings. */
    g_mutex_lock (&self->lock);
    g_clear_pointer (&self->source_error, g_free);
    g_clear_pointer (&self->source_warning, g_free);
    self->n_entered = self->n_arrived + self->n_dropped;
    g_mutex_unlock (&self->lock);
  }
  return GST_PAD_PROBE_OK;
}

static GstPadProbeReturn
on_branch_buffers (HsRingBranch *self, GstPadProbeInfo *info)
{
  GstPadProbeReturn ret = GST_PAD_PROBE_OK;

  g_mutex_lock (&self->lock);
  if (self->refusal != NULL) {
    /* Caps that only pass by (an overlay trying caps with its meta before
     * it settles on plain video) end nothing; data under them does. */
    if (!self->refusing)
      wake_locked (self);
    self->refusing = TRUE;
    ret = GST_PAD_PROBE_DROP;
  } else if (info->type & GST_PAD_PROBE_TYPE_BUFFER_LIST)
    self->n_entered += gst_buffer_list_length (
        GST_PAD_PROBE_INFO_BUFFER_LIST (info));
  else
    self->n_entered++;
  g_mutex_unlock (&self->lock);
  return ret;
}

/* Everything that enters the branch passes here first. */
static GstPadProbeReturn
on_branch_data (GstPad *pad, GstPadProbeInfo *info, gpointer user_data)
{
  HsRingBranch *self = user_data;

  if (info->type & GST_PAD_PROBE_TYPE_QUERY_DOWNSTREAM)
    return on_branch_query (pad, GST_PAD_PROBE_INFO_QUERY (info));
  if (info->type & GST_PAD_PROBE_TYPE_EVENT_DOWNSTREAM)
    return on_branch_event (self, GST_PAD_PROBE_INFO_EVENT (info));
  return on_branch_buffers (self, info);
}

/* ------------------------------------------------------------------------ */
/* Errors upstream                                                          */

/* The first error upstream of the tee ends a window; the first warning is
 * kept to say why a source that ends early did (rtspsrc warns that the
 * camera closed the connection, then sends EOS). */
static void
on_bus_sync_message (GstBus *bus, GstMessage *message, gpointer user_data)
{
  HsRingBranch *self = user_data;
  gboolean is_error = GST_MESSAGE_TYPE (message) == GST_MESSAGE_ERROR;
  g_autoptr(GError) error = NULL;
  char **slot;

  if (is_error)
    gst_message_parse_error (message, &error, NULL);
  else if (GST_MESSAGE_TYPE (message) == GST_MESSAGE_WARNING)
    gst_message_parse_warning (message, &error, NULL);
  else
    return;
  if (!hs_error_origin_is_upstream (self->bin, GST_MESSAGE_SRC (message))) {
    GST_INFO ("%s in %s does not concern tee %s: %s", is_error ? "error" :
        "warning", GST_OBJECT_NAME (GST_MESSAGE_SRC (message)), self->source,
        error->message);
    return;
  }
  g_mutex_lock (&self->lock);
  slot = is_error ? &self->source_error : &self->source_warning;
  if (*slot == NULL) {
    *slot = g_strdup_printf ("%s: %s", GST_OBJECT_NAME (GST_MESSAGE_SRC (
                message)), error->message);
    if (is_error)
      self->source_error_us = g_get_monotonic_time ();
  }
  if (is_error)
    wake_locked (self);
  g_mutex_unlock (&self->lock);
}

/* ------------------------------------------------------------------------ */
/* Making, attaching, detaching                                             */

static GstElement *
make_bin (HsRingBranch *self, const char *converter, GError **error)
{
  static guint count;
  g_autofree char *name = g_strdup_printf ("hs-ring-%s-%u", self->source,
      g_atomic_int_add (&count, 1));
  g_autoptr(GstCaps) caps = gst_caps_from_string ("video/x-raw,format=I420");
  g_autoptr(GstPad) sinkpad = NULL;
  GstElement *queue, *convert = NULL, *filter = NULL, *sink;
  /* Passthrough and audio need no converter; auto has one until the caps
   * say. */
  gboolean raw_chain = self->requested != HS_RECORDER_MODE_PASSTHROUGH &&
      !self->audio;
  GstAppSinkCallbacks callbacks = {
    .eos = on_eos,
    .new_sample = on_new_sample,
  };
  GstPad *ghost;

  queue = hs_packages_make_element ("queue", NULL, error);
  if (queue != NULL && raw_chain) {
    convert = hs_variant_make_converter (converter, error);
    filter = convert ? hs_packages_make_element ("capsfilter", NULL, error) :
        NULL;
  }
  sink = queue && (filter || !raw_chain) ?
      hs_packages_make_element ("appsink", NULL, error) : NULL;
  if (sink == NULL) {
    g_clear_pointer (&queue, gst_object_unref);
    g_clear_pointer (&convert, gst_object_unref);
    g_clear_pointer (&filter, gst_object_unref);
    return NULL;
  }

  self->bin = gst_object_ref_sink (gst_bin_new (name));
  gst_bin_add_many (GST_BIN (self->bin), queue, sink, NULL);
  if (raw_chain) {
    gst_bin_add_many (GST_BIN (self->bin), convert, filter, NULL);
    gst_element_link_many (queue, convert, filter, sink, NULL);
    g_object_set (filter, "caps", caps, NULL);
  } else
    gst_element_link (queue, sink);

  g_object_set (queue,
      "max-size-buffers", 0,
      "max-size-bytes", 0,
      "max-size-time", (guint64) GST_SECOND, NULL);
  g_signal_connect (queue, "overrun", G_CALLBACK (on_queue_overrun), self);
  g_object_set (sink,
      "sync", FALSE,
      "async", FALSE,
      "enable-last-sample", FALSE,
      "max-buffers", 1,
      "emit-signals", FALSE,
      NULL);
  gst_app_sink_set_callbacks (GST_APP_SINK (sink), &callbacks, self, NULL);
  self->queue = queue;
  self->convert = convert;
  self->filter = filter;
  self->appsink = sink;

  sinkpad = gst_element_get_static_pad (queue, "sink");
  ghost = gst_ghost_pad_new ("sink", sinkpad);
  gst_pad_add_probe (ghost, GST_PAD_PROBE_TYPE_EVENT_DOWNSTREAM |
      GST_PAD_PROBE_TYPE_QUERY_DOWNSTREAM | GST_PAD_PROBE_TYPE_BUFFER |
      GST_PAD_PROBE_TYPE_BUFFER_LIST, on_branch_data, self, NULL);
  gst_element_add_pad (self->bin, ghost);
  return self->bin;
}

HsRingBranch *
hs_ring_branch_new (const HsRingBranchConfig *config, GError **error)
{
  HsRingBranch *self;

  ensure_debug ();
  self = g_new0 (HsRingBranch, 1);
  g_atomic_ref_count_init (&self->ref);
  g_mutex_init (&self->lock);
  self->source = g_strdup (config->source);
  self->ring = g_object_ref (config->ring);
  self->wakeup = g_source_ref (config->wakeup);
  self->wake_at = self->wake_at_keyframe = GST_CLOCK_TIME_NONE;
  self->requested = self->decided = self->mode = config->mode;
  self->audio = config->audio;
  self->converter_given = g_strcmp0 (config->converter, "auto") != 0;
  self->encoder = g_strdup (config->encoder);
  self->settings = config->settings;
  self->copy_frames = config->copy_frames;
  if (self->requested == HS_RECORDER_MODE_ENCODED)
    g_object_set (self->ring, "whole-gops", TRUE, NULL);

  if (make_bin (self, config->converter, error) == NULL) {
    hs_ring_branch_unref (self);
    return NULL;
  }
  return self;
}

gboolean
hs_ring_branch_attach (HsRingBranch *self, GstElement *tee, GError **error)
{
  g_autoptr(GstObject) parent = gst_object_get_parent (GST_OBJECT (tee));
  g_autoptr(GstPad) branch_sink = gst_element_get_static_pad (self->bin,
      "sink");

  /* The bin is not floating: the parent takes a reference of its own. */
  gst_bin_add (GST_BIN (parent), self->bin);
  /* Running before it is linked: a buffer the tee pushes into a branch that
   * is still flushing returns FLUSHING, which pauses the source for good. */
  gst_element_sync_state_with_parent (self->bin);

  self->tee = gst_object_ref (tee);
  self->tee_pad = gst_element_request_pad_simple (tee, "src_%u");
  if (gst_pad_link (self->tee_pad, branch_sink) != GST_PAD_LINK_OK) {
    g_set_error (error, HS_ERROR, HS_ERROR_NOT_NEGOTIATED,
        "Cannot link a ring branch to tee '%s'", self->source);
    return FALSE;
  }
  GST_INFO ("attached to tee %s", self->source);
  return TRUE;
}

void
hs_ring_branch_watch_bus (HsRingBranch *self, GstBus *bus)
{
  g_return_if_fail (self->bus == NULL);

  self->bus = gst_object_ref (bus);
  gst_bus_enable_sync_message_emission (self->bus);
  self->bus_handler = g_signal_connect_data (self->bus, "sync-message",
      G_CALLBACK (on_bus_sync_message), hs_ring_branch_ref (self),
      unref_closure, 0);
}

GstElement *
hs_ring_branch_get_bin (HsRingBranch *self)
{
  return self->bin;
}

typedef struct {
  HsRingBranch *branch;
  GMainContext *context;        /* until the removal is queued there */
  gint unlinked;
  gboolean removed;
} Detach;

static gboolean
remove_branch (gpointer user_data)
{
  Detach *d = user_data;
  HsRingBranch *self = d->branch;
  g_autoptr(GstObject) parent = NULL;

  if (d->removed)
    return G_SOURCE_REMOVE;
  d->removed = TRUE;
  parent = gst_object_get_parent (GST_OBJECT (self->bin));
  gst_element_set_locked_state (self->bin, TRUE);
  gst_element_set_state (self->bin, GST_STATE_NULL);
  if (parent != NULL)
    gst_bin_remove (GST_BIN (parent), self->bin);
  gst_element_release_request_pad (self->tee, self->tee_pad);
  return G_SOURCE_REMOVE;
}

/* Also when the context goes before it ran the removal: the branch never
 * outlives its elements' streaming. */
static void
detach_free (gpointer user_data)
{
  Detach *d = user_data;

  remove_branch (d);
  hs_ring_branch_unref (d->branch);
  g_free (d);
}

/* Runs once no buffer is in flight on the tee pad: the branch can be cut off
 * without a race with the streaming thread. */
static GstPadProbeReturn
on_tee_pad_idle (GstPad *pad, GstPadProbeInfo *info, gpointer user_data)
{
  Detach *d = user_data;
  g_autoptr(GstPad) peer = NULL;
  GMainContext *context;

  if (!g_atomic_int_compare_and_exchange (&d->unlinked, 0, 1))
    return GST_PAD_PROBE_REMOVE;
  peer = gst_pad_get_peer (pad);
  if (peer != NULL)
    gst_pad_unlink (pad, peer);
  /* A queued removal must not keep its context alive: the context frees it
   * (detach_free) when it goes first. */
  context = g_steal_pointer (&d->context);
  g_main_context_invoke_full (context, G_PRIORITY_DEFAULT, remove_branch, d,
      detach_free);
  g_main_context_unref (context);
  return GST_PAD_PROBE_REMOVE;
}

void
hs_ring_branch_detach (HsRingBranch *self, GMainContext *context)
{
  Detach *d;

  if (self->detached)
    return;
  self->detached = TRUE;
  if (self->bus_handler != 0) {
    g_clear_signal_handler (&self->bus_handler, self->bus);
    gst_bus_disable_sync_message_emission (self->bus);
  }
  /* Nothing more reaches the main side: it may be gone by now. */
  g_mutex_lock (&self->lock);
  g_clear_pointer (&self->wakeup, g_source_unref);
  g_mutex_unlock (&self->lock);

  if (self->tee_pad == NULL)
    return;
  d = g_new0 (Detach, 1);
  d->branch = hs_ring_branch_ref (self);
  d->context = g_main_context_ref (context);
  gst_pad_add_probe (self->tee_pad, GST_PAD_PROBE_TYPE_IDLE, on_tee_pad_idle,
      d, NULL);
  GST_INFO ("detached from tee %s", self->source);
}

/* ------------------------------------------------------------------------ */
/* Main side                                                                */

void
hs_ring_branch_get_status (HsRingBranch *self, HsRingBranchStatus *status)
{
  g_mutex_lock (&self->lock);
  status->live = self->live;
  status->eos = self->eos;
  status->source_error = g_strdup (self->source_error);
  status->source_warning = g_strdup (self->source_warning);
  /* Frames that passed the tee before the source failed are still on
   * their way through the branch's queue: they belong in the file. */
  status->drained = self->n_arrived + self->n_dropped >= self->n_entered ||
      g_get_monotonic_time () - self->source_error_us >= DRAIN_TIMEOUT_US;
  status->refusal = self->refusing || self->eos ?
      g_strdup (self->refusal) : NULL;
  status->mode = self->mode;
  status->last_arrival_us = self->last_arrival_us;
  status->n_arrived = self->n_arrived;
  g_mutex_unlock (&self->lock);
}

void
hs_ring_branch_status_clear (HsRingBranchStatus *status)
{
  g_clear_pointer (&status->source_error, g_free);
  g_clear_pointer (&status->source_warning, g_free);
  g_clear_pointer (&status->refusal, g_free);
}

gboolean
hs_ring_branch_is_live (HsRingBranch *self)
{
  gboolean live;

  g_mutex_lock (&self->lock);
  live = self->live;
  g_mutex_unlock (&self->lock);
  return live;
}

void
hs_ring_branch_set_interested (HsRingBranch *self, gboolean interested)
{
  g_mutex_lock (&self->lock);
  self->interested = interested;
  g_mutex_unlock (&self->lock);
}

void
hs_ring_branch_set_wake_at (HsRingBranch *self, GstClockTime time,
                            GstClockTime keyframe_time)
{
  g_mutex_lock (&self->lock);
  self->wake_at = time;
  self->wake_at_keyframe = keyframe_time;
  g_mutex_unlock (&self->lock);
}

void
hs_ring_branch_set_copy_frames (HsRingBranch *self, HsCopyFrames copy)
{
  g_mutex_lock (&self->lock);
  self->copy_frames = copy;
  g_mutex_unlock (&self->lock);
}

void
hs_ring_branch_request_keyframe (HsRingBranch *self, GstClockTime time)
{
  if (self->decided != HS_RECORDER_MODE_ENCODED || self->detached)
    return;
  GST_DEBUG ("%s: asking for a keyframe at %" GST_TIME_FORMAT, self->source,
      GST_TIME_ARGS (time));
  gst_element_send_event (self->appsink,
      gst_video_event_new_upstream_force_key_unit (time, TRUE, 0));
}
