// One container of a pod, with kubelet's semantics: an init container runs to completion; a main container
// (restartPolicy Always) is started again after a short back-off when it exits (1 s, doubling to 2 s: Kubernetes'
// 10 s..5 min would make tests crawl); exec probes with initialDelaySeconds, periodSeconds, timeoutSeconds and
// failureThreshold; the startupProbe gates the others, a failed liveness probe restarts the container.

import * as fs from "fs";
import * as path from "path";
import { ContainerExit, ContainerProcess } from "./container";
import type { Pod } from "./pod";
import { terminationMessage } from "./termination";
import type { Container, ContainerStatus, ExecOptions, ExecResult, Probe } from "./types";
import { interruptible, safeRemove, waitFor } from "./util";

/** One finished instance of a container. */
export interface Termination {
    code: number;
    startedAt: number;
    finishedAt: number;
    /** Its termination message (termination.ts), if any. */
    message?: string;
}

/** What the node agent reports of a container (pod-status.ts turns it into a v1 ContainerStatus). */
export interface RunnerSnapshot {
    name: string;
    kind: "init" | "main";
    image: string;
    starts: number;
    /** The instance started last: running, or exited. */
    current?: { startedAt: number; exit?: { code: number; at: number; message?: string } };
    /** The instance before it. */
    previous?: Termination;
    /** Past its startupProbe (or has none) and running. */
    started: boolean;
    ready: boolean;
    /** Waiting for the restart back-off to end. */
    backingOff: boolean;
    /** Why the last start failed before the command ran. */
    launchError?: string;
}

export class ContainerRunner {
    starts = 0;
    current: ContainerProcess | undefined;
    lastExitCode: number | undefined;
    /** The instance before the current one (Kubernetes' lastState). */
    previous: Termination | undefined;
    /** Set while a restart back-off runs (by the loop below, or by the pod for an init container). */
    backingOff = false;
    launchError: string | undefined;
    /** The termination message of the current instance, once it has exited. */
    private message: string | undefined;
    private startupDone = false;
    private readyByProbe = false;
    private loopDone: Promise<void> | undefined;
    private stopped = false;
    private readonly stopInterrupt = interruptible();

    constructor(
        readonly pod: Pod,
        readonly spec: Container,
        readonly kind: "init" | "main",
    ) {}

    get name(): string {
        return this.spec.name;
    }

    get logPath(): string {
        return path.join(this.pod.logsDir, `${this.name}.log`);
    }

    get running(): boolean {
        return Boolean(this.current?.running);
    }

    isReady(): boolean {
        return this.running && this.startupDone && (!this.spec.readinessProbe || this.readyByProbe);
    }

    snapshot(): RunnerSnapshot {
        const c = this.current;
        return {
            name: this.name,
            kind: this.kind,
            image: this.spec.image ?? "",
            starts: this.starts,
            ...(c
                ? {
                      current: {
                          startedAt: c.startedAt,
                          ...(c.exit
                              ? { exit: { code: c.exit.code, at: c.exit.at, ...(this.message ? { message: this.message } : {}) } }
                              : {}),
                      },
                  }
                : {}),
            ...(this.previous ? { previous: this.previous } : {}),
            started: this.running && this.startupDone,
            ready: this.isReady(),
            backingOff: this.backingOff,
            ...(this.launchError ? { launchError: this.launchError } : {}),
        };
    }

    status(): ContainerStatus {
        return {
            name: this.name,
            kind: this.kind,
            state: this.running ? "running" : this.starts && this.lastExitCode !== undefined ? "terminated" : "waiting",
            ready: this.isReady(),
            starts: this.starts,
            ...(this.lastExitCode !== undefined ? { lastExitCode: this.lastExitCode } : {}),
        };
    }

    private log(line: string): void {
        fs.appendFileSync(this.logPath, `==== fake-kubelet ${new Date().toISOString()} ${line}\n`);
    }

    private event(type: string, detail?: string): void {
        this.pod.host.event({ pod: this.pod.name, container: this.name, type, ...(detail ? { detail } : {}) });
    }

    /** Starts one instance of the container; undefined (exit code 128) when it could not start. */
    private async launch(): Promise<ContainerProcess | undefined> {
        if (this.current?.exit)
            this.previous = {
                code: this.current.exit.code,
                startedAt: this.current.startedAt,
                finishedAt: this.current.exit.at,
                ...(this.message ? { message: this.message } : {}),
            };
        this.launchError = undefined;
        this.message = undefined;
        const n = ++this.starts;
        this.log(`pod ${this.pod.name} (uid ${this.pod.uid}) container ${this.name}: start #${n}`);
        const dir = path.join(this.pod.dir, "containers", `${this.name}-${n}`);
        // The previous instance is gone: its container layer goes with it (Kubernetes keeps one dead container
        // for logs; the log file is kept here).
        if (n > 1 && !this.pod.host.keepWorkDir)
            await safeRemove(path.join(this.pod.dir, "containers", `${this.name}-${n - 1}`)).catch(() => undefined);
        try {
            this.current = await ContainerProcess.start(this.pod.launchSpec(this.spec, n, dir, this.logPath));
        } catch (e) {
            this.log(`container ${this.name}: could not start: ${(e as Error).message}`);
            this.current = undefined;
            this.launchError = (e as Error).message;
            this.lastExitCode = 128;
            return undefined;
        }
        this.startupDone = !this.spec.startupProbe;
        this.readyByProbe = false;
        this.event("ContainerStarted", `start #${n}`);
        if (this.stopped) void this.current.stop(0); // the pod was deleted while this instance was starting
        return this.current;
    }

