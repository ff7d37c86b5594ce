/**
 * The bots `npm run serve` offers on `POST /api/v1/conversation/complete` (`botId`), with the
 * datasets and skillsets they (or a request's `datasetId`/`skillsetId`) refer to. Set
 * BOTS_FILE to use another file (JSON or a module like this one).
 */
import type { BotCatalog } from 'stream-gemini-agents/worker';
import { currentTime } from './tools/current-time.js';

const catalog: BotCatalog = {
  bots: [
    {
      id: 'support',
      name: 'Support assistant',
      description: 'Answers questions about running voice agents on Stream with Gemini.',
      instructions:
        'You are the support assistant of an open-source framework for real-time voice and video AI agents ' +
        'on Stream Video, answered by Google Gemini. Answer briefly and concretely. When you are not sure, say so.',
      model: 'gemini-2.5-flash/temperature=0.3/maxTokens=1024',
      datasetId: 'framework-faq',
      skillsetId: 'support-skills',
      tools: [
        currentTime,
      ],
    },
  ],
  datasets: [
    {
      id: 'framework-faq',
      name: 'Framework FAQ',
      records: [
        { text: 'Start the HTTP server with npm run serve; it listens on HOST and PORT (default 127.0.0.1:8080).' },
        { text: 'API keys for the completion API come from WORKER_API_KEYS, comma-separated; send one as "Authorization: Bearer <key>".' },
        { text: 'An agent joins a Stream Video call as a participant and answers with the Gemini Live API (speech to speech).' },
        { text: 'Every turn of a call is kept in a Conversation: the call\'s Stream Chat channel, or memory.' },
        { text: 'Gemini needs GOOGLE_API_KEY (free at https://aistudio.google.com/apikey); Stream needs STREAM_API_KEY and STREAM_API_SECRET.' },
        { text: 'Node 20.19 or newer is required; Node 22 or 24 is recommended.' },
      ],
    },
  ],
  skillsets: [
    {
      id: 'support-skills',
      name: 'Support skills',
      abilities: [
        {
          name: 'troubleshoot',
          description: 'Walk the user through a failing setup.',
          instruction: 'Ask for the exact error message first, then give one step at a time.',
        },
        {
          name: 'escalate',
          description: 'Hand over to a human when the question is about billing or an outage.',
          instruction: 'Say that a human will follow up, and summarise the problem in one sentence.',
        },
      ],
    },
  ],
};

export default catalog;
