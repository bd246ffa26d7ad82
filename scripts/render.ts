// Offline render: evaluates the Pulumi program (index.ts) under the mock runtime with one stack's config
// and prints every Kubernetes object it would create as multi-document YAML on stdout, secret values
// masked. Bad config: exit 1 with a message on stderr naming the setting, the value and the fix.
//
//   npm run render -- [--stack dev | --config-file FILE] [--config key=value]... [--secret key=value]...
//   (see USAGE, printed by --help)

import * as fs from "fs";
import * as path from "path";
import { parseArgs as parseArgsOfNode } from "util";
import * as yaml from "js-yaml";
import { installMocks, registrations, settle, unwrapSecrets } from "./mockRuntime";

export { unwrapSecrets };

const ROOT = path.resolve(__dirname, "..");
/** What a secret value is printed as. */
export const MASK = "[secret]";
/** The order objects are printed in: what others refer to first, as `kubectl apply` would want. */
const KIND_ORDER = ["PersistentVolume", "Secret", "ConfigMap", "Service", "NetworkPolicy", "StatefulSet"];

/** A mistake in the command line or the stack's config, reported without a stack trace. */
export class RenderError extends Error {}

interface Declaration {
    type?: "string" | "integer" | "boolean" | "array";
    items?: { type?: string };
    default?: unknown;
    secret?: boolean;
    description?: string;
}

interface Options {
    stack: string;
    configFile: string;
    overrides: Array<{ key: string; value: string; secret: boolean }>;
    /** Print secret values instead of masking them; generated ones are then generated for real. */
    showSecrets?: boolean;
}

export const USAGE = `Usage: npm run render -- [--stack NAME | --config-file FILE] [--config KEY=VALUE]... [--secret KEY=VALUE]...

Prints every Kubernetes object the Pulumi program would create for one stack, as YAML on stdout, with
secret values masked. No cluster and no Pulumi CLI are needed: the program runs under Pulumi's mocks.

  -s, --stack NAME         the stack whose Pulumi.NAME.yaml to read (default: dev)
      --config-file FILE   read the stack's config from FILE instead
  -c, --config KEY=VALUE   set a setting, as \`pulumi config set KEY VALUE\` would (repeatable)
      --secret KEY=VALUE   set a setting as a secret, as \`pulumi config set --secret\` would (repeatable)
      --show-secrets       print secret values; generated passwords, keys and certificates are then real
                           (needs OpenSSL 3), so the YAML can be applied as it is
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
    for (const [flag, secret] of [["config", false], ["secret", true]] as const) {
        for (const item of values[flag] ?? []) {
            const eq = item.indexOf("=");
            if (eq <= 0) {
                throw new RenderError(`--${flag} ${JSON.stringify(item)}: write it as key=value.`);
            }
            overrides.push({ key: item.slice(0, eq), value: item.slice(eq + 1), secret });
        }
    }
    const configFile = values["config-file"] === undefined ? undefined : path.resolve(values["config-file"]);
    const stack = values.stack ?? (configFile ? path.basename(configFile).replace(/^Pulumi\.|\.ya?ml$/g, "") : "dev");
    return { stack, configFile: configFile ?? path.join(ROOT, `Pulumi.${stack}.yaml`), overrides, showSecrets: values["show-secrets"] ?? false };
}

function parseCommandLine(argv: string[]) {
    return parseArgsOfNode({
        args: argv,
        strict: true,
        allowPositionals: false,
        options: {
            stack: { type: "string", short: "s" },
            "config-file": { type: "string" },
            config: { type: "string", short: "c", multiple: true },
            secret: { type: "string", multiple: true },
            "show-secrets": { type: "boolean" },
            help: { type: "boolean", short: "h" },
        },
    });
}

function readYaml(file: string): any {
    return yaml.load(fs.readFileSync(file, "utf8"));
}

/** Checks a stack value against its declaration in Pulumi.yaml and returns it as the runtime stores it. */
function encode(key: string, value: unknown, decl: Declaration, where: string): string {
    const wrong = (expected: string) =>
        new RenderError(`\`${key}\` in ${where} is ${JSON.stringify(value)}: Pulumi.yaml declares it ${expected}; write ${expected}.`);
    switch (decl.type) {
        case "integer":
            if (typeof value === "string" && /^-?[0-9]+$/.test(value)) {
                return value;
            }
            if (!Number.isInteger(value)) {
                throw wrong("an integer");
            }
            return String(value);
        case "boolean":
            if (typeof value !== "boolean" && value !== "true" && value !== "false") {
                throw wrong("a boolean (true or false)");
            }
            return String(value);
        case "array":
            if (typeof value === "string") {
                try {
                    value = JSON.parse(value);
                } catch {
                    throw wrong("a list of strings");
                }
            }
            if (!Array.isArray(value) || value.some((item) => typeof item !== "string")) {
                throw wrong("a list of strings");
            }
            return JSON.stringify(value);
        default:
            if (typeof value !== "string") {
                throw wrong('a string (quote it, e.g. "2")');
            }
            return value;
    }
}

/**
 * Config namespaces of the Pulumi packages the program uses (`kubernetes:context`, `random:…`) and of the
 * engine (`pulumi:…`): accepted as Pulumi accepts them, and ignored, as none changes what is rendered.
 */
