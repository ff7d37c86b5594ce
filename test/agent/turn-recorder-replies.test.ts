/**
 * TurnRecorder and answers to typed turns (chatReplies): `text` is not spoken, `both` keeps
 * the whole answer in the conversation when its voice is cut, `voice` keeps what was heard.
 */
import { describe, expect, it } from 'vitest';
import type { AgentEvents } from '../../src/agent/agent-events.js';
import type { ChatReplies } from '../../src/agent/chat-settings.js';
import { SpeakerTracker } from '../../src/agent/speaker-tracker.js';
import { TurnRecorder } from '../../src/agent/turn-recorder.js';
import { EventBus } from '../../src/core/event-bus.js';
import { InMemoryConversation } from '../../src/conversation/index.js';
import type { AudioOutput, AudioOutputEvents } from '../../src/edge/edge.js';
import type { RealtimeEvents, RealtimeSession } from '../../src/llm/realtime.js';

function answer(reply: ChatReplies, cut: boolean) {
  const model = new EventBus<RealtimeEvents>();
  const written: number[] = [];
  const output = {
    events: new EventBus<AudioOutputEvents>(),
    write: (samples: Int16Array) => void written.push(samples.length),
    end: () => {},
    flush: () => {},
    resume: () => {},
  } as unknown as AudioOutput;
  const conversation = new InMemoryConversation();
  const recorder = new TurnRecorder({
    session: model as unknown as RealtimeSession,
    output,
    conversation,
    speakers: new SpeakerTracker(),
    agentUserId: 'agent',
    events: new EventBus<AgentEvents>(),
    replyOf: () => reply,
  });
  model.emit('response.started', { turnId: 't1' });
  model.emit('audio', { turnId: 't1', samples: new Int16Array(240), sampleRate: 24_000 });
  model.emit('output.transcript', { turnId: 't1', delta: 'The whole', text: 'The whole' });
  model.emit('output.transcript', { turnId: 't1', delta: ' answer.', text: 'The whole answer.' });
  if (cut) model.emit('interrupted', { turnId: 't1' });
  model.emit('turn.complete', { turnId: 't1', text: cut ? 'The whole' : 'The whole answer.', interrupted: cut });
  recorder.close();
  return { content: conversation.get('t1')?.content, spoken: written.length > 0 };
}

describe('answers to typed turns', () => {
  it('voice: spoken, and kept as heard when cut', () => {
    expect(answer('voice', true)).toEqual({ content: 'The whole', spoken: true });
  });
  it('both: spoken, and kept whole when its voice is cut', () => {
    expect(answer('both', true)).toEqual({ content: 'The whole answer.', spoken: true });
  });
  it('text: not spoken, and kept whole', () => {
    expect(answer('text', false)).toEqual({ content: 'The whole answer.', spoken: false });
    expect(answer('text', true)).toEqual({ content: 'The whole answer.', spoken: false });
  });
});
