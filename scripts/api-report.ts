/**
 * The public API reports: one per entry point of package.json "exports", made by API Extractor
 * from the built declarations (dist/, so run `npm run build` first) into api/<name>.api.md.
 *
 *   tsx scripts/api-report.ts            # check: fails when an entry's surface differs from its report
 *   tsx scripts/api-report.ts --update   # rewrite the reports (then commit them)
 *
 * Both fail on a type that an exported signature uses but no entry point exports
 * (ae-forgotten-export): a user could not name it. A subpath may use the root's types (StreamEdge
 * implements the root's Edge), so that is checked over all entry points together, by one more
 * run of API Extractor on a file that re-exports them all; each entry's own report leaves it out.
 */
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CompilerState, Extractor, ExtractorConfig, ExtractorLogLevel, ExtractorMessageCategory, type ExtractorMessage } from '@microsoft/api-extractor';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const CONFIG_FILE = join(root, 'api/api-extractor.json');
const update = process.argv.includes('--update');

interface Entry {
  /** The subpath as package.json "exports" names it: '.', './stream', … */
  subpath: string;
  /** Its declarations, from the package's root. */
  types: string;
  /** The report's file name in api/. */
  reportFileName: string;
}

const packageJson = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
  name: string;
  exports: Record<string, string | { types?: string }>;
};
const entries = entryPoints(packageJson);
const missing = entries.filter((entry) => !existsSync(join(root, entry.types)));
if (missing.length > 0) {
  fail(`${missing.map((entry) => entry.types).join(', ')} not found: run npm run build first`);
}

const baseConfig = ExtractorConfig.loadFile(CONFIG_FILE);
const prepare = (mainEntryPointFilePath: string, apiReport: { reportFileName: string } | undefined, forgottenExports: 'warning' | 'none') =>
  ExtractorConfig.prepare({
    configObject: {
      ...baseConfig,
      mainEntryPointFilePath,
      apiReport: { ...baseConfig.apiReport!, enabled: apiReport !== undefined, reportFileName: apiReport?.reportFileName ?? 'all-entries' },
      messages: {
        ...baseConfig.messages,
        extractorMessageReporting: {
          ...baseConfig.messages?.extractorMessageReporting,
          'ae-forgotten-export': { logLevel: forgottenExports as ExtractorLogLevel, addToApiReportFile: false },
        },
      },
    },
    configObjectFullPath: CONFIG_FILE,
    packageJsonFullPath: join(root, 'package.json'),
  });

const reportConfigs = entries.map((entry) => prepare(join(root, entry.types), entry, 'none'));
const allEntriesFile = writeAllEntriesFile(entries);
const allEntries = prepare(allEntriesFile, undefined, 'warning');
// One TypeScript program serves every run.
const compilerState = CompilerState.create(allEntries, { additionalEntryPoints: reportConfigs.map((config) => config.mainEntryPointFilePath) });

const problems: string[] = [];
let forgotten: string[];
try {
  forgotten = run(allEntries);
} finally {
  rmSync(allEntriesFile, { force: true });
}
if (forgotten.length > 0) problems.push(`types used by the public API but exported by no entry point:\n${forgotten.join('\n')}`);

for (const [index, entry] of entries.entries()) {
  const report = `api/${entry.reportFileName}.api.md`;
  const existed = existsSync(join(root, report));
  const { warnings, changed } = runReport(reportConfigs[index]!);
  if (warnings.length > 0) problems.push(`${entry.subpath} (${entry.types}):\n${warnings.join('\n')}`);
  if (!existed && !update) {
    problems.push(`${entry.subpath}: it has no report yet (${report})`);
  } else if (changed && !update) {
    problems.push(`${entry.subpath}: the exported API differs from ${report} (the diff is above)`);
  } else {
    console.log(`${entry.subpath}: ${update && changed ? `${report} updated` : `matches ${report}`}`);
  }
}

if (problems.length > 0) {
  fail(
    `${problems.join('\n')}\n\n` +
      (update
        ? 'Fix the warnings above (export the types the public API uses), then run npm run api:update again.'
        : 'If the change is intended, run `npm run api:update` and commit the reports in api/ with it.'),
  );
}

/** Runs API Extractor; returns its warnings and errors, one line each. */
function run(config: ExtractorConfig): string[] {
  return runReport(config).warnings;
}

function runReport(config: ExtractorConfig): { warnings: string[]; changed: boolean } {
  const warnings: string[] = [];
  const result = Extractor.invoke(config, {
    compilerState,
    localBuild: update,
    printApiReportDiff: !update,
    messageCallback: (message: ExtractorMessage) => {
      if (message.category === ExtractorMessageCategory.Console) {
        // Its advice (copy a file from a cache) is replaced by the one printed at the end.
        if (message.messageId === 'console-api-report-not-copied') message.handled = true;
        return;
      }
      if (message.logLevel === ExtractorLogLevel.Warning || message.logLevel === ExtractorLogLevel.Error) {
        warnings.push(`  ${message.messageId}: ${message.text}${location(message)}`);
        message.handled = true;
      }
    },
  });
  return { warnings, changed: result.apiReportChanged };
}

/**
 * A declaration file that re-exports every entry point, for the check across them. It is
 * written into dist/ for as long as the check runs (API Extractor follows exports only within
 * the package's own files), and removed after.
 */
function writeAllEntriesFile(all: Entry[]): string {
  const dist = join(root, 'dist');
  const file = join(dist, 'all-entries.api-check.d.ts');
  const lines = all.map((entry) => `export * from './${relative(dist, join(root, entry.types)).replace(/\.d\.ts$/, '.js')}';`);
  writeFileSync(file, `${lines.join('\n')}\n`);
  return file;
}

/** Each "exports" subpath that has declarations; the root's report is named for the package. */
function entryPoints(pkg: typeof packageJson): Entry[] {
  return Object.entries(pkg.exports).flatMap(([subpath, target]) => {
    const types = typeof target === 'object' ? target.types : undefined;
    if (!types) return [];
    const suffix = subpath === '.' ? '' : `-${subpath.slice(2).replaceAll('/', '-')}`;
    return [{ subpath, types, reportFileName: `${pkg.name}${suffix}` }];
  });
}

function location(message: ExtractorMessage): string {
  if (!message.sourceFilePath) return '';
  const file = message.sourceFilePath.startsWith(root) ? message.sourceFilePath.slice(root.length + 1) : message.sourceFilePath;
  return ` (${file}${message.sourceFileLine ? `:${message.sourceFileLine}` : ''})`;
}

function fail(message: string): never {
  console.error(message);
  process.exit(1);
}
