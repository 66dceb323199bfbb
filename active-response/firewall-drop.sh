#!/usr/bin/env bash
# Copyright Portcullis contributors. SPDX-License-Identifier: Apache-2.0
#
# firewall-drop.sh: drops all traffic from one source address (or network) in the local firewall.
#
# Called by execd in either of two ways:
#   OSSEC  firewall-drop.sh add|delete|check USER SRCIP [ALERT_ID RULE_ID LOCATION FILENAME]
#   Wazuh  firewall-drop.sh            (no arguments) with one JSON request line on stdin,
#          {"command":"add|delete","parameters":{"alert":{"data":{"srcip":"..."}}}}; for add it
#          prints check_keys on stdout and reads execd's continue/abort from stdin.
# and by Portcullis at start (and every 30 s) as
#          firewall-drop.sh preflight
#          which changes nothing and takes no lock: it prints the backend an add would use and
#          exits 0, or prints what is missing (then a "fix: ..." line) on stderr and exits 4.
# portcullis-preflight: yes
#
# Addresses live in sets, so the packet path costs one lookup however many are blocked:
#   nftables  table inet portcullis: sets blocked4/blocked6 (flags interval) and chains input and
#             forward (priority -10) holding "ip saddr @blocked4 drop" and "ip6 saddr @blocked6 drop"
#   iptables  ipsets portcullis4/portcullis6 (hash:net), each matched by one DROP rule at the top of
#             INPUT and FORWARD; without ipset, one "-s IP -m comment --comment portcullis -j DROP"
#             rule per address and chain
# Everything it changes belongs to the current network namespace, so
# `ip netns exec NS firewall-drop.sh add - 10.0.0.2` blocks inside NS only.
#
# Backend: PORTCULLIS_FW_BACKEND=nftables|iptables, else detected. An add goes to nftables when our
# table already exists, to iptables when our ipsets already exist, else to nftables when
# `nft list tables` shows any table or iptables is missing, else to iptables (an iptables built on
# nf_tables still counts as iptables). Without PORTCULLIS_FW_BACKEND, delete and check look in every
# backend that is present, so an address added under one choice is never stranded.
#
# Environment:
#   PORTCULLIS_FW_BACKEND       nftables | iptables (default: detect, see above)
#   PORTCULLIS_AR_LOG           log file (default: <script dir>/../logs/active-responses.log)
#   PORTCULLIS_AR_LOCK          lock file (default: /run/portcullis-fw.lock, or /tmp/... when /run
#                               is not writable)
#   PORTCULLIS_AR_LOCK_TIMEOUT  seconds to wait for the lock (default: 30)
#   PORTCULLIS_AR_JSON_PARSER   python3 | bash (default: python3 when installed, else bash)
#
# Exit codes:
#   0  done; also: add of an address already blocked, delete of one not blocked, execd abort,
#      check of a blocked address
#   1  check: the address is not blocked
#   2  bad input: unknown action, invalid or missing address, unreadable JSON or handshake,
#      unknown PORTCULLIS_FW_BACKEND
#   3  lock timeout (another run held the lock too long)
#   4  a firewall command failed, or the chosen firewall tool is not installed (preflight: an add
#      would fail)

set -uo pipefail

# shellcheck disable=SC2034 # read by lib/ar-common.sh
AR_NAME=firewall-drop
AR_SCRIPT_DIR=$(dirname -- "$(readlink -f -- "${BASH_SOURCE[0]}")")
# shellcheck source-path=SCRIPTDIR source=lib/ar-common.sh
source "$AR_SCRIPT_DIR/lib/ar-common.sh"

readonly NFT_TABLE=portcullis
readonly IPSET_MAXELEM=1048576
readonly FALLBACK_COMMENT=portcullis
readonly CHAINS=(INPUT FORWARD)

have() { command -v "$1" >/dev/null 2>&1; }

# --- nftables ---------------------------------------------------------------------------------

# nft 1.0.x reads a whole interval set into its cache for most commands, so with 100,000
# entries each call costs about a second: add and delete are one call in the usual case, and
# the slower look-ups run only to explain a failure.

nft_rules_present() {
  local listing chain body
  # -t leaves the set elements out of the listing.
  listing=$(nft -t list table inet "$NFT_TABLE" 2>/dev/null) || return 1
  for chain in input forward; do
    [[ $listing == *"chain $chain {"* ]] || return 1
    body=${listing#*"chain $chain {"}
    body=${body%%\}*}
    [[ $body == *'ip saddr @blocked4 drop'* && $body == *'ip6 saddr @blocked6 drop'* ]] || return 1
  done
}

