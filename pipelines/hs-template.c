/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "hs-template.h"

#include <string.h>

/*
 * A description file is a gst-launch description spread over lines:
 *
 * - `#` starts a comment that runs to the end of the line, except inside a
 *   quoted string (`"..."` or `'...'`) or a placeholder;
 * - line breaks (and runs of blanks) become one space, a backslash before a
 *   line break is a line continuation like in a shell;
 * - `{KEY}` is replaced by the value given for KEY, `{KEY=DEFAULT}` falls
 *   back to DEFAULT; `{{` and `}}` are literal braces (GStreamer caps lists
 *   need them); `-` and `_` in keys are the same;
 * - values are inserted as they are: they are never scanned for comments,
 *   quotes or placeholders.
 *
 * A quote only opens a string at the start of a word, so that the
 * apostrophe of `text=Don't` does not swallow the rest of the file.
 */

G_DEFINE_QUARK (hs-template-error-quark, hs_template_error)

typedef struct {
  char *key;                    /* as given on the command line */
  char *value;
  gboolean used;
} Value;

struct _HsTemplate
{
  GHashTable *values;           /* normalized key -> Value */
  GPtrArray *order;             /* normalized keys (copies), first given first */
};

static void
value_free (gpointer data)
{
  Value *v = data;

  g_free (v->key);
  g_free (v->value);
  g_free (v);
}

/**
 * hs_template_new:
 *
 * Returns: (transfer full): an empty set of values
 */
HsTemplate *
hs_template_new (void)
{
  HsTemplate *self = g_new0 (HsTemplate, 1);

  self->values = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
      value_free);
  self->order = g_ptr_array_new_with_free_func (g_free);
  return self;
}

void
hs_template_free (HsTemplate *self)
{
  if (self == NULL)
    return;
  g_ptr_array_unref (self->order);
  g_hash_table_unref (self->values);
  g_free (self);
}

static gboolean
key_is_valid_len (const char *key, gsize len)
{
  if (len == 0 || !(g_ascii_isalpha (key[0]) || key[0] == '_'))
    return FALSE;
  for (gsize i = 1; i < len; i++)
    if (!(g_ascii_isalnum (key[i]) || key[i] == '_' || key[i] == '-'))
      return FALSE;
  return TRUE;
}

/**
 * hs_template_key_is_valid:
 * @key: a key
 *
 * Returns: whether @key can name a placeholder: a letter or `_`, then
 *   letters, digits, `-` and `_`
 */
gboolean
hs_template_key_is_valid (const char *key)
{
  g_return_val_if_fail (key != NULL, FALSE);
  return key_is_valid_len (key, strlen (key));
}

static char *
normalize_key (const char *key, gsize len)
{
  char *normalized = g_strndup (key, len);

  for (char *c = normalized; *c != '\0'; c++)
    if (*c == '-')
      *c = '_';
  return normalized;
}

/**
 * hs_template_set:
 * @self: the values
 * @key: a valid key (see hs_template_key_is_valid())
 * @value: its value, inserted as it is
 *
 * Gives @key a value; a later value for the same key (or the same key
 * spelled with `-` instead of `_`) replaces an earlier one.
 */
void
hs_template_set (HsTemplate *self, const char *key, const char *value)
{
  char *normalized;
  Value *v;

  g_return_if_fail (self != NULL);
  g_return_if_fail (hs_template_key_is_valid (key));
  g_return_if_fail (value != NULL);

  normalized = normalize_key (key, strlen (key));
  v = g_new0 (Value, 1);
  v->key = g_strdup (key);
  v->value = g_strdup (value);
  if (!g_hash_table_contains (self->values, normalized))
    g_ptr_array_add (self->order, g_strdup (normalized));
  g_hash_table_replace (self->values, normalized, v);
}

/**
 * hs_template_dup_unused:
 * @self: the values
 *
 * Returns: (transfer full): the keys (as given) that no expansion used so
 *   far, in the order they were given
 */
GStrv
hs_template_dup_unused (HsTemplate *self)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();

  g_return_val_if_fail (self != NULL, NULL);

  for (guint i = 0; i < self->order->len; i++) {
    Value *v = g_hash_table_lookup (self->values, self->order->pdata[i]);

    if (!v->used)
      g_strv_builder_add (builder, v->key);
  }
  return g_strv_builder_end (builder);
}

