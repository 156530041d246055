/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "hs-tee.h"

G_BEGIN_DECLS

/* "tees: a, b", or that the pipeline has none: for error messages. */
char *hs_tee_describe (GstElement *pipeline);

G_END_DECLS
