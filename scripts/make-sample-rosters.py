#!/usr/bin/env python3
"""Writes the sample rosters of tests/data/ in the layouts towns really use,
so that each can be made again byte for byte from this file:

  python3 -m venv venv && venv/bin/pip install xlwt==1.3.0 XlsxWriter==3.3.1
  venv/bin/python scripts/make-sample-rosters.py tests/data
  venv/bin/python scripts/make-sample-rosters.py --xls-rows 10000 /tmp/roster-10000.xls   # for the benchmark

xlwt writes the .xls (Excel 97-2003) files; XlsxWriter the .xlsx ones. Their
expected outcomes (*.expected.json) are written beside them by hand-kept
tables below. ID numbers are made up (area 410522) with correct check digits.
"""
import datetime
import json
import os
import sys

import xlsxwriter
import xlwt

WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
CHECK = "10X98765432"


def id_number(birth, seq, area="410522"):
    s = "%s%s%03d" % (area, birth, seq % 1000)
    return s + CHECK[sum(int(d) * w for d, w in zip(s, WEIGHTS)) % 11]


def fixed(book):
    # the files carry no creation time, so that writing them again gives the same bytes
    book.set_properties({"created": datetime.datetime(2026, 1, 1)})


def per_village(path):
    """An instructions sheet first, then one sheet per village named after it
    (no village column), titles and 填表单位 lines above the header, and the
    habits Excel and hurried typing leave."""
    book = xlsxwriter.Workbook(path)
    fixed(book)
    text = book.add_format({"num_format": "@"})
    date = book.add_format({"num_format": "yyyy-mm-dd"})
    notes = book.add_worksheet("填表说明")
    for i, line in enumerate(["填表说明", "1. 每村一页，页名即村名。", "2. 身份证号一列请设为文本。", "3. 是否党员填是或否。"]):
        notes.write_string(i, 0, line)
    head = ["序号", "姓名", "性别", "公民身份号码", "手机号码", "出生年月", "入伍年月", "退伍年月", "是否党员", "特长", "备注"]
    sheets = {
        "回车村": [
            ["赵一", "男", id_number("19700101", 11).replace("0101", "0101 ", 1), "+86 139-0001-0001", "1970年1月", "1988年3月", "1992.12", "是", "驾驶 电工", ""],
            ["钱二", "女", id_number("19720202", 22).lower(), "139 0001 0002", "1972.2", "1990/3", "1994-12", "否", "医护;宣讲", ""],
            ["孙三", "男", id_number("19680303", 33), "13900010003", "1968-03", datetime.date(1986, 10, 1), "1990年10月", "√", "摄影、吹唢呐", "会吹唢呐"],
            ["李四", "男", 4.10522196904040e17, "13900010004", "1969年4月", "1987年3月", "1991年3月", "否", "", "身份证号被改成了数字"],
        ],
        "东坪村": [
            ["周五", "男", id_number("19710505", 55), "１３９００２００００５", "1971年5月", "1989年3月", "1993年12月", "中共党员", "调解，游泳", ""],
            ["吴六", "男", id_number("19700101", 11), "13900020006", "1970年1月", "1988年3月", "1992.12", "是", "", "与回车村赵一重复"],
            ["郑七", "男", id_number("19740707", 77), "1390002", "1974年7月", "1992年3月", "1996年12月", "群众", "农机", ""],
        ],
    }
    for name, rows in sheets.items():
        ws = book.add_worksheet(name)
        ws.write_string(0, 0, "回车镇%s退役军人登记表" % name)
        ws.write_string(1, 0, "填表单位：%s村委会" % name[:2])
        ws.write_string(1, 6, "填表日期：2026年3月")
        for j, h in enumerate(head):
            ws.write_string(3, j, h)
        for i, row in enumerate(rows):
            r = 4 + i
            ws.write_number(r, 0, i + 1)
            for j, v in enumerate(row):
                if isinstance(v, datetime.date):
                    ws.write_datetime(r, j + 1, datetime.datetime(v.year, v.month, v.day), date)
                elif isinstance(v, float):
                    ws.write_number(r, j + 1, v)
                elif v != "":
                    ws.write_string(r, j + 1, v, text)
        ws.write_string(5 + len(rows), 0, "填表人：王会计")
    book.close()
    return {
        "file": os.path.basename(path),
        "note": "instructions sheet first; one sheet per village, named after it, no village column; row numbers are the sheet's own (title 1, 填表单位 2, blank 3, header 4)",
        "mapping": {},
        "unknown_columns": [],
        "rows": 7,
        "valid": 4,
        "errors": [
            {"sheet": "回车村", "row": 8, "column": "公民身份号码", "name": "李四", "says": "科学计数法"},
            {"sheet": "东坪村", "row": 6, "column": "公民身份号码", "name": "吴六", "says": "回车村"},
            {"sheet": "东坪村", "row": 7, "column": "手机号码", "name": "郑七", "says": "11位"},
        ],
        "warnings": [{"sheet": "回车村", "row": 7, "column": "特长", "says": "吹唢呐"}],
        "people": {
            "赵一": {"village": "回车村", "phone": "13900010001", "enlisted_on": "1988-03-01", "discharged_on": "1992-12-01", "party_member": True, "skills": ["driving", "electrician"]},
            "钱二": {"village": "回车村", "phone": "13900010002", "enlisted_on": "1990-03-01", "discharged_on": "1994-12-01", "party_member": False, "skills": ["medical", "lecturing"]},
            "孙三": {"village": "回车村", "phone": "13900010003", "enlisted_on": "1986-10-01", "discharged_on": "1990-10-01", "party_member": True, "skills": ["photography", "吹唢呐"]},
            "周五": {"village": "东坪村", "phone": "13900200005", "enlisted_on": "1989-03-01", "discharged_on": "1993-12-01", "party_member": True, "skills": ["mediation", "swimming"]},
        },
    }


