import type { SqlValue } from './driver.ts';

/**
 * Where the rows module lays out a row's values, one column after another: the same calls
 * feed a plain array (a statement's parameters) and a RowPacker (a batch for the thread).
 */
export interface RowSink {
  /** A number column; undefined is NULL. */
  number(value: number | undefined): void;
  /** A text column; undefined and null are NULL. */
  string(value: string | null | undefined): void;
}

/** A RowSink that collects the values as they are, for one statement's parameters. */
export class ValueList implements RowSink {
  readonly values: SqlValue[] = [];

  number(value: number | undefined): void {
    this.values.push(value ?? null);
  }

  string(value: string | null | undefined): void {
    this.values.push(value ?? null);
  }
}

/**
 * A row's columns in order, `n` for a number and `s` for a text column: how unpackRows tells
 * which of a packed batch's arrays each value comes from.
 */
export type RowLayout = string;

/** Counts of a layout's number and text columns. */
function widths(layout: RowLayout): { numbers: number; strings: number } {
  let numbers = 0;
  for (const kind of layout) if (kind === 'n') numbers++;
  return { numbers, strings: layout.length - numbers };
}

/**
 * Rows of several kinds packed into three values: the numbers in a Float64Array (NULL is NaN,
 * which SQLite binds as NULL anyway), the texts one after another in one string, and each
 * text's length in an Int32Array (NULL is -1). A structured clone copies these three at
 * memcpy speed, where an array of row values costs it a step per value. Measured on the host
 * (layout and postMessage, batches of 2,000 no-op jobs, three alternating runs): a new row
 * 1.4–2.6 µs as an array, 1.0–1.2 µs packed; a finish 2.3–3.7 µs and 1.2–1.6 µs.
 */
export interface PackedRows {
  /** Rows of each layout, in the order of the layouts they were packed with. */
  readonly counts: readonly number[];
  readonly numbers: Float64Array;
  readonly lengths: Int32Array;
  readonly text: string;
}

/**
 * Packs rows whose count by layout is known in advance (the arrays are allocated once, at
 * their exact size). Rows go in layout by layout: all rows of the first, then the second….
 */
export class RowPacker implements RowSink {
  readonly #counts: readonly number[];
  readonly #numbers: Float64Array;
  readonly #lengths: Int32Array;
  #text = '';
  #number = 0;
  #string = 0;

  constructor(layouts: readonly RowLayout[], counts: readonly number[]) {
    let numbers = 0;
    let strings = 0;
    layouts.forEach((layout, index) => {
      const width = widths(layout);
      numbers += width.numbers * counts[index]!;
      strings += width.strings * counts[index]!;
    });
    this.#counts = counts;
    this.#numbers = new Float64Array(numbers);
    this.#lengths = new Int32Array(strings);
  }

  number(value: number | undefined): void {
    this.#numbers[this.#number++] = value ?? Number.NaN;
  }

  string(value: string | null | undefined): void {
    if (value === undefined || value === null) {
      this.#lengths[this.#string++] = -1;
    } else {
      this.#lengths[this.#string++] = value.length;
      this.#text += value;
    }
  }

  /** The packed rows; throws when fewer or more values went in than the counts said. */
  finish(): PackedRows {
    if (this.#number !== this.#numbers.length || this.#string !== this.#lengths.length) {
      throw new Error(
        `Packed ${this.#number}/${this.#numbers.length} numbers and ${this.#string}/${this.#lengths.length} texts: a row's layout does not match the columns written for it`,
      );
    }
    return {
      counts: this.#counts,
      numbers: this.#numbers,
      lengths: this.#lengths,
      text: this.#text,
    };
  }
}

/** The rows of `packed` as plain values, one array per layout (rows one after another). */
export function unpackRows(packed: PackedRows, layouts: readonly RowLayout[]): SqlValue[][] {
  const { numbers, lengths, text } = packed;
  let number = 0;
  let string = 0;
  let at = 0;
  const out: SqlValue[][] = [];
  layouts.forEach((layout, index) => {
    const rows = packed.counts[index] ?? 0;
    const values: SqlValue[] = new Array(rows * layout.length);
    let v = 0;
    for (let row = 0; row < rows; row++) {
      for (let column = 0; column < layout.length; column++) {
        if (layout.charCodeAt(column) === 110 /* n */) {
          const value = numbers[number++]!;
          values[v++] = Number.isNaN(value) ? null : value;
        } else {
          const length = lengths[string++]!;
          if (length < 0) {
            values[v++] = null;
          } else {
            values[v++] = text.slice(at, at + length);
            at += length;
          }
        }
      }
    }
    out.push(values);
  });
  if (number !== numbers.length || string !== lengths.length || at !== text.length) {
    throw new Error('A packed batch of rows does not match its layouts');
  }
  return out;
}
