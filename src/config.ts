/**
 * The one place where the environment becomes configuration. `.env` is read through dotenv,
 * every variable is validated with zod, and a missing or invalid one is a `ConfigError` that
 * names it. Every variable read here is documented in `.env.example`.
 */
import { config as loadDotenv } from 'dotenv';
import { z } from 'zod';
import { ConfigError } from './core/errors.js';
import { LOG_LEVELS, type LogLevel } from './core/logger.js';

const optionalString = z
  .string()
  .trim()
  .transform((value) => (value === '' ? undefined : value))
  .optional();
const optionalUrl = optionalString.pipe(z.url({ protocol: /^(https?|wss?)$/ }).optional());
const optionalInteger = (min = 0) => optionalString.pipe(z.coerce.number<string | undefined>().int().min(min).optional());
const integer = (fallback: number, min = 0) => optionalInteger(min).transform((value) => value ?? fallback);
const optionalBoolean = optionalString
  .pipe(z.enum(['1', '0', 'true', 'false', 'yes', 'no', 'on', 'off']).optional())
  .transform((value) => (value === undefined ? undefined : ['1', 'true', 'yes', 'on'].includes(value)));
const boolean = (fallback: boolean) => optionalBoolean.transform((value) => value ?? fallback);
const list = optionalString.transform((value) =>
  value === undefined ? [] : value.split(',').map((item) => item.trim()).filter(Boolean),
);

/** The variables, their defaults and their rules. The keys are the environment names. */
const EnvSchema = z.object({
  LOG_LEVEL: optionalString.pipe(z.enum(LOG_LEVELS).optional()).transform((value) => value ?? 'info'),

  STREAM_API_KEY: optionalString,
  STREAM_API_SECRET: optionalString,
  STREAM_BASE_URL: optionalUrl,
  // Provider settings have no default here: unset, the provider's own default applies (declared once, there).
  STREAM_VIDEO_BASE_URL: optionalUrl,
  STREAM_LOCATION_HINT_URL: optionalUrl,
  STREAM_TIMEOUT_MS: optionalInteger(1),
  STREAM_CHAT_CHANNEL_TYPE: optionalString,
  STREAM_DEMO_BASE_URL: optionalUrl,
  STREAM_DEMO_TOKEN_TTL_S: optionalInteger(60),
  DEMO_OPEN_BROWSER: optionalBoolean,

  GOOGLE_API_KEY: optionalString,
  GEMINI_API_KEY: optionalString,
  GOOGLE_GEMINI_BASE_URL: optionalUrl,
  GEMINI_MODEL: optionalString,
  GEMINI_LIVE_MODEL: optionalString,
  GEMINI_VOICE: optionalString,

  AGENT_MODE: optionalString.pipe(z.enum(['realtime', 'pipeline']).optional()).transform((value) => value ?? 'realtime'),
  DEEPGRAM_API_KEY: optionalString,
  DEEPGRAM_BASE_URL: optionalUrl,
  DEEPGRAM_MODEL: optionalString,
  TTS_PROVIDER: optionalString.pipe(z.enum(['elevenlabs', 'cartesia']).optional()).transform((value) => value ?? 'elevenlabs'),
  ELEVENLABS_API_KEY: optionalString,
  ELEVENLABS_BASE_URL: optionalUrl,
  ELEVENLABS_VOICE_ID: optionalString,
  ELEVENLABS_MODEL: optionalString,
  CARTESIA_API_KEY: optionalString,
  CARTESIA_BASE_URL: optionalUrl,
  CARTESIA_VOICE_ID: optionalString,
  CARTESIA_MODEL: optionalString,
  AGENT_LANGUAGE: optionalString,
  MIN_ENDPOINTING_DELAY_MS: optionalInteger(0),
  MAX_ENDPOINTING_DELAY_MS: optionalInteger(0),
  FALSE_INTERRUPTION_TIMEOUT_MS: optionalInteger(0),
  AGENT_TURN_DETECTION: optionalString.pipe(z.enum(['agent', 'service']).optional()).transform((value) => value ?? 'agent'),
  MIN_INTERRUPTION_SPEECH_MS: optionalInteger(0),
  AGENT_ADDRESSING: optionalString.pipe(z.enum(['always', 'when-addressed']).optional()).transform((value) => value ?? 'always'),
  AGENT_ADDRESSING_NAMES: list,

  AGENT_USER_ID: optionalString.transform((value) => value ?? 'gemini-agent'),
  AGENT_NAME: optionalString.transform((value) => value ?? 'Gemini Agent'),
  AGENT_IMAGE_URL: optionalUrl,
  AGENT_INSTRUCTIONS: optionalString,
  AGENT_VIDEO: boolean(false),
  AGENT_CHAT_INPUT: boolean(true),
  AGENT_CHAT_REPLIES: optionalString.pipe(z.enum(['voice', 'text', 'both']).optional()).transform((value) => value ?? 'voice'),
  AGENT_CHAT_TOOL: boolean(true),
  AGENT_CHAT_HISTORY_MESSAGES: optionalInteger(0).pipe(z.number().max(300).optional()).transform((value) => value ?? 50),
  AGENT_CHAT_HISTORY_CHARS: integer(8_000),

  HOST: optionalString.transform((value) => value ?? '127.0.0.1'),
  PORT: integer(8080, 0),
  WORKER_API_KEYS: list,
  WORKER_ADMIN_KEY: optionalString,
  CORS_ORIGINS: list,
  BOTS_FILE: optionalString,
  COMPLETE_TIMEOUT_MS: integer(800_000, 1),
  COMPLETE_PING_INTERVAL_MS: integer(10_000, 1),
  COMPLETE_WRITE_TIMEOUT_MS: integer(30_000, 1),
  RATE_LIMIT_PER_MINUTE: integer(60, 1),
  RATE_LIMIT_BURST: integer(20, 1),
  ATTACHMENT_MAX_BYTES: integer(5 * 1024 * 1024, 1),
  ATTACHMENT_TIMEOUT_MS: integer(10_000, 1),
  ATTACHMENT_BUDGET_BYTES: integer(64 * 1024 * 1024, 1),

  MAX_SESSIONS: integer(20, 1),
  MAX_SESSIONS_PER_CALL: integer(1, 1),
  AGENT_IDLE_TIMEOUT_MS: integer(60_000, 1),
  MAX_SESSION_DURATION_MS: integer(60 * 60 * 1000, 1),
  DRAIN_TIMEOUT_MS: integer(25_000, 1),
  REDIS_URL: optionalString.pipe(z.url({ protocol: /^rediss?$/ }).optional()),
});

