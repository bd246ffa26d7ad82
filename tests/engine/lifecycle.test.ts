// The real engine over a stack's life (issue #20 item 3, issue #21): the built Pulumi CLI, the kubernetes
// provider and the real control plane with the node agent (tests/engine/harness.ts), the mariadb flavor on the
// host's MariaDB 10.11 (standing in for mariadb:11.4). One stack, each step a case, in order: a fresh `pulumi up`,
// an `up` and a `preview --diff` with nothing to do, a guarded change refused at preview, the changes the
// README calls safe (one `up` each, then every pod's CHECKSUM TABLE matches the primary's), `pulumi destroy` and
// an `up` on the same NFS directories (the README's promise: the retained volumes are taken back, the new
// cluster refuses their data until each `identity` file is removed, then serves it), and no password in plain
// text in the state.
//
// Root only, as the node agent. Run it alone:
//   flock /tmp/real-suite.lock npx mocha --exit --no-config --require ts-node/register/transpile-only \
//       --timeout 1800000 tests/engine/lifecycle.test.ts
import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { CommandResult, engineSuite, KEY, said } from "./harness";
import { waitFor } from "../fake-kubelet/util";

const STACK = "lifecycle";
const PATHS = [1, 2, 3, 4, 5].map((n) => `/lifecycle/v${n}`);
// Passwords set in the stack, so the redeploy after `destroy` has the accounts its retained data holds (README:
// "the data keeps the old cluster's accounts and passwords").
const PASSWORDS = { rootPassword: "root-Lifecycle-1", replicationPassword: "repl-Lifecycle-1", backupPassword: "backup-Lifecycle-1" };
const ROTATED_ROOT = "root-Lifecycle-2";
/** The pods' selector with the recommended labels (selectorLabels' default for a new stack). */
const SELECTOR = {
    "app.kubernetes.io/name": "mysql-statefulset",
    "app.kubernetes.io/instance": "mysql",
    "app.kubernetes.io/component": "database",
};
const POD_SELECTOR = Object.entries(SELECTOR)
    .map(([k, v]) => `${k}=${v}`)
    .join(",");

/** What a failed Pulumi run said, for the assertion message. */

