// Offline render: evaluates the Pulumi program (index.ts) under the mock runtime with one stack's config
// and prints every Kubernetes object it would create as multi-document YAML on stdout, secret values
// masked. Bad config: exit 1 with a message on stderr naming the setting, the value and the fix, never a
// stack trace. This file is the command line; the config loading and the masking are in ./render/.
//
//   npm run render -- [--stack dev | --config-file FILE] [--config key=value]... [--secret key=value]...
//   (see USAGE, printed by --help)

/* eslint-disable @typescript-eslint/no-explicit-any -- the rendered objects are the engine's inputs: untyped JSON of any kind */

import * as path from "path";
import * as yaml from "js-yaml";
import { clearRegistrations, installMocks, Registration, registrations, settle } from "./render/mockRuntime";
import { MASK, maskSecretObject, unwrapSecrets } from "./render/secrets";
import { loadConfig, Options, RenderError, ROOT, parseStackCommandLine } from "./render/stackConfig";
import { RenderState } from "./render/state";

export { MASK, unwrapSecrets } from "./render/secrets";
export { loadConfig, RenderError } from "./render/stackConfig";

/** The order objects are printed in: what others refer to first, as `kubectl apply` would want. */
const KIND_ORDER = [
    "PersistentVolume",
    "PersistentVolumeClaim",
    "ServiceAccount",
    "Secret",
    "ConfigMap",
    "Service",
    "NetworkPolicy",
    "PodDisruptionBudget",
    "StatefulSet",
    "CronJob",
];

export const USAGE = `Usage: npm run render -- [--stack NAME | --config-file FILE] [--config KEY=VALUE]... [--secret KEY=VALUE]...
                          [--show-secrets [--state FILE]]

Prints every Kubernetes object the Pulumi program would create for one stack, as YAML on stdout, with
secret values masked. No cluster and no Pulumi CLI are needed: the program runs under Pulumi's mocks.

  -s, --stack NAME         the stack whose Pulumi.NAME.yaml to read (default: dev)
      --config-file FILE   read the stack's config from FILE instead
  -c, --config KEY=VALUE   set a setting, as \`pulumi config set KEY VALUE\` would (repeatable)
      --secret KEY=VALUE   set a setting as a secret, as \`pulumi config set --secret\` would (repeatable)
      --show-secrets       print secret values; generated passwords, keys and certificates are then real
                           (needs OpenSSL 3), so the YAML can be applied as it is
      --state FILE         with --show-secrets: keep the generated values in FILE between renders, as
                           Pulumi's state keeps them between \`pulumi up\`s: a render with the same FILE
                           reuses each one whose resource's inputs are unchanged, so a render with other
                           settings keeps the passwords and TLS material (FILE holds them in plain text)
  -h, --help               print this help

KEY is a setting of Pulumi.yaml, bare (replicas) or qualified (mysql-statefulset:replicas).
Exit status: 0 with the YAML on stdout; 1 with a message on stderr that names the setting and the fix.
`;

/** The command line, or `undefined` when help was asked for. */
export function parseArgs(argv: string[]): Options | undefined {
    let parsed: ReturnType<typeof parseCommandLine>;
    try {
        parsed = parseCommandLine(argv);
    } catch (error) {
        // Node's messages name the option; ours add what to write instead.
        throw new RenderError(`${(error as Error).message.split(". ")[0]}. Run with --help for the options.`);
    }
    const { values } = parsed;
    if (values.help) {
        return undefined;
    }
    const overrides: Options["overrides"] = [];
    for (const [flag, secret] of [
        ["config", false],
        ["secret", true],
    ] as const) {
        for (const item of values[flag] ?? []) {
            const eq = item.indexOf("=");
            if (eq <= 0) {
                throw new RenderError(`--${flag} ${JSON.stringify(item)}: write it as key=value.`);
            }
            overrides.push({ key: item.slice(0, eq), value: item.slice(eq + 1), secret });
        }
    }
    // Relative to where the user typed the command: `npm run render` runs from the package's folder and says
    // where it was started in INIT_CWD (set for every script of an npm run: used only when it runs this one).
    const typedIn = process.env.npm_lifecycle_event === "render" ? process.env.INIT_CWD : undefined;
    const fromUser = (file: string) => path.resolve(typedIn ?? process.cwd(), file);
    const configFile = values["config-file"] === undefined ? undefined : fromUser(values["config-file"]);
    if (values.state !== undefined && !values["show-secrets"]) {
        throw new RenderError("--state keeps generated values, which are real only with --show-secrets: add --show-secrets.");
    }
    const stack = values.stack ?? (configFile ? path.basename(configFile).replace(/^Pulumi\.|\.ya?ml$/g, "") : "dev");
    return {
        stack,
        configFile: configFile ?? path.join(ROOT, `Pulumi.${stack}.yaml`),
        overrides,
        showSecrets: values["show-secrets"] ?? false,
        stateFile: values.state === undefined ? undefined : fromUser(values.state),
    };
}

