/**
 * Central bodies and the short forms official texts print for them, normalized to full names.
 *
 * Source: the State Council's list of its constituent departments, directly affiliated agencies and
 * administrations (www.gov.cn/guowuyuan/zuzhi.htm), the Party central organs and the national
 * legislative, judicial and military bodies, plus the pre-2018 names the 2018–2019 corpus still prints.
 * Short forms are the ones gov.cn texts use (国家发展改革委, 发改委, 人民银行 …). A short form is listed
 * only when it names one central body on its own: 统计局 or 税务局 alone are often local, so they are not.
 * The issuer column reads its names from here too (国办 → 国务院办公厅).
 */
interface Agency {
  full: string;
  short: readonly string[];
}

const AGENCIES: readonly Agency[] = [
  { full: '中共中央', short: ['党中央'] },
  { full: '中共中央办公厅', short: ['中办'] },
  { full: '中央组织部', short: ['中组部'] },
  { full: '中央宣传部', short: ['中宣部'] },
  { full: '中央网络安全和信息化委员会办公室', short: ['中央网信办'] },
  { full: '中央机构编制委员会办公室', short: ['中央编办'] },
  { full: '国务院', short: [] },
  { full: '国务院办公厅', short: ['国办'] },
  { full: '全国人民代表大会', short: ['全国人大'] },
  { full: '全国人民代表大会常务委员会', short: ['全国人大常委会'] },
  { full: '中央军事委员会', short: ['中央军委', '军委'] },
  { full: '最高人民法院', short: ['最高法'] },
  { full: '最高人民检察院', short: ['最高检'] },
  { full: '外交部', short: [] },
  { full: '国防部', short: [] },
  { full: '国家发展和改革委员会', short: ['国家发展改革委', '国家发改委', '发展改革委', '发改委'] },
  { full: '教育部', short: [] },
  { full: '科学技术部', short: ['科技部'] },
  { full: '工业和信息化部', short: ['工信部'] },
  { full: '国家民族事务委员会', short: ['国家民委'] },
  { full: '公安部', short: [] },
  { full: '国家安全部', short: [] },
  { full: '民政部', short: [] },
  { full: '司法部', short: [] },
  { full: '财政部', short: [] },
  { full: '人力资源和社会保障部', short: ['人力资源社会保障部', '人社部'] },
  { full: '自然资源部', short: [] },
  { full: '生态环境部', short: [] },
  { full: '住房和城乡建设部', short: ['住房城乡建设部', '住建部'] },
  { full: '交通运输部', short: [] },
  { full: '水利部', short: [] },
  { full: '农业农村部', short: [] },
  { full: '商务部', short: [] },
  { full: '文化和旅游部', short: ['文化旅游部', '文旅部'] },
  { full: '国家卫生健康委员会', short: ['国家卫生健康委', '卫生健康委', '国家卫健委'] },
  { full: '退役军人事务部', short: [] },
  { full: '应急管理部', short: [] },
  { full: '中国人民银行', short: ['人民银行', '央行'] },
  { full: '审计署', short: [] },
  { full: '国务院国有资产监督管理委员会', short: ['国务院国资委', '国资委'] },
  { full: '海关总署', short: [] },
  { full: '国家税务总局', short: ['税务总局'] },
  { full: '国家市场监督管理总局', short: ['市场监管总局'] },
  { full: '国家金融监督管理总局', short: ['金融监管总局'] },
  { full: '中国银行保险监督管理委员会', short: ['中国银保监会', '银保监会'] },
  { full: '中国证券监督管理委员会', short: ['中国证监会', '证监会'] },
  { full: '国家广播电视总局', short: ['广电总局'] },
  { full: '国家体育总局', short: ['体育总局'] },
  { full: '国家统计局', short: [] },
  { full: '国家国际发展合作署', short: [] },
  { full: '国家医疗保障局', short: ['国家医保局'] },
  { full: '国家机关事务管理局', short: ['国管局'] },
  { full: '国家知识产权局', short: [] },
  { full: '国家移民管理局', short: [] },
  { full: '国家林业和草原局', short: ['国家林草局'] },
  { full: '国家铁路局', short: [] },
  { full: '中国民用航空局', short: ['民航局'] },
  { full: '国家邮政局', short: [] },
  { full: '国家文物局', short: [] },
  { full: '国家中医药管理局', short: [] },
  { full: '国家外汇管理局', short: ['外汇局'] },
  { full: '国家药品监督管理局', short: ['国家药监局'] },
  { full: '国家能源局', short: [] },
  { full: '国家国防科技工业局', short: [] },
  { full: '国家烟草专卖局', short: [] },
  { full: '国家粮食和物资储备局', short: ['国家粮食和储备局'] },
  { full: '国家数据局', short: [] },
  { full: '国家互联网信息办公室', short: ['国家网信办'] },
  { full: '国务院港澳事务办公室', short: ['国务院港澳办'] },
  { full: '国务院研究室', short: [] },
  { full: '国务院发展研究中心', short: [] },
  { full: '中国科学院', short: ['中科院'] },
  { full: '中国社会科学院', short: [] },
  { full: '中国工程院', short: [] },
  { full: '中国气象局', short: [] },
  { full: '新华通讯社', short: ['新华社'] },
  { full: '国家信访局', short: [] },
  { full: '国家保密局', short: [] },
  // Names of before the 2018 reform, still printed by the older posts of the corpus.
  { full: '国家卫生和计划生育委员会', short: ['国家卫生计生委', '卫生计生委'] },
  { full: '国家工商行政管理总局', short: ['工商总局'] },
  { full: '国家质量监督检验检疫总局', short: ['质检总局'] },
  { full: '国家食品药品监督管理总局', short: ['食品药品监管总局'] },
  { full: '中国银行业监督管理委员会', short: ['银监会'] },
  { full: '中国保险监督管理委员会', short: ['保监会'] },
  { full: '国土资源部', short: [] },
  { full: '环境保护部', short: [] },
  { full: '农业部', short: [] },
  { full: '文化部', short: [] },
  { full: '国家旅游局', short: [] },
  { full: '国家食品药品监督管理局', short: ['国家食品药品监管局', '食品药品监管局'] },
  // Commissions of before the 1998 reform, printed by the older documents gov.cn still lists.
  { full: '国家教育委员会', short: ['国家教委'] },
  { full: '国家计划委员会', short: ['国家计委'] },
  { full: '国家经济贸易委员会', short: ['国家经贸委'] },
  { full: '国家经济体制改革委员会', short: ['国家体改委'] },
  { full: '国家科学技术委员会', short: ['国家科委'] },
];

