/* hindsight: record the seconds before an event
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#define __HINDSIGHT_H_INSIDE__

#include "hs-prelude.h"
#include "hs-error.h"
#include "hs-ring-buffer.h"
#include "hs-recording.h"
#include "hs-recorder.h"
#include "hs-multi-recorder.h"
#include "hs-tee.h"
#include "hs-pipeline.h"

#undef __HINDSIGHT_H_INSIDE__
