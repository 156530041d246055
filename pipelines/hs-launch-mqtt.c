/* hindsight-launch: events out and triggers in over MQTT (--mqtt).
 *
 * Topics, under BASE = PREFIX/ID:
 *   in   BASE/SOURCE/record, BASE/record   trigger (payload empty, or JSON
 *                                          {"at": RUNNING_S} or
 *                                          {"wallclock": UNIX_S})
 *        BASE/SOURCE/stop                  close the open file now
 *        PREFIX/record                     every source of every process
 *   out  BASE/SOURCE/events, BASE/events   the --json events, QoS 1
 *        BASE/SOURCE/state                 retained: idle or recording
 *        BASE/available                    retained: online, or offline (also
 *                                          as the last will)
 *
 * libmosquitto runs its network loop on a thread of its own (connecting,
 * reconnecting with backoff, keepalive). Its callbacks only copy what they
 * were given and hand it to the main context, where everything else
 * happens: the recorders, the reports and the queue of events kept while
 * the broker is away.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "hs-launch.h"

#include <errno.h>
#include <math.h>
#include <mosquitto.h>
#include <string.h>
#include <unistd.h>

/* A record or stop message is a small JSON object at most. */
#define MAX_PAYLOAD 1024
#define DEFAULT_QUEUE 1000
#define KEEPALIVE_S 30
#define RECONNECT_MIN_S 1
#define RECONNECT_MAX_S 2
/* How long the last events and "offline" may take at the end. */
#define FINISH_TIMEOUT_S 5
/* Refused messages logged per second at most; the rest are counted. */
#define MAX_LOGS_PER_S 10
/* Characters of a refused message's topic in the log. */
#define MAX_TOPIC_SHOWN 200

typedef struct {
  char *topic;
  char *payload;
} Pending;

struct _HsLaunchMqtt {
  HsLaunch *app;
  struct mosquitto *mosq;
  GMainContext *context;
  char *base;                   /* PREFIX/ID */
  char *fleet;                  /* PREFIX/record */
  char *host;
  int port;
  gboolean loop_started;

  /* main context only */
  gboolean connected;
  gboolean finishing;
  GQueue queue;                 /* Pending: events while disconnected */
  guint max_queue;
  guint64 n_dropped;            /* since the connection was lost */
  guint64 n_dropped_total;
  GHashTable *inflight;         /* mid: QoS 1 messages not acknowledged */
  GPtrArray *watched;           /* HsRecorder whose busy is published */
  gint64 lost_at;               /* monotonic µs of the last disconnection */
  guint n_connections;
  gint64 log_second;
  guint n_logged;
  guint n_unlogged;
};

static void
pending_free (gpointer data)
{
  Pending *p = data;

  g_free (p->topic);
  g_free (p->payload);
  g_free (p);
}

/* ------------------------------------------------------------------------ */
/* From the network thread to the main context                              */

typedef enum {
  CALL_CONNECTED,
  CALL_REFUSED,
  CALL_DISCONNECTED,
  CALL_MESSAGE,
  CALL_PUBLISHED,
} CallKind;

typedef struct {
  HsLaunchMqtt *mqtt;           /* a reference (rc box) */
  CallKind kind;
  int code;                     /* rc or mid */
  char *topic;
  GBytes *payload;              /* NULL: too large to copy */
  gsize payload_size;
} Call;

static void handle_call (Call *call);

static void
mqtt_release (HsLaunchMqtt *mqtt)
{
  g_queue_clear_full (&mqtt->queue, pending_free);
  g_hash_table_unref (mqtt->inflight);
  g_ptr_array_unref (mqtt->watched);
  g_main_context_unref (mqtt->context);
  g_free (mqtt->base);
  g_free (mqtt->fleet);
  g_free (mqtt->host);
}

static void
call_free (gpointer data)
{
  Call *call = data;

  g_atomic_rc_box_release_full (call->mqtt, (GDestroyNotify) mqtt_release);
  g_free (call->topic);
  g_clear_pointer (&call->payload, g_bytes_unref);
  g_free (call);
}

