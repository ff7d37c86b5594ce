/**
 * Finds the AgentFactory the worker starts sessions with: the default export (or an
 * `agentFactory` export) of a module, by default `agents/worker-agent.ts` — or `.js` in a
 * compiled build (the Docker image) — relative to the working directory.
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ConfigError } from '../core/errors.js';
import type { AgentFactory } from './session-agent.js';

export const DEFAULT_AGENT_FACTORY_FILES = ['agents/worker-agent.ts', 'agents/worker-agent.js'];

/**
 * The factory exported by `path`, or by the default file. Resolves undefined when no `path` is
 * given and no default file exists; throws a ConfigError when a file is missing, cannot be
 * imported or exports no function.
 */
export async function loadAgentFactory(path?: string): Promise<AgentFactory | undefined> {
  const candidates = path ? [path] : DEFAULT_AGENT_FACTORY_FILES;
  const file = candidates.map((candidate) => resolve(candidate)).find((absolute) => existsSync(absolute));
  if (!file) {
    if (!path) return undefined;
    throw new ConfigError(`The agent factory ${path} does not exist.`, []);
  }
  let module: { default?: unknown; agentFactory?: unknown };
  try {
    module = (await import(pathToFileURL(file).href)) as typeof module;
  } catch (thrown) {
    throw new ConfigError(`The agent factory ${file} cannot be imported: ${(thrown as Error).message}`, [], thrown);
  }
  const factory = module.default ?? module.agentFactory;
  if (typeof factory !== 'function') {
    throw new ConfigError(`${file} must export an AgentFactory ((call, { sessionId, signal }) => Promise<SessionAgent>) as default.`, []);
  }
  return factory as AgentFactory;
}
