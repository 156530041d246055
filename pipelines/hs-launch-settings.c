/* hindsight-launch: the recording options, for every source or for one, from
 * the command line and from a configuration file (--config), and the
 * options of the service (MQTT, restarts, retention, memory).
 *
 * A recording option given before any --record applies to every source;
 * one given after a --record applies to the sources that --record names.
 * The configuration file is a GKeyFile with a [defaults] group and one
 * [source NAME] group per tee (NAME may be a pattern), whose keys are the
 * long names of the options. For one source, the first of these that has a
 * value wins: its --record group, the options before any --record, its
 * [source] group, [defaults], the recorder's own default.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "hs-launch-settings-private.h"

#include <math.h>
#include <string.h>

static const OptionSpec recording_options[] = {
  { "pre", 0, "pre", VALUE_SECONDS,
    "Seconds kept before a trigger (default 5)", "S" },
  { "post", 0, "post", VALUE_SECONDS,
    "Seconds recorded after the last trigger (default 5)", "S" },
  { "max-duration", 0, "max-duration", VALUE_SECONDS,
    "Continue in a new file after S seconds (default: never)", "S" },
  { "output", 'o', "location", VALUE_TEXT,
    "File names: strftime, %{source}, %{index}, %{n}, %{ext}", "TEMPLATE" },
  { "rebase-timestamps", 0, "rebase-timestamps", VALUE_FLAG,
    "Start each file at time 0, not at its running time", NULL },
  { "encoder", 0, "encoder", VALUE_TEXT,
    "Codec of the files (default vp8)", "E" },
  { "converter", 0, "converter", VALUE_TEXT,
    "How the ring converts the tee's frames (default auto)", "C" },
  { "mode", 0, "mode", VALUE_TEXT,
    "What the ring holds: auto, raw, encoded or passthrough (default "
    "auto: passthrough for compressed video, else raw)", "M" },
  { "container", 0, "container", VALUE_TEXT,
    "Files in webm, matroska or mp4 (default auto: by -o's extension, "
    "else webm for VP8/VP9/AV1 with Opus, Vorbis or no sound, matroska for "
    "the rest)", "C" },
  { "bitrate", 0, "bitrate", VALUE_UINT,
    "Bits per second of the files (default: scaled to the picture)", "BPS" },
  { "keyframe-interval", 0, "keyframe-interval", VALUE_SECONDS,
    "Seconds between keyframes (default 2 in files, 1 in an encoded ring)",
    "S" },
  { "threads", 0, "threads", VALUE_UINT,
    "Encoder threads (default: from the picture size)", "N" },
  { "copy-frames", 0, "copy-frames", VALUE_TEXT,
    "Copy frames into the ring: auto, always, never (default auto)", "WHEN" },
  { "max-ring-bytes", 0, "max-ring-bytes", VALUE_SIZE,
    "Most memory the ring may hold, such as 500M (default: its share of "
    "--memory-budget)", "SIZE" },
  { "audio-source", 0, "audio-source", VALUE_TEXT,
    "Record this audio tee's sound with the picture (mic%u goes with "
    "cam%u's tees; -r cam0+mic0 says the same)", "TEE" },
  { "audio-encoder", 0, "audio-encoder", VALUE_TEXT,
    "Codec of raw sound in the files: opus, vorbis or aac (default opus)",
    "E" },
};

/**
 * hs_launch_recording_options:
 * @n: (out): how many there are
 *
 * Returns: the recording options, each the property of HsMultiRecorder it
 *   sets
 */
const OptionSpec *
hs_launch_recording_options (gsize *n)
{
  *n = G_N_ELEMENTS (recording_options);
  return recording_options;
}

