/* Test-only GStreamer plugin "hstest": stand-ins for elements that need
 * hardware (NVIDIA DeepStream, CUDA, Jetson) and other test elements.
 * Loaded only through GST_PLUGIN_PATH in the test environment.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <gst/gst.h>

G_BEGIN_DECLS

/* Registers element @name in @plugin; @data is the entry's own data. */
typedef gboolean (*HsTestRegisterFunc) (GstPlugin     *plugin,
                                        const char    *name,
                                        gconstpointer  data);

/* A video filter that takes frames in one set of memory types (caps
 * features) and puts out another, copying (and converting when @converts)
 * the frames in system memory. The frames never really live on a GPU: only
 * the caps say so, which is all a pipeline negotiates on. */
typedef struct {
  const char         *description;
  const char *const  *sink_features;    /* NULL-terminated */
  const char *const  *src_features;     /* NULL-terminated */
  gboolean            converts;         /* converts the pixel format too */
} HsTestMemoryInfo;

gboolean hs_test_memory_register (GstPlugin     *plugin,
                                  const char    *name,
                                  gconstpointer  data);

/* A bin that looks like a Jetson V4L2 encoder: NVMM frames in, a software
 * libvpx encoder inside, "bitrate" and "iframeinterval" properties. */
typedef struct {
  const char *description;
  const char *encoder;                  /* "vp8enc", "vp9enc" */
  const char *caps;                     /* "video/x-vp8" */
} HsTestNvEncoderInfo;

gboolean hs_test_nv_encoder_register (GstPlugin     *plugin,
                                      const char    *name,
                                      gconstpointer  data);

G_END_DECLS
