// Where a <command>'s executable is, as the script runner finds it (in the active-response
// directory only: the name as written, then with `.sh`; its real path must stay inside), and
// whether it may run: a regular file, executable, and — when the server runs as root — not
// writable or owned by anyone else, since whoever can change a script root runs owns the host.
import { constants, accessSync, closeSync, openSync, readSync, readdirSync, realpathSync, statSync, type Stats } from 'node:fs';
import { join, sep } from 'node:path';
import { nameOfGroup, nameOfUser, type RunAs } from './run-as.js';

export type Resolved = { ok: true; path: string } | { ok: false; code: string; message: string; fix: string; path: string | null };

/** Why running `path` as root would hand root to someone else, or null. */
export function unsafeForRoot(path: string, st: Stats, what: string): { message: string; fix: string } | null {
  const mode = (st.mode & 0o7777).toString(8).padStart(4, '0');
  // A directory with the sticky bit only lets owners replace their own files.
  const sticky = st.isDirectory() && (st.mode & 0o1000) !== 0;
  // Writable by the root group only (gid 0, as a clone under umask 002 leaves it) is root's own.
  const writers = st.gid === 0 ? st.mode & 0o002 : st.mode & 0o022;
  if (writers !== 0 && !sticky) {
    const who = (st.mode & 0o002) !== 0 ? 'anyone' : `group ${nameOfGroup(st.gid)}`;
    return {
      message: `${what} ${path} is writable by ${who} (mode ${mode}) and runs as root: whoever can change it gets root`,
      fix: `chmod go-w ${path}`,
    };
  }
  if (st.uid !== 0) {
    return {
      message: `${what} ${path} is owned by ${nameOfUser(st.uid)} (uid ${st.uid}), not root, and runs as root: that user can change what root runs`,
      fix: `chown root:root ${path}`,
    };
  }
  return null;
}

/** `executable` resolved in `dir` (which must exist), with the checks above for `user`. */
export function resolveExecutable(dir: string, executable: string, user: RunAs): Resolved {
  let realDir: string;
  try {
    realDir = realpathSync(dir);
  } catch {
    return { ok: false, code: 'AR_DIR_MISSING', path: null, message: `the active-response directory ${dir} does not exist`, fix: `create ${dir} with the scripts in it` };
  }
  const names = [executable, `${executable}.sh`];
  for (const name of names) {
    const candidate = join(realDir, name);
    let real: string;
    try {
      real = realpathSync(candidate);
    } catch {
      continue;
    }
    if (!real.startsWith(realDir + sep)) {
      return { ok: false, code: 'SCRIPT_OUTSIDE_DIR', path: candidate, message: `${candidate} resolves to ${real}, outside the active-response directory, so it is never run`, fix: `copy the script into ${realDir} instead of linking to it` };
    }
    const st = statSync(real);
    if (!st.isFile()) return { ok: false, code: 'SCRIPT_NOT_FILE', path: real, message: `${real} is not a regular file`, fix: `put the script itself at ${real}` };
    try {
      accessSync(real, constants.X_OK);
    } catch {
      return { ok: false, code: 'SCRIPT_NOT_EXECUTABLE', path: real, message: `${real} is not executable${user.uid === 0 ? '' : ` by ${user.name}`}`, fix: `chmod +x ${real}` };
    }
    if (user.uid === 0) {
      const bad = unsafeForRoot(real, st, 'the script') ?? unsafeForRoot(realDir, statSync(realDir), 'the active-response directory');
      if (bad) return { ok: false, code: 'SCRIPT_UNSAFE', path: real, ...bad };
    }
    return { ok: true, path: real };
  }
  return {
    ok: false,
    code: 'SCRIPT_MISSING',
    path: null,
    message: `no "${names[0]}" or "${names[1]}" in the active-response directory ${realDir}`,
    fix: `put the script in ${realDir}, or correct the <executable>`,
  };
}

/** For a script run as root: a `lib/` beside it (ours source theirs from there) that others could change. */
export function unsafeLib(scriptDir: string): { message: string; fix: string } | null {
  const lib = join(scriptDir, 'lib');
  let st: Stats;
  try {
    st = statSync(lib);
  } catch {
    return null;
  }
  if (!st.isDirectory()) return null;
  const bad = unsafeForRoot(lib, st, 'the script library directory');
  if (bad) return bad;
  for (const name of readdirSync(lib).filter((n) => n.endsWith('.sh')).sort()) {
    const file = join(lib, name);
    const problem = unsafeForRoot(file, statSync(file), 'the script library');
    if (problem) return problem;
  }
  return null;
}

/** The marker our own scripts carry: they answer `preflight` (first 8 KiB, as `check` is declared). */
const PREFLIGHT_MARK = /^# portcullis-preflight: yes$/m;

export function hasPreflight(file: string): boolean {
  const buf = Buffer.alloc(8192);
  let fd: number;
  try {
    fd = openSync(file, 'r');
  } catch {
    return false;
  }
  try {
    const n = readSync(fd, buf, 0, buf.length, 0);
    return PREFLIGHT_MARK.test(buf.subarray(0, n).toString('latin1'));
  } finally {
    closeSync(fd);
  }
}
