/**
 * bench:audio — the edge's audio path, measured. Prints a few progress lines, then one JSON
 * line (last) with:
 *
 * - `added_latency_p50_ms` (goal < 1): what our code adds on top of wrtc, both ways.
 *   Receive: from a frame leaving wrtc's RTCAudioSink to the `audio` event listener, measured
 *   against a bare RTCAudioSink on the same track (same frames, matched by a marker sample).
 *   Send: the `write()` call itself plus how late the pacer hands each frame to wrtc against
 *   its own 10 ms schedule; the queue a caller builds on purpose (the pacer's deliberate buffer)
 *   is not latency we add and is not counted. Baseline for the send side: a naive
 *   `setInterval(10)` feeder, whose lateness grows as it drifts.
 * - `resample_cpu_pct` (goal < 0.5): % of one core to resample one 48 kHz stream to 16 kHz in
 *   real time (10 ms chunks, best of 5), against libsamplerate SINC_FASTEST in the same run.
 * - `sessions_per_core`: calls joined by one process, each receiving a participant's audio
 *   (resampled to 16 kHz and base64-encoded, as for Gemini) and publishing audio written in
 *   real time, added one by one until the first underrun (a gap in published audio) in a
 *   steady 2 s window (or until received audio falls behind in over a tenth of the sessions:
 *   the machine is full); divided by the CPU the process used at that point (in cores).
 *   `sessions_sustained` is the raw count. The fake Stream Video runs in a child process (the
 *   SFU is remote in production) on the same cores, doing as much WebRTC work as the agents;
 *   its CPU is in `details.sessions_fake_cpu_cores`. On a small shared machine treat the
 *   figure as a lower bound.
 *
 *   npm run bench:audio          (BENCH_MAX_SESSIONS, default 40, caps the session ramp)
 */
import './support/quiet-logs.js';
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { nextMessage, percentile, round } from './support/stats.js';

// Quiet logs: the last line must be the JSON. Set before the project's modules load.

const SELF = fileURLToPath(import.meta.url);
const API_KEY = 'bench-key';
const API_SECRET = 'bench-secret';

if (process.argv.includes('--fake-server')) await serveFake();
else await main();

async function main(): Promise<void> {
  const receive = await measureReceiveLatency();
  log(`receive: added p50 ${receive.addedP50Ms.toFixed(3)} ms (bare sink → listener)`);
  const send = await measureSendLatency();
  log(`send: write() p50 ${send.writeP50Ms.toFixed(3)} ms, pacer lateness p50 ${send.latenessP50Ms.toFixed(3)} ms (naive ${send.naiveLatenessP50Ms.toFixed(3)} ms)`);
  const resample = await measureResampleCpu();
  log(`resample 48k→16k: ${resample.oursPct.toFixed(3)} % of a core (libsamplerate ${resample.baselinePct.toFixed(3)} %)`);
  const sessions = await measureSessions();
  log(`sessions: ${sessions.sustained} sustained on ${sessions.cores.toFixed(2)} cores (${sessions.stoppedBecause})`);

  const addedLatencyP50Ms = receive.addedP50Ms + send.writeP50Ms + send.latenessP50Ms;
  console.log(
    JSON.stringify({
      bench: 'audio',
      added_latency_p50_ms: round3(addedLatencyP50Ms),
      resample_cpu_pct: round3(resample.oursPct),
      sessions_per_core: round3(sessions.sustained / Math.max(sessions.cores, 0.01), 1),
      sessions_sustained: sessions.sustained,
      session_cpu_cores: round3(sessions.cores, 2),
      details: {
        receive_added_p50_ms: round3(receive.addedP50Ms),
        receive_added_p99_ms: round3(receive.addedP99Ms),
        send_write_p50_ms: round3(send.writeP50Ms),
        send_lateness_p50_ms: round3(send.latenessP50Ms),
        send_lateness_p99_ms: round3(send.latenessP99Ms),
        sessions_stopped_because: sessions.stoppedBecause,
        sessions_fake_cpu_cores: round3(sessions.fakeCores, 2),
        sessions_short_of_received_audio: sessions.shortSessions,
      },
      baselines: {
        send_lateness_naive_interval_p50_ms: round3(send.naiveLatenessP50Ms),
        resample_libsamplerate_sinc_fastest_pct: round3(resample.baselinePct),
      },
      ratios: {
        send_lateness_vs_naive_interval: round3(send.latenessP50Ms / Math.max(send.naiveLatenessP50Ms, 1e-6)),
        resample_cpu_vs_libsamplerate: round3(resample.oursPct / resample.baselinePct),
      },
      goals: { added_latency_p50_ms: 1, resample_cpu_pct: 0.5 },
    }),
  );
  process.exit(0);
}

