"""Flask extensions, created once here and bound to the app in create_app()."""
from flask_bootstrap import Bootstrap5
from flask_compress import Compress
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf.csrf import CSRFProtect
from sqlalchemy import MetaData, event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase

# Named constraints so that Alembic can alter them on SQLite (batch mode) and PostgreSQL alike.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


db = SQLAlchemy(model_class=Base)
migrate = Migrate(render_as_batch=True, compare_type=True)
login_manager = LoginManager()
login_manager.login_view = "auth.login"
login_manager.login_message = "Vui lòng đăng nhập để tiếp tục."
login_manager.login_message_category = "warning"
csrf = CSRFProtect()
bootstrap = Bootstrap5()
compress = Compress()  # pages and JSON go out compressed (br, gzip); static files are cached by version instead


class AppLimiter(Limiter):
    """Flask-Limiter keeps the key prefix and storage options the first application's config gave, for
    every later init_app of the same object. Several applications are made in one process (the tests
    make one per test, some on Redis under a key prefix of their own), so each init_app starts again
    from the constructor's values and the application being set up decides."""

    def init_app(self, app) -> None:
        self._key_prefix = ""
        self._storage_options = {}
        super().init_app(app)


# the login (app/auth/throttle.py) and the API per token (app/api/throttle.py); no limit on other pages
limiter = AppLimiter(key_func=get_remote_address, default_limits=[], headers_enabled=True)

SQLITE_BUSY_TIMEOUT_MS = 30000


@event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection, connection_record):
    """SQLite, every connection: write-ahead log (readers never block the writer, nor it them) and a busy
    timeout (writers in other gunicorn workers wait up to 30 s for each other instead of failing with
    "database is locked"). WAL is a property of the file, so this also converts an existing database."""
    if type(dbapi_connection).__module__.split(".")[0] not in ("sqlite3", "pysqlite2"):
        return
    cursor = dbapi_connection.cursor()
    cursor.execute(f"PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA journal_mode = WAL")
    cursor.close()


@event.listens_for(Engine, "connect")
def _postgresql_settings(dbapi_connection, connection_record):
    """PostgreSQL, every connection: no JIT compilation. The pages' statements read a few rows through
    indexes, but over a million assignments the planner's cost estimates pass jit_above_cost and each
    execution then compiles its expressions first: at 1,000,000 assignments the directive list took 884 ms
    with JIT and 119 ms without (bench/tracking_bench.py --explain)."""
    if type(dbapi_connection).__module__.split(".")[0] != "psycopg":
        return
    autocommit = dbapi_connection.autocommit
    dbapi_connection.autocommit = True  # a session setting, outside any transaction a rollback would undo
    dbapi_connection.execute("SET jit = off")
    dbapi_connection.autocommit = autocommit
