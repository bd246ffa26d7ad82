// One start of one container: a process tree in the pod's network namespace and in new PID,
// mount, UTS and IPC namespaces of its own.
//
//   nsenter --net=/run/netns/<pod ns> unshare --uts --ipc --mount --pid --fork --kill-child \
//     --propagation private bash <dir>/setup.sh <argv...>
//
// setup.sh (generated, invisible to the container) is PID 1 of the new PID namespace. It builds
// the root: a private copy of the image skeleton, the host's /usr read-only with /usr/bin and
// /usr/sbin replaced by the image's symlink dirs, an overlay /etc (image layer over the host's),
// pivot_root into it, fresh /proc /sys /dev, tmpfs /run and /tmp, kubelet's /etc/hosts,
// /etc/hostname, /etc/resolv.conf, then the volumeMounts, resolving mount paths inside the new root
// (symlinks cannot point outside). Then it execs, keeping PID 1:
//   perl exec-env.pl (env -i from a file: no value in argv) -> setpriv (user, groups, the default
//   container capabilities) -> the container's command.
// Being PID 1 of its namespace, the command gets Kubernetes' signal semantics: a shell without a
// trap ignores SIGTERM, and when it exits the kernel kills everything else in the container.

import { ChildProcess, spawn } from "child_process";
import * as fs from "fs";
import * as path from "path";
import type { BuiltImage } from "./image";
import { HOST_USR_IN_CONTAINER } from "./image";
import type { ExecOptions, ExecResult } from "./types";
import { childrenOf, exitStatus, HOST_PATH, pidAlive, run, runOk, settleWithin, signalGroup, signalPid, sq, waitFor } from "./util";
import type { ResolvedMount } from "./volumes";

/** containerd's default capability set for a non-privileged container. */
export const DEFAULT_CAPS =
    "chown dac_override fsetid fowner mknod net_raw setgid setuid setfcap setpcap net_bind_service sys_chroot kill audit_write";

export interface ContainerSecurity {
    uid: number;
    gid: number;
    /** Capability names (lower case, no cap_ prefix). */
    caps: string[];
    noNewPrivs: boolean;
}

export interface ContainerLaunch {
    pod: string;
    container: string;
    startNo: number;
    netns: string;
    image: BuiltImage;
    /** Per-start directory (root/, etc-upper/, state/...). */
    dir: string;
    argv: string[];
    env: [string, string][];
    mounts: ResolvedMount[];
    /** The termination-message file's mount (termination.ts), also in `mounts`. */
    termination?: ResolvedMount;
    hostsFile: string;
    resolvConf: string;
    security: ContainerSecurity;
    logPath: string;
    /** Called with the outer pid at spawn and on exit, so the cluster can kill stragglers. */
    track: (pid: number, alive: boolean) => void;
}

export interface ContainerExit {
    code: number;
    at: number;
}

const STATE_IN_CONTAINER = "/.fake-kubelet/state";

function setprivArgs(sec: ContainerSecurity): string[] {
    const caps = `--bounding-set=-all${sec.caps.map((c) => ",+" + c).join("")}`;
    return [
        `${HOST_USR_IN_CONTAINER}/bin/setpriv`,
        `--reuid=${sec.uid}`,
        `--regid=${sec.gid}`,
        "--init-groups",
        "--inh-caps=-all",
        caps,
    ].concat(sec.noNewPrivs ? ["--no-new-privs", "--"] : ["--"]);
}

function envFileContent(env: [string, string][]): Buffer {
    for (const [k] of env) if (k.includes("=") || k.includes("\0")) throw new Error(`invalid environment variable name ${k}`);
    return Buffer.from(env.map(([k, v]) => `${k}=${v}\0`).join(""), "utf8");
}

