/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <gst/gst.h>

#include "hs-recorder.h"

G_BEGIN_DECLS

/* Which container a file goes into, and which codecs each can hold. Pure:
 * names and tables, no element is made here. */

/* "webm", "mkv" or "mp4" (the location's %{ext}). */
const char  *hs_container_extension    (HsContainer  container);

/* The muxer: webmmux, matroskamux or mp4mux. */
const char  *hs_container_muxer        (HsContainer  container);

/* The container a location template asks for by its literal extension
 * (".webm", ".mkv", ".mp4"), or HS_CONTAINER_AUTO. */
HsContainer  hs_container_from_location (const char  *location);

/* Whether @container can hold video of caps name @codec ("video/x-h264"). */
gboolean     hs_container_holds        (HsContainer  container,
                                        const char  *codec);

/* The container for a file of @codec with sound of @audio_codec (NULL:
 * none): @setting if it is not auto, else the location's extension, else
 * by codec (WebM for VP8, VP9 and AV1 with Opus or Vorbis or no sound,
 * Matroska for the rest; WebM for NULL, an unknown encoder's output). An
 * error (HS_ERROR_NOT_NEGOTIATED) names the containers that can hold
 * @codec when the one chosen cannot; whether the sound fits is
 * hs_container_check_audio()'s. */
HsContainer  hs_container_choose       (HsContainer  setting,
                                        const char  *location,
                                        const char  *codec,
                                        const char  *audio_codec,
                                        GError     **error);

/* Whether @container can hold audio of caps name @codec. */
gboolean     hs_container_holds_audio  (HsContainer  container,
                                        const char  *codec);

/* The same as an error (HS_ERROR_NOT_NEGOTIATED) naming the containers
 * that can; TRUE for NULL (no audio). */
gboolean     hs_container_check_audio  (HsContainer  container,
                                        const char  *codec,
                                        GError     **error);

/* A short name of a caps name for messages: "H.264", "Opus". */
const char  *hs_container_codec_name   (const char  *codec);

G_END_DECLS