static const OptionSpec service_options[] = {
  { "mqtt", 0, NULL, VALUE_TEXT,
    "Events to and triggers from this MQTT broker: "
    "mqtt[s]://[USER[:PASS]@]HOST[:PORT]", "URL" },
  { "mqtt-prefix", 0, NULL, VALUE_TEXT,
    "First level of every topic (default hindsight)", "P" },
  { "mqtt-id", 0, NULL, VALUE_TEXT,
    "Second level of every topic (default: the host name)", "NAME" },
  { "mqtt-cafile", 0, NULL, VALUE_TEXT,
    "mqtts: certificate authorities to trust (default: the system's)",
    "FILE" },
  { "mqtt-cert", 0, NULL, VALUE_TEXT,
    "mqtts: this client's certificate", "FILE" },
  { "mqtt-key", 0, NULL, VALUE_TEXT,
    "mqtts: this client's private key", "FILE" },
  { "mqtt-queue", 0, NULL, VALUE_UINT,
    "Events kept while the broker is away (default 1000; older ones are "
    "dropped and counted)", "N" },
  { "restart-after", 0, NULL, VALUE_SECONDS,
    "When the pipeline fails or ends, build it again after S seconds "
    "(doubling up to 60 s while it keeps failing)", "S" },
  { "retain-days", 0, NULL, VALUE_DAYS,
    "Delete clips older than D days", "D" },
  { "retain-size", 0, NULL, VALUE_SIZE,
    "Delete the oldest clips while all of them take more than SIZE, such "
    "as 50G", "SIZE" },
  { "memory-budget", 0, NULL, VALUE_SIZE,
    "Memory all rings share (default: half of the physical memory)",
    "SIZE" },
};

static void
value_free (gpointer data)
{
  Value *v = data;

  g_free (v->text);
  g_free (v->where);
  g_free (v);
}

static GHashTable *
values_new (void)
{
  return g_hash_table_new_full (g_str_hash, g_str_equal, NULL, value_free);
}

static Group *
group_new (const char *pattern)
{
  Group *g = g_new0 (Group, 1);

  g->pattern = g_strdup (pattern);
  g->values = values_new ();
  return g;
}

static void
group_free (gpointer data)
{
  Group *g = data;

  g_free (g->pattern);
  g_hash_table_unref (g->values);
  g_free (g);
}

static void
values_set (GHashTable *values, const OptionSpec *spec, const char *text,
            char *where)
{
  Value *v = g_new0 (Value, 1);

  v->spec = spec;
  v->text = g_strdup (text);
  v->where = where;
  g_hash_table_replace (values, (gpointer) spec->name, v);
}

void
hs_launch_settings_init (HsLaunch *app)
{
  HsLaunchSettings *s = g_new0 (HsLaunchSettings, 1);

  s->cli_all = group_new (NULL);
  s->cli_groups = g_ptr_array_new_with_free_func (group_free);
  s->file_all = group_new (NULL);
  s->file_groups = g_ptr_array_new_with_free_func (group_free);
  s->cli_service = values_new ();
  s->file_service = values_new ();
  app->settings = s;
}

void
hs_launch_settings_clear (HsLaunch *app)
{
  HsLaunchSettings *s = app->settings;

  if (s == NULL)
    return;
  group_free (s->cli_all);
  g_ptr_array_unref (s->cli_groups);
  group_free (s->file_all);
  g_ptr_array_unref (s->file_groups);
  g_hash_table_unref (s->cli_service);
  g_hash_table_unref (s->file_service);
  g_free (s->config);
  g_free (s);
  app->settings = NULL;
}

static const OptionSpec *
find_spec (const OptionSpec *specs, gsize n, const char *option_name)
{
  for (gsize i = 0; i < n; i++) {
    if (option_name[0] == '-' && option_name[1] == '-' &&
        g_str_equal (option_name + 2, specs[i].name))
      return &specs[i];
    if (option_name[0] == '-' && option_name[1] != '-' &&
        option_name[1] == specs[i].short_name && option_name[2] == '\0')
      return &specs[i];
    if (g_str_equal (option_name, specs[i].name))
      return &specs[i];
  }
  return NULL;
}

/* ------------------------------------------------------------------------ */
/* Values                                                                   */

/**
 * hs_launch_parse_size:
 * @text: "1048576", "500M", "1.5G", "64KiB"...
 * @bytes: (out): the size
 *
 * Returns: whether @text is a size (K, M, G and T are powers of 1024)
 */
