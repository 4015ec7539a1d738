import { formatMessage, type MessageParams } from './i18n-context.js';
import { EN_MESSAGES } from './messages-en.js';
import { ZH_CN_MESSAGES, type MessageKey } from './messages-zh-cn.js';

/** A product string in both languages, for labels the product writes into an app (new fields, sections). */
export function bilingual(
  key: MessageKey,
  params?: MessageParams,
): { 'zh-CN': string; en: string } {
  return {
    'zh-CN': formatMessage(ZH_CN_MESSAGES[key], params),
    en: formatMessage(EN_MESSAGES[key], params),
  };
}
