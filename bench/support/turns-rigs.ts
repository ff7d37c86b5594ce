/**
 * An Agent in a call with people, in either mode, through the real stack against the local
 * fakes, as bench:turns drives it: the agent is made to speak a long answer, people play
 * recorded speech, and the fakes only transcribe (the turn-taking decisions are the agent's).
 *
 * - pipeline: test/pipeline/pipeline-harness.ts (StreamEdge, SileroVAD, DeepgramSTT, GeminiLLM,
 *   ElevenLabsTTS), with the pipeline's own endpointing defaults. The fake STT hears a clip's
 *   text at the point of its audio where the person plays it, as the harness's `say` does; a
 *   clip without text is heard as nothing.
 * - realtime: GeminiRealtime under the agent's own detection (`turnDetection: { vad: new
 *   SileroVAD(), stt: new DeepgramSTT() }`, what the default agent runs with a Deepgram key)
 *   against FakeGeminiLive, which transcribes each utterance of an activity as the next of
 *   `script.heard`, and FakeDeepgram, which hears the speech over the agent (the only audio the
 *   agent sends it) as the clip's text.
 * - realtime-duration: the same without the STT: speech over the agent is judged by its length.
 */
import { Agent, type AgentOptions } from '../../src/agent/index.js';
import { GeminiRealtime } from '../../src/llm/gemini/realtime.js';
import { DEFAULT_MAX_ENDPOINTING_DELAY_MS, DEFAULT_MIN_ENDPOINTING_DELAY_MS, DEFAULT_WORDS_TIMEOUT_MS } from '../../src/turns/index.js';
import { SileroVAD } from '../../src/vad/silero/index.js';
import { DeepgramSTT } from '../../src/stt/deepgram/index.js';
import { FakeDeepgram } from '../../testing/deepgram/index.js';
import { FakeGeminiLive } from '../../testing/gemini-live/index.js';
import type { AudioRecording, RemoteParticipant } from '../../testing/stream-video/index.js';
import { startStreamFakes } from '../../test/edge/helpers.js';
import { startPipelineHarness } from '../../test/pipeline/pipeline-harness.js';
import { waitUntil } from '../../test/support/wait.js';

export type TurnsMode = 'pipeline' | 'realtime' | 'realtime-duration';

export interface Person {
  userId: string;
  name: string;
}

export interface TurnsRig {
  mode: TurnsMode;
  agent: Agent;
  people: Map<string, RemoteParticipant>;
  /** What the agent publishes, as the SFU receives it. */
  recording: AudioRecording;
  /** The agent's longest end-of-turn wait after silence (its turn without words ending a sentence). */
  maxEndpointingDelayMs: number;
  /** Makes the agent speak about `durationMs` of answer. */
  speakLong(durationMs: number): void;
  /**
   * `person` plays `pcm` (48 kHz) and the fake hears `text` in it ('' hears nothing).
   * `onsetAt` is performance.now() just before the audio is handed to the person's track.
   */
  play(person: RemoteParticipant, pcm: Int16Array, text: string): Promise<{ onsetAt: number; endAt: number }>;
  /** Forgets what the fake was told to hear and did not (speech the agent never passed on). */
  forgetUnheard(): void;
  close(): Promise<void>;
}

/** The agent's short answer to anything but `speakLong` (an interruption, an addressed line). */
const SHORT_ANSWER = 'Okay.';
const LONG_TEXT =
  'Here is the plan for the week. On Monday the team reviews the designs, on Tuesday we test the checkout flow, ' +
  'on Wednesday the client sees the demo, and on Thursday we fix what they found, so that on Friday we can ship it. ';
/** The fake TTS's speech rate in pipeline mode. */
const PIPELINE_MS_PER_CHAR = 40;
/** Where the speech starts in the audio the realtime agent's STT receives (see `play`). */
const STT_SPEECH_OFFSET_MS = 200;
/** Lead of the scripted transcript over the played speech, as in the pipeline harness. */
const HEARING_LEAD_MS = 150;

export async function startTurnsRig(mode: TurnsMode, callId: string, people: Person[], agentOptions: Partial<AgentOptions> = {}): Promise<TurnsRig> {
  return mode === 'pipeline' ? startPipelineRig(callId, people, agentOptions) : startRealtimeRig(mode, callId, people, agentOptions);
}

