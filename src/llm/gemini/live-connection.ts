/**
 * One Live API WebSocket, opened through `@google/genai`'s `ai.live.connect`.
 *
 * The SDK's `connect` resolves only after `setupComplete`, and never settles when the socket
 * fails or the server closes it before that (it awaits the open and the setup reply forever).
 * `LiveConnection.open` therefore races it against the close callback and a timeout, and turns
 * an early close into a `ProviderError` carrying the close code. Messages that arrive before
 * the owner calls `start()` (the SDK flushes everything up to `setupComplete` at once, and a
 * replacement connection opens while the old one still serves) are held and replayed in order.
 */
import type { Content, GoogleGenAI, LiveConnectConfig, LiveServerMessage, Session } from '@google/genai';
import { ProviderError } from '../../core/errors.js';

export interface LiveCloseInfo {
  /** The WebSocket close code (1006 when the network dropped without a close frame). */
  code: number;
  reason: string;
  /** The socket error that preceded the close, if any. */
  error?: Error;
}

export interface LiveConnectionHandlers {
  onMessage(message: LiveServerMessage): void;
  /** The server or the network closed the socket (never called after our own `close()`). */
  onClose(info: LiveCloseInfo): void;
}

export interface LiveOpenOptions {
  model: string;
  config: LiveConnectConfig;
  timeoutMs: number;
  /** Aborting rejects at once with the signal's reason. */
  signal?: AbortSignal;
  /**
   * Called when the attempt is given up (timeout, abort) while a socket may still exist, with a
   * promise that settles once that socket is closed, so an owner can wait for it in `close()`.
   */
  onAbandoned?: (socketClosed: Promise<void>) => void;
}

/**
 * Close codes after which a new connection can help: the server restarting or overloaded
 * (1011–1014), going away (1001), a dropped network (1006), or a server-side end of a healthy
 * session (1000/1005, e.g. its maximum duration). Everything else (1007 invalid setup, 1008
 * bad key or policy, 4xxx) would fail the same way again.
 */
export function isRetryableClose(code: number): boolean {
  return code === 1000 || code === 1001 || code === 1005 || code === 1006 || (code >= 1011 && code <= 1014);
}

export function closeError(info: LiveCloseInfo, when: string): ProviderError {
  const retryable = isRetryableClose(info.code);
  const detail = info.reason || info.error?.message || 'no reason given';
  const advice = retryable
    ? 'The service or the network dropped the session; it is retried with backoff.'
    : 'Check GOOGLE_API_KEY, GEMINI_LIVE_MODEL and the session options.';
  return new ProviderError(`Gemini Live closed the connection ${when} (code ${info.code}: ${detail}). ${advice}`, {
    provider: 'gemini',
    status: info.code,
    retryable,
    cause: info.error,
    code: 'LIVE_CLOSED',
  });
}

export class LiveConnection {
  readonly #session: Session;
  #handlers: LiveConnectionHandlers | undefined;
  readonly #held: LiveServerMessage[] = [];
  #heldClose: LiveCloseInfo | undefined;
  #closed = false;
  #closedByUs = false;
  readonly #socketClosed: Promise<void>;
  /** `performance.now()` when the server accepted the setup. */
  readonly setupAtMs = performance.now();

  private constructor(session: Session, socketClosed: Promise<void>) {
    this.#session = session;
    this.#socketClosed = socketClosed;
  }

