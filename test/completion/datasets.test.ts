import { describe, expect, test } from 'vitest';
import { Bm25Index, tokenize } from '../../src/completion/bm25.js';
import { datasetContext, rankRecords } from '../../src/completion/datasets.js';
import { skillsetInstructions } from '../../src/completion/skillsets.js';

const faq = {
  records: [
    { text: 'Our office opens at 9 and closes at 17 on weekdays.' },
    { text: 'Refunds are paid within 14 days of a returned order.' },
    { text: 'Shipping to Norway takes three to five days; shipping to Spain takes two.' },
    { text: 'The office is closed on public holidays.' },
  ],
};

describe('BM25 and datasets', () => {
  test('tokenize lower-cases words of any script and drops stop words', () => {
    expect(tokenize('The Café in Zürich, 2024!')).toEqual(['café', 'zürich', '2024']);
  });

  test('ranks the most relevant records first and leaves out unrelated ones', () => {
    const ranked = rankRecords([faq], 'How long does shipping to Norway take?');
    expect(ranked[0]!.record.text).toMatch(/Norway/);
    expect(ranked.map((entry) => entry.record.text)).not.toContain(faq.records[1]!.text);
    const office = rankRecords([faq], 'when is the office closed').map((entry) => entry.record.text);
    expect(office.slice(0, 2).sort()).toEqual([faq.records[0]!.text, faq.records[3]!.text].sort());
  });

  test('rarer terms weigh more', () => {
    const index = new Bm25Index(['apple banana', 'apple cherry', 'apple durian']);
    expect(index.search('apple durian')[0]!.index).toBe(2);
  });

  test('the context is bounded in records and characters, and absent when nothing matches', () => {
    const many = { records: Array.from({ length: 50 }, (_, i) => ({ text: `refund policy note ${i} ${'x'.repeat(300)}` })) };
    const context = datasetContext([many], 'refund policy', { maxRecords: 5, maxChars: 1000 })!;
    const lines = context.split('\n').slice(1);
    expect(lines.length).toBeLessThanOrEqual(5);
    expect(lines.join('').length).toBeLessThan(1100);
    expect(datasetContext([faq], 'quantum chromodynamics')).toBeUndefined();
  });

  test('skillsets become instructions naming each ability', () => {
    const text = skillsetInstructions([{ abilities: [{ name: 'escalate', description: 'Hand over to a human.', instruction: 'Say a human follows up.' }] }]);
    expect(text).toContain('- escalate: Hand over to a human.');
    expect(text).toContain('Instruction: Say a human follows up.');
    expect(skillsetInstructions([])).toBeUndefined();
  });
});
