/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "hs-test-plugin.h"

static const char *const system_memory[] = {
  GST_CAPS_FEATURE_MEMORY_SYSTEM_MEMORY, NULL
};
static const char *const nvmm[] = { "memory:NVMM", NULL };
static const char *const nvmm_or_system[] = {
  "memory:NVMM", GST_CAPS_FEATURE_MEMORY_SYSTEM_MEMORY, NULL
};
static const char *const cuda[] = { "memory:CUDAMemory", NULL };
static const char *const cuda_or_system[] = {
  "memory:CUDAMemory", GST_CAPS_FEATURE_MEMORY_SYSTEM_MEMORY, NULL
};

static const HsTestMemoryInfo nvvideoconvert = {
  "Stand-in for DeepStream's nvvideoconvert: NVMM or system memory in and "
  "out, converts formats", nvmm_or_system, nvmm_or_system, TRUE
};
static const HsTestMemoryInfo nvvidconv = {
  "Stand-in for Jetson's nvvidconv: NVMM or system memory in and out, "
  "converts formats", nvmm_or_system, nvmm_or_system, TRUE
};
static const HsTestMemoryInfo cudaconvert = {
  "Stand-in for nvcodec's cudaconvert: converts formats in CUDA memory",
  cuda, cuda, TRUE
};
static const HsTestMemoryInfo cudadownload = {
  "Stand-in for nvcodec's cudadownload: copies between CUDA and system "
  "memory", cuda_or_system, cuda_or_system, FALSE
};
static const HsTestMemoryInfo cudaupload = {
  "Stand-in for nvcodec's cudaupload: copies between system and CUDA "
  "memory", cuda_or_system, cuda_or_system, FALSE
};
static const HsTestMemoryInfo nvmm_upload = {
  "Test source helper: ordinary frames out as video/x-raw(memory:NVMM)",
  system_memory, nvmm, FALSE
};
static const HsTestMemoryInfo nvmm_download = {
  "Test helper: video/x-raw(memory:NVMM) frames out as ordinary frames",
  nvmm, system_memory, FALSE
};

static const HsTestNvEncoderInfo nvv4l2vp8enc = {
  "Stand-in for Jetson's nvv4l2vp8enc (libvpx inside)", "vp8enc",
  "video/x-vp8"
};
static const HsTestNvEncoderInfo nvv4l2vp9enc = {
  "Stand-in for Jetson's nvv4l2vp9enc (libvpx inside)", "vp9enc",
  "video/x-vp9"
};

/* Every element of the plugin, in one place. */
static const struct {
  const char *name;
  HsTestRegisterFunc register_element;
  gconstpointer data;
} elements[] = {
  { "nvvideoconvert", hs_test_memory_register, &nvvideoconvert },
  { "nvvidconv", hs_test_memory_register, &nvvidconv },
  { "cudaconvert", hs_test_memory_register, &cudaconvert },
  { "cudadownload", hs_test_memory_register, &cudadownload },
  { "cudaupload", hs_test_memory_register, &cudaupload },
  { "hstestnvmmupload", hs_test_memory_register, &nvmm_upload },
  { "hstestnvmmdownload", hs_test_memory_register, &nvmm_download },
  { "nvv4l2vp8enc", hs_test_nv_encoder_register, &nvv4l2vp8enc },
  { "nvv4l2vp9enc", hs_test_nv_encoder_register, &nvv4l2vp9enc },
};

static gboolean
plugin_init (GstPlugin *plugin)
{
  for (guint i = 0; i < G_N_ELEMENTS (elements); i++)
    if (!elements[i].register_element (plugin, elements[i].name,
            elements[i].data))
      return FALSE;
  return TRUE;
}

GST_PLUGIN_DEFINE (GST_VERSION_MAJOR, GST_VERSION_MINOR, hstest,
    "hindsight test stand-ins (never installed)", plugin_init, "0.1.0",
    "LGPL", "hindsight", "https://gstreamer.freedesktop.org")
