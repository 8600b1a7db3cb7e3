"""Tracking pages benchmark: time per request and SQL statements per request, at two data sizes.

Run from the repository root:

    .venv/bin/python -m bench.tracking_bench                  # SQLite, and PostgreSQL if 127.0.0.1:5432 answers
    .venv/bin/python -m bench.tracking_bench --postgres [URL] # PostgreSQL even if the port check fails
    .venv/bin/python -m bench.tracking_bench --no-postgres --sizes small --rounds 5   # quick look
    .venv/bin/python -m bench.tracking_bench --no-sqlite --postgres URL --sizes small,large,huge \
        --excel-rounds 1 --export-all never        # 10,000 to 1,000,000 assignments, also served by gunicorn

A database is filled with generated data (fixed seed, SQLAlchemy Core bulk inserts) at each size,
then pages are requested through Flask's test client, logged in as the office user or as a
department user, and timed with time.perf_counter. SQL statements are counted with a
`before_cursor_execute` listener on the engine, reset for every request. Every timed request must
answer 200 (an Excel one with a workbook): anything else stops the run with an AssertionError, so
that data the app no longer shows to these users cannot time an error page. The account page
(/tai-khoan: the layout, a form, no data) is timed in the same run as the trivial page the ratios
divide by (`<page>_vs_trivial_p95_ratio`), /healthz and the login page beside it. On PostgreSQL (a database
of its own per size, loaded with COPY) the same data is then served by gunicorn with gunicorn.conf.py, as
`make run` serves it, and the trivial page and the dashboard and lists are timed over HTTP in turn
(`*_http_<page>_vs_trivial_p95_ratio`; statements counted in the test-client pass). Everything is printed as a plain
`name: value` line (progress lines start with `#`), then a Markdown table per backend. See
bench/README.md.
"""
import argparse
import os
import random
import re
import resource
import socket
import statistics
import sys
import tempfile
import time
from collections import Counter
from datetime import date, time as dtime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

SIZES = {
    "small": {"directives": 200, "assignments": 10_000, "agencies": 150},
    "large": {"directives": 2_000, "assignments": 100_000, "agencies": 1_500},
    # Not in the default run. Ten times the directives and assignments of `large` (more years of work), but
    # only twice its agencies: a province does not have 10x more offices because it keeps 10x more history.
    # 3,000 is a large province with every department, district, commune, phòng and public unit in it.
    "huge": {"directives": 20_000, "assignments": 1_000_000, "agencies": 3_000},
}
DEFAULT_POSTGRES = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
PASSWORD = "bench1234"
OFFICE_USER, DEPARTMENT_USER = "bench_vanphong", "bench_soyte"
SEED = 20240115
BATCH = 5_000
SLOW_PAGE_MS = 1_000.0        # a page slower than this (median, large size) is reported as slow
EXPORT_ALL_LIMIT_S = 60.0     # the unfiltered export is skipped when it is expected to take longer
BUSY_AGENCY_SHARE = 0.2       # the department user's agency is on this share of all tasks
STATUS_WEIGHTS = (("chua_thuc_hien", 30), ("dang_thuc_hien", 35), ("cho_xac_nhan", 10), ("hoan_thanh", 25))
# Two directives with the same shape at every size, so that the directive page is compared like for like:
# (sections, tasks per section, agencies per task). Agencies are taken from the first ids, present at every size.
FIXED_DIRECTIVES = {"directive": (3, 4, 4), "directive_big": (5, 6, 8)}


def out(name, value):
    print(f"{name}: {value}", flush=True)


def progress(message):
    print(f"# {message}", flush=True)


def ms(seconds):
    return round(seconds * 1000, 1)


