/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <gst/gst.h>

G_BEGIN_DECLS

#define GST_TYPE_HINDSIGHT_RECORDER (gst_hindsight_recorder_get_type ())
G_DECLARE_FINAL_TYPE (GstHindsightRecorder, gst_hindsight_recorder, GST,
    HINDSIGHT_RECORDER, GstBin)

GST_ELEMENT_REGISTER_DECLARE (hindsightrecorder);

G_END_DECLS
