"""Cloudcraft's filter grammar for live diagrams (the `filter` export option).

    filter   := or
    or       := and ("OR" and)*
    and      := not (["AND"] not)*          two terms side by side mean AND
    not      := ("NOT" | "!") not | primary
    primary  := "(" or ")" | term
    term     := word                        name (substring, any case), ARN or resource id, IP address,
                                            or the id of a VPC, subnet or security group (which matches
                                            the component and everything it contains)
              | "type=" nodetype            Cloudcraft node type (ec2, rds, ...) or CloudFormation type
              | "tag=" key ["=" value]      a tag, with any value or with this one
              | key "=" value               the bare tag form: the same as tag=key=value
    word     := unquoted characters and "double" or 'single' quoted strings, side by side
                (quotes keep spaces, parentheses and "=" literal; \\ escapes inside quotes)

AND, OR and NOT are upper case; lower-case "and" is a word. A malformed filter raises
`InvalidArgument` naming the character position (1-based) and what was expected there.
"""
from __future__ import annotations

import ipaddress
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from services.common.errors import InvalidArgument
from services.diagram.cloudcraft_types import node_type

IP_ATTRIBUTES = ("privateIpAddress", "publicIpAddress", "privateIps", "publicIps", "ipTargets")
KEYWORDS = {"AND", "OR", "NOT"}


@dataclass(frozen=True)
class Subject:
    """What a filter sees of one component."""
    name: str
    arn: str
    resource_id: str
    cfn_type: str
    tags: dict[str, str]
    attributes: dict
    # Ids (and ARNs) of the VPCs, subnets and security groups the component is in.
    context_ids: frozenset[str] = frozenset()


Predicate = Callable[[Subject], bool]


@dataclass(frozen=True)
class _Token:
    kind: str           # "(" ")" "AND" "OR" "NOT" "WORD" "END"
    text: str
    position: int       # 0-based
    quoted: bool = False
    equals: int = -1    # index in text of the first unquoted "="


def _error(source: str, position: int, message: str) -> InvalidArgument:
    shown = source if len(source) <= 60 else source[max(0, position - 30):position + 30]
    return InvalidArgument(f"filter: at position {position + 1}: {message} (in {shown!r})")


def _tokens(source: str) -> list[_Token]:
    tokens: list[_Token] = []
    i, n = 0, len(source)
    while i < n:
        char = source[i]
        if char.isspace():
            i += 1
            continue
        if char in "()":
            tokens.append(_Token(char, char, i))
            i += 1
            continue
        if char == "!":
            tokens.append(_Token("NOT", char, i))
            i += 1
            continue
        start, parts, quoted, equals = i, [], False, -1
        while i < n and not source[i].isspace() and source[i] not in "()":
            if source[i] in "\"'":
                quote, opened = source[i], i
                i += 1
                while i < n and source[i] != quote:
                    if source[i] == "\\" and i + 1 < n:
                        i += 1
                    parts.append(source[i])
                    i += 1
                if i >= n:
                    raise _error(source, opened, f"unterminated quoted string (expected a closing {quote})")
                i += 1
                quoted = True
            else:
                if source[i] == "=" and equals < 0:
                    equals = len(parts)
                parts.append(source[i])
                i += 1
        text = "".join(parts)
        if not quoted and text in KEYWORDS:
            tokens.append(_Token(text, text, start))
        else:
            tokens.append(_Token("WORD", text, start, quoted, equals))
    tokens.append(_Token("END", "", n))
    return tokens


def _ip(text: str):
    try:
        return ipaddress.ip_address(text)
    except ValueError:
        return None


def _word(text: str) -> Predicate:
    lowered = text.lower()
    address = _ip(text)
    if address is not None:
        def match_ip(s: Subject) -> bool:
            for key in IP_ATTRIBUTES:
                value = s.attributes.get(key)
                values = value if isinstance(value, list) else [value]
                if text in values:
                    return True
            return False
        return match_ip

    def match(s: Subject) -> bool:
        return (lowered in s.name.lower() or lowered == s.arn.lower() or lowered == s.resource_id.lower()
                or text in s.context_ids)
    return match


def _type(value: str) -> Predicate:
    lowered = value.lower()
    return lambda s: node_type(s.cfn_type) == lowered or s.cfn_type.lower() == lowered


def _tag(key: str, value: str | None) -> Predicate:
    if value is None:
        return lambda s: key in s.tags
    return lambda s: s.tags.get(key) == value


class _Parser:
    def __init__(self, source: str):
        self.source = source
        self.tokens = _tokens(source)
        self.index = 0

    def peek(self) -> _Token:
        return self.tokens[self.index]

    def take(self) -> _Token:
        token = self.tokens[self.index]
        self.index += 1
        return token

    def parse(self) -> Predicate:
        predicate = self.or_()
        token = self.peek()
        if token.kind != "END":
            raise _error(self.source, token.position, f"unexpected {token.text!r} (expected AND, OR or the end)")
        return predicate

    def or_(self) -> Predicate:
        parts = [self.and_()]
        while self.peek().kind == "OR":
            self.take()
            parts.append(self.and_())
        return parts[0] if len(parts) == 1 else (lambda s: any(p(s) for p in parts))

    def and_(self) -> Predicate:
        parts = [self.not_()]
        while self.peek().kind in ("AND", "WORD", "NOT", "("):
            if self.peek().kind == "AND":
                self.take()
            parts.append(self.not_())
        return parts[0] if len(parts) == 1 else (lambda s: all(p(s) for p in parts))

    def not_(self) -> Predicate:
        if self.peek().kind == "NOT":
            self.take()
            inner = self.not_()
            return lambda s: not inner(s)
        return self.primary()

    def primary(self) -> Predicate:
        token = self.take()
        if token.kind == "(":
            inner = self.or_()
            closing = self.peek()
            if closing.kind != ")":
                raise _error(self.source, closing.position,
                             f"expected ')' to close the '(' at position {token.position + 1}")
            self.take()
            return inner
        if token.kind == "WORD":
            return self.term(token)
        found = "the end of the filter" if token.kind == "END" else repr(token.text)
        raise _error(self.source, token.position, f"expected a search term or '(', found {found}")

    def term(self, token: _Token) -> Predicate:
        if token.equals < 0:
            if not token.text:
                raise _error(self.source, token.position, "empty search term")
            return _word(token.text)
        key, value = token.text[:token.equals], token.text[token.equals + 1:]
        value_at = token.position + token.equals + 1
        if not key:
            raise _error(self.source, token.position, "expected a key before '='")
        if key.lower() == "type":
            if not value:
                raise _error(self.source, value_at, "expected a node type after 'type='")
            return _type(value)
        if key.lower() == "tag":
            if not value:
                raise _error(self.source, value_at, "expected a tag key after 'tag='")
            tag_key, sep, tag_value = value.partition("=")
            if not tag_key:
                raise _error(self.source, value_at, "expected a tag key before '='")
            return _tag(tag_key, tag_value if sep else None)
        return _tag(key, value)


def parse_filter(source: str) -> Predicate | None:
    """A predicate over `Subject`s, or None for an empty filter (everything matches)."""
    if not source or not source.strip():
        return None
    return _Parser(source).parse()


def select(subjects: Iterable[Subject], source: str) -> list[Subject]:
    """The subjects a filter matches (convenience for callers and tests)."""
    predicate = parse_filter(source)
    return [s for s in subjects if predicate is None or predicate(s)]
