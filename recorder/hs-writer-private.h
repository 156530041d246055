/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <gst/gst.h>

#include "hs-recorder.h"
#include "hs-variant-private.h"

G_BEGIN_DECLS

/* The record pipeline of one file:
 *   appsrc ! videoconvert ! ENCODER ! MUXER ! filesink
 * (ENCODER from hs_variant_make_encoder()), or for frames that are encoded
 * already (encoded and passthrough modes)
 *   appsrc ! MUXER ! filesink
 * with MUXER webmmux, matroskamux or mp4mux (fragmented). A file with sound
 * has a second appsrc, for raw audio through an audio encoder:
 *   appsrc ! audioconvert ! audioresample ! ENCODER ! MUXER
 * and for compressed audio straight into the muxer.
 * It is a pipeline of its own, apart from the source pipeline, so that a
 * failure while writing never stops the source or other recorders. Its bus
 * is watched on the main context given at creation; @done runs there once,
 * when the file is closed (error NULL) or the pipeline failed. */
typedef struct _HsWriter HsWriter;

typedef void (*HsWriterDoneFunc) (HsWriter     *writer,
                                  const GError *error,
                                  gpointer      user_data);

typedef struct {
  gboolean           remux;     /* frames are encoded already: no encoder */
  HsContainer        container; /* not auto */
  const char        *encoder;   /* see hs_variant_make_encoder() */
  HsEncoderSettings  settings;
  GDateTime         *date;      /* written as the file's date, nullable */
  GstCaps           *audio_caps; /* the sound's; NULL: none */
  const char        *audio_encoder; /* for raw audio: opus, vorbis or aac */
} HsWriterOptions;

HsWriter   *hs_writer_new          (const char             *location,
                                    GstCaps                *caps,
                                    const HsWriterOptions  *options,
                                    GMainContext           *context,
                                    HsWriterDoneFunc        done,
                                    gpointer                user_data,
                                    GError                **error);

/* Frames are handed to the record pipeline in batches: pushed ones go at
 * the next flush (or finish), one wake-up of its thread for all; a batch
 * of more than a few MB (a window's backlog) goes in parts as it grows. */
void        hs_writer_push         (HsWriter   *self,
                                    GstBuffer  *buffer);
void        hs_writer_flush        (HsWriter   *self);

/* Sound, of @caps (which may change from one buffer to the next); nothing
 * after hs_writer_end_audio(). */
void        hs_writer_push_audio   (HsWriter   *self,
                                    GstBuffer  *buffer,
                                    GstCaps    *caps);
void        hs_writer_end_audio    (HsWriter   *self);
gboolean    hs_writer_has_audio    (HsWriter   *self);

/* Flushes and sends EOS: the file is closed once the encoder has drained. */
void        hs_writer_finish       (HsWriter   *self);

/* Finishes and waits up to @timeout for the file to close, without the main
 * context; then stops the pipeline whatever happened. Returns whether the
 * file closed properly. @done is not called after this. */
gboolean    hs_writer_close_sync   (HsWriter   *self,
                                    GstClockTime timeout);

GstCaps    *hs_writer_get_caps     (HsWriter   *self);
const char *hs_writer_get_location (HsWriter   *self);
guint64     hs_writer_get_bytes    (HsWriter   *self);

void        hs_writer_free         (HsWriter   *self);

G_END_DECLS
