// Blocks and releases made by people (API, admin socket, CLI break-glass): validated, checked
// against the white list and protection, audited in the transaction that makes them, then run.
// A manual block goes where the person says: the server's script (the default), every registered
// host and the server (`all`), or named hosts only (`hosts`), routed and delivered as an alert's
// block with that <location> is; the white list and admin protection hold for every target.
import { blockTarget } from '@portcullis/engine';
import { BadRequestError, ConflictError, NotFoundError } from '../../errors.js';
import { canonicalIp, wazuhMessage } from './ar-args.js';
import type { ArActor, ArDeps } from './ar-deps.js';
import type { BlockRow } from './blocks.repository.js';
import type { BlockBase, BlocksService } from './blocks.service.js';
import { bindingOf, defaultBlockCommand } from './policy.js';
import type { Route } from './targets.js';

const DEFAULT_MANUAL_TIMEOUT = 600;

export interface ManualBlock {
  ip: string;
  /** Seconds; 0 = until released; default: the command's configured timeout, else 600. */
  duration?: number | undefined;
  reason: string;
  command?: string | undefined;
  /** Where it is enforced: the server's script (default), every host and the server, or the named hosts only. */
  target?: ManualTarget | undefined;
  /** With target 'hosts': the registered hosts' names. */
  hosts?: readonly string[] | undefined;
}

export type ManualTarget = 'server' | 'all' | 'hosts';

export interface Release {
  reason: string;
  /** Seconds during which alerts do not block this address again. */
  graceSeconds?: number | undefined;
}

export class BlockRefusedError extends ConflictError {
  constructor(readonly block: BlockRow) {
    super(`refused: ${block.reason}`, 'BLOCK_REFUSED');
  }
}

export class ManualBlocks {
  readonly #d: ArDeps;
  readonly #s: BlocksService;

  constructor(deps: ArDeps, service: BlocksService) {
    this.#d = deps;
    this.#s = service;
  }

