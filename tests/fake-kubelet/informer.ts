// A minimal informer, as client-go's reflector does it: list (the store replaced, the differences told as
// events), then watch from the list's resourceVersion with bookmarks, again from the last resourceVersion
// when the server ends the watch, and a fresh list when the server answers 410 Gone (the resourceVersion is
// too old) or the watch fails. Handlers see ADDED, MODIFIED (with the object before) and DELETED.

import { ApiClient, ApiError, queryString, WatchEvent } from "./kube-client";
import { sleep } from "./util";

export interface ApiObject {
    metadata: { name: string; namespace?: string; uid?: string; resourceVersion?: string };
}

export type InformerHandler<T> = (type: "ADDED" | "MODIFIED" | "DELETED", obj: T, old?: T) => void;

export function keyOf(o: ApiObject): string {
    return o.metadata.namespace ? `${o.metadata.namespace}/${o.metadata.name}` : o.metadata.name;
}

/** Thrown inside the loop when the watch must start again from a fresh list. */
class Relist extends Error {}

export class Informer<T extends ApiObject> {
    readonly store = new Map<string, T>();
    private resourceVersion = "";
    private readonly abort = new AbortController();
    private synced: Promise<void> | undefined;
    private stopped = false;
    /** Watches, lists and errors (for the tests and the log). */
    readonly stats = { lists: 0, watches: 0, gone: 0, errors: 0 };

    constructor(
        private readonly client: ApiClient,
        /** A collection path such as /api/v1/pods or /apis/discovery.k8s.io/v1/endpointslices. */
        readonly collection: string,
        private readonly handler: InformerHandler<T>,
        private readonly opts: { fieldSelector?: string; watchTimeoutSeconds?: number; retryMs?: number; log?: (m: string) => void } = {},
    ) {}

    /** Starts the loop; resolves after the first list. */
    start(): Promise<void> {
        if (!this.synced) {
            let firstList!: () => void;
            this.synced = new Promise((r) => (firstList = r));
            void this.loop(firstList);
        }
        return this.synced;
    }

    stop(): void {
        this.stopped = true;
        this.abort.abort();
    }

    /** A handler's error is its own: logged, the informer goes on. */
    private tell(type: "ADDED" | "MODIFIED" | "DELETED", obj: T, old?: T): void {
        try {
            this.handler(type, obj, old);
        } catch (e) {
            this.opts.log?.(`${this.collection}: handler failed on ${type} ${keyOf(obj)}: ${(e as Error).stack ?? e}`);
        }
    }

    /** Replaces the store with a list's items, telling each difference. */
    applyList(items: T[], resourceVersion: string): void {
        const seen = new Set<string>();
        for (const o of items) {
            const k = keyOf(o);
            seen.add(k);
            const old = this.store.get(k);
            this.store.set(k, o);
            if (!old) this.tell("ADDED", o);
            else if (old.metadata.resourceVersion !== o.metadata.resourceVersion) this.tell("MODIFIED", o, old);
        }
        for (const [k, old] of [...this.store]) {
            if (seen.has(k)) continue;
            this.store.delete(k);
            this.tell("DELETED", old);
        }
        this.resourceVersion = resourceVersion;
    }

    /** One watch event; throws Relist on 410 Gone. */
    applyEvent(e: WatchEvent<T>): void {
        if (e.type === "ERROR") {
            const st = e.object as unknown as { code?: number; message?: string };
            if (st.code === 410) throw new Relist(st.message ?? "410 Gone");
            throw new Error(`watch ${this.collection}: ERROR ${st.code}: ${st.message}`);
        }
        const rv = e.object.metadata.resourceVersion;
        if (rv) this.resourceVersion = rv;
        if (e.type === "BOOKMARK") return;
        const k = keyOf(e.object);
        const old = this.store.get(k);
        if (e.type === "DELETED") {
            this.store.delete(k);
            this.tell("DELETED", e.object);
        } else {
            this.store.set(k, e.object);
            this.tell(old ? "MODIFIED" : "ADDED", e.object, old);
        }
    }

    private async list(): Promise<void> {
        this.stats.lists++;
        const fs = this.opts.fieldSelector;
        const list = await this.client.request<{ metadata: { resourceVersion: string }; items: T[] }>(
            "GET",
            `${this.collection}${queryString({ fieldSelector: fs })}`,
        );
        this.applyList(list.items, list.metadata.resourceVersion);
    }

    private async loop(firstList: () => void): Promise<void> {
        let needList = true;
        while (!this.stopped) {
            try {
                if (needList) {
                    await this.list();
                    firstList();
                    needList = false;
                }
                this.stats.watches++;
                const q = queryString({
                    watch: 1,
                    resourceVersion: this.resourceVersion,
                    allowWatchBookmarks: true,
                    timeoutSeconds: this.opts.watchTimeoutSeconds ?? 240 + Math.floor(Math.random() * 60),
                    fieldSelector: this.opts.fieldSelector,
                });
                let failure: unknown;
                const thisWatch = new AbortController();
                const onStop = () => thisWatch.abort();
                this.abort.signal.addEventListener("abort", onStop);
                await this.client
                    .watch<T>(
                        `${this.collection}${q}`,
                        (e) => {
                            if (failure) return;
                            try {
                                this.applyEvent(e);
                            } catch (err) {
                                failure = err;
                                thisWatch.abort();
                            }
                        },
                        thisWatch.signal,
                    )
                    // Aborted for a failure: that failure is the news, not the abort's own error.
                    .catch((e: unknown) => {
                        throw failure ?? e;
                    })
                    .finally(() => this.abort.signal.removeEventListener("abort", onStop));
                if (failure) throw failure;
            } catch (e) {
                if (this.stopped) break;
                if (e instanceof Relist || (e instanceof ApiError && e.status === 410)) {
                    this.stats.gone++;
                    this.opts.log?.(`${this.collection}: ${(e as Error).message}; listing again`);
                } else {
                    this.stats.errors++;
                    this.opts.log?.(`${this.collection}: ${(e as Error).message}; listing again after ${this.opts.retryMs ?? 1000} ms`);
                    await sleep(this.opts.retryMs ?? 1000);
                }
                needList = true;
            }
        }
    }
}
