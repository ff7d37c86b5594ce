/**
 * `npm run build` (and `prepack`): compiles src/ into dist/ and the testing kit into
 * dist/testing, from a clean dist/ so that no file of a removed source is ever packed, then
 * makes each `bin` of package.json executable and checks that it starts with a shebang: without
 * one, an installed `stream-agents` would be run by the shell instead of Node.
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
const CONFIGS = ['tsconfig.build.json', 'tsconfig.build.testing.json'];

rmSync(join(root, 'dist'), { recursive: true, force: true });
for (const config of CONFIGS) {
  try {
    execFileSync(process.execPath, [tsc, '-p', config], { cwd: root, stdio: 'inherit' });
  } catch {
    fail(`tsc -p ${config} failed (its errors are above)`);
  }
}

const { bin = {} } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { bin?: Record<string, string> };
for (const [name, path] of Object.entries(bin)) {
  const file = join(root, path);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    fail(`bin "${name}" points at ${path}, which the build did not produce`);
  }
  if (!text.startsWith('#!/usr/bin/env node')) {
    fail(`bin "${name}" (${path}) must start with "#!/usr/bin/env node" (keep it as the first line of its source)`);
  }
  chmodSync(file, 0o755);
}

function fail(message: string): never {
  console.error(`build: ${message}`);
  process.exit(1);
}
