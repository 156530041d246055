/* hindsight-launch: one HsMultiRecorder for each recorded tee, with the
 * settings that apply to it (hs-launch-settings.c) and its paired audio
 * tee.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "hs-launch-settings-private.h"

#include <string.h>

/* The group of @groups that applies to @tee: one naming it exactly, else
 * the first pattern that matches it. */
static Group *
group_for (GPtrArray *groups, const char *tee)
{
  for (guint i = 0; i < groups->len; i++) {
    Group *g = groups->pdata[i];

    if (!hs_tee_is_pattern (g->pattern) && g_str_equal (g->pattern, tee))
      return g;
  }
  for (guint i = 0; i < groups->len; i++) {
    Group *g = groups->pdata[i];

    if (hs_tee_is_pattern (g->pattern) &&
        hs_tee_name_matches (g->pattern, tee))
      return g;
  }
  return NULL;
}

static void
on_recording_started (HsMultiRecorder *multi, HsRecording *recording,
                      gpointer user_data)
{
  hs_launch_report_started (user_data, recording);
}

static void
on_recording_finished (HsMultiRecorder *multi, HsRecording *recording,
                       gpointer user_data)
{
  hs_launch_report_finished (user_data, recording);
  hs_launch_restart_note_finished (user_data, recording);
  hs_launch_retention_check (user_data);
}

typedef struct {
  GPtrArray *names;
  GArray *values;
} Props;

static void
props_take (Props *p, const char *name, GValue *value)
{
  g_ptr_array_add (p->names, (gpointer) name);
  g_array_append_vals (p->values, value, 1);
}

/* The layers of settings of @tee, the first that has a value wins. */
static void
layers_for (HsLaunchSettings *s, const char *tee, Group *layers[4])
{
  layers[0] = group_for (s->cli_groups, tee);
  layers[1] = s->cli_all;
  layers[2] = group_for (s->file_groups, tee);
  layers[3] = s->file_all;
}

/* The value of option @name for @tee and the group it comes from. */
static const Value *
lookup (Group *layers[4], const char *name, Group **from)
{
  for (guint j = 0; j < 4; j++) {
    const Value *v = layers[j] ?
        g_hash_table_lookup (layers[j]->values, name) : NULL;

    if (v != NULL) {
      *from = layers[j];
      return v;
    }
  }
  return NULL;
}

/* The audio tee recorded with @tee, or NULL (also on error): its
 * audio-source, where a `%u` or `*` stands for what the pattern that chose
 * @tee matched (cam%u+mic%u: cam3 with mic3). */
static char *
audio_tee_for (HsLaunch *app, const char *tee, GError **error)
{
  Group *layers[4];
  Group *from = NULL;
  const Value *v;
  char *paired;

  layers_for (app->settings, tee, layers);
  v = lookup (layers, "audio-source", &from);
  if (v == NULL || !hs_launch_value_check (v, error))
    return NULL;
  paired = hs_tee_pair (hs_tee_is_pattern (from->pattern) ? from->pattern :
      NULL, tee, v->text);
  if (paired == NULL) {
    g_autofree char *quoted = hs_launch_quote (v->text);
    g_autofree char *name = hs_launch_quote (tee);

    g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
        "%s: no audio tee for '%s': '%s' takes a part of its name that it "
        "does not have", v->where, name, quoted);
  }
  return paired;
}

/* The recorder of @tee, with the settings that apply to it and @audio's
 * sound. */
static HsMultiRecorder *
make_recorder (HsLaunch *app, GObjectClass *klass, const char *tee,
               const char *audio, GError **error)
{
  Group *layers[4];
  const char *sources[] = { tee, NULL };
  Props p = { g_ptr_array_new (), g_array_new (FALSE, TRUE, sizeof (GValue)) };
  g_autoptr(HsMultiRecorder) multi = NULL;
  GValue value = G_VALUE_INIT;
  gboolean ok = TRUE;
  gsize n_options;
  const OptionSpec *options = hs_launch_recording_options (&n_options);

  layers_for (app->settings, tee, layers);
  g_array_set_clear_func (p.values, (GDestroyNotify) g_value_unset);
  g_value_init (&value, GST_TYPE_ELEMENT);
  g_value_set_object (&value, app->pipeline);
  props_take (&p, "pipeline", &value);
  memset (&value, 0, sizeof value);
  g_value_init (&value, G_TYPE_STRV);
  g_value_set_boxed (&value, sources);
  props_take (&p, "sources", &value);
  if (audio != NULL) {
    memset (&value, 0, sizeof value);
    g_value_init (&value, G_TYPE_STRING);
    g_value_set_string (&value, audio);
    props_take (&p, "audio-source", &value);
  }

  for (gsize i = 0; ok && i < n_options; i++) {
    const OptionSpec *spec = &options[i];
    Group *from = NULL;
    const Value *v = lookup (layers, spec->name, &from);

    if (v == NULL || g_str_equal (spec->name, "audio-source"))
      continue;
    memset (&value, 0, sizeof value);
    ok = hs_launch_value_to_gvalue (klass, v, &value, error);
    if (ok)
      props_take (&p, spec->property, &value);
  }
  if (ok)
    multi = HS_MULTI_RECORDER (g_object_new_with_properties (
            HS_TYPE_MULTI_RECORDER, p.names->len,
            (const char **) p.names->pdata, (const GValue *) p.values->data));
  g_ptr_array_unref (p.names);
  g_array_unref (p.values);
  if (!ok || !g_initable_init (G_INITABLE (multi), NULL, error))
    return NULL;
  g_signal_connect (multi, "recording-started",
      G_CALLBACK (on_recording_started), app);
  g_signal_connect (multi, "recording-finished",
      G_CALLBACK (on_recording_finished), app);
  return g_steal_pointer (&multi);
}

