// Day 2 on the real engine and the real controllers (issue #20 item 5): a running stack changed by `pulumi up`
// of the built CLI and the kubernetes provider against the control plane, its pods rolled by the real
// StatefulSet controller and run by the node agent on the host's MariaDB 10.11 (standing in for mariadb:11.4),
// with writes flowing to mysql-0. The cases of the former tests/real/day2.test.ts, whose FakeKubelet.apply
// emulated `pulumi up` and the controller: a rolling restart in order under writes, a bad option that halts
// the rollout (and Kubernetes' forced rollback), scaling, and passwords rotated with no pod leaving Ready.
// Every case ends with every acknowledged row on every pod and one CHECKSUM TABLE on all of them.
//
// Root only, as the node agent. Run it alone:
//   flock /tmp/real-suite.lock npx mocha --exit --no-config --require ts-node/register/transpile-only \
//       --timeout 1800000 tests/engine/day2.test.ts
import * as assert from "assert";
import { setTimeout as sleep } from "timers/promises";
import { CONTAINERS } from "../../components";
import { ApiPod, CommandResult, engineSuite, isReady, said, stackConfig } from "./harness";
import { waitFor } from "../fake-kubelet/util";

const STACK = "day2";
const PATHS = [1, 2, 3, 4, 5].map((n) => `/day2/v${n}`);
const PASSWORDS = { rootPassword: "root-Day2-1", replicationPassword: "repl-Day2-1", backupPassword: "backup-Day2-1" };
const ROTATED = { rootPassword: `n3w r00t "pw' #2`, replicationPassword: "new-replication-pw", backupPassword: "new-backup-pw" };

/** What a Pulumi run said, for the assertion message. */

