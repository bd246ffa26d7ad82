// What the official mariadb image adds on top of its Ubuntu base, as an image layer for the
// harness: the entrypoint stand-in (mariadb-entrypoint.sh, next to this file), the image's
// /etc/mysql tree, its directories and its ENV.
//
// Where each fact comes from (MariaDB/mariadb-docker, 11.4/Dockerfile):
// - `useradd -r -g mysql mysql --home-dir /var/lib/mysql`           -> users: mysql, home /var/lib/mysql
// - `mkdir /docker-entrypoint-initdb.d`                                -> dir, root 0755
// - installs mariadb-server mariadb-backup socat (the Debian-style packaging, whose my.cnf is
//   mariadb.cnf: `[client-server] socket = /run/mysqld/mysqld.sock` + the two !includedir)
// - `rm ... /etc/mysql/mariadb.conf.d/50-mysqld_safe.cnf`              -> not shipped
// - `mkdir -p /var/lib/mysql /run/mysqld; chown -R mysql:mysql ...; chmod 1777 /run/mysqld`
// - comments out `bind-address`, `log`, `user` lines in every *.cnf    -> the server listens on all addresses
// - `printf "[mariadb]\nhost-cache-size=0\nskip-name-resolve\n" > .../05-skipcache.cnf`
// - swaps the two !includedir lines of mariadb.cnf (issue #327): mariadb.conf.d/ is read FIRST and
//   conf.d/ (the documented mount point) LAST, so a volume at /etc/mysql/conf.d wins.
// - `VOLUME /var/lib/mysql`, ENTRYPOINT ["docker-entrypoint.sh"], CMD ["mariadbd"], ENV LANG C.UTF-8,
//   ENV MARIADB_VERSION (e.g. 1:11.4.5+maria~ubu2404).
// The server itself is this host's MariaDB 10.11 (Debian 12): MARIADB_VERSION says so, so that
// scripts comparing versions see the truth.

import { execFileSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import type { ImageFile } from "../types";

export interface StandIn {
    entrypoint: string[];
    cmd: string[];
    env: Record<string, string>;
    users: { name: string; home: string }[];
    files: ImageFile[];
}

/** The host server's version in the image's MARIADB_VERSION format ("1:10.11.19+maria~deb12"). */
function hostMariadbVersion(): string {
    try {
        const out = execFileSync("/usr/sbin/mariadbd", ["--version"], { encoding: "utf8", env: { PATH: "/usr/sbin:/usr/bin" } });
        const m = /Ver\s+(\d+\.\d+\.\d+)/.exec(out);
        if (m) return `1:${m[1]}+maria~deb12`;
    } catch {
        // reported by assertCanRun()
    }
    return "1:0.0.0+unknown";
}

const MARIADB_CNF = `# harness: stand-in for the mariadb image's /etc/mysql/mariadb.cnf (my.cnf points here).
# The image reads mariadb.conf.d/ first and conf.d/ last, so files mounted at conf.d win.
[client-server]
socket = /run/mysqld/mysqld.sock

!includedir /etc/mysql/mariadb.conf.d/
!includedir /etc/mysql/conf.d/
`;

// The packaging's server defaults, with bind-address commented out as the Dockerfile does.
const SERVER_CNF = `# harness: stand-in for the image's /etc/mysql/mariadb.conf.d/50-server.cnf
[server]

[mysqld]
pid-file                = /run/mysqld/mysqld.pid
basedir                 = /usr
#bind-address           = 127.0.0.1
expire_logs_days        = 10
character-set-server    = utf8mb4
collation-server        = utf8mb4_general_ci

[embedded]

[mariadb]
`;

export function mariadbStandIn(): StandIn {
    const script = fs.readFileSync(path.join(__dirname, "mariadb-entrypoint.sh"), "utf8");
    const cnf = (p: string, content: string): ImageFile => ({ path: p, type: "file", content, mode: 0o644 });
    return {
        entrypoint: ["docker-entrypoint.sh"],
        cmd: ["mariadbd"],
        env: { LANG: "C.UTF-8", MARIADB_VERSION: hostMariadbVersion() },
        users: [{ name: "mysql", home: "/var/lib/mysql" }],
        files: [
            { path: "/usr/local/bin/docker-entrypoint.sh", type: "file", content: script, mode: 0o755 },
            { path: "/etc/mysql", type: "dir", mode: 0o755, replace: true },
            cnf("/etc/mysql/mariadb.cnf", MARIADB_CNF),
            { path: "/etc/mysql/my.cnf", type: "symlink", target: "mariadb.cnf" },
            { path: "/etc/mysql/conf.d", type: "dir", mode: 0o755 },
            { path: "/etc/mysql/mariadb.conf.d", type: "dir", mode: 0o755 },
            cnf("/etc/mysql/mariadb.conf.d/05-skipcache.cnf", "[mariadb]\nhost-cache-size=0\nskip-name-resolve\n"),
            cnf("/etc/mysql/mariadb.conf.d/50-client.cnf", "[client]\n\n[client-mariadb]\n"),
            cnf("/etc/mysql/mariadb.conf.d/50-server.cnf", SERVER_CNF),
            cnf("/etc/mysql/mariadb.conf.d/60-galera.cnf", "[galera]\n"),
            // The image's VOLUME: in Kubernetes an unmounted VOLUME is a fresh dir per container.
            { path: "/var/lib/mysql", type: "dir", mode: 0o755, owner: "mysql:mysql" },
            { path: "/run/mysqld", type: "dir", mode: 0o1777, owner: "mysql:mysql" },
            { path: "/docker-entrypoint-initdb.d", type: "dir", mode: 0o755 },
        ],
    };
}
