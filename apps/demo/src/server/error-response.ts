import { isPlugworkWorkerError, WorkerErrorCode } from '@plugwork/worker';
import { DemoError, DemoErrorCode, describe } from '../errors.ts';

/** The API's error body: `{ error: { code, message } }`. */
export interface ErrorBody {
  error: { code: string; message: string };
}

/** HTTP statuses of the worker package's error codes the API can meet. */
const WORKER_STATUS: Partial<Record<string, number>> = {
  [WorkerErrorCode.UNKNOWN_PLUGIN]: 404,
  [WorkerErrorCode.PLUGIN_UNAVAILABLE]: 409,
  [WorkerErrorCode.UNKNOWN_WORKER]: 404,
  [WorkerErrorCode.INVALID_PARAMS]: 400,
  [WorkerErrorCode.QUEUE_FULL]: 429,
  [WorkerErrorCode.INVALID_STATE]: 503,
  [WorkerErrorCode.NO_WORKERS]: 503,
  // A worker refused a reload (an invalid config, a setup that threw).
  [WorkerErrorCode.REQUEST_FAILED]: 422,
  [WorkerErrorCode.REQUEST_TIMEOUT]: 504,
  [WorkerErrorCode.WORKER_EXITED]: 502,
};

/** Any error thrown while answering a request, as a status and an error body. */
export function toErrorResponse(error: unknown): { status: number; body: ErrorBody } {
  if (error instanceof DemoError) {
    return { status: error.status, body: { error: { code: error.code, message: error.message } } };
  }
  if (isPlugworkWorkerError(error)) {
    return {
      status: WORKER_STATUS[error.code] ?? 500,
      body: { error: { code: error.code, message: error.message } },
    };
  }
  return {
    status: 500,
    body: { error: { code: DemoErrorCode.INTERNAL, message: describe(error) } },
  };
}
