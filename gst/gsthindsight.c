/* The GStreamer plugin "hindsight".
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#include "gsthindsightrecorder.h"

#define PACKAGE "hindsight"

static gboolean
plugin_init (GstPlugin *plugin)
{
  return GST_ELEMENT_REGISTER (hindsightrecorder, plugin);
}

GST_PLUGIN_DEFINE (GST_VERSION_MAJOR, GST_VERSION_MINOR, hindsight,
    "Records the seconds before an event", plugin_init, PACKAGE_VERSION,
    "LGPL", PACKAGE, "Unknown package origin")
