// `npm run diagnose`: the verdict on each pod for every recorded failure kind (tests/fixtures/diagnose/),
// the exact kubectl commands it runs (read-only, no password on any command line), and its CLI contract.
import * as assert from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { clusterNames, FLAVORS } from "../../components";
import { main } from "../../scripts/diagnose";
import { collect } from "../../scripts/diagnose/kubectl";
import { podVerdict } from "../../scripts/diagnose/verdict";
import { fixtureRunner } from "../support/kubectlFixtures";

const ROOT = path.resolve(__dirname, "..", "..");

/** The report's "Verdicts" table (up to the runbook, when one follows). */
function verdicts(stdout: string): string[] {
    return stdout
        .slice(stdout.indexOf("== Verdicts\n") + "== Verdicts\n".length)
        .split("\n\n")[0]
        .trimEnd()
        .split("\n");
}

/** The dev stack's cluster, as the diagnosis reads it from the stack's config. */
const DEV_TARGET = {
    stack: "dev",
    name: "mysql",
    namespace: "default",
    flavor: FLAVORS.mysql57,
    replicas: 3,
    maxReplicationLagSeconds: 30,
    names: clusterNames("mysql", "default", "cluster.local", "recommended"),
};

function diagnose(caseName: string, ...argv: string[]) {
    const runner = fixtureRunner(caseName);
    const run = main(argv, {}, runner);
    assert.strictEqual(run.stderr, "");
    return { ...run, calls: runner.calls };
}

const OK_PRIMARY = "mysql-0  OK: primary, Ready";
const okReplica = (n: number, lag = 0) => `mysql-${n}  OK: replica, Ready, replicating ${lag} s behind the primary (at most 30 s allowed)`;

