import type { JobOutput } from './views.ts';

/**
 * The streamed output of recent jobs, so that a page opened (or reconnected) mid-job sees what it
 * missed. Keeps at most `maxChars` per job and the outputs of the last `maxJobs` jobs.
 */
export class JobOutputs {
  readonly #maxChars: number;
  readonly #maxJobs: number;
  readonly #outputs = new Map<string, { chunks: string[]; kept: number; characters: number }>();

  constructor(maxChars: number, maxJobs: number) {
    this.#maxChars = maxChars;
    this.#maxJobs = maxJobs;
  }

  /** Appends a chunk; returns the offset (characters before it). */
  append(jobId: string, chunk: string): number {
    let output = this.#outputs.get(jobId);
    if (output === undefined) {
      output = { chunks: [], kept: 0, characters: 0 };
      this.#outputs.set(jobId, output);
      while (this.#outputs.size > this.#maxJobs) {
        this.#outputs.delete(this.#outputs.keys().next().value!);
      }
    }
    const offset = output.characters;
    output.characters += chunk.length;
    // Once something was dropped, nothing later is kept: the kept text has no gaps.
    if (output.kept === offset && output.kept + chunk.length <= this.#maxChars) {
      output.chunks.push(chunk);
      output.kept += chunk.length;
    }
    return offset;
  }

  get(jobId: string): JobOutput {
    const output = this.#outputs.get(jobId);
    if (output === undefined) return { text: '', characters: 0, truncated: false };
    const text = output.chunks.join('');
    // Joined once, kept joined: later reads and appends start from one string.
    output.chunks = text === '' ? [] : [text];
    return { text, characters: output.characters, truncated: output.kept < output.characters };
  }

  summary(jobId: string): { characters: number; truncated: boolean } {
    const output = this.#outputs.get(jobId);
    if (output === undefined) return { characters: 0, truncated: false };
    return { characters: output.characters, truncated: output.kept < output.characters };
  }
}
