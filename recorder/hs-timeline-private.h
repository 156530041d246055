/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <gst/gst.h>

G_BEGIN_DECLS

/* The window logic of a recorder, as data: which frames of the ring go into
 * which file, decided from running times alone. It knows no element, no
 * main context and no lock. The recorder (hs-recorder.c) feeds it what
 * happened and carries out what it answers; tests/test-timeline.c drives it
 * with tables of frames and triggers.
 *
 * A window opens for the first pending trigger T once the source has
 * reached T (or can no longer reach it): [T - pre, T + post), starting no
 * earlier than where the previous window ended. Triggers before the end
 * move it to T' + post. The window's frames go into files; a file is
 * replaced by a new one when the caps change or it grows past max-duration.
 * The window ends when a frame at or past its end arrives (that frame is
 * left for the next window), or when the source ends, fails or stalls, or
 * on a stop. */

typedef enum {
  HS_TIMELINE_IDLE,             /* no window; triggers may wait for their time */
  HS_TIMELINE_SEEKING,          /* a window waiting for the keyframe it starts at */
  HS_TIMELINE_OPENING,          /* a window whose next frame opens its first file */
  HS_TIMELINE_WRITING,          /* a window writing into a file */
} HsTimelineState;

typedef struct {
  GstClockTime pre;
  GstClockTime post;
  GstClockTime max_duration;    /* 0: files of any length */
  gboolean     keyframe_starts; /* files start (and roll over) on keyframes */
  gboolean     request_keyframes; /* the source makes keyframes where asked */
} HsTimelineSettings;

typedef enum {
  HS_TIMELINE_TRIGGER,          /* an event at .time */
  HS_TIMELINE_FRAME,            /* the next frame the ring holds: .frame */
  HS_TIMELINE_POLL,             /* no frame to offer now: decide on .source */
  HS_TIMELINE_STOP,             /* end the window now, forget the triggers */
  HS_TIMELINE_FILE_LOST,        /* the open file ended by itself (its record
                                 * pipeline failed, or it could not be
                                 * opened): the window is over, and the next
                                 * one may start at .time (NONE: at this
                                 * window's start) */
} HsTimelineInputType;

typedef struct {
  GstClockTime time;
  gboolean     keyframe;
  gboolean     new_caps;        /* its caps differ from the open file's */
} HsTimelineFrame;

/* What the recorder knows of the source when it has no frame to offer.
 * While a window is open or a trigger waits, it polls at least every few
 * tens of milliseconds: polls far apart mean the process did not run. */
typedef struct {
  gint64       now_us;          /* monotonic clock */
  gint64       last_arrival_us; /* when the newest frame came; 0: none yet */
  GstClockTime reached;         /* how far the source got; NONE: unknown */
  gboolean     eos;
  gboolean     failed;          /* an error upstream of the tee */
  gboolean     drained;         /* the frames before that error are in */
  gboolean     refused;         /* data came under caps the ring refuses */
} HsTimelineSource;

typedef struct {
  HsTimelineInputType type;
  GstClockTime        time;     /* TRIGGER, FILE_LOST */
  HsTimelineFrame     frame;    /* FRAME */
  HsTimelineSource    source;   /* POLL */
} HsTimelineInput;

typedef enum {
  HS_TIMELINE_WAIT,             /* nothing to do until a frame comes or time
                                 * passes */
  HS_TIMELINE_START,            /* the trigger at .trigger opened the window
                                 * [.start, .end) */
  HS_TIMELINE_EXTEND,           /* the trigger at .trigger moved the end to
                                 * .end */
  HS_TIMELINE_SKIP,             /* the frame is before the window: drop it */
  HS_TIMELINE_WRITE,            /* write the frame, into the file .file says */
  HS_TIMELINE_CLOSE,            /* close the open file (new caps on a frame a
                                 * file cannot start with): the window goes
                                 * on from the next keyframe; the frame stays
                                 * in the ring */
  HS_TIMELINE_FINISH,           /* the window is over (.reason): close its
                                 * file, or report it empty; a frame offered
                                 * stays in the ring for the next window */
} HsTimelineActionType;

