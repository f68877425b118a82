import type { Context } from 'hono';
import type { z } from 'zod';
import { DemoError, describe } from '../errors.ts';

/**
 * Reads a JSON request body and validates it. A missing or empty body counts as `{}` where the
 * schema allows it. Throws DemoError: UNSUPPORTED_MEDIA_TYPE (not application/json),
 * INVALID_JSON, INVALID_BODY (the message names each bad field).
 */
export async function readBody<T extends z.ZodType>(c: Context, schema: T): Promise<z.output<T>> {
  const text = await c.req.text();
  let json: unknown = {};
  if (text.trim() !== '') {
    const type = c.req.header('content-type');
    if (type === undefined || !/^application\/json\s*(;|$)/i.test(type)) {
      throw DemoError.unsupportedMediaType(type);
    }
    try {
      json = JSON.parse(text);
    } catch (error) {
      throw DemoError.invalidJson(describe(error));
    }
  }
  const result = schema.safeParse(json);
  if (!result.success) throw DemoError.invalidBody(result.error);
  return result.data;
}
