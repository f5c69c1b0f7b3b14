"""The life of an order, in one place: from the checkout page to the last refund.

    placing      the checkout: the cart becomes an Order, one SellerOrder per shop, stock taken,
                 quota room held, the agency channel's limit checked (`place_order`)
    paying       the gateway session, what it reports, and the moment an order is paid, by
                 card (`mark_paid`) or by the agency's treasurer (`settle_agency_order`)
    webhooks     the gateway's events, acted on once each (`handle_event`)
    ending       orders that end unpaid: expired, failed, cancelled (`expire_order`, …)
    fulfilling   a paid part on its way: accept, reject, ship, receipt, auto-completion
    refunds      money given back, as events of the order (`refund`, `record_refund`)
    fulfilment   the SellerOrder's transition table and its one writer (`transition`)
    payment_status  the Order's payment transition table and its one writer (`move_payment`)
    stock, locking  stock taken and given back; the order row lock (`lock_order`)
    views, forms the checkout and payment pages

Dependencies run one way: this package calls `cart` (the cart's lines), `payments` (the
gateway and its rows), `quotas` (the room held at checkout) and `procurement.limits`; none of
them imports it. What other modules do when an order moves they do as receivers of the
signals in `bebeli.signals`, connected in `bebeli.wiring`.
"""
from flask import Blueprint

bp = Blueprint("lifecycle", __name__)

from bebeli.lifecycle.ending import (  # noqa: E402  (the verbs other modules and scripts call)
    cancel_unpaid_order,
    claim_overdue_order,
    expire_order,
    fail_order,
    is_overdue,
)
from bebeli.lifecycle.fulfilling import (  # noqa: E402
    accept_seller_order,
    autocomplete_delivered,
    cancel_seller_order,
    confirm_receipt,
    give_back,
    hold_completion_while,
    mark_delivered,
    record_bast_receipt,
    reject_seller_order,
    reopen_for_replacement,
    ship_seller_order,
)
from bebeli.lifecycle.fulfilment import record_event, transition  # noqa: E402
from bebeli.lifecycle.locking import lock_order  # noqa: E402
from bebeli.lifecycle.paying import (  # noqa: E402
    cancel_unpaid,
    confirm_return,
    expire_if_overdue,
    mark_paid,
    pay_without_screen,
    settle_agency_order,
    start_payment,
)
from bebeli.lifecycle.placing import (  # noqa: E402
    ShopChoice,
    office_address_for,
    order_by_key,
    place_order,
    same_choice_for_every_shop,
)
from bebeli.lifecycle.refunds import record_refund, refund  # noqa: E402
from bebeli.lifecycle.webhooks import handle_event  # noqa: E402

__all__ = [
    "accept_seller_order", "autocomplete_delivered", "cancel_seller_order", "cancel_unpaid", "cancel_unpaid_order",
    "claim_overdue_order", "confirm_receipt", "give_back", "hold_completion_while", "confirm_return", "expire_if_overdue", "expire_order", "fail_order",
    "handle_event", "is_overdue", "lock_order", "mark_delivered", "mark_paid", "office_address_for", "order_by_key",
    "pay_without_screen", "place_order", "record_bast_receipt", "record_event", "record_refund", "refund", "reject_seller_order", "reopen_for_replacement",
    "same_choice_for_every_shop", "settle_agency_order", "ship_seller_order", "ShopChoice", "start_payment",
    "transition",
]
