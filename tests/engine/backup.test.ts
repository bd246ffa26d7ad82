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
import { ApiPod, CommandResult, EngineBed, requireEngineBed, isReady } from "./harness";
import { waitFor } from "../fake-kubelet/util";

const KEY = (k: string): string => `mysql-statefulset:${k}`;
const PATHS = [1, 2, 3].map((n) => `/backup/v${n}`);
const RESTORED_PATHS = [1, 2, 3].map((n) => `/restored/v${n}`);
const BACKUPS = "/backup/backups";
/** The restored cluster must use the old cluster's passwords: its data keeps the old accounts. */
const PASSWORDS = {
    rootPassword: "root-Backup-1",
    replicationPassword: "repl-Pa55-w0rd",
    backupPassword: "backup-Pa55-w0rd",
    appPassword: "app-Pa55-w0rd",
};
/** ~130 MB of InnoDB data: enough for a measurable stream, and a stream the test can cut half-way. */
const BALLAST_ROWS = 400_000;

/** The stack's settings; `namespace`, `nfsPaths` and `restoreFrom` differ between the two stacks. */
const stackConfig = (extra: Record<string, unknown>): Record<string, unknown> => ({
    [KEY("flavor")]: "mariadb",
    [KEY("replicas")]: 3,
    [KEY("nfsServer")]: "nfs.local",
    [KEY("appDatabase")]: "shop",
    [KEY("appUser")]: "shop-app",
    [KEY("maxReplicationLagSeconds")]: 5,
    [KEY("cloneIdleTimeoutSeconds")]: 10,
    [KEY("cpuRequest")]: "100m",
    [KEY("memoryRequest")]: "200Mi",
    [KEY("mysqldOptions")]: ["innodb_buffer_pool_size=64M", "innodb_log_file_size=48M"],
    [KEY("backupSchedule")]: "@daily",
    [KEY("backupNfsPath")]: BACKUPS,
    [KEY("backupRetention")]: 2,
    ...Object.fromEntries(Object.entries(extra).map(([k, v]) => [KEY(k), v])),
});

const said = (r: CommandResult): string => `exit ${r.code}\n--- stdout\n${r.stdout.slice(-6000)}\n--- stderr\n${r.stderr.slice(-3000)}`;
const duBytes = (dir: string): number => Number(execFileSync("du", ["-sb", dir], { encoding: "utf8" }).split("\t")[0]);
const rate = (bytes: number, ms: number): string =>
    `${(bytes / 2 ** 20).toFixed(1)} MiB in ${ms} ms = ${(bytes / 2 ** 20 / (ms / 1000)).toFixed(0)} MiB/s`;

interface ApiJob {
    status?: { succeeded?: number; failed?: number; conditions?: { type: string; status: string; reason?: string }[] };
}

