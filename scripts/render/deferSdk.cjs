// Keeps parts of the Pulumi SDK that the render never calls from loading (scripts/render.cjs; the bench's
// render floor uses it too, to show the render's own cost). Plain JavaScript: it runs before the render.
"use strict";

const Module = require("module");

/**
 * Modules of @pulumi/pulumi that its index loads eagerly but that only serialize closures (dynamic
 * providers, `serializeFunction`): they load the TypeScript compiler and npm's arborist, about 1 s of the
 * render's 2.7 s here. Each is replaced by a stand-in whose functions load the real module on first call, so
 * a program that does use them still works, only not faster. The SDK's index only copies these modules'
 * functions (nothing extends a class of theirs), which is what makes a stand-in of functions enough. A
 * module the installed SDK no longer has is skipped.
 */
// Kept because the README's command misses its goal without it (issue #23: a trick stays only with its measured
// reason). `npm run -s render -- --stack dev` against the bench's floor (tests/real/benchRender.ts: node and the
// same SDKs registering the same resources), medians of interleaved runs on the 2-core test machine under
// load, 2026-12-07, two runs (9 and 11 rounds): 0.91× and 0.93× the floor with it, 1.30× and 1.37× without
// (3592 ms against 2760 ms; 2916 ms against 2134 ms; goal ≤ 1.25×). The render started directly is 0.97× and
// 1.15× without it (100 replicas 1.10×, 1.05×), so what this buys is room for npm's own start-up, which the
// README's command pays on top. If the SDK stops loading these
// modules eagerly, or the figures say otherwise, remove this file and its call in render.cjs.
const DEFERRED = ["@pulumi/pulumi/runtime/closure/serializeClosure", "@pulumi/pulumi/runtime/closure/codePaths"];

/** Puts a stand-in for each DEFERRED module, as resolved from `root`, into require's cache. */
function deferUnusedSdkModules(root) {
    for (const id of DEFERRED) {
        let file;
        try {
            file = require.resolve(id, { paths: [root] });
        } catch {
            continue;
        }
        let real;
        const load = () => {
            if (real === undefined) {
                delete require.cache[file];
                real = require(file);
            }
            return real;
        };
        const standIn = new Proxy(
            {},
            {
                get: (_, name) =>
                    name === "__esModule" ? true : typeof name === "string" ? (...args) => load()[name](...args) : undefined,
            },
        );
        const module = new Module(file);
        Object.assign(module, { filename: file, loaded: true, exports: standIn });
        require.cache[file] = module;
    }
}

module.exports = { DEFERRED, deferUnusedSdkModules };
