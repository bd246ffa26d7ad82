// Every setting of MySqlCluster, declared once: its type, default, whether it is required or secret, its
// closed set of values where the checks have one, and its description. The rest follows from here:
// `DEFAULTS` (components/args.ts), and, written by `npm run docs` (scripts/docs.ts) and kept current by
// tests/unit/docs.test.ts, Pulumi.yaml's `config:` block, the README's configuration reference and
// index.ts's settings; the multi-language schema (components/schema.ts) is built from it at run time.
// MySqlClusterArgs must have exactly these keys (a compile-time check in components/args.ts).
//
// Pulumi.yaml gets only the settings that have a default, and the required ones: the engine treats a
// declared project setting without a default as required (`Stack 'dev' is missing configuration values
// …`), and Pulumi.yaml has no way to declare an optional setting without one.

import { DEFAULT_FLAVOR, FLAVOR_NAMES } from "./flavors";
import { LABEL_SCHEMES } from "./labels";
import { SPREAD_MODES } from "./validation/availability";
import { BOOTSTRAP_MODES } from "./validation/replicas";

/** A setting's type: the program reads each with one Config getter, other languages get it as such. */
export type SettingType = "string" | "integer" | "boolean" | "string[]";

/** One setting. */
export interface SettingDeclaration {
    readonly type: SettingType;
    readonly default?: string | number | boolean | readonly string[];
    /** The engine and the schema require it; the component refuses a cluster without it. */
    readonly required?: boolean;
    /** Kept a Pulumi secret; the only settings that may be Outputs (`pulumi.Input<string>`). */
    readonly secret?: boolean;
    /** The values the component accepts, where it accepts a closed set. */
    readonly enum?: readonly string[];
    /** One or two sentences: the README's, Pulumi.yaml's and the schema's text. */
    readonly description: string;
}

/** One output of MySqlCluster. */
export interface OutputDeclaration {
    readonly type: "string" | "integer";
    readonly secret?: boolean;
    /** May be unset (appPassword without appUser). */
    readonly optional?: boolean;
    readonly description: string;
}

