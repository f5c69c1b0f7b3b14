"""Agency procurement, the e-katalog channel: budget lines, PP → PPK approval, Surat Pesanan,
BAST, treasurer payment with PPh 22, integrity flags and OCDS open data."""
from flask import Blueprint

bp = Blueprint("procurement", __name__)
