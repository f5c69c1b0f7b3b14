"""The order lifecycle's seams, read from the code: dependencies run one way, each status has
one writer, and every signal receiver is connected in one visible place."""
from __future__ import annotations

import ast
from pathlib import Path

from bebeli import signals, wiring

PACKAGE = Path(__file__).resolve().parents[2] / "bebeli"


def _modules(*parts):
    return sorted((PACKAGE.joinpath(*parts)).rglob("*.py"))


def _imports(path: Path) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
    return found


def _uses(paths, *packages) -> dict[str, list[str]]:
    bad = {}
    for path in paths:
        hits = sorted(name for name in _imports(path)
                      if any(name == p or name.startswith(p + ".") for p in packages))
        if hits:
            bad[path.relative_to(PACKAGE).as_posix()] = hits
    return bad


def test_payments_knows_nothing_of_orders():
    assert _uses(_modules("payments"), "bebeli.orders", "bebeli.lifecycle") == {}


def test_the_cart_knows_nothing_of_orders():
    assert _uses(_modules("cart"), "bebeli.orders", "bebeli.lifecycle") == {}


def test_nothing_below_the_lifecycle_calls_back_into_it():
    below = []
    for room in ("cart", "payments", "quotas", "notifications", "catalog", "sellers", "directory", "auth"):
        below += _modules(room)
    below += [PACKAGE / "orders" / name for name in ("models.py", "status.py", "totals.py", "queries.py")]
    below += [PACKAGE / "procurement" / name for name in ("limits.py", "flags.py", "models.py")]
    assert _uses(below, "bebeli.lifecycle") == {}


def _payment_status_writes(path: Path) -> list[int]:
    """Lines that set an Order's payment status: `x.payment_status = …` (other than a gateway
    Payment row's own field) or `payment_status=` passed to a call."""
    lines = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        targets = []
        if isinstance(node, ast.Assign):
            for target in node.targets:
                targets += target.elts if isinstance(target, ast.Tuple) else [target]
        elif isinstance(node, (ast.AugAssign, ast.AnnAssign)):
            targets = [node.target]
        for target in targets:
            if isinstance(target, ast.Attribute) and target.attr == "payment_status" and not (
                    isinstance(target.value, ast.Name) and target.value.id == "payment"):
                lines.append(node.lineno)
        if isinstance(node, ast.Call):
            lines += [node.lineno for kw in node.keywords if kw.arg == "payment_status"]
    return lines


def test_the_payment_status_has_one_writer():
    writers = {path.relative_to(PACKAGE).as_posix(): lines for path in _modules()
               if (lines := _payment_status_writes(path))}
    # payments/gateway.py: the gateway session's own "paid/unpaid" field, not the order's status.
    writers.pop("payments/gateway.py", None)
    assert list(writers) == ["lifecycle/payment_status.py"], writers
    source = (PACKAGE / "lifecycle" / "payment_status.py").read_text(encoding="utf-8")
    functions = [node.name for node in ast.walk(ast.parse(source)) if isinstance(node, ast.FunctionDef)
                 and _payment_status_writes_in(node)]
    assert functions == ["move_payment"]


def _payment_status_writes_in(function: ast.FunctionDef) -> bool:
    return any(isinstance(node, ast.Call) and any(kw.arg == "payment_status" for kw in node.keywords)
               for node in ast.walk(function))


SIGNALS = {name for name in dir(signals) if not name.startswith("_") and hasattr(getattr(signals, name), "send")}


def _names_a_signal(node) -> bool:
    """`order_paid`, `signals.order_paid` or `bebeli.signals.order_paid`."""
    name = node.attr if isinstance(node, ast.Attribute) else getattr(node, "id", None)
    return name in SIGNALS


def test_receivers_are_connected_in_wiring_and_nowhere_else():
    assert SIGNALS == {"order_paid", "seller_order_reduced", "seller_order_transitioned", "stock_changed"}
    connecting = []
    for path in _modules():
        if path.name == "wiring.py":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Attribute) and node.attr in ("connect", "connect_via", "connected_to") \
                    and _names_a_signal(node.value):
                connecting.append(f"{path.relative_to(PACKAGE).as_posix()}:{node.lineno}")
    assert connecting == []


def test_create_app_connects_every_receiver(app):
    for signal in (signals.order_paid, signals.seller_order_reduced, signals.seller_order_transitioned,
                   signals.stock_changed):
        expected = {receiver for s, receiver in wiring.RECEIVERS if s is signal}
        assert expected and expected <= set(signal.receivers_for(object()))
