/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <glib-object.h>

#include "hs-recorder.h"
#include "hs-variant-private.h"

G_BEGIN_DECLS

/* The settings of a recorder, defined once: HsRecorder, HsMultiRecorder
 * and the hindsightrecorder element install the same properties, so that
 * they cannot drift apart. */
typedef enum {
  HS_SETTING_PRE,
  HS_SETTING_POST,
  HS_SETTING_MAX_DURATION,
  HS_SETTING_LOCATION,
  HS_SETTING_ENCODER,
  HS_SETTING_CONVERTER,
  HS_SETTING_MODE,
  HS_SETTING_CONTAINER,
  HS_SETTING_BITRATE,
  HS_SETTING_KEYFRAME_INTERVAL,
  HS_SETTING_THREADS,
  HS_SETTING_REBASE_TIMESTAMPS,
  HS_SETTING_MAX_RING_BYTES,
  HS_SETTING_COPY_FRAMES,
  HS_SETTING_AUDIO_SOURCE,
  HS_SETTING_AUDIO_ENCODER,
  HS_N_SETTINGS
} HsSetting;

/* Fills @pspecs with new specs of every setting, for one class to install
 * (a spec belongs to one class). Exported for the hindsightrecorder element
 * (gst/), whose properties are these too; not part of the API. */
HS_API
void hs_settings_make_pspecs (GParamSpec *pspecs[HS_N_SETTINGS]);

/* Their values, as the properties' defaults give them at first. */
typedef struct {
  double            pre;
  double            post;
  double            max_duration;
  char             *location;   /* NULL: HS_RECORDER_DEFAULT_LOCATION */
  char             *encoder;
  char             *converter;
  HsRecorderMode    mode;
  HsContainer       container;
  HsEncoderSettings encoding;   /* bitrate, keyframe-interval, threads */
  gboolean          rebase_timestamps;
  guint64           max_ring_bytes;
  HsCopyFrames      copy_frames;
  char             *audio_source; /* NULL: no sound */
  char             *audio_encoder;
} HsSettings;

void     hs_settings_init  (HsSettings       *settings);
void     hs_settings_clear (HsSettings       *settings);
void     hs_settings_get   (const HsSettings *settings,
                            HsSetting         setting,
                            GValue           *value);
/* Returns whether the value changed. */
gboolean hs_settings_set   (HsSettings       *settings,
                            HsSetting         setting,
                            const GValue     *value);

G_END_DECLS
