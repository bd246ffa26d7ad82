#!/usr/bin/env bash
# restore-mysql: run by clone-mysql on mysql-0 when `restoreFrom` names a backup and the data directory is
# empty. Checks the backup against its checksums, copies it (already prepared) into the clone's staging
# directory and renames it into place, as a clone does, so mysqld never starts on half-copied data. The
# flavor's statements that make the restored primary's GTID state continue the backup's are left in the
# data directory for the sidecar to run once (restore-finish.sh). A backup the backup volume does not hold
# (or no backup volume at all) is downloaded from the bucket (backupS3Bucket) onto the data volume first,
# if the bucket holds it whole (its MANIFEST is there), and checked the same way.
#
# `restoreFrom` a UTC time (2026-12-07T14:05:00Z): the newest backup in the bucket that finished before it,
# and the binlogs shipped for the backup's timeline (binlog-ship.sh), numbered without a gap through the
# last one shipped. Here, in the backup's image, the flavor's binlog tool (BINLOG_TOOL) reads the oldest
# file's starting GTID state and decodes the binlogs after the backup's position up to the time into SQL
# text, $DATA_ROOT/restore-binlogs.sql; the binlogs go. The backup is staged as above but not moved into
# place: $DATA_ROOT/restore-staged names it, with that state, for the replay-binlogs init container
# (replay-binlogs.sh, in the server's image, which need not have the tool: mysql:8.4 has no mysqlbinlog),
# which pipes the SQL into a server of its own on the staged copy and only then moves it into place. A time
# before the first backup, a timeline with a gap, or a time after what is shipped is refused with what the
# bucket holds, and nothing is moved into place.
set -o errexit -o nounset -o pipefail
# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
report_exit
export TZ=UTC
# For the figure in the last line: the log's times are whole seconds, too coarse for a small restore.
restore_started=$EPOCHREALTIME

data_dir="$DATA_ROOT/$DATA_SUBPATH"
staging="$DATA_ROOT/$DATA_SUBPATH.clone-in-progress"
download="$DATA_ROOT/restore-download"
binlogs="$DATA_ROOT/restore-binlogs"
decoded="$DATA_ROOT/restore-binlogs.sql"
staged="$DATA_ROOT/restore-staged"
name=$RESTORE_FROM
target_time=""
if [[ $RESTORE_FROM =~ ^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z$ ]]; then
    target_time=$RESTORE_FROM
    [[ -n ${OBJECT_STORE_BUCKET:-} ]] || die "restoreFrom is a time ($target_time), which needs the bucket's backups and binlogs: set backupS3Bucket"
fi

# An earlier attempt's hand-over to the replay (its decoded binlogs, and its mark that a replay began) no
# longer holds: the staging directory is made anew below.
rm -f "$staged" "$staged.replaying" "$decoded" "$decoded.tmp"

# The GTID state the oldest binlog file $1 starts from: group 1 of BINLOG_FIRST_STATE_PATTERN in the tool's
# print of its first events, continuation prefixes removed; empty when it does not match.
first_state() {
    local header
    header=$("$BINLOG_TOOL" --stop-position=4096 "$1" 2>/dev/null) || true
    [[ $header =~ $BINLOG_FIRST_STATE_PATTERN ]] || return 0
    printf '%s' "${BASH_REMATCH[1]//$'\n'# /}"
}

