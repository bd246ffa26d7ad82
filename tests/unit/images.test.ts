// Every binary a container runs must be in its image. What a container runs is derived from the rendered
// containers and the pod scripts' syntax (tests/scriptCommands.ts), not written by hand; the image contents
// below come from the images' Dockerfiles (sources beside each). The pod-script tests run the scripts with
// only SCRIPT_TOOLS and their stubs on the PATH, and SCRIPT_TOOLS is checked here against the derivation.
import * as assert from "assert";
import { clusterNames, CONTAINERS, DEFAULTS, FLAVORS, Flavor, PATHS, readPodScripts, resolveArgs } from "../../components";
import { backupCronJob, statefulSet } from "../../components/builders";
import { MOCK_UUID } from "../../scripts/render/mockRuntime";
import { RESTORE_TIME_FLAVORS } from "../../components/validation/backup";
import { BASE_ARGS, SCRIPT_TOOLS } from "../helpers";
import { ContainerSpec, containerCommands } from "../scriptCommands";

/**
 * What every image below has from its base system: bash and coreutils (cat ... sync; coreutils-single on
 * the ubi/oraclelinux 9 minimal bases), grep, glibc's getent, and find (findutils: installed by the mysql
 * 8.4 Dockerfile, "Oracle Linux 8+ is very slim", so part of oraclelinux:7-slim; part of Debian's and
 * Ubuntu's required set; a dependency of percona-xtrabackup's packages on ubi9-minimal).
 */
const BASE_SYSTEM = [
    ...[
        "bash",
        "env",
        "cat",
        "chmod",
        "chown",
        "cp",
        "dirname",
        "du",
        "ls",
        "mkdir",
        "mv",
        "rm",
        "rmdir",
        "sha256sum",
        "sleep",
        "sort",
        "sync",
        "timeout",
    ],
    ...["grep", "getent", "find"],
];

/** Binaries each default image has on its PATH (those that matter here). */
const IMAGE_BINARIES: Record<string, readonly string[]> = {
    // docker-library/mysql 5.7/Dockerfile.oracle: oraclelinux:7-slim + mysql-community-server-minimal, client;
    // no `hostname` (kubernetes/website #35432). ENTRYPOINT docker-entrypoint.sh in /usr/local/bin.
    "mysql:5.7": [...BASE_SYSTEM, "mysql", "mysqladmin", "mysqld", "docker-entrypoint.sh"],
    // The tutorial's image (Debian, Percona XtraBackup 2.4.4): xtrabackup, xbstream, mysql client, ncat.
    "gcr.io/google-samples/xtrabackup:1.0": [...BASE_SYSTEM, "mysql", "xtrabackup", "xbstream", "ncat"],
    // docker-library/mysql 8.4/Dockerfile.oracle: oraclelinux:9-slim + findutils, mysql-community-server-minimal,
    // client, shell. ENTRYPOINT docker-entrypoint.sh in /usr/local/bin. No mysqlbinlog: the minimal server
    // package leaves it out since 8.0.30 (docker-library/mysql issues #847, open; #903, #907), so clone-mysql
    // decodes the binlogs of a restore to a time in the backup's image and replay-binlogs runs none.
    "mysql:8.4": [...BASE_SYSTEM, "mysql", "mysqladmin", "mysqld", "mysqlsh", "docker-entrypoint.sh"],
    // percona/percona-docker percona-xtrabackup-8.x/Dockerfile: ubi9-minimal + percona-xtrabackup-84,
    // percona-server-client (mysql, mysqlbinlog...: percona/percona-server build-ps/percona-server.spec, its
    // %files), socat, hostname, procps-ng; USER 1001 (hence runAsUser 0). No mysqld.
    "percona/percona-xtrabackup:8.4": [...BASE_SYSTEM, "mysql", "mysqlbinlog", "xtrabackup", "xbstream", "socat", "hostname"],
    // MariaDB/mariadb-docker 11.4/Dockerfile: ubuntu:noble + mariadb-server, mariadb-backup, socat;
    // clients named mariadb*, no mysql* names.
    "mariadb:11.4": [
        ...BASE_SYSTEM,
        "hostname",
        "mariadb",
        "mariadb-admin",
        "mariadbd",
        "mariadb-install-db",
        "mariadb-tzinfo-to-sql",
        "mariadb-backup",
        "mbstream",
        // The image's own docker-entrypoint.sh (11.4) runs it for MARIADB_AUTO_UPGRADE.
        "mariadb-upgrade",
        // mariadb-client's (a dependency of mariadb-server: Debian 12's packages here, `dpkg -S`).
        "mariadb-binlog",
        "socat",
        "docker-entrypoint.sh",
    ],
    // rclone/rclone's Dockerfile: alpine (busybox: cp, sh...) + ca-certificates, fuse3, tzdata; rclone in
    // /usr/local/bin, ENTRYPOINT rclone. Its init container only copies rclone out (PATHS.rcloneInImage).
    "rclone/rclone:1.76.0": ["cp", "rclone"],
};

