#!/usr/bin/env bash
# Usage: tests/images_test.sh [--help] [SNAPSHOT...]
#
# Build each snapshot's image from a clean state (the image removed, no build
# cache; the base images stay) with each builder, BuildKit and the legacy
# one, and check each running container the same way:
#   - GET / answers 200 with the line, /healthz and /readyz answer 200,
#     POST answers 405 with "Allow: GET, HEAD", HEAD has no body
#   - the HTTP behaviour suite of the Check runner passes against it
#     (build/tests/v0.X/check_askeladden with ASKELADDEN_TARGET)
#   - on docker stop the server exits 0 within 2 s (it handles SIGTERM as
#     PID 1), and docker stop returns within 5 s, long before its SIGKILL;
#     started again, it exits 0 on SIGINT too
# and for the slim image of post 2 (v0.2) also:
#   - it runs as a numeric non-root user, with no gcc, cc or make inside
#   - it runs with --read-only --cap-drop ALL (every check above runs so)
#   - after an edit of a .c file, a rebuild takes every step before the
#     compile from the cache (built from a copy, under a throwaway tag):
#     "Using cache" from the legacy builder, "CACHED" from BuildKit
# and that make image picks the builder as its Makefile says: BuildKit for a
# client with buildx or older than 23, the legacy builder (with one line
# saying so) for the others, and what DOCKER_BUILDKIT=0/1 asks for.
#
# The legacy builder builds askeladden:v0.X with the docker on the PATH
# (DOCKER_BUILDKIT=0); BuildKit builds askeladden-images-test:v0.X-buildkit
# with the first client that has it (the docker on the PATH, else
# /usr/bin/docker; skipped, loudly, when none has).
#
# SNAPSHOTs default to v0.1 v0.2. Needs a Docker engine, the base images
# (scripts/base-images.sh) and curl; `make test-images` sets all that up.
# Prints one line per check and closes with "images: N passed, N failed";
# exits 1 on a failure. Containers and throwaway images are removed at exit.
set -euo pipefail
# shellcheck source=common/lib.sh
source "$(dirname "$0")/../common/lib.sh"

# BuildKit's progress as lines, the way a log shows it, even on a terminal.
export BUILDKIT_PROGRESS=plain
BODY='Strange women lying in ponds distributing swords is no basis for a system of government.'
SERVER_EXIT_LIMIT_MS=2000
STOP_LIMIT_MS=5000
SNAPSHOTS=()

for arg in "$@"; do
  case "$arg" in
    -h | --help) print_usage; exit 0 ;;
    -*) usage_error "unknown option '$arg'" ;;
    v0.*) [[ -f "$ASKELADDEN_ROOT/$arg/Dockerfile" ]] || usage_error "no $arg/Dockerfile"; SNAPSHOTS+=("$arg") ;;
    *) usage_error "unknown snapshot '$arg'" ;;
  esac
