import { Injectable } from '@nestjs/common';
import type { ConnectorRecord } from './connector.repository';

/**
 * What one kind of connector adds to the generic one: its default name, and what must end
 * elsewhere before a connector of its kind is removed. The feature that owns the kind
 * registers it (google-calendar/), so connectors/ knows no kind's metadata.
 */
export interface ConnectorKind {
  readonly connectorId: string;
  readonly defaultName: string;
  /** Ends what the connector holds elsewhere; throwing keeps the connector (the error is the answer). */
  beforeRemove(connector: ConnectorRecord): Promise<void>;
}

/** The registered connector kinds, by connector id. */
@Injectable()
export class ConnectorKinds {
  private readonly kinds = new Map<string, ConnectorKind>();

  register(kind: ConnectorKind): void {
    if (this.kinds.has(kind.connectorId)) throw new Error(`Connector kind ${kind.connectorId} registered twice`);
    this.kinds.set(kind.connectorId, kind);
  }

  of(connectorId: string): ConnectorKind | undefined {
    return this.kinds.get(connectorId);
  }
}
