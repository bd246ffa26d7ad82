// The labels on the real engine (issue #21 item 10, docs/labels.md): a stack deployed by the version before the
// recommended labels (LEGACY_COMMIT, `app: <name>`), upgraded to this one: refused at preview with the setting
// and the fix, kept as it is with `selectorLabels: legacy` (only the guard's state changes, no pod is replaced),
// then moved to the recommended labels by the commands of docs/labels.md, run as written. The mariadb flavor on
// the host's MariaDB 10.11, two pods.
//
// Root only, as the node agent. Run it alone:
//   flock /tmp/real-suite.lock npx mocha --exit --no-config --require ts-node/register/transpile-only \
//       --timeout 1800000 tests/engine/labels.test.ts
import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { command, engineSuite, isReady, KEY, REPO, said } from "./harness";
import { waitFor } from "../fake-kubelet/util";

/** The last commit whose component labels everything `app: <name>` (before `selectorLabels`). */
const LEGACY_COMMIT = "c2a2c8c2b4efa8d88ecb2f20e31b38157976b140";
const STACK = "labels";
const PATHS = [1, 2, 3, 4, 5].map((n) => `/labels/v${n}`);
const RECOMMENDED = {
    "app.kubernetes.io/name": "mysql-statefulset",
    "app.kubernetes.io/instance": "mysql",
    "app.kubernetes.io/component": "database",
};
/** The labels the StatefulSet controller adds to its pods, and the node agent's zone label. */
const CONTROLLER_LABELS = [
    "controller-revision-hash",
    "statefulset.kubernetes.io/pod-name",
    "apps.kubernetes.io/pod-index",
    "topology.kubernetes.io/zone",
];

