// Fixed facts of the cluster's contract: ports, mount paths and file names that the builders, the pod
// scripts and the tests all refer to. Each is defined here once.

/** Pulumi type token of the component. */
export const COMPONENT_TYPE = "mysql-statefulset:index:MySqlCluster";

/** The MySQL protocol port, on every pod and on both Services. */
export const MYSQL_PORT = 3306;
/** The port on which each pod's sidecar streams a backup to the next ordinal (the tutorial's 3307). */
export const CLONE_PORT = 3307;

/** Names of the containers, kept as the tutorial's so `kubectl logs mysql-0 clone-mysql` still works. */
export const CONTAINERS = {
    init: "init-mysql",
    clone: "clone-mysql",
    mysql: "mysql",
    sidecar: "xtrabackup",
    /** The container of the scheduled backup Job's pod. */
    backup: "backup",
    /** An init container that copies the rclone binary out of its image for the containers that upload or download. */
    rclone: "rclone",
    /** Ships mysql-0's binlogs to the bucket (binlog-ship.sh); idle on the other ordinals. */
    binlogShip: "binlog-ship",
    /**
     * A restore to a time's replay of the shipped binlogs onto the backup clone-mysql staged, in the server's
     * image (replay-binlogs.sh), then the move into place; on the other ordinals it ends at once.
     */
    replay: "replay-binlogs",
} as const;

/** Volume names in the pod template. `data` is also the claim template's name. */
export const VOLUMES = {
    data: "data",
    conf: "conf",
    configMap: "config-map",
    scripts: "scripts",
    /** The Secrets, mounted in init-mysql only: the passwords, and the TLS material. */
    secrets: "secrets",
    tls: "tls",
    /** Memory-backed: what init-mysql derives from the Secrets for the other containers. */
    credentials: "credentials",
    /** Memory-backed: the SQL that creates the users, run by the server image's entrypoint on first start. */
    initdb: "initdb",
    /** The backup volume: written by the backup Job, read (read-only) by a restoring mysql-0's clone-mysql. */
    backups: "backups",
    /** The rclone binary, copied here by the rclone init container. */
    rclone: "rclone",
    /** The object store's credentials Secret (`backupS3CredentialsSecret`), in the containers that talk to it. */
    objectStoreCredentials: "object-store-credentials",
} as const;

/** Where things are mounted inside the containers. */
export const PATHS = {
    /** The server's data directory (the claim's `mysql` subdirectory). */
    dataDir: "/var/lib/mysql",
    /** Subdirectory of the claim that holds the data directory, as in the tutorial. */
    dataSubPath: "mysql",
    /** The whole claim, seen by clone-mysql so that it can clone beside the data dir and rename atomically. */
    dataRoot: "/mnt/data",
    /** Generated server config (server-id, role, TLS), read by mysqld through the image's includedir. */
    confDir: "/etc/mysql/conf.d",
    /** Where init-mysql writes the generated config (the same emptyDir as confDir). */
    initConfDir: "/mnt/conf.d",
    /** The ConfigMap with primary.cnf, replica.cnf and custom.cnf. */
    configMapDir: "/mnt/config-map",
    /** The pod scripts. */
    scriptsDir: "/opt/mysql-statefulset",
    /** The passwords Secret as files, seen by init-mysql only. */
    secretsDir: "/mnt/secrets",
    /** The TLS Secret as files, seen by init-mysql only. */
    tlsSecretDir: "/mnt/tls",
    /**
     * A memory-backed emptyDir: the client option files, the password file the server image's entrypoint
     * reads, and the TLS files, each written by init-mysql under umask 077.
     */
    credentialsDir: "/etc/mysql-credentials",
    /** The server image's entrypoint runs the files here once, when it initialises an empty data dir. */
    initdbDir: "/docker-entrypoint-initdb.d",
    /** The system's time-zone files in the server image, which init-mysql loads into a new data directory. */
    zoneinfoDir: "/usr/share/zoneinfo",
    /** The backup volume, in the backup Job's pod and in a restoring mysql-0's clone-mysql (read-only there). */
    backupsDir: "/mnt/backups",
    /** The TLS Secret as files in the backup Job's pod (its client certificate for the clone stream). */
    backupTlsDir: "/etc/mysql-tls",
    /** Where the rclone init container puts the binary (an emptyDir). */
    rcloneDir: "/opt/rclone",
    /** The rclone binary in the rclone image (rclone/rclone's Dockerfile copies it there). */
    rcloneInImage: "/usr/local/bin/rclone",
    /** The object store's credentials Secret as files. */
    objectStoreCredentialsDir: "/etc/backup-object-store",
} as const;

/** Keys of the `backupS3CredentialsSecret` Secret, named as rclone's and the AWS tools' settings are. */
export const OBJECT_STORE_KEYS = { accessKeyId: "access-key-id", secretAccessKey: "secret-access-key" } as const;

