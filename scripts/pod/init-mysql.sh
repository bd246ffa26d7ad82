#!/usr/bin/env bash
# init-mysql: gives this pod its server-id and role (primary for ordinal 0, read-only replica otherwise),
# the user's extra settings, and the client option file with the root credentials.
set -o errexit -o nounset -o pipefail
# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

ordinal=$(pod_ordinal)

printf '[mysqld]\nserver-id=%d\n' "$((SERVER_ID_BASE + ordinal))" >"$INIT_CONF_DIR/server-id.cnf"
if ((ordinal == 0)); then
    cp "$CONFIG_MAP_DIR/primary.cnf" "$INIT_CONF_DIR/"
else
    cp "$CONFIG_MAP_DIR/replica.cnf" "$INIT_CONF_DIR/"
fi
cp "$CONFIG_MAP_DIR/custom.cnf" "$INIT_CONF_DIR/"

# An option-file value in double quotes takes \\ and \" as escapes; a newline cannot be written at all.
[[ -n ${MYSQL_ROOT_PASSWORD:-} ]] || die "MYSQL_ROOT_PASSWORD is empty: the Secret must hold a password"
[[ $MYSQL_ROOT_PASSWORD != *$'\n'* ]] || die "the root password contains a newline, which no client can read from an option file"
password=${MYSQL_ROOT_PASSWORD//\\/\\\\}
password=${password//\"/\\\"}
# Written whole, then renamed, so a probe never reads half a file. Readable by every container of the pod
# (the backup image may run as another user); the memory-backed emptyDir belongs to this pod alone.
printf '[client]\nuser=%s\npassword="%s"\n' "$REPLICATION_USER" "$password" >"$CLIENT_CONFIG.tmp"
mv "$CLIENT_CONFIG.tmp" "$CLIENT_CONFIG"

log "ordinal $ordinal: $( ((ordinal == 0)) && echo primary || echo replica ), server-id $((SERVER_ID_BASE + ordinal))"
