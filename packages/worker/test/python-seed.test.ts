// Every dictionary of the seed notebook through the Python types (packages/worker-python) and
// through the TypeScript protocol types, compared byte for byte: the wire format is really
// language-neutral, not only "JSON that our own TypeScript reads".
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import {
  parseRequest,
  parseResponse,
  WorkerRequest,
  type WorkerRequestType,
  WorkerResponse,
  type WorkerResponseType,
  WorkerResult,
  WorkerStreamChunk,
} from '@plugwork/protocol';
import { describe, expect, it } from 'vitest';

const pythonPackage = dirname(
  createRequire(import.meta.url).resolve('@plugwork/worker-python/package.json'),
);

interface Example {
  class: 'WorkerRequest' | 'WorkerResponse' | 'WorkerStreamChunk' | 'WorkerResult';
  build: Record<string, unknown>;
  wire: string;
}

const examples = JSON.parse(
  readFileSync(join(pythonPackage, 'tests', 'seed_examples.json'), 'utf8'),
) as Example[];

/** What each class's constructor takes, as the fixture spells it (the seed's field names). */
interface BuildArgs {
  type: string;
  data: Record<string, unknown>;
  job_id: string;
  chunk: string;
  is_final?: boolean;
  metadata?: Record<string, unknown>;
  status: 'success' | 'error';
  error?: string;
}

function buildInTypeScript(example: Example): Record<string, unknown> {
  const args = example.build as unknown as BuildArgs;
  switch (example.class) {
    case 'WorkerRequest':
      return new WorkerRequest(args.type as WorkerRequestType, args.data).toDict();
    case 'WorkerResponse':
      return new WorkerResponse(args.type as WorkerResponseType, args.data).toDict();
    case 'WorkerStreamChunk':
      return new WorkerStreamChunk({
        jobId: args.job_id,
        chunk: args.chunk,
        isFinal: args.is_final,
        metadata: args.metadata,
      }).toDict();
    case 'WorkerResult':
      return new WorkerResult({
        jobId: args.job_id,
        status: args.status,
        data: args.data,
        error: args.error,
      }).toDict();
  }
}

describe('the seed dictionaries, Python and TypeScript, byte for byte', () => {
  it('covers every dictionary the seed shows', () => {
    expect(examples.map((example) => example.class)).toEqual([
      'WorkerRequest',
      'WorkerResponse',
      'WorkerStreamChunk',
      'WorkerResult',
      'WorkerResult',
    ]);
  });

  it.each(examples.map((example) => [example.wire, example] as const))(
    'TypeScript: %s',
    (wire, example) => {
      expect(JSON.stringify(buildInTypeScript(example))).toBe(wire);
      const parsed =
        example.class === 'WorkerRequest'
          ? parseRequest(JSON.parse(wire))
          : parseResponse(JSON.parse(wire));
      expect(JSON.stringify(parsed)).toBe(wire);
      if (example.class === 'WorkerRequest') {
        expect(JSON.stringify(WorkerRequest.fromDict(JSON.parse(wire)).toDict())).toBe(wire);
      }
      if (example.class === 'WorkerResponse') {
        expect(JSON.stringify(WorkerResponse.fromDict(JSON.parse(wire)).toDict())).toBe(wire);
      }
    },
  );

  it('Python builds and round-trips the same bytes as TypeScript', async () => {
    const { stdout } = await promisify(execFile)(
      process.env.PLUGWORK_PYTHON_PATH || 'python3',
      [join(pythonPackage, 'tests', 'seed_roundtrip.py')],
      { timeout: 20_000 },
    );
    const python = stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { built: string; round_trip: string });
    expect(python).toEqual(
      examples.map((example) => {
        const typescript = JSON.stringify(buildInTypeScript(example));
        return { built: typescript, round_trip: typescript };
      }),
    );
  });
});
