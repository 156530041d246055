#!/bin/sh
# Runs a Python example against the built typelib, then decodes what it wrote.
#
#   run-python-example.sh [--skip=REASON] [--gst-only] PYTHON TYPELIB_DIR
#                         EXAMPLE OUTDIR CHECKER SPEC...
#
# Exits 77 (skipped) with --skip, or when PYTHON cannot load Hindsight
# through gi (with --gst-only, for an example that uses the GStreamer
# element: when it cannot load Gst).
# SPDX-License-Identifier: LGPL-2.1-or-later
set -u
case "$1" in
  --skip=*)
    echo "SKIP: ${1#--skip=}"
    exit 77
    ;;
esac
modules="Hindsight"
if [ "$1" = --gst-only ]; then
  modules=""
  shift
fi
python=$1 typelibs=$2 example=$3 outdir=$4 checker=$5
shift 5

GI_TYPELIB_PATH="$typelibs${GI_TYPELIB_PATH:+:$GI_TYPELIB_PATH}"
LD_LIBRARY_PATH="$typelibs${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
export GI_TYPELIB_PATH LD_LIBRARY_PATH

if ! "$python" -c '
import sys
import gi
gi.require_version("Gst", "1.0")
from gi.repository import Gst
for name in sys.argv[1:]:
    gi.require_version(name, "1.0")
    __import__("gi.repository." + name)
' $modules ; then
  echo "SKIP: $python cannot load Gst $modules through gi (python3-gi, gir1.2-gstreamer-1.0)"
  exit 77
fi

rm -rf "$outdir"
echo "# $python $example $outdir"
"$python" "$example" "$outdir"
status=$?
if [ $status -ne 0 ]; then
  echo "not ok: $example exited with $status"
  exit 1
fi
exec "$checker" "$outdir" "$@"
