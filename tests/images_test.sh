#!/usr/bin/env bash
# Usage: tests/images_test.sh [--help] [SNAPSHOT...]
#
# Build each snapshot's image from a clean state (the image removed, no build
# cache; the base images stay) and check the running container:
#   - GET / answers 200 with the line, /healthz and /readyz answer 200,
#     POST answers 405 with "Allow: GET, HEAD", HEAD has no body
#   - the HTTP behaviour suite of the Check runner passes against it
#     (build/tests/v0.X/check_askeladden with ASKELADDEN_TARGET)
#   - on docker stop the server exits 0 within 2 s (it handles SIGTERM as
#     PID 1), and docker stop returns within 5 s, long before its SIGKILL
# and for the slim image of post 2 (v0.2) also:
#   - it runs as a numeric non-root user, with no gcc, cc or make inside
#   - it runs with --read-only --cap-drop ALL (every check above runs so)
#   - after an edit of a .c file, a rebuild takes every step before the
#     compile from the cache (built from a copy, under a throwaway tag)
#
# SNAPSHOTs default to v0.1 v0.2. Needs a Docker engine, the base images
# (scripts/base-images.sh) and curl; `make test-images` sets all that up.
# Prints one line per check and closes with "images: N passed, N failed";
# exits 1 on a failure. Containers and throwaway images are removed at exit.
set -euo pipefail
# shellcheck source=common/lib.sh
source "$(dirname "$0")/../common/lib.sh"

# The cache check reads the classic builder's "Step N/M" and "Using cache"
# lines; BuildKit prints its progress differently.
export DOCKER_BUILDKIT=0
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

# build SNAPSHOT-DIR IMAGE LOG [MAKE-ARGS...]: make image, output in LOG.
build() {
  local dir="$1" image="$2" log="$3"
  shift 3
  make --no-print-directory -C "$dir" image IMAGE="$image" "$@" >"$log" 2>&1
}

