/* A stand-in for an RTSP camera: serves a live 160x120 test pattern as raw
 * video (RFC 4175) at rtsp://127.0.0.1:PORT/cam until it is killed, as a
 * camera that reboots would vanish. Prints "ready" on stdout once it
 * listens.
 *
 *   hs-rtsp-camera PORT
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <gst/gst.h>
#include <gst/rtsp-server/rtsp-server.h>
#include <stdio.h>

int
main (int argc, char **argv)
{
  g_autoptr(GMainLoop) loop = NULL;
  g_autoptr(GstRTSPServer) server = NULL;
  g_autoptr(GstRTSPMountPoints) mounts = NULL;
  GstRTSPMediaFactory *factory;

  gst_init (&argc, &argv);
  if (argc != 2) {
    g_printerr ("usage: %s PORT\n", argv[0]);
    return 2;
  }
  loop = g_main_loop_new (NULL, FALSE);
  server = gst_rtsp_server_new ();
  gst_rtsp_server_set_address (server, "127.0.0.1");
  gst_rtsp_server_set_service (server, argv[1]);
  factory = gst_rtsp_media_factory_new ();
  gst_rtsp_media_factory_set_launch (factory, "( videotestsrc is-live=true "
      "! video/x-raw,format=I420,width=160,height=120,framerate=30/1 "
      "! rtpvrawpay name=pay0 pt=96 )");
  gst_rtsp_media_factory_set_shared (factory, TRUE);
  mounts = gst_rtsp_server_get_mount_points (server);
  gst_rtsp_mount_points_add_factory (mounts, "/cam", factory);
  if (gst_rtsp_server_attach (server, NULL) == 0) {
    g_printerr ("cannot listen on port %s\n", argv[1]);
    return 1;
  }
  printf ("ready\n");
  fflush (stdout);
  g_main_loop_run (loop);
  return 0;
}
