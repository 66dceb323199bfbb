// Rows → the API's shapes (`Block`, `ScriptRun` from @portcullis/shared).
import type { Block, ScriptRun } from '@portcullis/shared';
import type { RunRow } from './ar-runs.repository.js';
import type { BlockRow } from './blocks.repository.js';

const iso = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString());

export function toBlock(r: BlockRow): Block {
  return {
    id: r.id,
    ip: r.ip ?? '-',
    command: r.command,
    rule_id: r.rule_id,
    alert_id: r.alert_id,
    state: r.state,
    created_at: iso(r.created_at)!,
    expires_at: iso(r.expires_at),
    released_at: iso(r.released_at),
    released_by: r.state === 'released' || r.state === 'releasing' || r.ending === 'released' ? r.released_by : null,
    reason: r.release_reason ?? r.reason,
    offense: Math.max(1, r.offense),
    verified: r.verified === null ? null : r.verified === 1,
    drift: r.drift === 1,
    created_by: r.created_by,
    grace_until: iso(r.grace_until),
    origin: r.origin,
    timeout: r.timeout,
    hits: r.hits,
    updated_at: iso(r.updated_at)!,
    block_reason: r.reason,
    release_reason: r.release_reason,
  };
}

export function toRun(r: RunRow): ScriptRun {
  return {
    id: r.id,
    block_id: r.block_id,
    action: r.action,
    argv: JSON.parse(r.argv) as string[],
    exit_code: r.exit_code,
    stdout: r.stdout,
    stderr: r.stderr,
    duration_ms: r.duration_ms ?? 0,
    started_at: iso(r.started_at)!,
    command: r.command,
    executable: r.executable,
    stdin: r.stdin,
    signal: r.signal,
    timed_out: r.timed_out === 1,
    error: r.error,
    running: r.duration_ms === null && r.interrupted === 0,
    interrupted: r.interrupted === 1,
  };
}
