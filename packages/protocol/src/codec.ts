import { ProtocolError, ProtocolErrorCode } from './errors.ts';

/** Default upper bound for one encoded message: 16 MiB. Larger payloads are rejected, not buffered. */
export const DEFAULT_MAX_MESSAGE_BYTES = 16 * 1024 * 1024;

/**
 * Encode a message for a newline-delimited JSON channel. Throws ProtocolError (NOT_SERIALIZABLE)
 * for values JSON cannot carry and (TOO_LARGE) above `maxBytes`.
 */
export function encodeMessage(
  message: { type: string },
  maxBytes: number = DEFAULT_MAX_MESSAGE_BYTES,
): string {
  let text: string;
  try {
    text = JSON.stringify(message);
  } catch (error) {
    throw new ProtocolError(
      `Cannot encode "${message.type}" message: ${(error as Error).message}`,
      { code: ProtocolErrorCode.NOT_SERIALIZABLE, messageType: message.type },
    );
  }
  // String length counts UTF-16 units; bytes are at most 3 per unit, at least 1.
  if (text.length > maxBytes || (text.length * 3 > maxBytes && byteLength(text) > maxBytes)) {
    throw new ProtocolError(
      `Cannot encode "${message.type}" message: ${byteLength(text)} bytes exceeds the ${maxBytes}-byte limit`,
      { code: ProtocolErrorCode.TOO_LARGE, messageType: message.type },
    );
  }
  return `${text}\n`;
}

/**
 * Decode one line of a newline-delimited JSON channel into an untrusted value; pass it to
 * parseRequest / parseResponse next. Throws ProtocolError for bad JSON or an oversized line.
 */
export function decodeLine(line: string, maxBytes: number = DEFAULT_MAX_MESSAGE_BYTES): unknown {
  if (line.length > maxBytes) {
    throw new ProtocolError(
      `Message of ${line.length} characters exceeds the ${maxBytes}-byte limit`,
      { code: ProtocolErrorCode.TOO_LARGE },
    );
  }
  try {
    return JSON.parse(line);
  } catch (error) {
    throw new ProtocolError(`Message is not valid JSON: ${(error as Error).message}`, {
      code: ProtocolErrorCode.NOT_AN_OBJECT,
    });
  }
}

const encoder = new TextEncoder();
function byteLength(text: string): number {
  return encoder.encode(text).byteLength;
}
