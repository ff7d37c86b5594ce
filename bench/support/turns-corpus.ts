/**
 * A speech corpus for measuring turn-taking: what a person says while the agent is speaking
 * (backchannels such as "mm-hmm" and noises such as a cough, which must not cut the agent,
 * and real interruptions, which must), and a two-person meeting in which only some lines are
 * meant for the agent. Everything is generated on this machine by Debian's espeak-ng and sox,
 * at 48 kHz as WebRTC delivers it, into .cache/turns-corpus/ (not committed), once per text,
 * voice and rate; `npm run corpus:turns` makes it all and prints the durations.
 */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { cachedPcm, soxRawOutput, speechPcm } from '../../test/support/speech.js';

const run = promisify(execFile);

export const CORPUS_SAMPLE_RATE = 48_000;
export const CORPUS_CACHE_DIR = fileURLToPath(new URL('../../.cache/turns-corpus/', import.meta.url));

/** The agent's name in the cross-talk script. */
export const CROSS_TALK_AGENT_NAME = 'Nova';

export interface CorpusClip {
  id: string;
  kind: 'backchannel' | 'noise' | 'interruption';
  /** What is said; '' for a noise. */
  text: string;
  /** The espeak-ng voice; 'sox' for a synthesized noise. */
  voice: string;
  /** 0 for a noise. */
  wordsPerMinute: number;
  /** Mono 16-bit PCM at 48 kHz, trimmed to the sound (see `trimSilence`). */
  pcm: Int16Array;
  durationMs: number;
}

export interface CrossTalkLine {
  speaker: 'alice' | 'bob';
  text: string;
  /** Ground truth, as a person in the room would judge it (the rule is above `CROSS_TALK_SCRIPT`). */
  addressesAgent: boolean;
  /** True when the agent spoke just before this line (answered the line before). */
  followsAgentAnswer: boolean;
  pcm: Int16Array;
  durationMs: number;
  voice: string;
}

// Several voices and rates, assigned by position so every run makes the same corpus.
const VOICES = ['en+m3', 'en+f3', 'en-us+m1', 'en+f4'];
const WORDS_PER_MINUTE = [140, 165, 190, 155, 175];

interface SpokenDefinition {
  text: string;
  /** What espeak-ng is given when the spelling would be read letter by letter (phonemes in [[ ]]). */
  espeakInput?: string;
}

const BACKCHANNELS: SpokenDefinition[] = [
  { text: 'mm-hmm', espeakInput: "[[m'mh@m]]" }, // spelled, espeak says "em em aitch em em"
  { text: 'yeah' },
  { text: 'right' },
  { text: 'okay' },
  { text: 'uh-huh' },
  { text: 'I see' },
  { text: 'sure' },
  { text: 'got it' },
  { text: 'oh' },
  { text: 'exactly' },
  { text: 'yep' },
  { text: 'ha ha' }, // a laugh: a vocal reaction, not a bid for the turn
];

const INTERRUPTIONS: SpokenDefinition[] = [
  { text: 'wait, stop' },
  { text: "no, that's wrong" },
  { text: 'hold on, I have a question' },
  { text: 'sorry, can I ask something' },
  { text: 'stop, stop' },
  { text: "that's not what I asked" },
  { text: 'wait a second' },
  { text: 'actually, I meant tomorrow' },
  { text: 'no no, the other one' },
  { text: 'excuse me, one thing' },
  { text: 'hang on, go back' },
  { text: 'can you repeat that part' },
];

interface NoiseDefinition {
  id: string;
  /** sox effects applied to generated noise; the recipe is also the cache key. */
  sox: string[];
}

// Fast attack, fast decay, band-limited: the envelope of a cough or a knock, not of speech.
const NOISES: NoiseDefinition[] = [
  {
    id: 'noise-cough',
    sox: ['synth', '0.22', 'pinknoise', 'highpass', '250', 'lowpass', '3000', 'fade', 'q', '0.008', '0.22', '0.18', 'gain', '-n', '-4'],
  },
  {
    id: 'noise-double-cough',
    sox: ['synth', '0.18', 'pinknoise', 'highpass', '300', 'lowpass', '2500', 'fade', 'q', '0.006', '0.18', '0.15', 'pad', '0', '0.08', 'repeat', '1', 'gain', '-n', '-5'],
  },
  {
    id: 'noise-knock',
    sox: ['synth', '0.09', 'brownnoise', 'lowpass', '500', 'fade', 'q', '0.002', '0.09', '0.085', 'gain', '-n', '-3'],
  },
  {
    id: 'noise-chair-scrape',
    sox: ['synth', '0.45', 'whitenoise', 'bandpass', '1400', '900h', 'tremolo', '28', '70', 'fade', 'h', '0.04', '0.45', '0.12', 'gain', '-n', '-10'],
  },
];

