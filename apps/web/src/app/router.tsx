// Every page has its own address (with its state in the search parameters) so links can be
// shared. Pages that need the code editor load it on demand.
import { createBrowserRouter } from 'react-router';
import { AppShell } from '@/components/layout/app-shell';
import { LoginRoute } from './routes/login';
import { NotFoundRoute } from './routes/not-found';
import { RequireAuth } from './routes/require-auth';
import { RouteError } from './routes/route-error';

export const router = createBrowserRouter([
  { path: '/login', element: <LoginRoute />, errorElement: <RouteError /> },
  {
    path: '/',
    element: (
      <RequireAuth>
        <AppShell />
      </RequireAuth>
    ),
    errorElement: <RouteError />,
    children: [
      { index: true, lazy: () => import('./routes/overview').then((m) => ({ Component: m.OverviewRoute })) },
      { path: 'alerts', lazy: () => import('./routes/alerts').then((m) => ({ Component: m.AlertsRoute })) },
      { path: 'blocks', lazy: () => import('./routes/blocks').then((m) => ({ Component: m.BlocksRoute })) },
      { path: 'ips/:ip', lazy: () => import('./routes/ip').then((m) => ({ Component: m.IpRoute })) },
      { path: 'rules', lazy: () => import('./routes/rules').then((m) => ({ Component: m.RulesRoute })) },
      { path: 'rules/:id', lazy: () => import('./routes/rules').then((m) => ({ Component: m.RulesRoute })) },
      { path: 'files', lazy: () => import('./routes/files').then((m) => ({ Component: m.FilesRoute })) },
      { path: 'responses', lazy: () => import('./routes/responses').then((m) => ({ Component: m.ResponsesRoute })) },
      { path: 'logtest', lazy: () => import('./routes/logtest').then((m) => ({ Component: m.LogtestRoute })) },
      { path: 'hosts', lazy: () => import('./routes/hosts').then((m) => ({ Component: m.HostsRoute })) },
      { path: 'notifications', lazy: () => import('./routes/notifications').then((m) => ({ Component: m.NotificationsRoute })) },
      { path: 'whitelist', lazy: () => import('./routes/whitelist').then((m) => ({ Component: m.WhitelistRoute })) },
      { path: 'users', lazy: () => import('./routes/users').then((m) => ({ Component: m.UsersRoute })) },
      { path: 'audit', lazy: () => import('./routes/audit').then((m) => ({ Component: m.AuditRoute })) },
      { path: '*', element: <NotFoundRoute /> },
    ],
  },
]);
