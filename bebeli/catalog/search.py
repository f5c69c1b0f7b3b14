"""Indonesian full-text search over the catalog, one function for SQLite and PostgreSQL.

Every product carries `search_text`: its name, description, category and shop name,
stemmed with PySastrawi. Queries are stemmed the same way, then matched word for word
(all words must match) against an index the database keeps in step by itself:

- SQLite: the FTS5 table `products_fts` (external content, triggers from migration 0004);
- PostgreSQL: a GIN index on `to_tsvector('simple', search_text)`; `simple` because the
  words are already stemmed, so both backends see exactly the same words.

Ranking is defined in plain SQL so both backends order identically: how many query words
appear in the product's own name, then sales, then the newest id as the final tie-break.
Words unknown to the catalog get a "did you mean" from the `search_terms` vocabulary.
"""
from __future__ import annotations

import difflib
from collections import Counter
from dataclasses import dataclass

import sqlalchemy as sa
from flask_sqlalchemy.pagination import Pagination

from bebeli.catalog.models import Category, Product, SearchTerm
from bebeli.catalog.queries import orderable, products_for_buyers
from bebeli.catalog.text import stem_words, stemmed
from bebeli.extensions import db
from bebeli.sellers.models import Shop

MAX_QUERY_LENGTH = 200
MAX_QUERY_WORDS = 8
# Counting stops here: deep result sets show "10.000+" instead of scanning every match.
COUNT_LIMIT = 10_000
# Words that say what the buyer wants to do, not what they want (compared after stemming).
QUERY_STOPWORDS = frozenset({
    "dan", "atau", "di", "ke", "dari", "untuk", "dengan", "yang", "ini", "itu", "buat",
    "beli", "jual", "cari", "harga", "mau", "ingin", "butuh", "murah",
})
SUGGESTION_MIN_RATIO = 0.75

SORTS = ("relevance", "newest", "price_asc", "price_desc", "popular", "rating")


@dataclass(frozen=True)
class SearchFilters:
    category_ids: tuple[int, ...] = ()
    min_price: int | None = None
    max_price: int | None = None
    kecamatan: str | None = None
    in_stock: bool = False
    local_only: bool = False
    shop_id: int | None = None
    min_rating: int | None = None  # published reviews averaging at least this many stars


class ResultPage(Pagination):
    """A page of already-fetched results, usable by the shared pagination partial."""

    def _query_items(self):
        return self._query_args["items"]

    def _query_count(self):
        return self._query_args["total"]


@dataclass
class SearchResult:
    page: ResultPage
    query: str
    terms: list[str]
    sort: str
    total_is_capped: bool = False
    # When nothing matched and a spelling fix did: the query whose results are shown.
    corrected_query: str | None = None

    @property
    def items(self) -> list[Product]:
        return self.page.items


# ------------------------------------------------------------------------------ queries

def bounded_query(query: str | None) -> str:
    """At most MAX_QUERY_LENGTH characters, never ending in half a word."""
    query = (query or "").strip()
    if len(query) <= MAX_QUERY_LENGTH:
        return query
    cut = query[:MAX_QUERY_LENGTH]
    if query[MAX_QUERY_LENGTH].isalnum() and " " in cut:
        cut = cut.rsplit(" ", 1)[0]
    return cut.strip()


def query_terms(query: str | None) -> list[str]:
    """The stemmed words a query searches for: deduplicated, stopwords dropped, bounded."""
    seen: list[str] = []
    for word in stem_words(bounded_query(query)):
        if word not in QUERY_STOPWORDS and word not in seen:
            seen.append(word)
    return seen[:MAX_QUERY_WORDS]


def _dialect() -> str:
    return db.session.get_bind(mapper=sa.inspect(Product)).dialect.name


def match_condition(terms: list[str]) -> sa.ColumnElement[bool]:
    """All `terms` appear in the product's search text, answered by the full-text index."""
    if _dialect() == "postgresql":
        # The expression must read exactly as in the index (migration 0004) to use it.
        document = sa.func.to_tsvector(sa.literal_column("'simple'::regconfig"), Product.search_text)
        return document.op("@@")(sa.func.plainto_tsquery(sa.literal_column("'simple'::regconfig"),
                                                         " ".join(terms)))
    # Words are [a-z0-9]+ only, so quoting each one makes a phrase-free FTS5 AND query.
    fts_query = " ".join(f'"{term}"' for term in terms)
    matching_ids = sa.select(sa.literal_column("rowid")).select_from(sa.table("products_fts")).where(
        sa.literal_column("products_fts").op("MATCH")(fts_query)
    )
    return Product.id.in_(matching_ids)


