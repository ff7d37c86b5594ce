/**
 * Privacy mode: personal data is replaced by typed placeholders before the model sees it.
 *
 * One `PiiMasker` serves one request, so a value seen twice gets the same placeholder
 * (`[EMAIL_1]` in the history and in the new message refer to the same address) and the model
 * can still reason about "the same email". Nothing is unmasked afterwards: the model only ever
 * saw placeholders, so the reply contains placeholders, never the original values. The
 * `sendResult` event reports what was masked in the user's message as entities (with the
 * original text, which the client sent itself).
 *
 * Detectors, in priority order when matches overlap: emails, IBANs (mod-97 checked), card
 * numbers (13–19 digits, Luhn checked), US social security numbers, IPv4 addresses, phone
 * numbers (international `+…`, North American `(555) 123-4567`, or national `0…` forms).
 */

export type PiiType = 'email' | 'iban' | 'card' | 'ssn' | 'ip' | 'phone';

/** A masked span, in the protocol's entity shape: offsets in the original and the masked text. */
export interface PiiEntity {
  type: PiiType;
  begin: number;
  end: number;
  text: string;
  replacement: { begin: number; end: number; text: string };
}

interface Detector {
  type: PiiType;
  pattern: RegExp;
  accept?: (match: string) => boolean;
}

const digitsOf = (value: string) => value.replace(/\D/g, '');

const DETECTORS: Detector[] = [
  // Starts only where a local part can start (not inside a run of its characters), and every
  // part is bounded (RFC 5321: 64 for the local part, 63 a label): a long run of letters or
  // digits with no `@` is scanned once, not once from each of its characters.
  {
    type: 'email',
    pattern: /(?<![A-Za-z0-9._%+-])[A-Za-z0-9._%+-]{1,64}@[A-Za-z0-9-]{1,63}(?:\.[A-Za-z0-9-]{1,63}){0,8}\.[A-Za-z]{2,24}\b/g,
  },
  { type: 'iban', pattern: /\b[A-Z]{2}\d{2}(?: ?[A-Z0-9]){11,30}\b/g, accept: isValidIban },
  { type: 'card', pattern: /\b\d(?:[ -]?\d){12,18}\b/g, accept: (match) => passesLuhn(digitsOf(match)) },
  { type: 'ssn', pattern: /\b(?!000|666|9\d\d)\d{3}-(?!00)\d{2}-(?!0000)\d{4}\b/g },
  {
    type: 'ip',
    pattern: /\b(?:(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){3}(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\b/g,
  },
  {
    type: 'phone',
    // Each run of digits is read one way only: groups after the first need a separator, so a
    // long run of digits cannot be split into groups in thousands of ways before failing.
    pattern:
      /(?:\+\d{1,15}(?:[\s.-]?\(\d{1,4}\)[\s.-]?\d{1,14})?(?:[\s.-]\d{1,14}){0,5}(?!\d)|\(\d{3}\)\s?\d{3}[\s.-]\d{4}\b|\b\d{3}[\s.-]\d{3}[\s.-]\d{4}\b|\b0\d{1,14}(?:[\s./-]\d{2,8}){0,4}\b)/g,
    accept: (match) => {
      const count = digitsOf(match).length;
      return count >= 7 && count <= 15;
    },
  },
];

const PLACEHOLDER_PREFIX: Record<PiiType, string> = {
  email: 'EMAIL',
  iban: 'IBAN',
  card: 'CARD',
  ssn: 'SSN',
  ip: 'IP',
  phone: 'PHONE',
};

export class PiiMasker {
  /** `type:value` → placeholder, so repeated values share one. */
  readonly #placeholders = new Map<string, string>();
  readonly #counts = new Map<PiiType, number>();

  /** How many distinct values were masked so far. */
  get maskedCount(): number {
    return this.#placeholders.size;
  }

  mask(text: string): { text: string; entities: PiiEntity[] } {
    const spans = findSpans(text);
    if (spans.length === 0) return { text, entities: [] };
    const entities: PiiEntity[] = [];
    let masked = '';
    let cursor = 0;
    for (const span of spans) {
      masked += text.slice(cursor, span.begin);
      const original = text.slice(span.begin, span.end);
      const placeholder = this.#placeholderFor(span.type, original);
      entities.push({
        type: span.type,
        begin: span.begin,
        end: span.end,
        text: original,
        replacement: { begin: masked.length, end: masked.length + placeholder.length, text: placeholder },
      });
      masked += placeholder;
      cursor = span.end;
    }
    masked += text.slice(cursor);
    return { text: masked, entities };
  }

  /** Masks every string inside a JSON value (function arguments and results); the shape is kept. */
  maskValue(value: unknown): unknown {
    if (typeof value === 'string') return this.mask(value).text;
    if (Array.isArray(value)) return value.map((item) => this.maskValue(item));
    if (value && typeof value === 'object') {
      return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, this.maskValue(item)]));
    }
    return value;
  }

  #placeholderFor(type: PiiType, value: string): string {
    const key = `${type}:${type === 'email' ? value.toLowerCase() : digitsOrValue(type, value)}`;
    let placeholder = this.#placeholders.get(key);
    if (!placeholder) {
      const count = (this.#counts.get(type) ?? 0) + 1;
      this.#counts.set(type, count);
      placeholder = `[${PLACEHOLDER_PREFIX[type]}_${count}]`;
      this.#placeholders.set(key, placeholder);
    }
    return placeholder;
  }
}

