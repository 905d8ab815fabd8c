"""LSF's bsub as the simulator reads it: #BSUB scanning, option precedence, -R sections, refusals."""

from __future__ import annotations

import shlex

import pytest
from clusterjob_sim import lsf
from clusterjob_sim.engine.allocation import Allocation, DirectiveError
from clusterjob_sim.lsf.options import (
    LsfSite,
    Refused,
    directive_words,
    memory_kb,
    parse_bsub,
    parse_index_list,
    split_words,
)
from hypothesis import given
from hypothesis import strategies as st

SITE = LsfSite(queues=("normal", "short"), max_slots=64, slots_per_host=16)


def script(*directives: str, body: str = "echo hello") -> str:
    """A bash script with the given #BSUB lines."""
    return "#!/bin/bash\n" + "".join(f"#BSUB {d}\n" for d in directives) + body + "\n"


def refusal(text: str, argv: tuple[str, ...] = (), site: LsfSite | None = SITE) -> DirectiveError:
    """The DirectiveError parse_submission raises for this submission."""
    with pytest.raises(DirectiveError) as info:
        lsf.parse_submission(text, argv, site=site)
    return info.value


# ---------------------------------------------------------------------------------------------------
# nodes / tasks mapping
# ---------------------------------------------------------------------------------------------------


