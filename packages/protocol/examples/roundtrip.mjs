// A job's messages as they cross the process boundary, built, sent as JSON and parsed again.
import {
  createExecuteRequest,
  getExecuteParams,
  ProtocolError,
  parseRequest,
  parseResponse,
  WorkerResult,
  WorkerStreamChunk,
} from '@plugwork/protocol';

// Host side: the seed's execute dictionary, built from camelCase input.
const execute = createExecuteRequest({
  jobId: 'test-123',
  pluginName: 'test_plugin',
  params: { param1: 'value1' },
});
console.log('host sends   ', JSON.stringify(execute));

// Worker side: parse what arrived, read the job's parameters, answer.
const received = parseRequest(JSON.parse(JSON.stringify(execute)));
if (received.type === 'execute') {
  console.log('worker params', JSON.stringify(getExecuteParams(received)));
  const chunk = new WorkerStreamChunk({ jobId: received.job_id, chunk: 'Hello', isFinal: true });
  const result = new WorkerResult({
    jobId: received.job_id,
    status: 'success',
    data: { text: 'Hello' },
  });
  for (const message of [chunk.toDict(), result.toDict()]) {
    console.log('worker sends ', JSON.stringify(parseResponse(message)));
  }
}

// A malformed message is a typed error that names the message type and the field.
try {
  parseResponse({ type: 'result', job_id: 'test-123', status: 'done' });
} catch (error) {
  if (!(error instanceof ProtocolError)) throw error;
  console.log('rejected     ', `${error.code}: ${error.message}`);
}
