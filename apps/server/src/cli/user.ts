// `portcullis user add NAME --role ROLE`, `user passwd NAME` (password asked, or read from stdin)
// and `user list`: accounts managed straight in the database, with or without a server running.
// This is the way back in when no one can sign in through the web.
import { parseArgs } from 'node:util';
import { ROLES, type Role } from '@portcullis/shared';
import { UsageError } from './context.js';
import { resolveServerConfig } from '../config/server-config.js';
import { openDatabase } from '../db/database.js';
import { migrate } from '../db/migrate.js';
import { AccountsService } from '../modules/accounts/accounts.service.js';
import { AuditRepository } from '../modules/audit/audit.repository.js';
import { migrationsDir } from '../paths.js';
import { DomainError } from '../errors.js';

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of process.stdin) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** Asks on the terminal without echoing. */
function prompt(question: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const stdin = process.stdin;
    process.stderr.write(question);
    let value = '';
    stdin.setRawMode(true);
    stdin.resume();
    stdin.setEncoding('utf8');
    const onData = (ch: string): void => {
      for (const c of ch) {
        if (c === '\r' || c === '\n') {
          stdin.setRawMode(false);
          stdin.pause();
          stdin.off('data', onData);
          process.stderr.write('\n');
          resolve(value);
          return;
        }
        if (c === '\u0003') {
          stdin.setRawMode(false);
          reject(new UsageError('cancelled'));
          return;
        }
        if (c === '\u007f') value = value.slice(0, -1);
        else value += c;
      }
    };
    stdin.on('data', onData);
  });
}

async function readPassword(): Promise<string> {
  if (!process.stdin.isTTY) return (await readStdin()).split(/\r?\n/)[0] ?? '';
  const first = await prompt('password: ');
  const again = await prompt('again: ');
  if (first !== again) throw new UsageError('the two passwords differ');
  return first;
}

async function newPassword(): Promise<string> {
  const password = await readPassword();
  if (password.length < 10) throw new UsageError('the password must have at least 10 characters');
  return password;
}

/** Sets a user's password; the user's sessions end (a changed password signs everyone out). */
async function passwd(accounts: AccountsService, name: string, dbPath: string): Promise<number> {
  const user = accounts.repo.userByName(name);
  if (!user) throw new UsageError(`no user "${name}" in ${dbPath}`);
  const password = await newPassword();
  try {
    await accounts.updateUser({ name: 'cli', ip: null }, user.id, { password });
  } catch (err) {
    if (err instanceof DomainError) throw new UsageError(err.message);
    throw err;
  }
  console.log(`password of ${user.username} changed in ${dbPath}; their sessions are ended`);
  return 0;
}

export async function userCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    options: { config: { type: 'string' }, data: { type: 'string' }, role: { type: 'string', default: 'viewer' } },
    allowPositionals: true,
    strict: true,
  });
  const [sub, name] = positionals;
  const cfg = resolveServerConfig({ config: values.config, data: values.data });
  const db = openDatabase(cfg.dbPath);
  try {
    migrate(db, migrationsDir);
    const accounts = new AccountsService(db, new AuditRepository(db));
    if (sub === 'list') {
      for (const u of accounts.listUsers()) console.log(`${u.username}\t${u.role}${u.disabled ? '\tdisabled' : ''}`);
      return 0;
    }
    const usage = 'usage: portcullis user add NAME --role viewer|responder|admin [--data DIR] [--config FILE]\n       portcullis user passwd NAME [--data DIR] [--config FILE]\n       portcullis user list';
    if (sub === 'passwd' && name) return await passwd(accounts, name, cfg.dbPath);
    if (sub !== 'add' || !name) throw new UsageError(usage);
    if (!(ROLES as readonly string[]).includes(values.role)) throw new UsageError(`--role must be one of ${ROLES.join(', ')}`);
    if (!/^[A-Za-z0-9_.@-]{1,64}$/.test(name)) throw new UsageError('a user name is 1-64 letters, digits, _ . @ -');
    const password = await newPassword();
    try {
      const user = await accounts.createUser({ name: 'cli', ip: null }, { username: name, password, role: values.role as Role });
      accounts.issueSetupToken(); // an account exists now: the setup token is void
      console.log(`user ${user.username} (${user.role}) created in ${cfg.dbPath}`);
    } catch (err) {
      if (err instanceof DomainError) throw new UsageError(err.message);
      throw err;
    }
    return 0;
  } finally {
    db.close();
  }
}
