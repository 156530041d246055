/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include "hs-writer-private.h"

#include <gst/app/app.h>
#include <glib/gstdio.h>

#include "hs-container-private.h"
#include "hs-error.h"
#include "hs-packages-private.h"
#include "hs-variant-private.h"

/* MP4 fragments: what a file cut short loses at most. */
#define FRAGMENT_MS 1000
/* A list handed to the record pipeline keeps every buffer in it until the
 * last one is through, even those the ring has let go of meanwhile: a
 * window's backlog (seconds of frames, at once) would stay whole until its
 * last frame is encoded. Lists are cut at this size (or one buffer), so
 * little is kept beyond what the ring holds anyway. */
#define LIST_BYTES (2 * 1024 * 1024)

GST_DEBUG_CATEGORY_STATIC (hs_writer_debug);
#define GST_CAT_DEFAULT hs_writer_debug

struct _HsWriter
{
  GstElement *pipeline;
  GstElement *appsrc;
  GstElement *audio_src;        /* NULL: a file without sound */
  GstCaps *caps;
  GstBufferList *pending;       /* pushed at the next flush */
  gsize pending_bytes;
  GstBufferList *pending_audio;
  gsize pending_audio_bytes;
  gboolean audio_ended;
  char *location;
  GSource *bus_source;
  HsWriterDoneFunc done;
  gpointer user_data;
  gboolean finished;            /* EOS sent */
  gboolean closed;              /* done reported or closed synchronously */
};

static void
ensure_debug (void)
{
  static gsize once;

  if (g_once_init_enter (&once)) {
    GST_DEBUG_CATEGORY_INIT (hs_writer_debug, "hindsight-writer", 0,
        "hindsight record pipelines");
    g_once_init_leave (&once, 1);
  }
}

/* The file's date: Matroska and WebM take it as a property, MP4 from the
 * stream's date tag. */
static void
set_date (GstElement *mux, GDateTime *date)
{
  g_autoptr(GstDateTime) tag = NULL;

  if (g_object_class_find_property (G_OBJECT_GET_CLASS (mux),
          "creation-time") != NULL) {
    g_object_set (mux, "creation-time", date, NULL);
    return;
  }
  if (!GST_IS_TAG_SETTER (mux))
    return;
  tag = gst_date_time_new_from_g_date_time (g_date_time_ref (date));
  gst_tag_setter_add_tags (GST_TAG_SETTER (mux), GST_TAG_MERGE_REPLACE,
      GST_TAG_DATE_TIME, tag, NULL);
}

/* With GST_DEBUG_DUMP_DOT_DIR set, each record pipeline leaves a graph
 * (hs-record-FILE.dot), to see what a recording is made of. */
static void
dump_graph (HsWriter *self)
{
  g_autofree char *base = g_path_get_basename (self->location);
  g_autofree char *name = g_strconcat ("hs-record-", base, NULL);

  g_strcanon (name, G_CSET_A_2_Z G_CSET_a_2_z G_CSET_DIGITS "-_", '_');
  GST_DEBUG_BIN_TO_DOT_FILE (GST_BIN (self->pipeline),
      GST_DEBUG_GRAPH_SHOW_ALL, name);
}

static void
report (HsWriter *self, const GError *error)
{
  if (self->closed)
    return;
  self->closed = TRUE;
  gst_element_set_state (self->pipeline, GST_STATE_NULL);
  if (self->done)
    self->done (self, error, self->user_data);
}

static GError *
error_from_message (HsWriter *self, GstMessage *message)
{
  g_autoptr(GError) gst_error = NULL;
  g_autofree char *debug = NULL;
  int code = HS_ERROR_ENCODE;

  gst_message_parse_error (message, &gst_error, &debug);
  GST_WARNING ("record pipeline for %s failed: %s (%s)", self->location,
      gst_error->message, debug ? debug : "");
  if (gst_error->domain == GST_RESOURCE_ERROR)
    code = HS_ERROR_CANNOT_WRITE;
  else if (gst_error->domain == GST_STREAM_ERROR &&
      gst_error->code == GST_STREAM_ERROR_FORMAT)
    code = HS_ERROR_NOT_NEGOTIATED;
  return g_error_new (HS_ERROR, code, "Writing '%s' failed in %s: %s",
      self->location, GST_OBJECT_NAME (GST_MESSAGE_SRC (message)),
      gst_error->message);
}

