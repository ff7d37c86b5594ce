/**
 * The body of `POST /api/v1/conversation/complete`, as the stateless completion protocol
 * defines it (shared/notes/stateless-complete-protocol.md). Parsing only checks shapes; the
 * meaning of ids, the model string and attachments is checked by the steps that resolve them,
 * still before any model call.
 */
import { z } from 'zod';
import { MAX_BODY_DEPTH, tooDeepPath } from '../http/body-depth.js';

export const MESSAGE_TYPES = ['user', 'bot', 'reasoning', 'context', 'instruction', 'backstory', 'activity', 'checkpoint'] as const;
export type MessageType = (typeof MESSAGE_TYPES)[number];

/** The protocol's function name rule: a letter or `$` first, then letters, digits, `_`, `$`; at most 64. */
export const FUNCTION_NAME = /^(?!_)[A-Za-z$][A-Za-z0-9_$]*$/;

/** At most this many functions per request. */
export const MAX_FUNCTIONS = 128;

/**
 * The parameters of all of a request's functions, in bytes of JSON. Each function has its own
 * bound too (UNTRUSTED_SCHEMA_LIMITS); this one keeps the checking of one request's schemas to
 * a few milliseconds.
 */
export const MAX_FUNCTION_SCHEMA_BYTES = 256 * 1024;

function functionSchemaBytes(functions: ReadonlyArray<{ parameters: unknown }>): number {
  return functions.reduce((total, fn) => total + Buffer.byteLength(JSON.stringify(fn.parameters)), 0);
}

/** At most this many attachments per request (each is a network fetch). */
export const MAX_ATTACHMENTS = 10;

const id = (what: string) => z.string({ error: `${what} must be a string` }).trim().min(1, `${what} must not be empty`).max(256);
const meta = z.record(z.string(), z.unknown(), { error: 'meta must be an object' });

/**
 * Arguments arrive as an object or, from some clients, as a JSON string, parsed here (see
 * parseArguments) and bounded in depth like the body itself.
 */
const functionArguments = z
  .union([z.record(z.string(), z.unknown()), z.string()], { error: 'arguments must be an object or a JSON string' })
  .transform((value, context) => {
    if (typeof value !== 'string') return value;
    const parsed = parseArguments(value);
    if (tooDeepPath(parsed) === undefined) return parsed;
    context.addIssue({ code: 'custom', message: `the JSON in it nests deeper than ${MAX_BODY_DEPTH} levels of objects and arrays, the limit for a request` });
    return z.NEVER;
  });

export const ActivitySchema = z.object({
  type: z.enum(['request', 'response', 'trigger']),
  function: z.object({
    name: z.string().min(1).max(64),
    arguments: functionArguments.optional(),
    result: z.unknown().optional(),
  }),
});
export type Activity = z.infer<typeof ActivitySchema>;

export const MessageSchema = z
  .object({
    type: z.enum(MESSAGE_TYPES),
    text: z.string({ error: 'text must be a string' }),
    meta: meta.optional(),
  })
  // An activity's `meta.activity` is checked and replaced by its parsed form (arguments parsed).
  .transform((message, context) => {
    if (message.type !== 'activity') return message;
    const parsed = ActivitySchema.safeParse(message.meta?.activity);
    if (parsed.success) return { ...message, meta: { ...message.meta, activity: parsed.data } };
    for (const issue of parsed.error.issues) {
      context.addIssue({
        code: 'custom',
        path: ['meta', 'activity', ...issue.path],
        message: message.meta?.activity === undefined ? 'an activity message needs meta.activity = {type, function:{name, arguments}}' : issue.message,
      });
    }
    return z.NEVER;
  });
export type RequestMessage = z.infer<typeof MessageSchema>;

const JsonSchemaObject = z.looseObject({
  type: z.literal('object', { error: "parameters.type must be 'object'" }),
  properties: z.record(z.string(), z.unknown(), { error: 'parameters.properties must be an object' }),
  required: z.array(z.string()).optional(),
});

export const FunctionSchema = z.object({
  name: z
    .string()
    .max(64, 'a function name has at most 64 characters')
    .regex(FUNCTION_NAME, 'a function name starts with a letter or $ and has only letters, digits, _ and $'),
  description: z.string({ error: 'description must be a string' }).max(4096),
  parameters: JsonSchemaObject,
  result: z
    .union([z.object({ data: z.unknown() }), z.object({ channel: z.string().min(1) })], {
      error: 'result must be {data} (the server answers the model) or {channel}',
    })
    .optional(),
});
export type RequestFunction = z.infer<typeof FunctionSchema>;

