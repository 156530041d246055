/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <gst/gst.h>

G_BEGIN_DECLS

/* The Debian package (or SDK) that provides a GStreamer element, or NULL. */
const char *hs_packages_for_element   (const char  *factory);

/* Whether @factory is installed; if not, an HS_ERROR_MISSING_ELEMENT that
 * names the element and where to get it. */
gboolean    hs_packages_check_element (const char  *factory,
                                       GError     **error);

/* gst_element_factory_make() with an HS_ERROR_MISSING_ELEMENT that names the
 * element and where to get it. Returns a floating reference. */
GstElement *hs_packages_make_element  (const char  *factory,
                                       const char  *name,
                                       GError     **error);

G_END_DECLS
