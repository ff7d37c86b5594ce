/**
 * bench:turns — the agent's turn-taking on speech, in pipeline mode and in realtime mode under
 * the agent's own detection (with an STT for the words of speech over the agent, and without:
 * `realtime-duration`), end to end through the real stack against the local fakes
 * (bench/support/turns-rigs.ts), on the espeak-ng corpus of bench/support/turns-corpus.ts.
 * Prints progress lines, then one JSON line (last).
 *
 * Barge-in, one trial per corpus clip: the agent speaks a long answer; once its voice is on its
 * published track (as the SFU receives it), a person plays the clip over it after an offset
 * (cycling through `OFFSETS_MS`).
 * - `pause_reaction_ms`: from the clip's onset at the person (the clips are trimmed to the
 *   sound) to the agent's voice pausing on its published track: the agent's hold
 *   (`agent.speech.paused`) plus `FRAME_MS`, the pacer's next frame being the first silent one.
 *   It includes the way in (the person's WebRTC track, the SFU, the agent's receiver: 60–100 ms
 *   here). `pause_at_sfu_ms` is when the SFU received the first silent frame (the way out too,
 *   and the fake SFU's own jitter buffer).
 * - outcome: `interrupted` (the agent's turn ended interrupted within `DECISION_WINDOW_MS` of the
 *   clip's end) or played on (its voice came back and the turn was not cut). An interrupted
 *   backchannel or noise is a `false_interruption`; an interruption not cut in time is a
 *   `missed_interruption`.
 * - `resume_gap_ms`, clips that played on: from the pause to the first voiced frame after it.
 * The answer lasts the offset, the clip and `ANSWER_TAIL_MS` more (not a fixed 10 s): what is
 * measured is over by then, and the trial ends with the answer.
 *
 * Addressing, on the two-person cross-talk script with `addressing: 'when-addressed'` (the
 * agent is 'Nova'): a line is predicted addressed when the agent starts answering within
 * `ANSWER_WINDOW_MS` of the end of that turn; precision and recall against `addressesAgent`.
 *
 * Top-level figures are the worst of the modes measured (the larger count or p50, the smaller
 * precision or recall); `modes` has each mode's own. Addressing does not depend on the STT:
 * `realtime-duration` skips it.
 *
 *   npm run bench:turns             (BENCH_CLIPS=N: only the first N clips, spread over the kinds;
 *                                    BENCH_MODES=realtime,pipeline: only those modes;
 *                                    BENCH_PARALLEL=1: the modes side by side, not one after the
 *                                    other, quicker but with timings of a loaded machine)
 */
import './support/quiet-logs.js';
import { setTimeout as sleep } from 'node:timers/promises';
import { firstFrameAfter, isVoiced, lastVoicedAtMs, rmsHistogram, voiceStarted, VOICED_RMS } from './support/agent-voice.js';
import { percentile, round } from './support/stats.js';
import { CROSS_TALK_AGENT_NAME, loadTurnsCorpus, type CorpusClip, type CrossTalkLine } from './support/turns-corpus.js';
import { startTurnsRig, type TurnsMode, type TurnsRig } from './support/turns-rigs.js';
import type { Agent } from '../src/agent/index.js';

const OFFSETS_MS = [400, 900, 1500, 2200];
/** After the clip ends, how long a cut may take and still count as the interruption's. */
const DECISION_WINDOW_MS = 3_000;
/** The answer goes on this long after the clip: room for the decision window and a resume. */
const ANSWER_TAIL_MS = 4_500;
/** After the end of a person's turn, how soon an answer must start to count as one. */
const ANSWER_WINDOW_MS = 3_000;
/** The agent is idle once its voice has been silent this long and no turn of it is open. */
const IDLE_SILENCE_MS = 1_000;
const CLIP_LIMIT = process.env.BENCH_CLIPS ? Number(process.env.BENCH_CLIPS) : undefined;
const SEQUENTIAL = process.env.BENCH_PARALLEL !== '1';
/** The pacer's frame: a hold takes effect at its next tick. */
const FRAME_MS = 10;

