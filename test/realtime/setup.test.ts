import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { loadConfig } from '../../src/config.js';
import { ProviderError, ValidationError } from '../../src/core/errors.js';
import { GeminiRealtime } from '../../src/llm/gemini/realtime.js';
import { geminiRealtimeOptions } from '../../src/presets.js';
import { ToolRegistry } from '../../src/llm/tool-registry.js';
import { FakeGeminiLive, LIVE_PATH } from '../../testing/gemini-live/index.js';
import { modelFor } from './helpers.js';

let fake: FakeGeminiLive;
beforeEach(async () => {
  fake = await FakeGeminiLive.start();
});
afterEach(async () => {
  await fake.close();
});

describe('GeminiRealtime setup', () => {
  it('sends model, voice, instructions, transcription, VAD, resumption, compression and tools in the setup', async () => {
    const tools = new ToolRegistry([
      {
        name: 'get_weather',
        description: 'Weather for a city.',
        parameters: z.object({ city: z.string().describe('City name'), unit: z.enum(['c', 'f']).optional() }),
        execute: () => ({ tempC: 3 }),
      },
      {
        name: 'send_email',
        description: 'Sends an email.',
        parameters: {
          type: 'object',
          additionalProperties: false,
          properties: { to: { type: 'string', format: 'email' }, body: { type: 'string' } },
          required: ['to'],
        },
      },
    ]);
    const model = modelFor(fake, { language: 'en-US', vad: { silenceDurationMs: 600 } });
    const session = await model.connect({ instructions: 'Be brief.', tools });

    const connection = fake.latest!;
    expect(connection.path.replace(/\/{2,}/g, '/')).toBe(LIVE_PATH);
    expect(connection.key).toBe(fake.apiKey);
    const setup = connection.setup!;
    expect(setup.model).toBe('models/gemini-live-test');
    expect(setup.generationConfig?.responseModalities).toEqual(['AUDIO']);
    expect(setup.generationConfig?.speechConfig).toEqual({
      voiceConfig: { prebuiltVoiceConfig: { voiceName: 'Kore' } },
      languageCode: 'en-US',
    });
    expect(setup.systemInstruction).toEqual({ parts: [{ text: 'Be brief.' }] });
    expect(setup.inputAudioTranscription).toEqual({});
    expect(setup.outputAudioTranscription).toEqual({});
    expect(setup.realtimeInputConfig).toEqual({ automaticActivityDetection: { disabled: false, silenceDurationMs: 600 } });
    expect(setup.sessionResumption).toEqual({});
    expect(setup.contextWindowCompression).toEqual({ slidingWindow: {} });

    // Live ignores parametersJsonSchema, so tools go as `parameters` in Gemini's Schema subset.
    const declarations = setup.tools?.[0]?.functionDeclarations ?? [];
    expect(declarations.map((declaration) => declaration.name)).toEqual(['get_weather', 'send_email']);
    expect(declarations[0]).toEqual({
      name: 'get_weather',
      description: 'Weather for a city.',
      parameters: {
        type: 'OBJECT',
        properties: {
          city: { type: 'STRING', description: 'City name' },
          unit: { type: 'STRING', enum: ['c', 'f'] },
        },
        required: ['city'],
      },
    });
    expect(declarations[1]?.parameters).toEqual({
      type: 'OBJECT',
      properties: { to: { type: 'STRING' }, body: { type: 'STRING' } },
      required: ['to'],
    });
    expect(JSON.stringify(setup)).not.toContain('parametersJsonSchema');
    await session.close();
  });

  it('leaves out tools, instructions and language when there are none', async () => {
    const session = await modelFor(fake).connect();
    const setup = fake.latest!.setup!;
    expect(setup.tools).toBeUndefined();
    expect(setup.systemInstruction).toBeUndefined();
    expect(setup.generationConfig?.speechConfig).toEqual({ voiceConfig: { prebuiltVoiceConfig: { voiceName: 'Kore' } } });
    await session.close();
  });

  it('takes model, voice, key, base URL and video from the configuration', async () => {
    const config = loadConfig({
      GOOGLE_API_KEY: fake.apiKey,
      GOOGLE_GEMINI_BASE_URL: fake.baseUrl,
      GEMINI_LIVE_MODEL: 'gemini-live-from-env',
      GEMINI_VOICE: 'Charon',
      AGENT_VIDEO: 'true',
    });
    const model = new GeminiRealtime(geminiRealtimeOptions(config));
    expect(model.model).toBe('gemini-live-from-env');
    const session = await model.connect();
    expect(fake.latest!.setup!.model).toBe('models/gemini-live-from-env');
    expect(fake.latest!.setup!.generationConfig?.speechConfig?.voiceConfig?.prebuiltVoiceConfig?.voiceName).toBe('Charon');
    expect(() => session.sendVideoFrame(Uint8Array.of(0xff, 0xd8, 0xff, 0xd9))).not.toThrow();
    await session.close();
  });

  it('fails fast, without retrying, when the service rejects the API key', async () => {
    const model = new GeminiRealtime({ apiKey: 'wrong-key', baseUrl: fake.baseUrl, reconnectBaseDelayMs: 1 });
    const error = await model.connect().catch((thrown: unknown) => thrown);
    expect(error).toBeInstanceOf(ProviderError);
    expect(error).toMatchObject({ status: 1008, retryable: false, provider: 'gemini' });
    expect((error as Error).message).toContain('API key not valid');
    expect(fake.connections).toHaveLength(1);
    await fake.waitFor(() => fake.openCount === 0);
  });

  it('retries a setup the service fails transiently, then connects', async () => {
    fake.script.rejectSetups = { count: 2, code: 1013, reason: 'Try again later.' };
    const session = await modelFor(fake).connect();
    expect(fake.connections.map((connection) => connection.accepted)).toEqual([false, false, true]);
    await session.close();
  });

  it('gives up on the first connection after maxReconnectAttempts transient failures', async () => {
    fake.script.rejectSetups = { count: 10, code: 1011, reason: 'Internal error encountered.' };
    const error = await modelFor(fake, { maxReconnectAttempts: 3 })
      .connect()
      .catch((thrown: unknown) => thrown);
    expect(error).toMatchObject({ status: 1011, retryable: true });
    expect(fake.connections).toHaveLength(3);
  });

  it('rejects bad options with a ValidationError naming the option', () => {
    expect(() => new GeminiRealtime({ apiKey: '' })).toThrow(ValidationError);
    expect(() => new GeminiRealtime({ apiKey: 'k', inputChunkMs: 5 })).toThrow(/inputChunkMs/);
    expect(() => new GeminiRealtime({ apiKey: 'k', maxReconnectAttempts: 0 })).toThrow(/maxReconnectAttempts/);
  });

  it('is cancelled by an aborted signal before it connects', async () => {
    const controller = new AbortController();
    controller.abort(new Error('call ended'));
    await expect(modelFor(fake).connect({ signal: controller.signal })).rejects.toThrow('call ended');
    expect(fake.connections).toHaveLength(0);
  });
});
