//! The summary report as the form a town hands upward: one workbook with the
//! summary sheet (units 支/人/场次/人次/小时, the preparer and the person in
//! charge at the foot) and the breakdowns by month, region and team.
//! Building the bytes is pure; the caller decides where they go.

use crate::domain::category::category_label;
use crate::domain::report::{Line, Summary};
use crate::domain::team::TeamKind;
use rust_xlsxwriter::{Format, FormatAlign, FormatBorder, Workbook, Worksheet, XlsxError};

pub fn workbook(s: &Summary) -> Result<Vec<u8>, XlsxError> {
    let mut wb = Workbook::new();
    let title = Format::new().set_bold().set_font_size(16).set_align(FormatAlign::Center);
    let head = Format::new().set_bold().set_border(FormatBorder::Thin).set_background_color("#E8EEF4");
    let cell = Format::new().set_border(FormatBorder::Thin);
    let number = Format::new().set_border(FormatBorder::Thin).set_num_format("0.##");

    let sheet = wb.add_worksheet().set_name("汇总表")?;
    sheet.merge_range(0, 0, 0, 3, &format!("{}退役军人志愿服务统计汇总表", s.region_name), &title)?;
    sheet.write_string(1, 0, format!("统计期间 Period：{} 至 {}", s.from, s.to))?;
    for (c, h) in ["项目 Item", "指标 Figure", "数值 Value", "单位 Unit"].iter().enumerate() {
        sheet.write_string_with_format(2, c as u16, *h, &head)?;
    }
    let mut rows: Vec<(&str, String, f64, &str)> = Vec::new();
    for kind in TeamKind::ALL {
        let f = s.teams.get(kind.as_str()).cloned().unwrap_or_default();
        let (zh, _) = kind.label();
        rows.push(("队伍", format!("{zh} 支数"), f.count as f64, "支"));
        rows.push(("队伍", format!("{zh} 队员"), f.members as f64, "人"));
    }
    rows.push(("志愿者", "在册志愿者（在岗）".into(), s.volunteers.active as f64, "人"));
    rows.push(("活动", "开展活动".into(), s.activities.total as f64, "场次"));
    for (cat, n) in &s.activities.by_category {
        rows.push(("活动", format!("其中：{}", category_label(cat).0), *n as f64, "场次"));
    }
    rows.push(("需求", "受理需求".into(), s.needs.filed as f64, "件"));
    rows.push(("需求", "办结需求".into(), s.needs.completed as f64, "件"));
    for (cat, n) in &s.needs.completed_by_category {
        rows.push(("需求", format!("其中：{}", category_label(cat).0), *n as f64, "件"));
    }
    if let Some(r) = s.needs.average_rating {
        rows.push(("需求", "平均满意度".into(), r, "星"));
    }
    rows.push(("服务", "服务人次".into(), s.service.person_times as f64, "人次"));
    rows.push(("服务", "参与服务人数".into(), s.service.volunteers as f64, "人"));
    rows.push(("服务", "服务时长".into(), s.service.hours, "小时"));
    for (cat, n) in &s.service.person_times_by_category {
        rows.push(("服务", format!("其中：{}", category_label(cat).0), *n as f64, "人次"));
    }
    rows.push(("成效", "受益群众".into(), s.outcomes.beneficiaries as f64, "人"));
    rows.push(("成效", "宣讲受众".into(), s.outcomes.audience as f64, "人次"));
    rows.push(("成效", "转移群众户数".into(), s.outcomes.households_relocated as f64, "户"));
    rows.push(("成效", "转移群众人数".into(), s.outcomes.persons_relocated as f64, "人"));
    rows.push(("关爱", "关爱对象".into(), s.care.recipients as f64, "人"));
    rows.push(("关爱", "期内已走访".into(), s.care.visited as f64, "人"));
    rows.push(("关爱", "走访覆盖率".into(), (s.care.coverage * 1000.0).round() / 10.0, "%"));
    rows.push(("老兵带新兵", "结对帮扶中".into(), s.mentoring.active as f64, "对"));
    rows.push(("老兵带新兵", "实现就业".into(), s.mentoring.employed as f64, "人"));
    rows.push(("老兵带新兵", "自主创业".into(), s.mentoring.business_started as f64, "人"));
    let mut r = 3u32;
    for (item, figure, value, unit) in &rows {
        sheet.write_string_with_format(r, 0, *item, &cell)?;
        sheet.write_string_with_format(r, 1, figure, &cell)?;
        sheet.write_number_with_format(r, 2, *value, &number)?;
        sheet.write_string_with_format(r, 3, *unit, &cell)?;
        r += 1;
    }
    r += 1;
    sheet.write_string(r, 0, format!("填表人：{}", s.prepared_by))?;
    sheet.write_string(r, 1, format!("负责人：{}", s.person_in_charge))?;
    sheet.write_string(r, 2, format!("填表日期：{}", crate::domain::service::local_date(s.generated_at)))?;
    sheet.set_column_width(0, 12)?;
    sheet.set_column_width(1, 28)?;
    sheet.set_column_width(2, 12)?;
    sheet.set_column_width(3, 8)?;

    let sheet = wb.add_worksheet().set_name("按月")?;
    lines(sheet, "月份 Month", &s.by_month, &head, &cell, &number)?;
    let sheet = wb.add_worksheet().set_name("按地区")?;
    lines(sheet, "地区 Region", &s.by_region, &head, &cell, &number)?;
    if !s.by_team.is_empty() {
        let sheet = wb.add_worksheet().set_name("按队伍")?;
        lines(sheet, "队伍 Team", &s.by_team, &head, &cell, &number)?;
    }
    wb.save_to_buffer()
}

fn lines(
    sheet: &mut Worksheet,
    first: &str,
    lines: &[Line],
    head: &Format,
    cell: &Format,
    number: &Format,
) -> Result<(), XlsxError> {
    let heads = [
        first,
        "队员/志愿者（人）",
        "活动（场次）",
        "受理需求（件）",
        "办结需求（件）",
        "服务人次（人次）",
        "服务人数（人）",
        "服务时长（小时）",
        "受益群众（人）",
    ];
    for (c, h) in heads.iter().enumerate() {
        sheet.write_string_with_format(0, c as u16, *h, head)?;
    }
    for (i, l) in lines.iter().enumerate() {
        let r = i as u32 + 1;
        sheet.write_string_with_format(r, 0, &l.label, cell)?;
        let values = [
            l.members.map(|n| n as f64),
            Some(l.activities as f64),
            Some(l.needs_filed as f64),
            Some(l.needs_completed as f64),
            Some(l.person_times as f64),
            l.volunteers.map(|n| n as f64),
            Some(l.hours),
            Some(l.beneficiaries as f64),
        ];
        for (c, v) in values.iter().enumerate() {
            match v {
                Some(v) => sheet.write_number_with_format(r, c as u16 + 1, *v, number)?,
                None => sheet.write_string_with_format(r, c as u16 + 1, "—", cell)?,
            };
        }
    }
    sheet.set_column_width(0, 16)?;
    for c in 1..heads.len() as u16 {
        sheet.set_column_width(c, 14)?;
    }
    Ok(())
}
