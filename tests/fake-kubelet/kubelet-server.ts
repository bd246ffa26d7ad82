// The node agent's kubelet endpoint: HTTPS on 127.0.0.1, the port every Node advertises in
// status.daemonEndpoints.kubeletEndpoint, so `kubectl logs` works: the API server proxies
// GET /containerLogs/<ns>/<pod>/<container> here with its kubelet client certificate. Served: tailLines,
// limitBytes, previous, follow; `timestamps` is ignored (the log file has no per-line times). `kubectl exec`
// works too: every Node declares ExtendWebSocketsToKubelet, so the API server proxies kubectl's WebSocket
// (v5.channel.k8s.io) to GET /exec/<ns>/<pod>/<container> here instead of speaking SPDY to it; the command runs
// buffered through the agent's in-process exec (exec-stream.ts). Attach, port-forward and SPDY answer 501. The serving certificate is given (kubelet's --tls-cert-file: the API server checks it
// against --kubelet-certificate-authority), or self-signed; with a client CA given (kubelet's --client-ca-file),
// a client certificate signed by it is required.

import * as fs from "fs";
import * as https from "https";
import type { AddressInfo } from "net";
import * as path from "path";
import { WebSocketServer } from "ws";
import { EXEC_PROTOCOL, execRequest, serveExec } from "./exec-stream";
import type { ExecOptions, ExecResult } from "./types";
import { runOk } from "./util";

/** Where a container's log is, and whether its pod still runs (a follow ends when it does not). */
export interface LogSource {
    logPath(namespace: string, pod: string, container: string): string | undefined;
    hasPod(namespace: string, pod: string): boolean;
    /** Runs argv in the container; throws when the pod does not run here or has no such container. */
    exec(namespace: string, pod: string, container: string, argv: string[], opts?: ExecOptions): Promise<ExecResult>;
}

/** An exec runs buffered; one that outlives this is killed (code 137), as NodeAgent.exec's timeout does. */
const EXEC_TIMEOUT_MS = 10 * 60_000;

const HEADER = /^==== fake-kubelet \S+ (.*)$/;

/**
 * The lines of one instance of a container, from a log file that holds every start: `previous` false the last
 * start's, true the one before. The fake kubelet's own header lines ("==== fake-kubelet ...") are left out.
 */
