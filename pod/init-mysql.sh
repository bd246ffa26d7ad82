#!/usr/bin/env bash
# init-mysql: first checks that the data on this pod's volume is this cluster's, this ordinal's, and of a
# server this pod's server may open (the identity file beside the data directory; see check_identity),
# and refuses to go on otherwise, so that mysqld never starts on it. Then gives this pod its server-id and
# role (primary for ordinal 0, read-only replica otherwise), TLS and the user's extra settings; turns the
# Secrets into the files the other containers read (client option files, the entrypoint's root password
# file, the TLS files) in a memory-backed volume, all under umask 077; and, on the primary, the SQL that
# creates the cluster's accounts on its first start, after creating a new data directory where the
# flavor says how (INSTALL_DB).
set -o errexit -o nounset -o pipefail
# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
report_exit
umask 077

ordinal=$(pod_ordinal)

# Whether a directory holds anything. One this container cannot read holds data too: MySQL 8 makes its
# data directory 0750, and init-mysql has no CAP_DAC_READ_SEARCH.
has_data() {
    local entries
    [[ -d $1 ]] || return 1
    entries=$(ls -A -- "$1" 2>/dev/null) || return 0
    [[ -n $entries ]]
}

# The identity file (IDENTITY_FILE, on the claim beside the data directory, never cloned or backed up with
# the data): the cluster (namespace/name and the UID generated once per stack), the ordinal, and the
# server family and series (from the server binary itself) that the data belongs to. Written on a new
# volume and adopted for data from a version without one; any other cluster or ordinal, another family, or
# a series that is neither this one nor one supported upgrade step older (SERIES_UPGRADES) is refused.
# A supported step, on a flavor whose system tables a tool upgrades (UPGRADE_TOOL; MySQL 8.0.16+ upgrades
# its own at startup), is recorded as `upgrade=<from>><to> pending`: the sidecar runs the tool once the
# server answers and only then records it `done` (sidecar.sh, upgrade_system_tables). A step taken while
# an earlier one is still pending keeps the earlier start: the tool upgrades from whatever it finds.
check_identity() {
    local version family series this recorded at_cluster at_uid at_ordinal at_family at_series at_upgrade from step steps="" next=""
    version=$("$SERVER_BINARY" --version) || die "cannot run \`$SERVER_BINARY --version\` to learn the server's version"
    [[ $version =~ Ver[[:space:]]+([0-9]+)\.([0-9]+)\. ]] || die "cannot read the server's version from \`$SERVER_BINARY --version\`: '$version'"
    series=${BASH_REMATCH[1]}.${BASH_REMATCH[2]}
    family=mysql
    [[ $version != *MariaDB* ]] || family=mariadb
    [[ -n $CLUSTER_UID ]] || die "CLUSTER_UID is empty: the StatefulSet must carry the cluster's UID"
    this="cluster $CLUSTER uid $CLUSTER_UID ordinal $ordinal"
    recorded=$(printf '# mysql-statefulset: whose data the directory %s beside this file holds; checked by init-mysql at every start.\ncluster=%s\nuid=%s\nordinal=%s\nfamily=%s\nseries=%s\n' \
        "$DATA_SUBPATH" "$CLUSTER" "$CLUSTER_UID" "$ordinal" "$family" "$series")
    if [[ ! -e $IDENTITY_FILE ]]; then
        if has_data "$DATA_ROOT/$DATA_SUBPATH"; then
            log "adopting the data directory, which has no identity file (written by a version without one): it is now $this, $family $series"
        else
            log "new volume: recording it as $this, $family $series"
        fi
        printf '%s\n' "$recorded" | install_file "$IDENTITY_FILE" root 0644
        return 0
    fi
    at_cluster=$(key_value "$IDENTITY_FILE" cluster) || at_cluster=""
    at_uid=$(key_value "$IDENTITY_FILE" uid) || at_uid=""
    at_ordinal=$(key_value "$IDENTITY_FILE" ordinal) || at_ordinal=""
    at_family=$(key_value "$IDENTITY_FILE" family) || at_family=""
    at_series=$(key_value "$IDENTITY_FILE" series) || at_series=""
    at_upgrade=$(key_value "$IDENTITY_FILE" upgrade) || at_upgrade=""
    [[ -n $at_cluster && -n $at_uid && -n $at_ordinal && -n $at_family && -n $at_series ]] ||
        die "the identity file $IDENTITY_FILE lacks cluster, uid, ordinal, family or series: refusing to start the server on this volume. Restore the file, or remove it if this volume's data is surely $this's."
    if [[ $at_uid != "$CLUSTER_UID" || $at_cluster != "$CLUSTER" || $at_ordinal != "$ordinal" ]]; then
        die "this volume's data belongs to cluster $at_cluster uid $at_uid ordinal $at_ordinal; this pod $HOSTNAME is $this: refusing to start the server on it. Point \`nfsPaths\` (or \`nfsPathPattern\`) at an empty directory for this pod, or give the volume back to $at_cluster ordinal $at_ordinal; to take it over on purpose (its data keeps that cluster's passwords), delete $IDENTITY_FILE."
    fi
    if [[ $at_family != "$family" ]]; then
        die "this volume's data was written by a $at_family $at_series server; this pod's server is $family $series: refusing to start it on data of another family. Set \`flavor\` and \`image\` back to a $at_family $at_series server; to move to $family, load a dump into a new cluster on empty volumes."
    fi
    if [[ $at_series != "$series" ]]; then
        if [[ " $SERIES_UPGRADES " == *" $family:$at_series>$series "* ]]; then
            if [[ -z $UPGRADE_TOOL ]]; then
                log "upgrade of the data directory from $family $at_series to $series (a supported step): recording $series; the server upgrades its system tables itself as it starts"
            else
                from=$at_series
                [[ $at_upgrade != *" pending" ]] || from=${at_upgrade%%>*}
                log "upgrade of the data directory from $family $at_series to $series (a supported step): recording $series, and its system tables' upgrade from $from as pending: the sidecar runs $UPGRADE_TOOL once the server answers"
                recorded+=$'\n'"upgrade=$from>$series pending"
            fi
            printf '%s\n' "$recorded" | install_file "$IDENTITY_FILE" root 0644
            return 0
        fi
        for step in $SERIES_UPGRADES; do
            [[ $step == "$family:"* ]] || continue
            step=${step#*:}
            steps+="${steps:+, }${step/>/ to }"
            [[ $step != "$at_series>"* ]] || next=${step#*>}
        done
        die "this volume's data was written by $family $at_series; this pod's server is $family $series, which is not a supported upgrade from it (one step at a time: $steps; never a downgrade): refusing to start the server on it. Set \`image\` to a $family $at_series server${next:+, or to $family $next (the supported step from $at_series)}."
    fi
    log "data identity checked: $this, $family $series"
    if [[ $at_upgrade == *" pending" ]]; then
        log "the system tables' upgrade ${at_upgrade% pending} is still pending (not yet run, or it failed): the sidecar runs ${UPGRADE_TOOL:-the upgrade} once the server answers"
    fi
}

# mysql-0 on an empty data directory, with no backup to restore (RESTORE_FROM): a new cluster, or a primary
# whose export came back empty (its server replaced, its directory wiped). In the second case the replicas
# still hold the data, and a new, empty primary would leave it behind: their servers run (a replica's server
# starts only on data it kept or cloned), so their MySQL port answers. Asked through the peer Service, which
# lists every pod's address, Ready or not (the replicas are not Ready while the primary is away); each
# address has PEER_CONNECT_TIMEOUT seconds to take a TCP connection. On a new cluster no other pod's server
# runs (with `bootstrap: parallel` the replicas wait for mysql-0 before they start theirs), so this costs one
# name lookup and connections refused at once. A peer that answers stops the start here, before anything is
# written to the volume; so does one that neither answers nor refuses in time (its node unreachable, its
# packets dropped): its server may hold the data, and the next start of this container asks again.
refuse_if_peers_hold_data() {
    local address lookup peers=() answered=() silent=() status
    # No address (no other pod, or the Service not there yet): nothing to ask.
    lookup=$(getent ahosts "$PEER_SERVICE") || lookup=""
    while read -r address _; do
        [[ -n $address && " ${peers[*]} " != *" $address "* ]] && peers+=("$address")
    done <<<"$lookup"
    for address in "${peers[@]}"; do
        # bash's /dev/tcp, in a child bash that timeout can end; this pod's own server is not running (this is
        # its init container). The single quotes are meant: the child expands its own arguments.
        # shellcheck disable=SC2016
        if timeout "$PEER_CONNECT_TIMEOUT" bash -c 'exec 3<>"/dev/tcp/$1/$2"' _ "$address" "$MYSQL_PORT" 2>/dev/null; then
            answered+=("$address")
        else
            status=$?
            # 124: timeout ended it, the connection neither taken nor refused.
            ((status != 124)) || silent+=("$address")
        fi
    done
    if ((${#answered[@]} == 0 && ${#silent[@]} == 0)); then
        log "empty data directory: no other pod's server answers (${#peers[@]} address(es) behind $PEER_SERVICE): a new cluster"
        return 0
    fi
    local found message
    if ((${#answered[@]} > 0)); then
        found="${answered[*]}"
        message="$HOSTNAME's data directory is empty, but the server of ${#answered[@]} other pod(s) of this StatefulSet answers on port $MYSQL_PORT (${found// /, }, from $PEER_SERVICE): they hold the data. The data directory was NOT initialised: a new, empty primary would leave their data behind. Fix: give mysql-0 its data back (the export's old contents), then \`kubectl delete pod $HOSTNAME\`; or restore the newest backup into a new stack (restoreFrom, docs/backups.md). See docs/troubleshooting.md, \"mysql-0 refuses an empty data directory\"."
    else
        found="${silent[*]}"
        message="$HOSTNAME's data directory is empty, and port $MYSQL_PORT of ${#silent[@]} other pod(s) of this StatefulSet (${found// /, }, from $PEER_SERVICE) neither took nor refused a connection within $PEER_CONNECT_TIMEOUT s (their node unreachable, or the network dropping it): their servers may hold the data. The data directory was NOT initialised; this container asks again on its next start. Fix: bring their node back, or, if it is lost, delete those pods (docs/node-loss.md); then the check sees what runs. See docs/troubleshooting.md, \"mysql-0 refuses an empty data directory\"."
    fi
    log "REFUSED: $message"
    report phase=refused peers="${found// /,}" error="$message"
    exit 1
}

if ((ordinal == 0)) && [[ -z ${RESTORE_FROM:-} ]] && ! has_data "$DATA_ROOT/$DATA_SUBPATH"; then
    refuse_if_peers_hold_data
fi

check_identity

printf '[mysqld]\nserver-id=%d\n' "$((SERVER_ID_BASE + ordinal))" >"$INIT_CONF_DIR/server-id.cnf"
if ((ordinal == 0)); then
    cp "$CONFIG_MAP_DIR/primary.cnf" "$INIT_CONF_DIR/"
else
    cp "$CONFIG_MAP_DIR/replica.cnf" "$INIT_CONF_DIR/"
fi
cp "$CONFIG_MAP_DIR/tls.cnf" "$CONFIG_MAP_DIR/custom.cnf" "$INIT_CONF_DIR/"
# mysqld reads its config as SERVER_OS_USER.
chmod 0644 "$INIT_CONF_DIR"/*.cnf

root_password=$(read_password root-password)
replication_password=$(read_password replication-password)
backup_password=$(read_password backup-password)

client_config root "$root_password" | install_file "$CREDENTIALS_DIR/root.cnf" root 0600
client_config backup "$backup_password" | install_file "$CREDENTIALS_DIR/backup.cnf" root 0600
printf '%s' "$replication_password" | install_file "$CREDENTIALS_DIR/replication-password" root 0600
# The server image's entrypoint reads this as SERVER_OS_USER; mysqld reads the TLS files.
printf '%s' "$root_password" | install_file "$CREDENTIALS_DIR/root-password" "$SERVER_OS_USER" 0400
# The passwords this pod's files hold, which rotate-credentials.sh (the sidecar) compares with the Secret.
mkdir -p "$CREDENTIALS_DIR/$APPLIED_DIR"
for key in root-password replication-password backup-password ${APP_PASSWORD_KEY:+"$APP_PASSWORD_KEY"}; do
    read_password "$key" | install_file "$CREDENTIALS_DIR/$APPLIED_DIR/$key" root 0600
done
install_file "$CREDENTIALS_DIR/ca.crt" "$SERVER_OS_USER" 0444 <"$TLS_SECRET_DIR/ca.crt"
install_file "$CREDENTIALS_DIR/tls.crt" "$SERVER_OS_USER" 0444 <"$TLS_SECRET_DIR/tls.crt"
install_file "$CREDENTIALS_DIR/tls.key" "$SERVER_OS_USER" 0400 <"$TLS_SECRET_DIR/tls.key"

# mysql-0's new data directory, made here (the flavor's INSTALL_DB, in the server image) rather than by the
# image's entrypoint, which would start a temporary server for root's password and the accounts, stop it,
# and start the server again: the server starts once, and takes them as its --init-file (mysql-run.sh).
# The time-zone tables (named zones such as 'Europe/Berlin' in CONVERT_TZ or time_zone) are loaded by the
# install's own bootstrap server (--extra-file): ~0.5 s here, against ~1.5 s through a client once the
# server serves, and written to no binlog (every other pod gets them with its clone). A tool that finds no
# zones leaves the tables empty, as the image's entrypoint would.
# Made beside the data directory and renamed into place, so an install cut short leaves no data directory;
# FIRST_START_MARKER, written first, stays until the server has taken the accounts (sidecar.sh).
install_data_dir() {
    local data_dir="$DATA_ROOT/$DATA_SUBPATH" staging="$DATA_ROOT/$DATA_SUBPATH.install-in-progress" output
    local zones_sql="$DATA_ROOT/time-zones.sql" zones extra=()
    log "new data directory: creating it (${INSTALL_DB%% *}); the server takes the cluster's accounts on its first start"
    printf 'created %(%Y-%m-%dT%H:%M:%S)T\n' -1 >"$FIRST_START_MARKER"
    rm -rf "$staging"
    mkdir -p "$staging"
    if [[ -n $TIME_ZONE_TOOL ]]; then
        # The tool warns (on stderr) about the files under the directory that are not zones.
        { echo "USE mysql;" && "$TIME_ZONE_TOOL" "$ZONEINFO_DIR" 2>/dev/null; } >"$zones_sql" ||
            die "$TIME_ZONE_TOOL $ZONEINFO_DIR failed"
        zones=$(grep -c "INSERT INTO time_zone_name" "$zones_sql") || zones=0
        if ((zones > 0)); then
            log "with the $zones time zones in $ZONEINFO_DIR"
            extra=(--extra-file="$zones_sql")
        else
            log "WARNING: $TIME_ZONE_TOOL found no time zones in $ZONEINFO_DIR: named time zones will not work"
        fi
    fi
    # INSTALL_DB is the command and its options, as words. As root (--user=root: no user switch, which
    # would take capabilities this container does not have); the files are then given to the server's user.
    # shellcheck disable=SC2086 # word splitting intended
    output=$($INSTALL_DB --user=root --datadir="$staging" "${extra[@]}" 2>&1) || die "${INSTALL_DB%% *} failed: $output"
    rm -f "$zones_sql"
    chown -R "$SERVER_OS_USER:" "$staging"
    # kubelet may have created the data subPath as an empty directory.
    rmdir "$data_dir" 2>/dev/null || true
    mv "$staging" "$data_dir"
}

if ((ordinal == 0)); then
    app_password=""
    [[ -z $APP_PASSWORD_KEY ]] || app_password=$(read_password "$APP_PASSWORD_KEY")
    if [[ -n $INSTALL_DB ]] && ! has_data "$DATA_ROOT/$DATA_SUBPATH"; then
        install_data_dir
    fi
    sql=$(<"$CONFIG_MAP_DIR/users.sql.in")
    if [[ -e $FIRST_START_MARKER ]]; then
        # The server's first start takes it as its --init-file (mysql-run.sh), securing root first.
        sql=$SECURE_ROOT_SQL$'\n'$sql
        users_file=$FIRST_START_SQL
    else
        # Run by the entrypoint only when it initialises an empty data dir; replicas get the accounts by clone.
        users_file=$INITDB_DIR/10-mysql-statefulset-users.sql
    fi
    sql=${sql//\{root_password\}/"$(sql_string "$root_password")"}
    sql=${sql//\{replication_password\}/"$(sql_string "$replication_password")"}
    sql=${sql//\{backup_password\}/"$(sql_string "$backup_password")"}
    sql=${sql//\{app_password\}/"$(sql_string "$app_password")"}
    printf '%s\n' "$sql" | install_file "$users_file" "$SERVER_OS_USER" 0400
fi

log "ordinal $ordinal: $( ((ordinal == 0)) && echo primary || echo replica), server-id $((SERVER_ID_BASE + ordinal))"
report phase=configured
