/* Faults survived: a full disk, an output folder deleted mid-recording, a
 * source that fails, stalls or changes resolution mid-stream, and a
 * recording process killed with SIGKILL. Each case decodes the files that
 * were written and checks that the pipeline and the other recorders went
 * on. Faults are made on cue by the "hsfault" element (hs-fault.c).
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#define _GNU_SOURCE             /* unshare() */
#include "hs-test-util.h"
#include "hs-fault.h"

#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <sys/mount.h>
#include <gio/gio.h>
#include <gst/app/app.h>
#include <glib/gstdio.h>

#define MS (GST_MSECOND)
#define FRAME(k) ((GstClockTime) gst_util_uint64_scale ((k), GST_SECOND, 30))

typedef struct {
  HsTestFixture f;
  GstElement *pipeline;
  GPtrArray *recorders;         /* HsRecorder */
  char *mountpoint;             /* a tmpfs mounted by the test, or NULL */
} Fixture;

static void
setup (Fixture *fx, gconstpointer data)
{
  hs_test_fixture_setup (&fx->f, data);
  fx->recorders = g_ptr_array_new_with_free_func (g_object_unref);
}

static void
teardown (Fixture *fx, gconstpointer data)
{
  if (fx->pipeline != NULL)
    hs_test_stop (fx->pipeline);
  g_clear_pointer (&fx->recorders, g_ptr_array_unref);
  gst_clear_object (&fx->pipeline);
  if (fx->mountpoint != NULL && umount2 (fx->mountpoint, MNT_DETACH) != 0)
    g_printerr ("cannot unmount %s: %s\n", fx->mountpoint,
        g_strerror (errno));
  g_clear_pointer (&fx->mountpoint, g_free);
  hs_test_fixture_teardown (&fx->f, data);
}

/* @location: an absolute template, or one relative to the test's folder */
static HsRecorder *
add_recorder (Fixture *fx, const char *tee, double pre, double post,
              const char *name)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *location = g_path_is_absolute (name) ? g_strdup (name) :
      hs_test_fixture_path (&fx->f, name);
  HsRecorder *recorder = g_initable_new (HS_TYPE_RECORDER, NULL, &error,
      "pipeline", fx->pipeline, "source", tee, "pre", pre, "post", post,
      "location", location, NULL);

  g_assert_no_error (error);
  hs_test_fixture_watch (&fx->f, recorder);
  g_ptr_array_add (fx->recorders, recorder);
  return recorder;
}

static HsRecording *
finished_of (Fixture *fx, HsRecorder *recorder, guint i)
{
  const char *source = hs_recorder_get_source (recorder);

  for (guint k = 0; k < fx->f.finished->len; k++) {
    HsRecording *r = fx->f.finished->pdata[k];

    if (g_strcmp0 (hs_recording_get_source (r), source) == 0 && i-- == 0)
      return r;
  }
  g_error ("no finished recording %u of source %s", i, source);
  return NULL;
}

static guint
n_finished_of (Fixture *fx, HsRecorder *recorder)
{
  const char *source = hs_recorder_get_source (recorder);
  guint n = 0;

  for (guint k = 0; k < fx->f.finished->len; k++)
    if (g_strcmp0 (hs_recording_get_source (fx->f.finished->pdata[k]),
            source) == 0)
      n++;
  return n;
}

static void
assert_recording (HsRecording *r, guint n_frames, GstClockTime first,
                  GstClockTime last)
{
  g_assert_no_error ((GError *) hs_recording_get_error (r));
  g_assert_cmpuint (hs_recording_get_n_frames (r), ==, n_frames);
  hs_test_assert_file (hs_recording_get_location (r), n_frames, first, last);
}

/* WebM keeps timestamps in milliseconds. */
static void
assert_near (GstClockTime got, GstClockTime want)
{
  g_assert_cmpint (ABS (GST_CLOCK_DIFF (want, got)), <=, GST_MSECOND);
}

/* A clean file of a 30 fps source: every frame the recorder wrote decodes,
 * one frame after the other, from where the window asked (at most one
 * frame later). */
