// Cluster DNS, emulated with one hosts file per pod (bind-mounted over every container's
// /etc/hosts and rewritten in place when endpoints change):
//   - kubelet's part: localhost lines and the pod's own "<ip> <pod>.<svc>.<ns>.svc.<domain> <pod>",
//     present from the start, as kubelet writes it;
//   - the DNS part: for every endpoint of a Service, the names the pod's search path would
//     complete (<pod>.<svc>, <pod>.<svc>.<ns>, <pod>.<svc>.<ns>.svc, the FQDN; and <svc>... for
//     the Service itself). As in Kubernetes, only Ready pods are endpoints unless the Service
//     sets publishNotReadyAddresses; a stopped pod disappears at once (no DNS cache here).
// A bare "<other-pod>" name is NOT resolvable from another pod, as in Kubernetes.
// There is no DNS server: resolv.conf points at 127.0.0.1, so unknown names fail fast.

import * as fs from "fs";

export interface DnsService {
    name: string;
    /** The StatefulSet's governing Service: pod records <pod>.<svc> exist. */
    governing: boolean;
    headless: boolean;
    publishNotReadyAddresses: boolean;
    /**
     * ClusterIP Services are emulated by resolving the Service name to the endpoints themselves
     * (no kube-proxy): only right when every port equals its targetPort.
     */
    emulable: boolean;
}

export interface DnsPod {
    name: string;
    ip: string;
    ready: boolean;
}

export interface DnsConfig {
    namespace: string;
    clusterDomain: string;
    services: DnsService[];
}

/** One line of the DNS part of a hosts file: an address and the names that resolve to it, in order. */
export interface HostsEntry {
    ip: string;
    names: string[];
}

/** `<name>.<ns>.svc.<domain>` and the short forms the pod's search path completes. */
function withSearchForms(name: string, ns: string, dom: string): string[] {
    return [`${name}.${ns}.svc.${dom}`, `${name}.${ns}.svc`, `${name}.${ns}`, name];
}

/** kubelet's own line for the pod: `<ip> <hostname>.<subdomain>.<ns>.svc.<domain> <hostname>`, or `<ip> <name>`. */
export function selfLine(ip: string, hostname: string, subdomain: string | undefined, ns: string, dom: string): string {
    return subdomain ? `${ip}\t${hostname}.${subdomain}.${ns}.svc.${dom}\t${hostname}` : `${ip}\t${hostname}`;
}

/** The whole hosts file: kubelet's part (localhost lines, the pod's own line), then the DNS stand-in's entries and notes. */
export function hostsFileText(self: string, entries: HostsEntry[], notes: string[]): string {
    const lines = [
        "# Kubernetes-managed hosts file.",
        "127.0.0.1\tlocalhost",
        "::1\tlocalhost ip6-localhost ip6-loopback",
        "fe00::0\tip6-localnet",
        "fe00::0\tip6-mcastprefix",
        "fe00::1\tip6-allnodes",
        "fe00::2\tip6-allrouters",
        self,
        "",
        "# fake kubelet: cluster DNS stand-in (Service endpoints, with the search-path short forms).",
        ...entries.filter((e) => e.names.length).map((e) => `${e.ip}\t${e.names.join(" ")}`),
        ...notes,
    ];
    return lines.join("\n") + "\n";
}

/** Why a Service gets no names: no kube-proxy here, so a ClusterIP resolves to its endpoints only when ports match. */
function notEmulated(service: string): string {
    return `# Service ${service}: not emulated (a port differs from its targetPort)`;
}

export function hostsFileFor(self: DnsPod, pods: DnsPod[], cfg: DnsConfig): string {
    const { namespace: ns, clusterDomain: dom } = cfg;
    const governing = cfg.services.find((s) => s.governing);
    const entries: HostsEntry[] = [];
    const sorted = [...pods].sort((a, b) => a.name.localeCompare(b.name, undefined, { numeric: true }));
    for (const p of sorted) {
        const names: string[] = [];
        for (const s of cfg.services) {
            if (!(p.ready || s.publishNotReadyAddresses)) continue;
            if (!s.headless && !s.emulable) continue;
            if (s.governing && s.headless) names.push(...withSearchForms(`${p.name}.${s.name}`, ns, dom));
            names.push(...withSearchForms(s.name, ns, dom));
        }
        entries.push({ ip: p.ip, names });
    }
    const notes = cfg.services.filter((s) => !s.headless && !s.emulable).map((s) => notEmulated(s.name));
    return hostsFileText(selfLine(self.ip, self.name, governing?.name, ns, dom), entries, notes);
}

/** The parts of a v1 Service the DNS stand-in reads. */
export interface ApiService {
    metadata: { name: string; namespace?: string };
    spec?: { clusterIP?: string; ports?: { name?: string; port: number }[] };
}

