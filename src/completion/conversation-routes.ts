/**
 * Stateful completion on a Conversation:
 * - `POST /api/v1/conversation/{conversationId}/complete` `{ text, botId?, model?, userId? }`
 *   appends the user's message to the conversation of that id, answers from its history with
 *   the same events as the stateless endpoint, and streams the reply into the conversation
 *   (so a StreamConversation shows it in the chat channel as it is generated);
 * - `GET /api/v1/conversation/{conversationId}/message/list?limit=&before=` lists its messages,
 *   a page at a time, newest page first.
 * Both also answer under `/v1/…`. A conversation belongs to the key that created it (see
 * ConversationOwners); for any other key it does not exist. Its size is bounded.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { Config } from '../config.js';
import type { Conversation, Message } from '../conversation/index.js';
import { ValidationError } from '../core/errors.js';
import type { LLM, LLMMessage } from '../llm/llm.js';
import type { BotDirectory } from './bots/bot-directory.js';
import type { ProtocolEvent } from './events.js';
import { parseModelString } from './model-string.js';
import type { PreparedCompletion } from './prepare-completion.js';
import { formatIssuePath } from '../http/field-path.js';
import type { CompletionOutcome } from './run-completion.js';
import { recordCompletionModel, recordCompletionOutcome, traceCompletion } from './completion-span.js';
import type { Span } from '../core/tracing.js';
import { CONVERSATION_ID, type ConversationDirectory } from './conversations/conversation-directory.js';
import type { ConversationOwners } from './conversations/conversation-owners.js';
import { DEFAULT_CONVERSATION_USER_ID } from './conversations/conversation-factory.js';
import { RequestError } from '../http/http-errors.js';
import { requireResponseMode } from './complete-route.js';
import { openEventWriter, openRequestScope, runIntoWriter, type ActiveRequests } from './event-response.js';

/** How many earlier messages the model sees. */
export const HISTORY_LIMIT = 50;

/** Bounds of one conversation: a message's text, and what the whole conversation may hold. */
export const CONVERSATION_LIMITS = { maxTextChars: 32_000, maxMessages: 1_000, maxChars: 1_000_000 } as const;

/** Messages per page of `message/list`: the default and the most a client may ask for. */
export const LIST_PAGE = { default: 100, max: 200 } as const;

export interface ConversationRuntime {
  llm: LLM;
  conversations: ConversationDirectory;
  owners: ConversationOwners;
  bots: BotDirectory;
  knownModels: ReadonlySet<string>;
  agent: Config['agent'];
  timeoutMs: number;
  pingIntervalMs: number;
  /** How long a client may take nothing of a response before it is closed. */
  writeTimeoutMs: number;
  active: ActiveRequests;
}

const BodySchema = z.object(
  {
    text: z
      .string({ error: 'text must be a string' })
      .min(1, 'text must not be empty')
      .max(CONVERSATION_LIMITS.maxTextChars, `text has at most ${CONVERSATION_LIMITS.maxTextChars} characters`),
    botId: z.string().min(1).max(256).optional(),
    model: z.string().min(1).max(512).optional(),
    userId: z.string().regex(/^[A-Za-z0-9@_-]{1,64}$/, 'userId has letters, digits, @, _ and - only').optional(),
  },
  { error: 'the body must be a JSON object' },
);

const ListQuerySchema = z.object({
  limit: z.coerce
    .number({ error: 'limit must be a number' })
    .int('limit must be a whole number')
    .min(1, 'limit must be at least 1')
    .max(LIST_PAGE.max, `limit is at most ${LIST_PAGE.max}`)
    .default(LIST_PAGE.default),
  before: z.string().min(1).max(128).optional(),
});

type Params = { conversationId: string };