def _relevance(terms: list[str]) -> sa.ColumnElement[int]:
    return sum(
        (sa.case((Product.search_name.contains(f" {term} ", autoescape=True), 1), else_=0) for term in terms),
        sa.literal(0),
    )


def _ordering(sort: str, terms: list[str]) -> list:
    # A published product always has a date (a CHECK constraint), so no NULLs to order.
    newest = [Product.published_at.desc(), Product.id.desc()]
    if sort == "relevance" and terms:
        return [_relevance(terms).desc(), Product.sold_count.desc(), Product.id.desc()]
    if sort == "price_asc":
        return [Product.price_amount.asc(), Product.id.desc()]
    if sort == "price_desc":
        return [Product.price_amount.desc(), Product.id.desc()]
    if sort == "popular":
        return [Product.sold_count.desc(), Product.id.desc()]
    if sort == "rating":  # the Bayesian score kept by bebeli.reviews.stats; walks ix_products_rating
        return [Product.rating_score.desc(), Product.id.desc()]
    return newest


def _filter_conditions(filters: SearchFilters) -> tuple[list, list]:
    """(conditions on products, conditions on their shops)."""
    conditions, shop_conditions = [], []
    if filters.category_ids:
        conditions.append(Product.category_id.in_(filters.category_ids))
    if filters.min_price is not None:
        conditions.append(Product.price_amount >= filters.min_price)
    if filters.max_price is not None:
        conditions.append(Product.price_amount <= filters.max_price)
    if filters.in_stock:
        conditions.append(Product.stock >= Product.min_order_qty)
    if filters.shop_id is not None:
        conditions.append(Product.shop_id == filters.shop_id)
    if filters.min_rating:
        conditions += [Product.rating_count > 0, Product.rating_sum >= filters.min_rating * Product.rating_count]
    if filters.kecamatan:
        shop_conditions.append(Shop.kecamatan == filters.kecamatan)
    if filters.local_only:
        shop_conditions.append(Shop.is_local.is_(True))
    return conditions, shop_conditions


def _count(conditions: list, shop_conditions: list) -> tuple[int, bool]:
    capped = (
        sa.select(sa.literal(1)).select_from(Product)
        .where(*orderable(*shop_conditions), *conditions).limit(COUNT_LIMIT + 1).subquery()
    )
    total = db.session.scalar(sa.select(sa.func.count()).select_from(capped))
    return min(total, COUNT_LIMIT), total > COUNT_LIMIT


