import { DashboardPage } from './dashboard-page.js';

/** The dashboard designer: the same grid, with tiles to drag, resize and add, and filters. */
export function DashboardEditPage() {
  return <DashboardPage editing />;
}
