// Builds, once per cluster and image, the directory a container of that image starts from:
//   bin/, sbin/  symlinks to ONLY the binaries the image profile lists; mounted over the
//                container's /usr/bin and /usr/sbin, so a script calling a binary the real image
//                lacks fails here too ("command not found", even by absolute path)
//   etc-layer/   an overlayfs layer put above the host's /etc (the image's /etc/mysql replaces
//                the host's, users get the image's home directories)
//   rootfs/      the skeleton copied into each container start (top-level dirs, /var, /run...)
//   usr-local/   the image's /usr/local (entrypoint stand-ins live in /usr/local/bin)
// Symlink targets point at /.fake-kubelet/usr, where each container sees the host's /usr
// read-only; that path is not on any PATH.

import * as fs from "fs";
import * as path from "path";
import { standIn } from "./entrypoint";
import type { ImageFile, ImageProfile } from "./types";
import { lookupGroup, lookupUser, runOk, sq } from "./util";

export const DOCKER_DEFAULT_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
/** Where containers see the host's /usr (read-only): helpers and symlink targets. */
export const HOST_USR_IN_CONTAINER = "/.fake-kubelet/usr";

export interface BuiltImage {
    ref: string;
    dir: string;
    binDir: string;
    sbinDir: string;
    etcLayer: string;
    rootfs: string;
    usrLocal: string;
    /** The image's /etc/passwd (host users, image home directories). */
    passwd: string;
    entrypoint: string[];
    cmd: string[];
    /** The image's ENV, PATH first. */
    env: [string, string][];
    user?: string;
    /** Optional binaries this host lacks (left out). */
    missing: string[];
}

const SEARCH_DIRS: [string, "bin" | "sbin"][] = [
    ["/usr/sbin", "sbin"],
    ["/usr/bin", "bin"],
    ["/sbin", "sbin"],
    ["/bin", "bin"],
];

function findHostBinary(name: string): { real: string; kind: "bin" | "sbin" } | undefined {
    if (name.includes("/")) throw new Error(`image PATH entry ${JSON.stringify(name)} must be a bare name`);
    for (const [dir, kind] of SEARCH_DIRS) {
        const p = path.join(dir, name);
        try {
            fs.accessSync(p, fs.constants.X_OK);
            if (!fs.statSync(p).isFile()) continue;
            return { real: fs.realpathSync(p), kind };
        } catch {
            // not here
        }
    }
    return undefined;
}

function ownerIds(owner: string | undefined): { uid: number; gid: number } | undefined {
    if (!owner) return undefined;
    const [u, g] = owner.split(":");
    const user = lookupUser(u);
    if (!user) throw new Error(`image file owner ${owner}: no user ${u} on this host`);
    const group = g ? lookupGroup(g) : undefined;
    if (g && !group) throw new Error(`image file owner ${owner}: no group ${g} on this host`);
    return { uid: user.uid, gid: group ? group.gid : user.gid };
}

function writeEntry(root: string, rel: string, f: ImageFile): void {
    const dest = path.join(root, rel);
    fs.mkdirSync(path.dirname(dest), { recursive: true });
    if (f.type === "dir") {
        fs.mkdirSync(dest, { recursive: true });
    } else if (f.type === "symlink") {
        if (!f.target) throw new Error(`image symlink ${f.path} has no target`);
        fs.rmSync(dest, { force: true });
        fs.symlinkSync(f.target, dest);
        return;
    } else {
        fs.writeFileSync(dest, f.content ?? "");
    }
    // chmod after mkdir/write: the umask must not eat bits such as 1777.
    fs.chmodSync(dest, f.mode ?? (f.type === "dir" ? 0o755 : 0o644));
    const ids = ownerIds(f.owner);
    if (ids) fs.chownSync(dest, ids.uid, ids.gid);
}

