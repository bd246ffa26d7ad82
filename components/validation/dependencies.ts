// Settings that act only through another one: set while that one is off, they would change nothing and
// look as if they did (client selectors without the NetworkPolicy let every pod in). Each is refused,
// naming both settings and the two ways out. Pairs already refused elsewhere: `appDatabase`/`appUser`/
// `appPassword` (security.ts), `backupSchedule`/`restoreFrom` without `backupNfsPath` (backup.ts),
// `nfsPaths` with `nfsPathPattern` (nfs.ts), a limit below its request (resources.ts).
// A setting that has a default (Pulumi.yaml hands it to the program whether or not the stack sets it) counts
// as set only when it differs from that default.

import { Problems, show } from "./problems";

export interface DependentSettings {
    readonly networkPolicy: boolean | undefined;
    /** As written (`app=web`), undefined after a problem. */
    readonly clientPodLabels: readonly string[] | undefined;
    readonly clientNamespaceLabels: readonly string[] | undefined;
    /** As given: undefined when unset (it has no default; a pattern's volumes follow it). */
    readonly maxReplicas: number | undefined;
    readonly nfsPaths: readonly string[] | null | undefined;
    readonly backupSchedule: string | null | undefined;
    readonly backupRetention: number | undefined;
    readonly defaultBackupRetention: number;
    readonly backupNfsPath: string | null | undefined;
    readonly backupVolumeCapacity: string | undefined;
    readonly defaultBackupVolumeCapacity: string;
}

export function checkDependentSettings(problems: Problems, s: DependentSettings): void {
    if (s.networkPolicy === false) {
        for (const [key, selectors] of [
            ["clientPodLabels", s.clientPodLabels],
            ["clientNamespaceLabels", s.clientNamespaceLabels],
        ] as const) {
            if (selectors !== undefined && selectors.length > 0) {
                problems.add(
                    `\`${key}\` is ${show(selectors)} but \`networkPolicy\` is false: the client selectors act only through the ` +
                        `NetworkPolicy, so without it every pod could connect; set \`networkPolicy\` to true, or remove \`${key}\`.`,
                );
            }
        }
    }
    if (s.maxReplicas !== undefined && Array.isArray(s.nfsPaths)) {
        problems.add(
            `\`maxReplicas\` is ${show(s.maxReplicas)} but the volumes come from \`nfsPaths\` (one per path), so it changes ` +
                `nothing: remove \`maxReplicas\` and list a path for every ordinal you will run, or use \`nfsPathPattern\`, ` +
                `whose volumes \`maxReplicas\` counts.`,
        );
    }
    if (s.backupSchedule === null && s.backupRetention !== undefined && s.backupRetention !== s.defaultBackupRetention) {
        problems.add(
            `\`backupRetention\` is ${show(s.backupRetention)} but \`backupSchedule\` is unset: retention prunes the ` +
                `backups the schedule takes, so without one it does nothing; set \`backupSchedule\` (e.g. "0 3 * * *") ` +
                `and \`backupNfsPath\`, or remove \`backupRetention\`.`,
        );
    }
    if (s.backupNfsPath === null && s.backupVolumeCapacity !== undefined && s.backupVolumeCapacity !== s.defaultBackupVolumeCapacity) {
        problems.add(
            `\`backupVolumeCapacity\` is ${show(s.backupVolumeCapacity)} but \`backupNfsPath\` is unset: there is no ` +
                `backup volume to size; set \`backupNfsPath\` (e.g. "/data/backups/mysql"), or remove \`backupVolumeCapacity\`.`,
        );
    }
}
