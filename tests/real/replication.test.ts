// The real-server suite: the `mariadb` flavor as the component renders it, run by the fake kubelet in
// tests/fake-kubelet on Debian's MariaDB, each pod in its own network, UTS and mount namespaces. Every case
// ends with equal row counts and CHECKSUM TABLE results on every pod.
//
// Needs root (namespaces, bind mounts). Under CI=true a missing requirement fails the suite; elsewhere it
// skips with a loud message (requireFakeKubelet). FAKE_KUBELET_PREFIX and FAKE_KUBELET_SUBNET override the
// names and addresses of a run.
import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { setTimeout as sleep } from "timers/promises";
import { CONTAINERS, VOLUMES } from "../../components";
import { FakeKubelet, requireFakeKubelet, runPrefix, runSubnet, waitFor } from "../fake-kubelet";
import * as shared from "./setup";
import { createRealCluster, ProcessWatch, renderedContainerEnv, renderedSecret, rootSql, sqlOn } from "./setup";
import {
    describeLags,
    describeWriteLoad,
    prepareWriteLoad,
    runWriteLoad,
    SUITE_LOAD_FLOOR_TPS,
    SUITE_LOAD_FRACTION,
    suiteLoadRate,
} from "./writeLoad";

const DATA = VOLUMES.data;
/** Rows each case writes while something is down or restarting. */
const BATCH = 50;
/** Rows of the ~200 MB table that makes the clone of case d take long enough to be killed half-way. */
const BALLAST_ROWS = 600_000;

