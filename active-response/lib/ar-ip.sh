# Copyright Portcullis contributors. SPDX-License-Identifier: Apache-2.0
#
# Strict IPv4/IPv6 validation and canonical text, sourced by ar-common.sh. Nothing here runs a
# command on the input: an address is checked character by character and rebuilt from numbers.
#
# shellcheck shell=bash disable=SC2034
# (SC2034: AR_IP, AR_FAMILY, AR_PREFIX and AR_IP_WHY are read by the scripts.)

# Filled by ar_parse_ip.
AR_IP=''          # canonical: host address, or network/prefix
AR_FAMILY=''      # 4 | 6
AR_PREFIX=''      # empty for a single host
AR_IP_WHY=''      # set by ar_ip_meaningless

# Sets _AR_V4 to the 32-bit value of a dotted quad; fails unless it is exactly four decimal
# octets 0-255 without leading zeros (010 means 8 to some parsers and 10 to others).
_ar_ipv4_value() {
  local octet='(0|[1-9][0-9]?|1[0-9][0-9]|2[0-4][0-9]|25[0-5])'
  [[ $1 =~ ^$octet\.$octet\.$octet\.$octet$ ]] || return 1
  _AR_V4=$(((BASH_REMATCH[1] << 24) | (BASH_REMATCH[2] << 16) | (BASH_REMATCH[3] << 8) | BASH_REMATCH[4]))
}

_ar_ipv4_text() {
  printf '%d.%d.%d.%d' $(($1 >> 24 & 255)) $(($1 >> 16 & 255)) $(($1 >> 8 & 255)) $(($1 & 255))
}

