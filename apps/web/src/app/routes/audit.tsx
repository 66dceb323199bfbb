import { AuditView } from '@/features/audit/components/audit-view';
import { PageBody } from '@/components/layout/app-shell';
import { Card, PageHeader } from '@/components/ui/card';
import { Can } from '@/lib/authorization';
import { Empty } from '@/components/ui/states';
import { usePageTitle } from '@/lib/page-title';

export function AuditRoute() {
  usePageTitle('Audit log');
  return (
    <PageBody>
      <PageHeader title="Audit log" description="Every change made through the dashboard, the API or the CLI: who, from where, what, before and after." />
      <Can permission="audit:read" fallback={<Card><Empty title="Admins only">Your role does not include this page. Ask an admin if you need it.</Empty></Card>}>
        <AuditView />
      </Can>
    </PageBody>
  );
}
