// Every binary a container runs must be in its image. The image contents below come from the images'
// Dockerfiles (sources beside each); the pod-script tests run the scripts with only BASE_TOOLS on the PATH.
import * as assert from "assert";
import { FLAVORS, Flavor } from "../../components";
import { BASE_TOOLS } from "../helpers";

/** Binaries each default image has on its PATH (those that matter here). */
const IMAGE_BINARIES: Record<string, readonly string[]> = {
    // docker-library/mysql 5.7/Dockerfile.oracle: oraclelinux:7-slim + mysql-community-server-minimal, client;
    // no `hostname` (kubernetes/website #35432).
    "mysql:5.7": [...BASE_TOOLS, "env", "sleep", "mysql", "mysqladmin", "mysqld"],
    // The tutorial's image (Debian, Percona XtraBackup 2.4.4): xtrabackup, xbstream, mysql client, ncat.
    "gcr.io/google-samples/xtrabackup:1.0": [...BASE_TOOLS, "env", "sleep", "mysql", "xtrabackup", "xbstream", "ncat"],
    // docker-library/mysql 8.4/Dockerfile.oracle: oraclelinux:9-slim + mysql-community-server-minimal, client, shell.
    "mysql:8.4": [...BASE_TOOLS, "env", "sleep", "mysql", "mysqladmin", "mysqld", "mysqlsh"],
    // percona/percona-docker percona-xtrabackup-8.x/Dockerfile: ubi9-minimal + percona-xtrabackup-84,
    // percona-server-client, socat, hostname, procps-ng; USER 1001 (hence runAsUser 0).
    "percona/percona-xtrabackup:8.4": [...BASE_TOOLS, "env", "sleep", "mysql", "xtrabackup", "xbstream", "socat", "hostname"],
    // MariaDB/mariadb-docker 11.4/Dockerfile: ubuntu:noble + mariadb-server, mariadb-backup, socat;
    // clients named mariadb*, no mysql* names.
    "mariadb:11.4": [
        ...BASE_TOOLS,
        "env",
        "sleep",
        "hostname",
        "mariadb",
        "mariadb-admin",
        "mariadbd",
        "mariadb-backup",
        "mbstream",
        "socat",
    ],
};

/** What each container runs: the scripts' shell tools (shebang `/usr/bin/env bash`) and the flavor's words. */
function needs(flavor: Flavor): { server: string[]; backup: string[] } {
    const scripts = [...BASE_TOOLS, "env", "sleep"];
    return {
        server: [...scripts, flavor.client, flavor.admin, flavor.server], // init-mysql (the server's --version), mysql and its probes
        backup: [...scripts, flavor.client, flavor.backupTool, flavor.streamTool, flavor.transport], // clone-mysql, xtrabackup
    };
}

describe("the default images", () => {
    for (const flavor of Object.values(FLAVORS)) {
        it(`${flavor.name}: ${flavor.image} and ${flavor.backupImage} have every binary their containers run`, () => {
            const { server, backup } = needs(flavor);
            assert.deepStrictEqual(
                server.filter((b) => !IMAGE_BINARIES[flavor.image].includes(b)),
                [],
            );
            assert.deepStrictEqual(
                backup.filter((b) => !IMAGE_BINARIES[flavor.backupImage].includes(b)),
                [],
            );
        });
    }

    it("catches a binary an image lacks (the check can fail)", () => {
        const broken = { ...FLAVORS.mariadb, client: "mysql" };
        assert.deepStrictEqual(
            needs(broken).server.filter((b) => !IMAGE_BINARIES[broken.image].includes(b)),
            ["mysql"],
        );
    });
});
