"""Seed catalog: the complaint categories, their time classes and their classifier keywords.

Categories follow the list of the Wenshan 接诉即办 guide. Keywords come in three tiers
that weigh 3 (strong), 2 (medium) and 1 (weak) in the classifier.
"""

from dataclasses import dataclass
from typing import Literal

Urgency = Literal["normal", "urgent"]
SlaClass = Literal["normal", "urgent", "complex", "consult"]
STRONG, MEDIUM, WEAK = 3, 2, 1


@dataclass(frozen=True)
class Category:
    """A complaint category; a code with a dot is a sub-category of the part before the dot."""

    code: str
    name: str
    urgency: Urgency = "normal"
    sla_class: SlaClass = "normal"
    statutory_days: int | None = None
    keywords: tuple[tuple[str, int], ...] = ()

    @property
    def parent(self) -> str | None:
        """The parent category code, None for a top-level category."""
        return self.code.rpartition(".")[0] or None

    @property
    def top(self) -> str:
        """The top-level category code."""
        return self.code.split(".")[0]


def _cat(code: str, name: str, *, strong: str = "", medium: str = "", weak: str = "",
         urgency: Urgency = "normal", sla: SlaClass = "normal",
         days: int | None = None) -> Category:
    tiers = ((strong, STRONG), (medium, MEDIUM), (weak, WEAK))
    keywords = tuple((word, weight) for words, weight in tiers for word in words.split())
    return Category(code, name, urgency, sla, days, keywords)