const ContactSchema = z.union(
  [
    id('contactId'),
    z.object({
      fingerprint: id('contactId.fingerprint'),
      name: z.string().max(256).optional(),
      description: z.string().max(4096).optional(),
      email: z.string().max(256).optional(),
      phone: z.string().max(64).optional(),
      nick: z.string().max(256).optional(),
      meta: meta.optional(),
    }),
  ],
  { error: 'contactId must be a string or {fingerprint, name?, description?, email?, phone?, nick?, meta?}' },
);
export type ContactReference = z.infer<typeof ContactSchema>;

export const DatasetRecordSchema = z.object({ text: z.string(), meta: meta.optional() });
export const InlineDatasetSchema = z.object({
  name: z.string().optional(),
  description: z.string().optional(),
  records: z.array(DatasetRecordSchema),
});
export const AbilitySchema = z.object({ name: z.string(), description: z.string(), instruction: z.string() });
export const InlineSkillsetSchema = z.object({
  name: z.string().optional(),
  description: z.string().optional(),
  abilities: z.array(AbilitySchema),
});

const ExtensionsSchema = z.object({
  backstory: z.string().optional(),
  datasets: z.array(InlineDatasetSchema).optional(),
  skillsets: z.array(InlineSkillsetSchema).optional(),
  // No platform features exist on this server yet: they are checked for shape and otherwise ignored.
  features: z.array(z.object({ name: z.string().min(1), options: z.record(z.string(), z.unknown()).optional() })).optional(),
});
export type Extensions = z.infer<typeof ExtensionsSchema>;

const limit = z.int({ error: 'a limit must be an integer' }).min(1, 'a limit must be at least 1');
const LimitsSchema = z.object({ iterations: limit.optional(), continuations: limit.optional(), calls: limit.optional() });
export type Limits = z.infer<typeof LimitsSchema>;

const AttachmentSchema = z.object({
  url: z
    .string({ error: 'url must be a string' })
    .max(2048)
    .pipe(z.url({ protocol: /^https?$/, error: 'url must be an absolute http(s) URL' })),
});

export const CompleteRequestSchema = z
  .object({
    messages: z.array(MessageSchema, { error: 'messages must be an array of {type, text, meta?}' }).optional(),
    /** A shorthand some clients send instead of `messages`: one user message. */
    text: z.string().optional(),
    botId: id('botId').optional(),
    backstory: z.string().optional(),
    model: z.string().trim().min(1, 'model must not be empty').max(512).optional(),
    datasetId: id('datasetId').optional(),
    skillsetId: id('skillsetId').optional(),
    privacy: z.boolean().optional(),
    moderation: z.boolean().optional(),
    attachments: z.array(AttachmentSchema).max(MAX_ATTACHMENTS, `at most ${MAX_ATTACHMENTS} attachments`).optional(),
    contactId: ContactSchema.optional(),
    functions: z
      .array(FunctionSchema)
      .max(MAX_FUNCTIONS, `at most ${MAX_FUNCTIONS} functions`)
      .refine((functions) => functionSchemaBytes(functions) <= MAX_FUNCTION_SCHEMA_BYTES, {
        message: `the functions' parameters may add up to at most ${MAX_FUNCTION_SCHEMA_BYTES} bytes of JSON per request`,
      })
      .optional(),
    // Only the trusted key's extensions reach the schema; the route drops anyone else's unread.
    extensions: ExtensionsSchema.optional(),
    limits: LimitsSchema.optional(),
  }, { error: 'the body must be a JSON object' })
  .superRefine((request, context) => {
    if (request.messages === undefined && request.text === undefined) {
      context.addIssue({ code: 'custom', path: ['messages'], message: 'messages is required: at least one {type, text}' });
    } else if (request.messages !== undefined && request.messages.length === 0) {
      context.addIssue({ code: 'custom', path: ['messages'], message: 'messages needs at least one message' });
    }
    if (request.botId === undefined && request.backstory === undefined) {
      // The protocol makes botId optional only when a backstory is given; a backstory message counts.
      const hasBackstory = request.messages?.some((message) => message.type === 'backstory') ?? false;
      if (!hasBackstory) {
        context.addIssue({ code: 'custom', path: ['botId'], message: 'botId is required unless a backstory is given' });
      }
    }
    const seen = new Map<string, number>();
    request.functions?.forEach((fn, index) => {
      const first = seen.get(fn.name);
      if (first !== undefined) {
        context.addIssue({ code: 'custom', path: ['functions', index, 'name'], message: `duplicate function name "${fn.name}" (also functions[${first}])` });
      } else seen.set(fn.name, index);
    });
  });

export type CompleteRequest = z.infer<typeof CompleteRequestSchema>;

/** Arguments come as an object or a JSON string; anything else is kept under `value`. */
export function parseArguments(value: Record<string, unknown> | string | undefined): Record<string, unknown> {
  if (value === undefined) return {};
  if (typeof value !== 'string') return value;
  if (value.trim() === '') return {};
  try {
    const parsed: unknown = JSON.parse(value);
    if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) return parsed as Record<string, unknown>;
    return { value: parsed };
  } catch {
    return { value };
  }
}
