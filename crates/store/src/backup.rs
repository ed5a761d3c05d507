//! Backups of the embedded default: a consistent online copy of the SQLite database
//! (`VACUUM INTO`, which reads one snapshot while others keep writing) and of the blob
//! directory. Blobs are immutable and content-addressed, so copying them after the
//! database snapshot gives every row its file.

use crate::db::Db;
use crate::error::{StoreError, StoreResult};
use anyhow::Context;
use std::path::{Path, PathBuf};

/// The database file's name inside a data directory and inside a backup.
pub const DATABASE_FILE: &str = "vanphong.db";
/// The blob directory's name inside a data directory and inside a backup.
pub const BLOB_DIR: &str = "blobs";

/// What a backup or restore copied.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CopySummary {
    pub database_bytes: u64,
    pub blob_files: u64,
    pub blob_bytes: u64,
}

/// Files to copy under a directory, relative paths with sizes.
fn files_under(root: &Path) -> StoreResult<Vec<(PathBuf, u64)>> {
    let mut out = Vec::new();
    if !root.exists() {
        return Ok(out);
    }
    let mut stack = vec![root.to_owned()];
    while let Some(dir) = stack.pop() {
        for entry in
            std::fs::read_dir(&dir).with_context(|| format!("reading {}", dir.display()))?
        {
            let entry = entry.context("reading a directory entry")?;
            let meta = entry.metadata().context("reading file metadata")?;
            if meta.is_dir() {
                stack.push(entry.path());
            } else if let Ok(relative) = entry.path().strip_prefix(root) {
                out.push((relative.to_owned(), meta.len()));
            }
        }
    }
    out.sort();
    Ok(out)
}

/// Counts the work a copy of `blob_root` will do, for a progress bar: (files, bytes).
pub fn blob_totals(blob_root: &Path) -> StoreResult<(u64, u64)> {
    let files = files_under(&blob_root.join("sha256"))?;
    Ok((files.len() as u64, files.iter().map(|(_, s)| s).sum()))
}

fn copy_tree(
    from: &Path,
    to: &Path,
    progress: &mut dyn FnMut(u64),
    summary: &mut CopySummary,
) -> StoreResult<()> {
    for (relative, size) in files_under(from)? {
        let target = to.join(&relative);
        if let Some(parent) = target.parent() {
            std::fs::create_dir_all(parent)
                .with_context(|| format!("creating {}", parent.display()))?;
        }
        if !target.exists() {
            std::fs::copy(from.join(&relative), &target)
                .with_context(|| format!("copying {}", relative.display()))?;
        }
        summary.blob_files += 1;
        summary.blob_bytes += size;
        progress(size);
    }
    Ok(())
}

/// Writes a backup of a running SQLite installation into `target` (which must be empty
/// or absent). `progress` is called with the bytes of each blob copied.
pub async fn backup(
    db: &Db,
    blob_root: &Path,
    target: &Path,
    mut progress: impl FnMut(u64),
) -> StoreResult<CopySummary> {
    let Db::Sqlite(pool) = db else {
        return Err(StoreError::Invalid(
            "backup copies the embedded SQLite database; for PostgreSQL use pg_dump and your object store's replication"
                .into(),
        ));
    };
    if target.exists()
        && std::fs::read_dir(target)
            .map(|mut d| d.next().is_some())
            .unwrap_or(true)
    {
        return Err(StoreError::Invalid(format!(
            "the backup directory {} is not empty; choose a new directory",
            target.display()
        )));
    }
    std::fs::create_dir_all(target).with_context(|| format!("creating {}", target.display()))?;
    let database_path = target.join(DATABASE_FILE);
    sqlx::query("VACUUM INTO $1")
        .bind(database_path.to_string_lossy().into_owned())
        .execute(pool)
        .await?;
    let mut summary = CopySummary {
        database_bytes: std::fs::metadata(&database_path)
            .map(|m| m.len())
            .unwrap_or(0),
        ..Default::default()
    };
    copy_tree(
        &blob_root.join("sha256"),
        &target.join(BLOB_DIR).join("sha256"),
        &mut progress,
        &mut summary,
    )?;
    Ok(summary)
}

/// Restores a backup into a data directory. Refuses to replace an existing database
/// unless `force` is set; the server must not be running on that directory.
pub fn restore(
    source: &Path,
    data_dir: &Path,
    force: bool,
    mut progress: impl FnMut(u64),
) -> StoreResult<CopySummary> {
    let source_db = source.join(DATABASE_FILE);
    if !source_db.is_file() {
        return Err(StoreError::Invalid(format!(
            "{} holds no backup: {} is missing",
            source.display(),
            DATABASE_FILE
        )));
    }
    let target_db = data_dir.join(DATABASE_FILE);
    if target_db.exists() && !force {
        return Err(StoreError::Invalid(format!(
            "{} already holds a database; add --force to replace it",
            data_dir.display()
        )));
    }
    std::fs::create_dir_all(data_dir)
        .with_context(|| format!("creating {}", data_dir.display()))?;
    // Copy beside the target, then rename: an interrupted restore leaves the old database.
    let staging = data_dir.join(format!("{DATABASE_FILE}.restoring"));
    std::fs::copy(&source_db, &staging).context("copying the database")?;
    for suffix in ["-wal", "-shm"] {
        let _ = std::fs::remove_file(data_dir.join(format!("{DATABASE_FILE}{suffix}")));
    }
    std::fs::rename(&staging, &target_db).context("putting the restored database in place")?;
    let mut summary = CopySummary {
        database_bytes: std::fs::metadata(&target_db).map(|m| m.len()).unwrap_or(0),
        ..Default::default()
    };
    copy_tree(
        &source.join(BLOB_DIR).join("sha256"),
        &data_dir.join(BLOB_DIR).join("sha256"),
        &mut progress,
        &mut summary,
    )?;
    Ok(summary)
}
