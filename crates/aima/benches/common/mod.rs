//! What the benchmarks share: percentiles, a throw-away PostgreSQL
//! database, and writing a table between markers in BENCHMARKS.md.

#![allow(dead_code)] // each bench uses its own subset

pub fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

/// A new database on the PostgreSQL server at `base`.
pub async fn postgres_db(base: &str) -> String {
    use sqlx::Connection;
    let name = format!("aima_bench_{}", uuid::Uuid::new_v4().simple());
    let mut conn = sqlx::PgConnection::connect(base).await.expect("connect");
    sqlx::query(&format!("CREATE DATABASE {name}"))
        .execute(&mut conn)
        .await
        .expect("create db");
    let (prefix, _) = base.rsplit_once('/').expect("db in URL");
    format!("{prefix}/{name}")
}

/// Replaces what lies between `<!-- {marker}:start -->` and
/// `<!-- {marker}:end -->` in BENCHMARKS.md with a dated note and `table`.
pub fn write_table(marker: &str, note: &str, table: &str) {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../BENCHMARKS.md");
    let doc = std::fs::read_to_string(&path).unwrap_or_default();
    let (start, end) = (
        format!("<!-- {marker}:start -->"),
        format!("<!-- {marker}:end -->"),
    );
    let (Some(a), Some(b)) = (doc.find(&start), doc.find(&end)) else {
        eprintln!("BENCHMARKS.md has no {start} ... {end} markers; table not written");
        return;
    };
    let cores = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(0);
    let stamp = std::process::Command::new("date")
        .arg("-u")
        .arg("+%Y-%m-%d")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
        .unwrap_or_default();
    let new = format!("{start}\nMeasured {stamp} on {cores} cores {note}.\n\n{table}{end}");
    let updated = format!("{}{}{}", &doc[..a], new, &doc[b + end.len()..]);
    std::fs::write(&path, updated).expect("write BENCHMARKS.md");
    eprintln!("BENCHMARKS.md updated");
}
