/* hindsight: record the seconds before an event
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#if !defined(__HINDSIGHT_H_INSIDE__) && !defined(BUILDING_HINDSIGHT)
#error "Only <hindsight.h> can be included directly."
#endif

#include <glib.h>

#if defined(BUILDING_HINDSIGHT)
#  define HS_API __attribute__ ((visibility ("default"))) extern
#else
#  define HS_API extern
#endif
