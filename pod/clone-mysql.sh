#!/usr/bin/env bash
# clone-mysql: a replica without data copies it from a donor that is Ready (a hot backup streamed over the
# clone port), prepares it, and only then moves it into place. A clone that dies half-way leaves only the
# staging directory, which the next attempt deletes, so mysqld never starts on half-copied data.
#
# The donor: with `bootstrap: ordered` the pod before it (OrderedReady started this pod only once that one
# was Ready); with `parallel` every pod starts at once and pod k waits until pod (k-1)/2 (rounded down) is
# Ready, so the Ready pods about double with every round of clones. A donor's clone port serves one clone
# at a time (the other waits in its queue). A donor that stops being Ready during the clone (its pod died),
# or is not Ready within DONOR_WAIT, gives way to the next lower Ready ordinal; replication itself is always
# from the primary.
#
# Also the replica's self-repair: when the sidecar finds that replication cannot resume (the primary no
# longer has the binlogs it needs), it leaves the marker $DATA_ROOT/clone-pending and runs this script;
# the data is moved aside and cloned again. The marker stays until the new data is whole, so an attempt
# cut short anywhere is redone, at the next pod start too.
set -o errexit -o nounset -o pipefail
# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
report_exit

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
    report phase=kept-data
    exit 0
fi
if ((ordinal == 0)) && [[ -n ${RESTORE_FROM:-} ]]; then
    exec "$(dirname "${BASH_SOURCE[0]}")/restore-mysql.sh"
fi
# init-mysql has already refused an empty data directory while another pod's server answers (issue #22).
if ((ordinal == 0)); then
    log "ordinal 0 is the primary: nothing to clone, the server initialises an empty data directory"
    rm -f "$marker"
    report phase=primary-empty
    exit 0
fi

# By FQDN: the name the donor's certificate is checked against.
donor_name() {
    echo "${HOSTNAME%-*}-$1.$PEER_DOMAIN"
}

# Ready: the headless Service publishes a pod's name only while the pod is Ready.
donor_ready() {
    getent hosts "$(donor_name "$1")" >/dev/null
}

# Succeeds once the donor is no longer Ready, within $2 seconds (the endpoints take a moment to follow).
donor_gone() {
    local waited
    for ((waited = 0; waited < $2; waited++)); do
        donor_ready "$1" || return 0
        pause 1
    done
    ! donor_ready "$1"
}

# The highest Ready ordinal below $1.
lower_ready_donor() {
    local candidate
    for ((candidate = $1 - 1; candidate >= 0; candidate--)); do
        if donor_ready "$candidate"; then
            echo "$candidate"
            return 0
        fi
    done
    return 1
}

# The donor gives way to the highest Ready ordinal below it, if there is one; $1 says why.
give_way() {
    local next
    next=$(lower_ready_donor "$donor") || return 1
    log "$(donor_name "$donor") $1: cloning from $(donor_name "$next") instead"
    choose_donor "$next" "$(donor_name "$donor") $1"
}

# The donor, and why it, in every record from here on (the status record, components/podStatus.ts).
choose_donor() {
    donor=$1
    STATUS_CONTEXT=("donor=$(donor_name "$donor"):$CLONE_PORT" "reason=$2")
}

case $BOOTSTRAP in
parallel) choose_donor $(((ordinal - 1) / 2)) "bootstrap: parallel, pod k clones from pod (k-1)/2" ;;
ordered) choose_donor $((ordinal - 1)) "bootstrap: ordered, the pod before this one" ;;
*) die "unknown BOOTSTRAP '$BOOTSTRAP'" ;;
esac
# A donor that does not become Ready (its pod cannot start, or crash-loops) gives way, after DONOR_WAIT
# seconds (the component sets it), to the next lower Ready ordinal; with none, the wait goes on. Looked up
# every 0.1 s: with `parallel`, every replica's clone waits on its donor turning Ready.
if ! donor_ready "$donor"; then
    log "waiting for $(donor_name "$donor") to be Ready"
    report phase=waiting-for-donor
    polls=0
    until donor_ready "$donor"; do
        if ((polls >= DONOR_WAIT * 10)) && give_way "is not Ready after $DONOR_WAIT s"; then
            break
        fi
        pause 0.1
        polls=$((polls + 1))
    done
fi
while true; do
    rm -rf "$staging"
    mkdir -p "$staging"
    log "cloning from $(donor_name "$donor"):$CLONE_PORT"
    report phase=cloning
    started=$EPOCHREALTIME
    # The checkpoints file is written at the very end of a backup: without it the stream was cut short.
    if receive_backup "$(donor_name "$donor")" | "$STREAM_TOOL" -x -C "$staging" && info_file checkpoints "$staging" >/dev/null; then
        break
    fi
    # A donor still Ready failed otherwise (unreachable, cut short): the container's retry starts over.
    if donor_gone "$donor" 5 && give_way "is no longer Ready"; then
        continue
    fi
    die "the backup stream from $(donor_name "$donor") ended before the backup was complete; the next attempt starts over"
done
streamed=$EPOCHREALTIME
report phase=preparing

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
position=""
if read_position "$data_dir"; then
    position="$POSITION_FILE${POSITION_POS:+:$POSITION_POS}${POSITION_GTID:+ $POSITION_GTID}"
    position=${position# }
fi
report phase=cloned position="$position"
log "clone from $(donor_name "$donor") complete: stream $(elapsed "$started" "$streamed") s, prepare $(elapsed "$streamed" "$prepared") s, move $(elapsed "$prepared" "$moved") s"
