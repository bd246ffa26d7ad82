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

/** The organisation part of every `stack-name`: a repository variable, as pulumi/actions advises `org/stack`. */
const ORG = "${{ vars.PULUMI_ORG }}/";

/** A matrix's values of one key, from its lists or its `include` entries. */
function matrixValues(matrix: any, key: string): string[] {
    return [...(matrix[key] ?? []), ...(matrix.include ?? []).map((entry: any) => entry[key]).filter((v: unknown) => v !== undefined)];
}

/** Every stack a workflow names: `stack-name` inputs (org stripped, matrix values expanded) and `--stack` flags. */
function stacksOf(workflow: any): string[] {
    const stacks: string[] = [];
    for (const job of Object.values<any>(workflow.jobs)) {
        const matrix = job.strategy?.matrix ?? {};
        const expand = (value: string): string[] => {
            const ref = /^\$\{\{\s*matrix\.([\w-]+)\s*\}\}$/.exec(value);
            return ref ? matrixValues(matrix, ref[1]) : [value];
        };
        for (const step of job.steps ?? []) {
            if (typeof step.with?.["stack-name"] === "string") {
                stacks.push(...expand(step.with["stack-name"].replace(ORG, "")));
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

    const load = (file: string) => yaml.load(fs.readFileSync(path.join(WORKFLOWS, file), "utf8")) as any;
    /** Every step of every job of every workflow, with where it is. */
    const allSteps = () =>
        files.flatMap((file) =>
            Object.entries<any>(load(file).jobs).flatMap(([job, j]) => (j.steps ?? []).map((step: any) => ({ file, job, step }))),
        );

    it("preview every stack on pull requests (posted on the PR), `up` dev then prod behind an approval, publish on a tag", () => {
        const pr = load("pull-request.yml");
        assert.deepStrictEqual(Object.keys(pr.on), ["pull_request"]);
        assert.deepStrictEqual(matrixValues(pr.jobs.preview.strategy.matrix, "stack"), STACKS);
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
        const up = (job: any) => {
            const step = job.steps.find((s: any) => String(s.uses).startsWith("pulumi/actions@")).with;
            return { command: step.command, "stack-name": step["stack-name"] };
        };
        assert.deepStrictEqual(
            [up(deploy.jobs.dev), up(deploy.jobs.prod)],
            [
                { command: "up", "stack-name": `${ORG}dev` },
                { command: "up", "stack-name": `${ORG}prod` },
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

    it("each stack's PR preview runs in its own environment (its own credentials), prod's not behind deploy's approval", () => {
        const preview = load("pull-request.yml").jobs.preview;
        assert.strictEqual(preview.environment, "${{ matrix.environment }}");
        assert.deepStrictEqual(
            preview.strategy.matrix.include.map((e: any) => [e.stack, e.environment]),
            [
                ["dev", "dev"],
                ["prod", "production-preview"],
            ],
        );
        // The deploy's environments: dev shares its credentials with its preview; prod's preview has its own.
        const deploy = load("deploy.yml");
        assert.deepStrictEqual([deploy.jobs.dev.environment, deploy.jobs.prod.environment], ["dev", "production"]);
    });

    it("a pull request from a fork (no secrets) skips the previews and says why in a job of its own", () => {
        const pr = load("pull-request.yml");
        const SAME_REPO = "github.event.pull_request.head.repo.full_name == github.repository";
        assert.strictEqual(pr.jobs.preview.if, SAME_REPO);
        const skipped = pr.jobs["preview-skipped"];
        assert.strictEqual(skipped.if, SAME_REPO.replace("==", "!="));
        assert.strictEqual(skipped.steps.length, 1);
        assert.match(skipped.steps[0].run, /^echo "::notice title=No pulumi preview for a fork::.*no secrets.*the tests ran/);
        // The fork's name reaches the script through the environment, never spliced into its text.
        assert.doesNotMatch(skipped.steps[0].run, /\$\{\{/);
        assert.deepStrictEqual(skipped.steps[0].env, { FORK: "${{ github.event.pull_request.head.repo.full_name }}" });
    });

    it("every pulumi/actions step is v7, names its stack as org/stack, pins the tested CLI and runs the policy pack built before it", () => {
        const pulumiSteps = allSteps().filter(({ step }) => String(step.uses).startsWith("pulumi/actions@"));
        assert.strictEqual(pulumiSteps.length, 3);
        for (const { file, job, step } of pulumiSteps) {
            const where = `${file} ${job}`;
            assert.strictEqual(step.uses, "pulumi/actions@v7", where);
            assert.ok(String(step.with["stack-name"]).startsWith(ORG), `${where}: stack-name ${step.with["stack-name"]} is not org/stack`);
            assert.strictEqual(step.with["pulumi-version"], "3.248.0", where);
            assert.strictEqual(step.with.policyPacks, "policy", where);
            const steps = load(file).jobs[job].steps;
            const build = steps.findIndex((s: any) => s["working-directory"] === "policy" && /^npm ci\b/.test(s.run ?? ""));
            const run = steps.findIndex((s: any) => String(s.uses).startsWith("pulumi/actions@"));
            assert.ok(build >= 0 && build < run, `${where}: no \`npm ci\` in policy/ before the pulumi step`);
        }
        // prod is checked as production (the policy config), in its preview and its update.
        const configs = pulumiSteps.map(({ step }) => step.with.policyPackConfigs);
        assert.deepStrictEqual(configs, [undefined, "policy/production.json", "${{ matrix.policy-config }}"]);
        assert.deepStrictEqual(JSON.parse(fs.readFileSync(path.join(ROOT, "policy", "production.json"), "utf8")), {
            "mysql-production-availability": { production: true },
        });
    });

    it("every setup-node caches npm, keyed on both lockfiles where the policy pack is installed", () => {
        for (const { file, job, step } of allSteps().filter(({ step }) => String(step.uses).startsWith("actions/setup-node@"))) {
            assert.strictEqual(step.with.cache, "npm", `${file} ${job}`);
            const installsPolicy = load(file).jobs[job].steps.some((s: any) => s["working-directory"] === "policy");
            if (installsPolicy) {
                assert.deepStrictEqual(String(step.with["cache-dependency-path"]).trim().split("\n"), [
                    "package-lock.json",
                    "policy/package-lock.json",
                ]);
            }
        }
    });

    it("the policy pack's lockfile is committed and current: `npm install` in policy/ leaves no new or changed file", () => {
        const tracked = spawnSync("git", ["ls-files", "--error-unmatch", "policy/package-lock.json"], { cwd: ROOT, encoding: "utf8" });
        assert.strictEqual(tracked.status, 0, "policy/package-lock.json is not in git");
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "policy-lock-"));
        try {
            for (const file of ["package.json", "package-lock.json"]) {
                fs.copyFileSync(path.join(ROOT, "policy", file), path.join(dir, file));
            }
            const install = spawnSync("npm", ["install", "--prefer-offline", "--ignore-scripts", "--no-audit", "--no-fund"], {
                cwd: dir,
                encoding: "utf8",
            });
            assert.strictEqual(install.status, 0, install.stderr);
            assert.strictEqual(
                fs.readFileSync(path.join(dir, "package-lock.json"), "utf8"),
                fs.readFileSync(path.join(ROOT, "policy", "package-lock.json"), "utf8"),
            );
            assert.deepStrictEqual(fs.readdirSync(dir).sort(), ["node_modules", "package-lock.json", "package.json"]);
            // One @pulumi/pulumi, at the version the component is tested with.
            const sdk = JSON.parse(fs.readFileSync(path.join(dir, "node_modules", "@pulumi", "pulumi", "package.json"), "utf8"));
            assert.strictEqual(
                sdk.version,
                JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8")).devDependencies["@pulumi/pulumi"],
            );
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });

    it("a workflow naming a stack that does not exist is caught", () => {
        const workflow = {
            jobs: {
                p: {
                    strategy: { matrix: { stack: ["dev", "staging"], include: [{ stack: "uat" }] } },
                    steps: [{ with: { "stack-name": "${{ vars.PULUMI_ORG }}/${{ matrix.stack }}" } }, { run: "pulumi up --stack qa" }],
                },
            },
        };
        assert.deepStrictEqual(
            stacksOf(workflow).filter((s) => !STACKS.includes(s)),
            ["staging", "uat", "qa"],
        );
    });
});
