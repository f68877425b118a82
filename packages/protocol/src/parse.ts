import type { z } from 'zod';
import type { ProtocolError } from './errors.ts';
import { isWorkerRequestType, isWorkerResponseType } from './message-types.ts';
import {
  type Direction,
  invalidField,
  notAnObject,
  readType,
  unknownType,
} from './parse-errors.ts';
import { type WorkerRequestMessage, workerRequestSchema } from './request-schemas.ts';
import { type WorkerResponseMessage, workerResponseSchema } from './response-schemas.ts';
import { parseWireRequest, parseWireResponse } from './wire/parse.ts';

/**
 * Parse a request that arrived from the host. Returns the typed message or throws a
 * ProtocolError naming the message type and the offending field; never any other exception.
 *
 * Checks every value, payloads included, so it suits input of any origin. A process that
 * received the message through a JSON channel can use the cheaper `parseWireRequest`.
 */
export function parseRequest(input: unknown): WorkerRequestMessage {
  return parseWith(input, 'request', isWorkerRequestType, workerRequestSchema, parseWireRequest);
}

/**
 * Parse a response that arrived from a worker. Returns the typed message or throws a
 * ProtocolError naming the message type and the offending field; never any other exception.
 *
 * Checks every value, payloads included, so it suits input of any origin. A process that
 * received the message through a JSON channel can use the cheaper `parseWireResponse`.
 */
export function parseResponse(input: unknown): WorkerResponseMessage {
  return parseWith(
    input,
    'response',
    isWorkerResponseType,
    workerResponseSchema,
    parseWireResponse,
  );
}

/** Like parseRequest, but returns the error instead of throwing. */
export function safeParseRequest(
  input: unknown,
): { ok: true; message: WorkerRequestMessage } | { ok: false; error: ProtocolError } {
  try {
    return { ok: true, message: parseRequest(input) };
  } catch (error) {
    return { ok: false, error: error as ProtocolError };
  }
}

/** Like parseResponse, but returns the error instead of throwing. */
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
  direction: Direction,
  isKnownType: (value: unknown) => boolean,
  schema: z.ZodType<T>,
  checkEnvelope: (input: unknown) => unknown,
): T {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    throw notAnObject(direction, input);
  }
  const type = readType(input);
  if (!isKnownType(type)) throw unknownType(direction, type);
  let result: ReturnType<typeof schema.safeParse>;
  try {
    result = schema.safeParse(input);
  } catch (error) {
    // zod itself throws on some hostile shapes: a field it checks the length of, given an
    // object whose `length` cannot become a number ({"length": {"toString": null}}). The
    // hand-written envelope check names that field; past it, the schema's failure stands.
    checkEnvelope(input);
    throw invalidField(
      direction,
      String(type),
      undefined,
      `does not match the schema (${error instanceof Error ? error.message : String(error)})`,
    );
  }
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const field = issue && issue.path.length > 0 ? issue.path.map(String).join('.') : undefined;
  throw invalidField(
    direction,
    String(type),
    field,
    issue ? issue.message : 'does not match the schema',
  );
}
