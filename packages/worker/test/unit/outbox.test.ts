import { describe, expect, it } from 'vitest';
import { Outbox } from '../../src/transport/outbox.ts';
import { ChannelSendError, type Transport } from '../../src/transport/transport.ts';

/** A transport that records writes: one entry per write, several messages as their array. */
function recordingTransport(refuse: (message: object) => boolean = () => false) {
  const writes: object[][] = [];
  const check = (message: object) => {
    if (refuse(message)) throw new ChannelSendError('refused for the test');
  };
  const transport: Transport = {
    send(message) {
      check(message);
      writes.push([message]);
      return true;
    },
    sendMany(messages) {
      for (const message of messages) check(message);
      writes.push([...messages]);
      return true;
    },
    onMessage() {},
    onClose() {},
    close() {},
  };
  return { transport, writes };
}

const tick = () => new Promise<void>((resolve) => queueMicrotask(resolve));

describe('Outbox', () => {
  it('sends the first message of a turn at once and the rest together at its end, in order', async () => {
    const { transport, writes } = recordingTransport();
    const outbox = new Outbox(transport);
    for (const id of ['a', 'b', 'c']) outbox.post({ id }, () => {});
    expect(writes).toEqual([[{ id: 'a' }]]);
    await tick();
    expect(writes).toEqual([[{ id: 'a' }], [{ id: 'b' }, { id: 'c' }]]);
    // A new turn: its first message goes at once again.
    outbox.post({ id: 'd' }, () => {});
    expect(writes.at(-1)).toEqual([{ id: 'd' }]);
  });

  it('sends a lone message as itself', async () => {
    const { transport, writes } = recordingTransport();
    new Outbox(transport).post({ id: 'a' }, () => {});
    await tick();
    expect(writes).toEqual([[{ id: 'a' }]]);
  });

  it('keeps order when a message is sent at once after posted ones', async () => {
    const { transport, writes } = recordingTransport();
    const outbox = new Outbox(transport);
    outbox.post({ id: 'execute-1' }, () => {});
    outbox.post({ id: 'execute-2' }, () => {});
    outbox.post({ id: 'execute-3' }, () => {});
    outbox.sendNow({ id: 'cancel-1' });
    await tick();
    expect(writes.flat()).toEqual([
      { id: 'execute-1' },
      { id: 'execute-2' },
      { id: 'execute-3' },
      { id: 'cancel-1' },
    ]);
  });

  it('tells only the sender of a message that cannot go; the others are sent', async () => {
    const { transport, writes } = recordingTransport((message) => 'bad' in message);
    const outbox = new Outbox(transport);
    const failed: string[] = [];
    for (const message of [{ id: 'first' }, { id: 'a' }, { id: 'b', bad: true }, { id: 'c' }]) {
      outbox.post(message, (error) => failed.push(`${message.id}: ${(error as Error).message}`));
    }
    await tick();
    expect(failed).toEqual(['b: the message could not be sent: refused for the test']);
    expect(writes.flat()).toEqual([{ id: 'first' }, { id: 'a' }, { id: 'c' }]);
  });
});
