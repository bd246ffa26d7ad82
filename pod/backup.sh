#!/usr/bin/env bash
# backup: the pod of the scheduled backup Job. Streams a hot backup from a replica's clone port (mutual TLS
# with the cluster's certificate, as a clone does), unpacks it into <name>.partial on the backup volume,
# checks that it is complete, prepares it, writes its checksums and a manifest (binlog/GTID position, size,
# times), renames it to <name>, and only then deletes the backups beyond the retention count. Any failure
# exits non-zero before the rename, so a failed or partial backup never replaces or removes a good one.
# With a bucket (backupS3Bucket) the backup is then uploaded to PREFIX/<name>/: the data and SHA256SUMS, a
# check of every uploaded object against the local files, and the MANIFEST last; a backup without its
# MANIFEST in the bucket is not a backup (restores and retention ignore it), so an upload cut short never
# replaces or removes a good one there either. Retention in the bucket works as on the volume.
set -o errexit -o nounset -o pipefail
# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
shopt -s nullglob

# Names sort by time, in UTC whatever the node's zone.
export TZ=UTC
started_epoch=$EPOCHSECONDS
name=$(printf '%(%Y%m%dT%H%M%SZ)T' "$started_epoch")
started=$(printf '%(%Y-%m-%dT%H:%M:%SZ)T' "$started_epoch")
staging="$BACKUPS_DIR/$name.partial"
target="$BACKUPS_DIR/$name"
[[ ! -e $target && ! -e $staging ]] || die "$target exists already: one backup at a time"
mkdir -p "$staging/data"

log "backing up $DONOR_HOST:$CLONE_PORT into $staging"
receive_backup "$DONOR_HOST" | "$STREAM_TOOL" -x -C "$staging/data"

# As in clone-mysql: the checkpoints file is written last; without it the stream was cut short.
info_file checkpoints "$staging/data" >/dev/null || die "the backup stream from $DONOR_HOST ended before the backup was complete"

# The position of the backup: a replica donor's, the primary's coordinates (what a restore continues
# from); a primary donor's, its own.
read_position "$staging/data" || true
binlog_file=$POSITION_FILE binlog_pos=$POSITION_POS gtid=$POSITION_GTID position_source=$POSITION_SOURCE

"$BACKUP_TOOL" --prepare --target-dir="$staging/data"

