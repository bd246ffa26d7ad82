// Backups to object storage under mocks: the bucket settings' exact messages, the backup Job's rclone init
// container, environment and credentials mount, a restoring mysql-0's, and the pod template left as it was
// when nothing restores.
import * as assert from "assert";
import { clusterNames, FLAVORS, resolveArgs } from "../../components";
import { backupCronJob, statefulSet } from "../../components/builders";
import { MOCK_UUID } from "../../scripts/render/mockRuntime";
import { BASE_ARGS, buildCluster, child } from "../helpers";

const SCRIPTS = { "lib.sh": "# stand-in\n" };
const names = clusterNames("orders", "shop", "cluster.local", "recommended");
const PASSWORDS = { rootPassword: "r", replicationPassword: "p", backupPassword: "b" };
const S3 = { backupS3Bucket: "acme-backups", backupS3CredentialsSecret: "mysql-backup-s3" };
const ARGS = { ...BASE_ARGS, name: "orders", namespace: "shop", flavor: "mariadb" as const, backupSchedule: "0 3 * * *", ...S3 };

function problems(args: Record<string, unknown>): readonly string[] {
    try {
        resolveArgs({ ...BASE_ARGS, ...args });
    } catch (error: any) {
        return error.problems;
    }
    assert.fail("resolveArgs accepted the settings");
}

const RCLONE_INIT = {
    name: "rclone",
    image: "rclone/rclone:1.76.0",
    command: ["cp", "/usr/local/bin/rclone", "/opt/rclone/rclone"],
    volumeMounts: [{ name: "rclone", mountPath: "/opt/rclone" }],
    securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ["ALL"] } },
};
const STORE_ENV = (endpoint = "") => [
    { name: "RCLONE", value: "/opt/rclone/rclone" },
    { name: "OBJECT_STORE_BUCKET", value: "acme-backups" },
    { name: "OBJECT_STORE_PREFIX", value: "shop/orders" },
    { name: "OBJECT_STORE_ENDPOINT", value: endpoint },
    { name: "OBJECT_STORE_REGION", value: "us-east-1" },
    { name: "OBJECT_STORE_KEY_ID_FILE", value: "/etc/backup-object-store/access-key-id" },
    { name: "OBJECT_STORE_SECRET_KEY_FILE", value: "/etc/backup-object-store/secret-access-key" },
];
const STORE_MOUNTS = [
    { name: "rclone", mountPath: "/opt/rclone", readOnly: true },
    { name: "object-store-credentials", mountPath: "/etc/backup-object-store", readOnly: true },
];
const STORE_VOLUMES = [
    { name: "rclone", emptyDir: {} },
    { name: "object-store-credentials", secret: { secretName: "mysql-backup-s3", defaultMode: 0o400 } },
];

