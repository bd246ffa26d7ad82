#!/bin/bash
# Stand-in for /usr/local/bin/docker-entrypoint.sh of the official mariadb image, for the fake kubelet
# (tests/fake-kubelet). It keeps the paths of the image's script (MariaDB/mariadb-docker 11.4/docker-entrypoint.sh)
# that the component's render uses, with the same steps, function names and log lines: the root password from
# MARIADB_ROOT_PASSWORD or MYSQL_ROOT_PASSWORD (or their _FILE), root@localhost only, the time zones loaded
# unless MARIADB_INITDB_SKIP_TZINFO is set, /docker-entrypoint-initdb.d (*.sh, *.sql) on a temporary server,
# and nothing but `exec` on a data directory that is already initialised. Any other MARIADB_*/MYSQL_* setting
# of the image is refused with one line and exit 1. Differences are marked "fake kubelet:".
set -eo pipefail
shopt -s nullglob

mysql_log() {
	local type="$1"; shift
	printf '%s [%s] [Entrypoint]: %s\n' "$(date --rfc-3339=seconds)" "$type" "$*"
}
mysql_note() { mysql_log Note "$@"; }
mysql_warn() { mysql_log Warn "$@" >&2; }
mysql_error() { mysql_log ERROR "$@" >&2; exit 1; }

# fake kubelet: the image's settings this stand-in runs; MYSQL_CLIENT and MYSQL_PORT are the pod scripts', which
# the image does not read.
_refuse_other_settings() {
	local var
	for var in $(compgen -e); do
		case "$var" in
			MARIADB_ROOT_PASSWORD | MARIADB_ROOT_PASSWORD_FILE | MARIADB_ROOT_HOST | MARIADB_INITDB_SKIP_TZINFO | MARIADB_VERSION) ;;
			MYSQL_ROOT_PASSWORD | MYSQL_ROOT_PASSWORD_FILE | MYSQL_ROOT_HOST | MYSQL_INITDB_SKIP_TZINFO | MYSQL_CLIENT | MYSQL_PORT) ;;
			MARIADB_* | MYSQL_*) mysql_error "fake kubelet: the mariadb image's setting $var is not emulated by this stand-in (tests/fake-kubelet/README.md)" ;;
		esac
	done
}

# VAR from $VAR, or from the file named by $VAR_FILE (setting both is an error).
file_env() {
	local var="$1" def="${2:-}"
	local fileVar="${var}_FILE"
	if [ -n "${!var:-}" ] && [ -n "${!fileVar:-}" ]; then
		mysql_error "Both $var and $fileVar are set (but are exclusive)"
	fi
	local val="$def"
	if [ -n "${!var:-}" ]; then
		val="${!var}"
	elif [ -n "${!fileVar:-}" ]; then
		val="$(< "${!fileVar}")"
	fi
	export "$var"="$val"
	unset "$fileVar"
}

# MYSQL_xyz and MARIADB_xyz are the same setting; MARIADB_xyz wins, both end up equal.
_mariadb_file_env() {
	local var="$1"; shift
	local maria="MARIADB_${var#MYSQL_}"
	file_env "$var" "$@"
	file_env "$maria" "${!var}"
	if [ -n "${!maria:-}" ]; then
		export "$var"="${!maria}"
	fi
}

# Value of a server setting as mariadbd itself resolves it (config files + arguments + defaults).
_server_setting() {
	awk -v name="$1" '$1 == name && /^[^ \t]/ { sub(/^[^ \t]+[ \t]+/, ""); print; exit }' <<<"$2"
}

mysql_check_config() {
	local errors
	if ! errors="$("$@" --verbose --help 2>&1 >/dev/null)"; then
		mysql_error $'mariadbd failed while attempting to check config\n\tcommand was: '"$* --verbose --help"$'\n\t'"$errors"
	fi
}

docker_setup_env() {
	local help
	help="$("$@" --verbose --help 2>/dev/null)"
	declare -g DATADIR SOCKET PORT
	DATADIR="$(_server_setting datadir "$help")"
	SOCKET="$(_server_setting socket "$help")"
	PORT="$(_server_setting port "$help")"

	_mariadb_file_env 'MYSQL_ROOT_HOST' '%'
	_mariadb_file_env 'MYSQL_ROOT_PASSWORD'
	# fake kubelet: root@'%' (the image's default) is not emulated.
	if [ "$MARIADB_ROOT_HOST" != 'localhost' ]; then
		mysql_error "fake kubelet: MARIADB_ROOT_HOST is '$MARIADB_ROOT_HOST': this stand-in creates root@localhost only (set it to localhost)"
	fi
	: "${MARIADB_INITDB_SKIP_TZINFO:=${MYSQL_INITDB_SKIP_TZINFO:-}}"
	export MYSQL_INITDB_SKIP_TZINFO="$MARIADB_INITDB_SKIP_TZINFO" MARIADB_INITDB_SKIP_TZINFO

	declare -g DATABASE_ALREADY_EXISTS=
	if [ -d "$DATADIR/mysql" ]; then
		DATABASE_ALREADY_EXISTS='true'
	fi
}

