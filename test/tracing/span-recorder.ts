/**
 * Spans of this test process, in memory: the real SDK (NodeTracerProvider, with its
 * AsyncLocalStorage context manager) exporting each ended span at once to an
 * InMemorySpanExporter. Registered once per process (vitest forks a process per file).
 */
import { context, trace } from '@opentelemetry/api';
import { InMemorySpanExporter, NodeTracerProvider, SimpleSpanProcessor, type ReadableSpan } from '@opentelemetry/sdk-trace-node';
import { waitFor } from '../support/wait.js';

export type { ReadableSpan };

let exporter: InMemorySpanExporter | undefined;

function recorder(): InMemorySpanExporter {
  if (exporter) return exporter;
  exporter = new InMemorySpanExporter();
  new NodeTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] }).register();
  return exporter;
}

/** Starts recording (idempotent); call before the code under test runs. */
export function recordSpans(): void {
  recorder();
}

export function resetSpans(): void {
  recorder().reset();
}

export function finishedSpans(): ReadableSpan[] {
  return recorder().getFinishedSpans();
}

export function spansNamed(name: string | RegExp): ReadableSpan[] {
  return finishedSpans().filter((span) => (typeof name === 'string' ? span.name === name : name.test(span.name)));
}

/** The first ended span named `name` that satisfies `where`, waiting for it (condition-based). */
export function spanNamed(name: string | RegExp, where: (span: ReadableSpan) => boolean = () => true, timeoutMs = 10_000): Promise<ReadableSpan> {
  return waitFor(
    () => spansNamed(name).find(where),
    () => `an ended span ${String(name)}; ended spans: ${finishedSpans().map((span) => span.name).join(', ') || 'none'}`,
    timeoutMs,
  );
}

export function isChildOf(child: ReadableSpan, parent: ReadableSpan): boolean {
  return child.parentSpanContext?.spanId === parent.spanContext().spanId && child.spanContext().traceId === parent.spanContext().traceId;
}

/** Every attribute value, event and status message of the spans, as one string to search. */
export function exportedText(spans: ReadableSpan[] = finishedSpans()): string {
  return JSON.stringify(spans.map((span) => ({ name: span.name, attributes: span.attributes, events: span.events, status: span.status })));
}

/** Unregisters the SDK (tests that need the no-SDK path). */
export function stopRecording(): void {
  trace.disable();
  context.disable();
  exporter = undefined;
}
