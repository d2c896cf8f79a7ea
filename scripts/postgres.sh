#!/usr/bin/env bash
# Starts a throwaway PostgreSQL (Debian's `postgresql`, installed by setup.sh) on 127.0.0.1:55432
# for the merchant service's tests, and prints its DATABASE_URL. `scripts/postgres.sh stop` stops it.
set -euo pipefail
bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
dir=${PASARELA_PG_DIR:-/tmp/pasarela-pg}
port=${PASARELA_PG_PORT:-55432}
as() { if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
if [ "${1:-}" = stop ]; then as "$bin/pg_ctl" -D "$dir/data" -m immediate stop >/dev/null 2>&1 || true; exit 0; fi
as "$bin/pg_ctl" -D "$dir/data" -m immediate stop >/dev/null 2>&1 || true
rm -rf "$dir"; mkdir -p "$dir"
[ "$(id -u)" -eq 0 ] && chown postgres "$dir"
as "$bin/initdb" -D "$dir/data" -A trust -U pasarela >/dev/null
as "$bin/pg_ctl" -D "$dir/data" -l "$dir/log" -w -o "-p $port -k $dir -c listen_addresses=127.0.0.1 -c fsync=off" start >/dev/null
echo "postgres://pasarela@127.0.0.1:$port/postgres"