    private recordExit(exit: ContainerExit): void {
        // Read now: the instance's directory, its file with it, goes at the next start.
        this.message = this.current && terminationMessage(this.spec, this.current.launch.termination, exit.code, this.logPath);
        this.lastExitCode = exit.code;
        this.log(`container ${this.name}: exited with code ${exit.code}`);
        this.event("ContainerExited", `code ${exit.code}`);
        this.pod.updateReady();
    }

    /** An init container (or a Job's): start, wait for the exit. Returns the exit code. */
    async runToCompletion(): Promise<number> {
        const proc = await this.launch();
        if (!proc) return 128;
        const exit = await proc.exited;
        this.recordExit(exit);
        return exit.code;
    }

    /** A main container: starts it and keeps it running until the pod stops. Resolves once the first instance started. */
    startLoop(): Promise<void> {
        let resolveFirst!: () => void;
        const first = new Promise<void>((r) => (resolveFirst = r));
        this.loopDone = this.loop(resolveFirst).finally(resolveFirst);
        return first;
    }

    private async loop(firstStarted: () => void): Promise<void> {
        let delay = this.pod.host.backoff.initialMs;
        while (!this.stopped) {
            const proc = await this.launch();
            firstStarted();
            if (proc) {
                const probes = interruptible();
                void this.runProbes(proc, probes);
                this.recordExit(await proc.exited);
                probes.stop();
                if (Date.now() - proc.startedAt > 10_000) delay = this.pod.host.backoff.initialMs;
            }
            if (this.stopped) break;
            this.event("BackOff", `restarting in ${delay} ms`);
            this.backingOff = true;
            await this.stopInterrupt.sleep(delay);
            this.backingOff = false;
            delay = Math.min(delay * 2, this.pod.host.backoff.maxMs);
        }
    }

    /** Kills the current instance like kubelet does (SIGTERM, SIGKILL after the grace). */
    async kill(graceMs: number, reason: string): Promise<void> {
        if (!this.current?.running) return;
        this.event("Killing", reason);
        await this.current.stop(graceMs);
    }

    /** Stops for good: no more restarts. */
    async stop(graceMs: number, reason: string): Promise<void> {
        this.stopped = true;
        this.stopInterrupt.stop();
        await this.kill(graceMs, reason);
        await this.current?.exited;
        await this.loopDone;
    }

    /** Kills the current instance and waits until the next one has started. */
    async restart(graceMs: number): Promise<void> {
        if (this.kind === "init") throw new Error(`${this.name} is an init container; it is not restarted`);
        const before = this.starts;
        await this.kill(graceMs, "restartContainer");
        await this.waitRunning(before + 1, 60_000 + this.pod.host.backoff.maxMs);
    }

    /** Resolves when the container has been started at least minStarts times and is running. */
    async waitRunning(minStarts: number, timeoutMs: number): Promise<void> {
        await waitFor(
            () => {
                if (this.stopped) throw new Error(`pod ${this.pod.name} is stopping`);
                return this.starts >= minStarts && this.running;
            },
            { timeoutMs, what: () => `container ${this.name} of ${this.pod.name} running (start ${minStarts})\n${this.pod.describe()}` },
        );
    }

    async exec(argv: string[], opts: ExecOptions = {}): Promise<ExecResult> {
        if (!this.current?.running) throw new Error(`container ${this.name} of ${this.pod.name} is not running`);
        return this.current.exec(argv, opts);
    }

    /** Startup probe first; then readiness and liveness, until the instance exits. */
    private async runProbes(proc: ContainerProcess, stop: ReturnType<typeof interruptible>): Promise<void> {
        const s = this.spec;
        if (s.startupProbe && !(await this.probeLoop(proc, stop, "startup", s.startupProbe))) return;
        this.startupDone = true;
        this.pod.updateReady();
        await Promise.all([
            s.readinessProbe && this.probeLoop(proc, stop, "readiness", s.readinessProbe),
            s.livenessProbe && this.probeLoop(proc, stop, "liveness", s.livenessProbe),
        ]);
    }

    /**
     * One probe worker. Startup: resolves true on success, kills the container after failureThreshold failures.
     * Readiness: flips readyByProbe. Liveness: kills after failureThreshold consecutive failures.
     */
    private async probeLoop(proc: ContainerProcess, stop: ReturnType<typeof interruptible>, kind: string, p: Probe): Promise<boolean> {
        const timeoutMs = (p.timeoutSeconds ?? 1) * 1000;
        const failureThreshold = p.failureThreshold ?? 3;
        await stop.sleep(proc.startedAt + (p.initialDelaySeconds ?? 0) * 1000 - Date.now());
        let failures = 0;
        while (!stop.done && proc.running) {
            const t0 = Date.now();
            const r = await proc
                .exec(p.exec?.command ?? [], { timeoutMs })
                .catch((e: Error) => ({ code: -1, stdout: "", stderr: e.message, timedOut: false }));
            if (stop.done || !proc.running) break;
            const ok = r.code === 0;
            failures = ok ? 0 : failures + 1;
            if (!ok)
                this.event(
                    "ProbeFailed",
                    `${kind}: ${r.timedOut ? `timed out after ${timeoutMs} ms` : (r.stdout + r.stderr).trim().slice(0, 300)}`,
                );
            if (kind === "startup" && ok) return true;
            if (kind === "readiness" && (ok || failures >= failureThreshold) && ok !== this.readyByProbe) {
                this.readyByProbe = ok;
                this.event(ok ? "ContainerReady" : "ContainerNotReady");
                this.pod.updateReady();
            } else if (kind !== "readiness" && failures >= failureThreshold) {
                void this.kill(this.pod.graceMs(), `${kind} probe failed`);
                return false;
            }
            await stop.sleep((p.periodSeconds ?? 10) * 1000 - (Date.now() - t0));
        }
        return false;
    }
}
