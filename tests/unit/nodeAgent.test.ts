// The node agent's pure parts (tests/fake-kubelet/): the API client's stream and kubeconfig readings, the
// informer's list/watch/relist, the v1 PodStatus it posts, DNS from EndpointSlices, the NFS stand-in, service
// links, the API-pod fence, the log endpoint's selection and the exec endpoint's protocol. The agent against a real API server: see
// tests/fake-kubelet/README.md ("Node agent").
import * as assert from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { LOCAL_NFS_SERVER, leaseObject, nfsDirectory, nodeConditions, serviceLinkEnv } from "../fake-kubelet/api-objects";
import { endpointSliceEntries, endpointSliceNotes, hostsFileFor, hostsFileText, selfLine } from "../fake-kubelet/dns";
import type { ApiEndpointSlice, ApiService } from "../fake-kubelet/dns";
import { Informer } from "../fake-kubelet/informer";
import { ApiClient, ApiError, loadKubeconfig, queryString, splitLines, WatchEvent } from "../fake-kubelet/kube-client";
import { WebSocket } from "ws";
import { CHANNEL, decodeFrame, encodeClose, encodeFrame, EXEC_PROTOCOL, execRequest, exitStatus } from "../fake-kubelet/exec-stream";
import { instanceLines, KubeletServer, selectLog } from "../fake-kubelet/kubelet-server";
import { apiPodStatus, containerId, IMAGE_ID, StatusInput } from "../fake-kubelet/pod-status";
import { terminationMessage, terminationMount } from "../fake-kubelet/termination";
import { apiPodProblems } from "../fake-kubelet/refusals";
import { EXPORTER_IMAGE } from "../fake-kubelet/image";
import type { RunnerSnapshot } from "../fake-kubelet/runner";

const T0 = Date.parse("2026-12-07T05:00:00Z");

describe("node agent: API client", () => {
    it("splitLines keeps a partial line for the next chunk", () => {
        assert.deepStrictEqual(splitLines("", '{"a":1}\n{"b"'), { lines: ['{"a":1}'], rest: '{"b"' });
        assert.deepStrictEqual(splitLines('{"b"', ":2}\n\n"), { lines: ['{"b":2}'], rest: "" });
    });

    it("queryString drops undefined values and encodes the rest", () => {
        assert.strictEqual(
            queryString({ watch: 1, fieldSelector: "spec.nodeName=node-a", x: undefined }),
            "?watch=1&fieldSelector=spec.nodeName%3Dnode-a",
        );
        assert.strictEqual(queryString({}), "");
    });

    it("loadKubeconfig reads inline data and files relative to the kubeconfig, for the current context", () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "kubeconfig-test-"));
        try {
            fs.writeFileSync(path.join(dir, "ca.crt"), "CA");
            const cfg = [
                "apiVersion: v1",
                "kind: Config",
                "current-context: admin",
                "clusters:",
                "  - name: local",
                "    cluster: { server: 'https://127.0.0.1:6443/', certificate-authority: ca.crt }",
                "users:",
                `  - name: admin`,
                `    user: { client-certificate-data: ${Buffer.from("CERT").toString("base64")}, client-key-data: ${Buffer.from("KEY").toString("base64")} }`,
                "contexts:",
                "  - name: admin",
                "    context: { cluster: local, user: admin }",
            ].join("\n");
            fs.writeFileSync(path.join(dir, "kubeconfig"), cfg);
            const c = loadKubeconfig(path.join(dir, "kubeconfig"));
            assert.deepStrictEqual(
                { server: c.server, ca: c.ca?.toString(), cert: c.cert?.toString(), key: c.key?.toString(), token: c.token },
                { server: "https://127.0.0.1:6443", ca: "CA", cert: "CERT", key: "KEY", token: undefined },
            );
            assert.throws(() => loadKubeconfig(path.join(dir, "kubeconfig"), "other"), /no context "other"; give one with --context/);
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });
});

interface Obj {
    metadata: { name: string; namespace?: string; resourceVersion?: string };
}
const obj = (name: string, rv: string): Obj => ({ metadata: { name, namespace: "default", resourceVersion: rv } });

