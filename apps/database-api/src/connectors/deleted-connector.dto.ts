import { ApiProperty } from '@nestjs/swagger';

export class DeletedConnectorDto {
  @ApiProperty({ example: 'google-calendar' })
  readonly connectorId!: string;

  @ApiProperty({ enum: [true] })
  readonly deleted!: true;
}
