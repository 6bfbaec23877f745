"""Write the illustrative sample tables to data/sample/<table>.csv.

The figures portray a plausible 18-month programme (January 2021 to June 2022) supporting
women-led CSOs and community security working groups in Jizzakh, Tashkent region and
Namangan. They are ILLUSTRATIVE SAMPLE DATA, NOT REAL RESULTS: names of groups, amounts
and values are invented to exercise the dashboard (on-track, at-risk and behind indicators,
gaps in reporting, small counts, UZS amounts, an overspent budget line, a stale disbursement).

Deterministic: one `random.Random(20210101)` drives every random choice, so running the
script twice writes byte-identical files (UTF-8 without BOM, `\\n` line endings, canonical
values). Columns come from the data contract in `monitoring/contract.py`, in contract order.

Usage: python3 scripts/generate_sample.py
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import random
import sys
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from monitoring.contract import TABLES  # noqa: E402  (stdlib-only module of this repo)

OUT_DIR = ROOT / "data" / "sample"
SEED = 20210101

PERIODS = ("2021Q1", "2021Q2", "2021Q3", "2021Q4", "2022Q1", "2022Q2")
PROGRAMME_REGIONS = ("UZ-JI", "UZ-TO", "UZ-NG")
EVIDENCE = "https://example.org/uz-community-security/"

Row = dict[str, str]


# ---------------------------------------------------------------------------------------
# Canonical value formats
# ---------------------------------------------------------------------------------------


def fmt_money(amount: str | int | Decimal) -> str:
    """An amount with at most two decimals: `5000`, `1234.50`."""
    value = Decimal(str(amount)).quantize(Decimal("0.01"))
    if value == value.to_integral_value():
        return format(value.to_integral_value(), "f")
    return format(value, "f")


def fmt_coord(value: float) -> str:
    return f"{value:.4f}"


def fmt_percent(tenths: int) -> str:
    """A percentage held as an integer number of tenths, written with one decimal."""
    return f"{tenths // 10}.{tenths % 10}"


def fmt_bool(value: bool | None) -> str:
    return "" if value is None else ("true" if value else "false")


# ---------------------------------------------------------------------------------------
# texts in Russian and Uzbek
# ---------------------------------------------------------------------------------------

# Russian and Uzbek (Latin) titles of the sample's indicators, grants, milestones and budget
# categories: what staff would upload in title_ru / title_uz and category_ru / category_uz.
# fmt: off
INDICATOR_TITLES = {
    "G1": ("% жителей целевых сообществ, которые чувствуют себя в безопасности",
           "Maqsadli jamoalarda oʻzini xavfsiz his qiladigan aholi ulushi (%)"),
    "OC1.1": ("Число женских ОГО, проведших гендерный и конфликтный анализ",
              "Gender va nizo tahlilini oʻtkazgan ayollar boshchiligidagi FJT soni"),
    "OC1.2": ("Число членов ОГО, обученных безопасности сообществ и гендерно и конфликтно "
              "чувствительным подходам",
              "Jamoat xavfsizligi hamda gender va nizoga sezgir yondashuvlar boʻyicha "
              "oʻqitilgan FJT aʼzolari soni"),
    "OC1.3": ("% обученных членов ОГО, лучше понимающих основы миростроительства",
              "Tinchlik oʻrnatish tushunchalarini yaxshiroq bilishini koʻrsatgan oʻqitilgan "
              "FJT aʼzolari ulushi (%)"),
    "OC2.1": ("Число CSWG с планом действий сообщества, учитывающим приоритеты женщин и "
              "молодёжи",
              "Ayollar va yoshlar ustuvorliklarini oʻz ichiga olgan jamoa harakat rejasiga ega "
              "CSWGlar soni"),
    "OC2.2": ("Число инициатив планов действий, реализованных CSWG",
              "CSWGlar amalga oshirgan harakat rejasi tashabbuslari soni"),
    "OC2.3": ("Число зарегистрированных случаев домашнего насилия в целевых махаллях",
              "Maqsadli mahallalarda qayd etilgan oilaviy zoʻravonlik holatlari soni"),
    "OC2.4": ("Число вернувшихся лиц, охваченных мероприятиями по реинтеграции",
              "Reintegratsiya tadbirlari qamrab olgan qaytgan shaxslar soni"),
    "OC3.1": ("Число основанных на данных адвокационных инициатив женских ОГО",
              "Ayollar boshchiligidagi FJTlar oʻtkazgan dalillarga asoslangan advokatsiya "
              "tashabbuslari soni"),
    "OC3.2": ("Число рекомендаций ОГО и CSWG, принятых местными или национальными органами "
              "власти",
              "Mahalliy yoki milliy hokimiyat organlari qabul qilgan FJT va CSWG tavsiyalari "
              "soni"),
    "OC3.3": ("% членов CSWG, считающих, что власти откликаются на проблемы безопасности "
              "сообществ",
              "Hokimiyatni jamoat xavfsizligi muammolariga eʼtiborli deb baholagan CSWG "
              "aʼzolari ulushi (%)"),
    "OC3.4": ("% женщин, не доверяющих полиции",
              "Politsiyaga ishonmasligini bildirgan ayollar ulushi (%)"),
}
GRANT_TITLES = {
    "G-01": ("Уличное освещение и безопасная дорога в школу",
             "Koʻcha yoritilishi va maktabga xavfsiz yoʻl"),
    "G-02": ("Дни юридической помощи для женщин в махаллях Зомина",
             "Zomin mahallalarida ayollar uchun huquqiy yordam kunlari"),
    "G-03": ("Сессии медиации семейных конфликтов",
             "Oilaviy nizolar boʻyicha mediatsiya mashgʻulotlari"),
    "G-04": ("Спортивные вечера и диалог для молодёжи", "Yoshlar uchun sport va muloqot kechalari"),
    "G-05": ("Диалог молодёжи и полиции в Чусте", "Chustda yoshlar va politsiya muloqoti"),
    "G-06": ("Пункт направления по вопросам домашнего насилия в махалле",
             "Mahallada oilaviy zoʻravonlik boʻyicha yoʻnaltirish punkti"),
    "G-07": ("Кампания по онлайн-безопасности для молодёжи",
             "Yoshlar uchun onlayn xavfsizlik kampaniyasi"),
    "G-08": ("Безопасные общественные места в Ангрене", "Angrenda xavfsiz jamoat joylari"),
    "G-09": ("Школьный патруль безопасности силами родителей",
             "Ota-onalar tashkil etgan maktab xavfsizligi patruli"),
    "G-10": ("Психосоциальная поддержка семей вернувшихся",
             "Qaytgan oilalar uchun psixologik-ijtimoiy yordam mashgʻulotlari"),
    "G-11": ("Второй план действий: безопасность остановок",
             "Ikkinchi harakat rejasi: bekatlar xavfsizligi"),
    "G-12": ("Программа общественного радио о безопасности",
             "Xavfsizlik haqida jamoat radiosi dasturi"),
}
MILESTONE_TITLES = {
    "M-01": ("Стартовая встреча с сетью «Istiqbolli Avlod»",
             "«Istiqbolli Avlod» tarmogʻi bilan loyiha boshlanishi uchrashuvi"),
    "M-02": ("Вводная встреча с хокимиятом Джизакской области",
             "Jizzax viloyati hokimligi bilan tanishuv uchrashuvi"),
    "M-03": ("Вводная встреча с хокимиятом Наманганской области",
             "Namangan viloyati hokimligi bilan tanishuv uchrashuvi"),
    "M-04": ("Вводная встреча с хокимиятом и полицией Ташкентской области",
             "Toshkent viloyati hokimligi va politsiyasi bilan tanishuv uchrashuvi"),
    "M-05": ("Подписаны соглашения о партнёрстве с партнёрскими ОГО",
             "Hamkor FJTlar bilan hamkorlik shartnomalari imzolandi"),
    "M-06": ("Базовый опрос восприятия сообществ (волна 1)",
             "Jamoatchilik fikrini oʻrganish boʻyicha boshlangʻich soʻrov (1-bosqich)"),
    "M-07": ("Семинар по гендерно и конфликтно чувствительному анализу",
             "Gender va nizoga sezgir tahlil boʻyicha seminar"),
    "M-08": ("Обучение ОГО Джизака безопасности сообществ",
             "Jizzax FJTlari uchun jamoat xavfsizligi boʻyicha trening"),
    "M-09": ("Создана CSWG в Намангане", "Namanganda CSWG tashkil etildi"),
    "M-10": ("Завершена оценка безопасности сообществ в Джизаке",
             "Jizzaxda jamoat xavfsizligini baholash yakunlandi"),
    "M-11": ("Создана CSWG в Ташкентской области", "Toshkent viloyatida CSWG tashkil etildi"),
    "M-12": ("Обучение ОГО Намангана и Ташкентской области безопасности сообществ",
             "Namangan va Toshkent viloyati FJTlari uchun jamoat xavfsizligi boʻyicha trening"),
    "M-13": ("Завершена оценка безопасности сообществ в Ташкентской области",
             "Toshkent viloyatida jamoat xavfsizligini baholash yakunlandi"),
    "M-14": ("Завершена оценка безопасности сообществ в Намангане",
             "Namanganda jamoat xavfsizligini baholash yakunlandi"),
    "M-15": ("Результаты оценки подтверждены с областными властями",
             "Baholash natijalari viloyat hokimiyati bilan tasdiqlandi"),
    "M-16": ("CSWG Джизака приняли обновлённые планы действий",
             "Jizzax CSWGlari yangilangan harakat rejalarini qabul qildi"),
    "M-17": ("Выданы малые гранты первого раунда",
             "Kichik grantlarning birinchi bosqichi berildi"),
    "M-18": ("Начаты сессии поддержки реинтеграции семей вернувшихся",
             "Qaytgan oilalarni reintegratsiya qilishni qoʻllab-quvvatlash mashgʻulotlari "
             "boshlandi"),
    "M-19": ("CSWG Намангана приняла первый план действий",
             "Namangan CSWGsi birinchi harakat rejasini qabul qildi"),
    "M-20": ("Областной круглый стол по итогам оценки безопасности сообществ в Джизаке",
             "Jizzaxda jamoat xavfsizligi natijalari boʻyicha viloyat davra suhbati"),
    "M-21": ("Выданы малые гранты второго раунда",
             "Kichik grantlarning ikkinchi bosqichi berildi"),
    "M-22": ("CSWG Ташкентской области приняла первый план действий",
             "Toshkent viloyati CSWGsi birinchi harakat rejasini qabul qildi"),
    "M-23": ("Информационная кампания о направлении по вопросам домашнего насилия в целевых "
             "махаллях",
             "Maqsadli mahallalarda oilaviy zoʻravonlik boʻyicha yoʻnaltirish haqida axborot "
             "kampaniyasi"),
    "M-24": ("Серия диалогов молодёжи и полиции в Чусте",
             "Chustda yoshlar va politsiya muloqotlari turkumi"),
    "M-25": ("Обмен опытом: поездка членов CSWG в Кыргызстан",
             "CSWG aʼzolarining Qirgʻizistonga tajriba almashish safari"),
    "M-26": ("Областная адвокационная встреча в Намангане",
             "Namanganda viloyat advokatsiya uchrashuvi"),
    "M-27": ("Областная адвокационная встреча в Ташкентской области",
             "Toshkent viloyatida viloyat advokatsiya uchrashuvi"),
    "M-28": ("Национальный круглый стол с МВД по работе полиции с сообществами",
             "Ichki ishlar vazirligi bilan jamoatchilik bilan ishlovchi politsiya boʻyicha "
             "milliy davra suhbati"),
    "M-29": ("Параллельное мероприятие ОБСЕ о безопасности сообществ под руководством женщин",
             "Ayollar boshchiligidagi jamoat xavfsizligi boʻyicha YXHT qoʻshimcha tadbiri"),
    "M-30": ("Опубликована аналитическая записка о безопасности женщин и работе полиции с "
             "сообществами",
             "Ayollar xavfsizligi va jamoatchilik bilan ishlovchi politsiya haqida siyosiy "
             "tahliliy hujjat eʼlon qilindi"),
    "M-31": ("Итоговое обучающее мероприятие с сетью ОГО",
             "FJT tarmogʻi bilan yakuniy tajriba almashish tadbiri"),
}
CATEGORY_NAMES = {
    "staff": ("персонал", "xodimlar"),
    "outreach": ("информирование", "targʻibot"),
    "training": ("обучение", "oʻqitish"),
    "research": ("исследования", "tadqiqotlar"),
    "grants": ("гранты", "grantlar"),
    "advocacy": ("адвокация", "advokatsiya"),
    "monitoring": ("мониторинг", "monitoring"),
}
# fmt: on


def in_languages(row: Row, column: str, texts: dict[str, tuple[str, str]], key: str) -> Row:
    """The row with `<column>_ru` and `<column>_uz` from `texts` (by the row's `key`)."""
    ru, uz = texts[row[key]]
    return {**row, f"{column}_ru": ru, f"{column}_uz": uz}


# ---------------------------------------------------------------------------------------
# regions
# ---------------------------------------------------------------------------------------

# The 14 first-level units, as in shared/geo/uzbekistan_adm1.geojson (iso_3166_2, name_en,
# name_uz, label_lat, label_lon), plus their Russian names. Kept here so that the generator
# does not depend on a file outside the repository.
REGIONS = (
    ("UZ-AN", "Andijon", "Andijon viloyati", "Андижанская область", 40.7261, 72.2885),
    ("UZ-BU", "Bukhoro", "Buxoro viloyati", "Бухарская область", 40.2075, 63.6497),
    ("UZ-FA", "Ferghana", "Fargʻona viloyati", "Ферганская область", 40.4587, 71.2807),
    ("UZ-JI", "Jizzakh", "Jizzax viloyati", "Джизакская область", 40.3511, 67.5059),
    ("UZ-NG", "Namangan", "Namangan viloyati", "Наманганская область", 41.0844, 71.3227),
    ("UZ-NW", "Navoi", "Navoiy viloyati", "Навоийская область", 41.5555, 64.3043),
    ("UZ-QA", "Kashkadarya", "Qashqadaryo viloyati", "Кашкадарьинская область", 38.7589, 66.0833),
    (
        "UZ-QR",
        "Karakalpakstan",
        "Qoraqalpogʻiston Respublikasi",
        "Республика Каракалпакстан",
        43.2866,
        59.1488,
    ),
    ("UZ-SA", "Samarkand", "Samarqand viloyati", "Самаркандская область", 39.9504, 66.4138),
    ("UZ-SI", "Sirdaryo", "Sirdaryo viloyati", "Сырдарьинская область", 40.5636, 68.6292),
    ("UZ-SU", "Surkhandarya", "Surxondaryo viloyati", "Сурхандарьинская область", 38.0998, 67.5327),
    ("UZ-TK", "Tashkent City", "Toshkent shahri", "город Ташкент", 41.3112, 69.2542),
    ("UZ-TO", "Tashkent Region", "Toshkent viloyati", "Ташкентская область", 41.2323, 69.8415),
    ("UZ-XO", "Khorezm", "Xorazm viloyati", "Хорезмская область", 41.2620, 60.8870),
)
LABEL_POINT = {code: (lat, lon) for code, _, _, _, lat, lon in REGIONS}


def regions() -> list[Row]:
    return [
        {
            "region_code": code,
            "name_en": name_en,
            "name_uz": name_uz,
            "name_ru": name_ru,
            "lat": fmt_coord(lat),
            "lon": fmt_coord(lon),
        }
        for code, name_en, name_uz, name_ru, lat, lon in REGIONS
    ]


# ---------------------------------------------------------------------------------------
# organisations
# ---------------------------------------------------------------------------------------

# org_id, name, kind, region, district, women_led (None: not applicable), status, established_on
# fmt: off
ORGANISATIONS = (
    ("CSO-01", "Istiqlol Avlodi", "cso", "UZ-JI", "Jizzakh city", True, "existing", "2012-05-01"),
    ("CSO-02", "Oydin Kelajak", "cso", "UZ-JI", "Zomin", True, "existing", "2015-03-12"),
    ("CSO-03", "Mehr-Oqibat", "cso", "UZ-JI", "Gallaorol", True, "existing", "2009-10-05"),
    ("CSO-04", "Ayollar Tashabbusi", "cso", "UZ-JI", "Sharof Rashidov", True, "existing",
     "2016-06-20"),
    ("CSO-05", "Nur Ziyo", "cso", "UZ-JI", "Forish", True, "existing", "2018-02-14"),
    ("CSO-06", "Ishonch Markazi", "cso", "UZ-JI", "Do'stlik", True, "existing", "2013-09-01"),
    ("CSO-07", "Baxmal Ayollari", "cso", "UZ-JI", "Baxmal", True, "new", "2021-02-18"),
    ("CSO-08", "Центр поддержки женщин «Надежда»", "cso", "UZ-TO", "Chirchiq", True,
     "existing", "2004-11-23"),
    ("CSO-09", "Ma'rifat Nuri", "cso", "UZ-TO", "Angren", True, "existing", "2011-04-08"),
    ("CSO-10", "Ayol va Jamiyat", "cso", "UZ-TO", "Olmaliq", True, "existing", "2014-12-02"),
    ("CSO-11", "Mehribon Qo'llar", "cso", "UZ-TO", "Yangiyo'l", True, "existing", "2017-07-17"),
    ("CSO-12", "Ассоциация деловых женщин Бекабада", "cso", "UZ-TO", "Bekobod", True,
     "existing", "2008-03-06"),
    ("CSO-13", "Oila Tayanchi", "cso", "UZ-TO", "Qibray", True, "existing", "2019-01-25"),
    ("CSO-14", "Yangi Qadam", "cso", "UZ-TO", "Parkent", True, "new", "2021-03-09"),
    ("CSO-15", "Namangan Ayollari Ittifoqi", "cso", "UZ-NG", "Namangan city", True, "existing",
     "2010-08-30"),
    ("CSO-16", "Chust Mehr Nuri", "cso", "UZ-NG", "Chust", True, "existing", "2016-10-11"),
    ("CSO-17", "Kosonsoy Ziyo", "cso", "UZ-NG", "Kosonsoy", True, "existing", "2018-05-22"),
    ("CSO-18", "Oila Baxti", "cso", "UZ-NG", "Pop", True, "existing", "2013-02-07"),
    ("CSO-19", "Yoshlar Tayanchi", "cso", "UZ-NG", "Uchqo'rg'on", True, "existing",
     "2019-09-16"),
    ("CSO-20", "Bonu", "cso", "UZ-NG", "Chortoq", True, "new", "2021-04-01"),
    ("CSWG-JI-1", "Jizzakh city community security working group", "cswg", "UZ-JI",
     "Jizzakh city", None, "existing", "2018-09-14"),
    ("CSWG-JI-2", "Zomin community security working group", "cswg", "UZ-JI", "Zomin", None,
     "existing", "2018-11-22"),
    ("CSWG-NG-1", "Chust community security working group", "cswg", "UZ-NG", "Chust", None,
     "new", "2021-05-12"),
    ("CSWG-TO-1", "Angren community security working group", "cswg", "UZ-TO", "Angren", None,
     "new", "2021-07-05"),
    ("AUTH-JI-1", "Jizzakh regional khokimiyat", "authority", "UZ-JI", "Jizzakh city", None,
     "existing", ""),
    ("AUTH-JI-2", "Jizzakh regional department of internal affairs (police)", "authority",
     "UZ-JI", "Jizzakh city", None, "existing", ""),
    ("AUTH-NG-1", "Namangan regional khokimiyat", "authority", "UZ-NG", "Namangan city", None,
     "existing", ""),
    ("AUTH-TO-1", "Angren city police department", "authority", "UZ-TO", "Angren", None,
     "existing", ""),
    ("AUTH-TK-1", "Ministry of Internal Affairs of the Republic of Uzbekistan", "authority",
     "UZ-TK", "", None, "existing", ""),
    ("CG-JI-1", "Navbahor mahalla women's council", "community_group", "UZ-JI",
     "Jizzakh city", True, "existing", "2017-03-08"),
    ("CG-JI-2", "Kelajak youth club", "community_group", "UZ-JI", "Zomin", False, "existing",
     "2019-06-01"),
    ("CG-NG-1", "Bog'ishamol mahalla women's committee", "community_group", "UZ-NG",
     "Namangan city", True, "existing", "2016-04-19"),
    ("CG-NG-2", "Pop district youth volunteers", "community_group", "UZ-NG", "Pop", False,
     "new", "2021-10-15"),
    ("CG-TO-1", "Angren parents' initiative for school safety", "community_group", "UZ-TO",
     "Angren", True, "new", "2021-09-01"),
    ("CG-TO-2", "Bekobod returnee families support group", "community_group", "UZ-TO",
     "Bekobod", True, "new", "2021-11-10"),
)
# fmt: on
# Organisations whose location nobody recorded: the map must cope with them.
WITHOUT_COORDINATES = {"CSO-14", "CSO-20", "CG-NG-2", "CG-TO-2"}
ORG_REGION = {o[0]: o[3] for o in ORGANISATIONS}


def organisations(rng: random.Random) -> list[Row]:
    """Organisations placed near their region's label point (a few without coordinates)."""
    rows = []
    for org_id, name, kind, region, district, women_led, status, established in ORGANISATIONS:
        lat, lon = LABEL_POINT[region]
        spread = 0.03 if region == "UZ-TK" else 0.3  # Tashkent city is small
        dlat, dlon = rng.uniform(-spread, spread), rng.uniform(-spread, spread)
        located = org_id not in WITHOUT_COORDINATES
        rows.append(
            {
                "org_id": org_id,
                "name": name,
                "kind": kind,
                "region_code": region,
                "district": district,
                "women_led": fmt_bool(women_led),
                "status": status,
                "established_on": established,
                "lat": fmt_coord(lat + dlat) if located else "",
                "lon": fmt_coord(lon + dlon) if located else "",
            }
        )
    return rows


# ---------------------------------------------------------------------------------------
# indicators
# ---------------------------------------------------------------------------------------

# code, level, outcome, title, unit, direction, aggregation, baseline, target,
# disaggregation, sensitive, means_of_verification
# fmt: off
INDICATORS = (
    ("G1", "goal", "", "% of community members in target communities who feel safe",
     "percent", "increase", "latest", "54", "65", "sex", False,
     "Community perception survey (three waves)"),
    ("OC1.1", "outcome", "1",
     "Number of women-led CSOs that carried out a gender and conflict analysis",
     "number", "increase", "sum", "0", "20", "", False, "Analysis reports; partner reports"),
    ("OC1.2", "outcome", "1",
     "Number of CSO members trained in community security and gender- and "
     "conflict-sensitive approaches",
     "number", "increase", "sum", "", "120", "sex;age_group", False,
     "Training attendance sheets"),
    ("OC1.3", "outcome", "1",
     "% of trained CSO members who demonstrate improved knowledge of peacebuilding concepts",
     "percent", "increase", "mean", "32", "75", "", False, "Pre- and post-training tests"),
    ("OC2.1", "outcome", "2",
     "Number of CSWGs with a community-led action plan that includes the priorities of "
     "women and young people",
     "number", "increase", "latest", "0", "4", "", False, "Action plans; CSWG minutes"),
    ("OC2.2", "outcome", "2", "Number of action plan initiatives implemented by CSWGs",
     "number", "increase", "sum", "0", "16", "", False, "CSWG minutes; grant reports"),
    ("OC2.3", "outcome", "2",
     "Number of reported incidents of domestic violence in target mahallas",
     "number", "decrease", "latest", "46", "30", "", False,
     "Mahalla committee and district police records"),
    ("OC2.4", "outcome", "2", "Number of returnees reached by reintegration activities",
     "number", "increase", "sum", "0", "60", "sex;age_group", True,
     "Partner case records (anonymised)"),
    ("OC3.1", "outcome", "3",
     "Number of evidence-based advocacy initiatives conducted by women-led CSOs",
     "number", "increase", "sum", "0", "30", "", False, "Partner reports; event records"),
    ("OC3.2", "outcome", "3",
     "Number of CSO and CSWG recommendations taken up by local or national authorities",
     "number", "increase", "sum", "", "12", "", False,
     "Official decisions, letters and budgets"),
    ("OC3.3", "outcome", "3",
     "% of CSWG members who rate authorities as responsive to community security concerns",
     "percent", "increase", "mean", "25", "50", "age_group", False, "CSWG member scorecard"),
    ("OC3.4", "outcome", "3", "% of women who report distrust of the police",
     "percent", "decrease", "latest", "48", "35", "age_group", False,
     "Community perception survey (three waves)"),
)
# fmt: on
INDICATOR = {i[0]: i for i in INDICATORS}


def indicators() -> list[Row]:
    names = (
        "indicator_code",
        "level",
        "outcome",
        "title",
        "unit",
        "direction",
        "aggregation",
        "baseline",
        "target",
        "disaggregation",
        "sensitive",
        "means_of_verification",
    )
    rows = []
    for spec in INDICATORS:
        row = dict(zip(names, spec, strict=True))
        row["sensitive"] = fmt_bool(row["sensitive"])
        rows.append(in_languages(row, "title", INDICATOR_TITLES, "indicator_code"))
    return rows


# ---------------------------------------------------------------------------------------
# indicator_targets
# ---------------------------------------------------------------------------------------

# Cumulative targets per programme region at the end of 2021 and of the programme; the
# 2022Q2 targets add up to the indicator's overall target.
PERIOD_TARGETS = {
    "OC1.1": {"2021Q4": (6, 3, 3), "2022Q2": (7, 7, 6)},
    "OC1.2": {"2021Q4": (30, 20, 20), "2022Q2": (45, 40, 35)},
    "OC2.2": {"2021Q4": (4, 1, 1), "2022Q2": (8, 4, 4)},
    "OC2.4": {"2021Q4": (10, 8, 12), "2022Q2": (20, 15, 25)},
}


def indicator_targets() -> list[Row]:
    rows = []
    for code, by_period in PERIOD_TARGETS.items():
        for period, targets in by_period.items():
            for region, target in zip(PROGRAMME_REGIONS, targets, strict=True):
                rows.append(
                    {
                        "indicator_code": code,
                        "period": period,
                        "region_code": region,
                        "target": str(target),
                    }
                )
    return rows


# ---------------------------------------------------------------------------------------
# indicator_values
# ---------------------------------------------------------------------------------------

# Region totals per quarter 2021Q1..2022Q2 (`_`: not reported). Designed status at 2022Q2:
#   on track: G1, OC1.1, OC1.2, OC2.1, OC3.1   at risk: OC1.3, OC2.4, OC3.3, OC3.4
#   behind:   OC2.2, OC2.3, OC3.2
# Namangan and Tashkent region start later (their CSWGs are new); Namangan misses 2022Q2
# for OC2.3. Percentages are written as given, with one decimal.
_ = None
REGION_SERIES = {
    "G1": {
        "UZ-JI": (55.2, _, _, 59.8, _, 64.9),
        "UZ-TO": (_, 53.1, _, 57.0, _, 63.5),
        "UZ-NG": (_, 52.4, _, 56.3, _, 64.1),
    },
    "OC1.2": {
        "UZ-JI": (_, 18, 12, 8, 6, 4),
        "UZ-TO": (_, _, 14, 12, 10, 6),
        "UZ-NG": (_, _, 12, 10, 9, 7),
    },
    "OC1.3": {
        "UZ-JI": (_, 58.0, 61.5, 63.0, 66.5, 68.0),
        "UZ-TO": (_, _, 55.5, _, 62.5, 65.0),
        "UZ-NG": (_, _, 52.0, 57.5, 61.0, 63.5),
    },
    "OC2.1": {
        "UZ-JI": (0, 0, 2, 2, 2, 2),
        "UZ-TO": (_, _, 0, 0, 1, 1),
        "UZ-NG": (_, _, 0, 1, 1, 1),
    },
    "OC2.3": {
        "UZ-JI": (18, 17, 19, 16, 15, 14),
        "UZ-TO": (_, _, 15, 14, 13, 13),
        "UZ-NG": (_, _, 14, 15, 12, _),
    },
    "OC2.4": {
        "UZ-JI": (_, _, 3, 5, 4, 4),
        "UZ-TO": (_, _, 2, 4, 3, 3),
        "UZ-NG": (_, _, 4, 6, 5, 4),
    },
    "OC3.2": {
        "UZ-JI": (0, 0, 0, 1, 1, 2),
        "UZ-TO": (_, _, 0, 0, 0, 1),
        "UZ-NG": (_, _, 0, 0, 1, 0),
    },
    "OC3.3": {
        "UZ-JI": (_, 38.0, 41.5, 44.0, 47.5, 49.0),
        "UZ-TO": (_, _, 36.0, 40.5, 44.0, 46.5),
        "UZ-NG": (_, _, _, 38.5, 42.0, 45.5),
    },
    "OC3.4": {
        "UZ-JI": (47.5, _, _, 44.0, _, 38.5),
        "UZ-TO": (_, 49.0, _, 46.5, _, 40.5),
        "UZ-NG": (_, 48.5, _, 45.0, _, 39.0),
    },
}

# Indicators reported per organisation (no region-level row: the region total is the sum).
# fmt: off
ORG_SERIES = {
    # one analysis per CSO, in the quarter it was completed (19 of 20 CSOs)
    "OC1.1": {
        "CSO-01": (_, 1, _, _, _, _), "CSO-02": (_, 1, _, _, _, _),
        "CSO-03": (_, 1, _, _, _, _), "CSO-04": (_, 1, _, _, _, _),
        "CSO-05": (_, 1, _, _, _, _), "CSO-06": (_, _, 1, _, _, _),
        "CSO-07": (_, _, 1, _, _, _),
        "CSO-08": (_, _, 1, _, _, _), "CSO-09": (_, _, 1, _, _, _),
        "CSO-10": (_, _, 1, _, _, _), "CSO-11": (_, _, _, 1, _, _),
        "CSO-12": (_, _, _, 1, _, _), "CSO-13": (_, _, _, _, 1, _),
        "CSO-15": (_, _, 1, _, _, _), "CSO-16": (_, _, 1, _, _, _),
        "CSO-17": (_, _, _, 1, _, _), "CSO-18": (_, _, _, 1, _, _),
        "CSO-19": (_, _, _, 1, _, _), "CSO-20": (_, _, _, _, 1, _),
    },
    "OC2.2": {
        "CSWG-JI-1": (_, _, 0, 1, 2, 1),
        "CSWG-JI-2": (_, _, 0, 1, 0, 1),
        "CSWG-NG-1": (_, _, _, 0, 1, 1),
        "CSWG-TO-1": (_, _, _, _, 0, 1),
    },
    "OC3.1": {
        "CSO-01": (_, _, 1, 2, 2, 3),
        "CSO-02": (_, _, _, 1, 1, 1),
        "CSO-04": (_, _, _, _, 1, 2),
        "CSO-08": (_, _, _, 1, 2, 2),
        "CSO-10": (_, _, _, _, 1, 2),
        "CSO-15": (_, _, _, 1, 2, 2),
        "CSO-17": (_, _, _, _, _, 2),
    },
}
# fmt: on

SURVEY_WAVE = {
    "2021Q1": "Survey wave 1",
    "2021Q2": "Survey wave 1",
    "2021Q4": "Survey wave 2",
    "2022Q2": "Survey wave 3",
}
SOURCE = {
    "OC1.1": "Quarterly partner report",
    "OC1.2": "Training attendance sheets",
    "OC1.3": "Pre/post training tests",
    "OC2.1": "CSWG minutes",
    "OC2.2": "CSWG minutes",
    "OC2.3": "Mahalla and police records",
    "OC2.4": "Partner case records",
    "OC3.1": "Quarterly partner report",
    "OC3.2": "Quarterly partner report",
    "OC3.3": "CSWG member scorecard",
}

COMMENTS = {
    ("G1", "UZ-JI", "2021Q1"): "Jizzakh surveyed in March; Namangan and Tashkent region in May",
    ("OC1.3", "UZ-TO", "2022Q1"): "No training in 2021Q4; two cohorts tested in February",
    ("OC2.1", "UZ-NG", "2021Q4"): "Action plan adopted at the CSWG meeting of 18 November",
    ("OC2.1", "UZ-TO", "2022Q1"): "Plan adopted in January after a delayed start",
    ("OC2.3", "UZ-JI", "2021Q3"): "Rise follows awareness sessions: more women came forward",
    ("OC2.4", "UZ-NG", "2021Q4"): "Figures checked with the regional reintegration commission",
    ("OC3.2", "UZ-JI", "2022Q2"): "Khokimiyat funded street lighting and two bus stops",
    ("OC3.3", "UZ-NG", "2021Q4"): "First scorecard of the new Chust CSWG",
}

# How breakdowns are drawn: share of women and of 15-29 year-olds among people counted;
# for percentages, the gap (in tenths) between the groups and which group is lower.
PEOPLE_SHARES = {"OC1.2": (0.88, 0.40), "OC2.4": (0.70, 0.45)}
PERCENT_GAPS = {
    "G1": ("sex", (10, 30), "female"),  # women feel less safe
    "OC3.3": ("age_group", (15, 40), "15-29"),  # young members rate authorities lower
    "OC3.4": ("age_group", (10, 35), "30+"),  # older women distrust the police less
}
SEX_BANDS = ("female", "male")
AGE_BANDS = ("15-29", "30+")


def value_row(
    code: str,
    period: str,
    region: str,
    value: str,
    *,
    org_id: str = "",
    sex: str = "all",
    age_group: str = "all",
    comment: str = "",
) -> Row:
    source = SURVEY_WAVE[period] if code in ("G1", "OC3.4") else SOURCE[code]
    return {
        "indicator_code": code,
        "period": period,
        "region_code": region,
        "org_id": org_id,
        "sex": sex,
        "age_group": age_group,
        "value": value,
        "comment": comment,
        "source": source,
    }


def count_breakdown(
    rng: random.Random, total: int, disaggregation: str, female_share: float, young_share: float
) -> list[tuple[str, str, int]]:
    """Split a count person by person, so every breakdown adds up to the total exactly."""
    cells = {(s, a): 0 for s in SEX_BANDS for a in AGE_BANDS}
    for _person in range(total):
        sex = "female" if rng.random() < female_share else "male"
        age = "15-29" if rng.random() < young_share else "30+"
        cells[(sex, age)] += 1
    parts = []
    if "sex" in disaggregation:
        parts += [(s, "all", sum(cells[(s, a)] for a in AGE_BANDS)) for s in SEX_BANDS]
    if "age_group" in disaggregation:
        parts += [("all", a, sum(cells[(s, a)] for s in SEX_BANDS)) for a in AGE_BANDS]
    if disaggregation == "sex;age_group":
        parts += [(s, a, cells[(s, a)]) for s in SEX_BANDS for a in AGE_BANDS]
    return parts


def percent_breakdown(rng: random.Random, code: str, tenths: int) -> list[tuple[str, str, int]]:
    """Two groups either side of the total (equal weights), in tenths of a percent."""
    dimension, (low, high), lower = PERCENT_GAPS[code]
    gap = rng.randint(low, high)
    bands = SEX_BANDS if dimension == "sex" else AGE_BANDS
    parts = []
    for band in bands:
        part = tenths - gap if band == lower else tenths + gap
        part = max(0, min(1000, part))
        parts.append((band, "all", part) if dimension == "sex" else ("all", band, part))
    return parts


def region_value_rows(rng: random.Random, code: str) -> list[Row]:
    unit, disaggregation = INDICATOR[code][4], INDICATOR[code][9]
    rows = []
    for region, series in REGION_SERIES[code].items():
        for period, value in zip(PERIODS, series, strict=True):
            if value is None:
                continue
            comment = COMMENTS.get((code, region, period), "")
            if unit == "percent":
                tenths = round(value * 10)
                rows.append(value_row(code, period, region, fmt_percent(tenths), comment=comment))
                if disaggregation:
                    for sex, age, part in percent_breakdown(rng, code, tenths):
                        rows.append(
                            value_row(
                                code, period, region, fmt_percent(part), sex=sex, age_group=age
                            )
                        )
            else:
                rows.append(value_row(code, period, region, str(value), comment=comment))
                if disaggregation:
                    shares = PEOPLE_SHARES[code]
                    for sex, age, part in count_breakdown(rng, value, disaggregation, *shares):
                        rows.append(
                            value_row(code, period, region, str(part), sex=sex, age_group=age)
                        )
    return rows


def org_value_rows(code: str) -> list[Row]:
    rows = []
    for org_id, series in ORG_SERIES[code].items():
        for period, value in zip(PERIODS, series, strict=True):
            if value is not None:
                rows.append(value_row(code, period, ORG_REGION[org_id], str(value), org_id=org_id))
    return rows


def indicator_values(rng: random.Random) -> list[Row]:
    rows = []
    for code in INDICATOR:
        if code in ORG_SERIES:
            rows += org_value_rows(code)
        else:
            rows += region_value_rows(rng, code)
    return rows


# ---------------------------------------------------------------------------------------
# grants and transactions
# ---------------------------------------------------------------------------------------

# grant_id, org_id, title, region (empty: the organisation's), awarded_on, end_on,
# amount, currency, purpose, status
# fmt: off
GRANTS = (
    ("G-01", "CSWG-JI-1", "Street lighting and safe routes to school", "UZ-JI", "2021-08-16",
     "2022-02-28", "12000", "USD", "CSWG action plan", "closed"),
    ("G-02", "CSWG-JI-2", "Legal aid days for women in Zomin mahallas", "UZ-JI", "2021-08-20",
     "2022-03-31", "8500", "USD", "CSWG action plan", "closed"),
    ("G-03", "CG-JI-1", "Family conflict mediation sessions", "", "2021-09-10", "2022-03-31",
     "52000000", "UZS", "Community group small grant", "closed"),
    ("G-04", "CG-JI-2", "Youth sports and dialogue evenings", "UZ-JI", "2021-10-05",
     "2022-04-30", "3500", "USD", "Community group small grant", "closed"),
    ("G-05", "CSWG-NG-1", "Youth and police dialogue in Chust", "UZ-NG", "2021-11-15",
     "2022-06-30", "10000", "USD", "CSWG action plan", "active"),
    ("G-06", "CG-NG-1", "Domestic violence referral desk in the mahalla", "UZ-NG",
     "2021-12-01", "2022-06-30", "63500000", "UZS", "Community group small grant", "active"),
    ("G-07", "CG-NG-2", "Online safety campaign for young people", "", "2022-01-10",
     "2022-06-30", "2500", "USD", "Community group small grant", "active"),
    ("G-08", "CSWG-TO-1", "Safe public spaces in Angren", "UZ-TO", "2022-01-20", "2022-06-30",
     "15000", "USD", "CSWG action plan", "active"),
    ("G-09", "CG-TO-1", "School safety patrol run by parents", "UZ-TO", "2022-02-01",
     "2022-06-30", "33000000", "UZS", "Community group small grant", "active"),
    ("G-10", "CG-TO-2", "Psychosocial support sessions for returnee families", "",
     "2021-12-15", "2022-06-30", "6000", "USD", "Reintegration of returnees", "active"),
    ("G-11", "CSWG-JI-1", "Second action plan: bus stop safety", "UZ-JI", "2022-03-01",
     "2022-06-30", "5000", "USD", "CSWG action plan", "active"),
    ("G-12", "CG-TO-1", "Community radio programme on safety", "UZ-TO", "2021-10-20",
     "2022-04-30", "4000", "USD", "Community group small grant", "cancelled"),
)
# fmt: on
GRANT_LINE = "4.1"

# After the commitment at award: (date, kind, amount, description or "" for the default).
# G-01 spends more than its award; G-08 spends slowly; G-09 has a disbursement with no
# expenditure at all by the end; G-02 and G-04 refund what they did not spend; G-12 was
# cancelled before any money moved.
GRANT_FLOWS = {
    "G-01": (
        ("2021-08-25", "disbursement", "6000", "First tranche"),
        ("2021-09-30", "expenditure", "2150", ""),
        ("2021-10-31", "expenditure", "2380", ""),
        ("2021-11-30", "expenditure", "1720", ""),
        ("2021-12-10", "disbursement", "6000", "Second tranche"),
        ("2021-12-31", "expenditure", "2460", ""),
        ("2022-01-31", "expenditure", "2210", ""),
        ("2022-02-28", "expenditure", "1530", "Additional lighting poles; over the award"),
    ),
    "G-02": (
        ("2021-09-01", "disbursement", "4250", "First tranche"),
        ("2021-10-31", "expenditure", "1200", ""),
        ("2021-11-30", "expenditure", "1400", ""),
        ("2021-12-31", "expenditure", "1310", ""),
        ("2022-01-05", "disbursement", "4250", "Second tranche"),
        ("2022-01-31", "expenditure", "1250", ""),
        ("2022-02-28", "expenditure", "1100", ""),
        ("2022-03-31", "expenditure", "840", ""),
        ("2022-04-20", "refund", "1400", "Unspent balance returned"),
    ),
    "G-03": (
        ("2021-09-20", "disbursement", "26000000", "First tranche"),
        ("2021-10-31", "expenditure", "8450000", ""),
        ("2021-11-30", "expenditure", "9100000", ""),
        ("2021-12-31", "expenditure", "7980000", ""),
        ("2022-01-10", "disbursement", "26000000", "Second tranche"),
        ("2022-01-31", "expenditure", "9350000", ""),
        ("2022-02-28", "expenditure", "8720000", ""),
        ("2022-03-31", "expenditure", "8400000", ""),
    ),
    "G-04": (
        ("2021-10-15", "disbursement", "3500", "Single tranche"),
        ("2021-11-30", "expenditure", "620", ""),
        ("2021-12-31", "expenditure", "540", ""),
        ("2022-01-31", "expenditure", "710", ""),
        ("2022-02-28", "expenditure", "480", ""),
        ("2022-03-31", "expenditure", "390", ""),
        ("2022-04-30", "expenditure", "340", ""),
        ("2022-05-10", "refund", "420", "Unspent balance returned"),
    ),
    "G-05": (
        ("2021-11-25", "disbursement", "5000", "First tranche"),
        ("2021-12-31", "expenditure", "1450", ""),
        ("2022-01-31", "expenditure", "1800", ""),
        ("2022-02-28", "expenditure", "1350", ""),
        ("2022-03-10", "disbursement", "5000", "Second tranche"),
        ("2022-03-31", "expenditure", "1600", ""),
        ("2022-04-30", "expenditure", "1900", ""),
        ("2022-05-31", "expenditure", "1750", ""),
    ),
    "G-06": (
        ("2021-12-10", "disbursement", "31750000", "First tranche"),
        ("2022-01-31", "expenditure", "9800000", ""),
        ("2022-02-28", "expenditure", "10250000", ""),
        ("2022-03-31", "expenditure", "8900000", ""),
        ("2022-04-05", "disbursement", "31750000", "Second tranche"),
        ("2022-04-30", "expenditure", "10100000", ""),
        ("2022-05-31", "expenditure", "9650000", ""),
        ("2022-06-30", "expenditure", "7300000", ""),
    ),
    "G-07": (
        ("2022-01-20", "disbursement", "2500", "Single tranche"),
        ("2022-02-28", "expenditure", "410", ""),
        ("2022-03-31", "expenditure", "520", ""),
        ("2022-04-30", "expenditure", "480", ""),
        ("2022-05-31", "expenditure", "560", ""),
        ("2022-06-30", "expenditure", "390", ""),
    ),
    "G-08": (
        ("2022-02-01", "disbursement", "7500", "First tranche"),
        ("2022-03-31", "expenditure", "650", ""),
        ("2022-04-30", "expenditure", "1100", ""),
        ("2022-05-31", "expenditure", "1400", ""),
        ("2022-06-30", "expenditure", "1250", ""),
    ),
    "G-09": (
        ("2022-02-15", "disbursement", "16500000", "First tranche; no spending reported yet"),
    ),
    "G-10": (
        ("2021-12-22", "disbursement", "3000", "First tranche"),
        ("2022-01-31", "expenditure", "720", ""),
        ("2022-02-28", "expenditure", "680", ""),
        ("2022-03-31", "expenditure", "810", ""),
        ("2022-04-30", "expenditure", "640", ""),
        ("2022-05-04", "disbursement", "3000", "Second tranche"),
        ("2022-05-31", "expenditure", "760", ""),
        ("2022-06-30", "expenditure", "890", ""),
    ),
    "G-11": (
        ("2022-03-10", "disbursement", "5000", "Single tranche"),
        ("2022-04-30", "expenditure", "1300", ""),
        ("2022-05-31", "expenditure", "1450", ""),
        ("2022-06-30", "expenditure", "1620", ""),
    ),
    "G-12": (),
}

# Project spending outside grants: (budget_line, date, amount, currency, description).
# Staff salaries are added month by month by `staff_payments`. 5.1 ends over its budget.
PROJECT_SPENDING = (
    ("2.1", "2021-02-12", "4850", "USD", "Project launch meeting with the CSO network"),
    ("2.1", "2021-02-24", "1320.50", "USD", "Introductory meeting, Jizzakh khokimiyat"),
    ("2.1", "2021-03-29", "1480", "USD", "Introductory meeting, Namangan khokimiyat"),
    ("2.1", "2021-03-31", "2260.75", "USD", "Outreach travel to partner CSOs"),
    ("2.1", "2021-04-22", "1390", "USD", "Introductory meeting, Tashkent region"),
    ("2.1", "2021-05-15", "38500000", "UZS", "Printing of outreach materials"),
    ("2.1", "2021-06-10", "2105.40", "USD", "CSO network meeting"),
    ("2.2", "2021-04-16", "6850", "USD", "Gender- and conflict-sensitive analysis workshop"),
    ("2.2", "2021-05-21", "7420", "USD", "Community security training, Jizzakh"),
    ("2.2", "2021-06-18", "3200", "USD", "Trainer fees"),
    ("2.2", "2021-08-12", "8960", "USD", "Community security training, Namangan and Tashkent"),
    ("2.2", "2021-09-24", "2450", "USD", "Translation of training materials into Uzbek"),
    ("2.2", "2021-10-15", "42350000", "UZS", "Venue and catering, Namangan training"),
    ("2.2", "2021-11-19", "6780", "USD", "Community security training, Tashkent region"),
    ("2.2", "2022-01-27", "5340", "USD", "Refresher training, Jizzakh"),
    ("2.2", "2022-03-17", "5920", "USD", "Community security training, Namangan"),
    ("2.2", "2022-05-12", "6110", "USD", "Training of trainers for the CSO network"),
    ("3.1", "2021-03-25", "4500", "USD", "Assessment methodology consultant"),
    ("3.1", "2021-05-14", "9800", "USD", "Baseline perception survey fieldwork"),
    ("3.1", "2021-06-25", "8650", "USD", "Community security assessment, Jizzakh"),
    ("3.1", "2021-08-27", "7900", "USD", "Community security assessment, Tashkent region"),
    ("3.1", "2021-09-10", "8240", "USD", "Community security assessment, Namangan"),
    ("3.1", "2021-09-30", "3150", "USD", "Editing and translation of assessment reports"),
    ("5.1", "2021-11-25", "5480", "USD", "Regional roundtable, Jizzakh"),
    ("5.1", "2021-12-15", "4300", "USD", "Advocacy skills training for CSOs"),
    ("5.1", "2022-02-22", "7850", "USD", "Advocacy video production"),
    ("5.1", "2022-04-06", "4960", "USD", "Regional advocacy meeting, Namangan"),
    ("5.1", "2022-05-19", "8720", "USD", "National roundtable, Ministry of Internal Affairs"),
    ("5.1", "2022-05-24", "3640", "USD", "OSCE side event: interpretation and streaming"),
    ("5.1", "2022-06-10", "2150", "USD", "Printing of policy brief"),
    ("6.1", "2021-03-31", "1850", "USD", "Monitoring visits, 2021Q1"),
    ("6.1", "2021-06-30", "2400", "USD", "Monitoring visits, 2021Q2"),
    ("6.1", "2021-09-30", "2150", "USD", "Monitoring visits, 2021Q3"),
    ("6.1", "2021-12-20", "6900", "USD", "Perception survey wave 2"),
    ("6.1", "2022-03-31", "2300", "USD", "Monitoring visits, 2022Q1"),
    ("6.1", "2022-06-28", "5100", "USD", "Perception survey wave 3"),
)

# English month names, independent of the machine's locale.
MONTH_NAMES = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)
KIND_ORDER = {"commitment": 0, "disbursement": 1, "expenditure": 2, "refund": 3}


