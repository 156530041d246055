/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "hs-fault.h"

#include <gst/video/video.h>

/* Buffers are counted from 0 in the order they arrive. With
 * error-after=N, buffers 0 .. N-1 pass and buffer N fails the stream with
 * an element error (GST_STREAM_ERROR_FAILED), as a broken camera would.
 * With stall-after=N, buffer N holds the streaming thread (no EOS, no
 * error: the source just goes quiet) until hs_test_fault_release() or a
 * flush or state change. With caps-after=N, buffer N and every later one
 * are replaced by frames of width x height: a mid-stream resolution change
 * announced by a new caps event. */
struct _HsTestFault
{
  GstElement parent_instance;

  GstPad *sinkpad;
  GstPad *srcpad;

  GMutex lock;
  GCond cond;
  gint64 error_after;
  gint64 stall_after;
  gint64 caps_after;
  gint width;
  gint height;
  guint64 count;
  gboolean stalled;
  gboolean released;
  gboolean flushing;
  GstCaps *in_caps;
  GstVideoInfo out_info;
  gboolean switched;
};

G_DEFINE_FINAL_TYPE (HsTestFault, hs_test_fault, GST_TYPE_ELEMENT)

enum
{
  PROP_0,
  PROP_ERROR_AFTER,
  PROP_STALL_AFTER,
  PROP_CAPS_AFTER,
  PROP_WIDTH,
  PROP_HEIGHT,
  PROP_N_BUFFERS,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static GstStaticPadTemplate sink_template = GST_STATIC_PAD_TEMPLATE ("sink",
    GST_PAD_SINK, GST_PAD_ALWAYS, GST_STATIC_CAPS_ANY);
static GstStaticPadTemplate src_template = GST_STATIC_PAD_TEMPLATE ("src",
    GST_PAD_SRC, GST_PAD_ALWAYS, GST_STATIC_CAPS_ANY);

/* The caps of the resized frames: the upstream caps with another size.
 * Called with the lock held. */
static GstCaps *
resized_caps (HsTestFault *self)
{
  GstCaps *caps = gst_caps_copy (self->in_caps);

  gst_caps_set_simple (caps, "width", G_TYPE_INT, self->width,
      "height", G_TYPE_INT, self->height, NULL);
  return caps;
}

static GstBuffer *
resize (HsTestFault *self, GstBuffer *in, guint64 k)
{
  GstBuffer *out = gst_buffer_new_allocate (NULL, self->out_info.size, NULL);

  /* Frames that differ from each other, so the encoder has work to do. */
  gst_buffer_memset (out, 0, 0x80, self->out_info.size);
  gst_buffer_memset (out, 0, (guint8) (16 + (k * 5) % 200),
      (gsize) self->width * self->height);
  gst_buffer_copy_into (out, in, GST_BUFFER_COPY_FLAGS |
      GST_BUFFER_COPY_TIMESTAMPS, 0, -1);
  gst_buffer_unref (in);
  return out;
}

static GstFlowReturn
hs_test_fault_chain (GstPad *pad, GstObject *parent, GstBuffer *buffer)
{
  HsTestFault *self = HS_TEST_FAULT (parent);
  GstCaps *new_caps = NULL;
  gboolean fail, resize_it = FALSE;
  guint64 k;

  g_mutex_lock (&self->lock);
  k = self->count++;
  fail = self->error_after >= 0 && k >= (guint64) self->error_after;
  if (!fail && self->stall_after >= 0 && k == (guint64) self->stall_after &&
      !self->released) {
    self->stalled = TRUE;
    while (!self->released && !self->flushing)
      g_cond_wait (&self->cond, &self->lock);
    self->stalled = FALSE;
    if (self->flushing) {
      g_mutex_unlock (&self->lock);
      gst_buffer_unref (buffer);
      return GST_FLOW_FLUSHING;
    }
  }
  if (!fail && self->caps_after >= 0 && k >= (guint64) self->caps_after &&
      self->in_caps != NULL) {
    if (!self->switched) {
      new_caps = resized_caps (self);
      if (!gst_video_info_from_caps (&self->out_info, new_caps)) {
        g_mutex_unlock (&self->lock);
        gst_caps_unref (new_caps);
        gst_buffer_unref (buffer);
        GST_ELEMENT_ERROR (self, CORE, NEGOTIATION, (NULL),
            ("caps-after needs raw video caps"));
        return GST_FLOW_NOT_NEGOTIATED;
      }
      self->switched = TRUE;
    }
    resize_it = TRUE;
  }
  g_mutex_unlock (&self->lock);

  if (fail) {
    gst_buffer_unref (buffer);
    GST_ELEMENT_ERROR (self, STREAM, FAILED,
        ("Injected failure at buffer %" G_GUINT64_FORMAT, k), (NULL));
    return GST_FLOW_ERROR;
  }
  if (new_caps != NULL) {
    gst_pad_push_event (self->srcpad, gst_event_new_caps (new_caps));
    gst_caps_unref (new_caps);
  }
  if (resize_it)
    buffer = resize (self, buffer, k);
  return gst_pad_push (self->srcpad, buffer);
}

static void
set_flushing (HsTestFault *self, gboolean flushing)
{
  g_mutex_lock (&self->lock);
  self->flushing = flushing;
  g_cond_broadcast (&self->cond);
  g_mutex_unlock (&self->lock);
}

static gboolean
hs_test_fault_sink_event (GstPad *pad, GstObject *parent, GstEvent *event)
{
  HsTestFault *self = HS_TEST_FAULT (parent);

  switch (GST_EVENT_TYPE (event)) {
    case GST_EVENT_FLUSH_START:
      set_flushing (self, TRUE);
      break;
    case GST_EVENT_FLUSH_STOP:
      set_flushing (self, FALSE);
      break;
    case GST_EVENT_CAPS:{
      GstCaps *caps;

      gst_event_parse_caps (event, &caps);
      g_mutex_lock (&self->lock);
      gst_caps_replace (&self->in_caps, caps);
      if (self->switched) {
        GstCaps *out = resized_caps (self);

        gst_event_unref (event);
        event = gst_event_new_caps (out);
        gst_caps_unref (out);
      }
      g_mutex_unlock (&self->lock);
      break;
    }
    default:
      break;
  }
  return gst_pad_event_default (pad, parent, event);
}

static GstStateChangeReturn
hs_test_fault_change_state (GstElement *element, GstStateChange transition)
{
  HsTestFault *self = HS_TEST_FAULT (element);

  /* A held streaming thread must let go before the pads deactivate, which
   * waits for it. */
  if (transition == GST_STATE_CHANGE_PAUSED_TO_READY)
    set_flushing (self, TRUE);
  if (transition == GST_STATE_CHANGE_READY_TO_PAUSED) {
    g_mutex_lock (&self->lock);
    self->flushing = FALSE;
    self->count = 0;
    self->switched = FALSE;
    self->released = FALSE;
    gst_clear_caps (&self->in_caps);
    g_mutex_unlock (&self->lock);
  }
  return GST_ELEMENT_CLASS (hs_test_fault_parent_class)->change_state (element,
      transition);
}

gboolean
hs_test_fault_is_stalled (HsTestFault *self)
{
  gboolean stalled;

  g_mutex_lock (&self->lock);
  stalled = self->stalled;
  g_mutex_unlock (&self->lock);
  return stalled;
}

void
hs_test_fault_release (HsTestFault *self)
{
  g_mutex_lock (&self->lock);
  self->released = TRUE;
  g_cond_broadcast (&self->cond);
  g_mutex_unlock (&self->lock);
}

static void
hs_test_fault_get_property (GObject *object, guint prop_id, GValue *value,
                            GParamSpec *pspec)
{
  HsTestFault *self = HS_TEST_FAULT (object);

  g_mutex_lock (&self->lock);
  switch (prop_id) {
    case PROP_ERROR_AFTER:
      g_value_set_int64 (value, self->error_after);
      break;
    case PROP_STALL_AFTER:
      g_value_set_int64 (value, self->stall_after);
      break;
    case PROP_CAPS_AFTER:
      g_value_set_int64 (value, self->caps_after);
      break;
    case PROP_WIDTH:
      g_value_set_int (value, self->width);
      break;
    case PROP_HEIGHT:
      g_value_set_int (value, self->height);
      break;
    case PROP_N_BUFFERS:
      g_value_set_uint64 (value, self->count);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
  }
  g_mutex_unlock (&self->lock);
}

static void
hs_test_fault_set_property (GObject *object, guint prop_id,
                            const GValue *value, GParamSpec *pspec)
{
  HsTestFault *self = HS_TEST_FAULT (object);

  g_mutex_lock (&self->lock);
  switch (prop_id) {
    case PROP_ERROR_AFTER:
      self->error_after = g_value_get_int64 (value);
      break;
    case PROP_STALL_AFTER:
      self->stall_after = g_value_get_int64 (value);
      break;
    case PROP_CAPS_AFTER:
      self->caps_after = g_value_get_int64 (value);
      break;
    case PROP_WIDTH:
      self->width = g_value_get_int (value);
      break;
    case PROP_HEIGHT:
      self->height = g_value_get_int (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
  }
  g_mutex_unlock (&self->lock);
}

static void
hs_test_fault_finalize (GObject *object)
{
  HsTestFault *self = HS_TEST_FAULT (object);

  gst_clear_caps (&self->in_caps);
  g_mutex_clear (&self->lock);
  g_cond_clear (&self->cond);
  G_OBJECT_CLASS (hs_test_fault_parent_class)->finalize (object);
}

static void
hs_test_fault_class_init (HsTestFaultClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GstElementClass *element_class = GST_ELEMENT_CLASS (klass);
  const GParamFlags rw = G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS;

  object_class->get_property = hs_test_fault_get_property;
  object_class->set_property = hs_test_fault_set_property;
  object_class->finalize = hs_test_fault_finalize;
  element_class->change_state = hs_test_fault_change_state;

  properties[PROP_ERROR_AFTER] = g_param_spec_int64 ("error-after", NULL,
      "Fail the stream at this buffer (-1: never)", -1, G_MAXINT64, -1, rw);
  properties[PROP_STALL_AFTER] = g_param_spec_int64 ("stall-after", NULL,
      "Hold the streaming thread at this buffer (-1: never)", -1, G_MAXINT64,
      -1, rw);
  properties[PROP_CAPS_AFTER] = g_param_spec_int64 ("caps-after", NULL,
      "Resize frames from this buffer on (-1: never)", -1, G_MAXINT64, -1, rw);
  properties[PROP_WIDTH] = g_param_spec_int ("width", NULL,
      "Width after caps-after", 1, 8192, 320, rw);
  properties[PROP_HEIGHT] = g_param_spec_int ("height", NULL,
      "Height after caps-after", 1, 8192, 240, rw);
  properties[PROP_N_BUFFERS] = g_param_spec_uint64 ("n-buffers", NULL,
      "Buffers received so far", 0, G_MAXUINT64, 0,
      G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gst_element_class_add_static_pad_template (element_class, &sink_template);
  gst_element_class_add_static_pad_template (element_class, &src_template);
  gst_element_class_set_static_metadata (element_class, "Fault injector",
      "Filter", "Fails, stalls or resizes the stream on cue (tests only)",
      "hindsight");
}

static void
hs_test_fault_init (HsTestFault *self)
{
  g_mutex_init (&self->lock);
  g_cond_init (&self->cond);
  self->error_after = -1;
  self->stall_after = -1;
  self->caps_after = -1;
  self->width = 320;
  self->height = 240;

  self->sinkpad = gst_pad_new_from_static_template (&sink_template, "sink");
  gst_pad_set_chain_function (self->sinkpad, hs_test_fault_chain);
  gst_pad_set_event_function (self->sinkpad, hs_test_fault_sink_event);
  GST_PAD_SET_PROXY_CAPS (self->sinkpad);
  GST_PAD_SET_PROXY_ALLOCATION (self->sinkpad);
  gst_element_add_pad (GST_ELEMENT (self), self->sinkpad);

  self->srcpad = gst_pad_new_from_static_template (&src_template, "src");
  GST_PAD_SET_PROXY_CAPS (self->srcpad);
  gst_element_add_pad (GST_ELEMENT (self), self->srcpad);
}

gboolean
hs_test_fault_register (void)
{
  return gst_element_register (NULL, "hsfault", GST_RANK_NONE,
      HS_TEST_TYPE_FAULT);
}
