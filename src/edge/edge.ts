/**
 * The edge: how an agent reaches a call. It knows users, calls, media and the call's chat;
 * the agent knows only this interface, so another transport (a local microphone and speaker,
 * another video provider) is a new Edge, not a change to the agent.
 *
 *   await edge.authenticate({ id: 'agent', name: 'Gemini', custom: { provider: 'google', model } });
 *   const call = await edge.createCall('default', 'call-1');
 *   const connection = await edge.join(call);
 *   connection.events.on('audio', ({ participant, frame }) => realtime.sendAudio(frame));
 *   const output = await connection.publishAudio();
 *   output.write(pcm24k, 24_000);
 *   await edge.close();
 */
import type { AudioPacerEvents, AudioPacerStats, PcmFrame } from '../audio/index.js';
import type { ErrorEvents, EventBus } from '../core/event-bus.js';
import type { Conversation } from '../conversation/index.js';
import type { I420Frame } from '../video/index.js';

/** The agent, as the other participants see it. */
export interface EdgeUser {
  id: string;
  name?: string;
  imageUrl?: string;
  /** Extra profile fields, e.g. `{ provider: 'google', model: 'gemini-2.5-flash' }`. */
  custom?: Record<string, unknown>;
}

/** A call the edge can join, create a conversation for, or open in a demo app. */
export interface EdgeCall {
  type: string;
  id: string;
  /** `type:id`. */
  cid: string;
}

/** Someone else in the call. One person joined from two devices is two participants. */
export interface Participant {
  userId: string;
  /** Identifies this participant's connection to the call. */
  sessionId: string;
  name?: string;
  imageUrl?: string;
}

export type TrackKind = 'audio' | 'video' | 'screen_share' | 'screen_share_audio';

/** The kinds of video a participant publishes: a camera, or a shared screen. */
export type VideoKind = 'video' | 'screen_share';

/** A camera or screen share someone publishes; `watchVideo` samples it. */
export interface VideoSource {
  participant: Participant;
  kind: VideoKind;
}

export interface WatchVideoOptions {
  /** At most one frame per this many milliseconds; the first as soon as one is decoded. */
  intervalMs: number;
  /** A decoded frame, yours to keep. Called on its own turn of the event loop, never inside WebRTC's. */
  onFrame(frame: I420Frame): void;
}

export type ConnectionState = 'connecting' | 'connected' | 'reconnecting' | 'disconnected' | 'failed';

export interface ConnectionEvents extends ErrorEvents {
  'participant.joined': { participant: Participant };
  'participant.left': { participant: Participant };
  /** A participant's track became available (`track` is a WebRTC MediaStreamTrack). */
  'track.added': { participant: Participant; kind: TrackKind; track: MediaStreamTrack };
  'track.removed': { participant: Participant; kind: TrackKind };
  /** A participant's microphone, 48 kHz mono 16-bit PCM: 10 ms frames (the first few after a track starts may be shorter, from start-up resampling). */
  audio: { participant: Participant; frame: PcmFrame };
  /** Someone started publishing a camera or screen share: `watchVideo` can sample it. */
  'video.published': VideoSource;
  /** They stopped publishing it, or left. Watches of it deliver nothing until it is published again. */
  'video.unpublished': VideoSource;
  /** The call was ended for everyone (by its owner, or by the server). */
  'call.ended': { reason: string };
  'connection.state': { state: ConnectionState; previous: ConnectionState };
}

export type AudioOutputEvents = AudioPacerEvents;
export type AudioOutputStats = AudioPacerStats;

/** The agent's voice in the call: one published audio track, fed in real time. */
export interface AudioOutput {
  readonly events: EventBus<AudioOutputEvents>;
  readonly stats: AudioOutputStats;
  /** Queues mono 16-bit PCM, any chunk size, at 16, 24 or 48 kHz. Returns at once. */
  write(samples: Int16Array, sampleRate: number): void;
  /** Marks the end of an utterance: `playbackDrained` follows when it has played out. */
  end(): void;
  /** Drops everything queued (barge-in): silence within one 10 ms frame. */
  flush(): void;
  /**
   * Holds playback where it is (speech over the agent that may not be an interruption): silence
   * within one 10 ms frame, the queue kept (and still written to) until `resume()` plays on from
   * the same sample or `flush()` drops it.
   */
  pause(): void;
  /** Plays on from where `pause()` held it. */
  resume(): void;
  /** Stops publishing. Idempotent. */
  close(): Promise<void>;
}

