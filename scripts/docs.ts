// `npm run docs`: components/settings.ts is the one declaration of the stack's settings (type, default,
// required, secret, values, description); this writes what follows from it elsewhere, each between its
// markers, the rest of each file hand-written: Pulumi.yaml's `config:` block (only the settings with a
// default, and the required ones: the engine requires every declared setting without a default), the
// configuration reference (docs/configuration.md) and the change table (docs/operations.md), the program's settings mapping in index.ts, and the fields of
// MySqlClusterArgs with their JSDoc (components/clusterArgs.ts), so IDE users keep their hover docs.
// `npm run docs -- --check` writes nothing and exits 1 naming each stale file (tests/unit/docs.test.ts
// runs the same check, so `npm test` fails on a stale file).

import * as fs from "fs";
import * as path from "path";
import { parseArgs } from "util";
import * as yaml from "js-yaml";
import { SETTINGS, SettingDeclaration } from "../components/settings";

export const ROOT = path.resolve(__dirname, "..");

/** The declaration the generators read: the settings by name, in their order. */
export type Settings = Readonly<Record<string, SettingDeclaration>>;

/** A generated block: where it lives, between which markers, and what it holds. */
export interface Block {
    readonly file: string;
    readonly start: string;
    readonly end: string;
    readonly lines: (settings: Settings) => string[];
}

/** How the program reads each type of setting. */
const GETTERS: Record<SettingDeclaration["type"], string> = {
    string: 'get("KEY")',
    integer: 'getNumber("KEY")',
    boolean: 'getBoolean("KEY")',
    "string[]": 'getObject<string[]>("KEY")',
};

export const BLOCKS: readonly Block[] = [
    {
        file: "Pulumi.yaml",
        start: "# config:start",
        end: "# config:end",
        lines: projectConfig,
    },
    {
        file: "docs/configuration.md",
        start: "<!-- config-reference:start -->",
        end: "<!-- config-reference:end -->",
        lines: referenceTable,
    },
    {
        file: "docs/operations.md",
        start: "<!-- change-table:start -->",
        end: "<!-- change-table:end -->",
        lines: changeTable,
    },
    {
        file: "index.ts",
        start: "// settings:start",
        end: "// settings:end",
        lines: programSettings,
    },
    {
        file: "components/clusterArgs.ts",
        start: "// fields:start",
        end: "// fields:end",
        lines: argsFields,
    },
];

/** Raised for a declaration or a file this script cannot work with; the message says what to change. */
export class DocsError extends Error {}

/** Whether `value` is a value of `type`. */
function isOfType(value: unknown, type: SettingDeclaration["type"]): boolean {
    switch (type) {
        case "string":
            return typeof value === "string";
        case "integer":
            return Number.isInteger(value);
        case "boolean":
            return typeof value === "boolean";
        case "string[]":
            return Array.isArray(value) && value.every((item) => typeof item === "string");
    }
}

/** The declaration, checked for what the generators and the engine need: each mistake names the setting and the fix. */
export function checkSettings(settings: Settings): Settings {
    for (const [key, s] of Object.entries(settings)) {
        const where = `components/settings.ts: setting \`${key}\``;
        if (typeof s.description !== "string" || s.description.trim() === "") {
            throw new DocsError(
                `${where} has no description: add one, it is the configuration reference's, Pulumi.yaml's and the schema's text.`,
            );
        }
        if (s.default !== undefined && !isOfType(s.default, s.type)) {
            throw new DocsError(`${where} has the default ${JSON.stringify(s.default)}, not a ${s.type}: make them agree.`);
        }
        if (s.default !== undefined && s.required) {
            throw new DocsError(`${where} is required and has a default: keep one of them.`);
        }
        if (s.default === undefined && !s.secret && s.example === undefined) {
            throw new DocsError(
                `${where} has neither a default nor an example: add an example, the value a type mistake's message suggests.`,
            );
        }
        if (s.example !== undefined && !isOfType(s.example, s.type)) {
            throw new DocsError(`${where} has the example ${JSON.stringify(s.example)}, not a ${s.type}: make them agree.`);
        }
        if (s.enum !== undefined && (s.type !== "string" || (s.default !== undefined && !s.enum.includes(s.default as string)))) {
            throw new DocsError(
                `${where} has values ${JSON.stringify(s.enum)}: only a string setting has them, and its default is one of them.`,
            );
        }
        if (
            s.change === undefined ||
            !["none", "in place", "rolling restart", "guarded"].includes(s.change.impact) ||
            s.change.what.trim() === ""
        ) {
            throw new DocsError(
                `${where} does not say what changing it on a deployed stack does: add \`change: { impact, what }\`, impact one of none, in place, rolling restart, guarded (the change table in docs/operations.md).`,
            );
        }
    }
    return settings;
}

