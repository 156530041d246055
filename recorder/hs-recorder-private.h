/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "hs-recorder.h"

G_BEGIN_DECLS

/* The recorders attached to @pipeline (new references), so that the runner
 * can wait for their files on a graceful stop. */
GPtrArray *hs_recorder_list_for_pipeline (GstElement *pipeline);

G_END_DECLS
