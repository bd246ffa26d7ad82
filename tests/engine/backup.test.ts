// Backups and a restore drill on the real engine and the real controllers (issue #20 item 5): the stack's
// CronJob made into a Job as an operator would (`kubectl create job --from=cronjob/mysql-backup`), run by the
// real Job controller and the node agent; it takes a prepared backup of the highest-ordinal replica over the
// clone stream onto the backup volume (an NFS stand-in directory); a backup killed half-way fails (backoffLimit
// 0) and leaves the good one in place; the stack destroyed, a NEW stack (namespace `restored`, volumes of its
// own, the same backup volume) set with `restoreFrom` starts mysql-0 from the good backup, and its replicas
// clone from it and replicate. Prints backup and restore throughput against a raw copy of the same data.
// The former tests/real/backup.test.ts ran the CronJob's pod with the fake kubelet's own Job emulation.
//
// Root only, as the node agent. Run it alone:
//   flock /tmp/real-suite.lock npx mocha --exit --no-config --require ts-node/register/transpile-only \
//       --timeout 1800000 tests/engine/backup.test.ts
import * as assert from "assert";
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { CONTAINERS } from "../../components";
import { requireEngineBed, stackConfig } from "./harness";
import { waitFor } from "../fake-kubelet/util";
import { BackupBed, passwords, duBytes, keyValues, rate, restoreMs } from "./backupBed";

const PATHS = [1, 2, 3].map((n) => `/backup/v${n}`);
const RESTORED_PATHS = [1, 2, 3].map((n) => `/restored/v${n}`);
const BACKUPS = "/backup/backups";
/** ~130 MB of InnoDB data: enough for a measurable stream, and a stream the test can cut half-way. */
const BALLAST_ROWS = 400_000;
/** Both tables are counted and checksummed. */
const TABLES = ["orders", "ballast"];

/** This suite's settings; `namespace`, `nfsPaths` and `restoreFrom` differ between the two stacks. */
const BACKUP_SETTINGS = { backupSchedule: "@daily", backupNfsPath: BACKUPS, backupRetention: 2 };

