"""Which agency purchases a user sees, and what they have to do on each."""
from __future__ import annotations

import sqlalchemy as sa

from bebeli.auth.models import Role
from bebeli.auth.permissions import is_admin
from bebeli.extensions import db
from bebeli.orders.models import FulfilmentStatus, SellerOrder
from bebeli.procurement import permissions as can
from bebeli.procurement.models import OPEN_STAGES, AgencyPurchase, OfferSide, Stage
from bebeli.sellers.models import Shop

F = FulfilmentStatus


def purchases_for(user):
    """Agency purchases `user` may see: their agencies' (officials and agency admins), their
    shops' (sellers), or all (admin); newest first."""
    stmt = db.select(AgencyPurchase).order_by(AgencyPurchase.id.desc())
    if is_admin(user):
        return stmt
    agencies = can.official_agency_ids(user) | user.agency_ids(Role.AGENCY_ADMIN)
    own_shops = db.select(Shop.id).where(Shop.owner_id == user.id)
    return stmt.where(sa.or_(AgencyPurchase.agency_id.in_(agencies), AgencyPurchase.shop_id.in_(own_shops)))


def actions_for(user, purchase: AgencyPurchase) -> list[str]:
    """What `user` has to do on `purchase` now (keys of ACTION_LABELS)."""
    so, stage, actions = purchase.seller_order, purchase.stage, []
    pending = purchase.pending_offers
    if can.is_pp_of(user, purchase) and stage in OPEN_STAGES:
        if any(o.side == OfferSide.SELLER for o in pending):
            actions.append("answer_offer")
        if stage == Stage.RETURNED:
            actions.append("resubmit")
    if can.is_ppk_of(user, purchase):
        if stage == Stage.AWAITING_APPROVAL and not pending:
            actions.append("approve")
        if stage == Stage.APPROVED and so.status in (F.SHIPPED, F.DELIVERED):
            actions.append("sign_bast")
    if can.is_treasurer_of(user, purchase) and stage == Stage.RECEIVED:
        actions.append("pay")
    if can.is_seller_of(user, purchase):
        if stage in OPEN_STAGES and any(o.side == OfferSide.BUYER for o in pending):
            actions.append("answer_offer")
        if stage == Stage.APPROVED and so.status == F.APPROVED:
            actions.append("answer_sp")
        if stage == Stage.APPROVED and so.status == F.SP_ACCEPTED:
            actions.append("ship")
    return actions


def page_options_for(user, purchase: AgencyPurchase) -> dict:
    """What the purchase page offers `user` besides the next steps: whether the PP may still
    negotiate and withdraw it, and which pending offers are theirs to answer."""
    open_ = purchase.stage in OPEN_STAGES
    pp = can.is_pp_of(user, purchase)
    seller = can.is_seller_of(user, purchase)
    answerable = {offer.id for offer in purchase.pending_offers if open_ and (
        (offer.side == OfferSide.BUYER and seller) or (offer.side == OfferSide.SELLER and pp))}
    counterable = {offer.id for offer in purchase.pending_offers if offer.id in answerable and offer.side == OfferSide.BUYER}
    return {"negotiate": pp and open_, "withdraw": pp and open_, "answerable_offers": answerable,
            "counterable_offers": counterable,
            "return_note": purchase.return_note if purchase.stage == Stage.RETURNED else None}


def to_do_for(user, limit: int = 200) -> list[tuple[AgencyPurchase, list[str]]]:
    """Live purchases on which `user` must act, oldest first (they have waited longest)."""
    stmt = (purchases_for(user).where(AgencyPurchase.stage.not_in((Stage.PAID, Stage.CANCELLED)))
            .order_by(None).order_by(AgencyPurchase.updated_at).limit(limit))
    pairs = ((p, actions_for(user, p)) for p in db.session.scalars(stmt))
    return [(p, actions) for p, actions in pairs if actions]


def stages_in(order_id: int) -> list[Stage]:
    """The stages of every purchase (one per shop) of an agency order."""
    return list(db.session.scalars(db.select(AgencyPurchase.stage).where(AgencyPurchase.order_id == order_id)))


def purchase_for_seller_order(so: SellerOrder) -> AgencyPurchase | None:
    return db.session.scalar(db.select(AgencyPurchase).where(AgencyPurchase.seller_order_id == so.id))
