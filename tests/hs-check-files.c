/* hs-check-files: checks the files a program wrote by decoding them.
 *
 *   hs-check-files DIR NAME:FRAMES:FIRST:LAST[:CODEC[:AUDIO]]...
 *
 * DIR must hold exactly the files named (no other .webm, .mkv or .mp4).
 * Each file is decoded; FRAMES is the number of decoded frames, FIRST and
 * LAST the indices of the first and last frame at 30 fps (frame k has
 * timestamp k/30 s, within half a frame). Each field is a number, a range
 * LO-HI, or '*' for any. CODEC is the caps name of the video (default
 * video/x-vp8, also when empty); AUDIO, that of the sound the file must
 * hold from its first frame to the end of its last (within 22 ms). Exit 0
 * when every file matches, 1 otherwise.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "hs-test-util.h"

#define FPS 30

typedef struct {
  gint64 lo;
  gint64 hi;
} Range;

static gboolean
parse_range (const char *text, Range *range)
{
  g_auto(GStrv) parts = NULL;
  guint64 lo, hi;

  if (g_str_equal (text, "*")) {
    range->lo = G_MININT64;
    range->hi = G_MAXINT64;
    return TRUE;
  }
  parts = g_strsplit (text, "-", 2);
  if (!g_ascii_string_to_unsigned (parts[0], 10, 0, G_MAXINT64, &lo, NULL))
    return FALSE;
  hi = lo;
  if (parts[1] != NULL &&
      !g_ascii_string_to_unsigned (parts[1], 10, lo, G_MAXINT64, &hi, NULL))
    return FALSE;
  range->lo = (gint64) lo;
  range->hi = (gint64) hi;
  return TRUE;
}

static gboolean
in_range (gint64 value, const Range *range)
{
  return value >= range->lo && value <= range->hi;
}

/* The frame index a timestamp stands for, if it is within half a frame of
 * one. */
static gint64
frame_of (GstClockTime pts)
{
  gint64 k = (gint64) gst_util_uint64_scale_round (pts, FPS, GST_SECOND);
  GstClockTime exact = gst_util_uint64_scale (k, GST_SECOND, FPS);
  GstClockTimeDiff diff = GST_CLOCK_DIFF (exact, pts);

  return ABS (diff) <= (GstClockTimeDiff) (GST_SECOND / FPS / 2) ? k : -1;
}

/* The file's sound is @codec and covers its video: from the first frame
 * to the end of the last, within 22 ms (one audio frame) each way, with no
 * hole. */
static gboolean
check_sound (const char *path, const HsTestFileInfo *video, const char *codec)
{
  g_auto(HsTestAudioInfo) sound = { 0 };
  g_autoptr(GError) error = NULL;
  GstClockTime video_end = video->last_pts + GST_SECOND / FPS;
  GstClockTimeDiff start, end;

  if (!hs_test_probe_audio (path, &sound, &error)) {
    g_printerr ("not ok: %s\n", error->message);
    return FALSE;
  }
  if (g_strcmp0 (sound.codec, codec) != 0) {
    g_printerr ("not ok: %s: sound %s, expected %s\n", path,
        sound.codec ? sound.codec : "(none)", codec);
    return FALSE;
  }
  start = GST_CLOCK_DIFF (video->first_pts, sound.first_pts);
  end = GST_CLOCK_DIFF (video_end, sound.end);
  g_print ("%s: sound %s from %+.1f ms to %+.1f ms of the video, %u ticks\n",
      path, sound.codec, start / 1e6, end / 1e6, sound.ticks->at->len);
  if (ABS (start) > 22 * GST_MSECOND || ABS (end) > 22 * GST_MSECOND ||
      sound.max_hole > GST_MSECOND) {
    g_printerr ("not ok: %s: the sound does not cover the video\n", path);
    return FALSE;
  }
  return TRUE;
}