docker_verify_minimum_env() {
	if [ -z "$MARIADB_ROOT_PASSWORD" ]; then
		mysql_error $'Database is uninitialized and password option is not specified\n\tYou need to specify one of MARIADB_ROOT_PASSWORD, MARIADB_ROOT_PASSWORD_HASH, MARIADB_ALLOW_EMPTY_ROOT_PASSWORD and MARIADB_RANDOM_ROOT_PASSWORD'
	fi
}

# The data directory and the socket directory must belong to mysql; only what does not is changed.
docker_create_db_directories() {
	mkdir -p "$DATADIR"
	if [ "$(id -u)" = "0" ]; then
		find "$DATADIR" \! -user mysql -exec chown mysql: '{}' +
		find "${SOCKET%/*}" -maxdepth 0 \! -user mysql -exec chown mysql: '{}' \;
	fi
}

docker_init_database_dir() {
	mysql_note "Initializing database files"
	local args=() arg
	# mariadb-install-db passes unknown options on to mariadbd, but cannot take whitespace.
	for arg in "${@:2}"; do
		if [[ "$arg" =~ [[:space:]] ]]; then
			mysql_warn "Not passing argument '$arg' to mariadb-install-db because mariadb-install-db does not support arguments with whitespace."
		else
			args+=("$arg")
		fi
	done
	mariadb-install-db --datadir="$DATADIR" --rpm --auth-root-authentication-method=normal "${args[@]}" \
		--skip-test-db \
		--old-mode='UTF8_IS_UTF8MB3' \
		--default-time-zone=SYSTEM --enforce-storage-engine= \
		--skip-log-bin \
		--expire-logs-days=0 \
		--loose-innodb_buffer_pool_load_at_startup=0 \
		--loose-innodb_buffer_pool_dump_at_shutdown=0
	mysql_note "Database files initialized"
}

# SQL on stdin; the root password travels in MYSQL_PWD, never in argv.
docker_process_sql() {
	local password=$MARIADB_ROOT_PASSWORD
	if [ '--dont-use-mysql-root-password' = "$1" ]; then
		shift
		password=
	fi
	MYSQL_PWD=$password mariadb --protocol=socket -uroot -hlocalhost --socket="${SOCKET}" "$@"
}

