//! Search: one index of every kind of record, inside the database and written in the same
//! transaction as the record, and the search itself with the reader's permissions in the
//! query.
//!
//! The index is the `search_entries` table (the text as written, for snippets) and its words
//! (an FTS5 table on SQLite; on PostgreSQL the `search_words` table, a tsvector under the
//! entry's id, partitioned by ranges of ids, each range with its own GIN index), cut and folded by
//! `vanphong_core::search`. A kind of record is a [`Kind`]; the records of a kind come from
//! a source module that knows how to build their entries and who may see them
//! ([`documents`] for incoming and outgoing documents, [`dossiers`] for procedure dossiers,
//! [`hotline`] for hotline cases, [`news`] for news articles). Adding a kind is a new
//! `Kind`, a source module beside these (one table: a [`records::Source`]), a call to its
//! `index_*` in the transactions that write the records, and one arm in [`search`] and
//! [`entries_of`].

/// Binds each value of a list built with [`Bind`] to a query, in order.
macro_rules! bind_all {
    ($query:expr, $binds:expr) => {{
        let mut q = $query;
        for b in $binds {
            q = match b {
                Bind::Text(v) => q.bind(v.clone()),
                Bind::Int(v) => q.bind(*v),
                Bind::Date(v) => q.bind(*v),
            };
        }
        q
    }};
}

pub mod attachments;
pub mod documents;
pub mod dossiers;
pub mod hotline;
pub mod news;
mod records;
pub mod saved;

use crate::db::{Db, Tx};
use crate::documents::lists::Bind;
use crate::error::StoreResult;
use chrono::NaiveDate;
use vanphong_core::ids::{UnitId, UserId};
use vanphong_core::permission::ReadScope;
use vanphong_core::search::{folded_text, SearchQuery};

/// A kind of searchable record. The code is stored in `search_entries.kind`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Kind {
    Incoming,
    Outgoing,
    Dossier,
    Hotline,
    News,
}

impl Kind {
    pub const ALL: [Kind; 5] = [
        Kind::Incoming,
        Kind::Outgoing,
        Kind::Dossier,
        Kind::Hotline,
        Kind::News,
    ];

    /// The kind's word in the SQLite word index's `kind` column: its code behind a
    /// private-use character, which FTS5 keeps inside a word and a typed query never holds
    /// (its words are letters and digits), so no search of the text matches a kind and the
    /// text needs no column filter (which cost FTS5 a third more on an AND of common words).
    fn index_token(self) -> String {
        format!("\u{E000}{}", self.code())
    }

    pub fn code(self) -> &'static str {
        match self {
            Self::Incoming => "incoming",
            Self::Outgoing => "outgoing",
            Self::Dossier => "dossier",
            Self::Hotline => "hotline",
            Self::News => "news",
        }
    }

    /// Incoming and outgoing documents: the kinds the document filters (unit, type, status,
    /// urgency) apply to.
    pub fn is_document(self) -> bool {
        matches!(self, Self::Incoming | Self::Outgoing)
    }

    pub fn parse(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.code() == code)
    }
}

/// The most characters of a record's body that are indexed and kept for snippets.
pub const BODY_MAX_CHARS: usize = 50_000;

/// How many matches, newest first, are ranked by relevance. A query that matches more
/// (a word found in most documents) is ranked among its newest `CANDIDATES` matches the
/// reader may see, and its counts say "more than". Precise queries match fewer and are
/// ranked in full. What a search costs is walking the newest matches of its words in the
/// index (an AND of common words, a phrase), so this is what keeps it within tens of
/// milliseconds at a million records (at 2,000 a multi-word query took twice as long).
pub const CANDIDATES: i64 = 1000;

/// How many of the newest matches of the words (of any kind, before the reader's scope and
/// the filters) a search looks at. A reader who sees a tenth of the records would otherwise
/// walk ten thousand matches of a common word to fill [`CANDIDATES`]; within this budget
/// they are ranked among what they may see of the newest 500 matches, and the counts say
/// "more than". Only when that leaves the page short does the search go further back (up
/// to [`CANDIDATES`] more), so a reader who sees few records still finds them. What a
/// search of common words costs grows with this budget (at a million documents, the
/// benchmark's mix: p95 33 ms at 1,000, 23 ms at 500).
pub const SCANNED: i64 = 500;

/// What one source found for a search: its candidates, and whether there may be more
/// (the counts are then lower bounds).
pub(crate) struct Found {
    pub candidates: Vec<Candidate>,
    pub more: bool,
}

/// The newest matches of a search's words, of every kind, looked up once per search and
/// shared by the sources (each used to walk the index again: a leader's search of
/// documents, dossiers, hotline cases and news walked it four times).
pub(crate) struct Matches {
    /// The engine's match expression: FTS5 on SQLite, tsquery text on PostgreSQL.
    expression: String,
    /// The newest [`SCANNED`] matches (fewer when that is all), newest first.
    ids: Vec<i64>,
    /// The kind code of each of `ids` (PostgreSQL reads it with the words; on SQLite it
    /// would cost a lookup per match, and the kinds are told apart in SQL instead).
    kinds: Option<Vec<String>>,
    /// Every match of the words is in `ids`.
    whole: bool,
    /// Above every entry's id when the matches were read.
    newest: i64,
}

impl Matches {
    /// The matches that may be of these kinds, newest first: all of them when the kinds
    /// are not known.
    fn of(&self, kinds: &[Kind]) -> Vec<i64> {
        match &self.kinds {
            None => self.ids.clone(),
            Some(codes) => self
                .ids
                .iter()
                .zip(codes)
                .filter(|(_, code)| kinds.iter().any(|k| k.code() == code.as_str()))
                .map(|(id, _)| *id)
                .collect(),
        }
    }

    /// Where a walk further back starts: below every match looked at.
    fn oldest(&self) -> i64 {
        self.ids.last().copied().unwrap_or(self.newest)
    }
}

/// The newest matches of an FTS5 expression below `upper`, at most [`SCANNED`]: the index
/// walks its doclists newest first and stops at the budget.
async fn sqlite_match_ids(
    pool: &sqlx::SqlitePool,
    expression: &str,
    upper: i64,
) -> StoreResult<Vec<i64>> {
    // One row holding the ids, not a row each (see [`sqlite_fetch_candidates`]).
    let list: Option<String> = sqlx::query_scalar(&format!(
        "SELECT group_concat(rowid) FROM (SELECT rowid FROM search_fts \
         WHERE search_fts MATCH $1 AND rowid < $2 ORDER BY rowid DESC LIMIT {SCANNED})"
    ))
    .bind(expression)
    .bind(upper)
    .fetch_one(pool)
    .await?;
    list.unwrap_or_default()
        .split(',')
        .filter(|id| !id.is_empty())
        .map(|id| {
            id.parse().map_err(|_| {
                crate::error::StoreError::Other(anyhow::anyhow!(
                    "the word index gave a row id that is not a number: {id}"
                ))
            })
        })
        .collect()
}

/// Runs a candidate query on SQLite (its columns: id, kind, record_date, title, reference)
/// and reads its rows as one JSON array. SQLite's driver hands every row from the
/// connection's thread to the caller's task on its own, copying each value: for the
/// thousand candidates of a search that cost more than the query (measured at a million
/// documents: 1,000 rows in 2.9–6.4 ms, the same rows as one array in 1.2–1.5 ms).
async fn sqlite_fetch_candidates(
    pool: &sqlx::SqlitePool,
    sql: &str,
    binds: &[Bind],
    extra: (&str, i64),
) -> StoreResult<Vec<Candidate>> {
    let sql = format!(
        "SELECT json_group_array(json_array(id, kind, record_date, title, reference)) FROM ({sql})"
    );
    let json: String = bind_all!(sqlx::query_scalar(&sql), binds)
        .bind(extra.0)
        .bind(extra.1)
        .fetch_one(pool)
        .await?;
    let rows: Vec<(i64, String, Option<NaiveDate>, String, String)> = serde_json::from_str(&json)
        .map_err(|e| {
        crate::error::StoreError::Other(anyhow::anyhow!("reading the search candidates: {e}"))
    })?;
    Ok(rows
        .into_iter()
        .map(|(id, kind, record_date, title, reference)| Candidate {
            id,
            kind,
            record_date,
            title,
            reference,
            score: 0,
        })
        .collect())
}

