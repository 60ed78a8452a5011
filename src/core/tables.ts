// The published tables: one declaration feeds the DuckDB schema, the exports and datapackage.json.

type ColumnType = 'VARCHAR' | 'INTEGER' | 'BOOLEAN' | 'DATE' | 'TIMESTAMPTZ' | 'VARCHAR[]' | 'JSON';

export interface Column<Name extends string = string, Type extends ColumnType = ColumnType> {
  name: Name;
  type: Type;
  /** English, then Chinese: the data dictionary a reader sees in datapackage.json. */
  en: string;
  zh: string;
  required?: boolean;
}

export interface TableSpec {
  name: string;
  en: string;
  zh: string;
  columns: readonly Column[];
  key: readonly string[];
  /** `versioned` tables are snapshots whose row versions history/ keeps; `log` tables only grow. */
  kind: 'versioned' | 'log';
  /**
   * `document` (default): rows come per post (versioned tables compare them per document). `whole`: rows are rebuilt
   * whole every run (the code's dictionaries, the cross-document plans) and compared over the table. `release`: the
   * release's own change feed, new with every release.
   */
  scope?: 'document' | 'whole' | 'release';
  /** Kept in history/: every row version each release wrote (as-of views); the other logs only grow, so a release holds them whole. */
  history: boolean;
  /** Row order of every export when it is not the key, e.g. provisions in document order. */
  order?: readonly string[];
  foreignKeys?: readonly { fields: readonly string[]; reference: { resource: string; fields: readonly string[] } }[];
}

const col = <Name extends string, Type extends ColumnType>(name: Name, type: Type, en: string, zh: string, required = false): Column<Name, Type> => ({ name, type, en, zh, required });

const docRef = [{ fields: ['doc_id'], reference: { resource: 'documents', fields: ['doc_id'] } }];
const docIdCol = col('doc_id', 'VARCHAR', 'Document id (stable across releases)', '文档标识（各版本间稳定）', true);
const pathCol = col('path', 'VARCHAR', 'Outline path of the provision it belongs to, e.g. 2.5', '所在条目的大纲路径，如 2.5');
const partCol = col('part', 'INTEGER', 'Enclosed document the provision belongs to (see provisions.part)', '所属附件文件序号（同 provisions.part）', true);
const placePathCol = col(
  'path',
  'VARCHAR',
  'Outline path of the provision, e.g. 2.5; 0 for the preamble before the first numbered item',
  '所在条目的大纲路径，如 2.5；0 表示首个编号条目之前的导语',
  true,
);
const instrumentEn =
  'Policy instrument after Rothwell & Zegveld, assigned only when the sentence names one of its means (see dict_instruments): supply (talent, funds, technology, infrastructure, public services), environment (targets and plans, finance, tax relief, regulation, strategic measures), demand (procurement, outsourcing, pilots, trade, international exchange)';
const instrumentZh = '政策工具（Rothwell & Zegveld），仅在句中写明其手段时标注（见 dict_instruments）：供给型 supply、环境型 environment、需求型 demand';

