/* Decoding the sound of a written file, and finding audiotestsrc's ticks
 * in it.
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#include "hs-test-util.h"

#include <gst/app/app.h>
#include <string.h>

static GstPadProbeReturn
on_audio_demuxed (GstPad *pad, GstPadProbeInfo *pinfo, gpointer user_data)
{
  HsTestAudioInfo *info = user_data;
  g_autoptr(GstCaps) caps = gst_pad_get_current_caps (pad);

  if (caps != NULL)
    info->codec =
        g_strdup (gst_structure_get_name (gst_caps_get_structure (caps, 0)));
  return GST_PAD_PROBE_REMOVE;
}

static void
on_demux_pad (GstElement *demux, GstPad *pad, gpointer user_data)
{
  GstElement *decodebin = user_data;
  g_autoptr(GstPad) sinkpad = gst_element_get_static_pad (decodebin, "sink");
  g_autofree char *name = gst_pad_get_name (pad);

  if (!g_str_has_prefix (name, "audio") || gst_pad_is_linked (sinkpad))
    return;
  gst_pad_add_probe (pad, GST_PAD_PROBE_TYPE_BUFFER, on_audio_demuxed,
      g_object_get_data (G_OBJECT (demux), "info"), NULL);
  gst_pad_link (pad, sinkpad);
}

static void
on_decoded_pad (GstElement *decodebin, GstPad *pad, gpointer user_data)
{
  GstElement *convert = user_data;
  g_autoptr(GstPad) sinkpad = gst_element_get_static_pad (convert, "sink");

  if (!gst_pad_is_linked (sinkpad))
    gst_pad_link (pad, sinkpad);
}

/* The demuxer signals no-more-pads: a file without sound has nothing to
 * wait for. */
static void
on_no_more_pads (GstElement *demux, gpointer user_data)
{
  GstElement *decodebin = user_data;
  g_autoptr(GstPad) sinkpad = gst_element_get_static_pad (decodebin, "sink");

  if (!gst_pad_is_linked (sinkpad))
    gst_element_post_message (demux, gst_message_new_application (
            GST_OBJECT (demux), gst_structure_new_empty ("no-sound")));
}

/* Counts the samples of @buffer (S16LE, @channels interleaved) into @info
 * and finds the ticks in its first channel. */
static void
add_buffer (HsTestAudioInfo *info, GstBuffer *buffer, int channels)
{
  GstMapInfo map;
  GstClockTime pts = GST_BUFFER_PTS (buffer);
  guint n;

  gst_buffer_map (buffer, &map, GST_MAP_READ);
  n = map.size / (2 * channels);
  if (info->n_samples == 0)
    info->first_pts = pts;
  else if (pts > info->end)
    info->max_hole = MAX (info->max_hole, pts - info->end);
  else
    info->max_overlap = MAX (info->max_overlap, info->end - pts);
  hs_test_ticks_feed (info->ticks, (const gint16 *) map.data, n, channels,
      info->rate, pts);
  gst_buffer_unmap (buffer, &map);
  info->n_samples += n;
  info->n_buffers++;
  info->end = pts + gst_util_uint64_scale (n, GST_SECOND, info->rate);
}

