// The component's arguments: the documented interface users fill in, and `resolveArgs`, which checks every
// setting before any resource exists and fills in the defaults once. Each error names the setting, the
// value and the fix.

import * as pulumi from "@pulumi/pulumi";
import { MYSQL_PORT } from "./constants";
import { Flavor, FLAVORS } from "./flavors";
import { LabelScheme } from "./labels";
import { DEFAULTS, RequiredSettingName, SETTINGS, SettingName, SettingValue } from "./settings";
import { passwordProblem } from "./validation";
import {
    booleanSetting,
    checkLimit,
    checkPriorityClassName,
    checkSeconds,
    checkSpread,
    SpreadMode,
    checkAccessModes,
    checkMountOptions,
    checkBootstrap,
    checkSelectorLabels,
    checkReplicaApplyThreads,
    BootstrapMode,
    checkAppAccount,
    checkLabelSelectors,
    checkPassword,
    checkClaimFits,
    checkBackupName,
    checkBackupNfsPath,
    checkBackupRetention,
    checkBackupSchedule,
    checkClusterDomain,
    checkRestoreFrom,
    checkRestoreTime,
    checkObjectStore,
    DEFAULT_BINLOG_SHIP_INTERVAL,
    checkRcloneImage,
    DEFAULT_S3_REGION,
    ObjectStore,
    checkFlavor,
    checkImages,
    checkMysqldOptions,
    checkDependentSettings,
    checkKnownKeys,
    checkName,
    checkNamespace,
    checkNfsServer,
    checkReplicas,
    checkMaxReplicas,
    checkMetrics,
    DEFAULT_MAX_REPLICAS,
    checkAllowedChanges,
    checkStorageClassName,
    numberSetting,
    passwordInput,
    Problems,
    quantitySetting,
    resolveNfsPaths,
    settingsObject,
    stringListSetting,
    stringSetting,
} from "./validation";

/**
 * Settings of a {@link MySqlCluster}. Flat, and plain-valued except the four passwords, so that every one
 * of them can be checked before anything is created.
 *
 * Each field's type comes from the setting's declaration (components/settings.ts, `SettingValue`): a literal
 * union where the setting takes a closed set of values (`flavor`, `bootstrap`, `spreadAcross*`), `readonly`
 * lists (so `[...] as const` fits), and `nfsServer` required; `tsc` refuses the interface if a field's
 * name or required-ness departs from the declaration. Other languages get the schema built from the same
 * declaration (components/schema.ts), not from this interface. The replica count, the flavor, the images,
 * the storage and every list decide which objects exist or are refused before anything is created, so they
 * are plain values, never an `Output`. Only the passwords are `pulumi.Input<string>`: they may come from
 * another resource or a secret, and they are checked once known. From JavaScript, where no type applies,
 * every value is checked at run time, and a key that is not a setting is refused.
 */
