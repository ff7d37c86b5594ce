/**
 * bench:pipeline — pipeline mode against the fakes, every provider real (StreamEdge, Silero VAD,
 * DeepgramSTT, GeminiLLM, ElevenLabsTTS) and a person in the call speaking espeak-ng speech.
 * Prints progress lines, then one JSON line (last) with:
 *
 * - `e2e_overhead_p50_ms` (goal < 25): from the end of the user's turn (the end-of-turn
 *   detector's decision) to the agent's first audio frame handed to the published track, minus
 *   the fakes' configured delays on that path (the LLM's first token, the TTS's first byte), with
 *   preemptive generation off so that every stage is on the path. It is the framework's own
 *   cost: the LLM stream, the sentence cut, the TTS socket, decoding, resampling, the pacer's
 *   next 10 ms slot (5 ms on average: `baseline_slot_wait_ms`).
 * - `vad_cpu_pct_per_stream` (goal < 1): Silero VAD on 48 kHz input, in % of one core per
 *   real-time stream (bench/support/vad-cpu.ts).
 * - `sessions`: pipeline agents in one process, each in its own call with a person asking a
 *   question every few seconds, added one by one until the first audio underrun (capped at
 *   BENCH_MAX_SESSIONS, default 24: `details.sessions_capped`); the fakes share the process, so
 *   it is a lower bound (bench/support/pipeline-sessions.ts).
 * - `preemptive_saving_ms`: how much sooner, from the end of the user's speech, the first audio
 *   comes with preemptive generation on than off, on the same script (p50 of each), with the
 *   pipeline's default endpointing delays (500 ms after silence when the words are complete).
 * - `details`: the p50/p90 figures behind these, and the configured delays.
 *
 *   npm run bench:pipeline          (BENCH_EXCHANGES, default 8, per mode)
 */
import './support/quiet-logs.js';
import { setTimeout as sleep } from 'node:timers/promises';
import { measurePipelineSessions } from './support/pipeline-sessions.js';
import { measureVadCpu } from './support/vad-cpu.js';
import { percentile, round } from './support/stats.js';
import { DEFAULT_MAX_ENDPOINTING_DELAY_MS, DEFAULT_MIN_ENDPOINTING_DELAY_MS } from '../src/turns/index.js';
import { startPipelineHarness } from '../test/pipeline/pipeline-harness.js';

const EXCHANGES = Number(process.env.BENCH_EXCHANGES ?? 8);
const MAX_SESSIONS = Number(process.env.BENCH_MAX_SESSIONS ?? 24);
/** After each agent is added, how long it runs (and its person talks) before underruns are counted. */
const SESSION_WINDOW_MS = 8_000;
/** The fake LLM's time to its first token, and the fake TTS's to its first byte. */
const LLM_DELAY_MS = 300;
const TTS_DELAY_MS = 100;
/** The fake STT's delay on every message (finals come this late after the speech they settle). */
const STT_DELAY_MS = 50;
const QUESTIONS = ['What is the weather like in Oslo today?', 'Can you book a table for two tonight?', 'How long does the train to Bergen take?'];

interface Exchange {
  /** End of turn decided → first audio frame on the track. */
  fromEndOfTurnMs: number;
  /** The user's speech ended → first audio frame on the track. */
  fromSpeechEndMs: number;
}

