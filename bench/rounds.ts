/**
 * The full run and BENCH_ONLY=calendar: cold starts, seeding, warm-up, ROUNDS rounds of every
 * load (the list, handlegooglecalendar and the flows, then the calendar loads, then each app's
 * memory), the figures, the results file and the summary in bench/README.md.
 */
import { availableParallelism } from 'node:os';
import {
  CalendarData,
  CalendarRound,
  availabilityLoad,
  calendarFigures,
  createLoad,
  groupAvailabilityLoad,
  replayLoad,
  runCalendarRound,
  seedCalendarWork,
} from './calendar-loads';
import { ColdStarts, coldStartFigures, measureColdStarts } from './cold-starts';
import { Dataset, seedConnectors } from './connector-data';
import { FlowRound, flowFigures, flowRound, runFlowsRound } from './flows';
import { connectFigures, connectLoad, runConnectRound } from './handlegooglecalendar';
import {
  CpuUse,
  ServerTimes,
  System,
  createSystem,
  foreignCores,
  log,
  logMissed,
  started,
  writeResults,
} from './harness';
import type { InfraProcess } from './infra-client';
import { LoadSummary } from './load';
import { MachineInfo } from './machine';
import { processMemory } from './processes';
import { checkReferenceAgrees, listFigures, listLoad, runListRound } from './reference-list';
import { Figure, figure, resultsTable, updateReadme } from './report';
import { scrapeGauges } from './server-timing';
import {
  README,
  REPLAY_CONNECTIONS,
  ROUNDS,
  TARGETS,
  WARMUP_FLOWS,
  WARMUP_S,
  calendarOnly,
  diagnostics,
  label,
} from './settings';
import { median, round } from './stats';

/** What the RSS line breaks down: V8's heap spaces (used) and memory outside the heap, from /metrics. */
const HEAP_GAUGES = [
  'nodejs_heap_size_used_bytes',
  'nodejs_heap_size_total_bytes',
  'nodejs_heap_space_size_used_bytes{space="new"}',
  'nodejs_heap_space_size_used_bytes{space="old"}',
  'nodejs_heap_space_size_used_bytes{space="code"}',
  'nodejs_heap_space_size_used_bytes{space="large_object"}',
  'nodejs_external_memory_bytes',
];

function heap(gauges: Record<string, number>): string {
  const mb = (name: string): number => Math.round((gauges[name] ?? 0) / 1048576);
  if (gauges['nodejs_heap_size_used_bytes'] === undefined) return '';
  const space = (name: string): string => `${name} ${mb(`nodejs_heap_space_size_used_bytes{space="${name}"}`)}`;
  return (
    ` (V8 heap ${mb('nodejs_heap_size_used_bytes')} MB used of ${mb('nodejs_heap_size_total_bytes')} MB: ` +
    `${['new', 'old', 'code', 'large_object'].map(space).join(', ')}; external ${mb('nodejs_external_memory_bytes')} MB)`
  );
}

/** The figures every run measures but BENCH_ONLY=calendar: list, handlegooglecalendar, flows. */
interface CoreRound {
  listReference: LoadSummary;
  listApp: LoadSummary;
  listRatio: number;
  /** Both at the same fixed rate (LIST_FIXED_RATE_SHARE of this round's bare maximum). */
  listFixedRate: { rate: number; reference: LoadSummary; app: LoadSummary };
  /** CPU ms per list request at full load, from /proc. */
  listCpuPerRequestMs: { app: number; reference: number };
  connect: LoadSummary;
  connectMails: number;
  flows: Omit<FlowRound, 'samples'> & { samplesMs: number[] };
  cpu: { listReference: CpuUse; listApp: CpuUse; connect: CpuUse; flows: CpuUse };
  serverTimes: { listApp: ServerTimes; connect: ServerTimes };
}

interface RoundResult {
  round: number;
  core?: CoreRound;
  calendar: CalendarRound;
  memory: { databaseApi: { rssMb: number; peakRssMb: number }; webhookApi: { rssMb: number; peakRssMb: number } };
}

async function runCoreRound(roundNo: number, system: System, data: Dataset): Promise<CoreRound> {
  const list = await runListRound(roundNo, system, data);
  const connect = await runConnectRound(system, data);
  const { flows, cpu } = await runFlowsRound(system);
  return {
    listReference: list.listReference,
    listApp: list.listApp,
    listRatio: list.listRatio,
    listFixedRate: list.listFixedRate,
    listCpuPerRequestMs: list.listCpuPerRequestMs,
    connect: connect.connect,
    connectMails: connect.connectMails,
    flows,
    cpu: { ...list.cpu, connect: connect.cpu.connect, flows: cpu.flows },
    serverTimes: { ...list.serverTimes, connect: connect.serverTimes.connect },
  };
}

async function runRound(
  roundNo: number,
  system: System,
  data: Dataset | undefined,
  calendarData: CalendarData,
): Promise<RoundResult> {
  log(`round ${roundNo}/${ROUNDS}`);
  const core = data ? await runCoreRound(roundNo, system, data) : undefined;
  const calendar = await runCalendarRound(roundNo, system, calendarData);

  const memory = { databaseApi: processMemory(system.databaseApi), webhookApi: processMemory(system.webhookApi) };
  const [databaseHeap, webhookHeap] = await Promise.all([
    scrapeGauges(system.databaseUrl, HEAP_GAUGES),
    scrapeGauges(system.webhookUrl, HEAP_GAUGES),
  ]);
  log(
    `  RSS: database-api ${round(memory.databaseApi.rssMb, 1)} MB${heap(databaseHeap)}, ` +
      `webhook-api ${round(memory.webhookApi.rssMb, 1)} MB${heap(webhookHeap)}`,
  );
  return { round: roundNo, ...(core ? { core } : {}), calendar, memory };
}