export interface MySqlClusterArgs {
    /**
     * Name of the StatefulSet and the headless Service; pods are `<name>-0`, `<name>-1`, …, the read
     * Service is `<name>-read`. A DNS label that starts with a letter, at most 52 characters.
     * @default "mysql"
     */
    readonly name?: SettingValue<"name">;
    /**
     * Namespace of every namespaced object. It must exist.
     * @default "default"
     */
    readonly namespace?: SettingValue<"namespace">;
    /**
     * DNS domain of the cluster, used in the FQDN outputs.
     * @default "cluster.local"
     */
    readonly clusterDomain?: SettingValue<"clusterDomain">;
    /**
     * The labels of the pods and of every object: "recommended" (`app.kubernetes.io/name: mysql-statefulset`,
     * `app.kubernetes.io/instance: <name>`, `app.kubernetes.io/component`, `app.kubernetes.io/managed-by:
     * pulumi`; the selectors match the first three) or "legacy" (`app: <name>`, which clusters deployed before
     * this setting carry). A StatefulSet's selector cannot change in place: the change guard refuses to switch a
     * deployed cluster, and docs/labels.md gives the migration.
     * @default "recommended"
     * @see https://kubernetes.io/docs/concepts/overview/working-with-objects/common-labels/
     */
    readonly selectorLabels?: SettingValue<"selectorLabels">;
    /**
     * Number of pods: one primary (`<name>-0`) and `replicas - 1` read replicas.
     * @default 3
     */
    readonly replicas?: SettingValue<"replicas">;
    /**
     * The most pods the cluster may scale to. With `nfsPathPattern`, one PersistentVolume is made per
     * ordinal up to it, so scaling between 1 and `maxReplicas` never creates or deletes a volume (a volume
     * removed and made again would collide with the retained one). With `nfsPaths`, one per path.
     * @default 5, or `replicas` when more
     */
    readonly maxReplicas?: SettingValue<"maxReplicas">;
    /**
     * Database flavor: `mysql57` (the tutorial's MySQL 5.7 + XtraBackup 2.4), `mysql84` (MySQL 8.4 LTS +
     * XtraBackup 8.4) or `mariadb` (MariaDB 11.4 LTS + mariadb-backup).
     * @default "mysql57"
     */
    readonly flavor?: SettingValue<"flavor">;
    /**
     * Image of the `init-mysql` and `mysql` containers.
     * @default the flavor's server image (`mysql:5.7`, `mysql:8.4`, `mariadb:11.4`)
     */
    readonly image?: SettingValue<"image">;
    /**
     * Image of the `clone-mysql` and `xtrabackup` containers.
     * @default the flavor's backup image (`gcr.io/google-samples/xtrabackup:1.0`,
     * `percona/percona-xtrabackup:8.4`, `mariadb:11.4`)
     */
    readonly backupImage?: SettingValue<"backupImage">;
    /**
     * Root password, kept a Pulumi secret wherever it goes. When absent, a 32-character password is
     * generated with `@pulumi/random` and kept in the stack's state. It must not be empty or hold a newline.
     * @default generated
     */
    readonly rootPassword?: pulumi.Input<string>;
    /**
     * Password of the `replication` user, the only account the replicas log in to the primary with
     * (REPLICATION SLAVE only, TLS required). At most 32 characters on MySQL, 96 on MariaDB.
     * @default generated
     */
    readonly replicationPassword?: pulumi.Input<string>;
    /**
     * Password of the `backup` user, which the backup tool runs as (local connections only).
     * @default generated
     */
    readonly backupPassword?: pulumi.Input<string>;
    /**
     * A database for the application, created on the primary's first start. Needs `appUser`.
     */
    readonly appDatabase?: SettingValue<"appDatabase">;
    /**
     * An application user with every privilege on `appDatabase` and nothing else, from any host. It can
     * write on the primary only: the replicas are read-only.
     */
    readonly appUser?: SettingValue<"appUser">;
    /**
     * Password of `appUser`.
     * @default generated when `appUser` is set
     */
    readonly appPassword?: pulumi.Input<string>;
    /**
     * NetworkPolicies for the cluster's pods: the clone port only from the cluster's own pods, the MySQL
     * port from them and from the clients below. Needs a network plugin that enforces NetworkPolicy.
     * @default true
     * @see https://kubernetes.io/docs/concepts/services-networking/network-policies/
     */
    readonly networkPolicy?: SettingValue<"networkPolicy">;
    /**
     * Pods of the cluster's namespace that may connect to the MySQL port, one label selector per item
     * (`app=web` or `app=web,tier=frontend`). With neither this nor `clientNamespaceLabels`, every pod of
     * the namespace may.
     * @default []
     */
    readonly clientPodLabels?: SettingValue<"clientPodLabels">;
    /**
     * Namespaces whose pods may connect to the MySQL port, one label selector per item
     * (`kubernetes.io/metadata.name=shop` names one namespace).
     * @default []
     */
    readonly clientNamespaceLabels?: SettingValue<"clientNamespaceLabels">;
    /**
     * Refuse client connections without TLS (`require_secure_transport`). Replication always uses TLS.
     * @default false
     */
    readonly requireClientTls?: SettingValue<"requireClientTls">;
    /**
     * A replica is Ready (in the read Service) only while both replication threads run and it is at most
     * this many seconds behind the primary; it turns Ready again by itself once it has caught up.
     * @default 30
     */
    readonly maxReplicationLagSeconds?: SettingValue<"maxReplicationLagSeconds">;
    /**
     * How long a server may take to start (a first initialisation, or crash recovery after a hard stop)
     * before it is restarted: the startupProbe's bound. Liveness and readiness begin after it.
     * @default 600
     * @see https://kubernetes.io/docs/concepts/configuration/liveness-readiness-startup-probes/
     */
    readonly startupTimeoutSeconds?: SettingValue<"startupTimeoutSeconds">;
    /**
     * How long a stopping pod has to shut down cleanly (flush the buffer pool) before it is killed.
     * @default 120
     */
    readonly terminationGracePeriodSeconds?: SettingValue<"terminationGracePeriodSeconds">;
    /**
     * A clone stream that moves no data for this long is ended, on both sides: the donor frees its single
     * clone slot and the receiver starts over. It bounds a stalled receiver, a vanished peer and a backup
     * that makes no progress.
     * @default 300
     */
    readonly cloneIdleTimeoutSeconds?: SettingValue<"cloneIdleTimeoutSeconds">;
    /**
     * How many transactions each replica applies at once, committing them in the primary's order (MariaDB's
     * optimistic parallel replication, MySQL's multi-threaded applier). 4 keeps up with a primary that
     * commits for a handful of clients at once, and is MySQL 8.4's own default: the workers mostly wait on
     * locks and the redo log, so they need no CPU request of their own. 1 applies one at a time.
     * @default 4
     * @see https://mariadb.com/kb/en/parallel-replication/
     * @see https://dev.mysql.com/doc/refman/8.4/en/replication-options-replica.html#sysvar_replica_parallel_workers
     */
    readonly replicaApplyThreads?: SettingValue<"replicaApplyThreads">;
    /**
     * How pods start: "ordered" (the tutorial's OrderedReady: one at a time, each cloning from the one before
     * it, so N pods take N clone rounds) or "parallel" (podManagementPolicy Parallel: all at once, pod k
     * cloning from pod (k-1)/2 rounded down once that donor is Ready, so about log2(N) rounds). The
     * StatefulSet cannot change this in place: changing it on a running cluster replaces the StatefulSet.
     * @default "ordered"
     * @see https://kubernetes.io/docs/concepts/workloads/controllers/statefulset/#pod-management-policies
     */
    readonly bootstrap?: SettingValue<"bootstrap">;
    /**
     * Keep the pods on different nodes: "none", "preferred" (when the scheduler can) or "required" (a pod
     * stays Pending rather than share a node).
     * @default "preferred"
     * @see https://kubernetes.io/docs/concepts/scheduling-eviction/assign-pod-node/#inter-pod-affinity-and-anti-affinity
     */
    readonly spreadAcrossNodes?: SettingValue<"spreadAcrossNodes">;
    /**
     * Spread the pods over zones (`topology.kubernetes.io/zone`): "none", "preferred" or "required".
     * @default "none"
     * @see https://kubernetes.io/docs/concepts/scheduling-eviction/topology-spread-constraints/
     */
    readonly spreadAcrossZones?: SettingValue<"spreadAcrossZones">;
    /** CPU limit of the `mysql` container; unset, none. */
    readonly cpuLimit?: SettingValue<"cpuLimit">;
    /** Memory limit of the `mysql` container; unset, none. Leave room above the buffer pool. */
    readonly memoryLimit?: SettingValue<"memoryLimit">;
    /** CPU limit of the `xtrabackup` sidecar; unset, none. */
    readonly backupCpuLimit?: SettingValue<"backupCpuLimit">;
    /** Memory limit of the `xtrabackup` sidecar; unset, none. */
    readonly backupMemoryLimit?: SettingValue<"backupMemoryLimit">;
    /**
     * PriorityClass of the pods; unset, the cluster's default.
     * @see https://kubernetes.io/docs/concepts/scheduling-eviction/pod-priority-preemption/
     */
    readonly priorityClassName?: SettingValue<"priorityClassName">;
    /** Host name or IP address of the NFS server that holds the volumes. Required. */
    readonly nfsServer: SettingValue<"nfsServer">;
    /**
     * Exported NFS paths, one per ordinal (the first for `<name>-0`), at least `replicas` of them; a
     * PersistentVolume is made for each, whatever `replicas` is. Give this or `nfsPathPattern`.
     * @see https://kubernetes.io/docs/concepts/storage/volumes/#nfs
     */
    readonly nfsPaths?: SettingValue<"nfsPaths">;
    /**
     * Pattern of the exported NFS paths: `{ordinal}` becomes 0, 1, …; `{number}` becomes 1, 2, ….
     * Give this or `nfsPaths`.
     */
    readonly nfsPathPattern?: SettingValue<"nfsPathPattern">;
    /**
     * Capacity of each PersistentVolume.
     * @default "20Gi"
     */
    readonly volumeCapacity?: SettingValue<"volumeCapacity">;
    /**
     * Access modes of each PersistentVolume; must include ReadWriteOnce, the mode the claims request.
     * @default ["ReadWriteOnce"]
     */
    readonly volumeAccessModes?: SettingValue<"volumeAccessModes">;
    /**
     * NFS mount options of each PersistentVolume (the data volumes and the backup volume). `soft` (a timeout
     * returns an error to InnoDB mid-write) and `nolock` (no lock keeps a second server off a data directory)
     * are refused. A change updates the volumes in place; each pod mounts with it from its next start.
     * @default ["hard","nfsvers=4.1","proto=tcp"]
     */
    readonly volumeMountOptions?: SettingValue<"volumeMountOptions">;
    /**
     * Storage each pod's claim requests; at most `volumeCapacity`.
     * @default "10Gi"
     */
    readonly storageRequest?: SettingValue<"storageRequest">;
    /**
     * Storage class shared by the PersistentVolumes and the claim template. Explicit, so a cluster's default
     * StorageClass cannot capture the claims; no StorageClass object of this name is needed.
     * @default "mysql-nfs"
     * @see https://kubernetes.io/docs/concepts/storage/persistent-volumes/#class-1
     */
    readonly storageClassName?: SettingValue<"storageClassName">;
    /**
     * CPU request of the `mysql` container.
     * @default "500m"
     */
    readonly cpuRequest?: SettingValue<"cpuRequest">;
    /**
     * Memory request of the `mysql` container.
     * @default "500Mi"
     */
    readonly memoryRequest?: SettingValue<"memoryRequest">;
    /**
     * CPU request of the `xtrabackup` sidecar.
     * @default "100m"
     */
    readonly backupCpuRequest?: SettingValue<"backupCpuRequest">;
    /**
     * Memory request of the `xtrabackup` sidecar.
     * @default "100Mi"
     */
    readonly backupMemoryRequest?: SettingValue<"backupMemoryRequest">;
    /**
     * Extra my.cnf settings for every pod, one `option` or `option=value` per item, written under
     * `[mysqld]` after the component's own. `server-id`, `log-bin`, `read-only` and `super-read-only`
     * are managed per pod and cannot be set here, nor can `gtid-mode`, `enforce-gtid-consistency`, `port`,
     * `datadir`, `skip-networking`, `skip-grant-tables` or a local `bind-address`, however spelt.
     * @see https://dev.mysql.com/doc/refman/8.4/en/option-modifiers.html
     * @default []
     */
    readonly mysqldOptions?: SettingValue<"mysqldOptions">;
    /**
     * When to take a backup, as a CronJob schedule (`"0 3 * * *"`, `"@daily"`); unset, no backups are
     * taken. Each backup is a consistent hot backup of the highest-ordinal replica (mysql-0 only when
     * `replicas` is 1), streamed over the clone port with the cluster's client certificate, prepared, and
     * kept on the backup volume with its binlog/GTID position and checksums. Needs `backupNfsPath`.
     * @see https://kubernetes.io/docs/concepts/workloads/controllers/cron-jobs/#schedule-syntax
     */
    readonly backupSchedule?: SettingValue<"backupSchedule">;
    /**
     * How many good backups to keep; older ones are deleted after each new good one. A failed or partial
     * backup never replaces a good one.
     * @default 7
     */
    readonly backupRetention?: SettingValue<"backupRetention">;
    /**
     * The NFS export on `nfsServer` that holds the backups, a directory of its own (not inside a pod's data
     * path). Needed by `backupSchedule` and `restoreFrom`; with it, the backup PersistentVolume and claim exist.
     * @see https://kubernetes.io/docs/concepts/storage/volumes/#nfs
     */
    readonly backupNfsPath?: SettingValue<"backupNfsPath">;
    /**
     * Capacity of the backup PersistentVolume (room for `backupRetention` + 1 prepared backups).
     * @default "50Gi"
     */
    readonly backupVolumeCapacity?: SettingValue<"backupVolumeCapacity">;
    /**
     * The backup (its directory name on the backup volume, e.g. `"20250101T030000Z"`) that mysql-0 starts
     * from when its data directory is empty; replicas then clone from mysql-0 as usual. The restored data
     * keeps the old cluster's accounts: `rootPassword`, `replicationPassword`, `backupPassword` (and
     * `appPassword` with `appUser`) must be set to the old cluster's values. With `backupS3Bucket`, a
     * backup that is not on the backup volume is downloaded from the bucket.
     */
    readonly restoreFrom?: SettingValue<"restoreFrom">;
    /**
     * An S3-compatible bucket (AWS S3, MinIO, Ceph RGW, GCS in interoperability mode) that each backup is
     * uploaded to with rclone, beside or instead of `backupNfsPath`, with the same manifest, checksums and
     * retention; `restoreFrom` reads it. A backup counts only once its MANIFEST, uploaded last, is there.
     * Needs `backupS3CredentialsSecret`.
     * @see https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucketnamingrules.html
     */
    readonly backupS3Bucket?: string;
    /**
     * The key prefix of the backups in `backupS3Bucket` (`prod/mysql`): backup NAME's objects are
     * `PREFIX/NAME/...`.
     * @default "NAMESPACE/NAME" of the cluster
     */
    readonly backupS3Prefix?: string;
    /**
     * The URL of the S3-compatible endpoint, e.g. `https://minio.example:9000`; unset, AWS S3.
     * @see https://rclone.org/s3/#s3-endpoint
     */
    readonly backupS3Endpoint?: string;
    /**
     * The bucket's region, signed into every request (S3-compatible servers that have no regions expect
     * `us-east-1`).
     * @default AWS's first region, `us-east-1`
     */
    readonly backupS3Region?: string;
    /**
     * The name of a Secret in `namespace` holding the bucket's credentials under the keys `access-key-id`
     * and `secret-access-key`. The component only mounts it: the keys are never settings or stack values.
     * @see https://kubernetes.io/docs/concepts/configuration/secret/
     */
    readonly backupS3CredentialsSecret?: string;
    /**
     * With `backupS3Bucket`: how often (seconds, 5 to 3600) mysql-0's closed binlogs, and the open one when it
     * has new transactions (rotated first), are shipped to `PREFIX/binlogs/TIMELINE/`, which a restore to a
     * time (`restoreFrom: "2026-12-07T14:05:00Z"`) replays. Flavor mariadb only.
     * @default 60 with `backupS3Bucket`
     */
    readonly binlogShipIntervalSeconds?: number;
    /**
     * The image the rclone binary is copied from (an init container), for the containers that upload or
     * download backups.
     * @default "rclone/rclone:1.76.0"
     */
    readonly rcloneImage?: string;
    /**
     * A `mysqld_exporter` sidecar (the upstream image) in every pod, on port 9104 named `metrics`, logging in
     * with its own account (PROCESS, REPLICATION CLIENT or its MariaDB names, SELECT on performance_schema;
     * its password a generated Secret file, never an argument); the pods carry the `prometheus.io/*`
     * annotations, the NetworkPolicy admits `metricsNamespace`, and a ConfigMap holds a Grafana dashboard
     * (label `grafana_dashboard: "1"`). See docs/metrics.md.
     * @default false
     * @see https://github.com/prometheus/mysqld_exporter
     */
    readonly metrics?: boolean;
    /**
     * The namespace of the Prometheus that scrapes the exporters: the metrics port's NetworkPolicy admits
     * every pod of it.
     * @default "monitoring"
     */
    readonly metricsNamespace?: string;
    /**
     * The cluster has the Prometheus Operator's CRDs (`monitoring.coreos.com/v1`): make a PodMonitor for
     * the exporters and a PrometheusRule with the cluster's alerts. Needs `metrics`. Off, nothing depends
     * on those CRDs, so a cluster without them deploys.
     * @default false
     * @see https://prometheus-operator.dev/docs/api-reference/api/
     */
    readonly monitoringCrds?: boolean;
    /**
     * Settings whose guarded change this run may make (see the README's change table), e.g.
     * `["storageRequest"]`. Without them a guarded change fails the preview, before anything is touched.
     * Remove them after the run.
     * @default []
     */
    readonly allowDestructiveChanges?: SettingValue<"allowDestructiveChanges">;
}

