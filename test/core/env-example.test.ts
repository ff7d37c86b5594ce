/**
 * `.env.example` as a user copies it: a local run listens on 127.0.0.1 only, and the same file
 * given to the Docker image (`docker run --env-file .env`) keeps the image's 0.0.0.0, so the
 * published port answers.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';

const root = new URL('../../', import.meta.url);

/** What `docker run --env-file` reads: KEY=VALUE lines taken as they are; `#` lines are comments. */
function dockerEnvFile(text: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const line of text.split('\n')) {
    if (line.trim() === '' || line.trimStart().startsWith('#')) continue;
    const equals = line.indexOf('=');
    env[line.slice(0, equals).trim()] = line.slice(equals + 1);
  }
  return env;
}

/** The environment the Dockerfile's final stage sets with ENV. */
function imageEnv(dockerfile: string): Record<string, string> {
  const finalStage = dockerfile.slice(dockerfile.lastIndexOf('\nFROM '));
  const block = /^ENV ((?:.*\\\n)*.*)$/m.exec(finalStage)?.[1] ?? '';
  return Object.fromEntries([...block.matchAll(/([A-Z_]+)=(\S+)/g)].map((match) => [match[1]!, match[2]!]));
}

describe('.env.example', () => {
  const example = dockerEnvFile(readFileSync(new URL('.env.example', root), 'utf8'));

  it('is a valid configuration as it stands, listening on this machine only', () => {
    expect(example).not.toHaveProperty('HOST');
    expect(loadConfig(example).server).toMatchObject({ host: '127.0.0.1', port: 8080 });
  });

  it('keeps the Docker image listening on every interface when passed with --env-file', () => {
    const image = imageEnv(readFileSync(new URL('Dockerfile', root), 'utf8'));
    expect(image).toMatchObject({ HOST: '0.0.0.0', PORT: '8080' });
    // The file's variables win over the image's, as with docker run.
    const config = loadConfig({ ...image, ...example });
    expect(config.server).toMatchObject({ host: '0.0.0.0', port: 8080 });
  });
});
