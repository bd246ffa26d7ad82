// The package folder's entry for Pulumi's Node.js host, the `main` of package.json (consumers that
// `require("mysql-statefulset")` get the library through `exports` instead). `pulumi package add <this
// folder>` reads PulumiPlugin.yaml (`runtime: nodejs`); the host then starts `@pulumi/pulumi/cmd/run-plugin
// <folder> <engine address>`, which `require`s the folder (package.json `main`, this file), serves any
// ComponentResource class it exports with the SDK's experimental component host, and otherwise calls an
// exported function. This file exports only that function, so the host starts this package's own provider
// (provider.ts): its schema with defaults and secrets, and the change guard other languages need.

import * as pulumi from "@pulumi/pulumi";
import { serve } from "./provider";

export = function servePlugin(): Promise<void> {
    // cmd/run (a program run) calls an exported function too: this file named as a program by mistake
    // (Pulumi.yaml `main`) must not start a provider and wait for ever. (Without `main`, cmd/run takes
    // package.json `exports` first: the library.)
    if (pulumi.runtime.hasMonitor()) {
        throw new Error(
            "bin/components/plugin.js is the package's plugin entry, not a program: name the program in Pulumi.yaml (`main: index.ts`).",
        );
    }
    // cmd/run-plugin has set process.argv to [node, run-plugin, ...the engine's arguments].
    return serve(process.argv.slice(2));
};
