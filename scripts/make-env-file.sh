#!/usr/bin/env bash
# Write the local secrets file (default var/kongtun.env) once, with fresh random keys.
#   scripts/make-env-file.sh PATH
# It never overwrites an existing file: FIELD_ENCRYPTION_KEY and BLIND_INDEX_KEY must stay the
# same for the life of the database, or the encrypted national IDs can no longer be read.
set -euo pipefail

target=${1:?usage: make-env-file.sh PATH}
[ -e "$target" ] && exit 0
mkdir -p "$(dirname "$target")"

"${PYTHON:-python3}" - "$target" <<'PY'
import os
import secrets
import sys

path = sys.argv[1]
text = (
    "# Generated once by `make run`. Keep it, and back it up with the database: without\n"
    "# FIELD_ENCRYPTION_KEY and BLIND_INDEX_KEY the stored national IDs cannot be read.\n"
    "# Real environment variables override these lines (see .env.example).\n"
    f"SECRET_KEY={secrets.token_urlsafe(50)}\n"
    f"FIELD_ENCRYPTION_KEY={secrets.token_urlsafe(32)}\n"
    f"BLIND_INDEX_KEY={secrets.token_urlsafe(32)}\n"
)
# O_EXCL: if another process wrote the file meanwhile, keep theirs.
try:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
except FileExistsError:
    sys.exit(0)
with os.fdopen(fd, "w", encoding="utf-8") as fh:
    fh.write(text)
print(f"Wrote new secret keys to {path}")
PY
