/**
 * A JSON parser that keeps every number exact. `JSON.parse` turns each
 * number into a double, which rounds BIGINT values past 2^53, `ts_ns`, and
 * decimals the converter writes as numbers (`decimal.format=numeric`)
 * before anyone can look at them. Here an integer of at most 15 digits
 * (always an exact double) becomes a `number`; every other number keeps its
 * text in a {@link JsonNumber}, converted later by the column's dtype.
 */

/** A JSON number literal that a double might not hold exactly, kept as its text. */
export class JsonNumber {
  /** The literal as written, e.g. `"9223372036854775807"` or `"12.30"`. */
  readonly text: string;

  constructor(text: string) {
    this.text = text;
  }

  /** The text, so a JsonNumber prints as the literal it came from. */
  toString(): string {
    return this.text;
  }
}

/** A parsed JSON value. Objects have no prototype, so a key such as `__proto__` is only data. */
export type JsonValue = null | boolean | number | string | JsonNumber | bigint | JsonValue[] | JsonObject;

/** A parsed JSON object. */
export interface JsonObject {
  [key: string]: JsonValue;
}

/** Why a text is not JSON, with the character offset where parsing stopped. */
export class JsonSyntaxError extends Error {
  readonly offset: number;

  constructor(message: string, offset: number) {
    super(`${message} at character ${offset}`);
    this.offset = offset;
  }
}

const MAX_DEPTH = 512;

/** Parses JSON text (RFC 8259), numbers kept exact; throws {@link JsonSyntaxError}. */
export function parseJson(text: string): JsonValue {
  const parser = new Parser(text);
  parser.skipSpace();
  const value = parser.value(0);
  parser.skipSpace();
  if (parser.at < text.length) parser.fail('unexpected text after the JSON value');
  return value;
}

/** Whether a value is a JSON object (not null, not an array, not a number wrapper). */
export function isJsonObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof JsonNumber);
}

class Parser {
  at = 0;
  readonly #text: string;

  constructor(text: string) {
    this.#text = text;
  }

  fail(message: string): never {
    throw new JsonSyntaxError(this.at >= this.#text.length ? `${message} (the text ended)` : message, this.at);
  }

  skipSpace(): void {
    const t = this.#text;
    let i = this.at;
    for (let c = t.charCodeAt(i); c === 32 || c === 10 || c === 13 || c === 9; c = t.charCodeAt(++i));
    this.at = i;
  }

  value(depth: number): JsonValue {
    if (depth > MAX_DEPTH) this.fail(`nesting deeper than ${MAX_DEPTH}`);
    const c = this.#text.charCodeAt(this.at);
    if (c === 123) return this.object(depth);
    if (c === 91) return this.array(depth);
    if (c === 34) return this.string();
    if (c === 45 || (c >= 48 && c <= 57)) return this.number();
    if (this.#text.startsWith('true', this.at)) return (this.at += 4), true;
    if (this.#text.startsWith('false', this.at)) return (this.at += 5), false;
    if (this.#text.startsWith('null', this.at)) return (this.at += 4), null;
    return this.fail('expected a JSON value');
  }

  object(depth: number): JsonObject {
    const out = Object.create(null) as JsonObject;
    this.at++;
    this.skipSpace();
    if (this.#text.charCodeAt(this.at) === 125) return this.at++, out;
    for (;;) {
      if (this.#text.charCodeAt(this.at) !== 34) this.fail('expected a string key');
      const key = this.string();
      this.skipSpace();
      if (this.#text.charCodeAt(this.at) !== 58) this.fail("expected ':'");
      this.at++;
      this.skipSpace();
      out[key] = this.value(depth + 1);
      this.skipSpace();
      const c = this.#text.charCodeAt(this.at++);
      if (c === 125) return out;
      if (c !== 44) (this.at--, this.fail("expected ',' or '}'"));
      this.skipSpace();
    }
  }

  array(depth: number): JsonValue[] {
    const out: JsonValue[] = [];
    this.at++;
    this.skipSpace();
    if (this.#text.charCodeAt(this.at) === 93) return this.at++, out;
    for (;;) {
      out.push(this.value(depth + 1));
      this.skipSpace();
      const c = this.#text.charCodeAt(this.at++);
      if (c === 93) return out;
      if (c !== 44) (this.at--, this.fail("expected ',' or ']'"));
      this.skipSpace();
    }
  }

  string(): string {
    const t = this.#text;
    const start = ++this.at;
    let i = start;
    // Fast path: no escapes, one slice.
    for (;;) {
      const c = t.charCodeAt(i);
      if (c === 34) {
        this.at = i + 1;
        return t.slice(start, i);
      }
      if (c === 92) break;
      if (c < 32 || Number.isNaN(c)) (this.at = i), this.fail(Number.isNaN(c) ? 'unterminated string' : 'unescaped control character in a string');
      i++;
    }
    let out = t.slice(start, i);
    for (;;) {
      const c = t.charCodeAt(i);
      if (c === 34) {
        this.at = i + 1;
        return out;
      }
      if (c < 32 || Number.isNaN(c)) (this.at = i), this.fail(Number.isNaN(c) ? 'unterminated string' : 'unescaped control character in a string');
      if (c !== 92) {
        let j = i + 1;
        while (j < t.length && t.charCodeAt(j) !== 34 && t.charCodeAt(j) !== 92 && t.charCodeAt(j) >= 32) j++;
        out += t.slice(i, j);
        i = j;
        continue;
      }
      const e = t.charCodeAt(i + 1);
      i += 2;
      switch (e) {
        case 34: out += '"'; break;
        case 92: out += '\\'; break;
        case 47: out += '/'; break;
        case 98: out += '\b'; break;
        case 102: out += '\f'; break;
        case 110: out += '\n'; break;
        case 114: out += '\r'; break;
        case 116: out += '\t'; break;
        case 117: {
          const hex = t.slice(i, i + 4);
          if (!/^[0-9a-fA-F]{4}$/.test(hex)) (this.at = i), this.fail('bad \\u escape');
          out += String.fromCharCode(parseInt(hex, 16));
          i += 4;
          break;
        }
        default:
          (this.at = i - 1), this.fail('bad escape in a string');
      }
    }
  }

  number(): number | JsonNumber {
    const t = this.#text;
    const start = this.at;
    let i = start;
    if (t.charCodeAt(i) === 45) i++;
    const intStart = i;
    if (t.charCodeAt(i) === 48) i++;
    else if (isDigit(t.charCodeAt(i))) while (isDigit(t.charCodeAt(i))) i++;
    else (this.at = i), this.fail('expected a digit');
    const intDigits = i - intStart;
    let plain = true;
    if (t.charCodeAt(i) === 46) {
      plain = false;
      i++;
      if (!isDigit(t.charCodeAt(i))) (this.at = i), this.fail('expected a digit after the decimal point');
      while (isDigit(t.charCodeAt(i))) i++;
    }
    const e = t.charCodeAt(i);
    if (e === 101 || e === 69) {
      plain = false;
      i++;
      const s = t.charCodeAt(i);
      if (s === 43 || s === 45) i++;
      if (!isDigit(t.charCodeAt(i))) (this.at = i), this.fail('expected a digit in the exponent');
      while (isDigit(t.charCodeAt(i))) i++;
    }
    this.at = i;
    const literal = t.slice(start, i);
    // -0 stays text: as a number it would be a float sign, not the integer zero a column holds.
    return plain && intDigits <= 15 && literal !== '-0' ? Number(literal) : new JsonNumber(literal);
  }
}

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}
