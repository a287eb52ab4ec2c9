//! What every table group uses: the transaction type, prepared-statement helpers, the change
//! sequence, PostgreSQL's errors.

use tokio_postgres::Row;
use tokio_postgres::types::ToSql;

use crate::store::contract::StoreError;

/// A transaction on a pooled connection; statements prepared through it are cached per connection.
pub(super) type Tx<'a> = deadpool_postgres::Transaction<'a>;

/// Parameters of a statement.
pub(super) type Params<'a> = &'a [&'a (dyn ToSql + Sync)];

impl From<tokio_postgres::Error> for StoreError {
    fn from(e: tokio_postgres::Error) -> Self {
        // A value PostgreSQL refuses (SQLSTATE class 22: a NUL in a text, a number out of range)
        // is refused again on every retry: the request's fault, not the store's.
        match e.as_db_error() {
            Some(db) if db.code().code().starts_with("22") => {
                StoreError::Invalid(format!("the store refused a value: {}", db.message()))
            }
            _ => StoreError::backend("postgres", e),
        }
    }
}

/// Every row of a (cached) statement.
pub(super) async fn rows(tx: &Tx<'_>, sql: &str, params: Params<'_>) -> Result<Vec<Row>, StoreError> {
    let st = tx.prepare_cached(sql).await?;
    Ok(tx.query(&st, params).await?)
}

/// The one row of a statement, if any.
pub(super) async fn row(tx: &Tx<'_>, sql: &str, params: Params<'_>) -> Result<Option<Row>, StoreError> {
    let st = tx.prepare_cached(sql).await?;
    Ok(tx.query_opt(&st, params).await?)
}

/// The first column of the one row of a statement that always returns one (a count, a sum).
pub(super) async fn one<T: for<'a> tokio_postgres::types::FromSql<'a>>(
    tx: &Tx<'_>,
    sql: &str,
    params: Params<'_>,
) -> Result<T, StoreError> {
    let st = tx.prepare_cached(sql).await?;
    Ok(tx.query_one(&st, params).await?.try_get(0)?)
}

/// Whether a statement returns any row.
pub(super) async fn exists(tx: &Tx<'_>, sql: &str, params: Params<'_>) -> Result<bool, StoreError> {
    Ok(!rows(tx, sql, params).await?.is_empty())
}

/// Runs a statement; how many rows it changed.
pub(super) async fn exec(tx: &Tx<'_>, sql: &str, params: Params<'_>) -> Result<u64, StoreError> {
    let st = tx.prepare_cached(sql).await?;
    Ok(tx.execute(&st, params).await?)
}

/// Takes the next number of the global change sequence. The counter row stays locked until the
/// transaction ends, so numbers commit in order and a change feed never skips an uncommitted one.
pub(super) async fn next_seq(tx: &Tx<'_>) -> Result<i64, StoreError> {
    one(tx, "UPDATE counters SET value = value + 1 WHERE name = 'seq' RETURNING value", &[]).await
}

/// Locks the change counter now, before any row: the one lock order of every transaction that
/// both locks rows and takes change numbers (an event-log worker's run, an ingested batch, viewer
/// results, a seller's action, posting, a render's finish, the cleanup's retirement). Two such
/// transactions taking them in different orders would deadlock (PostgreSQL aborts one after a
/// second's wait); a transaction holding the counter already takes it again at no cost.
pub(super) async fn lock_changes(tx: &Tx<'_>) -> Result<(), StoreError> {
    exec(tx, "SELECT 1 FROM counters WHERE name = 'seq' FOR UPDATE", &[]).await.map(drop)
}

/// The current value of the change sequence.
pub(super) async fn current_seq(tx: &Tx<'_>) -> Result<i64, StoreError> {
    one(tx, "SELECT value FROM counters WHERE name = 'seq'", &[]).await
}
