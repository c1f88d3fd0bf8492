import { accountConnectedAtOf, accountVersionOf, isSameGoogleAccount } from './google-account';

describe('isSameGoogleAccount', () => {
  it("goes by Google's account id when both have one, whatever the e-mails say", () => {
    expect(
      isSameGoogleAccount(
        { googleEmail: 'old@example.com', googleUserId: '1' },
        { googleEmail: 'new@example.com', googleUserId: '1' },
      ),
    ).toBe(true);
    expect(
      isSameGoogleAccount(
        { googleEmail: 'a@example.com', googleUserId: '1' },
        { googleEmail: 'a@example.com', googleUserId: '2' },
      ),
    ).toBe(false);
  });

  it('goes by the e-mail, in any case, when either lacks the id', () => {
    expect(
      isSameGoogleAccount({ googleEmail: 'A@Example.com' }, { googleEmail: 'a@example.com', googleUserId: '1' }),
    ).toBe(true);
    expect(isSameGoogleAccount({ googleEmail: 'a@example.com' }, { googleEmail: 'b@example.com' })).toBe(false);
  });
});

describe('accountVersionOf / accountConnectedAtOf', () => {
  const connectedAt = new Date('2026-01-01T00:00:00Z');

  it('answer what was recorded for the account', () => {
    const accountConnectedAt = new Date('2025-12-01T00:00:00Z');
    const connection = { stateVersion: 7, connectedAt, accountVersion: 3, accountConnectedAt };
    expect(accountVersionOf(connection)).toBe(3);
    expect(accountConnectedAtOf(connection)).toBe(accountConnectedAt);
  });

  it('count a connection stored before they were recorded from its current version and connection time', () => {
    expect(accountVersionOf({ stateVersion: 7, connectedAt })).toBe(7);
    expect(accountConnectedAtOf({ stateVersion: 7, connectedAt })).toBe(connectedAt);
  });
});
