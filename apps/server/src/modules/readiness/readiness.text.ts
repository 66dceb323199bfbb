// Readiness for a terminal: the start banner and `portcullis check-config` print the same lines.
// Errors are red when the output is a terminal; the words say it either way.
import type { Readiness, ReadinessProblem } from '@portcullis/shared';

const RED = '\x1b[31m';
const YELLOW = '\x1b[33m';
const BOLD = '\x1b[1m';
const RESET = '\x1b[0m';

/** The opening words of a problem, so it reads right without colour too. */
export function problemHeading(p: ReadinessProblem): string {
  if (p.severity === 'warning') return 'warning:';
  if (p.code === 'SCRIPT_UNSAFE') return 'ACTIVE RESPONSE IS UNSAFE:';
  if (p.area === 'log_file') return 'LOG FILE WILL NOT BE READ:';
  return 'ACTIVE RESPONSE WILL NOT RUN:';
}

/** One or two lines per problem (the problem, then what to do), each starting with `indent`. */
export function problemLines(r: Readiness, options: { color: boolean; indent?: string }): string[] {
  const indent = options.indent ?? '';
  const paint = (code: string, text: string): string => (options.color ? `${code}${text}${RESET}` : text);
  const out: string[] = [];
  for (const p of r.problems) {
    const heading = problemHeading(p);
    const first = `${heading} ${p.message}`;
    out.push(indent + (p.severity === 'error' ? paint(BOLD + RED, first) : paint(YELLOW, first)));
    out.push(`${indent}    fix: ${p.fix}`);
  }
  return out;
}

/** What each command would run, e.g. `firewall-drop  /opt/portcullis/active-response/firewall-drop.sh (nftables (/usr/sbin/nft))`. */
export function commandLines(r: Readiness, indent = ''): string[] {
  const width = Math.max(0, ...r.commands.map((c) => c.name.length));
  return r.commands.map((c) => {
    const what = c.ok ? `${c.path}${c.backend ? `  (${c.backend})` : ''}` : `cannot run: ${c.problem}`;
    return `${indent}${c.name.padEnd(width)}  ${what}${c.used ? '' : '  [no active response uses it]'}`;
  });
}

/** Where the scripts come from, in words. */
export function arDirLine(r: Readiness): string {
  const d = r.active_response_dir;
  const from = { config: '<active_response_dir>', env: 'PORTCULLIS_ACTIVE_RESPONSE_DIR', home: "the config's own", shipped: 'the shipped scripts' }[d.from];
  return `${d.path} (${from})${d.exists ? '' : ' — MISSING'}`;
}
