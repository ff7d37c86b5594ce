import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { childLogger, configureLogging, createLogger, rootLogger, ValidationError, type LogLevel } from 'stream-gemini-agents';
import { duplicateKey, jsonLogLines } from '../support/log-lines.js';

let lines = '';
let levelBefore: LogLevel;
beforeAll(() => {
  levelBefore = rootLogger().level as LogLevel;
  configureLogging({ level: 'info', format: 'json', destination: { write: (line: string) => (lines += line) } });
});
afterAll(() => configureLogging({ level: levelBefore, format: 'json', destination: process.stdout }));

function written(): string {
  const output = lines;
  lines = '';
  return output;
}

describe('loggers', () => {
  it('write each key once: a child replaces a key its parent had, and a line may repeat a bound key', () => {
    const worker = createLogger('worker', { nodeId: 'node-1' });
    const sessions = childLogger(worker, { component: 'worker.sessions' });
    const session = childLogger(sessions, { sessionId: 's-1', callCid: 'default:c' });
    session.info({ sessionId: 's-1', startMs: 12 }, 'session started');
    createLogger('edge.stream', { cid: 'default:c' }).info({ cid: 'default:c', state: 'connected' }, 'connection state changed');

    const output = written();
    const [started, changed] = jsonLogLines(output);
    expect(started).toMatchObject({ component: 'worker.sessions', nodeId: 'node-1', sessionId: 's-1', callCid: 'default:c', startMs: 12, msg: 'session started' });
    expect(changed).toMatchObject({ component: 'edge.stream', cid: 'default:c', state: 'connected' });
    // The parent's logger is untouched by its children.
    worker.info('still the worker');
    expect(jsonLogLines(written())[0]).toMatchObject({ component: 'worker', msg: 'still the worker' });
  });

  it('follow a level set after they were created', () => {
    const early = createLogger('early');
    early.debug('not yet');
    expect(written()).toBe('');
    configureLogging({ level: 'debug' });
    early.debug('now');
    expect(jsonLogLines(written())).toMatchObject([{ component: 'early', level: 20, msg: 'now' }]);
    configureLogging({ level: 'info' });
  });

  it('write human-readable lines in the pretty format', () => {
    const log = createLogger('cli');
    configureLogging({ format: 'pretty' });
    log.info({ call: 'default:c' }, 'the agent is in the call');
    configureLogging({ format: 'json' });
    const output = written();
    expect(output).not.toMatch(/^\{/);
    expect(output).toMatch(/INFO.*\[cli\] the agent is in the call/);
    expect(output).toContain('call: "default:c"');
  });

  it('redact secrets in bound context and in the line', () => {
    childLogger(createLogger('auth'), { token: 'bound-secret' }).info({ apiSecret: 'line-secret' }, 'hello');
    const output = written();
    expect(output).not.toContain('bound-secret');
    expect(output).not.toContain('line-secret');
  });

  it('refuse an unknown level, naming it', () => {
    expect(() => configureLogging({ level: 'loud' as LogLevel })).toThrow(ValidationError);
    expect(() => configureLogging({ level: 'loud' as LogLevel })).toThrow(/level: must be one of .*"loud"/);
  });
});

describe('the duplicate-key check the process tests rely on', () => {
  it('finds a key twice at any depth, and nothing in a line without one', () => {
    expect(duplicateKey('{"a":1,"b":{"c":"x,}\\"","d":[1,{"e":2}]},"f":null}')).toBeUndefined();
    expect(duplicateKey('{"component":"a","x":1,"component":"b"}')).toBe('component');
    expect(duplicateKey('{"a":{"b":[{"c":1,"c":2}]}}')).toBe('c');
  });
});