static void
assert_contiguous (HsRecording *r)
{
  g_auto(HsTestFileInfo) info = { 0 };
  g_autoptr(GError) error = NULL;
  GstClockTime start = hs_recording_get_start_time (r);

  g_assert_no_error ((GError *) hs_recording_get_error (r));
  g_assert_cmpuint (hs_recording_get_n_frames (r), >, 0);
  g_assert_cmpint (start, >=, hs_recording_get_requested_start (r));
  g_assert_cmpint (start - hs_recording_get_requested_start (r), <,
      FRAME (1));
  g_assert_true (hs_test_probe_file (hs_recording_get_location (r), &info,
          &error));
  g_assert_no_error (error);
  g_assert_true (info.starts_with_keyframe);
  g_assert_cmpuint (info.n_frames, ==, hs_recording_get_n_frames (r));
  assert_near (info.first_pts, start);
  for (guint i = 1; i < info.n_frames; i++)
    assert_near (g_array_index (info.pts, GstClockTime, i) -
        g_array_index (info.pts, GstClockTime, i - 1), FRAME (1));
  assert_near (info.last_pts, hs_recording_get_end_time (r));
}

static void
assert_no_bus_error (GstElement *pipeline)
{
  g_autoptr(GstBus) bus = gst_element_get_bus (pipeline);
  g_autoptr(GstMessage) message = gst_bus_pop_filtered (bus,
      GST_MESSAGE_ERROR);

  if (message != NULL) {
    g_autoptr(GError) error = NULL;

    gst_message_parse_error (message, &error, NULL);
    g_error ("the source pipeline failed: %s", error->message);
  }
}

/* ------------------------------------------------------------------------ */
/* Disk full                                                                */

typedef struct {
  HsTestFileInfo partial;
  gboolean partial_decoded;
  GError *partial_error;
  guint64 partial_size;
} DiskFull;

static gboolean
flag_partial_seen (gpointer data)
{
  return ((DiskFull *) data)->partial.pts != NULL;
}

/* What a user does when the disk fills: look at what was kept, free the
 * space, and go on with shorter clips. Runs on the recorder's context as
 * soon as the failure is reported. */
static void
on_disk_full_finished (HsRecorder *recorder, HsRecording *recording,
                       gpointer user_data)
{
  DiskFull *d = user_data;
  const char *location = hs_recording_get_location (recording);
  GStatBuf st;

  if (hs_recording_get_error (recording) == NULL || d->partial.pts != NULL)
    return;
  g_assert_nonnull (location);
  g_assert_cmpint (g_stat (location, &st), ==, 0);
  d->partial_size = st.st_size;
  d->partial_decoded = hs_test_probe_file (location, &d->partial,
      &d->partial_error);
  g_assert_cmpint (g_unlink (location), ==, 0);

  /* An event right now, inside the span the failed window would have
   * covered. */
  g_object_set (recorder, "pre", 0.5, "post", 0.5, NULL);
  hs_recorder_trigger (recorder);
}