/* ------------------------------------------------------------------------ */

typedef struct {
  HsTemplate *tmpl;
  const char *origin;
  const char *p;
  const char *line_start;
  guint line;
  GString *out;
  gboolean pending_space;
  GString *missing;
} Scanner;

static guint
column_of (Scanner *s, const char *at)
{
  return (guint) (at - s->line_start) + 1;
}

static void G_GNUC_PRINTF (4, 5)
syntax_error (Scanner *s, GError **error, const char *at, const char *format,
              ...)
{
  g_autofree char *message = NULL;
  va_list args;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);
  g_set_error (error, HS_TEMPLATE_ERROR, HS_TEMPLATE_ERROR_SYNTAX,
      "%s:%u:%u: %s", s->origin, s->line, column_of (s, at), message);
}

/* Input quoted in a message: at most QUOTE_BYTES bytes of it (whole
 * characters), then "…", so that one enormous line makes a short message. */
#define QUOTE_BYTES 40

static char *
quote_part (const char *text, gsize len)
{
  gsize cut = len;

  if (len <= QUOTE_BYTES)
    return g_strndup (text, len);
  cut = QUOTE_BYTES;
  while (cut > 0 && ((guchar) text[cut] & 0xc0) == 0x80)
    cut--;
  return g_strdup_printf ("%.*s…", (int) cut, text);
}

static void
emit (Scanner *s, const char *text, gsize len)
{
  if (len == 0)
    return;
  if (s->pending_space && s->out->len > 0)
    g_string_append_c (s->out, ' ');
  s->pending_space = FALSE;
  g_string_append_len (s->out, text, len);
}

/* Length of the line break at @p: "\n", "\r\n", or 0. */
static gsize
newline_len (const char *p)
{
  if (p[0] == '\n')
    return 1;
  if (p[0] == '\r' && p[1] == '\n')
    return 2;
  return 0;
}

static void
next_line (Scanner *s, const char *start)
{
  s->line++;
  s->line_start = start;
}

/* @s->p is at '{' or '}' (outside comments). */
static gboolean
scan_brace (Scanner *s, GError **error)
{
  const char *p = s->p;
  const char *name, *close, *eq;
  g_autofree char *normalized = NULL;
  Value *v;

  if (p[0] == '}') {
    if (p[1] != '}') {
      syntax_error (s, error, p, "stray '}' (write '}}' for a literal brace)");
      return FALSE;
    }
    emit (s, "}", 1);
    s->p = p + 2;
    return TRUE;
  }
  if (p[1] == '{') {
    emit (s, "{", 1);
    s->p = p + 2;
    return TRUE;
  }

  name = p + 1;
  for (close = name; *close != '\0' && *close != '}' && *close != '{' &&
      *close != '\n' && *close != '\r'; close++)
    ;
  if (*close == '{') {
    syntax_error (s, error, close, "'{' inside the placeholder that starts at "
        "column %u (write '{{' for a literal brace)", column_of (s, p));
    return FALSE;
  }
  if (*close != '}') {
    syntax_error (s, error, p, "'{' has no closing '}' on its line (write "
        "'{{' for a literal brace)");
    return FALSE;
  }

  eq = memchr (name, '=', close - name);
  if (!key_is_valid_len (name, (eq ? eq : close) - name)) {
    g_autofree char *quoted = quote_part (p, close + 1 - p);

    syntax_error (s, error, p, "'%s' is not a placeholder: its name must "
        "start with a letter or '_' and hold only letters, digits, '-' and "
        "'_' (write '{{' and '}}' for literal braces)", quoted);
    return FALSE;
  }

  normalized = normalize_key (name, (eq ? eq : close) - name);
  v = g_hash_table_lookup (s->tmpl->values, normalized);
  if (v != NULL) {
    v->used = TRUE;
    emit (s, v->value, strlen (v->value));
  } else if (eq != NULL) {
    emit (s, eq + 1, close - (eq + 1));
  } else {
    g_autofree char *quoted = quote_part (name, close - name);

    if (s->missing->len > 0)
      g_string_append_c (s->missing, '\n');
    g_string_append_printf (s->missing, "%s:%u:%u: {%s} has no value: "
        "pass --%s=VALUE or write {%s=DEFAULT}", s->origin, s->line,
        column_of (s, p), quoted, quoted, quoted);
  }
  s->p = close + 1;
  return TRUE;
}

