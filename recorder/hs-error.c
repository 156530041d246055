/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include "hs-error.h"

G_DEFINE_QUARK (hs-error-quark, hs_error)
G_DEFINE_QUARK (hs-pipeline-error-quark, hs_pipeline_error)