static void
test_disk_full (Fixture *fx, gconstpointer data)
{
  g_autofree char *small = hs_test_fixture_path (&fx->f, "small");
  g_autofree char *small_loc = g_build_filename (small, "a-%{index}.webm",
      NULL);
  g_autofree char *other_loc = hs_test_fixture_path (&fx->f, "b-%{index}.webm");
  DiskFull d = { 0 };
  HsRecorder *a, *b;
  HsRecording *failed, *again;
  const GError *error;

  g_assert_cmpint (g_mkdir (small, 0755), ==, 0);
  if (mount ("tmpfs", small, "tmpfs", 0, "size=512k") != 0) {
    g_autofree char *why = g_strdup_printf ("cannot mount a tmpfs: %s",
        g_strerror (errno));

    g_test_skip (why);
    return;
  }
  fx->mountpoint = g_strdup (small);

  /* Tee a carries noise at a high bitrate (about 250 KB/s) and its window
   * [1 s, 3602 s) does not end before the disk is full. Tee b is another
   * source in the same pipeline, recorded to a disk with room. The sinks
   * run at the clock's pace, so the sources do not race ahead. */
  fx->pipeline = hs_test_pipeline_new (
      "videotestsrc pattern=snow ! video/x-raw,width=320,height=240,"
      "framerate=30/1 ! tee name=a a. ! fakesink sync=true "
      "videotestsrc pattern=ball ! video/x-raw,width=160,height=120,"
      "framerate=30/1 ! tee name=b b. ! fakesink sync=true");
  a = add_recorder (fx, "a", 1, 3600, small_loc);
  g_object_set (a, "bitrate", 2000000, NULL);
  b = add_recorder (fx, "b", 1, 2, other_loc);
  g_signal_connect (a, "recording-finished",
      G_CALLBACK (on_disk_full_finished), &d);

  hs_recorder_trigger_at (a, 2 * GST_SECOND);
  hs_recorder_trigger_at (b, 2 * GST_SECOND);
  hs_test_play (fx->pipeline);
  hs_test_fixture_run_until (&fx->f, flag_partial_seen, &d);
  hs_test_fixture_wait_idle (&fx->f, a);
  hs_test_fixture_wait_idle (&fx->f, b);

  /* The recording that hit the full disk failed, named the file and the
   * reason, and was closed. */
  g_assert_cmpuint (n_finished_of (fx, a), ==, 2);
  failed = finished_of (fx, a, 0);
  error = hs_recording_get_error (failed);
  g_assert_error ((GError *) error, HS_ERROR, HS_ERROR_CANNOT_WRITE);
  g_assert_nonnull (strstr (error->message,
          hs_recording_get_location (failed)));
  g_assert_nonnull (strstr (error->message, "space"));
  g_test_message ("disk full: %s", error->message);

  /* The partial file is kept and closed; it decodes from the window's
   * start, frame after frame, up to where the disk filled. */
  g_test_message ("partial file: %" G_GUINT64_FORMAT " bytes, %u of %"
      G_GUINT64_FORMAT " frames decoded (%s)", d.partial_size,
      d.partial.n_frames, hs_recording_get_n_frames (failed),
      d.partial_decoded ? "to the end" : d.partial_error->message);
  g_assert_cmpuint (d.partial.n_frames, >, 0);
  g_assert_true (d.partial.starts_with_keyframe);
  assert_near (d.partial.first_pts, FRAME (30));
  g_assert_cmpuint (d.partial.n_frames, <=,
      hs_recording_get_n_frames (failed));
  for (guint i = 1; i < d.partial.n_frames; i++)
    assert_near (g_array_index (d.partial.pts, GstClockTime, i),
        FRAME (30 + i));

  /* The other recorder and the source pipeline went on. */
  g_assert_cmpuint (n_finished_of (fx, b), ==, 1);
  assert_recording (finished_of (fx, b, 0), 90, FRAME (30), FRAME (119));
  assert_no_bus_error (fx->pipeline);

  /* With space again, the next trigger records fine on the same disk,
   * although it falls inside the span the failed window would have
   * covered. */
  again = finished_of (fx, a, 1);
  g_assert_cmpint (hs_recording_get_requested_start (again), >,
      hs_recording_get_end_time (failed));
  g_assert_cmpint (hs_recording_get_requested_start (again), <,
      hs_recording_get_end_time (failed) + GST_SECOND);
  g_assert_true (g_str_has_prefix (hs_recording_get_location (again), small));
  assert_contiguous (again);

  hs_test_file_info_clear (&d.partial);
  g_clear_error (&d.partial_error);
}

/* ------------------------------------------------------------------------ */
/* Unwritable folder, fixed while the source runs                           */

static void
on_failed_fix_location (HsRecorder *recorder, HsRecording *recording,
                        gpointer user_data)
{
  const char *good = user_data;

  if (hs_recording_get_error (recording) == NULL ||
      g_str_has_prefix (hs_recorder_get_location (recorder), good))
    return;
  /* The user makes room and the next event comes: now. */
  g_object_set (recorder, "location", good, "pre", 0.5, "post", 0.5, NULL);
  hs_recorder_trigger (recorder);
}

static void
test_unwritable_then_fixed (Fixture *fx, gconstpointer data)
{
  g_autofree char *blocker = hs_test_fixture_path (&fx->f, "not-a-folder");
  g_autofree char *bad = g_build_filename (blocker, "%{index}.webm", NULL);
  g_autofree char *good = hs_test_fixture_path (&fx->f, "good-%{index}.webm");
  HsRecorder *rec;
  HsRecording *failed, *next;

  /* The first window, [1 s, 3602 s), cannot open its file; it would have
   * covered everything after it. */
  g_assert_true (g_file_set_contents (blocker, "x", 1, NULL));
  fx->pipeline = hs_test_pipeline_new ("videotestsrc ! video/x-raw,"
      "width=160,height=120,framerate=30/1 ! tee name=t t. ! "
      "fakesink sync=true");
  rec = add_recorder (fx, "t", 1, 3600, bad);
  g_signal_connect (rec, "recording-finished",
      G_CALLBACK (on_failed_fix_location), good);
  hs_recorder_trigger_at (rec, 2 * GST_SECOND);
  hs_test_play (fx->pipeline);
  hs_test_fixture_wait_idle (&fx->f, rec);

  g_assert_cmpuint (fx->f.finished->len, ==, 2);
  failed = finished_of (fx, rec, 0);
  g_assert_error ((GError *) hs_recording_get_error (failed), HS_ERROR,
      HS_ERROR_CANNOT_WRITE);
  /* The trigger after the fix records at once, not after the failed
   * window's planned end. */
  next = finished_of (fx, rec, 1);
  g_assert_cmpint (hs_recording_get_requested_start (next), <,
      10 * GST_SECOND);
  assert_contiguous (next);
  assert_no_bus_error (fx->pipeline);
}

