#!/usr/bin/env bash
# The Pulumi commands of tools/pulumi/prove.sh, which writes the programs into SCRATCH and sets the
# environment, then runs this in a network namespace. One line per step on stdout, with its wall time.
# Usage: prove-offline.sh SCRATCH
set -o errexit -o nounset -o pipefail
scratch="$1"
if [[ ${PROVE_NETNS:-} == 1 ]]; then ip link set lo up; fi
step() {
    local name="$1" dir="$2" start log
    shift 2
    log="$scratch/${name//[^a-z]/-}.log"
    start=$EPOCHREALTIME
    if ! (cd "$scratch/$dir" && "$@") >"$log" 2>&1; then
        echo "FAIL $name (log: $log)"
        tail -n 20 "$log"
        return 1
    fi
    if grep -qi downloading "$log"; then
        echo "FAIL $name tried a download (log: $log)"
        return 1
    fi
    awk -v name="$name" -v start="$start" -v end="$EPOCHREALTIME" 'BEGIN { printf "%-28s %6.2f s\n", name, end - start }'
}
pulumi login --local >/dev/null
for program in node python yaml tls; do
    (cd "$scratch/$program" && pulumi stack select dev --create >/dev/null 2>&1)
    step "$program up" "$program" pulumi up --yes --skip-preview
    step "$program preview --diff" "$program" pulumi preview --diff --expect-no-changes
    if [[ $program == node ]]; then step "node preview (floor)" node pulumi preview; fi
done

# The stand-in random and tls providers: refresh keeps the state, and the outputs are what the component
# needs: a 32-character password of letters and digits, a UUID, a pod certificate for the pods' names, signed
# by the CA, for the key the program holds.
step "tls refresh" tls pulumi refresh --yes --skip-preview --expect-no-changes
tls_check() {
    local out="$scratch/tls/out"
    mkdir -p "$out"
    pulumi stack output caCert >"$out/ca.pem"
    pulumi stack output leafCert >"$out/leaf.pem"
    pulumi stack output --show-secrets leafKey >"$out/leaf.key"
    [[ $(pulumi stack output password) == "[secret]" ]] || {
        echo "the password output is not secret"
        return 1
    }
    pulumi stack output --show-secrets password | grep -Eqx '[A-Za-z0-9]{32}' || {
        echo "the password is not 32 letters and digits"
        return 1
    }
    pulumi stack output uid | grep -Eqx '[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}' || {
        echo "the cluster UID is not a UUID"
        return 1
    }
    openssl verify -CAfile "$out/ca.pem" -purpose sslserver "$out/leaf.pem"
    openssl verify -CAfile "$out/ca.pem" -purpose sslclient "$out/leaf.pem"
    openssl verify -CAfile "$out/ca.pem" -verify_hostname mysql-0.mysql.databases.svc.cluster.local "$out/leaf.pem"
    cmp <(openssl pkey -in "$out/leaf.key" -pubout) <(openssl x509 -in "$out/leaf.pem" -noout -pubkey) || {
        echo "the certificate is not for the program's key"
        return 1
    }
}
step "tls openssl checks" tls tls_check

for program in tls yaml python node; do
    step "$program destroy" "$program" pulumi destroy --yes --skip-preview
done
(cd "$scratch/kubernetes" && pulumi stack select dev --create >/dev/null 2>&1)
# No cluster answers: the preview passes (the provider previews without one), and an update shows that the
# provider started and tried the kubeconfig's server.
step "kubernetes preview" kubernetes pulumi preview
log="$scratch/kubernetes-up.log"
if (cd "$scratch/kubernetes" && pulumi up --yes --skip-preview) >"$log" 2>&1; then
    echo "FAIL kubernetes up succeeded without a cluster (log: $log)"
    exit 1
fi
if ! grep -q 'cluster is unreachable.*127\.0\.0\.1:9' "$log"; then
    echo "FAIL kubernetes up: no 'cluster is unreachable' for 127.0.0.1:9 from the provider (log: $log)"
    exit 1
fi
echo "kubernetes up                provider started; cluster 127.0.0.1:9 unreachable, as expected"
