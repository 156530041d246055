/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include "hs-tee-private.h"

#include <string.h>

#include "hs-error.h"

/* Finding the tees of a pipeline and choosing among them by name or
 * pattern, as HsRecorder, HsMultiRecorder and hindsight-launch do. */

static gboolean
is_tee (GstElement *element)
{
  GstElementFactory *factory = gst_element_get_factory (element);

  return factory != NULL && g_str_equal (GST_OBJECT_NAME (factory), "tee");
}

static void
collect_tees (GstBin *bin, GPtrArray *names)
{
  GList *children;

  GST_OBJECT_LOCK (bin);
  children = g_list_copy_deep (GST_BIN_CHILDREN (bin),
      (GCopyFunc) (void (*) (void)) gst_object_ref, NULL);
  GST_OBJECT_UNLOCK (bin);

  /* A bin lists its children newest first: this gives description order. */
  children = g_list_reverse (children);
  for (GList *l = children; l != NULL; l = l->next) {
    GstElement *child = l->data;

    if (is_tee (child))
      g_ptr_array_add (names, gst_object_get_name (GST_OBJECT (child)));
    else if (GST_IS_BIN (child))
      collect_tees (GST_BIN (child), names);
  }
  g_list_free_full (children, gst_object_unref);
}

/**
 * hs_tee_list:
 * @pipeline: (transfer none): a pipeline, or any bin
 *
 * The tees of @pipeline, also those inside its bins, in the order of the
 * description it was made from.
 *
 * Returns: (transfer full): their names
 *
 * Since: 0.2
 */
GStrv
hs_tee_list (GstElement *pipeline)
{
  GPtrArray *names = g_ptr_array_new ();

  g_return_val_if_fail (GST_IS_ELEMENT (pipeline), NULL);

  if (GST_IS_BIN (pipeline))
    collect_tees (GST_BIN (pipeline), names);
  g_ptr_array_add (names, NULL);
  return (GStrv) g_ptr_array_free (names, FALSE);
}

char *
hs_tee_describe (GstElement *pipeline)
{
  g_auto(GStrv) names = hs_tee_list (pipeline);
  g_autofree char *joined = NULL;

  if (names[0] == NULL)
    return g_strdup ("the pipeline has no tee");
  joined = g_strjoinv (", ", names);
  return g_strconcat ("tees: ", joined, NULL);
}

/**
 * hs_tee_find:
 * @pipeline: (transfer none): a pipeline, or any bin
 * @name: the name of a tee
 * @error: return location for a #GError
 *
 * Returns: (transfer full) (nullable): the tee, or %NULL with
 *   %HS_ERROR_NO_SUCH_TEE, whose message lists the tees there are
 *
 * Since: 0.2
 */