describe("backups and a restore drill on the real controllers (mariadb, a Job from the CronJob)", function () {
    this.timeout(30 * 60_000);
    const bb = new BackupBed({
        stack: "backup",
        nfsDirs: [...PATHS, ...RESTORED_PATHS, BACKUPS],
        subnetIndex: 19,
        stackConfig: stackConfig(BACKUP_SETTINGS, { nfsPaths: PATHS }),
        passwords: passwords("root-Backup-1"),
    });
    let rawDir = "";
    const backupDir = (): string => path.join(bb.b().nfsRoot, BACKUPS);
    const good = (): string[] =>
        fs
            .readdirSync(backupDir())
            .filter((n) => !n.endsWith(".partial") && fs.existsSync(path.join(backupDir(), n, "MANIFEST")))
            .sort();
    const manifest = (name: string): Record<string, string> => keyValues(fs.readFileSync(path.join(backupDir(), name, "MANIFEST"), "utf8"));
    const checkSums = (name: string): void => {
        execFileSync("sha256sum", ["--quiet", "--strict", "--check", "../SHA256SUMS"], { cwd: path.join(backupDir(), name, "data") });
    };

    before(async function () {
        requireEngineBed(this);
        rawDir = fs.mkdtempSync(path.join(os.tmpdir(), "mysql-statefulset-raw-"));
        await bb.start();
    });

    after(async function () {
        await bb.stop();
        if (rawDir) fs.rmSync(rawDir, { recursive: true, force: true });
    });

    let atBackup = "";
    let backupName = "";

    it("takes a prepared backup of the highest-ordinal replica, with its position and checksums; a backup killed half-way fails and leaves it in place", async () => {
        await bb.up("backup", "default");
        await bb.createOrders("default");
        atBackup = await bb.ballast("default", BALLAST_ROWS, 1000);

        let started = Date.now();
        const pod = await bb.startJob("backup-1");
        const status = await bb.jobDone("backup-1");
        const backupMs = Date.now() - started;
        const log = await bb.b().kubectl("logs", pod, "-c", CONTAINERS.backup);
        assert.strictEqual(status?.succeeded, 1, `the backup Job failed: ${JSON.stringify(status)}\n${log}`);
        assert.match(log, /backing up mysql-2\.mysql\.default\.svc\.cluster\.local:3307/);
        [backupName] = good();
        assert.match(backupName, /^\d{8}T\d{6}Z$/);
        const m = manifest(backupName);
        assert.strictEqual(m.format, "prepared");
        assert.strictEqual(m.position_source, "xtrabackup_slave_info");
        assert.match(m.gtid, /^0-100-\d+$/);
        // The backup checks out against its own checksums, as a restore will check it.
        checkSums(backupName);
        assert.deepStrictEqual(fs.readdirSync(backupDir()), [backupName], "no staging directory is left");

        // The same bytes as a raw tar copy of the donor's data directory, on the same disk.
        const donorDir = path.join(bb.b().nfsRoot, PATHS[2], "mysql");
        assert.ok(fs.existsSync(donorDir), `${donorDir} is mysql-2's data directory`);
        started = Date.now();
        execFileSync("bash", ["-c", 'tar -C "$1" -cf - . | tar -xf - -C "$2"', "raw", donorDir, rawDir]);
        const rawMs = Date.now() - started;
        bb.figures["backup (Job: pod start + stream over mTLS + prepare + sha256 + rename)"] = rate(Number(m.bytes), backupMs);
        bb.figures["raw tar copy of the donor's data dir"] = rate(duBytes(donorDir), rawMs);

        // More rows, after the backup point: the restore must not have them.
        await bb.sql("default", 0, "INSERT INTO shop.orders (note) SELECT CONCAT('after-', seq) FROM shop.seq_1_to_500;");
        await bb.converged("default", 1500, TABLES);

        // A second backup, killed once its stream has started (as an OOM kill would end it).
        const killedPod = await bb.startJob("backup-2");
        await waitFor(
            () => {
                const partial = fs.readdirSync(backupDir()).find((n) => n.endsWith(".partial"));
                return (
                    partial !== undefined &&
                    fs.existsSync(path.join(backupDir(), partial, "data")) &&
                    duBytes(path.join(backupDir(), partial, "data")) > 4 * 2 ** 20
                );
            },
            { timeoutMs: 120_000, what: "the second backup to stream" },
        );
        assert.strictEqual(bb.b().killContainer(killedPod, CONTAINERS.backup), 1, "one backup container killed");
        const failed = await bb.jobDone("backup-2");
        assert.deepStrictEqual(
            {
                succeeded: failed?.succeeded ?? 0,
                failed: failed?.failed,
                reason: failed?.conditions?.find((c) => c.type === "Failed")?.reason,
            },
            { succeeded: 0, failed: 1, reason: "BackoffLimitExceeded" },
            "one attempt (backoffLimit 0), failed",
        );
        const jobPods = JSON.parse(await bb.b().kubectl("get", "pods", "-l", "job-name=backup-2", "-o", "json")) as {
            items: { status: { containerStatuses?: { name: string; state: { terminated?: { exitCode: number } } }[] } }[];
        };
        assert.deepStrictEqual(
            jobPods.items.map((p) => p.status.containerStatuses?.find((c) => c.name === CONTAINERS.backup)?.state.terminated?.exitCode),
            [137],
            "one pod, its backup container killed",
        );
        assert.deepStrictEqual(good(), [backupName], "the good backup is still the only one");
        assert.deepStrictEqual(manifest(backupName), m, "and unchanged");
        checkSums(backupName);

        // The old cluster goes.
        await bb.destroy("app=mysql");
    });

    it("restores a NEW stack from that backup: mysql-0 starts from it, the replicas clone from mysql-0 and replicate, with exactly the backup point's rows", async () => {
        assert.ok(backupName !== "", "the backup case ran");
        // A new stack: its own namespace, volumes, certificates and cluster UID; the old cluster's passwords.
        await bb.initRestoredStack(
            stackConfig(BACKUP_SETTINGS, { namespace: "restored", nfsPaths: RESTORED_PATHS, restoreFrom: backupName }),
        );
        await bb.up("restored", "restored");
        const logs = (pod: string, container: string) => bb.b().kubectl("logs", "-n", "restored", pod, "-c", container);
        const restoreLog = await logs("mysql-0", CONTAINERS.clone);
        assert.match(await logs("mysql-0", CONTAINERS.sidecar), /restore finished: GTID state set from the backup/);
        assert.match(await logs("mysql-1", CONTAINERS.clone), /cloning from mysql-0\./);
        assert.strictEqual(await bb.converged("restored", 1000, TABLES), atBackup, "exactly the rows of the backup point, on every pod");
        bb.figures["restore (restore-mysql.sh in mysql-0's clone-mysql: sha256 check + copy + rename)"] = rate(
            Number(manifest(backupName).bytes),
            restoreMs(restoreLog, backupName),
        );

        for (const replica of [1, 2]) {
            // ON only while both the IO and the SQL thread run.
            assert.strictEqual((await bb.sql("restored", replica, "SHOW GLOBAL STATUS LIKE 'Slave_running';")).trim(), "Slave_running\tON");
        }
        // New writes on the restored primary reach its replicas.
        await bb.sql("restored", 0, "INSERT INTO shop.orders (note) SELECT CONCAT('restored-', seq) FROM shop.seq_1_to_100;");
        await bb.converged("restored", 1100, TABLES);
    });
});
