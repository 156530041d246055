/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "hs-prelude.h"

#include <gio/gio.h>
#include <gst/gst.h>

#include "hs-recording.h"
#include "hs-ring-buffer.h"

G_BEGIN_DECLS

#define HS_TYPE_RECORDER (hs_recorder_get_type ())

HS_API
G_DECLARE_FINAL_TYPE (HsRecorder, hs_recorder, HS, RECORDER, GObject)

/**
 * HS_RECORDER_DEFAULT_LOCATION:
 *
 * The location template used when #HsRecorder:location is not set.
 *
 * Since: 0.1
 */
#define HS_RECORDER_DEFAULT_LOCATION "recordings/%{source}-%Y%m%d-%H%M%S.%{ext}"

/**
 * HsCopyFrames:
 * @HS_COPY_FRAMES_AUTO: copy only frames that come from a buffer pool with a
 *   maximum size (cameras, hardware decoders), so holding them cannot starve
 *   the pool; reference all others.
 * @HS_COPY_FRAMES_ALWAYS: copy every frame into system memory.
 * @HS_COPY_FRAMES_NEVER: always hold references.
 *
 * Whether the ring holds references to the tee's frames or copies of them.
 *
 * Since: 0.1
 */
typedef enum {
  HS_COPY_FRAMES_AUTO,
  HS_COPY_FRAMES_ALWAYS,
  HS_COPY_FRAMES_NEVER,
} HsCopyFrames;

HS_API
GType hs_copy_frames_get_type (void);
#define HS_TYPE_COPY_FRAMES (hs_copy_frames_get_type ())

/**
 * HsRecorderMode:
 * @HS_RECORDER_MODE_RAW: the ring holds decoded frames and a recording
 *   encodes them: frame-exact, memory grows with resolution.
 * @HS_RECORDER_MODE_ENCODED: the ring branch encodes continuously (a keyframe
 *   every #HsRecorder:keyframe-interval, default 1 s) and a recording remuxes
 *   from the keyframe at or before the window's start: a fraction of the
 *   memory, no encoding per recording, starts up to one keyframe interval
 *   early (never late).
 * @HS_RECORDER_MODE_PASSTHROUGH: the tee carries compressed video (H.264,
 *   H.265, VP8, VP9 or AV1, parsed): the ring holds its access units as they
 *   are and a recording remuxes them from the keyframe at or before the
 *   window's start. No decoder and no encoder anywhere. Since: 0.2
 * @HS_RECORDER_MODE_AUTO: passthrough for a tee of compressed video, raw for
 *   a tee of raw video; decided by the tee's first caps. Since: 0.2
 *
 * What the ring holds.
 *
 * Since: 0.1
 */
typedef enum {
  HS_RECORDER_MODE_RAW,
  HS_RECORDER_MODE_ENCODED,
  HS_RECORDER_MODE_PASSTHROUGH,
  HS_RECORDER_MODE_AUTO,
} HsRecorderMode;

HS_API
GType hs_recorder_mode_get_type (void);
#define HS_TYPE_RECORDER_MODE (hs_recorder_mode_get_type ())

/**
 * HsContainer:
 * @HS_CONTAINER_AUTO: from the location's extension (`.webm`, `.mkv`,
 *   `.mp4`), else by codec: WebM for VP8, VP9 and AV1, Matroska otherwise.
 * @HS_CONTAINER_WEBM: WebM (`.webm`): VP8, VP9, AV1.
 * @HS_CONTAINER_MATROSKA: Matroska (`.mkv`): H.264, H.265, VP8, VP9, AV1.
 * @HS_CONTAINER_MP4: fragmented MP4 (`.mp4`): H.264, H.265, AV1, VP9. A
 *   file cut short (kill -9, power loss) plays up to its last fragment
 *   (fragments are 1 s long).
 *
 * What the files are written in. The location placeholder `%{ext}` gives
 * the extension of the container chosen.
 *
 * Since: 0.2
 */
typedef enum {
  HS_CONTAINER_AUTO,
  HS_CONTAINER_WEBM,
  HS_CONTAINER_MATROSKA,
  HS_CONTAINER_MP4,
} HsContainer;

HS_API
GType hs_container_get_type (void);
#define HS_TYPE_CONTAINER (hs_container_get_type ())

/**
 * HsLocationFunc:
 * @recorder: the recorder
 * @recording: the recording about to start; its source, index, start time
 *   and date are set
 * @user_data: the data given to [method@Hindsight.Recorder.set_location_func]
 *
 * Chooses the file name of a recording, in place of the location template.
 * Called on the recorder's main context. Folders in the returned path are
 * created; an existing file is never overwritten (a `-1`, `-2`, ... suffix is
 * added).
 *
 * Returns: (transfer full) (nullable): the path, or %NULL to use the template
 *
 * Since: 0.1
 */
typedef char *(*HsLocationFunc) (HsRecorder  *recorder,
                                 HsRecording *recording,
                                 gpointer     user_data);

HS_API
HsRecorder   *hs_recorder_new               (GstElement     *pipeline,
                                             const char     *tee_name,
                                             GError        **error);

HS_API
void          hs_recorder_trigger           (HsRecorder     *self);

HS_API
void          hs_recorder_trigger_at        (HsRecorder     *self,
                                             GstClockTime    running_time);

HS_API
void          hs_recorder_stop              (HsRecorder     *self);

HS_API
void          hs_recorder_detach            (HsRecorder     *self);

HS_API
void          hs_recorder_record_async      (HsRecorder          *self,
                                             GCancellable        *cancellable,
                                             GAsyncReadyCallback  callback,
                                             gpointer             user_data);

HS_API
HsRecording  *hs_recorder_record_finish     (HsRecorder     *self,
                                             GAsyncResult   *result,
                                             GError        **error);

HS_API
void          hs_recorder_set_location_func (HsRecorder     *self,
                                             HsLocationFunc  func,
                                             gpointer        user_data,
                                             GDestroyNotify  destroy);

HS_API
GstElement   *hs_recorder_get_pipeline      (HsRecorder     *self);

HS_API
const char   *hs_recorder_get_source        (HsRecorder     *self);

HS_API
double        hs_recorder_get_pre           (HsRecorder     *self);

HS_API
void          hs_recorder_set_pre           (HsRecorder     *self,
                                             double          pre);

HS_API
double        hs_recorder_get_post          (HsRecorder     *self);

HS_API
void          hs_recorder_set_post          (HsRecorder     *self,
                                             double          post);

HS_API
double        hs_recorder_get_max_duration  (HsRecorder     *self);

HS_API
void          hs_recorder_set_max_duration  (HsRecorder     *self,
                                             double          max_duration);

HS_API
const char   *hs_recorder_get_location      (HsRecorder     *self);

HS_API
void          hs_recorder_set_location      (HsRecorder     *self,
                                             const char     *location);

HS_API
gboolean      hs_recorder_get_busy          (HsRecorder     *self);

HS_API
GstClockTime  hs_recorder_get_running_time  (HsRecorder     *self);

HS_API
HsRingBuffer *hs_recorder_get_ring_buffer   (HsRecorder     *self);

G_END_DECLS
