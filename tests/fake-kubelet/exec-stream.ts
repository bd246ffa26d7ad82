// Kubernetes' remote command WebSocket protocol, v5.channel.k8s.io, as the kubelet speaks it for exec when the
// API server proxies kubectl's WebSocket straight to it (ExtendWebSocketsToKubelet, the node declaring the
// feature). Defined by k8s.io/streaming/pkg/httpstream/wsstream (conn.go) and client-go's
// tools/remotecommand/websocket.go: every binary message starts with its channel byte (0 stdin, 1 stdout,
// 2 stderr, 3 error: the final metav1.Status, 4 terminal resize); v5 adds the close signal, 255 then the channel
// that ends (the client sends [255, 0] when its stdin is done). The client ends its streams when the connection
// closes normally, so the server sends stdout, stderr, the status, then closes with 1000.

import type { WebSocket } from "ws";

export const EXEC_PROTOCOL = "v5.channel.k8s.io";
export const CHANNEL = { stdin: 0, stdout: 1, stderr: 2, error: 3, resize: 4 } as const;
export const STREAM_CLOSE = 255;

/** One message of the protocol: data on a channel, or v5's close signal for a channel. */
export type Frame = { kind: "data"; channel: number; data: Buffer } | { kind: "close"; channel: number };

export function encodeFrame(channel: number, data: Buffer | string): Buffer {
    return Buffer.concat([Buffer.from([channel]), typeof data === "string" ? Buffer.from(data, "utf8") : data]);
}

export function encodeClose(channel: number): Buffer {
    return Buffer.from([STREAM_CLOSE, channel]);
}

/** A received binary message; throws on an empty one or a close signal without exactly one channel byte. */
export function decodeFrame(message: Buffer): Frame {
    if (message.length === 0) throw new Error("empty message: no channel byte");
    if (message[0] === STREAM_CLOSE) {
        if (message.length !== 2) throw new Error(`close signal with ${message.length - 1} channel bytes (want 1)`);
        return { kind: "close", channel: message[1] };
    }
    return { kind: "data", channel: message[0], data: message.subarray(1) };
}

/** The Status an exec ends with on the error channel: Success, or NonZeroExitCode with the code, as kubelet sends. */
export function exitStatus(code: number): object {
    if (code === 0) return { apiVersion: "v1", kind: "Status", metadata: {}, status: "Success" };
    return {
        apiVersion: "v1",
        kind: "Status",
        metadata: {},
        status: "Failure",
        message: `command terminated with non-zero exit code: exit status ${code}`,
        reason: "NonZeroExitCode",
        details: { causes: [{ reason: "ExitCode", message: String(code) }] },
    };
}

/** A Status for an exec that could not run (kubectl prints the message and exits 1). */
export function failureStatus(message: string, reason = "InternalError"): object {
    return { apiVersion: "v1", kind: "Status", metadata: {}, status: "Failure", message, reason };
}

export interface ExecRequest {
    command: string[];
    stdin: boolean;
    stdout: boolean;
    stderr: boolean;
    tty: boolean;
}

/** The kubelet's exec query (the API server's streamParams: command repeated, input/output/error/tty = 1). */
export function execRequest(params: URLSearchParams): ExecRequest {
    const flag = (k: string) => ["1", "true"].includes(params.get(k) ?? "");
    return { command: params.getAll("command"), stdin: flag("input"), stdout: flag("output"), stderr: flag("error"), tty: flag("tty") };
}

export type ExecRunner = (command: string[], stdin: string | undefined) => Promise<{ code: number; stdout: string; stderr: string }>;

/**
 * Serves one exec on an open WebSocket, buffered: stdin (when asked for) is read until the client's close signal
 * for channel 0, then the command runs, then its stdout and stderr are sent, then the Status, then the close.
 * A TTY is refused with a Failure; so is a run that throws (no such pod or container), with its message.
 */
export function serveExec(ws: WebSocket, req: ExecRequest, run: ExecRunner): Promise<void> {
    return new Promise((resolve) => {
        let done = false;
        const finish = (status: object, out = "", err = "") => {
            if (done) return;
            done = true;
            if (req.stdout && out) ws.send(encodeFrame(CHANNEL.stdout, out));
            if (req.stderr && err) ws.send(encodeFrame(CHANNEL.stderr, err));
            ws.send(encodeFrame(CHANNEL.error, JSON.stringify(status)));
            ws.close(1000);
            resolve();
        };
        ws.on("close", () => {
            done = true;
            resolve();
        });
        if (req.tty) {
            return finish(failureStatus("fake kubelet: exec with a TTY is not supported; run kubectl exec without -t", "BadRequest"));
        }
        if (!req.command.length) return finish(failureStatus("fake kubelet: exec without a command", "BadRequest"));
        const start = (stdin: string | undefined) =>
            run(req.command, stdin).then(
                (r) => finish(exitStatus(r.code), r.stdout, r.stderr),
                (e: Error) => finish(failureStatus(e.message)),
            );
        if (!req.stdin) return void start(undefined);
        const chunks: Buffer[] = [];
        let started = false;
        ws.on("message", (message: Buffer, isBinary: boolean) => {
            if (started || done) return;
            let frame: Frame;
            try {
                if (!isBinary) throw new Error("text message (the protocol is binary)");
                frame = decodeFrame(message);
            } catch (e) {
                return finish(failureStatus(`fake kubelet: protocol error: ${(e as Error).message}`, "BadRequest"));
            }
            if (frame.kind === "data" && frame.channel === CHANNEL.stdin) chunks.push(frame.data);
            if (frame.kind === "close" && frame.channel === CHANNEL.stdin) {
                started = true;
                void start(Buffer.concat(chunks).toString("utf8"));
            }
        });
    });
}
