"""Two fixes to the HTML that Jupyter Book 1.0.4 writes, both found by the browser test
(tests_browser/):

1. MathJax on every page. Sphinx loads MathJax only on pages that contain math, but the
   sidebar on *every* page shows chapter titles with math ("Student's $t$ kernel"), which stayed
   raw TeX on pages without equations.
2. No repeated inline scripts. sphinx-thebe 0.3 / sphinx-togglebutton add their configuration
   scripts twice per page (`const THEBE_JS_URL` declared twice: a SyntaxError in every page's
   console). The first copy of each identical script is kept.
"""


def _dedupe(app, pagename, templatename, context, doctree):
    if "script_files" not in context:
        return
    seen, kept = set(), []
    for script in context["script_files"]:
        # the copies differ only in filename None vs "" (inline scripts have no file)
        key = (
            getattr(script, "filename", None) or "",
            tuple(sorted(getattr(script, "attributes", {}).items())),
        )
        if key not in seen:
            seen.add(key)
            kept.append(script)
    context["script_files"][:] = kept


def setup(app):
    app.set_html_assets_policy("always")  # math assets on every page (see 1.)
    app.connect("html-page-context", _dedupe, priority=900)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
