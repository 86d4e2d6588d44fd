# How scripts/setup.sh would start Debian's docker.io engine: a part of
# tests/setup_test.sh, which sources it (its SETUP, WORK, NO_ENGINE,
# BARE_HOST and check helpers). Only the decision is tested, through
# --dry-run, which starts nothing: this machine has no systemd as PID 1, and
# a second dockerd must not start in its network namespace.
# shellcheck shell=bash

# With docker.io installed and no engine at DOCKER_HOST: how --dry-run would
# start the machine's engine, from what lies under the host root HOST.
engine_plan() {
  capture env ASKELADDEN_DPKG_ADMINDIR="$1" ASKELADDEN_HOST_ROOT="$2" DOCKER_HOST="$NO_ENGINE" NO_COLOR=1 \
    "$SETUP" --dry-run docker
}
test_engine_start() {
  local host="$WORK/host"
  mkdir -p "$host/var/run" "$BARE_HOST"
  check "a process named dockerd runs on this machine" pgrep -x dockerd
  engine_plan "$1" "$host"
  check "no engine on docker.io's socket, a dockerd process running: it would start the engine" \
    exited_saying 0 "would start dockerd in the background \(no init manages it here\)"
  ln -s /var/run/docker.sock "$host/var/run/docker.sock"
  engine_plan "$1" "$host"
  check "docker.io's socket answers docker info: that is the engine, nothing to start" \
    exited_saying 0 "nothing to start: the engine answers at unix://$host/var/run/docker.sock"
  rm "$host/var/run/docker.sock"
  mkdir -p "$host/run/systemd/system"
  engine_plan "$1" "$host"
  check "systemd as PID 1 (a fake /run/systemd/system): it would run systemctl start docker" \
    exited_saying 0 "would start the engine through systemd: systemctl start docker"
  rm -r "$host/run"
  mkdir -p "$host/proc/1" "$host/etc/init.d"
  echo init >"$host/proc/1/comm"
  install -m 755 /dev/null "$host/etc/init.d/docker"
  engine_plan "$1" "$host"
  check "sysvinit as PID 1 (a fake /proc/1/comm): it would run service docker start" \
    exited_saying 0 "would start the engine through its init script: service docker start"
}
