# The faults half of tests/cluster_test.sh, which sources it (its helpers,
# CAPTURED, CLUSTER_SH and cluster.sh's own our_pids): scripts/cluster.sh
# start as a user meets it off the happy path.
#   interrupts  start in a pseudo-terminal, cut short at several moments:
#               Ctrl-C during the build check, while etcd starts and while the
#               node registers; SIGTERM while the API server starts;
#               local-up-cluster.sh dying while etcd starts. Each exits
#               non-zero with one last line saying so, and leaves the machine
#               as it was before the first start
#   crashes     the cluster's processes killed with -9, some of them, then
#               all: start puts the machine back first and starts afresh, and
#               the final stop leaves it as it was before the first start
#   listeners   only the NodePort is reachable from outside loopback
# shellcheck shell=bash

# The machine as the cluster test found it, before any start of its own.
baseline_sysctls='' baseline_chains='' baseline_dirs=''
take_baseline() {
  baseline_sysctls="$(sysctl_values)" baseline_chains="$(kube_chains)" baseline_dirs="$(host_dirs)"
}

# Every process of the cluster's, running from its directory: the daemons,
# local-up-cluster.sh and what it started, a build.
cluster_processes() {
  local dir
  for dir in /proc/[0-9]*; do
    [[ "${dir#/proc/}" != "$$" ]] || continue
    tr '\0' ' ' 2>/dev/null <"$dir/cmdline" | grep -F -- "$CLUSTER_DIR/" || true
  done
}

# as_before WHAT: the machine is as it was before the first start.
as_before() {
  check_none "$1: no process of the cluster's left" cluster_processes
  check_none "$1: no pod container left" pod_containers
  check_eq "$1: the sysctls as they were" "$baseline_sysctls" "$(sysctl_values)"
  check_eq "$1: no KUBE-* chain that was not there" "$baseline_chains" "$(kube_chains)"
  check_eq "$1: the host directories as they were" "$baseline_dirs" "$(host_dirs)"
}

# --- in a pseudo-terminal -------------------------------------------------------

# script(1) gives start a terminal of its own, whose keyboard is the FIFO
# on descriptor 7: Ctrl-C typed there interrupts start's foreground process
# group, as in a user's shell. start waits for a line ("go") before it runs.
TTY_SCRIPT='' TTY_START=''
terminal_start() {
  rm -f "$CAPTURED/keys" "$CAPTURED/tty"
  mkfifo "$CAPTURED/keys"
  # As from a user's shell, Ctrl-C is not ignored (here it would be: a command
  # run in the background by a script ignores SIGINT, and its children too).
  SHELL=/bin/bash TERM=xterm env --default-signal=INT script -qefc "read -r _ && exec '$CLUSTER_SH' start" /dev/null \
    <"$CAPTURED/keys" >"$CAPTURED/tty" 2>&1 &
  TTY_SCRIPT=$!
  exec 7>"$CAPTURED/keys"
  wait_until 10 "" pgrep -P "$TTY_SCRIPT" || return 1
  TTY_START="$(pgrep -P "$TTY_SCRIPT")"
}
keys() { printf '%b' "$1" >&7; }

# terminal_end: wait for start to end; sets RC, and closes the keyboard.
terminal_end() {
  RC=0
  wait_until 120 "" bash -c "! kill -0 $TTY_SCRIPT" || kill "$TTY_SCRIPT" 2>/dev/null || true
  wait "$TTY_SCRIPT" || RC=$?
  exec 7>&-
}

# What the terminal showed last: start's own closing line.
last_line() { tr -d '\r' <"$CAPTURED/tty" | grep -v '^[[:space:]]*$' | tail -n 1; }
# running_named NAME: a process of the cluster called NAME runs.
running_named() { grep -q "^$1 " <<<"$(our_pids)"; }