# Prints an nft script that creates the table, sets and chains when missing and rewrites the two
# drop rules of each chain, all in one transaction: never a moment without them, never a copy.
nft_base() {
  cat <<EOF
add table inet $NFT_TABLE
add set inet $NFT_TABLE blocked4 { type ipv4_addr; flags interval; }
add set inet $NFT_TABLE blocked6 { type ipv6_addr; flags interval; }
add chain inet $NFT_TABLE input { type filter hook input priority -10; policy accept; }
add chain inet $NFT_TABLE forward { type filter hook forward priority -10; policy accept; }
flush chain inet $NFT_TABLE input
flush chain inet $NFT_TABLE forward
add rule inet $NFT_TABLE input ip saddr @blocked4 drop
add rule inet $NFT_TABLE input ip6 saddr @blocked6 drop
add rule inet $NFT_TABLE forward ip saddr @blocked4 drop
add rule inet $NFT_TABLE forward ip6 saddr @blocked6 drop
EOF
}

# Prints the set element that covers AR_IP (the address itself, or a wider range); fails if none.
nft_covering() {
  local out
  out=$(nft get element inet "$NFT_TABLE" "$NFT_SET" "{ $AR_IP }" 2>/dev/null) || return 1
  [[ $out =~ elements\ =\ \{\ ([^ ,}]+) ]] || return 1
  printf '%s' "${BASH_REMATCH[1]}"
}

nft_add() {
  local out cover
  # Adding an element that is already there is not an error for nft.
  if out=$({ nft_base && echo "add element inet $NFT_TABLE $NFT_SET { $AR_IP }"; } | nft -f - 2>&1); then
    ar_log "$0: blocked $AR_IP (nftables)"
    return 0
  fi
  # An address inside a blocked range (or a range overlapping blocked entries) is refused as an
  # overlap; in the first case it is already blocked, which is all an add asks for.
  if cover=$(nft_covering); then
    nft_base | ar_run nft -f - || return 1
    ar_log "$0: $AR_IP already blocked by $cover (nftables)"
    return 0
  fi
  ar_warn "command failed: nft add element inet $NFT_TABLE $NFT_SET { $AR_IP } :: ${out//$'\n'/ | }"
  return 1
}

nft_delete() {
  local out cover
  if out=$(nft delete element inet "$NFT_TABLE" "$NFT_SET" "{ $AR_IP }" 2>&1); then
    ar_log "$0: unblocked $AR_IP (nftables)"
    return 0
  fi
  if ! cover=$(nft_covering); then
    ar_log "$0: $AR_IP was not blocked (nftables)"
    return 0
  fi
  if [[ $cover != "$AR_IP" ]]; then
    # Only the entry that was added is ours to remove; the wider range stays.
    ar_log "$0: $AR_IP is inside the blocked range $cover; left as is (nftables)"
    return 0
  fi
  ar_warn "command failed: nft delete element inet $NFT_TABLE $NFT_SET { $AR_IP } :: ${out//$'\n'/ | }"
  return 1
}

nft_check() {
  nft_rules_present && nft_covering >/dev/null
}

# --- iptables / ipset -------------------------------------------------------------------------

ipt_has() { # CHAIN RULE...
  "$IPT" -w 10 -C "$@" >/dev/null 2>&1
}

ipt_insert_once() { # CHAIN RULE...
  ipt_has "$@" || ar_run "$IPT" -w 10 -I "$1" 1 "${@:2}"
}

ipset_exists() {
  have ipset && ipset -q list -n "$IPSET_NAME" >/dev/null
}

ipt_add() {
  local chain
  if ! have ipset; then
    for chain in "${CHAINS[@]}"; do
      ipt_insert_once "$chain" "${HOST_RULE[@]}" || return 1
    done
    ar_log "$0: blocked $AR_IP ($IPT, one rule per address: ipset not installed)"
    return 0
  fi
  if ! ipset_exists; then
    ar_run ipset -exist create "$IPSET_NAME" hash:net family "$IPSET_FAMILY" maxelem "$IPSET_MAXELEM" ||
      return 1
  fi
  for chain in "${CHAINS[@]}"; do
    ipt_insert_once "$chain" "${SET_RULE[@]}" || return 1
  done
  if ipset -q test "$IPSET_NAME" "$AR_IP"; then
    ar_log "$0: $AR_IP already blocked ($IPT, ipset $IPSET_NAME)"
    return 0
  fi
  ar_run ipset -exist add "$IPSET_NAME" "$AR_IP" || return 1
  ar_log "$0: blocked $AR_IP ($IPT, ipset $IPSET_NAME)"
}

