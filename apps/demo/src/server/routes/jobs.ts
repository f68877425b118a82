import type { JsonObject } from '@plugwork/protocol';
import { Hono } from 'hono';
import { streamSSE } from 'hono/streaming';
import { DemoError } from '../../errors.ts';
import type { DemoHost } from '../../host/demo-host.ts';
import type { JobLogLine, JobView } from '../../host/views.ts';
import { readBody } from '../read-body.ts';
import { emptyBodySchema, listJobsQuerySchema, submitJobSchema } from '../request-schemas.ts';
import { SseChannel } from '../sse-channel.ts';

const TERMINAL = new Set(['completed', 'failed', 'cancelled']);

/** /api/jobs: submit, list (filtered, paged), one job, its event stream, cancel, re-run. */
export function jobRoutes(host: DemoHost, channels: Set<SseChannel>): Hono {
  const app = new Hono();

  app.post('/', async (c) => {
    const body = await readBody(c, submitJobSchema);
    const { job } = host.submit(body.plugin, body.params as JsonObject, {
      stream: body.stream,
      ...(body.timeoutMs === undefined ? {} : { timeoutMs: body.timeoutMs }),
    });
    return c.json({ job }, 202, { Location: `/api/jobs/${encodeURIComponent(job.id)}` });
  });

  app.get('/', (c) => {
    const query = listJobsQuerySchema.safeParse(c.req.query());
    if (!query.success) throw DemoError.invalidQuery(query.error);
    const page = host.jobPage(query.data);
    // null rather than absent on the last page, so a client can tell "no more" from "no paging".
    return c.json({ jobs: page.jobs, nextCursor: page.nextCursor ?? null });
  });

  app.get('/:id', (c) => {
    const id = c.req.param('id');
    return c.json({ job: host.job(id), output: host.output(id), logs: host.logs(id) });
  });

  app.post('/:id/cancel', async (c) => {
    const id = c.req.param('id');
    host.job(id);
    await readBody(c, emptyBodySchema);
    return c.json(await host.cancel(id));
  });

  /**
   * Server-sent events of one job: `job` (the job, on every change), `chunk` ({ text, offset },
   * with the end offset as event id, so a reconnecting EventSource resumes where it stopped),
   * `log` ({ stream, text }: a line its plugin printed), then `end` (the final job) and the
   * stream closes.
   */
  /** A new job with the finished job's plugin (same source), params, stream and time limit. */
  app.post('/:id/rerun', async (c) => {
    const id = c.req.param('id');
    host.job(id);
    await readBody(c, emptyBodySchema);
    const { job } = host.rerun(id);
    return c.json({ job }, 202, { Location: `/api/jobs/${encodeURIComponent(job.id)}` });
  });

  app.get('/:id/events', (c) => {
    const id = c.req.param('id');
    const first = host.job(id);
    const resumeAt = Number(c.req.header('last-event-id') ?? 0);
    return streamSSE(c, async (stream) => {
      const channel = new SseChannel(stream);
      channels.add(channel);
      let sentUpTo = Number.isInteger(resumeAt) && resumeAt > 0 ? resumeAt : 0;
      const sendChunk = (text: string, offset: number) => {
        // Skip what the client has already seen (replayed output, then live chunks).
        const start = Math.max(0, sentUpTo - offset);
        if (start >= text.length) return;
        const part = text.slice(start);
        const from = offset + start;
        sentUpTo = from + part.length;
        channel.send('chunk', { text: part, offset: from }, String(sentUpTo));
      };
      const finish = (job: JobView) => {
        channel.send('end', job);
        channel.close();
      };
      const onChunk = (event: { jobId: string; chunk: string; offset: number }) => {
        if (event.jobId === id) sendChunk(event.chunk, event.offset);
      };
      const onJob = (job: JobView) => {
        if (job.id !== id) return;
        if (TERMINAL.has(job.status)) finish(job);
        else channel.send('job', job);
      };
      const onLog = (event: { jobId: string; line: JobLogLine }) => {
        if (event.jobId === id) channel.send('log', event.line);
      };
      // Subscribe and replay in the same turn: nothing falls between the two.
      host.on('chunk', onChunk);
      host.on('job', onJob);
      host.on('log', onLog);
      channel.send('job', first);
      const output = host.output(id);
      const keptFrom = output.characters - output.text.length;
      if (output.text !== '') sendChunk(output.text, keptFrom);
      // A reconnecting client resumes its output by offset; its console lines come again whole.
      for (const line of host.logs(id).lines) channel.send('log', line);
      if (TERMINAL.has(first.status)) finish(first);
      try {
        await channel.closed;
      } finally {
        host.off('chunk', onChunk);
        host.off('job', onJob);
        host.off('log', onLog);
        channels.delete(channel);
      }
    });
  });

  return app;
}