describe("node agent: informer", () => {
    it("tells a list's differences from the store as ADDED, MODIFIED and DELETED", () => {
        const seen: string[] = [];
        const inf = new Informer<Obj>({} as ApiClient, "/api/v1/pods", (t, o) =>
            seen.push(`${t} ${o.metadata.name}@${o.metadata.resourceVersion}`),
        );
        inf.applyList([obj("a", "1"), obj("b", "1")], "5");
        inf.applyList([obj("a", "1"), obj("b", "7"), obj("c", "7")], "9");
        inf.applyList([obj("c", "7")], "10");
        assert.deepStrictEqual(seen, ["ADDED a@1", "ADDED b@1", "MODIFIED b@7", "ADDED c@7", "DELETED a@1", "DELETED b@7"]);
    });

    it("watches from the list's resourceVersion, follows bookmarks, and lists again after 410 Gone", async () => {
        const requests: string[] = [];
        let lists = 0;
        let watches = 0;
        const client: ApiClient = {
            request: async <T>(_m: string, p: string) => {
                requests.push(p);
                lists++;
                return (lists === 1
                    ? { metadata: { resourceVersion: "10" }, items: [obj("a", "10")] }
                    : { metadata: { resourceVersion: "30" }, items: [obj("b", "30")] }) as unknown as T;
            },
            watch: async <T>(p: string, onEvent: (e: WatchEvent<T>) => void) => {
                requests.push(p);
                watches++;
                if (watches === 1) {
                    onEvent({ type: "MODIFIED", object: obj("a", "11") as unknown as T });
                    onEvent({ type: "BOOKMARK", object: obj("", "15") as unknown as T });
                } else if (watches === 2) {
                    onEvent({ type: "ERROR", object: { code: 410, message: "too old resource version: 15 (20)" } as unknown as T });
                    // As a real stream does once the informer aborts it: the abort's own error, which must not hide the 410.
                    throw new Error("aborted");
                } else {
                    await new Promise((r) => setTimeout(r, 10_000));
                }
            },
        };
        const seen: string[] = [];
        const logs: string[] = [];
        const inf = new Informer<Obj>(client, "/api/v1/pods", (t, o) => seen.push(`${t} ${o.metadata.name}`), {
            watchTimeoutSeconds: 60,
            log: (m) => logs.push(m),
        });
        await inf.start();
        // Until the third watch (the one after the new list), however slow the machine; the assertions say what is missing.
        const deadline = Date.now() + 30_000;
        while (watches < 3 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
        inf.stop();
        assert.deepStrictEqual(requests, [
            "/api/v1/pods",
            "/api/v1/pods?watch=1&resourceVersion=10&allowWatchBookmarks=true&timeoutSeconds=60",
            "/api/v1/pods?watch=1&resourceVersion=15&allowWatchBookmarks=true&timeoutSeconds=60",
            "/api/v1/pods",
            "/api/v1/pods?watch=1&resourceVersion=30&allowWatchBookmarks=true&timeoutSeconds=60",
        ]);
        assert.deepStrictEqual(seen, ["ADDED a", "MODIFIED a", "ADDED b", "DELETED a"]);
        assert.deepStrictEqual(logs, ["/api/v1/pods: too old resource version: 15 (20); listing again"]);
        assert.deepStrictEqual(inf.stats, { lists: 2, watches: 3, gone: 1, errors: 0 });
    });

    it("lists again after a failed list, waiting retryMs", async () => {
        let calls = 0;
        const client: ApiClient = {
            request: async <T>() => {
                if (++calls === 1) throw new ApiError(503, "ServiceUnavailable", "GET /api/v1/pods: 503 ServiceUnavailable: not yet");
                return { metadata: { resourceVersion: "1" }, items: [] } as unknown as T;
            },
            watch: () => new Promise((r) => setTimeout(r, 10_000)),
        };
        const logs: string[] = [];
        const inf = new Informer<Obj>(client, "/api/v1/pods", () => undefined, { retryMs: 5, log: (m) => logs.push(m) });
        await inf.start();
        inf.stop();
        assert.deepStrictEqual(logs, ["/api/v1/pods: GET /api/v1/pods: 503 ServiceUnavailable: not yet; listing again after 5 ms"]);
    });
});

function runner(over: Partial<RunnerSnapshot>): RunnerSnapshot {
    return { name: "mysql", kind: "main", image: "mariadb:11.4", starts: 1, started: false, ready: false, backingOff: false, ...over };
}

function statusInput(over: Partial<StatusInput>): StatusInput {
    return {
        snapshot: undefined,
        uid: "u1",
        hostIP: "127.0.0.1",
        initContainers: [{ name: "init", image: "mariadb:11.4" }],
        containers: [{ name: "mysql", image: "mariadb:11.4" }],
        restartPolicy: "Always",
        startTime: "2026-12-07T05:00:00Z",
        previous: [{ type: "PodScheduled", status: "True", lastTransitionTime: "2026-12-07T04:59:59Z" }],
        now: new Date(T0 + 60_000),
        ...over,
    };
}

describe("node agent: pod status", () => {
    it("a running, ready pod: phase Running, both IPs, every condition True, the init container Completed", () => {
        const s = apiPodStatus(
            "mysql-0",
            statusInput({
                snapshot: {
                    phase: "Running",
                    ip: "10.200.0.2",
                    initialized: true,
                    ready: true,
                    containers: [
                        runner({ name: "init", kind: "init", current: { startedAt: T0, exit: { code: 0, at: T0 + 2000 } } }),
                        runner({
                            starts: 2,
                            current: { startedAt: T0 + 9000 },
                            previous: { code: 1, startedAt: T0 + 3000, finishedAt: T0 + 7000 },
                            started: true,
                            ready: true,
                        }),
                    ],
                },
            }),
        );
        const at = "2026-12-07T05:01:00Z";
        assert.deepStrictEqual(s, {
            phase: "Running",
            conditions: [
                { type: "PodReadyToStartContainers", status: "True", lastTransitionTime: at },
                { type: "Initialized", status: "True", lastTransitionTime: at },
                { type: "Ready", status: "True", lastTransitionTime: at },
                { type: "ContainersReady", status: "True", lastTransitionTime: at },
                { type: "PodScheduled", status: "True", lastTransitionTime: "2026-12-07T04:59:59Z" },
            ],
            hostIP: "127.0.0.1",
            hostIPs: [{ ip: "127.0.0.1" }],
            podIP: "10.200.0.2",
            podIPs: [{ ip: "10.200.0.2" }],
            startTime: "2026-12-07T05:00:00Z",
            initContainerStatuses: [
                {
                    name: "init",
                    image: "mariadb:11.4",
                    imageID: IMAGE_ID,
                    restartCount: 0,
                    ready: true,
                    started: false,
                    containerID: containerId("u1", "init", 1),
                    state: {
                        terminated: {
                            exitCode: 0,
                            reason: "Completed",
                            startedAt: "2026-12-07T05:00:00Z",
                            finishedAt: "2026-12-07T05:00:02Z",
                            containerID: containerId("u1", "init", 1),
                        },
                    },
                    lastState: {},
                },
            ],
            containerStatuses: [
                {
                    name: "mysql",
                    image: "mariadb:11.4",
                    imageID: IMAGE_ID,
                    restartCount: 1,
                    ready: true,
                    started: true,
                    containerID: containerId("u1", "mysql", 2),
                    state: { running: { startedAt: "2026-12-07T05:00:09Z" } },
                    lastState: {
                        terminated: {
                            exitCode: 1,
                            reason: "Error",
                            startedAt: "2026-12-07T05:00:03Z",
                            finishedAt: "2026-12-07T05:00:07Z",
                            containerID: containerId("u1", "mysql", 1),
                        },
                    },
                },
            ],
        });
    });

    it("keeps a condition's lastTransitionTime while its status stays, and says which containers are not ready", () => {
        const s = apiPodStatus(
            "mysql-0",
            statusInput({
                previous: [{ type: "Ready", status: "False", lastTransitionTime: "2026-12-07T04:00:00Z" }],
                snapshot: {
                    phase: "Running",
                    ip: "10.200.0.2",
                    initialized: true,
                    ready: false,
                    containers: [runner({ starts: 3, current: { startedAt: T0, exit: { code: 137, at: T0 + 500 } }, backingOff: true })],
                },
            }),
        );
        assert.deepStrictEqual(
            s.conditions?.find((c) => c.type === "Ready"),
            {
                type: "Ready",
                status: "False",
                lastTransitionTime: "2026-12-07T04:00:00Z",
                reason: "ContainersNotReady",
                message: "containers with unready status: [mysql]",
            },
        );
        assert.deepStrictEqual(s.containerStatuses?.[0].state, {
            waiting: { reason: "CrashLoopBackOff", message: "back-off restarting failed container mysql in pod mysql-0" },
        });
        assert.strictEqual(s.containerStatuses?.[0].lastState?.terminated?.exitCode, 137);
        assert.strictEqual(s.containerStatuses?.[0].restartCount, 2);
    });

    it("reports a finished instance's termination message in state.terminated, and the one before in lastState", () => {
        const s = apiPodStatus(
            "mysql-1",
            statusInput({
                snapshot: {
                    phase: "Pending",
                    ip: "10.200.0.3",
                    initialized: false,
                    ready: false,
                    containers: [
                        runner({
                            name: "init",
                            kind: "init",
                            starts: 2,
                            current: { startedAt: T0 + 5000, exit: { code: 1, at: T0 + 6000, message: "phase=failed\nerror=second\n" } },
                            previous: { code: 1, startedAt: T0, finishedAt: T0 + 1000, message: "phase=failed\nerror=first\n" },
                        }),
                    ],
                },
            }),
        );
        const init = s.initContainerStatuses?.[0];
        assert.strictEqual(init?.state?.terminated?.message, "phase=failed\nerror=second\n");
        assert.strictEqual(init?.lastState?.terminated?.message, "phase=failed\nerror=first\n");
    });

    it("a pod not started yet: Pending, every container waiting with the agent's reason", () => {
        const s = apiPodStatus("mysql-0", statusInput({ waiting: { reason: "CreateContainerConfigError", message: "refused" } }));
        assert.strictEqual(s.phase, "Pending");
        assert.deepStrictEqual(
            [...(s.initContainerStatuses ?? []), ...(s.containerStatuses ?? [])].map((c) => c.state),
            [
                { waiting: { reason: "CreateContainerConfigError", message: "refused" } },
                { waiting: { reason: "CreateContainerConfigError", message: "refused" } },
            ],
        );
        assert.strictEqual(s.podIP, undefined);
    });
});

describe("node agent: termination messages, as kubelet reads them", () => {
    let dir = "";
    beforeEach(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), "termination-"))));
    afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));
    const log = (...instances: string[][]) => {
        const file = path.join(dir, "c.log");
        fs.writeFileSync(
            file,
            instances
                .map(
                    (lines, i) =>
                        [`==== fake-kubelet 2026-12-07T05:00:0${i}Z pod p container c: start #${i + 1}`, ...lines].join("\n") + "\n",
                )
                .join(""),
        );
        return file;
    };

    it("binds a new empty 0666 file per instance at terminationMessagePath, /dev/termination-log by default, none for an empty path", () => {
        const mount = terminationMount({ name: "c" }, path.join(dir, "c-1"));
        assert.ok(mount);
        assert.deepStrictEqual(mount, {
            source: path.join(dir, "c-1", "termination-log"),
            target: "/dev/termination-log",
            readOnly: false,
            isFile: true,
        });
        assert.strictEqual(fs.statSync(mount.source).mode & 0o777, 0o666);
        assert.strictEqual(fs.readFileSync(mount.source, "utf8"), "");
        assert.strictEqual(
            terminationMount({ name: "c", terminationMessagePath: "/tmp/last-word" }, path.join(dir, "c-2"))?.target,
            "/tmp/last-word",
        );
        assert.strictEqual(terminationMount({ name: "c", terminationMessagePath: "" }, path.join(dir, "c-3")), undefined);
    });

    it("reads the file's last 4096 bytes; with FallbackToLogsOnError, a failure and an empty file, the last 80 lines of this instance's log, at most 2048 bytes", () => {
        const spec = { name: "c", terminationMessagePolicy: "FallbackToLogsOnError" as const };
        const mount = terminationMount(spec, path.join(dir, "c-1"));
        assert.ok(mount);
        const logPath = log(
            ["first run"],
            Array.from({ length: 100 }, (_, i) => `line ${i}`),
        );
        fs.writeFileSync(mount.source, "a".repeat(5000) + "the end");
        const long = terminationMessage(spec, mount, 1, logPath);
        assert.strictEqual(long?.length, 4096);
        assert.ok(long?.endsWith("the end"));
        fs.writeFileSync(mount.source, "");
        const fallback = terminationMessage(spec, mount, 1, logPath) ?? "";
        assert.ok(fallback.endsWith("line 99\n") && !fallback.includes("first run") && !fallback.includes("==== fake-kubelet"), fallback);
        assert.strictEqual(fallback.split("\n").length - 1, 80);
        assert.strictEqual(terminationMessage(spec, mount, 0, logPath), undefined, "no fallback on success");
        assert.strictEqual(terminationMessage({ name: "c" }, mount, 1, logPath), undefined, "no fallback under File");
        const wide = log(Array.from({ length: 80 }, (_, i) => `${i} ${"x".repeat(60)}`));
        assert.strictEqual(Buffer.byteLength(terminationMessage(spec, mount, 1, wide) ?? ""), 2048);
    });
});

