// Names of users and groups for messages, from /etc/passwd and /etc/group (no NSS lookups: a
// number is shown when a name is not there).
import { readFileSync } from 'node:fs';
import { userInfo } from 'node:os';

export interface RunAs {
  uid: number;
  name: string;
}

/** The user this process runs as, and so the user its scripts run as. */
export function currentUser(): RunAs {
  const uid = process.getuid?.() ?? -1;
  let name = String(uid);
  try {
    name = userInfo().username;
  } catch {
    name = nameOfUser(uid);
  }
  return { uid, name };
}

function lookup(file: string, id: number): string {
  try {
    for (const line of readFileSync(file, 'utf8').split('\n')) {
      const f = line.split(':');
      if (f.length >= 3 && Number(f[2]) === id && f[2] !== '') return f[0]!;
    }
  } catch {
    // unreadable: fall back to the number
  }
  return String(id);
}

export function nameOfUser(uid: number): string {
  return lookup('/etc/passwd', uid);
}

export function nameOfGroup(gid: number): string {
  return lookup('/etc/group', gid);
}
