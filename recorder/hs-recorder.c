/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include "hs-recorder-private.h"

#include <gst/app/app.h>
#include <gst/video/video.h>
#include <glib/gstdio.h>

#include "hs-element-private.h"
#include "hs-error.h"
#include "hs-location-private.h"
#include "hs-recording-private.h"
#include "hs-ring-buffer-private.h"
#include "hs-variant-private.h"
#include "hs-writer-private.h"

/**
 * HsRecorder:
 *
 * Records what a tee of a running pipeline carried before and after an
 * event.
 *
 * The recorder adds a branch to the tee (`queue ! videoconvert ! appsink`)
 * that keeps the last [property@Hindsight.Recorder:pre] seconds of frames in
 * an [class@Hindsight.RingBuffer]. A trigger at running time T writes a WebM
 * file with the frames from `T - pre` to `T + post`; each further trigger
 * before that end moves the end to `T' + post`. Files never overlap and
 * never leave a gap when windows touch.
 *
 * ```c
 * g_autoptr(GError) error = NULL;
 * g_autoptr(HsRecorder) rec = hs_recorder_new (pipeline, "cam0", &error);
 *
 * g_object_set (rec, "pre", 2.0, "post", 2.0,
 *               "location", "clips/%{source}-%{index}.webm", NULL);
 * g_signal_connect (rec, "recording-finished", G_CALLBACK (on_finished), NULL);
 * hs_recorder_trigger_at (rec, 3 * GST_SECOND);   // writes [1 s, 5 s)
 * ```
 *
 * Every decision and every signal happens on the [struct@GLib.MainContext]
 * that was the thread-default one when the recorder was made; that context
 * must be running for files to be written. The methods may be called from
 * any thread.
 *
 * Since: 0.1
 */

GST_DEBUG_CATEGORY_STATIC (hs_recorder_debug);
#define GST_CAT_DEFAULT hs_recorder_debug

/* The ring spans pre plus this much, so that a trigger "now" still finds
 * T - pre although the newest frame is a little older than the clock. */
#define RING_MARGIN (GST_SECOND / 2)
#define TICK_MS 50
#define MIN_STALL_TIMEOUT (GST_SECOND / 2)
#define CLOSE_TIMEOUT (5 * GST_SECOND)
#define QUEUE_FRAMES 8
/* How long a source error waits for the frames still in the ring branch
 * (its queue holds at most a second) before the window closes without
 * them. */
#define DRAIN_TIMEOUT_US G_USEC_PER_SEC

/* What the streaming threads reach the recorder through. Detaching clears
 * @recorder under @lock, so a callback still running in the branch never
 * sees a recorder that is gone. */
typedef struct {
  gatomicrefcount ref;
  GMutex lock;
  HsRecorder *recorder;
} StreamLink;

typedef struct {
  HsRecorder *recorder;
  HsWriter *writer;
  HsRecording *recording;
  GList *waiters;               /* GTask */
  gboolean closed;              /* the writer is done; waiting for its turn */
  guint64 bytes;
  GError *error;
} FileJob;

struct _HsRecorder
{
  GObject parent_instance;

  GstElement *pipeline;
  char *source;
  GMainContext *context;

  /* settings */
  double pre;
  double post;
  double max_duration;
  char *location;
  char *encoder;
  char *converter;
  HsRecorderMode mode;
  HsEncoderSettings encoder_settings;
  gboolean rebase_timestamps;
  guint64 max_ring_bytes;
  HsCopyFrames copy_frames;
  HsLocationFunc location_func;
  gpointer location_data;
  GDestroyNotify location_destroy;

  /* ring branch */
  GstElement *tee;
  GstPad *tee_pad;
  GstElement *branch;
  GstElement *queue;
  GstElement *filter;
  GstElement *appsink;
  GstElement *ring_encoder;     /* encoded mode, made on the first caps */
  HsRingBuffer *ring;
  GSource *wakeup;
  StreamLink *link;
  gulong bus_handler;
  gboolean detached;

  /* shared with streaming threads, under stream_lock */
  GMutex stream_lock;
  gboolean interested;
  gboolean eos;
  gboolean live;
  gboolean live_known;
  char *source_error;
  gint64 source_error_us;
  char *unsupported_caps;
  gboolean refusing;            /* a buffer came under unsupported_caps */
  gint64 last_arrival_us;
  guint64 n_dropped;
  guint64 n_dropped_seen;       /* n_dropped when the last frame arrived */
  guint64 n_entered;            /* buffers into the branch */
  guint64 n_arrived;            /* buffers into the ring */
  GstBufferPool *last_pool;
  gboolean last_pool_bounded;

  /* main context only */
  GArray *pending;              /* GstClockTime, sorted */
  GList *pending_waiters;       /* GTask for triggers not started yet */
  gboolean active;
  GstClockTime start;           /* window start, for skipping older frames */
  gint64 requested_start;
  GstClockTime end;             /* window end, excluded */
  guint64 cursor;               /* seq of the next frame to consider */
  GstClockTime boundary;        /* first time the next window may start at */
  FileJob *current;
  GList *window_waiters;        /* GTask waiting for the window's first file */
  gboolean window_has_file;
  gboolean need_keyframe;       /* encoded mode: start not chosen yet */
  gint64 window_opened_us;
  GstClockTime file_first;
  GList *closing;               /* FileJob */
  guint index;
  GSource *tick;
  gboolean busy;
  gboolean pumping;
  gint queued;                  /* atomic: triggers not applied yet */
};