/**
 * Pulumi.yaml's `config:` block: the settings that have a default, and the required ones, each with its
 * type, default, secrecy and description. The engine applies the defaults and requires every declared
 * setting without one (`Stack 'dev' is missing configuration values …`), so the optional settings
 * without a default are not declared there: the program reads them all the same.
 */
export function projectConfig(settings: Settings): string[] {
    const declared = Object.fromEntries(
        Object.entries(settings)
            .filter(([, s]) => s.default !== undefined || s.required)
            .map(([key, s]) => [
                key,
                {
                    ...(s.type === "string[]" ? { type: "array", items: { type: "string" } } : { type: s.type }),
                    ...(s.default !== undefined ? { default: s.default } : {}),
                    ...(s.secret ? { secret: true } : {}),
                    description: s.description,
                },
            ]),
    );
    return yaml.dump({ config: declared }, { lineWidth: -1, flowLevel: 3 }).trimEnd().split("\n");
}

/** The configuration reference (docs/configuration.md): one row per setting, in the declared order. */
export function referenceTable(settings: Settings): string[] {
    const cell = (text: string) => text.replace(/\|/g, "\\|");
    return [
        "| Setting | Type | Default | Description |",
        "|---|---|---|---|",
        ...Object.entries(settings).map(([key, s]) => {
            const type =
                (s.type === "string[]" ? "list of string" : s.type) +
                (s.enum ? `: ${s.enum.map((v) => `\`${v}\``).join(", ")}` : "") +
                (s.secret ? " (secret)" : "");
            const value = s.required ? "required" : s.default === undefined ? "—" : `\`${cell(JSON.stringify(s.default))}\``;
            return `| \`${key}\` | ${type} | ${value} | ${cell(s.description)} |`;
        }),
    ];
}

/** The change table (docs/operations.md): what changing each setting on a deployed stack does, in the declared order. */
export function changeTable(settings: Settings): string[] {
    return [
        "| setting | on a live stack | what happens |",
        "|---|---|---|",
        ...Object.entries(settings).map(([key, s]) => `| \`${key}\` | ${s.change?.impact} | ${s.change?.what.replace(/\|/g, "\\|")} |`),
    ];
}

/** The MySqlCluster arguments of the program: each setting read by its type into the field of its name. */
export function programSettings(settings: Settings): string[] {
    // A required setting is read with `require*`: the engine refuses a stack without it before the program runs.
    const getter = (s: SettingDeclaration) => (s.required ? GETTERS[s.type].replace(/^get/, "require") : GETTERS[s.type]);
    return Object.entries(settings).map(([key, s]) => `    ${key}: config.${getter(s).replace("KEY", key)},`);
}

/** `text` cut into lines of at most `width` characters, between words. */
function wrap(text: string, width: number): string[] {
    const lines: string[] = [];
    let line = "";
    for (const word of text.split(/\s+/).filter((w) => w !== "")) {
        if (line !== "" && line.length + 1 + word.length > width) {
            lines.push(line);
            line = word;
        } else {
            line = line === "" ? word : `${line} ${word}`;
        }
    }
    return line === "" ? lines : [...lines, line];
}

/**
 * The fields of MySqlClusterArgs: each setting's type from its declaration (`SettingValue`, the passwords
 * `pulumi.Input<string>`), optional unless required, with its JSDoc (`doc` or the description, `@default`,
 * `@see`).
 */
