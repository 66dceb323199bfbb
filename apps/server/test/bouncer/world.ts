// An active-response world (../active-response/helpers.ts) with registered hosts and the
// decisions stream on the same database and clock: lines are fed as a host's, and each host's
// bouncer polls through DecisionStream, as the /v1/ routes do, committing what was "written".
import { HostsRepository } from '../../src/modules/hosts/hosts.repository.js';
import { DecisionStream, type Decision, type StreamFilters } from '../../src/modules/bouncer/decision-stream.js';
import { line, makeWorld, type World, type WorldOptions } from '../active-response/helpers.js';

export interface HostsWorld extends World {
  hosts: HostsRepository;
  stream: DecisionStream;
  ids: Map<string, number>;
  /** Feeds lines as if `host` had sent them (null: the server's own log). */
  feedFrom(host: string | null, ...messages: string[]): void;
  /** One poll of a host's bouncer, committed as written. */
  poll(host: string, startup?: boolean, filters?: StreamFilters): { new: Decision[] | null; deleted: Decision[] | null };
  deliveries(blockId: number): Array<{ host: string; added_at: number | null; removed_at: number | null }>;
}

export function makeHostsWorld(hostNames: string[], o: WorldOptions = {}): HostsWorld {
  const w = makeWorld(o);
  const hosts = new HostsRepository(w.db);
  const ids = new Map<string, number>();
  for (const n of hostNames) ids.set(n, hosts.create(n, 'test', w.clock.now).host.id);
  const stream = new DecisionStream(w.db, hosts);
  w.ar.onChange((row) => stream.blockChanged(row));
  return Object.assign(w, {
    hosts, stream, ids,
    feedFrom: (host: string | null, ...messages: string[]) => {
      w.pipeline.ingest(messages.map((m) => ({ line: line(m), location: '/var/log/test.log', receivedAt: w.clock.now, ...(host !== null ? { host } : {}) })));
    },
    poll: (host: string, startup = false, filters?: StreamFilters) => {
      const a = stream.answer(ids.get(host)!, startup, w.clock.now, filters);
      a.commit(w.clock.now);
      hosts.recordPull(ids.get(host)!, w.clock.now, startup, 'crowdsec-firewall-bouncer/v0.0.25');
      return a.body;
    },
    deliveries: (blockId: number) =>
      w.db.prepare('SELECT h.name AS host, d.added_at, d.removed_at FROM block_deliveries d JOIN hosts h ON h.id = d.host_id WHERE d.block_id = ? ORDER BY h.name').all(blockId) as Array<{ host: string; added_at: number | null; removed_at: number | null }>,
  });
}

export function binding(location: string, extra = '<timeout>600</timeout>'): string {
  return `<active-response><command>fake</command><location>${location}</location><rules_group>portcullis_block,</rules_group>${extra}</active-response>`;
}
