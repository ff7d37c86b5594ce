/**
 * Everything a completion needs before the model is called, resolved from the request: the
 * bot, model and options, datasets, skillsets, turns and system context, masking, attachments,
 * tools and the contact. Every client mistake surfaces here as a RequestError (400/404), so a
 * bad request is refused before any model call and changes nothing (the contact is resolved
 * last, once everything else has passed).
 */
import { ValidationError } from '../core/errors.js';
import type { ContentPart, LLMMessage, LLMOptions } from '../llm/llm.js';
import { ToolRegistry } from '../llm/tool-registry.js';
import type { AttachmentLease } from './attachments/attachment-budget.js';
import { AttachmentError, fetchAttachment, type Attachment, type AttachmentFetchOptions } from './attachments/fetch-attachment.js';
import type { Caller } from '../http/api-keys.js';
import type { BotDirectory, ResolvedBot } from './bots/bot-directory.js';
import type { Contact, ContactStore } from './contacts.js';
import { RequestError } from '../http/http-errors.js';
import { datasetContext, type Dataset, type DatasetContextOptions } from './datasets.js';
import { requestFunctionToTool, withCallBudget } from './functions.js';
import { mapMessages } from './messages.js';
import { parseModelString, type ModelChoice } from './model-string.js';
import { PiiMasker, type PiiEntity } from './pii.js';
import type { CompleteRequest, RequestMessage } from './request-schema.js';
import { skillsetInstructions, type Skillset } from './skillsets.js';

/** Server maxima for the protocol's `limits`; larger requested values are lowered to these. */
export const LIMIT_CAPS = { iterations: 10, calls: 50, continuations: 5 } as const;

export interface PrepareContext {
  bots: BotDirectory;
  contacts: ContactStore;
  knownModels: ReadonlySet<string>;
  defaultModel: string;
  attachments: Omit<AttachmentFetchOptions, 'signal' | 'reserve'>;
  datasets?: DatasetContextOptions;
}

export interface PreparedCompletion {
  model: string;
  options: LLMOptions;
  instructions: string | undefined;
  turns: LLMMessage[];
  tools: ToolRegistry | undefined;
  /** How many times the model may continue a reply cut by the output-token limit. */
  continuations: number;
  /** The user's new message as the model sees it, and what was masked in it. */
  input: { text: string; entities: PiiEntity[] };
  contact: Contact | undefined;
}

/**
 * `lease` takes the bytes of fetched attachments from the node's budget; the caller releases it
 * when the request ends (also when this throws).
 */
