import type { z } from 'zod';
import { ProtocolError, ProtocolErrorCode } from './errors.ts';
import { isWorkerRequestType, isWorkerResponseType } from './message-types.ts';
import { type WorkerRequestMessage, workerRequestSchema } from './request-schemas.ts';
import { type WorkerResponseMessage, workerResponseSchema } from './response-schemas.ts';

/**
 * Parse a request that arrived from the host. Returns the typed message or throws a
 * ProtocolError naming the message type and the offending field; never any other exception.
 */
export function parseRequest(input: unknown): WorkerRequestMessage {
  return parseWith(input, 'request', isWorkerRequestType, workerRequestSchema);
}

/**
 * Parse a response that arrived from a worker. Returns the typed message or throws a
 * ProtocolError naming the message type and the offending field; never any other exception.
 */
export function parseResponse(input: unknown): WorkerResponseMessage {
  return parseWith(input, 'response', isWorkerResponseType, workerResponseSchema);
}

/** Like parseRequest, but returns the error instead of throwing (for hot receive loops). */
export function safeParseRequest(
  input: unknown,
): { ok: true; message: WorkerRequestMessage } | { ok: false; error: ProtocolError } {
  try {
    return { ok: true, message: parseRequest(input) };
  } catch (error) {
    return { ok: false, error: error as ProtocolError };
  }
}

/** Like parseResponse, but returns the error instead of throwing (for hot receive loops). */
export function safeParseResponse(
  input: unknown,
): { ok: true; message: WorkerResponseMessage } | { ok: false; error: ProtocolError } {
  try {
    return { ok: true, message: parseResponse(input) };
  } catch (error) {
    return { ok: false, error: error as ProtocolError };
  }
}

function parseWith<T>(
  input: unknown,
  direction: 'request' | 'response',
  isKnownType: (value: unknown) => boolean,
  schema: z.ZodType<T>,
): T {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    throw new ProtocolError(
      `Invalid ${direction}: expected a JSON object, received ${describe(input)}`,
      { code: ProtocolErrorCode.NOT_AN_OBJECT },
    );
  }
  const type = readOwn(input, 'type');
  if (!isKnownType(type)) {
    throw new ProtocolError(
      type === undefined
        ? `Invalid ${direction}: field "type" is missing`
        : `Invalid ${direction}: field "type" is ${JSON.stringify(safeString(type))}, which is not a ${direction} type of the plugwork protocol`,
      { code: ProtocolErrorCode.UNKNOWN_TYPE, field: 'type' },
    );
  }
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const field = issue && issue.path.length > 0 ? issue.path.map(String).join('.') : undefined;
  const reason = issue ? issue.message : 'does not match the schema';
  throw new ProtocolError(
    field === undefined
      ? `Invalid "${String(type)}" ${direction}: ${reason}`
      : `Invalid "${String(type)}" ${direction}: field "${field}" ${lowerFirst(reason)}`,
    { code: ProtocolErrorCode.INVALID_FIELD, messageType: String(type), field },
  );
}

function readOwn(object: object, key: string): unknown {
  return Object.hasOwn(object, key) ? (object as Record<string, unknown>)[key] : undefined;
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value;
}

function safeString(value: unknown): string {
  try {
    return typeof value === 'string' ? value : String(value);
  } catch {
    return Object.prototype.toString.call(value);
  }
}

function lowerFirst(text: string): string {
  return text.length > 0 ? text[0]!.toLowerCase() + text.slice(1) : text;
}
