/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include "hs-location-private.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <unistd.h>

#include "hs-error.h"

static guint location_counter;

guint
hs_location_next_n (void)
{
  return (guint) g_atomic_int_add (&location_counter, 1) + 1;
}

/* Replaces the named placeholders, doubling '%' in the values so that the
 * strftime pass that follows leaves them alone. */
static char *
substitute (const char *template_, const char *source, guint index, guint n,
            const char *ext, GError **error)
{
  g_autoptr(GString) out = g_string_new (NULL);
  const char *p = template_;

  while (*p != '\0') {
    if (p[0] != '%') {
      g_string_append_c (out, *p++);
      continue;
    }
    if (p[1] == '\0') {
      g_set_error (error, HS_ERROR, HS_ERROR_INVALID_ARGUMENT,
          "Location template '%s' ends with a lone '%%'", template_);
      return NULL;
    }
    if (p[1] == '{') {
      const char *close = strchr (p + 2, '}');
      g_autofree char *name = NULL;
      g_autofree char *value = NULL;

      if (close == NULL) {
        g_set_error (error, HS_ERROR, HS_ERROR_INVALID_ARGUMENT,
            "Location template '%s': '%%{' at position %d has no closing '}'",
            template_, (int) (p - template_) + 1);
        return NULL;
      }
      name = g_strndup (p + 2, close - (p + 2));
      if (g_str_equal (name, "source"))
        value = g_strdup (source ? source : "");
      else if (g_str_equal (name, "index"))
        value = g_strdup_printf ("%u", index);
      else if (g_str_equal (name, "n"))
        value = g_strdup_printf ("%u", n);
      else if (g_str_equal (name, "ext"))
        value = g_strdup (ext ? ext : "");
      else {
        g_set_error (error, HS_ERROR, HS_ERROR_INVALID_ARGUMENT,
            "Location template '%s': unknown placeholder '%%{%s}' "
            "(known: %%{source}, %%{index}, %%{n}, %%{ext})", template_, name);
        return NULL;
      }
      for (const char *v = value; *v != '\0'; v++) {
        if (*v == '%')
          g_string_append_c (out, '%');
        g_string_append_c (out, *v);
      }
      p = close + 1;
      continue;
    }
    if (p[1] == '%') {
      g_string_append_len (out, p, 2);
      p += 2;
      continue;
    }
    {
      /* A strftime conversion with modifiers ("%_H", "%-d", "%Ey", "%::z")
       * must end in the template: "%_%{source}" would take its letter from
       * the source's name. */
      const char *q = p + 1;

      while (*q != '\0' && (strchr ("-_0^#:", *q) != NULL ||
              g_ascii_isdigit (*q)))
        q++;
      /* GLib reads any run of E/O modifiers before the letter. */
      while (*q == 'E' || *q == 'O')
        q++;
      if (!g_ascii_isalpha (*q)) {
        /* Shown up to the character that ends it, if that is printable. */
        int shown = (int) (q - p) + (g_ascii_isprint (*q) && *q != '%');

        g_set_error (error, HS_ERROR, HS_ERROR_INVALID_ARGUMENT,
            "Location template '%s': '%.*s' at position %d is not a complete "
            "conversion", template_, shown, p, (int) (p - template_) + 1);
        return NULL;
      }
      g_string_append_len (out, p, q - p + 1);
      p = q + 1;
    }
  }
  return g_string_free (g_steal_pointer (&out), FALSE);
}

/* Finds the first '%' conversion of @template_ that GDateTime does not
 * know, for an error message that points at it. */
static gboolean
find_bad_conversion (const char *template_, GDateTime *date, char **conversion,
                     int *position)
{
  for (const char *p = template_; *p != '\0'; p++) {
    const char *q;
    g_autofree char *fragment = NULL;
    g_autofree char *formatted = NULL;

    if (*p != '%')
      continue;
    if (p[1] == '{') {
      p = strchr (p + 2, '}');
      if (p == NULL)
        return FALSE;
      continue;
    }
    if (p[1] == '%') {
      p++;
      continue;
    }
    /* flags, width and modifiers up to the conversion letter */
    q = p + 1;
    while (*q != '\0' && !g_ascii_isalpha (*q) && *q != '%')
      q++;
    if ((*q == 'E' || *q == 'O') && g_ascii_isalpha (q[1]))
      q++;
    if (*q == '\0')
      q--;
    fragment = g_strndup (p, q - p + 1);
    formatted = g_date_time_format (date, fragment);
    if (formatted == NULL) {
      *conversion = g_steal_pointer (&fragment);
      *position = (int) (p - template_) + 1;
      return TRUE;
    }
    p = q;
  }
  return FALSE;
}

