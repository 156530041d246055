/* Helpers shared by the test programs: decoding written files and a
 * fixture that owns a main context with a watchdog.
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <hindsight.h>

G_BEGIN_DECLS

/* What a player sees in a file, found by decoding every frame. */
typedef struct {
  guint n_frames;               /* decoded frames */
  GArray *pts;                  /* GstClockTime of each decoded frame */
  GstClockTime first_pts;
  GstClockTime last_pts;
  int width;
  int height;
  char *codec;                  /* caps name out of the demuxer, "video/x-vp8" */
  gboolean starts_with_keyframe;
} HsTestFileInfo;

gboolean hs_test_probe_file       (const char     *path,
                                   HsTestFileInfo *info,
                                   GError        **error);
void     hs_test_file_info_clear  (HsTestFileInfo *info);

/* Deletes @path and, for a folder, everything under it (never following a
 * symbolic link). */
void     hs_test_remove_tree      (const char     *path);

/* Asserts that @path decodes to @n_frames frames whose first and last
 * timestamps are @first and @last (both within half a frame). */
void     hs_test_assert_file      (const char     *path,
                                   guint           n_frames,
                                   GstClockTime    first,
                                   GstClockTime    last);

/* The onsets of audiotestsrc wave=ticks' ticks (or any bursts of sound
 * after 10 ms of quiet), fed buffer by buffer. */
typedef struct {
  GArray *at;                   /* GstClockTime of each onset */
  guint quiet;                  /* samples of quiet so far */
} HsTestTicks;

HsTestTicks *hs_test_ticks_new  (void);
void         hs_test_ticks_free (HsTestTicks *ticks);
/* @samples: S16LE, @channels interleaved (the first is read),
 * the first one at @pts. */
void         hs_test_ticks_feed (HsTestTicks   *ticks,
                                 const gint16  *samples,
                                 guint          n,
                                 int            channels,
                                 int            rate,
                                 GstClockTime   pts);
/* The farthest any tick of @ticks, moved by @shift, is from the nearest
 * tick of @reference. */
GstClockTime hs_test_ticks_max_distance (const HsTestTicks *ticks,
                                         const HsTestTicks *reference,
                                         GstClockTime       shift);

/* Finds the ticks in what passes @pad (S16LE; rate and channels from its
 * caps), on the streaming thread, from now on. */
void         hs_test_ticks_watch (GstPad *pad);
/* A copy of the ticks heard on @pad so far (hs_test_ticks_free() it). */
HsTestTicks *hs_test_ticks_heard (GstPad *pad);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (HsTestTicks, hs_test_ticks_free)

/* What a player hears in a file: its first audio stream decoded to 16-bit
 * samples, and the ticks of its first channel. A file without
 * sound gives codec NULL and no samples. */
typedef struct {
  char *codec;                  /* caps name out of the demuxer, "audio/x-opus" */
  int rate;
  guint64 n_samples;
  guint n_buffers;
  HsTestTicks *ticks;
  GstClockTime first_pts;
  GstClockTime end;             /* end of the last decoded buffer */
  GstClockTime max_hole;        /* largest time between one buffer's end
                                 * and the next one's start */
  GstClockTime max_overlap;     /* largest time a buffer starts before the
                                 * previous one's end (a decoder's priming) */
} HsTestAudioInfo;

gboolean hs_test_probe_audio      (const char      *path,
                                   HsTestAudioInfo *info,
                                   GError         **error);
void     hs_test_audio_info_clear (HsTestAudioInfo *info);

/* The ticks the sound tests make: audiotestsrc wave=ticks, one tick every
 * 100 ms of running time, in 20 ms buffers of 48 kHz mono S16LE. */
#define HS_TEST_TICKS "audiotestsrc wave=ticks tick-interval=100000000 " \
  "samplesperbuffer=960 volume=0.5"
#define HS_TEST_MONO "audio/x-raw,format=S16LE,layout=interleaved," \
  "rate=48000,channels=1"
#define HS_TEST_TICK_INTERVAL (100 * GST_MSECOND)
/* One audio buffer: the most the sound may start after the video or end
 * after it. */
#define HS_TEST_AUDIO_FRAME (20 * GST_MSECOND)

/* Watches the ticks @element makes on its src pad (S16LE), from now on:
 * what the files' ticks are measured against; hs_test_source_ticks() gives
 * those made so far (hs_test_ticks_free() them). */
void         hs_test_watch_source_ticks (GstElement *element);
HsTestTicks *hs_test_source_ticks       (GstElement *element);

/* What one file holds, both streams decoded. */
typedef struct {
  char *path;
  HsTestFileInfo video;
  HsTestAudioInfo audio;
  GstClockTime shift;           /* source running time - file time */
  GstClockTime tick_tolerance;  /* how far a tick may move; 0: 2 ms (a live
                                 * source's timestamps jitter more) */
} HsTestClip;

/* Decodes both streams of @path, whose video must be source frames @first
 * .. @last of 30 fps (counted from 0 at running time 0), starting with a
 * keyframe; MP4 files start at 0, the shift maps them back. */
void     hs_test_probe_clip       (const char      *path,
                                   HsTestClip      *clip,
                                   guint            first,
                                   guint            last);
void     hs_test_clip_clear       (HsTestClip      *clip);

