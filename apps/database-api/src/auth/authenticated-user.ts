/** The caller of a user route, from a verified JWT. */
export interface AuthenticatedUser {
  userId: string;
  subaccountIds: readonly string[];
  role?: string;
}

export const ADMIN_ROLE = 'admin';

/** Whether the user may act on the subaccount (its own, or any for an admin). */
export function canAccessSubaccount(user: AuthenticatedUser, subaccountId: string): boolean {
  if (user.role === ADMIN_ROLE) return true;
  const wanted = subaccountId.toLowerCase();
  return user.subaccountIds.some((id) => id.toLowerCase() === wanted);
}
