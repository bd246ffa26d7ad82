// Pod volumes on the host, the way kubelet lays them out:
//   emptyDir              fresh 0777 dir per pod start (survives container restarts, not the pod)
//   configMap / secret    kubelet's atomic-writer layout: files in ..<timestamp>/, ..data -> it,
//                         and each top-level name a symlink into ..data; modes from items[].mode
//                         or defaultMode (YAML gives decimal: 493 = 0o755); always mounted read-only;
//                         a changed object is written to a new ..<timestamp>/ and ..data swapped to it
//                         (syncProjectedVolumes), so a running pod sees the new files at once
//   volumeClaimTemplates  <workDir>/pvc/<template>-<pod>, created once, kept across pod restarts
//                         and scale down/up (like a PVC whose PV is retained)
//   persistentVolumeClaim <workDir>/pvc/<claimName>, or the host dir options.claimPaths gives it
// and the subPath of a volumeMount (created when missing, with the volume root's mode, like kubelet).

import { createHash } from "crypto";
import * as fs from "fs";
import * as path from "path";
import { configMapBytes, EnvSources, expandK8s, secretBytes } from "./env";
import type { KeyToPath, VolumeMount, VolumeSpec } from "./types";
import { safeRemove } from "./util";

export interface PreparedVolume {
    name: string;
    kind: "emptyDir" | "configMap" | "secret" | "pvc";
    hostPath: string;
    /** configMap and secret volumes are read-only whatever the mount says. */
    forceReadOnly: boolean;
    /** configMap and secret volumes: what was written, to tell whether the object changed. */
    digest?: string;
}

export interface ResolvedMount {
    source: string;
    target: string;
    readOnly: boolean;
    isFile: boolean;
}

export interface VolumeContext {
    pod: string;
    namespace: string;
    /** <workDir>/pods/<pod>/volumes */
    volumesDir: string;
    /** <workDir>/pvc */
    pvcRoot: string;
    claimTemplates: string[];
    /** Claims kept outside pvcRoot (FakeClusterOptions.claimPaths). */
    claimPaths: Record<string, string>;
    sources: EnvSources;
    fsGroup?: number;
}

export function claimDir(pvcRoot: string, template: string, pod: string): string {
    return path.join(pvcRoot, `${template}-${pod}`);
}

/** kubelet's timestamp directory: `..2006_01_02_15_04_05.` and a random suffix (os.MkdirTemp), mode 0755. */
function timestampDir(dir: string): string {
    const d = new Date();
    const p = (n: number) => String(n).padStart(2, "0");
    const prefix = `..${d.getUTCFullYear()}_${p(d.getUTCMonth() + 1)}_${p(d.getUTCDate())}_${p(d.getUTCHours())}_${p(d.getUTCMinutes())}_${p(d.getUTCSeconds())}.`;
    const ts = fs.mkdtempSync(path.join(dir, prefix));
    fs.chmodSync(ts, 0o755);
    return path.basename(ts);
}

interface ProjectedFile {
    rel: string;
    content: Buffer;
    mode: number;
}

/** The files of a configMap or secret volume: every key, or the items, with their modes. */
function projectedFiles(data: Record<string, Buffer>, items: KeyToPath[] | undefined, defaultMode: number, what: string): ProjectedFile[] {
    const entries: ProjectedFile[] = [];
    if (items?.length) {
        for (const it of items) {
            if (data[it.key] === undefined) throw new Error(`${what}: key ${it.key} not found`);
            entries.push({ rel: it.path, content: data[it.key], mode: it.mode ?? defaultMode });
        }
    } else {
        for (const [k, v] of Object.entries(data)) entries.push({ rel: k, content: v, mode: defaultMode });
    }
    for (const e of entries) {
        if (path.isAbsolute(e.rel) || e.rel.split("/").includes("..") || e.rel.startsWith("..")) {
            throw new Error(`${what}: item path ${e.rel} is not allowed`);
        }
    }
    return entries;
}

function digestOf(entries: ProjectedFile[], fsGroup: number | undefined): string {
    const h = createHash("sha256").update(String(fsGroup));
    for (const e of entries) h.update(`\0${e.rel}\0${e.mode}\0`).update(e.content);
    return h.digest("hex");
}

