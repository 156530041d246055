/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include "hs-packages-private.h"

#include "hs-error.h"

/* Which package provides each GStreamer element hindsight may build, so that
 * a missing element is an error a user can act on. Debian 12 package names
 * unless said otherwise. */
static const struct {
  const char *factory;
  const char *package;
} packages[] = {
  { "appsrc", "gstreamer1.0-plugins-base" },
  { "appsink", "gstreamer1.0-plugins-base" },
  { "videoconvert", "gstreamer1.0-plugins-base" },
  { "videoscale", "gstreamer1.0-plugins-base" },
  { "videotestsrc", "gstreamer1.0-plugins-base" },
  { "decodebin", "gstreamer1.0-plugins-base" },
  { "audioconvert", "gstreamer1.0-plugins-base" },
  { "audioresample", "gstreamer1.0-plugins-base" },
  { "opusenc", "gstreamer1.0-plugins-base (opus)" },
  { "vorbisenc", "gstreamer1.0-plugins-base (vorbis)" },
  { "fdkaacenc", "gstreamer1.0-plugins-bad (fdkaac)" },
  { "avenc_aac", "gstreamer1.0-libav" },
  { "voaacenc", "gstreamer1.0-plugins-bad (voaacenc)" },
  { "aacparse", "gstreamer1.0-plugins-good (audioparsers)" },
  { "queue", "libgstreamer1.0-0 (coreelements)" },
  { "tee", "libgstreamer1.0-0 (coreelements)" },
  { "filesink", "libgstreamer1.0-0 (coreelements)" },
  { "capsfilter", "libgstreamer1.0-0 (coreelements)" },
  { "identity", "libgstreamer1.0-0 (coreelements)" },
  { "vp8enc", "gstreamer1.0-plugins-good (vpx)" },
  { "vp9enc", "gstreamer1.0-plugins-good (vpx)" },
  { "webmmux", "gstreamer1.0-plugins-good (matroska)" },
  { "matroskademux", "gstreamer1.0-plugins-good (matroska)" },
  { "av1enc", "gstreamer1.0-plugins-bad (aom)" },
  { "av1dec", "gstreamer1.0-plugins-bad (aom)" },
  { "av1parse", "gstreamer1.0-plugins-bad (videoparsersbad)" },
  { "h264parse", "gstreamer1.0-plugins-bad (videoparsersbad)" },
  { "vp9parse", "gstreamer1.0-plugins-bad (videoparsersbad)" },
  { "h265parse", "gstreamer1.0-plugins-bad (videoparsersbad)" },
  { "matroskamux", "gstreamer1.0-plugins-good (matroska)" },
  { "mp4mux", "gstreamer1.0-plugins-good (isomp4)" },
  /* nvcodec registers its elements only where a CUDA driver is found. */
  { "cudaupload", "gstreamer1.0-plugins-bad (nvcodec) and an NVIDIA driver "
    "with CUDA" },
  { "cudadownload", "gstreamer1.0-plugins-bad (nvcodec) and an NVIDIA driver "
    "with CUDA" },
  { "cudaconvert", "gstreamer1.0-plugins-bad (nvcodec) and an NVIDIA driver "
    "with CUDA" },
  { "nvvideoconvert", "the NVIDIA DeepStream SDK (on Jetson: JetPack's "
    "deepstream package)" },
  { "nvvidconv", "Jetson's nvidia-l4t-gstreamer (JetPack)" },
  { "nvv4l2vp8enc", "Jetson's nvidia-l4t-gstreamer (JetPack)" },
  { "nvv4l2vp9enc", "Jetson's nvidia-l4t-gstreamer (JetPack)" },
  /* Not built by the recorder, but named by the bundled pipelines and the
   * tests, which report them the same way. */
  { "timeoverlay", "gstreamer1.0-x (pango)" },
  { "clockoverlay", "gstreamer1.0-x (pango)" },
  { "textoverlay", "gstreamer1.0-x (pango)" },
  { "audiotestsrc", "gstreamer1.0-plugins-base" },
  { "fakesrc", "libgstreamer1.0-0 (coreelements)" },
  { "fakesink", "libgstreamer1.0-0 (coreelements)" },
  { "filesrc", "libgstreamer1.0-0 (coreelements)" },
  { "valve", "libgstreamer1.0-0 (coreelements)" },
  { "jpegenc", "gstreamer1.0-plugins-good (jpeg)" },
  { "multifilesink", "gstreamer1.0-plugins-good (multifile)" },
  { "rtspsrc", "gstreamer1.0-plugins-good (rtsp)" },
  { "v4l2src", "gstreamer1.0-plugins-good (video4linux2)" },
  { "parsebin", "gstreamer1.0-plugins-base (playback)" },
  { "qtdemux", "gstreamer1.0-plugins-good (isomp4)" },
  { "x264enc", "gstreamer1.0-plugins-ugly (x264)" },
  { "x265enc", "gstreamer1.0-plugins-bad (x265)" },
  { "avdec_h264", "gstreamer1.0-libav" },
  { "avdec_h265", "gstreamer1.0-libav" },
};

const char *
hs_packages_for_element (const char *factory)
{
  for (guint i = 0; i < G_N_ELEMENTS (packages); i++)
    if (g_str_equal (packages[i].factory, factory))
      return packages[i].package;
  return NULL;
}

static void
set_missing (const char *factory, GError **error)
{
  const char *package = hs_packages_for_element (factory);

  if (package != NULL)
    g_set_error (error, HS_ERROR, HS_ERROR_MISSING_ELEMENT,
        "GStreamer element '%s' is missing: install %s", factory, package);
  else
    g_set_error (error, HS_ERROR, HS_ERROR_MISSING_ELEMENT,
        "GStreamer element '%s' is missing (see gst-inspect-1.0 %s)",
        factory, factory);
}

gboolean
hs_packages_check_element (const char *factory, GError **error)
{
  g_autoptr(GstElementFactory) found = NULL;

  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  found = gst_element_factory_find (factory);
  if (found != NULL)
    return TRUE;
  set_missing (factory, error);
  return FALSE;
}

GstElement *
hs_packages_make_element (const char *factory, const char *name, GError **error)
{
  GstElement *element;

  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  element = gst_element_factory_make (factory, name);
  if (element == NULL)
    set_missing (factory, error);
  return element;
}
