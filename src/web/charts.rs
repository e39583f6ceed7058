//! Charts drawn on the server as small inline SVG: bars by month, bars by
//! category or village, and coverage gauges. No script runs on the phone and
//! the page prints as it shows. Labels are escaped; sizes are in viewBox units
//! so a chart fills whatever width the page gives it.

use std::fmt::Write;

fn esc(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

fn fmt_value(v: f64) -> String {
    if (v - v.round()).abs() < 1e-9 {
        format!("{}", v.round() as i64)
    } else {
        format!("{v:.1}")
    }
}

/// Vertical bars, one per label (months), with the value over each bar.
pub fn columns(title: &str, items: &[(String, f64)]) -> String {
    let (w, h, top, bottom, left) = (640.0, 220.0, 28.0, 34.0, 8.0);
    let max = items.iter().map(|i| i.1).fold(0.0_f64, f64::max).max(1.0);
    let n = items.len().max(1) as f64;
    let slot = (w - 2.0 * left) / n;
    let bar = (slot * 0.7).max(2.0);
    let mut s = String::new();
    let _ = write!(
        s,
        r#"<svg class="chart" viewBox="0 0 {w} {h}" role="img" aria-label="{t}" xmlns="http://www.w3.org/2000/svg"><title>{t}</title>"#,
        t = esc(title)
    );
    let _ = write!(
        s,
        r##"<line x1="{left}" y1="{y}" x2="{x2}" y2="{y}" stroke="#999" stroke-width="1"/>"##,
        y = h - bottom,
        x2 = w - left
    );
    for (i, (label, v)) in items.iter().enumerate() {
        let bh = (h - top - bottom) * v / max;
        let x = left + slot * i as f64 + (slot - bar) / 2.0;
        let y = h - bottom - bh;
        let _ = write!(
            s,
            r##"<rect x="{x:.1}" y="{y:.1}" width="{bar:.1}" height="{bh:.1}" fill="#b71c1c"><title>{l}: {v}</title></rect>"##,
            l = esc(label),
            v = fmt_value(*v)
        );
        let cx = x + bar / 2.0;
        let _ = write!(
            s,
            r##"<text x="{cx:.1}" y="{ty:.1}" font-size="11" text-anchor="middle" fill="#333">{v}</text>"##,
            ty = y - 4.0,
            v = fmt_value(*v)
        );
        let _ = write!(
            s,
            r##"<text x="{cx:.1}" y="{ly:.1}" font-size="11" text-anchor="middle" fill="#555">{l}</text>"##,
            ly = h - bottom + 16.0,
            l = esc(label)
        );
    }
    s.push_str("</svg>");
    s
}

/// Horizontal bars, largest first as given, label on the left and value on the right.
pub fn bars(title: &str, items: &[(String, f64)]) -> String {
    let row = 24.0;
    let (w, label_w, value_w) = (640.0, 150.0, 70.0);
    let h = (items.len().max(1) as f64) * row + 8.0;
    let max = items.iter().map(|i| i.1).fold(0.0_f64, f64::max).max(1.0);
    let span = w - label_w - value_w;
    let mut s = String::new();
    let _ = write!(
        s,
        r#"<svg class="chart" viewBox="0 0 {w} {h}" role="img" aria-label="{t}" xmlns="http://www.w3.org/2000/svg"><title>{t}</title>"#,
        t = esc(title)
    );
    for (i, (label, v)) in items.iter().enumerate() {
        let y = 4.0 + row * i as f64;
        let bw = span * v / max;
        let _ = write!(
            s,
            r##"<text x="{lx}" y="{ty:.1}" font-size="13" text-anchor="end" fill="#333">{l}</text><rect x="{label_w}" y="{ry:.1}" width="{bw:.1}" height="16" fill="#1565c0"/><text x="{vx:.1}" y="{ty:.1}" font-size="12" fill="#333">{v}</text>"##,
            lx = label_w - 6.0,
            ty = y + 13.0,
            ry = y + 1.0,
            vx = label_w + bw + 4.0,
            l = esc(label),
            v = fmt_value(*v)
        );
    }
    s.push_str("</svg>");
    s
}

/// A half-circle gauge for a share 0..1, with the percentage in the middle.
pub fn gauge(title: &str, share: f64) -> String {
    let share = share.clamp(0.0, 1.0);
    let (cx, cy, r) = (100.0, 95.0, 80.0);
    let angle = std::f64::consts::PI * (1.0 - share);
    let (ex, ey) = (cx + r * angle.cos(), cy - r * angle.sin());
    let colour = if share >= 0.999 {
        "#2e7d32"
    } else if share >= 0.8 {
        "#f9a825"
    } else {
        "#c62828"
    };
    let mut s = String::new();
    let _ = write!(
        s,
        r##"<svg class="gauge" viewBox="0 0 200 130" role="img" aria-label="{t}" xmlns="http://www.w3.org/2000/svg"><title>{t}</title><path d="M {x0} {cy} A {r} {r} 0 0 1 {x1} {cy}" fill="none" stroke="#e0e0e0" stroke-width="16"/>"##,
        t = esc(title),
        x0 = cx - r,
        x1 = cx + r
    );
    if share > 0.0 {
        let _ = write!(
            s,
            r##"<path d="M {x0} {cy} A {r} {r} 0 0 1 {ex:.2} {ey:.2}" fill="none" stroke="{colour}" stroke-width="16"/>"##,
            x0 = cx - r
        );
    }
    let _ = write!(
        s,
        r##"<text x="{cx}" y="{ty}" font-size="26" text-anchor="middle" fill="#222">{p:.0}%</text><text x="{cx}" y="124" font-size="13" text-anchor="middle" fill="#555">{t}</text></svg>"##,
        ty = cy - 8.0,
        p = share * 100.0,
        t = esc(title)
    );
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bars_scale_to_the_largest_and_escape_labels() {
        let svg = bars("按村", &[("回车村".into(), 10.0), ("<东坪>".into(), 5.0)]);
        assert!(svg.contains("&lt;东坪&gt;") && !svg.contains("<东坪>"));
        assert!(svg.contains(r#"width="420.0""#), "the largest bar spans the width: {svg}");
        assert!(svg.contains(r#"width="210.0""#), "half the value, half the bar");
    }

    #[test]
    fn a_gauge_shows_the_share_and_turns_green_only_at_full_coverage() {
        assert!(gauge("走访覆盖率", 0.5).contains(">50%<"));
        assert!(gauge("走访覆盖率", 1.0).contains("#2e7d32"));
        assert!(!gauge("走访覆盖率", 0.95).contains("#2e7d32"));
        assert!(!gauge("x", 0.0).contains("#c62828\" stroke-width"), "no arc for nothing");
    }

    #[test]
    fn columns_show_every_value() {
        let svg = columns("按月", &[("1月".into(), 3.0), ("2月".into(), 0.0), ("3月".into(), 2.5)]);
        assert_eq!(svg.matches("<rect").count(), 3);
        assert!(svg.contains(">2.5<") && svg.contains(">1月<"));
    }
}
