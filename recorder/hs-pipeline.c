/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include "hs-pipeline.h"

#include "hs-error.h"
#include "hs-pipeline-private.h"
#include "hs-packages-private.h"

/**
 * HsPipeline:
 *
 * Runs a GStreamer pipeline on a GLib main loop and stops it gracefully:
 * EOS, wait until every recorder attached to it has closed its files, then
 * %GST_STATE_NULL. A stop that takes longer than
 * [property@Hindsight.Pipeline:force-timeout] is forced.
 *
 * ```c
 * g_autoptr(HsPipeline) runner = hs_pipeline_new (
 *     "videotestsrc is-live=true ! tee name=cam0 ! fakesink", &error);
 * g_autoptr(HsRecorder) rec = hs_recorder_new (
 *     hs_pipeline_get_pipeline (runner), "cam0", &error);
 *
 * hs_recorder_trigger_at (rec, 3 * GST_SECOND);
 * hs_pipeline_run (runner, &error);     // until EOS, an error or stop()
 * ```
 *
 * [method@Hindsight.Pipeline.run] iterates, on the calling thread, the main
 * context that was thread-default when the runner was made;
 * [method@Hindsight.Pipeline.start] iterates it on a thread of its own (like
 * pythiags' `background=True`). Recorders made in that same context are
 * served by that loop.
 *
 * The library does not initialize GStreamer: call gst_init() first (in
 * Python, `Gst.init(None)` before using `Hindsight`).
 *
 * Since: 0.1
 */

GST_DEBUG_CATEGORY_STATIC (hs_pipeline_debug);
#define GST_CAT_DEFAULT hs_pipeline_debug

#define FORCE_TICK_MS 100
#define FORCE_TICK_MAX_US (G_USEC_PER_SEC / 4)

struct _HsPipeline
{
  GObject parent_instance;

  GstElement *pipeline;
  GMainContext *context;
  double force_timeout;

  GMainLoop *loop;
  GThread *thread;
  GSource *bus_source;
  GSource *force_source;
  gint64 force_last_us;         /* the force tick's last run */
  gint64 force_spent_us;        /* of the graceful stop, so far */
  GPtrArray *draining;          /* HsRecorder watched while they close */
  GError *error;
  GMutex lock;                  /* stop_tasks and running */
  GList *stop_tasks;
  gboolean running;
  gboolean stopping;
};

G_DEFINE_FINAL_TYPE_WITH_CODE (HsPipeline, hs_pipeline, G_TYPE_OBJECT,
    GST_DEBUG_CATEGORY_INIT (hs_pipeline_debug, "hindsight-pipeline", 0,
        "hindsight pipeline runner"))

