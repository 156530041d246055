#!/usr/bin/env python3
# -*- coding: utf-8 -*-
# SPDX-License-Identifier: LGPL-2.1-or-later

"""single_recorder.py - one recorder on one tee, the pythiags minimal example.

    single_recorder.py [OUTDIR]

Triggers at running time 3 s and 4 s (one file, [1 s, 6 s)) and at 9 s (a
second file, [7 s, 11 s)), waits until the recorder is idle and prints each
file: the same two files as examples/single-recorder.c. Exits 0 only if
every file closed cleanly. See README.md for running it against a build
tree.
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

# sync=true: the test source goes at the clock's pace, like a camera, so the
# sleeps below follow the pipeline's running time.
pipeline_str = """
videotestsrc
! video/x-raw,framerate=30/1
! tee
  name=t1
t1.
! fakesink
  sync=true
"""
app = Hindsight.Pipeline.new(pipeline_str)
app.start()  # like background=True: the main loop runs on a thread of its own

recorder = Hindsight.Recorder(
    pipeline=app.props.pipeline,
    source="t1",
    location=str(video_storage / "%{source}-%{index}.webm"),
    pre=2,
    post=2,
)
recorder.init(None)  # attaches to the tee; raises GLib.Error if it cannot

# Signals come on the loop's thread; read the list once the recorder is idle.
recordings = []
recorder.connect("recording-finished", lambda _, r: recordings.append(r))

# trigger_at() is exact to the frame, whenever it is called: the sleeps only
# pace the demo (each trigger is made a little before its time).
sleep(2)
recorder.trigger_at(3 * Gst.SECOND)  # so start at 3-pre=3-2=1
sleep(1)
recorder.trigger_at(4 * Gst.SECOND)  # just move the end, one second longer

sleep(2)
# the window ends at 6

sleep(2 + 1)  # windows never overlap: the next one starts at 9-2=7
recorder.trigger_at(9 * Gst.SECOND)  # record once more

while recorder.props.busy:
    sleep(0.1)

app.stop()
try:
    app.wait()
except GLib.Error as error:
    print(f"pipeline: {error.message}", file=sys.stderr)
    sys.exit(1)

failures = 0
for r in recordings:
    if r.props.error is not None:
        print(f"{r.props.location}: {r.props.error.message}", file=sys.stderr)
        failures += 1
        continue
    print(
        f"{r.props.location}: start {r.props.start_time / Gst.SECOND:.3f} s, "
        f"duration {r.props.duration / Gst.SECOND:.3f} s, "
        f"{r.props.n_frames} frames"
    )
sys.exit(1 if failures or not recordings else 0)