# Escapes \ and ' (and newlines) for a '...' SQL string literal.
docker_sql_escape_string_literal() {
	local newline=$'\n'
	local escaped=${1//\\/\\\\}
	escaped="${escaped//$newline/\\n}"
	echo "${escaped//\'/\\\'}"
}

docker_temp_server_start() {
	"$@" --skip-networking --default-time-zone=SYSTEM --socket="${SOCKET}" --wsrep_on=OFF \
		--expire-logs-days=0 \
		--loose-innodb_buffer_pool_load_at_startup=0 &
	declare -g MARIADB_PID
	MARIADB_PID=$!
	mysql_note "Waiting for server startup"
	local i
	for i in {30..0}; do
		if docker_process_sql --dont-use-mysql-root-password --database=mysql <<<'SELECT 1' &>/dev/null; then
			break
		fi
		sleep 1
	done
	if [ "$i" = 0 ]; then
		mysql_error "Unable to start server."
	fi
}

docker_temp_server_stop() {
	kill "$MARIADB_PID"
	wait "$MARIADB_PID"
}

# The image's healthcheck users, with a random password in the data directory's .my-healthcheck.cnf.
# fake kubelet: the image uses pwgen, which this host may lack.
create_healthcheck_users() {
	local pass host
	pass="$(tr -dc 'A-Za-z0-9' </dev/urandom | head -c 32 || true)"
	for host in 127.0.0.1 ::1 localhost; do
		echo "CREATE USER IF NOT EXISTS healthcheck@'$host' IDENTIFIED BY '$pass';"
		echo "SET PASSWORD FOR healthcheck@'$host' = PASSWORD('$pass');"
		echo "GRANT USAGE ON *.* TO healthcheck@'$host';"
	done
	(
		umask 0077
		printf '[mariadb-client]\nport=%s\nsocket=%s\nuser=healthcheck\npassword=%s\nprotocol=tcp\n' \
			"$PORT" "$SOCKET" "$pass" >"$DATADIR/.my-healthcheck.cnf"
	)
}

docker_setup_db() {
	if [ -z "$MARIADB_INITDB_SKIP_TZINFO" ]; then
		mariadb-tzinfo-to-sql --skip-write-binlog /usr/share/zoneinfo \
			| docker_process_sql --dont-use-mysql-root-password --database=mysql
	fi
	local rootPasswordEscaped createHealthCheckUsers
	rootPasswordEscaped="$(docker_sql_escape_string_literal "$MARIADB_ROOT_PASSWORD")"
	createHealthCheckUsers="$(create_healthcheck_users)"

	mysql_note "Securing system users (equivalent to running mysql_secure_installation)"
	# Users of the securing part are not binlogged: replicas must not receive them.
	docker_process_sql --dont-use-mysql-root-password --database=mysql --binary-mode <<-EOSQL
		SET @orig_sql_log_bin= @@SESSION.SQL_LOG_BIN;
		SET @@SESSION.SQL_LOG_BIN=0;
		SET @@SESSION.SQL_MODE=REPLACE(@@SESSION.SQL_MODE, 'NO_BACKSLASH_ESCAPES', '');
		DROP USER IF EXISTS root@'127.0.0.1', root@'::1';
		EXECUTE IMMEDIATE CONCAT('DROP USER IF EXISTS root@\'', @@hostname,'\'');
		SET PASSWORD FOR 'root'@'localhost'= PASSWORD('${rootPasswordEscaped}');
		${createHealthCheckUsers}
		SET @@SESSION.SQL_LOG_BIN=@orig_sql_log_bin;
	EOSQL
}

docker_process_init_files() {
	# shellcheck disable=SC2034 # for sourced scripts that use "${mysql[@]}"
	mysql=( docker_process_sql )
	echo
	local f
	for f; do
		case "$f" in
			*.sh)
				if [ -x "$f" ]; then
					mysql_note "$0: running $f"
					"$f"
				else
					mysql_note "$0: sourcing $f"
					# shellcheck disable=SC1090 # an init script of the image's user, named at run time
					. "$f"
				fi
				;;
			*.sql)     mysql_note "$0: running $f"; docker_process_sql < "$f"; echo ;;
			*)         mysql_error "fake kubelet: $f: only *.sh and *.sql init files are emulated by this stand-in" ;;
		esac
		echo
	done
}

docker_mariadb_init() {
	# Fails early (permissions) rather than leaving a half-initialised datadir.
	ls /docker-entrypoint-initdb.d/ >/dev/null

	docker_init_database_dir "$@"

	mysql_note "Starting temporary server"
	docker_temp_server_start "$@"
	mysql_note "Temporary server started."

	docker_setup_db
	docker_process_init_files /docker-entrypoint-initdb.d/*

	mysql_note "Stopping temporary server"
	docker_temp_server_stop
	mysql_note "Temporary server stopped"
	echo
	mysql_note "MariaDB init process done. Ready for start up."
	echo
}

_mysql_want_help() {
	local arg
	for arg; do
		case "$arg" in
			-'?'|--help|--print-defaults|-V|--version) return 0 ;;
		esac
	done
	return 1
}

_main() {
	# An option as first argument means "mariadbd with these options".
	if [ "${1:0:1}" = '-' ]; then
		set -- mariadbd "$@"
	fi

	if { [ "$1" = 'mariadbd' ] || [ "$1" = 'mysqld' ]; } && ! _mysql_want_help "$@"; then
		mysql_note "Entrypoint script for MariaDB Server ${MARIADB_VERSION} started."
		_refuse_other_settings
		mysql_check_config "$@"
		docker_setup_env "$@"
		docker_create_db_directories

		if [ "$(id -u)" = "0" ]; then
			mysql_note "Switching to dedicated user 'mysql'"
			# fake kubelet: the image runs gosu (not on this host); setpriv does the same and, like gosu,
			# HOME is set from the user's passwd entry. setpriv is reached outside the image PATH.
			HOME="$(awk -F: '$1 == "mysql" { print $6 }' /etc/passwd)"
			export HOME
			exec /.fake-kubelet/usr/bin/setpriv --reuid=mysql --regid=mysql --init-groups -- "${BASH_SOURCE[0]}" "$@"
		fi

		# fake kubelet: on an initialised data directory the image only checks for an upgrade, which it skips
		# unless MARIADB_AUTO_UPGRADE is set (refused here): nothing to do.
		if [ -z "$DATABASE_ALREADY_EXISTS" ]; then
			docker_verify_minimum_env
			docker_mariadb_init "$@"
		fi
		# As the image does before it starts the server: no password reaches the server's environment.
		unset MARIADB_ROOT_PASSWORD MYSQL_ROOT_PASSWORD MARIADB_ROOT_HOST MYSQL_ROOT_HOST
	fi
	exec "$@"
}

_main "$@"