export function registerConversationRoutes(api: FastifyInstance, runtime: ConversationRuntime): void {
  for (const prefix of ['/api/v1', '/v1']) {
    api.post<{ Params: Params }>(`${prefix}/conversation/:conversationId/complete`, (request, reply) =>
      traceCompletion(request, 'conversation', (span) => handleComplete(request, reply, runtime, span)),
    );
    api.get<{ Params: Params }>(`${prefix}/conversation/:conversationId/message/list`, (request) => handleList(request, runtime));
  }
}

async function handleList(request: FastifyRequest<{ Params: Params }>, runtime: ConversationRuntime) {
  const conversationId = requireConversationId(request.params.conversationId);
  const query = parseOrRefuse(ListQuerySchema, request.query);
  const conversation = (await runtime.owners.mayRead(conversationId, request.caller!)) ? runtime.conversations.get(conversationId) : undefined;
  if (!conversation) throw notFound(conversationId);
  const messages = conversation.messages;
  let end = messages.length;
  if (query.before !== undefined) {
    end = messages.findIndex((message) => message.id === query.before);
    if (end < 0) throw new RequestError(400, 'INVALID_REQUEST', `before: there is no message "${query.before}" in this conversation`, 'before');
  }
  const start = Math.max(0, end - query.limit);
  // `next` is the cursor of the page before this one: pass it as `before`.
  return { items: messages.slice(start, end).map(toListItem), next: start > 0 ? messages[start]!.id : null };
}

async function handleComplete(request: FastifyRequest<{ Params: Params }>, reply: FastifyReply, runtime: ConversationRuntime, span: Span): Promise<void> {
  const mode = requireResponseMode(request);
  const conversationId = requireConversationId(request.params.conversationId);
  const body = parseOrRefuse(BodySchema, request.body);
  const bot = body.botId === undefined ? undefined : runtime.bots.bot(body.botId);
  if (body.botId !== undefined && !bot) throw new RequestError(404, 'NOT_FOUND', `bot "${body.botId}" is not configured on this server`, 'botId');
  let model = bot?.model ?? { name: runtime.llm.model, options: {} };
  if (body.model !== undefined) {
    try {
      model = parseModelString(body.model, runtime.knownModels);
    } catch (thrown) {
      if (thrown instanceof ValidationError) throw new RequestError(400, 'INVALID_REQUEST', thrown.message, thrown.path);
      throw thrown;
    }
  }
  if (!(await runtime.owners.claim(conversationId, request.caller!))) throw notFound(conversationId);
  if (!runtime.conversations.tryAcquire(conversationId)) {
    throw new RequestError(409, 'CONFLICT', `a reply is already being generated in conversation "${conversationId}"; wait for it to finish`, 'conversationId');
  }
  let conversation: Conversation | undefined;
  const scope = openRequestScope(reply, runtime.timeoutMs, runtime.active);
  try {
    conversation = runtime.conversations.getOrCreate(conversationId);
    assertRoomFor(conversation, conversationId, body.text);
    const history = toTurns(conversation.history({ limit: HISTORY_LIMIT }));
    conversation.send('user', body.userId ?? DEFAULT_CONVERSATION_USER_ID, body.text);
    const prepared: PreparedCompletion = {
      model: model.name,
      options: { model: model.name, ...model.options },
      instructions: bot?.definition.instructions ?? runtime.agent.instructions,
      turns: [...history, { role: 'user', content: [{ type: 'text', text: body.text }] }],
      tools: bot && bot.tools.size > 0 ? bot.tools : undefined,
      continuations: 0,
      input: { text: body.text, entities: [] },
      contact: undefined,
    };
    recordCompletionModel(span, model.name, runtime.llm.provider, conversationId);
    const writer = openEventWriter(request, reply, mode, runtime);
    const recorder = new ReplyRecorder(conversation, runtime.agent.userId);
    try {
      const outcome = await runIntoWriter(prepared, runtime.llm, writer, request, scope.signal, (event) => recorder.observe(event));
      recorder.finish(outcome);
      recordCompletionOutcome(span, outcome, scope);
    } finally {
      recorder.close();
    }
    writer.end();
  } finally {
    scope.dispose();
    runtime.conversations.release(conversationId);
    if (conversation) runtime.conversations.noteSize(conversationId, charsIn(conversation));
  }
}