/* Whether what reaches @tee can only be sound, as far as its upstream
 * says before playing (a source not linked yet says nothing). */
static gboolean
carries_sound (HsLaunch *app, const char *tee)
{
  g_autoptr(GstElement) element = hs_tee_find (app->pipeline, tee, NULL);
  g_autoptr(GstPad) sink = element ?
      gst_element_get_static_pad (element, "sink") : NULL;
  g_autoptr(GstCaps) caps = sink ? gst_pad_peer_query_caps (sink, NULL) :
      NULL;

  if (caps == NULL || gst_caps_is_any (caps) || gst_caps_is_empty (caps))
    return FALSE;
  for (guint i = 0; i < gst_caps_get_size (caps); i++)
    if (!g_str_has_prefix (gst_structure_get_name (
                gst_caps_get_structure (caps, i)), "audio/"))
      return FALSE;
  return TRUE;
}

static gboolean
same_name (gconstpointer a, gconstpointer b)
{
  return g_strcmp0 (a, b) == 0;
}

static void
add_patterns (GPtrArray *patterns, GPtrArray *groups)
{
  for (guint i = 0; i < groups->len; i++)
    g_ptr_array_add (patterns, ((Group *) groups->pdata[i])->pattern);
}

/**
 * hs_launch_settings_make_recorders:
 * @app: the tool, with its pipeline
 * @error: return location for a #GError
 *
 * One recorder for each tee that --record or a [source] group names (every
 * tee if none does), each with the settings that apply to it.
 */
gboolean
hs_launch_settings_make_recorders (HsLaunch *app, GError **error)
{
  HsLaunchSettings *s = app->settings;
  g_autoptr(GTypeClass) klass = g_type_class_ref (HS_TYPE_MULTI_RECORDER);
  g_autoptr(GPtrArray) patterns = g_ptr_array_new ();
  g_auto(GStrv) tees = NULL;
  g_autoptr(GPtrArray) audio = g_ptr_array_new_with_free_func (g_free);

  add_patterns (patterns, s->cli_groups);
  add_patterns (patterns, s->file_groups);
  if (patterns->len > 0)
    g_ptr_array_add (patterns, NULL);
  tees = hs_tee_choose (app->pipeline, patterns->len > 0 ?
      (const char *const *) patterns->pdata : NULL, error);
  if (tees == NULL) {
    g_prefix_error (error, "--record: ");
    return FALSE;
  }

  /* A tee whose sound another tee's files take is no picture of its own
   * (so that recording every tee of testsrc-audio with cam0+mic0 in a
   * [source] group does not record mic0 as video). */
  for (guint i = 0; tees[i] != NULL; i++) {
    GError *local = NULL;

    g_ptr_array_add (audio, audio_tee_for (app, tees[i], &local));
    if (local != NULL) {
      g_propagate_error (error, local);
      return FALSE;
    }
    if (g_strcmp0 (audio->pdata[i], tees[i]) == 0) {
      g_autofree char *name = hs_launch_quote (tees[i]);

      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
          "--record: '%s' cannot be its own audio tee", name);
      return FALSE;
    }
  }
  for (guint i = 0; tees[i] != NULL; i++) {
    HsMultiRecorder *multi;

    if (g_ptr_array_find_with_equal_func (audio, tees[i], same_name, NULL))
      continue;
    /* Every tee, none named: a tee of sound alone has no picture to
     * record. */
    if (patterns->len == 0 && carries_sound (app, tees[i])) {
      g_autofree char *name = hs_launch_printable (tees[i], -1, 0);

      hs_launch_log (app, "%s carries sound, which is recorded with a "
          "picture: --record VIDEO+%s", name, name);
      continue;
    }
    multi = make_recorder (app, G_OBJECT_CLASS (klass), tees[i],
        audio->pdata[i], error);
    if (multi == NULL)
      return FALSE;
    g_ptr_array_add (app->multi_recorders, multi);
    g_ptr_array_add (app->recorders, g_object_ref (
            hs_multi_recorder_get_recorder (multi, tees[i])));
  }
  return TRUE;
}
