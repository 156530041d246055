/* hindsight-launch: --retain-days and --retain-size. The oldest clips are
 * deleted when either limit is passed, checked at start and after each
 * file; every deletion is an event.
 *
 * A clip is a regular file whose path the location template of a recorder
 * can have produced: the template's leading folders without a conversion
 * are the root, each further folder and the file name must match what its
 * part of the template can expand to (a number for %Y or %{index}, the
 * source's name for %{source}, with the "-N" that an existing name gets).
 * Only those folders are walked, symbolic links are never followed nor
 * deleted, files being written are left alone, and nothing else is ever
 * touched. The walk and the deletions run on a worker thread; the events
 * are reported on the main context.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "hs-launch.h"

#include <errno.h>
#include <glib/gstdio.h>
#include <string.h>
#include <sys/stat.h>

typedef struct {
  char *source;
  char *root;                   /* "recordings", "/var/lib/x", "." */
  GPtrArray *parts;             /* GRegex: folders, then the file name */
} Pattern;

typedef struct {
  char *path;
  char *source;
  guint64 bytes;
  gint64 mtime;                 /* µs since the epoch */
  dev_t dev;
  ino_t ino;
} Clip;

typedef struct {
  char *path;
  char *source;
  guint64 bytes;
  const char *reason;
  char *error;                  /* NULL: deleted */
} Deletion;

/* What one check needs, copied for the worker thread. */
typedef struct {
  GPtrArray *patterns;          /* Pattern, shared (read only) */
  double days;
  guint64 size;
  GArray *open;                 /* struct stat of files being written */
  gint64 started;               /* µs since the epoch */
  GPtrArray *deletions;         /* Deletion: the result */
  guint n_clips;
  guint64 kept_bytes;
} Check;

struct _HsLaunchRetention {
  HsLaunch *app;
  double days;
  guint64 size;
  GPtrArray *patterns;
  gboolean running;
  gboolean again;
};

static void
pattern_free (gpointer data)
{
  Pattern *p = data;

  g_free (p->source);
  g_free (p->root);
  g_ptr_array_unref (p->parts);
  g_free (p);
}

static void
clip_free (gpointer data)
{
  Clip *c = data;

  g_free (c->path);
  g_free (c->source);
  g_free (c);
}

static void
deletion_free (gpointer data)
{
  Deletion *d = data;

  g_free (d->path);
  g_free (d->source);
  g_free (d->error);
  g_free (d);
}

/* ------------------------------------------------------------------------ */
/* Templates as patterns                                                    */

/* The regular expression for what one part of a template (no '/') can
 * expand to. */
static char *
part_regex (const char *part, const char *source)
{
  g_autoptr(GString) re = g_string_new ("^");
  const char *p = part;

  while (*p != '\0') {
    if (p[0] != '%' || p[1] == '\0') {
      g_autofree char *lit = g_regex_escape_string (p, 1);

      g_string_append (re, lit);
      p++;
      continue;
    }
    if (p[1] == '%') {
      g_string_append (re, "%");
      p += 2;
      continue;
    }
    if (p[1] == '{') {
      const char *close = strchr (p + 2, '}');
      g_autofree char *name = close ?
          g_strndup (p + 2, close - (p + 2)) : g_strdup ("");

      if (g_str_equal (name, "source")) {
        g_autofree char *lit = g_regex_escape_string (source, -1);

        g_string_append (re, lit);
      } else if (g_str_equal (name, "index") || g_str_equal (name, "n")) {
        g_string_append (re, "[0-9]+");
      } else {
        g_string_append (re, "[^/]*");
      }
      p = close ? close + 1 : p + strlen (p);
      continue;
    }
    {
      /* A strftime conversion: flags, width, modifiers, a letter. */
      const char *q = p + 1;

      while (*q != '\0' && !g_ascii_isalpha (*q))
        q++;
      while (*q == 'E' || *q == 'O')
        q++;
      if (*q == '\0')
        break;
      if (strchr ("CdeGgHIjklmMsSuUVwWyY", *q) != NULL)
        g_string_append (re, "[ 0-9]+");
      else if (*q == 'z')
        g_string_append (re, "[-+0-9:]+");
      else
        g_string_append (re, "[^/]+");
      p = q + 1;
    }
  }
  g_string_append (re, "$");
  return g_string_free (g_steal_pointer (&re), FALSE);
}

