// Every bad input of the table in tests/badInputs.ts refused with its exact message, exit 1, empty stdout
// and nothing registered, through the render (in this process, plus a few spawned to prove the command
// line) and through the library; and the unusual valid inputs accepted by both.
import * as assert from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as yaml from "js-yaml";
import { MySqlCluster, MySqlClusterArgs, resolveArgs } from "../../components";
import { clearRegistrations, installMocks, registrations, settle } from "../../scripts/render/mockRuntime";
import { main } from "../../scripts/render";
import { BAD_INPUTS, BASE, BadInput, VALID_INPUTS } from "../badInputs";
import { runRender } from "../renderCli";

const PROJECT = "mysql-statefulset";
const dir = fs.mkdtempSync(path.join(os.tmpdir(), "bad-input-"));

/** The render's command line for an input: a stack file made of the base and the input's settings, and its flags. */
function renderArgv(input: NonNullable<BadInput["render"]>, name: string): string[] {
    const file = path.join(dir, `Pulumi.${name}.yaml`);
    fs.mkdirSync(path.join(dir, "empty"), { recursive: true });
    const settings = Object.entries({ ...BASE, ...input.config }).filter(([, v]) => v !== undefined);
    const text = input.file ?? yaml.dump({ config: Object.fromEntries(settings.map(([k, v]) => [`${PROJECT}:${k}`, v])) });
    fs.writeFileSync(file, text);
    return ["--config-file", file, ...(input.argv ?? []).map((a) => (a === "DIR" ? path.join(dir, "empty") : a))];
}

function libraryArgs(input: NonNullable<BadInput["library"]>): MySqlClusterArgs {
    return ("whole" in input ? input.whole : { ...BASE, ...input.args }) as MySqlClusterArgs;
}

/** The problems the library reports, after checking that constructing the component registers nothing. */
async function libraryProblems(args: MySqlClusterArgs): Promise<readonly string[]> {
    clearRegistrations();
    let problems: readonly string[] | undefined;
    try {
        new MySqlCluster("db", args);
    } catch (error: any) {
        assert.strictEqual(error.name, "MySqlClusterArgsError", error.stack);
        problems = error.problems;
    }
    await settle();
    assert.deepStrictEqual(registrations, [], "nothing registered");
    assert.throws(
        () => resolveArgs(args),
        (error: any) => assert.deepStrictEqual(error.problems, problems) ?? true,
    );
    return problems ?? assert.fail("the library accepted the settings");
}

const PRINT = process.env.BAD_INPUT_PRINT !== undefined;

describe("bad inputs", function () {
    this.timeout(120_000);
    after(() => {
        fs.rmSync(dir, { recursive: true, force: true });
        // The render installed its own project and stack; give the other tests theirs back.
        installMocks(PROJECT, "test");
    });

    it(`has at least 100 distinct bad inputs and 15 valid unusual ones`, () => {
        const keys = BAD_INPUTS.map((b) => `${b.setting}: ${b.what}`);
        assert.deepStrictEqual(
            keys.filter((k, i) => keys.indexOf(k) !== i),
            [],
        );
        assert.ok(BAD_INPUTS.length >= 100, String(BAD_INPUTS.length));
        assert.ok(VALID_INPUTS.length >= 15, String(VALID_INPUTS.length));
    });

    it("refuses each through the render: the exact message on stderr, exit 1, empty stdout", async () => {
        const printed: string[] = [];
        for (const bad of BAD_INPUTS) {
            if (bad.render === undefined) {
                continue;
            }
            const run = await main(renderArgv(bad.render, "bad"));
            if (PRINT) {
                printed.push(
                    run.stderr
                        .replace(/^render: /, "")
                        .replace(/\n$/, "")
                        .replace(path.join(dir, "empty"), "DIR"),
                );
                continue;
            }
            assert.deepStrictEqual(
                {
                    what: `${bad.setting}: ${bad.what}`,
                    status: run.status,
                    stdout: run.stdout,
                    stderr: run.stderr.replace(path.join(dir, "empty"), "DIR"),
                },
                { what: `${bad.setting}: ${bad.what}`, status: 1, stdout: "", stderr: `render: ${bad.render.message}\n` },
            );
        }
        if (PRINT) {
            fs.writeFileSync(process.env.BAD_INPUT_PRINT + ".render.json", JSON.stringify(printed));
        }
    });

    it("refuses each through the library, with nothing registered", async () => {
        const printed: string[] = [];
        for (const bad of BAD_INPUTS) {
            if (bad.library === undefined) {
                continue;
            }
            const problems = await libraryProblems(libraryArgs(bad.library));
            if (PRINT) {
                printed.push(problems.join("\n"));
                continue;
            }
            assert.deepStrictEqual(
                { what: `${bad.setting}: ${bad.what}`, problems },
                { what: `${bad.setting}: ${bad.what}`, problems: [bad.library.message] },
            );
        }
        if (PRINT) {
            fs.writeFileSync(process.env.BAD_INPUT_PRINT + ".library.json", JSON.stringify(printed));
        }
    });

    it("accepts each valid unusual input through the render and the library", async () => {
        for (const [index, { setting, value, extra }] of VALID_INPUTS.entries()) {
            const run = await main(renderArgv({ config: { ...extra, [setting]: value }, message: "" }, `valid${index}`));
            assert.deepStrictEqual({ setting, value, status: run.status, stderr: run.stderr }, { setting, value, status: 0, stderr: "" });
            assert.ok((yaml.loadAll(run.stdout) as any[]).some((o) => o.kind === "StatefulSet"));
            const resolved: any = resolveArgs({ ...BASE, ...extra, [setting]: value });
            if (setting !== "nfsPathPattern") {
                assert.deepStrictEqual(setting === "nfsPaths" ? resolved.nfsPaths : resolved[setting], value, setting);
            }
        }
    });

    it("prints no stack trace from the command line itself (spawned)", () => {
        fs.mkdirSync(path.join(dir, "spawned"));
        const broken = path.join(dir, "spawned", "Pulumi.spawned.yaml");
        fs.writeFileSync(broken, "config:\n  a: 1\n  a: 2\n");
        for (const [args, message] of [
            [
                ["--config-file", broken],
                "render: Pulumi.spawned.yaml line 3 gives the key `a` a second time (duplicated mapping key): keep one of its lines, the value you mean; a stack file takes each key once.\n",
            ],
            [
                ["--config-file", path.dirname(broken)],
                `render: --config-file ${path.dirname(broken)} is a directory: give a stack file, e.g. ${broken}.\n`,
            ],
            [
                ["--stack", "dev", "--config", "cpuRequest=1Gi"],
                'render: Invalid MySqlCluster settings:\n  - `cpuRequest` is "1Gi": "Gi" is a unit of bytes: write CPUs as cores ("0.5", "2") or millicores ("500m"), e.g. "500m".\n',
            ],
        ] as const) {
            const run = runRender(...args);
            assert.deepStrictEqual(
                { status: run.status, stdout: run.stdout, stderr: run.stderr },
                { status: 1, stdout: "", stderr: message },
            );
        }
    });
});
