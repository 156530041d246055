/* Bad input through the library API: location templates, tees, windows,
 * variants, sources that are not raw video. Each case checks the error's
 * domain and code and that its message names the offending thing; cases that
 * record check what was written and that the pipeline went on. Values that
 * only a program can pass (a negative window through a setter) are refused
 * with a critical and leave the setting as it was.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "hs-test-util.h"

#include <errno.h>
#include <math.h>
#include <gst/app/app.h>

#define FRAME(k) ((GstClockTime) gst_util_uint64_scale ((k), GST_SECOND, 30))

#define TWO_TEES \
  "videotestsrc ! video/x-raw,width=160,height=120 ! tee name=cam0 ! " \
  "fakesink videotestsrc ! video/x-raw,width=160,height=120 ! " \
  "tee name=cam1 ! fakesink"

typedef HsTestRecorderFixture Fixture;

static void
assert_mentions (const GError *error, const char *part)
{
  if (part != NULL && strstr (error->message, part) == NULL)
    g_error ("the error \"%s\" does not say \"%s\"", error->message, part);
}

static void
assert_no_bus_error (GstElement *pipeline)
{
  g_autoptr(GstBus) bus = gst_element_get_bus (pipeline);
  g_autoptr(GstMessage) message = gst_bus_pop_filtered (bus,
      GST_MESSAGE_ERROR);

  g_assert_null (message);
}

/* ------------------------------------------------------------------------ */
/* Refused when the recorder is made                                        */

typedef struct {
  const char *name;
  const char *tee;
  const char *location;         /* NULL: the default */
  const char *encoder;          /* NULL: the default */
  const char *converter;        /* NULL: the default */
  int code;                     /* HsError */
  const char *message[2];       /* parts of the error's message */
} RefusedCase;

static const RefusedCase refused_cases[] = {
  /* location templates */
  { "location/unknown-placeholder", "cam0", "rec/%{camera}.webm", NULL, NULL,
    HS_ERROR_INVALID_ARGUMENT, { "'%{camera}'", "rec/%{camera}.webm" } },
  { "location/unclosed-placeholder", "cam0", "rec/%{source.webm", NULL, NULL,
    HS_ERROR_INVALID_ARGUMENT, { "'%{' at position 5 has no closing '}'" } },
  { "location/empty-placeholder", "cam0", "%{}.webm", NULL, NULL,
    HS_ERROR_INVALID_ARGUMENT, { "'%{}'" } },
  { "location/unknown-conversion", "cam0", "clip-%Q.webm", NULL, NULL,
    HS_ERROR_INVALID_ARGUMENT, { "'%Q' at position 6" } },
  { "location/lone-percent", "cam0", "clip%", NULL, NULL,
    HS_ERROR_INVALID_ARGUMENT, { "lone '%'", "clip%" } },
  { "location/dangling-modifier", "cam0", "clip-%_%{source}.webm", NULL, NULL,
    HS_ERROR_INVALID_ARGUMENT, { "'%_' at position 6",
      "not a complete conversion" } },
  { "location/dangling-alternative", "cam0", "%O%{index}", NULL, NULL,
    HS_ERROR_INVALID_ARGUMENT, { "'%O' at position 1",
      "not a complete conversion" } },
  { "location/empty", "cam0", "", NULL, NULL,
    HS_ERROR_INVALID_ARGUMENT, { "empty" } },
  { "location/not-utf8", "cam0", "clip-\xff\xfe.webm", NULL, NULL,
    HS_ERROR_INVALID_ARGUMENT, { "UTF-8", "position 6" } },
  /* tees */
  { "tee/unknown", "cam9", NULL, NULL, NULL,
    HS_ERROR_NO_SUCH_TEE, { "'cam9'", "cam0, cam1" } },
  { "tee/empty-name", "", NULL, NULL, NULL,
    HS_ERROR_NO_SUCH_TEE, { "''", "cam0, cam1" } },
  { "tee/not-a-tee", "videotestsrc0", NULL, NULL, NULL,
    HS_ERROR_NO_SUCH_TEE, { "'videotestsrc0'", "cam0, cam1" } },
  { "tee/case", "CAM0", NULL, NULL, NULL,
    HS_ERROR_NO_SUCH_TEE, { "'CAM0'", "cam0, cam1" } },
  /* variants */
  { "encoder/unknown", "cam0", NULL, "foo", NULL,
    HS_ERROR_INVALID_ARGUMENT, { "Unknown encoder 'foo'", "vp8" } },
  { "encoder/missing-element", "cam0", NULL, "vp8enc ! nosuchelement", NULL,
    HS_ERROR_MISSING_ELEMENT, { "'nosuchelement'" } },
  { "encoder/syntax", "cam0", NULL, "vp8enc ! ! webmmux", NULL,
    HS_ERROR_INVALID_ARGUMENT, { "vp8enc ! ! webmmux", "character" } },
  { "converter/unknown", "cam0", NULL, NULL, "foo",
    HS_ERROR_INVALID_ARGUMENT, { "Unknown converter 'foo'" } },
  { "converter/missing-element", "cam0", NULL, NULL,
    "videoconvert ! nosuchconverter", HS_ERROR_MISSING_ELEMENT,
    { "'nosuchconverter'" } },
};

