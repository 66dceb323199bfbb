// Lines received per host over the last minute: sixty one-second buckets per host, in memory (a
// rate, not history: a restart starts it again from zero; the total stays in hosts.lines).
const SECONDS = 60;

interface Window {
  counts: number[];
  /** The second (ms / 1000, floored) each bucket counts. */
  seconds: number[];
}

export class LineRate {
  readonly #hosts = new Map<number, Window>();

  add(id: number, n: number, now: number): void {
    const second = Math.floor(now / 1000);
    let w = this.#hosts.get(id);
    if (!w) {
      w = { counts: new Array<number>(SECONDS).fill(0), seconds: new Array<number>(SECONDS).fill(-1) };
      this.#hosts.set(id, w);
    }
    const i = second % SECONDS;
    if (w.seconds[i] !== second) {
      w.seconds[i] = second;
      w.counts[i] = 0;
    }
    w.counts[i]! += n;
  }

  /** Lines counted in the 60 seconds up to `now`. */
  lastMinute(id: number, now: number): number {
    const w = this.#hosts.get(id);
    if (!w) return 0;
    const second = Math.floor(now / 1000);
    let sum = 0;
    for (let i = 0; i < SECONDS; i++) if (w.seconds[i]! > second - SECONDS && w.seconds[i]! <= second) sum += w.counts[i]!;
    return sum;
  }
}
