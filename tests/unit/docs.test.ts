// Pulumi.yaml is the one description of the settings: the README's configuration reference and the
// program's settings mapping are generated from it (`npm run docs`, scripts/docs.ts) and must be current;
// the defaults still written by hand (DEFAULTS and `@default` in components/args.ts) must agree with it.
import * as assert from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as ts from "typescript";
import * as yaml from "js-yaml";
import { DEFAULTS } from "../../components";
import { BLOCKS, DocsError, loadSettings, main, programSettings, readmeTable, replaceBlock, staleFiles } from "../../scripts/docs";

const ROOT = path.resolve(__dirname, "..", "..");
const read = (file: string) => fs.readFileSync(path.join(ROOT, file), "utf8");
const declared: Record<string, any> = (yaml.load(read("Pulumi.yaml")) as any).config;

/** A few settings covering each type, a secret, a list default and a description with a `|`. */
const SAMPLE = {
    name: { type: "string", default: "mysql", description: "Name of it." },
    replicas: { type: "integer", default: 3, description: "How many | pods." },
    networkPolicy: { type: "boolean", default: true, description: "Policies." },
    rootPassword: { type: "string", secret: true, description: "Root's." },
    nfsPaths: { type: "array", items: { type: "string" }, description: "Paths." },
    volumeAccessModes: { type: "array", items: { type: "string" }, default: ["ReadWriteOnce"], description: "Modes." },
    ports: { type: "array", items: { type: "integer" }, default: [], description: "Ports." },
};

/** A copy of the three files the generator reads and writes, in a directory of its own. */
function scratchCopy(): string {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "docs-test-"));
    for (const file of ["Pulumi.yaml", "README.md", "index.ts"]) {
        fs.copyFileSync(path.join(ROOT, file), path.join(dir, file));
    }
    return dir;
}

function run(argv: string[], root: string): { status: number; out: string[]; err: string[] } {
    const out: string[] = [];
    const err: string[] = [];
    const status = main(
        argv,
        root,
        (t) => out.push(t),
        (t) => err.push(t),
    );
    return { status, out, err };
}

/** The `@default` text of each field of MySqlClusterArgs, in declaration order. */
function documentedDefaults(): [string, string | undefined][] {
    const source = ts.createSourceFile("args.ts", read("components/args.ts"), ts.ScriptTarget.Latest, true);
    const args = source.statements.find(
        (s): s is ts.InterfaceDeclaration => ts.isInterfaceDeclaration(s) && s.name.text === "MySqlClusterArgs",
    );
    assert.ok(args, "components/args.ts declares MySqlClusterArgs");
    return args.members.map((member) => {
        const tag = ts.getJSDocTags(member).find((t) => t.tagName.text === "default");
        return [(member.name as ts.Identifier).text, tag && ts.getTextOfJSDocComment(tag.comment)];
    });
}

