// Backups and restore: the backup volume (NFS, like the data volumes, pre-bound to a claim the component
// makes), the CronJob whose pod streams a hot backup from a replica's clone port with the cluster's client
// certificate and keeps it, prepared, on that volume; and what a restoring mysql-0's clone-mysql needs to
// start from one of those backups (see pod/backup.sh and restore-mysql.sh). With `backupS3Bucket`, the
// Job also uploads each backup to the bucket with rclone (copied out of its image by an init container),
// and a restore downloads a backup that the backup volume does not hold.
// @see https://kubernetes.io/docs/concepts/workloads/controllers/cron-jobs/

import * as k8s from "@pulumi/kubernetes";
import { ResolvedArgs } from "../args";
import * as pulumi from "@pulumi/pulumi";
import {
    BINLOG_SHIP_METRICS,
    CLONE_PORT,
    CONTAINERS,
    OBJECT_STORE_KEYS,
    PATHS,
    ROOT_CLIENT_CONFIG,
    SCRIPT_FILES,
    TLS_KEYS,
    VOLUMES,
} from "../constants";
import { ClusterNames } from "../names";
import { scriptEnv } from "../scriptContract";
import { isRestoreTime } from "../validation/backup";
import { PodScripts, scriptsConfigMapName } from "./config";

type VolumeMount = k8s.types.input.core.v1.VolumeMount;
type Volume = k8s.types.input.core.v1.Volume;
type Container = k8s.types.input.core.v1.Container;

/** Both the backup Job's pod and a restoring mysql-0 mount the volume, possibly on different nodes. */
const BACKUP_ACCESS_MODES = ["ReadWriteMany"];

/**
 * The pod that backups are taken from: the highest-ordinal replica, which is never a clone donor except
 * while scaling up, so a backup rarely waits for the donor's single clone slot and never loads the
 * primary; mysql-0 only when there is no replica.
 */
export function backupDonor(args: ResolvedArgs): number {
    return args.replicas - 1;
}

/** The backup PersistentVolume, when `backupNfsPath` is set: NFS, Retain, pre-bound to the backup claim. */
export function backupVolume(args: ResolvedArgs, names: ClusterNames): k8s.core.v1.PersistentVolumeArgs | undefined {
    if (args.backupNfsPath === undefined) {
        return undefined;
    }
    return {
        metadata: { name: names.backupVolume, labels: { ...names.podLabels } },
        spec: {
            capacity: { storage: args.backupVolumeCapacity },
            accessModes: [...BACKUP_ACCESS_MODES],
            // Retain: neither a deleted claim nor `pulumi destroy` deletes a backup.
            persistentVolumeReclaimPolicy: "Retain",
            storageClassName: args.storageClassName,
            claimRef: { namespace: args.namespace, name: names.backupClaim },
            mountOptions: [...args.volumeMountOptions],
            nfs: { server: args.nfsServer, path: args.backupNfsPath },
        },
    };
}

/** The backup volume's claim, made by the component and bound by name to the backup volume. */
export function backupClaim(args: ResolvedArgs, names: ClusterNames): k8s.core.v1.PersistentVolumeClaimArgs | undefined {
    if (args.backupNfsPath === undefined) {
        return undefined;
    }
    return {
        metadata: { name: names.backupClaim, namespace: args.namespace, labels: { ...names.podLabels } },
        spec: {
            accessModes: [...BACKUP_ACCESS_MODES],
            storageClassName: args.storageClassName,
            volumeName: names.backupVolume,
            resources: { requests: { storage: args.backupVolumeCapacity } },
        },
    };
}

/**
 * The init container that copies rclone out of its image into an emptyDir, for the backup Job's container
 * and a restoring clone-mysql (the server images have no rclone, and the rclone image no bash or backup
 * tool). Empty without `backupS3Bucket`.
 * @see https://rclone.org/docker/
 */
export function rcloneInitContainers(args: ResolvedArgs): Container[] {
    if (args.objectStore === undefined) {
        return [];
    }
    return [
        {
            name: CONTAINERS.rclone,
            image: args.rcloneImage,
            command: ["cp", PATHS.rcloneInImage, `${PATHS.rcloneDir}/rclone`],
            volumeMounts: [{ name: VOLUMES.rclone, mountPath: PATHS.rcloneDir }],
            securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ["ALL"] } },
        },
    ];
}

