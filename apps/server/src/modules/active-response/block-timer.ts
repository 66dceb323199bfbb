// The one timer of active response: it waits for the earliest due active block (a row's
// `expires_at`), hands the due rows over, and is re-armed whenever that earliest time may change.
// No setTimeout per block, and nothing in memory that a restart could lose.
import type { BlockRow, BlocksRepository } from './blocks.repository.js';

/** setTimeout's longest delay; longer waits re-arm when it fires. */
const MAX_DELAY = 2 ** 31 - 1;

export class BlockTimer {
  readonly #blocks: BlocksRepository;
  readonly #now: () => number;
  readonly #onDue: (row: BlockRow) => void;
  #timer: NodeJS.Timeout | null = null;
  #at: number | null = null;
  #stopped = false;

  constructor(blocks: BlocksRepository, now: () => number, onDue: (row: BlockRow) => void) {
    this.#blocks = blocks;
    this.#now = now;
    this.#onDue = onDue;
  }

  /** When the timer fires next (ms), or null. */
  get armedFor(): number | null {
    return this.#at;
  }

  /** Reads the earliest due time and sets the timer for it (at once when it is already due). */
  arm(): void {
    if (this.#stopped) return;
    const next = this.#blocks.nextDue();
    if (next === this.#at && this.#timer !== null) return;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
    this.#at = next;
    if (next === null) return;
    const delay = Math.min(Math.max(0, next - this.#now()), MAX_DELAY);
    this.#timer = setTimeout(() => this.fire(), delay);
    this.#timer.unref();
  }

  /** Hands over every block due now, then re-arms. Tests call it directly. */
  fire(): void {
    this.#timer = null;
    this.#at = null;
    if (this.#stopped) return;
    for (let rows = this.#blocks.due(this.#now()); rows.length > 0; rows = this.#blocks.due(this.#now())) {
      for (const row of rows) this.#onDue(row);
    }
    this.arm();
  }

  stop(): void {
    this.#stopped = true;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
  }
}
