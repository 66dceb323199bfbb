#!/usr/bin/env bash
# Copyright Portcullis contributors. SPDX-License-Identifier: Apache-2.0
#
# End-to-end test of active-response/firewall-drop.sh and active-response/host-deny.sh.
#
# Run as root on Linux:  e2e/firewall/scripts.test.sh
# Needs iproute2, python3, util-linux (flock) and coreutils, and every firewall backend's tools
# (nftables; iptables with ipset; iptables without ipset): `npm test` installs them
# (scripts/ensure.mjs --test), so a missing one is a failed check naming its Debian package.
#
# Every firewall change happens inside two namespaces of our own (pc-t-srv-PID, pc-t-att-PID)
# joined by a veth pair; the host's firewall is only read, to prove it was left alone. Traffic is
# single TCP connection attempts with a 1 s timeout. Exits 1 if any check failed, listing them.

set -uo pipefail

HERE=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd -P)
ROOT=$(cd -- "$HERE/../.." && pwd -P)
FW=$ROOT/active-response/firewall-drop.sh
HD=$ROOT/active-response/host-deny.sh

if [[ $EUID -ne 0 ]]; then
  echo "scripts.test.sh: run as root (it creates network namespaces)" >&2
  exit 1
fi
for need in ip:iproute2 python3:python3 flock:util-linux timeout:coreutils mkfifo:coreutils; do
  command -v "${need%%:*}" >/dev/null || { echo "scripts.test.sh: ${need%%:*} not found (apt-get install -y ${need#*:})" >&2; exit 1; }
done

TMP=$(mktemp -d /tmp/pc-ar-test.XXXXXX)
PY=$(python3 -c 'import sys; print(sys.executable)') # the real interpreter, not a pyenv shim
export PORTCULLIS_AR_LOG=$TMP/active-responses.log
export PORTCULLIS_AR_LOCK=$TMP/ar.lock
unset PORTCULLIS_FW_BACKEND PORTCULLIS_AR_JSON_PARSER PORTCULLIS_HOSTS_DENY PORTCULLIS_AR_LOCK_TIMEOUT

# shellcheck source-path=SCRIPTDIR source=helpers.sh
source "$HERE/helpers.sh"
# shellcheck source-path=SCRIPTDIR source=firewall-drop.cases.sh
source "$HERE/firewall-drop.cases.sh"
# shellcheck source-path=SCRIPTDIR source=host-deny.cases.sh
source "$HERE/host-deny.cases.sh"

trap 'ns_down; rm -rf -- "$TMP"' EXIT
trap 'exit 130' INT TERM

STARTED=$SECONDS

host_state() {
  {
    nft list tables 2>/dev/null
    ipset -q list -n 2>/dev/null
  } | grep -F portcullis
}
HOST_BEFORE=$(host_state)

# --- firewall-drop ----------------------------------------------------------------------------

if have nft; then
  fw_suite nftables "nftables" PORTCULLIS_FW_BACKEND=nftables
else
  bad "firewall-drop.sh with nftables: nft not found (apt-get install -y nftables)"
fi
if have iptables && have ip6tables && have ipset; then
  fw_suite iptables "iptables + ipset" PORTCULLIS_FW_BACKEND=iptables
else
  bad "firewall-drop.sh with iptables + ipset: iptables, ip6tables or ipset not found (apt-get install -y iptables ipset)"
fi
if have iptables && have ip6tables; then
  # /usr/sbin holds ipset; this PATH keeps iptables and hides ipset.
  mkdir -p "$TMP/noipset"
  ln -s "$(command -v iptables)" "$TMP/noipset/iptables"
  ln -s "$(command -v ip6tables)" "$TMP/noipset/ip6tables"
  fw_suite noipset "iptables without ipset (per-address rules)" \
    PORTCULLIS_FW_BACKEND=iptables PATH="$TMP/noipset:/usr/bin:/bin"
else
  bad "firewall-drop.sh with iptables alone: iptables or ip6tables not found (apt-get install -y iptables)"
fi
if have nft && have iptables && have ip6tables && have ipset; then
  detect_suite
else
  bad "backend detection: needs nft, iptables and ipset (apt-get install -y nftables iptables ipset)"
fi

# --- host-deny --------------------------------------------------------------------------------

hostdeny_suite

# --- the log, and the host ---------------------------------------------------------------------

echo "== active-responses.log and the host"
date_re='^[A-Z][a-z]{2} [A-Z][a-z]{2} [ 0-9][0-9] [0-9]{2}:[0-9]{2}:[0-9]{2} [A-Z+0-9-]+ [0-9]{4} '
assert "log: OSSEC-style call line for an argv add" \
  grep -Eq "${date_re}[^ ]*firewall-drop.sh add - $ATT4 *\$" "$PORTCULLIS_AR_LOG"
assert "log: JSON call line carries user, alert id and rule id" \
  grep -Eq "${date_re}[^ ]*firewall-drop.sh add root $ATT4 1714557600.4242 5712\$" "$PORTCULLIS_AR_LOG"
assert "log: execd abort is logged as Aborted" grep -Eq "${date_re}[^ ]*: Aborted\$" "$PORTCULLIS_AR_LOG"
assert "log: every line starts with a date (no injected lines)" \
  test "$(grep -cEv "$date_re" "$PORTCULLIS_AR_LOG")" -eq 0
equal "host: no portcullis table or ipset appeared outside the namespaces" "$(host_state)" "$HOST_BEFORE"

echo
echo "$PASSED checks passed, ${#FAILED[@]} failed, $((SECONDS - STARTED)) s"
if ((${#FAILED[@]} > 0)); then
  printf 'failed: %s\n' "${FAILED[@]}"
  exit 1
fi
