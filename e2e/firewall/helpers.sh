# shellcheck shell=bash disable=SC2034,SC2016
# (SC2034: results are read by the caller; SC2016: hostile inputs are literal on purpose.)
# Copyright Portcullis contributors. SPDX-License-Identifier: Apache-2.0
#
# Helpers for scripts.test.sh: assertions, the two test namespaces and their listener, and
# driving an active-response script through the JSON handshake. Sourced, never run.
# Commands under test are shell functions that bound themselves with `timeout`.
# Callers must set TMP (a private temp dir) and PY (a python3 interpreter) first.

PASSED=0
FAILED=()

ok() {
  PASSED=$((PASSED + 1))
  printf '  ok    %s\n' "$1"
}

bad() {
  FAILED+=("$1")
  printf '  FAIL  %s\n' "$1"
}

# expect DESC WANT_EXIT CMD... : runs CMD and compares its exit status.
expect() {
  local desc=$1 want=$2 rc
  shift 2
  "$@" >>"$TMP/commands.log" 2>&1
  rc=$?
  if [[ $rc == "$want" ]]; then ok "$desc"; else bad "$desc (exit $rc, wanted $want)"; fi
}

# assert DESC CMD... : CMD must succeed.
assert() {
  local desc=$1
  shift
  if "$@"; then ok "$desc"; else bad "$desc"; fi
}

# equal DESC GOT WANT
equal() {
  if [[ $2 == "$3" ]]; then ok "$1"; else bad "$1 (got '$2', wanted '$3')"; fi
}

have() { command -v "$1" >/dev/null 2>&1; }

# --- namespaces -------------------------------------------------------------------------------

SRV=pc-t-srv-$$
ATT=pc-t-att-$$
SRV4=10.250.0.1 ATT4=10.250.0.2
SRV6=fd00:5043::1 ATT6=fd00:5043::2
PORT=8080
LISTENER_PID=''

# Two namespaces joined by a veth pair created inside them, so no interface ever appears on the
# host. The server runs a dual-stack TCP listener.
ns_up() {
  ip netns add "$SRV" && ip netns add "$ATT" &&
    ip -n "$SRV" link add veth0 type veth peer name veth0 netns "$ATT" || return 1
  local ns
  for ns in "$SRV" "$ATT"; do
    ip -n "$ns" link set lo up && ip -n "$ns" link set veth0 up || return 1
  done
  ip -n "$SRV" addr add "$SRV4/24" dev veth0 &&
    ip -n "$SRV" addr add "$SRV6/64" dev veth0 nodad &&
    ip -n "$ATT" addr add "$ATT4/24" dev veth0 &&
    ip -n "$ATT" addr add "$ATT6/64" dev veth0 nodad || return 1
  mkdir -p "$TMP/www"
  ip netns exec "$SRV" "$PY" -m http.server --bind :: --directory "$TMP/www" "$PORT" \
    >>"$TMP/listener.log" 2>&1 &
  LISTENER_PID=$!
  local i
  for ((i = 0; i < 50; i++)); do
    connect "$ATT4" "$SRV4" 2>/dev/null && connect "$ATT6" "$SRV6" 2>/dev/null && return 0
    sleep 0.1
  done
  echo "listener in $SRV did not come up" >&2
  return 1
}

ns_down() {
  if [[ -n $LISTENER_PID ]]; then
    kill "$LISTENER_PID" 2>/dev/null
    wait "$LISTENER_PID" 2>/dev/null
    LISTENER_PID=''
  fi
  ip netns del "$SRV" 2>/dev/null
  ip netns del "$ATT" 2>/dev/null
  return 0
}

# connect SRC DST : one TCP connection attempt from the attacker namespace, 1 s timeout.
connect() {
  ip netns exec "$ATT" "$PY" -c '
import socket, sys
src, dst, port = sys.argv[1], sys.argv[2], int(sys.argv[3])
s = socket.socket(socket.AF_INET6 if ":" in dst else socket.AF_INET, socket.SOCK_STREAM)
s.settimeout(1.0)
s.bind((src, 0))
try:
    s.connect((dst, port))
except OSError:
    sys.exit(1)
' "$1" "$2" "$PORT"
}