export const SETTINGS = {
    name: {
        type: "string",
        default: "mysql",
        description: "Name of the StatefulSet and headless Service; pods are NAME-0, NAME-1, ... and the read Service is NAME-read.",
    },
    namespace: {
        type: "string",
        default: "default",
        description: "Namespace of every namespaced object; it must exist.",
    },
    clusterDomain: {
        type: "string",
        default: "cluster.local",
        description: "DNS domain of the cluster, used in the FQDN outputs.",
    },
    selectorLabels: {
        type: "string",
        default: "recommended",
        enum: LABEL_SCHEMES,
        description:
            "Labels of the pods and objects, recommended (app.kubernetes.io/name, instance, component, managed-by) or legacy (app=NAME, as every cluster deployed before this setting); the StatefulSet's selector cannot change in place, see docs/labels.md.",
    },
    replicas: {
        type: "integer",
        default: 3,
        description: "Number of pods, 1 to 100. Pod 0 is the primary, the others are read replicas.",
    },
    maxReplicas: {
        type: "integer",
        description:
            "The most pods the cluster may scale to; with nfsPathPattern one PersistentVolume is made per ordinal up to it, so scaling never creates or deletes a volume. Unset, 5 (or replicas when more).",
    },
    flavor: {
        type: "string",
        default: DEFAULT_FLAVOR,
        enum: FLAVOR_NAMES,
        description: "Database flavor, mysql57 (the tutorial's MySQL 5.7), mysql84 (MySQL 8.4 LTS) or mariadb (MariaDB 11.4 LTS).",
    },
    image: {
        type: "string",
        description: "Image of the init-mysql and mysql containers. Default is the flavor's server image.",
    },
    backupImage: {
        type: "string",
        description: "Image of the clone-mysql and xtrabackup containers. Default is the flavor's backup image.",
    },
    rootPassword: {
        type: "string",
        secret: true,
        description: "Root password (set it with --secret). Unset, a 32-character password is generated and kept in the stack.",
    },
    replicationPassword: {
        type: "string",
        secret: true,
        description:
            "Password of the replication user the replicas log in with (at most 32 characters on MySQL, 96 on MariaDB). Unset, one is generated.",
    },
    backupPassword: {
        type: "string",
        secret: true,
        description: "Password of the backup user the backup tool runs as (local connections only). Unset, one is generated.",
    },
    appDatabase: {
        type: "string",
        description: "A database for the application, created on the primary's first start. Needs appUser.",
    },
    appUser: {
        type: "string",
        description: "An application user with every privilege on appDatabase and nothing else; it can write on the primary only.",
    },
    appPassword: {
        type: "string",
        secret: true,
        description: "Password of appUser. Unset, one is generated when appUser is set.",
    },
    networkPolicy: {
        type: "boolean",
        default: true,
        description:
            "NetworkPolicies for the pods (clone port from the cluster's pods only, MySQL port from them and the clients below); needs a network plugin that enforces them.",
    },
    clientPodLabels: {
        type: "string[]",
        default: [],
        description:
            "Pods of the namespace that may connect to MySQL, one label selector per item (app=web). With neither this nor clientNamespaceLabels, every pod of the namespace may.",
    },
    clientNamespaceLabels: {
        type: "string[]",
        default: [],
        description: "Namespaces whose pods may connect to MySQL, one label selector per item (kubernetes.io/metadata.name=shop).",
    },
    requireClientTls: {
        type: "boolean",
        default: false,
        description: "Refuse client connections without TLS (require_secure_transport); replication always uses TLS.",
    },
    maxReplicationLagSeconds: {
        type: "integer",
        default: 30,
        description: "A replica is Ready (in mysql-read) only while it replicates and is at most this many seconds behind the primary.",
    },
    startupTimeoutSeconds: {
        type: "integer",
        default: 600,
        description: "How long a server may take to start (first initialisation, crash recovery) before it is restarted.",
    },
    terminationGracePeriodSeconds: {
        type: "integer",
        default: 120,
        description: "How long a stopping pod has to shut down cleanly (flush its buffer pool) before it is killed.",
    },
    cloneIdleTimeoutSeconds: {
        type: "integer",
        default: 300,
        description:
            "A clone stream that moves no data for this long is ended on both sides; the donor frees its clone slot and the receiver starts over.",
    },
    replicaApplyThreads: {
        type: "integer",
        default: 4,
        description: "Transactions each replica applies at once, committed in the primary's order; 1 applies them one by one.",
    },
    bootstrap: {
        type: "string",
        default: "ordered",
        enum: BOOTSTRAP_MODES,
        description:
            "How pods start, ordered (one after another, as the tutorial) or parallel (all at once, pod k cloning from pod (k-1)/2 once it is Ready); changing it replaces the StatefulSet.",
    },
    spreadAcrossNodes: {
        type: "string",
        default: "preferred",
        enum: SPREAD_MODES,
        description: "Keep pods on different nodes, none, preferred or required.",
    },
    spreadAcrossZones: {
        type: "string",
        default: "none",
        enum: SPREAD_MODES,
        description: "Spread pods over zones (topology.kubernetes.io/zone), none, preferred or required.",
    },
    cpuLimit: {
        type: "string",
        description: "CPU limit of the mysql container. Unset, none.",
    },
    memoryLimit: {
        type: "string",
        description: "Memory limit of the mysql container. Unset, none; leave room above the buffer pool.",
    },
    backupCpuLimit: {
        type: "string",
        description: "CPU limit of the xtrabackup sidecar. Unset, none.",
    },
    backupMemoryLimit: {
        type: "string",
        description: "Memory limit of the xtrabackup sidecar. Unset, none.",
    },
    priorityClassName: {
        type: "string",
        description: "PriorityClass of the pods. Unset, the cluster's default.",
    },
    nfsServer: {
        type: "string",
        required: true,
        description: "Host name or IP address of the NFS server. Required.",
    },
    nfsPaths: {
        type: "string[]",
        description:
            "Exported NFS paths, one per ordinal, in ordinal order, at least replicas of them; a PersistentVolume is made for each, so scaling never adds or removes one. Give this or nfsPathPattern.",
    },
    nfsPathPattern: {
        type: "string",
        description: "Pattern of the NFS paths; {ordinal} becomes 0, 1, ...; {number} becomes 1, 2, .... Give this or nfsPaths.",
    },
    volumeCapacity: {
        type: "string",
        default: "20Gi",
        description: "Capacity of each PersistentVolume.",
    },
    volumeAccessModes: {
        type: "string[]",
        default: ["ReadWriteOnce"],
        description: "Access modes of each PersistentVolume; must include ReadWriteOnce.",
    },
    volumeMountOptions: {
        type: "string[]",
        default: ["hard", "nfsvers=4.1", "proto=tcp"],
        description:
            "NFS mount options of each PersistentVolume (the data volumes and the backup volume): hard mounts, NFSv4.1 or later, over TCP, as MySQL's manual advises for InnoDB on NFS; soft and nolock are refused.",
    },
    storageRequest: {
        type: "string",
        default: "10Gi",
        description: "Storage each pod's claim requests; at most volumeCapacity.",
    },
    storageClassName: {
        type: "string",
        default: "mysql-nfs",
        description: 'Storage class shared by the volumes and the claims ("" for none); no StorageClass object is needed.',
    },
    cpuRequest: {
        type: "string",
        default: "500m",
        description: "CPU request of the mysql container.",
    },
    memoryRequest: {
        type: "string",
        default: "500Mi",
        description: "Memory request of the mysql container.",
    },
    backupCpuRequest: {
        type: "string",
        default: "100m",
        description: "CPU request of the xtrabackup sidecar.",
    },
    backupMemoryRequest: {
        type: "string",
        default: "100Mi",
        description: "Memory request of the xtrabackup sidecar.",
    },
    mysqldOptions: {
        type: "string[]",
        default: [],
        description:
            "Extra my.cnf settings for every pod, one option or option=value per item (not server-id, log-bin, read-only, super-read-only).",
    },
    backupSchedule: {
        type: "string",
        description:
            'When to take a backup, as a CronJob schedule ("0 3 * * *"); unset, no backups. Each is a prepared hot backup of the highest-ordinal replica over the clone stream. Needs backupNfsPath or backupS3Bucket.',
    },
    backupRetention: {
        type: "integer",
        default: 7,
        description: "How many good backups to keep; a failed or partial backup never replaces or removes a good one.",
    },
    backupNfsPath: {
        type: "string",
        description: "NFS export on nfsServer that holds the backups, outside every data path. Needed by backupSchedule and restoreFrom.",
    },
    backupVolumeCapacity: {
        type: "string",
        default: "50Gi",
        description: "Capacity of the backup PersistentVolume (room for backupRetention + 1 backups).",
    },
    restoreFrom: {
        type: "string",
        description:
            "A backup's name (20250101T030000Z), on the backup volume or in the bucket, that mysql-0 starts from when its data is empty, or a UTC time (2026-12-07T14:05:00Z): the newest backup before it plus the shipped binlogs up to it; needs the old cluster's passwords.",
    },
    backupS3Bucket: {
        type: "string",
        description:
            "S3-compatible bucket (AWS S3, MinIO, Ceph RGW, GCS interop) that backups are uploaded to and restoreFrom reads from, beside or instead of backupNfsPath. Needs backupS3CredentialsSecret.",
    },
    backupS3Prefix: {
        type: "string",
        description: "Key prefix of the backups in backupS3Bucket, e.g. prod/mysql. Unset, NAMESPACE/NAME of the cluster.",
    },
    backupS3Endpoint: {
        type: "string",
        description: "URL of the S3-compatible endpoint (https://minio.example:9000). Unset, AWS S3 in backupS3Region.",
    },
    backupS3Region: {
        type: "string",
        description: "Region of backupS3Bucket, signed into every request. Unset, us-east-1.",
    },
    backupS3CredentialsSecret: {
        type: "string",
        description:
            "Name of a Secret in the namespace with keys access-key-id and secret-access-key, the bucket's credentials; never a plain value.",
    },
    binlogShipIntervalSeconds: {
        type: "integer",
        description:
            "With backupS3Bucket (flavor mariadb): how often mysql-0's binlogs are shipped to the bucket, 5 to 3600; the recovery point of a restore to a time is at most two intervals old. Unset, 60 (docs/backups.md).",
    },
    rcloneImage: {
        type: "string",
        default: "rclone/rclone:1.76.0",
        description: "Image that provides rclone, the tool that uploads backups to backupS3Bucket and downloads them for a restore.",
    },
    metrics: {
        type: "boolean",
        default: false,
        description:
            "A mysqld_exporter sidecar in every pod (port 9104, named metrics) with its own least-privilege account, prometheus.io annotations, a NetworkPolicy rule for metricsNamespace, and a Grafana dashboard ConfigMap (docs/metrics.md).",
    },
    metricsNamespace: {
        type: "string",
        default: "monitoring",
        description: "The namespace of the Prometheus that scrapes the exporters: the metrics port's NetworkPolicy admits its pods.",
    },
    monitoringCrds: {
        type: "boolean",
        default: false,
        description:
            "The cluster has the Prometheus Operator's CRDs: make a PodMonitor and a PrometheusRule with the cluster's alerts. Needs metrics.",
    },
    allowDestructiveChanges: {
        type: "string[]",
        default: [],
        description:
            "Settings whose guarded change (see the README's change table) this run may make, e.g. [storageRequest]; remove them after the run.",
    },
} as const satisfies Record<string, SettingDeclaration>;

