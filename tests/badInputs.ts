// The table of bad and unusual-but-valid inputs shared by tests/unit/badInput.test.ts: each bad input
// makes one mistake, belongs to one group of the issue that collected them, and has its exact message.
import * as pulumi from "@pulumi/pulumi";
import { MySqlClusterArgs, SETTINGS } from "../components";

/**
 * The groups, by what the input did before: a stack trace, a misleading message, accepted (and the
 * cluster broke), a type mistake through the library; "refused-before" were refused well already and are
 * kept so the table covers every setting; "new-setting": a setting added since, refused from the start.
 */
export type Group = "crash" | "misleading" | "accepted" | "library-type" | "refused-before" | "new-setting";

export interface BadInput {
    /** How the entry was made: one message for both paths, a message each, or one path only. */
    readonly kind: "both" | "typed" | "render" | "library";
    readonly group: Group;
    /** The setting at fault ("stack file" or "command line" for the file or flags themselves). */
    readonly setting: string;
    readonly what: string;
    /** Through the render: a stack file's `config:` entries (added to a valid base) or its whole text, and flags. */
    readonly render?: { config?: Record<string, unknown>; file?: string; argv?: string[]; message: string };
    /** Through the library: settings added to a valid base (undefined removes a base setting), or the whole args. */
    readonly library?: { args?: MySqlClusterArgs | Record<string, unknown>; whole?: unknown; message: string };
}

/** Settings every valid input needs, in the library's and the stack file's forms. */
export const BASE = { nfsServer: "10.0.0.5", nfsPathPattern: "/exports/mysql-{ordinal}" };

/** Every declared setting, in its order: what the render lists when a key is misspelt. */
const SETTING_NAMES = Object.keys(SETTINGS).join(", ");

const component = (message: string) => `Invalid MySqlCluster settings:\n  - ${message}`;

/** A mistake the component finds, with the same message through the render and the library. */
function both(group: Group, setting: string, value: unknown, message: string, extra: Record<string, unknown> = {}): BadInput {
    return {
        kind: "both",
        group,
        setting,
        what: `${setting} = ${describe(value)}`,
        render: { config: { ...extra, [setting]: value }, message: component(message) },
        library: { args: { ...extra, [setting]: value }, message },
    };
}

/** A value of the wrong type: the render names the declared type, the library the type. */
function typed(group: Group, setting: string, value: unknown, renderMessage: string, libraryMessage: string): BadInput {
    return {
        kind: "typed",
        group,
        setting,
        what: `${setting} = ${describe(value)}`,
        render: { config: { [setting]: value }, message: renderMessage },
        library: { args: { [setting]: value }, message: libraryMessage },
    };
}

/** A mistake only the render can make: in a stack file's text or on the command line. */
function render(
    group: Group,
    setting: string,
    what: string,
    input: { config?: Record<string, unknown>; file?: string; argv?: string[] },
    message: string,
): BadInput {
    return { kind: "render", group, setting, what, render: { ...input, message } };
}

/** A mistake only a program can make: a JavaScript value no stack file can hold. */
function library(
    group: Group,
    setting: string,
    what: string,
    args: Record<string, unknown> | { whole: unknown },
    message: string,
): BadInput {
    return { kind: "library", group, setting, what, library: "whole" in args ? { whole: args.whole, message } : { args, message } };
}

function describe(value: unknown): string {
    if (typeof value === "number" && !Number.isFinite(value)) {
        return String(value);
    }
    return JSON.stringify(value) ?? String(value);
}

const NO_PATTERN = { nfsPathPattern: undefined };
const long = (n: number, c = "a") => c.repeat(n);

