"""Ordinary texts the tests use where no correction, rewrite or line break may happen,
and the pieces subtitle property tests build their text from. Plain data, imported by
the test modules that need it."""

#: Everyday Chinese with no jargon: glossary correction must change nothing in it.
EVERYDAY = """今天早上下了一场小雨，空气特别清新。
我和邻居约好周末一起去菜市场买菜，顺便看看新开的面包店。
孩子放学回家以后先写作业，再下楼和小伙伴踢球。
奶奶最近腿脚不太方便，我们打算给她买一根结实的拐杖。
公交车改了线路，以后坐三路车就能直接到医院门口。
晚上全家人一起包饺子，爸爸负责擀皮，妈妈负责调馅。
图书馆周六延长开放时间，很多学生在那里复习功课。
楼下的银行换了新的自动取款机，排队的人少了很多。
小区门口新开了一家理发店，价格公道，手艺也不错。
天气预报说明天降温，出门记得多穿一件外套。"""

#: 《titles》, words and punctuation marks that subtitle property tests combine.
TITLES = ("《民法典》", "《武陵政务直播间》", "《中华人民共和国行政复议法》")
WORDS = ("营业执照", "可以", "通过", "一网通办", "平台", "在线", "申请", "窗口", "电子证照",
         "不动产", "登记", "社保卡", "法律援助", "我们", "今天", "App", "12345", "热线", "的")
MARKS = ("，", "、", "。", "？", "！", "：", "；", " ", "“", "”")
