// Volumes on three NFS servers, and one of them lost (issue #22, "Volumes on more than one NFS server"), on the
// real engine and controllers: `nfsServers` puts ordinal i's volume on server i (the same path on each, three
// directories), each server a stand-in of its own (a root directory the node agent mounts from). Then mysql-1's
// server goes (its root removed, the pod deleted): its pod cannot mount (FailedMount) while mysql-0 takes writes
// and mysql-2 serves every read; a new, empty server comes up under the same name, and mysql-1 clones from
// mysql-0 and catches up (the same rows and CHECKSUM TABLE as the primary). mysql-0 and mysql-2 never restart.
//
// Root only, as the node agent. Run it alone:
//   flock /tmp/real-suite.lock npx mocha --exit --no-config --require ts-node/register/transpile-only \
//       --timeout 1800000 tests/engine/nfsServers.test.ts
import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { CONTAINERS } from "../../components";
import { ApiPod, engineSuite, isReady, said, stackConfig, waitConverged } from "./harness";
import { waitFor } from "../fake-kubelet/util";

const SERVERS = ["nfs-a.local", "nfs-b.local", "nfs-c.local"];
/** One path, on every server: three directories, one per server. */
const EXPORT = "/exports/mysql";
const PODS = ["mysql-0", "mysql-1", "mysql-2"];

interface ApiPersistentVolume {
    metadata: { name: string };
    spec: { nfs?: { server: string; path: string }; claimRef?: { name: string } };
}