/// Looks up the newest matches of `query` (not empty) in the word index.
///
/// Without `shared` (no document kind is searched) the newest matches are not read: the
/// kinds with few records each go through their own entries, and the shared matches,
/// nearly all documents, would be read for nothing (a walk of up to
/// [`POSTGRES_WALK_ROWS`] rows on PostgreSQL).
pub(crate) async fn matches(db: &Db, query: &SearchQuery, shared: bool) -> StoreResult<Matches> {
    match db {
        Db::Sqlite(pool) => {
            let expression = sqlite_expression(pool, query).await?;
            let ids = if shared {
                sqlite_match_ids(pool, &expression, i64::MAX).await?
            } else {
                Vec::new()
            };
            let whole = shared && (ids.len() as i64) < SCANNED;
            Ok(Matches {
                expression,
                ids,
                kinds: None,
                whole,
                newest: i64::MAX,
            })
        }
        Db::Postgres(pool) => {
            let expression = tsquery_expression(query);
            let index_expression = tsquery_index_expression(query);
            let newest: i64 =
                sqlx::query_scalar("SELECT COALESCE(MAX(id), 0) + 1 FROM search_entries")
                    .fetch_one(pool)
                    .await?;
            let (rows, whole) = if shared {
                postgres_match_ids(pool, &expression, &index_expression, newest, SCANNED).await?
            } else {
                (Vec::new(), false)
            };
            let (ids, kinds) = rows.into_iter().unzip();
            Ok(Matches {
                expression,
                ids,
                kinds: Some(kinds),
                whole,
                newest,
            })
        }
    }
}

/// A source's candidate query on SQLite within the [`SCANNED`] budget. `sql` selects the
/// candidates from `{entries}` (the entries, `e`, or the word index joined to them) joined
/// to the records, where `{range}` (which binds `${n}`, n = `binds.len() + 1`, and
/// `${n + 1}`), ordered by `{order}`, `LIMIT {limit}`.
pub(crate) async fn sqlite_candidates(
    pool: &sqlx::SqlitePool,
    sql: &str,
    binds: &[Bind],
    matches: &Matches,
    kinds: &[Kind],
    need: usize,
) -> StoreResult<Found> {
    // A kind kept in a table of its own, with few records (news beside a million
    // documents), has its own newest matches: the words AND its code in the index's `kind`
    // column, so FTS5 steps through that kind's short list (measured at a million
    // documents: under a millisecond, where going back through every match of common words
    // took seconds). Documents, the bulk of the entries, take the shared matches.
    let (ids, whole, expression) = if kinds.iter().any(|k| k.is_document()) {
        (matches.of(kinds), matches.whole, matches.expression.clone())
    } else {
        let codes = kinds
            .iter()
            .map(|k| format!("\"{}\"", k.index_token()))
            .collect::<Vec<_>>()
            .join(" OR ");
        let expression = format!("{} AND ({codes})", matches.expression);
        let ids = sqlite_match_ids(pool, &expression, i64::MAX).await?;
        let whole = (ids.len() as i64) < SCANNED;
        (ids, whole, expression)
    };
    // The scope and the filters are checked on those matches by primary key, newest
    // first, a page of CANDIDATES ids at a time.
    let n = binds.len() + 1;
    let by_id = sql
        .replace(
            "{entries}",
            "search_entries e INDEXED BY search_entries_rank_idx",
        )
        .replace(
            "{range}",
            &format!(
                "e.id IN (SELECT value FROM json_each(${n})) AND ${} = 0",
                n + 1
            ),
        )
        .replace("{order}", "e.id DESC");
    let mut candidates: Vec<Candidate> = Vec::new();
    for chunk in ids.chunks(CANDIDATES as usize) {
        let list = format!(
            "[{}]",
            chunk
                .iter()
                .map(i64::to_string)
                .collect::<Vec<_>>()
                .join(",")
        );
        let sql = by_id.replace(
            "{limit}",
            &(CANDIDATES - candidates.len() as i64).to_string(),
        );
        candidates.extend(sqlite_fetch_candidates(pool, &sql, binds, (&list, 0)).await?);
        if candidates.len() as i64 >= CANDIDATES {
            return Ok(Found {
                candidates,
                more: true,
            });
        }
    }
    if whole {
        // Every match was looked at.
        return Ok(Found {
            candidates,
            more: false,
        });
    }
    if candidates.len() >= need {
        return Ok(Found {
            candidates,
            more: true,
        });
    }
    // The page is short: further back through the index, as many as the ranking takes.
    let rest = sql
        .replace(
            "{entries}",
            "search_fts JOIN search_entries e INDEXED BY search_entries_rank_idx ON e.id = search_fts.rowid",
        )
        .replace(
            "{range}",
            &format!("search_fts MATCH ${n} AND search_fts.rowid < ${}", n + 1),
        )
        .replace("{order}", "search_fts.rowid DESC")
        .replace("{limit}", &(CANDIDATES - candidates.len() as i64).to_string());
    candidates.extend(
        sqlite_fetch_candidates(
            pool,
            &rest,
            binds,
            (&expression, ids.last().copied().unwrap_or(i64::MAX)),
        )
        .await?,
    );
    let more = candidates.len() as i64 >= CANDIDATES;
    Ok(Found { candidates, more })
}

/// The shortest prefix looked up in `search_terms`; shorter ones have FTS5 prefix indexes.
const EXPANDED_PREFIX_CHARS: usize = 4;
/// A prefix that begins more words than this is left to FTS5.
const EXPANDED_PREFIX_TERMS: usize = 64;

/// The FTS5 expression for a query on SQLite: [`fts5_expression`], with a last word of four
/// letters or more being typed (`nhie`) replaced by the indexed words it begins (`nhiem`,
/// `nhieu`, `nhiet`), from `search_terms`. FTS5 reads such words newest first and stops;
/// a prefix without a prefix index it merges in full first (measured: 30 to 70 ms for a
/// common one at a million documents, against 1 ms).
async fn sqlite_expression(pool: &sqlx::SqlitePool, query: &SearchQuery) -> StoreResult<String> {
    let mut expansions: Vec<Option<Vec<String>>> = Vec::with_capacity(query.clauses.len());
    for clause in &query.clauses {
        let last = clause.words.last().map(|w| w.folded.as_str()).unwrap_or("");
        if !clause.prefix || last.chars().count() < EXPANDED_PREFIX_CHARS {
            expansions.push(None);
            continue;
        }
        let terms: Vec<String> = sqlx::query_scalar(&format!(
            "SELECT term FROM search_terms WHERE term >= $1 AND term < $2 ORDER BY term LIMIT {}",
            EXPANDED_PREFIX_TERMS + 1
        ))
        .bind(last)
        .bind(format!("{last}\u{10FFFF}"))
        .fetch_all(pool)
        .await?;
        if terms.is_empty() || terms.len() > EXPANDED_PREFIX_TERMS {
            expansions.push(None);
        } else {
            expansions.push(Some(terms));
        }
    }
    Ok(fts5_expression_expanded(query, &expansions))
}

/// Rows read one by one (newest first) before a search switches to the GIN index. Reading
/// a row and matching its words costs about 1.3 µs; an AND of common words through the GIN
/// index costs tens of milliseconds whatever it finds (measured: 30,000 was slower than
/// 100,000 on the benchmark's mix).
const POSTGRES_WALK_ROWS: i64 = 100_000;
/// Costs on 1M entries, 2 cores: reading and matching one row by primary key (measured);
/// the GIN index's fixed part and each of its matches read and sorted (fitted on the
/// benchmark's mix: the posting lists of six common words alone take about 27 ms, but
/// 25 ms here sent "biến đổi khí hậu Cà Mau" back to a 100 ms walk).
const WALK_ROW_NS: i64 = 1_250;
const GIN_FIXED_NS: i64 = 10_000_000;
const GIN_MATCH_NS: i64 = 5_000;

