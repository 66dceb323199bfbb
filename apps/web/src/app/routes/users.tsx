import { UsersView } from '@/features/users/components/users-view';
import { PageBody } from '@/components/layout/app-shell';
import { Card, PageHeader } from '@/components/ui/card';
import { Can } from '@/lib/authorization';
import { Empty } from '@/components/ui/states';
import { usePageTitle } from '@/lib/page-title';

export function UsersRoute() {
  usePageTitle('Users');
  return (
    <PageBody>
      <PageHeader title="Users" description="Who may sign in, with which role, and the API tokens." />
      <Can permission="users:manage" fallback={<Card><Empty title="Admins only">Your role does not include this page. Ask an admin if you need it.</Empty></Card>}>
        <UsersView />
      </Can>
    </PageBody>
  );
}