# blocked_on_output: start waits in write(2) to its terminal, held there by
# the terminal's stopped output (Ctrl-S). HELD: what it is writing, read from
# its memory (the interrupted write never reaches the terminal).
WRITE_NR=1 HELD=''
case "$(uname -m)" in aarch64 | arm64) WRITE_NR=64 ;; esac
blocked_on_output() {
  local nr fd buf count
  read -r nr fd buf count _ <"/proc/$TTY_START/syscall" && [[ "$nr" == "$WRITE_NR" ]] &&
    [[ "$(readlink "/proc/$TTY_START/fd/$((fd))")" == /dev/pts/* ]] || return 1
  HELD="$(dd if="/proc/$TTY_START/mem" iflag=skip_bytes,count_bytes skip=$((buf)) count=$((count)) 2>/dev/null |
    tr -d '\0')"
}

# interrupted_at WHAT KEYS-BEFORE WAIT-COMMAND...: start; once WAIT-COMMAND
# succeeds, type Ctrl-C.
interrupted_at() {
  local what="$1" first="$2"
  shift 2
  if ! terminal_start; then
    check_fail "Ctrl-C $what: start did not start in a terminal"
    return 1
  fi
  keys "$first"
  if ! wait_until 180 "" "$@"; then
    check_fail "Ctrl-C $what: never came to that moment ($*)" "$(tail -n 3 "$CAPTURED/tty")"
  fi
  keys '\003'
  terminal_end
}

test_interrupts() {
  local pid
  # The build check: the terminal's output stopped (Ctrl-S) holds start at
  # its first line, the build check's.
  interrupted_at "during the build check" '\023go\n' blocked_on_output
  check_eq "Ctrl-C during the build check: exit 130" 130 "$RC"
  check "Ctrl-C during the build check: start was held at the build check's line" \
    grep -qF 'kubernetes: built already' <<<"$HELD"
  check "Ctrl-C during the build check: the last line says nothing had changed" \
    grep -qE 'start interrupted; nothing on the machine had changed$' <(last_line)
  as_before "Ctrl-C during the build check"

  interrupted_at "while etcd starts" 'go\n' running_named etcd
  check_eq "Ctrl-C while etcd starts: exit 130" 130 "$RC"
  check "Ctrl-C while etcd starts: the last line says it stopped what it started and put the machine back" \
    grep -qE 'start interrupted; stopped the [0-9]+ cluster processes it had started and put the machine back$' <(last_line)
  as_before "Ctrl-C while etcd starts"

  interrupted_at "while the node registers" 'go\n' running_named kubelet
  check_eq "Ctrl-C while the node registers: exit 130" 130 "$RC"
  check "Ctrl-C while the node registers: the last line says it put the machine back" \
    grep -qE 'start interrupted; stopped the [0-9]+ cluster processes it had started and put the machine back$' <(last_line)
  as_before "Ctrl-C while the node registers"

  # SIGTERM (a service manager, a CI job's timeout) to start alone.
  if terminal_start; then
    keys 'go\n'
    wait_until 180 "" running_named kube-apiserver || check_fail "SIGTERM: the API server never started"
    kill -TERM "$TTY_START"
    terminal_end
    check_eq "SIGTERM while the API server starts: exit 143" 143 "$RC"
    check "SIGTERM while the API server starts: the last line says it put the machine back" \
      grep -qE 'start terminated; stopped the [0-9]+ cluster processes it had started and put the machine back$' <(last_line)
    as_before "SIGTERM while the API server starts"
  fi

  # A failure: local-up-cluster.sh dies while etcd starts.
  if terminal_start; then
    keys 'go\n'
    wait_until 180 "" running_named etcd || check_fail "a failure: etcd never started"
    pid="$(pgrep -o -f -- "^bash $CLUSTER_DIR/.*/hack/local-up-cluster-askeladden.sh")" || pid=''
    if [[ -n "$pid" ]]; then kill -KILL "$pid"; else check_fail "a failure: no local-up-cluster.sh to kill"; fi
    terminal_end
    check_eq "local-up-cluster.sh killed: start exits 1" 1 "$RC"
    check "local-up-cluster.sh killed: one last line names the failure and says the machine is back" \
      grep -qE 'local-up-cluster.sh failed .*; stopped the [0-9]+ cluster processes it had started and put the machine back$' <(last_line)
    as_before "local-up-cluster.sh killed"
  fi
}

# --- crashes --------------------------------------------------------------------

# crash_then_start WHAT NAMES...: kill -9 the cluster's processes NAMES (all:
# every one), then start again: it puts the machine back first and starts
# afresh, six processes, node Ready.
crash_then_start() {
  local what="$1" name pid
  shift
  while read -r name pid; do
    if [[ "$1" == all || " $* " == *" $name "* ]]; then kill -KILL "$pid"; fi
  done < <(our_pids)
  wait_until 20 "" none_of "$@" || true
  if [[ "$1" == all ]]; then
    check "$what: the crash left KUBE-* chains behind (what start must put back)" \
      test "$(kube_chains)" != "$baseline_chains"
  fi
  capture "$CLUSTER_SH" start
  check_eq "$what, then start: exit 0" 0 "$RC"
  check "$what, then start: it says it puts the machine back first" said "putting the machine back first"
  check "$what, then start: the node is Ready" said "node 127.0.0.1 Ready"
  check_eq "$what, then start: six processes" 6 "$(our_pids | wc -l | tr -d ' ')"
}

# none_of NAMES...: no process of the cluster's called one of NAMES (all: any) runs.
none_of() {
  local name pid
  while read -r name pid; do
    if [[ "$1" == all || " $* " == *" $name "* ]]; then return 1; fi
  done < <(our_pids)
}

test_crashes() {
  crash_then_start "kubelet and kube-proxy killed with -9" kubelet kube-proxy
  crash_then_start "every process killed with -9" all
}

# --- listeners ------------------------------------------------------------------

# listening PIDS...: the TCP addresses these processes listen on, one a line.
listening() {
  local pattern
  pattern="pid=($(paste -sd '|' <<<"$(printf '%s\n' "$@")")),"
  ss -Hltnp | grep -E "$pattern" | awk '{ print $4 }' | sort -u
}
beyond_loopback() { grep -vE '^(127\.[0-9.]+|\[::1\]|\[::ffff:127\.[0-9.]+\]):[0-9]+$' || true; }

test_listeners() {
  local pids=() name pid addrs outside host_ip
  while read -r name pid; do pids+=("$pid"); done < <(our_pids)
  addrs="$(listening "${pids[@]}")"
  outside="$(beyond_loopback <<<"$addrs")"
  check "listeners: the API server listens on 127.0.0.1:6443" grep -qx '127.0.0.1:6443' <<<"$addrs"
  check "listeners: the NodePort 30008 listens beyond loopback" grep -q ':30008$' <<<"$outside"
  check_eq "listeners: nothing but NodePorts beyond loopback" "" \
    "$(awk -F: '!($NF >= 30000 && $NF <= 32767)' <<<"$outside" | paste -sd ' ')"
  host_ip="$(ip -4 -o addr show scope global | awk '{ sub(/\/.*/, "", $4); print $4; exit }')"
  if [[ -z "$host_ip" ]]; then
    check_skip "listeners: from a non-loopback address" "this machine has no global IPv4 address"
    return 0
  fi
  check_eq "listeners: the NodePort answers on $host_ip" "$LINE" "$(curl -s --max-time 5 "http://$host_ip:30008/")"
  check "listeners: the API server does not answer on $host_ip:6443" bash -c "! (exec 3<>/dev/tcp/$host_ip/6443) 2>/dev/null"
}
