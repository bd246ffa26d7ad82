// Pod volumes on the host, the way kubelet lays them out:
//   emptyDir              fresh 0777 dir per pod start (survives container restarts, not the pod); medium
//                         Memory is a plain directory here
//   configMap / secret    kubelet's atomic-writer layout (the node agent's projected token volume too): files in ..<timestamp>/, ..data -> it, each key a
//                         symlink into ..data; defaultMode (YAML gives decimal: 493 = 0o755); always read-only;
//                         a changed object is written to a new ..<timestamp>/ and ..data swapped to it
//                         (syncProjectedVolumes), so a running pod sees the new files at once
//   volumeClaimTemplates  <workDir>/pvc/<template>-<pod>, created once, kept across pod restarts and scale
//                         down/up (like a PVC whose PV is retained), or the host dir options.claimPaths gives it
//   persistentVolumeClaim <workDir>/pvc/<claimName>, or the host dir options.claimPaths gives it
// and the subPath of a volumeMount (created when missing, with the volume root's mode, like kubelet).

import { createHash } from "crypto";
import * as fs from "fs";
import * as path from "path";
import type { K8sObject, Volume, VolumeMount } from "./types";
import { safeRemove } from "./util";

export interface PreparedVolume {
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
    /** Claims kept outside pvcRoot (FakeKubeletOptions.claimPaths). */
    claimPaths: Record<string, string>;
    objects: K8sObject[];
    /**
     * A projected volume's files (the node agent's service-account token volume: token, ca.crt, namespace);
     * undefined: its sources are not available.
     */
    projectedFiles?: (v: Volume) => [string, Buffer][] | undefined;
}

export function claimDir(ctx: Pick<VolumeContext, "pvcRoot" | "claimPaths">, claim: string): string {
    return ctx.claimPaths[claim] ?? path.join(ctx.pvcRoot, claim);
}

/** The files a configMap or secret volume should hold now (key -> bytes, mode); undefined when its object is missing. */
function projected(v: Volume, ctx: VolumeContext): { files: [string, Buffer][]; mode: number; what: string } | undefined {
    if (v.projected) {
        const files = ctx.projectedFiles?.(v);
        return files && { files, mode: v.projected.defaultMode ?? 0o644, what: `volume ${v.name} (projected)` };
    }
    const [kind, name] = v.configMap ? ["ConfigMap", v.configMap.name] : ["Secret", v.secret?.secretName];
    const o = ctx.objects.find((x) => x.kind === kind && x.metadata.name === name && (x.metadata.namespace ?? "default") === ctx.namespace);
    if (!o) return undefined;
    const files: [string, Buffer][] = [
        ...Object.entries<string>(o.data ?? {}).map(([k, s]): [string, Buffer] => [
            k,
            Buffer.from(s, kind === "Secret" ? "base64" : "utf8"),
        ]),
        ...Object.entries<string>(o.stringData ?? {}).map(([k, s]): [string, Buffer] => [k, Buffer.from(s, "utf8")]),
    ];
    return { files, mode: (v.configMap ?? v.secret)?.defaultMode ?? 0o644, what: `volume ${v.name} (${kind} ${name})` };
}

function digestOf(files: [string, Buffer][], mode: number): string {
    const h = createHash("sha256").update(String(mode));
    for (const [k, content] of files) h.update(`\0${k}\0`).update(content);
    return h.digest("hex");
}

/**
 * Writes the files the way kubelet's AtomicWriter does: into a new timestamp directory (`..2006_01_02_15_04_05.`
 * and a random suffix), then `..data` swapped to it by a rename, the top-level symlinks added or removed, the
 * previous directory deleted.
 */
function writeProjected(dir: string, files: [string, Buffer][], mode: number): void {
    const stamp = new Date().toISOString().replace(/[-T:]/g, "_").slice(0, 19);
    const ts = path.basename(fs.mkdtempSync(path.join(dir, `..${stamp}.`)));
    fs.chmodSync(path.join(dir, ts), 0o755);
    for (const [k, content] of files) {
        fs.writeFileSync(path.join(dir, ts, k), content);
        fs.chmodSync(path.join(dir, ts, k), mode);
    }
    const data = path.join(dir, "..data");
    const previous = fs.existsSync(data) ? fs.readlinkSync(data) : undefined;
    fs.symlinkSync(ts, path.join(dir, "..data_tmp"));
    fs.renameSync(path.join(dir, "..data_tmp"), data);
    const keys = new Set(files.map(([k]) => k));
    for (const k of keys)
        if (!fs.lstatSync(path.join(dir, k), { throwIfNoEntry: false })) fs.symlinkSync(path.join("..data", k), path.join(dir, k));
    for (const name of fs.readdirSync(dir)) if (!name.startsWith("..") && !keys.has(name)) fs.unlinkSync(path.join(dir, name));
    if (previous) fs.rmSync(path.join(dir, previous), { recursive: true, force: true });
}