enum
{
  PROP_0,
  PROP_PIPELINE,
  PROP_FORCE_TIMEOUT,
  PROP_RUNNING,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* ------------------------------------------------------------------------ */
/* The recorders of each pipeline, for the graceful stop.                   */

static GMutex registry_lock;
static GQuark registry_quark;

void
hs_pipeline_register_recorder (GstElement *pipeline, HsRecorder *recorder)
{
  GPtrArray *list;

  g_mutex_lock (&registry_lock);
  if (registry_quark == 0)
    registry_quark = g_quark_from_static_string ("hs-recorders");
  list = g_object_get_qdata (G_OBJECT (pipeline), registry_quark);
  if (list == NULL) {
    list = g_ptr_array_new ();
    g_object_set_qdata_full (G_OBJECT (pipeline), registry_quark, list,
        (GDestroyNotify) g_ptr_array_unref);
  }
  g_ptr_array_add (list, recorder);
  g_mutex_unlock (&registry_lock);
}

void
hs_pipeline_unregister_recorder (GstElement *pipeline,
                                 HsRecorder *recorder)
{
  GPtrArray *list;

  g_mutex_lock (&registry_lock);
  list = registry_quark ?
      g_object_get_qdata (G_OBJECT (pipeline), registry_quark) : NULL;
  if (list != NULL)
    g_ptr_array_remove (list, recorder);
  g_mutex_unlock (&registry_lock);
}

GPtrArray *
hs_pipeline_list_recorders (GstElement *pipeline)
{
  GPtrArray *result = g_ptr_array_new_with_free_func (g_object_unref);
  GPtrArray *list;

  g_mutex_lock (&registry_lock);
  list = registry_quark ?
      g_object_get_qdata (G_OBJECT (pipeline), registry_quark) : NULL;
  for (guint i = 0; list != NULL && i < list->len; i++)
    g_ptr_array_add (result, g_object_ref (list->pdata[i]));
  g_mutex_unlock (&registry_lock);
  return result;
}

/* ------------------------------------------------------------------------ */

static void
clear_source (GSource **source)
{
  if (*source != NULL) {
    g_source_destroy (*source);
    g_clear_pointer (source, g_source_unref);
  }
}

static void
set_error (HsPipeline *self, GError *error)
{
  if (self->error == NULL)
    self->error = error;
  else
    g_error_free (error);
}

static void
stop_draining (HsPipeline *self)
{
  for (guint i = 0; self->draining != NULL && i < self->draining->len; i++)
    g_signal_handlers_disconnect_by_data (self->draining->pdata[i], self);
  g_clear_pointer (&self->draining, g_ptr_array_unref);
}

static void complete_stop_tasks (HsPipeline *self);

static void
quit (HsPipeline *self)
{
  clear_source (&self->force_source);
  stop_draining (self);
  /* Stopped while the loop still turns, so that a stop_async() callback on
   * this same context runs before run() returns. */
  gst_element_set_state (self->pipeline, GST_STATE_NULL);
  complete_stop_tasks (self);
  if (self->loop != NULL)
    g_main_loop_quit (self->loop);
}

static gboolean
check_drained (gpointer user_data)
{
  HsPipeline *self = user_data;

  if (self->draining == NULL)
    return G_SOURCE_REMOVE;
  for (guint i = 0; i < self->draining->len; i++)
    if (hs_recorder_get_busy (self->draining->pdata[i]))
      return G_SOURCE_REMOVE;
  GST_DEBUG_OBJECT (self, "every file is closed");
  quit (self);
  return G_SOURCE_REMOVE;
}

/* Notified on the recorder's context, in the middle of its work: look
 * once it is done, on ours. */
static void
on_recorder_busy (GObject *recorder, GParamSpec *pspec, gpointer user_data)
{
  HsPipeline *self = user_data;
  GSource *idle = g_idle_source_new ();

  g_source_set_callback (idle, check_drained, g_object_ref (self),
      g_object_unref);
  g_source_attach (idle, self->context);
  g_source_unref (idle);
}

/* The stream has ended (EOS or error): the recorders see it too and close
 * their files; quit once they all have. */
static void
drain (HsPipeline *self)
{
  if (self->draining != NULL)
    return;
  self->draining = hs_pipeline_list_recorders (self->pipeline);
  for (guint i = 0; i < self->draining->len; i++)
    g_signal_connect (self->draining->pdata[i], "notify::busy",
        G_CALLBACK (on_recorder_busy), self);
  check_drained (self);
}

static gboolean
on_force_tick (gpointer user_data)
{
  HsPipeline *self = user_data;
  gint64 now = g_get_monotonic_time ();

  /* A late tick counts for FORCE_TICK_MAX_US at most: the process was
   * stopped (Ctrl+Z, SIGSTOP) and the stop had no time to go on. */
  self->force_spent_us += MIN (now - self->force_last_us, FORCE_TICK_MAX_US);
  self->force_last_us = now;
  if (self->force_spent_us < (gint64) (self->force_timeout * G_USEC_PER_SEC))
    return G_SOURCE_CONTINUE;

  GST_WARNING_OBJECT (self, "graceful stop took longer than %.1f s: forcing",
      self->force_timeout);
  set_error (self, g_error_new (HS_PIPELINE_ERROR, HS_PIPELINE_ERROR_FORCED,
          "The pipeline did not stop within %.1f s and was forced; open files "
          "may be incomplete", self->force_timeout));
  g_clear_pointer (&self->force_source, g_source_unref);
  quit (self);
  return G_SOURCE_REMOVE;
}

/* The graceful stop's time is counted in ticks, so that time the process
 * spends stopped does not count: after SIGCONT the stop goes on instead of
 * being forced at once. */
static void
arm_force_timeout (HsPipeline *self)
{
  if (self->force_source != NULL)
    return;
  self->force_last_us = g_get_monotonic_time ();
  self->force_spent_us = 0;
  self->force_source = g_timeout_source_new ((guint) MIN (FORCE_TICK_MS,
          self->force_timeout * 1000));
  g_source_set_callback (self->force_source, on_force_tick, self, NULL);
  g_source_attach (self->force_source, self->context);
}

static gboolean
on_bus_message (GstBus *bus, GstMessage *message, gpointer user_data)
{
  HsPipeline *self = user_data;

  switch (GST_MESSAGE_TYPE (message)) {
    case GST_MESSAGE_EOS:
      GST_INFO_OBJECT (self, "end of stream");
      arm_force_timeout (self);
      drain (self);
      break;
    case GST_MESSAGE_ERROR:{
      g_autoptr(GError) error = NULL;
      g_autofree char *debug = NULL;

      gst_message_parse_error (message, &error, &debug);
      GST_WARNING_OBJECT (self, "error from %s: %s (%s)",
          GST_OBJECT_NAME (GST_MESSAGE_SRC (message)), error->message,
          debug ? debug : "");
      set_error (self, g_error_new (HS_PIPELINE_ERROR,
              HS_PIPELINE_ERROR_STREAM, "%s: %s%s%s",
              GST_OBJECT_NAME (GST_MESSAGE_SRC (message)), error->message,
              debug ? "\n" : "", debug ? debug : ""));
      arm_force_timeout (self);
      drain (self);
      break;
    }
    case GST_MESSAGE_WARNING:{
      g_autoptr(GError) error = NULL;

      gst_message_parse_warning (message, &error, NULL);
      g_warning ("%s: %s", GST_OBJECT_NAME (GST_MESSAGE_SRC (message)),
          error->message);
      break;
    }
    default:
      break;
  }
  return G_SOURCE_CONTINUE;
}

static gboolean
do_stop (gpointer user_data)
{
  HsPipeline *self = user_data;

  if (self->running && !self->stopping) {
    self->stopping = TRUE;
    GST_INFO_OBJECT (self, "stopping gracefully");
    arm_force_timeout (self);
    /* Live sources only stop on an EOS event sent to the pipeline. */
    gst_element_send_event (self->pipeline, gst_event_new_eos ());
  }
  g_object_unref (self);
  return G_SOURCE_REMOVE;
}

/* The pipeline has stopped: not running any more, and every stop_async()
 * waiting for that completes. */
static void
complete_stop_tasks (HsPipeline *self)
{
  GList *tasks;

  g_mutex_lock (&self->lock);
  self->running = FALSE;
  tasks = g_steal_pointer (&self->stop_tasks);
  g_mutex_unlock (&self->lock);

  for (GList *l = tasks; l != NULL; l = l->next) {
    GSource *cancel = g_task_get_task_data (l->data);

    if (cancel != NULL)
      g_source_destroy (cancel);
    if (self->error != NULL)
      g_task_return_error (l->data, g_error_copy (self->error));
    else
      g_task_return_boolean (l->data, TRUE);
    g_object_unref (l->data);
  }
  g_list_free (tasks);
}

static gboolean
begin (HsPipeline *self, GError **error)
{
  g_autoptr(GstBus) bus = NULL;

  if (self->running) {
    g_set_error (error, HS_PIPELINE_ERROR, HS_PIPELINE_ERROR_RUNNING,
        "The pipeline is already running");
    return FALSE;
  }
  g_clear_error (&self->error);
  self->stopping = FALSE;

  bus = gst_element_get_bus (self->pipeline);
  self->bus_source = gst_bus_create_watch (bus);
  g_source_set_callback (self->bus_source, G_SOURCE_FUNC (on_bus_message),
      self, NULL);
  g_source_attach (self->bus_source, self->context);
  self->loop = g_main_loop_new (self->context, FALSE);

  if (gst_element_set_state (self->pipeline, GST_STATE_PLAYING) ==
      GST_STATE_CHANGE_FAILURE) {
    g_autoptr(GstMessage) message = gst_bus_pop_filtered (bus,
        GST_MESSAGE_ERROR);

    if (message != NULL) {
      g_autoptr(GError) gst_error = NULL;

      gst_message_parse_error (message, &gst_error, NULL);
      g_set_error (error, HS_PIPELINE_ERROR, HS_PIPELINE_ERROR_STATE,
          "The pipeline could not start: %s: %s",
          GST_OBJECT_NAME (GST_MESSAGE_SRC (message)), gst_error->message);
    } else {
      g_set_error (error, HS_PIPELINE_ERROR, HS_PIPELINE_ERROR_STATE,
          "The pipeline could not start");
    }
    gst_element_set_state (self->pipeline, GST_STATE_NULL);
    clear_source (&self->bus_source);
    g_clear_pointer (&self->loop, g_main_loop_unref);
    return FALSE;
  }
  g_mutex_lock (&self->lock);
  self->running = TRUE;
  g_mutex_unlock (&self->lock);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_RUNNING]);
  return TRUE;
}