/**
 * hs_template_expand:
 * @self: the values
 * @text: a description
 * @origin: (nullable): what @text came from, for messages (a file name)
 * @flags: how to read @text
 * @error: return location for a #GError in %HS_TEMPLATE_ERROR
 *
 * Turns a description file into a one-line description for
 * gst_parse_launch(): strips comments, joins lines, collapses blanks outside
 * quoted strings, and fills in placeholders. Every placeholder without a
 * value or default is reported, one per line of the message.
 *
 * Returns: (transfer full) (nullable): the description, or %NULL
 */
char *
hs_template_expand (HsTemplate      *self,
                    const char      *text,
                    const char      *origin,
                    HsTemplateFlags  flags,
                    GError         **error)
{
  g_autoptr(GString) out = g_string_new (NULL);
  g_autoptr(GString) missing = g_string_new (NULL);
  Scanner s = {
    .tmpl = self,
    .origin = origin ? origin : "description",
    .p = text,
    .line_start = text,
    .line = 1,
    .out = out,
    .missing = missing,
  };
  gboolean comments = !(flags & HS_TEMPLATE_NO_COMMENTS);
  char quote = 0;
  guint quote_line = 0, quote_column = 0;

  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (text != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  while (*s.p != '\0') {
    const char *p = s.p;
    gsize nl;

    if (p[0] == '{' || p[0] == '}') {
      if (!scan_brace (&s, error))
        return NULL;
      continue;
    }

    if (p[0] == '\\') {
      /* A backslash keeps the next character from opening a string or a
       * comment; gst_parse_launch() removes it. Before a line break it
       * continues the line, as in a shell. */
      if ((nl = newline_len (p + 1)) > 0) {
        if (quote)
          emit (&s, " ", 1);
        else
          s.pending_space = TRUE;
        s.p = p + 1 + nl;
        next_line (&s, s.p);
      } else if (p[1] == '\0') {
        emit (&s, p, 1);
        s.p = p + 1;
      } else {
        emit (&s, p, 2);
        s.p = p + 2;
      }
      continue;
    }

    if ((nl = newline_len (p)) > 0) {
      if (quote)
        emit (&s, " ", 1);
      else
        s.pending_space = TRUE;
      s.p = p + nl;
      next_line (&s, s.p);
      continue;
    }

    if (quote) {
      if (p[0] == quote)
        quote = 0;
      emit (&s, p[0] == '\r' ? " " : p, 1);
      s.p = p + 1;
      continue;
    }

    if (p[0] == '#' && comments) {
      while (*s.p != '\0' && *s.p != '\n')
        s.p++;
      continue;
    }
    if (g_ascii_isspace (p[0])) {
      s.pending_space = TRUE;
      s.p = p + 1;
      continue;
    }
    if ((p[0] == '"' || p[0] == '\'') &&
        (p == text || !g_ascii_isalnum (p[-1]))) {
      quote = p[0];
      quote_line = s.line;
      quote_column = column_of (&s, p);
    }
    emit (&s, p, 1);
    s.p = p + 1;
  }

  if (quote) {
    g_set_error (error, HS_TEMPLATE_ERROR, HS_TEMPLATE_ERROR_SYNTAX,
        "%s:%u:%u: the quoted string that starts here has no closing %c",
        s.origin, quote_line, quote_column, quote);
    return NULL;
  }
  if (missing->len > 0) {
    g_set_error_literal (error, HS_TEMPLATE_ERROR, HS_TEMPLATE_ERROR_MISSING,
        missing->str);
    return NULL;
  }
  /* A value or default may bring blanks to either end; they mean nothing,
   * unless a backslash keeps the last one. */
  while (out->len > 0 && g_ascii_isspace (out->str[out->len - 1]) &&
      !(out->len > 1 && out->str[out->len - 2] == '\\'))
    g_string_truncate (out, out->len - 1);
  return g_strchug (g_string_free (g_steal_pointer (&out), FALSE));
}
