import { authorizationLinkMail, describeDuration } from './authorization-link.mail';

describe('authorizationLinkMail', () => {
  it('states the link lifetime that is configured', () => {
    const mail = authorizationLinkMail('https://accounts.example/auth?x=1', 'connect', 1800);
    expect(mail.text).toContain('expires in 30 minutes');
    expect(mail.html).toContain('expires in 30 minutes');
    expect(mail.text).not.toContain('15 minutes');
    expect(authorizationLinkMail('https://a.example/', 'reconnect', 900).text).toContain('expires in 15 minutes');
  });

  it('escapes the link in the HTML part', () => {
    const mail = authorizationLinkMail('https://a.example/?a=1&b="2"', 'connect', 900);
    expect(mail.html).toContain('https://a.example/?a=1&#38;b=&#34;2&#34;');
    expect(mail.text).toContain('https://a.example/?a=1&b="2"');
  });
});

describe('describeDuration', () => {
  it.each([
    [60, '1 minute'],
    [90, '2 minutes'],
    [900, '15 minutes'],
    [3600, '1 hour'],
    [5400, '90 minutes'],
    [86400, '24 hours'],
  ])('%i s is "%s"', (seconds, text) => expect(describeDuration(seconds)).toBe(text));
});
