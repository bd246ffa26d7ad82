// Real values for the resources that generate secrets (@pulumi/random passwords, @pulumi/tls keys and
// certificates), computed when the mock runtime answers for them, so that `render --show-secrets` prints
// YAML that runs on a cluster or the test bed unchanged. Keys come from Node's crypto; certificates from
// the `openssl` command (OpenSSL 3: `x509 -copy_extensions`), as Node cannot sign X.509 certificates.

import { spawnSync } from "child_process";
import * as crypto from "crypto";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

const ALPHANUMERIC = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

/** A password as RandomPassword with `special: false` makes one: letters and digits, uniformly drawn. */
export function randomPassword(length: number): string {
    return Array.from({ length }, () => ALPHANUMERIC[crypto.randomInt(ALPHANUMERIC.length)]).join("");
}

/** A private key as tls.PrivateKey reports it (ECDSA keys in SEC1 "EC PRIVATE KEY" PEM, RSA in PKCS#1). */
export function privateKey(inputs: { algorithm?: string; ecdsaCurve?: string; rsaBits?: number }): Record<string, string> {
    const { privateKey: key, publicKey } =
        inputs.algorithm === "RSA"
            ? crypto.generateKeyPairSync("rsa", { modulusLength: inputs.rsaBits ?? 2048 })
            : crypto.generateKeyPairSync("ec", {
                  namedCurve: { P224: "P-224", P256: "P-256", P384: "P-384", P521: "P-521" }[inputs.ecdsaCurve ?? "P224"] ?? "P-256",
              });
    return {
        privateKeyPem: key.export({ format: "pem", type: inputs.algorithm === "RSA" ? "pkcs1" : "sec1" }).toString(),
        privateKeyPemPkcs8: key.export({ format: "pem", type: "pkcs8" }).toString(),
        publicKeyPem: publicKey.export({ format: "pem", type: "spki" }).toString(),
    };
}

interface Subject {
    commonName?: string;
    organization?: string;
}

interface CertInputs {
    privateKeyPem?: string;
    subject?: Subject;
    dnsNames?: string[];
    ipAddresses?: string[];
    isCaCertificate?: boolean;
    validityPeriodHours?: number;
    allowedUses?: string[];
    certRequestPem?: string;
    caPrivateKeyPem?: string;
    caCertPem?: string;
}

const KEY_USAGE: Record<string, string> = {
    cert_signing: "keyCertSign",
    crl_signing: "cRLSign",
    digital_signature: "digitalSignature",
    key_encipherment: "keyEncipherment",
};
const EXTENDED_KEY_USAGE: Record<string, string> = { server_auth: "serverAuth", client_auth: "clientAuth" };

function subjectOf(subject: Subject | undefined): string {
    const parts = [subject?.organization && `O=${subject.organization}`, subject?.commonName && `CN=${subject.commonName}`];
    return `/${parts.filter(Boolean).join("/")}`;
}

/** The extensions a tls.* certificate's inputs ask for, as openssl config lines. */
function extensions(inputs: CertInputs): string[] {
    const lines = [`basicConstraints = critical, CA:${inputs.isCaCertificate ? "TRUE" : "FALSE"}`];
    const usage = (inputs.allowedUses ?? []).flatMap((u) => KEY_USAGE[u] ?? []);
    const extended = (inputs.allowedUses ?? []).flatMap((u) => EXTENDED_KEY_USAGE[u] ?? []);
    if (usage.length > 0) {
        lines.push(`keyUsage = critical, ${usage.join(", ")}`);
    }
    if (extended.length > 0) {
        lines.push(`extendedKeyUsage = ${extended.join(", ")}`);
    }
    lines.push("subjectKeyIdentifier = hash");
    return lines;
}

function openssl(args: string[], files: Record<string, string>): string {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "render-tls-"));
    try {
        for (const [name, text] of Object.entries(files)) {
            fs.writeFileSync(path.join(dir, name), text, { mode: 0o600 });
        }
        const run = spawnSync("openssl", args, { cwd: dir, encoding: "utf8" });
        if (run.error !== undefined || run.status !== 0) {
            throw new Error(`openssl ${args[0]} failed (OpenSSL 3 is needed for --show-secrets): ${run.error?.message ?? run.stderr}`);
        }
        return run.stdout;
    } finally {
        fs.rmSync(dir, { recursive: true, force: true });
    }
}

const days = (inputs: CertInputs) => String(Math.max(1, Math.floor((inputs.validityPeriodHours ?? 24) / 24)));

export function selfSignedCert(inputs: CertInputs): Record<string, string> {
    const certPem = openssl(
        [
            "req",
            "-x509",
            "-new",
            "-key",
            "key.pem",
            "-subj",
            subjectOf(inputs.subject),
            "-days",
            days(inputs),
            "-extensions",
            "ext",
            "-config",
            "ext.cnf",
        ],
        {
            "key.pem": inputs.privateKeyPem ?? "",
            "ext.cnf": ["[req]", "distinguished_name = dn", "[dn]", "[ext]", ...extensions(inputs)].join("\n"),
        },
    );
    return { certPem };
}

export function certRequest(inputs: CertInputs): Record<string, string> {
    const names = [...(inputs.dnsNames ?? []).map((n) => `DNS:${n}`), ...(inputs.ipAddresses ?? []).map((ip) => `IP:${ip}`)];
    const certRequestPem = openssl(
        [
            "req",
            "-new",
            "-key",
            "key.pem",
            "-subj",
            subjectOf(inputs.subject),
            ...(names.length > 0 ? ["-addext", `subjectAltName = ${names.join(", ")}`] : []),
        ],
        { "key.pem": inputs.privateKeyPem ?? "" },
    );
    return { certRequestPem };
}

export function locallySignedCert(inputs: CertInputs): Record<string, string> {
    const certPem = openssl(
        [
            "x509",
            "-req",
            "-in",
            "req.pem",
            "-CA",
            "ca.pem",
            "-CAkey",
            "ca-key.pem",
            "-set_serial",
            `0x${crypto.randomBytes(16).toString("hex")}`,
            "-days",
            days(inputs),
            "-copy_extensions",
            "copyall",
            "-extfile",
            "ext.cnf",
            "-extensions",
            "ext",
        ],
        {
            "req.pem": inputs.certRequestPem ?? "",
            "ca.pem": inputs.caCertPem ?? "",
            "ca-key.pem": inputs.caPrivateKeyPem ?? "",
            "ext.cnf": ["[ext]", ...extensions(inputs), "authorityKeyIdentifier = keyid"].join("\n"),
        },
    );
    return { certPem };
}
