/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "hs-prelude.h"

#include <gst/gst.h>

#include "hs-recorder.h"

G_BEGIN_DECLS

#define HS_TYPE_MULTI_RECORDER (hs_multi_recorder_get_type ())

HS_API
G_DECLARE_FINAL_TYPE (HsMultiRecorder, hs_multi_recorder, HS, MULTI_RECORDER, GObject)

HS_API
HsMultiRecorder *hs_multi_recorder_new              (GstElement         *pipeline,
                                                     const char         *pattern,
                                                     GError            **error);

HS_API
HsMultiRecorder *hs_multi_recorder_new_for_sources  (GstElement         *pipeline,
                                                     const char * const *sources,
                                                     GError            **error);

HS_API
gboolean         hs_multi_recorder_trigger          (HsMultiRecorder    *self,
                                                     const char         *source,
                                                     GError            **error);

HS_API
gboolean         hs_multi_recorder_trigger_at       (HsMultiRecorder    *self,
                                                     const char         *source,
                                                     GstClockTime        running_time,
                                                     GError            **error);

HS_API
void             hs_multi_recorder_trigger_all      (HsMultiRecorder    *self);

HS_API
void             hs_multi_recorder_stop             (HsMultiRecorder    *self);

HS_API
void             hs_multi_recorder_detach           (HsMultiRecorder    *self);

HS_API
HsRecorder      *hs_multi_recorder_get_recorder     (HsMultiRecorder    *self,
                                                     const char         *source);

HS_API
GStrv            hs_multi_recorder_dup_sources      (HsMultiRecorder    *self);

HS_API
gboolean         hs_multi_recorder_get_busy         (HsMultiRecorder    *self);

G_END_DECLS
