"""Print the tests a pytest JUnit report records as failed, one line each with the first line of
the error, so that the last lines of a CI log name what failed (a long assertion diff above can
push pytest's own summary out of the part of the log that is shown)."""

import sys
import xml.etree.ElementTree as ET

failed = []
for case in ET.parse(sys.argv[1]).iter("testcase"):
    for problem in list(case.findall("failure")) + list(case.findall("error")):
        first = (problem.get("message") or "").strip().splitlines()[:1]
        failed.append(f"{case.get('classname')}::{case.get('name')}: {' '.join(first)[:160]}")
print(f"{len(failed)} failed or errored:", *failed, sep="\n  ")