done
((${#SNAPSHOTS[@]} > 0)) || SNAPSHOTS=(v0.1 v0.2)

# Preflight: nothing is built or removed before these pass.
require_cmd curl make timeout
require_docker
unset DOCKER_BUILDKIT
for base in gcc:12 debian:bookworm-slim; do
  image_exists "$base" ||
    die "base image $base is missing (run: scripts/base-images.sh, or make images)"
done

WORK="$(mktemp -d)"
CONTAINERS=()
THROWAWAY_IMAGES=()
cleanup() {
  local c
  for c in "${CONTAINERS[@]}"; do docker rm -f "$c" >/dev/null 2>&1 || true; done
  for c in "${THROWAWAY_IMAGES[@]}"; do docker rmi "$c" >/dev/null 2>&1 || true; done
  rm -rf "$WORK"
}
trap cleanup EXIT

image_of() { printf 'askeladden:v%s' "$(basename "$(cat "$ASKELADDEN_ROOT/$1/VERSION")" .0)"; }

# http_status URL [CURL-ARGS...]: the status code, the body in $WORK/body and
# the headers in $WORK/headers.
http_status() {
  local url="$1"
  shift
  curl -s --max-time 5 -o "$WORK/body" -D "$WORK/headers" -w '%{http_code}' "$@" "$url" || true
}

header() { sed -n "s/^$1: *//Ip" "$WORK/headers" | tr -d '\r'; }

# A raw HEAD request, so that a body the server wrongly sends is seen: curl
# would not read one.
head_response() {
  # The inner shell expands $1.
  # shellcheck disable=SC2016
  timeout 5 bash -c 'exec 3<>"/dev/tcp/127.0.0.1/$1"
    printf "HEAD / HTTP/1.0\r\nHost: test\r\n\r\n" >&3
    cat <&3' _ "$1"
}

bytes_after_headers() { awk 'BEGIN { RS = "\r\n\r\n" } NR > 1 { n += length($0) } END { print n + 0 }'; }

now_ms() { date +%s%3N; }

# A docker client that builds with BuildKit: one with buildx, or one older
# than 23 (DOCKER_BUILDKIT=1 works there). Empty when there is none.
buildkit_client() {
  local client major
  for client in docker /usr/bin/docker; do
    have "$client" || continue
    if "$client" buildx version >/dev/null 2>&1; then printf '%s\n' "$client"; return; fi
    major="$("$client" version --format '{{.Client.Version}}' 2>/dev/null)"
    major="${major%%.*}"
    if [[ "$major" =~ ^[0-9]+$ ]] && ((major < 23)); then printf '%s\n' "$client"; return; fi
  done
}

# chosen_builder [MAKE-ARGS...]: the builder make image would use, read from
# the docker build command it would run: buildkit or legacy.
chosen_builder() {
  local line
  line="$(make -s -n -C "$ASKELADDEN_ROOT/v0.2" image "$@" | grep -E ' build ' | head -n 1)"
  case "$line" in
    DOCKER_BUILDKIT=1\ *) echo buildkit ;;
    DOCKER_BUILDKIT=0\ * | [!D]*) echo legacy ;;
    *) echo "unknown: $line" ;;
  esac
}

# make image's choice of builder, for each kind of client this machine has.
check_builder_choice() {
  step "make image: which builder"
  local client major
  for client in docker /usr/bin/docker; do
    have "$client" || continue
    major="$("$client" version --format '{{.Client.Version}}' 2>/dev/null)"
    if "$client" buildx version >/dev/null 2>&1; then
      check_eq "$client (client $major, buildx): BuildKit" buildkit "$(chosen_builder DOCKER="$client")"
    elif [[ "${major%%.*}" =~ ^[0-9]+$ ]] && ((${major%%.*} < 23)); then
      check_eq "$client (client $major, no buildx, older than 23): BuildKit under DOCKER_BUILDKIT=1" \
        buildkit "$(chosen_builder DOCKER="$client")"
    else
      check_eq "$client (client $major, no buildx): the legacy builder" legacy "$(chosen_builder DOCKER="$client")"
    fi
    check_eq "$client with DOCKER_BUILDKIT=0: the legacy builder" legacy \
      "$(DOCKER_BUILDKIT=0 chosen_builder DOCKER="$client")"
    check_eq "$client with DOCKER_BUILDKIT=1: BuildKit" buildkit \
      "$(DOCKER_BUILDKIT=1 chosen_builder DOCKER="$client")"
  done
}

# build BUILDER SNAPSHOT-DIR IMAGE LOG [MAKE-ARGS...]: make image with that
# builder, output in LOG.
build() {
  local builder="$1" dir="$2" image="$3" log="$4"
  shift 4
  if [[ "$builder" == legacy ]]; then
    DOCKER_BUILDKIT=0 make --no-print-directory -C "$dir" image IMAGE="$image" "$@" >"$log" 2>&1
  else
    make --no-print-directory -C "$dir" image IMAGE="$image" DOCKER="$BUILDKIT_DOCKER" "$@" >"$log" 2>&1
  fi
}

# The builder's own output says which one ran, and make image's line about the
# legacy builder appears only with it, once.
check_build_output() {
  local snap="$1" builder="$2" log="$3" legacy_lines
  legacy_lines="$(grep -c '^make image: building with the legacy builder' "$log" || true)"
  if [[ "$builder" == legacy ]]; then
    check "$snap ($builder): the legacy builder's steps (Step N/M)" grep -qE '^Step [0-9]+/[0-9]+ : ' "$log"
    check_eq "$snap ($builder): one line says the legacy builder builds" 1 "$legacy_lines"
  else
    check "$snap ($builder): BuildKit's progress (#N [stage i/n])" grep -qE '^#[0-9]+ \[([^]]+ )?[0-9]+/[0-9]+\] ' "$log"
    check_eq "$snap ($builder): no line about the legacy builder" 0 "$legacy_lines"
  fi
}