/** A joined call. Events for participants already in the call are emitted right after `join()` resolves. */
export interface Connection {
  readonly call: EdgeCall;
  readonly events: EventBus<ConnectionEvents>;
  readonly state: ConnectionState;
  /** The other participants in the call now. */
  readonly participants: readonly Participant[];
  /** Publishes the agent's audio track (once; later calls return the same output). */
  publishAudio(): Promise<AudioOutput>;
  /** The cameras and screen shares published now, oldest first. */
  readonly videoSources: readonly VideoSource[];
  /**
   * Samples a participant's camera or screen share: asks the server to send it, decodes it and
   * hands over one I420 frame per `intervalMs`. It may start before the video is published and
   * follows it when it is republished. Returns the function that stops watching (idempotent).
   */
  watchVideo(participant: Participant, kind: VideoKind, options: WatchVideoOptions): () => void;
  /** Leaves the call and frees its media. Idempotent. */
  close(): Promise<void>;
}

export interface DemoLink {
  url: string;
  /** Whether a browser was asked to open it. */
  opened: boolean;
}

export interface JoinOptions {
  /** Aborting gives up joining (the join rejects) and leaves the call. */
  signal?: AbortSignal;
}

/** A message a person typed into the call's chat. */
export interface TypedMessage {
  id: string;
  userId: string;
  /** The author's display name, when the chat knows it. */
  userName?: string;
  text: string;
  createdAt: Date;
}

/** One earlier turn in the call's chat: a message typed, a transcript, or the agent's. */
export interface ChatHistoryTurn {
  /** `assistant`: written by the agent (its spoken answers and its posts); `user`: anyone else. */
  role: 'user' | 'assistant';
  userId: string;
  userName?: string;
  text: string;
}

/** Why a message in the chat is not a typed turn for the agent. */
export type IgnoredChatMessageReason =
  /** The agent's own (its transcripts and posts). */
  | 'own'
  /** Another bot's. */
  | 'bot'
  /** A transcript of speech, written by an agent for the speaker. */
  | 'transcript'
  /** A message of the chat itself (system, error, ephemeral commands), or a silent one. */
  | 'system'
  /** No text (an attachment alone). */
  | 'empty'
  /** An edit of a message already seen. */
  | 'edit'
  /** A deletion. */
  | 'deletion';

export interface ChatChannelEvents extends ErrorEvents {
  /** A person typed a message. Each message is delivered once, also after a reconnection. */
  message: { message: TypedMessage };
  /** A message that is not a typed turn, and why. */
  ignored: { messageId: string; userId?: string; reason: IgnoredChatMessageReason };
  /** The chat's socket dropped: messages typed meanwhile are delivered after `reconnected`. */
  disconnected: { reason: string };
  /** The socket is back and the messages typed while it was down have been delivered. */
  reconnected: { caughtUp: number };
}

export interface OpenChatOptions {
  /** Earlier messages to load (the newest), for `history`. */
  historyMessages: number;
  signal?: AbortSignal;
}

/** The call's chat as the agent reads it: typed messages as they come, and what it held before. */
export interface ChatChannel {
  readonly events: EventBus<ChatChannelEvents>;
  /** The channel's messages from before the agent opened it, oldest first; transcripts whole, not in chunks. */
  readonly history: readonly ChatHistoryTurn[];
  /** Stops reading. Idempotent. */
  close(): Promise<void>;
}

export interface Edge {
  /** Registers the agent's user (name, image, custom fields). Call before anything else. */
  authenticate(user: EdgeUser): Promise<void>;
  /** Gets or creates the call, owned by the agent. */
  createCall(type: string, id: string): Promise<EdgeCall>;
  join(call: EdgeCall, options?: JoinOptions): Promise<Connection>;
  /** The conversation that keeps the call's transcript (its chat channel, for Stream). */
  createConversation(call: EdgeCall): Promise<Conversation>;
  /**
   * Reads the call's chat as the agent (typed messages, and the history before it came). Absent:
   * the edge has no chat.
   */
  openChat?(call: EdgeCall, options: OpenChatOptions): Promise<ChatChannel>;
  /** A link a person can open to join the call; printed, and opened in a browser where possible. */
  openDemo(call: EdgeCall): Promise<DemoLink>;
  /** Leaves every call and closes every connection. Idempotent. */
  close(): Promise<void>;
}