/**
 * What a container runs that its own image does not hold but an init container of the same pod copies in:
 * rclone, from the rclone image, into an emptyDir.
 */
const COPIED_IN = [`${PATHS.rcloneDir}/rclone`];

const BACKUPS = {
    backupSchedule: "0 3 * * *",
    backupNfsPath: "/exports/backups",
    backupS3Bucket: "acme-backups",
    backupS3CredentialsSecret: "mysql-backup-s3",
};
const RESTORING = { restoreFrom: "20250101T030000Z", rootPassword: "r", replicationPassword: "p", backupPassword: "b" };
/** A restore to a time: for the flavors it is built for, what a restoring clone-mysql runs (the replay too). */
const RESTORE_TIME = "2026-12-07T14:05:00Z";

/**
 * The flavor's containers as rendered: the StatefulSet's and the backup CronJob's, with backups to a volume
 * and a bucket; clone-mysql as a restoring mysql-0 renders it (it runs restore-mysql.sh, with rclone; to a
 * time where the flavor takes one, so the binlog replay too), and the restoring pod's rclone init container.
 */
function containers(
    flavor: Flavor,
    restoreFrom = RESTORE_TIME_FLAVORS.includes(flavor.name) ? RESTORE_TIME : RESTORING.restoreFrom,
): ContainerSpec[] {
    // The flavor given, even one no setting names (a broken copy, below); the restore's source given too,
    // even one the checks refuse for the flavor (below).
    const args = { ...resolveArgs({ ...BASE_ARGS, flavor: flavor.name, ...BACKUPS }), flavor };
    const restoring = { ...resolveArgs({ ...BASE_ARGS, flavor: flavor.name, ...BACKUPS, ...RESTORING }), flavor, restoreFrom };
    const names = clusterNames(args.name, args.namespace, args.clusterDomain, args.selectorLabels);
    const pod: any = (statefulSet(args, names, readPodScripts(), MOCK_UUID) as any).spec.template.spec;
    const restore: any = (statefulSet(restoring, names, readPodScripts(), MOCK_UUID) as any).spec.template.spec;
    const job: any = (backupCronJob(args, names, readPodScripts()) as any).spec.jobTemplate.spec.template.spec;
    const initContainers = restore.initContainers.filter((c: ContainerSpec) => c.name !== CONTAINERS.init);
    return [pod.initContainers[0], ...initContainers, ...pod.containers, ...(job.initContainers ?? []), ...job.containers];
}

/** What each image must have: the binaries of every container that runs it. */
function needs(flavor: Flavor, restoreFrom?: string): Record<string, string[]> {
    const byImage: Record<string, Set<string>> = {};
    for (const container of containers(flavor, restoreFrom)) {
        byImage[container.image!] ??= new Set();
        containerCommands(container)
            .filter((c) => !COPIED_IN.includes(c))
            .forEach((c) => byImage[container.image!].add(c));
    }
    return Object.fromEntries(Object.entries(byImage).map(([image, set]) => [image, [...set].sort()]));
}

const missing = (flavor: Flavor, restoreFrom?: string) =>
    Object.fromEntries(
        Object.entries(needs(flavor, restoreFrom)).map(([image, binaries]) => [
            image,
            binaries.filter((b) => !IMAGE_BINARIES[image].includes(b)),
        ]),
    );