static void
test_refused (Fixture *fx, gconstpointer data)
{
  const RefusedCase *c = data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GObject) recorder = NULL;
  const char *names[4];
  GValue values[4] = { G_VALUE_INIT, G_VALUE_INIT, G_VALUE_INIT,
    G_VALUE_INIT };
  guint n = 0;

  fx->pipeline = hs_test_pipeline_new (TWO_TEES);
  names[n] = "pipeline";
  g_value_init (&values[n], GST_TYPE_ELEMENT);
  g_value_set_object (&values[n++], fx->pipeline);
  names[n] = "source";
  g_value_init (&values[n], G_TYPE_STRING);
  g_value_set_string (&values[n++], c->tee);
  if (c->location != NULL) {
    names[n] = "location";
    g_value_init (&values[n], G_TYPE_STRING);
    g_value_set_string (&values[n++], c->location);
  }
  if (c->encoder != NULL) {
    names[n] = "encoder";
    g_value_init (&values[n], G_TYPE_STRING);
    g_value_set_string (&values[n++], c->encoder);
  }
  if (c->converter != NULL) {
    names[n] = "converter";
    g_value_init (&values[n], G_TYPE_STRING);
    g_value_set_string (&values[n++], c->converter);
  }
  g_assert_cmpuint (n, <=, G_N_ELEMENTS (values));

  recorder = g_object_new_with_properties (HS_TYPE_RECORDER, n, names,
      values);
  g_assert_false (g_initable_init (G_INITABLE (recorder), NULL, &error));
  g_assert_error (error, HS_ERROR, c->code);
  assert_mentions (error, c->message[0]);
  assert_mentions (error, c->message[1]);
  g_test_message ("%s", error->message);
  for (guint i = 0; i < n; i++)
    g_value_unset (&values[i]);

  /* The user's pipeline is untouched: no branch was left on a tee. */
  {
    g_autoptr(GstElement) cam0 = gst_bin_get_by_name (GST_BIN (fx->pipeline),
        "cam0");

    g_assert_cmpint (GST_ELEMENT (cam0)->numsrcpads, ==, 1);
  }
}

static void
test_no_tees (Fixture *fx, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(HsRecorder) recorder = NULL;

  fx->pipeline = hs_test_pipeline_new ("videotestsrc ! fakesink");
  recorder = hs_recorder_new (fx->pipeline, "cam0", &error);
  g_assert_null (recorder);
  g_assert_error (error, HS_ERROR, HS_ERROR_NO_SUCH_TEE);
  assert_mentions (error, "'cam0'");
  assert_mentions (error, "has no tee");
}

static void
test_tee_in_bin (Fixture *fx, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(HsRecorder) recorder = NULL;

  /* Not bad input: a tee inside a bin of the pipeline is found; a wrong
   * name lists it. */
  fx->pipeline = hs_test_pipeline_new ("bin. ( videotestsrc ! tee name=inner "
      "! fakesink ) videotestsrc ! fakesink");
  g_assert_true (GST_IS_PIPELINE (fx->pipeline));
  recorder = hs_recorder_new (fx->pipeline, "inner", &error);
  g_assert_no_error (error);
  g_assert_nonnull (recorder);
  g_clear_object (&recorder);
  recorder = hs_recorder_new (fx->pipeline, "outer", &error);
  g_assert_error (error, HS_ERROR, HS_ERROR_NO_SUCH_TEE);
  assert_mentions (error, "inner");
}

