#!/usr/bin/env bash
# `npm run cluster -- up|down`: a local Kubernetes cluster for trying the component (and any Pulumi program)
# on this machine: the test bed's control plane (tools/kubernetes/control-plane.sh) with the fake kubelet as
# its node agent (tests/fake-kubelet/agent-main.ts: Nodes node-a..c, pods run as processes, NFS stand-in).
#   eval "$(npm run --silent cluster -- up)"   # stdout: only `export` lines (KUBECONFIG, PATH, LOCAL_NFS_*)
#   npm run cluster -- down                    # stops the agent and the control plane, removes their folder
# `up` builds what is missing (tools/*/build.sh; cached: instant) and reuses a cluster that already runs.
# Progress and errors go to stderr. Root only (the agent makes network namespaces and bind mounts).
# Settings (environment): MST_CLUSTER_DIR (the cluster's folder), MST_CLUSTER_PORT_BASE (its ports),
# MST_CLUSTER_TIMEOUT (seconds to wait for each step), as tools/kubernetes/control-plane.sh reads them.
set -o errexit -o nounset -o pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

export MST_CLUSTER_DIR="${MST_CLUSTER_DIR:-/tmp/mysql-statefulset-cluster}"
state=$MST_CLUSTER_DIR
agent_dir=$state/node-agent
nfs_root=$state/nfs
# The NFS server name the agent serves (api-objects.ts LOCAL_NFS_SERVER): `nfsServer` for a local cluster.
nfs_server=nfs.local
timeout="${MST_CLUSTER_TIMEOUT:-120}"
control_plane=$repo/tools/kubernetes/control-plane.sh

log() { echo "cluster: $*" >&2; }
die() {
    log "$*"
    exit 1
}

# The agent's pid while it runs; a pid counts only if its command line names this cluster's folder.
agent_pid() {
    local pid
    [[ -f $agent_dir/pid ]] || return 0
    pid=$(<"$agent_dir/pid")
    if [[ -r /proc/$pid/cmdline ]] && tr '\0' ' ' <"/proc/$pid/cmdline" | grep -qF -- "$agent_dir/"; then
        echo "$pid"
    fi
}

# SIGTERM, then wait: the agent kills its pods and removes its network and work folder before it exits.
stop_agent() {
    local pid deadline
    pid=$(agent_pid)
    [[ -n $pid ]] || return 0
    log "stopping the node agent (pid $pid)"
    kill -TERM "$pid" 2>/dev/null || true
    deadline=$((SECONDS + 30))
    while [[ -n $(agent_pid) ]] && ((SECONDS < deadline)); do sleep 0.2; done
    if [[ -n $(agent_pid) ]]; then
        log "the node agent (pid $pid) did not stop in 30 s; killing it (its pods may be left: see $agent_dir/agent.log)"
        kill -KILL "$pid" 2>/dev/null || true
    fi
}

# Whether every component control-plane.sh started in this folder still runs (its own test, pid files whose
# process names the folder), i.e. whether its `up` will reuse them.
control_plane_runs() {
    local name pid
    for name in etcd kube-apiserver kube-controller-manager kube-scheduler; do
        [[ -f $state/run/$name.pid ]] || return 1
        pid=$(<"$state/run/$name.pid")
        [[ -r /proc/$pid/cmdline ]] && tr '\0' ' ' <"/proc/$pid/cmdline" | grep -qF -- "$state/" || return 1
    done
}

print_exports() {
    printf 'export KUBECONFIG=%q\n' "$KUBECONFIG"
    # shellcheck disable=SC2016 # $PATH is for the shell that evals these lines to expand
    printf 'export PATH=%q:%q:"$PATH"\n' "$pulumi_bin" "$kubernetes_bin"
    printf 'export LOCAL_NFS_SERVER=%q\n' "$nfs_server"
    printf 'export LOCAL_NFS_ROOT=%q\n' "$nfs_root"
}

