/**
 * Policy instruments after Rothwell & Zegveld (1985), as Chinese policy studies apply them to policy texts:
 * - supply (供给型): the government provides the factors — talent and training, funds and subsidies,
 *   technology and R&D, land, infrastructure and platforms, public services and public information;
 * - demand (需求型): the government creates or pulls demand — procurement and purchase, pilots and
 *   demonstrations, trade and export, outsourcing, consumption, sales channels, application scenarios;
 * - environment (环境型): the government shapes the conditions — targets, plans and evaluation, laws,
 *   standards and supervision, finance and tax policy, institutional and market rules, publicity.
 *
 * Each keyword has a weight: 2 for a word that names one instrument on its own (人才, 采购, 监管), 1 for
 * a generic word that only leans (制度, 机制, 平台). The measure gets the instrument of the highest total
 * weight, the keywords of its first clause that has any counting double (that clause says what the
 * measure is for); ties go to demand, then supply, then environment (the more specific instrument).
 * The longest keyword wins where two overlap (交易平台 over 平台).
 */
import type { Instrument } from '../../core/types.ts';

export interface InstrumentKeyword {
  keyword: string;
  instrument: Instrument;
  /** What the keyword stands for in the typology: talent, funds, pilot, regulation … */
  category: string;
  weight: 1 | 2;
}

const group = (instrument: Instrument, category: string, weight: 1 | 2, words: string): InstrumentKeyword[] =>
  words.split(' ').map((keyword) => ({ keyword, instrument, category, weight }));

export const INSTRUMENT_KEYWORDS: readonly InstrumentKeyword[] = [
  ...group('supply', 'talent', 2, '人才 培训 培养 师资 教师 队伍 专家 技能 招生 职称 引才 育人 学徒'),
  ...group('supply', 'funds', 2, '资金 经费 补助 补贴 助学金 奖学金 投入 财政 贴息 奖补'),
  ...group('supply', 'technology', 2, '研发 科研 技术攻关 技术转移 成果转化 科技成果'),
  ...group('supply', 'land', 2, '用地 存量用地 盘活 土地供应'),
  ...group('supply', 'infrastructure', 2, '基础设施 设施 实训基地 基地 网络 物流 冷链 仓储 产地仓'),
  ...group('supply', 'infrastructure', 1, '平台'),
  ...group('supply', 'public services', 2, '公共服务 公共数据 信息共享 数据共享 政务服务 公共服务平台'),
  ...group('demand', 'procurement', 2, '采购 政府采购 购买 收储 订单'),
  ...group('demand', 'pilot', 2, '试点 示范 先行先试'),
  ...group('demand', 'trade', 2, '贸易 出口 进出口 销售 销售专区 展销 市场开拓'),
  ...group('demand', 'outsourcing', 2, '外包 服务外包'),
  ...group('demand', 'consumption', 2, '消费 消费扶贫 应用场景 场景'),
  ...group('environment', 'targets', 2, '目标 规划 考核 评估 督导 统计 台账'),
  ...group('environment', 'regulation', 2, '监管 执法 监督 法律 法规 法治 标准 规范 准入 审批 许可 禁止 处罚 惩戒 信用 保护 安全 风险 防控'),
  ...group('environment', 'finance and tax', 2, '金融 融资 信贷 贷款 保险 担保 税 税收 价格 收费 股权 证券 投资'),
  ...group('environment', 'institutions', 2, '产权 权益 登记 规则 资历框架 待遇 收益 分配 交易 交易平台 出让 证书 协会 联盟 宣传 推介 利益联结'),
  ...group('environment', 'institutions', 1, '制度 机制 体制 体系 改革 市场 管理 办法 政策 框架'),
];

/** Order in which equal weights are decided: the more specific instrument first. */
export const INSTRUMENT_TIE_ORDER: readonly Instrument[] = ['demand', 'supply', 'environment'];