def month_name(day: dt.date) -> str:
    return f"{MONTH_NAMES[day.month - 1]} {day.year}"


def months(first: dt.date, last: dt.date) -> list[dt.date]:
    """First days of the months from `first` to `last`, inclusive."""
    out, day = [], first.replace(day=1)
    while day <= last:
        out.append(day)
        day = (day + dt.timedelta(days=32)).replace(day=1)
    return out


def grants() -> list[Row]:
    names = (
        "grant_id",
        "org_id",
        "title",
        "region_code",
        "awarded_on",
        "end_on",
        "amount",
        "currency",
        "purpose",
        "status",
    )
    rows = []
    for spec in GRANTS:
        row = dict(zip(names, spec, strict=True))
        row["amount"] = fmt_money(row["amount"])
        rows.append(in_languages(row, "title", GRANT_TITLES, "grant_id"))
    return rows


def grant_transactions() -> list[dict]:
    """A commitment at award, then each grant's disbursements, expenditures and refunds."""
    out = []
    for grant_id, _org, title, _reg, awarded, _end, amount, currency, _p, _s in GRANTS:
        out.append(
            dict(
                grant_id=grant_id,
                date=awarded,
                kind="commitment",
                amount=amount,
                currency=currency,
                budget_line=GRANT_LINE,
                description=f"Grant agreement: {title}",
            )
        )
        for date, kind, value, description in GRANT_FLOWS[grant_id]:
            if not description:
                month = month_name(dt.date.fromisoformat(date))
                description = f"Spending reported by grantee, {month}"
            out.append(
                dict(
                    grant_id=grant_id,
                    date=date,
                    kind=kind,
                    amount=value,
                    currency=currency,
                    budget_line=GRANT_LINE,
                    description=description,
                )
            )
    return out


