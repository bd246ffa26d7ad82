// The `pulumi config` and `pulumi stack select|init` commands of README.md and docs/*.md, run as written on
// the built Pulumi CLI (tools/pulumi/build.sh), in a scratch copy of the project with a local file backend;
// no cluster. Each shell block runs on its own copy, in order, from the `dev` stack unless it selects or
// makes another; the other commands of the block (`pulumi up`, kubectl, npm) are left to
// tests/unit/docsCommands.test.ts. After each block the stack file the commands wrote holds what they set,
// and the render (`scripts/render.cjs --config-file`) accepts it: the values the docs tell a reader to set
// are settings the program takes. Placeholders (`<password>`) and the variables a page leaves to the
// reader (`$OLD_ROOT_PASSWORD`) get sample values.
import * as assert from "assert";
import { execFileSync, spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as yaml from "js-yaml";
import { Command, commands, PAGES, read, ROOT, statements } from "../docsCommands";

/** Sample values for what a page leaves to the reader. */
const SAMPLES: Record<string, string> = {
    "<password>": "Sample-password-1",
    "<your NFS server>": "nfs.example.internal",
    $OLD_ROOT_PASSWORD: "old-root-password",
    $OLD_REPLICATION_PASSWORD: "old-replication-password",
    $OLD_BACKUP_PASSWORD: "old-backup-password",
};

/** A `pulumi config set|rm` or `pulumi stack select|init`: what this test runs. */
const isConfig = (c: Command) =>
    c.argv[0] === "pulumi" &&
    ((c.argv[1] === "config" && ["set", "rm"].includes(c.argv[2])) || (c.argv[1] === "stack" && ["select", "init"].includes(c.argv[2])));

const BLOCKS = PAGES.flatMap((page) => statements(page, read(page)))
    .map((s) => ({ where: s.where, config: commands(s.where, s.text).filter(isConfig) }))
    .filter((b) => b.config.length > 0);

describe("the `pulumi config` commands of README.md and docs/*.md, run on the built CLI", function () {
    this.timeout(300_000);
    let bin: string;
    let work: string;

    before(() => {
        bin = execFileSync("bash", [path.join(ROOT, "tools", "pulumi", "build.sh")], { encoding: "utf8" }).trim();
        work = fs.mkdtempSync(path.join(os.tmpdir(), "docs-config-"));
    });
    after(() => fs.rmSync(work, { recursive: true, force: true }));

    it("finds the pages' config commands: the README's five steps, the guard's opt-in, the restore from a bucket", () => {
        const where = BLOCKS.map((b) => b.where);
        for (const page of ["README.md", "docs/operations.md", "docs/backups.md", "docs/labels.md"]) {
            assert.ok(
                where.some((w) => w.startsWith(`${page}:`)),
                `${page} shows no pulumi config command`,
            );
        }
    });

    for (const [n, block] of BLOCKS.entries()) {
        it(`${block.where}: ${block.config
            .map((c) =>
                c.argv
                    .filter((a) => !a.startsWith("-"))
                    .slice(1, 4)
                    .join(" "),
            )
            .join("; ")}`, () => {
            const project = path.join(work, `block-${n}`);
            fs.mkdirSync(path.join(project, ".state"), { recursive: true });
            for (const file of fs.readdirSync(ROOT).filter((f) => /^Pulumi(\..+)?\.yaml$/.test(f))) {
                fs.copyFileSync(path.join(ROOT, file), path.join(project, file));
            }
            const env = {
                ...process.env,
                PATH: `${bin}:${process.env.PATH}`,
                PULUMI_HOME: path.join(project, ".pulumi-home"),
                PULUMI_BACKEND_URL: `file://${path.join(project, ".state")}`,
                PULUMI_CONFIG_PASSPHRASE: "docs",
                PULUMI_SKIP_UPDATE_CHECK: "true",
                PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true",
            };
            const pulumi = (args: string[]) => {
                const run = spawnSync("pulumi", args, { cwd: project, env, encoding: "utf8" });
                assert.strictEqual(run.status, 0, `pulumi ${args.join(" ")}: ${run.stderr}`);
            };
            let stack = "dev";
            if (!block.config.some((c) => c.argv[1] === "stack")) {
                pulumi(["stack", "select", "--create", "dev"]);
            }
            const expected = new Map<string, unknown>();
            for (const c of block.config) {
                const args = c.argv.slice(1).map((a) => SAMPLES[a] ?? a);
                pulumi(args);
                const words = args.filter((a) => !a.startsWith("-"));
                if (words[0] === "stack") {
                    stack = words[2];
                } else if (words[1] === "set" && !args.includes("--secret")) {
                    expected.set(words[2], words[3]);
                } else if (words[1] === "rm") {
                    [...expected.keys()].filter((k) => k.split("[")[0] === words[2]).forEach((k) => expected.delete(k));
                    expected.set(words[2], undefined);
                }
            }
            const file = path.join(project, `Pulumi.${stack}.yaml`);
            const config: Record<string, unknown> = (yaml.load(fs.readFileSync(file, "utf8")) as any)?.config ?? {};
            for (const [key, value] of expected) {
                const [, setting, index] = /^([^[]+)(?:\[(\d+)\])?$/.exec(key)!;
                const stored = config[`mysql-statefulset:${setting}`];
                assert.deepStrictEqual(index === undefined ? stored : (stored as unknown[] | undefined)?.[Number(index)], value, key);
            }
            const render = spawnSync("node", [path.join(ROOT, "scripts", "render.cjs"), "--config-file", file], {
                cwd: ROOT,
                encoding: "utf8",
            });
            assert.strictEqual(render.status, 0, render.stderr);
            assert.match(render.stdout, /^kind: StatefulSet$/m);
        });
    }
});
