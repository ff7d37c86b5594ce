/**
 * The `GenerateContentConfig` of a request: system instruction, sampling options, safety
 * settings and function declarations. The abort signal is added per call by the caller.
 */
import { HarmBlockThreshold, HarmCategory, type GenerateContentConfig, type SafetySetting } from '@google/genai';
import type { LLMRequest } from '../llm.js';

/**
 * 'strict' blocks anything flagged at the lowest threshold in every category the Gemini API
 * accepts. The image-only categories are Vertex-only, and civic integrity is deprecated: sending
 * them makes the Gemini API reject the request.
 */
const STRICT_SAFETY: SafetySetting[] = [
  HarmCategory.HARM_CATEGORY_HARASSMENT,
  HarmCategory.HARM_CATEGORY_HATE_SPEECH,
  HarmCategory.HARM_CATEGORY_SEXUALLY_EXPLICIT,
  HarmCategory.HARM_CATEGORY_DANGEROUS_CONTENT,
].map((category) => ({ category, threshold: HarmBlockThreshold.BLOCK_LOW_AND_ABOVE }));

export function toGeminiConfig(request: LLMRequest): GenerateContentConfig {
  const options = request.options ?? {};
  const config: GenerateContentConfig = {};
  if (request.instructions) config.systemInstruction = request.instructions;
  if (options.temperature !== undefined) config.temperature = options.temperature;
  if (options.topP !== undefined) config.topP = options.topP;
  if (options.topK !== undefined) config.topK = options.topK;
  if (options.maxOutputTokens !== undefined) config.maxOutputTokens = options.maxOutputTokens;
  if (options.stopSequences?.length) config.stopSequences = options.stopSequences;
  if (options.safety === 'strict') config.safetySettings = STRICT_SAFETY;

  const declarations = request.tools?.declarations() ?? [];
  if (declarations.length > 0) {
    // `parametersJsonSchema` takes JSON Schema as is; `parameters` would need Gemini's OpenAPI subset.
    config.tools = [
      {
        functionDeclarations: declarations.map(({ name, description, parameters }) => ({
          name,
          description,
          parametersJsonSchema: parameters,
        })),
      },
    ];
  }
  return config;
}
