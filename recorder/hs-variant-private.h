/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <gst/gst.h>

G_BEGIN_DECLS

/* Encoder settings that matter, as the recorder's properties give them;
 * 0 means "choose from the caps". */
typedef struct {
  guint  bitrate;               /* bits per second */
  double keyframe_interval;     /* seconds */
  guint  threads;
} HsEncoderSettings;

/* A converter variant: what it is called, which memory it takes, the
 * elements it needs (each need lists alternatives, NULL-terminated) and how
 * it is built. */
typedef struct {
  const char *name;
  const char *feature;          /* caps feature `auto` hands to it */
  const char *memory;           /* the caps it takes */
  const char *needs[2][3];
  GstElement *(*build) (GError **error);
} HsConverterVariant;

const HsConverterVariant *hs_variant_get_converters   (guint      *n_converters);
const HsConverterVariant *hs_variant_find_converter   (const char *name);

/* The first element @variant needs that is not installed, or NULL. */
const char               *hs_variant_converter_missing (const HsConverterVariant *variant);

/* The ring side: an element (usually a bin with one "sink" and one "src"
 * pad) that turns what the tee carries into system-memory raw video that
 * videoconvert takes. @converter is "auto", "cpu", "nvidia", "cuda" or a
 * bin description. */
GstElement *hs_variant_make_converter (const char               *converter,
                                       GError                  **error);

/* The record side: an element that encodes raw video (@caps) into a stream
 * webmmux accepts. @encoder is "vp8", "vp9", "av1", "nvidia" or a
 * description. */
GstElement *hs_variant_make_encoder   (const char               *encoder,
                                       GstCaps                  *caps,
                                       const HsEncoderSettings  *settings,
                                       GError                  **error);

/* The caps name of what @encoder outputs ("video/x-vp8"), or NULL for a
 * description (whose output WebM takes, by contract). */
const char *hs_variant_encoder_codec  (const char               *encoder);

/* Checks a name or description without building anything that stays. */
gboolean    hs_variant_check_converter (const char  *converter,
                                        GError     **error);
gboolean    hs_variant_check_encoder   (const char  *encoder,
                                        GError     **error);

/* The record side for raw audio: an element (a bin with one "sink" and one
 * "src" pad) that encodes it into @encoder: "opus", "vorbis" or "aac"
 * (fdkaacenc, avenc_aac or voaacenc, whichever is installed). */
GstElement *hs_variant_make_audio_encoder  (const char  *encoder,
                                            GError     **error);

/* The caps name of what @encoder outputs ("audio/x-opus"), or NULL for a
 * name that is none of those. */
const char *hs_variant_audio_encoder_codec (const char  *encoder);

/* Whether @encoder names an audio encoder whose elements are installed. */
gboolean    hs_variant_check_audio_encoder (const char  *encoder,
                                            GError     **error);

/* Shared by the variants' files: the first of @factories (NULL-terminated)
 * that is installed, or NULL; and @elements (NULL-terminated, floating) in
 * a new bin, linked in order, the first one's "sink" and the last one's
 * "src" pad ghosted (a floating bin, or NULL with every element dropped). */
const char *hs_variant_first_existing      (const char *const *factories);
GstElement *hs_variant_chain_bin           (const char  *name,
                                            GstElement **elements,
                                            GError     **error);

G_END_DECLS