def staff_payments(rng: random.Random) -> list[dict]:
    """Monthly salaries: the coordinator starts in March 2021; indexation in 2022."""
    out = []
    for month in months(dt.date(2021, 1, 1), dt.date(2022, 6, 1)):
        base = 9800 if month < dt.date(2021, 3, 1) else 12600 if month.year == 2021 else 13100
        # social tax and allowances vary a little from month to month
        amount = Decimal(base) + Decimal(rng.randint(-15000, 15000)) / 100
        out.append(
            dict(
                grant_id="",
                date=month.replace(day=25).isoformat(),
                kind="expenditure",
                amount=amount,
                currency="USD",
                budget_line="1.1",
                description=f"Staff salaries, {month_name(month)}",
            )
        )
    return out


def project_spending() -> list[dict]:
    return [
        dict(
            grant_id="",
            date=date,
            kind="expenditure",
            amount=amount,
            currency=currency,
            budget_line=line,
            description=description,
        )
        for line, date, amount, currency, description in PROJECT_SPENDING
    ]


def transactions(rng: random.Random) -> list[Row]:
    """All money movements in date order, numbered T-0001, T-0002 ..."""
    moves = grant_transactions() + staff_payments(rng) + project_spending()
    moves.sort(
        key=lambda m: (
            m["date"],
            m["grant_id"],
            KIND_ORDER[m["kind"]],
            m["budget_line"],
            m["description"],
        )
    )
    rows = []
    for number, move in enumerate(moves, start=1):
        rows.append(
            {
                "transaction_id": f"T-{number:04d}",
                "grant_id": move["grant_id"],
                "date": move["date"],
                "kind": move["kind"],
                "amount": fmt_money(move["amount"]),
                "currency": move["currency"],
                "budget_line": move["budget_line"],
                "description": move["description"],
            }
        )
    return rows


