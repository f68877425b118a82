import { readFileSync } from 'node:fs';
import {
  fromJsonSchema,
  type JsonObject,
  type JsonValue,
  ValidationError,
  type ValidationIssue,
  validateWithSchema,
} from '@plugwork/protocol';
import { DemoError, describe } from '../errors.ts';

/** `--param key=value` flags as written: each key with its text, before any typing. */
export type RawParams = ReadonlyMap<string, string>;

/** Splits `--param key=value` flags. Throws DemoError INVALID_ARGUMENT for a flag without `=`. */
export function splitParams(flags: readonly string[]): RawParams {
  const params = new Map<string, string>();
  for (const flag of flags) {
    const equals = flag.indexOf('=');
    if (equals <= 0) {
      throw DemoError.invalidArgument(
        '--param',
        `"${flag}" (write key=value, for example --param text="hello world")`,
      );
    }
    params.set(flag.slice(0, equals), flag.slice(equals + 1));
  }
  return params;
}

/**
 * Types each value by the plugin's params schema: text for a `string` property (so `text=5` is
 * the text "5"), a number for `integer` / `number`, `true` / `false` for `boolean`, JSON for
 * anything else. Without a schema, or for a key it does not name, a value that parses as JSON is
 * JSON (`top=3`, `tags=["a","b"]`) and anything else is text.
 */
export function typeParams(raw: RawParams, schema: JsonObject | undefined): JsonObject {
  const properties = (schema?.properties ?? {}) as Record<string, JsonObject | undefined>;
  const params: JsonObject = {};
  for (const [key, text] of raw) params[key] = typeValue(text, types(properties[key]));
  return params;
}

/**
 * Checks typed params against the plugin's params schema before anything is submitted.
 * Throws DemoError INVALID_ARGUMENT naming every bad param and the value given for it.
 */
export async function checkParams(
  plugin: string,
  params: JsonObject,
  raw: RawParams,
  schema: JsonObject | undefined,
): Promise<void> {
  if (schema === undefined) return;
  const issues = await schemaIssues(schema, params);
  if (issues.length === 0) return;
  throw DemoError.invalidParams(
    plugin,
    issues.map((issue) => {
      const key = issue.path.split('.')[0] ?? '';
      return raw.has(key) ? { ...issue, given: raw.get(key)! } : issue;
    }),
  );
}

/**
 * Checks a `--config` file against the plugin's config schema, so a mistake is reported in
 * terms of the file before a worker tries to load the plugin with it.
 */
export async function checkConfig(
  plugin: string,
  file: string,
  config: JsonObject,
  schema: JsonObject | undefined,
): Promise<void> {
  if (schema === undefined) return;
  const issues = await schemaIssues(schema, config);
  if (issues.length > 0) throw DemoError.invalidConfigFile(plugin, file, issues);
}

async function schemaIssues(schema: JsonObject, value: JsonObject): Promise<ValidationIssue[]> {
  let validator: ReturnType<typeof fromJsonSchema>;
  try {
    validator = fromJsonSchema(schema);
  } catch {
    // A schema this side cannot read is the plugin's to judge: its worker validates anyway.
    return [];
  }
  try {
    await validateWithSchema(validator, value, 'params');
    return [];
  } catch (error) {
    if (error instanceof ValidationError) return [...error.issues];
    throw error;
  }
}

function types(property: JsonObject | undefined): Set<string> {
  if (property === undefined) return new Set();
  const type = property.type;
  if (Array.isArray(type)) return new Set(type.map(String));
  if (typeof type === 'string') return new Set([type]);
  if (Array.isArray(property.enum) && property.enum.every((each) => typeof each === 'string')) {
    return new Set(['string']);
  }
  return new Set();
}

function typeValue(text: string, wanted: Set<string>): JsonValue {
  if (wanted.has('string')) return text;
  if (
    (wanted.has('integer') || wanted.has('number')) &&
    /^\s*-?\d+(\.\d+)?(e[+-]?\d+)?\s*$/i.test(text)
  ) {
    return Number(text);
  }
  if (wanted.has('boolean') && (text === 'true' || text === 'false')) return text === 'true';
  // Anything else (objects, arrays, no schema): JSON when it parses, else the text, and the
  // schema check says what is wrong with it.
  try {
    return JSON.parse(text) as JsonValue;
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
