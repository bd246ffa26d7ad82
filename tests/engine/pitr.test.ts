// The point-in-time drill on the real engine and the real controllers (issue #22; mariadb flavor): writes, a
// backup to the bucket (a Job from the stack's CronJob), more writes under load while mysql-0's binlog-ship
// container ships the binlogs every BINLOG_INTERVAL seconds (the lag of the shipped binlogs measured and
// printed), a time T noted, a bad DELETE, then every NFS directory of the cluster removed and `pulumi
// destroy`. A NEW stack restored to T from the bucket alone (`restoreFrom: T`) has exactly the rows and
// CHECKSUM TABLE at T on every pod, and its replicas replicate. The object store is `rclone serve s3`
// (tests/engine/s3Server.ts), as in offsite.test.ts.
//
// Root only, as the node agent. Run it alone:
//   flock /tmp/real-suite.lock npx mocha --exit --no-config --require ts-node/register/transpile-only \
//       --timeout 1800000 tests/engine/pitr.test.ts
import * as assert from "assert";
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { CONTAINERS } from "../../components";
import { waitFor } from "../fake-kubelet/util";
import { CommandResult, EngineBed, isReady, REPO, requireEngineBed } from "./harness";
import { gatewayOf, S3Server } from "./s3Server";

const KEY = (k: string): string => `mysql-statefulset:${k}`;
const PATHS = [1, 2, 3].map((n) => `/pitr/v${n}`);
const RESTORED_PATHS = [1, 2, 3].map((n) => `/pitr-restored/v${n}`);
const PASSWORDS = {
    rootPassword: "root-Pitr-1",
    replicationPassword: "repl-Pa55-w0rd",
    backupPassword: "backup-Pa55-w0rd",
    appPassword: "app-Pa55-w0rd",
};
const BUCKET = "acme-backups";
const PREFIX = "default/mysql";
const KEYS = { id: "pitr-test-key", secret: "pitr-test-secret-0123456789" };
const CREDENTIALS_SECRET = "mysql-backup-s3";
/** A /24 of its own (offsite 21, backup 19, day2 and labels 18). */
const SUBNET_INDEX = 23;
/** The shipping interval under test: the smallest allowed, so the drill is short. */
const BINLOG_INTERVAL = 5;

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
    [KEY("backupS3Endpoint")]: gatewayOf(SUBNET_INDEX).endpoint,
    [KEY("backupS3CredentialsSecret")]: CREDENTIALS_SECRET,
    [KEY("backupS3Prefix")]: PREFIX,
    [KEY("binlogShipIntervalSeconds")]: BINLOG_INTERVAL,
    ...Object.fromEntries(Object.entries(extra).map(([k, v]) => [KEY(k), v])),
});

const said = (r: CommandResult): string => `exit ${r.code}\n--- stdout\n${r.stdout.slice(-6000)}\n--- stderr\n${r.stderr.slice(-3000)}`;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
/** A key=value file as a record. */
const keyValues = (text: string): Record<string, string> =>
    Object.fromEntries(
        text
            .trim()
            .split("\n")
            .map((line) => [line.slice(0, line.indexOf("=")), line.slice(line.indexOf("=") + 1)]),
    );
/** UTC to the second, as restoreFrom takes it. */
const utc = (ms: number): string => new Date(ms).toISOString().replace(/\.\d{3}Z$/, "Z");