/** Every table, declared with its column names and types known to TypeScript, so rows typed from it (TableRow) must have every column. */
const DECLARED = [
  {
    name: 'documents',
    en: 'One post: its metadata and the fields of the policy document it carries',
    zh: '每篇文章一行：元数据及所载政策文件的字段',
    kind: 'versioned',
    history: true,
    key: ['doc_id'],
    order: ['published_at', 'source_id'],
    columns: [
      docIdCol,
      col('source', 'VARCHAR', 'Source the post came from', '来源', true),
      col('source_id', 'VARCHAR', 'Id of the post within its source (file name without extension)', '来源内标识（不含扩展名的文件名）', true),
      col('url', 'VARCHAR', 'Where the post was read from', '原文地址'),
      col('title', 'VARCHAR', 'Title as published', '标题'),
      col('published_at', 'TIMESTAMPTZ', 'Publication time (发布日期 or the post date)', '发布时间'),
      col('issued_date', 'DATE', 'Date the document was signed (成文日期)', '成文日期'),
      col('category', 'VARCHAR', 'Category of the post (Jekyll categories, gov.cn 主题分类)', '栏目/主题分类'),
      col('tags', 'VARCHAR[]', 'Tags of the post', '标签'),
      col('is_policy', 'BOOLEAN', 'An official government document, not news', '是否为正式公文（非新闻）', true),
      col('doc_type', 'VARCHAR', 'Document type (文种): 通知, 意见, 方案 …; 新闻 for news', '文种；新闻稿为“新闻”', true),
      col('plan_type', 'VARCHAR', 'Type of the enclosed or announced plan', '所印发/公布文件的文种'),
      col('plan_name', 'VARCHAR', 'Name of the enclosed or announced plan', '所印发/公布文件的名称'),
      col('issuer', 'VARCHAR', 'Issuing body in full (joint issuers joined with 、)', '发文机关（全称）'),
      col('doc_number', 'VARCHAR', 'Document number (发文字号) as printed', '发文字号'),
      col('period_start', 'INTEGER', 'First year of the overall period the document sets', '实施期限起始年'),
      col('period_end', 'INTEGER', 'Last year of the overall period the document sets', '实施期限截止年'),
      col('content_sha256', 'VARCHAR', 'SHA-256 of the normalized content (template changes keep it)', '规范化正文的 SHA-256', true),
      col('version', 'INTEGER', 'Content version of the document, from 1', '正文版本号', true),
      col('source_path', 'VARCHAR', 'Where the source holds the post now (github: its repository path; a move between folders changes only this and url)', '来源中的当前路径'),
    ],
  },
  {
    name: 'provisions',
    en: 'One node of the document outline, at any depth',
    zh: '文件大纲中的一个条目（任意层级）',
    kind: 'versioned',
    history: true,
    // A notice that encloses two documents, each numbered from 一、, prints every path twice: part tells them apart.
    key: ['doc_id', 'part', 'path'],
    order: ['doc_id', 'ord'],
    foreignKeys: docRef,
    columns: [
      docIdCol,
      col('part', 'INTEGER', 'Enclosed document the node belongs to: 1, or 2… when a notice encloses several that each restart their numbering', '所属附件文件序号（多个文件各自编号时区分）', true),
      col('path', 'VARCHAR', 'Printed numbers joined with dots, e.g. 2.5', '由编号组成的路径，如 2.5', true),
      col('level', 'INTEGER', 'Depth in the outline, from 1', '层级', true),
      col('parent_path', 'VARCHAR', 'Path of the parent node', '上级条目路径'),
      col('label', 'VARCHAR', 'Numbering label as printed: 二、 (五) 1. 第三条', '编号（原样）', true),
      col('heading', 'VARCHAR', 'Heading, or the first sentence of an item', '标题或首句'),
      col('text', 'VARCHAR', 'Body text of the node itself', '条目正文'),
      col('ord', 'INTEGER', 'Position in document order', '文内顺序', true),
    ],
  },
  {
    name: 'principles',
    en: 'A principle (—— bullet or item under 基本原则)',
    zh: '基本原则条目',
    kind: 'versioned',
    history: true,
    key: ['doc_id', 'principle_no'],
    foreignKeys: docRef,
    columns: [
      docIdCol,
      col('principle_no', 'INTEGER', 'Number of the principle in the document, from 1', '序号', true),
      pathCol,
      col('title', 'VARCHAR', 'Short title of the principle', '原则标题', true),
      col('text', 'VARCHAR', 'Full text of the principle', '原则全文'),
    ],
  },
  {
    name: 'milestones',
    en: 'A dated target, deadline or start',
    zh: '有明确时间的目标、期限或起始',
    kind: 'versioned',
    history: true,
    key: ['doc_id', 'milestone_no'],
    foreignKeys: docRef,
    columns: [
      docIdCol,
      col('milestone_no', 'INTEGER', 'Number of the milestone in the document, from 1', '序号', true),
      pathCol,
      col('year', 'INTEGER', 'Year', '年份', true),
      col('period', 'VARCHAR', 'Part of the year: 上半年, 下半年, 年底, 年内, 起', '年内时段'),
      col('kind', 'VARCHAR', 'start, target, deadline or period', '类型：起始/目标/期限/时段', true),
      col('text', 'VARCHAR', 'The sentence that states it', '所在句子'),
    ],
  },
  {
    name: 'measures',
    en: 'One sentence that orders an action, with its leading verb, policy instrument and the bodies put in charge',
    zh: '政策措施：下达行动要求的句子，及其政策动词、政策工具类型与牵头/负责单位',
    kind: 'versioned',
    history: true,
    // part as in provisions: a notice enclosing two documents prints every path twice.
    key: ['doc_id', 'part', 'path', 'measure_no'],
    // As the document reads: paths sort 10.29 before 9.28, positions do not.
    order: ['doc_id', 'ord'],
    foreignKeys: docRef,
    columns: [
      docIdCol,
      partCol,
      placePathCol,
      col('measure_no', 'INTEGER', 'Number of the measure within its provision, from 1', '条目内措施序号', true),
      col('ord', 'INTEGER', 'Position of the measure in the document, from 1, in document order (the order every export lists them in)', '措施在全文中的顺序（从 1 起，按行文顺序）', true),
      col('text', 'VARCHAR', 'The sentence', '措施原句', true),
      col('verb', 'VARCHAR', 'Leading policy verb or verb phrase (see dict_verbs): 支持, 探索, 建立健全, 不得 …', '政策动词（见 dict_verbs）', true),
      col('instrument', 'VARCHAR', `${instrumentEn}; empty when the sentence names none`, `${instrumentZh}；句中未写明手段时为空`),
      col(
        'tool',
        'VARCHAR',
        'Sub-tool of the instrument: 人才培养, 资金投入, 技术支持, 基础设施, 公共服务 / 目标规划, 金融支持, 税收优惠, 法规管制, 策略性措施 / 政府采购, 服务外包, 示范工程, 贸易管制, 海外交流',
        '政策工具细类',
      ),
      col('evidence', 'VARCHAR[]', 'The words of the sentence that gave the instrument (keywords of dict_instruments)', '判定政策工具所依据的词（见 dict_instruments）'),
      col('agencies', 'VARCHAR[]', 'Full names of the bodies the sentence makes responsible (国家发展改革委牵头 …)', '句中明确负责/牵头的机构（全称）'),
    ],
  },
  {
    name: 'mentions',
    en: 'A named thing in one provision, counted: an agency, a cited document 《…》, a quoted term “…” or a region',
    zh: '条目中提及的机构、引用文件、引号术语和地区及其次数',
    kind: 'versioned',
    history: true,
    key: ['doc_id', 'part', 'path', 'kind', 'value'],
    foreignKeys: docRef,
    columns: [
      docIdCol,
      partCol,
      placePathCol,
      col('kind', 'VARCHAR', 'agency, document, term or region', '类型：机构/文件/术语/地区', true),
      col('value', 'VARCHAR', 'Agency or region in full (see dict_agencies, dict_regions), cited title without 《》, or the quoted term', '机构或地区全称、所引文件标题（不含书名号）或术语', true),
      col('count', 'INTEGER', 'Times it occurs in the provision', '在该条目中出现次数', true),
      col('doc_number', 'VARCHAR', 'Document number printed after a cited title: 《X》（国办发〔2021〕51号）', '引用文件后注明的发文字号'),
      col('plan_key', 'VARCHAR', 'The plan (plans.plan_key) a cited document resolves to, by 发文字号 or name: the citation graph', '所引文件对应的政策（plans.plan_key）'),
    ],
  },
  {
    name: 'plans',
    en: 'One policy across its posts: a news repost and the official notice of the same plan share a plan_key',
    zh: '同一政策的各篇文章（新闻转载与正式通知）归并为一行',
    kind: 'versioned',
    history: true,
    scope: 'whole',
    key: ['plan_key'],
    columns: [
      col('plan_key', 'VARCHAR', "Stable id: hash of the group's 发文字号, else of its normalized plan name", '政策标识：发文字号（无则规范化名称）的哈希', true),
      col('plan_name', 'VARCHAR', 'Name of the plan (from the official document when there is one)', '政策名称', true),
      col('plan_type', 'VARCHAR', 'Its 文种: 方案, 意见, 规划 …', '文种'),
      col('doc_number', 'VARCHAR', 'Its 发文字号 (posts with different numbers are different plans)', '发文字号'),
      col('issuer', 'VARCHAR', 'Issuing body in full', '发文机关'),
      col('issued_date', 'DATE', 'Date signed (成文日期), when a post gives it', '成文日期'),
      col('doc_ids', 'VARCHAR[]', 'The documents (posts) that carry it', '载有该政策的文档'),
    ],
  },
  {
    name: 'dict_verbs',
    en: 'Data dictionary: the policy verbs that make a sentence a measure',
    zh: '数据字典：政策动词表',
    kind: 'versioned',
    history: true,
    scope: 'whole',
    key: ['verb'],
    columns: [
      col('verb', 'VARCHAR', 'Verb or verb phrase as printed', '动词或动词短语', true),
      col('kind', 'VARCHAR', 'action, or modal (要, 应当, 不得 … order or forbid on their own)', '类型：行动动词/情态（要、应当、不得等）', true),
    ],
  },
  {
    name: 'dict_instruments',
    en: 'Data dictionary: the keywords that are evidence of a policy instrument and its sub-tool (the tool the first clause naming one names most decides; a keyword right before another yields to it)',
    zh: '数据字典：政策工具关键词表（判定依据）',
    kind: 'versioned',
    history: true,
    scope: 'whole',
    key: ['keyword'],
    columns: [
      col('keyword', 'VARCHAR', 'Keyword as printed', '关键词', true),
      col('instrument', 'VARCHAR', 'supply, demand or environment', '政策工具类型', true),
      col('tool', 'VARCHAR', 'The sub-tool it is evidence of: 人才培养, 资金投入 … 海外交流 (as measures.tool)', '政策工具细类', true),
    ],
  },
  {
    name: 'dict_agencies',
    en: 'Data dictionary: printed forms of central bodies and their full names',
    zh: '数据字典：中央机构简称与全称',
    kind: 'versioned',
    history: true,
    scope: 'whole',
    key: ['name'],
    columns: [col('name', 'VARCHAR', 'Form printed in texts (full name or short form)', '文中写法（全称或简称）', true), col('full_name', 'VARCHAR', 'Full name it stands for', '全称', true)],
  },
  {
    name: 'dict_regions',
    en: 'Data dictionary: printed forms of provinces and major cities and their full names',
    zh: '数据字典：省级行政区与主要城市',
    kind: 'versioned',
    history: true,
    scope: 'whole',
    key: ['name'],
    columns: [
      col('name', 'VARCHAR', 'Form printed in texts', '文中写法', true),
      col('full_name', 'VARCHAR', 'Full name', '全称', true),
      col('level', 'VARCHAR', 'province, city or area (national new area)', '级别：省级/城市/新区', true),
    ],
  },
  {
    name: 'releases',
    en: 'One published release',
    zh: '每次发布一行',
    kind: 'log',
    history: false,
    key: ['release_id'],
    columns: [
      col('release_id', 'VARCHAR', 'Release id: UTC time of the run', '发布标识（UTC 时间）', true),
      col('created_at', 'TIMESTAMPTZ', 'When the release was made (wall clock)', '发布时间', true),
      col('parent_release_id', 'VARCHAR', 'The release this one changes', '上一发布'),
      col('code_version', 'VARCHAR', 'Version of the extraction code', '代码版本', true),
      col('schema_version', 'INTEGER', 'Version of these table definitions', '表结构版本', true),
      col('inputs_sha256', 'VARCHAR', 'SHA-256 over the ids and revisions of every input post', '输入指纹', true),
      col('documents_added', 'INTEGER', 'Documents new in this release', '新增文档数', true),
      col('documents_changed', 'INTEGER', 'Documents changed in this release', '变更文档数', true),
      col('documents_removed', 'INTEGER', 'Documents removed in this release', '删除文档数', true),
    ],
  },
  {
    name: 'changes',
    en: 'Every row inserted, updated or deleted by this release, per table',
    zh: '本次发布中各表新增、修改、删除的行',
    kind: 'log',
    history: true,
    scope: 'release',
    key: ['release_id', 'table_name', 'row_key'],
    columns: [
      col('release_id', 'VARCHAR', 'Release that made the change', '发布标识', true),
      col('table_name', 'VARCHAR', 'Table of the row', '表名', true),
      col('row_key', 'VARCHAR', 'Key of the row, its key columns joined with /', '行主键', true),
      col('change_type', 'VARCHAR', 'insert, update or delete', '变更类型', true),
      col('doc_id', 'VARCHAR', 'Document the row belongs to', '所属文档'),
      col('changed_columns', 'VARCHAR[]', 'Columns whose value changed (updates only)', '变化的列'),
      col('before', 'JSON', 'The row before, as JSON', '变更前的行'),
      col('after', 'JSON', 'The row after, as JSON', '变更后的行'),
    ],
  },
  {
    name: 'document_versions',
    en: 'One content version of a document',
    zh: '文档的每个正文版本',
    kind: 'log',
    history: false,
    key: ['doc_id', 'version'],
    foreignKeys: docRef,
    columns: [
      docIdCol,
      col('version', 'INTEGER', 'Content version, from 1', '版本号', true),
      col('release_id', 'VARCHAR', 'Release that first published it', '首次发布', true),
      col('content_sha256', 'VARCHAR', 'SHA-256 of the normalized content', '正文指纹'),
      col('source_revision', 'VARCHAR', 'Source revision (git blob sha or file sha256)', '来源版本'),
      col('fetched_at', 'TIMESTAMPTZ', 'When its bytes were fetched (wall clock)', '抓取时间'),
      col('status', 'VARCHAR', 'active or removed', '状态', true),
    ],
  },
  {
    name: 'redlines',
    en: 'What changed in a revised document, provision by provision (width or spacing alone is no change)',
    zh: '修订文件逐条变化（仅全半角或空格变化不计）',
    kind: 'log',
    history: false,
    // change_type is part of the key: an article removed at 第六十八条 and the next one renumbered into its place share a path.
    key: ['doc_id', 'to_version', 'path', 'change_type'],
    foreignKeys: docRef,
    columns: [
      docIdCol,
      col('to_version', 'INTEGER', 'Version the change leads to', '修订后版本', true),
      col('path', 'VARCHAR', 'Path of the provision in the new version (the old path for a removal)', '新版本中的路径（删除时为原路径）', true),
      col('change_type', 'VARCHAR', 'added, removed, modified or moved (renumbered, possibly reworded)', '新增/删除/修改/移动（重新编号）', true),
      col('label', 'VARCHAR', 'Numbering label of the provision, e.g. 第六十八条 (the old one for a removal)', '条目编号（删除时为原编号）'),
      col('from_version', 'INTEGER', 'Version the change starts from', '修订前版本', true),
      col('from_path', 'VARCHAR', 'Path of the provision in the old version', '原版本中的路径'),
      col('old_text', 'VARCHAR', 'Text before', '修订前文本'),
      col('new_text', 'VARCHAR', 'Text after', '修订后文本'),
      col('diff', 'VARCHAR', 'Character diff: [-removed-]{+added+}', '逐字差异：[-删除-]{+新增+}'),
      col(
        'diff_kind',
        'VARCHAR',
        'chars (a character diff) or replaced (the diff would have exceeded its budget, so it is the whole old text replaced by the whole new one)',
        '差异类型：chars 逐字差异；replaced 超出计算预算，整段替换',
      ),
    ],
  },
] as const satisfies readonly TableSpec[];