interface Trial {
  clip: string;
  kind: CorpusClip['kind'];
  offsetMs: number;
  clipMs: number;
  pauseReactionMs: number | undefined;
  pauseAtSfuMs: number | undefined;
  resumeGapMs: number | undefined;
  outcome: 'interrupted' | 'played_on' | 'late_interruption' | 'not_paused';
}

interface LineResult {
  index: number;
  speaker: string;
  text: string;
  addressesAgent: boolean;
  answered: boolean;
}

/** The agent's turns: which are open, and when each ended (and how). */
class TurnWatch {
  readonly started: { turnId: string; atMs: number }[] = [];
  readonly ended = new Map<string, { atMs: number; interrupted: boolean }>();
  readonly pausedAtMs: number[] = [];
  /** User turns started and not yet final. */
  readonly userTurnsOpen = new Set<string>();
  readonly #off: Array<() => void>;

  constructor(agent: Agent) {
    this.#off = [
      agent.on('user.turn.started', ({ turnId }) => void this.userTurnsOpen.add(turnId)),
      agent.on('transcript', ({ role, final, turnId }) => void (role === 'user' && final && this.userTurnsOpen.delete(turnId))),
      agent.on('agent.speech.paused', () => void this.pausedAtMs.push(performance.now())),
      agent.on('agent.turn.started', ({ turnId }) => void this.started.push({ turnId, atMs: performance.now() })),
      agent.on('agent.turn.ended', ({ turnId, interrupted }) => void this.ended.set(turnId, { atMs: performance.now(), interrupted })),
    ];
  }

  get open(): number {
    return this.started.filter(({ turnId }) => !this.ended.has(turnId)).length;
  }

  close(): void {
    for (const off of this.#off) off();
  }
}

async function until(condition: () => boolean, what: string, timeoutMs: number): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!condition()) {
    if (performance.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(10);
  }
}

/** Waits until the agent is silent for IDLE_SILENCE_MS with no turn open. */
async function untilIdle(rig: TurnsRig, turns: TurnWatch, timeoutMs = 30_000): Promise<void> {
  await until(
    () => {
      const last = lastVoicedAtMs(rig.recording) ?? 0;
      return turns.open === 0 && turns.userTurnsOpen.size === 0 && performance.now() - last >= IDLE_SILENCE_MS;
    },
    `${rig.mode}: the agent to be idle`,
    timeoutMs,
  );
}

