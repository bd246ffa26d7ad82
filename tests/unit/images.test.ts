// Every binary a container runs must be in its image. What a container runs is derived from the rendered
// containers and the pod scripts' syntax (tests/scriptCommands.ts), not written by hand; the image contents
// below come from the images' Dockerfiles (sources beside each). The pod-script tests run the scripts with
// only SCRIPT_TOOLS and their stubs on the PATH, and SCRIPT_TOOLS is checked here against the derivation.
import * as assert from "assert";
import { clusterNames, FLAVORS, Flavor, readPodScripts, resolveArgs } from "../../components";
import { backupCronJob, statefulSet } from "../../components/builders";
import { MOCK_UUID } from "../../scripts/mockRuntime";
import { BASE_ARGS, SCRIPT_TOOLS } from "../helpers";
import { ContainerSpec, containerCommands } from "../scriptCommands";

/**
 * What every image below has from its base system: bash and coreutils (cat ... sync; coreutils-single on
 * the ubi/oraclelinux 9 minimal bases), grep, glibc's getent, and find (findutils: installed by the mysql
 * 8.4 Dockerfile, "Oracle Linux 8+ is very slim", so part of oraclelinux:7-slim; part of Debian's and
 * Ubuntu's required set; a dependency of percona-xtrabackup's packages on ubi9-minimal).
 */
const BASE_SYSTEM = [
    ...["bash", "env", "cat", "chmod", "chown", "cp", "dirname", "du", "ls", "mkdir", "mv", "rm", "rmdir", "sha256sum", "sleep", "sync"],
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
    // client, shell. ENTRYPOINT docker-entrypoint.sh in /usr/local/bin.
    "mysql:8.4": [...BASE_SYSTEM, "mysql", "mysqladmin", "mysqld", "mysqlsh", "docker-entrypoint.sh"],
    // percona/percona-docker percona-xtrabackup-8.x/Dockerfile: ubi9-minimal + percona-xtrabackup-84,
    // percona-server-client, socat, hostname, procps-ng; USER 1001 (hence runAsUser 0).
    "percona/percona-xtrabackup:8.4": [...BASE_SYSTEM, "mysql", "xtrabackup", "xbstream", "socat", "hostname"],
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
        "socat",
        "docker-entrypoint.sh",
    ],
};

/** The flavor's containers as rendered: the StatefulSet's and the backup CronJob's. */
function containers(flavor: Flavor): ContainerSpec[] {
    // The flavor given, even one no setting names (a broken copy, below).
    const args = {
        ...resolveArgs({ ...BASE_ARGS, flavor: flavor.name, backupSchedule: "0 3 * * *", backupNfsPath: "/exports/backups" }),
        flavor,
    };
    const names = clusterNames(args.name, args.namespace, args.clusterDomain, args.selectorLabels);
    const pod: any = (statefulSet(args, names, readPodScripts(), MOCK_UUID) as any).spec.template.spec;
    const job: any = (backupCronJob(args, names, readPodScripts()) as any).spec.jobTemplate.spec.template.spec;
    return [...pod.initContainers, ...pod.containers, ...(job.initContainers ?? []), ...job.containers];
}

/** What each image must have: the binaries of every container that runs it. */
function needs(flavor: Flavor): Record<string, string[]> {
    const byImage: Record<string, Set<string>> = {};
    for (const container of containers(flavor)) {
        byImage[container.image!] ??= new Set();
        containerCommands(container).forEach((c) => byImage[container.image!].add(c));
    }
    return Object.fromEntries(Object.entries(byImage).map(([image, set]) => [image, [...set].sort()]));
}

const missing = (flavor: Flavor) =>
    Object.fromEntries(
        Object.entries(needs(flavor)).map(([image, binaries]) => [image, binaries.filter((b) => !IMAGE_BINARIES[image].includes(b))]),
    );

describe("the default images", () => {
    for (const flavor of Object.values(FLAVORS)) {
        it(`${flavor.name}: ${flavor.image} and ${flavor.backupImage} have every binary their containers run`, () => {
            const images = [...new Set([flavor.image, flavor.backupImage])];
            assert.deepStrictEqual(missing(flavor), Object.fromEntries(images.map((image) => [image, []])));
        });
    }

    it("derives each container's binaries from its command, probes and scripts (mariadb)", () => {
        assert.deepStrictEqual(Object.fromEntries(containers(FLAVORS.mariadb).map((c) => [c.name, containerCommands(c)])), {
            "init-mysql":
                "bash cat chmod chown cp dirname env grep ls mariadb-install-db mariadb-tzinfo-to-sql mariadbd mkdir mv rm rmdir".split(
                    " ",
                ),
            "clone-mysql": "bash cp dirname env getent mariadb-backup mbstream mkdir mv rm rmdir sha256sum sleep socat".split(" "),
            mysql: "bash cat chown dirname env find mariadb mariadb-admin mariadbd sleep".split(" "),
            xtrabackup:
                "bash cat chmod chown cp dirname env getent mariadb mariadb-backup mariadb-upgrade mbstream mkdir mv rm rmdir sha256sum sleep socat".split(
                    " ",
                ),
            backup: "bash cat dirname du env mariadb-backup mbstream mkdir mv rm sha256sum socat sync".split(" "),
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
        ]);
        const derived = new Set(
            Object.values(FLAVORS)
                .flatMap((f) => Object.values(needs(f)).flat())
                .filter((b) => !flavorWords.includes(b) && b !== "docker-entrypoint.sh"),
        );
        assert.deepStrictEqual([...SCRIPT_TOOLS].sort(), [...derived].sort());
        for (const [image, binaries] of Object.entries(IMAGE_BINARIES)) {
            assert.deepStrictEqual(
                SCRIPT_TOOLS.filter((t) => !binaries.includes(t)),
                [],
                image,
            );
        }
    });

    it("catches a binary an image lacks (the check can fail)", () => {
        const broken = { ...FLAVORS.mariadb, client: "mysql" };
        assert.deepStrictEqual(missing(broken), { "mariadb:11.4": ["mysql"] });
    });

    it("refuses a script's command variable that the container does not set (the derivation can fail)", () => {
        const [init] = containers(FLAVORS.mariadb);
        const unset = { ...init, env: init.env!.filter((e) => e.name !== "TIME_ZONE_TOOL") };
        assert.throws(() => containerCommands(unset), {
            message: "init-mysql: a script runs $TIME_ZONE_TOOL, which the container's environment does not set",
        });
    });
});
