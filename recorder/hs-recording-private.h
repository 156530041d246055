/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "hs-recording.h"

G_BEGIN_DECLS

HsRecording *hs_recording_new (const char *source, guint index,
                               gint64 requested_start);

/* The recorder fills a recording while it is written; once
 * hs_recording_finish() has run it never changes again. */
void hs_recording_set_location (HsRecording *self, const char *location);
void hs_recording_set_date     (HsRecording *self, GDateTime *date);
void hs_recording_add_frame    (HsRecording *self, GstClockTime time,
                                GstClockTime duration);
void hs_recording_add_dropped  (HsRecording *self, guint64 n_dropped);
/* An audio buffer of caps name @codec (as the file holds it). */
void hs_recording_add_audio    (HsRecording *self, const char *codec);
void hs_recording_set_error    (HsRecording *self, const GError *error);
void hs_recording_finish       (HsRecording *self, guint64 bytes,
                                const GError *error);

G_END_DECLS