# Nodes registered, Ready, and without the not-ready taint the node lifecycle controller lifts.
wait_for_nodes() {
    local deadline=$((SECONDS + timeout)) ready
    until ready=$(kubectl get nodes -o jsonpath='{range .items[*]}{.status.conditions[?(@.type=="Ready")].status}{" "}{.spec.taints}{"\n"}{end}' 2>/dev/null) &&
        [[ $(grep -c '^True $' <<<"$ready") == 3 ]]; do
        [[ -n $(agent_pid) ]] || die "the node agent exited; its log, $agent_dir/agent.log, ends with:
$(tail -n 15 "$agent_dir/agent.log")"
        ((SECONDS < deadline)) || die "the three Nodes were not Ready within $timeout s; see $agent_dir/agent.log."
        sleep 0.5
    done
}

up() {
    # npm prints its banner on stdout unless silent: evaluated by a shell, its lines would run commands.
    if [[ ${npm_lifecycle_event:-} == cluster && ${npm_config_loglevel:-} != silent && ! -t 1 ]]; then
        die "npm printed its \`> mysql-statefulset@… cluster\` banner into this output, which a shell would evaluate: run \`npm run --silent cluster -- up\`."
    fi
    [[ $(id -u) == 0 ]] || die "\`up\` needs root: the node agent runs each pod in its own network and mount namespace. Run it as root (sudo -E npm run --silent cluster -- up)."
    pulumi_bin=$(bash "$repo/tools/pulumi/build.sh")
    bash "$repo/scripts/ensure-deps.sh"
    local exports started=$SECONDS
    # control-plane.sh starts anew (and removes this folder) unless all its components run: an agent of
    # that old control plane is stopped first.
    control_plane_runs || stop_agent
    exports=$(bash "$control_plane" up)
    eval "$exports"
    kubernetes_bin=$(<"$state/run/bin-dir")
    if [[ -n $(agent_pid) ]]; then
        log "the node agent runs (pid $(agent_pid)); reusing the cluster in $state."
        wait_for_nodes
        print_exports
        return
    fi
    mkdir -p "$agent_dir" "$nfs_root"
    # The kubelet endpoint's serving certificate, signed by the cluster CA: the API server checks it
    # (--kubelet-certificate-authority) when it proxies `kubectl logs`.
    openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$agent_dir/kubelet.key" 2>/dev/null
    openssl req -new -key "$agent_dir/kubelet.key" -subj "/CN=fake-kubelet" |
        openssl x509 -req -CA "$state/pki/ca.crt" -CAkey "$state/pki/ca.key" -CAcreateserial -days 3650 \
            -extfile <(printf '%s\n' "basicConstraints=critical,CA:FALSE" "extendedKeyUsage=serverAuth" "subjectAltName=IP:127.0.0.1") \
            -out "$agent_dir/kubelet.crt" 2>/dev/null
    log "starting the node agent (log: $agent_dir/agent.log)"
    (cd "$repo" && exec setsid node --require ts-node/register/transpile-only tests/fake-kubelet/agent-main.ts \
        --kubeconfig "$KUBECONFIG" --nfs-root "$nfs_root" --nfs-server "$nfs_server" --work-dir "$agent_dir/work" \
        --tls-cert-file "$agent_dir/kubelet.crt" --tls-private-key-file "$agent_dir/kubelet.key" \
        --client-ca-file "$state/pki/ca.crt" </dev/null >"$agent_dir/agent.log" 2>&1) &
    echo "$!" >"$agent_dir/pid"
    wait_for_nodes
    log "up in $((SECONDS - started)) s: Nodes node-a..c Ready; NFS server $nfs_server serves every folder under $nfs_root."
    print_exports
}

down() {
    stop_agent
    bash "$control_plane" down
}

case "${1:-}" in
up) up ;;
down) down ;;
*)
    echo "usage: npm run --silent cluster -- up|down   (scripts/cluster.sh up|down)" >&2
    exit 2
    ;;
esac
