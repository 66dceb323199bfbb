# Copyright Portcullis contributors. SPDX-License-Identifier: Apache-2.0
#
# firewall-drop.sh cases for scripts.test.sh: one suite per backend variant, run inside the
# test namespaces, and the backend detection. Sourced after helpers.sh, never run.
#
# shellcheck shell=bash

VARIANT=''
FW_ENV=()

fw() { timeout 20 ip netns exec "$SRV" env "${FW_ENV[@]}" "$FW" "$@"; }
fw_json() { timeout 20 ip netns exec "$SRV" env "${FW_ENV[@]}" PORTCULLIS_AR_JSON_PARSER="$1" "$FW"; }
in_srv() { ip netns exec "$SRV" "$@"; }
in_srv_quiet() { ip netns exec "$SRV" "$@" >/dev/null 2>&1; }
refused() { ! connect "$@"; }
probe_att4() { fw check - "$ATT4"; }

family() { if [[ $1 == *:* ]]; then echo 6; else echo 4; fi; }

# What the firewall holds for one address: "entries=N input=N forward=N", where entries counts
# the address in our set and input/forward count our drop rules (per-address rules without ipset).
fw_state() {
  local ip=$1 fam entries input forward ipt rule
  fam=$(family "$ip")
  ipt=iptables
  [[ $fam == 6 ]] && ipt=ip6tables
  case $VARIANT in
    nftables)
      rule='ip saddr @blocked4 drop'
      [[ $fam == 6 ]] && rule='ip6 saddr @blocked6 drop'
      entries=$(in_srv nft list set inet portcullis "blocked$fam" 2>/dev/null |
        sed -n '/elements = {/,/}/p' | tr -s '{},= \t' '\n' | grep -cxF -- "$ip")
      input=$(in_srv nft list chain inet portcullis input 2>/dev/null | grep -cF -- "$rule")
      forward=$(in_srv nft list chain inet portcullis forward 2>/dev/null | grep -cF -- "$rule")
      ;;
    iptables)
      rule="-m set --match-set portcullis$fam src -j DROP"
      entries=$(in_srv ipset list "portcullis$fam" 2>/dev/null | sed '1,/^Members:/d' | grep -cxF -- "$ip")
      input=$(in_srv "$ipt" -S INPUT | grep -cF -- "$rule")
      forward=$(in_srv "$ipt" -S FORWARD | grep -cF -- "$rule")
      ;;
    noipset)
      rule="-s $ip/32 -m comment --comment portcullis -j DROP"
      [[ $fam == 6 ]] && rule="-s $ip/128 -m comment --comment portcullis -j DROP"
      input=$(in_srv "$ipt" -S INPUT | grep -cF -- "$rule")
      forward=$(in_srv "$ipt" -S FORWARD | grep -cF -- "$rule")
      entries=$input
      ;;
  esac
  echo "entries=$entries input=$input forward=$forward"
}

# Everything the server namespace's firewall holds, without counters.
fw_snapshot() {
  {
    in_srv nft -s list ruleset
    in_srv iptables-save
    in_srv ip6tables-save
    in_srv ipset save
  } 2>/dev/null | sed -e '/^#/d' -e 's/\[[0-9]*:[0-9]*\]//g'
}

# What an admin flushing the firewall by hand would do to our IPv4 drop rule in INPUT.
drop_input_rule() {
  case $VARIANT in
    nftables) in_srv nft flush chain inet portcullis input ;;
    iptables) in_srv iptables -w -D INPUT -m set --match-set portcullis4 src -j DROP ;;
  esac
}

# Skips a variant whose kernel side is missing in a namespace (module not built or not loadable).
kernel_supports() {
  case $VARIANT in
    nftables)
      in_srv nft add table inet pc-probe >/dev/null 2>&1 && in_srv nft delete table inet pc-probe
      ;;
    iptables)
      in_srv ipset create pc-probe hash:net >/dev/null 2>&1 && in_srv ipset destroy pc-probe &&
        in_srv iptables -w -L -n >/dev/null 2>&1
      ;;
    noipset) in_srv iptables -w -L -n >/dev/null 2>&1 ;;
  esac
}

