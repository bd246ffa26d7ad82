// What the backup engine suites (backup.test.ts, offsite.test.ts, pitr.test.ts) share: the stack's settings,
// SQL and convergence checks, `pulumi up` until Ready, a Job from the stack's CronJob, the bucket's credentials
// Secret, the restored stack's setup, the S3 server's start and the printed figures. Each suite keeps its
// paths, subnet index, passwords and assertions.
import * as assert from "assert";
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { ApiPod, CommandResult, EngineBed, REPO, isReady, said, waitConverged } from "./harness";
import { waitFor } from "../fake-kubelet/util";
import { gatewayOf, S3Server } from "./s3Server";

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
export const duBytes = (dir: string): number => Number(execFileSync("du", ["-sb", dir], { encoding: "utf8" }).split("\t")[0]);
/** A throughput figure; a time under a millisecond (a whole-second clock's 0) gives no rate rather than Infinity. */
export const rate = (bytes: number, ms: number): string =>
    ms < 1
        ? `${(bytes / 2 ** 20).toFixed(1)} MiB in < 1 ms`
        : `${(bytes / 2 ** 20).toFixed(1)} MiB in ${ms} ms = ${(bytes / 2 ** 20 / (ms / 1000)).toFixed(0)} MiB/s`;
/** The milliseconds restore-mysql.sh took, from its last line (`restore of NAME complete in S s`, to the millisecond). */
export const restoreMs = (log: string, name: string): number => {
    const done = new RegExp(`restore of ${name} complete in ([\\d.]+) s`).exec(log);
    assert.ok(done, `clone-mysql's log says how long the restore of ${name} took:\n${log}`);
    return Math.round(Number(done[1]) * 1000);
};
/** A key=value file (MANIFEST, SHIPPED) as a record. */
export const keyValues = (text: string): Record<string, string> =>
    Object.fromEntries(
        text
            .trim()
            .split("\n")
            .map((line) => [line.slice(0, line.indexOf("=")), line.slice(line.indexOf("=") + 1)]),
    );

export interface ApiJob {
    status?: { succeeded?: number; failed?: number; conditions?: { type: string; status: string; reason?: string }[] };
}

/** The old cluster's passwords, root's the suite's own; the restored stack must use them: its data keeps the old accounts. */
export const passwords = (rootPassword: string): Record<string, string> => ({
    rootPassword,
    replicationPassword: "repl-Pa55-w0rd",
    backupPassword: "backup-Pa55-w0rd",
    appPassword: "app-Pa55-w0rd",
});

/** The bucket a suite's stacks back up to, served by `rclone serve s3` from a temporary directory. */
export interface BucketOptions {
    bucket: string;
    /** The old cluster's prefix (NAMESPACE/NAME), set on both stacks: the restored one lives in another namespace. */
    prefix: string;
    keys: { id: string; secret: string };
    credentialsSecret: string;
    /** The temporary store directory's name prefix. */
    storePrefix: string;
}

/** A suite's bucket: `acme-backups`, prefix `default/mysql`, keys and store directory named after the suite. */
export const testBucket = (suite: string): BucketOptions => ({
    bucket: "acme-backups",
    prefix: "default/mysql",
    keys: { id: `${suite}-test-key`, secret: `${suite}-test-secret-0123456789` },
    credentialsSecret: "mysql-backup-s3",
    storePrefix: `mysql-statefulset-${suite}-`,
});

/** The settings that send a stack's backups to the bucket, served on the pod network's gateway address. */
export const bucketSettings = (bucket: BucketOptions, subnetIndex: number): Record<string, unknown> => ({
    backupS3Bucket: bucket.bucket,
    backupS3Endpoint: gatewayOf(subnetIndex).endpoint,
    backupS3CredentialsSecret: bucket.credentialsSecret,
    backupS3Prefix: bucket.prefix,
});

export interface BackupBedOptions {
    /** The first stack's name. */
    stack: string;
    nfsDirs: string[];
    subnetIndex: number;
    /** The first stack's config (see stackConfig). */
    stackConfig: Record<string, unknown>;
    /** The old cluster's passwords, set on both stacks: the restored data keeps the old accounts. */
    passwords: Record<string, string>;
    /** With a bucket: the S3 server starts beside the bed. */
    bucket?: BucketOptions;
}