static void hs_recorder_initable_iface_init (GInitableIface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (HsRecorder, hs_recorder, G_TYPE_OBJECT,
    G_IMPLEMENT_INTERFACE (G_TYPE_INITABLE, hs_recorder_initable_iface_init)
    GST_DEBUG_CATEGORY_INIT (hs_recorder_debug, "hindsight", 0,
        "hindsight recorder"))

G_DEFINE_ENUM_TYPE (HsRecorderMode, hs_recorder_mode,
    G_DEFINE_ENUM_VALUE (HS_RECORDER_MODE_RAW, "raw"),
    G_DEFINE_ENUM_VALUE (HS_RECORDER_MODE_ENCODED, "encoded"))

G_DEFINE_ENUM_TYPE (HsCopyFrames, hs_copy_frames,
    G_DEFINE_ENUM_VALUE (HS_COPY_FRAMES_AUTO, "auto"),
    G_DEFINE_ENUM_VALUE (HS_COPY_FRAMES_ALWAYS, "always"),
    G_DEFINE_ENUM_VALUE (HS_COPY_FRAMES_NEVER, "never"))

enum
{
  PROP_0,
  PROP_PIPELINE,
  PROP_SOURCE,
  PROP_PRE,
  PROP_POST,
  PROP_MAX_DURATION,
  PROP_LOCATION,
  PROP_ENCODER,
  PROP_CONVERTER,
  PROP_MODE,
  PROP_BITRATE,
  PROP_KEYFRAME_INTERVAL,
  PROP_THREADS,
  PROP_REBASE_TIMESTAMPS,
  PROP_MAX_RING_BYTES,
  PROP_COPY_FRAMES,
  PROP_BUSY,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

enum
{
  SIGNAL_RECORDING_STARTED,
  SIGNAL_RECORDING_FINISHED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void pump (HsRecorder *self);

static StreamLink *
stream_link_new (HsRecorder *self)
{
  StreamLink *link = g_new0 (StreamLink, 1);

  g_atomic_ref_count_init (&link->ref);
  g_mutex_init (&link->lock);
  link->recorder = self;
  return link;
}

static gpointer
stream_link_ref (StreamLink *link)
{
  g_atomic_ref_count_inc (&link->ref);
  return link;
}

static void
stream_link_unref (gpointer data)
{
  StreamLink *link = data;

  if (g_atomic_ref_count_dec (&link->ref)) {
    g_mutex_clear (&link->lock);
    g_free (link);
  }
}

static void
stream_link_closure_notify (gpointer data, GClosure *closure)
{
  stream_link_unref (data);
}

static void
stream_link_sever (StreamLink *link)
{
  g_mutex_lock (&link->lock);
  link->recorder = NULL;
  g_mutex_unlock (&link->lock);
}

/* ------------------------------------------------------------------------ */
/* Registry of recorders per pipeline, for HsPipeline's graceful stop.      */

static GMutex registry_lock;
static GQuark registry_quark;

static void
registry_add (HsRecorder *self)
{
  GPtrArray *list;

  g_mutex_lock (&registry_lock);
  if (registry_quark == 0)
    registry_quark = g_quark_from_static_string ("hs-recorders");
  list = g_object_get_qdata (G_OBJECT (self->pipeline), registry_quark);
  if (list == NULL) {
    list = g_ptr_array_new ();
    g_object_set_qdata_full (G_OBJECT (self->pipeline), registry_quark, list,
        (GDestroyNotify) g_ptr_array_unref);
  }
  g_ptr_array_add (list, self);
  g_mutex_unlock (&registry_lock);
}

static void
registry_remove (HsRecorder *self)
{
  GPtrArray *list;

  g_mutex_lock (&registry_lock);
  list = registry_quark ?
      g_object_get_qdata (G_OBJECT (self->pipeline), registry_quark) : NULL;
  if (list != NULL)
    g_ptr_array_remove (list, self);
  g_mutex_unlock (&registry_lock);
}

GPtrArray *
hs_recorder_list_for_pipeline (GstElement *pipeline)
{
  GPtrArray *result = g_ptr_array_new_with_free_func (g_object_unref);
  GPtrArray *list;

  g_mutex_lock (&registry_lock);
  list = registry_quark ?
      g_object_get_qdata (G_OBJECT (pipeline), registry_quark) : NULL;
  for (guint i = 0; list != NULL && i < list->len; i++)
    g_ptr_array_add (result, g_object_ref (list->pdata[i]));
  g_mutex_unlock (&registry_lock);
  return result;
}

/* ------------------------------------------------------------------------ */
/* Tee lookup                                                               */

static gboolean
is_tee (GstElement *element)
{
  GstElementFactory *factory = gst_element_get_factory (element);

  return factory != NULL &&
      g_str_equal (GST_OBJECT_NAME (factory), "tee");
}

static void
collect_tees (GstBin *bin, GPtrArray *names)
{
  GList *children;

  GST_OBJECT_LOCK (bin);
  children = g_list_copy_deep (GST_BIN_CHILDREN (bin),
      (GCopyFunc) (void (*) (void)) gst_object_ref, NULL);
  GST_OBJECT_UNLOCK (bin);

  /* GstBin keeps its children newest first. */
  children = g_list_reverse (children);
  for (GList *l = children; l != NULL; l = l->next) {
    GstElement *child = l->data;

    if (is_tee (child))
      g_ptr_array_add (names, gst_object_get_name (GST_OBJECT (child)));
    else if (GST_IS_BIN (child))
      collect_tees (GST_BIN (child), names);
  }
  g_list_free_full (children, gst_object_unref);
}

GStrv
hs_recorder_list_tees (GstElement *pipeline)
{
  GPtrArray *names = g_ptr_array_new ();

  if (GST_IS_BIN (pipeline))
    collect_tees (GST_BIN (pipeline), names);
  g_ptr_array_add (names, NULL);
  return (GStrv) g_ptr_array_free (names, FALSE);
}

char *
hs_recorder_describe_tees (GstElement *pipeline)
{
  g_auto(GStrv) names = hs_recorder_list_tees (pipeline);

  if (names[0] == NULL)
    return g_strdup ("the pipeline has no tee");
  {
    g_autofree char *joined = g_strjoinv (", ", names);
    return g_strconcat ("tees: ", joined, NULL);
  }
}

/* ------------------------------------------------------------------------ */
/* Streaming-thread side                                                    */

static void
wake (HsRecorder *self)
{
  if (self->wakeup != NULL)
    g_source_set_ready_time (self->wakeup, 0);
}

static gboolean
pool_is_bounded (HsRecorder *self, GstBufferPool *pool)
{
  if (pool != self->last_pool) {
    GstStructure *config = gst_buffer_pool_get_config (pool);
    guint max = 0;

    gst_buffer_pool_config_get_params (config, NULL, NULL, NULL, &max);
    gst_structure_free (config);
    self->last_pool = pool;
    self->last_pool_bounded = max > 0;
    GST_DEBUG_OBJECT (self, "frames come from a pool of at most %u buffers",
        max);
  }
  return self->last_pool_bounded;
}

/* Holding references to frames from a bounded pool would starve it: the
 * camera or decoder would stall. Such frames are copied into system memory. */
static GstSample *
maybe_copy (HsRecorder *self, GstSample *sample)
{
  GstBuffer *buffer = gst_sample_get_buffer (sample);
  gboolean copy;

  if (buffer == NULL || self->copy_frames == HS_COPY_FRAMES_NEVER)
    return sample;
  copy = self->copy_frames == HS_COPY_FRAMES_ALWAYS ||
      (buffer->pool != NULL && pool_is_bounded (self, buffer->pool));
  if (copy) {
    GstBuffer *deep = gst_buffer_copy_deep (buffer);
    const GstStructure *info = gst_sample_get_info (sample);
    GstSample *copied = gst_sample_new (deep, gst_sample_get_caps (sample),
        gst_sample_get_segment (sample), info ? gst_structure_copy (info) :
        NULL);

    gst_buffer_unref (deep);
    gst_sample_unref (sample);
    return copied;
  }
  return sample;
}

static void
learn_liveness (HsRecorder *self, GstAppSink *sink)
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
    g_object_set (self->queue, "leaky", 2 /* downstream */, NULL);

  g_mutex_lock (&self->stream_lock);
  self->live = live;
  self->live_known = TRUE;
  g_mutex_unlock (&self->stream_lock);
  GST_INFO_OBJECT (self, "source %s is %s", self->source,
      live ? "live" : "not live");
}

static void
add_sample (HsRecorder *self, GstAppSink *sink, GstSample *sample)
{
  gboolean interested;
  guint64 dropped_before;

  if (!self->live_known)
    learn_liveness (self, sink);

  g_mutex_lock (&self->stream_lock);
  dropped_before = self->n_dropped - self->n_dropped_seen;
  self->n_dropped_seen = self->n_dropped;
  g_mutex_unlock (&self->stream_lock);

  sample = maybe_copy (self, sample);
  hs_ring_buffer_push_counted (self->ring, sample, dropped_before);
  gst_sample_unref (sample);

  g_mutex_lock (&self->stream_lock);
  self->last_arrival_us = g_get_monotonic_time ();
  self->n_arrived++;
  self->eos = FALSE;
  interested = self->interested;
  g_mutex_unlock (&self->stream_lock);

  if (interested)
    wake (self);
}

static GstFlowReturn
on_new_sample (GstAppSink *sink, gpointer user_data)
{
  StreamLink *link = user_data;
  GstSample *sample = gst_app_sink_pull_sample (sink);

  if (sample == NULL)
    return GST_FLOW_OK;
  g_mutex_lock (&link->lock);
  if (link->recorder != NULL)
    add_sample (link->recorder, sink, sample);
  else
    gst_sample_unref (sample);
  g_mutex_unlock (&link->lock);
  return GST_FLOW_OK;
}

static void
mark_eos (HsRecorder *self)
{
  GST_DEBUG_OBJECT (self, "source %s reached EOS", self->source);
  g_mutex_lock (&self->stream_lock);
  self->eos = TRUE;
  g_mutex_unlock (&self->stream_lock);
  wake (self);
}

static void
on_eos (GstAppSink *sink, gpointer user_data)
{
  StreamLink *link = user_data;

  g_mutex_lock (&link->lock);
  if (link->recorder != NULL)
    mark_eos (link->recorder);
  g_mutex_unlock (&link->lock);
}

static void
on_queue_overrun (GstElement *queue, gpointer user_data)
{
  StreamLink *link = user_data;
  guint leaky = 0;

  g_object_get (queue, "leaky", &leaky, NULL);
  if (leaky == 0)
    return;
  g_mutex_lock (&link->lock);
  if (link->recorder != NULL) {
    g_mutex_lock (&link->recorder->stream_lock);
    link->recorder->n_dropped++;
    g_mutex_unlock (&link->recorder->stream_lock);
  }
  g_mutex_unlock (&link->lock);
}

/* A tee that does not carry raw-convertible video would fail to negotiate
 * and post an error that stops the user's pipeline. The branch refuses such
 * caps itself: it drops the data and reports the reason with the next
 * recording. */
static GstClockTime seconds_to_time (double seconds);

/* Encoded mode: the encoder goes between the capsfilter and the appsink once
 * the first caps tell the resolution and frame rate its bitrate and keyframe
 * distance depend on. Runs in the streaming thread, before any frame. */
static gboolean
insert_ring_encoder (HsRecorder *self, GstCaps *caps)
{
  g_autoptr(GError) error = NULL;
  HsEncoderSettings settings = self->encoder_settings;
  GstElement *enc;

  if (settings.keyframe_interval <= 0)
    settings.keyframe_interval = 1.0;
  enc = hs_variant_make_encoder (self->encoder, caps, &settings, &error);
  if (enc == NULL) {
    g_mutex_lock (&self->stream_lock);
    g_free (self->unsupported_caps);
    self->unsupported_caps = g_strdup (error->message);
    g_mutex_unlock (&self->stream_lock);
    GST_WARNING_OBJECT (self, "cannot encode the ring: %s", error->message);
    return FALSE;
  }
  gst_element_unlink (self->filter, self->appsink);
  gst_bin_add (GST_BIN (self->branch), enc);
  if (!gst_element_link_many (self->filter, enc, self->appsink, NULL))
    GST_ERROR_OBJECT (self, "cannot link the ring encoder");
  gst_element_sync_state_with_parent (enc);
  self->ring_encoder = enc;
  GST_INFO_OBJECT (self, "ring of %s encodes with %s, a keyframe every %.2f s",
      self->source, GST_OBJECT_NAME (gst_element_get_factory (enc)),
      settings.keyframe_interval);
  return TRUE;
}

/* Whether the branch can convert @caps: asked of the converter itself, so
 * that any converter variant answers for what it takes. */
static gboolean
check_caps (HsRecorder *self, GstCaps *caps)
{
  g_autoptr(GstPad) queue_src = gst_element_get_static_pad (self->queue, "src");
  g_autoptr(GstCaps) accepted = gst_pad_peer_query_caps (queue_src, NULL);
  gboolean ok = gst_caps_can_intersect (caps, accepted);
  GstVideoInfo info;

  /* The branch's queue absorbs a hiccup, not a second of 720p: it holds at
   * most a second and at most QUEUE_FRAMES frames of these caps. */
  if (ok && gst_video_info_from_caps (&info, caps) && info.size > 0)
    g_object_set (self->queue, "max-size-bytes",
        (guint) MIN ((guint64) info.size * QUEUE_FRAMES, G_MAXUINT), NULL);

  g_mutex_lock (&self->stream_lock);
  g_clear_pointer (&self->unsupported_caps, g_free);
  self->refusing = FALSE;
  if (!ok) {
    const char *name = gst_structure_get_name (gst_caps_get_structure (caps, 0));
    GstCapsFeatures *features = gst_caps_get_features (caps, 0);
    g_autofree char *described = features ?
        gst_caps_features_to_string (features) : NULL;

    if (described != NULL && !g_str_equal (described, "memory:SystemMemory"))
      self->unsupported_caps = g_strdup_printf ("%s(%s)", name, described);
    else
      self->unsupported_caps = g_strdup (name);
  }
  g_mutex_unlock (&self->stream_lock);
  if (!ok)
    GST_WARNING_OBJECT (self, "tee %s carries %" GST_PTR_FORMAT ", which the "
        "ring branch cannot convert: not recording it", self->source, caps);
  if (ok && self->mode == HS_RECORDER_MODE_ENCODED && self->ring_encoder == NULL)
    ok = insert_ring_encoder (self, caps);
  return ok;
}

/* @caps without the structures that ask for a meta caps feature (such as
 * timeoverlay's meta:GstVideoOverlayComposition): accepting one would let
 * upstream attach the overlay as metadata instead of drawing it, for the
 * ring and for every other branch of the tee. Any format and memory stays
 * accepted. */
static GstCaps *
without_meta_features (GstCaps *caps)
{
  GstCaps *result = gst_caps_new_empty ();

  for (guint i = 0; i < gst_caps_get_size (caps); i++) {
    GstCapsFeatures *features = gst_caps_get_features (caps, i);
    gboolean meta = FALSE;

    for (guint j = 0; features != NULL && !gst_caps_features_is_any (features)
        && j < gst_caps_features_get_size (features); j++)
      meta |= g_str_has_prefix (gst_caps_features_get_nth (features, j),
          "meta:");
    if (!meta)
      gst_caps_append_structure_full (result,
          gst_structure_copy (gst_caps_get_structure (caps, i)),
          features ? gst_caps_features_copy (features) : NULL);
  }
  if (gst_caps_is_empty (result)) {
    /* Only meta variants offered: refusing them would fail negotiation. */
    gst_caps_unref (result);
    return gst_caps_ref (caps);
  }
  return result;
}

/* @caps with, ahead of each structure whose formats include I420 or NV12,
 * a copy narrowed to that format: a source free to choose (videotestsrc
 * lists 16-bit RGB first) then picks a format the ring converts cheaply,
 * not one that costs 8 bytes a pixel on every branch. The memory order
 * upstream gave (NVMM before system memory) is kept: only the format within
 * each structure is steered. Nothing is removed. */
static GstCaps *
with_ring_formats_first (GstCaps *caps)
{
  static const char *const preferred[] = { "I420", "NV12" };
  GstCaps *result = gst_caps_new_empty ();

  for (guint i = 0; i < gst_caps_get_size (caps); i++) {
    GstStructure *s = gst_caps_get_structure (caps, i);
    GstCapsFeatures *features = gst_caps_get_features (caps, i);

    const GValue *formats = gst_structure_get_value (s, "format");

    /* A fixed format has nothing to steer. */
    for (guint j = 0; j < G_N_ELEMENTS (preferred) && formats != NULL &&
        !gst_value_is_fixed (formats) &&
        gst_structure_has_name (s, "video/x-raw"); j++) {
      GValue one = G_VALUE_INIT;
      GstStructure *narrowed;

      g_value_init (&one, G_TYPE_STRING);
      g_value_set_static_string (&one, preferred[j]);
      if (!gst_value_can_intersect (formats, &one)) {
        g_value_unset (&one);
        continue;
      }
      narrowed = gst_structure_copy (s);
      gst_structure_take_value (narrowed, "format", &one);
      result = gst_caps_merge_structure_full (result, narrowed,
          features ? gst_caps_features_copy (features) : NULL);
    }
    result = gst_caps_merge_structure_full (result, gst_structure_copy (s),
        features ? gst_caps_features_copy (features) : NULL);
  }
  return result;
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

/* The ring branch must never narrow what the tee negotiates, or the user's
 * pipeline could fail because of it: it accepts anything, and drops what it
 * cannot convert. */
static GstPadProbeReturn
on_branch_data (GstPad *pad, GstPadProbeInfo *info, gpointer user_data)
{
  StreamLink *link = user_data;
  GstPadProbeReturn ret = GST_PAD_PROBE_OK;
  HsRecorder *self;

  if (info->type & GST_PAD_PROBE_TYPE_QUERY_DOWNSTREAM) {
    GstQuery *query = GST_PAD_PROBE_INFO_QUERY (info);

    if (GST_QUERY_TYPE (query) == GST_QUERY_CAPS) {
      GstCaps *filter;
      g_autoptr(GstCaps) result = NULL;

      gst_query_parse_caps (query, &filter);
      if (filter != NULL) {
        g_autoptr(GstCaps) plain = without_meta_features (filter);
        g_autoptr(GstCaps) current = tee_current_caps (pad);

        /* Already flowing (attached to a playing pipeline, or a branch
         * added): keep the format, or the source would switch under every
         * branch. */
        if (current != NULL && gst_caps_can_intersect (current, plain)) {
          result = gst_caps_intersect_full (current, plain,
              GST_CAPS_INTERSECT_FIRST);
          result = gst_caps_merge (result, gst_caps_ref (plain));
        } else
          result = with_ring_formats_first (plain);
      } else
        result = gst_caps_new_any ();
      gst_query_set_caps_result (query, result);
      return GST_PAD_PROBE_HANDLED;
    }
    if (GST_QUERY_TYPE (query) == GST_QUERY_ACCEPT_CAPS) {
      gst_query_set_accept_caps_result (query, TRUE);
      return GST_PAD_PROBE_HANDLED;
    }
    return GST_PAD_PROBE_OK;
  }

  g_mutex_lock (&link->lock);
  self = link->recorder;
  if (self != NULL && (info->type & GST_PAD_PROBE_TYPE_EVENT_DOWNSTREAM)) {
    GstEvent *event = GST_PAD_PROBE_INFO_EVENT (info);
    GstCaps *caps;

    if (GST_EVENT_TYPE (event) == GST_EVENT_CAPS) {
      gst_event_parse_caps (event, &caps);
      if (!check_caps (self, caps))
        ret = GST_PAD_PROBE_DROP;
    } else if (GST_EVENT_TYPE (event) == GST_EVENT_STREAM_START) {
      /* A new stream (the application restarted the pipeline after an
       * error): the old failure must not end the next recordings. */
      g_mutex_lock (&self->stream_lock);
      g_clear_pointer (&self->source_error, g_free);
      self->n_entered = self->n_arrived + self->n_dropped;
      g_mutex_unlock (&self->stream_lock);
    }
  } else if (self != NULL) {
    gboolean first_refusal = FALSE;

    g_mutex_lock (&self->stream_lock);
    if (self->unsupported_caps != NULL) {
      /* Caps that only pass by (an overlay trying caps with its meta before
       * it settles on plain video) end nothing; data under them does. */
      first_refusal = !self->refusing;
      self->refusing = TRUE;
      ret = GST_PAD_PROBE_DROP;
    } else if (info->type & GST_PAD_PROBE_TYPE_BUFFER_LIST)
      self->n_entered += gst_buffer_list_length (
          GST_PAD_PROBE_INFO_BUFFER_LIST (info));
    else
      self->n_entered++;
    g_mutex_unlock (&self->stream_lock);
    if (first_refusal)
      wake (self);
  }
  g_mutex_unlock (&link->lock);
  return ret;
}

/* The element a pad belongs to, looking through ghost and proxy pads to the
 * element that really produces the data. */
static GstElement *
upstream_element (GstPad *peer)
{
  g_autoptr(GstPad) pad = gst_object_ref (peer);

  for (guint depth = 0; depth < 32; depth++) {
    GstPad *next = NULL;

    if (GST_IS_GHOST_PAD (pad))
      next = gst_ghost_pad_get_target (GST_GHOST_PAD (pad));
    else if (GST_IS_PROXY_PAD (pad)) {
      /* the inside of a bin's sink ghost pad: continue at the ghost pad's
       * own peer, outside the bin */
      g_autoptr(GstProxyPad) ghost = gst_proxy_pad_get_internal (
          GST_PROXY_PAD (pad));
      next = ghost ? gst_pad_get_peer (GST_PAD (ghost)) : NULL;
    } else
      return gst_pad_get_parent_element (pad);
    if (next == NULL)
      return NULL;
    gst_object_unref (pad);
    pad = next;
  }
  return NULL;
}

static gboolean
related (GstObject *a, GstObject *b)
{
  return a == b || gst_object_has_as_ancestor (a, b) ||
      gst_object_has_as_ancestor (b, a);
}

/* Whether @culprit feeds the tee (or is part of the ring branch): only such
 * an error ends a recording; an error in another branch of the pipeline
 * does not, as long as frames keep coming. */
static gboolean
feeds_tee (HsRecorder *self, GstObject *culprit)
{
  g_autoptr(GPtrArray) todo = g_ptr_array_new_with_free_func (gst_object_unref);
  g_autoptr(GHashTable) seen = g_hash_table_new (NULL, NULL);
  gboolean found = FALSE;

  if (self->branch != NULL && related (culprit, GST_OBJECT (self->branch)))
    return TRUE;
  g_ptr_array_add (todo, gst_object_ref (self->tee));
  while (todo->len > 0 && !found && g_hash_table_size (seen) < 1000) {
    GstElement *element = g_ptr_array_steal_index_fast (todo, todo->len - 1);
    GstIterator *it;
    GValue item = G_VALUE_INIT;

    if (g_hash_table_add (seen, element)) {
      if (related (culprit, GST_OBJECT (element)))
        found = TRUE;
      it = gst_element_iterate_sink_pads (element);
      while (!found && gst_iterator_next (it, &item) == GST_ITERATOR_OK) {
        g_autoptr(GstPad) peer = gst_pad_get_peer (g_value_get_object (&item));
        GstElement *up = peer ? upstream_element (peer) : NULL;

        if (up != NULL)
          g_ptr_array_add (todo, up);
        g_value_reset (&item);
      }
      g_value_unset (&item);
      gst_iterator_free (it);
    }
    gst_object_unref (element);
  }
  return found;
}

static void
on_bus_sync_message (GstBus *bus, GstMessage *message, gpointer user_data)
{
  StreamLink *link = user_data;
  g_autoptr(GError) error = NULL;
  HsRecorder *self;

  if (GST_MESSAGE_TYPE (message) != GST_MESSAGE_ERROR)
    return;
  gst_message_parse_error (message, &error, NULL);
  g_mutex_lock (&link->lock);
  self = link->recorder;
  if (self != NULL && !feeds_tee (self, GST_MESSAGE_SRC (message))) {
    GST_INFO_OBJECT (self, "error in %s does not concern tee %s: %s",
        GST_OBJECT_NAME (GST_MESSAGE_SRC (message)), self->source,
        error->message);
    self = NULL;
  }
  if (self != NULL) {
    g_mutex_lock (&self->stream_lock);
    if (self->source_error == NULL) {
      self->source_error = g_strdup_printf ("%s: %s",
          GST_OBJECT_NAME (GST_MESSAGE_SRC (message)), error->message);
      self->source_error_us = g_get_monotonic_time ();
    }
    g_mutex_unlock (&self->stream_lock);
    wake (self);
  }
  g_mutex_unlock (&link->lock);
}

/* ------------------------------------------------------------------------ */
/* Main-context side                                                        */

static GstClockTime
seconds_to_time (double seconds)
{
  /* A max-duration of 1e300 s means "never": keep it in range (and in
   * gint64, which window arithmetic uses). */
  if (seconds * GST_SECOND >= (double) G_MAXINT64)
    return G_MAXINT64;
  return (GstClockTime) (seconds * GST_SECOND + 0.5);
}

/* @time + @seconds, stopping at the largest running time instead of
 * wrapping around to the stream's first frames. */
static GstClockTime
time_after (GstClockTime time, double seconds)
{
  GstClockTime delta = seconds_to_time (seconds);

  return time > G_MAXINT64 - delta ? G_MAXINT64 : time + delta;
}

static void
update_busy (HsRecorder *self)
{
  gboolean busy = self->active || self->pending->len > 0 ||
      self->closing != NULL;

  if (busy == self->busy)
    return;
  self->busy = busy;
  GST_DEBUG_OBJECT (self, "busy: %d", busy);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_BUSY]);
}

static GstClockTime
clock_running_time (HsRecorder *self)
{
  g_autoptr(GstClock) clock = gst_element_get_clock (self->pipeline);
  GstClockTime now, base;

  if (clock == NULL || GST_STATE (self->pipeline) != GST_STATE_PLAYING)
    return GST_CLOCK_TIME_NONE;
  now = gst_clock_get_time (clock);
  base = gst_element_get_base_time (self->pipeline);
  return now > base ? now - base : 0;
}

/* A record_async() task leaves the recorder: its cancellation no longer
 * concerns us. */
static void
waiter_done (GTask *task)
{
  GSource *cancel = g_task_get_task_data (task);

  if (cancel != NULL)
    g_source_destroy (cancel);
}

static void
complete_waiters (GList *waiters, HsRecording *recording)
{
  for (GList *l = waiters; l != NULL; l = l->next) {
    GTask *task = l->data;
    const GError *error = hs_recording_get_error (recording);

    waiter_done (task);
    if (error != NULL)
      g_task_return_error (task, g_error_copy (error));
    else
      g_task_return_pointer (task, g_object_ref (recording), g_object_unref);
    g_object_unref (task);
  }
  g_list_free (waiters);
}

static void
job_free (FileJob *job)
{
  hs_writer_free (job->writer);
  g_clear_object (&job->recording);
  g_clear_error (&job->error);
  g_free (job);
}

static void
emit_finished (HsRecorder *self, HsRecording *recording, guint64 bytes,
               const GError *error, GList *waiters)
{
  hs_recording_finish (recording, bytes, error);
  GST_INFO_OBJECT (self, "finished %s: %" G_GUINT64_FORMAT " frames from %"
      GST_TIME_FORMAT "%s%s", hs_recording_get_location (recording),
      hs_recording_get_n_frames (recording),
      GST_TIME_ARGS (hs_recording_get_start_time (recording)),
      error ? ", error: " : "", error ? error->message : "");
  g_signal_emit (self, signals[SIGNAL_RECORDING_FINISHED], 0, recording);
  complete_waiters (waiters, recording);
}

/* Files are reported in the order they were closed by the recorder, even
 * when a short file's encoder drains before a long one's. */
static void
report_closed_jobs (HsRecorder *self)
{
  while (self->closing != NULL && ((FileJob *) self->closing->data)->closed) {
    FileJob *job = self->closing->data;
    g_autoptr(HsRecording) recording = g_object_ref (job->recording);
    g_autoptr(GError) error = g_steal_pointer (&job->error);
    GList *waiters = g_steal_pointer (&job->waiters);
    guint64 bytes = job->bytes;

    self->closing = g_list_delete_link (self->closing, self->closing);
    job_free (job);
    emit_finished (self, recording, bytes, error, waiters);
  }
}

static void
on_writer_done (HsWriter *writer, const GError *error, gpointer user_data)
{
  FileJob *job = user_data;
  HsRecorder *self = job->recorder;
  const GError *recording_error = hs_recording_get_error (job->recording);

  if (self->current == job) {
    /* The record pipeline failed while the window was still open: the
     * window ends here; later frames wait for a new trigger, which may
     * start right after the last frame this file was given (not at the
     * window's planned end, which may lie far ahead). */
    self->current = NULL;
    self->active = FALSE;
    self->boundary = hs_recording_get_n_frames (job->recording) == 0 ?
        self->start : MAX (hs_recording_get_end_time (job->recording) + 1,
        hs_recording_get_start_time (job->recording) +
        hs_recording_get_duration (job->recording));
    self->closing = g_list_append (self->closing, job);
  }

  job->closed = TRUE;
  job->bytes = hs_writer_get_bytes (writer);
  if (error != NULL || recording_error != NULL)
    job->error = g_error_copy (error ? error : recording_error);
  report_closed_jobs (self);
  pump (self);
}

/* Wall-clock time of a frame: the pipeline clock tells how long ago its
 * running time was. A non-live source runs ahead of the clock; its frames
 * are stamped with the time they were written. */
static GDateTime *
frame_date (HsRecorder *self, GstClockTime time)
{
  GstClockTime now = clock_running_time (self);
  gboolean live;
  g_autoptr(GDateTime) wall = g_date_time_new_now_local ();

  g_mutex_lock (&self->stream_lock);
  live = self->live;
  g_mutex_unlock (&self->stream_lock);

  if (live && now != GST_CLOCK_TIME_NONE && time <= now)
    return g_date_time_add (wall, -(GTimeSpan) ((now - time) / GST_USECOND));
  return g_steal_pointer (&wall);
}

static char *
choose_location (HsRecorder *self, HsRecording *recording, GError **error)
{
  g_autofree char *path = NULL;

  if (self->location_func != NULL)
    path = self->location_func (self, recording, self->location_data);
  if (path == NULL)
    path = hs_location_expand (self->location ? self->location :
        HS_RECORDER_DEFAULT_LOCATION, self->source,
        hs_recording_get_index (recording), hs_location_next_n (),
        hs_recording_get_date (recording), error);
  if (path == NULL)
    return NULL;
  return hs_location_reserve (path, error);
}

static void
close_file (HsRecorder *self, const GError *error)
{
  FileJob *job = self->current;

  if (job == NULL)
    return;
  self->current = NULL;
  if (error != NULL)
    hs_recording_set_error (job->recording, error);
  self->closing = g_list_append (self->closing, job);
  hs_writer_finish (job->writer);
}

/* Encoded mode: asks the ring's encoder for a keyframe at @time, so that a
 * rollover or the next tiled file can start exactly there. */
static void
request_keyframe (HsRecorder *self, GstClockTime time)
{
  if (self->mode != HS_RECORDER_MODE_ENCODED || self->appsink == NULL ||
      self->detached)
    return;
  GST_DEBUG_OBJECT (self, "asking for a keyframe at %" GST_TIME_FORMAT,
      GST_TIME_ARGS (time));
  gst_element_send_event (self->appsink,
      gst_video_event_new_upstream_force_key_unit (time, TRUE, 0));
}

static gboolean
open_file (HsRecorder *self, const HsRingEntry *e, gint64 requested_start)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(HsRecording) recording = NULL;
  g_autoptr(GDateTime) date = frame_date (self, e->time);
  g_autofree char *location = NULL;
  HsWriterOptions options = { 0 };
  FileJob *job = NULL;

  recording = hs_recording_new (self->source, ++self->index, requested_start);
  hs_recording_set_date (recording, date);

  location = choose_location (self, recording, &error);
  if (location != NULL) {
    hs_recording_set_location (recording, location);
    options.encoder = self->encoder;
    options.settings = self->encoder_settings;
    options.remux = self->mode == HS_RECORDER_MODE_ENCODED;
    options.date = date;
    job = g_new0 (FileJob, 1);
    job->recorder = self;
    job->recording = g_object_ref (recording);
    job->writer = hs_writer_new (location, gst_sample_get_caps (e->sample),
        &options, self->context, on_writer_done, job, &error);
    if (job->writer == NULL) {
      g_clear_object (&job->recording);
      g_free (job);
    }
  }

  if (error != NULL) {
    GList *waiters = g_steal_pointer (&self->window_waiters);

    GST_WARNING_OBJECT (self, "cannot record: %s", error->message);
    if (location != NULL)
      g_unlink (location);
    emit_finished (self, recording, 0, error, waiters);
    return FALSE;
  }

  job->waiters = g_steal_pointer (&self->window_waiters);
  self->current = job;
  self->file_first = e->time;
  if (self->max_duration > 0)
    request_keyframe (self, e->time + seconds_to_time (self->max_duration));
  GST_INFO_OBJECT (self, "recording %s from %" GST_TIME_FORMAT " (window %"
      GST_TIME_FORMAT " - %" GST_TIME_FORMAT ")", location,
      GST_TIME_ARGS (e->time), GST_TIME_ARGS (self->start),
      GST_TIME_ARGS (self->end));
  g_signal_emit (self, signals[SIGNAL_RECORDING_STARTED], 0, recording);
  return TRUE;
}

