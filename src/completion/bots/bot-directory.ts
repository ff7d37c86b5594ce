/**
 * The configured bots, checked once at start-up: unique ids, references that exist, model
 * strings that parse and tools that compile. A mistake there is a ConfigError naming the bot,
 * not a failure on some later request.
 */
import { AgentsError, ConfigError } from '../../core/errors.js';
import { ToolRegistry } from '../../llm/tool-registry.js';
import { parseModelString, type ModelChoice } from '../model-string.js';
import type { BotCatalog, BotDefinition, DatasetDefinition, SkillsetDefinition } from './catalog.js';

export interface ResolvedBot {
  definition: BotDefinition;
  /** The bot's tools, compiled once and shared by its requests. */
  tools: ToolRegistry;
  model: ModelChoice | undefined;
}

export class BotDirectory {
  readonly #bots = new Map<string, ResolvedBot>();
  readonly #datasets = new Map<string, DatasetDefinition>();
  readonly #skillsets = new Map<string, SkillsetDefinition>();

  constructor(catalog: BotCatalog, options: { knownModels: ReadonlySet<string>; source?: string }) {
    const source = options.source ?? 'the bot catalog';
    const fail = (message: string, cause?: unknown) => new ConfigError(`${source}: ${message}`, ['BOTS_FILE'], cause);
    for (const dataset of catalog.datasets ?? []) {
      if (this.#datasets.has(dataset.id)) throw fail(`dataset id "${dataset.id}" is defined twice`);
      this.#datasets.set(dataset.id, dataset);
    }
    for (const skillset of catalog.skillsets ?? []) {
      if (this.#skillsets.has(skillset.id)) throw fail(`skillset id "${skillset.id}" is defined twice`);
      this.#skillsets.set(skillset.id, skillset);
    }
    for (const bot of catalog.bots ?? []) {
      if (this.#bots.has(bot.id)) throw fail(`bot id "${bot.id}" is defined twice`);
      if (bot.datasetId !== undefined && !this.#datasets.has(bot.datasetId)) {
        throw fail(`bot "${bot.id}" refers to dataset "${bot.datasetId}", which is not defined`);
      }
      if (bot.skillsetId !== undefined && !this.#skillsets.has(bot.skillsetId)) {
        throw fail(`bot "${bot.id}" refers to skillset "${bot.skillsetId}", which is not defined`);
      }
      let model: ModelChoice | undefined;
      let tools: ToolRegistry;
      try {
        model = bot.model === undefined ? undefined : parseModelString(bot.model, options.knownModels);
        tools = new ToolRegistry(bot.tools ?? []);
      } catch (thrown) {
        throw fail(`bot "${bot.id}": ${thrown instanceof AgentsError ? thrown.message : String(thrown)}`, thrown);
      }
      this.#bots.set(bot.id, { definition: bot, tools, model });
    }
  }

  bot(id: string): ResolvedBot | undefined {
    return this.#bots.get(id);
  }

  dataset(id: string): DatasetDefinition | undefined {
    return this.#datasets.get(id);
  }

  skillset(id: string): SkillsetDefinition | undefined {
    return this.#skillsets.get(id);
  }

  get botIds(): string[] {
    return [...this.#bots.keys()];
  }
}
