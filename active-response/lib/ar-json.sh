# Copyright Portcullis contributors. SPDX-License-Identifier: Apache-2.0
#
# Reading values out of the Wazuh JSON request, sourced by ar-common.sh. python3 (the json
# module, exact) is used when it is on PATH; otherwise a pure-bash tokenizer that follows key
# paths through nested objects, so a "srcip" inside another object or inside an escaped string
# is never taken. PORTCULLIS_AR_JSON_PARSER=python3|bash forces one of them (the tests run both).
# Escapes inside strings are left as they are: every value we use (an action, an address) is
# valid only without them.
#
# shellcheck shell=bash

# Prints, one per line, the string values found at the dotted paths given after the document.
# A path that is missing or holds a non-string prints an empty line. Fails on malformed JSON
# and when the document is not an object.
_ar_json_python() {
  local doc=$1
  shift
  printf '%s' "$doc" | "$AR_PYTHON" -c '
import json, re, sys
try:
    doc = json.loads(sys.stdin.buffer.read())
except ValueError:
    sys.exit(1)
if not isinstance(doc, dict):
    sys.exit(1)
for path in sys.argv[1:]:
    node = doc
    for key in path.split("."):
        node = node.get(key) if isinstance(node, dict) else None
    value = node if isinstance(node, str) else ""
    sys.stdout.write(re.sub(r"[\x00-\x1f\x7f]", "?", value) + "\n")
' "$@"
}

_ar_json_bash() {
  local doc=$1
  shift
  local re='^[[:space:]]*("[^"\\]*(\\.[^"\\]*)*"|[][{}:,]|[^][{}:,"[:space:]]+)'
  local -a kinds=() prefixes=()
  local -A found=()
  local tok key='' expect=value depth=0 here p v
  while [[ $doc =~ $re ]]; do
    tok=${BASH_REMATCH[1]}
    doc=${doc:${#BASH_REMATCH[0]}}
    # The path a value token would sit at.
    if ((depth == 0)); then
      here=''
    elif [[ ${kinds[depth - 1]} == o ]]; then
      here=${prefixes[depth - 1]:+${prefixes[depth - 1]}.}$key
    else
      here=${prefixes[depth - 1]:+${prefixes[depth - 1]}.}[]
    fi
    # expect: value (after ':' or at the root), first (just after '['), item (after ',' in an
    # array), key (just after '{'), name (after ',' in an object), colon, sep (',' or a close).
    # The document itself must be an object.
    ((depth > 0)) || [[ $tok == '{' && $expect == value ]] || return 1
    case $expect$tok in
      'value{' | 'value[' | 'first{' | 'first[' | 'item{' | 'item[')
        if [[ $tok == '{' ]]; then kinds[depth]=o expect=key; else kinds[depth]=a expect=first; fi
        prefixes[depth]=$here
        ((depth += 1))
        ;;
      'key}' | 'sep}' | 'first]' | 'sep]')
        ((depth > 0)) || return 1
        [[ ${kinds[depth - 1]}$tok == 'o}' || ${kinds[depth - 1]}$tok == 'a]' ]] || return 1
        ((depth -= 1))
        expect=sep
        ;;
      'key"'* | 'name"'*)
        key=${tok:1:${#tok}-2}
        expect='colon'
        ;;
      'colon:') expect=value ;;
      'sep,')
        ((depth > 0)) || return 1
        if [[ ${kinds[depth - 1]} == o ]]; then expect=name; else expect=item; fi
        ;;
      'value"'* | 'first"'* | 'item"'*)
        found[$here]=${tok:1:${#tok}-2}
        expect=sep
        ;;
      value* | first* | item*)
        [[ $tok =~ ^(true|false|null|-?[0-9][0-9.eE+-]*)$ ]] || return 1
        unset 'found[$here]'
        expect=sep
        ;;
      *) return 1 ;;
    esac
    ((depth == 0)) && [[ $expect == sep ]] && expect=end
  done
  [[ $expect == end && $doc =~ ^[[:space:]]*$ ]] || return 1
  for p in "$@"; do
    v=${found[$p]-}
    printf '%s\n' "${v//[[:cntrl:]]/?}"
  done
}

# ar_json_get DOC PATH... : fills the array AR_JSON with one value per path.
ar_json_get() {
  local out rc
  case ${PORTCULLIS_AR_JSON_PARSER:-} in
    python3) AR_PYTHON=$(command -v python3) || return 1 ;;
    bash) AR_PYTHON='' ;;
    '') AR_PYTHON=$(command -v python3) || AR_PYTHON='' ;;
    *) return 1 ;;
  esac
  if [[ -n $AR_PYTHON ]]; then
    out=$(_ar_json_python "$@")
  else
    out=$(_ar_json_bash "$@")
  fi
  rc=$?
  ((rc == 0)) || return 1
  AR_JSON=()
  [[ -n $out ]] && mapfile -t AR_JSON <<<"$out"
  while ((${#AR_JSON[@]} < $# - 1)); do AR_JSON+=(''); done
  return 0
}
