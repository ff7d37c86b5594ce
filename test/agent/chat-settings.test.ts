import { describe, expect, it } from 'vitest';
import { resolveChatSettings } from '../../src/agent/chat-settings.js';
import { TypedTurnRateLimit } from '../../src/agent/typed-turn-rate-limit.js';
import { ValidationError } from '../../src/core/errors.js';

describe('resolveChatSettings', () => {
  it('defaults: typed turns read, spoken replies, the tool, 50 messages / 8 000 characters of history', () => {
    expect(resolveChatSettings({})).toEqual({
      input: true,
      replies: 'voice',
      tool: true,
      history: { maxMessages: 50, maxChars: 8_000 },
      rateLimit: { burst: 5, perMinute: 12 },
    });
    expect(resolveChatSettings({ chatHistory: false }).history).toBeUndefined();
    expect(resolveChatSettings({ chatHistory: { maxMessages: 0 } }).history).toBeUndefined();
  });

  it.each([
    [{ chatReplies: 'loud' }, 'chatReplies'],
    [{ chatInput: 'yes' }, 'chatInput'],
    [{ chatHistory: { maxMessages: 301 } }, 'chatHistory.maxMessages'],
    [{ chatRateLimit: { burst: 0 } }, 'chatRateLimit.burst'],
  ])('names the field that is wrong: %j', (options, path) => {
    expect(() => resolveChatSettings(options as never)).toThrow(ValidationError);
    expect(() => resolveChatSettings(options as never)).toThrow(path);
  });
});

describe('TypedTurnRateLimit', () => {
  it('allows a burst per person, then one per refill interval, and forgets people whose bucket refilled', () => {
    const limit = new TypedTurnRateLimit({ burst: 2, perMinute: 6 }); // one per 10 s
    expect([limit.take('a', 0), limit.take('a', 1), limit.take('a', 2)]).toEqual([true, true, false]);
    expect(limit.take('b', 2)).toBe(true); // each person has their own
    expect(limit.take('a', 9_000)).toBe(false);
    expect(limit.take('a', 10_100)).toBe(true);
    expect(limit.size).toBe(1); // b's bucket refilled: b is forgotten
    limit.take('c', 60_000);
    expect(limit.size).toBe(1); // and so is a's, by now
  });
});
