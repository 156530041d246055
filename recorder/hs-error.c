/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include "hs-error.h"

/**
 * hs_error_quark:
 *
 * Returns: the quark of %HS_ERROR
 *
 * Since: 0.1
 */
G_DEFINE_QUARK (hs-error-quark, hs_error)

/**
 * hs_pipeline_error_quark:
 *
 * Returns: the quark of %HS_PIPELINE_ERROR
 *
 * Since: 0.1
 */
G_DEFINE_QUARK (hs-pipeline-error-quark, hs_pipeline_error)

G_DEFINE_ENUM_TYPE (HsError, hs_error,
    G_DEFINE_ENUM_VALUE (HS_ERROR_NO_SUCH_TEE, "no-such-tee"),
    G_DEFINE_ENUM_VALUE (HS_ERROR_MISSING_ELEMENT, "missing-element"),
    G_DEFINE_ENUM_VALUE (HS_ERROR_NOT_NEGOTIATED, "not-negotiated"),
    G_DEFINE_ENUM_VALUE (HS_ERROR_CANNOT_WRITE, "cannot-write"),
    G_DEFINE_ENUM_VALUE (HS_ERROR_INVALID_ARGUMENT, "invalid-argument"),
    G_DEFINE_ENUM_VALUE (HS_ERROR_NO_FRAMES, "no-frames"),
    G_DEFINE_ENUM_VALUE (HS_ERROR_SOURCE, "source"),
    G_DEFINE_ENUM_VALUE (HS_ERROR_ENCODE, "encode"))

G_DEFINE_ENUM_TYPE (HsPipelineError, hs_pipeline_error,
    G_DEFINE_ENUM_VALUE (HS_PIPELINE_ERROR_DESCRIPTION, "description"),
    G_DEFINE_ENUM_VALUE (HS_PIPELINE_ERROR_STATE, "state"),
    G_DEFINE_ENUM_VALUE (HS_PIPELINE_ERROR_STREAM, "stream"),
    G_DEFINE_ENUM_VALUE (HS_PIPELINE_ERROR_FORCED, "forced"),
    G_DEFINE_ENUM_VALUE (HS_PIPELINE_ERROR_RUNNING, "running"))
