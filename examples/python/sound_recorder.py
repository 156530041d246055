#!/usr/bin/env python3
# -*- coding: utf-8 -*-
# SPDX-License-Identifier: LGPL-2.1-or-later

"""sound_recorder.py - picture and sound of a camera, in one file, in sync.

    sound_recorder.py [OUTDIR]

A live test pattern on tee cam0 and a live tick every 100 ms on tee mic0
stand in for a camera and its microphone. The recorder takes the video tee
as its source and the audio tee as its audio-source: each file holds the
sound of its window, from its first frame to the end of its last, encoded
with Opus (audio-encoder) since the tee carries raw audio.

Triggers at 3.05 s with pre = post = 2: the file holds [1.05 s, 5.05 s).
Exits 0 only if the file closed cleanly and holds sound.
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

video_storage = Path(sys.argv[1] if len(sys.argv) > 1 else "/tmp/hindsightsound")
shutil.rmtree(video_storage, ignore_errors=True)
video_storage.mkdir(exist_ok=True, parents=True)

pipeline_str = """
videotestsrc is-live=true
! video/x-raw,width=320,height=240,framerate=30/1
! tee name=cam0
cam0. ! queue ! fakesink
audiotestsrc is-live=true wave=ticks tick-interval=100000000 volume=0.5
! audio/x-raw,rate=48000,channels=1
! tee name=mic0
mic0. ! queue ! fakesink
"""
app = Hindsight.Pipeline.new(pipeline_str)
app.start()

# audio-source is fixed when the recorder is made: pass it to the
# constructor, then init().
recorder = Hindsight.Recorder(
    pipeline=app.props.pipeline,
    source="cam0",
    audio_source="mic0",
    audio_encoder="opus",
    location=str(video_storage / "%{source}-%{index}.webm"),
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
    if r.props.error is not None or r.props.audio_codec is None:
        reason = r.props.error.message if r.props.error else "no sound"
        print(f"{r.props.location}: {reason}", file=sys.stderr)
        failures += 1
        continue
    print(
        f"{r.props.location}: {r.props.n_frames} frames, "
        f"{r.props.n_audio_frames} audio buffers ({r.props.audio_codec})"
    )
sys.exit(1 if failures or not recordings else 0)
