"""Validation-rule expressions: a tiny, safe arithmetic language over data values.

    #{WF_CERTIFIED} <= #{WF_WORKERS_GROUP.NONMIGRANT} * 1

A reference is `#{ELEMENT}` (all of the element's disaggregation added up) or
`#{ELEMENT.OPT}` / `#{ELEMENT.OPT1.OPT2}` (the option combos that contain every named option,
added up). Besides references there are decimal numbers, + - * / and parentheses. Arithmetic is
Decimal throughout. The parser builds a small tree; nothing is ever handed to `eval`.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal, DivisionByZero, InvalidOperation

from django.utils.translation import gettext as _

CODE_PATTERN = r"[A-Z][A-Z0-9_]*"
_TOKEN = re.compile(
    rf"\s*(?:(?P<ref>#\{{(?P<el>{CODE_PATTERN})(?P<opts>(?:\.{CODE_PATTERN})*)\}})"
    r"|(?P<num>\d+(?:\.\d+)?)|(?P<op>[-+*/()]))"
)
MAX_LENGTH = 1000


class ExpressionError(ValueError):
    """An expression that cannot be parsed; `message` says where, in Chinese."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class Ref:
    element: str
    options: tuple[str, ...] = ()

    @property
    def key(self) -> str:
        return ".".join(self.options)

    def __str__(self) -> str:
        return "#{" + ".".join((self.element, *self.options)) + "}"


@dataclass(frozen=True)
class Num:
    value: Decimal


@dataclass(frozen=True)
class Neg:
    operand: Node


@dataclass(frozen=True)
class BinOp:
    op: str
    left: Node
    right: Node


Node = Ref | Num | Neg | BinOp


def _tokenize(text: str) -> list[tuple[str, object, int]]:
    tokens: list[tuple[str, object, int]] = []
    pos = 0
    stripped_end = len(text.rstrip())
    while pos < stripped_end:
        match = _TOKEN.match(text, pos)
        if not match or match.end() == pos:
            bad = pos + len(text[pos:]) - len(text[pos:].lstrip())
            raise ExpressionError(
                _("表达式第 %(pos)d 个字符附近无法识别：“%(rest)s”。") % {"pos": bad + 1, "rest": text[bad : bad + 12]}
            )
        start = match.start(match.lastgroup) if match.lastgroup else pos
        if match.group("ref"):
            options = tuple(o for o in match.group("opts").split(".") if o)
            tokens.append(("ref", Ref(match.group("el"), options), start))
        elif match.group("num"):
            tokens.append(("num", Decimal(match.group("num")), start))
        else:
            tokens.append(("op", match.group("op"), start))
        pos = match.end()
    return tokens


class _Parser:
    """expr := term (('+'|'-') term)* ; term := factor (('*'|'/') factor)* ; factor := '-' factor | atom."""

    def __init__(self, text: str):
        self.text = text
        self.tokens = _tokenize(text)
        self.i = 0

    def peek(self) -> tuple[str, object, int] | None:
        return self.tokens[self.i] if self.i < len(self.tokens) else None

    def take(self) -> tuple[str, object, int]:
        token = self.peek()
        if token is None:
            raise ExpressionError(_("表达式不完整：结尾缺少数值或引用。"))
        self.i += 1
        return token

    def parse(self) -> Node:
        if not self.tokens:
            raise ExpressionError(_("表达式为空。"))
        node = self.expr()
        token = self.peek()
        if token is not None:
            raise ExpressionError(
                _("表达式第 %(pos)d 个字符处多余：“%(tok)s”。") % {"pos": token[2] + 1, "tok": token[1]}
            )
        return node

    def expr(self) -> Node:
        node = self.term()
        while (token := self.peek()) is not None and token[0] == "op" and token[1] in "+-":
            self.take()
            node = BinOp(str(token[1]), node, self.term())
        return node

    def term(self) -> Node:
        node = self.factor()
        while (token := self.peek()) is not None and token[0] == "op" and token[1] in "*/":
            self.take()
            node = BinOp(str(token[1]), node, self.factor())
        return node

    def factor(self) -> Node:
        kind, value, pos = self.take()
        if kind == "op" and value == "-":
            return Neg(self.factor())
        if kind == "op" and value == "+":
            return self.factor()
        if kind == "op" and value == "(":
            node = self.expr()
            closing = self.peek()
            if closing is None or closing[1] != ")":
                raise ExpressionError(_("表达式第 %(pos)d 个字符处的括号没有闭合。") % {"pos": pos + 1})
            self.take()
            return node
        if kind == "ref":
            return value  # type: ignore[return-value]
        if kind == "num":
            return Num(value)  # type: ignore[arg-type]
        raise ExpressionError(
            _("表达式第 %(pos)d 个字符处应为数值或引用，而不是“%(tok)s”。") % {"pos": pos + 1, "tok": value}
        )


