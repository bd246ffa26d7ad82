// Backups and restore under mocks: the exact specs of the backup volume, its claim and the CronJob, the
// restore wiring of mysql-0's clone-mysql, what the component registers and retains, and every new
// setting's exact message.
import * as assert from "assert";
import { clusterNames, FLAVORS, MySqlClusterArgs, resolveArgs } from "../../components";
import { backupClaim, backupCronJob, backupVolume, networkPolicies, scriptsConfigMapName, statefulSet } from "../../components/builders";
import { BASE_ARGS, buildCluster, child, inputsOf, unchecked } from "../helpers";
import { MOCK_UUID } from "../../scripts/render/mockRuntime";
import { CRON_SCHEDULES } from "../cronSchedules";

/** Builders take the pod scripts as data: any will do where only the pod template's shape matters. */
const SCRIPTS = { "lib.sh": "# stand-in\n" };

const ARGS: MySqlClusterArgs = {
    ...BASE_ARGS,
    name: "orders",
    namespace: "shop",
    flavor: "mariadb",
    backupSchedule: "0 3 * * *",
    backupRetention: 5,
    backupNfsPath: "/exports/backups",
};
const PASSWORDS = { rootPassword: "r", replicationPassword: "p", backupPassword: "b" };
const names = clusterNames("orders", "shop", "cluster.local", "recommended");
// The recommended labels (selectorLabels' default): the selectors match name, instance and component.
const SELECTOR = {
    "app.kubernetes.io/name": "mysql-statefulset",
    "app.kubernetes.io/instance": "orders",
    "app.kubernetes.io/component": "database",
};
const LABELS = { ...SELECTOR, "app.kubernetes.io/managed-by": "pulumi" };
// The backup Job's pods: another component, so the cluster's selectors never take them in.
const BACKUP_SELECTOR = { ...SELECTOR, "app.kubernetes.io/component": "backup" };
const BACKUP_LABELS = { ...LABELS, "app.kubernetes.io/component": "backup" };

function problems(args: Record<string, unknown>): readonly string[] {
    try {
        resolveArgs(unchecked({ ...BASE_ARGS, ...args }));
    } catch (error: any) {
        return error.problems;
    }
    assert.fail("resolveArgs accepted the settings");
}

