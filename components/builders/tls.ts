// The cluster's certificates: its own CA, and one certificate for every pod, used as server certificate
// (MySQL clients, replication) and as client certificate (the clone stream's mutual TLS). The names are
// wildcards over the headless Service, so a scale-up needs no new certificate.

import * as tls from "@pulumi/tls";
import { ClusterNames } from "../names";

/** Ten years: the certificates are the cluster's own, and replacing them rolls every pod. */
const VALIDITY_HOURS = 10 * 365 * 24;

export interface CertificateSpecs {
    /** Both keys: ECDSA P-256. */
    readonly key: tls.PrivateKeyArgs;
    readonly ca: Omit<tls.SelfSignedCertArgs, "privateKeyPem">;
    readonly request: Omit<tls.CertRequestArgs, "privateKeyPem">;
    readonly cert: Omit<tls.LocallySignedCertArgs, "certRequestPem" | "caPrivateKeyPem" | "caCertPem">;
}

export function certificateSpecs(names: ClusterNames): CertificateSpecs {
    return {
        key: { algorithm: "ECDSA", ecdsaCurve: "P256" },
        ca: {
            subject: { commonName: `${names.statefulSet} cluster CA`, organization: "mysql-statefulset" },
            isCaCertificate: true,
            validityPeriodHours: VALIDITY_HOURS,
            allowedUses: ["cert_signing", "crl_signing", "digital_signature"],
        },
        request: {
            subject: { commonName: `*.${names.peerDomain}`, organization: "mysql-statefulset" },
            dnsNames: [...names.certificateDnsNames],
            ipAddresses: ["127.0.0.1", "::1"],
        },
        cert: {
            validityPeriodHours: VALIDITY_HOURS,
            allowedUses: ["digital_signature", "key_encipherment", "server_auth", "client_auth"],
        },
    };
}
