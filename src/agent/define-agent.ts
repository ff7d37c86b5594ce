/**
 * `defineAgent`: what an agent file exports, for `stream-agents run | serve | dev <file>`.
 *
 *   // agents/weather-agent.ts
 *   import { defineAgent, defineTool } from 'stream-gemini-agents';
 *   import { z } from 'zod';
 *
 *   export default defineAgent({
 *     instructions: 'You are a weather presenter. Keep answers short.',
 *     tools: [
 *       defineTool({
 *         name: 'get_weather',
 *         description: 'The weather in a city',
 *         parameters: z.object({ city: z.string() }),
 *         execute: async ({ city }) => ({ city, sky: 'clear' }),
 *       }),
 *     ],
 *     setup: (agent) => {
 *       agent.on('transcript', ({ role, text, final }) => final && console.log(role, text));
 *     },
 *   });
 *
 * Every field may be left out. A definition is a recipe, not an agent: the CLI and the worker
 * build one agent from it per call, filling in what is left out from the configuration (the
 * environment and `.env`): the user from AGENT_USER_ID, AGENT_NAME and AGENT_IMAGE_URL, the
 * instructions from AGENT_INSTRUCTIONS, video from AGENT_VIDEO, the model (Gemini Live) and the
 * edge (Stream Video) from their variables. This module names no provider, so the root entry
 * stays free of them; the defaults are resolved where agents are built.
 */
import type { Config } from '../config.js';
import { ValidationError } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import type { Edge, EdgeUser } from '../edge/edge.js';
import type { RealtimeModel } from '../llm/realtime.js';
import type { ToolList } from '../llm/tool.js';
import { ToolRegistry } from '../llm/tool-registry.js';
import type { Agent } from './agent.js';
import type { Addressing } from '../turns/addressing.js';
import { resolveChatSettings, type ChatHistoryLimits, type ChatReplies } from './chat-settings.js';

/** What the factories and `setup` of a definition are given, once per agent built. */
export interface AgentContext {
  /** The configuration the process read from the environment and `.env`. */
  config: Config;
  /** The call the agent is built for. */
  call: { type: string; id: string };
  /** The worker's session id, when the worker runs the agent. */
  sessionId?: string;
  /** Aborted when the agent is no longer wanted before it joined (the session was closed, the process is stopping). */
  signal: AbortSignal;
  logger: Logger;
}

/**
 * An agent as its file describes it. `Tools`: the argument types of tools written inline in
 * `tools`, inferred, so each `execute` is typed by its own schema (see `defineTool`).
 */
export interface AgentDefinitionInit<Tools extends readonly unknown[] = any[]> {
  /** The agent as the others in the call see it. Default: AGENT_USER_ID, AGENT_NAME, AGENT_IMAGE_URL. */
  agentUser?: EdgeUser;
  /** The model's system instructions. Default: AGENT_INSTRUCTIONS, else DEFAULT_INSTRUCTIONS. */
  instructions?: string;
  /** Tools the model may call: written inline (or with `defineTool`), or a ToolRegistry. */
  tools?: ToolRegistry | ToolList<Tools>;
  /** Show the model one frame a second of a screen share or camera. Default: AGENT_VIDEO. */
  video?: boolean;
  /** Group calls: `always` answers every turn, `when-addressed` only those meant for the agent. Default: AGENT_ADDRESSING. */
  addressing?: Addressing;
  /** Read what people type into the call's chat as their turns. Default: AGENT_CHAT_INPUT (true). */
  chatInput?: boolean;
  /** Where answers to typed turns go: `voice`, `text` or `both` (see ChatReplies). Default: AGENT_CHAT_REPLIES (voice). */
  chatReplies?: ChatReplies;
  /** The built-in post_to_chat tool. Default: AGENT_CHAT_TOOL (true). */
  chatTool?: boolean;
  /** The chat history a joining agent reads, or false. Default: AGENT_CHAT_HISTORY_MESSAGES and _CHARS. */
  chatHistory?: Partial<ChatHistoryLimits> | false;
  /** The realtime model, one per agent. Default: Gemini Live, from GOOGLE_API_KEY and the GEMINI_* variables. */
  model?: (context: AgentContext) => RealtimeModel | Promise<RealtimeModel>;
  /** The edge, one per agent. Default: Stream Video, from the STREAM_* variables. */
  edge?: (context: AgentContext) => Edge | Promise<Edge>;
  /** Runs once the agent is built, before it joins: add listeners here. A throw fails the start. */
  setup?: (agent: Agent, context: AgentContext) => void | Promise<void>;
}