/** Every printed form (full names included) → the full name. */
export const AGENCY_NAMES: ReadonlyMap<string, string> = new Map(AGENCIES.flatMap((a) => [[a.full, a.full] as const, ...a.short.map((s) => [s, a.full] as const)]));

/** What separates joint issuers as printed: 、 ， ； or spaces (国务院 中央军委, 国务院，中央军委). */
const ISSUER_SEPARATORS = /[、，,；;\s]+/;
/** A conjunction between two joint issuers printed without a separator (国务院和中央军委). */
const JOINERS = new Set(['和', '与', '及']);

/** `printed` cut into the agencies it names, left to right and longest first (中共中央国务院 → 中共中央, 国务院); null if any part is unknown. */
function splitJoined(printed: string): string[] | null {
  const names: string[] = [];
  for (let i = 0; i < printed.length;) {
    if (names.length > 0 && JOINERS.has(printed[i])) {
      i++;
      continue;
    }
    let end = printed.length;
    while (end > i && !AGENCY_NAMES.has(printed.slice(i, end))) end--;
    if (end === i) return null;
    names.push(AGENCY_NAMES.get(printed.slice(i, end))!);
    i = end;
  }
  return names;
}

/**
 * The full names of the issuers a printed issuer names (国办 → 国务院办公厅; 国务院、中央军委 and 中共中央国务院
 * are two issuers each). A part the dictionary does not know wholly is kept as printed.
 */
export function fullAgencyNames(printed: string): string[] {
  const names = printed
    .split(ISSUER_SEPARATORS)
    .filter(Boolean)
    .flatMap((part) => AGENCY_NAMES.get(part) ?? splitJoined(part) ?? part);
  return [...new Set(names)];
}
