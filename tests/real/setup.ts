// What the real-server suite and the benchmark share: the rendered stack, the root password, SQL as root, and
// names and addresses unique to this run. (The requirement check is the fake kubelet's requireFakeKubelet.)
import * as assert from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as yaml from "js-yaml";
import { CONTAINERS, ROOT_CLIENT_CONFIG } from "../../components";
import { runRender } from "../renderCli";
import { ExecResult, FakeKubelet, K8sObject, runPrefix, runSubnet, waitFor } from "../fake-kubelet";

/** Space, quotes, backslash, '#', '&': every character the scripts must carry through untouched. */
export const ROOT_PASSWORD = `r00t pa"ss 'w\\rd' #&1`;

let runDir: string | undefined;

/** This run's own directory (render state files), removed when the process exits. */
function runDirectory(): string {
    if (runDir === undefined) {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "mysql-statefulset-run-"));
        process.on("exit", () => fs.rmSync(dir, { recursive: true, force: true }));
        runDir = dir;
    }
    return runDir;
}

/**
 * The objects `npm run render -- --show-secrets` prints for tests/real/Pulumi.real.yaml, with the test's root
 * password: the other passwords, the CA and the certificates generated for real, as on a cluster. Renders of
 * one `stack` in a run share a state file (`render --state`), so a second render with other settings keeps
 * the generated passwords and TLS material, as `pulumi up` does; another stack name generates its own. A test
 * that changes a password gives it in `extra` (`--secret rootPassword=NEW`: the last one given wins).
 */
export function renderRealStack(extra: string[] = [], stack = "real"): K8sObject[] {
    const run = runRender(
        "--config-file",
        "tests/real/Pulumi.real.yaml",
        "--show-secrets",
        "--state",
        path.join(runDirectory(), `${stack}.state.json`),
        "--secret",
        `rootPassword=${ROOT_PASSWORD}`,
        ...extra,
    );
    if (run.status !== 0) {
        throw new Error(`render failed: ${run.stderr}`);
    }
    rendered = yaml.loadAll(run.stdout) as K8sObject[];
    return rendered;
}

let rendered: K8sObject[] = [];

/** The plain values of a Secret of the last render (the render shows them: --show-secrets). */
export function renderedSecret(name: string): Record<string, string> {
    const secret = rendered.find((o) => o.kind === "Secret" && o.metadata.name === name);
    if (!secret) {
        throw new Error(`the last render has no Secret ${name}`);
    }
    return (secret as unknown as { stringData: Record<string, string> }).stringData;
}

/** The environment the last render gives a container of the StatefulSet, by name. */
export function renderedContainerEnv(container: string): Record<string, string> {
    const statefulSet = rendered.find((o) => o.kind === "StatefulSet") as unknown as
        { spec: { template: { spec: { containers: { name: string; env?: { name: string; value?: string }[] }[] } } } } | undefined;
    const found = statefulSet?.spec.template.spec.containers.find((c) => c.name === container);
    if (!found) {
        throw new Error(`the last render has no StatefulSet container ${container}`);
    }
    return Object.fromEntries((found.env ?? []).filter((e) => e.value !== undefined).map((e) => [e.name, String(e.value)]));
}

/**
 * A fake kubelet running the rendered real stack, in a fresh work directory, with this run's names; `options`
 * adds render arguments (--config, --secret), claims kept outside the cluster, other names, or another
 * stack (its own generated passwords and certificates; see renderRealStack).
 */
export async function createRealCluster(
    label: string,
    options: { render?: string[]; claimPaths?: Record<string, string>; prefix?: string; subnet?: string; stack?: string } = {},
): Promise<FakeKubelet> {
    const objects = renderRealStack(options.render, options.stack);
    return FakeKubelet.create({
        prefix: options.prefix ?? runPrefix(),
        subnet: options.subnet ?? runSubnet(),
        claimPaths: options.claimPaths,
        workDir: fs.mkdtempSync(path.join(os.tmpdir(), `mysql-statefulset-${label}-`)),
        objects,
    });
}

/** Runs SQL as root in a pod's mysql container (cluster.sql), the password read from the pod's client option file; `columnNames` for `\G`. */
export function rootSql(
    cluster: FakeKubelet,
    ordinal: number,
    statement: string,
    timeoutMs = 60_000,
    columnNames = false,
): Promise<ExecResult> {
    const client = [`--defaults-extra-file=${ROOT_CLIENT_CONFIG}`, "--host=127.0.0.1"];
    return cluster.sql(ordinal, CONTAINERS.mysql, statement, { client, columnNames, timeoutMs });
}

