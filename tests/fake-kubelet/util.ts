// Small helpers of the fake kubelet: running host commands, /proc scans
// (namespaces, children, command lines), mount-table checks and a removal that
// refuses to walk into mount points.

import { spawn, spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import * as os from "os";

/** PATH for the host tools the fake kubelet runs itself (never the containers' PATH). */
export const HOST_PATH = "/usr/sbin:/usr/bin:/sbin:/bin";
const HOST_ENV = { PATH: HOST_PATH, LC_ALL: "C" };

export interface RunResult {
    code: number;
    stdout: string;
    stderr: string;
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Blocking sleep, for the synchronous exit-path cleanup. */
export function sleepSync(ms: number): void {
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

export function parentOf(pid: number): number | undefined {
    try {
        const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
        return Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
    } catch {
        return undefined;
    }
}

/**
 * SIGKILLs a set of processes so that none is left a zombie: first those whose parent is in the
 * set too (a container's PID 1 under its unshare), waiting until their parents have reaped them,
 * then the rest (whose parents, the test process or init, reap them).
 */
export function killTreeSync(pids: number[]): void {
    const set = new Set(pids);
    const inner = pids.filter((p) => set.has(parentOf(p) ?? -1));
    for (const p of inner) signalPid(p, "SIGKILL");
    for (let i = 0; i < 150 && inner.some((p) => fs.existsSync(`/proc/${p}`)); i++) sleepSync(20);
    for (const p of pids) if (!inner.includes(p)) signalPid(p, "SIGKILL");
}

/**
 * Waits for p, at most ms. The timer is cleared when p settles first, so no pending timer keeps
 * the test process alive after the cluster is gone.
 */
export function settleWithin<T>(p: Promise<T>, ms: number): Promise<T | undefined> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<undefined>((r) => (timer = setTimeout(() => r(undefined), Math.max(0, ms))));
    return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}

/** Exit status the way a container runtime reports it: the code, or 128 + signal number. */
export function exitStatus(code: number | null, signal: NodeJS.Signals | null): number {
    if (code !== null) return code;
    if (signal) return 128 + (os.constants.signals[signal] ?? 0);
    return 255;
}

/** Single-quotes a string for bash. */
export function sq(s: string): string {
    return "'" + s.replace(/'/g, "'\\''") + "'";
}

/**
 * The one spawn wrapper: runs a command without a shell, with a minimal environment (the host's PATH), its
 * output collected. The child gets its own process group, so a timeout kills everything it started (code 137);
 * `track` hears of its pid when it starts and when it is gone.
 */
export function run(
    cmd: string,
    args: string[],
    opts: { input?: string; timeoutMs?: number; track?: (pid: number, alive: boolean) => void } = {},
): Promise<RunResult & { timedOut: boolean }> {
    return new Promise((resolve, reject) => {
        const child = spawn(cmd, args, { env: HOST_ENV, stdio: ["pipe", "pipe", "pipe"], detached: true });
        if (child.pid) opts.track?.(child.pid, true);
        const out: Buffer[] = [];
        const err: Buffer[] = [];
        let timedOut = false;
        const timer =
            opts.timeoutMs === undefined
                ? undefined
                : setTimeout(() => {
                      timedOut = true;
                      signalGroup(child.pid, "SIGKILL");
                  }, opts.timeoutMs);
        child.stdout.on("data", (b: Buffer) => out.push(b));
        child.stderr.on("data", (b: Buffer) => err.push(b));
        child.on("error", (e) => {
            if (timer) clearTimeout(timer);
            reject(e);
        });
        child.on("close", (code, signal) => {
            if (timer) clearTimeout(timer);
            if (child.pid) opts.track?.(child.pid, false);
            resolve({
                code: timedOut ? 137 : exitStatus(code, signal),
                stdout: Buffer.concat(out).toString("utf8"),
                stderr: Buffer.concat(err).toString("utf8"),
                timedOut,
            });
        });
        // A child that never reads stdin must not crash us with EPIPE.
        child.stdin.on("error", () => undefined);
        child.stdin.end(opts.input ?? "");
    });
}

/** Like run(), but throws (with the command and its stderr) on a non-zero exit. */
export async function runOk(cmd: string, args: string[], opts: Parameters<typeof run>[2] = {}): Promise<string> {
    const r = await run(cmd, args, opts);
    if (r.code !== 0) {
        throw new Error(`${cmd} ${args.join(" ")} failed (exit ${r.code}): ${r.stderr.trim() || r.stdout.trim()}`);
    }
    return r.stdout;
}

/** Synchronous variant, for the process-exit cleanup path where nothing async may run. */
export function runSync(cmd: string, args: string[], input?: string): RunResult {
    const r = spawnSync(cmd, args, { env: HOST_ENV, input, encoding: "utf8", timeout: 30_000 });
    return { code: r.status ?? 255, stdout: r.stdout ?? "", stderr: r.stderr ?? "" };
}

export function signalPid(pid: number | undefined, sig: NodeJS.Signals): boolean {
    if (!pid) return false;
    try {
        process.kill(pid, sig);
        return true;
    } catch {
        return false;
    }
}

/** Signals a process group (spawned with detached: true, so its id is the leader's pid). */
export function signalGroup(pgid: number | undefined, sig: NodeJS.Signals): boolean {
    if (!pgid) return false;
    try {
        process.kill(-pgid, sig);
        return true;
    } catch {
        return false;
    }
}

export function pidAlive(pid: number | undefined): boolean {
    if (!pid) return false;
    try {
        // A zombie still "exists": look at its state so a reaped-later child counts as dead.
        const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
        const state = stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3);
        return state !== "Z" && state !== "X";
    } catch {
        return false;
    }
}

export function allPids(): number[] {
    return fs
        .readdirSync("/proc")
        .filter((d) => /^\d+$/.test(d))
        .map(Number);
}

/** The namespace a process is in, as the kernel prints it: "net:[4026532177]". */
export function nsOfPid(pid: number, kind: "net" | "mnt" | "pid" | "uts" | "ipc"): string | undefined {
    try {
        return fs.readlinkSync(`/proc/${pid}/ns/${kind}`);
    } catch {
        return undefined;
    }
}

/** The namespace id behind a bind-mounted namespace file such as /run/netns/NAME. */
export function nsOfPath(path: string, kind: string): string | undefined {
    try {
        return `${kind}:[${fs.statSync(path).ino}]`;
    } catch {
        return undefined;
    }
}

export function pidsInNs(kind: "net" | "mnt" | "pid", id: string): number[] {
    return allPids().filter((p) => nsOfPid(p, kind) === id);
}

export function childrenOf(pid: number): number[] {
    try {
        return fs.readFileSync(`/proc/${pid}/task/${pid}/children`, "utf8").trim().split(/\s+/).filter(Boolean).map(Number);
    } catch {
        return [];
    }
}

export function cmdlineOf(pid: number): string {
    try {
        return fs.readFileSync(`/proc/${pid}/cmdline`, "utf8").replace(/\0+$/, "").replace(/\0/g, " ");
    } catch {
        return "";
    }
}

export function commOf(pid: number): string {
    try {
        return fs.readFileSync(`/proc/${pid}/comm`, "utf8").trim();
    } catch {
        return "";
    }
}

/** Mount points at or below dir in this (the host's) mount namespace, deepest first. */
export function mountPointsUnder(dir: string): string[] {
    const text = fs.readFileSync("/proc/self/mountinfo", "utf8");
    const base = dir.replace(/\/+$/, "");
    const found: string[] = [];
    for (const line of text.split("\n")) {
        const f = line.split(" ");
        if (f.length < 5) continue;
        const mp = f[4].replace(/\\([0-7]{3})/g, (_, o: string) => String.fromCharCode(parseInt(o, 8)));
        if (mp === base || mp.startsWith(base + "/")) found.push(mp);
    }
    return found.sort((a, b) => b.length - a.length);
}

/** Lazily unmounts everything at or below dir (the fake kubelet never mounts there, this is a safety net). */
export function unmountAllUnderSync(dir: string): void {
    for (const mp of mountPointsUnder(dir)) runSync("umount", ["-R", "-l", mp]);
}

/**
 * rm -rf that first detaches any mount below the directory and refuses to continue if one is
 * left: a bind mount of a host directory under it would otherwise be emptied through the mount.
 */
export async function safeRemove(dir: string): Promise<void> {
    if (!fs.existsSync(dir)) return;
    unmountAllUnderSync(dir);
    const left = mountPointsUnder(dir);
    if (left.length) throw new Error(`refusing to remove ${dir}: still mounted: ${left.join(", ")}`);
    await fs.promises.rm(dir, { recursive: true, force: true });
}

export function safeRemoveSync(dir: string): void {
    if (!fs.existsSync(dir)) return;
    unmountAllUnderSync(dir);
    const left = mountPointsUnder(dir);
    if (left.length) throw new Error(`refusing to remove ${dir}: still mounted: ${left.join(", ")}`);
    fs.rmSync(dir, { recursive: true, force: true });
}

/** The file that marks a work directory as the fake kubelet's, so a later run with the same prefix may remove it. */
const WORKDIR_MARKER = ".fake-kubelet-workdir";

/** `dir` made absolute; refused when it is too close to / to be removed safely. `who` names the mode in the error. */
export function resolveWorkDir(dir: string, who: string): string {
    const workDir = path.resolve(dir);
    if (workDir === "/" || workDir.split("/").length < 3) throw new Error(`${who}: workDir ${workDir} is too close to /`);
    return workDir;
}

/**
 * Takes `workDir` for a run with `prefix`: an earlier run's (it carries the marker) is removed, a folder with
 * anyone else's files is refused; then it is made and marked.
 */
export function claimWorkDir(workDir: string, prefix: string, who: string): void {
    if (fs.existsSync(workDir)) {
        if (fs.existsSync(path.join(workDir, WORKDIR_MARKER))) safeRemoveSync(workDir);
        else if (fs.readdirSync(workDir).length)
            throw new Error(`${who}: workDir ${workDir} exists, is not empty and was not made by the fake kubelet`);
    }
    fs.mkdirSync(workDir, { recursive: true });
    fs.writeFileSync(path.join(workDir, WORKDIR_MARKER), `${prefix}\n`);
}

/** Last n lines of a file ("" when it does not exist). */
export function tailFile(path: string, lines: number): string {
    try {
        const text = fs.readFileSync(path, "utf8");
        return text
            .split("\n")
            .slice(-lines - 1)
            .join("\n");
    } catch {
        return "";
    }
}

/** Looks a user up in a passwd-format file. */
export function lookupUser(
    nameOrUid: string,
    passwdFile = "/etc/passwd",
): { name: string; uid: number; gid: number; home: string } | undefined {
    for (const line of fs.readFileSync(passwdFile, "utf8").split("\n")) {
        const f = line.split(":");
        if (f.length < 7) continue;
        if (f[0] === nameOrUid || f[2] === nameOrUid) {
            return { name: f[0], uid: Number(f[2]), gid: Number(f[3]), home: f[5] };
        }
    }
    return undefined;
}

/**
 * The one polling loop: resolves (with the time it took, in ms) once `condition` holds, checking it every `everyMs`
 * (default 20); rejects after `timeoutMs` naming `what`, or with whatever `condition` throws.
 */
export async function waitFor(
    condition: () => boolean | Promise<boolean>,
    opts: { timeoutMs: number; what: string | (() => string); everyMs?: number },
): Promise<number> {
    const started = Date.now();
    while (!(await condition())) {
        if (Date.now() - started > opts.timeoutMs) {
            throw new Error(`timed out after ${opts.timeoutMs} ms waiting for ${typeof opts.what === "string" ? opts.what : opts.what()}`);
        }
        await sleep(opts.everyMs ?? 20);
    }
    return Date.now() - started;
}

/** A sleep that stop() cuts short, and every later one too: for loops that must end as soon as their pod stops. */
export function interruptible(): { readonly done: boolean; sleep(ms: number): Promise<void>; stop(): void } {
    let fire!: () => void;
    const fired = new Promise<void>((resolve) => (fire = resolve));
    const self = {
        done: false,
        stop: () => {
            self.done = true;
            fire();
        },
        sleep: async (ms: number) => {
            if (ms > 0 && !self.done) await settleWithin(fired, ms);
        },
    };
    return self;
}

/**
 * This run's prefix of namespaces and interfaces: FAKE_KUBELET_PREFIX ([a-z][a-z0-9]{0,6}), or one made from the
 * PID; `suffix` (one more character) names a further cluster of the run.
 */
export function runPrefix(suffix = ""): string {
    return (process.env.FAKE_KUBELET_PREFIX ?? `k${process.pid % 1_000_000}`) + suffix;
}

/** This run's pod subnet: FAKE_KUBELET_SUBNET (a private /24), or a /24 in 10.200.0.0/13 made from the PID; `n` > 0: the n-th /24 after it. */
export function runSubnet(n = 0): string {
    const base = process.env.FAKE_KUBELET_SUBNET ?? `10.${200 + (process.pid % 8)}.${(process.pid >> 3) % 256}.0/24`;
    const [a, b, c] = base.split("/")[0].split(".").map(Number);
    return `${a}.${b}.${(c + n) % 256}.0/24`;
}
