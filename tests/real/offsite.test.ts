// Backups to object storage on real MariaDB servers (mariadb flavor): an S3-compatible server (`rclone serve
// s3`, built from Go modules by tools/rclone/build.sh) listens on the pod network's gateway address; the
// rendered CronJob's pod, with no backup volume at all, takes a prepared backup of the highest-ordinal replica
// and uploads it with the rclone the rclone/rclone image's init container copied in (the fake kubelet maps that
// image to the built binary); then, with every directory of that cluster gone, a NEW cluster rendered with
// `restoreFrom` and the bucket alone starts mysql-0 from the downloaded backup, and its replicas clone and
// replicate. Prints the upload and download throughput against a raw copy.
//
// Needs root, like the rest of tests/real. The restored cluster gets the prefix followed by "o" and the
// subnet two /24s on.
import * as assert from "assert";
import { ChildProcess, execFileSync, spawn } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { CONTAINERS } from "../../components";
import { FakeKubelet, requireFakeKubelet, runPrefix, runSubnet, waitFor } from "../fake-kubelet";
import type { K8sObject } from "../fake-kubelet/types";
import { renderRealStack, sqlOn } from "./setup";

const ROOT = path.join(__dirname, "..", "..");
const PASSWORDS = ["replicationPassword=repl-Pa55-w0rd", "backupPassword=backup-Pa55-w0rd", "appPassword=app-Pa55-w0rd"];
const BUCKET = "acme-backups";
const KEYS = { id: "offsite-test-key", secret: "offsite-test-secret-0123456789" };
const S3_PORT = 9000;
/** ~65 MB of InnoDB data: a measurable upload that still keeps the case short. */
const BALLAST_ROWS = 200_000;

/** The pod network's first address (the gateway's, which pods reach over the bridge), for the S3 server. */
function gatewayOf(subnet: string): string {
    const [a, b, c] = subnet.split("/")[0].split(".");
    return `${a}.${b}.${c}.1`;
}

/** The bucket's credentials Secret, as an operator creates it with kubectl beside the stack. */
const CREDENTIALS_SECRET: K8sObject = {
    apiVersion: "v1",
    kind: "Secret",
    metadata: { name: "mysql-backup-s3", namespace: "default" },
    stringData: { "access-key-id": KEYS.id, "secret-access-key": KEYS.secret },
} as unknown as K8sObject;

const rate = (bytes: number, ms: number) =>
    `${(bytes / 2 ** 20).toFixed(1)} MiB in ${ms} ms = ${(bytes / 2 ** 20 / (ms / 1000)).toFixed(0)} MiB/s`;

/** `rclone serve s3` on the cluster's bridge, serving storeDir (its subdirectories are buckets). */
class S3Server {
    private child: ChildProcess | undefined;
    log = "";

    constructor(
        private readonly rclone: string,
        private readonly storeDir: string,
    ) {}

    async start(cluster: FakeKubelet, subnet: string): Promise<string> {
        const gateway = gatewayOf(subnet);
        const prefixLen = subnet.split("/")[1];
        // The bridge's namespace is the fake kubelet's own; the pods reach the address over their veths.
        execFileSync("ip", ["-n", cluster.network.bridgeNs, "addr", "add", `${gateway}/${prefixLen}`, "dev", cluster.network.bridge]);
        const child = spawn(
            "ip",
            ["netns", "exec", cluster.network.bridgeNs, this.rclone, "serve", "s3", "--config", "/dev/null"].concat([
                "--auth-key",
                `${KEYS.id},${KEYS.secret}`,
                "--addr",
                `${gateway}:${S3_PORT}`,
                this.storeDir,
            ]),
            { stdio: ["ignore", "pipe", "pipe"] },
        );
        this.child = child;
        child.stdout!.on("data", (d) => (this.log += d));
        child.stderr!.on("data", (d) => (this.log += d));
        await waitFor(() => /Starting s3 server/.test(this.log), { timeoutMs: 30_000, what: () => `the S3 server to start:\n${this.log}` });
        return `http://${gateway}:${S3_PORT}`;
    }

    async stop(): Promise<void> {
        const child = this.child;
        this.child = undefined;
        if (child && child.exitCode === null) {
            const exited = new Promise((resolve) => child.once("exit", resolve));
            child.kill("SIGTERM");
            await exited;
        }
    }
}

