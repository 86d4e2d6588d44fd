#!/usr/bin/env bash
# Usage: tests/setup_test.sh [--help]
#
# scripts/setup.sh against real dpkg states, and make compare-sizes as a user
# who is not root. Needs root (it installs packages into throwaway dpkg
# databases and creates a throwaway user), equivs, a Docker engine whose
# socket belongs to the docker group, the base images, and askeladden:v0.1
# and askeladden:v0.2 (make test-setup sets that up).
#
# 1. Docker and dpkg: dummy packages made with equivs (docker-ce,
#    docker-ce-cli, containerd.io, moby-engine, docker-desktop, and a
#    docker.io) are installed with dpkg --root into throwaway roots, and
#    setup.sh reads each root's database (ASKELADDEN_DPKG_ADMINDIR), with no
#    engine answering (DOCKER_HOST on a socket nobody listens on) and a PATH
#    without docker or apt-get:
#      - next to each Docker that is not Debian's: no docker.io, one line
#        naming what it found and how to start it, exit 1, the database
#        unchanged; and APT, asked to install docker.io there, would remove
#        it (which --no-remove refuses)
#      - where there is no Docker at all: it would install docker.io
#        (--dry-run), and APT would do so without removing anything
#      - with Debian's docker.io: satisfied, it would start its engine only:
#        nothing when docker.io's socket answers, whatever process is named
#        dockerd; else through systemd or the init script where a fake PID 1
#        (ASKELADDEN_HOST_ROOT) says one manages it, else a dockerd (only
#        the decision: --dry-run starts nothing)
#      - a docker client alone on the PATH: docker.io beside it; a dockerd
#        from elsewhere: no docker.io
#      - an engine that answers: satisfied whatever is installed
# 2. APT: a throwaway APT (APT_CONFIG: its own lists, cache and state) whose
#    only source is a local repository of dummy packages, installing with
#    dpkg --root into a throwaway root. Where it lacks kubernetes-client,
#    setup.sh kube plans and installs yq, names kubernetes-client and
#    microk8s's or snap's kubectl instead, and exits 1; where it has both, it
#    installs both and exits 0. With no clang on the PATH and APT's clang 19,
#    the sanitizer runtime is libclang-rt-19-dev. The system line, from a
#    Debian 13 and an Ubuntu os-release file (ASKELADDEN_OS_RELEASE).
# 3. A user in the docker group, not root, runs make compare-sizes in its
#    own clone, with a PATH without compilers, mmdebstrap or arch-test, to
#    the end; with python3-docker hidden, one line names it and the sudo
#    command, and nothing changes; the same for the base-image tools it did
#    without. A user outside the docker group is told to join it (running
#    that user's clone: this one may lie under a 0700 directory).
#
# Prints one line per check and closes with "setup: N passed, N failed".
# The throwaway roots, APTs, user and clone are removed at exit.
set -euo pipefail
# shellcheck source=common/lib.sh
source "$(dirname "$0")/../common/lib.sh"

accept_only_help "$@"

[[ "$(id -u)" == 0 ]] || die "needs root: it installs into throwaway dpkg databases and creates a user"
require_cmd equivs-build dpkg dpkg-scanpackages apt-get useradd userdel runuser git make
require_docker

SETUP="$ASKELADDEN_ROOT/scripts/setup.sh"
DEBS="$ASKELADDEN_ROOT/build/setup-test/debs"
WORK="$(mktemp -d)"
USER_DIR=""
TEST_USER="askeladden-test-$$"
CAPTURED="$WORK/captured"
mkdir -p "$CAPTURED" "$DEBS"
cleanup() {
  if id "$TEST_USER" >/dev/null 2>&1; then userdel "$TEST_USER" >/dev/null 2>&1 || true; fi
  [[ -z "$USER_DIR" ]] || rm -rf "$USER_DIR"
  rm -rf "$WORK"
}
trap cleanup EXIT