function setupScript(l: ContainerLaunch): string {
    const img = l.image;
    const R = path.join(l.dir, "root");
    const O = "/.fake-kubelet/oldroot";
    const L: string[] = [];
    L.push(
        "#!/bin/bash",
        `# fake kubelet: setup of container ${l.container} of pod ${l.pod} (start ${l.startNo}). Generated.`,
        "set -euo pipefail",
        `export PATH=${HOST_PATH} LC_ALL=C`,
        `trap 'echo "fake kubelet: container setup failed at line $LINENO: $BASH_COMMAND" >&2' ERR`,
        `R=${sq(R)}`,
        `hostname ${sq(l.pod)}`,
        "# Fixed mount points of the skeleton, before pivot_root.",
        'mount --bind "$R" "$R"',
        'mount --bind -o ro /usr "$R/usr"',
        `mount --bind -o ro ${sq(img.binDir)} "$R/usr/bin"`,
        `mount --bind -o ro ${sq(img.sbinDir)} "$R/usr/sbin"`,
        `mount --bind ${sq(path.join(l.dir, "usr-local"))} "$R/usr/local"`,
        `mount --bind -o ro /usr "$R${HOST_USR_IN_CONTAINER}"`,
        `mount --bind ${sq(path.join(l.dir, "state"))} "$R${STATE_IN_CONTAINER}"`,
        `mount -t overlay overlay -o ${sq(`lowerdir=${img.etcLayer}:/etc,upperdir=${l.dir}/etc-upper,workdir=${l.dir}/etc-work`)} "$R/etc"`,
        'cd "$R"',
        "pivot_root . .fake-kubelet/oldroot",
        "cd /",
        `O=${O}`,
        `export PATH=${HOST_USR_IN_CONTAINER}/sbin:${HOST_USR_IN_CONTAINER}/bin`,
        "# Kernel filesystems and a minimal /dev, as a container runtime provides them.",
        "mount -t proc -o nosuid,nodev,noexec proc /proc",
        "mount -t sysfs -o ro,nosuid,nodev,noexec sysfs /sys",
        "mount -t tmpfs -o mode=755,nosuid,size=65536k tmpfs /dev",
        'for n in null zero full random urandom tty; do : > "/dev/$n"; mount --bind "$O/dev/$n" "/dev/$n"; done',
        "ln -s /proc/self/fd /dev/fd; ln -s /proc/self/fd/0 /dev/stdin; ln -s /proc/self/fd/1 /dev/stdout; ln -s /proc/self/fd/2 /dev/stderr",
        "mkdir /dev/shm /dev/pts /dev/mqueue",
        "mount -t tmpfs -o mode=1777,nosuid,nodev,size=65536k shm /dev/shm",
        "mount -t devpts -o newinstance,ptmxmode=0666,mode=0620 devpts /dev/pts",
        "ln -s pts/ptmx /dev/ptmx",
        // Private tmpfs /run and /tmp; the image's /run content (e.g. /run/mysqld) is copied in.
        "mount -t tmpfs -o mode=755,nosuid,nodev tmpfs /run",
        `cp -a "$O"${sq(path.join(R, "run"))}/. /run/`,
        "mount -t tmpfs -o mode=1777,nosuid,nodev tmpfs /tmp",
        "# kubelet's /etc/hosts, /etc/hostname and /etc/resolv.conf.",
    );
    for (const [name, src] of [
        ["hosts", l.hostsFile],
        ["hostname", path.join(l.dir, "hostname")],
        ["resolv.conf", path.join(l.dir, "resolv.conf")],
    ]) {
        L.push(`rm -f /etc/${name}; : > /etc/${name}; mount --bind "$O"${sq(src)} /etc/${name}`);
    }
    L.push("# volumeMounts (targets resolved inside the new root).");
    const mounts = [...l.mounts].sort((a, b) => a.target.split("/").length - b.target.split("/").length);
    for (const m of mounts) {
        const t = sq(m.target);
        if (m.isFile) L.push(`mkdir -p "$(dirname ${t})"; [ -e ${t} ] || : > ${t}`);
        else L.push(`mkdir -p ${t}`);
        L.push(`mount --bind "$O"${sq(m.source)} ${t}`);
        if (m.readOnly) L.push(`mount -o remount,bind,ro ${t}`);
    }
    L.push(
        'umount -l "$O"',
        'rmdir "$O"',
        `: > ${STATE_IN_CONTAINER}/started`,
        "trap - ERR",
        `exec ${HOST_USR_IN_CONTAINER}/bin/perl /.fake-kubelet/exec-env.pl --env ${STATE_IN_CONTAINER}/env --cwd / -- ${setprivArgs(
            l.security,
        )
            .map(sq)
            .join(" ")} "$@"`,
    );
    return L.join("\n") + "\n";
}

export class ContainerProcess {
    readonly startedAt = Date.now();
    innerPid: number | undefined;
    exit: ContainerExit | undefined;
    /** Resolves when the container exited (exit status as a runtime reports it). */
    readonly exited: Promise<ContainerExit>;
    private sentSigkill = false;

    private constructor(
        readonly launch: ContainerLaunch,
        private readonly child: ChildProcess,
    ) {
        const outer = child.pid as number;
        this.exited = new Promise((resolve) => {
            child.on("exit", (code, signal) => {
                let status = exitStatus(code, signal);
                // unshare reports a child killed by SIGKILL as exit 1 (it cannot re-raise SIGKILL).
                if (status === 1 && this.sentSigkill) status = 137;
                this.exit = { code: status, at: Date.now() };
                launch.track(outer, false);
                resolve(this.exit);
            });
        });
    }

    get outerPid(): number {
        return this.child.pid as number;
    }

    get running(): boolean {
        return this.exit === undefined;
    }