  /** Opens a socket and completes the setup, or throws a ProviderError (`retryable` when worth retrying). */
  static open(ai: GoogleGenAI, options: LiveOpenOptions): Promise<LiveConnection> {
    return new Promise<LiveConnection>((resolve, reject) => {
      let connection: LiveConnection | undefined;
      let settled = false;
      let lastError: Error | undefined;
      const early: LiveServerMessage[] = [];
      let markSocketClosed!: () => void;
      const socketClosed = new Promise<void>((done) => (markSocketClosed = done));

      const fail = (error: unknown, abandoned = false) => {
        if (settled) return;
        settled = true;
        cleanup();
        if (abandoned) options.onAbandoned?.(socketClosed);
        reject(error);
      };
      const onAbort = () => fail(options.signal?.reason ?? new Error('aborted'), true);
      const timer = setTimeout(
        () =>
          fail(
            new ProviderError(`Gemini Live did not complete the session setup within ${options.timeoutMs} ms.`, {
              provider: 'gemini',
              retryable: true,
              code: 'LIVE_TIMEOUT',
            }),
            true,
          ),
        options.timeoutMs,
      );
      const cleanup = () => {
        clearTimeout(timer);
        options.signal?.removeEventListener('abort', onAbort);
      };
      if (options.signal?.aborted) {
        settled = true;
        clearTimeout(timer);
        return reject(options.signal.reason);
      }
      options.signal?.addEventListener('abort', onAbort, { once: true });

      ai.live
        .connect({
          model: options.model,
          config: options.config,
          callbacks: {
            onmessage: (message) => (connection ? connection.#receive(message) : early.push(message)),
            onerror: (event) => {
              lastError = event.error instanceof Error ? event.error : new Error(event.message || 'WebSocket error');
            },
            onclose: (event) => {
              markSocketClosed();
              const info: LiveCloseInfo = { code: event.code, reason: event.reason, error: lastError };
              if (connection) connection.#serverClosed(info);
              else fail(closeError(info, 'during setup'));
            },
          },
        })
        .then(
          (session) => {
            if (settled) {
              // Too late (timed out or aborted): nobody will use this socket.
              session.close();
              return;
            }
            settled = true;
            cleanup();
            connection = new LiveConnection(session, socketClosed);
            connection.#held.push(...early);
            resolve(connection);
          },
          (thrown: unknown) =>
            fail(
              new ProviderError(`Gemini Live connect failed: ${thrown instanceof Error ? thrown.message : String(thrown)}`, {
                provider: 'gemini',
                retryable: false,
                cause: thrown,
              }),
            ),
        );
    });
  }

  /** Routes messages (and a close that already happened) to `handlers`, held ones first. */
  start(handlers: LiveConnectionHandlers): void {
    if (this.#closedByUs || this.#handlers) return;
    this.#handlers = handlers;
    for (const message of this.#held.splice(0)) {
      if (this.#handlers !== handlers) return;
      handlers.onMessage(message);
    }
    if (this.#heldClose && this.#handlers === handlers) handlers.onClose(this.#heldClose);
  }

  get closed(): boolean {
    return this.#closed;
  }

  sendAudio(base64: string, mimeType: string): void {
    if (!this.#closed) this.#session.sendRealtimeInput({ audio: { data: base64, mimeType } });
  }

  /** Tells the service's activity detection that the audio stopped (it then flushes what it holds). */
  sendAudioStreamEnd(): void {
    if (!this.#closed) this.#session.sendRealtimeInput({ audioStreamEnd: true });
  }

  /** The agent's own detection: the user's activity starts or ends (automatic detection is off). */
  sendActivity(kind: 'activityStart' | 'activityEnd'): void {
    if (!this.#closed) this.#session.sendRealtimeInput({ [kind]: {} });
  }

  sendVideo(base64Jpeg: string): void {
    if (!this.#closed) this.#session.sendRealtimeInput({ video: { data: base64Jpeg, mimeType: 'image/jpeg' } });
  }

  sendUserText(text: string, turnComplete: boolean): void {
    if (!this.#closed) this.#session.sendClientContent({ turns: [{ role: 'user', parts: [{ text }] }], turnComplete });
  }

  /** Earlier turns into the context, no answer asked for (the documented way to restore a conversation). */
  sendContext(turns: Content[]): void {
    if (!this.#closed && turns.length > 0) this.#session.sendClientContent({ turns, turnComplete: false });
  }

  sendToolResponses(responses: { id: string; name: string; response: Record<string, unknown> }[]): void {
    if (!this.#closed && responses.length > 0) this.#session.sendToolResponse({ functionResponses: responses });
  }

  /**
   * Closes the socket (normal closure) without reporting it to the handlers. Resolves when the
   * socket is gone, or after `waitMs` if the server never answers the close handshake.
   */
  async close(waitMs = 2_000): Promise<void> {
    if (!this.#closedByUs) {
      this.#closedByUs = true;
      this.#closed = true;
      this.#handlers = undefined;
      this.#held.length = 0;
      try {
        this.#session.close();
      } catch {
        // Already closed underneath us: nothing to release.
      }
    }
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([this.#socketClosed, new Promise<void>((done) => (timer = setTimeout(done, waitMs)))]);
    clearTimeout(timer);
  }

  #receive(message: LiveServerMessage): void {
    if (this.#closedByUs) return;
    if (this.#handlers) this.#handlers.onMessage(message);
    else this.#held.push(message);
  }

  #serverClosed(info: LiveCloseInfo): void {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#handlers) this.#handlers.onClose(info);
    else this.#heldClose = info;
  }
}
