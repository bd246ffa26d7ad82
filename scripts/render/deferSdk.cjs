// Keeps parts of the Pulumi SDK that the render never calls from loading (scripts/render.cjs; the bench's
// render floor uses it too, to show the render's own cost). Plain JavaScript: it runs before the render.
"use strict";

const Module = require("module");

/**
 * Modules of @pulumi/pulumi that its index loads eagerly but that only serialize closures (dynamic
 * providers, `serializeFunction`): they load the TypeScript compiler and npm's arborist, over half of the
 * render's start-up. Each is replaced by a stand-in whose functions load the real module on first call, so
 * a program that does use them still works, only not faster. The SDK's index only copies these modules'
 * functions (nothing extends a class of theirs), which is what makes a stand-in of functions enough. A
 * module the installed SDK no longer has is skipped.
 */
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
