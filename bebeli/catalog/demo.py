"""Demo catalog: the category tree and about sixty products of the demo shops, each with a
generated image (a coloured tile with the product's initials, drawn with Pillow)."""
from __future__ import annotations

import hashlib
import io
from datetime import timedelta

from PIL import Image, ImageDraw, ImageFont

from bebeli.catalog.models import Category, Product, ProductStatus
from bebeli.catalog.search import index_product
from bebeli.catalog.services import store_images
from bebeli.catalog.text import slugify
from bebeli.db import utcnow
from bebeli.extensions import db
from bebeli.images import ProcessedImage
from bebeli.sellers.models import Shop, ShopStatus

CATEGORIES = {
    "Makanan & Minuman": ["Keripik & Camilan", "Kue & Roti", "Minuman & Kopi", "Sambal & Bumbu"],
    "Kerajinan": ["Anyaman", "Suvenir & Hiasan"],
    "Fashion & Batik": ["Batik", "Tas & Aksesoris"],
    "ATK & Perlengkapan Kantor": ["Alat Tulis", "Kertas & Map", "Perlengkapan Rapat"],
    "Jasa Catering": ["Nasi Kotak", "Snack Box", "Prasmanan"],
}

# shop slug → [(category, name, price, unit, stock, min order, sold, description)]
PRODUCTS = {
    "keripik-bu-sari": [
        ("Keripik & Camilan", "Keripik Pisang Manis", 18_000, "pak", 120, 1, 86,
         "Keripik pisang kepok iris tipis, manis gurih. Isi 250 gram."),
        ("Keripik & Camilan", "Keripik Pisang Cokelat", 22_000, "pak", 80, 1, 41,
         "Keripik pisang dengan balutan cokelat. Isi 250 gram."),
        ("Keripik & Camilan", "Keripik Singkong Balado", 15_000, "pak", 150, 1, 120,
         "Singkong renyah berbumbu balado pedas manis. Isi 250 gram."),
        ("Keripik & Camilan", "Keripik Tempe Sagu", 17_000, "pak", 60, 1, 33,
         "Tempe tipis berbalut tepung sagu, cocok untuk oleh-oleh."),
        ("Keripik & Camilan", "Rempeyek Kacang Tanah", 20_000, "toples", 40, 1, 27,
         "Rempeyek kacang renyah dalam toples 500 gram."),
        ("Keripik & Camilan", "Makaroni Pedas Daun Jeruk", 12_000, "pak", 200, 2, 150,
         "Makaroni goreng pedas dengan aroma daun jeruk."),
        ("Sambal & Bumbu", "Sambal Bawang Bu Sari", 25_000, "botol", 50, 1, 64,
         "Sambal bawang botol 200 ml, tahan dua bulan."),
        ("Keripik & Camilan", "Paket Camilan Rapat 10 Pak", 150_000, "paket", 20, 1, 12,
         "Sepuluh pak keripik aneka rasa untuk rapat kantor."),
        ("Keripik & Camilan", "Keripik Kaca Pedas", 13_000, "pak", 0, 1, 58,
         "Kerupuk kaca pedas daun jeruk. Sedang habis, segera diproduksi lagi."),
    ],
    "batik": [
        ("Batik", "Kemeja Batik Tulis Motif Teratai", 425_000, "pcs", 15, 1, 9,
         "Kemeja batik tulis lengan panjang, motif teratai khas Bekasi, katun primisima."),
        ("Batik", "Kain Batik Cap Motif Golok", 275_000, "lembar", 25, 1, 14,
         "Kain batik cap 2 meter, motif golok Bekasi, pewarna alam."),
        ("Batik", "Seragam Batik Kantor (Min. 12)", 185_000, "pcs", 300, 12, 240,
         "Seragam batik cap untuk instansi, ukuran S sampai XXL, bisa bordir nama."),
        ("Batik", "Blus Batik Wanita Tugu", 215_000, "pcs", 20, 1, 11,
         "Blus batik motif tugu, bahan katun adem."),
        ("Batik", "Syal Batik Sutra", 160_000, "pcs", 18, 1, 6, "Syal batik sutra untuk cendera mata tamu."),
        ("Tas & Aksesoris", "Tas Jinjing Batik", 95_000, "pcs", 30, 1, 22, "Tas jinjing kain batik dengan furing."),
        ("Tas & Aksesoris", "Dompet Batik Kecil", 35_000, "pcs", 60, 1, 48, "Dompet kecil bermotif batik Bekasi."),
        ("Batik", "Masker Kain Batik Isi 5", 40_000, "pak", 70, 1, 30, "Lima masker kain batik tiga lapis."),
    ],
    "anyaman": [
        ("Anyaman", "Keranjang Anyaman Bambu Besar", 85_000, "pcs", 25, 1, 17,
         "Keranjang bambu serbaguna diameter 40 cm."),
        ("Anyaman", "Tampah Bambu", 30_000, "pcs", 40, 1, 35, "Tampah bambu anyaman rapat diameter 50 cm."),
        ("Anyaman", "Tas Anyaman Pandan", 120_000, "pcs", 12, 1, 8, "Tas anyaman pandan dengan tali kulit."),
        ("Suvenir & Hiasan", "Tempat Tisu Anyaman", 45_000, "pcs", 30, 1, 19, "Tempat tisu anyaman bambu halus."),
        ("Suvenir & Hiasan", "Kap Lampu Bambu", 150_000, "pcs", 8, 1, 4, "Kap lampu gantung anyaman bambu."),
        ("Anyaman", "Besek Bambu Isi 10", 35_000, "pak", 100, 1, 75, "Sepuluh besek bambu untuk wadah nasi kotak."),
        ("Suvenir & Hiasan", "Suvenir Miniatur Golok Bekasi", 55_000, "pcs", 40, 5, 60,
         "Miniatur golok khas Bekasi dari kayu, cocok untuk cendera mata."),
        ("Anyaman", "Tatakan Gelas Rotan Isi 6", 40_000, "set", 45, 1, 21, "Enam tatakan gelas anyaman rotan."),
    ],
    "catering": [
        ("Nasi Kotak", "Nasi Kotak Ayam Bakar", 35_000, "porsi", 500, 20, 980,
         "Nasi, ayam bakar, lalapan, sambal, kerupuk, buah. Pesan H-1."),
        ("Nasi Kotak", "Nasi Kotak Rendang", 42_000, "porsi", 500, 20, 640,
         "Nasi, rendang sapi, sayur nangka, sambal hijau, kerupuk."),
        ("Nasi Kotak", "Nasi Liwet Komplit", 38_000, "porsi", 300, 20, 310,
         "Nasi liwet, ayam goreng, tahu tempe, ikan asin, lalapan."),
        ("Snack Box", "Snack Box Rapat Isi 3", 15_000, "porsi", 1000, 25, 1500,
         "Tiga kue basah dan air mineral untuk rapat."),
        ("Snack Box", "Snack Box Premium Isi 4", 22_000, "porsi", 800, 25, 720,
         "Empat kue pilihan: risoles, sus, lemper, bolu pandan."),
        ("Prasmanan", "Prasmanan Menu Nusantara", 65_000, "porsi", 400, 50, 450,
         "Prasmanan lengkap untuk acara dinas, minimal 50 porsi."),
        ("Nasi Kotak", "Tumpeng Mini", 45_000, "porsi", 200, 10, 120, "Tumpeng mini untuk syukuran kantor."),
        ("Snack Box", "Kopi dan Teh untuk Rapat", 8_000, "porsi", 1000, 25, 900,
         "Kopi, teh, gula, dan air panas dalam termos untuk rapat."),
    ],
    "atk": [
        ("Kertas & Map", "Kertas HVS A4 80 gram", 58_000, "rim", 400, 1, 820, "Kertas HVS A4 80 gsm, 500 lembar."),
        ("Kertas & Map", "Kertas HVS F4 70 gram", 55_000, "rim", 300, 1, 560, "Kertas HVS F4 70 gsm, 500 lembar."),
        ("Kertas & Map", "Map Snelhecter Plastik", 3_500, "pcs", 2000, 10, 3000, "Map plastik dengan penjepit."),
        ("Alat Tulis", "Pulpen Gel Hitam Isi 12", 36_000, "lusin", 250, 1, 410, "Pulpen gel 0,5 mm tinta hitam."),
        ("Alat Tulis", "Spidol Papan Tulis Isi 12", 72_000, "lusin", 90, 1, 95, "Spidol whiteboard hitam, biru, merah."),
        ("Alat Tulis", "Stabilo Warna Isi 5", 25_000, "pak", 120, 1, 140, "Lima warna stabilo."),
        ("Perlengkapan Rapat", "Buku Agenda Bersampul Batik", 45_000, "pcs", 150, 10, 200,
         "Buku agenda A5 bersampul kain batik Bekasi."),
        ("Perlengkapan Rapat", "Papan Nama Meja Akrilik", 30_000, "pcs", 80, 5, 70, "Papan nama meja akrilik."),
        ("Alat Tulis", "Stapler dan Isi Staples", 28_000, "set", 100, 1, 88, "Stapler ukuran 10 dengan satu kotak isi."),
        ("Kertas & Map", "Amplop Cokelat Folio Isi 100", 85_000, "box", 60, 1, 65, "Amplop cokelat ukuran folio."),
    ],
    "kopi": [
        ("Minuman & Kopi", "Kopi Robusta Bubuk 250 gram", 45_000, "pak", 90, 1, 130,
         "Robusta petani Bojongmangu, sangrai sedang, giling halus."),
        ("Minuman & Kopi", "Kopi Robusta Biji 1 kg", 160_000, "kg", 40, 1, 35, "Biji kopi robusta sangrai sedang."),
        ("Minuman & Kopi", "Kopi Susu Gula Aren Literan", 75_000, "botol", 30, 1, 44, "Kopi susu gula aren 1 liter."),
        ("Minuman & Kopi", "Teh Serai Jahe Celup", 25_000, "box", 70, 1, 52, "Teh herbal serai dan jahe, isi 20 kantong."),
        ("Minuman & Kopi", "Madu Klanceng 250 ml", 95_000, "botol", 15, 1, 18, "Madu lebah klanceng dari kebun sendiri."),
        ("Minuman & Kopi", "Paket Kopi Hampers Kantor", 250_000, "paket", 20, 1, 9,
         "Dua kopi bubuk, satu teh, satu madu dalam kotak anyaman."),
        ("Minuman & Kopi", "Wedang Uwuh Isi 10", 30_000, "pak", 50, 1, 27, "Rempah wedang uwuh siap seduh."),
        ("Minuman & Kopi", "Sirup Markisa", 35_000, "botol", 40, 1, 16, "Sirup markisa asli 600 ml."),
    ],
    "dodol": [
        ("Kue & Roti", "Dodol Betawi Ketan Hitam", 60_000, "kg", 50, 1, 70, "Dodol Betawi ketan hitam, diaduk 8 jam."),
        ("Kue & Roti", "Kue Geplak Betawi", 30_000, "pak", 40, 1, 25, "Kue geplak kelapa manis."),
        ("Kue & Roti", "Kembang Goyang", 28_000, "toples", 45, 1, 37, "Kembang goyang renyah dalam toples."),
        ("Kue & Roti", "Roti Buaya Seserahan", 175_000, "pcs", 10, 1, 5, "Sepasang roti buaya untuk seserahan."),
        ("Kue & Roti", "Kue Kembang Loyang Isi 50", 45_000, "toples", 35, 1, 20, "Kue kembang loyang toples besar."),
        ("Sambal & Bumbu", "Bumbu Pecak Betawi", 20_000, "botol", 30, 1, 15, "Bumbu pecak siap pakai."),
        ("Kue & Roti", "Kue Talam Ebi", 35_000, "box", 25, 1, 12, "Kue talam ebi gurih, isi 10 potong."),
    ],
    "kue": [
        ("Kue & Roti", "Kue Lapis Legit", 250_000, "box", 10, 1, 0, "Lapis legit 20 x 20 cm."),
        ("Kue & Roti", "Klepon Isi 20", 20_000, "box", 40, 1, 0, "Klepon gula merah dengan kelapa parut."),
    ],
}