/* A bin that is in no pipeline has no bus and no clock to record by. */
static void
test_bin_not_in_pipeline (Fixture *fx, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(HsRecorder) recorder = NULL;

  fx->pipeline = hs_test_pipeline_new ("( videotestsrc ! tee name=t ! "
      "fakesink )");
  g_assert_false (GST_IS_PIPELINE (fx->pipeline));
  recorder = hs_recorder_new (fx->pipeline, "t", &error);
  g_assert_null (recorder);
  g_assert_error (error, HS_ERROR, HS_ERROR_INVALID_ARGUMENT);
  assert_mentions (error, GST_OBJECT_NAME (fx->pipeline));
  assert_mentions (error, "pipeline");
  g_test_message ("%s", error->message);
}

static void
test_missing_properties (Fixture *fx, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GstElement) element = NULL;
  HsRecorder *recorder;

  recorder = g_initable_new (HS_TYPE_RECORDER, NULL, &error, "source", "t",
      NULL);
  g_assert_null (recorder);
  g_assert_error (error, HS_ERROR, HS_ERROR_INVALID_ARGUMENT);
  assert_mentions (error, "pipeline");
  g_clear_error (&error);

  fx->pipeline = hs_test_pipeline_new ("videotestsrc ! tee name=t ! fakesink");
  recorder = g_initable_new (HS_TYPE_RECORDER, NULL, &error, "pipeline",
      fx->pipeline, NULL);
  g_assert_null (recorder);
  g_assert_error (error, HS_ERROR, HS_ERROR_INVALID_ARGUMENT);
  assert_mentions (error, "tee");
  g_clear_error (&error);

  /* An element that is not a bin cannot hold a tee. */
  element = gst_object_ref_sink (gst_element_factory_make ("fakesink", NULL));
  recorder = hs_recorder_new (element, "t", &error);
  g_assert_null (recorder);
  g_assert_error (error, HS_ERROR, HS_ERROR_INVALID_ARGUMENT);
  assert_mentions (error, "GstBin");
}

/* ------------------------------------------------------------------------ */
/* Refused when a recording starts                                          */

static HsRecording *
finished (Fixture *fx, guint i)
{
  g_assert_cmpuint (fx->f.finished->len, >, i);
  return fx->f.finished->pdata[i];
}

#define TESTSRC \
  "videotestsrc ! video/x-raw,width=160,height=120,framerate=30/1 ! " \
  "tee name=t t. ! fakesink"

/* A template set after the recorder was made is checked when a file opens:
 * that recording fails and names the template; the next one, with a good
 * template, is complete. */
static void
test_location_set_later (Fixture *fx, gconstpointer data)
{
  g_autofree char *good = hs_test_fixture_path (&fx->f, "good-%{index}.webm");
  const GError *error;

  fx->pipeline = hs_test_pipeline_new (TESTSRC);
  fx->recorder = hs_test_make_recorder (fx, "t", 1, 1, "%{index}.webm");
  hs_recorder_set_location (fx->recorder, "bad-%{camera}.webm");
  hs_recorder_trigger_at (fx->recorder, 2 * GST_SECOND);
  hs_test_play (fx->pipeline);
  hs_test_fixture_wait_idle (&fx->f, fx->recorder);

  g_assert_cmpuint (fx->f.finished->len, ==, 1);
  error = hs_recording_get_error (finished (fx, 0));
  g_assert_error ((GError *) error, HS_ERROR, HS_ERROR_INVALID_ARGUMENT);
  assert_mentions (error, "'%{camera}'");
  g_assert_null (hs_recording_get_location (finished (fx, 0)));

  hs_recorder_set_location (fx->recorder, good);
  hs_recorder_trigger_at (fx->recorder, 6 * GST_SECOND);
  hs_test_fixture_wait_idle (&fx->f, fx->recorder);
  g_assert_cmpuint (fx->f.finished->len, ==, 2);
  g_assert_no_error ((GError *) hs_recording_get_error (finished (fx, 1)));
  hs_test_assert_file (hs_recording_get_location (finished (fx, 1)), 60,
      FRAME (150), FRAME (209));
  assert_no_bus_error (fx->pipeline);
}

