// Backups to object storage and a restore from the bucket alone on the real engine and the real controllers
// (issues #22, #20; mariadb flavor): an S3-compatible server (`rclone serve s3`, built from Go modules by
// tools/rclone/build.sh) listens on the pod network's gateway address (.1 of the node agent's subnet, added
// to its bridge); the stack has a bucket and no backup volume at all. The stack's CronJob made into a Job as
// an operator would (`kubectl create job --from=cronjob/mysql-backup`), run by the real Job controller and the
// node agent, takes a prepared backup of the highest-ordinal replica and uploads it with the rclone that the
// rclone/rclone image's init container copied in (the node agent maps that image to the built binary:
// FAKE_KUBELET_RCLONE). The stack destroyed, a NEW stack (namespace `restored`, volumes of its own, the same
// bucket and prefix, no backup volume) set with `restoreFrom` starts mysql-0 from the downloaded backup, and
// its replicas clone from it and replicate. Prints upload and download throughput against a raw copy.
// The former tests/real/offsite.test.ts ran the CronJob's pod with the fake kubelet's own Job emulation.
//
// Root only, as the node agent. Run it alone:
//   flock /tmp/real-suite.lock npx mocha --exit --no-config --require ts-node/register/transpile-only \
//       --timeout 1800000 tests/engine/offsite.test.ts
import * as assert from "assert";
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { CONTAINERS } from "../../components";
import { ApiPod, CommandResult, EngineBed, REPO, requireEngineBed, isReady } from "./harness";
import { waitFor } from "../fake-kubelet/util";
import { gatewayOf, S3Server } from "./s3Server";

const KEY = (k: string): string => `mysql-statefulset:${k}`;
const PATHS = [1, 2, 3].map((n) => `/offsite/v${n}`);
const RESTORED_PATHS = [1, 2, 3].map((n) => `/offsite-restored/v${n}`);
/** The restored cluster must use the old cluster's passwords: its data keeps the old accounts. */
const PASSWORDS = {
    rootPassword: "root-Offsite-1",
    replicationPassword: "repl-Pa55-w0rd",
    backupPassword: "backup-Pa55-w0rd",
    appPassword: "app-Pa55-w0rd",
};
const BUCKET = "acme-backups";
/** The old cluster's prefix (NAMESPACE/NAME), set on both stacks: the restored one lives in another namespace. */
const PREFIX = "default/mysql";
const KEYS = { id: "offsite-test-key", secret: "offsite-test-secret-0123456789" };
const CREDENTIALS_SECRET = "mysql-backup-s3";
/** A /24 of its own (backup.test.ts has 19, day2 and labels 18). */
const SUBNET_INDEX = 21;
/** ~65 MB of InnoDB data: a measurable upload that still keeps the case short. */
const BALLAST_ROWS = 200_000;

const ENDPOINT = gatewayOf(SUBNET_INDEX).endpoint;

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
    [KEY("backupS3Bucket")]: BUCKET,
    [KEY("backupS3Endpoint")]: ENDPOINT,
    [KEY("backupS3CredentialsSecret")]: CREDENTIALS_SECRET,
    [KEY("backupS3Prefix")]: PREFIX,
    ...Object.fromEntries(Object.entries(extra).map(([k, v]) => [KEY(k), v])),
});

const said = (r: CommandResult): string => `exit ${r.code}\n--- stdout\n${r.stdout.slice(-6000)}\n--- stderr\n${r.stderr.slice(-3000)}`;
const duBytes = (dir: string): number => Number(execFileSync("du", ["-sb", dir], { encoding: "utf8" }).split("\t")[0]);
const rate = (bytes: number, ms: number): string =>
    `${(bytes / 2 ** 20).toFixed(1)} MiB in ${ms} ms = ${(bytes / 2 ** 20 / (ms / 1000)).toFixed(0)} MiB/s`;

interface ApiJob {
    status?: { succeeded?: number; failed?: number; conditions?: { type: string; status: string; reason?: string }[] };
}

