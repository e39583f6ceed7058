//! The front door: `laobing serve | migrate | user add | import | export | backup | restore | …`.

mod backup;

use crate::domain::account::{check_password, check_username, Role};
use crate::store::{self, accounts, Db};
use crate::web::{self, AppState};

use clap::{Args, Parser, Subcommand};
use std::io::Read;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Parser)]
#[command(name = "laobing", version, about = "老兵 · 退役军人学雷锋志愿服务平台 (veterans' volunteer service)")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Args, Clone)]
struct DbArgs {
    /// Database URL: `postgres://…` for PostgreSQL; otherwise an SQLite file
    /// (default ./laobing-data/laobing.db).
    #[arg(long, env = "LAOBING_DATABASE_URL")]
    database: Option<String>,
}

#[derive(Subcommand)]
enum Command {
    /// Run the web app and API (migrations run first).
    Serve {
        #[command(flatten)]
        db: DbArgs,
        /// Address to listen on.
        #[arg(long, env = "LAOBING_LISTEN", default_value = "127.0.0.1:8080")]
        listen: String,
        /// Load a demo town first (into ./laobing-data/demo.db unless a database is given).
        #[arg(long)]
        demo: bool,
    },
    /// Run database migrations and exit, for deployments that migrate separately.
    Migrate {
        #[command(flatten)]
        db: DbArgs,
    },
    /// Manage accounts.
    User {
        #[command(subcommand)]
        command: UserCommand,
    },
    /// Add made-up volunteers to the demo town, for load tests (see docs/benchmarks.md).
    Synthetic {
        #[command(flatten)]
        db: DbArgs,
        #[arg(long, default_value_t = 20_000)]
        volunteers: u32,
    },
    /// Make up a whole county for the summary report's benchmark (see docs/benchmarks.md).
    SyntheticCounty {
        #[command(flatten)]
        db: DbArgs,
        #[arg(long, default_value_t = 20)]
        towns: u32,
        #[arg(long, default_value_t = 100_000)]
        volunteers: u32,
        #[arg(long, default_value_t = 5_000_000)]
        records: u32,
        /// Spread the records over this many days before today.
        #[arg(long, default_value_t = 365)]
        days: u32,
    },
    /// A consistent backup of the database, also while the server runs.
    Backup {
        #[command(flatten)]
        db: DbArgs,
        /// The file to write (never overwritten).
        file: PathBuf,
    },
    /// Restore a backup made by `backup` (stop the server first).
    Restore {
        #[command(flatten)]
        db: DbArgs,
        file: PathBuf,
    },
    /// Check that the audit log's hash chain is unbroken.
    AuditVerify {
        #[command(flatten)]
        db: DbArgs,
    },
    /// Remove audit entries older than the retention, keeping the chain
    /// verifiable (run it daily from cron).
    AuditPrune {
        #[command(flatten)]
        db: DbArgs,
        /// Days of audit log to keep: at least 180.
        #[arg(long, env = "LAOBING_AUDIT_KEEP_DAYS", default_value_t = 180)]
        keep_days: i64,
    },
    /// Write reports as workbooks.
    Export {
        #[command(subcommand)]
        command: ExportCommand,
    },
    /// Import data from files.
    Import {
        #[command(subcommand)]
        command: ImportCommand,
    },
    /// Write a made-up roster workbook of the villages of a region, for timing the import (see docs/benchmarks.md).
    SyntheticRoster {
        #[command(flatten)]
        db: DbArgs,
        /// The region whose villages the rows are spread over (default: the only town).
        #[arg(long)]
        region: Option<i64>,
        #[arg(long, default_value_t = 100_000)]
        rows: u32,
        /// The workbook to write.
        #[arg(short, long)]
        output: PathBuf,
    },
}

