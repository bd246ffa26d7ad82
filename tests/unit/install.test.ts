// The install story as written: every version README.md and docs/*.md name (a `pulumi package add`
// source, a YAML `packages:` entry, a Git tag, the packed tarball) is package.json's, and docs/install.md
// states the versions the test bed proves (the Pulumi CLI the tools build and the pipelines pin, Kubernetes).
import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import * as yaml from "js-yaml";

const ROOT = path.resolve(__dirname, "..", "..");
const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8"));
const read = (file: string) => fs.readFileSync(path.join(ROOT, file), "utf8");
/** The pages that show how to install or add the package: each names its version. */
const INSTALL_PAGES = ["docs/install.md", "docs/programs.md"];
/** README.md and every page of the manual. */
const MANUAL = [
    "README.md",
    ...fs
        .readdirSync(path.join(ROOT, "docs"))
        .filter((f) => f.endsWith(".md"))
        .map((f) => `docs/${f}`),
];

/** Every version a text names for this package: `mysql-statefulset@vX.Y.Z`, `#vX.Y.Z`, `mysql-statefulset-X.Y.Z.tgz`. */
function packageVersions(text: string): string[] {
    const found: string[] = [];
    for (const match of text.matchAll(/mysql-statefulset(?:@v|#v|-)(\d+\.\d+\.\d+[\w.-]*?)(?:\.tgz)?(?=[\s`'"#)]|$)/gm)) {
        found.push(match[1]);
    }
    return found;
}

/** What the test bed builds: the CLI from the Go module tools/pulumi/cli requires, Kubernetes from versions.env. */
function testedVersions(): { cli: string; kubernetes: string } {
    const cli = /github\.com\/pulumi\/pulumi\/pkg\/v3 v(\d+\.\d+\.\d+)\n/.exec(read("tools/pulumi/cli/go.mod"))?.[1];
    const kubernetes = /^KUBERNETES_VERSION=v(\d+\.\d+\.\d+)$/m.exec(read("tools/kubernetes/versions.env"))?.[1];
    assert.ok(cli && kubernetes, "tools/pulumi/cli/go.mod and tools/kubernetes/versions.env name the versions built");
    return { cli, kubernetes };
}

describe("the install story", () => {
    it("finds the versions a text names, so a stale one is caught", () => {
        assert.deepStrictEqual(
            packageVersions(
                "pulumi package add github.com/o/mysql-statefulset@v0.3.0\n" +
                    "  mysql-statefulset: github.com/o/mysql-statefulset@v0.1.9\n" +
                    "npm install github:o/mysql-statefulset#v1.2.3 x\n" +
                    "npm install ../mysql-statefulset/mysql-statefulset-0.2.0.tgz\n",
            ),
            ["0.3.0", "0.1.9", "1.2.3", "0.2.0"],
        );
    });

    for (const file of MANUAL) {
        it(`${file}: every version of the package it names is package.json's (${pkg.version})`, () => {
            const versions = packageVersions(read(file));
            if (INSTALL_PAGES.includes(file)) {
                assert.ok(versions.length > 0, `${file} names no version of the package`);
            }
            assert.deepStrictEqual(
                versions.filter((v) => v !== pkg.version),
                [],
            );
        });
    }

    it("docs/programs.md's YAML program's `packages:` entry is the Git source at package.json's tag", () => {
        const block = /```yaml\n(name: shop-db[\s\S]*?)```/.exec(read("docs/programs.md"))?.[1];
        assert.ok(block, "docs/programs.md has no YAML program");
        const program = yaml.load(block) as any;
        assert.deepStrictEqual(program.packages, { "mysql-statefulset": `github.com/mysql-statefulset/mysql-statefulset@v${pkg.version}` });
    });

    it("docs/install.md states the versions the test bed proves and the peer ranges package.json declares", () => {
        const install = read("docs/install.md");
        const { cli, kubernetes } = testedVersions();
        assert.match(install, new RegExp(`\\| Pulumi CLI \\| ${cli.replace(/\./g, "\\.")} `));
        assert.match(install, new RegExp(`\\| Kubernetes \\| ${kubernetes.replace(/\./g, "\\.")} `));
        for (const [name, range] of Object.entries<string>(pkg.peerDependencies)) {
            assert.ok(install.includes(`\`${range}\``), `docs/install.md does not state ${name}'s peer range ${range}`);
        }
        assert.ok(install.includes("[nfs.md](nfs.md)"), "docs/install.md points to the NFS preparation");
    });

    it("both packages release.yml publishes with --provenance name this repository, as npm's provenance check requires", () => {
        const release = read(".github/workflows/release.yml");
        assert.match(release, /npm publish --provenance/);
        const policy = JSON.parse(read("policy/package.json"));
        assert.deepStrictEqual(policy.repository, { ...pkg.repository, directory: "policy" });
        assert.strictEqual(pkg.repository.url, "git+https://github.com/mysql-statefulset/mysql-statefulset.git");
    });

    it("the pipelines install the Pulumi CLI the test bed proves", () => {
        const { cli } = testedVersions();
        const pins = fs
            .readdirSync(path.join(ROOT, ".github", "workflows"))
            .flatMap((file) => [...read(path.join(".github", "workflows", file)).matchAll(/pulumi-version: (\S+)/g)].map((m) => m[1]));
        assert.ok(pins.length > 0);
        assert.deepStrictEqual([...new Set(pins)], [cli]);
    });
});