// ---------------------------------------------------------------------------------------------
// Receive: RTCAudioSink → `audio` listener

async function measureReceiveLatency(): Promise<{ addedP50Ms: number; addedP99Ms: number }> {
  const { RemoteAudio } = await import('../src/edge/stream/remote-audio.js');
  const { RTCAudioSink, RTCAudioSource } = await (await import('../src/edge/stream/webrtc-runtime.js')).loadWebRtc();
  const STREAMS = 8;
  const FRAMES = 300;
  const added: number[] = [];
  const sources = Array.from({ length: STREAMS }, () => new RTCAudioSource());
  const tracks = sources.map((source) => source.createTrack());
  // Same track, same frames: the bare sink's callback time is the reference.
  const bareAt = new Map<number, number>();
  const bareSinks = tracks.map((track) => {
    const sink = new RTCAudioSink(track);
    sink.ondata = (data: { samples: Int16Array }) => bareAt.set(marker(data.samples), performance.now());
    return sink;
  });
  const remote = new RemoteAudio({
    wanted: () => true,
    deliver: (_participant, frame) => {
      const reference = bareAt.get(marker(frame.samples));
      if (reference !== undefined) added.push(performance.now() - reference);
    },
  });
  tracks.forEach((track, index) => remote.subscribe({ userId: `user-${index}`, sessionId: `session-${index}` }, track));

  // Feed every stream in real time with numbered frames (the marker is in samples 0 and 1).
  let frame = 0;
  await new Promise<void>((resolve) => {
    const timer = setInterval(() => {
      for (const [index, source] of sources.entries()) {
        const samples = new Int16Array(480);
        const id = frame * STREAMS + index + 1;
        samples[0] = id & 0x7fff;
        samples[1] = id >> 15;
        source.onData({ samples, sampleRate: 48_000 });
      }
      if (++frame >= FRAMES) {
        clearInterval(timer);
        setTimeout(resolve, 100);
      }
    }, 10);
  });
  remote.close();
  for (const sink of bareSinks) sink.stop();
  for (const track of tracks) track.stop();
  // The very first frames include the JIT warming up; the steady state is what a call sees.
  const steady = added.slice(Math.floor(added.length / 10));
  return { addedP50Ms: Math.max(0, percentile(steady, 0.5)), addedP99Ms: Math.max(0, percentile(steady, 0.99)) };
}

function marker(samples: Int16Array): number {
  return (samples[0] as number) + (samples[1] as number) * 0x8000;
}

// ---------------------------------------------------------------------------------------------
// Send: write() → RTCAudioSource.onData