export interface Config {
  logLevel: LogLevel;
  stream: {
    apiKey: string | undefined;
    apiSecret: string | undefined;
    /** REST base (chat, video, users); undefined means the SDK's own default hosts. */
    baseUrl: string | undefined;
    /** Coordinator base of the video client (its WebSocket URL is derived from it); undefined: the SDK's. */
    videoBaseUrl: string | undefined;
    locationHintUrl: string | undefined;
    timeoutMs: number | undefined;
    chatChannelType: string | undefined;
    demoBaseUrl: string | undefined;
    demoTokenTtlS: number | undefined;
    openBrowser: boolean | undefined;
  };
  google: {
    apiKey: string | undefined;
    baseUrl: string | undefined;
    /** Undefined: each provider's default model and voice. */
    model: string | undefined;
    liveModel: string | undefined;
    voice: string | undefined;
  };
  /**
   * Pipeline mode's providers (STT, TTS) and its turn settings; undefined: each provider's or
   * the pipeline's own default.
   */
  pipeline: {
    deepgram: { apiKey: string | undefined; baseUrl: string | undefined; model: string | undefined };
    ttsProvider: 'elevenlabs' | 'cartesia';
    elevenlabs: { apiKey: string | undefined; baseUrl: string | undefined; voiceId: string | undefined; model: string | undefined };
    cartesia: { apiKey: string | undefined; baseUrl: string | undefined; voiceId: string | undefined; model: string | undefined };
    /** BCP-47 code the STT listens for and the TTS speaks. */
    language: string | undefined;
    minEndpointingDelayMs: number | undefined;
    maxEndpointingDelayMs: number | undefined;
    falseInterruptionTimeoutMs: number | undefined;
  };
  agent: {
    /** `realtime`: Gemini Live, speech to speech; `pipeline`: STT → Gemini text → TTS. */
    mode: 'realtime' | 'pipeline';
    /** Realtime mode: who detects the user's turns, the agent (Silero VAD, the shared policy) or the service. */
    turnDetection: 'agent' | 'service';
    /** Realtime mode under the agent's detection: speech over the agent this long cuts it. */
    minInterruptionSpeechMs: number | undefined;
    /** Group calls: answer every turn, or only those meant for the agent. */
    addressing: 'always' | 'when-addressed';
    /** The names the agent answers to; empty: its name. */
    addressingNames: string[];
    userId: string;
    name: string;
    imageUrl: string | undefined;
    instructions: string | undefined;
    video: boolean;
    /** The call's chat: typed turns, where their answers go, the post_to_chat tool, the history read on join. */
    chat: {
      input: boolean;
      replies: 'voice' | 'text' | 'both';
      tool: boolean;
      historyMessages: number;
      historyChars: number;
    };
  };
  server: {
    host: string;
    port: number;
    apiKeys: string[];
    adminKey: string | undefined;
    corsOrigins: string[];
    botsFile: string | undefined;
    completeTimeoutMs: number;
    pingIntervalMs: number;
    /** A response whose client takes nothing for this long is closed. */
    writeTimeoutMs: number;
    rateLimitPerMinute: number;
    rateLimitBurst: number;
    attachmentMaxBytes: number;
    attachmentTimeoutMs: number;
    /** Bytes of attachments all requests on the node may hold at once. */
    attachmentBudgetBytes: number;
  };
  worker: {
    maxSessions: number;
    maxSessionsPerCall: number;
    idleTimeoutMs: number;
    maxSessionDurationMs: number;
    drainTimeoutMs: number;
    redisUrl: string | undefined;
  };
}

