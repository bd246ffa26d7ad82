// The database flavors the cluster can run. The pod scripts hold one logic for all of them; everything
// that differs between flavors (images, binary names, my.cnf words, replication statements, names of the
// backup tool's info files) is data here, handed to the scripts as environment variables.

import { ImageFamily } from "./imageReference";

/**
 * The server family, as init-mysql reads it from the server binary (`--version` says "MariaDB" or not):
 * recorded with the data directory, which the other family's servers cannot open.
 */
export type ServerFamily = "mysql" | "mariadb";

/**
 * The series (major.minor) upgrades a data directory may take in one step, per family: a patch release
 * within a series always, MySQL 5.7 → 8.0 → 8.4 LTS, MariaDB LTS to the next LTS. Anything else (a
 * downgrade, a skipped step) is refused by init-mysql before mysqld touches the data.
 * @see https://dev.mysql.com/doc/refman/8.4/en/upgrade-paths.html
 * @see https://mariadb.com/kb/en/upgrading/
 */
export const SERIES_UPGRADES: Readonly<Record<ServerFamily, readonly (readonly [from: string, to: string])[]>> = {
    mysql: [
        ["5.7", "8.0"],
        ["8.0", "8.4"],
    ],
    mariadb: [
        ["10.6", "10.11"],
        ["10.11", "11.4"],
        ["11.4", "11.8"],
    ],
};

/** {@link SERIES_UPGRADES} as init-mysql reads it: `family:from>to` words, e.g. `mysql:5.7>8.0`. */
export function seriesUpgradesWords(): string {
    return Object.entries(SERIES_UPGRADES)
        .flatMap(([family, steps]) => steps.map(([from, to]) => `${family}:${from}>${to}`))
        .join(" ");
}

