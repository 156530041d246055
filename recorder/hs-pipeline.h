/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "hs-prelude.h"

#include <gio/gio.h>
#include <gst/gst.h>

G_BEGIN_DECLS

#define HS_TYPE_PIPELINE (hs_pipeline_get_type ())

HS_API
G_DECLARE_FINAL_TYPE (HsPipeline, hs_pipeline, HS, PIPELINE, GObject)

/**
 * HS_PIPELINE_DEFAULT_FORCE_TIMEOUT:
 *
 * Seconds a graceful stop waits for open files before it is forced.
 *
 * Since: 0.1
 */
#define HS_PIPELINE_DEFAULT_FORCE_TIMEOUT 8.0

HS_API
HsPipeline *hs_pipeline_new               (const char     *description,
                                           GError        **error);

HS_API
HsPipeline *hs_pipeline_new_for_pipeline  (GstElement     *pipeline);

HS_API
GstElement *hs_pipeline_get_pipeline      (HsPipeline     *self);

HS_API
gboolean    hs_pipeline_run               (HsPipeline     *self,
                                           GError        **error);

HS_API
gboolean    hs_pipeline_start             (HsPipeline     *self,
                                           GError        **error);

HS_API
gboolean    hs_pipeline_wait              (HsPipeline     *self,
                                           GError        **error);

HS_API
void        hs_pipeline_stop              (HsPipeline     *self);

HS_API
void        hs_pipeline_stop_async        (HsPipeline          *self,
                                           GCancellable        *cancellable,
                                           GAsyncReadyCallback  callback,
                                           gpointer             user_data);

HS_API
gboolean    hs_pipeline_stop_finish       (HsPipeline     *self,
                                           GAsyncResult   *result,
                                           GError        **error);

HS_API
gboolean    hs_pipeline_get_running       (HsPipeline     *self);

HS_API
double      hs_pipeline_get_force_timeout (HsPipeline     *self);

HS_API
void        hs_pipeline_set_force_timeout (HsPipeline     *self,
                                           double          seconds);

G_END_DECLS
