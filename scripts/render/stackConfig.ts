// The program's config as `pulumi up` would hand it over (project defaults, then the stack file, then
// --config and --secret), every value checked against its declaration (components/settings.ts, whose
// defaults Pulumi.yaml holds) and encoded as the runtime stores it. Every mistake is a RenderError naming the file (and line) or flag, the setting and the fix.

import * as fs from "fs";
import * as path from "path";
import * as yaml from "js-yaml";
import { SETTINGS, SettingDeclaration } from "../../components/settings";
import { closest, show } from "../../components/validation/problems";
import { MASK } from "./secrets";
import { parseArgs, ParseArgsConfig } from "util";

/** The project's folder (the one with Pulumi.yaml), found from this file whether it runs as .ts or compiled. */
export const ROOT = projectRoot(__dirname);

function projectRoot(from: string): string {
    for (let dir = from; dir !== path.dirname(dir); dir = path.dirname(dir)) {
        if (fs.existsSync(path.join(dir, "Pulumi.yaml"))) {
            return dir;
        }
    }
    throw new Error(`No Pulumi.yaml in ${from} or a folder above it: the render runs inside the project.`);
}

/** A mistake in the command line or the stack's config, reported without a stack trace. */
export class RenderError extends Error {}

export interface Options {
    stack: string;
    configFile: string;
    overrides: Array<{ key: string; value: string; secret: boolean }>;
    /** Print secret values instead of masking them; generated ones are then generated for real. */
    showSecrets?: boolean;
    /** Keep generated values in this file between renders (render --state), as Pulumi's state does. */
    stateFile?: string;
}

/** The top-level keys of a stack settings file. @see https://www.pulumi.com/docs/iac/concepts/projects/stack-settings-file/ */
const STACK_FILE_KEYS = ["config", "secretsprovider", "encryptedkey", "encryptionsalt", "environment"];

/** A YAML file's content; a syntax error (duplicate keys included) names the file and the line. */
function readYaml(file: string): unknown {
    const name = path.basename(file);
    const text = fs.readFileSync(file, "utf8");
    try {
        return yaml.load(text, { filename: name });
    } catch (error) {
        if (error instanceof yaml.YAMLException) {
            const line = error.mark ? ` line ${error.mark.line + 1}` : "";
            const duplicate = error.reason === "duplicated mapping key" && error.mark ? keyAt(text, error.mark) : undefined;
            if (duplicate !== undefined) {
                throw new RenderError(
                    `${name}${line} gives the key \`${duplicate}\` a second time (duplicated mapping key): keep one of its ` +
                        `lines, the value you mean; a stack file takes each key once.`,
                );
            }
            throw new RenderError(
                `${name}${line} is not valid YAML (${error.reason}): fix the file, e.g. quote values that hold ': ' or '#', and give each key once.`,
            );
        }
        throw error;
    }
}

/**
 * The mapping key written at a YAML mark (js-yaml marks a duplicated key at its first character): plain,
 * or in single or double quotes.
 */
function keyAt(text: string, mark: { line: number; column: number }): string | undefined {
    const rest = text.split(/\r?\n/)[mark.line]?.slice(mark.column) ?? "";
    const match = /^(?:"((?:[^"\\]|\\.)*)"|'((?:[^']|'')*)'|([^\s:,{}[\]#][^,{}[\]#]*?))\s*:(?:\s|$)/.exec(rest);
    if (match === null) {
        return undefined;
    }
    return match[1] !== undefined
        ? (JSON.parse(`"${match[1]}"`) as string)
        : match[2] !== undefined
          ? match[2].replace(/''/g, "'")
          : match[3];
}

const isMapping = (value: unknown): value is Record<string, unknown> =>
    value !== null && typeof value === "object" && !Array.isArray(value);
const kind = (value: unknown) =>
    Array.isArray(value) ? "a list" : value === null ? "empty" : `${typeof value === "object" ? "a mapping" : `a ${typeof value}`}`;