# The dummy packages, as their real namesakes declare themselves where it
# matters here: Docker CE's packages conflict with docker.io, containerd.io
# with Debian's containerd and runc.
control() {
  local name="$1" version="$2" conflicts="${3:-}" depends="${4:-}"
  printf 'Section: misc\nPriority: optional\nStandards-Version: 3.9.2\n'
  printf 'Package: %s\nVersion: %s\n' "$name" "$version"
  [[ -z "$conflicts" ]] || printf 'Conflicts: %s\n' "$conflicts"
  [[ -z "$depends" ]] || printf 'Depends: %s\n' "$depends"
  printf 'Description: stand-in for %s (tests/setup_test.sh)\n Installed only into throwaway dpkg databases.\n' "$name"
}

# build_debs: one .deb per dummy package under $DEBS, made with equivs and
# kept between runs (rebuilt when its control file changes).
build_debs() {
  local spec name version conflicts depends pids=()
  for spec in \
    'docker-ce|5:27.3.1-1~debian.12~bookworm|docker.io, docker-engine' \
    'docker-ce-cli|5:27.3.1-1~debian.12~bookworm|docker.io' \
    'containerd.io|1.7.22-1|containerd, runc' \
    'moby-engine|27.3.1-1|docker.io' \
    'docker-desktop|4.34.3-170107|' \
    'docker.io|20.10.24+dfsg1-1+deb12u1' \
    'docker-cli|26.1.5+dfsg1-9' \
    'yq|4.44.3-1' \
    'kubernetes-client|1.32.3+ds-1' \
    'clang|1:19.0-63||clang-19' \
    'clang-19|1:19.1.7-3' \
    'libclang-rt-19-dev|1:19.1.7-3'; do
    IFS='|' read -r name version conflicts depends <<<"$spec"
    local dir="$DEBS/$name"
    mkdir -p "$dir"
    control "$name" "$version" "$conflicts" "$depends" >"$WORK/$name.control"
    if cmp -s "$WORK/$name.control" "$dir/control" && compgen -G "$dir/${name}_*.deb" >/dev/null; then
      continue
    fi
    rm -f "$dir"/*
    cp "$WORK/$name.control" "$dir/control"
    (cd "$dir" && equivs-build control >build.log 2>&1) &
    pids+=($!)
  done
  local pid
  for pid in "${pids[@]}"; do wait "$pid" || die "equivs-build failed: see $DEBS/*/build.log"; done
}

