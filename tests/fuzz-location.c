/* libFuzzer target for location templates (recorder/hs-location.c).
 *
 * Input: a template, optionally followed by a NUL byte and a source name
 * (default "cam0"). Checks, on every input:
 * - validate and expand give a result or an error, never both, never
 *   neither; errors are HS_ERROR_INVALID_ARGUMENT with a UTF-8 message that
 *   quotes the template;
 * - a result is a non-empty UTF-8 path, the same when expanded twice;
 * - a template that validates also expands for any UTF-8 source name (or
 *   says why: an empty path);
 * - a source name is inserted as it is: "%{source}" gives the name back,
 *   whatever '%' or '{' it holds;
 * - nothing logs a warning or a critical (they abort the run).
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "hs-error.h"
#include "hs-location-private.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerInitialize (int *argc, char ***argv);
int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

static GDateTime *date;

int
LLVMFuzzerInitialize (int *argc, char ***argv)
{
  g_log_set_always_fatal (G_LOG_FATAL_MASK | G_LOG_LEVEL_CRITICAL |
      G_LOG_LEVEL_WARNING);
  date = g_date_time_new_utc (2024, 3, 5, 7, 8, 9.5);
  return 0;
}

static void
check_error (const GError *error, const char *template_)
{
  if (error->domain != HS_ERROR || error->code != HS_ERROR_INVALID_ARGUMENT ||
      !g_utf8_validate (error->message, -1, NULL))
    abort ();
  /* The message quotes the template, when it can be shown. */
  if (*template_ != '\0' && g_utf8_validate (template_, -1, NULL) &&
      strstr (error->message, template_) == NULL)
    abort ();
}

static char *
expand (const char *template_, const char *source, GError **error)
{
  return hs_location_expand (template_, source, 7, 42, "mkv", date, error);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  g_autofree char *template_ = g_strndup ((const char *) data, size);
  const char *source = "cam0";
  g_autoptr(GError) validate_error = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GError) again_error = NULL;
  g_autofree char *path = NULL;
  g_autofree char *again = NULL;
  gboolean valid;
  size_t len = strlen (template_);

  if (len + 1 < size)
    source = template_ + len + 1;

  valid = hs_location_validate (template_, &validate_error);
  if (valid == (validate_error != NULL))
    abort ();
  if (!valid)
    check_error (validate_error, template_);

  path = expand (template_, source, &error);
  again = expand (template_, source, &again_error);
  if ((path == NULL) == (error == NULL))
    abort ();
  if (path != NULL) {
    if (*path == '\0' || !g_utf8_validate (path, -1, NULL) ||
        again == NULL || strcmp (path, again) != 0)
      abort ();
  } else {
    check_error (error, template_);
    if (again_error == NULL ||
        strcmp (error->message, again_error->message) != 0)
      abort ();
    /* A template that validates fails only for what the source makes of
     * it. */
    if (valid && g_utf8_validate (source, -1, NULL) &&
        strstr (error->message, "empty") == NULL)
      abort ();
  }

  /* A source name is text, never a template. */
  if (*source != '\0' && g_utf8_validate (source, -1, NULL)) {
    g_autofree char *named = expand ("clips/%{source}.webm", source, NULL);
    g_autofree char *expected = g_strconcat ("clips/", source, ".webm", NULL);

    if (named == NULL || strcmp (named, expected) != 0)
      abort ();
  }
  return 0;
}
