/* A fault-injecting element for the tests: a pass-through that, on cue,
 * fails, stalls or changes the frame size. Registered in-process as
 * "hsfault" by hs_test_fault_register(), so that gst_parse_launch()
 * descriptions can use it.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <gst/gst.h>

G_BEGIN_DECLS

#define HS_TEST_TYPE_FAULT (hs_test_fault_get_type ())
G_DECLARE_FINAL_TYPE (HsTestFault, hs_test_fault, HS_TEST, FAULT, GstElement)

/* Registers the element under the name "hsfault" (idempotent). */
gboolean hs_test_fault_register (void);

/* Whether the element's streaming thread is now held by a stall. */
gboolean hs_test_fault_is_stalled (HsTestFault *self);

/* Ends a stall: the held buffer and all later ones pass. */
void     hs_test_fault_release    (HsTestFault *self);

G_END_DECLS