/// The ids of the newest matches of a tsquery, at most `limit`, below `upper`. The newest
/// rows are read one by one by primary key (`ts_match_vq`, which the GIN index cannot
/// serve): a common word fills `limit` there at once. How many matched tells how dense the
/// words are, hence how many more rows to read the same way; when that would pass
/// [`POSTGRES_WALK_ROWS`] the words are rare, and the rest comes from the GIN index, whose
/// matches are then few. (The planner cannot tell: it estimates a phrase a thousand times
/// rarer than it is, and reads every match of it through the index, rechecking each row.)
/// The density is the one seen in the rows just read: words absent from the newest entries
/// (a bulk load of hotline cases after a million documents) may be common further back,
/// so before the index is asked for several ranges at once after finding nothing, a short
/// walk looks again (measured at 10M entries, the newest 2M of other kinds: a common word
/// took 379 ms p50 through 64 ranges' matches at once).
/// Returns the ids and whether the table was read to its start.
async fn postgres_match_ids(
    pool: &sqlx::PgPool,
    tsquery: &str,
    index_tsquery: &str,
    upper: i64,
    limit: i64,
) -> StoreResult<(Vec<(i64, String)>, bool)> {
    let mut ids: Vec<(i64, String)> = Vec::new();
    let mut upper = upper;
    let phrase = tsquery.contains("<->");
    // The first walk is long enough to fill a common word's page; a look again is short.
    let mut width = 4096_i64;
    // Ranges asked of the index at once: grows while they hold nothing.
    let mut ranges = 1_i64;
    loop {
        // Rows read one by one in this stretch, and what they held.
        let mut walked = 0_i64;
        let mut found = 0_usize;
        loop {
            let lower = (upper - width).max(0);
            let rest = limit - ids.len() as i64;
            let got = newest_of(pool, tsquery, None, lower, upper, rest).await?;
            found += got.len();
            ids.extend(got);
            walked += upper - lower;
            if ids.len() as i64 >= limit {
                return Ok((ids, false));
            }
            if lower == 0 {
                return Ok((ids, true));
            }
            upper = lower;
            // Rows still to read at the density seen in this stretch.
            let needed = rows_needed(limit - ids.len() as i64, found, walked);
            // What the GIN index would cost instead: it reads every match below `upper`, as
            // many as that density promises. Not for a phrase: the index finds the rows
            // holding its words anywhere, and reads each to check their order.
            let gin_matches = (found as i64 + 1).saturating_mul(upper) / walked;
            if walked + needed > POSTGRES_WALK_ROWS
                || (!phrase && needed * WALK_ROW_NS > GIN_FIXED_NS + gin_matches * GIN_MATCH_NS)
            {
                if found > 0 {
                    // Rare here, not absent: as many ranges as this density needs.
                    ranges = (needed / SEARCH_PARTITION_IDS + 1).clamp(1, ranges * 4);
                }
                break;
            }
            width = (needed + needed / 2).clamp(4096, POSTGRES_WALK_ROWS - walked);
        }
        // Through the GIN indexes, range by range (a range is a partition), newest first:
        // as many ranges at once as the density seen says the rest needs (at least one, at
        // most four times the last), so a common word stops in the newest ranges and a rare
        // one reads them all in a few statements.
        loop {
            let lower = (partition_start(upper - 1) - (ranges - 1) * SEARCH_PARTITION_IDS).max(0);
            let rest = limit - ids.len() as i64;
            let got = newest_of(pool, tsquery, Some(index_tsquery), lower, upper, rest).await?;
            let found = got.len();
            ids.extend(got);
            if ids.len() as i64 >= limit {
                return Ok((ids, false));
            }
            if lower == 0 {
                return Ok((ids, true));
            }
            let span = upper - lower;
            upper = lower;
            if found == 0 {
                ranges *= 4;
                if ranges > 4 {
                    // Nothing in these ranges: before reading many at once, look again.
                    width = 1024;
                    break;
                }
            } else {
                let needed = rows_needed(limit - ids.len() as i64, found, span);
                ranges = (needed / SEARCH_PARTITION_IDS + 1).clamp(1, ranges * 4);
            }
        }
    }
}

/// The newest matches of a tsquery with ids in `lower..upper`, at most `limit`, as (id,
/// kind): through the GIN indexes when given what to ask them (`@@`, see
/// [`tsquery_index_expression`]; the tsquery itself is then matched on what they find, if it
/// differs), or else each row's words matched in turn as the primary key is walked newest
/// first (`ts_match_vq`, which the index cannot serve).
async fn newest_of(
    pool: &sqlx::PgPool,
    tsquery: &str,
    index_tsquery: Option<&str>,
    lower: i64,
    upper: i64,
    limit: i64,
) -> StoreResult<Vec<(i64, String)>> {
    let indexed = index_tsquery.is_some();
    let narrowed = index_tsquery.filter(|q| *q != tsquery);
    let condition = match (index_tsquery, narrowed) {
        (None, _) => "ts_match_vq(words, to_tsquery('simple', $1))",
        (Some(_), None) => "words @@ to_tsquery('simple', $1)",
        (Some(_), Some(_)) => {
            "words @@ to_tsquery('simple', $2) AND ts_match_vq(words, to_tsquery('simple', $1))"
        }
    };
    let newest_in = |lower: i64, upper: i64| {
        format!(
            "SELECT id, kind FROM search_words WHERE id >= {lower} AND id < {upper} \
             AND {condition} ORDER BY id DESC LIMIT {limit}"
        )
    };
    if !indexed || partition_start(upper - 1) <= lower {
        let sql = newest_in(lower, upper);
        let mut query = sqlx::query_as(&sql).bind(tsquery);
        if let Some(narrowed) = narrowed {
            query = query.bind(narrowed);
        }
        return Ok(query.fetch_all(pool).await?);
    }
    // Several ranges: asked of the parent table, the planner reads every match of every
    // range before sorting (at 10M entries, 48 ranges of a common word: 387 ms). One
    // subquery per range, newest first, under one LIMIT: the Append runs them in turn and
    // stops once the limit is met, so the ranges past the first that fills it are never
    // read. In turn only without parallel workers (a parallel Append runs them at once),
    // hence the transaction's setting.
    let mut parts = Vec::new();
    let mut top = upper;
    while top > lower {
        let bottom = partition_start(top - 1).max(lower);
        parts.push(format!("({})", newest_in(bottom, top)));
        top = bottom;
    }
    let sql = format!(
        "SELECT id, kind FROM ({}) m LIMIT {limit}",
        parts.join(" UNION ALL ")
    );
    let mut tx = pool.begin().await?;
    sqlx::query("SET LOCAL max_parallel_workers_per_gather = 0")
        .execute(&mut *tx)
        .await?;
    let mut query = sqlx::query_as(&sql).bind(tsquery);
    if let Some(narrowed) = narrowed {
        query = query.bind(narrowed);
    }
    let mut rows: Vec<(i64, String)> = query.fetch_all(&mut *tx).await?;
    tx.commit().await?;
    rows.sort_by_key(|row| std::cmp::Reverse(row.0));
    Ok(rows)
}

/// Rows still to read for `rest` more matches when `found` were met in `walked` rows (one
/// more match than seen, so that a window without any does not promise the whole table).
fn rows_needed(rest: i64, found: usize, walked: i64) -> i64 {
    rest.saturating_mul(walked) / (found as i64 + 1)
}

/// The ids of `search_words` are partitioned in ranges of this many (PostgreSQL), each with
/// its own GIN index; the same number is in migration 0017.
pub const SEARCH_PARTITION_IDS: i64 = 100_000;

/// The first id of the partition holding `id`.
fn partition_start(id: i64) -> i64 {
    id.max(0) / SEARCH_PARTITION_IDS * SEARCH_PARTITION_IDS
}

/// Partitions made ahead of the newest entry: an entry beyond them would land in the
/// default partition, which every search reads.
const PARTITIONS_AHEAD: i64 = 2;

/// How many ranges are made (`search_words_p0` to `search_words_p{n-1}`).
const PARTITIONS_MADE: &str =
    "SELECT COALESCE(MAX(substring(relname FROM '^search_words_p([0-9]+)$')::bigint) + 1, 0) \
     FROM pg_class WHERE relname ~ '^search_words_p[0-9]+$' AND relkind = 'r'";