describe("the default images", () => {
    for (const flavor of Object.values(FLAVORS)) {
        it(`${flavor.name}: ${flavor.image} and ${flavor.backupImage} have every binary their containers run`, () => {
            const images = [...new Set([flavor.image, flavor.backupImage, DEFAULTS.rcloneImage])];
            assert.deepStrictEqual(missing(flavor), Object.fromEntries(images.map((image) => [image, []])));
        });
    }

    it("derives each container's binaries from its command, probes and scripts (mariadb)", () => {
        assert.deepStrictEqual(Object.fromEntries(containers(FLAVORS.mariadb).map((c) => [c.name, containerCommands(c)])), {
            "init-mysql":
                "bash cat chmod chown cp dirname env getent grep ls mariadb-install-db mariadb-tzinfo-to-sql mariadbd mkdir mv rm rmdir timeout".split(
                    " ",
                ),
            rclone: ["cp"],
            // As a mysql-0 restoring to a time runs it: with rclone, copied in by the init container above; the
            // binlog tool decodes the binlogs.
            "clone-mysql":
                "/opt/rclone/rclone bash cp dirname du env getent grep mariadb-backup mariadb-binlog mbstream mkdir mv rm rmdir sha256sum sleep socat sort".split(
                    " ",
                ),
            // The replay of a restore to a time, in the server's image: the server and its client, no binlog tool.
            "replay-binlogs": "bash dirname du env mariadb mariadbd mv rm rmdir sleep".split(" "),
            mysql: "bash cat chown dirname env find mariadb mariadb-admin mariadbd sleep".split(" "),
            xtrabackup:
                "bash cat chmod chown cp dirname env getent mariadb mariadb-backup mariadb-upgrade mbstream mkdir mv rm rmdir sha256sum sleep socat".split(
                    " ",
                ),
            backup: "/opt/rclone/rclone bash cat dirname du env find grep mariadb-backup mbstream mkdir mv rm sha256sum socat sort sync".split(
                " ",
            ),
            // With the bucket, mariadb's binlogs are shipped.
            "binlog-ship": "/opt/rclone/rclone bash dirname env mariadb mv sleep".split(" "),
        });
    });

    it("the scripts' sandbox offers exactly the shell tools the scripts run (SCRIPT_TOOLS), and every image has them", () => {
        const flavorWords = Object.values(FLAVORS).flatMap((f) => [
            f.client,
            f.admin,
            f.server,
            f.backupTool,
            f.streamTool,
            f.transport,
            ...(f.installDb ? [f.installDb.command[0], f.installDb.timeZoneTool] : []),
            ...(f.upgrade ? [f.upgrade.tool] : []),
            ...(f.binlogs ? [f.binlogs.tool] : []),
        ]);
        const derived = new Set(
            Object.values(FLAVORS)
                .flatMap((f) => Object.values(needs(f)).flat())
                .filter((b) => !flavorWords.includes(b) && b !== "docker-entrypoint.sh"),
        );
        assert.deepStrictEqual([...SCRIPT_TOOLS].sort(), [...derived].sort());
        // Every image that runs a pod script (the rclone image only copies rclone out).
        for (const [image, binaries] of Object.entries(IMAGE_BINARIES).filter(([image]) => image !== DEFAULTS.rcloneImage)) {
            assert.deepStrictEqual(
                SCRIPT_TOOLS.filter((t) => !binaries.includes(t)),
                [],
                image,
            );
        }
    });

    it("mysql84's restore to a time: clone-mysql decodes with mysqlbinlog (the backup image's), replay-binlogs runs mysqld and mysql only", () => {
        assert.ok(RESTORE_TIME_FLAVORS.includes("mysql84"));
        const byName = Object.fromEntries(containers(FLAVORS.mysql84, RESTORE_TIME).map((c) => [c.name, c]));
        const replay = byName[CONTAINERS.replay];
        const clone = byName[CONTAINERS.clone];
        assert.deepStrictEqual([replay.image, clone.image], ["mysql:8.4", "percona/percona-xtrabackup:8.4"]);
        assert.deepStrictEqual(
            containerCommands(replay).filter((c) => c.startsWith("mysql")),
            ["mysql", "mysqld"],
        );
        assert.deepStrictEqual(
            containerCommands(clone).filter((c) => ["mysqld", "mysqlbinlog", "mysql"].includes(c)),
            ["mysqlbinlog"],
        );
        // Either container in the other's image lacks a binary (the check can fail): the decode in the server's
        // image (as before this change, when replay-binlogs ran the tool), the replay in the backup's.
        const missingIn = (container: ContainerSpec, image: string) =>
            containerCommands(container).filter((c) => !COPIED_IN.includes(c) && !IMAGE_BINARIES[image].includes(c));
        assert.deepStrictEqual(missingIn(clone, FLAVORS.mysql84.image), ["mysqlbinlog", "socat", "xbstream", "xtrabackup"]);
        assert.deepStrictEqual(missingIn(replay, FLAVORS.mysql84.backupImage), ["mysqld"]);
    });

    it("catches a binary an image lacks (the check can fail)", () => {
        const broken = { ...FLAVORS.mariadb, client: "mysql" };
        assert.deepStrictEqual(missing(broken), { "mariadb:11.4": ["mysql"], [DEFAULTS.rcloneImage]: [] });
    });

    it("refuses a script's command variable that the container does not set (the derivation can fail)", () => {
        const [init] = containers(FLAVORS.mariadb);
        const unset = { ...init, env: init.env!.filter((e) => e.name !== "TIME_ZONE_TOOL") };
        assert.throws(() => containerCommands(unset), {
            message: "init-mysql: a script runs $TIME_ZONE_TOOL, which the container's environment does not set",
        });
    });
});