# steps_of BUILDER LOG: one line per step of the builder stage, in order:
# "cached TEXT" or "built TEXT", TEXT the Dockerfile instruction.
steps_of() {
  if [[ "$1" == legacy ]]; then
    awk '/^Step [0-9]+\/[0-9]+ : / {
           if (step != "") print (cached ? "cached " : "built ") step
           if (/ : FROM / && ++froms == 2) { step = ""; exit }
           step = $0; sub(/^Step [0-9]+\/[0-9]+ : /, "", step); cached = 0; next }
         /^ ---> Using cache$/ { cached = 1 }
         END { if (step != "") print (cached ? "cached " : "built ") step }' "$2"
  else
    # "#7 [builder 3/5] COPY Makefile VERSION ./" names step #7; "#7 CACHED"
    # may come later, after other steps' lines.
    awk 'match($0, /^#[0-9]+ \[builder [0-9]+\/[0-9]+\] /) {
           id = $1; split($3, f, "/"); n = f[1] + 0
           text[n] = substr($0, RLENGTH + 1); of[id] = n; next }
         /^#[0-9]+ CACHED$/ { if ($1 in of) cached[of[$1]] = 1 }
         END { for (i = 1; i in text; i++) print (cached[i] ? "cached " : "built ") text[i] }' "$2"
  fi
}

