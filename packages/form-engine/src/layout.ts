import type { FormLayout, FormSchema, LayoutItem } from './types.js';

/** Field ids placed by a layout, in reading order. */
export function layoutFieldIds(layout: FormLayout | undefined): string[] {
  const out: string[] = [];
  const walk = (items: readonly LayoutItem[]): void => {
    for (const item of items) {
      switch (item.type) {
        case 'field':
          out.push(item.fieldId);
          break;
        case 'section':
          walk(item.items);
          break;
        case 'columns':
          for (const column of item.columns) walk(column.items);
          break;
        case 'tabs':
          for (const tab of item.tabs) walk(tab.items);
          break;
      }
    }
  };
  walk(layout?.items ?? []);
  return out;
}

/**
 * The layout the form is shown with: the schema's layout, then every field it does not place
 * (schema order), each as a full-width field item. Without a layout: every field in order.
 */
export function resolveLayout(schema: FormSchema): FormLayout {
  const placed = new Set(layoutFieldIds(schema.layout));
  const rest: LayoutItem[] = schema.fields
    .filter((f) => !placed.has(f.id))
    .map((f) => ({ type: 'field', fieldId: f.id }));
  return { items: [...(schema.layout?.items ?? []), ...rest] };
}
