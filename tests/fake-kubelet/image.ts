// The one image the render names, mariadb:11.4, built once per cluster as the directory a container starts from:
//   bin/, sbin/  symlinks to ONLY the binaries the image has, mounted over the container's /usr/bin and
//                /usr/sbin, so a script calling a binary the real image lacks fails here too (even by absolute path)
//   etc-layer/   an overlayfs layer above the host's /etc: the image's /etc/mysql, the mysql user's home
//   rootfs/      the skeleton copied into each container start (top-level dirs, /var, /run...)
//   usr-local/   the image's /usr/local: the entrypoint stand-in (entrypoint/mariadb-entrypoint.sh)
// Symlink targets point at /.fake-kubelet/usr, where each container sees the host's /usr read-only (on no PATH).
//
// What is in the image (MariaDB/mariadb-docker 11.4/Dockerfile): ubuntu noble's required set, mariadb-server's
// Depends (gawk, iproute2, lsof, mariadb-client, passwd, perl, procps, psmisc, rsync, socat), mariadb-backup;
// MariaDB 11 ships no mysql* names (FACTS.md, "What the official images contain"). Left out on purpose: tools
// that need privileges a container lacks (mount, nsenter, unshare...), gosu (the stand-in uses the host's
// setpriv, off the PATH), `mariabackup` and ncat. The binaries are this host's (Debian 12, MariaDB 10.11).
// The image's files: `useradd mysql --home-dir /var/lib/mysql`, /docker-entrypoint-initdb.d, /run/mysqld 1777,
// bind-address commented out, 05-skipcache.cnf, mariadb.conf.d/ read before conf.d/ (issue #327), ENV LANG and
// MARIADB_VERSION (here the host server's, so that scripts comparing versions see the truth).

import { execFileSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { lookupUser, runOk, sq } from "./util";

export const IMAGE = "mariadb:11.4";
/**
 * The rclone image the component names by default (rclone/rclone's Dockerfile: alpine, rclone in
 * /usr/local/bin), built only when FAKE_KUBELET_RCLONE names an rclone binary (tools/rclone/build.sh).
 */
export const RCLONE_IMAGES = ["rclone/rclone:1.76.0", "docker.io/rclone/rclone:1.76.0"];
export const isRcloneImage = (reference: string) => RCLONE_IMAGES.includes(reference);
/** Where containers see the host's /usr (read-only): helpers and symlink targets. */
export const HOST_USR_IN_CONTAINER = "/.fake-kubelet/usr";

const PATH_BINARIES = [
    // coreutils
    "[ arch b2sum base32 base64 basename basenc cat chgrp chmod chown cksum comm cp csplit cut date dd df dir dircolors dirname du",
    "echo env expand expr factor false fmt fold groups head hostid id install join link ln logname ls md5sum mkdir mkfifo mknod mktemp",
    "mv nice nl nohup nproc numfmt od paste pathchk pr printenv printf ptx pwd readlink realpath rm rmdir seq sha1sum sha224sum",
    "sha256sum sha384sum sha512sum shred shuf sleep sort split stat stdbuf stty sum sync tac tail tee test timeout touch tr true",
    "truncate tsort tty uname unexpand uniq unlink users vdir wc who whoami yes",
    // the rest of ubuntu's required set
    "bash sh dash rbash grep egrep fgrep sed mawk find xargs gzip gunzip zcat zgrep tar hostname dnsdomainname domainname which",
    "run-parts savelog ischroot tempfile cmp diff diff3 sdiff getent getconf iconv ldd locale tzselect zdump perl clear tput reset",
    "infocmp su login newgrp sg nologin getopt flock setsid ionice renice logger more rev mcookie namei prlimit taskset chrt lsns",
    "whereis findmnt lsblk mountpoint script wall",
    // mariadb-server's Depends
    "awk gawk ip ss bridge tc lsof ps pgrep pkill pidof kill free top uptime vmstat watch pmap pwdx w sysctl killall fuser pstree",
    "prtstat rsync socat",
    // mariadb-server, -client, -backup 11.x
    "mariadb mariadb-admin mariadb-dump mariadb-binlog mariadb-check mariadb-import mariadb-show mariadb-slap mariadb-tzinfo-to-sql",
    "mariadb-upgrade mariadb-install-db mariadb-secure-installation mariadb-analyze mariadb-optimize mariadb-repair mariadb-conv",
    "mariadb-dumpslow mariadb-plugin mariadbd mariadbd-safe mariadbd-safe-helper mariadbd-multi my_print_defaults resolveip",
    "resolve_stack_dump perror replace innochecksum aria_chk aria_dump_log aria_ftdump aria_pack aria_read_log myisamchk",
    "myisamlog myisampack myisam_ftdump mariadb-backup mbstream",
].flatMap((line) => line.split(" "));
/** In the image, not necessarily on this host: left off the PATH, with a warning. */
const OPTIONAL_BINARIES = "pwgen xz xzcat unxz zstd zstdcat unzstd gpgv".split(" ");

const MARIADB_CNF = `# fake kubelet: the mariadb image's /etc/mysql/mariadb.cnf (my.cnf points here): conf.d/ is read last, so it wins.
[client-server]
socket = /run/mysqld/mysqld.sock

!includedir /etc/mysql/mariadb.conf.d/
!includedir /etc/mysql/conf.d/
`;
const SERVER_CNF = `# fake kubelet: the image's /etc/mysql/mariadb.conf.d/50-server.cnf
[mysqld]
pid-file                = /run/mysqld/mysqld.pid
basedir                 = /usr
#bind-address           = 127.0.0.1
expire_logs_days        = 10
character-set-server    = utf8mb4
collation-server        = utf8mb4_general_ci
`;
/** The image's layer: path -> file content, "dir MODE [OWNER]", or "-> TARGET" (a symlink). */
const IMAGE_FILES: [string, string][] = [
    ["/etc/mysql", "dir 755"],
    ["/etc/mysql/mariadb.cnf", MARIADB_CNF],
    ["/etc/mysql/my.cnf", "-> mariadb.cnf"],
    ["/etc/mysql/conf.d", "dir 755"],
    ["/etc/mysql/mariadb.conf.d", "dir 755"],
    ["/etc/mysql/mariadb.conf.d/05-skipcache.cnf", "[mariadb]\nhost-cache-size=0\nskip-name-resolve\n"],
    ["/etc/mysql/mariadb.conf.d/50-client.cnf", "[client]\n\n[client-mariadb]\n"],
    ["/etc/mysql/mariadb.conf.d/50-server.cnf", SERVER_CNF],
    // The image's VOLUME: in Kubernetes an unmounted VOLUME is a fresh dir per container.
    ["/var/lib/mysql", "dir 755 mysql"],
    ["/run/mysqld", "dir 1777 mysql"],
    ["/docker-entrypoint-initdb.d", "dir 755"],
    ["/usr/local/bin/docker-entrypoint.sh", fs.readFileSync(path.join(__dirname, "entrypoint", "mariadb-entrypoint.sh"), "utf8")],
];

export interface BuiltImage {
    binDir: string;
    sbinDir: string;
    etcLayer: string;
    rootfs: string;
    usrLocal: string;
    /** The image's /etc/passwd (host users, the image's home directories). */
    passwd: string;
    /** The image's ENV, PATH first. */
    env: [string, string][];
    /** Optional binaries this host lacks (left out). */
    missing: string[];
    /** The image's ENTRYPOINT, run when a container gives no command; unset: the mariadb image's docker-entrypoint.sh. */
    entrypoint?: string[];
}

/**
 * The metrics sidecar's image (the component's METRICS.image), stood in for by Debian 12's mysqld_exporter
 * (0.14; the image's is 0.18: the component's flags are the same for both). What the image has
 * (prometheus/mysqld_exporter's Dockerfile): busybox, `/bin/mysqld_exporter` as its ENTRYPOINT, USER nobody.
 * Here: the exporter alone on the PATH (the container runs nothing else), the mariadb image's /etc layer and
 * passwd (which hold `nobody`), a bare skeleton of its own.
 */
export const EXPORTER_IMAGE = "prom/mysqld-exporter:v0.18.0";
const EXPORTER_HOST_BINARY = "/usr/bin/prometheus-mysqld-exporter";

/** Builds {@link EXPORTER_IMAGE} beside the mariadb image `base`; fails when this host lacks the exporter. */
export function buildExporterImage(base: BuiltImage, dir: string): BuiltImage {
    if (!fs.existsSync(EXPORTER_HOST_BINARY)) {
        throw new Error(`image ${EXPORTER_IMAGE}: this host lacks ${EXPORTER_HOST_BINARY} (apt-get install prometheus-mysqld-exporter)`);
    }
    const [binDir, sbinDir, rootfs, usrLocal] = ["bin", "sbin", "rootfs", "usr-local"].map((d) => path.join(dir, d));
    for (const d of [binDir, sbinDir, rootfs, usrLocal]) fs.mkdirSync(d, { recursive: true });
    fs.symlinkSync(HOST_USR_IN_CONTAINER + EXPORTER_HOST_BINARY.slice("/usr".length), path.join(binDir, "mysqld_exporter"));
    writeSkeleton(rootfs);
    return {
        binDir,
        sbinDir,
        etcLayer: base.etcLayer,
        rootfs,
        usrLocal,
        passwd: base.passwd,
        env: [["PATH", "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"]],
        missing: [],
        entrypoint: ["/bin/mysqld_exporter"],
    };
}

/** The host server's version in the image's MARIADB_VERSION format ("1:10.11.19+maria~deb12"). */
function hostMariadbVersion(): string {
    const out = execFileSync("/usr/sbin/mariadbd", ["--version"], { encoding: "utf8", env: { PATH: "/usr/sbin:/usr/bin" } });
    return `1:${/Ver\s+(\d+\.\d+\.\d+)/.exec(out)?.[1] ?? "0.0.0"}+maria~deb12`;
}

function findHostBinary(name: string): { real: string; kind: "bin" | "sbin" } | undefined {
    for (const dir of ["/usr/sbin", "/usr/bin"]) {
        const p = path.join(dir, name);
        if (fs.statSync(p, { throwIfNoEntry: false })?.isFile())
            return { real: fs.realpathSync(p), kind: dir === "/usr/sbin" ? "sbin" : "bin" };
    }
    return undefined;
}

/** Writes one entry of the image layer under root (rel: its path inside the container, made relative). */
function writeEntry(root: string, rel: string, spec: string): void {
    const dest = path.join(root, rel);
    fs.mkdirSync(path.dirname(dest), { recursive: true });
    const dir = /^dir (\d+)(?: (\w+))?$/.exec(spec);
    if (spec.startsWith("-> ")) return fs.symlinkSync(spec.slice(3), dest);
    if (dir) fs.mkdirSync(dest, { recursive: true });
    else fs.writeFileSync(dest, spec);
    // chmod after mkdir/write: the umask must not eat bits such as 1777.
    fs.chmodSync(dest, dir ? parseInt(dir[1], 8) : rel.endsWith(".sh") ? 0o755 : 0o644);
    const owner = dir?.[2] && lookupUser(dir[2]);
    if (owner) fs.chownSync(dest, owner.uid, owner.gid);
}

/** The container skeleton: like an image's top level, mirroring this host's merged-/usr links. */
function writeSkeleton(rootfs: string): void {
    for (const top of ["bin", "sbin", "lib", "lib32", "lib64", "libx32"]) {
        const st = fs.lstatSync(`/${top}`, { throwIfNoEntry: false });
        if (st?.isSymbolicLink()) fs.symlinkSync(fs.readlinkSync(`/${top}`), path.join(rootfs, top));
    }
    const dirs = "usr:755 etc:755 dev:755 proc:555 sys:555 run:755 run/lock:1777 tmp:1777 var:755 var/lib:755 var/log:755 var/tmp:1777";
    // The fake kubelet's own, outside any PATH: the host's /usr (ro), per-start state, the old root while pivoting.
    const own = "var/cache:755 home:755 root:700 opt:755 srv:755 mnt:755 .fake-kubelet:755 .fake-kubelet/usr:755 .fake-kubelet/state:700";
    for (const entry of `${dirs} ${own} .fake-kubelet/oldroot:700`.split(" ")) {
        const [d, mode] = entry.split(":");
        fs.mkdirSync(path.join(rootfs, d), { recursive: true });
        fs.chmodSync(path.join(rootfs, d), parseInt(mode, 8));
    }
    fs.symlinkSync("/run", path.join(rootfs, "var/run"));
    fs.symlinkSync("/run/lock", path.join(rootfs, "var/lock"));
    fs.copyFileSync(path.join(__dirname, "exec-env.pl"), path.join(rootfs, ".fake-kubelet/exec-env.pl"));
}

/**
 * The etc layer: an overlay upper dir made by mounting the host's /etc under it in a private mount namespace and
 * applying the image's changes; overlayfs records the replaced /etc/mysql (opaque) itself, and the layer is then
 * stacked as a lower dir. The mysql user's home becomes the image's.
 */
async function buildEtcLayer(dir: string): Promise<{ layer: string; passwd: string }> {
    const [layer, work, merged, stage] = ["etc-layer", "etc-work", "etc-merged", "etc-stage"].map((d) => path.join(dir, d));
    for (const d of [layer, work, merged, stage]) fs.mkdirSync(d, { recursive: true });
    for (const [p, spec] of IMAGE_FILES) if (p.startsWith("/etc/")) writeEntry(stage, path.relative("/etc", p), spec);
    const passwd = path.join(dir, "passwd");
    if (!lookupUser("mysql")) throw new Error("the image needs user mysql, which this host lacks");
    const script = [
        "set -euo pipefail",
        `mount -t overlay overlay -o ${sq(`lowerdir=/etc,upperdir=${layer},workdir=${work}`)} ${sq(merged)}`,
        `rm -rf ${sq(path.join(merged, "mysql"))}`,
        `cp -a ${sq(stage + "/.")} ${sq(merged + "/")}`,
        // Field 6 (home) of mysql's line; writing through the overlay copies passwd up.
        `awk -F: -v OFS=: '$1 == "mysql" { $6 = "/var/lib/mysql" } { print }' ${sq(merged + "/passwd")} > ${sq(passwd)}`,
        `cat ${sq(passwd)} > ${sq(merged + "/passwd")}`,
        `umount ${sq(merged)}`,
    ];
    await runOk("unshare", ["--mount", "--propagation", "private", "--", "bash", "-c", script.join("\n")]);
    for (const d of [stage, merged, work]) fs.rmSync(d, { recursive: true, force: true });
    return { layer, passwd };
}

export async function buildImage(dir: string): Promise<BuiltImage> {
    const [binDir, sbinDir, rootfs, usrLocal] = ["bin", "sbin", "rootfs", "usr-local"].map((d) => path.join(dir, d));
    for (const d of [binDir, sbinDir, rootfs, usrLocal]) fs.mkdirSync(d, { recursive: true });
    for (const d of ["bin", "sbin", "lib", "share", "src", "etc", "games", "include"]) fs.mkdirSync(path.join(usrLocal, d));
    // Binaries: a symlink per name, to the host binary seen through /.fake-kubelet/usr.
    const missing: string[] = [];
    const absent: string[] = [];
    for (const [names, optional] of [
        [PATH_BINARIES, false],
        [OPTIONAL_BINARIES, true],
    ] as const) {
        for (const name of names) {
            const found = findHostBinary(name);
            if (!found) (optional ? missing : absent).push(name);
            else if (!found.real.startsWith("/usr/")) throw new Error(`${name} resolves to ${found.real}, outside /usr`);
            else {
                const link = path.join(found.kind === "sbin" ? sbinDir : binDir, name);
                if (!fs.existsSync(link)) fs.symlinkSync(HOST_USR_IN_CONTAINER + found.real.slice("/usr".length), link);
            }
        }
    }
    if (absent.length) throw new Error(`image ${IMAGE}: this host lacks ${absent.join(", ")}`);
    writeSkeleton(rootfs);
    const { layer, passwd } = await buildEtcLayer(dir);
    for (const [p, spec] of IMAGE_FILES) {
        if (p.startsWith("/usr/local/")) writeEntry(usrLocal, path.relative("/usr/local", p), spec);
        else if (!p.startsWith("/etc/")) writeEntry(rootfs, p.slice(1), spec);
    }
    const env: [string, string][] = [
        ["PATH", "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"],
        ["LANG", "C.UTF-8"],
        ["MARIADB_VERSION", hostMariadbVersion()],
    ];
    return { binDir, sbinDir, etcLayer: layer, rootfs, usrLocal, passwd, env, missing };
}

/**
 * The rclone image: the skeleton, the host's /etc, busybox's `cp` and `sh` stood in by the host's, and the given
 * rclone binary as /usr/local/bin/rclone. The component's only use of it is an init container that copies
 * rclone out.
 */
export async function buildRcloneImage(dir: string, rcloneBinary: string): Promise<BuiltImage> {
    const [binDir, sbinDir, rootfs, usrLocal, etcLayer] = ["bin", "sbin", "rootfs", "usr-local", "etc-layer"].map((d) => path.join(dir, d));
    for (const d of [binDir, sbinDir, rootfs, usrLocal, etcLayer]) fs.mkdirSync(d, { recursive: true });
    for (const name of ["cp", "sh", "ls", "cat"]) {
        const found = findHostBinary(name);
        if (!found) throw new Error(`image ${RCLONE_IMAGES[0]}: this host lacks ${name}`);
        fs.symlinkSync(HOST_USR_IN_CONTAINER + found.real.slice("/usr".length), path.join(binDir, name));
    }
    fs.mkdirSync(path.join(usrLocal, "bin"));
    fs.copyFileSync(rcloneBinary, path.join(usrLocal, "bin", "rclone"));
    fs.chmodSync(path.join(usrLocal, "bin", "rclone"), 0o755);
    writeSkeleton(rootfs);
    const env: [string, string][] = [
        ["PATH", "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"],
        ["XDG_CONFIG_HOME", "/config"],
    ];
    return { binDir, sbinDir, etcLayer, rootfs, usrLocal, passwd: "/etc/passwd", env, missing: [] };
}

/** The other images this host can run: the rclone image when FAKE_KUBELET_RCLONE names a binary. */
export async function buildOtherImages(dir: string): Promise<Record<string, BuiltImage>> {
    const rclone = process.env.FAKE_KUBELET_RCLONE;
    if (rclone === undefined || rclone === "") return {};
    if (!fs.statSync(rclone, { throwIfNoEntry: false })?.isFile())
        throw new Error(`FAKE_KUBELET_RCLONE=${rclone} is not a file: point it at tools/rclone/build.sh's bin dir + /rclone`);
    const image = await buildRcloneImage(path.join(dir, "rclone"), rclone);
    return Object.fromEntries(RCLONE_IMAGES.map((reference) => [reference, image]));
}

/** Whether this host has what {@link buildExporterImage} stands the exporter's image in with. */
export const hostHasExporter = (): boolean => fs.existsSync(EXPORTER_HOST_BINARY);
