// The multi-language schema: the SDK's analyzer run in-process on the sources, as `pulumi package add`
// would run it, and the provider entry's schema with defaults and secrets. Every setting of Pulumi.yaml
// must appear with its type; plain except the passwords; every output of the class.
import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import * as yaml from "js-yaml";
import { ComponentProvider, getPulumiComponents } from "@pulumi/pulumi/provider/experimental";
import * as library from "../../components";
import {
    changeFailures,
    clusterNames,
    GUARD_PROVIDER,
    GUARD_RESOURCE_TYPE,
    GUARD_TYPE,
    guardInputs,
    GuardInputs,
    MySqlClusterArgs,
    resolveArgs,
} from "../../components";
import { BASE_ARGS, buildCluster, child } from "../helpers";
import { analyzedSchema, enrichSchema, MySqlClusterProvider, PACKAGE_ROOT } from "../../components/provider";
import { clearRegistrations, registrations, settle } from "../../scripts/mockRuntime";

const ROOT = path.resolve(__dirname, "..", "..");
const TOKEN = "mysql-statefulset:index:MySqlCluster";
const PASSWORDS = ["rootPassword", "replicationPassword", "backupPassword", "appPassword"];

/** Every input: schema type, whether plain, default. The passwords are the only inputs that are not plain. */
const INPUTS: Record<string, { type: string; items?: string; default?: unknown; secret?: true }> = {
    name: { type: "string", default: "mysql" },
    namespace: { type: "string", default: "default" },
    clusterDomain: { type: "string", default: "cluster.local" },
    replicas: { type: "integer", default: 3 },
    maxReplicas: { type: "integer" },
    flavor: { type: "string", default: "mysql57" },
    image: { type: "string" },
    backupImage: { type: "string" },
    rootPassword: { type: "string", secret: true },
    replicationPassword: { type: "string", secret: true },
    backupPassword: { type: "string", secret: true },
    appDatabase: { type: "string" },
    appUser: { type: "string" },
    appPassword: { type: "string", secret: true },
    networkPolicy: { type: "boolean", default: true },
    clientPodLabels: { type: "array", items: "string" },
    clientNamespaceLabels: { type: "array", items: "string" },
    requireClientTls: { type: "boolean", default: false },
    maxReplicationLagSeconds: { type: "integer", default: 30 },
    startupTimeoutSeconds: { type: "integer", default: 600 },
    terminationGracePeriodSeconds: { type: "integer", default: 120 },
    cloneIdleTimeoutSeconds: { type: "integer", default: 300 },
    replicaApplyThreads: { type: "integer", default: 4 },
    bootstrap: { type: "string", default: "ordered" },
    spreadAcrossNodes: { type: "string", default: "preferred" },
    spreadAcrossZones: { type: "string", default: "none" },
    cpuLimit: { type: "string" },
    memoryLimit: { type: "string" },
    backupCpuLimit: { type: "string" },
    backupMemoryLimit: { type: "string" },
    priorityClassName: { type: "string" },
    nfsServer: { type: "string" },
    nfsPaths: { type: "array", items: "string" },
    nfsPathPattern: { type: "string" },
    volumeCapacity: { type: "string", default: "20Gi" },
    volumeAccessModes: { type: "array", items: "string" },
    storageRequest: { type: "string", default: "10Gi" },
    storageClassName: { type: "string", default: "mysql-nfs" },
    cpuRequest: { type: "string", default: "500m" },
    memoryRequest: { type: "string", default: "500Mi" },
    backupCpuRequest: { type: "string", default: "100m" },
    backupMemoryRequest: { type: "string", default: "100Mi" },
    mysqldOptions: { type: "array", items: "string" },
    backupSchedule: { type: "string" },
    backupRetention: { type: "integer", default: 7 },
    backupNfsPath: { type: "string" },
    backupVolumeCapacity: { type: "string", default: "50Gi" },
    restoreFrom: { type: "string" },
    allowDestructiveChanges: { type: "array", items: "string" },
};

const OUTPUTS: Record<string, { type: string; optional?: true; secret?: true }> = {
    primaryHost: { type: "string" },
    primaryFqdn: { type: "string" },
    readEndpoint: { type: "string" },
    port: { type: "integer" },
    namespace: { type: "string" },
    secretName: { type: "string" },
    tlsSecretName: { type: "string" },
    caCertificate: { type: "string" },
    rootPassword: { type: "string", secret: true },
    appPassword: { type: "string", optional: true, secret: true },
};

/** The expected schema property of an input, as the provider serves it. */
function expectedInput(key: string, description: string): Record<string, unknown> {
    const { type, items, default: value, secret } = INPUTS[key];
    return {
        type,
        ...(items ? { items: { type: items, plain: true } } : {}),
        optional: true,
        ...(PASSWORDS.includes(key) ? {} : { plain: true }),
        description,
        ...(value !== undefined ? { default: value } : {}),
        ...(secret ? { secret } : {}),
    };
}

