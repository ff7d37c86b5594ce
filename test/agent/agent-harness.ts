/** One agent wired to the local fakes: Stream (REST, coordinator, SFU) and the Gemini Live API. */
import { Agent, type AgentOptions } from '../../src/agent/index.js';
import { GeminiRealtime } from '../../src/llm/gemini/realtime.js';
import { FakeGeminiLive } from '../../testing/gemini-live/index.js';
import { startStreamFakes, type StreamFakes } from '../edge/helpers.js';

export interface AgentHarness {
  stream: StreamFakes;
  live: FakeGeminiLive;
  agent: Agent;
  /**
   * Resolves once the agent receives `userId`'s audio (silence counts): a person who speaks
   * before the agent has subscribed to them is not heard, as in a real call.
   */
  hearing(userId: string): Promise<void>;
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
    hearing: (userId) =>
      new Promise<void>((resolve) => {
        const listen = () => {
          const connection = edge.connections[0];
          if (!connection) return void setTimeout(listen, 10);
          const off = connection.events.on('audio', ({ participant }) => {
            if (participant.userId !== userId) return;
            off();
            resolve();
          });
        };
        listen();
      }),
    async close() {
      await agent.close();
      await edge.close();
      await live.close();
      await stream.close();
    },
  };
}
