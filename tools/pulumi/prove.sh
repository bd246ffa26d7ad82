#!/usr/bin/env bash
# Shows that the tools build.sh makes run the real engine offline: in a scratch folder, a Node.js, a
# Python and a YAML program each go through `pulumi up`, `pulumi preview --diff` (no changes) and
# `pulumi destroy` against a local backend, a Kubernetes program's preview starts the provider, and a
# TypeScript program makes the component's passwords, cluster UID, CA and certificate through the stand-in
# random and tls providers (checked with openssl).
# The Pulumi runs happen in a network namespace with only loopback (when `unshare -n` works, as root), and
# with automatic plugin downloads turned off; any "downloading" line fails the run.
# Needs: node_modules of this repo (scripts/ensure-deps.sh); Python's venv is made here with pip.
# Usage: tools/pulumi/prove.sh [SCRATCH_DIR]; prints one line per step with its wall time.
set -o errexit -o nounset -o pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
bin="$(bash "$here/build.sh")"
scratch="${1:-$(mktemp -d)}"
mkdir -p "$scratch"
echo "prove: scratch folder $scratch" >&2
[[ -d $repo/node_modules/@pulumi/pulumi ]] || {
    echo "prove: $repo/node_modules is missing; run scripts/ensure-deps.sh first" >&2
    exit 1
}

# --- the programs ---------------------------------------------------------------------------------------
mkdir -p "$scratch"/{node,python,yaml,kubernetes,tls,state}
for dir in node kubernetes tls; do
    ln -sfn "$repo/node_modules" "$scratch/$dir/node_modules"
done
printf '{ "name": "prove-node", "version": "0.0.0", "main": "index.ts" }\n' >"$scratch/node/package.json"
printf '{ "name": "prove-kubernetes", "version": "0.0.0", "main": "index.js" }\n' >"$scratch/kubernetes/package.json"
printf 'name: prove-node\nruntime: nodejs\n' >"$scratch/node/Pulumi.yaml"
cat >"$scratch/node/index.ts" <<'EOF'
// One resource through the Node dynamic provider (pulumi-resource-pulumi-nodejs), plus a secret output;
// TypeScript, run through the SDK's ts-node as this project's program is.
import * as pulumi from "@pulumi/pulumi";

const provider: pulumi.dynamic.ResourceProvider = {
    async create(inputs: { text: string }) {
        return { id: `note-${inputs.text.length}`, outs: { text: inputs.text, length: inputs.text.length } };
    },
    async delete() {},
};
class Note extends pulumi.dynamic.Resource {
    public readonly length!: pulumi.Output<number>;
    constructor(name: string, text: string) {
        super(provider, name, { text, length: undefined }, {});
    }
}
export const length = new Note("note", "hello from the real engine").length;
export const secret = pulumi.secret("not shown");
EOF
printf 'name: prove-python\nruntime:\n  name: python\n  options:\n    virtualenv: venv\n' \
    >"$scratch/python/Pulumi.yaml"
cat >"$scratch/python/__main__.py" <<'EOF'
# One resource through the Python dynamic provider (pulumi-resource-pulumi-python).
import pulumi
from pulumi.dynamic import CreateResult, Resource, ResourceProvider


class NoteProvider(ResourceProvider):
    def create(self, props):
        return CreateResult(id_="note", outs={"text": props["text"]})


class Note(Resource):
    def __init__(self, name, text):
        super().__init__(NoteProvider(), name, {"text": text})


pulumi.export("text", Note("note", "hello from python").text)
EOF
cat >"$scratch/yaml/Pulumi.yaml" <<'EOF'
name: prove-yaml
runtime: yaml
# A resource of the engine's builtin provider (no plugin): a reference to the Node program's stack.
resources:
  node:
    type: pulumi:pulumi:StackReference
    properties:
      name: organization/prove-node/dev
outputs:
  nodeLength: ${node.outputs["length"]}