# ---------------------------------------------------------------------------------------
# budget
# ---------------------------------------------------------------------------------------

# budget_line: (category, USD per quarter 2021Q1..2022Q2); 525,000 USD in all.
# Lines: 1.1 Staff, 2.1 Inception and outreach, 2.2 Training of CSOs, 3.1 Community
# security assessments, 4.1 Small grants, 5.1 Advocacy events, 6.1 Monitoring and evaluation.
BUDGET = {
    "1.1": ("staff", (40000, 40000, 40000, 40000, 40000, 40000)),
    "2.1": ("outreach", (12000, 8000, 0, 0, 0, 0)),
    "2.2": ("training", (0, 15000, 18000, 15000, 12000, 10000)),
    "3.1": ("research", (5000, 25000, 15000, 0, 0, 0)),
    "4.1": ("grants", (0, 0, 25000, 30000, 25000, 10000)),
    "5.1": ("advocacy", (0, 0, 0, 8000, 10000, 12000)),
    "6.1": ("monitoring", (3000, 6000, 3000, 6000, 3000, 9000)),
}


def budget() -> list[Row]:
    rows = []
    for line, (category, amounts) in BUDGET.items():
        for period, amount in zip(PERIODS, amounts, strict=True):
            if amount:
                rows.append(
                    {
                        "budget_line": line,
                        "category": category,
                        "category_ru": CATEGORY_NAMES[category][0],
                        "category_uz": CATEGORY_NAMES[category][1],
                        "period": period,
                        "amount": fmt_money(amount),
                        "currency": "USD",
                    }
                )
    return rows