static gboolean
on_bus_message (GstBus *bus, GstMessage *message, gpointer user_data)
{
  HsWriter *self = user_data;

  switch (GST_MESSAGE_TYPE (message)) {
    case GST_MESSAGE_EOS:{
      g_autoptr(GError) error = NULL;

      /* A file removed while open (its folder deleted, say) is written to
       * the end and then gone: a lost recording, not a finished one. */
      if (!g_file_test (self->location, G_FILE_TEST_EXISTS))
        error = g_error_new (HS_ERROR, HS_ERROR_CANNOT_WRITE,
            "'%s' was removed while it was being written", self->location);
      GST_DEBUG ("%s closed", self->location);
      report (self, error);
      return G_SOURCE_REMOVE;
    }
    case GST_MESSAGE_ERROR:{
      g_autoptr(GError) error = error_from_message (self, message);

      report (self, error);
      return G_SOURCE_REMOVE;
    }
    default:
      return G_SOURCE_CONTINUE;
  }
}

/* An appsrc for one stream. The backlog is pushed at once and drained as
 * fast as the encoder goes: it queues without bound, never blocks, never
 * drops. */
static GstElement *
add_appsrc (GstElement *pipeline, const char *name, GstCaps *caps,
            GError **error)
{
  GstElement *src = hs_packages_make_element ("appsrc", name, error);

  if (src == NULL)
    return NULL;
  gst_bin_add (GST_BIN (pipeline), src);
  gst_app_src_set_caps (GST_APP_SRC (src), caps);
  g_object_set (src,
      "format", GST_FORMAT_TIME,
      "is-live", FALSE,
      "max-bytes", (guint64) 0,
      "block", FALSE,
      NULL);
  return src;
}

/* @src, through @chain (NULL: none; floating, added here), to the muxer's
 * pad of @template by name: linking by template would take the first pad
 * that takes anything, an audio pad for a video stream. */
static gboolean
link_stream (GstElement *pipeline, GstElement *src, GstElement **chain,
             GstElement *mux, const char *template_)
{
  GstElement *last = src;

  for (guint i = 0; chain[i] != NULL; i++) {
    gst_bin_add (GST_BIN (pipeline), chain[i]);
    if (!gst_element_link (last, chain[i]))
      return FALSE;
    last = chain[i];
  }
  return gst_element_link_pads (last, "src", mux, template_);
}

/* mp4mux takes VP9 only with its chroma format and bit depth in the caps,
 * which vp9parse adds. */
static gboolean
needs_vp9parse (GstCaps *caps, const HsWriterOptions *options)
{
  const char *codec = options->remux ?
      gst_structure_get_name (gst_caps_get_structure (caps, 0)) :
      hs_variant_encoder_codec (options->encoder);

  return options->container == HS_CONTAINER_MP4 &&
      g_strcmp0 (codec, "video/x-vp9") == 0;
}

static gboolean
add_video (GstElement *pipeline, GstElement *src, GstCaps *caps,
           const HsWriterOptions *options, GstElement *mux, GError **error)
{
  GstElement *chain[4] = { NULL };
  guint n = options->remux ? 0 : 2;

  if (needs_vp9parse (caps, options)) {
    chain[n] = hs_packages_make_element ("vp9parse", NULL, error);
    if (chain[n] == NULL)
      return FALSE;
  }
  if (!options->remux) {
    chain[0] = hs_packages_make_element ("videoconvert", "convert", error);
    chain[1] = chain[0] ? hs_variant_make_encoder (options->encoder, caps,
        &options->settings, error) : NULL;
    if (chain[1] == NULL) {
      for (guint i = 0; i < G_N_ELEMENTS (chain); i++)
        if (chain[i] != NULL)
          gst_object_unref (gst_object_ref_sink (chain[i]));
      return FALSE;
    }
  }
  return link_stream (pipeline, src, chain, mux, "video_%u");
}