gboolean
hs_launch_parse_size (const char *text, guint64 *bytes)
{
  g_autofree char *stripped = g_strstrip (g_strdup (text));
  char *end = NULL;
  double value;
  double unit = 1;

  if (stripped[0] == '\0' || stripped[0] == '-')
    return FALSE;
  value = g_ascii_strtod (stripped, &end);
  if (end == stripped || !isfinite (value) || value < 0)
    return FALSE;
  while (*end == ' ')
    end++;
  switch (g_ascii_toupper (*end)) {
    case 'K':
      unit = 1024.0;
      break;
    case 'M':
      unit = 1024.0 * 1024;
      break;
    case 'G':
      unit = 1024.0 * 1024 * 1024;
      break;
    case 'T':
      unit = 1024.0 * 1024 * 1024 * 1024;
      break;
    case '\0':
    case 'B':
      break;
    default:
      return FALSE;
  }
  if (unit > 1) {
    end++;
    if (*end == 'i' || *end == 'I')
      end++;
  }
  if (g_ascii_toupper (*end) == 'B')
    end++;
  if (*end != '\0' || value * unit >= 18e18)
    return FALSE;
  *bytes = (guint64) (value * unit + 0.5);
  return TRUE;
}

static gboolean
parse_number (const char *text, double *number)
{
  g_autofree char *stripped = g_strstrip (g_strdup (text));
  char *end = NULL;

  *number = g_ascii_strtod (stripped, &end);
  return end != stripped && *end == '\0' && isfinite (*number) &&
      *number >= 0;
}

static gboolean
parse_flag (const char *text, gboolean *flag)
{
  if (text == NULL) {
    *flag = TRUE;
    return TRUE;
  }
  if (g_ascii_strcasecmp (text, "true") == 0 || g_str_equal (text, "1") ||
      g_ascii_strcasecmp (text, "yes") == 0) {
    *flag = TRUE;
    return TRUE;
  }
  if (g_ascii_strcasecmp (text, "false") == 0 || g_str_equal (text, "0") ||
      g_ascii_strcasecmp (text, "no") == 0) {
    *flag = FALSE;
    return TRUE;
  }
  return FALSE;
}

/* Checks @v for its kind alone (the service's options). */
gboolean
hs_launch_value_check (const Value *v, GError **error)
{
  g_autofree char *quoted = hs_launch_quote (v->text);
  double number;
  guint64 size;
  gboolean flag;

  switch (v->spec->kind) {
    case VALUE_SECONDS:
    case VALUE_DAYS:
      if (parse_number (v->text, &number))
        return TRUE;
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
          "%s: '%s' is not a number of %s (0 or more)", v->where, quoted,
          v->spec->kind == VALUE_DAYS ? "days" : "seconds");
      return FALSE;
    case VALUE_SIZE:
      if (hs_launch_parse_size (v->text, &size))
        return TRUE;
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
          "%s: '%s' is not a size (bytes, or a number with K, M, G or T, "
          "such as 500M)", v->where, quoted);
      return FALSE;
    case VALUE_UINT:
      if (g_ascii_string_to_unsigned (v->text, 10, 0, G_MAXINT, &size, NULL))
        return TRUE;
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
          "%s: '%s' is not a whole number (0 or more)", v->where, quoted);
      return FALSE;
    case VALUE_FLAG:
      if (parse_flag (v->text, &flag))
        return TRUE;
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
          "%s: '%s' is neither true nor false", v->where, quoted);
      return FALSE;
    case VALUE_TEXT:
      if (v->text[0] != '\0')
        return TRUE;
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
          "%s: the value is empty", v->where);
      return FALSE;
  }
  g_assert_not_reached ();
}

