// Ready image profiles: which binaries an image has on its PATH, its entrypoint and ENV.
//
// mariadb:11.4 — sources:
// - MariaDB/mariadb-docker 11.4/Dockerfile: base ubuntu (noble for current 11.4 tags), installs
//   ca-certificates gpg gpgv libjemalloc2 pwgen tzdata xz-utils zstd, then
//   `apt-get install --no-install-recommends mariadb-server mariadb-backup socat`; gosu in
//   /usr/local/bin; ENTRYPOINT docker-entrypoint.sh, CMD mariadbd (see entrypoint/mariadb.ts).
// - mariadb-server's Depends (MariaDB's debian/control, the same list Debian 12's package has:
//   `apt-cache show mariadb-server` here): gawk, iproute2, lsof, mariadb-client, passwd, perl,
//   procps, psmisc, rsync, socat. So awk is gawk (its alternative outranks mawk).
// - MariaDB 11.x packages no longer ship the mysql* names (they moved to *-compat packages the
//   image does not install): no mysql, mysqladmin, mysqldump, mysqld, mysql_install_db...
//   /work/shared/FACTS.md, table "What the official images contain".
// - The ubuntu base: the Essential/required set (bash, dash as sh, coreutils, debianutils, diffutils,
//   findutils, grep, gzip, hostname, libc-bin, login, mawk, ncurses-bin, sed, tar, util-linux,
//   bsdutils, perl-base). Deliberately left out although the base has them: tools that need
//   privileges a Kubernetes container lacks (mount, umount, nsenter, unshare, mkfs..., useradd):
//   they fail in both places; gosu (the stand-in uses the host's setpriv out of PATH instead).
// - Uncertain, left out on purpose so a script relying on them fails here rather than in a cluster:
//   `mariabackup` (old name of mariadb-backup), ncat/nc/netcat (not in the image: FACTS.md).
// Caveat: the binaries are this host's (Debian 12, MariaDB 10.11), not the image's (11.4).

import type { ImageProfile } from "./types";

const COREUTILS = [
  "[", "arch", "b2sum", "base32", "base64", "basename", "basenc", "cat", "chgrp", "chmod", "chown", "cksum", "comm",
  "cp", "csplit", "cut", "date", "dd", "df", "dir", "dircolors", "dirname", "du", "echo", "env", "expand", "expr",
  "factor", "false", "fmt", "fold", "groups", "head", "hostid", "id", "install", "join", "link", "ln", "logname",
  "ls", "md5sum", "mkdir", "mkfifo", "mknod", "mktemp", "mv", "nice", "nl", "nohup", "nproc", "numfmt", "od",
  "paste", "pathchk", "pr", "printenv", "printf", "ptx", "pwd", "readlink", "realpath", "rm", "rmdir", "seq",
  "sha1sum", "sha224sum", "sha256sum", "sha384sum", "sha512sum", "shred", "shuf", "sleep", "sort", "split", "stat",
  "stdbuf", "stty", "sum", "sync", "tac", "tail", "tee", "test", "timeout", "touch", "tr", "true", "truncate",
  "tsort", "tty", "uname", "unexpand", "uniq", "unlink", "users", "vdir", "wc", "who", "whoami", "yes",
];

const UBUNTU_BASE = [
  ...COREUTILS,
  "bash", "sh", "dash", "rbash",
  "grep", "egrep", "fgrep", "sed", "mawk", "find", "xargs",
  "gzip", "gunzip", "zcat", "zgrep", "tar", "hostname", "dnsdomainname", "domainname",
  "which", "run-parts", "savelog", "ischroot", "tempfile",
  "cmp", "diff", "diff3", "sdiff",
  "getent", "getconf", "iconv", "ldd", "locale", "tzselect", "zdump",
  "perl", "clear", "tput", "reset", "infocmp",
  "su", "login", "newgrp", "sg", "nologin",
  "getopt", "flock", "setsid", "ionice", "renice", "logger", "more", "rev", "mcookie", "namei", "prlimit",
  "taskset", "chrt", "lsns", "whereis", "findmnt", "lsblk", "mountpoint", "script", "wall",
];

// mariadb-server's dependencies that are not in the base image.
const SERVER_DEPENDS = [
  "awk", "gawk",
  "ip", "ss", "bridge", "tc",
  "lsof",
  "ps", "pgrep", "pkill", "pidof", "kill", "free", "top", "uptime", "vmstat", "watch", "pmap", "pwdx", "w", "sysctl",
  "killall", "fuser", "pstree", "prtstat",
  "rsync",
  "socat",
];

// What the 11.x mariadb-server, -client, -backup packages install under their mariadb-* names.
const MARIADB_11_TOOLS = [
  "mariadb", "mariadb-admin", "mariadb-dump", "mariadb-binlog", "mariadb-check", "mariadb-import", "mariadb-show",
  "mariadb-slap", "mariadb-tzinfo-to-sql", "mariadb-upgrade", "mariadb-install-db", "mariadb-secure-installation",
  "mariadb-analyze", "mariadb-optimize", "mariadb-repair", "mariadb-conv", "mariadb-dumpslow", "mariadb-plugin",
  "mariadbd", "mariadbd-safe", "mariadbd-safe-helper", "mariadbd-multi",
  "my_print_defaults", "resolveip", "resolve_stack_dump", "perror", "replace", "innochecksum",
  "aria_chk", "aria_dump_log", "aria_ftdump", "aria_pack", "aria_read_log",
  "myisamchk", "myisamlog", "myisampack", "myisam_ftdump",
  "mariadb-backup", "mbstream",
];

// The mysql* compatibility names the 10.11 packages still ship.
const MARIADB_10_COMPAT = [
  "mysql", "mysqladmin", "mysqldump", "mysqlbinlog", "mysqlcheck", "mysqlimport", "mysqlshow", "mysqlslap",
  "mysql_tzinfo_to_sql", "mysql_upgrade", "mysql_install_db", "mysql_secure_installation", "mysqld", "mysqld_safe",
  "mysqld_multi", "mariabackup",
];

// In the image, not necessarily on this host (pwgen is not a Debian default): left out with a warning.
const IMAGE_EXTRAS = ["pwgen", "xz", "xzcat", "unxz", "zstd", "zstdcat", "unzstd", "gpgv"];

/** The official mariadb:11.4 image (Ubuntu noble). */
export const MARIADB_11_4: ImageProfile = {
  description: "mariadb:11.4 (ubuntu:noble + mariadb-server mariadb-backup socat; no mysql* names)",
  path: [...UBUNTU_BASE, ...SERVER_DEPENDS, ...MARIADB_11_TOOLS],
  optionalPath: IMAGE_EXTRAS,
  entrypoint: "mariadb",
};

/** The official mariadb:10.11 image (Ubuntu jammy): as 11.4 plus the mysql* names. */
export const MARIADB_10_11: ImageProfile = {
  description: "mariadb:10.11 (ubuntu:jammy + mariadb-server mariadb-backup socat; mysql* names present)",
  path: [...UBUNTU_BASE, ...SERVER_DEPENDS, ...MARIADB_11_TOOLS, ...MARIADB_10_COMPAT],
  optionalPath: IMAGE_EXTRAS,
  entrypoint: "mariadb",
};

/** Profiles by image reference, as a pod spec would name them. */
export const DEFAULT_IMAGES: Record<string, ImageProfile> = {
  "mariadb:11.4": MARIADB_11_4,
  "docker.io/library/mariadb:11.4": MARIADB_11_4,
  "mariadb:10.11": MARIADB_10_11,
  "docker.io/library/mariadb:10.11": MARIADB_10_11,
};
