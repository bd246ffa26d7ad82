// The multi-language schema, built from the declaration of the settings and outputs
// (components/settings.ts → components/schema.ts) and served by the provider entry: every declared setting
// with its type (integers, enums), plainness, default, secrecy and description, the required one, and every
// output of the class, which must be the declared outputs.
import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import * as ts from "typescript";
import { getPulumiComponents } from "@pulumi/pulumi/provider/experimental";
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
    OUTPUTS,
    resolveArgs,
    SETTINGS,
} from "../../components";
import { BASE_ARGS, buildCluster, child } from "../helpers";
import { MySqlClusterProvider, PACKAGE_ROOT } from "../../components/provider";
import { enumToken, packageSchema } from "../../components/schema";
import { clearRegistrations, registrations, settle } from "../../scripts/render/mockRuntime";

const ROOT = path.resolve(__dirname, "..", "..");
const TOKEN = "mysql-statefulset:index:MySqlCluster";
const PASSWORDS = ["rootPassword", "replicationPassword", "backupPassword", "appPassword"];

/** The public fields of MySqlCluster as its source declares them: name, `integer` or `string`, optional. */
function classOutputs(): [string, { type: string; optional: boolean }][] {
    const source = ts.createSourceFile(
        "mysqlCluster.ts",
        fs.readFileSync(path.join(ROOT, "components/mysqlCluster.ts"), "utf8"),
        ts.ScriptTarget.Latest,
        true,
    );
    const cls = source.statements.find((s): s is ts.ClassDeclaration => ts.isClassDeclaration(s) && s.name?.text === "MySqlCluster");
    assert.ok(cls, "components/mysqlCluster.ts declares MySqlCluster");
    return cls.members
        .filter(
            (m): m is ts.PropertyDeclaration =>
                ts.isPropertyDeclaration(m) && (ts.getCombinedModifierFlags(m) & ts.ModifierFlags.Public) !== 0,
        )
        .map((m) => {
            const type = m.type!.getText(source);
            const inner = /^pulumi\.Output<(.+)>$/.exec(type)?.[1] ?? type;
            return [
                (m.name as ts.Identifier).text,
                { type: inner.startsWith("number") ? "integer" : "string", optional: inner.includes("undefined") },
            ];
        });
}

describe("the multi-language component (schema)", () => {
    let served: any;
    let resource: any;

    before(async () => {
        served = JSON.parse(await new MySqlClusterProvider().getSchema());
        resource = served.resources[TOKEN];
    });

    it("the provider serves the schema built from the declaration, for the package of its package.json", () => {
        assert.deepStrictEqual(served, JSON.parse(JSON.stringify(packageSchema(ROOT))));
        const manifest = JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8"));
        assert.deepStrictEqual(
            [served.name, served.version, served.description],
            ["mysql-statefulset", manifest.version, manifest.description],
        );
        assert.deepStrictEqual(Object.keys(served.resources), [TOKEN]);
        assert.strictEqual(resource.isComponent, true);
        assert.match(resource.description, /^A replicated MySQL or MariaDB cluster on Kubernetes/);
    });

    it("serves every declared setting, in order, with its type, plainness, default, secrecy and description", () => {
        assert.deepStrictEqual(Object.keys(resource.inputProperties), Object.keys(SETTINGS));
        for (const [key, d] of Object.entries<any>(SETTINGS)) {
            const property = resource.inputProperties[key];
            if (d.enum) {
                assert.strictEqual(property.$ref, `#/types/${enumToken(key)}`, key);
                assert.deepStrictEqual(
                    served.types[enumToken(key)].enum.map((e: { value: string }) => e.value),
                    [...d.enum],
                    key,
                );
            } else if (d.type === "string[]") {
                assert.deepStrictEqual([property.type, property.items], ["array", { type: "string", plain: true }], key);
            } else {
                assert.strictEqual(property.type, d.type, key);
            }
            assert.strictEqual(property.plain, PASSWORDS.includes(key) ? undefined : true, `${key}: plain`);
            assert.strictEqual(property.secret, PASSWORDS.includes(key) ? true : undefined, `${key}: secret`);
            assert.strictEqual(property.default, Array.isArray(d.default) ? undefined : d.default, `${key}: default`);
            assert.strictEqual(property.description, d.description, key);
        }
        assert.deepStrictEqual(resource.requiredInputs, ["nfsServer"]);
    });

    it("says what the SDK's analyzer could not: integers, enums with their default, secrets, the required setting", () => {
        const inputs = resource.inputProperties;
        assert.deepStrictEqual(inputs.replicas, { type: "integer", plain: true, default: 3, description: SETTINGS.replicas.description });
        assert.deepStrictEqual(inputs.rootPassword, { type: "string", secret: true, description: SETTINGS.rootPassword.description });
        assert.deepStrictEqual(inputs.flavor, {
            $ref: "#/types/mysql-statefulset:index:Flavor",
            plain: true,
            default: "mysql57",
            description: SETTINGS.flavor.description,
        });
        assert.deepStrictEqual(served.types["mysql-statefulset:index:Flavor"].enum, [
            { value: "mysql57" },
            { value: "mysql84" },
            { value: "mariadb" },
        ]);
        assert.deepStrictEqual(served.types["mysql-statefulset:index:SelectorLabels"].enum, [
            { value: "recommended" },
            { value: "legacy" },
        ]);
        assert.deepStrictEqual(Object.keys(served.types), [
            "mysql-statefulset:index:SelectorLabels",
            "mysql-statefulset:index:Flavor",
            "mysql-statefulset:index:Bootstrap",
            "mysql-statefulset:index:SpreadAcrossNodes",
            "mysql-statefulset:index:SpreadAcrossZones",
        ]);
        assert.deepStrictEqual(resource.properties.port.type, "integer");
    });

    it("declares exactly the class's outputs, with their types, and serves each, the passwords secret", () => {
        assert.deepStrictEqual(
            Object.entries(OUTPUTS).map(([key, o]) => [key, { type: o.type, optional: "optional" in o && o.optional === true }]),
            classOutputs(),
        );
        assert.deepStrictEqual(Object.keys(resource.properties), Object.keys(OUTPUTS));
        for (const [key, o] of Object.entries<any>(OUTPUTS)) {
            assert.deepStrictEqual(
                resource.properties[key],
                { type: o.type, ...(o.secret ? { secret: true } : {}), description: o.description },
                key,
            );
        }
        assert.deepStrictEqual(
            Object.keys(OUTPUTS).filter((k) => !resource.required.includes(k)),
            ["appPassword"],
        );
        assert.deepStrictEqual(
            Object.keys(resource.properties).filter((k) => resource.properties[k].secret),
            ["rootPassword", "appPassword"],
        );
    });

    it("builds the schema with public API only: no SDK analyzer or schema generator", () => {
        for (const file of ["components/provider.ts", "components/schema.ts"]) {
            const text = fs.readFileSync(path.join(ROOT, file), "utf8");
            assert.doesNotMatch(text, /provider\/experimental\/(analyzer|schema)/, file);
        }
    });

    it("the library's exports hold exactly one component, the one Pulumi's Node.js host would serve", () => {
        assert.deepStrictEqual(getPulumiComponents(library), [library.MySqlCluster]);
        assert.strictEqual(PACKAGE_ROOT, ROOT);
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
        return JSON.parse(
            JSON.stringify(
                guardInputs(resolved, clusterNames(resolved.name, resolved.namespace, resolved.clusterDomain, resolved.selectorLabels)),
            ),
        );
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
