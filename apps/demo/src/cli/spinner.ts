const FRAMES = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];

/**
 * A one-line spinner with progress on a terminal stream (stderr): `⠹ text-stats 42% round 12
 * of 30 · 1.3 s`. Writes nothing at all when the stream is not a terminal.
 */
export class Spinner {
  readonly #stream: NodeJS.WriteStream;
  readonly #label: string;
  readonly #startedAt = Date.now();
  #frame = 0;
  #progress: number | undefined;
  #message: string | undefined;
  #timer: NodeJS.Timeout | undefined;

  constructor(stream: NodeJS.WriteStream, label: string) {
    this.#stream = stream;
    this.#label = label;
  }

  get enabled(): boolean {
    return this.#stream.isTTY === true;
  }

  start(): void {
    if (!this.enabled || this.#timer !== undefined) return;
    this.#timer = setInterval(() => this.#draw(), 80);
    this.#timer.unref();
    this.#draw();
  }

  update(progress: number | undefined, message: string | undefined): void {
    this.#progress = progress;
    this.#message = message;
  }

  /** Clears the line. */
  stop(): void {
    if (this.#timer === undefined) return;
    clearInterval(this.#timer);
    this.#timer = undefined;
    this.#stream.write('\r\x1b[2K');
  }

  #draw(): void {
    const frame = FRAMES[this.#frame++ % FRAMES.length];
    const parts = [`${frame} ${this.#label}`];
    if (this.#progress !== undefined) parts.push(`${Math.round(this.#progress * 100)}%`);
    if (this.#message !== undefined) parts.push(this.#message);
    parts.push(`· ${((Date.now() - this.#startedAt) / 1000).toFixed(1)} s`);
    // A terminal of unknown size (a pseudo-terminal without one) reports 0 columns.
    const columns = this.#stream.columns || 80;
    this.#stream.write(`\r\x1b[2K${parts.join(' ').slice(0, columns - 1)}`);
  }
}
