import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ProviderError } from '../../src/core/errors.js';
import { FakeGeminiLive } from '../../testing/gemini-live/index.js';
import { modelFor, payloadsOf, record, speak } from './helpers.js';

let fake: FakeGeminiLive;
beforeEach(async () => {
  fake = await FakeGeminiLive.start();
});
afterEach(async () => {
  await fake.close();
});

describe('GeminiRealtime resilience', () => {
  it('reconnects after a 1011 drop, resumes with the last handle, and keeps working', async () => {
    const session = await modelFor(fake).connect();
    const events = record(session);
    speak(session, 200);
    await session.next('turn.complete');
    const first = fake.latest!;
    const lastHandle = first.handlesSent.at(-1);
    expect(lastHandle).toBeDefined();

    const reconnected = session.next('reconnected');
    first.drop(1011, 'Internal error encountered.');
    expect(await reconnected).toEqual({ resumed: true });

    const second = fake.latest!;
    expect(second).not.toBe(first);
    expect(second.setup?.sessionResumption).toEqual({ handle: lastHandle });
    expect(payloadsOf(events, 'reconnecting')).toEqual([
      { attempt: 1, reason: expect.stringContaining('1011'), delayMs: expect.any(Number) },
    ]);

    // The same session object carries on: audio reaches the new socket, answers come back.
    const answered = session.next('turn.complete');
    speak(session, 200);
    await answered;
    expect(second.audioMs).toBe(200);
    expect(payloadsOf(events, 'error')).toEqual([]);
    expect(fake.openCount).toBe(1);
    await session.close();
  });

  it('reconnects after the network drops without a close frame (1006)', async () => {
    const session = await modelFor(fake).connect();
    const reconnected = session.next('reconnected');
    fake.latest!.kill();
    expect(await reconnected).toEqual({ resumed: true });
    expect(fake.connections).toHaveLength(2);
    await session.close();
  });

  it('finalises a turn cut by a lost connection as interrupted', async () => {
    fake.script.turns.push({ userText: ['Hi'], answerText: ['Hello', ' there'], answerAudioMs: 2000, chunkMs: 40 });
    fake.script.paceFactor = 1; // real time, so the drop lands mid-answer
    const session = await modelFor(fake).connect();
    const started = session.next('response.started');
    speak(session, 200);
    const { turnId } = await started;
    const cut = session.next('turn.complete');
    fake.latest!.drop(1011);
    expect(await cut).toEqual({ turnId, text: 'Hello', interrupted: true });
    await session.next('reconnected');
    await session.close();
  });

  it('replaces the connection early on goAway, before the server drops it', async () => {
    const session = await modelFor(fake).connect();
    const events = record(session);
    const first = fake.latest!;
    const reconnected = session.next('reconnected');
    first.goAway(10_000);
    expect(await reconnected).toEqual({ resumed: true });

    await fake.waitFor(() => !first.open, { what: 'the old socket to close' });
    expect(first.closedBy).toBe('client');
    expect(fake.latest!.setup?.sessionResumption?.handle).toBe(first.handlesSent.at(-1));
    expect(payloadsOf(events, 'reconnecting')).toEqual([{ attempt: 1, reason: 'server goAway', delayMs: 0 }]);
    expect(fake.openCount).toBe(1);
    await session.close();
  });

  it('waits for the model to finish speaking before the goAway handover', async () => {
    fake.script.turns.push({ userText: ['Hi'], answerText: ['A long answer'], answerAudioMs: 600, chunkMs: 40 });
    fake.script.paceFactor = 2;
    const session = await modelFor(fake).connect();
    const events = record(session);
    const started = session.next('response.started');
    speak(session, 200);
    await started;
    fake.latest!.goAway(10_000);
    await session.next('reconnected');
    const names = events.map((event) => event.name);
    expect(names.indexOf('turn.complete')).toBeLessThan(names.indexOf('reconnecting'));
    expect(payloadsOf(events, 'turn.complete')).toEqual([expect.objectContaining({ interrupted: false })]);
    await session.close();
  });

  it('after a goAway during a turn, resumes from the handle issued after that turn', async () => {
    fake.script.turns.push({ userText: ['What is the door code?'], answerText: ['It is 4711.'], answerAudioMs: 600, chunkMs: 40 });
    fake.script.paceFactor = 2;
    const session = await modelFor(fake).connect();
    const first = fake.latest!;
    const started = session.next('response.started');
    speak(session, 200);
    await started;
    const reconnected = session.next('reconnected');
    first.goAway(30_000);
    expect(await reconnected).toEqual({ resumed: true });

    // One handle at setup, one after the turn: only the second holds the question and its answer.
    expect(first.handlesSent).toHaveLength(2);
    expect(fake.latest!.setup?.sessionResumption?.handle).toBe(first.handlesSent[1]);
    await session.close();
  });

  it('hands over at once on a goAway while idle, once the handle issued after the turn arrived', async () => {
    const session = await modelFor(fake).connect();
    const events = record(session);
    const first = fake.latest!;
    speak(session, 200);
    await session.next('turn.complete');
    await fake.waitFor(() => first.handlesSent.length === 2, { what: 'the handle issued after the turn' });
    const reconnected = session.next('reconnected');
    // Far from the deadline: only an immediate handover ends this test in time.
    first.goAway(60_000);
    expect(await reconnected).toEqual({ resumed: true });
    expect(fake.latest!.setup?.sessionResumption?.handle).toBe(first.handlesSent[1]);
    expect(payloadsOf(events, 'reconnecting')).toEqual([{ attempt: 1, reason: 'server goAway', delayMs: 0 }]);
    await session.close();
  });

  it('at the goAway deadline, hands over with the best handle when no newer one came', async () => {
    fake.script.respondToClientContent = false; // the text's turn is never answered, so no handle follows it
    const session = await modelFor(fake).connect();
    const events = record(session);
    const first = fake.latest!;
    session.sendText('Remember: the door code is 4711.');
    const reconnected = session.next('reconnected');
    first.goAway(2_000);
    expect(await reconnected).toEqual({ resumed: true });
    expect(first.handlesSent).toHaveLength(1);
    expect(fake.latest!.setup?.sessionResumption?.handle).toBe(first.handlesSent[0]);
    expect(payloadsOf(events, 'reconnecting')).toEqual([{ attempt: 1, reason: 'goAway deadline', delayMs: 0 }]);
    await fake.waitFor(() => !first.open, { what: 'the old socket to close' });
    expect(first.closedBy).toBe('client');
    await session.close();
  });

  it('starts a fresh session when the server refuses to resume', async () => {
    const session = await modelFor(fake).connect();
    fake.forgetHandles();
    const reconnected = session.next('reconnected');
    fake.latest!.drop(1011);
    expect(await reconnected).toEqual({ resumed: false });
    const [, refused, fresh] = fake.connections;
    expect(refused?.setup?.sessionResumption?.handle).toBeDefined();
    expect(refused?.closeCode).toBe(1007);
    expect(fresh?.setup?.sessionResumption).toEqual({});
    expect(fresh?.accepted).toBe(true);
    await session.close();
  });

  it('after maxReconnectAttempts consecutive failures emits error, then closed, and leaves', async () => {
    const session = await modelFor(fake, { maxReconnectAttempts: 3 }).connect();
    const events = record(session);
    const closed = session.next('closed');
    fake.script.rejectSetups = { count: 100, code: 1011, reason: 'Internal error encountered.' };
    fake.latest!.drop(1011);
    const { reason, error } = await closed;

    expect(payloadsOf(events, 'reconnecting').map((event) => event.attempt)).toEqual([1, 2, 3]);
    const [reported] = payloadsOf(events, 'error');
    expect(reported?.error).toBeInstanceOf(ProviderError);
    expect(reported?.error).toMatchObject({ retryable: false, code: 'LIVE_RECONNECT_FAILED' });
    expect(error).toBe(reported?.error);
    expect(reason).toContain('3 attempts');
    expect(events.map((event) => event.name).slice(-2)).toEqual(['error', 'closed']);
    expect(session.closed).toBe(true);
    expect(fake.connections).toHaveLength(4);
    await fake.waitFor(() => fake.openCount === 0);
    expect(() => session.sendText('hello?')).toThrow(/closed/);
    expect(() => session.sendAudio(new Int16Array(160), 16_000)).not.toThrow();
  });

  it('does not reconnect after a close the service will repeat (1008), and says why', async () => {
    const session = await modelFor(fake).connect();
    const events = record(session);
    const closed = session.next('closed');
    fake.latest!.drop(1008, 'Quota exceeded.');
    const { error } = await closed;
    expect(error).toMatchObject({ status: 1008, retryable: false });
    expect(error?.message).toContain('Quota exceeded.');
    expect(payloadsOf(events, 'reconnecting')).toEqual([]);
    expect(fake.connections).toHaveLength(1);
  });

  it('queues text sent while reconnecting and drops audio', async () => {
    fake.script.respondToClientContent = false;
    fake.script.respondAfterAudioMs = Number.POSITIVE_INFINITY;
    const session = await modelFor(fake, { reconnectBaseDelayMs: 50, reconnectMaxDelayMs: 50 }).connect();
    const reconnecting = session.next('reconnecting');
    fake.latest!.drop(1011);
    await reconnecting;
    session.sendText('Are you there?');
    speak(session, 200);
    await session.next('reconnected');
    const second = fake.latest!;
    await fake.waitFor(() => second.clientContents.length === 1, { what: 'the queued text' });
    expect(second.clientContents[0]?.turns?.[0]?.parts?.[0]?.text).toBe('Are you there?');
    expect(second.audioMs).toBe(0);
    await session.close();
  });
});

