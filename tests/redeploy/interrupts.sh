# Ctrl-C during scripts/redeploy.sh, typed in a pseudo-terminal (script(1))
# as a user types it: while it waits for the lock, just before the apply,
# and during the rollout. Sourced by tests/redeploy_test.sh, whose fixtures
# (CAPTURED, REDEPLOY, THROWAWAY, TEST_REGISTRY, ...) and cluster helpers
# (kubectl, good_image, deployed_image, ...) it uses.
# shellcheck shell=bash
# shellcheck disable=SC2154,SC2016

# in_terminal NAME COMMAND...: run COMMAND in a pseudo-terminal of its own,
# in the background; what it shows goes to $CAPTURED/NAME.tty, and its
# keyboard is file descriptor 7 (press_ctrl_c). Sets TERMINAL_PID. A
# command started in the background (&) by a script inherits SIGINT
# ignored, which no shell can undo: perl gives it back its default, as a
# terminal's shell would have it.
in_terminal() {
  local name="$1"
  shift
  rm -f "$CAPTURED/$name.keys"
  mkfifo "$CAPTURED/$name.keys"
  SHELL=/bin/bash script -qfec "$(printf '%q ' perl -e '$SIG{INT} = $SIG{QUIT} = "DEFAULT"; exec @ARGV or die "$ARGV[0]: $!\n"' \
    env -u REGISTRY NO_COLOR=1 "$@")" /dev/null \
    <"$CAPTURED/$name.keys" >"$CAPTURED/$name.tty" 2>&1 &
  TERMINAL_PID=$!
  exec 7>"$CAPTURED/$name.keys"
  TERMINAL="$CAPTURED/$name.tty"
}
shows() { tr -d '\r' <"$TERMINAL" | grep -qF -- "$1"; }
press_ctrl_c() { printf '\003' >&7; PRESSED=$(date +%s%N); }
ended() { ! kill -0 "$TERMINAL_PID" 2>/dev/null; }
# terminal_closed SECONDS: wait that long at most for the command to end;
# sets RC (its exit status, 124 if it did not end) and AFTER_PRESS (the
# milliseconds from the Ctrl-C to its end).
terminal_closed() {
  RC=0
  if wait_until "$1" "" ended; then
    AFTER_PRESS=$((($(date +%s%N) - PRESSED) / 1000000))
    wait "$TERMINAL_PID" || RC=$?
  else
    RC=124 AFTER_PRESS=-1
    kill "$TERMINAL_PID" 2>/dev/null || true
    wait "$TERMINAL_PID" 2>/dev/null || true
  fi
  exec 7>&-
}
# interrupted_line: the one line redeploy.sh ends with after a Ctrl-C.
interrupted_line() { tr -d '\r' <"$TERMINAL" | grep -F 'redeploy.sh: interrupted: ' | tail -n 1; }

# Another run holds the lock; Ctrl-C while this one waits for it.
test_interrupt_waiting_for_lock() {
  local tags
  tags="$(tags_of "$TEST_REGISTRY")"
  mkdir -p "$(dirname "$(lock_file redeploy)")"
  exec 6>>"$(lock_file redeploy)"
  flock 6
  printf '%s\n' "$$" >"$(lock_file redeploy)"
  in_terminal lock "$REDEPLOY" --render --image "$THROWAWAY" --registry "$TEST_REGISTRY"
  if ! wait_until 20 "" shows "waiting for another redeploy run"; then
    check_fail "Ctrl-C waiting for the lock: redeploy.sh never said it waits" "$(tr -d '\r' <"$TERMINAL" | tail -n 3)"
  fi
  press_ctrl_c
  terminal_closed 30
  exec 6>&-
  check_eq "Ctrl-C waiting for the lock: exits 130 while the lock is still held ($AFTER_PRESS ms after the Ctrl-C)" 130 "$RC"
  check_eq "Ctrl-C waiting for the lock: one line, nothing applied" \
    "redeploy.sh: interrupted: nothing was applied to the cluster" "$(interrupted_line)"
  check_eq "Ctrl-C waiting for the lock: nothing pushed" "$tags" "$(tags_of "$TEST_REGISTRY")"
}