/** Runs SQL as root on a pod and returns its output; a failure fails the test with the statement and stderr. */
export async function sqlOn(cluster: FakeKubelet, ordinal: number, statement: string, timeoutMs?: number): Promise<string> {
    const run = await rootSql(cluster, ordinal, statement, timeoutMs);
    assert.strictEqual(run.code, 0, `mysql-${ordinal}: ${statement}\n${run.stderr}`);
    return run.stdout.trim();
}

/**
 * Waits (up to 2 minutes) until every pod has `rows` rows in `table` with the same CHECKSUM TABLE, then
 * asserts both; returns how long it took (ms).
 */
export async function assertConverged(cluster: FakeKubelet, ordinals: number[], rows: number, table = "shop.orders"): Promise<number> {
    const state = (ordinal: number) => sqlOn(cluster, ordinal, `SELECT COUNT(*) FROM ${table}; CHECKSUM TABLE ${table}`);
    let states: string[] = [];
    const took = await waitFor(
        async () => {
            states = await Promise.all(ordinals.map(state));
            return states.every((s) => s === states[0]) && states[0].startsWith(`${rows}\n`);
        },
        {
            timeoutMs: 120_000,
            everyMs: 250,
            what: () => `${rows} rows in ${table} and one checksum on every pod: ${JSON.stringify(states)}`,
        },
    );
    assert.deepStrictEqual(
        states.map((s) => Number(s.split("\n")[0])),
        ordinals.map(() => rows),
        `row counts of ${table} per pod`,
    );
    assert.deepStrictEqual(
        states.map((s) => s.split("\n")[1]),
        ordinals.map(() => states[0].split("\n")[1]),
        `CHECKSUM TABLE ${table} per pod`,
    );
    return took;
}

/**
 * Watches every process on the host, for as long as it runs, for the secrets `secrets()` names in its command
 * line or environment (`files`): each process is read when it first appears and re-read for `rereadMs` after (a fork's
 * command line changes at its exec), every `everyMs`. A process that starts and ends between two looks is
 * not seen; `processes` says how many were. Cheap enough to run beside a whole suite: only new processes are read.
 */
export class ProcessWatch {
    /** Where a secret was seen: "/proc/PID/cmdline (comm)". */
    readonly leaks = new Set<string>();
    /** How many processes were read at least once. */
    processes = 0;
    private readonly firstSeen = new Map<number, number>();
    private running = true;
    private readonly loop: Promise<void>;

    constructor(
        private readonly secrets: () => string[],
        private readonly files: readonly ("cmdline" | "environ")[] = ["cmdline", "environ"],
        everyMs = 20,
        private readonly rereadMs = 1000,
    ) {
        this.loop = (async () => {
            while (this.running) {
                this.look();
                await new Promise((resolve) => setTimeout(resolve, everyMs));
            }
        })();
    }

    private look(): void {
        const secrets = this.secrets();
        const now = Date.now();
        const present = new Set(
            fs
                .readdirSync("/proc")
                .filter((name) => /^[0-9]+$/.test(name))
                .map(Number),
        );
        // A pid gone is forgotten, so that its reuse by a new process is read as new.
        for (const pid of this.firstSeen.keys()) {
            if (!present.has(pid)) this.firstSeen.delete(pid);
        }
        for (const pid of present) {
            const first = this.firstSeen.get(pid);
            if (first === undefined) {
                this.firstSeen.set(pid, now);
                this.processes++;
            } else if (now - first > this.rereadMs) {
                continue;
            }
            for (const file of this.files) {
                try {
                    const content = fs.readFileSync(`/proc/${pid}/${file}`).toString("latin1");
                    if (secrets.some((secret) => content.includes(secret))) {
                        this.leaks.add(`/proc/${pid}/${file} (${fs.readFileSync(`/proc/${pid}/comm`, "utf8").trim()})`);
                    }
                } catch {
                    // The process ended while we looked.
                }
            }
        }
    }

    /** Stops watching; resolves once the last look is done. */
    async stop(): Promise<void> {
        this.running = false;
        await this.loop;
    }
}