EOF
printf 'name: prove-kubernetes\nruntime: nodejs\n' >"$scratch/kubernetes/Pulumi.yaml"
# The component's own certificate specs and names, through a link, so the program follows them.
ln -sfn "$repo/components" "$scratch/tls/components"
printf '{ "name": "prove-tls", "version": "0.0.0", "main": "index.ts" }\n' >"$scratch/tls/package.json"
printf 'name: prove-tls\nruntime: nodejs\n' >"$scratch/tls/Pulumi.yaml"
cat >"$scratch/tls/index.ts" <<'EOF'
// The component's generated password, cluster UID, CA and pod certificate, wired as
// components/mysqlCluster.ts wires them, from its own specs (components/builders/tls.ts), through the
// stand-in random and tls providers.
import * as random from "@pulumi/random";
import * as tls from "@pulumi/tls";
import { certificateSpecs } from "./components/builders/tls";
import { clusterNames } from "./components/names";

const name = "prove";
const names = clusterNames("mysql", "databases", "cluster.local", "recommended");
const rootPassword = new random.RandomPassword(`${name}-root-password`, { length: 32, special: false });
const clusterUid = new random.RandomUuid(`${name}-cluster-uid`, {});

const certificate = certificateSpecs(names);
const caKey = new tls.PrivateKey(`${name}-ca-key`, certificate.key);
const ca = new tls.SelfSignedCert(`${name}-ca`, { ...certificate.ca, privateKeyPem: caKey.privateKeyPem });
const key = new tls.PrivateKey(`${name}-tls-key`, certificate.key);
const request = new tls.CertRequest(`${name}-tls-request`, { ...certificate.request, privateKeyPem: key.privateKeyPem });
const cert = new tls.LocallySignedCert(`${name}-tls-cert`, {
    ...certificate.cert,
    certRequestPem: request.certRequestPem,
    caPrivateKeyPem: caKey.privateKeyPem,
    caCertPem: ca.certPem,
});

export const password = rootPassword.result;
export const uid = clusterUid.result;
export const caCert = ca.certPem;
export const leafCert = cert.certPem;
export const leafKey = key.privateKeyPem;
EOF
cat >"$scratch/kubernetes/index.js" <<'EOF'
"use strict";
const k8s = require("@pulumi/kubernetes");
new k8s.core.v1.ConfigMap("prove", { metadata: { name: "prove" }, data: { a: "b" } });
EOF
cat >"$scratch/kubernetes/kubeconfig" <<'EOF'
apiVersion: v1
kind: Config
clusters: [{ name: nowhere, cluster: { server: "https://127.0.0.1:9" } }]
users: [{ name: nobody, user: { token: none } }]
contexts: [{ name: nowhere, context: { cluster: nowhere, user: nobody } }]
current-context: nowhere
EOF

if [[ ! -x $scratch/python/venv/bin/python ]]; then
    echo "prove: making the Python venv (pip install pulumi==3.248.0)" >&2
    python3 -m venv "$scratch/python/venv"
    "$scratch/python/venv/bin/pip" install --quiet pulumi==3.248.0 >&2
fi

# --- the offline runs -----------------------------------------------------------------------------------
export PATH="$bin:$PATH"
export PULUMI_HOME="$scratch/home"
export PULUMI_BACKEND_URL="file://$scratch/state"
export PULUMI_CONFIG_PASSPHRASE=prove
export PULUMI_SKIP_UPDATE_CHECK=true
export PULUMI_AUTOMATION_API_SKIP_VERSION_CHECK=true
export PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION=true
export KUBECONFIG="$scratch/kubernetes/kubeconfig"
if [[ $(id -u) == 0 ]] && unshare -n true 2>/dev/null; then
    echo "prove: running in a network namespace with only loopback" >&2
    PROVE_NETNS=1 unshare -n bash "$here/prove-offline.sh" "$scratch"
else
    echo "prove: unshare -n is not available; running with the machine's network (downloads stay off)" >&2
    bash "$here/prove-offline.sh" "$scratch"
fi
