//! `laobing backup FILE` and `laobing restore FILE`.
//!
//! SQLite: `VACUUM INTO` writes a consistent copy while the server keeps
//! serving; restoring puts a copy back in place of the database file (stop the
//! server first). PostgreSQL: `pg_dump` in its custom format (a consistent
//! snapshot, also while serving) and `pg_restore --clean` back into the
//! database; both must be on the PATH (the postgresql-client package).
//! Sealed ID numbers and phones stay sealed in a backup: keep the data
//! directory's `secret.key` (or `LAOBING_SECRET_KEY`) with it, or they cannot be read.

use crate::store::{self, Db};
use std::path::Path;
use std::process::Command;

pub async fn backup(db: &Db, url: &str, file: &Path) -> Result<String, String> {
    if file.exists() {
        return Err(format!("{} already exists; a backup never overwrites · 备份文件已存在，不会覆盖", file.display()));
    }
    if db.is_postgres() {
        run(Command::new("pg_dump").args(["--format=custom", "--no-owner", "--file"]).arg(file).arg(url))?;
    } else {
        let target = file.to_str().ok_or("the backup path must be valid UTF-8")?;
        store::vacuum_into(&db.pool, target).await.map_err(|e| e.to_string())?;
    }
    let size = std::fs::metadata(file).map(|m| m.len()).unwrap_or(0);
    Ok(format!(
        "backup written · 备份完成: {} ({} KB). Keep secret.key with it · 请同时妥善保管 secret.key",
        file.display(),
        size / 1024
    ))
}

pub async fn restore(url: &str, file: &Path) -> Result<String, String> {
    if !file.exists() {
        return Err(format!("{} does not exist · 备份文件不存在", file.display()));
    }
    if store::is_postgres(url) {
        run(Command::new("pg_restore")
            .args(["--clean", "--if-exists", "--no-owner", "--single-transaction", "--dbname"])
            .arg(url)
            .arg(file))?;
    } else {
        // copied next to the database first and checked there, then moved into
        // place in one rename, so a wrong file never replaces a good database
        let path = store::sqlite_path(url);
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(|e| e.to_string())?;
        }
        let staged = with_suffix(&path, ".restoring");
        std::fs::copy(file, &staged).map_err(|e| format!("{}: {e}", staged.display()))?;
        let checked = match store::connect(&format!("sqlite://{}", staged.display())).await {
            Ok(pool) => {
                let ours = store::has_migrations(&pool).await;
                if let store::Pool::Sqlite(p) = &pool {
                    // fold the staged copy's WAL back so the rename moves one whole file
                    let _ = sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)").execute(p).await;
                    p.close().await;
                }
                ours
            }
            Err(_) => false,
        };
        for side in ["-wal", "-shm"] {
            let _ = std::fs::remove_file(with_suffix(&staged, side));
        }
        if !checked {
            let _ = std::fs::remove_file(&staged);
            return Err("not a Laobing backup · 不是老兵系统的备份".into());
        }
        for side in ["-wal", "-shm"] {
            let _ = std::fs::remove_file(with_suffix(&path, side));
        }
        std::fs::rename(&staged, &path).map_err(|e| format!("{}: {e}", path.display()))?;
    }
    Ok(format!("restored · 已恢复 from {}", file.display()))
}

fn run(cmd: &mut Command) -> Result<(), String> {
    let name = cmd.get_program().to_string_lossy().to_string();
    let out = cmd.output().map_err(|e| format!("cannot run {name} (install postgresql-client): {e}"))?;
    if out.status.success() {
        Ok(())
    } else {
        Err(format!("{name} failed: {}", String::from_utf8_lossy(&out.stderr).trim()))
    }
}

fn with_suffix(path: &Path, suffix: &str) -> std::path::PathBuf {
    let mut name = path.file_name().map(|n| n.to_os_string()).unwrap_or_default();
    name.push(suffix);
    path.with_file_name(name)
}