static gboolean
on_call (gpointer data)
{
  handle_call (data);
  return G_SOURCE_REMOVE;
}

static void
post (HsLaunchMqtt *mqtt, Call *call)
{
  call->mqtt = g_atomic_rc_box_acquire (mqtt);
  g_main_context_invoke_full (mqtt->context, G_PRIORITY_DEFAULT, on_call,
      call, call_free);
}

static const char *const subscriptions[] = { "+/record", "record", "+/stop" };

/* Network thread. */
static void
on_connect (struct mosquitto *mosq, void *user_data, int rc)
{
  HsLaunchMqtt *mqtt = user_data;
  Call *call = g_new0 (Call, 1);

  if (rc == 0) {
    for (guint i = 0; i < G_N_ELEMENTS (subscriptions); i++) {
      g_autofree char *topic = g_strdup_printf ("%s/%s", mqtt->base,
          subscriptions[i]);

      mosquitto_subscribe (mosq, NULL, topic, 1);
    }
    mosquitto_subscribe (mosq, NULL, mqtt->fleet, 1);
  }
  call->kind = rc == 0 ? CALL_CONNECTED : CALL_REFUSED;
  call->code = rc;
  post (mqtt, call);
}

static void
on_disconnect (struct mosquitto *mosq, void *user_data, int rc)
{
  Call *call = g_new0 (Call, 1);

  call->kind = CALL_DISCONNECTED;
  call->code = rc;
  post (user_data, call);
}

static void
on_message (struct mosquitto *mosq, void *user_data,
            const struct mosquitto_message *message)
{
  Call *call = g_new0 (Call, 1);

  call->kind = CALL_MESSAGE;
  call->topic = g_strdup (message->topic);
  call->payload_size = message->payloadlen;
  if (message->payloadlen <= MAX_PAYLOAD)
    call->payload = g_bytes_new (message->payload, message->payloadlen);
  post (user_data, call);
}

static void
on_publish (struct mosquitto *mosq, void *user_data, int mid)
{
  Call *call = g_new0 (Call, 1);

  call->kind = CALL_PUBLISHED;
  call->code = mid;
  post (user_data, call);
}

/* ------------------------------------------------------------------------ */
/* Publishing (main context)                                                */

static void
send_now (HsLaunchMqtt *mqtt, const char *topic, const char *payload,
          gboolean retain)
{
  int mid = 0;
  int rc = mosquitto_publish (mqtt->mosq, &mid, topic, strlen (payload),
      payload, 1, retain);

  if (rc == MOSQ_ERR_SUCCESS)
    g_hash_table_add (mqtt->inflight, GINT_TO_POINTER (mid));
  else
    hs_launch_log (mqtt->app, "mqtt: cannot publish to %s: %s", topic,
        mosquitto_strerror (rc));
}

/* An event: sent at once while connected, kept (the newest max_queue)
 * while not. */
static void
send_event (HsLaunchMqtt *mqtt, const char *topic, const char *payload)
{
  Pending *p;

  if (mqtt->connected && g_queue_is_empty (&mqtt->queue)) {
    send_now (mqtt, topic, payload, FALSE);
    return;
  }
  if (mqtt->max_queue == 0) {
    mqtt->n_dropped++;
    mqtt->n_dropped_total++;
    return;
  }
  while (g_queue_get_length (&mqtt->queue) >= mqtt->max_queue) {
    pending_free (g_queue_pop_head (&mqtt->queue));
    mqtt->n_dropped++;
    mqtt->n_dropped_total++;
  }
  p = g_new0 (Pending, 1);
  p->topic = g_strdup (topic);
  p->payload = g_strdup (payload);
  g_queue_push_tail (&mqtt->queue, p);
}

static gboolean
topic_part_ok (const char *part)
{
  return part[0] != '\0' && strpbrk (part, "/+#") == NULL &&
      g_utf8_validate (part, -1, NULL);
}

