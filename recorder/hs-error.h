/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "hs-prelude.h"

#include <glib-object.h>

G_BEGIN_DECLS

/**
 * HS_ERROR:
 *
 * Error domain of the recorder: tees, elements, windows and files.
 * Errors in this domain come from the #HsError enumeration.
 *
 * Since: 0.1
 */
#define HS_ERROR (hs_error_quark ())

/**
 * HsError:
 * @HS_ERROR_NO_SUCH_TEE: the pipeline has no tee of that name; the message
 *   lists the tees that exist.
 * @HS_ERROR_MISSING_ELEMENT: an element the recorder needs is not installed;
 *   the message names the element and the package that provides it.
 * @HS_ERROR_NOT_NEGOTIATED: the tee's caps cannot be converted to what the
 *   record pipeline needs (for example, the tee does not carry video).
 * @HS_ERROR_CANNOT_WRITE: the recording's file could not be created or
 *   written (permission, missing folder, disk full).
 * @HS_ERROR_INVALID_ARGUMENT: a value is out of range or malformed
 *   (negative window, bad location template).
 * @HS_ERROR_NO_FRAMES: the window held no frame, so no file was written.
 * @HS_ERROR_SOURCE: the source failed or stopped before the window ended;
 *   the file holds what arrived and is closed properly.
 * @HS_ERROR_ENCODE: the record pipeline failed while encoding or muxing.
 *
 * Error codes of %HS_ERROR.
 *
 * Since: 0.1
 */
typedef enum {
  HS_ERROR_NO_SUCH_TEE,
  HS_ERROR_MISSING_ELEMENT,
  HS_ERROR_NOT_NEGOTIATED,
  HS_ERROR_CANNOT_WRITE,
  HS_ERROR_INVALID_ARGUMENT,
  HS_ERROR_NO_FRAMES,
  HS_ERROR_SOURCE,
  HS_ERROR_ENCODE,
} HsError;

/**
 * HS_PIPELINE_ERROR:
 *
 * Error domain of #HsPipeline: building and running a pipeline.
 *
 * Since: 0.1
 */
#define HS_PIPELINE_ERROR (hs_pipeline_error_quark ())

/**
 * HsPipelineError:
 * @HS_PIPELINE_ERROR_DESCRIPTION: the pipeline description does not parse or
 *   names an element that does not exist.
 * @HS_PIPELINE_ERROR_STATE: the pipeline refused to change state.
 * @HS_PIPELINE_ERROR_STREAM: an element posted an error on the bus while
 *   the pipeline ran; the message carries the element and its debug text.
 * @HS_PIPELINE_ERROR_FORCED: a graceful stop took longer than
 *   #HsPipeline:force-timeout and was forced; open files may be incomplete.
 * @HS_PIPELINE_ERROR_RUNNING: the operation needs a pipeline that is not
 *   running (or one that is).
 *
 * Error codes of %HS_PIPELINE_ERROR.
 *
 * Since: 0.1
 */
typedef enum {
  HS_PIPELINE_ERROR_DESCRIPTION,
  HS_PIPELINE_ERROR_STATE,
  HS_PIPELINE_ERROR_STREAM,
  HS_PIPELINE_ERROR_FORCED,
  HS_PIPELINE_ERROR_RUNNING,
} HsPipelineError;

HS_API
GQuark hs_error_quark (void);

HS_API
GQuark hs_pipeline_error_quark (void);

/* Registered enums, so that bindings see the error domains by name. */
HS_API
GType hs_error_get_type (void);
#define HS_TYPE_ERROR (hs_error_get_type ())

HS_API
GType hs_pipeline_error_get_type (void);
#define HS_TYPE_PIPELINE_ERROR (hs_pipeline_error_get_type ())

G_END_DECLS