/* A template that expands to a name the file system refuses. */
static void
test_location_too_long (Fixture *fx, gconstpointer data)
{
  g_autofree char *component = g_strnfill (300, 'x');
  g_autofree char *name = g_strconcat ("%{source}-", component, ".webm", NULL);
  const GError *error;

  fx->pipeline = hs_test_pipeline_new (TESTSRC);
  fx->recorder = hs_test_make_recorder (fx, "t", 1, 1, name);
  hs_recorder_trigger_at (fx->recorder, 2 * GST_SECOND);
  hs_test_play (fx->pipeline);
  hs_test_fixture_wait_idle (&fx->f, fx->recorder);

  g_assert_cmpuint (fx->f.finished->len, ==, 1);
  error = hs_recording_get_error (finished (fx, 0));
  g_assert_error ((GError *) error, HS_ERROR, HS_ERROR_CANNOT_WRITE);
  assert_mentions (error, component);
  assert_mentions (error, g_strerror (ENAMETOOLONG));
  assert_no_bus_error (fx->pipeline);
}

/* Encoded video on the tee: not what the ring takes. */
static void
test_tee_not_raw (Fixture *fx, gconstpointer data)
{
  const GError *error;

  fx->pipeline = hs_test_pipeline_new ("videotestsrc num-buffers=90 ! "
      "video/x-raw,width=160,height=120,framerate=30/1 ! jpegenc ! "
      "tee name=t t. ! fakesink");
  fx->recorder = hs_test_make_recorder (fx, "t", 1, 1, "%{index}.webm");
  hs_recorder_trigger_at (fx->recorder, GST_SECOND);
  hs_test_play (fx->pipeline);
  hs_test_fixture_wait_idle (&fx->f, fx->recorder);

  g_assert_cmpuint (fx->f.finished->len, ==, 1);
  error = hs_recording_get_error (finished (fx, 0));
  g_assert_error ((GError *) error, HS_ERROR, HS_ERROR_NOT_NEGOTIATED);
  assert_mentions (error, "'t'");
  assert_mentions (error, "image/jpeg");
  assert_no_bus_error (fx->pipeline);
}

/* ------------------------------------------------------------------------ */
/* Windows                                                                  */

/* Out of range, not a number, infinite: refused, the setting unchanged. */
static void
test_window_programmer_errors (Fixture *fx, gconstpointer data)
{
  fx->pipeline = hs_test_pipeline_new (TESTSRC);
  fx->recorder = hs_test_make_recorder (fx, "t", 2, 3, "%{index}.webm");

  g_test_expect_message ("Hindsight", G_LOG_LEVEL_CRITICAL, "*pre >= 0*");
  hs_recorder_set_pre (fx->recorder, -1);
  g_test_assert_expected_messages ();
  g_test_expect_message ("Hindsight", G_LOG_LEVEL_CRITICAL, "*pre >= 0*");
  hs_recorder_set_pre (fx->recorder, NAN);
  g_test_assert_expected_messages ();
  g_test_expect_message ("Hindsight", G_LOG_LEVEL_CRITICAL, "*post >= 0*");
  hs_recorder_set_post (fx->recorder, -0.5);
  g_test_assert_expected_messages ();
  g_test_expect_message ("Hindsight", G_LOG_LEVEL_CRITICAL,
      "*max_duration >= 0*");
  hs_recorder_set_max_duration (fx->recorder, -1);
  g_test_assert_expected_messages ();
  g_assert_cmpfloat (hs_recorder_get_pre (fx->recorder), ==, 2);
  g_assert_cmpfloat (hs_recorder_get_post (fx->recorder), ==, 3);
  g_assert_cmpfloat (hs_recorder_get_max_duration (fx->recorder), ==, 0);

  /* Through properties, GObject checks the range first. */
  g_test_expect_message ("GLib-GObject", G_LOG_LEVEL_WARNING,
      "*out of range*pre*");
  g_object_set (fx->recorder, "pre", -1.0, NULL);
  g_test_assert_expected_messages ();
  g_test_expect_message ("GLib-GObject", G_LOG_LEVEL_WARNING,
      "*out of range*post*");
  g_object_set (fx->recorder, "post", (double) INFINITY, NULL);
  g_test_assert_expected_messages ();
  g_test_expect_message ("GLib-GObject", G_LOG_LEVEL_WARNING,
      "*out of range*pre*");
  g_object_set (fx->recorder, "pre", 1e9, NULL);
  g_test_assert_expected_messages ();
  g_assert_cmpfloat (hs_recorder_get_pre (fx->recorder), ==, 2);
  g_assert_cmpfloat (hs_recorder_get_post (fx->recorder), ==, 3);

  g_test_expect_message ("Hindsight", G_LOG_LEVEL_CRITICAL,
      "*GST_CLOCK_TIME_IS_VALID*");
  hs_recorder_trigger_at (fx->recorder, GST_CLOCK_TIME_NONE);
  g_test_assert_expected_messages ();
  g_assert_false (hs_recorder_get_busy (fx->recorder));
}