/**
 * On the claim, beside the data directory: present from the moment init-mysql creates mysql-0's data
 * directory until the server has taken the cluster's accounts (its first start, with CREDENTIAL_FILES.firstStartSql
 * as `--init-file`); mysql-0's sidecar removes it once root logs in.
 */
export const FIRST_START_MARKER = `${PATHS.dataRoot}/first-start-pending`;

/**
 * On the claim, beside the data directory: present while the data must be (re)cloned (a replica's
 * self-repair); the mysql container does not start the server while it exists.
 */
export const CLONE_MARKER = `${PATHS.dataRoot}/clone-pending`;

/**
 * On the claim, beside the data directory: which cluster (namespace/name and its UID), ordinal and server
 * (family and series) the data belongs to. Written and checked by init-mysql on every start, so that a pod
 * of another cluster, ordinal, flavor or series never starts mysqld on it; never cloned, backed up or
 * restored with the data, which lives in the subPath.
 */
export const IDENTITY_FILE = `${PATHS.dataRoot}/identity`;

/**
 * How long one startup or readiness probe waits for its condition (probe-wait.sh), in milliseconds: under
 * the probes' period of 1 s, so the next pod of the ordered start follows as soon as the server serves
 * instead of at the next period, and a probe that keeps failing still counts one failure per period.
 */
export const PROBE_WAIT_MS = 800;

/** How often the sidecar looks at replication (for a replica that cannot resume), in seconds. */
export const WATCH_INTERVAL_SECONDS = 10;

/**
 * How long a clone waits for its donor to become Ready before it gives way to the next lower Ready ordinal
 * (clone-mysql.sh's DONOR_WAIT), in seconds: a donor that cannot start or crash-loops does not hold up its
 * receivers for good, and one that is merely slow (a `bootstrap: parallel` round) is waited for.
 */
export const DONOR_WAIT_SECONDS = 60;

/**
 * How long mysql-0, starting on an empty data directory, gives each other pod's address to take a TCP
 * connection on the MySQL port (init-mysql.sh's empty-data guard), in seconds. A pod whose server does not run
 * refuses at once; only an address that does not answer at all (its node gone) takes this long.
 */
export const PEER_CONNECT_TIMEOUT_SECONDS = 2;

/**
 * How long mysql-0 waits, after it first sees a new password in the Secret, before changing it on the
 * servers: kubelet refreshes each pod's Secret volume on its own (its sync period, a minute by default, plus
 * its cache), and each replica must have its next option file, which readiness falls back to, by then.
 */
export const ROTATION_GRACE_SECONDS = 60;

/** Files init-mysql writes into {@link PATHS.credentialsDir}. */
export const CREDENTIAL_FILES = {
    /** `[client]` option file of root over 127.0.0.1: probes and the sidecar's local SQL. */
    rootClient: "root.cnf",
    /** `[client]` option file of the backup user: the backup tool. */
    backupClient: "backup.cnf",
    /** The root password alone, for the image entrypoint's `*_ROOT_PASSWORD_FILE` (owned by mysql). */
    rootPassword: "root-password",
    /** The replication password alone, for the sidecar's CHANGE MASTER/REPLICATION SOURCE statement. */
    replicationPassword: "replication-password",
    /** The passwords the files above hold, one file per Secret key: what a rotation compares the Secret with. */
    applied: "applied",
    /**
     * The SQL mysql-0's server runs as its `--init-file` on the first start of a data directory init-mysql
     * created (the flavor's `installDb`): root's password and the cluster's accounts. Owned by mysql.
     */
    firstStartSql: "first-start.sql",
    /** Written (epoch seconds) while a replica's replication is stopped to take a new password. */
    rotationMarker: "replication-rotating",
    /** The cluster's CA certificate, its certificate and key (owned by mysql: the server reads them). */
    caCert: "ca.crt",
    tlsCert: "tls.crt",
    tlsKey: "tls.key",
} as const;

/** The root client option file that probes and scripts pass as --defaults-extra-file. */
export const ROOT_CLIENT_CONFIG = `${PATHS.credentialsDir}/${CREDENTIAL_FILES.rootClient}`;

/** Keys of the configuration ConfigMap. */
export const CONFIG_FILES = {
    primary: "primary.cnf",
    replica: "replica.cnf",
    tls: "tls.cnf",
    custom: "custom.cnf",
    /** Not a my.cnf: the accounts' SQL with password placeholders (see builders/config.ts usersSql). */
    users: "users.sql.in",
} as const;

/** The operating-system account every server image runs mysqld as; it must be able to read its TLS files. */
export const SERVER_OS_USER = "mysql";