describe("labels on the real engine: a stack from before the recommended labels, kept and migrated (mariadb, 2 pods)", function () {
    this.timeout(30 * 60_000);
    const suite = engineSuite();
    const b = suite.bed;

    /** mysql-0 and mysql-1: uid, labels (less the controller's) and every container's restart count. */
    const pods = async () => {
        const all = await b().pods();
        return ["mysql-0", "mysql-1"].map((name) => {
            const p = all.get(name);
            const labels = { ...p?.metadata.labels };
            for (const key of CONTROLLER_LABELS) delete labels[key];
            return {
                name,
                uid: p?.metadata.uid,
                ready: isReady(p),
                labels,
                restarts: (p?.status?.containerStatuses ?? []).map((c) => c.restartCount),
            };
        });
    };
    /** Both pods Ready on the StatefulSet's update revision (a Ready pod alone may be the old one: pulumi/pulumi-kubernetes#3329). */
    const allReady = (): Promise<boolean> => b().rolledOut(2);
    const selector = async (): Promise<Record<string, string>> => (await b().statefulSet()).spec.selector.matchLabels;
    /** The row reaches mysql-1, and every row written so far is on both. */
    const replicates = async (rows: number): Promise<void> => {
        await b().sql("mysql-0", `INSERT INTO labels.t VALUES (${rows});`);
        await waitFor(
            async () =>
                (
                    await b()
                        .sql("mysql-1", "SELECT COUNT(*) FROM labels.t;")
                        .catch(() => "")
                ).trim() === String(rows),
            {
                timeoutMs: 300_000,
                everyMs: 1000,
                what: `${rows} rows on mysql-1`,
            },
        );
    };

    before(async function () {
        await suite.start(this, {
            stack: STACK,
            nfsDirs: PATHS,
            subnetIndex: 18,
            programCommit: LEGACY_COMMIT,
            stackConfig: {
                [KEY("flavor")]: "mariadb",
                [KEY("replicas")]: 2,
                [KEY("nfsServer")]: "nfs.local",
                [KEY("nfsPaths")]: PATHS,
                [KEY("cpuRequest")]: "100m",
                [KEY("memoryRequest")]: "200Mi",
            },
        });
    });

    it("the previous version deploys the stack with `app: mysql` on every pod and as the selector", async () => {
        const r = await b().pulumi(["up", "--yes", "--skip-preview"]);
        assert.strictEqual(r.code, 0, said(r));
        await waitFor(allReady, { timeoutMs: 600_000, everyMs: 1000, what: "2 Ready pods" });
        assert.deepStrictEqual(await selector(), { app: "mysql" });
        assert.deepStrictEqual(
            (await pods()).map((p) => p.labels),
            [{ app: "mysql" }, { app: "mysql" }],
        );
        await b().sql("mysql-0", "CREATE DATABASE labels; CREATE TABLE labels.t (id INT PRIMARY KEY);");
        await replicates(1);
    });

    it("upgraded to this version with the default, `pulumi preview` is refused, naming selectorLabels and the fix", async () => {
        await b().useProgram();
        const r = await b().pulumi(["preview"]);
        assert.notStrictEqual(r.code, 0, said(r));
        const text = r.stdout + r.stderr;
        for (const part of [
            '`selectorLabels` would change the pods\' labels and selectors from "legacy" to "recommended" on the deployed cluster',
            'set selectorLabels to "legacy" to keep it as it is, or move it to the recommended labels as docs/labels.md says',
            'add "selectorLabels" to `allowDestructiveChanges`',
        ]) {
            assert.ok(text.includes(part), `${part}\n${said(r)}`);
        }
    });

    it("with `selectorLabels: legacy` the upgrade keeps every selector and label: nothing replaced but content-named ConfigMaps", async () => {
        const podsBefore = await pods();
        await b().pulumiOk(["config", "set", "selectorLabels", "legacy"]);
        const preview = await b().pulumiOk(["preview", "--json"]);
        const steps = (JSON.parse(preview.stdout) as { steps: { op: string; urn: string }[] }).steps
            .filter((s) => s.op !== "same")
            .map((s) => `${s.op} ${s.urn.split("::").pop()}`);
        assert.ok(steps.includes("update mysql-change-guard"), steps.join(", "));
        // What this release changes anyway (its pod scripts: the CHANGELOG's rolling restart) is an update of the
        // StatefulSet and a new content-named ConfigMap, and it adds the peer Service (init-mysql's guard, which
        // selects with the kept labels, below); no selector-bearing object is replaced or touched.
        assert.deepStrictEqual(
            steps.filter(
                (step) => !(step.startsWith("update ") || /^replace mysql-(scripts|config)$/.test(step) || step === "create mysql-peers"),
            ),
            [],
        );
        for (const object of ["mysql-headless", "mysql-read", "mysql-disruption-budget", "mysql-mysql-policy", "mysql-clone-policy"]) {
            assert.ok(!steps.some((step) => step.endsWith(` ${object}`)), `${object}: ${steps.join(", ")}`);
        }
        const r = await b().pulumi(["up", "--yes", "--skip-preview"]);
        assert.strictEqual(r.code, 0, said(r));
        // The controller's rollout (the test bed's provider can report it done early: EngineBed.rolledOut).
        await b().waitForRollout(2, { timeoutMs: 600_000 });
        assert.deepStrictEqual(await selector(), { app: "mysql" });
        assert.deepStrictEqual(JSON.parse(await b().kubectl("get", "service", "mysql-peers", "-o", "jsonpath={.spec.selector}")), {
            app: "mysql",
        });
        assert.deepStrictEqual(
            (await pods()).map((p) => p.labels),
            podsBefore.map((p) => p.labels),
        );
        await replicates(2);
        assert.strictEqual((await b().pulumi(["preview", "--expect-no-changes"])).code, 0);
    });

    it("docs/labels.md's migration, run as written, moves it to the recommended labels with one rolling restart and no data lost", async () => {
        const doc = fs.readFileSync(path.join(REPO, "docs", "labels.md"), "utf8");
        const section = doc.slice(doc.indexOf("## Moving a cluster to the recommended labels"));
        const block = /```sh\n([\s\S]*?)```/.exec(section)?.[1];
        assert.ok(block, "docs/labels.md has the migration's commands");
        const podsBefore = await pods();
        const r = await command("bash", ["-o", "errexit", "-o", "nounset", "-o", "pipefail", "-c", block], {
            env: b().env,
            cwd: b().programDir,
        });
        assert.strictEqual(r.code, 0, said(r));
        await waitFor(allReady, { timeoutMs: 600_000, everyMs: 1000, what: "2 Ready pods" });
        assert.deepStrictEqual(await selector(), RECOMMENDED);
        const podsAfter = await pods();
        // Rolled once onto the new template: new pods, only the recommended labels.
        assert.deepStrictEqual(
            podsAfter.map((p) => [p.labels, p.uid === podsBefore.find((q) => q.name === p.name)?.uid]),
            [
                [{ ...RECOMMENDED, "app.kubernetes.io/managed-by": "pulumi" }, false],
                [{ ...RECOMMENDED, "app.kubernetes.io/managed-by": "pulumi" }, false],
            ],
        );
        // The Services select the new labels and find both pods.
        const endpoints = await b().kubectl(
            "get",
            "endpointslices",
            "-l",
            "kubernetes.io/service-name=mysql",
            "-o",
            "jsonpath={.items[*].endpoints[*].targetRef.name}",
        );
        assert.deepStrictEqual(endpoints.trim().split(/\s+/).sort(), ["mysql-0", "mysql-1"]);
        assert.strictEqual((await b().sql("mysql-0", "SELECT COUNT(*) FROM labels.t;")).trim(), "2");
        await replicates(3);
        // The cleanup the page gives runs as written too.
        const cleanup = /`(kubectl delete controllerrevision[^`]*)`/.exec(doc)?.[1];
        assert.ok(cleanup, "docs/labels.md gives the ControllerRevisions' cleanup");
        const c = await command("bash", ["-c", cleanup], { env: b().env });
        assert.strictEqual(c.code, 0, said(c));
        // Nothing left to do: the guard holds "recommended", and the opt-in was removed.
        const again = await b().pulumi(["up", "--yes", "--skip-preview"]);
        assert.strictEqual(again.code, 0, said(again));
        assert.strictEqual((await b().pulumi(["preview", "--expect-no-changes"])).code, 0);
    });
});