describe("volumes on three NFS servers, one of them lost (mariadb, nfsServers)", function () {
    this.timeout(30 * 60_000);
    const suite = engineSuite();
    const b = suite.bed;
    const w = suite.watch;
    const sql = (ordinal: number, statement: string): Promise<string> => b().sql(`mysql-${ordinal}`, statement);
    /** A pod's data directory on its server's stand-in root. */
    const dataDir = (ordinal: number): string => path.join(b().nfsServerRoot(SERVERS[ordinal]), EXPORT, "mysql");
    const state = async (ordinal: number): Promise<string> =>
        (await sql(ordinal, "SELECT COUNT(*) FROM shop.orders; CHECKSUM TABLE shop.orders;")).trim();

    /** Waits until every ordinal has `rows` rows and the primary's checksum; the common state. */
    async function converged(ordinals: number[], rows: number): Promise<string> {
        const states = await waitConverged(state, ordinals, rows, `${rows} rows and one state on ${ordinals.join(", ")}`);
        return states[0];
    }

    before(async function () {
        await suite.start(this, {
            stack: "servers",
            nfsDirs: [],
            nfsServers: Object.fromEntries(SERVERS.map((s) => [s, [EXPORT]])),
            subnetIndex: 25,
            // nfsServer stays the backup volume's server; no backups here, so nothing is on it.
            stackConfig: stackConfig({
                nfsServers: SERVERS,
                nfsPaths: [EXPORT, EXPORT, EXPORT],
                terminationGracePeriodSeconds: 15,
            }),
        });
        await suite.startWatch();
    });

    let uids: Record<string, string> = {};
    let pods = new Map<string, ApiPod>();

    it("puts ordinal i's volume on server i, the same path on each: three data directories, one per server", async () => {
        const r = await b().pulumi(["up", "--yes", "--skip-preview"]);
        assert.strictEqual(r.code, 0, `pulumi up failed: ${said(r)}`);
        console.log(`      (pulumi up: ${(r.ms / 1000).toFixed(1)} s)`);
        await waitFor(
            async () => {
                pods = await b().pods();
                return PODS.every((p) => isReady(pods.get(p)));
            },
            {
                timeoutMs: 600_000,
                everyMs: 1000,
                what: "3 Ready pods",
            },
        );
        const pvs = JSON.parse(await b().kubectl("get", "persistentvolumes", "-o", "json")) as { items: ApiPersistentVolume[] };
        assert.deepStrictEqual(
            pvs.items.map((pv) => [pv.spec.claimRef?.name, pv.spec.nfs?.server, pv.spec.nfs?.path]).sort(),
            SERVERS.map((server, ordinal) => [`data-mysql-${ordinal}`, server, EXPORT]),
        );
        for (const ordinal of [0, 1, 2]) {
            assert.ok(fs.existsSync(path.join(dataDir(ordinal), "ibdata1")), `mysql-${ordinal}'s data is on ${SERVERS[ordinal]}`);
        }
        assert.deepStrictEqual(fs.readdirSync(b().nfsRoot), [], "nothing on nfsServer (no backup volume)");

        await sql(0, "CREATE TABLE shop.orders (id INT AUTO_INCREMENT PRIMARY KEY, note VARCHAR(64) NOT NULL);");
        await sql(0, "INSERT INTO shop.orders (note) SELECT CONCAT('before-', seq) FROM shop.seq_1_to_1000;");
        await converged([0, 1, 2], 1000);
        uids = Object.fromEntries([...pods].map(([name, p]) => [name, p.metadata.uid]));
    });

    it("one server lost: its pod cannot mount while mysql-0 takes writes and mysql-2 serves reads; an empty server in its place, the pod clones and catches up", async () => {
        const root = b().nfsServerRoot(SERVERS[1]);
        const mark = w().mark();
        // The server goes: its exports with it. The pod on it is deleted (its node's kubelet would find its mount
        // hung; an operator deletes it, or it is evicted).
        fs.rmSync(root, { recursive: true, force: true });
        const deleted = await b().kubectlRun("delete", "pod", "mysql-1", "--wait=true", "--timeout=120s");
        assert.strictEqual(deleted.code, 0, said(deleted));

        // Reads on mysql-2 in a loop during the outage, each must answer with the rows mysql-0 has by then.
        const reads = { ok: 0, failed: [] as string[] };
        let reading = true;
        const reader = (async () => {
            while (reading) {
                await sql(2, "SELECT COUNT(*) FROM shop.orders;")
                    .then(() => reads.ok++)
                    .catch((e: Error) => reads.failed.push(e.message.split("\n")[0]));
                await new Promise((r) => setTimeout(r, 500));
            }
        })();

        await waitFor(
            () =>
                w()
                    .since(mark, "event")
                    .some((c) => c.pod === "mysql-1" && c.reason === "FailedMount" && /Connection timed out/.test(c.message ?? "")),
            { timeoutMs: 120_000, everyMs: 500, what: "a FailedMount event of the new mysql-1: its server does not answer" },
        );
        const failedMount = w()
            .since(mark, "event")
            .find((c) => c.pod === "mysql-1" && c.reason === "FailedMount");
        console.log(`      (${failedMount?.message})`);
        // Writes go on on the primary; mysql-2 has each of them.
        await sql(0, "INSERT INTO shop.orders (note) SELECT CONCAT('outage-', seq) FROM shop.seq_1_to_500;");
        await converged([0, 2], 1500);
        const waiting = (await b().pods()).get("mysql-1");
        assert.strictEqual(waiting?.status?.phase, "Pending", "mysql-1 waits for its volume while its server is gone");
        assert.ok(!isReady(waiting), "mysql-1 is not Ready");

        // A new server under the same name, with the export empty: mysql-1's volume is an empty directory.
        fs.mkdirSync(path.join(root, EXPORT), { recursive: true });
        const replaced = Date.now();
        await waitFor(async () => isReady((await b().pods()).get("mysql-1")), {
            timeoutMs: 600_000,
            everyMs: 1000,
            what: "mysql-1 Ready again on the new server",
        });
        const cloneMs = Date.now() - replaced;
        reading = false;
        await reader;
        console.log(
            `      (mysql-1 Ready ${(cloneMs / 1000).toFixed(1)} s after the new server came up; ${reads.ok} reads on mysql-2 meanwhile)`,
        );
        assert.deepStrictEqual(reads.failed, [], "every read on mysql-2 during the outage answered");
        assert.ok(reads.ok > 0, "reads on mysql-2 during the outage");

        const clone = await b().kubectl("logs", "mysql-1", "-c", CONTAINERS.clone);
        assert.match(clone, /clone from mysql-0\.mysql\.default\.svc\.cluster\.local complete/);
        assert.ok(fs.existsSync(path.join(dataDir(1), "ibdata1")), "mysql-1's new data is on the new server");

        await sql(0, "INSERT INTO shop.orders (note) SELECT CONCAT('after-', seq) FROM shop.seq_1_to_250;");
        await converged([0, 1, 2], 1750);
        const primary = await state(0);
        assert.strictEqual(await state(1), primary, "mysql-1 has the primary's rows and checksum");

        // Only mysql-1 was replaced; the pods on the other servers never restarted.
        const now = await b().pods();
        for (const p of ["mysql-0", "mysql-2"]) {
            assert.strictEqual(now.get(p)?.metadata.uid, uids[p], `${p} is the same pod`);
            assert.deepStrictEqual(
                now.get(p)?.status?.containerStatuses?.map((c) => c.restartCount),
                now.get(p)?.status?.containerStatuses?.map(() => 0),
                `${p}'s containers never restarted`,
            );
        }
        assert.deepStrictEqual(
            w()
                .since(mark, "deleting")
                .map((c) => c.pod),
            ["mysql-1"],
            "no other pod was deleted",
        );
    });
});