char *
hs_location_expand (const char *template_, const char *source, guint index,
                    guint n, const char *ext, GDateTime *date, GError **error)
{
  g_autofree char *substituted = NULL;
  g_autoptr(GDateTime) now = NULL;
  const char *bad;
  char *path;

  g_return_val_if_fail (template_ != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  /* GDateTime formats UTF-8 only (and says so with a critical): a template
   * or a source name in another encoding is refused here, by position. */
  if (!g_utf8_validate (template_, -1, &bad)) {
    g_autofree char *shown = g_utf8_make_valid (template_, -1);

    g_set_error (error, HS_ERROR, HS_ERROR_INVALID_ARGUMENT,
        "Location template '%s' is not valid UTF-8 at position %d", shown,
        (int) (bad - template_) + 1);
    return NULL;
  }
  if (source != NULL && !g_utf8_validate (source, -1, &bad)) {
    g_autofree char *shown = g_utf8_make_valid (source, -1);

    g_set_error (error, HS_ERROR, HS_ERROR_INVALID_ARGUMENT,
        "Source name '%s' is not valid UTF-8 at position %d, so it cannot "
        "go into location template '%s'", shown, (int) (bad - source) + 1,
        template_);
    return NULL;
  }

  substituted = substitute (template_, source, index, n, ext, error);
  if (substituted == NULL)
    return NULL;

  if (date == NULL)
    date = now = g_date_time_new_now_local ();
  path = g_date_time_format (date, substituted);
  if (path == NULL) {
    g_autofree char *conversion = NULL;
    int position = 0;

    if (find_bad_conversion (template_, date, &conversion, &position))
      g_set_error (error, HS_ERROR, HS_ERROR_INVALID_ARGUMENT,
          "Location template '%s': '%s' at position %d is neither a "
          "placeholder nor a strftime conversion", template_, conversion,
          position);
    else
      g_set_error (error, HS_ERROR, HS_ERROR_INVALID_ARGUMENT,
          "Location template '%s' has a '%%' conversion that is neither a "
          "placeholder nor a strftime conversion", template_);
    return NULL;
  }
  if (*path == '\0') {
    g_free (path);
    g_set_error (error, HS_ERROR, HS_ERROR_INVALID_ARGUMENT,
        "Location template '%s' expands to an empty path", template_);
    return NULL;
  }
  return path;
}

gboolean
hs_location_validate (const char *template_, GError **error)
{
  g_autofree char *path = NULL;

  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (template_ == NULL || *template_ == '\0') {
    g_set_error (error, HS_ERROR, HS_ERROR_INVALID_ARGUMENT,
        "The location template is empty");
    return FALSE;
  }
  path = hs_location_expand (template_, "source", 1, 1, "webm", NULL, error);
  return path != NULL;
}

static char *
candidate (const char *path, guint attempt)
{
  g_autofree char *dir = NULL;
  g_autofree char *base = NULL;
  g_autofree char *numbered = NULL;
  const char *dot;

  if (attempt == 0)
    return g_strdup (path);

  dir = g_path_get_dirname (path);
  base = g_path_get_basename (path);
  dot = strrchr (base, '.');
  if (dot != NULL && dot != base)
    numbered = g_strdup_printf ("%.*s-%u%s", (int) (dot - base), base,
        attempt, dot);
  else
    numbered = g_strdup_printf ("%s-%u", base, attempt);
  return g_build_filename (dir, numbered, NULL);
}

char *
hs_location_reserve (const char *path, GError **error)
{
  g_autofree char *dir = NULL;

  g_return_val_if_fail (path != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  dir = g_path_get_dirname (path);
  if (g_mkdir_with_parents (dir, 0755) != 0) {
    int saved = errno;

    g_set_error (error, HS_ERROR, HS_ERROR_CANNOT_WRITE,
        "Cannot create folder '%s' for '%s': %s", dir, path,
        g_strerror (saved));
    return NULL;
  }

  for (guint attempt = 0; attempt < 10000; attempt++) {
    g_autofree char *name = candidate (path, attempt);
    int fd = g_open (name, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);

    if (fd >= 0) {
      close (fd);
      return g_steal_pointer (&name);
    }
    if (errno != EEXIST) {
      int saved = errno;

      g_set_error (error, HS_ERROR, HS_ERROR_CANNOT_WRITE,
          "Cannot create '%s': %s", name, g_strerror (saved));
      return NULL;
    }
  }
  g_set_error (error, HS_ERROR, HS_ERROR_CANNOT_WRITE,
      "Cannot create '%s': 10000 numbered files exist already", path);
  return NULL;
}
