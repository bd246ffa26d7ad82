// Day 2 on real MariaDB servers: a new render of the mariadb stack applied to a running cluster as
// `pulumi up` and the StatefulSet controller would (FakeKubelet.apply: ConfigMaps and Secrets replaced, the
// pods rolled from the highest ordinal, halting at one that does not become Ready), with writes flowing.
// Every case ends with equal row counts and CHECKSUM TABLE results on every pod.
import * as assert from "assert";
import { setTimeout as sleep } from "timers/promises";
import { CONTAINERS } from "../../components";
import { FakeKubelet, K8sObject, requireFakeKubelet, waitFor } from "../fake-kubelet";
import * as shared from "./setup";
import { createRealCluster, renderRealStack, ROOT_PASSWORD, rootSql, sqlOn } from "./setup";

/** The stack of this file's renders: one state (passwords, TLS material, cluster UID) from the first to the last. */
const STACK = "day2";
/** The stack's own options (tests/real/Pulumi.real.yaml), to which the cases add one. */
const OPTIONS = ["innodb_buffer_pool_size=64M", "innodb_log_file_size=48M"];
const render = (extra: Record<string, unknown> = {}, secrets: Record<string, string> = {}) =>
    renderRealStack(
        [
            ...Object.entries(extra).flatMap(([key, value]) => [
                "--config",
                `${key}=${typeof value === "string" ? value : JSON.stringify(value)}`,
            ]),
            ...Object.entries(secrets).flatMap(([key, value]) => ["--secret", `${key}=${value}`]),
        ],
        STACK,
    );

