/**
 * Policy verbs: a sentence whose clause starts with one of these orders an action (a measure).
 *
 * Source: the directive verbs of State Council documents (《党政机关公文处理工作条例》 usage and the
 * verbs policy-text studies code as "政策工具动词"), as printed in the corpus. Rules:
 * - the verb must open a clause (after 。；，： or the start), optionally after a subject ending in a
 *   modal (各试点地区要…, 国家发展改革委要…) and after adverbs (进一步, 积极, 稳妥 …);
 * - the longest listed form wins (建立健全 over 建立), so a verb phrase is kept whole;
 * - `modal` forms (要, 应当, 必须, 不得, 严禁, 禁止) order or forbid on their own: 要 counts only when no
 *   listed action verb follows the subject (要予以表扬激励);
 * - a verb followed by a word in NOT_A_VERB_BEFORE is a noun phrase (指导思想, 保障措施, 改革开放以来).
 */
type VerbKind = 'action' | 'modal';

export interface PolicyVerb {
  verb: string;
  kind: VerbKind;
}

const ACTION_VERBS = [
  '支持',
  '鼓励',
  '引导',
  '探索',
  '推进',
  '推动',
  '推广',
  '促进',
  '完善',
  '建立健全',
  '建立',
  '健全',
  '构建',
  '建设',
  '加强',
  '强化',
  '深化',
  '规范',
  '优化',
  '严格',
  '加快',
  '加大',
  '开展',
  '落实',
  '实施',
  '实行',
  '执行',
  '提高',
  '提升',
  '扩大',
  '增加',
  '发展',
  '创新',
  '培育',
  '打造',
  '统筹',
  '整合',
  '改革',
  '简化',
  '取消',
  '下放',
  '放宽',
  '降低',
  '减少',
  '清理',
  '制定',
  '修订',
  '出台',
  '组织',
  '指导',
  '督促',
  '保障',
  '确保',
  '维护',
  '防范',
  '设立',
  '允许',
  '发挥',
  '拓展',
  '丰富',
  '激发',
  '增强',
  '依托',
  '用好',
  '做好',
  '抓好',
  '压实',
  '明确',
  '细化',
  '畅通',
  '提供',
  '给予',
  '选择',
  '赋予',
  '合理划分',
  '严控',
  '严把',
  '严管',
  '壮大',
  '健全完善',
  '引进',
  '试行',
] as const;

/** Obligation and prohibition forms: a measure even without an action verb. */
export const MODAL_VERBS = ['要', '应当', '必须', '不得', '严禁', '禁止'] as const;

export const POLICY_VERBS: readonly PolicyVerb[] = [...ACTION_VERBS.map((verb) => ({ verb, kind: 'action' as const })), ...MODAL_VERBS.map((verb) => ({ verb, kind: 'modal' as const }))];

/** Words that turn a listed verb into a noun phrase when they follow it. */
export const NOT_A_VERB_BEFORE: Readonly<Record<string, readonly string[]>> = {
  指导: ['思想'],
  保障: ['措施'],
  改革: ['开放', '举措', '任务'],
  建设: ['用地'],
  规范: ['性'],
  发展: ['改革委', '潜力', '理念'],
  组织: ['领导', '保障', '机构'],
};

/** Adverbs that may stand between a clause start and its verb (进一步完善, 积极稳妥推进). */
export const VERB_ADVERBS = [
  '进一步',
  '积极',
  '大力',
  '稳步',
  '稳妥',
  '有序',
  '逐步',
  '持续',
  '切实',
  '依法依规',
  '依法',
  '全面',
  '深入',
  '着力',
  '认真',
  '不断',
  '继续',
  '及时',
  '主动',
  '共同',
  '抓紧',
  '尽快',
  '研究',
  '分类',
  '统一',
  '因地制宜',
  '重点',
] as const;

/** Subjects end with these before their verb: 各试点地区要, 有关部门应当. */
export const SUBJECT_MODALS = ['要', '应当', '必须', '须'] as const;
