/**
 * The Gemini Live voice agent on Stream that `npm run agent` and the worker both run, built
 * from the environment's configuration. Change the instructions, the voice or the tools here.
 */
import { Agent } from '../src/agent/index.js';
import type { Config } from '../src/config.js';
import { StreamEdge } from '../src/edge/stream/index.js';
import { GeminiRealtime } from '../src/llm/gemini/realtime.js';
import { geminiRealtimeOptions, streamEdgeOptions } from '../src/presets.js';

export const DEFAULT_INSTRUCTIONS =
  'You are a friendly, concise voice assistant in a video call. Answer in one or two short ' +
  'sentences unless asked for more. Several people may be in the call.';

/** A fresh edge and an agent on it; the caller owns both (close the agent, then the edge). */
export function createVoiceAgent(config: Config): { edge: StreamEdge; agent: Agent } {
  const edge = new StreamEdge(streamEdgeOptions(config));
  const agent = new Agent({
    edge,
    llm: new GeminiRealtime(geminiRealtimeOptions(config)),
    agentUser: { id: config.agent.userId, name: config.agent.name, imageUrl: config.agent.imageUrl },
    instructions: config.agent.instructions ?? DEFAULT_INSTRUCTIONS,
  });
  return { edge, agent };
}
