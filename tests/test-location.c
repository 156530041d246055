/* Location templates: strftime conversions, %{source}, %{index}, %{n},
 * errors that name what is wrong, and reserving files that never overwrite
 * anything.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <glib.h>
#include <glib/gstdio.h>

#include "hs-error.h"
#include "hs-location-private.h"
#include "hs-recorder.h"

/* ------------------------------------------------------------------------ */
/* Expansion                                                                */

typedef struct {
  const char *name;
  const char *template_;
  const char *source;
  guint index;
  guint n;
  const char *expected;         /* NULL: an error */
  const char *message;          /* a part of the error message */
} ExpandCase;

static const ExpandCase expand_cases[] = {
  /* what a user gets without setting anything */
  { "default", HS_RECORDER_DEFAULT_LOCATION, "cam0", 1, 1,
    "recordings/cam0-20240305-070809.webm", NULL },
  { "strftime", "%Y-%m-%d_%H.%M.%S", "s", 1, 1, "2024-03-05_07.08.09", NULL },
  { "strftime-composite", "%F_%T_%j_%y", "s", 1, 1,
    "2024-03-05_07:08:09_065_24", NULL },
  { "percent-escaped", "100%%.webm", "s", 1, 1, "100%.webm", NULL },
  { "placeholders", "%{source}/%{index}-%{n}.webm", "cam0", 3, 7,
    "cam0/3-7.webm", NULL },
  { "placeholders-repeated", "%{source}-%{source}-%{index}%{index}", "a", 12,
    1, "a-a-1212", NULL },
  { "placeholders-and-strftime", "/data/%{source}/%Y/%{index}.webm", "tee_1",
    1, 1, "/data/tee_1/2024/1.webm", NULL },
  { "no-conversion", "clip.webm", "s", 1, 1, "clip.webm", NULL },
  /* the container's extension (the recorder gives webm, mkv or mp4) */
  { "extension", "%{source}-%{index}.%{ext}", "cam0", 2, 1, "cam0-2.webm",
    NULL },
  { "braces-are-literal", "a{b}c-%{n}{", "s", 1, 9, "a{b}c-9{", NULL },
  { "escaped-placeholder", "%%{source}", "cam0", 1, 1, "%{source}", NULL },
  { "big-counters", "%{index}-%{n}", "s", G_MAXUINT, G_MAXUINT,
    "4294967295-4294967295", NULL },
  { "utf8", "clips/caméra-%{source}.webm", "entrée", 1, 1,
    "clips/caméra-entrée.webm", NULL },
  /* A source name is text, never a template. */
  { "source-with-percent", "%{source}.webm", "50%off%Y%{n}", 1, 1,
    "50%off%Y%{n}.webm", NULL },
  { "source-ending-in-percent", "%{source}", "cam%", 1, 1, "cam%", NULL },
  { "source-null", "%{source}-%{index}.webm", NULL, 3, 1, "-3.webm", NULL },
  /* errors */
  { "unknown-placeholder", "rec/%{camera}.webm", "s", 1, 1, NULL,
    "'%{camera}'" },
  { "empty-placeholder", "rec/%{}.webm", "s", 1, 1, NULL, "'%{}'" },
  { "placeholder-wrong-case", "%{Source}", "s", 1, 1, NULL, "'%{Source}'" },
  { "unclosed", "rec/%{source.webm", "s", 1, 1, NULL,
    "'%{' at position 5 has no closing '}'" },
  { "lone-percent-at-end", "clip%", "s", 1, 1, NULL, "lone '%'" },
  { "lone-percent-after-placeholder", "%{source}%", "s", 1, 1, NULL,
    "lone '%'" },
  { "unknown-conversion", "clip-%Q.webm", "s", 1, 1, NULL,
    "'%Q' at position 6" },
  { "unknown-conversion-after-placeholders", "%{source}-%{index}-%Y-%K",
    "a%b", 1, 1, NULL, "'%K' at position 23" },
  { "empty", "", "s", 1, 1, NULL, "empty" },
  { "expands-to-empty", "%{source}", "", 1, 1, NULL, "empty" },
};

