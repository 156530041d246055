/* Converter and encoder variants, with the stand-in plugin (tests/plugin)
 * in place of the NVIDIA elements: which variant `auto` builds for the
 * tee's memory type, recordings through each variant decoded and counted,
 * real VP9 and AV1 files, and the errors for descriptions that cannot work.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "hs-test-util.h"

#include <string.h>
#include <gst/app/app.h>

#define FRAME(k) ((GstClockTime) gst_util_uint64_scale ((k), GST_SECOND, 30))

#define CAPS "video/x-raw,width=160,height=120,framerate=30/1"
/* Non-live sources, one per memory type the tee may carry. */
#define SYSTEM_SRC "videotestsrc ! " CAPS " ! tee name=t t. ! fakesink"
#define NVMM_SRC "videotestsrc ! " CAPS " ! hstestnvmmupload ! " \
  "video/x-raw(memory:NVMM) ! tee name=t t. ! fakesink"
#define CUDA_SRC "videotestsrc ! " CAPS " ! cudaupload ! " \
  "video/x-raw(memory:CUDAMemory) ! tee name=t t. ! fakesink"

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

/* Records [1 s, 3 s) of @description (frames 30 .. 89) through the given
 * variants and returns the finished recording. */
static HsRecording *
record (Fixture *fx, const char *description, const char *converter,
        const char *encoder)
{
  g_autoptr(GError) error = NULL;

  fx->pipeline = hs_test_pipeline_new (description);
  fx->recorder = try_recorder (fx, converter, encoder, &error);
  g_assert_no_error (error);
  hs_test_fixture_watch (&fx->f, fx->recorder);
  hs_recorder_trigger_at (fx->recorder, 2 * GST_SECOND);
  hs_test_play (fx->pipeline);
  hs_test_fixture_wait_idle (&fx->f, fx->recorder);

  g_assert_cmpuint (fx->f.finished->len, ==, 1);
  return fx->f.finished->pdata[0];
}