describe("the settings, generated from Pulumi.yaml (npm run docs)", () => {
    it("the README's configuration reference and index.ts's settings are current", () => {
        assert.deepStrictEqual(staleFiles(ROOT), [], "run `npm run docs` and commit the result");
    });

    it("writes the reference one row per setting: name, type (list, secret), default or —, description", () => {
        assert.deepStrictEqual(readmeTable(SAMPLE), [
            "| Setting | Type | Default | Description |",
            "|---|---|---|---|",
            '| `name` | string | `"mysql"` | Name of it. |',
            "| `replicas` | integer | `3` | How many \\| pods. |",
            "| `networkPolicy` | boolean | `true` | Policies. |",
            "| `rootPassword` | string (secret) | — | Root's. |",
            "| `nfsPaths` | list of string | — | Paths. |",
            '| `volumeAccessModes` | list of string | `["ReadWriteOnce"]` | Modes. |',
            "| `ports` | list of integer | `[]` | Ports. |",
        ]);
    });

    it("reads each setting in the program with the Config getter of its type, into the argument of its name", () => {
        assert.deepStrictEqual(programSettings(SAMPLE), [
            '    name: config.get("name"),',
            '    replicas: config.getNumber("replicas"),',
            '    networkPolicy: config.getBoolean("networkPolicy"),',
            '    rootPassword: config.get("rootPassword"),',
            '    nfsPaths: config.getObject<string[]>("nfsPaths"),',
            '    volumeAccessModes: config.getObject<string[]>("volumeAccessModes"),',
            '    ports: config.getObject<number[]>("ports"),',
        ]);
    });

    it("--check names each stale file and exits 1; without it, rewrites the blocks and nothing else", () => {
        const dir = scratchCopy();
        try {
            const file = (name: string) => fs.readFileSync(path.join(dir, name), "utf8");
            const outside = (name: string) => {
                const block = BLOCKS.find((b) => b.file === name)!;
                const text = file(name);
                return [text.slice(0, text.indexOf(block.start)), text.slice(text.indexOf(block.end))];
            };
            const before = { readme: outside("README.md"), program: outside("index.ts") };
            fs.appendFileSync(
                path.join(dir, "Pulumi.yaml"),
                "  extraSetting:\n    type: boolean\n    description: A setting added to Pulumi.yaml only.\n",
            );
            assert.deepStrictEqual(run(["--check"], dir), {
                status: 1,
                out: [],
                err: [
                    "README.md is not current with Pulumi.yaml: run `npm run docs` and commit the result.",
                    "index.ts is not current with Pulumi.yaml: run `npm run docs` and commit the result.",
                ],
            });
            assert.strictEqual(file("README.md"), read("README.md"), "--check writes nothing");

            assert.deepStrictEqual(run([], dir), { status: 0, out: ["wrote README.md", "wrote index.ts"], err: [] });
            assert.ok(
                file("README.md").includes(
                    "| `extraSetting` | boolean | — | A setting added to Pulumi.yaml only. |\n<!-- config-reference:end -->",
                ),
            );
            assert.ok(file("index.ts").includes('    extraSetting: config.getBoolean("extraSetting"),\n    // settings:end\n'));
            assert.deepStrictEqual({ readme: outside("README.md"), program: outside("index.ts") }, before);
            assert.deepStrictEqual(run(["--check"], dir), { status: 0, out: [], err: [] });
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });

    it("refuses a type no Config getter reads, and lost markers, saying what to do", () => {
        const dir = scratchCopy();
        try {
            fs.appendFileSync(path.join(dir, "Pulumi.yaml"), "  labels:\n    type: object\n    description: Labels of every object.\n");
            assert.throws(
                () => loadSettings(dir),
                (e: Error) =>
                    e instanceof DocsError &&
                    e.message ===
                        'Pulumi.yaml: setting `labels` has type "object", which the program cannot read with one Config getter: ' +
                            "use string, integer, boolean, or array with items of type string, integer or boolean.",
            );
            assert.strictEqual(run(["--check"], dir).status, 1);
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
        assert.throws(
            () => replaceBlock("const a = 1;\n    // settings:end\n", BLOCKS[1], []),
            /^Error: index.ts: expected one line starting with `\/\/ settings:start` and, after it, one starting with `\/\/ settings:end` \(found 0 and 1\): put the markers back around the generated block.$/,
        );
    });

    it("exits 2 on an unknown option, with the usage", () => {
        const { status, out, err } = run(["--chek"], ROOT);
        assert.deepStrictEqual({ status, out }, { status: 2, out: [] });
        assert.match(err.join("\n"), /^Unknown option '--chek'\.\nUsage: npm run docs \[-- --check\]\n/);
    });

    it("gives every setting a type and a description", () => {
        for (const [key, d] of Object.entries(declared)) {
            assert.ok(["string", "integer", "boolean", "array"].includes(d.type), key);
            assert.ok(typeof d.description === "string" && d.description.length > 20, key);
        }
    });
});

describe("the defaults written by hand, against Pulumi.yaml", () => {
    it("DEFAULTS in components/args.ts: the same settings and values", () => {
        for (const [key, value] of Object.entries(DEFAULTS)) {
            assert.deepStrictEqual(declared[key]?.default, value, key);
        }
        const withDefault = Object.keys(declared).filter((k) => declared[k].default !== undefined);
        assert.deepStrictEqual(withDefault.sort(), Object.keys(DEFAULTS).sort());
    });

    it("MySqlClusterArgs: every setting in Pulumi.yaml's order, `@default` as Pulumi.yaml's default or prose where it has none", () => {
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

    it("the README's prose: each `key` (N s) and `key`, on/off by default, as Pulumi.yaml declares it", () => {
        const readme = read("README.md");
        const stated = [
            ...[...readme.matchAll(/`(\w+)`(?:, | \()(\d+) s\b/g)].map((m) => [m[1], Number(m[2])]),
            ...[...readme.matchAll(/`(\w+)`, (on|off) by default/g)].map((m) => [m[1], m[2] === "on"]),
        ].filter(([key]) => String(key) in declared);
        assert.deepStrictEqual(
            stated,
            stated.map(([key]) => [key, declared[String(key)].default]),
        );
        // The five places the README states a default today; fewer means the patterns above lost them.
        assert.ok(stated.length >= 5, JSON.stringify(stated));
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