/// Makes the partitions of `search_words` up to [`PARTITIONS_AHEAD`] beyond the newest
/// entry (PostgreSQL; nothing to do on SQLite), moving any words that landed in the default
/// partition meanwhile into theirs. Safe on several nodes at once (one makes them, under an
/// advisory lock) and cheap when there is nothing to do. Returns how many it made.
pub async fn ensure_partitions(db: &Db) -> StoreResult<u32> {
    let Db::Postgres(pool) = db else {
        return Ok(0);
    };
    let (newest, made): (i64, i64) = sqlx::query_as(&format!(
        "SELECT (SELECT COALESCE(MAX(id), 0) FROM search_entries), ({PARTITIONS_MADE})"
    ))
    .fetch_one(pool)
    .await?;
    let wanted = newest / SEARCH_PARTITION_IDS + 1 + PARTITIONS_AHEAD;
    if made >= wanted {
        return Ok(0);
    }
    let mut tx = pool.begin().await?;
    // One node makes them; the others wait here and then find them made.
    sqlx::query("SELECT pg_advisory_xact_lock(hashtext('vanphong.search_words.partitions'))")
        .execute(&mut *tx)
        .await?;
    let made: i64 = sqlx::query_scalar(PARTITIONS_MADE)
        .fetch_one(&mut *tx)
        .await?;
    let mut count = 0;
    for k in made..wanted {
        let (lower, upper) = (k * SEARCH_PARTITION_IDS, (k + 1) * SEARCH_PARTITION_IDS);
        // Made apart, filled from the default partition, then attached (which builds its
        // indexes and checks that the default partition holds none of its ids).
        for statement in [
            format!("CREATE TABLE search_words_p{k} (LIKE search_words INCLUDING DEFAULTS)"),
            format!(
                "INSERT INTO search_words_p{k} SELECT * FROM search_words_rest \
                 WHERE id >= {lower} AND id < {upper}"
            ),
            format!("DELETE FROM search_words_rest WHERE id >= {lower} AND id < {upper}"),
            format!(
                "ALTER TABLE search_words ATTACH PARTITION search_words_p{k} \
                 FOR VALUES FROM ({lower}) TO ({upper})"
            ),
        ] {
            sqlx::query(&statement).execute(&mut *tx).await?;
        }
        count += 1;
    }
    tx.commit().await?;
    if count > 0 {
        tracing::info!(partitions = count, "Made partitions of the search words.");
    }
    Ok(count)
}

/// The newest matches of a tsquery among the entries of one kind below `upper`, at most
/// `limit`, reading at most [`POSTGRES_WALK_ROWS`] of its entries newest first through the
/// (kind, id) index and matching each one's words. Returns the ids and, when the kind has
/// more entries below those read, the lowest id read (where a walk goes on).
async fn postgres_kind_match_ids(
    pool: &sqlx::PgPool,
    tsquery: &str,
    kind: Kind,
    upper: i64,
    limit: i64,
) -> StoreResult<(Vec<i64>, Option<i64>)> {
    let (ids, lowest, read): (Option<Vec<i64>>, Option<i64>, i64) = sqlx::query_as(&format!(
        "SELECT array_agg(id ORDER BY id DESC) FILTER (WHERE matched), MIN(id), COUNT(*) FROM \
         (SELECT id, ts_match_vq(words, to_tsquery('simple', $1)) AS matched FROM search_words \
          WHERE kind = $2 AND id < $3 ORDER BY id DESC LIMIT {POSTGRES_WALK_ROWS}) s"
    ))
    .bind(tsquery)
    .bind(kind.code())
    .bind(upper)
    .fetch_one(pool)
    .await?;
    let mut ids = ids.unwrap_or_default();
    ids.truncate(limit.max(0) as usize);
    let next = if read < POSTGRES_WALK_ROWS {
        None
    } else {
        lowest
    };
    Ok((ids, next))
}

/// A source's candidate query on PostgreSQL within the [`SCANNED`] budget. `sql` selects
/// the candidates from the entries joined to the records, with the marker `{range}` for
/// the condition on `e.id` (which binds `${n}`, n = `binds.len() + 1`), and
/// `LIMIT {limit}`, newest first.
pub(crate) async fn postgres_candidates(
    pool: &sqlx::PgPool,
    sql: &str,
    binds: &[Bind],
    matches: &Matches,
    kinds: &[Kind],
    need: usize,
) -> StoreResult<Found> {
    // The newest matches of the words of these kinds first, as ids; then the reader's
    // scope and the filters on those rows by primary key (the words are not read twice).
    let (ids, whole, tsquery) = (
        matches.of(kinds),
        matches.whole,
        matches.expression.as_str(),
    );
    let n = binds.len() + 1;
    let first = sql
        .replace("{range}", &format!("e.id = ANY(${n})"))
        .replace("{limit}", &CANDIDATES.to_string());
    let mut candidates = bind_all!(sqlx::query_as::<_, Candidate>(&first), binds)
        .bind(&ids)
        .fetch_all(pool)
        .await?;
    if whole {
        let more = candidates.len() as i64 >= CANDIDATES;
        return Ok(Found { candidates, more });
    }
    if candidates.len() >= need || candidates.len() as i64 >= CANDIDATES {
        return Ok(Found {
            candidates,
            more: true,
        });
    }
    let mut upper = matches.oldest();
    // A kind kept in a table of its own, with few records (news beside a million
    // documents): its own entries newest first, through (kind, id), instead of windows of
    // every kind's matches. Documents, the bulk of the entries, take the windows.
    if let [kind] = kinds {
        if !kind.is_document() {
            let (ids, next) = postgres_kind_match_ids(
                pool,
                tsquery,
                *kind,
                upper,
                CANDIDATES - candidates.len() as i64,
            )
            .await?;
            if !ids.is_empty() {
                candidates.extend(
                    bind_all!(sqlx::query_as::<_, Candidate>(&first), binds)
                        .bind(&ids)
                        .fetch_all(pool)
                        .await?,
                );
            }
            match next {
                None => {
                    let more = candidates.len() as i64 >= CANDIDATES;
                    return Ok(Found { candidates, more });
                }
                Some(_) if candidates.len() as i64 >= CANDIDATES => {
                    return Ok(Found {
                        candidates,
                        more: true,
                    })
                }
                Some(next) => upper = next,
            }
        }
    }
    // The page is short: further back, in windows, with the scope in the query.
    let mut width = 20_000_i64;
    loop {
        let lower = (upper - width).max(0);
        let rest = sql
            .replace(
                "{range}",
                &format!(
                    "e.id IN (SELECT id FROM search_words WHERE id >= {lower} AND id < {upper} \
                     AND words @@ to_tsquery('simple', ${n}))"
                ),
            )
            .replace(
                "{limit}",
                &(CANDIDATES - candidates.len() as i64).to_string(),
            );
        candidates.extend(
            bind_all!(sqlx::query_as::<_, Candidate>(&rest), binds)
                .bind(tsquery)
                .fetch_all(pool)
                .await?,
        );
        if candidates.len() as i64 >= CANDIDATES {
            return Ok(Found {
                candidates,
                more: true,
            });
        }
        if lower == 0 {
            return Ok(Found {
                candidates,
                more: false,
            });
        }
        upper = lower;
        width = width.saturating_mul(4);
    }
}

/// What goes into the index for one record.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Entry {
    pub kind: Kind,
    pub record_id: i64,
    pub title: String,
    pub reference: String,
    pub body: String,
    pub record_date: Option<NaiveDate>,
}

/// An entry's words as the engines receive them: folded (see `core::search`).
struct Words {
    title: String,
    body: String,
    reference: String,
    kind: Kind,
}

impl Entry {
    fn words(&self) -> Words {
        Words {
            title: folded_text(&self.title),
            body: folded_text(&self.body),
            reference: folded_text(&self.reference),
            kind: self.kind,
        }
    }
}

/// What the entries of these records of `kind` should say, from the records themselves.
pub(crate) async fn entries_of(tx: &mut Tx, kind: Kind, ids: &[i64]) -> StoreResult<Vec<Entry>> {
    match kind {
        Kind::Incoming | Kind::Outgoing => documents::entries(tx, ids).await,
        Kind::Dossier => dossiers::entries(tx, ids).await,
        Kind::Hotline => hotline::entries(tx, ids).await,
        Kind::News => news::entries(tx, ids).await,
    }
}

/// The kinds kept in one table each, beside the documents.
const SOURCES: [&records::Source; 3] = [&dossiers::SOURCE, &hotline::SOURCE, &news::SOURCE];

/// Entries per multi-row statement on SQLite (7 values each for the entries, 5 for the
/// words; SQLite takes up to 32,766 values in one statement).
const SQLITE_ROWS_PER_STATEMENT: usize = 100;

