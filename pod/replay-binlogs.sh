#!/usr/bin/env bash
# replay-binlogs: the replay-binlogs init container of a restore to a time (`restoreFrom` a UTC time), in the
# server's image, after clone-mysql. On mysql-0, restore-mysql.sh (in clone-mysql, whose image has the
# flavor's binlog tool) has staged the newest backup before the time, decoded the binlogs shipped for its
# timeline from the backup's position up to the time (events before it, UTC) into SQL text,
# $DATA_ROOT/restore-binlogs.sql, and named both, with the GTID state the oldest binlog starts from, in
# $DATA_ROOT/restore-staged. This container needs no binlog tool (mysql:8.4 has no mysqlbinlog:
# docker-library/mysql #847): a server of its own on the staged copy, reachable only through its socket,
# takes the backup's GTID state (RESTORE_SQL); the oldest binlog must start within it (per GTID domain here
# for MariaDB's positions, by the server's BINLOG_CONTAINS_SQL for MySQL's GTID sets); the SQL is piped into
# the client, logged, so that the server's GTID state afterwards (BINLOG_GTID_SQL) is the restored
# primary's. Only then is the copy moved into place, with that state for restore-finish.sh, and the SQL
# removed. Another ordinal, or data already in place, has nothing to replay.
#
# A replay that fails, or is cut short, leaves the staged copy half-replayed: the container's next attempts
# remove it and fail with the first one's error, until the pod starts anew and clone-mysql stages the backup
# again (restore-mysql.sh removes the mark). Everything that differs between flavors (the SQL, the server's
# options) is the flavor's `binlogs` (components/flavors.ts).
set -o errexit -o nounset -o pipefail
# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
report_exit
export TZ=UTC

data_dir="$DATA_ROOT/$DATA_SUBPATH"
staging="$DATA_ROOT/$DATA_SUBPATH.clone-in-progress"
decoded="$DATA_ROOT/restore-binlogs.sql"
staged="$DATA_ROOT/restore-staged"
socket="$DATA_ROOT/restore.sock"

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
    "$MYSQL_CLIENT" --defaults-extra-file="$CLIENT_CONFIG" --protocol=socket --socket="$socket" "$@"
}

# Dies: the oldest file starts after the backup's position.
starts_after() {
    die "the oldest binlog of timeline $timeline ($first_file) starts after backup $name's position $backup_gtid (at $first): the binlogs between are gone. Restore to backup $name by name."
}

stop_server() {
    kill "$server"
    wait "$server" || true
}

stop_server_and_die() {
    stop_server
    die "$1"
}

if (($(pod_ordinal) != 0)); then
    log "not mysql-0: nothing to replay"
    report phase=no-replay
    exit 0
fi
if [[ -d $data_dir/mysql ]]; then
    # In place already (the pod restarted after the restore): what a replay left behind goes.
    rm -rf "$decoded" "$staged" "$staged.replaying"
    log "data directory already holds a database: nothing to replay"
    report phase=no-replay
    exit 0
fi
if [[ -f $staged.replaying ]]; then
    # Kept, so that every further attempt says the same until the pod starts anew and clone-mysql stages again.
    rm -rf "$staging" "$decoded"
    earlier=$(key_value "$staged.replaying" error) || earlier="it was cut short"
    die "the replay of backup $(key_value "$staged.replaying" backup) up to $(key_value "$staged.replaying" time) failed ($earlier), and its half-replayed copy is removed: once the cause is fixed, delete the pod (kubectl delete pod ${HOSTNAME:-mysql-0}) and clone-mysql stages the backup again"
fi
[[ -f $staged ]] || die "no restore to a time is staged in $DATA_ROOT (no restore-staged from clone-mysql): clone-mysql stages one when the pod starts anew (kubectl delete pod ${HOSTNAME:-mysql-0})"

name=$(key_value "$staged" backup)
timeline=$(key_value "$staged" timeline)
backup_gtid=$(key_value "$staged" gtid)
target_time=$(key_value "$staged" time)
position=$(key_value "$staged" position)
first=$(key_value "$staged" first)
first_file=$(key_value "$staged" first_file)
file_count=$(key_value "$staged" files)
[[ -d $staging ]] || die "$staged names backup $name, but its staged copy $staging is missing: clone-mysql stages it again when the pod starts anew (kubectl delete pod ${HOSTNAME:-mysql-0})"
# From here on the staged copy changes: an attempt that does not finish leaves this mark for the next one.
mv "$staged" "$staged.replaying"
# A failure's message goes into the mark too, for the next attempt to repeat.
replay_exit() {
    (($1 == 0)) || [[ ! -f $staged.replaying ]] || printf 'error=%s\n' "${DIED:-exit status $1 at: $2}" >>"$staged.replaying"
    report_failure "$@"
}
trap 'replay_exit $? "$BASH_COMMAND"' EXIT
report phase=replaying position="$position $backup_gtid"
[[ -f $decoded ]] || die "$staged names backup $name, but the binlogs decoded for it ($decoded) are missing: clone-mysql decodes them again when the pod starts anew (kubectl delete pod ${HOSTNAME:-mysql-0})"

if [[ -z $BINLOG_CONTAINS_SQL ]]; then
    # MariaDB positions: per domain, the first file's seqno at most the backup's.
    for entry in ${backup_gtid//,/ }; do
        (($(gtid_seqno "$first" "${entry%%-*}") <= ${entry##*-})) || starts_after
    done
fi

read -r size _ < <(du -b "$decoded")
log "replaying the binlogs of timeline $timeline onto backup $name (GTID $backup_gtid) up to $target_time: $size bytes of SQL"
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
    sql=${BINLOG_CONTAINS_SQL//\{first\}/"$(sql_string "$first")"}
    sql=${sql//\{gtid\}/"$(sql_string "$backup_gtid")"}
    [[ $(replay --batch --skip-column-names --execute="$sql") == 1 ]] || {
        stop_server
        starts_after
    }
fi
# --binary-mode: both clients' option for the binlog tools' output, whose strings may hold \0 and \r\n.
if ! replay --binary-mode <"$decoded" >&2; then
    stop_server_and_die "replaying the binlogs of timeline $timeline onto backup $name failed; nothing was moved into place"
fi
gtid=$(replay --batch --skip-column-names --execute="$BINLOG_GTID_SQL")
stop_server
rm -f "$staging"/restore-bin.* "$DATA_ROOT/restore.pid"
log "binlogs replayed to $target_time: GTID $backup_gtid -> $gtid, $file_count files in $(elapsed "$started" "$EPOCHREALTIME") s"

if [[ -n $RESTORE_SQL ]]; then
    sql=${RESTORE_SQL//\{gtid\}/"$(sql_string "$gtid")"}
    printf '%s\n' "$sql" >"$staging/restore.sql.pending"
fi
rmdir "$data_dir" 2>/dev/null || true
mv "$staging" "$data_dir"
rm -rf "$decoded" "$staged.replaying"
log "restore to $target_time complete"
report phase=restored position="$position $gtid"
