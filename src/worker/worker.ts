/**
 * The worker on an HTTP server: the sessions API, `/ready` and `/metrics`, added to the app
 * that `createServer` built (so the completion API, CORS, auth and error handling are shared).
 *
 *   const stores = await openStores({ redisUrl: config.worker.redisUrl });
 *   const metrics = new WorkerMetrics();
 *   const rateLimiter = workerRateLimiter(config, stores.keyValue, metrics, logger);   // one per node
 *   const app = await createServer({ config, llm, store: stores.keyValue, rateLimiter });
 *   const worker = await Worker.attach(app, { config, factory, sessions: stores.sessions, keyValue: stores.keyValue, rateLimiter, metrics });
 *   await app.listen({ port: 8080 });
 *   await worker.start();                  // /ready turns 200
 *   // SIGTERM:
 *   await worker.drain(config.worker.drainTimeoutMs);   // /ready 503 at once, sessions closed
 *   await app.close(); await worker.close(); await stores.close();
 */
import type { FastifyInstance } from 'fastify';
import type { Config } from '../config.js';
import { childLogger, createLogger, type Logger } from '../core/logger.js';
import type { SessionStore } from '../store/session-store.js';
import type { KeyValueStore } from '../store/store.js';
import { ApiKeys } from '../http/api-keys.js';
import { registerReadinessRoute } from '../http/readiness-route.js';
import { WorkerMetrics } from '../http/metrics.js';
import { registerMetricsRoute } from '../http/metrics-route.js';
import { RateLimiter } from '../http/rate-limit.js';
import type { AgentFactory } from './session-agent.js';
import { SessionManager, type DrainResult, type SessionManagerTiming } from './session-manager.js';
import { registerSessionRoutes, type AuthorizeCall } from './session-routes.js';

export interface WorkerOptions {
  config: Config;
  /** Starts one agent in a call, e.g. agentFactoryFromDefinition(definition, { config }). */
  factory: AgentFactory;
  /** The session registry: MemorySessionStore for one node, RedisSessionStore for several. */
  sessions: SessionStore;
  /** The store the server's rate limits use, so session routes share each key's bucket. */
  keyValue: KeyValueStore;
  /** The server's limiter, so both share one bucket per key even when it falls back to this node's; default one on `keyValue`. */
  rateLimiter?: RateLimiter;
  /** Lets an embedding app decide per call, after the key is checked; false answers 403. */
  authorizeCall?: AuthorizeCall;
  /** Runs before /ready turns 200, e.g. to load heavy modules before the first session. */
  warmUp?: () => Promise<void>;
  metrics?: WorkerMetrics;
  nodeId?: string;
  timing?: SessionManagerTiming;
  logger?: Logger;
}

export class Worker {
  readonly manager: SessionManager;
  readonly metrics: WorkerMetrics;
  readonly #options: WorkerOptions;
  readonly #logger: Logger;
  #warm = false;
  #starting: Promise<void> | undefined;

  private constructor(options: WorkerOptions) {
    this.#options = options;
    this.#logger = options.logger ?? createLogger('worker');
    this.metrics = options.metrics ?? new WorkerMetrics();
    const { worker } = options.config;
    this.manager = new SessionManager({
      factory: options.factory,
      store: options.sessions,
      limits: {
        maxSessions: worker.maxSessions,
        maxSessionsPerCall: worker.maxSessionsPerCall,
        idleTimeoutMs: worker.idleTimeoutMs,
        maxSessionDurationMs: worker.maxSessionDurationMs,
      },
      timing: options.timing,
      nodeId: options.nodeId,
      metrics: this.metrics,
      logger: childLogger(this.#logger, { component: 'worker.sessions' }),
    });
  }

  /** Adds the worker's routes to `app`; call before `app.listen()`. */
  static async attach(app: FastifyInstance, options: WorkerOptions): Promise<Worker> {
    const worker = new Worker(options);
    const { server } = options.config;
    await registerSessionRoutes(app, {
      manager: worker.manager,
      keys: new ApiKeys(server.apiKeys, server.adminKey),
      limiter: options.rateLimiter ?? workerRateLimiter(options.config, options.keyValue, worker.metrics, worker.#logger),
      authorizeCall: options.authorizeCall,
    });
    registerReadinessRoute(app, {
      isWarm: () => worker.#warm,
      isDraining: () => worker.manager.isDraining,
      pingStore: () => options.sessions.ping(),
      details: () => ({ nodeId: worker.manager.nodeId, sessions: worker.manager.activeCount }),
    });
    registerMetricsRoute(app, worker.metrics);
    return worker;
  }

  get nodeId(): string {
    return this.manager.nodeId;
  }

  /** Subscribes to close requests, runs the warm-up; then /ready answers 200. Idempotent. */
  start(): Promise<void> {
    this.#starting ??= (async () => {
      await this.manager.open();
      await this.#options.warmUp?.();
      this.#warm = true;
    })();
    return this.#starting;
  }

  /** Stops taking sessions (/ready turns 503 at once) and closes them all within `timeoutMs`. */
  drain(timeoutMs = this.#options.config.worker.drainTimeoutMs): Promise<DrainResult> {
    return this.manager.drain(timeoutMs);
  }

  /** Drains if not yet, then stops the heartbeat and subscriptions. Does not close the stores or the app. */
  close(): Promise<void> {
    return this.manager.close({ drainTimeoutMs: this.#options.config.worker.drainTimeoutMs });
  }
}

/** The per-key limiter of a worker: on the shared store, its fallback to this node's buckets counted in /metrics. */
export function workerRateLimiter(config: Config, store: KeyValueStore, metrics: WorkerMetrics, logger: Logger): RateLimiter {
  return new RateLimiter(store, {
    perMinute: config.server.rateLimitPerMinute,
    burst: config.server.rateLimitBurst,
    onLocalDecision: () => metrics.rateLimitLocalDecisions.inc(),
    logger,
  });
}
