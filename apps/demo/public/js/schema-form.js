// Forms generated from JSON Schema: one field per property of an object schema.
//
// string -> text input (or textarea with "x-multiline" or a long example), enum -> select,
// boolean -> checkbox, integer/number -> number input with its bounds, anything else -> a JSON
// textarea. A schema without properties gets a single JSON editor. read() checks what the schema says (required,
// bounds, enum, JSON syntax) and marks the bad fields; the plugin validates again on the worker.

import { h } from './dom.js';

let counter = 0;

/**
 * @param {object | undefined} schema JSON Schema of an object
 * @param {Record<string, unknown>} initial values to start from
 * @param {{ name: string }} options `name` prefixes field ids (and test ids)
 * @returns {{ element: HTMLElement, read(): { ok: true, value: object } | { ok: false } }}
 */
export function schemaForm(schema, initial, options) {
  const properties = schema?.properties;
  if (properties === undefined || typeof properties !== 'object') {
    return jsonEditor(initial, options);
  }
  const required = new Set(Array.isArray(schema.required) ? schema.required : []);
  const fields = Object.entries(properties).map(([key, property]) =>
    field(key, property ?? {}, required.has(key), initial[key], options.name),
  );
  const element = h('div', { class: 'schema-form' }, ...fields.map((each) => each.element));
  return {
    element,
    read() {
      const value = {};
      let ok = true;
      for (const each of fields) {
        const result = each.read();
        if (!result.ok) ok = false;
        else if (result.value !== undefined) value[each.key] = result.value;
      }
      return ok ? { ok: true, value } : { ok: false };
    },
  };
}

/** A JSON object editor, for schemas without properties. */
export function jsonEditor(initial, options) {
  const id = `${options.name}-json-${++counter}`;
  const textarea = h('textarea', {
    id,
    class: 'json',
    rows: 6,
    spellcheck: 'false',
    'data-testid': `${options.name}-json`,
    value: JSON.stringify(initial ?? {}, null, 2),
  });
  const error = h('span', { class: 'field-error', hidden: true });
  const element = h(
    'div',
    { class: 'field' },
    h('label', { for: id }, 'JSON object'),
    textarea,
    error,
  );
  return {
    element,
    read() {
      const result = parseJson(textarea.value.trim() === '' ? '{}' : textarea.value);
      const problem =
        result.ok &&
        (typeof result.value !== 'object' || result.value === null || Array.isArray(result.value))
          ? 'must be a JSON object, like {"text": "hi"}'
          : result.ok
            ? undefined
            : result.error;
      show(textarea, error, problem);
      return problem === undefined ? { ok: true, value: result.value } : { ok: false };
    },
  };
}

function field(key, property, isRequired, initialValue, formName) {
  const id = `${formName}-${key}-${++counter}`;
  const start = initialValue !== undefined ? initialValue : property.default;
  const type = Array.isArray(property.type) ? property.type[0] : property.type;
  const error = h('span', { class: 'field-error', hidden: true });
  const description = property.description
    ? h('span', { class: 'description' }, property.description)
    : null;
  const testId = `${formName}-${key}`;

  let input;
  let read;
  if (Array.isArray(property.enum)) {
    input = h(
      'select',
      { id, 'data-testid': testId },
      isRequired || property.default !== undefined ? null : h('option', { value: '' }, '(not set)'),
      ...property.enum.map((option) =>
        h('option', { value: JSON.stringify(option), selected: option === start }, String(option)),
      ),
    );
    read = () => (input.value === '' ? { value: undefined } : { value: JSON.parse(input.value) });
  } else if (type === 'boolean') {
    input = h('input', { id, type: 'checkbox', 'data-testid': testId, checked: start === true });
    const element = h(
      'div',
      { class: 'field' },
      h('label', { class: 'checkbox', for: id }, input, key),
      description,
    );
    return { key, element, read: () => ({ ok: true, value: input.checked }) };
  } else if (type === 'integer' || type === 'number') {
    input = h('input', {
      id,
      type: 'number',
      'data-testid': testId,
      step: type === 'integer' ? 1 : 'any',
      min: property.minimum,
      max: property.maximum,
      value: start === undefined ? '' : String(start),
    });
    read = () => {
      if (input.value.trim() === '') return { value: undefined };
      const number = Number(input.value);
      if (!Number.isFinite(number)) return { error: 'must be a number' };
      if (type === 'integer' && !Number.isInteger(number))
        return { error: 'must be a whole number' };
      if (property.minimum !== undefined && number < property.minimum) {
        return { error: `must be at least ${property.minimum}` };
      }
      if (property.maximum !== undefined && number > property.maximum) {
        return { error: `must be at most ${property.maximum}` };
      }
      return { value: number };
    };
  } else if (type === 'string') {
    // A textarea for text meant to be long: said so (x-multiline), or longer than a line.
    const multiline =
      property['x-multiline'] === true ||
      (typeof start === 'string' && (start.length > 60 || start.includes('\n')));
    input = multiline
      ? h('textarea', { id, rows: 4, 'data-testid': testId, value: start ?? '' })
      : h('input', { id, type: 'text', 'data-testid': testId, value: start ?? '' });
    read = () => {
      const text = input.value;
      if (text === '' && !isRequired) return { value: undefined };
      if (property.minLength !== undefined && text.length < property.minLength) {
        return { error: `needs at least ${property.minLength} character(s)` };
      }
      if (property.maxLength !== undefined && text.length > property.maxLength) {
        return { error: `must be at most ${property.maxLength} characters` };
      }
      return { value: text };
    };
  } else {
    input = h('textarea', {
      id,
      class: 'json',
      rows: 3,
      spellcheck: 'false',
      'data-testid': testId,
      value: start === undefined ? '' : JSON.stringify(start, null, 2),
    });
    read = () => {
      if (input.value.trim() === '') return { value: undefined };
      const result = parseJson(input.value);
      return result.ok ? { value: result.value } : { error: result.error };
    };
  }

  const label = h(
    'div',
    { class: 'label-row' },
    h('label', { for: id }, key, isRequired ? ' *' : ''),
    h('span', { class: 'type' }, typeLabel(property, type)),
  );
  const element = h('div', { class: 'field' }, label, input, description, error);
  return {
    key,
    element,
    read() {
      let result = read();
      if (result.error === undefined && result.value === undefined && isRequired) {
        result = { error: 'is required' };
      }
      show(input, error, result.error);
      return result.error === undefined ? { ok: true, value: result.value } : { ok: false };
    },
  };
}

function typeLabel(property, type) {
  if (Array.isArray(property.enum)) return 'one of';
  if (
    (type === 'integer' || type === 'number') &&
    (property.minimum !== undefined || property.maximum !== undefined)
  ) {
    return `${type} ${property.minimum ?? '…'}–${property.maximum ?? '…'}`;
  }
  return type ?? 'JSON';
}

function show(input, error, problem) {
  if (problem === undefined) {
    input.removeAttribute('aria-invalid');
    error.hidden = true;
    error.textContent = '';
  } else {
    input.setAttribute('aria-invalid', 'true');
    error.hidden = false;
    error.textContent = problem;
  }
}

function parseJson(text) {
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch (error) {
    return { ok: false, error: `not valid JSON: ${error.message}` };
  }
}
