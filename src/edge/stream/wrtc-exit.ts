/**
 * Lets a process that loaded wrtc end by itself.
 *
 * Why: when a Node process ends naturally (its event loop empties), Node tears its environment
 * down and runs the finalizer of every native object still alive, in no particular order. wrtc's
 * objects hold references to each other (an RTCAudioSource to its tracks, an RTCRtpTransceiver to
 * its sender, a peer connection to its transceivers), and their destructors release those
 * references through N-API. When the object referred to was finalized first, that release
 * touches a freed reference: the process dies with SIGSEGV, SIGABRT or a V8 fatal error
 * (`GlobalHandles::Destroy`, "Check failed: node->IsInUse()") after all of its own work is done.
 * Stopping tracks and closing peer connections does not help (their wrappers live on until
 * garbage collection, which never runs at exit); one RTCAudioSource whose track was stopped is
 * enough to crash every time. `process.exit()` does not tear the environment down, which is why
 * it never crashes.
 *
 * What: once wrtc is loaded, a natural exit ends the way `process.exit()` does, after every
 * `'exit'` listener has run, with the exit code the process would have had. Nothing changes
 * while the process runs: `'beforeExit'` listeners can still keep it alive, `process.exit()` and
 * signals behave as before, and an uncaught exception is reported and ends the process exactly
 * as Node does it (Node's fatal path never tears the environment down either).
 *
 * How: one `'exit'` listener, added when wrtc is loaded. Node calls `'exit'` listeners in the
 * order they were added; this one first calls the listeners added after it (with the code, as
 * Node would), then ends the process through `process.exit()`, which inside `'exit'` only ends
 * it, with `process.exitCode`. Worker threads are left alone: there `process.exit()` ends only
 * the thread.
 */
import { isMainThread } from 'node:worker_threads';

let installed = false;

/** Installs the guard once per process (on the main thread). */
export function endNaturalExitWithoutNativeTeardown(): void {
  if (installed || !isMainThread) return;
  installed = true;

  // An uncaught exception emits 'exit' before Node prints it; ending the process there would
  // lose the report. Node's own fatal path is safe, so the guard stays out of it. A handled
  // exception clears the mark before any later exit.
  let fatal = false;
  process.on('uncaughtExceptionMonitor', () => {
    fatal = true;
    queueMicrotask(() => (fatal = false));
  });

  process.on('exit', function endWithoutTeardown(code: number) {
    if (fatal) return;
    const listeners = process.listeners('exit');
    for (const listener of listeners.slice(listeners.indexOf(endWithoutTeardown) + 1)) {
      listener.call(process, code);
    }
    process.exit();
  });
}
