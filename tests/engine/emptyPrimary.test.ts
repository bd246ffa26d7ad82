// mysql-0 never starts an empty primary over replicas that hold the data (issue #22), on the real engine and
// controllers: a running 3-pod cluster with rows; mysql-0's export emptied (its server replaced, its directory
// wiped; here its contents moved aside) and its pod deleted. mysql-0 must not become Ready with an empty
// database: init-mysql finds the replicas' servers through the peer Service and refuses, its status record
// (phase=refused, the peers, the fixes) in `lastState.terminated.message`, nothing written to the export; the
// replicas keep their rows. Then the documented recovery (docs/troubleshooting.md): mysql-0's data back on its
// export and its pod deleted; it starts on its data, the replicas replicate from it again, and every pod ends
// with the same rows and CHECKSUM TABLE.
//
// Root only, as the node agent. Run it alone:
//   flock /tmp/real-suite.lock npx mocha --exit --no-config --require ts-node/register/transpile-only \
//       --timeout 1800000 tests/engine/emptyPrimary.test.ts
import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { CONTAINERS } from "../../components";
import { parseStatus } from "../../components/podStatus";
import { command, engineSuite, isReady, REPO, said, stackConfig, waitConverged } from "./harness";
import { waitFor } from "../fake-kubelet/util";

const PATHS = ["/exports/empty-primary/v0", "/exports/empty-primary/v1", "/exports/empty-primary/v2"];
const PODS = ["mysql-0", "mysql-1", "mysql-2"];

/** The init container statuses as the API gives them, with the fields read here. */
interface InitStatus {
    name: string;
    restartCount: number;
    state?: { terminated?: { message?: string }; waiting?: { reason?: string } };
    lastState?: { terminated?: { exitCode?: number; message?: string } };
}

