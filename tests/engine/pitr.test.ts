// The point-in-time drill on the real engine and the real controllers (issue #22; mariadb flavor): writes, a
// backup to the bucket (a Job from the stack's CronJob), more writes under load while mysql-0's binlog-ship
// container ships the binlogs every BINLOG_INTERVAL seconds (the lag of the shipped binlogs measured and
// printed), a time T noted, a bad DELETE, then every NFS directory of the cluster removed and `pulumi
// destroy`. A NEW stack restored to T from the bucket alone (`restoreFrom: T`) has exactly the rows and
// CHECKSUM TABLE at T on every pod, and its replicas replicate. clone-mysql decodes the binlogs into SQL with
// the binlog tool (the backup image's); the replay-binlogs init container, on the server's image, pipes it
// into a server of its own: the same design the mysql84 flavor uses (which no test here can run), whose
// server image has no mysqlbinlog. The object store is `rclone serve s3`
// (tests/engine/s3Server.ts), as in offsite.test.ts.
//
// Root only, as the node agent. Run it alone:
//   flock /tmp/real-suite.lock npx mocha --exit --no-config --require ts-node/register/transpile-only \
//       --timeout 1800000 tests/engine/pitr.test.ts
import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { CONTAINERS } from "../../components";
import { waitFor } from "../fake-kubelet/util";
import { requireEngineBed, stackConfig } from "./harness";
import { BackupBed, bucketSettings, passwords, testBucket, keyValues, sleep } from "./backupBed";

const PATHS = [1, 2, 3].map((n) => `/pitr/v${n}`);
const RESTORED_PATHS = [1, 2, 3].map((n) => `/pitr-restored/v${n}`);
const BUCKET = testBucket("pitr");
/** A /24 of its own (offsite 21, backup 19, day2 and labels 18). */
const SUBNET_INDEX = 23;
/** The shipping interval under test: the smallest allowed, so the drill is short. */
const BINLOG_INTERVAL = 5;

/** This suite's settings; `namespace`, `nfsPaths` and `restoreFrom` differ between the two stacks. */
const PITR_SETTINGS = {
    ...bucketSettings(BUCKET, SUBNET_INDEX),
    binlogShipIntervalSeconds: BINLOG_INTERVAL,
};

/** UTC to the second, as restoreFrom takes it. */
const utc = (ms: number): string => new Date(ms).toISOString().replace(/\.\d{3}Z$/, "Z");