async function measureSendLatency(): Promise<{
  writeP50Ms: number;
  latenessP50Ms: number;
  latenessP99Ms: number;
  naiveLatenessP50Ms: number;
}> {
  const { AudioPacer } = await import('../src/audio/index.js');
  const { RTCAudioSource } = await (await import('../src/edge/stream/webrtc-runtime.js')).loadWebRtc();
  const SECONDS = 3;
  const chunk = toneChunk(24_000, 40);

  // Ours: PublishedAudio is an AudioPacer whose frames go straight into RTCAudioSource.onData
  // (wrtc's onData cannot be wrapped, so the same two pieces are wired here with a clock read
  // in between). Stream 40 ms chunks 80 ms ahead, as a model would; time every frame into wrtc.
  const source = new RTCAudioSource();
  const deliveries: number[] = [];
  const pacer = new AudioPacer({
    onFrame: (samples, sampleRate) => {
      deliveries.push(performance.now());
      source.onData({ samples, sampleRate });
    },
  });
  pacer.start();
  const writes: number[] = [];
  await realTimeWriter(SECONDS * 1000, 40, 80, () => {
    const started = performance.now();
    pacer.write(chunk, 24_000);
    writes.push(performance.now() - started);
  }).done;
  pacer.close();
  const lateness = latenessAgainstGrid(deliveries.slice(10));

  // Baseline: a naive feeder, one frame per setInterval(10) tick.
  const naiveSource = new RTCAudioSource();
  const naive: number[] = [];
  await new Promise<void>((resolve) => {
    const frame = new Int16Array(480);
    const timer = setInterval(() => {
      naive.push(performance.now());
      naiveSource.onData({ samples: frame, sampleRate: 48_000 });
      if (naive.length >= SECONDS * 100) {
        clearInterval(timer);
        resolve();
      }
    }, 10);
  });
  const naiveLateness = latenessAgainstGrid(naive.slice(10));

  return {
    writeP50Ms: percentile(writes, 0.5),
    latenessP50Ms: percentile(lateness, 0.5),
    latenessP99Ms: percentile(lateness, 0.99),
    naiveLatenessP50Ms: percentile(naiveLateness, 0.5),
  };
}

/**
 * How late each of a run of 10 ms deliveries was against an ideal 10 ms grid, anchored at the
 * earliest delivery relative to it (so lateness ≥ 0, and a drifting feeder shows growing lateness).
 */
function latenessAgainstGrid(times: number[]): number[] {
  const anchor = Math.min(...times.map((time, index) => time - index * 10));
  return times.map((time, index) => time - index * 10 - anchor);
}

/**
 * Calls `write` (each call writes `chunkMs` of audio) so that the audio written stays `leadMs`
 * ahead of real time, from elapsed time rather than tick counts, so it never drifts. Runs for
 * `durationMs` or until `stop()`.
 */
function realTimeWriter(durationMs: number, chunkMs: number, leadMs: number, write: () => void): { done: Promise<void>; stop(): void } {
  let stop = () => {};
  const done = new Promise<void>((resolve) => {
    const started = performance.now();
    let writtenMs = 0;
    const tick = () => {
      const elapsed = performance.now() - started;
      while (writtenMs < Math.min(elapsed + leadMs, durationMs)) {
        write();
        writtenMs += chunkMs;
      }
      if (elapsed >= durationMs) stop();
    };
    const timer = setInterval(tick, chunkMs / 2);
    stop = () => {
      clearInterval(timer);
      resolve();
    };
    tick();
  });
  return { done, stop };
}

function toneChunk(sampleRate: number, durationMs: number): Int16Array {
  const samples = new Int16Array((sampleRate * durationMs) / 1000);
  // A whole number of periods (250 Hz over 40 ms), so chunks join without clicks.
  for (let i = 0; i < samples.length; i++) samples[i] = Math.round(6000 * Math.sin((2 * Math.PI * 250 * i) / sampleRate));
  return samples;
}

// ---------------------------------------------------------------------------------------------
// Resampling CPU

