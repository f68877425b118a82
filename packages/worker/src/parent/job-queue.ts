/**
 * First in, first out, with an optional bound. A head index instead of Array#shift keeps
 * taking from the front O(1) amortised; the array is compacted once half of it is spent.
 */
export class JobQueue<T> {
  readonly maxSize: number;
  #items: (T | undefined)[] = [];
  #head = 0;

  constructor(maxSize = Number.POSITIVE_INFINITY) {
    this.maxSize = maxSize;
  }

  get size(): number {
    return this.#items.length - this.#head;
  }

  /** Appends `item`; false (and nothing queued) when the queue is at its bound. */
  push(item: T): boolean {
    if (this.size >= this.maxSize) return false;
    this.#items.push(item);
    return true;
  }

  peek(): T | undefined {
    return this.#items[this.#head];
  }

  shift(): T | undefined {
    if (this.#head >= this.#items.length) return undefined;
    const item = this.#items[this.#head];
    this.#items[this.#head] = undefined;
    this.#head++;
    if (this.#head === this.#items.length) {
      this.#items = [];
      this.#head = 0;
    } else if (this.#head > 1024 && this.#head * 2 > this.#items.length) {
      this.#items = this.#items.slice(this.#head);
      this.#head = 0;
    }
    return item;
  }

  /** Puts `items` back at the front, in their order (jobs a dead worker had not started). */
  unshiftAll(items: readonly T[]): void {
    if (items.length === 0) return;
    this.#items = [...items, ...this.#items.slice(this.#head)];
    this.#head = 0;
  }

  /** Removes one item wherever it is; false when it was not queued. */
  remove(item: T): boolean {
    const index = this.#items.indexOf(item, this.#head);
    if (index < 0) return false;
    this.#items.splice(index, 1);
    return true;
  }

  /** Empties the queue, returning what it held in order. */
  drain(): T[] {
    const items = this.#items.slice(this.#head) as T[];
    this.#items = [];
    this.#head = 0;
    return items;
  }
}