describe("replication on real MariaDB servers (mariadb flavor)", function () {
    this.timeout(15 * 60 * 1000);
    let cluster: FakeKubelet;
    const sql = (ordinal: number, statement: string) => sqlOn(cluster, ordinal, statement);
    const assertConverged = (ordinals: number[], rows: number, table?: string) => shared.assertConverged(cluster, ordinals, rows, table);
    const timings: Record<string, string> = {};

    async function insertRows(count: number, note: string): Promise<void> {
        await sql(0, `INSERT INTO shop.orders (note) SELECT CONCAT('${note}-', seq) FROM shop.seq_1_to_${count}`);
    }

    let rows = 0;

    /** The cluster's passwords and the private key's first line: none may show in any process, log or readable file. */
    let secrets: string[] = [];
    /** Every process of the run, from the cluster's start to case j, looked at for the secrets. */
    let watch: ProcessWatch | undefined;

    before(async function () {
        requireFakeKubelet(this);
        cluster = await createRealCluster("real");
        secrets = [...Object.values(renderedSecret("mysql-credentials")), renderedSecret("mysql-tls")["tls.key"].split("\n")[1]];
        assert.ok(
            secrets.every((secret) => secret.length >= 16),
            "no empty or short secret, which would match anything",
        );
        watch = new ProcessWatch(() => secrets);
    });

    after(async function () {
        await watch?.stop();
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
        const readyOrder = cluster
            .events()
            .filter((e) => e.type === "PodReady")
            .map((e) => e.pod);
        assert.deepStrictEqual(readyOrder, ["mysql-0", "mysql-1", "mysql-2"]);
        const starts = cluster
            .events()
            .filter((e) => e.type === "PodStarting")
            .map((e) => e.pod);
        assert.deepStrictEqual(starts, ["mysql-0", "mysql-1", "mysql-2"]);
        // The next ordinal starts only once the previous pod's clone endpoint serves (its sidecar is Ready).
        for (const ordinal of [1, 2]) {
            const donorServing = cluster
                .events()
                .find((e) => e.pod === `mysql-${ordinal - 1}` && e.container === CONTAINERS.sidecar && e.type === "ContainerReady");
            const next = cluster.events().find((e) => e.pod === `mysql-${ordinal}` && e.type === "PodStarting");
            assert.ok(
                donorServing && next && donorServing.t <= next.t,
                `mysql-${ordinal} started before mysql-${ordinal - 1} served clones`,
            );
        }

        // The component created `shop` for its application user (tests/real/Pulumi.real.yaml).
        await sql(0, "CREATE TABLE shop.orders (id INT AUTO_INCREMENT PRIMARY KEY, note VARCHAR(64) NOT NULL)");
        await insertRows(1000, "a");
        rows += 1000;
        timings["a. replicated 1000 rows"] = `${await assertConverged([0, 1, 2], rows)} ms`;
        // Named time zones: in mysql-0's data directory from its install on (init-mysql), every replica's by
        // its clone; nothing loads them through the binlog.
        const berlin = "SELECT CONVERT_TZ('2026-07-01 12:00:00', '+00:00', 'Europe/Berlin')";
        const announced = /with the (\d+) time zones in \/usr\/share\/zoneinfo/.exec(cluster.logs(0, CONTAINERS.init));
        assert.ok(announced, cluster.logs(0, CONTAINERS.init));
        const zones = Number(await sql(0, "SELECT COUNT(*) FROM mysql.time_zone_name"));
        assert.ok(zones > 300 && zones === Number(announced[1]), `${zones} time zones on mysql-0, ${announced[1]} installed`);
        const transitions = await sql(0, "SELECT COUNT(*) FROM mysql.time_zone_transition");
        for (const ordinal of [0, 1, 2]) {
            assert.strictEqual(await sql(ordinal, "SELECT COUNT(*) FROM mysql.time_zone_name"), String(zones), `mysql-${ordinal}`);
            assert.strictEqual(await sql(ordinal, "SELECT COUNT(*) FROM mysql.time_zone_transition"), transitions, `mysql-${ordinal}`);
            assert.strictEqual(await sql(ordinal, berlin), "2026-07-01 14:00:00", `mysql-${ordinal}`);
        }
        assert.doesNotMatch(await sql(0, "SHOW BINLOG EVENTS"), /time_zone/, "the zones are not in the binlog");
        assert.match(cluster.logs(1, CONTAINERS.clone), /cloning from mysql-0\.mysql\.default\.svc\.cluster\.local:3307/);
        assert.match(cluster.logs(2, CONTAINERS.clone), /cloning from mysql-1\.mysql\.default\.svc\.cluster\.local:3307/);
        // Each claim records, beside the data directory, whose data it holds; the series from the server binary.
        for (const ordinal of [0, 1, 2]) {
            assert.match(
                fs.readFileSync(path.join(cluster.volumePath(ordinal, DATA), "identity"), "utf8"),
                new RegExp(`\ncluster=default/mysql\nuid=[0-9a-f-]{36}\nordinal=${ordinal}\nfamily=mariadb\nseries=10\\.11\n$`),
            );
            assert.match(
                cluster.logs(ordinal, CONTAINERS.init),
                new RegExp(`new volume: recording it as cluster default/mysql uid \\S+ ordinal ${ordinal}, mariadb 10\\.11`),
            );
        }
    });

    it("p. under a 4-thread write load on mysql-0 at 60% of its flat-out rate (at least 200 tx/s), both replicas stay within 2 s of it and have its checksums within 2 s of the load's end", async () => {
        // Each replica applies with replicaApplyThreads (4) workers, committing in the primary's order.
        for (const ordinal of [1, 2]) {
            assert.strictEqual(await sql(ordinal, "SELECT @@slave_parallel_mode, @@slave_parallel_threads"), "optimistic\t4");
        }
        // A share of what this machine commits flat out, measured on this cluster just before: sysbench and
        // three servers share its cores, so a fixed rate (the issue's 615 tx/s, the bench's figure) would
        // measure the machine instead of replication.
        const replicas = [1, 2];
        await prepareWriteLoad(cluster, { threads: 4, replicas });
        const flatOut = await runWriteLoad(cluster, { threads: 4, seconds: 5, replicas });
        timings["p. flat out"] = describeWriteLoad(flatOut);
        assert.ok(flatOut.convergeMs >= 0, `the replicas did not catch up after the flat-out run: ${describeWriteLoad(flatOut)}`);
        const rate = suiteLoadRate(flatOut.tps);
        const result = await runWriteLoad(cluster, { threads: 4, seconds: 15, replicas, rate });
        const rates = `asked ${rate} tx/s: ${SUITE_LOAD_FRACTION} of the ${flatOut.tps.toFixed(0)} tx/s flat out, at least ${SUITE_LOAD_FLOOR_TPS}`;
        timings["p. write load"] = `${rates}; ${describeWriteLoad(result)}`;
        console.log(`      p. flat out ${flatOut.tps.toFixed(0)} tx/s; loaded ${result.tps.toFixed(0)} tx/s (${rates})`);
        assert.ok(
            result.tps >= 0.9 * SUITE_LOAD_FLOOR_TPS,
            `the primary committed ${result.tps} tx/s, under the ${SUITE_LOAD_FLOOR_TPS} tx/s that make the replicas work (${rates})`,
        );
        // With one applier thread each replica fell ~20 s behind under the issue's 615 tx/s and converged ~29 s after it.
        assert.deepStrictEqual(
            Object.entries(result.maxLag).map(([ordinal, lag]) => [ordinal, lag <= 2]),
            [
                ["1", true],
                ["2", true],
            ],
            `largest Seconds_Behind_Master per replica under ${result.tps.toFixed(0)} tx/s: ${describeLags(result.maxLag)} (${rates})`,
        );
        assert.ok(
            result.convergeMs >= 0 && result.convergeMs <= 2000,
            `${result.convergeMs < 0 ? "not converged within 120 s" : `converged ${result.convergeMs} ms`} after the load (${rates})`,
        );
    });

    /** Runs the client in a pod's mysql container as `user`, the password in an option file under umask 077. */
    async function clientAs(ordinal: number, user: string, password: string, host: string, statement: string, extra: string[] = []) {
        const cnf = `/tmp/${user}.cnf`;
        const write = await cluster.exec(ordinal, CONTAINERS.mysql, ["bash", "-c", `umask 077; cat >${cnf}`], {
            stdin: `[client]\nuser=${user}\npassword="${password}"\n`,
        });
        assert.strictEqual(write.code, 0, write.stderr);
        return cluster.sql(ordinal, CONTAINERS.mysql, statement, { client: [`--defaults-extra-file=${cnf}`, `--host=${host}`, ...extra] });
    }

    const primaryFqdn = "mysql-0.mysql.default.svc.cluster.local";

    it("g. the application user writes on the primary only; root logs in from the pod itself only", async () => {
        const { "app-password": appPassword, "root-password": rootPassword } = renderedSecret("mysql-credentials");
        for (const replica of [1, 2]) {
            const refused = await clientAs(replica, "shop-app", appPassword, "127.0.0.1", "INSERT INTO shop.orders (note) VALUES ('app')");
            assert.strictEqual(refused.code, 1);
            assert.match(refused.stderr, /ERROR 1290 .*--read-only/);
        }
        const accepted = await clientAs(0, "shop-app", appPassword, "127.0.0.1", "INSERT INTO shop.orders (note) VALUES ('app')");
        assert.strictEqual(accepted.code, 0, accepted.stderr);
        rows += 1;
        // Root over the network, from another pod, with the right password: refused.
        const remoteRoot = await clientAs(1, "root", rootPassword, primaryFqdn, "SELECT 1");
        assert.strictEqual(remoteRoot.code, 1);
        assert.match(remoteRoot.stderr, /ERROR 1045 .*Access denied for user 'root'@'10\./);
        await assertConverged([0, 1, 2], rows);
    });

    it("h. the replication user replicates over verified TLS but can read no table; the backup user only backs up", async () => {
        const { "replication-password": replicationPassword, "backup-password": backupPassword } = renderedSecret("mysql-credentials");
        const status = (await rootSql(cluster, 1, "SHOW SLAVE STATUS\\G", undefined, true)).stdout;
        assert.match(status, /Master_User: replication\n/);
        assert.match(status, /Master_SSL_Allowed: Yes\n/);
        assert.match(status, /Master_SSL_Verify_Server_Cert: Yes\n/);
        assert.match(status, /Slave_IO_Running: Yes\n/);
        const tls = ["--ssl", "--ssl-ca=/etc/mysql-credentials/ca.crt", "--ssl-verify-server-cert"];
        const read = await clientAs(1, "replication", replicationPassword, primaryFqdn, "SELECT COUNT(*) FROM shop.orders", tls);
        assert.strictEqual(read.code, 1);
        assert.match(read.stderr, /ERROR 1142 .*SELECT command denied to user 'replication'/);
        const write = await clientAs(
            1,
            "replication",
            replicationPassword,
            primaryFqdn,
            "INSERT INTO shop.orders (note) VALUES ('x')",
            tls,
        );
        assert.match(write.stderr, /ERROR 1142 .*INSERT command denied to user 'replication'/);
        const plain = await clientAs(1, "replication", replicationPassword, primaryFqdn, "SELECT 1", ["--skip-ssl"]);
        assert.match(plain.stderr, /ERROR 1045 .*Access denied for user 'replication'/, "REQUIRE SSL");
        const backupRead = await clientAs(0, "backup", backupPassword, "127.0.0.1", "SELECT COUNT(*) FROM shop.orders");
        assert.match(backupRead.stderr, /ERROR 1142 .*SELECT command denied to user 'backup'/);
        const backupRemote = await clientAs(1, "backup", backupPassword, primaryFqdn, "SELECT 1");
        assert.match(backupRemote.stderr, /ERROR 1045 .*Access denied for user 'backup'/);
    });

    /** The cluster's client options of the clone stream: this pod's certificate, the donor's checked. */
    const CLONE_CLIENT_TLS =
        "cert=/etc/mysql-credentials/tls.crt,key=/etc/mysql-credentials/tls.key,cafile=/etc/mysql-credentials/ca.crt,verify=1";

    /**
     * A client of the cluster takes a whole backup from `donor` into mysql-2's /tmp; resolves with the time it
     * took. The exec's bound only catches a client that is never served.
     */
    async function cloneProbe(donor: string, connectTimeoutSeconds: number, timeoutMs = 180_000): Promise<number> {
        const started = Date.now();
        const served = await cluster.exec(
            2,
            CONTAINERS.sidecar,
            [
                "bash",
                "-c",
                `set -o pipefail; rm -rf /tmp/probe; mkdir /tmp/probe; socat -u 'OPENSSL:${donor},connect-timeout=${connectTimeoutSeconds},${CLONE_CLIENT_TLS}' STDOUT | mbstream -x -C /tmp/probe && ls /tmp/probe`,
            ],
            { timeoutMs },
        );
        assert.strictEqual(served.code, 0, `the client of the cluster was not served a backup: ${served.stderr}`);
        assert.match(served.stdout, /xtrabackup_checkpoints/);
        return Date.now() - started;
    }

    /** Backups mysql-1 has started for a client (the backup tool's first line, in its sidecar's log). */
    const backupsServed = () => (cluster.logs(1, CONTAINERS.sidecar).match(/mariadb-backup based on/g) ?? []).length;

    /** A shell command in mysql-2's sidecar that waits until the test lets it go (releaseHold), never on its own. */
    const hold = (name: string) => `until [ -e /tmp/${name}-release ]; do sleep 0.2; done`;
    const releaseHold = async (name: string) => {
        const touched = await cluster.exec(2, CONTAINERS.sidecar, ["touch", `/tmp/${name}-release`]);
        assert.strictEqual(touched.code, 0, touched.stderr);
    };

    it("i. the clone port gives no byte to a client without the cluster's certificate, and a silent client does not hold it", async () => {
        const donor = "mysql-1.mysql.default.svc.cluster.local:3307";
        const before = backupsServed();
        // From another pod's network namespace: no certificate at all, then plain TCP.
        for (const address of [`OPENSSL:${donor},verify=0,connect-timeout=5`, `TCP:${donor},connect-timeout=5`]) {
            const stray = await cluster.exec(2, CONTAINERS.sidecar, ["bash", "-c", `socat -u '${address}' STDOUT | wc -c`], {
                timeoutMs: 60_000,
            });
            assert.strictEqual(stray.stdout.trim(), "0", `${address}: ${stray.stderr}`);
        }
        // A client that connects and says nothing, and stays until the test lets it go: a client of the cluster
        // is served meanwhile, or never (the probe's bound catches that), however long a backup takes here.
        const silent = cluster.exec(2, CONTAINERS.sidecar, ["bash", "-c", `socat -u TCP:${donor} SYSTEM:'${hold("silent")}'`], {
            timeoutMs: 300_000,
        });
        await sleep(1000);
        const served = await cloneProbe(donor, 10);
        timings["i. a clone while a silent client is connected, served in"] = `${served} ms`;
        assert.strictEqual(backupsServed(), before + 1, "only the cluster's client started a backup");
        await releaseHold("silent");
        await silent;
    });

    /** Waits until a pod's readiness is `ready`; returns how long it took. */
    async function untilReady(ordinal: number, ready: boolean, timeoutMs = 60_000): Promise<number> {
        const took = await waitFor(() => cluster.isReady(ordinal) === ready, {
            timeoutMs,
            everyMs: 100,
            what: () => `mysql-${ordinal} Ready: ${ready}\n${cluster.describe(ordinal)}`,
        });
        assert.strictEqual(cluster.isReady(ordinal), ready, `mysql-${ordinal} Ready: ${cluster.describe(ordinal)}`);
        return took;
    }

    /** Whether the read endpoints (the Ready pods, as another pod's DNS lists them) include mysql-N. */
    const inReadEndpoints = (ordinal: number) => cluster.hostsFile(0).includes(`mysql-${ordinal}.mysql.default.svc.cluster.local`);

    it("k. a replica that stops replicating, or falls behind, leaves the read endpoints, and comes back by itself", async () => {
        await sql(1, "STOP SLAVE SQL_THREAD");
        timings["k. NotReady after STOP SLAVE SQL_THREAD"] = `${await untilReady(1, false, 15_000)} ms`;
        assert.ok(!inReadEndpoints(1), "a stopped replica serves no reads");
        assert.ok(inReadEndpoints(2));
        await sql(1, "START SLAVE SQL_THREAD");
        timings["k. Ready after START SLAVE SQL_THREAD"] = `${await untilReady(1, true, 15_000)} ms`;
        assert.ok(inReadEndpoints(1));

        // Lag: the replica applies events 20 s late; the stack allows 5 s (tests/real/Pulumi.real.yaml).
        await sql(1, "STOP SLAVE; CHANGE MASTER TO MASTER_DELAY=20; START SLAVE");
        for (let i = 0; i < 8; i++) {
            await insertRows(1, `k${i}`);
            rows += 1;
            await sleep(1000);
        }
        timings["k. NotReady while lagging"] = `${await untilReady(1, false, 30_000)} ms`;
        const reasons = cluster
            .events()
            .filter((e) => e.pod === "mysql-1" && e.type === "ProbeFailed")
            .map((e) => e.detail ?? "");
        assert.ok(
            reasons.some((r) => /s behind the primary, more than the 5 s allowed/.test(r)),
            reasons.join("\n"),
        );
        await sql(1, "STOP SLAVE; CHANGE MASTER TO MASTER_DELAY=0; START SLAVE");
        timings["k. Ready once caught up"] = `${await untilReady(1, true, 30_000)} ms`;
        await assertConverged([0, 1, 2], rows);
    });

    it("l. a replica whose binlogs were purged while it was away clones itself again, and converges", async () => {
        await cluster.scaleTo(2);
        await insertRows(BATCH, "l1");
        rows += BATCH;
        await sql(0, "FLUSH BINARY LOGS");
        const active = (await sql(0, "SHOW MASTER STATUS")).split("\t")[0];
        // A binlog a connected replica still reads is kept; mysql-1 moves on to the new one within moments.
        const binlogs = async () => (await sql(0, "SHOW BINARY LOGS")).split("\n").map((line) => line.split("\t")[0]);
        await waitFor(async () => (await binlogs()).length === 1 || void (await sql(0, `PURGE BINARY LOGS TO '${active}'`)) || false, {
            timeoutMs: 10_000,
            everyMs: 250,
            what: `the binlogs before ${active} to be purged`,
        });
        assert.deepStrictEqual(await binlogs(), [active], "only the active binlog is left");
        await insertRows(BATCH, "l2");
        rows += BATCH;
        const started = Date.now();
        await cluster.scaleTo(3, { readyTimeoutMs: 180_000 });
        timings["l. purged, scaled back: Ready again in"] = `${Date.now() - started} ms`;
        assert.match(cluster.logs(2, CONTAINERS.sidecar), /replication cannot resume: error 1236 .*cloning again/);
        assert.match(cluster.logs(2, CONTAINERS.sidecar), /data directory marked for a new clone .*moving it aside/);
        assert.match(cluster.logs(2, CONTAINERS.sidecar), /clone from mysql-1\.mysql\.default\.svc\.cluster\.local complete/);
        assert.ok(!fs.existsSync(path.join(cluster.volumePath(2, DATA), "clone-pending")));
        timings["l. converged in"] = `${await assertConverged([0, 1, 2], rows)} ms`;
    });

    it("m. a pod stopped during writes shuts down cleanly in its grace period (no crash recovery), and not when killed", async () => {
        // Batches go on until the pod has stopped, so the stop happens while rows are being written (and not
        // while it starts again: a replica catching up under an unthrottled load would not be Ready in time).
        let batches = 0;
        let writing = true;
        const writes = (async () => {
            while (writing) {
                await insertRows(BATCH, `m${batches}`);
                rows += BATCH;
                batches++;
            }
        })();
        const latestStart = () => {
            const log = cluster.logs(1, CONTAINERS.mysql);
            return log.slice(log.lastIndexOf("==== fake-kubelet"));
        };
        await waitFor(() => batches >= 3, { timeoutMs: 60_000, everyMs: 10, what: "three batches written" });
        const beforeStop = batches;
        await cluster.stopPod(1);
        const duringStop = batches - beforeStop;
        writing = false;
        await writes;
        await cluster.startPod(1);
        timings["m. batches of rows committed while mysql-1 stopped"] = String(duringStop);
        assert.ok(duringStop >= 1, `no batch was committed while mysql-1 stopped: the writes were not running`);
        assert.doesNotMatch(latestStart(), /crash recovery/i, "a clean shutdown needs no crash recovery");
        // The same pod killed without grace: the next start recovers, so the check above can fail.
        await cluster.stopPod(1, { graceSeconds: 0 });
        await cluster.startPod(1);
        assert.match(latestStart(), /Starting crash recovery/);
        await assertConverged([0, 1, 2], rows);
    });

    it("n. a receiver that stops reading frees the donor's clone slot within the idle bound (10 s here)", async () => {
        const donor = "mysql-1.mysql.default.svc.cluster.local:3307";
        const idleSeconds = Number(renderedContainerEnv(CONTAINERS.sidecar).CLONE_IDLE_TIMEOUT);
        assert.strictEqual(idleSeconds, 10, "tests/real/Pulumi.real.yaml's cloneIdleTimeoutSeconds");
        // What the donor may take beyond the bound: filling the stalled stream's buffers before it stalls, and
        // ending its backup. A parameter, not a measurement: it only has to be far below the stall.
        const marginSeconds = 10;
        // The reader stays stalled this long unless released, far past bound and margin: without the idle
        // timeout the slot stays taken (or TCP gives up on the zero window, 30 s) and the bound below fails.
        const stallSeconds = 6 * idleSeconds;
        const waitSeconds = 2;
        // Baseline: a clone with the slot free, so that the bound below measures the wait for the slot only.
        const baseline = await cloneProbe(donor, 10);
        // Reads 64 KiB, then keeps the stream open without reading until released: the donor's writes block.
        const release = "/tmp/n-release";
        const stalled = cluster.exec(
            2,
            CONTAINERS.sidecar,
            [
                "bash",
                "-c",
                `rm -f ${release}; socat -u 'OPENSSL:${donor},${CLONE_CLIENT_TLS}' STDOUT | { head -c 65536 >/dev/null; ` +
                    `until [[ -e ${release} ]]; do ((SECONDS < ${stallSeconds})) || { echo "left by itself"; exit 1; }; sleep 0.1; done; echo released; }`,
            ],
            { timeoutMs: (stallSeconds + 30) * 1000 },
        );
        await sleep(waitSeconds * 1000);
        // The next client waits in the donor's accept queue until the stalled stream is ended.
        const served = await cloneProbe(donor, stallSeconds, (stallSeconds + 30) * 1000);
        const touched = await cluster.exec(2, CONTAINERS.sidecar, ["touch", release]);
        assert.strictEqual(touched.code, 0, touched.stderr);
        const reader = await stalled;
        timings["n. a clone with the slot free (baseline)"] = `${baseline} ms`;
        timings["n. next clone served after a stalled receiver"] = `${served} ms`;
        // The stalled stream held the slot: the probe, started waitSeconds after it, waited for its end.
        assert.ok(served >= (idleSeconds - waitSeconds) * 1000, `served in ${served} ms: the stalled receiver never held the slot`);
        const freedAfter = served - baseline + waitSeconds * 1000;
        assert.ok(
            freedAfter <= (idleSeconds + marginSeconds) * 1000,
            `the slot freed ${freedAfter} ms after the stalled receiver connected, more than the ${idleSeconds} s idle bound + ${marginSeconds} s`,
        );
        // The reader was still stalled when the probe was served: it left only when released.
        assert.strictEqual(reader.stdout, "released\n", reader.stderr);
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
        assert.match(cluster.logs(2, CONTAINERS.init), /data identity checked: cluster default\/mysql uid \S+ ordinal 2, mariadb 10\.11\n/);
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
        await sql(
            0,
            `CREATE TABLE shop.ballast (id INT PRIMARY KEY, pad CHAR(255) NOT NULL) SELECT seq AS id, REPEAT('x', 255) AS pad FROM shop.seq_1_to_${BALLAST_ROWS}`,
        );
        // The donor must have applied the load first: a hot backup of a server writing ~200 MB of redo
        // outruns its redo log, and mariadb-backup then retries forever instead of failing.
        await assertConverged([0, 1, 2], BALLAST_ROWS, "shop.ballast");
        const staging = path.join(cluster.volumePath(3, DATA), "mysql.clone-in-progress");
        const dataDir = path.join(cluster.volumePath(3, DATA), "mysql");
        const starting = cluster.startPod(3).then(
            () => "ready",
            (error: Error) => error.message,
        );
        await waitFor(() => fs.existsSync(path.join(staging, "shop")) && fs.readdirSync(path.join(staging, "shop")).length > 0, {
            timeoutMs: 60_000,
            everyMs: 5,
            what: "the clone to be streaming shop's files",
        });
        // The pod vanishes as with a dead node: its network goes first, so no reset reaches the donor,
        // whose backup stream must still end and free its clone slot for the retry.
        await cluster.setNetworkBlocked(3, true);
        await cluster.stopPod(3);
        await starting;
        assert.ok(fs.existsSync(staging), "the killed clone left its staging directory");
        assert.ok(
            !["mariadb_backup_checkpoints", "xtrabackup_checkpoints"].some((f) => fs.existsSync(path.join(staging, f))),
            "the clone was cut short",
        );
        assert.ok(!fs.existsSync(path.join(dataDir, "mysql")), "no half-copied data directory");

        const started = Date.now();
        await cluster.startPod(3);
        timings["d. full clone after a killed one, to Ready"] = `${Date.now() - started} ms`;
        assert.ok(!fs.existsSync(staging));
        assert.strictEqual(
            (cluster.logs(3, CONTAINERS.clone).match(/cloning from mysql-2\.mysql\.default\.svc\.cluster\.local:3307/g) ?? []).length,
            2,
        );
        await insertRows(BATCH, "d");
        rows += BATCH;
        await assertConverged([0, 1, 2, 3], rows);
        await assertConverged([0, 1, 2, 3], BALLAST_ROWS, "shop.ballast");
    });

    it("e. with its donor unreachable, a new pod's clone fails cleanly, then succeeds on retry (scale 4→5)", async () => {
        await cluster.setNetworkBlocked(3, true);
        const starting = cluster.startPod(4);
        const failedClones = () =>
            cluster
                .events()
                .filter(
                    (e) =>
                        e.pod === "mysql-4" &&
                        e.container === CONTAINERS.clone &&
                        e.type === "ContainerExited" &&
                        !/code 0\b/.test(e.detail ?? ""),
                ).length;
        await waitFor(() => failedClones() >= 1, { timeoutMs: 90_000, everyMs: 100, what: "a failed clone" });
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

    it("j. no password in any process's command line or environment, in any log, or in a world-readable file", async () => {
        const leaks: string[] = [];
        const check = (where: string, text: string | Buffer) => {
            const content = text.toString("latin1");
            if (secrets.some((secret) => content.includes(secret))) {
                leaks.push(where);
            }
        };
        // Every process since the cluster started, each read as it appeared (ProcessWatch), not one look now.
        await watch!.stop();
        timings["j. processes looked at since the cluster started"] = String(watch!.processes);
        assert.ok(watch!.processes > 100, `the watch read ${watch!.processes} processes`);
        leaks.push(...watch!.leaks);
        for (const ordinal of [0, 1, 2, 3, 4]) {
            for (const container of Object.values(CONTAINERS)) {
                check(`logs of mysql-${ordinal}/${container}`, cluster.logs(ordinal, container));
            }
        }
        const walk = (dir: string): string[] =>
            fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
                const full = path.join(dir, entry.name);
                return entry.isDirectory() ? walk(full) : entry.isFile() ? [full] : [];
            });
        let readable = 0;
        for (const file of walk(cluster.workDir)) {
            const stat = fs.statSync(file);
            if ((stat.mode & 0o004) !== 0 && stat.size < 16 * 1024 * 1024) {
                readable++;
                check(`world-readable ${path.relative(cluster.workDir, file)}`, fs.readFileSync(file));
            }
        }
        assert.ok(readable > 100, `scanned ${readable} world-readable files`);
        assert.deepStrictEqual(leaks, []);
    });

    /** Every file under a directory with its size and modification time. */
    const fileStates = (dir: string): Record<string, string> =>
        Object.fromEntries(
            fs
                .readdirSync(dir, { recursive: true, encoding: "utf8" })
                .map((name) => [name, fs.statSync(path.join(dir, name))] as const)
                .filter(([, stat]) => stat.isFile())
                .map(([name, stat]) => [name, `${stat.size} ${stat.mtimeMs}`]),
        );

    it("o. a stopped pod's volume given to a pod of another cluster is refused: init-mysql says whose it is, mysqld never starts", async () => {
        await cluster.scaleTo(4);
        const claim = cluster.volumePath(4, DATA);
        const identity = fs.readFileSync(path.join(claim, "identity"), "utf8");
        const uid = /\nuid=(\S+)\n/.exec(identity)?.[1];
        const before = fileStates(path.join(claim, "mysql"));
        assert.ok(Object.keys(before).length > 10, "mysql-4 left its data");
        // Another cluster (its own UID and name), its first pod's claim on mysql-4's volume: the NFS path of one
        // stack's volume given to another.
        const other = await createRealCluster("other", {
            render: ["--config", "name=other"],
            claimPaths: { "data-other-0": claim },
            prefix: runPrefix("o"),
            subnet: runSubnet(1),
        });
        try {
            const starting = other.startPod(0).then(
                () => "Ready",
                (error: Error) => error.message,
            );
            const refusals = () =>
                other.events().filter((e) => e.container === CONTAINERS.init && e.type === "ContainerExited" && e.detail !== "code 0")
                    .length;
            // Twice: kubelet restarts the init container, which refuses again.
            await waitFor(() => refusals() >= 2, { timeoutMs: 60_000, everyMs: 100, what: () => `two refusals\n${other.describe(0)}` });
            assert.ok(refusals() >= 2, other.describe(0));
            await other.stopPod(0);
            assert.match(await starting, /will not become Ready/);
            const log = other.logs(0, CONTAINERS.init);
            const refused = new RegExp(
                `ERROR: this volume's data belongs to cluster default/mysql uid ${uid} ordinal 4; ` +
                    "this pod other-0 is cluster default/other uid [0-9a-f-]{36} ordinal 0: refusing to start the server on it\\. " +
                    "Point `nfsPaths` \\(or `nfsPathPattern`\\) at an empty directory for this pod, or give the volume back to default/mysql ordinal 4; " +
                    "to take it over on purpose \\(its data keeps that cluster's passwords\\), delete /mnt/data/identity\\.\n",
            );
            assert.match(log, refused);
            assert.deepStrictEqual(
                [
                    ...new Set(
                        other
                            .events()
                            .filter((e) => e.type === "ContainerStarted")
                            .map((e) => e.container),
                    ),
                ],
                [CONTAINERS.init],
                "no other container started: no clone, no server",
            );
        } finally {
            await other.destroy();
        }
        assert.deepStrictEqual(fileStates(path.join(claim, "mysql")), before, "the data files are untouched");
        assert.strictEqual(fs.readFileSync(path.join(claim, "identity"), "utf8"), identity);
    });
});
