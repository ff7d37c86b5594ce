/**
 * The worker's AgentFactory for an agent definition: every session builds the agent the
 * definition describes (buildAgent: the configuration fills in what it leaves out) and sends it
 * into the session's call. `stream-agents serve <file>` uses it with the file's definition.
 *
 *   import voiceAgent from './agents/voice-agent.js';
 *   await serveWorker({ server: { config, llm }, factory: agentFactoryFromDefinition(voiceAgent, { config }) });
 *
 * Each session gets its own edge, so one session's connection trouble never touches another's,
 * and closing a session frees everything it held.
 */
import type { AgentDefinition } from '../agent/define-agent.js';
import type { Config } from '../config.js';
import { childLogger, createLogger, type Logger } from '../core/logger.js';
import { buildAgent } from '../runtime/build-agent.js';
import type { AgentFactory, SessionAgent } from './session-agent.js';

export interface DefinitionAgentFactoryOptions {
  config: Config;
  logger?: Logger;
}

export function agentFactoryFromDefinition(definition: AgentDefinition, options: DefinitionAgentFactoryOptions): AgentFactory {
  const logger = options.logger ?? createLogger('worker.agent');
  return async (call, { sessionId, signal }) => {
    const context = { config: options.config, call, sessionId, signal, logger: childLogger(logger, { sessionId }) };
    signal.throwIfAborted();
    const built = await buildAgent(definition, context);
    const { agent } = built;
    const onAbort = () => void built.close('session start cancelled');
    signal.addEventListener('abort', onAbort, { once: true });
    try {
      signal.throwIfAborted();
      await agent.join(await agent.createCall(call.type, call.id));
    } catch (error) {
      await built.close('failed to start');
      throw error;
    } finally {
      signal.removeEventListener('abort', onAbort);
    }
    // The call can end on its own (everyone left, or its owner ended it): free the edge then too.
    const finished = agent.finish().then(() => built.close('the call ended'));
    const session: SessionAgent = {
      finish: () => finished,
      close: () => built.close(`session ${sessionId} closed`),
      get humanCount() {
        return agent.humanCount;
      },
      on: ((event: 'participant.joined', listener: (payload: { humanCount: number }) => void) =>
        agent.on(event, listener)) as SessionAgent['on'],
      stats: () => agent.stats(),
    };
    return session;
  };
}
