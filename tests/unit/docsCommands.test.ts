// Every command README.md and docs/*.md show, as written. Each fenced shell block (sh, bash, shell) and each
// `$ ` line of a text block is parsed by shfmt (the formatter lint.sh already needs) into its commands. The
// ones that need no cluster run here, in a pseudo-terminal as a reader's shell would (`script`, bsdutils),
// and must end as the page says (exit 0, or the output a text block shows). Every other command is checked
// against the repository: `npm run X` names a script of package.json, a repository path exists,
// `pulumi config` names a declared setting, `pulumi stack output` an output of index.ts, `--stack S` a
// Pulumi.S.yaml, and kubectl's containers, label selectors and CronJobs are ones the render makes. A command
// of a kind nothing here knows fails: a new kind of command gets a check, never a silent pass. Inline
// `npm run X` spans name scripts too. Last, every relative link of the pages reaches a file and, with a
// `#fragment`, one of its headings.
import * as assert from "assert";
import { execFileSync, spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import * as yaml from "js-yaml";
import { SETTINGS } from "../../components";
import { Command, commands, PAGES, read, ROOT, statements } from "../docsCommands";

const SCRIPTS: Record<string, string> = JSON.parse(read("package.json")).scripts;
const OUTPUTS = [...read("index.ts").matchAll(/^export const (\w+) =/gm)].map((m) => m[1]);

/** The objects a stack renders (and the legacy labels' variant), to check kubectl's names against. */
const renders = new Map<string, any[]>();
function rendered(stack: string, ...config: string[]): any[] {
    const key = [stack, ...config].join(" ");
    if (!renders.has(key)) {
        const out = execFileSync("node", ["scripts/render.cjs", "--stack", stack, ...config.flatMap((c) => ["--config", c])], {
            cwd: ROOT,
            encoding: "utf8",
        });
        renders.set(key, (yaml.loadAll(out) as any[]).filter(Boolean));
    }
    return renders.get(key)!;
}
const allObjects = () => ["dev", "prod"].flatMap((s) => [...rendered(s), ...rendered(s, "selectorLabels=legacy")]);

/** Every label set of the rendered objects and of the pods their templates make. */
function labelSets(): Record<string, string>[] {
    const sets: Record<string, string>[] = [];
    const walk = (node: any): void => {
        if (node && typeof node === "object") {
            if (node.metadata?.labels) {
                sets.push(node.metadata.labels);
            }
            Object.values(node).forEach(walk);
        }
    };
    allObjects().forEach(walk);
    return sets;
}

/** Every container name of the rendered pods, Jobs included. */
function containerNames(): Set<string> {
    const names = new Set<string>();
    const walk = (node: any): void => {
        if (node && typeof node === "object") {
            for (const key of ["containers", "initContainers"]) {
                if (Array.isArray(node[key])) {
                    node[key].forEach((c: any) => names.add(c.name));
                }
            }
            Object.values(node).forEach(walk);
        }
    };
    allObjects().forEach(walk);
    // The containers only binlog shipping with metrics adds (docs/metrics.md, docs/backups.md).
    const shipping = ["flavor=mariadb", "metrics=true", "backupS3Bucket=acme-mysql-backups", "backupS3CredentialsSecret=mysql-backup-s3"];
    rendered("dev", ...shipping).forEach(walk);
    return names;
}

/** The setting a `pulumi config` key names: `replicas`, `mysql-statefulset:replicas`, `nfsPaths[0]`. */
const settingOf = (key: string) => key.replace(/^mysql-statefulset:/, "").replace(/\[\d+\]$/, "");

/** The repository paths among a command's words: those that start with one of the repository's top-level entries. */
function repoPaths(argv: string[]): string[] {
    const top = new Set(fs.readdirSync(ROOT).filter((f) => f !== "node_modules"));
    return argv.filter((a) => a.includes("/") && !a.includes("$") && top.has(a.split("/")[0]) && !/[<>*]/.test(a));
}

/** Tools whose words refer to nothing of this repository beyond paths (checked): they run in the reader's shell or a pod. */
const ORDINARY = new Set(["cd", "ls", "cat", "echo", "grep", "sha256sum", "base64", "git", "rclone", "source", "eval", "head"]);

/** Checks one command against the repository; a kind it does not know fails. */
function check(command: Command): void {
    const { argv, where } = command;
    const at = `${where}: \`${argv.join(" ")}\``;
    for (const p of repoPaths(argv)) {
        assert.ok(fs.existsSync(path.join(ROOT, p)), `${at}: ${p} does not exist`);
    }
    const [program, ...args] = argv;
    const flagValue = (...names: string[]) => {
        const i = args.findIndex((a) => names.includes(a) || names.some((n) => a.startsWith(`${n}=`)));
        return i < 0 ? undefined : args[i].includes("=") && args[i].startsWith("--") ? args[i].split("=").slice(1).join("=") : args[i + 1];
    };
    const stack = flagValue("--stack", "-s");
    if (stack !== undefined && program !== "npm") {
        assert.ok(fs.existsSync(path.join(ROOT, `Pulumi.${stack}.yaml`)), `${at}: no Pulumi.${stack}.yaml`);
    }
    switch (program) {
        case "npm": {
            const sub = args[0];
            if (sub === "run" || sub === "run-script") {
                const script = args.slice(1).find((a) => !a.startsWith("-"));
                assert.ok(script && script in SCRIPTS, `${at}: package.json has no script ${script}`);
                const rest = args.slice(args.indexOf("--") + 1);
                const s = args.includes("--") ? (rest.includes("--stack") ? rest[rest.indexOf("--stack") + 1] : undefined) : undefined;
                if (s !== undefined) {
                    assert.ok(fs.existsSync(path.join(ROOT, `Pulumi.${s}.yaml`)), `${at}: no Pulumi.${s}.yaml`);
                }
            } else if (sub === "start" || sub === "test") {
                assert.ok(sub in SCRIPTS, `${at}: package.json has no ${sub} script`);
            } else {
                assert.ok(["ci", "install", "pack"].includes(sub), `${at}: an npm command this test does not know`);
            }
            return;
        }
        case "pulumi": {
            const words = args.filter((a) => !a.startsWith("-"));
            if (words[0] === "config" && (words[1] === "set" || words[1] === "rm")) {
                const [key, value] = args
                    .slice(args.indexOf(words[1]) + 1)
                    .filter((a, i, all) => !a.startsWith("-") && all[i - 1] !== "--stack");
                assert.ok(settingOf(key) in SETTINGS || key.includes(":"), `${at}: ${key} is not a setting (components/settings.ts)`);
                if (settingOf(key) === "allowDestructiveChanges" && value !== undefined) {
                    assert.ok(value in SETTINGS, `${at}: ${value} is not a setting`);
                }
                if ((SETTINGS as Readonly<Record<string, { secret?: boolean }>>)[settingOf(key)]?.secret) {
                    assert.ok(args.includes("--secret"), `${at}: ${key} is a secret: set it with --secret`);
                }
            } else if (words[0] === "stack" && words[1] === "output") {
                assert.ok(OUTPUTS.includes(words[2]), `${at}: index.ts exports no ${words[2]}`);
            } else {
                assert.ok(
                    ["up", "preview", "destroy", "stack", "package", "config", "login"].includes(words[0]),
                    `${at}: a pulumi command this test does not know`,
                );
            }
            const pack = flagValue("--policy-pack");
            if (pack !== undefined) {
                assert.ok(fs.existsSync(path.join(ROOT, pack, "PulumiPolicy.yaml")), `${at}: ${pack} is not a policy pack`);
            }
            return;
        }
        case "kubectl": {
            const container =
                flagValue("-c", "--container") ?? (args[0] === "logs" && /^mysql-\d+$/.test(args[1] ?? "") ? args[2] : undefined);
            if (container !== undefined) {
                assert.ok(containerNames().has(container), `${at}: the render has no container ${container}`);
            }
            const selector = flagValue("-l", "--selector");
            if (selector !== undefined) {
                const terms = selector.split(",").map((t) => t.split("="));
                assert.ok(
                    terms.every((t) => t.length === 2),
                    `${at}: only key=value selectors are checked here`,
                );
                assert.ok(
                    labelSets().some((labels) => terms.every(([k, v]) => labels[k] === v)),
                    `${at}: -l ${selector} selects nothing the dev or prod stack renders (recommended or legacy labels)`,
                );
            }
            const from = flagValue("--from");
            if (from?.startsWith("cronjob/")) {
                const name = from.split("/")[1];
                assert.ok(
                    allObjects().some((o) => o.kind === "CronJob" && o.metadata.name === name),
                    `${at}: the render has no CronJob ${name}`,
                );
            }
            return;
        }
        case "bash":
        case "node": {
            const file = args.find((a) => !a.startsWith("-"));
            assert.ok(file !== undefined && fs.existsSync(path.join(ROOT, file)), `${at}: ${file} does not exist`);
            return;
        }
        default:
            assert.ok(ORDINARY.has(program), `${at}: a command of a kind this test does not know: give it a check here, or run it`);
    }
}

/** Whether a statement can run on any machine without a cluster: the render and what reads its output. */
const runsHere = (cmds: Command[]) =>
    cmds.every(
        (c) => (c.argv[0] === "npm" && c.argv.slice(1).find((a) => !a.startsWith("-") && a !== "run") === "render") || c.argv[0] === "grep",
    );

/** Runs a statement as a reader would: bash in the repository, in a pseudo-terminal; the status and the text printed. */
function runAsWritten(text: string): { status: number | null; output: string } {
    const run = spawnSync("script", ["-qec", text, "/dev/null"], {
        cwd: ROOT,
        encoding: "utf8",
        env: { ...process.env, SHELL: "/bin/bash" },
    });
    // eslint-disable-next-line no-control-regex
    const output = run.stdout.replace(/\r/g, "").replace(/\x1b\[[0-9;]*[A-Za-z]/g, "");
    return { status: run.status, output };
}

const ALL = PAGES.flatMap((page) => statements(page, read(page)));

describe("the commands of README.md and docs/*.md, as written", function () {
    this.timeout(300_000);

    it("finds the commands of shell blocks and the `$ ` lines of text blocks, through pipes, lists and $(...)", () => {
        const page = [
            "```sh",
            "npm ci   # x",
            'eval "$(npm run --silent cluster -- up)" && kubectl get nodes',
            "```",
            "```text",
            "$ npm test",
            "ok",
            "```",
        ].join("\n");
        const found = statements("p.md", page);
        assert.deepStrictEqual(
            found.map((s) => [s.where, s.shown]),
            [
                ["p.md:2", undefined],
                ["p.md:6", ["ok"]],
            ],
        );
        assert.deepStrictEqual(
            found.flatMap((s) => commands(s.where, s.text)).map((c) => [c.where, c.argv]),
            [
                ["p.md:2", ["npm", "ci"]],
                ["p.md:3", ["eval", "$(npm run --silent cluster -- up)"]],
                ["p.md:3", ["npm", "run", "--silent", "cluster", "--", "up"]],
                ["p.md:3", ["kubectl", "get", "nodes"]],
                ["p.md:6", ["npm", "test"]],
            ],
        );
    });

    it("fails a command that names what does not exist, or of a kind it does not know", () => {
        const refused = (text: string, message: RegExp) => {
            for (const c of commands("p.md:1", text)) {
                assert.throws(() => check(c), message, text);
            }
        };
        refused("npm run rendr -- --stack dev", /package.json has no script rendr/);
        refused("npm run render -- --stack staging", /no Pulumi.staging.yaml/);
        refused("pulumi config set replica 5", /replica is not a setting/);
        refused("pulumi config set rootPassword x", /rootPassword is a secret: set it with --secret/);
        refused("pulumi stack output primary", /index.ts exports no primary/);
        refused("kubectl logs mysql-1 clone", /the render has no container clone/);
        refused("kubectl get jobs -l app=mysql-backups", /selects nothing/);
        refused("bash scripts/nothing.sh", /scripts\/nothing.sh does not exist/);
        refused("terraform apply", /a command of a kind this test does not know/);
    });

    it("finds commands on the pages: the README's and each chapter's", () => {
        const pages = new Set(ALL.map((s) => s.where.replace(/:\d+$/, "")));
        for (const page of ["README.md", "docs/operations.md", "docs/troubleshooting.md", "docs/start.md"]) {
            assert.ok(pages.has(page), `${page} shows no command`);
        }
    });

    for (const s of ALL) {
        // Each top-level statement of a block: those that can run here run, the others are checked.
        const byStatement = new Map<string, Command[]>();
        for (const c of commands(s.where, s.text)) {
            byStatement.set(c.statement, [...(byStatement.get(c.statement) ?? []), c]);
        }
        const checked = [...byStatement.values()].filter((cmds) => !runsHere(cmds)).flat();
        if (checked.length > 0) {
            it(`${s.where}: every command refers to what exists (${checked.map((c) => c.argv[0]).join(", ")})`, () => {
                checked.forEach(check);
            });
        }
        for (const [text, cmds] of [...byStatement].filter(([, cmds]) => runsHere(cmds))) {
            it(`${cmds[0].where}: runs \`${text}\`${s.shown ? ", printing what the page shows" : ""}`, () => {
                cmds.forEach(check);
                const { status, output } = runAsWritten(text);
                if (s.shown) {
                    const shown = s.shown.filter((l) => l.trim() !== "" && l.trim() !== "...");
                    assert.strictEqual(typeof status, "number", output);
                    for (const line of shown) {
                        assert.ok(
                            output.split("\n").includes(line),
                            `the page shows a line the command does not print: ${line}\n${output}`,
                        );
                    }
                } else {
                    assert.strictEqual(status, 0, output);
                    assert.ok(output.trim() !== "", "the command printed nothing");
                }
            });
        }
    }

    it(".ci/run runs the README's test command, `npm test`, after installing what it needs", () => {
        const quickStart = /## Quick start\n[\s\S]*?```sh\n([\s\S]*?)```/.exec(read("README.md"))?.[1] ?? "";
        const readme = commands("README.md:1", quickStart).map((c) => c.argv.join(" "));
        assert.ok(readme.includes("npm test"), "the README's Quick start shows `npm test`");
        const ci = commands(".ci/run:1", read(".ci/run")).map((c) => c.argv.join(" "));
        assert.strictEqual(ci[ci.length - 1], "npm test");
    });

    it("each inline `npm run X` names a script of package.json", () => {
        const named = PAGES.flatMap((page) =>
            [...read(page).matchAll(/`npm run (?:(?:-s|--silent) )?([\w:]+)/g)].map((m) => [page, m[1]] as const),
        );
        assert.ok(named.length > 10, "the pages name npm scripts");
        assert.deepStrictEqual(
            named.filter(([, script]) => !(script in SCRIPTS)),
            [],
        );
    });
});

/** A heading's fragment as GitHub makes it: lower case, punctuation but `-` and `_` dropped, spaces as `-`; repeats numbered. */
function anchors(markdown: string): Set<string> {
    const seen = new Map<string, number>();
    const found = new Set<string>();
    let fence = false;
    for (const line of markdown.split("\n")) {
        if (/^\s*```/.test(line)) {
            fence = !fence;
        }
        const heading = !fence && /^#{1,6} (.*)$/.exec(line);
        if (heading) {
            const slug = heading[1]
                .replace(/\[([^\]]*)\]\([^)]*\)/g, "$1")
                .toLowerCase()
                .replace(/[^\p{L}\p{M}\p{N}\p{Pc} -]/gu, "")
                .replace(/ /g, "-");
            const n = seen.get(slug) ?? 0;
            seen.set(slug, n + 1);
            found.add(n === 0 ? slug : `${slug}-${n}`);
        }
    }
    return found;
}

describe("the links of README.md and docs/*.md", () => {
    it("makes GitHub's heading fragments", () => {
        assert.deepStrictEqual(
            [
                ...anchors(
                    "# A\n## Other languages (Python, Go, C#, Java, YAML)\n## The test bed's `npm start -- down`\n```\n# no\n```\n## A\n",
                ),
            ],
            ["a", "other-languages-python-go-c-java-yaml", "the-test-beds-npm-start----down", "a-1"],
        );
    });

    for (const page of PAGES) {
        it(`${page}: every relative link reaches a file, and a heading of it`, () => {
            const text = read(page)
                .replace(/```[\s\S]*?```/g, "")
                .replace(/`[^`\n]*`/g, "");
            const links = [...text.matchAll(/\]\(([^)\s]+)\)/g)].map((m) => m[1]).filter((l) => !/^[a-z]+:/.test(l));
            const broken = links.filter((link) => {
                const [file, fragment] = link.split("#");
                const target = file === "" ? page : path.posix.normalize(path.posix.join(path.posix.dirname(page), file));
                if (!fs.existsSync(path.join(ROOT, target))) {
                    return true;
                }
                return fragment !== undefined && target.endsWith(".md") && !anchors(read(target)).has(fragment);
            });
            assert.deepStrictEqual(broken, []);
        });
    }
});
