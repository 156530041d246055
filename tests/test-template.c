/* Description templating, table-driven over tests/data:
 *
 *   y_NAME.gstp      a valid description file
 *   y_NAME.args      (optional) KEY=VALUE per line, as --KEY=VALUE would give
 *   y_NAME.expected  the one-line description it becomes
 *   y_NAME.unused    (optional) the keys that must be reported unused
 *
 *   n_NAME.gstp      an invalid one
 *   n_NAME.args      (optional)
 *   n_NAME.error     first line "syntax" or "missing" (the error code), then
 *                    the exact message
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "hs-template.h"

#include <string.h>

static char *
read_text (const char *path)
{
  g_autoptr(GError) error = NULL;
  char *text = NULL;

  g_file_get_contents (path, &text, NULL, &error);
  g_assert_no_error (error);
  return text;
}

static char *
read_optional (const char *base, const char *suffix)
{
  g_autofree char *path = g_strconcat (base, suffix, NULL);

  if (!g_file_test (path, G_FILE_TEST_EXISTS))
    return NULL;
  return read_text (path);
}

/* Files end with a newline; the texts compared do not. */
static void
chomp (char *text)
{
  gsize len = strlen (text);

  if (len > 0 && text[len - 1] == '\n')
    text[len - 1] = '\0';
}

static HsTemplate *
template_for (const char *base)
{
  HsTemplate *values = hs_template_new ();
  g_autofree char *args = read_optional (base, ".args");
  g_auto(GStrv) lines = NULL;

  if (args == NULL)
    return values;
  lines = g_strsplit (args, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++) {
    const char *eq = strchr (lines[i], '=');
    g_autofree char *key = NULL;

    if (lines[i][0] == '\0')
      continue;
    g_assert_nonnull (eq);
    key = g_strndup (lines[i], eq - lines[i]);
    g_assert_true (hs_template_key_is_valid (key));
    hs_template_set (values, key, eq + 1);
  }
  return values;
}

static char *
expand_case (const char *base, HsTemplate *values, GError **error)
{
  g_autofree char *path = g_strconcat (base, ".gstp", NULL);
  g_autofree char *text = read_text (path);
  g_autofree char *origin = g_path_get_basename (path);

  return hs_template_expand (values, text, origin, HS_TEMPLATE_FLAGS_NONE,
      error);
}

static void
test_valid (gconstpointer data)
{
  const char *base = data;
  g_autoptr(HsTemplate) values = template_for (base);
  g_autoptr(GError) error = NULL;
  g_autofree char *expected = read_optional (base, ".expected");
  g_autofree char *unused_text = read_optional (base, ".unused");
  g_autofree char *result = expand_case (base, values, &error);
  g_auto(GStrv) unused = NULL;

  g_assert_no_error (error);
  g_assert_nonnull (expected);
  chomp (expected);
  g_assert_cmpstr (result, ==, expected);

  unused = hs_template_dup_unused (values);
  if (unused_text == NULL) {
    g_assert_cmpuint (g_strv_length (unused), ==, 0);
  } else {
    g_auto(GStrv) want = NULL;

    chomp (unused_text);
    want = g_strsplit (unused_text, "\n", -1);
    g_assert_cmpstrv (unused, want);
  }
}

static void
test_invalid (gconstpointer data)
{
  const char *base = data;
  g_autoptr(HsTemplate) values = template_for (base);
  g_autoptr(GError) error = NULL;
  g_autofree char *expected = read_optional (base, ".error");
  g_autofree char *result = expand_case (base, values, &error);
  char *message;
  int code;

  g_assert_null (result);
  g_assert_nonnull (expected);
  chomp (expected);
  message = strchr (expected, '\n');
  g_assert_nonnull (message);
  *message++ = '\0';
  if (g_str_equal (expected, "syntax"))
    code = HS_TEMPLATE_ERROR_SYNTAX;
  else if (g_str_equal (expected, "missing"))
    code = HS_TEMPLATE_ERROR_MISSING;
  else
    g_error ("%s.error: the first line must be 'syntax' or 'missing'", base);
  g_assert_error (error, HS_TEMPLATE_ERROR, code);
  g_assert_cmpstr (error->message, ==, message);
}

/* ------------------------------------------------------------------------ */