def two_row_header(path):
    """A merged title, then a header over two rows: 服役情况 merged over
    参军时间 and 退役时间, every other header merged down; the village is
    written as the 村组 people live in."""
    book = xlsxwriter.Workbook(path)
    fixed(book)
    text = book.add_format({"num_format": "@"})
    ws = book.add_worksheet("Sheet1")
    ws.merge_range(0, 0, 0, 8, "东坪村退役军人志愿者花名册", book.add_format({"bold": True, "align": "center"}))
    top = ["序号", "姓名", "性别", "身份证号码", "服役情况", None, "政治面貌", "居住村组", "联系电话"]
    for j, h in enumerate(top):
        if h is None:
            continue
        if h == "服役情况":
            ws.merge_range(1, j, 1, j + 1, h)
        else:
            ws.merge_range(1, j, 2, j, h)
    ws.write_string(2, 4, "参军时间")
    ws.write_string(2, 5, "退役时间")
    rows = [
        ["冯一", "男", id_number("19750808", 81), "1993.12", "1997.12", "中共党员", "东坪村三组", "13900030001"],
        ["陈二", "男", id_number("19760909", 93), "1994年12月", "1998年12月", "群众", "东坪村五组", "0377-6123456"],
        ["褚三", "女", id_number("19771010", 3), "1995-12", "1993-12", "共青团员", "东坪村一组", "13900030003"],
        ["卫四", "男", id_number("19781111", 14), "1996/12", "2000/12", "中共预备党员", "北山村二组", "13900030004"],
        ["蒋五", "男", id_number("19791212", 25), "1997年12月", "2001年12月", "群众", "回车村二组", "13900030005"],
    ]
    for i, row in enumerate(rows):
        r = 3 + i
        ws.write_number(r, 0, i + 1)
        for j, v in enumerate(row):
            ws.write_string(r, j + 1, v, text)
    book.close()
    return {
        "file": os.path.basename(path),
        "note": "title row 1; header over rows 2-3 with merged cells; 居住村组 names the village inside the group",
        "mapping": {},
        "unknown_columns": [],
        "rows": 5,
        "valid": 3,
        "errors": [
            {"sheet": "Sheet1", "row": 6, "column": "退役时间", "name": "褚三", "says": "入伍"},
            {"sheet": "Sheet1", "row": 7, "column": "居住村组", "name": "卫四", "says": "北山村二组"},
        ],
        "warnings": [],
        "people": {
            "冯一": {"village": "东坪村", "phone": "13900030001", "enlisted_on": "1993-12-01", "discharged_on": "1997-12-01", "party_member": True, "skills": []},
            "陈二": {"village": "东坪村", "phone": "0377-6123456", "enlisted_on": "1994-12-01", "discharged_on": "1998-12-01", "party_member": False, "skills": []},
            "蒋五": {"village": "回车村", "phone": "13900030005", "enlisted_on": "1997-12-01", "discharged_on": "2001-12-01", "party_member": False, "skills": []},
        },
    }


XLS_HEAD = ["编号", "名字", "证件号码", "电话", "所属村", "出生日期", "参军日期", "退伍时间", "原部队", "政治面貌", "技能", "立功受奖", "人员类别", "家庭人口"]


