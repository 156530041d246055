/* The floor of scenario A: the cheapest way to encode the frames a raw-mode
 * recording wrote, as one plain non-live pipeline that runs as fast as it
 * can. hs-bench runs it in a child process of its own and measures it.
 *
 *   hs-bench-floor plain|matched|generate N WIDTH HEIGHT FILE
 *
 * plain     videotestsrc ! timeoverlay ! vp8enc deadline=1 ! webmmux ! filesink
 * matched   the same with the encoder hindsight builds for its files (the
 *           "vp8" variant: bitrate, keyframe distance, threads, speed), so
 *           that the difference to a recording is the recorder alone
 * generate  the frames only (videotestsrc ! timeoverlay ! fakesink): what the
 *           floor spends before any encoding, subtracted to get the encode
 *
 * Every variant makes the same I420 frames with the time blended in.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <stdlib.h>
#include <string.h>
#include <gst/gst.h>

#include "hs-variant-private.h"

static GstElement *
make (GstElement *pipeline, const char *factory)
{
  GstElement *element = gst_element_factory_make (factory, NULL);

  if (element == NULL) {
    g_printerr ("hs-bench-floor: no element '%s'\n", factory);
    exit (2);
  }
  gst_bin_add (GST_BIN (pipeline), element);
  return element;
}

/* Peak RSS since exec, for hs-bench (see print_vmhwm there). */
static void
print_vmhwm (void)
{
  g_autofree char *status = NULL;
  const char *line;

  if (g_file_get_contents ("/proc/self/status", &status, NULL, NULL) &&
      (line = strstr (status, "VmHWM:")) != NULL)
    g_print ("hs-bench-vmhwm-kb: %" G_GUINT64_FORMAT "\n",
        g_ascii_strtoull (line + 6, NULL, 10));
}

int
main (int argc, char **argv)
{
  g_autoptr(GstElement) pipeline = NULL;
  g_autoptr(GstCaps) caps = NULL;
  g_autoptr(GstCaps) blended = NULL;
  g_autoptr(GstBus) bus = NULL;
  g_autoptr(GstMessage) message = NULL;
  g_autoptr(GError) error = NULL;
  GstElement *src, *filter, *overlay, *filter2, *enc = NULL, *mux, *sink;
  const char *kind;
  guint64 n;
  int width, height;

  gst_init (&argc, &argv);
  if (argc != 6) {
    g_printerr ("usage: hs-bench-floor plain|matched|generate N WIDTH HEIGHT "
        "FILE\n");
    return 2;
  }
  kind = argv[1];
  n = g_ascii_strtoull (argv[2], NULL, 10);
  width = atoi (argv[3]);
  height = atoi (argv[4]);

  caps = gst_caps_new_simple ("video/x-raw",
      "format", G_TYPE_STRING, "I420",
      "width", G_TYPE_INT, width,
      "height", G_TYPE_INT, height,
      "framerate", GST_TYPE_FRACTION, 30, 1, NULL);
  /* Plain system memory: timeoverlay must blend the text into the frame
   * instead of attaching it as a meta. */
  blended = gst_caps_from_string ("video/x-raw,format=I420");

  pipeline = gst_object_ref_sink (gst_pipeline_new ("floor"));
  src = make (pipeline, "videotestsrc");
  filter = make (pipeline, "capsfilter");
  overlay = make (pipeline, "timeoverlay");
  filter2 = make (pipeline, "capsfilter");
  g_object_set (src, "num-buffers", (int) n, "is-live", FALSE, NULL);
  gst_util_set_object_arg (G_OBJECT (src), "pattern", "smpte");
  g_object_set (filter, "caps", caps, NULL);
  g_object_set (filter2, "caps", blended, NULL);

  if (g_str_equal (kind, "generate")) {
    sink = make (pipeline, "fakesink");
    g_object_set (sink, "sync", FALSE, NULL);
    gst_element_link_many (src, filter, overlay, filter2, sink, NULL);
  } else {
    if (g_str_equal (kind, "plain")) {
      enc = make (pipeline, "vp8enc");
      g_object_set (enc, "deadline", (gint64) 1, NULL);
    } else if (g_str_equal (kind, "matched")) {
      HsEncoderSettings settings = { 0 };

      enc = hs_variant_make_encoder ("vp8", caps, &settings, &error);
      if (enc == NULL) {
        g_printerr ("hs-bench-floor: %s\n", error->message);
        return 2;
      }
      gst_bin_add (GST_BIN (pipeline), enc);
    } else {
      g_printerr ("hs-bench-floor: unknown kind '%s'\n", kind);
      return 2;
    }
    mux = make (pipeline, "webmmux");
    sink = make (pipeline, "filesink");
    g_object_set (sink, "location", argv[5], "sync", FALSE, NULL);
    if (!gst_element_link_many (src, filter, overlay, filter2, enc, mux, sink,
            NULL)) {
      g_printerr ("hs-bench-floor: cannot link the %s pipeline\n", kind);
      return 2;
    }
  }

  if (gst_element_set_state (pipeline, GST_STATE_PLAYING) ==
      GST_STATE_CHANGE_FAILURE) {
    g_printerr ("hs-bench-floor: cannot start\n");
    return 1;
  }
  bus = gst_element_get_bus (pipeline);
  message = gst_bus_timed_pop_filtered (bus, GST_CLOCK_TIME_NONE,
      GST_MESSAGE_EOS | GST_MESSAGE_ERROR);
  gst_element_set_state (pipeline, GST_STATE_NULL);
  if (GST_MESSAGE_TYPE (message) == GST_MESSAGE_ERROR) {
    gst_message_parse_error (message, &error, NULL);
    g_printerr ("hs-bench-floor: %s\n", error->message);
    return 1;
  }
  print_vmhwm ();
  return 0;
}
