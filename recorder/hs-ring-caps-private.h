/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <gst/gst.h>

G_BEGIN_DECLS

/* The answer of a ring branch to a caps query from its tee, whose other
 * branches asked for @filter (NULL: nothing asked). The branch never
 * narrows what the tee negotiates, so it offers all of @filter, with two
 * steerings that cost the source nothing:
 * - structures that ask for a meta caps feature (timeoverlay's
 *   meta:GstVideoOverlayComposition) are left out unless nothing else is
 *   offered, so that an overlay is drawn into the frames instead of riding
 *   along as metadata that no branch of the tee could convert;
 * - a source still free to choose is steered to I420 or NV12 (cheap to
 *   convert, 1.5 bytes a pixel) within each structure, keeping the memory
 *   order upstream gave (NVMM before system memory); a tee that already
 *   carries @current caps keeps them, so that attaching to a playing
 *   pipeline never makes the source switch formats under every branch. */
GstCaps *hs_ring_caps_answer (GstCaps *filter,
                              GstCaps *current);

G_END_DECLS