export const TABLES: readonly TableSpec[] = DECLARED;

export const TABLE_BY_NAME: ReadonlyMap<string, TableSpec> = new Map(TABLES.map((t) => [t.name, t]));

type Declared = (typeof DECLARED)[number];
type TableName = Declared['name'];

/** The JavaScript value a stage hands the store for a column of a type (lists stay lists until staged; times and dates as ISO text). */
type CellOf<T extends ColumnType> = T extends 'INTEGER' ? number : T extends 'BOOLEAN' ? boolean : T extends 'VARCHAR[]' ? readonly string[] : string;

/** One row of a table as stages hand it to the store: every column by name, each value of its column's type or null. */
export type TableRow<N extends TableName> = { [C in Extract<Declared, { name: N }>['columns'][number] as C['name']]: CellOf<C['type']> | null };

/** The versioned tables whose rows come per document (not rebuilt whole). */
type DocumentTableName = Exclude<Extract<Declared, { kind: 'versioned' }>, { scope: 'whole' }>['name'];

/** The rows one post brings to each table that comes per document. */
export type DocumentRows = { [N in DocumentTableName]: TableRow<N>[] };

/** Rows staged for versioned tables: a post's (DocumentRows), or a whole table's (the dictionaries). */
export type StagedRows = { [N in Extract<Declared, { kind: 'versioned' }>['name']]?: TableRow<N>[] };

/** The release's own change feed: the one table of scope `release`. */
export const CHANGE_FEED: TableSpec = TABLES.find((t) => t.scope === 'release')!;

/** The snapshot tables whose row versions the store keeps (every table but the logs). */
export const VERSIONED: readonly TableSpec[] = TABLES.filter((t) => t.kind === 'versioned');

/** Bumped whenever a table or column above changes meaning. */
export const SCHEMA_VERSION = 2;

/** A versioned table rebuilt whole every run rather than per document. */
export const isWhole = (t: TableSpec): boolean => t.scope === 'whole';

/** Columns a row is ordered by in every export. */
export const orderOf = (t: TableSpec): readonly string[] => t.order ?? t.key;