def xls_rows():
    date = xlwt.easyxf(num_format_str="YYYY-MM-DD")
    return date, [
        ["沈一", id_number("19660101", 101), "13900040001", "桑坪", datetime.date(1966, 1, 1), "1984年10月", datetime.date(1988, 10, 1), "陆军", "中共党员", "农业 机械", "三等功", "退役士兵", 4],
        ["韩二", id_number("19670202", 102), "13900040002", "桑坪村", datetime.date(1967, 2, 2), "1985.10", "1989.10", "武警", "群众", "厨师", "", "", 3],
        ["杨三", id_number("19680303", 103), "13900040003", "黄沙村", datetime.date(1968, 3, 3), "1986/10", "1990/10", "海军", "中共党员", "", "优秀士兵、三等功", "转业干部", 5],
        ["朱四", id_number("19690404", 104), "13900040004", "黄沙", datetime.date(1969, 4, 4), "1987-10", "1991-10", "空军", "群众", "电工", "", "退役士兵", 2],
    ]


def sheet_xls(path):
    """Excel 97-2003 (.xls), another vocabulary, dates as real dates and as
    text, and two columns the vocabulary does not know: 参军日期 (the
    enlistment) and 家庭人口 (left out)."""
    book = xlwt.Workbook(encoding="utf-8")
    ws = book.add_sheet("花名册")
    ws.write(0, 0, "桑坪、黄沙两村退役军人名册（2003年版）")
    for j, h in enumerate(XLS_HEAD):
        ws.write(1, j, h)
    date, rows = xls_rows()
    for i, row in enumerate(rows):
        ws.write(2 + i, 0, i + 1)
        for j, v in enumerate(row):
            if isinstance(v, datetime.date):
                ws.write(2 + i, j + 1, datetime.datetime(v.year, v.month, v.day), date)
            else:
                ws.write(2 + i, j + 1, v)
    book.save(path)
    return {
        "file": os.path.basename(path),
        "note": "Excel 97-2003; title row 1, header row 2; 参军日期 and 家庭人口 need mapping",
        "mapping": {"参军日期": "enlisted_on", "家庭人口": "ignore"},
        "unknown_columns": ["参军日期", "家庭人口"],
        "rows": 4,
        "valid": 4,
        "errors": [],
        "warnings": [],
        "people": {
            "沈一": {"village": "桑坪村", "phone": "13900040001", "enlisted_on": "1984-10-01", "discharged_on": "1988-10-01", "party_member": True, "skills": ["farming", "machinery"]},
            "韩二": {"village": "桑坪村", "phone": "13900040002", "enlisted_on": "1985-10-01", "discharged_on": "1989-10-01", "party_member": False, "skills": ["cooking"]},
            "杨三": {"village": "黄沙村", "phone": "13900040003", "enlisted_on": "1986-10-01", "discharged_on": "1990-10-01", "party_member": True, "skills": []},
            "朱四": {"village": "黄沙村", "phone": "13900040004", "enlisted_on": "1987-10-01", "discharged_on": "1991-10-01", "party_member": False, "skills": ["electrician"]},
        },
    }


def big_xls(path, n):
    """An .xls of n rows for timing (villages of the demo town)."""
    villages = ["回车村", "东坪村", "西坪村", "黄沙村", "桑坪村"]
    book = xlwt.Workbook(encoding="utf-8")
    ws = book.add_sheet("花名册")
    for j, h in enumerate(["序号", "姓名", "身份证号", "联系电话", "所在村(社区)", "入伍时间", "退役时间", "特长"]):
        ws.write(0, j, h)
    for i in range(n):
        birth = "19%02d%02d%02d" % (50 + i % 40, 1 + i % 12, 1 + i % 28)
        ws.write(i + 1, 0, i + 1)
        ws.write(i + 1, 1, "队员%05d" % i)
        ws.write(i + 1, 2, id_number(birth, i % 1000, "42%04d" % (i // 1000)))
        ws.write(i + 1, 3, "139%08d" % i)
        ws.write(i + 1, 4, villages[i % len(villages)])
        ws.write(i + 1, 5, "%d年3月" % (1970 + i % 40))
        ws.write(i + 1, 6, "%d年12月" % (1975 + i % 40))
        ws.write(i + 1, 7, "驾驶、电工")
    book.save(path)


def main():
    args = sys.argv[1:]
    if args[:1] == ["--xls-rows"]:
        big_xls(args[2], int(args[1]))
        return
    out = args[0] if args else "tests/data"
    for make, name in [
        (per_village, "huiche-per-village.xlsx"),
        (two_row_header, "dongping-two-row-header.xlsx"),
        (sheet_xls, "sangping-2003.xls"),
    ]:
        expected = make(os.path.join(out, name))
        stem = name.rsplit(".", 1)[0]
        with open(os.path.join(out, stem + ".expected.json"), "w", encoding="utf-8") as f:
            json.dump(expected, f, ensure_ascii=False, indent=1)
            f.write("\n")


if __name__ == "__main__":
    main()