static Pattern *
pattern_new (const char *template_, const char *source)
{
  g_auto(GStrv) parts = g_strsplit (template_, "/", -1);
  guint n = g_strv_length (parts);
  g_autoptr(GString) root = g_string_new (NULL);
  Pattern *pattern = g_new0 (Pattern, 1);
  guint i = 0;

  /* Leading folders without a conversion make the root. */
  for (; i + 1 < n && strchr (parts[i], '%') == NULL; i++) {
    if (i > 0 || parts[i][0] == '\0')
      g_string_append_c (root, '/');
    g_string_append (root, parts[i]);
  }
  pattern->source = g_strdup (source);
  pattern->root = root->len > 0 ? g_strdup (root->str) : g_strdup (".");
  pattern->parts = g_ptr_array_new_with_free_func (
      (GDestroyNotify) g_regex_unref);
  for (; i < n; i++) {
    g_autofree char *re = part_regex (parts[i], source);

    g_ptr_array_add (pattern->parts, g_regex_new (re,
            G_REGEX_DOLLAR_ENDONLY, 0, NULL));
  }
  return pattern;
}

/* Whether @name is a name the last part can have produced, with or
 * without the "-N" of an existing name. */
static gboolean
name_matches (GRegex *last, const char *name)
{
  const char *dot = strrchr (name, '.');
  gsize stem = dot != NULL && dot != name ? (gsize) (dot - name) :
      strlen (name);
  gsize digits = 0;
  g_autofree char *without = NULL;

  if (g_regex_match (last, name, 0, NULL))
    return TRUE;
  while (digits < stem && g_ascii_isdigit (name[stem - digits - 1]))
    digits++;
  if (digits == 0 || digits == stem || name[stem - digits - 1] != '-')
    return FALSE;
  without = g_strdup_printf ("%.*s%s", (int) (stem - digits - 1), name,
      name + stem);
  return g_regex_match (last, without, 0, NULL);
}

/* ------------------------------------------------------------------------ */
/* The worker thread                                                        */

static void
walk (Pattern *pattern, const char *dir, guint depth, GPtrArray *clips)
{
  g_autoptr(GDir) listing = g_dir_open (dir, 0, NULL);
  GRegex *re = pattern->parts->pdata[depth];
  gboolean last = depth + 1 == pattern->parts->len;
  const char *name;

  while (listing != NULL && (name = g_dir_read_name (listing)) != NULL) {
    g_autofree char *path = g_build_filename (dir, name, NULL);
    GStatBuf st;

    /* lstat: a symbolic link is neither followed nor a clip. */
    if (g_lstat (path, &st) != 0)
      continue;
    if (!last) {
      if (S_ISDIR (st.st_mode) && g_regex_match (re, name, 0, NULL))
        walk (pattern, path, depth + 1, clips);
    } else if (S_ISREG (st.st_mode) && name_matches (re, name)) {
      Clip *clip = g_new0 (Clip, 1);

      clip->path = g_steal_pointer (&path);
      clip->source = g_strdup (pattern->source);
      clip->bytes = (guint64) st.st_size;
      clip->mtime = (gint64) st.st_mtim.tv_sec * G_USEC_PER_SEC +
          st.st_mtim.tv_nsec / 1000;
      clip->dev = st.st_dev;
      clip->ino = st.st_ino;
      g_ptr_array_add (clips, clip);
    }
  }
}

static int
compare_age (gconstpointer a, gconstpointer b)
{
  const Clip *ca = *(const Clip **) a;
  const Clip *cb = *(const Clip **) b;

  if (ca->mtime != cb->mtime)
    return ca->mtime < cb->mtime ? -1 : 1;
  return strcmp (ca->path, cb->path);
}

static gboolean
is_open (Check *check, const Clip *clip)
{
  for (guint i = 0; i < check->open->len; i++) {
    GStatBuf *st = &g_array_index (check->open, GStatBuf, i);

    if (st->st_dev == clip->dev && st->st_ino == clip->ino)
      return TRUE;
  }
  /* Made after the check began: a file that has just been started. */
  return clip->mtime >= check->started;
}

