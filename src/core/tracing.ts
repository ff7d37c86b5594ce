/**
 * Traces, through `@opentelemetry/api` only. The library never loads an SDK: with none
 * registered (the default) every span here is the API's non-recording span, which records
 * nothing and costs an allocation; a process that registers one (src/telemetry/otlp.ts for
 * `serve` and `npm run agent`) gets real spans. The helpers end spans in `finally` and record
 * failures with their secrets scrubbed.
 *
 * Long-lived work (a session, a call) keeps its span's context and passes it as `parent`
 * explicitly; short work nested in a request uses the active context.
 */
import { createRequire } from 'node:module';
import {
  context,
  SpanKind,
  SpanStatusCode,
  trace,
  type Attributes,
  type Context,
  type Link,
  type Span,
  type Tracer,
} from '@opentelemetry/api';
import { toError } from './errors.js';
import { scrubSecrets } from './scrub-secrets.js';

export { SpanKind, type Attributes, type Context, type Span };

/** The instrumentation scope every span of the project carries. */
export const TRACER_NAME = 'stream-gemini-agents';
/** The package's version: the scope's version, and `service.version` when traces are exported. */
export const { version: PACKAGE_VERSION } = createRequire(import.meta.url)('../../package.json') as { version: string };

/** A proxy until an SDK registers; it then hands out that SDK's tracer. */
const tracer: Tracer = trace.getTracer(TRACER_NAME, PACKAGE_VERSION);

export interface SpanOptions {
  attributes?: Attributes;
  kind?: SpanKind;
  /** The parent's context; default: the active one. */
  parent?: Context;
  links?: Link[];
  /** Start a new trace, whatever is active (for long-lived work started by a short request). */
  root?: boolean;
}

export function startSpan(name: string, options: SpanOptions = {}): Span {
  const { parent = context.active(), ...spanOptions } = options;
  return tracer.startSpan(name, spanOptions, parent);
}

/** The context in which `span` is the parent of what starts next. */
export function contextOf(span: Span, parent: Context = context.active()): Context {
  return trace.setSpan(parent, span);
}

/**
 * Runs `work` with a new span active, so spans it starts (across awaits) are its children.
 * The span ends when `work` settles; a failure is recorded on it and rethrown.
 */
export async function inSpan<T>(name: string, options: SpanOptions, work: (span: Span) => T | Promise<T>): Promise<T> {
  const span = startSpan(name, options);
  try {
    return await context.with(contextOf(span, options.parent), () => work(span));
  } catch (thrown) {
    recordFailure(span, thrown);
    throw thrown;
  } finally {
    span.end();
  }
}

/** Ends `span` when `promise` settles (recording a failure), without making it active. */
export function endWhenSettled<T>(span: Span, promise: Promise<T>): Promise<T> {
  return promise.then(
    (value) => {
      span.end();
      return value;
    },
    (thrown: unknown) => {
      recordFailure(span, thrown);
      span.end();
      throw thrown;
    },
  );
}

/**
 * Marks `span` failed: error status, `error.type` (the error's code, else its name) and an
 * exception event. Messages and stacks are scrubbed of credentials first.
 */
export function recordFailure(span: Span, thrown: unknown, errorType?: string): void {
  if (!span.isRecording()) return;
  const error = toError(thrown);
  const message = scrubSecrets(error.message);
  span.recordException({ name: error.name, message, ...(error.stack ? { stack: scrubSecrets(error.stack) } : {}) });
  span.setStatus({ code: SpanStatusCode.ERROR, message });
  span.setAttribute('error.type', errorType ?? codeOf(error) ?? error.name);
}

/** Marks `span` failed with a message of our own (no exception to record). */
export function recordFailureMessage(span: Span, message: string, errorType: string): void {
  if (!span.isRecording()) return;
  span.setStatus({ code: SpanStatusCode.ERROR, message: scrubSecrets(message) });
  span.setAttribute('error.type', errorType);
}

/** Links to the active span, if any: how long-lived work remembers the request that started it. */
export function linksToActive(): Link[] {
  const active = trace.getSpan(context.active())?.spanContext();
  return active && trace.isSpanContextValid(active) ? [{ context: active }] : [];
}

function codeOf(error: Error): string | undefined {
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' && code !== '' ? code : undefined;
}
