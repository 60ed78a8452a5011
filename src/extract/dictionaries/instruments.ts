/**
 * Policy instruments after Rothwell & Zegveld (1985), in the supply / environment / demand typology Chinese
 * policy-text studies code with (赵筱媛、苏竣 2007 and the studies after them), each with its sub-tools:
 * - supply 供给型, the government provides the factors: 人才培养 (training, talent, teachers), 资金投入 (funds,
 *   subsidies, grants), 技术支持 (research and development, technology transfer), 基础设施 (facilities, bases,
 *   networks, land), 公共服务 (public and government services, public data and information);
 * - environment 环境型, the government shapes the conditions: 目标规划 (plans, targets, assessment), 金融支持 (credit,
 *   financing, guarantees, insurance, funds for investment), 税收优惠 (tax and fee relief), 法规管制 (laws, rules,
 *   standards, approval, supervision, enforcement, prohibitions), 策略性措施 (publicity, incentives, coordination
 *   and organisation arrangements);
 * - demand 需求型, the government pulls demand: 政府采购, 服务外包 (purchased services, third parties), 示范工程
 *   (pilots, demonstrations), 贸易管制 (import, export, tariffs, ports), 海外交流 (international cooperation).
 *
 * A measure gets an instrument only on evidence: a keyword below that names one of these means on its own (补贴,
 * 贷款, 免征, 采购, 试点, 培训, 监管, 不得). Words that only lean towards one (制度, 机制, 平台, 应当) are not
 * evidence: measured against hand labels they were right about two times in three, below what a reader can trust.
 * The longest keyword wins where two overlap (政府购买服务 over 购买, 网络安全 over 网络).
 */
import type { Instrument } from '../../core/types.ts';

/** The sub-tools of the typology, each under its instrument. */
export const TOOLS = {
  人才培养: 'supply',
  资金投入: 'supply',
  技术支持: 'supply',
  基础设施: 'supply',
  公共服务: 'supply',
  目标规划: 'environment',
  金融支持: 'environment',
  税收优惠: 'environment',
  法规管制: 'environment',
  策略性措施: 'environment',
  政府采购: 'demand',
  服务外包: 'demand',
  示范工程: 'demand',
  贸易管制: 'demand',
  海外交流: 'demand',
} as const satisfies Record<string, Instrument>;

export type Tool = keyof typeof TOOLS;

export interface InstrumentKeyword {
  keyword: string;
  tool: Tool;
  instrument: Instrument;
}

const group = (tool: Tool, words: string): InstrumentKeyword[] => words.split(' ').map((keyword) => ({ keyword, tool, instrument: TOOLS[tool] }));

export const INSTRUMENT_KEYWORDS: readonly InstrumentKeyword[] = [
  ...group('人才培养', '人才 培训 培养 师资 教师 技能人才 职业技能 引才 职称 学徒 育人 见习 队伍建设 人才队伍 专业人才 人员培训 教育培训 技能培训'),
  ...group('资金投入', '资金 经费 补助 补贴 奖补 资助 拨款 助学金 奖学金 财政投入 财政资金 专项资金 贴息 以奖代补 经费保障 财政支持 财政'),
  ...group('技术支持', '研发 技术攻关 技术研究 技术创新 科技成果转化 成果转化 技术转移 关键技术 核心技术 共性技术'),
  ...group('基础设施', '基础设施 设施 基地 场馆 场地 管网 信息系统 数据库 仓储 冷链 物流 产地仓 用地 土地供应 供地 存量用地 盘活 建设用地 供排水 宽带 平台建设'),
  ...group('公共服务', '公共服务 政务服务 信息服务 咨询服务 技术服务 法律服务 法律咨询 公共数据 信息共享 数据共享 服务平台 公共服务平台 办事服务 一网通办'),
  ...group('目标规划', '规划 目标 考核 绩效考核 考核评价 评估 实施方案 工作方案 行动计划 路线图 指标'),
  ...group('金融支持', '金融 融资 信贷 贷款 担保 保险 基金 股权 上市 债券 证券 质押 抵押 资本市场 社会资本 投资基金 风险投资 创业投资 金融产品'),
  ...group('税收优惠', '税收优惠 优惠政策 减税 免税 免征 减征 减免 降费 税费减免 加计扣除 税收'),
  ...group(
    '法规管制',
    '法律 法规 规章 立法 法治 监管 监督 执法 检查 抽查 督查 督导 审查 审核 审批 许可 备案 准入 标准 认证 检验检测 禁止 严禁 不得 限制 处罚 惩戒 查处 追究 问责 违法 违规 管控 责任制 追溯 知识产权保护 安全管理 风险防控 信用 黑名单 信息披露 网络安全 规范性文件 管理办法 实施办法 管理制度 条例 应当 必须',
  ),
  ...group('策略性措施', '宣传 推介 舆论 舆情 表彰 激励 领导小组 联席会议 协调机制 统筹协调 沟通协调 组织领导 工作机制 经验交流 总结推广 推广经验'),
  ...group('政府采购', '政府采购 采购 购买 收储 订单'),
  ...group('服务外包', '外包 服务外包 购买服务 政府购买服务 委托第三方 第三方'),
  ...group('示范工程', '试点 示范 先行先试 示范区 示范工程 示范基地'),
  ...group('贸易管制', '贸易 出口 进出口 进口 关税 外贸 跨境 口岸'),
  ...group('海外交流', '国际合作 国际交流 对外交流 海外 境外 国际组织 走出去 一带一路 国际'),
];

/**
 * Words that hold a keyword but name no means: 宅基地 is no 基地, 独立法人 no 立法, 国际竞争力 no exchange, 党内法规
 * no state rule; 试点地区, 试点工作 … name the pilot a measure belongs to, not a pilot it starts (开展…试点).
 */
export const NOT_EVIDENCE: readonly string[] = [
  '宅基地',
  '独立法人',
  '国际竞争力',
  '国际经验',
  '国际先进',
  '国际一流',
  '规范化',
  '党内法规',
  '试点地区',
  '试点城市',
  '试点单位',
  '试点工作',
  '试点任务',
];
