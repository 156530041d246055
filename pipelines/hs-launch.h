/* hindsight-launch: state shared by the files of the command-line tool.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <hindsight.h>
#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/**
 * HsLaunchExit:
 * @HS_LAUNCH_EXIT_OK: the pipeline ran and every file closed cleanly.
 * @HS_LAUNCH_EXIT_RUNTIME: the pipeline failed while starting or running
 *   (missing device, stream error), or a recording failed.
 * @HS_LAUNCH_EXIT_USAGE: bad options: unknown option or value, no such tee.
 * @HS_LAUNCH_EXIT_DESCRIPTION: the description could not be read,
 *   templated or parsed.
 * @HS_LAUNCH_EXIT_FORCED: the stop was forced (a second Ctrl+C or SIGTERM,
 *   or --force-timeout ran out); open files may be incomplete.
 * @HS_LAUNCH_EXIT_OUTPUT: every file closed cleanly, but stdout or stderr
 *   could not be written to the end (a closed pipe, a full disk, a terminal
 *   that went away, a reader that stopped reading); printing there stopped,
 *   recording did not.
 *
 * Exit codes; never 0 on failure. When several apply, the first of 4, 1, 5
 * wins (2 and 3 end the run before anything is recorded).
 */
typedef enum {
  HS_LAUNCH_EXIT_OK = 0,
  HS_LAUNCH_EXIT_RUNTIME = 1,
  HS_LAUNCH_EXIT_USAGE = 2,
  HS_LAUNCH_EXIT_DESCRIPTION = 3,
  HS_LAUNCH_EXIT_FORCED = 4,
  HS_LAUNCH_EXIT_OUTPUT = 5,
} HsLaunchExit;

/* A description (--file) is text of at most this many bytes. */
#define HS_LAUNCH_MAX_DESCRIPTION (1024 * 1024)
/* A command on stdin is one line of at most this many bytes. */
#define HS_LAUNCH_MAX_LINE 4096
/* Input quoted in a message is cut after this many characters. */
#define HS_LAUNCH_QUOTE_CHARS 40
/* A path is quoted whole up to this many bytes. */
#define HS_LAUNCH_QUOTE_PATH_BYTES 256

typedef enum {
  HS_LAUNCH_STOP_NONE,
  HS_LAUNCH_STOP_EOS,
  HS_LAUNCH_STOP_AFTER,
  HS_LAUNCH_STOP_SIGNAL,
  HS_LAUNCH_STOP_QUIT,
  HS_LAUNCH_STOP_ERROR,
  HS_LAUNCH_STOP_FORCED,
} HsLaunchStop;

typedef struct {
  char *source;                 /* a tee name or pattern; NULL: every one */
  GstClockTime time;
} HsLaunchTrigger;

typedef struct {
  char *name;                   /* structure name of the element message */
  char *source;                 /* NULL: every recorder */
} HsLaunchMessageTrigger;

typedef struct _HsLaunchSettings HsLaunchSettings;
typedef struct _HsLaunchMqtt HsLaunchMqtt;
typedef struct _HsLaunchRetention HsLaunchRetention;
typedef struct _HsLaunchMemory HsLaunchMemory;

typedef struct {
  /* options */
  char *file;
  char **records;
  char **trigger_at;
  char **trigger_on_message;
  double stop_after;
  double force_timeout;
  gboolean has_stop_after;
  gboolean has_force_timeout;
  gboolean json;
  gboolean version;
  gboolean demo;
  gboolean stdin_taken;         /* the description came from stdin */

  /* parsed triggers */
  GPtrArray *triggers;          /* HsLaunchTrigger */
  GPtrArray *message_triggers;  /* HsLaunchMessageTrigger */

  /* running */
  HsPipeline *runner;
  GstElement *pipeline;
  GStrv tees;
  GPtrArray *recorders;         /* HsRecorder, fixed once running */
  GPtrArray *multi_recorders;   /* HsMultiRecorder that made them */
  GPtrArray *recordings;        /* HsRecording, in the order they finished */
  GHashTable *open;             /* HsRecording started, not finished */
  HsLaunchStop stop;
  guint n_stop_signals;
  int stop_after_fired;         /* atomic */
  int stop_after_pending;       /* atomic: tees still short of it */
  GstClockID stop_clock_id;
  gulong state_handler;
  gulong element_handler;
  gboolean playing;
  GCancellable *cancellable;
  GInputStream *commands;       /* stdin, read a chunk at a time */
  GString *command_line;        /* the line read so far */
  gboolean command_too_long;    /* skipping to the end of a long line */
  guint foreground_id;          /* waiting to read the terminal again */
  guint suspend_id;             /* watching for Ctrl+Z */
  guint signal_ids[4];
  gboolean seen_playing;        /* this run's pipeline reached PLAYING */

  /* the service: settings per source, a configuration file, MQTT,
   * restarts, retention and the memory budget */
  HsLaunchSettings *settings;
  HsLaunchMqtt *mqtt;
  HsLaunchRetention *retention;
  HsLaunchMemory *memory;
  double restart_after;         /* 0: a failed pipeline ends the run */
  guint n_runs;                 /* pipelines built so far */
} HsLaunch;

