#!/usr/bin/env python3
"""Writes the man page of a GOption program from its own --help.

    help-to-man.py PROGRAM SOURCE OUTPUT     (SOURCE: "hindsight 0.1.0")

The page is the --help text in man's sections, so the two never disagree:
the usage line is the SYNOPSIS, the summary the DESCRIPTION, each option
group a subsection of OPTIONS, and the paragraphs after the options go to
DESCRIPTION, except "Exit status:" (EXIT STATUS) and "Examples:" (EXAMPLES).
SPDX-License-Identifier: LGPL-2.1-or-later
"""
import os
import re
import subprocess
import sys

OPTION = re.compile(r"^  (-\S, )?(--\S+)\s{2,}(.*)$")


def roff(text):
    """Escapes plain text for roff."""
    text = text.replace("\\", "\\e").replace("-", "\\-")
    return "\\&" + text if text[:1] in (".", "'") else text


def paragraphs(lines):
    """Splits lines at blank lines."""
    block = []
    for line in lines:
        if line.strip():
            block.append(line)
        elif block:
            yield block
            block = []
    if block:
        yield block


def text_block(block, out):
    """A paragraph; indented lines (lists, commands) keep their layout."""
    out.append(".PP")
    lines = list(block)
    while lines and not lines[0].startswith(" "):
        out.append(roff(lines.pop(0)))
    if lines:
        out.append(".RS 4")
        out.append(".nf")
        out.extend(roff(line[2:] if line.startswith("  ") else line)
                   for line in lines)
        out.append(".fi")
        out.append(".RE")


def main():
    program, source, output = sys.argv[1:]
    name = os.path.basename(program)
    env = dict(os.environ, LC_ALL="C.UTF-8")
    help_text = subprocess.run([program, "--help"], check=True, env=env,
                               capture_output=True, text=True).stdout
    lines = help_text.splitlines()

    # "Usage:", the usage line, then the summary up to the first group.
    assert lines[0] == "Usage:", lines[0]
    usage = lines[1].strip()
    rest = lines[2:]
    first_group = next(i for i, line in enumerate(rest)
                       if re.match(r"^\S.* Options:$", line))
    summary = list(paragraphs(rest[:first_group]))
    tail = rest[first_group:]

    groups = []
    i = 0
    while i < len(tail):
        line = tail[i]
        if re.match(r"^\S.* Options:$", line):
            groups.append((line[:-1], []))
        elif OPTION.match(line):
            groups[-1][1].append(OPTION.match(line).groups())
        elif line.strip() and not line.startswith("  "):
            break
        i += 1
    after = list(paragraphs(tail[i:]))

    # NAME: the summary's first sentence, "Runs ..." as "runs ...".
    first_sentence = " ".join(summary[0]).split(". ")[0].rstrip(".")
    what = first_sentence[:1].lower() + first_sentence[1:]
    out = [
        f'.TH {name.upper()} 1 "" "{source}" "User Commands"',
        ".SH NAME",
        f"{roff(name)} \\- {roff(what)}",
        ".SH SYNOPSIS",
        f".B {roff(name)}",
        roff(usage[len(name):].strip()),
        ".SH DESCRIPTION",
    ]
    for block in summary:
        text_block(block, out)
    # "Exit status:" and "Examples:" start sections of their own; the
    # examples are separated by blank lines, so the indented paragraphs that
    # follow belong to them.
    sections = {"Exit status:": "EXIT STATUS", "Examples:": "EXAMPLES"}
    special = []
    for block in after:
        heading = next((h for h in sections if block[0].startswith(h)), None)
        if heading:
            first = block[0][len(heading):].strip()
            special.append((sections[heading], ([first] if first else []) +
                            block[1:]))
        elif special and special[-1][0] == "EXAMPLES" and \
                block[0].startswith("  "):
            special[-1][1].extend([""] + block)
        else:
            text_block(block, out)

    out.append(".SH OPTIONS")
    for title, options in groups:
        if title == "Help Options":
            continue
        out.append(f'.SS "{title}"')
        for short, long, desc in options:
            out.append(".TP")
            out.append(f".B {roff((short or '') + long)}")
            out.append(roff(desc))
    help_group = next((opts for title, opts in groups
                       if title == "Help Options"), [])
    if help_group:
        out.append('.SS "Help Options"')
        for short, long, desc in help_group:
            out.append(".TP")
            out.append(f".B {roff((short or '') + long)}")
            out.append(roff(desc))

    for section, body in special:
        out.append(f'.SH "{section}"')
        if section == "EXAMPLES":
            out.append(".nf")
            out.extend(roff(line[2:] if line.startswith("  ") else line)
                       for line in body)
            out.append(".fi")
        else:
            text_block(body, out)
    with open(output, "w", encoding="utf-8") as f:
        f.write("\n".join(out) + "\n")


if __name__ == "__main__":
    main()
