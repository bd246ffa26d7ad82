#!/usr/bin/env bash
# metrics-account (with the `metrics` setting): keeps the metrics exporter's account. On mysql-0, once the
# server answers and whenever the exporter cannot log in with its options file (the Secret's password), runs
# EXPORTER_ACCOUNT_SQL as root: the account for every local host with the Secret's password and the flavor's
# grants; the statements replicate to every replica, whose exporters log in with the same file. So the
# account exists whether the cluster had metrics from its first start or turned them on later, and after a
# restore from a backup taken before. On the other pods it only waits. Never ends on a failed attempt: the
# next check retries.
set -o errexit -o nounset -o pipefail
# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

trap 'exit 0' TERM INT
ordinal=$(pod_ordinal)

exporter_logs_in() {
    "$MYSQL_CLIENT" --defaults-extra-file="$EXPORTER_CONFIG" --execute="SELECT 1" >/dev/null 2>&1
}

ensure_account() {
    local password statements
    exporter_logs_in && return 0
    password=$(<"$EXPORTER_PASSWORD_FILE")
    statements=${EXPORTER_ACCOUNT_SQL//\{password\}/"$(sql_string "$password")"}
    # shellcheck disable=SC2119 # the statements come on stdin, not as arguments
    if root_sql <<<"$statements"; then
        log "the exporter's account '$EXPORTER_USER' is ready"
    else
        log "making the exporter's account failed; retrying in $CHECK_INTERVAL s"
    fi
}

if ((ordinal == 0)); then
    wait_for_mysqld
    log "the server answers: checking the exporter's account every $CHECK_INTERVAL s"
else
    log "a replica: the exporter's account comes from mysql-0 by replication"
fi
while true; do
    ((ordinal != 0)) || ensure_account
    pause "$CHECK_INTERVAL"
done