describe("mysql-0 on an empty export while the replicas hold the data: refused, then recovered (mariadb, issue #22)", function () {
    this.timeout(30 * 60_000);
    const suite = engineSuite();
    const b = suite.bed;
    const sql = (ordinal: number, statement: string): Promise<string> => b().sql(`mysql-${ordinal}`, statement);
    const exportDir = (ordinal: number): string => path.join(b().nfsRoot, PATHS[ordinal]);
    const state = async (ordinal: number): Promise<string> =>
        (await sql(ordinal, "SELECT COUNT(*) FROM shop.orders; CHECKSUM TABLE shop.orders;")).trim();
    const converged = async (ordinals: number[], rows: number): Promise<string> =>
        (await waitConverged(state, ordinals, rows, `${rows} rows and one state on ${ordinals.join(", ")}`))[0];
    const initStatus = async (): Promise<InitStatus | undefined> =>
        ((await b().pods()).get("mysql-0")?.status?.initContainerStatuses as InitStatus[] | undefined)?.find(
            (s) => s.name === CONTAINERS.init,
        );

    before(async function () {
        await suite.start(this, {
            stack: "emptyprimary",
            nfsDirs: PATHS,
            subnetIndex: 27,
            stackConfig: stackConfig({ nfsPaths: PATHS, terminationGracePeriodSeconds: 15 }),
        });
    });

    let before1000 = "";

    it("a new cluster starts as before: mysql-0's guard finds no other server and initialises its data directory", async () => {
        const r = await b().pulumi(["up", "--yes", "--skip-preview"]);
        assert.strictEqual(r.code, 0, `pulumi up failed: ${said(r)}`);
        console.log(`      (pulumi up: ${(r.ms / 1000).toFixed(1)} s)`);
        const init = await b().kubectl("logs", "mysql-0", "-c", CONTAINERS.init);
        // One lookup, and a connection to each address refused at once (mysql-0's own, if the peer Service lists
        // it yet: its server does not run during init). An address that timed out would have refused the start
        // (the unit tests), so this line is also the proof that no connection waited for its timeout.
        const guard =
            /^\S+ empty data directory: no other pod's server answers \((\d+) address\(es\) behind mysql-peers\.default\.svc\.cluster\.local\): a new cluster$/m.exec(
                init,
            );
        assert.ok(guard, init);
        assert.match(init.slice(guard.index), /^\S+ new volume: recording it/m);
        console.log(`      (the guard on the new cluster: ${guard[1]} address(es) tried, each refused)`);

        await sql(0, "CREATE TABLE shop.orders (id INT AUTO_INCREMENT PRIMARY KEY, note VARCHAR(64) NOT NULL);");
        await sql(0, "INSERT INTO shop.orders (note) SELECT CONCAT('before-', seq) FROM shop.seq_1_to_1000;");
        before1000 = await converged([0, 1, 2], 1000);
    });

    it("mysql-0's export emptied and its pod deleted: it refuses to initialise, the replicas keep and serve the rows", async () => {
        // The export's contents go aside (what a replaced NFS server loses): the old server keeps writing into the
        // directory it has open, moved, and shuts down cleanly there when the pod is deleted.
        const saved = `${exportDir(0)}.saved`;
        fs.renameSync(exportDir(0), saved);
        fs.mkdirSync(exportDir(0));
        const deleted = await b().kubectlRun("delete", "pod", "mysql-0", "--wait=true", "--timeout=120s");
        assert.strictEqual(deleted.code, 0, said(deleted));

        const started = Date.now();
        let refused: InitStatus | undefined;
        await waitFor(
            async () => {
                const status = await initStatus();
                const message = status?.lastState?.terminated?.message ?? status?.state?.terminated?.message;
                if (parseStatus(message)?.phase === "refused") refused = status;
                return refused !== undefined;
            },
            { timeoutMs: 300_000, everyMs: 1000, what: "mysql-0's init-mysql to refuse" },
        );
        console.log(`      (refused ${((Date.now() - started) / 1000).toFixed(1)} s after the pod was deleted)`);
        const message = refused?.lastState?.terminated?.message ?? refused?.state?.terminated?.message;
        const record = parseStatus(message);
        const pods = await b().pods();
        const replicaIps = [1, 2].map((o) => pods.get(`mysql-${o}`)?.status?.podIP).sort();
        assert.deepStrictEqual(record?.peers?.split(",").sort(), replicaIps, "the refusal names both replicas' addresses");
        assert.match(
            record?.error ?? "",
            /^mysql-0's data directory is empty, but the server of 2 other pod\(s\) of this StatefulSet answers on port 3306/,
        );
        assert.match(record?.error ?? "", /The data directory was NOT initialised/);
        // The log of its last run (read while it waits to be retried, not while a retry has just begun).
        await waitFor(
            async () => /REFUSED: mysql-0's data directory is empty/.test(await b().kubectl("logs", "mysql-0", "-c", CONTAINERS.init)),
            {
                timeoutMs: 60_000,
                everyMs: 500,
                what: "init-mysql's log to say REFUSED",
            },
        );

        // npm run diagnose, with its own kubectl calls (a child process: it runs kubectl synchronously), says so.
        const diagnosis = await command(
            process.execPath,
            [
                "--require",
                "ts-node/register/transpile-only",
                "scripts/diagnose.ts",
                "--config-file",
                path.join(b().programDir, "Pulumi.emptyprimary.yaml"),
                "--pod",
                "mysql-0",
            ],
            { cwd: REPO, env: b().env, timeoutMs: 300_000 },
        );
        assert.strictEqual(diagnosis.code, 2, `diagnose exited ${diagnosis.code}:\n${diagnosis.stdout}${diagnosis.stderr}`);
        assert.match(
            diagnosis.stdout.split("== Verdicts\n")[1] ?? "",
            /^mysql-0 +empty primary refused: init-mysql (restarted \d+ times?|failed) \([A-Za-z]+\): mysql-0's data directory is empty, but the server of 2 other pod\(s\)/m,
            diagnosis.stdout,
        );

        // Still refused a while later (each retry asks again), never Ready, and nothing on the export.
        await new Promise((r) => setTimeout(r, 15_000));
        const later = (await b().pods()).get("mysql-0");
        assert.ok(!isReady(later), "mysql-0 is not Ready");
        assert.deepStrictEqual(
            later?.status?.containerStatuses?.map((c) => c.restartCount),
            later?.status?.containerStatuses?.map(() => 0),
            "the server never started",
        );
        assert.deepStrictEqual(fs.readdirSync(exportDir(0)), [], "nothing written to mysql-0's empty export");
        // The replicas hold and serve the rows.
        assert.strictEqual(await state(1), before1000);
        assert.strictEqual(await state(2), before1000);
    });

    it("recovery: mysql-0's data back on its export and its pod deleted: every pod ends with the same rows and checksum", async () => {
        fs.rmdirSync(exportDir(0));
        fs.renameSync(`${exportDir(0)}.saved`, exportDir(0));
        const deleted = await b().kubectlRun("delete", "pod", "mysql-0", "--wait=true", "--timeout=120s");
        assert.strictEqual(deleted.code, 0, said(deleted));
        await waitFor(
            async () => {
                const pods = await b().pods();
                return PODS.every((p) => isReady(pods.get(p)));
            },
            { timeoutMs: 600_000, everyMs: 1000, what: "3 Ready pods after the recovery" },
        );
        assert.match(await b().kubectl("logs", "mysql-0", "-c", CONTAINERS.clone), /data directory already holds a database: keeping it/);
        assert.strictEqual(await state(0), before1000, "mysql-0 has its rows back");
        // The replicas replicate from it again.
        await sql(0, "INSERT INTO shop.orders (note) SELECT CONCAT('after-', seq) FROM shop.seq_1_to_250;");
        const after = await converged([0, 1, 2], 1250);
        for (const ordinal of [1, 2]) assert.strictEqual(await state(ordinal), after, `mysql-${ordinal} equals the primary`);
    });
});
