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

export function hostsFileFor(self: DnsPod, pods: DnsPod[], cfg: DnsConfig): string {
    const { namespace: ns, clusterDomain: dom } = cfg;
    const governing = cfg.services.find((s) => s.governing);
    const lines = [
        "# Kubernetes-managed hosts file.",
        "127.0.0.1\tlocalhost",
        "::1\tlocalhost ip6-localhost ip6-loopback",
        "fe00::0\tip6-localnet",
        "fe00::0\tip6-mcastprefix",
        "fe00::1\tip6-allnodes",
        "fe00::2\tip6-allrouters",
        governing ? `${self.ip}\t${self.name}.${governing.name}.${ns}.svc.${dom}\t${self.name}` : `${self.ip}\t${self.name}`,
        "",
        "# fake kubelet: cluster DNS stand-in (Service endpoints, with the search-path short forms).",
    ];
    const sorted = [...pods].sort((a, b) => a.name.localeCompare(b.name, undefined, { numeric: true }));
    for (const p of sorted) {
        const names: string[] = [];
        for (const s of cfg.services) {
            if (!(p.ready || s.publishNotReadyAddresses)) continue;
            if (!s.headless && !s.emulable) continue;
            if (s.governing && s.headless) {
                const fq = `${p.name}.${s.name}`;
                names.push(`${fq}.${ns}.svc.${dom}`, `${fq}.${ns}.svc`, `${fq}.${ns}`, fq);
            }
            names.push(`${s.name}.${ns}.svc.${dom}`, `${s.name}.${ns}.svc`, `${s.name}.${ns}`, s.name);
        }
        if (names.length) lines.push(`${p.ip}\t${names.join(" ")}`);
    }
    for (const s of cfg.services) {
        if (!s.headless && !s.emulable) lines.push(`# Service ${s.name}: not emulated (a port differs from its targetPort)`);
    }
    return lines.join("\n") + "\n";
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
