// A worker's receive path: the zod-free entry, for messages that came through a JSON channel.
import { ProtocolError, parseWireRequest } from '@plugwork/protocol/wire';

const arrived = JSON.parse('{"type":"execute","job_id":"job-1","plugin_name":"greet","who":"Ada"}');
const message = parseWireRequest(arrived);
console.log('parsed  ', message.type, message.job_id);

try {
  parseWireRequest({ type: 'execute', job_id: '', plugin_name: 'greet' });
} catch (error) {
  if (!(error instanceof ProtocolError)) throw error;
  console.log('rejected', `${error.code}: ${error.message}`);
}