/** The object store's settings for the pod scripts (lib.sh `object_store_remote`); none without a bucket. */
function objectStoreEnv(args: ResolvedArgs) {
    const store = args.objectStore;
    if (store === undefined) {
        return {};
    }
    return {
        RCLONE: `${PATHS.rcloneDir}/rclone`,
        OBJECT_STORE_BUCKET: store.bucket,
        OBJECT_STORE_PREFIX: store.prefix,
        OBJECT_STORE_ENDPOINT: store.endpoint ?? "",
        OBJECT_STORE_REGION: store.region,
        OBJECT_STORE_KEY_ID_FILE: `${PATHS.objectStoreCredentialsDir}/${OBJECT_STORE_KEYS.accessKeyId}`,
        OBJECT_STORE_SECRET_KEY_FILE: `${PATHS.objectStoreCredentialsDir}/${OBJECT_STORE_KEYS.secretAccessKey}`,
    };
}

function objectStoreMounts(args: ResolvedArgs): VolumeMount[] {
    return args.objectStore === undefined
        ? []
        : [
              { name: VOLUMES.rclone, mountPath: PATHS.rcloneDir, readOnly: true },
              { name: VOLUMES.objectStoreCredentials, mountPath: PATHS.objectStoreCredentialsDir, readOnly: true },
          ];
}

function objectStoreVolumes(args: ResolvedArgs): Volume[] {
    const store = args.objectStore;
    return store === undefined
        ? []
        : [
              { name: VOLUMES.rclone, emptyDir: {} },
              { name: VOLUMES.objectStoreCredentials, secret: { secretName: store.credentialsSecret, defaultMode: 0o400 } },
          ];
}

/** The scheduled backup, when `backupSchedule` is set. */
export function backupCronJob(
    args: ResolvedArgs,
    names: ClusterNames,
    scripts: PodScripts,
    clusterUid?: pulumi.Input<string>,
): k8s.batch.v1.CronJobArgs | undefined {
    if (args.backupSchedule === undefined) {
        return undefined;
    }
    const { flavor } = args;
    const tls = (key: string) => `${PATHS.backupTlsDir}/${key}`;
    return {
        metadata: { name: names.backupCronJob, namespace: args.namespace, labels: { ...names.podLabels } },
        spec: {
            schedule: args.backupSchedule,
            // One backup at a time: a second would wait for the donor's single clone slot anyway.
            concurrencyPolicy: "Forbid",
            // A run missed by more than an hour (controller down) is skipped, not started late in a burst.
            startingDeadlineSeconds: 3600,
            successfulJobsHistoryLimit: 3,
            failedJobsHistoryLimit: 3,
            jobTemplate: {
                metadata: { labels: { ...names.backupPodLabels } },
                spec: {
                    // A failed backup is a failed Job, for alerts to see; the next schedule tries again.
                    backoffLimit: 0,
                    template: {
                        metadata: { labels: { ...names.backupPodLabels } },
                        spec: {
                            restartPolicy: "Never",
                            // Hardened as the cluster's pods are (see statefulSet.ts).
                            serviceAccountName: names.serviceAccount,
                            automountServiceAccountToken: false,
                            securityContext: { seccompProfile: { type: "RuntimeDefault" } },
                            containers: [
                                {
                                    name: CONTAINERS.backup,
                                    image: args.backupImage,
                                    command: [`${PATHS.scriptsDir}/${SCRIPT_FILES.backup}`],
                                    env: scriptEnv([SCRIPT_FILES.backup], {
                                        DONOR_HOST: names.podFqdn(backupDonor(args)),
                                        CLONE_PORT,
                                        CLONE_TRANSPORT: flavor.transport,
                                        STREAM_TOOL: flavor.streamTool,
                                        BACKUP_TOOL: flavor.backupTool,
                                        BACKUP_INFO_PREFIXES: flavor.backupInfoPrefixes.join(" "),
                                        TLS_CA: tls(TLS_KEYS.ca),
                                        TLS_CERT: tls(TLS_KEYS.cert),
                                        TLS_KEY: tls(TLS_KEYS.key),
                                        BACKUPS_DIR: PATHS.backupsDir,
                                        BACKUP_RETENTION: args.backupRetention,
                                        CLONE_IDLE_TIMEOUT: args.cloneIdleTimeoutSeconds,
                                        ...objectStoreEnv(args),
                                        CLUSTER_UID: shipsBinlogs(args) ? clusterUid : undefined,
                                    }),
                                    volumeMounts: [
                                        { name: VOLUMES.backups, mountPath: PATHS.backupsDir },
                                        { name: VOLUMES.scripts, mountPath: PATHS.scriptsDir, readOnly: true },
                                        { name: VOLUMES.tls, mountPath: PATHS.backupTlsDir, readOnly: true },
                                        ...objectStoreMounts(args),
                                    ],
                                    resources: { requests: { cpu: args.backupCpuRequest, memory: args.backupMemoryRequest } },
                                    // Writes the backup volume whoever owns it, and reads the 0400 key.
                                    securityContext: {
                                        runAsUser: 0,
                                        allowPrivilegeEscalation: false,
                                        capabilities: { drop: ["ALL"], add: ["DAC_OVERRIDE", "FOWNER"] },
                                    },
                                },
                            ],
                            ...(args.objectStore === undefined ? {} : { initContainers: rcloneInitContainers(args) }),
                            volumes: [
                                // Without the backup volume, the backup is staged (and prepared) on the node's
                                // disk, then uploaded.
                                args.backupNfsPath === undefined
                                    ? { name: VOLUMES.backups, emptyDir: {} }
                                    : { name: VOLUMES.backups, persistentVolumeClaim: { claimName: names.backupClaim } },
                                { name: VOLUMES.scripts, configMap: { name: scriptsConfigMapName(names, scripts), defaultMode: 0o755 } },
                                { name: VOLUMES.tls, secret: { secretName: names.tlsSecret, defaultMode: 0o400 } },
                                ...objectStoreVolumes(args),
                            ],
                        },
                    },
                },
            },
        },
    };
}

