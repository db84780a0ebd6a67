#!/usr/bin/env bash
# Start a throwaway PostgreSQL 15 cluster on a free port; prints `export …` lines to eval.
set -euo pipefail
PGBIN=/usr/lib/postgresql/15/bin
if [ ! -x "$PGBIN/initdb" ]; then
  apt-get install -y -q --no-install-recommends postgresql-15 >&2
fi
id postgres >/dev/null 2>&1 || useradd --system --home-dir /var/lib/postgresql --shell /bin/bash postgres
DIR=$(mktemp -d /tmp/pgci.XXXXXX); chown postgres:postgres "$DIR"; chmod 700 "$DIR"
PORT=$(python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1]);s.close()')
as_pg() { runuser -u postgres -- "$@"; }
as_pg "$PGBIN/initdb" -D "$DIR/data" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >"$DIR/initdb.log" 2>&1 \
  || { cat "$DIR/initdb.log" >&2; exit 1; }
as_pg "$PGBIN/pg_ctl" -D "$DIR/data" -l "$DIR/server.log" -w -t 30 start \
  -o "-p $PORT -c listen_addresses=127.0.0.1 -c unix_socket_directories=$DIR -c fsync=off -c synchronous_commit=off -c full_page_writes=off" >&2
as_pg "$PGBIN/createdb" -h "$DIR" -p "$PORT" -U postgres app
echo "export PGDATA_DIR=$DIR DATABASE_URL=postgres://postgres@127.0.0.1:$PORT/app"
