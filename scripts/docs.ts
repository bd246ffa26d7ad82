// `npm run docs`: Pulumi.yaml is the one description of the stack's settings (type, default, description,
// secret, items); this writes what follows from it elsewhere: the README's configuration reference and the
// program's settings mapping in index.ts, each between its markers, the rest of both files hand-written.
// `npm run docs -- --check` writes nothing and exits 1 naming each stale file (tests/unit/docs.test.ts
// runs the same check, so `npm test` fails on a stale file).

import * as fs from "fs";
import * as path from "path";
import { parseArgs } from "util";
import * as yaml from "js-yaml";

export const ROOT = path.resolve(__dirname, "..");

/** One setting as Pulumi.yaml declares it (Pulumi 3.44+ project config). */
export interface Setting {
    readonly type: string;
    readonly items?: { readonly type: string };
    readonly default?: unknown;
    readonly description: string;
    readonly secret?: boolean;
}

/** A generated block: where it lives, between which markers, and what it holds. */
export interface Block {
    readonly file: string;
    readonly start: string;
    readonly end: string;
    readonly lines: (settings: Record<string, Setting>) => string[];
}

/** How the program reads each type of setting, and the TypeScript type of a list's items. */
const GETTERS: Record<string, string> = { string: "get", integer: "getNumber", boolean: "getBoolean" };
const ITEM_TYPES: Record<string, string> = { string: "string", integer: "number", boolean: "boolean" };

export const BLOCKS: readonly Block[] = [
    {
        file: "README.md",
        start: "<!-- config-reference:start -->",
        end: "<!-- config-reference:end -->",
        lines: readmeTable,
    },
    {
        file: "index.ts",
        start: "// settings:start",
        end: "// settings:end",
        lines: programSettings,
    },
];

/** Raised for a declaration or a file this script cannot work with; the message says what to change. */
export class DocsError extends Error {}

/** The settings of Pulumi.yaml under `root`, in their order, each checked for what the generators need. */
export function loadSettings(root: string): Record<string, Setting> {
    const project = yaml.load(fs.readFileSync(path.join(root, "Pulumi.yaml"), "utf8")) as { config?: Record<string, Setting> };
    const settings = project?.config ?? {};
    for (const [key, setting] of Object.entries(settings)) {
        if (!(setting.type in GETTERS) && !(setting.type === "array" && (setting.items?.type ?? "") in ITEM_TYPES)) {
            const given = setting.type === "array" ? `array of ${JSON.stringify(setting.items?.type)}` : JSON.stringify(setting.type);
            throw new DocsError(
                `Pulumi.yaml: setting \`${key}\` has type ${given}, which the program cannot read with one Config getter: ` +
                    `use string, integer, boolean, or array with items of type string, integer or boolean.`,
            );
        }
        if (typeof setting.description !== "string" || setting.description.trim() === "") {
            throw new DocsError(`Pulumi.yaml: setting \`${key}\` has no description: add one, it is the README's and the schema's text.`);
        }
    }
    return settings;
}

/** The README's configuration reference: one row per setting, in Pulumi.yaml's order. */
export function readmeTable(settings: Record<string, Setting>): string[] {
    const cell = (text: string) => text.replace(/\|/g, "\\|");
    return [
        "| Setting | Type | Default | Description |",
        "|---|---|---|---|",
        ...Object.entries(settings).map(([key, s]) => {
            const type = s.type === "array" ? `list of ${s.items?.type}` : s.type + (s.secret ? " (secret)" : "");
            const value = s.default === undefined ? "—" : `\`${cell(JSON.stringify(s.default))}\``;
            return `| \`${key}\` | ${type} | ${value} | ${cell(s.description)} |`;
        }),
    ];
}

/** The MySqlCluster arguments of the program: each setting read by its type into the field of its name. */
export function programSettings(settings: Record<string, Setting>): string[] {
    return Object.entries(settings).map(([key, s]) =>
        s.type === "array"
            ? `    ${key}: config.getObject<${ITEM_TYPES[s.items?.type ?? ""]}[]>("${key}"),`
            : `    ${key}: config.${GETTERS[s.type]}("${key}"),`,
    );
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
export function generate(root: string): { file: string; current: string; expected: string }[] {
    const settings = loadSettings(root);
    return BLOCKS.map((block) => {
        const current = fs.readFileSync(path.join(root, block.file), "utf8");
        return { file: block.file, current, expected: replaceBlock(current, block, block.lines(settings)) };
    });
}

/** The files whose generated block differs from Pulumi.yaml. */
export function staleFiles(root: string): string[] {
    return generate(root)
        .filter((g) => g.current !== g.expected)
        .map((g) => g.file);
}

export const USAGE = `Usage: npm run docs [-- --check]

Writes, from Pulumi.yaml, the README's configuration reference and index.ts's settings mapping (each
between its markers). With --check, writes nothing and exits 1 naming each file that is not current.
`;

/** The command: the exit status; messages go to `out` and `err`. */
export function main(argv: string[], root: string, out: (text: string) => void, err: (text: string) => void): number {
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
        const generated = generate(root);
        const stale = generated.filter((g) => g.current !== g.expected);
        if (check) {
            for (const { file } of stale) {
                err(`${file} is not current with Pulumi.yaml: run \`npm run docs\` and commit the result.`);
            }
            return stale.length > 0 ? 1 : 0;
        }
        for (const { file, expected } of stale) {
            fs.writeFileSync(path.join(root, file), expected);
            out(`wrote ${file}`);
        }
        if (stale.length === 0) {
            out(`${generated.map((g) => g.file).join(" and ")} are current.`);
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