ipt_delete() {
  local chain n out
  if ipset_exists && ipset -q test "$IPSET_NAME" "$AR_IP"; then
    if out=$(ipset del "$IPSET_NAME" "$AR_IP" 2>&1); then
      ar_log "$0: unblocked $AR_IP ($IPT, ipset $IPSET_NAME)"
    elif ipset -q test "$IPSET_NAME" "$AR_IP"; then
      # Covered by a wider entry but not itself an entry: the wider one is not ours to remove.
      ar_log "$0: $AR_IP is inside a wider blocked range; left as is ($IPT, ipset $IPSET_NAME)"
    else
      ar_warn "command failed: ipset del $IPSET_NAME $AR_IP :: ${out//$'\n'/ | }"
      return 1
    fi
  fi
  # Per-address rules from a run without ipset; remove every copy. The bound only guards
  # against a firewall that keeps answering -C with success.
  for chain in "${CHAINS[@]}"; do
    for ((n = 0; n < 100; n++)); do
      ipt_has "$chain" "${HOST_RULE[@]}" || break
      ar_run "$IPT" -w 10 -D "$chain" "${HOST_RULE[@]}" || return 1
      ar_log "$0: removed the $chain rule for $AR_IP ($IPT)"
    done
  done
}

ipt_check() {
  if ipset_exists && ipt_has INPUT "${SET_RULE[@]}" && ipset -q test "$IPSET_NAME" "$AR_IP"; then
    return 0
  fi
  ipt_has INPUT "${HOST_RULE[@]}"
}

# --- dispatch ---------------------------------------------------------------------------------

# Prints the backend an add should use.
detect_backend() {
  local tables=''
  if have nft; then
    tables=$(nft list tables 2>/dev/null)
    if [[ $'\n'$tables$'\n' == *$'\n'"table inet $NFT_TABLE"$'\n'* ]]; then
      echo nftables
      return
    fi
  fi
  if have iptables && have ipset &&
    { ipset -q list -n portcullis4 >/dev/null || ipset -q list -n portcullis6 >/dev/null; }; then
    echo iptables
  elif [[ -n $tables ]] || ! have iptables; then
    echo nftables
  else
    echo iptables
  fi
}

# Sets BACKENDS: the one to add to, or every one to look in for delete and check.
choose_backends() {
  BACKENDS=()
  case ${PORTCULLIS_FW_BACKEND:-} in
    nftables | iptables) BACKENDS=("$PORTCULLIS_FW_BACKEND") ;;
    '')
      if [[ $AR_ACTION == add ]]; then
        BACKENDS=("$(detect_backend)")
      else
        have nft && BACKENDS+=(nftables)
        have iptables && BACKENDS+=(iptables)
      fi
      ;;
    *)
      ar_warn "invalid PORTCULLIS_FW_BACKEND '$(_ar_field "$PORTCULLIS_FW_BACKEND")' (nftables or iptables)"
      exit "$AR_EXIT_BAD_INPUT"
      ;;
  esac
}

# Sets the per-family names, and checks the tool is there.
use_backend() {
  case $1 in
    nftables)
      NFT_SET=blocked$AR_FAMILY
      have nft || { ar_warn "nft not found (install nftables)"; return 1; }
      ;;
    iptables)
      if [[ $AR_FAMILY == 4 ]]; then
        IPT=iptables IPSET_NAME=portcullis4 IPSET_FAMILY=inet
      else
        IPT=ip6tables IPSET_NAME=portcullis6 IPSET_FAMILY=inet6
      fi
      SET_RULE=(-m set --match-set "$IPSET_NAME" src -j DROP)
      HOST_RULE=(-s "$AR_IP" -m comment --comment "$FALLBACK_COMMENT" -j DROP)
      have "$IPT" || { ar_warn "$IPT not found (install iptables)"; return 1; }
      ;;
  esac
}

run_backend() { # BACKEND ACTION
  case $1:$2 in
    nftables:add) nft_add ;;
    nftables:delete) nft_delete ;;
    nftables:check) nft_check ;;
    iptables:add) ipt_add ;;
    iptables:delete) ipt_delete ;;
    iptables:check) ipt_check ;;
  esac
}

# --- preflight --------------------------------------------------------------------------------

