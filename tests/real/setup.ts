// What the real-server suite and the benchmark share: the requirement check, the rendered stack, the root
// password, and names and addresses unique to this run.
import { spawnSync } from "child_process";
import * as path from "path";
import * as yaml from "js-yaml";
import { assertCanRun, K8sObject } from "./harness";

const ROOT = path.resolve(__dirname, "..", "..");

/** Space, quotes, backslash, '#', '&': every character the scripts must carry through untouched. */
export const ROOT_PASSWORD = `r00t pa"ss 'w\\rd' #&1`;

/**
 * Returns true when this machine can run real servers. Otherwise fails under CI=true, and elsewhere
 * skips with a message nobody can miss.
 */
export function requireRealServers(context: Mocha.Context): boolean {
    try {
        assertCanRun();
        return true;
    } catch (error) {
        const message = (error as Error).message;
        if (process.env.CI === "true") {
            throw new Error(`The real-server suite cannot run under CI=true: ${message}`);
        }
        console.warn(`\n  !!! SKIPPING the real-server suite: ${message}\n  !!! Run it as root with the Debian packages of .ci/run.\n`);
        context.skip();
        return false;
    }
}

/** The objects `npm run render` prints for tests/real/Pulumi.real.yaml, with the test's root password. */
export function renderRealStack(): K8sObject[] {
    const run = spawnSync(
        process.execPath,
        ["--require", "ts-node/register/transpile-only", "scripts/render.ts", "--config-file", "tests/real/Pulumi.real.yaml", "--secret", `rootPassword=${ROOT_PASSWORD}`],
        { cwd: ROOT, encoding: "utf8" },
    );
    if (run.status !== 0) {
        throw new Error(`render failed: ${run.stderr}`);
    }
    return yaml.loadAll(run.stdout) as K8sObject[];
}

/** Prefix of every namespace and interface of this run: MST_PREFIX, or one made from the PID. */
export function runPrefix(): string {
    return process.env.MST_PREFIX ?? `m${process.pid % 10_000_000}`;
}

/** The run's pod subnet: MST_SUBNET, or a /24 in 10.200.0.0/13 made from the PID. */
export function runSubnet(): string {
    return process.env.MST_SUBNET ?? `10.${200 + (process.pid % 8)}.${(process.pid >> 3) % 256}.0/24`;
}
