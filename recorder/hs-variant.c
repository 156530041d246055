/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include "hs-variant-private.h"

#include <gst/video/video.h>

#include "hs-element-private.h"
#include "hs-error.h"

/* About 0.08 bit per pixel at the source's frame rate: 640x480@30 gets
 * ~740 kbit/s, 1280x720@30 ~2.2 Mbit/s, 1920x1080@30 ~5 Mbit/s. */
static guint
scaled_bitrate (GstCaps *caps)
{
  GstVideoInfo info;
  double fps = 30.0;
  double bits;

  if (caps == NULL || !gst_video_info_from_caps (&info, caps))
    return 1000000;
  if (info.fps_n > 0 && info.fps_d > 0)
    fps = (double) info.fps_n / info.fps_d;
  bits = info.width * (double) info.height * fps * 0.08;
  return (guint) CLAMP (bits, 100000, 50000000);
}

static int
keyframe_distance (GstCaps *caps, double seconds)
{
  GstVideoInfo info;
  double fps = 30.0;

  if (caps != NULL && gst_video_info_from_caps (&info, caps) &&
      info.fps_n > 0 && info.fps_d > 0)
    fps = (double) info.fps_n / info.fps_d;
  return MAX (1, (int) (fps * (seconds > 0 ? seconds : 2.0) + 0.5));
}

GstElement *
hs_variant_make_converter (const char *converter, GError **error)
{
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (converter == NULL || g_str_equal (converter, "auto") ||
      g_str_equal (converter, "cpu"))
    return hs_element_make ("videoconvert", NULL, error);

  g_set_error (error, HS_ERROR, HS_ERROR_INVALID_ARGUMENT,
      "Unknown converter '%s' (valid: auto, cpu)", converter);
  return NULL;
}

GstElement *
hs_variant_make_encoder (const char *encoder, GstCaps *caps,
                         const HsEncoderSettings *settings, GError **error)
{
  GstElement *enc;

  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (encoder != NULL && !g_str_equal (encoder, "vp8")) {
    g_set_error (error, HS_ERROR, HS_ERROR_INVALID_ARGUMENT,
        "Unknown encoder '%s' (valid: vp8)", encoder);
    return NULL;
  }

  enc = hs_element_make ("vp8enc", NULL, error);
  if (enc == NULL)
    return NULL;
  g_object_set (enc,
      "deadline", (gint64) 1,
      "cpu-used", 8,
      "threads", settings->threads ? (int) settings->threads :
      (int) MIN (8, g_get_num_processors ()),
      "lag-in-frames", 0,
      "end-usage", 1 /* cbr */,
      "target-bitrate", settings->bitrate ? settings->bitrate :
      scaled_bitrate (caps),
      "keyframe-max-dist", keyframe_distance (caps,
          settings->keyframe_interval),
      NULL);
  return enc;
}

gboolean
hs_variant_check_converter (const char *converter, GError **error)
{
  g_autoptr(GstElement) element = hs_variant_make_converter (converter, error);

  if (element == NULL)
    return FALSE;
  gst_object_ref_sink (element);
  return TRUE;
}

gboolean
hs_variant_check_encoder (const char *encoder, GError **error)
{
  HsEncoderSettings settings = { 0 };
  g_autoptr(GstElement) element =
      hs_variant_make_encoder (encoder, NULL, &settings, error);

  if (element == NULL)
    return FALSE;
  gst_object_ref_sink (element);
  return TRUE;
}