/** The container skeleton: like an image's top level, mirroring this host's merged-/usr links. */
function writeSkeleton(rootfs: string): void {
    for (const top of ["bin", "sbin", "lib", "lib32", "lib64", "libx32"]) {
        const host = `/${top}`;
        let st: fs.Stats;
        try {
            st = fs.lstatSync(host);
        } catch {
            continue;
        }
        if (!st.isSymbolicLink()) throw new Error(`${host} is not a symlink: the harness needs a merged-/usr host`);
        fs.symlinkSync(fs.readlinkSync(host), path.join(rootfs, top));
    }
    const dirs: [string, number][] = [
        ["usr", 0o755],
        ["etc", 0o755],
        ["dev", 0o755],
        ["proc", 0o555],
        ["sys", 0o555],
        ["run", 0o755],
        ["run/lock", 0o1777],
        ["tmp", 0o1777],
        ["var", 0o755],
        ["var/lib", 0o755],
        ["var/log", 0o755],
        ["var/tmp", 0o1777],
        ["var/cache", 0o755],
        ["var/spool", 0o755],
        ["var/mail", 0o2775],
        ["var/opt", 0o755],
        ["var/local", 0o755],
        ["var/backups", 0o755],
        ["home", 0o755],
        ["root", 0o700],
        ["opt", 0o755],
        ["srv", 0o755],
        ["mnt", 0o755],
        ["media", 0o755],
        ["boot", 0o755],
        // Harness-only, outside any PATH: the host's /usr (ro), per-start state, the old root while pivoting.
        [".fake-kubelet", 0o755],
        [".fake-kubelet/usr", 0o755],
        [".fake-kubelet/state", 0o700],
        [".fake-kubelet/oldroot", 0o700],
    ];
    for (const [d, mode] of dirs) {
        fs.mkdirSync(path.join(rootfs, d), { recursive: true });
        fs.chmodSync(path.join(rootfs, d), mode);
    }
    fs.symlinkSync("/run", path.join(rootfs, "var/run"));
    fs.symlinkSync("/run/lock", path.join(rootfs, "var/lock"));
    fs.copyFileSync(path.join(__dirname, "exec-env.pl"), path.join(rootfs, ".fake-kubelet/exec-env.pl"));
}

/**
 * Builds the etc layer: an overlay upper dir made by mounting the host's /etc under it in a
 * private mount namespace and applying the image's changes; overlayfs records removals
 * (whiteouts) and replaced dirs (opaque) itself, and the layer is then stacked as a lower dir.
 */
async function buildEtcLayer(
    dir: string,
    files: ImageFile[],
    users: { name: string; home: string }[],
): Promise<{ layer: string; passwd: string }> {
    const layer = path.join(dir, "etc-layer");
    const work = path.join(dir, "etc-work");
    const merged = path.join(dir, "etc-merged");
    const stage = path.join(dir, "etc-stage");
    for (const d of [layer, work, merged, stage]) fs.mkdirSync(d, { recursive: true });
    const replaced: string[] = [];
    for (const f of files) {
        const rel = path.relative("/etc", f.path);
        writeEntry(stage, rel, f);
        if (f.replace) replaced.push(rel);
    }
    const passwd = path.join(dir, "passwd");
    const lines = [
        "set -euo pipefail",
        `mount -t overlay overlay -o ${sq(`lowerdir=/etc,upperdir=${layer},workdir=${work}`)} ${sq(merged)}`,
        ...replaced.map((rel) => `rm -rf ${sq(path.join(merged, rel))}`),
        `cp -a ${sq(stage + "/.")} ${sq(merged + "/")}`,
    ];
    for (const u of users) {
        if (!lookupUser(u.name)) throw new Error(`the image needs user ${u.name}, which this host lacks`);
        // Rewrite field 6 (home) of that user's line; writing through the overlay copies passwd up.
        lines.push(
            `awk -F: -v OFS=: -v u=${sq(u.name)} -v h=${sq(u.home)} '$1 == u { $6 = h } { print }' ${sq(merged + "/passwd")} > ${sq(passwd)}`,
            `cat ${sq(passwd)} > ${sq(merged + "/passwd")}`,
        );
    }
    lines.push(`cp ${sq(merged + "/passwd")} ${sq(passwd)}`, `umount ${sq(merged)}`);
    await runOk("unshare", ["--mount", "--propagation", "private", "--", "bash", "-c", lines.join("\n")]);
    fs.rmSync(stage, { recursive: true, force: true });
    fs.rmSync(merged, { recursive: true, force: true });
    fs.rmSync(work, { recursive: true, force: true });
    return { layer, passwd };
}

