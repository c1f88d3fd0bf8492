/**
 * What `npm run bench` measures and against what: rounds, connections, durations and targets of
 * the full run and of BENCH_ONLY=calendar (each BENCH_ONLY part of its own keeps its own at the
 * top of its file), and the BENCH_* environment knobs (run.ts lists them).
 */
import { join, resolve } from 'node:path';

// ---------------------------------------------------------------------------------------
// Rounds, loads and durations (the whole bench takes about 6-7 minutes on 2 cores).
export const ROUNDS = 3;
export const WARMUP_S = 3;
export const LIST_CONNECTIONS = 50;
export const LIST_DURATION_S = 10;
export const LIST_SEEDED_CONNECTORS = 10;
/** The fixed-rate list loads: half the bare reference's maximum of the round, same connections. */
export const LIST_FIXED_RATE_SHARE = 0.5;
export const LIST_FIXED_RATE_DURATION_S = 5;
export const CONNECT_CONNECTIONS = 20;
export const CONNECT_DURATION_S = 10;
export const CONNECT_SUBACCOUNTS = 5;
export const FLOWS_PER_ROUND = 200;
export const WARMUP_FLOWS = 10;
export const FLOW_POLL_INTERVAL_MS = 5;
export const FLOW_VISIBLE_TIMEOUT_MS = 10_000;
export const SEED_CONCURRENCY = 8;
/** The calendar loads: availability, creates with a fresh Idempotency-Key each, replays of one key. */
export const CALENDAR_CONNECTIONS = 20;
export const CALENDAR_DURATION_S = 10;
/** The group availability load (GROUP_PARTICIPANTS subaccounts in each request): issue 18's 10 connections. */
export const GROUP_CONNECTIONS = 10;
/**
 * Not 20: FerretDB is the limit of the creates (one SQLite writer, and each create's update of
 * its idempotency record scans the table), so 20 connections gave the same throughput as 5
 * (44 vs 39 req/s) and only queued longer (p99 3.1 s vs 0.7 s). See bench/README.md.
 */
export const CREATE_CONNECTIONS = 5;
export const REPLAY_CONNECTIONS = 20;
/**
 * Beside the figures: the replay of the oldest key (its record first in FerretDB's table, see
 * bench/README.md), and it and the availability with one connection (no queueing).
 */
export const REPLAY_OLDEST_DURATION_S = 5;
export const SINGLE_CONNECTION_DURATION_S = 3;
export const START_TIMEOUT_MS = 30_000;
/** How often /health is tried while an app starts: the resolution of the cold start. */
export const HEALTH_POLL_MS = 10;
/** Before each measured load, wait (up to QUIET_WAIT_MAX_S) until processes not ours use less than this. */
export const QUIET_MAX_FOREIGN_CORES = 0.25;
export const QUIET_WAIT_MAX_S = 10;

export const TARGETS = {
  listThroughputRatio: 0.9,
  listP99Ms: 50,
  /** database-api's p50 at the fixed rate minus the bare reference's. */
  listFixedRateP50OverBareMs: 1,
  listCpuPerRequestMs: 0.6,
  connectP99Ms: 150,
  connectErrors: 0,
  flowP50Ms: 50,
  flowP99Ms: 250,
  rssMb: 200,
  coldStartMs: 3000,
  availabilityComputeP99Ms: 5,
  /** Share of computations in the ≤ 5 ms bucket, %. */
  availabilityComputeWithinPct: 99,
  /** Ours, not the issue's: see bench/README.md. */
  availabilityRouteP99Ms: 250,
  /** Issue 18's, on this machine with the sandbox answering at once. */
  groupAvailabilityP99Ms: 250,
  calendarErrors: 0,
  replayP99Ms: 20,
} as const;
// ---------------------------------------------------------------------------------------

export const ROOT = resolve(__dirname, '..');
export const RESULTS_DIR = join(ROOT, 'bench/results');
export const README = join(ROOT, 'bench/README.md');

export const label = process.env['BENCH_LABEL'] ?? '';
export const extraNodeFlags = (process.env['BENCH_NODE_FLAGS'] ?? '').split(/\s+/).filter(Boolean);
export const externalMongoUri = process.env['BENCH_MONGODB_URI'] ?? '';
export const ferretDbPprofAddr = process.env['BENCH_FERRETDB_PPROF_ADDR'] || undefined;
export const diagnostics = extraNodeFlags.length > 0 || externalMongoUri !== '';
export const skipBuild = process.env['BENCH_SKIP_BUILD'] === '1';
export const appsDir = resolve(process.env['BENCH_APPS_DIR'] ?? join(ROOT, 'dist/apps'));
export const only = process.env['BENCH_ONLY'] ?? '';
export const calendarOnly = only === 'calendar';
export const notificationsOnly = only === 'notifications';
export const drainOnly = only === 'drain';
export const scaleOnly = only === 'scale';
