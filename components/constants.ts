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
} as const;

/** Volume names in the pod template. `data` is also the claim template's name. */
export const VOLUMES = {
    data: "data",
    conf: "conf",
    configMap: "config-map",
    scripts: "scripts",
    client: "client-config",
} as const;

/** Where things are mounted inside the containers. */
export const PATHS = {
    /** The server's data directory (the claim's `mysql` subdirectory). */
    dataDir: "/var/lib/mysql",
    /** Subdirectory of the claim that holds the data directory, as in the tutorial. */
    dataSubPath: "mysql",
    /** The whole claim, seen by clone-mysql so that it can clone beside the data dir and rename atomically. */
    dataRoot: "/mnt/data",
    /** Generated server config (server-id, role), read by mysqld through the image's includedir. */
    confDir: "/etc/mysql/conf.d",
    /** Where init-mysql writes the generated config (the same emptyDir as confDir). */
    initConfDir: "/mnt/conf.d",
    /** The ConfigMap with primary.cnf, replica.cnf and custom.cnf. */
    configMapDir: "/mnt/config-map",
    /** The pod scripts. */
    scriptsDir: "/opt/mysql-statefulset",
    /** A memory-backed emptyDir holding the client option file with the root credentials. */
    clientDir: "/etc/mysql-client",
} as const;

/** The client option file (`[client]` user and password) that probes and scripts pass as --defaults-extra-file. */
export const CLIENT_CONFIG_FILE = `${PATHS.clientDir}/root.cnf`;

/** Keys of the configuration ConfigMap. */
export const CONFIG_FILES = {
    primary: "primary.cnf",
    replica: "replica.cnf",
    custom: "custom.cnf",
} as const;

/** The pod scripts, as files under scripts/pod/ and keys of the scripts ConfigMap. */
export const SCRIPT_FILES = {
    lib: "lib.sh",
    init: "init-mysql.sh",
    clone: "clone-mysql.sh",
    sidecar: "sidecar.sh",
    cloneEndpointReady: "clone-endpoint-ready.sh",
} as const;

/** Key of the root password in the Secret. */
export const ROOT_PASSWORD_KEY = "root-password";

/** The account replicas use to connect to the primary (the tutorial's root). */
export const REPLICATION_USER = "root";

/** server-id of ordinal N is SERVER_ID_BASE + N, as in the tutorial. */
export const SERVER_ID_BASE = 100;
