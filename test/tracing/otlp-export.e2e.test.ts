/**
 * One real OTLP/HTTP round trip: `src/cli.ts serve` in its own process with the standard
 * OpenTelemetry variables pointing at a local receiver, one completion against the Gemini fake,
 * then SIGTERM. The spans must arrive before the process exits, as JSON, with the service's
 * resource, and without any key the process was given.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeGemini } from '../../testing/gemini/index.js';
import { spawnWorker } from '../worker/worker-process.js';

interface OtlpValue {
  stringValue?: string;
  intValue?: number | string;
  boolValue?: boolean;
  doubleValue?: number;
  arrayValue?: { values: OtlpValue[] };
}
interface OtlpAttribute {
  key: string;
  value: OtlpValue;
}
interface OtlpSpan {
  name: string;
  spanId: string;
  parentSpanId?: string;
  attributes: OtlpAttribute[];
}
interface OtlpExport {
  resourceSpans: { resource: { attributes: OtlpAttribute[] }; scopeSpans: { scope: { name: string }; spans: OtlpSpan[] }[] }[];
}

/** A collector's OTLP/HTTP endpoint, as small as it gets: records what is POSTed to /v1/traces. */
class TraceReceiver {
  readonly bodies: string[] = [];
  readonly contentTypes: string[] = [];
  readonly #server: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      if (request.method !== 'POST' || request.url !== '/v1/traces') {
        response.writeHead(404).end();
        return;
      }
      const body = Buffer.concat(chunks);
      this.bodies.push((request.headers['content-encoding'] === 'gzip' ? gunzipSync(body) : body).toString('utf8'));
      this.contentTypes.push(String(request.headers['content-type']));
      response.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });

  async start(): Promise<string> {
    await new Promise<void>((resolve) => this.#server.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.#server.address() as AddressInfo).port}`;
  }

  exports(): OtlpExport[] {
    return this.bodies.map((body) => JSON.parse(body) as OtlpExport);
  }

  close(): Promise<void> {
    this.#server.closeAllConnections();
    return new Promise((resolve) => this.#server.close(() => resolve()));
  }
}

const valueOf = (value: OtlpValue): unknown =>
  value.stringValue ?? (value.intValue !== undefined ? Number(value.intValue) : undefined) ?? value.boolValue ?? value.doubleValue ?? value.arrayValue?.values.map(valueOf);
const attributesOf = (attributes: OtlpAttribute[]) => Object.fromEntries(attributes.map(({ key, value }) => [key, valueOf(value)]));

const GEMINI_KEY = 'gemini-secret-for-the-otlp-test';
const WORKER_KEY = 'worker-secret-for-the-otlp-test';

let receiver: TraceReceiver;
let fake: FakeGemini;
let receiverUrl: string;
let geminiUrl: string;
beforeAll(async () => {
  receiver = new TraceReceiver();
  receiverUrl = await receiver.start();
  fake = new FakeGemini();
  geminiUrl = await fake.start();
});
afterAll(async () => {
  await fake.close();
  await receiver.close();
});

describe('OTLP/HTTP export from `serve`', () => {
  it('exports the completion span with its model call to the endpoint, flushed on SIGTERM', async () => {
    fake.script({ text: 'Traced answer.', usage: { promptTokenCount: 7, candidatesTokenCount: 3, totalTokenCount: 10 } });
    const worker = await spawnWorker(
      {
        GOOGLE_API_KEY: GEMINI_KEY,
        GOOGLE_GEMINI_BASE_URL: geminiUrl,
        WORKER_API_KEYS: WORKER_KEY,
        OTEL_EXPORTER_OTLP_ENDPOINT: receiverUrl,
        OTEL_SERVICE_NAME: 'agents-under-test',
        OTEL_RESOURCE_ATTRIBUTES: 'deployment.environment.name=test',
      },
      WORKER_KEY,
    );
    const response = await worker.request('POST', '/api/v1/conversation/complete', {
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ backstory: 'B.', messages: [{ type: 'user', text: 'Hello?' }] }),
    });
    expect(await response.json()).toMatchObject({ text: 'Traced answer.', end: { reason: 'stop' } });
    // Nothing is exported yet (the batch waits); the shutdown sends it before the exit.
    await expect(worker.stop('SIGTERM')).resolves.toBe(0);

    expect(receiver.bodies.length).toBeGreaterThan(0);
    expect(receiver.contentTypes.every((type) => type.startsWith('application/json'))).toBe(true);
    const resourceSpans = receiver.exports().flatMap((body) => body.resourceSpans);
    expect(attributesOf(resourceSpans[0]!.resource.attributes)).toMatchObject({
      'service.name': 'agents-under-test',
      'service.version': expect.any(String),
      'deployment.environment.name': 'test',
      'telemetry.sdk.language': 'nodejs',
    });
    const spans = resourceSpans.flatMap((entry) => entry.scopeSpans.filter((scope) => scope.scope.name === 'stream-gemini-agents').flatMap((scope) => scope.spans));
    const completion = spans.find((span) => span.name === 'completion');
    expect(completion).toBeDefined();
    expect(attributesOf(completion!.attributes)).toMatchObject({
      'completion.route': 'stateless',
      'completion.mode': 'json',
      'completion.end_reason': 'stop',
      'completion.tokens': 10,
      'gen_ai.request.model': 'gemini-2.5-flash',
      'gen_ai.provider.name': 'gcp.gemini',
    });
    const modelCall = spans.find((span) => span.name === 'generate_content gemini-2.5-flash');
    expect(modelCall?.parentSpanId).toBe(completion!.spanId);
    expect(attributesOf(modelCall!.attributes)).toMatchObject({ 'gen_ai.usage.input_tokens': 7, 'gen_ai.usage.output_tokens': 3 });

    // No key the process holds leaves it in a span.
    const exported = receiver.bodies.join('\n');
    expect(exported).not.toContain(GEMINI_KEY);
    expect(exported).not.toContain(WORKER_KEY);
  });
});
