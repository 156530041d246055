/* hindsight-launch: what hs-launch-settings.c (the options and their
 * values) and hs-launch-recorders.c (the recorders made from them) share.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include "hs-launch.h"

typedef enum {
  VALUE_SECONDS,                /* 0 or more */
  VALUE_DAYS,                   /* 0 or more */
  VALUE_SIZE,                   /* bytes, K, M, G or T (of 1024) */
  VALUE_UINT,
  VALUE_TEXT,
  VALUE_FLAG,                   /* no argument on the command line */
} ValueKind;

typedef struct {
  const char *name;             /* long option and key of the file */
  char short_name;
  const char *property;         /* of HsMultiRecorder; NULL: the service's */
  ValueKind kind;
  const char *description;
  const char *arg;
} OptionSpec;

typedef struct {
  const OptionSpec *spec;
  char *text;                   /* NULL: a flag given on the command line */
  char *where;                  /* "--pre", "cam.conf:4: 'pre'" */
} Value;

typedef struct {
  char *pattern;                /* tee name or pattern; NULL: every source */
  GHashTable *values;           /* option name → Value */
} Group;

struct _HsLaunchSettings {
  Group *cli_all;               /* before any --record */
  GPtrArray *cli_groups;        /* Group, one per --record */
  Group *file_all;              /* [defaults] */
  GPtrArray *file_groups;       /* Group, one per [source NAME] */
  GHashTable *cli_service;      /* option name → Value */
  GHashTable *file_service;
  char *config;
};

const OptionSpec *hs_launch_recording_options (gsize *n);

gboolean hs_launch_value_check      (const Value   *v,
                                     GError       **error);
gboolean hs_launch_value_to_gvalue  (GObjectClass  *klass,
                                     const Value   *v,
                                     GValue        *value,
                                     GError       **error);