export const BAD_INPUTS: readonly BadInput[] = [
    // name, namespace, clusterDomain, storageClassName: the API server's name rules and lengths.
    both(
        "accepted",
        "name",
        "1db",
        '`name` is "1db": use a DNS label of at most 52 characters (lower-case letters, digits and \'-\', starting with a letter and ending with a letter or digit; it names Services), e.g. "mysql".',
    ),
    both(
        "refused-before",
        "name",
        "-db",
        '`name` is "-db": use a DNS label of at most 52 characters (lower-case letters, digits and \'-\', starting with a letter and ending with a letter or digit; it names Services), e.g. "mysql".',
    ),
    both(
        "refused-before",
        "name",
        "db-",
        '`name` is "db-": use a DNS label of at most 52 characters (lower-case letters, digits and \'-\', starting with a letter and ending with a letter or digit; it names Services), e.g. "mysql".',
    ),
    both(
        "refused-before",
        "name",
        "Db",
        '`name` is "Db": use a DNS label of at most 52 characters (lower-case letters, digits and \'-\', starting with a letter and ending with a letter or digit; it names Services), e.g. "mysql".',
    ),
    both(
        "refused-before",
        "name",
        "my_db",
        '`name` is "my_db": use a DNS label of at most 52 characters (lower-case letters, digits and \'-\', starting with a letter and ending with a letter or digit; it names Services), e.g. "mysql".',
    ),
    both(
        "refused-before",
        "name",
        "db.prod",
        '`name` is "db.prod": use a DNS label of at most 52 characters (lower-case letters, digits and \'-\', starting with a letter and ending with a letter or digit; it names Services), e.g. "mysql".',
    ),
    both(
        "refused-before",
        "name",
        "",
        '`name` is "": use a DNS label of at most 52 characters (lower-case letters, digits and \'-\', starting with a letter and ending with a letter or digit; it names Services), e.g. "mysql".',
    ),
    both(
        "refused-before",
        "name",
        long(53),
        '`name` is "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa": use a DNS label of at most 52 characters (lower-case letters, digits and \'-\', starting with a letter and ending with a letter or digit; it names Services), e.g. "mysql".',
    ),
    both(
        "refused-before",
        "namespace",
        "Prod",
        '`namespace` is "Prod": use the name of an existing namespace, a DNS label of at most 63 characters, e.g. "default".',
    ),
    both(
        "refused-before",
        "namespace",
        "-ns",
        '`namespace` is "-ns": use the name of an existing namespace, a DNS label of at most 63 characters, e.g. "default".',
    ),
    both(
        "refused-before",
        "namespace",
        "team.prod",
        '`namespace` is "team.prod": use the name of an existing namespace, a DNS label of at most 63 characters, e.g. "default".',
    ),
    both(
        "refused-before",
        "namespace",
        long(64),
        '`namespace` is "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa": use the name of an existing namespace, a DNS label of at most 63 characters, e.g. "default".',
    ),
    both(
        "refused-before",
        "clusterDomain",
        "cluster..local",
        '`clusterDomain` is "cluster..local": use the cluster\'s DNS domain, e.g. "cluster.local".',
    ),
    both(
        "refused-before",
        "clusterDomain",
        ".cluster.local",
        '`clusterDomain` is ".cluster.local": use the cluster\'s DNS domain, e.g. "cluster.local".',
    ),
    both(
        "refused-before",
        "clusterDomain",
        "Cluster.Local",
        '`clusterDomain` is "Cluster.Local": use the cluster\'s DNS domain, e.g. "cluster.local".',
    ),
    both(
        "accepted",
        "clusterDomain",
        `${long(64)}.local`,
        '`clusterDomain` is "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.local": its label "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa" has 64 characters, more than the 63 a DNS label may have; use the cluster\'s DNS domain, e.g. "cluster.local".',
    ),
    both(
        "accepted",
        "clusterDomain",
        Array(6).fill(long(50)).join("."),
        '`clusterDomain` is 305 characters long, more than the 253 a DNS name may have: use the cluster\'s DNS domain, e.g. "cluster.local".',
    ),
    both(
        "refused-before",
        "storageClassName",
        "NFS_Class",
        '`storageClassName` is "NFS_Class": use a DNS subdomain of at most 253 characters such as "mysql-nfs", or "" for volumes and claims without a class.',
    ),
    both(
        "refused-before",
        "storageClassName",
        ".nfs",
        '`storageClassName` is ".nfs": use a DNS subdomain of at most 253 characters such as "mysql-nfs", or "" for volumes and claims without a class.',
    ),
    both(
        "refused-before",
        "storageClassName",
        "nfs.",
        '`storageClassName` is "nfs.": use a DNS subdomain of at most 253 characters such as "mysql-nfs", or "" for volumes and claims without a class.',
    ),
    both(
        "accepted",
        "storageClassName",
        long(254),
        '`storageClassName` is "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa": use a DNS subdomain of at most 253 characters such as "mysql-nfs", or "" for volumes and claims without a class.',
    ),
    // replicaApplyThreads and bootstrap
    both(
        "refused-before",
        "replicaApplyThreads",
        0,
        "`replicaApplyThreads` is 0: use a whole number from 1 to 64 (transactions a replica applies at once; 1 applies them one by one).",
    ),
    both(
        "refused-before",
        "replicaApplyThreads",
        65,
        "`replicaApplyThreads` is 65: use a whole number from 1 to 64 (transactions a replica applies at once; 1 applies them one by one).",
    ),
    both(
        "refused-before",
        "bootstrap",
        "Parallel",
        '`bootstrap` is "Parallel": use "ordered" or "parallel" (one pod after another as the tutorial does, or all at once with clones in rounds).',
    ),
    // replicas and flavor
    both("refused-before", "replicas", 0, "`replicas` is 0: use a whole number from 1 to 100 (1 primary plus replicas - 1 read replicas)."),
    both(
        "refused-before",
        "replicas",
        -1,
        "`replicas` is -1: use a whole number from 1 to 100 (1 primary plus replicas - 1 read replicas).",
    ),
    typed(
        "refused-before",
        "replicas",
        2.5,
        "`replicas` in Pulumi.bad.yaml is 2.5: the setting takes an integer; write an integer.",
        "`replicas` is 2.5: use a whole number from 1 to 100 (1 primary plus replicas - 1 read replicas).",
    ),
    both(
        "refused-before",
        "replicas",
        101,
        "`replicas` is 101: use a whole number from 1 to 100 (1 primary plus replicas - 1 read replicas).",
    ),
    typed(
        "misleading",
        "replicas",
        NaN,
        "`replicas` in Pulumi.bad.yaml is NaN: the setting takes an integer; write an integer.",
        "`replicas` is NaN: use a whole number from 1 to 100 (1 primary plus replicas - 1 read replicas).",
    ),
    typed(
        "misleading",
        "replicas",
        Infinity,
        "`replicas` in Pulumi.bad.yaml is Infinity: the setting takes an integer; write an integer.",
        "`replicas` is Infinity: use a whole number from 1 to 100 (1 primary plus replicas - 1 read replicas).",
    ),
    typed(
        "refused-before",
        "replicas",
        "three",
        '`replicas` in Pulumi.bad.yaml is "three": the setting takes an integer; write an integer.',
        '`replicas` is "three", a string: pass a number, e.g. 3.',
    ),
    both("refused-before", "flavor", "postgres", '`flavor` is "postgres": use one of "mysql57", "mysql84", "mariadb".'),
    both("refused-before", "flavor", "MySQL57", '`flavor` is "MySQL57": use one of "mysql57", "mysql84", "mariadb".'),
    both("refused-before", "flavor", "", '`flavor` is "": use one of "mysql57", "mysql84", "mariadb".'),
    // images (the reference grammar was done before; counted here so the table covers every setting)
    both(
        "refused-before",
        "image",
        "Mysql:5.7",
        '`image` is "Mysql:5.7": not an image reference; write [registry/]repository[:tag][@digest] with a lower-case repository and at most one tag, e.g. "mysql:5.7", or leave it unset for the flavor\'s default.',
    ),
    both(
        "refused-before",
        "image",
        "https://mysql:5.7",
        '`image` is "https://mysql:5.7": not an image reference; write [registry/]repository[:tag][@digest] with a lower-case repository and at most one tag, e.g. "mysql:5.7", or leave it unset for the flavor\'s default.',
    ),
    both(
        "refused-before",
        "image",
        "mysql:5.7:8",
        '`image` is "mysql:5.7:8": not an image reference; write [registry/]repository[:tag][@digest] with a lower-case repository and at most one tag, e.g. "mysql:5.7", or leave it unset for the flavor\'s default.',
    ),
    both(
        "refused-before",
        "image",
        "mysql@sha256:abc",
        '`image` is "mysql@sha256:abc": not an image reference; write [registry/]repository[:tag][@digest] with a lower-case repository and at most one tag, e.g. "mysql:5.7", or leave it unset for the flavor\'s default.',
    ),
    both(
        "refused-before",
        "image",
        "mysql:8.0",
        '`image` is "mysql:8.0", which is not a MySQL 5.7 server image, the kind `flavor` "mysql57" runs: use a MySQL 5.7 server image such as "mysql:5.7" (any registry, same repository name), leave `image` unset for the flavor\'s default, or set `flavor` to match the image.',
    ),
    both(
        "refused-before",
        "backupImage",
        "mariadb:11.4",
        '`backupImage` is "mariadb:11.4", which is not an XtraBackup 2.4 image, the kind `flavor` "mysql57" runs (it belongs to `flavor` "mariadb"): use an XtraBackup 2.4 image such as "gcr.io/google-samples/xtrabackup:1.0" (any registry, same repository name), leave `backupImage` unset for the flavor\'s default, or set `flavor` to match the image.',
    ),
    // nfsServer: IP addresses and host names
    both(
        "accepted",
        "nfsServer",
        "256.1.1.1",
        '`nfsServer` is "256.1.1.1": 256 is above 255, the largest number in an IPv4 address; use a host name or an IP address, e.g. "192.168.164.141".',
    ),
    both(
        "accepted",
        "nfsServer",
        "10.0.0",
        '`nfsServer` is "10.0.0": an IPv4 address has four numbers separated by dots; use a host name or an IP address, e.g. "192.168.164.141".',
    ),
    both(
        "refused-before",
        "nfsServer",
        "10.0.0.5.",
        '`nfsServer` is "10.0.0.5.": an IPv4 address has four numbers separated by dots; use a host name or an IP address, e.g. "192.168.164.141".',
    ),
    both(
        "accepted",
        "nfsServer",
        "10.0.0.010",
        '`nfsServer` is "10.0.0.010": 010 has a leading zero, which the mount tools read as octal; use a host name or an IP address, e.g. "192.168.164.141".',
    ),
    both(
        "accepted",
        "nfsServer",
        "nfs..example.com",
        '`nfsServer` is "nfs..example.com": use a host name or an IP address, e.g. "192.168.164.141" (a host name is dot-separated labels of letters, digits and \'-\', none empty, each at most 63 characters, 253 in all).',
    ),
    both(
        "refused-before",
        "nfsServer",
        ".nfs.example.com",
        '`nfsServer` is ".nfs.example.com": use a host name or an IP address, e.g. "192.168.164.141" (a host name is dot-separated labels of letters, digits and \'-\', none empty, each at most 63 characters, 253 in all).',
    ),
    both(
        "refused-before",
        "nfsServer",
        "-nfs.example.com",
        '`nfsServer` is "-nfs.example.com": use a host name or an IP address, e.g. "192.168.164.141" (a host name is dot-separated labels of letters, digits and \'-\', none empty, each at most 63 characters, 253 in all).',
    ),
    both(
        "refused-before",
        "nfsServer",
        "nfs_server",
        '`nfsServer` is "nfs_server": use a host name or an IP address, e.g. "192.168.164.141" (a host name is dot-separated labels of letters, digits and \'-\', none empty, each at most 63 characters, 253 in all).',
    ),
    both(
        "refused-before",
        "nfsServer",
        "nfs server",
        '`nfsServer` is "nfs server": use a host name or an IP address, e.g. "192.168.164.141" (a host name is dot-separated labels of letters, digits and \'-\', none empty, each at most 63 characters, 253 in all).',
    ),
    both(
        "accepted",
        "nfsServer",
        `${long(64)}.example.com`,
        '`nfsServer` is "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.example.com": use a host name or an IP address, e.g. "192.168.164.141" (a host name is dot-separated labels of letters, digits and \'-\', none empty, each at most 63 characters, 253 in all).',
    ),
    both(
        "accepted",
        "nfsServer",
        Array(5).fill(long(60)).join(".") + ".com",
        '`nfsServer` is "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.com": use a host name or an IP address, e.g. "192.168.164.141" (a host name is dot-separated labels of letters, digits and \'-\', none empty, each at most 63 characters, 253 in all).',
    ),
    both(
        "accepted",
        "nfsServer",
        "fe80::1::2",
        '`nfsServer` is "fe80::1::2": not an IPv6 address; use a host name or an IP address, e.g. "192.168.164.141".',
    ),
    both(
        "accepted",
        "nfsServer",
        "[fd00::1",
        '`nfsServer` is "[fd00::1": not an IPv6 address; use a host name or an IP address, e.g. "192.168.164.141".',
    ),
    both(
        "refused-before",
        "nfsServer",
        "",
        "`nfsServer` is not set: give the host name or IP address of the NFS server that exports the volumes.",
    ),
    // nfsServers: valid addresses, each once, each holding a volume; paths unique per server
    both(
        "new-setting",
        "nfsServers",
        [],
        '`nfsServers` is empty: list the NFS servers to spread the data volumes over, e.g. ["nfs-a.example", "nfs-b.example"], or remove it to keep every volume on `nfsServer`.',
    ),
    both(
        "new-setting",
        "nfsServers",
        ["nfs-a.example", "nfs_b"],
        '`nfsServers` has "nfs_b": use a host name or an IP address, e.g. "192.168.164.141" (a host name is dot-separated labels of letters, digits and \'-\', none empty, each at most 63 characters, 253 in all).',
    ),
    both(
        "new-setting",
        "nfsServers",
        ["10.0.0.7", "10.0.0.256"],
        '`nfsServers` has "10.0.0.256": 256 is above 255, the largest number in an IPv4 address; use a host name or an IP address, e.g. "192.168.164.141".',
    ),
    both(
        "new-setting",
        "nfsServers",
        ["nfs-a.example", ""],
        '`nfsServers` has "": an item is empty; use a host name or an IP address, e.g. "192.168.164.141".',
    ),
    both(
        "new-setting",
        "nfsServers",
        ["nfs-a.example", "NFS-A.example."],
        '`nfsServers` lists "NFS-A.example." more than once: list each server once (ordinal i\'s volume is on item i mod n).',
    ),
    both(
        "new-setting",
        "nfsServers",
        ["nfs-a", "nfs-b", "nfs-c", "nfs-d"],
        '`nfsServers` lists 4 servers for 3 volumes: "nfs-d" would hold none. Remove it, or make more volumes (more `nfsPaths`, or a higher `maxReplicas` with `nfsPathPattern`).',
        { ...NO_PATTERN, nfsPaths: ["/v1", "/v2", "/v3"] },
    ),
    both(
        "new-setting",
        "nfsPaths",
        ["/v1", "/v2", "/v1"],
        '`nfsPaths` lists "/v1" more than once on "nfs-a": each pod needs a path of its own, or two servers would share one data directory.',
        { ...NO_PATTERN, nfsServers: ["nfs-a", "nfs-b"] },
    ),
    both(
        "new-setting",
        "nfsPaths",
        ["/v", "/w", "/v/1"],
        '`nfsPaths` has "/v" and "/v/1", one inside the other on "nfs-a": each pod needs a directory of its own, not shared with or inside another pod\'s, or two servers would write into one data directory.',
        { ...NO_PATTERN, nfsServers: ["nfs-a", "nfs-b"] },
    ),
    both(
        "new-setting",
        "backupNfsPath",
        "/v1",
        '`backupNfsPath` and a data path: "/v1" and "/v1", the same directory once normalised: keep the backups in a directory of their own, outside every pod\'s data directory, e.g. "/data/backups/mysql".',
        { ...NO_PATTERN, nfsPaths: ["/v1", "/v2", "/v3"], nfsServers: ["10.0.0.5", "nfs-b"] },
    ),
    // nfsPaths and nfsPathPattern: absolute, exportable, one directory per pod
    both(
        "accepted",
        "nfsPaths",
        ["/data/v1/", "/data/v1", "/data/v3"],
        '`nfsPaths` has "/data/v1/" and "/data/v1", the same directory once normalised: each pod needs a directory of its own, not shared with or inside another pod\'s, or two servers would write into one data directory.',
        NO_PATTERN,
    ),
    both(
        "accepted",
        "nfsPaths",
        ["/data/x/../v1", "/data/v1", "/data/v3"],
        '`nfsPaths` has "/data/x/../v1" and "/data/v1", the same directory once normalised: each pod needs a directory of its own, not shared with or inside another pod\'s, or two servers would write into one data directory.',
        NO_PATTERN,
    ),
    both(
        "accepted",
        "nfsPaths",
        ["/data", "/data/v2", "/data/v3"],
        '`nfsPaths` has "/data" and "/data/v2", one inside the other; "/data" and "/data/v3", one inside the other: each pod needs a directory of its own, not shared with or inside another pod\'s, or two servers would write into one data directory.',
        NO_PATTERN,
    ),
    both(
        "accepted",
        "nfsPaths",
        ["/data/v1", "/data/v1/nested", "/data/v3"],
        '`nfsPaths` has "/data/v1" and "/data/v1/nested", one inside the other: each pod needs a directory of its own, not shared with or inside another pod\'s, or two servers would write into one data directory.',
        NO_PATTERN,
    ),
    both(
        "accepted",
        "nfsPaths",
        ["/", "/v2", "/v3"],
        '`nfsPaths` has "/": the root of the server cannot be one pod\'s data directory, e.g. "/data/volumes/v1".',
        NO_PATTERN,
    ),
    both(
        "accepted",
        "nfsPaths",
        ["/data/v1\n", "/data/v2", "/data/v3"],
        '`nfsPaths` has "/data/v1\\n": a path cannot hold a control character (a line break, a tab, …), e.g. "/data/volumes/v1".',
        NO_PATTERN,
    ),
    both(
        "accepted",
        "nfsPaths",
        ["/data/v1", "/data/\tv2", "/data/v3"],
        '`nfsPaths` has "/data/\\tv2": a path cannot hold a control character (a line break, a tab, …), e.g. "/data/volumes/v1".',
        NO_PATTERN,
    ),
    both(
        "refused-before",
        "nfsPaths",
        ["/v1", "v2", "/v3"],
        '`nfsPaths` has "v2": every path must be absolute, e.g. "/data/volumes/v1".',
        NO_PATTERN,
    ),
    both(
        "refused-before",
        "nfsPaths",
        ["/v1", "/v1", "/v3"],
        '`nfsPaths` lists "/v1" more than once: each pod needs a path of its own, or two servers would share one data directory.',
        NO_PATTERN,
    ),
    both(
        "refused-before",
        "nfsPaths",
        ["/v1", "/v2"],
        "`nfsPaths` has 2 path(s) for 3 replicas: add 1 more, or lower `replicas`.",
        NO_PATTERN,
    ),
    both("refused-before", "nfsPaths", ["/v1", "/v2", "/v3"], "Only one of `nfsPaths` or `nfsPathPattern` can be set: remove one."),
    both(
        "refused-before",
        "nfsPathPattern",
        undefined,
        'Neither `nfsPaths` nor `nfsPathPattern` is set: give one NFS path per pod, e.g. `nfsPathPattern: "/data/volumes/v{number}"`.',
    ),
    both(
        "refused-before",
        "nfsPathPattern",
        "/data/v1",
        '`nfsPathPattern` is "/data/v1": use an absolute path with {ordinal} (0, 1, …) or {number} (1, 2, …), e.g. "/data/volumes/v{number}".',
    ),
    both(
        "refused-before",
        "nfsPathPattern",
        "data/v{number}",
        '`nfsPathPattern` is "data/v{number}": use an absolute path with {ordinal} (0, 1, …) or {number} (1, 2, …), e.g. "/data/volumes/v{number}".',
    ),
    both(
        "refused-before",
        "nfsPathPattern",
        "/data/v{ordnal}",
        '`nfsPathPattern` is "/data/v{ordnal}": {ordnal} is not a placeholder (did you mean {ordinal}?); use an absolute path with {ordinal} (0, 1, …) or {number} (1, 2, …), e.g. "/data/volumes/v{number}".',
    ),
    both(
        "refused-before",
        "nfsPathPattern",
        "/data/v{Number}",
        '`nfsPathPattern` is "/data/v{Number}": {Number} is not a placeholder (did you mean {number}?); use an absolute path with {ordinal} (0, 1, …) or {number} (1, 2, …), e.g. "/data/volumes/v{number}".',
    ),
    both(
        "accepted",
        "nfsPathPattern",
        "/data/v{number}/..",
        '`nfsPathPattern` is "/data/v{number}/..", which gives "/data/v1/.." and "/data/v2/..", the same directory once normalised: put the placeholder in a directory name of its own, e.g. "/data/volumes/v{number}".',
    ),
    both(
        "accepted",
        "nfsPathPattern",
        "/{number}/..",
        '`nfsPathPattern` is "/{number}/..": the root of the server cannot be one pod\'s data directory; use an absolute path with {ordinal} (0, 1, …) or {number} (1, 2, …), e.g. "/data/volumes/v{number}".',
    ),
    both(
        "accepted",
        "nfsPathPattern",
        "/data/\u0007v{number}",
        '`nfsPathPattern` is "/data/\\u0007v{number}": a path cannot hold a control character (a line break, a tab, …); use an absolute path with {ordinal} (0, 1, …) or {number} (1, 2, …), e.g. "/data/volumes/v{number}".',
    ),
    // storage quantities and access modes
    both(
        "refused-before",
        "volumeCapacity",
        "20 GB",
        '`volumeCapacity` is "20 GB": use a Kubernetes quantity, e.g. "20Gi" (Kubernetes writes no "B": "20G" is 20 GB, "20Gi" is 20 GiB).',
    ),
    both(
        "refused-before",
        "volumeCapacity",
        "20GB",
        '`volumeCapacity` is "20GB": use a Kubernetes quantity, e.g. "20Gi" (Kubernetes writes no "B": "20G" is 20 GB, "20Gi" is 20 GiB).',
    ),
    both("refused-before", "volumeCapacity", "20gi", '`volumeCapacity` is "20gi": use a Kubernetes quantity, e.g. "20Gi".'),
    both("accepted", "volumeCapacity", "0", '`volumeCapacity` is "0": it must be more than zero bytes; use a size, e.g. "20Gi".'),
    both(
        "refused-before",
        "volumeCapacity",
        "-20Gi",
        '`volumeCapacity` is "-20Gi": it must be more than zero bytes; use a size, e.g. "20Gi".',
    ),
    both(
        "accepted",
        "volumeCapacity",
        "20000m",
        '`volumeCapacity` is "20000m": "m" means thousandths of a byte; write "20000Mi" or "20000M" for megabytes.',
    ),
    both(
        "accepted",
        "volumeCapacity",
        "0.5",
        '`volumeCapacity` is "0.5": that is 0.5 bytes, not a whole number of bytes; use a size, e.g. "20Gi".',
    ),
    both(
        "refused-before",
        "storageRequest",
        "30Gi",
        '`storageRequest` is "30Gi", more than `volumeCapacity` "20Gi": no volume could satisfy the claims; lower `storageRequest` or raise `volumeCapacity`.',
    ),
    both("accepted", "storageRequest", "0Gi", '`storageRequest` is "0Gi": it must be more than zero bytes; use a size, e.g. "10Gi".'),
    both("refused-before", "storageRequest", "10 Gi", '`storageRequest` is "10 Gi": use a Kubernetes quantity, e.g. "10Gi".'),
    both(
        "accepted",
        "storageRequest",
        "1e-3",
        '`storageRequest` is "1e-3": that is 0.001 bytes, not a whole number of bytes; use a size, e.g. "10Gi".',
    ),
    both(
        "refused-before",
        "volumeAccessModes",
        ["RWX"],
        '`volumeAccessModes` has "RWX": use only "ReadWriteOnce", "ReadOnlyMany", "ReadWriteMany", "ReadWriteOncePod".',
    ),
    both(
        "refused-before",
        "volumeAccessModes",
        ["ReadWriteMany"],
        '`volumeAccessModes` is ["ReadWriteMany"]: include "ReadWriteOnce", the mode each pod\'s claim requests, or the claims never bind.',
    ),
    both(
        "refused-before",
        "volumeAccessModes",
        ["readWriteOnce"],
        '`volumeAccessModes` has "readWriteOnce": use only "ReadWriteOnce", "ReadOnlyMany", "ReadWriteMany", "ReadWriteOncePod" (mind the case: "ReadWriteOnce").',
    ),
    both(
        "accepted",
        "volumeAccessModes",
        ["ReadWriteOnce", "ReadWriteOnce"],
        '`volumeAccessModes` lists "ReadWriteOnce" more than once: list each mode once.',
    ),
    both(
        "refused-before",
        "volumeAccessModes",
        ["ReadWriteOncePod"],
        '`volumeAccessModes` is ["ReadWriteOncePod"]: "ReadWriteOncePod" cannot be combined with another mode (the API server refuses it), and without "ReadWriteOnce" the claims never bind; remove "ReadWriteOncePod".',
    ),
    both(
        "accepted",
        "volumeAccessModes",
        ["ReadWriteOnce", "ReadWriteOncePod"],
        '`volumeAccessModes` is ["ReadWriteOnce","ReadWriteOncePod"]: "ReadWriteOncePod" cannot be combined with another mode (the API server refuses it), and without "ReadWriteOnce" the claims never bind; remove "ReadWriteOncePod".',
    ),
    both(
        "refused-before",
        "volumeAccessModes",
        [],
        '`volumeAccessModes` is []: include "ReadWriteOnce", the mode each pod\'s claim requests, or the claims never bind.',
    ),
    // NFS mount options: the unsafe ones for InnoDB, and what mount.nfs could not read as one option
    both(
        "accepted",
        "volumeMountOptions",
        ["soft", "nfsvers=4.1"],
        '`volumeMountOptions` has "soft": a soft mount returns an I/O error to the server after a timeout, in the middle of a write, which can corrupt InnoDB\'s files. Remove it (the default is "hard").',
    ),
    both(
        "accepted",
        "volumeMountOptions",
        ["hard", "nolock"],
        '`volumeMountOptions` has "nolock": without NFS locks nothing keeps a second server off a data directory, and two servers on one data directory corrupt it. Remove it (the default is "hard").',
    ),
    both(
        "accepted",
        "volumeMountOptions",
        ["hard,nfsvers=4.1"],
        '`volumeMountOptions` has "hard,nfsvers=4.1": give one mount option per item, without blanks or commas, e.g. ["hard", "nfsvers=4.1"].',
    ),
    both(
        "accepted",
        "volumeMountOptions",
        ["hard", "nfsvers=4.1", "nfsvers=4.2"],
        '`volumeMountOptions` gives "nfsvers" more than once: give each option once.',
    ),
    // CPU and memory requests: the grammar, above zero, the unit family of what they measure
    both("refused-before", "cpuRequest", "half", '`cpuRequest` is "half": use a Kubernetes quantity, e.g. "500m".'),
    both("accepted", "cpuRequest", "0", '`cpuRequest` is "0": a request must be more than zero; use a CPU amount, e.g. "500m".'),
    both(
        "refused-before",
        "cpuRequest",
        "-500m",
        '`cpuRequest` is "-500m": a request must be more than zero; use a CPU amount, e.g. "500m".',
    ),
    both(
        "accepted",
        "cpuRequest",
        "1Gi",
        '`cpuRequest` is "1Gi": "Gi" is a unit of bytes: write CPUs as cores ("0.5", "2") or millicores ("500m"), e.g. "500m".',
    ),
    both(
        "accepted",
        "cpuRequest",
        "500Mi",
        '`cpuRequest` is "500Mi": "Mi" is a unit of bytes: write CPUs as cores ("0.5", "2") or millicores ("500m"), e.g. "500m".',
    ),
    both(
        "accepted",
        "cpuRequest",
        "1k",
        '`cpuRequest` is "1k": "k" is not a CPU unit: write CPUs as cores ("0.5", "2") or millicores ("500m"), e.g. "500m".',
    ),
    both(
        "refused-before",
        "cpuRequest",
        "100u",
        '`cpuRequest` is "100u": "u" is not a CPU unit: write CPUs as cores ("0.5", "2") or millicores ("500m"), e.g. "500m".',
    ),
    both(
        "accepted",
        "cpuRequest",
        "0.0001",
        '`cpuRequest` is "0.0001": Kubernetes counts CPU in whole millicores, and this is less than "1m"; use at least "1m", e.g. "500m".',
    ),
    both("refused-before", "cpuRequest", "500 m", '`cpuRequest` is "500 m": use a Kubernetes quantity, e.g. "500m".'),
    both(
        "accepted",
        "memoryRequest",
        "500m",
        '`memoryRequest` is "500m": "m" means thousandths of a byte; write "500Mi" or "500M" for megabytes.',
    ),
    both("refused-before", "memoryRequest", "1 Gi", '`memoryRequest` is "1 Gi": use a Kubernetes quantity, e.g. "500Mi".'),
    both("accepted", "memoryRequest", "0", '`memoryRequest` is "0": it must be more than zero bytes; use a size, e.g. "500Mi".'),
    both(
        "refused-before",
        "memoryRequest",
        "512MB",
        '`memoryRequest` is "512MB": use a Kubernetes quantity, e.g. "500Mi" (Kubernetes writes no "B": "512M" is 512 MB, "512Mi" is 512 MiB).',
    ),
    both(
        "accepted",
        "memoryRequest",
        "0.5",
        '`memoryRequest` is "0.5": that is 0.5 bytes, not a whole number of bytes; use a size, e.g. "500Mi".',
    ),
    both(
        "refused-before",
        "memoryRequest",
        "100u",
        '`memoryRequest` is "100u": "u" means millionths of a byte; write "100Mi" or "100M" for megabytes.',
    ),
    both("refused-before", "backupCpuRequest", "-", '`backupCpuRequest` is "-": use a Kubernetes quantity, e.g. "100m".'),
    both(
        "accepted",
        "backupCpuRequest",
        "0m",
        '`backupCpuRequest` is "0m": a request must be more than zero; use a CPU amount, e.g. "100m".',
    ),
    both(
        "accepted",
        "backupCpuRequest",
        "1Ki",
        '`backupCpuRequest` is "1Ki": "Ki" is a unit of bytes: write CPUs as cores ("0.5", "2") or millicores ("500m"), e.g. "100m".',
    ),
    both("refused-before", "backupMemoryRequest", "lots", '`backupMemoryRequest` is "lots": use a Kubernetes quantity, e.g. "100Mi".'),
    both(
        "refused-before",
        "backupMemoryRequest",
        "100n",
        '`backupMemoryRequest` is "100n": "n" means billionths of a byte; write "100Mi" or "100M" for megabytes.',
    ),
    both(
        "refused-before",
        "backupMemoryRequest",
        "-100Mi",
        '`backupMemoryRequest` is "-100Mi": it must be more than zero bytes; use a size, e.g. "100Mi".',
    ),
    // mysqldOptions: option-file syntax, and the options the component owns however they are spelt
    both(
        "refused-before",
        "mysqldOptions",
        ["[mysqld]"],
        '`mysqldOptions` has "[mysqld]": write one `option` or `option=value` per item, e.g. "max_connections=500".',
    ),
    both(
        "refused-before",
        "mysqldOptions",
        ["!include /etc/mysql/other.cnf"],
        '`mysqldOptions` has "!include /etc/mysql/other.cnf": write one `option` or `option=value` per item, e.g. "max_connections=500".',
    ),
    both(
        "refused-before",
        "mysqldOptions",
        ["max_connections=5\n[client]"],
        '`mysqldOptions` has "max_connections=5\\n[client]": write one `option` or `option=value` per item, e.g. "max_connections=500".',
    ),
    both(
        "refused-before",
        "mysqldOptions",
        [""],
        '`mysqldOptions` has "": write one `option` or `option=value` per item, e.g. "max_connections=500".',
    ),
    both(
        "refused-before",
        "mysqldOptions",
        ["# a comment"],
        '`mysqldOptions` has "# a comment": write one `option` or `option=value` per item, e.g. "max_connections=500".',
    ),
    both(
        "refused-before",
        "mysqldOptions",
        ["server_id=7"],
        '`mysqldOptions` has "server_id=7": `server_id` is set per pod by the component (primary or replica); remove it.',
    ),
    both(
        "refused-before",
        "mysqldOptions",
        ["log-bin=other-bin"],
        '`mysqldOptions` has "log-bin=other-bin": `log-bin` is set per pod by the component (primary or replica); remove it.',
    ),
    both(
        "accepted",
        "mysqldOptions",
        ["skip-log-bin"],
        '`mysqldOptions` has "skip-log-bin": `skip-log-bin` sets `log-bin`, which is set per pod by the component (primary or replica); remove it.',
    ),
    both(
        "accepted",
        "mysqldOptions",
        ["disable_log_bin"],
        '`mysqldOptions` has "disable_log_bin": `disable_log_bin` sets `log-bin`, which is set per pod by the component (primary or replica); remove it.',
    ),
    both(
        "accepted",
        "mysqldOptions",
        ["loose-server-id=3"],
        '`mysqldOptions` has "loose-server-id=3": `loose-server-id` sets `server-id`, which is set per pod by the component (primary or replica); remove it.',
    ),
    both(
        "accepted",
        "mysqldOptions",
        ["loose_skip_log_bin"],
        '`mysqldOptions` has "loose_skip_log_bin": `loose_skip_log_bin` sets `log-bin`, which is set per pod by the component (primary or replica); remove it.',
    ),
    both(
        "refused-before",
        "mysqldOptions",
        ["read_only=0"],
        '`mysqldOptions` has "read_only=0": `read_only` is set per pod by the component (primary or replica); remove it.',
    ),
    both(
        "accepted",
        "mysqldOptions",
        ["skip-super-read-only"],
        '`mysqldOptions` has "skip-super-read-only": `skip-super-read-only` sets `super-read-only`, which is set per pod by the component (primary or replica); remove it.',
    ),
    both(
        "accepted",
        "mysqldOptions",
        ["enable-read-only"],
        '`mysqldOptions` has "enable-read-only": `enable-read-only` sets `read-only`, which is set per pod by the component (primary or replica); remove it.',
    ),
    both(
        "accepted",
        "mysqldOptions",
        ["maximum-server-id=5"],
        '`mysqldOptions` has "maximum-server-id=5": `maximum-server-id` sets `server-id`, which is set per pod by the component (primary or replica); remove it.',
    ),
    both(
        "accepted",
        "mysqldOptions",
        ["port=3307"],
        '`mysqldOptions` has "port=3307": `port` is the port the Services, probes and pod scripts use (3306); remove it.',
    ),
    both(
        "accepted",
        "mysqldOptions",
        ["datadir=/tmp/mysql"],
        '`mysqldOptions` has "datadir=/tmp/mysql": `datadir` is the pod\'s volume, where the clone and backup steps read and write; remove it.',
    ),
    both(
        "accepted",
        "mysqldOptions",
        ["skip-networking"],
        '`mysqldOptions` has "skip-networking": `skip-networking` sets `networking`, which must stay on: replicas, the backup sidecar and clients connect over TCP; remove it.',
    ),
    both(
        "accepted",
        "mysqldOptions",
        ["skip_networking=ON"],
        '`mysqldOptions` has "skip_networking=ON": `skip_networking` sets `networking`, which must stay on: replicas, the backup sidecar and clients connect over TCP; remove it.',
    ),
    both(
        "accepted",
        "mysqldOptions",
        ["bind-address=127.0.0.1"],
        '`mysqldOptions` has "bind-address=127.0.0.1": the replicas, the backup sidecar and the Services reach the server at the pod\'s address, so it must listen on all of them; use "bind-address=0.0.0.0" (or "::", "*"), or remove it.',
    ),
    both(
        "accepted",
        "mysqldOptions",
        ["bind_address"],
        '`mysqldOptions` has "bind_address": the replicas, the backup sidecar and the Services reach the server at the pod\'s address, so it must listen on all of them; use "bind-address=0.0.0.0" (or "::", "*"), or remove it.',
    ),
    both(
        "accepted",
        "mysqldOptions",
        ["gtid-mode=OFF"],
        '`mysqldOptions` has "gtid-mode=OFF": `gtid-mode` is chosen by the flavor, and the pod scripts find a replica\'s position by it; remove it.',
    ),
    both(
        "accepted",
        "mysqldOptions",
        ["enforce_gtid_consistency=OFF"],
        '`mysqldOptions` has "enforce_gtid_consistency=OFF": `enforce_gtid_consistency` is chosen by the flavor, and the pod scripts find a replica\'s position by it; remove it.',
    ),
    both(
        "accepted",
        "mysqldOptions",
        ["skip-grant-tables"],
        '`mysqldOptions` has "skip-grant-tables": `skip-grant-tables` sets `grant-tables`, which must stay on: without them anyone connects without a password (and MySQL 8 turns networking off); remove it.',
    ),
    // rootPassword
    render(
        "refused-before",
        "rootPassword",
        "an empty --secret",
        { argv: ["--secret", "rootPassword="] },
        "Invalid MySqlCluster settings:\n  - `rootPassword` is empty: set a non-empty secret, or unset it to have one generated.",
    ),
    render(
        "refused-before",
        "rootPassword",
        "a --secret with a line break",
        { argv: ["--secret", "rootPassword=a\nb"] },
        "Invalid MySqlCluster settings:\n  - `rootPassword` contains a line break, which no MySQL client can read from an option file: choose another.",
    ),
    library(
        "refused-before",
        "rootPassword",
        "empty",
        { rootPassword: "" },
        "`rootPassword` is empty: set a non-empty secret, or unset it to have one generated.",
    ),
    library(
        "library-type",
        "rootPassword",
        "a number",
        { rootPassword: 1234 },
        "`rootPassword` is 1234, a number: pass a string (or an Output of one), or leave it unset to have one generated.",
    ),
    // Stack files: YAML, shape, keys, types, encrypted values
    render(
        "crash",
        "stack file",
        "not valid YAML",
        { file: "config:\n  mysql-statefulset:nfsServer: [10.0.0.5\n" },
        "Pulumi.bad.yaml line 3 is not valid YAML (unexpected end of the stream within a flow collection): fix the file, e.g. quote values that hold ': ' or '#', and give each key once.",
    ),
    render(
        "crash",
        "stack file",
        "a duplicate key",
        { file: "config:\n  mysql-statefulset:nfsServer: a\n  mysql-statefulset:nfsServer: b\n" },
        "Pulumi.bad.yaml line 3 gives the key `mysql-statefulset:nfsServer` a second time (duplicated mapping key): keep one of its lines, the value you mean; a stack file takes each key once.",
    ),
    render(
        "misleading",
        "nfsServer",
        "missing from the stack file",
        { file: "config:\n  mysql-statefulset:nfsPathPattern: /d/{number}\n" },
        "`nfsServer` is not set in Pulumi.bad.yaml, and Pulumi.yaml declares it required (the engine refuses the stack too): set it with `pulumi config set nfsServer VALUE` (docs/configuration.md says what it takes).",
    ),
    render(
        "misleading",
        "stack file",
        "a duplicate key, quoted the second time, in a flow mapping",
        { file: 'config: {mysql-statefulset:nfsServer: a, "mysql-statefulset:nfsServer": b}\n' },
        "Pulumi.bad.yaml line 1 gives the key `mysql-statefulset:nfsServer` a second time (duplicated mapping key): keep one of its lines, the value you mean; a stack file takes each key once.",
    ),
    render(
        "crash",
        "stack file",
        "a tab for indentation",
        { file: "config:\n\tmysql-statefulset:nfsServer: a\n" },
        "Pulumi.bad.yaml line 2 is not valid YAML (tab characters must not be used in indentation): fix the file, e.g. quote values that hold ': ' or '#', and give each key once.",
    ),
    render(
        "crash",
        "command line",
        "--config-file a directory",
        { argv: ["--config-file", "DIR"] },
        "--config-file DIR is a directory: give a stack file (Pulumi.NAME.yaml).",
    ),
    render(
        "crash",
        "replicas",
        "secure: for an integer",
        { file: "config:\n  mysql-statefulset:replicas:\n    secure: AAABAMk=\n" },
        "`replicas` in Pulumi.bad.yaml is encrypted (secure:), but it is not a secret, and the render cannot check a value it cannot read: set it in plain text with `pulumi config set replicas VALUE`.",
    ),
    render(
        "crash",
        "nfsPaths",
        "secure: for a list",
        { file: "config:\n  mysql-statefulset:nfsPaths:\n    secure: AAABAMk=\n" },
        "`nfsPaths` in Pulumi.bad.yaml is encrypted (secure:), but it is not a secret, and the render cannot check a value it cannot read: set it in plain text with `pulumi config set nfsPaths VALUE`.",
    ),
    render(
        "misleading",
        "nfsServer",
        "secure: for a string",
        { file: "config:\n  mysql-statefulset:nfsServer:\n    secure: AAABAMk=\n" },
        "`nfsServer` in Pulumi.bad.yaml is encrypted (secure:), but it is not a secret, and the render cannot check a value it cannot read: set it in plain text with `pulumi config set nfsServer VALUE`.",
    ),
    render(
        "misleading",
        "rootPassword",
        "secure: that is not a ciphertext",
        { config: { rootPassword: { secure: 5 } } },
        '`rootPassword` in Pulumi.bad.yaml is {"secure":5}: not an encrypted value; set it again with `pulumi config set --secret rootPassword VALUE`.',
    ),
    render(
        "misleading",
        "stack file",
        "config: a list",
        { file: "config:\n  - mysql-statefulset:nfsServer: a\n" },
        "`config` in Pulumi.bad.yaml is a list: write a mapping of settings, one `key: value` per line, e.g. `mysql-statefulset:nfsServer: 10.0.0.5`.",
    ),
    render(
        "misleading",
        "stack file",
        "config: a scalar",
        { file: "config: mysql-statefulset:nfsServer=a\n" },
        "`config` in Pulumi.bad.yaml is a string: write a mapping of settings, one `key: value` per line, e.g. `mysql-statefulset:nfsServer: 10.0.0.5`.",
    ),
    render(
        "misleading",
        "stack file",
        "configs: misspelt",
        { file: "configs:\n  mysql-statefulset:nfsServer: a\n" },
        "`configs` in Pulumi.bad.yaml is not a key of a stack file: did you mean `config`? The keys are `config`, `secretsprovider`, `encryptedkey`, `encryptionsalt`, `environment`; settings go under `config:`.",
    ),
    render(
        "misleading",
        "stack file",
        "a list at the top",
        { file: "- config\n" },
        "Pulumi.bad.yaml is a list, not a stack file: write a mapping with `config:`, as `pulumi config set` does.",
    ),
    render(
        "misleading",
        "nfsServer",
        "a key without a value",
        { file: "config:\n  mysql-statefulset:nfsServer:\n" },
        "`nfsServer` in Pulumi.bad.yaml has no value: write one after the colon, or remove the line for the default.",
    ),
    render(
        "misleading",
        "replicas",
        "a misspelt setting",
        { config: { replcas: 3 } },
        `\`replcas\` in Pulumi.bad.yaml is not a setting of this program: did you mean \`replicas\`? The settings are ${SETTING_NAMES}.`,
    ),
    typed(
        "misleading",
        "nfsServer",
        10,
        '`nfsServer` in Pulumi.bad.yaml is 10: the setting takes a string; write it in quotes: "10".',
        '`nfsServer` is 10, a number: pass a string, e.g. "192.168.164.141".',
    ),
    typed(
        "misleading",
        "cpuRequest",
        0.5,
        '`cpuRequest` in Pulumi.bad.yaml is 0.5: the setting takes a string; write it in quotes: "0.5".',
        '`cpuRequest` is 0.5, a number: pass a string, e.g. "500m".',
    ),
    typed(
        "misleading",
        "name",
        true,
        '`name` in Pulumi.bad.yaml is true: the setting takes a string; write it in quotes: "true".',
        '`name` is true, a boolean: pass a string, e.g. "mysql".',
    ),
    typed(
        "library-type",
        "nfsPaths",
        "/data/v1",
        '`nfsPaths` in Pulumi.bad.yaml is "/data/v1": the setting takes a list of strings; write a list of strings.',
        '`nfsPaths` is "/data/v1", a string: pass a list of strings, e.g. ["/data/volumes/v1","/data/volumes/v2"].',
    ),
    typed(
        "library-type",
        "volumeAccessModes",
        "ReadWriteOnce",
        '`volumeAccessModes` in Pulumi.bad.yaml is "ReadWriteOnce": the setting takes a list of strings; write a list of strings.',
        '`volumeAccessModes` is "ReadWriteOnce", a string: pass a list of strings, e.g. ["ReadWriteOnce"].',
    ),
    typed(
        "library-type",
        "mysqldOptions",
        ["max_connections=5", 5],
        '`mysqldOptions` in Pulumi.bad.yaml is ["max_connections=5",5]: the setting takes a list of strings; write a list of strings.',
        '`mysqldOptions` has 5 (a number) at position 1: every item must be a string, e.g. ["max_connections=500"].',
    ),
    typed(
        "library-type",
        "storageClassName",
        { name: "nfs" },
        '`storageClassName` in Pulumi.bad.yaml is {"name":"nfs"}: the setting takes a string; write one string.',
        '`storageClassName` is {"name":"nfs"}, an object: pass a string, e.g. "mysql-nfs".',
    ),
    render(
        "refused-before",
        "nfsPaths",
        "--config with a path, not JSON",
        { argv: ["--config", "nfsPaths=/data/v1"] },
        '`nfsPaths` in --config is "/data/v1": the setting takes a list of strings; write a list of strings as JSON, e.g. \'["a","b"]\'.',
    ),
    render(
        "refused-before",
        "command line",
        "--config without =",
        { argv: ["--config", "replicas"] },
        '--config "replicas": write it as key=value.',
    ),
    // The library called from JavaScript or YAML programs
    library(
        "library-type",
        "args",
        "no settings at all",
        { whole: undefined },
        'MySqlCluster\'s settings are undefined: pass an object with at least `nfsServer` and `nfsPaths` or `nfsPathPattern`, e.g. { nfsServer: "10.0.0.5", nfsPathPattern: "/exports/mysql-{ordinal}" }.',
    ),
    library(
        "library-type",
        "args",
        "null",
        { whole: null },
        'MySqlCluster\'s settings are null: pass an object with at least `nfsServer` and `nfsPaths` or `nfsPathPattern`, e.g. { nfsServer: "10.0.0.5", nfsPathPattern: "/exports/mysql-{ordinal}" }.',
    ),
    library(
        "library-type",
        "args",
        "a string",
        { whole: "mysql" },
        'MySqlCluster\'s settings are "mysql": pass an object with at least `nfsServer` and `nfsPaths` or `nfsPathPattern`, e.g. { nfsServer: "10.0.0.5", nfsPathPattern: "/exports/mysql-{ordinal}" }.',
    ),
    library("library-type", "replicas", "a BigInt", { replicas: BigInt(3) }, "`replicas` is 3n, a BigInt: pass a number, e.g. 3."),
    library(
        "library-type",
        "replicas",
        "an Output",
        { replicas: pulumi.output(3) },
        "`replicas` is an Output: it must be a plain value, known before anything is created (only the passwords may be Outputs); pass a number, e.g. 3.",
    ),
    library(
        "library-type",
        "replicas",
        "a Promise",
        { replicas: Promise.resolve(3) },
        "`replicas` is a Promise: it must be a plain value, known before anything is created (only the passwords may be Outputs); pass a number, e.g. 3.",
    ),
    library(
        "library-type",
        "nfsServer",
        "an Output",
        { nfsServer: pulumi.output("10.0.0.5") },
        '`nfsServer` is an Output: it must be a plain value, known before anything is created (only the passwords may be Outputs); pass a string, e.g. "192.168.164.141".',
    ),
    library(
        "library-type",
        "image",
        "an Output",
        { image: pulumi.output("mysql:5.7") },
        '`image` is an Output: it must be a plain value, known before anything is created (only the passwords may be Outputs); pass a string, e.g. "mysql:5.7".',
    ),
    library(
        "library-type",
        "nfsPaths",
        "a list holding undefined",
        { ...NO_PATTERN, nfsPaths: ["/v1", undefined, "/v3"] },
        '`nfsPaths` has undefined at position 1: every item must be a string, e.g. ["/data/volumes/v1","/data/volumes/v2"].',
    ),
    library(
        "library-type",
        "nfsPaths",
        "a list of numbers",
        { ...NO_PATTERN, nfsPaths: [1, 2, 3] },
        '`nfsPaths` has 1 (a number) at position 0, 2 (a number) at position 1, 3 (a number) at position 2: every item must be a string, e.g. ["/data/volumes/v1","/data/volumes/v2"].',
    ),
    library(
        "library-type",
        "namespace",
        "null",
        { namespace: null },
        '`namespace` is null: pass a string, e.g. "default", or leave it unset.',
    ),
    library("library-type", "flavor", "a number", { flavor: 57 }, '`flavor` is 57, a number: pass a string, e.g. "mysql57".'),

    // Keys that are not settings (from JavaScript, where no type stops them): ignored before, defaults in force.
    library(
        "accepted",
        "replica",
        "a misspelt setting from JavaScript",
        { replica: 5 },
        `\`replica\` is not a setting of MySqlCluster (did you mean \`replicas\`?): remove it, or use one of the settings, ${SETTING_NAMES}.`,
    ),
    library(
        "accepted",
        "storage",
        "a key no setting is near",
        { storage: "50Gi" },
        `\`storage\` is not a setting of MySqlCluster (did you mean \`storageRequest\`?): remove it, or use one of the settings, ${SETTING_NAMES}.`,
    ),
    library(
        "accepted",
        "hostNetwork",
        "an unknown key with no near setting",
        { hostNetwork: true },
        `\`hostNetwork\` is not a setting of MySqlCluster: remove it, or use one of the settings, ${SETTING_NAMES}.`,
    ),

    // Settings that act only through another one, set while that one is off.
    both(
        "accepted",
        "clientPodLabels",
        ["app=web"],
        '`clientPodLabels` is ["app=web"] but `networkPolicy` is false: the client selectors act only through the NetworkPolicy, so without it every pod could connect; set `networkPolicy` to true, or remove `clientPodLabels`.',
        { networkPolicy: false },
    ),
    both(
        "accepted",
        "clientNamespaceLabels",
        ["kubernetes.io/metadata.name=shop"],
        '`clientNamespaceLabels` is ["kubernetes.io/metadata.name=shop"] but `networkPolicy` is false: the client selectors act only through the NetworkPolicy, so without it every pod could connect; set `networkPolicy` to true, or remove `clientNamespaceLabels`.',
        { networkPolicy: false },
    ),
    both(
        "accepted",
        "maxReplicas",
        7,
        "`maxReplicas` is 7 but the volumes come from `nfsPaths` (one per path), so it changes nothing: remove `maxReplicas` and list a path for every ordinal you will run, or use `nfsPathPattern`, whose volumes `maxReplicas` counts.",
        { ...NO_PATTERN, nfsPaths: ["/data/v1", "/data/v2", "/data/v3"] },
    ),
    both(
        "accepted",
        "backupRetention",
        3,
        '`backupRetention` is 3 but `backupSchedule` is unset: retention prunes the backups the schedule takes, so without one it does nothing; set `backupSchedule` (e.g. "0 3 * * *") and `backupNfsPath`, or remove `backupRetention`.',
    ),
    both(
        "accepted",
        "backupVolumeCapacity",
        "200Gi",
        '`backupVolumeCapacity` is "200Gi" but `backupNfsPath` is unset: there is no backup volume to size; set `backupNfsPath` (e.g. "/data/backups/mysql"), or remove `backupVolumeCapacity`.',
    ),

    // An image without a tag (or `latest`) floats to whatever `latest` is.
    both(
        "accepted",
        "image",
        "mysql",
        '`image` is "mysql": without a tag it floats to `latest`, which need not be the series `flavor` "mysql57" runs and changes under a running cluster; give the series\' tag, e.g. "mysql:5.7", or pin a digest (@sha256:…).',
    ),
    both(
        "accepted",
        "image",
        "registry.example.com/mirror/mariadb:latest",
        '`image` is "registry.example.com/mirror/mariadb:latest": it floats to `latest`, which need not be the series `flavor` "mariadb" runs and changes under a running cluster; give the series\' tag, e.g. "mariadb:11.4", or pin a digest (@sha256:…).',
        { flavor: "mariadb" },
    ),
    both(
        "accepted",
        "backupImage",
        "percona/percona-xtrabackup",
        '`backupImage` is "percona/percona-xtrabackup": without a tag it floats to `latest`, which need not be the series `flavor` "mysql84" runs and changes under a running cluster; give the series\' tag, e.g. "percona/percona-xtrabackup:8.4", or pin a digest (@sha256:…).',
        { flavor: "mysql84" },
    ),
];

