//! A made-up roster workbook for timing the import (`laobing synthetic-roster`,
//! `scripts/bench-import.sh`).

/// A made-up roster workbook as towns keep them (title row, header row, ID
/// numbers and phones as text), `rows` people over the given villages; for
/// timing the import.
pub fn roster_workbook(villages: &[String], rows: u32) -> std::result::Result<Vec<u8>, rust_xlsxwriter::XlsxError> {
    use crate::domain::id_number::check_char;
    let mut book = rust_xlsxwriter::Workbook::new();
    let ws = book.add_worksheet();
    ws.write_string(0, 0, "回车镇退役军人志愿服务队花名册")?;
    let header = [
        "序号",
        "姓名",
        "性别",
        "身份证号",
        "联系电话",
        "所在村(社区)",
        "入伍时间",
        "退役时间",
        "军种",
        "政治面貌",
        "特长",
        "荣誉",
    ];
    for (i, h) in header.iter().enumerate() {
        ws.write_string(1, i as u16, *h)?;
    }
    let skills = ["游泳、调解", "驾驶、医护", "电工", "宣讲、驾驶", "", "医护、游泳"];
    let branches = ["陆军", "海军", "空军", "武警", "火箭军"];
    let base = chrono::NaiveDate::from_ymd_opt(1950, 1, 1).unwrap_or_default();
    for i in 0..rows {
        let r = i + 2;
        // one thousand sequence numbers a birth day keep every ID number apart;
        // another county's area code keeps them apart from the demo town's people
        let born = base + chrono::Days::new(u64::from(i / 1000));
        let mut id = format!("411330{}{:03}", born.format("%Y%m%d"), i % 1000);
        id.push(check_char(id.as_bytes()));
        let enlisted = born + chrono::Days::new(18 * 366);
        let village = villages.get(i as usize % villages.len().max(1)).map(String::as_str).unwrap_or("");
        ws.write_number(r, 0, f64::from(i + 1))?;
        ws.write_string(r, 1, format!("队员{:06}", i + 1))?;
        ws.write_string(r, 2, if i % 1000 % 2 == 1 { "男" } else { "女" })?;
        ws.write_string(r, 3, id)?;
        ws.write_string(r, 4, format!("139{:08}", i))?;
        ws.write_string(r, 5, village)?;
        ws.write_string(r, 6, enlisted.format("%Y年%-m月").to_string())?;
        ws.write_string(r, 7, (enlisted + chrono::Days::new(5 * 365)).format("%Y.%m").to_string())?;
        ws.write_string(r, 8, branches[i as usize % branches.len()])?;
        ws.write_string(r, 9, if i % 3 == 0 { "中共党员" } else { "群众" })?;
        ws.write_string(r, 10, skills[i as usize % skills.len()])?;
        if i % 50 == 0 {
            ws.write_string(r, 11, "优秀退役军人")?;
        }
    }
    book.save_to_buffer()
}
