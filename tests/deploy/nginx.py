"""Just enough of nginx to tell where deploy/nginx.conf sends a request (no nginx needed)."""

import re
from dataclasses import dataclass, field

_TOKEN = re.compile(r"""#[^\n]*|'((?:\\.|[^'])*)'|"((?:\\.|[^"])*)"|([{};])|([^\s{};'"]+)""")


@dataclass
class Block:
    """A directive: its name, its arguments and, for blocks, its children."""

    name: str
    args: list[str]
    children: list["Block"] = field(default_factory=list)

    def all(self, name: str) -> list["Block"]:
        return [child for child in self.children if child.name == name]

    def one(self, name: str) -> "Block":
        (found,) = self.all(name)
        return found


def parse(text: str) -> Block:
    """The configuration as a tree of directives."""
    root = Block("main", [])
    path, words = [root], []
    for match in _TOKEN.finditer(text):
        quoted1, quoted2, punct, word = match.groups()
        if match[0].startswith("#"):
            continue
        if punct == "{":
            block = Block(words[0], words[1:])
            path[-1].children.append(block)
            path.append(block)
            words = []
        elif punct == ";":
            path[-1].children.append(Block(words[0], words[1:]))
            words = []
        elif punct == "}":
            path.pop()
        else:
            words.append(next(t for t in (quoted1, quoted2, word) if t is not None))
    assert len(path) == 1 and not words, "unbalanced braces or a missing ';'"
    return root


def _python_regex(pattern: str) -> re.Pattern:
    return re.compile(pattern.replace("(?<", "(?P<"))


@dataclass
class Routed:
    """What the gateway does with one request."""

    location: Block
    upstream: str | None = None
    status: int | None = None
    variables: dict = field(default_factory=dict)

    def substitute(self, text: str) -> str:
        return re.sub(r"\$(\w+)", lambda m: str(self.variables.get(m[1], "")), text)


class Gateway:
    """The server block of deploy/nginx.conf and the maps it uses."""

    def __init__(self, text: str):
        self.root = parse(text)
        self.server = self.root.one("server")
        self.maps = {block.args[1].lstrip("$"): (block.args[0].lstrip("$"),
                                                  {c.name: c.args[0] for c in block.children})
                     for block in self.root.all("map")}

    def locations(self) -> list[Block]:
        return self.server.all("location")

    def named(self, name: str) -> Block:
        """A named location (`location @name`), the target of an error_page."""
        (found,) = [b for b in self.locations() if b.args == [name]]
        return found

    def _match(self, path: str) -> tuple[Block, dict]:
        exact = [b for b in self.locations() if b.args[0] == "=" and b.args[1] == path]
        if exact:
            return exact[0], {}
        for block in self.locations():
            if block.args[0] in ("~", "~*") and (m := _python_regex(block.args[1]).search(path)):
                return block, m.groupdict()
        prefixes = [b for b in self.locations() if len(b.args) == 1 and path.startswith(b.args[0])]
        return max(prefixes, key=lambda b: len(b.args[0])), {}

    def route(self, path: str) -> Routed:
        """Which location takes `path`, and the upstream URL or status it ends in."""
        block, variables = self._match(path)
        routed = Routed(block, variables={**variables, "is_args": "", "args": ""})
        for assignment in block.all("set"):
            routed.variables[assignment.args[0].lstrip("$")] = routed.substitute(assignment.args[1])
        for name, (source, table) in self.maps.items():
            routed.variables[name] = table.get(routed.variables.get(source, ""), "")
        if block.all("return"):
            routed.status = int(block.one("return").args[0])
            return routed
        for rewrite in block.all("rewrite"):
            if m := _python_regex(rewrite.args[0]).search(path):
                path = re.sub(r"\$(\d)", lambda g: m[int(g[1])], rewrite.args[1])
                break
        target = routed.substitute(block.one("proxy_pass").args[0])
        has_uri = "/" in target.removeprefix("http://")
        routed.upstream = target if has_uri else target + path
        return routed
