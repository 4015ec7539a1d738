import { Foundation1795420800001 } from './0001-foundation.js';
import { TenancyAndApps1795420800002 } from './0002-tenancy-and-apps.js';
import { Outbox1795420800003 } from './0003-outbox.js';
import { WorkItems1795420800004 } from './0004-work-items.js';
import { Automation1795420800010 } from './0010-automation.js';
import { Imports1795420800020 } from './0020-imports.js';
import { SavedViews1795420800030 } from './0030-saved-views.js';

/** Every migration, in order. Listed explicitly (no globbing) so ESM builds stay deterministic. */
export const MIGRATIONS = [
  Foundation1795420800001,
  TenancyAndApps1795420800002,
  Outbox1795420800003,
  WorkItems1795420800004,
  Automation1795420800010,
  Imports1795420800020,
  SavedViews1795420800030,
];
