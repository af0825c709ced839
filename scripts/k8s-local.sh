#!/usr/bin/env bash
# A real single-node Kubernetes on this machine, for the Kubernetes tests (issue 20).
#
# Usage: scripts/k8s-local.sh up|down|status|build
#
#   up      builds what is missing (cached), starts the cluster and waits until the node is Ready
#           and the `default` ServiceAccount exists, then prints on stdout
#             KUBECONFIG=<path>
#             REGISTRY=<host:port>
#           and nothing else (progress goes to stderr). While it is up, `up` only prints the lines.
#   down    stops what `up` started, by PID, in reverse order, and removes the state it created
#           (pods, mounts under its own directories, pod network namespaces, CNI results, the
#           CNI bridge, cgroups, directories, and the kernel settings the kubelet changes); nothing
#           it did not create. Logs stay in $STATE/logs; the registry's images stay in the cache
#           ($CACHE/registry), like a registry's, so a second push of an image is quick.
#   status  prints `up` (exit 0) or `down` (exit 3), and the two lines above when up.
#   build   only builds the binaries, the certificates and the pause image (what `up` caches).
#
# Parts: Debian's etcd-server, containerd, runc, containernetworking-plugins and docker-registry
# (installed with apt-get when missing, their services kept from starting by policy-rc.d), and
# Kubernetes v1.31.0's kube-apiserver, kubelet, kube-scheduler, kube-controller-manager and kubectl
# built from the Go module proxy. Each pitfall of this set-up is noted where it is handled.
#
# Needs root (containerd, kubelet), Go >= 1.22, and cgroups. kube-proxy and cluster DNS are not
# run: pods are reached through the API server (exec, port-forward, logs), not by Service IPs.
#
# Environment:
#   VELORA_K8S_CACHE          binaries, certificates, Go caches, the registry's images (default:
#                             ${XDG_CACHE_HOME:-$HOME/.cache}/velora/k8s-v1.31.0, kept across clones)
#   VELORA_K8S_STATE          the running cluster's files (default: /var/lib/velora-k8s)
#   VELORA_K8S_REGISTRY_PORT  the image registry's port on 127.0.0.1 (default: 5000)
#   VELORA_K8S_API_PORT       the API server's port on 127.0.0.1 (default: 6443)
#   VELORA_K8S_UP_TIMEOUT     seconds `up` waits for the node and the ServiceAccount (default: 180)
set -euo pipefail

readonly K8S_VERSION="v1.31.0"
readonly STAGING_VERSION="v0.31.0"
readonly PAUSE_IMAGE="velora.local/pause:3.10"
readonly NODE_NAME="localhost"
readonly CNI_NETWORK="velora-k8s"
readonly CNI_BRIDGE="velorak8s0"
readonly POD_SUBNET="10.217.0.0/24"
readonly SERVICE_SUBNET="10.217.128.0/24"
readonly SERVICE_IP="10.217.128.1"
readonly COMPONENTS=(kube-apiserver kubelet kube-scheduler kube-controller-manager kubectl)
# Kernel settings the kubelet sets (it wants overcommit_memory=1, panic_on_oops=1, panic=10, ...)
# and the CNI bridge may set: `up` records them and `down` puts back what changed.
readonly SYSCTLS=(vm/overcommit_memory vm/panic_on_oom kernel/panic kernel/panic_on_oops
  kernel/keys/root_maxkeys kernel/keys/root_maxbytes net/ipv4/ip_forward)
# Start order; `down` stops them in reverse.
readonly PROCESSES=(registry containerd etcd kube-apiserver kube-controller-manager kube-scheduler kubelet)

readonly CACHE="${VELORA_K8S_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/velora/k8s-$K8S_VERSION}"
readonly STATE="${VELORA_K8S_STATE:-/var/lib/velora-k8s}"
readonly REGISTRY="127.0.0.1:${VELORA_K8S_REGISTRY_PORT:-5000}"
readonly API_PORT="${VELORA_K8S_API_PORT:-6443}"
readonly UP_TIMEOUT="${VELORA_K8S_UP_TIMEOUT:-180}"
readonly ETCD_CLIENT_PORT=23790
readonly ETCD_PEER_PORT=23800
readonly KUBELET_PORT=10250
readonly KUBELET_HEALTHZ_PORT=10248

readonly BIN="$CACHE/bin"
readonly PKI="$CACHE/pki"
readonly RUN="$STATE/run"   # PID files and the record of what `up` created
readonly LOGS="$STATE/logs"
readonly KUBECONFIG_PATH="$STATE/admin.kubeconfig"
readonly CONTAINERD_SOCK="$STATE/containerd/containerd.sock"

