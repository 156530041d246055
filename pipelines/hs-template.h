/* Pipeline description files: comments, line joining and {KEY} templating.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/**
 * HS_TEMPLATE_ERROR:
 *
 * Error domain of description templating. Messages start with
 * `ORIGIN:LINE:COLUMN:` so that editors can jump to the place.
 */
#define HS_TEMPLATE_ERROR (hs_template_error_quark ())

/**
 * HsTemplateError:
 * @HS_TEMPLATE_ERROR_SYNTAX: a malformed placeholder, a stray `}` or an
 *   unterminated quoted string.
 * @HS_TEMPLATE_ERROR_MISSING: one or more placeholders have neither a value
 *   nor a default; the message names each one and its line.
 */
typedef enum {
  HS_TEMPLATE_ERROR_SYNTAX,
  HS_TEMPLATE_ERROR_MISSING,
} HsTemplateError;

/**
 * HsTemplateFlags:
 * @HS_TEMPLATE_FLAGS_NONE: a description file: `#` starts a comment.
 * @HS_TEMPLATE_NO_COMMENTS: a description from the command line, where the
 *   shell has already dealt with comments and `#` is an ordinary character.
 */
typedef enum {
  HS_TEMPLATE_FLAGS_NONE = 0,
  HS_TEMPLATE_NO_COMMENTS = 1 << 0,
} HsTemplateFlags;

typedef struct _HsTemplate HsTemplate;

GQuark      hs_template_error_quark    (void);

HsTemplate *hs_template_new            (void);
void        hs_template_free           (HsTemplate       *self);

gboolean    hs_template_key_is_valid   (const char       *key);

void        hs_template_set            (HsTemplate       *self,
                                        const char       *key,
                                        const char       *value);

char       *hs_template_expand         (HsTemplate       *self,
                                        const char       *text,
                                        const char       *origin,
                                        HsTemplateFlags   flags,
                                        GError          **error);

GStrv       hs_template_dup_unused     (HsTemplate       *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (HsTemplate, hs_template_free)

G_END_DECLS
