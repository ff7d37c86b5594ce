import { describe, expect, it } from 'vitest';
import { InputAudioBatcher, decodePcm16, sampleRateOf } from '../../src/llm/gemini/live-audio.js';
import { toLiveFunctionDeclaration, toLiveSchema } from '../../src/llm/gemini/live-schema.js';
import { parseDurationMs } from '../../src/llm/gemini/live-timing.js';
import { LiveTurnTracker } from '../../src/llm/gemini/live-turns.js';
import type { RealtimeEvents } from '../../src/llm/realtime.js';
import { pcmToBase64, tone } from '../../testing/gemini-live/index.js';

describe('toLiveSchema', () => {
  it('keeps what Gemini Schema knows and drops or rewrites the rest', () => {
    const schema = {
      $schema: 'https://json-schema.org/draft/2020-12/schema',
      type: 'object',
      additionalProperties: false,
      $defs: { Unit: { type: 'string', enum: ['c', 'f'] } },
      properties: {
        city: { type: 'string', minLength: 1, format: 'email', examples: ['Oslo'] },
        unit: { $ref: '#/$defs/Unit', description: 'Temperature unit' },
        kind: { const: 'forecast' },
        days: { type: 'integer', minimum: 1, exclusiveMaximum: 15 },
        tags: { type: 'array', items: { type: 'string' }, uniqueItems: true },
        note: { anyOf: [{ type: 'string' }, { type: 'null' }] },
      },
      required: ['city'],
    };
    const before = structuredClone(schema);
    expect(toLiveSchema(schema)).toEqual({
      type: 'object',
      properties: {
        city: { type: 'string', minLength: 1 },
        unit: { type: 'string', enum: ['c', 'f'], description: 'Temperature unit' },
        kind: { type: 'string', enum: ['forecast'] },
        days: { type: 'integer', minimum: 1 },
        tags: { type: 'array', items: { type: 'string' } },
        note: { anyOf: [{ type: 'string' }, { type: 'null' }] },
      },
      required: ['city'],
    });
    expect(schema).toEqual(before);
  });

  it('declares a tool without arguments with no parameters at all', () => {
    expect(toLiveFunctionDeclaration({ name: 'hang_up', description: 'Ends the call.', parameters: { type: 'object', properties: {} } })).toEqual({
      name: 'hang_up',
      description: 'Ends the call.',
    });
  });

  it('follows a recursive reference to a bounded depth, then leaves the rest out', () => {
    const node = { type: 'object', properties: { value: { type: 'string' }, next: { $ref: '#/$defs/Node' } } };
    const schema = { type: 'object', properties: { head: { $ref: '#/$defs/Node' } }, $defs: { Node: node } };
    const converted = toLiveSchema(schema) as { properties: { head: Record<string, any> } };
    const chain: Record<string, any>[] = [];
    for (let level = converted.properties.head; Object.keys(level).length > 0; level = level.properties.next) chain.push(level);
    expect(chain[0]).toEqual({ type: 'object', properties: { value: { type: 'string' }, next: expect.objectContaining({ type: 'object' }) } });
    expect(chain.every((level) => level.type === 'object')).toBe(true);
    expect(chain.length).toBeGreaterThan(1);
    expect(chain.length).toBeLessThanOrEqual(16);
  });

  it('leaves out a reference to the whole schema, which Gemini cannot declare', () => {
    expect(toLiveSchema({ type: 'object', properties: { node: { $ref: '#' } } })).toEqual({ type: 'object', properties: { node: {} } });
  });
});

describe('timing rules', () => {
  it('reads goAway durations', () => {
    expect(parseDurationMs('10s')).toBe(10_000);
    expect(parseDurationMs('0.25s')).toBe(250);
    expect(parseDurationMs('later')).toBeUndefined();
    expect(parseDurationMs(undefined)).toBeUndefined();
  });
});

