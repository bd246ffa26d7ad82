// assertCanRun(): what this machine must offer before a FakeCluster can run pods for real.

import * as fs from "fs";
import { lookupUser } from "./util";

const BINARIES = [
    "ip",
    "nsenter",
    "unshare",
    "mount",
    "umount",
    "pivot_root",
    "setpriv",
    "hostname",
    "perl",
    "bash",
    "cp",
    // The MariaDB server and tools the mariadb image profiles resolve to.
    "mariadbd",
    "mariadb",
    "mariadb-admin",
    "mariadb-install-db",
    "my_print_defaults",
    "mariadb-backup",
    "mbstream",
    "mariadb-tzinfo-to-sql",
    "socat",
    // The write load's client (tests/real/writeLoad.ts), run in a pod's network namespace.
    "sysbench",
];

function onHostPath(name: string): boolean {
    return ["/usr/sbin", "/usr/bin", "/sbin", "/bin"].some((d) => {
        try {
            fs.accessSync(`${d}/${name}`, fs.constants.X_OK);
            return true;
        } catch {
            return false;
        }
    });
}

/** The list of problems (empty when the harness can run here). */
export function canRunProblems(): string[] {
    const problems: string[] = [];
    if (process.platform !== "linux") problems.push(`not Linux (platform ${process.platform})`);
    if (typeof process.getuid !== "function" || process.getuid() !== 0) {
        problems.push("not running as root (network/mount/pid namespaces, bind mounts and overlayfs need it)");
    }
    const missing = BINARIES.filter((b) => !onHostPath(b));
    if (missing.length) {
        problems.push(
            `missing binaries: ${missing.join(", ")} (apt-get install iproute2 util-linux mariadb-server mariadb-backup socat sysbench)`,
        );
    }
    if (!fs.existsSync("/proc/self/ns/net") || !fs.existsSync("/proc/self/ns/pid")) problems.push("kernel without network/PID namespaces");
    try {
        if (!/\boverlay\b/.test(fs.readFileSync("/proc/filesystems", "utf8")) && !fs.existsSync("/sys/module/overlay")) {
            problems.push("overlayfs not available (modprobe overlay)");
        }
    } catch {
        problems.push("cannot read /proc/filesystems");
    }
    for (const top of ["/bin", "/sbin", "/lib"]) {
        try {
            if (!fs.lstatSync(top).isSymbolicLink()) problems.push(`${top} is not a symlink (the harness needs a merged-/usr host)`);
        } catch {
            // absent is fine
        }
    }
    if (!lookupUser("mysql")) problems.push("no mysql user on this host (it comes with the mariadb-server package)");
    return problems;
}

/** Throws one clear message listing everything that is missing. */
export function assertCanRun(): void {
    const problems = canRunProblems();
    if (problems.length) {
        throw new Error(`the fake-kubelet harness cannot run here:\n  - ${problems.join("\n  - ")}`);
    }
}