/** What one flavor needs the scripts and the probes to say. */
export interface Flavor {
    /** The value of the `flavor` setting. */
    readonly name: FlavorName;
    /** One line for the docs and error messages. */
    readonly description: string;
    /** Default image of `init-mysql` and `mysql` (the server). */
    readonly image: string;
    /** Default image of `clone-mysql` and `xtrabackup` (backup tool, stream tool, client, transport). */
    readonly backupImage: string;
    /** The images that can stand in for `image`: the same server series, from any registry. */
    readonly serverImages: ImageFamily;
    /** The images that can stand in for `backupImage`: the backup tool that matches the server series. */
    readonly backupImages: ImageFamily;
    /** The server binary the image's entrypoint is given (its CMD); init-mysql asks it for its version. */
    readonly server: string;
    /** Client binary (in both images). */
    readonly client: string;
    /** Admin binary used by the liveness probe (in the server image). */
    readonly admin: string;
    /** The hot-backup tool, in the backup image. */
    readonly backupTool: string;
    /** The tool that unpacks the backup stream, in the backup image. */
    readonly streamTool: string;
    /**
     * How init-mysql creates mysql-0's new data directory itself, in the server image: the command (without
     * `--user` and `--datadir`), with the options the image's entrypoint gives it; and the SQL that, before
     * the cluster's accounts (users.sql), secures root as the entrypoint would (placeholder {root_password}).
     * The server then starts once, taking both as its `--init-file`, where the entrypoint would start a
     * temporary server for them, stop it and start the server again. `timeZoneTool` writes the time-zone
     * tables' SQL from the system's zoneinfo, which the install's own bootstrap server loads too. Unset:
     * the entrypoint does it all, the time zones included (as the images do by default).
     */
    readonly installDb?: { readonly command: readonly string[]; readonly secureRootSql: string; readonly timeZoneTool: string };
    /**
     * What brings the system tables (the `mysql` schema) up to the server's series after a supported series
     * step (SERIES_UPGRADES), run once by the sidecar against the running server, as root through its
     * option file: the tool, in the server image and the backup image (the sidecar runs the latter), and
     * its options. Unset: the server upgrades its own system tables at startup, or no step leads to this
     * flavor's series (see docs/upgrades.md):
     * - MySQL 8.0.16 and later (so 8.4, the `mysql84` flavor) upgrade the data dictionary and the system
     *   tables themselves when they start on older data (`--upgrade=AUTO`, the default); `mysql_upgrade` is
     *   deprecated there and does nothing.
     * - MySQL 5.7 (`mysql57`) is the oldest series: no step leads to it, and a 5.7 patch release is not a
     *   series change, so nothing here runs `mysql_upgrade` (5.7 wants it after every upgrade, patch
     *   releases included; its images' entrypoint does not run it either, and the backup image has none):
     *   run it by hand after moving a 5.7 cluster to a newer 5.7 release (docs/upgrades.md).
     */
    readonly upgrade?: { readonly tool: string; readonly options: readonly string[] };
    /** How the backup is carried over the clone port: the binary the backup image has. */
    readonly transport: "ncat" | "socat";
    /** my.cnf lines of the primary, under [mysqld]. */
    readonly primaryConfig: readonly string[];
    /**
     * my.cnf lines of every replica, under [mysqld]: read-only, and crash-safe (a relay log a crash left
     * behind is discarded and fetched again, the replication position kept in tables), with binlogs of
     * what it applies, so that any replica is a donor as good as the primary.
     */
    readonly replicaConfig: readonly string[];
    /**
     * my.cnf lines of every replica that make it apply with `threads` workers in parallel (the
     * `replicaApplyThreads` setting), committing in the primary's order, so that no reader of a replica
     * sees a transaction before one the primary committed earlier.
     */
    readonly parallelApplyConfig: (threads: number) => string[];
    /** How the readiness check asks a replica about replication, and the names of the fields it reads. */
    readonly replicaStatus: {
        readonly statement: string;
        readonly ioRunning: string;
        readonly sqlRunning: string;
        readonly lag: string;
        readonly ioErrno: string;
        readonly ioError: string;
        /** The I/O thread's state: connecting, registering, requesting the binlog, or connected. */
        readonly ioState: string;
    };
    /**
     * Prefixes of the info files the backup tool writes into the backup (`<prefix>_binlog_info`,
     * `<prefix>_slave_info`, `<prefix>_checkpoints`), in the order they are looked for.
     */
    readonly backupInfoPrefixes: readonly string[];
    /**
     * The statements a new replica runs once, after its clone, to start replicating over TLS, verifying
     * the primary's certificate against the cluster's CA. Placeholders: {file} {pos} (binlog
     * coordinates), {gtid} (GTID position), {host} {port} {user} {password} {ca}.
     */
    readonly replicationSql: string;
    /**
     * What a replica runs to log in to the primary with a new replication password (a rotation, see
     * rotate-credentials.sh): replication stopped for that moment. Placeholder: {password}.
     */
    readonly changeReplicationPasswordSql: string;
    /**
     * What the backup user is granted, as `privileges ON object` clauses: what the backup tool needs for a
     * hot backup with the donor's replication coordinates (`--slave-info`), and no more.
     */
    readonly backupGrants: readonly string[];
    /**
     * What the metrics exporter's account is granted (`metrics`), as `privileges ON object` clauses: the
     * status, variables, InnoDB metrics and processlist (PROCESS), the replication status and the binlogs'
     * sizes, and the performance schema, as mysqld_exporter's README asks, and no more.
     * @see https://github.com/prometheus/mysqld_exporter#required-grants
     */
    readonly exporterGrants: readonly string[];
    /**
     * Run once by mysql-0 after a restore (its first start, as mysqld's `init-file`), so that the restored
     * primary's GTID state continues the backup's and replicas can auto-position on it. Placeholder:
     * {gtid} (the GTID position in the backup's manifest). Empty when binlog coordinates need nothing.
     */
    readonly restoreSql: string;
    /**
     * Binlog shipping (binlog-ship.sh) and restores to a time (replay-binlogs.sh); unset: the flavor's
     * binlogs are not shipped. Every flavor's binlogs are `log-bin=mysql-bin` in the data directory, rotated by
     * FLUSH BINARY LOGS (RELOAD; the scripts use root). A restore to a time sets the replaying server's GTID
     * state to the backup's with {@link restoreSql} first, replays, and reads the state back with `gtidSql`.
     */
    readonly binlogs?: {
        /** The GTID state the server has logged, on one line: SHIPPED's `gtid`, and the replay's result. */
        readonly gtidSql: string;
        /**
         * The tool that prints binlogs as SQL, in the backup's image: clone-mysql decodes the binlogs with it, and
         * the replay-binlogs container, in the server's image (mysql:8.4 has none), pipes the SQL into the client.
         */
        readonly tool: string;
        /** The tool's option that skips what the backup holds, given `=<the backup's GTID state>`. */
        readonly skipBackupOption: string;
        /**
         * A bash regular expression over the tool's print of a binlog's first events: group 1 is the GTID state
         * the file starts from (its `# ` continuation prefixes removed); no match: an empty state.
         */
        readonly firstStatePattern: string;
        /**
         * SQL that answers 1 when the state {first} (the oldest shipped file's start) is within {gtid} (the
         * backup's), asked of the replaying server; empty: the script compares the positions per GTID domain
         * (MariaDB's `domain-server-seqno` positions, for which MariaDB has no function), before any download.
         */
        readonly containsSql: string;
        /** Options of the server that replays, beside the script's (socket only, no network, its own binlog). */
        readonly replayServerOptions: readonly string[];
    };
}

