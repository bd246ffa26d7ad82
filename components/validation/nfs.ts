// The NFS servers and the exported paths: an address or host name a node can mount from (one, or a list the
// ordinals rotate through), and one path per pod that no other pod's path on the same server equals or
// contains once normalised (two servers on one data directory corrupt it).
// @see https://kubernetes.io/docs/concepts/storage/volumes/#nfs

import * as net from "net";
import * as path from "path";
import { isHostName } from "./names";
import { Problems, show } from "./problems";

// eslint-disable-next-line no-control-regex -- matching control characters is the point: they are refused
const CONTROL = /[\u0000-\u001f\u007f]/;
const PLACEHOLDER = /\{([^{}]*)\}/g;
const PLACEHOLDERS = ["ordinal", "number"];
const PATTERN_FIX = `use an absolute path with {ordinal} (0, 1, …) or {number} (1, 2, …), e.g. "/data/volumes/v{number}".`;

/** Why `text` is not a usable IPv4 address, when it is written like one (digits and dots only). */
function ipv4Problem(text: string): string | undefined {
    const octets = text.split(".");
    if (octets.length !== 4 || octets.some((o) => o === "")) {
        return "an IPv4 address has four numbers separated by dots";
    }
    const big = octets.find((o) => Number(o) > 255);
    if (big !== undefined) {
        return `${big} is above 255, the largest number in an IPv4 address`;
    }
    const padded = octets.find((o) => o.length > 1 && o.startsWith("0"));
    if (padded !== undefined) {
        return `${padded} has a leading zero, which the mount tools read as octal`;
    }
    return undefined;
}

/** Why `server` cannot be an NFS server's address (the text after "is X: "), or undefined when it can. */
function serverProblem(server: string): string | undefined {
    const example = `use a host name or an IP address, e.g. "192.168.164.141"`;
    if (/^[0-9.]+$/.test(server)) {
        const problem = ipv4Problem(server);
        return problem === undefined ? undefined : `${problem}; ${example}.`;
    }
    if (server.includes(":")) {
        const address = server.startsWith("[") && server.endsWith("]") ? server.slice(1, -1) : server;
        return net.isIPv6(address) ? undefined : `not an IPv6 address; ${example}.`;
    }
    if (isHostName(server)) {
        return undefined;
    }
    return (
        `${example} (a host name is dot-separated labels of letters, digits and '-', ` +
        `none empty, each at most 63 characters, 253 in all).`
    );
}

export function checkNfsServer(problems: Problems, server: string | null | undefined): string | undefined {
    if (server === undefined) {
        return undefined;
    }
    if (server === null || server === "") {
        return problems.add("`nfsServer` is not set: give the host name or IP address of the NFS server that exports the volumes.");
    }
    const problem = serverProblem(server);
    return problem === undefined ? server : problems.add(`\`nfsServer\` is ${show(server)}: ${problem}`);
}

/** Whether two server names are the same server as written (host names are case-insensitive; IPv6 brackets). */
export function sameServer(a: string, b: string): boolean {
    return serverKey(a) === serverKey(b);
}

function serverKey(server: string): string {
    // "nfs.example." is the fully qualified "nfs.example".
    return server
        .toLowerCase()
        .replace(/^\[(.*)\]$/, "$1")
        .replace(/\.$/, "");
}

/**
 * `nfsServers`: the servers the data volumes rotate through, each a valid address, each listed once (a name
 * twice, even in another case, would put two volumes meant for two servers on one, and hide from the path
 * checks that they share its directories). `null` when unset.
 */
export function checkNfsServers(problems: Problems, servers: readonly string[] | null | undefined): readonly string[] | null | undefined {
    if (servers === undefined || servers === null) {
        return servers;
    }
    if (servers.length === 0) {
        return problems.add(
            "`nfsServers` is empty: list the NFS servers to spread the data volumes over, e.g. " +
                '["nfs-a.example", "nfs-b.example"], or remove it to keep every volume on `nfsServer`.',
        );
    }
    const count = problems.list.length;
    for (const server of servers) {
        const problem =
            server === "" ? `an item is empty; use a host name or an IP address, e.g. "192.168.164.141".` : serverProblem(server);
        if (problem !== undefined) {
            problems.add(`\`nfsServers\` has ${show(server)}: ${problem}`);
        }
    }
    const repeated = servers.filter((s, i) => servers.findIndex((t) => sameServer(s, t)) !== i);
    if (repeated.length > 0) {
        problems.add(
            `\`nfsServers\` lists ${[...new Set(repeated)].map(show).join(", ")} more than once: list each server once ` +
                `(ordinal i's volume is on item i mod n).`,
        );
    }
    return problems.list.length === count ? servers : undefined;
}