/** Unusual settings that are valid, and must stay so: through the render and the library alike. */
export const VALID_INPUTS: ReadonlyArray<{ readonly setting: string; readonly value: unknown; readonly extra?: Record<string, unknown> }> =
    [
        { setting: "name", value: "a" },
        { setting: "name", value: `d${long(50)}1` },
        { setting: "namespace", value: "1-team" },
        { setting: "clusterDomain", value: "k8s.example.internal" },
        { setting: "replicas", value: 1 },
        { setting: "replicas", value: 100, extra: {} },
        { setting: "replicaApplyThreads", value: 1 },
        { setting: "replicaApplyThreads", value: 64 },
        { setting: "bootstrap", value: "parallel" },
        { setting: "nfsServer", value: "fd00::5" },
        { setting: "nfsServer", value: "[fd00::5]" },
        { setting: "nfsServer", value: "NFS-1.Example.COM" },
        { setting: "nfsServer", value: "nfs.example.com." },
        { setting: "nfsServer", value: "0nfs" },
        { setting: "nfsPaths", value: ["/data/v1/", "/data/v2", "/data/./v3"], extra: NO_PATTERN },
        { setting: "nfsPaths", value: ["/data/v1", "/data/v10", "/data/v100"], extra: NO_PATTERN },
        { setting: "nfsPaths", value: ["/exports/my data/v1", "/exports/my data/v2", "/exports/my data/v3"], extra: NO_PATTERN },
        { setting: "nfsPathPattern", value: "/exports/{number}/mysql-{ordinal}" },
        // The same path on two servers is two directories; the backups beside a data path of another server.
        { setting: "nfsServers", value: ["nfs-a.example", "nfs-b.example"], extra: { ...NO_PATTERN, nfsPaths: ["/v1", "/v1", "/v2"] } },
        { setting: "nfsServers", value: ["fd00::7", "[fd00::8]", "10.0.0.9"] },
        {
            setting: "backupNfsPath",
            value: "/v2",
            extra: { ...NO_PATTERN, nfsPaths: ["/v1", "/v2", "/v3"], nfsServers: ["10.0.0.5", "nfs-b"] },
        },
        { setting: "cpuRequest", value: "+2" },
        { setting: "cpuRequest", value: "0.25" },
        { setting: "cpuRequest", value: "1e-3" },
        { setting: "cpuRequest", value: "2." },
        { setting: "memoryRequest", value: "1e9" },
        { setting: "memoryRequest", value: "1.5Gi" },
        { setting: "backupMemoryRequest", value: "128974848" },
        { setting: "storageRequest", value: "20Gi" },
        { setting: "storageClassName", value: "" },
        { setting: "storageClassName", value: "nfs.example.com" },
        { setting: "volumeAccessModes", value: ["ReadOnlyMany", "ReadWriteOnce", "ReadWriteMany"] },
        { setting: "mysqldOptions", value: ["max_connections = 500", "  character-set-server = utf8mb4  "] },
        { setting: "mysqldOptions", value: ["skip-name-resolve", "loose-innodb_buffer_pool_size=1G", "log-bin-trust-function-creators=1"] },
        { setting: "mysqldOptions", value: ["bind-address=0.0.0.0", "socket=/tmp/mysql.sock", "skip_slave_start"] },
        { setting: "image", value: "registry.example.com:5000/mirror/mysql:5.7.44" },
        { setting: "image", value: `mysql@sha256:${"0123456789abcdef".repeat(4)}` },
        { setting: "image", value: `mysql:latest@sha256:${"0123456789abcdef".repeat(4)}` },
        { setting: "networkPolicy", value: false },
        { setting: "backupRetention", value: 3, extra: { backupSchedule: "0 3 * * *", backupNfsPath: "/exports/backups" } },
        { setting: "maxReplicas", value: 7 },
    ];
