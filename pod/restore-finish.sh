#!/usr/bin/env bash
# restore-finish: run by the sidecar of mysql-0 before it serves clones. After a restore, runs once the
# flavor's statements restore-mysql.sh left (the restored primary's GTID state continues the backup's, so
# the replicas that clone from it can replicate), retried until they succeed, then marked applied; the
# marker lives in the data directory, so a restarted container never runs them twice.
set -o errexit -o nounset -o pipefail
# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

pending="$DATA_DIR/restore.sql.pending"
[[ -f $pending ]] || exit 0
log "waiting for mysqld to finish the restore"
wait_for_mysqld
until sql <"$pending"; do
    log "the restore's statements failed; retrying in 5 s"
    sleep 5
done
mv "$pending" "$DATA_DIR/restore.sql.applied"
log "restore finished: GTID state set from the backup"
