// Work for one key runs in order, one task at a time; different keys run side by side. The key of
// a block is its (command, address): its add, check and delete never overlap or overtake.

export class KeyedQueue {
  readonly #tails = new Map<string, Promise<unknown>>();
  readonly #all = new Set<Promise<unknown>>();

  /** Runs `task` after every task queued before it under `key`; a failed task does not stop the queue. */
  run<T>(key: string, task: () => Promise<T>): Promise<T> {
    const prev = this.#tails.get(key) ?? Promise.resolve();
    const next = prev.then(task, task);
    const tail = next.catch(() => undefined);
    this.#tails.set(key, tail);
    this.#all.add(tail);
    void tail.then(() => {
      this.#all.delete(tail);
      if (this.#tails.get(key) === tail) this.#tails.delete(key);
    });
    return next;
  }

  /** Resolves once every queued task (and any queued meanwhile) has finished. */
  async idle(): Promise<void> {
    while (this.#all.size > 0) await Promise.all([...this.#all]);
  }

  get size(): number {
    return this.#all.size;
  }
}
