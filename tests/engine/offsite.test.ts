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
import { requireEngineBed, stackConfig } from "./harness";
import { BackupBed, bucketSettings, passwords, testBucket, duBytes, keyValues, rate, restoreMs } from "./backupBed";

const PATHS = [1, 2, 3].map((n) => `/offsite/v${n}`);
const RESTORED_PATHS = [1, 2, 3].map((n) => `/offsite-restored/v${n}`);
const BUCKET = testBucket("offsite");
/** A /24 of its own (backup.test.ts has 19, day2 and labels 18). */
const SUBNET_INDEX = 21;
/** ~65 MB of InnoDB data: a measurable upload that still keeps the case short. */
const BALLAST_ROWS = 200_000;
/** Both tables are counted and checksummed. */
const TABLES = ["orders", "ballast"];

/** This suite's settings; `namespace`, `nfsPaths` and `restoreFrom` differ between the two stacks. */
const OFFSITE_SETTINGS = bucketSettings(BUCKET, SUBNET_INDEX);

describe("backups to an S3 bucket and a restore from the bucket alone on the real controllers (mariadb, rclone serve s3)", function () {
    this.timeout(30 * 60_000);
    const bb = new BackupBed({
        stack: "offsite",
        nfsDirs: [...PATHS, ...RESTORED_PATHS],
        subnetIndex: SUBNET_INDEX,
        stackConfig: stackConfig(OFFSITE_SETTINGS, { nfsPaths: PATHS, backupSchedule: "@daily", backupRetention: 2 }),
        passwords: passwords("root-Offsite-1"),
        bucket: BUCKET,
    });
    let rawDir = "";
    const manifest = (name: string): Record<string, string> =>
        keyValues(fs.readFileSync(path.join(bb.prefixDir(), name, "MANIFEST"), "utf8"));

    before(async function () {
        requireEngineBed(this);
        rawDir = fs.mkdtempSync(path.join(os.tmpdir(), "mysql-statefulset-raw-"));
        await bb.start();
    });

    after(async function () {
        await bb.stop();
        if (rawDir !== "") fs.rmSync(rawDir, { recursive: true, force: true });
    });

    let atBackup = "";
    let backupName = "";

    it("uploads a prepared backup to the bucket with its manifest last, from a Job without any backup volume", async () => {
        await bb.createCredentials("default");
        await bb.up("offsite", "default");
        await bb.createOrders("default");
        // A database without tables: a directory with only db.opt (a truly empty one is tests/unit/objectStoreScripts.test.ts's).
        await bb.sql("default", 0, "CREATE DATABASE empty_db;");
        atBackup = await bb.ballast("default", BALLAST_ROWS, 1000);

        const started = Date.now();
        const pod = await bb.startJob("offsite-1");
        const status = await bb.jobDone("offsite-1");
        const jobMs = Date.now() - started;
        const log = await bb.b().kubectl("logs", pod, "-c", CONTAINERS.backup);
        assert.strictEqual(
            status?.succeeded,
            1,
            `the backup Job failed: ${JSON.stringify(status)}\n${log}\n${(await bb.b().kubectlRun("logs", pod, "-c", CONTAINERS.rclone)).stdout}\nS3:\n${bb.server?.log}`,
        );
        assert.match(log, /backing up mysql-2\.mysql\.default\.svc\.cluster\.local:3307/);
        const uploaded = /backup (\d{8}T\d{6}Z) uploaded: (\d+) bytes in ([\d.]+) s/.exec(log);
        assert.ok(uploaded, log);
        backupName = uploaded[1];
        // In the bucket: data, SHA256SUMS, DIRECTORIES and the MANIFEST, which checks out as a restore checks it.
        // Beside it, mysql-0's shipped binlogs (binlog-ship.sh; pitr.test.ts restores from them).
        assert.deepStrictEqual(fs.readdirSync(bb.prefixDir()).sort(), [backupName, "binlogs"]);
        assert.deepStrictEqual(fs.readdirSync(path.join(bb.prefixDir(), backupName)).sort(), [
            "DIRECTORIES",
            "MANIFEST",
            "SHA256SUMS",
            "data",
        ]);
        const m = manifest(backupName);
        assert.strictEqual(m.format, "prepared");
        assert.strictEqual(m.position_source, "xtrabackup_slave_info");
        assert.match(m.gtid, /^0-100-\d+$/);
        execFileSync("sha256sum", ["--quiet", "--strict", "--check", "../SHA256SUMS"], {
            cwd: path.join(bb.prefixDir(), backupName, "data"),
        });
        assert.match(fs.readFileSync(path.join(bb.prefixDir(), backupName, "DIRECTORIES"), "utf8"), /^\.\/empty_db$/m);

        const bytes = Number(m.bytes);
        bb.figures["backup Job to the bucket (pod start + stream + prepare + sha256 + upload + check)"] = rate(bytes, jobMs);
        bb.figures["upload alone (rclone copy + check to rclone serve s3)"] = rate(bytes, Math.round(Number(uploaded[3]) * 1000));
        const donorDir = path.join(bb.b().nfsRoot, PATHS[2], "mysql");
        assert.ok(fs.existsSync(donorDir), `${donorDir} is mysql-2's data directory`);
        const rawStarted = Date.now();
        execFileSync("bash", ["-c", 'tar --warning=no-file-changed -C "$1" -cf - . | tar -xf - -C "$2"', "raw", donorDir, rawDir]);
        const rawMs = Date.now() - rawStarted;
        bb.figures["raw tar copy of the donor's data dir"] = rate(duBytes(donorDir), rawMs);

        // After the backup point: the restore must not have these.
        await bb.sql("default", 0, "INSERT INTO shop.orders (note) SELECT CONCAT('after-', seq) FROM shop.seq_1_to_500;");
        await bb.converged("default", 1500, TABLES);

        // The old cluster goes.
        await bb.destroy("app=mysql");
    });

    it("restores a NEW stack from the bucket alone: mysql-0 downloads the backup, the replicas clone from it and replicate, with exactly the backup point's rows", async () => {
        assert.ok(backupName !== "", "the upload case ran");
        // An upload cut short (no MANIFEST) beside it is no backup, and in nobody's way.
        fs.mkdirSync(path.join(bb.prefixDir(), "20000101T000000Z", "data"), { recursive: true });
        // A new stack: its own namespace, volumes, certificates and cluster UID; the old cluster's passwords and
        // bucket prefix; no backup volume.
        await bb.initRestoredStack(
            stackConfig(OFFSITE_SETTINGS, { namespace: "restored", nfsPaths: RESTORED_PATHS, restoreFrom: backupName }),
        );
        await bb.up("restored", "restored");
        const logs = (pod: string, container: string) => bb.b().kubectl("logs", "-n", "restored", pod, "-c", container);
        const restoreLog = await logs("mysql-0", CONTAINERS.clone);
        assert.match(
            restoreLog,
            new RegExp(`downloading backup ${backupName} from offsite:${BUCKET.bucket}/${BUCKET.prefix}/${backupName}/`),
        );
        assert.match(await logs("mysql-0", CONTAINERS.sidecar), /restore finished: GTID state set from the backup/);
        assert.match(await logs("mysql-1", CONTAINERS.clone), /cloning from mysql-0\./);
        assert.strictEqual(await bb.converged("restored", 1000, TABLES), atBackup, "exactly the rows of the backup point, on every pod");
        assert.strictEqual(
            (await bb.sql("restored", 0, "SHOW DATABASES LIKE 'empty_db';")).trim(),
            "empty_db",
            "the empty database came back",
        );
        const downloaded = /backup \S+ downloaded: (\d+) bytes in ([\d.]+) s/.exec(restoreLog);
        assert.ok(downloaded, restoreLog);
        bb.figures["download alone (rclone copy from rclone serve s3)"] = rate(
            Number(downloaded[1]),
            Math.round(Number(downloaded[2]) * 1000),
        );
        bb.figures["restore (restore-mysql.sh in mysql-0's clone-mysql: list + download + sha256 check + move)"] = rate(
            Number(downloaded[1]),
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
