/**
 * Closing an Agent when the chat does not answer: the real StreamEdge and GeminiRealtime
 * against the fakes, with the Stream fake holding every chat request unanswered. Leaving the
 * call must not wait for the transcript, and what can be finalised without the chat is.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { nextEvent, waitUntil } from '../edge/helpers.js';
import { startAgentHarness, type AgentHarness } from './agent-harness.js';

let harness: AgentHarness | undefined;
let releaseChat: (() => void) | undefined;
afterEach(async () => {
  releaseChat?.();
  releaseChat = undefined;
  await harness?.close();
  harness = undefined;
});

describe('Agent.close while the chat hangs', () => {
  it('leaves the call at once, with the cut reply final (interrupted) in its transcript, and writes it when the chat answers', async () => {
    harness = await startAgentHarness();
    const { agent, stream, live } = harness;
    const call = await agent.createCall('default', 'hung-chat');
    const ivan = stream.video.call('hung-chat').addParticipant({ userId: 'ivan' });
    live.script.respondAfterAudioMs = 300;
    // A long answer, sent in real time, so close() lands in the middle of it.
    live.script.paceFactor = 1;
    live.script.turns.push({ userText: ['Go on'], answerText: ['One,', ' two,', ' three,', ' four,', ' five.'], answerAudioMs: 5000 });
    await agent.join(call);
    const midReply = nextEvent(agent.events, 'transcript', (event) => event.role === 'assistant' && !event.final);
    await harness.hearing('ivan');
    void ivan.playTone(300, 400);
    await midReply;

    releaseChat = stream.api.hold((request) => request.path.startsWith('/api/v2/chat/'));
    let closed = false;
    const closing = agent.close().then(() => (closed = true));
    // Well within the conversation's own close timeout (10 s), after which it would stop waiting anyway.
    await waitUntil(() => stream.video.call('hung-chat').session('agent') === undefined, 'the agent to leave the call', 5_000);
    expect(closed).toBe(false);
    expect(agent.conversation?.messages.find((message) => message.role === 'assistant')).toMatchObject({ completed: true, interrupted: true });

    releaseChat();
    await closing;
    const reply = stream.api.transcript('messaging:hung-chat').find((message) => message.userId === 'agent');
    expect(reply).toMatchObject({ generating: false });
  });
});