@given(n=st.integers(1, 512), ptile=st.integers(1, 64))
def test_ptile_spreads_slots_over_ceil_n_over_ptile_nodes(n: int, ptile: int) -> None:
    alloc = lsf.parse_submission(script(f"-n {n}", f'-R "span[ptile={ptile}]"'))
    assert alloc.nodes == -(-n // ptile)
    assert alloc.tasks_per_node == min(ptile, n)
    assert alloc.total_tasks >= n


@given(n=st.integers(1, 512))
def test_hosts_1_and_no_span_keep_every_slot_on_one_node(n: int) -> None:
    for extra in ('-R "span[hosts=1]"', "-x"):
        alloc = lsf.parse_submission(script(f"-n {n}", extra))
        assert (alloc.nodes, alloc.tasks_per_node) == (1, n)


def test_the_clusterjob_header_for_two_32_core_nodes() -> None:
    alloc = lsf.parse_submission(script("-n 64", '-R "span[ptile=32]"', "-W 2:00", "-q normal"))
    assert (alloc.nodes, alloc.tasks_per_node, alloc.cpus_per_task) == (2, 32, 1)
    assert alloc.walltime_s == 7200
    assert alloc.queue == "normal"
    assert isinstance(alloc, Allocation)


def test_affinity_core_gives_threads_per_task() -> None:
    alloc = lsf.parse_submission(script("-n 8", '-R "span[ptile=4] affinity[core(4)]"'))
    assert (alloc.nodes, alloc.tasks_per_node, alloc.cpus_per_task) == (2, 4, 4)
    assert alloc.cores_per_node == 16


# ---------------------------------------------------------------------------------------------------
# the span[ptiles=...] typo and other -R errors
# ---------------------------------------------------------------------------------------------------


def test_span_typo_is_rejected_as_lsf_does() -> None:
    err = refusal(script("-n 64", '-R "span[ptiles=32]"'))
    assert err.message == "Error in span section. Job not submitted.\n"
    assert err.exit_code == 255


@pytest.mark.parametrize(
    "resreq",
    ["span[ptile=None]", "span[ptile=0]", "span[hosts=2]", "span[]", "span[ptile=-4]"],
)
def test_bad_span_values_are_rejected(resreq: str) -> None:
    assert (
        refusal(script(f'-R "{resreq}"')).message == "Error in span section. Job not submitted.\n"
    )


def test_duplicate_section_and_bad_rusage() -> None:
    err = refusal(script('-R "select[a] select[b]"'))
    assert err.message == 'Error near "select" : duplicate section. Job not submitted.\n'
    err = refusal(script('-R "rusage[mem=lots]"'))
    assert err.message == "Error in rusage section. Job not submitted.\n"
    err = refusal(script('-R "span[ptile=2"'))
    assert err.message == "Bad resource requirement syntax. Job not submitted.\n"


def test_rusage_mem_is_per_host_unless_reserved_per_task() -> None:
    text = script("-n 8", '-R "span[ptile=4] rusage[mem=1000]"')
    assert lsf.parse_submission(text).mem_mb_per_node == 1000
    per_task = LsfSite(reserve_per_task=True)
    assert lsf.parse_submission(text, site=per_task).mem_mb_per_node == 4000
    assert lsf.parse_submission(script('-R "rusage[mem=2GB]"')).mem_mb_per_node == 2048


def test_select_and_same_sections_are_kept_in_extra() -> None:
    alloc = lsf.parse_submission(script('-R "select[type==X86_64] same[type]"'))
    assert alloc.extra["select"] == "type==X86_64"
    assert alloc.extra["same"] == "type"
    bare = lsf.parse_submission(script('-R "mem>1000 span[hosts=1]"'))
    assert bare.extra["select"] == "mem>1000"


# ---------------------------------------------------------------------------------------------------
# where #BSUB lines count
# ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("prefix", ["#BSUB", "  #BSUB", "\t#BSUB", "# BSUB", "#  BSUB", "#BSUB-q"])
def test_directive_forms_lsf_reads(prefix: str) -> None:
    line = f"{prefix} -q short" if not prefix.endswith("-q") else f"{prefix} short"
    alloc = lsf.parse_submission(f"#!/bin/sh\n{line}\nhostname\n")
    assert alloc.queue == "short"


@pytest.mark.parametrize("line", ["#BSUBX -q short", "#BSUB q short", "## not BSUB -q short"])
def test_lines_lsf_ignores(line: str) -> None:
    assert lsf.parse_submission(f"#!/bin/sh\n{line}\nhostname\n").queue is None


def test_the_whole_script_is_scanned_and_comments_end_a_line() -> None:
    text = "#!/bin/sh\nhostname\n#BSUB -q short # a comment -x\n"
    alloc = lsf.parse_submission(text)
    assert alloc.queue == "short"
    assert "x" not in alloc.extra


def test_backslash_continues_a_bsub_line() -> None:
    alloc = lsf.parse_submission("#!/bin/sh\n#BSUB -q short \\\n  -n 4\nhostname\n")
    assert (alloc.queue, alloc.tasks_per_node) == ("short", 4)


def test_command_line_wins_and_limits_keep_their_first_value() -> None:
    text = script("-n 2", "-n 6", "-q short", "-q normal", "-W 10", "-W 20", '-R "span[hosts=1]"')
    alloc = lsf.parse_submission(text)
    assert (alloc.tasks_per_node, alloc.queue, alloc.walltime_s) == (2, "normal", 600)
    alloc = lsf.parse_submission(text, ["-n", "3", "-R", "span[ptile=1]"])
    assert (alloc.nodes, alloc.tasks_per_node) == (3, 1)  # a command-line -R masks the script's


def test_bsub_with_a_command_reads_no_directives() -> None:
    req = parse_bsub(script("-q short", "-n 4"), ["bsub", "-J", "x", "./job.sh", "arg"])
    assert not req.from_stdin
    assert req.command == "./job.sh arg"
    assert (req.queue, req.slots, req.name) == (None, 1, "x")


def test_a_redirection_in_argv_is_ignored() -> None:
    alloc = lsf.parse_submission(script("-q short"), ["bsub", "<", "job.sh"])
    assert alloc.queue == "short"


def test_glued_option_values() -> None:
    alloc = lsf.parse_submission("hostname\n", ["-n4", "-qshort", "-W30"])
    assert (alloc.tasks_per_node, alloc.queue, alloc.walltime_s) == (4, "short", 1800)


# ---------------------------------------------------------------------------------------------------
# values
# ---------------------------------------------------------------------------------------------------


@given(h=st.integers(0, 999), m=st.integers(0, 59))
def test_runlimit_hours_minutes(h: int, m: int) -> None:
    alloc = lsf.parse_submission(script(f"-W {h}:{m:02d}"))
    assert alloc.walltime_s == (h * 60 + m) * 60


@given(h=st.integers(0, 99), m=st.integers(0, 59), s=st.integers(0, 59))
def test_runlimit_with_seconds_is_refused(h: int, m: int, s: int) -> None:
    text = f"{h:02d}:{m:02d}:{s:02d}"
    err = refusal(script(f"-W {text}"))
    assert err.message == f"{text}: Bad RUNLIMIT specification. Job not submitted.\n"


@given(value=st.integers(1, 10**6), unit=st.sampled_from(["", "KB", "MB", "GB", "K", "M", "G"]))
def test_memory_units(value: int, unit: str) -> None:
    factor = {"": 1024, "KB": 1, "MB": 1024, "GB": 1024**2, "K": 1, "M": 1024, "G": 1024**2}[unit]
    assert memory_kb(f"{value}{unit}", "MB") == value * factor
    assert memory_kb(f"{value}", "KB") == value


def test_memlimit_default_unit_follows_the_config() -> None:
    # Source: IBM LSF 10.1 bsub -M "By default, the limit is specified in KB. Use the LSF_UNIT_FOR_LIMITS
    # parameter in the lsf.conf file to specify a larger unit"; a limit, not a reservation: placement
    # (mem_mb_per_node) comes from rusage[mem] only.
    assert parse_bsub(script("-M 2048")).memlimit_kb == 2048
    assert lsf.parse_submission(script("-M 2048")).mem_mb_per_node is None
    assert (
        parse_bsub(script("-M 2048"), site=LsfSite(unit_for_limits="MB")).memlimit_kb == 2048 * 1024
    )
    gb = LsfSite.from_config({"unit_for_limits": "gb"})
    assert parse_bsub(script("-M 2048"), site=gb).memlimit_kb == 2048 * 1024**2
    assert parse_bsub(script("-M 2G")).memlimit_kb == 2 * 1024**2
    hard = parse_bsub(script("-M 100!"))
    assert (hard.memlimit_kb, hard.memlimit_hard) == (100, True)
    assert parse_bsub(script("-M 100")).memlimit_hard is False


def test_rusage_mem_is_mb_unless_the_site_sets_a_unit() -> None:
    # Source: IBM LSF 10.1 lsf.conf LSF_UNIT_FOR_LIMITS, Default: not defined -> limits in KB, rusage in MB
    text = script('-R "rusage[mem=1000]"')
    assert lsf.parse_submission(text).mem_mb_per_node == 1000
    assert lsf.parse_submission(text, config={"unit_for_limits": "KB"}).mem_mb_per_node == 1
    assert lsf.parse_submission(text, config={"unit_for_limits": "GB"}).mem_mb_per_node == 1024000


@given(
    lo=st.integers(1, 500),
    span=st.integers(0, 500),
    step=st.integers(1, 20),
    limit=st.none() | st.integers(1, 50),
)
def test_job_arrays(lo: int, span: int, step: int, limit: int | None) -> None:
    hi = lo + span
    text = f"arr[{lo}-{hi}:{step}]" + (f"%{limit}" if limit else "")
    alloc = lsf.parse_submission(script(f'-J "{text}"'))
    assert alloc.name == "arr"
    assert alloc.array is not None
    assert alloc.array.indices == tuple(range(lo, hi + 1, step))
    assert alloc.array.max_concurrent == limit


def test_index_lists() -> None:
    assert parse_index_list("1-3,7,10-14:2") == (1, 2, 3, 7, 10, 12, 14)
    for bad in ("0-3", "3-1", "a", "1-", "1:2", "", "1-3:0"):
        assert parse_index_list(bad) is None


def test_outputs_workdir_and_other_options() -> None:
    alloc = lsf.parse_submission(
        script("-o out.%J.%I", "-e err.%J", "-cwd /tmp/x", "-x", "-P proj", "-B")
    )
    assert (alloc.stdout, alloc.stderr, alloc.workdir) == ("out.%J.%I", "err.%J", "/tmp/x")
    assert alloc.extra == {"x": True, "P": "proj", "B": True}
    assert lsf.parse_submission(script("-oo o.txt")).stdout == "o.txt"


# ---------------------------------------------------------------------------------------------------
# refusals
# ---------------------------------------------------------------------------------------------------


def test_unknown_queue_names_the_queue() -> None:
    err = refusal(script("-q nosuch"))
    assert (err.message, err.exit_code) == ("nosuch: No such queue. Job not submitted.\n", 255)
    assert lsf.parse_submission(script("-q nosuch"), site=None).queue == "nosuch"


def test_too_many_processors() -> None:
    err = refusal(script("-n 65"))
    assert err.message == "Too many processors requested. Job not submitted.\n"
    assert lsf.parse_submission(script("-n 64"), site=SITE).tasks_per_node == 64


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("x", "Bad argument for option -n. Job not submitted.\n"),
        ("4,2", "Bad argument for option -n. Job not submitted.\n"),
        ("0", "The number of processors must be a positive integer. Job not submitted.\n"),
        ("-2", "The number of processors must be a positive integer. Job not submitted.\n"),
    ],
)
def test_bad_slot_counts(value: str, message: str) -> None:
    assert refusal(script(), ("-n", value)).message == message


