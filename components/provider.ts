#!/usr/bin/env node
// The multi-language provider entry: serves MySqlCluster to Python, Go, C#, Java and YAML programs through
// the SDK's component provider (`@pulumi/pulumi/provider/experimental`). Not exported by the library's
// index, so `require("mysql-statefulset")` never loads the TypeScript compiler the analyzer needs.
//
// The SDK's analyzer infers the schema from `MySqlClusterArgs` and the class's public fields: types, plain
// or Input, descriptions, outputs. It cannot say what a default is or that a value is secret, so
// `enrichSchema` adds both from the component's own `DEFAULTS` and password list: a secret input is then
// encrypted in the state of the caller's stack, whatever language it is written in.

import * as fs from "fs";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import { Analyzer } from "@pulumi/pulumi/provider/experimental/analyzer";
import { ComponentProvider } from "@pulumi/pulumi/provider/experimental";
import { generateSchema, PackageSpec, Property } from "@pulumi/pulumi/provider/experimental/schema";
import { DEFAULTS } from "./settings";
import { COMPONENT_TYPE } from "./constants";
import { MySqlCluster } from "./mysqlCluster";

/** The package's root: the folder of its package.json, from the sources or from `bin/components`. */
export const PACKAGE_ROOT = findPackageRoot(__dirname);

/** The provider's name: the first part of every type token, and the name of the generated SDKs. */
export const PROVIDER_NAME = COMPONENT_TYPE.split(":")[0];

/** Inputs that hold a secret, and outputs that return one. */
export const SECRET_INPUTS = ["rootPassword", "replicationPassword", "backupPassword", "appPassword"] as const;
export const SECRET_OUTPUTS = ["rootPassword", "appPassword"] as const;

/**
 * Every number the component takes or returns is whole (a count, seconds, a port): the schema says
 * `integer`, so SDKs take an int.
 */
const integerKeys = (props: Record<string, Property>) =>
    Object.keys(props).filter((key) => (props[key] as { type?: string }).type === "number");

function findPackageRoot(from: string): string {
    for (let dir = from; ; dir = path.dirname(dir)) {
        const manifest = path.join(dir, "package.json");
        if (fs.existsSync(manifest) && JSON.parse(fs.readFileSync(manifest, "utf8")).name === "mysql-statefulset") {
            return dir;
        }
        if (path.dirname(dir) === dir) {
            throw new Error(`No package.json of mysql-statefulset above ${from}: run the provider from the installed package.`);
        }
    }
}

/**
 * The schema as the SDK's analyzer infers it from the TypeScript sources in `components/` (its own
 * tsconfig.json), exactly what `componentProviderHost` would serve for this class.
 */
export function analyzedSchema(root = PACKAGE_ROOT): PackageSpec {
    const manifest = JSON.parse(fs.readFileSync(path.join(root, "package.json"), "utf8"));
    // The analyzer starts from package.json's `main` read as TypeScript; ours is the compiled
    // bin/components/index.js, so it is pointed at the source of that module instead.
    const analyzer = new Analyzer(
        path.join(root, "components"),
        PROVIDER_NAME,
        { ...manifest, main: "index.ts" },
        new Set([MySqlCluster.name]),
    );
    const { components, typeDefinitions, dependencies } = analyzer.analyze();
    return generateSchema(PROVIDER_NAME, manifest.version, manifest.description, components, typeDefinitions, dependencies);
}

/** Adds what the analyzer cannot infer: defaults, secrets, integers. */
export function enrichSchema(schema: PackageSpec): PackageSpec {
    const resource = schema.resources[COMPONENT_TYPE];
    const inputs = resource.inputProperties ?? {};
    const outputs = resource.properties ?? {};
    for (const [key, value] of Object.entries(DEFAULTS)) {
        // A schema default must be a string, number or boolean; list defaults stay in the descriptions.
        if (inputs[key] !== undefined && ["string", "number", "boolean"].includes(typeof value)) {
            (inputs[key] as Property & { default?: unknown }).default = value;
        }
    }
    const mark = (props: Record<string, Property>, keys: readonly string[], change: Partial<Property> & { secret?: boolean }) => {
        for (const key of keys) {
            if (props[key] === undefined) {
                throw new Error(`The schema has no property \`${key}\` to mark: update components/provider.ts.`);
            }
            Object.assign(props[key], change);
        }
    };
    mark(inputs, SECRET_INPUTS, { secret: true });
    mark(outputs, SECRET_OUTPUTS, { secret: true });
    mark(inputs, integerKeys(inputs), { type: "integer" });
    mark(outputs, integerKeys(outputs), { type: "integer" });
    return schema;
}

/** The SDK's component provider, serving the enriched schema; construction is the SDK's own. */
export class MySqlClusterProvider extends ComponentProvider {
    private enrichedSchema?: string;

    constructor(root = PACKAGE_ROOT) {
        super({ components: [MySqlCluster], name: PROVIDER_NAME, dirname: root });
    }

    async getSchema(): Promise<string> {
        this.enrichedSchema ??= JSON.stringify(enrichSchema(analyzedSchema(path.resolve(this.options.dirname!))));
        return this.enrichedSchema;
    }

    async construct(
        name: string,
        type: string,
        inputs: pulumi.Inputs,
        options: pulumi.ComponentResourceOptions,
    ): Promise<pulumi.provider.ConstructResult> {
        ComponentProvider.validateResourceType(PROVIDER_NAME, type);
        if (type !== COMPONENT_TYPE) {
            throw new Error(`Unknown component type ${type}; this package has only ${COMPONENT_TYPE}.`);
        }
        const cluster = new MySqlCluster(name, inputs, options);
        const outputs = JSON.parse(await this.getSchema()).resources[COMPONENT_TYPE].properties as Record<string, unknown>;
        return {
            urn: cluster.urn,
            state: Object.fromEntries(Object.keys(outputs).map((key) => [key, (cluster as unknown as Record<string, unknown>)[key]])),
        };
    }
}

/** Runs the provider as Pulumi runs a plugin: the engine's address in `args`, the port on stdout. */
export function serve(args: string[] = process.argv.slice(2)): Promise<void> {
    return pulumi.provider.main(new MySqlClusterProvider(), args);
}

if (require.main === module) {
    serve().catch((error) => {
        process.stderr.write(`mysql-statefulset provider: ${error instanceof Error ? error.message : String(error)}\n`);
        process.exit(1);
    });
}