static gboolean
decode (const char *path, GstElement *pipeline, GstElement *sink,
        HsTestAudioInfo *info, GError **error)
{
  g_autoptr(GstBus) bus = gst_element_get_bus (pipeline);
  g_autoptr(GstMessage) message = NULL;
  GstMessageType stop = GST_MESSAGE_ERROR | GST_MESSAGE_APPLICATION;
  gint64 deadline = g_get_monotonic_time () + 30 * G_USEC_PER_SEC;

  for (;;) {
    g_autoptr(GstSample) sample = NULL;
    GstStructure *s;
    int channels = 1;

    message = gst_bus_pop_filtered (bus, stop);
    if (message != NULL)
      break;
    sample = gst_app_sink_try_pull_sample (GST_APP_SINK (sink),
        100 * GST_MSECOND);
    if (sample == NULL) {
      if (gst_app_sink_is_eos (GST_APP_SINK (sink)))
        break;
      if (g_get_monotonic_time () > deadline) {
        g_set_error (error, GST_STREAM_ERROR, GST_STREAM_ERROR_DECODE,
            "%s: decoding the sound did not end within 30 s", path);
        return FALSE;
      }
      continue;
    }
    s = gst_caps_get_structure (gst_sample_get_caps (sample), 0);
    gst_structure_get_int (s, "channels", &channels);
    gst_structure_get_int (s, "rate", &info->rate);
    add_buffer (info, gst_sample_get_buffer (sample), channels);
  }
  if (message != NULL && GST_MESSAGE_TYPE (message) == GST_MESSAGE_ERROR) {
    g_autoptr(GError) gst_error = NULL;

    gst_message_parse_error (message, &gst_error, NULL);
    g_set_error (error, gst_error->domain, gst_error->code, "%s: %s", path,
        gst_error->message);
    return FALSE;
  }
  /* No sound: codec stays NULL, nothing decoded. */
  return TRUE;
}

gboolean
hs_test_probe_audio (const char *path, HsTestAudioInfo *info, GError **error)
{
  g_autoptr(GstElement) pipeline = NULL;
  GstElement *src, *demux, *decodebin, *convert, *filter, *sink;
  gboolean ok;

  memset (info, 0, sizeof *info);
  info->ticks = hs_test_ticks_new ();
  info->first_pts = GST_CLOCK_TIME_NONE;
  info->end = GST_CLOCK_TIME_NONE;

  pipeline = gst_object_ref_sink (gst_pipeline_new (NULL));
  src = gst_element_factory_make ("filesrc", NULL);
  demux = gst_element_factory_make (g_str_has_suffix (path, ".mp4") ?
      "qtdemux" : "matroskademux", NULL);
  decodebin = gst_element_factory_make ("decodebin", NULL);
  convert = gst_element_factory_make ("audioconvert", NULL);
  filter = gst_element_factory_make ("capsfilter", NULL);
  sink = gst_element_factory_make ("appsink", NULL);
  g_assert_nonnull (sink);
  g_object_set (src, "location", path, NULL);
  g_object_set (filter, "caps", gst_caps_from_string (
          "audio/x-raw,format=S16LE,layout=interleaved"), NULL);
  g_object_set (sink, "sync", FALSE, "max-buffers", 0, NULL);
  gst_bin_add_many (GST_BIN (pipeline), src, demux, decodebin, convert,
      filter, sink, NULL);
  gst_element_link (src, demux);
  gst_element_link_many (convert, filter, sink, NULL);
  g_object_set_data (G_OBJECT (demux), "info", info);
  g_signal_connect (demux, "pad-added", G_CALLBACK (on_demux_pad), decodebin);
  g_signal_connect (demux, "no-more-pads", G_CALLBACK (on_no_more_pads),
      decodebin);
  g_signal_connect (decodebin, "pad-added", G_CALLBACK (on_decoded_pad),
      convert);

  if (gst_element_set_state (pipeline, GST_STATE_PLAYING) ==
      GST_STATE_CHANGE_FAILURE) {
    g_set_error (error, GST_CORE_ERROR, GST_CORE_ERROR_STATE_CHANGE,
        "%s: cannot start the decoder", path);
    return FALSE;
  }
  ok = decode (path, pipeline, sink, info, error);
  gst_element_set_state (pipeline, GST_STATE_NULL);
  return ok;
}

void
hs_test_audio_info_clear (HsTestAudioInfo *info)
{
  g_clear_pointer (&info->ticks, hs_test_ticks_free);
  g_clear_pointer (&info->codec, g_free);
}

HsTestTicks *
hs_test_ticks_new (void)
{
  HsTestTicks *ticks = g_new0 (HsTestTicks, 1);

  ticks->at = g_array_new (FALSE, FALSE, sizeof (GstClockTime));
  return ticks;
}

void
hs_test_ticks_free (HsTestTicks *ticks)
{
  g_array_unref (ticks->at);
  g_free (ticks);
}

/* A tick is a short burst of sine after silence: its onset is the first
 * loud sample after at least 10 ms of quiet (so a sound that starts in the
 * middle of a tick does not count it). */
