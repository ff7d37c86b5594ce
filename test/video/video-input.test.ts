/** VideoInput against a stub edge and model: which video it follows, and how it paces frames. */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ValidationError } from '../../src/core/errors.js';
import { EventBus } from '../../src/core/event-bus.js';
import type { ConnectionEvents, Participant, VideoKind, VideoSource, WatchVideoOptions } from '../../src/edge/edge.js';
import { VideoInput, resolveVideoSettings, type VideoInputOptions } from '../../src/agent/video-input.js';
import type { RealtimeModel } from '../../src/llm/realtime.js';
import type { I420Frame } from '../../src/video/index.js';

const person = (name: string): Participant => ({ userId: name, sessionId: `${name}-session` });
const [alice, bob, carol, dave] = ['alice', 'bob', 'carol', 'dave'].map(person) as [Participant, Participant, Participant, Participant];
const FRAME: I420Frame = { width: 2, height: 2, data: new Uint8Array(6) };
const JPEG = Uint8Array.of(0xff, 0xd8, 0xff, 0xd9);

interface Watch {
  participant: Participant;
  kind: VideoKind;
  options: WatchVideoOptions;
  stopped: boolean;
}

/** The part of a Connection VideoInput uses, recording what it is asked to watch. */
class StubConnection {
  readonly events = new EventBus<ConnectionEvents>();
  videoSources: VideoSource[] = [];
  readonly watches: Watch[] = [];

  watchVideo(participant: Participant, kind: VideoKind, options: WatchVideoOptions): () => void {
    const watch: Watch = { participant, kind, options, stopped: false };
    this.watches.push(watch);
    return () => void (watch.stopped = true);
  }

  /** What is watched now, as `user/kind`. */
  get watching(): string[] {
    return this.watches.filter((watch) => !watch.stopped).map((watch) => `${watch.participant.userId}/${watch.kind}`);
  }

  /** Hands a frame to the current watch, as the edge would. */
  frame(): void {
    this.watches.filter((watch) => !watch.stopped).forEach((watch) => watch.options.onFrame(FRAME));
  }

  publish(participant: Participant, kind: VideoKind): void {
    this.events.emit('video.published', { participant, kind });
  }

  unpublish(participant: Participant, kind: VideoKind): void {
    this.events.emit('video.unpublished', { participant, kind });
  }
}

let connection: StubConnection;
let speaker: Participant | undefined;
let sent: number[];
let errors: Error[];
let input: VideoInput | undefined;

function startInput(overrides: Partial<VideoInputOptions> = {}): VideoInput {
  input = new VideoInput({
    connection,
    session: { sendVideoFrame: () => void sent.push(performance.now()) },
    speakers: { speakerOfTurn: () => speaker },
    intervalMs: 1_000,
    encode: async () => JPEG,
    onError: (error) => void errors.push(error),
    ...overrides,
  });
  return input;
}

beforeEach(() => {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'performance'] });
  connection = new StubConnection();
  speaker = undefined;
  sent = [];
  errors = [];
});

afterEach(() => {
  input?.close();
  input = undefined;
  vi.useRealTimers();
});

describe('VideoInput: which video', () => {
  it('follows the newest screen share, else the speaker’s camera, else the camera it had', async () => {
    connection.videoSources = [{ participant: alice, kind: 'video' }];
    startInput();
    expect(connection.watching).toEqual(['alice/video']);

    connection.publish(bob, 'video');
    expect(connection.watching).toEqual(['alice/video']);
    speaker = bob;
    await vi.advanceTimersByTimeAsync(1_000);
    expect(connection.watching).toEqual(['bob/video']);
    // Nobody speaking any more: stay with the camera shown.
    speaker = undefined;
    await vi.advanceTimersByTimeAsync(1_000);
    expect(connection.watching).toEqual(['bob/video']);

    connection.publish(carol, 'screen_share');
    expect(connection.watching).toEqual(['carol/screen_share']);
    connection.publish(dave, 'screen_share');
    expect(connection.watching).toEqual(['dave/screen_share']);
    connection.unpublish(dave, 'screen_share');
    expect(connection.watching).toEqual(['carol/screen_share']);
    // The share is over: back to the camera shown before it.
    connection.events.emit('participant.left', { participant: carol });
    expect(connection.watching).toEqual(['bob/video']);
    connection.unpublish(bob, 'video');
    expect(connection.watching).toEqual(['alice/video']);
    connection.events.emit('participant.left', { participant: alice });
    expect(connection.watching).toEqual([]);

    input!.close();
    connection.publish(alice, 'video');
    expect(connection.watching).toEqual([]);
    expect(connection.events.listenerCount('video.published')).toBe(0);
  });
});