# A case, not an if: tests/scriptCommands.ts then knows that a container without a bucket never runs rclone.
case ${OBJECT_STORE_BUCKET:-} in
"") ;;
*)
    object_store_remote
    remote=$OBJECT_STORE_REMOTE
    mapfile -t stored < <(object_store_backups "$remote")
    if [[ -n $target_time ]]; then
        # The newest backup that finished before the time, by its MANIFEST (times in UTC sort as text).
        manifests="$DATA_ROOT/restore-manifests"
        rm -rf "$manifests"
        mkdir -p "$manifests"
        name="" oldest=""
        for candidate in "${stored[@]}"; do
            "$RCLONE" copyto "$remote/$candidate/MANIFEST" "$manifests/$candidate"
            finished=$(key_value "$manifests/$candidate" finished) || finished=""
            [[ -n $oldest ]] || oldest="$candidate (finished $finished)"
            [[ -n $finished && ! $finished > $target_time ]] && name=$candidate
        done
        [[ ${#stored[@]} -gt 0 ]] || die "no complete backup in $remote/ to restore $target_time from: a restore to a time starts from a backup taken before it"
        [[ -n $name ]] || die "no backup finished before $target_time: the oldest backup in $remote/ is $oldest. Choose a later time."
        timeline=$(key_value "$manifests/$name" timeline) || timeline=""
        backup_gtid=$(key_value "$manifests/$name" gtid) || backup_gtid=""
        [[ -n $timeline ]] || die "backup $name (the newest before $target_time) records no binlog timeline: binlogs were not shipped when it was taken. Restore it by name (restoreFrom: $name) or choose a time after a later backup."
        [[ -n $backup_gtid ]] || die "backup $name records no GTID position to replay the binlogs from; restore it by name (restoreFrom: $name)."
        "$RCLONE" copyto "$remote/binlogs/$timeline/SHIPPED" "$manifests/SHIPPED" 2>/dev/null ||
            die "no binlogs shipped for timeline $timeline (no $remote/binlogs/$timeline/SHIPPED): the newest state is backup $name; restore it by name (restoreFrom: $name)."
        through=$(key_value "$manifests/SHIPPED" through)
        last_file=$(key_value "$manifests/SHIPPED" last_file)
        [[ ! $target_time > $through ]] ||
            die "$target_time is after what is shipped: binlogs shipped through $through (timeline $timeline, up to $last_file). Choose a time up to $through."
        log "restoring to $target_time: backup $name (GTID $backup_gtid), then the binlogs of timeline $timeline (shipped through $through)"
        rm -rf "$binlogs"
        started=$EPOCHREALTIME
        "$RCLONE" copy --exclude /SHIPPED "$remote/binlogs/$timeline" "$binlogs"
        read -r bytes _ < <(du -sb "$binlogs")
        log "binlogs of $timeline downloaded: $bytes bytes in $(elapsed "$started" "$EPOCHREALTIME") s"
    else
        # The backup volume's copy first: no download when it is there.
        [[ -f $BACKUPS_DIR/$name/MANIFEST ]] ||
            printf '%s\n' "${stored[@]}" | grep -qxF -- "$name" ||
            die "no complete backup '$name' in $remote/ (it has no MANIFEST there); the complete ones are: ${stored[*]:-none}. Set \`restoreFrom\` to one of them."
    fi
    if [[ ! -f $BACKUPS_DIR/$name/MANIFEST ]]; then
        log "downloading backup $name from $remote/$name/"
        report phase=downloading
        rm -rf "$download"
        started=$EPOCHREALTIME
        "$RCLONE" copy "$remote/$name" "$download"
        read -r bytes _ < <(du -sb "$download")
        log "backup $name downloaded: $bytes bytes in $(elapsed "$started" "$EPOCHREALTIME") s"
    fi
    ;;
esac
backup="$BACKUPS_DIR/$name"
[[ -f $backup/MANIFEST || ! -d $download ]] || backup=$download

# A restore to a time: the binlog files, numbered without a gap through the last one shipped; the replay
# checks that the oldest starts within the backup's GTID state.
if [[ -n $target_time ]]; then
    binlog_files "$binlogs"
    ((${#files[@]} > 0)) || die "timeline $timeline has no binlog file in $remote/binlogs/$timeline/"
    previous=""
    for file in "${files[@]}"; do
        number=$((10#${file##*.}))
        [[ -z $previous || $number -eq $((previous + 1)) ]] ||
            die "the binlogs of timeline $timeline have a gap: ${file##*/} follows number $previous in $remote/binlogs/$timeline/; the data can be restored up to the end of the file before the gap, or to backup $name by name."
        previous=$number
    done
    last=${files[${#files[@]} - 1]}
    ((10#${last##*.} >= 10#${last_file##*.})) ||
        die "timeline $timeline: SHIPPED names $last_file but the bucket's last binlog is ${last##*/}; the files after it are missing"
fi
[[ -f $backup/MANIFEST ]] || die "no complete backup '$name' on the backup volume (it has no MANIFEST): set \`restoreFrom\` to one that \`ls $BACKUPS_DIR\` lists"
# A manifest value by key.
manifest() {
    key_value "$backup/MANIFEST" "$1"
}
[[ $(manifest format) == prepared ]] || die "backup '$name' is not a prepared backup"
read -r digest _ < <(sha256sum "$backup/SHA256SUMS")
[[ $digest == "$(manifest sha256sums)" ]] || die "backup '$name': SHA256SUMS does not match its MANIFEST"
log "checking backup $name against its checksums"
(cd "$backup/data" && sha256sum --quiet --strict --check ../SHA256SUMS) || die "backup '$name' is damaged: a file does not match its checksum"

if [[ -f $backup/DIRECTORIES ]]; then
    read -r digest _ < <(sha256sum "$backup/DIRECTORIES")
    [[ $digest == "$(manifest directories)" ]] || die "backup '$name': DIRECTORIES does not match its MANIFEST"
fi

rm -rf "$staging"
log "restoring backup $name (position file='$(manifest binlog_file)' pos='$(manifest binlog_pos)' gtid='$(manifest gtid)')"
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
if [[ -n $target_time ]]; then
    # Decoded here, where the flavor's binlog tool is (the backup's image): the server's image need not have
    # it. A case, not an if: tests/scriptCommands.ts then knows that only a restore to a time runs the tool.
    case ${BINLOG_TOOL:-} in
    "") die "restoreFrom is a time ($target_time), but this flavor's binlogs are not replayed (no binlog tool): restore backup $name by name (restoreFrom: $name)" ;;
    *)
        first=$(first_state "${files[0]}")
        read -r bytes _ < <(du -sb "$binlogs")
        started=$EPOCHREALTIME
        stop=${target_time/T/ }
        "$BINLOG_TOOL" "$BINLOG_SKIP_BACKUP_OPTION=$backup_gtid" --stop-datetime="${stop%Z}" "${files[@]}" >"$decoded.tmp" ||
            die "decoding the binlogs of timeline $timeline with $BINLOG_TOOL failed; nothing was moved into place"
        mv "$decoded.tmp" "$decoded"
        rm -rf "$binlogs"
        read -r size _ < <(du -b "$decoded")
        log "binlogs of timeline $timeline decoded from backup $name's position up to $target_time: ${#files[@]} files of $bytes bytes into $size bytes of SQL (${decoded##*/}) in $(elapsed "$started" "$EPOCHREALTIME") s"
        ;;
    esac
    # Handed over whole (written, then renamed): the replay-binlogs container replays and moves into place.
    printf 'backup=%s\ntimeline=%s\ngtid=%s\ntime=%s\nposition=%s\nfirst=%s\nfiles=%s\nfirst_file=%s\n' "$name" "$timeline" "$backup_gtid" \
        "$target_time" "$position" "$first" "${#files[@]}" "${files[0]##*/}" >"$staged.tmp"
    mv "$staged.tmp" "$staged"
    rm -rf "$download" "$manifests"
    log "backup $name staged for the replay of timeline $timeline up to $target_time (the replay-binlogs container)"
    report phase=staged position="$position${gtid:+ $gtid}"
    exit 0
fi
if [[ -n $RESTORE_SQL ]]; then
    sql=${RESTORE_SQL//\{gtid\}/"$(sql_string "$gtid")"}
    printf '%s\n' "$sql" >"$staging/restore.sql.pending"
fi
rmdir "$data_dir" 2>/dev/null || true
mv "$staging" "$data_dir"
rm -rf "$download" "$binlogs" "${manifests:-$download}"
log "restore of $RESTORE_FROM complete in $(elapsed "$restore_started" "$EPOCHREALTIME") s"
report phase=restored position="$position${gtid:+ $gtid}"
