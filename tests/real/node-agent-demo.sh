#!/usr/bin/env bash
# The fake kubelet as the node agent of a real control plane (issue #20), shown end to end:
#   1. the control plane up (tools/kubernetes/control-plane.sh: etcd, kube-apiserver, controller-manager,
#      scheduler on 127.0.0.1), the agent's kubelet endpoint certificate signed by its CA;
#   2. the agent up: Nodes node-a..c Ready;
#   3. the self-test's StatefulSet (OrderedReady, 2 replicas, headless Service, claim template) and two NFS
#      PersistentVolumes applied with kubectl: the real scheduler places the pods, the agent runs them, the real
#      StatefulSet controller creates mysql-1 only once mysql-0 is Ready, the EndpointSlice lists both;
#   4. `kubectl logs` through the API server's kubelet proxy; `kubectl delete pod mysql-0`: the controller makes
#      it again and it becomes Ready.
# With --render (after step 4): the component's own mariadb render (dev stack, nfsServer=nfs.local), applied
# with kubectl, its three pods Ready and replicating.
# Root only. Takes /tmp/real-suite.lock (it starts MariaDB pods). Everything is stopped and removed on exit
# unless KEEP=1. Settings: CONTROL_PLANE (the control-plane.sh to run), MST_CLUSTER_DIR, MST_CLUSTER_PORT_BASE.
set -o errexit -o nounset -o pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
repo=$PWD

with_render=false
case "${1:-}" in
"") ;;
--render) with_render=true ;;
*)
    echo "usage: $0 [--render]" >&2
    exit 2
    ;;
esac

control_plane=${CONTROL_PLANE:-$repo/tools/kubernetes/control-plane.sh}
[[ -f $control_plane ]] || {
    echo "node-agent-demo.sh: no $control_plane; set CONTROL_PLANE to tools/kubernetes/control-plane.sh of a checkout that has it." >&2
    exit 1
}
export MST_CLUSTER_DIR=${MST_CLUSTER_DIR:-/tmp/node-agent-demo-cluster}
export MST_CLUSTER_PORT_BASE=${MST_CLUSTER_PORT_BASE:-27000}
work=$(mktemp -d /tmp/node-agent-demo.XXXXXX)
t0=$SECONDS
say() { printf '[demo +%3ds] %s\n' $((SECONDS - t0)) "$*"; }

exec 9>/tmp/real-suite.lock
say "waiting for /tmp/real-suite.lock"
flock 9

agent_pid=""
cleanup() {
    local status=$?
    if [[ ${KEEP:-} == 1 ]]; then
        say "KEEP=1: agent pid ${agent_pid:-none}, work dir $work, control plane in $MST_CLUSTER_DIR left running"
        exit "$status"
    fi
    if [[ -n $agent_pid ]] && kill -0 "$agent_pid" 2>/dev/null; then
        kill -TERM "$agent_pid"
        wait "$agent_pid" || true
    fi
    bash "$control_plane" down || true
    rm -rf "$work"
    exit "$status"
}
trap cleanup EXIT

say "control plane up ($control_plane)"
eval "$(bash "$control_plane" up)"
pki=$MST_CLUSTER_DIR/pki
kubectl version 2>/dev/null | sed 's/^/  /'

# The kubelet endpoint's serving certificate, signed by the cluster CA (the API server runs with
# --kubelet-certificate-authority): kubectl logs goes through it.
openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$work/kubelet.key" 2>/dev/null
openssl req -new -key "$work/kubelet.key" -subj "/CN=fake-kubelet" |
    openssl x509 -req -CA "$pki/ca.crt" -CAkey "$pki/ca.key" -CAcreateserial -days 2 \
        -extfile <(printf '%s\n' "basicConstraints=critical,CA:FALSE" "extendedKeyUsage=serverAuth" "subjectAltName=IP:127.0.0.1") \
        -out "$work/kubelet.crt" 2>/dev/null

mkdir -p "$work/nfs/demo/0" "$work/nfs/demo/1"
say "node agent up (log: $work/agent.log)"
node --require ts-node/register/transpile-only tests/fake-kubelet/agent-main.ts --kubeconfig "$KUBECONFIG" \
    --nfs-root "$work/nfs" --work-dir "$work/agent" --tls-cert-file "$work/kubelet.crt" \
    --tls-private-key-file "$work/kubelet.key" --client-ca-file "$pki/ca.crt" >"$work/agent.log" 2>&1 &
agent_pid=$!
until kubectl get node node-c >/dev/null 2>&1; do
    kill -0 "$agent_pid" 2>/dev/null || {
        cat "$work/agent.log" >&2
        exit 1
    }
    sleep 0.5
done
kubectl wait --for=condition=Ready node --all --timeout=60s >/dev/null
# The node lifecycle controller lifts the not-ready taint the TaintNodesByCondition admission put on the new Nodes.
until [[ -z $(kubectl get nodes -o jsonpath='{.items[*].spec.taints}') ]]; do sleep 0.5; done
say "nodes Ready, untainted:"
kubectl get nodes -L topology.kubernetes.io/zone | sed 's/^/  /'