/** The names of the settings, in their declared order. */
export type SettingName = keyof typeof SETTINGS;

/** The TypeScript type of each declared type; lists are `readonly` so that `[...] as const` fits. */
interface TypeOfSetting {
    string: string;
    integer: number;
    boolean: boolean;
    "string[]": readonly string[];
}

/**
 * The value a setting takes in TypeScript, from its declaration: the literal union of its values where it has a
 * closed set (`"ordered" | "parallel"`), else its type. MySqlClusterArgs' fields are written with it.
 */
export type SettingValue<K extends SettingName> = (typeof SETTINGS)[K] extends { readonly enum: readonly (infer E)[] }
    ? E
    : TypeOfSetting[(typeof SETTINGS)[K]["type"]];

/** The settings declared `required`: MySqlClusterArgs must have exactly these without `?`. */
export type RequiredSettingName = { [K in SettingName]: (typeof SETTINGS)[K] extends { readonly required: true } ? K : never }[SettingName];

type WithDefault = { [K in SettingName]: (typeof SETTINGS)[K] extends { readonly default: unknown } ? K : never }[SettingName];

/** The default of each setting that has one, from the declaration above. */
export const DEFAULTS = Object.fromEntries(
    Object.entries(SETTINGS as Record<string, SettingDeclaration>).flatMap(([key, s]) =>
        s.default === undefined ? [] : [[key, s.default]],
    ),
) as { readonly [K in WithDefault]: (typeof SETTINGS)[K]["default"] };

