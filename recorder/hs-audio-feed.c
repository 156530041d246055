/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include "hs-audio-feed-private.h"

#include "hs-error.h"
#include "hs-ring-buffer-private.h"
#include "hs-variant-private.h"

#include <gst/audio/audio.h>

GST_DEBUG_CATEGORY_STATIC (hs_audio_feed_debug);
#define GST_CAT_DEFAULT hs_audio_feed_debug

/* A closed file waits at most this long for audio that stopped coming. */
#define AUDIO_STALL_US (G_USEC_PER_SEC)

struct _HsAudioFeed
{
  char *source;
  HsRingBuffer *ring;
  HsRingBranch *branch;
  char *encoder;
  guint64 cursor;               /* seq of the next audio buffer to hand out */
};

HsAudioFeed *
hs_audio_feed_new (const char *source, HsRingBuffer *ring)
{
  static gsize debug_once;
  HsAudioFeed *self = g_new0 (HsAudioFeed, 1);

  if (g_once_init_enter (&debug_once)) {
    GST_DEBUG_CATEGORY_INIT (hs_audio_feed_debug, "hindsight-audio", 0,
        "hindsight recorders' sound");
    g_once_init_leave (&debug_once, 1);
  }
  self->source = g_strdup (source);
  self->ring = g_object_ref (ring);
  self->encoder = g_strdup ("opus");
  return self;
}

void
hs_audio_feed_free (HsAudioFeed *self)
{
  if (self == NULL)
    return;
  g_clear_pointer (&self->branch, hs_ring_branch_unref);
  g_object_unref (self->ring);
  g_free (self->source);
  g_free (self->encoder);
  g_free (self);
}

void
hs_audio_feed_set_branch (HsAudioFeed *self, HsRingBranch *branch)
{
  g_return_if_fail (self->branch == NULL);
  self->branch = hs_ring_branch_ref (branch);
}

void
hs_audio_feed_set_encoder (HsAudioFeed *self, const char *encoder)
{
  g_free (self->encoder);
  self->encoder = g_strdup (encoder);
}

const char *
hs_audio_feed_file_codec (HsAudioFeed *self, GstCaps *caps)
{
  const char *name = gst_structure_get_name (gst_caps_get_structure (caps, 0));

  return g_str_equal (name, "audio/x-raw") ?
      hs_variant_audio_encoder_codec (self->encoder) : name;
}

GstCaps *
hs_audio_feed_caps_for (HsAudioFeed *self, GstClockTime from, GError **error)
{
  g_auto(HsRingBranchStatus) status = { 0 };
  guint64 cursor = self->cursor;
  HsRingEntry e = { 0 };
  GstCaps *caps = NULL;

  if (self->branch != NULL)
    hs_ring_branch_get_status (self->branch, &status);
  if (status.refusal != NULL) {
    g_set_error (error, HS_ERROR, HS_ERROR_NOT_NEGOTIATED,
        "No sound: tee '%s' carries %s", self->source, status.refusal);
    return NULL;
  }
  while (caps == NULL && hs_ring_buffer_next (self->ring, &cursor,
          GST_CLOCK_TIME_NONE, &e)) {
    if (e.time >= from)
      caps = gst_caps_ref (gst_sample_get_caps (e.sample));
    hs_ring_entry_clear (&e);
  }
  if (caps == NULL)
    caps = hs_ring_buffer_dup_newest_caps (self->ring);
  if (caps == NULL)
    g_set_error (error, HS_ERROR, HS_ERROR_NO_FRAMES,
        "No sound: audio source '%s' has sent nothing", self->source);
  return caps;
}

gboolean
hs_audio_feed_is_ready (HsAudioFeed *self, gint64 waited_us)
{
  g_auto(HsRingBranchStatus) status = { 0 };
  g_autoptr(GstCaps) caps = hs_ring_buffer_dup_newest_caps (self->ring);

  if (caps != NULL || self->branch == NULL || waited_us >= AUDIO_STALL_US)
    return TRUE;
  hs_ring_branch_get_status (self->branch, &status);
  return status.eos || status.source_error != NULL || status.refusal != NULL;
}

/* Why a file whose video is done gets no more audio, if its audio will not
 * come: the source ended, failed or stalled. *@error says so, but for an
 * end of stream. */
static gboolean
audio_over (HsAudioFeed *self, const HsRingBranchStatus *status,
            GError **error)
{
  if (status->source_error != NULL) {
    g_set_error (error, HS_ERROR, HS_ERROR_SOURCE,
        "The audio source failed, the sound ends early: %s",
        status->source_error);
    return TRUE;
  }
  if (status->eos)
    return TRUE;
  if (g_get_monotonic_time () - status->last_arrival_us >= AUDIO_STALL_US) {
    g_set_error (error, HS_ERROR, HS_ERROR_SOURCE, "Audio source '%s' "
        "stalled, the sound ends early", self->source);
    return TRUE;
  }
  return FALSE;
}

/* Raw sound is cut to the sample: its frames per second and bytes per
 * frame, FALSE for compressed sound (kept in whole buffers). */