/* Runs on the thread that iterated the loop, once it has quit. */
static void
end (HsPipeline *self)
{
  gst_element_set_state (self->pipeline, GST_STATE_NULL);
  clear_source (&self->bus_source);
  clear_source (&self->force_source);
  stop_draining (self);
  g_clear_pointer (&self->loop, g_main_loop_unref);
  complete_stop_tasks (self);
}

static void
hs_pipeline_dispose (GObject *object)
{
  HsPipeline *self = HS_PIPELINE (object);

  if (self->thread != NULL) {
    hs_pipeline_stop (self);
    g_thread_join (g_steal_pointer (&self->thread));
  }
  if (self->pipeline != NULL)
    gst_element_set_state (self->pipeline, GST_STATE_NULL);
  gst_clear_object (&self->pipeline);

  G_OBJECT_CLASS (hs_pipeline_parent_class)->dispose (object);
}

static void
hs_pipeline_finalize (GObject *object)
{
  HsPipeline *self = HS_PIPELINE (object);

  g_clear_error (&self->error);
  g_main_context_unref (self->context);
  g_mutex_clear (&self->lock);

  G_OBJECT_CLASS (hs_pipeline_parent_class)->finalize (object);
}

static void
hs_pipeline_get_property (GObject    *object,
                          guint       prop_id,
                          GValue     *value,
                          GParamSpec *pspec)
{
  HsPipeline *self = HS_PIPELINE (object);

  switch (prop_id) {
    case PROP_PIPELINE:
      g_value_set_object (value, self->pipeline);
      break;
    case PROP_FORCE_TIMEOUT:
      g_value_set_double (value, self->force_timeout);
      break;
    case PROP_RUNNING:
      g_value_set_boolean (value, self->running);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
  }
}