/* hs-launch-report.c: what the user (or a script, with --json) sees. */
void     hs_launch_output_init      (void);
void     hs_launch_output_settle    (double        timeout_s);
gboolean hs_launch_output_finish    (double        timeout_s);
gboolean hs_launch_output_failed    (void);
char    *hs_launch_printable        (const char   *text,
                                     gssize        length,
                                     guint         max_chars);
char    *hs_launch_quote            (const char   *text);
char    *hs_launch_quote_path       (const char   *path);
void     hs_launch_log              (HsLaunch     *app,
                                     const char   *format,
                                     ...) G_GNUC_PRINTF (2, 3);
void     hs_launch_report_playing   (HsLaunch     *app);
void     hs_launch_report_trigger   (HsLaunch     *app,
                                     HsRecorder   *recorder,
                                     GstClockTime  time,
                                     const char   *cause);
void     hs_launch_report_started   (HsLaunch     *app,
                                     HsRecording  *recording);
void     hs_launch_report_finished  (HsLaunch     *app,
                                     HsRecording  *recording);
void     hs_launch_report_status    (HsLaunch     *app);
void     hs_launch_report_error     (HsLaunch     *app,
                                     const GError *error,
                                     HsLaunchExit  code);
void     hs_launch_report_stopped   (HsLaunch     *app,
                                     HsLaunchExit  code);
void     hs_launch_print_table      (HsLaunch     *app);
gboolean hs_launch_wants_events     (HsLaunch     *app);
/* An event of the --json stream made elsewhere: begin, add members with
 * json-glib, end (printed with --json, published with --mqtt). */
JsonBuilder *hs_launch_event_begin (const char *name);
void     hs_launch_event_end        (HsLaunch     *app,
                                     JsonBuilder  *builder);
const char *hs_launch_stop_to_string (HsLaunchStop stop);

/* hs-launch-control.c: triggers, commands, signals and stopping. */
gboolean hs_launch_parse_triggers   (HsLaunch     *app,
                                     GError      **error);
gboolean hs_launch_arm              (HsLaunch     *app,
                                     GError      **error);
void     hs_launch_disarm           (HsLaunch     *app);
void     hs_launch_disarm_pipeline  (HsLaunch     *app);
void     hs_launch_protect_process  (void);
void     hs_launch_install_signals  (HsLaunch     *app);
void     hs_launch_install_stop_signals (HsLaunch *app);
void     hs_launch_request_stop     (HsLaunch     *app,
                                     HsLaunchStop  reason);
GPtrArray *hs_launch_match_recorders (HsLaunch    *app,
                                      const char  *pattern);
char    *hs_launch_describe_sources (HsLaunch     *app);

/* hs-launch-settings.c: recording options per source, the configuration
 * file (--config) and the options of the service. */
void     hs_launch_settings_init    (HsLaunch     *app);
void     hs_launch_settings_clear   (HsLaunch     *app);
GOptionGroup *hs_launch_settings_recording_group (HsLaunch *app);
GOptionGroup *hs_launch_settings_service_group   (HsLaunch *app);
void     hs_launch_settings_default (HsLaunch     *app,
                                     const char   *option,
                                     const char   *value);
gboolean hs_launch_settings_check   (HsLaunch     *app,
                                     GError      **error);
/* hs-launch-recorders.c: the recorders those settings make. */
gboolean hs_launch_settings_make_recorders (HsLaunch *app,
                                            GError  **error);
const char *hs_launch_settings_get_text (HsLaunch  *app,
                                        const char *option);
double   hs_launch_settings_get_double (HsLaunch  *app,
                                        const char *option);
guint64  hs_launch_settings_get_size (HsLaunch    *app,
                                      const char  *option);

/* hs-launch-mqtt.c: events out, triggers in (--mqtt). */
gboolean hs_launch_mqtt_start       (HsLaunch     *app,
                                     GError      **error);
void     hs_launch_mqtt_watch       (HsLaunch     *app);
void     hs_launch_mqtt_publish     (HsLaunch     *app,
                                     const char   *source,
                                     JsonNode     *event);
void     hs_launch_mqtt_finish      (HsLaunch     *app);

/* hs-launch-retention.c: --retain-days and --retain-size. */
gboolean hs_launch_retention_start  (HsLaunch     *app,
                                     GError      **error);
void     hs_launch_retention_check  (HsLaunch     *app);
void     hs_launch_retention_finish (HsLaunch     *app);

/* hs-launch-memory.c: --memory-budget shared by the rings. */
void     hs_launch_memory_watch     (HsLaunch     *app);
void     hs_launch_memory_clear     (HsLaunch     *app);

/* hs-launch-restart.c: --restart-after. */
gboolean hs_launch_restart_wait     (HsLaunch     *app,
                                     const GError *error);
void     hs_launch_restart_begin_run (HsLaunch    *app);
void     hs_launch_restart_note_finished (HsLaunch     *app,
                                          HsRecording  *recording);

/* Used by the service files. */
char    *hs_launch_read_text_file   (const char   *path,
                                     const char   *noun,
                                     GError      **error);
void     hs_launch_trigger          (HsLaunch     *app,
                                     HsRecorder   *recorder,
                                     GstClockTime  time,
                                     const char   *cause);
gboolean hs_launch_parse_size       (const char   *text,
                                     guint64      *bytes);

G_END_DECLS