void
hs_launch_mqtt_publish (HsLaunch *app, const char *source, JsonNode *event)
{
  HsLaunchMqtt *mqtt = app->mqtt;
  g_autofree char *topic = NULL;
  g_autofree char *payload = NULL;

  if (mqtt == NULL)
    return;
  if (source != NULL && topic_part_ok (source))
    topic = g_strdup_printf ("%s/%s/events", mqtt->base, source);
  else
    topic = g_strdup_printf ("%s/events", mqtt->base);
  payload = json_to_string (event, FALSE);
  send_event (mqtt, topic, payload);
}

static void
send_state (HsLaunchMqtt *mqtt, HsRecorder *recorder)
{
  const char *source = hs_recorder_get_source (recorder);
  g_autofree char *topic = NULL;

  if (!mqtt->connected || !topic_part_ok (source))
    return;
  topic = g_strdup_printf ("%s/%s/state", mqtt->base, source);
  send_now (mqtt, topic, hs_recorder_get_busy (recorder) ? "recording" :
      "idle", TRUE);
}

static void
send_available (HsLaunchMqtt *mqtt, const char *state)
{
  g_autofree char *topic = g_strdup_printf ("%s/available", mqtt->base);

  send_now (mqtt, topic, state, TRUE);
}

static void
on_busy (GObject *recorder, GParamSpec *pspec, gpointer user_data)
{
  send_state (user_data, HS_RECORDER (recorder));
}

/**
 * hs_launch_mqtt_watch:
 * @app: the tool, with this run's recorders made
 *
 * Publishes the state of every recorder, now and whenever it changes.
 */
void
hs_launch_mqtt_watch (HsLaunch *app)
{
  HsLaunchMqtt *mqtt = app->mqtt;

  if (mqtt == NULL)
    return;
  for (guint i = 0; i < mqtt->watched->len; i++)
    g_signal_handlers_disconnect_by_data (mqtt->watched->pdata[i], mqtt);
  g_ptr_array_set_size (mqtt->watched, 0);
  for (guint i = 0; i < app->recorders->len; i++) {
    HsRecorder *r = app->recorders->pdata[i];

    if (!topic_part_ok (hs_recorder_get_source (r))) {
      g_autofree char *source = hs_launch_printable (
          hs_recorder_get_source (r), -1, 0);

      hs_launch_log (app, "mqtt: source '%s' cannot be part of a topic "
          "('/', '+' and '#' are not allowed): its events go to %s/events "
          "and it takes no messages", source, mqtt->base);
    }
    g_ptr_array_add (mqtt->watched, g_object_ref (r));
    g_signal_connect (r, "notify::busy", G_CALLBACK (on_busy), mqtt);
    send_state (mqtt, r);
  }
}

/* An event about the connection itself, for people and subscribers. */
static void
report_connection (HsLaunchMqtt *mqtt, const char *state, int code,
                   double down_s, guint64 dropped, guint delivered)
{
  HsLaunch *app = mqtt->app;

  if (hs_launch_wants_events (app)) {
    g_autoptr(JsonBuilder) b = hs_launch_event_begin ("mqtt");

    json_builder_set_member_name (b, "state");
    json_builder_add_string_value (b, state);
    json_builder_set_member_name (b, "broker");
    json_builder_add_string_value (b, mqtt->host);
    if (g_str_equal (state, "connected")) {
      json_builder_set_member_name (b, "down");
      json_builder_add_double_value (b, down_s);
      json_builder_set_member_name (b, "delivered");
      json_builder_add_int_value (b, delivered);
      json_builder_set_member_name (b, "dropped");
      json_builder_add_int_value (b, dropped);
    } else {
      json_builder_set_member_name (b, "reason");
      json_builder_add_string_value (b, mosquitto_strerror (code));
    }
    hs_launch_event_end (app, b);
  }
}