describe("backups and a restore drill on the real controllers (mariadb, a Job from the CronJob)", function () {
    this.timeout(30 * 60_000);
    let bed: EngineBed | undefined;
    let rawDir = "";
    const figures: Record<string, string> = {};
    const b = (): EngineBed => {
        if (!bed) throw new Error("the engine bed did not start");
        return bed;
    };
    const backupDir = (): string => path.join(b().nfsRoot, BACKUPS);
    const good = (): string[] =>
        fs
            .readdirSync(backupDir())
            .filter((n) => !n.endsWith(".partial") && fs.existsSync(path.join(backupDir(), n, "MANIFEST")))
            .sort();
    const manifest = (name: string): Record<string, string> =>
        Object.fromEntries(
            fs
                .readFileSync(path.join(backupDir(), name, "MANIFEST"), "utf8")
                .trim()
                .split("\n")
                .map((line) => [line.slice(0, line.indexOf("=")), line.slice(line.indexOf("=") + 1)]),
        );
    const checkSums = (name: string): void => {
        execFileSync("sha256sum", ["--quiet", "--strict", "--check", "../SHA256SUMS"], { cwd: path.join(backupDir(), name, "data") });
    };

    const sql = (ns: string, ordinal: number, statement: string): Promise<string> => b().sql(`mysql-${ordinal}`, statement, ns);

    /** Row count and CHECKSUM TABLE of both tables, once every pod agrees (replication caught up). */
    async function converged(ns: string, ordinals: number[], expectedOrders: number): Promise<string> {
        const state = (o: number) =>
            sql(
                ns,
                o,
                "SELECT COUNT(*) FROM shop.orders; CHECKSUM TABLE shop.orders; SELECT COUNT(*) FROM shop.ballast; CHECKSUM TABLE shop.ballast;",
            ).then((s) => s.trim());
        let states: string[] = [];
        await waitFor(
            async () => {
                states = await Promise.all(ordinals.map((o) => state(o).catch((e: Error) => e.message.split("\n")[0])));
                return states.every((s) => s === states[0]) && states[0].startsWith(`${expectedOrders}\n`);
            },
            {
                timeoutMs: 180_000,
                everyMs: 1000,
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

    const allReady = async (ns: string): Promise<boolean> => {
        const pods = await b().pods(ns);
        return ["mysql-0", "mysql-1", "mysql-2"].every((p) => isReady(pods.get(p)) && !pods.get(p)?.metadata.deletionTimestamp);
    };
    const up = async (stack: string, ns: string): Promise<CommandResult> => {
        const r = await b().pulumi(["up", "--yes", "--skip-preview", "--stack", stack]);
        assert.strictEqual(r.code, 0, `pulumi up failed: ${said(r)}`);
        await waitFor(() => allReady(ns), { timeoutMs: 600_000, everyMs: 1000, what: `3 Ready pods in ${ns}` });
        return r;
    };

    /** Makes a Job from the stack's CronJob, as an operator would; resolves with its pod's name. */
    const startJob = async (name: string): Promise<string> => {
        await b().kubectl("create", "job", name, "--from=cronjob/mysql-backup");
        let pod = "";
        await waitFor(
            async () => {
                const list = JSON.parse(await b().kubectl("get", "pods", "-l", `job-name=${name}`, "-o", "json")) as { items: ApiPod[] };
                pod = list.items[0]?.metadata.name ?? "";
                return pod !== "";
            },
            { timeoutMs: 60_000, everyMs: 500, what: `the pod of Job ${name}` },
        );
        return pod;
    };
    /** Waits until the Job has succeeded or failed; its status. */
    const jobDone = async (name: string): Promise<ApiJob["status"]> => {
        let status: ApiJob["status"];
        await waitFor(
            async () => {
                status = (JSON.parse(await b().kubectl("get", "job", name, "-o", "json")) as ApiJob).status;
                return (status?.conditions ?? []).some((c) => ["Complete", "Failed"].includes(c.type) && c.status === "True");
            },
            { timeoutMs: 900_000, everyMs: 1000, what: `Job ${name} to finish` },
        );
        return status;
    };

    before(async function () {
        requireEngineBed(this);
        rawDir = fs.mkdtempSync(path.join(os.tmpdir(), "mysql-statefulset-raw-"));
        bed = await EngineBed.start({
            stack: "backup",
            nfsDirs: [...PATHS, ...RESTORED_PATHS, BACKUPS],
            subnetIndex: 19,
            stackConfig: stackConfig({ nfsPaths: PATHS }),
        });
        for (const [key, value] of Object.entries(PASSWORDS)) await b().pulumiOk(["config", "set", "--secret", key, value]);
    });

    after(async function () {
        await bed?.stop();
        if (rawDir) fs.rmSync(rawDir, { recursive: true, force: true });
        if (Object.keys(figures).length > 0) {
            console.log("\n  figures:");
            for (const [what, value] of Object.entries(figures)) console.log(`    ${what}: ${value}`);
        }
    });

    let atBackup = "";
    let backupName = "";

    it("takes a prepared backup of the highest-ordinal replica, with its position and checksums; a backup killed half-way fails and leaves it in place", async () => {
        await up("backup", "default");
        await sql("default", 0, "CREATE TABLE shop.orders (id INT AUTO_INCREMENT PRIMARY KEY, note VARCHAR(64) NOT NULL);");
        await sql("default", 0, "INSERT INTO shop.orders (note) SELECT CONCAT('before-', seq) FROM shop.seq_1_to_1000;");
        await sql(
            "default",
            0,
            `CREATE TABLE shop.ballast (id INT PRIMARY KEY, pad CHAR(255) NOT NULL) SELECT seq AS id, REPEAT('x', 255) AS pad FROM shop.seq_1_to_${BALLAST_ROWS};`,
        );
        atBackup = await converged("default", [0, 1, 2], 1000);
        // The ballast put the replicas past maxReplicationLagSeconds while they applied it: Not Ready, so their
        // names leave DNS, until their next readiness probe. The Job names the last one.
        await waitFor(() => allReady("default"), { timeoutMs: 120_000, everyMs: 1000, what: "3 Ready pods after the ballast" });

        let started = Date.now();
        const pod = await startJob("backup-1");
        const status = await jobDone("backup-1");
        const backupMs = Date.now() - started;
        const log = await b().kubectl("logs", pod, "-c", CONTAINERS.backup);
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
        const donorDir = path.join(b().nfsRoot, PATHS[2], "mysql");
        assert.ok(fs.existsSync(donorDir), `${donorDir} is mysql-2's data directory`);
        started = Date.now();
        execFileSync("bash", ["-c", 'tar -C "$1" -cf - . | tar -xf - -C "$2"', "raw", donorDir, rawDir]);
        const rawMs = Date.now() - started;
        figures["backup (Job: pod start + stream over mTLS + prepare + sha256 + rename)"] = rate(Number(m.bytes), backupMs);
        figures["raw tar copy of the donor's data dir"] = rate(duBytes(donorDir), rawMs);

        // More rows, after the backup point: the restore must not have them.
        await sql("default", 0, "INSERT INTO shop.orders (note) SELECT CONCAT('after-', seq) FROM shop.seq_1_to_500;");
        await converged("default", [0, 1, 2], 1500);

        // A second backup, killed once its stream has started (as an OOM kill would end it).
        const killedPod = await startJob("backup-2");
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
        assert.strictEqual(b().killContainer(killedPod, CONTAINERS.backup), 1, "one backup container killed");
        const failed = await jobDone("backup-2");
        assert.deepStrictEqual(
            {
                succeeded: failed?.succeeded ?? 0,
                failed: failed?.failed,
                reason: failed?.conditions?.find((c) => c.type === "Failed")?.reason,
            },
            { succeeded: 0, failed: 1, reason: "BackoffLimitExceeded" },
            "one attempt (backoffLimit 0), failed",
        );
        const jobPods = JSON.parse(await b().kubectl("get", "pods", "-l", "job-name=backup-2", "-o", "json")) as {
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

        // The old cluster goes (README: `pulumi destroy` keeps the volumes and orphans the pods; delete them).
        const destroy = await b().pulumi(["destroy", "--yes", "--skip-preview"]);
        assert.strictEqual(destroy.code, 0, said(destroy));
        await b().kubectl("delete", "pod", "-l", "app=mysql", "--wait=true", "--timeout=300s");
    });

    it("restores a NEW stack from that backup: mysql-0 starts from it, the replicas clone from mysql-0 and replicate, with exactly the backup point's rows", async () => {
        assert.ok(backupName !== "", "the backup case ran");
        await b().kubectl("create", "namespace", "restored");
        // A new stack: its own namespace, volumes, certificates and cluster UID; the old cluster's passwords.
        b().writeStackFile("restored", stackConfig({ namespace: "restored", nfsPaths: RESTORED_PATHS, restoreFrom: backupName }));
        await b().pulumiOk(["stack", "init", "restored"]);
        for (const [key, value] of Object.entries(PASSWORDS)) {
            await b().pulumiOk(["config", "set", "--stack", "restored", "--secret", key, value]);
        }
        await up("restored", "restored");
        const logs = (pod: string, container: string) => b().kubectl("logs", "-n", "restored", pod, "-c", container);
        assert.match(await logs("mysql-0", CONTAINERS.clone), new RegExp(`restore of ${backupName} complete`));
        assert.match(await logs("mysql-0", CONTAINERS.sidecar), /restore finished: GTID state set from the backup/);
        assert.match(await logs("mysql-1", CONTAINERS.clone), /cloning from mysql-0\./);
        assert.strictEqual(await converged("restored", [0, 1, 2], 1000), atBackup, "exactly the rows of the backup point, on every pod");
        const clone = (
            JSON.parse(await b().kubectl("get", "pod", "-n", "restored", "mysql-0", "-o", "json")) as {
                status: { initContainerStatuses: { name: string; state: { terminated?: { startedAt: string; finishedAt: string } } }[] };
            }
        ).status.initContainerStatuses.find((c) => c.name === CONTAINERS.clone)?.state.terminated;
        if (clone) {
            const ms = Date.parse(clone.finishedAt) - Date.parse(clone.startedAt);
            figures["restore (mysql-0's clone-mysql: sha256 check + copy + rename; whole seconds)"] = rate(
                Number(manifest(backupName).bytes),
                ms,
            );
        }

        for (const replica of [1, 2]) {
            // ON only while both the IO and the SQL thread run.
            assert.strictEqual((await sql("restored", replica, "SHOW GLOBAL STATUS LIKE 'Slave_running';")).trim(), "Slave_running\tON");
        }
        // New writes on the restored primary reach its replicas.
        await sql("restored", 0, "INSERT INTO shop.orders (note) SELECT CONCAT('restored-', seq) FROM shop.seq_1_to_100;");
        await converged("restored", [0, 1, 2], 1100);
    });
});
