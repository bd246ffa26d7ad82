// The contract between the builders and the pod scripts (components/scriptContract.ts): what each script reads,
// from its syntax tree, against the declaration; and every rendered container, in every configuration that
// changes an environment, against the declarations of the programs it runs.
import * as assert from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { clusterNames, FLAVORS, MySqlClusterArgs, readPodScripts, resolveArgs, SCRIPT_FILES } from "../../components";
import { backupCronJob, statefulSet } from "../../components/builders";
import { ENVIRONMENTS, SCRIPT_ENVIRONMENT } from "../../components/scriptContract";
import { MOCK_UUID } from "../../scripts/render/mockRuntime";
import { BASE_ARGS } from "../helpers";
import { ContainerEnvironment, containerProblems, declarationProblems, declaredEnv, scriptReads } from "../scriptVariables";

const POD_SCRIPTS = path.resolve(__dirname, "..", "..", "pod");

describe("the script contract: what each pod script reads", () => {
    it("declares every pod script but lib.sh, which the others source", () => {
        const files = fs.readdirSync(POD_SCRIPTS).filter((file) => file.endsWith(".sh"));
        assert.deepStrictEqual(Object.keys(SCRIPT_ENVIRONMENT).sort(), files.filter((file) => file !== SCRIPT_FILES.lib).sort());
    });

    for (const [script, declared] of Object.entries(SCRIPT_ENVIRONMENT)) {
        it(`${script}: reads exactly the variables declared for it, and runs the scripts declared`, () => {
            assert.deepStrictEqual(declarationProblems(script, scriptReads(script), declared), []);
        });
    }

    it("reads through lib.sh's functions the script calls, and not those it does not", () => {
        // mysql-ready.sh runs sql (MYSQL_CLIENT, CLIENT_CONFIG, MYSQL_PORT), never receive_backup (CLONE_TRANSPORT).
        const reads = scriptReads(SCRIPT_FILES.mysqlReady);
        assert.ok(
            ["MYSQL_CLIENT", "CLIENT_CONFIG", "MYSQL_PORT"].every((name) => reads.required.includes(name)),
            reads.required.join(" "),
        );
        assert.ok(!reads.required.includes("CLONE_TRANSPORT"));
    });

    describe("the check can fail", () => {
        let dir: string;
        beforeEach(() => {
            dir = fs.mkdtempSync(path.join(os.tmpdir(), "script-contract-"));
        });
        afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));
        /** A scratch script beside none of the pod scripts: it sources lib.sh from pod/. */
        const scratch = (body: string) => {
            const file = path.join(dir, "scratch.sh");
            fs.writeFileSync(file, `#!/usr/bin/env bash\nset -o nounset\nsource "$(dirname "\${BASH_SOURCE[0]}")/lib.sh"\n${body}\n`);
            return scriptReads(file);
        };

        it("a read not declared, a required one declared optional, one declared and no longer read, an unlisted child", () => {
            const reads = scratch(
                [
                    'echo "$MADE_UP ${OPTIONAL_ONE:-} $MAYBE"',
                    'local_name=1; echo "$local_name"',
                    'for word in a; do echo "$word"; done',
                    '"$(dirname "${BASH_SOURCE[0]}")/clone-mysql.sh"',
                ].join("\n"),
            );
            assert.deepStrictEqual(reads, { required: ["MADE_UP", "MAYBE"], optional: ["OPTIONAL_ONE"], runs: ["clone-mysql.sh"] });
            assert.deepStrictEqual(declarationProblems("scratch.sh", reads, { optional: ["MAYBE", "OPTIONAL_ONE"], required: ["GONE"] }), [
                "scratch.sh reads $MADE_UP, which components/scriptContract.ts does not declare: add it to " +
                    'SCRIPT_ENVIRONMENT["scratch.sh"].required and set it in every container that runs scratch.sh (components/builders), or stop reading it.',
                "scratch.sh reads $MAYBE without a default (under nounset it fails when unset), but components/scriptContract.ts declares " +
                    'it optional: move it to SCRIPT_ENVIRONMENT["scratch.sh"].required, or read it as ${MAYBE:-}.',
                'components/scriptContract.ts declares $GONE for scratch.sh, which does not read it: remove it from SCRIPT_ENVIRONMENT["scratch.sh"] and from the builders.',
                'scratch.sh runs clone-mysql.sh, which SCRIPT_ENVIRONMENT["scratch.sh"] does not list in runs: add it (or under ifSet when a variable decides it).',
            ]);
        });

        it("reads in arithmetic, in a function called from a trap, and in a lib.sh function; not in one never called", () => {
            const reads = scratch(
                [
                    'on_exit() { echo "$IN_TRAP"; }',
                    'never_called() { echo "$NEVER"; }',
                    "trap on_exit EXIT",
                    "((COUNT > 0)) || true",
                    "for ((i = 0; i < LIMIT; i++)); do :; done",
                    "receive_backup donor",
                ].join("\n"),
            );
            assert.deepStrictEqual(reads.required, [
                "CLONE_IDLE_TIMEOUT",
                "CLONE_PORT",
                "CLONE_TRANSPORT",
                "COUNT",
                "IN_TRAP",
                "LIMIT",
                "TLS_CA",
                "TLS_CERT",
                "TLS_KEY",
            ]);
        });
    });
});

