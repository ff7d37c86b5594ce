/**
 * CPU time of this process over a window: in total (`process.cpuUsage`, every thread), and per
 * thread name from /proc (Linux), so a figure can say how much was the JavaScript thread and
 * how much native threads (wrtc's codec and network threads, V8's compiler and GC helpers).
 */
import { readdirSync, readFileSync } from 'node:fs';

export interface CpuWindow {
  wallMs: number;
  /** User + system CPU of the whole process, in ms. */
  cpuMs: number;
  /** CPU ms by thread name (threads of the same name summed); empty where /proc is missing. */
  byThread: Record<string, number>;
  /** Times the JavaScript thread went to sleep and was woken (voluntary context switches); 0 without /proc. */
  mainThreadWakeups: number;
}

export interface CpuMeter {
  /** Ends the window. */
  stop(): CpuWindow;
}

/** Starts measuring now. */
export function startCpuWindow(): CpuMeter {
  const threadsBefore = threadTicks();
  const wakeupsBefore = mainThreadSleeps();
  const cpuBefore = process.cpuUsage();
  const wallBefore = performance.now();
  return {
    stop() {
      const wallMs = performance.now() - wallBefore;
      const cpu = process.cpuUsage(cpuBefore);
      const threadsAfter = threadTicks();
      const mainThreadWakeups = mainThreadSleeps() - wakeupsBefore;
      const byThread: Record<string, number> = {};
      for (const [tid, after] of threadsAfter) {
        const ticks = after.ticks - (threadsBefore.get(tid)?.ticks ?? 0);
        if (ticks > 0) byThread[after.name] = (byThread[after.name] ?? 0) + ticks * MS_PER_TICK;
      }
      return { wallMs, cpuMs: (cpu.user + cpu.system) / 1000, byThread, mainThreadWakeups };
    },
  };
}

/** Clock ticks are 10 ms on every Linux configuration Node runs on (USER_HZ = 100). */
const MS_PER_TICK = 10;

function threadTicks(): Map<string, { name: string; ticks: number }> {
  const threads = new Map<string, { name: string; ticks: number }>();
  let tids: string[];
  try {
    tids = readdirSync('/proc/self/task');
  } catch {
    return threads;
  }
  for (const tid of tids) {
    try {
      const stat = readFileSync(`/proc/self/task/${tid}/stat`, 'utf8');
      // "tid (name) state ppid …": the name may hold spaces, so split after the last ')'.
      const name = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      threads.set(tid, { name: threadGroup(name), ticks: Number(fields[11]) + Number(fields[12]) });
    } catch {
      // The thread ended between the listing and the read.
    }
  }
  return threads;
}

function mainThreadSleeps(): number {
  try {
    const status = readFileSync(`/proc/self/task/${process.pid}/status`, 'utf8');
    return Number(/voluntary_ctxt_switches:\s+(\d+)/.exec(status)?.[1] ?? 0);
  } catch {
    return 0;
  }
}

/** Thread names with their numbers dropped ("V8Worker", "libuv-worker"), so kinds add up. */
function threadGroup(name: string): string {
  return name.replace(/[-_ ]?\d+$/, '') || name;
}