static gboolean
check_file (const char *dir, const char *spec)
{
  g_auto(GStrv) fields = g_strsplit (spec, ":", -1);
  g_autofree char *path = NULL;
  g_auto(HsTestFileInfo) info = { 0 };
  g_autoptr(GError) error = NULL;
  Range frames, first, last;
  gint64 first_k, last_k;
  const char *codec;
  gboolean ok = TRUE;

  if (g_strv_length (fields) < 4 || g_strv_length (fields) > 6 ||
      !parse_range (fields[1], &frames) ||
      !parse_range (fields[2], &first) || !parse_range (fields[3], &last)) {
    g_printerr ("bad spec '%s': NAME:FRAMES:FIRST:LAST[:CODEC[:AUDIO]]\n",
        spec);
    return FALSE;
  }
  codec = fields[4] != NULL && fields[4][0] != '\0' ? fields[4] :
      "video/x-vp8";
  path = g_build_filename (dir, fields[0], NULL);
  if (!hs_test_probe_file (path, &info, &error)) {
    g_printerr ("not ok: %s\n", error->message);
    return FALSE;
  }
  first_k = frame_of (info.first_pts);
  last_k = frame_of (info.last_pts);
  g_print ("%s: %u frames, first %" GST_TIME_FORMAT " (frame %" G_GINT64_FORMAT
      "), last %" GST_TIME_FORMAT " (frame %" G_GINT64_FORMAT "), %s\n",
      path, info.n_frames, GST_TIME_ARGS (info.first_pts), first_k,
      GST_TIME_ARGS (info.last_pts), last_k, info.codec);

  if (g_strcmp0 (info.codec, codec) != 0 || !info.starts_with_keyframe) {
    g_printerr ("not ok: %s is not %s starting with a keyframe\n", path,
        codec);
    ok = FALSE;
  }
  if (!in_range (info.n_frames, &frames)) {
    g_printerr ("not ok: %s has %u frames, expected %s\n", path,
        info.n_frames, fields[1]);
    ok = FALSE;
  }
  if (first_k < 0 || !in_range (first_k, &first)) {
    g_printerr ("not ok: %s starts at %" GST_TIME_FORMAT ", expected frame "
        "%s\n", path, GST_TIME_ARGS (info.first_pts), fields[2]);
    ok = FALSE;
  }
  if (last_k < 0 || !in_range (last_k, &last)) {
    g_printerr ("not ok: %s ends at %" GST_TIME_FORMAT ", expected frame "
        "%s\n", path, GST_TIME_ARGS (info.last_pts), fields[3]);
    ok = FALSE;
  }
  /* A frame every 1/30 s, in order: nothing lost, nothing twice. */
  for (guint i = 1; ok && i < info.n_frames; i++) {
    GstClockTime a = g_array_index (info.pts, GstClockTime, i - 1);
    GstClockTime b = g_array_index (info.pts, GstClockTime, i);

    if (frame_of (b) != frame_of (a) + 1) {
      g_printerr ("not ok: %s: frame %u at %" GST_TIME_FORMAT " follows %"
          GST_TIME_FORMAT "\n", path, i, GST_TIME_ARGS (b), GST_TIME_ARGS (a));
      ok = FALSE;
    }
  }
  if (fields[4] != NULL && fields[5] != NULL)
    ok &= check_sound (path, &info, fields[5]);
  return ok;
}

int
main (int argc, char **argv)
{
  g_autoptr(GDir) dir = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GHashTable) expected = g_hash_table_new (g_str_hash, g_str_equal);
  g_auto(GStrv) specs = NULL;
  const char *name;
  gboolean ok = TRUE;

  gst_init (&argc, &argv);
  if (argc < 3) {
    g_printerr ("usage: %s DIR NAME:FRAMES:FIRST:LAST...\n", argv[0]);
    return 2;
  }

  specs = g_new0 (char *, argc - 1);
  for (int i = 2; i < argc; i++) {
    char *colon;

    specs[i - 2] = g_strdup (argv[i]);
    colon = strchr (specs[i - 2], ':');
    if (colon != NULL)
      *colon = '\0';
    g_hash_table_add (expected, specs[i - 2]);
  }

  dir = g_dir_open (argv[1], 0, &error);
  if (dir == NULL) {
    g_printerr ("not ok: %s\n", error->message);
    return 1;
  }
  while ((name = g_dir_read_name (dir)) != NULL) {
    if ((g_str_has_suffix (name, ".webm") || g_str_has_suffix (name, ".mkv")
            || g_str_has_suffix (name, ".mp4")) &&
        !g_hash_table_contains (expected, name)) {
      g_printerr ("not ok: unexpected file %s/%s\n", argv[1], name);
      ok = FALSE;
    }
  }
  for (int i = 2; i < argc; i++)
    ok &= check_file (argv[1], argv[i]);

  g_print ("%s\n", ok ? "ok" : "not ok");
  return ok ? 0 : 1;
}