/* The largest windows the properties take, and a file length no recording
 * reaches: a normal recording, its shortfall reported. */
static void
test_window_absurd (Fixture *fx, gconstpointer data)
{
  HsRecording *r;

  fx->pipeline = hs_test_pipeline_new ("videotestsrc num-buffers=60 ! "
      "video/x-raw,width=160,height=120,framerate=30/1 ! tee name=t "
      "t. ! fakesink");
  fx->recorder = hs_test_make_recorder (fx, "t", 3600, 3600, "%{index}.webm");
  g_object_set (fx->recorder, "max-duration", 1e300, NULL);
  hs_recorder_trigger_at (fx->recorder, GST_SECOND);
  hs_test_play (fx->pipeline);
  hs_test_fixture_wait_idle (&fx->f, fx->recorder);

  g_assert_cmpuint (fx->f.finished->len, ==, 1);
  r = finished (fx, 0);
  g_assert_no_error ((GError *) hs_recording_get_error (r));
  g_assert_cmpint (hs_recording_get_requested_start (r), ==,
      GST_SECOND - (gint64) 3600 * GST_SECOND);
  g_assert_cmpuint (hs_recording_get_shortfall (r), ==, 3599 * GST_SECOND);
  hs_test_assert_file (hs_recording_get_location (r), 60, 0, FRAME (59));
}

/* A trigger at a running time no stream reaches, up to the largest valid
 * one: nothing is written for it and it is reported; the window's end does
 * not wrap around into the stream's real frames. */
static void
test_trigger_far_future (Fixture *fx, gconstpointer data)
{
  GstClockTime time = *(const GstClockTime *) data;
  HsRecording *r;

  fx->pipeline = hs_test_pipeline_new ("videotestsrc num-buffers=60 ! "
      "video/x-raw,width=160,height=120,framerate=30/1 ! tee name=t "
      "t. ! fakesink");
  fx->recorder = hs_test_make_recorder (fx, "t", 1, 1, "%{index}.webm");
  hs_recorder_trigger_at (fx->recorder, time);
  hs_test_play (fx->pipeline);
  hs_test_fixture_wait_idle (&fx->f, fx->recorder);

  g_assert_cmpuint (fx->f.started->len, ==, 0);
  g_assert_cmpuint (fx->f.finished->len, ==, 1);
  r = finished (fx, 0);
  g_assert_error ((GError *) hs_recording_get_error (r), HS_ERROR,
      HS_ERROR_NO_FRAMES);
  assert_mentions (hs_recording_get_error (r), "'t'");
  g_assert_null (hs_recording_get_location (r));
}

static const GstClockTime far_future[] = {
  3600 * GST_SECOND, G_MAXINT64, (GstClockTime) G_MAXINT64 + 1,
  G_MAXUINT64 - 1,
};

/* pre asks for 2 s, but max-ring-bytes holds 10 frames of this size: the
 * recording starts with the oldest frame held and reports how much is
 * missing, rather than pretending the window was shorter. */
