// The node agent's readings and writings of API objects, pure so that the unit tests call them: a bound
// PersistentVolume's NFS export as a local directory, kubelet's service-link variables, the Node and Lease
// bodies the agent registers and renews, and a core/v1 Event.

import * as os from "os";
import * as path from "path";
import type { ApiService } from "./dns";

/** The NFS stand-in's server name: an `nfs: {server, path}` volume on it is the directory `<nfsRoot>/<path>`. */
export const LOCAL_NFS_SERVER = "nfs.local";

/** The parts of a PersistentVolume the agent reads. */
export interface ApiPersistentVolume {
    metadata: { name: string };
    spec?: { nfs?: { server: string; path: string; readOnly?: boolean }; [source: string]: unknown };
}

/**
 * The local directory of an NFS PersistentVolume, and the root of the server it is on, or why there is none (a
 * FailedMount message). `otherServers` are more stand-in servers, each a name and its own root directory.
 */
export function nfsDirectory(
    pv: ApiPersistentVolume,
    nfsServer: string,
    nfsRoot: string,
    otherServers: Readonly<Record<string, string>> = {},
): { dir: string; server: string; root: string } | { error: string } {
    const nfs = pv.spec?.nfs;
    if (!nfs) {
        const kinds = Object.keys(pv.spec ?? {}).filter(
            (k) =>
                ![
                    "accessModes",
                    "capacity",
                    "claimRef",
                    "persistentVolumeReclaimPolicy",
                    "storageClassName",
                    "volumeMode",
                    "mountOptions",
                    "nodeAffinity",
                ].includes(k),
        );
        return { error: `PersistentVolume ${pv.metadata.name}: only nfs volumes are emulated (it has ${kinds.join(", ") || "no source"})` };
    }
    const root = nfs.server === nfsServer ? nfsRoot : Object.hasOwn(otherServers, nfs.server) ? otherServers[nfs.server] : undefined;
    if (root === undefined) {
        const others = Object.keys(otherServers);
        return {
            error:
                `PersistentVolume ${pv.metadata.name}: NFS server ${JSON.stringify(nfs.server)} is not the local stand-in ${JSON.stringify(nfsServer)}` +
                (others.length ? ` nor one of ${others.map((o) => JSON.stringify(o)).join(", ")}` : "") +
                `; render nfsServer=${nfsServer}`,
        };
    }
    const rel = path.posix.normalize(`/${nfs.path}`);
    if (!nfs.path.startsWith("/") || nfs.path.split("/").includes(".."))
        return { error: `PersistentVolume ${pv.metadata.name}: NFS path ${JSON.stringify(nfs.path)} must be absolute, without ..` };
    if (nfs.readOnly) return { error: `PersistentVolume ${pv.metadata.name}: a read-only NFS volume is not emulated` };
    return { dir: path.join(root, rel), server: nfs.server, root };
}

/**
 * kubelet's service-link variables (pkg/kubelet/kubelet_pods.go getServiceEnvVarMap, envvars.FromServices): the
 * `kubernetes` Service of the default namespace always, the pod's namespace's Services with a ClusterIP when
 * enableServiceLinks is on (the API's default). Headless Services give none.
 */
export function serviceLinkEnv(services: ApiService[], namespace: string, enableServiceLinks: boolean): [string, string][] {
    const chosen = new Map<string, ApiService>();
    const withIp = services.filter((s) => s.spec?.clusterIP && s.spec.clusterIP !== "None");
    for (const s of withIp)
        if ((s.metadata.namespace ?? "default") === "default" && s.metadata.name === "kubernetes") chosen.set("kubernetes", s);
    // The pod's namespace's own Services after: one named kubernetes there wins.
    if (enableServiceLinks) for (const s of withIp) if ((s.metadata.namespace ?? "default") === namespace) chosen.set(s.metadata.name, s);
    const out: [string, string][] = [];
    for (const s of [...chosen.values()].sort((a, b) => a.metadata.name.localeCompare(b.metadata.name))) {
        const name = s.metadata.name.toUpperCase().replace(/-/g, "_");
        const ip = s.spec?.clusterIP as string;
        const ports = (s.spec?.ports ?? []) as { name?: string; port: number; protocol?: string }[];
        if (!ports.length) continue;
        out.push([`${name}_SERVICE_HOST`, ip], [`${name}_SERVICE_PORT`, String(ports[0].port)]);
        for (const p of ports) if (p.name) out.push([`${name}_SERVICE_PORT_${p.name.toUpperCase().replace(/-/g, "_")}`, String(p.port)]);
        const proto = (ports[0].protocol ?? "TCP").toLowerCase();
        out.push([`${name}_PORT`, `${proto}://${ip}:${ports[0].port}`]);
        for (const p of ports) {
            const pr = (p.protocol ?? "TCP").toUpperCase();
            const prefix = `${name}_PORT_${p.port}_${pr}`;
            out.push(
                [prefix, `${pr.toLowerCase()}://${ip}:${p.port}`],
                [`${prefix}_PROTO`, pr.toLowerCase()],
                [`${prefix}_PORT`, String(p.port)],
                [`${prefix}_ADDR`, ip],
            );
        }
    }
    return out;
}

