import { readFileSync, readdirSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';

export { sleep };

// Starting, waiting for and stopping processes is AppProcess's (libs/testing); this file
// measures them: memory and CPU from /proc, by pid.

export interface ProcessMemory {
  /** VmRSS, MB. */
  rssMb: number;
  /** VmHWM (peak resident set since start), MB. */
  peakRssMb: number;
}

/** Resident memory of a running process (an AppProcess), from /proc/<pid>/status. */
export function processMemory({ name, pid }: { name: string; pid: number | undefined }): ProcessMemory {
  if (pid === undefined) throw new Error(`${name} is not running`);
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return { rssMb: statusKb(status, 'VmRSS') / 1024, peakRssMb: statusKb(status, 'VmHWM') / 1024 };
}

/**
 * Last resort, synchronous (from an 'exit' handler): SIGKILL each direct child of this
 * process, by pid. Covers children started by library code we hold no handle of (FerretDB).
 */
export function killChildrenNow(): void {
  for (const pid of childPids(process.pid)) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
}

function childPids(parent: number): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      // "pid (comm) state ppid ...": comm may hold spaces and parentheses, so split after the last ')'.
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(fields[1]) === parent) pids.push(Number(entry));
    } catch {
      // exited meanwhile
    }
  }
  return pids;
}

function statusKb(status: string, field: string): number {
  const match = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status);
  if (!match) throw new Error(`${field} missing from /proc status`);
  return Number(match[1]);
}

const CLOCK_TICKS_PER_SECOND = 100; // USER_HZ; 100 on every mainstream Linux build

/** CPU seconds (user + system) the process has used so far, from /proc/<pid>/stat; NaN once it is gone. */
export function cpuSeconds(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // After "pid (comm) ", utime and stime are the 12th and 13th fields.
    return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS_PER_SECOND;
  } catch {
    return Number.NaN;
  }
}

/** The pid of this process's direct child whose command name is `comm` (e.g. FerretDB). */
export function childPidByName(comm: string): number | undefined {
  return childPids(process.pid).find((pid) => {
    try {
      return readFileSync(`/proc/${pid}/comm`, 'utf8').trim() === comm;
    } catch {
      return false;
    }
  });
}

/** Busy CPU seconds of the whole machine (all cores) so far, from /proc/stat. */
export function machineBusySeconds(): number {
  const line = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0] ?? '';
  // cpu user nice system idle iowait irq softirq steal ...
  const ticks = line.trim().split(/\s+/).slice(1, 9).map(Number);
  const total = ticks.reduce((a, b) => a + b, 0);
  const idle = (ticks[3] ?? 0) + (ticks[4] ?? 0);
  return (total - idle) / CLOCK_TICKS_PER_SECOND;
}

/**
 * Seconds the process's main thread (a Node app's event loop) has spent runnable but waiting
 * for a CPU so far, from /proc/<pid>/task/<pid>/schedstat (its second field, ns); NaN once
 * the process is gone or the kernel keeps no schedstat.
 */
export function runQueueWaitSeconds(pid: number): number {
  try {
    const fields = readFileSync(`/proc/${pid}/task/${pid}/schedstat`, 'utf8').trim().split(/\s+/);
    return Number(fields[1]) / 1e9;
  } catch {
    return Number.NaN;
  }
}