/// Inserts new entries (none of these records has one) and returns their ids, in the order
/// of `entries`: one multi-row statement per hundred entries instead of one per entry.
async fn sqlite_insert_entries(
    conn: &mut sqlx::SqliteConnection,
    entries: &[&Entry],
    now: chrono::DateTime<chrono::Utc>,
) -> StoreResult<Vec<i64>> {
    let mut ids = Vec::with_capacity(entries.len());
    for chunk in entries.chunks(SQLITE_ROWS_PER_STATEMENT) {
        // Anonymous parameters: the driver looks up each named one by name, in a list as long as
        // the statement's parameters (4% of a bulk indexing went there).
        let values = vec!["(?, ?, ?, ?, ?, ?, ?)"; chunk.len()].join(", ");
        let sql = format!(
            "INSERT INTO search_entries (kind, record_id, title, reference, body, record_date, indexed_at) \
             VALUES {values} RETURNING id, kind, record_id"
        );
        let mut query = sqlx::query_as::<_, (i64, String, i64)>(&sql);
        for entry in chunk {
            query = query
                .bind(entry.kind.code())
                .bind(entry.record_id)
                .bind(&entry.title)
                .bind(&entry.reference)
                .bind(&entry.body)
                .bind(entry.record_date)
                .bind(now);
        }
        let rows = query.fetch_all(&mut *conn).await?;
        // RETURNING gives no order: each row is matched by its (kind, record id), unique.
        let by_record: std::collections::HashMap<(&str, i64), i64> = rows
            .iter()
            .map(|(id, kind, record)| ((kind.as_str(), *record), *id))
            .collect();
        for entry in chunk {
            let id = by_record
                .get(&(entry.kind.code(), entry.record_id))
                .copied()
                .ok_or_else(|| {
                    crate::error::StoreError::Other(anyhow::anyhow!(
                        "a search entry was inserted without returning its id"
                    ))
                })?;
            ids.push(id);
        }
    }
    Ok(ids)
}

/// Adds the words of entries to the FTS table, a hundred rows per statement.
async fn sqlite_insert_words(
    conn: &mut sqlx::SqliteConnection,
    rows: &[(i64, Words)],
) -> StoreResult<()> {
    sqlite_insert_terms(conn, rows).await?;
    for chunk in rows.chunks(SQLITE_ROWS_PER_STATEMENT) {
        let values = vec!["(?, ?, ?, ?, ?)"; chunk.len()].join(", ");
        let sql =
            format!("INSERT INTO search_fts (rowid, title, body, reference, kind) VALUES {values}");
        let mut query = sqlx::query(&sql);
        for (id, words) in chunk {
            query = query
                .bind(*id)
                .bind(&words.title)
                .bind(&words.body)
                .bind(&words.reference)
                .bind(words.kind.index_token());
        }
        query.execute(&mut *conn).await?;
    }
    Ok(())
}

/// Adds the words of four letters or more of these entries to `search_terms`, the
/// vocabulary a word being typed is expanded against ([`sqlite_expression`]). Words are
/// never taken out: one no entry has any more only adds a branch that matches nothing.
async fn sqlite_insert_terms(
    conn: &mut sqlx::SqliteConnection,
    rows: &[(i64, Words)],
) -> StoreResult<()> {
    let mut terms: std::collections::BTreeSet<&str> = std::collections::BTreeSet::new();
    for (_, words) in rows {
        for text in [&words.title, &words.body, &words.reference] {
            terms.extend(
                text.split(' ')
                    .filter(|w| w.chars().count() >= EXPANDED_PREFIX_CHARS),
            );
        }
    }
    let terms: Vec<&str> = terms.into_iter().collect();
    for chunk in terms.chunks(500) {
        let values = vec!["(?)"; chunk.len()].join(", ");
        let sql = format!("INSERT OR IGNORE INTO search_terms (term) VALUES {values}");
        let mut query = sqlx::query(&sql);
        for term in chunk {
            query = query.bind(*term);
        }
        query.execute(&mut *conn).await?;
    }
    Ok(())
}

/// Writes (or rewrites) entries in the caller's transaction.
pub(crate) async fn write_entries(tx: &mut Tx, entries: &[Entry]) -> StoreResult<()> {
    if entries.is_empty() {
        return Ok(());
    }
    let now = crate::now();
    match tx {
        Tx::Sqlite(inner) => {
            let conn = &mut **inner;
            // Which of these records already have an entry, in one query.
            let ids = entries
                .iter()
                .map(|e| e.record_id.to_string())
                .collect::<Vec<_>>()
                .join(",");
            // Naming the kinds lets SQLite probe the (kind, record_id) index instead of
            // reading every entry (it was a full scan in each registration).
            let mut kinds: Vec<&str> = entries.iter().map(|e| e.kind.code()).collect();
            kinds.sort_unstable();
            kinds.dedup();
            let kinds = kinds
                .iter()
                .map(|k| format!("'{k}'"))
                .collect::<Vec<_>>()
                .join(",");
            let existing: Vec<(i64, String, i64)> = sqlx::query_as(&format!(
                "SELECT id, kind, record_id FROM search_entries WHERE kind IN ({kinds}) AND record_id IN ({ids})"
            ))
            .fetch_all(&mut *conn)
            .await?;
            let existing: std::collections::HashMap<(&str, i64), i64> = existing
                .iter()
                .map(|(id, kind, record)| ((kind.as_str(), *record), *id))
                .collect();
            let mut words = Vec::with_capacity(entries.len());
            let mut new = Vec::new();
            for entry in entries {
                let Some(&id) = existing.get(&(entry.kind.code(), entry.record_id)) else {
                    new.push(entry);
                    continue;
                };
                sqlx::query(
                    "UPDATE search_entries SET title = $1, reference = $2, body = $3, record_date = $4, \
                     indexed_at = $5 WHERE id = $6",
                )
                .bind(&entry.title)
                .bind(&entry.reference)
                .bind(&entry.body)
                .bind(entry.record_date)
                .bind(now)
                .bind(id)
                .execute(&mut *conn)
                .await?;
                sqlx::query("DELETE FROM search_fts WHERE rowid = $1")
                    .bind(id)
                    .execute(&mut *conn)
                    .await?;
                words.push((id, entry.words()));
            }
            let new_ids = sqlite_insert_entries(conn, &new, now).await?;
            words.extend(new_ids.into_iter().zip(new.iter().map(|e| e.words())));
            sqlite_insert_words(conn, &words).await?;
        }
        Tx::Postgres(inner) => {
            let conn = &mut **inner;
            let mut kinds = Vec::with_capacity(entries.len());
            let mut ids = Vec::with_capacity(entries.len());
            let mut titles = Vec::with_capacity(entries.len());
            let mut references = Vec::with_capacity(entries.len());
            let mut bodies = Vec::with_capacity(entries.len());
            let mut dates = Vec::with_capacity(entries.len());
            let mut head = Vec::with_capacity(entries.len());
            let mut rest = Vec::with_capacity(entries.len());
            for entry in entries {
                let words = entry.words();
                kinds.push(entry.kind.code().to_owned());
                ids.push(entry.record_id);
                titles.push(entry.title.clone());
                references.push(entry.reference.clone());
                bodies.push(entry.body.clone());
                dates.push(entry.record_date);
                head.push(format!("{} {}", words.reference, words.title));
                rest.push(words.body);
            }
            // The entry and its words in one statement: the words' row takes the entry's id
            // (new or kept by the upsert).
            sqlx::query(
                "WITH x AS (SELECT * FROM UNNEST($1::text[], $2::bigint[], $3::text[], $4::text[], $5::text[], \
                             $6::date[], $7::text[], $8::text[]) AS x(k, r, t, rf, b, dt, wa, wd)), \
                 e AS (INSERT INTO search_entries (kind, record_id, title, reference, body, record_date, indexed_at) \
                   SELECT k, r, t, rf, b, dt, $9 FROM x \
                   ON CONFLICT (kind, record_id) DO UPDATE SET title = excluded.title, reference = excluded.reference, \
                     body = excluded.body, record_date = excluded.record_date, indexed_at = excluded.indexed_at \
                   RETURNING id, kind, record_id) \
                 INSERT INTO search_words (id, kind, words) \
                 SELECT e.id, e.kind, setweight(to_tsvector('simple', x.wa), 'A') || to_tsvector('simple', x.wd) \
                 FROM e JOIN x ON x.k = e.kind AND x.r = e.record_id \
                 ON CONFLICT (id) DO UPDATE SET words = excluded.words",
            )
            .bind(&kinds)
            .bind(&ids)
            .bind(&titles)
            .bind(&references)
            .bind(&bodies)
            .bind(&dates)
            .bind(&head)
            .bind(&rest)
            .bind(now)
            .execute(&mut *conn)
            .await?;
        }
    }
    Ok(())
}

