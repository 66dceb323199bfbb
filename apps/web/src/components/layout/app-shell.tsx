// The frame of every signed-in page: the sidebar, the top bar with the live status and the
// signed-in user and role, and the page itself.
import type { ReactNode } from 'react';
import { NavLink, Outlet, useNavigate } from 'react-router';
import { useLogout, useUser } from '@/lib/auth';
import { can, type Permission } from '@/lib/authorization';
import { useLiveStatus } from '@/lib/socket';
import { Button } from '@/components/ui/button';
import {
  IconAlerts, IconAudit, IconBlocks, IconCheckList, IconCommand, IconFile, IconFlask, IconInbox, IconLogout, IconOverview, IconRules, IconServer, IconUsers,
} from '@/components/ui/icons';

interface NavItem {
  to: string;
  label: string;
  icon: ReactNode;
  end?: boolean;
  permission?: Permission;
}

const SECTIONS: Array<{ title: string; items: NavItem[] }> = [
  {
    title: 'Monitor',
    items: [
      { to: '/', label: 'Overview', icon: <IconOverview />, end: true },
      { to: '/alerts', label: 'Alerts', icon: <IconAlerts /> },
      { to: '/blocks', label: 'Blocks', icon: <IconBlocks /> },
      { to: '/hosts', label: 'Hosts', icon: <IconServer /> },
    ],
  },
  {
    title: 'Detection',
    items: [
      { to: '/rules', label: 'Rules', icon: <IconRules /> },
      { to: '/files', label: 'Rule files', icon: <IconFile /> },
      { to: '/responses', label: 'Responses', icon: <IconCommand /> },
      { to: '/logtest', label: 'Log test', icon: <IconFlask /> },
    ],
  },
  {
    title: 'Administration',
    items: [
      { to: '/notifications', label: 'Notifications', icon: <IconInbox /> },
      { to: '/whitelist', label: 'White list', icon: <IconCheckList /> },
      { to: '/users', label: 'Users', icon: <IconUsers />, permission: 'users:manage' },
      { to: '/audit', label: 'Audit log', icon: <IconAudit />, permission: 'audit:read' },
    ],
  },
];

const STATUS_TEXT = { connected: 'Live', connecting: 'Connecting…', reconnecting: 'Reconnecting…', offline: 'Live feed offline' } as const;

export function AppShell() {
  const user = useUser();
  const status = useLiveStatus();
  const logout = useLogout();
  const navigate = useNavigate();
  return (
    <div className="shell">
      <a href="#main" className="skip-link">
        Skip to content
      </a>
      <nav className="sidebar" aria-label="Main">
        <div className="brand">
          <Logo />
          <div>
            Portcullis
            <small>Intrusion detection</small>
          </div>
        </div>
        {SECTIONS.map((s) => {
          const items = s.items.filter((i) => !i.permission || can(user.role, i.permission));
          if (items.length === 0) return null;
          return (
            <div className="nav-section" key={s.title}>
              <div className="nav-section-title">{s.title}</div>
              {items.map((i) => (
                <NavLink key={i.to} to={i.to} end={i.end} className="nav-link">
                  {i.icon}
                  {i.label}
                </NavLink>
              ))}
            </div>
          );
        })}
        <div className="sidebar-foot">Portcullis · Apache-2.0</div>
      </nav>
      <div className="main">
        <header className="topbar">
          <span className="live-dot" data-status={status} title="Live updates over socket.io">
            {STATUS_TEXT[status]}
          </span>
          <span className="spacer" />
          <div className="user-chip" aria-label={`Signed in as ${user.username}, role ${user.role}`}>
            <span className="avatar" aria-hidden="true">
              {user.username.slice(0, 2).toUpperCase()}
            </span>
            <span className="who">
              <b data-testid="current-user">{user.username}</b>
              <span data-testid="current-role">{user.role}</span>
            </span>
          </div>
          <Button
            variant="ghost"
            size="sm"
            icon={<IconLogout />}
            busy={logout.isPending}
            onClick={() => logout.mutate(undefined, { onSettled: () => navigate('/login', { replace: true }) })}
          >
            Sign out
          </Button>
        </header>
        <Outlet />
      </div>
    </div>
  );
}

export function Logo({ size = 28 }: { size?: number }) {
  return (
    <svg width={size} height={size} viewBox="0 0 32 32" aria-hidden="true">
      <rect width="32" height="32" rx="7" fill="#1d4ed8" />
      <path d="M8 9h16M8 9v15M13 9v15M19 9v15M24 9v15M8 15h16M8 21h16" stroke="#e0f2fe" strokeWidth="2.2" strokeLinecap="round" />
    </svg>
  );
}

/** The scrolling area of a page. `fill` pages manage their own scrolling (virtualised lists). */
export function PageBody({ children, fill = false }: { children: ReactNode; fill?: boolean }) {
  return (
    <main id="main" className={`content ${fill ? 'fill' : ''}`} tabIndex={-1}>
      {children}
    </main>
  );
}
