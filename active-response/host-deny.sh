#!/usr/bin/env bash
# Copyright Portcullis contributors. SPDX-License-Identifier: Apache-2.0
#
# host-deny.sh: denies one source address (or network) to every TCP-wrapped service by adding a
# line to hosts.deny, and removes that line again.
#
# Called by execd in either of two ways:
#   OSSEC  host-deny.sh add|delete|check USER SRCIP [ALERT_ID RULE_ID LOCATION FILENAME]
#   Wazuh  host-deny.sh            (no arguments) with one JSON request line on stdin,
#          {"command":"add|delete","parameters":{"alert":{"data":{"srcip":"..."}}}}; for add it
#          prints check_keys on stdout and reads execd's continue/abort from stdin.
# and by Portcullis at start (and every 30 s) as
#          host-deny.sh preflight
#          which changes nothing and takes no lock: it prints the file an add would write and exits
#          0, or prints what is missing (then a "fix: ..." line) on stderr and exits 4.
# portcullis-preflight: yes
#
# The line is, in hosts_access(5) syntax:
#   ALL: 192.0.2.7                ALL: [2001:db8::7]
#   ALL: 192.0.2.0/255.255.255.0  ALL: [2001:db8::]/64      (for a network)
# add appends it unless that exact line is already there; delete rewrites the file without that
# exact line (temporary file in the same directory, same mode and owner, then rename), leaving
# every other line alone; check looks for the exact line. A symlinked hosts.deny is followed.
#
# Environment:
#   PORTCULLIS_HOSTS_DENY       file to edit (default: /etc/hosts.deny)
#   PORTCULLIS_AR_LOG           log file (default: <script dir>/../logs/active-responses.log)
#   PORTCULLIS_AR_LOCK          lock file (default: /run/portcullis-host-deny.lock, or /tmp/...
#                               when /run is not writable)
#   PORTCULLIS_AR_LOCK_TIMEOUT  seconds to wait for the lock (default: 30)
#   PORTCULLIS_AR_JSON_PARSER   python3 | bash (default: python3 when installed, else bash)
#
# Exit codes:
#   0  done; also: add of a line already there, delete of a line not there, execd abort,
#      check of a line that is there
#   1  check: the line is not there
#   2  bad input: unknown action, invalid or missing address, unreadable JSON or handshake
#   3  lock timeout (another run held the lock too long)
#   4  the file could not be read or written (preflight: an add or delete would fail)

set -uo pipefail

# shellcheck disable=SC2034 # read by lib/ar-common.sh
AR_NAME=host-deny
AR_SCRIPT_DIR=$(dirname -- "$(readlink -f -- "${BASH_SOURCE[0]}")")
# shellcheck source-path=SCRIPTDIR source=lib/ar-common.sh
source "$AR_SCRIPT_DIR/lib/ar-common.sh"

# Prints the hosts.deny line for AR_IP.
deny_line() {
  local mask
  if [[ $AR_FAMILY == 4 ]]; then
    if [[ -n $AR_PREFIX ]]; then
      # TCP wrappers take an IPv4 network as net/mask, not net/prefix.
      mask=$(_ar_ipv4_text $(((0xffffffff << (32 - AR_PREFIX)) & 0xffffffff)))
      printf 'ALL: %s/%s' "${AR_IP%/*}" "$mask"
    else
      printf 'ALL: %s' "$AR_IP"
    fi
  elif [[ -n $AR_PREFIX ]]; then
    printf 'ALL: [%s]/%s' "${AR_IP%/*}" "$AR_PREFIX"
  else
    printf 'ALL: [%s]' "$AR_IP"
  fi
}

has_line() {
  [[ -f $FILE ]] && grep -Fxq -- "$LINE" "$FILE"
}

add_line() {
  local sep=''
  if has_line; then
    ar_log "$0: '$LINE' already in $FILE"
    return 0
  fi
  # Never glue our line onto a last line that has no newline.
  if [[ -s $FILE && -n $(tail -c 1 -- "$FILE") ]]; then sep=$'\n'; fi
  if ! (umask 022 && printf '%s%s\n' "$sep" "$LINE" >>"$FILE") 2>/dev/null; then
    ar_warn "cannot write $FILE"
    return 1
  fi
  ar_log "$0: added '$LINE' to $FILE"
}

delete_line() {
  local tmp rc
  if ! has_line; then
    ar_log "$0: '$LINE' not in $FILE"
    return 0
  fi
  if ! tmp=$(mktemp -- "$FILE.portcullis.XXXXXX" 2>/dev/null); then
    ar_warn "cannot create a temporary file next to $FILE"
    return 1
  fi
  grep -Fxv -- "$LINE" "$FILE" >"$tmp"
  rc=$?
  # grep exits 1 when no line is left, which is a fine result here.
  if ((rc > 1)) || ! chmod --reference="$FILE" -- "$tmp" 2>/dev/null; then
    rm -f -- "$tmp"
    ar_warn "cannot rewrite $FILE"
    return 1
  fi
  chown --reference="$FILE" -- "$tmp" 2>/dev/null || true
  if ! mv -f -- "$tmp" "$FILE" 2>/dev/null; then
    rm -f -- "$tmp"
    ar_warn "cannot replace $FILE"
    return 1
  fi
  ar_log "$0: removed '$LINE' from $FILE"
}

# Sets FILE: the real hosts.deny, so a symlinked one stays a symlink.
deny_file() {
  FILE=${PORTCULLIS_HOSTS_DENY:-/etc/hosts.deny}
  FILE=$(readlink -f -- "$FILE" 2>/dev/null) || FILE=${PORTCULLIS_HOSTS_DENY:-/etc/hosts.deny}
}

# Prints the problem and what to do about it on stderr, and exits 4.
preflight_fail() { # PROBLEM FIX
  printf '%s\nfix: %s\n' "$1" "$2" >&2
  exit "$AR_EXIT_FAILED"
}

# What add and delete need, checked without changing anything: the lock tool, a writable file, and
# a writable directory (delete writes a temporary file beside it).
preflight() {
  local dir
  command -v flock >/dev/null || preflight_fail "flock not found in PATH ($PATH): every add would fail to take the lock" \
    "install util-linux (apt-get install util-linux)"
  deny_file
  dir=$(dirname -- "$FILE")
  [[ -d $dir ]] || preflight_fail "the directory of $FILE does not exist" "create $dir, or set PORTCULLIS_HOSTS_DENY"
  if [[ -e $FILE && ! -w $FILE ]]; then
    preflight_fail "$FILE is not writable by $(id -un)" "run Portcullis as root, or set PORTCULLIS_HOSTS_DENY to a file it may write"
  fi
  [[ -w $dir ]] || preflight_fail "$dir is not writable by $(id -un) (delete writes a temporary file beside $FILE)" \
    "run Portcullis as root, or set PORTCULLIS_HOSTS_DENY to a file in a directory it may write"
  printf 'hosts.deny %s\n' "$FILE"
  exit "$AR_EXIT_OK"
}

main() {
  [[ ${1-} == preflight && $# -eq 1 ]] && preflight
  ar_begin "$@"
  LINE=$(deny_line)
  deny_file
  ar_handshake

  if [[ $AR_ACTION == check ]]; then
    has_line && exit "$AR_EXIT_OK"
    exit "$AR_EXIT_NOT_BLOCKED"
  fi

  ar_lock /run/portcullis-host-deny.lock
  if [[ $AR_ACTION == add ]]; then
    add_line || exit "$AR_EXIT_FAILED"
  else
    delete_line || exit "$AR_EXIT_FAILED"
  fi
  exit "$AR_EXIT_OK"
}

main "$@"