# Prints the problem and what to do about it on stderr, and exits 4.
preflight_fail() { # PROBLEM FIX
  printf '%s\nfix: %s\n' "$1" "$2" >&2
  exit "$AR_EXIT_FAILED"
}

# Whether this process may change the firewall: CAP_NET_ADMIN (bit 12) in its effective set, which
# root has. Without /proc, assume so and let the tools say.
net_admin() {
  local cap
  cap=$(sed -n 's/^CapEff:[[:space:]]*//p' /proc/self/status 2>/dev/null)
  [[ -z $cap ]] && return 0
  (((16#$cap >> 12) & 1))
}

# What an add would use, checked without changing anything: the right to change the firewall, the
# lock tool, the backend (as an add chooses it), its tools, and that they may read this namespace's
# firewall.
preflight() {
  local backend out tool
  net_admin || preflight_fail "it runs as $(id -un 2>/dev/null || id -u) without CAP_NET_ADMIN, so it cannot change the firewall: every add would fail" \
    "run Portcullis as root (sudo, or a systemd unit), or grant it CAP_NET_ADMIN (AmbientCapabilities=CAP_NET_ADMIN in its unit)"
  have flock || preflight_fail "flock not found in PATH ($PATH): every add would fail to take the lock" \
    "install util-linux (apt-get install util-linux)"
  case ${PORTCULLIS_FW_BACKEND:-} in
    nftables | iptables) backend=$PORTCULLIS_FW_BACKEND ;;
    '')
      have nft || have iptables || preflight_fail "no firewall tool found: neither nft nor iptables is in PATH ($PATH)" \
        "install nftables (apt-get install nftables), or iptables and ipset (apt-get install iptables ipset)"
      backend=$(detect_backend)
      ;;
    *)
      printf "invalid PORTCULLIS_FW_BACKEND '%s' (nftables or iptables)\n" "$(_ar_field "$PORTCULLIS_FW_BACKEND")" >&2
      exit "$AR_EXIT_BAD_INPUT"
      ;;
  esac
  case $backend in
    nftables)
      have nft || preflight_fail "nft not found in PATH ($PATH), and PORTCULLIS_FW_BACKEND=nftables" \
        "install nftables (apt-get install nftables), or set PORTCULLIS_FW_BACKEND=iptables"
      out=$(nft list tables 2>&1) || preflight_fail "nft cannot read the firewall: ${out//$'\n'/ | }" \
        "run Portcullis as root (or with CAP_NET_ADMIN)"
      printf 'nftables, %s\n' "$(command -v nft)"
      ;;
    iptables)
      for tool in iptables ip6tables; do
        have "$tool" || preflight_fail "$tool not found in PATH ($PATH)" "install iptables (apt-get install iptables)"
      done
      out=$(iptables -w 5 -n -L INPUT 2>&1 >/dev/null) || preflight_fail "iptables cannot read the firewall: ${out//$'\n'/ | }" \
        "run Portcullis as root (or with CAP_NET_ADMIN)"
      if have ipset; then
        printf 'iptables with ipset, %s\n' "$(command -v iptables)"
      else
        printf 'iptables, one rule per address (no ipset), %s\n' "$(command -v iptables)"
      fi
      ;;
  esac
  exit "$AR_EXIT_OK"
}

main() {
  local backend
  [[ ${1-} == preflight && $# -eq 1 ]] && preflight
  ar_begin "$@"
  choose_backends
  ar_handshake

  if [[ $AR_ACTION == check ]]; then
    for backend in "${BACKENDS[@]}"; do
      use_backend "$backend" 2>/dev/null || continue
      run_backend "$backend" check && exit "$AR_EXIT_OK"
    done
    exit "$AR_EXIT_NOT_BLOCKED"
  fi

  ar_lock /run/portcullis-fw.lock
  if ((${#BACKENDS[@]} == 0)); then
    [[ $AR_ACTION == delete ]] && exit "$AR_EXIT_OK"
    ar_warn "no firewall tool found (install nftables, or iptables and ipset)"
    exit "$AR_EXIT_FAILED"
  fi
  for backend in "${BACKENDS[@]}"; do
    if ! use_backend "$backend"; then
      # A detected delete only looks where it can; a chosen backend must be usable.
      [[ $AR_ACTION == delete && -z ${PORTCULLIS_FW_BACKEND:-} ]] && continue
      exit "$AR_EXIT_FAILED"
    fi
    run_backend "$backend" "$AR_ACTION" || exit "$AR_EXIT_FAILED"
  done
  exit "$AR_EXIT_OK"
}

main "$@"
