// The CI pipelines (.github/workflows/): each file valid against GitHub's workflow schema (action-validator,
// run offline from node_modules), every stack they deploy or preview one that exists, and every secret
// taken from the CI's secret store.
import * as assert from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as yaml from "js-yaml";

const ROOT = path.resolve(__dirname, "..", "..");
const WORKFLOWS = path.join(ROOT, ".github", "workflows");
const VALIDATOR = path.join(ROOT, "node_modules", ".bin", "action-validator");

/** Stacks that can be deployed: Pulumi.<stack>.yaml beside Pulumi.yaml (tests/real's stack is not one). */
const STACKS = fs
    .readdirSync(ROOT)
    .map((file) => /^Pulumi\.(.+)\.yaml$/.exec(file)?.[1])
    .filter((stack): stack is string => stack !== undefined);

const files = fs.readdirSync(WORKFLOWS).filter((f) => /\.ya?ml$/.test(f));

function validate(file: string) {
    return spawnSync(VALIDATOR, [file], { cwd: ROOT, encoding: "utf8" });
}

/** Every stack a workflow names: `stack-name` inputs (matrix values expanded) and `--stack` flags. */
function stacksOf(workflow: any): string[] {
    const stacks: string[] = [];
    for (const job of Object.values<any>(workflow.jobs)) {
        const matrix = job.strategy?.matrix ?? {};
        const expand = (value: string): string[] => {
            const ref = /^\$\{\{\s*matrix\.(\w+)\s*\}\}$/.exec(value);
            return ref ? (matrix[ref[1]] as string[]) : [value];
        };
        for (const step of job.steps ?? []) {
            if (typeof step.with?.["stack-name"] === "string") {
                stacks.push(...expand(step.with["stack-name"]));
            }
            for (const match of String(step.run ?? "").matchAll(/--stack[= ](\S+)/g)) {
                stacks.push(...expand(match[1]));
            }
        }
    }
    return stacks;
}

/** Every value of an `env`, `with` or `secrets` block whose name looks like a credential. */
function credentialsOf(workflow: any): Array<[string, unknown]> {
    const found: Array<[string, unknown]> = [];
    const visit = (node: unknown) => {
        if (node === null || typeof node !== "object") {
            return;
        }
        for (const [key, value] of Object.entries(node)) {
            if (/token|password|secret|kubeconfig|key$/i.test(key) && typeof value !== "object") {
                found.push([key, value]);
            }
            visit(value);
        }
    };
    visit(workflow.jobs);
    return found;
}

describe("the CI workflows", function () {
    this.timeout(60_000);

    it("are the three pipelines: pull request, deploy, release", () => {
        assert.deepStrictEqual(files.sort(), ["deploy.yml", "pull-request.yml", "release.yml"]);
        assert.deepStrictEqual(STACKS.sort(), ["dev", "prod"]);
    });

    for (const file of files) {
        it(`${file} is valid against the workflow schema (action-validator)`, () => {
            const run = validate(path.join(".github", "workflows", file));
            assert.strictEqual(run.status, 0, run.stdout + run.stderr);
        });
    }

    it("the validator rejects a workflow with a mistake, so a pass means something", () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "workflow-"));
        try {
            const broken = path.join(dir, "broken.yml");
            fs.writeFileSync(broken, "on: push\njobs:\n  test:\n    runs-on: ubuntu-24.04\n    step:\n      - run: npm test\n");
            const run = validate(broken);
            assert.strictEqual(run.status, 1);
            assert.match(run.stdout + run.stderr, /Additional property 'step' is not allowed/);
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });

    it("preview every stack on pull requests (posted on the PR), `up` dev then prod behind an approval, publish on a tag", () => {
        const load = (file: string) => yaml.load(fs.readFileSync(path.join(WORKFLOWS, file), "utf8")) as any;
        const pr = load("pull-request.yml");
        assert.deepStrictEqual(Object.keys(pr.on), ["pull_request"]);
        assert.deepStrictEqual(pr.jobs.preview.strategy.matrix.stack, STACKS);
        const preview = pr.jobs.preview.steps.find((s: any) => String(s.uses).startsWith("pulumi/actions@"));
        assert.deepStrictEqual(
            { command: preview.with.command, comment: preview.with["comment-on-pr"] },
            { command: "preview", comment: true },
        );
        assert.deepStrictEqual(pr.jobs.preview.needs, "test");

        const deploy = load("deploy.yml");
        assert.deepStrictEqual(deploy.on, { push: { branches: ["main"] } });
        assert.deepStrictEqual(
            [deploy.jobs.dev.environment, deploy.jobs.prod.environment, deploy.jobs.prod.needs],
            ["dev", "production", "dev"],
        );
        const up = (job: any) => job.steps.find((s: any) => String(s.uses).startsWith("pulumi/actions@")).with;
        assert.deepStrictEqual(
            [up(deploy.jobs.dev), up(deploy.jobs.prod)],
            [
                { command: "up", "stack-name": "dev" },
                { command: "up", "stack-name": "prod" },
            ],
        );

        const release = load("release.yml");
        assert.deepStrictEqual(release.on, { push: { tags: ["v*"] } });
        assert.ok(release.jobs.publish.steps.some((s: any) => /^npm publish\b/.test(s.run ?? "")));
    });

    for (const file of files) {
        it(`${file} names only stacks that exist, and takes every credential from the secret store`, () => {
            const workflow = yaml.load(fs.readFileSync(path.join(WORKFLOWS, file), "utf8"));
            for (const stack of stacksOf(workflow)) {
                assert.ok(STACKS.includes(stack), `${file} names the stack ${stack}, which has no Pulumi.${stack}.yaml`);
            }
            const credentials = credentialsOf(workflow);
            assert.ok(credentials.length > 0, `${file} uses no credential at all?`);
            for (const [key, value] of credentials) {
                assert.match(String(value), /^\$\{\{\s*secrets\.[A-Z_]+\s*\}\}$/, `${file}: ${key} is not taken from secrets`);
            }
        });
    }

    it("a workflow naming a stack that does not exist is caught", () => {
        const workflow = {
            jobs: {
                p: {
                    strategy: { matrix: { stack: ["dev", "staging"] } },
                    steps: [{ with: { "stack-name": "${{ matrix.stack }}" } }, { run: "pulumi up --stack qa" }],
                },
            },
        };
        assert.deepStrictEqual(
            stacksOf(workflow).filter((s) => !STACKS.includes(s)),
            ["staging", "qa"],
        );
    });
});
