/**
 * bench:import — what importing the package costs a program, as a user runs it: the built
 * package (dist/, built first), plain Node, a process per measurement.
 *
 *   root_*        import 'stream-gemini-agents' (the core: Agent, Conversation, tools, config)
 *   stream_*      import 'stream-gemini-agents/stream' (StreamEdge: wrtc still waits for a join)
 *   native_*      the root plus wrtc and sharp, the native add-ons it no longer loads: what a
 *                 root import cost when it loaded them, measured in the same run
 *   baseline_*    a process that imports nothing
 *   *_ms          from the script's start to the import done (median of RUNS processes)
 *   *_rss_mb      resident memory right after the import (median)
 *   root_vs_native_rss, root_vs_native_ms: the root's figures over the native ones
 * Prints one JSON line last.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { percentile, round } from './support/stats.js';

const RUNS = Number(process.env.BENCH_RUNS ?? 7);
const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const dist = (file: string) => pathToFileURL(join(root, 'dist', file)).href;

const TARGETS: Record<string, string[]> = {
  baseline: [],
  root: [dist('index.js')],
  stream: [dist('stream.js')],
  native: [dist('index.js'), '@roamhq/wrtc', 'sharp'],
};

interface Sample {
  ms: number;
  rssMb: number;
}

/** One process: imports `specifiers` in order and reports the time and memory it took. */
function measure(specifiers: string[]): Sample {
  const script = `
const started = performance.now();
for (const specifier of ${JSON.stringify(specifiers)}) await import(specifier);
const ms = performance.now() - started;
console.log(JSON.stringify({ ms, rssMb: process.memoryUsage().rss / 2 ** 20 }));
process.exit(0);
`;
  const result = spawnSync(process.execPath, ['--input-type=module', '-e', script], { cwd: root, encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`importing ${specifiers.join(', ')} failed:\n${result.stderr}`);
  return JSON.parse(result.stdout.trim().split('\n').at(-1)!) as Sample;
}

console.log('building dist/ …');
execFileSync(process.execPath, ['--import', 'tsx', join(root, 'scripts/build.ts')], { cwd: root, stdio: 'inherit' });

const figures: Record<string, number> = {};
// Interleaved, so a busy moment of the machine touches every target alike.
const samples: Record<string, Sample[]> = Object.fromEntries(Object.keys(TARGETS).map((name) => [name, []]));
for (let run = 0; run < RUNS; run++) {
  for (const [name, specifiers] of Object.entries(TARGETS)) samples[name]!.push(measure(specifiers));
}
for (const [name, list] of Object.entries(samples)) {
  figures[`${name}_ms`] = round(percentile(list.map((sample) => sample.ms), 0.5), 1);
  figures[`${name}_rss_mb`] = round(percentile(list.map((sample) => sample.rssMb), 0.5), 1);
  console.log(`${name.padEnd(9)} ${figures[`${name}_ms`]} ms, ${figures[`${name}_rss_mb`]} MB`);
}
figures.root_vs_native_rss = round(figures.root_rss_mb! / figures.native_rss_mb!, 2);
figures.root_vs_native_ms = round(figures.root_ms! / figures.native_ms!, 2);

console.log(JSON.stringify({ bench: 'import', runs: RUNS, ...figures }));