/* The value of a recorder setting as its property takes it. */
gboolean
hs_launch_value_to_gvalue (GObjectClass *klass, const Value *v, GValue *value, GError **error)
{
  GParamSpec *pspec = g_object_class_find_property (klass, v->spec->property);

  if (!hs_launch_value_check (v, error))
    return FALSE;
  g_value_init (value, pspec->value_type);
  switch (v->spec->kind) {
    case VALUE_SECONDS:{
      double number = 0;

      parse_number (v->text, &number);
      g_value_set_double (value, number);
      break;
    }
    case VALUE_SIZE:{
      guint64 size = 0;

      hs_launch_parse_size (v->text, &size);
      g_value_set_uint64 (value, size);
      break;
    }
    case VALUE_UINT:{
      guint64 n = 0;

      g_ascii_string_to_unsigned (v->text, 10, 0, G_MAXINT, &n, NULL);
      g_value_set_uint (value, (guint) n);
      break;
    }
    case VALUE_FLAG:{
      gboolean flag = FALSE;

      parse_flag (v->text, &flag);
      g_value_set_boolean (value, flag);
      break;
    }
    case VALUE_DAYS:
      g_assert_not_reached ();
    case VALUE_TEXT:
      if (G_VALUE_HOLDS_STRING (value)) {
        g_value_set_string (value, v->text);
      } else if (!gst_value_deserialize (value, v->text)) {
        g_autoptr(GString) valid = g_string_new (NULL);
        g_autofree char *quoted = hs_launch_quote (v->text);

        if (G_IS_PARAM_SPEC_ENUM (pspec)) {
          GEnumClass *enums = G_PARAM_SPEC_ENUM (pspec)->enum_class;

          for (guint i = 0; i < enums->n_values; i++)
            g_string_append_printf (valid, "%s%s", i ? ", " : " (valid: ",
                enums->values[i].value_nick);
          g_string_append_c (valid, ')');
        }
        g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
            "%s: unknown value '%s'%s", v->where, quoted, valid->str);
        g_value_unset (value);
        return FALSE;
      }
      break;
  }
  if (g_param_value_validate (pspec, value) && G_IS_PARAM_SPEC_DOUBLE (pspec)) {
    GParamSpecDouble *range = G_PARAM_SPEC_DOUBLE (pspec);
    g_autofree char *quoted = hs_launch_quote (v->text);

    g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
        "%s: %s is out of range (%g to %g)", v->where, quoted,
        range->minimum, range->maximum);
    g_value_unset (value);
    return FALSE;
  }
  return TRUE;
}

/* ------------------------------------------------------------------------ */
/* The command line                                                         */

static Group *
current_group (HsLaunchSettings *s)
{
  return s->cli_groups->len > 0 ?
      s->cli_groups->pdata[s->cli_groups->len - 1] : s->cli_all;
}

/* --record TEE or --record VIDEO+AUDIO: a group of its own, whose
 * audio-source is the part after '+'. */
static gboolean
on_record (const char *option_name, const char *value, gpointer user_data,
           GError **error)
{
  HsLaunch *app = user_data;
  guint n = app->records ? g_strv_length (app->records) : 0;
  const char *plus = strchr (value, '+');
  g_autofree char *video = plus ? g_strndup (value, plus - value) :
      g_strdup (value);
  Group *group;

  if (video[0] == '\0' || (plus != NULL && (plus[1] == '\0' ||
              strchr (plus + 1, '+') != NULL))) {
    g_autofree char *quoted = hs_launch_quote (value);

    g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
        "--record: '%s' is neither a tee nor VIDEO+AUDIO (such as "
        "cam0+mic0)", quoted);
    return FALSE;
  }
  group = group_new (video);
  if (plus != NULL) {
    g_autofree char *quoted = hs_launch_quote (value);

    values_set (group->values, find_spec (recording_options,
            G_N_ELEMENTS (recording_options), "audio-source"), plus + 1,
        g_strdup_printf ("--record %s", quoted));
  }
  g_ptr_array_add (app->settings->cli_groups, group);
  app->records = g_renew (char *, app->records, n + 2);
  app->records[n] = g_steal_pointer (&video);
  app->records[n + 1] = NULL;
  return TRUE;
}

static gboolean
on_recording_option (const char *option_name, const char *value,
                     gpointer user_data, GError **error)
{
  HsLaunch *app = user_data;
  const OptionSpec *spec = find_spec (recording_options,
      G_N_ELEMENTS (recording_options), option_name);
  Group *group = current_group (app->settings);
  Value probe = { spec, (char *) value, NULL };
  g_autofree char *pattern = group->pattern ?
      hs_launch_quote (group->pattern) : NULL;

  probe.where = pattern ?
      g_strdup_printf ("--%s (for %s)", spec->name, pattern) :
      g_strdup_printf ("--%s", spec->name);
  /* Checked now for its kind, so that the error comes with the others of
   * the command line; against the recorder once GStreamer is set up. */
  if (spec->kind != VALUE_TEXT && !hs_launch_value_check (&probe, error)) {
    g_free (probe.where);
    return FALSE;
  }
  values_set (group->values, spec, value, probe.where);
  return TRUE;
}