static gboolean
raw_format (const HsRingEntry *e, GstAudioInfo *info)
{
  GstCaps *caps = gst_sample_get_caps (e->sample);

  return gst_structure_has_name (gst_caps_get_structure (caps, 0),
      "audio/x-raw") && gst_audio_info_from_caps (info, caps) &&
      info->rate > 0 && info->bpf > 0;
}

static GstClockTime
raw_end (const HsRingEntry *e, const GstAudioInfo *info)
{
  gsize n = gst_buffer_get_size (gst_sample_get_buffer (e->sample)) /
      info->bpf;

  return e->time + gst_util_uint64_scale (n, GST_SECOND, info->rate);
}

/* Keeps the samples of raw @e whose time is in [@from, @until): FALSE if
 * none is. */
static gboolean
clip_raw (HsRingEntry *e, const GstAudioInfo *info, GstClockTime from,
          GstClockTime until)
{
  GstBuffer *buffer = gst_sample_get_buffer (e->sample);
  guint64 n = gst_buffer_get_size (buffer) / info->bpf, skip = 0, keep = n;
  GstBuffer *part;
  GstSample *sample;
  GstClockTime shift;

  if (e->time < from)
    skip = gst_util_uint64_scale_ceil (from - e->time, info->rate,
        GST_SECOND);
  if (raw_end (e, info) > until)
    keep = gst_util_uint64_scale_ceil (until - e->time, info->rate,
        GST_SECOND);
  if (skip >= keep)
    return FALSE;
  if (skip == 0 && keep == n)
    return TRUE;
  part = gst_buffer_copy_region (buffer, GST_BUFFER_COPY_ALL,
      skip * info->bpf, (keep - skip) * info->bpf);
  shift = gst_util_uint64_scale (skip, GST_SECOND, info->rate);
  if (GST_BUFFER_PTS_IS_VALID (part))
    GST_BUFFER_PTS (part) += shift;
  GST_BUFFER_DURATION (part) = gst_util_uint64_scale (keep - skip,
      GST_SECOND, info->rate);
  sample = gst_sample_new (part, gst_sample_get_caps (e->sample),
      gst_sample_get_segment (e->sample), NULL);
  gst_buffer_unref (part);
  gst_sample_unref (e->sample);
  e->sample = sample;
  e->time += shift;
  return TRUE;
}

/* Hands @job its audio; FALSE while it waits for more (a later file then
 * waits too: the cursor is theirs in turn). */
static gboolean
fill (HsAudioFeed *self, HsFileJob *job, const HsRingBranchStatus *status,
      gboolean rebase)
{
  GstClockTime from = hs_file_job_get_audio_from (job);
  gboolean final;
  GstClockTime until = hs_file_job_get_audio_until (job, &final);
  g_autoptr(GError) error = NULL;
  HsRingEntry e = { 0 };

  while (hs_ring_buffer_next (self->ring, &self->cursor, GST_CLOCK_TIME_NONE,
          &e)) {
    GstAudioInfo info;
    gboolean raw = raw_format (&e, &info);

    /* Past this file's end, or raw sound across an end that may still
     * move: the buffer is for later. */
    if (e.time >= until || (raw && !final && raw_end (&e, &info) > until)) {
      self->cursor = e.seq;
      hs_ring_entry_clear (&e);
      if (!final)
        return FALSE;
      hs_file_job_end_audio (job, NULL);
      return TRUE;
    }
    /* Raw sound is cut at the first frame and at the end of the last one;
     * compressed sound goes in whole buffers that start in that time. */
    if (raw ? clip_raw (&e, &info, from, until) : e.time >= from)
      hs_file_job_write_audio (job, &e, rebase, hs_audio_feed_file_codec (
              self, gst_sample_get_caps (e.sample)));
    hs_ring_entry_clear (&e);
  }
  if (!final || !audio_over (self, status, &error))
    return FALSE;
  GST_INFO ("%s: the sound of a file ends early%s%s", self->source,
      error ? ": " : "", error ? error->message : "");
  hs_file_job_end_audio (job, error);
  return TRUE;
}

void
hs_audio_feed_run (HsAudioFeed *self, GList *jobs, gboolean rebase)
{
  g_auto(HsRingBranchStatus) status = { 0 };

  if (self->branch != NULL)
    hs_ring_branch_get_status (self->branch, &status);
  for (GList *l = jobs; l != NULL; l = l->next)
    if (hs_file_job_wants_audio (l->data) &&
        !fill (self, l->data, &status, rebase))
      break;
}

void
hs_audio_feed_hold (HsAudioFeed *self, gboolean filling, GstClockTime from)
{
  if (self->branch != NULL)
    hs_ring_branch_set_interested (self->branch, filling ||
        from != GST_CLOCK_TIME_NONE);
  if (filling)
    hs_ring_buffer_set_hold (self->ring, self->cursor, 0);
  else if (from != GST_CLOCK_TIME_NONE)
    hs_ring_buffer_set_hold (self->ring, self->cursor, from);
  else
    hs_ring_buffer_set_hold (self->ring, G_MAXUINT64, 0);
}