/* The time of the trigger a record_async() waiter came with. */
static GQuark
waiter_time_quark (void)
{
  return g_quark_from_static_string ("hs-waiter-trigger-time");
}

static GstClockTime
waiter_time (GTask *task)
{
  GstClockTime *time = g_object_get_qdata (G_OBJECT (task),
      waiter_time_quark ());

  return time != NULL ? *time : 0;
}

/* The waiters of the triggers up to @trigger, the one being consumed: a
 * waiter whose trigger comes later waits for its own window. */
static GList *
take_waiters_until (HsRecorder *self, GstClockTime trigger)
{
  GList *taken = NULL;
  GList *l = self->pending_waiters;

  while (l != NULL) {
    GList *next = l->next;

    if (waiter_time (l->data) <= trigger) {
      self->pending_waiters = g_list_remove_link (self->pending_waiters, l);
      taken = g_list_concat (taken, l);
    }
    l = next;
  }
  return taken;
}

static void
start_window (HsRecorder *self, GstClockTime trigger)
{
  gint64 wanted = (gint64) MIN (trigger, G_MAXINT64) -
      (gint64) seconds_to_time (self->pre);

  self->requested_start = self->boundary == GST_CLOCK_TIME_NONE ? wanted :
      MAX (wanted, (gint64) self->boundary);
  self->start = self->requested_start > 0 ? self->requested_start : 0;
  self->end = time_after (trigger, self->post);
  self->active = TRUE;
  self->window_has_file = FALSE;
  self->need_keyframe = self->mode == HS_RECORDER_MODE_ENCODED;
  request_keyframe (self, self->end);
  self->window_opened_us = g_get_monotonic_time ();
  self->window_waiters = g_list_concat (self->window_waiters,
      take_waiters_until (self, trigger));
  GST_DEBUG_OBJECT (self, "trigger at %" GST_TIME_FORMAT ": window %"
      GST_TIME_FORMAT " - %" GST_TIME_FORMAT, GST_TIME_ARGS (trigger),
      GST_TIME_ARGS (self->start), GST_TIME_ARGS (self->end));
}

