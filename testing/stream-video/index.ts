export { FakeStreamVideo, type FakeStreamVideoOptions, type RestApiHandler } from './fake-stream-video.js';
export { FakeCall, type FakeCallHooks } from './fake-call.js';
export { RemoteParticipant, type RemoteParticipantInit } from './remote-participant.js';
export type { AudioClock, FrameProducer } from './audio-clock.js';
export { AudioRecording, RECORDING_SAMPLE_RATE, type RecordedFrame } from './audio-recording.js';
export type { SfuEventPayload, SfuSession, SfuSessionInit, VideoSubscription, VideoToSend } from './sfu-session.js';
export { VideoFeed, type FakeVideoKind, type VideoFeedOptions } from './video-feed.js';
export { signJwt, verifyJwt, type JwtClaims } from './jwt.js';
export * from './audio-analysis.js';
