/**
 * What a server is configured with: bots (instructions, model, tools, dataset, skillset) and
 * the datasets and skillsets they, or a request's `datasetId`/`skillsetId`, refer to. Defined
 * in code (agents/bots.ts) or in a JSON file (BOTS_FILE).
 */
import type { ToolDefinition } from '../../llm/tool.js';
import type { Dataset } from '../datasets.js';
import type { Skillset } from '../skillsets.js';

export interface BotDefinition {
  id: string;
  name?: string;
  description?: string;
  /** The bot's backstory: its system instructions. A request's `backstory` replaces it. */
  instructions?: string;
  /** A model string, `name` or `name/key=value/...`; default the server's GEMINI_MODEL. */
  model?: string;
  /** Tools the server runs for this bot (a tool without `execute` is run by the client). */
  tools?: ToolDefinition<any>[];
  datasetId?: string;
  skillsetId?: string;
}

export interface DatasetDefinition extends Dataset {
  id: string;
}

export interface SkillsetDefinition extends Skillset {
  id: string;
}

export interface BotCatalog {
  bots?: BotDefinition[];
  datasets?: DatasetDefinition[];
  skillsets?: SkillsetDefinition[];
}
