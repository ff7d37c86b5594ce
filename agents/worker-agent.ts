/**
 * The agent the worker (`npm run serve`) sends into a call for `POST /calls/{type}/{id}/sessions`:
 * the same Gemini Live voice agent as `npm run agent` (agents/voice-agent.ts).
 * Replace this file (or point the worker at another module) to run your own agent.
 *
 * Each session gets its own StreamEdge, so one session's connection trouble never touches
 * another's, and closing a session frees everything it held.
 */
import { loadConfig, requireGoogle, requireStream, type Config } from '../src/config.js';
import type { AgentFactory, SessionAgent } from '../src/worker/session-agent.js';
import { createVoiceAgent } from './voice-agent.js';

let config: Config | undefined;

const createWorkerAgent: AgentFactory = async (call, { sessionId, signal }) => {
  config ??= loadConfig();
  requireStream(config);
  requireGoogle(config);
  const { edge, agent } = createVoiceAgent(config);
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
