/* Variants on a machine without the NVIDIA elements: the stand-in plugin
 * is taken off GST_PLUGIN_PATH (and a registry of its own is used) before
 * GStreamer starts, so this program sees what a user without DeepStream,
 * CUDA or Jetson packages sees.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "hs-test-util.h"

#include <string.h>
#include <gst/app/app.h>

#define CAPS "video/x-raw,width=160,height=120,framerate=30/1"

typedef HsTestRecorderFixture Fixture;

static HsRecorder *
try_recorder (Fixture *fx, const char *converter, const char *encoder,
              GError **error)
{
  g_autofree char *location = hs_test_fixture_path (&fx->f, "%{index}.webm");

  return g_initable_new (HS_TYPE_RECORDER, NULL, error,
      "pipeline", fx->pipeline, "source", "t", "pre", 1.0, "post", 1.0,
      "location", location,
      "converter", converter ? converter : "auto",
      "encoder", encoder ? encoder : "vp8",
      NULL);
}

typedef struct {
  const char *converter;
  const char *encoder;
  const char *const says[3];
} MissingCase;

static const MissingCase missing_cases[] = {
  { "nvidia", NULL,
    { "Converter 'nvidia': GStreamer element 'nvvideoconvert' (or on Jetson "
      "'nvvidconv') is missing", "NVIDIA DeepStream SDK",
      "nvidia-l4t-gstreamer" } },
  { "cuda", NULL,
    { "Converter 'cuda': GStreamer element 'cudadownload' is missing",
      "gstreamer1.0-plugins-bad (nvcodec) and an NVIDIA driver" } },
  { NULL, "nvidia",
    { "Encoder 'nvidia' needs GStreamer element 'nvv4l2vp8enc' or "
      "'nvv4l2vp9enc'", "nvidia-l4t-gstreamer" } },
  { "nvvideoconvert ! video/x-raw,format=I420", NULL,
    { "names GStreamer element 'nvvideoconvert' (at character 1), which is "
      "missing", "NVIDIA DeepStream SDK" } },
  { "nvvideoconvert", NULL,
    { "Converter 'nvvideoconvert': GStreamer element 'nvvideoconvert' is "
      "missing", "DeepStream" } },
  { NULL, "nvv4l2vp9enc",
    { "'nvv4l2vp9enc' is missing", "nvidia-l4t-gstreamer" } },
};

/* Asking for an NVIDIA variant that is not installed names the element and
 * where it comes from. */
static void
test_missing (Fixture *fx, gconstpointer data)
{
  const MissingCase *c = data;
  g_autoptr(GError) error = NULL;
  g_autoptr(HsRecorder) recorder = NULL;

  fx->pipeline = hs_test_pipeline_new ("videotestsrc ! " CAPS " ! "
      "tee name=t t. ! fakesink");
  recorder = try_recorder (fx, c->converter, c->encoder, &error);
  g_assert_null (recorder);
  g_assert_error (error, HS_ERROR, HS_ERROR_MISSING_ELEMENT);
  g_test_message ("%s", error->message);
  for (guint i = 0; i < G_N_ELEMENTS (c->says) && c->says[i]; i++)
    if (strstr (error->message, c->says[i]) == NULL)
      g_error ("'%s' does not say '%s'", error->message, c->says[i]);
}

/* `auto` never fails for a missing NVIDIA element: on system memory it
 * records through the cpu converter. */
static void
test_auto_system (Fixture *fx, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  HsRecording *r;

  fx->pipeline = hs_test_pipeline_new ("videotestsrc ! " CAPS " ! "
      "tee name=t t. ! fakesink");
  fx->recorder = try_recorder (fx, "auto", NULL, &error);
  g_assert_no_error (error);
  hs_test_fixture_watch (&fx->f, fx->recorder);
  hs_recorder_trigger_at (fx->recorder, 2 * GST_SECOND);
  hs_test_play (fx->pipeline);
  hs_test_fixture_wait_idle (&fx->f, fx->recorder);

  g_assert_cmpuint (fx->f.finished->len, ==, 1);
  r = fx->f.finished->pdata[0];
  g_assert_no_error ((GError *) hs_recording_get_error (r));
  hs_test_assert_file (hs_recording_get_location (r), 60,
      gst_util_uint64_scale (30, GST_SECOND, 30),
      gst_util_uint64_scale (89, GST_SECOND, 30));
}

/* A tee that carries NVMM with no nvvideoconvert installed: the recorder is
 * still made, the recording reports the memory type it cannot read, and
 * the user's pipeline runs to its end without an error. */
