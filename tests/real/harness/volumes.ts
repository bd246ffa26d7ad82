// Pod volumes on the host, the way kubelet lays them out:
//   emptyDir              fresh 0777 dir per pod start (survives container restarts, not the pod)
//   configMap / secret    kubelet's atomic-writer layout: files in ..<timestamp>/, ..data -> it,
//                         and each top-level name a symlink into ..data; modes from items[].mode
//                         or defaultMode (YAML gives decimal: 493 = 0o755); always mounted read-only
//   volumeClaimTemplates  <workDir>/pvc/<template>-<pod>, created once, kept across pod restarts
//                         and scale down/up (like a PVC whose PV is retained)
//   persistentVolumeClaim <workDir>/pvc/<claimName>, or the host dir options.claimPaths gives it
// and the subPath of a volumeMount (created when missing, with the volume root's mode, like kubelet).

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

function timestampDirName(): string {
    const d = new Date();
    const p = (n: number, w = 2) => String(n).padStart(w, "0");
    return `..${d.getUTCFullYear()}_${p(d.getUTCMonth() + 1)}_${p(d.getUTCDate())}_${p(d.getUTCHours())}_${p(
        d.getUTCMinutes(),
    )}_${p(d.getUTCSeconds())}.${p(d.getUTCMilliseconds(), 3)}000000`;
}

/** Writes key files the way kubelet's AtomicWriter does. */
function writeProjected(
    dir: string,
    data: Record<string, Buffer>,
    items: KeyToPath[] | undefined,
    defaultMode: number,
    what: string,
    fsGroup: number | undefined,
): void {
    const entries: { rel: string; content: Buffer; mode: number }[] = [];
    if (items?.length) {
        for (const it of items) {
            if (data[it.key] === undefined) throw new Error(`${what}: key ${it.key} not found`);
            entries.push({ rel: it.path, content: data[it.key], mode: it.mode ?? defaultMode });
        }
    } else {
        for (const [k, v] of Object.entries(data)) entries.push({ rel: k, content: v, mode: defaultMode });
    }
    const ts = timestampDirName();
    fs.mkdirSync(path.join(dir, ts), { recursive: true, mode: 0o755 });
    const tops = new Set<string>();
    for (const e of entries) {
        if (path.isAbsolute(e.rel) || e.rel.split("/").includes("..") || e.rel.startsWith("..")) {
            throw new Error(`${what}: item path ${e.rel} is not allowed`);
        }
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
    fs.symlinkSync(ts, path.join(dir, "..data"));
    for (const t of tops) fs.symlinkSync(path.join("..data", t), path.join(dir, t));
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
        } else if (v.configMap) {
            const { name, items, defaultMode, optional } = v.configMap;
            const data = configMapBytes(ctx.sources, name, ctx.namespace);
            if (!data && !optional) throw new Error(`volume ${v.name}: ConfigMap ${name} not found among the objects`);
            fs.mkdirSync(dir, { recursive: true, mode: 0o755 });
            writeProjected(dir, data ?? {}, items, defaultMode ?? 0o644, `volume ${v.name} (ConfigMap ${name})`, ctx.fsGroup);
            out.set(v.name, { name: v.name, kind: "configMap", hostPath: dir, forceReadOnly: true });
        } else if (v.secret) {
            const { secretName, items, defaultMode, optional } = v.secret;
            const data = secretBytes(ctx.sources, secretName, ctx.namespace);
            if (!data && !optional) throw new Error(`volume ${v.name}: Secret ${secretName} not found (objects or options.secrets)`);
            fs.mkdirSync(dir, { recursive: true, mode: 0o755 });
            writeProjected(dir, data ?? {}, items, defaultMode ?? 0o644, `volume ${v.name} (Secret ${secretName})`, ctx.fsGroup);
            out.set(v.name, { name: v.name, kind: "secret", hostPath: dir, forceReadOnly: true });
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
