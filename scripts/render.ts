// Offline render: evaluates the Pulumi program (index.ts) under the mock runtime with one stack's config
// and prints every Kubernetes object it would create as multi-document YAML on stdout, secret values
// masked. Bad config: exit 1 with a message on stderr naming the setting, the value and the fix.
//
//   node -r ts-node/register/transpile-only scripts/render.ts [--stack dev | --config-file FILE]
//        [--config key=value]... [--secret key=value]...

import * as fs from "fs";
import * as path from "path";
import * as yaml from "js-yaml";
import { installMocks, registrations, settle } from "./mockRuntime";

const ROOT = path.resolve(__dirname, "..");
/** What a secret value is printed as. */
export const MASK = "[secret]";
/** The order objects are printed in: what others refer to first, as `kubectl apply` would want. */
const KIND_ORDER = ["PersistentVolume", "Secret", "ConfigMap", "Service", "StatefulSet"];

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
}

function parseArgs(argv: string[]): Options {
    let stack: string | undefined;
    let configFile: string | undefined;
    const overrides: Options["overrides"] = [];
    for (let i = 0; i < argv.length; i++) {
        const flag = argv[i];
        const value = argv[i + 1];
        if (!["--stack", "--config-file", "--config", "--secret"].includes(flag)) {
            throw new RenderError(`Unknown argument ${JSON.stringify(flag)}: use --stack NAME, --config-file FILE, --config key=value or --secret key=value.`);
        }
        if (value === undefined) {
            throw new RenderError(`${flag} needs a value.`);
        }
        i++;
        if (flag === "--stack") {
            stack = value;
        } else if (flag === "--config-file") {
            configFile = path.resolve(value);
        } else {
            const eq = value.indexOf("=");
            if (eq <= 0) {
                throw new RenderError(`${flag} ${JSON.stringify(value)}: write it as key=value.`);
            }
            overrides.push({ key: value.slice(0, eq), value: value.slice(eq + 1), secret: flag === "--secret" });
        }
    }
    stack ??= configFile ? path.basename(configFile).replace(/^Pulumi\.|\.ya?ml$/g, "") : "dev";
    configFile ??= path.join(ROOT, `Pulumi.${stack}.yaml`);
    return { stack, configFile, overrides };
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
        const [namespace, key] = fullKey.includes(":") ? fullKey.split(/:(.*)/s) : [project, fullKey];
        if (namespace !== project) {
            continue; // provider settings such as kubernetes:context do not change what is rendered
        }
        set(key, value, where, false);
    }
    for (const { key, value, secret } of options.overrides) {
        set(key, value, secret ? "--secret" : "--config", secret);
    }
    return { project, config, secretKeys };
}

/** Replaces every Pulumi secret in a value with its plain value, or with `mask` when given. */
export function unwrapSecrets(value: any, mask?: string): any {
    if (Array.isArray(value)) {
        return value.map((v) => unwrapSecrets(v, mask));
    }
    if (value !== null && typeof value === "object") {
        if (value["4dabf18193072939515e22adb298388d"] === "1b47061264138c4ac30d75fd1eb44270") {
            return mask ?? unwrapSecrets(value.value);
        }
        return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, unwrapSecrets(v, mask)]));
    }
    return value;
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
    installMocks(project, options.stack, config, secretKeys);
    require(path.join(ROOT, "index.ts"));
    await settle();
    const rank = (kind: string) => (KIND_ORDER.includes(kind) ? KIND_ORDER.indexOf(kind) : KIND_ORDER.length);
    return registrations
        .filter((r) => r.custom && r.type.startsWith("kubernetes:"))
        .map((r) => (r.inputs.kind === "Secret" ? maskSecretObject(unwrapSecrets(r.inputs)) : unwrapSecrets(r.inputs, MASK)))
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
        const objects = await render(parseArgs(process.argv.slice(2)));
        process.stdout.write(toYaml(objects));
    })().catch(fail);
}