/** Variables whose values may hold a secret (a key, or credentials inside a URL): never shown. */
const SECRET_VARIABLE = /KEY|SECRET|TOKEN|PASSWORD|URL/;

/** `NAME="value"` for an invalid variable, so the message shows what was wrong; a secret's name only. */
function given(env: NodeJS.ProcessEnv, name: string): string {
  const value = env[name];
  return value === undefined || SECRET_VARIABLE.test(name) ? name : `${name}=${JSON.stringify(value)}`;
}

/**
 * Reads and validates the configuration. `env` defaults to `process.env` after `.env` is
 * loaded (variables already set win over the file).
 */
export function loadConfig(env: NodeJS.ProcessEnv = readEnvironment()): Config {
  const parsed = EnvSchema.safeParse(env);
  if (!parsed.success) {
    const variables = [...new Set(parsed.error.issues.map((issue) => String(issue.path[0])))];
    const details = parsed.error.issues.map((issue) => `${given(env, String(issue.path[0]))}: ${issue.message}`).join('; ');
    throw new ConfigError(`Invalid configuration: ${details}. See .env.example.`, variables);
  }
  const e = parsed.data;
  return {
    logLevel: e.LOG_LEVEL,
    stream: {
      apiKey: e.STREAM_API_KEY,
      apiSecret: e.STREAM_API_SECRET,
      baseUrl: e.STREAM_BASE_URL,
      videoBaseUrl: e.STREAM_VIDEO_BASE_URL,
      locationHintUrl: e.STREAM_LOCATION_HINT_URL,
      timeoutMs: e.STREAM_TIMEOUT_MS,
      chatChannelType: e.STREAM_CHAT_CHANNEL_TYPE,
      demoBaseUrl: e.STREAM_DEMO_BASE_URL,
      demoTokenTtlS: e.STREAM_DEMO_TOKEN_TTL_S,
      openBrowser: e.DEMO_OPEN_BROWSER,
    },
    google: {
      apiKey: e.GOOGLE_API_KEY ?? e.GEMINI_API_KEY,
      baseUrl: e.GOOGLE_GEMINI_BASE_URL,
      model: e.GEMINI_MODEL,
      liveModel: e.GEMINI_LIVE_MODEL,
      voice: e.GEMINI_VOICE,
    },
    pipeline: {
      deepgram: { apiKey: e.DEEPGRAM_API_KEY, baseUrl: e.DEEPGRAM_BASE_URL, model: e.DEEPGRAM_MODEL },
      ttsProvider: e.TTS_PROVIDER,
      elevenlabs: { apiKey: e.ELEVENLABS_API_KEY, baseUrl: e.ELEVENLABS_BASE_URL, voiceId: e.ELEVENLABS_VOICE_ID, model: e.ELEVENLABS_MODEL },
      cartesia: { apiKey: e.CARTESIA_API_KEY, baseUrl: e.CARTESIA_BASE_URL, voiceId: e.CARTESIA_VOICE_ID, model: e.CARTESIA_MODEL },
      language: e.AGENT_LANGUAGE,
      minEndpointingDelayMs: e.MIN_ENDPOINTING_DELAY_MS,
      maxEndpointingDelayMs: e.MAX_ENDPOINTING_DELAY_MS,
      falseInterruptionTimeoutMs: e.FALSE_INTERRUPTION_TIMEOUT_MS,
    },
    agent: {
      mode: e.AGENT_MODE,
      turnDetection: e.AGENT_TURN_DETECTION,
      minInterruptionSpeechMs: e.MIN_INTERRUPTION_SPEECH_MS,
      addressing: e.AGENT_ADDRESSING,
      addressingNames: e.AGENT_ADDRESSING_NAMES,
      userId: e.AGENT_USER_ID,
      name: e.AGENT_NAME,
      imageUrl: e.AGENT_IMAGE_URL,
      instructions: e.AGENT_INSTRUCTIONS,
      video: e.AGENT_VIDEO,
      chat: {
        input: e.AGENT_CHAT_INPUT,
        replies: e.AGENT_CHAT_REPLIES,
        tool: e.AGENT_CHAT_TOOL,
        historyMessages: e.AGENT_CHAT_HISTORY_MESSAGES,
        historyChars: e.AGENT_CHAT_HISTORY_CHARS,
      },
    },
    server: {
      host: e.HOST,
      port: e.PORT,
      apiKeys: e.WORKER_API_KEYS,
      adminKey: e.WORKER_ADMIN_KEY,
      corsOrigins: e.CORS_ORIGINS,
      botsFile: e.BOTS_FILE,
      completeTimeoutMs: e.COMPLETE_TIMEOUT_MS,
      pingIntervalMs: e.COMPLETE_PING_INTERVAL_MS,
      writeTimeoutMs: e.COMPLETE_WRITE_TIMEOUT_MS,
      rateLimitPerMinute: e.RATE_LIMIT_PER_MINUTE,
      rateLimitBurst: e.RATE_LIMIT_BURST,
      attachmentMaxBytes: e.ATTACHMENT_MAX_BYTES,
      attachmentTimeoutMs: e.ATTACHMENT_TIMEOUT_MS,
      attachmentBudgetBytes: e.ATTACHMENT_BUDGET_BYTES,
    },
    worker: {
      maxSessions: e.MAX_SESSIONS,
      maxSessionsPerCall: e.MAX_SESSIONS_PER_CALL,
      idleTimeoutMs: e.AGENT_IDLE_TIMEOUT_MS,
      maxSessionDurationMs: e.MAX_SESSION_DURATION_MS,
      drainTimeoutMs: e.DRAIN_TIMEOUT_MS,
      redisUrl: e.REDIS_URL,
    },
  };
}