/**
 * Writes the files the way kubelet's AtomicWriter does: into a new timestamp directory, then `..data`
 * swapped to it by a rename, the top-level symlinks added or removed, the previous directory deleted.
 */
function writeProjected(dir: string, entries: ProjectedFile[], fsGroup: number | undefined): void {
    const ts = timestampDir(dir);
    const tops = new Set<string>();
    for (const e of entries) {
        const file = path.join(dir, ts, e.rel);
        fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o755 });
        fs.writeFileSync(file, e.content);
        let mode = e.mode;
        if (fsGroup !== undefined) {
            fs.chownSync(file, 0, fsGroup);
            mode |= 0o040; // kubelet adds group read for the fsGroup
        }
        fs.chmodSync(file, mode);
        tops.add(e.rel.split("/")[0]);
    }
    const data = path.join(dir, "..data");
    const previous = fs.existsSync(data) ? fs.readlinkSync(data) : undefined;
    fs.symlinkSync(ts, path.join(dir, "..data_tmp"));
    fs.renameSync(path.join(dir, "..data_tmp"), data);
    for (const t of tops)
        if (!fs.lstatSync(path.join(dir, t), { throwIfNoEntry: false })) fs.symlinkSync(path.join("..data", t), path.join(dir, t));
    for (const name of fs.readdirSync(dir)) if (!name.startsWith("..") && !tops.has(name)) fs.unlinkSync(path.join(dir, name));
    if (previous) fs.rmSync(path.join(dir, previous), { recursive: true, force: true });
}

/** The files a configMap or secret volume should hold now; undefined when its object is missing. */
function projectedSource(v: VolumeSpec, ctx: VolumeContext): { files: ProjectedFile[]; what: string } | undefined {
    const source = v.configMap
        ? { kind: "ConfigMap", ...v.configMap, data: configMapBytes(ctx.sources, v.configMap.name, ctx.namespace) }
        : v.secret
          ? { kind: "Secret", name: v.secret.secretName, ...v.secret, data: secretBytes(ctx.sources, v.secret.secretName, ctx.namespace) }
          : undefined;
    if (!source) return undefined;
    const what = `volume ${v.name} (${source.kind} ${source.name})`;
    if (!source.data && !source.optional) return undefined;
    return { files: projectedFiles(source.data ?? {}, source.items, source.defaultMode ?? 0o644, what), what };
}

/**
 * kubelet's periodic sync of a running pod's configMap and secret volumes: each one whose object changed is
 * rewritten (atomic swap); one whose object is gone keeps its files. Returns what was updated.
 */
export function syncProjectedVolumes(volumes: VolumeSpec[], prepared: Map<string, PreparedVolume>, ctx: VolumeContext): string[] {
    const updated: string[] = [];
    for (const v of volumes) {
        const vol = prepared.get(v.name);
        const src = vol && projectedSource(v, ctx);
        if (!vol || !src) continue;
        const digest = digestOf(src.files, ctx.fsGroup);
        if (digest === vol.digest) continue;
        writeProjected(vol.hostPath, src.files, ctx.fsGroup);
        vol.digest = digest;
        updated.push(src.what);
    }
    return updated;
}

/** kubelet's SetVolumeOwnership: group fsGroup, group rw(x), setgid dirs. */
function applyFsGroup(root: string, gid: number): void {
    const walk = (p: string) => {
        const st = fs.lstatSync(p);
        if (st.isSymbolicLink()) return;
        fs.chownSync(p, st.uid, gid);
        if (st.isDirectory()) {
            fs.chmodSync(p, (st.mode & 0o7777) | 0o2070);
            for (const e of fs.readdirSync(p)) walk(path.join(p, e));
        } else {
            fs.chmodSync(p, (st.mode & 0o7777) | 0o060);
        }
    };
    walk(root);
}

