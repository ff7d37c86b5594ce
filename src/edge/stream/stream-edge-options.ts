/** StreamEdge's settings and their defaults (declared once, here). */
import { DEFAULT_STREAM_TIMEOUT_MS } from '../../conversation/stream/stream-rest-client.js';
import type { Logger } from '../../core/logger.js';

export type SdkLogLevel = 'trace' | 'debug' | 'info' | 'warn' | 'error';

export interface StreamEdgeOptions {
  apiKey: string;
  apiSecret: string;
  /** REST base of @stream-io/node-sdk (users, calls, chat). Default: Stream's own hosts. */
  baseUrl?: string;
  /** Coordinator base of the video client; its WebSocket URL is derived from it. Default: the SDK's. */
  videoBaseUrl?: string;
  /** Where the video client asks for its nearest edge. Default: the SDK's. */
  locationHintUrl?: string;
  /** Per REST request, and for the video client's socket to connect, in ms. */
  timeoutMs: number;
  /** Chat channel type of a call's conversation (channel id = call id). */
  chatChannelType: string;
  /** Users whose chat messages are a bot's, not typed turns (besides users with the custom field `bot: true`). */
  chatBotUserIds?: readonly string[];
  /** Base of the Stream Video demo app that `openDemo` links to. */
  demoBaseUrl: string;
  /** How long the demo user's token is valid, in seconds. */
  demoTokenTtlS: number;
  /** Open the demo link in a browser (never in CI or without a display). */
  openBrowser: boolean;
  /** The person who joins through the demo link; also a member of the call's chat channel. */
  demoUser: { id: string; name: string };
  /** How long each of the agent's own tokens is valid, in seconds; the video client asks for a new one when it expires. */
  agentTokenTtlS: number;
  /** The video client's own log level (its lines go to this edge's logger). */
  sdkLogLevel: SdkLogLevel;
  logger?: Logger;
}

export type StreamEdgeInit = Pick<StreamEdgeOptions, 'apiKey' | 'apiSecret'> & Partial<StreamEdgeOptions>;

export const STREAM_EDGE_DEFAULTS = {
  timeoutMs: DEFAULT_STREAM_TIMEOUT_MS,
  chatChannelType: 'messaging',
  demoBaseUrl: 'https://pronto.getstream.io',
  demoTokenTtlS: 3600,
  openBrowser: true,
  demoUser: { id: 'demo-user', name: 'Demo User' },
  agentTokenTtlS: 3600,
  sdkLogLevel: 'warn',
} as const satisfies Partial<StreamEdgeOptions>;

export function resolveStreamEdgeOptions(init: StreamEdgeInit): StreamEdgeOptions {
  const defined = Object.fromEntries(Object.entries(init).filter(([, value]) => value !== undefined));
  return { ...STREAM_EDGE_DEFAULTS, demoUser: { ...STREAM_EDGE_DEFAULTS.demoUser }, ...defined } as StreamEdgeOptions;
}
