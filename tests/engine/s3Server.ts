// `rclone serve s3` in the node agent's bridge namespace, on the pod network's gateway address: the object
// store of the engine cases (offsite.test.ts, pitr.test.ts).
import { ChildProcess, execFileSync, spawn } from "child_process";
import { registerCluster, SyncDestroyable, unregisterCluster } from "../fake-kubelet/cleanup";
import { EngineBed } from "./harness";
import { runSubnet, waitFor } from "../fake-kubelet/util";

/** The S3 server's port, on the gateway address. */
export const S3_PORT = 9000;

/** The pod network's first address (the gateway's, which the agent leaves free), for the S3 server. */
export function gatewayOf(subnetIndex: number): { subnet: string; gateway: string; endpoint: string } {
    const subnet = runSubnet(subnetIndex);
    const gateway = `${subnet.split("/")[0].split(".").slice(0, 3).join(".")}.1`;
    return { subnet, gateway, endpoint: `http://${gateway}:${S3_PORT}` };
}

/** `rclone serve s3` in the node agent's bridge namespace, on the gateway address, serving storeDir (its subdirectories are buckets). */
export class S3Server implements SyncDestroyable {
    private child: ChildProcess | undefined;
    private exited: Promise<unknown> | undefined;
    log = "";

    constructor(
        private readonly rclone: string,
        private readonly storeDir: string,
        private readonly keys: { id: string; secret: string },
        private readonly subnetIndex: number,
    ) {}

    async start(bed: EngineBed): Promise<void> {
        // The node agent's bridge (tests/fake-kubelet/netns.ts: namespace `<prefix>-br`, bridge `<prefix>br`);
        // the pods reach the address over their veths, with the subnet's connected route they have.
        const [bridgeNs, bridge] = [`${bed.prefix}-br`, `${bed.prefix}br`];
        const { subnet, gateway } = gatewayOf(this.subnetIndex);
        execFileSync("ip", ["-n", bridgeNs, "addr", "add", `${gateway}/${subnet.split("/")[1]}`, "dev", bridge]);
        const args = ["netns", "exec", bridgeNs, this.rclone, "serve", "s3", "--config", "/dev/null"];
        args.push("--auth-key", `${this.keys.id},${this.keys.secret}`, "--addr", `${gateway}:${S3_PORT}`, this.storeDir);
        const child = spawn("ip", args, { stdio: ["ignore", "pipe", "pipe"] });
        this.child = child;
        registerCluster(this);
        this.exited = new Promise((resolve) => child.once("exit", resolve));
        child.stdout!.on("data", (d) => (this.log += d));
        child.stderr!.on("data", (d) => (this.log += d));
        await waitFor(
            () => {
                if (child.exitCode !== null) throw new Error(`rclone serve s3 exited ${child.exitCode}:\n${this.log}`);
                return /Starting s3 server/.test(this.log);
            },
            { timeoutMs: 30_000, everyMs: 100, what: () => `the S3 server to start:\n${this.log}` },
        );
    }

    async stop(): Promise<void> {
        const child = this.child;
        this.child = undefined;
        unregisterCluster(this);
        if (child && child.exitCode === null && child.signalCode === null) {
            child.kill("SIGTERM");
            await this.exited;
        }
    }

    /** For the last-resort teardown (tests/fake-kubelet/cleanup.ts): the server killed, as the run ends without `stop`. */
    destroySync(): void {
        if (this.child && this.child.exitCode === null && this.child.signalCode === null) this.child.kill("SIGKILL");
        this.child = undefined;
    }
}