/** Formatting aside, `+1 555 123 4567` and `+1-555-123-4567` are the same number. */
function digitsOrValue(type: PiiType, value: string): string {
  return type === 'card' || type === 'phone' || type === 'ssn' ? digitsOf(value) : value.replace(/\s/g, '').toUpperCase();
}

function findSpans(text: string): Array<{ type: PiiType; begin: number; end: number }> {
  const spans: Array<{ type: PiiType; begin: number; end: number }> = [];
  // Which characters a span already covers: a later detector's match overlapping one is
  // dropped (detectors run in priority order). Checked per character, so the cost is linear.
  const covered = new Uint8Array(text.length);
  for (const detector of DETECTORS) {
    for (const match of text.matchAll(detector.pattern)) {
      let value = match[0];
      // Trailing separators are not part of the value ("call 030 1234567." keeps its period).
      value = value.replace(/[\s.\-/]+$/, '');
      const begin = match.index;
      const end = begin + value.length;
      if (detector.accept && !detector.accept(value)) continue;
      if (covered.subarray(begin, end).includes(1)) continue;
      covered.fill(1, begin, end);
      spans.push({ type: detector.type, begin, end });
    }
  }
  return spans.sort((a, b) => a.begin - b.begin);
}

/** The Luhn checksum of card numbers: it rules out most random digit runs. */
export function passesLuhn(digits: string): boolean {
  if (digits.length < 13 || digits.length > 19) return false;
  let sum = 0;
  for (let index = 0; index < digits.length; index++) {
    let digit = Number(digits[digits.length - 1 - index]);
    if (index % 2 === 1) {
      digit *= 2;
      if (digit > 9) digit -= 9;
    }
    sum += digit;
  }
  return sum % 10 === 0;
}

/** ISO 13616: move the first four characters to the end, letters to numbers, mod 97 must be 1. */
export function isValidIban(value: string): boolean {
  const iban = value.replace(/\s/g, '').toUpperCase();
  if (iban.length < 15 || iban.length > 34) return false;
  const rearranged = iban.slice(4) + iban.slice(0, 4);
  let remainder = 0;
  for (const char of rearranged) {
    const code = char.charCodeAt(0);
    const chunk = code >= 65 && code <= 90 ? String(code - 55) : char;
    for (const digit of chunk) remainder = (remainder * 10 + Number(digit)) % 97;
  }
  return remainder === 1;
}