async function bargeInTrials(mode: TurnsMode, clips: CorpusClip[], log: (line: string) => void): Promise<{ trials: Trial[]; histogram: Record<string, number> }> {
  const rig = await startTurnsRig(mode, `turns-barge-${mode}`, [{ userId: 'ida', name: 'Ida' }]);
  const person = rig.people.get('ida')!;
  const turns = new TurnWatch(rig.agent);
  const trials: Trial[] = [];
  const firstMeasuredAt = performance.now();
  try {
    for (const [index, clip] of clips.entries()) {
      const offsetMs = OFFSETS_MS[index % OFFSETS_MS.length]!;
      const startedBefore = turns.started.length;
      const askedAt = performance.now();
      rig.speakLong(offsetMs + clip.durationMs + ANSWER_TAIL_MS);
      await until(() => turns.started.length > startedBefore, `${mode}: the long answer to start`, 20_000);
      const turnId = turns.started[startedBefore]!.turnId;
      const voice = await voiceStarted(rig.recording, askedAt, 20_000);
      await sleep(Math.max(0, voice.receivedAtMs + offsetMs - performance.now()));
      const { onsetAt, endAt } = await rig.play(person, clip.pcm, clip.text);
      await until(() => turns.ended.has(turnId), `${mode}: the long answer to end`, 60_000);
      const ended = turns.ended.get(turnId)!;

      const pause = firstFrameAfter(rig.recording, onsetAt, (frame) => !isVoiced(frame));
      const held = turns.pausedAtMs.find((atMs) => atMs >= onsetAt);
      const resumed = pause && firstFrameAfter(rig.recording, pause.receivedAtMs, isVoiced);
      let outcome: Trial['outcome'];
      if (ended.interrupted) outcome = ended.atMs - endAt <= DECISION_WINDOW_MS ? 'interrupted' : 'late_interruption';
      else outcome = resumed && resumed.receivedAtMs < ended.atMs ? 'played_on' : 'not_paused';
      const paused = outcome === 'interrupted' || outcome === 'late_interruption' || outcome === 'played_on';
      const trial: Trial = {
        clip: clip.id,
        kind: clip.kind,
        offsetMs,
        clipMs: clip.durationMs,
        pauseReactionMs: paused && held !== undefined ? held + FRAME_MS - onsetAt : undefined,
        pauseAtSfuMs: paused && pause ? pause.receivedAtMs - onsetAt : undefined,
        resumeGapMs: outcome === 'played_on' && pause && resumed ? resumed.receivedAtMs - pause.receivedAtMs : undefined,
        outcome,
      };
      trials.push(trial);
      log(
        `  ${mode} ${index + 1}/${clips.length} ${clip.id} (${clip.durationMs} ms) at +${offsetMs} ms: ${outcome}` +
          `${trial.pauseReactionMs === undefined ? '' : `, paused after ${Math.round(trial.pauseReactionMs)} ms`}` +
          `${trial.resumeGapMs === undefined ? '' : `, resumed after ${Math.round(trial.resumeGapMs)} ms`}`,
      );
      // An interruption is answered (briefly): that answer starts and ends before the next trial.
      if (ended.interrupted) {
        const answerStarted = () => turns.started.length > startedBefore + 1;
        await until(answerStarted, 'the answer to the interruption', 8_000).catch(() => log(`  ${mode}: no answer to ${clip.id}`));
      }
      await untilIdle(rig, turns);
      rig.forgetUnheard();
    }
    return { trials, histogram: rmsHistogram(rig.recording, firstMeasuredAt) };
  } finally {
    turns.close();
    await rig.close();
  }
}

async function addressingRun(mode: TurnsMode, lines: CrossTalkLine[], log: (line: string) => void): Promise<LineResult[]> {
  const rig = await startTurnsRig(mode, `turns-addressing-${mode}`, [{ userId: 'alice', name: 'Alice' }, { userId: 'bob', name: 'Bob' }], {
    addressing: 'when-addressed',
    addressingNames: [CROSS_TALK_AGENT_NAME],
  });
  const turns = new TurnWatch(rig.agent);
  let userTurnEndedAt: number | undefined;
  const offs = [
    rig.agent.on('user.turn.ended', () => void (userTurnEndedAt ??= performance.now())),
    // A turn not meant for the agent ends with its final transcript, without user.turn.ended in realtime mode.
    rig.agent.on('transcript', ({ role, final }) => void (role === 'user' && final ? (userTurnEndedAt ??= performance.now()) : undefined)),
  ];
  const results: LineResult[] = [];
  try {
    for (const [index, line] of lines.entries()) {
      const startedBefore = turns.started.length;
      userTurnEndedAt = undefined;
      const { endAt } = await rig.play(rig.people.get(line.speaker)!, line.pcm, line.text);
      const answered = () => turns.started.length > startedBefore;
      // Until the answer starts, or the window after the end of the turn (or of the speech and the longest end-of-turn wait) closes.
      await until(
        () => answered() || performance.now() > (userTurnEndedAt ?? endAt + rig.maxEndpointingDelayMs) + ANSWER_WINDOW_MS,
        'an answer or the end of the window',
        30_000,
      );
      const result = { index, speaker: line.speaker, text: line.text, addressesAgent: line.addressesAgent, answered: answered() };
      results.push(result);
      const verdict = result.answered === result.addressesAgent ? 'ok' : result.answered ? 'answered, not addressed' : 'addressed, not answered';
      log(`  ${mode} line ${index + 1}/${lines.length} (${line.speaker}) ${result.answered ? 'answered' : 'not answered'} — ${verdict}: ${line.text}`);
      if (result.answered) await untilIdle(rig, turns);
      rig.forgetUnheard();
      await sleep(300); // a beat between speakers
    }
    return results;
  } finally {
    for (const off of offs) off();
    turns.close();
    await rig.close();
  }
}