async function measureResampleCpu(): Promise<{ oursPct: number; baselinePct: number }> {
  const { createResampler } = await import('../src/audio/index.js');
  // A UMD package: its names arrive on the default export or the namespace, depending on the loader.
  const libsamplerateModule = await import('@alexanderolsen/libsamplerate-js');
  const LibSampleRate = (libsamplerateModule.default ?? libsamplerateModule) as typeof libsamplerateModule.default;
  const AUDIO_SECONDS = 20;
  const input = new Int16Array(48_000 * AUDIO_SECONDS);
  for (let i = 0; i < input.length; i++) input[i] = Math.round(8000 * Math.sin((2 * Math.PI * 440 * i) / 48_000));

  const cpuPercent = async (make: () => Promise<{ convert: (chunk: Int16Array) => unknown; close: () => void }>) => {
    let best = Infinity;
    for (let round = 0; round < 5; round++) {
      const { convert, close } = await make();
      const started = process.cpuUsage();
      for (let offset = 0; offset < input.length; offset += 480) convert(input.subarray(offset, offset + 480));
      const used = process.cpuUsage(started);
      close();
      // CPU ms per second of audio, as % of one core.
      best = Math.min(best, (used.user + used.system) / 1000 / AUDIO_SECONDS / 10);
    }
    return best;
  };

  const oursPct = await cpuPercent(async () => {
    const resampler = createResampler(48_000, 16_000);
    return { convert: (chunk) => resampler.process(chunk), close: () => resampler.close() };
  });
  const baselinePct = await cpuPercent(async () => {
    const src = await LibSampleRate.create(1, 48_000, 16_000, { converterType: LibSampleRate.ConverterType.SRC_SINC_FASTEST });
    const floats = new Float32Array(480);
    const out = new Float32Array(200);
    const frames = { frames: 0 };
    return {
      convert: (chunk) => {
        for (let i = 0; i < chunk.length; i++) floats[i] = (chunk[i] as number) / 32768;
        src.full(floats, out, frames);
        const result = new Int16Array(frames.frames);
        for (let i = 0; i < frames.frames; i++) result[i] = Math.round((out[i] as number) * 32767);
        return result;
      },
      close: () => src.destroy(),
    };
  });
  return { oursPct, baselinePct };
}

// ---------------------------------------------------------------------------------------------
// Sessions per core

interface FakeUrls {
  baseUrl: string;
  videoBaseUrl: string;
  locationHintUrl: string;
}

