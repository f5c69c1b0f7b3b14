"""Who may use every route of the application: the access-control suite's source of truth.

Every endpoint of `app.url_map` must be listed here; a new route fails the suite until it is
classified. An entry says who gets through:

- PUBLIC: everyone, signed in or not.
- SIGNED_IN: any signed-in account, whatever its roles; visitors are sent to the login page.
- roles(...): only holders of one of these roles; others get 403/404, visitors the login page.
- owner(...): the route acts on somebody's object (named by its URL arguments). The listed
  personas reach objects of their own side ("us"); `sees_all` (by default the administrator)
  reaches everybody's; everyone else, including the listed personas on the other side's
  objects ("them"), gets 403 or 404 (or, where `refused_to` says so, a redirect there).
- DEV: the development outbox, present only when DEV_OUTBOX is on (404 otherwise).
- WEBHOOK: called by the payment provider, authenticated by its signature instead of a session.
- LOGIN_STEP: the code step of the two-step login, reachable only half-way through a login.
- STATIC: the app's static files.
- MONITOR: read by the monitoring system (Prometheus), with a bearer token or from an allowed
  address that did not come through the proxy (bebeli.metrics), never with a session: every
  persona is refused, administrators included.

Personas are the accounts on the "us" side of tests/security/world.py: an ASN buyer, a seller,
an agency admin, the agency's PP, PPK and Bendahara, and an administrator. `params` maps each
URL argument to a key of that world (ids of objects, or fixed strings such as a file format);
`query` adds query-string arguments the same way.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from types import MappingProxyType

PUBLIC_KIND, SIGNED_IN_KIND, ROLES, OWNER, DEV_KIND, WEBHOOK_KIND, LOGIN_STEP_KIND, STATIC_KIND, MONITOR_KIND = (
    "public", "signed_in", "roles", "owner", "dev", "webhook", "login_step", "static", "monitor")

EVERY_SIGNED_IN = frozenset({"buyer", "seller", "agency_admin", "pp", "ppk", "bendahara", "admin"})


@dataclass(frozen=True)
class Access:
    kind: str
    roles: frozenset[str] = frozenset()
    sees_all: frozenset[str] = frozenset()
    params: MappingProxyType = field(default_factory=lambda: MappingProxyType({}))
    query: MappingProxyType = field(default_factory=lambda: MappingProxyType({}))
    refused_to: str | None = None  # an endpoint a refusal may redirect to instead of 403/404

    def allows(self, persona: str, side: str, *, dev_outbox: bool = True) -> bool:
        """May `persona` use the route on the objects of `side`?"""
        if self.kind in (PUBLIC_KIND, STATIC_KIND):
            return True
        if self.kind == DEV_KIND:
            return dev_outbox
        if self.kind == SIGNED_IN_KIND:
            return persona in EVERY_SIGNED_IN
        if self.kind == ROLES:
            return persona in self.roles
        if self.kind == OWNER:
            return persona in self.sees_all or (side == "us" and persona in self.roles)
        return False  # webhooks, the login step and monitoring: never with a session alone

    @property
    def sides(self) -> tuple[str, ...]:
        """Owner-scoped routes are tried on both sides' objects; others once."""
        return ("us", "them") if self.kind == OWNER else ("them",)


def _access(kind: str, roles=(), sees_all=(), *, params=None, query=None, refused_to=None) -> Access:
    return Access(kind, frozenset(roles), frozenset(sees_all), MappingProxyType(params or {}),
                  MappingProxyType(query or {}), refused_to)


def public(**params) -> Access:
    return _access(PUBLIC_KIND, params=params)


def signed_in(**params) -> Access:
    return _access(SIGNED_IN_KIND, params=params)


def roles(*names: str, **params) -> Access:
    return _access(ROLES, names, params=params)


def owner(*names: str, sees_all=("admin",), query=None, refused_to=None, **params) -> Access:
    return _access(OWNER, names, sees_all, params=params, query=query, refused_to=refused_to)