describe("backups to object storage and a restore from the bucket alone (mariadb flavor, rclone serve s3)", function () {
    this.timeout(10 * 60 * 1000);
    let cluster: FakeKubelet | undefined;
    let server: S3Server | undefined;
    let storeDir = "";
    let rawDir = "";
    let rclone = "";
    const figures: Record<string, string> = {};
    const prefixDir = () => path.join(storeDir, BUCKET, "default", "mysql");
    const manifest = (name: string) =>
        Object.fromEntries(
            fs
                .readFileSync(path.join(prefixDir(), name, "MANIFEST"), "utf8")
                .trim()
                .split("\n")
                .map((line) => [line.slice(0, line.indexOf("=")), line.slice(line.indexOf("=") + 1)]),
        );
    const sql = (c: FakeKubelet, ordinal: number, statement: string) => sqlOn(c, ordinal, statement, 300_000);

    /** Row count and CHECKSUM TABLE of both tables, once every pod agrees. */
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
        return states[0];
    }

    async function create(label: string, config: string[], prefix: string, subnet: string, stack: string): Promise<FakeKubelet> {
        const render = [...config.flatMap((c) => ["--config", c]), ...PASSWORDS.flatMap((s) => ["--secret", s])];
        return FakeKubelet.create({
            prefix,
            subnet,
            workDir: fs.mkdtempSync(path.join(os.tmpdir(), `mysql-statefulset-${label}-`)),
            objects: [...renderRealStack(render, stack), CREDENTIALS_SECRET],
        });
    }

    const bucketConfig = (endpoint: string) => [
        `backupS3Bucket=${BUCKET}`,
        `backupS3Endpoint=${endpoint}`,
        "backupS3CredentialsSecret=mysql-backup-s3",
        "backupS3Prefix=default/mysql",
    ];

    before(function () {
        requireFakeKubelet(this);
        rclone = path.join(execFileSync("bash", [path.join(ROOT, "tools", "rclone", "build.sh")], { encoding: "utf8" }).trim(), "rclone");
        process.env.FAKE_KUBELET_RCLONE = rclone;
        storeDir = fs.mkdtempSync(path.join(os.tmpdir(), "mysql-statefulset-s3-"));
        fs.mkdirSync(path.join(storeDir, BUCKET));
        rawDir = fs.mkdtempSync(path.join(os.tmpdir(), "mysql-statefulset-raw-"));
    });

    after(async function () {
        await server?.stop();
        await cluster?.destroy();
        for (const dir of [storeDir, rawDir].filter((d) => d !== "")) fs.rmSync(dir, { recursive: true, force: true });
        if (Object.keys(figures).length > 0) {
            console.log("\n  figures:");
            for (const [what, value] of Object.entries(figures)) console.log(`    ${what}: ${value}`);
        }
    });

    let atBackup = "";
    let backupName = "";

    it("uploads a prepared backup to the bucket with its manifest last, staged on the node without any backup volume", async () => {
        const subnet = runSubnet();
        const endpoint = `http://${gatewayOf(subnet)}:${S3_PORT}`;
        cluster = await create(
            "offsite",
            ["backupSchedule=@daily", "backupRetention=2", ...bucketConfig(endpoint)],
            runPrefix(),
            subnet,
            "real",
        );
        const c = cluster;
        server = new S3Server(rclone, storeDir);
        assert.strictEqual(await server.start(c, subnet), endpoint);
        await c.scaleTo(3);
        await sql(c, 0, "CREATE TABLE shop.orders (id INT AUTO_INCREMENT PRIMARY KEY, note VARCHAR(64) NOT NULL)");
        await sql(c, 0, "INSERT INTO shop.orders (note) SELECT CONCAT('before-', seq) FROM shop.seq_1_to_1000");
        await sql(
            c,
            0,
            `CREATE TABLE shop.ballast (id INT PRIMARY KEY, pad CHAR(255) NOT NULL) SELECT seq AS id, REPEAT('x', 255) AS pad FROM shop.seq_1_to_${BALLAST_ROWS}`,
        );
        // A database without tables: a directory with only db.opt (a truly empty one is tests/unit/objectStoreScripts.test.ts's).
        await sql(c, 0, "CREATE DATABASE empty_db");
        atBackup = await converged(c, [0, 1, 2], 1000);
        await c.waitForReady(2);

        const started = Date.now();
        const job = await c.startJob("mysql-backup");
        const result = await job.result;
        const jobMs = Date.now() - started;
        const logs = job.logs(CONTAINERS.backup);
        assert.ok(
            result.succeeded,
            `the backup Job failed: ${JSON.stringify(result)}\n${logs}\n${job.logs(CONTAINERS.rclone)}\nS3:\n${server.log}`,
        );
        assert.match(logs, /backing up mysql-2\.mysql\.default\.svc\.cluster\.local:3307/);
        const uploaded = /backup (\d{8}T\d{6}Z) uploaded: (\d+) bytes in ([\d.]+) s/.exec(logs);
        assert.ok(uploaded, logs);
        backupName = uploaded[1];
        // In the bucket: data, SHA256SUMS, DIRECTORIES and the MANIFEST, which checks out as a restore checks it.
        assert.deepStrictEqual(fs.readdirSync(prefixDir()), [backupName]);
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
        figures["backup Job to the bucket (stream + prepare + sha256 + upload + check)"] = rate(bytes, jobMs);
        figures["upload alone (rclone copy + check to rclone serve s3)"] = rate(bytes, Math.round(Number(uploaded[3]) * 1000));
        const donorDir = path.join(c.volumePath(2, "data"), "mysql");
        const rawStarted = Date.now();
        execFileSync("bash", ["-c", 'tar -C "$1" -cf - . | tar -xf - -C "$2"', "raw", donorDir, rawDir]);
        figures["raw tar copy of the donor's data dir"] = rate(
            Number(execFileSync("du", ["-sb", donorDir], { encoding: "utf8" }).split("\t")[0]),
            Date.now() - rawStarted,
        );

        // After the backup point: the restore must not have these.
        await sql(c, 0, "INSERT INTO shop.orders (note) SELECT CONCAT('after-', seq) FROM shop.seq_1_to_500");
        await converged(c, [0, 1, 2], 1500);
        await server.stop();
        await c.destroy();
        cluster = undefined;
    });

    it("restores a NEW cluster from the bucket alone: mysql-0 downloads the backup, the replicas clone from it and replicate", async () => {
        assert.ok(backupName !== "", "the upload case ran");
        // An upload cut short (no MANIFEST) beside it is no backup, and in nobody's way.
        fs.mkdirSync(path.join(prefixDir(), "20000101T000000Z", "data"), { recursive: true });
        const subnet = runSubnet(2);
        const endpoint = `http://${gatewayOf(subnet)}:${S3_PORT}`;
        cluster = await create(
            "offsite-restored",
            [`restoreFrom=${backupName}`, ...bucketConfig(endpoint)],
            runPrefix("o"),
            subnet,
            "restored",
        );
        const c = cluster;
        server = new S3Server(rclone, storeDir);
        await server.start(c, subnet);
        await c.scaleTo(3);
        const restoreLog = c.logs(0, CONTAINERS.clone);
        assert.match(restoreLog, new RegExp(`downloading backup ${backupName} from offsite:${BUCKET}/default/mysql/${backupName}/`));
        assert.match(restoreLog, new RegExp(`restore of ${backupName} complete`));
        assert.match(c.logs(0, CONTAINERS.sidecar), /restore finished: GTID state set from the backup/);
        assert.strictEqual(await converged(c, [0, 1, 2], 1000), atBackup, "exactly the rows of the backup point, on every pod");
        assert.strictEqual(await sql(c, 0, "SHOW DATABASES LIKE 'empty_db'"), "empty_db", "the empty database came back");
        const downloaded = /backup \S+ downloaded: (\d+) bytes in ([\d.]+) s/.exec(restoreLog);
        assert.ok(downloaded, restoreLog);
        figures["download alone (rclone copy from rclone serve s3)"] = rate(
            Number(downloaded[1]),
            Math.round(Number(downloaded[2]) * 1000),
        );
        const events = c.events().filter((e) => e.pod === "mysql-0" && e.container === CONTAINERS.clone);
        const restoreMs = events.find((e) => e.type === "ContainerExited")!.t - events.find((e) => e.type === "ContainerStarted")!.t;
        figures["restore (clone-mysql: list + download + sha256 check + move)"] = rate(Number(downloaded[1]), restoreMs);
        for (const replica of [1, 2]) {
            assert.strictEqual(await sql(c, replica, "SHOW GLOBAL STATUS LIKE 'Slave_running'"), "Slave_running\tON");
        }
        await sql(c, 0, "INSERT INTO shop.orders (note) SELECT CONCAT('restored-', seq) FROM shop.seq_1_to_100");
        await converged(c, [0, 1, 2], 1100);
    });
});
