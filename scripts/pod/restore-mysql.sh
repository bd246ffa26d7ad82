#!/usr/bin/env bash
# restore-mysql: run by clone-mysql on mysql-0 when `restoreFrom` names a backup and the data directory is
# empty. Checks the backup against its checksums, copies it (already prepared) into the clone's staging
# directory and renames it into place, as a clone does, so mysqld never starts on half-copied data. The
# flavor's statements that make the restored primary's GTID state continue the backup's are left in the
# data directory for the sidecar to run once (restore-finish.sh).
set -o errexit -o nounset -o pipefail
# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

data_dir="$DATA_ROOT/$DATA_SUBPATH"
staging="$DATA_ROOT/$DATA_SUBPATH.clone-in-progress"
backup="$BACKUPS_DIR/$RESTORE_FROM"

[[ -f $backup/MANIFEST ]] || die "no complete backup '$RESTORE_FROM' on the backup volume (it has no MANIFEST): set \`restoreFrom\` to one that \`ls $BACKUPS_DIR\` lists"
# A manifest value by key.
manifest() {
    key_value "$backup/MANIFEST" "$1"
}
[[ $(manifest format) == prepared ]] || die "backup '$RESTORE_FROM' is not a prepared backup"
read -r digest _ < <(sha256sum "$backup/SHA256SUMS")
[[ $digest == "$(manifest sha256sums)" ]] || die "backup '$RESTORE_FROM': SHA256SUMS does not match its MANIFEST"
log "checking backup $RESTORE_FROM against its checksums"
(cd "$backup/data" && sha256sum --quiet --strict --check ../SHA256SUMS) || die "backup '$RESTORE_FROM' is damaged: a file does not match its checksum"

rm -rf "$staging"
mkdir -p "$staging"
log "restoring backup $RESTORE_FROM (position file='$(manifest binlog_file)' pos='$(manifest binlog_pos)' gtid='$(manifest gtid)')"
cp -a "$backup/data/." "$staging/"
# The backup's info files describe the old cluster's replication: mysql-0 is a primary.
for prefix in $BACKUP_INFO_PREFIXES; do
    rm -f "$staging/${prefix}_slave_info" "$staging/${prefix}_binlog_info"
done
if [[ -n $RESTORE_SQL ]]; then
    gtid=$(manifest gtid)
    sql=${RESTORE_SQL//\{gtid\}/"$(sql_string "$gtid")"}
    printf '%s\n' "$sql" >"$staging/restore.sql.pending"
fi
rmdir "$data_dir" 2>/dev/null || true
mv "$staging" "$data_dir"
log "restore of $RESTORE_FROM complete"
