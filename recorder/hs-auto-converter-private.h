/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <gst/gst.h>

G_BEGIN_DECLS

/* The `auto` converter, built before the tee's caps are known. It says it
 * takes whatever the installed converter variants take, and builds the
 * variant the caps' memory feature asks for when caps arrive (falling back
 * to cpu, with a log line, when that variant's elements are missing); a
 * change of memory type later (a decoder switching to hardware) swaps the
 * variant. */
#define HS_TYPE_AUTO_CONVERTER (hs_auto_converter_get_type ())
G_DECLARE_FINAL_TYPE (HsAutoConverter, hs_auto_converter, HS, AUTO_CONVERTER,
    GstBin)

GstElement *hs_auto_converter_new (void);

G_END_DECLS