describe("changing a live stack with `pulumi up` on the real controllers (mariadb, writes flowing)", function () {
    this.timeout(30 * 60_000);
    const suite = engineSuite();
    const b = suite.bed;
    const w = suite.watch;
    /** Rows whose INSERT was acknowledged, and rows whose INSERT failed (their commit unknown), by note. */
    const acknowledged = new Set<string>();
    const unknown = new Set<string>();
    let written = 0;
    /** Why the last write that failed failed. */
    let lastWriteError = "";

    const sql = (ordinal: number, statement: string): Promise<string> => b().sql(`mysql-${ordinal}`, statement);
    const set = async (key: string, ...value: string[]): Promise<void> => {
        await b().pulumiOk(["config", "set", ...value.slice(0, -1), key, value[value.length - 1]]);
    };

    /** Inserts one row on mysql-0; true if acknowledged. */
    const write = async (note: string): Promise<boolean> => {
        try {
            await sql(0, `INSERT INTO shop.day2 (note) VALUES ('${note}');`);
            acknowledged.add(note);
            return true;
        } catch (e) {
            unknown.add(note);
            lastWriteError = (e as Error).message;
            return false;
        }
    };

    /** Writes one row to the primary every 100 ms until stopped (a failed write, the primary restarting, is counted). */
    function writeWhile(): { stop: () => Promise<{ written: number; failed: number }> } {
        let running = true;
        let ok = 0;
        let failed = 0;
        const loop = (async () => {
            while (running) {
                if (await write(`during-${++written}`)) ok++;
                else failed++;
                await sleep(100);
            }
        })();
        return {
            stop: async () => {
                running = false;
                await loop;
                return { written: ok, failed };
            },
        };
    }

    /**
     * Waits (up to 2 minutes) until the pods have one row count and one CHECKSUM TABLE of shop.day2, then asserts
     * them equal, and that mysql-0 has every acknowledged row and no row that was never written.
     */
    const assertConverged = async (ordinals: number[]): Promise<void> => {
        const state = (o: number) => sql(o, "SELECT COUNT(*) FROM shop.day2; CHECKSUM TABLE shop.day2;").then((s) => s.trim());
        let states: string[] = [];
        await waitFor(
            async () => {
                states = await Promise.all(ordinals.map((o) => state(o).catch((e: Error) => e.message.split("\n")[0])));
                return states.every((s) => s === states[0]) && /^\d+\n/.test(states[0]);
            },
            { timeoutMs: 120_000, everyMs: 500, what: () => `one row count and one checksum on every pod: ${JSON.stringify(states)}` },
        );
        assert.deepStrictEqual(
            states,
            ordinals.map(() => states[0]),
            "row counts and CHECKSUM TABLE of shop.day2 per pod",
        );
        const notes = new Set((await sql(0, "SELECT note FROM shop.day2;")).trim().split("\n"));
        assert.deepStrictEqual(
            [...acknowledged].filter((n) => !notes.has(n)),
            [],
            "every acknowledged row is on the primary",
        );
        assert.deepStrictEqual(
            [...notes].filter((n) => !acknowledged.has(n) && !unknown.has(n)),
            [],
            "no row that was never written",
        );
        assert.strictEqual(Number(states[0].split("\n")[0]), notes.size);
    };

    const pods = async (): Promise<ApiPod[]> => [...(await b().pods()).values()].filter((p) => /^mysql-\d+$/.test(p.metadata.name));
    /** `pulumi up` that must succeed and leave exactly `replicas` pods Ready, on the update revision. */
    const up = async (replicas: number): Promise<CommandResult> => {
        const r = await b().pulumi(["up", "--yes", "--skip-preview"]);
        assert.strictEqual(r.code, 0, `pulumi up failed: ${said(r)}`);
        await b().waitForRollout(replicas);
        return r;
    };
    /** The pods whose deletion began since `mark`, in order. */
    const deletions = (mark: number): string[] =>
        w()
            .since(mark, "deleting")
            .map((c) => c.pod);
    const maxConnections = async (): Promise<string[]> =>
        Promise.all([0, 1, 2].map(async (o) => (await sql(o, "SELECT @@max_connections;")).trim()));

    before(async function () {
        await suite.start(this, {
            stack: STACK,
            nfsDirs: PATHS,
            subnetIndex: 18,
            stackConfig: stackConfig({
                nfsPaths: PATHS,
                // Short bounds: `pulumi up` of the halted rollout (case u) gives up after 3 × (15 + 10 + 30) s.
                startupTimeoutSeconds: 30,
                terminationGracePeriodSeconds: 15,
            }),
        });
        for (const [key, value] of Object.entries(PASSWORDS)) await set(key, "--secret", value);
        const r = await up(3);
        console.log(`      (first pulumi up: ${(r.ms / 1000).toFixed(1)} s)`);
        await sql(0, "CREATE TABLE shop.day2 (id INT AUTO_INCREMENT PRIMARY KEY, note VARCHAR(40) NOT NULL UNIQUE);");
        await suite.startWatch();
    });

    it("t. a mysqldOptions change rolls every pod, the highest first and the primary last, while writes go on", async () => {
        const generation = (await b().statefulSet()).metadata.generation;
        const mark = w().mark();
        const writes = writeWhile();
        await b().pulumiOk(["config", "set", "--path", "mysqldOptions[2]", "max_connections=222"]);
        const r = await up(3).catch(async (e: Error) => {
            await writes.stop();
            throw e;
        });
        const { written: during } = await writes.stop();
        console.log(`      (pulumi up of the rolling restart: ${(r.ms / 1000).toFixed(1)} s, ${during} rows written meanwhile)`);
        const sts = await b().statefulSet();
        assert.strictEqual(sts.metadata.generation, generation + 1, "the StatefulSet was updated once");
        assert.strictEqual(sts.status.currentRevision, sts.status.updateRevision, "the rollout completed");
        assert.deepStrictEqual(deletions(mark), ["mysql-2", "mysql-1", "mysql-0"]);
        assert.deepStrictEqual(await maxConnections(), ["222", "222", "222"], "every pod runs the new my.cnf");
        assert.ok(during > 10, `rows were written during the rollout: ${during}`);
        await assertConverged([0, 1, 2]);
    });

    it("u. a bad option halts the rollout at mysql-2 while mysql-0 and mysql-1 serve; the fixed setting, `pulumi up` and the stuck pod deleted finish it", async () => {
        const mark = w().mark();
        const good = (await b().statefulSet()).status.currentRevision;
        await b().pulumiOk(["config", "set", "--path", "mysqldOptions[3]", "no_such_option=1"]);
        const failing = b().pulumi(["up", "--yes", "--skip-preview"]);
        // The controller deleted mysql-2 and made it again on the new revision, where mariadbd refuses to start.
        const container = (p: ApiPod | undefined) => p?.status?.containerStatuses?.find((c) => c.name === CONTAINERS.mysql);
        await waitFor(async () => (container((await b().pods()).get("mysql-2"))?.restartCount ?? 0) >= 2, {
            timeoutMs: 300_000,
            everyMs: 1000,
            what: "mysql-2 to restart its mysql container twice on the bad option",
        });
        const halted = await b().pods();
        const bad = (await b().statefulSet()).status.updateRevision;
        assert.notStrictEqual(bad, good);
        assert.strictEqual(halted.get("mysql-2")?.metadata.labels?.["controller-revision-hash"], bad);
        assert.ok(!isReady(halted.get("mysql-2")), "mysql-2 is not Ready");
        for (const p of ["mysql-0", "mysql-1"]) {
            assert.ok(isReady(halted.get(p)), `${p} keeps serving`);
            assert.strictEqual(halted.get(p)?.metadata.labels?.["controller-revision-hash"], good, `${p} keeps its revision`);
        }
        assert.ok(await write("halted"), `mysql-0 takes writes during the halted rollout: ${lastWriteError}`);
        await assertConverged([0, 1]);
        const r = await failing;
        if (r.code === 0) {
            // The provider's race (see EngineBed.rolledOut): it read the status before the controller saw the update.
            console.log(`      (pulumi up reported success after ${(r.ms / 1000).toFixed(1)} s: pulumi/pulumi-kubernetes#3329)`);
        } else {
            // Otherwise it gives up after the component's customTimeouts and says where the rollout stands.
            console.log(`      (pulumi up failed after ${(r.ms / 1000).toFixed(1)} s, as it should)`);
            assert.ok(
                (r.stdout + r.stderr).includes(`StatefulSet controller failed to advance from revision "${good}" to revision "${bad}"`),
                said(r),
            );
            assert.match(r.stdout + r.stderr, /\[Pod mysql-2\]: containers with unready status: \[mysql\]/, said(r));
        }
        assert.deepStrictEqual(deletions(mark), ["mysql-2"], "the controller deleted no other pod");
        assert.ok(!(await b().rolledOut(3)), "the rollout is halted");

        // docs/operations.md, "Changing a live stack": fix the setting, run `pulumi up` again, and delete the stuck pod (the
        // controller waits for it even after the template is fixed: Kubernetes' forced rollback).
        await b().pulumiOk(["config", "rm", "--path", "mysqldOptions[3]"]);
        await b().pulumiOk(["config", "set", "--path", "mysqldOptions[2]", "max_connections=333"]);
        const fixing = b().pulumi(["up", "--yes", "--skip-preview"]);
        await waitFor(async () => ![good, bad].includes((await b().statefulSet()).status.updateRevision), {
            timeoutMs: 300_000,
            everyMs: 1000,
            what: "the fixed template to reach the StatefulSet",
        });
        await b().kubectl("delete", "pod", "mysql-2", "--wait=false");
        const fixed = await fixing;
        assert.strictEqual(fixed.code, 0, said(fixed));
        await b().waitForRollout(3, { what: "the fixed rollout" });
        assert.deepStrictEqual(await maxConnections(), ["333", "333", "333"]);
        await assertConverged([0, 1, 2]);
    });

    it("v. scaled 3→2→3→5→3 by `pulumi up`: no volume changes, a returning pod keeps its data, new ones clone, and every running pod converges", async () => {
        type Pv = { metadata: { name: string; uid: string }; spec: Record<string, unknown> & { claimRef?: Record<string, unknown> } };
        // The volumes as the program made them: the binder's claimRef uid and resourceVersion left out.
        const volumes = async (): Promise<string> =>
            JSON.stringify(
                (JSON.parse(await b().kubectl("get", "pv", "-o", "json")) as { items: Pv[] }).items.map((pv) => ({
                    name: pv.metadata.name,
                    uid: pv.metadata.uid,
                    spec: { ...pv.spec, claimRef: { namespace: pv.spec.claimRef?.namespace, name: pv.spec.claimRef?.name } },
                })),
            );
        const first = await volumes();
        // Ordinals that ran before: a pod of one that comes back finds its claim and keeps its data (no clone).
        const ran = new Set([0, 1, 2]);
        let running = 3;
        for (const [step, replicas] of [2, 3, 5, 3].entries()) {
            await set("replicas", String(replicas));
            const r = await up(replicas);
            assert.doesNotMatch(r.stdout, /PersistentVolume\s.*\b(updat|replac|creat|delet)/, `replicas=${replicas}: ${said(r)}`);
            assert.strictEqual(await volumes(), first, `the volumes after replicas=${replicas} are the ones deployed`);
            for (let o = running; o < replicas; o++) {
                const clone = await b().kubectl("logs", `mysql-${o}`, "-c", CONTAINERS.clone);
                if (ran.has(o)) {
                    assert.match(clone, /data directory already holds a database: keeping it/, `mysql-${o} returns on its own data`);
                    const init = await b().kubectl("logs", `mysql-${o}`, "-c", CONTAINERS.init);
                    assert.match(init, new RegExp(`data identity checked: cluster default/mysql uid \\S+ ordinal ${o}, mariadb 10\\.11\n`));
                } else {
                    assert.match(clone, /cloning from mysql-\d\./, `the new mysql-${o} clones`);
                }
                ran.add(o);
            }
            running = replicas;
            assert.ok(await write(`step ${step}: replicas=${replicas}`), lastWriteError);
            await assertConverged([...Array(replicas).keys()]);
        }
    });

    it("w. passwords rotated under writes: the servers take them, replication goes on, no pod leaves Ready, no probe fails, restarted pods log in", async () => {
        const generation = (await b().statefulSet()).metadata.generation;
        const before = (await pods()).map((p) => `${p.metadata.name}:${p.metadata.uid}`).sort();
        const restarts = async () =>
            (await pods())
                .flatMap((p) => (p.status?.containerStatuses ?? []).map((c) => `${p.metadata.name}/${c.name}:${c.restartCount}`))
                .sort();
        const restartsBefore = await restarts();
        const mark = w().mark();
        const writes = writeWhile();
        for (const [key, value] of Object.entries(ROTATED)) await set(key, "--secret", value);
        const r = await up(3).catch(async (e: Error) => {
            await writes.stop();
            throw e;
        });
        assert.strictEqual((await b().statefulSet()).metadata.generation, generation, "a password is no change of the pod template");
        // mysql-0 changes them a minute (ROTATION_GRACE) after it saw them; every pod then switches its files.
        const logs = (o: number) => b().kubectl("logs", `mysql-${o}`, "-c", CONTAINERS.sidecar);
        const rotated = async (o: number): Promise<boolean> => {
            const text = await logs(o).catch(() => "");
            return ["root-password", "replication-password", "backup-password"].every((key) => text.includes(`rotated ${key}`));
        };
        // On a timeout, the writes stop first; the assertion below then shows the sidecars' logs.
        await waitFor(async () => (await Promise.all([0, 1, 2].map(rotated))).every(Boolean), {
            timeoutMs: 150_000,
            everyMs: 2000,
            what: "the rotations",
        }).catch(() => undefined);
        const { written: during } = await writes.stop();
        const all = await Promise.all([0, 1, 2].map(rotated));
        assert.ok(all.every(Boolean), (await Promise.all([0, 1, 2].map(async (o) => (await logs(o)).slice(-600)))).join("\n---\n"));
        assert.doesNotMatch(r.stdout, /StatefulSet\s.*\b(updat|replac)/, said(r));
        // No pod lost Ready or was deleted; no probe of any kind failed, not even once below its failureThreshold
        // (the node agent reports each failure as an Unhealthy Event), and no container was killed or restarted.
        assert.deepStrictEqual(w().since(mark, "notReady"), [], "no pod left Ready during the rotation");
        assert.deepStrictEqual(w().since(mark, "deleting"), [], "no pod was deleted");
        assert.deepStrictEqual(
            w()
                .since(mark, "event")
                .filter(
                    (e) => /^mysql-\d+$/.test(e.pod) && ["Unhealthy", "Killing", "BackOff", "Created", "Started"].includes(e.reason ?? ""),
                ),
            [],
            "no probe failed during the rotation",
        );
        assert.deepStrictEqual((await pods()).map((p) => `${p.metadata.name}:${p.metadata.uid}`).sort(), before);
        assert.deepStrictEqual(await restarts(), restartsBefore);
        assert.ok(during > 10, `rows were written during the rotation: ${during}`);
        // Replication reconnects with the new password; the old root password is refused.
        for (const ordinal of [1, 2]) await sql(ordinal, "STOP SLAVE IO_THREAD; START SLAVE IO_THREAD;");
        await assertConverged([0, 1, 2]);
        const old = await b().kubectlRun(
            "exec",
            "mysql-0",
            "-c",
            CONTAINERS.mysql,
            "--",
            "mariadb",
            "--host=127.0.0.1",
            "--user=root",
            `--password=${PASSWORDS.rootPassword}`,
            "-e",
            "SELECT 1",
        );
        assert.notStrictEqual(old.code, 0, "the old root password no longer logs in");
        assert.match(old.stderr, /Access denied for user 'root'/);
        // A pod that restarts now gets the new passwords from the Secret, and logs in and replicates.
        await b().kubectl("delete", "pod", "mysql-2", "--wait=true", "--timeout=120s");
        await b().waitForRollout(3, { what: "mysql-2 Ready again" });
        assert.ok(await write("after rotation"), lastWriteError);
        await assertConverged([0, 1, 2]);
    });

    it("x. `bootstrap: parallel`: the StatefulSet is replaced with an orphaning delete, its pods adopted and rolled one by one, while writes go on", async () => {
        const before = JSON.parse(await b().kubectl("get", "statefulset", "mysql", "-o", "json")) as { metadata: { uid: string } };
        const mark = w().mark();
        const writes = writeWhile();
        await set("bootstrap", "parallel");
        const r = await up(3).catch(async (e: Error) => {
            await writes.stop();
            throw e;
        });
        const { written: during } = await writes.stop();
        assert.match(r.stdout, /StatefulSet\s+mysql-statefulset\s+replaced/, said(r));
        const after = JSON.parse(await b().kubectl("get", "statefulset", "mysql", "-o", "json")) as {
            metadata: { uid: string };
            spec: { podManagementPolicy: string };
        };
        assert.notStrictEqual(after.metadata.uid, before.metadata.uid, "a new StatefulSet");
        assert.strictEqual(after.spec.podManagementPolicy, "Parallel");
        // The orphaning delete took no pod down; the new StatefulSet rolled them, each after the one above was Ready.
        assert.deepStrictEqual(
            w()
                .since(mark, "deleting")
                .map((c) => [c.pod, c.othersDown]),
            [
                ["mysql-2", []],
                ["mysql-1", []],
                ["mysql-0", []],
            ],
            "one pod at a time, the highest first, each while the others served",
        );
        assert.ok(during > 10, `rows were written during the replacement: ${during}`);
        await assertConverged([0, 1, 2]);
    });
});