export async function prepareCompletion(
  request: CompleteRequest,
  caller: Caller,
  context: PrepareContext,
  signal: AbortSignal,
  lease?: AttachmentLease,
): Promise<PreparedCompletion> {
  const extensions = caller.trusted ? request.extensions : undefined;
  const bot = request.botId === undefined ? undefined : context.bots.bot(request.botId);
  if (request.botId !== undefined && !bot) throw new RequestError(404, 'NOT_FOUND', `bot "${request.botId}" is not configured on this server`, 'botId');

  const model = chooseModel(request, bot, context);
  const datasets = chooseDatasets(request, bot, context, extensions?.datasets ?? []);
  const skillsets = chooseSkillsets(request, bot, context, extensions?.skillsets ?? []);
  const limits = {
    iterations: clamp(request.limits?.iterations, LIMIT_CAPS.iterations),
    calls: clamp(request.limits?.calls, LIMIT_CAPS.calls),
    continuations: clamp(request.limits?.continuations, LIMIT_CAPS.continuations) ?? 0,
  };

  const masker = request.privacy ? new PiiMasker() : undefined;
  const messages = [...(request.messages ?? []), ...(request.text === undefined ? [] : [{ type: 'user' as const, text: request.text }])];
  const masked = masker ? messages.map((message) => maskMessage(message, masker)) : messages;
  const tools = buildTools(request, bot, limits.calls, masker);
  const mapped = mapMessages(masked, { interactionMaxMessages: model.interactionMaxMessages });
  if (mapped.turns.length === 0 && (request.attachments ?? []).length === 0) {
    throw new RequestError(400, 'INVALID_REQUEST', 'messages needs at least one user, bot or activity message for the model to answer', 'messages');
  }

  const lastUser = [...messages].reverse().find((message) => message.type === 'user');
  const input = !lastUser ? { text: '', entities: [] } : masker ? masker.mask(lastUser.text) : { text: lastUser.text, entities: [] };

  // Attachments are fetched once everything cheap has been checked, and before the
  // instructions, which mention masking if an attachment needed it.
  const attachments = await fetchAll(request, context, signal, lease);
  const turns = withAttachments(mapped.turns, attachments, masker);

  const recentText = masked
    .filter((message) => message.type === 'user' || message.type === 'bot')
    .slice(-4)
    .map((message) => message.text)
    .join('\n');
  const instructions = composeInstructions([
    request.backstory ?? bot?.definition.instructions,
    extensions?.backstory,
    ...mapped.backstory,
    skillsetInstructions(skillsets),
    section('Instructions', mapped.instructions),
    section('Context', mapped.context),
    mapped.summary === undefined ? undefined : `Summary of the conversation so far:\n${mapped.summary}`,
    datasetContext(datasets, recentText, context.datasets),
    masker && masker.maskedCount > 0
      ? 'Personal data in this conversation was replaced by placeholders such as [EMAIL_1] or [PHONE_1]. Refer to it by its placeholder; never guess the real value.'
      : undefined,
  ]);

  const contact = request.contactId === undefined ? undefined : await context.contacts.resolve(request.contactId, caller.keyId);

  return {
    model: model.name,
    options: {
      model: model.name,
      ...model.options,
      safety: request.moderation ? 'strict' : 'default',
      ...(limits.iterations === undefined ? {} : { maxToolRounds: limits.iterations }),
    },
    instructions,
    turns,
    tools,
    continuations: limits.continuations,
    input: { text: input.text, entities: input.entities },
    contact,
  };
}

function chooseModel(request: CompleteRequest, bot: ResolvedBot | undefined, context: PrepareContext): ModelChoice {
  if (request.model !== undefined) {
    try {
      return parseModelString(request.model, context.knownModels);
    } catch (thrown) {
      if (thrown instanceof ValidationError) throw new RequestError(400, 'INVALID_REQUEST', thrown.message, thrown.path);
      throw thrown;
    }
  }
  return bot?.model ?? { name: context.defaultModel, options: {} };
}

function chooseDatasets(request: CompleteRequest, bot: ResolvedBot | undefined, context: PrepareContext, inline: Dataset[]): Dataset[] {
  const id = request.datasetId ?? bot?.definition.datasetId;
  if (id === undefined) return inline;
  const dataset = context.bots.dataset(id);
  if (!dataset) throw new RequestError(404, 'NOT_FOUND', `dataset "${id}" is not configured on this server`, 'datasetId');
  return [dataset, ...inline];
}

function chooseSkillsets(request: CompleteRequest, bot: ResolvedBot | undefined, context: PrepareContext, inline: Skillset[]): Skillset[] {
  const id = request.skillsetId ?? bot?.definition.skillsetId;
  if (id === undefined) return inline;
  const skillset = context.bots.skillset(id);
  if (!skillset) throw new RequestError(404, 'NOT_FOUND', `skillset "${id}" is not configured on this server`, 'skillsetId');
  return [skillset, ...inline];
}

