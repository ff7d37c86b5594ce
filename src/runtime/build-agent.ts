/**
 * Builds the agent an agent definition describes, for one call: what the definition leaves out
 * comes from the configuration, and the default model (Gemini Live, or pipeline mode by
 * AGENT_MODE: see default-model.ts) and edge (Stream Video) are resolved here, where agents are built for the CLI and the worker, so the root entry that
 * `defineAgent` lives in never loads a provider.
 *
 *   const built = await buildAgent(definition, { config, call });   // signal and logger optional
 *   await built.agent.join(await built.agent.createCall(call.type, call.id));
 *   await built.close('done');      // the agent leaves (transcript flushed), then its edge closes
 */
import { Agent } from '../agent/agent.js';
import { DEFAULT_INSTRUCTIONS, type AgentContext, type AgentDefinition } from '../agent/define-agent.js';
import type { Config } from '../config.js';
import { toError } from '../core/errors.js';
import { createLogger } from '../core/logger.js';
import type { Edge } from '../edge/edge.js';
import { StreamEdge } from '../edge/stream/stream-edge.js';
import type { RealtimeModel } from '../llm/realtime.js';
import { streamEdgeOptions } from '../presets.js';
import { defaultModel, missingModelCredentials } from './default-model.js';

export interface BuiltAgent {
  agent: Agent;
  edge: Edge;
  /** Closes the agent (the model stops, the transcript is flushed, it leaves the call), then the edge. Idempotent. */
  close(reason: string): Promise<void>;
}

/** What buildAgent needs: the configuration and the call; a signal and a logger are optional. */
export type BuildAgentContext = Omit<AgentContext, 'signal' | 'logger'> & Partial<Pick<AgentContext, 'signal' | 'logger'>>;

export async function buildAgent(definition: AgentDefinition, buildContext: BuildAgentContext): Promise<BuiltAgent> {
  const context: AgentContext = {
    ...buildContext,
    signal: buildContext.signal ?? new AbortController().signal,
    logger: buildContext.logger ?? createLogger('agent'),
  };
  const { config } = context;
  const video = definition.video ?? config.agent.video;
  const edge = definition.edge ? await definition.edge(context) : new StreamEdge(streamEdgeOptions(config));
  let llm: RealtimeModel;
  try {
    llm = definition.model ? await definition.model(context) : await defaultModel(config, { video });
  } catch (error) {
    await edge.close().catch(() => {});
    throw error;
  }
  const agent = new Agent({
    edge,
    llm,
    agentUser: definition.agentUser ?? { id: config.agent.userId, name: config.agent.name, imageUrl: config.agent.imageUrl },
    instructions: definition.instructions ?? config.agent.instructions ?? DEFAULT_INSTRUCTIONS,
    tools: definition.tools,
    video,
    addressing: definition.addressing ?? config.agent.addressing,
    addressingNames: config.agent.addressingNames.length > 0 ? config.agent.addressingNames : undefined,
    chatInput: definition.chatInput ?? config.agent.chat.input,
    chatReplies: definition.chatReplies ?? config.agent.chat.replies,
    chatTool: definition.chatTool ?? config.agent.chat.tool,
    chatHistory: definition.chatHistory ?? { maxMessages: config.agent.chat.historyMessages, maxChars: config.agent.chat.historyChars },
  });
  let closing: Promise<void> | undefined;
  const close = (reason: string) =>
    (closing ??= agent
      .close(reason)
      .catch((error: unknown) => context.logger.error({ err: toError(error) }, 'closing the agent failed'))
      .then(() => edge.close())
      .catch((error: unknown) => context.logger.error({ err: toError(error) }, 'closing the edge failed')));
  try {
    await definition.setup?.(agent, context);
  } catch (error) {
    await close('setup failed');
    throw error;
  }
  return { agent, edge, close };
}

/**
 * The credentials the defaults a definition leaves in place need (Stream for the edge, Gemini
 * for the model) and `config` lacks, so a process can refuse to start naming all of them.
 */
export function missingDefaultCredentials(definition: AgentDefinition, config: Config): string[] {
  return [
    !definition.edge && !config.stream.apiKey ? 'STREAM_API_KEY' : undefined,
    !definition.edge && !config.stream.apiSecret ? 'STREAM_API_SECRET' : undefined,
    ...(definition.model ? [] : missingModelCredentials(config)),
  ].filter((name): name is string => name !== undefined);
}