static void
test_expand (gconstpointer data)
{
  const ExpandCase *ec = data;
  g_autoptr(GDateTime) date = g_date_time_new_utc (2024, 3, 5, 7, 8, 9.0);
  g_autoptr(GError) error = NULL;
  g_autofree char *path = hs_location_expand (ec->template_, ec->source,
      ec->index, ec->n, "webm", date, &error);

  if (ec->expected != NULL) {
    g_assert_no_error (error);
    g_assert_cmpstr (path, ==, ec->expected);
    return;
  }
  g_assert_null (path);
  g_assert_error (error, HS_ERROR, HS_ERROR_INVALID_ARGUMENT);
  if (strstr (error->message, ec->message) == NULL)
    g_error ("'%s': the error \"%s\" does not say \"%s\"", ec->template_,
        error->message, ec->message);
  /* The whole template is quoted, so the user can find it. */
  if (*ec->template_ != '\0')
    g_assert_nonnull (strstr (error->message, ec->template_));
}

static void
test_expand_now (void)
{
  g_autoptr(GDateTime) before = g_date_time_new_now_local ();
  g_autoptr(GError) error = NULL;
  g_autofree char *path = hs_location_expand ("%Y", "s", 1, 1, "webm", NULL, &error);
  g_autoptr(GDateTime) after = g_date_time_new_now_local ();
  g_autofree char *year_before = g_date_time_format (before, "%Y");
  g_autofree char *year_after = g_date_time_format (after, "%Y");

  /* Without a date, the local time now. */
  g_assert_no_error (error);
  g_assert_true (g_str_equal (path, year_before) ||
      g_str_equal (path, year_after));
}

/* ------------------------------------------------------------------------ */
/* Validation                                                               */

typedef struct {
  const char *name;
  const char *template_;
  gboolean valid;
  const char *message;
} ValidateCase;

static const ValidateCase validate_cases[] = {
  { "default", HS_RECORDER_DEFAULT_LOCATION, TRUE, NULL },
  { "every-placeholder", "%{source}/%{index}/%{n}/%Y%m%d.webm", TRUE, NULL },
  { "null", NULL, FALSE, "empty" },
  { "empty", "", FALSE, "empty" },
  { "unknown-placeholder", "%{sauce}.webm", FALSE, "'%{sauce}'" },
  { "unclosed", "%{index", FALSE, "no closing" },
  { "lone-percent", "a%", FALSE, "lone" },
};

static void
test_validate (gconstpointer data)
{
  const ValidateCase *vc = data;
  g_autoptr(GError) error = NULL;
  gboolean valid = hs_location_validate (vc->template_, &error);

  if (vc->valid) {
    g_assert_no_error (error);
    g_assert_true (valid);
    return;
  }
  g_assert_false (valid);
  g_assert_error (error, HS_ERROR, HS_ERROR_INVALID_ARGUMENT);
  g_assert_nonnull (strstr (error->message, vc->message));
}

/* ------------------------------------------------------------------------ */
/* %{n}                                                                     */

static void
test_counter_sequence (void)
{
  guint first = hs_location_next_n ();

  g_assert_cmpuint (first, >=, 1);
  for (guint i = 1; i < 100; i++)
    g_assert_cmpuint (hs_location_next_n (), ==, first + i);
}

#define COUNTER_THREADS 4
#define COUNTER_CALLS 5000

static gpointer
take_numbers (gpointer data)
{
  guint *out = data;

  for (guint i = 0; i < COUNTER_CALLS; i++)
    out[i] = hs_location_next_n ();
  return NULL;
}

static int
compare_uint (gconstpointer a, gconstpointer b)
{
  guint x = *(const guint *) a, y = *(const guint *) b;

  return x < y ? -1 : x > y;
}

static void
test_counter_threads (void)
{
  g_autofree guint *numbers = g_new0 (guint, COUNTER_THREADS * COUNTER_CALLS);
  GThread *threads[COUNTER_THREADS];

  /* Process-wide: recorders on different threads never get the same n. */
  for (guint j = 0; j < COUNTER_THREADS; j++)
    threads[j] = g_thread_new ("counter", take_numbers,
        numbers + j * COUNTER_CALLS);
  for (guint j = 0; j < COUNTER_THREADS; j++)
    g_thread_join (threads[j]);
  qsort (numbers, COUNTER_THREADS * COUNTER_CALLS, sizeof (guint),
      compare_uint);
  for (guint i = 1; i < COUNTER_THREADS * COUNTER_CALLS; i++)
    g_assert_cmpuint (numbers[i], ==, numbers[i - 1] + 1);
}