describe('PCM helpers', () => {
  it('batches 10 ms frames into 40 ms chunks without losing or reordering samples', () => {
    const batcher = new InputAudioBatcher(40);
    const input = tone(100, 16_000);
    const chunks: string[] = [];
    for (let offset = 0; offset < input.length; offset += 160) batcher.push(input.subarray(offset, offset + 160), (chunk) => chunks.push(chunk));
    expect(chunks).toHaveLength(2); // 80 ms sent, 20 ms waiting for the next frames
    const decoded = chunks.flatMap((chunk) => Array.from(decodePcm16(chunk)));
    expect(decoded).toEqual(Array.from(input.subarray(0, 1280)));
  });

  it('sends the partial chunk on flush, so the last words before the audio stopped are not held back', () => {
    const batcher = new InputAudioBatcher(40);
    const input = tone(100, 16_000);
    const chunks: string[] = [];
    batcher.push(input, (chunk) => chunks.push(chunk));
    batcher.flush((chunk) => chunks.push(chunk));
    batcher.flush((chunk) => chunks.push(chunk)); // nothing left: nothing sent
    expect(chunks.map((chunk) => decodePcm16(chunk).length)).toEqual([640, 640, 320]);
    expect(chunks.flatMap((chunk) => Array.from(decodePcm16(chunk)))).toEqual(Array.from(input));
  });

  it('splits a frame longer than a chunk', () => {
    const batcher = new InputAudioBatcher(20);
    const chunks: string[] = [];
    batcher.push(tone(60, 16_000), (chunk) => chunks.push(chunk));
    expect(chunks.map((chunk) => decodePcm16(chunk).length)).toEqual([320, 320, 320]);
  });

  it('decodes base64 PCM into an aligned Int16Array', () => {
    const samples = tone(7, 24_000);
    const decoded = decodePcm16(pcmToBase64(samples));
    expect(decoded.byteOffset % 2).toBe(0);
    expect(Array.from(decoded)).toEqual(Array.from(samples));
  });

  it('reads the sample rate from a mime type', () => {
    expect(sampleRateOf('audio/pcm;rate=24000', 16_000)).toBe(24_000);
    expect(sampleRateOf('audio/pcm', 24_000)).toBe(24_000);
  });
});

describe('LiveTurnTracker', () => {
  function tracked() {
    const events: { name: keyof RealtimeEvents; payload: unknown }[] = [];
    const tracker = new LiveTurnTracker((name, payload) => void events.push({ name, payload }));
    return { tracker, events, names: () => events.map((event) => event.name) };
  }

  it('keeps late input transcription in the user turn until the model turn ends', () => {
    const { tracker, events, names } = tracked();
    tracker.inputTranscript('Book a');
    tracker.modelOutput();
    tracker.inputTranscript(' table');
    tracker.outputTranscript('Done.');
    tracker.turnComplete();
    expect(names()).toEqual([
      'user.speech.started',
      'input.transcript',
      'user.speech.ended',
      'response.started',
      'input.transcript',
      'output.transcript',
      'turn.complete',
      'input.transcript.done',
    ]);
    expect(events.at(-1)?.payload).toMatchObject({ text: 'Book a table' });
  });

  it('ends the user speech at generationComplete when the model says nothing', () => {
    const { tracker, names } = tracked();
    tracker.inputTranscript('Hmm');
    tracker.modelActed();
    expect(names()).toEqual(['user.speech.started', 'input.transcript', 'user.speech.ended']);
    tracker.turnComplete();
    expect(names().slice(3)).toEqual(['input.transcript.done']);
  });

  it('swallows the trailing turnComplete of an interrupted turn, not the next one', () => {
    const { tracker, events } = tracked();
    tracker.outputTranscript('Long');
    tracker.interrupted();
    tracker.inputTranscript('Wait');
    tracker.turnComplete(); // the cut turn's own
    tracker.outputTranscript('Yes?');
    tracker.turnComplete();
    const completes = events.filter((event) => event.name === 'turn.complete').map((event) => event.payload);
    expect(completes).toEqual([
      expect.objectContaining({ text: 'Long', interrupted: true }),
      expect.objectContaining({ text: 'Yes?', interrupted: false }),
    ]);
    const done = events.filter((event) => event.name === 'input.transcript.done').map((event) => event.payload);
    expect(done).toEqual([expect.objectContaining({ text: 'Wait' })]);
  });

  it('finalises everything in flight when the connection is lost', () => {
    const { tracker, events } = tracked();
    tracker.inputTranscript('Hello');
    tracker.outputTranscript('Hi');
    tracker.connectionLost();
    expect(events.slice(-2).map((event) => [event.name, event.payload])).toEqual([
      ['turn.complete', expect.objectContaining({ text: 'Hi', interrupted: true })],
      ['input.transcript.done', expect.objectContaining({ text: 'Hello' })],
    ]);
    expect(tracker.responding).toBe(false);
  });
});
