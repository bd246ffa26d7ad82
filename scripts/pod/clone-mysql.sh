#!/usr/bin/env bash
# clone-mysql: a replica without data copies it from the pod before it (a hot backup streamed over the
# clone port), prepares it, and only then moves it into place. A clone that dies half-way leaves only the
# staging directory, which the next attempt deletes, so mysqld never starts on half-copied data.
#
# Also the replica's self-repair: when the sidecar finds that replication cannot resume (the primary no
# longer has the binlogs it needs), it leaves the marker $DATA_ROOT/clone-pending and runs this script;
# the data is moved aside and cloned again. The marker stays until the new data is whole, so an attempt
# cut short anywhere is redone, at the next pod start too.
set -o errexit -o nounset -o pipefail
# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

ordinal=$(pod_ordinal)
data_dir="$DATA_ROOT/$DATA_SUBPATH"
staging="$DATA_ROOT/$DATA_SUBPATH.clone-in-progress"
replaced="$DATA_ROOT/$DATA_SUBPATH.replaced"
marker=$CLONE_MARKER

if [[ -f $marker ]]; then
    # Kept until the clone succeeds: the last data that could not resume, in case someone needs it.
    log "data directory marked for a new clone ($(<"$marker")): moving it aside to $replaced"
    rm -rf "$replaced"
    mkdir -p "$replaced"
    if [[ -d $data_dir ]]; then
        # Its contents, not the directory: it may be a running container's mount (kubelet's subPath).
        move_contents "$data_dir" "$replaced"
    fi
elif [[ -d $data_dir/mysql ]]; then
    log "data directory already holds a database: keeping it"
    exit 0
fi
if ((ordinal == 0)) && [[ -n ${RESTORE_FROM:-} ]]; then
    exec "$(dirname "${BASH_SOURCE[0]}")/restore-mysql.sh"
fi
if ((ordinal == 0)); then
    log "ordinal 0 is the primary: nothing to clone, the server initialises an empty data directory"
    rm -f "$marker"
    exit 0
fi

# By FQDN: the name the donor's certificate is checked against.
donor="${HOSTNAME%-*}-$((ordinal - 1)).$PEER_DOMAIN"
rm -rf "$staging"
mkdir -p "$staging"
log "cloning from $donor:$CLONE_PORT"
started=$EPOCHREALTIME
receive_backup "$donor" | "$STREAM_TOOL" -x -C "$staging"
streamed=$EPOCHREALTIME

# The checkpoints file is written at the very end of a backup: without it the stream was cut short.
info_file checkpoints "$staging" >/dev/null || die "the backup stream from $donor ended before the backup was complete; the next attempt starts over"

"$BACKUP_TOOL" --prepare --target-dir="$staging"
prepared=$EPOCHREALTIME
if [[ -d $data_dir && -f $marker ]]; then
    # Filled in place (the directory may be mounted); the marker, removed last, guards the moves.
    move_contents "$staging" "$data_dir"
    rmdir "$staging"
else
    # kubelet may have created the data subPath as an empty directory; anything else must not be overwritten.
    rmdir "$data_dir" 2>/dev/null || true
    mv "$staging" "$data_dir"
fi
rm -f "$marker"
moved=$EPOCHREALTIME
log "clone from $donor complete: stream $(elapsed "$started" "$streamed") s, prepare $(elapsed "$streamed" "$prepared") s, move $(elapsed "$prepared" "$moved") s"
