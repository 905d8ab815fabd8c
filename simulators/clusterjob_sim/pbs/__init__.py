"""The fake PBS family: Torque (torque/) and PBS Pro / OpenPBS (pbspro/), sharing what both inherited
from OpenPBS 2.3 (common.py: getopt, directives, decoders, prt_attr), the submission (submit.py), the
server side (server.py), the job view and summaries (output.py) and the job start (jobenv.py).
"""