log() { printf 'k8s-local: %s\n' "$*" >&2; }
die() {
  log "$*"
  exit 1
}
now() { date +%s; }

# --- Build (cached) -----------------------------------------------------------------------------

go_env() {
  export GOMODCACHE="$CACHE/go/mod" GOCACHE="$CACHE/go/build" GOTOOLCHAIN=local GOFLAGS=-mod=mod
  export CGO_ENABLED=0 GOWORK=off
}

build_binaries() {
  local stamp="$BIN/.stamp" want
  want="$K8S_VERSION $(go version 2>/dev/null || echo no-go)"
  if [[ -f $stamp && "$(cat "$stamp")" == "$want" ]]; then
    local c missing=""
    for c in "${COMPONENTS[@]}"; do [[ -x $BIN/$c ]] || missing=1; done
    [[ -z $missing ]] && return 0
  fi
  command -v go >/dev/null || die "go is not on PATH (Kubernetes $K8S_VERSION is built with Go >= 1.22)"
  log "Building Kubernetes $K8S_VERSION (${COMPONENTS[*]}) into $BIN; the first build takes minutes"
  local started mod gomod
  started=$(now)
  go_env
  mod="$CACHE/module"
  mkdir -p "$mod" "$BIN"
  # Kubernetes' go.mod points its staging modules (k8s.io/api, client-go, ...) at ./staging, which
  # a module download does not have: replace each with its published v0.x version.
  gomod="$(cd "$mod" && GOFLAGS="" go mod download -json "k8s.io/kubernetes@$K8S_VERSION" |
    sed -n 's/^[[:space:]]*"GoMod": "\(.*\)",\{0,1\}$/\1/p')"
  [[ -f $gomod ]] || die "go mod download k8s.io/kubernetes@$K8S_VERSION gave no go.mod"
  {
    printf 'module velora.local/k8s-build\n\ngo 1.22.0\n\n'
    grep -E '^godebug ' "$gomod" || true
    printf '\nrequire k8s.io/kubernetes %s\n\n' "$K8S_VERSION"
    sed -nE 's#^[[:space:]]*(replace[[:space:]]+)?(k8s\.io/[A-Za-z0-9._/-]+)[[:space:]]+=>[[:space:]]+\./staging/src/.*#replace \2 => \2 '"$STAGING_VERSION"'#p' "$gomod"
  } >"$mod/go.mod.new"
  local replaces
  replaces=$(grep -c '^replace ' "$mod/go.mod.new" || true)
  ((replaces >= 20)) || die "Found only $replaces staging modules in $gomod"
  if ! cmp -s "$mod/go.mod.new" "$mod/go.mod"; then
    mv "$mod/go.mod.new" "$mod/go.mod"
    rm -f "$mod/go.sum"
  else
    rm -f "$mod/go.mod.new"
  fi
  local pkgs=() c ldflags
  for c in "${COMPONENTS[@]}"; do pkgs+=("k8s.io/kubernetes/cmd/$c"); done
  local v="k8s.io/component-base/version" cv="k8s.io/client-go/pkg/version" minor
  minor="${K8S_VERSION#v1.}"
  minor="${minor%%.*}"
  ldflags="-s -w"
  for p in "$v" "$cv"; do
    ldflags+=" -X $p.gitVersion=$K8S_VERSION -X $p.gitMajor=1 -X $p.gitMinor=$minor"
    ldflags+=" -X $p.gitTreeState=clean -X $p.buildDate=1970-01-01T00:00:00Z"
  done
  (cd "$mod" && go build -trimpath -ldflags "$ldflags" -o "$BIN/" "${pkgs[@]}") >&2 ||
    die "Building Kubernetes $K8S_VERSION failed"
  [[ "$("$BIN/kubectl" version --client 2>/dev/null)" == *"Client Version: $K8S_VERSION"* ]] ||
    die "$BIN/kubectl does not report $K8S_VERSION"
  printf '%s\n' "$want" >"$stamp"
  log "Built Kubernetes $K8S_VERSION in $(($(now) - started)) s"
}