export async function buildImage(ref: string, profile: ImageProfile, dir: string): Promise<BuiltImage> {
    const binDir = path.join(dir, "bin");
    const sbinDir = path.join(dir, "sbin");
    const rootfs = path.join(dir, "rootfs");
    const usrLocal = path.join(dir, "usr-local");
    for (const d of [binDir, sbinDir, rootfs, usrLocal]) fs.mkdirSync(d, { recursive: true });
    for (const d of ["bin", "sbin", "lib", "share", "src", "etc", "games", "include"])
        fs.mkdirSync(path.join(usrLocal, d), { recursive: true });

    const si = profile.entrypoint ? standIn(profile.entrypoint) : undefined;

    // Binaries: a symlink per listed name, to the host binary seen through /.fake-kubelet/usr.
    const missing: string[] = [];
    const absent: string[] = [];
    const add = (name: string, optional: boolean) => {
        const found = findHostBinary(name);
        if (!found) {
            (optional ? missing : absent).push(name);
            return;
        }
        if (!found.real.startsWith("/usr/")) throw new Error(`${name} resolves to ${found.real}, outside /usr`);
        const link = path.join(found.kind === "sbin" ? sbinDir : binDir, name);
        if (!fs.existsSync(link)) fs.symlinkSync(HOST_USR_IN_CONTAINER + found.real.slice("/usr".length), link);
    };
    for (const n of profile.path) add(n, false);
    for (const n of profile.optionalPath ?? []) add(n, true);
    if (absent.length) throw new Error(`image ${ref}: this host lacks ${absent.join(", ")} (required by the image profile)`);

    writeSkeleton(rootfs);
    const files = [...(si?.files ?? []), ...(profile.files ?? [])];
    for (const f of files) {
        if (!path.isAbsolute(f.path) || path.normalize(f.path) !== f.path)
            throw new Error(`image file path ${f.path} must be absolute and normalized`);
    }
    const etcFiles = files.filter((f) => f.path === "/etc" || f.path.startsWith("/etc/"));
    const users = [...(si?.users ?? []), ...(profile.users ?? [])];
    const { layer, passwd } = await buildEtcLayer(dir, etcFiles, users);
    for (const f of files) {
        if (etcFiles.includes(f)) continue;
        if (f.path.startsWith("/usr/local/")) writeEntry(usrLocal, path.relative("/usr/local", f.path), f);
        else if (f.path === "/usr" || f.path.startsWith("/usr/"))
            throw new Error(`image file ${f.path}: only /usr/local can be added to under /usr`);
        else writeEntry(rootfs, f.path.slice(1), f);
    }

    const env: [string, string][] = [["PATH", profile.pathEnv ?? DOCKER_DEFAULT_PATH]];
    for (const [k, v] of Object.entries({ ...(si?.env ?? {}), ...(profile.env ?? {}) })) env.push([k, v]);
    return {
        ref,
        dir,
        binDir,
        sbinDir,
        etcLayer: layer,
        rootfs,
        usrLocal,
        passwd,
        entrypoint: si?.entrypoint ?? [],
        cmd: profile.cmd ?? si?.cmd ?? [],
        env,
        user: profile.user,
        missing,
    };
}
