/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include "hs-settings-private.h"

/* The documentation of these properties is that of HsRecorder; the
 * multi-recorder passes each one on to every recorder it made. */
void
hs_settings_make_pspecs (GParamSpec *pspecs[HS_N_SETTINGS])
{
  const GParamFlags rw = G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS |
      G_PARAM_EXPLICIT_NOTIFY;

  /**
   * HsRecorder:pre:
   *
   * Seconds recorded before the first trigger. The ring holds this much
   * (plus half a second), so it sets the recorder's memory.
   *
   * Since: 0.1
   */
  pspecs[HS_SETTING_PRE] =
      g_param_spec_double ("pre", "Pre",
      "Seconds recorded before the first trigger (the ring holds this much)",
      0, 3600, 5, rw);

  /**
   * HsRecorder:post:
   *
   * Seconds recorded after the last trigger. Also how long a recording waits
   * for a stalled source (at least half a second) before it closes the file.
   *
   * Since: 0.1
   */
  pspecs[HS_SETTING_POST] =
      g_param_spec_double ("post", "Post",
      "Seconds recorded after the last trigger",
      0, 3600, 5, rw);

  /**
   * HsRecorder:max-duration:
   *
   * Longest file in seconds, 0 for no limit. A recording that runs longer
   * continues in a new file from the very next frame.
   *
   * Since: 0.1
   */
  pspecs[HS_SETTING_MAX_DURATION] =
      g_param_spec_double ("max-duration", "Max duration",
      "Longest file in seconds, a longer recording continuing in a new file; "
      "0: no limit",
      0, G_MAXDOUBLE, 0, rw);

  /**
   * HsRecorder:location:
   *
   * File name template: strftime conversions (of the first frame's
   * wall-clock time) plus `%{source}`, `%{index}` (this recorder's file
   * number, from 1), `%{n}` (the process's file number) and `%{ext}` (the
   * container's extension: `webm`, `mkv` or `mp4`). Folders are created;
   * existing files are never overwritten.
   *
   * Since: 0.1
   */
  pspecs[HS_SETTING_LOCATION] =
      g_param_spec_string ("location", "Location",
      "File name template: strftime conversions, %{source}, %{index}, %{n}, "
      "%{ext}",
      HS_RECORDER_DEFAULT_LOCATION, rw);

  /**
   * HsRecorder:encoder:
   *
   * Codec of the files (and of the ring in encoded mode): `vp8` (the
   * default), `vp9` (row-mt) or `av1` (av1enc, then av1parse), all with
   * realtime settings and a bitrate scaled to the resolution unless
   * #HsRecorder:bitrate is set; `nvidia` (a Jetson's nvv4l2vp8enc or
   * nvv4l2vp9enc, frames moved into NVMM by nvvidconv first); or a
   * description ending in an encoder whose output WebM takes, such as
   * `vp9enc deadline=1 cpu-used=4` (its own settings apply there). A variant
   * whose element is missing fails with %HS_ERROR_MISSING_ELEMENT, naming
   * the package.
   *
   * Since: 0.1
   */
  pspecs[HS_SETTING_ENCODER] =
      g_param_spec_string ("encoder", "Encoder",
      "Codec of the files: vp8, vp9, av1, nvidia, or an encoder description",
      "vp8", rw);

  /**
   * HsRecorder:converter:
   *
   * What turns the tee's frames into system-memory raw video on the ring
   * side: `auto` (the default: builds one of the next three from the tee's
   * caps features when they arrive, and never fails for a missing NVIDIA
   * element), `cpu` (videoconvert), `nvidia` (DeepStream's nvvideoconvert,
   * or a Jetson's nvvidconv: NVMM to I420), `cuda` (cudaconvert and
   * cudadownload from GStreamer's nvcodec plugin), or a bin description with
   * one free sink pad and one free src pad, such as
   * `nvvideoconvert ! video/x-raw,format=I420`. Given when the recorder is
   * made.
   *
   * Since: 0.1
   */
  pspecs[HS_SETTING_CONVERTER] =
      g_param_spec_string ("converter", "Converter",
      "What turns the frames into raw video in system memory: auto, cpu, "
      "nvidia, cuda, or a bin description", "auto",
      G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);

  /**
   * HsRecorder:mode:
   *
   * What the ring holds: decoded frames (`raw`, frame-exact), an encoding
   * of them (`encoded`: tiny memory, files start at the keyframe at or
   * before the window's start) or the tee's own compressed video
   * (`passthrough`: no decoder and no encoder, files start at the keyframe at
   * or before the window's start). `auto`, the default, is passthrough for a
   * tee of compressed video and raw otherwise. Given when the recorder is
   * made.
   *
   * Since: 0.1
   */
  pspecs[HS_SETTING_MODE] =
      g_param_spec_enum ("mode", "Mode", "What the ring holds: decoded "
      "frames (raw), an encoding (encoded), the tee's own compressed video "
      "(passthrough), or auto: passthrough for compressed video, else raw",
      HS_TYPE_RECORDER_MODE, HS_RECORDER_MODE_AUTO,
      G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);

  /**
   * HsRecorder:container:
   *
   * What the files are written in: `auto` (the default: by the location's
   * extension, else WebM for VP8, VP9 and AV1 and Matroska for H.264 and
   * H.265), `webm`, `matroska` or `mp4` (fragmented, so that a file cut
   * short still plays). A codec the container cannot hold fails the
   * recording with %HS_ERROR_NOT_NEGOTIATED, naming the containers that can.
   *
   * Since: 0.2
   */
  pspecs[HS_SETTING_CONTAINER] =
      g_param_spec_enum ("container", "Container", "What the files are "
      "written in: webm, matroska, mp4 (fragmented), or auto: by the "
      "location's extension, else by codec", HS_TYPE_CONTAINER,
      HS_CONTAINER_AUTO, rw);

  /**
   * HsRecorder:bitrate:
   *
   * Target bitrate of the files in bits per second; 0 scales it with the
   * resolution and frame rate (about 0.08 bit per pixel).
   *
   * Since: 0.1
   */
  pspecs[HS_SETTING_BITRATE] =
      g_param_spec_uint ("bitrate", "Bitrate",
      "Bits per second of the files; 0: scaled with the resolution",
      0, G_MAXINT, 0, rw);

  /**
   * HsRecorder:keyframe-interval:
   *
   * Seconds between keyframes; 0 for the default: 2 s in the files of raw
   * mode, 1 s in the ring of encoded mode (where it bounds how much earlier
   * than asked a file may start).
   *
   * Since: 0.1
   */
  pspecs[HS_SETTING_KEYFRAME_INTERVAL] =
      g_param_spec_double ("keyframe-interval", "Keyframe interval",
      "Seconds between keyframes; 0: 2 s in files, 1 s in an encoded ring",
      0, 3600, 0, rw);

  /**
   * HsRecorder:threads:
   *
   * Encoder threads; 0 for one per 1280x720 of picture, at most one per
   * core and four (more make libvpx spin-wait).
   *
   * Since: 0.1
   */
  pspecs[HS_SETTING_THREADS] =
      g_param_spec_uint ("threads", "Threads",
      "Encoder threads; 0: chosen from the resolution",
      0, 64, 0, rw);

  /**
   * HsRecorder:rebase-timestamps:
   *
   * Whether each file starts at timestamp 0. By default a file keeps the
   * source's running time: a clip of [1 s, 6 s] starts at 1.0.
   *
   * Since: 0.1
   */
  pspecs[HS_SETTING_REBASE_TIMESTAMPS] =
      g_param_spec_boolean ("rebase-timestamps", "Rebase timestamps",
      "Start each file at timestamp 0 instead of the source's running time",
      FALSE, rw);

  /**
   * HsRecorder:max-ring-bytes:
   *
   * Most bytes the ring may hold, 0 for no bound. When it bites the ring
   * spans less than #HsRecorder:pre, and recordings report the shortfall.
   *
   * Since: 0.1
   */
  pspecs[HS_SETTING_MAX_RING_BYTES] =
      g_param_spec_uint64 ("max-ring-bytes", "Max ring bytes",
      "Most bytes the ring may hold; 0: no bound",
      0, G_MAXUINT64, 0, rw);

  /**
   * HsRecorder:copy-frames:
   *
   * Whether the ring copies frames instead of holding references; `auto`
   * copies frames from bounded buffer pools only.
   *
   * Since: 0.1
   */
  pspecs[HS_SETTING_COPY_FRAMES] =
      g_param_spec_enum ("copy-frames", "Copy frames",
      "Whether the ring copies frames instead of holding references",
      HS_TYPE_COPY_FRAMES, HS_COPY_FRAMES_AUTO, rw);

  /**
   * HsRecorder:audio-source:
   *
   * Name of an audio tee of the same pipeline whose sound goes into the
   * files, or %NULL for none. The window is decided on the video; a file
   * holds the audio whose running time falls from its first frame to the end
   * of its last frame. Raw audio is encoded with #HsRecorder:audio-encoder;
   * compressed audio (Opus, Vorbis, AAC, and in Matroska also PCM, mu-law,
   * A-law) goes in as it is. A source that fails or stalls costs the sound,
   * never the video; the recording's error says so. Given when the recorder
   * is made.
   *
   * Since: 0.2
   */
  pspecs[HS_SETTING_AUDIO_SOURCE] =
      g_param_spec_string ("audio-source", "Audio source",
      "Name of an audio tee whose sound goes into the files, or NULL", NULL,
      G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);

  /**
   * HsRecorder:audio-encoder:
   *
   * What raw audio is encoded with: `opus` (the default), `vorbis` (WebM,
   * Matroska) or `aac` (Matroska, MP4; fdkaacenc, avenc_aac or voaacenc).
   *
   * Since: 0.2
   */
  pspecs[HS_SETTING_AUDIO_ENCODER] =
      g_param_spec_string ("audio-encoder", "Audio encoder",
      "What raw audio is encoded with: opus, vorbis or aac", "opus", rw);
}