const PROVIDER_NAMESPACES = Object.keys(JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8")).peerDependencies ?? {})
    .filter((name) => name.startsWith("@pulumi/"))
    .map((name) => name.slice("@pulumi/".length));

/**
 * The program's setting a config key names, bare (`replicas`) or qualified (`mysql-statefulset:replicas`),
 * as Pulumi accepts both; `undefined` for a provider's key.
 */
function programKey(fullKey: string, project: string, source: string): string | undefined {
    const colon = fullKey.indexOf(":");
    if (colon < 0) {
        return fullKey;
    }
    const namespace = fullKey.slice(0, colon);
    const key = fullKey.slice(colon + 1);
    if (namespace === project) {
        return key;
    }
    if (PROVIDER_NAMESPACES.includes(namespace)) {
        return undefined;
    }
    throw new RenderError(
        `\`${fullKey}\` in ${source} belongs to a project named \`${namespace}\`, not to this one: write ` +
            `\`${project}:${key}\` (or \`${key}\`). Keys of other namespaces are taken only for ` +
            `${PROVIDER_NAMESPACES.map((n) => `\`${n}:\``).join(", ")}.`,
    );
}

function closest(key: string, known: string[]): string | undefined {
    const lower = key.toLowerCase();
    return known.find((k) => k.toLowerCase() === lower || k.toLowerCase().startsWith(lower) || lower.startsWith(k.toLowerCase()));
}

/** The program's config, as `pulumi up` would hand it over: project defaults, then the stack, then overrides. */
export function loadConfig(options: Options): { project: string; config: Record<string, string>; secretKeys: string[] } {
    const projectFile = readYaml(path.join(ROOT, "Pulumi.yaml"));
    const project: string = projectFile.name;
    const declarations: Record<string, Declaration> = projectFile.config ?? {};
    const known = Object.keys(declarations);
    if (!fs.existsSync(options.configFile)) {
        const stacks = fs.readdirSync(ROOT).flatMap((f) => /^Pulumi\.(.+)\.yaml$/.exec(f)?.[1] ?? []);
        throw new RenderError(`No stack file ${options.configFile}: use --stack with one of ${stacks.join(", ")}, or --config-file FILE.`);
    }
    const stackFile = readYaml(options.configFile) ?? {};
    const where = path.basename(options.configFile);
    const config: Record<string, string> = {};
    const secretKeys: string[] = [];
    const set = (key: string, value: unknown, source: string, secret: boolean) => {
        const decl = declarations[key];
        if (decl === undefined) {
            const hint = closest(key, known);
            throw new RenderError(
                `\`${key}\` in ${source} is not a setting of this program: ${hint ? `did you mean \`${hint}\`? ` : ""}` +
                    `The settings are ${known.join(", ")}.`,
            );
        }
        const fullKey = `${project}:${key}`;
        if (value !== null && typeof value === "object" && !Array.isArray(value) && "secure" in value) {
            // Encrypted in the stack file; only the Pulumi CLI can decrypt it. Rendered masked either way.
            config[fullKey] = MASK;
        } else {
            if (decl.secret && !secret) {
                throw new RenderError(
                    `\`${key}\` in ${source} is a plain value, but it is a secret: set it with ` +
                        `\`pulumi config set --secret ${key} <value>\` (or --secret with render).`,
                );
            }
            config[fullKey] = encode(key, value, decl, source);
        }
        if (decl.secret || secret) {
            secretKeys.push(fullKey);
        }
    };
    for (const [key, decl] of Object.entries(declarations)) {
        if (decl.default !== undefined) {
            config[`${project}:${key}`] = encode(key, decl.default, decl, "Pulumi.yaml");
        }
    }
    for (const [fullKey, value] of Object.entries(stackFile.config ?? {})) {
        const key = programKey(fullKey, project, where);
        if (key !== undefined) {
            set(key, value, where, false);
        }
    }
    for (const { key: fullKey, value, secret } of options.overrides) {
        const source = secret ? "--secret" : "--config";
        const key = programKey(fullKey, project, source);
        if (key !== undefined) {
            set(key, value, source, secret);
        }
    }
    return { project, config, secretKeys };
}

/** A Secret with every value masked (its keys kept), whether or not they were marked secret in the program. */
function maskSecretObject(object: any): any {
    const masked = { ...object };
    for (const field of ["data", "stringData"]) {
        if (masked[field]) {
            masked[field] = Object.fromEntries(Object.keys(masked[field]).map((k) => [k, MASK]));
        }
    }
    return masked;
}

/** Runs the program under mocks and returns the Kubernetes objects it creates, secrets masked. */
export async function render(options: Options): Promise<any[]> {
    const { project, config, secretKeys } = loadConfig(options);
    installMocks(project, options.stack, config, secretKeys, options.showSecrets ?? false);
    require(path.join(ROOT, "index.ts"));
    await settle();
    const rank = (kind: string) => (KIND_ORDER.includes(kind) ? KIND_ORDER.indexOf(kind) : KIND_ORDER.length);
    return registrations
        .filter((r) => r.custom && r.type.startsWith("kubernetes:"))
        .map((r) =>
            options.showSecrets ? unwrapSecrets(r.inputs) : r.inputs.kind === "Secret" ? maskSecretObject(unwrapSecrets(r.inputs)) : unwrapSecrets(r.inputs, MASK),
        )
        .sort((a, b) => rank(a.kind) - rank(b.kind) || a.metadata.name.localeCompare(b.metadata.name));
}

export function toYaml(objects: any[]): string {
    return objects.map((o) => yaml.dump(o, { noRefs: true, lineWidth: -1, sortKeys: false })).join("---\n");
}

function fail(error: unknown): never {
    const message = error instanceof Error ? (error instanceof RenderError || error.name === "MySqlClusterArgsError" ? error.message : error.stack ?? error.message) : String(error);
    process.stderr.write(`render: ${message}\n`);
    process.exit(1);
}

if (require.main === module) {
    process.on("unhandledRejection", fail);
    process.on("uncaughtException", fail);
    (async () => {
        const options = parseArgs(process.argv.slice(2));
        if (options === undefined) {
            process.stdout.write(USAGE);
            return;
        }
        process.stdout.write(toYaml(await render(options)));
    })().catch(fail);
}
