// `portcullis release IP --reason R [--grace S]`: break-glass release of every open block of an
// address, through the running server's admin socket, else directly on the database and the scripts.
import { userInfo } from 'node:os';
import { parseArgs } from 'node:util';
import type { Block } from '@portcullis/shared';
import { ConfigError, resolveServerConfig, type ServerConfig } from '../config/server-config.js';
import { breakGlass } from '../modules/active-response/break-glass.js';
import { describeBlock } from './block.js';
import { UsageError } from './context.js';
import { scriptEnvironment } from '../config/server-config.js';

const USAGE = 'usage: portcullis release IP --reason TEXT [--grace SECONDS] [--config FILE] [--data DIR] [--json]';

export async function releaseCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    options: { reason: { type: 'string' }, grace: { type: 'string' }, config: { type: 'string' }, data: { type: 'string' }, json: { type: 'boolean', default: false } },
    allowPositionals: true,
    strict: true,
  });
  if (positionals.length !== 1) throw new UsageError(USAGE);
  if (!values.reason?.trim()) throw new UsageError(`--reason is required\n${USAGE}`);
  const grace = values.grace === undefined ? undefined : Number(values.grace);
  if (grace !== undefined && !(Number.isInteger(grace) && grace >= 0 && grace <= 7 * 86_400)) throw new UsageError(`--grace must be whole seconds, at most 7 days, not "${values.grace}"`);
  let cfg: ServerConfig;
  try {
    cfg = resolveServerConfig({ config: values.config, data: values.data });
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    console.error(`portcullis: ${err.message}`);
    return 1;
  }
  const r = await breakGlass(cfg, { op: 'release', ip: positionals[0]!, reason: values.reason, actor: userInfo().username, ...(grace !== undefined ? { grace } : {}) }, scriptEnvironment());
  if (values.json) {
    process.stdout.write(`${JSON.stringify({ via: r.via, ...r.answer })}\n`);
  } else {
    if (r.note) console.error(`portcullis: ${r.note}`);
    if (!r.answer.ok) console.error(`portcullis: ${r.answer.error.message}`);
    else for (const b of (r.answer.result as { blocks: Block[] }).blocks) console.log(`released ${describeBlock(b)}`);
  }
  if (!r.answer.ok) return 1;
  // A block still active after its release means delete failed (the reason says why).
  return (r.answer.result as { blocks: Block[] }).blocks.every((b) => b.state !== 'active' && b.state !== 'pending') ? 0 : 1;
}
