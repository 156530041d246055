/* The examples, run as a user runs them: their exit status, and every file
 * they wrote, decoded.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "hs-test-util.h"

#define FRAME(k) ((GstClockTime) gst_util_uint64_scale ((k), GST_SECOND, 30))

typedef struct {
  HsTestFixture f;
  GSubprocess *process;
  gboolean done;
  char *out;
  char *err;
} Fixture;

static void
setup (Fixture *fx, gconstpointer data)
{
  hs_test_fixture_setup (&fx->f, data);
  /* An example takes a few seconds on an idle machine; leave room for a
   * busy one, within the meson timeout. */
  fx->f.timeout_s = 150;
}

static void
teardown (Fixture *fx, gconstpointer data)
{
  /* Only after a failed check: the example we started, nothing else. */
  if (fx->process != NULL && !fx->done)
    g_subprocess_force_exit (fx->process);
  g_clear_object (&fx->process);
  g_clear_pointer (&fx->out, g_free);
  g_clear_pointer (&fx->err, g_free);
  hs_test_fixture_teardown (&fx->f, data);
}

static void
on_communicated (GObject *source, GAsyncResult *result, gpointer user_data)
{
  Fixture *fx = user_data;
  g_autoptr(GError) error = NULL;

  g_subprocess_communicate_utf8_finish (G_SUBPROCESS (source), result,
      &fx->out, &fx->err, &error);
  g_assert_no_error (error);
  fx->done = TRUE;
}

static gboolean
is_done (gpointer data)
{
  Fixture *fx = data;

  return fx->done;
}

/* Runs build/examples/NAME OUTDIR under the fixture's watchdog and returns
 * its exit status; skips the test when the examples were not built. */
static gboolean
run_example (Fixture *fx, const char *name, const char *outdir, int *status)
{
  const char *build_root = g_getenv ("HS_BUILD_ROOT");
  g_autofree char *path = NULL;
  g_autoptr(GError) error = NULL;

  if (build_root == NULL) {
    g_test_skip ("HS_BUILD_ROOT is not set (run through meson test)");
    return FALSE;
  }
  path = g_build_filename (build_root, "examples", name, NULL);
  if (!g_file_test (path, G_FILE_TEST_IS_EXECUTABLE)) {
    g_test_skip ("the examples are not built (-Dexamples=false)");
    return FALSE;
  }

  fx->process = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE |
      G_SUBPROCESS_FLAGS_STDERR_PIPE, &error, path, outdir, NULL);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8_async (fx->process, NULL, NULL,
      on_communicated, fx);
  hs_test_fixture_run_until (&fx->f, is_done, fx);

  g_assert_true (g_subprocess_get_if_exited (fx->process));
  *status = g_subprocess_get_exit_status (fx->process);
  if (g_test_verbose ())
    g_printerr ("%s exited with %d\nstdout:\n%s\nstderr:\n%s\n", name,
        *status, fx->out, fx->err);
  return TRUE;
}

static void
assert_exit_success (Fixture *fx, const char *name, int status)
{
  if (status != 0)
    g_error ("%s exited with %d\nstdout:\n%s\nstderr:\n%s", name, status,
        fx->out, fx->err);
}

static int
compare_names (gconstpointer a, gconstpointer b)
{
  return g_strcmp0 (*(char *const *) a, *(char *const *) b);
}

/* Every entry of @dir, sorted; the example writes nothing else there. */
static GPtrArray *
list_files (const char *dir)
{
  g_autoptr(GError) error = NULL;
  GDir *d = g_dir_open (dir, 0, &error);
  GPtrArray *files = g_ptr_array_new_with_free_func (g_free);
  const char *name;

  g_assert_no_error (error);
  while ((name = g_dir_read_name (d)) != NULL)
    g_ptr_array_add (files, g_build_filename (dir, name, NULL));
  g_dir_close (d);
  g_ptr_array_sort (files, compare_names);
  return files;
}

typedef struct {
  guint n_frames;
  GstClockTime first;
  GstClockTime last;
} Expected;

/* Finds the file that starts at @e->first and checks it fully; the order
 * in which the example named its files is not part of its contract. */
