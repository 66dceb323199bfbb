# Copyright Portcullis contributors. SPDX-License-Identifier: Apache-2.0
#
# Plumbing shared by the Portcullis active-response scripts: reading a request (OSSEC argv or
# Wazuh JSON on stdin), the check_keys handshake, strict IP validation, the lock and the
# active-responses.log. Sourced by the scripts, never run on its own.
#
# Callers must set AR_NAME (the origin name used in check_keys) and AR_SCRIPT_DIR before
# sourcing, and must not write anything else to stdout in JSON mode: stdout is the channel to
# execd.
#
# JSON reading lives in ar-json.sh, address validation in ar-ip.sh; both are sourced here.
#
# shellcheck shell=bash disable=SC2034
# (SC2034: the variables set here are read by the scripts that source this file.)

export LC_ALL=C

readonly AR_EXIT_OK=0
readonly AR_EXIT_NOT_BLOCKED=1
readonly AR_EXIT_BAD_INPUT=2
readonly AR_EXIT_LOCK=3
readonly AR_EXIT_FAILED=4

# How long to wait for execd's continue/abort after printing check_keys.
readonly AR_HANDSHAKE_TIMEOUT=60
# Longest value copied into a log line; a hostile alert must not bloat the log.
readonly AR_LOG_FIELD_MAX=128

: "${AR_SCRIPT_DIR:?callers set AR_SCRIPT_DIR, the directory of the script itself}"

# Request fields, filled by ar_read_request.
AR_MODE=''        # argv | json
AR_ACTION=''
AR_USER='-'
AR_SRCIP=''       # as received
AR_ALERT_ID=''
AR_RULE_ID=''
AR_LOCATION=''
AR_FILENAME=''

# shellcheck source-path=SCRIPTDIR source=ar-json.sh
source "$AR_SCRIPT_DIR/lib/ar-json.sh"
# shellcheck source-path=SCRIPTDIR source=ar-ip.sh
source "$AR_SCRIPT_DIR/lib/ar-ip.sh"

ar_init() {
  AR_LOG=${PORTCULLIS_AR_LOG:-$AR_SCRIPT_DIR/../logs/active-responses.log}
  mkdir -p -- "$(dirname -- "$AR_LOG")" 2>/dev/null || true
}

_ar_field() {
  local v=${1:0:$AR_LOG_FIELD_MAX}
  printf '%s' "${v//[[:cntrl:]]/?}"
}

# One line in active-responses.log. Logging must never make the script fail.
ar_log() {
  local line
  line="$(date) $*"
  line=${line//[[:cntrl:]]/?}
  { printf '%s\n' "$line" >>"$AR_LOG"; } 2>/dev/null || true
}

# A problem worth telling a human who runs the script by hand, too.
ar_warn() {
  ar_log "$0: $*"
  printf '%s: %s\n' "${0##*/}" "$*" >&2
}

# The OSSEC-style call line: `date` $0 $1 $2 $3 $4 $5
ar_log_call() {
  ar_log "$0 $(_ar_field "$AR_ACTION") $(_ar_field "$AR_USER") $(_ar_field "$AR_SRCIP")" \
    "$(_ar_field "$AR_ALERT_ID") $(_ar_field "$AR_RULE_ID")"
}

# Runs a command quietly; on failure logs the command with its error output.
# Returns the command's status.
ar_run() {
  local out rc
  out=$("$@" 2>&1)
  rc=$?
  if ((rc != 0)); then
    out=${out//$'\n'/ | }
    ar_warn "command failed (exit $rc): $* :: ${out:0:300}"
  fi
  return "$rc"
}
# --- request ----------------------------------------------------------------------------------

# ar_read_request "$@": OSSEC argv when there are arguments, else one JSON line on stdin.
ar_read_request() {
  if (($# > 0)); then
    AR_MODE=argv
    AR_ACTION=$1 AR_USER=${2-} AR_SRCIP=${3-} AR_ALERT_ID=${4-} AR_RULE_ID=${5-}
    AR_LOCATION=${6-} AR_FILENAME=${7-}
    return 0
  fi
  AR_MODE=json
  local line=''
  IFS= read -r line || [[ -n $line ]] || return 1
  ar_json_get "$line" command parameters.alert.data.srcip parameters.alert.data.win.eventdata.ipAddress \
    parameters.alert.data.dstuser parameters.alert.id parameters.alert.rule.id parameters.alert.location ||
    return 1
  AR_ACTION=${AR_JSON[0]}
  AR_SRCIP=${AR_JSON[1]:-${AR_JSON[2]}}
  AR_USER=${AR_JSON[3]:--}
  AR_ALERT_ID=${AR_JSON[4]}
  AR_RULE_ID=${AR_JSON[5]}
  AR_LOCATION=${AR_JSON[6]}
}

# ar_check_action ALLOWED... : exits with AR_EXIT_BAD_INPUT unless AR_ACTION is one of them.
ar_check_action() {
  local a
  for a in "$@"; do [[ $AR_ACTION == "$a" ]] && return 0; done
  ar_warn "invalid action '$(_ar_field "$AR_ACTION")' (expected: $*)"
  exit "$AR_EXIT_BAD_INPUT"
}

# For a JSON add: print check_keys and wait for execd's answer. Returns on continue; exits 0 on
# abort (execd already has a pending block for this key) and exits AR_EXIT_BAD_INPUT when the
# answer is missing or unreadable, without changing anything.
ar_handshake() {
  [[ $AR_MODE == json && $AR_ACTION == add ]] || return 0
  local keys reply='' command
  keys="{\"version\":1,\"origin\":{\"name\":\"$AR_NAME\",\"module\":\"active-response\"},"
  keys+="\"command\":\"check_keys\",\"parameters\":{\"keys\":[\"$AR_IP\"]}}"
  printf '%s\n' "$keys"
  ar_log "$0: $keys"
  if ! IFS= read -r -t "$AR_HANDSHAKE_TIMEOUT" reply && [[ -z $reply ]]; then
    ar_warn "no answer to check_keys"
    exit "$AR_EXIT_BAD_INPUT"
  fi
  reply=${reply//[[:space:]]/}
  case $reply in
    continue | abort) command=$reply ;;
    '{'*) ar_json_get "$reply" command && command=${AR_JSON[0]} || command='' ;;
    *) command='' ;;
  esac
  case $command in
    continue) ar_log "$0: continue" ;;
    abort)
      ar_log "$0: Aborted"
      exit "$AR_EXIT_OK"
      ;;
    *)
      ar_warn "unreadable answer to check_keys: $(_ar_field "$reply")"
      exit "$AR_EXIT_BAD_INPUT"
      ;;
  esac
}

