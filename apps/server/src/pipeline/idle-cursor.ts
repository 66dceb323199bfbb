// A consumer's read cursor over committed alerts (active response, notifications) that is written
// with the work it covers, and only now and then when there was no work: moving it past a batch
// that needed no write would cost the event loop a write turn per batch (db/write-turns.ts). A
// crash re-reads at most IDLE_CURSOR_MS of alerts, which the consumers handle idempotently.

/** A cursor moved without a write is written once this long has passed since the last write. */
export const IDLE_CURSOR_MS = 5000;

export class IdleCursor {
  readonly #write: (id: number, now: number) => void;
  #unwritten: number | null = null;
  #writtenAt = 0;

  constructor(write: (id: number, now: number) => void) {
    this.#write = write;
  }

  /** The position moved past in memory and not written yet, if any. */
  get unwritten(): number | null {
    return this.#unwritten;
  }

  /** Writes `id` now (call inside the transaction of the work it covers). */
  set(id: number, now: number): void {
    this.#write(id, now);
    this.#unwritten = null;
    this.#writtenAt = now;
  }

  /** Moves past alerts that needed no work: in memory, written once IDLE_CURSOR_MS have passed. */
  pass(id: number, now: number): void {
    if (Math.abs(now - this.#writtenAt) < IDLE_CURSOR_MS) this.#unwritten = id;
    else this.set(id, now);
  }

  /** Writes what `pass` left in memory (at close). */
  flush(now: number): void {
    if (this.#unwritten !== null) this.set(this.#unwritten, now);
  }
}
