import { UnauthorizedException } from '@nestjs/common';
import { canAccessSubaccount } from './authenticated-user';
import { userFromClaims } from './jwt.strategy';

const A = '68cf05f060d294db17c0685e';
const B = '68cf05f060d294db17c0685f';

describe('tenant check', () => {
  it('allows the subaccounts listed in the token, any hex case', () => {
    const user = { userId: 'u', subaccountIds: [A] };
    expect(canAccessSubaccount(user, A)).toBe(true);
    expect(canAccessSubaccount(user, A.toUpperCase())).toBe(true);
    expect(canAccessSubaccount(user, B)).toBe(false);
  });

  it('allows everything to an admin and nothing extra to other roles', () => {
    expect(canAccessSubaccount({ userId: 'u', subaccountIds: [], role: 'admin' }, B)).toBe(true);
    expect(canAccessSubaccount({ userId: 'u', subaccountIds: [], role: 'owner' }, B)).toBe(false);
    expect(canAccessSubaccount({ userId: 'u', subaccountIds: [] }, B)).toBe(false);
  });
});

describe('userFromClaims', () => {
  it('builds the user from well-formed claims', () => {
    expect(userFromClaims({ sub: 'u1', subaccountIds: [A], role: 'admin' })).toEqual({
      userId: 'u1',
      subaccountIds: [A],
      role: 'admin',
    });
    expect(userFromClaims({ sub: 'u1', subaccountIds: [] })).toEqual({ userId: 'u1', subaccountIds: [] });
  });

  it.each([
    [{ subaccountIds: [A] }],
    [{ sub: '', subaccountIds: [A] }],
    [{ sub: 'u1' }],
    [{ sub: 'u1', subaccountIds: A }],
    [{ sub: 'u1', subaccountIds: [1] }],
    [{ sub: 'u1', subaccountIds: [A], role: ['admin'] }],
  ])('refuses %j with a 401', (claims) => {
    expect(() => userFromClaims(claims)).toThrow(UnauthorizedException);
  });
});
