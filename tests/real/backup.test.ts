// Backups and a restore drill on real MariaDB servers (mariadb flavor): the rendered CronJob's pod, run by the
// fake kubelet as a Job, takes a prepared backup of the highest-ordinal replica over the clone stream; a
// backup killed half-way leaves the good one in place and fails; a NEW cluster rendered with `restoreFrom`
// starts mysql-0 from the good backup, and its replicas clone from it and replicate. Prints backup and
// restore throughput against a raw copy of the same data.
//
// Needs root, like the rest of tests/real. FAKE_KUBELET_PREFIX and FAKE_KUBELET_SUBNET name the first cluster; the restored
// one gets the prefix followed by "r" and the next /24.
import * as assert from "assert";
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { CONTAINERS, VOLUMES } from "../../components";
import { FakeKubelet, JobRun, requireFakeKubelet, runPrefix, runSubnet, waitFor } from "../fake-kubelet";
import { createRealCluster, sqlOn } from "./setup";

/** The restored cluster must use the old cluster's passwords: its data keeps the old accounts. */
const PASSWORDS = ["replicationPassword=repl-Pa55-w0rd", "backupPassword=backup-Pa55-w0rd", "appPassword=app-Pa55-w0rd"];
const BACKUP_CLAIM = "mysql-backups";
const BACKUP_CONFIG = ["backupSchedule=@daily", "backupNfsPath=/unused/backups", "backupRetention=2"];
/** ~130 MB of InnoDB data: enough for a measurable stream, and a stream the test can cut half-way. */
const BALLAST_ROWS = 400_000;

function renderArgs(extra: string[] = []): string[] {
    return [...[...BACKUP_CONFIG, ...extra].flatMap((c) => ["--config", c]), ...PASSWORDS.flatMap((s) => ["--secret", s])];
}

function duBytes(dir: string): number {
    return Number(execFileSync("du", ["-sb", dir], { encoding: "utf8" }).split("\t")[0]);
}

const rate = (bytes: number, ms: number) =>
    `${(bytes / 2 ** 20).toFixed(1)} MiB in ${ms} ms = ${(bytes / 2 ** 20 / (ms / 1000)).toFixed(0)} MiB/s`;

