#!/usr/bin/env python3
# -*- coding: utf-8 -*-
# SPDX-License-Identifier: LGPL-2.1-or-later

"""element_recorder.py - the hindsightrecorder element from plain GStreamer.

    element_recorder.py [OUTDIR]

Uses only Gst (no Hindsight typelib, no GLib main loop): the element is found
through GST_PLUGIN_PATH like any plugin. Triggers it with the action signal
trigger-at at running time 3 s, reads the hindsight-recording-finished
message from the bus ([1 s, 5 s), 120 frames), then ends the stream with EOS
as gst-launch-1.0 -e does. Exits 0 only if the file closed cleanly.
"""

import shutil
import sys
from pathlib import Path

import gi

gi.require_version("Gst", "1.0")
from gi.repository import Gst  # noqa: E402

Gst.init(None)

video_storage = Path(sys.argv[1] if len(sys.argv) > 1 else "/tmp/hindsightdemo")
shutil.rmtree(video_storage, ignore_errors=True)
video_storage.mkdir(exist_ok=True, parents=True)

# A live source, like a camera; the recorder is one more branch of the tee.
pipeline = Gst.parse_launch(
    "videotestsrc is-live=true ! video/x-raw,framerate=30/1 ! tee name=t "
    "t. ! queue ! fakesink sync=true "
    "t. ! queue ! hindsightrecorder name=rec pre=2 post=2 "
    f"location={video_storage}/%{{source}}-%{{index}}.webm"
)
recorder = pipeline.get_by_name("rec")
bus = pipeline.get_bus()

pipeline.set_state(Gst.State.PLAYING)
# Exact to the frame whenever it is called, as long as the ring still holds
# 3 s - pre: here the trigger waits for its time.
recorder.emit("trigger-at", 3 * Gst.SECOND)


def wait_for(types, timeout_s):
    """The next message of @types, or exit on an error or a timeout."""
    message = bus.timed_pop_filtered(
        timeout_s * Gst.SECOND, types | Gst.MessageType.ERROR
    )
    if message is None:
        sys.exit("timed out")
    if message.type == Gst.MessageType.ERROR:
        error, _ = message.parse_error()
        sys.exit(f"pipeline: {error.message}")
    return message


# The element reports on the bus; its own thread decides and writes.
while True:
    message = wait_for(Gst.MessageType.ELEMENT, 30)
    s = message.get_structure()
    if s.get_name() == "hindsight-recording-finished":
        break

error = s.get_value("error")
start = s.get_value("start-time") / Gst.SECOND
duration = s.get_value("duration") / Gst.SECOND
print(
    f"{s.get_value('location')}: start {start:.3f} s, duration {duration:.3f} s, "
    f"{s.get_value('n-frames')} frames" + (f", error: {error}" if error else "")
)

# EOS waits until every file of the element is closed.
pipeline.send_event(Gst.Event.new_eos())
wait_for(Gst.MessageType.EOS, 30)
pipeline.set_state(Gst.State.NULL)
sys.exit(1 if error else 0)