function activeTimers(): number {
  return process.getActiveResourcesInfo().filter((resource) => resource === 'Timeout').length;
}

describe('GeminiRealtime close', () => {
  it('is idempotent and leaves no sockets or timers behind', async () => {
    const timersBefore = activeTimers();
    const session = await modelFor(fake).connect();
    const events = record(session);
    speak(session, 200);
    await session.next('turn.complete');

    await Promise.all([session.close(), session.close()]);
    await session.close();
    await fake.waitFor(() => fake.openCount === 0);
    expect(fake.latest!.closedBy).toBe('client');
    expect(payloadsOf(events, 'closed')).toEqual([{ reason: 'closed by the client' }]);
    expect(activeTimers()).toBeLessThanOrEqual(timersBefore);
  });

  it('stops a reconnection in progress', async () => {
    const timersBefore = activeTimers();
    const session = await modelFor(fake, { reconnectBaseDelayMs: 60_000, reconnectMaxDelayMs: 60_000 }).connect();
    const reconnecting = session.next('reconnecting');
    fake.latest!.drop(1011);
    await reconnecting;
    // The fake's own close timer lives until its side of the socket is gone.
    await fake.waitFor(() => fake.openCount === 0);
    await session.close();
    expect(fake.connections).toHaveLength(1);
    // At most as many as before (timers of earlier tests may have ended since): the backoff is gone.
    expect(activeTimers()).toBeLessThanOrEqual(timersBefore);
  });

  it('closes when the connect signal aborts', async () => {
    const controller = new AbortController();
    const session = await modelFor(fake).connect({ signal: controller.signal });
    const closed = session.next('closed');
    controller.abort();
    await closed;
    await fake.waitFor(() => fake.openCount === 0);
    expect(session.closed).toBe(true);
  });
});