async function runExchanges(preemptiveGeneration: boolean): Promise<Exchange[]> {
  // The pipeline's own endpointing defaults (the test harness shortens them to keep tests quick).
  const harness = await startPipelineHarness({
    pipeline: { preemptiveGeneration, minEndpointingDelayMs: DEFAULT_MIN_ENDPOINTING_DELAY_MS, maxEndpointingDelayMs: DEFAULT_MAX_ENDPOINTING_DELAY_MS },
  });
  const { agent, stream, gemini, deepgram, elevenlabs } = harness;
  deepgram.script.latencyMs = STT_DELAY_MS;
  elevenlabs.options.firstByteDelayMs = TTS_DELAY_MS;
  gemini.script(async () => {
    await sleep(LLM_DELAY_MS);
    return { text: 'Sure, here is the short answer you asked for.', chunks: 3 };
  });
  const callId = `bench-${preemptiveGeneration ? 'on' : 'off'}`;
  const call = await agent.createCall('default', callId);
  const person = stream.video.call(callId).addParticipant({ userId: 'ida' });
  await agent.join(call);
  const exchanges: Exchange[] = [];
  try {
    // One exchange first that is not counted: the sockets' and the JIT's first time.
    for (let i = -1; i < EXCHANGES; i++) {
      let endOfTurnAt: number | undefined;
      const offTurn = agent.on('user.turn.ended', () => void (endOfTurnAt = performance.now()));
      const metrics = new Promise<{ endOfTurnDelayMs?: number; firstAudioAt: number }>((resolve) => {
        let stages: { endOfTurnDelayMs?: number } | undefined;
        const offMetrics = agent.on('metrics', (turn) => void (stages = turn.stages));
        const offSpeech = agent.on('agent.speech.started', ({ atMs }) => {
          offSpeech();
          // The turn's metrics come at its end; the first frame's time is what is measured.
          const waitStages = () => (stages ? (offMetrics(), resolve({ ...stages, firstAudioAt: atMs })) : setTimeout(waitStages, 20));
          waitStages();
        });
      });
      await harness.say(person, QUESTIONS[(i + QUESTIONS.length) % QUESTIONS.length]!);
      const { endOfTurnDelayMs, firstAudioAt } = await metrics;
      offTurn();
      if (endOfTurnAt === undefined || endOfTurnDelayMs === undefined) throw new Error('an exchange was not measured');
      // The speech ended the end-of-turn delay before the turn was taken as over.
      const speechEndedAt = endOfTurnAt - endOfTurnDelayMs;
      const exchange = { fromEndOfTurnMs: firstAudioAt - endOfTurnAt, fromSpeechEndMs: firstAudioAt - speechEndedAt };
      if (i >= 0) exchanges.push(exchange);
      await new Promise<void>((resolve) => {
        const off: () => void = agent.on('agent.speech.stopped', () => {
          off();
          resolve();
        });
      });
      await sleep(300);
      process.stdout.write(`  ${preemptiveGeneration ? 'preemptive' : 'plain'} exchange ${i < 0 ? 'warm-up' : `${i + 1}/${EXCHANGES}`}: ${round(exchange.fromEndOfTurnMs, 1)} ms from the end of turn\n`);
    }
  } finally {
    await harness.close();
  }
  return exchanges;
}

const p = (values: number[], fraction: number) => round(percentile(values, fraction), 1);

console.log(`pipeline mode, ${EXCHANGES} exchanges per mode; LLM first token ${LLM_DELAY_MS} ms, TTS first byte ${TTS_DELAY_MS} ms, STT ${STT_DELAY_MS} ms`);
const plain = await runExchanges(false);
const preemptive = await runExchanges(true);
console.log('VAD CPU …');
const { vad_cpu_pct_per_stream } = await measureVadCpu({ seconds: 30 });
console.log(`concurrent pipeline agents (up to ${MAX_SESSIONS}) …`);
const ramp = await measurePipelineSessions({ max: MAX_SESSIONS, windowMs: SESSION_WINDOW_MS, log: (line) => console.log(line) });

const overheads = plain.map((exchange) => exchange.fromEndOfTurnMs - LLM_DELAY_MS - TTS_DELAY_MS);
const plainFromSpeech = plain.map((exchange) => exchange.fromSpeechEndMs);
const preemptiveFromSpeech = preemptive.map((exchange) => exchange.fromSpeechEndMs);
console.log(
  JSON.stringify({
    bench: 'pipeline',
    e2e_overhead_p50_ms: p(overheads, 0.5),
    vad_cpu_pct_per_stream,
    preemptive_saving_ms: round(percentile(plainFromSpeech, 0.5) - percentile(preemptiveFromSpeech, 0.5), 1),
    sessions: ramp.sessions,
    baselines: { baseline_slot_wait_ms: 5 },
    details: {
      exchanges_per_mode: EXCHANGES,
      sessions_capped: ramp.underrunAt === undefined,
      e2e_overhead_p90_ms: p(overheads, 0.9),
      end_of_turn_to_first_audio_p50_ms: p(plain.map((exchange) => exchange.fromEndOfTurnMs), 0.5),
      speech_end_to_first_audio_p50_ms: { plain: p(plainFromSpeech, 0.5), preemptive: p(preemptiveFromSpeech, 0.5) },
      configured_delays_ms: { llm_first_token: LLM_DELAY_MS, tts_first_byte: TTS_DELAY_MS, stt: STT_DELAY_MS },
    },
  }),
);
process.exit(0);
