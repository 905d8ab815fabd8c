"""clusterjob_sim.slurm.parse_submission: what sbatch understands from #SBATCH lines and its command line."""

from __future__ import annotations

import pytest
from clusterjob_sim.engine.allocation import ArraySpec, DirectiveError
from clusterjob_sim.slurm import parse_submission
from clusterjob_sim.slurm.options import parse_array, parse_mem, parse_time
from hypothesis import given
from hypothesis import strategies as st

SHEBANG = "#!/bin/bash\n"


def script(*lines: str, body: str = "srun ./a.out\n") -> str:
    return SHEBANG + "".join(line + "\n" for line in lines) + body


def test_common_resources_long_and_short_forms() -> None:
    long = parse_submission(script(
        "#SBATCH --nodes=2", "#SBATCH --ntasks-per-node=32", "#SBATCH --cpus-per-task=2",
        "#SBATCH --mem=4G", "#SBATCH --time=2:00:00", "#SBATCH --partition=debug",
        "#SBATCH --job-name=sim1", "#SBATCH --output=o.txt", "#SBATCH --error=e.txt",
        "#SBATCH --chdir=/scratch",
    ))  # fmt: skip
    short = parse_submission(script(
        "#SBATCH -N 2 --tasks-per-node 32 -c2", "#SBATCH --mem 4096 -t 120 -p debug -J sim1",
        "#SBATCH -o o.txt -e e.txt -D /scratch",
    ))  # fmt: skip
    for a in (long, short):
        assert (a.nodes, a.tasks_per_node, a.cpus_per_task, a.mem_mb_per_node) == (2, 32, 2, 4096)
        assert (a.walltime_s, a.queue, a.name) == (7200, "debug", "sim1")
        assert (a.stdout, a.stderr, a.workdir, a.array, a.extra) == (
            "o.txt",
            "e.txt",
            "/scratch",
            None,
            {},
        )
    assert long.cores_per_node == 64 and long.total_tasks == 64


def test_defaults_and_ntasks() -> None:
    a = parse_submission(script())
    assert (a.nodes, a.tasks_per_node, a.cpus_per_task, a.mem_mb_per_node, a.walltime_s) == (
        1,
        1,
        1,
        None,
        None,
    )
    a = parse_submission(script("#SBATCH -N 2 -n 7"))
    assert (a.nodes, a.tasks_per_node) == (2, 4)
    a = parse_submission(script("#SBATCH --mem-per-cpu=100 --ntasks-per-node=2 -c 3"))
    assert a.mem_mb_per_node == 600


def test_scan_rules() -> None:
    a = parse_submission(
        SHEBANG
        + "\n# a comment\n#SBATCH -J first   # trailing comment -N 9\n"
        + "  #SBATCH -N 5\n#sbatch -N 6\n#SBATCH --nodes=2#comment\n"
        + "echo start\n#SBATCH -N 7\n"
    )
    assert (a.name, a.nodes) == ("first", 2)
    a = parse_submission(script("#SBATCH -J \"two words\" --comment='a # b'"))
    assert a.name == "two words" and a.extra == {"comment": "a # b"}


def test_command_line_wins_and_extra() -> None:
    a = parse_submission(
        script("#SBATCH -N 2 -J s --exclusive"), ["-N", "3", "--parsable", "-A", "acct"]
    )
    assert (a.nodes, a.name) == (3, "s")
    assert a.extra == {"exclusive": True, "parsable": True, "account": "acct"}


def test_array_spec() -> None:
    a = parse_submission(script("#SBATCH --array=1-9:2%3"))
    assert a.array == ArraySpec((1, 3, 5, 7, 9), 3, "1-9:2%3")
    assert parse_array("1,3,5") == ([1, 3, 5], None)
    assert parse_array("0-2,10") == ([0, 1, 2, 10], None)
    for bad in ("", "a", "3-1", "1-5%0", "1-5:0", "1-"):
        with pytest.raises(ValueError):
            parse_array(bad)


@pytest.mark.parametrize(
    ("text", "seconds"),
    [("5", 300), ("5:30", 330), ("1:02:03", 3723), ("2-3", 183600), ("2-3:04", 183840),
     ("2-3:04:05", 183845), ("0", None), ("UNLIMITED", None), ("infinite", None)],
)  # fmt: skip
def test_time_forms(text: str, seconds: int | None) -> None:
    assert parse_time(text) == seconds


