/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Checks a location template: %{source}, %{index}, %{n} and %{ext} are the
 * only named placeholders; every other '%' conversion must be one strftime
 * conversion that GDateTime understands. */
gboolean hs_location_validate (const char *template_,
                               GError    **error);

/* Expands a location template for one file. */
char    *hs_location_expand   (const char *template_,
                               const char *source,
                               guint       index,
                               guint       n,
                               const char *ext,
                               GDateTime  *date,
                               GError    **error);

/* Creates the folders of @path and an empty file that no one else has: if
 * @path exists, "-1", "-2", ... is inserted before the extension. Returns the
 * path actually created. */
char    *hs_location_reserve  (const char *path,
                               GError    **error);

/* Next value of the process-wide %{n} counter (1-based). */
guint    hs_location_next_n   (void);

G_END_DECLS