/* Removes the folders of @path that the template made and that are empty
 * now, up to the root. */
static void
remove_empty_folders (Pattern *pattern, const char *path)
{
  g_autofree char *dir = g_path_get_dirname (path);

  for (guint i = 1; i < pattern->parts->len; i++) {
    char *up;

    if (g_rmdir (dir) != 0)
      break;
    up = g_path_get_dirname (dir);
    g_free (dir);
    dir = up;
  }
}

static Pattern *
pattern_of (Check *check, const Clip *clip)
{
  for (guint i = 0; i < check->patterns->len; i++) {
    Pattern *p = check->patterns->pdata[i];

    if (g_str_equal (p->source, clip->source) &&
        g_str_has_prefix (clip->path, p->root))
      return p;
  }
  return check->patterns->pdata[0];
}

static void
delete (Check *check, const Clip *clip, const char *reason)
{
  Deletion *d = g_new0 (Deletion, 1);

  d->path = g_strdup (clip->path);
  d->source = g_strdup (clip->source);
  d->bytes = clip->bytes;
  d->reason = reason;
  if (g_unlink (clip->path) != 0)
    d->error = g_strdup (g_strerror (errno));
  else
    remove_empty_folders (pattern_of (check, clip), clip->path);
  g_ptr_array_add (check->deletions, d);
}

static void
run_check (GTask *task, gpointer source_object, gpointer task_data,
           GCancellable *cancellable)
{
  Check *check = task_data;
  g_autoptr(GPtrArray) clips = g_ptr_array_new_with_free_func (clip_free);
  g_autoptr(GHashTable) seen = g_hash_table_new (g_int64_hash,
      g_int64_equal);
  g_autoptr(GPtrArray) kept = g_ptr_array_new ();
  gint64 *keys;
  guint64 total = 0;
  guint i = 0;

  for (guint p = 0; p < check->patterns->len; p++) {
    Pattern *pattern = check->patterns->pdata[p];

    walk (pattern, pattern->root, 0, clips);
  }
  /* Two templates may name the same files: each clip once. */
  keys = g_new0 (gint64, clips->len);
  for (guint c = 0; c < clips->len; c++) {
    Clip *clip = clips->pdata[c];

    keys[c] = (gint64) clip->ino ^ ((gint64) clip->dev << 40);
    if (is_open (check, clip) || g_hash_table_contains (seen, &keys[c]))
      continue;
    g_hash_table_add (seen, &keys[c]);
    g_ptr_array_add (kept, clip);
  }
  g_ptr_array_sort (kept, compare_age);
  for (guint c = 0; c < kept->len; c++)
    total += ((Clip *) kept->pdata[c])->bytes;
  check->n_clips = kept->len;

  if (check->days > 0) {
    gint64 limit = check->started -
        (gint64) (check->days * 86400 * G_USEC_PER_SEC);

    for (; i < kept->len && ((Clip *) kept->pdata[i])->mtime < limit; i++) {
      delete (check, kept->pdata[i], "retain-days");
      total -= ((Clip *) kept->pdata[i])->bytes;
    }
  }
  if (check->size > 0) {
    for (; i < kept->len && total > check->size; i++) {
      delete (check, kept->pdata[i], "retain-size");
      total -= ((Clip *) kept->pdata[i])->bytes;
    }
  }
  check->kept_bytes = total;
  g_free (keys);
  g_task_return_boolean (task, TRUE);
}

/* ------------------------------------------------------------------------ */
/* The main context                                                         */

static void
check_free (gpointer data)
{
  Check *check = data;

  g_ptr_array_unref (check->patterns);
  g_array_unref (check->open);
  g_ptr_array_unref (check->deletions);
  g_free (check);
}

static void start_check (HsLaunchRetention *retention);

