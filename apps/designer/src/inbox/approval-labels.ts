import type { ApprovalMode } from '@trellis/flow-engine';
import type { MessageKey } from '../i18n/messages-zh-cn.js';

/** 或签 / 会签 / 逐级 in the product's words. */
export const APPROVAL_MODE_KEYS: Readonly<Record<ApprovalMode, MessageKey>> = {
  any: 'flow.mode.any',
  all: 'flow.mode.all',
  sequential: 'flow.mode.sequential',
};