static void
test_auto_nvmm (Fixture *fx, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GstElement) appsrc = NULL;
  g_autoptr(GstCaps) caps = gst_caps_from_string
      ("video/x-raw(memory:NVMM),format=I420,width=160,height=120,"
      "framerate=30/1");
  g_autoptr(GstBus) bus = NULL;
  g_autoptr(GstMessage) message = NULL;
  const GError *recording_error;

  fx->pipeline = hs_test_pipeline_new ("appsrc name=src format=time ! "
      "tee name=t t. ! fakesink");
  appsrc = gst_bin_get_by_name (GST_BIN (fx->pipeline), "src");
  fx->recorder = try_recorder (fx, "auto", NULL, &error);
  g_assert_no_error (error);
  hs_test_fixture_watch (&fx->f, fx->recorder);

  gst_app_src_set_caps (GST_APP_SRC (appsrc), caps);
  for (guint i = 0; i < 90; i++) {
    GstBuffer *buffer = gst_buffer_new_allocate (NULL, 160 * 120 * 3 / 2,
        NULL);

    gst_buffer_memset (buffer, 0, 0x80, 160 * 120 * 3 / 2);
    GST_BUFFER_PTS (buffer) = gst_util_uint64_scale (i, GST_SECOND, 30);
    gst_app_src_push_buffer (GST_APP_SRC (appsrc), buffer);
  }
  gst_app_src_end_of_stream (GST_APP_SRC (appsrc));
  hs_recorder_trigger_at (fx->recorder, 2 * GST_SECOND);
  hs_test_play (fx->pipeline);
  hs_test_fixture_wait_idle (&fx->f, fx->recorder);

  g_assert_cmpuint (fx->f.finished->len, ==, 1);
  recording_error = hs_recording_get_error (fx->f.finished->pdata[0]);
  g_assert_error ((GError *) recording_error, HS_ERROR,
      HS_ERROR_NOT_NEGOTIATED);
  g_assert_nonnull (strstr (recording_error->message, "memory:NVMM"));

  bus = gst_element_get_bus (fx->pipeline);
  message = gst_bus_timed_pop_filtered (bus, 10 * GST_SECOND,
      GST_MESSAGE_EOS | GST_MESSAGE_ERROR);
  g_assert_nonnull (message);
  g_assert_cmpint (GST_MESSAGE_TYPE (message), ==, GST_MESSAGE_EOS);
}

/* A description with elements that are not installed: the error names
 * each, with the package that has it where that is known. */
static void
test_description (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(HsPipeline) pipeline = hs_pipeline_new ("videotestsrc ! "
      "nvvideoconvert ! hsnosuchelement ! fakesink", &error);

  g_assert_null (pipeline);
  g_assert_error (error, HS_PIPELINE_ERROR, HS_PIPELINE_ERROR_DESCRIPTION);
  g_test_message ("%s", error->message);
  g_assert_true (g_str_has_prefix (error->message, "No such element: "
          "nvvideoconvert (install the NVIDIA DeepStream SDK"));
  g_assert_true (g_str_has_suffix (error->message, ", hsnosuchelement"));
}

/* Keeps the stand-in plugin out of this process. */
static void
hide_stand_ins (void)
{
  const char *dir = g_getenv ("HS_TEST_PLUGIN_DIR");
  const char *path = g_getenv ("GST_PLUGIN_PATH");
  const char *registry = g_getenv ("GST_REGISTRY");

  if (dir != NULL && path != NULL) {
    g_auto(GStrv) parts = g_strsplit (path, G_SEARCHPATH_SEPARATOR_S, -1);
    g_autoptr(GStrvBuilder) kept = g_strv_builder_new ();
    g_auto(GStrv) result = NULL;
    g_autofree char *joined = NULL;

    for (guint i = 0; parts[i] != NULL; i++)
      if (parts[i][0] != '\0' && !g_str_equal (parts[i], dir))
        g_strv_builder_add (kept, parts[i]);
    result = g_strv_builder_end (kept);
    joined = g_strjoinv (G_SEARCHPATH_SEPARATOR_S, result);
    g_setenv ("GST_PLUGIN_PATH", joined, TRUE);
  }
  /* A registry of its own, so that neither this program nor the others
   * rescan each time the plugin path differs. */
  if (registry != NULL) {
    g_autofree char *own = g_strconcat (registry, ".no-stand-ins", NULL);
    g_setenv ("GST_REGISTRY", own, TRUE);
  }
}

static void
skip_real_elements (void)
{
  g_test_skip ("NVIDIA elements are installed on this machine: nothing is "
      "missing to test");
}

int
main (int argc, char **argv)
{
  g_autoptr(GstElementFactory) stand_in = NULL;
  g_autoptr(GstElementFactory) nvvideoconvert = NULL;
  g_autoptr(GstElementFactory) cudadownload = NULL;
  g_autoptr(GstElementFactory) nvenc = NULL;

  hide_stand_ins ();
  gst_init (&argc, &argv);
  g_test_init (&argc, &argv, NULL);

  stand_in = gst_element_factory_find ("hstestnvmmupload");
  g_assert_null (stand_in);

  nvvideoconvert = gst_element_factory_find ("nvvideoconvert");
  cudadownload = gst_element_factory_find ("cudadownload");
  nvenc = gst_element_factory_find ("nvv4l2vp8enc");
  if (nvvideoconvert != NULL || cudadownload != NULL || nvenc != NULL) {
    g_test_add_func ("/variants-missing/nvidia-installed", skip_real_elements);
    return g_test_run ();
  }

  for (guint i = 0; i < G_N_ELEMENTS (missing_cases); i++) {
    g_autofree char *path = g_strdup_printf ("/variants-missing/error/%u", i);

    hs_test_add_recorder_test (path, &missing_cases[i], test_missing);
  }
  g_test_add_func ("/variants-missing/description", test_description);
  hs_test_add_recorder_test ("/variants-missing/auto/system-memory", NULL,
      test_auto_system);
  hs_test_add_recorder_test ("/variants-missing/auto/nvmm", NULL,
      test_auto_nvmm);

  return g_test_run ();
}
