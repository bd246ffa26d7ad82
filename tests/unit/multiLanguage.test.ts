// The multi-language schema: the SDK's analyzer run in-process on the sources, as `pulumi package add`
// would run it, and the provider entry's schema with defaults and secrets. Every setting of Pulumi.yaml
// must appear with its type; plain except the passwords; every output of the class.
import * as assert from "assert";
import * as path from "path";
import { ComponentProvider, getPulumiComponents } from "@pulumi/pulumi/provider/experimental";
import * as library from "../../components";
import { SETTINGS } from "../../components";
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
        const declared = Object.keys(SETTINGS);
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
        for (const [key, declaration] of Object.entries<any>(SETTINGS)) {
            const property = resource.inputProperties[key];
            assert.strictEqual(property.type, declaration.type === "string[]" ? "array" : declaration.type, `${key}: type as declared`);
            assert.strictEqual(property.secret, declaration.secret, `${key}: secret as declared`);
            if (declaration.type !== "string[]") {
                assert.deepStrictEqual(property.default, declaration.default, `${key}: default as declared`);
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
