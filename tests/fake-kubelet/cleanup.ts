// Last-resort cleanup: when the test process exits (normally, on an uncaught error, or on
// SIGINT/SIGTERM/SIGHUP), every cluster that was not destroyed is torn down synchronously
// (its processes SIGKILLed by pid, its namespaces deleted, its workDir removed), so no
// mariadbd, netns or mount outlives the run.

import * as os from "os";
import { pidAlive, safeRemove, safeRemoveSync, signalGroup, unmountAllUnderSync, waitFor } from "./util";

export interface SyncDestroyable {
    destroySync(): void;
}

const live = new Set<SyncDestroyable>();
let installed = false;

function destroyAll(): void {
    for (const c of [...live]) {
        try {
            c.destroySync();
        } catch (e) {
            process.stderr.write(`fake kubelet: cleanup failed: ${(e as Error).message}\n`);
        }
        live.delete(c);
    }
}

function install(): void {
    if (installed) return;
    installed = true;
    // 'exit' also fires after an uncaught exception has been reported.
    process.on("exit", destroyAll);
    for (const sig of ["SIGINT", "SIGTERM", "SIGHUP"] as const) {
        process.on(sig, () => {
            process.stderr.write(`\nfake kubelet: ${sig}: destroying ${live.size} cluster(s)\n`);
            destroyAll();
            process.exit(128 + (os.constants.signals[sig] ?? 0));
        });
    }
}

export function registerCluster(c: SyncDestroyable): void {
    install();
    live.add(c);
}

export function unregisterCluster(c: SyncDestroyable): void {
    live.delete(c);
}

/** What a teardown gives back to the host, the same in the controller mode (cluster.ts) and the node agent. */
export interface HostResources {
    /** Process groups still tracked after the pods were stopped: an exec, or a stuck process. */
    readonly tracked: ReadonlySet<number>;
    readonly network: { destroySync(): void };
    readonly workDir: string;
    /** FAKE_KUBELET_KEEP: leave the work directory for a post-mortem. */
    readonly keep: boolean;
}

/** The end of destroy(), once the pods are stopped: the tracked groups killed, the network, mounts and workDir released. */
export async function releaseHost(c: SyncDestroyable, host: HostResources): Promise<void> {
    for (const pid of host.tracked) signalGroup(pid, "SIGKILL");
    await waitFor(() => ![...host.tracked].some((p) => pidAlive(p)), { timeoutMs: 2000, what: "the killed processes to exit" }).catch(
        () => undefined,
    );
    host.network.destroySync();
    unmountAllUnderSync(host.workDir);
    if (!host.keep) await safeRemove(host.workDir);
    unregisterCluster(c);
}

/** The end of destroySync(), once the pods' processes are killed: the same, synchronously; `who` names the mode in a failure. */
export function releaseHostSync(c: SyncDestroyable, host: HostResources, who: string): void {
    for (const pid of host.tracked) signalGroup(pid, "SIGKILL");
    host.network.destroySync();
    unmountAllUnderSync(host.workDir);
    if (!host.keep) {
        try {
            safeRemoveSync(host.workDir);
        } catch (e) {
            process.stderr.write(`${who}: ${(e as Error).message}\n`);
        }
    }
    unregisterCluster(c);
}