# --- JSON handshake ---------------------------------------------------------------------------

# handshake REQUEST REPLY CMD... : feeds REQUEST, reads the first stdout line into HS_KEYS,
# checks it is not acted on yet (HS_BEFORE gets the exit of HS_PROBE, a function name, if set), sends
# REPLY, and leaves the rest of stdout in HS_REST and the exit status in HS_RC.
handshake() {
  local request=$1 reply=$2 pid w r
  shift 2
  rm -f "$TMP/hs.in" "$TMP/hs.out"
  mkfifo "$TMP/hs.in" "$TMP/hs.out"
  "$@" <"$TMP/hs.in" >"$TMP/hs.out" 2>>"$TMP/commands.log" &
  pid=$!
  exec {w}>"$TMP/hs.in" {r}<"$TMP/hs.out"
  send "$w" "$request"
  HS_KEYS='' HS_BEFORE=''
  IFS= read -r -t 10 HS_KEYS <&"$r"
  if [[ -n ${HS_PROBE:-} ]]; then
    "$HS_PROBE" >>"$TMP/commands.log" 2>&1
    HS_BEFORE=$?
  fi
  send "$w" "$reply"
  exec {w}>&-
  HS_REST=$(timeout 10 cat <&"$r")
  exec {r}<&-
  wait "$pid"
  HS_RC=$?
}

# send FD LINE : writes a line to a script that may already have exited.
send() {
  (
    trap '' PIPE
    printf '%s\n' "$2" >&"$1"
  ) 2>/dev/null
}

# run_json REQUEST CMD... : no handshake expected; stdout in JS_OUT, exit status in JS_RC.
run_json() {
  local request=$1
  shift
  JS_OUT=$(printf '%s\n' "$request" | "$@" 2>>"$TMP/commands.log")
  JS_RC=$?
}

# A Wazuh 4.x style request: the address sits at parameters.alert.data.srcip, and decoys sit
# where a sloppy parser would pick them up (another object, an escaped string in full_log).
wazuh_request() { # COMMAND SRCIP
  printf '{"version":1,"origin":{"name":"node01","module":"wazuh-execd"},"command":"%s",' "$1"
  printf '"parameters":{"extra_args":[],"alert":{"timestamp":"2024-05-01T10:00:00.000+0000",'
  printf '"rule":{"level":10,"description":"sshd: brute force","id":"5712","firedtimes":3,'
  printf '"groups":["syslog","sshd"]},"agent":{"id":"000","name":"srv"},"id":"1714557600.4242",'
  printf '"full_log":"sshd[1]: {\\"srcip\\":\\"192.0.2.66\\"} from 192.0.2.66",'
  printf '"decoy":{"srcip":"192.0.2.77"},"data":{"srcip":"%s","srcport":"51000","dstuser":"root"},' "$2"
  printf '"location":"/var/log/auth.log"},"program":"active-response/bin/x"}}'
}

check_keys() { # NAME IP
  printf '{"version":1,"origin":{"name":"%s","module":"active-response"},' "$1"
  printf '"command":"check_keys","parameters":{"keys":["%s"]}}' "$2"
}

EXECD_CONTINUE='{"version":1,"origin":{"name":"node01","module":"wazuh-execd"},"command":"continue","parameters":{}}'
EXECD_ABORT='{"version":1,"origin":{"name":"node01","module":"wazuh-execd"},"command":"abort","parameters":{}}'

# Inputs that must be refused with exit 2 and change nothing.
BAD_IPS=('1.2.3.4;rm -rf /' '$(id)' '999.1.1.1' '-' '' '10.0.0.1 10.0.0.2' '1.2.3.4/0'
  'fe80::1%eth0' '1::2::3' '0x0a000001' $'10.0.0.1\n10.0.0.2')