static gboolean
on_service_option (const char *option_name, const char *value,
                   gpointer user_data, GError **error)
{
  HsLaunch *app = user_data;
  const OptionSpec *spec = find_spec (service_options,
      G_N_ELEMENTS (service_options), option_name);
  Value probe = { spec, (char *) value, g_strdup_printf ("--%s", spec->name) };

  if (!hs_launch_value_check (&probe, error)) {
    g_free (probe.where);
    return FALSE;
  }
  values_set (app->settings->cli_service, spec, value, probe.where);
  return TRUE;
}

static gboolean
on_config (const char *option_name, const char *value, gpointer user_data,
           GError **error)
{
  HsLaunch *app = user_data;

  g_free (app->settings->config);
  app->settings->config = g_strdup (value);
  return TRUE;
}

static GOptionEntry
entry_for (const OptionSpec *spec, GOptionArgFunc callback)
{
  return (GOptionEntry) {
    spec->name, spec->short_name,
    spec->kind == VALUE_FLAG ? G_OPTION_FLAG_NO_ARG : 0,
    G_OPTION_ARG_CALLBACK, callback, spec->description, spec->arg
  };
}

GOptionGroup *
hs_launch_settings_recording_group (HsLaunch *app)
{
  GOptionGroup *group = g_option_group_new ("recording",
      "Recording Options:", "Show recording options", app, NULL);
  GOptionEntry entries[G_N_ELEMENTS (recording_options) + 2] = { { 0 } };

  entries[0] = (GOptionEntry) { "record", 'r', 0, G_OPTION_ARG_CALLBACK,
    on_record, "Record this tee (repeatable; patterns: 'cam*', 'tee_%u'), "
    "with an audio tee's sound as VIDEO+AUDIO ('cam%u+mic%u'); the "
    "recording options after it are its own", "TEE" };
  for (gsize i = 0; i < G_N_ELEMENTS (recording_options); i++)
    entries[i + 1] = entry_for (&recording_options[i],
        on_recording_option);
  g_option_group_add_entries (group, entries);
  return group;
}

GOptionGroup *
hs_launch_settings_service_group (HsLaunch *app)
{
  GOptionGroup *group = g_option_group_new ("service",
      "Service Options (MQTT, restarts, retention, memory):",
      "Show options for running as a service", app, NULL);
  GOptionEntry entries[G_N_ELEMENTS (service_options) + 2] = { { 0 } };

  entries[0] = (GOptionEntry) { "config", 'c', 0, G_OPTION_ARG_CALLBACK,
    on_config, "Options from this file: a [defaults] group and [source NAME] "
    "groups, keys named as the long options", "FILE" };
  for (gsize i = 0; i < G_N_ELEMENTS (service_options); i++)
    entries[i + 1] = entry_for (&service_options[i], on_service_option);
  g_option_group_add_entries (group, entries);
  return group;
}

/**
 * hs_launch_settings_default:
 * @app: the tool
 * @option: "record" or a recording option
 * @value: its value, unless the command line gave one
 *
 * A default of the demo run.
 */
void
hs_launch_settings_default (HsLaunch *app, const char *option,
                            const char *value)
{
  HsLaunchSettings *s = app->settings;
  const OptionSpec *spec;

  if (g_str_equal (option, "record")) {
    if (s->cli_groups->len == 0)
      on_record ("--record", value, app, NULL);
    return;
  }
  spec = find_spec (recording_options, G_N_ELEMENTS (recording_options),
      option);
  g_assert (spec != NULL);
  if (!g_hash_table_contains (s->cli_all->values, spec->name))
    values_set (s->cli_all->values, spec, value,
        g_strdup_printf ("--%s", spec->name));
}

/* ------------------------------------------------------------------------ */
/* The configuration file                                                   */

/* GKeyFile does not say where a key is: the line of @key in @group (or of
 * the group's header without a key), 0 if not found. */