static void
connected (HsLaunchMqtt *mqtt)
{
  HsLaunch *app = mqtt->app;
  double down_s = mqtt->lost_at ?
      (g_get_monotonic_time () - mqtt->lost_at) / (double) G_USEC_PER_SEC : 0;
  guint64 dropped = mqtt->n_dropped;
  guint delivered = g_queue_get_length (&mqtt->queue);
  Pending *p;

  mqtt->connected = TRUE;
  mqtt->n_connections++;
  mqtt->n_dropped = 0;
  if (mqtt->n_connections == 1)
    hs_launch_log (app, "mqtt: connected to %s:%d, topics under %s/",
        mqtt->host, mqtt->port, mqtt->base);
  else
    hs_launch_log (app, "mqtt: connected again to %s:%d after %.1f s; "
        "delivering %u event(s) kept meanwhile", mqtt->host, mqtt->port,
        down_s, delivered);
  if (dropped > 0)
    hs_launch_log (app, "mqtt: %" G_GUINT64_FORMAT " older event(s) were "
        "dropped while the broker was away (--mqtt-queue %u)", dropped,
        mqtt->max_queue);

  send_available (mqtt, "online");
  for (guint i = 0; i < mqtt->watched->len; i++)
    send_state (mqtt, mqtt->watched->pdata[i]);
  /* Queued behind the events kept meanwhile, so that all go in order. */
  report_connection (mqtt, "connected", 0, down_s, dropped, delivered);
  while ((p = g_queue_pop_head (&mqtt->queue)) != NULL) {
    send_now (mqtt, p->topic, p->payload, FALSE);
    pending_free (p);
  }
}

static void
disconnected (HsLaunchMqtt *mqtt, int code)
{
  gboolean was = mqtt->connected;

  mqtt->connected = FALSE;
  /* What was not acknowledged is libmosquitto's to send again. */
  g_hash_table_remove_all (mqtt->inflight);
  if (!was || mqtt->finishing)
    return;
  mqtt->lost_at = g_get_monotonic_time ();
  hs_launch_log (mqtt->app, "mqtt: lost the broker %s:%d (%s); recording "
      "goes on, events are kept until it is back", mqtt->host, mqtt->port,
      mosquitto_strerror (code));
  report_connection (mqtt, "disconnected", code, 0, 0, 0);
}

/* ------------------------------------------------------------------------ */
/* Messages in (main context)                                               */

static void G_GNUC_PRINTF (3, 4)
refuse (HsLaunchMqtt *mqtt, const char *topic, const char *format, ...)
{
  gint64 second = g_get_monotonic_time () / G_USEC_PER_SEC;
  g_autofree char *text = NULL;
  g_autofree char *reason = NULL;
  g_autofree char *shown = NULL;
  va_list args;

  if (second != mqtt->log_second) {
    mqtt->log_second = second;
    mqtt->n_logged = 0;
  }
  if (mqtt->n_logged >= MAX_LOGS_PER_S) {
    mqtt->n_unlogged++;
    return;
  }
  mqtt->n_logged++;
  va_start (args, format);
  text = g_strdup_vprintf (format, args);
  va_end (args);
  /* The topic and the payload are anyone's input: printable, and cut. */
  shown = hs_launch_printable (topic, -1, MAX_TOPIC_SHOWN);
  reason = hs_launch_printable (text, -1, 0);
  if (mqtt->n_unlogged > 0)
    hs_launch_log (mqtt->app, "mqtt: ignoring a message on %s: %s (and %u "
        "more not logged)", shown, reason, mqtt->n_unlogged);
  else
    hs_launch_log (mqtt->app, "mqtt: ignoring a message on %s: %s", shown,
        reason);
  mqtt->n_unlogged = 0;
}

static gboolean
member_seconds (JsonObject *object, const char *name, double *value,
                gboolean *given, char **problem)
{
  JsonNode *node = json_object_get_member (object, name);
  GType type;

  *given = node != NULL;
  if (node == NULL)
    return TRUE;
  type = JSON_NODE_HOLDS_VALUE (node) ? json_node_get_value_type (node) :
      G_TYPE_INVALID;
  if (type != G_TYPE_DOUBLE && type != G_TYPE_INT64) {
    *problem = g_strdup_printf ("\"%s\" is not a number", name);
    return FALSE;
  }
  *value = json_node_get_double (node);
  if (!isfinite (*value) || *value < 0 || *value > 1e11) {
    *problem = g_strdup_printf ("\"%s\" is out of range", name);
    return FALSE;
  }
  return TRUE;
}

