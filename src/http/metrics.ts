/**
 * The worker's Prometheus registry (prom-client): Node's default process metrics plus what an
 * operator of voice agents watches: sessions (active, started, refused, failed, how long they
 * lasted, how long they took to join), turn latencies and interruptions, completion request
 * durations, conversation sync retries and failures, audio underruns.
 *
 * Durations are in seconds here, unlike the rest of the code base, because that is the
 * Prometheus convention that dashboards and alert rules expect (the unit is in every name).
 * One registry per worker (not prom-client's global one), so tests and embedding apps can run
 * several side by side.
 */
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

export class WorkerMetrics {
  readonly registry = new Registry();

  readonly sessionsActive = new Gauge({
    name: 'agents_sessions_active',
    help: 'Agent sessions running on this node (starting or joined).',
    registers: [this.registry],
  });
  readonly sessionsStarted = new Counter({
    name: 'agents_sessions_started_total',
    help: 'Agent sessions that joined their call.',
    registers: [this.registry],
  });
  readonly sessionsRefused = new Counter({
    name: 'agents_sessions_refused_total',
    help: 'Session requests refused: node_limit (MAX_SESSIONS), call_limit (MAX_SESSIONS_PER_CALL), draining, registry_recovering (the registry lost its state and waits for running sessions to re-assert theirs).',
    labelNames: ['reason'] as const,
    registers: [this.registry],
  });
  readonly sessionsFailed = new Counter({
    name: 'agents_sessions_failed_total',
    help: 'Sessions that crashed: stage=start (the agent could not join) or stage=running.',
    labelNames: ['stage'] as const,
    registers: [this.registry],
  });
  readonly sessionStartSeconds = new Histogram({
    name: 'agents_session_start_seconds',
    help: 'From the session request to the agent having joined the call.',
    buckets: [0.1, 0.25, 0.5, 1, 2, 3, 5, 10, 30],
    registers: [this.registry],
  });
  readonly sessionDurationSeconds = new Histogram({
    name: 'agents_session_duration_seconds',
    help: 'How long sessions lasted, by why they ended.',
    labelNames: ['end_reason'] as const,
    buckets: [10, 30, 60, 120, 300, 600, 1200, 1800, 3600, 7200],
    registers: [this.registry],
  });
  readonly turnResponseLatencySeconds = new Histogram({
    name: 'agents_turn_response_latency_seconds',
    help: "End of the user's speech to the agent's first audio or text.",
    buckets: [0.1, 0.2, 0.3, 0.5, 0.75, 1, 1.5, 2, 3, 5, 10],
    registers: [this.registry],
  });
  readonly turnsTotal = new Counter({
    name: 'agents_turns_total',
    help: 'Agent turns, by whether the user interrupted them.',
    labelNames: ['interrupted'] as const,
    registers: [this.registry],
  });
  readonly completionDurationSeconds = new Histogram({
    name: 'agents_completion_request_duration_seconds',
    help: 'Stateless completion requests, from arrival to the last byte, by HTTP status.',
    labelNames: ['status'] as const,
    buckets: [0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 120, 300, 800],
    registers: [this.registry],
  });
  readonly rateLimitLocalDecisions = new Counter({
    name: 'agents_rate_limit_local_decisions_total',
    help: "Rate-limit checks decided by this node's own bucket because the shared store (Redis) was unavailable (rate limiting fails open).",
    registers: [this.registry],
  });
  readonly conversationSyncRetries = new Counter({
    name: 'agents_conversation_sync_retries_total',
    help: 'Transcript writes to the Conversation backend (Stream Chat) that were retried.',
    registers: [this.registry],
  });
  readonly conversationSyncFailures = new Counter({
    name: 'agents_conversation_sync_failures_total',
    help: 'Transcript writes that failed for good after their retries.',
    registers: [this.registry],
  });
  readonly audioUnderruns = new Counter({
    name: 'agents_audio_underruns_total',
    help: "Times the agent's outgoing audio ran dry mid-reply (the model was slower than real time).",
    registers: [this.registry],
  });
  readonly errors = new Counter({
    name: 'agents_errors_total',
    help: 'Errors reported by agents (source=agent) or escaping them (source=unhandled).',
    labelNames: ['source'] as const,
    registers: [this.registry],
  });

  constructor(options: { defaultMetrics?: boolean; labels?: Record<string, string> } = {}) {
    if (options.labels) this.registry.setDefaultLabels(options.labels);
    if (options.defaultMetrics ?? true) collectDefaultMetrics({ register: this.registry });
  }

  /** The registry in Prometheus text format, and its content type. */
  async scrape(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }
}