say "apply the self-test's StatefulSet (OrderedReady, 2 replicas) and two NFS PersistentVolumes"
kubectl apply -f tests/real/fixtures/node-agent-pvs.yaml -f tests/real/fixtures/fake-kubelet-statefulset.yaml | sed 's/^/  /'
until kubectl get pod mysql-1 >/dev/null 2>&1; do sleep 0.5; done
kubectl wait --for=condition=Ready pod/mysql-0 pod/mysql-1 --timeout=300s | sed 's/^/  /'
say "both Ready:"
kubectl get pods -o wide | sed 's/^/  /'
# The API's timestamps have whole seconds; the agent's log has milliseconds.
ready0=$(sed -n 's/^\[node-agent \(.*\)\] pod default_mysql-0 PodReady$/\1/p' "$work/agent.log" | head -n 1)
bound1=$(sed -n 's/^\[node-agent \(.*\)\] pod default_mysql-1 bound to .*/\1/p' "$work/agent.log" | head -n 1)
say "agent log: mysql-0 Ready at $ready0, mysql-1 bound at $bound1 (OrderedReady: not before)"
[[ -n $ready0 && -n $bound1 && ! $bound1 < $ready0 ]] || {
    echo "mysql-1 was bound before mysql-0 was Ready" >&2
    exit 1
}
say "the StatefulSet controller's events:"
kubectl get events --field-selector involvedObject.kind=StatefulSet | sed 's/^/  /'
say "EndpointSlice of Service mysql:"
kubectl get endpointslices -l kubernetes.io/service-name=mysql -o wide | sed 's/^/  /'
say "kubectl logs mysql-0 -c mariadb --tail=3 (through the API server's kubelet proxy):"
kubectl logs mysql-0 -c mariadb --tail=3 | sed 's/^/  /'
say "mysql-1 resolves mysql-0.mysql from its hosts file:"
grep -h 'mysql-0.mysql' "$work"/agent/pods/default_mysql-1/hosts | sed 's/^/  /'

uid=$(kubectl get pod mysql-0 -o jsonpath='{.metadata.uid}')
say "kubectl delete pod mysql-0 (uid $uid)"
kubectl delete pod mysql-0 | sed 's/^/  /'
until new=$(kubectl get pod mysql-0 -o jsonpath='{.metadata.uid}' 2>/dev/null) && [[ $new != "$uid" ]]; do sleep 0.5; done
kubectl wait --for=condition=Ready pod/mysql-0 --timeout=300s | sed 's/^/  /'
say "mysql-0 made again by the StatefulSet controller (uid $new), Ready:"
kubectl get pods -o wide | sed 's/^/  /'
say "events of mysql-0:"
kubectl get events --field-selector involvedObject.name=mysql-0 --sort-by=.lastTimestamp | tail -n 12 | sed 's/^/  /'

if $with_render; then
    say "the component's render: dev stack, flavor mariadb, nfsServer=nfs.local"
    # The self-test's objects go, its claims and volumes too: the render's claims have the same names
    # (data-mysql-N) and must bind the render's own PersistentVolumes, not find the self-test's data.
    kubectl delete -f tests/real/fixtures/fake-kubelet-statefulset.yaml --wait=true | sed 's/^/  /'
    kubectl delete pvc data-mysql-0 data-mysql-1 --wait=true | sed 's/^/  /'
    kubectl delete -f tests/real/fixtures/node-agent-pvs.yaml --wait=true | sed 's/^/  /'
    npm run --silent render -- --stack dev --config flavor=mariadb --config nfsServer=nfs.local --show-secrets >"$work/render.yaml"
    # The render's NFS paths, made under the stand-in's root.
    while read -r nfs_path; do
        mkdir -p "$work/nfs/$nfs_path"
    done < <(sed -n 's/^ *path: \(\/.*\)$/\1/p' "$work/render.yaml")
    kubectl apply -f "$work/render.yaml" | sed 's/^/  /'
    ns=$(kubectl get statefulsets -A -o jsonpath='{.items[0].metadata.namespace}')
    sts=$(kubectl get statefulsets -n "$ns" -o jsonpath='{.items[0].metadata.name}')
    kubectl rollout status statefulset "$sts" -n "$ns" --timeout=600s | sed 's/^/  /'
    say "the render's pods:"
    kubectl get pods -n "$ns" -o wide | sed 's/^/  /'
    # The replicas' server logs show replication running.
    for pod in $(kubectl get pods -n "$ns" -l app.kubernetes.io/instance=mysql,app.kubernetes.io/component=database -o jsonpath='{.items[*].metadata.name}'); do
        [[ $pod == *-0 ]] && continue
        say "kubectl logs $pod -c mysql | grep 'Slave (I/O|SQL) thread':"
        kubectl logs "$pod" -n "$ns" -c mysql | grep -E 'Slave (I/O|SQL) thread' | tail -n 2 | sed 's/^/  /'
    done
fi
say "done"
