#!/usr/bin/env bash
# restore-mysql: run by clone-mysql on mysql-0 when `restoreFrom` names a backup and the data directory is
# empty. Checks the backup against its checksums, copies it (already prepared) into the clone's staging
# directory and renames it into place, as a clone does, so mysqld never starts on half-copied data. The
# flavor's statements that make the restored primary's GTID state continue the backup's are left in the
# data directory for the sidecar to run once (restore-finish.sh). A backup the backup volume does not hold
# (or no backup volume at all) is downloaded from the bucket (backupS3Bucket) onto the data volume first,
# if the bucket holds it whole (its MANIFEST is there), and checked the same way.
set -o errexit -o nounset -o pipefail
# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
report_exit

data_dir="$DATA_ROOT/$DATA_SUBPATH"
staging="$DATA_ROOT/$DATA_SUBPATH.clone-in-progress"
backup="$BACKUPS_DIR/$RESTORE_FROM"
download="$DATA_ROOT/restore-download"

# A case, not an if: tests/scriptCommands.ts then knows that a container without a bucket never runs rclone.
case ${OBJECT_STORE_BUCKET:-} in
"") ;;
*)
    # The backup volume's copy first: no download when it is there.
    if [[ ! -f $backup/MANIFEST ]]; then
        object_store_remote
        remote=$OBJECT_STORE_REMOTE
        mapfile -t stored < <(object_store_backups "$remote")
        printf '%s\n' "${stored[@]}" | grep -qxF -- "$RESTORE_FROM" ||
            die "no complete backup '$RESTORE_FROM' in $remote/ (it has no MANIFEST there); the complete ones are: ${stored[*]:-none}. Set \`restoreFrom\` to one of them."
        log "downloading backup $RESTORE_FROM from $remote/$RESTORE_FROM/"
        report phase=downloading
        rm -rf "$download"
        started=$EPOCHREALTIME
        "$RCLONE" copy "$remote/$RESTORE_FROM" "$download"
        read -r bytes _ < <(du -sb "$download")
        log "backup $RESTORE_FROM downloaded: $bytes bytes in $(elapsed "$started" "$EPOCHREALTIME") s"
        backup=$download
    fi
    ;;
esac
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

if [[ -f $backup/DIRECTORIES ]]; then
    read -r digest _ < <(sha256sum "$backup/DIRECTORIES")
    [[ $digest == "$(manifest directories)" ]] || die "backup '$RESTORE_FROM': DIRECTORIES does not match its MANIFEST"
fi

rm -rf "$staging"
log "restoring backup $RESTORE_FROM (position file='$(manifest binlog_file)' pos='$(manifest binlog_pos)' gtid='$(manifest gtid)')"
position="$(manifest binlog_file || true):$(manifest binlog_pos || true)"
gtid=$(manifest gtid)
report phase=restoring position="$position${gtid:+ $gtid}"
if [[ $backup == "$download" ]]; then
    # Downloaded onto this volume: moved, not copied.
    mv "$download/data" "$staging"
else
    mkdir -p "$staging"
    cp -a "$backup/data/." "$staging/"
fi
# Object storage keeps no empty directories (a database without tables is one).
if [[ -f $backup/DIRECTORIES ]]; then
    while read -r dir; do
        mkdir -p "$staging/$dir"
    done <"$backup/DIRECTORIES"
fi
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
rm -rf "$download"
log "restore of $RESTORE_FROM complete"
report phase=restored position="$position${gtid:+ $gtid}"