function pickClips(clips: CorpusClip[], limit: number | undefined): CorpusClip[] {
  if (limit === undefined || limit >= clips.length) return clips;
  // Round-robin over the kinds, so a quick run still has each.
  const byKind = ['backchannel', 'noise', 'interruption'].map((kind) => clips.filter((clip) => clip.kind === kind));
  const picked: CorpusClip[] = [];
  for (let i = 0; picked.length < limit; i++) {
    for (const group of byKind) if (group[i] && picked.length < limit) picked.push(group[i]!);
  }
  return picked;
}

const p = (values: number[], fraction: number) => (values.length === 0 ? null : round(percentile(values, fraction), 1));

function summarise(trials: Trial[], lines: LineResult[]) {
  const misreads = trials.filter((trial) => (trial.kind === 'interruption') !== (trial.outcome === 'interrupted'));
  const pauses = trials.flatMap((trial) => (trial.pauseReactionMs === undefined ? [] : [trial.pauseReactionMs]));
  const pausesAtSfu = trials.flatMap((trial) => (trial.pauseAtSfuMs === undefined ? [] : [trial.pauseAtSfuMs]));
  const resumes = trials.flatMap((trial) => (trial.resumeGapMs === undefined ? [] : [trial.resumeGapMs]));
  const tp = lines.filter((line) => line.answered && line.addressesAgent).length;
  const fp = lines.filter((line) => line.answered && !line.addressesAgent).length;
  const fn = lines.filter((line) => !line.answered && line.addressesAgent).length;
  const perKind = Object.fromEntries(
    ['backchannel', 'noise', 'interruption'].map((kind) => {
      const ofKind = trials.filter((trial) => trial.kind === kind);
      const count = (outcome: Trial['outcome']) => ofKind.filter((trial) => trial.outcome === outcome).length;
      return [kind, { trials: ofKind.length, interrupted: count('interrupted'), played_on: count('played_on'), late_interruption: count('late_interruption'), not_paused: count('not_paused') }];
    }),
  );
  return {
    false_interruptions: misreads.filter((trial) => trial.kind !== 'interruption').length,
    missed_interruptions: misreads.filter((trial) => trial.kind === 'interruption').length,
    pause_reaction_p50_ms: p(pauses, 0.5),
    pause_reaction_p90_ms: p(pauses, 0.9),
    pause_at_sfu_p50_ms: p(pausesAtSfu, 0.5),
    resume_gap_p50_ms: p(resumes, 0.5),
    resume_gap_p90_ms: p(resumes, 0.9),
    addressed_precision: tp + fp === 0 ? null : round(tp / (tp + fp), 3),
    addressed_recall: tp + fn === 0 ? null : round(tp / (tp + fn), 3),
    trials: trials.length,
    paused_trials: pauses.length,
    per_kind: perKind,
    addressing: { lines: lines.length, true_positives: tp, false_positives: fp, false_negatives: fn },
    misclassified: misreads.map((trial) => ({ clip: trial.clip, kind: trial.kind, offset_ms: trial.offsetMs, clip_ms: trial.clipMs, outcome: trial.outcome })),
    misaddressed: lines
      .filter((line) => line.answered !== line.addressesAgent)
      .map((line) => ({ line: line.index + 1, speaker: line.speaker, text: line.text, addresses_agent: line.addressesAgent, answered: line.answered })),
  };
}