function parseCommandLine(argv: string[]) {
    return parseStackCommandLine(argv, {
        config: { type: "string", short: "c", multiple: true },
        secret: { type: "string", multiple: true },
        "show-secrets": { type: "boolean" },
        state: { type: "string" },
    });
}

/** Runs the program under mocks and returns the Kubernetes objects it creates, secrets masked. */
export async function render(options: Options): Promise<any[]> {
    const { project, config, secretKeys } = loadConfig(options);
    const state = options.stateFile === undefined ? undefined : new RenderState(options.stateFile);
    installMocks(project, options.stack, config, secretKeys, options.showSecrets ?? false, state);
    clearRegistrations();
    // Loaded afresh each time, so that one process (the tests) can render many stacks. Found from this file:
    // index.ts beside the sources, or index.js beside the compiled copy (scripts/render.cjs).
    const program = require.resolve(path.join(__dirname, "..", "index"));
    delete require.cache[program];
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded for its side effects, afresh (cache cleared above)
    require(program);
    await settle();
    state?.save();
    const rank = (kind: string) => (KIND_ORDER.includes(kind) ? KIND_ORDER.indexOf(kind) : KIND_ORDER.length);
    return foldPatches(registrations.filter((r) => r.custom && r.type.startsWith("kubernetes:")))
        .map((r) =>
            options.showSecrets
                ? unwrapSecrets(r.inputs)
                : r.inputs.kind === "Secret"
                  ? maskSecretObject(unwrapSecrets(r.inputs))
                  : unwrapSecrets(r.inputs, MASK),
        )
        .sort((a, b) => rank(a.kind) - rank(b.kind) || a.metadata.name.localeCompare(b.metadata.name));
}

/**
 * Applies each patch resource (`kubernetes:…Patch`, e.g. the passwords' SecretPatch) to the object of its kind and
 * name, as the API server's server-side apply would, so the render prints one object per name: what the cluster
 * ends up with.
 */
function foldPatches(kubernetes: readonly Registration[]): Registration[] {
    const key = (r: Registration) => `${r.inputs.kind}/${r.inputs.metadata?.namespace ?? ""}/${r.inputs.metadata?.name}`;
    const objects = kubernetes.filter((r) => !r.type.endsWith("Patch"));
    const byKey = new Map(objects.map((r) => [key(r), r]));
    for (const patch of kubernetes.filter((r) => r.type.endsWith("Patch"))) {
        const target = byKey.get(key(patch));
        if (target === undefined) throw new Error(`${patch.type} ${patch.name} patches ${key(patch)}, which the program does not create`);
        const { metadata, ...fields } = patch.inputs;
        const merged = { ...target.inputs, ...fields, metadata: { ...target.inputs.metadata, ...metadata } };
        byKey.set(key(patch), { ...target, inputs: merged });
    }
    return objects.map((r) => byKey.get(key(r)) as Registration);
}

export function toYaml(objects: any[]): string {
    return objects.map((o) => yaml.dump(o, { noRefs: true, lineWidth: -1, sortKeys: false })).join("---\n");
}

/** What the user reads for an error: our own messages as they are, anything else without its stack trace. */
export function describeError(error: unknown): string {
    if (error instanceof RenderError || (error instanceof Error && error.name === "MySqlClusterArgsError")) {
        return error.message;
    }
    const message = error instanceof Error ? error.message : String(error);
    return process.env.RENDER_DEBUG
        ? String(error instanceof Error ? error.stack : error)
        : `internal error: ${message}. This is a bug in the render or the component; please report it with the ` +
              `command line (RENDER_DEBUG=1 prints the stack trace).`;
}

/** What a run prints and exits with. */
export interface RenderRun {
    status: number;
    stdout: string;
    stderr: string;
}

/** The whole command, in this process: the CLI below and the tests call it. */
export async function main(argv: string[]): Promise<RenderRun> {
    try {
        const options = parseArgs(argv);
        if (options === undefined) {
            return { status: 0, stdout: USAGE, stderr: "" };
        }
        return { status: 0, stdout: toYaml(await render(options)), stderr: "" };
    } catch (error) {
        return { status: 1, stdout: "", stderr: `render: ${describeError(error)}\n` };
    }
}

/** The command line: the YAML on stdout, or a message on stderr and exit status 1. */
export function runCli(argv: string[]): void {
    const fail = (error: unknown) => {
        process.stderr.write(`render: ${describeError(error)}\n`);
        process.exit(1);
    };
    process.on("unhandledRejection", fail);
    process.on("uncaughtException", fail);
    main(argv).then((run) => {
        process.stdout.write(run.stdout);
        process.stderr.write(run.stderr);
        process.exitCode = run.status;
    }, fail);
}

if (require.main === module) {
    runCli(process.argv.slice(2));
}
