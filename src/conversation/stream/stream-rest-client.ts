/**
 * The Stream REST client (`@stream-io/node-sdk`) as this project builds it, in one place: the
 * edge and the completion API's conversations both talk to Stream through one of these.
 */
import { StreamClient } from '@stream-io/node-sdk';

/** Per REST request; the SDK's own default is shorter than a busy chat endpoint may need. */
export const DEFAULT_STREAM_TIMEOUT_MS = 10_000;

export interface StreamRestOptions {
  apiKey: string;
  apiSecret: string;
  /** REST base (chat, video, users); default: Stream's own hosts. */
  baseUrl?: string;
  /** Per request, in ms; default DEFAULT_STREAM_TIMEOUT_MS. */
  timeoutMs?: number;
}

export function createStreamRestClient(options: StreamRestOptions): StreamClient {
  return new StreamClient(options.apiKey, options.apiSecret, {
    timeout: options.timeoutMs ?? DEFAULT_STREAM_TIMEOUT_MS,
    ...(options.baseUrl ? { basePath: options.baseUrl } : {}),
  });
}