describe("node agent: DNS from EndpointSlices", () => {
    const services: ApiService[] = [
        { metadata: { name: "mysql", namespace: "default" }, spec: { clusterIP: "None", ports: [{ name: "mysql", port: 3306 }] } },
        {
            metadata: { name: "mysql-read", namespace: "default" },
            spec: { clusterIP: "10.96.0.20", ports: [{ name: "mysql", port: 3306 }] },
        },
        { metadata: { name: "other", namespace: "default" }, spec: { clusterIP: "10.96.0.21", ports: [{ name: "x", port: 80 }] } },
    ];
    const ep = (ip: string, pod: string, ready: boolean, hostname?: string) => ({
        addresses: [ip],
        conditions: { ready },
        targetRef: { kind: "Pod", name: pod },
        ...(hostname ? { hostname } : {}),
    });
    const slices: ApiEndpointSlice[] = [
        {
            metadata: { name: "mysql-v74zg", namespace: "default", labels: { "kubernetes.io/service-name": "mysql" } },
            ports: [{ name: "mysql", port: 3306 }],
            endpoints: [
                ep("10.0.0.11", "mysql-1", true, "mysql-1"),
                ep("10.0.0.10", "mysql-0", true, "mysql-0"),
                ep("10.0.0.12", "mysql-2", false, "mysql-2"),
            ],
        },
        {
            metadata: { name: "mysql-read-xyz", namespace: "default", labels: { "kubernetes.io/service-name": "mysql-read" } },
            ports: [{ name: "mysql", port: 3306 }],
            endpoints: [ep("10.0.0.10", "mysql-0", true), ep("10.0.0.11", "mysql-1", true)],
        },
        {
            metadata: { name: "other-1", namespace: "default", labels: { "kubernetes.io/service-name": "other" } },
            ports: [{ name: "x", port: 8080 }],
            endpoints: [ep("10.0.0.10", "mysql-0", true)],
        },
    ];

    it("ready endpoints get their pod names (headless) and Service names (headless, or ClusterIP with equal ports), in pod order", () => {
        const s = (n: string) => [`${n}.default.svc.cluster.local`, `${n}.default.svc`, `${n}.default`, n];
        assert.deepStrictEqual(endpointSliceEntries(slices, services, "default", "cluster.local"), [
            // Pod records first, whatever the slices' order (mysql-read-xyz sorts before mysql-v74zg).
            { ip: "10.0.0.10", names: [...s("mysql-0.mysql"), ...s("mysql-read"), ...s("mysql")] },
            { ip: "10.0.0.11", names: [...s("mysql-1.mysql"), ...s("mysql-read"), ...s("mysql")] },
        ]);
        assert.deepStrictEqual(endpointSliceNotes(slices, services, "default"), [
            "# Service other: not emulated (a port differs from its targetPort)",
        ]);
        assert.deepStrictEqual(endpointSliceEntries(slices, services, "other-ns", "cluster.local"), []);
    });

    it("the StatefulSet-controller mode's hosts file is the same text as before the split (kubelet's lines, entries, notes)", () => {
        const text = hostsFileFor(
            { name: "mysql-1", ip: "10.0.0.11", ready: false },
            [
                { name: "mysql-1", ip: "10.0.0.11", ready: false },
                { name: "mysql-0", ip: "10.0.0.10", ready: true },
            ],
            {
                namespace: "default",
                clusterDomain: "cluster.local",
                services: [
                    { name: "mysql", governing: true, headless: true, publishNotReadyAddresses: false, emulable: true },
                    { name: "mysql-read", governing: false, headless: false, publishNotReadyAddresses: false, emulable: false },
                ],
            },
        );
        assert.strictEqual(
            text,
            [
                "# Kubernetes-managed hosts file.",
                "127.0.0.1\tlocalhost",
                "::1\tlocalhost ip6-localhost ip6-loopback",
                "fe00::0\tip6-localnet",
                "fe00::0\tip6-mcastprefix",
                "fe00::1\tip6-allnodes",
                "fe00::2\tip6-allrouters",
                "10.0.0.11\tmysql-1.mysql.default.svc.cluster.local\tmysql-1",
                "",
                "# fake kubelet: cluster DNS stand-in (Service endpoints, with the search-path short forms).",
                "10.0.0.10\tmysql-0.mysql.default.svc.cluster.local mysql-0.mysql.default.svc mysql-0.mysql.default mysql-0.mysql " +
                    "mysql.default.svc.cluster.local mysql.default.svc mysql.default mysql",
                "# Service mysql-read: not emulated (a port differs from its targetPort)",
                "",
            ].join("\n"),
        );
        assert.strictEqual(
            hostsFileText(selfLine("10.0.0.9", "job-0", undefined, "default", "cluster.local"), [], []).split("\n")[7],
            "10.0.0.9\tjob-0",
        );
    });
});

