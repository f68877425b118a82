import type { ProtocolError } from '../errors.ts';
import { isWorkerRequestType, isWorkerResponseType } from '../message-types.ts';
import {
  type Direction,
  invalidField,
  notAnObject,
  readType,
  unknownType,
} from '../parse-errors.ts';
import type { WorkerRequestMessage } from '../request-schemas.ts';
import type { WorkerResponseMessage } from '../response-schemas.ts';
import { Issue } from './checks.ts';
import { requestParsers } from './requests.ts';
import { responseParsers } from './responses.ts';
import type { Parser } from './shape.ts';

/**
 * Parse a request that arrived through a JSON channel (Node IPC with JSON serialization, or a
 * line of newline-delimited JSON). Checks the envelope exactly as `parseRequest` does, with
 * the same ProtocolError for the same fault, but does not walk the JSON payloads (`data`,
 * configs, job parameters): a JSON channel can only deliver JSON. For input of any other
 * origin, use `parseRequest`.
 */
export function parseWireRequest(input: unknown): WorkerRequestMessage {
  return parseWith(input, 'request', isWorkerRequestType, requestParsers) as WorkerRequestMessage;
}

/** The response side of {@link parseWireRequest}; for input of any other origin, `parseResponse`. */
export function parseWireResponse(input: unknown): WorkerResponseMessage {
  return parseWith(
    input,
    'response',
    isWorkerResponseType,
    responseParsers,
  ) as WorkerResponseMessage;
}

/** Like parseWireRequest, but returns the error instead of throwing (for hot receive loops). */
export function safeParseWireRequest(
  input: unknown,
): { ok: true; message: WorkerRequestMessage } | { ok: false; error: ProtocolError } {
  try {
    return { ok: true, message: parseWireRequest(input) };
  } catch (error) {
    return { ok: false, error: error as ProtocolError };
  }
}

/** Like parseWireResponse, but returns the error instead of throwing (for hot receive loops). */
export function safeParseWireResponse(
  input: unknown,
): { ok: true; message: WorkerResponseMessage } | { ok: false; error: ProtocolError } {
  try {
    return { ok: true, message: parseWireResponse(input) };
  } catch (error) {
    return { ok: false, error: error as ProtocolError };
  }
}

function parseWith(
  input: unknown,
  direction: Direction,
  isKnownType: (value: unknown) => value is string,
  parsers: Record<string, Parser>,
): unknown {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    throw notAnObject(direction, input);
  }
  const type = readType(input);
  if (!isKnownType(type)) throw unknownType(direction, type);
  const parsed = parsers[type]!(input);
  if (parsed instanceof Issue) {
    const field = parsed.path.length === 0 ? undefined : parsed.path.join('.');
    throw invalidField(direction, type, field, parsed.reason);
  }
  return parsed;
}