void
hs_settings_init (HsSettings *settings)
{
  *settings = (HsSettings) {
    .pre = 5,
    .post = 5,
    .encoder = g_strdup ("vp8"),
    .audio_encoder = g_strdup ("opus"),
    .converter = g_strdup ("auto"),
    .mode = HS_RECORDER_MODE_AUTO,
    .copy_frames = HS_COPY_FRAMES_AUTO,
  };
}

void
hs_settings_clear (HsSettings *settings)
{
  g_clear_pointer (&settings->location, g_free);
  g_clear_pointer (&settings->encoder, g_free);
  g_clear_pointer (&settings->converter, g_free);
  g_clear_pointer (&settings->audio_source, g_free);
  g_clear_pointer (&settings->audio_encoder, g_free);
}

void
hs_settings_get (const HsSettings *settings, HsSetting setting, GValue *value)
{
  switch (setting) {
    case HS_SETTING_PRE:
      g_value_set_double (value, settings->pre);
      break;
    case HS_SETTING_POST:
      g_value_set_double (value, settings->post);
      break;
    case HS_SETTING_MAX_DURATION:
      g_value_set_double (value, settings->max_duration);
      break;
    case HS_SETTING_LOCATION:
      g_value_set_string (value, settings->location ? settings->location :
          HS_RECORDER_DEFAULT_LOCATION);
      break;
    case HS_SETTING_ENCODER:
      g_value_set_string (value, settings->encoder);
      break;
    case HS_SETTING_CONVERTER:
      g_value_set_string (value, settings->converter);
      break;
    case HS_SETTING_MODE:
      g_value_set_enum (value, settings->mode);
      break;
    case HS_SETTING_CONTAINER:
      g_value_set_enum (value, settings->container);
      break;
    case HS_SETTING_BITRATE:
      g_value_set_uint (value, settings->encoding.bitrate);
      break;
    case HS_SETTING_KEYFRAME_INTERVAL:
      g_value_set_double (value, settings->encoding.keyframe_interval);
      break;
    case HS_SETTING_THREADS:
      g_value_set_uint (value, settings->encoding.threads);
      break;
    case HS_SETTING_REBASE_TIMESTAMPS:
      g_value_set_boolean (value, settings->rebase_timestamps);
      break;
    case HS_SETTING_MAX_RING_BYTES:
      g_value_set_uint64 (value, settings->max_ring_bytes);
      break;
    case HS_SETTING_COPY_FRAMES:
      g_value_set_enum (value, settings->copy_frames);
      break;
    case HS_SETTING_AUDIO_SOURCE:
      g_value_set_string (value, settings->audio_source);
      break;
    case HS_SETTING_AUDIO_ENCODER:
      g_value_set_string (value, settings->audio_encoder);
      break;
    case HS_N_SETTINGS:
      g_assert_not_reached ();
  }
}

