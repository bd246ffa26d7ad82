// Helpers shared by the unit tests: build a cluster under the mocks and look at what it registered.
import * as assert from "assert";
import * as pulumi from "@pulumi/pulumi";
import { MySqlCluster, MySqlClusterArgs } from "../components";
import { clearRegistrations, Registration, registrations, settle } from "../scripts/render/mockRuntime";
import { unwrapSecrets } from "../scripts/render";

/**
 * The shell tools the pod scripts run besides the flavor's binaries, declared: the scripts' sandbox puts only
 * these (and its stubs) on the PATH, so a script calling anything else fails there, and images.test.ts checks
 * that they are exactly what the scripts run and that every image has them. `hostname` is deliberately
 * absent (newer mysql:5.7 tags lack it).
 */
export const SCRIPT_TOOLS = [
    ...["bash", "env", "cat", "chmod", "chown", "cp", "dirname", "du", "find", "getent", "grep", "ls", "mkdir", "mv", "rm", "rmdir"],
    ...["sha256sum", "sleep", "sort", "sync", "timeout"],
];

/**
 * Settings as a JavaScript or YAML caller may pass them, with no type to stop a wrong value or a missing
 * `nfsServer`: what the tests of the run-time checks hand to `resolveArgs` (through {@link unchecked}).
 */
export type UncheckedArgs = { readonly [K in keyof MySqlClusterArgs]?: unknown };

/** Settings the types would refuse, passed on as JavaScript would: the run-time checks are under test. */
export const unchecked = (args: UncheckedArgs): MySqlClusterArgs => args as MySqlClusterArgs;

/** Settings every valid cluster needs, so each test states only what it is about. */
export const BASE_ARGS: MySqlClusterArgs = { nfsServer: "10.0.0.5", nfsPathPattern: "/exports/mysql-{ordinal}" };

/** Constructs a cluster under mocks and waits until all its children are registered. */
export async function buildCluster(args: MySqlClusterArgs, name = "db"): Promise<{ cluster: MySqlCluster; registered: Registration[] }> {
    clearRegistrations();
    const cluster = new MySqlCluster(name, args);
    await settle();
    return { cluster, registered: [...registrations] };
}

/** The one registration of this type and logical name. */
export function child(registered: Registration[], type: string, name: string): Registration {
    const found = registered.filter((r) => r.type === type && r.name === name);
    assert.strictEqual(found.length, 1, `expected one ${type} named ${name}, got ${found.length}`);
    return found[0];
}

/** The inputs of a child with Pulumi secrets replaced by their plain values. */
export function inputsOf(registered: Registration[], type: string, name: string): any {
    return unwrapSecrets(child(registered, type, name).inputs);
}

export function valueOf<T>(output: pulumi.Output<T>): Promise<T> {
    return new Promise((resolve) => output.apply(resolve));
}

export function isSecret<T>(output: pulumi.Output<T>): Promise<boolean> {
    return pulumi.isSecret(output);
}
