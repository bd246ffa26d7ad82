// The change guard: the provider's code exactly as Pulumi's nodejs dynamic provider loads it, run on the
// fingerprints of two settings (the deployed one and the new one), and its wiring: every Kubernetes object
// waits for it, so a refused change touches nothing.
import * as assert from "assert";
import {
    clusterNames,
    GUARD_PROVIDER,
    GUARD_TYPE,
    GUARDED_SETTINGS,
    guardInputs,
    GuardInputs,
    MySqlClusterArgs,
    resolveArgs,
} from "../../components";
import { persistentVolumes } from "../../components/builders";
import { impactOf, loadGuardProvider } from "../changeImpact";
import { BASE_ARGS, buildCluster, child } from "../helpers";

const provider = loadGuardProvider();

async function fingerprint(args: MySqlClusterArgs): Promise<GuardInputs> {
    const resolved = resolveArgs(args);
    const names = clusterNames(resolved.name, resolved.namespace, resolved.clusterDomain, resolved.selectorLabels);
    // Through JSON, as the engine hands the inputs to the provider.
    return JSON.parse(JSON.stringify(guardInputs(resolved, names)));
}

/** The failure reasons of changing the deployed `before` into `after`. */
async function refusals(before: MySqlClusterArgs, after: MySqlClusterArgs): Promise<string[]> {
    const result = await provider.check(await fingerprint(before), await fingerprint(after));
    return result.failures.map((f) => f.reason);
}

const names = clusterNames("mysql", "default", "cluster.local", "recommended");
const ARGS: MySqlClusterArgs = { ...BASE_ARGS, flavor: "mariadb", image: "mariadb:10.11" };
const OPT_IN = (setting: string) => ` To make this change anyway, add "${setting}" to \`allowDestructiveChanges\` for this run.`;

