import { readFileSync } from 'node:fs';
import type { JsonObject } from '@plugwork/protocol';
import { DemoError, describe } from '../errors.ts';

/**
 * `--param key=value` flags as params. A value that parses as JSON is taken as JSON
 * (`top=3` is the number 3, `tags=["a","b"]` an array); anything else is text
 * (`text=hello world`). Quote text that looks like JSON: `id="42"`.
 */
export function parseParams(flags: readonly string[]): JsonObject {
  const params: JsonObject = {};
  for (const flag of flags) {
    const equals = flag.indexOf('=');
    if (equals <= 0) {
      throw DemoError.invalidArgument(
        '--param',
        `"${flag}" (write key=value, for example --param text="hello world")`,
      );
    }
    params[flag.slice(0, equals)] = parseValue(flag.slice(equals + 1));
  }
  return params;
}

function parseValue(text: string): JsonObject[string] {
  try {
    return JSON.parse(text) as JsonObject[string];
  } catch {
    return text;
  }
}

/** `--config <file>`: the plugin's config, a JSON object in a file. */
export function readPluginConfig(file: string): JsonObject {
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw DemoError.invalidArgument('--config', `cannot read ${file} as JSON: ${describe(error)}`);
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    throw DemoError.invalidArgument(
      '--config',
      `${file} must hold a JSON object (the plugin's config)`,
    );
  }
  return json as JsonObject;
}
