/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <gst/gst.h>

#include "hs-recorder.h"

G_BEGIN_DECLS

/* A recorder hosted by an element: the hindsightrecorder element (gst/)
 * keeps the ring branch inside itself, fed by its own sink pad, instead of
 * on a tee. The same recorder otherwise: same ring, pump, timeline and
 * files. Exported for that plugin only; not part of the API. */

/* Makes a recorder called @source (its name in locations and recordings)
 * whose ring branch is left for @host to place: hs_recorder_get_branch_bin()
 * gives it. @host stands in for the pipeline: its clock and base time give
 * the running time, so it must be in the pipeline (or be it). @names and
 * @values are settings of hs_settings_make_pspecs(), construct-only ones
 * included. Decisions and signals run on the thread-default main context,
 * as with hs_recorder_new(). The recorder holds a reference to @host. */
HS_API
HsRecorder *hs_recorder_new_hosted     (GstElement    *host,
                                        const char    *source,
                                        guint          n_settings,
                                        const char    *names[],
                                        const GValue   values[],
                                        GError       **error);

/* The ring branch's bin, with one "sink" pad: @host adds it, links or
 * ghosts its pad, and takes it out again (after setting it to NULL) before
 * dropping the recorder. Transfer none. */
HS_API
GstElement *hs_recorder_get_branch_bin (HsRecorder    *self);

/* With the setting audio-source (here only the sound's name in messages),
 * the sound's ring branch, one "sink" pad, placed like the video's; else
 * NULL. Transfer none. */
HS_API
GstElement *hs_recorder_get_audio_branch_bin (HsRecorder *self);

/* Errors on @bus (the top-level pipeline's) from elements upstream of the
 * branches end their windows (or the sound), as errors upstream of a tee
 * do. Once, from the main context, before the pipeline plays. */
HS_API
void        hs_recorder_watch_bus      (HsRecorder    *self,
                                        GstBus        *bus);

G_END_DECLS
