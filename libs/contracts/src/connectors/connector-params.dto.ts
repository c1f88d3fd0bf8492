import { IsConnectorId, IsSubaccountId } from '../common/identifier.decorators';

export class SubaccountParamsDto {
  @IsSubaccountId()
  readonly subaccountId!: string;
}

export class ConnectorParamsDto extends SubaccountParamsDto {
  @IsConnectorId()
  readonly connectorId!: string;
}
