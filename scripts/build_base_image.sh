#!/usr/bin/env bash
# Builds a Debian base image for velora's containers (the tests' and the demo's), when its tag is
# missing, with no image registry: a `debootstrap --variant=minbase` root filesystem turned into an
# image with `docker import`, from Debian's packages only. The Debian mirror and suite are read
# from this machine's apt sources at run time; no host name is written into the repository.
#
# Usage: scripts/build_base_image.sh [--force] [--install-debootstrap] TAG [PACKAGES]
#
#   --force                build even when TAG exists (the replaced image is removed if unused)
#   --install-debootstrap  install Debian's debootstrap with apt-get when it is missing (CI)
#   TAG                    the image to build, e.g. velora-test-base:bookworm
#   PACKAGES               comma-separated packages to include (default: what sandboxes, the
#                          evaluation and the demo need; see DEFAULT_PACKAGES)
#
# Environment:
#   VELORA_BASE_MIRROR  mirror URI (default: first non-security apt source of this machine)
#   VELORA_BASE_SUITE   suite (default: that source's release suite, else VERSION_CODENAME)
#
# Progress goes to stderr, one line per debootstrap stage, then the total time. Needs root
# (debootstrap) and a running Docker engine. One build at a time per machine.
set -euo pipefail

readonly DEFAULT_PACKAGES="git,patch,python3,python3-pytest,ca-certificates,procps,bsdutils"
# What velora runs in its containers; the image is refused when one is missing.
readonly TOOLS="bash ls cat git python3 pytest-3 patch script ps"

log() { printf 'build_base_image: %s\n' "$*" >&2; }
die() {
  log "$*"
  exit 1
}
usage="usage: $0 [--force] [--install-debootstrap] TAG [PACKAGES]"

force=0
install=0
while [[ $# -gt 0 && $1 == --* ]]; do
  case $1 in
    --force) force=1 ;;
    --install-debootstrap) install=1 ;;
    *) die "Unknown option \"$1\" ($usage)" ;;
  esac
  shift
