# Copyright Portcullis contributors. SPDX-License-Identifier: Apache-2.0
#
# host-deny.sh cases for scripts.test.sh, on a hosts.deny file in the test's temp dir.
# Sourced after helpers.sh, never run.
#
# shellcheck shell=bash

DENY=$TMP/hosts.deny
hd() { hd_at "$DENY" "$@"; }
hd_at() { timeout 20 env PORTCULLIS_HOSTS_DENY="$1" "$HD" "${@:2}"; }
hd_json() { timeout 20 env PORTCULLIS_HOSTS_DENY="$DENY" PORTCULLIS_AR_JSON_PARSER="$1" "$HD"; }
lines() { grep -cxF -- "$1" "$DENY"; }
probe_hd() { hd check - "$ATT4"; }

hostdeny_suite() {
  echo "== host-deny.sh"
  local orig ip pids=() i rcs='' want='' lockfd parser
  # Hand-written content, a near miss of our line, and no newline at the end.
  printf '# by hand\nALL: 10.250.0.20\nsshd: 10.250.0.2\nALL: 192.0.2.50' >"$DENY"
  chmod 640 "$DENY"
  orig=$(cat "$DENY")

  expect "host-deny: add $ATT4" 0 hd add - "$ATT4"
  equal "host-deny: 'ALL: $ATT4' written once" "$(lines "ALL: $ATT4")" 1
  equal "host-deny: the last hand-written line is intact" "$(lines 'ALL: 192.0.2.50')" 1
  expect "host-deny: add $ATT4 again" 0 hd add - "$ATT4"
  equal "host-deny: still one line" "$(lines "ALL: $ATT4")" 1
  expect "host-deny: check $ATT4" 0 hd check - "$ATT4"
  expect "host-deny: delete $ATT4" 0 hd delete - "$ATT4"
  equal "host-deny: other lines untouched" "$(cat "$DENY")" "$orig"
  equal "host-deny: mode kept" "$(stat -c %a "$DENY")" 640
  expect "host-deny: delete $ATT4 again" 0 hd delete - "$ATT4"
  expect "host-deny: check $ATT4 after delete" 1 hd check - "$ATT4"

  expect "host-deny: add $ATT6" 0 hd add - "$ATT6"
  expect "host-deny: add the same IPv6 address spelled out" 0 hd add - FD00:5043:0:0::0002
  equal "host-deny: 'ALL: [$ATT6]' written once" "$(lines "ALL: [$ATT6]")" 1
  expect "host-deny: check $ATT6" 0 hd check - "$ATT6"
  expect "host-deny: delete $ATT6" 0 hd delete - "$ATT6"
  expect "host-deny: check $ATT6 after delete" 1 hd check - "$ATT6"
  expect "host-deny: add a network" 0 hd add - 10.250.1.9/24
  equal "host-deny: written as net/mask" "$(lines 'ALL: 10.250.1.0/255.255.255.0')" 1
  expect "host-deny: add an IPv6 network" 0 hd add - fd00:5043::9/64
  equal "host-deny: written as [net]/prefix" "$(lines 'ALL: [fd00:5043::]/64')" 1
  expect "host-deny: add ::ffff:$ATT4" 0 hd add - "::ffff:$ATT4"
  equal "host-deny: mapped address written as IPv4" "$(lines "ALL: $ATT4")" 1
  for ip in 10.250.1.0/24 fd00:5043::/64 "$ATT4"; do hd delete - "$ip"; done
  equal "host-deny: back to the original content" "$(cat "$DENY")" "$orig"

  cp "$DENY" "$TMP/deny.before"
  for ip in "${BAD_IPS[@]}"; do
    expect "host-deny: add $(printf '%q' "$ip") is refused" 2 hd add - "$ip"
  done
  expect "host-deny: unknown action is refused" 2 hd block - "$ATT4"
  run_json "$(wazuh_request add '1.2.3.4;reboot')" hd_json python3
  equal "host-deny: JSON with a hostile srcip: exit 2, nothing printed" "$JS_RC:$JS_OUT" "2:"
  assert "host-deny: refused input changed nothing" cmp -s "$DENY" "$TMP/deny.before"

  for parser in python3 bash; do
    HS_PROBE=probe_hd handshake "$(wazuh_request add "$ATT4")" "$EXECD_CONTINUE" hd_json "$parser"
    equal "host-deny/$parser: add prints check_keys" "$HS_KEYS" "$(check_keys host-deny "$ATT4")"
    equal "host-deny/$parser: nothing written before execd answers" "$HS_BEFORE" 1
    equal "host-deny/$parser: continue: exit 0" "$HS_RC:$HS_REST" "0:"
    equal "host-deny/$parser: line written" "$(lines "ALL: $ATT4")" 1
    run_json "$(wazuh_request delete "$ATT4")" hd_json "$parser"
    equal "host-deny/$parser: delete: exit 0, no handshake" "$JS_RC:$JS_OUT" "0:"
    equal "host-deny/$parser: line removed" "$(lines "ALL: $ATT4")" 0
    handshake "$(wazuh_request add "$ATT4")" "$EXECD_ABORT" hd_json "$parser"
    equal "host-deny/$parser: abort: exit 0, nothing written" "$HS_RC:$(lines "ALL: $ATT4")" "0:0"
  done

  for i in 1 2 3 4 5 6 7 8; do
    hd add - "10.250.3.$i" >>"$TMP/commands.log" 2>&1 &
    pids+=($!)
    want+='0 '
  done
  for i in "${pids[@]}"; do
    wait "$i"
    rcs+="$? "
  done
  equal "host-deny: eight concurrent adds all succeed" "$rcs" "$want"
  equal "host-deny: ... each line once" "$(grep -c '^ALL: 10\.250\.3\.[1-8]$' "$DENY")" 8
  pids=()
  for i in 1 2 3 4 5 6 7 8; do
    hd delete - "10.250.3.$i" >>"$TMP/commands.log" 2>&1 &
    pids+=($!)
  done
  wait "${pids[@]}"
  equal "host-deny: eight concurrent deletes leave the original" "$(cat "$DENY")" "$orig"

  exec {lockfd}>>"$PORTCULLIS_AR_LOCK"
  flock "$lockfd"
  expect "host-deny: lock held elsewhere: exit 3" 3 timeout 20 env PORTCULLIS_AR_LOCK_TIMEOUT=1 \
    PORTCULLIS_HOSTS_DENY="$DENY" "$HD" add - "$ATT4"
  exec {lockfd}>&-
  equal "host-deny: ... and nothing written" "$(lines "ALL: $ATT4")" 0

  ln -s "$DENY" "$TMP/hosts.deny.link"
  expect "host-deny: add through a symlink" 0 hd_at "$TMP/hosts.deny.link" add - "$ATT4"
  expect "host-deny: delete through a symlink" 0 hd_at "$TMP/hosts.deny.link" delete - "$ATT4"
  assert "host-deny: the symlink is still a symlink" test -L "$TMP/hosts.deny.link"
  equal "host-deny: ... and its target is back to the original" "$(cat "$DENY")" "$orig"
  expect "host-deny: add creates a missing file" 0 hd_at "$TMP/new.deny" add - "$ATT4"
  equal "host-deny: ... holding just our line, mode 644" \
    "$(cat "$TMP/new.deny"):$(stat -c %a "$TMP/new.deny")" "ALL: $ATT4:644"
  expect "host-deny: a directory as the file: exit 4" 4 hd_at "$TMP" add - "$ATT4"
}