# Validates AR_SRCIP into AR_IP or exits with AR_EXIT_BAD_INPUT. An add of a meaningless address
# (0.0.0.0, broadcast, multicast, ::…) is refused too; delete and check still take one, so a block
# made before this check can be undone.
ar_require_ip() {
  if ! ar_parse_ip "$AR_SRCIP"; then
    ar_warn "invalid IP address '$(_ar_field "$AR_SRCIP")'"
    exit "$AR_EXIT_BAD_INPUT"
  fi
  if [[ $AR_ACTION == add ]] && ar_ip_meaningless; then
    ar_warn "refusing to block $AR_IP: $AR_IP_WHY"
    exit "$AR_EXIT_BAD_INPUT"
  fi
}

# --- lock -------------------------------------------------------------------------------------

# ar_lock DEFAULT_PATH: takes an exclusive flock on fd 9, held until the script exits.
# PORTCULLIS_AR_LOCK overrides the path; the default falls back to /tmp when /run is not
# writable. Exits AR_EXIT_LOCK when the lock cannot be had within PORTCULLIS_AR_LOCK_TIMEOUT
# seconds (default 30).
ar_lock() {
  local path=${PORTCULLIS_AR_LOCK:-$1} wait=${PORTCULLIS_AR_LOCK_TIMEOUT:-30}
  [[ $wait =~ ^[0-9]+$ ]] || wait=30
  if ! command -v flock >/dev/null; then
    ar_warn "flock not found (util-linux); cannot lock"
    exit "$AR_EXIT_LOCK"
  fi
  if ! { exec 9>>"$path"; } 2>/dev/null; then
    if [[ -z ${PORTCULLIS_AR_LOCK:-} ]]; then
      path=/tmp/${1##*/}
    fi
    if ! { exec 9>>"$path"; } 2>/dev/null; then
      ar_warn "cannot open lock file $path"
      exit "$AR_EXIT_LOCK"
    fi
  fi
  if ! flock -w "$wait" 9; then
    ar_warn "lock timeout after ${wait}s on $path"
    exit "$AR_EXIT_LOCK"
  fi
}

# The start every script shares: read the request (argv or Wazuh JSON), log the call, and accept
# only add, delete (and check, outside JSON) for a valid address; anything else exits with
# AR_EXIT_BAD_INPUT.
ar_begin() {
  ar_init
  if ! ar_read_request "$@"; then
    ar_log_call
    ar_warn "unreadable JSON request on stdin"
    exit "$AR_EXIT_BAD_INPUT"
  fi
  ar_log_call
  if [[ $AR_MODE == json ]]; then ar_check_action add delete; else ar_check_action add delete check; fi
  ar_require_ip
}
