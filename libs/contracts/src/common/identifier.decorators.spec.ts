import { Body, Controller, Module, Param, Post } from '@nestjs/common';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import { Test } from '@nestjs/testing';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import {
  CALENDAR_ID_MESSAGE,
  CONNECTOR_ID_MESSAGE,
  IdentifierApiOptions,
  IsCalendarId,
  IsConnectorId,
  IsSubaccountId,
  SUBACCOUNT_ID_MESSAGE,
} from './identifier.decorators';
import { CALENDAR_ID_PATTERN, CONNECTOR_ID_PATTERN, SUBACCOUNT_ID_PATTERN } from './identifiers';
import { Optional } from './optional';

class SubaccountHolder {
  @IsSubaccountId()
  readonly subaccountId!: string;
}

class ConnectorHolder {
  @IsConnectorId()
  readonly connectorId!: string;
}

class CalendarHolder {
  @IsCalendarId()
  readonly calendarId!: string;
}

class OptionalConnectorHolder {
  @Optional()
  @IsConnectorId({ required: false, default: 'google-calendar', example: undefined, description: 'which one' })
  readonly connectorId?: string;
}

/** What the validation pipe would see: the transformed value and every message. */
function check<T extends object>(type: new () => T, plain: Record<string, unknown>): { value: T; messages: string[] } {
  const value = plainToInstance(type, plain);
  const messages = validateSync(value).flatMap((error) => Object.values(error.constraints ?? {}));
  return { value, messages };
}

const HEX = '68cf05f060d294db17c0685e';
const NOT_STRINGS: unknown[] = [12, null, undefined, { $gt: '' }, [HEX], true];

describe('@IsSubaccountId()', () => {
  it.each([HEX, '000000000000000000000000', 'abcdefabcdefabcdefabcdef'])('accepts %j as it is', (id) => {
    expect(check(SubaccountHolder, { subaccountId: id })).toEqual({ value: { subaccountId: id }, messages: [] });
  });

  it('lowercases an id written in capitals before checking it', () => {
    const { value, messages } = check(SubaccountHolder, { subaccountId: HEX.toUpperCase() });
    expect(messages).toEqual([]);
    expect(value.subaccountId).toBe(HEX);
  });

  it.each(['', HEX.slice(1), `${HEX}0`, 'g8cf05f060d294db17c0685e', ` ${HEX}`, `${HEX}\n`, 'google-calendar'])(
    'refuses %j with the one rule message',
    (id) => {
      expect(check(SubaccountHolder, { subaccountId: id }).messages).toEqual([SUBACCOUNT_ID_MESSAGE]);
    },
  );

  it.each(NOT_STRINGS)('refuses the non-string %j with the rule message, then "must be a string"', (id) => {
    const { value, messages } = check(SubaccountHolder, { subaccountId: id });
    expect(messages).toEqual([SUBACCOUNT_ID_MESSAGE, 'subaccountId must be a string']);
    // Only strings are lowercased; anything else is left for the rule to refuse.
    expect(value.subaccountId).toEqual(id);
  });

  it('keeps the message clients have always seen', () => {
    expect(SUBACCOUNT_ID_MESSAGE).toBe('subaccountId must be a 24-hex-digit id');
  });
});

describe('@IsConnectorId()', () => {
  it.each(['google-calendar', 'a', '0', 'x1-', `a${'b'.repeat(62)}`])('accepts %j', (id) => {
    expect(check(ConnectorHolder, { connectorId: id })).toEqual({ value: { connectorId: id }, messages: [] });
  });

  it.each([
    '',
    'Google-Calendar',
    '-google',
    'google_calendar',
    'google calendar',
    `a${'b'.repeat(63)}`,
    'google-calendar\n',
  ])('refuses %j (no lowercasing) with the one rule message', (id) => {
    const { value, messages } = check(ConnectorHolder, { connectorId: id });
    expect(messages).toEqual([CONNECTOR_ID_MESSAGE]);
    expect(value.connectorId).toBe(id);
  });

  it.each(NOT_STRINGS)('refuses the non-string %j with the rule message, then "must be a string"', (id) => {
    expect(check(ConnectorHolder, { connectorId: id }).messages).toEqual([
      CONNECTOR_ID_MESSAGE,
      'connectorId must be a string',
    ]);
  });

  it('keeps the message clients have always seen', () => {
    expect(CONNECTOR_ID_MESSAGE).toBe('connectorId must be a lowercase slug (a-z, 0-9, "-"), at most 63 characters');
  });

  it('with @Optional(): may be left out, but null or a bad id is still refused', () => {
    expect(check(OptionalConnectorHolder, {}).messages).toEqual([]);
    expect(check(OptionalConnectorHolder, { connectorId: 'google-calendar' }).messages).toEqual([]);
    expect(check(OptionalConnectorHolder, { connectorId: null }).messages).toEqual([
      CONNECTOR_ID_MESSAGE,
      'connectorId must be a string',
    ]);
    expect(check(OptionalConnectorHolder, { connectorId: 'Nope' }).messages).toEqual([CONNECTOR_ID_MESSAGE]);
  });
});