describe("point-in-time restore drill on the real controllers: binlogs shipped to the bucket, a bad DELETE undone from the bucket alone (mariadb, rclone serve s3)", function () {
    this.timeout(30 * 60_000);
    const bb = new BackupBed({
        stack: "pitr",
        nfsDirs: [...PATHS, ...RESTORED_PATHS],
        subnetIndex: SUBNET_INDEX,
        stackConfig: stackConfig(PITR_SETTINGS, { nfsPaths: PATHS, backupSchedule: "@daily", backupRetention: 2 }),
        passwords: passwords("root-Pitr-1"),
        bucket: BUCKET,
    });
    /** The old cluster's timeline (its only one) and its SHIPPED, read from the server's directory. */
    const shipped = (): { timeline: string; values: Record<string, string> } | undefined => {
        const dir = bb.prefixDir("binlogs");
        const timelines = fs.existsSync(dir) ? fs.readdirSync(dir) : [];
        for (const timeline of timelines) {
            const file = path.join(dir, timeline, "SHIPPED");
            if (fs.existsSync(file)) return { timeline, values: keyValues(fs.readFileSync(file, "utf8")) };
        }
        return undefined;
    };

    before(async function () {
        requireEngineBed(this);
        await bb.start();
    });

    after(async function () {
        await bb.stop();
    });

    let target = "";
    let atTarget = "";

    it("ships the binlogs within two intervals under write load, backs up to the bucket, and loses everything but the bucket after a bad DELETE", async () => {
        await bb.createCredentials("default");
        await bb.up("pitr", "default");
        await bb.createOrders("default");
        await bb.converged("default", 1000);

        const job = "pitr-1";
        await bb.startJob(job);
        const status = await bb.jobDone(job);
        assert.strictEqual(status?.succeeded, 1, `the backup Job failed: ${JSON.stringify(status)}`);
        const backups = fs.readdirSync(bb.prefixDir()).filter((n) => fs.existsSync(bb.prefixDir(n, "MANIFEST")));
        assert.strictEqual(backups.length, 1, `one backup in the bucket: ${fs.readdirSync(bb.prefixDir())}`);
        const manifest = keyValues(fs.readFileSync(bb.prefixDir(backups[0], "MANIFEST"), "utf8"));
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
            await bb.sql("default", 0, `INSERT INTO shop.orders (note) VALUES ('load-${rows}');`);
            rows++;
            await sleep(100);
        }
        await sampler;
        bb.figures[`binlog shipping lag under load (interval ${BINLOG_INTERVAL} s, ${rows - 1000} transactions, ${samples} samples)`] =
            `max ${maxLag.toFixed(1)} s (bound: interval + one interval = ${2 * BINLOG_INTERVAL} s, plus 1 s for SHIPPED's whole seconds)`;
        assert.ok(
            maxLag <= 2 * BINLOG_INTERVAL + 1,
            `the newest shipped binlog was ${maxLag} s old at ${maxLagAt}; mysql-0's binlog-ship:\n` +
                (await bb.b().kubectlRun("logs", "mysql-0", "-c", CONTAINERS.binlogShip)).stdout.slice(-4000),
        );

        // T: a whole second after the last good write; the bad DELETE comes after it.
        atTarget = await bb.converged("default", rows);
        target = utc(Date.now() + 1000);
        while (Date.now() < Date.parse(target) + 1500) await sleep(100);
        // Auto-increment leaves gaps after a multi-row insert: count what the DELETE leaves.
        const left = Number((await bb.sql("default", 0, "SELECT COUNT(*) FROM shop.orders WHERE id % 2 = 1;")).trim());
        await bb.sql("default", 0, "DELETE FROM shop.orders WHERE id % 2 = 0;");
        await bb.converged("default", left);
        // Shipped past T.
        await waitFor(() => (shipped()?.values.through ?? "") > target, {
            timeoutMs: 60_000,
            everyMs: 500,
            what: () => `the binlogs shipped past ${target}: ${JSON.stringify(shipped())}`,
        });
        bb.figures["shipped binlog files at T"] = String(fs.readdirSync(bb.prefixDir("binlogs", shipped()!.timeline)).length - 1);

        // Everything but the bucket goes: the stack, its pods, every NFS directory of the cluster.
        await bb.destroy("app.kubernetes.io/instance=mysql");
        for (const dir of PATHS) fs.rmSync(path.join(bb.b().nfsRoot, dir), { recursive: true, force: true });
    });

    it("restores a NEW stack to T from the bucket alone: exactly the rows at T on every pod, and the replicas replicate", async () => {
        assert.ok(target !== "", "the drill's first case ran");
        await bb.initRestoredStack(stackConfig(PITR_SETTINGS, { namespace: "restored", nfsPaths: RESTORED_PATHS, restoreFrom: target }));
        const started = Date.now();
        await bb.up("restored", "restored");
        bb.figures["restore to T (pulumi up until 3 pods Ready)"] = `${((Date.now() - started) / 1000).toFixed(1)} s`;
        // clone-mysql stages the backup, downloads the binlogs and decodes them into SQL; replay-binlogs, in the
        // server's image (the mechanism mysql84 uses too), replays the SQL and moves the data into place.
        const restoreLog = await bb.b().kubectl("logs", "-n", "restored", "mysql-0", "-c", CONTAINERS.clone);
        assert.match(restoreLog, new RegExp(`restoring to ${target}: backup \\d{8}T\\d{6}Z`));
        const decoded = new RegExp(
            `binlogs of timeline \\S+ decoded from backup \\S+'s position up to ${target}: (\\d+) files of (\\d+) bytes into (\\d+) bytes of SQL \\(restore-binlogs\\.sql\\) in ([\\d.]+) s`,
        ).exec(restoreLog);
        assert.ok(decoded, restoreLog);
        assert.ok(Number(decoded[3]) > 0, "the SQL is not empty");
        bb.figures["binlog decode in clone-mysql (mariadb-binlog > restore-binlogs.sql)"] =
            `${decoded[1]} files, ${decoded[2]} bytes of binlogs -> ${decoded[3]} bytes of SQL in ${decoded[4]} s`;
        assert.match(restoreLog, new RegExp(`backup \\d{8}T\\d{6}Z staged for the replay of timeline \\S+ up to ${target}`));
        const replayLog = await bb.b().kubectl("logs", "-n", "restored", "mysql-0", "-c", CONTAINERS.replay);
        const replayed = /binlogs replayed to \S+: GTID (\S+) -> (\S+), (\d+) files in ([\d.]+) s/.exec(replayLog);
        assert.ok(replayed, replayLog);
        assert.match(replayLog, new RegExp(`restore to ${target} complete`));
        assert.match(await bb.b().kubectl("logs", "-n", "restored", "mysql-1", "-c", CONTAINERS.replay), /not mysql-0: nothing to replay/);
        bb.figures["binlog replay (server start + mariadb < restore-binlogs.sql + stop)"] =
            `${replayed[3]} files in ${replayed[4]} s, GTID ${replayed[1]} -> ${replayed[2]}`;
        assert.strictEqual(
            await bb.converged("restored", Number(atTarget.split("\n")[0])),
            atTarget,
            "exactly the rows at T, on every pod",
        );
        for (const replica of [1, 2]) {
            assert.strictEqual((await bb.sql("restored", replica, "SHOW GLOBAL STATUS LIKE 'Slave_running';")).trim(), "Slave_running\tON");
        }
        await bb.sql("restored", 0, "INSERT INTO shop.orders (note) VALUES ('after-restore');");
        await bb.converged("restored", Number(atTarget.split("\n")[0]) + 1);
    });
});