describe("backups to an S3 bucket and a restore from the bucket alone on the real controllers (mariadb, rclone serve s3)", function () {
    this.timeout(30 * 60_000);
    let bed: EngineBed | undefined;
    let server: S3Server | undefined;
    let storeDir = "";
    let rawDir = "";
    const figures: Record<string, string> = {};
    const b = (): EngineBed => {
        if (!bed) throw new Error("the engine bed did not start");
        return bed;
    };
    const prefixDir = (): string => path.join(storeDir, BUCKET, ...PREFIX.split("/"));
    const manifest = (name: string): Record<string, string> =>
        Object.fromEntries(
            fs
                .readFileSync(path.join(prefixDir(), name, "MANIFEST"), "utf8")
                .trim()
                .split("\n")
                .map((line) => [line.slice(0, line.indexOf("=")), line.slice(line.indexOf("=") + 1)]),
        );

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
        assert.strictEqual(r.code, 0, `pulumi up failed: ${said(r)}\nS3:\n${server?.log ?? ""}`);
        await waitFor(() => allReady(ns), { timeoutMs: 600_000, everyMs: 1000, what: `3 Ready pods in ${ns}` });
        return r;
    };
    /** The bucket's credentials Secret, as an operator creates it with kubectl beside the stack. */
    const createCredentials = (ns: string): Promise<string> =>
        b().kubectl(
            "create",
            "secret",
            "generic",
            CREDENTIALS_SECRET,
            "-n",
            ns,
            `--from-literal=access-key-id=${KEYS.id}`,
            `--from-literal=secret-access-key=${KEYS.secret}`,
        );

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
    /** How long an init container of a pod ran, from its terminated state (whole seconds). */
    const initContainerMs = async (ns: string, pod: string, container: string): Promise<number | undefined> => {
        const terminated = (
            JSON.parse(await b().kubectl("get", "pod", "-n", ns, pod, "-o", "json")) as {
                status: { initContainerStatuses: { name: string; state: { terminated?: { startedAt: string; finishedAt: string } } }[] };
            }
        ).status.initContainerStatuses.find((c) => c.name === container)?.state.terminated;
        return terminated && Date.parse(terminated.finishedAt) - Date.parse(terminated.startedAt);
    };

    before(async function () {
        requireEngineBed(this);
        const rclone = path.join(
            execFileSync("bash", [path.join(REPO, "tools", "rclone", "build.sh")], {
                encoding: "utf8",
                stdio: ["ignore", "pipe", "ignore"],
            }).trim(),
            "rclone",
        );
        // The node agent (a child of this process, started by the bed) maps the rclone/rclone image to it.
        process.env.FAKE_KUBELET_RCLONE = rclone;
        storeDir = fs.mkdtempSync(path.join(os.tmpdir(), "mysql-statefulset-s3-"));
        fs.mkdirSync(path.join(storeDir, BUCKET));
        rawDir = fs.mkdtempSync(path.join(os.tmpdir(), "mysql-statefulset-raw-"));
        bed = await EngineBed.start({
            stack: "offsite",
            nfsDirs: [...PATHS, ...RESTORED_PATHS],
            subnetIndex: SUBNET_INDEX,
            stackConfig: stackConfig({ nfsPaths: PATHS, backupSchedule: "@daily", backupRetention: 2 }),
        });
        for (const [key, value] of Object.entries(PASSWORDS)) await b().pulumiOk(["config", "set", "--secret", key, value]);
        server = new S3Server(rclone, storeDir, KEYS, SUBNET_INDEX);
        await server.start(b());
    });

    after(async function () {
        await server?.stop();
        await bed?.stop();
        for (const dir of [storeDir, rawDir].filter((d) => d !== "")) fs.rmSync(dir, { recursive: true, force: true });
        if (Object.keys(figures).length > 0) {
            console.log("\n  figures:");
            for (const [what, value] of Object.entries(figures)) console.log(`    ${what}: ${value}`);
        }
    });

    let atBackup = "";
    let backupName = "";

    it("uploads a prepared backup to the bucket with its manifest last, from a Job without any backup volume", async () => {
        await createCredentials("default");
        await up("offsite", "default");
        await sql("default", 0, "CREATE TABLE shop.orders (id INT AUTO_INCREMENT PRIMARY KEY, note VARCHAR(64) NOT NULL);");
        await sql("default", 0, "INSERT INTO shop.orders (note) SELECT CONCAT('before-', seq) FROM shop.seq_1_to_1000;");
        await sql(
            "default",
            0,
            `CREATE TABLE shop.ballast (id INT PRIMARY KEY, pad CHAR(255) NOT NULL) SELECT seq AS id, REPEAT('x', 255) AS pad FROM shop.seq_1_to_${BALLAST_ROWS};`,
        );
        // A database without tables: a directory with only db.opt (a truly empty one is tests/unit/objectStoreScripts.test.ts's).
        await sql("default", 0, "CREATE DATABASE empty_db;");
        atBackup = await converged("default", [0, 1, 2], 1000);
        // The ballast put the replicas past maxReplicationLagSeconds while they applied it: Not Ready, so their
        // names leave DNS, until their next readiness probe. The Job names the last one.
        await waitFor(() => allReady("default"), { timeoutMs: 120_000, everyMs: 1000, what: "3 Ready pods after the ballast" });

        const started = Date.now();
        const pod = await startJob("offsite-1");
        const status = await jobDone("offsite-1");
        const jobMs = Date.now() - started;
        const log = await b().kubectl("logs", pod, "-c", CONTAINERS.backup);
        assert.strictEqual(
            status?.succeeded,
            1,
            `the backup Job failed: ${JSON.stringify(status)}\n${log}\n${(await b().kubectlRun("logs", pod, "-c", CONTAINERS.rclone)).stdout}\nS3:\n${server?.log}`,
        );
        assert.match(log, /backing up mysql-2\.mysql\.default\.svc\.cluster\.local:3307/);
        const uploaded = /backup (\d{8}T\d{6}Z) uploaded: (\d+) bytes in ([\d.]+) s/.exec(log);
        assert.ok(uploaded, log);
        backupName = uploaded[1];
        // In the bucket: data, SHA256SUMS, DIRECTORIES and the MANIFEST, which checks out as a restore checks it.
        // Beside it, mysql-0's shipped binlogs (binlog-ship.sh; pitr.test.ts restores from them).
        assert.deepStrictEqual(fs.readdirSync(prefixDir()).sort(), [backupName, "binlogs"]);
        assert.deepStrictEqual(fs.readdirSync(path.join(prefixDir(), backupName)).sort(), [
            "DIRECTORIES",
            "MANIFEST",
            "SHA256SUMS",
            "data",
        ]);
        const m = manifest(backupName);
        assert.strictEqual(m.format, "prepared");
        assert.strictEqual(m.position_source, "xtrabackup_slave_info");
        assert.match(m.gtid, /^0-100-\d+$/);
        execFileSync("sha256sum", ["--quiet", "--strict", "--check", "../SHA256SUMS"], { cwd: path.join(prefixDir(), backupName, "data") });
        assert.match(fs.readFileSync(path.join(prefixDir(), backupName, "DIRECTORIES"), "utf8"), /^\.\/empty_db$/m);

        const bytes = Number(m.bytes);
        figures["backup Job to the bucket (pod start + stream + prepare + sha256 + upload + check)"] = rate(bytes, jobMs);
        figures["upload alone (rclone copy + check to rclone serve s3)"] = rate(bytes, Math.round(Number(uploaded[3]) * 1000));
        const donorDir = path.join(b().nfsRoot, PATHS[2], "mysql");
        assert.ok(fs.existsSync(donorDir), `${donorDir} is mysql-2's data directory`);
        const rawStarted = Date.now();
        execFileSync("bash", ["-c", 'tar --warning=no-file-changed -C "$1" -cf - . | tar -xf - -C "$2"', "raw", donorDir, rawDir]);
        const rawMs = Date.now() - rawStarted;
        figures["raw tar copy of the donor's data dir"] = rate(duBytes(donorDir), rawMs);

        // After the backup point: the restore must not have these.
        await sql("default", 0, "INSERT INTO shop.orders (note) SELECT CONCAT('after-', seq) FROM shop.seq_1_to_500;");
        await converged("default", [0, 1, 2], 1500);

        // The old cluster goes (README: `pulumi destroy` keeps the volumes and orphans the pods; delete them).
        const destroy = await b().pulumi(["destroy", "--yes", "--skip-preview"]);
        assert.strictEqual(destroy.code, 0, said(destroy));
        await b().kubectl("delete", "pod", "-l", "app=mysql", "--wait=true", "--timeout=300s");
    });

    it("restores a NEW stack from the bucket alone: mysql-0 downloads the backup, the replicas clone from it and replicate, with exactly the backup point's rows", async () => {
        assert.ok(backupName !== "", "the upload case ran");
        // An upload cut short (no MANIFEST) beside it is no backup, and in nobody's way.
        fs.mkdirSync(path.join(prefixDir(), "20000101T000000Z", "data"), { recursive: true });
        await b().kubectl("create", "namespace", "restored");
        await createCredentials("restored");
        // A new stack: its own namespace, volumes, certificates and cluster UID; the old cluster's passwords and
        // bucket prefix; no backup volume.
        b().writeStackFile("restored", stackConfig({ namespace: "restored", nfsPaths: RESTORED_PATHS, restoreFrom: backupName }));
        await b().pulumiOk(["stack", "init", "restored"]);
        for (const [key, value] of Object.entries(PASSWORDS)) {
            await b().pulumiOk(["config", "set", "--stack", "restored", "--secret", key, value]);
        }
        await up("restored", "restored");
        const logs = (pod: string, container: string) => b().kubectl("logs", "-n", "restored", pod, "-c", container);
        const restoreLog = await logs("mysql-0", CONTAINERS.clone);
        assert.match(restoreLog, new RegExp(`downloading backup ${backupName} from offsite:${BUCKET}/${PREFIX}/${backupName}/`));
        assert.match(restoreLog, new RegExp(`restore of ${backupName} complete`));
        assert.match(await logs("mysql-0", CONTAINERS.sidecar), /restore finished: GTID state set from the backup/);
        assert.match(await logs("mysql-1", CONTAINERS.clone), /cloning from mysql-0\./);
        assert.strictEqual(await converged("restored", [0, 1, 2], 1000), atBackup, "exactly the rows of the backup point, on every pod");
        assert.strictEqual(
            (await sql("restored", 0, "SHOW DATABASES LIKE 'empty_db';")).trim(),
            "empty_db",
            "the empty database came back",
        );
        const downloaded = /backup \S+ downloaded: (\d+) bytes in ([\d.]+) s/.exec(restoreLog);
        assert.ok(downloaded, restoreLog);
        figures["download alone (rclone copy from rclone serve s3)"] = rate(
            Number(downloaded[1]),
            Math.round(Number(downloaded[2]) * 1000),
        );
        const restoreMs = await initContainerMs("restored", "mysql-0", CONTAINERS.clone);
        if (restoreMs !== undefined) {
            figures["restore (mysql-0's clone-mysql: list + download + sha256 check + move; whole seconds)"] = rate(
                Number(downloaded[1]),
                restoreMs,
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
