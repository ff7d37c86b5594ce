/**
 * The TypeScript consumer the packaged-tarball check compiles: the README's examples, the
 * example agent files and a file per group of entry points, in two projects. The root, /gemini and /worker compile without
 * skipLibCheck (their declarations, and the dependencies' ones they pull in, are clean); /stream
 * and /testing need it, for the declarations that wrtc and Stream's SDKs ship (README says so).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** A module of the consumer: its path in the project, what it says, and what it imports. */
export interface ConsumerSource {
  path: string;
  code: string;
  imports: string[];
}

/** Entry points whose dependencies' own .d.ts do not compile without skipLibCheck. */
export const NEED_SKIP_LIB_CHECK = ['/stream', '/testing'];

export interface ConsumerProject {
  /** tsconfig file name in the consumer's folder. */
  tsconfig: string;
  skipLibCheck: boolean;
  files: string[];
}

/** A consumer's compiler options: strict, Node's ESM, the DOM library TypeScript includes by default. */
const COMPILER_OPTIONS = {
  target: 'ES2022',
  module: 'NodeNext',
  moduleResolution: 'NodeNext',
  lib: ['ES2022', 'DOM'],
  types: ['node'],
  strict: true,
  noEmit: true,
};

/**
 * Uses defineTool and inline tools from the installed declarations: `execute` must get the
 * schema's types, not any (the @ts-expect-error line fails the compile if it did).
 */
const STRICT_ENTRIES = `import * as root from 'PACKAGE';
import * as gemini from 'PACKAGE/gemini';
import * as worker from 'PACKAGE/worker';
import { defineTool, ToolRegistry } from 'PACKAGE';
import { z } from 'zod';

const weather = defineTool({
  name: 'get_weather',
  description: 'The weather for a city',
  parameters: z.object({ city: z.string(), days: z.number().int().default(1) }),
  execute: ({ city, days }) => \`\${city.toUpperCase()} in \${days.toFixed(0)} days\`,
});

export const registry = new ToolRegistry([
  weather,
  {
    name: 'shout',
    description: 'Shouts',
    parameters: z.object({ text: z.string() }),
    execute: ({ text }) => text.toUpperCase(),
  },
  {
    name: 'misread',
    description: 'Reads a field its schema does not have',
    parameters: z.object({ city: z.string() }),
    // @ts-expect-error: the schema has no "town"
    execute: ({ town }) => town,
  },
]);

export const surface = [root, gemini, worker];
`;

const SKIP_LIB_CHECK_ENTRIES = `import * as stream from 'PACKAGE/stream';
import * as testing from 'PACKAGE/testing';

export const surface = [stream, testing];
`;

export function writeConsumer(folder: string, packageName: string, sources: ConsumerSource[]): ConsumerProject[] {
  const strict: string[] = ['entries.ts'];
  const lenient: string[] = ['entries-skip-lib-check.ts'];
  writeFileSync(join(folder, 'entries.ts'), STRICT_ENTRIES.replaceAll('PACKAGE', packageName));
  writeFileSync(join(folder, 'entries-skip-lib-check.ts'), SKIP_LIB_CHECK_ENTRIES.replaceAll('PACKAGE', packageName));
  for (const source of sources) {
    mkdirSync(dirname(join(folder, source.path)), { recursive: true });
    writeFileSync(join(folder, source.path), source.code);
    const needsSkip = source.imports.some((specifier) => NEED_SKIP_LIB_CHECK.some((subpath) => specifier === `${packageName}${subpath}`));
    (needsSkip ? lenient : strict).push(source.path);
  }
  const projects: ConsumerProject[] = [
    { tsconfig: 'tsconfig.strict.json', skipLibCheck: false, files: strict },
    { tsconfig: 'tsconfig.skip-lib-check.json', skipLibCheck: true, files: lenient },
  ];
  for (const project of projects) {
    const config = { compilerOptions: { ...COMPILER_OPTIONS, skipLibCheck: project.skipLibCheck }, files: project.files };
    writeFileSync(join(folder, project.tsconfig), `${JSON.stringify(config, null, 2)}\n`);
  }
  return projects;
}