#[derive(Subcommand)]
enum ExportCommand {
    /// The summary report (统计汇总表) of a region for a period, as an .xlsx workbook.
    Report {
        #[command(flatten)]
        db: DbArgs,
        /// The region whose whole subtree is counted.
        #[arg(long)]
        region: i64,
        /// First day (YYYY-MM-DD, inclusive).
        #[arg(long)]
        from: String,
        /// Last day (YYYY-MM-DD, inclusive).
        #[arg(long)]
        to: String,
        /// Where to write the workbook.
        #[arg(short = 'o', long = "output")]
        output: PathBuf,
        /// 填表人 printed on the form.
        #[arg(long, default_value = "")]
        preparer: String,
        /// 负责人 printed on the form.
        #[arg(long, default_value = "")]
        person_in_charge: String,
    },
}

#[derive(Subcommand)]
enum ImportCommand {
    /// Import a roster (花名册) from a workbook (.xlsx, .xls) or csv; prints a row-by-row error report.
    /// Every sheet with a header is read. People already on the roster (same ID number) are
    /// updated with what the sheet changes; nobody is deleted. Nothing is imported when any
    /// row is invalid, unless --skip-invalid.
    Volunteers {
        #[command(flatten)]
        db: DbArgs,
        /// The roster file: .xlsx, .xls, or .csv in UTF-8 or GBK.
        file: PathBuf,
        /// What an unrecognised column holds: `--map 参军日期=enlisted_on`, or `=ignore`
        /// (repeat for more columns). Remembered for the region's next import.
        #[arg(long = "map", value_name = "列名=FIELD")]
        map: Vec<String>,
        /// Also write the roster back with a red 错误原因 column beside every invalid row.
        #[arg(long, value_name = "FILE.xlsx")]
        errors_out: Option<PathBuf>,
        /// The region whose villages the roster's village names are matched in.
        /// May be left out when the database holds exactly one town.
        #[arg(long)]
        region: Option<i64>,
        /// Check every row and report, importing nothing.
        #[arg(long)]
        dry_run: bool,
        /// Import the valid rows even when others are invalid.
        #[arg(long)]
        skip_invalid: bool,
    },
}

#[derive(Subcommand)]
enum UserCommand {
    /// Create an account; the password is read from standard input.
    Add {
        #[command(flatten)]
        db: DbArgs,
        #[arg(long)]
        username: String,
        /// admin, town_staff, team_leader, grid_worker or volunteer.
        #[arg(long)]
        role: String,
        /// The region the account is scoped to (required except for admin).
        #[arg(long)]
        region: Option<i64>,
        /// The volunteer this account belongs to (for volunteer and team_leader accounts).
        #[arg(long)]
        volunteer: Option<i64>,
        /// The person's name (姓名), shown wherever the account is named; a
        /// volunteer's account shows the volunteer's name without it.
        #[arg(long)]
        name: Option<String>,
        /// Read the password from standard input (the only way, so it never shows in the process list).
        #[arg(long, required = true)]
        password_stdin: bool,
    },
}

/// Where the sealing key and the SQLite file live.
pub fn data_dir() -> PathBuf {
    std::env::var_os("LAOBING_DATA_DIR").map(PathBuf::from).unwrap_or_else(|| PathBuf::from(store::DEFAULT_DATA_DIR))
}

fn init_logging() {
    let filter = tracing_subscriber::EnvFilter::try_from_env("LAOBING_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("laobing=info"));
    let _ = tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr).try_init();
}

pub fn main() -> ExitCode {
    let cli = Cli::parse();
    init_logging();
    let rt = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("cannot start the runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match rt.block_on(run(cli)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(msg) => {
            eprintln!("错误 error: {msg}");
            ExitCode::FAILURE
        }
    }
}

fn url_of(db: &DbArgs, demo: bool) -> String {
    match (&db.database, demo) {
        (Some(u), _) => store::resolve_url(Some(u)),
        (None, true) => format!("sqlite://{}/demo.db", data_dir().display()),
        (None, false) => format!("sqlite://{}/laobing.db", data_dir().display()),
    }
}

