# How scripts/setup.sh starts Debian's docker.io engine, which it sources.
# The machine's engine is the one on docker.io's socket, /var/run/docker.sock,
# that answers `docker info`: a process named dockerd may be another's (a
# rootless engine, another user's) and is never taken for it. Where an init
# manages docker.io (systemd as PID 1, or sysvinit's /etc/init.d/docker), the
# engine is started through it; elsewhere (a container without an init) as a
# dockerd in the background, its log under $ASKELADDEN_STATE.
#
# For tests only: ASKELADDEN_HOST_ROOT (default /) is where the socket,
# /run/systemd/system and /proc/1/comm are looked for; only --dry-run's
# decision is tested that way, nothing is started.
# shellcheck shell=bash

HOST_ROOT="${ASKELADDEN_HOST_ROOT:-}"
ENGINE_SOCKET="$HOST_ROOT/var/run/docker.sock"

machine_engine_answers() { timeout 10 docker -H "unix://$ENGINE_SOCKET" info >/dev/null 2>&1; }

# engine_start_plan: how the machine's engine gets started, one word: running
# (it answers already), systemd, sysvinit or dockerd. systemd runs as PID 1
# where /run/systemd/system exists (sd_booted(3) asks the same).
engine_start_plan() {
  if machine_engine_answers; then
    echo running
  elif [[ -d "$HOST_ROOT/run/systemd/system" ]]; then
    echo systemd
  elif [[ "$(cat "$HOST_ROOT/proc/1/comm" 2>/dev/null)" == init && -x "$HOST_ROOT/etc/init.d/docker" ]]; then
    echo sysvinit
  else
    echo dockerd
  fi
}

# What each plan does, in words (--dry-run says it).
engine_start_words() {
  case "$1" in
    running) printf 'nothing to start: the engine answers at unix://%s' "$ENGINE_SOCKET" ;;
    systemd) printf 'would start the engine through systemd: systemctl start docker' ;;
    sysvinit) printf 'would start the engine through its init script: service docker start' ;;
    dockerd) printf 'would start dockerd in the background (no init manages it here)' ;;
  esac
}

start_engine() {
  have dockerd || die "dockerd is not installed (install the docker.io package)"
  have docker || die "dockerd is installed, but no docker client is (install the docker-cli package)"
  local plan log="$ASKELADDEN_STATE/dockerd.log"
  plan="$(engine_start_plan)"
  case "$plan" in
    running) ;;
    systemd)
      step "starting the Docker engine: systemctl start docker"
      systemctl start docker || die "systemctl start docker failed (see: systemctl status docker)"
      ;;
    sysvinit)
      step "starting the Docker engine: service docker start"
      service docker start >&2 || die "service docker start failed (see /var/log/docker.log)"
      ;;
    dockerd)
      mkdir -p "$ASKELADDEN_STATE"
      step "starting dockerd (log: $log)"
      start_daemon "$log" dockerd
      ;;
  esac
  wait_until 60 "" machine_engine_answers ||
    die "the Docker engine did not answer at unix://$ENGINE_SOCKET within 60 s (dockerd's log: $log, or the service's)"
  ok "Docker engine $(docker -H "unix://$ENGINE_SOCKET" version --format '{{.Server.Version}}') is running"
}