describe("the multi-language component (schema)", function () {
    // The analyzer type-checks the sources: a few seconds each time.
    this.timeout(120_000);
    let analyzed: any;
    let served: any;

    before(async () => {
        analyzed = analyzedSchema();
        served = JSON.parse(await new MySqlClusterProvider().getSchema());
    });

    it("the SDK's analyzer reads MySqlClusterArgs: every setting of Pulumi.yaml, the passwords as inputs, the rest plain", () => {
        const resource = analyzed.resources[TOKEN];
        const declared = Object.keys((yaml.load(fs.readFileSync(path.join(ROOT, "Pulumi.yaml"), "utf8")) as any).config);
        assert.deepStrictEqual(Object.keys(resource.inputProperties), declared);
        assert.deepStrictEqual(Object.keys(resource.inputProperties), Object.keys(INPUTS));
        for (const [key, property] of Object.entries<any>(resource.inputProperties)) {
            assert.strictEqual(property.plain, PASSWORDS.includes(key) ? undefined : true, `${key}: plain`);
            assert.strictEqual(property.optional, true, `${key}: optional`);
        }
        assert.deepStrictEqual(resource.requiredInputs, []);
        assert.strictEqual(analyzed.name, "mysql-statefulset");
        assert.deepStrictEqual(analyzed.types, {});
        assert.deepStrictEqual(analyzed.dependencies, []);
    });

    it("matches the SDK's own component provider, which `componentProviderHost` serves, before enrichment", async () => {
        const sdk = JSON.parse(
            await new ComponentProvider({ components: [library.MySqlCluster], name: "mysql-statefulset", dirname: ROOT }).getSchema(),
        );
        assert.deepStrictEqual(sdk.resources[TOKEN], analyzed.resources[TOKEN]);
    });

    it("serves every setting with its type, plainness, description, default and secrecy", () => {
        const resource = served.resources[TOKEN];
        assert.strictEqual(resource.isComponent, true);
        assert.match(resource.description, /^A replicated MySQL or MariaDB cluster on Kubernetes/);
        for (const [key, property] of Object.entries<any>(resource.inputProperties)) {
            assert.deepStrictEqual(property, expectedInput(key, analyzed.resources[TOKEN].inputProperties[key].description), key);
            // Whole sentences, not cut at an `@` the JSDoc parser took for a tag.
            assert.match(String(property.description), /[.)]$/, `${key}: ${property.description}`);
        }
        const config = (yaml.load(fs.readFileSync(path.join(ROOT, "Pulumi.yaml"), "utf8")) as any).config;
        for (const [key, declaration] of Object.entries<any>(config)) {
            const property = resource.inputProperties[key];
            assert.strictEqual(property.type, declaration.type, `${key}: type as in Pulumi.yaml`);
            assert.strictEqual(property.secret, declaration.secret, `${key}: secret as in Pulumi.yaml`);
            if (declaration.type !== "array") {
                assert.deepStrictEqual(property.default, declaration.default, `${key}: default as in Pulumi.yaml`);
            }
        }
        assert.strictEqual(resource.inputProperties.rootPassword.description.includes("`@pulumi/random`"), true);
    });

    it("serves every output of the class, the passwords secret", () => {
        const resource = served.resources[TOKEN];
        assert.deepStrictEqual(Object.keys(resource.properties), Object.keys(OUTPUTS));
        for (const [key, expected] of Object.entries(OUTPUTS)) {
            const { description, ...rest } = resource.properties[key] as { description: string };
            assert.deepStrictEqual(rest, expected, key);
            assert.ok(description.length > 10, `${key} has a description`);
        }
        assert.deepStrictEqual(
            resource.required,
            Object.keys(OUTPUTS)
                .filter((k) => !OUTPUTS[k].optional)
                .sort(),
        );
    });

    it("the library's exports hold exactly one component, the one Pulumi's Node.js host would serve", () => {
        assert.deepStrictEqual(getPulumiComponents(library), [library.MySqlCluster]);
        assert.strictEqual(PACKAGE_ROOT, ROOT);
    });

    it("refuses a schema property that is not there to mark", () => {
        const broken = analyzedSchema();
        delete (broken.resources[TOKEN].properties as any).appPassword;
        assert.throws(
            () => enrichSchema(broken),
            /^Error: The schema has no property `appPassword` to mark: update components\/provider.ts.$/,
        );
    });

    it("constructs the cluster for another language's program and returns every output", async () => {
        clearRegistrations();
        const provider = new MySqlClusterProvider();
        const result = await provider.construct(
            "db",
            TOKEN,
            { nfsServer: "10.0.0.5", nfsPathPattern: "/exports/{ordinal}", replicas: 1 },
            {},
        );
        await settle();
        assert.deepStrictEqual(Object.keys(result.state), Object.keys(OUTPUTS));
        assert.ok(registrations.some((r) => r.type === "kubernetes:apps/v1:StatefulSet" && r.name === "db-statefulset"));
        await assert.rejects(
            provider.construct("db", "mysql-statefulset:index:Other", {}, {}),
            /^Error: Unknown component type mysql-statefulset:index:Other/,
        );
    });
});

