/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <gio/gio.h>
#include <gst/gst.h>

#include "hs-recording.h"
#include "hs-ring-buffer-private.h"
#include "hs-writer-private.h"

G_BEGIN_DECLS

/* One file being written: its record pipeline, the HsRecording that will
 * report it, and the record_async() tasks that wait for it to close. Main
 * context only. */
typedef struct _HsFileJob HsFileJob;

/* The record pipeline is done: @job is closed (hs_file_job_get_error()
 * tells whether cleanly). */
typedef void (*HsFileJobDoneFunc) (HsFileJob *job,
                                   gpointer   user_data);

/* Opens @location (reserved already) for frames of @caps. */
HsFileJob   *hs_file_job_new           (HsRecording            *recording,
                                        const char             *location,
                                        GstCaps                *caps,
                                        const HsWriterOptions  *options,
                                        GMainContext           *context,
                                        HsFileJobDoneFunc       done,
                                        gpointer                user_data,
                                        GError                **error);
void         hs_file_job_free          (HsFileJob              *job);

/* Whether frames of @caps go into this file without a new one. */
gboolean     hs_file_job_takes_caps    (HsFileJob              *job,
                                        GstCaps                *caps);

/* Writes a frame of the ring. Its time stays the source's running time,
 * or becomes the time since the file's first frame with @rebase; encoded
 * frames (@keep_dts) keep their decode order. Frames the branch dropped
 * just before it count into the file's n-dropped. */
void         hs_file_job_write         (HsFileJob              *job,
                                        const HsRingEntry      *entry,
                                        gboolean                rebase,
                                        gboolean                keep_dts);

/* The sound of a file (hs-pump.c fills it): the audio whose running time
 * falls from the file's first frame to the end of its last one. While the
 * video goes on the end is not final: more audio may follow. */
gboolean     hs_file_job_wants_audio   (HsFileJob              *job);
GstClockTime hs_file_job_get_audio_from (HsFileJob             *job);
GstClockTime hs_file_job_get_audio_until (HsFileJob            *job,
                                        gboolean               *final);
void         hs_file_job_write_audio   (HsFileJob              *job,
                                        const HsRingEntry      *entry,
                                        gboolean                rebase,
                                        const char             *codec);

/* The sound is complete (or ends here, for the reason @error gives): once
 * the video is done too, the file is finished. */
void         hs_file_job_end_audio     (HsFileJob              *job,
                                        const GError           *error);

/* Hands the frames written since the last flush to the record pipeline. */
void         hs_file_job_flush         (HsFileJob              *job);

/* Ends the file's video (with @error, if the window failed); once its sound
 * is complete too, @done follows when the record pipeline has drained. */
void         hs_file_job_finish        (HsFileJob              *job,
                                        const GError           *error);

/* Finishes and waits up to @timeout without the main context; @done is not
 * called. */
void         hs_file_job_close_sync    (HsFileJob              *job,
                                        GstClockTime            timeout);

gboolean     hs_file_job_is_closed     (HsFileJob              *job);
HsRecording *hs_file_job_get_recording (HsFileJob              *job);
guint64      hs_file_job_get_bytes     (HsFileJob              *job);

/* The error the file ended with, or NULL. */
const GError *hs_file_job_get_error    (HsFileJob              *job);

/* The record_async() tasks waiting for this file. */
GList      **hs_file_job_get_waiters   (HsFileJob              *job);

/* Waiters: record_async() tasks, each with the time of its trigger. A
 * waiter joins the file of the window its trigger opened or extended. */
void         hs_waiter_set_trigger     (GTask                  *task,
                                        GstClockTime            time);

/* Takes out of *@waiters those whose trigger is at or before @trigger. */
GList       *hs_waiters_take_until     (GList                 **waiters,
                                        GstClockTime            trigger);

/* Removes @task from *@waiters; FALSE if it was not there. */
gboolean     hs_waiters_remove         (GList                 **waiters,
                                        GTask                  *task);

/* Completes every waiter with @recording (or its error) and frees the list. */
void         hs_waiters_complete       (GList                  *waiters,
                                        HsRecording            *recording);

/* Fails every waiter with @error and frees the list. */
void         hs_waiters_fail           (GList                  *waiters,
                                        const GError           *error);

G_END_DECLS