async function runMode(mode: TurnsMode, clips: CorpusClip[], lines: CrossTalkLine[]) {
  const log = (line: string) => console.log(line);
  const startedAt = performance.now();
  log(`${mode}: ${clips.length} barge-in trials …`);
  const { trials, histogram } = await bargeInTrials(mode, clips, log);
  log(`${mode}: addressing, ${lines.length} lines …`);
  const addressed = mode === 'realtime-duration' ? [] : await addressingRun(mode, lines, log);
  return { summary: summarise(trials, addressed), histogram, trials, seconds: round((performance.now() - startedAt) / 1000, 1) };
}

const benchStartedAt = performance.now();
const corpus = await loadTurnsCorpus();
const clips = pickClips(corpus.clips, CLIP_LIMIT);
console.log(`turns: ${clips.length} clips (of ${corpus.clips.length}), ${corpus.crossTalk.length} cross-talk lines; modes ${SEQUENTIAL ? 'one after the other' : 'side by side'}`);
const ALL_MODES: TurnsMode[] = ['pipeline', 'realtime', 'realtime-duration'];
const modes = process.env.BENCH_MODES ? (process.env.BENCH_MODES.split(',') as TurnsMode[]) : ALL_MODES;
const results = SEQUENTIAL
  ? await modes.reduce<Promise<Awaited<ReturnType<typeof runMode>>[]>>(async (done, mode) => [...(await done), await runMode(mode, clips, corpus.crossTalk)], Promise.resolve([]))
  : await Promise.all(modes.map((mode) => runMode(mode, clips, corpus.crossTalk)));
type ModeResult = Awaited<ReturnType<typeof runMode>>;
const measured: [TurnsMode, ModeResult][] = modes.map((mode, index) => [mode, results[index]!]);
const perMode = <T>(pick: (result: ModeResult) => T) => Object.fromEntries(measured.map(([mode, result]) => [mode, pick(result)]));

const worst = (key: 'pause_reaction_p50_ms' | 'resume_gap_p50_ms' | 'false_interruptions' | 'missed_interruptions') => {
  const values = measured.map(([, result]) => result.summary[key]).filter((value): value is number => value !== null);
  return values.length === 0 ? null : Math.max(...values);
};
const lowest = (key: 'addressed_precision' | 'addressed_recall') => {
  const values = measured.map(([, result]) => result.summary[key]).filter((value): value is number => value !== null);
  return values.length === 0 ? null : Math.min(...values);
};
const modeFigures = (result: ModeResult) => {
  const { misclassified: _misclassified, misaddressed: _misaddressed, ...figures } = result.summary;
  return { ...figures, seconds: result.seconds };
};

console.log(
  JSON.stringify({
    bench: 'turns',
    false_interruptions: worst('false_interruptions'),
    missed_interruptions: worst('missed_interruptions'),
    pause_reaction_p50_ms: worst('pause_reaction_p50_ms'),
    resume_gap_p50_ms: worst('resume_gap_p50_ms'),
    addressed_precision: lowest('addressed_precision'),
    addressed_recall: lowest('addressed_recall'),
    modes: perMode(modeFigures),
    details: {
      clips: clips.length,
      corpus_clips: corpus.clips.length,
      clip_kinds: Object.fromEntries(['backchannel', 'noise', 'interruption'].map((kind) => [kind, clips.filter((clip) => clip.kind === kind).length])),
      offsets_ms: OFFSETS_MS,
      decision_window_ms: DECISION_WINDOW_MS,
      answer_window_ms: ANSWER_WINDOW_MS,
      voiced_rms_threshold: VOICED_RMS,
      agent_frame_rms_histogram: perMode((result) => result.histogram),
      misclassified: perMode((result) => result.summary.misclassified),
      misaddressed: perMode((result) => result.summary.misaddressed),
      modes_side_by_side: !SEQUENTIAL,
      seconds: round((performance.now() - benchStartedAt) / 1000, 1),
    },
  }),
);
process.exit(0);