fn db_url(db: &DbArgs) -> String {
    url_of(db, false)
}

async fn open(db: &DbArgs, demo: bool) -> Result<Db, String> {
    Db::open(&url_of(db, demo), &data_dir()).await.map_err(|e| format!("{e}"))
}

async fn run(cli: Cli) -> Result<(), String> {
    match cli.command {
        Command::Serve { db, listen, demo } => {
            let db = open(&db, demo).await?;
            let demo_logins =
                if demo { Some(crate::demo::load(&db).await.map_err(|e| format!("demo: {e}"))?) } else { None };
            let listener =
                tokio::net::TcpListener::bind(&listen).await.map_err(|e| format!("cannot listen on {listen}: {e}"))?;
            let addr = listener.local_addr().map_err(|e| e.to_string())?;
            println!("老兵 Laobing 已启动 · listening on http://{addr}/");
            if let Some(logins) = demo_logins {
                println!("演示数据已就绪 · demo town loaded. 登录 Log in at http://{addr}/login with:");
                for (user, role, password) in logins {
                    println!("  {user:<14} {role:<12} {password}");
                }
            }
            let state = AppState::new(db, "老兵志愿服务");
            web::serve(state, listener).await.map_err(|e| e.to_string())
        }
        Command::Migrate { db } => {
            open(&db, false).await?;
            println!("migrations applied · 数据库已迁移到最新版本");
            Ok(())
        }
        Command::Synthetic { db, volunteers } => {
            let db = open(&db, true).await?;
            let started = std::time::Instant::now();
            let made = crate::demo::synthetic(&db, volunteers).await.map_err(|e| e.to_string())?;
            println!("{made} synthetic volunteers added in {:.1}s", started.elapsed().as_secs_f64());
            Ok(())
        }
        Command::Export {
            command: ExportCommand::Report { db, region, from, to, output, preparer, person_in_charge },
        } => {
            let period = crate::domain::report::Period::parse_report(Some(&from), Some(&to)).map_err(|p| {
                p.0.iter().map(|p| format!("--{} {}", p.field, p.bilingual())).collect::<Vec<_>>().join("; ")
            })?;
            let db = open(&db, false).await?;
            let root = store::regions::get(&db.pool, region)
                .await
                .map_err(|e| e.to_string())?
                .ok_or_else(|| format!("region {region} does not exist · 区域 {region} 不存在"))?;
            let sign = store::reports::Signatures { prepared_by: preparer, person_in_charge };
            let summary = store::reports::summary(&db.pool, &root, period, sign).await.map_err(|e| e.to_string())?;
            let bytes = crate::workbooks::summary::workbook(&summary).map_err(|e| e.to_string())?;
            std::fs::write(&output, bytes).map_err(|e| format!("{}: {e}", output.display()))?;
            println!(
                "{} {}–{}: {} 场次活动, {} 人次, {:.1} 小时 → {}",
                summary.region_name,
                summary.from,
                summary.to,
                summary.activities.total,
                summary.service.person_times,
                summary.service.hours,
                output.display()
            );
            Ok(())
        }
        Command::SyntheticCounty { db, towns, volunteers, records, days } => {
            let db = open(&db, false).await?;
            let started = std::time::Instant::now();
            let c = crate::synthetic::synthetic_county(&db, towns, volunteers, records, days)
                .await
                .map_err(|e| e.to_string())?;
            println!(
                "county {}: {} towns, {} villages, {} volunteers, {} activities, {} service records in {:.1}s",
                c.county_id,
                c.towns,
                c.villages,
                c.volunteers,
                c.activities,
                c.records,
                started.elapsed().as_secs_f64()
            );
            Ok(())
        }
        Command::Backup { db, file } => {
            let url = db_url(&db);
            let opened = open(&db, false).await?;
            println!("{}", backup::backup(&opened, &url, &file).await?);
            Ok(())
        }
        Command::Restore { db, file } => {
            let url = db_url(&db);
            println!("{}", backup::restore(&url, &file).await?);
            Ok(())
        }
        Command::AuditVerify { db } => {
            let db = open(&db, false).await?;
            match store::audit::verify(&db.pool).await.map_err(|e| e.to_string())? {
                None => {
                    println!("audit log intact · 审计日志完整");
                    Ok(())
                }
                Some(id) => Err(format!("audit log broken at entry {id} · 审计日志在第 {id} 条被改动")),
            }
        }
        Command::AuditPrune { db, keep_days } => {
            if keep_days < crate::store::audit::MIN_KEEP_DAYS {
                return Err(format!(
                    "keep at least {} days of audit log · 审计日志至少保留{}天",
                    crate::store::audit::MIN_KEEP_DAYS,
                    crate::store::audit::MIN_KEEP_DAYS
                ));
            }
            let db = open(&db, false).await?;
            let before = chrono::Utc::now() - chrono::Duration::days(keep_days);
            let by = store::audit::Record {
                user_id: None,
                username: "system".into(),
                action: "audit_pruned".into(),
                target_type: "audit_log".into(),
                target_id: String::new(),
                detail: String::new(),
            };
            let n = store::audit::prune_before(&db.pool, before, &by).await.map_err(|e| e.to_string())?;
            println!("removed {n} audit entries older than {keep_days} days · 已清理{n}条超过{keep_days}天的审计记录");
            Ok(())
        }
        Command::Import {
            command: ImportCommand::Volunteers { db, file, map, errors_out, region, dry_run, skip_invalid },
        } => {
            let db = open(&db, false).await?;
            let region = import_region(&db, region).await?;
            let pairs: Vec<(&str, &str)> = map.iter().map(|m| m.split_once('=').unwrap_or((m.as_str(), ""))).collect();
            let mapping = crate::domain::roster::Mapping::from_pairs(pairs).map_err(|p| p.bilingual())?;
            let opts = store::roster::Options { dry_run, skip_invalid, mapping, ..Default::default() };
            import_volunteers(&db, &region, &file, opts, errors_out.as_deref()).await
        }
        Command::SyntheticRoster { db, region, rows, output } => {
            let db = open(&db, false).await?;
            let region = import_region(&db, region).await?;
            let villages = store::roster::villages_within(&db.pool, &region.path).await.map_err(|e| e.to_string())?;
            let names: Vec<String> = villages.into_iter().map(|(_, n)| n).collect();
            let bytes = crate::synthetic::roster_workbook(&names, rows).map_err(|e| e.to_string())?;
            std::fs::write(&output, bytes).map_err(|e| format!("{}: {e}", output.display()))?;
            println!("{rows} rows over {} villages written to {}", names.len(), output.display());
            Ok(())
        }
        Command::User {
            command: UserCommand::Add { db, username, role, region, volunteer, name, password_stdin: _ },
        } => {
            let mut password = String::new();
            std::io::stdin().read_to_string(&mut password).map_err(|e| e.to_string())?;
            let password = password.trim_end_matches(['\n', '\r']).to_string();
            let role =
                Role::parse(&role).ok_or("role must be admin, town_staff, team_leader, grid_worker or volunteer")?;
            check_username(&username).map_err(|p| p.bilingual())?;
            check_password(&password, &username).map_err(|p| p.bilingual())?;
            if role != Role::Admin && region.is_none() {
                return Err("--region is required for every role but admin · 除管理员外必须指定 --region".into());
            }
            let db = open(&db, false).await?;
            if let Some(r) = region {
                if store::regions::get(&db.pool, r).await.map_err(|e| e.to_string())?.is_none() {
                    return Err(format!("region {r} does not exist · 区域 {r} 不存在"));
                }
            }
            let hash = crate::app::accounts::hash_password(password).await.map_err(|e| e.zh)?;
            let id = accounts::create(
                &db.pool,
                &accounts::NewUser {
                    username: &username,
                    password_hash: &hash,
                    role,
                    region_id: region,
                    volunteer_id: volunteer,
                },
            )
            .await
            .map_err(|e| match e {
                store::StoreError::Invalid(p) => p.0.iter().map(|p| p.bilingual()).collect::<Vec<_>>().join("; "),
                other => other.to_string(),
            })?;
            let name = name.as_deref().map(str::trim).filter(|n| !n.is_empty());
            if name.is_some_and(|n| n.chars().count() > 32) {
                return Err("--name must be at most 32 characters · 姓名不能超过32个字".into());
            }
            if name.is_some() {
                accounts::set_display_name(&db.pool, id, name).await.map_err(|e| e.to_string())?;
            }
            store::audit::append(
                &db.pool,
                &store::audit::Entry {
                    user_id: None,
                    username: "cli",
                    action: "create",
                    target_type: "user",
                    target_id: &id.to_string(),
                    detail: &username,
                },
            )
            .await
            .map_err(|e| e.to_string())?;
            println!("account {username} created (id {id}) · 账号已创建");
            Ok(())
        }
    }
}