static guint
find_line (const char *text, const char *group, const char *key)
{
  g_auto(GStrv) lines = g_strsplit (text, "\n", -1);
  g_autofree char *current = NULL;

  for (guint i = 0; lines[i] != NULL; i++) {
    const char *line = lines[i];

    while (*line == ' ' || *line == '\t')
      line++;
    if (line[0] == '[') {
      const char *close = strrchr (line, ']');

      g_free (current);
      current = close ? g_strndup (line + 1, close - line - 1) : NULL;
      if (key == NULL && g_strcmp0 (current, group) == 0)
        return i + 1;
      continue;
    }
    if (key != NULL && g_strcmp0 (current, group) == 0 &&
        g_str_has_prefix (line, key)) {
      const char *after = line + strlen (key);

      while (*after == ' ' || *after == '\t')
        after++;
      if (*after == '=' || *after == '[')
        return i + 1;
    }
  }
  return 0;
}

static char *
file_where (const char *path, const char *text, const char *group,
            const char *key)
{
  guint line = find_line (text, group, key);
  g_autofree char *shown_path = hs_launch_quote_path (path);
  g_autofree char *shown_group = hs_launch_quote (group);
  g_autofree char *shown_key = key ? hs_launch_quote (key) : NULL;

  if (key == NULL)
    return g_strdup_printf ("%s:%u: [%s]", shown_path, line, shown_group);
  return g_strdup_printf ("%s:%u: [%s] '%s'", shown_path, line, shown_group,
      shown_key);
}

static gboolean
load_group (HsLaunchSettings *s, GKeyFile *file, const char *path,
            const char *text, const char *name, GError **error)
{
  g_auto(GStrv) keys = g_key_file_get_keys (file, name, NULL, NULL);
  gboolean defaults = g_str_equal (name, "defaults");
  Group *group;

  if (defaults) {
    group = s->file_all;
  } else if (g_str_has_prefix (name, "source ") && name[7] != '\0') {
    g_autofree char *pattern = g_strstrip (g_strdup (name + 7));

    group = group_new (pattern);
    g_ptr_array_add (s->file_groups, group);
  } else {
    g_autofree char *where = file_where (path, text, name, NULL);

    g_set_error (error, G_KEY_FILE_ERROR, G_KEY_FILE_ERROR_GROUP_NOT_FOUND,
        "%s: unknown group (groups are [defaults] and [source NAME])",
        where);
    return FALSE;
  }

  for (guint i = 0; keys != NULL && keys[i] != NULL; i++) {
    const OptionSpec *spec = find_spec (recording_options,
        G_N_ELEMENTS (recording_options), keys[i]);
    g_autofree char *where = file_where (path, text, name, keys[i]);
    g_autofree char *value = NULL;
    g_autoptr(GError) local = NULL;
    GHashTable *values = group->values;
    Value probe;

    if (spec == NULL && defaults) {
      spec = find_spec (service_options, G_N_ELEMENTS (service_options),
          keys[i]);
      values = s->file_service;
    }
    if (spec == NULL && defaults && g_str_equal (keys[i], "force-timeout")) {
      static const OptionSpec force = { "force-timeout", 0, NULL,
        VALUE_SECONDS, NULL, NULL };

      spec = &force;
      values = s->file_service;
    }
    if (spec == NULL) {
      gboolean service = find_spec (service_options,
          G_N_ELEMENTS (service_options), keys[i]) != NULL;

      g_set_error (error, G_KEY_FILE_ERROR, G_KEY_FILE_ERROR_KEY_NOT_FOUND,
          "%s: %s", where, service ?
          "an option of the whole process, only in [defaults]" :
          "unknown key (keys are the long names of the recording and "
          "service options, see --help-recording and --help-service)");
      return FALSE;
    }
    value = g_key_file_get_string (file, name, keys[i], &local);
    if (value == NULL) {
      g_set_error (error, G_KEY_FILE_ERROR, G_KEY_FILE_ERROR_INVALID_VALUE,
          "%s: %s", where, local->message);
      return FALSE;
    }
    probe = (Value) { spec, value, where };
    if (spec->kind != VALUE_TEXT && !hs_launch_value_check (&probe, error))
      return FALSE;
    values_set (values, spec, value, g_steal_pointer (&where));
  }
  return TRUE;
}

/* Read as --file reads a description: a file, a pipe or /dev/fd/N, at
 * most 1 MiB. */
