/**
 * Keeps one agent's failure from hanging up every other call on the node. Sessions run in
 * this process, so an error that escapes an agent (a rejected promise nobody awaited, an
 * exception thrown from one of its timers or sockets) would, by Node's default, end the
 * process. Instead it is logged, counted (agents_errors_total{source="unhandled"}) and the
 * node keeps serving; the session it came from ends through its own error handling.
 *
 * The trade-off is deliberate: after an uncaught exception the process may hold half-updated
 * state, so the count is on /metrics for an alert, and a node that keeps failing should be
 * drained and replaced (its readiness is unaffected by design: one bad call is not a bad node).
 */
import type { Logger } from '../core/logger.js';
import type { WorkerMetrics } from '../http/metrics.js';

/** Installs the handlers; returns a function that removes them. */
export function installCrashGuard(logger: Logger, metrics?: WorkerMetrics): () => void {
  const onRejection = (reason: unknown) => {
    metrics?.errors.inc({ source: 'unhandled' });
    logger.error({ err: reason }, 'unhandled promise rejection (the process keeps running)');
  };
  const onException = (error: Error, origin: string) => {
    metrics?.errors.inc({ source: 'unhandled' });
    logger.error({ err: error, origin }, 'uncaught exception (the process keeps running)');
  };
  process.on('unhandledRejection', onRejection);
  process.on('uncaughtException', onException);
  return () => {
    process.off('unhandledRejection', onRejection);
    process.off('uncaughtException', onException);
  };
}
