import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/core/errors.js';
import { loadConfig, requireGoogle, requireStream } from '../../src/config.js';

describe('loadConfig', () => {
  it('applies defaults when nothing is set', () => {
    const config = loadConfig({});
    expect(config.logLevel).toBe('info');
    expect(config.server).toMatchObject({ host: '127.0.0.1', port: 8080, apiKeys: [] });
    // Provider settings stay unset, so each provider's own default applies (declared once, there).
    expect(config.stream).toMatchObject({ chatChannelType: undefined, timeoutMs: undefined, openBrowser: undefined });
    expect(config.google).toMatchObject({ model: undefined, liveModel: undefined, voice: undefined });
  });

  it('accepts GEMINI_API_KEY as an alias of GOOGLE_API_KEY, the latter winning', () => {
    expect(loadConfig({ GEMINI_API_KEY: 'g' }).google.apiKey).toBe('g');
    expect(loadConfig({ GEMINI_API_KEY: 'g', GOOGLE_API_KEY: 'o' }).google.apiKey).toBe('o');
  });

  it('parses lists, numbers and booleans', () => {
    const config = loadConfig({ WORKER_API_KEYS: ' a, b ,,c', PORT: '9000', DEMO_OPEN_BROWSER: 'false' });
    expect(config.server.apiKeys).toEqual(['a', 'b', 'c']);
    expect(config.server.port).toBe(9000);
    expect(config.stream.openBrowser).toBe(false);
  });

  it.each([
    ['PORT', 'eighty'],
    ['LOG_LEVEL', 'loud'],
    ['STREAM_BASE_URL', 'not a url'],
    ['MAX_SESSIONS', '-1'],
    ['DEMO_OPEN_BROWSER', 'maybe'],
    ['REDIS_URL', 'http://localhost:6379'],
  ])('rejects an invalid %s with a ConfigError naming it', (name, value) => {
    let error: unknown;
    try {
      loadConfig({ [name]: value });
    } catch (thrown) {
      error = thrown;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).variables).toEqual([name]);
    expect((error as ConfigError).message).toContain(name);
    // The value is shown, unless the variable may hold a secret (a URL may carry credentials).
    const shown = (error as ConfigError).message.includes(JSON.stringify(value));
    expect(shown).toBe(!name.endsWith('_URL'));
  });

  it('reads the turn-taking settings, and names a wrong one', () => {
    const defaults = loadConfig({}).agent;
    expect(defaults).toMatchObject({ turnDetection: 'agent', addressing: 'always', addressingNames: [], minInterruptionSpeechMs: undefined });
    const set = loadConfig({ AGENT_TURN_DETECTION: 'service', AGENT_ADDRESSING: 'when-addressed', AGENT_ADDRESSING_NAMES: 'Nova, Novi', MIN_INTERRUPTION_SPEECH_MS: '800' }).agent;
    expect(set).toMatchObject({ turnDetection: 'service', addressing: 'when-addressed', addressingNames: ['Nova', 'Novi'], minInterruptionSpeechMs: 800 });
    expect(() => loadConfig({ AGENT_ADDRESSING: 'sometimes' })).toThrow(/AGENT_ADDRESSING/);
  });

  it('names every missing credential and where to get it', () => {
    const config = loadConfig({});
    expect(() => requireStream(config)).toThrow(/STREAM_API_KEY, STREAM_API_SECRET/);
    expect(() => requireGoogle(config)).toThrow(/GOOGLE_API_KEY.*aistudio/s);
    expect(requireStream(loadConfig({ STREAM_API_KEY: 'k', STREAM_API_SECRET: 's' }))).toEqual({ apiKey: 'k', apiSecret: 's' });
  });
});
