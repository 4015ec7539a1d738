import type { VIEW_MESSAGES_ZH_CN } from './view-messages-zh-cn.js';

/** Strings of the record list's saved views in English. */
export const VIEW_MESSAGES_EN: Record<keyof typeof VIEW_MESSAGES_ZH_CN, string> = {
  'views.label': 'Views',
  'views.all': 'All records',
  'views.shared': 'Shared',
  'views.sharedView': 'Shared view: {name}',
  'views.modified': 'Modified',
  'views.saveAs': 'Save as view',
  'views.saveChanges': 'Save changes',
  'views.revert': 'Revert',
  'views.actions': 'View actions',
  'views.rename': 'Rename',
  'views.share': 'Share with everyone',
  'views.unshare': 'Stop sharing',
  'views.delete': 'Delete view',
  'views.name': 'View name',
  'views.namePlaceholder': 'e.g. Key customers this month',
  'views.nameRequired': 'Enter a name for the view',
  'views.shareOption': 'Share with everyone in the workspace who can read this form',
  'views.saveTitle': 'Save as a new view',
  'views.saveHint':
    'The view remembers the current filters, sort, search, columns and list or kanban mode.',
  'views.renameTitle': 'Rename view',
  'views.deleteTitle': 'Delete the view "{name}"?',
  'views.deleteBody': 'Only the view is deleted; the records stay as they are.',
  'views.saved': 'View "{name}" saved',
  'views.updated': 'View updated',
  'views.deleted': 'View deleted',
  'views.notFound': 'This view does not exist or was deleted.',
};