static gboolean
set_string (char **field, const char *value)
{
  if (g_strcmp0 (*field, value) == 0)
    return FALSE;
  g_free (*field);
  *field = g_strdup (value);
  return TRUE;
}

#define SET(field, value) \
  ((field) == (value) ? FALSE : ((field) = (value), TRUE))

gboolean
hs_settings_set (HsSettings *settings, HsSetting setting, const GValue *value)
{
  HsEncoderSettings *enc = &settings->encoding;

  switch (setting) {
    case HS_SETTING_PRE:
      return SET (settings->pre, g_value_get_double (value));
    case HS_SETTING_POST:
      return SET (settings->post, g_value_get_double (value));
    case HS_SETTING_MAX_DURATION:
      return SET (settings->max_duration, g_value_get_double (value));
    case HS_SETTING_LOCATION:
      return set_string (&settings->location, g_value_get_string (value));
    case HS_SETTING_ENCODER:
      return set_string (&settings->encoder, g_value_get_string (value) ?
          g_value_get_string (value) : "vp8");
    case HS_SETTING_CONVERTER:
      return set_string (&settings->converter, g_value_get_string (value) ?
          g_value_get_string (value) : "auto");
    case HS_SETTING_MODE:
      return SET (settings->mode, (HsRecorderMode) g_value_get_enum (value));
    case HS_SETTING_CONTAINER:
      return SET (settings->container, (HsContainer) g_value_get_enum (value));
    case HS_SETTING_BITRATE:
      return SET (enc->bitrate, g_value_get_uint (value));
    case HS_SETTING_KEYFRAME_INTERVAL:
      return SET (enc->keyframe_interval, g_value_get_double (value));
    case HS_SETTING_THREADS:
      return SET (enc->threads, g_value_get_uint (value));
    case HS_SETTING_REBASE_TIMESTAMPS:
      return SET (settings->rebase_timestamps, g_value_get_boolean (value));
    case HS_SETTING_MAX_RING_BYTES:
      return SET (settings->max_ring_bytes, g_value_get_uint64 (value));
    case HS_SETTING_COPY_FRAMES:
      return SET (settings->copy_frames,
          (HsCopyFrames) g_value_get_enum (value));
    case HS_SETTING_AUDIO_SOURCE:
      return set_string (&settings->audio_source, g_value_get_string (value));
    case HS_SETTING_AUDIO_ENCODER:
      return set_string (&settings->audio_encoder, g_value_get_string (value) ?
          g_value_get_string (value) : "opus");
    case HS_N_SETTINGS:
      break;
  }
  g_assert_not_reached ();
}
