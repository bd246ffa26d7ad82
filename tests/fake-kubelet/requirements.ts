// What this machine must offer before the fake kubelet can run pods for real, and the one skip-or-fail of the
// self-test, the real-server suite and the bench: under CI=true a missing requirement FAILS, it never skips.

import * as fs from "fs";
import { lookupUser } from "./util";

const BINARIES = [
    "ip nsenter unshare mount umount pivot_root setpriv hostname perl bash cp",
    // The MariaDB server and tools the mariadb:11.4 image resolves to, and the write load's client (tests/real/writeLoad.ts).
    "mariadbd mariadb mariadb-admin mariadb-install-db my_print_defaults mariadb-backup mbstream mariadb-tzinfo-to-sql socat sysbench",
].flatMap((line) => line.split(" "));

/** The list of problems (empty when the fake kubelet can run here). */
export function canRunProblems(): string[] {
    const problems: string[] = [];
    if (process.platform !== "linux") problems.push(`not Linux (platform ${process.platform})`);
    if (process.getuid?.() !== 0) problems.push("not running as root (network/mount/pid namespaces, bind mounts and overlayfs need it)");
    const missing = BINARIES.filter((b) => !["/usr/sbin", "/usr/bin"].some((d) => fs.existsSync(`${d}/${b}`)));
    if (missing.length) {
        problems.push(
            `missing binaries: ${missing.join(", ")} (apt-get install iproute2 util-linux mariadb-server mariadb-backup socat sysbench)`,
        );
    }
    if (!/\boverlay\b/.test(fs.readFileSync("/proc/filesystems", "utf8")) && !fs.existsSync("/sys/module/overlay")) {
        problems.push("overlayfs not available (modprobe overlay)");
    }
    for (const top of ["/bin", "/sbin", "/lib"]) {
        if (fs.lstatSync(top, { throwIfNoEntry: false })?.isSymbolicLink() === false)
            problems.push(`${top} is not a symlink (the fake kubelet needs a merged-/usr host)`);
    }
    if (!lookupUser("mysql")) problems.push("no mysql user on this host (it comes with the mariadb-server package)");
    return problems;
}

/**
 * Returns when this machine can run the fake kubelet. Otherwise throws under CI=true, and elsewhere skips the
 * mocha context (a suite's `before`) with a message nobody can miss.
 */
export function requireFakeKubelet(context: Mocha.Context): void {
    const problems = canRunProblems();
    if (!problems.length) return;
    const message = `the fake kubelet cannot run here:\n  - ${problems.join("\n  - ")}`;
    if (process.env.CI === "true") throw new Error(`${message}\nUnder CI=true a missing requirement fails; it never skips.`);
    console.warn(`\n  !!! SKIPPING: ${message}\n  !!! Run it as root with the Debian packages of .ci/run.\n`);
    context.skip();
}
