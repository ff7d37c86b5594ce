/**
 * Turns trace export on for a process we run (`serve`, `npm run agent`) when the standard
 * OpenTelemetry variables ask for it, and only then loads the SDK, so a process without them
 * starts as fast as before and its spans stay the API's no-op ones.
 *
 * On: OTEL_EXPORTER_OTLP_ENDPOINT or OTEL_EXPORTER_OTLP_TRACES_ENDPOINT is set, and neither
 * OTEL_SDK_DISABLED=true nor OTEL_TRACES_EXPORTER=none says otherwise.
 */
import type { Logger } from '../core/logger.js';

export interface Telemetry {
  /** Exports the spans still buffered and stops; bounded, never throws. Call before exiting. */
  shutdown(): Promise<void>;
}

export function tracesRequested(env: NodeJS.ProcessEnv = process.env): boolean {
  const endpoint = env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT?.trim() || env.OTEL_EXPORTER_OTLP_ENDPOINT?.trim();
  if (!endpoint) return false;
  if (env.OTEL_SDK_DISABLED?.trim().toLowerCase() === 'true') return false;
  return env.OTEL_TRACES_EXPORTER?.trim().toLowerCase() !== 'none';
}

/** The running telemetry, or undefined when the environment does not ask for traces. */
export async function startTelemetry(logger: Logger, env: NodeJS.ProcessEnv = process.env): Promise<Telemetry | undefined> {
  if (!tracesRequested(env)) return undefined;
  const { startOtlpTraceExport } = await import('./otlp.js');
  return startOtlpTraceExport(logger);
}