PALETTE = [(11, 110, 79), (217, 168, 62), (30, 64, 175), (180, 35, 24), (94, 53, 177), (3, 105, 161),
           (161, 98, 7), (21, 128, 61), (190, 24, 93), (71, 85, 105)]
TILE = 480


def _initials(name: str) -> str:
    letters = [w[0] for w in name.split() if w[:1].isalpha()]
    return "".join(letters[:2]).upper() or "B"


def tile_image(name: str) -> ProcessedImage:
    """A square tile in a colour picked from the name, with its initials."""
    digest = hashlib.sha256(name.encode()).digest()
    colour = PALETTE[digest[0] % len(PALETTE)]
    image = Image.new("RGB", (TILE, TILE), colour)
    draw = ImageDraw.Draw(image)
    lighter = tuple(min(255, c + 40) for c in colour)
    draw.ellipse((TILE * 0.18, TILE * 0.18, TILE * 0.82, TILE * 0.82), fill=lighter)
    draw.text((TILE / 2, TILE / 2), _initials(name), fill=(255, 255, 255), anchor="mm",
              font=ImageFont.load_default(size=150))
    out = io.BytesIO()
    image.save(out, "WEBP", quality=80, method=0)
    data = out.getvalue()
    return ProcessedImage(display=data, thumb=data, width=TILE, height=TILE)


