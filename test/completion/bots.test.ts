import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import exampleCatalog from '../../agents/bots.js';
import { ConfigError } from '../../src/core/errors.js';
import { BotDirectory } from '../../src/completion/bots/bot-directory.js';
import { loadBotCatalog } from '../../src/completion/bots/load-bot-catalog.js';
import { KNOWN_GEMINI_MODELS } from '../../src/completion/model-string.js';

const knownModels = new Set(KNOWN_GEMINI_MODELS);
let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'bots-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('bot catalogs', () => {
  test('the example bot in agents/bots.ts has instructions, a model, a tool, a dataset and a skillset', async () => {
    const directory = new BotDirectory(exampleCatalog, { knownModels });
    const bot = directory.bot('support')!;
    expect(bot.definition.instructions).toBeTruthy();
    expect(bot.model?.name).toBe('gemini-2.5-flash');
    expect(bot.tools.names()).toEqual(['current_time']);
    expect(await bot.tools.execute({ id: '1', name: 'current_time', arguments: { timeZone: 'UTC' } })).toMatchObject({ ok: true });
    expect(directory.dataset(bot.definition.datasetId!)!.records.length).toBeGreaterThan(0);
    expect(directory.skillset(bot.definition.skillsetId!)!.abilities.length).toBeGreaterThan(0);
  });

  test('a JSON file: functions with result.data become tools that answer with it', async () => {
    const path = join(dir, 'bots.json');
    await writeFile(
      path,
      JSON.stringify({
        bots: [{ id: 'faq', instructions: 'Answer.', functions: [{ name: 'opening_hours', description: 'Hours.', parameters: { type: 'object', properties: {} }, result: { data: { open: '9-17' } } }] }],
      }),
    );
    const directory = new BotDirectory(await loadBotCatalog(path), { knownModels });
    expect(await directory.bot('faq')!.tools.execute({ id: '1', name: 'opening_hours', arguments: {} })).toEqual({ ok: true, value: { open: '9-17' } });
  });

  test('a broken file or catalog is a ConfigError naming the problem', async () => {
    const broken = join(dir, 'broken.json');
    await writeFile(broken, '{"bots": [{"name": "no id"}]}');
    await expect(loadBotCatalog(broken)).rejects.toThrow(/bots\[0\]\.id/);
    await expect(loadBotCatalog(join(dir, 'missing.json'))).rejects.toBeInstanceOf(ConfigError);
    expect(() => new BotDirectory({ bots: [{ id: 'a', datasetId: 'nope' }] }, { knownModels })).toThrow(/dataset "nope"/);
    expect(() => new BotDirectory({ bots: [{ id: 'a' }, { id: 'a' }] }, { knownModels })).toThrow(/defined twice/);
    expect(() => new BotDirectory({ bots: [{ id: 'a', model: 'gpt-4o' }] }, { knownModels })).toThrow(/unknown model/);
  });
});
