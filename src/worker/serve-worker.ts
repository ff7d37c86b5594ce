/**
 * A whole worker node in one call, for `agent serve`: the stores (Redis when REDIS_URL is
 * set), the HTTP server with the completion API, the sessions API, /ready and /metrics,
 * listening on HOST:PORT; and the shutdown that a SIGTERM deserves: stop accepting, close
 * every session (transcripts flushed) within DRAIN_TIMEOUT_MS, close the server and stores.
 */
import type { FastifyInstance } from 'fastify';
import { createLogger, type Logger } from '../core/logger.js';
import { openStores, type WorkerStores } from '../store/open-stores.js';
import { createServer, type ServerOptions } from '../completion/create-server.js';
import { WorkerMetrics } from '../http/metrics.js';
import { ConfigError } from '../core/errors.js';
import { installCrashGuard } from './crash-guard.js';
import type { AgentFactory } from './session-agent.js';
import type { AuthorizeCall } from './session-routes.js';
import type { DrainResult } from './session-manager.js';
import { agentWorker } from './agent-worker-plugin.js';
import { type Worker, workerRateLimiter } from './worker.js';

export interface ServeWorkerOptions {
  /** Everything createServer takes except the store, which the worker opens. */
  server: Omit<ServerOptions, 'store'>;
  /**
   * Starts the agent of each session, e.g. `agentFactoryFromDefinition(definition, { config })`.
   * Without one the worker serves completions only, and a session request fails saying so.
   */
  factory?: AgentFactory;
  authorizeCall?: AuthorizeCall;
  warmUp?: () => Promise<void>;
  logger?: Logger;
}

export interface ServingWorker {
  /** `http://host:port` */
  address: string;
  app: FastifyInstance;
  worker: Worker;
  stores: WorkerStores;
  /** Drains sessions, then closes the server and the stores; says what the drain closed and abandoned. Idempotent. */
  shutdown(reason: string): Promise<DrainResult>;
}

export async function serveWorker(options: ServeWorkerOptions): Promise<ServingWorker> {
  const { config } = options.server;
  const logger = options.logger ?? createLogger('worker');
  const factory = options.factory ?? noAgent(logger);
  const stores = await openStores({ redisUrl: config.worker.redisUrl, logger });
  // One limiter for the API and the sessions routes, so a key has one bucket on this node too
  // when the store is down, and the fallback shows in /metrics.
  const metrics = new WorkerMetrics();
  const rateLimiter = workerRateLimiter(config, stores.keyValue, metrics, logger);
  const uninstallCrashGuard = installCrashGuard(logger, metrics);
  let app: FastifyInstance | undefined;
  try {
    app = await createServer({ ...options.server, store: stores.keyValue, rateLimiter });
    let attached: Worker | undefined;
    await app.register(agentWorker, {
      config,
      factory,
      sessions: stores.sessions,
      keyValue: stores.keyValue,
      rateLimiter,
      metrics,
      authorizeCall: options.authorizeCall,
      warmUp: options.warmUp,
      logger,
      onWorker: (registered) => (attached = registered),
    });
    // listen() readies the app, which starts the worker (the plugin's onReady).
    const address = await app.listen({ host: config.server.host, port: config.server.port });
    const worker = attached!;
    logger.info(
      { address, nodeId: worker.nodeId, store: stores.kind, maxSessions: config.worker.maxSessions, maxSessionsPerCall: config.worker.maxSessionsPerCall },
      'worker ready',
    );

    let shuttingDown: Promise<DrainResult> | undefined;
    const shutdown = (reason: string) =>
      (shuttingDown ??= (async () => {
        logger.info({ reason, sessions: worker.manager.activeCount, drainTimeoutMs: config.worker.drainTimeoutMs }, 'draining');
        const drained = await worker.drain(config.worker.drainTimeoutMs);
        logger.info(drained, 'drained');
        await app!.close(); // the plugin's preClose stops the worker (the drain above is done)
        await stores.close();
        uninstallCrashGuard();
        return drained;
      })());
    return { address, app, worker, stores, shutdown };
  } catch (error) {
    await app?.close();
    await stores.close();
    uninstallCrashGuard();
    throw error;
  }
}

/** The factory of a worker without an agent: it serves completions, and a session request fails saying why. */
function noAgent(logger: Logger): AgentFactory {
  const missing = new ConfigError(
    'This worker has no agent: start it with `stream-agents serve <agent file>`, or pass serveWorker a factory.',
    [],
  );
  logger.info('no agent: serving completions only; session requests are refused');
  return async () => {
    throw missing;
  };
}

/**
 * SIGTERM / SIGINT: shut down gracefully, then resolve with the exit code: 0, or 1 when the
 * drain had to abandon sessions (DRAIN_TIMEOUT_MS ran out while agents were still closing) or
 * the shutdown failed, so an orchestrator sees that the shutdown was not clean. A second signal
 * while draining exits at once with 1. `held`: the signals held while starting; one that came
 * is acted on at once.
 */
export function shutdownOnSignals(serving: ServingWorker, logger: Logger = createLogger('worker'), held?: HeldSignals): Promise<number> {
  return new Promise((resolve) => {
    let received = false;
    const onSignal = (signal: NodeJS.Signals) => {
      if (received) {
        logger.warn({ signal }, 'second signal: exiting without waiting for the drain');
        process.exit(1);
      }
      received = true;
      serving.shutdown(signal).then(
        ({ abandoned }) => {
          if (abandoned > 0) logger.error({ abandoned }, 'exiting with 1: the drain abandoned sessions');
          resolve(abandoned > 0 ? 1 : 0);
        },
        (error: unknown) => {
          logger.error({ err: error }, 'shutdown failed');
          resolve(1);
        },
      );
    };
    process.on('SIGTERM', onSignal);
    process.on('SIGINT', onSignal);
    // Released only now: between the two, a signal would find no listener and kill the process.
    const early = held?.release();
    if (early) onSignal(early);
  });
}

/**
 * Holds SIGTERM and SIGINT from now until the worker is serving, so one that comes while it
 * starts (an orchestrator scaling down at once) drains it as soon as it can instead of killing
 * it. Hand it to shutdownOnSignals, which releases it once its own handlers are in place.
 */
export interface HeldSignals {
  /** Stops holding; says which signal came first, if any. */
  release(): NodeJS.Signals | undefined;
}

export function holdSignalsWhileStarting(): HeldSignals {
  let received: NodeJS.Signals | undefined;
  const hold = (signal: NodeJS.Signals) => (received ??= signal);
  process.on('SIGTERM', hold);
  process.on('SIGINT', hold);
  return {
    release() {
      process.off('SIGTERM', hold);
      process.off('SIGINT', hold);
      return received;
    },
  };
}

/** shutdownOnSignals, then exit with its code (explicitly: wrtc can crash a process that exits by itself). */
export function exitOnSignals(serving: ServingWorker, logger: Logger = createLogger('worker')): void {
  void shutdownOnSignals(serving, logger).then((code) => process.exit(code));
}
