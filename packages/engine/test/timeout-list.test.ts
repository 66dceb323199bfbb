// execd's timeout list as `replay` drives it: `due` hands back exactly the pending entries whose
// release time has passed (once `now` reaches the lower bound it keeps), whatever extends,
// releases and restores came before; checked against a plain scan of every entry.
import { describe, expect, it } from 'vitest';
import { TimeoutList, type ArBinding, type ArRequest, type TimeoutEntry } from '../src/index.js';

function binding(name: string, timeout: number, repeatedOffenders: number[] = []): ArBinding {
  return { index: 0, command: { name, executable: name, timeoutAllowed: true, expect: ['srcip'] }, location: 'local', level: 6, rulesGroup: null, rulesId: [], timeout, repeatedOffenders };
}

/** The list as a plain scan: every pending entry looked at on each `due`. */
class ScanList {
  readonly pending = new Map<string, { releaseAt: number }>();
  earliest = Infinity;
  track(e: TimeoutEntry, added: boolean): void {
    this.pending.set(e.key, { releaseAt: e.releaseAt });
    if (added) this.earliest = Math.min(this.earliest, e.releaseAt);
  }
  due(now: number): string[] {
    if (now < this.earliest) return [];
    const out: string[] = [];
    let earliest = Infinity;
    for (const [k, e] of this.pending) {
      if (e.releaseAt <= now) {
        out.push(k);
        this.pending.delete(k);
      } else earliest = Math.min(earliest, e.releaseAt);
    }
    this.earliest = earliest;
    return out;
  }
}

describe('TimeoutList.due', () => {
  it('releases what a scan of every entry releases, through 20,000 requests, extends and releases', () => {
    let seed = 7;
    const rand = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % n;
    };
    const bindings = [binding('firewall-drop', 600, [10, 60, 1440]), binding('host-deny', 60), binding('route-null', 3600)];
    const list = new TimeoutList();
    const scan = new ScanList();
    let now = 1_700_000_000;
    let released = 0;
    for (let i = 0; i < 20_000; i++) {
      now += rand(40);
      const op = rand(100);
      if (op < 85) {
        const b = bindings[rand(bindings.length)]!;
        const req: ArRequest = { binding: b, ip: `203.0.113.${rand(400)}`, user: null, ruleId: 5712, filename: null };
        const d = list.request(req, now);
        if (d.entry) scan.track(d.entry, d.action === 'add');
      } else if (op < 90) {
        const b = bindings[rand(bindings.length)]!;
        const e = list.release(b.command.name, `203.0.113.${rand(400)}`);
        if (e) scan.pending.delete(e.key);
      }
      const got = list.due(now).map((e) => e.key);
      const want = scan.due(now);
      expect(got.sort(), `step ${i} at ${now}`).toEqual(want.sort());
      released += got.length;
      expect(list.size).toBe(scan.pending.size);
    }
    expect(released).toBeGreaterThan(1000);
  });

  it('keeps a restored entry and releases it on time', () => {
    const list = new TimeoutList();
    const entry: TimeoutEntry = { key: 'firewall-drop-198.51.100.7', command: 'firewall-drop', ip: '198.51.100.7', addedAt: 100, releaseAt: 700, timeout: 600, offense: 1 };
    list.restore(entry, 1);
    expect(list.due(699)).toEqual([]);
    expect(list.due(700)).toEqual([entry]);
    expect(list.size).toBe(0);
  });
});