static gboolean
load_config (HsLaunchSettings *s, GError **error)
{
  g_autoptr(GKeyFile) file = g_key_file_new ();
  g_autoptr(GError) local = NULL;
  g_autofree char *text = NULL;
  g_auto(GStrv) groups = NULL;

  text = hs_launch_read_text_file (s->config, "configuration", &local);
  if (text == NULL) {
    g_set_error (error, G_KEY_FILE_ERROR, G_KEY_FILE_ERROR_PARSE,
        "--config: %s", local->message);
    return FALSE;
  }
  if (!g_key_file_load_from_data (file, text, -1, G_KEY_FILE_NONE, &local)) {
    g_autofree char *shown = hs_launch_quote_path (s->config);
    g_autofree char *message = hs_launch_printable (local->message, -1,
        HS_LAUNCH_QUOTE_CHARS * 4);

    g_set_error (error, G_KEY_FILE_ERROR, G_KEY_FILE_ERROR_PARSE,
        "--config: %s: %s", shown, message);
    return FALSE;
  }
  groups = g_key_file_get_groups (file, NULL);
  for (guint i = 0; groups[i] != NULL; i++)
    if (!load_group (s, file, s->config, text, groups[i], error))
      return FALSE;
  return TRUE;
}

/* ------------------------------------------------------------------------ */
/* Checking and using the values                                            */

static const Value *
service_value (HsLaunchSettings *s, const char *name)
{
  const Value *v = g_hash_table_lookup (s->cli_service, name);

  return v != NULL ? v : g_hash_table_lookup (s->file_service, name);
}

/**
 * hs_launch_settings_get_text:
 * @app: the tool
 * @option: a service option
 *
 * Returns: (nullable): its value, from the command line or the file
 */
const char *
hs_launch_settings_get_text (HsLaunch *app, const char *option)
{
  const Value *v = service_value (app->settings, option);

  return v != NULL ? v->text : NULL;
}

double
hs_launch_settings_get_double (HsLaunch *app, const char *option)
{
  const char *text = hs_launch_settings_get_text (app, option);
  double number = 0;

  if (text != NULL)
    parse_number (text, &number);
  return number;
}

guint64
hs_launch_settings_get_size (HsLaunch *app, const char *option)
{
  const char *text = hs_launch_settings_get_text (app, option);
  guint64 size = 0;

  if (text != NULL)
    hs_launch_parse_size (text, &size);
  return size;
}

static gboolean
check_group (GObjectClass *klass, Group *group, GError **error)
{
  GHashTableIter iter;
  gpointer value;

  g_hash_table_iter_init (&iter, group->values);
  while (g_hash_table_iter_next (&iter, NULL, &value)) {
    GValue checked = G_VALUE_INIT;

    if (!hs_launch_value_to_gvalue (klass, value, &checked, error))
      return FALSE;
    g_value_unset (&checked);
  }
  return TRUE;
}

/**
 * hs_launch_settings_check:
 * @app: the tool, its options parsed and GStreamer set up
 * @error: return location for a #GError (a usage error)
 *
 * Reads --config and checks every value against the recorder's properties,
 * before anything is built.
 */
gboolean
hs_launch_settings_check (HsLaunch *app, GError **error)
{
  HsLaunchSettings *s = app->settings;
  g_autoptr(GTypeClass) klass = g_type_class_ref (HS_TYPE_MULTI_RECORDER);
  gboolean ok;

  if (s->config != NULL && !load_config (s, error))
    return FALSE;

  ok = check_group (G_OBJECT_CLASS (klass), s->cli_all, error) &&
      check_group (G_OBJECT_CLASS (klass), s->file_all, error);
  for (guint i = 0; ok && i < s->cli_groups->len; i++)
    ok = check_group (G_OBJECT_CLASS (klass), s->cli_groups->pdata[i], error);
  for (guint i = 0; ok && i < s->file_groups->len; i++)
    ok = check_group (G_OBJECT_CLASS (klass), s->file_groups->pdata[i],
        error);
  if (!ok)
    return FALSE;

  app->restart_after = hs_launch_settings_get_double (app, "restart-after");
  if (!app->has_force_timeout &&
      g_hash_table_contains (s->file_service, "force-timeout")) {
    app->force_timeout = hs_launch_settings_get_double (app, "force-timeout");
    app->has_force_timeout = TRUE;
  }
  return TRUE;
}