/* ------------------------------------------------------------------------ */
/* Reserving files                                                          */

typedef struct {
  char *tmpdir;
} Fixture;

static void
remove_tree (const char *path)
{
  GDir *dir = g_dir_open (path, 0, NULL);
  const char *name;

  if (dir == NULL) {
    g_unlink (path);
    return;
  }
  while ((name = g_dir_read_name (dir)) != NULL) {
    g_autofree char *child = g_build_filename (path, name, NULL);

    if (g_file_test (child, G_FILE_TEST_IS_DIR) &&
        !g_file_test (child, G_FILE_TEST_IS_SYMLINK))
      remove_tree (child);
    else
      g_unlink (child);
  }
  g_dir_close (dir);
  g_rmdir (path);
}

static void
setup (Fixture *fx, gconstpointer data)
{
  g_autoptr(GError) error = NULL;

  fx->tmpdir = g_dir_make_tmp ("hindsight-location-XXXXXX", &error);
  g_assert_no_error (error);
}

static void
teardown (Fixture *fx, gconstpointer data)
{
  remove_tree (fx->tmpdir);
  g_free (fx->tmpdir);
}

static char *
path_in (Fixture *fx, const char *name)
{
  return g_build_filename (fx->tmpdir, name, NULL);
}

static char *
reserve_ok (const char *path)
{
  g_autoptr(GError) error = NULL;
  char *got = hs_location_reserve (path, &error);

  g_assert_no_error (error);
  g_assert_nonnull (got);
  g_assert_true (g_file_test (got, G_FILE_TEST_IS_REGULAR));
  return got;
}

static void
assert_contents (const char *path, const char *expected)
{
  g_autofree char *contents = NULL;

  g_assert_true (g_file_get_contents (path, &contents, NULL, NULL));
  g_assert_cmpstr (contents, ==, expected);
}

static void
test_reserve_creates_folders (Fixture *fx, gconstpointer data)
{
  g_autofree char *path = path_in (fx, "a/b/c/clip.webm");
  g_autofree char *got = reserve_ok (path);

  g_assert_cmpstr (got, ==, path);
  /* An empty file that is ours. */
  assert_contents (got, "");
}

typedef struct {
  const char *name;
  const char *file;
  const char *first;            /* what the second reservation gets */
  const char *second;           /* and the third */
} NumberCase;

static const NumberCase number_cases[] = {
  { "extension", "clip.webm", "clip-1.webm", "clip-2.webm" },
  { "no-extension", "clip", "clip-1", "clip-2" },
  { "dotfile", ".clip", ".clip-1", ".clip-2" },
  { "dot-in-folder", "v1.2/clip", "v1.2/clip-1", "v1.2/clip-2" },
  { "two-extensions", "clip.tar.gz", "clip.tar-1.gz", "clip.tar-2.gz" },
  { "trailing-dot", "clip.", "clip-1.", "clip-2." },
};

static void
test_reserve_never_overwrites (Fixture *fx, gconstpointer data)
{
  const NumberCase *nc = data;
  g_autofree char *path = path_in (fx, nc->file);
  g_autofree char *first = path_in (fx, nc->first);
  g_autofree char *second = path_in (fx, nc->second);
  g_autofree char *dir = g_path_get_dirname (path);
  g_autofree char *got1 = NULL;
  g_autofree char *got2 = NULL;

  g_assert_cmpint (g_mkdir_with_parents (dir, 0755), ==, 0);
  g_assert_true (g_file_set_contents (path, "keep", -1, NULL));

  got1 = reserve_ok (path);
  g_assert_cmpstr (got1, ==, first);
  /* What was reserved is taken too, even while still empty. */
  got2 = reserve_ok (path);
  g_assert_cmpstr (got2, ==, second);
  assert_contents (path, "keep");
}