# ---------------------------------------------------------------------------------------
# exchange_rates
# ---------------------------------------------------------------------------------------

# UZS per US dollar, monthly average (illustrative, close to the published rates).
# fmt: off
UZS_PER_USD = (
    "10471.35", "10478.20", "10491.80", "10512.45", "10540.10", "10566.30",
    "10592.75", "10651.40", "10682.90", "10701.55", "10737.20", "10812.60",
    "10842.30", "10867.15", "11186.40", "11335.70", "11160.25", "11098.40",
)
# fmt: on


def exchange_rates() -> list[Row]:
    first, last = dt.date(2021, 1, 1), dt.date(2022, 6, 1)
    return [
        {"currency": "UZS", "month": month.strftime("%Y-%m"), "per_usd": rate}
        for month, rate in zip(months(first, last), UZS_PER_USD, strict=True)
    ]


# ---------------------------------------------------------------------------------------
# milestones
# ---------------------------------------------------------------------------------------

# id, title, stage, level, audience, region, planned_on, achieved_on, status, outcome,
# evidence (path under EVIDENCE, or ""), indicator_code. A milestone achieved late keeps
# status `achieved` (its dates show the delay); `delayed` means not achieved by the end.
# fmt: off
MILESTONES = (
    ("M-01", "Project launch meeting with the Istiqbolli Avlod network", 1, "national",
     "Partner CSOs", "UZ-TK", "2021-02-10", "2021-02-12", "achieved",
     "20 women-led CSOs confirmed their participation", "launch-meeting", ""),
    ("M-02", "Introductory meeting with Jizzakh regional khokimiyat", 1, "regional",
     "Regional khokimiyat", "UZ-JI", "2021-02-25", "2021-02-24", "achieved",
     "Deputy khokim named focal point for the CSWGs", "", ""),
    ("M-03", "Introductory meeting with Namangan regional khokimiyat", 1, "regional",
     "Regional khokimiyat", "UZ-NG", "2021-03-10", "2021-03-29", "achieved",
     "Khokimiyat agreed to host a new CSWG in Chust", "", ""),
    ("M-04", "Introductory meeting with Tashkent regional khokimiyat and police", 1,
     "regional", "Regional khokimiyat; police", "UZ-TO", "2021-03-15", "2021-04-22",
     "achieved", "Angren chosen for the new CSWG", "", ""),
    ("M-05", "Partnership agreements signed with partner CSOs", 1, "national",
     "Partner CSOs", "", "2021-03-31", "2021-03-30", "achieved", "", "", ""),
    ("M-06", "Baseline community perception survey (wave 1)", 1, "community",
     "Communities in target mahallas", "", "2021-03-31", "2021-05-14", "achieved",
     "Baseline for the goal indicator and trust in the police", "survey-wave-1", "G1"),
    ("M-07", "Gender- and conflict-sensitive analysis workshop", 2, "regional",
     "Partner CSOs", "UZ-JI", "2021-04-15", "2021-04-16", "achieved",
     "Five Jizzakh CSOs completed their first gender and conflict analysis",
     "analysis-workshop-jizzakh", "OC1.1"),
    ("M-08", "Community security training for Jizzakh CSOs", 2, "regional", "Partner CSOs",
     "UZ-JI", "2021-05-20", "2021-05-21", "achieved", "", "training-jizzakh", "OC1.2"),
    ("M-09", "Namangan CSWG established", 2, "community",
     "Mahalla leaders, women, young people, police", "UZ-NG", "2021-04-30", "2021-05-12",
     "achieved", "First new CSWG outside Jizzakh, 14 members", "", ""),
    ("M-10", "Community security assessment completed in Jizzakh", 2, "community",
     "CSWGs; partner CSOs", "UZ-JI", "2021-06-30", "2021-06-25", "achieved",
     "Street lighting, domestic violence and youth unemployment ranked as priorities",
     "assessment-jizzakh", ""),
    ("M-11", "Tashkent region CSWG established", 2, "community",
     "Mahalla leaders, women, young people, police", "UZ-TO", "2021-05-31", "2021-07-05",
     "achieved", "", "", ""),
    ("M-12", "Community security training for Namangan and Tashkent region CSOs", 2,
     "regional", "Partner CSOs", "UZ-NG", "2021-08-10", "2021-08-12", "achieved", "",
     "training-namangan-tashkent", "OC1.2"),
    ("M-13", "Community security assessment completed in Tashkent region", 2, "community",
     "CSWG; partner CSOs", "UZ-TO", "2021-07-31", "2021-08-27", "achieved", "",
     "assessment-tashkent-region", ""),
    ("M-14", "Community security assessment completed in Namangan", 2, "community",
     "CSWG; partner CSOs", "UZ-NG", "2021-07-31", "2021-09-10", "achieved", "",
     "assessment-namangan", ""),
    ("M-15", "Assessment findings validated with regional authorities", 2, "regional",
     "Khokimiyat; police department", "UZ-JI", "2021-09-15", "2021-09-16", "achieved",
     "Police agreed to join CSWG meetings monthly", "", ""),
    ("M-16", "Jizzakh CSWGs adopt updated action plans", 3, "community", "CSWG members",
     "UZ-JI", "2021-08-31", "2021-08-27", "achieved",
     "Both plans include priorities raised by women and young people", "", "OC2.1"),
    ("M-17", "First round of small grants awarded", 3, "community",
     "CSWGs; community groups", "", "2021-08-15", "2021-08-16", "achieved", "", "", ""),
    ("M-18", "Reintegration support sessions for returnee families launched", 3,
     "community", "Returnee families", "UZ-NG", "2021-09-30", "2021-10-12", "achieved", "",
     "", "OC2.4"),
    ("M-19", "Namangan CSWG adopts its first action plan", 3, "community", "CSWG members",
     "UZ-NG", "2021-10-31", "2021-11-18", "achieved", "", "", "OC2.1"),
    ("M-20", "Regional roundtable on community security findings in Jizzakh", 4, "regional",
     "Regional khokimiyat; police department", "UZ-JI", "2021-11-20", "2021-11-25",
     "achieved", "Khokimiyat added street lighting in three mahallas to its 2022 budget",
     "roundtable-jizzakh", "OC3.2"),
    ("M-21", "Second round of small grants awarded", 3, "community",
     "CSWGs; community groups", "", "2021-12-01", "2021-12-01", "achieved", "", "", ""),
    ("M-22", "Tashkent region CSWG adopts its first action plan", 3, "community",
     "CSWG members", "UZ-TO", "2021-10-31", "2022-01-14", "achieved", "", "", "OC2.1"),
    ("M-23", "Outreach campaign on domestic violence referral in target mahallas", 3,
     "community", "Women in target mahallas", "UZ-NG", "2022-02-01", "", "delayed", "", "",
     "OC2.3"),
    ("M-24", "Youth and police dialogue series in Chust", 3, "community",
     "Young people; district police", "UZ-NG", "2022-03-15", "2022-03-22", "achieved",
     "District police set up monthly open hours for young people", "dialogue-chust", ""),
    ("M-25", "Exchange visit of CSWG members to Kyrgyzstan", 4, "international",
     "CSWG members", "", "2022-03-31", "", "dropped", "", "", ""),
    ("M-26", "Regional advocacy meeting in Namangan", 4, "regional",
     "Regional khokimiyat; police department", "UZ-NG", "2022-03-30", "2022-04-06",
     "achieved", "Khokimiyat agreed to fund the referral desk from 2023", "", "OC3.2"),
    ("M-27", "Regional advocacy meeting in Tashkent region", 4, "regional",
     "Regional khokimiyat; police department", "UZ-TO", "2022-04-15", "", "delayed", "", "",
     "OC3.1"),
    ("M-28", "National roundtable with the Ministry of Internal Affairs on community policing",
     4, "national", "Ministry of Internal Affairs", "UZ-TK", "2022-04-28", "2022-05-19",
     "achieved", "Ministry agreed to pilot joint CSWG and police safety planning in two "
     "districts", "roundtable-mia", "OC3.2"),
    ("M-29", "OSCE side event on women-led community security", 4, "international",
     "OSCE participating States; international NGOs", "", "2022-05-24", "2022-05-24",
     "achieved", "Two donors asked for the assessment findings", "osce-side-event", "OC3.1"),
    ("M-30", "Policy brief on women's security and community policing published", 4,
     "national", "Government; parliament; donors", "", "2022-06-20", "", "in_progress", "",
     "", "OC3.1"),
    ("M-31", "Final learning event with the CSO network", 4, "national",
     "Partner CSOs; CSWGs; authorities", "UZ-TK", "2022-06-30", "", "planned", "", "", ""),
)
# fmt: on