static void
report (HsLaunch *app, Deletion *d)
{
  g_autofree char *size = g_format_size (d->bytes);
  g_autofree char *source = hs_launch_printable (d->source, -1, 0);
  g_autofree char *path = hs_launch_printable (d->path, -1, 0);

  if (d->error != NULL) {
    hs_launch_log (app, "%s: cannot delete %s (--%s): %s", source, path,
        d->reason, d->error);
    return;
  }
  hs_launch_log (app, "%s: deleted %s (%s, --%s)", source, path, size,
      d->reason);
  if (hs_launch_wants_events (app)) {
    g_autoptr(JsonBuilder) b = hs_launch_event_begin ("deleted");

    json_builder_set_member_name (b, "source");
    json_builder_add_string_value (b, d->source);
    json_builder_set_member_name (b, "location");
    json_builder_add_string_value (b, d->path);
    json_builder_set_member_name (b, "bytes");
    json_builder_add_int_value (b, (gint64) d->bytes);
    json_builder_set_member_name (b, "reason");
    json_builder_add_string_value (b, d->reason);
    hs_launch_event_end (app, b);
  }
}

static void
on_checked (GObject *source, GAsyncResult *result, gpointer user_data)
{
  HsLaunchRetention *retention = user_data;
  Check *check = g_task_get_task_data (G_TASK (result));

  retention->running = FALSE;
  for (guint i = 0; i < check->deletions->len; i++)
    report (retention->app, check->deletions->pdata[i]);
  if (retention->again) {
    retention->again = FALSE;
    start_check (retention);
  }
}

static void
start_check (HsLaunchRetention *retention)
{
  HsLaunch *app = retention->app;
  g_autoptr(GTask) task = NULL;
  Check *check;
  GHashTableIter iter;
  gpointer key;

  if (retention->running) {
    retention->again = TRUE;
    return;
  }
  check = g_new0 (Check, 1);
  check->patterns = g_ptr_array_ref (retention->patterns);
  check->days = retention->days;
  check->size = retention->size;
  check->started = g_get_real_time ();
  check->deletions = g_ptr_array_new_with_free_func (deletion_free);
  check->open = g_array_new (FALSE, TRUE, sizeof (GStatBuf));
  g_hash_table_iter_init (&iter, app->open);
  while (g_hash_table_iter_next (&iter, &key, NULL)) {
    const char *location = hs_recording_get_location (key);
    GStatBuf st;

    if (location != NULL && g_stat (location, &st) == 0)
      g_array_append_val (check->open, st);
  }
  retention->running = TRUE;
  task = g_task_new (NULL, NULL, on_checked, retention);
  g_task_set_task_data (task, check, check_free);
  g_task_run_in_thread (task, run_check);
}

/**
 * hs_launch_retention_start:
 * @app: the tool, with the recorders of its first run made
 * @error: return location for a #GError
 *
 * With --retain-days or --retain-size, learns the clips' names from the
 * recorders' templates and makes the first check.
 */
gboolean
hs_launch_retention_start (HsLaunch *app, GError **error)
{
  HsLaunchRetention *retention;
  double days = hs_launch_settings_get_double (app, "retain-days");
  guint64 size = hs_launch_settings_get_size (app, "retain-size");

  if (days <= 0 && size == 0)
    return TRUE;
  if (app->recorders->len == 0) {
    g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
        "--retain-days, --retain-size: nothing is recorded");
    return FALSE;
  }
  retention = g_new0 (HsLaunchRetention, 1);
  retention->app = app;
  retention->days = days;
  retention->size = size;
  retention->patterns = g_ptr_array_new_with_free_func (pattern_free);
  for (guint i = 0; i < app->recorders->len; i++) {
    HsRecorder *r = app->recorders->pdata[i];

    g_ptr_array_add (retention->patterns, pattern_new (
            hs_recorder_get_location (r), hs_recorder_get_source (r)));
  }
  app->retention = retention;
  start_check (retention);
  return TRUE;
}

void
hs_launch_retention_check (HsLaunch *app)
{
  if (app->retention != NULL)
    start_check (app->retention);
}

/* Waits for a check under way, so that its deletions are reported. */
void
hs_launch_retention_finish (HsLaunch *app)
{
  HsLaunchRetention *retention = app->retention;

  if (retention == NULL)
    return;
  retention->again = FALSE;
  while (retention->running)
    g_main_context_iteration (NULL, TRUE);
  app->retention = NULL;
  g_ptr_array_unref (retention->patterns);
  g_free (retention);
}
