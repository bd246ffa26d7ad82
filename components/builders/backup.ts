// Backups and restore: the backup volume (NFS, like the data volumes, pre-bound to a claim the component
// makes), the CronJob whose pod streams a hot backup from a replica's clone port with the cluster's client
// certificate and keeps it, prepared, on that volume; and what a restoring mysql-0's clone-mysql needs to
// start from one of those backups (see scripts/pod/backup.sh and restore-mysql.sh).
// @see https://kubernetes.io/docs/concepts/workloads/controllers/cron-jobs/

import * as k8s from "@pulumi/kubernetes";
import { ResolvedArgs } from "../args";
import { CLONE_PORT, CONTAINERS, PATHS, SCRIPT_FILES, TLS_KEYS, VOLUMES } from "../constants";
import { ClusterNames } from "../names";
import { scriptEnv } from "../scriptContract";
import { PodScripts, scriptsConfigMapName } from "./config";

type VolumeMount = k8s.types.input.core.v1.VolumeMount;
type Volume = k8s.types.input.core.v1.Volume;

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

/** The scheduled backup, when `backupSchedule` is set. */
export function backupCronJob(args: ResolvedArgs, names: ClusterNames, scripts: PodScripts): k8s.batch.v1.CronJobArgs | undefined {
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
                                    }),
                                    volumeMounts: [
                                        { name: VOLUMES.backups, mountPath: PATHS.backupsDir },
                                        { name: VOLUMES.scripts, mountPath: PATHS.scriptsDir, readOnly: true },
                                        { name: VOLUMES.tls, mountPath: PATHS.backupTlsDir, readOnly: true },
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
                            volumes: [
                                { name: VOLUMES.backups, persistentVolumeClaim: { claimName: names.backupClaim } },
                                { name: VOLUMES.scripts, configMap: { name: scriptsConfigMapName(names, scripts), defaultMode: 0o755 } },
                                { name: VOLUMES.tls, secret: { secretName: names.tlsSecret, defaultMode: 0o400 } },
                            ],
                        },
                    },
                },
            },
        },
    };
}

/** clone-mysql's environment for a restore: which backup, where, and the flavor's restore statements. */
export function restoreEnv(args: ResolvedArgs) {
    if (args.restoreFrom === undefined) {
        return {};
    }
    return { RESTORE_FROM: args.restoreFrom, BACKUPS_DIR: PATHS.backupsDir, RESTORE_SQL: args.flavor.restoreSql };
}

/** clone-mysql reads the backup volume, read-only, only when restoring. */
export function restoreMounts(args: ResolvedArgs): VolumeMount[] {
    return args.restoreFrom === undefined ? [] : [{ name: VOLUMES.backups, mountPath: PATHS.backupsDir, readOnly: true }];
}

export function restoreVolumes(args: ResolvedArgs, names: ClusterNames): Volume[] {
    return args.restoreFrom === undefined
        ? []
        : [{ name: VOLUMES.backups, persistentVolumeClaim: { claimName: names.backupClaim, readOnly: true } }];
}
