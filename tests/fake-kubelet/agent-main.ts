// `node --require ts-node/register/transpile-only tests/fake-kubelet/agent-main.ts --kubeconfig FILE --nfs-root DIR`:
// the node agent (node-agent.ts) as a process, until SIGINT or SIGTERM, which stop its pods (SIGKILL) and
// remove its network and work directory; the Nodes stay registered and turn NotReady once their Leases expire.
// Root only, like the fake kubelet.

import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { parseArgs } from "util";
import { LOCAL_NFS_SERVER } from "./api-objects";
import { KubeClient, loadKubeconfig } from "./kube-client";
import { KubeletServer } from "./kubelet-server";
import { NodeAgent } from "./node-agent";
import { canRunProblems } from "./requirements";
import { runPrefix, runSubnet } from "./util";

const USAGE = `usage: agent-main.ts --kubeconfig FILE --nfs-root DIR [--context NAME] [--nfs-server NAME (default ${LOCAL_NFS_SERVER})]
    [--nfs-export SERVER=DIR (another stand-in NFS server and its root; repeatable)]
    [--nodes node-a,node-b,node-c] [--work-dir DIR] [--prefix P] [--subnet CIDR] [--kubelet-port N (0: any)]
    [--client-ca-file FILE (require client certificates signed by it)] [--tls-cert-file FILE --tls-private-key-file FILE
    (the kubelet endpoint's serving certificate, for an API server with --kubelet-certificate-authority; default self-signed)]`;

async function main(): Promise<void> {
    const { values: v } = parseArgs({
        options: {
            kubeconfig: { type: "string" },
            context: { type: "string" },
            "nfs-root": { type: "string" },
            "nfs-server": { type: "string", default: LOCAL_NFS_SERVER },
            "nfs-export": { type: "string", multiple: true, default: [] },
            nodes: { type: "string", default: "node-a,node-b,node-c" },
            "work-dir": { type: "string" },
            prefix: { type: "string", default: runPrefix() },
            subnet: { type: "string", default: runSubnet() },
            "kubelet-port": { type: "string", default: "0" },
            "client-ca-file": { type: "string" },
            "tls-cert-file": { type: "string" },
            "tls-private-key-file": { type: "string" },
            help: { type: "boolean" },
        },
    });
    if (v.help) return void console.log(USAGE);
    if (!v.kubeconfig || !v["nfs-root"]) throw new Error(`--kubeconfig and --nfs-root are required.\n${USAGE}`);
    const nfsServers: Record<string, string> = {};
    for (const item of v["nfs-export"]) {
        const [server, dir] = [item.slice(0, item.indexOf("=")), item.slice(item.indexOf("=") + 1)];
        if (!item.includes("=") || !server || !dir)
            throw new Error(`--nfs-export ${item}: give SERVER=DIR, e.g. nfs-b.local=/srv/nfs-b.\n${USAGE}`);
        nfsServers[server] = path.resolve(dir);
    }
    const problems = canRunProblems();
    if (problems.length) throw new Error(`the fake kubelet cannot run here:\n  - ${problems.join("\n  - ")}`);
    const workDir = v["work-dir"] ?? fs.mkdtempSync(path.join(os.tmpdir(), "fake-kubelet-agent-"));
    const client = new KubeClient(loadKubeconfig(v.kubeconfig, v.context));
    // The endpoint starts first (the Nodes advertise its port) and serves the agent once it exists.
    const running: { agent?: NodeAgent } = {};
    const certDir = fs.mkdtempSync(path.join(os.tmpdir(), "fake-kubelet-cert-"));
    process.on("exit", () => fs.rmSync(certDir, { recursive: true, force: true }));
    const server = await KubeletServer.start({
        port: Number(v["kubelet-port"]),
        certDir,
        clientCa: v["client-ca-file"] ? fs.readFileSync(v["client-ca-file"]) : undefined,
        tls:
            v["tls-cert-file"] && v["tls-private-key-file"]
                ? { cert: fs.readFileSync(v["tls-cert-file"]), key: fs.readFileSync(v["tls-private-key-file"]) }
                : undefined,
        source: () => running.agent,
    });
    running.agent = await NodeAgent.create({
        client,
        nodes: v.nodes.split(",").filter(Boolean),
        prefix: v.prefix,
        subnet: v.subnet,
        workDir,
        nfsRoot: path.resolve(v["nfs-root"]),
        nfsServer: v["nfs-server"],
        nfsServers,
        kubeletPort: server.port,
    });
    console.log(`node agent: running (pid ${process.pid}); SIGINT or SIGTERM stops it`);
}

main().catch((e: Error) => {
    console.error(`node agent: ${e.message}`);
    process.exit(1);
});