/**
 * A 413 when the conversation cannot take this message and a reply: it would hold more than
 * CONVERSATION_LIMITS allow. The reply is counted at the size of the user's text, at least 4,000
 * characters.
 */
function assertRoomFor(conversation: Conversation, conversationId: string, text: string): void {
  const { maxMessages, maxChars } = CONVERSATION_LIMITS;
  const messages = conversation.messages.length;
  const chars = charsIn(conversation);
  if (messages + 2 > maxMessages || chars + text.length + Math.max(text.length, 4_000) > maxChars) {
    throw new RequestError(
      413,
      'CONTENT_TOO_LARGE',
      `conversation "${conversationId}" is full: it holds ${messages} messages and ${chars} characters, and a conversation may hold at most ${maxMessages} messages and ${maxChars} characters; start a new conversation`,
      'conversationId',
    );
  }
}

function charsIn(conversation: Conversation): number {
  let chars = 0;
  for (const message of conversation.messages) chars += message.content.length;
  return chars;
}

function notFound(conversationId: string): RequestError {
  return new RequestError(404, 'NOT_FOUND', `conversation "${conversationId}" has no messages on this server`, 'conversationId');
}

/** The parsed value, or a 400 naming the first field at fault. */
function parseOrRefuse<T extends z.ZodType>(schema: T, value: unknown): z.output<T> {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0]!;
  const path = formatIssuePath(issue.path);
  throw new RequestError(400, 'INVALID_REQUEST', `${path}: ${issue.message}`, path);
}

/** Streams the reply into the conversation as its tokens go out, with the AI indicator. */
class ReplyRecorder {
  readonly #conversation: Conversation;
  readonly #agentUserId: string;
  #replyId: string | undefined;
  #index = 0;

  constructor(conversation: Conversation, agentUserId: string) {
    this.#conversation = conversation;
    this.#agentUserId = agentUserId;
    conversation.setIndicator('thinking');
  }

  observe(event: ProtocolEvent): void {
    if (event.type !== 'token') return;
    const delta = { role: 'assistant' as const, userId: this.#agentUserId, content: event.data.token, contentIndex: this.#index++ };
    if (this.#replyId === undefined) {
      this.#replyId = this.#conversation.upsert(delta).id;
      this.#conversation.setIndicator('generating', this.#replyId);
    } else this.#conversation.upsert({ ...delta, id: this.#replyId });
  }

  /** Stores the final text (the whole reply, also when it was cut short). */
  finish(outcome: CompletionOutcome): void {
    const userId = this.#agentUserId;
    if (this.#replyId) this.#conversation.upsert({ id: this.#replyId, role: 'assistant', userId, content: outcome.text, replace: true, completed: true });
    else if (outcome.text !== '') this.#conversation.send('assistant', userId, outcome.text);
  }

  close(): void {
    this.#conversation.setIndicator('idle');
  }
}

function toTurns(history: readonly Readonly<Message>[]): LLMMessage[] {
  return history
    .filter((message) => message.role === 'user' || message.role === 'assistant')
    .map((message) => ({ role: message.role === 'user' ? 'user' : 'assistant', content: [{ type: 'text', text: message.content }] }));
}

function toListItem(message: Readonly<Message>) {
  return {
    id: message.id,
    type: message.role === 'assistant' ? 'bot' : message.role,
    text: message.content,
    meta: { userId: message.userId, completed: message.completed },
    createdAt: message.timestamp.toISOString(),
  };
}

function requireConversationId(id: string): string {
  if (!CONVERSATION_ID.test(id)) {
    throw new RequestError(400, 'INVALID_REQUEST', 'conversationId has 1–64 letters, digits, - or _', 'conversationId');
  }
  return id;
}