/** What a MySqlCluster returns, in the order the class declares them. */
export const OUTPUTS = {
    primaryHost: { type: "string", description: "The primary's name inside the namespace, e.g. `mysql-0.mysql`: connect here to write." },
    primaryFqdn: { type: "string", description: "The primary's fully qualified name, e.g. `mysql-0.mysql.default.svc.cluster.local`." },
    readEndpoint: { type: "string", description: "`host:port` of the read Service, balancing over every Ready pod." },
    port: { type: "integer", description: "The MySQL port of every pod and Service." },
    namespace: { type: "string", description: "The namespace of the namespaced objects." },
    secretName: {
        type: "string",
        description: "The Secret holding the passwords (keys `root-password`, `replication-password`, `backup-password`, `app-password`).",
    },
    tlsSecretName: {
        type: "string",
        description: "The Secret holding the cluster's CA certificate (`ca.crt`), for clients that verify the server.",
    },
    caCertificate: {
        type: "string",
        description: "The cluster's CA certificate (PEM): clients verify the servers' certificates against it.",
    },
    rootPassword: { type: "string", secret: true, description: "The root password, as a Pulumi secret." },
    appPassword: {
        type: "string",
        secret: true,
        optional: true,
        description: "The application user's password, as a Pulumi secret (when `appUser` is set).",
    },
} as const satisfies Record<string, OutputDeclaration>;
