/**
 * TypedTurns' own logic, with stand-ins for the chat, the model session and the voice (event
 * buses driven by the test): when a typed turn goes, how several go together, the limits, and
 * which answers are replies to typed turns.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { MAX_WAITING_TURNS, TypedTurns } from '../../src/agent/typed-turns.js';
import type { AgentEvents } from '../../src/agent/agent-events.js';
import type { ChatReplies } from '../../src/agent/chat-settings.js';
import { EventBus } from '../../src/core/event-bus.js';
import { createLogger } from '../../src/core/logger.js';
import { InMemoryConversation } from '../../src/conversation/index.js';
import type { AudioOutput, AudioOutputEvents, ChatChannel, ChatChannelEvents, TypedMessage } from '../../src/edge/edge.js';
import type { RealtimeEvents, RealtimeSession } from '../../src/llm/realtime.js';
import type { AddressingSettings } from '../../src/turns/addressing.js';

afterEach(() => void vi.useRealTimers());

function rig(replies: ChatReplies = 'voice', rateLimit = { burst: 5, perMinute: 12 }, addressing?: AddressingSettings) {
  const chat = { events: new EventBus<ChatChannelEvents>(), history: [], close: async () => {} } satisfies ChatChannel;
  const sessionEvents = new EventBus<RealtimeEvents>();
  const sent: string[] = [];
  const context: string[] = [];
  const session = Object.assign(sessionEvents, {
    closed: false,
    sendText: (text: string, options?: { turnComplete?: boolean }) => void (options?.turnComplete === false ? context : sent).push(text),
  }) as unknown as RealtimeSession;
  const output = { events: new EventBus<AudioOutputEvents>() } as unknown as AudioOutput;
  const events = new EventBus<AgentEvents>();
  const ignored: string[] = [];
  events.on('chat.message.ignored', ({ reason, messageId }) => void ignored.push(`${reason}:${messageId}`));
  const conversation = new InMemoryConversation();
  const typed = new TypedTurns({ chat, session, output, conversation, events, settings: { replies, rateLimit }, addressing, logger: createLogger('test') });
  let next = 0;
  const type = (userId: string, text: string, userName?: string): TypedMessage => {
    const message = { id: `m${++next}`, userId, ...(userName ? { userName } : {}), text, createdAt: new Date() };
    chat.events.emit('message', { message });
    return message;
  };
  const model = sessionEvents as unknown as EventBus<RealtimeEvents>;
  return { typed, type, sent, context, ignored, conversation, model, voice: output.events, close: () => typed.close() };
}

describe('TypedTurns', () => {
  it('sends a typed turn at once when it is quiet, with its author’s name, and records it as stored', () => {
    const { type, sent, conversation, close } = rig();
    const message = type('alice', 'Hello there', 'Alice Liddell');
    expect(sent).toEqual(['Alice Liddell typed in the chat: Hello there']);
    expect(conversation.get(message.id)).toMatchObject({ role: 'user', userId: 'alice', content: 'Hello there', completed: true });
    close();
  });

  it('waits while a person speaks and while the answer plays, then sends all that waited as one turn', async () => {
    const { type, sent, model, voice, close } = rig();
    model.emit('user.speech.started', { turnId: 'u1' });
    type('alice', 'one');
    model.emit('user.speech.ended', { turnId: 'u1' });
    model.emit('response.started', { turnId: 'a1' });
    type('bob', 'two');
    voice.emit('playbackStarted', { atMs: 0 });
    model.emit('turn.complete', { turnId: 'a1', text: 'answer', interrupted: false });
    expect(sent).toEqual([]); // its voice is still playing
    voice.emit('playbackDrained', { atMs: 0, reason: 'ended', playedMs: 100 });
    expect(sent).toEqual(['alice typed in the chat: one\nbob typed in the chat: two']);
    close();
  });

  it('does not wait for an answer that is not coming: a spoken turn left unanswered frees it after a grace', () => {
    vi.useFakeTimers();
    const { type, sent, model, close } = rig();
    model.emit('user.speech.started', { turnId: 'u1' });
    model.emit('user.speech.ended', { turnId: 'u1' });
    model.emit('input.transcript.done', { turnId: 'u1', text: 'talking to Bob' });
    type('alice', 'hi');
    expect(sent).toEqual([]);
    vi.advanceTimersByTime(1_600);
    expect(sent).toEqual(['alice typed in the chat: hi']);
    close();
  });

  it('sends what waits after 15 s at the latest, in a conversation that never pauses', () => {
    vi.useFakeTimers();
    const { type, sent, model, close } = rig();
    model.emit('user.speech.started', { turnId: 'u1' });
    type('alice', 'still there?');
    vi.advanceTimersByTime(14_000);
    expect(sent).toEqual([]);
    vi.advanceTimersByTime(1_100);
    expect(sent).toEqual(['alice typed in the chat: still there?']);
    close();
  });

  it('holds each person to their rate limit, and keeps at most MAX_WAITING_TURNS waiting (the newest)', () => {
    const { type, sent, ignored, model, close } = rig('voice', { burst: 2, perMinute: 1 });
    model.emit('response.started', { turnId: 'a1' });
    const alice = [type('alice', 'a1'), type('alice', 'a2'), type('alice', 'a3')];
    expect(ignored).toEqual([`rate-limited:${alice[2]!.id}`]);
    const others = Array.from({ length: MAX_WAITING_TURNS }, (_, index) => type(`person-${index}`, `p${index}`));
    expect(ignored.slice(1)).toEqual([`backlog:${alice[0]!.id}`, `backlog:${alice[1]!.id}`]);
    model.emit('turn.complete', { turnId: 'a1', text: '', interrupted: false });
    expect(sent).toHaveLength(1);
    expect(sent[0]!.split('\n')).toEqual(others.map((message) => `${message.userId} typed in the chat: ${message.text}`));
    close();
  });

  it('marks the next answer as a reply to typed turns (for chatReplies), and no other', async () => {
    const { type, typed, model, close } = rig('text');
    type('alice', 'where is the link?');
    model.emit('response.started', { turnId: 'reply' });
    expect(typed.replyOf('reply')).toBe('text');
    model.emit('turn.complete', { turnId: 'reply', text: 'here', interrupted: false });
    model.emit('response.started', { turnId: 'spoken' });
    expect(typed.replyOf('spoken')).toBe('voice');
    await Promise.resolve();
    expect(typed.replyOf('reply')).toBe('voice'); // forgotten once over
    close();
  });

  it('in a group call (when-addressed), answers a typed turn that names the agent, and gives the rest as context', () => {
    const addressing: AddressingSettings = { addressing: 'when-addressed', agentNames: ['Nova'], participantNames: () => ['Bob'] };
    const { type, sent, context, model, close } = rig('voice', { burst: 5, perMinute: 12 }, addressing);
    type('alice', 'Bob, lunch at noon?', 'Alice');
    expect(context).toEqual(['Alice typed in the chat: Bob, lunch at noon?']);
    expect(sent).toEqual([]);
    type('alice', 'Nova, what is on the agenda?', 'Alice');
    expect(sent).toEqual(['Alice typed in the chat: Nova, what is on the agenda?']);
    model.emit('response.started', { turnId: 'a1' });
    model.emit('turn.complete', { turnId: 'a1', text: 'The budget.', interrupted: false });
    type('alice', 'And after that?', 'Alice'); // a question right after the answer: a follow-up
    expect(sent).toHaveLength(2);
    close();
  });
});