describe("point-in-time restore drill on the real controllers: binlogs shipped to the bucket, a bad DELETE undone from the bucket alone (mariadb, rclone serve s3)", function () {
    this.timeout(30 * 60_000);
    let bed: EngineBed | undefined;
    let server: S3Server | undefined;
    let storeDir = "";
    const figures: Record<string, string> = {};
    const b = (): EngineBed => {
        if (!bed) throw new Error("the engine bed did not start");
        return bed;
    };
    const prefixDir = (...p: string[]): string => path.join(storeDir, BUCKET, ...PREFIX.split("/"), ...p);
    const sql = (ns: string, ordinal: number, statement: string): Promise<string> => b().sql(`mysql-${ordinal}`, statement, ns);

    /** Row count and CHECKSUM TABLE, once every pod agrees. */
    async function converged(ns: string, expectedOrders: number): Promise<string> {
        const state = (o: number) => sql(ns, o, "SELECT COUNT(*) FROM shop.orders; CHECKSUM TABLE shop.orders;").then((s) => s.trim());
        let states: string[] = [];
        await waitFor(
            async () => {
                states = await Promise.all([0, 1, 2].map((o) => state(o).catch((e: Error) => e.message.split("\n")[0])));
                return states.every((s) => s === states[0]) && states[0].startsWith(`${expectedOrders}\n`);
            },
            {
                timeoutMs: 180_000,
                everyMs: 1000,
                what: () => `${expectedOrders} orders and one state on every pod: ${JSON.stringify(states)}`,
            },
        );
        return states[0];
    }
    const allReady = async (ns: string): Promise<boolean> => {
        const pods = await b().pods(ns);
        return ["mysql-0", "mysql-1", "mysql-2"].every((p) => isReady(pods.get(p)) && !pods.get(p)?.metadata.deletionTimestamp);
    };
    const up = async (stack: string, ns: string): Promise<void> => {
        const r = await b().pulumi(["up", "--yes", "--skip-preview", "--stack", stack]);
        assert.strictEqual(r.code, 0, `pulumi up failed: ${said(r)}\nS3:\n${server?.log ?? ""}`);
        await waitFor(() => allReady(ns), { timeoutMs: 600_000, everyMs: 1000, what: `3 Ready pods in ${ns}` });
    };
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
    /** The old cluster's timeline (its only one) and its SHIPPED, read from the server's directory. */
    const shipped = (): { timeline: string; values: Record<string, string> } | undefined => {
        const dir = prefixDir("binlogs");
        const timelines = fs.existsSync(dir) ? fs.readdirSync(dir) : [];
        for (const timeline of timelines) {
            const file = path.join(dir, timeline, "SHIPPED");
            if (fs.existsSync(file)) return { timeline, values: keyValues(fs.readFileSync(file, "utf8")) };
        }
        return undefined;
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
        process.env.FAKE_KUBELET_RCLONE = rclone;
        storeDir = fs.mkdtempSync(path.join(os.tmpdir(), "mysql-statefulset-pitr-"));
        fs.mkdirSync(path.join(storeDir, BUCKET));
        bed = await EngineBed.start({
            stack: "pitr",
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
        if (storeDir !== "") fs.rmSync(storeDir, { recursive: true, force: true });
        if (Object.keys(figures).length > 0) {
            console.log("\n  figures:");
            for (const [what, value] of Object.entries(figures)) console.log(`    ${what}: ${value}`);
        }
    });

    let target = "";
    let atTarget = "";

    it("ships the binlogs within two intervals under write load, backs up to the bucket, and loses everything but the bucket after a bad DELETE", async () => {
        await createCredentials("default");
        await up("pitr", "default");
        await sql("default", 0, "CREATE TABLE shop.orders (id INT AUTO_INCREMENT PRIMARY KEY, note VARCHAR(64) NOT NULL);");
        await sql("default", 0, "INSERT INTO shop.orders (note) SELECT CONCAT('before-', seq) FROM shop.seq_1_to_1000;");
        await converged("default", 1000);

        const job = "pitr-1";
        await b().kubectl("create", "job", job, "--from=cronjob/mysql-backup");
        await waitFor(
            async () => {
                const status = JSON.parse(await b().kubectl("get", "job", job, "-o", "json")).status ?? {};
                if (status.failed) throw new Error(`the backup Job failed: ${JSON.stringify(status)}`);
                return status.succeeded === 1;
            },
            { timeoutMs: 600_000, everyMs: 1000, what: `Job ${job} to succeed` },
        );
        const backups = fs.readdirSync(prefixDir()).filter((n) => fs.existsSync(prefixDir(n, "MANIFEST")));
        assert.strictEqual(backups.length, 1, `one backup in the bucket: ${fs.readdirSync(prefixDir())}`);
        const manifest = keyValues(fs.readFileSync(prefixDir(backups[0], "MANIFEST"), "utf8"));
        const current = shipped();
        assert.ok(current, "mysql-0 has shipped its binlogs");
        assert.strictEqual(manifest.timeline, current.timeline, "the MANIFEST records the timeline mysql-0 ships");
        assert.match(manifest.gtid, /^0-100-\d+$/);

        // Writes under load after the backup: one transaction every 100 ms for 6 intervals, the shipped binlogs'
        // lag (now minus SHIPPED's `through`) sampled every 250 ms.
        let maxLag = 0;
        let maxLagAt = "";
        let samples = 0;
        let rows = 1000;
        const loadEnds = Date.now() + 6 * BINLOG_INTERVAL * 1000;
        const sampler = (async () => {
            while (Date.now() < loadEnds) {
                const through = shipped()?.values.through;
                if (through !== undefined) {
                    const lag = (Date.now() - Date.parse(through)) / 1000;
                    if (lag > maxLag) [maxLag, maxLagAt] = [lag, new Date().toISOString()];
                    samples++;
                }
                await sleep(250);
            }
        })();
        while (Date.now() < loadEnds) {
            await sql("default", 0, `INSERT INTO shop.orders (note) VALUES ('load-${rows}');`);
            rows++;
            await sleep(100);
        }
        await sampler;
        figures[`binlog shipping lag under load (interval ${BINLOG_INTERVAL} s, ${rows - 1000} transactions, ${samples} samples)`] =
            `max ${maxLag.toFixed(1)} s (bound: interval + one interval = ${2 * BINLOG_INTERVAL} s, plus 1 s for SHIPPED's whole seconds)`;
        assert.ok(
            maxLag <= 2 * BINLOG_INTERVAL + 1,
            `the newest shipped binlog was ${maxLag} s old at ${maxLagAt}; mysql-0's binlog-ship:\n` +
                (await b().kubectlRun("logs", "mysql-0", "-c", CONTAINERS.binlogShip)).stdout.slice(-4000),
        );

        // T: a whole second after the last good write; the bad DELETE comes after it.
        atTarget = await converged("default", rows);
        target = utc(Date.now() + 1000);
        while (Date.now() < Date.parse(target) + 1500) await sleep(100);
        // Auto-increment leaves gaps after a multi-row insert: count what the DELETE leaves.
        const left = Number((await sql("default", 0, "SELECT COUNT(*) FROM shop.orders WHERE id % 2 = 1;")).trim());
        await sql("default", 0, "DELETE FROM shop.orders WHERE id % 2 = 0;");
        await converged("default", left);
        // Shipped past T.
        await waitFor(() => (shipped()?.values.through ?? "") > target, {
            timeoutMs: 60_000,
            everyMs: 500,
            what: () => `the binlogs shipped past ${target}: ${JSON.stringify(shipped())}`,
        });
        figures["shipped binlog files at T"] = String(fs.readdirSync(prefixDir("binlogs", shipped()!.timeline)).length - 1);

        // Everything but the bucket goes: the stack, its pods, every NFS directory of the cluster.
        const destroy = await b().pulumi(["destroy", "--yes", "--skip-preview"]);
        assert.strictEqual(destroy.code, 0, said(destroy));
        await b().kubectl("delete", "pod", "-l", "app.kubernetes.io/instance=mysql", "--wait=true", "--timeout=300s");
        for (const dir of PATHS) fs.rmSync(path.join(b().nfsRoot, dir), { recursive: true, force: true });
    });

    it("restores a NEW stack to T from the bucket alone: exactly the rows at T on every pod, and the replicas replicate", async () => {
        assert.ok(target !== "", "the drill's first case ran");
        await b().kubectl("create", "namespace", "restored");
        await createCredentials("restored");
        b().writeStackFile("restored", stackConfig({ namespace: "restored", nfsPaths: RESTORED_PATHS, restoreFrom: target }));
        await b().pulumiOk(["stack", "init", "restored"]);
        for (const [key, value] of Object.entries(PASSWORDS)) {
            await b().pulumiOk(["config", "set", "--stack", "restored", "--secret", key, value]);
        }
        const started = Date.now();
        await up("restored", "restored");
        figures["restore to T (pulumi up until 3 pods Ready)"] = `${((Date.now() - started) / 1000).toFixed(1)} s`;
        const restoreLog = await b().kubectl("logs", "-n", "restored", "mysql-0", "-c", CONTAINERS.clone);
        assert.match(restoreLog, new RegExp(`restoring to ${target}: backup \\d{8}T\\d{6}Z`));
        const replayed = /binlogs replayed to \S+: GTID (\S+) -> (\S+), (\d+) files in ([\d.]+) s/.exec(restoreLog);
        assert.ok(replayed, restoreLog);
        figures["binlog replay (server start + mariadb-binlog | mariadb + stop)"] =
            `${replayed[3]} files in ${replayed[4]} s, GTID ${replayed[1]} -> ${replayed[2]}`;
        assert.strictEqual(await converged("restored", Number(atTarget.split("\n")[0])), atTarget, "exactly the rows at T, on every pod");
        for (const replica of [1, 2]) {
            assert.strictEqual((await sql("restored", replica, "SHOW GLOBAL STATUS LIKE 'Slave_running';")).trim(), "Slave_running\tON");
        }
        await sql("restored", 0, "INSERT INTO shop.orders (note) VALUES ('after-restore');");
        await converged("restored", Number(atTarget.split("\n")[0]) + 1);
    });
});
