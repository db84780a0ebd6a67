#!/usr/bin/env bash
# Stop and remove a cluster started by pg_up.sh.
set -euo pipefail
DIR=${1:?data dir}
runuser -u postgres -- /usr/lib/postgresql/15/bin/pg_ctl -D "$DIR/data" -m fast -w stop >&2 || true
rm -rf "$DIR"
