"""The roster's file format: the template's columns and the Chinese labels of the choices.

The Chinese headings and choice labels are the format itself, the same whatever language the page is shown
in. The template, the check of an upload and the member export all read them from here.
"""

from dataclasses import dataclass

from ..models import Member


@dataclass(frozen=True)
class Column:
    heading: str  # as in the template, without the "*" that marks a required column
    field: str  # the Member field it fills
    required: bool = False
    width: int = 12


COLUMNS = (
    Column("姓名", "name", required=True, width=10),
    Column("身份证号", "id_number", required=True, width=22),
    Column("手机号码", "phone", width=14),
    Column("性别", "sex", width=6),
    Column("民族", "ethnicity", width=8),
    Column("学历", "education"),
    Column("政治面貌", "political_status"),
    Column("户籍类型", "household", width=10),
    Column("是否农民工", "is_migrant_worker", width=10),
    Column("就业形态", "employment"),
    Column("新就业形态群体", "new_form_group", width=16),
    Column("工作单位", "employer", width=24),
    Column("职务", "position"),
    Column("是否劳模", "is_model_worker", width=10),
    Column("入会日期", "joined_on"),
)
BY_HEADING = {column.heading: column for column in COLUMNS}
ERROR_HEADING = "错误原因"  # the extra column of the error file; ignored when that file comes back fixed
TEXT_FIELDS = ("id_number", "phone")  # formatted as text in the template, or Excel rounds them

# Chinese label → stored value. The first label of each value is the one the template offers and the export
# writes; the others are spellings people commonly type.
CHOICES = {
    "sex": {"男": Member.Sex.MALE, "女": Member.Sex.FEMALE},
    "education": {
        "小学及以下": Member.Education.PRIMARY, "小学": Member.Education.PRIMARY,
        "初中": Member.Education.JUNIOR,
        "高中/中专": Member.Education.SENIOR, "高中": Member.Education.SENIOR, "中专": Member.Education.SENIOR,
        "中职": Member.Education.SENIOR, "技校": Member.Education.SENIOR, "职高": Member.Education.SENIOR,
        "大专": Member.Education.COLLEGE, "专科": Member.Education.COLLEGE, "高职": Member.Education.COLLEGE,
        "本科": Member.Education.BACHELOR, "大学本科": Member.Education.BACHELOR,
        "研究生": Member.Education.POSTGRADUATE, "硕士": Member.Education.POSTGRADUATE,
        "博士": Member.Education.POSTGRADUATE, "研究生及以上": Member.Education.POSTGRADUATE,
    },
    "political_status": {
        "群众": Member.Political.MASSES,
        "共青团员": Member.Political.LEAGUE, "团员": Member.Political.LEAGUE,
        "中共党员": Member.Political.PARTY, "党员": Member.Political.PARTY, "中共预备党员": Member.Political.PARTY,
        "民主党派": Member.Political.DEMOCRATIC, "民主党派成员": Member.Political.DEMOCRATIC,
    },
    "household": {
        "城镇": Member.Household.URBAN, "城市": Member.Household.URBAN, "非农业": Member.Household.URBAN,
        "农村": Member.Household.RURAL, "农业": Member.Household.RURAL,
    },
    "employment": {
        "标准": Member.Employment.STANDARD, "标准就业": Member.Employment.STANDARD,
        "新就业形态": Member.Employment.NEW_FORM,
    },
    "new_form_group": {
        "货车司机": Member.NewFormGroup.TRUCK_DRIVER,
        "网约车司机": Member.NewFormGroup.RIDE_HAILING,
        "快递员": Member.NewFormGroup.COURIER,
        "外卖配送员": Member.NewFormGroup.FOOD_DELIVERY, "外卖送餐员": Member.NewFormGroup.FOOD_DELIVERY,
        "外卖骑手": Member.NewFormGroup.FOOD_DELIVERY,
        "家政服务员": Member.NewFormGroup.DOMESTIC, "家政": Member.NewFormGroup.DOMESTIC,
        "商场信息员": Member.NewFormGroup.MALL_INFO,
        "网络主播": Member.NewFormGroup.STREAMER,
        "保安员": Member.NewFormGroup.SECURITY, "保安": Member.NewFormGroup.SECURITY,
        "其他新就业形态": Member.NewFormGroup.OTHER, "其他": Member.NewFormGroup.OTHER,
    },
}  # fmt: skip
YES_NO = {"是": True, "否": False, "Y": True, "N": False, "TRUE": True, "FALSE": False}
LABELS = {name: {value: label for label, value in reversed(table.items())} for name, table in CHOICES.items()}
# The 56 ethnic groups of GB/T 3304; "族" may be left off in the file.
ETHNIC_GROUPS = frozenset({
    "汉", "蒙古", "回", "藏", "维吾尔", "苗", "彝", "壮", "布依", "朝鲜", "满", "侗", "瑶", "白",
    "土家", "哈尼", "哈萨克", "傣", "黎", "傈僳", "佤", "畲", "高山", "拉祜", "水", "东乡", "纳西",
    "景颇", "柯尔克孜", "土", "达斡尔", "仫佬", "羌", "布朗", "撒拉", "毛南", "仡佬", "锡伯", "阿昌",
    "普米", "塔吉克", "怒", "乌孜别克", "俄罗斯", "鄂温克", "德昂", "保安", "裕固", "京", "塔塔尔",
    "独龙", "鄂伦春", "赫哲", "门巴", "珞巴", "基诺",
})  # fmt: skip
MIN_AGE = 16  # the minimum working age (Labour Law art. 15)

_HEADING_OF = {column.field: column.heading for column in COLUMNS}


def column_heading(field_name: str) -> str:
    """The heading of the column that fills ``field_name``."""
    return _HEADING_OF[field_name]
