/**
 * Datasets: records ranked by relevance to the conversation (BM25 over the recent turns) and
 * given to the model as bounded context. The bounds keep a large dataset from crowding out
 * the conversation: at most `maxRecords` records and `maxChars` characters in all.
 */
import { Bm25Index } from './bm25.js';

export interface DatasetRecord {
  text: string;
  meta?: Record<string, unknown>;
}

export interface Dataset {
  name?: string;
  description?: string;
  records: DatasetRecord[];
}

export interface DatasetContextOptions {
  /** Default 8. */
  maxRecords?: number;
  /** Characters of record text in all; default 8 000. */
  maxChars?: number;
  /** Characters of one record before it is cut; default 2 000. */
  maxRecordChars?: number;
}

export interface RankedRecord {
  dataset: Dataset;
  record: DatasetRecord;
  score: number;
}

// A configured dataset is indexed once; per-request (extension) datasets are indexed per request.
const indexes = new WeakMap<Dataset, Bm25Index>();

function indexOf(dataset: Dataset): Bm25Index {
  let index = indexes.get(dataset);
  if (!index) indexes.set(dataset, (index = new Bm25Index(dataset.records.map((record) => record.text))));
  return index;
}

/**
 * The records most relevant to `query`, best first. Scores come from each dataset's own index
 * and are merged as they are: good enough to interleave a few datasets.
 */
export function rankRecords(datasets: readonly Dataset[], query: string, maxRecords = 8): RankedRecord[] {
  const ranked: RankedRecord[] = [];
  for (const dataset of datasets) {
    for (const { index, score } of indexOf(dataset).search(query, maxRecords)) {
      ranked.push({ dataset, record: dataset.records[index]!, score });
    }
  }
  return ranked.sort((a, b) => b.score - a.score).slice(0, maxRecords);
}

/** The system-context section for the records relevant to `query`, or undefined when none is. */
export function datasetContext(datasets: readonly Dataset[], query: string, options: DatasetContextOptions = {}): string | undefined {
  const maxChars = options.maxChars ?? 8_000;
  const maxRecordChars = options.maxRecordChars ?? 2_000;
  const lines: string[] = [];
  let used = 0;
  for (const { record } of rankRecords(datasets, query, options.maxRecords ?? 8)) {
    const remaining = maxChars - used;
    if (remaining <= 0) break;
    const limit = Math.min(maxRecordChars, remaining);
    const text = record.text.length > limit ? `${record.text.slice(0, limit)}…` : record.text;
    lines.push(`- ${text.replace(/\s*\n\s*/g, ' ')}`);
    used += text.length;
  }
  if (lines.length === 0) return undefined;
  return ['Relevant knowledge (use it when it helps; say so when it does not answer the question):', ...lines].join('\n');
}
