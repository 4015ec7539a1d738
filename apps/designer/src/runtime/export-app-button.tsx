import { useState } from 'react';
import { templatesApi } from '../api/templates-api.js';
import { useI18n } from '../i18n/i18n-context.js';
import { Button } from '../ui/button.js';
import { problemMessage } from '../ui/problem-notice.js';
import { useToast } from '../ui/toast.js';

/** Downloads the app as a bundle (GET /api/apps/:appId/export) that re-imports to an equal app. */
export function ExportAppButton({ appId, name }: { appId: string; name: string }) {
  const i18n = useI18n();
  const toast = useToast();
  const [busy, setBusy] = useState(false);
  async function run() {
    setBusy(true);
    try {
      const blob = await templatesApi.exportApp(appId);
      const url = URL.createObjectURL(blob);
      const link = document.createElement('a');
      link.href = url;
      link.download = `${name.replace(/[\\/:*?"<>|]+/g, '_') || 'app'}.trellis.json`;
      document.body.append(link);
      link.click();
      link.remove();
      window.setTimeout(() => URL.revokeObjectURL(url), 1000);
    } catch (caught) {
      toast.show(problemMessage(caught, i18n), 'error');
    } finally {
      setBusy(false);
    }
  }
  return (
    <Button icon="download" busy={busy} onClick={() => void run()} data-testid="export-app">
      {i18n.t('templates.export')}
    </Button>
  );
}
