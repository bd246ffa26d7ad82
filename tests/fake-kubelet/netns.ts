// The pod network: one network namespace per pod, each with an eth0 that is one end of a
// veth pair whose other end is a port of a bridge living in a namespace of its own.
//
// Network rule this file enforces: every `ip` command names a namespace the fake kubelet created
// (`ip -n <ns>`); nothing is ever added to, or routed through, the host's root namespace.
// Pods get only the connected route of the subnet (no default route), so any other address
// fails with "Network is unreachable" inside the pod.

import * as fs from "fs";
import { killTreeSync, nsOfPath, pidsInNs, run, runOk, runSync } from "./util";

export interface Ipv4Subnet {
    base: number; // network address as an unsigned 32-bit number
    prefixLen: number;
}

export function parseSubnet(cidr: string): Ipv4Subnet {
    const m = /^(\d+)\.(\d+)\.(\d+)\.(\d+)\/(\d+)$/.exec(cidr);
    if (!m) throw new Error(`subnet ${JSON.stringify(cidr)} is not an IPv4 CIDR like 10.213.7.0/24`);
    const octets = m.slice(1, 5).map(Number);
    const prefixLen = Number(m[5]);
    if (octets.some((o) => o > 255) || prefixLen < 16 || prefixLen > 28) {
        throw new Error(`subnet ${cidr}: octets must be <= 255 and the prefix between /16 and /28`);
    }
    const addr = ((octets[0] << 24) | (octets[1] << 16) | (octets[2] << 8) | octets[3]) >>> 0;
    const mask = prefixLen === 0 ? 0 : (0xffffffff << (32 - prefixLen)) >>> 0;
    const base = (addr & mask) >>> 0;
    // Private ranges only, so a pod address can never be mistaken for a real one.
    const inRange = (net: number, len: number) => (base & ((0xffffffff << (32 - len)) >>> 0)) >>> 0 === net >>> 0;
    if (!(inRange(0x0a000000, 8) || inRange(0xac100000, 12) || inRange(0xc0a80000, 16))) {
        throw new Error(`subnet ${cidr} is not in a private range (10/8, 172.16/12, 192.168/16)`);
    }
    return { base, prefixLen };
}