/* The sound of @clip, @codec as the file holds it, covers its video: raw
 * sound (@cut) cut to the sample at the first frame and at the end of the
 * last one, compressed sound in whole buffers that start from the first
 * frame; no hole; every tick of @source where the source put it. */
void     hs_test_assert_sound     (const HsTestClip  *clip,
                                   const HsTestTicks *source,
                                   const char        *codec,
                                   gboolean           cut);

typedef struct {
  GMainContext *context;
  char *tmpdir;
  GPtrArray *started;           /* HsRecording */
  GPtrArray *finished;          /* HsRecording, in order of finishing */
  guint timeout_s;
} HsTestFixture;

void     hs_test_fixture_setup    (HsTestFixture *fixture,
                                   gconstpointer  data);
void     hs_test_fixture_teardown (HsTestFixture *fixture,
                                   gconstpointer  data);

/* Connects the recording signals of @recorder (an HsRecorder or
 * HsMultiRecorder) to the fixture's lists. */
void     hs_test_fixture_watch    (HsTestFixture *fixture,
                                   gpointer       recorder);

/* Iterates the fixture's context until @done returns TRUE; fails the test
 * (instead of hanging) after the fixture's timeout. */
void     hs_test_fixture_run_until (HsTestFixture *fixture,
                                    gboolean     (*done) (gpointer data),
                                    gpointer       data);

/* Iterates until the object's "busy" property is FALSE. */
void     hs_test_fixture_wait_idle (HsTestFixture *fixture,
                                    gpointer       recorder);

/* The @i-th recording to finish (0: the first); fails the test if fewer
 * have. */
HsRecording *hs_test_fixture_finished (HsTestFixture *fixture,
                                       guint          i);

/* A path inside the fixture's temporary folder. */
char    *hs_test_fixture_path      (HsTestFixture *fixture,
                                    const char    *name);

/* The fixture of a test with one pipeline and one recorder: teardown stops
 * the pipeline and drops both. */
typedef struct {
  HsTestFixture f;
  GstElement *pipeline;
  HsRecorder *recorder;
} HsTestRecorderFixture;

void     hs_test_recorder_fixture_setup    (HsTestRecorderFixture *fx,
                                            gconstpointer          data);
void     hs_test_recorder_fixture_teardown (HsTestRecorderFixture *fx,
                                            gconstpointer          data);

/* g_test_add() of a test on an HsTestRecorderFixture. */
#define hs_test_add_recorder_test(path, data, func) \
  g_test_add ((path), HsTestRecorderFixture, (data), \
      hs_test_recorder_fixture_setup, (func), \
      hs_test_recorder_fixture_teardown)

/* Plays @fx's pipeline and iterates until @n recordings have finished. */
void        hs_test_play_until_finished (HsTestRecorderFixture *fx,
                                         guint                  n);

/* A recorder of @tee in @fx's pipeline, writing @name in the fixture's
 * folder, its recordings watched by the fixture. */
HsRecorder *hs_test_make_recorder  (HsTestRecorderFixture *fx,
                                    const char            *tee,
                                    double                 pre,
                                    double                 post,
                                    const char            *name);

/* Bytes of one 160x120 I420 frame, what hs_test_push_frames() pushes. */
#define HS_TEST_FRAME_BYTES (160 * 120 * 3 / 2)

/* Pushes frames @from .. @to - 1 of a 160x120 I420 30 fps stream (each its
 * own shade of grey, stamped k / 30 s) into @appsrc, then EOS if @eos. */
void     hs_test_push_frames       (GstElement    *appsrc,
                                    guint          from,
                                    guint          to,
                                    gboolean       eos);

/* For hs_test_fixture_run_until(): @data is { HsRingBuffer *,
 * GUINT_TO_POINTER (ms) }; TRUE once the ring holds a frame at that running
 * time or later. */
gboolean hs_test_ring_reached      (gpointer       data);

/* Whether every element named (NULL-terminated) is installed. If not, fails
 * the test with one line naming each missing element and the package that
 * provides it, and returns FALSE: the test returns at once and the others
 * still run. A test that names an element beyond what every recording needs
 * (GStreamer's core elements and its base and good plugins: the recorder
 * cannot work without them) checks it first, such as timeoverlay
 * (gstreamer1.0-x) or av1enc (gstreamer1.0-plugins-bad). */
gboolean    hs_test_require_elements (const char *factory,
                                      ...) G_GNUC_NULL_TERMINATED;

/* Builds a pipeline from a description (not yet playing: attach recorders
 * and set triggers first, so that a fast non-live source loses nothing).
 * A missing element ends the program with the same one line as
 * hs_test_require_elements(). */
GstElement *hs_test_pipeline_new   (const char    *description);
void        hs_test_play           (GstElement    *pipeline);
void        hs_test_stop           (GstElement    *pipeline);

/* The guint64 field @field of @s (a report such as the element's
 * hindsight-recording-finished); fails the test if there is none. */
guint64     hs_test_field_u64      (const GstStructure *s,
                                    const char    *field);

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (HsTestFileInfo, hs_test_file_info_clear)
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (HsTestAudioInfo, hs_test_audio_info_clear)
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (HsTestClip, hs_test_clip_clear)

G_END_DECLS