/// Writes the entries of records created in the caller's transaction, which have none yet.
/// On SQLite this skips the lookup of an existing entry; on PostgreSQL the upsert is the
/// same statement either way.
pub(crate) async fn insert_entries(tx: &mut Tx, entries: &[Entry]) -> StoreResult<()> {
    let Tx::Sqlite(inner) = tx else {
        return write_entries(tx, entries).await;
    };
    if entries.is_empty() {
        return Ok(());
    }
    let conn = &mut **inner;
    let all: Vec<&Entry> = entries.iter().collect();
    let ids = sqlite_insert_entries(conn, &all, crate::now()).await?;
    let words: Vec<(i64, Words)> = ids
        .into_iter()
        .zip(entries.iter().map(Entry::words))
        .collect();
    sqlite_insert_words(conn, &words).await
}

/// Removes the entries of records that no longer exist (or no longer belong in search).
pub(crate) async fn remove_entries(tx: &mut Tx, ids: &[i64]) -> StoreResult<()> {
    for id in ids {
        match tx {
            Tx::Sqlite(inner) => {
                let conn = &mut **inner;
                sqlx::query("DELETE FROM search_fts WHERE rowid = $1")
                    .bind(id)
                    .execute(&mut *conn)
                    .await?;
                sqlx::query("DELETE FROM search_entries WHERE id = $1")
                    .bind(id)
                    .execute(&mut *conn)
                    .await?;
            }
            Tx::Postgres(inner) => {
                let conn = &mut **inner;
                sqlx::query("DELETE FROM search_words WHERE id = $1")
                    .bind(id)
                    .execute(&mut *conn)
                    .await?;
                sqlx::query("DELETE FROM search_entries WHERE id = $1")
                    .bind(id)
                    .execute(&mut *conn)
                    .await?;
            }
        }
    }
    Ok(())
}

/// Records written before the index existed, or by a bulk loader that wrote rows directly:
/// indexes every record that has no entry, in batches, each batch one transaction. `migrate`
/// runs it, `serve` runs it in the background at start (so a database from before search
/// becomes searchable by itself while the server already answers), and so does the demo
/// loader. Safe to run on several nodes at once. Returns how many records it indexed.
pub async fn catch_up(db: &Db) -> StoreResult<u64> {
    catch_up_with(db, |_, _| {}).await
}

/// [`catch_up`], telling `progress` (done, total) after each batch.
pub async fn catch_up_with(db: &Db, mut progress: impl FnMut(u64, u64)) -> StoreResult<u64> {
    let mut missing: Vec<(Kind, Vec<i64>)> =
        vec![(Kind::Incoming, documents::unindexed(db).await?)];
    for source in SOURCES {
        missing.push((source.kind, source.unindexed(db).await?));
    }
    let total = missing.iter().map(|(_, ids)| ids.len() as u64).sum();
    if total > BULK_RECORDS {
        bulk_merging(db, true).await?;
    }
    let done = index_batches(db, &missing, CATCH_UP_BATCH, total, &mut progress).await?;
    if done > 0 {
        tracing::info!(
            records = done,
            "Indexed records that were not yet searchable."
        );
        optimize(db).await?;
    }
    Ok(done)
}

/// Writes the entries of these records, `size` records a transaction, telling `progress`
/// (done, total) after each. SQLite has one writer, so one transaction at a time; on
/// PostgreSQL two at once, on two connections, so that the server's two cores both work
/// (one transaction keeps one of its processes busy and ours a tenth of the other;
/// measured at 300,000 documents: 5,500 documents/s with one at a time).
async fn index_batches(
    db: &Db,
    lists: &[(Kind, Vec<i64>)],
    size: usize,
    total: u64,
    progress: &mut impl FnMut(u64, u64),
) -> StoreResult<u64> {
    let at_once = match db {
        Db::Sqlite(_) => 1,
        Db::Postgres(_) => 2,
    };
    let batches: Vec<(Kind, &[i64])> = lists
        .iter()
        .flat_map(|(kind, ids)| ids.chunks(size).map(move |batch| (*kind, batch)))
        .collect();
    let mut done = 0;
    for group in batches.chunks(at_once) {
        let written = futures::future::try_join_all(
            group
                .iter()
                .map(|(kind, batch)| index_batch(db, *kind, batch)),
        )
        .await?;
        for count in written {
            done += count;
            progress(done, total);
        }
    }
    Ok(done)
}

/// One transaction of [`index_batches`]: the entries of these records of `kind`.
async fn index_batch(db: &Db, kind: Kind, batch: &[i64]) -> StoreResult<u64> {
    ensure_partitions(db).await?;
    let mut tx = db.begin().await?;
    let entries = entries_of(&mut tx, kind, batch).await?;
    write_entries(&mut tx, &entries).await?;
    tx.commit().await?;
    Ok(batch.len() as u64)
}

/// Rebuilds every entry from the records (in batches, so searches keep working meanwhile),
/// removes entries whose record is gone, and tells `progress` (done, total).
pub async fn rebuild(db: &Db, mut progress: impl FnMut(u64, u64)) -> StoreResult<u64> {
    let mut all: Vec<(Kind, Vec<i64>)> = vec![(Kind::Incoming, documents::all_ids(db).await?)];
    for source in SOURCES {
        all.push((source.kind, source.all_ids(db).await?));
    }
    let total = all.iter().map(|(_, ids)| ids.len() as u64).sum();
    if total > BULK_RECORDS {
        bulk_merging(db, true).await?;
    }
    let done = index_batches(db, &all, 1000, total, &mut progress).await?;
    let mut orphans = documents::orphan_entries(db).await?;
    for source in SOURCES {
        orphans.extend(source.orphan_entries(db).await?);
    }
    if !orphans.is_empty() {
        let mut tx = db.begin().await?;
        remove_entries(&mut tx, &orphans).await?;
        tx.commit().await?;
    }
    if let Db::Postgres(pool) = db {
        // Words of no entry (every entry has had its words rewritten above).
        sqlx::query(
            "DELETE FROM search_words w WHERE NOT EXISTS (SELECT 1 FROM search_entries e WHERE e.id = w.id)",
        )
        .execute(pool)
        .await?;
    }
    optimize(db).await?;
    Ok(done)
}

/// Records a catch-up writes a transaction.
const CATCH_UP_BATCH: usize = 5000;

/// More records than one catch-up transaction holds make a catch-up or rebuild a bulk load
/// (see [`bulk_merging`]).
const BULK_RECORDS: u64 = CATCH_UP_BATCH as u64;

/// How many segments of one size SQLite's word index lets pile up before merging them into
/// one of the next size: 4 as it serves (a search reads few segments), 16 while a bulk load
/// writes hundreds of segments, each then rewritten half as many times before the
/// [`optimize`] that ends the load merges them all (measured at 300,000 documents: 6,300
/// documents/s at 4, 8,800 at 16). A load that stops half way leaves 16, which the next
/// optimize puts back.
async fn bulk_merging(db: &Db, bulk: bool) -> StoreResult<()> {
    if let Db::Sqlite(pool) = db {
        let segments = if bulk { 16 } else { 4 };
        sqlx::query(&format!(
            "INSERT INTO search_fts (search_fts, rank) VALUES ('automerge', {segments})"
        ))
        .execute(pool)
        .await?;
    }
    Ok(())
}

/// Merges the index's segments (SQLite) or refreshes the planner's statistics (PostgreSQL)
/// after a bulk load.
pub async fn optimize(db: &Db) -> StoreResult<()> {
    match db {
        Db::Sqlite(pool) => {
            bulk_merging(db, false).await?;
            sqlx::query("INSERT INTO search_fts (search_fts) VALUES ('optimize')")
                .execute(pool)
                .await?;
        }
        Db::Postgres(pool) => {
            sqlx::query("ANALYZE search_entries, search_words")
                .execute(pool)
                .await?;
            // Words written since are kept in the GIN index's pending list, which every
            // search reads through: after a bulk load it is merged into the index at once.
            sqlx::query(
                "SELECT gin_clean_pending_list(i.inhrelid::regclass) FROM pg_inherits i \
                 WHERE i.inhparent = 'search_words_words_idx'::regclass",
            )
            .execute(pool)
            .await?;
        }
    }
    Ok(())
}