/**
 * The basename of the binlogs of every flavor whose binlogs are shipped (their `log-bin`, in the data
 * directory); the rest of what shipping and replaying needs is the flavor's `binlogs`.
 */
export const BINLOG_BASENAME = "mysql-bin";

/** Whether mysql-0's binlogs are shipped to the bucket. */
export const shipsBinlogs = (args: ResolvedArgs): boolean => args.objectStore?.binlogShipIntervalSeconds !== undefined;

/**
 * The binlog-ship container of every pod (binlog-ship.sh), with a bucket and a flavor whose binlogs are
 * shipped: on mysql-0 it ships the binlogs, on the others it idles. With `metrics` it writes its metrics
 * (binlog-ship-metrics serves them). It reads the binlog files (the server's,
 * so CAP_DAC_OVERRIDE), asks the server for its GTID position and rotates the binlog as root, and keeps the
 * timeline's name on the data volume.
 */
export function binlogShipContainers(args: ResolvedArgs, clusterUid: pulumi.Input<string>): Container[] {
    const interval = args.objectStore?.binlogShipIntervalSeconds;
    if (interval === undefined) {
        return [];
    }
    return [
        {
            name: CONTAINERS.binlogShip,
            image: args.backupImage,
            command: [`${PATHS.scriptsDir}/${SCRIPT_FILES.binlogShip}`],
            env: scriptEnv([SCRIPT_FILES.binlogShip], {
                DATA_ROOT: PATHS.dataRoot,
                DATA_SUBPATH: PATHS.dataSubPath,
                CLUSTER_UID: clusterUid,
                CLIENT_CONFIG: ROOT_CLIENT_CONFIG,
                MYSQL_CLIENT: args.flavor.client,
                MYSQL_PORT: args.port,
                BINLOG_BASENAME,
                BINLOG_GTID_SQL: args.flavor.binlogs?.gtidSql,
                BINLOG_SHIP_INTERVAL: interval,
                // With `metrics`: the shipper's metrics file, which the binlog-ship-metrics container serves.
                METRICS_FILE: args.metrics ? `${BINLOG_SHIP_METRICS.dir}/${BINLOG_SHIP_METRICS.file}` : undefined,
                ...objectStoreEnv(args),
            }),
            volumeMounts: [
                { name: VOLUMES.data, mountPath: PATHS.dataRoot },
                { name: VOLUMES.scripts, mountPath: PATHS.scriptsDir, readOnly: true },
                { name: VOLUMES.credentials, mountPath: PATHS.credentialsDir, readOnly: true },
                ...objectStoreMounts(args),
                ...(args.metrics ? [{ name: BINLOG_SHIP_METRICS.volume, mountPath: BINLOG_SHIP_METRICS.dir }] : []),
            ],
            resources: { requests: { cpu: "10m", memory: "32Mi" } },
            securityContext: {
                runAsUser: 0,
                allowPrivilegeEscalation: false,
                capabilities: { drop: ["ALL"], add: ["DAC_OVERRIDE", "FOWNER"] },
            },
        },
    ];
}

