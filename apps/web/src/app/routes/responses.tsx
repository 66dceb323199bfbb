import { ResponsesView } from '@/features/responses/components/responses-view';
import { PageBody } from '@/components/layout/app-shell';
import { PageHeader } from '@/components/ui/card';
import { usePageTitle } from '@/lib/page-title';

export function ResponsesRoute() {
  usePageTitle('Commands & responses');
  return (
    <PageBody>
      <PageHeader title="Commands and active responses" description="Which scripts may run, on which alerts, and for how long. Edit them as forms or as XML; they are checked before they are applied." />
      <ResponsesView />
    </PageBody>
  );
}