/** Repositories of MySQL-compatible servers whose data directories and backup tools are MySQL's. */
const MYSQL_SERVER_REPOSITORIES = ["mysql", "mysql-server", "percona-server"];

/** MariaDB 10 and later (mariadb-backup, GTID slave_pos); its own images carry the backup tool. */
const MARIADB_IMAGES: ImageFamily = {
    description: "a MariaDB (10 or later) image",
    repositories: [{ name: "mariadb", version: /^[1-9][0-9](?![0-9])/ }],
};

/** mysqld_exporter's grants on MySQL (its README's, with SELECT narrowed to the performance schema). */
const MYSQL_EXPORTER_GRANTS = ["PROCESS, REPLICATION CLIENT ON *.*", "SELECT ON performance_schema.*"];

/** SHOW SLAVE STATUS and its fields, in MySQL 5.7 and MariaDB alike. */
const SLAVE_STATUS: Flavor["replicaStatus"] = {
    statement: "SHOW SLAVE STATUS",
    ioRunning: "Slave_IO_Running",
    sqlRunning: "Slave_SQL_Running",
    lag: "Seconds_Behind_Master",
    ioErrno: "Last_IO_Errno",
    ioError: "Last_IO_Error",
    ioState: "Slave_IO_State",
};

const mysql57: Flavor = {
    name: "mysql57",
    description: "MySQL 5.7 with Percona XtraBackup 2.4, the tutorial's images (MySQL 5.7 is end of life)",
    image: "mysql:5.7",
    backupImage: "gcr.io/google-samples/xtrabackup:1.0",
    serverImages: {
        description: "a MySQL 5.7 server image",
        repositories: MYSQL_SERVER_REPOSITORIES.map((name) => ({ name, version: /^5\.7(?![0-9])/ })),
    },
    backupImages: {
        description: "an XtraBackup 2.4 image",
        // The tutorial's image is versioned on its own (1.0 holds XtraBackup 2.4).
        repositories: [{ name: "xtrabackup" }, { name: "percona-xtrabackup", version: /^2\.4(?![0-9])/ }],
    },
    server: "mysqld",
    client: "mysql",
    admin: "mysqladmin",
    backupTool: "xtrabackup",
    streamTool: "xbstream",
    transport: "ncat",
    // Dependencies by write sets (5.7.22+), so that replicas can apply in parallel what the primary's
    // clients wrote at the same time even when it committed them apart; `loose-` lets an older 5.7 start.
    primaryConfig: [
        "log-bin=mysql-bin",
        "loose-transaction-write-set-extraction=XXHASH64",
        "loose-binlog-transaction-dependency-tracking=WRITESET",
    ],
    replicaConfig: [
        "super-read-only",
        "log-bin=mysql-bin",
        "log-slave-updates",
        "relay-log-recovery=ON",
        "relay-log-info-repository=TABLE",
        "master-info-repository=TABLE",
    ],
    // Commit order needs log-slave-updates, which replicaConfig sets.
    parallelApplyConfig: (threads) => [
        "slave-parallel-type=LOGICAL_CLOCK",
        `slave-parallel-workers=${threads}`,
        "slave-preserve-commit-order=ON",
    ],
    replicaStatus: SLAVE_STATUS,
    backupInfoPrefixes: ["xtrabackup"],
    replicationSql: [
        "STOP SLAVE;",
        "CHANGE MASTER TO MASTER_LOG_FILE='{file}', MASTER_LOG_POS={pos}, MASTER_HOST='{host}', MASTER_PORT={port},",
        "  MASTER_USER='{user}', MASTER_PASSWORD='{password}', MASTER_CONNECT_RETRY=10,",
        "  MASTER_SSL=1, MASTER_SSL_CA='{ca}', MASTER_SSL_VERIFY_SERVER_CERT=1;",
        "START SLAVE;",
    ].join("\n"),
    changeReplicationPasswordSql: "STOP SLAVE; CHANGE MASTER TO MASTER_PASSWORD='{password}'; START SLAVE;",
    // XtraBackup 2.4: FLUSH TABLES WITH READ LOCK, the binlog position, SHOW SLAVE STATUS for --slave-info.
    backupGrants: ["RELOAD, LOCK TABLES, PROCESS, REPLICATION CLIENT ON *.*"],
    exporterGrants: MYSQL_EXPORTER_GRANTS,
    // File and position: replicas of the restored primary clone from it and read its own binlog position.
    restoreSql: "",
};

