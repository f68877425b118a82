/**
 * Every error the protocol package throws. One module, so each message a user can see is in
 * one place.
 */

/** Machine-readable reasons a message or plugin definition was rejected. */
export const ProtocolErrorCode = {
  /** Not a JSON object at all (a string, an array, null, unparseable text). */
  NOT_AN_OBJECT: 'NOT_AN_OBJECT',
  /** `type` is missing or names no message type of this protocol. */
  UNKNOWN_TYPE: 'UNKNOWN_TYPE',
  /** A field has the wrong type or value, or a required field is missing. */
  INVALID_FIELD: 'INVALID_FIELD',
  /** An execute parameter uses a key the protocol reserves for itself. */
  RESERVED_KEY: 'RESERVED_KEY',
  /** An encoded message is larger than the configured limit. */
  TOO_LARGE: 'TOO_LARGE',
  /** A value cannot be represented as JSON (function, cycle, BigInt, symbol). */
  NOT_SERIALIZABLE: 'NOT_SERIALIZABLE',
} as const;
export type ProtocolErrorCode = (typeof ProtocolErrorCode)[keyof typeof ProtocolErrorCode];

export interface ProtocolErrorDetails {
  code: ProtocolErrorCode;
  /** The message's `type`, when it had a recognisable one. */
  messageType?: string | undefined;
  /** Dotted path of the offending field (`job_id`, `metadata.index`), when one field is at fault. */
  field?: string | undefined;
}

/** A message that does not follow the wire protocol. Never thrown for anything else. */
export class ProtocolError extends Error {
  override name = 'ProtocolError';
  readonly code: ProtocolErrorCode;
  readonly messageType: string | undefined;
  readonly field: string | undefined;

  constructor(message: string, details: ProtocolErrorDetails) {
    super(message);
    this.code = details.code;
    this.messageType = details.messageType;
    this.field = details.field;
  }
}

export function isProtocolError(error: unknown): error is ProtocolError {
  return error instanceof ProtocolError;
}

/** A plugin's config or params failed its schema. `issues` lists every failing field. */
export class ValidationError extends Error {
  override name = 'ValidationError';
  readonly issues: readonly ValidationIssue[];

  constructor(subject: string, issues: readonly ValidationIssue[]) {
    const list = issues.map((issue) => `${issue.path || '(root)'}: ${issue.message}`).join('; ');
    super(`${subject} is invalid: ${list}`);
    this.issues = issues;
  }
}

export interface ValidationIssue {
  /** Dotted path of the failing field; empty for the value as a whole. */
  path: string;
  message: string;
}