# new_root NAME PACKAGE...: a throwaway root with those dummy packages
# installed by dpkg; prints its dpkg database directory.
new_root() {
  local root="$WORK/roots/$1" p debs=()
  shift
  mkdir -p "$root/var/lib/dpkg/info" "$root/var/lib/dpkg/updates"
  touch "$root/var/lib/dpkg/status"
  for p in "$@"; do debs+=("$(compgen -G "$DEBS/$p/${p}_*.deb")"); done
  if ((${#debs[@]} > 0)); then
    dpkg --root="$root" --force-script-chrootless -i "${debs[@]}" >"$WORK/dpkg-$p.log" 2>&1 ||
      die "dpkg --root could not install $*: $(tail -n 1 "$WORK/dpkg-$p.log")"
  fi
  printf '%s\n' "$root/var/lib/dpkg"
}

# path_without DIR COMMAND...: a PATH like this machine's without those
# commands: DIR, made of links to everything in /usr/local/bin, /usr/bin and
# /usr/sbin but them.
path_without() {
  local bin="$1" f skip=" ${*:2} " links=()
  local -A seen=()
  for f in /usr/local/bin/* /usr/bin/* /usr/sbin/*; do
    [[ "$skip" == *" ${f##*/} "* || -n "${seen[${f##*/}]:-}" ]] && continue
    seen[${f##*/}]=1
    links+=("$f")
  done
  mkdir -p "$bin"
  ln -s -t "$bin" -- "${links[@]}"
  printf '%s\n' "$bin"
}

NO_DOCKER_PATH=""
NO_ENGINE="unix://$WORK/no-engine.sock"
# A host root with no engine socket, no systemd and no init: where setup.sh
# looks for how to start the engine (ASKELADDEN_HOST_ROOT).
BARE_HOST="$WORK/bare-host"
# How setup.sh would start docker.io's engine (test_engine_start).
# shellcheck source=tests/setup/engine.sh
source "$ASKELADDEN_ROOT/tests/setup/engine.sh"

# setup_in ADMINDIR [ARGS...]: setup.sh with that dpkg database, no engine and
# no docker or apt-get on the PATH.
setup_in() {
  local admindir="$1"
  shift
  capture env ASKELADDEN_DPKG_ADMINDIR="$admindir" DOCKER_HOST="$NO_ENGINE" PATH="$NO_DOCKER_PATH" \
    ASKELADDEN_HOST_ROOT="$BARE_HOST" NO_COLOR=1 "$SETUP" "$@"
}

# The lines of FILE besides the one naming the system.
lines() { grep -v '^    system: ' "$1" | grep -c . || true; }

# exited_saying STATUS PATTERN...: the last capture exited STATUS and its
# stderr has a line matching each PATTERN (grep -E).
exited_saying() {
  [[ "$RC" == "$1" ]] || return 1
  local p
  for p in "${@:2}"; do grep -qE "$p" "$CAPTURED/err" || return 1; done
}
never_says() { ! grep -qE "$1" "$CAPTURED/err"; }

# APT asked to install docker.io against the dpkg database ADMINDIR.
apt_docker_io() {
  local admindir="$1"
  shift
  apt-get -s -o Dir::State::status="$admindir/status" "$@" install docker.io 2>&1
}
apt_would_remove() { apt_docker_io "$1" | grep -q "^Remv $2 "; }
apt_refuses() { ! apt_docker_io "$1" --no-remove >/dev/null; }
apt_installs_only() {
  local out
  out="$(apt_docker_io "$1" --no-remove)" && grep -q '^Inst docker.io ' <<<"$out" && ! grep -q '^Remv ' <<<"$out"
}

test_other_docker() {
  local name="$1" how="$2"
  shift 2
  local admindir before
  admindir="$(new_root "$name" "$@")"
  before="$(sha256sum <"$admindir/status")"
  setup_in "$admindir" docker
  check_eq "$name: setup.sh docker exits 1 (no engine, not ours to start)" 1 "$RC"
  check "$name: it says it found $*, and installs no docker.io" \
    grep -q "docker: found $* (not installing docker.io), but no engine answers at $NO_ENGINE: .*$how" "$CAPTURED/err"
  check_eq "$name: that one line is all it says, besides the system" 1 "$(lines "$CAPTURED/err")"
  check_eq "$name: nothing installed or tried (no apt-get, no dpkg change)" \
    "$before" "$(sha256sum <"$admindir/status")"
  setup_in "$admindir" --dry-run docker
  check "$name: --dry-run plans no install either (exit 1)" exited_saying 1 "docker: found"
  check "$name: --dry-run would run no apt-get" never_says "would run"
  # Why: apt would make room for docker.io by removing the reader's Docker
  # (Docker Desktop's package declares no conflict: its engine runs in a VM).
  [[ "$name" != docker-desktop ]] || return 0
  check "$name: APT would remove $1 to install docker.io" apt_would_remove "$admindir" "$1"
  check "$name: with --no-remove (setup.sh's installs) APT refuses instead" apt_refuses "$admindir"
}

test_docker_states() {
  step "setup.sh docker against dpkg states"
  build_debs
  NO_DOCKER_PATH="$(path_without "$WORK/path-no-docker" docker dockerd containerd apt-get apt dpkg)"
  check "the test PATH has no docker, dockerd or apt-get" \
    env PATH="$NO_DOCKER_PATH" bash -c '! command -v docker && ! command -v dockerd && ! command -v apt-get'

  test_other_docker docker-ce "sudo systemctl start docker" docker-ce docker-ce-cli containerd.io
  test_other_docker docker-ce-cli "sudo systemctl start docker" docker-ce-cli
  test_other_docker containerd.io "sudo systemctl start docker" containerd.io
  test_other_docker moby-engine "sudo systemctl start docker" moby-engine
  test_other_docker docker-desktop "start Docker Desktop" docker-desktop

  # The other side: nothing there, so docker.io it is.
  local plain
  plain="$(new_root plain)"
  setup_in "$plain" --dry-run docker
  check_eq "no Docker: --dry-run exits 0" 0 "$RC"
  check "no Docker: it says so" grep -q "^    docker: no Docker found: Debian's docker.io needs installing" "$CAPTURED/err"
  check "no Docker: it would install docker.io" \
    grep -q '^    would run: apt-get install --no-install-recommends --no-remove docker.io$' "$CAPTURED/err"
  check "no Docker: APT would install docker.io there, removing nothing" apt_installs_only "$plain"
  setup_in "$plain" docker
  check "no Docker, another dpkg database: it changes nothing on this machine" \
    exited_saying 1 "not changing anything: ASKELADDEN_DPKG_ADMINDIR="

  local ours
  ours="$(new_root docker.io docker.io)"
  setup_in "$ours" --dry-run docker
  check_eq "docker.io: --dry-run exits 0" 0 "$RC"
  check "docker.io: it is satisfied with it, and would start its dockerd" \
    exited_saying 0 "docker: Debian's docker.io 20.10.24\+dfsg1-1\+deb12u1 is installed, its engine is not running" \
    "would start dockerd"
  check "docker.io: it would install nothing" never_says "would run"
  test_engine_start "$ours"

  # A docker client that no package of this database owns (a static binary,
  # the CLI alone) is no engine: Debian's goes beside it, the client stays.
  local elsewhere="$WORK/elsewhere"
  mkdir -p "$elsewhere"
  ln -s /usr/bin/docker "$elsewhere/docker"
  capture env ASKELADDEN_DPKG_ADMINDIR="$plain" DOCKER_HOST="$NO_ENGINE" PATH="$elsewhere:$NO_DOCKER_PATH" \
    ASKELADDEN_HOST_ROOT="$BARE_HOST" NO_COLOR=1 "$SETUP" --dry-run docker
  check "a docker client alone: found, docker.io for the engine beside it (--dry-run exits 0)" \
    exited_saying 0 "docker: found only a docker client \($elsewhere/docker, client .*\), no engine: Debian's docker.io needs installing" \
    "would run: apt-get install --no-install-recommends --no-remove docker.io" "would start dockerd"
  # A dockerd that no package of this database owns: an engine not ours to start or replace.
  ln -s /usr/sbin/dockerd "$elsewhere/dockerd"
  capture env ASKELADDEN_DPKG_ADMINDIR="$plain" DOCKER_HOST="$NO_ENGINE" PATH="$elsewhere:$NO_DOCKER_PATH" \
    ASKELADDEN_HOST_ROOT="$BARE_HOST" NO_COLOR=1 "$SETUP" --dry-run docker
  check "a dockerd from elsewhere: found, no docker.io, exit 1" \
    exited_saying 1 "docker: found $elsewhere/dockerd \(not Debian's docker.io: not installing it\), but no engine answers"
  check "a dockerd from elsewhere: it would install nothing" never_says "would run"

  # An engine that answers is all the docker component asks for.
  local ce
  ce="$WORK/roots/docker-ce/var/lib/dpkg"
  capture env ASKELADDEN_DPKG_ADMINDIR="$ce" NO_COLOR=1 "$SETUP" docker
  check "an engine answers (Docker CE installed too): satisfied, exit 0" \
    exited_saying 0 "^ok  docker: Docker engine .* answers"
}

# private_apt NAME PACKAGE...: a throwaway APT whose only source is a local
# repository of those dummy packages, with its own lists, cache and state,
# installing with dpkg --root into a throwaway root (NAME/root); its lists
# updated. Prints its APT_CONFIG file.
private_apt() {
  local dir="$WORK/apt/$1" p
  shift
  mkdir -p "$dir/repo" "$dir/etc/apt.conf.d" "$dir/etc/sources.list.d" "$dir/etc/preferences.d" \
    "$dir/etc/trusted.gpg.d" "$dir/lists/partial" "$dir/cache/archives/partial" "$dir/state" "$dir/log" \
    "$dir/root/var/lib/dpkg/info" "$dir/root/var/lib/dpkg/updates"
  touch "$dir/root/var/lib/dpkg/status"
  for p in "$@"; do cp "$(compgen -G "$DEBS/$p/${p}_*.deb")" "$dir/repo/"; done
  (cd "$dir/repo" && dpkg-scanpackages . /dev/null >Packages 2>/dev/null)
  printf 'deb [trusted=yes] file:%s ./\n' "$dir/repo" >"$dir/etc/sources.list"
  cat >"$dir/apt.conf" <<EOF
Dir::Etc "$dir/etc/";
Dir::State "$dir/state/";
Dir::State::Lists "$dir/lists/";
Dir::State::status "$dir/root/var/lib/dpkg/status";
Dir::Cache "$dir/cache/";
Dir::Log "$dir/log/";
APT::Sandbox::User "root";
DPkg::Options { "--root=$dir/root"; "--admindir=$dir/root/var/lib/dpkg"; "--force-script-chrootless"; };
EOF
  APT_CONFIG="$dir/apt.conf" apt-get -q update >"$dir/update.log" 2>&1 ||
    die "the throwaway APT in $dir could not update (see $dir/update.log)"
  printf '%s\n' "$dir/apt.conf"
}

# setup_with_apt APT_CONFIG OS_RELEASE HIDDEN_PATH ARGS...: setup.sh with
# that APT, os-release file and PATH.
setup_with_apt() {
  capture env APT_CONFIG="$1" ASKELADDEN_OS_RELEASE="$2" PATH="$3" NO_COLOR=1 "$SETUP" "${@:4}"
}

# dummy_installed APT_CONFIG PACKAGE: dpkg installed PACKAGE into that APT's root.
dummy_installed() {
  dpkg-query --admindir="$(dirname "$1")/root/var/lib/dpkg" -W -f='${Status}' "$2" 2>/dev/null |
    grep -q '^install ok installed$'
}
dummy_absent() { ! dummy_installed "$@"; }

test_private_apt() {
  step "setup.sh against a throwaway APT"
  local ubuntu="$WORK/os-release-ubuntu" trixie="$WORK/os-release-debian13"
  printf '%s\n' 'PRETTY_NAME="Ubuntu 24.04.1 LTS"' 'NAME="Ubuntu"' 'VERSION_ID="24.04"' \
    'VERSION="24.04.1 LTS (Noble Numbat)"' 'ID=ubuntu' 'ID_LIKE=debian' >"$ubuntu"
  printf '%s\n' 'PRETTY_NAME="Debian GNU/Linux 13 (trixie)"' 'NAME="Debian GNU/Linux"' 'VERSION_ID="13"' \
    'VERSION="13 (trixie)"' 'VERSION_CODENAME=trixie' 'ID=debian' >"$trixie"
  local no_kube no_clang lacking full machine
  no_kube="$(path_without "$WORK/path-no-kube" kubectl yq microk8s)"
  no_clang="$(path_without "$WORK/path-no-clang" clang)"
  check "one test PATH has no kubectl, yq or microk8s" \
    env PATH="$no_kube" bash -c '! command -v kubectl && ! command -v yq && ! command -v microk8s'
  check "the other has no clang" env PATH="$no_clang" bash -c '! command -v clang'
  lacking="$(private_apt lacking yq clang clang-19)"
  full="$(private_apt full yq kubernetes-client clang clang-19 libclang-rt-19-dev)"
  machine="$(sha256sum </var/lib/dpkg/status)"

  setup_with_apt "$lacking" "$ubuntu" "$no_kube" --dry-run kube
  check_eq "kubernetes-client not in APT: --dry-run exits 1" 1 "$RC"
  check "Ubuntu's os-release: it names the system" grep -qx '    system: Ubuntu 24.04.1 LTS, from '"$ubuntu" "$CAPTURED/err"
  check "not in APT: it would still install the rest (yq)" \
    grep -qx '    would run: apt-get install --no-install-recommends --no-remove yq' "$CAPTURED/err"
  check "not in APT: one line names kubernetes-client and microk8s's or snap's kubectl instead" \
    grep -qx "setup.sh: kubernetes-client: not offered by APT on Ubuntu 24.04.1 LTS: use microk8s's kubectl (microk8s kubectl), or sudo snap install kubectl --classic" "$CAPTURED/err"
  setup_with_apt "$lacking" "$ubuntu" "$no_kube" kube
  check_eq "not in APT, as root: setup.sh kube exits 1 at the end" 1 "$RC"
  check "not in APT, as root: it installed the rest (yq, into the throwaway root)" dummy_installed "$lacking" yq
  check "not in APT, as root: it names kubernetes-client, last" \
    grep -q "^setup.sh: kubernetes-client: not offered by APT on Ubuntu" <(tail -n 1 "$CAPTURED/err")
  check "not in APT, as root: kubernetes-client is not installed" dummy_absent "$lacking" kubernetes-client

  # The other side: APT offers both.
  setup_with_apt "$full" "$trixie" "$no_kube" --dry-run kube
  check_eq "both in APT: --dry-run exits 0" 0 "$RC"
  check "Debian 13's os-release: it names the system" \
    grep -qx '    system: Debian GNU/Linux 13 (trixie), from '"$trixie" "$CAPTURED/err"
  check "both in APT: it would install both" \
    grep -qx '    would run: apt-get install --no-install-recommends --no-remove kubernetes-client yq' "$CAPTURED/err"
  check "both in APT: nothing named missing" never_says "not offered"
  setup_with_apt "$full" "$trixie" "$no_kube" kube
  check_eq "both in APT, as root: setup.sh kube exits 0" 0 "$RC"
  check "both in APT, as root: it installed kubernetes-client" dummy_installed "$full" kubernetes-client
  check "both in APT, as root: it installed yq" dummy_installed "$full" yq
  check "both in APT: nothing named missing" never_says "not offered"
  check_eq "this machine's dpkg database is unchanged by all that" "$machine" "$(sha256sum </var/lib/dpkg/status)"

  # The sanitizer runtime is that of the clang APT would install (19 there).
  setup_with_apt "$full" "$trixie" "$no_clang" --dry-run build
  check "no clang, APT's is 19: it would install clang and libclang-rt-19-dev" \
    exited_saying 0 '^    would run: apt-get install --no-install-recommends --no-remove clang libclang-rt-19-dev$'
  setup_with_apt "$lacking" "$trixie" "$no_clang" --dry-run build
  check "no libclang-rt-19-dev in APT: it would install clang, names the runtime, exit 1" \
    exited_saying 1 '^    would run: apt-get install --no-install-recommends --no-remove clang$' \
    '^setup.sh: libclang-rt-19-dev: not offered by APT on Debian GNU/Linux 13 \(trixie\): '

  # No Docker at all: Debian 13's docker.io only recommends its client,
  # docker-cli, which goes beside it where APT offers it; where APT has none
  # (Debian 12, whose docker.io holds the client), nothing is missed.
  local no_docker apt
  no_docker="$(path_without "$WORK/path-no-docker" docker dockerd)"
  apt="$(private_apt with-cli docker.io docker-cli)"
  capture env ASKELADDEN_DPKG_ADMINDIR="$(dirname "$apt")/root/var/lib/dpkg" APT_CONFIG="$apt" \
    ASKELADDEN_OS_RELEASE="$trixie" PATH="$no_docker" NO_COLOR=1 "$SETUP" --dry-run docker
  check "no Docker, APT offers docker-cli: it would install it beside docker.io" \
    exited_saying 0 '^    would run: apt-get install --no-install-recommends --no-remove docker-cli docker.io$'
  apt="$(private_apt without-cli docker.io)"
  capture env ASKELADDEN_DPKG_ADMINDIR="$(dirname "$apt")/root/var/lib/dpkg" APT_CONFIG="$apt" \
    ASKELADDEN_OS_RELEASE="$trixie" PATH="$no_docker" NO_COLOR=1 "$SETUP" --dry-run docker
  check "no Docker, APT has no docker-cli: it would install docker.io, and names nothing missing" \
    exited_saying 0 '^    would run: apt-get install --no-install-recommends --no-remove docker.io$'
}

image_ids() { docker image inspect -f '{{.Id}}' askeladden:v0.1 askeladden:v0.2 2>/dev/null || true; }

# as_user COMMAND...: run as the test user in its clone, with its own HOME and
# a PATH without compilers or base-image tools.
as_user() {
  capture runuser -u "$TEST_USER" -- env -i HOME="$USER_DIR/home" PATH="$USER_PATH" LANG=C.UTF-8 \
    NO_COLOR=1 ${USER_PYTHONPATH:+PYTHONPATH="$USER_PYTHONPATH"} "$@"
}

test_non_root_user() {
  step "make compare-sizes as a user in the docker group"
  check_eq "the engine's socket belongs to the docker group" docker "$(stat -c %G /var/run/docker.sock)"
  USER_DIR="$(mktemp -d /tmp/askeladden-setup-test.XXXXXX)"
  chmod 755 "$USER_DIR"
  useradd --no-create-home --home-dir "$USER_DIR/home" --shell /bin/bash --groups docker "$TEST_USER"
  mkdir -p "$USER_DIR/home"
  # Its own clone of this commit, with the working tree's changes.
  git clone -q "$ASKELADDEN_ROOT" "$USER_DIR/askeladden"
  git -C "$USER_DIR/askeladden" remote remove origin
  if ! git -C "$ASKELADDEN_ROOT" diff --quiet HEAD; then
    git -C "$ASKELADDEN_ROOT" diff --binary HEAD | git -C "$USER_DIR/askeladden" apply
  fi
  chown -R "$TEST_USER:" "$USER_DIR/home" "$USER_DIR/askeladden"
  USER_PATH="$(path_without "$USER_DIR/path" cc gcc clang valgrind shellcheck mmdebstrap arch-test xmllint)"
  check "the user's PATH has no compiler, mmdebstrap or arch-test" \
    env PATH="$USER_PATH" bash -c '! command -v cc && ! command -v clang && ! command -v mmdebstrap && ! command -v arch-test'

  # Hidden, not removed: an import docker that fails, first on the path.
  local before
  before="$(image_ids)"
  mkdir -p "$USER_DIR/hide-docker-sdk"
  printf 'raise ImportError("hidden by tests/setup_test.sh")\n' >"$USER_DIR/hide-docker-sdk/docker.py"
  chmod -R a+rX "$USER_DIR/hide-docker-sdk"
  USER_PYTHONPATH="$USER_DIR/hide-docker-sdk" as_user make --no-print-directory -C "$USER_DIR/askeladden" compare-sizes
  check "python3-docker missing: make compare-sizes fails" test "$RC" != 0
  check_eq "python3-docker missing: one line names it and the sudo command" \
    "setup.sh: error: missing packages: python3-docker (as root: sudo apt-get install python3-docker)" \
    "$(grep 'sudo' "$CAPTURED/err")"
  check_eq "python3-docker missing: no other line names a package to install" 1 "$(grep -c 'python3-docker' "$CAPTURED/err")"
  check_eq "python3-docker missing: no image rebuilt" "$before" "$(image_ids)"
  check "python3-docker missing: nothing measured" test ! -e "$USER_DIR/home/.local/state/askeladden/sizes"

  as_user make --no-print-directory -C "$USER_DIR/askeladden" compare-sizes
  cp "$CAPTURED/err" "$WORK/compare-sizes.err"
  check_eq "a user in the docker group runs make compare-sizes to the end" 0 "$RC"
  if ((RC != 0)); then info "its last lines: $(tail -n 3 "$WORK/compare-sizes.err" | tr '\n' ' ')"; fi
  check "its report is on stdout" grep -q 'askeladden:v0.2' "$CAPTURED/out"
  check "it measured as that user (its own size cache)" test -d "$USER_DIR/home/.local/state/askeladden/sizes"

  # It ran without the base-image tools, which the user would be asked for.
  as_user "$USER_DIR/askeladden/scripts/setup.sh" base-images
  check_eq "base-images without mmdebstrap and arch-test, not root: exit 1" 1 "$RC"
  check_eq "base-images: one line names them and the sudo command" \
    "setup.sh: error: missing packages: mmdebstrap arch-test (as root: sudo apt-get install mmdebstrap arch-test)" \
    "$(grep 'sudo' "$CAPTURED/err")"

  # Outside the docker group, the engine's socket is closed to the user. It
  # runs the user's clone, which it can read wherever this one lies.
  capture runuser -u nobody -- env -i PATH="$USER_PATH" HOME=/nonexistent NO_COLOR=1 \
    "$USER_DIR/askeladden/scripts/setup.sh" docker
  check "a user outside the docker group is told to join it (exit 1)" \
    exited_saying 1 "sudo usermod -aG docker nobody, then log in again"
}

test_docker_states
test_private_apt
test_non_root_user
checks_summary setup