/** Creates every volume of a pod that is starting. */
export async function prepareVolumes(volumes: VolumeSpec[], ctx: VolumeContext): Promise<Map<string, PreparedVolume>> {
    await safeRemove(ctx.volumesDir);
    fs.mkdirSync(ctx.volumesDir, { recursive: true });
    const out = new Map<string, PreparedVolume>();
    for (const v of volumes) {
        const dir = path.join(ctx.volumesDir, v.name);
        if (v.emptyDir) {
            fs.mkdirSync(dir, { recursive: true });
            fs.chmodSync(dir, 0o777);
            if (ctx.fsGroup !== undefined) applyFsGroup(dir, ctx.fsGroup);
            out.set(v.name, { name: v.name, kind: "emptyDir", hostPath: dir, forceReadOnly: false });
        } else if (v.configMap || v.secret) {
            const src = projectedSource(v, ctx);
            if (!src) {
                throw new Error(
                    v.configMap
                        ? `volume ${v.name}: ConfigMap ${v.configMap.name} not found among the objects`
                        : `volume ${v.name}: Secret ${v.secret?.secretName} not found (objects or options.secrets)`,
                );
            }
            fs.mkdirSync(dir, { recursive: true, mode: 0o755 });
            writeProjected(dir, src.files, ctx.fsGroup);
            const kind = v.configMap ? "configMap" : "secret";
            out.set(v.name, { name: v.name, kind, hostPath: dir, forceReadOnly: true, digest: digestOf(src.files, ctx.fsGroup) });
        } else if (v.persistentVolumeClaim) {
            const claim = ctx.claimPaths[v.persistentVolumeClaim.claimName] ?? path.join(ctx.pvcRoot, v.persistentVolumeClaim.claimName);
            fs.mkdirSync(claim, { recursive: true, mode: 0o755 });
            if (ctx.fsGroup !== undefined) applyFsGroup(claim, ctx.fsGroup);
            out.set(v.name, { name: v.name, kind: "pvc", hostPath: claim, forceReadOnly: Boolean(v.persistentVolumeClaim.readOnly) });
        } else {
            const kind = Object.keys(v)
                .filter((k) => k !== "name")
                .join(",");
            throw new Error(`volume ${v.name}: type ${kind} is not supported by the harness`);
        }
    }
    // A claim template applies to the pod when no pod volume of the same name exists.
    for (const t of ctx.claimTemplates) {
        if (out.has(t)) continue;
        // A claim of that name given in claimPaths is used, as a StatefulSet uses an existing PVC <template>-<pod>.
        const claim = ctx.claimPaths[`${t}-${ctx.pod}`] ?? claimDir(ctx.pvcRoot, t, ctx.pod);
        if (!fs.existsSync(claim)) fs.mkdirSync(claim, { recursive: true, mode: 0o755 });
        if (ctx.fsGroup !== undefined) applyFsGroup(claim, ctx.fsGroup);
        out.set(t, { name: t, kind: "pvc", hostPath: claim, forceReadOnly: false });
    }
    return out;
}

/** Host source of one volumeMount, with its subPath resolved and created like kubelet does. */
export function resolveMount(
    vols: Map<string, PreparedVolume>,
    vm: VolumeMount,
    lookupEnv: (name: string) => string | undefined,
    container: string,
): ResolvedMount {
    const vol = vols.get(vm.name);
    if (!vol) throw new Error(`container ${container}: volumeMount ${vm.name} names no volume of the pod`);
    if (!path.isAbsolute(vm.mountPath)) throw new Error(`container ${container}: mountPath ${vm.mountPath} must be absolute`);
    const target = path.normalize(vm.mountPath);
    const sub = vm.subPathExpr !== undefined ? expandK8s(vm.subPathExpr, lookupEnv) : vm.subPath;
    let source = vol.hostPath;
    if (sub) {
        if (path.isAbsolute(sub) || sub.split("/").includes("..")) {
            throw new Error(`container ${container}: subPath ${sub} must be relative and must not contain ..`);
        }
        const p = path.join(vol.hostPath, sub);
        if (!fs.existsSync(p)) {
            const mode = fs.statSync(vol.hostPath).mode & 0o7777;
            fs.mkdirSync(p, { recursive: true });
            fs.chmodSync(p, mode);
        }
        const real = fs.realpathSync(p);
        const root = fs.realpathSync(vol.hostPath);
        if (real !== root && !real.startsWith(root + "/")) {
            throw new Error(`container ${container}: subPath ${sub} escapes volume ${vm.name}`);
        }
        source = real;
    }
    return {
        source,
        target,
        readOnly: Boolean(vm.readOnly) || vol.forceReadOnly,
        isFile: !fs.statSync(source).isDirectory(),
    };
}
