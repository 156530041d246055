/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <gst/gst.h>

#include "hs-file-job-private.h"
#include "hs-ring-branch-private.h"
#include "hs-ring-buffer.h"

G_BEGIN_DECLS

/* The sound of a recorder's files, from the ring of its audio tee. The
 * window is decided on the video; a file holds the audio whose running time
 * falls from its first frame to the end of its last one: audio before that
 * is dropped, never shifted. Files tile, so one cursor serves them all, the
 * oldest first. A source that ends, fails or stalls costs the sound, never
 * the video. Main context only. */
typedef struct _HsAudioFeed HsAudioFeed;

HsAudioFeed *hs_audio_feed_new       (const char     *source,
                                      HsRingBuffer   *ring);
void         hs_audio_feed_free      (HsAudioFeed    *self);

/* The branch that feeds the ring (a reference is taken), set once. */
void         hs_audio_feed_set_branch (HsAudioFeed   *self,
                                       HsRingBranch  *branch);

/* What raw audio is encoded with (copied): opus, vorbis or aac. */
void         hs_audio_feed_set_encoder (HsAudioFeed  *self,
                                        const char   *encoder);

/* The caps of the sound of a file whose first frame is at @from: those of
 * the first audio at or after it, else of the newest audio. NULL with
 * @error when the source has sent nothing or its caps are refused. */
GstCaps     *hs_audio_feed_caps_for  (HsAudioFeed    *self,
                                      GstClockTime    from,
                                      GError        **error);

/* The caps name the file holds for sound of @caps: the encoder's for raw
 * audio, @caps' own otherwise. */
const char  *hs_audio_feed_file_codec (HsAudioFeed   *self,
                                       GstCaps       *caps);

/* Whether a file opening now can know its sound: the source has sent
 * some, or ended, failed or refused its caps, or @waited_us of waiting for
 * its first buffer is enough (a second). */
gboolean     hs_audio_feed_is_ready  (HsAudioFeed    *self,
                                      gint64          waited_us);

/* Hands each file of @jobs (oldest first) the audio that has come for it;
 * a file whose video is done gets its sound ended once its audio is
 * complete, or once the audio source ended, failed or stalled. */
void         hs_audio_feed_run       (HsAudioFeed    *self,
                                      GList          *jobs,
                                      gboolean        rebase);

/* Keeps in the ring the audio files will need: while files want sound,
 * everything from the cursor; else, while a window waits or opens,
 * everything from @from on (NONE: release). */
void         hs_audio_feed_hold      (HsAudioFeed    *self,
                                      gboolean        filling,
                                      GstClockTime    from);

G_END_DECLS