/** An engine bed for a backup suite, with the helpers its cases share; start it in `before`, stop it in `after`. */
export class BackupBed {
    private bed: EngineBed | undefined;
    server: S3Server | undefined;
    /** The S3 server's directory: its subdirectories are buckets. */
    storeDir = "";
    /** Printed after the suite. */
    readonly figures: Record<string, string> = {};

    constructor(private readonly opts: BackupBedOptions) {}

    b(): EngineBed {
        if (!this.bed) throw new Error("the engine bed did not start");
        return this.bed;
    }

    async start(): Promise<void> {
        const bucket = this.opts.bucket;
        let rclone = "";
        if (bucket) {
            rclone = path.join(
                execFileSync("bash", [path.join(REPO, "tools", "rclone", "build.sh")], {
                    encoding: "utf8",
                    stdio: ["ignore", "pipe", "ignore"],
                }).trim(),
                "rclone",
            );
            // The node agent (a child of this process, started by the bed) maps the rclone/rclone image to it.
            process.env.FAKE_KUBELET_RCLONE = rclone;
            this.storeDir = fs.mkdtempSync(path.join(os.tmpdir(), bucket.storePrefix));
            fs.mkdirSync(path.join(this.storeDir, bucket.bucket));
        }
        this.bed = await EngineBed.start({
            stack: this.opts.stack,
            nfsDirs: this.opts.nfsDirs,
            subnetIndex: this.opts.subnetIndex,
            stackConfig: this.opts.stackConfig,
        });
        await this.setPasswords();
        if (bucket) {
            this.server = new S3Server(rclone, this.storeDir, bucket.keys, this.opts.subnetIndex);
            await this.server.start(this.b());
        }
    }

    async stop(): Promise<void> {
        await this.server?.stop();
        await this.bed?.stop();
        if (this.storeDir !== "") fs.rmSync(this.storeDir, { recursive: true, force: true });
        if (Object.keys(this.figures).length > 0) {
            console.log("\n  figures:");
            for (const [what, value] of Object.entries(this.figures)) console.log(`    ${what}: ${value}`);
        }
    }

    /** A path in the bucket's prefix on the S3 server's directory. */
    prefixDir(...p: string[]): string {
        const bucket = this.opts.bucket;
        if (!bucket) throw new Error("this bed has no bucket");
        return path.join(this.storeDir, bucket.bucket, ...bucket.prefix.split("/"), ...p);
    }

    private async setPasswords(stack?: string): Promise<void> {
        for (const [key, value] of Object.entries(this.opts.passwords)) {
            await this.b().pulumiOk(["config", "set", ...(stack ? ["--stack", stack] : []), "--secret", key, value]);
        }
    }

    sql(ns: string, ordinal: number, statement: string): Promise<string> {
        return this.b().sql(`mysql-${ordinal}`, statement, ns);
    }

    /** The first writes: shop.orders with 1000 rows `before-N`, on mysql-0. */
    async createOrders(ns: string): Promise<void> {
        await this.sql(ns, 0, "CREATE TABLE shop.orders (id INT AUTO_INCREMENT PRIMARY KEY, note VARCHAR(64) NOT NULL);");
        await this.sql(ns, 0, "INSERT INTO shop.orders (note) SELECT CONCAT('before-', seq) FROM shop.seq_1_to_1000;");
    }

    /**
     * A backup worth timing: `rows` rows of 255 bytes in shop.ballast on mysql-0. Returns the state of orders and
     * ballast once mysql-0..2 agree (`converged`) and all three are Ready again: applying the ballast put the
     * replicas past maxReplicationLagSeconds, Not Ready (their names out of DNS) until their next readiness probe,
     * and the backup Job names the last Ready one.
     */
    async ballast(ns: string, rows: number, expectedOrders: number): Promise<string> {
        await this.sql(
            ns,
            0,
            `CREATE TABLE shop.ballast (id INT PRIMARY KEY, pad CHAR(255) NOT NULL) SELECT seq AS id, REPEAT('x', 255) AS pad FROM shop.seq_1_to_${rows};`,
        );
        const state = await this.converged(ns, expectedOrders, ["orders", "ballast"]);
        await waitFor(() => this.allReady(ns), { timeoutMs: 120_000, everyMs: 1000, what: `3 Ready pods in ${ns} after the ballast` });
        return state;
    }