/* ------------------------------------------------------------------------ */
/* Output folder deleted while a file is open                               */

static void
on_started_remove_folder (HsRecorder *recorder, HsRecording *recording,
                          gpointer user_data)
{
  const char *folder = user_data;

  /* The first file is open: the folder goes, as with rm -rf. */
  if (hs_recording_get_index (recording) == 1)
    hs_test_remove_tree (folder);
}

static void
test_folder_deleted (Fixture *fx, gconstpointer data)
{
  g_autofree char *folder = hs_test_fixture_path (&fx->f, "out");
  g_autofree char *location = g_build_filename (folder, "%{index}.webm",
      NULL);
  HsRecorder *rec;
  HsRecording *lost, *next;
  const GError *error;

  fx->pipeline = hs_test_pipeline_new ("videotestsrc ! video/x-raw,"
      "width=160,height=120,framerate=30/1 ! tee name=t t. ! fakesink");
  rec = add_recorder (fx, "t", 1, 1, location);
  g_signal_connect (rec, "recording-started",
      G_CALLBACK (on_started_remove_folder), folder);
  hs_recorder_trigger_at (rec, 2 * GST_SECOND);
  hs_recorder_trigger_at (rec, 6 * GST_SECOND);
  hs_test_play (fx->pipeline);
  hs_test_fixture_wait_idle (&fx->f, rec);

  /* Linux lets the writer finish into the deleted file, which is gone once
   * closed: the recording must say so rather than report a file that does
   * not exist. */
  g_assert_cmpuint (fx->f.finished->len, ==, 2);
  lost = finished_of (fx, rec, 0);
  g_assert_false (g_file_test (hs_recording_get_location (lost),
          G_FILE_TEST_EXISTS));
  error = hs_recording_get_error (lost);
  g_assert_error ((GError *) error, HS_ERROR, HS_ERROR_CANNOT_WRITE);
  g_assert_nonnull (strstr (error->message, hs_recording_get_location (lost)));
  g_test_message ("folder deleted: %s", error->message);

  /* The folder is made again for the next file, which is complete. */
  next = finished_of (fx, rec, 1);
  g_assert_true (g_str_has_prefix (hs_recording_get_location (next), folder));
  assert_recording (next, 60, FRAME (150), FRAME (209));
  assert_no_bus_error (fx->pipeline);
}

/* ------------------------------------------------------------------------ */
/* Source failures                                                          */

static void
test_source_error (Fixture *fx, gconstpointer data)
{
  HsRecorder *rec;
  HsRecording *r;
  const GError *error;

  /* Buffers 0 .. 119 pass, buffer 120 (4 s) fails the stream, inside the
   * window [1 s, 5 s). */
  g_assert_true (hs_test_fault_register ());
  fx->pipeline = hs_test_pipeline_new ("videotestsrc ! video/x-raw,"
      "width=160,height=120,framerate=30/1 ! hsfault name=fault "
      "error-after=120 ! tee name=t t. ! fakesink");
  rec = add_recorder (fx, "t", 2, 2, "%{index}.webm");
  hs_recorder_trigger_at (rec, 3 * GST_SECOND);
  hs_test_play (fx->pipeline);
  hs_test_fixture_wait_idle (&fx->f, rec);

  g_assert_cmpuint (fx->f.finished->len, ==, 1);
  r = finished_of (fx, rec, 0);
  error = hs_recording_get_error (r);
  g_assert_error ((GError *) error, HS_ERROR, HS_ERROR_SOURCE);
  g_assert_nonnull (strstr (error->message, "fault"));
  g_assert_nonnull (strstr (error->message, "Injected failure"));
  g_test_message ("source error: %s", error->message);
  /* Closed properly, with every frame before the failure. */
  g_assert_cmpuint (hs_recording_get_n_frames (r), ==, 90);
  hs_test_assert_file (hs_recording_get_location (r), 90, FRAME (30),
      FRAME (119));
}

