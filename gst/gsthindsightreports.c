/* What the hindsightrecorder element's recorder reports, as element
 * messages on the bus: a structure of the HsRecording's fields, and a
 * warning for a recording that failed.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#include "gsthindsightrecorder-private.h"

#define GST_CAT_DEFAULT gst_hindsight_recorder_debug

/* What is known of @recording when it starts: where and when. */
static GstStructure *
describe_start (HsRecording *recording, const char *name)
{
  GDateTime *date = hs_recording_get_date (recording);
  GstStructure *s = gst_structure_new (name,
      "location", G_TYPE_STRING, hs_recording_get_location (recording),
      "source", G_TYPE_STRING, hs_recording_get_source (recording),
      "index", G_TYPE_UINT, hs_recording_get_index (recording),
      "requested-start", G_TYPE_INT64,
      hs_recording_get_requested_start (recording),
      NULL);

  if (date != NULL) {
    g_autoptr(GstDateTime) d =
        gst_date_time_new_from_g_date_time (g_date_time_ref (date));

    gst_structure_set (s, "date", GST_TYPE_DATE_TIME, d, NULL);
  }
  return s;
}

/* And what the closed file holds. */
static GstStructure *
describe_finish (HsRecording *recording, const char *name)
{
  GstStructure *s = describe_start (recording, name);
  const GError *error = hs_recording_get_error (recording);

  gst_structure_set (s,
      "start-time", G_TYPE_UINT64, hs_recording_get_start_time (recording),
      "end-time", G_TYPE_UINT64, hs_recording_get_end_time (recording),
      "duration", G_TYPE_UINT64, hs_recording_get_duration (recording),
      "shortfall", G_TYPE_UINT64, hs_recording_get_shortfall (recording),
      "n-frames", G_TYPE_UINT64, hs_recording_get_n_frames (recording),
      "n-dropped", G_TYPE_UINT64, hs_recording_get_n_dropped (recording),
      "bytes", G_TYPE_UINT64, hs_recording_get_bytes (recording),
      "n-audio-frames", G_TYPE_UINT64,
      hs_recording_get_n_audio_frames (recording),
      "audio-codec", G_TYPE_STRING, hs_recording_get_audio_codec (recording),
      "error", G_TYPE_STRING, error ? error->message : NULL,
      NULL);
  return s;
}

void
gst_hindsight_recorder_post_report (GstHindsightRecorder *self,
                                    HsRecording          *recording,
                                    gboolean              finished)
{
  GstObject *src = GST_OBJECT (self);
  const GError *error = hs_recording_get_error (recording);
  const char *location = hs_recording_get_location (recording);
  g_autofree char *debug = NULL;
  g_autoptr(GError) copy = NULL;

  gst_element_post_message (GST_ELEMENT (self), gst_message_new_element (src,
          finished ?
          describe_finish (recording, "hindsight-recording-finished") :
          describe_start (recording, "hindsight-recording-started")));
  if (!finished || error == NULL)
    return;

  /* A recording failed; the pipeline goes on. */
  debug = g_strdup_printf ("recording %s of %s",
      location ? location : "(no file)", GST_OBJECT_NAME (self));
  copy = g_error_copy (error);
  gst_element_post_message (GST_ELEMENT (self),
      gst_message_new_warning (src, copy, debug));
}