# Appends the 16-bit groups of a colon-separated run ("" is no group) to _AR_G.
_ar_ipv6_groups() {
  local s=$1 g
  [[ -z $s ]] && return 0
  while :; do
    g=${s%%:*}
    [[ $g =~ ^[0-9a-f]{1,4}$ ]] || return 1
    _AR_G+=($((16#$g)))
    [[ $s == *:* ]] || return 0
    s=${s#*:}
  done
}

# Sets _AR_G to the eight groups of an IPv6 address (no prefix, no zone).
_ar_ipv6_value() {
  local a=${1,,} left right tail
  local -a head=()
  _AR_G=()
  [[ $a =~ ^[0-9a-f:.]+$ ]] || return 1
  # A trailing dotted quad (::ffff:1.2.3.4, 64:ff9b::1.2.3.4) stands for the last two groups.
  if [[ $a == *.* ]]; then
    tail=${a##*:}
    [[ $a == *:* ]] && _ar_ipv4_value "$tail" || return 1
    a=${a%:*}:$(printf '%x:%x' $((_AR_V4 >> 16)) $((_AR_V4 & 65535)))
  fi
  if [[ $a == *::* ]]; then
    left=${a%%::*} right=${a#*::}
    [[ $right != *::* ]] || return 1
    _ar_ipv6_groups "$left" || return 1
    head=("${_AR_G[@]}")
    _AR_G=()
    _ar_ipv6_groups "$right" || return 1
    ((${#head[@]} + ${#_AR_G[@]} <= 7)) || return 1
    local -a zeros=()
    while ((${#head[@]} + ${#zeros[@]} + ${#_AR_G[@]} < 8)); do zeros+=(0); done
    _AR_G=("${head[@]}" "${zeros[@]}" "${_AR_G[@]}")
  else
    _ar_ipv6_groups "$a" || return 1
    ((${#_AR_G[@]} == 8)) || return 1
  fi
}

# RFC 5952 text for _AR_G: lower case, no leading zeros, the longest run of two or more zero
# groups (the first one on a tie) written as ::.
_ar_ipv6_text() {
  local i best=-1 bestlen=1 run=0 start=0 out=''
  for ((i = 0; i < 8; i++)); do
    if ((_AR_G[i] == 0)); then
      ((run == 0)) && start=$i
      ((run += 1))
      ((run > bestlen)) && best=$start bestlen=$run
    else
      run=0
    fi
  done
  for ((i = 0; i < 8; i++)); do
    if ((i == best)); then
      out+='::'
      ((i += bestlen - 1))
      continue
    fi
    [[ $out == '' || $out == *: ]] || out+=':'
    out+=$(printf '%x' "${_AR_G[i]}")
  done
  printf '%s' "$out"
}

# ar_parse_ip TEXT: validates an IPv4 or IPv6 address with an optional /prefix and sets AR_IP
# (canonical text; a network is reduced to its network address, a /32 or /128 to the host),
# AR_FAMILY and AR_PREFIX. IPv4-mapped IPv6 hosts (::ffff:a.b.c.d) become plain IPv4.
# A /0 is refused: it would cut the host off from everything.
ar_parse_ip() {
  local text=$1 addr prefix='' i bits
  AR_IP='' AR_FAMILY='' AR_PREFIX=''
  ((${#text} <= 64)) && [[ $text =~ ^[0-9A-Fa-f:./]+$ ]] || return 1
  addr=${text%%/*}
  if [[ $text == */* ]]; then
    prefix=${text#*/}
    [[ $prefix =~ ^[1-9][0-9]{0,2}$ ]] || return 1
  fi
  if _ar_ipv4_value "$addr"; then
    [[ -z $prefix ]] || ((prefix <= 32)) || return 1
    if [[ -n $prefix ]] && ((prefix < 32)); then
      AR_PREFIX=$prefix
      AR_IP=$(_ar_ipv4_text $((_AR_V4 & (0xffffffff << (32 - prefix)) & 0xffffffff)))/$prefix
    else
      AR_IP=$(_ar_ipv4_text "$_AR_V4")
    fi
    AR_FAMILY=4
    return 0
  fi
  _ar_ipv6_value "$addr" || return 1
  [[ -z $prefix ]] || ((prefix <= 128)) || return 1
  if [[ -z $prefix || $prefix == 128 ]]; then
    if [[ ${_AR_G[*]:0:6} == '0 0 0 0 0 65535' ]]; then
      AR_IP=$(_ar_ipv4_text $((_AR_G[6] << 16 | _AR_G[7])))
      AR_FAMILY=4
      return 0
    fi
  else
    AR_PREFIX=$prefix
    for ((i = 0; i < 8; i++)); do
      bits=$((prefix - 16 * i))
      ((bits >= 16)) && continue
      ((bits <= 0)) && bits=0
      _AR_G[i]=$((_AR_G[i] & (0xffff << (16 - bits)) & 0xffff))
    done
  fi
  AR_IP=$(_ar_ipv6_text)${AR_PREFIX:+/$AR_PREFIX}
  AR_FAMILY=6
}

# ar_ip_meaningless: after ar_parse_ip, succeeds (setting AR_IP_WHY) when AR_IP is an address no
# attack comes from: 0.0.0.0/8, multicast (224.0.0.0/4), 240.0.0.0/4 with the broadcast address,
# ::, ff00::/8, and IPv4-compatible ::a.b.c.d (which some tools read as a.b.c.d). The server
# refuses the same addresses before it calls a script (packages/engine/src/address.ts); this is the
# script's own check. For a network, its network address is tested.
ar_ip_meaningless() {
  AR_IP_WHY=''
  if [[ $AR_FAMILY == 4 ]]; then
    local first=${AR_IP%%.*}
    if ((first == 0)); then
      AR_IP_WHY='0.0.0.0/8 ("this network") is never a real source'
    elif ((first >= 224 && first < 240)); then
      AR_IP_WHY='a multicast address (224.0.0.0/4)'
    elif ((first >= 240)); then
      AR_IP_WHY='in 240.0.0.0/4 (reserved, and the broadcast address)'
    fi
  elif [[ $AR_FAMILY == 6 ]]; then
    if [[ ${_AR_G[*]} == '0 0 0 0 0 0 0 0' ]]; then
      AR_IP_WHY='the unspecified address ::'
    elif (((_AR_G[0] >> 8) == 255)); then
      AR_IP_WHY='a multicast address (ff00::/8)'
    elif [[ ${_AR_G[*]:0:6} == '0 0 0 0 0 0' && ${_AR_G[*]:6:2} != '0 1' ]]; then
      AR_IP_WHY='an IPv4-compatible IPv6 address (::a.b.c.d)'
    fi
  fi
  [[ -n $AR_IP_WHY ]]
}
