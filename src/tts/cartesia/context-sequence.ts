/**
 * The Cartesia contexts of one session, in the order they speak.
 *
 * A session is one context as long as text keeps coming. But Cartesia expires a context 1 s
 * after its last audio went out, and an input after that "is not supported": an answer whose
 * language model pauses (a tool call between two sentences, a slow model) would lose its end.
 * So when text comes after the current context has been quiet for `quietMs` (no audio and no
 * text), the session retires that context and continues in a new one; after such a pause a seam
 * in prosody is not heard. A retired context gets its final input, so that the service speaks
 * whatever it still holds; it is over at its `done`, at an error (it had expired: nothing was
 * left to say), or when it stays silent for a while after being retired (cartesia-stream.ts).
 *
 * The contexts speak one after another: the first not yet done is the one playing; what arrives
 * for a later one waits in its backlog until those before it are done.
 */
import { randomUUID } from 'node:crypto';
import type { WebsocketResponse } from '@cartesia/cartesia-js/resources/tts';

export interface SpeechContext {
  readonly id: string;
  /** Events that arrived while an earlier context was still playing. */
  readonly backlog: WebsocketResponse[];
  /** `performance.now()` of the last input sent. */
  lastTextAt: number;
  /** `performance.now()` of the last audio received, if any. */
  lastAudioAt: number | undefined;
  /** The session's audio before this context's, in ms: its timestamps count from there. Set when it starts playing. */
  offsetMs: number | undefined;
  /** Its final input (`continue: false`) was sent. */
  closed: boolean;
  /** The service sent `done` for it. */
  done: boolean;
  /** Closed for a pause in the text rather than at the end of the session. */
  retired: boolean;
  /** Ends a retired context that stays silent. */
  silenceTimer: NodeJS.Timeout | undefined;
}

export class ContextSequence {
  readonly #contexts: SpeechContext[] = [];

  constructor(readonly quietMs: number) {
    this.#open();
  }

  /** The context that takes the next text. */
  get current(): SpeechContext {
    return this.#contexts.at(-1)!;
  }

  /** The context whose audio is being yielded: the first not done. */
  get playing(): SpeechContext | undefined {
    return this.#contexts.find((context) => !context.done);
  }

  get all(): readonly SpeechContext[] {
    return this.#contexts;
  }

  find(id: string): SpeechContext | undefined {
    return this.#contexts.find((context) => context.id === id);
  }

  /** Whether the next text must go to a new context: the current one is over, or quiet long enough to expire. */
  needsNewContext(now: number): boolean {
    const context = this.current;
    if (context.closed || context.done) return true;
    return context.lastAudioAt !== undefined && now - context.lastAudioAt >= this.quietMs && now - context.lastTextAt >= this.quietMs;
  }

  /** Opens the next context (the caller closes the current one first, unless it is already done). */
  next(): SpeechContext {
    return this.#open();
  }

  /** Stops every retired context's silence timer (the session is over). */
  clearTimers(): void {
    for (const context of this.#contexts) clearTimeout(context.silenceTimer);
  }

  /** Every context is done. */
  get allDone(): boolean {
    return this.#contexts.every((context) => context.done);
  }

  #open(): SpeechContext {
    const context: SpeechContext = {
      id: randomUUID(),
      backlog: [],
      lastTextAt: performance.now(),
      lastAudioAt: undefined,
      offsetMs: undefined,
      closed: false,
      done: false,
      retired: false,
      silenceTimer: undefined,
    };
    this.#contexts.push(context);
    return context;
  }
}