static void
test_reserve_gap (Fixture *fx, gconstpointer data)
{
  g_autofree char *path = path_in (fx, "clip.webm");
  g_autofree char *one = path_in (fx, "clip-1.webm");
  g_autofree char *two = path_in (fx, "clip-2.webm");
  g_autofree char *got = NULL;

  /* clip and clip-1 exist: the next free name is clip-2. */
  g_assert_true (g_file_set_contents (path, "a", -1, NULL));
  g_assert_true (g_file_set_contents (one, "b", -1, NULL));
  got = reserve_ok (path);
  g_assert_cmpstr (got, ==, two);
  assert_contents (path, "a");
  assert_contents (one, "b");
}

static void
test_reserve_over_folder (Fixture *fx, gconstpointer data)
{
  g_autofree char *path = path_in (fx, "taken");
  g_autofree char *expected = path_in (fx, "taken-1");
  g_autofree char *got = NULL;

  /* A folder of that name is never replaced either. */
  g_assert_cmpint (g_mkdir (path, 0755), ==, 0);
  got = reserve_ok (path);
  g_assert_cmpstr (got, ==, expected);
  g_assert_true (g_file_test (path, G_FILE_TEST_IS_DIR));
}

typedef struct {
  const char *name;
  const char *file;             /* under the regular file "blocker" */
} BlockedCase;

static const BlockedCase blocked_cases[] = {
  { "file-as-folder", "blocker/clip.webm" },
  { "file-as-parent", "blocker/sub/clip.webm" },
};

static void
test_reserve_unwritable (Fixture *fx, gconstpointer data)
{
  const BlockedCase *bc = data;
  g_autofree char *blocker = path_in (fx, "blocker");
  g_autofree char *path = path_in (fx, bc->file);
  g_autoptr(GError) error = NULL;
  g_autofree char *got = NULL;

  /* A regular file where a folder should be: nobody can write there, root
   * included. */
  g_assert_true (g_file_set_contents (blocker, "x", -1, NULL));
  got = hs_location_reserve (path, &error);
  g_assert_null (got);
  g_assert_error (error, HS_ERROR, HS_ERROR_CANNOT_WRITE);
  g_assert_nonnull (strstr (error->message, "blocker"));
  assert_contents (blocker, "x");
}

#define RESERVE_THREADS 4
#define RESERVE_CALLS 25

typedef struct {
  const char *path;
  char *got[RESERVE_CALLS];
} Reserver;

static gpointer
reserve_many (gpointer data)
{
  Reserver *r = data;

  for (guint i = 0; i < RESERVE_CALLS; i++)
    r->got[i] = hs_location_reserve (r->path, NULL);
  return NULL;
}

static void
test_reserve_concurrent (Fixture *fx, gconstpointer data)
{
  g_autofree char *path = path_in (fx, "same/clip.webm");
  g_autoptr(GHashTable) names = g_hash_table_new (g_str_hash, g_str_equal);
  Reserver reservers[RESERVE_THREADS];
  GThread *threads[RESERVE_THREADS];

  /* Recorders of several sources may share a template: each reservation is
   * a different file, whatever the timing. */
  for (guint j = 0; j < RESERVE_THREADS; j++) {
    reservers[j].path = path;
    threads[j] = g_thread_new ("reserve", reserve_many, &reservers[j]);
  }
  for (guint j = 0; j < RESERVE_THREADS; j++)
    g_thread_join (threads[j]);
  for (guint j = 0; j < RESERVE_THREADS; j++) {
    for (guint i = 0; i < RESERVE_CALLS; i++) {
      g_assert_nonnull (reservers[j].got[i]);
      g_assert_true (g_hash_table_add (names, reservers[j].got[i]));
    }
  }
  g_assert_cmpuint (g_hash_table_size (names), ==,
      RESERVE_THREADS * RESERVE_CALLS);
  g_assert_true (g_hash_table_contains (names, path));
  for (guint j = 0; j < RESERVE_THREADS; j++)
    for (guint i = 0; i < RESERVE_CALLS; i++)
      g_free (reservers[j].got[i]);
}

