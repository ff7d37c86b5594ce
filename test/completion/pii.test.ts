import { describe, expect, test } from 'vitest';
import { isValidIban, passesLuhn, PiiMasker } from '../../src/completion/pii.js';

describe('PiiMasker', () => {
  test('masks emails, phones, cards, IBANs, SSNs and IPs with typed placeholders', () => {
    const masker = new PiiMasker();
    const text =
      'Mail ada@example.com or call +44 20 7946 0958. Card 4111 1111 1111 1111, IBAN GB82 WEST 1234 5698 7654 32, SSN 123-45-6789, from 203.0.113.9.';
    const { text: masked, entities } = masker.mask(text);
    expect(masked).toBe('Mail [EMAIL_1] or call [PHONE_1]. Card [CARD_1], IBAN [IBAN_1], SSN [SSN_1], from [IP_1].');
    expect(entities.map((entity) => entity.type)).toEqual(['email', 'phone', 'card', 'iban', 'ssn', 'ip']);
    for (const entity of entities) {
      expect(text.slice(entity.begin, entity.end)).toBe(entity.text);
      expect(masked.slice(entity.replacement.begin, entity.replacement.end)).toBe(entity.replacement.text);
    }
  });

  test('the same value keeps its placeholder across messages; a new one gets the next number', () => {
    const masker = new PiiMasker();
    expect(masker.mask('I am ada@example.com').text).toBe('I am [EMAIL_1]');
    expect(masker.mask('Write to ADA@example.com and bob@example.org').text).toBe('Write to [EMAIL_1] and [EMAIL_2]');
    expect(masker.mask('+1 555 123 4567 or +1-555-123-4567').text).toBe('[PHONE_1] or [PHONE_1]');
  });

  test('leaves dates, prices, order numbers and invalid card or IBAN numbers alone', () => {
    const masker = new PiiMasker();
    const text = 'On 2024-01-15 order 12345 cost 1299.99; card 4111 1111 1111 1112 and GB00 WEST 1234 5698 7654 32 are invalid.';
    expect(masker.mask(text)).toEqual({ text, entities: [] });
  });

  test('masks national and North American phone formats', () => {
    const masker = new PiiMasker();
    expect(masker.mask('Ring 030 1234567, 06 12 34 56 78 or (555) 123-4567.').text).toBe('Ring [PHONE_1], [PHONE_2] or [PHONE_3].');
  });

  test('masks strings inside JSON values and keeps their shape', () => {
    const masker = new PiiMasker();
    expect(masker.maskValue({ to: ['ada@example.com'], count: 2, note: null })).toEqual({ to: ['[EMAIL_1]'], count: 2, note: null });
  });

  test('checksums', () => {
    expect(passesLuhn('4111111111111111')).toBe(true);
    expect(passesLuhn('4111111111111112')).toBe(false);
    expect(isValidIban('DE89 3704 0044 0532 0130 00')).toBe(true);
    expect(isValidIban('DE89 3704 0044 0532 0130 01')).toBe(false);
  });

  // A body may carry a megabyte of text. Each of these took a scan per character (or per way
  // of splitting a digit run) before; all of them must come back, in one pass over the text.
  test.each([
    ['a megabyte of digits', '1'.repeat(1_000_000)],
    ['local-part characters with no @', 'a.'.repeat(500_000)],
    ['digit runs starting with 0', `${'0'.repeat(50)} ${'9'.repeat(50)} `.repeat(10_000)],
    ['plus signs before digit runs', `+${'1'.repeat(40)} `.repeat(20_000)],
  ])('masks %s in one pass', (_label, text) => {
    expect(new PiiMasker().mask(text)).toEqual({ text, entities: [] });
  });

  test('many values in one text are all masked', () => {
    const text = Array.from({ length: 20_000 }, (_, i) => `10.0.${Math.floor(i / 250)}.${i % 250}`).join(' ');
    const { entities } = new PiiMasker().mask(text);
    expect(entities).toHaveLength(20_000);
  });
});