describe('@IsCalendarId()', () => {
  it.each([HEX, HEX.toUpperCase()])('accepts %j as it is (no lowercasing)', (id) => {
    expect(check(CalendarHolder, { calendarId: id })).toEqual({ value: { calendarId: id }, messages: [] });
  });

  it.each(['', HEX.slice(1), `${HEX}0`, 'primary', 'user@example.com'])(
    'refuses %j with the one rule message',
    (id) => {
      expect(check(CalendarHolder, { calendarId: id }).messages).toEqual([CALENDAR_ID_MESSAGE]);
    },
  );

  it.each(NOT_STRINGS)('refuses the non-string %j with the rule message, then "must be a string"', (id) => {
    expect(check(CalendarHolder, { calendarId: id }).messages).toEqual([
      CALENDAR_ID_MESSAGE,
      'calendarId must be a string',
    ]);
  });

  it('keeps the message clients have always seen', () => {
    expect(CALENDAR_ID_MESSAGE).toBe('calendarId must be a 24-hex-digit id');
  });
});

describe('the OpenAPI document of identifier fields', () => {
  class SubaccountCalendarParams {
    @IsSubaccountId()
    readonly subaccountId!: string;

    @IsCalendarId()
    readonly calendarId!: string;
  }

  class IdentifiersBody {
    @IsConnectorId()
    readonly connectorId!: string;

    @IsSubaccountId()
    readonly subaccountId!: string;
  }

  class OverriddenPatternBody {
    // The type refuses a pattern; a cast must still not make the document lie.
    @IsConnectorId({ pattern: '.*' } as IdentifierApiOptions)
    readonly connectorId!: string;
  }

  @Controller('t')
  class TestController {
    @Post(':subaccountId/:calendarId')
    route(@Param() _params: SubaccountCalendarParams, @Body() _body: IdentifiersBody): void {
      return undefined;
    }

    @Post('optional')
    optional(@Body() _body: OptionalConnectorHolder): void {
      return undefined;
    }

    @Post('overridden')
    overridden(@Body() _body: OverriddenPatternBody): void {
      return undefined;
    }
  }

  @Module({ controllers: [TestController] })
  class TestModule {}

  type Schema = { type?: string; pattern?: string; example?: unknown; default?: unknown; description?: string };
  let parameters: Record<string, Schema>;
  let schemas: Record<string, { properties: Record<string, Schema>; required?: string[] }>;

  beforeAll(async () => {
    const moduleRef = await Test.createTestingModule({ imports: [TestModule] }).compile();
    const app = moduleRef.createNestApplication(new FastifyAdapter(), { logger: false });
    await app.init();
    const document = SwaggerModule.createDocument(app, new DocumentBuilder().build());
    await app.close();
    const operation = document.paths['/t/{subaccountId}/{calendarId}']?.post;
    parameters = Object.fromEntries(
      (operation?.parameters ?? []).map((parameter) => {
        const { name, schema } = parameter as { name: string; schema: Schema };
        return [name, schema];
      }),
    );
    schemas = document.components?.schemas as typeof schemas;
  });

  it('states each rule as the pattern and example of a path parameter', () => {
    expect(parameters).toEqual({
      subaccountId: { type: 'string', pattern: SUBACCOUNT_ID_PATTERN.source, example: '68cf05f060d294db17c0685e' },
      calendarId: { type: 'string', pattern: CALENDAR_ID_PATTERN.source, example: '68cf06a160d294db17c06871' },
    });
  });

  it('states each rule as the pattern and example of a body field, required', () => {
    expect(schemas['IdentifiersBody']).toEqual({
      type: 'object',
      properties: {
        connectorId: { type: 'string', pattern: CONNECTOR_ID_PATTERN.source, example: 'google-calendar' },
        subaccountId: { type: 'string', pattern: SUBACCOUNT_ID_PATTERN.source, example: '68cf05f060d294db17c0685e' },
      },
      required: ['connectorId', 'subaccountId'],
    });
  });

  it('takes a field’s own Swagger options but never another pattern', () => {
    expect(schemas['OptionalConnectorHolder']).toEqual({
      type: 'object',
      properties: {
        connectorId: {
          type: 'string',
          pattern: CONNECTOR_ID_PATTERN.source,
          default: 'google-calendar',
          description: 'which one',
        },
      },
    });
    expect(schemas['OverriddenPatternBody'].properties['connectorId'].pattern).toBe(CONNECTOR_ID_PATTERN.source);
  });

  // The document and the validator must agree on every value, not only in their source text.
  it.each([
    [
      'subaccountId',
      SubaccountHolder,
      [HEX, HEX.toUpperCase(), '', HEX.slice(1), `${HEX}0`, 'google-calendar', `${HEX}\n`],
    ],
    ['connectorId', ConnectorHolder, ['google-calendar', 'a', '', 'Google', '-a', `a${'b'.repeat(63)}`, 'a\n']],
    ['calendarId', CalendarHolder, [HEX, HEX.toUpperCase(), '', 'primary', `${HEX}\n`]],
  ] as const)('the documented %s pattern accepts exactly what the validator accepts', (field, type, samples) => {
    const documented =
      field === 'connectorId' ? schemas['IdentifiersBody'].properties['connectorId'] : parameters[field];
    const pattern = new RegExp(documented.pattern ?? 'no pattern documented');
    for (const sample of samples) {
      const valid = check(type as new () => object, { [field]: sample }).messages.length === 0;
      expect({ sample, documented: pattern.test(sample) }).toEqual({ sample, documented: valid });
    }
  });
});