const mysql84: Flavor = {
    name: "mysql84",
    description: "MySQL 8.4 LTS with Percona XtraBackup 8.4, GTID auto-positioning",
    image: "mysql:8.4",
    backupImage: "percona/percona-xtrabackup:8.4",
    serverImages: {
        description: "a MySQL 8.4 server image",
        repositories: MYSQL_SERVER_REPOSITORIES.map((name) => ({ name, version: /^8\.4(?![0-9])/ })),
    },
    backupImages: {
        description: "a Percona XtraBackup 8.4 image",
        repositories: [{ name: "percona-xtrabackup", version: /^8\.4(?![0-9])/ }],
    },
    server: "mysqld",
    client: "mysql",
    admin: "mysqladmin",
    backupTool: "xtrabackup",
    streamTool: "xbstream",
    transport: "socat",
    primaryConfig: ["log-bin=mysql-bin", "gtid-mode=ON", "enforce-gtid-consistency=ON"],
    // 8.4 keeps binlogs and replica updates on, and the positions in tables, by default.
    replicaConfig: ["super-read-only", "gtid-mode=ON", "enforce-gtid-consistency=ON", "relay-log-recovery=ON"],
    // 8.4 tracks dependencies by write sets on the primary, always (binlog_transaction_dependency_tracking
    // is gone) and applies by them (replica_parallel_type is deprecated): the worker count and the commit
    // order are all there is to say, both spelt out although they are 8.4's defaults (4, ON).
    parallelApplyConfig: (threads) => [`replica-parallel-workers=${threads}`, "replica-preserve-commit-order=ON"],
    replicaStatus: {
        statement: "SHOW REPLICA STATUS",
        ioRunning: "Replica_IO_Running",
        sqlRunning: "Replica_SQL_Running",
        lag: "Seconds_Behind_Source",
        ioErrno: "Last_IO_Errno",
        ioError: "Last_IO_Error",
        ioState: "Replica_IO_State",
    },
    backupInfoPrefixes: ["xtrabackup"],
    replicationSql: [
        "STOP REPLICA;",
        "RESET BINARY LOGS AND GTIDS;",
        "SET GLOBAL gtid_purged='{gtid}';",
        "CHANGE REPLICATION SOURCE TO SOURCE_HOST='{host}', SOURCE_PORT={port}, SOURCE_USER='{user}',",
        "  SOURCE_PASSWORD='{password}', SOURCE_AUTO_POSITION=1, SOURCE_CONNECT_RETRY=10,",
        // Over verified TLS caching_sha2_password sends the password encrypted: no GET_SOURCE_PUBLIC_KEY.
        "  SOURCE_SSL=1, SOURCE_SSL_CA='{ca}', SOURCE_SSL_VERIFY_SERVER_CERT=1;",
        "START REPLICA;",
    ].join("\n"),
    changeReplicationPasswordSql: "STOP REPLICA; CHANGE REPLICATION SOURCE TO SOURCE_PASSWORD='{password}'; START REPLICA;",
    // XtraBackup 8.4: backup locks (BACKUP_ADMIN), performance_schema.log_status, SHOW REPLICA STATUS.
    backupGrants: [
        "BACKUP_ADMIN, RELOAD, LOCK TABLES, PROCESS, REPLICATION CLIENT ON *.*",
        "SELECT ON performance_schema.log_status",
        "SELECT ON performance_schema.keyring_component_status",
        "SELECT ON performance_schema.replication_group_members",
    ],
    exporterGrants: MYSQL_EXPORTER_GRANTS,
    // With binlogs on, mysql.gtid_executed is written only at binlog rotation: the restored table lags.
    restoreSql: ["RESET BINARY LOGS AND GTIDS;", "SET GLOBAL gtid_purged='{gtid}';"].join("\n"),
    // Checked by render and stand-ins only: no MySQL server or mysqlbinlog can be installed where the tests run.
    binlogs: {
        // A set of several server UUIDs is printed with a line break after each comma.
        gtidSql: "SELECT REPLACE(@@global.gtid_executed, '\\n', '')",
        // percona-xtrabackup:8.4's (percona-server-client), where clone-mysql decodes: mysql:8.4 has no mysqlbinlog
        // (its minimal server package leaves it out since 8.0.30: docker-library/mysql #847, #903, #907).
        tool: "mysqlbinlog",
        skipBackupOption: "--exclude-gtids",
        // mysqlbinlog prints the Previous-GTIDs event as `# <uuid>:<intervals>` lines (`,` ends all but the last),
        // or `# [empty]`.
        firstStatePattern: "Previous-GTIDs\n# ([0-9a-fA-F]{8}-[^\n]*(\n# [0-9a-fA-F]{8}-[^\n]*)*)",
        containsSql: "SELECT GTID_SUBSET('{first}', '{gtid}')",
        // GTID events replay only with GTIDs on; the backup's replication channel is not started; no X Protocol.
        replayServerOptions: ["--gtid-mode=ON", "--enforce-gtid-consistency=ON", "--skip-replica-start", "--mysqlx=OFF"],
    },
};

