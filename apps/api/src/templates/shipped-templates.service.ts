import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { Inject, Injectable } from '@nestjs/common';
import type { LocalizedText } from '@trellis/app-bundle';
import { ApiError } from '../common/errors/api-error.js';
import { APP_CONFIG } from '../common/tokens.js';
import type { AppConfig } from '../config/app-config.js';
import { DatabaseService } from '../database/database.service.js';
import type { ShippedTemplateListResponse } from './dto/import-template.dto.js';
import { readBundleSource } from './read-bundle-source.js';

export type ShippedTemplate = {
  readonly key: string;
  readonly version: string;
  readonly name: LocalizedText;
  readonly description: LocalizedText | null;
  /** The assembled bundle, as the import takes it. */
  readonly bundle: unknown;
};

/**
 * The templates that ship with Trellis (templates/<key>/manifest.json), read
 * once: the folder is part of the release and does not change while running.
 */
@Injectable()
export class ShippedTemplates {
  private loaded: Promise<Map<string, ShippedTemplate>> | null = null;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly db: DatabaseService,
  ) {}

  /** The shipped templates, each with the app of this workspace that has it installed, if any. */
  async forWorkspace(workspaceId: string): Promise<ShippedTemplateListResponse> {
    const installed = await this.db.query<{
      id: string;
      template_key: string;
      template_version: string | null;
    }>(
      `SELECT DISTINCT ON (template_key) id, template_key, template_version FROM app
        WHERE workspace_id = $1 AND template_key IS NOT NULL ORDER BY template_key, created_at`,
      [workspaceId],
    );
    return [...(await this.all()).values()].map((t) => {
      const app = installed.find((a) => a.template_key === t.key);
      return {
        key: t.key,
        version: t.version,
        name: t.name,
        description: t.description,
        installedAppId: app?.id ?? null,
        installedVersion: app?.template_version ?? null,
      };
    });
  }

  /** The template's bundle by key; 404 when no such template ships. */
  async get(key: string): Promise<ShippedTemplate> {
    const found = (await this.all()).get(key);
    if (found === undefined)
      throw new ApiError('NOT_FOUND', `No template "${key}" ships with this Trellis`, [
        { path: 'template', code: 'UNKNOWN_TEMPLATE', message: `No template "${key}"` },
      ]);
    return found;
  }

  private all(): Promise<Map<string, ShippedTemplate>> {
    this.loaded ??= this.load().catch((error: unknown) => {
      this.loaded = null;
      throw error;
    });
    return this.loaded;
  }

  private async load(): Promise<Map<string, ShippedTemplate>> {
    const out = new Map<string, ShippedTemplate>();
    const root = this.config.templatesDir;
    const entries = await readdir(root, { withFileTypes: true }).catch(() => []);
    for (const entry of entries) {
      if (!entry.isDirectory()) continue;
      const folder = join(root, entry.name);
      if (!(await stat(join(folder, 'manifest.json')).catch(() => null))) continue;
      const read = await readBundleSource(folder);
      if (!read.ok) continue; // a broken shipped template is a release bug; its own tests catch it
      const bundle = read.bundle as {
        key: string;
        version: string;
        name: LocalizedText;
        description?: LocalizedText;
      };
      out.set(bundle.key, {
        key: bundle.key,
        version: bundle.version,
        name: bundle.name,
        description: bundle.description ?? null,
        bundle: read.bundle,
      });
    }
    return out;
  }
}