/* On a box with several cameras in one pipeline, the failure of one must not
 * end the recordings of the others. */
static void
test_other_source_error (Fixture *fx, gconstpointer data)
{
  HsRecorder *rec;
  g_autoptr(GstBus) bus = NULL;
  g_autoptr(GstMessage) message = NULL;

  /* The second source fails at 1 s, inside the window [1 s, 5 s) of the
   * first one's recorder. */
  g_assert_true (hs_test_fault_register ());
  fx->pipeline = hs_test_pipeline_new ("videotestsrc ! video/x-raw,"
      "width=160,height=120,framerate=30/1 ! tee name=t t. ! fakesink "
      "videotestsrc ! video/x-raw,width=160,height=120,framerate=30/1 ! "
      "hsfault name=fault error-after=30 ! tee name=other other. ! fakesink");
  rec = add_recorder (fx, "t", 2, 2, "%{index}.webm");
  hs_recorder_trigger_at (rec, 3 * GST_SECOND);
  hs_test_play (fx->pipeline);
  hs_test_fixture_wait_idle (&fx->f, rec);

  /* The other source's error did reach the bus... */
  bus = gst_element_get_bus (fx->pipeline);
  message = gst_bus_pop_filtered (bus, GST_MESSAGE_ERROR);
  g_assert_nonnull (message);
  g_assert_true (GST_MESSAGE_SRC (message) ==
      GST_OBJECT (gst_bin_get_by_name (GST_BIN (fx->pipeline), "fault")));
  gst_object_unref (GST_MESSAGE_SRC (message));
  /* ...and the recording of t is whole, without an error. */
  g_assert_cmpuint (fx->f.finished->len, ==, 1);
  g_assert_no_error ((GError *) hs_recording_get_error (finished_of (fx, rec,
              0)));
  hs_test_assert_file (hs_recording_get_location (finished_of (fx, rec, 0)),
      120, FRAME (30), FRAME (149));
}

static gboolean
fault_passed_45 (gpointer data)
{
  guint64 n = 0;

  g_object_get (data, "n-buffers", &n, NULL);
  return n >= 45;
}

/* The application restarts the pipeline after the error, as an unattended
 * box would: the same recorder records the new stream. */
static void
test_source_error_then_restart (Fixture *fx, gconstpointer data)
{
  g_autoptr(GstElement) fault = NULL;
  HsRecorder *rec;
  HsRecording *r;

  g_assert_true (hs_test_fault_register ());
  fx->pipeline = hs_test_pipeline_new ("videotestsrc ! video/x-raw,"
      "width=160,height=120,framerate=30/1 ! hsfault name=fault "
      "error-after=60 ! tee name=t t. ! fakesink sync=true");
  fault = gst_bin_get_by_name (GST_BIN (fx->pipeline), "fault");
  rec = add_recorder (fx, "t", 1, 1, "%{index}.webm");
  hs_recorder_trigger_at (rec, 1500 * MS);
  hs_test_play (fx->pipeline);
  hs_test_fixture_wait_idle (&fx->f, rec);
  g_assert_cmpuint (fx->f.finished->len, ==, 1);
  g_assert_error ((GError *) hs_recording_get_error (finished_of (fx, rec, 0)),
      HS_ERROR, HS_ERROR_SOURCE);
  /* [0.5 s, 2 s) up to the failure at 2 s */
  hs_test_assert_file (hs_recording_get_location (finished_of (fx, rec, 0)),
      45, FRAME (15), FRAME (59));

  hs_test_stop (fx->pipeline);
  g_object_set (fault, "error-after", (gint64) -1, NULL);
  hs_test_play (fx->pipeline);
  /* 1.5 s into the new stream (the sink keeps the clock's pace) */
  hs_test_fixture_run_until (&fx->f, fault_passed_45, fault);
  hs_recorder_trigger (rec);
  hs_test_fixture_wait_idle (&fx->f, rec);

  g_assert_cmpuint (fx->f.finished->len, ==, 2);
  r = finished_of (fx, rec, 1);
  g_assert_no_error ((GError *) hs_recording_get_error (r));
  assert_contiguous (r);
  g_assert_cmpuint (hs_recording_get_n_frames (r), >=, 59);
}