@given(
    st.integers(0, 30), st.integers(0, 23), st.integers(0, 59), st.integers(0, 59),
    st.sampled_from(["D-HH:MM:SS", "D-HH:MM", "D-HH", "HH:MM:SS", "MM:SS", "MM"]),
)  # fmt: skip
def test_time_forms_property(d: int, h: int, m: int, s: int, form: str) -> None:
    text, expected = {
        "D-HH:MM:SS": (f"{d}-{h:02d}:{m:02d}:{s:02d}", ((d * 24 + h) * 60 + m) * 60 + s),
        "D-HH:MM": (f"{d}-{h}:{m}", ((d * 24 + h) * 60 + m) * 60),
        "D-HH": (f"{d}-{h}", (d * 24 + h) * 3600),
        "HH:MM:SS": (f"{h}:{m:02d}:{s:02d}", (h * 60 + m) * 60 + s),
        "MM:SS": (f"{m}:{s:02d}", m * 60 + s),
        "MM": (f"{m}", m * 60),
    }[form]
    assert parse_time(text) == (expected or None)


@given(st.integers(0, 10**6), st.sampled_from(["", "K", "M", "G", "T", "k", "m", "g", "t"]))
def test_mem_units(number: int, unit: str) -> None:
    factor = {"": 1, "M": 1, "G": 1024, "T": 1024 * 1024}
    expected = -(-number // 1024) if unit.upper() == "K" else number * factor[unit.upper()]
    assert parse_mem(f"{number}{unit}") == expected


names = st.text(
    st.characters(min_codepoint=33, max_codepoint=126, exclude_characters="\"'\\#"), min_size=1
)


@given(
    nodes=st.integers(1, 64), tpn=st.integers(1, 128), cpt=st.integers(1, 16),
    mem=st.none() | st.integers(1, 10**6), seconds=st.none() | st.integers(1, 10**7),
    queue=st.none() | names, name=st.none() | names, on_command_line=st.booleans(),
)  # fmt: skip
def test_round_trip(nodes, tpn, cpt, mem, seconds, queue, name, on_command_line) -> None:
    args = [f"--nodes={nodes}", f"--ntasks-per-node={tpn}", f"--cpus-per-task={cpt}"]
    if mem is not None:
        args.append(f"--mem={mem}")
    if seconds is not None:
        h, rest = divmod(seconds, 3600)
        args.append(f"--time={h}:{rest // 60:02d}:{rest % 60:02d}")
    if queue is not None:
        args.append(f"--partition={queue}")
    if name is not None:
        args.append(f"--job-name={name}")
    if on_command_line:
        a = parse_submission(script(), args)
    else:
        a = parse_submission(script(*(f"#SBATCH {x}" for x in args)))
    assert (a.nodes, a.tasks_per_node, a.cpus_per_task, a.mem_mb_per_node) == (nodes, tpn, cpt, mem)
    assert (a.walltime_s, a.queue, a.name, a.extra) == (seconds, queue, name, {})


@pytest.mark.parametrize(
    ("directive", "message", "code"),
    [
        (
            "--foo",
            "sbatch: unrecognized option '--foo'\nTry \"sbatch --help\" for more information",
            255,
        ),
        ("--time=abc", "sbatch: error: Invalid --time specification", 255),
        ("--mem=lots", "sbatch: error: Invalid --mem specification", 255),
        ("-n 0", 'sbatch: error: Invalid numeric value "0" for --ntasks.', 1),
        ('-J "open', 'sbatch: fatal: stdin: line 2: Unmatched `"` in [ "open]', 1),
    ],
)
def test_rejections(directive: str, message: str, code: int) -> None:
    with pytest.raises(DirectiveError) as e:
        parse_submission(script(f"#SBATCH {directive}"))
    assert (e.value.message, e.value.exit_code) == (message, code)


@given(st.text(max_size=200))
def test_never_crashes_on_any_text(text: str) -> None:
    try:
        parse_submission(SHEBANG + text)
    except DirectiveError:
        pass


@given(st.lists(st.text(max_size=40), max_size=6))
def test_never_crashes_on_any_directive(lines: list[str]) -> None:
    for argv in ((), ["-N", lines[0] if lines else "1"]):
        try:
            parse_submission(SHEBANG + "".join(f"#SBATCH {line}\n" for line in lines), argv)
        except DirectiveError:
            pass


OPTION_NAMES = [
    "-N",
    "-n",
    "-c",
    "--mem",
    "--mem-per-cpu",
    "-t",
    "--array",
    "--ntasks-per-node",
    "-J",
]


@given(st.sampled_from(OPTION_NAMES), st.text("0123456789²٣-:%,KMGTkx ", max_size=12))
def test_option_values_never_crash(option: str, value: str) -> None:
    for argv in (
        [option, value],
        [f"{option}={value}"] if option.startswith("--") else [option + value],
    ):
        try:
            parse_submission(script(), argv)
        except DirectiveError as e:
            assert e.exit_code in (1, 255) and e.message.startswith("sbatch: ")
