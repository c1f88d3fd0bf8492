import { securityHeaders } from './security-headers';

describe('securityHeaders', () => {
  it("is helmet's header set: CSP, HSTS, nosniff, frame options", () => {
    const headers = securityHeaders();
    expect(headers['Content-Security-Policy']).toContain("default-src 'self'");
    expect(headers['Content-Security-Policy']).toContain('upgrade-insecure-requests');
    expect(headers['Strict-Transport-Security']).toMatch(/^max-age=\d+/);
    expect(headers['X-Content-Type-Options']).toBe('nosniff');
    expect(headers['X-Frame-Options']).toBe('SAMEORIGIN');
  });

  it('follows the options given', () => {
    const headers = securityHeaders({
      contentSecurityPolicy: {
        directives: { 'script-src': ["'self'", "'unsafe-inline'"], 'upgrade-insecure-requests': null },
      },
    });
    expect(headers['Content-Security-Policy']).toContain("script-src 'self' 'unsafe-inline'");
    expect(headers['Content-Security-Policy']).not.toContain('upgrade-insecure-requests');
  });
});
