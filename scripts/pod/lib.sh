#!/usr/bin/env bash
# Sourced by the pod scripts: logging, the pod's ordinal, and the client option file that keeps the root
# password out of every command line. Everything flavor-specific arrives as environment variables set by
# the component (components/builders/statefulSet.ts).

log() {
    printf '%(%Y-%m-%dT%H:%M:%S)T %s\n' -1 "$*" >&2
}

die() {
    log "ERROR: $*"
    exit 1
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

wait_for_mysqld() {
    until sql --execute="SELECT 1" >/dev/null 2>&1; do
        sleep 1
    done
}
