//! The schema's migrations, embedded in the binary, one list per dialect.
//!
//! Listed by hand rather than by `sqlx::migrate!`: that macro was the only
//! reason for sqlx's `macros` feature, which compiles sqlx-core, both drivers,
//! tokio and SQLite's C source a second time, for the compiler's host, in
//! every cold build (BENCHMARKS.md "From clone to ready"). Each migration is
//! made as the macro makes it (the same version, description, type and
//! checksum, through `sqlx::migrate::Migration::new`), so a database migrated
//! by an earlier build stays valid; a test checks the lists against the
//! folders, so a new file that is not listed fails the tests.

use std::borrow::Cow;
use std::future::Future;
use std::pin::Pin;

use sqlx::error::BoxDynError;
use sqlx::migrate::{Migration, MigrationSource, MigrationType, Migrator};

use crate::sql::Dialect;

/// The migrations, one list for both dialects (each has its own folder of
/// the same file names): `(file name, contents)` per dialect, in order.
macro_rules! embed {
    ($($file:literal),* $(,)?) => {
        const SQLITE: &[(&str, &str)] = &[$((
            $file,
            include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/migrations/sqlite/", $file)),
        )),*];
        const POSTGRES: &[(&str, &str)] = &[$((
            $file,
            include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/migrations/postgres/", $file)),
        )),*];
    };
}

embed!(
    "0001_init.sql",
    "0002_activity.sql",
    "0003_worker_tokens.sql",
    "0004_capabilities.sql",
    "0005_workers.sql",
    "0006_persons.sql",
    "0007_workspace_usage.sql",
    "0008_search.sql",
    "0009_search_names.sql",
    "0010_text_vectors.sql",
    "0011_frame_vectors.sql",
    "0012_person_vectors.sql",
    "0013_team.sql",
    "0014_blob_gc.sql",
    "0015_media_stored.sql",
    "0016_autoscale.sql",
    "0017_billing.sql",
);

fn files(dialect: Dialect) -> &'static [(&'static str, &'static str)] {
    match dialect {
        Dialect::Sqlite => SQLITE,
        Dialect::Postgres => POSTGRES,
    }
}

/// How many migrations the dialect's schema has.
pub(crate) fn count(dialect: Dialect) -> usize {
    files(dialect).len()
}

/// The migrator of a dialect, ready to run.
pub(crate) async fn migrator(dialect: Dialect) -> Result<Migrator, sqlx::migrate::MigrateError> {
    Migrator::new(Embedded(dialect)).await
}

/// A dialect's embedded list as sqlx's source of migrations.
#[derive(Debug)]
struct Embedded(Dialect);

impl MigrationSource<'static> for Embedded {
    fn resolve(
        self,
    ) -> Pin<Box<dyn Future<Output = Result<Vec<Migration>, BoxDynError>> + Send + 'static>> {
        Box::pin(std::future::ready(resolve(files(self.0))))
    }
}

/// Parses `<version>_<description>.sql` as sqlx's folder source does.
fn resolve(files: &'static [(&'static str, &'static str)]) -> Result<Vec<Migration>, BoxDynError> {
    let mut migrations = files
        .iter()
        .map(|&(name, sql)| {
            let (version, rest) = name
                .split_once('_')
                .ok_or_else(|| format!("migration {name:?} has no `<version>_` prefix"))?;
            let version: i64 = version
                .parse()
                .map_err(|_| format!("migration {name:?} has no integer version"))?;
            let kind = MigrationType::from_filename(rest);
            let description = rest.trim_end_matches(kind.suffix()).replace('_', " ");
            Ok(Migration::new(
                version,
                Cow::Owned(description),
                kind,
                Cow::Borrowed(sql),
                sql.starts_with("-- no-transaction"),
            ))
        })
        .collect::<Result<Vec<_>, BoxDynError>>()?;
    migrations.sort_by_key(|m| (m.version, m.migration_type.is_down_migration()));
    Ok(migrations)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    /// The embedded lists are the folders, migration for migration, and each
    /// is what sqlx makes from the file (so the checksums recorded by
    /// databases that earlier builds migrated still match).
    #[tokio::test]
    async fn the_embedded_migrations_are_the_folders() {
        for (dialect, dir) in [(Dialect::Sqlite, "sqlite"), (Dialect::Postgres, "postgres")] {
            let folder = Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("migrations")
                .join(dir);
            let from_folder = Migrator::new(folder.as_path()).await.expect("the folder");
            let embedded = migrator(dialect).await.expect("the embedded list");
            let summary = |m: &Migrator| {
                m.iter()
                    .map(|m| {
                        (
                            m.version,
                            m.description.to_string(),
                            m.migration_type,
                            m.checksum.to_vec(),
                            m.no_tx,
                        )
                    })
                    .collect::<Vec<_>>()
            };
            assert_eq!(
                summary(&embedded),
                summary(&from_folder),
                "{dir}: a migration file is not listed in migrations.rs, or differs"
            );
            assert_eq!(count(dialect), from_folder.iter().count());
        }
    }
}