/** The arguments after validation, with every default filled in. */
export interface ResolvedArgs {
    readonly name: string;
    readonly namespace: string;
    readonly clusterDomain: string;
    readonly replicas: number;
    readonly maxReplicas: number;
    readonly flavor: Flavor;
    readonly image: string;
    readonly backupImage: string;
    readonly rootPassword: pulumi.Input<string> | undefined;
    readonly replicationPassword: pulumi.Input<string> | undefined;
    readonly backupPassword: pulumi.Input<string> | undefined;
    readonly appDatabase: string | undefined;
    readonly appUser: string | undefined;
    readonly appPassword: pulumi.Input<string> | undefined;
    readonly networkPolicy: boolean;
    /** Each item a label selector's `matchLabels`. */
    readonly clientPodLabels: ReadonlyArray<Readonly<Record<string, string>>>;
    readonly clientNamespaceLabels: ReadonlyArray<Readonly<Record<string, string>>>;
    readonly requireClientTls: boolean;
    readonly maxReplicationLagSeconds: number;
    readonly startupTimeoutSeconds: number;
    readonly terminationGracePeriodSeconds: number;
    readonly cloneIdleTimeoutSeconds: number;
    readonly replicaApplyThreads: number;
    readonly bootstrap: BootstrapMode;
    readonly selectorLabels: LabelScheme;
    readonly spreadAcrossNodes: SpreadMode;
    readonly spreadAcrossZones: SpreadMode;
    readonly cpuLimit: string | undefined;
    readonly memoryLimit: string | undefined;
    readonly backupCpuLimit: string | undefined;
    readonly backupMemoryLimit: string | undefined;
    readonly priorityClassName: string | undefined;
    readonly nfsServer: string;
    /** Exactly one path per ordinal. */
    readonly nfsPaths: readonly string[];
    /** The pattern the paths were made from; undefined when `nfsPaths` lists them. */
    readonly nfsPathPattern: string | undefined;
    readonly volumeCapacity: string;
    readonly volumeAccessModes: readonly string[];
    readonly volumeMountOptions: readonly string[];
    readonly storageRequest: string;
    readonly storageClassName: string;
    readonly cpuRequest: string;
    readonly memoryRequest: string;
    readonly backupCpuRequest: string;
    readonly backupMemoryRequest: string;
    readonly mysqldOptions: readonly string[];
    /** Unset: no CronJob. */
    readonly backupSchedule: string | undefined;
    readonly backupRetention: number;
    /** Unset: no backup volume (and so neither backups nor a restore). */
    readonly backupNfsPath: string | undefined;
    readonly backupVolumeCapacity: string;
    readonly restoreFrom: string | undefined;
    /** Unset: no object storage. */
    readonly objectStore: ObjectStore | undefined;
    readonly rcloneImage: string;
    readonly metrics: boolean;
    readonly metricsNamespace: string;
    readonly monitoringCrds: boolean;
    readonly allowDestructiveChanges: readonly string[];
    readonly port: number;
}