/**
 * Labelling rule for `addressesAgent`: a line addresses the agent when the agent is named as the
 * addressee ("Nova, …", "Hey Nova, …", "Thanks Nova"), or when it is a question or request that
 * follows the agent's own answer and is not directed at the other person. Naming the agent while
 * talking to the other person ("Nova already sent it") does not address it, and neither does a
 * line said to the whole room. Addressed does not mean an answer is needed ("Thanks Nova").
 * `agentAnswer` is what the agent says after a line (its part, not generated): the next line follows it.
 */
const CROSS_TALK_SCRIPT: { speaker: 'alice' | 'bob'; text: string; addressesAgent: boolean; agentAnswer?: string }[] = [
  { speaker: 'alice', text: "Okay, let's get started. Bob, did you send the slides to the client?", addressesAgent: false },
  { speaker: 'bob', text: "Yes, last night. They haven't replied yet.", addressesAgent: false },
  { speaker: 'alice', text: "Nova, what's on my calendar tomorrow?", addressesAgent: true, agentAnswer: 'You have two meetings: the client call, and lunch with Sam.' },
  { speaker: 'alice', text: 'And what time is the first one?', addressesAgent: true, agentAnswer: 'The client call, at ten.' },
  { speaker: 'bob', text: "Alice, that clashes with the design review, doesn't it?", addressesAgent: false },
  { speaker: 'alice', text: "It does. I'll move the review to Thursday.", addressesAgent: false },
  { speaker: 'bob', text: 'Thursday works for me. Did the budget numbers come back?', addressesAgent: false },
  { speaker: 'alice', text: 'Not yet, finance said Friday.', addressesAgent: false },
  { speaker: 'bob', text: 'Hey Nova, can you summarise what we decided so far?', addressesAgent: true, agentAnswer: 'Alice will move the design review to Thursday, and the budget numbers are due Friday.' },
  { speaker: 'bob', text: 'Thanks Nova.', addressesAgent: true },
  { speaker: 'alice', text: 'Should we invite Priya to the review?', addressesAgent: false },
  { speaker: 'bob', text: 'Yes, she owns the checkout flow.', addressesAgent: false },
  { speaker: 'alice', text: "Nova, add Priya to Thursday's design review.", addressesAgent: true, agentAnswer: "Done, Priya is invited to Thursday's design review." },
  { speaker: 'alice', text: 'Can you also send her the agenda?', addressesAgent: true, agentAnswer: 'Sent, she has the agenda.' },
  { speaker: 'alice', text: "Good, Nova's sent the invite, so that's sorted.", addressesAgent: false },
  { speaker: 'bob', text: 'I still think we need more time for the migration.', addressesAgent: false },
  { speaker: 'alice', text: 'How much more do you need?', addressesAgent: false },
  { speaker: 'bob', text: 'Two weeks, maybe three if testing goes badly.', addressesAgent: false },
  { speaker: 'alice', text: 'Okay. Nova, remind me on Monday to talk to finance about the budget.', addressesAgent: true, agentAnswer: "I'll remind you on Monday to talk to finance about the budget." },
  { speaker: 'bob', text: 'What time will that reminder go off?', addressesAgent: true, agentAnswer: 'At nine in the morning.' },
  { speaker: 'alice', text: 'Great. Bob, can you take notes on the client call?', addressesAgent: false },
  { speaker: 'bob', text: "Sure, I'll share them afterwards.", addressesAgent: false },
  { speaker: 'alice', text: "I think we're done. Thanks, everyone.", addressesAgent: false },
];

const CROSS_TALK_VOICES = {
  alice: { voice: 'en+f3', wordsPerMinute: 165 },
  bob: { voice: 'en-us+m1', wordsPerMinute: 150 },
} as const;

