// The node agent's Kubernetes API client: Node's own https with the kubeconfig's server, CA and client
// certificate (or bearer token). JSON requests, and watches read as the API streams them (one JSON event per
// line). No client library: @kubernetes/client-node 1.x is ESM-only, pulls its own @types/node, undici,
// openid-client, ws and tar-fs, and the agent needs a dozen requests and a watch.

import * as fs from "fs";
import * as https from "https";
import * as path from "path";
import * as yaml from "js-yaml";

/** Where the API server is and how to prove who we are. */
export interface KubeConnection {
    server: string;
    ca?: Buffer;
    cert?: Buffer;
    key?: Buffer;
    token?: string;
    insecureSkipTlsVerify?: boolean;
}

interface NamedEntry<T> {
    name: string;
    [key: string]: T | string;
}

/** Reads a kubeconfig (its current context, or `context`): inline `-data` fields, or files relative to the kubeconfig. */
export function loadKubeconfig(file: string, context?: string): KubeConnection {
    const doc = yaml.load(fs.readFileSync(file, "utf8")) as {
        "current-context"?: string;
        contexts?: NamedEntry<{ cluster: string; user: string }>[];
        clusters?: NamedEntry<Record<string, string | boolean>>[];
        users?: NamedEntry<Record<string, string>>[];
    };
    const want = context ?? doc["current-context"];
    const ctx = (doc.contexts ?? []).find((c) => c.name === want)?.context as { cluster: string; user: string } | undefined;
    if (!ctx) throw new Error(`kubeconfig ${file}: no context ${JSON.stringify(want)}; give one with --context or set current-context.`);
    const cluster = (doc.clusters ?? []).find((c) => c.name === ctx.cluster)?.cluster as Record<string, string | boolean> | undefined;
    const user = ((doc.users ?? []).find((u) => u.name === ctx.user)?.user ?? {}) as Record<string, string>;
    if (!cluster || typeof cluster.server !== "string") throw new Error(`kubeconfig ${file}: cluster ${ctx.cluster} has no server.`);
    const dir = path.dirname(path.resolve(file));
    const read = (entry: Record<string, string | boolean>, field: string): Buffer | undefined => {
        const data = entry[`${field}-data`];
        if (typeof data === "string") return Buffer.from(data, "base64");
        const f = entry[field];
        return typeof f === "string" ? fs.readFileSync(path.resolve(dir, f)) : undefined;
    };
    return {
        server: cluster.server.replace(/\/+$/, ""),
        ca: read(cluster, "certificate-authority"),
        cert: read(user, "client-certificate"),
        key: read(user, "client-key"),
        token: user.token,
        insecureSkipTlsVerify: cluster["insecure-skip-tls-verify"] === true,
    };
}

/** A Status the API answered with (HTTP status >= 400). */
export class ApiError extends Error {
    constructor(
        readonly status: number,
        readonly reason: string,
        message: string,
    ) {
        super(message);
    }
}

export interface WatchEvent<T> {
    type: "ADDED" | "MODIFIED" | "DELETED" | "BOOKMARK" | "ERROR";
    object: T;
}

/** Splits a stream into lines: the complete lines of `carry + chunk`, and what is left for the next chunk. */
export function splitLines(carry: string, chunk: string): { lines: string[]; rest: string } {
    const parts = (carry + chunk).split("\n");
    const rest = parts.pop() ?? "";
    return { lines: parts.filter((l) => l.trim() !== ""), rest };
}

