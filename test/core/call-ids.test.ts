/**
 * One rule for call types and ids, and the worker's session URLs follow it (a 400 naming the
 * parameter). The edge's use of it is in test/edge/stream-edge-lifecycle.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { invalidCallId, invalidCallType, isCallId, isCallType } from '../../src/core/call-ids.js';
import { parseCall } from '../../src/worker/call-ids.js';

const GOOD_TYPES = ['default', 'audio_room', 'livestream', 'dev-2', 'x'.repeat(64)];
const BAD_TYPES = ['', 'Default', 'audio room', 'a:b', 'a/b', 'café', 'x'.repeat(65)];
const GOOD_IDS = ['call-1', 'Call_2', 'a', '0f8e0c2e-5d2b-4b1e-9b7a-1c2d3e4f5a6b', 'x'.repeat(64)];
const BAD_IDS = ['', 'call.1', 'no/slashes', 'has space', 'a:b', 'appel-été', 'x'.repeat(65)];

describe('call types and ids', () => {
  it('accepts what Stream accepts and refuses the rest', () => {
    for (const type of GOOD_TYPES) expect(isCallType(type), type).toBe(true);
    for (const type of BAD_TYPES) expect(isCallType(type), type).toBe(false);
    for (const id of GOOD_IDS) expect(isCallId(id), id).toBe(true);
    for (const id of BAD_IDS) expect(isCallId(id), id).toBe(false);
    expect(isCallType(undefined)).toBe(false);
    expect(isCallId(42)).toBe(false);
  });

  it('says what is wrong and what would be right, quoting only a little of the value', () => {
    expect(invalidCallType('Default')).toBe('call type "Default" is invalid: use 1-64 of a-z, 0-9, "_" and "-"');
    expect(invalidCallId('call.1')).toBe('call id "call.1" is invalid: use 1-64 of A-Z, a-z, 0-9, "_" and "-"');
    expect(invalidCallId(undefined)).toContain('call id undefined is invalid');
    const long = invalidCallId('x'.repeat(10_000));
    expect(long.length).toBeLessThan(200);
    expect(long).toContain('…');
  });

  it('is the rule of the worker session URLs', () => {
    for (const type of GOOD_TYPES) expect(parseCall({ callType: type, callId: 'call-1' })).toEqual({ type, id: 'call-1' });
    for (const id of GOOD_IDS) expect(parseCall({ callType: 'default', callId: id })).toEqual({ type: 'default', id });
    for (const type of BAD_TYPES) {
      expect(() => parseCall({ callType: type, callId: 'call-1' }), type).toThrow(expect.objectContaining({ status: 400, path: 'callType' }));
    }
    for (const id of BAD_IDS) {
      expect(() => parseCall({ callType: 'default', callId: id }), id).toThrow(expect.objectContaining({ status: 400, path: 'callId' }));
    }
  });
});
