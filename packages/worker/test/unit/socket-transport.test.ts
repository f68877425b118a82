import { EventEmitter } from 'node:events';
import type { Socket } from 'node:net';
import { describe, expect, it } from 'vitest';
import { socketTransport } from '../../src/transport/socket-ndjson.ts';

/** A fake socket: `receive` is data arriving from the other end; `written` is what was sent. */
function fakeSocket() {
  const written: string[] = [];
  const socket = Object.assign(new EventEmitter(), {
    writable: true,
    destroyed: false,
    setEncoding: () => {},
    write: (text: string, callback?: (error?: Error | null) => void) => {
      written.push(text);
      callback?.(null);
      return true;
    },
    end: () => {},
  });
  const incoming = {
    write: (text: string) => socket.emit('data', text),
    end: () => socket.emit('end'),
    destroy: () => socket.emit('close'),
  };
  return { socket: socket as unknown as Socket, incoming, written };
}

describe('socket NDJSON transport', () => {
  it('sends one JSON message per line', () => {
    const { socket, written } = fakeSocket();
    const transport = socketTransport(socket);
    expect(transport.send({ type: 'get_state', request_id: 'r1' })).toBe(true);
    expect(written).toEqual(['{"type":"get_state","request_id":"r1"}\n']);
  });

  it('reassembles lines split across reads, and several lines in one read', async () => {
    const { socket, incoming } = fakeSocket();
    const transport = socketTransport(socket);
    const received: unknown[] = [];
    transport.onMessage((message) => received.push(message));
    incoming.write('{"type":"re');
    incoming.write('ady","pid":1}\n{"type":"state"}\n\n{"type":');
    incoming.write('"x"}\n');
    await new Promise((resolve) => setImmediate(resolve));
    expect(received).toEqual([{ type: 'ready', pid: 1 }, { type: 'state' }, { type: 'x' }]);
  });

  it('passes a line that is not JSON on as undecodable, for the schema check to reject', async () => {
    const { socket, incoming } = fakeSocket();
    const transport = socketTransport(socket);
    const received: unknown[] = [];
    transport.onMessage((message) => received.push(message));
    incoming.write('not json\n{"type":"ok"}\n');
    await new Promise((resolve) => setImmediate(resolve));
    expect(received[0]).toEqual({ undecodable: expect.stringMatching(/not valid JSON: not json/) });
    expect(received[1]).toEqual({ type: 'ok' });
  });

  it('drops a line over the size limit without buffering it whole, then goes on', async () => {
    const { socket, incoming } = fakeSocket();
    const transport = socketTransport(socket, { maxBytes: 100 });
    const received: unknown[] = [];
    transport.onMessage((message) => received.push(message));
    incoming.write(`{"type":"big","text":"${'x'.repeat(80)}`);
    incoming.write(`${'y'.repeat(80)}`);
    incoming.write(`${'z'.repeat(80)}"}\n{"type":"small"}\n`);
    await new Promise((resolve) => setImmediate(resolve));
    expect(received).toEqual([
      { undecodable: 'a line longer than 100 bytes (dropped)' },
      { type: 'small' },
    ]);
  });

  it('refuses a message over the size limit with a ChannelSendError the sender must act on', () => {
    const { socket, written } = fakeSocket();
    const transport = socketTransport(socket, { maxBytes: 50 });
    expect(() => transport.send({ type: 'x', text: 'y'.repeat(100) })).toThrow(
      /could not be sent: Cannot encode "x" message: 122 bytes exceeds the 50-byte limit/,
    );
    expect(written).toEqual([]);
  });

  it('reports the close of the socket once', async () => {
    const { socket, incoming } = fakeSocket();
    const transport = socketTransport(socket);
    let closes = 0;
    transport.onClose(() => closes++);
    incoming.end();
    await new Promise((resolve) => setTimeout(resolve, 10));
    incoming.destroy();
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(closes).toBe(1);
    expect(transport.send({ type: 'x' })).toBe(false);
  });

  it('writes several messages as lines, or as one batch line where the other end unpacks it', () => {
    const lines = fakeSocket();
    socketTransport(lines.socket).sendMany!([{ type: 'a' }, { type: 'b' }]);
    expect(lines.written).toEqual(['{"type":"a"}\n{"type":"b"}\n']);
    const batches = fakeSocket();
    socketTransport(batches.socket, { sendBatches: true }).sendMany!([
      { type: 'a' },
      { type: 'b' },
    ]);
    expect(batches.written).toEqual(['{"type":"batch","messages":[{"type":"a"},{"type":"b"}]}\n']);
  });

  it('unpacks a batch line it reads; a batch that holds no array goes on whole, to be rejected', async () => {
    const { socket, incoming } = fakeSocket();
    const transport = socketTransport(socket);
    const received: unknown[] = [];
    transport.onMessage((message) => received.push(message));
    incoming.write('{"type":"batch","messages":[{"type":"a"},{"type":"b"}]}\n');
    incoming.write('{"type":"batch","messages":"nope"}\n{"type":"c"}\n');
    await new Promise((resolve) => setImmediate(resolve));
    expect(received).toEqual([
      { type: 'a' },
      { type: 'b' },
      { type: 'batch', messages: 'nope' },
      { type: 'c' },
    ]);
  });

  it('refuses a batch over the size limit whole, so that its messages can go one by one', () => {
    const { socket, written } = fakeSocket();
    const transport = socketTransport(socket, { maxBytes: 60, sendBatches: true });
    const messages = [
      { type: 'x', text: 'y'.repeat(30) },
      { type: 'x', text: 'z'.repeat(30) },
    ];
    expect(() => transport.sendMany!(messages)).toThrow(/exceeds the 60-byte limit/);
    expect(written).toEqual([]);
    expect(transport.send(messages[0]!)).toBe(true);
  });
});
