/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "hs-prelude.h"

#include <gst/gst.h>

G_BEGIN_DECLS

HS_API
GStrv       hs_tee_list         (GstElement         *pipeline);

HS_API
GstElement *hs_tee_find         (GstElement         *pipeline,
                                 const char         *name,
                                 GError            **error);

HS_API
gboolean    hs_tee_is_pattern   (const char         *text);

HS_API
gboolean    hs_tee_name_matches (const char         *pattern,
                                 const char         *name);

HS_API
GStrv       hs_tee_choose       (GstElement         *pipeline,
                                 const char * const *patterns,
                                 GError            **error);

HS_API
char       *hs_tee_pair         (const char         *pattern,
                                 const char         *name,
                                 const char         *other_pattern);

G_END_DECLS
