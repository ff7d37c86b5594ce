/**
 * The agent the worker (`npm run serve`) sends into a call for `POST /calls/{type}/{id}/sessions`:
 * a Gemini Live voice agent on Stream, configured from the environment like `npm run agent`.
 * Replace this file (or point the worker at another module) to run your own agent.
 *
 * Each session gets its own StreamEdge, so one session's connection trouble never touches
 * another's, and closing a session frees everything it held.
 */
import { Agent } from '../src/agent/index.js';
import { loadConfig, requireGoogle, requireStream, type Config } from '../src/config.js';
import { StreamEdge } from '../src/edge/index.js';
import { GeminiRealtime } from '../src/llm/gemini/realtime.js';
import type { AgentFactory, SessionAgent } from '../src/server/sessions/session-agent.js';

const DEFAULT_INSTRUCTIONS =
  'You are a friendly, concise voice assistant in a video call. Answer in one or two short ' +
  'sentences unless asked for more. Several people may be in the call.';

let config: Config | undefined;

const createWorkerAgent: AgentFactory = async (call, { sessionId, signal }) => {
  config ??= loadConfig();
  requireStream(config);
  requireGoogle(config);
  const edge = StreamEdge.fromConfig(config);
  const agent = new Agent({
    edge,
    llm: GeminiRealtime.fromConfig(config),
    agentUser: { id: config.agent.userId, name: config.agent.name, imageUrl: config.agent.imageUrl },
    instructions: config.agent.instructions ?? DEFAULT_INSTRUCTIONS,
  });
  const closeAll = async (reason: string) => {
    await agent.close(reason);
    await edge.close();
  };
  const onAbort = () => void closeAll('session start cancelled');
  signal.addEventListener('abort', onAbort, { once: true });
  try {
    signal.throwIfAborted();
    await agent.join(await agent.createCall(call.type, call.id));
  } catch (error) {
    await closeAll('failed to start');
    throw error;
  } finally {
    signal.removeEventListener('abort', onAbort);
  }
  // The call can end on its own (everyone left, or its owner ended it): free the edge then too.
  const finished = agent.finish().then(() => edge.close());
  const session: SessionAgent = {
    finish: () => finished,
    close: () => closeAll(`session ${sessionId} closed`),
    get humanCount() {
      return agent.humanCount;
    },
    on: ((event: 'participant.joined', listener: (payload: { humanCount: number }) => void) =>
      agent.on(event, listener)) as SessionAgent['on'],
    stats: () => agent.stats(),
  };
  return session;
};

export default createWorkerAgent;