GstElement *
hs_tee_find (GstElement *pipeline, const char *name, GError **error)
{
  g_autoptr(GstElement) element = NULL;
  g_autofree char *tees = NULL;

  g_return_val_if_fail (GST_IS_ELEMENT (pipeline), NULL);
  g_return_val_if_fail (name != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (GST_IS_BIN (pipeline))
    element = gst_bin_get_by_name (GST_BIN (pipeline), name);
  if (element != NULL && is_tee (element))
    return g_steal_pointer (&element);
  tees = hs_tee_describe (pipeline);
  g_set_error (error, HS_ERROR, HS_ERROR_NO_SUCH_TEE,
      "No tee named '%s' in pipeline '%s' (%s)", name,
      GST_OBJECT_NAME (pipeline), tees);
  return NULL;
}

/**
 * hs_tee_is_pattern:
 * @text: a tee name or pattern
 *
 * Returns: whether @text is a pattern (it has `%u`, `*` or `?`) rather than
 *   a name
 *
 * Since: 0.2
 */
gboolean
hs_tee_is_pattern (const char *text)
{
  g_return_val_if_fail (text != NULL, FALSE);

  return strpbrk (text, "*?") != NULL || strstr (text, "%u") != NULL;
}

/**
 * hs_tee_name_matches:
 * @pattern: `prefix%usuffix` (one or more decimal digits in place of `%u`,
 *   as in pad templates), a shell glob such as `cam*`, or a name
 * @name: a tee name
 *
 * Returns: whether @name matches @pattern
 *
 * Since: 0.2
 */
gboolean
hs_tee_name_matches (const char *pattern, const char *name)
{
  const char *u;
  gsize prefix, suffix_len, name_len;

  g_return_val_if_fail (pattern != NULL, FALSE);
  g_return_val_if_fail (name != NULL, FALSE);

  u = strstr (pattern, "%u");
  if (u == NULL)
    return g_pattern_match_simple (pattern, name);
  prefix = u - pattern;
  suffix_len = strlen (u + 2);
  name_len = strlen (name);
  if (name_len < prefix + suffix_len + 1 ||
      strncmp (name, pattern, prefix) != 0 ||
      strcmp (name + name_len - suffix_len, u + 2) != 0)
    return FALSE;
  for (gsize i = prefix; i < name_len - suffix_len; i++)
    if (!g_ascii_isdigit (name[i]))
      return FALSE;
  return TRUE;
}

/**
 * hs_tee_choose:
 * @pipeline: (transfer none): a pipeline, or any bin
 * @patterns: (array zero-terminated=1) (nullable): names and patterns (see
 *   [func@Hindsight.tee_name_matches]); %NULL for every tee
 * @error: return location for a #GError
 *
 * The tees to record. A name is taken as it is (a recorder made for a name
 * that is no tee says which tees there are); a pattern must match at least
 * one tee. Each tee is named once, in the order of @patterns, and the
 * matches of a pattern in pipeline order.
 *
 * Returns: (transfer full) (nullable): the chosen names, or %NULL with
 *   %HS_ERROR_NO_SUCH_TEE naming the pattern that matched nothing and the
 *   tees there are
 *
 * Since: 0.2
 */
static void
add_once (GPtrArray *names, const char *name)
{
  if (!g_ptr_array_find_with_equal_func (names, name, g_str_equal, NULL))
    g_ptr_array_add (names, g_strdup (name));
}

GStrv
hs_tee_choose (GstElement *pipeline, const char *const *patterns,
               GError **error)
{
  static const char *const every[] = { "*", NULL };
  const char *const *wanted = patterns != NULL ? patterns : every;
  g_autoptr(GPtrArray) chosen = g_ptr_array_new_with_free_func (g_free);
  g_auto(GStrv) tees = NULL;

  g_return_val_if_fail (GST_IS_ELEMENT (pipeline), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  tees = hs_tee_list (pipeline);
  for (guint i = 0; wanted[i] != NULL; i++) {
    gboolean matched = FALSE;

    if (!hs_tee_is_pattern (wanted[i])) {
      add_once (chosen, wanted[i]);
      continue;
    }
    for (guint j = 0; tees[j] != NULL; j++) {
      if (hs_tee_name_matches (wanted[i], tees[j])) {
        matched = TRUE;
        add_once (chosen, tees[j]);
      }
    }
    if (!matched && patterns != NULL) {
      g_autofree char *described = hs_tee_describe (pipeline);

      g_set_error (error, HS_ERROR, HS_ERROR_NO_SUCH_TEE,
          "In pipeline '%s', no tee matches '%s' (%s)",
          GST_OBJECT_NAME (pipeline), wanted[i], described);
      return NULL;
    }
  }
  g_ptr_array_add (chosen, NULL);
  return (GStrv) g_ptr_array_free (g_steal_pointer (&chosen), FALSE);
}

/* What the wildcard of @pattern matched in @name: the digits of "%u" or
 * the text of the first "*"; NULL if @name does not match. */
static char *
wildcard_part (const char *pattern, const char *name)
{
  const char *u = strstr (pattern, "%u");
  const char *star = strchr (pattern, '*');
  gsize prefix, suffix;

  if (u == NULL && star == NULL) {
    /* the last run of digits of the name */
    const char *end = name + strlen (name);
    const char *start;

    while (end > name && !g_ascii_isdigit (end[-1]))
      end--;
    start = end;
    while (start > name && g_ascii_isdigit (start[-1]))
      start--;
    return start < end ? g_strndup (start, end - start) : NULL;
  }
  if (!hs_tee_name_matches (pattern, name))
    return NULL;
  prefix = (u != NULL ? u : star) - pattern;
  suffix = strlen ((u != NULL ? u + 2 : star + 1));
  if (strpbrk (u != NULL ? u + 2 : star + 1, "*?") != NULL)
    return NULL;
  return g_strndup (name + prefix, strlen (name) - prefix - suffix);
}

/**
 * hs_tee_pair:
 * @pattern: (nullable): the pattern @name was chosen by, or %NULL
 * @name: a tee name
 * @other_pattern: the pattern of the tees paired with them, such as
 *   `mic%u` for `cam%u`
 *
 * The tee paired with @name: @other_pattern with its `%u` or `*` standing
 * for what the `%u` or `*` of @pattern matched in @name (`cam%u`, `cam3`,
 * `mic%u`: `mic3`; `cam-*`, `cam-door`, `mic-*`: `mic-door`). Without a
 * pattern, `%u` stands for the last digits of @name. @other_pattern
 * without a wildcard pairs every name with itself.
 *
 * Returns: (transfer full) (nullable): the paired name, or %NULL when
 *   @name has no part for the wildcard
 *
 * Since: 0.2
 */
char *
hs_tee_pair (const char *pattern, const char *name, const char *other_pattern)
{
  const char *u, *star;
  g_autofree char *part = NULL;

  g_return_val_if_fail (name != NULL, NULL);
  g_return_val_if_fail (other_pattern != NULL, NULL);

  u = strstr (other_pattern, "%u");
  star = strchr (other_pattern, '*');
  if (u == NULL && star == NULL)
    return g_strdup (other_pattern);
  part = wildcard_part (pattern ? pattern : "", name);
  if (part == NULL)
    return NULL;
  return g_strdup_printf ("%.*s%s%s", (int) ((u ? u : star) - other_pattern),
      other_pattern, part, u ? u + 2 : star + 1);
}