describe("the change guard", () => {
    it("lets the first deploy and an unchanged stack through", async () => {
        assert.deepStrictEqual((await provider.check({}, await fingerprint(ARGS))).failures, []);
        assert.deepStrictEqual(await refusals(ARGS, ARGS), []);
    });

    it("refuses each guarded change with the setting, the old and new values, what would happen and the safe way", async () => {
        const cases: [Partial<MySqlClusterArgs>, string][] = [
            [{ name: "orders" }, '`name` would change the cluster\'s name from "mysql" to "orders"'],
            [{ namespace: "shop" }, '`namespace` would change the cluster\'s namespace from "default" to "shop"'],
            [{ clusterDomain: "k8s.example" }, '`clusterDomain` would change the cluster domain from "cluster.local" to "k8s.example"'],
            [{ storageRequest: "20Gi" }, '`storageRequest` would change the claims\' storage request from "10Gi" to "20Gi"'],
            [{ storageClassName: "fast" }, '`storageClassName` would change the storage class from "mysql-nfs" to "fast"'],
            [
                { nfsServer: "10.0.0.6" },
                '`nfsServer` would change the NFS server of 5 volumes (ordinals 0, 1, 2, 3 and 4) from "10.0.0.5" to "10.0.0.6"',
            ],
            [{ image: "mariadb:10.6" }, '`image` would change the server series from "10.11" to "10.6"'],
            [{ image: "mariadb:11.8" }, '`image` would change the server series from "10.11" to "11.8"'],
            [{ flavor: "mysql84", image: undefined }, '`flavor` would change the flavor from "mariadb" to "mysql84"'],
        ];
        for (const [change, start] of cases) {
            const setting = start.slice(1, start.indexOf("`", 1));
            const reasons = await refusals(ARGS, { ...ARGS, ...change });
            const own = reasons.find((r) => r.startsWith(`\`${setting}\``));
            assert.ok(own, `${setting}: ${JSON.stringify(reasons)}`);
            assert.strictEqual(
                own,
                `${start} on the deployed cluster: ${GUARDED_SETTINGS[setting as keyof typeof GUARDED_SETTINGS]}${OPT_IN(setting)}`,
            );
        }
    });

    it("names the volume whose path would change, and the setting that removes volumes", async () => {
        const paths = { nfsPathPattern: undefined, nfsPaths: ["/v/0", "/v/1", "/v/2"] };
        assert.deepStrictEqual(
            await refusals({ ...ARGS, ...paths }, { ...ARGS, nfsPathPattern: undefined, nfsPaths: ["/v/0", "/w/1", "/v/2"] }),
            [
                `\`nfsPaths\` would change the path of ordinal 1's volume from "/v/1" to "/w/1" on the deployed cluster: ${GUARDED_SETTINGS.nfsPaths}${OPT_IN("nfsPaths")}`,
            ],
        );
        assert.deepStrictEqual(await refusals({ ...ARGS, maxReplicas: 5 }, { ...ARGS, maxReplicas: 4 }), [
            `\`maxReplicas\` would remove the path of ordinal 4's volume ("/exports/mysql-4") on the deployed cluster: ${GUARDED_SETTINGS.maxReplicas}${OPT_IN("maxReplicas")}`,
        ]);
    });

    it("tells an nfsServer change once, naming every volume it moves: all of them, or with nfsServers only the backup volume", async () => {
        const why = `on the deployed cluster: ${GUARDED_SETTINGS.nfsServer}${OPT_IN("nfsServer")}`;
        const backup = { ...ARGS, backupNfsPath: "/exports/backups" };
        assert.deepStrictEqual(await refusals(backup, { ...backup, nfsServer: "10.0.0.6" }), [
            `\`nfsServer\` would change the NFS server of 6 volumes (ordinals 0, 1, 2, 3 and 4, and the backup volume) from "10.0.0.5" to "10.0.0.6" ${why}`,
        ]);
        // With nfsServers, nfsServer places the backup volume only: the data volumes' servers do not change.
        const spread = { ...backup, nfsServers: ["nfs-a", "nfs-b"] };
        const moved = { ...spread, nfsServer: "nfs-b" };
        assert.deepStrictEqual(
            persistentVolumes(resolveArgs(moved), names).map((pv) => pv.spec),
            persistentVolumes(resolveArgs(spread), names).map((pv) => pv.spec),
        );
        assert.deepStrictEqual(await refusals(spread, moved), [
            `\`nfsServer\` would change the backup volume's NFS server from "10.0.0.5" to "nfs-b" ${why}`,
        ]);
        assert.deepStrictEqual(await refusals(spread, { ...moved, allowDestructiveChanges: ["nfsServer"] }), []);
        // ... and without a backup volume it places nothing: its change renders no other object, and passes.
        const bare = { ...ARGS, nfsServers: ["nfs-a", "nfs-b"] };
        assert.strictEqual((await impactOf(bare, { ...bare, nfsServer: "10.0.0.6" })).impact, "none");
        assert.deepStrictEqual(await refusals(bare, { ...bare, nfsServer: "10.0.0.6" }), []);
        // The backup volume made in the same run as the change is new: recorded, not compared.
        assert.deepStrictEqual(await refusals(bare, { ...bare, nfsServer: "10.0.0.6", backupNfsPath: "/exports/backups" }), []);
    });

    it("names exactly the ordinals an nfsServers change moves: an item changed, added or removed", async () => {
        const spread = { ...ARGS, nfsServers: ["nfs-a", "nfs-b"] };
        const why = (setting: "nfsServers" | "nfsServer") => `on the deployed cluster: ${GUARDED_SETTINGS[setting]}${OPT_IN(setting)}`;
        // ARGS has five volumes (maxReplicas 5): a, b, a, b, a become a, c, a, c, a.
        assert.deepStrictEqual(await refusals(spread, { ...spread, nfsServers: ["nfs-a", "nfs-c"] }), [
            `\`nfsServers\` would change the NFS server of 2 volumes (ordinals 1 and 3) from "nfs-b" to "nfs-c" ${why("nfsServers")}`,
        ]);
        // Added: a, b, a, b, a become a, b, c, a, b.
        assert.deepStrictEqual(await refusals(spread, { ...spread, nfsServers: ["nfs-a", "nfs-b", "nfs-c"] }), [
            `\`nfsServers\` would change the NFS server of 3 volumes: ordinal 2 from "nfs-a" to "nfs-c", ordinal 3 from "nfs-b" to ` +
                `"nfs-a", ordinal 4 from "nfs-a" to "nfs-b" ${why("nfsServers")}`,
        ]);
        // Removed: a, b, c, a, b become a, c, a, c, a.
        assert.deepStrictEqual(
            await refusals({ ...spread, nfsServers: ["nfs-a", "nfs-b", "nfs-c"] }, { ...spread, nfsServers: ["nfs-a", "nfs-c"] }),
            [
                `\`nfsServers\` would change the NFS server of 4 volumes: ordinal 1 from "nfs-b" to "nfs-c", ordinal 2 from "nfs-c" to ` +
                    `"nfs-a", ordinal 3 from "nfs-a" to "nfs-c", ordinal 4 from "nfs-b" to "nfs-a" ${why("nfsServers")}`,
            ],
        );
        // Ordered by ordinal, not as the state's keys sort (volumeServer-10 before volumeServer-2).
        const twelve = { ...ARGS, maxReplicas: 12, nfsServers: ["nfs-a", "nfs-b", "nfs-c", "nfs-d"] };
        assert.deepStrictEqual(await refusals(twelve, { ...twelve, nfsServers: ["nfs-a", "nfs-b", "nfs-e", "nfs-d"] }), [
            `\`nfsServers\` would change the NFS server of 3 volumes (ordinals 2, 6 and 10) from "nfs-c" to "nfs-e" ${why("nfsServers")}`,
        ]);
        // Four servers become three: every ordinal from 3 on moves, each named once, in order.
        assert.deepStrictEqual(await refusals(twelve, { ...twelve, nfsServers: ["nfs-a", "nfs-b", "nfs-c"] }), [
            '`nfsServers` would change the NFS server of 9 volumes: ordinal 3 from "nfs-d" to "nfs-a", ordinal 4 from "nfs-a" to ' +
                '"nfs-b", ordinal 5 from "nfs-b" to "nfs-c", ordinal 6 from "nfs-c" to "nfs-a", ordinal 7 from "nfs-d" to "nfs-b", ' +
                'ordinal 8 from "nfs-a" to "nfs-c", ordinal 9 from "nfs-b" to "nfs-a", ordinal 10 from "nfs-c" to "nfs-b", ' +
                `ordinal 11 from "nfs-d" to "nfs-c" ${why("nfsServers")}`,
        ]);
        // One volume moved is told as any single change.
        const three = { ...spread, nfsServers: ["nfs-a", "nfs-b", "nfs-c"] };
        assert.deepStrictEqual(await refusals(three, { ...three, nfsServers: ["nfs-a", "nfs-b", "nfs-d"] }), [
            `\`nfsServers\` would change the NFS server of ordinal 2's volume from "nfs-c" to "nfs-d" ${why("nfsServers")}`,
        ]);
        // Spreading the volumes of a deployed cluster moves them off nfsServer.
        assert.deepStrictEqual(await refusals(ARGS, { ...ARGS, nfsServers: ["10.0.0.5", "nfs-b"] }), [
            `\`nfsServers\` would change the NFS server of 2 volumes (ordinals 1 and 3) from "10.0.0.5" to "nfs-b" ${why("nfsServers")}`,
        ]);
        // Gathering them back: the volumes are then nfsServer's, which names the change.
        assert.deepStrictEqual(await refusals(spread, ARGS), [
            `\`nfsServer\` would change the NFS server of 5 volumes: ordinals 0, 2 and 4 from "nfs-a" to "10.0.0.5", ordinals ` +
                `1 and 3 from "nfs-b" to "10.0.0.5" ${why("nfsServer")}`,
        ]);
        // The same servers written otherwise are other text: refused too (a PersistentVolume's server is its text).
        assert.strictEqual((await refusals(spread, { ...spread, nfsServers: ["nfs-a", "NFS-B"] })).length, 1);
        assert.deepStrictEqual(await refusals(spread, spread), []);
        assert.deepStrictEqual(
            await refusals(spread, { ...spread, nfsServers: ["nfs-a", "nfs-c"], allowDestructiveChanges: ["nfsServers"] }),
            [],
        );
        // A volume added (a higher maxReplicas) is new: its server is recorded, not compared.
        assert.deepStrictEqual(await refusals({ ...spread, maxReplicas: 5 }, { ...spread, maxReplicas: 6 }), []);
        // A volume removed is told once, by the setting that removes it, not again for its server.
        assert.deepStrictEqual(await refusals({ ...spread, maxReplicas: 5 }, { ...spread, maxReplicas: 4 }), [
            `\`maxReplicas\` would remove the path of ordinal 4's volume ("/exports/mysql-4") on the deployed cluster: ${GUARDED_SETTINGS.maxReplicas}${OPT_IN("maxReplicas")}`,
        ]);
        assert.deepStrictEqual(await refusals({ ...spread, maxReplicas: 5 }, { ...spread, maxReplicas: 3 }), [
            `\`maxReplicas\` would remove the path of 2 volumes: ordinal 3 ("/exports/mysql-3"), ordinal 4 ("/exports/mysql-4") on the ` +
                `deployed cluster: ${GUARDED_SETTINGS.maxReplicas}${OPT_IN("maxReplicas")}`,
        ]);
    });

    it("reads a deployed state without the volumes' servers (made before nfsServers) as every volume on nfsServer", async () => {
        const { values } = await fingerprint(ARGS);
        const before = {
            values: Object.fromEntries(Object.entries(values).filter(([key]) => !key.startsWith("volumeServer-"))),
            allowed: [],
        };
        assert.strictEqual(Object.keys(values).length - Object.keys(before.values).length, 5);
        assert.deepStrictEqual((await provider.check(before, await fingerprint(ARGS))).failures, []);
        // A volume added on such a stack (ordinal 5) is new: its server is recorded, not compared with nfsServer.
        const grown = await fingerprint({ ...ARGS, nfsServers: ["10.0.0.5", "nfs-b", "nfs-c"], maxReplicas: 6 });
        assert.deepStrictEqual(
            (await provider.check(before, grown)).failures.map((f) => f.reason.split(" on the deployed")[0]),
            [
                '`nfsServers` would change the NFS server of 3 volumes: ordinals 1 and 4 from "10.0.0.5" to "nfs-b", ordinal 2 from ' +
                    '"10.0.0.5" to "nfs-c"',
            ],
        );
        const spread = await fingerprint({ ...ARGS, nfsServers: ["10.0.0.5", "nfs-b"] });
        assert.deepStrictEqual(
            (await provider.check(before, spread)).failures.map((f) => [f.property, f.reason.split(" on the deployed")[0]]),
            [["nfsServers", '`nfsServers` would change the NFS server of 2 volumes (ordinals 1 and 3) from "10.0.0.5" to "nfs-b"']],
        );
        // Such a state's nfsServer placed every volume: a change of it moves them all, told once.
        assert.deepStrictEqual(
            (await provider.check(before, await fingerprint({ ...ARGS, nfsServer: "10.0.0.6" }))).failures.map(
                (f) => f.reason.split(" on the deployed")[0],
            ),
            ['`nfsServer` would change the NFS server of 5 volumes (ordinals 0, 1, 2, 3 and 4) from "10.0.0.5" to "10.0.0.6"'],
        );
    });

    it("reads a deployed state without a selectorLabels entry (made before the setting) as legacy", async () => {
        const legacy = await fingerprint({ ...ARGS, selectorLabels: "legacy" });
        const { selectorLabels, ...before } = (await fingerprint(ARGS)).values;
        assert.deepStrictEqual(selectorLabels, {
            setting: "selectorLabels",
            label: "the pods' labels and selectors",
            value: "recommended",
            why: GUARDED_SETTINGS.selectorLabels,
            untrackedValue: "legacy",
        });
        const old = { values: before, allowed: [] };
        // The default on a stack from before: refused, naming the setting and the fix.
        assert.deepStrictEqual((await provider.check(old, await fingerprint(ARGS))).failures, [
            {
                property: "selectorLabels",
                reason:
                    '`selectorLabels` would change the pods\' labels and selectors from "legacy" to "recommended" on the deployed ' +
                    `cluster: ${GUARDED_SETTINGS.selectorLabels}${OPT_IN("selectorLabels")}`,
            },
        ]);
        // `legacy` on that stack, the opt-in, a first deploy, and a stack that recorded its scheme: let through.
        assert.deepStrictEqual((await provider.check(old, legacy)).failures, []);
        const optIn = await fingerprint({ ...ARGS, allowDestructiveChanges: ["selectorLabels"] });
        assert.deepStrictEqual((await provider.check(old, optIn)).failures, []);
        assert.deepStrictEqual((await provider.check({}, await fingerprint(ARGS))).failures, []);
        assert.deepStrictEqual(await refusals(ARGS, ARGS), []);
        // A recorded scheme is compared as any value, both ways.
        assert.strictEqual((await refusals({ ...ARGS, selectorLabels: "legacy" }, ARGS)).length, 1);
        assert.strictEqual((await refusals(ARGS, { ...ARGS, selectorLabels: "legacy" })).length, 1);
    });

    it("lets a password change through, and keeps no password: the pods rotate it (rotate-credentials.sh)", async () => {
        assert.deepStrictEqual(await refusals({ ...ARGS, rootPassword: "old-secret" }, { ...ARGS, rootPassword: "new-secret" }), []);
        assert.ok(!JSON.stringify(await fingerprint({ ...ARGS, rootPassword: "old-secret" })).includes("old-secret"));
    });

    it("lets supported upgrades, scaling and every opted-in change through", async () => {
        assert.deepStrictEqual(await refusals(ARGS, { ...ARGS, image: "mariadb:10.11.9" }), [], "a patch release");
        assert.deepStrictEqual(await refusals(ARGS, { ...ARGS, image: "mariadb:11.4" }), [], "one LTS step");
        assert.deepStrictEqual(await refusals({ ...ARGS, image: "mariadb:11.4" }, { ...ARGS, image: "registry.local/mariadb:11.4.5" }), []);
        let deployed: MySqlClusterArgs = { ...ARGS, replicas: 3 };
        for (const replicas of [2, 3, 5, 3, 1, 5]) {
            assert.deepStrictEqual(await refusals(deployed, { ...ARGS, replicas }), [], `scale to ${replicas}`);
            deployed = { ...ARGS, replicas };
        }
        assert.deepStrictEqual(await refusals(ARGS, { ...ARGS, maxReplicas: 9 }), [], "more volumes");
        assert.deepStrictEqual(
            await refusals(ARGS, { ...ARGS, storageRequest: "20Gi", name: "orders", allowDestructiveChanges: ["storageRequest", "name"] }),
            [],
        );
    });

    it("keeps the state current: a changed fingerprint or opt-in is an update, an equal one none", async () => {
        const deployed = await fingerprint(ARGS);
        assert.deepStrictEqual(await provider.diff("change-guard", deployed, await fingerprint(ARGS)), { changes: false });
        assert.deepStrictEqual(await provider.diff("change-guard", deployed, await fingerprint({ ...ARGS, replicas: 5, maxReplicas: 6 })), {
            changes: true,
        });
    });

    it("refuses an unknown name in allowDestructiveChanges", () => {
        assert.throws(
            () => resolveArgs({ ...ARGS, allowDestructiveChanges: ["replicas"] }),
            (e: Error) =>
                e.message ===
                'Invalid MySqlCluster settings:\n  - `allowDestructiveChanges` has "replicas": list only guarded settings ' +
                    `(${Object.keys(GUARDED_SETTINGS).join(", ")}); the other settings change without an opt-in.`,
        );
    });

    it("is registered before every Kubernetes object, each of which depends on it", async () => {
        const { registered } = await buildCluster(ARGS);
        const guard = child(registered, GUARD_TYPE, "db-change-guard");
        assert.strictEqual(guard.inputs.__provider, GUARD_PROVIDER);
        const urn = `urn:pulumi:test::mysql-statefulset::mysql-statefulset:index:MySqlCluster$${GUARD_TYPE}::db-change-guard`;
        const objects = registered.filter((r) => r.type.startsWith("kubernetes:"));
        assert.ok(objects.length >= 10);
        for (const object of objects) {
            assert.ok(object.dependencies.includes(urn), `${object.type} ${object.name} waits for the guard`);
        }
        assert.ok(registered.indexOf(guard) < registered.indexOf(objects[0]));
    });
});
