#!/usr/bin/env bash
# Shows that control-plane.sh gives a working control plane, doing by hand what a node agent will do:
# a Node registered with its zone label, heartbeats (status and Lease), an NFS PersistentVolume pre-bound
# with claimRef and bound by the real PV binder, a headless Service and a 3-replica StatefulSet whose
# controller creates mysql-0 only (OrderedReady), the scheduler binding it to the node, the pod's status
# patched Ready through the API, then mysql-1 created and the EndpointSlice listing mysql-0.
# Usage: tools/kubernetes/smoke.sh   (starts the control plane, leaves nothing behind; transcript on stdout)
# MST_SMOKE_TIMEOUT: seconds to wait for each controller step (default 60).
set -o errexit -o nounset -o pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
export MST_CLUSTER_DIR="${MST_CLUSTER_DIR:-/tmp/mysql-statefulset-smoke}"
step_timeout="${MST_SMOKE_TIMEOUT:-60}"
node="node-a"
namespace=mysql
# Only written into the pod's status (what the EndpointSlice lists): nothing is sent there.
pod_ip=10.200.0.10
node_ip=10.200.0.1

say() { printf '\n## %s\n' "$*"; }
run() {
    printf '$ %s\n' "$*"
    "$@"
}
# until_true DESCRIPTION COMMAND...: retries COMMAND until it succeeds, for at most step_timeout seconds.
until_true() {
    local what=$1 deadline=$((SECONDS + step_timeout)) started=$SECONDS
    shift
    until "$@" >/dev/null 2>&1; do
        if ((SECONDS >= deadline)); then
            echo "smoke.sh: timed out after $step_timeout s waiting for: $what" >&2
            return 1
        fi
        sleep 0.5
    done
    echo "($what after $((SECONDS - started)) s)"
}
now() { date -u +%Y-%m-%dT%H:%M:%SZ; }
now_micro() { date -u +%Y-%m-%dT%H:%M:%S.%6NZ; }

heartbeat_pid=
cleanup() {
    [[ -z $heartbeat_pid ]] || kill "$heartbeat_pid" 2>/dev/null || true
    "$here/control-plane.sh" down
}
trap cleanup EXIT