/* The running time a record payload asks for: NONE for now. */
static gboolean
parse_record_payload (HsLaunchMqtt *mqtt, GBytes *payload,
                      GstClockTime *time, char **problem)
{
  gsize size;
  const char *data = g_bytes_get_data (payload, &size);
  g_autoptr(JsonParser) parser = NULL;
  g_autoptr(GError) error = NULL;
  JsonNode *root;
  JsonObject *object;
  double at = 0, wallclock = 0;
  gboolean has_at, has_wallclock;
  gsize blank = 0;

  *time = GST_CLOCK_TIME_NONE;
  while (blank < size && g_ascii_isspace (data[blank]))
    blank++;
  if (blank == size)
    return TRUE;
  if (!g_utf8_validate_len (data, size, NULL)) {
    *problem = g_strdup ("the payload is not UTF-8");
    return FALSE;
  }
  parser = json_parser_new ();
  if (!json_parser_load_from_data (parser, data, size, &error)) {
    *problem = g_strdup_printf ("the payload is not JSON (%s)",
        error->message);
    return FALSE;
  }
  root = json_parser_get_root (parser);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root)) {
    *problem = g_strdup ("the payload is not a JSON object");
    return FALSE;
  }
  object = json_node_get_object (root);
  if (!member_seconds (object, "at", &at, &has_at, problem) ||
      !member_seconds (object, "wallclock", &wallclock, &has_wallclock,
          problem))
    return FALSE;
  if (has_at && has_wallclock) {
    *problem = g_strdup ("give \"at\" or \"wallclock\", not both");
    return FALSE;
  }
  if (has_at) {
    *time = (GstClockTime) (at * GST_SECOND + 0.5);
  } else if (has_wallclock) {
    /* The pipeline clock says where its running time is now. */
    HsLaunch *app = mqtt->app;
    g_autoptr(GstClock) clock = app->pipeline ?
        gst_element_get_clock (app->pipeline) : NULL;
    double now_wall = g_get_real_time () / (double) G_USEC_PER_SEC;
    double now_running, t;

    if (clock == NULL) {
      *problem = g_strdup ("\"wallclock\": the pipeline is not playing yet");
      return FALSE;
    }
    now_running = (double) (gst_clock_get_time (clock) -
        gst_element_get_base_time (app->pipeline)) / GST_SECOND;
    t = now_running - (now_wall - wallclock);
    *time = t > 0 ? (GstClockTime) (t * GST_SECOND + 0.5) : 0;
  }
  return TRUE;
}

static HsRecorder *
find_recorder (HsLaunch *app, const char *source)
{
  for (guint i = 0; i < app->recorders->len; i++)
    if (g_str_equal (hs_recorder_get_source (app->recorders->pdata[i]),
            source))
      return app->recorders->pdata[i];
  return NULL;
}

