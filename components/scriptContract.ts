// The contract between the builders and the pod scripts (pod/*.sh), declared once: for each script a
// container runs, the environment variables it reads and the scripts it runs in turn (which inherit its
// environment). The builders set a container's environment through `scriptEnv`, which accepts only the
// variables the container's scripts read (a compile-time check); tests/unit/scriptContract.test.ts reads
// the scripts' syntax trees and fails when a script reads a variable not declared here, or this declares
// one no script reads, and renders the pods to check that every container sets what its scripts need; the
// script tests (tests/unit/podScripts.test.ts) build their environments from it too.
//
// A script reads lib.sh's top level and the lib.sh functions it calls; their reads are the script's own here.

import * as pulumi from "@pulumi/pulumi";
import { METRICS_SCRIPT_FILES, SCRIPT_FILES } from "./constants";

/** A pod script a container runs (lib.sh is only sourced). */
export type PodScript = Exclude<
    (typeof SCRIPT_FILES)[keyof typeof SCRIPT_FILES] | (typeof METRICS_SCRIPT_FILES)[keyof typeof METRICS_SCRIPT_FILES],
    typeof SCRIPT_FILES.lib
>;

/** The official mysql images' entrypoint, which mysql-run.sh runs for the flavors whose image makes the data directory. */
export const IMAGE_ENTRYPOINT = "docker-entrypoint.sh";

/** What a script reads from its environment. */
export interface ScriptEnvironment {
    /** Read under `nounset`: the script fails without them. */
    readonly required?: readonly string[];
    /** Read only with a default (`${X:-}`): they may be unset. */
    readonly optional?: readonly string[];
    /** Pod scripts it runs, which inherit its environment. */
    readonly runs?: readonly PodScript[];
    /**
     * What it also reads, or runs, only when an optional variable is set and not empty, by that variable:
     * `SERVER_OS_USER: { required: ["DATA_DIR"] }`.
     */
    readonly ifSet?: Readonly<Record<string, { readonly required?: readonly string[]; readonly runs?: readonly PodScript[] }>>;
}

/**
 * What backup.sh and restore-mysql.sh read with a bucket (backupS3Bucket): rclone and the bucket's settings
 * (lib.sh `object_store_remote`).
 */
const OBJECT_STORE = {
    optional: ["OBJECT_STORE_BUCKET"],
    ifSet: {
        OBJECT_STORE_BUCKET: {
            required: [
                "OBJECT_STORE_ENDPOINT",
                "OBJECT_STORE_KEY_ID_FILE",
                "OBJECT_STORE_PREFIX",
                "OBJECT_STORE_REGION",
                "OBJECT_STORE_SECRET_KEY_FILE",
                "RCLONE",
            ],
        },
    },
} as const;