PUBLIC = public()
SIGNED_IN = _access(SIGNED_IN_KIND)
DEV = _access(DEV_KIND)
WEBHOOK = _access(WEBHOOK_KIND)
LOGIN_STEP = _access(LOGIN_STEP_KIND)
STATIC = _access(STATIC_KIND, params={"filename": "static_file"})
MONITOR = _access(MONITOR_KIND)

ADMIN = ("admin",)
MANAGERS = ("admin", "agency_admin")       # the directory and quota monitoring
BUYERS = ("buyer", "pp")                   # carts and personal orders (a PP also buys for the office)
PROCUREMENT_PARTIES = ("pp", "ppk", "bendahara", "seller", "agency_admin")

POLICY: dict[str, Access] = {
    # --- site, health probes, static files, development tools ---------------------------------
    "main.home": PUBLIC,
    "main.healthz": PUBLIC,
    "main.readyz": PUBLIC,
    "metrics.scrape": MONITOR,   # Prometheus: METRICS_TOKEN or METRICS_ALLOW_IPS, never a session
    "main.set_language": public(code="language"),
    "static": STATIC,
    "mail.index": DEV,
    "admin.dashboard": roles(*ADMIN),
    "audit.index": roles(*ADMIN),
    "jobs.status": roles(*ADMIN),
    "jobs.retry": roles(*ADMIN),
    # --- accounts and login -------------------------------------------------------------------
    "auth.login": PUBLIC,
    "auth.forgot_password": PUBLIC,
    "auth.reset_password": public(token="reset_token"),
    "auth.totp_verify": LOGIN_STEP,
    "auth.totp_enroll": SIGNED_IN,       # also half-way through an administrator's first login
    "auth.totp_settings": SIGNED_IN,
    "auth.totp_recovery_codes": SIGNED_IN,
    "auth.logout": SIGNED_IN,
    "auth.logout_everywhere": SIGNED_IN,
    "auth.account": SIGNED_IN,
    "auth.change_password": SIGNED_IN,
    "notifications.index": SIGNED_IN,
    "notifications.read_all": SIGNED_IN,
    # another account's notification sends the reader back to their own list
    "notifications.open": owner("buyer", sees_all=(), refused_to="notifications.index",
                                notification_id="notification"),
    # --- catalog (buyers) ---------------------------------------------------------------------
    "catalog.search": PUBLIC,
    "catalog.category": public(slug="category_slug"),
    "catalog.product": public(product_id="product", slug="product_slug"),
    "catalog.shop": public(slug="shop_slug"),
    "catalog.media": public(key="media_key"),
    # --- sellers: registration, own shop and products -------------------------------------------
    "sellers.register": PUBLIC,
    "sellers.kelurahan_options": PUBLIC,
    "sellers.dashboard": roles("seller"),
    "sellers.edit_profile": roles("seller"),
    "sellers.resubmit": roles("seller"),
    "sellers.add_certificate": roles("seller"),
    "sellers.delete_certificate": owner("seller", sees_all=(), certificate_id="certificate"),
    "sellers.certificate_document": owner("seller", certificate_id="certificate"),
    "catalog.seller_products": roles("seller"),
    "insights.page": roles("seller"),        # the signed-in seller's own shop; no shop in the URL
    "insights.report": roles("seller"),
    "catalog.new_product": roles("seller"),
    "catalog.edit_product": owner("seller", sees_all=(), product_id="product"),
    "catalog.product_status": owner("seller", sees_all=(), product_id="product", status="product_status"),
    "catalog.upload_images": owner("seller", sees_all=(), product_id="product"),
    "catalog.delete_image": owner("seller", sees_all=(), image_id="image"),
    "catalog.primary_image": owner("seller", sees_all=(), image_id="image"),
    # --- administrators: verification, moderation, categories ----------------------------------
    "sellers.verification_queue": roles(*ADMIN),
    "sellers.admin_shop": roles(*ADMIN, shop_id="shop"),
    "sellers.set_status": roles(*ADMIN, shop_id="shop", status="shop_status"),
    "catalog.admin_categories": roles(*ADMIN),
    "catalog.edit_category": roles(*ADMIN, category_id="category"),
    "catalog.admin_products": roles(*ADMIN),
    "catalog.take_down": roles(*ADMIN, product_id="product"),
    "catalog.restore": roles(*ADMIN, product_id="product"),
    # --- directory: agencies and ASN --------------------------------------------------------------
    "directory.asn_list": roles(*MANAGERS),
    "directory.asn_new": roles(*MANAGERS),
    "directory.asn_detail": owner("agency_admin", asn_id="asn"),
    "directory.asn_edit": owner("agency_admin", asn_id="asn"),
    "directory.asn_activate": owner("agency_admin", asn_id="asn"),
    "directory.asn_deactivate": owner("agency_admin", asn_id="asn"),
    "directory.agency_list": roles(*MANAGERS),
    "directory.agency_new": roles(*ADMIN),
    "directory.agency_edit": roles(*ADMIN, agency_id="agency"),
    "directory.agency_activate": roles(*ADMIN, agency_id="agency"),
    "directory.agency_deactivate": roles(*ADMIN, agency_id="agency"),
    "directory.import_asn": roles(*MANAGERS),
    "directory.import_template": roles(*MANAGERS, fmt="import_format"),
    # an import preview belongs to whoever uploaded it, administrators included
    "directory.import_preview": owner("agency_admin", sees_all=(), batch_id="batch"),
    "directory.import_confirm": owner("agency_admin", sees_all=(), batch_id="batch"),
    "directory.import_cancel": owner("agency_admin", sees_all=(), batch_id="batch"),
    # --- cart, personal orders, payments --------------------------------------------------------------
    "cart.view": roles(*BUYERS),
    "cart.add": roles(*BUYERS),
    "cart.update": roles(*BUYERS, product_id="product"),   # a cart is per account: any product id
    "cart.remove": roles(*BUYERS, product_id="product"),
    "cart.accept": roles(*BUYERS),
    "lifecycle.checkout": roles(*BUYERS),
    "orders.index": roles(*BUYERS),
    "orders.detail": owner("buyer", sees_all=(), order_id="order"),
    "orders.cancel": owner("buyer", sees_all=(), order_id="order"),
    "orders.cancel_part": owner("buyer", sees_all=(), so_id="seller_order"),
    "orders.receipt": owner("buyer", sees_all=(), so_id="seller_order"),
    "orders.invoice": owner("buyer", "seller", so_id="seller_order"),
    "orders.seller_index": roles("seller"),
    "orders.seller_detail": owner("seller", sees_all=(), so_id="seller_order"),
    "orders.packing_slip": owner("seller", sees_all=(), so_id="seller_order"),
    "orders.accept": owner("seller", sees_all=(), so_id="seller_order"),
    "orders.reject": owner("seller", sees_all=(), so_id="seller_order"),
    "orders.ship": owner("seller", sees_all=(), so_id="seller_order"),
    "orders.delivered": owner("seller", sees_all=(), so_id="seller_order"),
    "orders.admin_index": roles(*ADMIN),
    "orders.admin_detail": roles(*ADMIN, order_id="order"),
    "lifecycle.start_payment": owner("buyer", sees_all=(), order_id="unpaid_order"),
    "lifecycle.payment_return": owner("buyer", sees_all=(), order_id="unpaid_order"),
    "lifecycle.simulated_payment": owner("buyer", sees_all=(), session_id="payment_session"),
    "lifecycle.stripe_webhook": WEBHOOK,
    # --- complaints: the buyer's (an ASN's own orders), the seller's, the Dinas's decisions --------
    "complaints.new": owner("buyer", sees_all=(), so_id="delivered_part"),
    "complaints.index": roles(*BUYERS),
    "complaints.detail": owner("buyer", sees_all=(), complaint_id="complaint_buyer"),
    "complaints.accept": owner("buyer", sees_all=(), complaint_id="complaint_buyer"),
    "complaints.escalate": owner("buyer", sees_all=(), complaint_id="complaint_buyer"),
    "complaints.photo": owner("buyer", "seller", photo_id="complaint_photo"),
    "complaints.seller_index": roles("seller"),
    "complaints.seller_detail": owner("seller", sees_all=(), complaint_id="complaint_seller"),
    "complaints.admin_index": roles(*ADMIN),
    "complaints.admin_detail": roles(*ADMIN, complaint_id="complaint_escalated"),
    "sanctions.index": roles(*ADMIN),
    "sanctions.confirm": roles(*ADMIN, shop_id="shop"),    # a shop the policy suggests (world: both)
    # --- quotas ------------------------------------------------------------------------------------
    "quotas.dashboard": owner("agency_admin", query={"agency": "agency"}),
    "quotas.agency_detail": owner("agency_admin", agency_id="agency"),
    "quotas.asn_detail": owner("agency_admin", asn_id="asn"),
    "quotas.add_exemption": owner("agency_admin", asn_id="asn"),
    "quotas.remove_exemption": owner("agency_admin", exemption_id="exemption"),
    "quotas.exemptions": roles(*MANAGERS),
    "quotas.export": owner("agency_admin", name="export_name", fmt="export_format", query={"asn": "asn"}),
    "quotas.my_history": roles("buyer"),   # any account with an ASN profile; only buyers have one here
    "quotas.policies": roles(*ADMIN),
    "quotas.policy_new": roles(*ADMIN),
    "quotas.policy_edit": roles(*ADMIN, policy_id="policy"),
    # --- the Dinas growth page (seller figures: administrators only) -------------------------
    "growth.dashboard": roles(*ADMIN),
    "growth.export": roles(*ADMIN, name="growth_table", fmt="export_format"),
    # --- agency procurement -----------------------------------------------------------------------------
    "procurement.inbox": roles(*PROCUREMENT_PARTIES, *ADMIN),
    "procurement.checkout": roles("pp"),
    "procurement.detail": owner(*PROCUREMENT_PARTIES, purchase_id="purchase"),
    "procurement.document": owner(*PROCUREMENT_PARTIES, purchase_id="approved_purchase", kind="document_kind"),
    "procurement.propose": owner("pp", sees_all=(), purchase_id="purchase"),
    "procurement.resubmit": owner("pp", sees_all=(), purchase_id="purchase"),
    "procurement.cancel": owner("pp", sees_all=(), purchase_id="purchase"),
    "procurement.accept_offer": owner("pp", "seller", sees_all=(), offer_id="offer"),
    "procurement.decline_offer": owner("pp", "seller", sees_all=(), offer_id="offer"),
    "procurement.counter_offer": owner("seller", sees_all=(), offer_id="offer"),
    "procurement.approve": owner("ppk", sees_all=(), purchase_id="purchase"),
    "procurement.send_back": owner("ppk", sees_all=(), purchase_id="purchase"),
    "procurement.bast": owner("ppk", sees_all=(), purchase_id="purchase"),
    "procurement.accept_sp": owner("seller", sees_all=(), purchase_id="purchase"),
    "procurement.reject_sp": owner("seller", sees_all=(), purchase_id="purchase"),
    "procurement.pay": owner("bendahara", sees_all=(), purchase_id="purchase"),
    "procurement.budget_lines": owner("agency_admin", agency_id="agency"),
    "procurement.set_agency_budget": owner("agency_admin", agency_id="agency"),
    "procurement.edit_budget_line": owner("agency_admin", line_id="budget_line"),
    "procurement.officials": owner("agency_admin", agency_id="agency"),
    "procurement.dismiss_official": owner("agency_admin", agency_id="agency", user_id="official_user",
                                          role="official_role"),
    "procurement.monitoring": roles(*MANAGERS),
    "procurement.split_flags_export": roles(*MANAGERS, fmt="export_format"),
    "procurement.ocds_releases": PUBLIC,   # open data (OCDS) of completed agency purchases
    # --- settlement: a shop's income (its owner; administrators see every shop's) ------------------
    "settlement.income": roles("seller"),
    "settlement.balance": owner("seller", shop_id="shop"),
    "settlement.statement": owner("seller", shop_id="shop"),
    "settlement.statement_file": owner("seller", shop_id="shop", fmt="export_format"),

    # --- settlement: the monthly reconciliation --------------------------------------------------
    "settlement.reconciliation": roles(*ADMIN),
    "settlement.reconciliation_csv": roles(*ADMIN),

    # --- settlement: payouts (administrators) -------------------------------------------------------
    "settlement.admin_batches": roles(*ADMIN),
    "settlement.admin_create_batch": roles(*ADMIN),
    "settlement.admin_batch": roles(*ADMIN, batch_id="payout_batch"),
    "settlement.admin_batch_csv": roles(*ADMIN, batch_id="payout_batch"),
    "settlement.admin_batch_pdf": roles(*ADMIN, batch_id="payout_batch"),
    "settlement.admin_mark_paid": roles(*ADMIN, payout_id="payout"),
    "settlement.admin_mark_returned": roles(*ADMIN, payout_id="payout"),
    "settlement.admin_balances": roles(*ADMIN),
    "settlement.admin_pay_shop": roles(*ADMIN, shop_id="shop"),
    "settlement.admin_adjust": roles(*ADMIN, shop_id="shop"),
    "settlement.admin_returned": roles(*ADMIN),
    # --- reviews ------------------------------------------------------------------------------
    # The buyer of a received line writes (and edits) its review; nobody else, administrators included.
    "reviews.write": owner("buyer", sees_all=(), line_id="received_line"),
    # Anyone signed in reports a published review (the shop's own owner is refused by the service).
    "reviews.report_review": signed_in(review_id="review"),
    "reviews.seller_index": roles("seller"),
    "reviews.reply_review": owner("seller", sees_all=(), review_id="review"),
    "reviews.admin_queue": roles(*ADMIN),
    "reviews.admin_decide": roles(*ADMIN, review_id="review"),
}

