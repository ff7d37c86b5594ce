export { FakeStreamVideo, type FakeStreamVideoOptions, type RestApiHandler } from './fake-stream-video.js';
export { FakeCall } from './fake-call.js';
export { RemoteParticipant, type RemoteParticipantInit } from './remote-participant.js';
export { AudioRecording, RECORDING_SAMPLE_RATE, type RecordedFrame } from './audio-recording.js';
export type { SfuSession, VideoSubscription } from './sfu-session.js';
export { VideoFeed, type FakeVideoKind, type VideoFeedOptions } from './video-feed.js';
export { signJwt, verifyJwt } from './jwt.js';
export * from './audio-analysis.js';
