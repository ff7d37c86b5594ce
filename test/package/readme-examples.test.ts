import { describe, expect, it } from 'vitest';
import { readmeExamples } from '../../scripts/package-check/readme-examples.js';

const fence = '```';

describe('readmeExamples (the README blocks that check:package compiles)', () => {
  it('takes the ts blocks that are whole modules, with their heading and imports, and leaves fragments out', () => {
    const markdown = [
      '# Title',
      '## Use it in code',
      `${fence}ts`,
      "// a comment first",
      "import { Agent } from 'stream-gemini-agents';",
      "import {",
      "  StreamEdge,",
      "} from 'stream-gemini-agents/stream';",
      'new Agent();',
      fence,
      '## Conversation',
      `${fence}ts`,
      "conversation.send('user', 'alice', 'Hello');",
      fence,
      `${fence}bash`,
      "import this is not TypeScript",
      fence,
      '### A custom store',
      `${fence}typescript`,
      "import type { Conversation } from 'stream-gemini-agents';",
      fence,
    ].join('\n');
    const examples = readmeExamples(markdown);
    expect(examples.map(({ fileName, heading, imports }) => ({ fileName, heading, imports }))).toEqual([
      { fileName: 'readme-01-use-it-in-code.ts', heading: 'Use it in code', imports: ['stream-gemini-agents', 'stream-gemini-agents/stream'] },
      { fileName: 'readme-02-a-custom-store.ts', heading: 'A custom store', imports: ['stream-gemini-agents'] },
    ]);
    expect(examples[0]!.code).toContain('new Agent();');
  });
});
