#!/usr/bin/env node
// sshguard's log parser (sshg-parser, C) for bench/replay.mjs to compare against, unpacked from
// Debian's package into a cache directory: `apt-get download` + `dpkg -x`, never `apt-get install`
// (the package starts a service that changes the host's firewall). Nothing outside the cache is
// touched. Usage: node scripts/sshguard.mjs [--dir DIR]   → prints the parser's path, or why not.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

export const defaultDir = join(homedir(), '.cache', 'portcullis', 'sshguard');
const PARSER = join('usr', 'libexec', 'sshguard', 'sshg-parser');

function run(cmd, args, cwd) {
  const r = spawnSync(cmd, args, { cwd, encoding: 'utf8' });
  if (r.error) return `${cmd}: ${r.error.code === 'ENOENT' ? 'not found' : r.error.message}`;
  if (r.status !== 0) return `'${cmd} ${args.join(' ')}' failed (exit ${r.status ?? r.signal}): ${(r.stderr || r.stdout).trim().split('\n').slice(-2).join(' ')}`;
  return null;
}

/**
 * sshg-parser in `dir` (fetched there first when missing): `{ parser, version }`, or `{ error }`
 * saying why it cannot be had (no apt-get, no network, no such package for this release).
 */
export function sshgParser(dir = defaultDir) {
  const parser = join(dir, PARSER);
  const versionFile = join(dir, 'VERSION');
  if (existsSync(parser) && existsSync(versionFile)) return { parser, version: readFileSync(versionFile, 'utf8').trim() };
  mkdirSync(dir, { recursive: true });
  const tmp = mkdtempSync(join(dir, 'download-'));
  try {
    const failed = run('apt-get', ['download', 'sshguard'], tmp);
    if (failed) return { error: `cannot download Debian's sshguard package: ${failed}` };
    const deb = readdirSync(tmp).find((f) => f.startsWith('sshguard_') && f.endsWith('.deb'));
    if (!deb) return { error: `apt-get download sshguard left no .deb in ${tmp}` };
    const unpacked = run('dpkg', ['-x', join(tmp, deb), dir], tmp);
    if (unpacked) return { error: `cannot unpack ${deb}: ${unpacked}` };
    if (!existsSync(parser)) return { error: `${deb} has no ${PARSER}` };
    const version = deb.split('_')[1] ?? '?';
    writeFileSync(versionFile, `${version}\n`);
    return { parser, version };
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { values } = parseArgs({ options: { dir: { type: 'string', default: defaultDir } } });
  const r = sshgParser(values.dir);
  if (r.error) {
    console.error(`sshguard: ${r.error}`);
    process.exit(1);
  }
  console.log(`${r.parser} (sshguard ${r.version})`);
}
