#!/usr/bin/env bash
# Sourced by the pod scripts: logging, the pod's ordinal, SQL quoting, the clone stream's TLS options, and
# the client option file that keeps the root password out of every command line. Everything flavor-specific arrives as environment variables set by
# the component (components/builders/statefulSet.ts).

# socat options for both ends of a clone stream, so that a peer that vanishes without a word (its node
# died, its pod's network was torn down) ends the stream instead of wedging it until TCP gives up after
# ~15 minutes: keepalives catch an idle dead peer, TCP_USER_TIMEOUT (SOL_TCP 6, option 18) one that stops
# acknowledging data for 30 s. Without them a donor's single clone slot stays taken by the dead stream.
# shellcheck disable=SC2034 # used by the scripts that source this file
CLONE_SOCKET_OPTIONS="keepalive,keepidle=10,keepintvl=5,keepcnt=3,setsockopt-int=6:18:30000"

# socat options for both ends' mutual TLS: this pod's certificate, and peers verified against the cluster's
# CA (verify=1 also makes the listener demand a client certificate). The certificate's names are
# wildcards over the headless Service, which the receiver checks against the donor's name it dialled.
# A function, not a variable set here: only the scripts that stream read TLS_*, so only their containers
# must set them (components/scriptContract.ts).
clone_tls_options() {
    echo "cert=$TLS_CERT,key=$TLS_KEY,cafile=$TLS_CA,verify=1"
}

# socat options of the listening end only: a client must finish its TLS handshake within 5 s or lose the
# single clone slot (SO_RCVTIMEO, SOL_SOCKET 1 option 20, a struct timeval of 5 s as two little-endian
# 64-bit words), and a connection that sends nothing is never even accepted (defer-accept). Without them a
# client that connects and stays silent holds the slot for as long as it likes. After the handshake the
# listener only writes (-U), so the read timeout never cuts a backup short.
# shellcheck disable=SC2034 # used by the scripts that source this file
CLONE_LISTEN_OPTIONS="defer-accept,setsockopt-bin=1:20:x05000000000000000000000000000000"

# The clone's copy settings, measured against a raw `tar` of the same data through the same network
# (`npm run bench`): socat moves the stream in CLONE_BUFFER_BYTES reads and writes (its default, 8 KiB,
# costs a system call per 8 KiB). Measured and left out: the backup tool's and the stream tool's
# --parallel (slower: most data sits in few large files, which one thread copies anyway, and the extra
# threads compete for the CPU with the stream's encryption); compression (the stream is CPU-bound, not
# link-bound); more --use-memory for the prepare (a fraction of a second after an idle donor's copy, and
# the sidecar's self-repair runs it within the sidecar's memory limit).
# shellcheck disable=SC2034 # used by the scripts that source this file
CLONE_BUFFER_BYTES=1048576

# How often (ms) the backup tool's redo-log copier looks for new redo while it copies; its default, 1000,
# makes a backup of a donor with fresh writes (every donor of a bootstrap: the accounts, the replicated
# rows) wait up to a second for the copier's next round before it can end. Measured on a
# bare MariaDB 10.11 with fresh writes (npm run bench's machine): a backup to /dev/null 1.1-1.2 s with the
# default, 0.25-0.45 s with 10 ms; without fresh writes the same either way (0.28-0.41 s).
# shellcheck disable=SC2034 # used by the scripts that source this file
CLONE_LOG_COPY_INTERVAL_MS=10

# Streams a backup from a donor's clone port to stdout: the transport's client, presenting this pod's
# certificate and verifying the donor's, ending after CLONE_IDLE_TIMEOUT seconds without data.
receive_backup() {
    case $CLONE_TRANSPORT in
    ncat) ncat --recv-only --idle-timeout "${CLONE_IDLE_TIMEOUT}s" --ssl --ssl-verify --ssl-trustfile "$TLS_CA" "$1" "$CLONE_PORT" ;;
    socat) socat -T "$CLONE_IDLE_TIMEOUT" -b "$CLONE_BUFFER_BYTES" -u "OPENSSL:$1:$CLONE_PORT,connect-timeout=10,$CLONE_SOCKET_OPTIONS,$(clone_tls_options)" STDOUT ;;
    *) die "unknown CLONE_TRANSPORT '$CLONE_TRANSPORT'" ;;
    esac
}

