import type { FieldSchema, FormSchema, LayoutItem } from './form-schema.js';

/** Field ids placed anywhere in a layout tree. */
export function placedFieldIds(
  items: readonly LayoutItem[],
  into = new Set<string>(),
): Set<string> {
  for (const item of items) {
    switch (item.type) {
      case 'field':
        into.add(item.fieldId);
        break;
      case 'section':
        placedFieldIds(item.items, into);
        break;
      case 'columns':
        for (const column of item.columns) placedFieldIds(column.items, into);
        break;
      case 'tabs':
        for (const tab of item.tabs) placedFieldIds(tab.items, into);
        break;
    }
  }
  return into;
}

/**
 * The layout to render: the schema's layout without references to missing fields, followed by
 * every field it does not place (in schema order), as the form-engine layout rules say.
 */
export function resolvedLayout(schema: FormSchema): LayoutItem[] {
  const known = new Set(schema.fields.map((field) => field.id));
  const prune = (items: readonly LayoutItem[]): LayoutItem[] =>
    items.flatMap((item): LayoutItem[] => {
      switch (item.type) {
        case 'field':
          return known.has(item.fieldId) ? [item] : [];
        case 'section':
          return [{ ...item, items: prune(item.items) }];
        case 'columns':
          return [
            {
              ...item,
              columns: item.columns.map((column) => ({ ...column, items: prune(column.items) })),
            },
          ];
        case 'tabs':
          return [{ ...item, tabs: item.tabs.map((tab) => ({ ...tab, items: prune(tab.items) })) }];
      }
    });
  const items = prune(schema.layout?.items ?? []);
  const placed = placedFieldIds(items);
  const rest: LayoutItem[] = schema.fields
    .filter((field) => !placed.has(field.id))
    .map((field) => ({ type: 'field', fieldId: field.id }));
  return [...items, ...rest];
}

/** Fields in the order a reader meets them in the layout. */
export function fieldsInLayoutOrder(schema: FormSchema): FieldSchema[] {
  const byId = new Map(schema.fields.map((field) => [field.id, field]));
  const order: FieldSchema[] = [];
  const walk = (items: readonly LayoutItem[]) => {
    for (const item of items) {
      if (item.type === 'field') {
        const field = byId.get(item.fieldId);
        if (field !== undefined) order.push(field);
      } else if (item.type === 'section') walk(item.items);
      else if (item.type === 'columns') for (const column of item.columns) walk(column.items);
      else for (const tab of item.tabs) walk(tab.items);
    }
  };
  walk(resolvedLayout(schema));
  return order;
}
