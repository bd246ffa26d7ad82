#!/usr/bin/env node
// The package's provider: serves MySqlCluster to Python, Go, C#, Java and YAML programs, and the change guard
// their clusters register. Public provider API only (`pulumi.provider.Provider`, `pulumi.provider.main`).
// Started two ways: as the `pulumi-resource-mysql-statefulset` bin (this file as the main module), and through
// PulumiPlugin.yaml, whose Node.js host loads the package folder's package.json `main` (plugin.ts, which
// calls `serve`). Not exported by the library's index.
//
// The schema it serves is built from the settings' declaration (components/schema.ts): integers, enums,
// the required setting, defaults, secrets and descriptions; a secret input is then encrypted in the state
// of the caller's stack, whatever language it is written in.

import * as fs from "fs";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import { changeFailures, guardChanged, GUARD_ID, GuardInputs, GUARD_RESOURCE_TYPE, withGuardsFromPackageProvider } from "./changeGuard";
import { COMPONENT_TYPE } from "./constants";
import { MySqlClusterArgs } from "./args";
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

/** The package's version, which the provider reports (GetPluginInfo). */
function packageVersion(root: string): string {
    return JSON.parse(fs.readFileSync(path.join(root, "package.json"), "utf8")).version;
}

/**
 * The package's provider, on the SDK's public provider API (`pulumi.provider.Provider`, served by
 * `pulumi.provider.main`): it constructs MySqlCluster for programs in other languages, and serves the change
 * guard those clusters register (GUARD_RESOURCE_TYPE, see changeGuard.ts). The schema lists the component
 * only: the guard is made by the component, never by a program, so the generated SDKs need no class for it.
 */
export class MySqlClusterProvider implements pulumi.provider.Provider {
    public readonly version: string;
    private servedSchema?: string;

    constructor(private readonly root = PACKAGE_ROOT) {
        this.version = packageVersion(root);
    }

    async getSchema(): Promise<string> {
        this.servedSchema ??= JSON.stringify(packageSchema(path.resolve(this.root)));
        return this.servedSchema;
    }

    async construct(
        name: string,
        type: string,
        inputs: pulumi.Inputs,
        options: pulumi.ComponentResourceOptions,
    ): Promise<pulumi.provider.ConstructResult> {
        if (type !== COMPONENT_TYPE) {
            throw new Error(`Unknown component type ${type}; this package has only ${COMPONENT_TYPE}.`);
        }
        // The cluster runs in this process, outside the calling program's node_modules: its guard is this
        // provider's own resource.
        // The inputs come from another language's program, unchecked by any TypeScript type: resolveArgs checks
        // each one (and refuses unknown keys) before anything is created.
        const cluster = withGuardsFromPackageProvider(() => new MySqlCluster(name, inputs as MySqlClusterArgs, options));
        const outputs = JSON.parse(await this.getSchema()).resources[COMPONENT_TYPE].properties as Record<string, unknown>;
        return {
            urn: cluster.urn,
            state: Object.fromEntries(Object.keys(outputs).map((key) => [key, (cluster as unknown as Record<string, unknown>)[key]])),
        };
    }

    /** The guard's check: the refusal of a guarded change, at `preview` and before any step of `up`. */
    async check(urn: string, olds: Partial<GuardInputs> | undefined, news: GuardInputs): Promise<pulumi.provider.CheckResult> {
        guardOnly(urn);
        // A first deploy has no olds; the engine passes an empty object.
        return { inputs: news, failures: changeFailures(olds, news) };
    }

    async diff(id: string, urn: string, olds: GuardInputs, news: GuardInputs): Promise<pulumi.provider.DiffResult> {
        guardOnly(urn);
        // Never a replacement: the guard is a record in the state, updated in place.
        return { changes: guardChanged(olds, news) };
    }

    async create(urn: string, inputs: GuardInputs): Promise<pulumi.provider.CreateResult> {
        guardOnly(urn);
        return { id: GUARD_ID, outs: inputs };
    }

    async update(id: string, urn: string, olds: GuardInputs, news: GuardInputs): Promise<pulumi.provider.UpdateResult> {
        guardOnly(urn);
        return { outs: news };
    }

    /** Refresh: the guard exists only in the state, so the state is what is there. */
    async read(id: string, urn: string, props?: GuardInputs): Promise<pulumi.provider.ReadResult> {
        guardOnly(urn);
        return { id, props, inputs: props };
    }

    /** Nothing to remove outside the state. */
    async delete(id: string, urn: string): Promise<void> {
        guardOnly(urn);
    }
}

/** The only custom resource this provider serves is the guard; its URN ends with `<type>::<name>`. */
function guardOnly(urn: string): void {
    const type = urn.split("::")[2]?.split("$").pop();
    if (type !== GUARD_RESOURCE_TYPE) {
        throw new Error(`Unknown resource type ${type}; this provider serves only ${GUARD_RESOURCE_TYPE} (made by ${COMPONENT_TYPE}).`);
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