static void
finish_window (HsRecorder *self, const GError *error, gboolean reached_end)
{
  if (self->current != NULL) {
    close_file (self, error);
  } else if (self->window_has_file) {
    /* The window's last file already went (rollover that failed). */
  } else {
    /* Nothing was written: report the empty window rather than hide it. */
    g_autoptr(HsRecording) recording = hs_recording_new (self->source, 0,
        self->requested_start);
    g_autoptr(GError) empty = NULL;
    GList *waiters = g_steal_pointer (&self->window_waiters);

    if (error != NULL)
      empty = g_error_copy (error);
    else
      empty = g_error_new (HS_ERROR, HS_ERROR_NO_FRAMES,
          "No frame of source '%s' arrived between %" GST_TIME_FORMAT
          " and %" GST_TIME_FORMAT, self->source,
          GST_TIME_ARGS (self->start), GST_TIME_ARGS (self->end));
    emit_finished (self, recording, 0, empty, waiters);
  }
  if (reached_end)
    self->boundary = self->end;
  self->active = FALSE;
}

static GstBuffer *
restamp (HsRecorder *self, const HsRingEntry *e)
{
  GstBuffer *buffer = gst_buffer_copy (gst_sample_get_buffer (e->sample));

  GstClockTime pts = GST_BUFFER_PTS (buffer);
  GstClockTime dts = GST_BUFFER_DTS (buffer);

  GST_BUFFER_PTS (buffer) = self->rebase_timestamps ?
      e->time - self->file_first : e->time;
  /* Encoded frames keep their decode order; raw frames have none. */
  if (self->mode == HS_RECORDER_MODE_ENCODED && dts != GST_CLOCK_TIME_NONE &&
      dts <= pts && pts - dts <= GST_BUFFER_PTS (buffer))
    GST_BUFFER_DTS (buffer) = GST_BUFFER_PTS (buffer) - (pts - dts);
  else
    GST_BUFFER_DTS (buffer) = GST_CLOCK_TIME_NONE;
  return buffer;
}

static void
write_frame (HsRecorder *self, const HsRingEntry *e)
{
  GstCaps *caps = gst_sample_get_caps (e->sample);

  if (self->current != NULL) {
    GstClockTime max = seconds_to_time (self->max_duration);
    GstCaps *file_caps = hs_writer_get_caps (self->current->writer);

    if (caps != file_caps && !gst_caps_is_equal (caps, file_caps)) {
      GST_INFO_OBJECT (self, "caps changed: continuing in a new file");
      close_file (self, NULL);
    } else if (max > 0 && e->time >= self->file_first + max &&
        (self->mode == HS_RECORDER_MODE_RAW || e->keyframe)) {
      GST_INFO_OBJECT (self, "max-duration reached: continuing in a new file");
      close_file (self, NULL);
    }
  }

  if (self->current == NULL) {
    /* A file that continues the window asked for exactly this frame. */
    gint64 requested = self->window_has_file ? (gint64) e->time :
        self->requested_start;

    if (!open_file (self, e, requested)) {
      /* The failure is reported; the rest of the window is given up. A
       * new trigger may start from this frame on, not only after the
       * window's planned end. */
      self->active = FALSE;
      self->boundary = e->time;
      return;
    }
    self->window_has_file = TRUE;
  }

  /* Frames the branch's queue dropped between two frames of this file are
   * part of its span: reported, never silently missing. */
  if (hs_recording_get_n_frames (self->current->recording) > 0)
    hs_recording_add_dropped (self->current->recording, e->dropped_before);
  hs_recording_add_frame (self->current->recording, e->time, e->duration);
  hs_writer_push (self->current->writer, restamp (self, e));
}

static void
update_interest (HsRecorder *self)
{
  gboolean interested = self->active || self->pending->len > 0;

  if (self->active)
    hs_ring_buffer_set_hold (self->ring, self->cursor, 0);
  else if (self->pending->len > 0) {
    GstClockTime first = g_array_index (self->pending, GstClockTime, 0);
    GstClockTime pre = seconds_to_time (self->pre);
    GstClockTime from = first > pre ? first - pre : 0;

    if (self->boundary != GST_CLOCK_TIME_NONE)
      from = MAX (from, self->boundary);
    hs_ring_buffer_set_hold (self->ring, self->cursor, from);
  } else
    hs_ring_buffer_set_hold (self->ring, G_MAXUINT64, 0);

  g_mutex_lock (&self->stream_lock);
  self->interested = interested;
  g_mutex_unlock (&self->stream_lock);
}

static gboolean
on_tick (gpointer user_data)
{
  pump (user_data);
  return G_SOURCE_CONTINUE;
}

static void
update_tick (HsRecorder *self)
{
  gboolean need = self->active || self->pending->len > 0;

  if (need && self->tick == NULL) {
    self->tick = g_timeout_source_new (TICK_MS);
    g_source_set_callback (self->tick, on_tick, self, NULL);
    g_source_attach (self->tick, self->context);
  } else if (!need && self->tick != NULL) {
    g_source_destroy (self->tick);
    g_clear_pointer (&self->tick, g_source_unref);
  }
}

/* How far the source has got: the newest frame, or the clock for a live
 * source whose frames stopped coming. */
static GstClockTime
reached_time (HsRecorder *self, gboolean live)
{
  GstClockTime newest = hs_ring_buffer_get_newest (self->ring);
  GstClockTime clock = live ? clock_running_time (self) : GST_CLOCK_TIME_NONE;

  if (newest == GST_CLOCK_TIME_NONE)
    return clock;
  if (clock == GST_CLOCK_TIME_NONE)
    return newest;
  return MAX (newest, clock);
}

/* No frame for post seconds (at least MIN_STALL_TIMEOUT) while a window
 * waits for its end: the source stalled. */
static gboolean
stalled (HsRecorder *self, gint64 last_arrival_us)
{
  GstClockTime timeout = MAX (seconds_to_time (self->post), MIN_STALL_TIMEOUT);
  gint64 since = self->active ? MAX (last_arrival_us, self->window_opened_us) :
      last_arrival_us;

  return (GstClockTime) (g_get_monotonic_time () - since) * GST_USECOND >=
      timeout;
}