def percentile(values, fraction):
    """Nearest-rank percentile (p95 of 15 samples is the 15th smallest, of 100 the 95th)."""
    ordered = sorted(values)
    rank = max(1, -(-len(ordered) * fraction // 1))  # ceil
    return ordered[int(rank) - 1]


def one_line(sql, width=220):
    text = re.sub(r"\s+", " ", sql).strip()
    return text if len(text) <= width else text[: width - 1] + "…"


def short_sql(sql, width=300):
    """A statement on one line with its column list cut, so that FROM, WHERE and GROUP BY show."""
    text = re.sub(r"\s+", " ", sql).strip()
    if text.upper().startswith("SELECT "):
        depth = 0
        for index, char in enumerate(text):
            depth += (char == "(") - (char == ")")
            if depth == 0 and text.startswith(" FROM ", index):
                columns = text[7:index]
                if len(columns) > 70:
                    text = f"SELECT {columns[:70]}… {text[index + 1:]}"
                break
    return one_line(text, width)


# --- 1. generated data -------------------------------------------------------------------------

SO_NAMES = (
    "Y tế", "Giáo dục và Đào tạo", "Tài chính", "Kế hoạch và Đầu tư", "Xây dựng", "Giao thông vận tải",
    "Nông nghiệp và Phát triển nông thôn", "Tài nguyên và Môi trường", "Công Thương",
    "Lao động - Thương binh và Xã hội", "Văn hóa, Thể thao và Du lịch", "Thông tin và Truyền thông",
    "Khoa học và Công nghệ", "Tư pháp", "Nội vụ", "Ngoại vụ",
)
NGANH_NAMES = (
    "Thanh tra tỉnh", "Ban Dân tộc tỉnh", "Công an tỉnh", "Bộ Chỉ huy Quân sự tỉnh", "Ban Quản lý Khu kinh tế tỉnh",
    "Đài Phát thanh và Truyền hình tỉnh", "Bảo hiểm xã hội tỉnh", "Cục Thuế tỉnh",
)
HUYEN_NAMES = (
    "thành phố Kon Tum", "huyện Đắk Hà", "huyện Đắk Tô", "huyện Ngọc Hồi", "huyện Đắk Glei", "huyện Sa Thầy",
    "huyện Kon Rẫy", "huyện Kon Plông", "huyện Tu Mơ Rông", "huyện Ia H'Drai",
)
TOPICS = (
    "phòng, chống dịch bệnh", "chuyển đổi số", "cải cách hành chính", "phòng, chống thiên tai",
    "giải ngân vốn đầu tư công", "bảo vệ rừng", "an toàn giao thông", "an toàn thực phẩm",
    "thu ngân sách nhà nước", "xây dựng nông thôn mới", "giảm nghèo bền vững", "phát triển du lịch",
)
VERBS = (
    "Chủ trì, phối hợp triển khai", "Tham mưu Ủy ban nhân dân tỉnh ban hành kế hoạch", "Kiểm tra, đôn đốc việc",
    "Tổng hợp, báo cáo kết quả", "Rà soát, đề xuất giải pháp về", "Tuyên truyền, phổ biến các quy định về",
)
DOC_KINDS = (("cong_van", "UBND-KGVX", 70), ("chi_thi", "CT-UBND", 10), ("cong_dien", "CĐ-UBND", 10),
             ("thong_bao", "TB-UBND", 10))
SEARCH_WORDS = "chuyen doi so"  # one of the topics, folded: about 1 directive in 12 matches


def generate(size: dict, today: date, rng: random.Random) -> dict:
    """Every row to insert, as {table name: [dict, ...]}, plus the ids the benchmark needs."""
    from app.clock import utc_at
    from app.text import fold

    now = utc_at(today, dtime(10, 0))  # created during office hours of the local day
    tables: dict[str, list[dict]] = {name: [] for name in (
        "agencies", "agency_groups", "agency_group_members", "users", "user_roles", "directives",
        "directive_recipients", "directive_cc_lines", "sections", "section_assignees", "tasks", "assignments",
        "progress_reports", "register_counters", "register_entries", "received_counters", "received_entries")}

    # Agencies: the province, its office, departments and branches, districts, then communes up to the count.
    agencies = tables["agencies"]

    def agency(name, short, kind, parent, abbreviation=""):
        agencies.append({"id": len(agencies) + 1, "parent_id": parent, "name": name, "short_name": short,
                         "abbreviation": abbreviation, "kind": kind, "header_text": "", "place": "Kon Tum",
                         "active": True, "serves_id": None})
        return len(agencies)

    root = agency("Ủy ban nhân dân tỉnh Kon Tum", "UBND tỉnh", "ubnd_tinh", None, "UBND")
    agencies[0]["header_text"] = "ỦY BAN NHÂN DÂN\nTỈNH KON TUM"
    office = agency("Văn phòng Ủy ban nhân dân tỉnh Kon Tum", "Văn phòng UBND tỉnh", "van_phong", root, "VP")
    agencies[office - 1]["serves_id"] = root  # its staff act for UBND tỉnh: they follow its directives
    departments = [agency(f"Sở {n} tỉnh Kon Tum", f"Sở {n}", "so", root) for n in SO_NAMES]
    branches = [agency(f"{n} Kon Tum", n, "nganh", root) for n in NGANH_NAMES]
    districts = [agency(f"Ủy ban nhân dân {n}", f"UBND {n}", "ubnd_huyen", root) for n in HUYEN_NAMES]
    busy = departments[0]  # Sở Y tế: the department user's agency
    commune = 0
    while len(agencies) < size["agencies"]:
        commune += 1
        district = districts[commune % len(districts)]
        district_name = HUYEN_NAMES[commune % len(districts)]
        agency(f"Ủy ban nhân dân xã số {commune}, {district_name}", f"UBND xã số {commune}", "ubnd_xa", district)
    del agencies[size["agencies"]:]
    agency_ids = [a["id"] for a in agencies]
    names = {a["id"]: a["name"] for a in agencies}

    # Two groups, as the letters name them.
    tables["agency_groups"] = [
        {"id": 1, "name": "Ủy ban nhân dân các huyện, thành phố", "owner_id": root, "description": ""},
        {"id": 2, "name": "Các sở, ban, ngành thuộc tỉnh", "owner_id": root, "description": ""},
    ]
    groups = {1: set(districts), 2: set(departments + branches)}
    tables["agency_group_members"] = [{"group_id": g, "agency_id": a} for g, members in groups.items()
                                      for a in sorted(members)]

    from werkzeug.security import generate_password_hash
    password_hash = generate_password_hash(PASSWORD, method="pbkdf2:sha256:1000")
    # Roles live in user_roles (as app/loader.py's demo users: staff of the Văn phòng and of Sở Y tế);
    # session_token is part of the login cookie (get_id() is "id:token").
    user_defaults = {"password_hash": password_hash, "admin_scope_id": None, "active": True, "created_at": now,
                     "last_login_at": None, "email": None, "mail_kinds": "", "mail_digest": False,
                     "digest_sent_at": None}
    tables["users"] = [
        {"id": 1, "username": OFFICE_USER, "full_name": "Chuyên viên Văn phòng (bench)", "agency_id": office,
         "session_token": "b" * 32, **user_defaults},
        {"id": 2, "username": DEPARTMENT_USER, "full_name": "Chuyên viên Sở Y tế (bench)", "agency_id": busy,
         "session_token": "c" * 32, **user_defaults},
    ]
    tables["user_roles"] = [{"user_id": 1, "role": "staff"}, {"user_id": 2, "role": "staff"}]
    department_user = 2

    # How many assignments each directive gets: the fixed ones first, the rest shared evenly.
    fixed_total = sum(s * t * a for s, t, a in FIXED_DIRECTIVES.values())
    others = size["directives"] - len(FIXED_DIRECTIVES)
    base, extra = divmod(size["assignments"] - fixed_total, others)
    fixed_rng = random.Random(SEED)  # same fixed directives at every size
    fixed_pool = agency_ids[1:41]

    ids = Counter()

    def next_id(table):
        ids[table] += 1
        return ids[table]

    statuses, weights = zip(*STATUS_WEIGHTS)
    special = {}
    outgoing = Counter()  # (agency, year) -> last number of the register
    incoming = Counter()
    for index in range(size["directives"]):
        directive_id = next_id("directives")
        fixed_name = list(FIXED_DIRECTIVES)[index] if index < len(FIXED_DIRECTIVES) else None
        r = fixed_rng if fixed_name else rng
        if fixed_name:
            special[fixed_name] = directive_id
            n_sections, per_section, per_task = FIXED_DIRECTIVES[fixed_name]
            shape = [[per_task] * per_section for _ in range(n_sections)]
            pool = fixed_pool
        else:
            share = base + (1 if index - len(FIXED_DIRECTIVES) < extra else 0)
            n_sections = r.randint(1, 4)
            n_tasks = min(share, sum(r.randint(1, 4) for _ in range(n_sections)))
            # split `share` assignments over n_tasks tasks, each at least one
            cuts = sorted(r.sample(range(1, share), n_tasks - 1)) if n_tasks > 1 else []
            counts = [b - a for a, b in zip([0, *cuts], [*cuts, share])]
            shape, position = [[] for _ in range(n_sections)], 0
            for count in counts:
                shape[position % n_sections].append(count)
                position += 1
            shape = [tasks for tasks in shape if tasks]
            pool = agency_ids[1:]
        kind, symbol, _w = r.choices(DOC_KINDS, weights=[k[2] for k in DOC_KINDS])[0]
        topic = r.choice(TOPICS)
        subject = f"Về việc tăng cường công tác {topic} trên địa bàn tỉnh (đợt {index + 1})"
        created = now - timedelta(days=r.randint(0, 365), minutes=r.randint(0, 1440))
        issued = created.date()  # issued the day it was entered (UTC date: close enough)
        live_agencies = set()
        recipients = ["Các sở, ban, ngành thuộc tỉnh", "Ủy ban nhân dân các huyện, thành phố"][: r.randint(1, 2)]
        cc = ["Như trên", "Chủ tịch, các PCT UBND tỉnh", "Lưu: VT, KGVX"]
        texts = [symbol, subject, "ỦY BAN NHÂN DÂN TỈNH KON TUM", "Kon Tum", *recipients, *cc]
        for position, name in enumerate(recipients):
            tables["directive_recipients"].append({"id": next_id("directive_recipients"), "directive_id": directive_id,
                                                   "position": position, "name": name})
        for position, text in enumerate(cc):
            tables["directive_cc_lines"].append({"id": next_id("directive_cc_lines"), "directive_id": directive_id,
                                                 "position": position, "text": text})
        for s_index, task_sizes in enumerate(shape):
            section_id = next_id("sections")
            heading = f"{r.choice(VERBS)} {topic} (mục {s_index + 1})"
            texts.append(heading)
            tables["sections"].append({"id": section_id, "directive_id": directive_id, "position": s_index,
                                       "number": str(s_index + 1), "heading": heading, "removed": False})
            group = 1 if r.random() < 0.1 else None
            section_lead = None
            for t_index, n_agencies in enumerate(task_sizes):
                task_id = next_id("tasks")
                text = f"{r.choice(VERBS)} {topic}, báo cáo kết quả về Ủy ban nhân dân tỉnh (nhiệm vụ {t_index + 1})."
                texts.append(text)
                task_deadline = today + timedelta(days=r.randint(-60, 60)) if r.random() < 0.85 else None
                tables["tasks"].append({"id": task_id, "section_id": section_id, "position": t_index, "text": text,
                                        "deadline": task_deadline, "removed": False})
                chosen = r.sample(pool, n_agencies)
                if not fixed_name and busy not in chosen and r.random() < BUSY_AGENCY_SHARE:
                    chosen[-1] = busy
                section_lead = section_lead or chosen[0]
                for position, agency_id in enumerate(chosen):
                    status = r.choices(statuses, weights=weights)[0]
                    deadline = task_deadline
                    original = deadline
                    if deadline is not None and r.random() < 0.1:
                        original = deadline - timedelta(days=r.randint(5, 30))  # extended once
                    completed = None
                    if status == "hoan_thanh":
                        completed = (deadline or today) + timedelta(days=r.randint(-20, 10))
                        completed = min(completed, today)
                    elif status == "cho_xac_nhan":
                        completed = today - timedelta(days=r.randint(0, 10))
                    percent = {"chua_thuc_hien": 0, "dang_thuc_hien": r.randrange(10, 95, 5)}.get(status, 100)
                    assignment_id = next_id("assignments")
                    live_agencies.add(agency_id)
                    tables["assignments"].append({
                        "id": assignment_id, "task_id": task_id, "agency_id": agency_id,
                        "via_group_id": group if group and agency_id in groups[group] else None,
                        "role": "lead" if position == 0 or (position == 1 and r.random() < 0.2) else "coordinating",
                        "deadline": deadline, "original_deadline": original, "status": status,
                        "progress_percent": percent, "completed_date": completed, "active": True,
                        "created_at": created, "updated_at": created, "version": 1,
                    })
                    if status != "chua_thuc_hien":
                        for step in range(1 if r.random() < 0.6 else 2):
                            tables["progress_reports"].append({
                                "id": next_id("progress_reports"), "assignment_id": assignment_id,
                                "user_id": department_user if agency_id == busy else None,
                                "created_at": created + timedelta(days=step + 1),
                                "old_status": "chua_thuc_hien" if step == 0 else "dang_thuc_hien",
                                "new_status": "dang_thuc_hien" if step == 0 else status, "percent": percent,
                                "note": f"Đã triển khai {topic}, đạt {percent}% khối lượng (lần {step + 1}).",
                            })
            assignees = [{"agency_id": section_lead, "group_id": None, "role": "lead"}]
            if group:
                assignees.append({"agency_id": None, "group_id": group, "role": "coordinating"})
            for position, assignee in enumerate(assignees):
                tables["section_assignees"].append({"id": next_id("section_assignees"), "section_id": section_id,
                                                    "position": position, "deadline": None, **assignee})
                texts.append(names[assignee["agency_id"]] if assignee["agency_id"] else
                             tables["agency_groups"][assignee["group_id"] - 1]["name"])
        # Issued (numbered in UBND tỉnh's outgoing register): only then are the tasks live. As
        # app/directives/received.py does, it arrives in the incoming register of every assigned agency.
        outgoing[(root, issued.year)] += 1
        sequence = outgoing[(root, issued.year)]
        tables["register_entries"].append({
            "id": directive_id, "directive_id": directive_id, "agency_id": root, "year": issued.year,
            "sequence": sequence, "number": str(sequence), "issued_date": issued, "issued_at": created,
            "issued_by_id": None, "docx_path": f"bench/{directive_id}.docx", "docx_sha256": "0" * 64,
            "pdf_path": f"bench/{directive_id}.pdf", "pdf_sha256": "0" * 64})
        for agency_id in sorted(live_agencies):
            incoming[(agency_id, issued.year)] += 1
            tables["received_entries"].append({
                "id": next_id("received_entries"), "directive_id": directive_id, "agency_id": agency_id,
                "year": issued.year, "sequence": incoming[(agency_id, issued.year)], "received_date": issued,
                "registered_at": created, "registered_by_id": None, "source": "internal"})
        tables["directives"].append({
            "id": directive_id, "doc_type": kind, "issuer_agency_id": root, "owner_agency_id": root,
            "parent_id": None, "purpose": "chi_dao", "deadline": None,
            "issuer_text": "ỦY BAN NHÂN DÂN\nTỈNH KON TUM", "number": str(sequence), "symbol": symbol,
            "place": "Kon Tum", "issued_date": issued, "subject": subject, "urgency": None, "preamble": "", "closing": "",
            "signer_authority": "TM.", "signer_authority_title": "ỦY BAN NHÂN DÂN", "signer_title": "CHỦ TỊCH",
            "signer_name": "Nguyễn Văn A", "state": "issued", "source_key": None,
            "search_text": fold(" \n ".join(texts)), "created_by_id": 1, "created_at": created,
            "updated_by_id": 1, "updated_at": created, "version": 1,
        })
    tables["register_counters"] = [{"agency_id": a, "year": y, "last_number": n} for (a, y), n in outgoing.items()]
    tables["received_counters"] = [{"agency_id": a, "year": y, "last_number": n} for (a, y), n in incoming.items()]
    return {"tables": tables, "busy_agency": busy, "office": office, "root": root, "special": special}


INSERT_ORDER = ("agencies", "agency_groups", "agency_group_members", "users", "user_roles", "directives",
                "directive_recipients", "directive_cc_lines", "sections", "section_assignees", "tasks", "assignments",
                "progress_reports", "register_counters", "register_entries", "received_counters", "received_entries")


def load(app, data: dict, label: str, postgres: bool, search_index: bool = True) -> None:
    if postgres:
        return load_postgres(app, data, label, search_index)
    from sqlalchemy import insert

    from app.extensions import db

    with app.app_context():
        db.create_all()
        metadata = db.metadata.tables
        started = time.perf_counter()
        for name in INSERT_ORDER:
            rows = data["tables"][name]
            table = metadata[name]
            for start in range(0, len(rows), BATCH):
                db.session.execute(insert(table), rows[start:start + BATCH])
            db.session.commit()
            progress(f"{label}: {name} {len(rows)} rows ({time.perf_counter() - started:.1f} s)")
        out(f"{label}_insert_s", round(time.perf_counter() - started, 1))
        db.session.remove()
    if not search_index:
        out(f"{label}_search_rebuild", "skipped (--search-index): search_entries empty, inbox_search not timed")
    finish_load(app, label, postgres=False, search_done=not search_index)


def load_postgres(app, data: dict, label: str, search_index: bool = True) -> None:
    """COPY (psycopg's cursor.copy) into tables without their secondary indexes, then the indexes, then
    what the application itself computes from the rows: the search index, the tallies, the statistics.

    Primary keys and unique constraints stay during the load (they are what makes the rows valid).
    Foreign keys are declared but not checked row by row while copying (session_replication_role =
    replica, as pg_restore --disable-triggers does): the rows are generated consistent."""
    from operator import itemgetter

    from sqlalchemy import text

    from app import search
    from app.extensions import db

    with app.app_context():
        db.create_all()
        metadata = db.metadata.tables
        engine = db.engine
        started = time.perf_counter()
        indexes = [index for name in (*INSERT_ORDER, "search_entries") for index in metadata[name].indexes]
        with engine.begin() as connection:
            for index in indexes:
                index.drop(connection)
            connection.exec_driver_sql("DROP INDEX ix_search_entries_tsv")  # the GIN index (app/search.py)
        raw = engine.raw_connection()
        try:
            pg = raw.driver_connection
            with pg.cursor() as cursor:
                cursor.execute("SET session_replication_role = replica")
                for name in INSERT_ORDER:
                    rows = data["tables"][name]
                    if not rows:
                        continue
                    columns = list(rows[0])
                    row_of = itemgetter(*columns)
                    # what a Core insert would add: the columns' Python-side defaults (server defaults
                    # the database fills itself)
                    defaults = column_defaults(metadata[name], columns)
                    extra = tuple(defaults.values())
                    with cursor.copy(f"COPY {name} ({', '.join([*columns, *defaults])}) FROM STDIN") as copy:
                        for row in rows:
                            copy.write_row(row_of(row) + extra)
                    progress(f"{label}: COPY {name} {len(rows)} rows ({time.perf_counter() - started:.1f} s)")
                cursor.execute("RESET session_replication_role")
                for name in INSERT_ORDER:
                    if "id" in metadata[name].c:
                        cursor.execute(f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), "
                                       f"COALESCE((SELECT max(id) FROM {name}), 1))")
            pg.commit()
        finally:
            raw.close()
        out(f"{label}_copy_s", round(time.perf_counter() - started, 1))
        indexed = time.perf_counter()
        with engine.begin() as connection:
            connection.exec_driver_sql("SET LOCAL maintenance_work_mem = '256MB'")
            for index in indexes:
                index.create(connection)
        out(f"{label}_indexes_s", round(time.perf_counter() - indexed, 1))
        # A live server's autovacuum would have visited the freshly loaded tables: the visibility map (for
        # index-only scans) and the planner's statistics (app/planner.py). Done before the search index is
        # rebuilt, whose statements are planned per chunk of ids (without statistics PostgreSQL hashes
        # whole tables for each chunk), and so that autovacuum does not start in the middle of the timings.
        from app import planner

        vacuumed = time.perf_counter()
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.execute(text("VACUUM"))
            planner.refresh(connection)
        out(f"{label}_vacuum_analyze_s", round(time.perf_counter() - vacuumed, 1))
        # the application's own rebuild (`flask search rebuild`), with the GIN index built after it
        rebuilt = time.perf_counter()
        if search_index:
            with engine.begin() as connection:  # each chunk planned for itself (search.rebuild)
                search.rebuild(connection)
        with engine.begin() as connection:
            connection.exec_driver_sql("SET LOCAL maintenance_work_mem = '256MB'")
            connection.exec_driver_sql(search.PG_DDL[1])
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.execute(text("VACUUM search_entries"))
        if search_index:
            out(f"{label}_search_rebuild_s", round(time.perf_counter() - rebuilt, 1))
        else:
            out(f"{label}_search_rebuild", "skipped (--search-index): search_entries empty, inbox_search not timed")
        db.session.remove()
    finish_load(app, label, postgres=True, search_done=True)


def column_defaults(table, given) -> dict:
    """{column: value} of the columns a row leaves out that have a Python-side default (constant or
    callable, evaluated once for the whole load, as for one multi-row insert)."""
    defaults = {}
    for column in table.columns:
        if column.name in given or column.default is None or column.default.is_sequence:
            continue
        default = column.default
        defaults[column.name] = default.arg(None) if default.is_callable else default.arg
    return defaults


def finish_load(app, label: str, postgres: bool, search_done: bool = False) -> None:
    """What the application computes from the rows: the search index (unless done), the dashboard's
    tallies (app/tracking/tallies.py, as the midnight job counts them), the planner's statistics
    (app/planner.py, as the night's job gathers them)."""
    from sqlalchemy import text

    from app import planner, search
    from app.extensions import db
    from app.tracking import tallies

    with app.app_context():
        if not search_done:
            # Core inserts bypass the session hooks that keep the full-text index: rebuild it, as
            # `flask search rebuild` does (the inbox search reads search_entries, not directives.search_text)
            rebuilt = time.perf_counter()
            with db.engine.begin() as connection:
                search.rebuild(connection)
            out(f"{label}_search_rebuild_s", round(time.perf_counter() - rebuilt, 1))
        counted = time.perf_counter()
        tally_rows = tallies.rebuild(db.session)
        db.session.commit()
        out(f"{label}_tallies_rebuild_s", round(time.perf_counter() - counted, 1))
        out(f"{label}_tallies_detail_rows", tally_rows)
        analysed = time.perf_counter()
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            planner.refresh(conn)
        out(f"{label}_analyze_s", round(time.perf_counter() - analysed, 1))
        for name in (*INSERT_ORDER, "search_entries"):
            out(f"{label}_rows_{name}", db.session.execute(text(f"SELECT count(*) FROM {name}")).scalar())
        db.session.remove()


# --- 2. measuring ------------------------------------------------------------------------------

class StatementRecorder:
    """Every SQL statement the engine sends, with its duration; `reset()` before each request."""

    def __init__(self, engine):
        from sqlalchemy import event

        self.statements: list[tuple[str, str, float]] = []
        self.parameters: list = []  # the parameters themselves, beside each statement (for --explain)
        self._started: list[float] = []
        event.listen(engine, "before_cursor_execute", self._before)
        event.listen(engine, "after_cursor_execute", self._after)

    def reset(self):
        self.statements, self._started, self.parameters = [], [], []

    def _before(self, conn, cursor, statement, parameters, context, executemany):
        self._started.append(time.perf_counter())

    def _after(self, conn, cursor, statement, parameters, context, executemany):
        started = self._started.pop() if self._started else time.perf_counter()
        self.statements.append((statement, repr(parameters)[:300], time.perf_counter() - started))
        self.parameters.append(parameters)


TRIVIAL_URL = "/tai-khoan"


def TRIVIAL_PAGES(office, anonymous):
    """The reference pages: the account page (the whole layout for a signed-in user, a small form and no
    data: the trivial page the ratios divide by), /healthz (JSON, one SELECT 1) and the login page."""
    return (("trivial_page", office, TRIVIAL_URL), ("trivial_healthz", office, "/healthz"),
            ("trivial_login", anonymous, "/dang-nhap"))


def login(app, username):
    client = app.test_client()
    response = client.post("/dang-nhap", data={"username": username, "password": PASSWORD})
    if response.status_code != 302:
        raise SystemExit(f"login as {username} failed: HTTP {response.status_code}")
    return client


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def check_page(label, page, url, response):
    """Every timed request must be the page itself: a 403/404 (data the app no longer shows to these
    users), a redirect to the login or to Tệp đã xuất (an export that became a job) times nothing."""
    status = response.status_code
    assert status == 200, f"{label} {page}: GET {url} answered HTTP {status}, not 200 " \
                          f"(location {response.headers.get('Location')!r})"
    if url.split("?")[0].endswith(".xlsx"):
        assert response.mimetype == XLSX, f"{label} {page}: GET {url} answered {response.mimetype}, not Excel"


def measure(label, page, client, recorder, url, rounds, warmup):
    """(timings in seconds, statements of each request, response size in bytes); asserts HTTP 200."""
    for _ in range(warmup):
        response = client.get(url)
        response.get_data()
        check_page(label, page, url, response)
    timings, statements, size = [], [], 0
    for _ in range(rounds):
        recorder.reset()
        started = time.perf_counter()
        response = client.get(url)
        body = response.get_data()
        timings.append(time.perf_counter() - started)
        statements.append(list(recorder.statements))
        size = len(body)
        check_page(label, page, url, response)
    return timings, statements, size


def report_page(label, page, timings, statements, size, results, trivial_p95=None):
    counts = [len(s) for s in statements]
    last = statements[-1]
    median, p95 = ms(statistics.median(timings)), ms(percentile(timings, 0.95))
    out(f"{label}_{page}_ms_median", median)
    out(f"{label}_{page}_ms_p95", p95)
    ratio = round(p95 / trivial_p95, 1) if trivial_p95 else None
    if trivial_p95:
        out(f"{label}_{page}_vs_trivial_p95_ratio", ratio)
    out(f"{label}_{page}_statements", counts[-1] if len(set(counts)) == 1 else f"{min(counts)}..{max(counts)}")
    out(f"{label}_{page}_sql_ms", ms(sum(d for _s, _p, d in last)))
    slowest = max(last, key=lambda item: item[2]) if last else None
    if slowest:
        out(f"{label}_{page}_slowest_sql_ms", ms(slowest[2]))
        out(f"{label}_{page}_slowest_sql", short_sql(slowest[0], 200))
    repeated = Counter((s, p) for s, p, _d in last)
    for (statement, _params), n in repeated.items():
        if n > 1:  # the very same statement with the same parameters, run again in one request
            out(f"{label}_{page}_repeated_statement", f"{n} x {short_sql(statement, 200)}")
    out(f"{label}_{page}_bytes", size)
    results[page] = {"median": median, "p95": p95, "statements": max(counts), "last": last, "ratio": ratio,
                     "statements_shown": counts[-1] if len(set(counts)) == 1 else f"{min(counts)}..{max(counts)}"}


def profile_request(label, page, client, url, top=12):
    """One more request under cProfile: where the Python time goes (cProfile slows it down ~2x)."""
    import cProfile
    import pstats

    profiler = cProfile.Profile()
    profiler.enable()
    client.get(url).get_data()
    profiler.disable()
    stats = pstats.Stats(profiler).stats  # {(file, line, function): (cc, calls, own, cumulative, callers)}
    root = str(ROOT) + "/"

    def where(key):
        path, line, function = key
        return f"{path.replace(root, '')}:{line}({function})"

    for order, index in (("cum", 3), ("own", 2)):
        # the request plumbing (test client, Flask dispatch) would fill the cumulative list: left out
        entries = [item for item in stats.items()
                   if order == "own" or not re.search(r"/(werkzeug|flask)/", item[0][0])]
        ranked = sorted(entries, key=lambda item: item[1][index], reverse=True)[:top]
        for rank, (key, values) in enumerate(ranked, start=1):
            out(f"{label}_{page}_profile_{order}_{rank:02d}", f"{ms(values[index])} ms {values[1]} calls {where(key)}")


def explain_slowest(app, label, page, recorder):
    """EXPLAIN (ANALYZE, BUFFERS) of the slowest statement of the page's last timed request, run again
    with its own parameters (PostgreSQL): the whole statement and its plan, as `#` lines."""
    from app.extensions import db

    index = max(range(len(recorder.statements)), key=lambda i: recorder.statements[i][2])
    statement, _shown, duration = recorder.statements[index]
    parameters = recorder.parameters[index]
    out(f"{label}_{page}_explain_ms_in_request", ms(duration))
    print(f"# {label} {page} slowest statement ({ms(duration)} ms in the request):", flush=True)
    for line in statement.splitlines():
        print(f"#   {line}")
    print(f"#   parameters: {parameters!r}")
    with app.app_context():
        with db.engine.connect() as connection:
            plan = connection.exec_driver_sql(f"EXPLAIN (ANALYZE, BUFFERS) {statement}", parameters).scalars().all()
            connection.rollback()
            # a plan whose estimated cost passes jit_above_cost is compiled first: the same without JIT beside it
            jitted = any(line.strip().startswith("JIT:") for line in plan)
            if jitted:
                connection.exec_driver_sql("SET LOCAL jit = off")
                no_jit = connection.exec_driver_sql(f"EXPLAIN (ANALYZE, BUFFERS) {statement}",
                                                    parameters).scalars().all()
                connection.rollback()
        db.session.remove()
    for line in plan:
        print(f"#   {line}")
    if jitted:
        print(f"# {label} {page} the same statement with SET LOCAL jit = off:")
        for line in no_jit:
            print(f"#   {line}")
        times = [float(re.search(r"([\d.]+) ms", line).group(1)) for line in no_jit if "Execution Time" in line]
        out(f"{label}_{page}_explain_ms_without_jit", times[0] if times else "?")
    print(flush=True)


def run_export_all(label, client, recorder, results, estimate_s, mode):
    """The unfiltered export once (no warm-up: it is one big query); skipped when expected to be too slow."""
    url = "/theo-doi/nhiem-vu.xlsx"
    if mode == "never":
        out(f"{label}_export_all", "skipped (--export-all never)")
        return None
    if mode == "auto" and estimate_s is not None and estimate_s > EXPORT_ALL_LIMIT_S:
        out(f"{label}_export_all",
            f"skipped: expected ~{estimate_s:.0f} s from the small size (> {EXPORT_ALL_LIMIT_S:.0f} s)")
        return None
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    recorder.reset()
    started = time.perf_counter()
    response = client.get(url)
    body = response.get_data()
    elapsed = time.perf_counter() - started
    check_page(label, "export_all", url, response)
    rss_after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    out(f"{label}_export_all_ms_once", ms(elapsed))
    out(f"{label}_export_all_statements", len(recorder.statements))
    out(f"{label}_export_all_bytes", len(body))
    out(f"{label}_export_all_peak_rss_growth_mib", round((rss_after - rss_before) / 1024, 1))
    results["export_all"] = {"median": ms(elapsed), "p95": ms(elapsed), "statements": len(recorder.statements),
                             "last": list(recorder.statements)}
    return elapsed


def run_excel_job(app, label, recorder, results, organisation_id, agency_id, rounds, trivial_p95):
    """The same per-agency Excel list through the job path: above EXCEL_JOB_ROWS the view records a Job
    and the queue runs `excel_job` (app/jobs/exports.py) in the worker. Here that function is called
    directly, in an app context of its own (as the worker has), with a no-op progress callback: the
    time is the worker's, without the queue's wait, the Job row updates and writing the file."""
    from types import SimpleNamespace

    from app.extensions import db
    from app.jobs.exports import excel_job
    from app.models import User

    params = {"scope": "owned", "organisation_id": organisation_id, "args": {"agency": [str(agency_id)]},
              "name": "nhiem-vu", "title": "Nhiệm vụ đã giao (bench)", "description": "bench"}

    def no_progress(done, total=None, force=False):
        pass

    timings, statements, size = [], [], 0
    for round_ in range(rounds + 1):  # the first is the warm-up
        with app.app_context():
            recorder.reset()
            started = time.perf_counter()
            job = SimpleNamespace(user=db.session.get(User, 1))
            content, name = excel_job(job, params, no_progress)
            elapsed = time.perf_counter() - started
            db.session.remove()
        assert content[:2] == b"PK" and name.endswith(".xlsx"), f"{label} excel_agency_job: no workbook"
        if round_:
            timings.append(elapsed)
            statements.append(list(recorder.statements))
            size = len(content)
    report_page(label, "excel_agency_job", timings, statements, size, results, trivial_p95)


# The pages timed over HTTP against gunicorn, the trivial page first: (name, user, url).
HTTP_PAGES = (
    ("trivial_page", OFFICE_USER, TRIVIAL_URL),
    ("dashboard", OFFICE_USER, "/theo-doi"),
    ("office_list", OFFICE_USER, "/theo-doi/nhiem-vu"),
    ("office_list_overdue", OFFICE_USER, "/theo-doi/nhiem-vu?timeliness=qua_han"),
    ("directive_list", OFFICE_USER, "/van-ban"),
    ("inbox", DEPARTMENT_USER, "/nhiem-vu"),
)
RATIO_TARGET = 3.0  # issue 12: dashboard and lists at most 3 x the trivial page


def run_http(label, database_url, rounds, warmup, results):
    """The same data served by the production server: gunicorn with gunicorn.conf.py (workers, threads,
    gc.freeze) as `make run` starts it (DEMO=0), on a free port. Each user logs in through the form;
    then, round after round, every page of HTTP_PAGES is requested once in turn, so that the trivial
    page and the others share the same moments of the machine's load. The time is the client's, from
    opening the connection to the last (compressed) byte. Statements are counted in-process (the test-client pass)."""
    import shutil

    from bench.serving import User, free_port, start_gunicorn, stop, wait_until_up

    folder = Path(tempfile.mkdtemp(prefix="tracking-bench-http-"))
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = {**os.environ, "DATABASE_URL": database_url, "SECRET_KEY": "tracking-bench", "DEMO": "0",
           "HOST": "127.0.0.1", "PORT": str(port), "LOG_FILE": str(folder / "app.log"),
           "STORAGE_DIR": str(folder / "storage"), "GENERATED_DIR": str(folder / "generated"),
           "BACKUP_DIR": str(folder / "backups"), "EXCHANGE_DIR": str(folder / "exchange"),
           "HUEY_SQLITE_PATH": str(folder / "huey.db"), "HUEY_NAME": folder.name,
           "LOGIN_LIMITS_ADDRESS": "100000/minute", "LOGIN_LIMITS_ACCOUNT": "100000/minute"}
    env.pop("REDIS_URL", None)
    env.pop("WEB_WORKERS", None)
    process = start_gunicorn(env, folder / "server.log")
    try:
        wait_until_up(base, process)
        # as a browser asks: the server compresses what it sends (Flask-Compress, COMPRESS_ALGORITHM)
        users = {name: User(base, name, PASSWORD, {"Accept-Encoding": "br, gzip"})
                 for name in (OFFICE_USER, DEPARTMENT_USER)}
        for user in users.values():
            user.login()
        timings = {page: [] for page, _user, _url in HTTP_PAGES}
        sizes = {}
        progress(f"{label}: HTTP {base}, {len(HTTP_PAGES)} pages in turn, {warmup} warm-up + {rounds} timed rounds")
        for round_ in range(warmup + rounds):
            for page, username, url in HTTP_PAGES:
                started = time.perf_counter()
                status, body, encoding = users[username].fetch(url)
                elapsed = time.perf_counter() - started
                assert status == 200, f"{label} http {page}: GET {url} answered HTTP {status}, not 200"
                if round_ >= warmup:
                    timings[page].append(elapsed)
                    sizes[page] = f"{len(body)} ({encoding or 'identity'})"
    finally:
        stop([process])
        log = (folder / "server.log").read_text(errors="replace")
        shutil.rmtree(folder, ignore_errors=True)
    workers = len(re.findall(r"Booting worker", log))
    out(f"{label}_http_server", f"gunicorn, gunicorn.conf.py, {workers} workers booted")
    trivial_p95 = ms(percentile(timings["trivial_page"], 0.95))
    out(f"{label}_http_trivial_page", f"{TRIVIAL_URL}, p95 {trivial_p95} ms")
    for page, _user, _url in HTTP_PAGES:
        values = timings[page]
        p50, p95 = ms(statistics.median(values)), ms(percentile(values, 0.95))
        out(f"{label}_http_{page}_ms_p50", p50)
        out(f"{label}_http_{page}_ms_p95", p95)
        ratio = None
        if page != "trivial_page":
            ratio = round(p95 / trivial_p95, 1)
            out(f"{label}_http_{page}_vs_trivial_p95_ratio", ratio)
        counted = results.get(page, {})
        out(f"{label}_http_{page}_statements", f"{counted.get('statements_shown', '?')} (counted in-process)")
        out(f"{label}_http_{page}_bytes", sizes[page])
        results[f"http_{page}"] = {"median": p50, "p95": p95, "ratio": ratio,
                                   "statements": counted.get("statements", 0), "last": counted.get("last", []),
                                   "statements_shown": counted.get("statements_shown", "")}


def run_size(backend, size_name, database, args, export_estimate):
    """Fill one database, time every page; returns {page: result} and the unfiltered export time."""
    from sqlalchemy import func, select

    from app import create_app
    from app.extensions import db
    from app.models import Assignment
    from app.clock import local_today

    label = f"{backend}_{size_name}"
    size = SIZES[size_name]
    # EXCEL_JOB_ROWS: the Excel export is timed in the request; above the threshold the app would run the
    # same function as a job (app/jobs/exports.py) and answer with a redirect to Tệp đã xuất
    config = {"SECRET_KEY": "bench", "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000", "WTF_CSRF_ENABLED": False,
              "EXCEL_JOB_ROWS": 10 ** 9,
              # one JSON line per request is still formatted and written (as in production), to /dev/null
              "LOG_FILE": os.devnull, **database}
    app = create_app(config)
    today = local_today()
    started = time.perf_counter()
    progress(f"{label}: generating {size['directives']} directives, {size['assignments']} assignments, "
             f"{size['agencies']} agencies")
    data = generate(size, today, random.Random(SEED))
    progress(f"{label}: generated in {time.perf_counter() - started:.1f} s")
    search_index = args.search_index == "always" or (args.search_index == "auto" and size_name != "huge")
    load(app, data, label, backend == "postgresql", search_index)
    out(f"{label}_load_s", round(time.perf_counter() - started, 1))

    busy, special = data["busy_agency"], data["special"]
    with app.app_context():
        engine = db.engine
        busy_rows = db.session.scalar(select(func.count(Assignment.id)).where(Assignment.agency_id == busy))
        db.session.remove()
    out(f"{label}_department_agency_assignments", busy_rows)
    for name, directive_id in special.items():
        s, t, a = FIXED_DIRECTIVES[name]
        out(f"{label}_{name}_shape",
            f"id {directive_id}: {s} sections x {t} tasks x {a} agencies = {s * t * a} assignments")

    recorder = StatementRecorder(engine)
    office = login(app, OFFICE_USER)
    department = login(app, DEPARTMENT_USER)
    anonymous = app.test_client()
    import gc

    gc.collect()
    gc.freeze()  # as gunicorn.conf.py's post_worker_init does in every worker once the application is loaded
    # The reference: pages that do (almost) nothing, timed in the same process and run, so that a
    # page's p95 can be read as "N times the bare request" whatever the machine's load.
    trivial_rounds = max(args.rounds, 30)
    results = {}
    for page, client, url in TRIVIAL_PAGES(office, anonymous):
        progress(f"{label}: {page} GET {url} (5 warm-up + {trivial_rounds} timed)")
        timings, statements, body_size = measure(label, page, client, recorder, url, trivial_rounds, 5)
        report_page(label, page, timings, statements, body_size, results)
    trivial_p95 = results["trivial_page"]["p95"]
    out(f"{label}_trivial_page", f"{TRIVIAL_URL} (office user's session: the layout, a form, no data), "
                                 f"p95 {trivial_p95} ms")
    pages = [
        ("dashboard", office, "/theo-doi", args.rounds, 2),
        ("inbox", department, "/nhiem-vu", args.rounds, 2),
        *([("inbox_search", department, f"/nhiem-vu?q={SEARCH_WORDS.replace(' ', '+')}", args.rounds, 2)]
          if search_index else []),
        ("office_list", office, "/theo-doi/nhiem-vu", args.rounds, 2),
        ("office_list_overdue", office, "/theo-doi/nhiem-vu?timeliness=qua_han", args.rounds, 2),
        ("directive_list", office, "/van-ban", args.rounds, 2),
        ("directive", office, f"/van-ban/{special['directive']}", args.rounds, 2),
        ("directive_big", office, f"/van-ban/{special['directive_big']}", args.rounds, 2),
        ("excel_agency", office, f"/theo-doi/nhiem-vu.xlsx?agency={busy}", args.excel_rounds, 1),
    ]
    for page, client, url, rounds, warmup in pages:
        progress(f"{label}: {page} GET {url} ({warmup} warm-up + {rounds} timed)")
        timings, statements, body_size = measure(label, page, client, recorder, url, rounds, warmup)
        report_page(label, page, timings, statements, body_size, results, trivial_p95)
        if args.show_sql:
            for statement, params, duration in statements[-1]:
                print(f"#   {ms(duration):8.1f} ms  {short_sql(statement, 400)}  {params[:120]}")
        if page in args.profile:
            profile_request(label, page, client, url)
        if page in args.explain and backend == "postgresql":
            explain_slowest(app, label, page, recorder)
    if args.http and backend == "postgresql":
        run_http(label, database["SQLALCHEMY_DATABASE_URI"], args.http_rounds, args.http_warmup, results)
    out(f"{label}_excel_agency_rows", busy_rows)
    run_excel_job(app, label, recorder, results, data["root"], busy, args.excel_rounds, trivial_p95)
    elapsed = run_export_all(label, office, recorder, results, export_estimate, args.export_all)
    with app.app_context():
        db.session.remove()
        db.engine.dispose()
    gc.unfreeze()
    return results, elapsed, size["assignments"]


# --- 3. backends -------------------------------------------------------------------------------

def port_open(host="127.0.0.1", port=5432) -> bool:
    try:
        with socket.create_connection((host, port), timeout=1):
            return True
    except OSError:
        return False


class SqliteDatabase:
    def __init__(self):
        self.tmp = tempfile.TemporaryDirectory(prefix="tracking-bench-")
        self.count = 0

    def config(self):
        self.count += 1
        path = Path(self.tmp.name) / f"bench{self.count}.db"
        return {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{path}"}

    def close(self):
        self.tmp.cleanup()


class PostgresDatabase:
    """A database of its own per size on the server (bench/serving.py OwnDatabase), dropped at the end:
    gunicorn is pointed at it with DATABASE_URL, as a deployment is."""

    def __init__(self, url, keep=False):
        from sqlalchemy import create_engine

        self.url = url
        self.engine = create_engine(url)
        self.databases = []
        self.keep = keep

    def config(self):
        from bench.serving import OwnDatabase

        database = OwnDatabase(self.url, "tracking_bench")
        self.databases.append(database)
        return {"SQLALCHEMY_DATABASE_URI": database.url, "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True}}

    def close(self):
        for database in self.databases:
            if self.keep:
                out("postgresql_kept_database", database.url)
                database.admin.dispose()
            else:
                database.drop()
        self.engine.dispose()


def compare(backend, by_size):
    """Side by side: sizes for each page, `statements_constant` and what grew or is slow."""
    sizes = list(by_size)
    pages = []
    for results in by_size.values():
        pages += [page for page in results if page not in pages]
    findings = []
    for page in pages:
        present = [s for s in sizes if page in by_size[s]]
        for key in ("median", "p95", "ratio", "statements"):
            suffix = {"median": "ms_median", "p95": "ms_p95", "ratio": "vs_trivial_p95_ratio",
                      "statements": "statements"}[key]
            if key == "ratio" and all(by_size[s][page].get("ratio") is None for s in present):
                continue
            out(f"{backend}_{page}_{suffix}", " ".join(f"{s}={by_size[s][page][key]}" for s in present))
        if len(present) > 1:
            counts = {by_size[s][page]["statements"] for s in present}
            constant = len(counts) == 1
            out(f"{backend}_{page}_statements_constant", "yes" if constant else "no")
            if not constant:
                first, last = (Counter(short_sql(s, 200) for s, _p, _d in by_size[x][page]["last"])
                               for x in (present[0], present[-1]))
                for statement, n in (last - first).most_common(3):
                    findings.append(f"{page}: +{n} x {statement}")
        biggest = present[-1]
        result = by_size[biggest][page]
        if result["median"] > SLOW_PAGE_MS:
            slow = max(result["last"], key=lambda item: item[2])
            sql_ms = ms(sum(d for _s, _p, d in result["last"]))
            findings.append(f"{page}: median {result['median']} ms at {biggest}, of which SQL {sql_ms} ms; slowest "
                            f"statement {ms(slow[2])} ms: {short_sql(slow[0], 200)}")
    # issue 12's target, on the pages served by gunicorn: at most 3 x the trivial page at 100k and 1M
    for page in pages:
        if page.startswith("http_") and page != "http_trivial_page":
            checked = [s for s in sizes if s in ("large", "huge") and page in by_size[s]]
            if checked:
                verdict = ", ".join(f"{s} {by_size[s][page]['ratio']} "
                                    f"{'met' if by_size[s][page]['ratio'] <= RATIO_TARGET else 'MISSED'}"
                                    for s in checked)
                out(f"{backend}_{page}_target_{RATIO_TARGET:g}x_trivial", verdict)
    # Not the data size but the directive's own size: the same two directives exist at every size.
    for size_name in sizes:
        results = by_size[size_name]
        if "directive" in results and "directive_big" in results:
            shapes = {name: FIXED_DIRECTIVES[name] for name in ("directive", "directive_big")}
            counts = {name: results[name]["statements"] for name in shapes}
            detail = ", ".join(f"{counts[n]} for {s * t} tasks/{s * t * a} assignments"
                               for n, (s, t, a) in shapes.items())
            grows = counts["directive"] != counts["directive_big"]
            out(f"{backend}_{size_name}_directive_statements_grow_with_directive_size",
                f"{'yes' if grows else 'no'} ({detail})")
            if grows and size_name == sizes[-1]:
                first, last = (Counter(short_sql(s, 200) for s, _p, _d in results[n]["last"]) for n in shapes)
                for statement, n in (last - first).most_common(4):
                    findings.append(f"directive page per-row lazy load: +{n} x {statement}")
    for index, finding in enumerate(findings, start=1):
        out(f"{backend}_finding_{index}", finding)
    if not findings:
        out(f"{backend}_findings", "none")
    # the same figures as a Markdown table (bench/README.md keeps one per backend)
    print(f"\n{backend}: ms per request; ratio = p95 / p95 of the trivial page ({TRIVIAL_URL}) in the same run\n")
    print("| page | size | median ms | p95 ms | p95 / trivial p95 | statements |")
    print("|---|---|---:|---:|---:|---:|")
    for page in pages:
        for size_name in sizes:
            result = by_size[size_name].get(page)
            if result:
                ratio = "" if result.get("ratio") is None else result["ratio"]
                print(f"| {page} | {size_name} | {result['median']} | {result['p95']} | {ratio} | "
                      f"{result.get('statements_shown', result['statements'])} |")
    print(flush=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="small,large", help="comma-separated: small, large, huge")
    parser.add_argument("--rounds", type=int, default=15, help="timed requests per page (default 15)")
    parser.add_argument("--excel-rounds", type=int, default=5, help="timed per-agency exports (default 5)")
    parser.add_argument("--export-all", choices=("auto", "always", "never"), default="auto",
                        help="unfiltered export, once per size; auto skips it when expected over 60 s")
    parser.add_argument("--postgres", nargs="?", const=DEFAULT_POSTGRES, metavar="URL",
                        help=f"run on PostgreSQL too (default URL {DEFAULT_POSTGRES})")
    parser.add_argument("--no-postgres", action="store_true", help="never run on PostgreSQL")
    parser.add_argument("--no-sqlite", action="store_true", help="skip SQLite")
    parser.add_argument("--keep", action="store_true",
                        help="leave the PostgreSQL databases in place (their URLs are printed) to study the plans")
    parser.add_argument("--search-index", choices=("auto", "always", "never"), default="auto",
                        help="rebuild the full-text index after loading (app/search.py rebuild); auto: not at huge "
                             "(PostgreSQL: ~100 s per 100,000 assignments), and inbox_search is then not timed")
    parser.add_argument("--no-http", dest="http", action="store_false",
                        help="on PostgreSQL, do not time the pages over HTTP against gunicorn as well")
    parser.add_argument("--http-rounds", type=int, default=40, help="timed rounds over HTTP (default 40)")
    parser.add_argument("--http-warmup", type=int, default=10,
                        help="untimed rounds over HTTP first, so every gunicorn worker has served each page")
    parser.add_argument("--show-sql", action="store_true", help="print every statement of the last timed request")
    parser.add_argument("--explain", default="", metavar="PAGES",
                        help="comma-separated pages whose slowest statement is EXPLAIN ANALYZEd (PostgreSQL)")
    parser.add_argument("--profile", default="", metavar="PAGES",
                        help="comma-separated pages to profile once with cProfile (dashboard, excel_agency, ...)")
    args = parser.parse_args()
    sizes = [s.strip() for s in args.sizes.split(",") if s.strip()]
    args.profile = {p.strip() for p in args.profile.split(",") if p.strip()}
    args.explain = {p.strip() for p in args.explain.split(",") if p.strip()}
    unknown = [s for s in sizes if s not in SIZES]
    if unknown:
        parser.error(f"unknown size {unknown}; choose from {list(SIZES)}")

    backends = [] if args.no_sqlite else ["sqlite"]
    postgres_url = args.postgres
    if postgres_url is None and not args.no_postgres and port_open():
        postgres_url = os.environ.get("BENCH_POSTGRES_URL", DEFAULT_POSTGRES)
    if postgres_url and not args.no_postgres:
        backends.append("postgresql")
    else:
        out("postgresql", "skipped (no server on 127.0.0.1:5432; use --postgres URL)" if not args.no_postgres
            else "skipped (--no-postgres)")

    import sqlalchemy

    from app.clock import local_today

    out("python", sys.version.split()[0])
    out("sqlalchemy", sqlalchemy.__version__)
    out("cpus", os.cpu_count())
    out("today", local_today().isoformat())
    out("per_page", os.environ.get("PER_PAGE", "20"))
    began = time.perf_counter()
    for backend in backends:
        database = SqliteDatabase() if backend == "sqlite" else PostgresDatabase(postgres_url, args.keep)
        if backend == "postgresql":
            from sqlalchemy import text
            with database.engine.connect() as conn:
                out("postgresql_version", conn.execute(text("SHOW server_version")).scalar())
        by_size, estimate = {}, None
        try:
            for size_name in sizes:
                results, elapsed, rows = run_size(backend, size_name, database.config(), args, estimate)
                by_size[size_name] = results
                if elapsed is not None:
                    estimate = elapsed * SIZES["large"]["assignments"] / rows  # linear guess for the next size
        finally:
            database.close()
        compare(backend, by_size)
    out("total_s", round(time.perf_counter() - began, 1))


if __name__ == "__main__":
    main()