def milestones() -> list[Row]:
    names = (
        "milestone_id",
        "title",
        "stage",
        "level",
        "audience",
        "region_code",
        "planned_on",
        "achieved_on",
        "status",
        "outcome",
        "evidence_url",
        "indicator_code",
    )
    rows = []
    for spec in MILESTONES:
        row = dict(zip(names, spec, strict=True))
        row["stage"] = str(row["stage"])
        row["evidence_url"] = EVIDENCE + row["evidence_url"] if row["evidence_url"] else ""
        rows.append(in_languages(row, "title", MILESTONE_TITLES, "milestone_id"))
    return rows


# ---------------------------------------------------------------------------------------
# writing
# ---------------------------------------------------------------------------------------


def build_tables() -> dict[str, list[Row]]:
    """Every sample table; the random draws happen in this fixed order."""
    rng = random.Random(SEED)
    return {
        "regions": regions(),
        "organisations": organisations(rng),
        "indicators": indicators(),
        "indicator_targets": indicator_targets(),
        "indicator_values": indicator_values(rng),
        "grants": grants(),
        "transactions": transactions(rng),
        "budget": budget(),
        "exchange_rates": exchange_rates(),
        "milestones": milestones(),
    }


def csv_text(table_name: str, rows: list[Row]) -> str:
    """The rows as canonical CSV text with the contract's columns in contract order; an
    optional column no row fills is left out (an upload keeps it empty)."""
    table = TABLES[table_name]
    filled = {name for row in rows for name in row}
    buffer = io.StringIO()
    writer = csv.DictWriter(
        buffer,
        fieldnames=[c.name for c in table.columns if c.required or c.name in filled],
        lineterminator="\n",
        extrasaction="raise",
        restval="",
    )
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue()


def main() -> int:
    tables = build_tables()
    missing = set(TABLES) - set(tables)
    if missing:
        raise SystemExit(f"No generator for table(s): {', '.join(sorted(missing))}")
    OUT_DIR.mkdir(parents=True, exist_ok=True)
    for name, rows in tables.items():
        (OUT_DIR / f"{name}.csv").write_bytes(csv_text(name, rows).encode("utf-8"))
    counts = ", ".join(f"{name} {len(rows)}" for name, rows in tables.items())
    print(f"Wrote illustrative sample data to {OUT_DIR.relative_to(ROOT)}: {counts}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