describe("node agent: NFS stand-in, service links, Nodes", () => {
    const pv = (nfs: { server: string; path: string } | undefined) => ({
        metadata: { name: "pv-0" },
        spec: { ...(nfs ? { nfs } : { hostPath: {} }), capacity: {} },
    });

    it("an NFS PersistentVolume on the local server is a directory under nfsRoot; others are refused with what to do", () => {
        assert.deepStrictEqual(nfsDirectory(pv({ server: LOCAL_NFS_SERVER, path: "/exports/mysql-0" }), LOCAL_NFS_SERVER, "/srv/nfs"), {
            dir: "/srv/nfs/exports/mysql-0",
            server: LOCAL_NFS_SERVER,
            root: "/srv/nfs",
        });
        assert.deepStrictEqual(nfsDirectory(pv({ server: "192.168.164.141", path: "/x" }), LOCAL_NFS_SERVER, "/srv/nfs"), {
            error: 'PersistentVolume pv-0: NFS server "192.168.164.141" is not the local stand-in "nfs.local"; render nfsServer=nfs.local',
        });
        assert.deepStrictEqual(nfsDirectory(pv({ server: LOCAL_NFS_SERVER, path: "/a/../../etc" }), LOCAL_NFS_SERVER, "/srv/nfs"), {
            error: 'PersistentVolume pv-0: NFS path "/a/../../etc" must be absolute, without ..',
        });
        assert.deepStrictEqual(nfsDirectory(pv(undefined), LOCAL_NFS_SERVER, "/srv/nfs"), {
            error: "PersistentVolume pv-0: only nfs volumes are emulated (it has hostPath)",
        });
    });

    it("more stand-in servers: each its own root, the same path on two servers two directories, an unknown server refused", () => {
        const others = { "nfs-b.local": "/srv/nfs-b", "nfs-c.local": "/srv/nfs-c" };
        const dir = (server: string) => nfsDirectory(pv({ server, path: "/exports/v1" }), LOCAL_NFS_SERVER, "/srv/nfs", others);
        assert.deepStrictEqual(dir(LOCAL_NFS_SERVER), { dir: "/srv/nfs/exports/v1", server: LOCAL_NFS_SERVER, root: "/srv/nfs" });
        assert.deepStrictEqual(dir("nfs-b.local"), { dir: "/srv/nfs-b/exports/v1", server: "nfs-b.local", root: "/srv/nfs-b" });
        assert.deepStrictEqual(dir("nfs-c.local"), { dir: "/srv/nfs-c/exports/v1", server: "nfs-c.local", root: "/srv/nfs-c" });
        assert.deepStrictEqual(dir("nfs-d.local"), {
            error:
                'PersistentVolume pv-0: NFS server "nfs-d.local" is not the local stand-in "nfs.local" nor one of "nfs-b.local", ' +
                '"nfs-c.local"; render nfsServer=nfs.local',
        });
        // An object's own property only: "constructor" is no server.
        assert.ok("error" in dir("constructor"));
    });

    it("service links: the kubernetes Service always, the namespace's ClusterIP Services when enabled, never a headless one", () => {
        const services: ApiService[] = [
            {
                metadata: { name: "kubernetes", namespace: "default" },
                spec: { clusterIP: "10.96.0.1", ports: [{ name: "https", port: 443 }] },
            },
            { metadata: { name: "mysql", namespace: "db" }, spec: { clusterIP: "None", ports: [{ name: "mysql", port: 3306 }] } },
            {
                metadata: { name: "mysql-read", namespace: "db" },
                spec: { clusterIP: "10.96.0.20", ports: [{ name: "mysql", port: 3306 }] },
            },
        ];
        const env = new Map(serviceLinkEnv(services, "db", true));
        assert.strictEqual(env.get("KUBERNETES_SERVICE_HOST"), "10.96.0.1");
        assert.strictEqual(env.get("KUBERNETES_PORT_443_TCP"), "tcp://10.96.0.1:443");
        assert.strictEqual(env.get("MYSQL_READ_SERVICE_PORT_MYSQL"), "3306");
        assert.strictEqual(env.get("MYSQL_READ_PORT"), "tcp://10.96.0.20:3306");
        assert.ok(![...env.keys()].some((k) => k.startsWith("MYSQL_PORT") || k.startsWith("MYSQL_SERVICE")));
        assert.deepStrictEqual(
            serviceLinkEnv(services, "db", false).map(([k]) => k),
            [
                "KUBERNETES_SERVICE_HOST",
                "KUBERNETES_SERVICE_PORT",
                "KUBERNETES_SERVICE_PORT_HTTPS",
                "KUBERNETES_PORT",
                "KUBERNETES_PORT_443_TCP",
                "KUBERNETES_PORT_443_TCP_PROTO",
                "KUBERNETES_PORT_443_TCP_PORT",
                "KUBERNETES_PORT_443_TCP_ADDR",
            ],
        );
    });

    it("node conditions keep their transition time and renew their heartbeat; a Lease renews in MicroTime", () => {
        const first = nodeConditions(new Date(T0));
        const later = nodeConditions(new Date(T0 + 60_000), first);
        assert.deepStrictEqual(
            later.find((c) => c.type === "Ready"),
            {
                type: "Ready",
                status: "True",
                reason: "KubeletReady",
                message: "fake kubelet is posting ready status",
                lastHeartbeatTime: "2026-12-07T05:01:00Z",
                lastTransitionTime: "2026-12-07T05:00:00Z",
            },
        );
        assert.deepStrictEqual(leaseObject("node-a", "uid-a", new Date(T0)).spec, {
            holderIdentity: "node-a",
            leaseDurationSeconds: 40,
            renewTime: "2026-12-07T05:00:00.000000Z",
        });
    });
});

