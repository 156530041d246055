/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "hs-prelude.h"

#include <gst/gst.h>

G_BEGIN_DECLS

#define HS_TYPE_RING_BUFFER (hs_ring_buffer_get_type ())

HS_API
G_DECLARE_FINAL_TYPE (HsRingBuffer, hs_ring_buffer, HS, RING_BUFFER, GObject)

HS_API
HsRingBuffer *hs_ring_buffer_new            (GstClockTime  window,
                                             guint64       max_bytes);

HS_API
void          hs_ring_buffer_push           (HsRingBuffer *self,
                                             GstSample    *sample);

HS_API
void          hs_ring_buffer_clear          (HsRingBuffer *self);

HS_API
GstClockTime  hs_ring_buffer_get_window     (HsRingBuffer *self);

HS_API
void          hs_ring_buffer_set_window     (HsRingBuffer *self,
                                             GstClockTime  window);

HS_API
guint64       hs_ring_buffer_get_max_bytes  (HsRingBuffer *self);

HS_API
void          hs_ring_buffer_set_max_bytes  (HsRingBuffer *self,
                                             guint64       max_bytes);

HS_API
guint         hs_ring_buffer_get_n_samples  (HsRingBuffer *self);

HS_API
guint64       hs_ring_buffer_get_n_bytes    (HsRingBuffer *self);

HS_API
GstClockTime  hs_ring_buffer_get_oldest     (HsRingBuffer *self);

HS_API
GstClockTime  hs_ring_buffer_get_newest     (HsRingBuffer *self);

HS_API
GPtrArray    *hs_ring_buffer_get_samples    (HsRingBuffer *self,
                                             GstClockTime  start,
                                             GstClockTime  end);

G_END_DECLS
