import { useDrag } from 'react-dnd';
import { FIELD_GROUPS, type FieldType } from '../forms/form-schema.js';
import { useI18n } from '../i18n/i18n-context.js';
import { Icon, type IconName } from '../ui/icon.js';
import {
  DRAG_PALETTE,
  useDesigner,
  type ContainerTemplate,
  type PaletteDrag,
} from './designer-context.js';
import { FIELD_GROUP_LABELS, FIELD_TYPE_META } from './field-type-meta.js';
import { containerItems, locate, ROOT } from './layout-model.js';

/** Where a palette click (or Enter) adds: after the selected field, or at the end of the selected container. */
function insertionPoint(
  selected: string | null,
  items: Parameters<typeof locate>[0],
): { containerId: string; index: number } {
  if (selected !== null) {
    const container = containerItems(items, selected);
    if (container !== undefined && !selected.startsWith('field:'))
      return { containerId: selected, index: container.length };
    const at = locate(items, selected);
    if (at !== null) return { containerId: at.containerId, index: at.index + 1 };
  }
  return { containerId: ROOT, index: items.length };
}

function PaletteButton({
  drag,
  glyph,
  icon,
  label,
  onAdd,
  testId,
}: {
  drag: PaletteDrag;
  glyph?: string;
  icon?: IconName;
  label: string;
  onAdd(): void;
  testId: string;
}) {
  const { t } = useI18n();
  const [{ dragging }, ref] = useDrag<PaletteDrag, unknown, { dragging: boolean }>(
    () => ({
      type: DRAG_PALETTE,
      item: drag,
      collect: (monitor) => ({ dragging: monitor.isDragging() }),
    }),
    [drag],
  );
  return (
    <li>
      <button
        ref={(node) => {
          ref(node);
        }}
        type="button"
        className={dragging ? 'palette-item palette-item--dragging' : 'palette-item'}
        onClick={onAdd}
        title={t('designer.paletteHint')}
        data-testid={testId}
      >
        <span className="palette-item__glyph" aria-hidden="true">
          {icon === undefined ? glyph : <Icon name={icon} />}
        </span>
        <span className="palette-item__label">{label}</span>
      </button>
    </li>
  );
}

const CONTAINERS: ReadonlyArray<{
  template: ContainerTemplate;
  icon: IconName;
  label: 'designer.section' | 'designer.columns' | 'designer.tabs';
}> = [
  { template: 'section', icon: 'section', label: 'designer.section' },
  { template: 'columns', icon: 'columns', label: 'designer.columns' },
  { template: 'tabs', icon: 'tabs', label: 'designer.tabs' },
];

/** Every field type (and the layout containers), to drag onto the canvas or add with a click. */
export function FieldPalette() {
  const { t } = useI18n();
  const designer = useDesigner();
  const items = designer.state.schema.layout?.items ?? [];

  const addField = (type: FieldType) => {
    const at = insertionPoint(designer.state.selected, items);
    designer.addField(type, at.containerId, at.index);
  };
  const addContainer = (template: ContainerTemplate) => {
    const at =
      template === 'tabs'
        ? { containerId: ROOT, index: items.length }
        : insertionPoint(designer.state.selected, items);
    designer.addContainer(template, at.containerId, at.index);
  };

  return (
    <nav className="palette" aria-label={t('designer.palette')}>
      <p className="palette__hint small muted">{t('designer.paletteIntro')}</p>
      <section className="palette__group" aria-labelledby="palette-layout">
        <h3 id="palette-layout" className="palette__title">
          {t('designer.layoutGroup')}
        </h3>
        <ul className="palette__list list-plain">
          {CONTAINERS.map((entry) => (
            <PaletteButton
              key={entry.template}
              drag={{ kind: 'container', template: entry.template }}
              icon={entry.icon}
              label={t(entry.label)}
              onAdd={() => addContainer(entry.template)}
              testId={`palette-${entry.template}`}
            />
          ))}
        </ul>
      </section>
      {FIELD_GROUPS.map((group) => (
        <section
          key={group.key}
          className="palette__group"
          aria-labelledby={`palette-${group.key}`}
        >
          <h3 id={`palette-${group.key}`} className="palette__title">
            {t(FIELD_GROUP_LABELS[group.key])}
          </h3>
          <ul className="palette__list list-plain">
            {group.types.map((type) => (
              <PaletteButton
                key={type}
                drag={{ kind: 'field', fieldType: type }}
                glyph={FIELD_TYPE_META[type].glyph}
                icon={FIELD_TYPE_META[type].icon}
                label={t(FIELD_TYPE_META[type].label)}
                onAdd={() => addField(type)}
                testId={`palette-${type}`}
              />
            ))}
          </ul>
        </section>
      ))}
    </nav>
  );
}
