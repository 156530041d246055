/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include "hs-file-job-private.h"

#include "hs-error.h"
#include "hs-recording-private.h"

struct _HsFileJob
{
  HsWriter *writer;
  HsRecording *recording;
  GList *waiters;               /* GTask */
  GstClockTime first;           /* running time of the first frame */
  GstClockTime video_end;       /* end of the last frame written */
  gboolean video_done;          /* no more frames: finished once the sound
                                 * is */
  gboolean audio;               /* a sound track still to be filled */
  gboolean closed;
  guint64 bytes;
  GError *error;
  HsFileJobDoneFunc done;
  gpointer user_data;
};

static void
on_writer_done (HsWriter *writer, const GError *error, gpointer user_data)
{
  HsFileJob *job = user_data;
  const GError *recording_error = hs_recording_get_error (job->recording);

  job->closed = TRUE;
  job->bytes = hs_writer_get_bytes (writer);
  if (error != NULL || recording_error != NULL)
    job->error = g_error_copy (error ? error : recording_error);
  job->done (job, job->user_data);
}

HsFileJob *
hs_file_job_new (HsRecording *recording, const char *location, GstCaps *caps,
                 const HsWriterOptions *options, GMainContext *context,
                 HsFileJobDoneFunc done, gpointer user_data, GError **error)
{
  HsFileJob *job = g_new0 (HsFileJob, 1);

  job->recording = g_object_ref (recording);
  job->first = GST_CLOCK_TIME_NONE;
  job->video_end = 0;
  job->audio = options->audio_caps != NULL;
  job->done = done;
  job->user_data = user_data;
  job->writer = hs_writer_new (location, caps, options, context,
      on_writer_done, job, error);
  if (job->writer == NULL) {
    hs_file_job_free (job);
    return NULL;
  }
  return job;
}

void
hs_file_job_free (HsFileJob *job)
{
  hs_writer_free (job->writer);
  g_clear_object (&job->recording);
  g_clear_error (&job->error);
  g_list_free (job->waiters);
  g_free (job);
}

gboolean
hs_file_job_takes_caps (HsFileJob *job, GstCaps *caps)
{
  GstCaps *file_caps = hs_writer_get_caps (job->writer);

  return caps == file_caps || gst_caps_is_equal (caps, file_caps);
}

/* The time of @time in the file. */
static GstClockTime
file_time (HsFileJob *job, GstClockTime time, gboolean rebase)
{
  return rebase ? time - job->first : time;
}

static GstBuffer *
restamp (HsFileJob *job, const HsRingEntry *e, gboolean rebase,
         gboolean keep_dts)
{
  GstBuffer *buffer = gst_buffer_copy (gst_sample_get_buffer (e->sample));
  GstClockTime pts = GST_BUFFER_PTS (buffer);
  GstClockTime dts = GST_BUFFER_DTS (buffer);

  GST_BUFFER_PTS (buffer) = file_time (job, e->time, rebase);
  /* Encoded frames keep their decode order; raw frames have none. */
  if (keep_dts && dts != GST_CLOCK_TIME_NONE && dts <= pts &&
      pts - dts <= GST_BUFFER_PTS (buffer))
    GST_BUFFER_DTS (buffer) = GST_BUFFER_PTS (buffer) - (pts - dts);
  else
    GST_BUFFER_DTS (buffer) = GST_CLOCK_TIME_NONE;
  return buffer;
}

void
hs_file_job_write (HsFileJob *job, const HsRingEntry *entry, gboolean rebase,
                   gboolean keep_dts)
{
  /* Frames the branch's queue dropped between two frames of this file are
   * part of its span: reported, never silently missing. */
  if (job->first == GST_CLOCK_TIME_NONE)
    job->first = entry->time;
  else
    hs_recording_add_dropped (job->recording, entry->dropped_before);
  hs_recording_add_frame (job->recording, entry->time, entry->duration);
  if (GST_CLOCK_TIME_IS_VALID (entry->duration))
    job->video_end = MAX (job->video_end, entry->time + entry->duration);
  else
    job->video_end = MAX (job->video_end, entry->time + 1);
  hs_writer_push (job->writer, restamp (job, entry, rebase, keep_dts));
}

gboolean
hs_file_job_wants_audio (HsFileJob *job)
{
  return job->audio && job->first != GST_CLOCK_TIME_NONE;
}

GstClockTime
hs_file_job_get_audio_from (HsFileJob *job)
{
  return job->first;
}

GstClockTime
hs_file_job_get_audio_until (HsFileJob *job, gboolean *final)
{
  *final = job->video_done;
  return job->video_end;
}

