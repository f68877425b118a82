/** An error with a result code, thrown inside the worker and turned into a failed result. */
export class CodedError extends Error {
  readonly code: string;
  constructor(code: string, message: string) {
    super(message);
    this.code = code;
  }
}