static void
test_command_line (void)
{
  g_autoptr(HsTemplate) values = hs_template_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *result = NULL;

  /* gst-launch arguments: '#' is text, the shell dealt with comments. */
  hs_template_set (values, "n", "3");
  result = hs_template_expand (values,
      "textoverlay text=#{n} ! fakesink", NULL, HS_TEMPLATE_NO_COMMENTS,
      &error);
  g_assert_no_error (error);
  g_assert_cmpstr (result, ==, "textoverlay text=#3 ! fakesink");
  g_clear_pointer (&result, g_free);

  result = hs_template_expand (values, "fakesink name={x}", NULL,
      HS_TEMPLATE_NO_COMMENTS, &error);
  g_assert_null (result);
  g_assert_error (error, HS_TEMPLATE_ERROR, HS_TEMPLATE_ERROR_MISSING);
  g_assert_cmpstr (error->message, ==, "description:1:15: {x} has no value: "
      "pass --x=VALUE or write {x=DEFAULT}");
}

static void
test_keys (void)
{
  g_autoptr(HsTemplate) values = hs_template_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *result = NULL;
  g_auto(GStrv) unused = NULL;
  const char *const none[] = { NULL };

  g_assert_true (hs_template_key_is_valid ("pattern"));
  g_assert_true (hs_template_key_is_valid ("_x-1_y"));
  g_assert_false (hs_template_key_is_valid (""));
  g_assert_false (hs_template_key_is_valid ("1st"));
  g_assert_false (hs_template_key_is_valid ("-x"));
  g_assert_false (hs_template_key_is_valid ("a b"));
  g_assert_false (hs_template_key_is_valid ("a.b"));

  /* The same key twice (spelled two ways): the later value wins. */
  hs_template_set (values, "frame-rate", "25");
  hs_template_set (values, "frame_rate", "30");
  result = hs_template_expand (values, "{frame-rate} {frame_rate}", "t",
      HS_TEMPLATE_FLAGS_NONE, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (result, ==, "30 30");
  unused = hs_template_dup_unused (values);
  g_assert_cmpstrv (unused, none);
}

static void
test_blank_and_empty (void)
{
  g_autoptr(HsTemplate) values = hs_template_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *result = NULL;

  result = hs_template_expand (values, "  # only a comment\n\n  \t\n", "t",
      HS_TEMPLATE_FLAGS_NONE, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (result, ==, "");
  g_clear_pointer (&result, g_free);

  /* A trailing backslash stays (gst_parse_launch() reports it). */
  result = hs_template_expand (values, "fakesink \\", "t",
      HS_TEMPLATE_FLAGS_NONE, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (result, ==, "fakesink \\");
  g_clear_pointer (&result, g_free);

  /* Blanks a default or a value brings to either end are dropped; one kept
   * by a backslash stays. */
  hs_template_set (values, "sink", "fakesink\t");
  result = hs_template_expand (values, "{src=  videotestsrc} ! {sink}", "t",
      HS_TEMPLATE_FLAGS_NONE, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (result, ==, "videotestsrc ! fakesink");
  g_clear_pointer (&result, g_free);

  hs_template_set (values, "sink", "fakesink name=a\\ ");
  result = hs_template_expand (values, "{sink}", "t",
      HS_TEMPLATE_FLAGS_NONE, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (result, ==, "fakesink name=a\\ ");
}

static GPtrArray *
list_cases (const char *prefix)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GDir) dir = g_dir_open (TEST_DATA_DIR, 0, &error);
  GPtrArray *names = g_ptr_array_new_with_free_func (g_free);
  const char *entry;

  g_assert_no_error (error);
  while ((entry = g_dir_read_name (dir)) != NULL)
    if (g_str_has_prefix (entry, prefix) && g_str_has_suffix (entry, ".gstp"))
      g_ptr_array_add (names,
          g_strndup (entry, strlen (entry) - strlen (".gstp")));
  return names;
}

static int
compare_names (gconstpointer a, gconstpointer b)
{
  return g_strcmp0 (*(const char *const *) a, *(const char *const *) b);
}

static void
add_cases (const char *prefix, const char *path, GTestDataFunc func)
{
  g_autoptr(GPtrArray) names = list_cases (prefix);

  g_ptr_array_sort (names, compare_names);
  g_assert_cmpuint (names->len, >, 0);
  for (guint i = 0; i < names->len; i++) {
    g_autofree char *test_path = g_strdup_printf ("%s/%s", path,
        (char *) names->pdata[i] + strlen (prefix));

    g_test_add_data_func_full (test_path,
        g_build_filename (TEST_DATA_DIR, names->pdata[i], NULL), func,
        g_free);
  }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  add_cases ("y_", "/template/valid", test_valid);
  add_cases ("n_", "/template/invalid", test_invalid);
  g_test_add_func ("/template/command-line", test_command_line);
  g_test_add_func ("/template/keys", test_keys);
  g_test_add_func ("/template/blank-and-empty", test_blank_and_empty);
  return g_test_run ();
}
