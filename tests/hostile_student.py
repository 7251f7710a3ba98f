"""What a hostile student B hands in against student A and the instructor (tests/test_exchange_attacks.py, tests/test_hub.py).

Each helper runs as B (a shell, not nbgrader: an attacker uses whatever works) or writes B's
notebook. SCRIPT is the script every piece of hostile HTML tries to run in the reader's
browser: it records that it ran (window.__bptt_ran, and a request whose path holds "pwned")
and, like the attack of the issue, writes a file through the contents API with the reader's
session. A test asserts none of the three happened.
"""
import json
import subprocess
from pathlib import Path

PWNED = "bptt-pwned"


def script(where):
    """JavaScript without double quotes (it sits in attributes), tagged with `where` it was planted."""
    return ("window.__bptt_ran=(window.__bptt_ran||[]).concat(['" + where + "']);"
            "var x=(document.cookie.match(/_xsrf=([^;]+)/)||[])[1]||'';"
            "fetch('/" + PWNED + "/" + where + "');"
            "fetch(location.pathname.split('/formgrader')[0].split('/files')[0].split('/tree')[0]+'/api/contents/"
            + PWNED + "-" + where + ".txt',{method:'PUT',headers:{'Content-Type':'application/json','X-XSRFToken':x},"
            "body:JSON.stringify({type:'file',format:'text',content:'" + where + "'})})")


MARKDOWN = "\n".join([
    "## My notes on $\\frac{\\partial L}{\\partial h_t}$",
    "",
    "The gradient from the future: $\\sum_{s>t} \\delta_s$ (B's harmless text).",
    "",
    f'<img src="x" onerror="{script("md-img")}">',
    f'<svg onload="{script("md-svg")}"><circle r="5"/></svg>',
    f'<details open ontoggle="{script("md-details")}"><summary>details</summary>more</details>',
    f"<script>{script('md-script')}</script>",
    f'<a href="javascript:{script("md-link")}">a link</a>',
    f'<iframe srcdoc="<script>{script("md-iframe")}</script>"></iframe>',
])

# Run by nbgrader's Execute (autograde), so the outputs are the kernel's own display_data.
CODE = "\n".join([
    "from IPython.display import HTML, SVG, Javascript, Markdown, display",
    f"display(HTML({json.dumps('<b>B output</b><script>' + script('out-script') + '</script>')}))",
    f"display(HTML({json.dumps('<img src=x onerror=' + json.dumps(script('out-img')) + '>')}))",
    "display(SVG(" + json.dumps('<svg xmlns="http://www.w3.org/2000/svg" onload="' + script('out-svg-onload')
                               + '"><script>' + script('out-svg-script') + '</script><circle r="5"/></svg>') + "))",
    f"display(Javascript({json.dumps(script('out-js'))}))",
    f"display(Markdown({json.dumps('<img src=x onerror=' + json.dumps(script('out-md')) + '>')}))",
    "print('B code cell ran')",
])


def add_hostile_cells(notebook_path):
    """Append B's markdown cell and code cell (no nbgrader metadata: ungraded cells a student may add)."""
    nb = json.loads(Path(notebook_path).read_text())
    nb["cells"].append({"cell_type": "markdown", "metadata": {}, "source": MARKDOWN, "id": "b-hostile-md"})
    nb["cells"].append({"cell_type": "code", "metadata": {}, "source": CODE, "outputs": [], "execution_count": None,
                        "id": "b-hostile-code"})
    Path(notebook_path).write_text(json.dumps(nb, indent=1))


def as_user(user, *cmd, check=True):
    proc = subprocess.run(["runuser", "-u", user, "--", *cmd], capture_output=True, text=True, timeout=60, cwd="/")
    if check:
        assert proc.returncode == 0, (cmd, proc.stdout, proc.stderr)
    return proc


def forge_submission(attacker, victim, inbound, release, timestamp):
    """As `attacker`: a folder in inbound named for `victim`, newer than theirs, holding the blank release."""
    folder = Path(inbound) / f"{victim}+bptt+{timestamp}+forgedbyattacker"
    as_user(attacker, "mkdir", str(folder))
    as_user(attacker, "sh", "-c", f'cp "{release}"/*.ipynb "{folder}"/ && echo "{timestamp}" > "{folder}/timestamp.txt"')
    return folder


def link_submission(attacker, inbound, source, stems, timestamp):
    """As `attacker`: their own submission made of symbolic links to the course's source notebooks, and a FIFO."""
    folder = Path(inbound) / f"{attacker}+bptt+{timestamp}+linkedbyattacker"
    as_user(attacker, "mkdir", str(folder))
    for stem in stems:
        as_user(attacker, "ln", "-s", str(Path(source) / f"{stem}.ipynb"), str(folder / f"{stem}.ipynb"))
    as_user(attacker, "mkfifo", str(folder / "notes.txt"))
    as_user(attacker, "sh", "-c", f'echo "{timestamp}" > "{folder}/timestamp.txt"')
    return folder


def watch(page):
    """Record every request `page` makes whose URL holds PWNED; returns the list it fills."""
    seen = []
    page.on("request", lambda request: seen.append(request.url) if PWNED in request.url else None)
    return seen


def ran(page):
    return page.evaluate("window.__bptt_ran || []")