/** Every pod script's environment. */
export const SCRIPT_ENVIRONMENT = {
    // The init-mysql container: the identity check, server-id and role, the credentials, mysql-0's data directory.
    "init-mysql.sh": {
        required: [
            "APPLIED_DIR",
            "APP_PASSWORD_KEY",
            "CLUSTER",
            "CLUSTER_UID",
            "CONFIG_MAP_DIR",
            "CREDENTIALS_DIR",
            "DATA_ROOT",
            "DATA_SUBPATH",
            "FIRST_START_MARKER",
            "FIRST_START_SQL",
            "IDENTITY_FILE",
            "INITDB_DIR",
            "INIT_CONF_DIR",
            "INSTALL_DB",
            "MYSQL_PORT",
            "PEER_CONNECT_TIMEOUT",
            "PEER_SERVICE",
            "SECRETS_DIR",
            "SECURE_ROOT_SQL",
            "SERIES_UPGRADES",
            "SERVER_BINARY",
            "SERVER_ID_BASE",
            "SERVER_OS_USER",
            "STATUS_FILE",
            "TIME_ZONE_TOOL",
            "TLS_SECRET_DIR",
            "UPGRADE_TOOL",
            "ZONEINFO_DIR",
        ],
        // Set on a cluster restored from a backup: mysql-0's empty data directory is the restore's to fill.
        optional: ["RESTORE_FROM"],
    },
    // The clone-mysql container, and the sidecar's self-repair: a replica's data from the previous pod.
    "clone-mysql.sh": {
        required: [
            "BACKUP_INFO_PREFIXES",
            "BACKUP_TOOL",
            "BOOTSTRAP",
            "CLONE_IDLE_TIMEOUT",
            "CLONE_MARKER",
            "CLONE_PORT",
            "CLONE_TRANSPORT",
            "DATA_ROOT",
            "DATA_SUBPATH",
            "DONOR_WAIT",
            "PEER_DOMAIN",
            "STATUS_FILE",
            "STREAM_TOOL",
            "TLS_CA",
            "TLS_CERT",
            "TLS_KEY",
        ],
        optional: ["RESTORE_FROM"],
        // mysql-0 of a cluster restored from a backup (`restoreFrom`).
        ifSet: { RESTORE_FROM: { runs: ["restore-mysql.sh"] } },
    },
    "restore-mysql.sh": {
        required: ["BACKUPS_DIR", "BACKUP_INFO_PREFIXES", "DATA_ROOT", "DATA_SUBPATH", "RESTORE_FROM", "RESTORE_SQL", "STATUS_FILE"],
        optional: [...OBJECT_STORE.optional, "BINLOG_TOOL"],
        ifSet: {
            ...OBJECT_STORE.ifSet,
            // A restore to a time: the binlogs decoded into SQL here, in the backup's image, which has the tool.
            BINLOG_TOOL: { required: ["BINLOG_FIRST_STATE_PATTERN", "BINLOG_SKIP_BACKUP_OPTION"] },
        },
    },
    // The replay-binlogs container (a restore to a time): the SQL clone-mysql decoded from the binlogs, piped
    // into a server of its own on the backup it staged, with the server's client (no binlog tool); then the move.
    "replay-binlogs.sh": {
        required: [
            "BINLOG_CONTAINS_SQL",
            "BINLOG_GTID_SQL",
            "CLIENT_CONFIG",
            "DATA_ROOT",
            "DATA_SUBPATH",
            "MYSQL_CLIENT",
            "REPLAY_SERVER_OPTIONS",
            "RESTORE_SQL",
            "SERVER_BINARY",
            "STATUS_FILE",
        ],
    },
    // The mysql container's command.
    "mysql-run.sh": {
        required: ["CLONE_MARKER", "FIRST_START_MARKER", "FIRST_START_SQL", "STATUS_FILE"],
        optional: ["SERVER_OS_USER"],
        // Set for the flavors whose data directory init-mysql makes: the server is started directly.
        ifSet: { SERVER_OS_USER: { required: ["DATA_DIR"] } },
    },
    // The mysql container's readiness probe.
    "mysql-ready.sh": {
        required: [
            "CLIENT_CONFIG",
            "MAX_REPLICATION_LAG",
            "MYSQL_CLIENT",
            "MYSQL_PORT",
            "REPLICA_IO_ERROR",
            "REPLICA_IO_RUNNING",
            "REPLICA_IO_STATE",
            "REPLICA_LAG",
            "REPLICA_SQL_RUNNING",
            "REPLICA_STATUS",
            "ROTATION_MARKER",
        ],
    },
    // The startup and readiness probes' wrapper: it reads nothing, its command does.
    "probe-wait.sh": {},
    // The xtrabackup container: starts replication, serves clones, repairs, upgrades and rotates.
    "sidecar.sh": {
        required: [
            "BACKUP_CLIENT_CONFIG",
            "BACKUP_INFO_PREFIXES",
            "BACKUP_TOOL",
            "CLIENT_CONFIG",
            "CLONE_IDLE_TIMEOUT",
            "CLONE_MARKER",
            "CLONE_PORT",
            "CLONE_TRANSPORT",
            "DATA_DIR",
            "FIRST_START_MARKER",
            "FIRST_START_SQL",
            "IDENTITY_FILE",
            "MYSQL_CLIENT",
            "MYSQL_PORT",
            "PRIMARY_HOST",
            "REPLICATION_PASSWORD_FILE",
            "REPLICATION_SQL",
            "REPLICATION_USER",
            "REPLICA_IO_ERRNO",
            "REPLICA_IO_ERROR",
            "REPLICA_STATUS",
            "STATUS_FILE",
            "TLS_CA",
            "TLS_CERT",
            "TLS_KEY",
            "UPGRADE_OPTIONS",
            "UPGRADE_TOOL",
            "WATCH_INTERVAL",
        ],
        runs: ["clone-mysql.sh", "restore-finish.sh", "rotate-credentials.sh"],
    },
    // The xtrabackup container's readiness probe.
    "clone-endpoint-ready.sh": { required: ["CLONE_PORT"] },
    "restore-finish.sh": { required: ["CLIENT_CONFIG", "DATA_DIR", "MYSQL_CLIENT", "MYSQL_PORT"] },
    "rotate-credentials.sh": {
        required: [
            "APPLIED_DIR",
            "APP_PASSWORD_KEY",
            "APP_USER",
            "BACKUP_CLIENT_CONFIG",
            "BACKUP_PASSWORD_KEY",
            "BACKUP_USER",
            "CLIENT_CONFIG",
            "CREDENTIALS_DIR",
            "LOCAL_HOSTS",
            "MYSQL_CLIENT",
            "MYSQL_PORT",
            "PRIMARY_HOST",
            "REPLICATION_PASSWORD_FILE",
            "REPLICATION_PASSWORD_KEY",
            "REPLICATION_ROTATE_SQL",
            "REPLICATION_USER",
            "ROOT_PASSWORD_KEY",
            "ROTATION_GRACE",
            "ROTATION_MARKER",
            "SECRETS_DIR",
            "TLS_CA",
        ],
    },
    // The metrics-account container (`metrics`): the exporter's account on mysql-0, made again when it cannot log in.
    "metrics-account.sh": {
        required: [
            "CHECK_INTERVAL",
            "CLIENT_CONFIG",
            "EXPORTER_ACCOUNT_SQL",
            "EXPORTER_CONFIG",
            "EXPORTER_PASSWORD_FILE",
            "EXPORTER_USER",
            "MYSQL_CLIENT",
            "MYSQL_PORT",
        ],
    },
    // The binlog-ship container (`backupS3Bucket`): mysql-0's binlogs to the bucket.
    "binlog-ship.sh": {
        required: [
            "BINLOG_BASENAME",
            "BINLOG_GTID_SQL",
            "BINLOG_SHIP_INTERVAL",
            "CLIENT_CONFIG",
            "CLUSTER_UID",
            "DATA_ROOT",
            "DATA_SUBPATH",
            "MYSQL_CLIENT",
            "MYSQL_PORT",
            "OBJECT_STORE_BUCKET",
            ...OBJECT_STORE.ifSet.OBJECT_STORE_BUCKET.required,
        ],
        // With `metrics`: where it writes its metrics (BINLOG_SHIP_METRICS).
        optional: ["METRICS_FILE"],
    },
    // The backup CronJob's container.
    "backup.sh": {
        required: [
            "BACKUPS_DIR",
            "BACKUP_INFO_PREFIXES",
            "BACKUP_RETENTION",
            "BACKUP_TOOL",
            "CLONE_IDLE_TIMEOUT",
            "CLONE_PORT",
            "CLONE_TRANSPORT",
            "DONOR_HOST",
            "STREAM_TOOL",
            "TLS_CA",
            "TLS_CERT",
            "TLS_KEY",
        ],
        ...OBJECT_STORE,
        // The cluster's identity names its binlog timelines (binlog-ship.sh), which the MANIFEST records.
        optional: [...OBJECT_STORE.optional, "CLUSTER_UID"],
    },
} as const satisfies Record<PodScript, ScriptEnvironment>;

