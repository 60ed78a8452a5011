/**
 * Regions a provision names: the 34 provincial-level divisions and the major cities (the 15
 * sub-provincial cities, the provincial capitals and a few national new areas), normalized to full names.
 *
 * Source: the administrative divisions of the PRC as listed by the Ministry of Civil Affairs.
 * A short name (北京, 广东, 深圳) is listed when it is how texts print the place; a short name that is
 * also an everyday word (吉林 is both a province and a city: the province) is read as the province.
 * A city inside the name of a larger body (北京市人民政府) still counts: the text names the place.
 */
type RegionLevel = 'province' | 'city' | 'area';

export interface Region {
  full: string;
  short: readonly string[];
  level: RegionLevel;
}

const province = (full: string, ...short: string[]): Region => ({ full, short, level: 'province' });
const city = (full: string, ...short: string[]): Region => ({ full, short, level: 'city' });

export const REGIONS: readonly Region[] = [
  province('北京市', '北京'),
  province('天津市', '天津'),
  province('上海市', '上海'),
  province('重庆市', '重庆'),
  province('河北省', '河北'),
  province('山西省', '山西'),
  province('辽宁省', '辽宁'),
  province('吉林省', '吉林'),
  province('黑龙江省', '黑龙江'),
  province('江苏省', '江苏'),
  province('浙江省', '浙江'),
  province('安徽省', '安徽'),
  province('福建省', '福建'),
  province('江西省', '江西'),
  province('山东省', '山东'),
  province('河南省', '河南'),
  province('湖北省', '湖北'),
  province('湖南省', '湖南'),
  province('广东省', '广东'),
  province('海南省', '海南'),
  province('四川省', '四川'),
  province('贵州省', '贵州'),
  province('云南省', '云南'),
  province('陕西省', '陕西'),
  province('甘肃省', '甘肃'),
  province('青海省', '青海'),
  province('台湾省', '台湾'),
  province('内蒙古自治区', '内蒙古'),
  province('广西壮族自治区', '广西'),
  province('西藏自治区', '西藏'),
  province('宁夏回族自治区', '宁夏'),
  province('新疆维吾尔自治区', '新疆'),
  province('香港特别行政区', '香港'),
  province('澳门特别行政区', '澳门'),
  city('深圳市', '深圳'),
  city('广州市', '广州'),
  city('武汉市', '武汉'),
  city('成都市', '成都'),
  city('南京市', '南京'),
  city('杭州市', '杭州'),
  city('西安市', '西安'),
  city('沈阳市', '沈阳'),
  city('大连市', '大连'),
  city('青岛市', '青岛'),
  city('宁波市', '宁波'),
  city('厦门市', '厦门'),
  city('哈尔滨市', '哈尔滨'),
  city('长春市', '长春'),
  city('济南市', '济南'),
  city('郑州市', '郑州'),
  city('长沙市', '长沙'),
  city('福州市', '福州'),
  city('南昌市', '南昌'),
  city('合肥市', '合肥'),
  city('昆明市', '昆明'),
  city('贵阳市', '贵阳'),
  city('南宁市', '南宁'),
  city('海口市', '海口'),
  city('石家庄市', '石家庄'),
  city('太原市', '太原'),
  city('呼和浩特市', '呼和浩特'),
  city('兰州市', '兰州'),
  city('西宁市', '西宁'),
  city('银川市', '银川'),
  city('乌鲁木齐市', '乌鲁木齐'),
  city('拉萨市', '拉萨'),
  city('苏州市', '苏州'),
  { full: '雄安新区', short: [], level: 'area' },
  { full: '浦东新区', short: [], level: 'area' },
  { full: '滨海新区', short: [], level: 'area' },
];

/** Every printed form → the full name. */
export const REGION_NAMES: ReadonlyMap<string, string> = new Map(REGIONS.flatMap((r) => [[r.full, r.full] as const, ...r.short.map((s) => [s, r.full] as const)]));
