"""The seller's insight page (`/toko/wawasan`) and its monthly report PDF: the signed-in
seller's own shop only (no shop id is ever read from the request)."""
from __future__ import annotations

from io import BytesIO

from flask import render_template, request, send_file
from flask_babel import format_date
from flask_babel import gettext as _

from bebeli.auth.permissions import role_required
from bebeli.dates import jakarta_today, month_start, parse_month
from bebeli.insights import bp, services, tips
from bebeli.insights.queries import last_months
from bebeli.insights.report import report_pdf
from bebeli.money import rupiah
from bebeli.quotas.charts import bar_chart, trend_chart
from bebeli.sellers.permissions import own_shop_or_404


def _month_label(row) -> str:
    return format_date(row["month"], "MMM yy")


@bp.get("/wawasan")
@role_required("seller")
def page():
    shop = own_shop_or_404()
    sales = services.sales(shop)
    chart_rows = [{**r, "rate": None} for r in sales["rows"]]
    charts = {
        "revenue": trend_chart(chart_rows, label=_month_label, value="revenue", rate="rate",
                               title=_("Pendapatan per bulan"), fmt=rupiah, rate_fmt=lambda _v: ""),
        "channels": bar_chart([{"label": _("Pribadi ASN"), "value": sales["total"]["personal"]},
                               {"label": _("Instansi"), "value": sales["total"]["agency"]}],
                              label="label", value="value", title=_("Pendapatan per saluran"), fmt=rupiah),
        "agencies": bar_chart(sales["agencies"], label="name", value="revenue",
                              title=_("Pendapatan per instansi"), fmt=rupiah, alt=True),
    }
    products = services.products(shop, sales["months"])
    return render_template(
        "insights/page.html", shop=shop, sales=sales, charts=charts, products=products,
        attention=services.attention(shop, sales["months"], products),
        customers=services.customers(shop), tips=tips.tips_for(shop), low_stock=services.low_stock(shop),
        expiring=services.expiring_certificates(shop), report_months=sales["months"][::-1])


@bp.get("/wawasan/laporan.pdf")
@role_required("seller")
def report():
    shop = own_shop_or_404()
    months = last_months(month_start(jakarta_today()), services.MONTHS)
    month = parse_month(request.args.get("bulan"))
    if month not in months:
        month = months[-1]
    return send_file(BytesIO(report_pdf(shop, month)), mimetype="application/pdf",
                     download_name=f"laporan-{shop.slug}-{month:%Y-%m}.pdf", as_attachment=True)