describe("backups to object storage", () => {
    it("resolves the bucket settings, the prefix defaulting to the cluster's namespace/name and the region to us-east-1", () => {
        assert.deepStrictEqual(resolveArgs(ARGS).objectStore, {
            bucket: "acme-backups",
            prefix: "shop/orders",
            endpoint: undefined,
            region: "us-east-1",
            credentialsSecret: "mysql-backup-s3",
            binlogShipIntervalSeconds: 60,
        });
        const full = { ...ARGS, backupS3Prefix: "prod/db", backupS3Endpoint: "http://10.1.2.1:9000", backupS3Region: "eu-west-1" };
        assert.deepStrictEqual(resolveArgs(full).objectStore, {
            bucket: "acme-backups",
            prefix: "prod/db",
            endpoint: "http://10.1.2.1:9000",
            region: "eu-west-1",
            credentialsSecret: "mysql-backup-s3",
            binlogShipIntervalSeconds: 60,
        });
        // A flavor whose binlogs are not shipped: none; mysql84's are, as mariadb's.
        assert.strictEqual(resolveArgs({ ...ARGS, flavor: "mysql57" }).objectStore?.binlogShipIntervalSeconds, undefined);
        assert.strictEqual(resolveArgs({ ...ARGS, flavor: "mysql84" }).objectStore?.binlogShipIntervalSeconds, 60);
        assert.strictEqual(resolveArgs({ ...ARGS, binlogShipIntervalSeconds: 5 }).objectStore?.binlogShipIntervalSeconds, 5);
        assert.strictEqual(resolveArgs(BASE_ARGS).objectStore, undefined);
    });

    it("takes a bucket instead of backupNfsPath for the schedule and for restoreFrom", () => {
        assert.strictEqual(resolveArgs({ ...ARGS }).backupNfsPath, undefined);
        assert.strictEqual(resolveArgs({ ...ARGS, ...PASSWORDS, restoreFrom: "20250101T030000Z" }).restoreFrom, "20250101T030000Z");
        assert.deepStrictEqual(problems({ restoreFrom: "20250101T030000Z", ...PASSWORDS }), [
            '`restoreFrom` needs `backupNfsPath` or `backupS3Bucket`: give the NFS export (on `nfsServer`) that holds the backups, e.g. "/data/backups/mysql", or an S3-compatible bucket.',
        ]);
    });

    it("refuses each wrong bucket setting with a message that names the fix", () => {
        assert.deepStrictEqual(problems({ backupS3Bucket: "acme-backups" }), [
            "`backupS3Bucket` is set but `backupS3CredentialsSecret` is not: create a Secret in the cluster's namespace with the keys `access-key-id` and `secret-access-key` (`kubectl create secret generic mysql-backup-s3 --from-literal=access-key-id=… --from-literal=secret-access-key=…`) and set `backupS3CredentialsSecret` to its name.",
        ]);
        assert.deepStrictEqual(problems({ backupS3Prefix: "db", backupS3Endpoint: "https://s3.example" }), [
            "`backupS3Prefix`, `backupS3Endpoint` are set but `backupS3Bucket` is not: set `backupS3Bucket` to the bucket the backups go to, or unset them.",
        ]);
        assert.deepStrictEqual(problems({ ...S3, backupS3Bucket: "Acme_Backups" }), [
            "`backupS3Bucket` is \"Acme_Backups\": S3 allows only a-z, 0-9, '.' and '-', with a letter or digit at each end; e.g. \"acme-mysql-backups\".",
        ]);
        assert.deepStrictEqual(problems({ ...S3, backupS3Bucket: "ab" }), [
            '`backupS3Bucket` is "ab": it has 2 characters, S3 allows 3 to 63; e.g. "acme-mysql-backups".',
        ]);
        assert.deepStrictEqual(problems({ ...S3, backupS3Bucket: "10.0.0.1" }), [
            '`backupS3Bucket` is "10.0.0.1": it looks like an IP address; e.g. "acme-mysql-backups".',
        ]);
        assert.deepStrictEqual(problems({ ...S3, backupS3Prefix: "/prod/db/" }), [
            "`backupS3Prefix` is \"/prod/db/\": it has an empty, '.' or '..' segment (or a leading or trailing '/'); e.g. \"prod/mysql\".",
        ]);
        assert.deepStrictEqual(problems({ ...S3, backupS3Prefix: "prod db" }), [
            '`backupS3Prefix` is "prod db": use only letters, digits and . _ = - between the \'/\'s; e.g. "prod/mysql".',
        ]);
        assert.deepStrictEqual(problems({ ...S3, backupS3Endpoint: "minio:9000" }), [
            '`backupS3Endpoint` is "minio:9000": its scheme is minio, not https or http; e.g. "https://minio.example:9000", or unset it for AWS S3.',
        ]);
        assert.deepStrictEqual(problems({ ...S3, backupS3Endpoint: "https://key:secret@minio.example" }), [
            '`backupS3Endpoint` is "https://key:secret@minio.example": it carries credentials, which belong in backupS3CredentialsSecret; e.g. "https://minio.example:9000", or unset it for AWS S3.',
        ]);
        assert.deepStrictEqual(problems({ ...S3, backupS3Endpoint: "not a url" }), [
            '`backupS3Endpoint` is "not a url": it is not a URL; e.g. "https://minio.example:9000", or unset it for AWS S3.',
        ]);
        assert.deepStrictEqual(problems({ ...S3, backupS3Region: "EU West" }), [
            '`backupS3Region` is "EU West": use a region name such as "us-east-1" (lower-case letters, digits and \'-\').',
        ]);
        assert.deepStrictEqual(problems({ ...S3, backupS3CredentialsSecret: "AKIAIOSFODNN7EXAMPLE:wJalrXUtnFEMI" }), [
            '`backupS3CredentialsSecret` is "AKIAIOSFODNN7EXAMPLE:wJalrXUtnFEMI": give the name of a Secret (a DNS subdomain such as "mysql-backup-s3"), not its value; the Secret holds the keys `access-key-id` and `secret-access-key`.',
        ]);
        assert.deepStrictEqual(problems({ rcloneImage: "rclone/rclone:bad tag" }), [
            '`rcloneImage` is "rclone/rclone:bad tag": use an image reference such as "rclone/rclone:1.76.0".',
        ]);
        assert.deepStrictEqual(problems({ backupS3Bucket: 5 }).length, 1);
        assert.deepStrictEqual(problems({ binlogShipIntervalSeconds: 30 }), [
            "`binlogShipIntervalSeconds` is set but `backupS3Bucket` is not: set `backupS3Bucket` to the bucket the backups go to, or unset it.",
        ]);
        for (const bad of [4, 3601, 7.5]) {
            assert.deepStrictEqual(problems({ ...S3, flavor: "mariadb", binlogShipIntervalSeconds: bad }), [
                `\`binlogShipIntervalSeconds\` is ${bad}: use a whole number of seconds from 5 to 3600 (how often mysql-0's binlogs go to the bucket), or unset it for 60.`,
            ]);
        }
        assert.deepStrictEqual(problems({ ...S3, flavor: "mysql57", binlogShipIntervalSeconds: 30 }), [
            '`binlogShipIntervalSeconds` is set but `flavor` is "mysql57": binlog shipping and restores to a time are built for flavor "mysql84" and "mariadb" only; unset it.',
        ]);
        assert.deepStrictEqual(problems({ binlogShipIntervalSeconds: "60" }).length, 1);
    });

    it("uploads from the backup Job: rclone copied in by an init container, the bucket in the environment, the keys as a mounted Secret", () => {
        const job = (backupCronJob(resolveArgs(ARGS), names, SCRIPTS) as any).spec.jobTemplate.spec.template.spec;
        assert.deepStrictEqual(job.initContainers, [RCLONE_INIT]);
        const [backup] = job.containers;
        assert.deepStrictEqual(backup.env.slice(-7), STORE_ENV());
        assert.deepStrictEqual(backup.volumeMounts.slice(-2), STORE_MOUNTS);
        // No backup volume: the backup is staged on the node's disk.
        assert.deepStrictEqual(job.volumes[0], { name: "backups", emptyDir: {} });
        assert.deepStrictEqual(job.volumes.slice(-2), STORE_VOLUMES);
        // No key is in the spec, only the Secret's name.
        assert.ok(!JSON.stringify(job).includes("AWS_"), "no credentials in the environment");
        const withEndpoint = backupCronJob(resolveArgs({ ...ARGS, backupS3Endpoint: "http://10.1.2.1:9000" }), names, SCRIPTS) as any;
        assert.deepStrictEqual(
            withEndpoint.spec.jobTemplate.spec.template.spec.containers[0].env.slice(-7),
            STORE_ENV("http://10.1.2.1:9000"),
        );
        // With both, the backup volume still holds the backups, and the bucket gets a copy.
        const both = backupCronJob(resolveArgs({ ...ARGS, backupNfsPath: "/exports/backups" }), names, SCRIPTS) as any;
        assert.deepStrictEqual(both.spec.jobTemplate.spec.template.spec.volumes[0], {
            name: "backups",
            persistentVolumeClaim: { claimName: "orders-backups" },
        });
    });

    it("lets a restoring mysql-0 download from the bucket, and leaves the pod template alone when nothing restores", () => {
        const restoring = statefulSet(
            resolveArgs({ ...ARGS, ...PASSWORDS, restoreFrom: "20250101T030000Z" }),
            names,
            SCRIPTS,
            MOCK_UUID,
        ) as any;
        const pod = restoring.spec.template.spec;
        assert.deepStrictEqual(
            pod.initContainers.map((c: any) => c.name),
            ["init-mysql", "rclone", "clone-mysql"],
        );
        assert.deepStrictEqual(pod.initContainers[1], RCLONE_INIT);
        const clone = pod.initContainers[2];
        assert.deepStrictEqual(clone.env.slice(-7), STORE_ENV());
        // No backup volume to mount: only the bucket.
        assert.deepStrictEqual(clone.volumeMounts.slice(-2), STORE_MOUNTS);
        assert.ok(!clone.volumeMounts.some((m: any) => m.name === "backups"));
        assert.deepStrictEqual(pod.volumes.slice(-2), STORE_VOLUMES);
        // A flavor whose binlogs are not shipped: a bucket alone changes no pod of the StatefulSet.
        const plain = JSON.stringify(statefulSet(resolveArgs({ ...ARGS, flavor: "mysql57" }), names, SCRIPTS, MOCK_UUID));
        assert.ok(!plain.includes("rclone") && !plain.includes("object-store"), "a bucket alone changes no pod of the StatefulSet");
    });

    it("ships mariadb's binlogs from a binlog-ship container with rclone, the bucket's Secret and the cluster's identity", () => {
        const pod = (statefulSet(resolveArgs({ ...ARGS, binlogShipIntervalSeconds: 15 }), names, SCRIPTS, MOCK_UUID) as any).spec.template
            .spec;
        assert.deepStrictEqual(
            pod.initContainers.map((c: any) => c.name),
            ["init-mysql", "rclone", "clone-mysql"],
        );
        const ship = pod.containers.find((c: any) => c.name === "binlog-ship");
        assert.deepStrictEqual(ship.command, ["/opt/mysql-statefulset/binlog-ship.sh"]);
        assert.strictEqual(ship.image, "mariadb:11.4");
        const env = Object.fromEntries(ship.env.map((e: any) => [e.name, e.value]));
        assert.strictEqual(env.BINLOG_SHIP_INTERVAL, "15");
        assert.strictEqual(env.CLUSTER_UID, MOCK_UUID);
        assert.strictEqual(env.BINLOG_BASENAME, "mysql-bin");
        assert.deepStrictEqual(ship.env.slice(-7), STORE_ENV());
        assert.deepStrictEqual(ship.volumeMounts.slice(-2), STORE_MOUNTS);
        assert.deepStrictEqual(pod.volumes.slice(-2), STORE_VOLUMES);
        // The backup Job records the timeline: it gets the cluster's identity.
        const job = (backupCronJob(resolveArgs(ARGS), names, SCRIPTS, MOCK_UUID) as any).spec.jobTemplate.spec.template.spec;
        assert.ok(job.containers[0].env.some((e: any) => e.name === "CLUSTER_UID" && e.value === MOCK_UUID));
    });

    it("takes a UTC time for restoreFrom with a bucket and mariadb or mysql84, and refuses one without them or not a real time", () => {
        const time = "2026-12-07T14:05:00Z";
        assert.strictEqual(resolveArgs({ ...ARGS, ...PASSWORDS, restoreFrom: time }).restoreFrom, time);
        assert.deepStrictEqual(problems({ ...ARGS, ...PASSWORDS, restoreFrom: "2026-02-30T14:05:00Z" }), [
            '`restoreFrom` is "2026-02-30T14:05:00Z": it is not a real date and time; give a UTC time such as "2026-12-07T14:05:00Z".',
        ]);
        assert.deepStrictEqual(problems({ ...PASSWORDS, backupNfsPath: "/exports/backups", restoreFrom: time }), [
            '`restoreFrom` is "2026-12-07T14:05:00Z", a time, but `backupS3Bucket` is not set: a restore to a time replays the binlogs shipped to the bucket; set the bucket settings of the cluster whose data you restore, or give a backup\'s name.',
        ]);
        assert.deepStrictEqual(problems({ ...ARGS, ...PASSWORDS, flavor: "mysql57", restoreFrom: time }), [
            '`restoreFrom` is "2026-12-07T14:05:00Z", a time, but `flavor` is "mysql57", whose binlogs are not shipped: give a backup\'s name instead (restores to a time are built for flavor "mysql84", "mariadb").',
        ]);
        // mysql84's binlogs are shipped and replayed in its server's image (the replay-binlogs container).
        assert.strictEqual(resolveArgs({ ...ARGS, ...PASSWORDS, flavor: "mysql84", restoreFrom: time }).restoreFrom, time);
    });

    it("renders the replay-binlogs container exactly when restoreFrom is a time, after clone-mysql, in the server's image", () => {
        const time = "2026-12-07T14:05:00Z";
        const pod = (settings: Record<string, unknown>) =>
            (statefulSet(resolveArgs({ ...ARGS, ...PASSWORDS, ...settings }), names, SCRIPTS, MOCK_UUID) as any).spec.template.spec;
        const initNames = (settings: Record<string, unknown>) => pod(settings).initContainers.map((c: any) => c.name);
        assert.deepStrictEqual(initNames({ restoreFrom: time }), ["init-mysql", "rclone", "clone-mysql", "replay-binlogs"]);
        assert.deepStrictEqual(initNames({ flavor: "mysql84", restoreFrom: time }), [
            "init-mysql",
            "rclone",
            "clone-mysql",
            "replay-binlogs",
        ]);
        assert.deepStrictEqual(initNames({ restoreFrom: "20250101T030000Z" }), ["init-mysql", "rclone", "clone-mysql"]);
        assert.deepStrictEqual(initNames({}), ["init-mysql", "rclone", "clone-mysql"]);

        const replay = pod({ flavor: "mysql84", restoreFrom: time }).initContainers[3];
        const binlogs = FLAVORS.mysql84.binlogs!;
        assert.deepStrictEqual(replay, {
            name: "replay-binlogs",
            image: "mysql:8.4",
            command: ["/opt/mysql-statefulset/replay-binlogs.sh"],
            // No binlog tool: mysql:8.4 has no mysqlbinlog; clone-mysql decodes.
            env: Object.entries({
                BINLOG_CONTAINS_SQL: "SELECT GTID_SUBSET('{first}', '{gtid}')",
                BINLOG_GTID_SQL: "SELECT REPLACE(@@global.gtid_executed, '\\n', '')",
                REPLAY_SERVER_OPTIONS: "--gtid-mode=ON --enforce-gtid-consistency=ON --skip-replica-start --mysqlx=OFF",
                SERVER_BINARY: "mysqld",
                MYSQL_CLIENT: "mysql",
                CLIENT_CONFIG: "/etc/mysql-credentials/root.cnf",
                RESTORE_SQL: FLAVORS.mysql84.restoreSql,
                DATA_ROOT: "/mnt/data",
                DATA_SUBPATH: "mysql",
                STATUS_FILE: "/dev/termination-log",
            }).map(([name, value]) => ({ name, value })),
            terminationMessagePath: "/dev/termination-log",
            terminationMessagePolicy: "FallbackToLogsOnError",
            volumeMounts: [
                { name: "data", mountPath: "/mnt/data" },
                { name: "scripts", mountPath: "/opt/mysql-statefulset", readOnly: true },
                { name: "credentials", mountPath: "/etc/mysql-credentials", readOnly: true },
            ],
            securityContext: {
                runAsUser: 0,
                allowPrivilegeEscalation: false,
                capabilities: { drop: ["ALL"], add: ["DAC_OVERRIDE", "FOWNER"] },
            },
        });
        // clone-mysql, in the backup image, decodes with the binlog tool; it gets no server, client or replay SQL.
        const clone = pod({ flavor: "mysql84", restoreFrom: time }).initContainers[2];
        assert.strictEqual(clone.image, "percona/percona-xtrabackup:8.4");
        assert.deepStrictEqual(
            clone.env.filter((e: any) => /BINLOG|SERVER_BINARY|MYSQL_CLIENT|CLIENT_CONFIG/.test(e.name)),
            [
                { name: "BINLOG_TOOL", value: "mysqlbinlog" },
                { name: "BINLOG_SKIP_BACKUP_OPTION", value: "--exclude-gtids" },
                { name: "BINLOG_FIRST_STATE_PATTERN", value: binlogs.firstStatePattern },
            ],
        );
        // A restore by name decodes nothing: no binlog tool.
        const byName = pod({ flavor: "mysql84", restoreFrom: "20250101T030000Z" }).initContainers[2];
        assert.deepStrictEqual(
            byName.env.filter((e: any) => /BINLOG/.test(e.name)),
            [],
        );
    });

    it("registers the CronJob without a backup volume or claim", async () => {
        const { registered } = await buildCluster({ ...ARGS });
        assert.ok(child(registered, "kubernetes:batch/v1:CronJob", "db-backup"));
        assert.ok(!registered.some((r) => r.type === "kubernetes:core/v1:PersistentVolumeClaim" && r.name === "db-backup-claim"));
    });
});