describe("node agent: fence for API pods", () => {
    const container = {
        name: "mysql",
        image: "mariadb:11.4",
        imagePullPolicy: "IfNotPresent",
        terminationMessagePath: "/dev/termination-log",
        terminationMessagePolicy: "File",
        resources: {},
        readinessProbe: { exec: { command: ["true"] }, periodSeconds: 10, timeoutSeconds: 1, failureThreshold: 3, successThreshold: 1 },
    };
    const spec = (over: Record<string, unknown> = {}, c: Record<string, unknown> = {}) => ({
        containers: [{ ...container, ...c }],
        restartPolicy: "Always",
        terminationGracePeriodSeconds: 30,
        dnsPolicy: "ClusterFirst",
        securityContext: {},
        schedulerName: "default-scheduler",
        enableServiceLinks: true,
        serviceAccountName: "default",
        serviceAccount: "default",
        nodeName: "node-a",
        hostname: "mysql-0",
        subdomain: "mysql",
        tolerations: [{ key: "node.kubernetes.io/not-ready", operator: "Exists", effect: "NoExecute", tolerationSeconds: 300 }],
        priority: 0,
        preemptionPolicy: "PreemptLowerPriority",
        ...over,
    });

    it("runs a pod as the API server defaults it, with the ServiceAccount admission's token volume", () => {
        const kubeApiAccess = {
            name: "kube-api-access-abcde",
            projected: {
                defaultMode: 420,
                sources: [
                    { serviceAccountToken: { expirationSeconds: 3607, path: "token" } },
                    { configMap: { name: "kube-root-ca.crt", items: [{ key: "ca.crt", path: "ca.crt" }] } },
                    { downwardAPI: { items: [{ path: "namespace", fieldRef: { apiVersion: "v1", fieldPath: "metadata.namespace" } }] } },
                ],
            },
        };
        assert.deepStrictEqual(apiPodProblems(spec({ volumes: [kubeApiAccess] })), []);
    });

    it("names every field it does not run", () => {
        assert.deepStrictEqual(
            apiPodProblems(
                spec(
                    { hostNetwork: true, volumes: [{ name: "x", projected: { sources: [{ secret: { name: "s" } }] } }] },
                    { image: "nginx", readinessProbe: { httpGet: { port: 80 }, successThreshold: 1 } },
                ),
            ),
            [
                'spec.containers[mysql].image: "nginx" (runs only mariadb:11.4, docker.io/library/mariadb:11.4, rclone/rclone:1.76.0, docker.io/rclone/rclone:1.76.0)',
                "spec.containers[mysql].readinessProbe.httpGet",
                "spec.hostNetwork",
                "spec.volumes[x].projected.sources[0].secret",
            ],
        );
    });

    it("runs the exporter's image only where it built it (the host has Debian's exporter), and says which images it runs", () => {
        const exporter = spec({}, { image: EXPORTER_IMAGE });
        assert.deepStrictEqual(apiPodProblems(exporter, [EXPORTER_IMAGE]), []);
        assert.deepStrictEqual(apiPodProblems(exporter), [
            `spec.containers[mysql].image: "${EXPORTER_IMAGE}" (runs only mariadb:11.4, docker.io/library/mariadb:11.4, rclone/rclone:1.76.0, docker.io/rclone/rclone:1.76.0)`,
        ]);
    });
});

