import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { likePattern, queryGrams, searchGrams, searchText } from './record-search.js';

describe('Chinese-capable substring search', () => {
  const text = searchText([
    '上海启明信息技术有限公司',
    '王芳',
    '13812348000',
    ['VIP', '重要客户'],
    null,
    42,
  ]);

  it('lowercases and joins the searchable values', () => {
    assert.equal(text, '上海启明信息技术有限公司 王芳 13812348000 vip 重要客户 42');
  });

  it('finds every substring of two or more characters through the gram index', () => {
    const grams = new Set(searchGrams(text));
    for (const query of ['启明', '信息技术', '王芳', '1381', '8000', 'vip', 'VI', '重要']) {
      assert.ok(
        queryGrams(query).every((g) => grams.has(g)),
        `${query} should be found`,
      );
    }
    assert.ok(
      !queryGrams('启航').every((g) => grams.has(g)),
      'a word that is not there is not found',
    );
  });

  it('handles one-character queries and full-width input', () => {
    assert.deepEqual(queryGrams('王'), ['王']);
    assert.deepEqual(queryGrams('ＶＩＰ'), ['vi', 'ip']);
  });

  it('escapes LIKE wildcards in the query', () => {
    assert.equal(likePattern('50%_off\\'), '%50\\%\\_off\\\\%');
  });
});
