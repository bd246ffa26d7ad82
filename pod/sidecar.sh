#!/usr/bin/env bash
# xtrabackup sidecar: on a replica fresh from its clone, start replication at the clone's coordinates and
# retry until that works; then serve hot backups of this server on the clone port to the next ordinal.
# The clone port opens only after replication is configured, and the sidecar's readiness probe waits for
# the port, so the next pod cannot start cloning from a replica that does not replicate yet.
set -o errexit -o nounset -o pipefail
# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
report_exit

pending=replication-coordinates.pending
applied=replication-coordinates.applied

# Reads the clone's replication coordinates (binlog file, position, GTID position) from the info files
# into $pending, then removes the info files. A donor that was itself a replica wrote `*_slave_info` (the
# primary's coordinates); a donor that was the primary wrote only `*_binlog_info` (its own).
save_coordinates() {
    read_position "" || return 0 # "": the current directory, the data directory
    local file=$POSITION_FILE pos=$POSITION_POS gtid=$POSITION_GTID source=$POSITION_SOURCE
    log "replication coordinates from $source: file='$file' position='$pos' gtid='$gtid'"
    printf '%s\n%s\n%s\n' "$file" "$pos" "$gtid" >"$pending.tmp"
    mv "$pending.tmp" "$pending"
    for prefix in $BACKUP_INFO_PREFIXES; do
        rm -f "${prefix}_slave_info" "${prefix}_binlog_info"
    done
}

# The clone's coordinates as one position (file:position, GTID after a space), for the status record.
pending_position() {
    local file pos gtid
    {
        read -r file
        read -r pos
        read -r gtid
    } <"$pending"
    file="$file${pos:+:$pos}${gtid:+ $gtid}"
    printf '%s' "${file# }"
}

