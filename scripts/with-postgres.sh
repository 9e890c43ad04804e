#!/usr/bin/env bash
# Run a command against a throwaway PostgreSQL 15 server, then stop it and delete its data.
#   scripts/with-postgres.sh .venv/bin/pytest -q
# The server listens on 127.0.0.1 only, on a free port, with trust authentication (it lives
# only as long as the command). The command gets
#   DATABASE_URL=postgres://postgres@127.0.0.1:PORT/kongtun
# and this script exits with the command's exit code.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
python=${PYTHON:-python3}

# --- Binaries: $PG_BINDIR, else pg_config's, else Debian's PostgreSQL 15.
bindir=${PG_BINDIR:-}
if [ -z "$bindir" ] && command -v pg_config >/dev/null; then
    bindir=$(pg_config --bindir)
fi
if [ ! -x "$bindir/initdb" ]; then
    bindir=/usr/lib/postgresql/15/bin
fi
if [ ! -x "$bindir/initdb" ]; then
    echo "with-postgres: no initdb found; install postgresql-15 (apt-get install postgresql-15)" >&2
    exit 1
fi

# --- Run the server as `postgres` when we are root (initdb and postgres refuse root).
as_pg=()
if [ "$(id -u)" -eq 0 ]; then
    as_pg=(runuser -u postgres --)
fi
pg() { (cd / && "${as_pg[@]}" "$@"); }

dir=
started=
cleanup() {
    local rc=$?
    if [ -n "$started" ]; then
        pg "$bindir/pg_ctl" -D "$dir/data" -m immediate -w stop >/dev/null 2>&1 || true
    fi
    [ -n "$dir" ] && rm -rf "$dir"
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# --- A private directory for data, socket and log: under var/, unless the server's user cannot
# reach it there (a checkout under /root) or the socket path would be too long; then /tmp.
mkdir -p "$root/var"
dir=$(mktemp -d "$root/var/postgres.XXXXXX")
[ "${#as_pg[@]}" -gt 0 ] && chown postgres: "$dir"
if ! pg test -w "$dir" || [ "${#dir}" -gt 80 ]; then
    rmdir "$dir"
    dir=$(mktemp -d /tmp/kongtun-postgres.XXXXXX)
    [ "${#as_pg[@]}" -gt 0 ] && chown postgres: "$dir"
fi
chmod 700 "$dir"

t0=$(date +%s%N)
pg "$bindir/initdb" -D "$dir/data" -U postgres --auth=trust --encoding=UTF8 --locale=C.UTF-8 \
    --no-instructions >"$dir/initdb.log" 2>&1 || { cat "$dir/initdb.log" >&2; exit 1; }

# Pick a free port; if another process grabs it before the server binds, try another.
for attempt in 1 2 3; do
    port=$("$python" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])')
    if pg "$bindir/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 -s \
        -o "-c listen_addresses=127.0.0.1 -p $port -k $dir -c shared_buffers=128MB" start; then
        started=1
        break
    fi
    [ "$attempt" -eq 3 ] && { tail -n 30 "$dir/server.log" >&2; exit 1; }
done
"$bindir/createdb" -h 127.0.0.1 -p "$port" -U postgres kongtun
echo "with-postgres: $("$bindir/postgres" --version) on 127.0.0.1:$port," \
    "ready in $(( ($(date +%s%N) - t0) / 1000000 )) ms"

export DATABASE_URL="postgres://postgres@127.0.0.1:$port/kongtun"
set +e
"$@"
rc=$?
set -e
if [ "$rc" -ne 0 ]; then
    echo "with-postgres: command exited $rc; last lines of the server log:" >&2
    tail -n 20 "$dir/server.log" >&2
fi
exit "$rc"