static void
test_pre_beyond_ring_bytes (Fixture *fx, gconstpointer data)
{
  g_autoptr(GstElement) src = NULL;
  HsRingBuffer *ring;
  HsRecording *r;
  gpointer args[2];

  fx->pipeline = hs_test_pipeline_new ("appsrc name=src format=time "
      "max-bytes=0 caps=video/x-raw,format=I420,width=160,height=120,"
      "framerate=30/1 ! tee name=t t. ! fakesink");
  src = gst_bin_get_by_name (GST_BIN (fx->pipeline), "src");
  fx->recorder = hs_test_make_recorder (fx, "t", 2, 0.5, "%{index}.webm");
  g_object_set (fx->recorder, "max-ring-bytes",
      (guint64) 10 * HS_TEST_FRAME_BYTES, NULL);
  ring = hs_recorder_get_ring_buffer (fx->recorder);

  /* Frames up to 2.967 s pass while nothing is recorded. */
  hs_test_push_frames (src, 0, 90, FALSE);
  hs_test_play (fx->pipeline);
  args[0] = ring;
  args[1] = GUINT_TO_POINTER (2966);
  hs_test_fixture_run_until (&fx->f, hs_test_ring_reached, args);
  g_assert_cmpuint (hs_ring_buffer_get_n_bytes (ring), <=,
      10 * HS_TEST_FRAME_BYTES);

  /* The event at 3 s asks for [1 s, 3.5 s); the ring holds 2.667 s on. */
  hs_recorder_trigger_at (fx->recorder, 3 * GST_SECOND);
  hs_test_push_frames (src, 90, 120, TRUE);
  hs_test_fixture_wait_idle (&fx->f, fx->recorder);

  g_assert_cmpuint (fx->f.finished->len, ==, 1);
  r = finished (fx, 0);
  g_assert_no_error ((GError *) hs_recording_get_error (r));
  g_assert_cmpint (hs_recording_get_requested_start (r), ==, GST_SECOND);
  g_assert_cmpuint (hs_recording_get_start_time (r), ==, FRAME (80));
  g_assert_cmpuint (hs_recording_get_shortfall (r), ==,
      FRAME (80) - GST_SECOND);
  hs_test_assert_file (hs_recording_get_location (r), 25, FRAME (80),
      FRAME (104));
  g_test_message ("pre 2 s with max-ring-bytes for 10 frames: shortfall "
      "%.3f s reported", (double) hs_recording_get_shortfall (r) /
      GST_SECOND);
}

static void
add (const char *path, void (*func) (Fixture *, gconstpointer))
{
  hs_test_add_recorder_test (path, NULL, func);
}

int
main (int argc, char **argv)
{
  gst_init (&argc, &argv);
  g_test_init (&argc, &argv, NULL);

  for (guint i = 0; i < G_N_ELEMENTS (refused_cases); i++) {
    g_autofree char *path = g_strdup_printf ("/bad-input/refused/%s",
        refused_cases[i].name);

    hs_test_add_recorder_test (path, &refused_cases[i], test_refused);
  }
  add ("/bad-input/refused/tee/none-in-pipeline", test_no_tees);
  add ("/bad-input/refused/tee/in-a-bin", test_tee_in_bin);
  add ("/bad-input/refused/bin-not-in-pipeline", test_bin_not_in_pipeline);
  add ("/bad-input/refused/missing-properties", test_missing_properties);
  add ("/bad-input/recording/location-set-later", test_location_set_later);
  add ("/bad-input/recording/location-too-long", test_location_too_long);
  add ("/bad-input/recording/tee-not-raw", test_tee_not_raw);
  add ("/bad-input/window/programmer-errors", test_window_programmer_errors);
  add ("/bad-input/window/absurd", test_window_absurd);
  for (guint i = 0; i < G_N_ELEMENTS (far_future); i++) {
    g_autofree char *path = g_strdup_printf (
        "/bad-input/window/trigger-far-future/%u", i);

    hs_test_add_recorder_test (path, &far_future[i], test_trigger_far_future);
  }
  add ("/bad-input/window/pre-beyond-ring-bytes", test_pre_beyond_ring_bytes);

  return g_test_run ();
}
