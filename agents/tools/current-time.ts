/**
 * A tool both example agents use: the voice agent (voice-agent.ts) and the completion API's
 * support bot (bots.ts). A tool is a value, so agent files share one by importing it.
 */
import { defineTool } from 'stream-gemini-agents';
import { z } from 'zod';

export const currentTime = defineTool({
  name: 'current_time',
  description: 'The current date and time in an IANA time zone, e.g. Europe/Amsterdam.',
  parameters: z.object({ timeZone: z.string().describe('IANA time zone name').default('UTC') }),
  execute: ({ timeZone }) => {
    try {
      return { timeZone, now: new Date().toLocaleString('en-GB', { timeZone, dateStyle: 'full', timeStyle: 'long' }) };
    } catch {
      return { error: `Unknown time zone "${timeZone}"; use an IANA name such as Europe/Amsterdam.` };
    }
  },
});