/** A restore keeps the old cluster's accounts: its passwords are given. */
const PASSWORDS = { rootPassword: "r", replicationPassword: "p", backupPassword: "b" };
/** Settings that change some container's environment: each flavor, an application user, backups, a restore. */
const CONFIGURATIONS: Record<string, Partial<MySqlClusterArgs>> = {
    ...Object.fromEntries(Object.keys(FLAVORS).map((flavor) => [flavor, { flavor }])),
    "mariadb, an application user, scheduled backups, restored from one": {
        flavor: "mariadb",
        appDatabase: "shop",
        appUser: "shop-app",
        backupNfsPath: "/exports/backups",
        backupSchedule: "0 3 * * *",
        restoreFrom: "20250101T030000Z",
        ...PASSWORDS,
        appPassword: "a",
    },
    "mariadb, metrics": { flavor: "mariadb", metrics: true },
    "mariadb, backups to a bucket with binlog shipping, restored to a time": {
        flavor: "mariadb",
        backupSchedule: "0 3 * * *",
        backupS3Bucket: "acme-backups",
        backupS3CredentialsSecret: "mysql-backup-s3",
        restoreFrom: "2026-12-07T14:05:00Z",
        ...PASSWORDS,
    },
    "mysql84, backups to a bucket with binlog shipping, restored to a time": {
        flavor: "mysql84",
        backupSchedule: "0 3 * * *",
        backupS3Bucket: "acme-backups",
        backupS3CredentialsSecret: "mysql-backup-s3",
        restoreFrom: "2026-12-07T14:05:00Z",
        ...PASSWORDS,
    },
    "mysql57, an application user, scheduled backups": {
        flavor: "mysql57",
        appDatabase: "shop",
        appUser: "shop-app",
        backupNfsPath: "/exports/backups",
        backupSchedule: "0 3 * * *",
    },
};

/** Every container the component renders for these settings: the StatefulSet's and the backup Job's. */
function renderedContainers(settings: Partial<MySqlClusterArgs>): ContainerEnvironment[] {
    const args = resolveArgs({ ...BASE_ARGS, ...settings });
    const names = clusterNames(args.name, args.namespace, args.clusterDomain, args.selectorLabels);
    const pod = (statefulSet(args, names, readPodScripts(), MOCK_UUID) as any).spec.template.spec;
    const job = (backupCronJob(args, names, readPodScripts(), MOCK_UUID) as any)?.spec.jobTemplate.spec.template.spec;
    return [...pod.initContainers, ...pod.containers, ...(job?.containers ?? [])];
}

describe("the script contract: what each rendered container sets", () => {
    for (const [configuration, settings] of Object.entries(CONFIGURATIONS)) {
        it(`${configuration}: every container sets what its programs need, and nothing none of them reads`, () => {
            const containers = renderedContainers(settings);
            assert.ok(containers.length >= 4, `${containers.length} containers`);
            assert.deepStrictEqual(
                containers.flatMap((container) => containerProblems(container, configuration)),
                [],
            );
        });
    }

    it("covers every declared program in some configuration", () => {
        const run = new Set(
            Object.values(CONFIGURATIONS)
                .flatMap(renderedContainers)
                .flatMap((c) => [
                    ...(c.command ?? []),
                    ...(c.args ?? []),
                    ...[c.readinessProbe, c.startupProbe].flatMap((p) => p?.exec?.command ?? []),
                ])
                .map((word) => path.basename(word)),
        );
        // Run by other scripts only: clone-mysql.sh's restore, the sidecar's restore-finish and rotation.
        const children = new Set(
            Object.values(ENVIRONMENTS).flatMap((e) => [...(e.runs ?? []), ...Object.values(e.ifSet ?? {}).flatMap((b) => b.runs ?? [])]),
        );
        assert.deepStrictEqual(
            Object.keys(ENVIRONMENTS).filter((program) => !run.has(program) && !children.has(program as never)),
            [],
        );
    });

    it("the check can fail: a variable a script needs and the builder does not set, and one set that nothing reads", () => {
        const [init] = renderedContainers({});
        const broken = { ...init, env: [...init.env!.filter((e) => e.name !== "CLUSTER_UID"), { name: "NOT_READ", value: "x" }] };
        assert.deepStrictEqual(containerProblems(broken, "trial"), [
            "trial: container init-mysql runs init-mysql.sh, which reads $CLUSTER_UID: the builder does not set it.",
            "trial: container init-mysql sets $NOT_READ, which none of the programs it runs (init-mysql.sh) reads: remove it from the builder, " +
                "or declare it in components/scriptContract.ts for the script that reads it.",
        ]);
        // A child run only when a variable is set: restore-mysql.sh's needs count when RESTORE_FROM is.
        const clone = renderedContainers({
            flavor: "mariadb",
            backupNfsPath: "/exports/b",
            restoreFrom: "20250101T030000Z",
            ...PASSWORDS,
        })[1];
        assert.deepStrictEqual(containerProblems({ ...clone, env: clone.env!.filter((e) => e.name !== "RESTORE_SQL") }, "trial"), [
            "trial: container clone-mysql runs clone-mysql.sh → restore-mysql.sh, which reads $RESTORE_SQL: the builder does not set it.",
        ]);
    });

    it("a script test's environment comes from the declaration: a variable the script needs, or one no script reads, is refused", () => {
        assert.deepStrictEqual(declaredEnv(SCRIPT_FILES.cloneEndpointReady, { CLONE_PORT: "3307" }), { CLONE_PORT: "3307" });
        assert.throws(() => declaredEnv(SCRIPT_FILES.cloneEndpointReady, {}), {
            message: "clone-endpoint-ready.sh reads $CLONE_PORT: the test's environment must set it.",
        });
        const spread: Record<string, string> = { CLONE_PORT: "1", STRAY: "x" };
        assert.throws(() => declaredEnv(SCRIPT_FILES.cloneEndpointReady, spread as { CLONE_PORT: string }), {
            message:
                "the test's environment sets $STRAY, which neither clone-endpoint-ready.sh nor a script it runs reads (components/scriptContract.ts).",
        });
    });
});
