/**
 * Turns a realtime session's events into the agent's turns: transcripts streamed into the
 * Conversation (user turns attributed to the participant who spoke, agent turns to the agent),
 * the model's audio into the published track, barge-in flushing, and per-turn metrics.
 */
import type { EventBus } from '../core/event-bus.js';
import type { Conversation } from '../conversation/index.js';
import type { AudioOutput } from '../edge/edge.js';
import type { RealtimeSession } from '../llm/realtime.js';
import type { AgentEvents, AgentStats, TurnMetrics } from './agent-events.js';
import type { ChatReplies } from './chat-settings.js';
import type { SpeakerTracker } from './speaker-tracker.js';

/** Whose user turn it is when nobody could be heard (e.g. text sent with `respond`). */
export const UNKNOWN_SPEAKER = 'unknown';

interface UserTurn {
  userId: string;
  nextIndex: number;
}

interface AgentTurn {
  nextIndex: number;
  /** All the model produced for the turn, heard or not. */
  fullText: string;
  firstAudioAtMs?: number;
  metrics: TurnMetrics;
}

export interface TurnRecorderOptions {
  session: RealtimeSession;
  output: AudioOutput;
  conversation: Conversation;
  speakers: SpeakerTracker;
  agentUserId: string;
  events: EventBus<AgentEvents>;
  /** Where an answer goes (an answer to typed turns may be text only, or kept whole); default voice. */
  replyOf?: (turnId: string) => ChatReplies;
}

export class TurnRecorder {
  readonly #options: TurnRecorderOptions;
  readonly #userTurns = new Map<string, UserTurn>();
  readonly #agentTurns = new Map<string, AgentTurn>();
  readonly #unsubscribe: Array<() => void> = [];
  #lastUserSpeechEndedAtMs: number | undefined;
  #playingTurn: AgentTurn | undefined;
  readonly #stats = { turns: 0, interruptions: 0 };