describe("changing a live cluster on real MariaDB servers (mariadb flavor)", function () {
    this.timeout(15 * 60 * 1000);
    let cluster: FakeKubelet;
    let acknowledged = 0;
    const sql = (ordinal: number, statement: string) => sqlOn(cluster, ordinal, statement);
    /** Every pod has every acknowledged row of shop.day2, with equal checksums. */
    const assertConverged = (ordinals: number[]) => shared.assertConverged(cluster, ordinals, acknowledged, "shop.day2");

    /**
     * Writes one row to the primary every 100 ms until stopped; a write that fails (the primary restarting)
     * is retried. Returns how many rows were acknowledged, and how many attempts failed.
     */
    function writeWhile(): { stop: () => Promise<{ written: number; failed: number }> } {
        let running = true;
        let written = 0;
        let failed = 0;
        const loop = (async () => {
            while (running) {
                const run = await rootSql(cluster, 0, "INSERT INTO shop.day2 (note) VALUES ('during')", 10_000).catch(() => undefined);
                if (run?.code === 0) {
                    written++;
                } else {
                    failed++;
                }
                await sleep(100);
            }
        })();
        return {
            stop: async () => {
                running = false;
                await loop;
                acknowledged += written;
                return { written, failed };
            },
        };
    }

    /** The ordinals the rollout deleted, in order, since event `from`. */
    const deletions = (from: number) =>
        cluster
            .events()
            .slice(from)
            .filter((e) => e.type === "PodDeleted")
            .map((e) => Number(e.pod.split("-").pop()));

    before(async function () {
        requireFakeKubelet(this);
        cluster = await createRealCluster("day2", { stack: STACK });
        await cluster.scaleTo(3);
        await sql(0, "CREATE TABLE shop.day2 (id INT AUTO_INCREMENT PRIMARY KEY, note VARCHAR(40) NOT NULL)");
    });

    after(async () => {
        await cluster?.destroy();
    });

    it("t. a mysqldOptions change rolls every pod, the highest first and the primary last, while writes go on", async () => {
        const from = cluster.events().length;
        const writes = writeWhile();
        const result = await cluster.apply(render({ mysqldOptions: [...OPTIONS, "max_connections=222"] }));
        const { written } = await writes.stop();
        assert.strictEqual(result.halted, undefined, JSON.stringify(result.halted));
        assert.strictEqual(result.statefulSet, "updated");
        assert.deepStrictEqual(deletions(from), [2, 1, 0]);
        for (const ordinal of [0, 1, 2]) {
            assert.strictEqual(await sql(ordinal, "SELECT @@max_connections"), "222", `mysql-${ordinal} runs the new my.cnf`);
        }
        assert.ok(written > 10, `rows were written during the rollout: ${written}`);
        await assertConverged([0, 1, 2]);
    });

    it("u. a bad option halts the rollout at mysql-2 while mysql-0 and mysql-1 serve; the fixed render finishes it", async () => {
        const from = cluster.events().length;
        const bad = await cluster.apply(render({ mysqldOptions: [...OPTIONS, "max_connections=222", "no_such_option=1"] }), {
            readyTimeoutMs: 20_000,
        });
        assert.strictEqual(bad.halted?.ordinal, 2, JSON.stringify(bad));
        assert.deepStrictEqual(deletions(from), [2]);
        assert.ok(cluster.isReady(0) && cluster.isReady(1), "the lower pods keep serving");
        await sql(0, "INSERT INTO shop.day2 (note) VALUES ('halted')");
        acknowledged++;
        await assertConverged([0, 1]);

        // Kubernetes' forced rollback: with OrderedReady, reverting the template is not enough; the pod stuck
        // on the bad revision must be deleted too (README, Troubleshooting). It comes back on the fixed one.
        await cluster.stopPod(2);
        const fixed = await cluster.apply(render({ mysqldOptions: [...OPTIONS, "max_connections=333"] }));
        assert.strictEqual(fixed.halted, undefined, JSON.stringify(fixed.halted));
        for (const ordinal of [0, 1, 2]) {
            assert.strictEqual(await sql(ordinal, "SELECT @@max_connections"), "333", `mysql-${ordinal}`);
        }
        await assertConverged([0, 1, 2]);
    });

    it("v. scaled 3→2→3→5→3 by new renders: no volume changes, and every running pod converges", async () => {
        const volumes = (objects: K8sObject[]) => JSON.stringify(objects.filter((o) => o.kind === "PersistentVolume"));
        const options = { mysqldOptions: [...OPTIONS, "max_connections=333"] };
        const first = volumes(render(options));
        for (const replicas of [2, 3, 5, 3]) {
            const objects = render({ ...options, replicas });
            assert.strictEqual(volumes(objects), first, `the volumes of replicas=${replicas} are the ones deployed`);
            const result = await cluster.apply(objects);
            assert.strictEqual(result.halted, undefined, JSON.stringify(result.halted));
            assert.deepStrictEqual(cluster.runningOrdinals(), [...Array(replicas).keys()]);
            await sql(0, `INSERT INTO shop.day2 (note) VALUES ('replicas=${replicas}')`);
            acknowledged++;
            await assertConverged([...Array(replicas).keys()]);
        }
    });

    it("w. passwords rotated under writes: the servers take them, replication goes on, no probe fails, restarted pods log in", async () => {
        const options = { mysqldOptions: [...OPTIONS, "max_connections=333"] };
        const from = cluster.events().length;
        const writes = writeWhile();
        const result = await cluster.apply(
            render(options, {
                rootPassword: `n3w r00t "pw' #2`,
                replicationPassword: "new-replication-pw",
                backupPassword: "new-backup-pw",
            }),
            { volumeSyncDelayMs: 1000 },
        );
        assert.strictEqual(result.statefulSet, "unchanged", "a password is no change of the pod template");
        // mysql-0 changes them a minute (ROTATION_GRACE) after it saw them; every pod then switches its files.
        const rotated = (ordinal: number) =>
            ["root-password", "replication-password", "backup-password"].every((key) =>
                cluster.logs(ordinal, CONTAINERS.sidecar).includes(`rotated ${key}`),
            );
        // On a timeout, the writes stop first; the assertion below then shows the sidecars' logs.
        await waitFor(() => [0, 1, 2].every(rotated), { timeoutMs: 150_000, everyMs: 500, what: "the rotations" }).catch(() => undefined);
        const { written } = await writes.stop();
        assert.ok([0, 1, 2].every(rotated), [0, 1, 2].map((o) => cluster.logs(o, CONTAINERS.sidecar).slice(-600)).join("\n---\n"));
        const during = cluster.events().slice(from);
        const notReady = during.filter((e) => e.type === "PodNotReady");
        assert.deepStrictEqual(notReady, [], "no pod left Ready during the rotation");
        // No probe of any kind failed, not even once below its failureThreshold (startup, readiness and
        // liveness probes all report ProbeFailed), and no container was killed or restarted for one.
        assert.deepStrictEqual(
            during.filter((e) => ["ProbeFailed", "ContainerNotReady", "Killing", "ContainerExited", "ContainerStarted"].includes(e.type)),
            [],
            "no probe failed during the rotation",
        );
        assert.ok(written > 10, `rows were written during the rotation: ${written}`);
        // Replication reconnects with the new password; the old root password is refused.
        for (const ordinal of [1, 2]) {
            await sql(ordinal, "STOP SLAVE IO_THREAD; START SLAVE IO_THREAD");
        }
        await assertConverged([0, 1, 2]);
        const old = await cluster.sql(0, CONTAINERS.mysql, "SELECT 1", {
            client: ["--host=127.0.0.1", "--user=root", `--password=${ROOT_PASSWORD}`],
        });
        assert.notStrictEqual(old.code, 0, "the old root password no longer logs in");
        // A pod that restarts now gets the new passwords from the Secret, and logs in and replicates.
        await cluster.stopPod(2);
        await cluster.startPod(2);
        await sql(0, "INSERT INTO shop.day2 (note) VALUES ('after rotation')");
        acknowledged++;
        await assertConverged([0, 1, 2]);
    });
});
