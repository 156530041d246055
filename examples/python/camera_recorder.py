#!/usr/bin/env python3
# -*- coding: utf-8 -*-
# SPDX-License-Identifier: LGPL-2.1-or-later

"""camera_recorder.py - a camera's own H.264, recorded without re-encoding.

    camera_recorder.py [OUTDIR]

Most cameras deliver H.264 or H.265. The tee here carries compressed video
(a test pattern encoded by x264enc stands in for the camera), so the
recorder's default mode, auto, keeps the camera's access units and each
file is a remux: no decoder, no encoder. The files are fragmented MP4, so a
file cut short by a crash still plays up to its last fragment.

Triggers at 3.05 s with pre = post = 2: the file starts at the keyframe at
or before 1.05 s (one every second, a few milliseconds after each whole
second of this live source) and ends before 5.05 s. Exits 0 only if the
file closed cleanly.
"""

import shutil
import sys
from pathlib import Path
from time import sleep

import gi

gi.require_version("Gst", "1.0")
gi.require_version("Hindsight", "1.0")
from gi.repository import GLib, Gst, Hindsight  # noqa: E402

Gst.init(None)

video_storage = Path(sys.argv[1] if len(sys.argv) > 1 else "/tmp/hindsightcamera")
shutil.rmtree(video_storage, ignore_errors=True)
video_storage.mkdir(exist_ok=True, parents=True)

# h264parse before the tee: the recorder takes parsed access units.
pipeline_str = """
videotestsrc is-live=true
! video/x-raw,format=I420,width=320,height=240,framerate=30/1
! x264enc key-int-max=30 tune=zerolatency speed-preset=ultrafast
! h264parse
! tee
  name=cam0
cam0.
! queue
! fakesink
"""
app = Hindsight.Pipeline.new(pipeline_str)
app.start()

recorder = Hindsight.Recorder(
    pipeline=app.props.pipeline,
    source="cam0",
    location=str(video_storage / "%{source}-%{index}.%{ext}"),
    container=Hindsight.Container.MP4,
    pre=2,
    post=2,
)
recorder.init(None)

recordings = []
recorder.connect("recording-finished", lambda _, r: recordings.append(r))

recorder.trigger_at(3050 * Gst.MSECOND)
sleep(1)
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
        f"{r.props.location}: from {r.props.start_time / Gst.SECOND:.3f} s "
        f"(asked {r.props.requested_start / Gst.SECOND:.3f} s), "
        f"{r.props.n_frames} frames"
    )
sys.exit(1 if failures or not recordings else 0)
