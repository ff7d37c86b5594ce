/**
 * An Agent in pipeline mode wired to the local fakes, every provider real: StreamEdge against
 * the Stream fakes, SileroVAD on this machine, DeepgramSTT against FakeDeepgram, GeminiLLM
 * against FakeGemini, ElevenLabsTTS against FakeElevenLabs. People in the call speak real
 * speech (espeak-ng); the fake STT "hears" the scripted transcript while the audio it has
 * received passes the scripted times, as the service hears speech in audio, not wall time.
 */
import { Agent, type AgentOptions } from '../../src/agent/index.js';
import { GeminiLLM } from '../../src/llm/gemini/gemini-llm.js';
import { PipelineModel, type PipelineModelOptions } from '../../src/pipeline/index.js';
import { DeepgramSTT } from '../../src/stt/deepgram/index.js';
import { ElevenLabsTTS } from '../../src/tts/elevenlabs/index.js';
import { SileroVAD } from '../../src/vad/silero/index.js';
import { FakeDeepgram, type FakeDeepgramConnection } from '../../testing/deepgram/index.js';
import { FakeElevenLabs } from '../../testing/elevenlabs/index.js';
import { FakeGemini } from '../../testing/gemini/index.js';
import type { FakeCall, RemoteParticipant } from '../../testing/stream-video/index.js';
import { startStreamFakes, type StreamFakes } from '../edge/helpers.js';
import { speechPcm } from '../support/speech.js';
import { waitFor, waitUntil } from '../support/wait.js';

export const AGENT_ID = 'pipeline-agent';

export interface PipelineHarness {
  stream: StreamFakes;
  deepgram: FakeDeepgram;
  gemini: FakeGemini;
  elevenlabs: FakeElevenLabs;
  agent: Agent;
  /** The STT socket the agent has open now. */
  sttSocket(): Promise<FakeDeepgramConnection>;
  /** A call with these people in it, which the agent then joins. */
  joinCall<People extends Array<{ userId: string; name?: string }>>(
    callId: string,
    ...people: People
  ): Promise<{ fakeCall: FakeCall; people: { [K in keyof People]: RemoteParticipant } }>;
  /**
   * `person` says `text` (espeak-ng) once the STT socket has received `atAudioMs` of audio, and
   * the fake STT hears that text at that point of its audio. Resolves when the speech was played.
   */
  say(person: RemoteParticipant, text: string, options?: { voice?: string }): Promise<void>;
  close(): Promise<void>;
}

/** Lead of the scripted transcript over the played speech: the speech is heard a moment after it leaves the person. */
const HEARING_LEAD_MS = 150;

export async function startPipelineHarness(
  options: { pipeline?: Partial<PipelineModelOptions>; agent?: Partial<AgentOptions> } = {},
): Promise<PipelineHarness> {
  const stream = await startStreamFakes();
  const deepgram = await FakeDeepgram.start();
  const gemini = new FakeGemini();
  const geminiUrl = await gemini.start();
  const elevenlabs = await FakeElevenLabs.start({ msPerChar: 40 });
  const edge = stream.edge();
  const model = new PipelineModel({
    stt: new DeepgramSTT({ apiKey: deepgram.apiKey, baseUrl: deepgram.baseUrl }),
    llm: new GeminiLLM({ apiKey: 'key', baseUrl: geminiUrl }),
    tts: new ElevenLabsTTS({ apiKey: elevenlabs.apiKey, baseUrl: elevenlabs.baseUrl }),
    vad: new SileroVAD(),
    minEndpointingDelayMs: 200,
    maxEndpointingDelayMs: 1500,
    falseInterruptionTimeoutMs: 600,
    ...options.pipeline,
  });
  const agent = new Agent({ edge, llm: model, agentUser: { id: AGENT_ID, name: 'Pipeline Agent' }, instructions: 'Be brief.', ...options.agent });

  const sttSocket = () => waitFor(() => deepgram.connections.filter((connection) => connection.open).at(-1), 'an open STT socket', 30_000);
  return {
    stream,
    deepgram,
    gemini,
    elevenlabs,
    agent,
    sttSocket,
    async joinCall(callId, ...people) {
      const fakeCall = stream.video.call(callId);
      const joined = people.map((person) => fakeCall.addParticipant(person));
      await agent.join(await agent.createCall('default', callId));
      return { fakeCall, people: joined as { [K in keyof typeof people]: RemoteParticipant } };
    },
    async say(person, text, sayOptions = {}) {
      const speech = await speechPcm(text, { sampleRate: 48_000, voice: sayOptions.voice });
      const socket = await sttSocket();
      const startMs = socket.audioMs + 400;
      const durationMs = (speech.length / 48_000) * 1000;
      // The script of a socket is read as its audio passes: the utterance is placed ahead of it.
      socket.hear({ text, startMs: startMs + HEARING_LEAD_MS, endMs: startMs + durationMs });
      await waitUntil(() => socket.audioMs >= startMs, `the STT to reach ${Math.round(startMs)} ms of audio`, 30_000);
      await person.playPcm(speech, 48_000);
    },
    async close() {
      await agent.close();
      await deepgram.close();
      await gemini.close();
      await elevenlabs.close();
      await stream.close();
    },
  };
}
