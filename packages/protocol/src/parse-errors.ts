import { ProtocolError, ProtocolErrorCode } from './errors.ts';

/**
 * The ProtocolErrors that parsing a message throws, shared by the zod parser (parse.ts) and the
 * hand-written wire parser (wire/parse.ts) so that both word every rejection the same way.
 */

export type Direction = 'request' | 'response';

/** Not an object at all: a string, an array, null. */
export function notAnObject(direction: Direction, input: unknown): ProtocolError {
  return new ProtocolError(
    `Invalid ${direction}: expected a JSON object, received ${describe(input)}`,
    { code: ProtocolErrorCode.NOT_AN_OBJECT },
  );
}

/** `type` is missing or names no message type of this direction. */
export function unknownType(direction: Direction, type: unknown): ProtocolError {
  return new ProtocolError(
    type === undefined
      ? `Invalid ${direction}: field "type" is missing`
      : `Invalid ${direction}: field "type" is ${JSON.stringify(safeString(type))}, which is not a ${direction} type of the plugwork protocol`,
    { code: ProtocolErrorCode.UNKNOWN_TYPE, field: 'type' },
  );
}

/**
 * One field is wrong. `field` is the dotted path (`plugins.0.name`), undefined for the message
 * as a whole; `reason` is the check's own sentence ("Invalid input: expected string, …").
 */
export function invalidField(
  direction: Direction,
  type: string,
  field: string | undefined,
  reason: string,
): ProtocolError {
  return new ProtocolError(
    field === undefined
      ? `Invalid "${type}" ${direction}: ${reason}`
      : `Invalid "${type}" ${direction}: field "${field}" ${lowerFirst(reason)}`,
    { code: ProtocolErrorCode.INVALID_FIELD, messageType: type, field },
  );
}

/** `object.type` when it is the object's own key. */
export function readType(object: object): unknown {
  return Object.hasOwn(object, 'type') ? (object as { type: unknown }).type : undefined;
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