async function measureSessions(): Promise<{
  sustained: number;
  cores: number;
  fakeCores: number;
  shortSessions: number;
  stoppedBecause: string;
}> {
  const { StreamEdge } = await import('../src/edge/stream/index.js');
  const { createResampler, int16ToBase64 } = await import('../src/audio/index.js');
  const maxSessions = Number(process.env.BENCH_MAX_SESSIONS ?? 40);
  const WINDOW_MS = 2000;
  const SETTLE_MS = 700;

  const child = fork(SELF, ['--fake-server'], { stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
  const urls = await nextMessage<FakeUrls>(child, 'ready');
  const edge = new StreamEdge({ apiKey: API_KEY, apiSecret: API_SECRET, openBrowser: false, ...urls });
  await edge.authenticate({ id: 'bench-agent', name: 'Bench Agent' });

  const chunk = toneChunk(24_000, 40);
  const sessions: Array<{ stats: () => { underruns: number }; received: () => number; stop: () => void }> = [];
  let sustained = 0;
  let cores = 0;
  let fakeCores = 0;
  let shortSessions = 0;
  let stoppedBecause = `reached BENCH_MAX_SESSIONS (${maxSessions})`;
  try {
    for (let n = 1; n <= maxSessions; n++) {
      const callId = `bench-${n}`;
      child.send({ type: 'talk', callId });
      await nextMessage(child, 'talking');
      const connection = await edge.join(await edge.createCall('default', callId));
      const resampler = createResampler(48_000, 16_000);
      let received = 0;
      connection.events.on('audio', ({ frame }) => {
        received++;
        int16ToBase64(resampler.process(frame.samples)); // what a realtime model session does with it
      });
      const output = await connection.publishAudio();
      const writer = realTimeWriter(60 * 60 * 1000, 40, 80, () => output.write(chunk, 24_000));
      sessions.push({
        stats: () => output.stats,
        received: () => received,
        stop: () => {
          writer.stop();
          resampler.close();
        },
      });

      await sleep(SETTLE_MS); // the join itself is a burst of work; measure the steady state
      const underrunsBefore = sessions.map((session) => session.stats().underruns);
      const receivedBefore = sessions.map((session) => session.received());
      const cpuBefore = process.cpuUsage();
      const fakeCpuBefore = await fakeCpuMs(child);
      const wallBefore = performance.now();
      await sleep(WINDOW_MS);
      const cpu = process.cpuUsage(cpuBefore);
      const wallMs = performance.now() - wallBefore;
      const windowCores = (cpu.user + cpu.system) / 1000 / wallMs;
      const windowFakeCores = ((await fakeCpuMs(child)) - fakeCpuBefore) / wallMs;
      const underruns = sessions.reduce((total, session, index) => total + session.stats().underruns - (underrunsBefore[index] ?? 0), 0);
      // A session short of received audio points at the fake or the machine as much as at this
      // process, so one is tolerated (and reported); more than a tenth means the machine is full.
      const short = sessions.filter((session, index) => session.received() - (receivedBefore[index] ?? 0) < (wallMs / 10) * 0.9).length;
      log(
        `  ${n} sessions: ${windowCores.toFixed(2)} cores here, ${windowFakeCores.toFixed(2)} in the fake, ` +
          `${underruns} underruns, ${short} sessions short of received audio`,
      );
      if (underruns > 0) {
        stoppedBecause = `first underrun at ${n} sessions`;
        break;
      }
      if (short > Math.max(1, n / 10)) {
        stoppedBecause = `received audio fell behind in ${short} of ${n} sessions (machine saturated)`;
        break;
      }
      sustained = n;
      cores = windowCores;
      fakeCores = windowFakeCores;
      shortSessions = short;
    }
  } finally {
    for (const session of sessions) session.stop();
    await edge.close();
    child.send({ type: 'close' });
    await new Promise((resolve) => child.once('exit', resolve));
  }
  return { sustained, cores, fakeCores, shortSessions, stoppedBecause };
}

/** The fake server's CPU time so far, in ms. */
async function fakeCpuMs(child: ChildProcess): Promise<number> {
  child.send({ type: 'cpu' });
  const { cpuMs } = await nextMessage<{ cpuMs: number }>(child, 'cpu');
  return cpuMs;
}

/** The child process: the fake Stream (REST + coordinator + SFU), a talking participant per call. */
async function serveFake(): Promise<void> {
  const { FakeStreamApi } = await import('../testing/stream-api/index.js');
  const { FakeStreamVideo } = await import('../testing/stream-video/index.js');
  const api = new FakeStreamApi({ apiKey: API_KEY, apiSecret: API_SECRET });
  const fake = await FakeStreamVideo.start({ apiKey: API_KEY, apiSecret: API_SECRET, api });
  process.on('message', (message: { type: string; callId?: string }) => {
    if (message.type === 'talk' && message.callId) {
      const human = fake.call(message.callId).addParticipant({ userId: `human-${message.callId}` });
      void human.playTone(300, 60 * 60 * 1000, 6000).catch(() => undefined);
      process.send?.({ type: 'talking', callId: message.callId });
    } else if (message.type === 'cpu') {
      const { user, system } = process.cpuUsage();
      process.send?.({ type: 'cpu', cpuMs: (user + system) / 1000 });
    } else if (message.type === 'close') {
      void fake.close().then(() => process.exit(0));
    }
  });
  process.send?.({ type: 'ready', baseUrl: fake.baseUrl, videoBaseUrl: fake.videoBaseUrl, locationHintUrl: fake.locationHintUrl });
}


// ---------------------------------------------------------------------------------------------


function round3(value: number, digits = 3): number {
  return round(value, digits);
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function log(line: string): void {
  console.log(`[bench:audio] ${line}`);
}
