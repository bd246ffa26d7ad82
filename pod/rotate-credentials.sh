#!/usr/bin/env bash
# Password rotation, run by the sidecar at every watch: when the Secret (its volume, which kubelet keeps
# current) holds a password other than the one this pod's credential files hold (APPLIED_DIR, written by
# init-mysql), the change is made on the servers, then in the files:
#   - mysql-0 runs ALTER USER for every host of the account, logged in with the files' (old) root password;
#     the statements replicate to every replica;
#   - a replica switches its files once the new password works (the ALTER USER has arrived), and, for the
#     replication account, once the primary takes it, points its replication at it (CHANGE MASTER TO
#     MASTER_PASSWORD or CHANGE REPLICATION SOURCE TO SOURCE_PASSWORD).
# Readiness never fails meanwhile: it falls back to root's next option file (`<root.cnf>.next`), and takes
# the moment replication is stopped to change its password (ROTATION_MARKER) as a replica still replicating.
# A step that cannot be made yet is left for the next watch; nothing here stops the sidecar.
set -o errexit -o nounset -o pipefail
# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
umask 077

ordinal=$(pod_ordinal)
applied="$CREDENTIALS_DIR/$APPLIED_DIR"

# The Secret's new value of the key, printed; fails when it has none or the same as the files.
new_password() {
    local key=$1 value
    # Absent while Pulumi re-creates the Secret (delete, then create): nothing to do until it is back.
    [[ -s $SECRETS_DIR/$key && -f $applied/$key ]] || return 1
    value=$(read_password "$key")
    [[ $value != "$(<"$applied/$key")" ]] || return 1
    printf '%s' "$value"
}

alter_user() {
    local user=$1 password=$2 hosts=$3 host statements=""
    for host in $hosts; do
        statements+="ALTER USER '$user'@'$host' IDENTIFIED BY '$(sql_string "$password")';"
    done
    # shellcheck disable=SC2119 # the statements come on stdin, not as arguments
    root_sql <<<"$statements"
}

done_with() {
    local key=$1 password=$2
    printf '%s' "$password" | install_file "$applied/$key" root 0600
    rm -f "$CREDENTIALS_DIR/seen-$key"
    log "rotated $key"
}

# mysql-0 changes a password on the servers only ROTATION_GRACE seconds after it first saw it in the Secret:
# kubelet refreshes each pod's Secret volume on its own schedule (within about a minute), and every replica
# must have written its next option file, which readiness falls back to, before the change reaches it.
grace_over() {
    local key=$1 seen="$CREDENTIALS_DIR/seen-$1" now
    printf -v now '%(%s)T' -1
    [[ -s $seen && $(<"$seen") =~ ^[0-9]+$ ]] || {
        printf '%s' "$now" >"$seen"
        log "$key changed in the Secret: changing it on the servers in $ROTATION_GRACE s"
    }
    (($(<"$seen") + ROTATION_GRACE <= now))
}

# root and backup: accounts of the local hosts, with an option file each.
rotate_local() {
    local key=$1 user=$2 config=$3 password
    # The next file outlives the switch by one watch: a probe that read the old file just before the switch
    # falls back to it just after.
    if ! password=$(new_password "$key"); then
        rm -f "$config.next"
        return 0
    fi
    client_config "$user" "$password" | install_file "$config.next" root 0600
    if ((ordinal == 0)); then
        grace_over "$key" || return 0
        alter_user "$user" "$password" "$LOCAL_HOSTS" || {
            log "ALTER USER $user failed; retrying at the next watch"
            return 0
        }
    elif ! "$MYSQL_CLIENT" --defaults-extra-file="$config.next" --host=127.0.0.1 --port="$MYSQL_PORT" --execute="SELECT 1" >/dev/null 2>&1; then
        return 0 # the primary's ALTER USER has not arrived yet
    fi
    install_file "$config" root 0600 <"$config.next"
    done_with "$key" "$password"
}

rotate_replication() {
    local password statement check="$CREDENTIALS_DIR/replication-check.cnf"
    password=$(new_password "$REPLICATION_PASSWORD_KEY") || return 0
    if ((ordinal == 0)); then
        grace_over "$REPLICATION_PASSWORD_KEY" || return 0
        alter_user "$REPLICATION_USER" "$password" "%" || return 0
    else
        # The primary takes the new password (over TLS, as replication logs in): only then switch.
        { client_config "$REPLICATION_USER" "$password" && printf 'ssl-ca=%s\n' "$TLS_CA"; } | install_file "$check" root 0600
        if ! "$MYSQL_CLIENT" --defaults-extra-file="$check" --host="$PRIMARY_HOST" --port="$MYSQL_PORT" --execute="SELECT 1" >/dev/null 2>&1; then
            rm -f "$check"
            return 0
        fi
        rm -f "$check"
        statement=${REPLICATION_ROTATE_SQL//\{password\}/"$(sql_string "$password")"}
        printf '%(%s)T' -1 >"$ROTATION_MARKER"
        # As root, with its next option file if the primary's root password changed meanwhile.
        # shellcheck disable=SC2119 # the statement comes on stdin, not as arguments
        if ! root_sql <<<"$statement"; then
            rm -f "$ROTATION_MARKER"
            log "changing the replication password failed; retrying at the next watch"
            return 0
        fi
        rm -f "$ROTATION_MARKER"
    fi
    printf '%s' "$password" | install_file "$REPLICATION_PASSWORD_FILE" root 0600
    done_with "$REPLICATION_PASSWORD_KEY" "$password"
}

rotate_app() {
    local password
    [[ -n $APP_USER ]] || return 0
    password=$(new_password "$APP_PASSWORD_KEY") || return 0
    if ((ordinal == 0)); then
        alter_user "$APP_USER" "$password" "%" || return 0
    fi
    done_with "$APP_PASSWORD_KEY" "$password"
}

# root first: the other accounts' changes log in as root.
rotate_local "$ROOT_PASSWORD_KEY" root "$CLIENT_CONFIG"
rotate_local "$BACKUP_PASSWORD_KEY" "$BACKUP_USER" "$BACKUP_CLIENT_CONFIG"
rotate_replication
rotate_app
