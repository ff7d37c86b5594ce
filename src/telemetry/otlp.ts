/**
 * Trace export over OTLP/HTTP (JSON), for the processes we run: a NodeTracerProvider (with the
 * AsyncLocalStorage context manager and W3C propagation) whose BatchSpanProcessor hands spans
 * to the OTLP/HTTP exporter. The exporter reads the standard variables itself: the endpoint
 * (`OTEL_EXPORTER_OTLP_ENDPOINT` + `/v1/traces`, or `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT` as
 * is), `OTEL_EXPORTER_OTLP_HEADERS` (an API key for a hosted backend), timeout, compression.
 * The resource: `service.name` from `OTEL_SERVICE_NAME` (default `stream-gemini-agents`), the
 * package version, and `OTEL_RESOURCE_ATTRIBUTES`.
 *
 * Loaded only through start-telemetry.ts, never from the library's entry.
 */
import { diag, DiagLogLevel, type DiagLogger } from '@opentelemetry/api';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { defaultResource, detectResources, envDetector, resourceFromAttributes } from '@opentelemetry/resources';
import { BatchSpanProcessor, NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import { withDeadline } from '../core/deadline.js';
import type { Logger } from '../core/logger.js';
import { scrubSecrets } from '../core/scrub-secrets.js';
import { PACKAGE_VERSION } from '../core/tracing.js';
import type { Telemetry } from './start-telemetry.js';

export const DEFAULT_SERVICE_NAME = 'stream-gemini-agents';
/** How long shutdown waits for the last export (a collector that does not answer must not hold the exit). */
const SHUTDOWN_TIMEOUT_MS = 5_000;

export function startOtlpTraceExport(logger: Logger): Telemetry {
  // The SDK reports its own trouble (an export that failed) through `diag`: into our logs.
  diag.setLogger(diagToPino(logger), DiagLogLevel.WARN);
  const resource = defaultResource()
    .merge(resourceFromAttributes({ 'service.name': DEFAULT_SERVICE_NAME, 'service.version': PACKAGE_VERSION }))
    .merge(detectResources({ detectors: [envDetector] }));
  const exporter = new OTLPTraceExporter();
  const provider = new NodeTracerProvider({ resource, spanProcessors: [new BatchSpanProcessor(exporter)] });
  provider.register();
  logger.info({ serviceName: resource.attributes['service.name'], endpoint: endpointOrigin() }, 'exporting traces over OTLP/HTTP');

  let stopping: Promise<void> | undefined;
  return {
    shutdown: () =>
      (stopping ??= withDeadline(provider.shutdown(), SHUTDOWN_TIMEOUT_MS, 'the trace exporter').catch((error: unknown) => {
        logger.warn({ err: error }, 'the last traces may not have been exported');
      })),
  };
}

/** Where spans go, without a path or credentials that a URL could carry. */
function endpointOrigin(): string | undefined {
  const url = process.env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT || process.env.OTEL_EXPORTER_OTLP_ENDPOINT;
  try {
    return url ? new URL(url).origin : undefined;
  } catch {
    return undefined;
  }
}

function diagToPino(logger: Logger): DiagLogger {
  const log = (level: 'error' | 'warn' | 'info' | 'debug') => (message: string, ...args: unknown[]) =>
    logger[level]({ detail: args.length > 0 ? scrubSecrets(args.map(String).join(' ')) : undefined }, scrubSecrets(message));
  return { error: log('error'), warn: log('warn'), info: log('info'), debug: log('debug'), verbose: log('debug') };
}
