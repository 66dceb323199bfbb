// What a match needs, read from a pattern's JS source once at compile time: the characters
// every match must contain (as 128-bit masks, per top-level alternative) and the characters a
// match can start with. The engine checks them against a line before running any regex.
import { requiredCharsMemo } from './safety.js';

/** Lowercased-ASCII character mask of a subject (4 × 32 bits). */
export function charMask(s: string, out: Uint32Array): void {
  out[0] = out[1] = out[2] = out[3] = 0;
  for (let i = 0; i < s.length; i++) {
    let c = s.charCodeAt(i);
    if (c >= 128) continue;
    if (c >= 65 && c <= 90) c += 32;
    out[c >> 5]! |= 1 << (c & 31);
  }
}

/** Required-character masks of a JS source's top-level alternatives (see Pattern.requiredChars). */
export function sourceRequiredChars(src: string): Uint32Array[] | null {
  const masks: Uint32Array[] = [];
  for (const alt of topLevelAlternatives(src)) {
    const m = new Uint32Array(4);
    let bits = 0;
    let depth = 0;
    for (let i = 0; i < alt.length; i++) {
      let ch = alt[i]!;
      if (ch === '(') { depth++; continue; }
      if (ch === ')') { depth--; continue; }
      if (ch === '[') {
        // skip a class
        i++;
        while (i < alt.length && alt[i] !== ']') i += alt[i] === '\\' ? 2 : 1;
        continue;
      }
      if (ch === '{') {
        // a counted repeat `{n}`, `{n,}`, `{n,m}`: its digits are not characters of the subject
        const q = /^\{\d*,?\d*\}/.exec(alt.slice(i));
        if (q) {
          i += q[0].length - 1;
          continue;
        }
      }
      let literal = true;
      if (ch === '\\') {
        const e = alt[i + 1] ?? '';
        i++;
        if (/[A-Za-z0-9]/.test(e)) literal = false;
        else ch = e;
      } else if ('.^$|?*+{}'.includes(ch)) literal = false;
      const q = alt[i + 1];
      const optional = q === '?' || q === '*' || (q === '{' && /^\{0[,}]/.test(alt.slice(i + 1)));
      if (!literal || optional || depth > 0) continue;
      let c = ch.charCodeAt(0);
      if (c >= 128) continue;
      if (c >= 65 && c <= 90) c += 32;
      m[c >> 5]! |= 1 << (c & 31);
      bits++;
    }
    // One character is worth its check (a compare of four words): `\?{21}` or `@{25}` (OSSEC's
    // attack rules) need a character few logs have, and ran on a third of the auth log's lines.
    if (bits === 0) return null;
    masks.push(m);
  }
  return masks;
}

/** Required characters of a compiled RegExp (case-insensitive ones only), memoised by source. */
export function reRequiredChars(re: object | null): Uint32Array[] | null {
  if (re === null) return null;
  const r = re as unknown as { source?: string; flags?: string };
  if (typeof r.source !== 'string' || typeof r.flags !== 'string' || !r.flags.includes('i')) return null;
  return requiredCharsMemo(r.source, sourceRequiredChars);
}

/** Splits JS regex source on top-level `|` (outside groups, classes and escapes). */
function topLevelAlternatives(src: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let inClass = false;
  let start = 0;
  for (let i = 0; i < src.length; i++) {
    const c = src[i];
    if (c === '\\') {
      i++;
      continue;
    }
    if (inClass) {
      if (c === ']') inClass = false;
      continue;
    }
    if (c === '[') inClass = true;
    else if (c === '(') depth++;
    else if (c === ')') depth--;
    else if (c === '|' && depth === 0) {
      out.push(src.slice(start, i));
      start = i + 1;
    }
  }
  out.push(src.slice(start));
  return out;
}

/** First-character set of a JS source (see Pattern.firstChars), or null. */
export function sourceFirstChars(src: string, caseless: boolean): Set<string> | null {
  const set = new Set<string>();
  for (const alt of topLevelAlternatives(src)) {
    if (!alt.startsWith('^')) return null;
    let ch = alt[1];
    let next = 2;
    if (ch === undefined) return null;
    if (ch === '\\') {
      const e = alt[2];
      if (e === undefined || /[A-Za-z0-9]/.test(e)) return null;
      ch = e;
      next = 3;
    } else if ('([.^$|?*+{'.includes(ch)) return null;
    const q = alt[next];
    if (q === '?' || q === '*' || (q === '{' && /^\{0[,}]/.test(alt.slice(next)))) return null;
    if (caseless) {
      set.add(ch.toLowerCase());
      set.add(ch.toUpperCase());
    } else set.add(ch);
  }
  return set;
}

/** First characters of a compiled RegExp. */
export function reFirstChars(re: object | null): Set<string> | null {
  if (re === null) return null;
  const r = re as unknown as { source?: string; flags?: string };
  // Multiline: `^` also matches after a line terminator inside the subject.
  if (typeof r.source !== 'string' || typeof r.flags !== 'string' || r.flags.includes('m')) return null;
  return sourceFirstChars(r.source, r.flags.includes('i'));
}
