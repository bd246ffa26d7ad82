#!/usr/bin/env bash
# init-mysql: gives this pod its server-id and role (primary for ordinal 0, read-only replica otherwise),
# TLS and the user's extra settings; turns the Secrets into the files the other containers read (client
# option files, the entrypoint's root password file, the TLS files) in a memory-backed volume, all under
# umask 077; and, on the primary, the SQL that creates the cluster's accounts on its first start.
set -o errexit -o nounset -o pipefail
# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
umask 077

ordinal=$(pod_ordinal)

printf '[mysqld]\nserver-id=%d\n' "$((SERVER_ID_BASE + ordinal))" >"$INIT_CONF_DIR/server-id.cnf"
if ((ordinal == 0)); then
    cp "$CONFIG_MAP_DIR/primary.cnf" "$INIT_CONF_DIR/"
else
    cp "$CONFIG_MAP_DIR/replica.cnf" "$INIT_CONF_DIR/"
fi
cp "$CONFIG_MAP_DIR/tls.cnf" "$CONFIG_MAP_DIR/custom.cnf" "$INIT_CONF_DIR/"
# mysqld reads its config as SERVER_OS_USER.
chmod 0644 "$INIT_CONF_DIR"/*.cnf

# A password from the Secret, checked: an option file cannot hold a line break.
read_password() {
    local file="$SECRETS_DIR/$1" value
    [[ -s $file ]] || die "the Secret has no $1: it must hold every password"
    value=$(<"$file")
    [[ $value != *$'\n'* ]] || die "$1 contains a line break, which no client can read from an option file"
    printf '%s' "$value"
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

# "[client]" option file; a double-quoted value takes \\ and \" as escapes.
client_config() {
    local password=${2//\\/\\\\}
    password=${password//\"/\\\"}
    printf '[client]\nuser=%s\npassword="%s"\n' "$1" "$password"
}

root_password=$(read_password root-password)
replication_password=$(read_password replication-password)
backup_password=$(read_password backup-password)

client_config root "$root_password" | install_file "$CREDENTIALS_DIR/root.cnf" root 0600
client_config backup "$backup_password" | install_file "$CREDENTIALS_DIR/backup.cnf" root 0600
printf '%s' "$replication_password" | install_file "$CREDENTIALS_DIR/replication-password" root 0600
# The server image's entrypoint reads this as SERVER_OS_USER; mysqld reads the TLS files.
printf '%s' "$root_password" | install_file "$CREDENTIALS_DIR/root-password" "$SERVER_OS_USER" 0400
install_file "$CREDENTIALS_DIR/ca.crt" "$SERVER_OS_USER" 0444 <"$TLS_SECRET_DIR/ca.crt"
install_file "$CREDENTIALS_DIR/tls.crt" "$SERVER_OS_USER" 0444 <"$TLS_SECRET_DIR/tls.crt"
install_file "$CREDENTIALS_DIR/tls.key" "$SERVER_OS_USER" 0400 <"$TLS_SECRET_DIR/tls.key"

if ((ordinal == 0)); then
    # Run by the entrypoint only when it initialises an empty data dir; replicas get the accounts by clone.
    app_password=""
    [[ -z $APP_PASSWORD_KEY ]] || app_password=$(read_password "$APP_PASSWORD_KEY")
    sql=$(<"$CONFIG_MAP_DIR/users.sql.in")
    sql=${sql//\{root_password\}/"$(sql_string "$root_password")"}
    sql=${sql//\{replication_password\}/"$(sql_string "$replication_password")"}
    sql=${sql//\{backup_password\}/"$(sql_string "$backup_password")"}
    sql=${sql//\{app_password\}/"$(sql_string "$app_password")"}
    printf '%s\n' "$sql" | install_file "$INITDB_DIR/10-mysql-statefulset-users.sql" "$SERVER_OS_USER" 0400
fi

log "ordinal $ordinal: $( ((ordinal == 0)) && echo primary || echo replica), server-id $((SERVER_ID_BASE + ordinal))"
