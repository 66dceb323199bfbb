import { UsersView } from '@/features/users/components/users-view';
import { PageBody } from '@/components/layout/app-shell';
import { PageHeader } from '@/components/ui/card';
import { usePageTitle } from '@/lib/page-title';

export function UsersRoute() {
  usePageTitle('Users');
  return (
    <PageBody>
      <PageHeader title="Users" description="Who may sign in, with which role, and the API tokens." />
      <UsersView />
    </PageBody>
  );
}