/// The region an import goes into: the one named, or the only town there is.
async fn import_region(db: &Db, region: Option<i64>) -> Result<store::regions::Region, String> {
    use crate::domain::region::RegionKind;
    match region {
        Some(id) => store::regions::get(&db.pool, id)
            .await
            .map_err(|e| e.to_string())?
            .ok_or_else(|| format!("region {id} does not exist · 区域 {id} 不存在")),
        None => {
            let mut towns =
                store::regions::list(&db.pool, None, Some(RegionKind::Town)).await.map_err(|e| e.to_string())?;
            if towns.len() == 1 {
                Ok(towns.remove(0))
            } else {
                Err(format!(
                    "--region is required: the database holds {} towns · 数据库中有{}个乡镇，请用 --region 指定区域",
                    towns.len(),
                    towns.len()
                ))
            }
        }
    }
}

async fn import_volunteers(
    db: &Db,
    region: &store::regions::Region,
    file: &std::path::Path,
    mut opts: store::roster::Options,
    errors_out: Option<&std::path::Path>,
) -> Result<(), String> {
    use crate::domain::roster::Mapping;
    use std::io::IsTerminal;
    let size = std::fs::metadata(file).map_err(|e| format!("{}: {e}", file.display()))?.len();
    let max = crate::app::roster::MAX_UPLOAD as u64;
    if size > max {
        return Err(format!(
            "{}: 文件太大（{} MB），花名册文件最大 {} MB · the file is too large ({} MB); a roster file may be at most {} MB",
            file.display(),
            size >> 20,
            max >> 20,
            size >> 20,
            max >> 20
        ));
    }
    let bytes = std::fs::read(file).map_err(|e| format!("{}: {e}", file.display()))?;
    let before = store::roster::remembered_mapping(&db.pool, &region.path)
        .await
        .map_err(|e| e.to_string())?
        .and_then(|j| Mapping::from_json(&j).ok())
        .unwrap_or_default();
    opts.remembered = before.clone();
    let bar = std::io::stderr().is_terminal().then(|| {
        let bar = indicatif::ProgressBar::new(0);
        bar.set_style(
            indicatif::ProgressStyle::with_template("导入 importing {bar:40} {pos}/{len} {elapsed}")
                .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
        );
        bar
    });
    let progress = |done: usize, total: usize| {
        if let Some(b) = &bar {
            b.set_length(total as u64);
            b.set_position(done as u64);
        }
    };
    let started = std::time::Instant::now();
    let (outcome, book) = store::roster::run(db, &region.path, bytes, &opts, &progress)
        .await
        .map_err(|e| e.to_string())?
        .map_err(|e| e.problem().bilingual())?;
    if let Some(b) = &bar {
        b.finish_and_clear();
    }
    let headers: Vec<String> =
        outcome.headers.iter().flat_map(|(h, _)| h.columns.iter().map(|c| c.text.clone())).collect();
    let used = opts.mapping.used(&headers);
    let next = used.or(&before);
    if !used.is_empty() && next != before {
        let record = store::audit::Record {
            user_id: None,
            username: "cli".into(),
            action: "import_mapping".into(),
            target_type: "region".into(),
            target_id: region.path.clone(),
            detail: next.to_json(),
        };
        store::roster::remember_mapping(&db.pool, &region.path, &next.to_json(), &record)
            .await
            .map_err(|e| e.to_string())?;
    }
    if let Some(path) = errors_out {
        let hs: Vec<_> = outcome.headers.iter().map(|(h, _)| h.clone()).collect();
        let bytes =
            crate::workbooks::import_errors::annotated(&book, &hs, &outcome.errors).map_err(|e| e.to_string())?;
        std::fs::write(path, bytes).map_err(|e| format!("{}: {e}", path.display()))?;
    }
    drop(book);
    for e in &outcome.errors {
        println!(
            "第{}行 row {:>6} · {} · 工作表 sheet {} · {} · {}（{}）",
            e.row,
            e.row,
            e.column,
            e.sheet,
            e.name.as_deref().unwrap_or("-"),
            e.zh,
            e.en
        );
    }
    for w in &outcome.warnings {
        println!(
            "提示 note: 第{}行 row {} · {} · 工作表 sheet {} · {}（{}）",
            w.row, w.row, w.column, w.sheet, w.zh, w.en
        );
    }
    if outcome.needs_mapping {
        println!(
            "map every column above, e.g. --map 参军日期=enlisted_on or --map 家庭人口=ignore · 请用 --map 列名=字段 说明每一列"
        );
    }
    for c in &outcome.changes {
        let fields: Vec<String> =
            c.fields.iter().map(|f| format!("{}: {} → {}", f.column, f.before, f.after)).collect();
        println!("变更 change: 第{}行 row {} · {} {} · {}", c.row, c.row, c.volunteer_no, c.name, fields.join("；"));
    }
    for m in &outcome.missing {
        println!("未列出 missing: {} {} · {}", m.volunteer_no, m.name, m.village);
    }
    println!(
        "{}: {} rows, {} valid, {} invalid, {} imported ({} new, {} changed, {} unchanged, {} missing) in {:.1}s · 共{}行，有效{}行，导入{}行（新增{}，变更{}，未变{}，未列出{}）",
        region.name,
        outcome.rows,
        outcome.valid,
        outcome.rows - outcome.valid,
        outcome.imported,
        outcome.added,
        outcome.updated,
        outcome.unchanged,
        outcome.missing.len(),
        started.elapsed().as_secs_f64(),
        outcome.rows,
        outcome.valid,
        outcome.imported,
        outcome.added,
        outcome.updated,
        outcome.unchanged,
        outcome.missing.len()
    );
    if outcome.imported > 0 {
        store::audit::append(
            &db.pool,
            &store::audit::Entry {
                user_id: None,
                username: "cli",
                action: "import",
                target_type: "volunteers",
                target_id: &region.path,
                detail: &format!(
                    "{} of {} rows ({} added, {} updated)",
                    outcome.imported, outcome.rows, outcome.added, outcome.updated
                ),
            },
        )
        .await
        .map_err(|e| e.to_string())?;
    }
    if outcome.imported == 0 && !outcome.errors.is_empty() && !(opts.skip_invalid && outcome.valid > 0) {
        let why = if opts.dry_run {
            "dry run: fix the rows above before importing · 检查发现错误，请改正后再导入"
        } else {
            "nothing imported because of the invalid rows above (or use --skip-invalid) · 有错误行，未导入任何数据"
        };
        return Err(why.into());
    }
    if opts.dry_run {
        println!("dry run: nothing imported · 仅检查，未导入");
    }
    Ok(())
}
