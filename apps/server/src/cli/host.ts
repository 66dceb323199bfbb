// `portcullis host add|list|remove|rotate|cert`: registered hosts, straight in the database, with
// or without a server running. `add` and `rotate` print the bouncer API key and the ingest token
// this once (they are stored hashed) with ready-to-paste snippets; `--json` prints only
// {"name","api_key","ingest_token"}. Every change leaves an audit row (actor `cli`).
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import type { Host, HostSecrets } from '@portcullis/shared';
import { UsageError } from './context.js';
import { resolveServerConfig, type ServerConfig } from '../config/server-config.js';
import { openDatabase } from '../db/database.js';
import { migrate } from '../db/migrate.js';
import { DomainError } from '../errors.js';
import { AuditRepository } from '../modules/audit/audit.repository.js';
import { CaError, issueHostCert } from '../modules/hosts/ca.js';
import { HOST_NAME } from '../modules/hosts/host-keys.js';
import { HOST_CERT_DIR } from '../modules/hosts/host-snippets.js';
import { HostsRepository } from '../modules/hosts/hosts.repository.js';
import { HostsService } from '../modules/hosts/hosts.service.js';
import { migrationsDir } from '../paths.js';

const USAGE = `usage: portcullis host add NAME [--json]      register a host; prints its bouncer key and ingest token once
       portcullis host list [--json]
       portcullis host rotate NAME [--json]   new key and token (the old ones stop at once)
       portcullis host remove NAME            revoke: its key and token stop at once; its history stays
       portcullis host cert NAME [--out DIR] [--ca DIR]   a client certificate CN=NAME from the CA of \`ca init\`
options: --config FILE, --data DIR`;

const CLI = { name: 'cli', ip: null };

function ago(iso: string | null, now: number): string {
  if (iso === null) return 'never';
  const s = Math.max(0, Math.round((now - Date.parse(iso)) / 1000));
  if (s < 120) return `${s} s ago`;
  if (s < 7200) return `${Math.round(s / 60)} min ago`;
  return iso;
}

function printSecrets(s: HostSecrets, json: boolean, verb: string): void {
  if (json) {
    console.log(JSON.stringify({ name: s.name, api_key: s.api_key, ingest_token: s.ingest_token }));
    return;
  }
  console.log(`host ${s.name} ${verb}. Its secrets are shown this once (only their hashes are stored):`);
  console.log(`  api_key       ${s.api_key}`);
  console.log(`  ingest_token  ${s.ingest_token}`);
  const sections: [string, string][] = [
    ['client certificate (rsyslog TLS and journal-upload use it)', s.snippets.certificate],
    ['crowdsec-firewall-bouncer', s.snippets.bouncer],
    ['systemd drop-in for the bouncer', s.snippets.bouncer_dropin],
    ['rsyslog over TLS (RFC 5425, port 6514)', s.snippets.rsyslog],
    ['systemd-journal-upload', s.snippets.journal_upload],
  ];
  for (const [title, text] of sections) console.log(`\n----- ${title} -----\n${text.trimEnd()}`);
  console.log(`\nHTTP shippers (Vector, Fluent Bit): POST NDJSON or a JSON array to /api/ingest with "Authorization: Bearer ${s.ingest_token}"`);
}

function printList(hosts: Host[], json: boolean): void {
  if (json) {
    console.log(JSON.stringify(hosts));
    return;
  }
  if (hosts.length === 0) {
    console.log('no hosts (add one: portcullis host add NAME)');
    return;
  }
  const now = Date.now();
  const rows = [['NAME', 'STATUS', 'LAST PULL', 'BOUNCER', 'LAST LINE', 'LINES', 'AUTH FAILURES', 'ACTIVE DECISIONS']];
  for (const h of hosts) {
    rows.push([h.name, h.status, ago(h.last_pull_at, now), h.user_agent ?? '-', ago(h.last_line_at, now), String(h.lines), String(h.auth_failures), String(h.active_decisions)]);
  }
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  for (const r of rows) console.log(r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]!))).join('  '));
}

function needName(name: string | undefined, sub: string): string {
  if (!name) throw new UsageError(`host ${sub} needs a NAME\n${USAGE}`);
  return name;
}

async function cert(cfg: ServerConfig, hosts: HostsRepository, name: string, caDir: string | undefined, out: string | undefined): Promise<number> {
  if (!HOST_NAME.test(name)) throw new UsageError(`host name "${name}" must be letters, digits, '.', '_' or '-' (up to 63, starting with a letter or digit)`);
  const host = hosts.byName(name);
  if (!host || host.revoked_at !== null) {
    console.error(`portcullis: no active host named "${name}" in ${cfg.dbPath} (add it first: portcullis host add ${name})`);
    return 1;
  }
  const ca = caDir ? resolve(caDir) : join(cfg.dataDir, 'ca');
  const dir = out ? resolve(out) : join(ca, 'hosts', name);
  try {
    const files = await issueHostCert(ca, name, dir);
    console.log(`client certificate for ${name} (CN=${name}, clientAuth), signed by ${join(ca, 'ca.crt')}:`);
    console.log(`  ${files.cert}\n  ${files.key}  (private key, 0600)\n  ${files.ca}`);
    console.log(`copy them to ${HOST_CERT_DIR}/ on ${name}, where the rsyslog and journal-upload snippets of \`host add\` look for them`);
    return 0;
  } catch (err) {
    if (err instanceof CaError) {
      console.error(`portcullis: ${err.message}`);
      return 1;
    }
    throw err;
  }
}

export async function hostCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    options: { config: { type: 'string' }, data: { type: 'string' }, json: { type: 'boolean', default: false }, out: { type: 'string' }, ca: { type: 'string' } },
    allowPositionals: true,
    strict: true,
  });
  const [sub, name, ...extra] = positionals;
  if (extra.length > 0) throw new UsageError(`unexpected argument "${extra[0]}"\n${USAGE}`);
  if (sub !== 'add' && sub !== 'list' && sub !== 'remove' && sub !== 'rotate' && sub !== 'cert') throw new UsageError(sub ? `unknown host command "${sub}"\n${USAGE}` : USAGE);
  const cfg = resolveServerConfig({ config: values.config, data: values.data });
  const db = openDatabase(cfg.dbPath);
  try {
    migrate(db, migrationsDir);
    const repo = new HostsRepository(db);
    const service = new HostsService(db, repo, new AuditRepository(db), { publicUrl: cfg.publicUrl });
    try {
      switch (sub) {
        case 'list':
          printList(service.list(), values.json);
          return 0;
        case 'add':
          printSecrets(service.add(CLI, needName(name, sub)), values.json, `registered in ${cfg.dbPath}`);
          return 0;
        case 'rotate':
          printSecrets(service.rotate(CLI, needName(name, sub)), values.json, 'has a new key and token; the old ones no longer work');
          return 0;
        case 'remove':
          service.revoke(CLI, needName(name, sub));
          console.log(`host ${name} revoked: its bouncer key and ingest token no longer work (its history stays)`);
          return 0;
        case 'cert':
          return await cert(cfg, repo, needName(name, sub), values.ca, values.out);
      }
    } catch (err) {
      if (err instanceof DomainError) {
        console.error(`portcullis: ${err.message}`);
        return 1;
      }
      throw err;
    }
  } finally {
    db.close();
  }
}