# The builder stage's cache: after editing a .c file, every step of that
# stage before the first COPY that brings in src/ must say "Using cache", and
# the compile must not (else the edit never reached the build).
check_cache_after_edit() {
  local snap="$1"
  local copy="$WORK/$snap-edited" log="$WORK/$snap-edited.log"
  local tag="askeladden-images-test:$snap-edited-$$"
  cp -r "$ASKELADDEN_ROOT/$snap" "$copy"
  local source_file
  source_file="$(find "$copy/src" -name '*.c' | sort | head -n 1)"
  printf '/* edited by tests/images_test.sh */\n' >>"$source_file"
  THROWAWAY_IMAGES+=("$tag")
  local started=$SECONDS
  if ! build "$copy" "$tag" "$log"; then
    check_fail "$snap: rebuild after a .c edit" "the build failed; $(tail -n 1 "$log")"
    return
  fi
  info "$snap: rebuilt after editing ${source_file##*/} in $((SECONDS - started)) s"
  # The builder stage's result is an untagged image; remove it with the tag.
  local builder_image
  builder_image="$(awk '/^Step [0-9]+\/[0-9]+ : FROM / && ++froms == 2 { exit }
    /^ ---> [0-9a-f]+$/ { id = $2 } END { print id }' "$log")"
  [[ -n "$builder_image" ]] && THROWAWAY_IMAGES+=("$builder_image")
  # One line per step of the builder stage: "cached TEXT" or "built TEXT".
  awk '/^Step [0-9]+\/[0-9]+ : / {
         if (step != "") print (cached ? "cached " : "built ") step
         if (/ : FROM / && ++froms == 2) { step = ""; exit }
         step = $0; sub(/^Step [0-9]+\/[0-9]+ : /, "", step); cached = 0; next }
       /^ ---> Using cache$/ { cached = 1 }
       END { if (step != "") print (cached ? "cached " : "built ") step }' "$log" >"$WORK/steps"
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
    check_fail "$snap: steps before the compile come from the cache" "no step before the COPY of src/"
  elif ((${#uncached[@]} > 0)); then
    check_fail "$snap: steps before the compile come from the cache" "rebuilt: ${uncached[*]}"
  else
    check_pass "$snap: steps before the compile come from the cache ($before steps)"
  fi
  compile_cached="$(grep -E '^(cached|built) RUN make' "$WORK/steps" | cut -d' ' -f1)"
  check_eq "$snap: the edited source is compiled again" built "$compile_cached"
}

test_snapshot() {
  local snap="$1" image
  image="$(image_of "$snap")"
  local slim=0
  [[ "$snap" == v0.1 ]] || slim=1
  step "$snap: $image"

  # 1. Build from a clean state.
  docker rmi "$image" >/dev/null 2>&1 || true
  local log="$WORK/$snap-build.log" started=$SECONDS
  if ! build "$ASKELADDEN_ROOT/$snap" "$image" "$log" IMAGE_BUILD_FLAGS=--no-cache; then
    check_fail "$snap: image builds from a clean state" "$(tail -n 3 "$log" | tr '\n' ' ')"
    return
  fi
  local size
  size="$(docker image inspect -f '{{.Size}}' "$image")"
  check_pass "$snap: image builds from a clean state ($((SECONDS - started)) s, $(human_bytes "$size"))"

  # 2. Start it: the slim image with every privilege post 2 takes away.
  local run_flags=(-d -p 127.0.0.1::8090)
  ((slim)) && run_flags+=(--read-only --cap-drop ALL)
  local cid port
  if ! cid="$(docker run "${run_flags[@]}" "$image" 2>"$WORK/run.err")"; then
    check_fail "$snap: container starts (${run_flags[*]})" "$(cat "$WORK/run.err")"
    return
  fi
  CONTAINERS+=("$cid")
  port="$(docker port "$cid" 8090/tcp | sed -n '1s/.*://p')"
  # The published port accepts connections before the server does: wait for
  # an answer, not for the port.
  if ! wait_until 10 "" curl -sf --max-time 1 "http://127.0.0.1:$port/healthz"; then
    check_fail "$snap: answers on 127.0.0.1:$port (${run_flags[*]})" "$(docker logs "$cid" 2>&1 | tail -n 3 | tr '\n' ' ')"
    return
  fi
  check_pass "$snap: answers on 127.0.0.1:$port (${run_flags[*]})"

  # 3. The HTTP behaviour.
  local url="http://127.0.0.1:$port"
  check_eq "$snap: GET / is 200" 200 "$(http_status "$url/")"
  check_eq "$snap: GET / body is the line" "$BODY" "$(cat "$WORK/body")"
  check_eq "$snap: GET / body ends in one newline" "$(printf '%s\n' "$BODY" | wc -c)" "$(wc -c <"$WORK/body")"
  check_eq "$snap: GET /healthz is 200" 200 "$(http_status "$url/healthz")"
  check_eq "$snap: GET /readyz is 200" 200 "$(http_status "$url/readyz")"
  check_eq "$snap: POST / is 405" 405 "$(http_status "$url/" -X POST -d x)"
  check_eq "$snap: POST / says Allow: GET, HEAD" "GET, HEAD" "$(header Allow)"
  local head
  head="$(head_response "$port" || true)"
  check_eq "$snap: HEAD / is 200" "200" "$(printf '%s' "$head" | sed -n '1s/^HTTP\/1\.[01] \([0-9]*\).*/\1/p')"
  check_eq "$snap: HEAD / has no body" 0 "$(printf '%s' "$head" | bytes_after_headers)"

  local runner="$ASKELADDEN_ROOT/build/tests/$snap/check_askeladden"
  if [[ -x "$runner" ]]; then
    if ASKELADDEN_TARGET="127.0.0.1:$port" "$runner" >"$WORK/$snap-check.log" 2>&1; then
      check_pass "$snap: the Check HTTP suite passes against the container ($(grep -o 'Checks: [0-9]*' "$WORK/$snap-check.log" | head -n 1))"
    else
      check_fail "$snap: the Check HTTP suite passes against the container" "$(grep -E 'Checks:|:F:|:E:' "$WORK/$snap-check.log" | head -n 5 | tr '\n' ' ')"
    fi
  else
    check_skip "$snap: the Check HTTP suite against the container" "no $runner (make build/tests/$snap/check_askeladden)"
  fi

  # 4. Post 2's hardening.
  if ((slim)); then
    local user
    user="$(docker image inspect -f '{{.Config.User}}' "$image")"
    if [[ "$user" =~ ^[0-9]+(:[0-9]+)?$ && "${user%%:*}" != 0 ]]; then
      check_pass "$snap: runs as numeric non-root user $user"
    else
      check_fail "$snap: runs as a numeric non-root user" "USER is '$user'"
    fi
    check_eq "$snap: no gcc, cc or make inside" "" \
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
    check_pass "$snap: the server exits $exited_ms ms after docker stop (< $SERVER_EXIT_LIMIT_MS)"
  else
    check_fail "$snap: the server exits within $SERVER_EXIT_LIMIT_MS ms of docker stop" "took $exited_ms ms"
  fi
  if (((t1 - t0) < STOP_LIMIT_MS)); then
    check_pass "$snap: docker stop returns in $((t1 - t0)) ms (< $STOP_LIMIT_MS)"
  else
    check_fail "$snap: docker stop returns in under $STOP_LIMIT_MS ms" "took $((t1 - t0)) ms"
  fi
  check_eq "$snap: the server exits 0 on SIGTERM" 0 "$(docker inspect -f '{{.State.ExitCode}}' "$cid")"

  ((slim)) && check_cache_after_edit "$snap"
  return 0
}

for snap in "${SNAPSHOTS[@]}"; do
  test_snapshot "$snap"
done
checks_summary images