/** The bot's tools plus the request's functions; undefined when there are none. */
function buildTools(
  request: CompleteRequest,
  bot: ResolvedBot | undefined,
  maxCalls: number | undefined,
  masker: PiiMasker | undefined,
): ToolRegistry | undefined {
  const functions = request.functions ?? [];
  const botTools = bot?.tools;
  const hasBotTools = botTools !== undefined && botTools.size > 0;
  // The common case shares the bot's compiled registry as it is.
  if (functions.length === 0 && (maxCalls === undefined || !hasBotTools)) return hasBotTools ? botTools : undefined;
  const requested = functions.map((fn, index) => {
    if (botTools?.has(fn.name)) {
      throw new RequestError(400, 'INVALID_REQUEST', `"${fn.name}" is already a tool of bot "${request.botId}"; choose another name`, `functions[${index}].name`);
    }
    try {
      return requestFunctionToTool(fn, index, masker ? (data) => masker.maskValue(data) : undefined);
    } catch (thrown) {
      if (thrown instanceof ValidationError) throw new RequestError(400, 'INVALID_REQUEST', thrown.message, thrown.path);
      throw thrown;
    }
  });
  if (maxCalls === undefined) return botTools ? botTools.with(requested) : new ToolRegistry(requested);
  // One budget across the bot's tools and the request's, so they are wrapped in a fresh registry.
  const botDefinitions = botTools ? botTools.names().map((name) => botTools.get(name)!) : [];
  return new ToolRegistry(withCallBudget([...botDefinitions, ...requested], maxCalls));
}

function maskMessage(message: RequestMessage, masker: PiiMasker): RequestMessage {
  const masked: RequestMessage = { ...message, text: masker.mask(message.text).text };
  if (message.type === 'activity' && message.meta?.activity) {
    masked.meta = { ...message.meta, activity: masker.maskValue(message.meta.activity) };
  }
  return masked;
}

async function fetchAll(request: CompleteRequest, context: PrepareContext, signal: AbortSignal, lease: AttachmentLease | undefined): Promise<Attachment[]> {
  const attachments = request.attachments ?? [];
  if (attachments.length === 0) return [];
  // The first failure ends the request, so the other fetches are cancelled with it.
  const failed = new AbortController();
  const fetchSignal = AbortSignal.any([signal, failed.signal]);
  return Promise.all(
    attachments.map(async ({ url }, index) => {
      try {
        return await fetchAttachment(url, { ...context.attachments, signal: fetchSignal, reserve: lease?.take });
      } catch (thrown) {
        failed.abort();
        if (!(thrown instanceof AttachmentError)) throw thrown;
        const path = `attachments[${index}].url`;
        if (thrown.code === 'ATTACHMENTS_BUSY') throw new RequestError(503, 'SERVER_BUSY', thrown.message, path, { 'retry-after': '1' });
        throw new RequestError(400, thrown.code === 'ATTACHMENT_REFUSED' ? 'ATTACHMENT_REFUSED' : 'ATTACHMENT_FAILED', thrown.message, path);
      }
    }),
  );
}

/** Attachments join the last user turn (or a new one): text inlined, images and PDFs as inline data. */
function withAttachments(turns: LLMMessage[], attachments: Attachment[], masker: PiiMasker | undefined): LLMMessage[] {
  if (attachments.length === 0) return turns;
  const parts: ContentPart[] = attachments.map((attachment) => {
    if (attachment.kind === 'inline') return { type: 'inline_data', mimeType: attachment.mimeType, data: attachment.data };
    const text = masker ? masker.mask(attachment.text).text : attachment.text;
    return { type: 'text', text: `Attachment ${attachment.url} (${attachment.mimeType}${attachment.truncated ? ', truncated' : ''}):\n${text}` };
  });
  const last = turns.at(-1);
  if (last?.role === 'user' && last.content.every((part) => part.type === 'text' || part.type === 'inline_data')) {
    return [...turns.slice(0, -1), { role: 'user', content: [...last.content, ...parts] }];
  }
  return [...turns, { role: 'user', content: parts }];
}

function section(title: string, texts: string[]): string | undefined {
  return texts.length === 0 ? undefined : `${title}:\n${texts.join('\n')}`;
}

function composeInstructions(sections: Array<string | undefined>): string | undefined {
  const kept = sections.filter((text): text is string => text !== undefined && text.trim() !== '');
  return kept.length === 0 ? undefined : kept.join('\n\n');
}

function clamp(value: number | undefined, max: number): number | undefined {
  return value === undefined ? undefined : Math.min(value, max);
}
