/**
 * Watches a set of files for changes, for `dev`: one watcher per folder (not per file, so a file
 * an editor saves by writing a new one and renaming it over the old is still seen), events for
 * other files in those folders ignored, and a burst of events (one save is often several)
 * reported once.
 */
import { watch, type FSWatcher } from 'node:fs';
import { dirname, join } from 'node:path';

/** Quiet time after the last event before a change is reported. */
const SETTLE_MS = 150;

export class FileWatcher {
  readonly #onChange: (file: string) => void;
  readonly #files = new Set<string>();
  readonly #folders = new Map<string, FSWatcher>();
  #timer: NodeJS.Timeout | undefined;
  #changed: string | undefined;

  constructor(onChange: (file: string) => void) {
    this.#onChange = onChange;
  }

  /** Adds `files` (absolute paths) to those watched. */
  watch(files: Iterable<string>): void {
    for (const file of files) {
      this.#files.add(file);
      const folder = dirname(file);
      if (this.#folders.has(folder)) continue;
      const watcher = watch(folder, (_event, name) => {
        const changed = name === null ? undefined : join(folder, name.toString());
        if (changed !== undefined && this.#files.has(changed)) this.#settle(changed);
      });
      watcher.on('error', () => this.#folders.delete(folder)); // the folder went away; a later watch() adds it again
      this.#folders.set(folder, watcher);
    }
  }

  close(): void {
    clearTimeout(this.#timer);
    for (const watcher of this.#folders.values()) watcher.close();
    this.#folders.clear();
  }

  #settle(file: string): void {
    this.#changed = file;
    clearTimeout(this.#timer);
    this.#timer = setTimeout(() => this.#onChange(this.#changed!), SETTLE_MS);
  }
}