/// What [`verify`] found.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct VerifyReport {
    pub records: u64,
    pub entries: u64,
    /// Records without an entry.
    pub missing: Vec<(Kind, i64)>,
    /// Entries whose text differs from what the record gives today.
    pub stale: Vec<(Kind, i64)>,
    /// Entries whose record is gone.
    pub orphans: u64,
    /// Entries missing from the word index, or words of no entry (the FTS table's rows on
    /// SQLite, the `search_words` rows on PostgreSQL, against the entries).
    pub word_index_mismatch: u64,
}

impl VerifyReport {
    pub fn is_sound(&self) -> bool {
        self.missing.is_empty()
            && self.stale.is_empty()
            && self.orphans == 0
            && self.word_index_mismatch == 0
    }
}

/// Checks the index against the records: every record has its entry, every entry says what
/// its record says today, no entry outlives its record, and the word index holds exactly
/// the entries.
pub async fn verify(db: &Db) -> StoreResult<VerifyReport> {
    let mut report = documents::verify(db).await?;
    report.orphans = documents::orphan_entries(db).await?.len() as u64;
    for source in SOURCES {
        let other = source.verify(db).await?;
        report.records += other.records;
        report.entries += other.entries;
        report.missing.extend(other.missing);
        report.stale.extend(other.stale);
        report.orphans += source.orphan_entries(db).await?.len() as u64;
    }
    report.word_index_mismatch = match db {
        Db::Sqlite(pool) => {
            // The FTS table's own consistency, then its rows against the entries.
            sqlx::query("INSERT INTO search_fts (search_fts) VALUES ('integrity-check')")
                .execute(pool)
                .await?;
            let rows: i64 = sqlx::query_scalar(
                "SELECT (SELECT COUNT(*) FROM search_fts WHERE rowid NOT IN (SELECT id FROM search_entries)) \
                 + (SELECT COUNT(*) FROM search_entries WHERE id NOT IN (SELECT rowid FROM search_fts))",
            )
            .fetch_one(pool)
            .await?;
            rows as u64
        }
        Db::Postgres(pool) => {
            // The words' rows against the entries, both ways (the same ids).
            let rows: i64 = sqlx::query_scalar(
                "SELECT (SELECT COUNT(*) FROM search_words w WHERE NOT EXISTS \
                   (SELECT 1 FROM search_entries e WHERE e.id = w.id AND e.kind = w.kind)) \
                 + (SELECT COUNT(*) FROM search_entries e WHERE NOT EXISTS \
                   (SELECT 1 FROM search_words w WHERE w.id = e.id))",
            )
            .fetch_one(pool)
            .await?;
            rows as u64
        }
    };
    Ok(report)
}

/// How results are ordered.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum SearchSort {
    /// Best matches first (exact diacritics, the symbol and the title weigh most).
    #[default]
    Relevance,
    /// The record's date, newest first.
    Newest,
}

impl SearchSort {
    pub fn parse(value: &str) -> Self {
        match value {
            "date" | "newest" => Self::Newest,
            _ => Self::Relevance,
        }
    }

    pub fn code(self) -> &'static str {
        match self {
            Self::Relevance => "relevance",
            Self::Newest => "date",
        }
    }
}

/// A search: the text and the filters, all combined.
#[derive(Clone, Debug, Default)]
pub struct SearchRequest {
    pub query: SearchQuery,
    /// Only these kinds; empty: every kind.
    pub kinds: Vec<Kind>,
    /// The record's date (arrival or issue date), inclusive.
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
    /// Owned by or assigned to this unit.
    pub unit: Option<UnitId>,
    pub type_code: Option<String>,
    pub status: Option<String>,
    pub urgency: Option<i64>,
    pub sort: SearchSort,
    pub offset: usize,
    pub limit: usize,
    /// The dossiers the reader may find; `None`: the reader works with no dossiers.
    pub dossiers: Option<crate::dossiers::lists::DossierScope>,
    /// The hotline cases the reader may find; `None`: the reader has no hotline access.
    pub hotline: Option<hotline::HotlineScope>,
    /// The news articles the reader may find; `None`: news is not searched.
    pub news: Option<news::NewsScope>,
    /// The reader reads no documents (a news editor, a hotline operator): incoming and
    /// outgoing documents are not searched, whatever the read scope says.
    pub without_documents: bool,
}

impl SearchRequest {
    /// How many candidates fill the page this request asks for.
    pub(crate) fn page_end(&self) -> usize {
        self.offset + self.limit.clamp(1, 200)
    }

    /// True when a filter that only documents have is set (unit, type, status, urgency).
    fn has_document_filters(&self) -> bool {
        self.unit.is_some()
            || self.type_code.is_some()
            || self.status.is_some()
            || self.urgency.is_some()
    }

    /// The kinds this search looks in: those asked for that the reader may search, and
    /// only documents when a document filter is set.
    pub fn searched_kinds(&self) -> Vec<Kind> {
        self.readable_kinds()
            .into_iter()
            .filter(|k| self.kinds.is_empty() || self.kinds.contains(k))
            .filter(|k| k.is_document() || !self.has_document_filters())
            .collect()
    }

    /// The kinds this reader may search at all, whatever the filters.
    pub fn readable_kinds(&self) -> Vec<Kind> {
        Kind::ALL
            .into_iter()
            .filter(|k| match k {
                Kind::Incoming | Kind::Outgoing => !self.without_documents,
                Kind::Dossier => self.dossiers.is_some(),
                Kind::Hotline => self.hotline.is_some(),
                Kind::News => self.news.is_some(),
            })
            .collect()
    }
}

/// How many results a kind has for this reader; `more` when there are more than `count`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KindCount {
    pub kind: Kind,
    pub count: u64,
    pub more: bool,
}

/// One result.
#[derive(Clone, Debug)]
pub struct Hit {
    pub kind: Kind,
    pub record_id: i64,
    pub title: String,
    pub reference: String,
    pub body: String,
    pub record_date: Option<NaiveDate>,
    pub score: f64,
}

/// A page of results, with the counts per kind (for the whole result, not the page).
#[derive(Clone, Debug, Default)]
pub struct SearchResults {
    pub hits: Vec<Hit>,
    pub counts: Vec<KindCount>,
    pub total: u64,
    pub total_is_lower_bound: bool,
}

/// A match before the page is chosen, with what ranking needs.
#[derive(Clone, Debug, sqlx::FromRow)]
pub(crate) struct Candidate {
    pub id: i64,
    pub kind: String,
    pub record_date: Option<NaiveDate>,
    pub title: String,
    pub reference: String,
    #[sqlx(skip)]
    pub score: u32,
}

