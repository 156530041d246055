/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <gst/gst.h>

G_BEGIN_DECLS

/* Whether an error posted by @culprit concerns what flows into @element:
 * @culprit is @element, is inside it or holds it, or is upstream of it
 * (through ghost pads, bins and every sink pad on the way). An error in
 * another branch of the pipeline is not. */
gboolean hs_error_origin_is_upstream (GstElement *element,
                                      GstObject  *culprit);

G_END_DECLS