fw_suite() {
  VARIANT=$1
  local label=$2 ip dst fam i parser pids=() rcs extra
  shift 2
  FW_ENV=("$@")
  echo "== firewall-drop.sh: $label"
  if ! ns_up; then
    bad "$VARIANT: could not set up the namespaces"
    ns_down
    return
  fi
  if ! kernel_supports; then
    echo "  SKIP  $label: the kernel refuses it inside a network namespace"
    ns_down
    return
  fi
  assert "$VARIANT: attacker reaches the server over IPv4" connect "$ATT4" "$SRV4"
  assert "$VARIANT: attacker reaches the server over IPv6" connect "$ATT6" "$SRV6"

  # First, concurrent adds into a firewall that has nothing of ours yet.
  extra=(10.250.9.1 10.250.9.2 fd00:5043::9:1 fd00:5043::9:2)
  for ip in "${extra[@]}"; do
    fw add - "$ip" >>"$TMP/commands.log" 2>&1 &
    pids+=($!)
  done
  rcs=''
  for i in "${pids[@]}"; do
    wait "$i"
    rcs+="$? "
  done
  equal "$VARIANT: four concurrent adds all succeed" "$rcs" "0 0 0 0 "
  for ip in "${extra[@]}"; do
    equal "$VARIANT: concurrent add of $ip stored once, one rule per chain" "$(fw_state "$ip")" \
      "entries=1 input=1 forward=1"
    expect "$VARIANT: delete $ip" 0 fw delete - "$ip"
  done

  for ip in "$ATT4" "$ATT6"; do
    fam=$(family "$ip")
    dst=$SRV4
    [[ $fam == 6 ]] && dst=$SRV6
    expect "$VARIANT: add $ip" 0 fw add - "$ip"
    assert "$VARIANT: $ip can no longer connect" refused "$ip" "$dst"
    if [[ $fam == 4 ]]; then
      assert "$VARIANT: blocking $ip leaves $ATT6 alone" connect "$ATT6" "$SRV6"
    fi
    expect "$VARIANT: add $ip again" 0 fw add - "$ip"
    equal "$VARIANT: $ip stored once, one rule per chain" "$(fw_state "$ip")" "entries=1 input=1 forward=1"
    expect "$VARIANT: check $ip says blocked" 0 fw check - "$ip"
    expect "$VARIANT: delete $ip" 0 fw delete - "$ip"
    assert "$VARIANT: $ip connects again" connect "$ip" "$dst"
    expect "$VARIANT: delete $ip again" 0 fw delete - "$ip"
    expect "$VARIANT: check $ip says not blocked" 1 fw check - "$ip"
  done

  if [[ $VARIANT != noipset ]]; then
    expect "$VARIANT: add $ATT4 for the repair check" 0 fw add - "$ATT4"
    drop_input_rule
    expect "$VARIANT: check says not blocked once our INPUT rule is gone" 1 fw check - "$ATT4"
    expect "$VARIANT: add puts the rule back" 0 fw add - "$ATT4"
    equal "$VARIANT: ... exactly once" "$(fw_state "$ATT4")" "entries=1 input=1 forward=1"
    expect "$VARIANT: delete $ATT4" 0 fw delete - "$ATT4"
  fi

  expect "$VARIANT: add ::ffff:$ATT4" 0 fw add - "::ffff:$ATT4"
  equal "$VARIANT: ::ffff:$ATT4 is stored as $ATT4" "$(fw_state "$ATT4")" "entries=1 input=1 forward=1"
  expect "$VARIANT: delete ::ffff:$ATT4" 0 fw delete - "::ffff:$ATT4"
  expect "$VARIANT: check $ATT4 after the mapped delete" 1 fw check - "$ATT4"

  local before
  before=$(fw_snapshot)
  for ip in "${BAD_IPS[@]}"; do
    expect "$VARIANT: add $(printf '%q' "$ip") is refused" 2 fw add - "$ip"
  done
  # Addresses no attack comes from: refused before any firewall change, as the server does.
  for ip in 0.0.0.0 0.1.2.3 255.255.255.255 224.0.0.251 240.0.0.1 :: ff02::1 ::10.0.0.7 ::a00:7 \
    ::ffff:0.0.0.0 ::ffff:e000:fb 0.0.0.0/8; do
    expect "$VARIANT: add of the meaningless address $ip is refused" 2 fw add - "$ip"
  done
  run_json "$(wazuh_request add 255.255.255.255)" fw_json bash
  equal "$VARIANT: JSON add of the broadcast address: exit 2, no check_keys" "$JS_RC:$JS_OUT" "2:"
  expect "$VARIANT: delete of a meaningless address is still taken (undoes an old block)" 0 fw delete - 224.0.0.251
  expect "$VARIANT: unknown action is refused" 2 fw drop - "$ATT4"
  expect "$VARIANT: missing address is refused" 2 fw add -
  expect "$VARIANT: check of an invalid address is refused" 2 fw check - 999.1.1.1
  run_json 'not json' fw_json python3
  equal "$VARIANT: unreadable JSON: exit 2, nothing printed" "$JS_RC:$JS_OUT" "2:"
  # shellcheck disable=SC2016 # the literal text is the point
  run_json "$(wazuh_request add '$(id)')" fw_json bash
  equal "$VARIANT: JSON with a hostile srcip: exit 2, nothing printed" "$JS_RC:$JS_OUT" "2:"
  run_json "$(wazuh_request check "$ATT4")" fw_json python3
  equal "$VARIANT: JSON command other than add/delete: exit 2" "$JS_RC:$JS_OUT" "2:"
  equal "$VARIANT: refused input changed nothing" "$(fw_snapshot)" "$before"

  for parser in python3 bash; do
    HS_PROBE=probe_att4 handshake "$(wazuh_request add "$ATT4")" "$EXECD_CONTINUE" fw_json "$parser"
    equal "$VARIANT/$parser: add prints check_keys" "$HS_KEYS" "$(check_keys firewall-drop "$ATT4")"
    equal "$VARIANT/$parser: nothing blocked before execd answers" "$HS_BEFORE" 1
    equal "$VARIANT/$parser: continue: exit 0, nothing more printed" "$HS_RC:$HS_REST" "0:"
    expect "$VARIANT/$parser: blocked after continue" 0 fw check - "$ATT4"
    run_json "$(wazuh_request delete "$ATT4")" fw_json "$parser"
    equal "$VARIANT/$parser: delete: exit 0, no handshake" "$JS_RC:$JS_OUT" "0:"
    expect "$VARIANT/$parser: unblocked after delete" 1 fw check - "$ATT4"
    handshake "$(wazuh_request add "$ATT4")" "$EXECD_ABORT" fw_json "$parser"
    equal "$VARIANT/$parser: abort: exit 0" "$HS_RC" 0
    expect "$VARIANT/$parser: abort blocks nothing" 1 fw check - "$ATT4"
  done
  handshake "$(wazuh_request add "$ATT6")" continue fw_json bash
  equal "$VARIANT: IPv6 check_keys, plain 'continue' answer" "$HS_KEYS:$HS_RC" \
    "$(check_keys firewall-drop "$ATT6"):0"
  assert "$VARIANT: $ATT6 blocked through JSON" refused "$ATT6" "$SRV6"
  run_json "$(wazuh_request delete "$ATT6")" fw_json python3
  assert "$VARIANT: $ATT6 unblocked through JSON" connect "$ATT6" "$SRV6"
  handshake "$(wazuh_request add "$ATT4")" maybe fw_json python3
  equal "$VARIANT: unreadable answer to check_keys: exit 2" "$HS_RC" 2
  expect "$VARIANT: ... and nothing blocked" 1 fw check - "$ATT4"

  local lockfd
  exec {lockfd}>>"$PORTCULLIS_AR_LOCK"
  flock "$lockfd"
  expect "$VARIANT: lock held elsewhere: exit 3" 3 timeout 20 env PORTCULLIS_AR_LOCK_TIMEOUT=1 \
    ip netns exec "$SRV" env "${FW_ENV[@]}" "$FW" add - "$ATT4"
  exec {lockfd}>&-
  expect "$VARIANT: ... and nothing blocked" 1 fw check - "$ATT4"
  ns_down
}