/* Raw audio is encoded; compressed audio goes as it is. */
static gboolean
add_audio (GstElement *pipeline, GstElement *src, GstCaps *caps,
           const HsWriterOptions *options, GstElement *mux, GError **error)
{
  GstElement *chain[2] = { NULL };

  if (gst_structure_has_name (gst_caps_get_structure (caps, 0),
          "audio/x-raw")) {
    chain[0] = hs_variant_make_audio_encoder (options->audio_encoder, error);
    if (chain[0] == NULL)
      return FALSE;
  }
  return link_stream (pipeline, src, chain, mux, "audio_%u");
}

HsWriter *
hs_writer_new (const char *location, GstCaps *caps,
               const HsWriterOptions *options, GMainContext *context,
               HsWriterDoneFunc done, gpointer user_data, GError **error)
{
  g_autoptr(GstElement) pipeline = NULL;
  g_autoptr(GstBus) bus = NULL;
  GstElement *src, *audio_src = NULL, *mux, *sink;
  HsWriter *self;

  g_return_val_if_fail (error == NULL || *error == NULL, NULL);
  ensure_debug ();

  pipeline = gst_object_ref_sink (gst_pipeline_new ("hs-record"));
  mux = hs_packages_make_element (hs_container_muxer (options->container),
      "mux", error);
  if (mux == NULL)
    return NULL;
  gst_bin_add (GST_BIN (pipeline), mux);
  sink = hs_packages_make_element ("filesink", "sink", error);
  if (sink == NULL)
    return NULL;
  gst_bin_add (GST_BIN (pipeline), sink);
  src = add_appsrc (pipeline, "src", caps, error);
  if (src == NULL || !add_video (pipeline, src, caps, options, mux, error))
    return NULL;
  if (options->audio_caps != NULL) {
    audio_src = add_appsrc (pipeline, "audio", options->audio_caps, error);
    if (audio_src == NULL || !add_audio (pipeline, audio_src,
            options->audio_caps, options, mux, error))
      return NULL;
  }
  if (!gst_element_link (mux, sink)) {
    g_set_error (error, HS_ERROR, HS_ERROR_NOT_NEGOTIATED,
        "Cannot link the record pipeline for '%s'", location);
    return NULL;
  }

  if (options->container == HS_CONTAINER_MP4)
    /* Fragmented: a file cut short plays up to its last fragment. */
    g_object_set (mux, "fragment-duration", FRAGMENT_MS, NULL);
  if (options->date != NULL)
    set_date (mux, options->date);
  /* Unbuffered: what the muxer wrote is in the kernel at once, so a process
   * killed mid-recording leaves a file that plays up to the last frame
   * encoded, not up to the last 64 KB flushed (seconds at low bitrates). */
  g_object_set (sink, "location", location, "sync", FALSE, "async", FALSE,
      "buffer-mode", 2 /* unbuffered */, NULL);

  self = g_new0 (HsWriter, 1);
  self->pipeline = g_steal_pointer (&pipeline);
  self->appsrc = src;
  self->audio_src = audio_src;
  self->caps = gst_caps_ref (caps);
  self->location = g_strdup (location);
  self->done = done;
  self->user_data = user_data;

  bus = gst_element_get_bus (self->pipeline);
  self->bus_source = gst_bus_create_watch (bus);
  g_source_set_callback (self->bus_source, G_SOURCE_FUNC (on_bus_message),
      self, NULL);
  g_source_attach (self->bus_source, context);

  if (gst_element_set_state (self->pipeline, GST_STATE_PLAYING) ==
      GST_STATE_CHANGE_FAILURE) {
    g_autoptr(GstMessage) message =
        gst_bus_pop_filtered (bus, GST_MESSAGE_ERROR);

    if (message != NULL) {
      g_autoptr(GError) gst_error = error_from_message (self, message);
      g_propagate_error (error, g_steal_pointer (&gst_error));
    } else {
      g_set_error (error, HS_ERROR, HS_ERROR_CANNOT_WRITE,
          "Cannot start the record pipeline for '%s'", location);
    }
    self->closed = TRUE;
    hs_writer_free (self);
    return NULL;
  }
  GST_DEBUG ("writing %s", location);
  dump_graph (self);
  return self;
}

static void
push_list (GstElement *appsrc, GstBufferList **list, gsize *bytes)
{
  if (*list == NULL)
    return;
  gst_app_src_push_buffer_list (GST_APP_SRC (appsrc),
      g_steal_pointer (list));
  *bytes = 0;
}

