// Whether each <localfile> can be read by the user the server runs as: checked with the real
// access(2) of this process (so ACLs and groups count), and when it cannot, why and what to do.
import { constants, accessSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { LogFileReadiness, ReadinessProblem } from '@portcullis/shared';
import type { LocalFile } from '../../config/ossec-config.js';
import { FILE_FORMATS } from '../sources/sources.service.js';
import { expandLocation } from '../../sources/file-sources.js';
import { nameOfGroup, nameOfUser, type RunAs } from '../active-response/run-as.js';

export interface LogFileCheck {
  entries: LogFileReadiness[];
  problems: ReadinessProblem[];
}

function errno(err: unknown): string {
  return (err as NodeJS.ErrnoException).code ?? String(err);
}

/** The nearest directory above `file` that `user` cannot search, or null. */
function blockingDirectory(file: string): string | null {
  const dirs: string[] = [];
  for (let d = dirname(file); ; d = dirname(d)) {
    dirs.unshift(d);
    if (dirname(d) === d) break;
  }
  for (const d of dirs) {
    try {
      accessSync(d, constants.X_OK);
    } catch (err) {
      if (errno(err) === 'EACCES') return d;
      return null; // missing: the file is simply not there yet
    }
  }
  return null;
}

/** What `user` should do to be able to read `file` (stat-able, so its owner and group are known). */
function readFix(file: string, user: RunAs): string {
  try {
    const st = statSync(file);
    const setfacl = `setfacl -m u:${user.name}:r ${file}`;
    if ((st.mode & 0o040) !== 0 && st.gid !== 0) {
      const group = nameOfGroup(st.gid);
      return `add ${user.name} to group ${group} (usermod -aG ${group} ${user.name}, then restart Portcullis), or ${setfacl}`;
    }
    return `${setfacl} (the file is ${nameOfUser(st.uid)}:${nameOfGroup(st.gid)}, mode ${(st.mode & 0o777).toString(8)}; keep the ACL across rotation in the logrotate config), or run Portcullis as a user that can read it`;
  } catch {
    return `give ${user.name} read access to ${file} (setfacl -m u:${user.name}:r ${file})`;
  }
}

function checkFile(path: string, location: string, user: RunAs, fromPattern: boolean): { entry: LogFileReadiness; problem: ReadinessProblem | null } {
  const entry = (state: LogFileReadiness['state'], problem: string | null): LogFileReadiness => ({ location, path, state, problem });
  try {
    accessSync(path, constants.R_OK);
    if (statSync(path).isDirectory()) {
      const message = `${path} is a directory, not a log file`;
      return { entry: entry('unreadable', message), problem: { severity: 'error', area: 'log_file', code: 'LOG_UNREADABLE', subject: path, message, fix: `point <location> at the log file (wildcards such as ${path}/*.log are allowed)` } };
    }
    return { entry: entry('readable', null), problem: null };
  } catch (err) {
    const code = errno(err);
    if (code === 'ENOENT' || code === 'ENOTDIR') {
      const blocked = blockingDirectory(path);
      if (blocked) {
        const message = `${path} cannot be reached by ${user.name}: the directory ${blocked} is not searchable`;
        return { entry: entry('unreadable', message), problem: { severity: 'error', area: 'log_file', code: 'LOG_UNREADABLE', subject: path, message, fix: `setfacl -m u:${user.name}:x ${blocked}, or run Portcullis as a user that can enter it` } };
      }
      const message = `${path} is not there yet; it will be read when it appears`;
      return { entry: entry('missing', message), problem: { severity: 'warning', area: 'log_file', code: 'LOG_MISSING', subject: path, message, fix: `nothing, if something will write it (check the <location> in the config otherwise)` } };
    }
    if (code === 'EACCES' || code === 'EPERM') {
      const blocked = blockingDirectory(path);
      const message = blocked
        ? `${path} cannot be read by ${user.name}: the directory ${blocked} is not searchable`
        : `${path} cannot be read by ${user.name} (permission denied)${fromPattern ? ` (matched by ${location})` : ''}: nothing in it is detected`;
      const fix = blocked ? `setfacl -m u:${user.name}:x ${blocked}, or run Portcullis as a user that can enter it` : readFix(path, user);
      return { entry: entry('unreadable', message), problem: { severity: 'error', area: 'log_file', code: 'LOG_UNREADABLE', subject: path, message, fix } };
    }
    const message = `${path} cannot be read: ${code}`;
    return { entry: entry('unreadable', message), problem: { severity: 'error', area: 'log_file', code: 'LOG_UNREADABLE', subject: path, message, fix: `check the file and the <location> in the config` } };
  }
}

/** Each file-backed <localfile> (journald ones are not files), resolved against the config's home. */
export async function checkLogFiles(localfiles: LocalFile[], home: string, user: RunAs, now: Date): Promise<LogFileCheck> {
  const out: LogFileCheck = { entries: [], problems: [] };
  for (const lf of localfiles) {
    if (lf.logFormat === 'journald' || lf.location === 'journald') continue;
    const pattern = resolve(home, lf.location);
    if (!FILE_FORMATS.has(lf.logFormat)) {
      const message = `<localfile> ${lf.location}: log_format ${lf.logFormat} is not supported, so it is not read`;
      out.entries.push({ location: lf.location, path: pattern, state: 'unsupported', problem: message });
      out.problems.push({ severity: 'error', area: 'log_file', code: 'LOG_UNSUPPORTED', subject: pattern, message, fix: `use one of: ${[...FILE_FORMATS].join(', ')}` });
      continue;
    }
    let paths: string[];
    try {
      paths = await expandLocation(pattern, now);
    } catch (err) {
      paths = [];
      const message = `${pattern}: cannot list the files it matches (${errno(err)})`;
      out.entries.push({ location: lf.location, path: pattern, state: 'unreadable', problem: message });
      out.problems.push({ severity: 'error', area: 'log_file', code: 'LOG_UNREADABLE', subject: pattern, message, fix: `give ${user.name} read access to the directory` });
      continue;
    }
    if (paths.length === 0) {
      const message = `no file matches ${pattern} yet; files are read when they appear`;
      out.entries.push({ location: lf.location, path: pattern, state: 'missing', problem: message });
      out.problems.push({ severity: 'warning', area: 'log_file', code: 'LOG_MISSING', subject: pattern, message, fix: 'nothing, if something will write them (check the <location> in the config otherwise)' });
      continue;
    }
    for (const p of paths) {
      const { entry, problem } = checkFile(p, lf.location, user, paths.length > 1 || p !== pattern);
      out.entries.push(entry);
      if (problem) out.problems.push(problem);
    }
  }
  return out;
}