/* GPU memory the branch could not take: say which element would. */
static const char *
missing_converter_hint (const char *caps)
{
  if (strstr (caps, "memory:NVMM") != NULL)
    return " (NVMM memory needs nvvideoconvert from the NVIDIA DeepStream "
        "SDK, or nvvidconv from Jetson's nvidia-l4t-gstreamer)";
  if (strstr (caps, "memory:CUDAMemory") != NULL)
    return " (CUDA memory needs cudadownload and cudaconvert from "
        "gstreamer1.0-plugins-bad's nvcodec plugin and an NVIDIA driver)";
  return "";
}

static void
pump (HsRecorder *self)
{
  gboolean eos, live, drained;
  g_autofree char *source_error = NULL;
  g_autofree char *unsupported = NULL;
  gint64 last_arrival_us;
  GstClockTime reached;

  /* A signal emitted below may lead back here (a writer that fails at
   * once); pumping inside a pump would write frames out of order. */
  if (self->pumping) {
    wake (self);
    return;
  }
  self->pumping = TRUE;

  g_mutex_lock (&self->stream_lock);
  eos = self->eos;
  live = self->live;
  source_error = g_strdup (self->source_error);
  if (self->refusing || self->eos)
    unsupported = g_strdup (self->unsupported_caps);
  last_arrival_us = self->last_arrival_us;
  /* Frames that passed the tee before the source failed are still on
   * their way through the branch's queue: they belong in the file. */
  drained = self->n_arrived + self->n_dropped >= self->n_entered ||
      g_get_monotonic_time () - self->source_error_us >= DRAIN_TIMEOUT_US;
  g_mutex_unlock (&self->stream_lock);

  reached = reached_time (self, live);

  for (;;) {
    HsRingEntry e = { 0 };

    if (!self->active) {
      GstClockTime trigger;

      if (self->pending->len == 0)
        break;
      trigger = g_array_index (self->pending, GstClockTime, 0);
      /* A source that stopped before the trigger's time never reaches it:
       * the window gets what the ring holds. */
      if (!eos && source_error == NULL && unsupported == NULL &&
          (reached == GST_CLOCK_TIME_NONE || trigger > reached) &&
          !(last_arrival_us != 0 && stalled (self, last_arrival_us)))
        break;
      g_array_remove_index (self->pending, 0);
      start_window (self, trigger);
      if (unsupported != NULL) {
        g_autoptr(GError) error = g_error_new (HS_ERROR,
            HS_ERROR_NOT_NEGOTIATED, "Tee '%s' carries %s, not raw video%s",
            self->source, unsupported, missing_converter_hint (unsupported));

        finish_window (self, error, FALSE);
      }
      continue;
    }

    /* Triggers inside the open window extend it. */
    while (self->pending->len > 0) {
      GstClockTime trigger = g_array_index (self->pending, GstClockTime, 0);

      if (trigger >= self->end)
        break;
      g_array_remove_index (self->pending, 0);
      self->end = MAX (self->end, time_after (trigger, self->post));
      request_keyframe (self, self->end);
      if (self->current != NULL)
        self->current->waiters = g_list_concat (self->current->waiters,
            take_waiters_until (self, trigger));
      else
        self->window_waiters = g_list_concat (self->window_waiters,
            take_waiters_until (self, trigger));
      GST_DEBUG_OBJECT (self, "trigger at %" GST_TIME_FORMAT " extends the "
          "window to %" GST_TIME_FORMAT, GST_TIME_ARGS (trigger),
          GST_TIME_ARGS (self->end));
    }

    /* Encoded mode starts at the keyframe at or before the window's start
     * (the first one after the previous file's end when windows tile). */
    if (self->need_keyframe) {
      guint64 seq = hs_ring_buffer_find_keyframe (self->ring, self->cursor,
          self->start);

      if (seq != G_MAXUINT64) {
        self->cursor = seq;
        self->need_keyframe = FALSE;
      }
    }

    if (self->need_keyframe || !hs_ring_buffer_next (self->ring, &self->cursor,
            self->mode == HS_RECORDER_MODE_ENCODED ? GST_CLOCK_TIME_NONE :
            self->start, &e)) {
      if (eos && source_error == NULL) {
        finish_window (self, NULL, FALSE);
      } else if (source_error != NULL &&
          (eos || drained || stalled (self, last_arrival_us))) {
        g_autoptr(GError) error = g_error_new (HS_ERROR, HS_ERROR_SOURCE,
            "The source failed before the window's end: %s", source_error);

        finish_window (self, error, FALSE);
      } else if (stalled (self, last_arrival_us)) {
        g_autoptr(GError) error = g_error_new (HS_ERROR, HS_ERROR_SOURCE,
            "Source '%s' stalled: no frame for %.1f s before the window's end",
            self->source, MAX (self->post, 0.5));

        finish_window (self, error, FALSE);
      } else {
        break;
      }
      continue;
    }

    if (e.time >= self->end) {
      self->cursor = e.seq;
      hs_ring_entry_clear (&e);
      finish_window (self, NULL, TRUE);
      continue;
    }
    write_frame (self, &e);
    hs_ring_entry_clear (&e);
  }

  update_interest (self);
  update_tick (self);
  update_busy (self);
  self->pumping = FALSE;
}

static gboolean
on_wakeup (GSource *source, GSourceFunc callback, gpointer user_data)
{
  g_source_set_ready_time (source, -1);
  return callback (user_data);
}

static GSourceFuncs wakeup_funcs = {
  .dispatch = on_wakeup,
};

static gboolean
on_wakeup_pump (gpointer user_data)
{
  pump (user_data);
  return G_SOURCE_CONTINUE;
}

/* ------------------------------------------------------------------------ */
/* Attaching to the tee                                                     */

static gboolean
attach (HsRecorder *self, GError **error)
{
  g_autoptr(GstElement) tee = NULL;
  g_autoptr(GstPad) sinkpad = NULL;
  g_autoptr(GstBus) bus = NULL;
  g_autoptr(GstCaps) caps = NULL;
  GstElement *queue, *convert, *filter, *sink;
  GstObject *parent;
  GstAppSinkCallbacks callbacks = {
    .eos = on_eos,
    .new_sample = on_new_sample,
  };
  static guint branch_count;

  if (!GST_IS_BIN (self->pipeline)) {
    g_set_error (error, HS_ERROR, HS_ERROR_INVALID_ARGUMENT,
        "The recorder needs a pipeline (a GstBin)");
    return FALSE;
  }
  bus = gst_element_get_bus (self->pipeline);
  if (bus == NULL) {
    /* A bin of its own, in no pipeline: no bus to hear errors on. */
    g_set_error (error, HS_ERROR, HS_ERROR_INVALID_ARGUMENT,
        "The recorder needs a pipeline; '%s' is a bin that is in none",
        GST_OBJECT_NAME (self->pipeline));
    return FALSE;
  }
  if (self->source == NULL) {
    g_set_error (error, HS_ERROR, HS_ERROR_INVALID_ARGUMENT,
        "The recorder needs the name of a tee (property 'source')");
    return FALSE;
  }

  tee = gst_bin_get_by_name (GST_BIN (self->pipeline), self->source);
  if (tee == NULL || !is_tee (tee)) {
    g_autofree char *tees = hs_recorder_describe_tees (self->pipeline);

    g_set_error (error, HS_ERROR, HS_ERROR_NO_SUCH_TEE,
        "No tee named '%s' in pipeline '%s' (%s)", self->source,
        GST_OBJECT_NAME (self->pipeline), tees);
    return FALSE;
  }

  queue = hs_element_make ("queue", NULL, error);
  convert = queue ? hs_variant_make_converter (self->converter, error) : NULL;
  filter = convert ? hs_element_make ("capsfilter", NULL, error) : NULL;
  sink = filter ? hs_element_make ("appsink", NULL, error) : NULL;
  if (sink == NULL) {
    g_clear_pointer (&queue, gst_object_unref);
    g_clear_pointer (&convert, gst_object_unref);
    g_clear_pointer (&filter, gst_object_unref);
    return FALSE;
  }

  {
    g_autofree char *name = g_strdup_printf ("hs-ring-%s-%u", self->source,
        g_atomic_int_add (&branch_count, 1));
    self->branch = gst_object_ref_sink (gst_bin_new (name));
  }
  gst_bin_add_many (GST_BIN (self->branch), queue, convert, filter, sink, NULL);
  gst_element_link_many (queue, convert, filter, sink, NULL);

  g_object_set (queue,
      "max-size-buffers", 0,
      "max-size-bytes", 0,
      "max-size-time", (guint64) GST_SECOND, NULL);
  self->link = stream_link_new (self);
  g_signal_connect_data (queue, "overrun", G_CALLBACK (on_queue_overrun),
      stream_link_ref (self->link), stream_link_closure_notify, 0);
  caps = gst_caps_from_string ("video/x-raw,format=I420");
  g_object_set (filter, "caps", caps, NULL);
  g_object_set (sink,
      "sync", FALSE,
      "async", FALSE,
      "enable-last-sample", FALSE,
      "max-buffers", 1,
      "emit-signals", FALSE,
      NULL);
  gst_app_sink_set_callbacks (GST_APP_SINK (sink), &callbacks,
      stream_link_ref (self->link), stream_link_unref);
  self->queue = queue;
  self->filter = filter;
  self->appsink = sink;
  if (self->mode == HS_RECORDER_MODE_ENCODED)
    g_object_set (self->ring, "whole-gops", TRUE, NULL);

  sinkpad = gst_element_get_static_pad (queue, "sink");
  {
    GstPad *ghost = gst_ghost_pad_new ("sink", sinkpad);

    gst_pad_add_probe (ghost, GST_PAD_PROBE_TYPE_EVENT_DOWNSTREAM |
        GST_PAD_PROBE_TYPE_QUERY_DOWNSTREAM | GST_PAD_PROBE_TYPE_BUFFER |
        GST_PAD_PROBE_TYPE_BUFFER_LIST, on_branch_data,
        stream_link_ref (self->link), stream_link_unref);
    gst_element_add_pad (self->branch, ghost);
  }

  parent = gst_object_get_parent (GST_OBJECT (tee));
  gst_bin_add (GST_BIN (parent), self->branch);
  gst_object_unref (parent);
  /* Running before it is linked: a buffer the tee pushes into a branch that
   * is still flushing returns FLUSHING, which pauses the source for good. */
  gst_element_sync_state_with_parent (self->branch);

  self->tee = g_steal_pointer (&tee);
  self->tee_pad = gst_element_request_pad_simple (self->tee, "src_%u");
  {
    g_autoptr(GstPad) branch_sink =
        gst_element_get_static_pad (self->branch, "sink");

    if (gst_pad_link (self->tee_pad, branch_sink) != GST_PAD_LINK_OK) {
      g_set_error (error, HS_ERROR, HS_ERROR_NOT_NEGOTIATED,
          "Cannot link a ring branch to tee '%s'", self->source);
      return FALSE;
    }
  }

  gst_bus_enable_sync_message_emission (bus);
  self->bus_handler = g_signal_connect_data (bus, "sync-message::error",
      G_CALLBACK (on_bus_sync_message), stream_link_ref (self->link),
      stream_link_closure_notify, 0);

  registry_add (self);
  GST_INFO_OBJECT (self, "attached to tee %s", self->source);
  return TRUE;
}

typedef struct {
  GstElement *pipeline;
  GstElement *tee;
  GstPad *tee_pad;
  GstElement *branch;
  GMainContext *context;
  gint unlinked;
} Detach;

static gboolean
finish_detach (gpointer user_data)
{
  Detach *d = user_data;
  GstObject *parent = gst_object_get_parent (GST_OBJECT (d->branch));

  gst_element_set_locked_state (d->branch, TRUE);
  gst_element_set_state (d->branch, GST_STATE_NULL);
  if (parent != NULL) {
    gst_bin_remove (GST_BIN (parent), d->branch);
    gst_object_unref (parent);
  }
  gst_element_release_request_pad (d->tee, d->tee_pad);

  gst_object_unref (d->tee_pad);
  gst_object_unref (d->tee);
  gst_object_unref (d->branch);
  gst_object_unref (d->pipeline);
  g_main_context_unref (d->context);
  g_free (d);
  return G_SOURCE_REMOVE;
}