void
hs_file_job_write_audio (HsFileJob *job, const HsRingEntry *entry,
                         gboolean rebase, const char *codec)
{
  GstBuffer *buffer = gst_buffer_copy (gst_sample_get_buffer (entry->sample));

  /* Sound keeps its time against the video's; raw audio has no decode
   * order, compressed audio decodes in the order it comes. */
  GST_BUFFER_PTS (buffer) = file_time (job, entry->time, rebase);
  GST_BUFFER_DTS (buffer) = GST_CLOCK_TIME_NONE;
  hs_recording_add_audio (job->recording, codec);
  hs_writer_push_audio (job->writer, buffer, gst_sample_get_caps (
          entry->sample));
}

void
hs_file_job_end_audio (HsFileJob *job, const GError *error)
{
  if (!job->audio)
    return;
  job->audio = FALSE;
  if (error != NULL && hs_recording_get_error (job->recording) == NULL)
    hs_recording_set_error (job->recording, error);
  hs_writer_end_audio (job->writer);
  if (job->video_done)
    hs_writer_finish (job->writer);
}

void
hs_file_job_flush (HsFileJob *job)
{
  hs_writer_flush (job->writer);
}

void
hs_file_job_finish (HsFileJob *job, const GError *error)
{
  if (error != NULL)
    hs_recording_set_error (job->recording, error);
  job->video_done = TRUE;
  /* A sound track still being filled holds the file open. */
  if (!job->audio)
    hs_writer_finish (job->writer);
}

void
hs_file_job_close_sync (HsFileJob *job, GstClockTime timeout)
{
  const GError *recording_error = hs_recording_get_error (job->recording);

  if (job->closed)
    return;
  job->closed = TRUE;
  if (!hs_writer_close_sync (job->writer, timeout))
    job->error = g_error_new (HS_ERROR, HS_ERROR_ENCODE,
        "'%s' did not close in time", hs_writer_get_location (job->writer));
  else if (recording_error != NULL)
    job->error = g_error_copy (recording_error);
  job->bytes = hs_writer_get_bytes (job->writer);
}

gboolean
hs_file_job_is_closed (HsFileJob *job)
{
  return job->closed;
}

HsRecording *
hs_file_job_get_recording (HsFileJob *job)
{
  return job->recording;
}

guint64
hs_file_job_get_bytes (HsFileJob *job)
{
  return job->bytes;
}

const GError *
hs_file_job_get_error (HsFileJob *job)
{
  return job->error;
}

GList **
hs_file_job_get_waiters (HsFileJob *job)
{
  return &job->waiters;
}

/* ------------------------------------------------------------------------ */
/* Waiters                                                                  */

static GQuark
trigger_quark (void)
{
  return g_quark_from_static_string ("hs-waiter-trigger-time");
}

static GstClockTime
trigger_of (GTask *task)
{
  GstClockTime *time = g_object_get_qdata (G_OBJECT (task), trigger_quark ());

  return time != NULL ? *time : 0;
}

void
hs_waiter_set_trigger (GTask *task, GstClockTime time)
{
  g_object_set_qdata_full (G_OBJECT (task), trigger_quark (),
      g_memdup2 (&time, sizeof time), g_free);
}

GList *
hs_waiters_take_until (GList **waiters, GstClockTime trigger)
{
  GList *taken = NULL;
  GList *l = *waiters;

  while (l != NULL) {
    GList *next = l->next;

    if (trigger_of (l->data) <= trigger) {
      *waiters = g_list_remove_link (*waiters, l);
      taken = g_list_concat (taken, l);
    }
    l = next;
  }
  return taken;
}

gboolean
hs_waiters_remove (GList **waiters, GTask *task)
{
  GList *link = g_list_find (*waiters, task);

  if (link == NULL)
    return FALSE;
  *waiters = g_list_delete_link (*waiters, link);
  return TRUE;
}

/* The task leaves the recorder: its cancellation no longer concerns it. */
static void
waiter_done (GTask *task)
{
  GSource *cancel = g_task_get_task_data (task);

  if (cancel != NULL)
    g_source_destroy (cancel);
}

void
hs_waiters_complete (GList *waiters, HsRecording *recording)
{
  const GError *error = hs_recording_get_error (recording);

  if (error != NULL) {
    hs_waiters_fail (waiters, error);
    return;
  }
  for (GList *l = waiters; l != NULL; l = l->next) {
    waiter_done (l->data);
    g_task_return_pointer (l->data, g_object_ref (recording), g_object_unref);
    g_object_unref (l->data);
  }
  g_list_free (waiters);
}

void
hs_waiters_fail (GList *waiters, const GError *error)
{
  for (GList *l = waiters; l != NULL; l = l->next) {
    waiter_done (l->data);
    g_task_return_error (l->data, g_error_copy (error));
    g_object_unref (l->data);
  }
  g_list_free (waiters);
}
