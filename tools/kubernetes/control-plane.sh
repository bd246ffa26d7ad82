#!/usr/bin/env bash
# Starts and stops a real Kubernetes control plane on 127.0.0.1 for the test bed: etcd, kube-apiserver,
# kube-controller-manager and kube-scheduler, with their own CA and certificates in a state directory.
# There is no kubelet: a node agent registers Nodes and reports pod status through the API.
#   eval "$(tools/kubernetes/control-plane.sh up)"   # prints only `export KUBECONFIG=…` and `export PATH=…`
#   tools/kubernetes/control-plane.sh down            # stops what `up` started, removes the state directory
#   tools/kubernetes/control-plane.sh node-kubeconfig NAME   # a kubeconfig for system:node:NAME (on stdout)
# Settings (environment): MST_CLUSTER_DIR (state directory), MST_CLUSTER_PORT_BASE (ports below),
# MST_CLUSTER_TIMEOUT (seconds to wait for readiness), ETCD (the etcd binary), MST_KUBERNETES_BIN (a bin
# directory to use instead of build.sh's), MST_TOOLS_CACHE (build.sh).
set -o errexit -o nounset -o pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"

state="${MST_CLUSTER_DIR:-/tmp/mysql-statefulset-cluster}"
# Ports below 32768, outside Linux's ephemeral range, and away from every component's default port.
port_base="${MST_CLUSTER_PORT_BASE:-26000}"
etcd_client_port=$((port_base + 379))
etcd_peer_port=$((port_base + 380))
apiserver_port=$((port_base + 443))
controller_manager_port=$((port_base + 257))
scheduler_port=$((port_base + 259))
timeout="${MST_CLUSTER_TIMEOUT:-120}"
# Only allocated from: no traffic is ever sent to these addresses (there is no kube-proxy).
service_cidr=10.96.0.0/16
kubernetes_service_ip=10.96.0.1
components=(etcd kube-apiserver kube-controller-manager kube-scheduler)

log() { echo "control-plane.sh: $*" >&2; }
die() {
    log "$*"
    exit 1
}

# pid_of NAME: the pid of a component this state directory started and that still runs, else nothing.
# A pid counts only if its command line names the state directory, so a reused pid is never taken for ours.
pid_of() {
    local pid
    [[ -f $state/run/$1.pid ]] || return 0
    pid=$(<"$state/run/$1.pid")
    if [[ -r /proc/$pid/cmdline ]] && tr '\0' ' ' <"/proc/$pid/cmdline" | grep -qF -- "$state/"; then
        echo "$pid"
    fi
}

stop_all() {
    local name pid deadline
    for name in kube-scheduler kube-controller-manager kube-apiserver etcd; do
        pid=$(pid_of "$name")
        [[ -n $pid ]] || continue
        log "stopping $name (pid $pid)"
        kill -TERM "$pid" 2>/dev/null || true
        deadline=$((SECONDS + 15))
        while [[ -n $(pid_of "$name") ]] && ((SECONDS < deadline)); do sleep 0.2; done
        if [[ -n $(pid_of "$name") ]]; then
            log "$name (pid $pid) did not stop in 15 s; killing it"
            kill -KILL "$pid" 2>/dev/null || true
        fi
    done
}

print_exports() {
    printf 'export KUBECONFIG=%q\n' "$state/admin.kubeconfig"
    # shellcheck disable=SC2016 # $PATH is for the shell that evals these lines to expand
    printf 'export PATH=%q:"$PATH"\n' "$(<"$state/run/bin-dir")"
}

# cert NAME SUBJECT EXTENSIONS [CA]: a key and a certificate signed by CA (default: the cluster's CA).
cert() {
    local name=$1 subject=$2 extensions=$3 ca=${4:-ca}
    openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$state/pki/$name.key" 2>/dev/null
    openssl req -new -key "$state/pki/$name.key" -subj "$subject" |
        openssl x509 -req -CA "$state/pki/$ca.crt" -CAkey "$state/pki/$ca.key" -CAcreateserial -days 3650 \
            -extfile <(printf '%s\n' "$extensions") -out "$state/pki/$name.crt" 2>/dev/null
}

client_cert() {
    cert "$1" "$2" $'basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=clientAuth'
}

# kubeconfig NAME USER: a self-contained kubeconfig (certificates embedded) for the client certificate NAME.
kubeconfig() {
    local name=$1 user=$2
    cat <<EOF
apiVersion: v1
kind: Config
clusters:
  - name: mysql-statefulset
    cluster:
      server: https://127.0.0.1:$apiserver_port
      certificate-authority-data: $(base64 -w0 "$state/pki/ca.crt")
users:
  - name: $user
    user:
      client-certificate-data: $(base64 -w0 "$state/pki/$name.crt")
      client-key-data: $(base64 -w0 "$state/pki/$name.key")
contexts:
  - name: $user@mysql-statefulset
    context:
      cluster: mysql-statefulset
      user: $user
current-context: $user@mysql-statefulset
EOF
}