static void
test_reserve_expanded (Fixture *fx, gconstpointer data)
{
  g_autoptr(GDateTime) date = g_date_time_new_utc (2024, 3, 5, 7, 8, 9.0);
  g_autofree char *template_ = path_in (fx,
      "%{source}/%Y%m%d/%{source}-%H%M%S.webm");
  g_autofree char *expected = path_in (fx,
      "tee_0/20240305/tee_0-070809.webm");
  g_autofree char *expected2 = path_in (fx,
      "tee_0/20240305/tee_0-070809-1.webm");
  g_autofree char *path = NULL;
  g_autofree char *got = NULL;
  g_autofree char *got2 = NULL;

  /* Two files in the same second: the template gives one name, the second
   * file gets a suffix. */
  path = hs_location_expand (template_, "tee_0", 1, 1, "webm", date, NULL);
  got = reserve_ok (path);
  g_assert_cmpstr (got, ==, expected);
  got2 = reserve_ok (path);
  g_assert_cmpstr (got2, ==, expected2);
}

/* ------------------------------------------------------------------------ */
/* Programmer errors                                                        */

typedef struct {
  const char *name;
  void (*call) (void);
  const char *stderr_pattern;
} MisuseCase;

static void
expand_null (void)
{
  g_free (hs_location_expand (NULL, "s", 1, 1, "webm", NULL, NULL));
}

static void
expand_error_set (void)
{
  GError *error = g_error_new_literal (HS_ERROR, 0, "already set");

  g_free (hs_location_expand ("x", "s", 1, 1, "webm", NULL, &error));
}

static void
reserve_null (void)
{
  g_free (hs_location_reserve (NULL, NULL));
}

static const MisuseCase misuse_cases[] = {
  { "expand-null", expand_null, "*CRITICAL*template_ != NULL*" },
  { "expand-error-already-set", expand_error_set,
    "*CRITICAL*error == NULL || *error == NULL*" },
  { "reserve-null", reserve_null, "*CRITICAL*path != NULL*" },
};

static void
test_misuse (gconstpointer data)
{
  const MisuseCase *mc = data;

  if (g_test_subprocess ()) {
    mc->call ();
    return;
  }
  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_failed ();
  g_test_trap_assert_stderr (mc->stderr_pattern);
}

/* ------------------------------------------------------------------------ */

#define ADD_DATA(prefix, cases, func)                                         \
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++) {                          \
    g_autofree char *path = g_strdup_printf (prefix "/%s", cases[i].name);    \
    g_test_add_data_func_full (path, (gpointer) &cases[i], func, NULL);       \
  }

#define ADD_FIXTURE(prefix, cases, func)                                      \
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++) {                          \
    g_autofree char *path = g_strdup_printf (prefix "/%s", cases[i].name);    \
    g_test_add (path, Fixture, &cases[i], setup, func, teardown);             \
  }

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  ADD_DATA ("/location/expand", expand_cases, test_expand);
  g_test_add_func ("/location/expand-now", test_expand_now);
  ADD_DATA ("/location/validate", validate_cases, test_validate);
  g_test_add_func ("/location/counter/sequence", test_counter_sequence);
  g_test_add_func ("/location/counter/threads", test_counter_threads);
  g_test_add ("/location/reserve/creates-folders", Fixture, NULL, setup,
      test_reserve_creates_folders, teardown);
  ADD_FIXTURE ("/location/reserve/never-overwrites", number_cases,
      test_reserve_never_overwrites);
  g_test_add ("/location/reserve/gap", Fixture, NULL, setup,
      test_reserve_gap, teardown);
  g_test_add ("/location/reserve/over-folder", Fixture, NULL, setup,
      test_reserve_over_folder, teardown);
  ADD_FIXTURE ("/location/reserve/unwritable", blocked_cases,
      test_reserve_unwritable);
  g_test_add ("/location/reserve/concurrent", Fixture, NULL, setup,
      test_reserve_concurrent, teardown);
  g_test_add ("/location/reserve/expanded", Fixture, NULL, setup,
      test_reserve_expanded, teardown);
  ADD_DATA ("/location/misuse", misuse_cases, test_misuse);

  return g_test_run ();
}