async function startPipelineRig(callId: string, people: Person[], agentOptions: Partial<AgentOptions>): Promise<TurnsRig> {
  const harness = await startPipelineHarness({
    pipeline: {
      minEndpointingDelayMs: DEFAULT_MIN_ENDPOINTING_DELAY_MS,
      maxEndpointingDelayMs: DEFAULT_MAX_ENDPOINTING_DELAY_MS,
      falseInterruptionTimeoutMs: DEFAULT_WORDS_TIMEOUT_MS,
    },
    agent: agentOptions,
  });
  harness.elevenlabs.options.msPerChar = PIPELINE_MS_PER_CHAR;
  harness.gemini.script({ text: SHORT_ANSWER });
  const { fakeCall, people: joined } = await harness.joinCall(callId, ...people);
  const socket = await harness.sttSocket();
  // Audio flows to the STT once the agent has subscribed to the people.
  await waitUntil(() => socket.audioMs >= 1_500, 'the agent to hear the call', 30_000);
  return {
    mode: 'pipeline',
    agent: harness.agent,
    people: new Map(joined.map((person) => [person.userId, person])),
    recording: fakeCall.recording(harness.agent.agentUser.id),
    maxEndpointingDelayMs: DEFAULT_MAX_ENDPOINTING_DELAY_MS,
    speakLong(durationMs) {
      harness.agent.say(textLasting(durationMs / PIPELINE_MS_PER_CHAR));
    },
    async play(person, pcm, text) {
      const durationMs = (pcm.length * 1000) / 48_000;
      if (text !== '') {
        const socket = await harness.sttSocket();
        const startMs = socket.audioMs + HEARING_LEAD_MS;
        socket.hear({ text, startMs, endMs: startMs + durationMs });
      }
      const onsetAt = performance.now();
      await person.playPcm(pcm, 48_000);
      return { onsetAt, endAt: performance.now() };
    },
    forgetUnheard() {},
    close: () => harness.close(),
  };
}

async function startRealtimeRig(mode: TurnsMode, callId: string, people: Person[], agentOptions: Partial<AgentOptions>): Promise<TurnsRig> {
  const stream = await startStreamFakes();
  const live = await FakeGeminiLive.start();
  const deepgram = mode === 'realtime' ? await FakeDeepgram.start() : undefined;
  const stt = deepgram && new DeepgramSTT({ apiKey: deepgram.apiKey, baseUrl: deepgram.baseUrl });
  // Anything but a long answer is short; an utterance heard as nothing adds no words.
  live.script.defaultTurn = { userText: [], answerText: [SHORT_ANSWER], answerAudioMs: 400 };
  const vad = new SileroVAD();
  const edge = stream.edge();
  const agent = new Agent({
    edge,
    llm: new GeminiRealtime({ apiKey: live.apiKey, baseUrl: live.baseUrl, reconnectBaseDelayMs: 20, turnDetection: { vad, stt } }),
    agentUser: { id: 'realtime-agent', name: 'Realtime Agent' },
    instructions: 'Be brief.',
    ...agentOptions,
  });
  const fakeCall = stream.video.call(callId);
  const joined = people.map((person) => fakeCall.addParticipant(person));
  const heardFrom = new Set<string>();
  await agent.join(await agent.createCall('default', callId));
  const connection = edge.connections[0]!;
  const off = connection.events.on('audio', ({ participant }) => void heardFrom.add(participant.userId));
  await waitUntil(() => people.every((person) => heardFrom.has(person.userId)), 'the agent to hear everyone', 30_000);
  off();
  return {
    mode,
    agent,
    people: new Map(joined.map((person) => [person.userId, person])),
    recording: fakeCall.recording(agent.agentUser.id),
    maxEndpointingDelayMs: 1_500,
    speakLong(durationMs) {
      const words = textLasting(durationMs / PIPELINE_MS_PER_CHAR).split(/(?<= )/);
      live.script.turns.push({ userText: [], answerText: words, answerAudioMs: Math.round(durationMs) });
      agent.say('the plan for the week');
    },
    async play(person, pcm, text) {
      // The service transcribes an utterance as it hears it; a pause of 300 ms splits one, and
      // the pieces after the first are heard as nothing (the whole text came with the first).
      if (text !== '') live.script.heard.push(text, '', '', '');
      const socket = deepgram?.connections.filter((connection) => connection.open).at(-1);
      if (socket && text !== '') {
        // The STT hears only speech over the agent: held audio from 300 ms before the hold,
        // which comes about 100 ms into the speech.
        const startMs = socket.audioMs + STT_SPEECH_OFFSET_MS;
        socket.hear({ text, startMs, endMs: startMs + (pcm.length * 1000) / 48_000 });
      }
      const onsetAt = performance.now();
      await person.playPcm(pcm, 48_000);
      return { onsetAt, endAt: performance.now() };
    },
    forgetUnheard() {
      live.script.heard.length = 0;
      live.script.turns.length = 0;
      for (const connection of deepgram?.connections ?? []) connection.forgetUnheard();
    },
    async close() {
      await agent.close();
      await live.close();
      await deepgram?.close();
      await stream.close();
      await vad.close();
    },
  };
}

/** About `chars` characters of the long text, cut at a word. */
function textLasting(chars: number): string {
  let text = '';
  while (text.length < chars) text += LONG_TEXT;
  const cut = text.slice(0, Math.round(chars));
  return cut.slice(0, Math.max(cut.lastIndexOf(' '), 1)).trim() + '.';
}