/**
 * kubelet's periodic sync of a running pod's configMap and secret volumes: each one whose object changed is
 * rewritten (atomic swap); one whose object is gone keeps its files. Returns what was updated.
 */
export function syncProjectedVolumes(volumes: Volume[], prepared: Map<string, PreparedVolume>, ctx: VolumeContext): string[] {
    const updated: string[] = [];
    for (const v of volumes) {
        const vol = prepared.get(v.name);
        const src = vol?.digest !== undefined ? projected(v, ctx) : undefined;
        if (!vol || !src || digestOf(src.files, src.mode) === vol.digest) continue;
        writeProjected(vol.hostPath, src.files, src.mode);
        vol.digest = digestOf(src.files, src.mode);
        updated.push(src.what);
    }
    return updated;
}

/** Creates every volume of a pod that is starting; a missing ConfigMap or Secret throws (kubelet's FailedMount). */
export async function prepareVolumes(volumes: Volume[], ctx: VolumeContext): Promise<Map<string, PreparedVolume>> {
    await safeRemove(ctx.volumesDir);
    fs.mkdirSync(ctx.volumesDir, { recursive: true });
    const out = new Map<string, PreparedVolume>();
    for (const v of volumes) {
        const dir = path.join(ctx.volumesDir, v.name);
        if (v.emptyDir) {
            fs.mkdirSync(dir, { mode: 0o777 });
            fs.chmodSync(dir, 0o777);
            out.set(v.name, { hostPath: dir, forceReadOnly: false });
        } else if (v.persistentVolumeClaim) {
            const claim = claimDir(ctx, v.persistentVolumeClaim.claimName);
            fs.mkdirSync(claim, { recursive: true, mode: 0o755 });
            out.set(v.name, { hostPath: claim, forceReadOnly: Boolean(v.persistentVolumeClaim.readOnly) });
        } else {
            const src = projected(v, ctx);
            if (!src)
                throw new Error(
                    `volume ${v.name}: ${v.configMap ? `ConfigMap ${v.configMap.name}` : v.secret ? `Secret ${v.secret.secretName}` : "projected sources"} not found`,
                );
            fs.mkdirSync(dir, { mode: 0o755 });
            writeProjected(dir, src.files, src.mode);
            out.set(v.name, { hostPath: dir, forceReadOnly: true, digest: digestOf(src.files, src.mode) });
        }
    }
    // Each claim template gives the pod the claim <template>-<pod>.
    for (const t of ctx.claimTemplates) {
        const claim = claimDir(ctx, `${t}-${ctx.pod}`);
        fs.mkdirSync(claim, { recursive: true, mode: 0o755 });
        out.set(t, { hostPath: claim, forceReadOnly: false });
    }
    return out;
}

/** Host source of one volumeMount, with its subPath resolved and created like kubelet does. */
export function resolveMount(vols: Map<string, PreparedVolume>, vm: VolumeMount, container: string): ResolvedMount {
    const vol = vols.get(vm.name);
    if (!vol) throw new Error(`container ${container}: volumeMount ${vm.name} names no volume of the pod`);
    let source = vol.hostPath;
    if (vm.subPath) {
        if (path.isAbsolute(vm.subPath) || vm.subPath.split("/").includes("..")) {
            throw new Error(`container ${container}: subPath ${vm.subPath} must be relative and must not contain ..`);
        }
        source = path.join(vol.hostPath, vm.subPath);
        if (!fs.existsSync(source)) {
            fs.mkdirSync(source, { recursive: true });
            fs.chmodSync(source, fs.statSync(vol.hostPath).mode & 0o7777);
        }
    }
    return {
        source,
        target: path.normalize(vm.mountPath),
        readOnly: Boolean(vm.readOnly) || vol.forceReadOnly,
        isFile: !fs.statSync(source).isDirectory(),
    };
}