    /** Row count and CHECKSUM TABLE of each of the tables in shop, once mysql-0..2 agree (replication caught up). */
    async converged(ns: string, expectedOrders: number, tables = ["orders"]): Promise<string> {
        const query = tables.map((t) => `SELECT COUNT(*) FROM shop.${t}; CHECKSUM TABLE shop.${t};`).join(" ");
        const ordinals = [0, 1, 2];
        const state = (o: number) => this.sql(ns, o, query).then((s) => s.trim());
        const states = await waitConverged(state, ordinals, expectedOrders, `${expectedOrders} orders and one state on every pod`);
        assert.deepStrictEqual(
            states,
            ordinals.map(() => states[0]),
            "counts and checksums per pod",
        );
        assert.ok(states[0].startsWith(`${expectedOrders}\n`), `expected ${expectedOrders} rows: ${states[0]}`);
        return states[0];
    }

    async allReady(ns: string): Promise<boolean> {
        const pods = await this.b().pods(ns);
        return ["mysql-0", "mysql-1", "mysql-2"].every((p) => isReady(pods.get(p)) && !pods.get(p)?.metadata.deletionTimestamp);
    }

    /** `pulumi up` of a stack, then its three pods Ready. */
    async up(stack: string, ns: string): Promise<CommandResult> {
        const r = await this.b().pulumi(["up", "--yes", "--skip-preview", "--stack", stack]);
        const s3 = this.server ? `\nS3:\n${this.server.log}` : "";
        assert.strictEqual(r.code, 0, `pulumi up failed: ${said(r)}${s3}`);
        await waitFor(() => this.allReady(ns), { timeoutMs: 600_000, everyMs: 1000, what: `3 Ready pods in ${ns}` });
        return r;
    }

    /** The bucket's credentials Secret, as an operator creates it with kubectl beside the stack. */
    createCredentials(ns: string): Promise<string> {
        const bucket = this.opts.bucket;
        if (!bucket) throw new Error("this bed has no bucket");
        return this.b().kubectl(
            "create",
            "secret",
            "generic",
            bucket.credentialsSecret,
            "-n",
            ns,
            `--from-literal=access-key-id=${bucket.keys.id}`,
            `--from-literal=secret-access-key=${bucket.keys.secret}`,
        );
    }

    /** Makes a Job from the stack's CronJob, as an operator would; resolves with its pod's name. */
    async startJob(name: string): Promise<string> {
        await this.b().kubectl("create", "job", name, "--from=cronjob/mysql-backup");
        let pod = "";
        await waitFor(
            async () => {
                const list = JSON.parse(await this.b().kubectl("get", "pods", "-l", `job-name=${name}`, "-o", "json")) as {
                    items: ApiPod[];
                };
                pod = list.items[0]?.metadata.name ?? "";
                return pod !== "";
            },
            { timeoutMs: 60_000, everyMs: 500, what: `the pod of Job ${name}` },
        );
        return pod;
    }

    /** Waits until the Job has succeeded or failed; its status. */
    async jobDone(name: string): Promise<ApiJob["status"]> {
        let status: ApiJob["status"];
        await waitFor(
            async () => {
                status = (JSON.parse(await this.b().kubectl("get", "job", name, "-o", "json")) as ApiJob).status;
                return (status?.conditions ?? []).some((c) => ["Complete", "Failed"].includes(c.type) && c.status === "True");
            },
            { timeoutMs: 900_000, everyMs: 1000, what: `Job ${name} to finish` },
        );
        return status;
    }

    /** The old cluster goes: `pulumi destroy` keeps the volumes and orphans the pods (docs/operations.md, "Changing a live stack"), so delete them. */
    async destroy(podSelector: string): Promise<void> {
        const destroy = await this.b().pulumi(["destroy", "--yes", "--skip-preview"]);
        assert.strictEqual(destroy.code, 0, said(destroy));
        await this.b().kubectl("delete", "pod", "-l", podSelector, "--wait=true", "--timeout=300s");
    }

    /**
     * A NEW stack `restored` in namespace `restored` (with the bucket's credentials Secret when there is a
     * bucket): its own volumes, certificates and cluster UID; the old cluster's passwords.
     */
    async initRestoredStack(config: Record<string, unknown>): Promise<void> {
        await this.b().kubectl("create", "namespace", "restored");
        if (this.opts.bucket) await this.createCredentials("restored");
        this.b().writeStackFile("restored", config);
        await this.b().pulumiOk(["stack", "init", "restored"]);
        await this.setPasswords("restored");
    }
}
