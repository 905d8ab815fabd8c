"""The spool folder of one simulated cluster: config.json, the SQLite job database, bin/ and locks/.

Import-light on purpose (stdlib only, no json/re at import time): every fake command opens a spool.
"""

from __future__ import annotations

import os

TYPE_CHECKING = False  # typing is not imported at run time: every command pays for imports
if TYPE_CHECKING:
    from pathlib import Path
    from typing import Any

try:  # the C module alone: sqlite3.dbapi2 pulls in datetime and adapters we never use
    import _sqlite3 as sqlite3
except ImportError:  # pragma: no cover - some builds only ship the package
    import sqlite3  # type: ignore[no-redef]

SPOOL_ENV = "CLUSTERJOB_SIM_SPOOL"
CONFIG_NAME = "config.json"
DB_NAME = "jobs.db"

# Engine defaults; a scheduler module's DEFAULT_CONFIG and create_spool's overrides go on top.
BASE_CONFIG: dict[str, Any] = {
    "scheduler": "",
    "module": "",  # import path of the scheduler module; empty: clusterjob_sim.<scheduler>
    "cluster_name": "simcluster",
    "server_name": "simserver",
    "submit_host": "",  # empty: this machine's host name
    "nodes": 4,  # an int is expanded to node01..nodeNN with the two values below
    "cores_per_node": 8,
    "mem_mb_per_node": 16000,
    "node_prefix": "node",
    "queues": {"batch": {"max_time_s": None, "default_time_s": None, "nodes": None}},
    "default_queue": "batch",
    "parallel_environments": {},
    "keep_finished_s": 300,
    "first_job_id": 1000000,  # schedulers set their own realistic default (DEFAULT_CONFIG)
    "kill_wait_s": 2.0,
    "accounting": True,
    "faults": [],
    "fault_seed": 0,
}