typedef enum {
  HS_TIMELINE_FILE_KEEP,        /* the open file */
  HS_TIMELINE_FILE_OPEN,        /* a new file, the window's first */
  HS_TIMELINE_FILE_NEW_CAPS,    /* close the open file: the caps changed */
  HS_TIMELINE_FILE_ROLLOVER,    /* close the open file: max-duration */
} HsTimelineFile;

typedef enum {
  HS_TIMELINE_END_REACHED,      /* a frame at or past the end came */
  HS_TIMELINE_END_EOS,          /* the source ended first */
  HS_TIMELINE_END_SOURCE_ERROR, /* the source failed first */
  HS_TIMELINE_END_STALLED,      /* no frame for the stall timeout */
  HS_TIMELINE_END_NOT_NEGOTIATED, /* the ring refuses the source's caps */
  HS_TIMELINE_END_STOPPED,      /* HS_TIMELINE_STOP */
} HsTimelineEnd;

typedef struct {
  HsTimelineActionType type;
  HsTimelineFile       file;    /* WRITE */
  HsTimelineEnd        reason;  /* FINISH */
  gboolean             empty;   /* FINISH: the window wrote no file */
  /* START, EXTEND; FINISH of a window that ended as it opened */
  GstClockTime         trigger;
  /* START, FINISH: the window; EXTEND: its new end */
  GstClockTime         start;
  GstClockTime         end;
  /* START, FINISH, and WRITE into a new file: the running time the file was
   * asked to start at (before 0 when the trigger came early) */
  gint64               requested_start;
  /* ask the source for a keyframe at this time; NONE: none */
  GstClockTime         keyframe_at;
} HsTimelineAction;

typedef struct _HsTimeline HsTimeline;

HsTimeline      *hs_timeline_new          (const HsTimelineSettings *settings);
void             hs_timeline_free         (HsTimeline               *self);

/* Takes effect at the next decision that reads it (pre at the next window,
 * post at the next trigger, max-duration at the next frame). */
void             hs_timeline_set_settings (HsTimeline               *self,
                                           const HsTimelineSettings *settings);

void             hs_timeline_step         (HsTimeline               *self,
                                           const HsTimelineInput    *input,
                                           HsTimelineAction         *action);

HsTimelineState  hs_timeline_get_state    (HsTimeline               *self);

/* The window's start: where SEEKING looks for its keyframe. */
GstClockTime     hs_timeline_get_start    (HsTimeline               *self);

gboolean         hs_timeline_has_pending  (HsTimeline               *self);

/* The frames a source that hands them over in batches must hand over as
 * soon as they arrive, because they end a file or come within @lead of
 * its end: those at or past .any (@lead before the window's end, or before
 * the open file's max-duration when files do not roll over on keyframes),
 * and keyframes at or past .keyframe (the max-duration of a file that
 * rolls over on a keyframe). NONE: none. */
typedef struct {
  GstClockTime any;
  GstClockTime keyframe;
} HsTimelineWake;

void             hs_timeline_get_wake     (HsTimeline               *self,
                                           GstClockTime              lead,
                                           HsTimelineWake           *wake);

/* Whether frames must be kept: while a window is open (then *@from is 0:
 * everything after what was written), or while triggers wait (*@from is
 * the earliest running time their windows can start at). */
gboolean         hs_timeline_get_hold     (HsTimeline               *self,
                                           GstClockTime             *from);

const char      *hs_timeline_state_to_string (HsTimelineState state);

/* Seconds as a running time, saturating at G_MAXINT64 (so "never" stays
 * in range of the window arithmetic). */
GstClockTime     hs_timeline_seconds      (double                    seconds);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (HsTimeline, hs_timeline_free)

G_END_DECLS