static void
handle_message (HsLaunchMqtt *mqtt, const char *topic, GBytes *payload,
                gsize payload_size)
{
  HsLaunch *app = mqtt->app;
  gsize base_len = strlen (mqtt->base);
  g_autofree char *source = NULL;
  g_autofree char *problem = NULL;
  const char *rest, *slash, *action;
  GstClockTime time = GST_CLOCK_TIME_NONE;

  if (g_str_equal (topic, mqtt->fleet))
    rest = "record";
  else if (!g_str_has_prefix (topic, mqtt->base) || topic[base_len] != '/')
    return;
  else
    rest = topic + base_len + 1;
  slash = strchr (rest, '/');
  if (slash != NULL) {
    source = g_strndup (rest, slash - rest);
    action = slash + 1;
  } else {
    action = rest;
  }
  if (payload == NULL) {
    refuse (mqtt, topic, "the payload has %" G_GSIZE_FORMAT " bytes (at "
        "most %d)", payload_size, MAX_PAYLOAD);
    return;
  }
  if (app->recorders->len == 0) {
    refuse (mqtt, topic, "no pipeline is running");
    return;
  }

  if (g_str_equal (action, "record")) {
    if (!parse_record_payload (mqtt, payload, &time, &problem)) {
      refuse (mqtt, topic, "%s", problem);
      return;
    }
    if (source == NULL) {
      for (guint i = 0; i < app->recorders->len; i++)
        hs_launch_trigger (app, app->recorders->pdata[i], time, "mqtt");
    } else {
      HsRecorder *r = find_recorder (app, source);

      if (r == NULL)
        refuse (mqtt, topic, "no recorded source has that name");
      else
        hs_launch_trigger (app, r, time, "mqtt");
    }
  } else if (g_str_equal (action, "stop") && source != NULL) {
    HsRecorder *r = find_recorder (app, source);

    if (r == NULL) {
      refuse (mqtt, topic, "no recorded source has that name");
    } else {
      g_autofree char *shown = hs_launch_printable (source, -1, 0);

      hs_launch_log (app, "%s: stopping the recording (mqtt)", shown);
      hs_recorder_stop (r);
    }
  }
}

static void
handle_call (Call *call)
{
  HsLaunchMqtt *mqtt = call->mqtt;

  if (mqtt->app == NULL)
    return;                     /* finished */
  switch (call->kind) {
    case CALL_CONNECTED:
      connected (mqtt);
      break;
    case CALL_REFUSED:
      hs_launch_log (mqtt->app, "mqtt: the broker %s:%d refused the "
          "connection: %s; trying again", mqtt->host, mqtt->port,
          mosquitto_connack_string (call->code));
      break;
    case CALL_DISCONNECTED:
      disconnected (mqtt, call->code);
      break;
    case CALL_MESSAGE:
      if (!mqtt->finishing)
        handle_message (mqtt, call->topic, call->payload, call->payload_size);
      break;
    case CALL_PUBLISHED:
      g_hash_table_remove (mqtt->inflight, GINT_TO_POINTER (call->code));
      break;
  }
}

/* ------------------------------------------------------------------------ */
/* Starting and finishing                                                   */

static gboolean
parse_url (HsLaunchMqtt *mqtt, const char *url, gboolean *tls, char **user,
           char **password, GError **error)
{
  g_autoptr(GUri) uri = g_uri_parse (url, G_URI_FLAGS_HAS_PASSWORD, NULL);
  const char *scheme = uri ? g_uri_get_scheme (uri) : NULL;
  const char *path = uri ? g_uri_get_path (uri) : NULL;

  if (uri == NULL || scheme == NULL || g_uri_get_host (uri) == NULL ||
      g_uri_get_host (uri)[0] == '\0' ||
      (g_ascii_strcasecmp (scheme, "mqtt") != 0 &&
          g_ascii_strcasecmp (scheme, "mqtts") != 0) ||
      (path != NULL && path[0] != '\0' && !g_str_equal (path, "/")) ||
      g_uri_get_query (uri) != NULL) {
    g_autofree char *quoted = hs_launch_quote (url);

    g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
        "--mqtt: '%s' is not a broker address "
        "(mqtt://[USER[:PASS]@]HOST[:PORT] or mqtts://...)", quoted);
    return FALSE;
  }
  *tls = g_ascii_strcasecmp (scheme, "mqtts") == 0;
  mqtt->host = g_strdup (g_uri_get_host (uri));
  mqtt->port = g_uri_get_port (uri) > 0 ? g_uri_get_port (uri) :
      *tls ? 8883 : 1883;
  *user = g_strdup (g_uri_get_user (uri));
  *password = g_strdup (g_uri_get_password (uri));
  return TRUE;
}

static gboolean
check_part (const char *option, const char *value, gboolean slashes,
            GError **error)
{
  if (value[0] == '\0' || strpbrk (value, slashes ? "+#" : "/+#") != NULL ||
      !g_utf8_validate (value, -1, NULL) || value[0] == '/' ||
      g_str_has_suffix (value, "/")) {
    g_autofree char *quoted = hs_launch_quote (value);

    g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
        "%s: '%s' cannot be part of a topic (no '+', '#'%s, not empty)",
        option, quoted, slashes ? ", no '/' at either end" : ", '/'");
    return FALSE;
  }
  return TRUE;
}

