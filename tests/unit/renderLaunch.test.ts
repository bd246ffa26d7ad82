// How `npm run render` starts (scripts/render.cjs): the render's JavaScript compiled from the current
// sources only, compiled afresh when a source changes, a source that does not parse reported by name, and
// the SDK's closure serializer (TypeScript compiler, npm's arborist) left unloaded yet still usable.
import * as assert from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { spawnSync } from "child_process";

const ROOT = path.resolve(__dirname, "..", "..");

/** A copy of the project's render inputs, with node_modules entries linked to the real ones (its own .cache). */
function projectCopy(): string {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "render-launch-"));
    for (const entry of [
        "index.ts",
        "tsconfig.json",
        "Pulumi.yaml",
        "Pulumi.dev.yaml",
        "package.json",
        "package-lock.json",
        "components",
        "pod",
        "scripts",
    ]) {
        fs.cpSync(path.join(ROOT, entry), path.join(dir, entry), { recursive: true });
    }
    fs.mkdirSync(path.join(dir, "node_modules"));
    for (const entry of fs.readdirSync(path.join(ROOT, "node_modules"))) {
        if (entry !== ".cache" && entry !== ".package-lock.json") {
            fs.symlinkSync(path.join(ROOT, "node_modules", entry), path.join(dir, "node_modules", entry));
        }
    }
    // Written after package-lock.json: the install counts as current, so no `npm ci` runs in the copy.
    fs.copyFileSync(path.join(ROOT, "node_modules", ".package-lock.json"), path.join(dir, "node_modules", ".package-lock.json"));
    return dir;
}

function launch(dir: string, ...args: string[]) {
    return spawnSync(process.execPath, [path.join(dir, "scripts", "render.cjs"), ...args], { cwd: dir, encoding: "utf8" });
}

describe("scripts/render.cjs (how `npm run render` starts)", () => {
    let dir: string;
    const cache = () => fs.readdirSync(path.join(dir, "node_modules", ".cache", "mysql-statefulset-render"));

    before(() => {
        dir = projectCopy();
    });
    after(() => fs.rmSync(dir, { recursive: true, force: true }));

    it("renders from a compiled copy of the sources, and compiles afresh when a source changes", () => {
        const first = launch(dir, "--stack", "dev");
        assert.strictEqual(first.status, 0, first.stderr);
        assert.strictEqual(first.stderr, "");
        assert.match(first.stdout, /^kind: StatefulSet$/m);
        const [copy] = cache();
        assert.ok(fs.existsSync(path.join(dir, "node_modules", ".cache", "mysql-statefulset-render", copy, "scripts", "render.js")));

        const source = path.join(dir, "scripts", "render.ts");
        fs.writeFileSync(source, fs.readFileSync(source, "utf8").replace("Usage: npm run render", "Usage (changed): npm run render"));
        const changed = launch(dir, "--help");
        assert.strictEqual(changed.status, 0, changed.stderr);
        assert.ok(changed.stdout.startsWith("Usage (changed): npm run render"), changed.stdout);
        assert.strictEqual(cache().length, 1, "the copy of the old sources is removed");
        assert.notStrictEqual(cache()[0], copy);
    });

    it("names the file and line of a source that does not parse, with exit status 1", () => {
        const source = path.join(dir, "components", "names.ts");
        const before = fs.readFileSync(source, "utf8");
        fs.writeFileSync(source, `${before}\nexport const broken = {;\n`);
        try {
            const run = launch(dir, "--stack", "dev");
            assert.strictEqual(run.status, 1);
            assert.strictEqual(run.stdout, "");
            assert.match(
                run.stderr,
                /^render: components\/names\.ts:\d+: .+: fix the source \(npx tsc --noEmit -p \. lists every error\)\.\n$/,
            );
        } finally {
            fs.writeFileSync(source, before);
        }
    });

    it("leaves the SDK's closure serializer unloaded, and loads it when a program calls it", () => {
        const probe = path.join(dir, "probe.js");
        fs.writeFileSync(
            probe,
            `process.on("exit", () => {
                const loaded = Object.keys(require.cache).filter((f) => /typescript\\.js$|@npmcli[\\\\/]arborist/.test(f));
                process.stderr.write(JSON.stringify(loaded));
            });`,
        );
        const run = spawnSync(process.execPath, ["--require", probe, path.join(dir, "scripts", "render.cjs"), "--stack", "dev"], {
            cwd: dir,
            encoding: "utf8",
        });
        assert.strictEqual(run.status, 0, run.stderr);
        assert.strictEqual(run.stderr, "[]");

        const program = `
            require("./scripts/render/deferSdk.cjs").deferUnusedSdkModules(process.cwd());
            const pulumi = require("@pulumi/pulumi");
            pulumi.runtime.serializeFunction(() => 42).then((f) => process.stdout.write(String(f.text.includes("42"))));`;
        const called = spawnSync(process.execPath, ["-e", program], { cwd: dir, encoding: "utf8" });
        // (Its stderr holds the warnings of what the serializer loads: Node's `sys` and WASI.)
        assert.strictEqual(called.status, 0, called.stderr);
        assert.strictEqual(called.stdout, "true");
    });
});