/* Runs once no buffer is in flight on the tee pad: the branch can be cut off
 * without a race with the streaming thread. */
static GstPadProbeReturn
on_tee_pad_idle (GstPad *pad, GstPadProbeInfo *info, gpointer user_data)
{
  Detach *d = user_data;
  GstPad *peer;

  if (!g_atomic_int_compare_and_exchange (&d->unlinked, 0, 1))
    return GST_PAD_PROBE_REMOVE;
  peer = gst_pad_get_peer (pad);
  if (peer != NULL) {
    gst_pad_unlink (pad, peer);
    gst_object_unref (peer);
  }
  g_main_context_invoke (d->context, finish_detach, d);
  return GST_PAD_PROBE_REMOVE;
}

/* ------------------------------------------------------------------------ */
/* GObject                                                                  */

static gboolean
hs_recorder_initable_init (GInitable     *initable,
                           GCancellable  *cancellable,
                           GError       **error)
{
  HsRecorder *self = HS_RECORDER (initable);

  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (self->pipeline == NULL) {
    g_set_error (error, HS_ERROR, HS_ERROR_INVALID_ARGUMENT,
        "The recorder needs a pipeline (property 'pipeline')");
    return FALSE;
  }
  if (self->location != NULL && !hs_location_validate (self->location, error))
    return FALSE;
  if (!hs_variant_check_encoder (self->encoder, error))
    return FALSE;
  return attach (self, error);
}

static void
hs_recorder_initable_iface_init (GInitableIface *iface)
{
  iface->init = hs_recorder_initable_init;
}

static void
close_all_sync (HsRecorder *self)
{
  if (self->active)
    finish_window (self, NULL, FALSE);
  while (self->closing != NULL) {
    FileJob *job = self->closing->data;
    gboolean clean = hs_writer_close_sync (job->writer, CLOSE_TIMEOUT);
    g_autoptr(GError) error = NULL;
    GList *waiters = g_steal_pointer (&job->waiters);
    g_autoptr(HsRecording) recording = g_object_ref (job->recording);
    guint64 bytes = hs_writer_get_bytes (job->writer);

    if (!clean)
      error = g_error_new (HS_ERROR, HS_ERROR_ENCODE, "'%s' did not close "
          "in time", hs_writer_get_location (job->writer));
    self->closing = g_list_delete_link (self->closing, self->closing);
    job_free (job);
    emit_finished (self, recording, bytes, error ? error :
        hs_recording_get_error (recording), waiters);
  }
}

static void
hs_recorder_dispose (GObject *object)
{
  HsRecorder *self = HS_RECORDER (object);

  if (self->branch != NULL && !self->detached)
    hs_recorder_detach (self);
  close_all_sync (self);

  if (self->wakeup != NULL) {
    g_source_destroy (self->wakeup);
    g_clear_pointer (&self->wakeup, g_source_unref);
  }
  if (self->tick != NULL) {
    g_source_destroy (self->tick);
    g_clear_pointer (&self->tick, g_source_unref);
  }
  if (self->link != NULL) {
    stream_link_sever (self->link);
    g_clear_pointer (&self->link, stream_link_unref);
  }
  gst_clear_object (&self->branch);
  gst_clear_object (&self->tee_pad);
  gst_clear_object (&self->tee);
  gst_clear_object (&self->pipeline);

  G_OBJECT_CLASS (hs_recorder_parent_class)->dispose (object);
}

static void
hs_recorder_finalize (GObject *object)
{
  HsRecorder *self = HS_RECORDER (object);

  if (self->location_destroy != NULL)
    self->location_destroy (self->location_data);
  g_clear_object (&self->ring);
  g_array_unref (self->pending);
  g_free (self->source);
  g_free (self->location);
  g_free (self->encoder);
  g_free (self->converter);
  g_free (self->source_error);
  g_free (self->unsupported_caps);
  g_main_context_unref (self->context);
  g_mutex_clear (&self->stream_lock);

  G_OBJECT_CLASS (hs_recorder_parent_class)->finalize (object);
}

static void
hs_recorder_get_property (GObject    *object,
                          guint       prop_id,
                          GValue     *value,
                          GParamSpec *pspec)
{
  HsRecorder *self = HS_RECORDER (object);

  switch (prop_id) {
    case PROP_PIPELINE:
      g_value_set_object (value, self->pipeline);
      break;
    case PROP_SOURCE:
      g_value_set_string (value, self->source);
      break;
    case PROP_PRE:
      g_value_set_double (value, self->pre);
      break;
    case PROP_POST:
      g_value_set_double (value, self->post);
      break;
    case PROP_MAX_DURATION:
      g_value_set_double (value, self->max_duration);
      break;
    case PROP_LOCATION:
      g_value_set_string (value, hs_recorder_get_location (self));
      break;
    case PROP_ENCODER:
      g_value_set_string (value, self->encoder);
      break;
    case PROP_CONVERTER:
      g_value_set_string (value, self->converter);
      break;
    case PROP_MODE:
      g_value_set_enum (value, self->mode);
      break;
    case PROP_BITRATE:
      g_value_set_uint (value, self->encoder_settings.bitrate);
      break;
    case PROP_KEYFRAME_INTERVAL:
      g_value_set_double (value, self->encoder_settings.keyframe_interval);
      break;
    case PROP_THREADS:
      g_value_set_uint (value, self->encoder_settings.threads);
      break;
    case PROP_REBASE_TIMESTAMPS:
      g_value_set_boolean (value, self->rebase_timestamps);
      break;
    case PROP_MAX_RING_BYTES:
      g_value_set_uint64 (value, self->max_ring_bytes);
      break;
    case PROP_COPY_FRAMES:
      g_value_set_enum (value, self->copy_frames);
      break;
    case PROP_BUSY:
      g_value_set_boolean (value, hs_recorder_get_busy (self));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
  }
}

static void
hs_recorder_set_property (GObject      *object,
                          guint         prop_id,
                          const GValue *value,
                          GParamSpec   *pspec)
{
  HsRecorder *self = HS_RECORDER (object);

  switch (prop_id) {
    case PROP_PIPELINE:
      self->pipeline = g_value_dup_object (value);
      break;
    case PROP_SOURCE:
      self->source = g_value_dup_string (value);
      break;
    case PROP_PRE:
      hs_recorder_set_pre (self, g_value_get_double (value));
      break;
    case PROP_POST:
      hs_recorder_set_post (self, g_value_get_double (value));
      break;
    case PROP_MAX_DURATION:
      hs_recorder_set_max_duration (self, g_value_get_double (value));
      break;
    case PROP_LOCATION:
      hs_recorder_set_location (self, g_value_get_string (value));
      break;
    case PROP_ENCODER:
      if (g_strcmp0 (self->encoder, g_value_get_string (value)) != 0) {
        g_free (self->encoder);
        self->encoder = g_value_dup_string (value);
        if (self->encoder == NULL)
          self->encoder = g_strdup ("vp8");
        g_object_notify_by_pspec (object, pspec);
      }
      break;
    case PROP_MODE:
      self->mode = g_value_get_enum (value);
      break;
    case PROP_CONVERTER:
      g_free (self->converter);
      self->converter = g_value_dup_string (value);
      if (self->converter == NULL)
        self->converter = g_strdup ("auto");
      break;
    case PROP_BITRATE:
      if (self->encoder_settings.bitrate != g_value_get_uint (value)) {
        self->encoder_settings.bitrate = g_value_get_uint (value);
        g_object_notify_by_pspec (object, pspec);
      }
      break;
    case PROP_KEYFRAME_INTERVAL:
      if (self->encoder_settings.keyframe_interval !=
          g_value_get_double (value)) {
        self->encoder_settings.keyframe_interval = g_value_get_double (value);
        g_object_notify_by_pspec (object, pspec);
      }
      break;
    case PROP_THREADS:
      if (self->encoder_settings.threads != g_value_get_uint (value)) {
        self->encoder_settings.threads = g_value_get_uint (value);
        g_object_notify_by_pspec (object, pspec);
      }
      break;
    case PROP_REBASE_TIMESTAMPS:
      if (self->rebase_timestamps != g_value_get_boolean (value)) {
        self->rebase_timestamps = g_value_get_boolean (value);
        g_object_notify_by_pspec (object, pspec);
      }
      break;
    case PROP_MAX_RING_BYTES:
      if (self->max_ring_bytes != g_value_get_uint64 (value)) {
        self->max_ring_bytes = g_value_get_uint64 (value);
        hs_ring_buffer_set_max_bytes (self->ring, self->max_ring_bytes);
        g_object_notify_by_pspec (object, pspec);
      }
      break;
    case PROP_COPY_FRAMES:
      if (self->copy_frames != (HsCopyFrames) g_value_get_enum (value)) {
        self->copy_frames = g_value_get_enum (value);
        g_object_notify_by_pspec (object, pspec);
      }
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
  }
}

