// A container's termination message, as kubelet makes it (kubernetes v1.3x, pkg/kubelet/kuberuntime):
//   - kuberuntime_container.go makeMounts: for a container with a terminationMessagePath (the API server
//     defaults it to /dev/termination-log), a new empty host file per container instance, chmod 0666, bind
//     mounted at that path;
//   - getTerminationMessage: once the instance has exited, the LAST MaxContainerTerminationMessageLength
//     (4096) bytes of that file (tail.ReadAtMost);
//   - convertToKubeContainerStatus: with terminationMessagePolicy FallbackToLogsOnError, an exit code other
//     than 0 and an empty (or missing) file, the last MaxContainerTerminationMessageLogLines (80) lines of
//     the instance's log, at most MaxContainerTerminationMessageLogLength (2048) bytes, the end kept
//     (readLastStringFromContainerLogs, a circular buffer);
//   - the result is status.containerStatuses[].state.terminated.message, and lastState.terminated.message
//     once the container has started again. A running container has none.
// Not copied: the pod-wide 12 KiB budget (MaxPodTerminationMessageLogLength) that kubelet_pods.go shares out
// among containers whose messages are too long together; the pods here write a few hundred bytes each.

import * as fs from "fs";
import * as path from "path";
import { instanceLines } from "./kubelet-server";
import type { Container } from "./types";
import type { ResolvedMount } from "./volumes";

/** The API server's default terminationMessagePath (pkg/apis/core/v1/defaults.go). */
export const DEFAULT_TERMINATION_MESSAGE_PATH = "/dev/termination-log";
const MAX_MESSAGE_BYTES = 4096;
const MAX_LOG_LINES = 80;
const MAX_LOG_BYTES = 2048;

/** The host file of one container instance, created empty and 0666, and its bind mount. */
export function terminationMount(c: Container, dir: string): ResolvedMount | undefined {
    const target = c.terminationMessagePath ?? DEFAULT_TERMINATION_MESSAGE_PATH;
    if (target === "") return undefined;
    fs.mkdirSync(dir, { recursive: true });
    const source = path.join(dir, "termination-log");
    fs.writeFileSync(source, "");
    // chmod, not the write's mode: the umask would narrow it (kubelet chmods for the same reason).
    fs.chmodSync(source, 0o666);
    return { source, target: path.normalize(target), readOnly: false, isFile: true };
}

/** The last `max` bytes of a buffer, as text (a cut UTF-8 sequence at the start is dropped, as Go's string() keeps it). */
const tail = (bytes: Buffer, max: number): string => bytes.subarray(Math.max(0, bytes.length - max)).toString("utf8");

/**
 * The message of an instance that has exited with `code`: its file's last 4096 bytes, or, under
 * FallbackToLogsOnError with a failure and nothing in the file, the tail of its log (`logPath` holds every
 * start; the last one is this instance's). undefined: no message.
 */
export function terminationMessage(c: Container, mount: ResolvedMount | undefined, code: number, logPath: string): string | undefined {
    let message = "";
    if (mount) {
        try {
            message = tail(fs.readFileSync(mount.source), MAX_MESSAGE_BYTES);
        } catch (e) {
            if ((e as NodeJS.ErrnoException).code !== "ENOENT")
                return `Error on reading termination log ${mount.source}: ${(e as Error).message}`;
        }
    }
    if (message === "" && code !== 0 && c.terminationMessagePolicy === "FallbackToLogsOnError") {
        const text = fs.existsSync(logPath) ? fs.readFileSync(logPath, "utf8") : "";
        const lines = instanceLines(text, false).slice(-MAX_LOG_LINES);
        message = tail(Buffer.from(lines.map((l) => `${l}\n`).join("")), MAX_LOG_BYTES);
    }
    return message === "" ? undefined : message;
}
