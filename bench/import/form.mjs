// The 15-field customer form the bench imports into (the shape of the
// template's 客户 form, with the columns a sales team's spreadsheet has).
const options = (pairs) => pairs.map(([value, zh, en]) => ({ value, label: { 'zh-CN': zh, en } }));

export const BENCH_FORM = {
  fields: [
    {
      id: 'company_name',
      type: 'text',
      label: { 'zh-CN': '客户名称', en: 'Company name' },
      required: true,
      maxLength: 100,
    },
    {
      id: 'contact_name',
      type: 'text',
      label: { 'zh-CN': '联系人', en: 'Contact' },
      required: true,
      maxLength: 50,
    },
    { id: 'phone', type: 'phone', label: { 'zh-CN': '手机', en: 'Mobile' }, required: true },
    { id: 'email', type: 'email', label: { 'zh-CN': '邮箱', en: 'E-mail' } },
    {
      id: 'level',
      type: 'select',
      label: { 'zh-CN': '客户等级', en: 'Level' },
      required: true,
      default: 'normal',
      options: options([
        ['normal', '普通', 'Normal'],
        ['important', '重要', 'Important'],
        ['vip', 'VIP', 'VIP'],
      ]),
    },
    {
      id: 'status',
      type: 'select',
      label: { 'zh-CN': '客户状态', en: 'Status' },
      default: 'potential',
      options: options([
        ['potential', '潜在', 'Potential'],
        ['active', '活跃', 'Active'],
        ['dormant', '沉睡', 'Dormant'],
        ['churned', '流失', 'Churned'],
      ]),
    },
    {
      id: 'industry',
      type: 'select',
      label: { 'zh-CN': '所属行业', en: 'Industry' },
      options: options([
        ['internet', '互联网', 'Internet'],
        ['manufacturing', '制造业', 'Manufacturing'],
        ['retail', '批发零售', 'Wholesale and retail'],
        ['logistics', '交通物流', 'Logistics'],
        ['hospitality', '餐饮酒店', 'Hospitality'],
        ['construction', '建筑地产', 'Construction and real estate'],
        ['healthcare', '医疗健康', 'Healthcare'],
        ['education', '教育培训', 'Education'],
        ['media', '文化传媒', 'Media'],
        ['energy', '能源', 'Energy'],
      ]),
    },
    { id: 'province', type: 'text', label: { 'zh-CN': '省份', en: 'Province' }, maxLength: 20 },
    { id: 'city', type: 'text', label: { 'zh-CN': '城市', en: 'City' }, maxLength: 20 },
    { id: 'address', type: 'text', label: { 'zh-CN': '详细地址', en: 'Address' }, maxLength: 200 },
    {
      id: 'annual_revenue',
      type: 'currency',
      label: { 'zh-CN': '年营业额', en: 'Annual revenue' },
      currency: 'CNY',
    },
    { id: 'employees', type: 'number', label: { 'zh-CN': '员工人数', en: 'Employees' }, min: 0 },
    { id: 'signed_on', type: 'date', label: { 'zh-CN': '签约日期', en: 'Signed on' } },
    {
      id: 'source',
      type: 'select',
      label: { 'zh-CN': '客户来源', en: 'Source' },
      options: options([
        ['website', '官网', 'Website'],
        ['expo', '展会', 'Trade fair'],
        ['referral', '转介绍', 'Referral'],
        ['telemarketing', '电话营销', 'Telemarketing'],
        ['ads', '广告', 'Advertising'],
        ['existing', '老客户', 'Existing customer'],
      ]),
    },
    { id: 'remark', type: 'textarea', label: { 'zh-CN': '备注', en: 'Remark' }, maxLength: 2000 },
  ],
};
