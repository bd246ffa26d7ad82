#!/usr/bin/env bash
# `npm start [-- up|down]`: the component deployed for real on this machine's local cluster (issue #27).
#   npm start            installs what is missing, starts the local cluster (scripts/cluster.sh), deploys the
#                        stack `local` (mariadb, 3 pods, generated passwords) with the built `pulumi`, waits
#                        until every pod is Ready, prints the outputs and client commands. A second run
#                        reuses the cluster and the stack (no changes).
#   npm start -- down    destroys the stack, stops the cluster and removes its folder.
# Everything lives in the cluster's folder (MST_CLUSTER_DIR, default /tmp/mysql-statefulset-cluster): the
# Pulumi state (a file backend), its passphrase (generated), a copy of the program and its stack file,
# PULUMI_HOME and the logs, so nothing leaves the machine and `down` leaves nothing behind.
# Root only (the node agent makes network namespaces). Progress on stderr; stdout stays free for the summary.
# Settings (environment): MST_CLUSTER_DIR, MST_CLUSTER_PORT_BASE, MST_CLUSTER_TIMEOUT (scripts/cluster.sh),
# MST_START_TIMEOUT (seconds to wait for the pods after `pulumi up`, default 600).
set -o errexit -o nounset -o pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

export MST_CLUSTER_DIR="${MST_CLUSTER_DIR:-/tmp/mysql-statefulset-cluster}"
state=$MST_CLUSTER_DIR
work=$state/start
program=$work/program
stack=local
# The StatefulSet's name (the `name` setting's default) and the accounts made for the client commands.
name=mysql
app_db=app
app_user=app
replicas=3
max_replicas=5
# The Debian packages the local cluster needs (the node agent's requirements, tests/fake-kubelet/requirements.ts,
# and the control plane's health checks and certificates).
packages=(iproute2 util-linux mount hostname perl procps curl openssl socat sysbench mariadb-server mariadb-backup)
pod_timeout="${MST_START_TIMEOUT:-600}"

step=""
step_log=""
started=$SECONDS
say() { echo "start: $*" >&2; }
die() {
    say "$*"
    exit 1
}
# A failure names the step and the log to read, and shows what the log says about it: the errors of
# Pulumi's diagnostics when the step ran pulumi, else the log's last lines (of this step only).
on_exit() {
    local code=$?
    [[ -z ${watcher:-} ]] || kill "$watcher" 2>/dev/null || true
    if ((code != 0)) && [[ -n $step ]]; then
        say "FAILED at step \"$step\" (exit $code)${step_log:+; read $step_log}"
        if [[ -n $step_log && -s $step_log ]]; then
            local this_step errors
            this_step=$(awk -v mark="=== $step" 'index($0, mark) == 1 { n = 0; delete l } { l[++n] = $0 } END { for (i = 1; i <= n; i++) print l[i] }' "$step_log")
            errors=$(awk '/^Diagnostics:/ { on = 1; next } on && /^(Outputs|Resources):/ { on = 0 } on && !/warning: /' <<<"$this_step")
            if [[ -n $errors ]]; then
                say "Pulumi's diagnostics, in it:"
            else
                errors=$this_step
                say "its last lines:"
            fi
            tail -n 25 <<<"$errors" | sed 's/^/    /' >&2
        fi
    fi
}
trap on_exit EXIT
begin() {
    step=$1
    step_log=${2:-}
    say "[$((SECONDS - started)) s] $step${step_log:+ (log: $step_log)}"
    # Where this step's part of a shared log begins, for on_exit.
    if [[ -n $step_log && -d $(dirname "$step_log") ]]; then echo "=== $step ($(date -u +%FT%TZ))" >>"$step_log"; fi
}

missing_packages() {
    local p
    for p in "${packages[@]}"; do
        [[ $(dpkg-query -W -f='${Status}' "$p" 2>/dev/null) == "install ok installed" ]] || echo "$p"
    done
}