static const char *
assert_one_file (GPtrArray *files, const Expected *e)
{
  const char *found = NULL;

  for (guint i = 0; i < files->len; i++) {
    g_auto(HsTestFileInfo) info = { 0 };
    g_autoptr(GError) error = NULL;

    if (!hs_test_probe_file (files->pdata[i], &info, &error))
      g_error ("%s", error->message);
    if (ABS (GST_CLOCK_DIFF (info.first_pts, e->first)) <= GST_SECOND / 60) {
      g_assert_null (found);
      found = files->pdata[i];
      /* the example's caps only set the framerate: videotestsrc's size */
      g_assert_cmpint (info.width, ==, 320);
      g_assert_cmpint (info.height, ==, 240);
    }
  }
  if (found == NULL)
    g_error ("no file starts at %" GST_TIME_FORMAT, GST_TIME_ARGS (e->first));
  hs_test_assert_file (found, e->n_frames, e->first, e->last);
  return found;
}

static void
test_single_recorder (Fixture *fx, gconstpointer data)
{
  g_autofree char *outdir = hs_test_fixture_path (&fx->f, "single/out");
  g_autoptr(GPtrArray) files = NULL;
  /* triggers at 3 s and 4 s: [1 s, 6 s); at 9 s: [7 s, 11 s) */
  const Expected first = { 150, FRAME (30), FRAME (179) };
  const Expected second = { 120, FRAME (210), FRAME (329) };
  const char *a, *b;
  int status;

  if (!run_example (fx, "single-recorder", outdir, &status))
    return;
  assert_exit_success (fx, "single-recorder", status);

  files = list_files (outdir);
  g_assert_cmpuint (files->len, ==, 2);
  a = assert_one_file (files, &first);
  b = assert_one_file (files, &second);
  g_assert_cmpstr (a, !=, b);
  /* It says what it wrote. */
  g_assert_nonnull (strstr (fx->out, a));
  g_assert_nonnull (strstr (fx->out, b));
}

static void
test_multi_recorder (Fixture *fx, gconstpointer data)
{
  g_autofree char *outdir = hs_test_fixture_path (&fx->f, "multi");
  g_autoptr(GPtrArray) files = NULL;
  /* tee_0 at 3 s: [1 s, 5 s); tee_1 at 4 s and 5 s: [2 s, 7 s) */
  const Expected tee_0 = { 120, FRAME (30), FRAME (149) };
  const Expected tee_1 = { 150, FRAME (60), FRAME (209) };
  g_autofree char *base_0 = NULL;
  g_autofree char *base_1 = NULL;
  int status;

  if (!run_example (fx, "multi-recorder", outdir, &status))
    return;
  assert_exit_success (fx, "multi-recorder", status);

  files = list_files (outdir);
  g_assert_cmpuint (files->len, ==, 2);
  /* Each file carries its source's name, and only its own. */
  base_0 = g_path_get_basename (assert_one_file (files, &tee_0));
  base_1 = g_path_get_basename (assert_one_file (files, &tee_1));
  g_assert_nonnull (strstr (base_0, "tee_0"));
  g_assert_null (strstr (base_0, "tee_1"));
  g_assert_nonnull (strstr (base_1, "tee_1"));
  g_assert_null (strstr (base_1, "tee_0"));
}

static void
test_unwritable (Fixture *fx, gconstpointer data)
{
  g_autofree char *blocker = hs_test_fixture_path (&fx->f, "blocker");
  g_autofree char *outdir = g_build_filename (blocker, "out", NULL);
  int status;

  /* A regular file where the output folder should be: nothing can be
   * written, root included, and the example must say so by its status. */
  g_assert_true (g_file_set_contents (blocker, "x", -1, NULL));
  if (!run_example (fx, "single-recorder", outdir, &status))
    return;
  g_assert_cmpint (status, !=, 0);
  g_assert_nonnull (strstr (fx->err, "blocker"));
  g_assert_false (g_file_test (outdir, G_FILE_TEST_EXISTS));
}

static void
add (const char *path, void (*func) (Fixture *, gconstpointer))
{
  g_test_add (path, Fixture, NULL, setup, func, teardown);
}

int
main (int argc, char **argv)
{
  gst_init (&argc, &argv);
  g_test_init (&argc, &argv, NULL);

  add ("/examples/single-recorder/files", test_single_recorder);
  add ("/examples/multi-recorder/files", test_multi_recorder);
  add ("/examples/single-recorder/unwritable", test_unwritable);

  return g_test_run ();
}
