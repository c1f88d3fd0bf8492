/** The connectors the list and handlegooglecalendar loads run on, seeded through database-api's API. */
import { newSubaccountId } from '@connector-service/testing';
import { GOOGLE_CALENDAR, System, addConnector, log, userToken } from './harness';
import { CONNECT_SUBACCOUNTS, LIST_SEEDED_CONNECTORS } from './settings';

export interface Dataset {
  listSubaccount: string;
  listToken: string;
  connectSubaccounts: string[];
}

/**
 * The listed subaccount's connectors and the handlegooglecalendar subaccounts, through
 * database-api's API. The flows' subaccounts come and go with each flow round, so every
 * list round runs on the same collection (FerretDB scans all of it for the list).
 */
export async function seedConnectors(system: System): Promise<Dataset> {
  const listSubaccount = newSubaccountId();
  const connectSubaccounts = Array.from({ length: CONNECT_SUBACCOUNTS }, newSubaccountId);
  const started = performance.now();

  // The listed subaccount: google-calendar and nine others, each with a little config.
  const listConnectors = Array.from({ length: LIST_SEEDED_CONNECTORS }, (_, i) =>
    i === 0
      ? { connectorId: GOOGLE_CALENDAR }
      : {
          connectorId: `bench-connector-${String(i).padStart(2, '0')}`,
          name: `Bench connector ${i}`,
          config: { region: 'eu-west-1', syncIntervalMinutes: 15 + i, labels: ['bench', `n${i}`] },
        },
  );
  for (const connector of listConnectors) await addConnector(system, listSubaccount, connector);

  for (const subaccountId of connectSubaccounts)
    await addConnector(system, subaccountId, { connectorId: GOOGLE_CALENDAR });
  log(
    `seeded ${listConnectors.length + connectSubaccounts.length} connectors via the API in ${Math.round(performance.now() - started)} ms ` +
      `(${listConnectors.length} on the listed subaccount, ${connectSubaccounts.length} google-calendar ones for handlegooglecalendar)`,
  );
  return { listSubaccount, listToken: userToken([listSubaccount]), connectSubaccounts };
}