def parse(text: str) -> Node:
    """The tree of an expression; ExpressionError (with a Chinese message) if it is not valid."""
    if len(text) > MAX_LENGTH:
        raise ExpressionError(_("表达式过长（最多 %(max)d 个字符）。") % {"max": MAX_LENGTH})
    return _parsed(text)


@functools.lru_cache(maxsize=4096)
def _parsed(text: str) -> Node:
    # Trees are immutable, so one parse serves every report a rule is checked on (errors are not cached).
    return _Parser(text).parse()


def references(node: Node) -> list[Ref]:
    """Every reference in the tree, in order of appearance."""
    if isinstance(node, Ref):
        return [node]
    if isinstance(node, Neg):
        return references(node.operand)
    if isinstance(node, BinOp):
        return references(node.left) + references(node.right)
    return []


def evaluate(node: Node, resolve: Callable[[Ref], Decimal | None]) -> Decimal | None:
    """The value of the tree, with `resolve` giving each reference (None = missing, counted as 0).

    Division by zero gives None (the rule cannot be evaluated), never an exception.
    """
    if isinstance(node, Num):
        return node.value
    if isinstance(node, Ref):
        value = resolve(node)
        return Decimal(0) if value is None else value
    if isinstance(node, Neg):
        inner = evaluate(node.operand, resolve)
        return None if inner is None else -inner
    left = evaluate(node.left, resolve)
    right = evaluate(node.right, resolve)
    if left is None or right is None:
        return None
    if node.op == "+":
        return left + right
    if node.op == "-":
        return left - right
    if node.op == "*":
        return left * right
    if right == 0:
        return None
    try:
        return left / right
    except (DivisionByZero, InvalidOperation):  # pragma: no cover - guarded above
        return None


def sum_matching(values: dict[tuple[str, str], Decimal], ref: Ref) -> Decimal | None:
    """Add up the values of `ref`'s element whose option key contains every option of `ref`.

    `values` maps (element code, option key) to a number; option keys are option codes joined by
    dots in category order ("" for the default combo). None when no matching value is present.
    """
    return ValueSums(values)(ref)


class ValueSums:
    """`sum_matching` over one map of values for many references: the values indexed by element once, and each
    reference's sum computed once (a report's rules refer to the same totals again and again)."""

    def __init__(self, values: dict[tuple[str, str], Decimal]):
        self._by_element: dict[str, list[tuple[frozenset[str], Decimal]]] = {}
        for (element, key), number in values.items():
            self._by_element.setdefault(element, []).append((frozenset(key.split(".")) if key else frozenset(), number))
        self._sums: dict[Ref, Decimal | None] = {}

    def __call__(self, ref: Ref) -> Decimal | None:
        if ref in self._sums:
            return self._sums[ref]
        wanted = frozenset(ref.options)
        total: Decimal | None = None
        for options, number in self._by_element.get(ref.element, ()):
            if wanted <= options:
                total = number if total is None else total + number
        self._sums[ref] = total
        return total