/// Searches every kind the request names, inside `scope`: the permission is part of each
/// query, so no title, snippet, count or facet comes from a record the reader may not see.
pub async fn search(
    db: &Db,
    scope: &ReadScope,
    user: UserId,
    request: &SearchRequest,
) -> StoreResult<SearchResults> {
    let searched = request.searched_kinds();
    let wanted = |k: Kind| searched.contains(&k);
    let matches = if request.query.is_empty() || searched.is_empty() {
        None
    } else {
        let shared = searched.iter().any(|k| k.is_document());
        Some(matches(db, &request.query, shared).await?)
    };
    let matches = matches.as_ref();
    let mut candidates: Vec<Candidate> = Vec::new();
    let mut capped = Vec::new();
    // Documents (incoming and outgoing) share one source; the other kinds have one each.
    let document_kinds: Vec<Kind> = [Kind::Incoming, Kind::Outgoing]
        .into_iter()
        .filter(|k| wanted(*k))
        .collect();
    if !document_kinds.is_empty() {
        let found =
            documents::candidates(db, scope, user, request, &document_kinds, matches).await?;
        if found.more {
            capped.extend(document_kinds.iter().copied());
        }
        candidates.extend(found.candidates);
    }
    if let (true, Some(scope)) = (wanted(Kind::Dossier), &request.dossiers) {
        let found = dossiers::candidates(db, scope, request, matches).await?;
        if found.more {
            capped.push(Kind::Dossier);
        }
        candidates.extend(found.candidates);
    }
    if let (true, Some(scope)) = (wanted(Kind::Hotline), &request.hotline) {
        let found = hotline::candidates(db, scope, request, matches).await?;
        if found.more {
            capped.push(Kind::Hotline);
        }
        candidates.extend(found.candidates);
    }
    if let (true, Some(scope)) = (wanted(Kind::News), &request.news) {
        let found = news::candidates(db, scope, request, matches).await?;
        if found.more {
            capped.push(Kind::News);
        }
        candidates.extend(found.candidates);
    }
    for candidate in &mut candidates {
        candidate.score =
            vanphong_core::search::score(&request.query, &candidate.title, &candidate.reference);
    }
    let mut counts: Vec<KindCount> = Vec::new();
    for kind in searched.iter().copied() {
        let count = candidates.iter().filter(|c| c.kind == kind.code()).count() as u64;
        counts.push(KindCount {
            kind,
            count,
            more: capped.contains(&kind),
        });
    }
    let sort = if request.query.is_empty() {
        SearchSort::Newest
    } else {
        request.sort
    };
    match sort {
        SearchSort::Relevance => candidates.sort_by(|a, b| {
            b.score
                .cmp(&a.score)
                .then(b.record_date.cmp(&a.record_date))
                .then(b.id.cmp(&a.id))
        }),
        SearchSort::Newest => {
            candidates.sort_by(|a, b| b.record_date.cmp(&a.record_date).then(b.id.cmp(&a.id)))
        }
    }
    let total = candidates.len() as u64;
    let page: Vec<&Candidate> = candidates
        .iter()
        .skip(request.offset)
        .take(request.limit.clamp(1, 200))
        .collect();
    let hits = load_hits(db, &page).await?;
    Ok(SearchResults {
        hits,
        counts,
        total,
        total_is_lower_bound: !capped.is_empty(),
    })
}

#[derive(sqlx::FromRow)]
struct HitRow {
    id: i64,
    kind: String,
    record_id: i64,
    title: String,
    reference: String,
    body: String,
    record_date: Option<NaiveDate>,
}

async fn load_hits(db: &Db, page: &[&Candidate]) -> StoreResult<Vec<Hit>> {
    if page.is_empty() {
        return Ok(Vec::new());
    }
    let list = page
        .iter()
        .map(|c| c.id.to_string())
        .collect::<Vec<_>>()
        .join(",");
    let sql = format!(
        "SELECT id, kind, record_id, title, reference, body, record_date FROM search_entries WHERE id IN ({list})"
    );
    let rows: Vec<HitRow> =
        on_pool!(db, pool => sqlx::query_as::<_, HitRow>(&sql).fetch_all(pool).await?);
    let mut hits = Vec::with_capacity(page.len());
    for candidate in page {
        let Some(row) = rows.iter().find(|r| r.id == candidate.id) else {
            continue;
        };
        let Some(kind) = Kind::parse(&row.kind) else {
            continue;
        };
        hits.push(Hit {
            kind,
            record_id: row.record_id,
            title: row.title.clone(),
            reference: row.reference.clone(),
            body: row.body.clone(),
            record_date: row.record_date,
            score: f64::from(candidate.score),
        });
    }
    Ok(hits)
}

/// The FTS5 match expression for a parsed query (never empty: callers check first): the
/// folded words, each clause a quoted word or phrase, `*` after a prefix, in the columns of
/// the text (not the `kind` column, which only the search's own filter reads). Every word
/// is quoted, so nothing a person types is read as FTS5 syntax. Public for the benchmark's
/// engine-only baseline.
pub fn fts5_expression(query: &SearchQuery) -> String {
    fts5_expression_expanded(query, &[])
}

/// [`fts5_expression`] with the last word of some clauses (`Some`, by position) replaced by
/// each of these whole words in turn, joined by `OR`.
fn fts5_expression_expanded(query: &SearchQuery, expansions: &[Option<Vec<String>>]) -> String {
    let quote = |words: &[&str]| format!("\"{}\"", words.join(" ").replace('"', "\"\""));
    let clauses = query
        .clauses
        .iter()
        .enumerate()
        .map(|(i, clause)| {
            let words: Vec<&str> = clause.words.iter().map(|w| w.folded.as_str()).collect();
            match expansions.get(i) {
                Some(Some(terms)) => {
                    let head = &words[..words.len() - 1];
                    let each = terms
                        .iter()
                        .map(|term| {
                            let mut phrase = head.to_vec();
                            phrase.push(term);
                            quote(&phrase)
                        })
                        .collect::<Vec<_>>()
                        .join(" OR ");
                    format!("({each})")
                }
                _ if clause.prefix => format!("{} *", quote(&words)),
                _ => quote(&words),
            }
        })
        .collect::<Vec<_>>()
        .join(" AND ");
    format!("({clauses})")
}

/// The tsquery text (for `to_tsquery('simple', …)`) for a parsed query: the folded words,
/// `<->` within a phrase, `:*` after a prefix. Every word is quoted; words hold only
/// letters and digits. Public for the benchmark's engine-only baseline.
pub fn tsquery_expression(query: &SearchQuery) -> String {
    query
        .clauses
        .iter()
        .map(|clause| tsquery_phrase(&clause.words, clause.prefix))
        .collect::<Vec<_>>()
        .join(" & ")
}

/// What the GIN indexes are asked for a query on PostgreSQL: [`tsquery_expression`], but
/// for a phrase whose last word is being typed after a number (a number and symbol,
/// `1756/QĐ-BTNM`), the phrase without that word, whose number alone finds few rows; the
/// whole query is then matched on those rows. A GIN index reads every word a prefix begins
/// into one bitmap before anything else: a number and symbol ending in a common word
/// (`btnmt:*`, in half the documents) took 7 ms a range of 100,000 ids that way, against
/// 0.07 ms for the phrase without the prefix (measured at a million documents).
pub fn tsquery_index_expression(query: &SearchQuery) -> String {
    query
        .clauses
        .iter()
        .map(|clause| {
            let before = &clause.words[..clause.words.len().saturating_sub(1)];
            let numbered = before
                .iter()
                .any(|w| !w.folded.is_empty() && w.folded.bytes().all(|b| b.is_ascii_digit()));
            if clause.prefix && numbered {
                tsquery_phrase(before, false)
            } else {
                tsquery_phrase(&clause.words, clause.prefix)
            }
        })
        .collect::<Vec<_>>()
        .join(" & ")
}

/// Words that must stand in this order, as tsquery text; the last one a prefix when
/// `prefix`.
fn tsquery_phrase(words: &[vanphong_core::search::Word], prefix: bool) -> String {
    let last = words.len().saturating_sub(1);
    let phrase = words
        .iter()
        .enumerate()
        .map(|(i, w)| {
            let word = w.folded.replace('\'', "''").replace('\\', "");
            if prefix && i == last {
                format!("'{word}':*")
            } else {
                format!("'{word}'")
            }
        })
        .collect::<Vec<_>>()
        .join(" <-> ");
    format!("({phrase})")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn engine_expressions_quote_every_word() {
        let q = SearchQuery::parse("Đồng Nai \"ô nhiễm\" 1756/QĐ-BTNMT");
        assert_eq!(
            fts5_expression(&q),
            "(\"dong\" AND \"nai\" AND \"o nhiem\" AND \"1756 qd btnmt\" *)"
        );
        assert_eq!(
            tsquery_expression(&q),
            "('dong') & ('nai') & ('o' <-> 'nhiem') & ('1756' <-> 'qd' <-> 'btnmt':*)"
        );
        // The index is asked for the number and symbol without the word being typed.
        assert_eq!(
            tsquery_index_expression(&q),
            "('dong') & ('nai') & ('o' <-> 'nhiem') & ('1756' <-> 'qd')"
        );
        // A finished symbol, or a prefix after words only, is asked as it is.
        for text in ["1756/QĐ-BTNMT ", "ô nhiễ", "khai thác khoá"] {
            let q = SearchQuery::parse(text);
            assert_eq!(
                tsquery_index_expression(&q),
                tsquery_expression(&q),
                "{text}"
            );
        }
    }
}
