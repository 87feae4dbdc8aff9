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

from jinja2 import nodes
from jinja2.ext import Extension
from jinja2.parser import Parser
from jinja2.runtime import Context
from markupsafe import Markup

STORE = "_shared_parts"  # the context's name for {key: rendered part}, one dict per page template and build


class SharedParts(Extension):
    """The `shared` tag."""

    tags = {"shared"}

    def parse(self, parser: Parser) -> nodes.Node:
        token = next(parser.stream)
        where = nodes.Const(f"{parser.name}:{token.lineno}")
        values: list[nodes.Expr] = []
        while parser.stream.current.type != "block_end":
            if values:
                parser.stream.expect("comma")
            values.append(parser.parse_expression())
        key = nodes.Tuple([where, *values], "load")
        body = parser.parse_statements(("name:endshared",), drop_needle=True)
        call = self.call_method("_part", [nodes.ContextReference(), key], lineno=token.lineno)
        return nodes.CallBlock(call, [], [], body).set_lineno(token.lineno)

    def _part(self, context: Context, key: tuple[Any, ...], caller: Any) -> Markup | str:
        store = context.get(STORE)
        if store is None or self.environment.sandboxed:  # a show's templates: rendered every time
            return caller()
        try:
            return store[key]
        except KeyError:
            part = store[key] = caller()
            return part