say "up"
started=$(date +%s.%N)
eval "$("$here/control-plane.sh" up)"
awk -v a="$started" -v b="$(date +%s.%N)" 'BEGIN { printf "up returned after %.1f s\n", b - a }'
run kubectl version
pids=$(cat "$MST_CLUSTER_DIR"/run/*.pid)
echo "\$ control-plane.sh up # again: reuses the running one"
"$here/control-plane.sh" up 2>&1
if [[ $(cat "$MST_CLUSTER_DIR"/run/*.pid) != "$pids" ]]; then
    echo "smoke.sh: a second \`up\` started new processes instead of reusing the running ones." >&2
    exit 1
fi
echo "\$ ss -ltnp # the control plane's listening sockets"
for pid_file in "$MST_CLUSTER_DIR"/run/*.pid; do
    ss -ltnpH | grep "pid=$(<"$pid_file")," || true
done | tee "$MST_CLUSTER_DIR/listening"
if awk '{ print $4 }' "$MST_CLUSTER_DIR/listening" | grep -v '^127\.0\.0\.1:'; then
    echo "smoke.sh: a control-plane process listens on another address than 127.0.0.1 (above)." >&2
    exit 1
fi
run kubectl get --raw /readyz
echo
node_kubeconfig="$MST_CLUSTER_DIR/node-$node.kubeconfig"
"$here/control-plane.sh" node-kubeconfig "$node" >"$node_kubeconfig"
# What a node agent does, with its own system:node credentials (Node authorizer).
as_node() { kubectl --kubeconfig="$node_kubeconfig" "$@"; }
# node_patch PATH JSON: a merge patch straight to the API as the node (a kubelet never GETs nodes/status
# or pods/status, which the Node authorizer refuses, so `kubectl patch --subresource=status` cannot be used).
node_patch() {
    curl --silent --show-error --fail-with-body --output /dev/null \
        --cacert "$MST_CLUSTER_DIR/pki/ca.crt" \
        --cert "$MST_CLUSTER_DIR/pki/node-$node.crt" --key "$MST_CLUSTER_DIR/pki/node-$node.key" \
        -X PATCH -H 'Content-Type: application/merge-patch+json' --data-binary "$2" \
        "$(kubectl config view --minify -o jsonpath='{.clusters[0].cluster.server}')$1"
}

say "the node registers itself, reports Ready and renews its Lease (as a kubelet would)"
as_node apply -f - <<EOF
apiVersion: v1
kind: Node
metadata:
  name: $node
  labels:
    kubernetes.io/hostname: $node
    kubernetes.io/os: linux
    topology.kubernetes.io/zone: zone-a
EOF
heartbeat() {
    node_patch "/api/v1/nodes/$node/status" "{\"status\": {
        \"capacity\": {\"cpu\": \"2\", \"memory\": \"8Gi\", \"pods\": \"110\"},
        \"allocatable\": {\"cpu\": \"2\", \"memory\": \"8Gi\", \"pods\": \"110\"},
        \"addresses\": [{\"type\": \"InternalIP\", \"address\": \"$node_ip\"}, {\"type\": \"Hostname\", \"address\": \"$node\"}],
        \"conditions\": [{\"type\": \"Ready\", \"status\": \"True\", \"reason\": \"KubeletReady\",
            \"lastHeartbeatTime\": \"$(now)\", \"lastTransitionTime\": \"$(now)\"}]}}"
    as_node apply -f - >/dev/null <<EOF
apiVersion: coordination.k8s.io/v1
kind: Lease
metadata: {name: $node, namespace: kube-node-lease}
spec: {holderIdentity: $node, leaseDurationSeconds: 40, renewTime: "$(now_micro)"}
EOF
}
heartbeat
(while sleep 10; do heartbeat || true; done) &
heartbeat_pid=$!
until_true "the not-ready taint removed by the node lifecycle controller" \
    bash -c "[[ -z \$(kubectl get node $node -o jsonpath='{.spec.taints}') ]]"
run kubectl get node "$node" -L topology.kubernetes.io/zone

say "a namespace, pre-bound NFS PersistentVolumes and a claim with storageClassName \"\""
run kubectl create namespace "$namespace"
for ordinal in 0 1 2; do
    kubectl apply -f - <<EOF
apiVersion: v1
kind: PersistentVolume
metadata: {name: mysql-pv-$ordinal}
spec:
  capacity: {storage: 1Gi}
  accessModes: [ReadWriteOnce]
  persistentVolumeReclaimPolicy: Retain
  storageClassName: ""
  nfs: {server: 127.0.0.1, path: /exports/mysql-$ordinal}
  claimRef: {namespace: $namespace, name: data-mysql-$ordinal}
EOF
done
kubectl apply -f - <<EOF
apiVersion: v1
kind: PersistentVolumeClaim
metadata: {name: data-mysql-0, namespace: $namespace}
spec:
  accessModes: [ReadWriteOnce]
  storageClassName: ""
  resources: {requests: {storage: 1Gi}}
EOF
until_true "data-mysql-0 Bound by the PV binder" \
    bash -c "[[ \$(kubectl -n $namespace get pvc data-mysql-0 -o jsonpath='{.status.phase}') == Bound ]]"
run kubectl -n "$namespace" get pv,pvc

say "a headless Service and a StatefulSet of 3 (OrderedReady)"
kubectl apply -f - <<EOF
apiVersion: v1
kind: Service
metadata: {name: mysql, namespace: $namespace, labels: {app: mysql}}
spec:
  clusterIP: None
  selector: {app: mysql}
  ports: [{name: mysql, port: 3306}]
---
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: mysql, namespace: $namespace}
spec:
  serviceName: mysql
  replicas: 3
  selector: {matchLabels: {app: mysql}}
  template:
    metadata: {labels: {app: mysql}}
    spec:
      containers:
        - name: mysql
          image: mariadb:10.11
          ports: [{name: mysql, containerPort: 3306}]
          volumeMounts: [{name: data, mountPath: /var/lib/mysql}]
  volumeClaimTemplates:
    - metadata: {name: data}
      spec:
        accessModes: [ReadWriteOnce]
        storageClassName: ""
        resources: {requests: {storage: 1Gi}}
EOF
until_true "mysql-0 bound to $node by the scheduler" \
    bash -c "[[ \$(kubectl -n $namespace get pod mysql-0 -o jsonpath='{.spec.nodeName}') == $node ]]"
sleep 2 # a wrong controller would create mysql-1 now: give it the time to
run kubectl -n "$namespace" get pods -o wide
if kubectl -n "$namespace" get pod mysql-1 >/dev/null 2>&1; then
    echo "smoke.sh: mysql-1 exists before mysql-0 is Ready: OrderedReady was not followed." >&2
    exit 1
fi

say "the node agent reports mysql-0 Running and Ready (pods/status)"
uid=$(kubectl -n "$namespace" get pod mysql-0 -o jsonpath='{.metadata.uid}')
echo "\$ node_patch /api/v1/namespaces/$namespace/pods/mysql-0/status '{\"status\": {\"phase\": \"Running\", …}}'"
node_patch "/api/v1/namespaces/$namespace/pods/mysql-0/status" "{\"status\": {
    \"phase\": \"Running\", \"hostIP\": \"$node_ip\", \"hostIPs\": [{\"ip\": \"$node_ip\"}],
    \"podIP\": \"$pod_ip\", \"podIPs\": [{\"ip\": \"$pod_ip\"}], \"startTime\": \"$(now)\",
    \"conditions\": [
        {\"type\": \"PodReadyToStartContainers\", \"status\": \"True\", \"lastTransitionTime\": \"$(now)\"},
        {\"type\": \"Initialized\", \"status\": \"True\", \"lastTransitionTime\": \"$(now)\"},
        {\"type\": \"ContainersReady\", \"status\": \"True\", \"lastTransitionTime\": \"$(now)\"},
        {\"type\": \"Ready\", \"status\": \"True\", \"lastTransitionTime\": \"$(now)\"},
        {\"type\": \"PodScheduled\", \"status\": \"True\", \"lastTransitionTime\": \"$(now)\"}],
    \"containerStatuses\": [{\"name\": \"mysql\", \"image\": \"mariadb:10.11\", \"imageID\": \"\",
        \"containerID\": \"fake://$uid/mysql\", \"ready\": true, \"started\": true, \"restartCount\": 0,
        \"state\": {\"running\": {\"startedAt\": \"$(now)\"}}}]}}"
until_true "mysql-1 created by the StatefulSet controller" kubectl -n "$namespace" get pod mysql-1
until_true "data-mysql-1 Bound" \
    bash -c "[[ \$(kubectl -n $namespace get pvc data-mysql-1 -o jsonpath='{.status.phase}') == Bound ]]"
until_true "the EndpointSlice lists mysql-0 ready" \
    bash -c "kubectl -n $namespace get endpointslices -l kubernetes.io/service-name=mysql \
        -o jsonpath='{.items[*].endpoints[?(@.conditions.ready==true)].targetRef.name}' | grep -qx mysql-0"
run kubectl -n "$namespace" get pods,pv,pvc -o wide
run kubectl -n "$namespace" get statefulset mysql
run kubectl -n "$namespace" get endpointslices -l kubernetes.io/service-name=mysql \
    -o jsonpath='{range .items[*]}{.metadata.name}{": "}{range .endpoints[*]}{.targetRef.name}{" "}{.addresses}{" ready="}{.conditions.ready}{" hostname="}{.hostname}{" zone="}{.zone}{"\n"}{end}{end}'

say "delete all"
run kubectl -n "$namespace" delete statefulset mysql --wait=false
until_true "mysql-0 and mysql-1 marked for deletion by the garbage collector" \
    bash -c "[[ \$(kubectl -n $namespace get pods -o jsonpath='{.items[*].metadata.deletionTimestamp}' | wc -w) == 2 ]]"
# A pod bound to a node goes only when its node agent confirms (grace period 0), as a kubelet does; a node
# may list only its own pods (field selector spec.nodeName).
run as_node -n "$namespace" delete pods --field-selector="spec.nodeName=$node" --grace-period=0 --force
run kubectl delete namespace "$namespace" --wait=true --timeout="${step_timeout}s"
run kubectl delete pv mysql-pv-0 mysql-pv-1 mysql-pv-2
run kubectl delete node "$node"
say "down"