static void
hs_pipeline_set_property (GObject      *object,
                          guint         prop_id,
                          const GValue *value,
                          GParamSpec   *pspec)
{
  HsPipeline *self = HS_PIPELINE (object);

  switch (prop_id) {
    case PROP_PIPELINE:
      self->pipeline = g_value_dup_object (value);
      break;
    case PROP_FORCE_TIMEOUT:
      hs_pipeline_set_force_timeout (self, g_value_get_double (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
  }
}

static void
hs_pipeline_class_init (HsPipelineClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = hs_pipeline_dispose;
  object_class->finalize = hs_pipeline_finalize;
  object_class->get_property = hs_pipeline_get_property;
  object_class->set_property = hs_pipeline_set_property;

  /**
   * HsPipeline:pipeline:
   *
   * The pipeline that is run.
   *
   * Since: 0.1
   */
  properties[PROP_PIPELINE] =
      g_param_spec_object ("pipeline", NULL, NULL, GST_TYPE_ELEMENT,
      G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);

  /**
   * HsPipeline:force-timeout:
   *
   * Seconds a graceful stop waits for EOS and for every open file to close
   * before it gives up and stops the pipeline anyway.
   *
   * Since: 0.1
   */
  properties[PROP_FORCE_TIMEOUT] =
      g_param_spec_double ("force-timeout", NULL, NULL, 0, 3600,
      HS_PIPELINE_DEFAULT_FORCE_TIMEOUT,
      G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  /**
   * HsPipeline:running:
   *
   * Whether the pipeline is playing under this runner.
   *
   * Since: 0.1
   */
  properties[PROP_RUNNING] =
      g_param_spec_boolean ("running", NULL, NULL, FALSE,
      G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
hs_pipeline_init (HsPipeline *self)
{
  self->context = g_main_context_ref_thread_default ();
  self->force_timeout = HS_PIPELINE_DEFAULT_FORCE_TIMEOUT;
  g_mutex_init (&self->lock);
}

/**
 * hs_pipeline_new:
 * @description: a pipeline description, as for gst-launch-1.0
 * @error: return location for a #GError
 *
 * Builds a pipeline from a description.
 *
 * Returns: (transfer full) (nullable): the runner, or %NULL with
 *   %HS_PIPELINE_ERROR_DESCRIPTION
 *
 * Since: 0.1
 */
HsPipeline *
hs_pipeline_new (const char *description, GError **error)
{
  g_autoptr(GError) parse_error = NULL;
  g_autoptr(GstParseContext) ctx = gst_parse_context_new ();
  GstElement *element;
  HsPipeline *self;

  g_return_val_if_fail (description != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  element = gst_parse_launch_full (description, ctx, GST_PARSE_FLAG_FATAL_ERRORS,
      &parse_error);
  if (element == NULL || parse_error != NULL) {
    g_auto(GStrv) missing = gst_parse_context_get_missing_elements (ctx);
    g_autoptr(GString) names = g_string_new (NULL);

    /* The elements that are not installed (the parser also lists one
     * whose property it could not set), each with the Debian package that
     * has it, where known. */
    for (guint i = 0; missing != NULL && missing[i] != NULL; i++) {
      g_autoptr(GstElementFactory) factory =
          gst_element_factory_find (missing[i]);
      const char *package = hs_packages_for_element (missing[i]);

      if (factory != NULL)
        continue;
      g_string_append_printf (names, "%s%s%s%s%s", names->len ? ", " : "",
          missing[i], package ? " (install " : "", package ? package : "",
          package ? ")" : "");
    }
    if (element != NULL)
      gst_object_unref (gst_object_ref_sink (element));
    if (names->len > 0) {
      g_set_error (error, HS_PIPELINE_ERROR, HS_PIPELINE_ERROR_DESCRIPTION,
          "No such element: %s", names->str);
    } else {
      g_set_error (error, HS_PIPELINE_ERROR, HS_PIPELINE_ERROR_DESCRIPTION,
          "Bad pipeline description '%s': %s", description,
          parse_error ? parse_error->message : "nothing to build");
    }
    return NULL;
  }
  gst_object_ref_sink (element);

  if (!GST_IS_PIPELINE (element)) {
    GstElement *pipeline = gst_pipeline_new (NULL);

    gst_bin_add (GST_BIN (pipeline), element);
    gst_object_unref (element);
    element = gst_object_ref_sink (pipeline);
  }
  self = hs_pipeline_new_for_pipeline (element);
  gst_object_unref (element);
  return self;
}

/**
 * hs_pipeline_new_for_pipeline:
 * @pipeline: (transfer none): the application's own pipeline
 *
 * Wraps a pipeline the application built.
 *
 * Returns: (transfer full): the runner
 *
 * Since: 0.1
 */
HsPipeline *
hs_pipeline_new_for_pipeline (GstElement *pipeline)
{
  g_return_val_if_fail (GST_IS_ELEMENT (pipeline), NULL);

  return g_object_new (HS_TYPE_PIPELINE, "pipeline", pipeline, NULL);
}

/**
 * hs_pipeline_get_pipeline:
 * @self: a runner
 *
 * Returns: (transfer none): the pipeline
 *
 * Since: 0.1
 */
GstElement *
hs_pipeline_get_pipeline (HsPipeline *self)
{
  g_return_val_if_fail (HS_IS_PIPELINE (self), NULL);
  return self->pipeline;
}

/**
 * hs_pipeline_run:
 * @self: a runner
 * @error: return location for a #GError
 *
 * Plays the pipeline and iterates its main context on this thread until the
 * stream ends, an error is posted, or [method@Hindsight.Pipeline.stop] is
 * called; in each case it waits for the recorders' files to close, then
 * stops the pipeline.
 *
 * Returns: %TRUE if the pipeline ran and stopped cleanly
 *
 * Since: 0.1
 */
gboolean
hs_pipeline_run (HsPipeline *self, GError **error)
{
  g_return_val_if_fail (HS_IS_PIPELINE (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!begin (self, error))
    return FALSE;
  g_main_loop_run (self->loop);
  end (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_RUNNING]);

  if (self->error != NULL) {
    g_propagate_error (error, g_steal_pointer (&self->error));
    return FALSE;
  }
  return TRUE;
}

static gpointer
run_thread (gpointer user_data)
{
  HsPipeline *self = user_data;

  g_main_context_push_thread_default (self->context);
  g_main_loop_run (self->loop);
  end (self);
  g_main_context_pop_thread_default (self->context);
  return NULL;
}

/**
 * hs_pipeline_start:
 * @self: a runner
 * @error: return location for a #GError
 *
 * Plays the pipeline and iterates its main context on a new thread; returns
 * at once. Collect the outcome with [method@Hindsight.Pipeline.wait].
 *
 * Returns: %TRUE if the pipeline started
 *
 * Since: 0.1
 */
gboolean
hs_pipeline_start (HsPipeline *self, GError **error)
{
  g_return_val_if_fail (HS_IS_PIPELINE (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (self->thread != NULL) {
    g_set_error (error, HS_PIPELINE_ERROR, HS_PIPELINE_ERROR_RUNNING,
        "The pipeline is already running in the background");
    return FALSE;
  }
  if (!begin (self, error))
    return FALSE;
  self->thread = g_thread_new ("hs-pipeline", run_thread, self);
  return TRUE;
}

/**
 * hs_pipeline_wait:
 * @self: a runner
 * @error: return location for a #GError
 *
 * Waits until a pipeline started with [method@Hindsight.Pipeline.start] has
 * stopped (on its own, or after [method@Hindsight.Pipeline.stop]).
 *
 * Returns: %TRUE if the pipeline ran and stopped cleanly
 *
 * Since: 0.1
 */
gboolean
hs_pipeline_wait (HsPipeline *self, GError **error)
{
  g_return_val_if_fail (HS_IS_PIPELINE (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (self->thread == NULL) {
    g_set_error (error, HS_PIPELINE_ERROR, HS_PIPELINE_ERROR_RUNNING,
        "The pipeline was not started in the background");
    return FALSE;
  }
  g_thread_join (g_steal_pointer (&self->thread));
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_RUNNING]);
  if (self->error != NULL) {
    g_propagate_error (error, g_steal_pointer (&self->error));
    return FALSE;
  }
  return TRUE;
}

/**
 * hs_pipeline_stop:
 * @self: a runner
 *
 * Asks for a graceful stop: EOS into the pipeline, wait for every open file
 * to close, then stop; forced after #HsPipeline:force-timeout. Returns at
 * once; safe to call from any thread, a signal handler's main-loop callback
 * included.
 *
 * Since: 0.1
 */
void
hs_pipeline_stop (HsPipeline *self)
{
  g_return_if_fail (HS_IS_PIPELINE (self));
  g_main_context_invoke (self->context, do_stop, g_object_ref (self));
}

/**
 * hs_pipeline_stop_async:
 * @self: a runner
 * @cancellable: (nullable): a #GCancellable
 * @callback: (scope async) (nullable): called once the pipeline has stopped
 * @user_data: data for @callback
 *
 * Like [method@Hindsight.Pipeline.stop], and completes once the pipeline has
 * stopped and every file is closed; at once if it is not running. Finish
 * with [method@Hindsight.Pipeline.stop_finish].
 *
 * Cancelling stops the waiting, not the stop. @callback runs on the main
 * context that was thread-default when this was called; when that is the
 * runner's own context, it runs before [method@Hindsight.Pipeline.run]
 * returns.
 *
 * Since: 0.1
 */
/* Cancelling a stop_async() ends the wait, not the stop. Runs on the
 * caller's context; the runner's thread may be completing the same task. */
static gboolean
on_stop_cancelled (GCancellable *cancellable, gpointer user_data)
{
  GTask *task = user_data;
  HsPipeline *self = g_task_get_source_object (task);
  GList *link;

  g_mutex_lock (&self->lock);
  link = g_list_find (self->stop_tasks, task);
  if (link != NULL)
    self->stop_tasks = g_list_delete_link (self->stop_tasks, link);
  g_mutex_unlock (&self->lock);

  if (link != NULL) {
    g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_CANCELLED,
        "Stopped waiting for the pipeline to stop");
    g_object_unref (task);
  }
  return G_SOURCE_REMOVE;
}

void
hs_pipeline_stop_async (HsPipeline          *self,
                        GCancellable        *cancellable,
                        GAsyncReadyCallback  callback,
                        gpointer             user_data)
{
  GTask *task;
  gboolean running;

  g_return_if_fail (HS_IS_PIPELINE (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, hs_pipeline_stop_async);
  g_task_set_check_cancellable (task, TRUE);
  if (cancellable != NULL) {
    GSource *cancel = g_cancellable_source_new (cancellable);

    g_source_set_callback (cancel, G_SOURCE_FUNC (on_stop_cancelled),
        g_object_ref (task), g_object_unref);
    g_source_attach (cancel, g_task_get_context (task));
    g_task_set_task_data (task, cancel, (GDestroyNotify) g_source_unref);
  }

  g_mutex_lock (&self->lock);
  running = self->running;
  if (running)
    self->stop_tasks = g_list_append (self->stop_tasks, task);
  g_mutex_unlock (&self->lock);

  if (!running) {
    if (cancellable != NULL)
      g_source_destroy (g_task_get_task_data (task));
    g_task_return_boolean (task, TRUE);
    g_object_unref (task);
    return;
  }
  hs_pipeline_stop (self);
}

/**
 * hs_pipeline_stop_finish:
 * @self: a runner
 * @result: the #GAsyncResult given to the callback
 * @error: return location for a #GError
 *
 * Finishes [method@Hindsight.Pipeline.stop_async].
 *
 * Returns: %TRUE if the pipeline stopped cleanly; %FALSE with the error
 *   that ended the run, %HS_PIPELINE_ERROR_FORCED, or
 *   %G_IO_ERROR_CANCELLED
 *
 * Since: 0.1
 */
gboolean
hs_pipeline_stop_finish (HsPipeline    *self,
                         GAsyncResult  *result,
                         GError       **error)
{
  g_return_val_if_fail (HS_IS_PIPELINE (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) ==
      hs_pipeline_stop_async, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/**
 * hs_pipeline_get_running:
 * @self: a runner
 *
 * Returns: whether the pipeline is playing under this runner
 *
 * Since: 0.1
 */
gboolean
hs_pipeline_get_running (HsPipeline *self)
{
  gboolean running;

  g_return_val_if_fail (HS_IS_PIPELINE (self), FALSE);

  g_mutex_lock (&self->lock);
  running = self->running;
  g_mutex_unlock (&self->lock);
  return running;
}

/**
 * hs_pipeline_get_force_timeout:
 * @self: a runner
 *
 * Returns: the seconds a graceful stop may take
 *
 * Since: 0.1
 */
double
hs_pipeline_get_force_timeout (HsPipeline *self)
{
  g_return_val_if_fail (HS_IS_PIPELINE (self), 0);
  return self->force_timeout;
}

/**
 * hs_pipeline_set_force_timeout:
 * @self: a runner
 * @seconds: the seconds a graceful stop may take
 *
 * Sets #HsPipeline:force-timeout.
 *
 * Since: 0.1
 */
void
hs_pipeline_set_force_timeout (HsPipeline *self, double seconds)
{
  g_return_if_fail (HS_IS_PIPELINE (self));
  g_return_if_fail (seconds >= 0);

  if (self->force_timeout == seconds)
    return;
  self->force_timeout = seconds;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_FORCE_TIMEOUT]);
}
