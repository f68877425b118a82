// Small parts: kept job output, --param parsing, the spinner.
import { describe, expect, it } from 'vitest';
import { parseParams } from '../src/cli/params.ts';
import { Spinner } from '../src/cli/spinner.ts';
import { JobOutputs } from '../src/host/job-outputs.ts';

describe('JobOutputs', () => {
  it('keeps output up to its limit, without gaps, and counts everything', () => {
    const outputs = new JobOutputs(10, 2);
    expect(outputs.append('a', 'hello ')).toBe(0);
    expect(outputs.append('a', 'big world')).toBe(6);
    expect(outputs.append('a', '!')).toBe(15);
    expect(outputs.get('a')).toEqual({ text: 'hello ', characters: 16, truncated: true });
    expect(outputs.get('never')).toEqual({ text: '', characters: 0, truncated: false });
  });

  it('forgets the oldest jobs beyond its job limit', () => {
    const outputs = new JobOutputs(100, 2);
    outputs.append('a', 'x');
    outputs.append('b', 'y');
    outputs.append('c', 'z');
    expect(outputs.summary('a')).toEqual({ characters: 0, truncated: false });
    expect(outputs.get('c').text).toBe('z');
  });
});

describe('parseParams', () => {
  it('takes JSON values as JSON and anything else as text', () => {
    expect(
      parseParams([
        'text=hello world',
        'top=3',
        'loud=true',
        'tags=["a","b"]',
        'id="42"',
        'eq=a=b',
      ]),
    ).toEqual({ text: 'hello world', top: 3, loud: true, tags: ['a', 'b'], id: '42', eq: 'a=b' });
  });

  it('refuses a flag without key=value', () => {
    expect(() => parseParams(['text'])).toThrow(/Invalid --param: "text" \(write key=value/);
    expect(() => parseParams(['=x'])).toThrow(/Invalid --param/);
  });
});

describe('Spinner', () => {
  function fakeStream(isTTY: boolean) {
    const writes: string[] = [];
    const stream = { isTTY, columns: 80, write: (text: string) => writes.push(text) };
    return { stream: stream as unknown as NodeJS.WriteStream, writes };
  }

  it('draws the label, progress and message on a terminal, and clears the line at the end', () => {
    const { stream, writes } = fakeStream(true);
    const spinner = new Spinner(stream, 'hash-chain');
    spinner.update(0.42, 'round 42 of 100');
    spinner.start();
    spinner.stop();
    const clearLine = '\r\u001b[2K';
    expect(writes[0]!.startsWith(clearLine)).toBe(true);
    expect(writes[0]!.slice(clearLine.length)).toMatch(
      /^. hash-chain 42% round 42 of 100 · 0\.\d s$/,
    );
    expect(writes.at(-1)).toBe(clearLine);
  });

  it('writes nothing when the stream is not a terminal', () => {
    const { stream, writes } = fakeStream(false);
    const spinner = new Spinner(stream, 'hash-chain');
    spinner.start();
    spinner.stop();
    expect(writes).toEqual([]);
  });
});
