import { lazy, Suspense } from 'react';
import type { ComponentType, ReactNode } from 'react';
import { createBrowserRouter, Navigate, Outlet, useRouteError } from 'react-router';
import { SignInPage } from './auth/sign-in-page.js';
import { SignUpPage } from './auth/sign-up-page.js';
import { AppShell } from './shell/app-shell.js';
import { NotFoundPage } from './shell/not-found-page.js';
import { PublicOnly, RequireSession } from './shell/require-session.js';
import { ProblemNotice } from './ui/problem-notice.js';
import { Loading } from './ui/states.js';

/** A route screen loaded on demand (its own chunk). */
function screen<M extends Record<string, unknown>>(
  load: () => Promise<M>,
  name: keyof M & string,
): ComponentType {
  return lazy(async () => {
    const module = await load();
    return { default: module[name] as ComponentType };
  });
}

const AppListPage = screen(() => import('./workspace/app-list-page.js'), 'AppListPage');
const AppLayout = screen(() => import('./runtime/app-layout.js'), 'AppLayout');
const AppOverviewPage = screen(() => import('./runtime/app-overview-page.js'), 'AppOverviewPage');
const RecordListPage = screen(() => import('./runtime/record-list-page.js'), 'RecordListPage');
const RecordCreatePage = screen(
  () => import('./runtime/record-create-page.js'),
  'RecordCreatePage',
);
const RecordDetailPage = screen(
  () => import('./runtime/record-detail-page.js'),
  'RecordDetailPage',
);
const FormDesignerPage = screen(
  () => import('./designer/form-designer-page.js'),
  'FormDesignerPage',
);
const FlowDesignerPage = screen(() => import('./flows/flow-designer-page.js'), 'FlowDesignerPage');
const ApprovalInboxPage = screen(
  () => import('./inbox/approval-inbox-page.js'),
  'ApprovalInboxPage',
);
const MyDayPage = screen(() => import('./my-day/my-day-page.js'), 'MyDayPage');
const ReportsHomePage = screen(() => import('./reports/reports-home-page.js'), 'ReportsHomePage');
const ReportDesignerPage = screen(
  () => import('./reports/report-designer-page.js'),
  'ReportDesignerPage',
);
const DashboardPage = screen(() => import('./reports/dashboard-page.js'), 'DashboardPage');
const DashboardEditPage = screen(
  () => import('./reports/dashboard-edit-page.js'),
  'DashboardEditPage',
);
const RulesPage = screen(() => import('./rules/rules-page.js'), 'RulesPage');
const ImportWizardPage = screen(
  () => import('./imports/import-wizard-page.js'),
  'ImportWizardPage',
);
const MembersPage = screen(() => import('./people/members-page.js'), 'MembersPage');
const TeamsPage = screen(() => import('./people/teams-page.js'), 'TeamsPage');
const RolesPage = screen(() => import('./people/roles-page.js'), 'RolesPage');
const AccountPage = screen(() => import('./people/account-page.js'), 'AccountPage');

function Lazy({ children }: { children: ReactNode }) {
  return <Suspense fallback={<Loading />}>{children}</Suspense>;
}

function RouteError() {
  const error = useRouteError();
  return (
    <div className="page">
      <ProblemNotice error={error} />
    </div>
  );
}

function element(Screen: ComponentType) {
  return (
    <Lazy>
      <Screen />
    </Lazy>
  );
}

export function createAppRouter() {
  return createBrowserRouter([
    {
      path: '/signin',
      element: (
        <PublicOnly>
          <SignInPage />
        </PublicOnly>
      ),
    },
    {
      path: '/signup',
      element: (
        <PublicOnly>
          <SignUpPage />
        </PublicOnly>
      ),
    },
    {
      path: '/',
      element: (
        <RequireSession>
          <AppShell />
        </RequireSession>
      ),
      errorElement: <RouteError />,
      children: [
        { index: true, element: <Navigate to="/apps" replace /> },
        { path: 'apps', element: element(AppListPage) },
        { path: 'today', element: element(MyDayPage) },
        { path: 'approvals', element: element(ApprovalInboxPage) },
        {
          path: 'apps/:appId/forms/:formId/design',
          element: element(FormDesignerPage),
        },
        { path: 'apps/:appId/forms/:formId/flow', element: element(FlowDesignerPage) },
        {
          path: 'apps/:appId',
          element: element(AppLayout),
          children: [
            { index: true, element: element(AppOverviewPage) },
            { path: 'forms/:formId', element: element(RecordListPage) },
            { path: 'forms/:formId/new', element: element(RecordCreatePage) },
            { path: 'forms/:formId/records/:recordId', element: element(RecordDetailPage) },
            { path: 'forms/:formId/import', element: element(ImportWizardPage) },
            { path: 'reports', element: element(ReportsHomePage) },
            { path: 'reports/new', element: element(ReportDesignerPage) },
            { path: 'reports/:reportId/edit', element: element(ReportDesignerPage) },
            { path: 'dashboards/:dashboardId', element: element(DashboardPage) },
            { path: 'dashboards/:dashboardId/edit', element: element(DashboardEditPage) },
            { path: 'rules', element: element(RulesPage) },
          ],
        },
        {
          path: 'people',
          element: <Outlet />,
          children: [
            { index: true, element: <Navigate to="/people/members" replace /> },
            { path: 'members', element: element(MembersPage) },
            { path: 'teams', element: element(TeamsPage) },
            { path: 'roles', element: element(RolesPage) },
          ],
        },
        { path: 'account', element: element(AccountPage) },
        { path: '*', element: <NotFoundPage /> },
      ],
    },
  ]);
}
