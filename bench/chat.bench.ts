/**
 * bench:chat — the call's chat, read by the agent, against the fakes: the real StreamEdge (its
 * chat through the real stream-chat client over the fake's chat socket), the real GeminiRealtime
 * against the Live API fake. Prints progress lines, then one JSON line (last) with:
 *
 * - `typed_to_model_p50_ms` (goal < 5): from a typed message's event on the agent's chat socket
 *   (the channel's `message` event, as the client delivers it) to its text handed to the model
 *   (`sendText`), with the agent quiet. Everything on that path is ours: sorting the message,
 *   the rate limit, recording it in the conversation, the events. Its baseline is one turn of
 *   the event loop (a `setImmediate` hop) measured in the same run, the least any handoff costs.
 * - `history_load_ms`: opening the chat of a call whose channel holds 200 messages (typed ones
 *   and transcripts in chunks) and reading them as the history, p50 of the runs: connecting as
 *   the agent, watching the channel with its newest 200 messages, putting the transcripts back
 *   together. Its baseline is the same with an empty history (connect and watch alone).
 *
 *   npm run bench:chat        (BENCH_TYPED, default 60 typed messages; BENCH_HISTORY_RUNS, default 10)
 */
import './support/quiet-logs.js';
import { percentile, round } from './support/stats.js';

const TYPED = Number(process.env.BENCH_TYPED ?? 60);
const HISTORY_RUNS = Number(process.env.BENCH_HISTORY_RUNS ?? 10);
const HISTORY_MESSAGES = 200;

const { Agent } = await import('../src/agent/index.js');
const { GeminiRealtime } = await import('../src/llm/gemini/realtime.js');
const { FakeGeminiLive } = await import('../testing/gemini-live/index.js');
const { startStreamFakes } = await import('../test/edge/helpers.js');
const { historyContext } = await import('../src/agent/chat-history-context.js');

const log = (line: string) => console.error(`[bench:chat] ${line}`);
const stream = await startStreamFakes();
const live = await FakeGeminiLive.start();
stream.api.addUser('alice', { name: 'Alice' });
stream.api.addUser('bob', { name: 'Bob' });

const typed = await measureTyped();
log(`typed → model p50 ${typed.p50Ms.toFixed(3)} ms (p95 ${typed.p95Ms.toFixed(3)}), event-loop hop p50 ${typed.hopP50Ms.toFixed(3)} ms`);
const history = await measureHistory();
log(`history of ${HISTORY_MESSAGES} messages: ${history.fullP50Ms.toFixed(1)} ms (empty: ${history.emptyP50Ms.toFixed(1)} ms)`);

await live.close();
await stream.close();
console.log(
  JSON.stringify({
    bench: 'chat',
    typed_to_model_p50_ms: round(typed.p50Ms, 3),
    history_load_ms: round(history.fullP50Ms, 1),
    details: {
      typed_to_model_p95_ms: round(typed.p95Ms, 3),
      typed_messages: typed.samples,
      history_messages: HISTORY_MESSAGES,
      history_turns: history.turns,
      history_context_chars: history.contextChars,
      history_load_p95_ms: round(history.fullP95Ms, 1),
      history_runs: HISTORY_RUNS,
    },
    baselines: { event_loop_hop_p50_ms: round(typed.hopP50Ms, 3), empty_history_load_ms: round(history.emptyP50Ms, 1) },
    ratios: {
      typed_to_model_vs_event_loop_hop: round(typed.p50Ms / typed.hopP50Ms),
      history_load_vs_empty: round(history.fullP50Ms / history.emptyP50Ms),
    },
    goals: { typed_to_model_p50_ms: 5 },
  }),
);
process.exit(0);