describe("npm run diagnose", () => {
    describe("verdicts on recorded kubectl outputs", () => {
        it("a healthy cluster: every pod OK, exit 0", () => {
            const run = diagnose("healthy", "--stack", "dev");
            assert.deepStrictEqual(verdicts(run.stdout), [OK_PRIMARY, okReplica(1), okReplica(2)]);
            assert.strictEqual(run.status, 0);
            assert.match(
                run.stdout,
                /^Cluster mysql in namespace default \(stack dev, flavor mysql57, 3 replicas, maxReplicationLagSeconds 30\)\n/,
            );
            assert.match(run.stdout, /replication: Slave_IO_Running=Yes, Slave_SQL_Running=Yes, Seconds_Behind_Master=0\n/);
        });

        it("a pod Pending because its claim is unbound and its PersistentVolume is missing", () => {
            const run = diagnose("pending-claim", "--stack", "dev");
            assert.deepStrictEqual(verdicts(run.stdout), [
                OK_PRIMARY,
                okReplica(1),
                "mysql-2  Pending: its claim data-mysql-2 is unbound (Pending): its PersistentVolume default-mysql-2-data is missing",
            ]);
            assert.strictEqual(run.status, 2);
            assert.match(run.stdout, /claim data-mysql-2: Pending; volume default-mysql-2-data: missing\n/);
            assert.match(
                run.stdout,
                /FailedScheduling \(x7\): 0\/3 nodes are available: pod has unbound immediate PersistentVolumeClaims\./,
            );
        });

        it("a clone that keeps failing: the donor and the error, from its last run's termination message", () => {
            const run = diagnose("clone-failing", "--stack", "dev");
            assert.deepStrictEqual(verdicts(run.stdout), [
                OK_PRIMARY,
                okReplica(1),
                "mysql-2  clone failing: clone-mysql restarted 4 times (CrashLoopBackOff), cloning from " +
                    "mysql-1.mysql.default.svc.cluster.local:3307: the backup stream from " +
                    "mysql-1.mysql.default.svc.cluster.local ended before the backup was complete; the next attempt starts over",
            ]);
            assert.strictEqual(run.status, 2);
            assert.match(run.stdout, /clone-mysql {2}waiting \(CrashLoopBackOff\), 4 restarts, last exit 1 \(Error\)\n/);
            assert.match(
                run.stdout,
                / {17}reported failed \(clone-mysql\.sh, 2025-03-04T05:11:44\): donor=mysql-1\.mysql\.default\.svc\.cluster\.local:3307, reason=bootstrap: ordered, the pod before this one, error=the backup stream/,
            );
            // The log is still shown to the reader, as context.
            assert.match(run.stdout, /last lines of clone-mysql:\n {4}2025-03-04T05:11:02 cloning from/);
        });

        it("mysql-0 that refuses an empty data directory (issue #22): the refusal and its fixes, from init-mysql's termination message", () => {
            const facts = collect(fixtureRunner("clone-failing"), DEV_TARGET, [0])[0];
            const message =
                "mysql-0's data directory is empty, but the server of 2 other pod(s) of this StatefulSet answers on port 3306 " +
                "(10.0.0.12, 10.0.0.13, from mysql-peers.default.svc.cluster.local): they hold the data. The data directory was NOT initialised";
            const refused = (record: string) => ({
                ...facts,
                pod: {
                    ...facts.pod,
                    status: {
                        ...facts.pod.status,
                        initContainerStatuses: facts.pod.status.initContainerStatuses.map((s: { name: string }) =>
                            s.name === "init-mysql"
                                ? {
                                      ...s,
                                      ready: false,
                                      restartCount: 3,
                                      state: { waiting: { reason: "CrashLoopBackOff" } },
                                      lastState: { terminated: { exitCode: 1, reason: "Error", message: record } },
                                  }
                                : s,
                        ),
                    },
                },
            });
            const verdict = podVerdict(
                refused(`script=init-mysql.sh\nat=2026-12-07T17:00:00\nphase=refused\npeers=10.0.0.12,10.0.0.13\nerror=${message}\n`),
                DEV_TARGET,
            );
            assert.deepStrictEqual(verdict, {
                pod: "mysql-0",
                kind: "empty-primary-refused",
                text: `empty primary refused: init-mysql restarted 3 times (CrashLoopBackOff): ${message}`,
            });
            // Another failure of init-mysql stays what it was.
            assert.strictEqual(
                podVerdict(refused("script=init-mysql.sh\nphase=failed\nerror=the Secret has no root-password\n"), DEV_TARGET).kind,
                "init-failing",
            );
        });

        it("reads no log for a verdict: the same logs without the status record say only that the script reported nothing", () => {
            const facts = collect(fixtureRunner("clone-failing"), DEV_TARGET, [2])[0];
            const clone = (message: string | undefined) => ({
                ...facts,
                pod: {
                    ...facts.pod,
                    status: {
                        ...facts.pod.status,
                        initContainerStatuses: facts.pod.status.initContainerStatuses.map((s: { name: string; lastState: object }) =>
                            s.name === "clone-mysql" ? { ...s, lastState: { terminated: { exitCode: 1, reason: "Error", message } } } : s,
                        ),
                    },
                },
            });
            assert.match(facts.logs["clone-mysql"].current ?? "", /ERROR: the backup stream/, "the log says why");
            assert.strictEqual(
                podVerdict(clone(undefined), DEV_TARGET).text,
                "clone failing: clone-mysql restarted 4 times (CrashLoopBackOff): it reported no status (see its log below)",
            );
            // A failure without `die` reports the command that failed; a server's log tail is no record.
            assert.strictEqual(
                podVerdict(clone("script=clone-mysql.sh\nphase=failed\nerror=exit status 3 at: xtrabackup --prepare\n"), DEV_TARGET).text,
                "clone failing: clone-mysql restarted 4 times (CrashLoopBackOff): exit status 3 at: xtrabackup --prepare",
            );
            // A retry that is running has not failed yet: the last run's failure says why it is retried.
            const retrying = clone(
                "script=clone-mysql.sh\ndonor=mysql-1.mysql.default.svc.cluster.local:3307\nphase=failed\nerror=refused\n",
            );
            retrying.pod.status.initContainerStatuses[1] = { ...retrying.pod.status.initContainerStatuses[1], state: { running: {} } };
            assert.strictEqual(
                podVerdict(
                    {
                        ...retrying,
                        liveStatus: { "clone-mysql": { ok: true, stdout: "script=clone-mysql.sh\nphase=cloning\n", stderr: "" } },
                    },
                    DEV_TARGET,
                ).text,
                "clone failing: clone-mysql restarted 4 times (Error), cloning from mysql-1.mysql.default.svc.cluster.local:3307: refused",
            );
            assert.strictEqual(
                podVerdict(clone("2025-03-04T05:11:44 [ERROR] mysqld: phase=1\n"), DEV_TARGET).text,
                "clone failing: clone-mysql restarted 4 times (CrashLoopBackOff): it reported no status (see its log below)",
            );
        });

        it("a replica whose IO thread cannot log in: not replicating, with Last_IO_Error", () => {
            const run = diagnose("not-replicating", "--stack", "dev");
            assert.deepStrictEqual(verdicts(run.stdout), [
                OK_PRIMARY,
                "mysql-1  not replicating: Slave_IO_Running is 'Connecting' (Last_IO_Errno 1045: error connecting to master " +
                    "'replication@mysql-0.mysql.default.svc.cluster.local:3306' - retry-time: 10 retries: 38 message: " +
                    "Access denied for user 'replication'@'10.244.2.7' (using password: YES))",
                okReplica(2),
            ]);
            assert.strictEqual(run.status, 2);
        });

        it("a replica behind by more than maxReplicationLagSeconds: lagging", () => {
            const run = diagnose("lagging", "--stack", "dev");
            assert.deepStrictEqual(verdicts(run.stdout), [
                OK_PRIMARY,
                okReplica(1, 3),
                "mysql-2  lagging: 412 s behind the primary, more than the 30 s allowed (maxReplicationLagSeconds); not in mysql-read until it catches up",
            ]);
            assert.strictEqual(run.status, 2);
        });

        it("the bound is the stack's maxReplicationLagSeconds", () => {
            const dir = fs.mkdtempSync(path.join(os.tmpdir(), "diagnose-"));
            try {
                const file = path.join(dir, "Pulumi.patient.yaml");
                fs.writeFileSync(
                    file,
                    fs.readFileSync(path.join(ROOT, "Pulumi.dev.yaml"), "utf8") + "  mysql-statefulset:maxReplicationLagSeconds: 400\n",
                );
                const run = diagnose("lagging", "--config-file", file, "--pod", "mysql-2");
                assert.deepStrictEqual(verdicts(run.stdout), [
                    "mysql-2  lagging: 412 s behind the primary, more than the 400 s allowed (maxReplicationLagSeconds); not in mysql-read until it catches up",
                ]);
                assert.match(
                    run.stdout,
                    /^Cluster mysql in namespace default \(stack patient, flavor mysql57, 3 replicas, maxReplicationLagSeconds 400\)\n/,
                );
            } finally {
                fs.rmSync(dir, { recursive: true, force: true });
            }
        });

        it("a replica repairing itself after error 1236: re-cloning, from the marker and the sidecar's status file", () => {
            const run = diagnose("self-repair", "--stack", "dev");
            assert.deepStrictEqual(verdicts(run.stdout), [
                OK_PRIMARY,
                'mysql-1  re-cloning (self-repair in progress): clone-pending marker "replication error 1236 at 2025-03-04T05:30:50", ' +
                    "cloning from mysql-0.mysql.default.svc.cluster.local:3307",
                okReplica(2),
            ]);
            assert.strictEqual(run.status, 2);
            assert.match(run.stdout, /last lines of xtrabackup:\n(.*\n)* {4}2025-03-04T05:30:50 replication cannot resume: error 1236/);
        });

        it("mysql84 (the prod stack): SHOW REPLICA STATUS and its fields; a pod not created behind a pod not Ready", () => {
            const run = diagnose("mysql84", "--stack", "prod");
            assert.deepStrictEqual(verdicts(run.stdout), [
                OK_PRIMARY,
                okReplica(1),
                okReplica(2),
                "mysql-3  not replicating: Replica_SQL_Running is 'No' (Last_SQL_Errno 1062: Coordinator stopped because there were " +
                    "error(s) in the worker(s). The most recent failure being: Worker 1 failed executing transaction " +
                    "'b1f3c6a2-f96e-11ef-8c3a-0a58ac1e0105:1523' at source log mysql-bin.000004, end_log_pos 47402. See error log " +
                    "and/or performance_schema.replication_applier_status_by_worker table for more details about this failure or others, if any.)",
                "mysql-4  not created: the StatefulSet creates mysql-4 only after mysql-3 is Ready",
            ]);
            assert.strictEqual(run.status, 2);
            assert.match(
                run.stdout,
                /replication: Replica_IO_Running=Yes, Replica_SQL_Running=No, Seconds_Behind_Source=NULL, Last_SQL_Error=Coordinator/,
            );
            const statements = run.calls.filter((c) => c[0] === "exec" && c.at(-1)!.endsWith("\\G")).map((c) => c.at(-1));
            assert.deepStrictEqual(statements, ["SHOW REPLICA STATUS\\G", "SHOW REPLICA STATUS\\G", "SHOW REPLICA STATUS\\G"]);
            // Every call, the storage listing included, names the prod namespace with -n; Nodes have none.
            assert.ok(run.calls.length > 5, `${run.calls.length} calls`);
            assert.deepStrictEqual(
                run.calls.filter((c) => c[c.indexOf("-n") + 1] !== "databases" || c.indexOf("-n") < 0),
                [["get", "nodes", "-o", "json"]],
            );
        });

        it("a pod Terminating on a node that stopped reporting: node lost, the runbook, and no logs or exec through the gone kubelet", () => {
            const run = diagnose("node-lost", "--stack", "dev");
            assert.strictEqual(run.status, 2);
            const [primary, ...replicas] = verdicts(run.stdout);
            assert.strictEqual(
                primary,
                "mysql-0  node lost: Terminating since 2025-03-04T09:20:41Z on node node-1, which is NotReady (Ready=Unknown since " +
                    "2025-03-04T09:15:41Z: Kubelet stopped posting node status.); the StatefulSet starts no new mysql-0 until this one " +
                    'is gone; no writes until then (it is the primary), and NFS cannot fence the node: see "When a node is lost" below',
            );
            for (const [i, line] of replicas.entries()) {
                assert.match(
                    line,
                    new RegExp(`^mysql-${i + 1}  not replicating: Slave_IO_Running is 'Connecting' \\(Last_IO_Errno 2003: `),
                );
            }
            const runbook = run.stdout.slice(run.stdout.indexOf("== When a node is lost"));
            assert.deepStrictEqual(runbook.trimEnd().split("\n"), [
                "== When a node is lost (docs/node-loss.md)",
                "1. Make sure node-1 can no longer write to the NFS server: power it off, or cut it off the NFS server's network. " +
                    "NotReady only says the kubelet stopped reporting: a partitioned node may still run mysqld, and two servers on one " +
                    "data directory corrupt it.",
                "2. Then let Kubernetes release the pods, either way:",
                "     kubectl taint nodes node-1 node.kubernetes.io/out-of-service=nodeshutdown:NoExecute   # Kubernetes 1.28+",
                "     kubectl delete pod mysql-0 -n default --grace-period=0 --force",
                "3. The StatefulSet starts mysql-0 on another node, on the same volume; `kubectl get pods -n default -l app.kubernetes.io/name=mysql-statefulset,app.kubernetes.io/instance=mysql,app.kubernetes.io/component=database -w` shows it become Ready.",
                "4. Once the node is repaired and back, remove the taint:",
                "     kubectl taint nodes node-1 node.kubernetes.io/out-of-service=nodeshutdown:NoExecute-",
            ]);
            const calls = diagnose("node-lost", "--stack", "dev").calls;
            assert.ok(
                !calls.some((c) => ["logs", "exec"].includes(c[0]) && c[1] === "mysql-0"),
                "nothing asked of the lost node's kubelet",
            );
            assert.ok(
                calls.some((c) => c[0] === "exec" && c[1] === "mysql-1"),
                "the replicas on live nodes are still asked",
            );
        });

        it("a node NotReady under a pod not yet evicted: node lost, its status stale; nodes that cannot be read change nothing", () => {
            const runner = fixtureRunner("node-lost");
            const facts = collect(runner, DEV_TARGET, [0]);
            const pod = { ...facts[0].pod, metadata: { ...facts[0].pod.metadata, deletionTimestamp: undefined } };
            assert.match(
                podVerdict({ ...facts[0], pod }, DEV_TARGET).text,
                /^node lost: on node node-1, which is NotReady \(Ready=Unknown since .*\); its status is stale, and once evicted \(the unreachable taint's toleration, 300 s by default\) it stays Terminating/,
            );
            // Without node data (a user who may not list Nodes), the same pod is judged by what it reports.
            assert.strictEqual(podVerdict({ ...facts[0], pod, node: undefined }, DEV_TARGET).kind, "not-ready");
        });

        it("--pod looks at one pod only", () => {
            const run = diagnose("clone-failing", "--stack", "dev", "--pod", "mysql-2");
            assert.strictEqual(verdicts(run.stdout).length, 1);
            assert.match(verdicts(run.stdout)[0], /^mysql-2 {2}clone failing: /);
            // Any argument naming another pod counts, `involvedObject.name=mysql-0` as much as `mysql-0`.
            assert.deepStrictEqual(
                run.calls.filter((c) => c.some((arg) => /\bmysql-[01]\b/.test(arg))),
                [],
            );
            assert.ok(
                run.calls.some((c) => c.includes("involvedObject.name=mysql-2")),
                run.calls.map((c) => c.join(" ")).join("\n"),
            );
        });
    });

    describe("the kubectl commands", () => {
        it("are the tutorial's read-only steps, in order, for the stack's namespace and labels", () => {
            const { calls } = diagnose("healthy", "--stack", "dev", "--pod", "mysql-1");
            const client = [
                "mysql",
                "--defaults-extra-file=/etc/mysql-credentials/root.cnf",
                "--host=127.0.0.1",
                "-e",
                "SHOW SLAVE STATUS\\G",
            ];
            assert.deepStrictEqual(calls, [
                [
                    "get",
                    "pods",
                    "-l",
                    "app.kubernetes.io/name=mysql-statefulset,app.kubernetes.io/instance=mysql,app.kubernetes.io/component=database",
                    "-n",
                    "default",
                    "-o",
                    "json",
                ],
                ["get", "pvc,pv", "-n", "default", "-o", "json"],
                ["get", "nodes", "-o", "json"],
                ["get", "events", "-n", "default", "--field-selector", "involvedObject.name=mysql-1", "-o", "json"],
                ["logs", "mysql-1", "-n", "default", "-c", "init-mysql", "--tail=50"],
                ["logs", "mysql-1", "-n", "default", "-c", "clone-mysql", "--tail=50"],
                ["logs", "mysql-1", "-n", "default", "-c", "mysql", "--tail=50"],
                ["logs", "mysql-1", "-n", "default", "-c", "xtrabackup", "--tail=50"],
                // The running sidecar's status record (a finished container's is in its pod status).
                ["exec", "mysql-1", "-n", "default", "-c", "xtrabackup", "--", "cat", "/dev/termination-log"],
                ["exec", "mysql-1", "-n", "default", "-c", "mysql", "--", "cat", "/mnt/data/clone-pending"],
                ["exec", "mysql-1", "-n", "default", "-c", "mysql", "--", ...client],
            ]);
        });

        it("read the previous run's logs of a restarted container, and skip containers that never ran", () => {
            const { calls } = diagnose("clone-failing", "--stack", "dev", "--pod", "mysql-2");
            assert.deepStrictEqual(
                calls.filter((c) => c[0] === "logs"),
                [
                    ["logs", "mysql-2", "-n", "default", "-c", "init-mysql", "--tail=50"],
                    ["logs", "mysql-2", "-n", "default", "-c", "clone-mysql", "--tail=50"],
                    ["logs", "mysql-2", "-n", "default", "-c", "clone-mysql", "--previous", "--tail=50"],
                ],
            );
            assert.ok(!calls.some((c) => c[0] === "exec"), "no exec into a pod whose mysql container does not run");
        });

        it("never carry a password, nor change anything", () => {
            for (const caseName of fs.readdirSync(path.join(ROOT, "tests", "fixtures", "diagnose")).filter((f) => !f.includes("."))) {
                const { calls } = diagnose(caseName, "--stack", caseName === "mysql84" ? "prod" : "dev");
                for (const call of calls) {
                    assert.ok(["get", "logs", "exec"].includes(call[0]), call.join(" "));
                    assert.ok(!call.some((a) => /^-p|^--password|password=/i.test(a)), `a password option in: ${call.join(" ")}`);
                }
            }
        });
    });

    describe("the command line", () => {
        const cli = (args: string[], env: Record<string, string> = {}) =>
            spawnSync(process.execPath, ["--require", "ts-node/register/transpile-only", "scripts/diagnose.ts", ...args], {
                cwd: ROOT,
                encoding: "utf8",
                env: { ...process.env, ...env },
            });

        it("--help prints the usage and exits 0", () => {
            const run = cli(["--help"]);
            assert.strictEqual(run.status, 0);
            assert.match(run.stdout, /^Usage: npm run diagnose -- \[--stack NAME/);
            assert.match(run.stdout, /Exit status: 0 when every pod is OK; 2 when a pod is not/);
        });

        it("an unknown stack, an unknown option or a foreign pod: exit 1 with what to do", () => {
            const stack = main(["--stack", "nope"], {});
            assert.strictEqual(stack.status, 1);
            assert.match(
                stack.stderr,
                /^diagnose: No stack file .*Pulumi\.nope\.yaml: use --stack with one of dev, prod, or --config-file FILE\.\n$/,
            );
            assert.deepStrictEqual(main(["--stak", "dev"], {}), {
                status: 1,
                stdout: "",
                stderr: "diagnose: Unknown option '--stak'. Run with --help for the options.\n",
            });
            assert.deepStrictEqual(main(["--stack", "dev", "--pod", "web-1"], {}), {
                status: 1,
                stdout: "",
                stderr: "diagnose: --pod web-1 is not a pod of the cluster mysql: give mysql-0 to mysql-2.\n",
            });
        });

        it("runs the kubectl of --kubectl with --context, and reports a cluster it cannot reach with exit 1", () => {
            const dir = fs.mkdtempSync(path.join(os.tmpdir(), "diagnose-"));
            try {
                const kubectl = path.join(dir, "kubectl");
                fs.writeFileSync(
                    kubectl,
                    `#!/usr/bin/env bash\nprintf '%s\\n' "$*" >>"${dir}/argv"\necho 'The connection to the server 10.0.0.1:6443 was refused - did you specify the right host or port?' >&2\nexit 1\n`,
                    { mode: 0o755 },
                );
                const run = cli(["--stack", "dev", "--kubectl", kubectl, "--context", "lab"]);
                assert.strictEqual(run.status, 1);
                assert.strictEqual(
                    run.stderr,
                    "diagnose: `kubectl get pods -l app.kubernetes.io/name=mysql-statefulset,app.kubernetes.io/instance=mysql,app.kubernetes.io/component=database -n default -o json` failed: The connection to the server 10.0.0.1:6443 was refused - did you specify the right host or port?\n",
                );
                assert.strictEqual(
                    fs.readFileSync(path.join(dir, "argv"), "utf8"),
                    "--context lab get pods -l app.kubernetes.io/name=mysql-statefulset,app.kubernetes.io/instance=mysql,app.kubernetes.io/component=database -n default -o json\n",
                );
                const missing = cli(["--stack", "dev"], { KUBECTL: path.join(dir, "no-kubectl") });
                assert.strictEqual(missing.status, 1);
                assert.strictEqual(
                    missing.stderr,
                    `diagnose: cannot run ${path.join(dir, "no-kubectl")} (ENOENT): install kubectl or give its path with --kubectl PATH (or KUBECTL).\n`,
                );
            } finally {
                fs.rmSync(dir, { recursive: true, force: true });
            }
        });
    });

    describe("a replica cloning or configuring replication, by its scripts' status files", () => {
        const target = {
            stack: "dev",
            name: "mysql",
            namespace: "default",
            flavor: FLAVORS.mariadb,
            replicas: 6,
            maxReplicationLagSeconds: 30,
            names: clusterNames("mysql", "default", "cluster.local", "recommended"),
        };
        const donor = "mysql-2.mysql.default.svc.cluster.local:3307";
        const parallel = "bootstrap: parallel, pod k clones from pod (k-1)/2";
        const record = (fields: Record<string, string>) =>
            Object.entries({ script: "clone-mysql.sh", at: "2026-01-01T00:00:00", ...fields })
                .map(([k, v]) => `${k}=${v}\n`)
                .join("");
        /** The verdict of a Pending pod on node-1 whose init containers are in these states; `facts` adds or overrides. */
        const pendingVerdict = (name: string, ordinal: number, initContainerStatuses: object[], facts: object) =>
            podVerdict(
                {
                    name,
                    ordinal,
                    pod: { spec: { nodeName: "node-1" }, status: { phase: "Pending", initContainerStatuses } },
                    events: [],
                    logs: {},
                    ...facts,
                },
                target,
            ).text;
        /** mysql-5 with clone-mysql running, its status file holding `status`. */
        const cloning = (status: string) =>
            pendingVerdict(
                "mysql-5",
                5,
                [
                    { name: "init-mysql", state: { terminated: { exitCode: 0 } } },
                    { name: "clone-mysql", state: { running: {} } },
                ],
                {
                    // A log that says otherwise: not read.
                    logs: { "clone-mysql": { current: "2026-01-01T00:00:00 cloning from mysql-0.mysql.default.svc.cluster.local:3307\n" } },
                    liveStatus: { "clone-mysql": { ok: true, stdout: status, stderr: "" } },
                },
            );

        it("says a pod of `bootstrap: parallel` waits for its donor to be Ready, until it clones, and why that donor", () => {
            assert.strictEqual(
                cloning(record({ donor, reason: parallel, phase: "waiting-for-donor" })),
                `waiting: clone-mysql waits until its donor ${donor} is Ready (${parallel}), then clones from it`,
            );
            assert.strictEqual(
                cloning(record({ donor, reason: parallel, phase: "cloning" })),
                `cloning: clone-mysql is cloning from ${donor} (${parallel})`,
            );
            const gaveWay = "mysql-2.mysql.default.svc.cluster.local is not Ready after 60 s";
            assert.strictEqual(
                cloning(record({ donor: "mysql-1.mysql.default.svc.cluster.local:3307", reason: gaveWay, phase: "cloning" })),
                `cloning: clone-mysql is cloning from mysql-1.mysql.default.svc.cluster.local:3307 (${gaveWay})`,
            );
            assert.strictEqual(
                cloning(record({ donor, reason: parallel, phase: "preparing" })),
                `cloning: clone-mysql is preparing the backup it streamed from ${donor}`,
            );
            // An empty status file: the script has not reported yet.
            assert.strictEqual(cloning(""), "cloning: clone-mysql is running and has reported no status yet");
        });

        it("says a restore to a time's replay-binlogs is replaying, or failing with the replay's own error", () => {
            const replaying = (state: object, extra: object = {}) =>
                pendingVerdict(
                    "mysql-0",
                    0,
                    [
                        { name: "init-mysql", state: { terminated: { exitCode: 0 } } },
                        { name: "clone-mysql", state: { terminated: { exitCode: 0 } } },
                        { name: "replay-binlogs", ...state },
                    ],
                    extra,
                );
            const status = "script=replay-binlogs.sh\nphase=replaying\nposition=mysql-bin.000003:385 0-100-42\n";
            assert.strictEqual(
                replaying({ state: { running: {} } }, { liveStatus: { "replay-binlogs": { ok: true, stdout: status, stderr: "" } } }),
                "restoring: replay-binlogs is replaying the shipped binlogs onto the staged backup (restoreFrom) from mysql-bin.000003:385 0-100-42",
            );
            const error =
                "the replay of backup 20261207T030000Z up to 2026-12-07T14:05:00Z failed (it was cut short), and its half-replayed copy is removed";
            assert.strictEqual(
                replaying({
                    state: { waiting: { reason: "CrashLoopBackOff" } },
                    restartCount: 3,
                    lastState: { terminated: { exitCode: 1, message: `script=replay-binlogs.sh\nphase=failed\nerror=${error}\n` } },
                }),
                `restore to a time failing: replay-binlogs restarted 3 times (CrashLoopBackOff): ${error}`,
            );
        });

        it("counts the sidecar's failed attempts to configure replication, with the client's error, from its status file", () => {
            const facts = (status: string) => ({
                name: "mysql-1",
                ordinal: 1,
                pod: {
                    spec: { nodeName: "node-1" },
                    status: {
                        phase: "Running",
                        containerStatuses: [
                            { name: "mysql", ready: false, state: { running: {} } },
                            { name: "xtrabackup", ready: false, state: { running: {} } },
                        ],
                    },
                },
                events: [],
                logs: {},
                liveStatus: { xtrabackup: { ok: true, stdout: status, stderr: "" } },
                replicaStatus: { ok: true, stdout: "", stderr: "" },
            });
            const retrying = record({
                script: "sidecar.sh",
                phase: "configuring-replication",
                position: "mysql-bin.000003:154",
                attempts: "7",
                error: "ERROR 2026 (HY000): TLS/SSL error: self-signed certificate in certificate chain",
            });
            assert.deepStrictEqual(podVerdict(facts(retrying), target), {
                pod: "mysql-1",
                kind: "not-replicating",
                text:
                    "not replicating: replication is not configured yet; the sidecar has tried 7 times and tries again every 5 s: " +
                    "ERROR 2026 (HY000): TLS/SSL error: self-signed certificate in certificate chain",
            });
            assert.strictEqual(
                podVerdict(facts(record({ script: "sidecar.sh", phase: "configuring-replication", attempts: "0" })), target).text,
                "not replicating: replication is not configured yet",
            );
        });
    });
});