/**
 * The server of each volume: `nfsServers` rotated over the ordinals (ordinal i on item i mod n), or `nfsServer`
 * for all. A server that would hold no volume (more servers than volumes) is refused: it is a mistake in the
 * list or in the number of volumes.
 */
export function resolveVolumeServers(
    problems: Problems,
    nfsServers: readonly string[] | null | undefined,
    nfsServer: string | undefined,
    nfsPaths: readonly string[] | undefined,
): string[] | undefined {
    if (nfsServers === undefined || nfsServer === undefined || nfsPaths === undefined) {
        return undefined;
    }
    if (nfsServers === null) {
        return nfsPaths.map(() => nfsServer);
    }
    if (nfsServers.length > nfsPaths.length) {
        const unused = nfsServers.slice(nfsPaths.length);
        return problems.add(
            `\`nfsServers\` lists ${nfsServers.length} servers for ${nfsPaths.length} volumes: ${unused.map(show).join(", ")} ` +
                `would hold none. Remove ${unused.length > 1 ? "them" : "it"}, or make more volumes (more \`nfsPaths\`, or a higher ` +
                `\`maxReplicas\` with \`nfsPathPattern\`).`,
        );
    }
    return nfsPaths.map((_, ordinal) => nfsServers[ordinal % nfsServers.length]);
}

/** The problem with one path, as given or as a pattern expands it; undefined when it can be exported. */
export function pathProblem(p: string): string | undefined {
    if (!p.startsWith("/")) {
        return "every path must be absolute";
    }
    if (CONTROL.test(p)) {
        return "a path cannot hold a control character (a line break, a tab, …)";
    }
    if (path.posix.normalize(p) === "/") {
        return "the root of the server cannot be one pod's data directory";
    }
    return undefined;
}

/** Pairs of paths that are the same directory once normalised, or one inside the other, described. */
export function overlaps(paths: readonly string[]): string[] {
    const normal = paths.map((p) => path.posix.normalize(p).replace(/\/$/, ""));
    const found: string[] = [];
    normal.forEach((a, i) =>
        normal.forEach((b, j) => {
            if (i < j && (a === b || b.startsWith(`${a}/`) || a.startsWith(`${b}/`))) {
                found.push(
                    `${show(paths[i])} and ${show(paths[j])}, ${a === b ? "the same directory once normalised" : "one inside the other"}`,
                );
            }
        }),
    );
    return found;
}

/**
 * One path per volume, from `nfsPaths` (every path) or `nfsPathPattern` (ordinals 0 to maxReplicas - 1):
 * the set does not follow `replicas`, so scaling in and out never deletes and re-creates a retained
 * volume. `null` when unset, `undefined` when of the wrong type, already reported. Paths are kept as
 * written: the volumes already made from them do not change.
 */
export function resolveNfsPaths(
    problems: Problems,
    nfsPaths: readonly string[] | null | undefined,
    nfsPathPattern: string | null | undefined,
    replicas: number | undefined,
    maxReplicas: number | undefined,
    nfsServers: readonly string[] | null | undefined = null,
): readonly string[] | undefined {
    if (nfsPaths === undefined || nfsPathPattern === undefined) {
        return undefined;
    }
    if (nfsPaths !== null && nfsPathPattern !== null) {
        return problems.add("Only one of `nfsPaths` or `nfsPathPattern` can be set: remove one.");
    }
    if (nfsPathPattern !== null) {
        return expandPattern(problems, nfsPathPattern, maxReplicas);
    }
    if (nfsPaths === null) {
        return problems.add(
            "Neither `nfsPaths` nor `nfsPathPattern` is set: give one NFS path per pod, e.g. " +
                '`nfsPathPattern: "/data/volumes/v{number}"`.',
        );
    }
    const count = problems.list.length;
    const bad = new Map<string, string[]>();
    for (const p of nfsPaths) {
        const problem = pathProblem(p);
        if (problem !== undefined) {
            bad.set(problem, [...(bad.get(problem) ?? []), show(p)]);
        }
    }
    for (const [problem, paths] of bad) {
        problems.add(`\`nfsPaths\` has ${paths.join(", ")}: ${problem}, e.g. "/data/volumes/v1".`);
    }
    // Only paths on one NFS server can be one directory: with `nfsServers`, ordinal i's path is on item i mod n.
    const groups = new Map<string, { server: string; paths: string[] }>();
    nfsPaths.forEach((p, ordinal) => {
        const server = nfsServers ? nfsServers[ordinal % nfsServers.length] : "";
        const group = groups.get(serverKey(server)) ?? { server, paths: [] };
        groups.set(serverKey(server), { server: group.server, paths: [...group.paths, p] });
    });
    for (const { server, paths } of groups.values()) {
        const on = server === "" ? "" : ` on ${show(server)}`;
        const repeated = paths.filter((p, i) => paths.indexOf(p) !== i);
        if (repeated.length > 0) {
            problems.add(
                `\`nfsPaths\` lists ${[...new Set(repeated)].map(show).join(", ")} more than once${on}: each pod needs a ` +
                    `path of its own, or two servers would share one data directory.`,
            );
        } else if (bad.size === 0) {
            const overlapping = overlaps(paths);
            if (overlapping.length > 0) {
                problems.add(
                    `\`nfsPaths\` has ${overlapping.join("; ")}${on}: each pod needs a directory of its own, not shared with ` +
                        `or inside another pod's, or two servers would write into one data directory.`,
                );
            }
        }
    }
    if (replicas !== undefined && nfsPaths.length < replicas) {
        problems.add(
            `\`nfsPaths\` has ${nfsPaths.length} path(s) for ${replicas} replicas: add ${replicas - nfsPaths.length} ` +
                `more, or lower \`replicas\`.`,
        );
    }
    return problems.list.length === count ? [...nfsPaths] : undefined;
}