describe('VideoInput: pacing', () => {
  it('encodes one frame at a time and never sends sooner than the interval', async () => {
    let finish!: (jpeg: Uint8Array) => void;
    const encode = vi.fn(() => new Promise<Uint8Array>((resolve) => (finish = resolve)));
    connection.videoSources = [{ participant: alice, kind: 'video' }];
    startInput({ encode });

    connection.frame();
    connection.frame(); // still encoding the first: dropped
    expect(encode).toHaveBeenCalledTimes(1);
    finish(JPEG);
    await vi.advanceTimersByTimeAsync(0);
    expect(sent).toHaveLength(1);

    // The next frame is ready early (encoding times vary): held until a full interval has passed.
    await vi.advanceTimersByTimeAsync(400);
    connection.frame();
    finish(JPEG);
    await vi.advanceTimersByTimeAsync(0);
    expect(sent).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(600);
    expect(sent).toHaveLength(2);
    expect(sent[1]! - sent[0]!).toBeGreaterThanOrEqual(1_000);
  });

  it('drops a frame of a video it no longer follows', async () => {
    let finish!: (jpeg: Uint8Array) => void;
    connection.videoSources = [{ participant: alice, kind: 'video' }];
    startInput({ encode: () => new Promise<Uint8Array>((resolve) => (finish = resolve)) });
    connection.frame();
    connection.publish(bob, 'screen_share');
    finish(JPEG);
    await vi.advanceTimersByTimeAsync(0);
    expect(sent).toEqual([]);
  });

  it('reports an encoder failure and goes on with the next frame', async () => {
    let calls = 0;
    connection.videoSources = [{ participant: alice, kind: 'video' }];
    startInput({ encode: async () => (++calls === 1 ? Promise.reject(new Error('corrupt frame')) : JPEG) });
    connection.frame();
    await vi.advanceTimersByTimeAsync(0);
    connection.frame();
    await vi.advanceTimersByTimeAsync(0);
    expect(errors.map((error) => error.message)).toEqual(['corrupt frame']);
    expect(sent).toHaveLength(1);
  });

  it('stops, with one error, when the model refuses video', async () => {
    connection.videoSources = [{ participant: alice, kind: 'video' }];
    const sendVideoFrame = vi.fn(() => {
      throw new ValidationError('video', 'video input is off');
    });
    startInput({ session: { sendVideoFrame } });
    connection.frame();
    await vi.advanceTimersByTimeAsync(0);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toBeInstanceOf(ValidationError);
    expect(connection.watching).toEqual([]);
    connection.publish(bob, 'screen_share');
    expect(connection.watching).toEqual([]);
    expect(sendVideoFrame).toHaveBeenCalledTimes(1);
  });
});

describe('resolveVideoSettings', () => {
  const model = (video?: boolean): RealtimeModel =>
    ({ provider: 'test', model: 'm', connect: async () => ({}) as never, ...(video === undefined ? {} : { video }) }) as RealtimeModel;

  it('is off by default and follows the model’s own setting when it has one', () => {
    expect(resolveVideoSettings({ llm: model() })).toEqual({ enabled: false, intervalMs: 1_000 });
    expect(resolveVideoSettings({ llm: model(), video: true, videoIntervalMs: 500 })).toEqual({ enabled: true, intervalMs: 500 });
    expect(resolveVideoSettings({ llm: model(true) }).enabled).toBe(true);
    expect(resolveVideoSettings({ llm: model(true), video: false }).enabled).toBe(false);
  });

  it('rejects video on an agent whose model has it off, and bad intervals', () => {
    expect(() => resolveVideoSettings({ llm: model(false), video: true })).toThrow(/has video input off/);
    expect(() => resolveVideoSettings({ llm: model(), videoIntervalMs: 0 })).toThrow(ValidationError);
    expect(() => resolveVideoSettings({ llm: model(), videoIntervalMs: Number.NaN })).toThrow(ValidationError);
  });
});
