# What scripts/cluster.sh start changes on the machine (sysctls, the KUBE-*
# iptables chains, host directories), saved before it changes them, and how
# stop puts it back. Sourced by scripts/cluster.sh, whose variables (RUN,
# SYSCTLS, HOST_DIRS, ...) it uses, and by its test.
# shellcheck shell=bash

# Into $RUN/saving, renamed $RUN/saved once complete: a start cut short while
# saving has changed nothing yet, and a half-written baseline is never taken
# for the machine's.
save_machine_state() {
  local to="$RUN/saving" name
  rm -rf "$to"
  mkdir -p "$to"
  for name in "${SYSCTLS[@]}"; do
    if [[ -r "/proc/sys/${name//.//}" ]]; then printf '%s %s\n' "$name" "$(cat "/proc/sys/${name//.//}")"; fi
  done >"$to/sysctls"
  local tool
  for tool in iptables ip6tables; do
    if have "$tool-save"; then "$tool-save" >"$to/$tool" 2>/dev/null || true; fi
  done
  ls -A /var/log/pods >"$to/pod-logs" 2>/dev/null || true
  ls -A /var/log/containers >"$to/container-logs" 2>/dev/null || true
  find /sys/fs/cgroup -mindepth 1 -maxdepth 2 -name kubepods -type d >"$to/cgroups" 2>/dev/null || true
  local dir
  for dir in "${HOST_DIRS[@]}"; do
    if [[ -e "$dir" ]]; then printf '%s\n' "$dir"; fi
  done >"$to/host-dirs"
  mv "$to" "$RUN/saved"
}

restore_sysctls() {
  [[ -f "$RUN/saved/sysctls" ]] || return 0
  local name value file
  while read -r name value; do
    file="/proc/sys/${name//.//}"
    [[ "$(cat "$file" 2>/dev/null)" == "$value" ]] && continue
    printf '%s\n' "$value" >"$file" 2>/dev/null || warn "could not put $name back to $value"
  done <"$RUN/saved/sysctls"
}

# The iptables-restore commands that remove what the cluster added: rules
# that jump to a KUBE-* chain from a chain that was there, then the new KUBE-*
# chains themselves. Anything else (Docker's rules) is left as it is.
kube_rules_undo() {
  local tool="$1" saved="$2"
  "$tool-save" 2>/dev/null | awk '
    FNR == NR {
      if (/^\*/) t = substr($0, 2)
      else if (/^:/) oldchain[t, substr($1, 2)] = 1
      else if (/^-A /) oldrule[t, $0] = 1
      next
    }
    /^\*/ { table = substr($0, 2); tables[++nt] = table; next }
    /^:KUBE-/ {
      c = substr($1, 2)
      if (!((table, c) in oldchain)) { newchain[table, c] = 1; chains[table] = chains[table] " " c }
      next
    }
    /^-A / && /KUBE-/ && !((table, $0) in oldrule) && !((table, $2) in newchain) {
      dels[table] = dels[table] "-D " substr($0, 4) "\n"
    }
    END {
      for (i = 1; i <= nt; i++) {
        t = tables[i]
        if (dels[t] == "" && chains[t] == "") continue
        printf "*%s\n%s", t, dels[t]
        n = split(chains[t], names, " ")
        for (j = 1; j <= n; j++) printf "-F %s\n", names[j]
        for (j = 1; j <= n; j++) printf "-X %s\n", names[j]
        print "COMMIT"
      }
    }' "$saved" -
}

restore_iptables() {
  local tool undo
  for tool in iptables ip6tables; do
    if [[ ! -f "$RUN/saved/$tool" ]] || ! have "$tool-save"; then continue; fi
    undo="$(kube_rules_undo "$tool" "$RUN/saved/$tool")" || {
      warn "$tool: could not work out which rules the cluster added"
      continue
    }
    [[ -n "$undo" ]] || continue
    "$tool-restore" --noflush <<<"$undo" 2>>"$RUN/logs/stop.log" ||
      warn "$tool: some KUBE-* rules could not be removed (see $RUN/logs/stop.log)"
  done
}

# Left over by the kubelet when it is stopped: its tmpfs mounts (secrets), the
# pods' log directories, the kubepods cgroups.
restore_leftovers() {
  local mnt
  awk -v run="$RUN/" 'index($2, run) == 1 { print $2 }' /proc/mounts | sort -r | while read -r mnt; do
    umount "$mnt" 2>/dev/null || umount -l "$mnt" 2>/dev/null || warn "could not unmount $mnt"
  done
  local dir entry
  for dir in pods containers; do
    local saved="$RUN/saved/${dir%s}-logs"
    [[ -f "$saved" && -d "/var/log/$dir" ]] || continue
    for entry in "/var/log/$dir"/*; do
      [[ -e "$entry" || -L "$entry" ]] || continue
      grep -qxF "$(basename "$entry")" "$saved" || rm -rf "$entry"
    done
  done
  if [[ -f "$RUN/saved/cgroups" ]]; then
    for dir in /sys/fs/cgroup/*/kubepods /sys/fs/cgroup/kubepods; do
      [[ -d "$dir" ]] || continue
      grep -qxF "$dir" "$RUN/saved/cgroups" && continue
      find "$dir" -depth -type d -exec rmdir {} + 2>/dev/null || true
    done
  fi
  if [[ -f "$RUN/saved/host-dirs" ]]; then
    for dir in "${HOST_DIRS[@]}"; do
      [[ -e "$dir" ]] || continue
      grep -qxF "$dir" "$RUN/saved/host-dirs" || rm -rf "$dir"
    done
  fi
}
