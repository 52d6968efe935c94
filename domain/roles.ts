// The portal's roles; what each may do is in domain/permissions.ts.
export const ROLES = ['manager', 'owner', 'tenant', 'technician', 'compliance'] as const;
export type Role = (typeof ROLES)[number];