def _category(name: str, position: int, parent: Category | None = None) -> Category:
    row = db.session.scalar(db.select(Category).where(Category.slug == slugify(name)))
    if row is None:
        row = Category(name=name, slug=slugify(name), position=position, parent=parent)
        db.session.add(row)
    return row


def _categories() -> dict[str, Category]:
    found = {}
    for position, (top, children) in enumerate(CATEGORIES.items()):
        parent = _category(top, position)
        for child_position, child in enumerate(children):
            found[child] = _category(child, child_position, parent)
    db.session.flush()
    return found


def seed(accounts: list, password: str) -> None:
    categories = _categories()
    now = utcnow()
    age = 0
    for shop_slug, rows in PRODUCTS.items():
        shop = db.session.scalar(db.select(Shop).where(Shop.slug == shop_slug))
        if shop is None or db.session.scalar(db.select(Product.id).where(Product.shop_id == shop.id).limit(1)):
            continue
        publish = shop.status == ShopStatus.VERIFIED
        for category, name, price, unit, stock, min_qty, sold, description in rows:
            age += 1
            product = Product(
                shop=shop, category=categories[category], name=name, slug=slugify(name), description=description,
                price_amount=price, unit=unit, stock=stock, min_order_qty=min_qty, sold_count=sold,
                status=ProductStatus.PUBLISHED if publish else ProductStatus.DRAFT,
                published_at=now - timedelta(hours=age * 7) if publish else None,
            )
            db.session.add(product)
            db.session.flush()
            index_product(product)
            store_images(product, [tile_image(name)])
