// Runs this project the way `pulumi up` would start it, under Pulumi's mock runtime, and prints what was
// loaded and registered as JSON. It takes the two steps Pulumi takes: the CLI turns Pulumi.yaml's `main`
// into a working directory and an entry point (a file `main` gives its folder and its name; no `main` gives
// the project folder and "."), then the SDK's own `cmd/run` picks the file to load from that entry point
// (for ".": package.json `exports`, then `main`, then the folder). Only the first step is restated here;
// the second is the SDK's code, called as the language host calls it.
//
//   node -r ts-node/register/transpile-only tests/support/runAsPulumi.ts [--ignore-main]
//
// --ignore-main runs the project as if Pulumi.yaml had no `main`: the case the packaging test shows is a
// hazard once the library is built.

import * as fs from "fs";
import * as path from "path";
import * as yaml from "js-yaml";
import { installMocks, registrations, settle } from "../../scripts/render/mockRuntime";
import { loadConfig } from "../../scripts/render";

const ROOT = path.resolve(__dirname, "..", "..");

/** The CLI's split of Pulumi.yaml `main` into the program's working directory and entry point. */
export function pulumiEntryPoint(root: string, main: string | undefined): { pwd: string; entryPoint: string } {
    if (main === undefined || main === "") {
        return { pwd: root, entryPoint: "." };
    }
    const target = path.resolve(root, main);
    if (!target.startsWith(path.resolve(root))) {
        throw new Error(`Pulumi.yaml main ${JSON.stringify(main)} must be inside the project`);
    }
    return fs.statSync(target).isDirectory()
        ? { pwd: target, entryPoint: "." }
        : { pwd: path.dirname(target), entryPoint: path.basename(target) };
}

async function main(): Promise<void> {
    const project = yaml.load(fs.readFileSync(path.join(ROOT, "Pulumi.yaml"), "utf8")) as { name: string; main?: string };
    const ignoreMain = process.argv.includes("--ignore-main");
    const { pwd, entryPoint } = pulumiEntryPoint(ROOT, ignoreMain ? undefined : project.main);

    const { config, secretKeys } = loadConfig({ stack: "dev", configFile: path.join(ROOT, "Pulumi.dev.yaml"), overrides: [] });
    installMocks(project.name, "dev", config, secretKeys);
    process.chdir(pwd);
    // The language host's options for a TypeScript project; transpile-only, as type-checking is npm test's job.
    process.env.PULUMI_NODEJS_TRANSPILE_ONLY = "true";
    const before = new Set(Object.keys(require.cache));
    // cmd/run/run.js imports its folder's index.js only for an exit code, and that module starts the CLI
    // (it parses process.argv and exits without --monitor) when loaded: stand in for it.
    const cliModule = require.resolve("@pulumi/pulumi/cmd/run/index.js");
    require.cache[cliModule] = {
        id: cliModule,
        filename: cliModule,
        loaded: true,
        exports: { nodeJSProcessExitedAfterLoggingUserActionableMessage: 32 },
    } as NodeModule;
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- the SDK's entry-point module has no typings
    const { run } = require("@pulumi/pulumi/cmd/run/run");
    await run(
        { _: [entryPoint] },
        () => undefined,
        () => undefined,
        () => false,
    );
    await settle();

    const loaded = Object.keys(require.cache)
        .filter((file) => !before.has(file) && !file.includes(`${path.sep}node_modules${path.sep}`))
        .map((file) => path.relative(ROOT, file));
    process.stdout.write(
        JSON.stringify({
            entryPoint,
            loaded,
            registered: registrations.map((r) => `${r.type}::${r.name}`),
        }),
    );
}

main().catch((error) => {
    process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
    process.exit(1);
});
