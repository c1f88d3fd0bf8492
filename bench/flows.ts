/**
 * The OAuth connect flow end to end: handlegooglecalendar → the sandbox's consent (302) →
 * webhook-api's callback, timed from the callback's answer until database-api shows the
 * connector connected (the durable metadata update). Also how the other parts connect accounts.
 */
import { newSubaccountId } from '@connector-service/testing';
import {
  CpuUse,
  GOOGLE_CALENDAR,
  System,
  addConnector,
  callJson,
  describeCpu,
  inBatches,
  log,
  measuredLoad,
  removeConnector,
  round2,
  userToken,
} from './harness';
import { sleep } from './processes';
import { Figure, figure } from './report';
import { FLOW_POLL_INTERVAL_MS, FLOW_VISIBLE_TIMEOUT_MS, FLOWS_PER_ROUND, SEED_CONCURRENCY, TARGETS } from './settings';
import { percentile, round } from './stats';

export interface FlowSample {
  /** Callback answered → `isConnected: true` seen on GET connector. */
  visibleMs: number;
  /** How long the callback itself took to answer. */
  callbackMs: number;
  polls: number;
}

/**
 * One whole connect flow of `subaccountId` (which has the connector) with the Google account
 * `userEmail`; times from the answered callback to the metadata being visible.
 */
export async function connectFlow(system: System, subaccountId: string, userEmail: string): Promise<FlowSample> {
  const token = userToken([subaccountId]);
  const { answeredAt, callbackMs } = await consentAndCallback(system, subaccountId, userEmail);
  const url = `${system.databaseUrl}/api/connectors/${subaccountId}/${GOOGLE_CALENDAR}`;
  for (let polls = 1; ; polls++) {
    const pollStarted = performance.now();
    const answer = await callJson('GET', url, token);
    const now = performance.now();
    if (answer.status === 200 && answer.body.data?.metadata?.isConnected === true) {
      return { visibleMs: now - answeredAt, callbackMs, polls };
    }
    if (now - answeredAt > FLOW_VISIBLE_TIMEOUT_MS) {
      throw new Error(
        `metadata not visible ${FLOW_VISIBLE_TIMEOUT_MS} ms after the callback (last answer ${answer.status})`,
      );
    }
    const wait = FLOW_POLL_INTERVAL_MS - (now - pollStarted);
    if (wait > 0) await sleep(wait);
  }
}

/**
 * The flow up to webhook-api's callback answering 200 (the connection is connected there; its
 * metadata reaches database-api afterwards, through the outbox).
 */
export async function consentAndCallback(
  system: System,
  subaccountId: string,
  userEmail: string,
): Promise<{ answeredAt: number; callbackMs: number }> {
  const token = userToken([subaccountId]);
  const requested = await callJson(
    'POST',
    `${system.databaseUrl}/api/connectors/${subaccountId}/handlegooglecalendar`,
    token,
    { userEmail },
  );
  if (requested.status !== 200)
    throw new Error(`handlegooglecalendar answered ${requested.status}: ${JSON.stringify(requested.body)}`);
  const consent = await fetch(requested.body.data.authUrl as string, { redirect: 'manual' });
  await consent.arrayBuffer();
  const callbackUrl = consent.headers.get('location');
  if (consent.status !== 302 || !callbackUrl)
    throw new Error(`the sandbox's consent answered ${consent.status} without a redirect`);

  const callbackStarted = performance.now();
  const callback = await fetch(callbackUrl, { redirect: 'manual' });
  const answeredAt = performance.now();
  const page = await callback.text();
  if (callback.status !== 200) throw new Error(`the callback answered ${callback.status}: ${page.slice(0, 300)}`);
  return { answeredAt, callbackMs: answeredAt - callbackStarted };
}

/** A subaccount's connector added and its Google account consented through the flow, up to the callback's 200. */
export async function connectThroughFlow(system: System, subaccountId: string, email: string): Promise<void> {
  await addConnector(system, subaccountId, { connectorId: GOOGLE_CALENDAR });
  await consentAndCallback(system, subaccountId, email);
}

