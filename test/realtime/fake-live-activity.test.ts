/**
 * The fake Live server's client-side turn control, driven by the real @google/genai session:
 * manual activity (`activityStart`/`activityEnd` with automatic detection disabled), barge-in
 * by `activityHandling`, the 1007 refusals of the service, and `audioStreamEnd` flushing.
 */
import { ActivityHandling, GoogleGenAI, Modality, TurnCoverage, type LiveConnectConfig, type LiveServerMessage, type Session } from '@google/genai';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FakeGeminiLive, pcmToBase64, tone } from '../../testing/gemini-live/index.js';
import { waitUntil } from '../support/wait.js';

const INPUT_MIME = 'audio/pcm;rate=16000';
const VOICED_10MS = pcmToBase64(tone(10, 16_000));
const SILENT_10MS = pcmToBase64(new Int16Array(160));
const MANUAL: LiveConnectConfig = { realtimeInputConfig: { automaticActivityDetection: { disabled: true } } };

let fake: FakeGeminiLive;
let sessions: Session[] = [];
beforeEach(async () => {
  fake = await FakeGeminiLive.start();
  fake.script.respondAfterAudioMs = 200;
});
afterEach(async () => {
  for (const session of sessions) session.close();
  sessions = [];
  await fake.close();
});

interface Client {
  session: Session;
  messages: LiveServerMessage[];
  closes: { code: number; reason: string }[];
}

/** Opens a Live session through the SDK, the way the project reaches the fake (its base URL). */
async function connect(config: LiveConnectConfig = {}): Promise<Client> {
  const ai = new GoogleGenAI({ apiKey: fake.apiKey, vertexai: false, httpOptions: { baseUrl: fake.baseUrl } });
  const messages: LiveServerMessage[] = [];
  const closes: Client['closes'] = [];
  const session = await ai.live.connect({
    model: 'gemini-live-test',
    config: { responseModalities: [Modality.AUDIO], ...config },
    callbacks: {
      onmessage: (message) => void messages.push(message),
      onclose: (event) => void closes.push({ code: event.code, reason: event.reason }),
    },
  });
  sessions.push(session);
  await fake.waitFor(() => fake.latest?.accepted, { what: 'setupComplete' });
  return { session, messages, closes };
}

/** Sends `durationMs` of 16 kHz input in 10 ms messages: a tone, or digital silence. */
function sendAudio(session: Session, durationMs: number, kind: 'voiced' | 'silent' = 'voiced'): void {
  const data = kind === 'voiced' ? VOICED_10MS : SILENT_10MS;
  for (let sent = 0; sent < durationMs; sent += 10) session.sendRealtimeInput({ audio: { data, mimeType: INPUT_MIME } });
}

/** One user activity: activityStart, `durationMs` of input as `sendAudio` sends it, activityEnd. */
function sendActivity(session: Session, durationMs: number, kind: 'voiced' | 'silent' = 'voiced'): void {
  session.sendRealtimeInput({ activityStart: {} });
  sendAudio(session, durationMs, kind);
  session.sendRealtimeInput({ activityEnd: {} });
}

function inputTexts(messages: LiveServerMessage[]): string[] {
  return messages.flatMap((message) => message.serverContent?.inputTranscription?.text ?? []);
}

/** Waits until the client has received `count` turnComplete messages. */
function turnsCompleteAtClient(messages: LiveServerMessage[], count: number): Promise<void> {
  return waitUntil(() => messages.filter((message) => message.serverContent?.turnComplete).length >= count, `${count} turnComplete at the client`);
}

/** Index of the first message that matches, -1 when none does. */
function indexOf(messages: LiveServerMessage[], match: (message: LiveServerMessage) => unknown): number {
  return messages.findIndex((message) => match(message));
}

describe('fake Live server: what the client sent for turn control', () => {
  it('records realtimeInputConfig, proactivity and each activity message with where it stood in the audio', async () => {
    const config: LiveConnectConfig = {
      realtimeInputConfig: {
        automaticActivityDetection: { disabled: true, prefixPaddingMs: 20, silenceDurationMs: 300 },
        activityHandling: ActivityHandling.NO_INTERRUPTION,
        turnCoverage: TurnCoverage.TURN_INCLUDES_ALL_INPUT,
      },
      proactivity: { proactiveAudio: true },
    };
    const { session } = await connect(config);
    sendAudio(session, 50, 'silent');
    sendActivity(session, 100);
    session.sendRealtimeInput({ audioStreamEnd: true });
    const connection = fake.latest!;
    await fake.waitFor(() => connection.activityEvents.length === 3, { what: 'three activity messages' });

    expect(connection.setup?.realtimeInputConfig).toEqual(config.realtimeInputConfig);
    expect(connection.setup?.proactivity).toEqual({ proactiveAudio: true });
    expect(connection.activityEvents).toEqual([
      { type: 'activityStart', atAudioMs: 50 },
      { type: 'activityEnd', atAudioMs: 150 },
      { type: 'audioStreamEnd', atAudioMs: 150 },
    ]);
    expect(connection.open).toBe(true);
  });
});