function buildFigures(rounds: RoundResult[], coldStarts: ColdStarts | undefined): Figure[] {
  const all = <T>(pick: (r: RoundResult) => T): T[] => rounds.map(pick);
  const core = rounds.flatMap((r) => (r.core ? [r.core] : []));
  return [
    ...(core.length > 0 ? coreFigures(core) : []),
    ...calendarFigures(rounds.map((r) => r.calendar)),
    figure(
      {
        id: 'rss.databaseApi',
        label: 'database-api resident memory (VmRSS) after each round',
        unit: 'MB',
        digits: 0,
        target: { op: '<=', value: TARGETS.rssMb },
        note: `peak ${Math.round(Math.max(...all((r) => r.memory.databaseApi.peakRssMb)))} MB`,
      },
      all((r) => r.memory.databaseApi.rssMb),
    ),
    figure(
      {
        id: 'rss.webhookApi',
        label: 'webhook-api resident memory (VmRSS) after each round',
        unit: 'MB',
        digits: 0,
        target: { op: '<=', value: TARGETS.rssMb },
        note: `peak ${Math.round(Math.max(...all((r) => r.memory.webhookApi.peakRssMb)))} MB`,
      },
      all((r) => r.memory.webhookApi.rssMb),
    ),
    ...(coldStarts ? coldStartFigures(coldStarts) : []),
  ];
}

function coreFigures(rounds: CoreRound[]): Figure[] {
  return [...listFigures(rounds), ...connectFigures(rounds), ...flowFigures(rounds)];
}

/** How much other work shared the machine during the measured loads. */
function foreignSummary(rounds: RoundResult[]): string {
  const foreign = rounds.flatMap((r) =>
    [...Object.values(r.core?.cpu ?? {}), ...Object.values(r.calendar.cpu)].map(foreignCores),
  );
  return (
    `Other processes on the machine used ${median(foreign).toFixed(2)} cores (median over the measured loads; ` +
    `max ${Math.max(...foreign).toFixed(2)}) of ${availableParallelism()}.`
  );
}

/** The full run (or BENCH_ONLY=calendar) on the database at `mongoUri`, with the infra process up. */
export async function runRounds(
  machine: MachineInfo,
  mongoUri: string,
  infraReady: InfraProcess['ready'],
  benchStarted: number,
): Promise<void> {
  const system = await createSystem(mongoUri, infraReady);
  let coldStarts: ColdStarts | undefined;
  let data: Dataset | undefined;
  if (calendarOnly) {
    log('BENCH_ONLY=calendar: only the calendar loads (no cold starts, list, connect or flows)');
    await started(system);
    log('both apps are up');
  } else {
    coldStarts = await measureColdStarts(system);
    await system.reference.start();
    log(`both apps and the bare reference are up`);
    data = await seedConnectors(system);
    await checkReferenceAgrees(system, data);
  }
  const calendarData = await seedCalendarWork(system);

  log(`warming up (${WARMUP_S} s per load${data ? `, ${WARMUP_FLOWS} flows` : ''})`);
  if (data) {
    await listLoad(system.referenceUrl, data, WARMUP_S);
    await listLoad(system.databaseUrl, data, WARMUP_S);
    await connectLoad(system, data, WARMUP_S);
    const warmupFlows = await flowRound(system, WARMUP_FLOWS);
    if (warmupFlows.failures.length > 0) throw new Error(`the connect flow fails: ${warmupFlows.failures[0] ?? ''}`);
  }
  await availabilityLoad(system, calendarData, WARMUP_S);
  await groupAvailabilityLoad(system, calendarData, WARMUP_S);
  await createLoad(system, calendarData, WARMUP_S);
  await replayLoad(system, calendarData, calendarData.seededReplay, WARMUP_S, REPLAY_CONNECTIONS);

  const rounds: RoundResult[] = [];
  for (let r = 1; r <= ROUNDS; r++) rounds.push(await runRound(r, system, data, calendarData));

  const figures = buildFigures(rounds, coldStarts);
  const table = resultsTable(figures);
  process.stdout.write(`\n${table}\n\n`);
  const totalS = Math.round((performance.now() - benchStarted) / 1000);
  const path = writeResults(machine, figures, rounds, { coldStarts, totalSeconds: totalS });
  log(`results written to ${path} (bench took ${totalS} s)`);
  if (!label && !diagnostics && !calendarOnly) {
    updateReadme(README, machine, figures, [
      foreignSummary(rounds),
      `Each figure is the median of ${ROUNDS} rounds (the rounds column lists them in order); full numbers in \`bench/results/latest.json\` of that run (not committed).`,
      `Load generator (autocannon), FerretDB, both apps and the reference share the same ${machine.cores} cores.`,
    ]);
    log('bench/README.md summary updated');
  }
  log(foreignSummary(rounds));
  logMissed(figures);
}