# Fills the flavor's replication statements with the coordinates and the primary's address.
replication_sql() {
    local file pos gtid password sql=$REPLICATION_SQL
    {
        read -r file
        read -r pos
        read -r gtid
    } <"$pending"
    if [[ $sql == *"{file}"* && (-z $file || -z $pos) ]]; then
        die "the clone has no binlog coordinates, which this flavor needs: delete this pod's data to clone again"
    fi
    password=$(sql_string "$(<"$REPLICATION_PASSWORD_FILE")")
    # Quoted replacements, so that a '&' in a value stays a '&' (bash 5.2 patsub_replacement).
    sql=${sql//\{file\}/"$file"}
    sql=${sql//\{pos\}/"$pos"}
    sql=${sql//\{gtid\}/"$gtid"}
    sql=${sql//\{host\}/"$PRIMARY_HOST"}
    sql=${sql//\{port\}/"$MYSQL_PORT"}
    sql=${sql//\{user\}/"$REPLICATION_USER"}
    sql=${sql//\{password\}/"$password"}
    sql=${sql//\{ca\}/"$TLS_CA"}
    printf '%s\n' "$sql"
}

# The identity file with its `upgrade=` line set to $1 (the other lines as they were), written whole.
set_upgrade_state() {
    local line lines=""
    while IFS= read -r line; do
        [[ $line != upgrade=* ]] || line="upgrade=$1"
        lines+=$line$'\n'
    done <"$IDENTITY_FILE"
    printf '%s' "$lines" | install_file "$IDENTITY_FILE" root 0644
}

# After a supported series step, which init-mysql recorded as `upgrade=<from>><to> pending` in the
# identity file, brings the system tables up to the server's series as the image's entrypoint does with
# MARIADB_AUTO_UPGRADE: the flavor's tool (UPGRADE_TOOL, UPGRADE_OPTIONS) against the running server, as
# root through its option file (the tool hands the password to the clients it runs in a temporary option
# file, never on a command line). Before this pod serves clones, so a clone of it carries upgraded tables.
# Only a success is recorded (`done`); a failure is logged with the tool's own words and stays pending, so
# the sidecar's next start (the pod's or the container's) runs it again.
upgrade_system_tables() {
    local state step output line status=0
    state=$(key_value "$IDENTITY_FILE" upgrade 2>/dev/null) || return 0
    [[ $state == *" pending" ]] || return 0
    step=${state% pending}
    if [[ -z $UPGRADE_TOOL ]]; then
        log "ERROR: the identity file records the system tables' upgrade $step as pending, but this flavor has no upgrade tool: left pending"
        return 0
    fi
    wait_for_mysqld
    log "upgrading the system tables after the series step $step: $UPGRADE_TOOL $UPGRADE_OPTIONS"
    # shellcheck disable=SC2086 # UPGRADE_OPTIONS: words
    output=$("$UPGRADE_TOOL" --defaults-extra-file="$CLIENT_CONFIG" --host=127.0.0.1 --port="$MYSQL_PORT" $UPGRADE_OPTIONS 2>&1) || status=$?
    while IFS= read -r line; do
        [[ -z $line ]] || log "  $UPGRADE_TOOL: $line"
    done <<<"$output"
    if ((status != 0)); then
        log "ERROR: $UPGRADE_TOOL failed (status $status): the system tables stay at the old series, and the upgrade $step stays pending in $IDENTITY_FILE; it runs again at the sidecar's next start (restart the pod once the cause is fixed)"
        return 0
    fi
    set_upgrade_state "$step done"
    log "the system tables are upgraded ($step): recorded as done in $IDENTITY_FILE"
}

# Self-repair: the primary no longer has what this replica needs (error 1236, its binlogs were purged
# while the replica was away): nothing but a new clone can bring it back. Marks the data for a new clone,
# stops serving and stops mysqld, then starts this script over, which clones first.
reclone_if_stuck() {
    local status errno
    status=$(sql --execute="$REPLICA_STATUS\\G" 2>/dev/null) || return 0
    errno=$(field "$status" "$REPLICA_IO_ERRNO")
    [[ $errno == 1236 ]] || return 0
    log "replication cannot resume: error 1236 from the primary ($(field "$status" "$REPLICA_IO_ERROR")): it no longer has what this replica needs; cloning again"
    printf 'replication error 1236 at %(%Y-%m-%dT%H:%M:%S)T\n' -1 >"$CLONE_MARKER"
    report phase=re-clone reason="replication error 1236 from the primary: $(field "$status" "$REPLICA_IO_ERROR")"
    stop_serving
    sql --execute="SHUTDOWN" || true
    exec "${BASH_SOURCE[0]}"
}

serving=""
stop_serving() {
    if [[ -n $serving ]]; then
        kill "$serving" 2>/dev/null || true
        wait "$serving" 2>/dev/null || true
        serving=""
    fi
}
# SIGTERM (the pod stops): stop serving and leave at once, whatever the script was waiting for.
trap 'stop_serving; exit 0' TERM INT

cd "$DATA_DIR"
ordinal=$(pod_ordinal)

if [[ -f $CLONE_MARKER ]]; then
    log "this replica's data is marked for a new clone: waiting for mysqld to stop"
    report phase=re-clone reason="marked for a new clone: $(<"$CLONE_MARKER")"
    while listening "$MYSQL_PORT"; do
        pause 1
    done
    "$(dirname "${BASH_SOURCE[0]}")/clone-mysql.sh"
fi

if ((ordinal > 0)) && [[ ! -f $applied ]]; then
    save_coordinates
    if [[ -f $pending ]]; then
        log "waiting for mysqld"
        position=$(pending_position)
        report phase=configuring-replication position="$position" attempts=0
        wait_for_mysqld
        # Retried until it works: a replica that silently never replicates is the worst outcome. The
        # client's error goes to the log and, with the count, into the status record.
        attempts=0
        until output=$(replication_sql | sql 2>&1); do
            attempts=$((attempts + 1))
            [[ -z $output ]] || printf '%s\n' "$output" >&2
            log "configuring replication failed; retrying in 5 s"
            report phase=configuring-replication position="$position" attempts="$attempts" error="$output"
            pause 5
        done
        mv "$pending" "$applied"
        log "replicating from $PRIMARY_HOST"
        report phase=replicating position="$position"
    fi
fi

upgrade_system_tables

# After a restore (restoreFrom), mysql-0 finishes it before serving clones: see restore-finish.sh.
((ordinal > 0)) || "$(dirname "${BASH_SOURCE[0]}")/restore-finish.sh"

backup="$BACKUP_TOOL --defaults-extra-file=$BACKUP_CLIENT_CONFIG --backup --slave-info --stream=xbstream --log-copy-interval=$CLONE_LOG_COPY_INTERVAL_MS"
backup+=" --host=127.0.0.1 --port=$MYSQL_PORT --datadir=$DATA_DIR --target-dir=/tmp"
log "serving backups on port $CLONE_PORT"
report phase=serving
# Both transports end a stream that moves no data for CLONE_IDLE_TIMEOUT seconds (a stalled or vanished
# receiver, a backup that makes no progress), which frees the single clone slot.
case $CLONE_TRANSPORT in
# ncat encrypts and the receiver verifies this pod's certificate, but an ncat listener cannot demand a
# client certificate: on mysql57 only the NetworkPolicy keeps other clients out (docs/security.md, "The clone stream").
ncat) ncat --listen --keep-open --send-only --max-conns=1 --idle-timeout "${CLONE_IDLE_TIMEOUT}s" --ssl --ssl-cert "$TLS_CERT" --ssl-key "$TLS_KEY" "$CLONE_PORT" -c "$backup" & ;;
# Mutual TLS: only a peer with a certificate of the cluster's CA completes the handshake, and socat starts
# the backup only after it has.
socat) socat -T "$CLONE_IDLE_TIMEOUT" -b "$CLONE_BUFFER_BYTES" -U "OPENSSL-LISTEN:$CLONE_PORT,reuseaddr,fork,max-children=1,$CLONE_LISTEN_OPTIONS,$CLONE_SOCKET_OPTIONS,$(clone_tls_options)" "SYSTEM:$backup" & ;;
*) die "unknown CLONE_TRANSPORT '$CLONE_TRANSPORT'" ;;
esac
serving=$!

# mysql-0's first start on a data directory init-mysql made: once root logs in with its password, the
# server has taken the accounts, and no later start takes that SQL again.
if ((ordinal == 0)) && [[ -e $FIRST_START_MARKER ]]; then
    wait_for_mysqld
    rm -f "$FIRST_START_SQL" "$FIRST_START_MARKER"
    log "the server has taken the cluster's accounts on its first start"
fi

# Watch: a replica that cannot resume clones again; a listener that died restarts the container.
while true; do
    pause "$WATCH_INTERVAL"
    ((ordinal == 0)) || reclone_if_stuck
    "$(dirname "${BASH_SOURCE[0]}")/rotate-credentials.sh" || log "password rotation failed (status $?); retrying at the next watch"
    kill -0 "$serving" 2>/dev/null || break
done
wait "$serving" || die "the clone listener exited with status $?"
die "the clone listener exited"
