import { ChildProcess, spawn } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';

/** Every child this bench started and has not seen exit, for cleanup on any way out. */
const running = new Set<ManagedProcess>();

export interface ManagedProcessOptions {
  /** Shown in messages. */
  name: string;
  /** Arguments to `node` (the script and its flags). */
  nodeArgs: string[];
  env: Record<string, string>;
  cwd: string;
  /** GET this until it answers 200 to call the process ready. */
  healthUrl: string;
  readyTimeoutMs: number;
  /** How often the health URL is tried while starting (also the resolution of the cold start). */
  pollIntervalMs?: number;
}

export interface ProcessMemory {
  /** VmRSS, MB. */
  rssMb: number;
  /** VmHWM (peak resident set since start), MB. */
  peakRssMb: number;
}

const OUTPUT_CHUNKS = 300;

/** One Node.js server as a child process: spawn, wait for a 200 from health, stop, read its memory. */
export class ManagedProcess {
  private child: ChildProcess | undefined;
  private readonly output: string[] = [];

  constructor(readonly options: ManagedProcessOptions) {}

  get name(): string {
    return this.options.name;
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  get isRunning(): boolean {
    return this.child !== undefined && this.child.exitCode === null && this.child.signalCode === null;
  }

  /** Spawns the process; resolves with milliseconds from spawn to the first 200 from health. */
  async start(): Promise<number> {
    if (this.isRunning) throw new Error(`${this.name} is already running`);
    this.output.length = 0;
    const startedAt = performance.now();
    const child = spawn(process.execPath, this.options.nodeArgs, {
      cwd: this.options.cwd,
      env: this.options.env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child = child;
    running.add(this);
    child.once('exit', () => running.delete(this));
    child.once('error', (error) => this.output.push(`spawn failed: ${error.message}\n`));
    const keep = (chunk: Buffer): void => {
      this.output.push(chunk.toString());
      if (this.output.length > OUTPUT_CHUNKS) this.output.splice(0, this.output.length - OUTPUT_CHUNKS);
    };
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    try {
      await this.waitUntilHealthy();
    } catch (error) {
      await this.stop();
      throw error;
    }
    return performance.now() - startedAt;
  }

  /** SIGTERM (the apps shut down gracefully), SIGKILL after `graceMs`. */
  async stop(graceMs = 10_000): Promise<void> {
    const child = this.child;
    if (!child || !this.isRunning) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    await exited;
    clearTimeout(timer);
  }

  /** Sends a signal (e.g. SIGUSR2 to a diagnostics preload); false when not running. */
  signal(signal: NodeJS.Signals): boolean {
    return this.isRunning && (this.child?.kill(signal) ?? false);
  }

  /** Resident memory from /proc/<pid>/status. */
  memory(): ProcessMemory {
    const pid = this.pid;
    if (pid === undefined || !this.isRunning) throw new Error(`${this.name} is not running`);
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    return { rssMb: statusKb(status, 'VmRSS') / 1024, peakRssMb: statusKb(status, 'VmHWM') / 1024 };
  }

  logs(): string {
    return this.output.join('');
  }

  private async waitUntilHealthy(): Promise<void> {
    const { healthUrl, readyTimeoutMs, pollIntervalMs = 10 } = this.options;
    const deadline = performance.now() + readyTimeoutMs;
    let lastProblem = 'no answer yet';
    while (performance.now() < deadline) {
      if (!this.isRunning) {
        throw new Error(
          `${this.name} exited during start (code ${String(this.child?.exitCode)}, signal ${String(this.child?.signalCode)}):\n${tail(this.logs())}`,
        );
      }
      try {
        const response = await fetch(healthUrl, { signal: AbortSignal.timeout(2000) });
        await response.arrayBuffer();
        if (response.status === 200) return;
        lastProblem = `${healthUrl} answered ${response.status}`;
      } catch (error) {
        lastProblem = (error as Error).message;
      }
      await sleep(pollIntervalMs);
    }
    throw new Error(
      `${this.name} did not answer 200 on ${healthUrl} within ${readyTimeoutMs} ms (${lastProblem}):\n${tail(this.logs())}`,
    );
  }
}

/** Stops every child still running (gracefully, then by force). */
export async function stopAllProcesses(graceMs = 5_000): Promise<void> {
  await Promise.allSettled([...running].map((p) => p.stop(graceMs)));
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

function tail(text: string, lines = 40): string {
  const all = text.trimEnd().split('\n');
  return all.slice(-lines).join('\n') || '(no output)';
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
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