static gboolean
set_tls (HsLaunchMqtt *mqtt, HsLaunch *app, GError **error)
{
  const char *cafile = hs_launch_settings_get_text (app, "mqtt-cafile");
  const char *cert = hs_launch_settings_get_text (app, "mqtt-cert");
  const char *key = hs_launch_settings_get_text (app, "mqtt-key");
  int rc;

  if ((cert == NULL) != (key == NULL)) {
    g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
        "--mqtt-cert and --mqtt-key go together");
    return FALSE;
  }
  rc = mosquitto_tls_set (mqtt->mosq, cafile,
      cafile ? NULL : "/etc/ssl/certs", cert, key, NULL);
  if (rc != MOSQ_ERR_SUCCESS) {
    g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
        "--mqtt: TLS settings refused (%s): check --mqtt-cafile, --mqtt-cert "
        "and --mqtt-key", mosquitto_strerror (rc));
    return FALSE;
  }
  return TRUE;
}

/**
 * hs_launch_mqtt_start:
 * @app: the tool, its options checked
 * @error: return location for a #GError (a usage error)
 *
 * With --mqtt, starts connecting (and goes on trying in the background: a
 * broker that is not there yet delays nothing).
 */
gboolean
hs_launch_mqtt_start (HsLaunch *app, GError **error)
{
  const char *url = hs_launch_settings_get_text (app, "mqtt");
  const char *prefix = hs_launch_settings_get_text (app, "mqtt-prefix");
  const char *id = hs_launch_settings_get_text (app, "mqtt-id");
  const char *queue = hs_launch_settings_get_text (app, "mqtt-queue");
  g_autofree char *host_name = NULL;
  g_autofree char *user = NULL;
  g_autofree char *password = NULL;
  g_autofree char *client_id = NULL;
  g_autofree char *will_topic = NULL;
  HsLaunchMqtt *mqtt;
  gboolean tls = FALSE;
  int rc;

  if (url == NULL) {
    if (prefix || id || queue ||
        hs_launch_settings_get_text (app, "mqtt-cafile") ||
        hs_launch_settings_get_text (app, "mqtt-cert")) {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
          "The --mqtt-* options need --mqtt URL");
      return FALSE;
    }
    return TRUE;
  }
  if (prefix == NULL)
    prefix = "hindsight";
  if (id == NULL) {
    host_name = g_strdup (g_get_host_name ());
    g_strdelimit (host_name, "/+#", '_');
    id = host_name;
  }
  if (!check_part ("--mqtt-prefix", prefix, TRUE, error) ||
      !check_part ("--mqtt-id", id, FALSE, error))
    return FALSE;

  mosquitto_lib_init ();
  mqtt = g_atomic_rc_box_new0 (HsLaunchMqtt);
  mqtt->app = app;
  mqtt->context = g_main_context_ref_thread_default ();
  mqtt->base = g_strdup_printf ("%s/%s", prefix, id);
  mqtt->fleet = g_strdup_printf ("%s/record", prefix);
  mqtt->inflight = g_hash_table_new (NULL, NULL);
  mqtt->watched = g_ptr_array_new_with_free_func (g_object_unref);
  mqtt->max_queue = queue ? (guint) g_ascii_strtoull (queue, NULL, 10) :
      DEFAULT_QUEUE;
  g_queue_init (&mqtt->queue);
  app->mqtt = mqtt;
  if (!parse_url (mqtt, url, &tls, &user, &password, error))
    return FALSE;

  client_id = g_strdup_printf ("hindsight-%s-%d", id, (int) getpid ());
  mqtt->mosq = mosquitto_new (client_id, TRUE, mqtt);
  if (mqtt->mosq == NULL) {
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED,
        "--mqtt: cannot make an MQTT client");
    return FALSE;
  }
  mosquitto_int_option (mqtt->mosq, MOSQ_OPT_PROTOCOL_VERSION,
      MQTT_PROTOCOL_V311);
  mosquitto_connect_callback_set (mqtt->mosq, on_connect);
  mosquitto_disconnect_callback_set (mqtt->mosq, on_disconnect);
  mosquitto_message_callback_set (mqtt->mosq, on_message);
  mosquitto_publish_callback_set (mqtt->mosq, on_publish);
  mosquitto_reconnect_delay_set (mqtt->mosq, RECONNECT_MIN_S,
      RECONNECT_MAX_S, TRUE);
  if (user != NULL)
    mosquitto_username_pw_set (mqtt->mosq, user, password);
  if (tls && !set_tls (mqtt, app, error))
    return FALSE;
  will_topic = g_strdup_printf ("%s/available", mqtt->base);
  mosquitto_will_set (mqtt->mosq, will_topic, strlen ("offline"), "offline",
      1, TRUE);

  rc = mosquitto_connect_async (mqtt->mosq, mqtt->host, mqtt->port,
      KEEPALIVE_S);
  if (rc != MOSQ_ERR_SUCCESS) {
    hs_launch_log (app, "mqtt: cannot reach %s:%d yet (%s); trying again in "
        "the background", mqtt->host, mqtt->port, rc == MOSQ_ERR_ERRNO ?
        g_strerror (errno) : mosquitto_strerror (rc));
    mqtt->lost_at = g_get_monotonic_time ();
  }
  rc = mosquitto_loop_start (mqtt->mosq);
  if (rc != MOSQ_ERR_SUCCESS) {
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED,
        "--mqtt: cannot start the MQTT thread: %s", mosquitto_strerror (rc));
    return FALSE;
  }
  mqtt->loop_started = TRUE;
  return TRUE;
}

