"""The patient list: keyset pages in both directions, offsets and searches give exactly the
rows of one plain ordered query, and a page costs the same few queries at any clinic size."""

from __future__ import annotations

import datetime as dt
import random
import re
import unicodedata

import pytest
from sqlalchemy import func, insert

from rehab.extensions import db
from rehab.models import Clinic, Patient, index_word_starts
from rehab.portal import operations

LAST = ["Núñez", "Zoë", "Smith", "smith", "SMITH", "Smithers", "Smith-Jones", "de Vries", "De Vries", "O'Brien", "Özil",
        "özil", "Lee", "Leeds", "Under_score", "100%Fit", "Zhang", "Åberg", "Berg"]
FIRST = ["Zoë", "Anna", "anna", "Bo", "Smith", "Alex", "Alexander", "Ösa", "Lee", "Vries"]
BORN = [dt.date(1970, 1, 2), dt.date(1981, 12, 24), dt.date(2001, 6, 30), None]
QUERIES = ["zoe", "nunez", "brien", "obrien", "NÚÑ", "zo nu", "mrn-10", "1001", "", "smith", "SMI", "s", "de", "de v", "vries de", "anna smith", "o'b", "%", "_", "100%", "ö", "Ö",
           "özil", "ber", "r-0", "R-00", "sm", "1970-01-02", "02/01/1970", "zzz", "alex", "lee", "a b",
           # words of 7, 8 and 9+ letters around rehab.models.WORD_START (8): a longer word is
           # looked up by its first 8 letters and then compared whole
           "alexand", "alexande", "alexander", "alexandex", "alexanderx", "smithjones", "smithjonesx",
           "anna smith-jones", "mrn1001",
           # a date of birth as the list shows it, any case, short or long month
           "02 Jan 1970", "2 jan 1970", "24 DEC 1981", "30 June 2001"]


def _words(text: str) -> list[str]:
    """The words of `text` without case or accents, written out here as an oracle."""
    plain = "".join(ch for ch in unicodedata.normalize("NFKD", text) if not unicodedata.combining(ch))
    return re.findall(r"[^\W_]+", plain.casefold())


def _matches(row, q: str) -> bool:
    q = q.strip()
    if not q:
        return True
    for fmt in ("%Y-%m-%d", "%d/%m/%Y", "%d %b %Y", "%d %B %Y"):
        try:
            return row.date_of_birth == dt.datetime.strptime(q, fmt).date()
        except ValueError:
            pass
    mine = [w for text in (row.first_name, row.last_name, row.reference) for run in text.split()
            for w in _words(run) + ["".join(_words(run))]]
    wanted = _words(q)
    return bool(wanted) and all(any(m.startswith(w) for m in mine) for w in wanted)


@pytest.fixture
def many(app, clinician):
    """~150 patients of the clinician's clinic (and some of another clinic); returns
    (clinic_id, every row of the clinic in the list's order, as one plain query gives it)."""
    rng = random.Random(11)
    with app.app_context():
        other = Clinic(name="Other clinic")
        db.session.add(other)
        db.session.flush()
        rows = [{"clinic_id": clinician.clinic_id if i % 6 else other.id, "reference": f"{rng.choice('Rr')}-{i:03}",
                 "first_name": rng.choice(FIRST), "last_name": rng.choice(LAST), "date_of_birth": rng.choice(BORN),
                 "sex": "female"} for i in range(180)]
        rows += [{"clinic_id": clinician.clinic_id, "reference": ref, "first_name": "Kim", "last_name": "Novak",
                  "date_of_birth": None, "sex": "male"} for ref in ("SM-1", "sm-2", "B000123", "MRN-1001")]
        db.session.execute(insert(Patient), rows)
        index_word_starts(db.session.connection(), db.session.execute(db.select(Patient.id)).scalars())
        db.session.commit()
        ordered = db.session.execute(
            db.select(*operations.PATIENT_COLUMNS).where(Patient.clinic_id == clinician.clinic_id)
            .order_by(func.lower(Patient.last_name), func.lower(Patient.first_name), Patient.id)).all()
    return clinician.clinic_id, ordered


def _ids(rows) -> list[int]:
    return [r.id for r in rows]


