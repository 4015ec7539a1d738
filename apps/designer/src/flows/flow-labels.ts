import type { StateKind } from '@trellis/flow-engine';
import type { MessageKey } from '../i18n/messages-zh-cn.js';

/** Stage kinds in the product's words. */
export const STATE_KIND_LABELS: Readonly<Record<StateKind, MessageKey>> = {
  normal: 'flow.kind.normal',
  won: 'flow.kind.won',
  lost: 'flow.kind.lost',
  final: 'flow.kind.final',
};
