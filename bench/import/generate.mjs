// Deterministic, realistic Chinese customer data for the import bench and the
// crash test: 15 columns as a Chinese sales team keeps them in Excel.
// `node bench/import/generate.mjs <rows> <file>` writes a UTF-8 CSV (CRLF).
import { createWriteStream } from 'node:fs';
import { once } from 'node:events';

/** The 15 headers, in the file's order. */
export const HEADERS = [
  '客户名称',
  '联系人',
  '手机',
  '邮箱',
  '客户等级',
  '客户状态',
  '所属行业',
  '省份',
  '城市',
  '详细地址',
  '年营业额',
  '员工人数',
  '签约日期',
  '客户来源',
  '备注',
];

const CITIES = [
  ['上海', '上海', 'sh'],
  ['北京', '北京', 'bj'],
  ['广东', '广州', 'gz'],
  ['广东', '深圳', 'sz'],
  ['浙江', '杭州', 'hz'],
  ['江苏', '苏州', 'su'],
  ['江苏', '南京', 'nj'],
  ['四川', '成都', 'cd'],
  ['湖北', '武汉', 'wh'],
  ['陕西', '西安', 'xa'],
  ['天津', '天津', 'tj'],
  ['山东', '青岛', 'qd'],
  ['福建', '厦门', 'xm'],
  ['湖南', '长沙', 'cs'],
  ['重庆', '重庆', 'cq'],
  ['河南', '郑州', 'zz'],
];
const BRANDS = [
  '启明',
  '华信',
  '中科',
  '恒通',
  '金桥',
  '瑞丰',
  '鼎盛',
  '天润',
  '宏图',
  '博远',
  '嘉禾',
  '永安',
  '新元',
  '星河',
  '锦程',
  '海纳',
  '正泰',
  '东方',
  '长城',
  '万达',
  '银河',
  '同创',
  '优品',
  '智联',
  '汇丰',
  '德邦',
  '安信',
  '凯旋',
  '腾飞',
  '远航',
  '盛世',
  '佳信',
  '晨光',
  '明珠',
  '思源',
  '华夏',
  '尚品',
  '立信',
  '北辰',
  '南风',
];
const TRADES = [
  ['信息技术', '互联网'],
  ['软件', '互联网'],
  ['电子科技', '制造业'],
  ['机械制造', '制造业'],
  ['精密仪器', '制造业'],
  ['贸易', '批发零售'],
  ['商贸', '批发零售'],
  ['物流', '交通物流'],
  ['供应链管理', '交通物流'],
  ['餐饮管理', '餐饮酒店'],
  ['建筑工程', '建筑地产'],
  ['医疗器械', '医疗健康'],
  ['生物科技', '医疗健康'],
  ['教育咨询', '教育培训'],
  ['文化传媒', '文化传媒'],
  ['新能源', '能源'],
];
const SUFFIXES = ['有限公司', '有限公司', '有限公司', '股份有限公司', '有限责任公司'];
const SURNAMES =
  '王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤';
const GIVEN =
  '伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰红梅建国志鹏飞鑫宇浩然子涵欣怡思雨俊杰佳琪文博晓东海燕凤春雪';
const PINYIN = ['wang', 'li', 'zhang', 'liu', 'chen', 'yang', 'huang', 'zhao', 'wu', 'zhou'];
const ROADS = [
  '人民路',
  '中山路',
  '解放路',
  '建设路',
  '和平路',
  '长江路',
  '科技园路',
  '滨江大道',
  '世纪大道',
  '文化路',
];
const LEVELS = ['普通', '普通', '普通', '重要', 'VIP'];
const STATUSES = ['潜在', '活跃', '活跃', '沉睡', '流失'];
const SOURCES = ['官网', '展会', '转介绍', '电话营销', '广告', '老客户'];
const REMARKS = [
  '对价格比较敏感，需要多次跟进',
  '年底有采购计划',
  '决策人是总经理',
  '已发送报价单，等待回复',
  '希望上门演示',
  '',
  '',
  '合同续签中',
];
const MOBILE_PREFIXES = [
  '138',
  '139',
  '137',
  '136',
  '135',
  '150',
  '151',
  '152',
  '158',
  '159',
  '186',
  '187',
  '188',
  '177',
  '199',
];

