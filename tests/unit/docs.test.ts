// components/settings.ts is the one declaration of the settings: Pulumi.yaml's config block, docs/configuration.md's
// configuration reference, the program's settings mapping and MySqlClusterArgs' fields with their JSDoc are
// generated from it (`npm run docs`, scripts/docs.ts) and must be current; MySqlClusterArgs must have exactly
// its settings, in its order, with its defaults in `@default`; and resolveArgs must apply exactly its defaults.
import * as assert from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as ts from "typescript";
import * as yaml from "js-yaml";
import { resolveArgs, SETTINGS } from "../../components";
import {
    argsFields,
    BLOCKS,
    checkSettings,
    main,
    programSettings,
    projectConfig,
    referenceTable,
    replaceBlock,
    Settings,
    staleFiles,
} from "../../scripts/docs";

const ROOT = path.resolve(__dirname, "..", "..");
const read = (file: string) => fs.readFileSync(path.join(ROOT, file), "utf8");
const declared: Settings = SETTINGS;

/** A few settings covering each type, a secret, values, a required one, a list default and a description with a `|`. */
const SAMPLE: Settings = {
    name: { type: "string", default: "mysql", description: "Name of it." },
    replicas: { type: "integer", default: 3, description: "How many | pods." },
    networkPolicy: { type: "boolean", default: true, description: "Policies." },
    flavor: { type: "string", default: "a", enum: ["a", "b"], description: "Which one." },
    rootPassword: { type: "string", secret: true, description: "Root's." },
    server: { type: "string", required: true, description: "Where." },
    nfsPaths: { type: "string[]", description: "Paths." },
    volumeAccessModes: { type: "string[]", default: ["ReadWriteOnce"], description: "Modes." },
};

/** A copy of the files the generator reads and writes, in a directory of its own. */
function scratchCopy(): string {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "docs-test-"));
    for (const file of BLOCKS.map((b) => b.file)) {
        fs.mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
        fs.mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
        fs.copyFileSync(path.join(ROOT, file), path.join(dir, file));
    }
    return dir;
}

function run(argv: string[], root: string, settings: Settings = SETTINGS): { status: number; out: string[]; err: string[] } {
    const out: string[] = [];
    const err: string[] = [];
    const status = main(
        argv,
        root,
        (t) => out.push(t),
        (t) => err.push(t),
        settings,
    );
    return { status, out, err };
}

/** The `@default` text of each field of MySqlClusterArgs, in declaration order. */
function documentedDefaults(): [string, string | undefined][] {
    const source = ts.createSourceFile("clusterArgs.ts", read("components/clusterArgs.ts"), ts.ScriptTarget.Latest, true);
    const args = source.statements.find(
        (s): s is ts.InterfaceDeclaration => ts.isInterfaceDeclaration(s) && s.name.text === "MySqlClusterArgs",
    );
    assert.ok(args, "components/clusterArgs.ts declares MySqlClusterArgs");
    return args.members.map((member) => {
        const tag = ts.getJSDocTags(member).find((t) => t.tagName.text === "default");
        return [(member.name as ts.Identifier).text, tag && ts.getTextOfJSDocComment(tag.comment)];
    });
}

