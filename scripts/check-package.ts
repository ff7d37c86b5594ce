/**
 * `npm run check:package`: the package as a user gets it. Packs the tarball (prepack builds),
 * checks what it contains, installs it into a new project in a temporary folder (from the npm
 * registry, through npm's cache), and there:
 *   - imports every subpath of "exports" in plain Node ESM (no loader): each process must exit by
 *     itself with code 0; the root must load no native add-on;
 *   - runs the installed `stream-agents`: `--help` (exit 0), `run` on an agent file of the
 *     project's own without keys (it loads the file, then exits 2 naming them), and `serve` on
 *     it (ready, then SIGTERM drains it and it exits 0);
 *   - compiles a strict TypeScript consumer: the README's examples, the agent files in agents/
 *     that import the package by name, and every entry point (the root, /gemini and /worker
 *     without skipLibCheck; see package-check/consumer.ts).
 *
 *   npm run check:package [-- --node /path/to/another/node …] [-- --keep]
 *
 * `--node` runs the imports and the bin with that Node too (CI passes Node 24); `--keep` leaves
 * the temporary project in place (it is always kept when a check fails).
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { agentFiles } from './package-check/agent-files.js';
import { writeConsumer, type ConsumerSource } from './package-check/consumer.js';
import { describeEnd, exec } from './package-check/exec.js';
import { checkServe } from './package-check/serve-check.js';
import { readmeExamples } from './package-check/readme-examples.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
const IMPORT_TIMEOUT_MS = 30_000;
const INSTALL_TIMEOUT_MS = 300_000;
const COMPILE_TIMEOUT_MS = 180_000;
/** What the tarball may hold besides dist/ (npm adds package.json). */
const TOP_LEVEL_FILES = ['package.json', 'README.md', 'LICENSE', '.env.example'];
/** Lists the .node files the process has loaded once the root is imported; prints nothing when there are none. */
const NATIVE_ADDONS_AFTER_ROOT_IMPORT = `
await import('PACKAGE');
const addons = process.report.getReport().sharedObjects.filter((file) => file.endsWith('.node'));
if (addons.length > 0) console.log(addons.join(', '));
`;


const { values: options } = parseArgs({ options: { node: { type: 'string', multiple: true, default: [] }, keep: { type: 'boolean', default: false } } });
const nodes = [process.execPath, ...options.node];

interface PackageJson {
  name: string;
  bin?: Record<string, string>;
  exports: Record<string, string | Record<string, string>>;
  dependencies: Record<string, string>;
}
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as PackageJson;
const subpaths = Object.keys(pkg.exports).filter((subpath) => subpath !== './package.json');
const work = mkdtempSync(join(tmpdir(), 'package-check-'));
const failures: string[] = [];

function step(title: string): void {
  console.log(`\n== ${title}`);
}
function ok(line: string): void {
  console.log(`  ok    ${line}`);
}
function failed(line: string, details = ''): void {
  console.log(`  FAIL  ${line}`);
  if (details.trim()) console.log(details.trim().replace(/^/gm, '        '));
  failures.push(line);
}

// 1. Pack.
step('npm pack (prepack builds dist/)');
const packed = await exec('npm', ['pack', '--json', '--pack-destination', work], { cwd: root, timeoutMs: INSTALL_TIMEOUT_MS });
if (packed.code !== 0) finish(`npm pack failed (${describeEnd(packed, INSTALL_TIMEOUT_MS)}):\n${packed.stderr}`);
const [tarball] = JSON.parse(packed.stdout) as Array<{ filename: string; size: number; unpackedSize: number; files: Array<{ path: string; mode: number }> }>;
const tarballPath = join(work, tarball!.filename);
console.log(`  ${tarball!.filename}: ${tarball!.files.length} files, ${kB(tarball!.size)} packed, ${kB(tarball!.unpackedSize)} unpacked (${packed.durationMs} ms)`);
checkContents(tarball!.files);