check_packages() {
    begin "checking the Debian packages the local cluster needs"
    local missing
    mapfile -t missing < <(missing_packages)
    if ((${#missing[@]} == 0)); then
        return
    fi
    local cmd="apt-get update && apt-get install -y --no-install-recommends ${missing[*]}"
    if [[ $(id -u) != 0 ]]; then
        die "missing Debian packages: ${missing[*]}. Install them as root, then run \`sudo -E npm start\`: sudo sh -c '$cmd'"
    fi
    local log
    log=$(mktemp -t mysql-statefulset-apt.XXXXXX)
    begin "installing ${missing[*]} ($cmd)" "$log"
    DEBIAN_FRONTEND=noninteractive sh -c "$cmd" >"$log" 2>&1
    rm -f "$log"
}

# The environment every command of the stack runs with; also written to $work/env.sh for the user's shell.
write_env() {
    {
        printf 'export KUBECONFIG=%q\n' "$KUBECONFIG"
        # shellcheck disable=SC2016 # $PATH is for the shell that sources this file to expand
        printf 'export PATH=%q:"$PATH"\n' "$tools_path"
        printf 'export PULUMI_HOME=%q\n' "$work/pulumi-home"
        printf 'export PULUMI_BACKEND_URL=%q\n' "file://$work/state"
        printf 'export PULUMI_CONFIG_PASSPHRASE_FILE=%q\n' "$work/passphrase"
        printf 'export PULUMI_SKIP_UPDATE_CHECK=true PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION=true\n'
        printf 'export PULUMI_NODEJS_TRANSPILE_ONLY=true\n'
    } >"$work/env.sh"
}

# The program, copied into the cluster's folder so that its stack file (config, the passphrase's salt) and
# Pulumi's workspace stay out of the repository; the component's code is linked, so a run deploys the
# checkout's current code.
write_program() {
    mkdir -p "$program"
    local f
    for f in Pulumi.yaml index.ts package.json tsconfig.json; do
        cp "$repo/$f" "$program/$f"
    done
    for f in components pod scripts node_modules; do
        ln -sfn "$repo/$f" "$program/$f"
    done
}

pulumi_in() { (cd "$program" && pulumi "$@"); }

# Pod lines (name, ready containers, phase) whenever they change, and at least every 10 s a line saying
# what runs, until killed: no wait is silent.
watch_pods() {
    local last="" now said=$SECONDS
    while sleep 2; do
        now=$(kubectl get pods --no-headers -o custom-columns='NAME:.metadata.name,READY:.status.containerStatuses[*].ready,PHASE:.status.phase' 2>/dev/null |
            awk '{ n = split($2, r, ","); k = 0; for (i = 1; i <= n; i++) if (r[i] == "true") k++; printf "%s%s %d/%d %s", sep, $1, k, ($2 == "<none>" ? 0 : n), $3; sep = ", " }') || now=""
        if [[ -n $now && $now != "$last" ]]; then
            say "  [$((SECONDS - started)) s] pods: $now"
            last=$now
            said=$SECONDS
        elif ((SECONDS - said >= 10)); then
            say "  [$((SECONDS - started)) s] still at: $step${last:+ (pods: $last)}"
            said=$SECONDS
        fi
    done
}

stop_watcher() {
    kill "$watcher" 2>/dev/null || true
    wait "$watcher" 2>/dev/null || true
    watcher=""
}

up() {
    check_packages
    [[ $(id -u) == 0 ]] || die "\`npm start\` needs root: the local cluster's node agent runs each pod in its own network and mount namespace. Run it as root (sudo -E npm start)."

    begin "npm dependencies (scripts/ensure-deps.sh) and the test bed's tools (tools/*/build.sh, cached after the first build)"
    bash "$repo/scripts/ensure-deps.sh"
    local pulumi_bin kubernetes_bin
    local log
    log=$(mktemp -t mysql-statefulset-tools.XXXXXX)
    step_log=$log
    pulumi_bin=$(bash "$repo/tools/pulumi/build.sh" 2>>"$log")
    kubernetes_bin=$(bash "$repo/tools/kubernetes/build.sh" 2>>"$log")
    rm -f "$log"
    tools_path=$pulumi_bin:$kubernetes_bin

    begin "the local cluster (scripts/cluster.sh up, in $state)" "$state/node-agent/agent.log"
    local exports
    exports=$(bash "$repo/scripts/cluster.sh" up)
    eval "$exports"
    export PATH=$tools_path:$PATH

    mkdir -p "$work/state" "$work/pulumi-home"
    write_env
    # shellcheck source=/dev/null # written just above
    source "$work/env.sh"
    write_program
    log=$work/pulumi.log
    begin "the stack \`$stack\` (file backend $work/state; its passphrase, generated, in $work/passphrase)" "$log"
    if [[ ! -s $work/passphrase ]]; then
        (umask 077 && openssl rand -base64 32 >"$work/passphrase")
    fi
    if pulumi_in stack select "$stack" >>"$log" 2>&1; then
        say "  the stack exists: reusing it and its settings"
    else
        pulumi_in stack init "$stack" >>"$log" 2>&1
        # Passwords are not set: the component generates them and keeps them in the stack.
        pulumi_in config set-all --plaintext flavor=mariadb --plaintext "replicas=$replicas" \
            --plaintext "maxReplicas=$max_replicas" --plaintext "nfsServer=$LOCAL_NFS_SERVER" \
            --plaintext "nfsPathPattern=/$name/data-{ordinal}" \
            --plaintext "appDatabase=$app_db" --plaintext "appUser=$app_user" >>"$log" 2>&1
    fi
    # One NFS export per ordinal up to maxReplicas: a directory under the cluster's NFS root.
    local n i
    n=$(pulumi_in config get maxReplicas 2>>"$log")
    for ((i = 0; i < n; i++)); do
        mkdir -p "$LOCAL_NFS_ROOT/$name/data-$i"
    done

    begin "pulumi up" "$log"
    watch_pods &
    watcher=$!
    # pulumi's whole output goes to the log; each resource it finishes, and its summary, to the screen.
    pulumi_in up --yes --skip-preview --non-interactive --suppress-progress 2>&1 | tee -a "$log" |
        { grep --line-buffered -E '^ *[-+~]+ .* (created|updated|replaced|deleted|failed)|^Resources:|^ +[0-9]+ (created|updated|unchanged|replaced|deleted)' >&2 || true; }

    stop_watcher
    begin "every pod Ready" "$log"
    watch_pods &
    watcher=$!
    local want=()
    n=$(pulumi_in config get replicas 2>>"$log")
    for ((i = 0; i < n; i++)); do want+=("pod/$name-$i"); done
    kubectl wait --for=condition=Ready --timeout="${pod_timeout}s" "${want[@]}" >>"$log" 2>&1
    stop_watcher
    say "  [$((SECONDS - started)) s] pods: $(kubectl get pods --no-headers -o custom-columns=NAME:.metadata.name | tr '\n' ' ')Ready"
    step=""

    print_summary
}

print_summary() {
    local outputs secret read_host port
    # One `stack output` (each costs a second): the outputs but the CA certificate (a page of PEM), one per
    # line, then the values the commands need.
    # shellcheck disable=SC2016 # a JavaScript template literal, not a shell expansion
    outputs=$(pulumi_in stack output --json | node -e '
        const o = JSON.parse(require("fs").readFileSync(0, "utf8"));
        for (const [k, v] of Object.entries(o)) if (k !== "caCertificate") console.log(`  ${k.padEnd(14)} ${v}`);
        console.log([o.secretName, o.readEndpoint.replace(/:[0-9]+$/, ""), o.port].join(" "));')
    read -r secret read_host port <<<"${outputs##*$'\n'}"
    outputs=${outputs%$'\n'*}
    cat <<EOF

mysql-statefulset is up on the local cluster in $((SECONDS - started)) s ($n pods Ready, mariadb flavor).

Outputs of the stack \`$stack\` (\`pulumi stack output --show-secrets\` shows the secrets, and caCertificate):
$outputs

The Pulumi state is a file backend in $work/state; its passphrase was generated into $work/passphrase.
To use kubectl and pulumi from a shell (KUBECONFIG, PATH, the backend and the passphrase file):
  source $work/env.sh && cd $program

Client commands (SQL on stdin; kubectl exec has no TTY here):
  # root on the primary, through its socket:
  source $work/env.sh && kubectl exec -i $name-0 -c mysql -- mariadb --defaults-extra-file=/etc/mysql-credentials/root.cnf $app_db
  # the app user through $read_host (the Ready pods), from inside $name-0; its password from the Secret, as the first line of stdin:
  source $work/env.sh && { kubectl get secret $secret -o jsonpath='{.data.app-password}' | base64 -d; echo; cat; } | kubectl exec -i $name-0 -c mysql -- sh -c 'IFS= read -r MYSQL_PWD && export MYSQL_PWD && exec mariadb -h $read_host -P $port -u $app_user $app_db'

Stop and remove everything: npm start -- down
EOF
}

down() {
    local log
    if [[ -f $work/env.sh ]]; then
        # shellcheck source=/dev/null # written by `up`
        source "$work/env.sh"
        if kubectl get --raw /readyz >/dev/null 2>&1; then
            log=$work/pulumi.log
            begin "pulumi destroy of the stack \`$stack\`" "$log"
            pulumi_in destroy --yes --skip-preview --non-interactive --suppress-progress >>"$log" 2>&1
            step=""
        else
            say "the cluster does not answer: nothing to destroy (removing its folder removes the stack)"
        fi
    fi
    begin "stopping the local cluster (scripts/cluster.sh down; removes $state)"
    bash "$repo/scripts/cluster.sh" down
    step=""
    say "done in $((SECONDS - started)) s: nothing of it is left in $state."
}

case "${1:-up}" in
up) up ;;
down) down ;;
*)
    echo "usage: npm start [-- up|down]   (scripts/start.sh up|down)" >&2
    exit 2
    ;;
esac
