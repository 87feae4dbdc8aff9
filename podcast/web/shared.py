"""`{% shared %}…{% endshared %}`: a part of a page that is the same on every page of a build.

The packaged templates mark the show's parts every page repeats (the head's links, the
site's header and footer with the styles, the player's controls, the subscribe box, the
player's script) so that a build renders each once and every page reuses the bytes: most
of what escaping used to cost a page. Values listed after the tag (`{% shared root %}`)
key the part, which is then rendered once for each of them; a part is otherwise keyed by
where it stands (template and line).

The parts are kept only in the store a page's context carries under STORE, which the build
gives to pages made of the package's own templates. Without one, or in the sandbox (a page
that uses a show's own template, which may put anything inside the tag, even one copied from
the package), the body is rendered every time, as if the tag were not there.
"""

from __future__ import annotations

from typing import Any

from jinja2 import Environment, nodes, pass_environment
from jinja2.ext import Extension
from jinja2.parser import Parser

STORE = "_shared_parts"  # the context's name for {key: rendered part}, one dict per page template and build
KEEP_FILTER = "_keep_shared_part"  # the filter that keeps a part rendered


class SharedParts(Extension):
    """The `shared` tag."""

    tags = {"shared"}

    def __init__(self, environment: Environment) -> None:
        super().__init__(environment)
        environment.filters[KEEP_FILTER] = _keep

    def parse(self, parser: Parser) -> nodes.Node:
        token = next(parser.stream)
        lineno = token.lineno
        values: list[nodes.Expr] = [nodes.Const(f"{parser.name}:{lineno}")]
        while parser.stream.current.type != "block_end":
            if len(values) > 1:
                parser.stream.expect("comma")
            values.append(parser.parse_expression())
        body = parser.parse_statements(("name:endshared",), drop_needle=True)

        def key() -> nodes.Tuple:
            return nodes.Tuple(values, "load", lineno=lineno)

        def store() -> nodes.Name:
            return nodes.Name(STORE, "load", lineno=lineno)

        # {% if STORE is defined and key in STORE %}{{ STORE[key] }}
        # {% else %}{% filter KEEP_FILTER(STORE, key) %}(the body){% endfilter %}{% endif %}:
        # a page that finds its part pays a lookup; one that renders it, the body written inline
        # into a list (a filter block), not a macro called (each of a list page's 50 rows was one).
        known = nodes.And(
            nodes.Test(store(), "defined", [], [], None, None, lineno=lineno),
            nodes.Compare(key(), [nodes.Operand("in", store())], lineno=lineno),
            lineno=lineno,
        )
        found = nodes.Output([nodes.Getitem(store(), key(), "load", lineno=lineno)], lineno=lineno)
        keep = nodes.Filter(None, KEEP_FILTER, [store(), key()], [], None, None, lineno=lineno)
        made = nodes.FilterBlock(body, keep, lineno=lineno)
        return nodes.If(known, [found], [], [made], lineno=lineno)


@pass_environment
def _keep(environment: Environment, part: str, store: Any, key: tuple[Any, ...]) -> str:
    """The body rendered (`part`), and kept in the store when the page has one (and is not a
    show's)."""
    if isinstance(store, dict) and not environment.sandboxed:
        store[key] = part
    return part