describe("the real engine over a stack's life (mariadb, 3 replicas, NFS stand-in)", function () {
    this.timeout(30 * 60_000);
    const suite = engineSuite();
    const b = suite.bed;
    let rows = 0;

    /**
     * The StatefulSet's rollout finished: mysql-0..n-1 Ready on its update revision, no other mysql pod. Ready pods
     * alone are not enough: `pulumi up` can return while the old mysql-0 still serves (pulumi/pulumi-kubernetes#3329).
     */
    const allReady = (n: number): Promise<boolean> => b().rolledOut(n);

    /** A row written on mysql-0 reaches every pod: CHECKSUM TABLE equal on all of them. */
    const replicates = async (n: number): Promise<void> => {
        rows += 1;
        await b().sql("mysql-0", `INSERT INTO lifecycle.t VALUES (${rows}, 'row ${rows}');`);
        const primary = (await b().sql("mysql-0", "CHECKSUM TABLE lifecycle.t;")).trim();
        let last = "";
        await waitFor(
            async () => {
                const sums = await Promise.all(
                    Array.from({ length: n }, (_, i) =>
                        b()
                            .sql(`mysql-${i}`, "CHECKSUM TABLE lifecycle.t;")
                            .then((s) => s.trim())
                            .catch((e: Error) => e.message.split("\n")[0]),
                    ),
                );
                last = sums.join(" | ");
                return sums.every((s) => s === primary);
            },
            { timeoutMs: 300_000, everyMs: 1000, what: () => `every pod's checksum to be ${primary}: ${last}` },
        );
    };

    /** `pulumi up` that must succeed and leave every pod Ready. */
    const up = async (replicas: number): Promise<CommandResult> => {
        const r = await b().pulumi(["up", "--yes", "--skip-preview"]);
        assert.strictEqual(r.code, 0, `pulumi up failed: ${said(r)}`);
        await waitFor(() => allReady(replicas), { timeoutMs: 600_000, everyMs: 1000, what: `${replicas} Ready pods` });
        return r;
    };

    /**
     * Every volume has the capacity and is still bound to its ordinal's claim: the binder's `uid` in its claimRef
     * (which an apply of the component's bare `{namespace, name}` would conflict with, or wipe if forced), and the
     * claims of all five ordinals (3 and 4 kept by the StatefulSet after the scale-down) Bound to their volumes.
     */
    const volumesStillBound = async (capacity: string): Promise<void> => {
        const pvs = JSON.parse(await b().kubectl("get", "pv", "-o", "json")) as {
            items: { spec: { capacity: { storage: string }; claimRef?: { name: string; uid?: string } }; status: { phase: string } }[];
        };
        const claims = JSON.parse(await b().kubectl("get", "pvc", "-o", "json")) as {
            items: { metadata: { name: string; uid: string }; status: { phase: string } }[];
        };
        const claimUid = new Map(claims.items.map((c) => [c.metadata.name, c.metadata.uid]));
        assert.deepStrictEqual(
            pvs.items.map((pv) => [
                pv.spec.capacity.storage,
                pv.status.phase,
                pv.spec.claimRef?.uid === claimUid.get(pv.spec.claimRef?.name ?? ""),
            ]),
            Array.from({ length: 5 }, () => [capacity, "Bound", true]),
        );
        assert.deepStrictEqual(
            claims.items.map((c) => c.status.phase),
            Array.from({ length: 5 }, () => "Bound"),
        );
    };

    const set = async (key: string, ...value: string[]): Promise<void> => {
        await b().pulumiOk(["config", "set", ...value.slice(0, -1), key, value[value.length - 1]]);
    };

    before(async function () {
        await suite.start(this, {
            stack: STACK,
            nfsDirs: PATHS,
            stackConfig: {
                [KEY("flavor")]: "mariadb",
                [KEY("replicas")]: 3,
                [KEY("nfsServer")]: "nfs.local",
                [KEY("nfsPaths")]: PATHS,
                [KEY("volumeCapacity")]: "20Gi",
                [KEY("volumeAccessModes")]: ["ReadWriteOnce"],
                [KEY("storageRequest")]: "10Gi",
                [KEY("cpuRequest")]: "100m",
                [KEY("memoryRequest")]: "200Mi",
            },
        });
        for (const [key, value] of Object.entries(PASSWORDS)) await set(key, "--secret", value);
    });

    it("`pulumi up` of a fresh stack finishes with every pod Ready and the outputs set", async () => {
        const r = await up(3);
        console.log(`      (first pulumi up: ${(r.ms / 1000).toFixed(1)} s)`);
        const outputs = JSON.parse((await b().pulumiOk(["stack", "output", "--json"])).stdout) as Record<string, unknown>;
        assert.deepStrictEqual(
            {
                primaryHost: outputs.primaryHost,
                primaryFqdn: outputs.primaryFqdn,
                readEndpoint: outputs.readEndpoint,
                port: outputs.port,
                namespace: outputs.namespace,
                tlsSecretName: outputs.tlsSecretName,
            },
            {
                primaryHost: "mysql-0.mysql",
                primaryFqdn: "mysql-0.mysql.default.svc.cluster.local",
                readEndpoint: "mysql-read.default.svc.cluster.local:3306",
                port: 3306,
                namespace: "default",
                tlsSecretName: "mysql-tls",
            },
        );
        assert.match(String(outputs.secretName), /^mysql-credentials/);
        assert.match(String(outputs.caCertificate), /^-----BEGIN CERTIFICATE-----/);
        // A new stack has the recommended labels (docs/labels.md): the StatefulSet selects by name, instance and
        // component, and its pods carry managed-by too.
        const sts = JSON.parse(await b().kubectl("get", "statefulset", "mysql", "-o", "json")) as {
            spec: { selector: { matchLabels: Record<string, string> } };
        };
        assert.deepStrictEqual(sts.spec.selector.matchLabels, SELECTOR);
        for (const pod of ["mysql-0", "mysql-1", "mysql-2"]) {
            const labels = { ...(await b().pods()).get(pod)?.metadata.labels };
            for (const key of [
                "controller-revision-hash",
                "statefulset.kubernetes.io/pod-name",
                "apps.kubernetes.io/pod-index",
                "topology.kubernetes.io/zone",
            ])
                delete labels[key];
            assert.deepStrictEqual(labels, { ...SELECTOR, "app.kubernetes.io/managed-by": "pulumi" }, pod);
        }
        await b().sql("mysql-0", "CREATE DATABASE lifecycle; CREATE TABLE lifecycle.t (id INT PRIMARY KEY, v VARCHAR(64));");
        await replicates(3);
    });

    it("`pulumi up` again reports no changes", async () => {
        const r = await b().pulumi(["up", "--yes", "--skip-preview", "--expect-no-changes"]);
        assert.strictEqual(r.code, 0, said(r));
        assert.doesNotMatch(r.stdout, /\b(created|updated|deleted|replaced)\b/);
    });

    it("`pulumi preview --diff` of the unchanged stack shows no diff", async () => {
        const t0 = Date.now();
        const r = await b().pulumi(["preview", "--diff", "--expect-no-changes"]);
        console.log(`      (pulumi preview --diff: ${((Date.now() - t0) / 1000).toFixed(1)} s)`);
        assert.strictEqual(r.code, 0, said(r));
        assert.doesNotMatch(r.stdout, /^\s*[~+-]{1,2}\s/m);
    });

    it("`pulumi preview` of a guarded change (storageRequest) is refused with the guard's message and changes nothing", async () => {
        const before = (await b().pulumiOk(["stack", "export"])).stdout;
        await set("storageRequest", "5Gi");
        const r = await b().pulumi(["preview", "--diff"]);
        await set("storageRequest", "10Gi");
        assert.notStrictEqual(r.code, 0, said(r));
        assert.ok(
            (r.stdout + r.stderr).includes(
                '`storageRequest` would change the claims\' storage request from "10Gi" to "5Gi" on the deployed cluster',
            ),
            said(r),
        );
        assert.ok((r.stdout + r.stderr).includes('add "storageRequest" to `allowDestructiveChanges`'), said(r));
        assert.strictEqual((await b().pulumiOk(["stack", "export"])).stdout, before);
        assert.strictEqual((await b().pulumi(["preview", "--expect-no-changes"])).code, 0);
    });

    it("`replicas` 3 → 5: two pods are added and replicate", async () => {
        await set("replicas", "5");
        await up(5);
        await replicates(5);
    });

    it("`replicas` 5 → 3: the two highest pods are removed, the rest replicate", async () => {
        await set("replicas", "3");
        await up(3);
        await replicates(3);
    });

    it("`cpuRequest`: a rolling restart, then the cluster replicates", async () => {
        await set("cpuRequest", "150m");
        await up(3);
        const sts = JSON.parse(await b().kubectl("get", "statefulset", "mysql", "-o", "json")) as {
            spec: { template: { spec: { containers: { name: string; resources: { requests: { cpu: string } } }[] } } };
        };
        assert.strictEqual(sts.spec.template.spec.containers.find((c) => c.name === "mysql")?.resources.requests.cpu, "150m");
        await replicates(3);
    });

    it("`mysqldOptions`: a new my.cnf reaches every server, then the cluster replicates", async () => {
        await b().pulumiOk(["config", "set", "--path", "mysqldOptions[0]", "max_connections=77"]);
        await up(3);
        for (const pod of ["mysql-0", "mysql-1", "mysql-2"]) {
            assert.strictEqual((await b().sql(pod, "SELECT @@max_connections;")).trim(), "77", pod);
        }
        await replicates(3);
    });

    it("`volumeCapacity`: the volumes are updated in place, then the cluster replicates", async () => {
        await set("volumeCapacity", "30Gi");
        await up(3);
        await volumesStillBound("30Gi");
        await replicates(3);
    });

    it("`volumeAccessModes`: the volumes are updated in place, then the cluster replicates", async () => {
        await b().pulumiOk(["config", "set", "--path", "volumeAccessModes[1]", "ReadWriteMany"]);
        await up(3);
        const modes = await b().kubectl("get", "pv", "-o", 'jsonpath={range .items[*]}{.spec.accessModes}{"\\n"}{end}');
        assert.deepStrictEqual(new Set(modes.trim().split("\n")), new Set(['["ReadWriteOnce","ReadWriteMany"]']));
        await volumesStillBound("30Gi");
        await replicates(3);
    });

    it("a password rotation (rootPassword, `config set --secret`): the Secret is updated, never deleted, and every pod takes it", async () => {
        const secretName = (await b().pulumiOk(["stack", "output", "secretName"])).stdout.trim();
        const uid = (await b().kubectl("get", "secret", secretName, "-o", "jsonpath={.metadata.uid}")).trim();
        const restarts = async (): Promise<string> =>
            [...(await b().pods()).values()]
                .filter((p) => /^mysql-\d$/.test(p.metadata.name))
                .map((p) => `${p.metadata.name}:${p.metadata.uid}`)
                .sort()
                .join();
        const podsBefore = await restarts();
        await set("rootPassword", "--secret", ROTATED_ROOT);
        const r = await up(3);
        assert.doesNotMatch(r.stdout, /mysql-credentials.*(deleted|replaced)/, said(r));
        const nameAfter = (await b().pulumiOk(["stack", "output", "secretName"])).stdout.trim();
        assert.strictEqual(nameAfter, secretName);
        assert.strictEqual((await b().kubectl("get", "secret", secretName, "-o", "jsonpath={.metadata.uid}")).trim(), uid);
        // Each sidecar rotates root on its own server (mysql-0 runs ALTER USER, which replicates).
        for (const pod of ["mysql-0", "mysql-1", "mysql-2"]) {
            await waitFor(async () => /rotated root-password/.test(await b().kubectl("logs", pod, "-c", "xtrabackup")), {
                timeoutMs: 300_000,
                everyMs: 2000,
                what: `${pod}'s sidecar to log "rotated root-password"`,
            });
        }
        assert.strictEqual(await restarts(), podsBefore, "a pod was re-created by the rotation");
        await replicates(3);
    });

    it("`storageRequest` with its opt-in: the StatefulSet is replaced and adopts the running pods without restarting them", async () => {
        type Sts = {
            metadata: { uid: string };
            spec: { volumeClaimTemplates: { spec: { resources: { requests: { storage: string } } } }[] };
            status: { currentRevision?: string; updateRevision?: string };
        };
        const sts = async (): Promise<Sts> => JSON.parse(await b().kubectl("get", "statefulset", "mysql", "-o", "json")) as Sts;
        /** Each pod: its uid, its owner, every container's restart count and its revision. */
        const pods = async () =>
            Object.fromEntries(
                [...(await b().pods()).values()]
                    .filter((p) => /^mysql-\d$/.test(p.metadata.name))
                    .map((p) => {
                        const raw = p as unknown as { metadata: { ownerReferences?: { uid: string }[] } };
                        return [
                            p.metadata.name,
                            {
                                uid: p.metadata.uid,
                                owner: raw.metadata.ownerReferences?.[0]?.uid,
                                restarts: (p.status?.containerStatuses ?? []).map((c) => c.restartCount),
                                revision: p.metadata.labels?.["controller-revision-hash"],
                            },
                        ];
                    }),
            );
        const before = await sts();
        const podsBefore = await pods();
        await set("storageRequest", "8Gi");
        await b().pulumiOk(["config", "set", "--path", "allowDestructiveChanges[0]", "storageRequest"]);
        const r = await up(3);
        await b().pulumiOk(["config", "rm", "allowDestructiveChanges"]);
        const after = await sts();
        assert.notStrictEqual(after.metadata.uid, before.metadata.uid, `the StatefulSet was not replaced: ${said(r)}`);
        assert.strictEqual(after.spec.volumeClaimTemplates[0].spec.resources.requests.storage, "8Gi");
        assert.strictEqual(after.status.updateRevision, after.status.currentRevision);
        // The same pods (uids), now owned by the new StatefulSet, no container restarted, on their revision.
        const podsAfter = await pods();
        console.log(`      (pods after the replacement: ${JSON.stringify(podsAfter)})`);
        assert.deepStrictEqual(
            podsAfter,
            Object.fromEntries(
                Object.entries(podsBefore).map(([name, p]) => [name, { ...p, owner: after.metadata.uid, restarts: [0, 0] }]),
            ),
        );
        // The claims made before keep their size (README: only new ordinals ask for the new one).
        const sizes = await b().kubectl("get", "pvc", "-o", 'jsonpath={range .items[*]}{.spec.resources.requests.storage}{"\\n"}{end}');
        assert.deepStrictEqual(new Set(sizes.trim().split("\n")), new Set(["10Gi"]));
        await replicates(3);
    });

    it("`pulumi destroy`, then `pulumi up` on the same NFS directories: the README's promise, never AlreadyExists", async () => {
        const destroy = await b().pulumi(["destroy", "--yes", "--skip-preview"]);
        assert.strictEqual(destroy.code, 0, said(destroy));
        // README: the PVs stay (Retain, retainOnDelete); delete the orphaned pods yourself.
        assert.strictEqual((await b().kubectl("get", "pv", "-o", "name")).trim().split("\n").length, 5);
        // The orphaned pods still run: their NetworkPolicies stay with them (issue 21 item 7).
        assert.strictEqual((await b().kubectl("get", "pods", "-l", POD_SELECTOR, "-o", "name")).trim().split("\n").length, 3);
        assert.deepStrictEqual((await b().kubectl("get", "networkpolicy", "-o", "name")).trim().split("\n").sort(), [
            "networkpolicy.networking.k8s.io/mysql-clone",
            "networkpolicy.networking.k8s.io/mysql-mysql",
        ]);
        await b().kubectl("delete", "pod", "-l", POD_SELECTOR, "--wait=true", "--timeout=300s");
        const redeploy = b().pulumi(["up", "--yes", "--skip-preview"]);
        // The new cluster (a new UID) refuses the old data: init-mysql of mysql-0 says so and starts no server.
        await waitFor(
            async () =>
                /belongs to cluster/.test(
                    await b()
                        .kubectl("logs", "mysql-0", "-c", "init-mysql")
                        .catch(() => ""),
                ),
            { timeoutMs: 600_000, everyMs: 2000, what: "mysql-0's init-mysql to refuse the old cluster's data" },
        );
        // The README's way to hand the volumes to the new cluster: delete `identity` on each; the next start adopts it.
        const root = b().nfsRoot;
        for (const p of PATHS.slice(0, 3)) {
            const identity = path.join(root, p, "identity");
            assert.ok(fs.existsSync(identity), `${identity} is missing`);
            fs.rmSync(identity);
        }
        const r = await redeploy;
        assert.doesNotMatch(r.stdout + r.stderr, /AlreadyExists|already exists/, said(r));
        assert.strictEqual(r.code, 0, said(r));
        await waitFor(() => allReady(3), { timeoutMs: 600_000, everyMs: 1000, what: "3 Ready pods" });
        // The data survived: every row written so far.
        assert.strictEqual((await b().sql("mysql-0", "SELECT COUNT(*) FROM lifecycle.t;")).trim(), String(rows));
        await replicates(3);
    });

    it("the stack's state holds no password in plain text", async () => {
        const state = (await b().pulumiOk(["stack", "export"])).stdout;
        for (const password of [...Object.values(PASSWORDS), ROTATED_ROOT]) {
            assert.ok(!state.includes(password), `the state holds ${password} in plain text`);
            assert.ok(!state.includes(Buffer.from(password).toString("base64")), `the state holds ${password} in base64`);
        }
        assert.match(state, /"ciphertext"/);
    });
});
