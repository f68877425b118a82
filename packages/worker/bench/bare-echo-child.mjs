// The IPC floor: answers each message with a result-shaped message and does nothing else.
process.on('message', (message) => {
  if (message.type === 'flood') {
    for (let index = 0; index < message.count; index++) {
      process.send({
        type: 'stream_chunk',
        job_id: message.job_id,
        chunk: 'x'.repeat(message.size),
        is_final: false,
        metadata: {},
      });
    }
    process.send({ type: 'result', job_id: message.job_id, status: 'success', data: {} });
    return;
  }
  process.send({ type: 'result', job_id: message.job_id, status: 'success', data: {} });
});
process.on('disconnect', () => process.exit(0));
process.send({ type: 'ready' });
