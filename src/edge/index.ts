/** How an agent reaches a call: the Edge interface and its Stream Video implementation. */
export type {
  AudioOutput,
  AudioOutputEvents,
  AudioOutputStats,
  Connection,
  ConnectionEvents,
  ConnectionState,
  DemoLink,
  Edge,
  EdgeCall,
  EdgeUser,
  JoinOptions,
  Participant,
  TrackKind,
  VideoKind,
  VideoSource,
  WatchVideoOptions,
} from './edge.js';
