// The portal's roles; what each may do is in domain/permissions.ts.
export const ROLES = ['manager', 'owner', 'tenant', 'technician', 'compliance', 'operator'] as const;
export type Role = (typeof ROLES)[number];

/** The roles of the organisation's own staff: a manager creates their accounts; they may use a second factor. */
export const STAFF_ROLES = ['manager', 'owner', 'technician', 'compliance', 'operator'] as const satisfies readonly Role[];
export type StaffRole = (typeof STAFF_ROLES)[number];

export function isStaffRole(role: string): role is StaffRole {
  return (STAFF_ROLES as readonly string[]).includes(role);
}