/** A query string from the defined values. */
export function queryString(query: Record<string, string | number | boolean | undefined>): string {
    const q = Object.entries(query)
        .filter(([, v]) => v !== undefined)
        .map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(String(v))}`);
    return q.length ? `?${q.join("&")}` : "";
}

/** The requests the informers and the agent make: a fake in the unit tests. */
export interface ApiClient {
    request<T>(method: string, apiPath: string, opts?: { body?: unknown; contentType?: string }): Promise<T>;
    /** Streams a watch; resolves when the server ends it (its timeout), rejects on a transport or HTTP error. */
    watch<T>(apiPath: string, onEvent: (e: WatchEvent<T>) => void, signal: AbortSignal): Promise<void>;
}

export class KubeClient implements ApiClient {
    private readonly agent: https.Agent;
    private readonly base: URL;

    constructor(readonly conn: KubeConnection) {
        this.base = new URL(conn.server);
        this.agent = new https.Agent({
            keepAlive: true,
            ca: conn.ca,
            cert: conn.cert,
            key: conn.key,
            rejectUnauthorized: !conn.insecureSkipTlsVerify,
        });
    }

    private options(method: string, apiPath: string, headers: Record<string, string>): https.RequestOptions {
        return {
            method,
            hostname: this.base.hostname,
            port: this.base.port || 443,
            path: apiPath,
            agent: this.agent,
            headers: {
                Accept: "application/json",
                "User-Agent": "fake-kubelet-node-agent",
                ...(this.conn.token ? { Authorization: `Bearer ${this.conn.token}` } : {}),
                ...headers,
            },
        };
    }

    private static error(status: number, text: string, method: string, apiPath: string): ApiError {
        let reason = "";
        let message = text.trim();
        try {
            const st = JSON.parse(text) as { reason?: string; message?: string };
            reason = st.reason ?? "";
            message = st.message ?? message;
        } catch {
            // not a Status
        }
        return new ApiError(status, reason, `${method} ${apiPath}: ${status} ${reason}: ${message}`);
    }

    request<T>(method: string, apiPath: string, opts: { body?: unknown; contentType?: string } = {}): Promise<T> {
        const body = opts.body === undefined ? undefined : Buffer.from(JSON.stringify(opts.body));
        const headers: Record<string, string> = body
            ? { "Content-Type": opts.contentType ?? "application/json", "Content-Length": String(body.length) }
            : {};
        return new Promise<T>((resolve, reject) => {
            const req = https.request(this.options(method, apiPath, headers), (res) => {
                const chunks: Buffer[] = [];
                res.on("data", (c: Buffer) => chunks.push(c));
                res.on("error", reject);
                res.on("end", () => {
                    const text = Buffer.concat(chunks).toString("utf8");
                    const status = res.statusCode ?? 0;
                    if (status >= 400) return reject(KubeClient.error(status, text, method, apiPath));
                    try {
                        resolve((text ? JSON.parse(text) : {}) as T);
                    } catch (e) {
                        reject(new Error(`${method} ${apiPath}: answer is not JSON: ${(e as Error).message}`));
                    }
                });
            });
            req.setTimeout(30_000, () => req.destroy(new Error(`${method} ${apiPath}: no answer in 30 s`)));
            req.on("error", reject);
            req.end(body);
        });
    }

    watch<T>(apiPath: string, onEvent: (e: WatchEvent<T>) => void, signal: AbortSignal): Promise<void> {
        return new Promise<void>((resolve, reject) => {
            const req = https.request({ ...this.options("GET", apiPath, {}), signal }, (res) => {
                const status = res.statusCode ?? 0;
                if (status >= 400) {
                    const chunks: Buffer[] = [];
                    res.on("data", (c: Buffer) => chunks.push(c));
                    res.on("end", () => reject(KubeClient.error(status, Buffer.concat(chunks).toString("utf8"), "GET", apiPath)));
                    return;
                }
                res.setEncoding("utf8");
                let rest = "";
                res.on("data", (chunk: string) => {
                    const split = splitLines(rest, chunk);
                    rest = split.rest;
                    for (const line of split.lines) {
                        try {
                            onEvent(JSON.parse(line) as WatchEvent<T>);
                        } catch (e) {
                            req.destroy(new Error(`watch ${apiPath}: ${(e as Error).message}`));
                            return;
                        }
                    }
                });
                res.on("end", () => resolve());
                res.on("error", (e) => (signal.aborted ? resolve() : reject(e)));
            });
            req.on("error", (e) => (signal.aborted ? resolve() : reject(e)));
            req.end();
        });
    }

    close(): void {
        this.agent.destroy();
    }
}