// 2. Install into a new project.
step('install the tarball into a new project');
const consumer = join(work, 'consumer');
mkdirSync(consumer);
writeFileSync(
  join(consumer, 'package.json'),
  `${JSON.stringify(
    {
      name: 'package-check-consumer',
      private: true,
      type: 'module',
      dependencies: { [pkg.name]: `file:${tarballPath}`, zod: pkg.dependencies.zod },
      devDependencies: { typescript: installedVersion('typescript'), '@types/node': installedVersion('@types/node') },
    },
    null,
    2,
  )}\n`,
);
// An agent file of the user's own, in TypeScript, importing the package (and zod) by name.
const AGENT_FILE = 'agents/my-agent.ts';
mkdirSync(join(consumer, 'agents'));
writeFileSync(
  join(consumer, AGENT_FILE),
  `import { defineAgent, defineTool } from '${pkg.name}';
import { z } from 'zod';

export default defineAgent({
  instructions: 'You check the package.',
  tools: [defineTool({ name: 'echo', description: 'Says it back', parameters: z.object({ text: z.string() }), execute: ({ text }) => text })],
});
`,
);
const installed = await exec('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline'], { cwd: consumer, timeoutMs: INSTALL_TIMEOUT_MS });
if (installed.code !== 0) finish(`npm install failed (${describeEnd(installed, INSTALL_TIMEOUT_MS)}):\n${installed.stderr}`);
ok(`installed in ${consumer} (${installed.durationMs} ms)`);

// 3. Every subpath in plain Node ESM, on every Node given.
for (const node of nodes) {
  const version = (await exec(node, ['--version'], { cwd: consumer, timeoutMs: IMPORT_TIMEOUT_MS })).stdout.trim();
  step(`imports in plain Node ESM, node ${version}`);
  for (const subpath of subpaths) {
    const specifier = subpath === '.' ? pkg.name : `${pkg.name}/${subpath.slice(2)}`;
    const result = await exec(node, ['--input-type=module', '-e', `import '${specifier}';`], { cwd: consumer, timeoutMs: IMPORT_TIMEOUT_MS });
    if (result.code === 0 && !result.timedOut) ok(`import '${specifier}' exited by itself with 0 (${result.durationMs} ms)`);
    else failed(`import '${specifier}': ${describeEnd(result, IMPORT_TIMEOUT_MS)}`, result.stderr);
  }
  const addons = await exec(node, ['--input-type=module', '-e', NATIVE_ADDONS_AFTER_ROOT_IMPORT.replace('PACKAGE', pkg.name)], {
    cwd: consumer,
    timeoutMs: IMPORT_TIMEOUT_MS,
  });
  if (addons.code === 0 && addons.stdout.trim() === '') ok(`import '${pkg.name}' loads no native add-on`);
  else failed(`import '${pkg.name}' loads native add-ons: ${addons.stdout.trim() || describeEnd(addons, IMPORT_TIMEOUT_MS)}`, addons.stderr);

  for (const name of Object.keys(pkg.bin ?? {})) {
    // The bin's shebang (`env node`) finds this Node first on PATH; nothing else of ours leaks in.
    const env = { PATH: `${dirname(node)}${delimiter}${process.env.PATH ?? ''}`, HOME: process.env.HOME ?? '', CI: 'true' };
    const bin = join(consumer, 'node_modules/.bin', name);
    const help = await exec(bin, ['--help'], { cwd: consumer, env, timeoutMs: IMPORT_TIMEOUT_MS });
    const printed = `${help.stdout}${help.stderr}`.trim() !== '';
    if (help.code === 0 && printed) ok(`${name} --help exited with 0 (${help.durationMs} ms)`);
    else failed(`${name} --help: ${describeEnd(help, IMPORT_TIMEOUT_MS)}${printed ? '' : ', printed nothing'}`, help.stdout + help.stderr);

    // The agent file loads (its definition is checked first), then the missing keys are named.
    const run = await exec(bin, ['run', AGENT_FILE, '--no-demo'], { cwd: consumer, env, timeoutMs: IMPORT_TIMEOUT_MS });
    if (run.code === 2 && /STREAM_API_KEY/.test(run.stderr)) ok(`${name} run ${AGENT_FILE} without keys exited with 2 naming them (${run.durationMs} ms)`);
    else failed(`${name} run ${AGENT_FILE} without keys: ${describeEnd(run, IMPORT_TIMEOUT_MS)}, expected 2 naming STREAM_API_KEY`, run.stdout + run.stderr);

    const served = await checkServe(bin, ['serve', AGENT_FILE], {
      cwd: consumer,
      env: { ...env, STREAM_API_KEY: 'key', STREAM_API_SECRET: 'secret', GOOGLE_API_KEY: 'key', HOST: '127.0.0.1', PORT: '0', LOG_LEVEL: 'info' },
      timeoutMs: IMPORT_TIMEOUT_MS,
    });
    if (served.ok) ok(`${name} serve ${AGENT_FILE} was ready and exited with 0 on SIGTERM (${served.detail})`);
    else failed(`${name} serve ${AGENT_FILE}: ${served.detail.split('\n')[0]}`, served.detail);
  }
}

