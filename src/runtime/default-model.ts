/**
 * The model an agent definition gets when it names none, by AGENT_MODE: Gemini Live (speech to
 * speech), or pipeline mode (Silero VAD, Deepgram, Gemini text with its tools, ElevenLabs or
 * Cartesia by TTS_PROVIDER). The providers of the mode not chosen are never loaded: each is
 * imported when it is first needed.
 */
import type { Config } from '../config.js';
import type { RealtimeModel } from '../llm/realtime.js';
import {
  cartesiaOptions,
  deepgramOptions,
  elevenLabsOptions,
  geminiLLMOptions,
  geminiRealtimeOptions,
  missingPipelineCredentials,
  pipelineTurnOptions,
} from '../presets.js';
import type { STT } from '../stt/stt.js';
import type { TTS } from '../tts/tts.js';

export async function defaultModel(config: Config, options: { video: boolean }): Promise<RealtimeModel> {
  if (config.agent.mode === 'pipeline') return pipelineModel(config);
  const { GeminiRealtime } = await import('../llm/gemini/realtime.js');
  if (config.agent.turnDetection === 'service') return new GeminiRealtime(geminiRealtimeOptions(config, { video: options.video }));
  const { SileroVAD } = await import('../vad/silero/index.js');
  const turnDetection = {
    vad: new SileroVAD(),
    stt: await interruptionStt(config),
    language: config.pipeline.language,
    minInterruptionSpeechMs: config.agent.minInterruptionSpeechMs,
    falseInterruptionTimeoutMs: config.pipeline.falseInterruptionTimeoutMs,
    ...realtimeEndpointing(config),
  };
  return new GeminiRealtime(geminiRealtimeOptions(config, { video: options.video, turnDetection }));
}

/** With a Deepgram key, realtime mode reads the words of speech over the agent (else its length decides). */
async function interruptionStt(config: Config): Promise<STT | undefined> {
  if (!config.pipeline.deepgram.apiKey) return undefined;
  const { DeepgramSTT } = await import('../stt/deepgram/index.js');
  return new DeepgramSTT(deepgramOptions(config));
}

/** The endpointing delays, where set, apply to realtime mode under the agent's detection too. */
function realtimeEndpointing(config: Config): { minEndpointingDelayMs?: number; maxEndpointingDelayMs?: number } {
  const { minEndpointingDelayMs, maxEndpointingDelayMs } = config.pipeline;
  return { minEndpointingDelayMs, maxEndpointingDelayMs };
}

async function pipelineModel(config: Config): Promise<RealtimeModel> {
  const [{ PipelineModel }, { DeepgramSTT }, { GeminiLLM }, { SileroVAD }] = await Promise.all([
    import('../pipeline/pipeline-model.js'),
    import('../stt/deepgram/index.js'),
    import('../llm/gemini/gemini-llm.js'),
    import('../vad/silero/index.js'),
  ]);
  return new PipelineModel({
    stt: new DeepgramSTT(deepgramOptions(config)),
    llm: new GeminiLLM(geminiLLMOptions(config)),
    tts: await defaultTts(config),
    vad: new SileroVAD(),
    ...pipelineTurnOptions(config),
  });
}

async function defaultTts(config: Config): Promise<TTS> {
  if (config.pipeline.ttsProvider === 'cartesia') {
    const { CartesiaTTS } = await import('../tts/cartesia/index.js');
    return new CartesiaTTS(cartesiaOptions(config));
  }
  const { ElevenLabsTTS } = await import('../tts/elevenlabs/index.js');
  return new ElevenLabsTTS(elevenLabsOptions(config));
}

/** The credentials the default model of this configuration needs and lacks. */
export function missingModelCredentials(config: Config): string[] {
  if (config.agent.mode === 'pipeline') return missingPipelineCredentials(config);
  return config.google.apiKey ? [] : ['GOOGLE_API_KEY'];
}