static void
hs_recorder_class_init (HsRecorderClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  const GParamFlags rw = G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS |
      G_PARAM_EXPLICIT_NOTIFY;

  object_class->dispose = hs_recorder_dispose;
  object_class->finalize = hs_recorder_finalize;
  object_class->get_property = hs_recorder_get_property;
  object_class->set_property = hs_recorder_set_property;

  /**
   * HsRecorder:pipeline:
   *
   * The pipeline that holds the tee. The recorder keeps a reference.
   *
   * Since: 0.1
   */
  properties[PROP_PIPELINE] =
      g_param_spec_object ("pipeline", NULL, NULL, GST_TYPE_ELEMENT,
      G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);

  /**
   * HsRecorder:source:
   *
   * Name of the tee to record.
   *
   * Since: 0.1
   */
  properties[PROP_SOURCE] =
      g_param_spec_string ("source", NULL, NULL, NULL,
      G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);

  /**
   * HsRecorder:pre:
   *
   * Seconds recorded before the first trigger. The ring holds this much
   * (plus half a second), so it sets the recorder's memory.
   *
   * Since: 0.1
   */
  properties[PROP_PRE] =
      g_param_spec_double ("pre", NULL, NULL, 0, 3600, 5, rw);

  /**
   * HsRecorder:post:
   *
   * Seconds recorded after the last trigger. Also how long a recording waits
   * for a stalled source (at least half a second) before it closes the file.
   *
   * Since: 0.1
   */
  properties[PROP_POST] =
      g_param_spec_double ("post", NULL, NULL, 0, 3600, 5, rw);

  /**
   * HsRecorder:max-duration:
   *
   * Longest file in seconds, 0 for no limit. A recording that runs longer
   * continues in a new file from the very next frame.
   *
   * Since: 0.1
   */
  properties[PROP_MAX_DURATION] =
      g_param_spec_double ("max-duration", NULL, NULL, 0, G_MAXDOUBLE, 0, rw);

  /**
   * HsRecorder:location:
   *
   * File name template: strftime conversions (of the first frame's
   * wall-clock time) plus `%{source}`, `%{index}` (this recorder's file
   * number, from 1) and `%{n}` (the process's file number). Folders are
   * created; existing files are never overwritten.
   *
   * Since: 0.1
   */
  properties[PROP_LOCATION] =
      g_param_spec_string ("location", NULL, NULL,
      HS_RECORDER_DEFAULT_LOCATION, rw);

  /**
   * HsRecorder:encoder:
   *
   * Codec of the files (and of the ring in encoded mode): `vp8` (the
   * default), `vp9` (row-mt) or `av1` (av1enc, then av1parse), all with
   * realtime settings and a bitrate scaled to the resolution unless
   * #HsRecorder:bitrate is set; `nvidia` (a Jetson's nvv4l2vp8enc or
   * nvv4l2vp9enc, frames moved into NVMM by nvvidconv first); or a
   * description ending in an encoder whose output WebM takes, such as
   * `vp9enc deadline=1 cpu-used=4` (its own settings apply there). A variant
   * whose element is missing fails with %HS_ERROR_MISSING_ELEMENT, naming
   * the package.
   *
   * Since: 0.1
   */
  properties[PROP_ENCODER] =
      g_param_spec_string ("encoder", NULL, NULL, "vp8", rw);

  /**
   * HsRecorder:converter:
   *
   * What turns the tee's frames into system-memory raw video on the ring
   * side: `auto` (the default: builds one of the next three from the tee's
   * caps features when they arrive, and never fails for a missing NVIDIA
   * element), `cpu` (videoconvert), `nvidia` (DeepStream's nvvideoconvert,
   * or a Jetson's nvvidconv: NVMM to I420), `cuda` (cudaconvert and
   * cudadownload from GStreamer's nvcodec plugin), or a bin description with
   * one free sink pad and one free src pad, such as
   * `nvvideoconvert ! video/x-raw,format=I420`. Given when the recorder is
   * made.
   *
   * Since: 0.1
   */
  properties[PROP_CONVERTER] =
      g_param_spec_string ("converter", NULL, NULL, "auto",
      G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);

  /**
   * HsRecorder:mode:
   *
   * What the ring holds: decoded frames (`raw`, frame-exact) or encoded ones
   * (`encoded`: tiny memory, files start at the keyframe at or before the
   * window's start). Given when the recorder is made.
   *
   * Since: 0.1
   */
  properties[PROP_MODE] =
      g_param_spec_enum ("mode", NULL, NULL, HS_TYPE_RECORDER_MODE,
      HS_RECORDER_MODE_RAW,
      G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);

  /**
   * HsRecorder:bitrate:
   *
   * Target bitrate of the files in bits per second; 0 scales it with the
   * resolution and frame rate (about 0.08 bit per pixel).
   *
   * Since: 0.1
   */
  properties[PROP_BITRATE] =
      g_param_spec_uint ("bitrate", NULL, NULL, 0, G_MAXINT, 0, rw);

  /**
   * HsRecorder:keyframe-interval:
   *
   * Seconds between keyframes; 0 for the default: 2 s in the files of raw
   * mode, 1 s in the ring of encoded mode (where it bounds how much earlier
   * than asked a file may start).
   *
   * Since: 0.1
   */
  properties[PROP_KEYFRAME_INTERVAL] =
      g_param_spec_double ("keyframe-interval", NULL, NULL, 0, 3600, 0, rw);

  /**
   * HsRecorder:threads:
   *
   * Encoder threads; 0 for one per 1280x720 of picture, at most one per
   * core and four (more make libvpx spin-wait).
   *
   * Since: 0.1
   */
  properties[PROP_THREADS] =
      g_param_spec_uint ("threads", NULL, NULL, 0, 64, 0, rw);

  /**
   * HsRecorder:rebase-timestamps:
   *
   * Whether each file starts at timestamp 0. By default a file keeps the
   * source's running time: a clip of [1 s, 6 s] starts at 1.0.
   *
   * Since: 0.1
   */
  properties[PROP_REBASE_TIMESTAMPS] =
      g_param_spec_boolean ("rebase-timestamps", NULL, NULL, FALSE, rw);

  /**
   * HsRecorder:max-ring-bytes:
   *
   * Most bytes the ring may hold, 0 for no bound. When it bites the ring
   * spans less than #HsRecorder:pre, and recordings report the shortfall.
   *
   * Since: 0.1
   */
  properties[PROP_MAX_RING_BYTES] =
      g_param_spec_uint64 ("max-ring-bytes", NULL, NULL, 0, G_MAXUINT64, 0, rw);

  /**
   * HsRecorder:copy-frames:
   *
   * Whether the ring copies frames instead of holding references; `auto`
   * copies frames from bounded buffer pools only.
   *
   * Since: 0.1
   */
  properties[PROP_COPY_FRAMES] =
      g_param_spec_enum ("copy-frames", NULL, NULL, HS_TYPE_COPY_FRAMES,
      HS_COPY_FRAMES_AUTO, rw);

  /**
   * HsRecorder:busy:
   *
   * TRUE from a trigger until its file is closed, including triggers set
   * for a running time still to come. Notified on the recorder's context.
   *
   * Since: 0.1
   */
  properties[PROP_BUSY] =
      g_param_spec_boolean ("busy", NULL, NULL, FALSE,
      G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * HsRecorder::recording-started:
   * @recorder: the recorder
   * @recording: the file just opened
   *
   * A file was opened, on its first frame. Emitted on the recorder's main
   * context.
   *
   * Since: 0.1
   */
  signals[SIGNAL_RECORDING_STARTED] =
      g_signal_new ("recording-started", G_TYPE_FROM_CLASS (klass),
      G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL, G_TYPE_NONE, 1,
      HS_TYPE_RECORDING);

  /**
   * HsRecorder::recording-finished:
   * @recorder: the recorder
   * @recording: the file, now closed; or a window that produced no file,
   *   with its error
   *
   * A file was closed, or a recording failed. Emitted on the recorder's
   * main context; @recording never changes after this.
   *
   * Since: 0.1
   */
  signals[SIGNAL_RECORDING_FINISHED] =
      g_signal_new ("recording-finished", G_TYPE_FROM_CLASS (klass),
      G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL, G_TYPE_NONE, 1,
      HS_TYPE_RECORDING);
}

static void
hs_recorder_init (HsRecorder *self)
{
  g_mutex_init (&self->stream_lock);
  self->context = g_main_context_ref_thread_default ();
  self->pre = 5;
  self->post = 5;
  self->encoder = g_strdup ("vp8");
  self->converter = g_strdup ("auto");
  self->pending = g_array_new (FALSE, FALSE, sizeof (GstClockTime));
  self->boundary = GST_CLOCK_TIME_NONE;
  self->ring = hs_ring_buffer_new (seconds_to_time (self->pre) + RING_MARGIN,
      0);

  self->wakeup = g_source_new (&wakeup_funcs, sizeof (GSource));
  g_source_set_callback (self->wakeup, on_wakeup_pump, self, NULL);
  g_source_set_ready_time (self->wakeup, -1);
  g_source_attach (self->wakeup, self->context);
}

/* ------------------------------------------------------------------------ */
/* Public API                                                               */

/**
 * hs_recorder_new:
 * @pipeline: (transfer none): the pipeline that holds the tee
 * @tee_name: name of the tee to record
 * @error: return location for a #GError
 *
 * Attaches a recorder to a tee of @pipeline, which may already be playing.
 * Signals and decisions will run on the current thread-default main context.
 *
 * Returns: (transfer full) (nullable): the recorder, or %NULL with
 *   %HS_ERROR_NO_SUCH_TEE (listing the tees that exist)
 *
 * Since: 0.1
 */
HsRecorder *
hs_recorder_new (GstElement *pipeline, const char *tee_name, GError **error)
{
  g_return_val_if_fail (GST_IS_ELEMENT (pipeline), NULL);
  g_return_val_if_fail (tee_name != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  return g_initable_new (HS_TYPE_RECORDER, NULL, error,
      "pipeline", pipeline, "source", tee_name, NULL);
}

typedef struct {
  HsRecorder *self;
  GstClockTime time;
  GTask *task;
} Trigger;

/* A trigger or stop from a recording-started/-finished handler runs on this
 * context at once, in the middle of a pump: it waits until the pump is
 * done. */
static gboolean
defer_while_pumping (HsRecorder *self, GSourceFunc func, gpointer data)
{
  GSource *source;

  if (!self->pumping)
    return FALSE;
  source = g_idle_source_new ();
  g_source_set_priority (source, G_PRIORITY_DEFAULT);
  g_source_set_callback (source, func, data, NULL);
  g_source_attach (source, self->context);
  g_source_unref (source);
  return TRUE;
}

static gboolean
take_waiter (GList **waiters, GTask *task)
{
  GList *link = g_list_find (*waiters, task);

  if (link == NULL)
    return FALSE;
  *waiters = g_list_delete_link (*waiters, link);
  return TRUE;
}

/* Cancelling a record_async() ends the wait, not the recording. */
static gboolean
on_record_cancelled (GCancellable *cancellable, gpointer user_data)
{
  GTask *task = user_data;
  HsRecorder *self = g_task_get_source_object (task);
  gboolean found = take_waiter (&self->pending_waiters, task) ||
      take_waiter (&self->window_waiters, task) ||
      (self->current != NULL && take_waiter (&self->current->waiters, task));

  for (GList *l = self->closing; l != NULL && !found; l = l->next)
    found = take_waiter (&((FileJob *) l->data)->waiters, task);
  if (found) {
    g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_CANCELLED,
        "Stopped waiting for the recording of '%s'", self->source);
    g_object_unref (task);
  }
  return G_SOURCE_REMOVE;
}

static gboolean
apply_trigger (gpointer user_data)
{
  Trigger *t = user_data;
  HsRecorder *self = t->self;
  guint i;

  if (defer_while_pumping (self, apply_trigger, t))
    return G_SOURCE_REMOVE;

  if (self->detached || self->branch == NULL) {
    GST_INFO_OBJECT (self, "ignoring a trigger on a detached recorder");
    if (t->task != NULL) {
      g_task_return_new_error (t->task, HS_ERROR, HS_ERROR_INVALID_ARGUMENT,
          "The recorder of '%s' is detached", self->source);
      g_object_unref (t->task);
    }
  } else {
    if (t->time == GST_CLOCK_TIME_NONE)
      t->time = hs_recorder_get_running_time (self);
    for (i = 0; i < self->pending->len; i++)
      if (g_array_index (self->pending, GstClockTime, i) > t->time)
        break;
    g_array_insert_val (self->pending, i, t->time);
    if (t->task != NULL) {
      GCancellable *cancellable = g_task_get_cancellable (t->task);

      if (cancellable != NULL) {
        GSource *cancel = g_cancellable_source_new (cancellable);

        g_source_set_callback (cancel, G_SOURCE_FUNC (on_record_cancelled),
            g_object_ref (t->task), g_object_unref);
        g_source_attach (cancel, self->context);
        g_task_set_task_data (t->task, cancel,
            (GDestroyNotify) g_source_unref);
      }
      g_object_set_qdata_full (G_OBJECT (t->task), waiter_time_quark (),
          g_memdup2 (&t->time, sizeof t->time), g_free);
      self->pending_waiters = g_list_append (self->pending_waiters, t->task);
    }
    GST_DEBUG_OBJECT (self, "trigger at %" GST_TIME_FORMAT,
        GST_TIME_ARGS (t->time));
    pump (self);
  }
  g_atomic_int_dec_and_test (&self->queued);
  g_object_unref (self);
  g_free (t);
  return G_SOURCE_REMOVE;
}

static void
queue_trigger (HsRecorder *self, GstClockTime time, GTask *task)
{
  Trigger *t = g_new0 (Trigger, 1);

  t->self = g_object_ref (self);
  t->time = time;
  t->task = task;
  /* Busy from the call on, also for a caller on another thread. */
  g_atomic_int_inc (&self->queued);
  g_main_context_invoke (self->context, apply_trigger, t);
}

/**
 * hs_recorder_trigger:
 * @self: a recorder
 *
 * Triggers now: at the current running time of the pipeline's clock for a
 * live source, at the newest frame's running time otherwise. Safe to call
 * from any thread.
 *
 * Since: 0.1
 */
void
hs_recorder_trigger (HsRecorder *self)
{
  g_return_if_fail (HS_IS_RECORDER (self));
  queue_trigger (self, GST_CLOCK_TIME_NONE, NULL);
}

/**
 * hs_recorder_trigger_at:
 * @self: a recorder
 * @running_time: the event's running time in the source pipeline, in
 *   nanoseconds
 *
 * Triggers at a given running time: the window is
 * [@running_time - pre, @running_time + post), exact to the frame. The time
 * may lie in the past (as long as the ring still holds it) or in the
 * future; the recorder is #HsRecorder:busy from now on. Safe to call from
 * any thread.
 *
 * Since: 0.1
 */
void
hs_recorder_trigger_at (HsRecorder *self, GstClockTime running_time)
{
  g_return_if_fail (HS_IS_RECORDER (self));
  g_return_if_fail (GST_CLOCK_TIME_IS_VALID (running_time));
  queue_trigger (self, running_time, NULL);
}

/**
 * hs_recorder_record_async:
 * @self: a recorder
 * @cancellable: (nullable): a #GCancellable
 * @callback: (scope async) (nullable): called when the file is closed
 * @user_data: data for @callback
 *
 * Triggers now, like [method@Hindsight.Recorder.trigger], and completes when
 * the file this trigger went into is closed: the file it started, or the
 * open file it extended. Finish with
 * [method@Hindsight.Recorder.record_finish].
 *
 * Cancelling stops the waiting, not the recording: @callback gets
 * %G_IO_ERROR_CANCELLED at once, and the trigger (even with a cancellable
 * cancelled beforehand) still records. @callback runs on the main context
 * that was thread-default when this was called, which need not be the
 * recorder's. Safe to call from any thread.
 *
 * Since: 0.1
 */
void
hs_recorder_record_async (HsRecorder          *self,
                          GCancellable        *cancellable,
                          GAsyncReadyCallback  callback,
                          gpointer             user_data)
{
  GTask *task;

  g_return_if_fail (HS_IS_RECORDER (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, hs_recorder_record_async);
  g_task_set_check_cancellable (task, TRUE);
  g_task_set_return_on_cancel (task, TRUE);
  queue_trigger (self, GST_CLOCK_TIME_NONE, task);
}

/**
 * hs_recorder_record_finish:
 * @self: a recorder
 * @result: the #GAsyncResult given to the callback
 * @error: return location for a #GError
 *
 * Finishes [method@Hindsight.Recorder.record_async].
 *
 * Returns: (transfer full): the closed recording, or %NULL with the
 *   recording's error (or %G_IO_ERROR_CANCELLED)
 *
 * Since: 0.1
 */
HsRecording *
hs_recorder_record_finish (HsRecorder    *self,
                           GAsyncResult  *result,
                           GError       **error)
{
  g_return_val_if_fail (HS_IS_RECORDER (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) ==
      hs_recorder_record_async, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

static gboolean
apply_stop (gpointer user_data)
{
  HsRecorder *self = user_data;

  if (defer_while_pumping (self, apply_stop, self))
    return G_SOURCE_REMOVE;

  pump (self);
  g_array_set_size (self->pending, 0);
  if (self->pending_waiters != NULL) {
    for (GList *l = self->pending_waiters; l != NULL; l = l->next) {
      waiter_done (l->data);
      g_task_return_new_error (l->data, HS_ERROR, HS_ERROR_NO_FRAMES,
          "The recorder of '%s' was stopped before the trigger", self->source);
      g_object_unref (l->data);
    }
    g_clear_pointer (&self->pending_waiters, g_list_free);
  }
  if (self->active)
    finish_window (self, NULL, FALSE);
  update_interest (self);
  update_tick (self);
  update_busy (self);
  g_object_unref (self);
  return G_SOURCE_REMOVE;
}

/**
 * hs_recorder_stop:
 * @self: a recorder
 *
 * Ends the open recording now (its file is closed properly) and forgets
 * triggers still to come. Safe to call from any thread.
 *
 * Since: 0.1
 */
void
hs_recorder_stop (HsRecorder *self)
{
  g_return_if_fail (HS_IS_RECORDER (self));
  g_main_context_invoke (self->context, apply_stop, g_object_ref (self));
}

/**
 * hs_recorder_detach:
 * @self: a recorder
 *
 * Stops recording and removes the ring branch from the tee, safely while
 * the pipeline plays. Files being closed still finish and are reported.
 * Triggers after this are ignored. Call it from the recorder's main context.
 *
 * Since: 0.1
 */
void
hs_recorder_detach (HsRecorder *self)
{
  Detach *d;

  g_return_if_fail (HS_IS_RECORDER (self));

  if (self->detached || self->branch == NULL)
    return;

  g_object_ref (self);
  apply_stop (self);
  self->detached = TRUE;
  stream_link_sever (self->link);

  if (self->bus_handler != 0) {
    g_autoptr(GstBus) bus = gst_element_get_bus (self->pipeline);

    g_clear_signal_handler (&self->bus_handler, bus);
    gst_bus_disable_sync_message_emission (bus);
  }
  registry_remove (self);

  d = g_new0 (Detach, 1);
  d->pipeline = gst_object_ref (self->pipeline);
  d->tee = gst_object_ref (self->tee);
  d->tee_pad = gst_object_ref (self->tee_pad);
  d->branch = gst_object_ref (self->branch);
  d->context = g_main_context_ref (self->context);
  gst_pad_add_probe (d->tee_pad, GST_PAD_PROBE_TYPE_IDLE, on_tee_pad_idle, d,
      NULL);
  GST_INFO_OBJECT (self, "detached from tee %s", self->source);
}

/**
 * hs_recorder_set_location_func:
 * @self: a recorder
 * @func: (nullable) (scope notified): chooses file names, or %NULL for the
 *   template
 * @user_data: data for @func
 * @destroy: frees @user_data
 *
 * Lets the application name each file, like pythiags' filename_generator.
 *
 * Since: 0.1
 */
void
hs_recorder_set_location_func (HsRecorder     *self,
                               HsLocationFunc  func,
                               gpointer        user_data,
                               GDestroyNotify  destroy)
{
  g_return_if_fail (HS_IS_RECORDER (self));

  if (self->location_destroy != NULL)
    self->location_destroy (self->location_data);
  self->location_func = func;
  self->location_data = user_data;
  self->location_destroy = destroy;
}

/**
 * hs_recorder_get_pipeline:
 * @self: a recorder
 *
 * Returns: (transfer none): the pipeline
 *
 * Since: 0.1
 */
GstElement *
hs_recorder_get_pipeline (HsRecorder *self)
{
  g_return_val_if_fail (HS_IS_RECORDER (self), NULL);
  return self->pipeline;
}

/**
 * hs_recorder_get_source:
 * @self: a recorder
 *
 * Returns: the name of the recorded tee
 *
 * Since: 0.1
 */
const char *
hs_recorder_get_source (HsRecorder *self)
{
  g_return_val_if_fail (HS_IS_RECORDER (self), NULL);
  return self->source;
}

/**
 * hs_recorder_get_pre:
 * @self: a recorder
 *
 * Returns: seconds recorded before the first trigger
 *
 * Since: 0.1
 */
double
hs_recorder_get_pre (HsRecorder *self)
{
  g_return_val_if_fail (HS_IS_RECORDER (self), 0);
  return self->pre;
}

/**
 * hs_recorder_set_pre:
 * @self: a recorder
 * @pre: seconds to record before the first trigger, >= 0
 *
 * Sets #HsRecorder:pre and resizes the ring.
 *
 * Since: 0.1
 */
void
hs_recorder_set_pre (HsRecorder *self, double pre)
{
  g_return_if_fail (HS_IS_RECORDER (self));
  g_return_if_fail (pre >= 0);

  if (self->pre == pre)
    return;
  self->pre = pre;
  hs_ring_buffer_set_window (self->ring, seconds_to_time (pre) + RING_MARGIN);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PRE]);
}

/**
 * hs_recorder_get_post:
 * @self: a recorder
 *
 * Returns: seconds recorded after the last trigger
 *
 * Since: 0.1
 */
double
hs_recorder_get_post (HsRecorder *self)
{
  g_return_val_if_fail (HS_IS_RECORDER (self), 0);
  return self->post;
}

/**
 * hs_recorder_set_post:
 * @self: a recorder
 * @post: seconds to record after the last trigger, >= 0
 *
 * Sets #HsRecorder:post.
 *
 * Since: 0.1
 */
void
hs_recorder_set_post (HsRecorder *self, double post)
{
  g_return_if_fail (HS_IS_RECORDER (self));
  g_return_if_fail (post >= 0);

  if (self->post == post)
    return;
  self->post = post;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_POST]);
}