/** The whole corpus, generating what the cache does not have yet. */
export async function loadTurnsCorpus(): Promise<{ clips: CorpusClip[]; crossTalk: CrossTalkLine[] }> {
  const spoken = [
    ...BACKCHANNELS.map((definition) => ({ definition, kind: 'backchannel' as const })),
    ...INTERRUPTIONS.map((definition) => ({ definition, kind: 'interruption' as const })),
  ];
  const jobs: (() => Promise<CorpusClip>)[] = [
    ...spoken.map(({ definition, kind }, index) => () => spokenClip(definition, kind, index)),
    ...NOISES.map((noise) => () => noiseClip(noise)),
  ];
  const crossTalkJobs = CROSS_TALK_SCRIPT.map((line, index) => async (): Promise<CrossTalkLine> => {
    const { voice, wordsPerMinute } = CROSS_TALK_VOICES[line.speaker];
    const pcm = trimSilence(await speechPcm(line.text, { voice, wordsPerMinute, sampleRate: CORPUS_SAMPLE_RATE, cacheDir: CORPUS_CACHE_DIR }));
    const followsAgentAnswer = CROSS_TALK_SCRIPT[index - 1]?.agentAnswer !== undefined;
    return { speaker: line.speaker, text: line.text, addressesAgent: line.addressesAgent, followsAgentAnswer, pcm, durationMs: durationMs(pcm), voice };
  });
  return { clips: await inParallel(jobs), crossTalk: await inParallel(crossTalkJobs) };
}

async function spokenClip(definition: SpokenDefinition, kind: 'backchannel' | 'interruption', index: number): Promise<CorpusClip> {
  const voice = VOICES[index % VOICES.length]!;
  const wordsPerMinute = WORDS_PER_MINUTE[index % WORDS_PER_MINUTE.length]!;
  const input = definition.espeakInput ?? definition.text;
  const pcm = trimSilence(await speechPcm(input, { voice, wordsPerMinute, sampleRate: CORPUS_SAMPLE_RATE, cacheDir: CORPUS_CACHE_DIR }));
  return { id: `${kind}-${slug(definition.text)}`, kind, text: definition.text, voice, wordsPerMinute, pcm, durationMs: durationMs(pcm) };
}

async function noiseClip(noise: NoiseDefinition): Promise<CorpusClip> {
  const raw = await cachedPcm(CORPUS_CACHE_DIR, ['sox-noise', CORPUS_SAMPLE_RATE, noise.sox], async (rawFile) => {
    await run('sox', ['-n', ...soxRawOutput(CORPUS_SAMPLE_RATE), rawFile, ...noise.sox]);
  });
  const pcm = trimSilence(raw);
  return { id: noise.id, kind: 'noise', text: '', voice: 'sox', wordsPerMinute: 0, pcm, durationMs: durationMs(pcm) };
}

// espeak-ng pads each utterance with silence (about 300 ms after it): a clip's duration should be
// the sound a detector hears, so it is cut to the first and last sample above -40 dBFS, plus 10 ms.
const TRIM_THRESHOLD = Math.round(32768 * 0.01);
const TRIM_MARGIN_SAMPLES = CORPUS_SAMPLE_RATE / 100;

function trimSilence(pcm: Int16Array): Int16Array {
  let first = 0;
  while (first < pcm.length && Math.abs(pcm[first]!) < TRIM_THRESHOLD) first++;
  let last = pcm.length - 1;
  while (last > first && Math.abs(pcm[last]!) < TRIM_THRESHOLD) last--;
  if (first >= pcm.length) return pcm.subarray(0, 0);
  return pcm.slice(Math.max(0, first - TRIM_MARGIN_SAMPLES), Math.min(pcm.length, last + 1 + TRIM_MARGIN_SAMPLES));
}

function durationMs(pcm: Int16Array): number {
  return Math.round((pcm.length * 1000) / CORPUS_SAMPLE_RATE);
}

function slug(text: string): string {
  return text.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '');
}

// A few generators at a time: a first run makes ~60 files, and a 2-core machine has other work.
async function inParallel<T>(jobs: (() => Promise<T>)[], concurrency = 4): Promise<T[]> {
  const results = new Array<T>(jobs.length);
  let next = 0;
  const worker = async () => {
    while (next < jobs.length) {
      const index = next++;
      results[index] = await jobs[index]!();
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, jobs.length) }, worker));
  return results;
}