@pytest.mark.parametrize("q", QUERIES)
def test_pages_match_one_plain_query(app, many, q):
    clinic_id, ordered = many
    size = 7
    with app.app_context():
        expected = [r.id for r in ordered if _matches(r, q)]
        first = operations.patient_page(clinic_id, q, size=size)
        assert _ids(first.items) == expected[:size]
        assert first.total == (len(expected) if len(expected) <= size else None)
        assert not first.has_prev and first.has_next == (len(expected) > size)

        # forward with Next (the id of the last row shown), to the end
        seen, page = list(_ids(first.items)), first
        while page.has_next:
            page = operations.patient_page(clinic_id, q, page=page.number + 1, after=page.items[-1].id, size=size)
            assert page.has_prev and page.items
            seen += _ids(page.items)
        assert seen == expected
        assert page.number == max(1, -(-len(expected) // size))

        # back with Previous (the id of the first row shown), to the start
        back = list(_ids(page.items))
        while page.has_prev:
            page = operations.patient_page(clinic_id, q, page=page.number - 1, before=page.items[0].id, size=size)
            assert page.has_next
            back = _ids(page.items) + back
        assert page.number == 1 and back[:len(expected)] == expected

        # from any row: the page after it and the page before it; and pages by offset
        for i in range(0, len(expected), 3):
            after = operations.patient_page(clinic_id, q, page=2, after=expected[i], size=size)
            assert _ids(after.items) == (expected[i + 1:i + 1 + size] or expected[:size])
            if i >= size:
                before = operations.patient_page(clinic_id, q, page=2, before=expected[i], size=size)
                assert _ids(before.items) == expected[i - size:i]
        for number in range(1, len(expected) // size + 3):
            offset = operations.patient_page(clinic_id, q, page=number, size=size)
            assert _ids(offset.items) == expected[(number - 1) * size:number * size]


def test_a_cursor_from_another_clinic_shows_the_first_page(app, many):
    clinic_id, ordered = many
    with app.app_context():
        foreign = db.session.execute(db.select(Patient.id).where(Patient.clinic_id != clinic_id)).scalars().first()
        page = operations.patient_page(clinic_id, "", page=5, after=foreign, size=7)
    assert page.number == 1 and _ids(page.items) == [r.id for r in ordered[:7]]


def _statements(sql, client, url: str) -> tuple[list[str], str]:
    with sql() as seen:
        response = client.get(url)
    assert response.status_code == 200
    return seen.statements, response.get_data(as_text=True)


def _next(html: str) -> str:
    return re.search(r'<a href="([^"]+)">Next', html).group(1).replace("&amp;", "&")


def _query_counts(sql, portal) -> dict[str, int]:
    counts = {}
    for name, url in (("list", "/patients"), ("search", "/patients?q=smith"), ("date", "/patients?q=1970-01-02")):
        statements, html = _statements(sql, portal, url)
        counts[name] = len(statements)
        if 'class="pager"' in html:
            counts[name + " next"] = len(_statements(sql, portal, _next(html))[0])
    return counts


# the user; for a later page, the cursor's patient; then the page; then which of the page's
# patients have an unseen alert (one query, rehab.portal.progress.flagged). "list" (the
# first page, no search) also reads the clinician's unsaved plans: one query more.
QUERY_BOUNDS = {"list": 4, "list next": 4, "search": 3, "search next": 4, "date": 3, "date next": 4}


def test_the_list_costs_a_bounded_number_of_queries_at_any_size(app, portal, clinician, sql):
    """No count, no query per row: the same few queries for 12 patients and for 612."""
    app.config["PAGE_SIZE"] = 5

    def add(n: int, start: int) -> None:
        with app.app_context():
            db.session.execute(insert(Patient), [
                {"clinic_id": clinician.clinic_id, "reference": f"Q{i:05}", "first_name": "Alex",
                 "last_name": ["Smith", "Jones", "Smithers"][i % 3], "date_of_birth": dt.date(1970, 1, 2),
                 "sex": "male"} for i in range(start, start + n)])
            index_word_starts(db.session.connection(), db.session.execute(db.select(Patient.id)).scalars())
            db.session.commit()

    add(12, 0)
    small = _query_counts(sql, portal)
    add(600, 12)
    large = _query_counts(sql, portal)
    for counts in (small, large):
        assert set(counts) == set(QUERY_BOUNDS)
        assert all(counts[name] <= bound for name, bound in QUERY_BOUNDS.items()), counts


@pytest.mark.parametrize("q", ["zoe", "ZOË", "nunez", "Núñez", "brien", "obrien", "o'brien", "zo nu", "mrn-77",
                               "1977-03-04", "04/03/1977", "04 Mar 1977", "4 march 1977"])
def test_search_finds_names_without_case_or_accents(app, portal, clinician, q):
    with app.app_context():
        operations.create_patient(clinician.clinic_id, clinician, first_name="Zoë", last_name="Núñez O'Brien",
                                  reference="MRN-77", date_of_birth=dt.date(1977, 3, 4), sex="female")
        operations.create_patient(clinician.clinic_id, clinician, first_name="Bob", last_name="Nunn",
                                  reference="X-1", date_of_birth=None, sex="male")
    html = portal.get("/patients", query_string={"q": q}).get_data(as_text=True)
    assert "Núñez O&#39;Brien, Zoë" in html and "Nunn" not in html


def test_a_renamed_patient_is_found_by_the_new_name(app, clinician):
    with app.app_context():
        patient = operations.create_patient(clinician.clinic_id, clinician, first_name="Ann", last_name="Lee",
                                            reference="R-1", date_of_birth=None, sex="female")
        patient.last_name = "Çelik"
        db.session.commit()
        assert [r.id for r in operations.patient_page(clinician.clinic_id, "celik").items] == [patient.id]
        assert operations.patient_page(clinician.clinic_id, "lee").items == []


@pytest.mark.parametrize("q", ["%", "_", "'", "x" * 200])
def test_a_search_without_words_finds_nobody_and_never_fails(portal, q):
    answer = portal.get("/patients", query_string={"q": q})
    assert answer.status_code in (200, 422) and "Traceback" not in answer.get_data(as_text=True)
