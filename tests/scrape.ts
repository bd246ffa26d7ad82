// A Prometheus scrape as the real suites take it: an HTTP GET of a pod's metrics port from inside the pod
// network, as Prometheus reaches it (a container's bash and its /dev/tcp: the host has no route into the
// pods), and the text format parsed.
import * as assert from "assert";

/** One scrape: the metric names, and each sample's value by its series text (`name{labels}`). */
export interface Scrape {
    names: Set<string>;
    samples: Map<string, number>;
}

/** Prometheus' text format: every sample line, comments and HELP/TYPE lines left out. */
export function parseScrape(text: string): Scrape {
    const samples = new Map<string, number>();
    for (const line of text.split("\n")) {
        const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*(?:\{[^}]*\})?) (\S+)/.exec(line);
        if (m) samples.set(m[1], Number(m[2]));
    }
    return { names: new Set([...samples.keys()].map((series) => series.replace(/\{.*$/, ""))), samples };
}

/** The command, run in a pod's container, that GETs http://IP:PORT/PATH and prints the whole response. */
export function httpGet(ip: string, port: number, path: string): string[] {
    const request = `GET ${path} HTTP/1.0\r\nHost: ${ip}\r\n\r\n`;
    return ["bash", "-c", `exec 3<>/dev/tcp/${ip}/${port} && printf '${request}' >&3 && cat <&3`];
}

/** The body of `httpGet`'s response, which must be a 200 (`what` names it in the failure). */
export function okBody(response: string, what: string): string {
    const [head, body] = response.split("\r\n\r\n", 2);
    assert.match(head, /^HTTP\/1\.[01] 200 /, what);
    return body ?? "";
}