export interface NodeShape {
    name: string;
    zone: string;
    kubeletPort: number;
    capacity: { cpu: string; memory: string; pods: string };
}

const rfc3339 = (d: Date): string => d.toISOString().replace(/\.\d{3}Z$/, "Z");
/** A Lease's MicroTime: RFC 3339 with microseconds. */
export const microTime = (d: Date): string => d.toISOString().replace(/Z$/, "000Z");

/** The node's conditions: Ready, no pressure; lastTransitionTime kept from `previous` while a status stays. */
export function nodeConditions(now: Date, previous: { type: string; status: string; lastTransitionTime?: string }[] = []) {
    const c = (type: string, status: string, reason: string, message: string) => {
        const was = previous.find((p) => p.type === type);
        return {
            type,
            status,
            reason,
            message,
            lastHeartbeatTime: rfc3339(now),
            lastTransitionTime: was?.status === status && was.lastTransitionTime ? was.lastTransitionTime : rfc3339(now),
        };
    };
    return [
        c("MemoryPressure", "False", "KubeletHasSufficientMemory", "kubelet has sufficient memory available"),
        c("DiskPressure", "False", "KubeletHasNoDiskPressure", "kubelet has no disk pressure"),
        c("PIDPressure", "False", "KubeletHasSufficientPID", "kubelet has sufficient PID available"),
        c("Ready", "True", "KubeletReady", "fake kubelet is posting ready status"),
    ];
}

/** A Node as kubelet registers it (pkg/kubelet/kubelet_node_status.go initialNode), with its status. */
export function nodeObject(n: NodeShape, now: Date, kubeletVersion: string) {
    return {
        apiVersion: "v1",
        kind: "Node",
        metadata: {
            name: n.name,
            labels: {
                "kubernetes.io/hostname": n.name,
                "kubernetes.io/os": "linux",
                "kubernetes.io/arch": "amd64",
                "beta.kubernetes.io/os": "linux",
                "beta.kubernetes.io/arch": "amd64",
                "topology.kubernetes.io/zone": n.zone,
                "fake-kubelet/node-agent": "true",
            },
            annotations: { "node.alpha.kubernetes.io/ttl": "0" },
        },
        spec: {},
        status: nodeStatus(n, now, kubeletVersion),
    };
}

export function nodeStatus(
    n: NodeShape,
    now: Date,
    kubeletVersion: string,
    previous?: { type: string; status: string; lastTransitionTime?: string }[],
) {
    const resources = { ...n.capacity, "ephemeral-storage": "100Gi", "hugepages-2Mi": "0" };
    return {
        capacity: resources,
        allocatable: resources,
        conditions: nodeConditions(now, previous),
        // No Hostname address: the API server would try it first (--kubelet-preferred-address-types) and no
        // resolver knows these node names.
        addresses: [{ type: "InternalIP", address: "127.0.0.1" }],
        daemonEndpoints: { kubeletEndpoint: { Port: n.kubeletPort } },
        // The API server then proxies kubectl exec's WebSocket (v5.channel.k8s.io) to the kubelet endpoint
        // instead of translating it to SPDY, which the endpoint does not speak (pod/rest/subresources.go).
        declaredFeatures: ["ExtendWebSocketsToKubelet"],
        nodeInfo: {
            machineID: "",
            systemUUID: "",
            bootID: "",
            kernelVersion: os.release(),
            osImage: "fake kubelet (host binaries)",
            containerRuntimeVersion: "fake-kubelet://1",
            kubeletVersion,
            kubeProxyVersion: "",
            operatingSystem: "linux",
            architecture: "amd64",
        },
    };
}

/** The node's Lease in kube-node-lease, owned by its Node (as kubelet's lease controller makes it). */
export function leaseObject(node: string, nodeUid: string, now: Date) {
    return {
        apiVersion: "coordination.k8s.io/v1",
        kind: "Lease",
        metadata: {
            name: node,
            namespace: "kube-node-lease",
            ownerReferences: [{ apiVersion: "v1", kind: "Node", name: node, uid: nodeUid }],
        },
        spec: { holderIdentity: node, leaseDurationSeconds: 40, renewTime: microTime(now) },
    };
}

export interface EventShape {
    namespace: string;
    pod: string;
    uid: string;
    container?: string;
    init?: boolean;
    type: "Normal" | "Warning";
    reason: string;
    message: string;
    node: string;
}

/** A core/v1 Event about a pod, from kubelet on a node. */
export function eventObject(e: EventShape, now: Date, seq: number) {
    const t = rfc3339(now);
    return {
        apiVersion: "v1",
        kind: "Event",
        metadata: { name: `${e.pod}.${(now.getTime() * 1000 + (seq % 1000)).toString(16)}`, namespace: e.namespace },
        involvedObject: {
            apiVersion: "v1",
            kind: "Pod",
            namespace: e.namespace,
            name: e.pod,
            uid: e.uid,
            ...(e.container ? { fieldPath: `spec.${e.init ? "initContainers" : "containers"}{${e.container}}` } : {}),
        },
        reason: e.reason,
        message: e.message,
        type: e.type,
        source: { component: "kubelet", host: e.node },
        reportingComponent: "kubelet",
        reportingInstance: e.node,
        firstTimestamp: t,
        lastTimestamp: t,
        count: 1,
    };
}
