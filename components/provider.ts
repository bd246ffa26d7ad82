#!/usr/bin/env node
// The multi-language provider entry: serves MySqlCluster to Python, Go, C#, Java and YAML programs through
// the SDK's component provider (`@pulumi/pulumi/provider/experimental`). Not exported by the library's
// index.
//
// The schema it serves is built from the settings' declaration (components/schema.ts): integers, enums,
// the required setting, defaults, secrets and descriptions; a secret input is then encrypted in the state
// of the caller's stack, whatever language it is written in.

import * as fs from "fs";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import { ComponentProvider } from "@pulumi/pulumi/provider/experimental";
import { COMPONENT_TYPE } from "./constants";
import { MySqlCluster } from "./mysqlCluster";
import { PACKAGE_NAME, packageSchema } from "./schema";

/** The package's root: the folder of its package.json, from the sources or from `bin/components`. */
export const PACKAGE_ROOT = findPackageRoot(__dirname);

/** The provider's name: the first part of every type token, and the name of the generated SDKs. */
export const PROVIDER_NAME = PACKAGE_NAME;

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

/** The SDK's component provider, serving the declared schema; construction is the SDK's own. */
export class MySqlClusterProvider extends ComponentProvider {
    private enrichedSchema?: string;

    constructor(root = PACKAGE_ROOT) {
        super({ components: [MySqlCluster], name: PROVIDER_NAME, dirname: root });
    }

    async getSchema(): Promise<string> {
        this.enrichedSchema ??= JSON.stringify(packageSchema(path.resolve(this.options.dirname!)));
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
