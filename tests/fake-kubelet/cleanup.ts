// Last-resort cleanup: when the test process exits (normally, on an uncaught error, or on
// SIGINT/SIGTERM/SIGHUP), every cluster that was not destroyed is torn down synchronously
// (its processes SIGKILLed by pid, its namespaces deleted, its workDir removed), so no
// mariadbd, netns or mount outlives the run.

import * as os from "os";

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