# Prints the first non-empty `<prefix>_<kind>` info file a backup left, by the flavor's prefixes: in the
# directory $2, or (without one) in the current directory, by its bare name.
info_file() {
    local prefix path
    for prefix in $BACKUP_INFO_PREFIXES; do
        path=${2:+$2/}${prefix}_$1
        if [[ -s $path ]]; then
            echo "$path"
            return 0
        fi
    done
    return 1
}

# Reads a backup's replication position into POSITION_FILE, POSITION_POS, POSITION_GTID and
# POSITION_SOURCE (the info file read), from the info files in $1 (default: the current directory).
# A donor that was itself a replica wrote `*_slave_info` (the primary's coordinates); a donor that was the
# primary wrote only `*_binlog_info` (its own, "file<TAB>position[<TAB>gtid]", a long GTID set maybe
# wrapped over lines). Fails when there is neither; dies on a position that is not a number.
read_position() {
    local text
    POSITION_FILE="" POSITION_POS="" POSITION_GTID=""
    if POSITION_SOURCE=$(info_file slave_info "${1:-}"); then
        text=$(<"$POSITION_SOURCE")
        text=${text//$'\n'/ }
        [[ $text =~ _LOG_FILE[[:space:]]*=[[:space:]]*\'([^\']+)\' ]] && POSITION_FILE=${BASH_REMATCH[1]}
        [[ $text =~ _LOG_POS[[:space:]]*=[[:space:]]*([0-9]+) ]] && POSITION_POS=${BASH_REMATCH[1]}
        [[ $text =~ gtid_(slave_pos|purged)[[:space:]]*=[[:space:]]*\'([^\']*)\' ]] && POSITION_GTID=${BASH_REMATCH[2]}
    elif POSITION_SOURCE=$(info_file binlog_info "${1:-}"); then
        text=$(<"$POSITION_SOURCE")
        text=${text//$'\n'/}
        if [[ $text == *$'\t'* ]]; then
            IFS=$'\t' read -r POSITION_FILE POSITION_POS POSITION_GTID <<<"$text"
        else
            read -r POSITION_FILE POSITION_POS POSITION_GTID <<<"$text"
        fi
    else
        POSITION_SOURCE=""
        return 1
    fi
    # A GTID set of several server UUIDs (MySQL) comes wrapped after its commas: one word, as the scripts pass it.
    POSITION_GTID=${POSITION_GTID//[[:space:]]/}
    [[ -z $POSITION_POS || $POSITION_POS =~ ^[0-9]+$ ]] ||
        die "$POSITION_SOURCE has a binlog position '$POSITION_POS' that is not a number"
}

# Seconds (with milliseconds) between two $EPOCHREALTIME readings, e.g. `elapsed "$started" "$EPOCHREALTIME"`.
elapsed() {
    local us=$((${2/./} - ${1/./}))
    printf '%d.%03d' $((us / 1000000)) $((us / 1000 % 1000))
}

log() {
    printf '%(%Y-%m-%dT%H:%M:%S)T %s\n' -1 "$*" >&2
}

# The message of the last `die`, for report_exit.
DIED=""

die() {
    DIED=$*
    log "ERROR: $*"
    exit 1
}

# The script's status record (docs/diagnose.md): `key=value` lines, the fields and phases declared in
# components/podStatus.ts, written whole to STATUS_FILE, the container's terminationMessagePath. kubelet reports
# the file as the container's terminated.message when it ends; `npm run diagnose` reads it there, or with
# `kubectl exec … cat` while the container runs. One printf, so a reader sees the old record or the new one.
# A line break in a value becomes a space; each value is cut at 1024 bytes (kubelet keeps the last 4096).
# STATUS_CONTEXT holds pairs every later record repeats (a clone's donor), the arguments' own coming after
# them (the last of a key counts). An empty STATUS_FILE reports nothing.
STATUS_CONTEXT=()
report() {
    local pair record
    [[ -n $STATUS_FILE ]] || return 0
    record="script=${0##*/}"$'\n'"at=$(printf '%(%Y-%m-%dT%H:%M:%S)T' -1)"
    for pair in "${STATUS_CONTEXT[@]}" "$@"; do
        pair=${pair//$'\n'/ }
        record+=$'\n'${pair:0:1024}
    done
    printf '%s\n' "$record" >"$STATUS_FILE" || log "cannot write the status record to $STATUS_FILE"
}

# Reports a failed exit ($1 the status, $2 the command that failed): phase=failed with the die message, or
# that command; unless a script this one ran has reported its own failure already (the sidecar's self-repair),
# or this one reported a refusal (phase=refused) before it exited.
report_failure() {
    local current=""
    (($1 != 0)) || return 0
    [[ ! -f $STATUS_FILE ]] || current=$(<"$STATUS_FILE")
    [[ $'\n'$current$'\n' != *$'\n'phase=failed$'\n'* && $'\n'$current$'\n' != *$'\n'phase=refused$'\n'* ]] || return 0
    report phase=failed error="${DIED:-exit status $1 at: $2}"
}

# The scripts that report call this first: a failed exit is reported (report_failure).
report_exit() {
    trap 'report_failure $? "$BASH_COMMAND"' EXIT
}

# The ordinal of this pod, from its name (HOSTNAME is the pod name in every container of a StatefulSet pod;
# the tutorial's `hostname` binary is missing from newer mysql images).
pod_ordinal() {
    [[ ${HOSTNAME:-} =~ -([0-9]+)$ ]] || die "cannot read the pod's ordinal from HOSTNAME='${HOSTNAME:-}'"
    echo "${BASH_REMATCH[1]}"
}

# Runs the database client as root over TCP, with the password from the option file init-mysql wrote.
sql() {
    "$MYSQL_CLIENT" --defaults-extra-file="$CLIENT_CONFIG" --host=127.0.0.1 --port="$MYSQL_PORT" "$@"
}

# sql, or, when the server already takes only root's new password during a rotation (rotate-credentials.sh),
# with root's next option file. Statements in the arguments or on stdin, which is read once for both tries.
root_sql() {
    local input
    input=$(cat)
    sql "$@" <<<"$input" 2>/dev/null || CLIENT_CONFIG="$CLIENT_CONFIG.next" sql "$@" <<<"$input"
}

# Writes a file whole, then renames it, so that no reader ever sees half of it; owner and mode as given.
install_file() {
    local path=$1 owner=$2 mode=$3
    cat >"$path.tmp"
    # chmod first: once the file is another user's, changing its mode would take CAP_FOWNER.
    chmod "$mode" "$path.tmp"
    chown "$owner" "$path.tmp"
    mv "$path.tmp" "$path"
}

# A password from the Secret, checked: an option file cannot hold a line break.
read_password() {
    local file="$SECRETS_DIR/$1" value
    [[ -s $file ]] || die "the Secret has no $1: it must hold every password"
    value=$(<"$file")
    [[ $value != *$'\n'* ]] || die "$1 contains a line break, which no client can read from an option file"
    printf '%s' "$value"
}

# "[client]" option file; a double-quoted value takes \\ and \" as escapes.
client_config() {
    local password=${2//\\/\\\\}
    password=${password//\"/\\\"}
    printf '[client]\nuser=%s\npassword="%s"\n' "$1" "$password"
}

# A value escaped for a single-quoted SQL string: backslash and quote.
sql_string() {
    local value=${1//\\/\\\\}
    printf '%s' "${value//\'/\\\'}"
}

# Succeeds while something in this pod listens on the TCP port (the pod's containers share its network).
listening() {
    local port table local_address state
    port=$(printf '%04X' "$1")
    for table in /proc/net/tcp /proc/net/tcp6; do
        [[ -r $table ]] || continue
        # Columns: sl local_address rem_address st ...; state 0A is LISTEN.
        while read -r _ local_address _ state _; do
            [[ $local_address == *":$port" && $state == 0A ]] && return 0
        done <"$table"
    done
    return 1
}

# The value of one field of a vertical (\G) result, e.g. `field "$status" Slave_IO_Running`.
field() {
    local line
    while IFS= read -r line; do
        if [[ $line =~ ^\ *$2:\ ?(.*)$ ]]; then
            printf '%s' "${BASH_REMATCH[1]}"
            return 0
        fi
    done <<<"$1"
}

# The value of `key` in a file of key=value lines ($1 file, $2 key); fails when the key is absent.
key_value() {
    local key value
    while IFS='=' read -r key value; do
        if [[ $key == "$2" ]]; then
            printf '%s' "$value"
            return 0
        fi
    done <"$1"
    return 1
}

# Moves every entry of a directory (dot files too) into another, leaving the first empty but in place.
move_contents() {
    local entry existing=()
    # The globs in a for list, not an array literal: shfmt 3.6 cannot parse `[` inside `(...)`.
    for entry in "$1"/* "$1"/.[!.]* "$1"/..?*; do
        [[ -e $entry || -L $entry ]] && existing+=("$entry")
    done
    ((${#existing[@]} == 0)) || mv -- "${existing[@]}" "$2"/
}

# The binlog files a restore to a time downloaded into $1, oldest first, into the array `files`.
binlog_files() {
    local file
    files=()
    shopt -s nullglob
    for file in "$1"/*.[0-9]*; do files+=("$file"); done
    shopt -u nullglob
}

# Sleeps, interruptibly: a trapped signal is handled at once, not after the sleep.
pause() {
    sleep "$1" &
    wait $! || true
}

# Waits until the server answers; polled every 0.1 s, as each step after it (replication, then serving
# clones, then the next pod) waits on it.
wait_for_mysqld() {
    until sql --execute="SELECT 1" >/dev/null 2>&1; do
        pause 0.1
    done
}

# The object store (`backupS3Bucket`) as an rclone remote named "offsite", configured by environment
# variables so that no config file holds the keys; they are read from the mounted Secret, never traced.
# Sets OBJECT_STORE_REMOTE, the remote path of the backups (offsite:BUCKET/PREFIX). Not in a command
# substitution: the variables it exports must reach rclone.
object_store_remote() {
    local key_id secret_key
    key_id=$(<"$OBJECT_STORE_KEY_ID_FILE") || die "cannot read the bucket's access key id from $OBJECT_STORE_KEY_ID_FILE (backupS3CredentialsSecret, key access-key-id)"
    secret_key=$(<"$OBJECT_STORE_SECRET_KEY_FILE") || die "cannot read the bucket's secret key from $OBJECT_STORE_SECRET_KEY_FILE (backupS3CredentialsSecret, key secret-access-key)"
    export RCLONE_CONFIG_OFFSITE_TYPE=s3 RCLONE_CONFIG_OFFSITE_ACCESS_KEY_ID=$key_id RCLONE_CONFIG_OFFSITE_SECRET_ACCESS_KEY=$secret_key
    export RCLONE_CONFIG_OFFSITE_REGION=$OBJECT_STORE_REGION
    # The bucket must exist: never try to create it (that needs a permission a backup should not have).
    export RCLONE_CONFIG_OFFSITE_NO_CHECK_BUCKET=true
    if [[ -n $OBJECT_STORE_ENDPOINT ]]; then
        export RCLONE_CONFIG_OFFSITE_PROVIDER=Other RCLONE_CONFIG_OFFSITE_ENDPOINT=$OBJECT_STORE_ENDPOINT
    else
        export RCLONE_CONFIG_OFFSITE_PROVIDER=AWS
    fi
    # No config file is wanted; without this rclone logs a notice that it found none.
    export RCLONE_CONFIG=/dev/null
    OBJECT_STORE_REMOTE="offsite:$OBJECT_STORE_BUCKET/$OBJECT_STORE_PREFIX"
}

# The good backups in the object store ($1: the remote path), oldest first: those whose MANIFEST is there
# (it is uploaded last). Sorted here: AWS lists keys in byte order, but not every S3-compatible server does
# (rclone serve s3 lists newest first), and the retention must never prune the newest.
object_store_backups() {
    local entry
    "$RCLONE" lsf -R --files-only --max-depth 2 --include '/*/MANIFEST' "$1" | while read -r entry; do
        printf '%s\n' "${entry%/MANIFEST}"
    done | LC_ALL=C sort
}
