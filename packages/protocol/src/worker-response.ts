import { ProtocolError, ProtocolErrorCode } from './errors.ts';
import { isWorkerResponseType, type ResultStatus, WorkerResponseType } from './message-types.ts';
import type { ResultResponse, StreamChunkResponse } from './response-schemas.ts';
import type { MessageData } from './worker-request.ts';

/** A response from a worker: a type plus flat data, exactly the seed's WorkerResponse. */
export class WorkerResponse {
  readonly type: WorkerResponseType;
  readonly data: MessageData;

  constructor(type: WorkerResponseType, data: MessageData = {}) {
    this.type = type;
    this.data = data;
  }

  toDict(): MessageData & { type: WorkerResponseType } {
    return { type: this.type, ...this.data };
  }

  /** Builds from a received dictionary. Throws ProtocolError on an unknown type. */
  static fromDict(dict: MessageData): WorkerResponse {
    const { type, ...data } = dict;
    if (!isWorkerResponseType(type)) {
      throw new ProtocolError(`Unknown response type ${JSON.stringify(String(type))}`, {
        code: ProtocolErrorCode.UNKNOWN_TYPE,
        field: 'type',
      });
    }
    return new WorkerResponse(type, data);
  }
}

export interface WorkerStreamChunkInit {
  /** Unique identifier for the job. */
  jobId: string;
  /** Text chunk from streaming output. */
  chunk: string;
  /** Whether this is the final chunk. */
  isFinal?: boolean;
  /** Optional metadata; sent as `{}` when absent, as the seed does. */
  metadata?: Record<string, unknown> | undefined;
}

/** One streamed piece of a job's output (the seed's WorkerStreamChunk). */
export class WorkerStreamChunk {
  readonly jobId: string;
  readonly chunk: string;
  readonly isFinal: boolean;
  readonly metadata: Record<string, unknown> | undefined;

  constructor(init: WorkerStreamChunkInit) {
    this.jobId = init.jobId;
    this.chunk = init.chunk;
    this.isFinal = init.isFinal ?? false;
    this.metadata = init.metadata;
  }

  toDict(): StreamChunkResponse {
    return {
      type: WorkerResponseType.STREAM_CHUNK,
      job_id: this.jobId,
      chunk: this.chunk,
      is_final: this.isFinal,
      metadata: (this.metadata ?? {}) as StreamChunkResponse['metadata'],
    };
  }
}

export interface WorkerResultInit {
  /** Unique identifier for the job. */
  jobId: string;
  /** `success` or `error`. */
  status: ResultStatus;
  /** Result data on success. */
  data?: Record<string, unknown> | undefined;
  /** Error message on failure. */
  error?: string | undefined;
}

/** How a job ended (the seed's WorkerResult). */
export class WorkerResult {
  readonly jobId: string;
  readonly status: ResultStatus;
  readonly data: Record<string, unknown> | undefined;
  readonly error: string | undefined;

  constructor(init: WorkerResultInit) {
    this.jobId = init.jobId;
    this.status = init.status;
    this.data = init.data;
    this.error = init.error;
  }

  /** Leaves out `data` and `error` when absent, as the seed does. */
  toDict(): ResultResponse {
    const result: ResultResponse = {
      type: WorkerResponseType.RESULT,
      job_id: this.jobId,
      status: this.status,
    };
    if (this.data !== undefined) result.data = this.data as ResultResponse['data'];
    if (this.error !== undefined) result.error = this.error;
    return result;
  }
}
