#!/usr/bin/env bash
# Create the virtual environment DIR with Python 3.11: scripts/make-venv.sh DIR
# On Debian the venv module lives in a separate package; as root, install it if it is missing.
set -euo pipefail

dir=${1:?usage: make-venv.sh DIR}
python=${PYTHON:-python3.11}
here=$(dirname "$0")

if ! command -v "$python" >/dev/null || ! "$python" -c 'import ensurepip, venv' 2>/dev/null; then
    bash "$here/apt-ensure.sh" python3.11 python3.11-venv
    python=$(command -v "$python" || echo /usr/bin/python3.11)
fi
"$python" -c 'import sys; assert sys.version_info[:2] == (3, 11), sys.version' ||
    { echo "$python is not Python 3.11" >&2; exit 1; }
rm -rf "$dir"
"$python" -m venv "$dir"
