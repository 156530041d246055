#!/usr/bin/env python3
# -*- coding: utf-8 -*-
# SPDX-License-Identifier: LGPL-2.1-or-later

"""asyncio_recorder.py - hindsight's asynchronous API from Python.

    asyncio_recorder.py [OUTDIR]

Records "now" twice, at about 3 s and 4 s of running time: the first call
starts a file ([1 s, 5 s)), the second extends it to about 6 s, so both
complete with the same file once it is closed. A third call is cancelled
at once: that ends its wait, not the recording. Then the pipeline is
stopped with stop_async().

With PyGObject 3.50 or newer, gi.events runs asyncio on GLib's main loop
and the calls are awaited. Older PyGObject (Debian 12 has 3.42) has no such
integration: the same steps then run as callbacks on a GLib main loop.

The pipeline and its recorder live on a main context of their own, which
HsPipeline.start() iterates on its thread. Each *_async() call completes on
the context that was thread-default where it was made: here the main
thread's, which asyncio (or the GLib main loop) runs. See README.md for
running it against a build tree.
"""

import shutil
import sys
from pathlib import Path

import gi

gi.require_version("Gst", "1.0")
gi.require_version("Hindsight", "1.0")
from gi.repository import Gio, GLib, Gst, Hindsight  # noqa: E402

Gst.init(None)  # hindsight does not initialize GStreamer itself

PIPELINE = """
videotestsrc
! video/x-raw,framerate=30/1
! tee
  name=t1
t1.
! fakesink
  sync=true
"""


def build(video_storage):
    """The runner and a recorder, on a main context of their own."""
    context = GLib.MainContext.new()
    context.push_thread_default()
    try:
        app = Hindsight.Pipeline.new(PIPELINE)
        recorder = Hindsight.Recorder(
            pipeline=app.props.pipeline,
            source="t1",
            location=str(video_storage / "%{source}-%{index}.webm"),
            pre=2,
            post=2,
        )
        recorder.init(None)
    finally:
        context.pop_thread_default()
    return app, recorder


def describe(recording):
    return (
        f"{recording.props.location}: "
        f"start {recording.props.start_time / Gst.SECOND:.3f} s, "
        f"duration {recording.props.duration / Gst.SECOND:.3f} s, "
        f"{recording.props.n_frames} frames"
    )


def reached(recorder, seconds):
    """Whether the source's running time is known and at least seconds."""
    now = recorder.get_running_time()
    return now != Gst.CLOCK_TIME_NONE and now >= seconds * Gst.SECOND


def is_cancelled(error):
    return error.matches(Gio.io_error_quark(), Gio.IOErrorEnum.CANCELLED)


# -- asyncio, through gi.events ----------------------------------------------


async def main_asyncio(video_storage):
    import asyncio

    def record(recorder, cancellable=None):
        """hs_recorder_record_async() as an awaitable."""
        future = asyncio.get_running_loop().create_future()

        def done(recorder, result):
            try:
                future.set_result(recorder.record_finish(result))
            except GLib.Error as error:
                future.set_exception(error)

        recorder.record_async(cancellable, done)
        return future

    def stop(app):
        future = asyncio.get_running_loop().create_future()

        def done(app, result):
            try:
                future.set_result(app.stop_finish(result))
            except GLib.Error as error:
                future.set_exception(error)

        app.stop_async(None, done)
        return future

    async def running_time(recorder, seconds):
        while not reached(recorder, seconds):
            await asyncio.sleep(0.02)

    app, recorder = build(video_storage)
    app.start()

    await running_time(recorder, 3)
    first = record(recorder)  # starts a file at 3 - 2 = 1 s
    await running_time(recorder, 4)
    second = record(recorder)  # extends it to 4 + 2 = 6 s

    cancellable = Gio.Cancellable()
    third = record(recorder, cancellable)
    cancellable.cancel()
    try:
        await third
    except GLib.Error as error:
        assert is_cancelled(error), error.message
        print("cancelled: stopped waiting, the recording goes on")

    a, b = await asyncio.gather(first, second)
    print(describe(a))
    if a.props.location != b.props.location:
        print(f"expected one file, got {b.props.location} too", file=sys.stderr)
        return 1

    await stop(app)
    app.wait()
    return 0


# -- a GLib main loop and callbacks ------------------------------------------


def main_glib(video_storage):
    loop = GLib.MainLoop()
    app, recorder = build(video_storage)
    results = []
    cancelled = []
    status = {"code": 1}

    def on_stopped(app, result):
        try:
            app.stop_finish(result)
        except GLib.Error as error:
            print(f"pipeline: {error.message}", file=sys.stderr)
        else:
            a, b = results
            if a is None or b is None:
                pass
            elif a.props.location != b.props.location:
                print(f"expected one file, got {b.props.location} too",
                      file=sys.stderr)
            elif cancelled != [True]:
                print("the cancelled call did not end", file=sys.stderr)
            else:
                print(describe(a))
                status["code"] = 0
        loop.quit()

    def on_recorded(recorder, result):
        try:
            results.append(recorder.record_finish(result))
        except GLib.Error as error:
            print(f"{recorder.props.source}: {error.message}", file=sys.stderr)
            results.append(None)
        if len(results) == 2:
            app.stop_async(None, on_stopped)

    def on_cancelled(recorder, result):
        try:
            recorder.record_finish(result)
            cancelled.append(False)
        except GLib.Error as error:
            cancelled.append(is_cancelled(error))
            print("cancelled: stopped waiting, the recording goes on")

    def when(seconds, action):
        """Calls action() once the running time has reached seconds."""
        def poll():
            if not reached(recorder, seconds):
                return GLib.SOURCE_CONTINUE
            action()
            return GLib.SOURCE_REMOVE
        GLib.timeout_add(20, poll)

    def record_twice():
        recorder.record_async(None, on_recorded)  # extends the file to 6 s
        cancellable = Gio.Cancellable()
        recorder.record_async(cancellable, on_cancelled)
        cancellable.cancel()

    app.start()
    when(3, lambda: recorder.record_async(None, on_recorded))  # from 1 s
    when(4, record_twice)
    loop.run()
    app.wait()
    return status["code"]


def main():
    video_storage = Path(sys.argv[1] if len(sys.argv) > 1 else "/tmp/hindsightdemo")
    shutil.rmtree(video_storage, ignore_errors=True)
    video_storage.mkdir(exist_ok=True, parents=True)

    try:
        from gi.events import GLibEventLoopPolicy
    except ImportError:
        print("no gi.events (PyGObject < 3.50): using a GLib main loop")
        return main_glib(video_storage)

    import asyncio

    # The asyncio loop of the main thread iterates GLib's default main
    # context (asyncio.run() would want a context of its own).
    policy = GLibEventLoopPolicy()
    asyncio.set_event_loop_policy(policy)
    loop = policy.get_event_loop()
    return loop.run_until_complete(main_asyncio(video_storage))


if __name__ == "__main__":
    sys.exit(main())
