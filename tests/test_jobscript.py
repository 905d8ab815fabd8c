"""JobScript: attributes vs resources, rendering, placeholders, settings precedence, validation first."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from clusterjob.errors import InvalidResourceError, SettingsError
from clusterjob.jobscript import JobScript
from tests.dummy_backend import DummyBackend

BACKEND = DummyBackend()


@pytest.fixture(autouse=True)
def _no_site_defaults() -> None:
    JobScript.clear_defaults()


def test_keywords_split_into_attributes_and_resources() -> None:
    job = JobScript(
        "echo hi", "job1", backend=BACKEND, shell="/bin/sh", nodes=2, queue="q", account="x"
    )
    assert job.shell == "/bin/sh"
    assert job.backend is BACKEND
    assert job.resources == {"name": "job1", "nodes": 2, "queue": "q", "account": "x"}
    assert job.jobname == "job1"


def test_render_order_shebang_headers_body() -> None:
    job = JobScript(
        "echo $CLUSTERJOB_ID ${CLUSTERJOB_ID}\n", "job1", backend=BACKEND, nodes=2, time="1:00:00"
    )
    assert (
        str(job)
        == "#!/bin/bash\n#DUMMY name=job1\n#DUMMY nodes=2\n#DUMMY time=3600\necho $DUMMY_ID ${DUMMY_ID}\n"
    )


def test_placeholders_from_attributes_and_resources() -> None:
    body = (
        "cd {workdir}; run --n {nodes} --q {queue} {jobname} {unknown} ${queue} $HOME/{backend}\n"
    )
    job = JobScript(body, "jx", backend=BACKEND, workdir="/data", nodes=3, queue="long")
    rendered = job.render().splitlines()[-1]
    assert rendered == "cd /data; run --n 3 --q long jx {unknown} ${queue} $HOME/dummy"


def test_resources_stay_as_written() -> None:
    job = JobScript("true", "j", backend=BACKEND, time="1:00:00", mem="4GB")
    job.render()
    assert job.resources["time"] == "1:00:00"
    assert job.resources["mem"] == "4GB"


@pytest.mark.parametrize(
    ("kwargs", "key"),
    [
        ({"time": "1:99"}, "time"),
        ({"mem": "lots"}, "mem"),
        ({"nodes": 0}, "nodes"),
        ({"ppn": "two"}, "ppn"),
        ({"queue": "a\nb"}, "queue"),
        ({"stdout": "x\x00y"}, "stdout"),
        ({"shell": "bash"}, "shell"),
        ({"filename": "dir/x.sh"}, "filename"),
        ({"max_sleep_interval": 0}, "max_sleep_interval"),
    ],
)
def test_bad_values_rejected_before_rendering(kwargs: dict[str, object], key: str) -> None:
    class Exploding(DummyBackend):
        def resource_headers(self, jobscript: object) -> list[str]:
            raise AssertionError("rendered despite a bad value")

    job = JobScript("true", "j", backend=Exploding(), **kwargs)
    with pytest.raises(InvalidResourceError) as info:
        job.render()
    assert info.value.key == key


def test_job_name_with_newline_rejected_at_construction() -> None:
    with pytest.raises(InvalidResourceError, match="jobname"):
        JobScript("true", "a\n#DUMMY evil=1", backend=BACKEND)


def test_missing_backend_is_a_clear_error() -> None:
    with pytest.raises(InvalidResourceError, match="no backend set"):
        JobScript("true", "j").render()


def test_unknown_backend_name_lists_known() -> None:
    from clusterjob.errors import UnknownBackendError

    with pytest.raises(UnknownBackendError, match="slurm"):
        JobScript("true", "j", backend="nosuch").render()


def test_script_filename_from_jobname_and_extension() -> None:
    assert JobScript("true", "my job/1", backend=BACKEND).script_filename == "my_job_1.dummy"
    assert JobScript("true", "j", backend=BACKEND, filename="run.sh").script_filename == "run.sh"


@given(
    st.text(
        alphabet=st.characters(
            blacklist_categories=("Cs",),
            blacklist_characters="\n\r\x00\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029",
        ),
        min_size=1,
    ).filter(str.strip)
)
def test_any_single_line_name_renders_into_one_header(name: str) -> None:
    job = JobScript("true\n", name, backend=BACKEND)
    lines = job.render().splitlines()
    assert lines[1] == f"#DUMMY name={name}"
    assert lines[-1] == "true"


def test_settings_precedence_toml(tmp_path: Path) -> None:
    settings = tmp_path / "site.toml"
    settings.write_text(
        '[attributes]\nshell = "/bin/zsh"\nmax_sleep_interval = 60\n[resources]\nqueue = "site"\ntime = "2:00:00"\n'
    )
    JobScript.read_defaults(settings)
    job = JobScript("true", "j", backend=BACKEND, time="10:00")
    assert job.shell == "/bin/zsh"  # file beats built-in
    assert job.max_sleep_interval == 60
    assert job.resources["queue"] == "site"
    assert job.resources["time"] == "10:00"  # keyword beats file
    plain = JobScript("true", "j", backend=BACKEND, shell="/bin/sh")
    assert plain.shell == "/bin/sh"
    JobScript.clear_defaults()
    assert JobScript("true", "j").shell == "/bin/bash"  # built-in


def test_settings_ini_original_form(tmp_path: Path) -> None:
    settings = tmp_path / "site.ini"
    settings.write_text(
        "[Attributes]\nremote = cluster\nmax_sleep_interval = 30\n[Resources]\nqueue = normal\nexclusive = true\n"
    )
    JobScript.read_defaults(settings)
    job = JobScript("true", "j", backend=BACKEND)
    assert job.remote == "cluster"
    assert job.max_sleep_interval == 30.0
    assert job.resources["queue"] == "normal"
    assert job.resources["exclusive"] is True


@pytest.mark.parametrize(
    ("name", "text", "fragment"),
    [
        ("bad.toml", "[attributes\n", "not valid TOML"),
        ("bad.toml", "[other]\nx=1\n", "unknown tables"),
        ("bad.toml", "[attributes]\nnodes = 2\n", "unknown attributes"),
        ("bad.ini", "[Attr]\nx=1\n", "unknown sections"),
        ("bad.ini", "no section\n", "not valid INI"),
    ],
)
def test_bad_settings_files(tmp_path: Path, name: str, text: str, fragment: str) -> None:
    path = tmp_path / name
    path.write_text(text)
    with pytest.raises(SettingsError, match=fragment):
        JobScript.read_defaults(path)


def test_missing_settings_file(tmp_path: Path) -> None:
    with pytest.raises(SettingsError, match="cannot read"):
        JobScript.read_defaults(tmp_path / "nope.toml")


def test_settings_configure_a_reference_backend(tmp_path: Path) -> None:
    from clusterjob.backends import get_backend, register_backend
    from clusterjob.backends.sge import SgeBackend

    settings = tmp_path / "site.toml"
    settings.write_text('[backends.sge]\npe = "orte"\npe_smp = "smp"\n')
    try:
        JobScript.read_defaults(settings)
        text = JobScript("true", "j", backend="sge", nodes=2, ppn=4).render()
        assert "#$ -pe orte 8" in text
    finally:
        register_backend(SgeBackend(), "sge")
    assert "-pe" not in JobScript("true", "j", backend=get_backend("sge")).render()


def test_settings_register_a_site_backend_class(tmp_path: Path) -> None:
    from clusterjob.backends import get_backend, unregister_backend

    settings = tmp_path / "site.toml"
    settings.write_text(
        '[backends.mysite]\nclass = "tests.dummy_backend:DummyBackend"\nname = "mysite"\n'
    )
    JobScript.read_defaults(settings)
    try:
        assert get_backend("mysite").name == "mysite"
    finally:
        unregister_backend("mysite")


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("[backends.sge]\nno_such_option = 1\n", "bad options"),
        ('[backends.x]\nclass = "no.such.module:Cls"\n', "cannot import"),
        ('[backends.x]\nclass = "pathlib:Path"\n', "not a ClusterjobBackend"),
        ("[backends]\nsge = 1\n", "its own table"),
    ],
)
def test_bad_backend_settings(tmp_path: Path, text: str, fragment: str) -> None:
    path = tmp_path / "site.toml"
    path.write_text(text)
    with pytest.raises(SettingsError, match=fragment):
        JobScript.read_defaults(path)