/* Adds @buffer to *@list, handing the list to @appsrc first if it would
 * grow past LIST_BYTES. */
static void
add_to_list (GstElement *appsrc, GstBufferList **list, gsize *bytes,
             GstBuffer *buffer)
{
  gsize size = gst_buffer_get_size (buffer);

  if (*list != NULL && *bytes + size > LIST_BYTES)
    push_list (appsrc, list, bytes);
  if (*list == NULL)
    *list = gst_buffer_list_new ();
  gst_buffer_list_add (*list, buffer);
  *bytes += size;
}

void
hs_writer_push (HsWriter *self, GstBuffer *buffer)
{
  if (self->finished || self->closed) {
    gst_buffer_unref (buffer);
    return;
  }
  add_to_list (self->appsrc, &self->pending, &self->pending_bytes, buffer);
}

void
hs_writer_push_audio (HsWriter *self, GstBuffer *buffer, GstCaps *caps)
{
  g_autoptr(GstCaps) current = NULL;

  if (self->audio_src == NULL || self->audio_ended || self->finished ||
      self->closed) {
    gst_buffer_unref (buffer);
    return;
  }
  /* New caps (a new rate, say) go in order: what was pushed first. */
  current = gst_app_src_get_caps (GST_APP_SRC (self->audio_src));
  if (current != NULL && caps != NULL && !gst_caps_is_equal (current, caps)) {
    hs_writer_flush (self);
    gst_app_src_set_caps (GST_APP_SRC (self->audio_src), caps);
  }
  add_to_list (self->audio_src, &self->pending_audio,
      &self->pending_audio_bytes, buffer);
}

gboolean
hs_writer_has_audio (HsWriter *self)
{
  return self->audio_src != NULL;
}

void
hs_writer_flush (HsWriter *self)
{
  push_list (self->appsrc, &self->pending, &self->pending_bytes);
  push_list (self->audio_src, &self->pending_audio,
      &self->pending_audio_bytes);
}

void
hs_writer_end_audio (HsWriter *self)
{
  if (self->audio_src == NULL || self->audio_ended)
    return;
  hs_writer_flush (self);
  self->audio_ended = TRUE;
  gst_app_src_end_of_stream (GST_APP_SRC (self->audio_src));
}

void
hs_writer_finish (HsWriter *self)
{
  if (self->finished)
    return;
  hs_writer_end_audio (self);
  hs_writer_flush (self);
  self->finished = TRUE;
  gst_app_src_end_of_stream (GST_APP_SRC (self->appsrc));
}

gboolean
hs_writer_close_sync (HsWriter *self, GstClockTime timeout)
{
  g_autoptr(GstBus) bus = gst_element_get_bus (self->pipeline);
  g_autoptr(GstMessage) message = NULL;
  gboolean clean;

  if (self->closed)
    return TRUE;
  hs_writer_finish (self);
  message = gst_bus_timed_pop_filtered (bus, timeout,
      GST_MESSAGE_EOS | GST_MESSAGE_ERROR);
  clean = message != NULL && GST_MESSAGE_TYPE (message) == GST_MESSAGE_EOS;
  self->closed = TRUE;
  gst_element_set_state (self->pipeline, GST_STATE_NULL);
  if (!clean)
    GST_WARNING ("%s did not close within %" GST_TIME_FORMAT, self->location,
        GST_TIME_ARGS (timeout));
  return clean;
}

GstCaps *
hs_writer_get_caps (HsWriter *self)
{
  return self->caps;
}

const char *
hs_writer_get_location (HsWriter *self)
{
  return self->location;
}

guint64
hs_writer_get_bytes (HsWriter *self)
{
  GStatBuf st;

  if (g_stat (self->location, &st) != 0)
    return 0;
  return st.st_size;
}

void
hs_writer_free (HsWriter *self)
{
  if (self == NULL)
    return;
  if (self->bus_source != NULL) {
    g_source_destroy (self->bus_source);
    g_source_unref (self->bus_source);
  }
  gst_element_set_state (self->pipeline, GST_STATE_NULL);
  gst_object_unref (self->pipeline);
  gst_clear_buffer_list (&self->pending);
  gst_clear_buffer_list (&self->pending_audio);
  gst_caps_unref (self->caps);
  g_free (self->location);
  g_free (self);
}
