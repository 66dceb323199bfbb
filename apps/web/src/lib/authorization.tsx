// What each role may do, mirrored from the API's route access so that no one sees a button that
// would fail. The API enforces it anyway.
import type { Role } from '@portcullis/shared';
import type { ReactNode } from 'react';
import { useUser } from './auth';

const RANK: Record<Role, number> = { viewer: 0, responder: 1, admin: 2 };

export const PERMISSIONS = {
  'blocks:write': 'responder',
  'rules:write': 'admin',
  'responses:write': 'admin',
  'whitelist:write': 'admin',
  'users:manage': 'admin',
  'hosts:write': 'admin',
  'audit:read': 'admin',
} as const satisfies Record<string, Role>;
export type Permission = keyof typeof PERMISSIONS;

export function can(role: Role, permission: Permission): boolean {
  return RANK[role] >= RANK[PERMISSIONS[permission]];
}

export function useCan(permission: Permission): boolean {
  return can(useUser().role, permission);
}

export function Can({ permission, children, fallback = null }: { permission: Permission; children: ReactNode; fallback?: ReactNode }) {
  return useCan(permission) ? children : fallback;
}