  /** Blocks an address now; an open block of the same command is extended instead (never shortened). */
  async block(input: ManualBlock, actor: ArActor): Promise<{ block: BlockRow; created: boolean }> {
    const d = this.#d;
    const policy = d.policy();
    // The engine's one reading (canonical, IPv4-mapped as IPv4): a typo is a 400; an address that
    // is one but means nothing to block (0.0.0.0, multicast…) is a refusal, stored like the white list's.
    const target = blockTarget(input.ip.trim());
    const ip = target.ok ? target.address.text : canonicalIp(input.ip.trim());
    if (ip === null) throw new BadRequestError(`"${input.ip}" ${target.ok ? 'is not an IPv4 or IPv6 address' : target.reason}`, 'BAD_IP');
    const cmd = input.command !== undefined ? policy.commands.get(input.command) : defaultBlockCommand(policy);
    if (!cmd) throw input.command !== undefined ? new NotFoundError(`no <command> named "${input.command}"`) : new ConflictError('no <command> is configured to block with', 'NO_COMMAND');
    const binding = bindingOf(policy, cmd.name);
    const duration = input.duration ?? (binding && binding.timeout > 0 ? binding.timeout : cmd.timeoutAllowed ? DEFAULT_MANUAL_TIMEOUT : 0);
    if (duration > 0 && !cmd.timeoutAllowed) throw new BadRequestError(`command "${cmd.name}" does not have <timeout_allowed>; use duration 0`, 'TIMEOUT_NOT_ALLOWED');
    const route = this.#route(input);
    const hostNames = route.hosts.map((h) => h.name).join(', ');
    const now = d.now();
    const who = actor.name ?? 'unknown';
    const base: BlockBase = {
      ip, command: cmd.name, executable: cmd.executable, protocol: cmd.protocol, origin: 'manual', rule_id: null, alert_id: null,
      ar_index: binding?.index ?? null, created_by: who, user: null, location: null, filename: null, request: null,
    };
    const white = policy.whiteList.covers(ip);
    const prot = d.protection.covers(ip);
    const why = white !== null ? `white-listed (${white})` : prot !== null ? `protected: ${prot}` : !target.ok ? `${ip} ${target.reason}` : null;
    if (why !== null) throw new BlockRefusedError(this.#s.refuse(base, why, now, actor));
    const open = d.blocks.openFor(cmd.name, ip);
    const expires = duration > 0 ? now + duration * 1000 : null;
    if (open) {
      const longer = expires === null || open.expires_at === null ? null : Math.max(open.expires_at, expires);
      // More targets: hosts join the block's deliveries; the server's script runs when it did not.
      const serverAdded = route.server && open.server_script === 0;
      const row = this.#s.commit(open.id, () => {
        d.blocks.update(open.id, { expires_at: longer, timeout: longer === null ? 0 : Math.max(open.timeout, duration), hits: open.hits + 1, ...(serverAdded ? { server_script: 1 } : {}) }, now);
        const more = d.deliveries.target(open.id, route.hosts.map((h) => h.id));
        const also = [serverAdded ? 'the server' : null, more > 0 ? hostNames : null].filter(Boolean).join(', ');
        d.runs.event(open.id, now, 'extended', who, `${longer === null ? 'until released' : `until ${new Date(longer).toISOString()}`}${also ? `, now also on ${also}` : ''}: ${input.reason}`);
        d.audit({ actor: actor.name, sourceIp: actor.ip, action: 'block.extend', target: ip, before: { id: open.id, expires_at: open.expires_at }, after: { expires_at: longer, reason: input.reason, target: input.target ?? 'server', hosts: route.hosts.map((h) => h.name) } });
      });
      this.#s.timer.arm();
      if (serverAdded) return { block: await this.#s.executor.addToActive(open.id), created: false };
      return { block: row, created: false };
    }
    if (cmd.protocol === 'json') {
      base.request = wazuhMessage('add', cmd.name, cmd.executable, { user: null, ip, alertId: null, ruleId: null, location: null, filename: null }, cmd.extraArgs, {
        time: now, ruleLevel: null, ruleDescription: null, ruleGroups: [], decoder: null, hostname: d.hostname,
      });
    }
    const where = route.hosts.length === 0 ? '' : ` on ${route.server ? 'the server, ' : ''}${hostNames}`;
    const row = this.#s.commitNew(() => {
      // A block for hosts only runs no script here: it is active at once, its bouncers pull it.
      const id = d.blocks.insert({ ...base, state: route.server ? 'pending' : 'active', timeout: duration, offense: 1, created_at: now, expires_at: expires, reason: input.reason, server_script: route.server ? 1 : 0 });
      d.deliveries.target(id, route.hosts.map((h) => h.id));
      d.runs.event(id, now, 'created', who, `manual, ${duration > 0 ? `${duration} s` : 'until released'}${where}: ${input.reason}`);
      if (!route.server) d.runs.event(id, now, 'active', null, `no script on the server: enforced by the bouncers of ${hostNames}`);
      d.audit({ actor: actor.name, sourceIp: actor.ip, action: 'block.create', target: ip, after: { id, command: cmd.name, duration, reason: input.reason, target: input.target ?? 'server', hosts: route.hosts.map((h) => h.name) } });
      return id;
    });
    if (!route.server) {
      this.#s.timer.arm();
      return { block: row, created: true };
    }
    return { block: await this.#s.executor.add(row.id), created: true };
  }

  /** Where a manual block goes; names that are no active host are a 400 naming them. */
  #route(input: ManualBlock): Route {
    const target = input.target ?? 'server';
    const names = [...new Set((input.hosts ?? []).map((n) => n.trim()).filter(Boolean))];
    if (target !== 'hosts' && names.length > 0) throw new BadRequestError(`hosts are named only with target "hosts", not "${target}"`, 'BAD_TARGET');
    if (target === 'server') return { server: true, hosts: [] };
    const active = this.#d.activeHosts();
    if (target === 'all') return { server: true, hosts: [...active].sort((a, b) => a.name.localeCompare(b.name)) };
    if (names.length === 0) throw new BadRequestError('target "hosts" needs the names of one or more registered hosts', 'BAD_TARGET');
    const byName = new Map(active.map((h) => [h.name, h]));
    const missing = names.filter((n) => !byName.has(n));
    if (missing.length > 0) throw new BadRequestError(`no active host named ${missing.map((n) => `"${n}"`).join(', ')}`, 'UNKNOWN_HOST');
    return { server: false, hosts: names.map((n) => byName.get(n)!).sort((a, b) => a.name.localeCompare(b.name)) };
  }

  /** Releases an open block early: delete runs now; with a grace period alerts do not re-block the address until it ends. */
  async release(id: number, input: Release, actor: ArActor): Promise<BlockRow> {
    const d = this.#d;
    const row = d.blocks.get(id);
    if (!row) throw new NotFoundError(`no block ${id}`);
    if (row.state !== 'pending' && row.state !== 'active') throw new ConflictError(`block ${id} is ${row.state}, not active`, 'NOT_ACTIVE');
    const now = d.now();
    const grace = input.graceSeconds && input.graceSeconds > 0 && row.ip !== null ? now + input.graceSeconds * 1000 : null;
    this.#s.commit(id, () => {
      d.blocks.update(id, { state: row.state === 'active' ? 'releasing' : 'pending', ending: 'released', released_by: actor.name ?? 'unknown', release_reason: input.reason, grace_until: grace }, now);
      if (grace !== null) d.blocks.setGrace(row.ip!, grace, id, actor.name);
      d.runs.event(id, now, 'release-requested', actor.name, `${input.reason}${grace !== null ? ` (grace until ${new Date(grace).toISOString()})` : ''}`);
      d.audit({ actor: actor.name, sourceIp: actor.ip, action: 'block.release', target: row.ip ?? '-', before: { id, state: row.state }, after: { reason: input.reason, grace_until: grace } });
    });
    this.#s.timer.arm();
    // A pending block is released by its own add task once the add is done.
    return row.state === 'active' ? this.#s.executor.remove(id) : this.#s.executor.add(id).then(() => d.blocks.get(id)!);
  }

  /**
   * Releases every open block of an address (break-glass). With none open, a block that ended but
   * whose check still finds the address blocked (drift) has its delete run again.
   */
  async releaseIp(ipText: string, input: Release, actor: ArActor): Promise<BlockRow[]> {
    const d = this.#d;
    const ip = canonicalIp(ipText.trim());
    if (ip === null) throw new BadRequestError(`"${ipText}" is not an IPv4 or IPv6 address`, 'BAD_IP');
    const rows = d.blocks.list({ ip, states: ['pending', 'active'], limit: 100 });
    if (rows.length > 0) return Promise.all(rows.map((r) => this.release(r.id, input, actor)));
    const lingering: BlockRow[] = [];
    const seen = new Set<string>();
    for (const r of d.blocks.list({ ip, states: ['expired', 'released', 'failed'], limit: 100 })) {
      if (seen.has(r.command)) continue;
      seen.add(r.command);
      if ((await this.#s.executor.check(r.id)) !== true) continue;
      const run = await this.#s.executor.runAlone(r.id, 'delete');
      d.runs.event(r.id, d.now(), 'release-requested', actor.name, `${input.reason} (still in the firewall; delete ${run.exitCode === 0 ? 'done' : 'failed'})`);
      d.audit({ actor: actor.name, sourceIp: actor.ip, action: 'block.release', target: ip, before: { id: r.id, state: r.state, lingering: true }, after: { reason: input.reason, exit_code: run.exitCode } });
      await this.#s.executor.check(r.id);
      lingering.push(d.blocks.get(r.id)!);
    }
    if (lingering.length === 0) throw new NotFoundError(`no open block for ${ip}`);
    return lingering;
  }
}