# One checksum per file, in name order (bash globs sort), relative to data/: `sha256sum -c` checks them.
(
    cd "$staging/data"
    shopt -s globstar dotglob
    entries=()
    for entry in **; do
        [[ -f $entry && ! -L $entry ]] && entries+=("$entry")
    done
    ((${#entries[@]} > 0)) || die "the prepared backup holds no file"
    sha256sum -- "${entries[@]}"
) >"$staging/SHA256SUMS"
# Every directory, empty ones too (a database without tables is one): object storage keeps only files.
(cd "$staging/data" && find . -mindepth 1 -type d) >"$staging/DIRECTORIES"
read -r sums_digest _ < <(sha256sum "$staging/SHA256SUMS")
read -r dirs_digest _ < <(sha256sum "$staging/DIRECTORIES")
read -r bytes _ < <(du -sb "$staging/data")
file_count=0
while read -r _; do file_count=$((file_count + 1)); done <"$staging/SHA256SUMS"

# With binlog shipping (binlog-ship.sh), the timeline the primary ships now: this cluster's newest in the
# bucket. The backup's GTID position (the primary's, read from the donor) is where a restore to a time
# starts replaying that timeline's binlogs.
timeline="" cluster_uid=${CLUSTER_UID:-}
case ${OBJECT_STORE_BUCKET:-} in
"") ;;
*)
    object_store_remote
    if [[ -n $cluster_uid ]]; then
        while read -r dir; do
            dir=${dir%/}
            [[ $dir == *"-${cluster_uid:0:8}" && $dir > $timeline ]] && timeline=$dir
        done < <("$RCLONE" lsf --dirs-only "$OBJECT_STORE_REMOTE/binlogs/" 2>/dev/null || true)
    fi
    ;;
esac

cat >"$staging/MANIFEST.tmp" <<MANIFEST
name=$name
format=prepared
tool=$BACKUP_TOOL
donor=$DONOR_HOST
started=$started
started_epoch=$started_epoch
finished=$(printf '%(%Y-%m-%dT%H:%M:%SZ)T' -1)
binlog_file=$binlog_file
binlog_pos=$binlog_pos
gtid=$gtid
position_source=${position_source##*/}
timeline=$timeline
bytes=$bytes
files=$file_count
sha256sums=$sums_digest
directories=$dirs_digest
MANIFEST
mv "$staging/MANIFEST.tmp" "$staging/MANIFEST"
sync
mv "$staging" "$target"
log "backup $name complete: $bytes bytes in $file_count files, position file='$binlog_file' pos='$binlog_pos' gtid='$gtid'"

# The shipped binlogs no kept backup needs: this cluster's timelines older than the oldest kept backup's
# (and none of a kept backup), and, in that backup's timeline, the files shipped more than an hour before
# it started (its position, a replica's, is never that far behind). Other clusters' timelines are theirs.
prune_binlogs() {
    local remote=$1 oldest oldest_timeline oldest_epoch dir keep kept_name kept
    [[ -n $cluster_uid ]] || return 0
    mapfile -t kept < <(object_store_backups "$remote")
    ((${#kept[@]} > 0)) || return 0
    oldest=$("$RCLONE" cat "$remote/${kept[0]}/MANIFEST")
    oldest_timeline=$(key_value <(printf '%s\n' "$oldest") timeline) || oldest_timeline=""
    oldest_epoch=$(key_value <(printf '%s\n' "$oldest") started_epoch) || oldest_epoch=""
    [[ -n $oldest_timeline && -n $oldest_epoch ]] || return 0
    while read -r dir; do
        dir=${dir%/}
        [[ $dir == *"-${cluster_uid:0:8}" && $dir < $oldest_timeline ]] || continue
        keep=false
        for kept_name in "${kept[@]}"; do
            "$RCLONE" cat "$remote/$kept_name/MANIFEST" | grep -x "timeline=$dir" >/dev/null && keep=true
        done
        if [[ $keep == false ]]; then
            log "pruning the binlog timeline $dir: no kept backup starts in it"
            "$RCLONE" purge "$remote/binlogs/$dir"
        fi
    done < <("$RCLONE" lsf --dirs-only "$remote/binlogs/" 2>/dev/null || true)
    "$RCLONE" delete --min-age "$(printf '%(%Y-%m-%dT%H:%M:%SZ)T' $((oldest_epoch - 3600)))" \
        --exclude /SHIPPED "$remote/binlogs/$oldest_timeline/"
}

# A case, not an if: tests/scriptCommands.ts then knows that a container without a bucket never runs rclone.
case ${OBJECT_STORE_BUCKET:-} in
"") ;;
*)
    remote=$OBJECT_STORE_REMOTE
    log "uploading backup $name to $remote/$name/"
    upload_started=$EPOCHREALTIME
    "$RCLONE" copy --no-traverse "$target/data" "$remote/$name/data"
    "$RCLONE" copyto "$target/SHA256SUMS" "$remote/$name/SHA256SUMS"
    "$RCLONE" copyto "$target/DIRECTORIES" "$remote/$name/DIRECTORIES"
    # Every object against its local file (size and MD5): what the MANIFEST will vouch for is in the bucket.
    "$RCLONE" check --quiet --one-way "$target/data" "$remote/$name/data" ||
        die "the upload of backup $name to the bucket does not match the local backup; the bucket's good backups are untouched"
    "$RCLONE" copyto "$target/MANIFEST" "$remote/$name/MANIFEST"
    log "backup $name uploaded: $bytes bytes in $(elapsed "$upload_started" "$EPOCHREALTIME") s"

    mapfile -t stored < <(object_store_backups "$remote")
    for ((i = 0; i < ${#stored[@]} - BACKUP_RETENTION; i++)); do
        [[ ${stored[i]} != "$name" ]] || continue
        log "pruning ${stored[i]} in the bucket (keeping $BACKUP_RETENTION)"
        # The MANIFEST first: from then on the rest is a partial upload, never a good backup.
        "$RCLONE" deletefile "$remote/${stored[i]}/MANIFEST"
        "$RCLONE" purge "$remote/${stored[i]}"
    done
    # Uploads older than this backup that never got their MANIFEST were cut short (binlogs/ is no upload).
    while read -r dir; do
        dir=${dir%/}
        if [[ $dir != binlogs && $dir < $name ]] && ! printf '%s\n' "${stored[@]}" | grep -qxF -- "$dir"; then
            log "removing $dir from the bucket, left by an upload that did not finish"
            "$RCLONE" purge "$remote/$dir"
        fi
    done < <("$RCLONE" lsf --dirs-only "$remote")
    prune_binlogs "$remote"
    ;;
esac

# Good backups are directories with a MANIFEST; names sort by time. The newest ones are kept, this one
# among them (the retention is at least 1). Staging directories older than this backup are left-overs of
# killed backups (a killed pod cannot clean up); newer ones belong to a backup still running.
good=()
for dir in "$BACKUPS_DIR"/*/; do
    dir=${dir%/}
    [[ $dir != *.partial && -f $dir/MANIFEST ]] && good+=("$dir")
done
for ((i = 0; i < ${#good[@]} - BACKUP_RETENTION; i++)); do
    [[ ${good[i]} != "$target" ]] || continue
    log "pruning ${good[i]##*/} (keeping $BACKUP_RETENTION)"
    rm -rf "${good[i]}"
done
for dir in "$BACKUPS_DIR"/*.partial; do
    if [[ ${dir##*/} < $name ]]; then
        log "removing ${dir##*/}, left by a backup that did not finish"
        rm -rf "$dir"
    fi
done
