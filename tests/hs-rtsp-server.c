/* A camera stand-in for the tests: an RTSP server on 127.0.0.1 that serves
 * pre-encoded clips at their own pace, one mount point per clip.
 *
 *   hs-rtsp-server /NAME=CLIP.mkv:VIDEO[+AUDIO] ...
 *
 * VIDEO is h264 or h265, AUDIO (a second track of the clip) aac, opus,
 * mulaw or alaw, as cameras send them. The server listens on a free port
 * and prints "port N" on stdout once it accepts connections; it runs until
 * it is killed.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <gst/gst.h>
#include <gst/rtsp-server/rtsp-server.h>
#include <stdio.h>
#include <string.h>

static const struct {
  const char *name;
  const char *chain;            /* from the demuxer's pad to the payloader */
} payloaders[] = {
  { "h264", "h264parse ! rtph264pay config-interval=-1 pt=96" },
  { "h265", "h265parse ! rtph265pay config-interval=-1 pt=96" },
  { "aac", "aacparse ! rtpmp4gpay pt=97" },
  { "opus", "opusparse ! rtpopuspay pt=97" },
  { "mulaw", "rtppcmupay pt=0" },
  { "alaw", "rtppcmapay pt=8" },
};

static const char *
chain_of (const char *name)
{
  for (guint i = 0; i < G_N_ELEMENTS (payloaders); i++)
    if (g_str_equal (payloaders[i].name, name))
      return payloaders[i].chain;
  return NULL;
}

/* The launch line of CLIP:VIDEO[+AUDIO], or NULL. */
static char *
launch_line (const char *spec)
{
  const char *colon = strrchr (spec, ':');
  g_autofree char *path = NULL;
  g_autofree char *quoted = NULL;
  g_auto(GStrv) codecs = NULL;
  g_autoptr(GString) line = g_string_new ("( ");

  if (colon == NULL)
    return NULL;
  path = g_strndup (spec, colon - spec);
  quoted = g_strescape (path, NULL);
  codecs = g_strsplit (colon + 1, "+", 2);
  g_string_append_printf (line, "filesrc location=\"%s\" ! matroskademux "
      "name=d ", quoted);
  for (guint i = 0; codecs[i] != NULL; i++) {
    const char *chain = chain_of (codecs[i]);

    if (chain == NULL)
      return NULL;
    g_string_append_printf (line, "d.%s_0 ! queue ! %s name=pay%u ",
        i == 0 ? "video" : "audio", chain, i);
  }
  g_string_append (line, ")");
  return g_string_free (g_steal_pointer (&line), FALSE);
}

int
main (int argc, char **argv)
{
  g_autoptr(GMainLoop) loop = NULL;
  g_autoptr(GstRTSPServer) server = NULL;
  g_autoptr(GstRTSPMountPoints) mounts = NULL;

  gst_init (&argc, &argv);
  if (argc < 2) {
    g_printerr ("usage: %s /NAME=CLIP.mkv:VIDEO[+AUDIO]...\n", argv[0]);
    return 2;
  }
  loop = g_main_loop_new (NULL, FALSE);
  server = gst_rtsp_server_new ();
  gst_rtsp_server_set_address (server, "127.0.0.1");
  gst_rtsp_server_set_service (server, "0");
  mounts = gst_rtsp_server_get_mount_points (server);

  for (int i = 1; i < argc; i++) {
    const char *eq = strchr (argv[i], '=');
    g_autofree char *mount = NULL;
    g_autofree char *line = NULL;
    GstRTSPMediaFactory *factory;

    if (eq != NULL && argv[i][0] == '/')
      line = launch_line (eq + 1);
    if (line == NULL) {
      g_printerr ("%s: not /NAME=CLIP:VIDEO[+AUDIO]\n", argv[i]);
      return 2;
    }
    mount = g_strndup (argv[i], eq - argv[i]);
    factory = gst_rtsp_media_factory_new ();
    gst_rtsp_media_factory_set_launch (factory, line);
    gst_rtsp_media_factory_set_shared (factory, TRUE);
    gst_rtsp_mount_points_add_factory (mounts, mount, factory);
  }

  if (gst_rtsp_server_attach (server, NULL) == 0) {
    g_printerr ("cannot listen on 127.0.0.1\n");
    return 1;
  }
  printf ("port %d\n", gst_rtsp_server_get_bound_port (server));
  fflush (stdout);
  g_main_loop_run (loop);
  return 0;
}