// 4. A TypeScript consumer.
step('compile a TypeScript consumer (strict)');
const examples: ConsumerSource[] = readmeExamples(readFileSync(join(root, 'README.md'), 'utf8')).map((example) => ({
  path: example.fileName,
  code: `// README.md, under "${example.heading}"\n${example.code}`,
  imports: example.imports,
}));
const agents = agentFiles(root);
if (agents.skipped.length > 0) console.log(`  (not compiled: ${agents.skipped.join(', ')}, which import the repository's sources)`);
const projects = writeConsumer(consumer, pkg.name, [...examples, ...agents.files]);
const tsc = join(consumer, 'node_modules/typescript/bin/tsc');
for (const project of projects) {
  const result = await exec(process.execPath, [tsc, '-p', project.tsconfig], { cwd: consumer, timeoutMs: COMPILE_TIMEOUT_MS });
  const what = `${project.files.join(', ')} (skipLibCheck ${project.skipLibCheck})`;
  if (result.code === 0) ok(`${what} compiled (${result.durationMs} ms)`);
  else failed(`${what}: ${describeEnd(result, COMPILE_TIMEOUT_MS)}`, result.stdout + result.stderr);
}

finish();

function checkContents(files: Array<{ path: string; mode: number }>): void {
  const paths = new Set(files.map((file) => file.path));
  const stray = [...paths].filter((path) => !path.startsWith('dist/') && !TOP_LEVEL_FILES.includes(path));
  if (stray.length > 0) failed(`the tarball holds files outside dist/: ${stray.join(', ')}`);
  else ok(`nothing outside dist/ but ${TOP_LEVEL_FILES.join(', ')}`);

  const missing = TOP_LEVEL_FILES.filter((path) => !paths.has(path));
  const targets = Object.values(pkg.exports).flatMap((target) => (typeof target === 'string' ? [target] : Object.values(target)));
  const shipped = targets.map((target) => target.replace(/^\.\//, '')).filter((path) => path.startsWith('dist/'));
  missing.push(...shipped.filter((path) => !paths.has(path)));
  if (missing.length > 0) failed(`the tarball lacks ${missing.join(', ')}`);
  else ok(`every "exports" target in dist/ is there, with ${TOP_LEVEL_FILES.slice(1).join(', ')}`);

  for (const [name, path] of Object.entries(pkg.bin ?? {})) {
    const file = files.find((entry) => entry.path === path.replace(/^\.\//, ''));
    if (!file) failed(`bin ${name}: ${path} is not in the tarball`);
    else if ((file.mode & 0o111) === 0) failed(`bin ${name}: ${path} is not executable in the tarball (mode ${file.mode.toString(8)})`);
    else ok(`bin ${name}: ${path}, mode ${file.mode.toString(8)}`);
  }
}

function installedVersion(name: string): string {
  return (require(`${name}/package.json`) as { version: string }).version;
}

function kB(bytes: number): string {
  return `${(bytes / 1000).toFixed(1)} kB`;
}

function finish(fatal?: string): never {
  if (fatal) failures.push(fatal.trim());
  if (failures.length === 0 && !options.keep) rmSync(work, { recursive: true, force: true });
  else console.log(`\nThe temporary project is kept in ${work}`);
  if (failures.length > 0) {
    console.log(`\ncheck:package failed:\n${failures.map((failure) => `  - ${failure.split('\n')[0]}`).join('\n')}`);
    if (fatal) console.log(fatal);
    process.exit(1);
  }
  console.log('\ncheck:package: the packaged tarball works');
  process.exit(0);
}