describe("the package's provider: the change guard for other languages", () => {
    const provider = new MySqlClusterProvider();
    const GUARD_URN = `urn:pulumi:test::mysql-statefulset::${TOKEN}$${GUARD_RESOURCE_TYPE}::db-change-guard`;
    const fingerprint = (args: MySqlClusterArgs): GuardInputs => {
        const resolved = resolveArgs(args);
        // Through JSON, as the engine hands the inputs to the provider.
        return JSON.parse(JSON.stringify(guardInputs(resolved, clusterNames(resolved.name, resolved.namespace, resolved.clusterDomain))));
    };
    const deployed = fingerprint(BASE_ARGS);
    const resized = fingerprint({ ...BASE_ARGS, storageRequest: "20Gi" });

    it("reports the package's version", () => {
        assert.strictEqual(provider.version, JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8")).version);
    });

    it("a cluster it constructs registers its guard as the provider's own type; one built in-process keeps the dynamic one", async () => {
        clearRegistrations();
        await provider.construct("db", TOKEN, { ...BASE_ARGS, replicas: 1 }, {});
        await settle();
        const guard = registrations.find((r) => r.name === "db-change-guard");
        assert.strictEqual(guard?.type, GUARD_RESOURCE_TYPE);
        assert.deepStrictEqual(Object.keys(guard.inputs).sort(), ["allowed", "values"]);
        assert.ok(!registrations.some((r) => r.type === GUARD_TYPE));
        const { registered } = await buildCluster(BASE_ARGS);
        assert.strictEqual(child(registered, GUARD_TYPE, "db-change-guard").inputs.__provider, GUARD_PROVIDER);
    });

    it("check: the first deploy and an unchanged stack pass, a guarded change fails with the guard's own failures", async () => {
        assert.deepStrictEqual(await provider.check(GUARD_URN, {}, deployed), { inputs: deployed, failures: [] });
        assert.deepStrictEqual(await provider.check(GUARD_URN, deployed, deployed), { inputs: deployed, failures: [] });
        const refused = await provider.check(GUARD_URN, deployed, resized);
        assert.deepStrictEqual(refused, { inputs: resized, failures: changeFailures(deployed, resized) });
        assert.deepStrictEqual(
            refused.failures?.map((f) => f.property),
            ["storageRequest"],
        );
        assert.match(refused.failures![0].reason, /^`storageRequest` would change the claims' storage request from "10Gi" to "20Gi"/);
        const allowed = fingerprint({ ...BASE_ARGS, storageRequest: "20Gi", allowDestructiveChanges: ["storageRequest"] });
        assert.deepStrictEqual((await provider.check(GUARD_URN, deployed, allowed)).failures, []);
    });

    it("diff: an update in place when the fingerprint or the opt-ins change, never a replacement", async () => {
        assert.deepStrictEqual(await provider.diff("change-guard", GUARD_URN, deployed, deployed), { changes: false });
        assert.deepStrictEqual(await provider.diff("change-guard", GUARD_URN, deployed, resized), { changes: true });
        const optIn = { ...deployed, allowed: ["storageRequest"] };
        assert.deepStrictEqual(await provider.diff("change-guard", GUARD_URN, deployed, optIn), { changes: true });
    });

    it("create, update and read keep the fingerprint in the state; delete removes nothing else", async () => {
        assert.deepStrictEqual(await provider.create(GUARD_URN, deployed), { id: "change-guard", outs: deployed });
        assert.deepStrictEqual(await provider.update("change-guard", GUARD_URN, deployed, resized), { outs: resized });
        assert.deepStrictEqual(await provider.read("change-guard", GUARD_URN, deployed), {
            id: "change-guard",
            props: deployed,
            inputs: deployed,
        });
        assert.strictEqual(await provider.delete("change-guard", GUARD_URN), undefined);
    });

    it("refuses any other custom resource type", async () => {
        await assert.rejects(
            provider.check("urn:pulumi:test::p::mysql-statefulset:index:Other::x", {}, deployed),
            (e: Error) =>
                e.message ===
                "Unknown resource type mysql-statefulset:index:Other; this provider serves only mysql-statefulset:index:ChangeGuard " +
                    "(made by mysql-statefulset:index:MySqlCluster).",
        );
    });

    it("the plugin entry (package.json `main`) exports one function and no component, so cmd/run-plugin starts this provider", () => {
        // eslint-disable-next-line @typescript-eslint/no-require-imports -- the module is `export =` a function
        const entry = require("../../components/plugin");
        assert.strictEqual(typeof entry, "function");
        assert.deepStrictEqual(getPulumiComponents(entry), []);
        assert.deepStrictEqual(getPulumiComponents({ entry }), []);
        // Run as a program (here: under the mock runtime's monitor), it refuses instead of serving.
        assert.throws(
            () => entry(),
            (e: Error) =>
                e.message ===
                "bin/components/plugin.js is the package's plugin entry, not a program: name the program in Pulumi.yaml (`main: index.ts`).",
        );
    });
});
