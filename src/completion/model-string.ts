/**
 * The protocol's model string: `name` or `name/key=value/...`, e.g.
 * `gemini-2.5-flash/temperature=0.2/maxTokens=512`. An unknown model or option is the
 * client's mistake and is reported with the offending part, never silently dropped.
 */
import { ValidationError } from '../core/errors.js';
import type { LLMOptions } from '../llm/llm.js';

/** Gemini text models the server accepts by name (the configured GEMINI_MODEL is added to these). */
export const KNOWN_GEMINI_MODELS: readonly string[] = [
  'gemini-2.5-pro',
  'gemini-2.5-flash',
  'gemini-2.5-flash-lite',
  'gemini-2.5-flash-preview-09-2025',
  'gemini-2.5-flash-lite-preview-09-2025',
  'gemini-2.0-flash',
  'gemini-2.0-flash-001',
  'gemini-2.0-flash-lite',
  'gemini-2.0-flash-lite-001',
  'gemini-flash-latest',
  'gemini-flash-lite-latest',
  'gemini-pro-latest',
  'gemini-3-pro-preview',
];

export interface ModelChoice {
  /** The model id passed to the provider. */
  name: string;
  options: Pick<LLMOptions, 'temperature' | 'topP' | 'topK' | 'maxOutputTokens'>;
  /** Only the last N conversation messages go to the model (the protocol's `interactionMaxMessages`). */
  interactionMaxMessages?: number;
}

type OptionRule = { apply: (choice: ModelChoice, value: number) => void; min: number; max: number; integer: boolean };

// A Map, not an object: a client's option name such as `constructor` or `__proto__` must find
// nothing rather than something inherited.
const OPTION_RULES: ReadonlyMap<string, OptionRule> = new Map([
  ['temperature', { min: 0, max: 2, integer: false, apply: (c, v) => void (c.options.temperature = v) }],
  ['topP', { min: 0, max: 1, integer: false, apply: (c, v) => void (c.options.topP = v) }],
  ['topK', { min: 1, max: 1000, integer: true, apply: (c, v) => void (c.options.topK = v) }],
  ['maxTokens', { min: 1, max: 65_536, integer: true, apply: (c, v) => void (c.options.maxOutputTokens = v) }],
  ['maxOutputTokens', { min: 1, max: 65_536, integer: true, apply: (c, v) => void (c.options.maxOutputTokens = v) }],
  ['interactionMaxMessages', { min: 1, max: 10_000, integer: true, apply: (c, v) => void (c.interactionMaxMessages = v) }],
] satisfies Array<[string, OptionRule]>);

/** The option names a model string may carry. */
export const MODEL_OPTION_NAMES = [...OPTION_RULES.keys()];

const NUMBER = /^-?(?:\d+\.?\d*|\.\d+)(?:e[-+]?\d+)?$/i;

/** Parses a model string against the accepted model names; throws ValidationError('model', …). */
export function parseModelString(value: string, knownModels: ReadonlySet<string>): ModelChoice {
  const [name = '', ...parts] = value.trim().split('/');
  if (!knownModels.has(name)) {
    throw new ValidationError('model', `unknown model "${name}"; use one of ${[...knownModels].sort().join(', ')}`);
  }
  const choice: ModelChoice = { name, options: {} };
  const seen = new Set<string>();
  for (const part of parts) {
    const equals = part.indexOf('=');
    const key = equals < 0 ? part : part.slice(0, equals);
    const raw = equals < 0 ? '' : part.slice(equals + 1);
    const rule = OPTION_RULES.get(key);
    if (!rule) {
      throw new ValidationError('model', `unknown model option "${key}"; supported: ${MODEL_OPTION_NAMES.join(', ')}`);
    }
    if (seen.has(key)) throw new ValidationError('model', `model option "${key}" is given twice`);
    seen.add(key);
    const number = Number(raw);
    if (!NUMBER.test(raw) || !Number.isFinite(number)) {
      throw new ValidationError('model', `model option "${key}" needs a number, got "${raw}"`);
    }
    if ((rule.integer && !Number.isInteger(number)) || number < rule.min || number > rule.max) {
      const kind = rule.integer ? 'an integer' : 'a number';
      throw new ValidationError('model', `model option "${key}" must be ${kind} from ${rule.min} to ${rule.max}, got ${raw}`);
    }
    rule.apply(choice, number);
  }
  return choice;
}
