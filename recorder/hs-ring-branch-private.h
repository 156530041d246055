/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <gst/gst.h>

#include "hs-recorder.h"
#include "hs-ring-buffer.h"
#include "hs-variant-private.h"

G_BEGIN_DECLS

/* The ring branch of one source: a bin with a "sink" ghost pad, linked to a
 * request pad of the tee:
 *   raw:         queue ! CONVERTER ! capsfilter(I420) ! appsink
 *   encoded:     queue ! CONVERTER ! capsfilter(I420) ! ENCODER ! appsink
 *   passthrough: queue [! h264parse/h265parse ! capsfilter(avc/hvc1)] ! appsink
 * Mode auto starts as raw and becomes passthrough at the first caps if they
 * are compressed video. An audio branch is queue [! aacparse] ! appsink. Everything
 * that runs in the source's streaming threads lives here: frames into the
 * ring (copied when they come from a bounded pool), liveness, drops,
 * caps checks and steering, the ring's encoder in encoded mode, and errors
 * upstream of the tee. The main side reads it through
 * hs_ring_branch_get_status(), a snapshot, and is woken through the
 * GSource it gave on EOS, errors and refused caps, and on each frame of a
 * source that is not live while it is interested (a live source's frames
 * it takes in batches, on its own tick, but for those that end a file:
 * hs_ring_branch_set_wake_at()).
 *
 * Reference counted: the recorder holds one reference, a detach in progress
 * and the bus handler one each. The branch's elements call into it without
 * one: it is freed only after a detach has stopped them (or if they never
 * ran). */
typedef struct _HsRingBranch HsRingBranch;

typedef struct {
  const char        *source;    /* the tee's name, for messages */
  const char        *converter; /* see hs_variant_make_converter() */
  HsRecorderMode     mode;
  gboolean           audio;     /* an audio tee: raw or compressed audio as
                                 * it is, no converter */
  const char        *encoder;   /* encoded mode: see hs_variant_make_encoder() */
  HsEncoderSettings  settings;
  HsCopyFrames       copy_frames;
  HsRingBuffer      *ring;      /* frames go here (a reference is taken) */
  GSource           *wakeup;    /* made ready when the main side should look
                                 * (a reference is taken) */
} HsRingBranchConfig;

/* What the main side needs to know of the source, at one moment. */
typedef struct {
  HsRecorderMode mode;          /* as the caps decided; AUTO before them */
  gboolean  live;
  gboolean  eos;
  char     *source_error;       /* "element: message" of the first error
                                 * upstream of the tee, or NULL */
  char     *source_warning;     /* the same of the first warning */
  gboolean  drained;            /* the frames that entered the branch before
                                 * that error have reached the ring (or they
                                 * had a second to) */
  char     *refusal;            /* what the tee carries and why the branch
                                 * cannot take it, once data (or EOS) came
                                 * under those caps; else NULL */
  gint64    last_arrival_us;    /* monotonic time of the newest frame */
  guint64   n_arrived;          /* frames into the ring (each one's wake-up
                                 * decided) */
} HsRingBranchStatus;

HsRingBranch *hs_ring_branch_new        (const HsRingBranchConfig *config,
                                         GError                  **error);
HsRingBranch *hs_ring_branch_ref        (HsRingBranch             *self);
void          hs_ring_branch_unref      (HsRingBranch             *self);

/* Adds the branch next to @tee, running, and links it to a new request pad
 * of the tee. Main context. */
gboolean      hs_ring_branch_attach     (HsRingBranch             *self,
                                         GstElement               *tee,
                                         GError                  **error);

/* Errors on @bus (the pipeline's) from upstream of the branch are noted
 * from then on. Once; main context. */
void          hs_ring_branch_watch_bus  (HsRingBranch             *self,
                                         GstBus                   *bus);

/* The bin (whoever places a branch that is not attached to a tee adds it
 * and removes it). */
GstElement   *hs_ring_branch_get_bin    (HsRingBranch             *self);

/* Unlinks the branch as soon as no buffer is in flight on the tee pad, then
 * removes it from the pipeline on @context. The ring gets nothing after
 * this returns. */
void          hs_ring_branch_detach     (HsRingBranch             *self,
                                         GMainContext             *context);

void          hs_ring_branch_get_status (HsRingBranch             *self,
                                         HsRingBranchStatus       *status);
void          hs_ring_branch_status_clear (HsRingBranchStatus     *status);

gboolean      hs_ring_branch_is_live    (HsRingBranch             *self);

/* Whether the main side wants to hear of each frame (a window is open or
 * a trigger waits); only a source that is not live wakes it for them. */
void          hs_ring_branch_set_interested (HsRingBranch         *self,
                                             gboolean              interested);

/* While interested, a live source's frame at or past @time, or keyframe
 * at or past @keyframe_time, wakes the main side as it arrives (NONE:
 * none): what ends a file is acted on at once, not with the next batch. */
void          hs_ring_branch_set_wake_at (HsRingBranch            *self,
                                          GstClockTime             time,
                                          GstClockTime             keyframe_time);

void          hs_ring_branch_set_copy_frames (HsRingBranch        *self,
                                              HsCopyFrames         copy);

/* Encoded mode: asks the ring's encoder for a keyframe at @time. */
void          hs_ring_branch_request_keyframe (HsRingBranch       *self,
                                               GstClockTime        time);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (HsRingBranch, hs_ring_branch_unref)
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (HsRingBranchStatus,
    hs_ring_branch_status_clear)

G_END_DECLS