    /** Prepares the per-start directory and spawns the container. Resolves once it has started. */
    static async start(l: ContainerLaunch): Promise<ContainerProcess> {
        const root = path.join(l.dir, "root");
        fs.mkdirSync(l.dir, { recursive: true });
        // The overlay's root takes the upper dir's mode: /etc must stay 0755 (mysqld, as user mysql,
        // silently skips config files it cannot read).
        fs.mkdirSync(path.join(l.dir, "etc-upper"));
        fs.chmodSync(path.join(l.dir, "etc-upper"), fs.statSync("/etc").mode & 0o7777);
        for (const d of ["etc-work", "state"]) fs.mkdirSync(path.join(l.dir, d), { mode: 0o700 });
        // The container layer: a fresh copy of the image skeleton (cp -a keeps owners and modes).
        await Promise.all([
            runOk("cp", ["-a", l.image.rootfs, root]),
            runOk("cp", ["-a", l.image.usrLocal, path.join(l.dir, "usr-local")]),
        ]);
        fs.writeFileSync(path.join(l.dir, "state", "env"), envFileContent(l.env), { mode: 0o600 });
        fs.writeFileSync(path.join(l.dir, "hostname"), l.pod + "\n");
        fs.writeFileSync(path.join(l.dir, "resolv.conf"), l.resolvConf);
        const setup = path.join(l.dir, "setup.sh");
        fs.writeFileSync(setup, setupScript(l), { mode: 0o700 });

        const logFd = fs.openSync(l.logPath, "a");
        let child: ChildProcess;
        try {
            child = spawn(
                "nsenter",
                [
                    `--net=/run/netns/${l.netns}`,
                    "--",
                    "unshare",
                    "--uts",
                    "--ipc",
                    "--mount",
                    "--pid",
                    "--fork",
                    "--kill-child",
                    "--propagation",
                    "private",
                    "--",
                    "/usr/bin/bash",
                    setup,
                    ...l.argv,
                ],
                { detached: true, stdio: ["ignore", logFd, logFd], env: { PATH: HOST_PATH, LC_ALL: "C" } },
            );
        } finally {
            fs.closeSync(logFd);
        }
        if (!child.pid) throw new Error(`could not spawn container ${l.container} of ${l.pod}`);
        l.track(child.pid, true);
        const proc = new ContainerProcess(l, child);
        const marker = path.join(l.dir, "state", "started");
        // Started = the setup reached the exec of the command (or the container already died).
        await waitFor(() => Boolean(proc.exit) || fs.existsSync(marker), {
            timeoutMs: 30_000,
            what: `container ${l.container} of ${l.pod} to start`,
            everyMs: 10,
        }).catch((e: Error) => {
            proc.kill("SIGKILL");
            throw e;
        });
        if (!proc.exit) proc.innerPid = childrenOf(proc.outerPid)[0];
        return proc;
    }

    /**
     * Signals the container's PID 1 (before it is known: the whole outer process group). The outer
     * unshare is left alive to reap PID 1 (after a SIGKILL of PID 1 the kernel kills the rest of the
     * PID namespace); killing it too would orphan PID 1 as a zombie of the host's init.
     */
    kill(sig: NodeJS.Signals): void {
        if (!this.running) return;
        if (sig === "SIGKILL") this.sentSigkill = true;
        if (this.innerPid) signalPid(this.innerPid, sig);
        else signalGroup(this.outerPid, sig);
    }

    /** SIGTERM, then SIGKILL after graceMs; resolves when the container is gone. */
    async stop(graceMs: number): Promise<ContainerExit> {
        if (!this.running) return this.exit as ContainerExit;
        if (graceMs > 0) {
            this.kill("SIGTERM");
            await settleWithin(this.exited, graceMs);
        }
        if (this.running) {
            this.kill("SIGKILL");
            await settleWithin(this.exited, 5000);
            if (this.running) signalGroup(this.outerPid, "SIGKILL"); // last resort
        }
        return this.exited;
    }

    /** Exit-path kill, phase 1: PID 1 only (its unshare reaps it). Returns whether it was running. */
    killInnerNow(): boolean {
        if (!this.running) return false;
        this.sentSigkill = true;
        if (this.innerPid) signalPid(this.innerPid, "SIGKILL");
        return true;
    }

    /** Exit-path kill, phase 2: the outer process group, whatever is left of it. */
    killOuterNow(): void {
        signalGroup(this.outerPid, "SIGKILL");
    }

    /** Runs a command inside this container: its namespaces, root, environment, user and capabilities. */
    exec(argv: string[], opts: ExecOptions = {}): Promise<ExecResult> {
        if (!this.running || !this.innerPid || !pidAlive(this.innerPid)) {
            return Promise.reject(new Error(`container ${this.launch.container} of ${this.launch.pod} is not running`));
        }
        if (!argv.length) return Promise.reject(new Error("exec: empty command"));
        const args = [
            "-t",
            String(this.innerPid),
            "-n",
            "-m",
            "-u",
            "-i",
            "-p",
            "-r",
            "--",
            `${HOST_USR_IN_CONTAINER}/bin/perl`,
            "/.fake-kubelet/exec-env.pl",
            "--env",
            `${STATE_IN_CONTAINER}/env`,
            "--cwd",
            "/",
            "--",
            ...setprivArgs(this.launch.security),
            ...argv,
        ];
        return run("nsenter", args, { input: opts.stdin, timeoutMs: opts.timeoutMs ?? 60_000, track: this.launch.track });
    }
}
