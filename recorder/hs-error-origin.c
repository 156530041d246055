/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include "hs-error-origin-private.h"

/* A pipeline larger than this is not walked to the end: an error that far
 * away is taken as not concerning the element. */
#define MAX_ELEMENTS 1000

/* The element a pad belongs to, looking through ghost and proxy pads to the
 * element that really produces the data. */
static GstElement *
producing_element (GstPad *peer)
{
  g_autoptr(GstPad) pad = gst_object_ref (peer);

  for (guint depth = 0; depth < 32; depth++) {
    GstPad *next = NULL;

    if (GST_IS_GHOST_PAD (pad))
      next = gst_ghost_pad_get_target (GST_GHOST_PAD (pad));
    else if (GST_IS_PROXY_PAD (pad)) {
      /* the inside of a bin's sink ghost pad: continue at the ghost pad's
       * own peer, outside the bin */
      g_autoptr(GstProxyPad) ghost = gst_proxy_pad_get_internal (
          GST_PROXY_PAD (pad));
      next = ghost ? gst_pad_get_peer (GST_PAD (ghost)) : NULL;
    } else
      return gst_pad_get_parent_element (pad);
    if (next == NULL)
      return NULL;
    gst_object_unref (pad);
    pad = next;
  }
  return NULL;
}

static gboolean
related (GstObject *a, GstObject *b)
{
  return a == b || gst_object_has_as_ancestor (a, b) ||
      gst_object_has_as_ancestor (b, a);
}

gboolean
hs_error_origin_is_upstream (GstElement *element, GstObject *culprit)
{
  g_autoptr(GPtrArray) todo = g_ptr_array_new_with_free_func (gst_object_unref);
  g_autoptr(GHashTable) seen = g_hash_table_new (NULL, NULL);
  gboolean found = FALSE;

  g_ptr_array_add (todo, gst_object_ref (element));
  while (todo->len > 0 && !found &&
      g_hash_table_size (seen) < MAX_ELEMENTS) {
    GstElement *next = g_ptr_array_steal_index_fast (todo, todo->len - 1);
    GstIterator *it;
    GValue item = G_VALUE_INIT;

    if (g_hash_table_add (seen, next)) {
      found = related (culprit, GST_OBJECT (next));
      it = gst_element_iterate_sink_pads (next);
      while (!found && gst_iterator_next (it, &item) == GST_ITERATOR_OK) {
        g_autoptr(GstPad) peer = gst_pad_get_peer (g_value_get_object (&item));
        GstElement *up = peer ? producing_element (peer) : NULL;

        if (up != NULL)
          g_ptr_array_add (todo, up);
        g_value_reset (&item);
      }
      g_value_unset (&item);
      gst_iterator_free (it);
    }
    gst_object_unref (next);
  }
  return found;
}