def _run(terms: list[str], filters: SearchFilters, sort: str, page: int, per_page: int):
    conditions, shop_conditions = _filter_conditions(filters)
    if terms:
        conditions.append(match_condition(terms))
    total, capped = _count(conditions, shop_conditions)
    last_page = max(1, -(-total // per_page))
    page = min(max(page, 1), last_page)
    items = db.session.scalars(
        products_for_buyers(*shop_conditions).where(*conditions).order_by(*_ordering(sort, terms))
        .limit(per_page).offset((page - 1) * per_page)
    ).all()
    return ResultPage(page=page, per_page=per_page, max_per_page=None, error_out=False,
                      items=items, total=total), capped


def search_products(query: str | None, filters: SearchFilters | None = None, sort: str | None = None,
                    page: int = 1, per_page: int = 24) -> SearchResult:
    """Published products of verified shops matching `query` (all words) and `filters`.

    `sort` is one of SORTS; without words "relevance" falls back to newest first. A page past
    the end shows the last page. Identical data gives identical results on both databases.
    """
    filters = filters or SearchFilters()
    query = bounded_query(query)
    sort = sort if sort in SORTS else ("relevance" if query else "newest")
    terms = query_terms(query)
    result_page, capped = _run(terms, filters, sort, page, per_page)
    result = SearchResult(page=result_page, query=query, terms=terms, sort=sort, total_is_capped=capped)
    if terms and result_page.total == 0:
        corrected = suggest_terms(terms)
        if corrected:
            fixed_page, fixed_capped = _run(corrected, filters, sort, 1, per_page)
            if fixed_page.total:
                result.page, result.total_is_capped = fixed_page, fixed_capped
                result.corrected_query = " ".join(corrected)
    return result


# ------------------------------------------------------------------------- did you mean

def _closest_term(word: str) -> str | None:
    first = word[0]
    candidates = db.session.execute(
        sa.select(SearchTerm.term, SearchTerm.doc_count).where(
            SearchTerm.term >= first, SearchTerm.term < chr(ord(first) + 1),
            sa.func.length(SearchTerm.term).between(len(word) - 2, len(word) + 2),
            SearchTerm.doc_count > 0,
        )
    ).all()
    scored = [
        (difflib.SequenceMatcher(None, word, term).ratio(), count, term) for term, count in candidates
    ]
    good = [s for s in scored if s[0] >= SUGGESTION_MIN_RATIO]
    if not good:
        return None
    # Closest spelling first, then the commoner word, then alphabetical: deterministic.
    return min(good, key=lambda s: (-s[0], -s[1], s[2]))[2]


def suggest_terms(terms: list[str]) -> list[str] | None:
    """The query with each word unknown to the catalog replaced by its nearest known word,
    or None when every word is known or nothing close enough exists."""
    known = set(db.session.scalars(
        sa.select(SearchTerm.term).where(SearchTerm.term.in_(terms), SearchTerm.doc_count > 0)
    ))
    if len(known) == len(terms):
        return None
    corrected = []
    for term in terms:
        replacement = term if term in known or len(term) < 3 else _closest_term(term)
        corrected.append(replacement or term)
    return corrected if corrected != terms else None


# ------------------------------------------------------------------------------ indexing

def document_text(product: Product, category: Category, shop: Shop) -> str:
    parent = category.parent.name if category.parent is not None else ""
    return " ".join((product.name, product.description or "", category.name, parent, shop.name))


def _adjust_terms(deltas: Counter) -> None:
    """Add `deltas` to the vocabulary counts in one upsert (same SQL on both backends)."""
    if not deltas:
        return
    if _dialect() == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    rows = [{"term": term, "doc_count": delta} for term, delta in sorted(deltas.items()) if delta]
    if not rows:
        return
    stmt = insert(SearchTerm).values(rows)
    # Rows are sorted by term, so concurrent writers lock vocabulary rows in the same order.
    db.session.execute(stmt.on_conflict_do_update(
        index_elements=[SearchTerm.term],
        set_={"doc_count": SearchTerm.doc_count + stmt.excluded.doc_count},
    ))


def refresh_search_fields(product: Product) -> None:
    category = product.category or db.session.get(Category, product.category_id)
    shop = product.shop or db.session.get(Shop, product.shop_id)
    product.search_text = stemmed(document_text(product, category, shop))
    product.search_name = f" {stemmed(product.name)} "


def index_product(product: Product) -> None:
    """Recompute the product's stemmed search fields and the vocabulary counts they feed.

    Called by every service that changes a product's name, description, category or shop
    name; the database indexes follow `search_text` on their own."""
    before = set((product.search_text or "").split())
    refresh_search_fields(product)
    after = set(product.search_text.split())
    deltas = Counter({t: 1 for t in after - before})
    deltas.subtract({t: 1 for t in before - after})
    _adjust_terms(deltas)


def reindex_products(condition) -> int:
    """Re-index the products matching `condition` (after a shop or category rename)."""
    count = 0
    for product in db.session.scalars(sa.select(Product).where(condition)):
        index_product(product)
        count += 1
    db.session.flush()
    return count


def reindex_batch(after_id: int, size: int = 1_000) -> int | None:
    """Recompute the search fields of the `size` products after `after_id` (bulk re-indexing,
    e.g. after the stemming changed); returns the last id done, None when there are no more.
    The vocabulary is recounted afterwards with `rebuild_vocabulary`."""
    products = db.session.scalars(
        sa.select(Product).where(Product.id > after_id).order_by(Product.id).limit(size)
    ).all()
    for product in products:
        refresh_search_fields(product)
    db.session.flush()
    return products[-1].id if products else None


def rebuild_vocabulary(batch_size: int = 5_000) -> int:
    """Recount `search_terms` from every product's search text (after bulk loads)."""
    counts: Counter = Counter()
    last_id = 0
    while True:
        rows = db.session.execute(
            sa.select(Product.id, Product.search_text).where(Product.id > last_id)
            .order_by(Product.id).limit(batch_size)
        ).all()
        if not rows:
            break
        for _, text in rows:
            counts.update(set(text.split()))
        last_id = rows[-1][0]
    db.session.execute(sa.delete(SearchTerm))
    terms = sorted(counts.items())
    for start in range(0, len(terms), batch_size):
        db.session.execute(sa.insert(SearchTerm), [
            {"term": term, "doc_count": n} for term, n in terms[start:start + batch_size]
        ])
    return len(terms)


# The search index objects differ per database and are built by hand in migration 0004;
# Alembic's model comparison skips them (bebeli.database.include_in_autogenerate).
HAND_MANAGED_SCHEMA = ("products_fts", "ix_products_search")
