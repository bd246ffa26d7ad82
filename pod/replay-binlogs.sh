#!/usr/bin/env bash
# replay-binlogs: the restore to a time's binlog half, run twice by restore-mysql.sh when `restoreFrom` is a
# UTC time, as a process of its own (its `die` ends it, and restore-mysql.sh with it, before anything is
# moved into place):
#
#   replay-binlogs.sh check  DIR REMOTE TIMELINE LAST_FILE BACKUP GTID
#       before the backup is downloaded: the binlog files downloaded into DIR (from REMOTE, the bucket's
#       binlogs/TIMELINE/) are numbered without a gap through LAST_FILE (SHIPPED's), and the oldest starts at
#       or before GTID, the position of backup BACKUP.
#   replay-binlogs.sh replay DIR STAGING TIMELINE BACKUP GTID TIME
#       once the backup is in STAGING: a server of its own on STAGING, reachable only through its socket,
#       replays the binlogs from GTID up to TIME (events before it, UTC), logging them, so that its GTID
#       position afterwards is the restored primary's; that position is printed.
set -o errexit -o nounset -o pipefail
# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
report_exit
export TZ=UTC

# The binlog files in $1, oldest first.
binlog_files() {
    local file
    files=()
    shopt -s nullglob
    for file in "$1"/*.[0-9]*; do files+=("$file"); done
    shopt -u nullglob
}

# The GTID seqno of domain $2 in the position $1 (0 when the domain is absent).
gtid_seqno() {
    local entry
    for entry in ${1//,/ }; do
        [[ $entry == "$2"-*-* ]] && {
            printf '%s' "${entry##*-}"
            return 0
        }
    done
    printf 0
}

# The client of the server that replays the binlogs, as root through its socket.
replay() {
    "$MYSQL_CLIENT" --defaults-extra-file="$CLIENT_CONFIG" --protocol=socket --socket="$DATA_ROOT/restore.sock" "$@"
}

check() {
    local binlogs=$1 remote=$2 timeline=$3 last_file=$4 name=$5 backup_gtid=$6 file number previous="" last first_list entry domain
    binlog_files "$binlogs"
    ((${#files[@]} > 0)) || die "timeline $timeline has no binlog file in $remote/binlogs/$timeline/"
    for file in "${files[@]}"; do
        number=$((10#${file##*.}))
        [[ -z $previous || $number -eq $((previous + 1)) ]] ||
            die "the binlogs of timeline $timeline have a gap: ${file##*/} follows number $previous in $remote/binlogs/$timeline/; the data can be restored up to the end of the file before the gap, or to backup $name by name."
        previous=$number
    done
    last=${files[${#files[@]} - 1]}
    ((10#${last##*.} >= 10#${last_file##*.})) ||
        die "timeline $timeline: SHIPPED names $last_file but the bucket's last binlog is ${last##*/}; the files after it are missing"
    # The first file's GTID list: the position its events continue from.
    first_list=$("$BINLOG_TOOL" --stop-position=4096 "${files[0]}" 2>/dev/null | grep -o 'Gtid list \[[^]]*\]') || first_list=""
    first_list=${first_list%%$'\n'*}
    first_list=${first_list#Gtid list [}
    first_list=${first_list%]}
    for entry in ${backup_gtid//,/ }; do
        domain=${entry%%-*}
        (($(gtid_seqno "$first_list" "$domain") <= ${entry##*-})) ||
            die "the oldest binlog of timeline $timeline (${files[0]##*/}) starts after backup $name's position $backup_gtid (at $first_list): the binlogs between are gone. Restore to backup $name by name."
    done
}

replay_to() {
    local binlogs=$1 staging=$2 timeline=$3 name=$4 backup_gtid=$5 target_time=$6 socket defaults started server stop replayed entry
    binlog_files "$binlogs"
    socket="$DATA_ROOT/restore.sock"
    defaults=(--no-defaults)
    [[ ! -f $staging/backup-my.cnf ]] || defaults=(--defaults-file="$staging/backup-my.cnf")
    started=$EPOCHREALTIME
    "$SERVER_BINARY" "${defaults[@]}" --datadir="$staging" --socket="$socket" --skip-networking --user=root \
        --log-bin="$staging/restore-bin" --server-id=1 --pid-file="$DATA_ROOT/restore.pid" \
        --log-error="$DATA_ROOT/restore-server.log" >&2 &
    server=$!
    until replay --execute="SELECT 1" >/dev/null 2>&1; do
        kill -0 "$server" 2>/dev/null || die "the server that replays the binlogs did not start: $(<"$DATA_ROOT/restore-server.log")"
        pause 0.2
    done
    stop=${target_time/T/ }
    if ! "$BINLOG_TOOL" --start-position="$backup_gtid" --stop-datetime="${stop%Z}" "${files[@]}" | replay --binary-mode >&2; then
        kill "$server"
        wait "$server" || true
        die "replaying the binlogs of timeline $timeline onto backup $name failed; nothing was moved into place"
    fi
    replayed=$(replay --batch --skip-column-names --execute="SELECT @@global.gtid_binlog_pos")
    kill "$server"
    wait "$server" || true
    # Domains the replay logged nothing in keep the backup's position.
    for entry in ${backup_gtid//,/ }; do
        [[ ,$replayed, == *",${entry%%-*}-"* ]] || replayed=${replayed:+$replayed,}$entry
    done
    rm -f "$staging"/restore-bin.* "$DATA_ROOT/restore.pid"
    log "binlogs replayed to $target_time: GTID $backup_gtid -> $replayed, ${#files[@]} files in $(elapsed "$started" "$EPOCHREALTIME") s"
    printf '%s\n' "$replayed"
}

mode=${1:-}
case $mode in
check) check "${@:2}" ;;
replay) replay_to "${@:2}" ;;
*) die "usage: replay-binlogs.sh check|replay ARGS... (restore-mysql.sh runs it)" ;;
esac
