/** StreamEdge's settings, their defaults (declared once, here) and how config maps onto them. */
import { requireStream, type Config } from '../../config.js';
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
  /** Per REST request, in ms. */
  timeoutMs: number;
  /** Chat channel type of a call's conversation (channel id = call id). */
  chatChannelType: string;
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
  timeoutMs: 10_000,
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

/** The options `loadConfig()` describes (STREAM_* and DEMO_OPEN_BROWSER), with `overrides` on top. */
export function streamEdgeOptionsFromConfig(config: Config, overrides: Partial<StreamEdgeOptions> = {}): StreamEdgeInit {
  const { apiKey, apiSecret } = requireStream(config);
  const { stream } = config;
  return {
    apiKey,
    apiSecret,
    baseUrl: stream.baseUrl,
    videoBaseUrl: stream.videoBaseUrl,
    locationHintUrl: stream.locationHintUrl,
    timeoutMs: stream.timeoutMs,
    chatChannelType: stream.chatChannelType,
    demoBaseUrl: stream.demoBaseUrl,
    demoTokenTtlS: stream.demoTokenTtlS,
    openBrowser: stream.openBrowser,
    ...overrides,
  };
}
