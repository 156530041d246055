/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "hs-prelude.h"

#include <gst/gst.h>

G_BEGIN_DECLS

#define HS_TYPE_RECORDING (hs_recording_get_type ())

HS_API
G_DECLARE_FINAL_TYPE (HsRecording, hs_recording, HS, RECORDING, GObject)

HS_API
const char   *hs_recording_get_location        (HsRecording *self);

HS_API
const char   *hs_recording_get_source          (HsRecording *self);

HS_API
GstClockTime  hs_recording_get_start_time      (HsRecording *self);

HS_API
GstClockTime  hs_recording_get_end_time        (HsRecording *self);

HS_API
GstClockTime  hs_recording_get_duration        (HsRecording *self);

HS_API
gint64        hs_recording_get_requested_start (HsRecording *self);

HS_API
GstClockTime  hs_recording_get_shortfall       (HsRecording *self);

HS_API
guint64       hs_recording_get_n_frames        (HsRecording *self);

HS_API
guint64       hs_recording_get_n_dropped       (HsRecording *self);

HS_API
guint64       hs_recording_get_n_audio_frames  (HsRecording *self);

HS_API
const char   *hs_recording_get_audio_codec     (HsRecording *self);

HS_API
guint64       hs_recording_get_bytes           (HsRecording *self);

HS_API
guint         hs_recording_get_index           (HsRecording *self);

HS_API
GDateTime    *hs_recording_get_date            (HsRecording *self);

HS_API
gboolean      hs_recording_is_finished         (HsRecording *self);

HS_API
const GError *hs_recording_get_error           (HsRecording *self);

G_END_DECLS