static void
test_caps_change (Fixture *fx, gconstpointer data)
{
  HsRecorder *rec;
  HsRecording *before, *after;
  g_auto(HsTestFileInfo) a = { 0 };
  g_auto(HsTestFileInfo) b = { 0 };
  g_autoptr(GError) error = NULL;

  /* 160x120 up to buffer 89 (3 s), 320x240 from buffer 90 on; the window
   * [1 s, 5 s) spans the change. */
  g_assert_true (hs_test_fault_register ());
  fx->pipeline = hs_test_pipeline_new ("videotestsrc ! video/x-raw,"
      "width=160,height=120,framerate=30/1 ! hsfault caps-after=90 "
      "width=320 height=240 ! tee name=t t. ! fakesink");
  rec = add_recorder (fx, "t", 2, 2, "%{index}.webm");
  hs_recorder_trigger_at (rec, 3 * GST_SECOND);
  hs_test_play (fx->pipeline);
  hs_test_fixture_wait_idle (&fx->f, rec);

  /* The file closes at the change and a new one continues from the very
   * next frame: sizes differ, frames add up, no gap, no error. */
  g_assert_cmpuint (fx->f.finished->len, ==, 2);
  before = finished_of (fx, rec, 0);
  after = finished_of (fx, rec, 1);
  assert_recording (before, 60, FRAME (30), FRAME (89));
  assert_recording (after, 60, FRAME (90), FRAME (149));
  g_assert_cmpint (hs_recording_get_requested_start (after), ==, FRAME (90));

  g_assert_true (hs_test_probe_file (hs_recording_get_location (before), &a,
          &error));
  g_assert_no_error (error);
  g_assert_true (hs_test_probe_file (hs_recording_get_location (after), &b,
          &error));
  g_assert_no_error (error);
  g_assert_cmpint (a.width, ==, 160);
  g_assert_cmpint (a.height, ==, 120);
  g_assert_cmpint (b.width, ==, 320);
  g_assert_cmpint (b.height, ==, 240);
  g_assert_cmpuint (a.n_frames + b.n_frames, ==, 120);
  assert_near (b.first_pts - a.last_pts, FRAME (90) - FRAME (89));
  assert_no_bus_error (fx->pipeline);
}

static gboolean
fault_is_stalled (gpointer data)
{
  return hs_test_fault_is_stalled (data);
}

static void
test_stall_and_recover (Fixture *fx, gconstpointer data)
{
  g_autoptr(GstElement) src = NULL;
  g_autoptr(GstElement) fault = NULL;
  HsRecorder *rec;
  HsRecording *r;
  gpointer args[2];

  g_assert_true (hs_test_fault_register ());
  fx->pipeline = hs_test_pipeline_new ("appsrc name=src format=time "
      "max-bytes=0 caps=video/x-raw,format=I420,width=160,height=120,"
      "framerate=30/1 ! hsfault name=fault stall-after=60 ! tee name=t "
      "t. ! fakesink");
  src = gst_bin_get_by_name (GST_BIN (fx->pipeline), "src");
  fault = gst_bin_get_by_name (GST_BIN (fx->pipeline), "fault");
  rec = add_recorder (fx, "t", 1, 0.5, "%{index}.webm");

  /* Window [1.5 s, 3 s); the camera goes quiet at frame 60 (2 s). */
  hs_recorder_trigger_at (rec, 2500 * MS);
  hs_test_push_frames (src, 0, 120, FALSE);
  hs_test_play (fx->pipeline);
  hs_test_fixture_run_until (&fx->f, fault_is_stalled, fault);
  hs_test_fixture_wait_idle (&fx->f, rec);

  g_assert_cmpuint (fx->f.finished->len, ==, 1);
  r = finished_of (fx, rec, 0);
  g_assert_error ((GError *) hs_recording_get_error (r), HS_ERROR,
      HS_ERROR_SOURCE);
  g_assert_nonnull (strstr (hs_recording_get_error (r)->message, "stalled"));
  hs_test_assert_file (hs_recording_get_location (r), 15, FRAME (45),
      FRAME (59));

  /* The camera comes back: the recorder takes its frames again and the
   * next trigger, [2.5 s, 4 s), is complete. */
  hs_test_fault_release (HS_TEST_FAULT (fault));
  args[0] = hs_recorder_get_ring_buffer (rec);
  args[1] = GUINT_TO_POINTER (3900);
  hs_test_fixture_run_until (&fx->f, hs_test_ring_reached, args);
  hs_recorder_trigger_at (rec, 3500 * MS);
  hs_test_push_frames (src, 120, 150, TRUE);
  hs_test_fixture_wait_idle (&fx->f, rec);

  g_assert_cmpuint (fx->f.finished->len, ==, 2);
  assert_recording (finished_of (fx, rec, 1), 45, FRAME (75), FRAME (119));
}

