// Keeps the three descriptions of the settings in step: Pulumi.yaml (what the CLI knows), the README's
// configuration reference (what users read), index.ts and the component's defaults (what runs).
import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import * as yaml from "js-yaml";
import { DEFAULTS } from "../../components";

const ROOT = path.resolve(__dirname, "..", "..");
const read = (file: string) => fs.readFileSync(path.join(ROOT, file), "utf8");
const declared: Record<string, any> = (yaml.load(read("Pulumi.yaml")) as any).config;

describe("the configuration reference", () => {
    it("lists every setting of Pulumi.yaml with its type, default and description, in order", () => {
        const readme = read("README.md");
        const table = readme.slice(readme.indexOf("<!-- config-reference:start -->"), readme.indexOf("<!-- config-reference:end -->"));
        const rows = table
            .split("\n")
            .filter((line) => line.startsWith("| `"))
            .map((line) => line.slice(2, -2).split(" | "));
        const expected = Object.entries(declared).map(([key, d]) => [
            `\`${key}\``,
            d.type === "array" ? "list of string" : d.type + (d.secret ? " (secret)" : ""),
            d.default === undefined ? "—" : `\`${JSON.stringify(d.default)}\``,
            d.description,
        ]);
        assert.deepStrictEqual(rows, expected);
    });

    it("gives every setting a type and a description", () => {
        for (const [key, d] of Object.entries(declared)) {
            assert.ok(["string", "integer", "boolean", "array"].includes(d.type), key);
            assert.ok(typeof d.description === "string" && d.description.length > 20, key);
        }
    });

    it("declares the component's own defaults", () => {
        for (const [key, value] of Object.entries(DEFAULTS)) {
            assert.deepStrictEqual(declared[key]?.default, value, key);
        }
        const withDefault = Object.keys(declared).filter((k) => declared[k].default !== undefined);
        assert.deepStrictEqual(withDefault.sort(), Object.keys(DEFAULTS).sort());
    });

    it("is read, every setting of it, by the program", () => {
        const program = read("index.ts");
        const readKeys = [...program.matchAll(/config\.get\w*(?:<[^>]*>)?\("(\w+)"\)/g)].map((m) => m[1]);
        assert.deepStrictEqual(readKeys, Object.keys(declared));
        const argFields = [...program.matchAll(/^ {4}(\w+): config\./gm)].map((m) => m[1]);
        assert.deepStrictEqual(argFields, readKeys, "each setting feeds the component argument of the same name");
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