/* What a player sees: @n_frames frames of @codec from frame 30 on. */
static void
assert_decodes (HsRecording *r, const char *codec, guint n_frames)
{
  g_auto(HsTestFileInfo) info = { 0 };
  g_autoptr(GError) error = NULL;
  const char *path;

  g_assert_no_error ((GError *) hs_recording_get_error (r));
  path = hs_recording_get_location (r);
  g_assert_true (hs_test_probe_file (path, &info, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (info.codec, ==, codec);
  g_assert_true (info.starts_with_keyframe);
  g_assert_cmpuint (info.n_frames, ==, n_frames);
  g_assert_cmpuint (hs_recording_get_n_frames (r), ==, n_frames);
  g_assert_cmpint (info.width, ==, 160);
  g_assert_cmpint (info.height, ==, 120);
  /* WebM keeps milliseconds. */
  g_assert_cmpint (ABS (GST_CLOCK_DIFF (info.first_pts, FRAME (30))), <,
      GST_MSECOND);
  g_assert_cmpint (ABS (GST_CLOCK_DIFF (info.last_pts,
              FRAME (30 + n_frames - 1))), <, GST_MSECOND);
}

static gboolean
in_ring_branch (GstObject *object)
{
  g_autoptr(GstObject) parent = gst_object_get_parent (object);

  while (parent != NULL) {
    GstObject *up;

    if (g_str_has_prefix (GST_OBJECT_NAME (parent), "hs-ring-"))
      return TRUE;
    up = gst_object_get_parent (parent);
    gst_object_unref (parent);
    parent = up;
  }
  return FALSE;
}

/* How many elements made by @factory the recorder's ring branch holds. */
static guint
branch_count (Fixture *fx, const char *factory)
{
  g_autoptr(GstIterator) it = gst_bin_iterate_recurse (GST_BIN (fx->pipeline));
  GValue item = G_VALUE_INIT;
  guint n = 0;

  while (gst_iterator_next (it, &item) == GST_ITERATOR_OK) {
    GstElement *element = g_value_get_object (&item);
    GstElementFactory *f = gst_element_get_factory (element);

    if (f != NULL && g_str_equal (GST_OBJECT_NAME (f), factory) &&
        in_ring_branch (GST_OBJECT (element)))
      n++;
    g_value_reset (&item);
  }
  g_value_unset (&item);
  return n;
}

static void
assert_no_pipeline_error (Fixture *fx)
{
  g_autoptr(GstBus) bus = gst_element_get_bus (fx->pipeline);
  g_autoptr(GstMessage) message =
      gst_bus_pop_filtered (bus, GST_MESSAGE_ERROR);

  if (message != NULL) {
    g_autoptr(GError) error = NULL;

    gst_message_parse_error (message, &error, NULL);
    g_error ("the source pipeline got an error from %s: %s",
        GST_OBJECT_NAME (GST_MESSAGE_SRC (message)), error->message);
  }
}

/* ------------------------------------------------------------------------ */
/* Converters                                                               */

static void
test_auto_system (Fixture *fx, gconstpointer data)
{
  HsRecording *r = record (fx, SYSTEM_SRC, NULL, NULL);

  assert_decodes (r, "video/x-vp8", 60);
  g_assert_cmpuint (branch_count (fx, "videoconvert"), ==, 1);
  g_assert_cmpuint (branch_count (fx, "nvvideoconvert"), ==, 0);
  g_assert_cmpuint (branch_count (fx, "cudadownload"), ==, 0);
}

static void
test_auto_nvmm (Fixture *fx, gconstpointer data)
{
  HsRecording *r = record (fx, NVMM_SRC, "auto", NULL);

  assert_decodes (r, "video/x-vp8", 60);
  g_assert_cmpuint (branch_count (fx, "nvvideoconvert"), ==, 1);
  g_assert_cmpuint (branch_count (fx, "videoconvert"), ==, 0);
  g_assert_cmpuint (branch_count (fx, "cudadownload"), ==, 0);
  assert_no_pipeline_error (fx);
}

static void
test_auto_cuda (Fixture *fx, gconstpointer data)
{
  HsRecording *r = record (fx, CUDA_SRC, "auto", NULL);

  assert_decodes (r, "video/x-vp8", 60);
  g_assert_cmpuint (branch_count (fx, "cudaconvert"), ==, 1);
  g_assert_cmpuint (branch_count (fx, "cudadownload"), ==, 1);
  g_assert_cmpuint (branch_count (fx, "nvvideoconvert"), ==, 0);
  g_assert_cmpuint (branch_count (fx, "videoconvert"), ==, 0);
}

static void
push_frames (GstElement *appsrc, guint first, guint n)
{
  for (guint i = first; i < first + n; i++) {
    GstBuffer *buffer = gst_buffer_new_allocate (NULL, 160 * 120 * 3 / 2,
        NULL);

    gst_buffer_memset (buffer, 0, (guint8) (i * 2), 160 * 120 * 3 / 2);
    GST_BUFFER_PTS (buffer) = FRAME (i);
    GST_BUFFER_DURATION (buffer) = FRAME (i + 1) - FRAME (i);
    g_assert_cmpint (gst_app_src_push_buffer (GST_APP_SRC (appsrc), buffer),
        ==, GST_FLOW_OK);
  }
}

/* A source that switches from system memory to NVMM mid-stream (a decoder
 * going to hardware): `auto` swaps its converter and no frame is lost. */
static void
test_auto_switch (Fixture *fx, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GstElement) appsrc = NULL;
  g_autoptr(GstCaps) system = gst_caps_from_string (CAPS ",format=I420");
  g_autoptr(GstCaps) nvmm = gst_caps_from_string
      ("video/x-raw(memory:NVMM),format=I420,width=160,height=120,"
      "framerate=30/1");

  fx->pipeline = hs_test_pipeline_new ("appsrc name=src format=time ! "
      "tee name=t t. ! fakesink");
  appsrc = gst_bin_get_by_name (GST_BIN (fx->pipeline), "src");
  fx->recorder = try_recorder (fx, "auto", NULL, &error);
  g_assert_no_error (error);
  hs_test_fixture_watch (&fx->f, fx->recorder);

  gst_app_src_set_caps (GST_APP_SRC (appsrc), system);
  push_frames (appsrc, 0, 45);
  gst_app_src_set_caps (GST_APP_SRC (appsrc), nvmm);
  push_frames (appsrc, 45, 75);
  gst_app_src_end_of_stream (GST_APP_SRC (appsrc));

  hs_recorder_trigger_at (fx->recorder, 2 * GST_SECOND);
  hs_test_play (fx->pipeline);
  hs_test_fixture_wait_idle (&fx->f, fx->recorder);

  g_assert_cmpuint (fx->f.finished->len, ==, 1);
  assert_decodes (fx->f.finished->pdata[0], "video/x-vp8", 60);
  /* The cpu converter made way for the nvidia one. */
  g_assert_cmpuint (branch_count (fx, "nvvideoconvert"), ==, 1);
  g_assert_cmpuint (branch_count (fx, "videoconvert"), ==, 0);
  assert_no_pipeline_error (fx);
}

static void
test_nvidia (Fixture *fx, gconstpointer data)
{
  HsRecording *r = record (fx, NVMM_SRC, "nvidia", NULL);

  assert_decodes (r, "video/x-vp8", 60);
  g_assert_cmpuint (branch_count (fx, "nvvideoconvert"), ==, 1);
}

/* nvvideoconvert also takes system memory (in the formats it knows, such
 * as a camera's NV12), as the real one does. */
static void
test_nvidia_on_system_memory (Fixture *fx, gconstpointer data)
{
  HsRecording *r = record (fx, "videotestsrc ! " CAPS ",format=NV12 ! "
      "tee name=t t. ! fakesink", "nvidia", NULL);

  assert_decodes (r, "video/x-vp8", 60);
  g_assert_cmpuint (branch_count (fx, "nvvideoconvert"), ==, 1);
}

static void
test_cuda (Fixture *fx, gconstpointer data)
{
  HsRecording *r = record (fx, CUDA_SRC, "cuda", NULL);

  assert_decodes (r, "video/x-vp8", 60);
  g_assert_cmpuint (branch_count (fx, "cudaconvert"), ==, 1);
  g_assert_cmpuint (branch_count (fx, "cudadownload"), ==, 1);
}

/* cpu cannot read NVMM: the recording says so, the source runs on. */
static void
test_cpu_on_nvmm (Fixture *fx, gconstpointer data)
{
  HsRecording *r = record (fx, NVMM_SRC, "cpu", NULL);
  const GError *error = hs_recording_get_error (r);

  g_assert_error ((GError *) error, HS_ERROR, HS_ERROR_NOT_NEGOTIATED);
  g_assert_nonnull (strstr (error->message, "memory:NVMM"));
  g_assert_null (hs_recording_get_location (r));
  assert_no_pipeline_error (fx);
}

static void
test_converter_description (Fixture *fx, gconstpointer data)
{
  HsRecording *r = record (fx, NVMM_SRC,
      "nvvideoconvert ! video/x-raw,format=I420", NULL);

  assert_decodes (r, "video/x-vp8", 60);
  g_assert_cmpuint (branch_count (fx, "nvvideoconvert"), ==, 1);
}

typedef struct {
  const char *converter;
  const char *encoder;
  int code;
  const char *const says[3];    /* substrings of the message */
} BadCase;

static const BadCase bad_cases[] = {
  /* Converter descriptions */
  { "videoconvert name=a ! fakesink  videoconvert name=b", NULL,
    HS_ERROR_INVALID_ARGUMENT,
    { "exactly one free sink pad", "it has 2 sink pads (a:sink, b:sink) and 1 src pad (b:src)" } },
  { "fakesink", NULL, HS_ERROR_INVALID_ARGUMENT,
    { "1 sink pad (fakesink", "and 0 src pads" } },
  { "videoconvert ! ! videoscale", NULL, HS_ERROR_INVALID_ARGUMENT,
    { "does not build at character 16 ('! videoscale')", "syntax error" } },
  { "videoconvert nosuchproperty=1", NULL, HS_ERROR_INVALID_ARGUMENT,
    { "at character 14 ('nosuchproperty=1')", "nosuchproperty" } },
  { "videoconvert ! nosuchelement", NULL, HS_ERROR_MISSING_ELEMENT,
    { "'nosuchelement' (at character 16)", "gst-inspect-1.0" } },
  { "cudaconvert", NULL, HS_ERROR_NOT_NEGOTIATED,
    { "outputs video/x-raw(memory:CUDAMemory)", "cudadownload" } },
  { "gpu", NULL, HS_ERROR_INVALID_ARGUMENT,
    { "Unknown converter 'gpu': neither a variant (auto, cpu, nvidia, cuda)",
      "nor an installed GStreamer element" } },
  /* Encoder descriptions */
  { NULL, "vp8enc  vp9enc", HS_ERROR_INVALID_ARGUMENT,
    { "Encoder description", "exactly one free sink pad" } },
  { NULL, "videoconvert", HS_ERROR_NOT_NEGOTIATED,
    { "produces video/x-raw, which WebM cannot hold",
      "video/x-vp8, video/x-vp9, video/x-av1" } },
  { NULL, "nvv4l2vp8enc", HS_ERROR_NOT_NEGOTIATED,
    { "takes video/x-raw(memory:NVMM)", "nvvidconv" } },
  { NULL, "vp10", HS_ERROR_INVALID_ARGUMENT,
    { "Unknown encoder 'vp10': neither a variant (vp8, vp9, av1, nvidia)" } },
  { NULL, "vp9enc ! nosuchmux", HS_ERROR_MISSING_ELEMENT,
    { "'nosuchmux' (at character 10)" } },
};

/* A recorder with a variant that cannot work is never made. */
static void
test_refused (Fixture *fx, gconstpointer data)
{
  const BadCase *c = data;
  g_autoptr(GError) error = NULL;
  g_autoptr(HsRecorder) recorder = NULL;

  fx->pipeline = hs_test_pipeline_new (SYSTEM_SRC);
  recorder = try_recorder (fx, c->converter, c->encoder, &error);
  g_assert_null (recorder);
  g_assert_error (error, HS_ERROR, c->code);
  g_test_message ("%s", error->message);
  for (guint i = 0; i < G_N_ELEMENTS (c->says) && c->says[i]; i++)
    if (strstr (error->message, c->says[i]) == NULL)
      g_error ("'%s' does not say '%s'", error->message, c->says[i]);
}

/* ------------------------------------------------------------------------ */
/* Encoders                                                                 */

static void
test_vp9 (Fixture *fx, gconstpointer data)
{
  assert_decodes (record (fx, SYSTEM_SRC, NULL, "vp9"), "video/x-vp9", 60);
}

static void
test_av1 (Fixture *fx, gconstpointer data)
{
  if (!hs_test_require_elements ("av1enc", "av1parse", "av1dec", NULL))
    return;
  assert_decodes (record (fx, SYSTEM_SRC, NULL, "av1"), "video/x-av1", 60);
}

/* Jetson: nvvidconv into NVMM, nvv4l2vp8enc (both stand-ins here). */
static void
test_nvidia_encoder (Fixture *fx, gconstpointer data)
{
  assert_decodes (record (fx, SYSTEM_SRC, NULL, "nvidia"), "video/x-vp8", 60);
}

/* Both GPU ends at once: NVMM in the tee and a Jetson encoder. */
static void
test_nvidia_both (Fixture *fx, gconstpointer data)
{
  assert_decodes (record (fx, NVMM_SRC, "nvidia", "nvidia"), "video/x-vp8",
      60);
}

static void
test_encoder_description (Fixture *fx, gconstpointer data)
{
  assert_decodes (record (fx, SYSTEM_SRC, NULL,
          "vp9enc deadline=1 cpu-used=8 target-bitrate=300000"),
      "video/x-vp9", 60);
}

/* An AV1 description gets the av1parse WebM needs after it. */
static void
test_encoder_description_av1 (Fixture *fx, gconstpointer data)
{
  assert_decodes (record (fx, SYSTEM_SRC, NULL,
          "av1enc usage-profile=realtime cpu-used=9 end-usage=cbr "
          "min-quantizer=10 max-quantizer=56 target-bitrate=300"),
      "video/x-av1", 60);
}

/* The Jetson chain spelt out by hand. */
static void
test_encoder_description_nvidia (Fixture *fx, gconstpointer data)
{
  assert_decodes (record (fx, SYSTEM_SRC, NULL,
          "nvvidconv ! video/x-raw(memory:NVMM) ! nvv4l2vp9enc"),
      "video/x-vp9", 60);
}

/* Encoded mode: the ring branch encodes with the variant, a keyframe every
 * second; the file starts at the keyframe at or before the window's start
 * and ends with the frame before its end. */
static void
test_encoded (Fixture *fx, gconstpointer data)
{
  const char *const *variant = data;     /* { source, converter, encoder, codec } */
  g_autoptr(GError) error = NULL;
  g_autofree char *location = hs_test_fixture_path (&fx->f, "%{index}.webm");
  g_auto(HsTestFileInfo) info = { 0 };
  HsRecording *r;
  guint first;

  fx->pipeline = hs_test_pipeline_new (variant[0]);
  fx->recorder = g_initable_new (HS_TYPE_RECORDER, NULL, &error,
      "pipeline", fx->pipeline, "source", "t", "pre", 1.0, "post", 1.0,
      "location", location, "converter", variant[1], "encoder", variant[2],
      "mode", HS_RECORDER_MODE_ENCODED, "keyframe-interval", 1.0, NULL);
  g_assert_no_error (error);
  hs_test_fixture_watch (&fx->f, fx->recorder);
  /* window [1.5 s, 3.5 s): frames up to 104 */
  hs_recorder_trigger_at (fx->recorder, 2500 * GST_MSECOND);
  hs_test_play (fx->pipeline);
  hs_test_fixture_wait_idle (&fx->f, fx->recorder);

  g_assert_cmpuint (fx->f.finished->len, ==, 1);
  r = fx->f.finished->pdata[0];
  g_assert_no_error ((GError *) hs_recording_get_error (r));
  g_assert_true (hs_test_probe_file (hs_recording_get_location (r), &info,
          &error));
  g_assert_no_error (error);
  g_assert_cmpstr (info.codec, ==, variant[3]);
  g_assert_true (info.starts_with_keyframe);
  g_assert_cmpuint (info.first_pts, <=, 1500 * GST_MSECOND);
  g_assert_cmpuint (info.first_pts + GST_SECOND, >=, 1500 * GST_MSECOND);
  first = (guint) gst_util_uint64_scale_round (info.first_pts, 30, GST_SECOND);
  g_assert_cmpuint (info.n_frames, ==, 104 - first + 1);
  g_assert_cmpuint (hs_recording_get_n_frames (r), ==, info.n_frames);
}

static const char *const encoded_vp9[] = {
  SYSTEM_SRC, "auto", "vp9", "video/x-vp9"
};
static const char *const encoded_av1[] = {
  SYSTEM_SRC, "auto", "av1", "video/x-av1"
};
static const char *const encoded_nvidia[] = {
  NVMM_SRC, "auto", "nvidia", "video/x-vp8"
};

static void
skip_without_stand_ins (void)
{
  g_test_skip ("the stand-in plugin is not loaded: run through meson test, "
      "which sets GST_PLUGIN_PATH");
}

static void
add (const char *path, void (*func) (Fixture *, gconstpointer))
{
  hs_test_add_recorder_test (path, NULL, func);
}

int
main (int argc, char **argv)
{
  g_autoptr(GstElementFactory) stand_in = NULL;

  gst_init (&argc, &argv);
  g_test_init (&argc, &argv, NULL);

  stand_in = gst_element_factory_find ("hstestnvmmupload");
  if (stand_in == NULL) {
    g_test_add_func ("/variants/stand-ins-loaded", skip_without_stand_ins);
    return g_test_run ();
  }

  add ("/variants/converter/auto/system-memory", test_auto_system);
  add ("/variants/converter/auto/nvmm", test_auto_nvmm);
  add ("/variants/converter/auto/cuda", test_auto_cuda);
  add ("/variants/converter/auto/switch-to-nvmm", test_auto_switch);
  add ("/variants/converter/nvidia", test_nvidia);
  add ("/variants/converter/nvidia/system-memory",
      test_nvidia_on_system_memory);
  add ("/variants/converter/cuda", test_cuda);
  add ("/variants/converter/cpu/nvmm-refused", test_cpu_on_nvmm);
  add ("/variants/converter/description", test_converter_description);
  add ("/variants/encoder/vp9", test_vp9);
  add ("/variants/encoder/av1", test_av1);
  add ("/variants/encoder/nvidia", test_nvidia_encoder);
  add ("/variants/encoder/nvidia/with-nvmm-tee", test_nvidia_both);
  add ("/variants/encoder/description/vp9", test_encoder_description);
  add ("/variants/encoder/description/av1", test_encoder_description_av1);
  add ("/variants/encoder/description/nvidia",
      test_encoder_description_nvidia);
  hs_test_add_recorder_test ("/variants/encoder/encoded-mode/vp9",
      encoded_vp9, test_encoded);
  hs_test_add_recorder_test ("/variants/encoder/encoded-mode/av1",
      encoded_av1, test_encoded);
  hs_test_add_recorder_test ("/variants/encoder/encoded-mode/nvidia",
      encoded_nvidia, test_encoded);

  for (guint i = 0; i < G_N_ELEMENTS (bad_cases); i++) {
    const BadCase *c = &bad_cases[i];
    g_autofree char *path = g_strdup_printf ("/variants/refused/%s/%u",
        c->converter ? "converter" : "encoder", i);

    hs_test_add_recorder_test (path, c, test_refused);
  }

  return g_test_run ();
}