/** One agent in a quiet call; people type one message at a time, each once the last answer has played. */
async function measureTyped() {
  live.script.defaultTurn = { answerText: ['ok'], answerAudioMs: 60 };
  const edge = stream.edge();
  const arrivedAt = new Map<string, number>();
  const sentAt: number[] = [];
  // The first listener on the chat's events, so its clock starts before the agent's own work.
  const openChat = edge.openChat.bind(edge);
  edge.openChat = async (call, options) => {
    const chat = await openChat(call, options);
    chat.events.on('message', ({ message }) => void arrivedAt.set(message.id, performance.now()));
    return chat;
  };
  const llm = new GeminiRealtime({ apiKey: live.apiKey, baseUrl: live.baseUrl });
  const connect = llm.connect.bind(llm);
  llm.connect = async (options) => {
    const session = await connect(options);
    const sendText = session.sendText.bind(session);
    session.sendText = (text, sendOptions) => {
      sentAt.push(performance.now());
      sendText(text, sendOptions);
    };
    return session;
  };
  const agent = new Agent({ edge, llm, agentUser: { id: 'bench-agent', name: 'Nova' }, chatRateLimit: { burst: 1_000, perMinute: 6_000 } });
  const call = await agent.createCall('default', 'typed');
  stream.video.call('typed').addParticipant({ userId: 'bench-human' });
  await agent.join(call);

  const latencies: number[] = [];
  const hops: number[] = [];
  for (let index = 0; index < TYPED; index++) {
    const turn = agent.events.next('chat.turn').then(({ messageIds }) => messageIds);
    const played = agent.events.next('agent.speech.stopped');
    stream.api.postMessage('messaging:typed', { userId: index % 2 ? 'bob' : 'alice', text: `message ${index}: what is on the agenda today?` });
    const [id] = await turn;
    latencies.push(sentAt.at(-1)! - arrivedAt.get(id!)!);
    await played;
    const hopStart = performance.now();
    await new Promise((resolve) => setImmediate(resolve));
    hops.push(performance.now() - hopStart);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  await agent.close();
  // The first few pay for the JIT warming up; they are kept (a real call has them too).
  return { p50Ms: percentile(latencies, 0.5), p95Ms: percentile(latencies, 0.95), hopP50Ms: percentile(hops, 0.5), samples: latencies.length };
}

/** Opening the chat of a channel of 200 messages (half typed, half transcripts in chunks), and of an empty one. */
async function measureHistory() {
  const edge = stream.edge();
  await edge.authenticate({ id: 'bench-agent', name: 'Nova' });
  const full = { type: 'default', id: 'history-full', cid: 'default:history-full' };
  const empty = { type: 'default', id: 'history-empty', cid: 'default:history-empty' };
  await (await edge.openChat(full, { historyMessages: 0 })).close();
  await (await edge.openChat(empty, { historyMessages: 0 })).close();
  for (let index = 0; index < HISTORY_MESSAGES; index++) {
    if (index % 2 === 0) {
      stream.api.postMessage('messaging:history-full', { userId: index % 4 ? 'bob' : 'alice', text: `Typed message ${index}, with a link https://example.com/${index}` });
    } else {
      // Transcripts, each turn in two chunks as a StreamConversation writes a long one, by the agent and by a person in turn.
      const turn = Math.floor(index / 4);
      const chunk = index % 4 === 1 ? 0 : 1;
      stream.api.postMessage('messaging:history-full', {
        userId: turn % 2 ? 'bench-agent' : 'alice',
        text: `Spoken words of turn ${turn}, part ${chunk}. `,
        custom: { chunk_group: `turn-${turn}`, chunk_index: chunk, total_chunks: 2, generating: false },
      });
    }
  }
  const fullMs: number[] = [];
  const emptyMs: number[] = [];
  let turns = 0;
  let contextChars = 0;
  for (let run = 0; run < HISTORY_RUNS; run++) {
    for (const [target, results] of [[full, fullMs], [empty, emptyMs]] as const) {
      const startedAt = performance.now();
      const chat = await edge.openChat(target, { historyMessages: HISTORY_MESSAGES });
      const context = historyContext(chat.history, { maxMessages: HISTORY_MESSAGES, maxChars: 1_000_000 });
      results.push(performance.now() - startedAt);
      if (target === full) {
        turns = chat.history.length;
        contextChars = context.reduce((sum, turn) => sum + turn.text.length, 0);
      }
      await chat.close();
    }
  }
  await edge.close();
  return {
    fullP50Ms: percentile(fullMs, 0.5),
    fullP95Ms: percentile(fullMs, 0.95),
    emptyP50Ms: percentile(emptyMs, 0.5),
    turns,
    contextChars,
  };
}