void
hs_test_ticks_feed (HsTestTicks *ticks, const gint16 *samples, guint n,
                    int channels, int rate, GstClockTime pts)
{
  guint quiet_needed = rate / 100;

  for (guint i = 0; i < n; i++) {
    gint16 sample = GINT16_FROM_LE (samples[i * channels]);

    if (ABS (sample) < 2000) {
      if (ticks->quiet < G_MAXUINT)
        ticks->quiet++;
      continue;
    }
    if (ticks->quiet >= quiet_needed) {
      GstClockTime at = pts + gst_util_uint64_scale (i, GST_SECOND, rate);

      g_array_append_val (ticks->at, at);
    }
    ticks->quiet = 0;
  }
}

GstClockTime
hs_test_ticks_max_distance (const HsTestTicks *ticks,
                            const HsTestTicks *reference, GstClockTime shift)
{
  GstClockTime worst = 0;

  for (guint i = 0; i < ticks->at->len; i++) {
    GstClockTime at = g_array_index (ticks->at, GstClockTime, i) + shift;
    GstClockTime nearest = GST_CLOCK_TIME_NONE;

    for (guint j = 0; j < reference->at->len; j++) {
      GstClockTimeDiff d = GST_CLOCK_DIFF (at,
          g_array_index (reference->at, GstClockTime, j));

      nearest = MIN (nearest, (GstClockTime) ABS (d));
    }
    worst = MAX (worst, nearest);
  }
  return worst;
}

/* ------------------------------------------------------------------------ */
/* Ticks heard on a pad                                                     */

typedef struct {
  GMutex lock;
  HsTestTicks *ticks;
} Heard;

static void
heard_free (gpointer data)
{
  Heard *heard = data;

  hs_test_ticks_free (heard->ticks);
  g_mutex_clear (&heard->lock);
  g_free (heard);
}

static GstPadProbeReturn
on_heard (GstPad *pad, GstPadProbeInfo *info, gpointer user_data)
{
  Heard *heard = user_data;
  GstBuffer *buffer = GST_PAD_PROBE_INFO_BUFFER (info);
  g_autoptr(GstCaps) caps = gst_pad_get_current_caps (pad);
  GstStructure *s = caps ? gst_caps_get_structure (caps, 0) : NULL;
  int rate = 0, channels = 1;
  GstMapInfo map;

  if (s == NULL || !gst_structure_get_int (s, "rate", &rate) ||
      !g_str_equal (gst_structure_get_string (s, "format"), "S16LE"))
    g_error ("ticks are heard in S16LE, not %" GST_PTR_FORMAT, caps);
  gst_structure_get_int (s, "channels", &channels);
  gst_buffer_map (buffer, &map, GST_MAP_READ);
  g_mutex_lock (&heard->lock);
  hs_test_ticks_feed (heard->ticks, (const gint16 *) map.data,
      map.size / (2 * channels), channels, rate, GST_BUFFER_PTS (buffer));
  g_mutex_unlock (&heard->lock);
  gst_buffer_unmap (buffer, &map);
  return GST_PAD_PROBE_OK;
}

void
hs_test_ticks_watch (GstPad *pad)
{
  Heard *heard = g_new0 (Heard, 1);

  g_mutex_init (&heard->lock);
  heard->ticks = hs_test_ticks_new ();
  g_object_set_data_full (G_OBJECT (pad), "hs-test-heard", heard, heard_free);
  gst_pad_add_probe (pad, GST_PAD_PROBE_TYPE_BUFFER, on_heard, heard, NULL);
}

HsTestTicks *
hs_test_ticks_heard (GstPad *pad)
{
  Heard *heard = g_object_get_data (G_OBJECT (pad), "hs-test-heard");
  HsTestTicks *copy = hs_test_ticks_new ();

  g_assert_nonnull (heard);
  g_mutex_lock (&heard->lock);
  g_array_append_vals (copy->at, heard->ticks->at->data,
      heard->ticks->at->len);
  g_mutex_unlock (&heard->lock);
  return copy;
}
