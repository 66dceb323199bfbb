import { AuditView } from '@/features/audit/components/audit-view';
import { PageBody } from '@/components/layout/app-shell';
import { PageHeader } from '@/components/ui/card';
import { usePageTitle } from '@/lib/page-title';

export function AuditRoute() {
  usePageTitle('Audit log');
  return (
    <PageBody>
      <PageHeader title="Audit log" description="Every change made through the dashboard, the API or the CLI: who, from where, what, before and after." />
      <AuditView />
    </PageBody>
  );
}