/**
 * clone-mysql's environment for a restore: which backup or time, where, and the flavor's restore
 * statements. A restore to a time stops once the backup is staged and its binlogs decoded into SQL, with
 * the flavor's binlog tool, which the backup's image has and the server's may not (mysql:8.4 has no
 * mysqlbinlog): the replay-binlogs container goes on.
 */
export function restoreEnv(args: ResolvedArgs) {
    if (args.restoreFrom === undefined) {
        return {};
    }
    const binlogs = isRestoreTime(args.restoreFrom) ? args.flavor.binlogs : undefined;
    return {
        RESTORE_FROM: args.restoreFrom,
        BACKUPS_DIR: PATHS.backupsDir,
        RESTORE_SQL: args.flavor.restoreSql,
        BINLOG_TOOL: binlogs?.tool,
        BINLOG_SKIP_BACKUP_OPTION: binlogs?.skipBackupOption,
        BINLOG_FIRST_STATE_PATTERN: binlogs?.firstStatePattern,
        ...objectStoreEnv(args),
    };
}

/**
 * The replay-binlogs container's environment, for a restore to a time (`restoreFrom` a UTC time) of a flavor
 * whose binlogs are shipped; undefined otherwise: the flavor's SQL, its server and client, the statements
 * that set the GTID state. No binlog tool: clone-mysql has decoded the binlogs.
 */
export function replayEnv(args: ResolvedArgs) {
    const binlogs = args.flavor.binlogs;
    if (args.restoreFrom === undefined || !isRestoreTime(args.restoreFrom) || binlogs === undefined) {
        return undefined;
    }
    return {
        BINLOG_CONTAINS_SQL: binlogs.containsSql,
        BINLOG_GTID_SQL: binlogs.gtidSql,
        REPLAY_SERVER_OPTIONS: binlogs.replayServerOptions.join(" "),
        SERVER_BINARY: args.flavor.server,
        MYSQL_CLIENT: args.flavor.client,
        CLIENT_CONFIG: ROOT_CLIENT_CONFIG,
        RESTORE_SQL: args.flavor.restoreSql,
    };
}

/** clone-mysql reads the backup volume, read-only, and the bucket, only when restoring. */
export function restoreMounts(args: ResolvedArgs): VolumeMount[] {
    if (args.restoreFrom === undefined) {
        return [];
    }
    const volume = args.backupNfsPath === undefined ? [] : [{ name: VOLUMES.backups, mountPath: PATHS.backupsDir, readOnly: true }];
    return [...volume, ...objectStoreMounts(args)];
}

/** The backup volume of a restoring pod, and rclone and the bucket's Secret when it restores or ships binlogs. */
export function restoreVolumes(args: ResolvedArgs, names: ClusterNames): Volume[] {
    const volume =
        args.restoreFrom === undefined || args.backupNfsPath === undefined
            ? []
            : [{ name: VOLUMES.backups, persistentVolumeClaim: { claimName: names.backupClaim, readOnly: true } }];
    return [...volume, ...(args.restoreFrom !== undefined || shipsBinlogs(args) ? objectStoreVolumes(args) : [])];
}

/**
 * The rclone init container of a pod (before clone-mysql), when the bucket may hold the backup it restores
 * or its binlogs are shipped.
 */
export function restoreInitContainers(args: ResolvedArgs): Container[] {
    return args.restoreFrom === undefined && !shipsBinlogs(args) ? [] : rcloneInitContainers(args);
}
