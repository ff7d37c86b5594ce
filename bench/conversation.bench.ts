/**
 * bench:conversation — what streaming one long assistant reply into a Stream Chat channel costs.
 *
 * Scenario: a 4,000-character reply streamed as 800 deltas over 8 s into StreamConversation,
 * against the fake Chat API answering every request after 150 ms.
 *   upsert_p99_us   hot-path cost of one delta (goal < 50); baseline_map_set_*: a Map lookup
 *                   and a Set insert timed the same way, right after it
 *   requests        Chat API requests made for the reply (goal <= 40)
 *   naive_requests  the same reply written one request per delta, every chunk re-sent each
 *                   time (the reference Python implementation's way), in the same run
 *   ratio           naive_requests / requests (goal >= 20)
 *   final_match     the stored text equals the reply
 * Prints one JSON line last.
 */
import { StreamClient } from '@stream-io/node-sdk';
import { splitIntoChunks, StreamConversation } from '../src/conversation/stream/index.js';
import { FakeStreamApi, startFakeStreamApi } from '../testing/stream-api/index.js';
import { percentile } from './support/stats.js';

const REPLY_CHARS = 4000;
const DELTAS = 800;
const DURATION_MS = 8000;
const LATENCY_MS = 150;
const CID = 'messaging:bench-call';

function reply(): string {
  const words = ['the', 'agent', 'answers', 'in', 'real', 'time', 'while', 'people', 'talk', 'on', 'a', 'call'];
  let text = '';
  for (let i = 0; text.length < REPLY_CHARS; i++) {
    text += words[(i * 7) % words.length] + (i % 23 === 22 ? '.\n\n' : ' ');
  }
  return text.slice(0, REPLY_CHARS);
}


/**
 * Streams the reply once into a fresh StreamConversation, one delta every 10 ms. Between deltas
 * the thread sleeps, and on this kind of machine the first instructions after a wake-up run
 * on cold caches: even a Map lookup and a Set insert cost microseconds. So each delta also
 * times that trivial baseline, right after the upsert, in the same conditions.
 */
async function ours(text: string): Promise<{ requests: number; upsertP99Us: number; upsertP50Us: number; baselineP50Us: number; baselineP99Us: number; finalMatch: boolean }> {
  const api = new FakeStreamApi({ apiKey: 'k', apiSecret: 's' });
  api.addUser('agent');
  api.misbehaviour = { latencyMs: LATENCY_MS };
  const server = await startFakeStreamApi(api);
  const conversation = new StreamConversation({
    client: new StreamClient('k', 's', { basePath: server.url }),
    channelId: 'bench-call',
    agentUserId: 'agent',
  });
  const deltaChars = text.length / DELTAS;
  const timings: number[] = [];
  const baseline: number[] = [];
  const trivialMap = new Map<string, number>([['reply', 0]]);
  const trivialSet = new Set<string>();
  const id = 'reply';
  const start = performance.now();
  for (let index = 0; index < DELTAS; index++) {
    const content = text.slice(Math.round(index * deltaChars), Math.round((index + 1) * deltaChars));
    const before = performance.now();
    conversation.upsert({ id, role: 'assistant', userId: 'agent', content, contentIndex: index });
    timings.push((performance.now() - before) * 1000);
    const beforeBaseline = performance.now();
    trivialSet.add(String(trivialMap.get('reply')));
    baseline.push((performance.now() - beforeBaseline) * 1000);
    const due = start + ((index + 1) * DURATION_MS) / DELTAS;
    const wait = due - performance.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
  }
  conversation.upsert({ id, role: 'assistant', userId: 'agent', content: '', completed: true });
  await conversation.close();
  await server.close();
  const stored = api.transcript(CID)[0]?.text;
  return {
    requests: api.requests.length,
    upsertP99Us: percentile(timings, 0.99),
    upsertP50Us: percentile(timings, 0.5),
    baselineP50Us: percentile(baseline, 0.5),
    baselineP99Us: percentile(baseline, 0.99),
    finalMatch: stored === text,
  };
}

/** One request per delta, every chunk re-sent: creates new chunks, updates the others. */
async function naive(text: string): Promise<number> {
  const api = new FakeStreamApi({ apiKey: 'k', apiSecret: 's' });
  api.addUser('agent');
  const server = await startFakeStreamApi(api);
  const client = new StreamClient('k', 's', { basePath: server.url });
  const channel = client.chat.channel('messaging', 'naive-call');
  await channel.getOrCreate({ data: { created_by_id: 'agent' } });
  const deltaChars = text.length / DELTAS;
  let content = '';
  let created = 0;
  for (let index = 0; index < DELTAS; index++) {
    content += text.slice(Math.round(index * deltaChars), Math.round((index + 1) * deltaChars));
    const chunks = splitIntoChunks(content);
    for (const [chunkIndex, chunk] of chunks.entries()) {
      const id = `naive-${chunkIndex}`;
      if (chunkIndex >= created) {
        await channel.sendMessage({ message: { id, text: chunk, user_id: 'agent' } });
        created++;
      } else {
        await client.chat.updateMessagePartial({ id, set: { text: chunk }, user_id: 'agent' });
      }
    }
  }
  await server.close();
  return api.requests.length;
}

const text = reply();
const result = await ours(text);
const naiveRequests = await naive(text);
const round2 = (value: number) => Number(value.toFixed(2));
console.log(
  JSON.stringify({
    bench: 'conversation',
    upsert_p50_us: round2(result.upsertP50Us),
    upsert_p99_us: round2(result.upsertP99Us),
    baseline_map_set_p50_us: round2(result.baselineP50Us),
    baseline_map_set_p99_us: round2(result.baselineP99Us),
    upsert_vs_baseline_p50: round2(result.upsertP50Us / result.baselineP50Us),
    requests: result.requests,
    naive_requests: naiveRequests,
    ratio: Number((naiveRequests / result.requests).toFixed(1)),
    final_match: result.finalMatch,
  }),
);
process.exit(0);
