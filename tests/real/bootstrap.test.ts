// The real-server suite, `bootstrap: parallel`: the StatefulSet starts every pod at once, pod k clones from
// pod (k-1)/2 once that donor is Ready, and a receiver whose donor dies mid-clone, or is down for 60 s, takes
// the next lower Ready one. Same fake kubelet and requirements as replication.test.ts.
import * as assert from "assert";
import { CONTAINERS } from "../../components";
import { FakeKubelet, requireFakeKubelet, waitFor } from "../fake-kubelet";
import * as shared from "./setup";
import { createRealCluster, sqlOn } from "./setup";

const fqdn = (ordinal: number) => `mysql-${ordinal}\\.mysql\\.default\\.svc\\.cluster\\.local`;

describe("bootstrap: parallel on real MariaDB servers (mariadb flavor)", function () {
    this.timeout(10 * 60 * 1000);
    let cluster: FakeKubelet;
    const sql = (ordinal: number, statement: string) => sqlOn(cluster, ordinal, statement);
    const assertConverged = (ordinals: number[], rows: number) => shared.assertConverged(cluster, ordinals, rows);
    const timings: Record<string, string> = {};

    /** The donors a pod's clone step connected to, in order. */
    const donorsOf = (ordinal: number) =>
        [...cluster.logs(ordinal, CONTAINERS.clone).matchAll(/cloning from mysql-(\d+)\.mysql\.default\.svc\.cluster\.local:3307/g)].map(
            (m) => Number(m[1]),
        );

    before(async function () {
        requireFakeKubelet(this);
        cluster = await createRealCluster("bootstrap", { render: ["--config", "bootstrap=parallel", "--config", "replicas=6"] });
    });

    after(async function () {
        await cluster?.destroy();
        if (Object.keys(timings).length > 0) {
            console.log("\n  timings:");
            for (const [what, value] of Object.entries(timings)) console.log(`    ${what}: ${value}`);
        }
    });

    it("a. starts 6 pods at once; each clones from pod (k-1)/2 only once it is Ready; all converge", async () => {
        assert.strictEqual(cluster.statefulSet.spec.podManagementPolicy, "Parallel");
        const started = Date.now();
        await cluster.scaleTo(6);
        timings["a. 6 pods Ready"] = `${Date.now() - started} ms`;
        const events = cluster.events();
        const starting = events.filter((e) => e.type === "PodStarting").map((e) => e.pod);
        const firstReady = events.find((e) => e.type === "PodReady");
        assert.deepStrictEqual(starting.sort(), ["mysql-0", "mysql-1", "mysql-2", "mysql-3", "mysql-4", "mysql-5"]);
        assert.ok(
            events.filter((e) => e.type === "PodStarting").every((e) => e.t < (firstReady?.t ?? 0)),
            "every pod started before any was Ready",
        );
        assert.deepStrictEqual(
            [1, 2, 3, 4, 5].map((k) => [k, donorsOf(k)]),
            [
                [1, [0]],
                [2, [0]],
                [3, [1]],
                [4, [1]],
                [5, [2]],
            ],
        );
        // No pod connected to its donor before the donor was Ready.
        for (const k of [1, 2, 3, 4, 5]) {
            const donor = `mysql-${Math.floor((k - 1) / 2)}`;
            const ready = events.find((e) => e.pod === donor && e.type === "PodReady");
            const log = cluster.logs(k, CONTAINERS.clone);
            assert.match(log, new RegExp(`waiting for ${fqdn(Math.floor((k - 1) / 2))} to be Ready\\n`), `mysql-${k} waited`);
            const cloneDone = events.find(
                (e) => e.pod === `mysql-${k}` && e.container === CONTAINERS.clone && e.type === "ContainerExited",
            );
            assert.ok(ready && cloneDone && ready.t < cloneDone.t, `mysql-${k} cloned from ${donor} after it was Ready`);
            // When it first connected: the log line written just before its first connection to the donor, stamped
            // to the second (lib.sh's log), not in an earlier second than the donor's Ready. A connection in the
            // same second as Ready, but before it, is beyond this check; the wait logged above is not.
            const connecting = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d) cloning from /m.exec(log);
            assert.ok(connecting, log);
            const readyAt = cluster.wallTime(ready.t);
            assert.ok(
                Date.parse(connecting[1]) + 999 >= readyAt,
                `mysql-${k} connected to ${donor} at ${connecting[1]}, before it was Ready at ${new Date(readyAt).toISOString()}`,
            );
        }
        // Replication is from the primary, whoever the donor was.
        for (const k of [1, 2, 3, 4, 5]) {
            assert.match(await sql(k, "SHOW SLAVE STATUS\\G"), /mysql-0\.mysql\.default\.svc\.cluster\.local/);
        }
        await sql(0, "CREATE TABLE shop.orders (id INT AUTO_INCREMENT PRIMARY KEY, note VARCHAR(64) NOT NULL)");
        await sql(0, "INSERT INTO shop.orders (note) SELECT CONCAT('a-', seq) FROM shop.seq_1_to_1000");
        await assertConverged([0, 1, 2, 3, 4, 5], 1000);
        // Issue #26: no server started twice. mysql-run.sh's ownership pass once raced the sidecar consuming the
        // clone's info files, and a replica's mysql container exited 1 at its first start.
        assert.deepStrictEqual(
            [0, 1, 2, 3, 4, 5].map((k) => [k, cluster.restarts(k, CONTAINERS.mysql)]),
            [0, 1, 2, 3, 4, 5].map((k) => [k, 0]),
            "a server container restarted during the parallel bootstrap",
        );
    });

    it("b. a donor that dies mid-clone: its receiver clones from the next lower Ready pod and converges (scale 6→7)", async () => {
        // mysql-6's donor is mysql-2. Its backup is frozen once it has started, so the clone is surely
        // under way when mysql-2 dies.
        const starting = cluster.startPod(6);
        let frozen = 0;
        await waitFor(async () => (frozen = await cluster.killMatching(2, CONTAINERS.sidecar, /^(\S*\/)?mariadb-backup /, "SIGSTOP")) > 0, {
            timeoutMs: 60_000,
            what: "mysql-2 to start a backup for mysql-6",
        });
        assert.ok(frozen > 0, "mysql-2 started a backup for mysql-6");
        await cluster.stopPod(2, { graceSeconds: 0 });
        await starting;
        assert.deepStrictEqual(donorsOf(6), [2, 1]);
        assert.match(cluster.logs(6, CONTAINERS.clone), new RegExp(`${fqdn(2)} is no longer Ready: cloning from ${fqdn(1)} instead\\n`));
        await sql(0, "INSERT INTO shop.orders (note) SELECT CONCAT('b-', seq) FROM shop.seq_1_to_50");
        await assertConverged([0, 1, 3, 4, 5, 6], 1050);
        // mysql-2 comes back on its own data and catches up.
        await cluster.startPod(2);
        await assertConverged([0, 1, 2, 3, 4, 5, 6], 1050);
    });

    it("c. a donor that is down: its receiver waits 60 s for it, then clones from the next lower Ready pod (scale 7→8)", async () => {
        // mysql-7's donor is mysql-3, whose pod is down (its node failed, say) when mysql-7 starts.
        await cluster.stopPod(3, { graceSeconds: 0 });
        const started = Date.now();
        await cluster.startPod(7);
        timings["c. mysql-7 Ready, its donor down"] = `${Date.now() - started} ms`;
        assert.deepStrictEqual(donorsOf(7), [2]);
        assert.match(
            cluster.logs(7, CONTAINERS.clone),
            new RegExp(`waiting for ${fqdn(3)} to be Ready\\n.*${fqdn(3)} is not Ready after 60 s: cloning from ${fqdn(2)} instead\\n`),
        );
        assert.ok(Date.now() - started >= 60_000, "it waited for its own donor first");
        await sql(0, "INSERT INTO shop.orders (note) SELECT CONCAT('c-', seq) FROM shop.seq_1_to_50");
        await assertConverged([0, 1, 2, 4, 5, 6, 7], 1100);
        await cluster.startPod(3);
        await assertConverged([0, 1, 2, 3, 4, 5, 6, 7], 1100);
    });
});
