/**
 * How many pipeline-mode agents one process runs before the first audio underrun (an agent's
 * voice running dry mid-answer): agents are added one at a time, each in its own call with a
 * person who asks a question every few seconds (espeak-ng speech) and gets an answer, every
 * provider real (StreamEdge, Silero VAD, Deepgram, GeminiLLM, ElevenLabs) against fakes shared
 * by all. The fakes and the people run in the same process, on the same two cores, so the
 * figure is a lower bound.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { Agent } from '../../src/agent/index.js';
import { GeminiLLM } from '../../src/llm/gemini/gemini-llm.js';
import { PipelineModel } from '../../src/pipeline/index.js';
import { DeepgramSTT } from '../../src/stt/deepgram/index.js';
import { ElevenLabsTTS } from '../../src/tts/elevenlabs/index.js';
import { SileroVAD } from '../../src/vad/silero/index.js';
import { FakeDeepgram, type FakeDeepgramConnection } from '../../testing/deepgram/index.js';
import { FakeElevenLabs } from '../../testing/elevenlabs/index.js';
import { FakeGemini } from '../../testing/gemini/index.js';
import { startStreamFakes } from '../../test/edge/helpers.js';
import { speechPcm } from '../../test/support/speech.js';

const QUESTION = 'What is the weather like in Oslo today?';

export async function measurePipelineSessions(options: { max: number; windowMs: number; log: (line: string) => void }): Promise<{ sessions: number; underrunAt: number | undefined }> {
  const stream = await startStreamFakes();
  const deepgram = await FakeDeepgram.start();
  const gemini = new FakeGemini();
  const geminiUrl = await gemini.start();
  gemini.script({ text: 'It is sunny and mild in Oslo today, with a light breeze from the west.', chunks: 4 });
  const elevenlabs = await FakeElevenLabs.start({ msPerChar: 40 });
  const speech = await speechPcm(QUESTION, { sampleRate: 48_000 });
  const speechMs = (speech.length / 48_000) * 1000;
  const vad = new SileroVAD();
  const agents: Agent[] = [];
  let running = true;
  const talking: Promise<void>[] = [];
  let underrunAt: number | undefined;
  try {
    for (let n = 1; n <= options.max; n++) {
      const socketsBefore = deepgram.connections.length;
      const agent = new Agent({
        edge: stream.edge(),
        llm: new PipelineModel({
          stt: new DeepgramSTT({ apiKey: deepgram.apiKey, baseUrl: deepgram.baseUrl }),
          llm: new GeminiLLM({ apiKey: 'key', baseUrl: geminiUrl }),
          tts: new ElevenLabsTTS({ apiKey: elevenlabs.apiKey, baseUrl: elevenlabs.baseUrl }),
          vad,
        }),
        agentUser: { id: `agent-${n}` },
        instructions: 'Be brief.',
      });
      agents.push(agent);
      const callId = `sessions-${n}`;
      const person = stream.video.call(callId).addParticipant({ userId: `person-${n}` });
      await agent.join(await agent.createCall('default', callId));
      const socket = await waitForSocket(deepgram, socketsBefore);
      talking.push(
        (async () => {
          while (running) {
            const startMs = socket.audioMs + 300;
            socket.hear({ text: QUESTION, startMs: startMs + 150, endMs: startMs + speechMs });
            while (running && socket.audioMs < startMs) await sleep(20);
            if (!running) return;
            await person.playPcm(speech, 48_000);
            await sleep(4_000); // the answer, and a pause
          }
        })(),
      );
      await sleep(options.windowMs);
      const underruns = agents.reduce((sum, each) => sum + each.stats().audioUnderruns, 0);
      const turns = agents.reduce((sum, each) => sum + each.stats().turns, 0);
      options.log(`  ${n} pipeline agents: ${turns} answers so far, ${underruns} underruns`);
      if (underruns > 0) {
        underrunAt = n;
        break;
      }
    }
  } finally {
    running = false;
    await Promise.allSettled(talking);
    await Promise.allSettled(agents.map((agent) => agent.close()));
    await vad.close();
    await Promise.allSettled([deepgram.close(), gemini.close(), elevenlabs.close(), stream.close()]);
  }
  return { sessions: underrunAt === undefined ? agents.length : underrunAt - 1, underrunAt };
}

async function waitForSocket(deepgram: FakeDeepgram, index: number): Promise<FakeDeepgramConnection> {
  for (;;) {
    const socket = deepgram.connections[index];
    if (socket) return socket;
    await sleep(20);
  }
}
