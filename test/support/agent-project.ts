/**
 * A project of a user's own in a temporary folder, as `npm install stream-gemini-agents` leaves
 * it: a package.json, the package under node_modules (here a link to this repository), and the
 * agent files a test writes (with zod, which agent files use for their tools' schemas). The CLI loads them from there, TypeScript and all.
 */
import { mkdtemp, mkdir, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';

export interface AgentProject {
  dir: string;
  /** The absolute path of a file of the project. */
  path(file: string): string;
  /** Writes (or rewrites) a file of the project, creating its folder. */
  write(file: string, content: string): Promise<string>;
  remove(): Promise<void>;
}

export async function createAgentProject(files: Record<string, string> = {}): Promise<AgentProject> {
  const dir = await mkdtemp(join(tmpdir(), 'agent-project-'));
  await mkdir(join(dir, 'node_modules'));
  await symlink(resolve('.'), join(dir, 'node_modules', 'stream-gemini-agents'), 'dir');
  // What an agent file imports beside the package, installed as the user would.
  await symlink(resolve('node_modules/zod'), join(dir, 'node_modules', 'zod'), 'dir');
  const project: AgentProject = {
    dir,
    path: (file) => join(dir, file),
    async write(file, content) {
      const path = join(dir, file);
      await mkdir(dirname(path), { recursive: true });
      await writeFile(path, content);
      return path;
    },
    remove: () => rm(dir, { recursive: true, force: true }),
  };
  await project.write('package.json', JSON.stringify({ name: 'my-agents', private: true, type: 'module' }));
  for (const [file, content] of Object.entries(files)) await project.write(file, content);
  return project;
}
