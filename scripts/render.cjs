#!/usr/bin/env node
// `npm run render -- ARGS` (package.json runs this file with node, no shell): the offline render of
// scripts/render.ts, started without type-checking or transpiling. It
//   1. installs the npm dependencies when they are missing or older than the lockfile (scripts/ensure-deps.sh);
//   2. runs the render's JavaScript from node_modules/.cache/mysql-statefulset-render/HASH/, where HASH is a
//      hash of every TypeScript source the render can load (index.ts, components/, scripts/) and of
//      tsconfig.json: a copy made from other sources is never run. When there is no copy for the current
//      sources, it transpiles them once (TypeScript's transpileModule, as ts-node's transpile-only mode does;
//      `npx tsc --noEmit -p .` and `npm test` check the types), which takes a second or two;
//   3. leaves unloaded the parts of the Pulumi SDK that the render never calls (./render/deferSdk.cjs).
// Plain JavaScript (CommonJS), as it runs before anything is compiled. Its only output is the render's.
"use strict";

const crypto = require("crypto");
const fs = require("fs");
const path = require("path");
const { spawnSync } = require("child_process");
const { deferUnusedSdkModules } = require("./render/deferSdk.cjs");

const ROOT = path.resolve(__dirname, "..");
const CACHE = path.join(ROOT, "node_modules", ".cache", "mysql-statefulset-render");
/** What the compiled copy is made from: the program, and every TypeScript file under these folders. */
const SOURCE_FILES = ["index.ts", "tsconfig.json"];
const SOURCE_DIRS = ["components", "scripts"];

function ensureDependencies() {
    const mtime = (file) => fs.statSync(path.join(ROOT, file), { throwIfNoEntry: false })?.mtimeMs;
    const installed = mtime("node_modules/.package-lock.json");
    if (installed === undefined || mtime("package-lock.json") > installed) {
        const run = spawnSync("bash", [path.join(ROOT, "scripts", "ensure-deps.sh")], { stdio: ["ignore", 2, 2] });
        if (run.status !== 0) {
            fail("installing the npm dependencies failed (npm's messages above): run `npm ci` and try again.");
        }
    }
}

/** The TypeScript sources (paths relative to ROOT), sorted. */
function sources() {
    const files = [...SOURCE_FILES];
    for (const dir of SOURCE_DIRS) {
        for (const file of fs.readdirSync(path.join(ROOT, dir), { recursive: true })) {
            if (file.endsWith(".ts")) {
                files.push(path.join(dir, file));
            }
        }
    }
    return files.sort();
}

/**
 * The folder holding the render compiled from the current sources; compiles it when there is none. Kept
 * instead of ts-node (issue #23: a trick stays only with its measured reason): ts-node's transpile-only mode
 * transpiles every source on every run, and the render then takes 7148 ms = 2.74× the bench's floor
 * (2608 ms) for the dev stack and 2.63× for 100 replicas, against 0.61× and 0.83× from this copy (medians of
 * 7 interleaved runs, tests/real/benchRender.ts's commands, 2-core test machine under load, 2026-12-07; goal
 * ≤ 1.25×). Node 20 cannot run TypeScript itself; where Node strips types natively this can go.
 */
function compiledRender() {
    const files = sources();
    const hash = crypto.createHash("sha256");
    for (const file of files) {
        hash.update(`${file}\0`)
            .update(fs.readFileSync(path.join(ROOT, file)))
            .update("\0");
    }
    const key = hash.digest("hex").slice(0, 16);
    const out = path.join(CACHE, key);
    if (!fs.existsSync(path.join(out, "scripts", "render.js"))) {
        compile(files, out);
    }
    return out;
}

function compile(files, out) {
    if (process.stderr.isTTY) {
        process.stderr.write("render: compiling the render for these sources (once)...\n");
    }
    const ts = require("typescript");
    const config = ts.readConfigFile(path.join(ROOT, "tsconfig.json"), ts.sys.readFile);
    const { options, errors } = ts.convertCompilerOptionsFromJson(config.config?.compilerOptions ?? {}, ROOT);
    if (config.error || errors.length > 0) {
        const first = config.error ?? errors[0];
        fail(`tsconfig.json: ${ts.flattenDiagnosticMessageText(first.messageText, " ")}: fix it (npx tsc --noEmit -p . shows where).`);
    }
    Object.assign(options, { sourceMap: false, declaration: false, declarationMap: false, noEmit: false });
    // Written beside the final folder and renamed into place, so a concurrent render never reads half a copy.
    const staging = `${out}.tmp-${process.pid}`;
    fs.rmSync(staging, { recursive: true, force: true });
    for (const file of files.filter((f) => f.endsWith(".ts") && !f.endsWith(".d.ts"))) {
        const { outputText, diagnostics } = ts.transpileModule(fs.readFileSync(path.join(ROOT, file), "utf8"), {
            compilerOptions: options,
            fileName: file,
            reportDiagnostics: true,
        });
        if (diagnostics.length > 0) {
            fs.rmSync(staging, { recursive: true, force: true });
            const [first] = diagnostics;
            const line = first.file ? `:${first.file.getLineAndCharacterOfPosition(first.start).line + 1}` : "";
            fail(
                `${file}${line}: ${ts.flattenDiagnosticMessageText(first.messageText, " ")}: fix the source (npx tsc --noEmit -p . lists every error).`,
            );
        }
        const target = path.join(staging, file.replace(/\.ts$/, ".js"));
        fs.mkdirSync(path.dirname(target), { recursive: true });
        fs.writeFileSync(target, outputText);
    }
    try {
        fs.renameSync(staging, out);
    } catch (error) {
        // Another render compiled the same sources first: use its copy.
        fs.rmSync(staging, { recursive: true, force: true });
        if (!fs.existsSync(out)) {
            throw error;
        }
    }
    // Copies made from earlier sources are never run again; staging folders of concurrent runs stay.
    for (const entry of fs.readdirSync(CACHE)) {
        if (entry !== path.basename(out) && !entry.includes(".tmp-")) {
            fs.rmSync(path.join(CACHE, entry), { recursive: true, force: true });
        }
    }
}

/**
 * npm prints its banner (`> mysql-statefulset@VERSION render`, then the command) on stdout before the script
 * starts, unless it runs silent (`npm run -s`). On a terminal that is only noise; in a file or a pipe the YAML
 * after it is not valid YAML, so the render stops before writing anything and says how to run it.
 */
function refuseNpmBanner() {
    if (process.env.npm_lifecycle_event === "render" && process.env.npm_config_loglevel !== "silent" && !process.stdout.isTTY) {
        fail(
            "npm printed its `> mysql-statefulset@… render` banner into this output, which is not a terminal, so the file " +
                "or pipe would not be YAML: run `npm run -s render -- …` (npm's --silent), or `node scripts/render.cjs …`.",
        );
    }
}

function fail(message) {
    process.stderr.write(`render: ${message}\n`);
    process.exit(1);
}

refuseNpmBanner();
ensureDependencies();
const compiled = compiledRender();
// Measured reason beside DEFERRED in ./render/deferSdk.cjs: without it the README's command is 1.30–1.37× the floor.
deferUnusedSdkModules(ROOT);
require(path.join(compiled, "scripts", "render.js")).runCli(process.argv.slice(2));
