"""Where a product page view is counted: after the catalog's product page has been answered,
from the page cache or rendered, so counting neither bypasses the cache nor costs a query.

Counted: a 200 answer to a GET of `catalog.product` (a hidden or unknown product answers 404,
a wrong slug 301: not counted) for a visitor or a buyer, unless the User-Agent is a robot's
(BOT_MARKS). Not counted: administrators, and the seller who owns the product's shop. Sellers
and administrators never get a cached page (bebeli.auth.frame gives them no stand-in), so for
them the view has just loaded the product and its shop and left it in `g` (SHOWN_PRODUCT): the
owner check reads it there, without a query. Buyers and visitors own no shop.
"""
from __future__ import annotations

import logging
import re
from functools import lru_cache

from flask import g, request
from flask_login import current_user

from bebeli.auth.frame import FrameUser
from bebeli.pageviews import bp
from bebeli.pageviews.counter import count_view

log = logging.getLogger(__name__)

COUNTED_ENDPOINT = "catalog.product"
SHOWN_PRODUCT = "shown_product"  # `g.shown_product`: the product the catalog's view rendered

# A User-Agent matching any of these (case-insensitive) is a robot's: search engines, link
# previews of chat apps and social networks, monitors, command-line and library clients,
# headless browsers. An empty User-Agent counts as a robot too.
BOT_MARKS = (
    r"bot\b", r"bot/", r"crawl", r"spider", r"slurp", r"archiver", r"\bscan", r"monitor",
    r"facebookexternalhit", r"facebookcatalog", r"whatsapp", r"telegram", r"discord", r"skypeuripreview",
    r"preview", r"embedly", r"pinterest", r"bingpreview", r"yandex", r"baidu", r"duckduck", r"petal",
    r"headlesschrome", r"phantomjs", r"lighthouse", r"pingdom", r"uptime", r"statuscake",
    r"curl/", r"wget/", r"python-requests", r"python-urllib", r"aiohttp", r"httpx", r"go-http-client",
    r"java/", r"okhttp", r"libwww-perl", r"axios/", r"node-fetch", r"postmanruntime", r"apache-httpclient",
    r"scrapy", r"httrack", r"feed", r"^mozilla/5\.0$",
)
_BOT = re.compile("|".join(BOT_MARKS), re.IGNORECASE)


MAX_BROWSER_AGENT = 512  # browsers' User-Agents are shorter; a longer one is not a person's


def is_bot(user_agent: str | None) -> bool:
    user_agent = (user_agent or "").strip()
    return not user_agent or len(user_agent) > MAX_BROWSER_AGENT or _matches_bot(user_agent)


@lru_cache(maxsize=4096)  # browsers send a few thousand distinct strings: the regex runs once each
def _matches_bot(user_agent: str) -> bool:
    return _BOT.search(user_agent) is not None


def _counts_for(product_id: int) -> bool:
    viewer = g.get("_login_user")
    if viewer is None:
        viewer = current_user._get_current_object()
    if isinstance(viewer, FrameUser) or not viewer.is_authenticated:
        return True  # a buyer's stand-in or a visitor: neither owns a shop
    from bebeli.auth.permissions import is_admin

    if is_admin(viewer):
        return False
    shown = g.get(SHOWN_PRODUCT)
    if shown is None or shown.id != product_id:  # the view always sets it: count rather than query
        return True
    return shown.shop.owner_id != viewer.id


@bp.after_app_request
def count_product_view(response):
    if (request.endpoint != COUNTED_ENDPOINT or request.method != "GET" or response.status_code != 200
            or is_bot(request.headers.get("User-Agent"))):
        return response
    product_id = (request.view_args or {}).get("product_id")
    try:
        if product_id is not None and _counts_for(product_id):
            count_view(int(product_id))
    except Exception:  # counting must never cost the viewer their page
        log.exception("product view not counted")
    return response
