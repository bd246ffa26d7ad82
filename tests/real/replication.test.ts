// The real-server suite: the `mariadb` flavor as the component renders it, run by the fake kubelet in
// tests/real/harness on Debian's MariaDB, each pod in its own network, UTS and mount namespaces. Every case
// ends with equal row counts and CHECKSUM TABLE results on every pod.
//
// Needs root (namespaces, bind mounts). Under CI=true a missing requirement fails the suite; elsewhere it
// skips with a loud message. MST_PREFIX and MST_SUBNET override the names and addresses of a run.
import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { setTimeout as sleep } from "timers/promises";
import { CONTAINERS, VOLUMES } from "../../components";
import { FakeCluster } from "./harness";
import { createRealCluster, requireRealServers, rootSql } from "./setup";

const DATA = VOLUMES.data;
/** Rows each case writes while something is down or restarting. */
const BATCH = 50;
/** Rows of the ~200 MB table that makes the clone of case d take long enough to be killed half-way. */
const BALLAST_ROWS = 600_000;

describe("replication on real MariaDB servers (mariadb flavor)", function () {
    this.timeout(15 * 60 * 1000);
    let cluster: FakeCluster;
    const timings: Record<string, string> = {};

    async function sql(ordinal: number, statement: string): Promise<string> {
        const run = await rootSql(cluster, ordinal, statement);
        assert.strictEqual(run.code, 0, `mysql-${ordinal}: ${statement}\n${run.stderr}`);
        return run.stdout.trim();
    }

    async function insertRows(count: number, note: string): Promise<void> {
        await sql(0, `INSERT INTO shop.orders (note) SELECT CONCAT('${note}-', seq) FROM shop.seq_1_to_${count}`);
    }

    /** Waits until every pod has the primary's rows, then asserts equal counts and checksums. */
    async function assertConverged(ordinals: number[], expectedRows: number, table = "shop.orders"): Promise<number> {
        const state = (ordinal: number) => sql(ordinal, `SELECT COUNT(*) FROM ${table}; CHECKSUM TABLE ${table}`);
        const started = Date.now();
        let states: string[] = [];
        while (Date.now() - started < 120_000) {
            states = await Promise.all(ordinals.map(state));
            if (states.every((s) => s === states[0]) && states[0].startsWith(`${expectedRows}\n`)) {
                break;
            }
            await sleep(250);
        }
        const counts = states.map((s) => Number(s.split("\n")[0]));
        const checksums = states.map((s) => s.split("\n")[1]);
        assert.deepStrictEqual(counts, ordinals.map(() => expectedRows), "row counts per pod");
        assert.deepStrictEqual(checksums, ordinals.map(() => checksums[0]), "CHECKSUM TABLE per pod");
        return Date.now() - started;
    }

    let rows = 0;

    before(async function () {
        if (!requireRealServers(this)) {
            return;
        }
        cluster = await createRealCluster("real");
    });

    after(async function () {
        await cluster?.destroy();
        if (Object.keys(timings).length > 0) {
            console.log("\n  timings:");
            for (const [what, value] of Object.entries(timings)) {
                console.log(`    ${what}: ${value}`);
            }
        }
    });

    it("a. brings up 3 pods in order; rows written to mysql-0 reach mysql-1 and mysql-2", async () => {
        const started = Date.now();
        await cluster.scaleTo(3);
        timings["a. 3 pods Ready"] = `${Date.now() - started} ms`;
        const readyOrder = cluster.events().filter((e) => e.type === "PodReady").map((e) => e.pod);
        assert.deepStrictEqual(readyOrder, ["mysql-0", "mysql-1", "mysql-2"]);
        const starts = cluster.events().filter((e) => e.type === "PodStarting").map((e) => e.pod);
        assert.deepStrictEqual(starts, ["mysql-0", "mysql-1", "mysql-2"]);
        // The next ordinal starts only once the previous pod's clone endpoint serves (its sidecar is Ready).
        for (const ordinal of [1, 2]) {
            const donorServing = cluster.events().find((e) => e.pod === `mysql-${ordinal - 1}` && e.container === CONTAINERS.sidecar && e.type === "ContainerReady");
            const next = cluster.events().find((e) => e.pod === `mysql-${ordinal}` && e.type === "PodStarting");
            assert.ok(donorServing && next && donorServing.t <= next.t, `mysql-${ordinal} started before mysql-${ordinal - 1} served clones`);
        }

        await sql(0, "CREATE DATABASE shop; CREATE TABLE shop.orders (id INT AUTO_INCREMENT PRIMARY KEY, note VARCHAR(64) NOT NULL)");
        await insertRows(1000, "a");
        rows += 1000;
        timings["a. replicated 1000 rows"] = `${await assertConverged([0, 1, 2], rows)} ms`;
        assert.match(cluster.logs(1, CONTAINERS.clone), /cloning from mysql-0\.mysql\.default\.svc\.cluster\.local:3307/);
        assert.match(cluster.logs(2, CONTAINERS.clone), /cloning from mysql-1\.mysql\.default\.svc\.cluster\.local:3307/);
    });

    it("g. a replica refuses writes from a non-admin user, which the primary accepts", async () => {
        await sql(0, "CREATE USER app@'%' IDENTIFIED BY 'app-password'; GRANT SELECT, INSERT ON shop.* TO app@'%'");
        await assertConverged([0, 1, 2], rows);
        const asApp = (ordinal: number) =>
            cluster.exec(ordinal, CONTAINERS.mysql, ["mariadb", "--user=app", "--host=127.0.0.1", "--execute=INSERT INTO shop.orders (note) VALUES ('app')"], {
                env: { MYSQL_PWD: "app-password" },
            });
        for (const replica of [1, 2]) {
            const refused = await asApp(replica);
            assert.strictEqual(refused.code, 1);
            assert.match(refused.stderr, /ERROR 1290 .*--read-only/);
        }
        assert.strictEqual((await asApp(0)).code, 0);
        rows += 1;
        await assertConverged([0, 1, 2], rows);
    });

    it("b. rows written while a replica's mysqld restarts, and while a whole replica pod restarts, arrive", async () => {
        const restarted = cluster.restartContainer(1, CONTAINERS.mysql);
        await insertRows(BATCH, "b1");
        rows += BATCH;
        await restarted;
        await cluster.waitForReady(1);
        timings["b. after mysqld restart, converged in"] = `${await assertConverged([0, 1, 2], rows)} ms`;

        await cluster.stopPod(2);
        await insertRows(BATCH, "b2");
        rows += BATCH;
        const started = Date.now();
        await cluster.startPod(2);
        timings["b. replica pod restart to Ready"] = `${Date.now() - started} ms`;
        assert.match(cluster.logs(2, CONTAINERS.clone), /data directory already holds a database: keeping it/);
        timings["b. after pod restart, converged in"] = `${await assertConverged([0, 1, 2], rows)} ms`;
    });

    it("c. after the primary restarts, the replicas reconnect and catch up", async () => {
        await cluster.restartContainer(0, CONTAINERS.mysql);
        await cluster.waitForReady(0);
        await insertRows(BATCH, "c");
        rows += BATCH;
        timings["c. after primary restart, converged in"] = `${await assertConverged([0, 1, 2], rows)} ms`;
    });

    it("d. a clone killed half-way, its pod vanishing without a word, is redone in full when the pod restarts (scale 3→4)", async () => {
        // Enough data that the clone takes a while to stream.
        await sql(0, `CREATE TABLE shop.ballast (id INT PRIMARY KEY, pad CHAR(255) NOT NULL) SELECT seq AS id, REPEAT('x', 255) AS pad FROM shop.seq_1_to_${BALLAST_ROWS}`);
        // The donor must have applied the load first: a hot backup of a server writing ~200 MB of redo
        // outruns its redo log, and mariadb-backup then retries forever instead of failing.
        await assertConverged([0, 1, 2], BALLAST_ROWS, "shop.ballast");
        const staging = path.join(cluster.volumePath(3, DATA), "mysql.clone-in-progress");
        const dataDir = path.join(cluster.volumePath(3, DATA), "mysql");
        const starting = cluster.startPod(3).then(
            () => "ready",
            (error: Error) => error.message,
        );
        const deadline = Date.now() + 60_000;
        while (!(fs.existsSync(path.join(staging, "shop")) && fs.readdirSync(path.join(staging, "shop")).length > 0) && Date.now() < deadline) {
            await sleep(5);
        }
        // The pod vanishes as with a dead node: its network goes first, so no reset reaches the donor,
        // whose backup stream must still end and free its clone slot for the retry.
        await cluster.setNetworkBlocked(3, true);
        await cluster.stopPod(3);
        await starting;
        assert.ok(fs.existsSync(staging), "the killed clone left its staging directory");
        assert.ok(!["mariadb_backup_checkpoints", "xtrabackup_checkpoints"].some((f) => fs.existsSync(path.join(staging, f))), "the clone was cut short");
        assert.ok(!fs.existsSync(path.join(dataDir, "mysql")), "no half-copied data directory");

        const started = Date.now();
        await cluster.startPod(3);
        timings["d. full clone after a killed one, to Ready"] = `${Date.now() - started} ms`;
        assert.ok(!fs.existsSync(staging));
        assert.strictEqual((cluster.logs(3, CONTAINERS.clone).match(/cloning from mysql-2\.mysql\.default\.svc\.cluster\.local:3307/g) ?? []).length, 2);
        await insertRows(BATCH, "d");
        rows += BATCH;
        await assertConverged([0, 1, 2, 3], rows);
        await assertConverged([0, 1, 2, 3], BALLAST_ROWS, "shop.ballast");
    });

    it("e. with its donor unreachable, a new pod's clone fails cleanly, then succeeds on retry (scale 4→5)", async () => {
        await cluster.setNetworkBlocked(3, true);
        const starting = cluster.startPod(4);
        const deadline = Date.now() + 90_000;
        const failedClones = () =>
            cluster.events().filter((e) => e.pod === "mysql-4" && e.container === CONTAINERS.clone && e.type === "ContainerExited" && !/code 0\b/.test(e.detail ?? "")).length;
        while (failedClones() < 1 && Date.now() < deadline) {
            await sleep(100);
        }
        assert.ok(failedClones() >= 1, "the clone failed while the donor was unreachable");
        assert.ok(!fs.existsSync(path.join(cluster.volumePath(4, DATA), "mysql", "mysql")), "no data directory from a failed clone");
        await cluster.setNetworkBlocked(3, false);
        await starting;
        assert.match(cluster.logs(4, CONTAINERS.clone), /clone from mysql-3\.mysql\.default\.svc\.cluster\.local complete/);
        await insertRows(BATCH, "e");
        rows += BATCH;
        timings["e. 5 pods, converged in"] = `${await assertConverged([0, 1, 2, 3, 4], rows)} ms`;
    });

    it("f. scaled 5→3→5, the returning pods keep their data and catch up", async () => {
        await cluster.scaleTo(3);
        await insertRows(BATCH, "f");
        rows += BATCH;
        await assertConverged([0, 1, 2], rows);
        const started = Date.now();
        await cluster.scaleTo(5);
        timings["f. 3→5 with existing data, to Ready"] = `${Date.now() - started} ms`;
        for (const ordinal of [3, 4]) {
            const log = cluster.logs(ordinal, CONTAINERS.clone);
            assert.match(log.slice(log.lastIndexOf("data directory")), /^data directory already holds a database: keeping it/);
        }
        timings["f. converged in"] = `${await assertConverged([0, 1, 2, 3, 4], rows)} ms`;
    });
});
