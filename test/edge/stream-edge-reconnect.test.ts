/**
 * StreamEdge through an SFU signal socket drop (the SDK's fast reconnect) and the end of the
 * call: the connection reports its states, the published track and the remote audio survive.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AudioOutput, ConnectionState } from '../../src/edge/index.js';
import type { StreamConnection, StreamEdge } from '../../src/edge/stream/index.js';
import { soundSampleSpan, tone, toneFrequencyHz, type RemoteParticipant } from '../../testing/stream-video/index.js';
import { letTimePass, waitFor } from '../support/wait.js';
import { collectAudio, nextEvent, startStreamFakes, type StreamFakes } from './helpers.js';

const CALL_ID = 'reconnect-call';

describe('StreamEdge reconnects and call end (fake Stream Video, real WebRTC)', () => {
  let fakes: StreamFakes;
  let edge: StreamEdge;
  let connection: StreamConnection;
  let output: AudioOutput;
  let human: RemoteParticipant;
  const states: ConnectionState[] = [];

  beforeAll(async () => {
    fakes = await startStreamFakes();
    human = fakes.video.call(CALL_ID).addParticipant({ userId: 'bob', name: 'Bob' });
    edge = fakes.edge();
    await edge.authenticate({ id: 'agent', name: 'Agent' });
    connection = await edge.join({ type: 'default', id: CALL_ID, cid: `default:${CALL_ID}` });
    connection.events.on('connection.state', ({ state }) => {
      states.push(state);
    });
    output = await connection.publishAudio();
    await fakes.video.call(CALL_ID).recording('agent').waitFor((r) => r.frames.length > 20, 10_000, 'the agent track at the SFU');
  });

  afterAll(async () => {
    await edge?.close();
    await fakes?.close();
  });

  it('announces participants who were in the call before it joined', () => {
    expect(connection.participants.map((p) => p.userId)).toEqual(['bob']);
  });

  it('recovers from a dropped SFU socket in the same session, publishing and receiving on', async () => {
    const session = fakes.video.call(CALL_ID).session('agent')!;
    const reconnected = nextEvent(connection.events, 'connection.state', (e) => e.state === 'connected');
    fakes.video.call(CALL_ID).dropSfuSockets('agent');
    await reconnected;

    expect(states).toEqual(['reconnecting', 'connected']);
    // A fast reconnect: the same SFU session on a new socket, not a new participant.
    expect(fakes.video.call(CALL_ID).session('agent')).toBe(session);
    expect(session.socketCount).toBe(2);

    // What the agent says after the reconnect reaches the SFU.
    const recording = fakes.video.call(CALL_ID).recording('agent');
    const from = recording.frames.length;
    output.write(tone(600, 500, 24_000, 8000), 24_000);
    output.end();
    await nextEvent(output.events, 'playbackDrained');
    await letTimePass(300);
    const published = recording.samples(from);
    const span = soundSampleSpan(published);
    expect(span).toBeDefined();
    expect(toneFrequencyHz(published.subarray(span!.first + 4800, span!.last - 4800), 48_000)).toBeCloseTo(600, -1);

    // And what the participant says (a 16 kHz recording this time) still reaches the agent.
    const audio = collectAudio(connection, 'bob');
    await human.playPcm(tone(350, 500, 16_000, 8000), 16_000);
    await letTimePass(300);
    audio.stop();
    const heard = audio.samples();
    const heardSpan = soundSampleSpan(heard);
    expect(heardSpan).toBeDefined();
    expect(toneFrequencyHz(heard.subarray(heardSpan!.first + 4800, heardSpan!.last - 4800), 48_000)).toBeCloseTo(350, -1);
  });

  it('republishes its audio track after a full rejoin (new session) asked for by the SFU', async () => {
    const call = fakes.video.call(CALL_ID);
    const before = call.session('agent')!;
    states.length = 0;
    const reconnected = nextEvent(connection.events, 'connection.state', (e) => e.state === 'connected');
    call.requestRejoin('agent');
    await reconnected;

    expect(states).toEqual(['reconnecting', 'connected']);
    const after = await waitFor(() => {
      const session = call.session('agent');
      return session !== before && session?.publishedTracks.length ? session : undefined;
    }, 'a new SFU session of the agent, publishing');
    expect(after.sessionId).not.toBe(before.sessionId);
    expect(before.closed).toBe(true);
    expect(connection.participants.map((p) => p.userId)).toEqual(['bob']);

    const recording = call.recording('agent');
    const from = recording.frames.length;
    output.write(tone(800, 400, 24_000, 8000), 24_000);
    output.end();
    await nextEvent(output.events, 'playbackDrained');
    await letTimePass(300);
    const published = recording.samples(from);
    const span = soundSampleSpan(published);
    expect(span).toBeDefined();
    expect(toneFrequencyHz(published.subarray(span!.first + 4800, span!.last - 4800), 48_000)).toBeCloseTo(800, -1);

    // The participant's audio arrives on the new session's subscriber too.
    const audio = collectAudio(connection, 'bob');
    await human.playTone(450, 400, 8000);
    await letTimePass(300);
    audio.stop();
    const heard = audio.samples();
    const heardSpan = soundSampleSpan(heard);
    expect(heardSpan).toBeDefined();
    expect(toneFrequencyHz(heard.subarray(heardSpan!.first + 4800, heardSpan!.last - 4800), 48_000)).toBeCloseTo(450, -1);
  });

  it('reports the end of the call, then disconnects', async () => {
    const ended = nextEvent(connection.events, 'call.ended');
    const disconnected = nextEvent(connection.events, 'connection.state', (e) => e.state === 'disconnected');
    fakes.video.call(CALL_ID).end();

    expect((await ended).reason).toBe('ended');
    await disconnected;
    expect(connection.state).toBe('disconnected');
    // The edge let go of the connection by itself.
    await connection.close();
    expect(edge.connections).toEqual([]);
  });
});