const mariadb: Flavor = {
    name: "mariadb",
    description: "MariaDB 11.4 LTS with mariadb-backup, GTID replication",
    image: "mariadb:11.4",
    backupImage: "mariadb:11.4",
    serverImages: MARIADB_IMAGES,
    // The server image carries mariadb-backup and mbstream.
    backupImages: MARIADB_IMAGES,
    server: "mariadbd",
    client: "mariadb",
    admin: "mariadb-admin",
    backupTool: "mariadb-backup",
    streamTool: "mbstream",
    // As MariaDB/mariadb-docker's docker-entrypoint.sh (11.4) runs it, and secures root as it does with
    // MARIADB_ROOT_HOST=localhost: root@localhost gets its password, root for other hosts is dropped.
    installDb: {
        command: [
            "mariadb-install-db",
            "--rpm",
            "--auth-root-authentication-method=normal",
            "--skip-test-db",
            "--old-mode=UTF8_IS_UTF8MB3",
            "--default-time-zone=SYSTEM",
            "--enforce-storage-engine=",
            "--skip-log-bin",
            "--expire-logs-days=0",
            "--loose-innodb_buffer_pool_load_at_startup=0",
            "--loose-innodb_buffer_pool_dump_at_shutdown=0",
        ],
        secureRootSql: [
            "SET @@SESSION.SQL_LOG_BIN=0;",
            "DROP USER IF EXISTS root@'127.0.0.1', root@'::1';",
            "EXECUTE IMMEDIATE CONCAT('DROP USER IF EXISTS root@\\'', @@hostname, '\\'');",
            "SET PASSWORD FOR 'root'@'localhost' = PASSWORD('{root_password}');",
            "SET @@SESSION.SQL_LOG_BIN=1;",
        ].join("\n"),
        // The tool the image's entrypoint loads the zones with.
        timeZoneTool: "mariadb-tzinfo-to-sql",
    },
    // As MariaDB/mariadb-docker's docker-entrypoint.sh (11.4) runs it with MARIADB_AUTO_UPGRADE: the system
    // tables only (the user tables' check, a full `mariadb-upgrade`, can take long on big data: run it by
    // hand if wanted). Its statements are not binlogged (it sets sql_log_bin=0): every pod upgrades its own.
    upgrade: { tool: "mariadb-upgrade", options: ["--upgrade-system-tables"] },
    transport: "socat",
    primaryConfig: ["log-bin=mysql-bin"],
    // MariaDB has no super-read-only: read-only stops every account without SUPER / READ ONLY ADMIN.
    replicaConfig: ["read-only", "log-bin=mysql-bin", "log-slave-updates", "relay-log-recovery=ON"],
    // Optimistic: any two transactions may run at once, a conflict is rolled back and retried, and
    // commits always happen in the primary's binlog order (MariaDB's parallel replication never reorders
    // commits), so nothing depends on how the primary grouped its commits. The slave_* names: 10.11 has
    // no replica_* aliases for them.
    parallelApplyConfig: (threads) => ["slave-parallel-mode=optimistic", `slave-parallel-threads=${threads}`],
    replicaStatus: SLAVE_STATUS,
    // 11.1+ writes mariadb_backup_*; 10.11 and older write xtrabackup_*.
    backupInfoPrefixes: ["mariadb_backup", "xtrabackup"],
    replicationSql: [
        "STOP SLAVE;",
        "SET GLOBAL gtid_slave_pos='{gtid}';",
        "CHANGE MASTER TO MASTER_HOST='{host}', MASTER_PORT={port}, MASTER_USER='{user}', MASTER_PASSWORD='{password}',",
        "  MASTER_USE_GTID=slave_pos, MASTER_CONNECT_RETRY=10,",
        "  MASTER_SSL=1, MASTER_SSL_CA='{ca}', MASTER_SSL_VERIFY_SERVER_CERT=1;",
        "START SLAVE;",
    ].join("\n"),
    changeReplicationPasswordSql: "STOP SLAVE; CHANGE MASTER TO MASTER_PASSWORD='{password}'; START SLAVE;",
    // mariadb-backup (10.5+ privilege names): BACKUP STAGE locks, the binlog position, SHOW SLAVE STATUS.
    backupGrants: ["RELOAD, PROCESS, LOCK TABLES, BINLOG MONITOR, SLAVE MONITOR ON *.*"],
    // REPLICATION CLIENT is BINLOG MONITOR since 10.5, which no longer covers SHOW SLAVE STATUS (SLAVE MONITOR).
    exporterGrants: ["PROCESS, BINLOG MONITOR, SLAVE MONITOR ON *.*", "SELECT ON performance_schema.*"],
    // The backup came from a replica: its gtid_slave_pos would outrank the new primary's empty binlog in
    // gtid_current_pos, which its replicas clone; the binlog state continues the old sequence instead.
    restoreSql: ["RESET MASTER;", "SET GLOBAL gtid_slave_pos='';", "SET GLOBAL gtid_binlog_state='{gtid}';"].join("\n"),
    binlogs: {
        gtidSql: "SELECT @@global.gtid_binlog_pos",
        // GTID start positions in mariadb-binlog: MariaDB 10.8+.
        tool: "mariadb-binlog",
        skipBackupOption: "--start-position",
        firstStatePattern: "Gtid list \\[([^]]*)\\]",
        containsSql: "",
        replayServerOptions: [],
    },
};

const BY_NAME = { mysql57, mysql84, mariadb };

/** The names the `flavor` setting takes: the literal union of MySqlClusterArgs' `flavor`. */
export type FlavorName = keyof typeof BY_NAME;

/** Every flavor, by the name the `flavor` setting takes (indexed by any string: values arrive unchecked). */
export const FLAVORS: Readonly<Record<string, Flavor>> = BY_NAME;

/** {@link FlavorName}'s values, in their order. */
export const FLAVOR_NAMES = Object.keys(BY_NAME) as FlavorName[];

/** The flavor used when `flavor` is not set: the tutorial's. */
export const DEFAULT_FLAVOR = mysql57.name;