export interface FlowRound {
  samples: FlowSample[];
  failures: string[];
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  callbackP50Ms: number;
  callbackP99Ms: number;
}

/**
 * `count` fresh subaccounts get the google-calendar connector (untimed), then connect one
 * after another (a user at a time, so each flow measures the pipeline, not a queue); their
 * connectors are deleted afterwards so the next round starts from the same collection.
 */
export async function flowRound(system: System, count: number): Promise<FlowRound> {
  const subaccounts = Array.from({ length: count }, newSubaccountId);
  await inBatches(subaccounts, SEED_CONCURRENCY, (subaccountId) =>
    addConnector(system, subaccountId, { connectorId: GOOGLE_CALENDAR }),
  );
  const samples: FlowSample[] = [];
  const failures: string[] = [];
  for (const [i, subaccountId] of subaccounts.entries()) {
    try {
      samples.push(await connectFlow(system, subaccountId, `flow-${i}@example.com`));
    } catch (error) {
      failures.push((error as Error).message);
    }
  }
  await inBatches(subaccounts, SEED_CONCURRENCY, (subaccountId) => removeConnector(system, subaccountId));
  const visible = samples.map((s) => s.visibleMs);
  const callbacks = samples.map((s) => s.callbackMs);
  return {
    samples,
    failures,
    p50Ms: percentile(visible, 50),
    p99Ms: percentile(visible, 99),
    maxMs: Math.max(...visible),
    callbackP50Ms: percentile(callbacks, 50),
    callbackP99Ms: percentile(callbacks, 99),
  };
}

/** A round's flows (the samples as milliseconds), and the CPU they took. */
export interface FlowsRound {
  flows: Omit<FlowRound, 'samples'> & { samplesMs: number[] };
  cpu: { flows: CpuUse };
}

export async function runFlowsRound(system: System): Promise<FlowsRound> {
  const [flows, flowsCpu] = await measuredLoad(system, () => flowRound(system, FLOWS_PER_ROUND));
  log(
    `  OAuth flows: ${flows.samples.length} ok, ${flows.failures.length} failed; callback → visible p50 ${round(flows.p50Ms, 1)} ms, ` +
      `p99 ${round(flows.p99Ms, 1)} ms, max ${round(flows.maxMs, 1)} ms (callback itself p50 ${round(flows.callbackP50Ms, 1)} ms)`,
  );
  for (const failure of flows.failures.slice(0, 3)) log(`    flow failed: ${failure}`);
  log(`    ${describeCpu(flowsCpu)} (includes creating and deleting the round's connectors)`);

  const { samples, ...flowStats } = flows;
  return {
    flows: { ...flowStats, samplesMs: samples.map((s) => round2(s.visibleMs)) },
    cpu: { flows: flowsCpu },
  };
}

export function flowFigures(rounds: readonly Pick<FlowsRound, 'flows'>[]): Figure[] {
  const all = <T>(pick: (r: Pick<FlowsRound, 'flows'>) => T): T[] => rounds.map(pick);
  const flowFailures = rounds.reduce((n, r) => n + r.flows.failures.length, 0);
  return [
    figure(
      {
        id: 'flow.p50',
        label: `${FLOWS_PER_ROUND} OAuth flows: callback answered → metadata visible, p50`,
        unit: 'ms',
        digits: 1,
        target: { op: '<=', value: TARGETS.flowP50Ms },
        ...(flowFailures > 0 ? { note: `${flowFailures} flows failed` } : {}),
      },
      all((r) => r.flows.p50Ms),
    ),
    figure(
      {
        id: 'flow.p99',
        label: 'the same: p99',
        unit: 'ms',
        digits: 1,
        target: { op: '<=', value: TARGETS.flowP99Ms },
        note: `max ${round(Math.max(...all((r) => r.flows.maxMs)), 1)} ms`,
      },
      all((r) => r.flows.p99Ms),
    ),
  ];
}