/** A small, fast, seeded PRNG (mulberry32). */
export function random(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const pick = (rnd, list) => list[Math.floor(rnd() * list.length)];

/**
 * Row `i` (0-based) of the data set. Phones are unique per row (the number
 * carries i), so the bench's match key finds no duplicates by accident.
 */
export function customerRow(i, rnd) {
  const [province, city, cityCode] = pick(rnd, CITIES);
  const brand = pick(rnd, BRANDS) + pick(rnd, BRANDS);
  const [trade, industry] = pick(rnd, TRADES);
  const company = `${city}${brand}${trade}${pick(rnd, SUFFIXES)}`;
  const contact = pick(rnd, SURNAMES) + pick(rnd, GIVEN) + (rnd() < 0.6 ? pick(rnd, GIVEN) : '');
  const mobile = `${pick(rnd, MOBILE_PREFIXES)}${String(i % 100_000_000).padStart(8, '0')}`;
  const style = rnd();
  const phone =
    style < 0.7
      ? mobile
      : style < 0.85
        ? `${mobile.slice(0, 3)}-${mobile.slice(3, 7)}-${mobile.slice(7)}`
        : `+86 ${mobile.slice(0, 3)} ${mobile.slice(3, 7)} ${mobile.slice(7)}`;
  const email = `${pick(rnd, PINYIN)}${i}@${cityCode}${Math.floor(rnd() * 900 + 100)}.com.cn`;
  const year = 2020 + Math.floor(rnd() * 7);
  const month = 1 + Math.floor(rnd() * 12);
  const day = 1 + Math.floor(rnd() * 28);
  const signed =
    rnd() < 0.5
      ? `${year}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`
      : `${year}/${month}/${day}`;
  const revenue = `${Math.floor(rnd() * 50_000_000)}.${String(Math.floor(rnd() * 100)).padStart(2, '0')}`;
  return [
    company,
    contact,
    phone,
    email,
    pick(rnd, LEVELS),
    pick(rnd, STATUSES),
    industry,
    province,
    city,
    `${city}市${pick(rnd, ROADS)}${Math.floor(rnd() * 999) + 1}号`,
    revenue,
    String(Math.floor(rnd() * 5000) + 5),
    rnd() < 0.1 ? '' : signed,
    pick(rnd, SOURCES),
    pick(rnd, REMARKS),
  ];
}

/** RFC 4180 quoting: only cells with a delimiter, quote or line break are quoted. */
export function csvLine(cells) {
  return cells.map((c) => (/[",\r\n]/.test(c) ? `"${c.replace(/"/g, '""')}"` : c)).join(',');
}

/** Writes `rows` customers to `file` as UTF-8 CSV with CRLF line ends; resolves with the byte count. */
export async function writeCustomerCsv(file, rows, seed = 20260105) {
  const rnd = random(seed);
  const out = createWriteStream(file);
  let bytes = 0;
  let buffer = `${csvLine(HEADERS)}\r\n`;
  for (let i = 0; i < rows; i++) {
    buffer += `${csvLine(customerRow(i, rnd))}\r\n`;
    if (buffer.length > 1 << 16) {
      bytes += Buffer.byteLength(buffer);
      if (!out.write(buffer)) await once(out, 'drain');
      buffer = '';
    }
  }
  bytes += Buffer.byteLength(buffer);
  out.end(buffer);
  await once(out, 'finish');
  return bytes;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const rows = Number(process.argv[2] ?? 1000);
  const file = process.argv[3] ?? '/tmp/customers.csv';
  const bytes = await writeCustomerCsv(file, rows);
  console.log(`${rows} rows, ${(bytes / 1e6).toFixed(1)} MB -> ${file}`);
}
