// A plain plugin: one job in, one result out. No dependencies besides the plugin SDK.
import { definePlugin } from '@plugwork/protocol';

const WORD = /[\p{L}\p{N}]+(?:['’-][\p{L}\p{N}]+)*/gu;

export default definePlugin({
  name: 'text-stats',
  description: 'Counts characters, words, lines and sentences, and finds the most frequent words.',
  execute(params) {
    const { text, top = 5 } = params;
    if (typeof text !== 'string') throw new TypeError('text-stats needs a "text" string param');
    if (!Number.isInteger(top) || top < 0) {
      throw new TypeError('"top" must be a non-negative integer');
    }
    const words = text.match(WORD) ?? [];
    const counts = new Map();
    for (const word of words) {
      const key = word.toLowerCase();
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
    const topWords = [...counts]
      .sort(([a, x], [b, y]) => y - x || (a < b ? -1 : 1))
      .slice(0, top)
      .map(([word, count]) => ({ word, count }));
    return {
      characters: [...text].length,
      words: words.length,
      lines: text === '' ? 0 : text.split(/\r\n|\r|\n/).length,
      sentences: (text.match(/[^.!?]*[\p{L}\p{N}][^.!?]*(?:[.!?]+|$)/gu) ?? []).length,
      unique_words: counts.size,
      top_words: topWords,
    };
  },
});
