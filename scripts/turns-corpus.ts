/**
 * `npm run corpus:turns`: generates the turn-taking corpus (bench/support/turns-corpus.ts) into
 * .cache/turns-corpus/ and prints each clip's duration and, per kind, the shortest, median and
 * longest: the figures a duration threshold between a backchannel and an interruption is set from.
 */
import { loadTurnsCorpus, type CorpusClip } from '../bench/support/turns-corpus.js';

const startedMs = performance.now();
const { clips, crossTalk } = await loadTurnsCorpus();
const tookMs = Math.round(performance.now() - startedMs);

for (const clip of clips) {
  console.log(`${clip.kind.padEnd(12)} ${String(clip.durationMs).padStart(5)} ms  ${clip.voice.padEnd(9)} ${String(clip.wordsPerMinute).padStart(3)} wpm  ${clip.text || clip.id}`);
}
console.log('');
for (const kind of ['backchannel', 'noise', 'interruption'] as const) {
  console.log(`${kind.padEnd(12)} ${summary(clips.filter((clip) => clip.kind === kind).map((clip) => clip.durationMs))}`);
}
const addressed = crossTalk.filter((line) => line.addressesAgent);
console.log(`cross-talk   ${crossTalk.length} lines, ${addressed.length} addressed to the agent; ${summary(crossTalk.map((line) => line.durationMs))}`);
console.log(`(${clips.length + crossTalk.length} clips in ${tookMs} ms)`);

function summary(durationsMs: CorpusClip['durationMs'][]): string {
  const sorted = [...durationsMs].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  const median = sorted.length % 2 === 1 ? sorted[middle]! : Math.round((sorted[middle - 1]! + sorted[middle]!) / 2);
  return `n=${sorted.length} min ${sorted[0]} ms, median ${median} ms, max ${sorted[sorted.length - 1]} ms`;
}
