import { useEffect, useRef } from 'react';
import { useI18n } from '../i18n/i18n-context.js';
import { Button } from '../ui/button.js';
import { sanitizeHtml } from '../ui/safe-html.js';

type Command = {
  command: string;
  label: 'richText.bold' | 'richText.italic' | 'richText.list' | 'richText.numbered';
  glyph: string;
};

const COMMANDS: readonly Command[] = [
  { command: 'bold', label: 'richText.bold', glyph: 'B' },
  { command: 'italic', label: 'richText.italic', glyph: 'I' },
  { command: 'insertUnorderedList', label: 'richText.list', glyph: '•' },
  { command: 'insertOrderedList', label: 'richText.numbered', glyph: '1.' },
];

/**
 * A small rich text editor: contentEditable with bold, italic and lists. What it emits is
 * sanitized by DOMPurify, and what it shows was sanitized too.
 */
export function RichTextEditor({
  id,
  value,
  onChange,
  onBlur,
  readOnly,
  describedBy,
  invalid,
  labelledBy,
}: {
  id: string;
  value: string;
  onChange(html: string): void;
  onBlur?(): void;
  readOnly?: boolean;
  describedBy?: string;
  invalid?: boolean;
  labelledBy?: string;
}) {
  const { t } = useI18n();
  const ref = useRef<HTMLDivElement>(null);
  const emitted = useRef<string | null>(null);

  useEffect(() => {
    const element = ref.current;
    if (element === null || value === emitted.current) return;
    element.innerHTML = sanitizeHtml(value);
    emitted.current = value;
  }, [value]);

  function emit() {
    const element = ref.current;
    if (element === null) return;
    const html = sanitizeHtml(element.innerHTML);
    emitted.current = html;
    onChange(html);
  }

  return (
    <div className="rich-text" data-invalid={invalid === true || undefined}>
      {readOnly === true ? null : (
        <div
          className="rich-text__toolbar"
          role="toolbar"
          aria-label={t('richText.toolbar')}
          aria-controls={id}
        >
          {COMMANDS.map((entry) => (
            <Button
              key={entry.command}
              size="small"
              variant="ghost"
              aria-label={t(entry.label)}
              title={t(entry.label)}
              onMouseDown={(event) => event.preventDefault()}
              onClick={() => {
                document.execCommand(entry.command);
                emit();
              }}
            >
              <span
                aria-hidden="true"
                className={`rich-text__glyph rich-text__glyph--${entry.command}`}
              >
                {entry.glyph}
              </span>
            </Button>
          ))}
        </div>
      )}
      <div
        id={id}
        ref={ref}
        className="rich-text__area"
        role="textbox"
        aria-multiline="true"
        aria-labelledby={labelledBy}
        aria-describedby={describedBy}
        aria-invalid={invalid === true || undefined}
        aria-readonly={readOnly === true || undefined}
        contentEditable={readOnly !== true}
        suppressContentEditableWarning
        tabIndex={0}
        onInput={emit}
        onBlur={onBlur}
      />
    </div>
  );
}
