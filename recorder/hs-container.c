/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include "hs-container-private.h"

#include "hs-error.h"

static const struct {
  HsContainer container;
  const char *name;             /* as the `container` setting says it */
  const char *extension;
  const char *muxer;
  const char *codecs[5];
} containers[] = {
  { HS_CONTAINER_WEBM, "webm", "webm", "webmmux",
    { "video/x-vp8", "video/x-vp9", "video/x-av1" } },
  { HS_CONTAINER_MATROSKA, "matroska", "mkv", "matroskamux",
    { "video/x-h264", "video/x-h265", "video/x-vp8", "video/x-vp9",
      "video/x-av1" } },
  { HS_CONTAINER_MP4, "mp4", "mp4", "mp4mux",
    { "video/x-h264", "video/x-h265", "video/x-av1", "video/x-vp9" } },
};

static const struct {
  HsContainer container;
  const char *codecs[8];
} audio_codecs[] = {
  { HS_CONTAINER_WEBM, { "audio/x-opus", "audio/x-vorbis" } },
  { HS_CONTAINER_MATROSKA, { "audio/x-opus", "audio/x-vorbis", "audio/mpeg",
      "audio/x-flac", "audio/x-raw", "audio/x-mulaw", "audio/x-alaw" } },
  { HS_CONTAINER_MP4, { "audio/mpeg", "audio/x-opus" } },
};

static const struct {
  const char *caps;
  const char *name;
} codec_names[] = {
  { "video/x-h264", "H.264" },
  { "video/x-h265", "H.265" },
  { "video/x-vp8", "VP8" },
  { "video/x-vp9", "VP9" },
  { "video/x-av1", "AV1" },
  { "audio/x-opus", "Opus" },
  { "audio/x-vorbis", "Vorbis" },
  { "audio/mpeg", "AAC (or MP3)" },
  { "audio/x-flac", "FLAC" },
  { "audio/x-raw", "PCM" },
  { "audio/x-mulaw", "mu-law" },
  { "audio/x-alaw", "A-law" },
};

const char *
hs_container_codec_name (const char *codec)
{
  for (guint i = 0; i < G_N_ELEMENTS (codec_names); i++)
    if (g_strcmp0 (codec_names[i].caps, codec) == 0)
      return codec_names[i].name;
  return codec;
}

static guint
entry (HsContainer container)
{
  for (guint i = 0; i < G_N_ELEMENTS (containers); i++)
    if (containers[i].container == container)
      return i;
  g_return_val_if_reached (0);
}

const char *
hs_container_extension (HsContainer container)
{
  return containers[entry (container)].extension;
}

const char *
hs_container_muxer (HsContainer container)
{
  return containers[entry (container)].muxer;
}

HsContainer
hs_container_from_location (const char *location)
{
  const char *dot = location ? strrchr (location, '.') : NULL;

  /* A dot in a folder name or in a placeholder is no extension. */
  if (dot == NULL || strpbrk (dot, "/%}") != NULL)
    return HS_CONTAINER_AUTO;
  for (guint i = 0; i < G_N_ELEMENTS (containers); i++)
    if (g_ascii_strcasecmp (dot + 1, containers[i].extension) == 0)
      return containers[i].container;
  return HS_CONTAINER_AUTO;
}

gboolean
hs_container_holds (HsContainer container, const char *codec)
{
  const char *const *codecs = containers[entry (container)].codecs;

  for (guint i = 0; i < G_N_ELEMENTS (containers[0].codecs) &&
      codecs[i] != NULL; i++)
    if (g_strcmp0 (codecs[i], codec) == 0)
      return TRUE;
  return FALSE;
}

HsContainer
hs_container_choose (HsContainer setting, const char *location,
                     const char *codec, const char *audio_codec,
                     GError **error)
{
  HsContainer container = setting;
  g_autoptr(GString) able = g_string_new (NULL);
  gboolean webm_sound = audio_codec == NULL ||
      hs_container_holds_audio (HS_CONTAINER_WEBM, audio_codec);

  if (container == HS_CONTAINER_AUTO)
    container = hs_container_from_location (location);
  /* A codec not known in advance: WebM unless the location or the sound
   * says; the muxer says if it cannot hold it. */
  if (codec == NULL && container == HS_CONTAINER_AUTO)
    return webm_sound ? HS_CONTAINER_WEBM : HS_CONTAINER_MATROSKA;
  if (codec == NULL)
    return container;
  if (container == HS_CONTAINER_AUTO)
    container = webm_sound && hs_container_holds (HS_CONTAINER_WEBM, codec) ?
        HS_CONTAINER_WEBM : HS_CONTAINER_MATROSKA;
  if (hs_container_holds (container, codec))
    return container;

  for (guint i = 0; i < G_N_ELEMENTS (containers); i++)
    if (hs_container_holds (containers[i].container, codec))
      g_string_append_printf (able, "%s%s", able->len ? ", " : "",
          containers[i].name);
  g_set_error (error, HS_ERROR, HS_ERROR_NOT_NEGOTIATED,
      "%s cannot go into %s (containers that can hold it: %s)",
      hs_container_codec_name (codec), containers[entry (container)].name,
      able->len ? able->str : "none");
  return HS_CONTAINER_AUTO;
}

gboolean
hs_container_holds_audio (HsContainer container, const char *codec)
{
  for (guint i = 0; i < G_N_ELEMENTS (audio_codecs); i++) {
    if (audio_codecs[i].container != container)
      continue;
    for (guint j = 0; j < G_N_ELEMENTS (audio_codecs[i].codecs) &&
        audio_codecs[i].codecs[j] != NULL; j++)
      if (g_strcmp0 (audio_codecs[i].codecs[j], codec) == 0)
        return TRUE;
  }
  return FALSE;
}

gboolean
hs_container_check_audio (HsContainer container, const char *codec,
                          GError **error)
{
  g_autoptr(GString) able = g_string_new (NULL);

  if (codec == NULL || hs_container_holds_audio (container, codec))
    return TRUE;
  for (guint i = 0; i < G_N_ELEMENTS (containers); i++)
    if (hs_container_holds_audio (containers[i].container, codec))
      g_string_append_printf (able, "%s%s", able->len ? ", " : "",
          containers[i].name);
  g_set_error (error, HS_ERROR, HS_ERROR_NOT_NEGOTIATED,
      "%s audio cannot go into %s (containers that can hold it: %s)",
      hs_container_codec_name (codec), containers[entry (container)].name,
      able->len ? able->str : "none");
  return FALSE;
}
