# The posts' illustrative blocks: output from a cluster, which cannot be
# captured here. Every line in them must be one that could really be
# printed: a line of our scripts matches one of that script's messages (and
# for steps redeploy.sh also runs without a cluster, what --render really
# prints), a line of the post's `requests` loop one of its two formats, and
# kubectl's lines follow its formats (microk8s $MICROK8S_RELEASE) with the manifests' names.
# Sourced by tests/docs_test.sh.
# shellcheck shell=bash
# $work (the scratch directory), pass and fail come from the driver; the
# single-quoted shell text is what a post must contain, not to expand.
# shellcheck disable=SC2154,SC2016

# The manifests' names and values, read once.
manifest_value() { yq -r "$1" "$ASKELADDEN_ROOT"/v0.2/k8s/*.yaml | grep -v '^null$' | head -n 1; }
load_manifest_values() {
  NS="$(manifest_value 'select(.kind == "Namespace") | .metadata.name')"
  SVC="$(manifest_value 'select(.kind == "Service") | .metadata.name')"
  DEP="$(manifest_value 'select(.kind == "Deployment") | .metadata.name')"
  CAUSE="$(manifest_value 'select(.kind == "Deployment") | .metadata.annotations["kubernetes.io/change-cause"]')"
  IMAGE_V01="$(yq -r 'select(.kind == "Deployment") | .spec.template.spec.containers[0].image' \
    "$ASKELADDEN_ROOT/v0.1/k8s/deployment.yaml")"
  IMAGE_V02="$(manifest_value 'select(.kind == "Deployment") | .spec.template.spec.containers[0].image')"
}

# The messages a script prints with lib.sh's helpers, one extended regex a
# line: literal text kept, every $VAR, ${...} and $(...) any text.
script_formats() {
  local script="$1" name
  name="$(basename "$script")"
  perl -ne '
    BEGIN { $name = shift }
    sub ere_quote { my $s = shift; $s =~ s/([][\\.^\$*+?(){}|])/\\$1/g; $s }
    next if /^\s*progress\(\)/;  # the helper itself: "[$1/$LAST_STEP] $2"
    while (/\b(progress [0-9]+|step|info|ok|warn|die) "((?:[^"\\]|\\.)*)"/g) {
      my ($fn, $msg) = ($1, $2);
      my $re = join "", map { /^\$/ ? ".+" : ere_quote($_) } split /(\$\{[^}]*\}|\$\([^)]*\)|\$[A-Za-z_0-9]+)/, $msg;
      next if $re eq ".+";
      my %prefix = (step => "==> ", info => "    ", ok => "ok  ",
                    warn => "$name: warning: ", die => "$name: error: ");
      my $p = $fn =~ /^progress ([0-9]+)/ ? "==> \\[$1/[0-9]+\\] " : $prefix{$fn};
      print "^", $p, $re, "\$\n";
    }' "$name" "$script"
}

# kubectl's own lines (microk8s $MICROK8S_RELEASE), as the posts' commands print them.
kubectl_formats() {
  local hash='[bcdfghjklmnpqrstvwxz2456789]' age='[0-9]+[smhd]'
  cat <<EOF
^(namespace/$NS|service/$SVC|deployment\.apps/$DEP) (created|unchanged|configured)$
^Warning: would violate PodSecurity "restricted:latest": .+$
^namespace "$NS" deleted$
^pod/[a-z0-9-]+ created$
^pod "[a-z0-9-]+" deleted$
^[a-z0-9-]+ +0/1 +CreateContainerConfigError +0 +$age$
^container has runAsNonRoot and image will run as root( \(pod: "[a-z0-9-]+_${NS}\([0-9a-f-]{36}\)", container: [a-z0-9-]+\))?$
^NAME +STATUS +ROLES +AGE +VERSION$
^[a-z0-9-]+ +Ready +<none> +$age +v${MICROK8S_RELEASE//./\\.}\.[0-9]+$
^NAME +READY +STATUS +RESTARTS +AGE$
^$DEP-$hash{8,10}-$hash{5} +[0-9]/[0-9] +(Pending|ContainerCreating|Running|Terminating|Completed) +[0-9]+ +$age$
^NAME +READY +UP-TO-DATE +AVAILABLE +AGE$
^$DEP +[0-9]/[0-9] +[0-9]+ +[0-9]+ +$age$
^Waiting for deployment "$DEP" rollout to finish: [0-9]+ out of [0-9]+ new replicas have been updated\.\.\.$
^Waiting for deployment "$DEP" rollout to finish: [0-9]+ old replicas are pending termination\.\.\.$
^Waiting for deployment "$DEP" rollout to finish: [0-9]+ of [0-9]+ updated replicas are available\.\.\.$
^deployment "$DEP" successfully rolled out$
^deployment\.apps/$DEP $
^REVISION  CHANGE-CAUSE$
^    Image:          (${IMAGE_V01//./\\.}|${IMAGE_V02//./\\.}|localhost:32000/askeladden@sha256:[0-9a-f]{64})$
^    Image ID:       localhost:32000/askeladden@sha256:[0-9a-f]{64}$
EOF
}

# The post's own `requests` loop: the two lines its echo commands print.
requests_formats() {
  printf '%s\n' '^request [0-9]+: GET / [0-9]{3}, GET /readyz [0-9]{3}$' \
    '^[0-9]+ requests: [0-9]+ answered 200, [0-9]+ failed$'
}

# Those formats are the function's own, where a post shows its output.
check_requests_function() {
  local file="$1"
  grep -q '^\$ requests ' "$file" || return 0
  if grep -qF 'echo "request $((ok + failed)): GET / $code, GET /readyz $ready"' "$file" &&
    grep -qF 'echo "$((ok + failed)) requests: $ok answered 200, $failed failed"' "$file"; then
    pass "$file: the requests loop prints the two kinds of line its output shows"
  else fail "$file: the requests loop no longer prints the lines its output shows"; fi
}

# What redeploy.sh --render really prints on stderr, masked, once a run.
render_lines() {
  if [[ ! -f "$work/render.masked" ]]; then
    "$ASKELADDEN_ROOT/scripts/redeploy.sh" --render v0.2 2>&1 >"$work/render.out" |
      mask >"$work/render.masked" || true
    grep -oE "change-cause: ('[^']*'|\"[^\"]*\")" "$work/render.out" | sed -E 's/^change-cause: .//; s/.$//' |
      mask >"$work/render.cause"
  fi
  cat "$work/render.masked"
}

# Lines of redeploy.sh's steps 1 to 4 that --render prints the same.
check_against_render() {
  local file="$1" line="$2" want
  [[ "$line" =~ ^==\>\ \[([1-4])/7\]|^\ \ \ \ localhost:32000/askeladden@ ]] || return 0
  want="$(sed -E "s#^==> \[([1-4])/7\]#==> [\1/4]#; s#, cluster via '[^']*'##" <<<"$line" | mask)"
  if render_lines | grep -qxF -- "$want"; then pass "$file: '$line' is what redeploy.sh --render prints"
  else fail "$file: redeploy.sh --render prints no line like '$line'"; fi
}

check_history_line() {
  local file="$1" cause="$2"
  if [[ "$cause" == "$CAUSE" ]] || [[ "$(mask <<<"$cause")" == "$(render_lines >/dev/null; cat "$work/render.cause")" ]]; then
    pass "$file: change cause '$cause' is the manifest's or redeploy.sh's"
  else fail "$file: change cause '$cause' is neither the manifest's nor the one redeploy.sh writes"; fi
}

# The lines of a `kubectl get pods -w` block, as Kubernetes 1.27 and later
# print them: each pod moves forward only (Pending, ContainerCreating,
# Running, Terminating, Completed) and its age never goes back; a pod that
# was deleted and whose server exits 0 ends in phase Succeeded, shown as
# Completed with no container ready, not as a last Terminating.
check_watch_lines() {
  local file="$1" problems
  shift
  problems="$(printf '%s\n' "$@" | awk '
    function seconds(a) {
      n = a + 0; u = substr(a, length(a))
      return n * (u == "m" ? 60 : u == "h" ? 3600 : u == "d" ? 86400 : 1)
    }
    BEGIN { rank["Pending"] = 0; rank["ContainerCreating"] = 1; rank["Running"] = 2
            rank["Terminating"] = 3; rank["Completed"] = 4 }
    $1 == "NAME" { next }
    {
      pod = $1; st = $3; age = seconds($5)
      if (!(st in rank)) { print pod ": status " st; next }
      if (pod in last && rank[st] < rank[last[pod]]) print pod ": " st " after " last[pod]
      if (pod in aged && age < aged[pod]) print pod ": age " $5 " after an older one"
      if (st == "Completed" && $2 !~ /^0\//) print pod ": Completed with " $2 " ready"
      last[pod] = st; aged[pod] = age
    }
    END { for (pod in last) if (last[pod] == "Terminating") print pod ": ends Terminating, not Completed" }')"
  if [[ -z "$problems" ]]; then
    pass "$file: the watch lines follow each pod forward to Completed, as Kubernetes 1.27+ prints them"
  else fail "$file: the watch lines are not what Kubernetes 1.27+ prints" "$(tr '\n' ';' <<<"$problems")"; fi
}

# Check one output line of command $2; the formats are in $work/formats.*.
check_illustrative_line() {
  local file="$1" cmd="$2" line="$3" kind
  case "$cmd" in
    scripts/*) kind="script.$(basename "${cmd%% *}")" ;;
    mk\ * | microk8s\ kubectl\ *) kind=kubectl ;;
    requests\ *) kind=requests ;;
    *) return 0 ;; # docker's and curl's output: not ours to check here
  esac
  if [[ "$line" =~ ^[0-9]+\ +(.+)$ && "$cmd" == *"rollout history"* ]]; then
    check_history_line "$file" "${BASH_REMATCH[1]}"
    return
  fi
  if grep -qEf "$work/formats.$kind" <<<"$line" ||
    { [[ "$kind" == script.* ]] && grep -qEf "$work/formats.kubectl" <<<"${line#    }"; }; then
    pass "$file: '${line:0:70}' can be printed by ${cmd%% *}"
    if [[ "$kind" == script.redeploy.sh ]]; then check_against_render "$file" "$line"; fi
  else
    fail "$file: '$line' is not a line ${cmd%% *} prints"
  fi
}

check_illustrative() {
  local file="$1" line cmd="" inside=0 armed=0 blocks=0 script
  load_manifest_values
  kubectl_formats >"$work/formats.kubectl"
  requests_formats >"$work/formats.requests"
  check_requests_function "$file"
  for script in "$ASKELADDEN_ROOT"/scripts/*.sh; do
    script_formats "$script" >"$work/formats.script.$(basename "$script")"
  done
  local -a lines watch=()
  mapfile -t lines <"$file"
  for line in "${lines[@]}"; do
    if [[ "$line" == '<!-- illustrative -->' ]]; then armed=1; continue; fi
    if ((armed)) && [[ "$line" == '```console' ]]; then inside=1 armed=0 blocks=$((blocks + 1)); continue; fi
    [[ -z "$line" ]] || armed=0
    ((inside)) || continue
    if [[ "$line" == '```' || "$line" == '$ '* ]] && ((${#watch[@]} > 0)); then
      check_watch_lines "$file" "${watch[@]}"
      watch=()
    fi
    if [[ "$line" == '```' ]]; then inside=0 cmd=""; continue; fi
    if [[ "$line" == '$ '* ]]; then cmd="${line#\$ }"; continue; fi
    check_illustrative_line "$file" "$cmd" "$line"
    if [[ "$cmd" =~ get\ pods.*\ -w ]]; then watch+=("$line"); fi
  done
  if ((blocks > 0)) && ! grep -qi 'illustrative' <(prose "$file"); then
    fail "$file has illustrative blocks but never says so in words"
  fi
}