export function instanceLines(text: string, previous: boolean): string[] {
    const starts: number[] = [];
    const lines = text.split("\n");
    if (lines[lines.length - 1] === "") lines.pop();
    lines.forEach((l, i) => {
        const m = HEADER.exec(l);
        if (m && /: start #\d+$/.test(m[1])) starts.push(i);
    });
    const idx = previous ? starts.length - 2 : starts.length - 1;
    if (idx < 0) return previous ? [] : lines.filter((l) => !HEADER.test(l));
    const end = idx + 1 < starts.length ? starts[idx + 1] : lines.length;
    return lines.slice(starts[idx] + 1, end).filter((l) => !HEADER.test(l));
}

/** tailLines and limitBytes applied as kubelet does (tail first, then the byte limit from the start). */
export function selectLog(lines: string[], q: { tailLines?: number; limitBytes?: number }): string {
    const kept = q.tailLines !== undefined ? lines.slice(Math.max(0, lines.length - q.tailLines)) : lines;
    let out = kept.map((l) => l + "\n").join("");
    if (q.limitBytes !== undefined) out = Buffer.from(out).subarray(0, q.limitBytes).toString("utf8");
    return out;
}

async function selfSignedCert(dir: string): Promise<{ key: Buffer; cert: Buffer }> {
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
    const key = path.join(dir, "kubelet.key");
    const cert = path.join(dir, "kubelet.crt");
    await runOk("openssl", [
        "req",
        "-x509",
        "-newkey",
        "ec",
        "-pkeyopt",
        "ec_paramgen_curve:prime256v1",
        "-nodes",
        "-keyout",
        key,
        "-out",
        cert,
        "-days",
        "30",
        "-subj",
        "/CN=fake-kubelet",
        "-addext",
        "subjectAltName=IP:127.0.0.1,DNS:localhost",
    ]);
    return { key: fs.readFileSync(key), cert: fs.readFileSync(cert) };
}

export class KubeletServer {
    private constructor(
        private readonly server: https.Server,
        readonly port: number,
    ) {}

    /** Listens on 127.0.0.1:port (0: a free port); `source` is set later (the agent needs the port first). */
    static async start(opts: {
        port: number;
        certDir: string;
        /** The serving certificate and key (PEM); default a self-signed one made in certDir. */
        tls?: { cert: Buffer; key: Buffer };
        clientCa?: Buffer;
        source: () => LogSource | undefined;
    }): Promise<KubeletServer> {
        const { key, cert } = opts.tls ?? (await selfSignedCert(opts.certDir));
        const server = https.createServer(
            { key, cert, requestCert: true, rejectUnauthorized: Boolean(opts.clientCa), ...(opts.clientCa ? { ca: opts.clientCa } : {}) },
            (req, res) => KubeletServer.handle(req, res, opts.source()),
        );
        const wss = new WebSocketServer({ noServer: true, handleProtocols: () => EXEC_PROTOCOL });
        server.on("upgrade", (req: import("http").IncomingMessage, socket: import("stream").Duplex, head: Buffer) =>
            KubeletServer.upgrade(wss, req, socket, head, opts.source()),
        );
        await new Promise<void>((resolve, reject) => {
            server.once("error", reject);
            server.listen(opts.port, "127.0.0.1", () => resolve());
        });
        return new KubeletServer(server, (server.address() as AddressInfo).port);
    }

    private static handle(req: import("http").IncomingMessage, res: import("http").ServerResponse, source: LogSource | undefined): void {
        const url = new URL(req.url ?? "/", "https://127.0.0.1");
        const fail = (code: number, message: string) => {
            res.writeHead(code, { "Content-Type": "text/plain" });
            res.end(message + "\n");
        };
        if (url.pathname === "/healthz") return fail(200, "ok");
        const m = /^\/containerLogs\/([^/]+)\/([^/]+)\/([^/]+)$/.exec(url.pathname);
        if (!m)
            return fail(
                501,
                `fake kubelet: ${url.pathname.split("/")[1] || "/"} is not served (only /containerLogs, and /exec with a WebSocket upgrade)`,
            );
        if (req.method !== "GET") return fail(405, "only GET");
        const [ns, pod, container] = m.slice(1).map(decodeURIComponent);
        const file = source?.logPath(ns, pod, container);
        if (!source || !file) return fail(404, `container "${container}" in pod "${pod}" (namespace ${ns}) is not running on this node`);
        const num = (k: string) => (url.searchParams.has(k) ? Number(url.searchParams.get(k)) : undefined);
        const previous = url.searchParams.get("previous") === "true";
        const text = fs.existsSync(file) ? fs.readFileSync(file, "utf8") : "";
        const lines = instanceLines(text, previous);
        if (previous && !lines.length) return fail(400, `previous terminated container "${container}" in pod "${pod}" not found`);
        res.writeHead(200, { "Content-Type": "text/plain" });
        res.write(selectLog(lines, { tailLines: num("tailLines"), limitBytes: num("limitBytes") }));
        if (url.searchParams.get("follow") !== "true" || previous) return void res.end();
        // Follow: what the file gains, until the client goes or the pod does.
        let offset = Buffer.byteLength(text);
        const timer = setInterval(() => {
            const size = fs.statSync(file, { throwIfNoEntry: false })?.size ?? 0;
            if (size > offset) {
                const fd = fs.openSync(file, "r");
                const buf = Buffer.alloc(size - offset);
                fs.readSync(fd, buf, 0, buf.length, offset);
                fs.closeSync(fd);
                offset = size;
                res.write(
                    buf
                        .toString("utf8")
                        .split("\n")
                        .filter((l) => !HEADER.test(l))
                        .join("\n"),
                );
            }
            if (!source.hasPod(ns, pod)) {
                clearInterval(timer);
                res.end();
            }
        }, 250);
        req.on("close", () => clearInterval(timer));
    }

    /** GET /exec/<ns>/<pod>/<container> with a WebSocket upgrade offering v5.channel.k8s.io; anything else refused. */
    private static upgrade(
        wss: WebSocketServer,
        req: import("http").IncomingMessage,
        socket: import("stream").Duplex,
        head: Buffer,
        source: LogSource | undefined,
    ): void {
        const refuse = (code: number, reason: string, message: string) => {
            socket.end(`HTTP/1.1 ${code} ${reason}\r\nContent-Type: text/plain\r\nConnection: close\r\n\r\n${message}\n`);
        };
        const url = new URL(req.url ?? "/", "https://127.0.0.1");
        const m = /^\/exec\/([^/]+)\/([^/]+)\/([^/]+)$/.exec(url.pathname);
        if (!m) return refuse(501, "Not Implemented", `fake kubelet: ${url.pathname.split("/")[1] || "/"} is not served (only exec)`);
        if ((req.headers.upgrade ?? "").toLowerCase() !== "websocket") {
            return refuse(
                501,
                "Not Implemented",
                `fake kubelet: exec over ${req.headers.upgrade} is not served (only WebSocket, ${EXEC_PROTOCOL})`,
            );
        }
        const offered = (req.headers["sec-websocket-protocol"] ?? "").split(",").map((p) => p.trim());
        if (!offered.includes(EXEC_PROTOCOL)) {
            return refuse(400, "Bad Request", `fake kubelet: exec speaks only ${EXEC_PROTOCOL}; offered: ${offered.join(", ") || "none"}`);
        }
        const [ns, pod, container] = m.slice(1).map(decodeURIComponent);
        wss.handleUpgrade(req, socket, head, (ws) => {
            void serveExec(ws, execRequest(url.searchParams), (command, stdin) => {
                if (!source) return Promise.reject(new Error(`pod "${pod}" (namespace ${ns}) is not running on this node`));
                return source.exec(ns, pod, container, command, { stdin, timeoutMs: EXEC_TIMEOUT_MS });
            });
        });
    }

    close(): Promise<void> {
        this.server.closeAllConnections();
        return new Promise((resolve) => this.server.close(() => resolve()));
    }
}