const DEFINITION = Symbol.for('stream-gemini-agents.agent-definition');

/** A checked definition, as `defineAgent` returns it. */
export type AgentDefinition = Readonly<AgentDefinitionInit> & { readonly [DEFINITION]: true };

/** The instructions of an agent whose definition and AGENT_INSTRUCTIONS give none. */
export const DEFAULT_INSTRUCTIONS =
  'You are a friendly, concise voice assistant in a video call. Answer in one or two short ' +
  'sentences unless asked for more. Several people may be in the call.';

const FIELDS = ['agentUser', 'instructions', 'tools', 'video', 'addressing', 'chatInput', 'chatReplies', 'chatTool', 'chatHistory', 'model', 'edge', 'setup'] as const;

/**
 * Checks `definition` and returns it frozen, marked as a definition. Throws a ValidationError
 * naming the field for an unknown field or a value of the wrong type (tools are checked as a
 * ToolRegistry would), so a mistake shows when the file is loaded, not when a call starts.
 */
export function defineAgent<Tools extends readonly unknown[] = any[]>(definition: AgentDefinitionInit<Tools>): AgentDefinition {
  if (typeof definition !== 'object' || definition === null || Array.isArray(definition)) {
    throw new ValidationError('definition', `must be an object such as { instructions, tools }, got ${describe(definition)}`);
  }
  for (const key of Object.keys(definition)) {
    if (!(FIELDS as readonly string[]).includes(key)) {
      throw new ValidationError(key, `is not a field of an agent definition; the fields are ${FIELDS.join(', ')}`);
    }
  }
  const { agentUser, instructions, tools, video, addressing, chatInput, chatReplies, chatTool, chatHistory, model, edge, setup } = definition as AgentDefinitionInit;
  resolveChatSettings({ chatInput, chatReplies, chatTool, chatHistory }); // throws what the Agent would
  if (agentUser !== undefined) checkAgentUser(agentUser);
  if (instructions !== undefined && (typeof instructions !== 'string' || instructions.trim() === '')) {
    throw new ValidationError('instructions', `must be a non-empty string, got ${describe(instructions)}`);
  }
  if (tools !== undefined && !(tools instanceof ToolRegistry)) {
    if (!Array.isArray(tools)) throw new ValidationError('tools', `must be a list of tools or a ToolRegistry, got ${describe(tools)}`);
    new ToolRegistry(tools); // throws what a registry would: a bad tool, or two with one name
  }
  if (video !== undefined && typeof video !== 'boolean') throw new ValidationError('video', `must be true or false, got ${describe(video)}`);
  if (addressing !== undefined && addressing !== 'always' && addressing !== 'when-addressed') {
    throw new ValidationError('addressing', `must be 'always' or 'when-addressed', got ${describe(addressing)}`);
  }
  for (const [name, value] of [['model', model], ['edge', edge], ['setup', setup]] as const) {
    if (value !== undefined && typeof value !== 'function') {
      throw new ValidationError(name, `must be a function, got ${describe(value)}`);
    }
  }
  return Object.freeze({ ...(definition as AgentDefinitionInit), [DEFINITION]: true as const });
}

/** Whether `value` came from `defineAgent` (of any copy of this package). */
export function isAgentDefinition(value: unknown): value is AgentDefinition {
  return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[DEFINITION] === true;
}

function checkAgentUser(user: EdgeUser): void {
  if (typeof user !== 'object' || user === null) throw new ValidationError('agentUser', `must be an object such as { id, name }, got ${describe(user)}`);
  if (typeof user.id !== 'string' || user.id.trim() === '') throw new ValidationError('agentUser.id', `must be a non-empty string, got ${describe(user.id)}`);
  for (const field of ['name', 'imageUrl'] as const) {
    if (user[field] !== undefined && typeof user[field] !== 'string') {
      throw new ValidationError(`agentUser.${field}`, `must be a string, got ${describe(user[field])}`);
    }
  }
  if (user.custom !== undefined && (typeof user.custom !== 'object' || user.custom === null)) {
    throw new ValidationError('agentUser.custom', `must be an object, got ${describe(user.custom)}`);
  }
}

function describe(value: unknown): string {
  if (value === null || value === undefined) return String(value);
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'function') return 'a function';
  if (typeof value === 'object') return 'an object';
  return `${typeof value} ${JSON.stringify(value)}`;
}