make_pki() {
    mkdir -p "$state/pki"
    openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$state/pki/ca.key" 2>/dev/null
    openssl req -x509 -new -key "$state/pki/ca.key" -subj "/CN=mysql-statefulset-ca" -days 3650 \
        -addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign,cRLSign \
        -out "$state/pki/ca.crt" 2>/dev/null
    cert apiserver "/CN=kube-apiserver" "basicConstraints=critical,CA:FALSE
keyUsage=critical,digitalSignature
extendedKeyUsage=serverAuth
subjectAltName=IP:127.0.0.1,IP:$kubernetes_service_ip,DNS:localhost,DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc,DNS:kubernetes.default.svc.cluster.local"
    # system:masters is bound to cluster-admin by the API server's bootstrap RBAC policy.
    client_cert admin "/O=system:masters/CN=kubernetes-admin"
    client_cert controller-manager "/CN=system:kube-controller-manager"
    client_cert scheduler "/CN=system:kube-scheduler"
    # What the API server presents to a node agent's kubelet port (exec, logs, port-forward).
    client_cert apiserver-kubelet-client "/O=system:masters/CN=kube-apiserver-kubelet-client"
    # The aggregation layer's front proxy: its own CA, as kubeadm makes. Without --requestheader-client-ca-file
    # the controller manager and the scheduler log "missing content for CA bundle" while they start.
    openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$state/pki/front-proxy-ca.key" 2>/dev/null
    openssl req -x509 -new -key "$state/pki/front-proxy-ca.key" -subj "/CN=front-proxy-ca" -days 3650 \
        -addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign,cRLSign \
        -out "$state/pki/front-proxy-ca.crt" 2>/dev/null
    cert front-proxy-client "/CN=front-proxy-client" \
        $'basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=clientAuth' \
        front-proxy-ca
    # Signs and verifies service account tokens.
    openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$state/pki/sa.key" 2>/dev/null
    openssl pkey -in "$state/pki/sa.key" -pubout -out "$state/pki/sa.pub"
    kubeconfig admin kubernetes-admin >"$state/admin.kubeconfig"
    kubeconfig controller-manager system:kube-controller-manager >"$state/controller-manager.kubeconfig"
    kubeconfig scheduler system:kube-scheduler >"$state/scheduler.kubeconfig"
    chmod 600 "$state"/pki/*.key "$state"/*.kubeconfig
}

# start NAME COMMAND...: runs a component in its own session, its output in logs/NAME.log.
start() {
    local name=$1
    shift
    setsid "$@" </dev/null >"$state/logs/$name.log" 2>&1 &
    echo "$!" >"$state/run/$name.pid"
}

# wait_for NAME URL [CURL OPTIONS...]: waits until URL answers 200 while NAME runs.
wait_for() {
    local name=$1 url=$2
    shift 2
    until curl --silent --fail --max-time 2 --output /dev/null "$@" "$url"; do
        [[ -n $(pid_of "$name") ]] || die "$name exited; its log, $state/logs/$name.log, ends with:
$(tail -n 15 "$state/logs/$name.log")"
        ((SECONDS < deadline)) || die "$name did not answer $url within $timeout s; see $state/logs/$name.log."
        sleep 0.2
    done
}

up() {
    local running=() name port bin etcd started=$SECONDS deadline tls
    for name in "${components[@]}"; do
        [[ -z $(pid_of "$name") ]] || running+=("$name")
    done
    if ((${#running[@]} == ${#components[@]})); then
        log "already running in $state; reusing it."
        print_exports
        return
    fi
    if ((${#running[@]} > 0)); then
        log "only ${running[*]} of ${components[*]} run in $state; starting anew."
    fi
    stop_all
    remove_state

    # A port taken by another control plane would pass the health checks below with the wrong server.
    for port in "$etcd_client_port" "$etcd_peer_port" "$apiserver_port" "$controller_manager_port" "$scheduler_port"; do
        if [[ -n $(ss -ltnH "sport = :$port") ]]; then
            die "port $port is in use (by $(ss -ltnpH "sport = :$port" | sed -n 's/.*users:((\(.*\)))/\1/p')): set MST_CLUSTER_PORT_BASE to another base than $port_base."
        fi
    done
    bin="${MST_KUBERNETES_BIN:-$("$here/build.sh")}"
    etcd="${ETCD:-$bin/etcd}"
    [[ -x $etcd ]] || die "no etcd binary at $etcd: run build.sh, or set ETCD to one (3.5.13 or newer)."
    mkdir -p "$state/run" "$state/logs" "$state/etcd"
    # A failed `up` stops what it started, and keeps the logs.
    trap 'stop_all; log "stopped what had started; the logs are in $state/logs (\`down\` removes $state)."' EXIT
    echo "$bin" >"$state/run/bin-dir"
    make_pki
    deadline=$((SECONDS + timeout))

    start etcd "$etcd" --name=mysql-statefulset --data-dir="$state/etcd" \
        --listen-client-urls="http://127.0.0.1:$etcd_client_port" \
        --advertise-client-urls="http://127.0.0.1:$etcd_client_port" \
        --listen-peer-urls="http://127.0.0.1:$etcd_peer_port" \
        --initial-advertise-peer-urls="http://127.0.0.1:$etcd_peer_port" \
        --initial-cluster="mysql-statefulset=http://127.0.0.1:$etcd_peer_port" \
        --unsafe-no-fsync # a throw-away test bed beside database tests: no fsync stalls, no disk load
    wait_for etcd "http://127.0.0.1:$etcd_client_port/health"

    start kube-apiserver "$bin/kube-apiserver" \
        --bind-address=127.0.0.1 --secure-port="$apiserver_port" --advertise-address=127.0.0.1 \
        --etcd-servers="http://127.0.0.1:$etcd_client_port" \
        --service-cluster-ip-range="$service_cidr" \
        --authorization-mode=Node,RBAC \
        --client-ca-file="$state/pki/ca.crt" \
        --tls-cert-file="$state/pki/apiserver.crt" --tls-private-key-file="$state/pki/apiserver.key" \
        --kubelet-client-certificate="$state/pki/apiserver-kubelet-client.crt" \
        --kubelet-client-key="$state/pki/apiserver-kubelet-client.key" \
        --kubelet-certificate-authority="$state/pki/ca.crt" \
        --service-account-issuer=https://kubernetes.default.svc.cluster.local \
        --service-account-key-file="$state/pki/sa.pub" \
        --service-account-signing-key-file="$state/pki/sa.key" \
        --requestheader-client-ca-file="$state/pki/front-proxy-ca.crt" \
        --requestheader-allowed-names=front-proxy-client \
        --requestheader-username-headers=X-Remote-User --requestheader-group-headers=X-Remote-Group \
        --requestheader-extra-headers-prefix=X-Remote-Extra- \
        --proxy-client-cert-file="$state/pki/front-proxy-client.crt" \
        --proxy-client-key-file="$state/pki/front-proxy-client.key" \
        --allow-privileged=true \
        --endpoint-reconciler-type=none
    tls=(--cacert "$state/pki/ca.crt" --cert "$state/pki/admin.crt" --key "$state/pki/admin.key")
    wait_for kube-apiserver "https://127.0.0.1:$apiserver_port/readyz" "${tls[@]}"
    log "kube-apiserver /readyz answered $((SECONDS - started)) s after \`up\` began."

    start kube-controller-manager "$bin/kube-controller-manager" \
        --bind-address=127.0.0.1 --secure-port="$controller_manager_port" \
        --kubeconfig="$state/controller-manager.kubeconfig" \
        --authentication-kubeconfig="$state/controller-manager.kubeconfig" \
        --authorization-kubeconfig="$state/controller-manager.kubeconfig" \
        --controllers='*' --leader-elect=false \
        --use-service-account-credentials=true \
        --service-account-private-key-file="$state/pki/sa.key" \
        --root-ca-file="$state/pki/ca.crt"
    start kube-scheduler "$bin/kube-scheduler" \
        --bind-address=127.0.0.1 --secure-port="$scheduler_port" \
        --kubeconfig="$state/scheduler.kubeconfig" \
        --authentication-kubeconfig="$state/scheduler.kubeconfig" \
        --authorization-kubeconfig="$state/scheduler.kubeconfig" \
        --leader-elect=false
    wait_for kube-controller-manager "https://127.0.0.1:$controller_manager_port/healthz" --insecure
    wait_for kube-scheduler "https://127.0.0.1:$scheduler_port/healthz" --insecure
    trap - EXIT
    log "control plane up in $state after $((SECONDS - started)) s (API server https://127.0.0.1:$apiserver_port)."
    print_exports
}

# Removes the state directory, but only one this script made (it holds run/): never one set by mistake.
remove_state() {
    if [[ -d $state/run ]]; then
        rm -rf "$state"
    elif [[ -e $state ]]; then
        die "$state is not a control-plane state directory (it has no run/); set MST_CLUSTER_DIR to another."
    fi
}

down() {
    stop_all
    if [[ -e $state ]]; then
        remove_state
        log "stopped; removed $state."
    else
        log "nothing runs in $state."
    fi
}

# node-kubeconfig NAME: a client certificate for system:node:NAME (group system:nodes), as a kubelet has,
# so the Node authorizer and NodeRestriction admission treat the node agent like a kubelet.
node_kubeconfig() {
    local node=$1
    [[ -f $state/pki/ca.key ]] || die "no control plane in $state: run \`control-plane.sh up\` first."
    [[ $node =~ ^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$ ]] || die "'$node' is not a valid node name."
    client_cert "node-$node" "/O=system:nodes/CN=system:node:$node"
    kubeconfig "node-$node" "system:node:$node"
}

case "${1:-}" in
up) up ;;
down) down ;;
node-kubeconfig)
    [[ $# -eq 2 ]] || die "usage: $0 node-kubeconfig NODE-NAME"
    node_kubeconfig "$2"
    ;;
*)
    echo "usage: $0 up|down|node-kubeconfig NODE-NAME" >&2
    exit 2
    ;;
esac
