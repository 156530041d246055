/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "hs-ring-buffer.h"

G_BEGIN_DECLS

/* One frame held by the ring. @time is the running time of the buffer's
 * PTS in the sample's segment; @seq numbers frames in arrival order, so a
 * consumer can resume exactly after the last frame it took. */
typedef struct {
  GstSample    *sample;
  GstClockTime  time;
  GstClockTime  duration;
  guint64       seq;
  gsize         size;
  gboolean      keyframe;
  guint64       dropped_before; /* frames lost just before this one */
} HsRingEntry;

void     hs_ring_entry_clear      (HsRingEntry  *entry);

/* Frames with seq >= @seq and time >= @time are never evicted, whatever the
 * bounds say: they are what a pending trigger or an open recording still
 * needs. G_MAXUINT64 as @seq releases the hold. */
void     hs_ring_buffer_set_hold  (HsRingBuffer *self,
                                   guint64       seq,
                                   GstClockTime  time);

/* Copies into @out (with a new reference to the sample) the first frame
 * whose seq is >= *@cursor and whose time is >= @min_time, and moves
 * *@cursor past it. Returns FALSE when no such frame has arrived yet. */
gboolean hs_ring_buffer_next      (HsRingBuffer *self,
                                   guint64      *cursor,
                                   GstClockTime  min_time,
                                   HsRingEntry  *out);

/* Where an encoded recording that wants to start at @time may start: the
 * seq of the last keyframe at or before @time among frames with seq >=
 * @cursor, else the first keyframe after it. G_MAXUINT64 when no keyframe
 * with seq >= @cursor is held yet. Only meaningful with whole-gops. */
guint64  hs_ring_buffer_find_keyframe (HsRingBuffer *self,
                                       guint64       cursor,
                                       GstClockTime  time);

/* hs_ring_buffer_push(), noting how many frames were lost upstream just
 * before this one, so that a recording can report the drops it spans.
 * Returns the frame's time as the ring keeps it, NONE if it was ignored
 * (no PTS, no time segment, outside its segment). */
GstClockTime hs_ring_buffer_push_counted (HsRingBuffer *self,
                                          GstSample    *sample,
                                          guint64       dropped_before);

/* The caps of the newest frame held, or NULL. */
GstCaps *hs_ring_buffer_dup_newest_caps (HsRingBuffer *self);

/* The seq the next pushed frame will get. */
guint64  hs_ring_buffer_get_next_seq (HsRingBuffer *self);

/* Total frames evicted because of max-bytes before they were window-old. */
guint64  hs_ring_buffer_get_n_trimmed (HsRingBuffer *self);

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (HsRingEntry, hs_ring_entry_clear)

G_END_DECLS
