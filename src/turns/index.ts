export { BackchannelClassifier, DEFAULT_BACKCHANNELS } from './backchannel.js';
export {
  BargeInPolicy,
  DEFAULT_CONFIRM_WITHIN_MS,
  DEFAULT_MIN_INTERRUPTION_SPEECH_MS,
  DEFAULT_WORDS_TIMEOUT_MS,
  type BargeInOptions,
  type BargeInTarget,
} from './barge-in.js';
export {
  AddressingPolicy,
  DEFAULT_FOLLOW_UP_WINDOW_MS,
  type Addressing,
  type AddressingOptions,
  type AddressingSettings,
  type TurnContext,
} from './addressing.js';
export { EndOfTurnDetector, DEFAULT_MAX_ENDPOINTING_DELAY_MS, DEFAULT_MIN_ENDPOINTING_DELAY_MS, type EndOfTurnOptions } from './end-of-turn.js';
export { heardText } from './heard-text.js';
