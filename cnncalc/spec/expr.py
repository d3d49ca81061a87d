"""Arithmetic in module arguments (`$width * 4`), evaluated by a tiny parser, never `eval`.

Grammar: expr := term (('+'|'-') term)* ; term := unary (('*'|'/'|'//'|'%') unary)* ;
unary := '-' unary | atom ; atom := number | $name | '(' expr ')'.
"""

from __future__ import annotations

import re
from typing import Any

from cnncalc.limits import MAX_EXPRESSION_LENGTH

_TOKEN = re.compile(r"\s*(?:(\d+(?:\.\d*)?)|\$([A-Za-z_][A-Za-z0-9_]*)|(//|[-+*/%()]))")


class ExpressionError(ValueError):
    """The expression is malformed or names an unknown argument."""


def is_expression(value: Any) -> bool:
    return isinstance(value, str) and "$" in value


def evaluate(text: str, env: dict[str, Any]) -> Any:
    """Evaluate `text`; a lone `$name` returns the argument unchanged (it may be a list)."""
    stripped = text.strip()
    whole = re.fullmatch(r"\$([A-Za-z_][A-Za-z0-9_]*)", stripped)
    if whole:
        return _lookup(whole.group(1), env)
    if len(stripped) > MAX_EXPRESSION_LENGTH:
        raise ExpressionError(f"expression longer than {MAX_EXPRESSION_LENGTH} characters")
    parser = _Parser(_tokenize(stripped), env)
    value = parser.expr()
    if parser.pos != len(parser.tokens):
        raise ExpressionError(f"unexpected '{parser.tokens[parser.pos][1]}' in '{text}'")
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def _lookup(name: str, env: dict[str, Any]) -> Any:
    if name not in env:
        known = ", ".join(f"${k}" for k in env) or "none"
        raise ExpressionError(f"unknown argument '${name}' (known: {known})")
    return env[name]


def _tokenize(text: str) -> list[tuple[str, str]]:
    tokens, pos = [], 0
    while pos < len(text):
        if text[pos:].strip() == "":
            break
        match = _TOKEN.match(text, pos)
        if not match:
            raise ExpressionError(f"cannot read '{text[pos:].strip()}' in '{text}' "
                                  "(only numbers, $args, + - * / // % and parentheses)")
        number, name, op = match.groups()
        tokens.append(("num", number) if number else ("name", name) if name else ("op", op))
        pos = match.end()
    return tokens


class _Parser:
    def __init__(self, tokens: list[tuple[str, str]], env: dict[str, Any]):
        self.tokens, self.env, self.pos = tokens, env, 0

    def _peek(self) -> str | None:
        return self.tokens[self.pos][1] if self.pos < len(self.tokens) else None

    def expr(self) -> float | int:
        value = self.term()
        while self._peek() in ("+", "-"):
            op = self.tokens[self.pos][1]
            self.pos += 1
            rhs = self.term()
            value = value + rhs if op == "+" else value - rhs
        return value

    def term(self) -> float | int:
        value = self.unary()
        while self._peek() in ("*", "/", "//", "%"):
            op = self.tokens[self.pos][1]
            self.pos += 1
            rhs = self.unary()
            if op != "*" and rhs == 0:
                raise ExpressionError("division by zero")
            value = (
                value * rhs if op == "*" else value / rhs if op == "/" else value // rhs if op == "//" else value % rhs
            )
            if abs(value) > 1e15:
                raise ExpressionError("value too large")
        return value

    def unary(self) -> float | int:
        if self._peek() == "-":
            self.pos += 1
            return -self.unary()
        return self.atom()

    def atom(self) -> float | int:
        if self.pos >= len(self.tokens):
            raise ExpressionError("expression ends too soon")
        kind, text = self.tokens[self.pos]
        self.pos += 1
        if kind == "num":
            return float(text) if "." in text else int(text)
        if kind == "name":
            value = _lookup(text, self.env)
            if isinstance(value, bool) or not isinstance(value, (int, float)):
                raise ExpressionError(f"'${text}' is {value!r}, not a number")
            return value
        if text == "(":
            value = self.expr()
            if self._peek() != ")":
                raise ExpressionError("missing ')'")
            self.pos += 1
            return value
        raise ExpressionError(f"unexpected '{text}'")