function expandPattern(problems: Problems, pattern: string, volumes: number | undefined): string[] | undefined {
    const unknown = [...pattern.matchAll(PLACEHOLDER)].map((m) => m[1]).filter((name) => !PLACEHOLDERS.includes(name));
    if (unknown.length > 0) {
        const hint = PLACEHOLDERS.find((known) => known.startsWith(unknown[0].slice(0, 2).toLowerCase()));
        return problems.add(
            `\`nfsPathPattern\` is ${show(pattern)}: {${unknown[0]}} is not a placeholder` +
                (hint ? ` (did you mean {${hint}}?)` : "") +
                `; ${PATTERN_FIX}`,
        );
    }
    const problem = pathProblem(pattern);
    if (problem !== undefined || !/\{(ordinal|number)\}/.test(pattern)) {
        const why = problem === undefined || !pattern.startsWith("/") ? "" : `${problem}; `;
        return problems.add(`\`nfsPathPattern\` is ${show(pattern)}: ${why}${PATTERN_FIX}`);
    }
    const paths = Array.from({ length: Math.max(volumes ?? 2, 2) }, (_, ordinal) =>
        pattern.replace(/\{ordinal\}/g, String(ordinal)).replace(/\{number\}/g, String(ordinal + 1)),
    );
    const overlapping = overlaps(paths);
    if (overlapping.length > 0) {
        return problems.add(
            `\`nfsPathPattern\` is ${show(pattern)}, which gives ${overlapping[0]}: put the placeholder in a ` +
                `directory name of its own, e.g. "/data/volumes/v{number}".`,
        );
    }
    return volumes === undefined ? undefined : paths.slice(0, volumes);
}

/** Mount options that put InnoDB's data at risk on NFS, and why (MySQL manual, "Using NFS with MySQL"). */
const UNSAFE_MOUNT_OPTIONS: Record<string, string> = {
    soft: "a soft mount returns an I/O error to the server after a timeout, in the middle of a write, which can corrupt InnoDB's files",
    nolock: "without NFS locks nothing keeps a second server off a data directory, and two servers on one data directory corrupt it",
};

/**
 * `volumeMountOptions`: the PersistentVolumes' `mountOptions`, handed to mount.nfs as given (Kubernetes does not
 * check them; a wrong one is a FailedMount when a pod starts). Refused here: what mount.nfs could not read as one
 * option (empty, blanks, commas), the same option twice, and the options that are unsafe for InnoDB.
 * @see https://dev.mysql.com/doc/refman/8.4/en/disk-issues.html#disk-issues-nfs
 */
export function checkMountOptions(problems: Problems, options: readonly string[] | undefined): readonly string[] | undefined {
    if (options === undefined) {
        return undefined;
    }
    const count = problems.list.length;
    for (const option of options) {
        if (option === "" || /[\s,]/.test(option) || CONTROL.test(option)) {
            problems.add(
                `\`volumeMountOptions\` has ${show(option)}: give one mount option per item, without blanks or commas, e.g. ["hard", "nfsvers=4.1"].`,
            );
        }
        const unsafe = UNSAFE_MOUNT_OPTIONS[option.toLowerCase()];
        if (unsafe !== undefined) {
            problems.add(`\`volumeMountOptions\` has ${show(option)}: ${unsafe}. Remove it (the default is "hard").`);
        }
    }
    const names = options.map((o) => o.split("=")[0]);
    const repeated = [...new Set(names.filter((n, i) => n !== "" && names.indexOf(n) !== i))];
    if (repeated.length > 0) {
        problems.add(`\`volumeMountOptions\` gives ${repeated.map(show).join(", ")} more than once: give each option once.`);
    }
    return problems.list.length === count ? options : undefined;
}