describe('fake Live server: manual activity detection', () => {
  it('transcribes the user while the activity is open and answers only at activityEnd', async () => {
    fake.script.turns.push({ userText: ['What', ' time is it?'], answerText: ['Noon.'], answerAudioMs: 120 });
    const { session, messages } = await connect(MANUAL);
    const connection = fake.latest!;
    // Speech outside an activity is no user turn, however long.
    sendAudio(session, 400);
    session.sendRealtimeInput({ activityStart: {} });
    sendAudio(session, 300);
    await waitUntil(() => inputTexts(messages).length === 2, 'the input transcription at the client');
    // Past respondAfterAudioMs of speech the service only transcribes: the activity is still open.
    expect(connection.turns).toHaveLength(0);

    session.sendRealtimeInput({ activityEnd: {} });
    await fake.waitFor(() => connection.turns[0]?.completed, { what: 'the answer' });
    await turnsCompleteAtClient(messages, 1);
    expect(inputTexts(messages)).toEqual(['What', ' time is it?']);
    expect(connection.turns).toHaveLength(1);
    expect(connection.turns[0]).toMatchObject({ interrupted: false, audioMsSent: 120 });
  });

  it('sends the transcription of a short activity at activityEnd, before the answer', async () => {
    fake.script.turns.push({ userText: ['Yes.'], answerText: ['Good.'], answerAudioMs: 80 });
    const { session, messages } = await connect(MANUAL);
    sendActivity(session, 60);
    await turnsCompleteAtClient(messages, 1);

    const transcribed = indexOf(messages, (message) => message.serverContent?.inputTranscription);
    const firstAudio = indexOf(messages, (message) => message.serverContent?.modelTurn);
    expect(inputTexts(messages)).toEqual(['Yes.']);
    expect(transcribed).toBeGreaterThanOrEqual(0);
    expect(transcribed).toBeLessThan(firstAudio);
  });

  it('does not answer an activity that held only silence', async () => {
    fake.script.turns.push({ userText: ['First words'], answerAudioMs: 80 }, { userText: ['Second words'], answerAudioMs: 80 });
    const { session, messages } = await connect(MANUAL);
    const connection = fake.latest!;
    sendActivity(session, 300, 'silent');
    sendActivity(session, 100);
    await fake.waitFor(() => connection.turns[0]?.completed, { what: 'the answer to the spoken activity' });
    await turnsCompleteAtClient(messages, 1);

    // Had the silent activity been answered, it would have taken the first scripted turn.
    expect(connection.turns).toHaveLength(1);
    expect(inputTexts(messages)).toEqual(['First words']);
  });

  it('activityStart during an answer interrupts it (START_OF_ACTIVITY_INTERRUPTS, the default)', async () => {
    fake.script.paceFactor = 100;
    fake.script.turns.push({ userText: ['Tell me a story'], answerAudioMs: 60_000, chunkMs: 200 }, { userText: ['Stop.'], answerAudioMs: 80 });
    const { session, messages } = await connect(MANUAL);
    const connection = fake.latest!;
    sendActivity(session, 100);
    await fake.waitFor(() => connection.turns[0]?.firstAudioAtMs, { what: 'the long answer playing' });

    session.sendRealtimeInput({ activityStart: {} });
    await fake.waitFor(() => connection.turns[0]?.completed, { what: 'the interrupted answer' });
    expect(connection.turns[0]).toMatchObject({ interrupted: true, interruptedAtMs: expect.any(Number) });
    expect(connection.turns[0]!.audioMsSent).toBeLessThan(60_000);
    await turnsCompleteAtClient(messages, 1);
    const interrupted = indexOf(messages, (message) => message.serverContent?.interrupted);
    const turnComplete = indexOf(messages, (message) => message.serverContent?.turnComplete);
    expect(interrupted).toBeGreaterThanOrEqual(0);
    expect(turnComplete).toBeGreaterThan(interrupted);

    // The activity that interrupted is the next user turn.
    sendAudio(session, 100);
    session.sendRealtimeInput({ activityEnd: {} });
    await fake.waitFor(() => connection.turns[1]?.completed, { what: 'the answer to the barge-in' });
    await turnsCompleteAtClient(messages, 2);
    expect(inputTexts(messages)).toEqual(['Tell me a story', 'Stop.']);
  });

  it('with NO_INTERRUPTION the answer plays on, and the new activity is answered after it', async () => {
    fake.script.paceFactor = 100;
    fake.script.turns.push({ userText: ['Tell me a story'], answerAudioMs: 120_000, chunkMs: 200 }, { userText: ['And then?'], answerAudioMs: 80 });
    const { session, messages } = await connect({
      realtimeInputConfig: { automaticActivityDetection: { disabled: true }, activityHandling: ActivityHandling.NO_INTERRUPTION },
    });
    const connection = fake.latest!;
    sendActivity(session, 100);
    await fake.waitFor(() => connection.turns[0]?.firstAudioAtMs, { what: 'the long answer playing' });

    session.sendRealtimeInput({ activityStart: {} });
    await fake.waitFor(() => connection.activityEvents.length === 3, { what: 'the second activityStart' });
    const sentAtStartMs = connection.turns[0]!.audioMsSent;
    // An interruption would stop the audio at the next chunk; it keeps coming. The answer is
    // long (over a second at this pace), so it is still playing when the activity ends.
    await fake.waitFor(() => connection.turns[0]!.audioMsSent >= sentAtStartMs + 1_000, { what: 'more audio after activityStart' });
    sendAudio(session, 100);
    session.sendRealtimeInput({ activityEnd: {} });

    await fake.waitFor(() => connection.turns[1]?.completed, { timeoutMs: 10_000, what: 'the answer to the second activity' });
    await turnsCompleteAtClient(messages, 2);
    expect(connection.turns[0]).toMatchObject({ interrupted: false, completed: true, audioMsSent: 120_000 });
    expect(messages.some((message) => message.serverContent?.interrupted)).toBe(false);
    expect(inputTexts(messages)).toEqual(['Tell me a story', 'And then?']);
  });

  it.each([
    {
      name: 'activityStart while an activity is open',
      config: MANUAL,
      send: (session: Session) => {
        session.sendRealtimeInput({ activityStart: {} });
        session.sendRealtimeInput({ activityStart: {} });
      },
      reason: /already open/,
    },
    {
      name: 'activityEnd without an activity',
      config: MANUAL,
      send: (session: Session) => session.sendRealtimeInput({ activityEnd: {} }),
      reason: /without an open activity/,
    },
    {
      name: 'activityStart with automatic activity detection',
      config: {},
      send: (session: Session) => session.sendRealtimeInput({ activityStart: {} }),
      reason: /automaticActivityDetection\.disabled/,
    },
    {
      name: 'activityEnd with automatic activity detection on explicitly',
      config: { realtimeInputConfig: { automaticActivityDetection: { disabled: false } } },
      send: (session: Session) => session.sendRealtimeInput({ activityEnd: {} }),
      reason: /automaticActivityDetection\.disabled/,
    },
  ])('closes the socket with 1007 on $name', async ({ config, send, reason }) => {
    const { session, closes } = await connect(config);
    send(session);
    await waitUntil(() => closes.length > 0, 'the client to see the close');
    expect(closes[0]!.code).toBe(1007);
    expect(closes[0]!.reason).toMatch(/^Request contains an invalid argument: /);
    expect(closes[0]!.reason).toMatch(reason);
    expect(fake.latest).toMatchObject({ closedBy: 'server', closeCode: 1007, open: false });
  });
});

describe('fake Live server: audioStreamEnd with automatic activity detection', () => {
  it('answers speech shorter than a turn when the stream ends, and nothing when only silence came', async () => {
    fake.script.respondAfterAudioMs = 500;
    fake.script.turns.push({ userText: ['Bye.'], answerAudioMs: 80 }, { userText: ['Unused'], answerAudioMs: 80 });
    const { session, messages } = await connect();
    const connection = fake.latest!;
    sendAudio(session, 300, 'silent');
    session.sendRealtimeInput({ audioStreamEnd: true });
    // The client reopens the stream by sending audio again.
    sendAudio(session, 100);
    session.sendRealtimeInput({ audioStreamEnd: true });
    await fake.waitFor(() => connection.turns[0]?.completed, { what: 'the flushed turn' });
    await turnsCompleteAtClient(messages, 1);

    // Had the silent stream's end been answered, it would have taken the first scripted turn.
    expect(connection.turns).toHaveLength(1);
    expect(inputTexts(messages)).toEqual(['Bye.']);
    expect(connection.activityEvents).toEqual([
      { type: 'audioStreamEnd', atAudioMs: 300 },
      { type: 'audioStreamEnd', atAudioMs: 400 },
    ]);
  });

});