/**
 * What the official images' entrypoint reads of what the component sets (it reads more, which the
 * component leaves unset): root's password from a file, and root for localhost only.
 * @see https://github.com/docker-library/mysql/blob/master/8.4/docker-entrypoint.sh
 */
export const ENTRYPOINT_ENVIRONMENT = {
    [IMAGE_ENTRYPOINT]: { optional: ["MYSQL_ROOT_PASSWORD_FILE", "MYSQL_ROOT_HOST"] },
} as const satisfies Record<typeof IMAGE_ENTRYPOINT, ScriptEnvironment>;

/** A program whose environment is declared: a pod script, or the image's entrypoint. */
export type EnvironmentReader = PodScript | typeof IMAGE_ENTRYPOINT;

/** The declaration of each program's environment. */
export const ENVIRONMENTS: Readonly<Record<EnvironmentReader, ScriptEnvironment>> = { ...SCRIPT_ENVIRONMENT, ...ENTRYPOINT_ENVIRONMENT };

type Contract = typeof SCRIPT_ENVIRONMENT & typeof ENTRYPOINT_ENVIRONMENT;
type Names<E, F extends string> = E extends { readonly [K in F]: readonly (infer N)[] } ? N : never;
type IfSet<E> = E extends { readonly ifSet: infer I } ? I : never;
/** A field of each branch of `ifSet`, or never without one. */
type IfSetNames<E, F extends string> = E extends unknown
    ? [IfSet<E>] extends [never]
        ? never
        : { [K in keyof IfSet<E>]: Names<IfSet<E>[K], F> }[keyof IfSet<E>]
    : never;
type Reads<E> = Names<E, "required"> | Names<E, "optional"> | IfSetNames<E, "required">;
type Children<S extends EnvironmentReader> = Extract<Names<Contract[S], "runs"> | IfSetNames<Contract[S], "runs">, EnvironmentReader>;
/** The programs `S` runs, theirs in turn included (the scripts run at most two levels deep). */
type Closure<S extends EnvironmentReader> = S | Children<S> | Children<Children<S>>;
/** Every variable `S` and the scripts it runs may read. */
export type ReadBy<S extends EnvironmentReader> = Extract<Reads<Contract[Closure<S>]>, string>;

/** Every key of every member of a union (`keyof` of a union has only the keys all members share). */
type KeysOf<V> = V extends unknown ? keyof V : never;

/** An environment variable's value as a container spec takes it. */
export type EnvValue = number | pulumi.Input<string>;

/**
 * A container's environment for the programs it runs (its command and its probes' commands), from a record
 * that may name only variables those programs read: another name fails to compile ("not assignable to type
 * 'never'"). An undefined value sets nothing. That each variable they need is set, for every configuration,
 * is tests/unit/scriptContract.test.ts's to check.
 */
export function scriptEnv<S extends EnvironmentReader, V extends Record<string, EnvValue | undefined>>(
    programs: readonly S[],
    values: V & Partial<Record<Exclude<KeysOf<V>, ReadBy<S>>, never>>,
): { name: string; value: pulumi.Input<string> }[] {
    void programs;
    return Object.entries(values)
        .filter((entry): entry is [string, EnvValue] => entry[1] !== undefined)
        .map(([name, value]) => ({ name, value: typeof value === "number" ? String(value) : value }));
}