/** Thrown when settings are wrong; `problems` holds one sentence per wrong setting. */
export class MySqlClusterArgsError extends Error {
    constructor(public readonly problems: readonly string[]) {
        super(`Invalid MySqlCluster settings:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
        this.name = "MySqlClusterArgsError";
    }
}

/** Fails to compile unless `A` and `B` are the same set of names. */
type SameKeys<A, B> = [Exclude<A, B>, Exclude<B, A>] extends [never, never] ? true : never;
/** MySqlClusterArgs has exactly the declared settings (components/settings.ts), no more, no fewer. */
const ARGS_ARE_DECLARED: SameKeys<keyof MySqlClusterArgs, SettingName> = true;
void ARGS_ARE_DECLARED;
/** The fields without `?`. */
type RequiredKeys<T> = { [K in keyof T]-?: object extends Pick<T, K> ? never : K }[keyof T];
/** MySqlClusterArgs requires exactly the settings declared `required` (nfsServer). */
const REQUIRED_ARE_DECLARED: SameKeys<RequiredKeys<MySqlClusterArgs>, RequiredSettingName> = true;
void REQUIRED_ARE_DECLARED;

/**
 * Checks every setting and fills in the defaults. Throws {@link MySqlClusterArgsError} listing every
 * problem at once, before any resource is created. Each setting is checked for its type first (the
 * library is also called from JavaScript and YAML programs), then its syntax and meaning, and the
 * relations between settings last; the checks live in ./validation, one module per group.
 */
export function resolveArgs(args: MySqlClusterArgs): ResolvedArgs {
    const p = new Problems();
    const a = settingsObject(p, args);
    if (a === undefined) {
        throw new MySqlClusterArgsError(p.list);
    }
    checkKnownKeys(p, a, Object.keys(SETTINGS));

    const name = checkName(p, stringSetting(p, "name", a.name, DEFAULTS.name));
    const namespace = checkNamespace(p, stringSetting(p, "namespace", a.namespace, DEFAULTS.namespace));
    const clusterDomain = checkClusterDomain(p, stringSetting(p, "clusterDomain", a.clusterDomain, DEFAULTS.clusterDomain));
    const replicas = checkReplicas(p, numberSetting(p, "replicas", a.replicas, DEFAULTS.replicas));
    const maxReplicas = checkMaxReplicas(
        p,
        numberSetting(p, "maxReplicas", a.maxReplicas, Math.max(DEFAULT_MAX_REPLICAS, replicas ?? 0)),
        replicas,
    );
    const flavor = checkFlavor(p, stringSetting(p, "flavor", a.flavor, DEFAULTS.flavor));
    const images = checkImages(p, flavor, {
        image: stringSetting(p, "image", a.image, undefined, FLAVORS[DEFAULTS.flavor].image),
        backupImage: stringSetting(p, "backupImage", a.backupImage, undefined, FLAVORS[DEFAULTS.flavor].backupImage),
    });
    const rootPassword = checkPassword(p, "rootPassword", passwordInput(p, "rootPassword", a.rootPassword));
    const replicationPassword = checkPassword(
        p,
        "replicationPassword",
        passwordInput(p, "replicationPassword", a.replicationPassword),
        flavor,
    );
    const backupPassword = checkPassword(p, "backupPassword", passwordInput(p, "backupPassword", a.backupPassword));
    const app = checkAppAccount(p, {
        appDatabase: stringSetting(p, "appDatabase", a.appDatabase, undefined, "orders"),
        appUser: stringSetting(p, "appUser", a.appUser, undefined, "orders"),
        appPassword: checkPassword(p, "appPassword", passwordInput(p, "appPassword", a.appPassword)),
    });
    const networkPolicy = booleanSetting(p, "networkPolicy", a.networkPolicy, DEFAULTS.networkPolicy);
    const clientPodLabelList = stringListSetting(p, "clientPodLabels", a.clientPodLabels, DEFAULTS.clientPodLabels, ["app=web"]);
    const clientPodLabels = checkLabelSelectors(p, "clientPodLabels", clientPodLabelList);
    const clientNamespaceLabelList = stringListSetting(
        p,
        "clientNamespaceLabels",
        a.clientNamespaceLabels,
        DEFAULTS.clientNamespaceLabels,
        ["kubernetes.io/metadata.name=shop"],
    );
    const clientNamespaceLabels = checkLabelSelectors(p, "clientNamespaceLabels", clientNamespaceLabelList);
    const requireClientTls = booleanSetting(p, "requireClientTls", a.requireClientTls, DEFAULTS.requireClientTls);
    const nfsServer = checkNfsServer(p, stringSetting(p, "nfsServer", a.nfsServer, undefined, "192.168.164.141"));
    const nfsPathPattern = stringSetting(p, "nfsPathPattern", a.nfsPathPattern, undefined, "/data/volumes/v{number}");
    const nfsPathList = stringListSetting(p, "nfsPaths", a.nfsPaths, undefined, ["/data/volumes/v1", "/data/volumes/v2"]);
    const nfsPaths = resolveNfsPaths(p, nfsPathList, nfsPathPattern, replicas, maxReplicas);
    const volumeCapacity = quantitySetting(p, "volumeCapacity", a.volumeCapacity, DEFAULTS.volumeCapacity, "bytes");
    const storageRequest = quantitySetting(p, "storageRequest", a.storageRequest, DEFAULTS.storageRequest, "bytes");
    checkClaimFits(p, volumeCapacity, storageRequest);
    const volumeAccessModes = checkAccessModes(
        p,
        stringListSetting(p, "volumeAccessModes", a.volumeAccessModes, DEFAULTS.volumeAccessModes, DEFAULTS.volumeAccessModes),
    );
    const volumeMountOptions = checkMountOptions(
        p,
        stringListSetting(p, "volumeMountOptions", a.volumeMountOptions, DEFAULTS.volumeMountOptions, DEFAULTS.volumeMountOptions),
    );
    const storageClassName = checkStorageClassName(p, stringSetting(p, "storageClassName", a.storageClassName, DEFAULTS.storageClassName));
    const cpuRequest = quantitySetting(p, "cpuRequest", a.cpuRequest, DEFAULTS.cpuRequest, "cpu");
    const memoryRequest = quantitySetting(p, "memoryRequest", a.memoryRequest, DEFAULTS.memoryRequest, "bytes");
    const backupCpuRequest = quantitySetting(p, "backupCpuRequest", a.backupCpuRequest, DEFAULTS.backupCpuRequest, "cpu");
    const backupMemoryRequest = quantitySetting(p, "backupMemoryRequest", a.backupMemoryRequest, DEFAULTS.backupMemoryRequest, "bytes");
    // Each of these settings named once: its type check, its default and its bounds.
    type SecondsKey = "maxReplicationLagSeconds" | "startupTimeoutSeconds" | "terminationGracePeriodSeconds" | "cloneIdleTimeoutSeconds";
    const seconds = (key: SecondsKey, min: number, why: string) =>
        checkSeconds(p, key, numberSetting(p, key, a[key], DEFAULTS[key]), min, 86400, why);
    const maxReplicationLagSeconds = seconds("maxReplicationLagSeconds", 1, "how far behind a replica may fall and still serve reads");
    const startupTimeoutSeconds = seconds("startupTimeoutSeconds", 10, "the time a start or crash recovery may take");
    const terminationGracePeriodSeconds = seconds("terminationGracePeriodSeconds", 10, "the time a clean shutdown may take");
    const cloneIdleTimeoutSeconds = seconds("cloneIdleTimeoutSeconds", 5, "how long a clone stream may move no data");
    const replicaApplyThreads = checkReplicaApplyThreads(
        p,
        numberSetting(p, "replicaApplyThreads", a.replicaApplyThreads, DEFAULTS.replicaApplyThreads),
    );
    const bootstrap = checkBootstrap(p, stringSetting(p, "bootstrap", a.bootstrap, DEFAULTS.bootstrap));
    const selectorLabels = checkSelectorLabels(p, stringSetting(p, "selectorLabels", a.selectorLabels, DEFAULTS.selectorLabels));
    const spread = (key: "spreadAcrossNodes" | "spreadAcrossZones") => checkSpread(p, key, stringSetting(p, key, a[key], DEFAULTS[key]));
    const spreadAcrossNodes = spread("spreadAcrossNodes");
    const spreadAcrossZones = spread("spreadAcrossZones");
    const limit = (key: string, requestKey: string, request: Parameters<typeof checkLimit>[4], measure: "cpu" | "bytes", example: string) =>
        checkLimit(p, key, stringSetting(p, key, a[key], undefined, example), requestKey, request, measure, example);
    const cpuLimit = limit("cpuLimit", "cpuRequest", cpuRequest, "cpu", "2");
    const memoryLimit = limit("memoryLimit", "memoryRequest", memoryRequest, "bytes", "2Gi");
    const backupCpuLimit = limit("backupCpuLimit", "backupCpuRequest", backupCpuRequest, "cpu", "1");
    const backupMemoryLimit = limit("backupMemoryLimit", "backupMemoryRequest", backupMemoryRequest, "bytes", "1Gi");
    const priorityClassName = checkPriorityClassName(
        p,
        stringSetting(p, "priorityClassName", a.priorityClassName, undefined, "database-critical"),
    );
    const mysqldOptions = checkMysqldOptions(
        p,
        stringListSetting(p, "mysqldOptions", a.mysqldOptions, DEFAULTS.mysqldOptions, ["max_connections=500"]),
    );
    const backupSchedule = checkBackupSchedule(p, stringSetting(p, "backupSchedule", a.backupSchedule, undefined, "0 3 * * *"));
    checkBackupName(p, name, backupSchedule);
    const backupRetention = checkBackupRetention(p, numberSetting(p, "backupRetention", a.backupRetention, DEFAULTS.backupRetention));
    const backupVolumeCapacity = quantitySetting(p, "backupVolumeCapacity", a.backupVolumeCapacity, DEFAULTS.backupVolumeCapacity, "bytes");
    const restoreFrom = checkRestoreFrom(p, stringSetting(p, "restoreFrom", a.restoreFrom, undefined, "20250101T030000Z"), {
        rootPassword,
        replicationPassword,
        backupPassword,
        ...(app?.appUser ? { appPassword: app.appPassword } : {}),
    });
    const objectStore = checkObjectStore(
        p,
        {
            backupS3Bucket: stringSetting(p, "backupS3Bucket", a.backupS3Bucket, undefined, "backups"),
            backupS3Prefix: stringSetting(p, "backupS3Prefix", a.backupS3Prefix, undefined, "prod/mysql"),
            backupS3Endpoint: stringSetting(p, "backupS3Endpoint", a.backupS3Endpoint, undefined, "https://minio.example:9000"),
            backupS3Region: stringSetting(p, "backupS3Region", a.backupS3Region, DEFAULT_S3_REGION),
            backupS3CredentialsSecret: stringSetting(
                p,
                "backupS3CredentialsSecret",
                a.backupS3CredentialsSecret,
                undefined,
                "mysql-backup-s3",
            ),
            binlogShipIntervalSeconds:
                a.binlogShipIntervalSeconds === undefined
                    ? null
                    : numberSetting(p, "binlogShipIntervalSeconds", a.binlogShipIntervalSeconds, DEFAULT_BINLOG_SHIP_INTERVAL),
            flavor: flavor?.name,
        },
        `${namespace ?? DEFAULTS.namespace}/${name ?? DEFAULTS.name}`,
    );
    checkRestoreTime(p, restoreFrom, objectStore, flavor?.name);
    const rcloneImage = checkRcloneImage(p, stringSetting(p, "rcloneImage", a.rcloneImage, DEFAULTS.rcloneImage));
    const backupNfsPath = checkBackupNfsPath(
        p,
        {
            backupNfsPath: stringSetting(p, "backupNfsPath", a.backupNfsPath, undefined, "/data/backups/mysql"),
            backupSchedule,
            backupRetention,
            restoreFrom,
            objectStore: objectStore !== null && objectStore !== undefined,
        },
        nfsPaths,
    );
    checkDependentSettings(p, {
        networkPolicy,
        clientPodLabels: clientPodLabels && clientPodLabelList,
        clientNamespaceLabels: clientNamespaceLabels && clientNamespaceLabelList,
        maxReplicas: a.maxReplicas === undefined ? undefined : maxReplicas,
        nfsPaths: nfsPathList,
        backupSchedule,
        backupRetention,
        defaultBackupRetention: DEFAULTS.backupRetention,
        backupNfsPath,
        backupVolumeCapacity: backupVolumeCapacity.value === undefined ? undefined : backupVolumeCapacity.text,
        defaultBackupVolumeCapacity: DEFAULTS.backupVolumeCapacity,
    });

    const metrics = checkMetrics(p, {
        metrics: booleanSetting(p, "metrics", a.metrics, DEFAULTS.metrics),
        metricsNamespace: stringSetting(p, "metricsNamespace", a.metricsNamespace, DEFAULTS.metricsNamespace),
        monitoringCrds: booleanSetting(p, "monitoringCrds", a.monitoringCrds, DEFAULTS.monitoringCrds),
    });

    return complete(p, {
        name,
        namespace,
        clusterDomain,
        replicas,
        maxReplicas,
        flavor,
        image: images?.image,
        backupImage: images?.backupImage,
        rootPassword,
        replicationPassword,
        backupPassword,
        appDatabase: app?.appDatabase,
        appUser: app?.appUser,
        appPassword: app?.appPassword,
        networkPolicy,
        clientPodLabels,
        clientNamespaceLabels,
        requireClientTls,
        maxReplicationLagSeconds,
        startupTimeoutSeconds,
        terminationGracePeriodSeconds,
        cloneIdleTimeoutSeconds,
        replicaApplyThreads,
        bootstrap,
        selectorLabels,
        spreadAcrossNodes,
        spreadAcrossZones,
        cpuLimit,
        memoryLimit,
        backupCpuLimit,
        backupMemoryLimit,
        priorityClassName,
        nfsServer,
        nfsPaths,
        nfsPathPattern,
        volumeCapacity: volumeCapacity.value === undefined ? undefined : volumeCapacity.text,
        volumeAccessModes: volumeAccessModes && [...volumeAccessModes],
        volumeMountOptions: volumeMountOptions && [...volumeMountOptions],
        storageRequest: storageRequest.value === undefined ? undefined : storageRequest.text,
        storageClassName,
        cpuRequest: cpuRequest.value === undefined ? undefined : cpuRequest.text,
        memoryRequest: memoryRequest.value === undefined ? undefined : memoryRequest.text,
        backupCpuRequest: backupCpuRequest.value === undefined ? undefined : backupCpuRequest.text,
        backupMemoryRequest: backupMemoryRequest.value === undefined ? undefined : backupMemoryRequest.text,
        mysqldOptions: mysqldOptions && [...mysqldOptions],
        backupSchedule,
        backupRetention,
        backupNfsPath,
        backupVolumeCapacity: backupVolumeCapacity.value === undefined ? undefined : backupVolumeCapacity.text,
        restoreFrom,
        objectStore,
        rcloneImage,
        metrics: metrics.metrics,
        metricsNamespace: metrics.metricsNamespace,
        monitoringCrds: metrics.monitoringCrds,
        allowDestructiveChanges: checkAllowedChanges(
            p,
            stringListSetting(p, "allowDestructiveChanges", a.allowDestructiveChanges, DEFAULTS.allowDestructiveChanges, [
                "storageRequest",
            ]),
        ),
        port: MYSQL_PORT,
    });
}

/**
 * The resolved settings, or {@link MySqlClusterArgsError} with every problem found. A check returns
 * `undefined` only after reporting why, and `null` stands for "unset" (only a password may stay so).
 */
function complete<T extends Record<string, unknown>>(problems: Problems, values: T): { [K in keyof T]: Exclude<T[K], undefined | null> } {
    const unreported = Object.keys(values).filter((key) => values[key] === undefined);
    if (problems.list.length > 0 || unreported.length > 0) {
        throw new MySqlClusterArgsError(
            problems.list.length > 0 ? problems.list : [`${unreported.map((k) => `\`${k}\``).join(", ")} could not be resolved.`],
        );
    }
    return Object.fromEntries(Object.entries(values).map(([k, v]) => [k, v === null ? undefined : v])) as {
        [K in keyof T]: Exclude<T[K], undefined | null>;
    };
}

/**
 * Checks a password that was only known once deployed (an Output); a plain one is checked with the other
 * settings, before anything is created.
 */
export function requirePassword(key: string, password: string, flavor?: Flavor): string {
    const problem = passwordProblem(key, password, flavor);
    if (problem !== undefined) {
        throw new MySqlClusterArgsError([problem]);
    }
    return password;
}