# --- objects named in form bodies ------------------------------------------------------------------
# A form field that names an object (by id or email) is an access decision like a URL argument.
# Each one is listed with the world keys of objects it may name; a persona who uses the form on
# their own side gets the other side's object refused (4xx or a form error, nothing written).
# Field names are as rendered, row numbers written N ("shops-N-shop_id").
BODY_REFERENCES: dict[tuple[str, str], tuple[str, ...]] = {
    ("cart.add", "product_id"): ("hidden_product",),                  # a product not for sale
    ("lifecycle.checkout", "shops-N-shop_id"): ("shop",),                  # a shop not in the cart
    ("directory.asn_new", "agency_id"): ("agency",),
    ("directory.asn_new", "email"): ("asn_email",),                   # somebody's account
    ("directory.asn_edit", "agency_id"): ("agency",),
    ("directory.asn_edit", "email"): ("asn_email",),
    ("procurement.officials", "email"): ("candidate_email", "asn_email", "official_email"),
    ("procurement.checkout", "instansi"): ("pp_agency",),
    ("procurement.checkout", "budget_line"): ("budget_line",),
    ("procurement.checkout", "ppk"): ("official_user",),
    ("procurement.checkout", "shops-N-shop_id"): ("shop",),
    ("sellers.register", "email"): ("seller_email",),
    ("reviews.write", "order_line_id"): ("received_line",),          # somebody else's order line
}
# Fields of those kinds (hidden, select, radio, number, email) that name nobody's object: values
# of a fixed list, numbers, tokens, or what every user of the form shares (the catalogue's
# categories; the agency tree and quota policies are the administrator's alone). Ids of order
# lines in field names ("reject_N") are read only for the lines of the order in the URL.
NOT_REFERENCES = frozenset({
    "csrf_token", "next", "idempotency_key", "quoted_total", "quantity", "stock", "min_order_qty", "low_stock_threshold",
    "weight_grams", "position", "unit", "kind", "echelon", "role", "reason", "coverage", "minimum_kind",
    "kecamatan", "kelurahan", "category_id", "parent_id", "agency_ids", "reject_N", "line_N",
    "shops-N-method", "shops-N-address_choice", "direction", "remedy", "days", "rating", "decision",
    "job_id",  # a queued job (status page): jobs belong to the administrators alone
})