/** The pod scripts, as files under pod/ and keys of the scripts ConfigMap. */
export const SCRIPT_FILES = {
    lib: "lib.sh",
    init: "init-mysql.sh",
    clone: "clone-mysql.sh",
    sidecar: "sidecar.sh",
    cloneEndpointReady: "clone-endpoint-ready.sh",
    mysqlReady: "mysql-ready.sh",
    mysqlRun: "mysql-run.sh",
    backup: "backup.sh",
    restore: "restore-mysql.sh",
    replayBinlogs: "replay-binlogs.sh",
    restoreFinish: "restore-finish.sh",
    rotate: "rotate-credentials.sh",
    probeWait: "probe-wait.sh",
    binlogShip: "binlog-ship.sh",
} as const;

/** Keys of the credentials Secret, one password each. */
export const PASSWORD_KEYS = {
    root: "root-password",
    replication: "replication-password",
    backup: "backup-password",
    app: "app-password",
} as const;

/** Keys of the TLS Secret (a `kubernetes.io/tls` Secret with the CA beside it). */
export const TLS_KEYS = { cert: "tls.crt", key: "tls.key", ca: "ca.crt" } as const;

/** The accounts the component creates on the primary's first start (replicas get them with the clone). */
export const USERS = {
    /** Connects from the replicas; REPLICATION SLAVE only, TLS required. */
    replication: "replication",
    /** Runs the backup tool in the sidecar; local connections only, the backup tool's privileges only. */
    backup: "backup",
} as const;

/** Hosts from which root (and the backup user) may log in: the pod itself. */
export const LOCAL_HOSTS = ["localhost", "127.0.0.1", "::1"] as const;

/** The most pods a cluster may have (`replicas`, `maxReplicas`); the certificate names each one's short host. */
export const MAX_REPLICAS = 100;

/** server-id of ordinal N is SERVER_ID_BASE + N, as in the tutorial. */
export const SERVER_ID_BASE = 100;

/**
 * The metrics sidecar (`metrics` setting): the upstream mysqld_exporter image, pinned, on its usual port; the
 * account it logs in with; the Secret file that holds its `[client]` options (user, password, host, port),
 * which it reads with `--config.my-cnf`; and the container on every pod that keeps that account on mysql-0.
 * @see https://github.com/prometheus/mysqld_exporter#required-grants
 */
export const METRICS = {
    image: "prom/mysqld-exporter:v0.18.0",
    port: 9104,
    portName: "metrics",
    path: "/metrics",
    /** The exporter's container. */
    container: "metrics",
    /** The container that creates the exporter's account on mysql-0 (the other pods get it by replication). */
    accountContainer: "metrics-account",
    user: "exporter",
    /** The exporter's connections at most (its upstream README's advice, so a stuck server cannot pile them up). */
    maxUserConnections: 3,
    /** The volume of the exporter's Secret and where it is mounted. */
    volume: "metrics",
    dir: "/etc/mysqld-exporter",
    /** Keys of the exporter's Secret: its option file, and the password alone (for the account's SQL). */
    configKey: "my.cnf",
    passwordKey: "password",
    /** How often metrics-account checks that the exporter can log in, in seconds. */
    accountCheckSeconds: 30,
    /** The uid the exporter runs as: the upstream image's `nobody`. */
    runAsUser: 65534,
} as const;

/**
 * The binlog shipper's own metrics (`metrics` with `binlogShipIntervalSeconds`), which mysqld_exporter cannot
 * see: binlog-ship.sh writes them after every round as a Prometheus text file (written whole, then renamed) into
 * a memory-backed emptyDir, and `rclone serve http` (the rclone image, already pulled for the rclone init
 * container) serves that directory on its own port. The file ends in `.txt`, so rclone answers with
 * `Content-Type: text/plain`, the text format's media type, which Prometheus 3 requires (it refuses a scrape
 * with no or an unknown Content-Type). rclone re-reads the directory on each request (`--dir-cache-time 0s`).
 * @see https://rclone.org/commands/rclone_serve_http/
 * @see https://prometheus.io/docs/instrumenting/content_negotiation
 */
export const BINLOG_SHIP_METRICS = {
    port: 9105,
    portName: "binlog-metrics",
    file: "binlog-ship.txt",
    path: "/binlog-ship.txt",
    /** The container that serves the file. */
    container: "binlog-ship-metrics",
    /** The emptyDir the shipper writes and the server reads, and where both mount it. */
    volume: "binlog-ship-metrics",
    dir: "/run/binlog-ship-metrics",
    /** The uid the server runs as (`nobody`): it only reads the file. */
    runAsUser: 65534,
} as const;

/** The pod scripts only a cluster with `metrics` has, as files under pod/ and keys of the scripts ConfigMap. */
export const METRICS_SCRIPT_FILES = {
    account: "metrics-account.sh",
} as const;