  constructor(options: TurnRecorderOptions) {
    this.#options = options;
    const { session, output } = options;
    this.#unsubscribe.push(
      // Barge-in first: nothing else may stand between `interrupted` and silence.
      session.on('interrupted', () => this.#onInterrupted()),
      session.on('playback.pause', ({ turnId }) => {
        options.output.pause();
        options.events.emit('agent.speech.paused', { turnId });
      }),
      session.on('playback.resume', ({ turnId }) => {
        options.output.resume();
        options.events.emit('agent.speech.resumed', { turnId });
      }),
      session.on('audio', ({ turnId, samples, sampleRate }) => this.#onAudio(turnId, samples, sampleRate)),
      session.on('user.speech.started', ({ turnId }) => void this.#userTurn(turnId)),
      session.on('input.transcript', ({ turnId, delta, text }) => this.#onInputTranscript(turnId, delta, text)),
      session.on('user.speech.ended', ({ turnId }) => this.#onUserSpeechEnded(turnId)),
      session.on('input.transcript.done', ({ turnId, text }) => this.#onInputDone(turnId, text)),
      session.on('response.started', ({ turnId }) => this.#onResponseStarted(turnId)),
      session.on('output.transcript', ({ turnId, delta, text }) => this.#onOutputTranscript(turnId, delta, text)),
      session.on('turn.metrics', ({ turnId, ...stages }) => void (this.#agentTurn(turnId).metrics.stages = stages)),
      session.on('turn.complete', ({ turnId, text, interrupted }) => this.#onTurnComplete(turnId, text, interrupted)),
      session.on('tool.call', (event) => options.events.emit('tool.call', event)),
      session.on('tool.result', (event) => options.events.emit('tool.result', event)),
      output.events.on('playbackStarted', ({ atMs }) => this.#onPlaybackStarted(atMs)),
      output.events.on('playbackDrained', ({ atMs, playedMs, reason }) => this.#onPlaybackDrained(atMs, playedMs, reason)),
    );
  }

  stats(): Pick<AgentStats, 'turns' | 'interruptions'> {
    return { ...this.#stats };
  }

  close(): void {
    for (const unsubscribe of this.#unsubscribe.splice(0)) unsubscribe();
  }

  #onInterrupted(): void {
    this.#options.output.flush();
    this.#options.output.resume(); // a held playback was cut: what comes next plays
    this.#stats.interruptions++;
  }

  #onAudio(turnId: string, samples: Int16Array, sampleRate: number): void {
    if (this.#replyOf(turnId) === 'text') return; // written to the chat, not spoken
    const turn = this.#agentTurn(turnId);
    if (turn.firstAudioAtMs === undefined) {
      turn.firstAudioAtMs = performance.now();
      this.#playingTurn = turn;
    }
    turn.metrics.generatedMs = (turn.metrics.generatedMs ?? 0) + (samples.length * 1000) / sampleRate;
    this.#options.output.write(samples, sampleRate);
  }

  #onPlaybackStarted(atMs: number): void {
    const turn = this.#playingTurn;
    if (turn?.firstAudioAtMs !== undefined && turn.metrics.playoutLatencyMs === undefined) {
      turn.metrics.playoutLatencyMs = Math.max(0, atMs - turn.firstAudioAtMs);
    }
    this.#options.events.emit('agent.speech.started', { turnId: turn?.metrics.turnId, atMs });
  }

  #onPlaybackDrained(atMs: number, playedMs: number, reason: 'ended' | 'flushed' | 'timeout'): void {
    const turn = this.#playingTurn;
    if (reason === 'flushed' && turn) turn.metrics.playedMs = playedMs;
    this.#options.events.emit('agent.speech.stopped', { turnId: turn?.metrics.turnId, atMs, reason, playedMs });
  }

  #replyOf(turnId: string): ChatReplies {
    return this.#options.replyOf?.(turnId) ?? 'voice';
  }

  #userTurn(turnId: string): UserTurn {
    let turn = this.#userTurns.get(turnId);
    if (turn) return turn;
    const speaker = this.#options.speakers.speakerOfTurn(performance.now());
    turn = { userId: speaker?.userId ?? UNKNOWN_SPEAKER, nextIndex: 0 };
    this.#userTurns.set(turnId, turn);
    this.#options.events.emit('user.turn.started', { turnId, userId: turn.userId });
    return turn;
  }

  #onInputTranscript(turnId: string, delta: string, text: string): void {
    const turn = this.#userTurn(turnId);
    this.#options.conversation.upsert({ id: turnId, role: 'user', userId: turn.userId, content: delta, contentIndex: turn.nextIndex++ });
    this.#options.events.emit('transcript', { role: 'user', userId: turn.userId, turnId, text, delta, final: false });
  }

  #onUserSpeechEnded(turnId: string): void {
    const turn = this.#userTurn(turnId);
    this.#lastUserSpeechEndedAtMs = performance.now();
    this.#options.conversation.setIndicator('thinking');
    this.#options.events.emit('user.turn.ended', { turnId, userId: turn.userId });
  }

  #onInputDone(turnId: string, text: string): void {
    const turn = this.#userTurn(turnId);
    this.#userTurns.delete(turnId);
    this.#options.conversation.upsert({ id: turnId, role: 'user', userId: turn.userId, content: text, replace: true, completed: true });
    this.#options.events.emit('transcript', { role: 'user', userId: turn.userId, turnId, text, delta: '', final: true });
  }

  #agentTurn(turnId: string): AgentTurn {
    let turn = this.#agentTurns.get(turnId);
    if (!turn) this.#agentTurns.set(turnId, (turn = { nextIndex: 0, fullText: '', metrics: { turnId, interrupted: false } }));
    return turn;
  }

  #onResponseStarted(turnId: string): void {
    const turn = this.#agentTurn(turnId);
    if (this.#lastUserSpeechEndedAtMs !== undefined) {
      turn.metrics.responseLatencyMs = performance.now() - this.#lastUserSpeechEndedAtMs;
      this.#lastUserSpeechEndedAtMs = undefined;
    }
    this.#options.events.emit('agent.turn.started', { turnId });
  }

  #onOutputTranscript(turnId: string, delta: string, text: string): void {
    const turn = this.#agentTurn(turnId);
    turn.fullText = text;
    const { conversation, agentUserId } = this.#options;
    conversation.upsert({ id: turnId, role: 'assistant', userId: agentUserId, content: delta, contentIndex: turn.nextIndex++ });
    this.#options.events.emit('transcript', { role: 'assistant', userId: agentUserId, turnId, text, delta, final: false });
  }

  #onTurnComplete(turnId: string, heard: string, interrupted: boolean): void {
    const turn = this.#agentTurn(turnId);
    // An answer also written to the chat keeps all of it there, whatever cut its voice.
    const text = this.#replyOf(turnId) !== 'voice' && turn.fullText.length > heard.length ? turn.fullText : heard;
    this.#agentTurns.delete(turnId);
    const { conversation, agentUserId, output, events } = this.#options;
    if (!interrupted) output.end();
    if (text.length > 0 || conversation.get(turnId)) {
      conversation.upsert({ id: turnId, role: 'assistant', userId: agentUserId, content: text, replace: true, completed: true, interrupted });
    }
    this.#stats.turns++;
    turn.metrics.interrupted = interrupted;
    events.emit('transcript', { role: 'assistant', userId: agentUserId, turnId, text, delta: '', final: true });
    events.emit('agent.turn.ended', { turnId, text, interrupted });
    events.emit('metrics', turn.metrics);
  }
}
