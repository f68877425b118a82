// Small parts: kept job output, --param typing and checks, hints, the spinner.
import { describe, expect, it } from 'vitest';
import { checkConfig, checkParams, splitParams, typeParams } from '../src/cli/params.ts';
import { Spinner } from '../src/cli/spinner.ts';
import { CLI_HINTS, inUsersTerms } from '../src/host/hints.ts';
import { JobOutputs } from '../src/host/job-outputs.ts';
import { runByPackageManagerScript } from '../src/signals.ts';

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

describe('--param', () => {
  const schema = {
    type: 'object',
    required: ['text'],
    properties: {
      text: { type: 'string' },
      top: { type: 'integer', minimum: 0, maximum: 50 },
      loud: { type: 'boolean' },
      mode: { enum: ['a', 'b'] },
    },
    additionalProperties: false,
  };

  it('without a schema: JSON values are JSON, anything else is text', () => {
    const raw = splitParams([
      'text=hello world',
      'top=3',
      'loud=true',
      'tags=["a","b"]',
      'id="42"',
      'eq=a=b',
    ]);
    expect(typeParams(raw, undefined)).toEqual({
      text: 'hello world',
      top: 3,
      loud: true,
      tags: ['a', 'b'],
      id: '42',
      eq: 'a=b',
    });
  });

  it("types each value by the plugin's params schema: text=5 is the text 5", () => {
    const raw = splitParams(['text=5', 'top=7', 'loud=false', 'mode=b', 'extra=[1]']);
    expect(typeParams(raw, schema)).toEqual({
      text: '5',
      top: 7,
      loud: false,
      mode: 'b',
      extra: [1],
    });
  });

  it('reports every bad param with the value given, before anything is submitted', async () => {
    const raw = splitParams(['top=lots', 'loud=yes', 'colour=red']);
    const error = await checkParams('text-stats', typeParams(raw, schema), raw, schema).then(
      () => expect.unreachable(),
      (e: Error) => e,
    );
    expect(error.message).toMatch(/^Invalid --param for plugin "text-stats": /);
    for (const part of [
      'text: invalid input: expected string, received undefined',
      'top: ',
      '(given: top=lots)',
      'loud: ',
      '(given: loud=yes)',
      'colour',
      'Nothing was submitted',
    ]) {
      expect(error.message).toContain(part);
    }
    await expect(
      checkParams('text-stats', typeParams(splitParams(['text=ok']), schema), raw, schema),
    ).resolves.toBeUndefined();
  });

  it('refuses a flag without key=value', () => {
    expect(() => splitParams(['text'])).toThrow(/Invalid --param: "text" \(write key=value/);
    expect(() => splitParams(['=x'])).toThrow(/Invalid --param/);
  });
});

describe('a --config file', () => {
  it("is checked against the plugin's config schema, naming the file and each field", async () => {
    const schema = {
      type: 'object',
      properties: { separator: { enum: ['-', '_'] }, maxLength: { type: 'integer', maximum: 200 } },
      additionalProperties: false,
    };
    const error = await checkConfig(
      'slugify',
      'slugify.json',
      { separator: '~', maxLength: 500 },
      schema,
    ).then(
      () => expect.unreachable(),
      (e: Error) => e,
    );
    expect(error.message).toMatch(
      /^Invalid --config slugify.json for plugin "slugify": separator: .*; maxLength: .*Fix these fields in slugify.json/,
    );
  });
});

describe('hints in the words of the CLI', () => {
  it("replaces the worker's advice about timeoutMs with --timeout", () => {
    const failure = {
      code: 'JOB_TIMEOUT' as const,
      message:
        'Job j-1 (plugin "hash-chain") timed out after 300 ms; the plugin stopped when asked. Raise its timeoutMs (submit option or timeouts.jobMs) if it needs longer',
      hint: 'Raise its timeoutMs (submit option or timeouts.jobMs) if it needs longer',
    };
    expect(inUsersTerms(failure, CLI_HINTS).message).toBe(
      'Job j-1 (plugin "hash-chain") timed out after 300 ms; the plugin stopped when asked. Give it longer with --timeout <ms>',
    );
    const other = { code: 'PLUGIN_ERROR' as const, message: 'Plugin "x" failed' };
    expect(inUsersTerms(other, CLI_HINTS)).toBe(other);
  });
});

describe('Ctrl-C under a package manager', () => {
  it('is a script of pnpm or npm, not npx', () => {
    expect(runByPackageManagerScript({ npm_lifecycle_event: 'plugwork' })).toBe(true);
    expect(runByPackageManagerScript({ npm_lifecycle_event: 'npx' })).toBe(false);
    expect(runByPackageManagerScript({})).toBe(false);
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