# The last moment before the pin: kubectl apply, held by the fault kubectl
# (fail_fast.sh) until the Ctrl-C ends it.
test_interrupt_before_apply() {
  local generation
  generation="$(deployment_field .metadata.generation)"
  rm -f "$CAPTURED/held"
  in_terminal hold FAULT=hold KUBECTL="$FAULT_KUBECTL" "$REDEPLOY" --no-build
  if ! wait_until 120 "" test -e "$CAPTURED/held"; then
    check_fail "Ctrl-C before the apply: redeploy.sh never reached kubectl apply" "$(tr -d '\r' <"$TERMINAL" | tail -n 3)"
  fi
  press_ctrl_c
  terminal_closed 30
  check_eq "Ctrl-C before the apply: exits 130 ($AFTER_PRESS ms after the Ctrl-C)" 130 "$RC"
  check "Ctrl-C before the apply: one line, the Deployment not changed" \
    grep -qE '^redeploy\.sh: interrupted: the Deployment was not changed \(revision [0-9]+\); localhost:32000/askeladden:slim was not moved$' <<<"$(interrupted_line)"
  check_eq "Ctrl-C before the apply: the Deployment's generation is the same" "$generation" "$(deployment_field .metadata.generation)"
  check_eq "Ctrl-C before the apply: and so is its image" "$GOOD_IMAGE" "$(deployed_image)"
}

# During the rollout of an image whose pods never get ready (and do not fail
# fast): Ctrl-C rolls back at once, instead of after the progress deadline.
test_interrupt_during_rollout() {
  local slims json="$CAPTURED/rollout.json"
  slims="$(post_tags)"
  in_terminal rollout bash -c '"$@" >"$0"' "$json" "$REDEPLOY" --json --image "$SLEEPER" --registry "$TEST_REGISTRY"
  if ! wait_until 120 "" shows "[6/7] waiting for the rollout"; then
    check_fail "Ctrl-C during the rollout: redeploy.sh never began to wait" "$(tr -d '\r' <"$TERMINAL" | tail -n 3)"
  fi
  press_ctrl_c
  terminal_closed 30
  # Before, it waited out the Deployment's 120 s progress deadline.
  check_eq "Ctrl-C during the rollout: exits 130 within 30 s ($AFTER_PRESS ms after the Ctrl-C)" 130 "$RC"
  check "Ctrl-C during the rollout: after it had applied the new image" \
    jq -e --arg p "$TEST_REGISTRY/askeladden@" '(.image | startswith($p)) and .revision_before != null' "$json"
  check "Ctrl-C during the rollout: one line: rolled back, :slim not moved" \
    grep -qE '^redeploy\.sh: interrupted: rolled back to the pods of revision [0-9]+ \(watch: .+ rollout status deployment/deployment-askeladden-dev\); [0-9.]+:[0-9]+/askeladden:slim was not moved$' <<<"$(interrupted_line)"
  check_eq "Ctrl-C during the rollout: --json: rolled back, exit 130" "true 130" "$(jq -r '"\(.rolled_back) \(.exit)"' "$json")"
  check_eq "Ctrl-C during the rollout: the Deployment names the good image again" "$GOOD_IMAGE" "$(deployed_image)"
  check "Ctrl-C during the rollout: and rolls back to it" "${kubectl[@]}" -n askeladden-dev rollout status deployment/deployment-askeladden-dev --timeout=120s
  check "Ctrl-C during the rollout: the old pods still serve" curl -fsS --max-time 5 -o /dev/null http://127.0.0.1:30008/
  check_eq "Ctrl-C during the rollout: :slim was not moved" "$slims" "$(post_tags)"
}