_CATEGORIES = (
    _cat("municipal", "市政管理",
         strong="城管 市政 市容",
         medium="井盖 绿化带 广告牌 招牌 小广告 牛皮癣 乱贴乱画 绿化 行道树 树枝 地砖 盲道 护栏"
                " 修剪 园林 枯树",
         weak="街道 城区 公园"),
    _cat("municipal.noise", "噪音扰民",
         strong="噪音 噪声 扰民 广场舞 夜间施工",
         medium="太吵 吵闹 音响 音箱 喇叭 大喇叭 震天响 睡不着 电钻 KTV 唱歌 跳舞 吵醒 吵死 打桩"
                " 鸣笛 放音乐",
         weak="吵 声音 凌晨 晚上 半夜 装修 楼上"),
    _cat("municipal.road_occupation", "占道经营",
         strong="占道经营 流动摊贩 摆摊",
         medium="占道 摊贩 小摊 烧烤摊 夜市 堆放货物",
         weak="摊位 人行道 门口"),
    _cat("municipal.illegal_building", "违章建筑",
         strong="违章建筑 违建 私搭乱建 乱搭乱建 违法建设 违规建房 占用耕地",
         medium="加盖 搭建 铁皮房 彩钢瓦 乱建 盖房子 盖楼 乱盖",
         weak="楼顶 围墙",
         sla="complex"),
    _cat("municipal.streetlight", "路灯",
         strong="路灯",
         medium="不亮 太黑 照明 黑灯瞎火",
         weak="黑"),
    _cat("municipal.property", "物业管理",
         strong="物业 物业费 物业公司",
         medium="业委会 业主 电梯 开发商",
         weak="小区 保安"),
    _cat("sanitation", "环境卫生",
         strong="环境卫生 脏乱差 环卫 卫生死角",
         medium="卫生 臭 恶臭 苍蝇 蚊子 老鼠 清扫 打扫 保洁 粪便 狗屎 随地 蚊虫 粪水",
         weak="脏 味道 难闻 恶心 扫 不文明"),
    _cat("sanitation.garbage", "垃圾清运",
         strong="垃圾清运 垃圾堆 垃圾桶 垃圾站 垃圾池 建筑垃圾",
         medium="垃圾 清运 乱倒 乱扔 倾倒",
         weak="堆"),
    _cat("sanitation.toilet", "公共厕所",
         strong="公厕 公共厕所 厕所 清掏",
         medium="化粪池 旱厕 如厕",
         weak="冲水"),
    _cat("public_security", "社会治安",
         strong="派出所 治安 小偷 盗窃 偷盗 被盗 偷东西 撬 撬门 入室 抢劫 打架 斗殴 赌博 赌钱"
                " 聚赌 吸毒 黄赌毒 打人",
         medium="偷 被偷 抢 威胁 骚扰 寻衅滋事 醉酒 喝醉 闹事 砸 可疑 持刀 传销 报警 110 不敢出门"
                " 恐吓 扬言 吓唬",
         weak="害怕 监控 拿走 刀",
         urgency="urgent"),
    _cat("public_security.traffic", "交通秩序",
         strong="交警 乱停车 乱停乱放 违停 酒驾 飙车 红绿灯 信号灯",
         medium="停车 超速 超载 摩托车 堵车 拥堵 斑马线 无牌 交通 车辆 疏导",
         weak="车 路口 开车 马路 堵"),
    _cat("public_security.fraud", "诈骗",
         strong="诈骗 被骗 骗子 电信诈骗 骗钱 共享屏幕 屏幕共享",
         medium="骗 转账 刷单 冒充 非法集资 返利 返钱 保健品 陌生电话 拉黑 追回 上当 兼职 理赔"
                " 转走",
         weak="微信 网上 下载"),
    _cat("work_safety", "安全生产",
         strong="安全隐患 安全生产 隐患 危化品 爆炸 非法生产 液化气 地质灾害 散装汽油 煤窑 小煤窑"
                " 非法开采",
         medium="危险 不安全 生命安全 倒塌 坍塌 塌方 垮塌 垮 塌 裂缝 滑坡 烟花爆竹 烟花 鞭炮 炮仗"
                " 放炮 燃气 煤气 泄漏 漏气 汽油 加油站 安全事故 出事 下井 安全设备",
         weak="安全 事故 担心 炸 怕",
         urgency="urgent", sla="urgent"),
    _cat("work_safety.fire", "消防安全",
         strong="消防 消防通道 安全出口 疏散通道 灭火器 火灾 起火 着火 飞线充电",
         medium="充电 电动车 私拉乱接 电线 逃生 电瓶车 火星",
         weak="火 楼道 楼梯间 堆满",
         urgency="urgent", sla="urgent"),
    _cat("work_safety.construction", "施工安全",
         strong="脚手架 塔吊 施工安全 安全帽 高空坠物",
         medium="工地 施工 坠落 围挡 基坑 钢筋",
         weak="工人",
         urgency="urgent", sla="urgent"),
    _cat("ecology", "生态保护",
         strong="生态 环保 环境保护 生态环境 非法采砂 采砂 挖沙 野生动物 捕猎 电鱼 炸鱼 洗砂",
         medium="河道 水库 湿地 下套 捕鱼 小水电 拦河",
         weak="河 湖 山"),
    _cat("ecology.pollution", "环境污染",
         strong="污染 排污 偷排 环境污染 尾矿 重金属",
         medium="废水 废气 黑烟 粉尘 烟尘 冒烟 刺鼻 烧焦 呛 呛人 养猪场 养殖场 焚烧 秸秆 排放"
                " 采石场 石场 选矿 矿山 死鱼 泥浆",
         weak="灰尘 工厂 厂 异味 鱼 烧"),
    _cat("ecology.forest", "林地保护",
         strong="砍伐 盗伐 毁林 乱砍滥伐 林地 烧荒 烧山",
         medium="砍树 林木 山林 林子 开荒 桉树 推平",
         weak="树"),
    _cat("social_affairs", "社会事业",
         strong="社会事业",
         medium="文化 体育 养老 老年人 活动中心",
         weak="老人 孩子 社区"),
    _cat("social_affairs.education", "教育",
         strong="教育局 入学 学位 老师 教师 幼儿园 补课 校车 校服 教辅",
         medium="学生 上学 读书 转学 学费 班主任 营养餐 中考 高考 学校",
         weak="孩子 家长 班级 作业 娃娃"),
    _cat("social_affairs.health", "医疗卫生",
         strong="医院 卫生院 医生 看病 诊所 卫健局 疫苗 医疗",
         medium="护士 挂号 住院 出院 手术 病人 治疗 急诊 村医",
         weak="病 药"),
    _cat("social_affairs.civil", "民政救助",
         strong="低保 养老院 敬老院 残疾人 临时救助 特困 殡葬 民政",
         medium="残疾 救助 五保 孤寡 高龄补贴 留守儿童 流浪",
         weak="生活困难"),
    _cat("infrastructure", "基础设施",
         strong="基础设施",
         medium="桥 桥梁 栏杆 硬化 通村 设施 年久失修",
         weak="修 村"),
    _cat("infrastructure.road", "道路破损",
         strong="道路破损 坑洼 坑坑洼洼 路面 烂路 塌陷 路基",
         medium="道路 公路 路段 坑 修路 破损 泥泞 泥巴 烂泥 水泥路 路况 通村路 工期 弹石路 石子路"
                " 土路",
         weak="路 马路"),
    _cat("infrastructure.water", "供水",
         strong="停水 供水 二次供水 自来水 水压 爆管 饮水 吃水",
         medium="没水 水管 水龙头 水表 水费 水质 浑浊 断水",
         weak="水 用水",
         urgency="urgent", sla="urgent"),
    _cat("infrastructure.power", "供电",
         strong="停电 供电 电压 断电 供电局 供电所 电线杆",
         medium="电网 变压器 电表 电费 跳闸 没电 电线",
         weak="电 灯泡 电器"),
    _cat("infrastructure.drainage", "排水",
         strong="下水道 排水沟 污水井 内涝",
         medium="积水 排水 污水 冒水 堵塞",
         weak="下雨"),
    _cat("infrastructure.transit", "公共交通",
         strong="公交 公交车 客运 班车 公交站",
         medium="站台 线路 出租车 网约车 拒载",
         weak="坐车"),
    _cat("market", "市场管理",
         strong="市场监管 市场监督 无证经营 假冒伪劣 短斤少两 缺斤少两",
         medium="商家 商店 店铺 超市 门店 假货 商场 市场 小卖部",
         weak="买 店 老板"),
    _cat("market.consumer", "消费纠纷",
         strong="消费纠纷 退款 退货 售后 消费者 预付卡 办卡 退钱",
         medium="不退 质量问题 维修 押金 会员卡 充值 换货",
         weak="买了 购买"),
    _cat("market.food", "食品安全",
         strong="食品安全 变质 食物中毒 拉肚子 上吐下泻 腹泻 地沟油 异物 三无 三无食品",
         medium="过期 餐馆 饭店 餐厅 外卖 食品 发霉 不新鲜 后厨 卫生许可 肚子疼 消毒 米线 小吃",
         weak="吃 食物 饭 包装"),
    _cat("market.price", "价格收费",
         strong="乱收费 乱涨价 哄抬物价 明码标价 价格欺诈 宰客 不打表 乱要价",
         medium="涨价 收费 价格 标价 多收 高价 打表 要价",
         weak="贵 钱"),
    _cat("policy", "政策咨询",
         strong="政策咨询 政策 咨询",
         medium="请问 怎么办理 如何办理 办理 需要什么 材料 流程 条件 符合条件 申请 补贴 手续"
                " 危房改造",
         weak="问一下 想问 了解 哪里"),
    _cat("policy.household", "户籍迁移",
         strong="户口 户籍 落户 迁户 身份证 户口本 居住证 迁移",
         medium="迁入 迁出 户籍科 出生证明 上户",
         weak="派出所",
         sla="consult"),
    _cat("policy.social_insurance", "社保业务",
         strong="社保 养老保险 医保 医疗保险 社保卡 失业保险 退休金 养老金 新农合",
         medium="缴费 缴纳 参保 断缴 补缴 报销 退休 转移接续",
         weak="交钱",
         sla="consult"),
    _cat("rights", "权益诉求",
         strong="维权 权益 合法权益",
         medium="赔偿 补偿 不公 讨说法 协议 合同",
         weak="要求"),
    _cat("rights.wage", "欠薪",
         strong="欠薪 拖欠工资 讨薪 农民工工资 工钱 工资",
         medium="拖欠 包工头 工程款 不给钱 干完活 跑路 血汗钱 结算 结账",
         weak="干活 打工 拖着",
         urgency="urgent", sla="urgent"),
    # 劳动保障监察条例: an inspection case closes within 60 working days of filing.
    _cat("rights.labor", "劳动纠纷",
         strong="劳动合同 劳动纠纷 工伤 辞退 开除 加班费 加班工资 五险 五险一金",
         medium="加班 用人单位 员工 临时工 试用期 违约金",
         weak="上班 公司 合法",
         days=60),
    _cat("rights.land", "土地征收补偿",
         strong="征地 拆迁 征收 补偿款 土地 土地流转",
         medium="占地 青苗费 安置 宅基地 地界 承包地 流转 收回 补偿 租金",
         weak="地 田",
         sla="complex"),
    _cat("gov_oversight", "政务监督",
         strong="不作为 乱作为 推诿 踢皮球 吃拿卡要 刁难 工作作风 态度恶劣 贪污 优亲厚友 腐败"
                " 形式主义 假办结",
         medium="工作人员 办事员 态度 敷衍 糊弄 办事效率 窗口 村干部 村委会 干部 公职人员"
                " 上班时间 已办结 办结 不回复",
         weak="政府 镇政府 部门 不管 拖"),
    _cat("other", "其他",
         strong="表扬 点赞 感谢 锦旗",
         medium="建议 意见 信号 网络 宽带 快递 光纤 网课",
         weak="希望"),
)

CATEGORIES: dict[str, Category] = {c.code: c for c in _CATEGORIES}
TOP_LEVEL: tuple[str, ...] = tuple(c.code for c in _CATEGORIES if c.parent is None)


def category(code: str) -> Category:
    """The category with this code; KeyError if unknown."""
    return CATEGORIES[code]


def children(code: str) -> tuple[Category, ...]:
    """The direct sub-categories of a category."""
    return tuple(c for c in _CATEGORIES if c.parent == code)
