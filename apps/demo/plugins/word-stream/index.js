// A streaming plugin: `stream` yields text chunks as they are produced; `execute` gives the same
// output in one piece for callers that do not stream.
import { setTimeout as sleep } from 'node:timers/promises';
import { definePlugin } from '@plugwork/protocol';

function readParams(params) {
  const { text, delay_ms: delayMs = 0, uppercase = false } = params;
  if (typeof text !== 'string') throw new TypeError('word-stream needs a "text" string param');
  if (typeof delayMs !== 'number' || delayMs < 0 || delayMs > 10_000) {
    throw new TypeError('"delay_ms" must be a number of milliseconds between 0 and 10000');
  }
  const words = text.split(/\s+/).filter((word) => word !== '');
  return { words: uppercase ? words.map((word) => word.toUpperCase()) : words, delayMs };
}

function stoppedAt(index, total) {
  console.error(`word-stream: cancelled after ${index} of ${total} words`);
}

export default definePlugin({
  name: 'word-stream',
  description: 'Streams a text back word by word, optionally paced, honouring cancellation.',
  execute(params) {
    const { words } = readParams(params);
    return { text: words.join(' '), count: words.length };
  },
  async *stream(params, { signal, reportProgress }) {
    const { words, delayMs } = readParams(params);
    // What a plugin prints goes to the host's log, labelled with its job (the demo shows it).
    console.log(`word-stream: ${words.length} words, ${delayMs} ms apart`);
    for (const [index, word] of words.entries()) {
      // A cancelled job ends early and cleanly: stop yielding.
      if (signal.aborted) return stoppedAt(index, words.length);
      if (delayMs > 0) await sleep(delayMs, undefined, { signal }).catch(() => undefined);
      if (signal.aborted) return stoppedAt(index, words.length);
      yield index === 0 ? word : ` ${word}`;
      reportProgress((index + 1) / words.length, `word ${index + 1} of ${words.length}`);
    }
  },
});
