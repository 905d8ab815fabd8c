"""What every fake command says when it will not do something: the real tool's refusal, or "not implemented".

Refused carries a real tool's exact refusal (stderr text and exit code). not_implemented() is the one message
for an option the real tool has (its manual names it) but the simulator does not implement: it names the option
and says so, distinct from the real tool's own "invalid option" text, which stays for options the real tool
lacks too. No fake command accepts an option and ignores it (simulators/COVERAGE.md lists every option).
"""

from __future__ import annotations

NOT_IMPLEMENTED = (
    "{command}: option {option} is not implemented by the clusterjob simulator "
    "(the real {command} has it; see simulators/COVERAGE.md)\n"
)


class Refused(Exception):
    """A request the real tool refuses: `message` is its exact stderr text, `exit_code` its status.

    (clusterjob_sim.engine.allocation.DirectiveError carries the same; this one avoids importing dataclasses.)
    """

    def __init__(self, message: str, exit_code: int, stdout: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.exit_code = exit_code
        self.stdout = stdout


def not_implemented_text(command: str, option: str) -> str:
    """The simulator's stderr line for an option of the real `command` that it does not implement."""
    return NOT_IMPLEMENTED.format(command=command, option=option)


def is_digits(text: str) -> bool:
    """ASCII digits only, as C's isdigit() (str.isdigit() also accepts '²', which int() refuses)."""
    return text.isascii() and text.isdigit()