describe("node agent: log endpoint", () => {
    const log = [
        "==== fake-kubelet 2026-12-07T05:00:00.000Z pod mysql-0 (uid u) container mysql: start #1",
        "one",
        "two",
        "==== fake-kubelet 2026-12-07T05:00:05.000Z container mysql: exited with code 1",
        "==== fake-kubelet 2026-12-07T05:00:06.000Z pod mysql-0 (uid u) container mysql: start #2",
        "three",
        "four",
        "",
    ].join("\n");

    it("serves the current instance's lines, or the previous one's, without the fake kubelet's headers", () => {
        assert.deepStrictEqual(instanceLines(log, false), ["three", "four"]);
        assert.deepStrictEqual(instanceLines(log, true), ["one", "two"]);
        assert.deepStrictEqual(instanceLines("", true), []);
    });

    it("applies tailLines, then limitBytes", () => {
        assert.strictEqual(selectLog(["a", "b", "c"], { tailLines: 2 }), "b\nc\n");
        assert.strictEqual(selectLog(["abc", "def"], { limitBytes: 5 }), "abc\nd");
    });
});

describe("node agent: exec endpoint (v5.channel.k8s.io)", () => {
    it("encodes and decodes channel frames and v5's close signal", () => {
        assert.deepStrictEqual([...encodeFrame(CHANNEL.stdout, "hi")], [1, 0x68, 0x69]);
        assert.deepStrictEqual([...encodeClose(CHANNEL.stdin)], [255, 0]);
        assert.deepStrictEqual(decodeFrame(Buffer.from([0, 0x61])), { kind: "data", channel: 0, data: Buffer.from("a") });
        assert.deepStrictEqual(decodeFrame(Buffer.from([255, 0])), { kind: "close", channel: 0 });
        assert.throws(() => decodeFrame(Buffer.alloc(0)), /empty message/);
        assert.throws(() => decodeFrame(Buffer.from([255])), /close signal with 0 channel bytes/);
    });

    it("reads the kubelet's exec query and ends with kubelet's Status (exit code as the ExitCode cause)", () => {
        const q = new URLSearchParams("command=sh&command=-c&command=exit+3&input=1&output=1&error=1");
        assert.deepStrictEqual(execRequest(q), { command: ["sh", "-c", "exit 3"], stdin: true, stdout: true, stderr: true, tty: false });
        assert.deepStrictEqual(exitStatus(0), { apiVersion: "v1", kind: "Status", metadata: {}, status: "Success" });
        assert.deepStrictEqual((exitStatus(3) as { reason: string; details: unknown }).details, {
            causes: [{ reason: "ExitCode", message: "3" }],
        });
        assert.strictEqual((exitStatus(3) as { reason: string }).reason, "NonZeroExitCode");
    });

    describe("over a WebSocket to the kubelet endpoint", () => {
        let server: KubeletServer | undefined;
        const runs: { ns: string; pod: string; container: string; argv: string[]; stdin?: string }[] = [];
        const source = {
            logPath: () => undefined,
            hasPod: () => false,
            exec: (ns: string, pod: string, container: string, argv: string[], opts?: { stdin?: string }) => {
                runs.push({ ns, pod, container, argv, stdin: opts?.stdin });
                if (container !== "c") return Promise.reject(new Error(`pod ${pod} has no container ${container} (has: c)`));
                return Promise.resolve({ code: 3, stdout: `out:${opts?.stdin ?? ""}`, stderr: "err" });
            },
        };
        before(async () => {
            const dir = fs.mkdtempSync(path.join(os.tmpdir(), "kubelet-exec-"));
            server = await KubeletServer.start({ port: 0, certDir: dir, source: () => source });
        });
        after(() => server?.close());

        /** Opens an exec, sends `send` then the close signal for stdin when given, and collects every channel. */
        const exec = (query: string, stdin?: string[], protocol = EXEC_PROTOCOL): Promise<Map<number, string>> =>
            new Promise((resolve, reject) => {
                const got = new Map<number, string>();
                const ws = new WebSocket(`wss://127.0.0.1:${server?.port}/exec/ns/p/${query}`, [protocol], { rejectUnauthorized: false });
                ws.on("open", () => {
                    for (const s of stdin ?? []) ws.send(encodeFrame(CHANNEL.stdin, s));
                    if (stdin) ws.send(encodeClose(CHANNEL.stdin));
                });
                ws.on("message", (m: Buffer) => {
                    const f = decodeFrame(m);
                    if (f.kind === "data") got.set(f.channel, (got.get(f.channel) ?? "") + f.data.toString());
                });
                ws.on("close", (code) => (code === 1000 ? resolve(got) : reject(new Error(`closed with ${code}`))));
                ws.on("unexpected-response", (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
                ws.on("error", reject);
            });

        it("runs the command with the stdin sent until its close signal; stdout, stderr, then the exit status", async () => {
            const got = await exec("c?command=cat&input=1&output=1&error=1", ["a", "b"]);
            assert.deepStrictEqual(runs.at(-1), { ns: "ns", pod: "p", container: "c", argv: ["cat"], stdin: "ab" });
            assert.strictEqual(got.get(CHANNEL.stdout), "out:ab");
            assert.strictEqual(got.get(CHANNEL.stderr), "err");
            assert.deepStrictEqual(JSON.parse(got.get(CHANNEL.error) ?? "").details.causes, [{ reason: "ExitCode", message: "3" }]);
        });

        it("sends only the streams asked for; an unknown container and a TTY end with a Failure naming why", async () => {
            const quiet = await exec("c?command=true&output=1");
            assert.deepStrictEqual([...quiet.keys()].sort(), [CHANNEL.stdout, CHANNEL.error]);
            const missing = JSON.parse((await exec("nope?command=true&output=1")).get(CHANNEL.error) ?? "");
            assert.strictEqual(missing.status, "Failure");
            assert.match(missing.message, /pod p has no container nope/);
            const tty = JSON.parse((await exec("c?command=sh&tty=1&output=1")).get(CHANNEL.error) ?? "");
            assert.match(tty.message, /TTY is not supported; run kubectl exec without -t/);
        });

        it("refuses an older protocol before upgrading", async () => {
            await assert.rejects(exec("c?command=true", undefined, "v4.channel.k8s.io"), /HTTP 400/);
        });
    });
});
