#!/usr/bin/env bash
# Readiness probe of the xtrabackup sidecar: succeeds once something listens on the clone port. It reads
# /proc instead of connecting, because a connection would start a backup.
set -o errexit -o nounset -o pipefail

port=$(printf '%04X' "$CLONE_PORT")
for table in /proc/net/tcp /proc/net/tcp6; do
    [[ -r $table ]] || continue
    # Columns: sl local_address rem_address st ...; state 0A is LISTEN.
    while read -r _ local _ state _; do
        [[ $local == *":$port" && $state == 0A ]] && exit 0
    done <"$table"
done
exit 1
