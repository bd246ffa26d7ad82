#!/usr/bin/env bash
# replay-binlogs: the restore to a time's binlog half, run twice by restore-mysql.sh when `restoreFrom` is a
# UTC time, as a process of its own (its `die` ends it, and restore-mysql.sh with it, before anything is
# moved into place):
#
#   replay-binlogs.sh check  DIR REMOTE TIMELINE LAST_FILE BACKUP GTID
#       before the backup is downloaded: the binlog files downloaded into DIR (from REMOTE, the bucket's
#       binlogs/TIMELINE/) are numbered without a gap through LAST_FILE (SHIPPED's), and, for a flavor whose
#       GTID states the script compares (no BINLOG_CONTAINS_SQL: MariaDB's positions, per domain), the oldest
#       starts at or before GTID, the position of backup BACKUP.
#   replay-binlogs.sh replay DIR STAGING TIMELINE BACKUP GTID TIME
#       once the backup is in STAGING: a server of its own on STAGING, reachable only through its socket,
#       takes the backup's GTID state (RESTORE_SQL), checks with BINLOG_CONTAINS_SQL, where the flavor has it
#       (MySQL's GTID_SUBSET), that the oldest file starts within it, and replays the binlogs after GTID up to
#       TIME (events before it, UTC), logging them, so that its GTID state afterwards (BINLOG_GTID_SQL) is the
#       restored primary's; that state is printed.
#
# Everything that differs between flavors (the tool, its option, the SQL, the server's options) is the
# flavor's `binlogs` (components/flavors.ts).
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

# The GTID state the oldest binlog file $1 starts from: group 1 of BINLOG_FIRST_STATE_PATTERN in the tool's
# print of its first events, continuation prefixes removed; empty when it does not match.
first_state() {
    local header
    header=$("$BINLOG_TOOL" --stop-position=4096 "$1" 2>/dev/null) || true
    [[ $header =~ $BINLOG_FIRST_STATE_PATTERN ]] || return 0
    printf '%s' "${BASH_REMATCH[1]//$'\n'# /}"
}

# The client of the server that replays the binlogs, as root through its socket.
replay() {
    "$MYSQL_CLIENT" --defaults-extra-file="$CLIENT_CONFIG" --protocol=socket --socket="$DATA_ROOT/restore.sock" "$@"
}

# Dies: the oldest file ($1, starting from state $2) starts after the backup's position.
starts_after() {
    die "the oldest binlog of timeline $timeline (${1##*/}) starts after backup $name's position $backup_gtid (at $2): the binlogs between are gone. Restore to backup $name by name."
}

check() {
    local binlogs=$1 remote=$2 last_file=$4 file number previous="" last first_list entry domain
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
    [[ -z $BINLOG_CONTAINS_SQL ]] || return 0
    # MariaDB positions: per domain, the first file's seqno at most the backup's.
    first_list=$(first_state "${files[0]}")
    for entry in ${backup_gtid//,/ }; do
        domain=${entry%%-*}
        (($(gtid_seqno "$first_list" "$domain") <= ${entry##*-})) || starts_after "${files[0]}" "$first_list"
    done
}

stop_server() {
    kill "$server"
    wait "$server" || true
}

stop_server_and_die() {
    stop_server
    die "$1"
}

replay_to() {
    local binlogs=$1 staging=$2 target_time=$6 socket defaults started server stop replayed first sql
    binlog_files "$binlogs"
    socket="$DATA_ROOT/restore.sock"
    defaults=(--no-defaults)
    [[ ! -f $staging/backup-my.cnf ]] || defaults=(--defaults-file="$staging/backup-my.cnf")
    started=$EPOCHREALTIME
    read -ra options <<<"$REPLAY_SERVER_OPTIONS"
    "$SERVER_BINARY" "${defaults[@]}" --datadir="$staging" --socket="$socket" --skip-networking --user=root \
        --log-bin="$staging/restore-bin" --server-id=1 --pid-file="$DATA_ROOT/restore.pid" \
        --log-error="$DATA_ROOT/restore-server.log" "${options[@]}" >&2 &
    server=$!
    until replay --execute="SELECT 1" >/dev/null 2>&1; do
        kill -0 "$server" 2>/dev/null || die "the server that replays the binlogs did not start: $(<"$DATA_ROOT/restore-server.log")"
        pause 0.2
    done
    # The backup's GTID state, which the backup's own tables may lag (MySQL writes mysql.gtid_executed at
    # binlog rotation only), as the restored primary takes it after a restore by name.
    sql=${RESTORE_SQL//\{gtid\}/"$(sql_string "$backup_gtid")"}
    replay <<<"$sql" || stop_server_and_die "the server that replays the binlogs refused the backup's GTID state $backup_gtid"
    if [[ -n $BINLOG_CONTAINS_SQL ]]; then
        first=$(first_state "${files[0]}")
        sql=${BINLOG_CONTAINS_SQL//\{first\}/"$(sql_string "$first")"}
        sql=${sql//\{gtid\}/"$(sql_string "$backup_gtid")"}
        [[ $(replay --batch --skip-column-names --execute="$sql") == 1 ]] || {
            stop_server
            starts_after "${files[0]}" "$first"
        }
    fi
    stop=${target_time/T/ }
    if ! "$BINLOG_TOOL" "$BINLOG_SKIP_BACKUP_OPTION=$backup_gtid" --stop-datetime="${stop%Z}" "${files[@]}" | replay --binary-mode >&2; then
        stop_server_and_die "replaying the binlogs of timeline $timeline onto backup $name failed; nothing was moved into place"
    fi
    replayed=$(replay --batch --skip-column-names --execute="$BINLOG_GTID_SQL")
    stop_server
    rm -f "$staging"/restore-bin.* "$DATA_ROOT/restore.pid"
    log "binlogs replayed to $target_time: GTID $backup_gtid -> $replayed, ${#files[@]} files in $(elapsed "$started" "$EPOCHREALTIME") s"
    printf '%s\n' "$replayed"
}

mode=${1:-}
# Both forms name the timeline, the backup and its GTID position alike.
timeline=${4:-} name=${5:-} backup_gtid=${6:-}
case $mode in
check)
    timeline=$4 name=$6 backup_gtid=$7
    check "${@:2}"
    ;;
replay) replay_to "${@:2}" ;;
*) die "usage: replay-binlogs.sh check|replay ARGS... (restore-mysql.sh runs it)" ;;
esac
