// `portcullis block IP [--timeout S] [--reason R] [--command NAME] [--on server|all|HOST,...]`:
// break-glass block, through the running server's admin socket, else directly on the database and
// the scripts. --on: the server's script (default), every registered host and the server, or the
// named hosts' bouncers only.
import { userInfo } from 'node:os';
import { parseArgs } from 'node:util';
import type { Block } from '@portcullis/shared';
import { ConfigError, resolveServerConfig, type ServerConfig } from '../config/server-config.js';
import { breakGlass } from '../modules/active-response/break-glass.js';
import type { ManualTarget } from '../modules/active-response/manual-blocks.js';
import { UsageError } from './context.js';
import { scriptEnvironment } from '../config/server-config.js';

const USAGE = 'usage: portcullis block IP [--timeout SECONDS (0 = until released)] [--reason TEXT] [--command NAME] [--on server|all|HOST[,HOST...]] [--config FILE] [--data DIR] [--json]';

/** --on: `server`, `all`, or host names separated by commas. */
export function parseOn(on: string | undefined): { target?: ManualTarget; hosts?: string[] } {
  if (on === undefined || on === 'server') return on === undefined ? {} : { target: 'server' };
  if (on === 'all') return { target: 'all' };
  const hosts = on.split(',').map((s) => s.trim()).filter(Boolean);
  if (hosts.length === 0) throw new UsageError(`--on must be server, all or host names separated by commas, not "${on}"`);
  return { target: 'hosts', hosts };
}

export function describeBlock(b: Block): string {
  const until = b.expires_at ? `until ${b.expires_at}` : 'until released';
  const verified = b.verified === null ? '' : b.verified ? ', verified in place' : ', NOT found in place by check';
  return `block ${b.id}: ${b.ip} with ${b.command}, ${b.state}${b.state === 'active' ? ` ${until}${verified}` : b.reason ? ` (${b.reason})` : ''}`;
}

export async function blockCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    options: {
      timeout: { type: 'string' }, reason: { type: 'string' }, command: { type: 'string' }, on: { type: 'string' },
      config: { type: 'string' }, data: { type: 'string' }, json: { type: 'boolean', default: false },
    },
    allowPositionals: true,
    strict: true,
  });
  if (positionals.length !== 1) throw new UsageError(USAGE);
  const timeout = values.timeout === undefined ? undefined : Number(values.timeout);
  if (timeout !== undefined && !(Number.isInteger(timeout) && timeout >= 0 && timeout <= 365 * 86_400)) throw new UsageError(`--timeout must be whole seconds (0 = until released), not "${values.timeout}"`);
  const on = parseOn(values.on);
  let cfg: ServerConfig;
  try {
    cfg = resolveServerConfig({ config: values.config, data: values.data });
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    console.error(`portcullis: ${err.message}`);
    return 1;
  }
  const r = await breakGlass(cfg, {
    op: 'block', ip: positionals[0]!, reason: values.reason ?? 'blocked from the command line', actor: userInfo().username,
    ...(timeout !== undefined ? { timeout } : {}), ...(values.command !== undefined ? { command: values.command } : {}), ...on,
  }, scriptEnvironment());
  if (values.json) {
    process.stdout.write(`${JSON.stringify({ via: r.via, ...r.answer })}\n`);
  } else {
    if (r.note) console.error(`portcullis: ${r.note}`);
    if (!r.answer.ok) {
      console.error(`portcullis: ${r.answer.error.message}`);
    } else {
      const { created, block } = r.answer.result as { created: boolean; block: Block };
      console.log(`${created ? 'blocked' : 'extended'} ${describeBlock(block)}`);
      if (on.target === 'all') console.log('enforced by the server and every registered host\'s bouncer (on its next pull)');
      if (on.target === 'hosts') console.log(`enforced by the bouncers of ${on.hosts!.join(', ')} (on their next pull), no script on the server`);
      if (r.via === 'direct' && block.expires_at && block.state === 'active') console.log('the server is not running: the block is lifted when it next starts after that time');
    }
  }
  if (!r.answer.ok) return 1;
  return (r.answer.result as { block: Block }).block.state === 'active' ? 0 : 1;
}
