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

typedef enum {
  HS_RING_CAPS_RAW,             /* raw video, or anything else a converter
                                 * may take */
  HS_RING_CAPS_COMPRESSED,      /* video passthrough records as it is */
  HS_RING_CAPS_UNPARSED,        /* such video without the fields a muxer needs */
} HsRingCapsKind;

/* What the tee carries, by the first structure of @caps; for UNPARSED,
 * *@fix says what to put before the tee ("h264parse"). */
HsRingCapsKind hs_ring_caps_kind   (GstCaps     *caps,
                                    const char **fix);

/* The parser that turns H.264 or H.265 into what every container takes
 * (avc or hvc1, codec data in the caps, so that each file starts on its
 * own), with the caps it must output; NULL for a stream that is so already
 * and for other codecs, which go as they are. */
const char    *hs_ring_caps_parser (GstCaps     *caps,
                                    const char **output);

/* The caps for messages: the structure's name and a memory feature other
 * than system memory ("video/x-raw(memory:NVMM)"). */
char          *hs_ring_caps_describe (GstCaps   *caps);

/* For GPU memory the ring could not take, " (... needs ELEMENT from
 * PACKAGE)"; else "". */
const char    *hs_ring_caps_memory_hint (GstCaps *caps);

/* Whether an audio ring takes @caps: raw audio (encoded when a file is
 * written) or compressed audio a container can hold as it is. NULL if so,
 * with *@parser and *@output set where the stream needs a parser on the way
 * (AAC in ADTS becomes raw AAC with codec data); else why not. */
char          *hs_ring_caps_check_audio (GstCaps     *caps,
                                         const char **parser,
                                         const char **output);

G_END_DECLS