/**
 * hs_recorder_get_max_duration:
 * @self: a recorder
 *
 * Returns: the longest file in seconds, 0 for no limit
 *
 * Since: 0.1
 */
double
hs_recorder_get_max_duration (HsRecorder *self)
{
  g_return_val_if_fail (HS_IS_RECORDER (self), 0);
  return self->max_duration;
}

/**
 * hs_recorder_set_max_duration:
 * @self: a recorder
 * @max_duration: the longest file in seconds, 0 for no limit
 *
 * Sets #HsRecorder:max-duration.
 *
 * Since: 0.1
 */
void
hs_recorder_set_max_duration (HsRecorder *self, double max_duration)
{
  g_return_if_fail (HS_IS_RECORDER (self));
  g_return_if_fail (max_duration >= 0);

  if (self->max_duration == max_duration)
    return;
  self->max_duration = max_duration;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_MAX_DURATION]);
}

/**
 * hs_recorder_get_location:
 * @self: a recorder
 *
 * Returns: the location template
 *
 * Since: 0.1
 */
const char *
hs_recorder_get_location (HsRecorder *self)
{
  g_return_val_if_fail (HS_IS_RECORDER (self), NULL);
  return self->location ? self->location : HS_RECORDER_DEFAULT_LOCATION;
}

/**
 * hs_recorder_set_location:
 * @self: a recorder
 * @location: (nullable): a location template, %NULL for the default
 *
 * Sets #HsRecorder:location. A template that does not expand makes the next
 * recording fail with %HS_ERROR_INVALID_ARGUMENT; check it first with
 * g_initable_new() or by setting it before the first trigger.
 *
 * Since: 0.1
 */
void
hs_recorder_set_location (HsRecorder *self, const char *location)
{
  g_return_if_fail (HS_IS_RECORDER (self));

  if (g_strcmp0 (self->location, location) == 0)
    return;
  g_free (self->location);
  self->location = g_strdup (location);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LOCATION]);
}

/**
 * hs_recorder_get_busy:
 * @self: a recorder
 *
 * Returns: whether a trigger is waiting or a file is open
 *
 * Since: 0.1
 */
gboolean
hs_recorder_get_busy (HsRecorder *self)
{
  g_return_val_if_fail (HS_IS_RECORDER (self), FALSE);
  return self->busy || g_atomic_int_get (&self->queued) > 0;
}

/**
 * hs_recorder_get_running_time:
 * @self: a recorder
 *
 * The running time a trigger "now" would use: the clock's for a live
 * source, the newest frame's otherwise.
 *
 * Returns: the running time, or 0 before the first frame
 *
 * Since: 0.1
 */
GstClockTime
hs_recorder_get_running_time (HsRecorder *self)
{
  gboolean live;
  GstClockTime t;

  g_return_val_if_fail (HS_IS_RECORDER (self), 0);

  g_mutex_lock (&self->stream_lock);
  live = self->live;
  g_mutex_unlock (&self->stream_lock);

  t = live ? clock_running_time (self) : GST_CLOCK_TIME_NONE;
  if (t == GST_CLOCK_TIME_NONE)
    t = hs_ring_buffer_get_newest (self->ring);
  return t == GST_CLOCK_TIME_NONE ? 0 : t;
}

/**
 * hs_recorder_get_ring_buffer:
 * @self: a recorder
 *
 * Returns: (transfer none): the ring that holds the source's recent frames
 *
 * Since: 0.1
 */
HsRingBuffer *
hs_recorder_get_ring_buffer (HsRecorder *self)
{
  g_return_val_if_fail (HS_IS_RECORDER (self), NULL);
  return self->ring;
}
