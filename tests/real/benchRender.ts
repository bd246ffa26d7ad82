// The render part of `npm run bench`: the docs' command, the render started directly, and a 100-replica
// render, each as a ratio to its floor measured in the same run (tests/real/renderFloor.cjs: node and the
// same Pulumi SDKs registering the same resources under mocks and printing YAML). Commands run in
// interleaved rounds, so that load from elsewhere on the machine falls on all of them alike; medians.
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { spawnSync } from "child_process";

const ROOT = path.resolve(__dirname, "..", "..");
const ROUNDS = Number(process.env.BENCH_RENDER_ROUNDS ?? 7);

/** The custom resources the render registers for these render arguments, as the floor reads them. */
export function registrationsFile(dir: string, label: string, args: string[]): string {
    const program = `
        const { parseArgs, render } = require("./scripts/render");
        const { registrations } = require("./scripts/render/mockRuntime");
        const { unwrapSecrets } = require("./scripts/render/secrets");
        render(parseArgs(${JSON.stringify(args)})).then(() => {
            const custom = registrations.filter((r) => r.custom).map((r) => ({ type: r.type, name: r.name, inputs: unwrapSecrets(r.inputs) }));
            process.stdout.write(JSON.stringify(custom));
        });`;
    const run = spawnSync(process.execPath, ["--require", "ts-node/register/transpile-only", "-e", program], {
        cwd: ROOT,
        encoding: "utf8",
    });
    if (run.status !== 0) {
        throw new Error(`listing the render's resources failed: ${run.stderr}`);
    }
    const file = path.join(dir, `${label}.json`);
    fs.writeFileSync(file, run.stdout);
    return file;
}

interface Command {
    label: string;
    argv: string[];
    times: number[];
    documents?: number;
}

function median(values: number[]): number {
    const sorted = [...values].sort((a, b) => a - b);
    const middle = Math.floor(sorted.length / 2);
    return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

function timeOnce(command: Command): void {
    const started = process.hrtime.bigint();
    const run = spawnSync(command.argv[0], command.argv.slice(1), { cwd: ROOT, encoding: "utf8", maxBuffer: 64 * 2 ** 20 });
    const ms = Number(process.hrtime.bigint() - started) / 1e6;
    if (run.status !== 0) {
        throw new Error(`${command.argv.join(" ")} failed: ${run.stderr}`);
    }
    const documents = run.stdout.split(/^---$/m).length;
    if (command.documents !== undefined && command.documents !== documents) {
        throw new Error(`${command.label}: ${documents} YAML documents, against ${command.documents} before`);
    }
    command.documents = documents;
    command.times.push(ms);
}

export async function benchRender(): Promise<void> {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "bench-render-"));
    try {
        const node = process.execPath;
        // The dev stack with 100 replicas, its NFS paths by pattern (it lists five).
        const stack100 = path.join(dir, "Pulumi.replicas-100.yaml");
        fs.writeFileSync(
            stack100,
            fs
                .readFileSync(path.join(ROOT, "Pulumi.dev.yaml"), "utf8")
                .replace(
                    /^( {2}mysql-statefulset:nfsPaths:\n)( {4}- .*\n)+/m,
                    "  mysql-statefulset:nfsPathPattern: /data/volumes/v{number}\n",
                )
                .replace(/^( {2}mysql-statefulset:replicas:).*$/m, "$1 100"),
        );
        const floor3 = registrationsFile(dir, "replicas-3", ["--stack", "dev"]);
        const floor100 = registrationsFile(dir, "replicas-100", ["--config-file", stack100]);
        const command = (label: string, ...argv: string[]): Command => ({ label, argv, times: [] });
        const c = {
            floor: command("floor", node, "tests/real/renderFloor.cjs", floor3),
            readme: command("readme", "npm", "run", "-s", "render", "--", "--stack", "dev"),
            direct: command("direct", node, "scripts/render.cjs", "--stack", "dev"),
            floor100: command("floor100", node, "tests/real/renderFloor.cjs", floor100),
            direct100: command("direct100", node, "scripts/render.cjs", "--config-file", stack100),
            // The floor with the render's own deferral of unused SDK modules: what is left is the render's own cost.
            leanFloor: command("leanFloor", node, "tests/real/renderFloor.cjs", floor3, "--defer"),
        };
        const all = Object.values(c);
        timeOnce(c.direct); // compiles the render when the sources changed: not timed below
        c.direct.times = [];
        for (let round = 0; round < ROUNDS; round++) {
            // A different order each round, so no command always follows the same one.
            for (let i = 0; i < all.length; i++) {
                timeOnce(all[(i + round) % all.length]);
            }
        }
        for (const [floor, render] of [
            [c.floor, c.direct],
            [c.floor100, c.direct100],
        ]) {
            if (floor.documents !== render.documents) {
                throw new Error(
                    `${floor.label} printed ${floor.documents} objects, ${render.label} ${render.documents}: the floor is not the same work`,
                );
            }
        }
        const m = Object.fromEntries(all.map((x) => [x.label, median(x.times)])) as Record<keyof typeof c, number>;
        const ratio = (a: number, b: number) => `${(a / b).toFixed(2)}×`;
        const ms = (v: number) => `${v.toFixed(0).padStart(5)} ms`;
        console.log(
            `render (medians of ${ROUNDS} interleaved runs; floor: node + the Pulumi SDKs registering the same resources under mocks, printing YAML)`,
        );
        console.log(`  floor, dev stack (${c.floor.documents} objects):            ${ms(m.floor)}`);
        console.log(`  npm run -s render -- --stack dev:          ${ms(m.readme)} = ${ratio(m.readme, m.floor)} floor (goal ≤ 1.25×)`);
        console.log(`  node scripts/render.cjs --stack dev:       ${ms(m.direct)} = ${ratio(m.direct, m.floor)} floor (goal ≤ 1.15×)`);
        console.log(`  floor, 100 replicas (${c.floor100.documents} objects):         ${ms(m.floor100)}`);
        console.log(
            `  the dev stack with 100 replicas:            ${ms(m.direct100)} = ${ratio(m.direct100, m.floor100)} its floor (goal ≤ 1.25×); ` +
                `100 / 3 replicas: ${ratio(m.direct100, m.direct)} (floor: ${ratio(m.floor100, m.floor)})`,
        );
        console.log(
            `  floor with the render's SDK deferral:      ${ms(m.leanFloor)}; the render's own cost: direct = ${ratio(m.direct, m.leanFloor)} of it`,
        );
    } finally {
        fs.rmSync(dir, { recursive: true, force: true });
    }
}

if (require.main === module) {
    benchRender().catch((error) => {
        console.error(error);
        process.exit(1);
    });
}
