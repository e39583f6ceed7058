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
        let (url, password) = without_password(url)?;
        let mut cmd = Command::new("pg_dump");
        cmd.args(["--format=custom", "--no-owner", "--file"]).arg(file).arg(url);
        run(with_password(&mut cmd, password))?;
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
        let (url, password) = without_password(url)?;
        let mut cmd = Command::new("pg_restore");
        cmd.args(["--clean", "--if-exists", "--no-owner", "--single-transaction", "--dbname"]).arg(url).arg(file);
        run(with_password(&mut cmd, password))?;
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

/// The database URL with its password taken out, and the password: the
/// command line of pg_dump and pg_restore can be read by anyone on the machine
/// (`ps`), their environment cannot.
fn without_password(url: &str) -> Result<(String, Option<String>), String> {
    let mut parsed = url::Url::parse(url).map_err(|e| format!("database URL: {e} · 数据库地址无效"))?;
    let password = parsed
        .password()
        .map(|p| percent_encoding::percent_decode_str(p).decode_utf8_lossy().into_owned())
        .filter(|p| !p.is_empty());
    if password.is_some() {
        parsed.set_password(None).map_err(|_| "database URL: cannot take the password out · 数据库地址无效")?;
    }
    Ok((parsed.to_string(), password))
}

fn with_password(cmd: &mut Command, password: Option<String>) -> &mut Command {
    if let Some(p) = password {
        cmd.env("PGPASSWORD", p);
    }
    cmd
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

#[cfg(test)]
mod tests {
    use super::without_password;

    #[test]
    fn the_password_leaves_the_command_line() {
        let (url, password) =
            without_password("postgres://town:s%40cret@db.local:5433/laobing?sslmode=require").expect("url");
        assert_eq!(url, "postgres://town@db.local:5433/laobing?sslmode=require");
        assert_eq!(password.as_deref(), Some("s@cret"));
        let (url, password) = without_password("postgres://postgres@127.0.0.1:5432/laobing").expect("url");
        assert_eq!(url, "postgres://postgres@127.0.0.1:5432/laobing");
        assert_eq!(password, None);
    }
}