static gboolean
on_finish_timeout (gpointer user_data)
{
  *(gboolean *) user_data = TRUE;
  return G_SOURCE_REMOVE;
}

/**
 * hs_launch_mqtt_finish:
 * @app: the tool
 *
 * Publishes "offline", waits (a few seconds at most) until the broker has
 * acknowledged every event, then disconnects.
 */
void
hs_launch_mqtt_finish (HsLaunch *app)
{
  HsLaunchMqtt *mqtt = app->mqtt;
  gboolean expired = FALSE;
  guint timeout_id;

  if (mqtt == NULL)
    return;
  app->mqtt = NULL;
  if (mqtt->mosq != NULL && mqtt->loop_started) {
    if (mqtt->connected)
      send_available (mqtt, "offline");
    timeout_id = g_timeout_add_seconds (FINISH_TIMEOUT_S, on_finish_timeout,
        &expired);
    while (!expired && mqtt->connected &&
        (g_hash_table_size (mqtt->inflight) > 0 ||
            !g_queue_is_empty (&mqtt->queue)))
      g_main_context_iteration (mqtt->context, TRUE);
    if (!expired)
      g_source_remove (timeout_id);
    if (!g_queue_is_empty (&mqtt->queue) ||
        g_hash_table_size (mqtt->inflight) > 0)
      hs_launch_log (app, "mqtt: %u event(s) were not delivered: the broker "
          "is away", g_queue_get_length (&mqtt->queue) +
          g_hash_table_size (mqtt->inflight));
    mqtt->finishing = TRUE;
    mosquitto_disconnect (mqtt->mosq);
    mosquitto_loop_stop (mqtt->mosq, FALSE);
  }
  for (guint i = 0; i < mqtt->watched->len; i++)
    g_signal_handlers_disconnect_by_data (mqtt->watched->pdata[i], mqtt);
  g_ptr_array_set_size (mqtt->watched, 0);
  g_clear_pointer (&mqtt->mosq, mosquitto_destroy);
  mosquitto_lib_cleanup ();
  mqtt->app = NULL;
  g_atomic_rc_box_release_full (mqtt, (GDestroyNotify) mqtt_release);
}
