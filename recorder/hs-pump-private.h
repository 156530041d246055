/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <gio/gio.h>
#include <gst/gst.h>

#include "hs-audio-feed-private.h"
#include "hs-recording.h"
#include "hs-ring-branch-private.h"
#include "hs-ring-buffer.h"
#include "hs-timeline-private.h"
#include "hs-writer-private.h"

G_BEGIN_DECLS

/* The main-context side of a recorder: it offers the ring's frames to the
 * timeline (hs-timeline.c) and carries out what it answers: files opened,
 * written and closed (hs-file-job.c), record_async() tasks completed, the
 * ring held and the branch told whether to wake it. It decides nothing
 * itself and emits no signal: it reports through HsPumpCallbacks, which the
 * recorder turns into signals. Main context only. */
typedef struct _HsPump HsPump;

typedef struct {
  /* a file was opened */
  void   (*started)      (HsRecording *recording,
                          gpointer     user_data);
  /* a file was closed, or a window failed; in the order they closed */
  void   (*finished)     (HsRecording *recording,
                          gpointer     user_data);
  /* hs_pump_is_busy() may have changed */
  void   (*busy_changed) (gpointer     user_data);
  /* the container of a new file of @codec (NULL: unknown) with sound of
   * @audio_codec (NULL: none) and its path (reserved), or NULL with
   * @error */
  char * (*location)     (HsRecording *recording,
                          const char  *codec,
                          const char  *audio_codec,
                          HsContainer *container,
                          gpointer     user_data,
                          GError     **error);
} HsPumpCallbacks;

/* The recorder's settings the pump follows. What the mode implies (files
 * starting on keyframes, remuxing) follows the mode the ring branch
 * decided. */
typedef struct {
  GstClockTime       pre;
  GstClockTime       post;
  GstClockTime       max_duration;
  const char        *encoder;   /* copied */
  HsEncoderSettings  encoding;
  gboolean           rebase_timestamps;
  const char        *audio_encoder; /* copied */
} HsPumpSettings;

HsPump       *hs_pump_new              (const char             *source,
                                        GstElement             *pipeline,
                                        HsRingBuffer           *ring,
                                        GMainContext           *context,
                                        const HsPumpCallbacks  *callbacks,
                                        gpointer                user_data);
void          hs_pump_free             (HsPump                 *self);

/* What the ring branch makes ready (from any thread) to have the pump
 * look at the ring. */
GSource      *hs_pump_get_wakeup       (HsPump                 *self);

/* The sound of the files (taken), set once before the first trigger. */
void          hs_pump_set_audio        (HsPump                 *self,
                                        HsAudioFeed            *audio);

/* The branch that feeds the ring (a reference is taken), set once before
 * the first trigger; it stays after a detach. */
void          hs_pump_set_branch       (HsPump                 *self,
                                        HsRingBranch           *branch);

void          hs_pump_set_settings     (HsPump                 *self,
                                        const HsPumpSettings   *settings);

/* A trigger at @time (NONE: now); @task, if any, completes when the file
 * it goes into is closed (a reference is taken). */
void          hs_pump_trigger          (HsPump                 *self,
                                        GstClockTime            time,
                                        GTask                  *task);

/* Ends the open window and forgets the triggers still to come. */
void          hs_pump_stop             (HsPump                 *self);

/* Does what can be done now; called when the branch wakes the recorder,
 * on a tick while a window is open, and after every change. */
void          hs_pump_run              (HsPump                 *self);

/* Stops waiting for @task (cancelled): it completes with
 * G_IO_ERROR_CANCELLED. */
void          hs_pump_forget_waiter    (HsPump                 *self,
                                        GTask                  *task);

/* Stops, closes every file without the main context (waiting up to a few
 * seconds each), and reports them. */
void          hs_pump_close_all_sync   (HsPump                 *self);

gboolean      hs_pump_is_busy          (HsPump                 *self);

/* Whether a callback of this pump is running: a trigger or stop made from
 * one must wait until it returns. */
gboolean      hs_pump_is_running       (HsPump                 *self);

/* The running time of "now": the clock's for a live source, the newest
 * frame's otherwise; NONE before the first frame. */
GstClockTime  hs_pump_get_running_time (HsPump                 *self);

G_END_DECLS