def test_illegal_option_and_missing_value() -> None:
    err = refusal(script(), ("-Y",))
    assert err.message.startswith("bsub: illegal option -- Y\nUsage: bsub ")
    assert err.exit_code == 255
    err = refusal(script(), ("-q",))
    assert err.message.startswith("bsub: option requires an argument -- q\n")


def test_a_script_without_commands() -> None:
    err = refusal("#!/bin/sh\n#BSUB -n 2\n\n")
    assert err.message == "No command is specified in the script file. Job not submitted.\n"


def test_bad_job_names() -> None:
    for name in ("a[0-3]", "a[1-2]%0", "a[x]", "a%3"):
        assert refusal(script(f'-J "{name}"')).message == "Bad job name. Job not submitted.\n"


@given(st.text(max_size=300))
def test_any_script_text_parses_or_is_refused(text: str) -> None:
    try:
        lsf.parse_submission(text)
    except DirectiveError as e:
        assert e.exit_code == 255
        assert e.message.endswith("\n")


@given(st.lists(st.text(alphabet=" -#nqRWJ[]=:0123456789abc\"'", max_size=12), max_size=8))
def test_any_argv_parses_or_is_refused(argv: list[str]) -> None:
    try:
        lsf.parse_submission("hostname\n", argv)
    except DirectiveError as e:
        assert e.exit_code == 255


