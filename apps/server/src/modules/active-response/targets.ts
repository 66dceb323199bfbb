// Where an active response runs (many hosts): OSSEC's <location> read as flags, case-insensitively
// and as substrings, as ReadActiveResponses does — `server`/`analysisd`/`AS` = the server's
// script; `local` = where the event came from (the host whose authenticated line it is, or the
// server for its own logs); `defined-agent` = the hosts named in <agent_id> (names, comma-separated);
// `all`/`any` = every active registered host and the server. With no host registered, the rule of
// old holds: server-side locations run the server's script, agent ones are refused.
import { arTarget } from '@portcullis/engine';
import type { Refusal } from './refusals.js';

export interface TargetHost {
  id: number;
  name: string;
}

export interface Route {
  /** Whether the server's own <command> script runs. */
  server: boolean;
  /** Hosts whose bouncers enforce it. */
  hosts: TargetHost[];
}

export function routeOf(location: string, agentId: string | null, alertHost: string | null, active: readonly TargetHost[]): Route | Refusal {
  if (active.length === 0 && alertHost === null) {
    return arTarget(location) === 'local' ? { server: true, hosts: [] } : { kind: 'no-agents', location };
  }
  const isServer = /server|analysisd|^as$/i.test(location);
  const isLocal = /local/i.test(location);
  const isDefined = /defined-agent/i.test(location);
  const isAll = /all|any/i.test(location);
  const byName = new Map(active.map((h) => [h.name, h]));
  const hosts = new Map<number, TargetHost>();
  const missing: string[] = [];
  const want = (name: string): void => {
    const h = byName.get(name);
    if (h) hosts.set(h.id, h);
    else missing.push(name);
  };
  if (isLocal && alertHost !== null) want(alertHost);
  if (isDefined) for (const n of (agentId ?? '').split(',').map((s) => s.trim()).filter(Boolean)) want(n);
  if (isAll) for (const h of active) hosts.set(h.id, h);
  const server = isServer || isAll || (isLocal && alertHost === null);
  if (!server && hosts.size === 0) return { kind: 'no-host', location, names: missing };
  return { server, hosts: [...hosts.values()].sort((a, b) => a.name.localeCompare(b.name)) };
}

export function isRoute(r: Route | Refusal): r is Route {
  return 'server' in r;
}
