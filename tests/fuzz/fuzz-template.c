/* libFuzzer target for description templating (pipelines/hs-template.c).
 *
 * The first byte chooses the flags; the rest is the description. Checks, on
 * every input: a result or an error, never both; errors in their domain and
 * placed (ORIGIN:LINE:COLUMN); results on one line and without leading
 * blanks; and the same answer twice.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "hs-template.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

static char *
expand (const char *text, HsTemplateFlags flags, GError **error)
{
  g_autoptr(HsTemplate) values = hs_template_new ();

  hs_template_set (values, "pattern", "ball");
  hs_template_set (values, "fps", "30");
  /* Values are inserted as they are, specials included. */
  hs_template_set (values, "a-b", "{#\"'}\\");
  hs_template_set (values, "empty", "");
  /* The same key spelled the other way replaces the value. */
  hs_template_set (values, "a_b", "{#\"'}\\ ");
  return hs_template_expand (values, text, "fuzz", flags, error);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  g_autofree char *text = NULL;
  g_autofree char *first = NULL;
  g_autofree char *second = NULL;
  g_autoptr(GError) first_error = NULL;
  g_autoptr(GError) second_error = NULL;
  HsTemplateFlags flags;

  if (size == 0)
    return 0;
  flags = (data[0] & 1) ? HS_TEMPLATE_NO_COMMENTS : HS_TEMPLATE_FLAGS_NONE;
  text = g_strndup ((const char *) data + 1, size - 1);

  first = expand (text, flags, &first_error);
  second = expand (text, flags, &second_error);

  if ((first == NULL) == (first_error == NULL))
    abort ();
  if (first_error != NULL) {
    if (first_error->domain != HS_TEMPLATE_ERROR ||
        !g_str_has_prefix (first_error->message, "fuzz:") ||
        second_error == NULL ||
        strcmp (first_error->message, second_error->message) != 0)
      abort ();
    return 0;
  }
  if (second == NULL || strcmp (first, second) != 0)
    abort ();
  if (strchr (first, '\n') != NULL || first[0] == ' ' || first[0] == '\t')
    abort ();
  return 0;
}
