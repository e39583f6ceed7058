//! The two-database promise: after migration, SQLite and PostgreSQL hold the
//! same tables with the same columns, each alike in name, nullability and
//! type (mapped to the few kinds both engines share). A migration written for
//! one side only fails here. Kinds are compared as `(kind, nullable)`.

use crate::common::{postgres_available, spawn, Backend};
use laobing::store::Pool;
use std::collections::BTreeMap;

/// table → column → (kind, nullable)
type Schema = BTreeMap<String, BTreeMap<String, (&'static str, bool)>>;

/// The kinds both engines share. SQLite keeps times, dates and JSON as text.
fn kind(declared: &str) -> &'static str {
    let t = declared.to_ascii_uppercase();
    match t.as_str() {
        "BIGINT" | "INTEGER" | "INT" | "SMALLINT" | "BIGSERIAL" | "SERIAL" | "INT8" | "INT4" => "integer",
        "DOUBLE" | "DOUBLE PRECISION" | "REAL" | "FLOAT8" | "NUMERIC" => "real",
        "BOOLEAN" | "BOOL" => "boolean",
        "BLOB" | "BYTEA" => "bytes",
        "TEXT" | "VARCHAR" | "CHARACTER VARYING" | "DATE" | "DATETIME" | "TIMESTAMPTZ" | "JSON" | "JSONB" => "text",
        _ if t.starts_with("TIMESTAMP") => "text",
        _ => "unknown",
    }
}

async fn sqlite_schema(pool: &Pool) -> Schema {
    let Pool::Sqlite(p) = pool else { panic!("not SQLite") };
    let tables: Vec<String> = sqlx::query_scalar(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name <> '_sqlx_migrations'",
    )
    .fetch_all(p)
    .await
    .expect("tables");
    let mut out = Schema::new();
    for t in tables {
        let cols: Vec<(String, String, i64, i64)> =
            sqlx::query_as(&format!("SELECT name, type, \"notnull\", pk FROM pragma_table_info('{t}')"))
                .fetch_all(p)
                .await
                .expect("columns");
        // an INTEGER PRIMARY KEY is the row id: never null, though SQLite does not say so
        out.insert(t, cols.into_iter().map(|(n, ty, nn, pk)| (n, (kind(&ty), nn == 0 && pk == 0))).collect());
    }
    out
}

async fn postgres_schema(pool: &Pool) -> Schema {
    let Pool::Postgres(p) = pool else { panic!("not PostgreSQL") };
    let cols: Vec<(String, String, String, String)> = sqlx::query_as(
        "SELECT c.table_name::text, c.column_name::text, c.data_type::text, c.is_nullable::text
           FROM information_schema.columns c
           JOIN information_schema.tables t ON t.table_schema = c.table_schema AND t.table_name = c.table_name
          WHERE c.table_schema = 'public' AND t.table_type = 'BASE TABLE' AND c.table_name <> '_sqlx_migrations'
            -- the commit counter for kept pages (migration 0039); SQLite's is built in
            AND c.table_name <> 'data_version'",
    )
    .fetch_all(p)
    .await
    .expect("columns");
    let mut out = Schema::new();
    for (t, c, ty, nullable) in cols {
        let ty = match ty.as_str() {
            "timestamp with time zone" => "TIMESTAMPTZ",
            other => other,
        };
        out.entry(t).or_default().insert(c, (kind(ty), nullable == "YES"));
    }
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_and_postgres_have_the_same_tables_and_columns() {
    if !postgres_available().await {
        return;
    }
    let (Some(lite), Some(pg)) = (spawn(Backend::Sqlite).await, spawn(Backend::Postgres).await) else {
        panic!("both databases should start");
    };
    let (a, b) = (sqlite_schema(&lite.db.pool).await, postgres_schema(&pg.db.pool).await);
    assert!(a.len() > 30, "the migrations made only {} SQLite tables", a.len());
    for (t, cols) in a.iter() {
        for (c, (k, _)) in cols {
            assert_ne!(*k, "unknown", "SQLite {t}.{c} has a type this test does not know; map it in `kind`");
        }
    }
    let found = differences(&a, &b);
    assert!(found.is_empty(), "the schemas differ:\n{}", found.join("\n"));

    // and a migration run on one side only is seen: a column SQLite alone has
    let Pool::Sqlite(p) = &lite.db.pool else { unreachable!() };
    sqlx::query("ALTER TABLE volunteers ADD COLUMN nickname TEXT").execute(p).await.expect("alter");
    let found = differences(&sqlite_schema(&lite.db.pool).await, &b);
    assert_eq!(found, vec!["volunteers.nickname: SQLite Some((\"text\", true)), PostgreSQL None".to_string()]);
}

/// Every table or column that is not alike on both sides, one line each.
fn differences(a: &Schema, b: &Schema) -> Vec<String> {
    let mut out = Vec::new();
    for t in a.keys().chain(b.keys()).collect::<std::collections::BTreeSet<_>>() {
        match (a.get(t), b.get(t)) {
            (Some(_), None) => out.push(format!("table {t}: only in SQLite")),
            (None, Some(_)) => out.push(format!("table {t}: only in PostgreSQL")),
            (Some(ca), Some(cb)) => {
                for c in ca.keys().chain(cb.keys()).collect::<std::collections::BTreeSet<_>>() {
                    match (ca.get(c), cb.get(c)) {
                        (Some(x), Some(y)) if x == y => {}
                        (x, y) => out.push(format!("{t}.{c}: SQLite {x:?}, PostgreSQL {y:?}")),
                    }
                }
            }
            (None, None) => {}
        }
    }
    out
}