/** The parts of a discovery.k8s.io/v1 EndpointSlice the DNS stand-in reads. */
export interface ApiEndpointSlice {
    metadata: { name: string; namespace?: string; labels?: Record<string, string> };
    ports?: { name?: string; port?: number }[] | null;
    endpoints?: {
        addresses: string[];
        hostname?: string;
        conditions?: { ready?: boolean };
        targetRef?: { kind?: string; name?: string };
    }[];
}

/**
 * The DNS entries of a namespace from the API's EndpointSlices, as CoreDNS serves them: a headless Service's
 * name resolves to its ready endpoints (the EndpointSlice controller already counts every endpoint ready under
 * publishNotReadyAddresses), `<hostname>.<svc>` to an endpoint with a hostname (a StatefulSet's pods in
 * their governing Service); a ClusterIP Service's name resolves to its endpoints instead of its ClusterIP
 * (no kube-proxy) when each port equals the endpoints' port of the same name, otherwise not at all.
 */
export function endpointSliceEntries(slices: ApiEndpointSlice[], services: ApiService[], ns: string, dom: string): HostsEntry[] {
    // Per address: its pod records first, then the Service names (the controller mode's order).
    const byIp = new Map<string, { order: string; pods: string[]; services: string[] }>();
    const svcs = new Map(services.filter((s) => (s.metadata.namespace ?? "default") === ns).map((s) => [s.metadata.name, s]));
    const ordered = slices
        .filter((sl) => (sl.metadata.namespace ?? "default") === ns)
        .sort((a, b) => a.metadata.name.localeCompare(b.metadata.name, undefined, { numeric: true }));
    for (const sl of ordered) {
        const name = sl.metadata.labels?.["kubernetes.io/service-name"];
        const svc = name ? svcs.get(name) : undefined;
        if (!name || !svc) continue;
        const headless = svc.spec?.clusterIP === "None";
        const emulable = (svc.spec?.ports ?? []).every((p) =>
            (sl.ports ?? []).some((q) => (q.name ?? "") === (p.name ?? "") && q.port === p.port),
        );
        for (const ep of sl.endpoints ?? []) {
            if (ep.conditions?.ready === false) continue;
            for (const ip of ep.addresses) {
                const entry = byIp.get(ip) ?? { order: ep.targetRef?.name ?? ip, pods: [], services: [] };
                if (headless && ep.hostname) entry.pods.push(...withSearchForms(`${ep.hostname}.${name}`, ns, dom));
                if (headless || emulable) entry.services.push(...withSearchForms(name, ns, dom));
                byIp.set(ip, entry);
            }
        }
    }
    return [...byIp.entries()]
        .sort(([, a], [, b]) => a.order.localeCompare(b.order, undefined, { numeric: true }))
        .map(([ip, e]) => ({ ip, names: [...new Set([...e.pods, ...e.services])] }));
}

/** The notes for the namespace's ClusterIP Services that endpointSliceEntries could not emulate. */
export function endpointSliceNotes(slices: ApiEndpointSlice[], services: ApiService[], ns: string): string[] {
    const notes: string[] = [];
    for (const svc of services) {
        if ((svc.metadata.namespace ?? "default") !== ns || svc.spec?.clusterIP === "None" || !svc.spec?.clusterIP) continue;
        const own = slices.filter((sl) => sl.metadata.labels?.["kubernetes.io/service-name"] === svc.metadata.name);
        const emulable = own.every((sl) =>
            (svc.spec?.ports ?? []).every((p) => (sl.ports ?? []).some((q) => (q.name ?? "") === (p.name ?? "") && q.port === p.port)),
        );
        if (!emulable) notes.push(notEmulated(svc.metadata.name));
    }
    return notes;
}

export function resolvConf(namespace: string, clusterDomain: string): string {
    return [
        "# fake kubelet: no DNS server; names come from /etc/hosts (unknown names fail at once).",
        `search ${namespace}.svc.${clusterDomain} svc.${clusterDomain} ${clusterDomain}`,
        "nameserver 127.0.0.1",
        "options ndots:5",
        "",
    ].join("\n");
}

/**
 * Rewrites a bind-mounted file in place. Never renamed (the mounts would keep the old inode) and
 * never truncated (a reader between truncate and write would see an empty hosts file): the new
 * content is written over the old at offset 0, padded with a comment line to at least the old size.
 */
export function writeInPlace(file: string, content: string): void {
    let oldSize = 0;
    try {
        oldSize = fs.statSync(file).size;
    } catch {
        // new file
    }
    const body = Buffer.from(content, "utf8");
    const size = Math.max(oldSize, Math.ceil((body.length + 2) / 4096) * 4096);
    const buf = Buffer.alloc(size, " ");
    body.copy(buf);
    buf.write("#", body.length);
    buf.write("\n", size - 1);
    const fd = fs.openSync(file, fs.existsSync(file) ? "r+" : "w", 0o644);
    try {
        fs.writeSync(fd, buf, 0, buf.length, 0);
    } finally {
        fs.closeSync(fd);
    }
}