done
[[ $# -ge 1 && $# -le 2 && -n $1 ]] || die "Expected a tag and optional packages ($usage)"
readonly TAG=$1
readonly PACKAGES="${2:-$DEFAULT_PACKAGES}"

docker info >/dev/null 2>&1 || die "No Docker engine answers (DOCKER_HOST=\"${DOCKER_HOST:-}\")"

if [[ $force -eq 0 ]] && docker image inspect "$TAG" >/dev/null 2>&1; then
  log "Image \"$TAG\" exists; nothing to do"
  exit 0
fi

# Prints "URI SUITE" for each enabled `deb` source of a release suite (`bookworm`, not
# `bookworm-updates` or `-security`): deb822 stanzas in /etc/apt/sources.list.d/*.sources, then
# one-line `deb` entries in the .list files.
apt_source() {
  local f
  shopt -s nullglob
  for f in /etc/apt/sources.list.d/*.sources; do
    awk '
      function flush() {
        if (types ~ /(^| )deb( |$)/ && enabled !~ /^(no|false)$/ && uris != "") {
          n = split(uris, u, " "); m = split(suites, s, " ")
          for (i = 1; i <= n; i++) {
            if (u[i] ~ /-security/) continue
            for (j = 1; j <= m; j++) {
              if (s[j] ~ /[-\/]/) continue
              print u[i], s[j]; found = 1; exit
            }
          }
        }
        types = ""; uris = ""; suites = ""; enabled = ""
      }
      /^[ \t]*#/ { next }
      /^[ \t]*$/ { flush(); next }
      tolower($1) == "types:" { $1 = ""; types = $0 }
      tolower($1) == "uris:" { $1 = ""; uris = $0 }
      tolower($1) == "suites:" { $1 = ""; suites = $0 }
      tolower($1) == "enabled:" { enabled = tolower($2) }
      END { if (!found) flush() }
    ' "$f" | head -n 1
  done
  for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
    [[ -r $f ]] || continue
    # deb [options] uri suite components...
    sed -E -e 's/#.*//' -e 's/\[[^]]*\]//' "$f" |
      awk '$1 == "deb" && $2 !~ /-security/ && $3 !~ /[-\/]/ { print $2, $3 }'
  done
}

read -r src_uri src_suite < <(apt_source | head -n 1) || true
mirror="${VELORA_BASE_MIRROR:-${src_uri:-}}"
suite="${VELORA_BASE_SUITE:-${src_suite:-}}"
if [[ -z $suite && -r /etc/os-release ]]; then
  # shellcheck source=/dev/null
  suite="$(. /etc/os-release && printf '%s' "${VERSION_CODENAME:-}")"
fi
[[ -n $mirror ]] || die "No apt source found in /etc/apt (set VELORA_BASE_MIRROR)"
[[ -n $suite ]] || die "No suite found in /etc/apt or /etc/os-release (set VELORA_BASE_SUITE)"

[[ $(id -u) -eq 0 ]] || die "debootstrap needs root: run this as root"
if ! command -v debootstrap >/dev/null; then
  [[ $install -eq 1 ]] || die "debootstrap is not installed: install it (apt-get install debootstrap)"
  log "Installing debootstrap"
  DEBIAN_FRONTEND=noninteractive apt-get install -y debootstrap >/dev/null ||
    { apt-get update >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y debootstrap; }
fi

# One build at a time on this machine; a second caller waits, then finds the tag.
exec {lock_fd}>"/tmp/velora-base-image.lock"
flock "$lock_fd"
if [[ $force -eq 0 ]] && docker image inspect "$TAG" >/dev/null 2>&1; then
  log "Image \"$TAG\" was built meanwhile"
  exit 0
fi

rootfs="$(mktemp -d /tmp/velora-base-rootfs.XXXXXX)"
# shellcheck disable=SC2317,SC2329 # called by the EXIT trap
cleanup() {
  # debootstrap mounts proc/sys inside the target; never delete through a mount.
  local m
  awk -v root="$rootfs/" 'index($2, root) == 1 { print $2 }' /proc/mounts | sort -r |
    while read -r m; do umount -l "$m" || true; done
  rm -rf --one-file-system "$rootfs" "$rootfs.log"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

start=$SECONDS
elapsed() { printf '%d s' "$((SECONDS - start))"; }

# Reads debootstrap's output, appends it to the file $1, and logs a line when the stage changes
# (and every 50 packages downloaded); warnings and errors are passed on as they come.
progress() {
  local line stage="" next count=0
  while IFS= read -r line; do
    printf '%s\n' "$line" >>"$1"
    next=$stage
    case $line in
      "I: Retrieving InRelease"* | "I: Retrieving Release"*) next="reading the package lists" ;;
      "I: Retrieving "*)
        if [[ $line =~ ^I:\ Retrieving\ [^\ ]+\ [^\ ]+$ ]]; then
          next="downloading packages"
          count=$((count + 1))
          ((count % 50 != 0)) || log "$(elapsed): $count packages downloaded"
        fi
        ;;
      "I: Extracting "*) next="extracting $count packages" ;;
      "I: Installing core packages"* | "I: Unpacking required packages"* | \
        "I: Configuring required packages"*)
        next="installing the required packages"
        ;;
      "I: Unpacking the base system"* | "I: Configuring the base system"*)
        next="installing the other packages ($PACKAGES)"
        ;;
      "I: Base system installed successfully"*) next="debootstrap done" ;;
      "E: "* | "W: "*) log "$line" ;;
    esac
    if [[ $next != "$stage" ]]; then
      stage=$next
      log "$(elapsed): $stage"
    fi
  done
}

log "debootstrap $suite from $mirror into $rootfs"
if ! debootstrap --variant=minbase --include="$PACKAGES" "$suite" "$rootfs" "$mirror" 2>&1 |
  progress "$rootfs.log"; then
  tail -n 30 "$rootfs.log" >&2
  [[ -f $rootfs/debootstrap/debootstrap.log ]] && tail -n 30 "$rootfs/debootstrap/debootstrap.log" >&2
  die "debootstrap failed"
fi

for tool in $TOOLS; do
  chroot "$rootfs" /usr/bin/env PATH=/usr/sbin:/usr/bin:/sbin:/bin sh -c "command -v $tool" \
    >/dev/null || die "The base image lacks \"$tool\""
done

rm -rf "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/var/lib/apt/lists/*

log "$(elapsed): docker import as \"$TAG\""
old_id="$(docker image inspect --format '{{.Id}}' "$TAG" 2>/dev/null || true)"
tar --numeric-owner -C "$rootfs" -c . | docker import \
  --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
  --change 'ENV LANG=C.UTF-8' \
  --change 'CMD ["/bin/bash"]' \
  --change "LABEL velora.base=$suite" \
  - "$TAG" >/dev/null
if [[ -n $old_id ]]; then
  # The replaced image; kept when images built FROM it still use it.
  docker image rm "$old_id" >/dev/null 2>&1 || true
fi
log "Built \"$TAG\" in $((SECONDS - start)) s"