# The builder stage's cache: after editing a .c file, every step of that
# stage before the first COPY that brings in src/ must say "Using cache", and
# the compile must not (else the edit never reached the build).
check_cache_after_edit() {
  local snap="$1" builder="$2"
  local copy="$WORK/$snap-$builder-edited" log="$WORK/$snap-$builder-edited.log"
  local tag="askeladden-images-test:$snap-$builder-edited-$$"
  rm -rf "$copy"
  cp -r "$ASKELADDEN_ROOT/$snap" "$copy"
  local source_file
  source_file="$(find "$copy/src" -name '*.c' | sort | head -n 1)"
  # A new edit each time: BuildKit keeps the cache of an earlier run's edit.
  printf '/* edited by tests/images_test.sh at %s */\n' "$(date +%s%N)" >>"$source_file"
  THROWAWAY_IMAGES+=("$tag")
  local started=$SECONDS
  if ! build "$builder" "$copy" "$tag" "$log"; then
    check_fail "$snap ($builder): rebuild after a .c edit" "the build failed; $(tail -n 1 "$log")"
    return
  fi
  info "$snap ($builder): rebuilt after editing ${source_file##*/} in $((SECONDS - started)) s"
  if [[ "$builder" == legacy ]]; then
    # The builder stage's result is an untagged image; remove it with the tag.
    local builder_image
    builder_image="$(awk '/^Step [0-9]+\/[0-9]+ : FROM / && ++froms == 2 { exit }
      /^ ---> [0-9a-f]+$/ { id = $2 } END { print id }' "$log")"
    [[ -n "$builder_image" ]] && THROWAWAY_IMAGES+=("$builder_image")
  fi
  steps_of "$builder" "$log" >"$WORK/steps"
  local before=0 uncached=() line compile_cached=""
  while read -r line; do
    case "$line" in
      *" FROM "*) continue ;;
      *"COPY src"* | *"COPY . "*) break ;;
    esac
    before=$((before + 1))
    [[ "$line" == cached* ]] || uncached+=("${line#built }")
  done <"$WORK/steps"
  if ((before == 0)); then
    check_fail "$snap ($builder): steps before the compile come from the cache" "no step before the COPY of src/"
  elif ((${#uncached[@]} > 0)); then
    check_fail "$snap ($builder): steps before the compile come from the cache" "rebuilt: ${uncached[*]}"
  else
    check_pass "$snap ($builder): steps before the compile come from the cache ($before steps)"
  fi
  compile_cached="$(grep -E '^(cached|built) RUN make' "$WORK/steps" | cut -d' ' -f1)"
  check_eq "$snap ($builder): the edited source is compiled again" built "$compile_cached"
}

# test_snapshot SNAPSHOT BUILDER: build it with BUILDER (legacy or buildkit)
# and check the image.
# listened_times CID N: the container's log says N times that it listens.
listened_times() { (($(docker logs "$1" 2>/dev/null | grep -c 'listening on http://') >= $2)); }

# check_signal_as_pid_1 WHAT CID: started again, the stopped container's
# server, PID 1, exits 0 on SIGINT (Ctrl-C in docker run -it) too: a PID 1
# without its own handler would ignore it.
check_signal_as_pid_1() {
  local what="$1" cid="$2" code
  docker start "$cid" >/dev/null
  if ! wait_until 10 "" listened_times "$cid" 2; then
    check_fail "$what: the server starts again for the SIGINT check" "$(docker logs "$cid" 2>&1 | tail -n 2 | tr '\n' ' ')"
    return
  fi
  docker kill -s INT "$cid" >/dev/null
  code="$(timeout 10 docker wait "$cid" || echo "still running 10 s after SIGINT")"
  check_eq "$what: the server exits 0 on SIGINT as PID 1" 0 "$code"
  check "$what: it says SIGINT received" grep -q 'askeladden: SIGINT received' <(docker logs "$cid" 2>&1)
}

test_snapshot() {
  local snap="$1" builder="$2" image what="$1 ($2)"
  image="$(image_of "$snap")"
  [[ "$builder" == legacy ]] || image="askeladden-images-test:$snap-buildkit-$$"
  local slim=0
  [[ "$snap" == v0.1 ]] || slim=1
  step "$what: $image"

  # 1. Build from a clean state.
  docker rmi "$image" >/dev/null 2>&1 || true
  [[ "$builder" == legacy ]] || THROWAWAY_IMAGES+=("$image")
  local log="$WORK/$snap-$builder-build.log" started=$SECONDS
  if ! build "$builder" "$ASKELADDEN_ROOT/$snap" "$image" "$log" IMAGE_BUILD_FLAGS=--no-cache; then
    check_fail "$what: image builds from a clean state" "$(tail -n 3 "$log" | tr '\n' ' ')"
    return
  fi
  local size
  size="$(docker image inspect -f '{{.Size}}' "$image")"
  check_pass "$what: image builds from a clean state ($((SECONDS - started)) s, $(human_bytes "$size"))"
  check_build_output "$snap" "$builder" "$log"

  # 2. Start it: the slim image with every privilege post 2 takes away.
  local run_flags=(-d -p 127.0.0.1::8090)
  ((slim)) && run_flags+=(--read-only --cap-drop ALL)
  local cid port
  if ! cid="$(docker run "${run_flags[@]}" "$image" 2>"$WORK/run.err")"; then
    check_fail "$what: container starts (${run_flags[*]})" "$(cat "$WORK/run.err")"
    return
  fi
  CONTAINERS+=("$cid")
  port="$(docker port "$cid" 8090/tcp | sed -n '1s/.*://p')"
  # The published port accepts connections before the server does: wait for
  # an answer, not for the port.
  if ! wait_until 10 "" curl -sf --max-time 1 "http://127.0.0.1:$port/healthz"; then
    check_fail "$what: answers on 127.0.0.1:$port (${run_flags[*]})" "$(docker logs "$cid" 2>&1 | tail -n 3 | tr '\n' ' ')"
    return
  fi
  check_pass "$what: answers on 127.0.0.1:$port (${run_flags[*]})"

  # 3. The HTTP behaviour.
  local url="http://127.0.0.1:$port"
  check_eq "$what: GET / is 200" 200 "$(http_status "$url/")"
  check_eq "$what: GET / body is the line" "$BODY" "$(cat "$WORK/body")"
  check_eq "$what: GET / body ends in one newline" "$(printf '%s\n' "$BODY" | wc -c)" "$(wc -c <"$WORK/body")"
  check_eq "$what: GET /healthz is 200" 200 "$(http_status "$url/healthz")"
  check_eq "$what: GET /readyz is 200" 200 "$(http_status "$url/readyz")"
  check_eq "$what: POST / is 405" 405 "$(http_status "$url/" -X POST -d x)"
  check_eq "$what: POST / says Allow: GET, HEAD" "GET, HEAD" "$(header Allow)"
  local head
  head="$(head_response "$port" || true)"
  check_eq "$what: HEAD / is 200" "200" "$(printf '%s' "$head" | sed -n '1s/^HTTP\/1\.[01] \([0-9]*\).*/\1/p')"
  check_eq "$what: HEAD / has no body" 0 "$(printf '%s' "$head" | bytes_after_headers)"

  local runner="$ASKELADDEN_ROOT/build/tests/$snap/check_askeladden"
  if [[ -x "$runner" ]]; then
    if ASKELADDEN_TARGET="127.0.0.1:$port" "$runner" >"$WORK/$snap-$builder-check.log" 2>&1; then
      check_pass "$what: the Check HTTP suite passes against the container ($(grep -o 'Checks: [0-9]*' "$WORK/$snap-$builder-check.log" | head -n 1))"
    else
      check_fail "$what: the Check HTTP suite passes against the container" "$(grep -E 'Checks:|:F:|:E:' "$WORK/$snap-$builder-check.log" | head -n 5 | tr '\n' ' ')"
    fi
  else
    check_skip "$what: the Check HTTP suite against the container" "no $runner (make build/tests/$snap/check_askeladden)"
  fi

  # 4. Post 2's hardening.
  if ((slim)); then
    local user
    user="$(docker image inspect -f '{{.Config.User}}' "$image")"
    if [[ "$user" =~ ^[0-9]+(:[0-9]+)?$ && "${user%%:*}" != 0 ]]; then
      check_pass "$what: runs as numeric non-root user $user"
    else
      check_fail "$what: runs as a numeric non-root user" "USER is '$user'"
    fi
    check_eq "$what: no gcc, cc or make inside" "" \
      "$(docker run --rm --entrypoint sh "$image" -c 'for c in gcc cc make; do command -v "$c"; done' 2>&1 || true)"
  fi

  # 5. docker stop: SIGTERM reaches the server as PID 1 and it exits 0 at
  # once. The server's exit is timed by the engine's FinishedAt; docker stop
  # itself also waits for the engine to tear down the container's network and
  # cgroups (0.5-2 s on this Docker 20.10), so its limit only has to show
  # that no SIGKILL was needed after the 10 s grace period.
  local t0 t1 finished exited_ms
  t0="$(now_ms)"
  docker stop "$cid" >/dev/null
  t1="$(now_ms)"
  finished="$(docker inspect -f '{{.State.FinishedAt}}' "$cid")"
  exited_ms=$(($(date -d "$finished" +%s%3N) - t0))
  if ((exited_ms < SERVER_EXIT_LIMIT_MS)); then
    check_pass "$what: the server exits $exited_ms ms after docker stop (< $SERVER_EXIT_LIMIT_MS)"
  else
    check_fail "$what: the server exits within $SERVER_EXIT_LIMIT_MS ms of docker stop" "took $exited_ms ms"
  fi
  if (((t1 - t0) < STOP_LIMIT_MS)); then
    check_pass "$what: docker stop returns in $((t1 - t0)) ms (< $STOP_LIMIT_MS)"
  else
    check_fail "$what: docker stop returns in under $STOP_LIMIT_MS ms" "took $((t1 - t0)) ms"
  fi
  check_eq "$what: the server exits 0 on SIGTERM" 0 "$(docker inspect -f '{{.State.ExitCode}}' "$cid")"
  check_signal_as_pid_1 "$what" "$cid"

  ((slim)) && check_cache_after_edit "$snap" "$builder"
  return 0
}

check_builder_choice
BUILDKIT_DOCKER="$(buildkit_client)"
for snap in "${SNAPSHOTS[@]}"; do
  if [[ -n "$BUILDKIT_DOCKER" ]]; then
    test_snapshot "$snap" buildkit
  else
    check_skip "$snap (buildkit)" "no docker client here builds with BuildKit (no buildx, none older than 23)"
  fi
  test_snapshot "$snap" legacy
done
checks_summary images
