import { FilesView } from '@/features/rules/components/files-view';
import { PageBody } from '@/components/layout/app-shell';
import { PageHeader } from '@/components/ui/card';
import { usePageTitle } from '@/lib/page-title';

export function FilesRoute() {
  usePageTitle('Rule files');
  return (
    <PageBody>
      <PageHeader title="Rule and decoder files" description="Edit with validation as you type, test lines against the draft, review the diff, save without a restart. A file that does not compile is never applied." />
      <FilesView />
    </PageBody>
  );
}