# Installs the Debian packages that are missing, without letting their services start. A part
# counts as present when its program is (another distribution's package of it will do).
install_packages() {
  local missing=()
  command -v etcd >/dev/null || missing+=(etcd-server)
  command -v containerd >/dev/null && command -v ctr >/dev/null || missing+=(containerd)
  command -v runc >/dev/null || missing+=(runc)
  [[ -x /usr/lib/cni/bridge && -x /usr/lib/cni/host-local && -x /usr/lib/cni/loopback ]] ||
    missing+=(containernetworking-plugins)
  command -v docker-registry >/dev/null || missing+=(docker-registry)
  command -v gcc >/dev/null || missing+=(gcc)
  [[ -f /usr/include/stdio.h ]] || missing+=(libc6-dev)
  command -v openssl >/dev/null || missing+=(openssl)
  command -v curl >/dev/null || missing+=(curl)
  ((${#missing[@]} == 0)) && return 0
  log "Installing ${missing[*]} with apt-get (their services are not started)"
  local policy=/usr/sbin/policy-rc.d ours=""
  if [[ ! -e $policy ]]; then
    printf '#!/bin/sh\n# velora k8s-local.sh: no service starts while it installs packages\nexit 101\n' >"$policy"
    chmod 755 "$policy"
    ours=1
  fi
  local status=0
  { DEBIAN_FRONTEND=noninteractive apt-get update -q >&2 &&
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}" >&2; } ||
    status=$?
  [[ -n $ours ]] && rm -f "$policy"
  ((status == 0)) || die "apt-get install ${missing[*]} failed"
}

# Certificates (cached with the binaries; ten years, renewed when one expires within a day).
build_certs() {
  mkdir -p "$PKI"
  local f ok=1
  for f in ca apiserver apiserver-kubelet-client admin kubelet-client kubelet-serving; do
    [[ -f $PKI/$f.crt && -f $PKI/$f.key ]] &&
      openssl x509 -in "$PKI/$f.crt" -noout -checkend 86400 >/dev/null 2>&1 || ok=""
  done
  [[ -f $PKI/sa.key && -f $PKI/sa.pub ]] || ok=""
  [[ -n $ok ]] && return 0
  log "Creating certificates in $PKI"
  local tmp="$PKI/.tmp"
  rm -rf "$tmp" && mkdir -p "$tmp"
  key() { openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1" 2>/dev/null; }
  key "$tmp/ca.key"
  openssl req -x509 -new -key "$tmp/ca.key" -subj "/CN=velora-k8s-ca" -days 3650 -sha256 \
    -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" \
    -out "$tmp/ca.crt" 2>/dev/null
  # sign NAME SUBJECT USAGE [SANS]
  sign() {
    key "$tmp/$1.key"
    openssl req -new -key "$tmp/$1.key" -subj "$2" -out "$tmp/$1.csr" 2>/dev/null
    {
      printf 'basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature,keyEncipherment\n'
      printf 'extendedKeyUsage=%s\n' "$3"
      [[ -z ${4:-} ]] || printf 'subjectAltName=%s\n' "$4"
    } >"$tmp/$1.ext"
    openssl x509 -req -in "$tmp/$1.csr" -CA "$tmp/ca.crt" -CAkey "$tmp/ca.key" -days 3650 -sha256 \
      -set_serial "0x$(openssl rand -hex 16)" -extfile "$tmp/$1.ext" -out "$tmp/$1.crt" 2>/dev/null
    rm -f "$tmp/$1.csr" "$tmp/$1.ext"
  }
  sign apiserver "/CN=kube-apiserver" serverAuth \
    "DNS:localhost,DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc,DNS:kubernetes.default.svc.cluster.local,IP:127.0.0.1,IP:$SERVICE_IP"
  sign apiserver-kubelet-client "/O=system:masters/CN=kube-apiserver-kubelet-client" clientAuth
  sign admin "/O=system:masters/CN=velora-admin" clientAuth
  sign kubelet-client "/O=system:nodes/CN=system:node:$NODE_NAME" clientAuth
  sign kubelet-serving "/O=system:nodes/CN=system:node:$NODE_NAME" serverAuth "DNS:$NODE_NAME,IP:127.0.0.1"
  key "$tmp/sa.key"
  openssl pkey -in "$tmp/sa.key" -pubout -out "$tmp/sa.pub" 2>/dev/null
  chmod 600 "$tmp"/*.key
  mv "$tmp"/* "$PKI/"
  rmdir "$tmp"
}

# The sandbox ("pause") image: a static C program that sleeps until SIGTERM/SIGINT and reaps
# children, in a FROM-scratch image written as a `docker save` archive for `ctr images import`.
build_pause_image() {
  local dir="$CACHE/pause" want="$PAUSE_IMAGE v1"
  [[ -f $dir/image.tar && "$(cat "$dir/.stamp" 2>/dev/null)" == "$want" ]] && return 0
  log "Building the pause image $PAUSE_IMAGE"
  rm -rf "$dir" && mkdir -p "$dir/rootfs"
  cat >"$dir/pause.c" <<'C'
#include <signal.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

static void stop(int sig) { (void)sig; _exit(0); }
static void reap(int sig) {
  (void)sig;
  while (waitpid(-1, NULL, WNOHANG) > 0) {}
}

int main(void) {
  struct sigaction sa = {0};
  sa.sa_handler = stop;
  sigaction(SIGINT, &sa, NULL);
  sigaction(SIGTERM, &sa, NULL);
  sa.sa_handler = reap;
  sa.sa_flags = SA_NOCLDSTOP;
  sigaction(SIGCHLD, &sa, NULL);
  for (;;) pause();
}
C
  gcc -static -Os -s -o "$dir/rootfs/pause" "$dir/pause.c" || die "gcc -static failed for the pause binary"
  local arch diff config cfgsum
  arch="$(go env GOARCH 2>/dev/null || dpkg --print-architecture)"
  mkdir -p "$dir/archive/layer"
  tar --owner=0 --group=0 --numeric-owner --mtime=@0 -C "$dir/rootfs" -cf "$dir/archive/layer/layer.tar" pause
  diff="$(sha256sum "$dir/archive/layer/layer.tar" | cut -d' ' -f1)"
  config="{\"architecture\":\"$arch\",\"os\":\"linux\",\"config\":{\"Entrypoint\":[\"/pause\"],\"User\":\"65535:65535\"},\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[\"sha256:$diff\"]}}"
  cfgsum="$(printf '%s' "$config" | sha256sum | cut -d' ' -f1)"
  printf '%s' "$config" >"$dir/archive/$cfgsum.json"
  printf '[{"Config":"%s.json","RepoTags":["%s"],"Layers":["layer/layer.tar"]}]' "$cfgsum" "$PAUSE_IMAGE" \
    >"$dir/archive/manifest.json"
  tar --owner=0 --group=0 --numeric-owner --mtime=@0 -C "$dir/archive" -cf "$dir/image.tar" .
  rm -rf "$dir/archive"
  printf '%s\n' "$want" >"$dir/.stamp"
}

build_all() {
  install_packages
  build_binaries
  build_certs
  build_pause_image
}

# --- Processes ----------------------------------------------------------------------------------

# The start time of a process (field 22 of /proc/PID/stat), so a reused PID is never taken for ours.
start_time() { sed 's/^.*) //' "/proc/$1/stat" 2>/dev/null | awk '{ print $20 }'; }

# Whether a PID is a live process (a zombie waiting for init to reap it is not).
alive() { [[ -r /proc/$1/stat && "$(sed 's/^.*) //' "/proc/$1/stat" 2>/dev/null | cut -d' ' -f1)" != Z ]]; }

# pid NAME: the PID of a process `up` started, when it is still that process.
pid_of() {
  local pid
  pid="$(cat "$RUN/$1.pid" 2>/dev/null)" || return 1
  [[ $pid =~ ^[0-9]+$ ]] && alive "$pid" || return 1
  [[ "$(start_time "$pid")" == "$(cat "$RUN/$1.start" 2>/dev/null)" ]] || return 1
  printf '%s\n' "$pid"
}

# start NAME COMMAND...: runs COMMAND in a session of its own (so a ^C to the caller's process
# group leaves it to `down`), logging to $LOGS/NAME.log.
start() {
  local name=$1 pid
  shift
  rm -f "$RUN/$name.pid" "$RUN/$name.start"
  # shellcheck disable=SC2016 # expanded by the inner bash
  setsid bash -c 'echo $$ >"$0.tmp" && mv "$0.tmp" "$0" && exec "$@"' "$RUN/$name.pid" "$@" \
    >>"$LOGS/$name.log" 2>&1 </dev/null 9>&- &
  for _ in $(seq 1 50); do
    [[ -s $RUN/$name.pid ]] && break
    sleep 0.1
  done
  pid="$(cat "$RUN/$name.pid" 2>/dev/null)" || die "$name did not start (log: $LOGS/$name.log)"
  start_time "$pid" >"$RUN/$name.start"
  log "Started $name (pid $pid, log $LOGS/$name.log)"
}

# stop NAME: SIGTERM, then SIGKILL after 30 s.
stop() {
  local pid
  pid="$(pid_of "$1")" || {
    rm -f "$RUN/$1.pid" "$RUN/$1.start"
    return 0
  }
  local t0=${EPOCHREALTIME/./}
  kill -TERM "$pid" 2>/dev/null || true
  for _ in $(seq 1 300); do
    alive "$pid" || break
    sleep 0.1
  done
  if alive "$pid"; then
    log "$1 (pid $pid) ignored SIGTERM for 30 s; killing it"
    kill -KILL "$pid" 2>/dev/null || true
    sleep 0.5
  fi
  log "Stopped $1 (pid $pid) in $(((${EPOCHREALTIME/./} - t0) / 1000)) ms"
  rm -f "$RUN/$1.pid" "$RUN/$1.start"
}

# wait_for WHAT SECONDS COMMAND...: until COMMAND succeeds; fails early when a process died.
wait_for() {
  local what=$1 seconds=$2 deadline p
  shift 2
  deadline=$(($(now) + seconds))
  until "$@" >/dev/null 2>&1; do
    for p in "${PROCESSES[@]}"; do
      if [[ -f $RUN/$p.pid ]] && ! pid_of "$p" >/dev/null; then
        tail -n 20 "$LOGS/$p.log" >&2 || true
        die "$p exited while waiting for $what (log: $LOGS/$p.log)"
      fi
    done
    (($(now) < deadline)) || die "Timed out after $seconds s waiting for $what (logs: $LOGS)"
    sleep 0.5
  done
}

kubectl_() { "$BIN/kubectl" --kubeconfig "$KUBECONFIG_PATH" "$@"; }

# Records a path `up` created (so `down` removes it and nothing else), when it does not exist yet.
note_created() {
  [[ -e $1 ]] && return 0
  mkdir -p "$1"
  printf '%s\n' "$1" >>"$RUN/created"
}

# --- Configuration ------------------------------------------------------------------------------

b64() { base64 -w0 <"$1"; }

# kubeconfig FILE CERT-NAME
write_kubeconfig() {
  cat >"$1" <<YAML
apiVersion: v1
kind: Config
clusters:
- name: velora-local
  cluster:
    server: https://127.0.0.1:$API_PORT
    certificate-authority-data: $(b64 "$PKI/ca.crt")
users:
- name: $2
  user:
    client-certificate-data: $(b64 "$PKI/$2.crt")
    client-key-data: $(b64 "$PKI/$2.key")
contexts:
- name: velora-local
  context:
    cluster: velora-local
    user: $2
    namespace: default
current-context: velora-local
YAML
  chmod 600 "$1"
}

write_configs() {
  mkdir -p "$CACHE/registry" "$STATE/containerd" "$STATE/cni/net.d" "$STATE/cni/ipam" \
    "$STATE/etcd" "$STATE/kubelet" "$STATE/pod-logs" "$STATE/runc"
  chmod 700 "$STATE/etcd"
  write_kubeconfig "$KUBECONFIG_PATH" admin
  write_kubeconfig "$STATE/kubelet.kubeconfig" kubelet-client

  cat >"$STATE/registry.yml" <<YAML
version: 0.1
log:
  level: warn
storage:
  filesystem:
    rootdirectory: $CACHE/registry
  delete:
    enabled: true
http:
  addr: $REGISTRY
YAML

  cat >"$STATE/containerd/config.toml" <<TOML
version = 2
root = "$STATE/containerd/root"
state = "$STATE/containerd/state"
disabled_plugins = ["io.containerd.snapshotter.v1.aufs", "io.containerd.snapshotter.v1.btrfs",
  "io.containerd.snapshotter.v1.zfs", "io.containerd.snapshotter.v1.devmapper"]

[grpc]
  address = "$CONTAINERD_SOCK"

[plugins."io.containerd.internal.v1.opt"]
  path = "$STATE/containerd/opt"

[plugins."io.containerd.grpc.v1.cri"]
  sandbox_image = "$PAUSE_IMAGE"
  # This VM drops CAP_SYS_RESOURCE: runc cannot lower oom_score_adj below the caller's.
  restrict_oom_score_adj = true
  disable_apparmor = true
  [plugins."io.containerd.grpc.v1.cri".containerd]
    snapshotter = "overlayfs"
    default_runtime_name = "runc"
    [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
      runtime_type = "io.containerd.runc.v2"
      [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]
        Root = "$STATE/runc"
        SystemdCgroup = false
  [plugins."io.containerd.grpc.v1.cri".cni]
    bin_dir = "/usr/lib/cni"
    conf_dir = "$STATE/cni/net.d"
  [plugins."io.containerd.grpc.v1.cri".registry.mirrors."$REGISTRY"]
    endpoint = ["http://$REGISTRY"]
TOML

  cat >"$STATE/cni/net.d/10-$CNI_NETWORK.conflist" <<JSON
{
  "cniVersion": "0.4.0",
  "name": "$CNI_NETWORK",
  "plugins": [
    {
      "type": "bridge",
      "bridge": "$CNI_BRIDGE",
      "isGateway": true,
      "ipMasq": false,
      "hairpinMode": true,
      "ipam": {
        "type": "host-local",
        "ranges": [[{ "subnet": "$POD_SUBNET" }]],
        "routes": [{ "dst": "0.0.0.0/0" }],
        "dataDir": "$STATE/cni/ipam"
      }
    }
  ]
}
JSON

  cat >"$STATE/kubelet.yaml" <<YAML
apiVersion: kubelet.config.k8s.io/v1beta1
kind: KubeletConfiguration
address: 127.0.0.1
port: $KUBELET_PORT
readOnlyPort: 0
healthzBindAddress: 127.0.0.1
healthzPort: $KUBELET_HEALTHZ_PORT
containerRuntimeEndpoint: unix://$CONTAINERD_SOCK
cgroupDriver: cgroupfs
failSwapOn: false
makeIPTablesUtilChains: false
authentication:
  anonymous:
    enabled: false
  webhook:
    enabled: false
  x509:
    clientCAFile: $PKI/ca.crt
authorization:
  mode: AlwaysAllow
tlsCertFile: $PKI/kubelet-serving.crt
tlsPrivateKeyFile: $PKI/kubelet-serving.key
podLogsDir: $STATE/pod-logs
serializeImagePulls: false
# A test node on a shared disk: never evict pods or collect images because others fill it.
evictionHard:
  memory.available: "1Mi"
  nodefs.available: "1%"
  nodefs.inodesFree: "1%"
  imagefs.available: "1%"
imageGCHighThresholdPercent: 100
imageGCLowThresholdPercent: 99
YAML
}

# --- up / down / status -------------------------------------------------------------------------

running() {
  local p
  for p in "${PROCESSES[@]}"; do pid_of "$p" >/dev/null || return 1; done
  kubectl_ get --raw /readyz >/dev/null 2>&1
}

print_lines() {
  printf 'KUBECONFIG=%s\n' "$KUBECONFIG_PATH"
  printf 'REGISTRY=%s\n' "$REGISTRY"
}

port_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

ctr_() { ctr --address "$CONTAINERD_SOCK" --namespace k8s.io "$@"; }

do_up() {
  if running; then
    print_lines
    return 0
  fi
  [[ $EUID -eq 0 ]] || die "Needs root (containerd and the kubelet manage mounts and cgroups)"
  if [[ -d $RUN ]]; then
    log "A previous cluster is partly up or was not cleaned; taking it down first"
    do_down
  fi
  local started
  started=$(now)
  build_all
  local port
  for port in "${REGISTRY##*:}" "$ETCD_CLIENT_PORT" "$ETCD_PEER_PORT" "$API_PORT" "$KUBELET_PORT" \
    "$KUBELET_HEALTHZ_PORT"; do
    port_free "$port" || die "Port $port on 127.0.0.1 is taken by another process"
  done

  mkdir -p "$RUN" "$LOGS"
  rm -f "$LOGS"/*.log
  : >"$RUN/created"
  trap 'status=$?; if ((status != 0)); then log "up failed; stopping what it started"; do_down; fi' EXIT
  trap 'exit 130' INT
  trap 'exit 143' TERM
  # Paths outside $STATE that containerd 1.6 and the kubelet use whatever their configuration
  # says; `down` removes the ones that did not exist before.
  note_created /var/lib/kubelet
  note_created /var/log/containers
  note_created /var/lib/cni
  note_created /var/run/netns
  local c
  for c in "${SYSCTLS[@]}"; do
    [[ -r /proc/sys/$c ]] && printf '%s %s\n' "$c" "$(cat "/proc/sys/$c")"
  done >"$RUN/sysctls"
  # The kubelet's cgroups (cgroupfs driver): kubepods in each v1 hierarchy, or at the v2 root.
  local roots=(/sys/fs/cgroup/)
  [[ -f /sys/fs/cgroup/cgroup.controllers ]] || roots=(/sys/fs/cgroup/*/)
  for c in "${roots[@]}"; do
    [[ -e ${c}kubepods ]] || printf '%s\n' "${c}kubepods" >>"$RUN/created-cgroups"
  done
  write_configs

  start registry docker-registry serve "$STATE/registry.yml"
  start containerd containerd --config "$STATE/containerd/config.toml"
  start etcd etcd --name velora-k8s --data-dir "$STATE/etcd" \
    --listen-client-urls "http://127.0.0.1:$ETCD_CLIENT_PORT" \
    --advertise-client-urls "http://127.0.0.1:$ETCD_CLIENT_PORT" \
    --listen-peer-urls "http://127.0.0.1:$ETCD_PEER_PORT" \
    --initial-advertise-peer-urls "http://127.0.0.1:$ETCD_PEER_PORT" \
    --initial-cluster "velora-k8s=http://127.0.0.1:$ETCD_PEER_PORT" --log-level warn

  wait_for "containerd" 60 ctr_ version
  ctr_ images import "$CACHE/pause/image.tar" >&2 || die "ctr images import of the pause image failed"
  wait_for "etcd" 60 curl -fsS "http://127.0.0.1:$ETCD_CLIENT_PORT/health"

  start kube-apiserver "$BIN/kube-apiserver" \
    --etcd-servers="http://127.0.0.1:$ETCD_CLIENT_PORT" \
    --bind-address=127.0.0.1 --secure-port="$API_PORT" \
    --advertise-address=127.0.0.1 --endpoint-reconciler-type=none \
    --tls-cert-file="$PKI/apiserver.crt" --tls-private-key-file="$PKI/apiserver.key" \
    --client-ca-file="$PKI/ca.crt" \
    --service-account-issuer=https://kubernetes.default.svc \
    --service-account-key-file="$PKI/sa.pub" --service-account-signing-key-file="$PKI/sa.key" \
    --service-cluster-ip-range="$SERVICE_SUBNET" \
    --authorization-mode=Node,RBAC --enable-admission-plugins=NodeRestriction \
    --allow-privileged=true \
    --kubelet-client-certificate="$PKI/apiserver-kubelet-client.crt" \
    --kubelet-client-key="$PKI/apiserver-kubelet-client.key" \
    --kubelet-certificate-authority="$PKI/ca.crt" \
    --kubelet-preferred-address-types=Hostname,InternalIP \
    --profiling=false
  wait_for "the API server" 120 kubectl_ get --raw /readyz

  start kube-controller-manager "$BIN/kube-controller-manager" \
    --kubeconfig="$KUBECONFIG_PATH" --leader-elect=false --secure-port=0 \
    --service-account-private-key-file="$PKI/sa.key" --root-ca-file="$PKI/ca.crt" \
    --cluster-signing-cert-file="$PKI/ca.crt" --cluster-signing-key-file="$PKI/ca.key" \
    --use-service-account-credentials=false --profiling=false
  start kube-scheduler "$BIN/kube-scheduler" \
    --kubeconfig="$KUBECONFIG_PATH" --leader-elect=false --secure-port=0 --profiling=false
  start kubelet "$BIN/kubelet" \
    --config="$STATE/kubelet.yaml" --kubeconfig="$STATE/kubelet.kubeconfig" \
    --hostname-override="$NODE_NAME" --root-dir="$STATE/kubelet" --cert-dir="$STATE/kubelet/pki"

  local left=$((UP_TIMEOUT - ($(now) - started)))
  ((left > 30)) || left=30
  wait_for "node $NODE_NAME to be Ready" "$left" \
    kubectl_ wait --for=condition=Ready "node/$NODE_NAME" --timeout=2s
  wait_for "the default ServiceAccount" 60 kubectl_ get serviceaccount default
  wait_for "the kube-root-ca.crt ConfigMap" 60 kubectl_ get configmap kube-root-ca.crt
  trap - EXIT INT TERM
  log "Up in $(($(now) - started)) s"
  print_lines
}

# Paths of the pod network namespaces containerd made for our sandboxes.
pod_netns() {
  local id
  for id in $(ctr_ containers ls -q 2>/dev/null); do
    ctr_ containers info "$id" 2>/dev/null | grep -o '"/var/run/netns/cni-[0-9a-f-]*"' | tr -d '"'
  done | sort -u
}

do_down() {
  [[ -d $RUN ]] || {
    log "Not up (no $RUN)"
    return 0
  }
  local started
  started=$(now)
  # Pods first, through the kubelet, so their containers, mounts and networks go the normal way.
  if pid_of kubelet >/dev/null && pid_of kube-apiserver >/dev/null; then
    local t0=${EPOCHREALTIME/./}
    kubectl_ delete pods --all --all-namespaces --grace-period=1 --timeout=30s >&2 2>/dev/null || true
    log "Deleted the pods in $(((${EPOCHREALTIME/./} - t0) / 1000)) ms"
  fi
  local netns=() ids=()
  if pid_of containerd >/dev/null; then
    mapfile -t netns < <(pod_netns)
    mapfile -t ids < <(ctr_ containers ls -q 2>/dev/null)
  fi
  local i
  for ((i = ${#PROCESSES[@]} - 1; i >= 0; i--)); do
    if [[ ${PROCESSES[i]} == containerd ]] && pid_of containerd >/dev/null; then
      # Whatever the kubelet left: kill and remove the tasks and containers (shims exit with them).
      local id
      for id in $(ctr_ tasks ls -q 2>/dev/null); do ctr_ tasks kill -s SIGKILL "$id" >/dev/null 2>&1 || true; done
      sleep 0.5
      for id in $(ctr_ tasks ls -q 2>/dev/null); do ctr_ tasks rm -f "$id" >/dev/null 2>&1 || true; done
      for id in $(ctr_ containers ls -q 2>/dev/null); do ctr_ containers rm "$id" >/dev/null 2>&1 || true; done
    fi
    stop "${PROCESSES[i]}"
  done
  # Shims of our containerd that outlived it (they name its socket on their command line).
  local pid
  for pid in $(pgrep -x containerd-shim-runc-v2 2>/dev/null || true); do
    tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -qF -- "-address $CONTAINERD_SOCK " &&
      kill -KILL "$pid" 2>/dev/null && log "Killed a shim of this cluster's containerd (pid $pid)"
  done
  # Shim sockets: containerd 1.6 puts them in /run/containerd/s/sha256(<socket>/<ns>/<id>).
  for i in "${ids[@]}"; do
    rm -f "/run/containerd/s/$(printf '%s' "$CONTAINERD_SOCK/k8s.io/$i" | sha256sum | cut -d' ' -f1)"
  done
  # Mounts under our own directories, deepest first.
  local m
  while read -r m; do
    umount "$m" 2>/dev/null || umount -l "$m" 2>/dev/null || log "Cannot unmount $m"
  done < <(awk -v s="$STATE/" 'index($5, s) == 1 { print $5 }' /proc/self/mountinfo | sort -r)
  for m in "${netns[@]}"; do
    umount "$m" 2>/dev/null || true
    rm -f "$m"
  done
  # CNI results (libcni's cache, /var/lib/cni/results/<network>-<container>-<ifname>): our
  # network's, and the loopback ones of our containers.
  rm -f /var/lib/cni/results/"$CNI_NETWORK"-*
  for i in "${ids[@]}"; do rm -f /var/lib/cni/results/*-"$i"-*; done
  ip link del "$CNI_BRIDGE" 2>/dev/null || true
  # Links in /var/log/containers that point at our pod logs.
  for m in /var/log/containers/*; do
    [[ -L $m && "$(readlink "$m")" == "$STATE/"* ]] && rm -f "$m"
  done
  # cgroups the kubelet created (only when they did not exist before `up`), deepest first.
  if [[ -f $RUN/created-cgroups ]]; then
    while read -r m; do
      [[ -d $m ]] && find "$m" -depth -type d -exec rmdir {} + 2>/dev/null
    done <"$RUN/created-cgroups"
  fi
  if [[ -f $RUN/sysctls ]]; then
    local value
    while read -r m value; do
      if [[ "$(cat "/proc/sys/$m" 2>/dev/null)" != "$value" ]]; then
        printf '%s\n' "$value" >"/proc/sys/$m" && log "Restored $m to $value"
      fi
    done <"$RUN/sysctls"
  fi
  # Directories `up` created outside $STATE: the kubelet's device-plugin socket, then whatever is
  # left empty (a file someone else put there keeps its directory).
  if [[ -f $RUN/created ]]; then
    if grep -qx /var/lib/kubelet "$RUN/created"; then rm -f /var/lib/kubelet/device-plugins/kubelet.sock; fi
    while read -r m; do
      [[ -n $m && $m != "$STATE"* && -d $m ]] && find "$m" -depth -type d -empty -delete
    done < <(sort -r "$RUN/created")
  fi
  # Everything else of the cluster is under $STATE; the logs stay.
  if ! awk -v s="$STATE/" 'index($5, s) == 1 { found = 1 } END { exit !found }' /proc/self/mountinfo; then
    find "$STATE" -mindepth 1 -maxdepth 1 ! -name logs -exec rm -rf {} +
  else
    log "Something is still mounted under $STATE; leaving its files"
  fi
  log "Down in $(($(now) - started)) s (logs: $LOGS)"
}

do_status() {
  if running; then
    printf 'up\n'
    print_lines
    return 0
  fi
  printf 'down\n'
  return 3
}

main() {
  local cmd="${1:-}"
  case "$cmd" in
    up | down)
      mkdir -p "$(dirname "$STATE")"
      exec 9>"$STATE.lock"
      flock 9
      "do_$cmd"
      ;;
    status) do_status ;;
    build)
      build_all
      log "Built; cache: $CACHE"
      ;;
    *)
      printf 'Usage: %s up|down|status|build\n' "$0" >&2
      exit 2
      ;;
  esac
}

# Sourcing the script (tests) defines the functions without running anything.
if [[ ${BASH_SOURCE[0]} == "$0" ]]; then main "$@"; fi
