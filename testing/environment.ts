/**
 * The environment that points a configuration at the fakes: `loadConfig(env)`, the
 * `stream-agents` command and the worker read Stream's and Gemini's keys and base URLs from it,
 * so code under test reaches the fakes without a line of its own changed.
 *
 *   const config = loadConfig({ ...fakeServicesEnv({ video, google: live }), AGENT_USER_ID: 'assistant' });
 *   spawn('npx', ['stream-agents', 'run', 'agents/my-agent.ts'], { env: { ...process.env, ...fakeServicesEnv({ video, google: live }) } });
 */

/** What of a FakeStreamVideo the environment names. */
export interface FakeStreamEndpoints {
  apiKey: string;
  apiSecret: string;
  baseUrl: string;
  videoBaseUrl: string;
  locationHintUrl: string;
}

export interface FakeServices {
  /** A FakeStreamVideo (its REST API, coordinator and location hint). */
  video?: FakeStreamEndpoints;
  /** A FakeGeminiLive, or a FakeGemini as `{ apiKey, baseUrl: await fake.start() }`: both use GOOGLE_GEMINI_BASE_URL. */
  google?: { apiKey: string; baseUrl: string };
  /** A FakeDeepgram (pipeline mode's STT). */
  deepgram?: { apiKey: string; baseUrl: string };
  /** A FakeElevenLabs (pipeline mode's default TTS). */
  elevenlabs?: { apiKey: string; baseUrl: string };
  /** A FakeCartesia (the other TTS: TTS_PROVIDER=cartesia is set with it). */
  cartesia?: { apiKey: string; baseUrl: string };
}

export function fakeServicesEnv(services: FakeServices): Record<string, string> {
  const { video, google, deepgram, elevenlabs, cartesia } = services;
  return {
    ...(video && {
      STREAM_API_KEY: video.apiKey,
      STREAM_API_SECRET: video.apiSecret,
      STREAM_BASE_URL: video.baseUrl,
      STREAM_VIDEO_BASE_URL: video.videoBaseUrl,
      STREAM_LOCATION_HINT_URL: video.locationHintUrl,
    }),
    ...(google && { GOOGLE_API_KEY: google.apiKey, GOOGLE_GEMINI_BASE_URL: google.baseUrl }),
    ...(deepgram && { DEEPGRAM_API_KEY: deepgram.apiKey, DEEPGRAM_BASE_URL: deepgram.baseUrl }),
    ...(elevenlabs && { ELEVENLABS_API_KEY: elevenlabs.apiKey, ELEVENLABS_BASE_URL: elevenlabs.baseUrl }),
    ...(cartesia && { CARTESIA_API_KEY: cartesia.apiKey, CARTESIA_BASE_URL: cartesia.baseUrl, TTS_PROVIDER: 'cartesia' }),
  };
}
