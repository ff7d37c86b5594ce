/**
 * The example agent files (the .ts files in agents/ and its folders) that are written as a user's would be: they import the
 * package by its name, never the repository's sources ('../src/…'). check:package compiles them
 * against the installed tarball, so the example agent is known to work from the package.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { importsOf } from './readme-examples.js';

export interface AgentFile {
  /** Its path in the repository, and in the consumer project: agents/<path>.ts. */
  path: string;
  code: string;
  imports: string[];
}

export function agentFiles(root: string): { files: AgentFile[]; skipped: string[] } {
  const files: AgentFile[] = [];
  const skipped: string[] = [];
  // Recursive: an agent file may import a shared piece (agents/tools/…) of its own.
  for (const name of readdirSync(join(root, 'agents'), { recursive: true, encoding: 'utf8' }).filter((file) => file.endsWith('.ts')).sort()) {
    const code = readFileSync(join(root, 'agents', name), 'utf8');
    const imports = importsOf(code);
    const path = `agents/${name}`;
    if (imports.some((specifier) => specifier.startsWith('../'))) skipped.push(path);
    else files.push({ path, code, imports });
  }
  return { files, skipped };
}
