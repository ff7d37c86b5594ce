/**
 * Reads a bot catalog from a file: JSON (`{bots, datasets, skillsets}`, bot tools written as
 * protocol `functions`, answered with their `result.data`) or a module (.ts/.js/.mjs) whose
 * default export (or `catalog` export) is a BotCatalog, for tools that run code.
 */
import { readFile } from 'node:fs/promises';
import { extname, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { z } from 'zod';
import { ConfigError } from '../../core/errors.js';
import { functionToTool } from '../functions.js';
import { FunctionSchema, InlineDatasetSchema, InlineSkillsetSchema } from '../request-schema.js';
import { formatIssuePath } from '../../http/field-path.js';
import type { BotCatalog } from './catalog.js';

const idField = z.string().trim().min(1).max(256);

const JsonCatalogSchema = z.object({
  bots: z
    .array(
      z.object({
        id: idField,
        name: z.string().optional(),
        description: z.string().optional(),
        instructions: z.string().optional(),
        model: z.string().optional(),
        datasetId: idField.optional(),
        skillsetId: idField.optional(),
        functions: z.array(FunctionSchema).optional(),
      }),
    )
    .optional(),
  datasets: z.array(InlineDatasetSchema.extend({ id: idField })).optional(),
  skillsets: z.array(InlineSkillsetSchema.extend({ id: idField })).optional(),
});

export async function loadBotCatalog(path: string): Promise<BotCatalog> {
  const absolute = resolve(path);
  const fail = (message: string, cause?: unknown) => new ConfigError(`BOTS_FILE ${path}: ${message}`, ['BOTS_FILE'], cause);
  if (extname(absolute) === '.json') {
    let parsed: unknown;
    try {
      parsed = JSON.parse(await readFile(absolute, 'utf8'));
    } catch (thrown) {
      throw fail(`cannot be read as JSON (${(thrown as Error).message})`, thrown);
    }
    const checked = JsonCatalogSchema.safeParse(parsed);
    if (!checked.success) {
      const issue = checked.error.issues[0]!;
      throw fail(`${formatIssuePath(issue.path)}: ${issue.message}`);
    }
    return {
      ...checked.data,
      bots: checked.data.bots?.map(({ functions, ...bot }) => ({ ...bot, tools: (functions ?? []).map((fn) => functionToTool(fn)) })),
    };
  }
  let module: { default?: unknown; catalog?: unknown };
  try {
    module = (await import(pathToFileURL(absolute).href)) as typeof module;
  } catch (thrown) {
    throw fail(`cannot be imported (${(thrown as Error).message})`, thrown);
  }
  const catalog = module.default ?? module.catalog;
  if (typeof catalog !== 'object' || catalog === null) throw fail('must export a BotCatalog ({bots, datasets, skillsets}) as default');
  return catalog as BotCatalog;
}
