/**
 * StreamEdge when someone joins at the very moment the agent does: the SFU sends the agent its
 * `joinResponse` (without her) and, right after, her `participantJoined` and her track. The
 * fake writes both messages in one task, so the agent reads them together, as it may from the
 * real SFU on a busy machine. She must be announced and heard like anyone else.
 */
import { afterAll, expect, it } from 'vitest';
import type { StreamEdge } from '../../src/edge/stream/index.js';
import { nextEvent, startStreamFakes, type StreamFakes } from './helpers.js';

const CALL_ID = 'simultaneous-join-call';

let fakes: StreamFakes | undefined;
let edge: StreamEdge | undefined;

afterAll(async () => {
  await edge?.close();
  await fakes?.close();
});

it('announces a person who joins as the agent joins, and delivers her microphone', async () => {
  fakes = await startStreamFakes();
  edge = fakes.edge();
  await edge.authenticate({ id: 'agent', name: 'Agent' });
  const call = await edge.createCall('default', CALL_ID);
  const fakeCall = fakes.video.call(CALL_ID);
  // She joins as soon as the agent's SFU session exists: before its join has resolved.
  const hana = fakeCall.waitForSession('agent').then(() => fakeCall.addParticipant({ userId: 'hana' }));

  const connection = await edge.join(call);
  // Events for participants known at join time are emitted right after `join()` resolves.
  const [joined, trackAdded, { sessionId }] = await Promise.all([
    nextEvent(connection.events, 'participant.joined'),
    nextEvent(connection.events, 'track.added'),
    hana,
  ]);

  expect(joined.participant).toMatchObject({ userId: 'hana', sessionId });
  expect(trackAdded).toMatchObject({ kind: 'audio', participant: { userId: 'hana' } });
  expect(connection.participants.map((p) => p.userId)).toEqual(['hana']);
});