# Without PORTCULLIS_FW_BACKEND: the choice for an add, and delete/check finding it again.
detect_suite() {
  echo "== firewall-drop.sh: backend detection"
  FW_ENV=()
  ns_up || { bad "detect: could not set up the namespaces"; ns_down; return; }
  expect "detect: add with no tables picks iptables+ipset" 0 fw add - "$ATT4"
  assert "detect: ... $ATT4 is in ipset portcullis4" in_srv ipset -q test portcullis4 "$ATT4"
  assert "detect: ... no nftables table made" refused_table
  expect "detect: next add sticks to iptables (our ipsets exist)" 0 fw add - "$ATT6"
  assert "detect: ... $ATT6 is in ipset portcullis6" in_srv ipset -q test portcullis6 "$ATT6"
  expect "detect: check finds $ATT6" 0 fw check - "$ATT6"
  expect "detect: delete $ATT4" 0 fw delete - "$ATT4"
  expect "detect: delete $ATT6" 0 fw delete - "$ATT6"
  expect "detect: check after delete" 1 fw check - "$ATT6"
  ns_down
  ns_up || { bad "detect: could not set up the namespaces"; ns_down; return; }
  in_srv nft add table inet someone-else
  expect "detect: add with an nftables table present picks nftables" 0 fw add - "$ATT4"
  assert "detect: ... $ATT4 is in set blocked4" \
    in_srv_quiet nft get element inet portcullis blocked4 "{ $ATT4 }"
  assert "detect: ... $ATT4 cannot connect" refused "$ATT4" "$SRV4"
  expect "detect: delete $ATT4" 0 fw delete - "$ATT4"
  assert "detect: ... $ATT4 connects again" connect "$ATT4" "$SRV4"
  expect "detect: nftables chosen but nft missing: exit 4" 4 \
    timeout 20 ip netns exec "$SRV" env PATH=/usr/bin:/bin PORTCULLIS_FW_BACKEND=nftables "$FW" add - "$ATT4"
  expect "detect: unknown PORTCULLIS_FW_BACKEND: exit 2" 2 \
    timeout 20 ip netns exec "$SRV" env PORTCULLIS_FW_BACKEND=pf "$FW" add - "$ATT4"
  ns_down
}
refused_table() { ! in_srv nft list table inet portcullis >/dev/null 2>&1; }