export function argsFields(settings: Settings): string[] {
    return Object.entries(settings).flatMap(([key, s]) => {
        const byDefault = s.defaultDoc ?? (s.default === undefined ? undefined : JSON.stringify(s.default));
        const doc = [
            ...wrap((s.doc ?? s.description).replace(/\*\//g, "*\\/"), 110),
            ...(byDefault === undefined ? [] : [`@default ${byDefault}`]),
            ...(s.see ?? []).map((url) => `@see ${url}`),
        ];
        const type = s.secret ? "pulumi.Input<string>" : `SettingValue<"${key}">`;
        return ["    /**", ...doc.map((line) => `     * ${line}`), "     */", `    readonly ${key}${s.required ? "" : "?"}: ${type};`];
    });
}

/** `text` with the lines between the block's marker lines replaced; the marker lines themselves are kept. */
export function replaceBlock(text: string, block: Block, lines: readonly string[]): string {
    const all = text.split("\n");
    const at = (marker: string) => all.flatMap((line, i) => (line.trim().startsWith(marker) ? [i] : []));
    const [starts, ends] = [at(block.start), at(block.end)];
    if (starts.length !== 1 || ends.length !== 1 || ends[0] < starts[0]) {
        throw new DocsError(
            `${block.file}: expected one line starting with \`${block.start}\` and, after it, one starting with \`${block.end}\` ` +
                `(found ${starts.length} and ${ends.length}): put the markers back around the generated block.`,
        );
    }
    return [...all.slice(0, starts[0] + 1), ...lines, ...all.slice(ends[0])].join("\n");
}

/** Each generated file: its text now, and the text it should have. */
export function generate(root: string, settings: Settings = SETTINGS): { file: string; current: string; expected: string }[] {
    checkSettings(settings);
    // One entry per file, its blocks applied in turn.
    return [...new Set(BLOCKS.map((b) => b.file))].map((file) => {
        const current = fs.readFileSync(path.join(root, file), "utf8");
        const expected = BLOCKS.filter((b) => b.file === file).reduce(
            (text, block) => replaceBlock(text, block, block.lines(settings)),
            current,
        );
        return { file, current, expected };
    });
}

/** The files whose generated block differs from the declaration. */
export function staleFiles(root: string, settings: Settings = SETTINGS): string[] {
    return generate(root, settings)
        .filter((g) => g.current !== g.expected)
        .map((g) => g.file);
}

export const USAGE = `Usage: npm run docs [-- --check]

Writes, from components/settings.ts, Pulumi.yaml's config block, the configuration reference
(docs/configuration.md), the change table (docs/operations.md), index.ts's settings mapping and MySqlClusterArgs' fields in components/clusterArgs.ts (each
between its markers). With --check, writes nothing and exits 1 naming each file that is not current.
`;

/** The command: the exit status; messages go to `out` and `err`. */
export function main(
    argv: string[],
    root: string,
    out: (text: string) => void,
    err: (text: string) => void,
    settings: Settings = SETTINGS,
): number {
    let check: boolean;
    try {
        const { values } = parseArgs({ args: argv, options: { check: { type: "boolean" }, help: { type: "boolean", short: "h" } } });
        if (values.help) {
            out(USAGE.trimEnd());
            return 0;
        }
        check = values.check ?? false;
    } catch (error) {
        err(`${(error as Error).message.split(". ")[0]}.\n${USAGE.trimEnd()}`);
        return 2;
    }
    try {
        const generated = generate(root, settings);
        const stale = generated.filter((g) => g.current !== g.expected);
        if (check) {
            for (const { file } of stale) {
                err(`${file} is not current with components/settings.ts: run \`npm run docs\` and commit the result.`);
            }
            return stale.length > 0 ? 1 : 0;
        }
        for (const { file, expected } of stale) {
            fs.writeFileSync(path.join(root, file), expected);
            out(`wrote ${file}`);
        }
        if (stale.length === 0) {
            out(`${generated.map((g) => g.file).join(", ")} are current.`);
        }
        return 0;
    } catch (error) {
        if (error instanceof DocsError) {
            err(error.message);
            return 1;
        }
        throw error;
    }
}

if (require.main === module) {
    process.exitCode = main(process.argv.slice(2), ROOT, console.log, console.error);
}