SCHEMA_VERSION = 3
SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS jobs (
    rid INTEGER PRIMARY KEY AUTOINCREMENT,
    job_id INTEGER NOT NULL,
    array_id INTEGER,
    array_index INTEGER,
    array_limit INTEGER,
    array_spec TEXT,
    name TEXT NOT NULL DEFAULT '',
    user TEXT NOT NULL DEFAULT '',
    uid INTEGER NOT NULL DEFAULT 0,
    queue TEXT NOT NULL DEFAULT '',
    nodes INTEGER NOT NULL DEFAULT 1,
    cores_per_node INTEGER NOT NULL DEFAULT 1,
    mem_mb_per_node INTEGER,
    exclusive INTEGER NOT NULL DEFAULT 0,
    walltime_s REAL,
    held INTEGER NOT NULL DEFAULT 0,
    workdir TEXT NOT NULL DEFAULT '',
    submit_dir TEXT NOT NULL DEFAULT '',
    submit_host TEXT NOT NULL DEFAULT '',
    stdout TEXT,
    stderr TEXT,
    script TEXT NOT NULL DEFAULT '',
    env TEXT NOT NULL DEFAULT '{}',
    data TEXT NOT NULL DEFAULT '{}',
    state TEXT NOT NULL DEFAULT 'PENDING',
    reason TEXT NOT NULL DEFAULT 'none',
    submit_time REAL NOT NULL,
    start_time REAL,
    end_time REAL,
    nodelist TEXT NOT NULL DEFAULT '',
    exit_code INTEGER,
    signal INTEGER,
    cancelled_by INTEGER,
    runner_pid INTEGER,
    pgid INTEGER,
    lost INTEGER NOT NULL DEFAULT 0,
    split_ids INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX IF NOT EXISTS jobs_job_id ON jobs (job_id);
CREATE INDEX IF NOT EXISTS jobs_array_id ON jobs (array_id) WHERE array_id IS NOT NULL;
CREATE INDEX IF NOT EXISTS jobs_state ON jobs (state, held);
CREATE INDEX IF NOT EXISTS jobs_end_time ON jobs (end_time);
INSERT OR IGNORE INTO meta (key, value) VALUES ('gen', 0), ('tick_gen', -1), ('last_check', 0);
CREATE TABLE IF NOT EXISTS fault_state (
    key TEXT PRIMARY KEY, seen INTEGER NOT NULL DEFAULT 0, fired INTEGER NOT NULL DEFAULT 0
) WITHOUT ROWID;
"""

STEPS_SCHEMA = """
CREATE TABLE IF NOT EXISTS steps (
    rid INTEGER NOT NULL,
    step_id INTEGER NOT NULL,
    name TEXT NOT NULL DEFAULT '',
    ntasks INTEGER NOT NULL DEFAULT 1,
    nodelist TEXT NOT NULL DEFAULT '',
    state TEXT NOT NULL DEFAULT 'RUNNING',
    start_time REAL NOT NULL,
    end_time REAL,
    exit_code INTEGER,
    signal INTEGER,
    pid INTEGER,
    data TEXT NOT NULL DEFAULT '{}',
    PRIMARY KEY (rid, step_id)
) WITHOUT ROWID
"""  # v3: job steps started inside a job by its launcher (srun, pbsdsh, blaunch, qrsh -inherit)


def default_spool(scheduler: str) -> Path:
    """The spool named by $CLUSTERJOB_SIM_SPOOL, else a per-user one under the cache folder."""
    from pathlib import Path

    env = os.environ.get(SPOOL_ENV)
    if env:
        return Path(env)
    cache = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(cache) / "clusterjob-sim" / scheduler


class _ScanContext:
    """What _json.make_scanner reads from a JSONDecoder: plain JSON, no hooks."""

    strict = True
    object_hook = None
    object_pairs_hook = None
    parse_float = float
    parse_int = int
    parse_constant = float
    memo: dict[str, str] = {}


def json_loads(text: str) -> Any:
    """json.loads with the C scanner alone: the json package imports re, which costs every command."""
    try:
        from _json import make_scanner
    except ImportError:  # pragma: no cover - interpreters without the C accelerator
        import json

        return json.loads(text)
    body = text.strip(" \t\n\r")
    try:
        value, end = make_scanner(_ScanContext())(body, 0)  # type: ignore[arg-type]
    except StopIteration as e:
        raise ValueError(f"invalid JSON at character {e.value}") from None
    if end != len(body):
        raise ValueError(f"extra data after JSON at character {end}")
    return value


def json_dumps(value: Any) -> str:
    """Compact JSON of None/bool/int/float/str/list/tuple/dict (str keys) without importing json."""
    from _json import encode_basestring_ascii as quote

    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, int):
        return int.__repr__(value)
    if isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            raise ValueError(f"not JSON: {value}")
        return float.__repr__(value)
    if isinstance(value, str):
        return str(quote(value))
    if isinstance(value, (list, tuple)):
        return "[" + ",".join(json_dumps(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ",".join(f"{quote(str(k))}:{json_dumps(v)}" for k, v in value.items()) + "}"
    raise TypeError(f"not JSON serializable: {type(value).__name__}")


def load_config(spool: str | os.PathLike[str]) -> dict[str, Any]:
    """Read <spool>/config.json (raises FileNotFoundError if the spool was never created)."""
    with open(os.path.join(spool, CONFIG_NAME), encoding="utf-8") as f:
        cfg: dict[str, Any] = json_loads(f.read())
    return cfg


def write_config(spool: str | os.PathLike[str], cfg: dict[str, Any]) -> None:
    """Replace <spool>/config.json atomically, so concurrent readers never see half a file."""
    import json

    path = os.path.join(spool, CONFIG_NAME)
    tmp = f"{path}.{os.getpid()}.tmp"
    with open(tmp, "w", encoding="utf-8") as f:
        json.dump(cfg, f, indent=2, sort_keys=True)
        f.write("\n")
    os.replace(tmp, path)


def normalize_nodes(cfg: dict[str, Any]) -> list[dict[str, Any]]:
    """The configured nodes as [{'name', 'cores', 'mem_mb'}], expanding an int count to node01..nodeNN."""
    nodes = cfg.get("nodes", 1)
    if isinstance(nodes, int):
        width = max(2, len(str(nodes)))
        prefix = cfg.get("node_prefix", "node")
        return [
            {
                "name": f"{prefix}{i:0{width}d}",
                "cores": int(cfg.get("cores_per_node", 1)),
                "mem_mb": int(cfg.get("mem_mb_per_node", 1000)),
            }
            for i in range(1, nodes + 1)
        ]
    return [
        {
            "name": str(n["name"]),
            "cores": int(n.get("cores", cfg.get("cores_per_node", 1))),
            "mem_mb": int(n.get("mem_mb", cfg.get("mem_mb_per_node", 1000))),
        }
        for n in nodes
    ]


def connect(spool: str | os.PathLike[str]) -> sqlite3.Connection:
    """Open the job database in autocommit mode with WAL and a long busy timeout; create the schema."""
    conn = sqlite3.connect(
        os.path.join(spool, DB_NAME), timeout=60.0, isolation_level=None, check_same_thread=False
    )
    conn.execute("PRAGMA busy_timeout = 60000")
    if conn.execute("PRAGMA user_version").fetchone()[0] != SCHEMA_VERSION:
        conn.execute("PRAGMA journal_mode = WAL")
        with transaction(conn):
            version = conn.execute("PRAGMA user_version").fetchone()[0]
            if version == 0:
                for statement in SCHEMA.split(";\n"):
                    if statement.strip():
                        conn.execute(statement)
            if version == 1:  # v2 added split_ids
                conn.execute("ALTER TABLE jobs ADD COLUMN split_ids INTEGER NOT NULL DEFAULT 0")
            conn.execute(STEPS_SCHEMA)  # v3 added steps (a no-op on a new or current database)
            conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
    conn.execute("PRAGMA synchronous = NORMAL")
    return conn


class transaction:
    """BEGIN IMMEDIATE ... COMMIT (ROLLBACK on error): one writer at a time, never a lost update."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn

    def __enter__(self) -> sqlite3.Connection:
        self.conn.execute("BEGIN IMMEDIATE")
        return self.conn

    def __exit__(self, exc_type: object, exc: object, tb: object) -> None:
        if self.conn.in_transaction:
            self.conn.execute("ROLLBACK" if exc_type else "COMMIT")
