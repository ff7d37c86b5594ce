/**
 * The example agent: a Gemini Live voice agent on Stream Video. `npm run agent` runs it
 * (`stream-agents run agents/voice-agent.ts`), and `npm run serve` sends it into a call for
 * every session (`stream-agents serve agents/voice-agent.ts`). It is written as an agent file
 * of your own would be: it imports the package by name, and exports one definition.
 *
 * What it leaves out comes from the configuration (.env): the user (AGENT_USER_ID, AGENT_NAME,
 * AGENT_IMAGE_URL), the instructions (AGENT_INSTRUCTIONS), video (AGENT_VIDEO), the model
 * (Gemini Live: GOOGLE_API_KEY, GEMINI_LIVE_MODEL, GEMINI_VOICE) and the edge (Stream Video:
 * STREAM_API_KEY, STREAM_API_SECRET). Change the instructions or the tools here; `npm run dev`
 * starts a new agent in the same call on every save.
 */
import { defineAgent } from 'stream-gemini-agents';
import { currentTime } from './tools/current-time.js';

export default defineAgent({
  // Left out, the instructions are AGENT_INSTRUCTIONS, else a short default (DEFAULT_INSTRUCTIONS):
  // instructions: 'You are a friendly, concise voice assistant in a video call.',
  tools: [currentTime],
});