describe("backups", () => {
    it("keeps the backups on an NFS volume of their own, retained and pre-bound to the component's claim", () => {
        const args = resolveArgs(ARGS);
        assert.deepStrictEqual(backupVolume(args, names), {
            metadata: { name: "shop-orders-backups", labels: LABELS },
            spec: {
                capacity: { storage: "50Gi" },
                accessModes: ["ReadWriteMany"],
                persistentVolumeReclaimPolicy: "Retain",
                storageClassName: "mysql-nfs",
                claimRef: { namespace: "shop", name: "orders-backups" },
                mountOptions: ["hard", "nfsvers=4.1", "proto=tcp"],
                nfs: { server: "10.0.0.5", path: "/exports/backups" },
            },
        });
        assert.deepStrictEqual(backupClaim(args, names), {
            metadata: { name: "orders-backups", namespace: "shop", labels: LABELS },
            spec: {
                accessModes: ["ReadWriteMany"],
                storageClassName: "mysql-nfs",
                volumeName: "shop-orders-backups",
                resources: { requests: { storage: "50Gi" } },
            },
        });
    });

    it("takes them with a CronJob, one at a time, from the highest-ordinal replica with the cluster's client certificate", () => {
        const args = resolveArgs(ARGS);
        assert.deepStrictEqual(backupCronJob(args, names, SCRIPTS), {
            metadata: { name: "orders-backup", namespace: "shop", labels: LABELS },
            spec: {
                schedule: "0 3 * * *",
                concurrencyPolicy: "Forbid",
                startingDeadlineSeconds: 3600,
                successfulJobsHistoryLimit: 3,
                failedJobsHistoryLimit: 3,
                jobTemplate: {
                    metadata: { labels: BACKUP_LABELS },
                    spec: {
                        backoffLimit: 0,
                        template: {
                            metadata: { labels: BACKUP_LABELS },
                            spec: {
                                restartPolicy: "Never",
                                serviceAccountName: "orders",
                                automountServiceAccountToken: false,
                                securityContext: { seccompProfile: { type: "RuntimeDefault" } },
                                containers: [
                                    {
                                        name: "backup",
                                        image: "mariadb:11.4",
                                        command: ["/opt/mysql-statefulset/backup.sh"],
                                        env: [
                                            { name: "DONOR_HOST", value: "orders-2.orders.shop.svc.cluster.local" },
                                            { name: "CLONE_PORT", value: "3307" },
                                            { name: "CLONE_TRANSPORT", value: "socat" },
                                            { name: "STREAM_TOOL", value: "mbstream" },
                                            { name: "BACKUP_TOOL", value: "mariadb-backup" },
                                            { name: "BACKUP_INFO_PREFIXES", value: "mariadb_backup xtrabackup" },
                                            { name: "TLS_CA", value: "/etc/mysql-tls/ca.crt" },
                                            { name: "TLS_CERT", value: "/etc/mysql-tls/tls.crt" },
                                            { name: "TLS_KEY", value: "/etc/mysql-tls/tls.key" },
                                            { name: "BACKUPS_DIR", value: "/mnt/backups" },
                                            { name: "BACKUP_RETENTION", value: "5" },
                                            { name: "CLONE_IDLE_TIMEOUT", value: "300" },
                                        ],
                                        volumeMounts: [
                                            { name: "backups", mountPath: "/mnt/backups" },
                                            { name: "scripts", mountPath: "/opt/mysql-statefulset", readOnly: true },
                                            { name: "tls", mountPath: "/etc/mysql-tls", readOnly: true },
                                        ],
                                        resources: { requests: { cpu: "100m", memory: "100Mi" } },
                                        securityContext: {
                                            runAsUser: 0,
                                            allowPrivilegeEscalation: false,
                                            capabilities: { drop: ["ALL"], add: ["DAC_OVERRIDE", "FOWNER"] },
                                        },
                                    },
                                ],
                                volumes: [
                                    { name: "backups", persistentVolumeClaim: { claimName: "orders-backups" } },
                                    { name: "scripts", configMap: { name: scriptsConfigMapName(names, SCRIPTS), defaultMode: 0o755 } },
                                    { name: "tls", secret: { secretName: "orders-tls", defaultMode: 0o400 } },
                                ],
                            },
                        },
                    },
                },
            },
        });
        // With one pod there is no replica: the primary is the donor.
        const single = backupCronJob(resolveArgs({ ...ARGS, replicas: 1 }), names, SCRIPTS) as any;
        assert.strictEqual(single.spec.jobTemplate.spec.template.spec.containers[0].env[0].value, "orders-0.orders.shop.svc.cluster.local");
    });

    it("admits the backup pods to the clone port, and nothing else changes without a schedule", () => {
        const clone = networkPolicies(resolveArgs(ARGS), names).clone as any;
        assert.deepStrictEqual(clone.spec.ingress[0].from, [
            { podSelector: { matchLabels: SELECTOR } },
            { podSelector: { matchLabels: BACKUP_SELECTOR } },
        ]);
        const plain = resolveArgs({ ...BASE_ARGS, name: "orders", namespace: "shop" });
        assert.deepStrictEqual((networkPolicies(plain, names).clone as any).spec.ingress[0].from, [
            { podSelector: { matchLabels: SELECTOR } },
        ]);
        assert.strictEqual(backupCronJob(plain, names, SCRIPTS), undefined);
        assert.strictEqual(backupVolume(plain, names), undefined);
        // The volume without a schedule: there to list backups and restore from.
        const volumeOnly = resolveArgs({ ...BASE_ARGS, backupNfsPath: "/exports/backups" });
        assert.notStrictEqual(backupVolume(volumeOnly, names), undefined);
        assert.strictEqual(backupCronJob(volumeOnly, names, SCRIPTS), undefined);
    });

    it("restores mysql-0 from a backup through clone-mysql, with the backup volume read-only", () => {
        const spec = statefulSet(resolveArgs({ ...ARGS, ...PASSWORDS, restoreFrom: "20250101T030000Z" }), names, SCRIPTS, MOCK_UUID) as any;
        const clone = spec.spec.template.spec.initContainers[1];
        assert.deepStrictEqual(clone.env.slice(-3), [
            { name: "RESTORE_FROM", value: "20250101T030000Z" },
            { name: "BACKUPS_DIR", value: "/mnt/backups" },
            { name: "RESTORE_SQL", value: FLAVORS.mariadb.restoreSql },
        ]);
        assert.deepStrictEqual(clone.volumeMounts.at(-1), { name: "backups", mountPath: "/mnt/backups", readOnly: true });
        assert.deepStrictEqual(spec.spec.template.spec.volumes.at(-1), {
            name: "backups",
            persistentVolumeClaim: { claimName: "orders-backups", readOnly: true },
        });
        // Without restoreFrom the pod template is as before: no backup volume anywhere in it.
        const plain = JSON.stringify(statefulSet(resolveArgs(ARGS), names, SCRIPTS, MOCK_UUID));
        assert.ok(!plain.includes("backups"), "no backup volume in the pod template");
    });

    it("registers the volume, its claim (both retained on delete) and the CronJob after what it uses", async () => {
        const { registered } = await buildCluster({ ...ARGS, ...PASSWORDS, restoreFrom: "20250101T030000Z" });
        const pv = child(registered, "kubernetes:core/v1:PersistentVolume", "db-backup-pv");
        const claim = child(registered, "kubernetes:core/v1:PersistentVolumeClaim", "db-backup-claim");
        const cronJob = child(registered, "kubernetes:batch/v1:CronJob", "db-backup");
        assert.strictEqual(pv.retainOnDelete, true);
        assert.strictEqual(claim.retainOnDelete, true);
        assert.strictEqual(cronJob.retainOnDelete, false);
        const urn = (type: string, name: string) =>
            `urn:pulumi:test::mysql-statefulset::mysql-statefulset:index:MySqlCluster$${type}::${name}`;
        assert.ok(claim.dependencies.includes(urn(pv.type, pv.name)));
        assert.ok(cronJob.dependencies.includes(urn(claim.type, claim.name)));
        assert.ok(cronJob.dependencies.includes(urn("kubernetes:apps/v1:StatefulSet", "db-statefulset")));
        // Restoring: the StatefulSet waits for the backup claim.
        assert.ok(child(registered, "kubernetes:apps/v1:StatefulSet", "db-statefulset").dependencies.includes(urn(claim.type, claim.name)));
        assert.strictEqual(inputsOf(registered, "kubernetes:batch/v1:CronJob", "db-backup").spec.schedule, "0 3 * * *");
    });

    it("takes a schedule only when the API server would: each field within its bounds, names, ranges and steps", () => {
        const ok = (schedule: string) =>
            assert.strictEqual(resolveArgs({ ...BASE_ARGS, backupSchedule: schedule, backupNfsPath: "/b" }).backupSchedule, schedule);
        for (const schedule of CRON_SCHEDULES.accepted) ok(schedule);
        const refused = (schedule: string, why: string) =>
            assert.deepStrictEqual(problems({ backupSchedule: schedule, backupNfsPath: "/b" }), [
                `\`backupSchedule\` is "${schedule}": ${why}, and the API server would refuse the CronJob in the middle of \`pulumi up\`. ` +
                    "Fields: minute 0-59, hour 0-23, day of month 1-31, month 1-12 or JAN-DEC, day of week 0-6 or SUN-SAT (Sunday is 0, not 7).",
            ]);
        refused("60 3 * * *", 'the minute "60" is outside 0-59');
        refused("0 24 * * *", 'the hour "24" is outside 0-23');
        refused("0 3 0 * *", 'the day of month "0" is outside 1-31');
        refused("0 3 * 13 *", 'the month "13" is outside 1-12');
        refused("0 3 * * 7", 'the day of week "7" is outside 0-6');
        refused("0 3 * * MON-FOO", 'the day of week "MON-FOO" is not a number or name');
        refused("0 3 * JAN-XYZ *", 'the month "JAN-XYZ" is not a number or name');
        refused("*/0 * * * *", 'the minute "*/0" has a step of 0');
        refused("5-1 * * * *", 'the minute "5-1" starts after it ends');
        refused("1-2-3 * * * *", 'the minute "1-2-3" has too many hyphens');
        refused("0 3 MON * *", 'the day of month "MON" is not a number');
        refused("0 25 * * 8", 'the hour "25" is outside 0-23; the day of week "8" is outside 0-6');
        for (const schedule of CRON_SCHEDULES.refused) {
            assert.strictEqual(problems({ backupSchedule: schedule, backupNfsPath: "/b" }).length, 1, schedule);
        }
    });

    it("refuses each wrong backup setting with a message that names the fix", () => {
        assert.deepStrictEqual(problems({ backupSchedule: "every night" }), [
            '`backupSchedule` is "every night": use a cron schedule of five fields (minute hour day-of-month month day-of-week), e.g. "0 3 * * *" for 03:00 every day, or a macro such as "@daily"; unset it for no backups.',
        ]);
        assert.deepStrictEqual(problems({ backupSchedule: "@daily" }), [
            '`backupSchedule` needs `backupNfsPath` or `backupS3Bucket`: give the NFS export (on `nfsServer`) that holds the backups, e.g. "/data/backups/mysql", or an S3-compatible bucket.',
        ]);
        assert.deepStrictEqual(problems({ backupRetention: 0 }), [
            "`backupRetention` is 0: use a whole number from 1 to 1000, the number of good backups kept.",
        ]);
        assert.deepStrictEqual(problems({ backupNfsPath: "/exports/mysql-1/backups" }), [
            '`backupNfsPath` and a data path: "/exports/mysql-1/backups" and "/exports/mysql-1", one inside the other: keep the backups in a directory of their own, outside every pod\'s data directory, e.g. "/data/backups/mysql".',
        ]);
        assert.deepStrictEqual(problems({ backupNfsPath: "backups" }), [
            '`backupNfsPath` is "backups": every path must be absolute, e.g. "/data/backups/mysql".',
        ]);
        assert.deepStrictEqual(problems({ backupNfsPath: "/b", restoreFrom: "20250101T030000Z.partial", ...PASSWORDS }), [
            '`restoreFrom` is "20250101T030000Z.partial": give the name of a complete backup directory on the backup volume, as `ls` lists it there, e.g. "20250101T030000Z" (not a path, not a ".partial" one), or a UTC time to restore to, as YYYY-MM-DDTHH:MM:SSZ, e.g. "2026-12-07T14:05:00Z".',
        ]);
        assert.deepStrictEqual(problems({ backupNfsPath: "/b", restoreFrom: "20250101T030000Z", rootPassword: "r" }), [
            "`restoreFrom` is set but `replicationPassword`, `backupPassword` are not: the restored data keeps the old cluster's accounts, so set them (with --secret) to the old cluster's values; generated ones would lock the cluster out of its own data.",
        ]);
        assert.deepStrictEqual(problems({ name: "a".repeat(50), backupSchedule: "@daily", backupNfsPath: "/b" }), [
            `\`name\` "${"a".repeat(50)}" has 50 characters: with \`backupSchedule\` the CronJob "${"a".repeat(50)}-backup" would exceed Kubernetes' 52; use at most 45.`,
        ]);
        assert.deepStrictEqual(problems({ backupVolumeCapacity: "0" }).length, 1);
    });
});