/** Checks a stack value against its declaration and returns it as the runtime stores it. */
function encode(key: string, value: unknown, decl: SettingDeclaration, where: string): string {
    const wrong = (expected: string, fix = expected) =>
        new RenderError(`\`${key}\` in ${where} is ${show(value)}: the setting takes ${expected}; write ${fix}.`);
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
        case "string[]":
            if (typeof value === "string") {
                try {
                    value = JSON.parse(value);
                } catch {
                    throw wrong(
                        "a list of strings",
                        where.startsWith("--") ? 'a list of strings as JSON, e.g. \'["a","b"]\'' : "a list of strings",
                    );
                }
            }
            if (!Array.isArray(value) || value.some((item) => typeof item !== "string")) {
                throw wrong("a list of strings");
            }
            return JSON.stringify(value);
        default:
            if (typeof value !== "string") {
                throw wrong("a string", typeof value === "object" ? "one string" : `it in quotes: ${JSON.stringify(String(value))}`);
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

/** The stack file's `config:` mapping, after checking the file's shape. */
function stackConfig(file: string): Record<string, unknown> {
    const where = path.basename(file);
    if (fs.statSync(file).isDirectory()) {
        const stacks = fs.readdirSync(file).filter((f) => /^Pulumi\..+\.ya?ml$/.test(f) && f !== "Pulumi.yaml");
        throw new RenderError(
            `--config-file ${file} is a directory: give a stack file${stacks.length > 0 ? `, e.g. ${path.join(file, stacks[0])}` : " (Pulumi.NAME.yaml)"}.`,
        );
    }
    const content = readYaml(file) ?? {};
    if (!isMapping(content)) {
        throw new RenderError(
            `${where} is ${kind(content)}, not a stack file: write a mapping with \`config:\`, as \`pulumi config set\` does.`,
        );
    }
    for (const key of Object.keys(content).filter((k) => !STACK_FILE_KEYS.includes(k))) {
        const hint = closest(key, STACK_FILE_KEYS);
        throw new RenderError(
            `\`${key}\` in ${where} is not a key of a stack file: ${hint ? `did you mean \`${hint}\`? ` : ""}` +
                `The keys are ${STACK_FILE_KEYS.map((k) => `\`${k}\``).join(", ")}; settings go under \`config:\`.`,
        );
    }
    const config = content.config ?? {};
    if (!isMapping(config)) {
        throw new RenderError(
            `\`config\` in ${where} is ${kind(config)}: write a mapping of settings, one \`key: value\` per line, e.g. ` +
                `\`mysql-statefulset:nfsServer: 10.0.0.5\`.`,
        );
    }
    return config;
}

/** The command-line options of every tool that reads a stack's config (render, diagnose). */
const STACK_OPTIONS = {
    stack: { type: "string", short: "s" },
    "config-file": { type: "string" },
    help: { type: "boolean", short: "h" },
} as const;

/** One option of a command line, as `util.parseArgs` takes it. */
type OptionConfig = NonNullable<ParseArgsConfig["options"]>[string];
/** What `util.parseArgs` is given for a stack tool with its own `T` options. */
type StackCommandLine<T> = { args: string[]; strict: true; allowPositionals: false; options: typeof STACK_OPTIONS & T };

/** A stack tool's command line: `--stack`, `--config-file` and `--help`, and the tool's own `options`; no positionals. */
export function parseStackCommandLine<const T extends Record<string, OptionConfig>>(
    argv: string[],
    options: T,
): ReturnType<typeof parseArgs<StackCommandLine<T>>> {
    return parseArgs<StackCommandLine<T>>({
        args: argv,
        strict: true,
        allowPositionals: false,
        options: { ...STACK_OPTIONS, ...options },
    });
}

/** The program's config, as `pulumi up` would hand it over: project defaults, then the stack, then overrides. */
export function loadConfig(options: Options): { project: string; config: Record<string, string>; secretKeys: string[] } {
    const project: string = (readYaml(path.join(ROOT, "Pulumi.yaml")) as { name: string }).name;
    const declarations: Readonly<Record<string, SettingDeclaration>> = SETTINGS;
    const known = Object.keys(declarations);
    if (!fs.existsSync(options.configFile)) {
        const stacks = fs.readdirSync(ROOT).flatMap((f) => /^Pulumi\.(.+)\.yaml$/.exec(f)?.[1] ?? []);
        throw new RenderError(`No stack file ${options.configFile}: use --stack with one of ${stacks.join(", ")}, or --config-file FILE.`);
    }
    const stackFile = stackConfig(options.configFile);
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
        if (value === null) {
            throw new RenderError(`\`${key}\` in ${source} has no value: write one after the colon, or remove the line for the default.`);
        }
        if (isMapping(value) && "secure" in value) {
            // Encrypted in the stack file; only the Pulumi CLI can decrypt it, so the render can check it
            // only where it is a secret anyway (and prints it masked).
            if (!decl.secret) {
                throw new RenderError(
                    `\`${key}\` in ${source} is encrypted (secure:), but it is not a secret, and the render cannot check ` +
                        `a value it cannot read: set it in plain text with \`pulumi config set ${key} VALUE\`.`,
                );
            }
            if (typeof value.secure !== "string" || Object.keys(value).length !== 1) {
                throw new RenderError(
                    `\`${key}\` in ${source} is ${show(value)}: not an encrypted value; set it again with \`pulumi config set --secret ${key} VALUE\`.`,
                );
            }
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
            config[`${project}:${key}`] = encode(key, decl.default, decl, "components/settings.ts");
        }
    }
    for (const [fullKey, value] of Object.entries(stackFile)) {
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
    // As the engine does before the program runs: a setting Pulumi.yaml declares without a default is required.
    const missing = Object.entries(declarations).filter(([key, decl]) => decl.required && config[`${project}:${key}`] === undefined);
    if (missing.length > 0) {
        const keys = missing.map(([key]) => key);
        throw new RenderError(
            `${keys.map((k) => `\`${k}\``).join(", ")} ${keys.length > 1 ? "are" : "is"} not set in ${where}, and Pulumi.yaml ` +
                `declares ${keys.length > 1 ? "them" : "it"} required (the engine refuses the stack too): set ` +
                `${keys.length > 1 ? "each" : "it"} with ${keys.map((k) => `\`pulumi config set ${k} VALUE\``).join(", ")} ` +
                `(docs/configuration.md says what ${keys.length > 1 ? "each takes" : "it takes"}).`,
        );
    }
    return { project, config, secretKeys };
}
