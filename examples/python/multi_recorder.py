#!/usr/bin/env python3
# -*- coding: utf-8 -*-
# SPDX-License-Identifier: LGPL-2.1-or-later

"""multi_recorder.py - one recorder per tee, the pythiags multi-recorder example.

    multi_recorder.py [OUTDIR]

Two sources, tee_0 and tee_1. Triggers tee_0 at 3 s ([1 s, 5 s)) and tee_1
at 4 s and 5 s ([2 s, 7 s)); each file name carries its source: the same
files as examples/multi-recorder.c. Exits 0 only if every file closed
cleanly. See README.md for running it against a build tree.
"""

import shutil
import sys
from pathlib import Path
from time import sleep

import gi

gi.require_version("Gst", "1.0")
gi.require_version("Hindsight", "1.0")
from gi.repository import GLib, Gst, Hindsight  # noqa: E402

Gst.init(None)  # hindsight does not initialize GStreamer itself

video_storage = Path(sys.argv[1] if len(sys.argv) > 1 else "/tmp/hindsightdemo")
shutil.rmtree(video_storage, ignore_errors=True)
video_storage.mkdir(exist_ok=True, parents=True)

# sync=true: the test sources go at the clock's pace, like cameras, so the
# sleeps below follow the pipeline's running time.
pipeline_str = """
videotestsrc
! video/x-raw,framerate=30/1
! tee
  name=tee_0
tee_0.
! fakesink
  sync=true

videotestsrc
  pattern=ball
! video/x-raw,framerate=30/1
! tee
    name=tee_1
tee_1.
  ! fakesink
    sync=true
"""
app = Hindsight.Pipeline.new(pipeline_str)
app.start()  # like background=True: the main loop runs on a thread of its own

# One recorder per tee whose name matches: tee_0 and tee_1.
recorder = Hindsight.MultiRecorder(
    pipeline=app.props.pipeline,
    pattern="tee_%u",
    location=str(video_storage / "%{index}_%{source}.webm"),
    pre=2,
    post=2,
)
recorder.init(None)  # attaches to the tees; raises GLib.Error if none matches

# Signals come on the loop's thread; read the list once the recorder is idle.
recordings = []
recorder.connect("recording-finished", lambda _, r: recordings.append(r))

# trigger_at() is exact to the frame, whenever it is called: the sleeps only
# pace the demo (each trigger is made a little before its time).
sleep(2)
recorder.trigger_at("tee_0", 3 * Gst.SECOND)  # [3-2, 3+2) = [1, 5)

sleep(1)
recorder.trigger_at("tee_1", 4 * Gst.SECOND)  # [2, 6)
sleep(1)
recorder.trigger_at("tee_1", 5 * Gst.SECOND)  # the same file, to 7

while recorder.props.busy:
    sleep(0.1)

app.stop()
try:
    app.wait()
except GLib.Error as error:
    print(f"pipeline: {error.message}", file=sys.stderr)
    sys.exit(1)

failures = 0
for r in sorted(recordings, key=lambda r: r.props.source):
    if r.props.error is not None:
        print(f"{r.props.source}: {r.props.error.message}", file=sys.stderr)
        failures += 1
        continue
    print(
        f"{r.props.location}: start {r.props.start_time / Gst.SECOND:.3f} s, "
        f"duration {r.props.duration / Gst.SECOND:.3f} s, "
        f"{r.props.n_frames} frames"
    )
sys.exit(1 if failures or not recordings else 0)
