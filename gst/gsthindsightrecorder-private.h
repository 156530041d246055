/* The hindsightrecorder element's parts, shared by its files:
 * gsthindsightrecorder.c (the element: properties, pads, states, EOS),
 * gsthindsighttriggers.c (triggers and stops, from wherever they come, run
 * on the element's thread) and gsthindsightreports.c (what the recorder
 * reports, as element messages). Not installed.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "gsthindsightrecorder.h"

#include <hindsight.h>

#include "hs-settings-private.h"

G_BEGIN_DECLS

GST_DEBUG_CATEGORY_EXTERN (gst_hindsight_recorder_debug);

struct _GstHindsightRecorder
{
  GstBin parent_instance;

  GstPad *video_pad;            /* always; a ghost of the branch's sink pad */

  GMutex lock;
  /* Under lock: the properties. settings[HS_SETTING_AUDIO_SOURCE] stays
   * NULL: the audio pad stands for it. */
  GValue settings[HS_N_SETTINGS];
  GValue trigger_times;         /* GST_TYPE_ARRAY of seconds */
  char *trigger_message;
  /* Under lock: the request pad "audio", or NULL. */
  GstPad *audio_pad;
  /* Under lock: TRUE from the start (READY→PAUSED) to the stop (PAUSED→
   * READY): no audio pad is added or taken away meanwhile. */
  gboolean started;
  /* Under lock: the running session, from READY→PAUSED to PAUSED→READY.
   * It changes only there, and only once the context's thread has
   * stopped, so that thread may use it after reading it under the lock. */
  HsRecorder *recorder;
  GMainContext *context;
  gboolean recorder_busy;       /* as last notified by the recorder */
  guint pending;                /* triggers given to the context, not run */
  guint64 n_sent;               /* requests given to the context */
  guint64 n_ran;                /* of those, the last that has run */
  GCond ran;                    /* n_ran moved, or the context went */
  GArray *queued;               /* GstClockTime (NONE: now): triggers made
                                 * while stopped, for the next start */
  GstMessage *held_eos;
  /* Under lock, set and cleared with the session: the recorder's ring
   * branch, our child, and the sound's (with the audio pad). */
  GstElement *branch;
  GstElement *audio_branch;

  /* Set and cleared by state changes. */
  GThread *thread;
  gint quit;                    /* atomic: the context's thread ends */
  GstBus *bus;                  /* the top-level pipeline's */
  gulong message_handler;

  /* The video pad's streaming thread. */
  GstSegment segment;
  GstClockTime last_running_time; /* of the newest buffer */
};

/* gsthindsightrecorder.c */

/* The busy property may have changed. */
void gst_hindsight_recorder_notify_busy       (GstHindsightRecorder *self);
/* Passes the held EOS on, if any: every file is closed. */
void gst_hindsight_recorder_release_eos       (GstHindsightRecorder *self);

/* gsthindsighttriggers.c */

/* With the lock held and the element started, requests for the context's
 * thread, run in the order sent; never here and now, so that no callback
 * of the recorder can come back into the lock. EOS: pass the held EOS on
 * once the recorder is idle. SET: the setting @name is now @value. */
void     gst_hindsight_recorder_request_eos_locked (GstHindsightRecorder *self);
void     gst_hindsight_recorder_request_set_locked (GstHindsightRecorder *self,
                                                    const char   *name,
                                                    const GValue *value);

/* A trigger at @time (NONE: now) from any thread; while stopped it waits
 * for the next start. With @in_stream (the video pad's streaming thread)
 * it returns once the recorder has taken it. */
void     gst_hindsight_recorder_trigger       (GstHindsightRecorder *self,
                                               GstClockTime          time,
                                               gboolean              in_stream);
void     gst_hindsight_recorder_stop          (GstHindsightRecorder *self);

/* At the start: the triggers made while stopped and those of
 * trigger-times, to @recorder at once (on the caller's thread). */
void     gst_hindsight_recorder_give_early_triggers (
    GstHindsightRecorder *self,
    HsRecorder           *recorder);
/* The property trigger-times. */
void     gst_hindsight_recorder_set_trigger_times (GstHindsightRecorder *self,
                                                   const GValue *value);

/* Trigger events and the times of frames on the video pad (a probe). */
GstPadProbeReturn gst_hindsight_recorder_on_video_data (GstPad          *pad,
                                                        GstPadProbeInfo *info,
                                                        gpointer         self);
/* A trigger event sent to the element: TRUE if it was one (and is taken). */
gboolean gst_hindsight_recorder_take_trigger_event (GstHindsightRecorder *self,
                                                    GstEvent *event);
/* Element messages on the pipeline's bus (a sync handler). */
void     gst_hindsight_recorder_on_element_message (GstBus     *bus,
                                                    GstMessage *message,
                                                    gpointer    self);

/* gsthindsightreports.c */

/* Posts the element message hindsight-recording-started or (@finished)
 * hindsight-recording-finished for @recording, and for a failed one a
 * warning. */
void gst_hindsight_recorder_post_report (GstHindsightRecorder *self,
                                         HsRecording          *recording,
                                         gboolean              finished);

G_END_DECLS
