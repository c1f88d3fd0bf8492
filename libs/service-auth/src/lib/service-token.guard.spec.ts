import { Controller, Get, INestApplication } from '@nestjs/common';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import { Test } from '@nestjs/testing';
import request from 'supertest';
import { ServiceAuth } from './service-auth.decorator';
import { ServiceAuthModule } from './service-auth.module';

@Controller('probe')
class ProbeController {
  @Get()
  @ServiceAuth()
  probe(): { ok: true } {
    return { ok: true };
  }
}

describe('ServiceTokenGuard (through a real Nest app)', () => {
  let app: INestApplication;

  beforeAll(async () => {
    const moduleRef = await Test.createTestingModule({
      imports: [ServiceAuthModule.forRootAsync({ useFactory: () => ({ acceptedTokens: ['one', 'two'] }) })],
      controllers: [ProbeController],
    }).compile();
    app = moduleRef.createNestApplication(new FastifyAdapter());
    await app.init();
    await app.getHttpAdapter().getInstance().ready();
  });

  afterAll(() => app.close());

  it('lets every accepted token through', async () => {
    await request(app.getHttpServer()).get('/probe').set('Authorization', 'Bearer one').expect(200);
    await request(app.getHttpServer()).get('/probe').set('Authorization', 'Bearer two').expect(200);
  });

  it('answers 401 for a wrong, missing or non-bearer token', async () => {
    await request(app.getHttpServer()).get('/probe').set('Authorization', 'Bearer three').expect(401);
    await request(app.getHttpServer()).get('/probe').expect(401);
    await request(app.getHttpServer()).get('/probe').set('Authorization', 'one').expect(401);
  });
});
