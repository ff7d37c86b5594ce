/** One agent wired to the local fakes: Stream (REST, coordinator, SFU) and the Gemini Live API. */
import { Agent, type AgentOptions } from '../../src/agent/index.js';
import { GeminiRealtime } from '../../src/llm/gemini/realtime.js';
import { FakeGeminiLive } from '../fakes/gemini-live/index.js';
import { startStreamFakes, type StreamFakes } from '../edge/helpers.js';

export interface AgentHarness {
  stream: StreamFakes;
  live: FakeGeminiLive;
  agent: Agent;
  close(): Promise<void>;
}

export async function startAgentHarness(overrides: Partial<AgentOptions> = {}): Promise<AgentHarness> {
  const stream = await startStreamFakes();
  const live = await FakeGeminiLive.start();
  const edge = stream.edge();
  const agent = new Agent({
    edge,
    llm: new GeminiRealtime({ apiKey: live.apiKey, baseUrl: live.baseUrl, reconnectBaseDelayMs: 20 }),
    agentUser: { id: 'agent', name: 'Test Agent' },
    instructions: 'Be brief.',
    ...overrides,
  });
  return {
    stream,
    live,
    agent,
    async close() {
      await agent.close();
      await edge.close();
      await live.close();
      await stream.close();
    },
  };
}