/* ------------------------------------------------------------------------ */
/* kill -9 while recording                                                  */

typedef struct {
  GDataInputStream *in;
  char *line;
  gboolean done;
  GError *error;
} LineReader;

static void
on_line (GObject *source, GAsyncResult *result, gpointer user_data)
{
  LineReader *r = user_data;

  r->line = g_data_input_stream_read_line_finish (r->in, result, NULL,
      &r->error);
  r->done = TRUE;
}

static gboolean
line_done (gpointer data)
{
  return ((LineReader *) data)->done;
}

/* The next line of the helper's output, or NULL at its end. */
static char *
read_line (Fixture *fx, LineReader *r)
{
  r->done = FALSE;
  g_data_input_stream_read_line_async (r->in, G_PRIORITY_DEFAULT, NULL,
      on_line, r);
  hs_test_fixture_run_until (&fx->f, line_done, r);
  g_assert_no_error (r->error);
  return g_steal_pointer (&r->line);
}

static void
on_waited (GObject *source, GAsyncResult *result, gpointer user_data)
{
  gboolean *done = user_data;

  g_subprocess_wait_finish (G_SUBPROCESS (source), result, NULL);
  *done = TRUE;
}

static gboolean
flag_set (gpointer data)
{
  return *(gboolean *) data;
}

/* What a partial WebM holds on disk: its complete SimpleBlocks, counted by
 * walking the EBML structure (clusters of unknown or unfinished size
 * included), and the timestamp of the last one. */
typedef struct {
  const guint8 *p;
  const guint8 *end;
} Ebml;

static gboolean
ebml_vint (Ebml *e, gboolean keep_marker, guint64 *value, gboolean *unknown)
{
  guint len = 1;
  guint8 first;
  guint64 v;

  if (e->p >= e->end)
    return FALSE;
  first = e->p[0];
  while (len <= 8 && !(first & (0x80 >> (len - 1))))
    len++;
  if (len > 8 || e->p + len > e->end)
    return FALSE;
  v = keep_marker ? first : (first & (0xff >> len));
  for (guint i = 1; i < len; i++)
    v = (v << 8) | e->p[i];
  if (unknown != NULL)
    *unknown = v == ((G_GUINT64_CONSTANT (1) << (7 * len)) - 1);
  e->p += len;
  *value = v;
  return TRUE;
}

static guint64
ebml_uint (const guint8 *p, guint64 size)
{
  guint64 v = 0;

  for (guint64 i = 0; i < size && i < 8; i++)
    v = (v << 8) | p[i];
  return v;
}

#define ID_SEGMENT 0x18538067
#define ID_CLUSTER 0x1F43B675
#define ID_INFO 0x1549A966
#define ID_TIMECODE_SCALE 0x2AD7B1
#define ID_CLUSTER_TIMECODE 0xE7
#define ID_SIMPLE_BLOCK 0xA3

static void
count_blocks (const char *path, guint *n_blocks, GstClockTime *last)
{
  g_autofree char *contents = NULL;
  gsize length = 0;
  Ebml e;
  guint64 scale = GST_MSECOND, cluster_time = 0;

  g_assert_true (g_file_get_contents (path, &contents, &length, NULL));
  e.p = (const guint8 *) contents;
  e.end = e.p + length;
  *n_blocks = 0;
  *last = GST_CLOCK_TIME_NONE;

  for (;;) {
    guint64 id, size;
    gboolean unknown;

    if (!ebml_vint (&e, TRUE, &id, NULL) ||
        !ebml_vint (&e, FALSE, &size, &unknown))
      break;
    /* Masters are entered, whether their size is final or not. */
    if (id == ID_SEGMENT || id == ID_CLUSTER || id == ID_INFO)
      continue;
    if (unknown || size > (guint64) (e.end - e.p))
      break;              /* cut off by the kill */
    if (id == ID_TIMECODE_SCALE)
      scale = ebml_uint (e.p, size);
    else if (id == ID_CLUSTER_TIMECODE)
      cluster_time = ebml_uint (e.p, size);
    else if (id == ID_SIMPLE_BLOCK) {
      Ebml block = { e.p, e.p + size };
      guint64 track;
      gint16 relative;

      g_assert_true (ebml_vint (&block, FALSE, &track, NULL));
      g_assert_true (block.end - block.p >= 3);
      relative = (gint16) ((block.p[0] << 8) | block.p[1]);
      *last = ((gint64) cluster_time + relative) * scale;
      (*n_blocks)++;
    }
    e.p += size;
  }
}