export function ipToString(n: number): string {
    return [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join(".");
}

function overlaps(a: Ipv4Subnet, b: Ipv4Subnet): boolean {
    const len = Math.min(a.prefixLen, b.prefixLen);
    const mask = len === 0 ? 0 : (0xffffffff << (32 - len)) >>> 0;
    return (a.base & mask) >>> 0 === (b.base & mask) >>> 0;
}

export interface PodNet {
    ns: string;
    ip: string;
    veth: string;
}

/** Kills every process inside a named netns (by pid, from /proc) and deletes the netns. */
export function removeNetnsSync(ns: string): void {
    const nsPath = `/run/netns/${ns}`;
    const id = nsOfPath(nsPath, "net");
    if (id) killTreeSync(pidsInNs("net", id));
    runSync("ip", ["netns", "del", ns]);
}

export function netnsNamesWithPrefix(prefix: string): string[] {
    try {
        return fs.readdirSync("/run/netns").filter((n) => n.startsWith(prefix + "-"));
    } catch {
        return [];
    }
}

export class PodNetwork {
    readonly bridgeNs: string;
    readonly bridge: string;
    private readonly subnet: Ipv4Subnet;
    private readonly pods = new Map<string, PodNet>();
    /** Host part handed out last: pods get a new address on every start, like in Kubernetes. */
    private lastHost = 1;

    constructor(
        readonly prefix: string,
        subnetCidr: string,
    ) {
        if (!/^[a-z][a-z0-9]{0,7}$/.test(prefix)) {
            throw new Error(`prefix ${JSON.stringify(prefix)} must match [a-z][a-z0-9]{0,7} (interface names are limited to 15 chars)`);
        }
        this.subnet = parseSubnet(subnetCidr);
        this.bridgeNs = `${prefix}-br`;
        this.bridge = `${prefix}br`;
    }

    /** Kills whatever still runs in netns named `<prefix>-*` (an earlier run) and deletes them. */
    static removeLeftovers(prefix: string): string[] {
        const names = netnsNamesWithPrefix(prefix);
        // Pods first, the bridge namespace last.
        names.sort((a, b) => Number(a.endsWith("-br")) - Number(b.endsWith("-br")));
        for (const ns of names) removeNetnsSync(ns);
        return names;
    }

    /** Refuses a subnet that overlaps an address or route of the host, to keep things unambiguous. */
    private async checkHostOverlap(): Promise<void> {
        const out = (await run("ip", ["-4", "-o", "addr", "show"])).stdout + (await run("ip", ["-4", "route", "show"])).stdout;
        for (const m of out.matchAll(/(\d+\.\d+\.\d+\.\d+)\/(\d+)/g)) {
            const other = { base: 0, prefixLen: Number(m[2]) };
            const o = m[1].split(".").map(Number);
            const addr = ((o[0] << 24) | (o[1] << 16) | (o[2] << 8) | o[3]) >>> 0;
            other.base = other.prefixLen === 0 ? 0 : (addr & ((0xffffffff << (32 - other.prefixLen)) >>> 0)) >>> 0;
            if (other.prefixLen > 0 && overlaps(this.subnet, other)) {
                throw new Error(
                    `subnet ${ipToString(this.subnet.base)}/${this.subnet.prefixLen} overlaps ${m[0]} of this host; pick another`,
                );
            }
        }
    }

    async create(): Promise<void> {
        await this.checkHostOverlap();
        await runOk("ip", ["netns", "add", this.bridgeNs]);
        await runOk("ip", ["-n", this.bridgeNs, "link", "set", "lo", "up"]);
        await runOk("ip", ["-n", this.bridgeNs, "link", "add", this.bridge, "type", "bridge"]);
        await runOk("ip", ["-n", this.bridgeNs, "link", "set", this.bridge, "up"]);
    }

    nsOf(pod: string): string {
        return `${this.prefix}-${pod}`;
    }

    get(pod: string): PodNet | undefined {
        return this.pods.get(pod);
    }

    private allocateIp(): string {
        const size = 2 ** (32 - this.subnet.prefixLen);
        const used = new Set([...this.pods.values()].map((p) => p.ip));
        // Usable hosts: .2 .. broadcast-1 (.1 stays free, as a gateway would be).
        for (let i = 0; i < size; i++) {
            this.lastHost = this.lastHost + 1 >= size - 1 ? 2 : this.lastHost + 1;
            const ip = ipToString(this.subnet.base + this.lastHost);
            if (!used.has(ip)) return ip;
        }
        throw new Error("pod subnet exhausted");
    }

    /** Creates the pod's netns, its eth0 (veth to the bridge) with a fresh address, and loopback. */
    async attach(pod: string, ordinal: number): Promise<PodNet> {
        if (this.pods.has(pod)) throw new Error(`network of ${pod} already exists`);
        const ns = this.nsOf(pod);
        const veth = `${this.prefix}v${ordinal}`;
        if (veth.length > 15) throw new Error(`interface name ${veth} is longer than 15 chars`);
        const ip = this.allocateIp();
        // An earlier run (or a crashed stopPod) may have left these behind.
        if (fs.existsSync(`/run/netns/${ns}`)) removeNetnsSync(ns);
        await run("ip", ["-n", this.bridgeNs, "link", "del", veth]);
        await runOk("ip", ["netns", "add", ns]);
        await runOk("ip", ["-n", ns, "link", "set", "lo", "up"]);
        // Created inside the bridge namespace, with the peer moved straight into the pod's.
        await runOk("ip", ["-n", this.bridgeNs, "link", "add", veth, "type", "veth", "peer", "name", "eth0", "netns", ns]);
        await runOk("ip", ["-n", this.bridgeNs, "link", "set", veth, "master", this.bridge, "up"]);
        await runOk("ip", ["-n", ns, "addr", "add", `${ip}/${this.subnet.prefixLen}`, "dev", "eth0"]);
        await runOk("ip", ["-n", ns, "link", "set", "eth0", "up"]);
        const net = { ns, ip, veth };
        this.pods.set(pod, net);
        return net;
    }

    /** Deletes the veth pair explicitly (a stray reference could keep the netns alive) and the netns. */
    async detach(pod: string): Promise<void> {
        const net = this.pods.get(pod);
        if (!net) return;
        await run("ip", ["-n", this.bridgeNs, "link", "del", net.veth]);
        removeNetnsSync(net.ns);
        this.pods.delete(pod);
    }

    /** Takes the pod's bridge port down (or up): the pod is cut off from every other pod, both ways. */
    async setBlocked(pod: string, blocked: boolean): Promise<void> {
        const net = this.pods.get(pod);
        if (!net) throw new Error(`${pod} has no network (not running)`);
        await runOk("ip", ["-n", this.bridgeNs, "link", "set", net.veth, blocked ? "down" : "up"]);
    }

    destroySync(): void {
        for (const pod of [...this.pods.keys()]) {
            const net = this.pods.get(pod);
            if (net) {
                runSync("ip", ["-n", this.bridgeNs, "link", "del", net.veth]);
                removeNetnsSync(net.ns);
            }
            this.pods.delete(pod);
        }
        PodNetwork.removeLeftovers(this.prefix);
    }
}
