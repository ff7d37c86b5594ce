/**
 * Whether a user's turn is meant for the agent, in a call with several people.
 *
 * - `always`: every turn is (one person talking to the agent; today's behaviour).
 * - `when-addressed`: a turn is for the agent when
 *   1. it names the agent ("Nova, what's next?", "what do you think, Nova?"), or
 *   2. it is the first turn after the agent's own answer, within `followUpWindowMs`, is a
 *      question, and names nobody else ("and the week after?"); unless the turn the agent
 *      answered closed the exchange ("Thanks, Nova"): the talk is back among the people.
 *   A turn that names another person in the call ("Bob, did you send it?") is theirs, and so is
 *   anything else: people talking among themselves.
 *
 * Every turn is still transcribed into the Conversation either way; only the answer depends on
 * this. Names match whole words, case and punctuation ignored.
 */

export type Addressing = 'always' | 'when-addressed';

export interface AddressingOptions {
  addressing: Addressing;
  /** What people call the agent: its name and any nicknames ("Nova", "Hey Nova" needs only "Nova"). */
  agentNames: readonly string[];
  /** After the agent's answer, how long a question without a name is taken as a follow-up; default 15 000. */
  followUpWindowMs?: number;
}

/** What a session is given to decide with: the policy's options and who else is in the call now. */
export interface AddressingSettings extends AddressingOptions {
  /** Names of the other people in the call, as of now. */
  participantNames(): readonly string[];
}

export interface TurnContext {
  /** performance.now() of the end of the agent's last answer, if it answered before. */
  agentAnsweredAtMs: number | undefined;
  /** User turns since the agent's last answer: only the first one can be a follow-up. */
  turnsSinceAnswer: number;
  /** The user turn the agent last answered. */
  answeredText?: string;
  /** Names of the other people in the call. */
  participantNames: readonly string[];
  nowMs: number;
}

export const DEFAULT_FOLLOW_UP_WINDOW_MS = 15_000;

const CLOSING = /^(thanks|thank you|thank|cheers|great thanks|perfect thanks|that's all|that is all|that's it|bye|goodbye)\b/;
const QUESTION_START = /^(what|what's|whats|how|why|when|where|who|whom|which|whose|can|could|would|will|should|shall|do|does|did|is|are|was|were|have|has|and|any|anything|tell|say)\b/;

export class AddressingPolicy {
  readonly addressing: Addressing;
  readonly followUpWindowMs: number;
  readonly #agentNames: string[][];

  constructor(options: AddressingOptions) {
    this.addressing = options.addressing;
    this.followUpWindowMs = options.followUpWindowMs ?? DEFAULT_FOLLOW_UP_WINDOW_MS;
    // "Gemini Agent" also answers to "Gemini": people call others by their first name.
    this.#agentNames = options.agentNames
      .map(words)
      .filter((name) => name.length > 0)
      .flatMap((name) => (name.length > 1 ? [name, name.slice(0, 1)] : [name]));
    if (this.addressing === 'when-addressed' && this.#agentNames.length === 0) {
      throw new RangeError("addressing 'when-addressed' needs the agent's name (agentUser.name, or addressingNames)");
    }
  }

  /** Whether the agent should answer `text`, said in `context`. */
  isAddressed(text: string, context: TurnContext): boolean {
    if (this.addressing === 'always') return true;
    const said = words(text);
    if (this.#agentNames.some((name) => contains(said, name))) return true;
    const others = context.participantNames.map(words).filter((name) => name.length > 0 && !this.#isAgentName(name));
    if (others.some((name) => contains(said, name.slice(0, 1)))) return false;
    const followUp =
      context.agentAnsweredAtMs !== undefined &&
      context.turnsSinceAnswer === 0 &&
      !this.#closesExchange(context.answeredText ?? '') &&
      context.nowMs - context.agentAnsweredAtMs <= this.followUpWindowMs;
    return followUp && isQuestion(text);
  }

  /** "Thanks, Nova", "thank you", "that's all": said to end an exchange with the agent. */
  #closesExchange(text: string): boolean {
    const agentWords = new Set(this.#agentNames.flat());
    const said = words(text).filter((word) => !agentWords.has(word) && word !== 'hey' && word !== 'ok' && word !== 'okay');
    return CLOSING.test(said.join(' '));
  }

  #isAgentName(name: string[]): boolean {
    return this.#agentNames.some((agentName) => agentName.join(' ') === name.join(' '));
  }
}

function isQuestion(text: string): boolean {
  return /\?\s*$/.test(text.trim()) || QUESTION_START.test(words(text).join(' '));
}

/** Whether `phrase` occurs in `said` as consecutive whole words. */
function contains(said: string[], phrase: string[]): boolean {
  for (let at = 0; at + phrase.length <= said.length; at++) {
    if (phrase.every((word, i) => said[at + i] === word)) return true;
  }
  return false;
}

function words(text: string): string[] {
  return text
    .toLowerCase()
    .replace(/[^\p{L}\p{N}'\s]/gu, ' ')
    .split(/\s+/)
    .filter((word) => word !== '');
}