static void
test_kill9 (Fixture *fx, gconstpointer data)
{
  g_autofree char *helper = g_test_build_filename (G_TEST_BUILT,
      "hs-record-forever", NULL);
  g_autofree char *location = hs_test_fixture_path (&fx->f, "killed.webm");
  g_autoptr(GError) error = NULL;
  g_autoptr(GSubprocess) proc = NULL;
  g_auto(HsTestFileInfo) info = { 0 };
  LineReader reader = { 0 };
  guint64 frames = 0;
  GstClockTime last = 0;
  gboolean decoded, exited = FALSE;
  guint n_blocks;
  GstClockTime on_disk;
  double loss;

  proc = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE, &error, helper,
      location, NULL);
  g_assert_no_error (error);
  reader.in = g_data_input_stream_new (g_subprocess_get_stdout_pipe (proc));

  /* Recording a live 30 fps source; killed once 3 s of frames went to the
   * file's encoder. */
  for (;;) {
    g_autofree char *line = read_line (fx, &reader);

    g_assert_nonnull (line);
    if (sscanf (line, "frames %" G_GUINT64_FORMAT " last %" G_GUINT64_FORMAT,
            &frames, &last) == 2 && last >= 3 * GST_SECOND)
      break;
  }
  g_subprocess_send_signal (proc, SIGKILL);
  g_subprocess_wait_async (proc, NULL, on_waited, &exited);
  hs_test_fixture_run_until (&fx->f, flag_set, &exited);
  g_assert_true (g_subprocess_get_if_signaled (proc));
  g_assert_cmpint (g_subprocess_get_term_sig (proc), ==, SIGKILL);
  g_clear_object (&reader.in);

  /* The partial WebM plays from its keyframe start to its last complete
   * block: every frame that reached the disk decodes. */
  decoded = hs_test_probe_file (location, &info, &error);
  count_blocks (location, &n_blocks, &on_disk);
  g_assert_cmpuint (info.n_frames, >, 0);
  g_assert_true (info.starts_with_keyframe);
  g_assert_cmpstr (info.codec, ==, "video/x-vp8");
  for (guint i = 1; i < info.n_frames; i++)
    g_assert_cmpuint (g_array_index (info.pts, GstClockTime, i), >,
        g_array_index (info.pts, GstClockTime, i - 1));
  g_assert_cmpuint (info.n_frames, ==, n_blocks);
  g_assert_cmpuint (info.last_pts, ==, on_disk);

  /* What was lost is what the encoder had not written yet when the
   * process died: frames given to the file minus frames on disk. Files are
   * written unbuffered, so no muxed data waits in the process. */
  /* Frames written after the helper's last report make it negative. */
  loss = MAX (0.0, (double) GST_CLOCK_DIFF (info.last_pts, last) / GST_SECOND);
  g_test_message ("kill -9 after %" G_GUINT64_FORMAT " frames (newest at "
      "%.3f s): %u frames on disk and decoded, up to %.3f s (%s); lost %.3f s",
      frames, (double) last / GST_SECOND, info.n_frames,
      (double) info.last_pts / GST_SECOND,
      decoded ? "clean end" : error->message, loss);
  g_assert_cmpfloat (loss, <, 3.5);
}

static void
add (const char *path, void (*func) (Fixture *, gconstpointer))
{
  g_test_add (path, Fixture, NULL, setup, func, teardown);
}

int
main (int argc, char **argv)
{
  /* Where mounting is allowed, the tmpfs of the disk-full case is mounted
   * in a namespace of this process only (made while it has one thread): it
   * goes when the process ends, even when a test aborts before its
   * teardown. */
  if (unshare (CLONE_NEWNS) == 0)
    mount (NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL);

  gst_init (&argc, &argv);
  g_test_init (&argc, &argv, NULL);

  add ("/faults/disk-full", test_disk_full);
  add ("/faults/unwritable-then-fixed", test_unwritable_then_fixed);
  add ("/faults/folder-deleted", test_folder_deleted);
  add ("/faults/source/error", test_source_error);
  add ("/faults/source/error-then-restart", test_source_error_then_restart);
  add ("/faults/source/other-source-error", test_other_source_error);
  add ("/faults/source/caps-change", test_caps_change);
  add ("/faults/source/stall-and-recover", test_stall_and_recover);
  add ("/faults/kill-9", test_kill9);

  return g_test_run ();
}
