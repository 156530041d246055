/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "hs-pipeline.h"
#include "hs-recorder.h"

G_BEGIN_DECLS

/* Every recorder attached to a pipeline registers there, so that a runner
 * can wait for their files on a graceful stop. Any thread. */
void       hs_pipeline_register_recorder   (GstElement *pipeline,
                                            HsRecorder *recorder);
void       hs_pipeline_unregister_recorder (GstElement *pipeline,
                                            HsRecorder *recorder);

/* New references to the recorders attached to @pipeline. */
GPtrArray *hs_pipeline_list_recorders      (GstElement *pipeline);

G_END_DECLS
