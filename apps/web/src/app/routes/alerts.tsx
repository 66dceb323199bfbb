import { AlertsView } from '@/features/alerts/components/alerts-view';
import { PageBody } from '@/components/layout/app-shell';
import { PageHeader } from '@/components/ui/card';
import { usePageTitle } from '@/lib/page-title';

export function AlertsRoute() {
  usePageTitle('Alerts');
  return (
    <PageBody fill>
      <PageHeader title="Alerts" description="Every alert stored, newest first, with new ones arriving live. Filters are part of the address: share it to share the view." />
      <AlertsView />
    </PageBody>
  );
}
