/** The events of the completion protocol, in the order a turn produces them. */
import type { PiiEntity } from './pii.js';

export type EndReason = 'stop' | 'length' | 'activity' | 'abort' | 'error' | 'iteration';

export interface TurnResult {
  text: string;
  usage: { token: number };
  end: { reason: EndReason };
}

export interface ProtocolMessage {
  type: 'activity';
  text: string;
  meta?: Record<string, unknown>;
}

export type ProtocolEvent =
  /** The user's message was processed (masked, when privacy is on; entities say what was masked). */
  | { type: 'sendResult'; data: { text: string; entities: PiiEntity[]; usage: { token: number } } }
  | { type: 'token'; data: { token: string } }
  | { type: 'message'; data: ProtocolMessage }
  /** One per model call. */
  | { type: 'usage'; data: { model: string; inputTokensUsed: number; outputTokensUsed: number } }
  | { type: 'receiveResult'; data: TurnResult }
  | { type: 'result'; data: TurnResult }
  /** Ends the stream. */
  | { type: 'error'; data: { code: string; message: string } }
  | { type: 'ping'; data: Record<string, never> };

export type ProtocolEventType = ProtocolEvent['type'];