# ---------------------------------------------------------------------------------------------------
# helpers
# ---------------------------------------------------------------------------------------------------


@given(st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=60))
def test_split_words_matches_shlex(text: str) -> None:
    try:
        expected = shlex.split(text, comments=False, posix=True)
    except ValueError:
        with pytest.raises(ValueError):
            split_words(text)
        return
    assert split_words(text) == expected


def test_directive_words_reports_commands() -> None:
    words, has_command = directive_words("#!/bin/sh\n#BSUB -n 2 -q 'a b'\n")
    assert (words, has_command) == (["-n", "2", "-q", "a b"], False)
    assert directive_words("# only a comment\nls\n")[1]


def test_refused_converts_to_directive_error() -> None:
    with pytest.raises(Refused):
        parse_bsub(script("-n 0"))
    with pytest.raises(DirectiveError):
        lsf.parse_submission(script("-n 0"))


def test_site_from_config() -> None:
    site = LsfSite.from_config(
        {"queues": {"a": {}, "b": {}}, "nodes": 3, "cores_per_node": 8, "default_queue": "a"}
    )
    assert site.queues == ("a", "b")
    assert (site.max_slots, site.slots_per_host, site.default_queue) == (24, 8, "a")
    nodes = [{"name": "x", "cores": 4}, {"name": "y", "cores": 12}]
    assert LsfSite.from_config({"nodes": nodes}).max_slots == 16
    alloc = lsf.parse_submission(script("-R \"span[ptile='!']\"", "-n 20"), site=site)
    assert (alloc.nodes, alloc.tasks_per_node) == (3, 8)


NUMBERISH = st.text(alphabet="0123456789²³¹٣۴߃-:,.%[]!", min_size=1, max_size=8)


@given(value=NUMBERISH, option=st.sampled_from(["-n", "-W", "-M", "-J", "-R"]))
def test_non_ascii_digits_are_refused_not_crashed(value: str, option: str) -> None:
    argv = [option, f"a[{value}]" if option == "-J" else value]
    if option == "-R":
        argv = [option, f"span[ptile={value}] affinity[core({value})]"]
    try:
        alloc = lsf.parse_submission("hostname\n", argv)
    except DirectiveError as e:
        assert e.exit_code == 255
    else:
        assert alloc.tasks_per_node >= 1
