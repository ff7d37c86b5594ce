/**
 * Loads an agent file: TypeScript (or JavaScript) as it is, through tsx's loader registered at
 * run time, so a project installed from npm needs no build step; then checks that its default
 * export is an agent definition. A problem is a ConfigError naming the file (and, for an invalid
 * definition, the field).
 */
import { relative } from 'node:path';
import { pathToFileURL } from 'node:url';
import { register } from 'tsx/esm/api';
import { isAgentDefinition, type AgentDefinition } from '../agent/define-agent.js';
import { ConfigError, ValidationError } from '../core/errors.js';

/** Every module the process imports (for `dev`, which watches the agent file's own ones). */
const importListeners = new Set<(url: string) => void>();
let registered = false;

/**
 * tsx's loader, once per process, so TypeScript files (agent files, a bots file) import as they
 * are; when tsx is already loaded (`node --import tsx`), this one adds the import reports.
 */
export function registerTypeScript(): void {
  if (registered) return;
  registered = true;
  register({ onImport: (url) => importListeners.forEach((listener) => listener(url)) });
}

export interface LoadedAgentFile {
  file: string;
  definition: AgentDefinition;
}

/**
 * Imports `file` (absolute) and returns its definition. `onImport` hears the URL of every module
 * loaded meanwhile, the file's own imports among them.
 */
export async function loadAgentFile(file: string, options: { onImport?: (url: string) => void } = {}): Promise<LoadedAgentFile> {
  const shown = relative(process.cwd(), file) || file;
  registerTypeScript();
  if (options.onImport) importListeners.add(options.onImport);
  let module: { default?: unknown };
  try {
    module = (await import(pathToFileURL(file).href)) as typeof module;
  } catch (thrown) {
    if (thrown instanceof ValidationError) {
      throw new ConfigError(`${shown}: the agent definition is invalid: ${thrown.message}`, [], thrown);
    }
    const reason = thrown instanceof Error ? (thrown.stack ?? thrown.message) : String(thrown);
    throw new ConfigError(`${shown} could not be loaded: ${reason}`, [], thrown);
  } finally {
    if (options.onImport) importListeners.delete(options.onImport);
  }
  if (!isAgentDefinition(module.default)) {
    const found = module.default === undefined ? 'it has no default export' : 'its default export is not one';
    throw new ConfigError(
      `${shown} must export an agent definition as default: export default defineAgent({ ... }) (from 'stream-gemini-agents'); ${found}.`,
      [],
    );
  }
  return { file, definition: module.default };
}