describe("backups and a restore drill on real MariaDB servers (mariadb flavor)", function () {
    this.timeout(10 * 60 * 1000);
    let cluster: FakeKubelet | undefined;
    let backupDir = "";
    let rawDir = "";
    const figures: Record<string, string> = {};
    const good = () =>
        fs
            .readdirSync(backupDir)
            .filter((n) => !n.endsWith(".partial") && fs.existsSync(path.join(backupDir, n, "MANIFEST")))
            .sort();
    const manifest = (name: string) =>
        Object.fromEntries(
            fs
                .readFileSync(path.join(backupDir, name, "MANIFEST"), "utf8")
                .trim()
                .split("\n")
                .map((line) => [line.slice(0, line.indexOf("=")), line.slice(line.indexOf("=") + 1)]),
        );

    const sql = (c: FakeKubelet, ordinal: number, statement: string) => sqlOn(c, ordinal, statement, 300_000);

    /** Row count and CHECKSUM TABLE of both tables, once every pod agrees (replication caught up). */
    async function converged(c: FakeKubelet, ordinals: number[], expectedOrders: number): Promise<string> {
        const state = (o: number) =>
            sql(
                c,
                o,
                "SELECT COUNT(*) FROM shop.orders; CHECKSUM TABLE shop.orders; SELECT COUNT(*) FROM shop.ballast; CHECKSUM TABLE shop.ballast",
            );
        let states: string[] = [];
        await waitFor(
            async () => {
                states = await Promise.all(ordinals.map(state));
                return states.every((s) => s === states[0]) && states[0].startsWith(`${expectedOrders}\n`);
            },
            {
                timeoutMs: 120_000,
                everyMs: 250,
                what: () => `${expectedOrders} orders and one state on every pod: ${JSON.stringify(states)}`,
            },
        );
        assert.deepStrictEqual(
            states,
            ordinals.map(() => states[0]),
            "counts and checksums per pod",
        );
        assert.ok(states[0].startsWith(`${expectedOrders}\n`), `expected ${expectedOrders} rows: ${states[0]}`);
        return states[0];
    }

    before(async function () {
        requireFakeKubelet(this);
        backupDir = fs.mkdtempSync(path.join(os.tmpdir(), "mysql-statefulset-backups-"));
        rawDir = fs.mkdtempSync(path.join(os.tmpdir(), "mysql-statefulset-raw-"));
    });

    after(async function () {
        await cluster?.destroy();
        for (const dir of [backupDir, rawDir].filter((d) => d !== "")) {
            fs.rmSync(dir, { recursive: true, force: true });
        }
        if (Object.keys(figures).length > 0) {
            console.log("\n  figures:");
            for (const [what, value] of Object.entries(figures)) {
                console.log(`    ${what}: ${value}`);
            }
        }
    });

    let atBackup = "";
    let backupName = "";

    it("takes a prepared backup of the highest-ordinal replica, with its position and checksums; a backup killed half-way fails and leaves it in place", async () => {
        cluster = await createRealCluster("backup", { render: renderArgs(), claimPaths: { [BACKUP_CLAIM]: backupDir } });
        const c = cluster;
        await c.scaleTo(3);
        await sql(c, 0, "CREATE TABLE shop.orders (id INT AUTO_INCREMENT PRIMARY KEY, note VARCHAR(64) NOT NULL)");
        await sql(c, 0, "INSERT INTO shop.orders (note) SELECT CONCAT('before-', seq) FROM shop.seq_1_to_1000");
        await sql(
            c,
            0,
            `CREATE TABLE shop.ballast (id INT PRIMARY KEY, pad CHAR(255) NOT NULL) SELECT seq AS id, REPEAT('x', 255) AS pad FROM shop.seq_1_to_${BALLAST_ROWS}`,
        );
        atBackup = await converged(c, [0, 1, 2], 1000);
        // The ballast put the replicas past maxReplicationLagSeconds while they applied it: Not Ready, so
        // their names do not resolve, until their next readiness probe. The Job names the last one.
        await c.waitForReady(2);

        let started = Date.now();
        const job = await c.startJob("mysql-backup");
        const result = await job.result;
        const backupMs = Date.now() - started;
        assert.ok(result.succeeded, `the backup Job failed: ${JSON.stringify(result)}\n${job.logs(CONTAINERS.backup)}`);
        assert.match(job.logs(CONTAINERS.backup), /backing up mysql-2\.mysql\.default\.svc\.cluster\.local:3307/);
        [backupName] = good();
        assert.match(backupName, /^\d{8}T\d{6}Z$/);
        const m = manifest(backupName);
        assert.strictEqual(m.format, "prepared");
        assert.strictEqual(m.position_source, "xtrabackup_slave_info");
        assert.match(m.gtid, /^0-100-\d+$/);
        // The backup checks out against its own checksums, as a restore will check it.
        execFileSync("sha256sum", ["--quiet", "--strict", "--check", "../SHA256SUMS"], { cwd: path.join(backupDir, backupName, "data") });
        assert.deepStrictEqual(fs.readdirSync(backupDir), [backupName], "no staging directory is left");

        // The same bytes as a raw tar copy of the donor's data directory, on the same disk.
        const donorDir = path.join(c.volumePath(2, VOLUMES.data), "mysql");
        started = Date.now();
        execFileSync("bash", ["-c", 'tar -C "$1" -cf - . | tar -xf - -C "$2"', "raw", donorDir, rawDir]);
        const rawMs = Date.now() - started;
        figures["backup (Job: stream over mTLS + prepare + sha256 + rename)"] = rate(Number(m.bytes), backupMs);
        figures["raw tar copy of the donor's data dir"] = rate(duBytes(donorDir), rawMs);

        // More rows, after the backup point: the restore must not have them.
        await sql(c, 0, "INSERT INTO shop.orders (note) SELECT CONCAT('after-', seq) FROM shop.seq_1_to_500");
        await converged(c, [0, 1, 2], 1500);

        // A second backup, killed once its stream has started.
        const killed: JobRun = await c.startJob("mysql-backup");
        await waitFor(
            () => {
                const partial = fs.readdirSync(backupDir).find((n) => n.endsWith(".partial"));
                return (
                    partial !== undefined &&
                    fs.existsSync(path.join(backupDir, partial, "data")) &&
                    duBytes(path.join(backupDir, partial, "data")) > 4 * 2 ** 20
                );
            },
            { timeoutMs: 60_000, what: () => `the second backup to stream\n${killed.logs(CONTAINERS.backup)}` },
        );
        await killed.kill(CONTAINERS.backup);
        const failed = await killed.result;
        assert.strictEqual(failed.succeeded, false, "the killed backup's Job failed");
        assert.deepStrictEqual(failed.attempts, [{ [CONTAINERS.backup]: 137 }], "one attempt (backoffLimit 0), killed");
        assert.deepStrictEqual(good(), [backupName], "the good backup is still the only one");
        assert.deepStrictEqual(manifest(backupName), m, "and unchanged");
        execFileSync("sha256sum", ["--quiet", "--strict", "--check", "../SHA256SUMS"], { cwd: path.join(backupDir, backupName, "data") });
        await c.destroy();
        cluster = undefined;
    });

    it("restores a NEW cluster from that backup: mysql-0 starts from it, the replicas clone from mysql-0 and replicate, with exactly the backup point's rows", async () => {
        assert.ok(backupName !== "", "the backup case ran");
        const prefix = runPrefix("r");
        cluster = await createRealCluster("restored", {
            render: renderArgs([`restoreFrom=${backupName}`]),
            claimPaths: { [BACKUP_CLAIM]: backupDir },
            prefix,
            subnet: runSubnet(1),
            // A new stack: passwords and certificates of its own, not the backed-up cluster's.
            stack: "restored",
        });
        const c = cluster;
        await c.scaleTo(3);
        assert.match(c.logs(0, CONTAINERS.clone), new RegExp(`restore of ${backupName} complete`));
        assert.match(c.logs(0, CONTAINERS.sidecar), /restore finished: GTID state set from the backup/);
        assert.match(c.logs(1, CONTAINERS.clone), /cloning from mysql-0\./);
        assert.strictEqual(await converged(c, [0, 1, 2], 1000), atBackup, "exactly the rows of the backup point, on every pod");
        const restore = c.events().filter((e) => e.pod === "mysql-0" && e.container === CONTAINERS.clone);
        const restoreMs = restore.find((e) => e.type === "ContainerExited")!.t - restore.find((e) => e.type === "ContainerStarted")!.t;
        figures["restore (mysql-0's clone-mysql: sha256 check + copy + rename)"] = rate(Number(manifest(backupName).bytes), restoreMs);

        for (const replica of [1, 2]) {
            // ON only while both the IO and the SQL thread run.
            assert.strictEqual(await sql(c, replica, "SHOW GLOBAL STATUS LIKE 'Slave_running'"), "Slave_running\tON");
        }
        // New writes on the restored primary reach its replicas.
        await sql(c, 0, "INSERT INTO shop.orders (note) SELECT CONCAT('restored-', seq) FROM shop.seq_1_to_100");
        await converged(c, [0, 1, 2], 1100);
    });
});