describe("the settings, generated from components/settings.ts (npm run docs)", () => {
    it("Pulumi.yaml's config block, docs/configuration.md's reference, docs/operations.md's change table, index.ts's settings and MySqlClusterArgs are current", () => {
        assert.deepStrictEqual(staleFiles(ROOT), [], "run `npm run docs` and commit the result");
    });

    it("Pulumi.yaml declares exactly the settings with a default and the required ones, as the engine needs", () => {
        // The engine refuses a stack that lacks a declared setting without a default: declaring an optional
        // one there would make every stack name it (`Stack 'dev' is missing configuration values ...`).
        const config: Record<string, any> = (yaml.load(read("Pulumi.yaml")) as any).config;
        const expected = Object.keys(declared).filter((k) => declared[k].default !== undefined || declared[k].required);
        assert.deepStrictEqual(Object.keys(config), expected);
        assert.deepStrictEqual(
            Object.keys(config).filter((k) => config[k].default === undefined),
            ["nfsServer"],
        );
        for (const [key, d] of Object.entries(config)) {
            assert.deepStrictEqual(d.default, declared[key].default, key);
            assert.strictEqual(d.type, declared[key].type === "string[]" ? "array" : declared[key].type, key);
        }
    });

    it("writes Pulumi.yaml's block: only settings with a default or required, each with type, default, secrecy, description", () => {
        assert.deepStrictEqual(projectConfig(SAMPLE), [
            "config:",
            "  name:",
            "    type: string",
            "    default: mysql",
            "    description: Name of it.",
            "  replicas:",
            "    type: integer",
            "    default: 3",
            "    description: How many | pods.",
            "  networkPolicy:",
            "    type: boolean",
            "    default: true",
            "    description: Policies.",
            "  flavor:",
            "    type: string",
            "    default: a",
            "    description: Which one.",
            "  server:",
            "    type: string",
            "    description: Where.",
            "  volumeAccessModes:",
            "    type: array",
            "    items: {type: string}",
            "    default: [ReadWriteOnce]",
            "    description: Modes.",
        ]);
        assert.deepStrictEqual(projectConfig({ key: { type: "string", default: "x", secret: true, description: "A." } }), [
            "config:",
            "  key:",
            "    type: string",
            "    default: x",
            "    secret: true",
            "    description: A.",
        ]);
    });

    it("writes the reference one row per setting: name, type (list, values, secret), default, required or —, description", () => {
        assert.deepStrictEqual(referenceTable(SAMPLE), [
            "| Setting | Type | Default | Description |",
            "|---|---|---|---|",
            '| `name` | string | `"mysql"` | Name of it. |',
            "| `replicas` | integer | `3` | How many \\| pods. |",
            "| `networkPolicy` | boolean | `true` | Policies. |",
            '| `flavor` | string: `a`, `b` | `"a"` | Which one. |',
            "| `rootPassword` | string (secret) | — | Root's. |",
            "| `server` | string | required | Where. |",
            "| `nfsPaths` | list of string | — | Paths. |",
            '| `volumeAccessModes` | list of string | `["ReadWriteOnce"]` | Modes. |',
        ]);
    });

    it("reads each setting in the program with the Config getter of its type (`require*` when required), into the argument of its name", () => {
        assert.deepStrictEqual(programSettings(SAMPLE), [
            '    name: config.get("name"),',
            '    replicas: config.getNumber("replicas"),',
            '    networkPolicy: config.getBoolean("networkPolicy"),',
            '    flavor: config.get("flavor"),',
            '    rootPassword: config.get("rootPassword"),',
            '    server: config.require("server"),',
            '    nfsPaths: config.getObject<string[]>("nfsPaths"),',
            '    volumeAccessModes: config.getObject<string[]>("volumeAccessModes"),',
        ]);
    });

    it("writes MySqlClusterArgs' fields: the declared type, `?` unless required, the passwords Inputs, JSDoc from doc or description", () => {
        const fields = argsFields({
            ...SAMPLE,
            long: {
                type: "integer",
                default: 5,
                description: "Short.",
                doc: `${"word ".repeat(30)}a */ inside.`,
                defaultDoc: "5, or more",
                see: ["https://example.com/a", "https://example.com/b"],
            },
        });
        assert.deepStrictEqual(fields.slice(0, 5), [
            "    /**",
            "     * Name of it.",
            '     * @default "mysql"',
            "     */",
            '    readonly name?: SettingValue<"name">;',
        ]);
        assert.deepStrictEqual(fields.slice(20, 28), [
            "    /**",
            "     * Root's.",
            "     */",
            "    readonly rootPassword?: pulumi.Input<string>;",
            "    /**",
            "     * Where.",
            "     */",
            '    readonly server: SettingValue<"server">;',
        ]);
        assert.deepStrictEqual(fields.slice(-8), [
            "    /**",
            `     * ${"word ".repeat(21)}word`,
            `     * ${"word ".repeat(8)}a *\\/ inside.`,
            "     * @default 5, or more",
            "     * @see https://example.com/a",
            "     * @see https://example.com/b",
            "     */",
            '    readonly long?: SettingValue<"long">;',
        ]);
    });

    it("--check names each stale file and exits 1; without it, rewrites the blocks and nothing else", () => {
        const dir = scratchCopy();
        try {
            const file = (name: string) => fs.readFileSync(path.join(dir, name), "utf8");
            // The text outside every generated block of the file.
            const outside = (name: string) =>
                BLOCKS.filter((b) => b.file === name).reduce(
                    (text, block) => text.slice(0, text.indexOf(block.start)) + text.slice(text.indexOf(block.end)),
                    file(name),
                );
            const files = [...new Set(BLOCKS.map((b) => b.file))];
            const before = files.map(outside);
            const extended: Settings = {
                ...SETTINGS,
                extraSetting: {
                    type: "boolean",
                    default: false,
                    description: "A setting added for the test.",
                    change: { impact: "rolling restart", what: "the pods | restart" },
                },
            };
            assert.deepStrictEqual(run(["--check"], dir, extended), {
                status: 1,
                out: [],
                err: files.map((f) => `${f} is not current with components/settings.ts: run \`npm run docs\` and commit the result.`),
            });
            assert.deepStrictEqual(files.map(file), files.map(read), "--check writes nothing");

            assert.deepStrictEqual(run([], dir, extended), { status: 0, out: files.map((f) => `wrote ${f}`), err: [] });
            assert.ok(
                file("Pulumi.yaml").includes(
                    "  extraSetting:\n    type: boolean\n    default: false\n    description: A setting added for the test.\n# config:end",
                ),
            );
            assert.ok(
                file("docs/configuration.md").includes(
                    "| `extraSetting` | boolean | `false` | A setting added for the test. |\n<!-- config-reference:end -->",
                ),
            );
            assert.ok(
                file("docs/operations.md").includes(
                    "| `extraSetting` | rolling restart | the pods \\| restart |\n<!-- change-table:end -->",
                ),
            );
            assert.ok(file("index.ts").includes('    extraSetting: config.getBoolean("extraSetting"),\n    // settings:end\n'));
            assert.ok(
                file("components/clusterArgs.ts").includes(
                    '    /**\n     * A setting added for the test.\n     * @default false\n     */\n    readonly extraSetting?: SettingValue<"extraSetting">;\n    // fields:end\n',
                ),
            );
            assert.deepStrictEqual(files.map(outside), before);
            assert.deepStrictEqual(run(["--check"], dir, extended), { status: 0, out: [], err: [] });
            assert.strictEqual(run(["--check"], dir).status, 1, "the files no longer match the real declaration");
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });

    it("refuses a declaration the generators or the engine cannot work with, and lost markers, saying what to do", () => {
        const refuses = (setting: Settings[string], message: string) => {
            assert.throws(
                () => checkSettings({ key: setting }),
                (e: Error) => e.message === message,
            );
            assert.deepStrictEqual(run(["--check"], ROOT, { key: setting }), { status: 1, out: [], err: [message] });
        };
        refuses(
            { type: "string", description: " " },
            "components/settings.ts: setting `key` has no description: add one, it is the configuration reference's, Pulumi.yaml's and the schema's text.",
        );
        refuses(
            { type: "integer", default: 2.5, description: "A." },
            "components/settings.ts: setting `key` has the default 2.5, not a integer: make them agree.",
        );
        refuses(
            { type: "string[]", default: "a", description: "A." },
            'components/settings.ts: setting `key` has the default "a", not a string[]: make them agree.',
        );
        refuses(
            { type: "string", default: "a", required: true, description: "A." },
            "components/settings.ts: setting `key` is required and has a default: keep one of them.",
        );
        refuses(
            { type: "string", description: "A." },
            "components/settings.ts: setting `key` has neither a default nor an example: add an example, the value a type mistake's message suggests.",
        );
        refuses(
            { type: "integer", example: "3", description: "A." },
            'components/settings.ts: setting `key` has the example "3", not a integer: make them agree.',
        );
        refuses(
            { type: "string", default: "c", enum: ["a", "b"], description: "A." },
            'components/settings.ts: setting `key` has values ["a","b"]: only a string setting has them, and its default is one of them.',
        );
        refuses(
            { type: "string", default: "a", description: "A." },
            "components/settings.ts: setting `key` does not say what changing it on a deployed stack does: add `change: { impact, what }`, impact one of none, in place, rolling restart, guarded (the change table in docs/operations.md).",
        );
        assert.throws(
            () =>
                replaceBlock(
                    "const a = 1;\n    // settings:end\n",
                    BLOCKS.find((b) => b.file === "index.ts")!,
                    [],
                ),
            /^Error: index.ts: expected one line starting with `\/\/ settings:start` and, after it, one starting with `\/\/ settings:end` \(found 0 and 1\): put the markers back around the generated block.$/,
        );
    });

    it("exits 2 on an unknown option, with the usage", () => {
        const { status, out, err } = run(["--chek"], ROOT);
        assert.deepStrictEqual({ status, out }, { status: 2, out: [] });
        assert.match(err.join("\n"), /^Unknown option '--chek'\.\nUsage: npm run docs \[-- --check\]\n/);
    });

    it("gives every setting a description of a sentence or more", () => {
        for (const [key, d] of Object.entries(declared)) {
            assert.ok(d.description.length > 20, key);
        }
    });
});

describe("the declaration against the component", () => {
    it("resolveArgs applies the declared defaults, and only derives the settings declared without one", () => {
        const base = { nfsServer: "10.0.0.5", nfsPathPattern: "/exports/{ordinal}" };
        const resolved: Record<string, any> = resolveArgs(base);
        const applied = (key: string) => (key === "flavor" ? resolved.flavor.name : resolved[key]);
        for (const [key, d] of Object.entries(declared).filter(([, d]) => d.default !== undefined)) {
            assert.deepStrictEqual(applied(key), d.default, key);
        }
        // Without a default: unset, except these, derived from other settings (see their descriptions).
        const derived = Object.keys(declared).filter(
            (key) => declared[key].default === undefined && !(key in base) && resolved[key] !== undefined,
        );
        assert.deepStrictEqual(derived, ["maxReplicas", "image", "backupImage", "nfsPaths"]);
    });

    it("MySqlClusterArgs: every declared setting and no other, in order, `@default` as the declared default or prose where it has none", () => {
        const isJson = (text: string) => {
            try {
                JSON.parse(text);
                return true;
            } catch {
                return false;
            }
        };
        const documented = documentedDefaults().map(([key, text]) => [key, text !== undefined && isJson(text) ? text : "(none, or prose)"]);
        const expected = Object.entries(declared).map(([key, d]) => [
            key,
            d.default === undefined ? "(none, or prose)" : JSON.stringify(d.default),
        ]);
        assert.deepStrictEqual(documented, expected);
    });

    it("the manual's prose (README.md, docs/*.md): each `key` (N s) and `key`, on/off by default, as the setting takes", () => {
        const manual = ["README.md", ...fs.readdirSync(path.join(ROOT, "docs")).map((f) => `docs/${f}`)]
            .filter((f) => f.endsWith(".md"))
            .map(read)
            .join("\n");
        const stated = [
            ...[...manual.matchAll(/`(\w+)`(?:, | \()(\d+) s\b/g)].map((m) => [m[1], Number(m[2])]),
            ...[...manual.matchAll(/`(\w+)`, (on|off) by default/g)].map((m) => [m[1], m[2] === "on"]),
        ].filter(([key]) => String(key) in declared);
        assert.deepStrictEqual(
            stated,
            stated.map(([key]) => [key, declared[String(key)].default]),
        );
        // The five places the manual states a default today; fewer means the patterns above lost them.
        assert.ok(stated.length >= 5, JSON.stringify(stated));
    });

    it("the stack files are as the engine writes them: top-level values as strings, no encryptionsalt", () => {
        // The engine keeps a top-level config value as a string and writes it back quoted (`replicas: 3`
        // becomes `"3"` the first time it saves the file, e.g. `pulumi stack init`); the salt it adds is the
        // creator's passphrase's, so a committed one would refuse everyone else's passphrase.
        const files = ["Pulumi.dev.yaml", "Pulumi.prod.yaml", "tests/real/Pulumi.real.yaml"];
        for (const file of files) {
            const content = yaml.load(read(file)) as any;
            assert.ok(!("encryptionsalt" in content), `${file}: no encryptionsalt`);
            for (const [key, value] of Object.entries(content.config)) {
                assert.ok(
                    typeof value === "string" || typeof value === "object",
                    `${file}: ${key} is ${JSON.stringify(value)}, write it quoted`,
                );
            }
        }
    });

    it("uses only declared settings in the stack files", () => {
        for (const file of fs.readdirSync(ROOT).filter((f) => /^Pulumi\..+\.yaml$/.test(f))) {
            const config = (yaml.load(read(file)) as any).config ?? {};
            for (const key of Object.keys(config).filter((k) => k.startsWith("mysql-statefulset:"))) {
                assert.ok(key.split(":")[1] in declared, `${file}: ${key}`);
            }
        }
    });
});