/** Where each credential comes from, for the message a newcomer sees when one is missing. */
const CREDENTIAL_HELP: Record<string, string> = {
  STREAM_API_KEY: 'free at https://getstream.io/try-for-free/ (Dashboard → your app → API key)',
  STREAM_API_SECRET: 'free at https://getstream.io/try-for-free/ (Dashboard → your app → secret)',
  GOOGLE_API_KEY: 'free at https://aistudio.google.com/apikey (GEMINI_API_KEY works too)',
  DEEPGRAM_API_KEY: 'free credit at https://console.deepgram.com/signup (API Keys)',
  ELEVENLABS_API_KEY: 'free tier at https://elevenlabs.io/app/settings/api-keys',
  CARTESIA_API_KEY: 'free tier at https://play.cartesia.ai/keys',
};

/** Stream credentials, or a ConfigError naming the missing variables and where to get them. */
export function requireStream(config: Config): { apiKey: string; apiSecret: string } {
  const missing = [
    config.stream.apiKey ? undefined : 'STREAM_API_KEY',
    config.stream.apiSecret ? undefined : 'STREAM_API_SECRET',
  ].filter((name): name is string => name !== undefined);
  if (missing.length > 0) throw missingCredentials(missing);
  return { apiKey: config.stream.apiKey!, apiSecret: config.stream.apiSecret! };
}

/** The Gemini key, or a ConfigError naming GOOGLE_API_KEY and where to get one. */
export function requireGoogle(config: Config): { apiKey: string } {
  if (!config.google.apiKey) throw missingCredentials(['GOOGLE_API_KEY']);
  return { apiKey: config.google.apiKey };
}

/** One error naming every missing credential at once, so a newcomer fixes them in one go. */
export function missingCredentials(variables: string[]): ConfigError {
  const lines = variables.map((name) => `  ${name}: ${CREDENTIAL_HELP[name] ?? 'see .env.example'}`);
  return new ConfigError(
    `Missing ${variables.join(', ')}. Put them in .env (copy .env.example) or the environment:\n${lines.join('\n')}`,
    variables,
  );
}

function readEnvironment(): NodeJS.ProcessEnv {
  loadDotenv({ quiet: true });
  return process.env;
}
