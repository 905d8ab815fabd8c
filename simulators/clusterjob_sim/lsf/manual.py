"""The real IBM Spectrum LSF 10.1 user commands and every option their manual names, as data.

Read only by the coverage table (clusterjob_sim.coverage) and on the error path, never when a command starts.
LSF options take one dash whatever their length (`-n`, `-cwd`, `-noheader`); each is listed as the manual
spells it. kind: "flag" (no argument), "value" (one argument). A job id, queue or command operand is not an
option and is not listed.
"""

from __future__ import annotations

_IBM = "https://www.ibm.com/docs/en/SSWRJV_10.1.0/lsf_command_ref/"

SOURCES = {
    "bsub": "IBM Spectrum LSF 10.1 bsub(1), 'Options' list (man page as markdown, June 2023: "
    "github.com/jswelch/instructlab-lsf-info bsub.md; also "
    f"{_IBM}bsub.man_top.1.html) and {_IBM}bsub.smt.1.html for -smt; -ext[sched] per the -ext page",
    "bjobs": "IBM Spectrum LSF 10.1 bjobs(1), 'Options' list (man page as markdown, June 2023: "
    f"github.com/jswelch/instructlab-lsf-info bjobs.md; also {_IBM}bjobs.1.html); -p0..-p3 from its -p "
    "and -psum pages",
    "bkill": f"IBM Spectrum LSF 10.1 bkill(1) synopsis, {_IBM}bkill.1.html",
    "bqueues": f"IBM Spectrum LSF 10.1 bqueues(1) synopsis, {_IBM}bqueues.1.html",
    "bhosts": "IBM Spectrum LSF 10.1 bhosts(1) synopsis, "
    "https://www.ibm.com/support/knowledgecenter/SSWRJV_10.1.0/lsf_command_ref/bhosts.1.html",
    "lsid": f"IBM Spectrum LSF 10.1 lsid(1), {_IBM}lsid.1.html",
    "bhist": "IBM Spectrum LSF 10.1 bhist(1) synopsis, "
    "https://www.ibm.com/docs/zh-tw/SSWRJV_10.1.0/lsf_command_ref/bhist.1.html",
    "bpeek": f"IBM Spectrum LSF 10.1 bpeek(1), {_IBM}bpeek.1.html",
    "bstop": f"IBM Spectrum LSF 10.1 bstop(1), {_IBM}bstop.1.html",
    "bresume": "IBM Spectrum LSF 10.1 bresume(1), "
    "https://www.ibm.com/support/knowledgecenter/en/SSWRJV_10.1.0/lsf_command_ref/bresume.1.html",
    "bmod": "IBM Spectrum LSF 10.1 bmod(1) synopsis and option list, "
    "https://ibm.com/docs/ja/SSWRJV_10.1.0/lsf_command_ref/bmod.1.html: bsub's options, most with an "
    "'n' form that cancels them (-Bn, -cwdn, -Wn ...); list derived from that page",
    "brequeue": f"IBM Spectrum LSF 10.1 brequeue(1), {_IBM}brequeue.1.html",
    "bswitch": f"IBM Spectrum LSF 10.1 bswitch(1), {_IBM}bswitch.1.html",
    "bacct": f"IBM Spectrum LSF 10.1 bacct(1) synopsis, {_IBM}bacct.1.html",
    "blaunch": f"IBM Spectrum LSF 10.1 blaunch(8), {_IBM}blaunch.8.html",
    "lsload": "IBM Spectrum LSF 10.1 lsload(1) synopsis, "
    "https://www.ibm.com/support/knowledgecenter/SSWRJV_10.1.0/lsf_command_ref/lsload.1.html",
}


def _opts(flags: str, values: str) -> dict[str, str]:
    """{"-name": kind} from blank-separated option names without their dash."""
    table = {f"-{name}": "flag" for name in flags.split()}
    table.update({f"-{name}": "value" for name in values.split()})
    return table


_HELP = "h V"  # -h[elp] where the manual spells the long form too

BSUB_FLAGS = "ar B datachk H hl I Ip IS ISp ISs Is IX K N Ne r rn ti tty ul x XF Zs help " + _HELP
BSUB_VALUES = (
    "a alloc_flags app b C c clusters cn_cu cn_mem core_isolation csm cwd D data datagrp E Ep e env "
    "eo eptl ext extsched F f freq G g gpu hostfile i is J Jd jobaff jsdl jsdl_strict jsm json k L Lp "
    "ln_mem ln_slots M m mig n network nnodes notify o oo outdir P p pack ptl Q q R rcacct rnc S s "
    "sla smt sp stage step_cgroup T t U u v W We w wa wt yaml"
)

# bmod: the bsub options that modify a job, and the 'n' forms that cancel a setting.
_BMOD_CANCELLABLE = (
    "app aps b C c clusters cwd D data E Ep e eptl F f freq G g gpu hostfile i is J Jd k L Lp M m "
    "mig n o outdir P p ptl Q q R rnc S s sla sp stage T t U u v W We w wa wt Z"
)
BMOD_FLAGS = (
    "ar arn B Bn datachk hl hln N Ne Nn r rn ul uln x xn Zs Zsn "
    + " ".join(f"{name}n" for name in _BMOD_CANCELLABLE.split())
    + " "
    + _HELP
)
BMOD_VALUES = "a eo ext extsched oo " + _BMOD_CANCELLABLE

OPTIONS: dict[str, dict[str, str]] = {
    "bsub": _opts(BSUB_FLAGS, BSUB_VALUES),
    "bjobs": _opts(
        "A a aff aps cname d data env fwd gpu hms hostfile json l noheader p p0 p1 p2 p3 pe pei pi "
        "plan prio psum r s script ss sum UF W WF WL WP w X x help " + _HELP,
        "app G g J Jd Lp m N o P q rusage sla U u",
    ),
    "bkill": _opts("l b r d " + _HELP, "stat app g sla J m q s u C"),
    "bqueues": _opts("w l r lr json alloc noheader " + _HELP, "o m u"),
    "bhosts": _opts(
        "w l e json a attr alloc x X noheader loc s sl aff gpu rc rconly " + _HELP, "o R"
    ),
    "lsid": _opts(_HELP, ""),
    "bhist": _opts(
        "l aff gpu hostfile a b d data e p r s w UF cname t " + _HELP,
        "app C D f n S J Jd Lp m N P q u G g T",
    ),
    "bpeek": _opts("f " + _HELP, "q m J"),
    "bstop": _opts("a " + _HELP, "app C g J m q sla u"),
    "bresume": _opts(_HELP, "app C g J m q sla u"),
    "bmod": _opts(BMOD_FLAGS, BMOD_VALUES),
    "brequeue": _opts("a d e H p r " + _HELP, "J u"),
    "bswitch": _opts(_HELP, "a J m q u"),
    "bacct": _opts(
        "b l aff gpu d E e UF w x " + _HELP,
        "app C D f Lp m M N P q rcacct rcalloc sla S u U",
    ),
    "blaunch": _opts("n use-login-shell no-shell " + _HELP, "u z"),
    "lsload": _opts("a gpu gpuload l w json N E s loc " + _HELP, "o I n R"),
}
